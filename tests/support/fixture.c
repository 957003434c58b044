/*
 * Test support: fixture files (fixture.h).
 */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <glib.h>

char *fixture_read(const char *folder, const char *name, size_t *len)
{
    const char *dir = getenv("PORTALCTL_FIXTURES");
    assert_non_null(dir);
    char *path = g_build_filename(dir, folder, name, NULL);
    char *text = NULL;
    gsize size = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, &size, &error))
        fail_msg("cannot read fixture %s: %s", path, error->message);
    g_free(path);
    if (len)
        *len = size;
    return text;
}
