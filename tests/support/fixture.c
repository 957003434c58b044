/*
 * Test support: fixture files (fixture.h).
 */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_any_prefix(const char *name, const char *first, va_list more)
{
    for (const char *prefix = first; prefix; prefix = va_arg(more, const char *)) {
        if (g_str_has_prefix(name, prefix))
            return true;
    }
    return false;
}

char **fixture_names(const char *folder, const char *prefix, ...)
{
    const char *root = getenv("PORTALCTL_FIXTURES");
    assert_non_null(root);
    char *path = g_build_filename(root, folder, NULL);
    GError *error = NULL;
    GDir *dir = g_dir_open(path, 0, &error);
    if (!dir)
        fail_msg("cannot list fixtures in %s: %s", path, error->message);
    GPtrArray *names = g_ptr_array_new();
    for (const char *name; (name = g_dir_read_name(dir));) {
        va_list more;
        va_start(more, prefix);
        if (has_any_prefix(name, prefix, more))
            g_ptr_array_add(names, g_strdup(name));
        va_end(more);
    }
    g_dir_close(dir);
    if (names->len == 0)
        fail_msg("no fixture in %s starts with %s…", path, prefix);
    g_free(path);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

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

char **fixture_valstorm_bad_user_lists(void)
{
    char **names = fixture_names("valstorm", "hostile-users-", "error-404-portal.json",
                                 "error-502.html", NULL);
    assert_true(g_strv_length(names) >= 9);
    return names;
}
