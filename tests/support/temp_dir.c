/*
 * Test support: temporary directories (temp_dir.h).
 */
#include "temp_dir.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <glib.h>

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void temp_dir_remove(const char *dir)
{
    nftw(dir, remove_entry, 64, FTW_DEPTH | FTW_PHYS);
}

int temp_dir_setup(void **state)
{
    char *dir = g_dir_make_tmp("portalctl-test-XXXXXX", NULL);
    assert_non_null(dir);
    *state = dir;
    return 0;
}

int temp_dir_teardown(void **state)
{
    temp_dir_remove(*state);
    g_free(*state);
    return 0;
}
