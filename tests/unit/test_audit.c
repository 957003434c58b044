/*
 * Unit tests for store/audit.c: audit.jsonl appended on the real file system
 * and read back with json-c, including concurrent appends from several
 * processes.
 */
#include <portalctl/audit.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include <cmocka.h>

#include "temp_dir.h"

#define WRITERS          4
#define LINES_PER_WRITER 200

/* ---- helpers ------------------------------------------------------------- */

static char **read_lines(const char *path, guint *count)
{
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    assert_true(g_str_has_suffix(text, "\n"));
    text[strlen(text) - 1] = '\0';
    char **lines = g_strsplit(text, "\n", -1);
    *count = g_strv_length(lines);
    g_free(text);
    return lines;
}

/* The line's keys in order, e.g. "time,connection,operation,target,result". */
static char *key_order(json_object *line)
{
    GString *keys = g_string_new(NULL);
    json_object_object_foreach(line, key, value)
    {
        (void)value;
        g_string_append_printf(keys, "%s%s", keys->len > 0 ? "," : "", key);
    }
    return g_string_free(keys, FALSE);
}

static const char *member(json_object *line, const char *key)
{
    json_object *value = NULL;
    assert_true(json_object_object_get_ex(line, key, &value));
    return value != NULL ? json_object_get_string(value) : NULL;
}

static char *utc_now_text(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    char *seconds = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    char *text = g_strdup_printf("%s.%03dZ", seconds, g_date_time_get_microsecond(now) / 1000);
    g_free(seconds);
    g_date_time_unref(now);
    return text;
}

/* ---- appending ----------------------------------------------------------- */

static void test_audit_appends_json_lines(void **state)
{
    char *dir = g_build_filename(*state, "state", "portalctl", NULL);
    char *path = g_build_filename(dir, "audit.jsonl", NULL);
    struct audit_entry created = {"acme-valstorm", "portal.create", "Customer Hub", AUDIT_RESULT_OK,
                                  NULL};
    struct audit_entry refused = {"acme-ecgrid", "user.invite", "ann@example.com",
                                  AUDIT_RESULT_FAILED,
                                  "400 DuplicateObject: login taken\nsecond line \"quoted\" / é"};
    struct audit_entry batch = {"acme-zoho", "user.invite.csv", NULL, AUDIT_RESULT_PARTIAL,
                                "7 of 9 invited"};
    char *before = utc_now_text();
    GError *error = NULL;
    assert_true(audit_append(path, &created, &error));
    assert_true(audit_append(path, &refused, &error));
    assert_true(audit_append(path, &batch, &error));
    assert_null(error);
    char *after = utc_now_text();

    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    guint count = 0;
    char **lines = read_lines(path, &count);
    assert_int_equal(count, 3);
    json_object *first = json_tokener_parse(lines[0]);
    json_object *second = json_tokener_parse(lines[1]);
    json_object *third = json_tokener_parse(lines[2]);
    assert_non_null(first);
    assert_non_null(second);
    assert_non_null(third);

    char *keys = key_order(first);
    assert_string_equal(keys, "time,connection,operation,target,result");
    g_free(keys);
    const char *time = member(first, "time");
    GRegex *iso = g_regex_new("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", 0, 0, NULL);
    assert_true(g_regex_match(iso, time, 0, NULL));
    assert_true(strcmp(time, before) >= 0 && strcmp(time, after) <= 0);
    g_regex_unref(iso);
    assert_string_equal(member(first, "connection"), "acme-valstorm");
    assert_string_equal(member(first, "operation"), "portal.create");
    assert_string_equal(member(first, "target"), "Customer Hub");
    assert_string_equal(member(first, "result"), "ok");

    keys = key_order(second);
    assert_string_equal(keys, "time,connection,operation,target,result,message");
    g_free(keys);
    assert_string_equal(member(second, "result"), "failed");
    assert_string_equal(member(second, "message"), refused.message); /* newline kept, one line */
    assert_string_equal(member(third, "result"), "partial");
    assert_null(member(third, "target")); /* present, null */
    assert_string_equal(member(third, "message"), "7 of 9 invited");
    assert_string_equal(lines[2] + strlen("{\"time\":\"2026-05-07T09:00:00.000Z\""),
                        ",\"connection\":\"acme-zoho\",\"operation\":\"user.invite.csv\","
                        "\"target\":null,\"result\":\"partial\",\"message\":\"7 of 9 invited\"}");

    json_object_put(first);
    json_object_put(second);
    json_object_put(third);
    g_strfreev(lines);
    g_free(after);
    g_free(before);
    g_free(path);
    g_free(dir);
}

static void test_audit_default_path(void **state)
{
    char *saved_xdg = g_strdup(getenv("XDG_STATE_HOME"));
    char *saved_home = g_strdup(getenv("HOME"));
    setenv("HOME", "/home/tester", 1);
    unsetenv("XDG_STATE_HOME");
    char *path = audit_default_path();
    assert_string_equal(path, "/home/tester/.local/state/portalctl/audit.jsonl");
    g_free(path);

    setenv("XDG_STATE_HOME", *state, 1);
    path = audit_default_path();
    char *expected = g_build_filename(*state, "portalctl", "audit.jsonl", NULL);
    assert_string_equal(path, expected);
    struct audit_entry entry = {"acme", "portal.delete", "portal_1", AUDIT_RESULT_OK, NULL};
    assert_true(audit_append(NULL, &entry, NULL));
    assert_true(g_file_test(expected, G_FILE_TEST_IS_REGULAR));
    g_free(expected);
    g_free(path);

    g_setenv("HOME", saved_home, TRUE);
    g_setenv("XDG_STATE_HOME", saved_xdg, TRUE);
    if (saved_xdg == NULL)
        unsetenv("XDG_STATE_HOME");
    g_free(saved_xdg);
    g_free(saved_home);
}

static void test_audit_tightens_an_open_file(void **state)
{
    char *path = g_build_filename(*state, "audit.jsonl", NULL);
    assert_true(g_file_set_contents(path, "{\"old\":true}\n", -1, NULL));
    assert_int_equal(chmod(path, 0644), 0);
    struct audit_entry entry = {"acme", "portal.rename", "portal_1", AUDIT_RESULT_OK, NULL};
    assert_true(audit_append(path, &entry, NULL));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    guint count = 0;
    char **lines = read_lines(path, &count);
    assert_int_equal(count, 2);
    assert_string_equal(lines[0], "{\"old\":true}"); /* appended, never rewritten */
    g_strfreev(lines);
    g_free(path);
}

static void expect_refused(const char *path, const struct audit_entry *entry, const char *message)
{
    GError *error = NULL;
    assert_false(audit_append(path, entry, &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID));
    assert_string_equal(error->message, message);
    g_error_free(error);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_audit_refuses_incomplete_entries(void **state)
{
    char *path = g_build_filename(*state, "audit.jsonl", NULL);
    struct audit_entry entry = {NULL, "portal.create", "x", AUDIT_RESULT_OK, NULL};
    expect_refused(path, &entry, "an audit entry needs a connection");
    entry.connection = "";
    expect_refused(path, &entry, "an audit entry needs a connection");
    entry.connection = "acme";
    entry.operation = NULL;
    expect_refused(path, &entry, "an audit entry needs an operation");
    entry.operation = "";
    expect_refused(path, &entry, "an audit entry needs an operation");
    entry.operation = "portal.create";
    entry.result = (enum audit_result)3;
    expect_refused(path, &entry, "an audit entry needs a result of ok, failed or partial");
    entry.result = AUDIT_RESULT_OK;
    entry.target = "caf\xe9";
    expect_refused(path, &entry, "an audit entry must be UTF-8 text");
    entry.target = NULL;
    entry.message = "\xff";
    expect_refused(path, &entry, "an audit entry must be UTF-8 text");
    g_free(path);
}

static void test_audit_file_errors(void **state)
{
    struct audit_entry entry = {"acme", "portal.create", "x", AUDIT_RESULT_OK, NULL};
    GError *error = NULL;
    assert_false(audit_append(*state, &entry, &error)); /* a directory */
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_IO));
    char *expected =
        g_strdup_printf("%s: cannot open the audit log: Is a directory", (char *)*state);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_clear_error(&error);

    char *blocker = g_build_filename(*state, "file", NULL);
    assert_true(g_file_set_contents(blocker, "x", 1, NULL));
    char *path = g_build_filename(blocker, "portalctl", "audit.jsonl", NULL);
    assert_false(audit_append(path, &entry, &error));
    expected = g_strdup_printf("%s/portalctl: cannot create directory: Not a directory", blocker);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_clear_error(&error);
    g_free(path);

    /* a full disk: /dev/full takes the open and refuses the write */
    assert_false(audit_append("/dev/full", &entry, &error));
    assert_string_equal(error->message,
                        "/dev/full: cannot append to the audit log: No space left on device");
    g_clear_error(&error);
    g_free(blocker);
}

static void test_audit_result_names(void **state)
{
    (void)state;
    assert_string_equal(audit_result_name(AUDIT_RESULT_OK), "ok");
    assert_string_equal(audit_result_name(AUDIT_RESULT_FAILED), "failed");
    assert_string_equal(audit_result_name(AUDIT_RESULT_PARTIAL), "partial");
    assert_null(audit_result_name((enum audit_result)3));
}

/* Several portalctl processes at once: every line whole, none lost. */
static void test_audit_concurrent_writers(void **state)
{
    char *path = g_build_filename(*state, "audit.jsonl", NULL);
    pid_t writers[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        writers[w] = fork();
        assert_true(writers[w] >= 0);
        if (writers[w] == 0) {
            char target[128];
            int failures = 0;
            for (int i = 0; i < LINES_PER_WRITER; i++) {
                snprintf(target, sizeof(target), "writer-%d-line-%03d-%s", w, i,
                         "padding-padding-padding-padding-padding-padding-padding");
                struct audit_entry entry = {"acme", "user.invite", target, AUDIT_RESULT_OK, NULL};
                failures += !audit_append(path, &entry, NULL);
            }
            _exit(failures == 0 ? 0 : 1);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        assert_int_equal(waitpid(writers[w], &status, 0), writers[w]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    guint count = 0;
    char **lines = read_lines(path, &count);
    assert_int_equal(count, WRITERS * LINES_PER_WRITER);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < count; i++) {
        json_object *line = json_tokener_parse(lines[i]);
        assert_non_null(line);
        g_hash_table_add(seen, g_strdup(member(line, "target")));
        json_object_put(line);
    }
    assert_int_equal(g_hash_table_size(seen), WRITERS * LINES_PER_WRITER);
    g_hash_table_destroy(seen);
    g_strfreev(lines);
    g_free(path);
}

#define WITH_DIR(test) cmocka_unit_test_setup_teardown(test, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_DIR(test_audit_appends_json_lines),    WITH_DIR(test_audit_default_path),
        WITH_DIR(test_audit_tightens_an_open_file), WITH_DIR(test_audit_refuses_incomplete_entries),
        WITH_DIR(test_audit_file_errors),           cmocka_unit_test(test_audit_result_names),
        WITH_DIR(test_audit_concurrent_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
