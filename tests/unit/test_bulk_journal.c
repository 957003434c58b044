/*
 * Unit tests for app/bulk_journal.c on the real file system: keys, the
 * default path, append and read back (the last event of a key wins), a line
 * cut short by a kill, the lock that keeps a second run out, report markers,
 * and what never reaches the file (identities), with its permissions.
 */
#include <portalctl/bulk_journal.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "temp_dir.h"

static char *journal_in(void **state)
{
    return g_build_filename(*state, "sub", "journal.jsonl", NULL);
}

static void append(struct bulk_journal *journal, const char *key, unsigned line,
                   enum bulk_row_state state, const char *outcome, const char *id)
{
    struct bulk_journal_entry entry = {
        .key = (char *)key,
        .line = line,
        .state = state,
        .outcome = (char *)outcome,
        .vendor_id = (char *)id,
        .run = (char *)"run-1",
    };
    GError *error = NULL;
    assert_true(bulk_journal_append(journal, &entry, &error));
    assert_null(error);
}

/* ---- keys and paths ---------------------------------------------------------------- */

static void test_journal_keys(void **state)
{
    (void)state;
    char *a = bulk_journal_key("acme", "invite-users", "portal_1", "ann@example.com");
    char *b = bulk_journal_key("acme", "invite-users", "portal_1", "ann@example.com");
    char *c = bulk_journal_key("acme", "invite-users", "portal_2", "ann@example.com");
    char *d = bulk_journal_key("acme", "invite-users", "portal_1ann@example.com", "");
    char *e = bulk_journal_key("acme", "remove-user", "portal_1", "ann@example.com");
    assert_int_equal(strlen(a), 64);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d); /* parts cannot run into each other */
    assert_string_not_equal(a, e);
    assert_null(strstr(a, "ann"));
    g_free(a);
    g_free(b);
    g_free(c);
    g_free(d);
    g_free(e);
}

static void test_journal_default_path(void **state)
{
    g_setenv("XDG_STATE_HOME", *state, TRUE);
    char *one = bulk_journal_default_path("acme", "invite-users", "portal_1", "people.csv");
    char *same = bulk_journal_default_path("acme", "invite-users", "portal_1", "./people.csv");
    char *other = bulk_journal_default_path("acme", "invite-users", "portal_1", "others.csv");
    char *prefix = g_build_filename(*state, "portalctl", "bulk", "invite-users-acme-", NULL);
    assert_true(g_str_has_prefix(one, prefix));
    assert_true(g_str_has_suffix(one, ".jsonl"));
    assert_string_equal(one, same);
    assert_string_not_equal(one, other);
    g_free(prefix);
    g_free(one);
    g_free(same);
    g_free(other);
}

/* ---- reading and writing ------------------------------------------------------------ */

static void test_journal_append_and_read_back(void **state)
{
    char *path = journal_in(state);
    GError *error = NULL;
    struct bulk_journal *journal = bulk_journal_open(path, &error);
    assert_non_null(journal);
    assert_int_equal(bulk_journal_size(journal), 0);
    append(journal, "k1", 2, BULK_ROW_PENDING, NULL, NULL);
    append(journal, "k2", 3, BULK_ROW_PENDING, NULL, NULL);
    append(journal, "k1", 2, BULK_ROW_DONE, "invited", "user_1");
    append(journal, "k2", 3, BULK_ROW_AMBIGUOUS, NULL, NULL);
    assert_true(bulk_journal_sync(journal, &error));
    assert_int_equal(bulk_journal_lookup(journal, "k1")->state, BULK_ROW_DONE);
    bulk_journal_close(journal);

    journal = bulk_journal_open(path, &error);
    assert_non_null(journal);
    const struct bulk_journal_entry *k1 = bulk_journal_lookup(journal, "k1");
    const struct bulk_journal_entry *k2 = bulk_journal_lookup(journal, "k2");
    assert_int_equal(k1->state, BULK_ROW_DONE);
    assert_string_equal(k1->outcome, "invited");
    assert_string_equal(k1->vendor_id, "user_1");
    assert_string_equal(k1->run, "run-1");
    assert_int_equal(k1->line, 2);
    assert_true(k1->time_us > 0);
    assert_int_equal(k2->state, BULK_ROW_AMBIGUOUS);
    assert_null(bulk_journal_lookup(journal, "k3"));
    bulk_journal_close(journal);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *dir = g_path_get_dirname(path);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    g_free(dir);
    g_free(path);
}

static void test_journal_line_cut_short_by_a_kill(void **state)
{
    char *path = journal_in(state);
    GError *error = NULL;
    struct bulk_journal *journal = bulk_journal_open(path, &error);
    append(journal, "k1", 2, BULK_ROW_DONE, "invited", "user_1");
    bulk_journal_close(journal);
    /* A kill in the middle of writing the next event. */
    FILE *f = fopen(path, "a");
    fputs("{\"v\":1,\"key\":\"k2\",\"line\":3,\"state\":\"do", f);
    fclose(f);

    journal = bulk_journal_open(path, &error);
    assert_non_null(journal);
    assert_int_equal(bulk_journal_size(journal), 1);
    assert_null(bulk_journal_lookup(journal, "k2"));
    append(journal, "k2", 3, BULK_ROW_DONE, "invited", "user_2");
    bulk_journal_close(journal);

    journal = bulk_journal_open(path, &error);
    assert_int_equal(bulk_journal_size(journal), 2);
    assert_string_equal(bulk_journal_lookup(journal, "k2")->vendor_id, "user_2");
    bulk_journal_close(journal);
    g_free(path);
}

static void test_journal_is_locked_while_open(void **state)
{
    char *path = journal_in(state);
    GError *error = NULL;
    struct bulk_journal *first = bulk_journal_open(path, &error);
    assert_non_null(first);
    struct bulk_journal *second = bulk_journal_open(path, &error);
    assert_null(second);
    assert_non_null(error);
    assert_non_null(strstr(error->message, "another portalctl is running"));
    g_clear_error(&error);
    bulk_journal_close(first);
    second = bulk_journal_open(path, &error);
    assert_non_null(second);
    bulk_journal_close(second);
    g_free(path);
}

static void test_journal_report_markers_and_secrets(void **state)
{
    char *path = journal_in(state);
    GError *error = NULL;
    struct bulk_journal *journal = bulk_journal_open(path, &error);
    struct bulk_journal_entry entry = {.key = (char *)"k1",
                                       .line = 2,
                                       .state = BULK_ROW_DONE,
                                       .outcome = (char *)"created",
                                       .vendor_id = (char *)"1042",
                                       .run = (char *)"run-a",
                                       .secret = true};
    assert_true(bulk_journal_append(journal, &entry, &error));
    assert_false(bulk_journal_run_reported(journal, "run-a"));
    assert_true(bulk_journal_mark_report(journal, "run-a", "/tmp/report.csv", &error));
    assert_true(bulk_journal_run_reported(journal, "run-a"));
    assert_false(bulk_journal_run_reported(journal, "run-b"));
    bulk_journal_close(journal);
    journal = bulk_journal_open(path, &error);
    assert_true(bulk_journal_run_reported(journal, "run-a"));
    assert_true(bulk_journal_lookup(journal, "k1")->secret);
    bulk_journal_close(journal);
    g_free(path);
}

static void test_journal_ignores_foreign_lines(void **state)
{
    char *path = journal_in(state);
    char *dir = g_path_get_dirname(path);
    g_mkdir_with_parents(dir, 0700);
    assert_true(g_file_set_contents(path,
                                    "not json\n[1,2]\n{\"key\":\"k1\",\"state\":\"bogus\"}\n"
                                    "{\"key\":\"k1\",\"state\":\"failed\",\"error\":\"x\"}\n",
                                    -1, NULL));
    GError *error = NULL;
    struct bulk_journal *journal = bulk_journal_open(path, &error);
    assert_non_null(journal);
    assert_int_equal(bulk_journal_lookup(journal, "k1")->state, BULK_ROW_FAILED);
    assert_string_equal(bulk_journal_lookup(journal, "k1")->error, "x");
    bulk_journal_close(journal);
    g_free(dir);
    g_free(path);
}

static void test_journal_state_names(void **state)
{
    (void)state;
    enum bulk_row_state s = BULK_ROW_NONE;
    for (int i = BULK_ROW_NONE; i <= BULK_ROW_AMBIGUOUS; i++) {
        assert_true(bulk_row_state_from_name(bulk_row_state_name((enum bulk_row_state)i), &s));
        assert_int_equal(s, i);
    }
    assert_false(bulk_row_state_from_name("finished", &s));
    char *a = bulk_journal_new_run_id();
    char *b = bulk_journal_new_run_id();
    assert_string_not_equal(a, b);
    g_free(a);
    g_free(b);
}

#define WITH_DIR(test) cmocka_unit_test_setup_teardown(test, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_keys),
        WITH_DIR(test_journal_default_path),
        WITH_DIR(test_journal_append_and_read_back),
        WITH_DIR(test_journal_line_cut_short_by_a_kill),
        WITH_DIR(test_journal_is_locked_while_open),
        WITH_DIR(test_journal_report_markers_and_secrets),
        WITH_DIR(test_journal_ignores_foreign_lines),
        cmocka_unit_test(test_journal_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
