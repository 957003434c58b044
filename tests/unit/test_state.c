/*
 * Unit tests for store/state.c: portals.json read, changed and written on the
 * real file system; every kind of corrupt file is moved aside (never lost) with
 * the exact notice asserted. Fixtures are in tests/fixtures/state/.
 */
#include <portalctl/state.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "temp_dir.h"

/* ---- helpers ------------------------------------------------------------- */

static char *read_text(const char *path)
{
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* Copies a fixture to DIR/portals.json (loading may move it) and returns that path. */
static char *copy_fixture(const char *dir, const char *name)
{
    char *source = g_build_filename(getenv("PORTALCTL_FIXTURES"), "state", name, NULL);
    char *text = read_text(source);
    char *path = g_build_filename(dir, "portals.json", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    g_free(text);
    g_free(source);
    return path;
}

static char *write_state_text(const char *dir, const char *text, gssize length)
{
    char *path = g_build_filename(dir, "portals.json", NULL);
    assert_true(g_file_set_contents(path, text, length, NULL));
    return path;
}

static char *stamp_after(gint64 seconds_from_now)
{
    GDateTime *now = g_date_time_new_now_utc();
    GDateTime *then = g_date_time_add_seconds(now, (gdouble)seconds_from_now);
    char *stamp = g_date_time_format(then, "%Y%m%dT%H%M%SZ");
    g_date_time_unref(then);
    g_date_time_unref(now);
    return stamp;
}

/* The one "portals.json.corrupt-…" file in dir (asserts there is exactly one). */
static char *find_moved_file(const char *dir)
{
    GDir *listing = g_dir_open(dir, 0, NULL);
    char *found = NULL;
    for (const char *entry; (entry = g_dir_read_name(listing)) != NULL;) {
        if (g_str_has_prefix(entry, "portals.json.corrupt-")) {
            assert_null(found);
            found = g_build_filename(dir, entry, NULL);
        }
    }
    g_dir_close(listing);
    assert_non_null(found);
    return found;
}

static void expect_portal(const struct known_portal *portal, const char *id, const char *name,
                          const char *domain, enum portal_origin origin)
{
    assert_string_equal(portal->id, id);
    if (name == NULL)
        assert_null(portal->name);
    else
        assert_string_equal(portal->name, name);
    if (domain == NULL)
        assert_null(portal->custom_domain);
    else
        assert_string_equal(portal->custom_domain, domain);
    assert_int_equal(portal->origin, origin);
}

/* ---- reading ------------------------------------------------------------- */

static void test_state_load_fixture(void **state)
{
    char *path = copy_fixture(*state, "portals.json");
    GError *error = NULL;
    struct state *known = state_load(path, &error);
    assert_null(error);
    assert_null(state_notice(known));
    assert_string_equal(state_path(known), path);

    GPtrArray *portals = state_list_portals(known, "acme-valstorm");
    assert_int_equal(portals->len, 2);
    expect_portal(portals->pdata[0], "portal_3kT9xQ2mZ7", "Customer Hub", "help.acme.com",
                  PORTAL_ORIGIN_CREATED);
    expect_portal(portals->pdata[1], "portal_Added00001", NULL, NULL, PORTAL_ORIGIN_ADDED);
    g_ptr_array_unref(portals);

    portals = state_list_portals(known, "beta");
    assert_int_equal(portals->len, 1);
    expect_portal(portals->pdata[0], "portal_b1", "Beta", NULL, PORTAL_ORIGIN_ADDED);
    g_ptr_array_unref(portals);

    portals = state_list_portals(known, "nobody");
    assert_int_equal(portals->len, 0);
    g_ptr_array_unref(portals);

    char **names = state_connections(known);
    assert_int_equal(g_strv_length(names), 2);
    assert_string_equal(names[0], "acme-valstorm");
    assert_string_equal(names[1], "beta");
    g_strfreev(names);
    state_free(known);
    g_free(path);
}

static void test_state_missing_file_is_empty(void **state)
{
    char *path = g_build_filename(*state, "none", "portals.json", NULL);
    GError *error = NULL;
    struct state *known = state_load(path, &error);
    assert_null(error);
    assert_non_null(known);
    assert_null(state_notice(known));
    char **names = state_connections(known);
    assert_null(names[0]);
    g_strfreev(names);
    state_free(known);
    g_free(path);
}

static void test_state_default_path(void **state)
{
    (void)state;
    char *saved_xdg = g_strdup(getenv("XDG_STATE_HOME"));
    char *saved_home = g_strdup(getenv("HOME"));
    setenv("HOME", "/home/tester", 1);
    setenv("XDG_STATE_HOME", "/xdg/state", 1);
    char *path = state_default_path();
    assert_string_equal(path, "/xdg/state/portalctl/portals.json");
    g_free(path);
    unsetenv("XDG_STATE_HOME");
    path = state_default_path();
    assert_string_equal(path, "/home/tester/.local/state/portalctl/portals.json");
    g_free(path);
    g_setenv("HOME", saved_home, TRUE);
    if (saved_xdg != NULL)
        setenv("XDG_STATE_HOME", saved_xdg, 1);
    g_free(saved_xdg);
    g_free(saved_home);
}

static void test_state_load_default_path(void **state)
{
    char *saved_xdg = g_strdup(getenv("XDG_STATE_HOME"));
    setenv("XDG_STATE_HOME", *state, 1);
    GError *error = NULL;
    struct state *known = state_load(NULL, &error);
    assert_null(error);
    char *expected = g_build_filename(*state, "portalctl", "portals.json", NULL);
    assert_string_equal(state_path(known), expected);
    struct known_portal portal = {"portal_1", "Hub", NULL, PORTAL_ORIGIN_CREATED};
    assert_true(state_put_portal(known, "acme", &portal, &error));
    assert_true(state_save(known, &error));
    assert_true(g_file_test(expected, G_FILE_TEST_IS_REGULAR));
    state_free(known);
    g_free(expected);
    g_setenv("XDG_STATE_HOME", saved_xdg, TRUE);
    g_free(saved_xdg);
}

/* ---- changing and writing ------------------------------------------------ */

static void test_state_put_remove_save(void **state)
{
    char *dir = g_build_filename(*state, "fresh", "portalctl", NULL);
    char *path = g_build_filename(dir, "portals.json", NULL);
    GError *error = NULL;
    struct state *known = state_load(path, &error);
    struct known_portal *created =
        known_portal_new("portal_A", "Customer Hub", "help.acme.com", PORTAL_ORIGIN_CREATED);
    struct known_portal *added = known_portal_new("portal_B", NULL, NULL, PORTAL_ORIGIN_ADDED);
    assert_true(state_put_portal(known, "zeta", added, &error));
    assert_true(state_put_portal(known, "acme", created, &error));
    assert_true(state_put_portal(known, "acme", added, &error));

    /* learning a known portal again updates it but keeps how it became known */
    struct known_portal renamed = {"portal_A", "Renamed Hub", NULL, PORTAL_ORIGIN_ADDED};
    assert_true(state_put_portal(known, "acme", &renamed, &error));
    assert_null(error);
    assert_true(state_save(known, &error));
    assert_null(error);

    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = read_text(path);
    assert_string_equal(text, "{\n"
                              "  \"version\": 1,\n"
                              "  \"connections\": {\n"
                              "    \"acme\": [\n"
                              "      {\n"
                              "        \"id\": \"portal_A\",\n"
                              "        \"name\": \"Renamed Hub\",\n"
                              "        \"custom_domain\": null,\n"
                              "        \"known_by\": \"created\"\n"
                              "      },\n"
                              "      {\n"
                              "        \"id\": \"portal_B\",\n"
                              "        \"name\": null,\n"
                              "        \"custom_domain\": null,\n"
                              "        \"known_by\": \"added\"\n"
                              "      }\n"
                              "    ],\n"
                              "    \"zeta\": [\n"
                              "      {\n"
                              "        \"id\": \"portal_B\",\n"
                              "        \"name\": null,\n"
                              "        \"custom_domain\": null,\n"
                              "        \"known_by\": \"added\"\n"
                              "      }\n"
                              "    ]\n"
                              "  }\n"
                              "}\n");
    g_free(text);

    /* a list is a copy: changing it changes nothing */
    GPtrArray *portals = state_list_portals(known, "acme");
    struct known_portal *copy = portals->pdata[0];
    g_free(copy->name);
    copy->name = g_strdup("changed in the copy");
    g_ptr_array_unref(portals);

    struct state *again = state_load(path, &error);
    assert_null(error);
    portals = state_list_portals(again, "acme");
    assert_int_equal(portals->len, 2);
    expect_portal(portals->pdata[0], "portal_A", "Renamed Hub", NULL, PORTAL_ORIGIN_CREATED);
    expect_portal(portals->pdata[1], "portal_B", NULL, NULL, PORTAL_ORIGIN_ADDED);
    g_ptr_array_unref(portals);

    assert_true(state_remove_portal(again, "acme", "portal_A"));
    assert_false(state_remove_portal(again, "acme", "portal_A"));
    assert_false(state_remove_portal(again, "nobody", "portal_A"));
    assert_true(state_remove_portal(again, "acme", "portal_B"));
    state_forget_connection(again, "missing-is-fine");
    char **names = state_connections(again);
    assert_int_equal(g_strv_length(names), 1); /* acme is gone with its last portal */
    assert_string_equal(names[0], "zeta");
    g_strfreev(names);
    state_forget_connection(again, "zeta");
    assert_true(state_save(again, &error));
    text = read_text(path);
    assert_string_equal(text, "{\n  \"version\": 1,\n  \"connections\": {\n  }\n}\n");
    g_free(text);

    state_free(again);
    state_free(known);
    known_portal_free(added);
    known_portal_free(created);
    known_portal_free(NULL);
    g_free(path);
    g_free(dir);
}

static void test_state_put_refuses_empty_ids(void **state)
{
    char *path = g_build_filename(*state, "portals.json", NULL);
    struct state *known = state_load(path, NULL);
    struct known_portal no_id = {"", "Hub", NULL, PORTAL_ORIGIN_ADDED};
    struct known_portal good = {"portal_1", "Hub", NULL, PORTAL_ORIGIN_ADDED};
    const char *message = "a known portal needs a connection name and a portal id";
    GError *error = NULL;
    assert_false(state_put_portal(known, "acme", &no_id, &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID));
    assert_string_equal(error->message, message);
    g_clear_error(&error);
    no_id.id = NULL;
    assert_false(state_put_portal(known, "acme", &no_id, &error));
    assert_string_equal(error->message, message);
    g_clear_error(&error);
    assert_false(state_put_portal(known, "", &good, &error));
    assert_string_equal(error->message, message);
    g_clear_error(&error);
    assert_false(state_put_portal(known, NULL, &good, &error));
    assert_string_equal(error->message, message);
    g_clear_error(&error);
    char **names = state_connections(known);
    assert_null(names[0]);
    g_strfreev(names);
    state_free(known);
    g_free(path);
}

static void test_state_save_error(void **state)
{
    char *blocker = g_build_filename(*state, "file", NULL);
    assert_true(g_file_set_contents(blocker, "x", 1, NULL));
    char *path = g_build_filename(blocker, "portals.json", NULL);
    GError *error = NULL;
    struct state *known = state_load(path, &error);
    assert_null(known); /* reading below a regular file fails first */
    char *expected = g_strdup_printf("%s: Not a directory", path);
    assert_string_equal(error->message, expected);
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_IO));
    g_free(expected);
    g_clear_error(&error);

    char *ok_path = g_build_filename(*state, "portals.json", NULL);
    known = state_load(ok_path, &error);
    assert_int_equal(mkdir(ok_path, 0700), 0); /* something took the file's place */
    assert_false(state_save(known, &error));
    expected = g_strdup_printf("%s: cannot replace: Is a directory", ok_path);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_clear_error(&error);
    state_free(known);

    known = state_load(ok_path, &error);
    assert_null(known);
    expected = g_strdup_printf("%s: not a regular file", ok_path);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_clear_error(&error);
    g_free(ok_path);
    g_free(path);
    g_free(blocker);
}

/* ---- corrupt files: moved aside, said so, never lost ---------------------- */

struct corrupt_case {
    const char *text;
    const char *why;
};

static const struct corrupt_case corrupt_cases[] = {
    {"", "the file is empty"},
    {"{\"version\": 1, \"connections\": {\"a\": [", "not valid JSON: the text ends too early"},
    {"{\"version\": 1, \"connections\": {}}\n\n  x",
     "not valid JSON at line 3: text after the end"},
    {"{\"connections\": {}}", "not a portalctl state file (no \"version\" number)"},
    {"[]", "not a portalctl state file (no \"version\" number)"},
    {"{\"version\": \"1\", \"connections\": {}}",
     "not a portalctl state file (no \"version\" number)"},
    {"{\"version\": 0, \"connections\": {}}", "not a portalctl state file (no \"version\" number)"},
    {"{\"version\": 1}", "\"connections\" is missing or not an object"},
    {"{\"version\": 1, \"connections\": []}", "\"connections\" is missing or not an object"},
    {"{\"version\": 1, \"connections\": {\"a\": {}}}", "connections[\"a\"] is not an array"},
    {"{\"version\": 1, \"connections\": {\"a\": [\"portal_1\"]}}",
     "connections[\"a\"][0]: is not an object"},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": \"p1\", \"known_by\": \"added\"}, "
     "{\"known_by\": \"added\"}]}}",
     "connections[\"a\"][1]: \"id\" is missing or not a non-empty string"},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": \"\", \"known_by\": \"added\"}]}}",
     "connections[\"a\"][0]: \"id\" is missing or not a non-empty string"},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": 7, \"known_by\": \"added\"}]}}",
     "connections[\"a\"][0]: \"id\" is missing or not a non-empty string"},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": \"p\", \"name\": 5, \"known_by\": "
     "\"added\"}]}}",
     "connections[\"a\"][0]: \"name\" is not a string"},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": \"p\", \"custom_domain\": [], "
     "\"known_by\": \"added\"}]}}",
     "connections[\"a\"][0]: \"custom_domain\" is not a string"},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": \"p\", \"known_by\": \"imported\"}]}}",
     "connections[\"a\"][0]: \"known_by\" must be \"created\" or \"added\""},
    {"{\"version\": 1, \"connections\": {\"a\": [{\"id\": \"p\"}]}}",
     "connections[\"a\"][0]: \"known_by\" must be \"created\" or \"added\""},
};

static char *expected_notice(const char *path, const char *why, const char *moved_to)
{
    return g_strdup_printf("%s: %s. It was moved to %s and portalctl starts with no known "
                           "portals; their ids are in that file, so they can be added again",
                           path, why, moved_to);
}

static void expect_moved_aside(const char *dir, const char *text, gssize length, const char *why)
{
    char *path = write_state_text(dir, text, length);
    char *before = stamp_after(0);
    GError *error = NULL;
    struct state *known = state_load(path, &error);
    char *after = stamp_after(0);
    assert_null(error);
    assert_non_null(known);

    char *moved = find_moved_file(dir);
    const char *stamp = moved + strlen(path) + strlen(".corrupt-");
    assert_int_equal(strlen(stamp), 16);
    assert_true(strcmp(stamp, before) >= 0 && strcmp(stamp, after) <= 0);
    char *notice = expected_notice(path, why, moved);
    assert_string_equal(state_notice(known), notice);
    char *kept = read_text(moved);
    assert_memory_equal(kept, text, length < 0 ? strlen(text) : (size_t)length);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    char **names = state_connections(known);
    assert_null(names[0]); /* nothing half-read survives */
    g_strfreev(names);

    /* the next save writes a fresh file and leaves the moved one alone */
    assert_true(state_save(known, &error));
    assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    assert_int_equal(remove(moved), 0);
    assert_int_equal(remove(path), 0);
    g_free(kept);
    g_free(notice);
    g_free(moved);
    g_free(after);
    g_free(before);
    state_free(known);
    g_free(path);
}

static void test_state_corrupt_files_are_moved_aside(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(corrupt_cases); i++)
        expect_moved_aside(*state, corrupt_cases[i].text, -1, corrupt_cases[i].why);
}

static void test_state_corrupt_fixture(void **state)
{
    char *source = g_build_filename(getenv("PORTALCTL_FIXTURES"), "state", "not-json.json", NULL);
    char *text = read_text(source);
    expect_moved_aside(*state, text, -1,
                       "not valid JSON at line 4: object value separator ',' expected");
    g_free(text);
    g_free(source);

    static const char with_nul[] = "{\"version\": 1,\0 \"connections\": {}}";
    expect_moved_aside(*state, with_nul, sizeof(with_nul) - 1,
                       "not valid JSON at line 1: unexpected end of data");
}

/* Two corrupt files in the same second: the second never replaces the first. */
static void test_state_corrupt_never_overwrites_an_earlier_copy(void **state)
{
    char *path = g_build_filename(*state, "portals.json", NULL);
    GPtrArray *earlier = g_ptr_array_new_with_free_func(g_free);
    for (int seconds = 0; seconds < 3; seconds++) {
        char *stamp = stamp_after(seconds);
        char *name = g_strdup_printf("%s.corrupt-%s", path, stamp);
        assert_true(g_file_set_contents(name, "earlier copy", -1, NULL));
        g_ptr_array_add(earlier, name);
        g_free(stamp);
    }
    assert_true(g_file_set_contents(path, "not json", -1, NULL));
    GError *error = NULL;
    struct state *known = state_load(path, &error);
    assert_null(error);
    const char *notice = state_notice(known);
    assert_non_null(notice);
    bool matched = false;
    for (guint i = 0; i < earlier->len && !matched; i++) {
        char *second = g_strconcat(earlier->pdata[i], "-2", NULL);
        char *expected = expected_notice(path, "not valid JSON at line 1: null expected", second);
        if (strcmp(notice, expected) == 0) {
            matched = true;
            char *text = read_text(second);
            assert_string_equal(text, "not json");
            g_free(text);
        }
        g_free(expected);
        g_free(second);
    }
    assert_true(matched);
    for (guint i = 0; i < earlier->len; i++) {
        char *text = read_text(earlier->pdata[i]);
        assert_string_equal(text, "earlier copy");
        g_free(text);
    }
    state_free(known);
    g_ptr_array_unref(earlier);
    g_free(path);
}

/* When it cannot be moved aside, the file stays and loading fails. */
static void test_state_corrupt_that_cannot_be_moved(void **state)
{
    char *path = g_build_filename(*state, "portals.json", NULL);
    for (int seconds = 0; seconds < 3; seconds++) {
        char *stamp = stamp_after(seconds);
        for (int attempt = 1; attempt <= 100; attempt++) {
            char *name = attempt == 1 ? g_strdup_printf("%s.corrupt-%s", path, stamp)
                                      : g_strdup_printf("%s.corrupt-%s-%d", path, stamp, attempt);
            assert_true(g_file_set_contents(name, "", 0, NULL));
            g_free(name);
        }
        g_free(stamp);
    }
    assert_true(g_file_set_contents(path, "{\"version\": 1}", -1, NULL));
    GError *error = NULL;
    assert_null(state_load(path, &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_CORRUPT));
    char *expected = g_strdup_printf("%s: \"connections\" is missing or not an object, and it "
                                     "could not be moved aside (File exists); fix or move it by "
                                     "hand",
                                     path);
    assert_string_equal(error->message, expected);
    char *text = read_text(path);
    assert_string_equal(text, "{\"version\": 1}");
    g_free(text);
    g_free(expected);
    g_error_free(error);
    g_free(path);
}

/* A newer portalctl's file is neither moved nor changed. */
static void test_state_newer_version_is_left_alone(void **state)
{
    char *path = copy_fixture(*state, "newer-version.json");
    char *original = read_text(path);
    GError *error = NULL;
    assert_null(state_load(path, &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID));
    char *expected = g_strdup_printf("%s: written by a newer portalctl (state version 2, this one "
                                     "knows 1); refusing to read or change it",
                                     path);
    assert_string_equal(error->message, expected);
    char *now = read_text(path);
    assert_string_equal(now, original);
    GDir *listing = g_dir_open(*state, 0, NULL);
    assert_string_equal(g_dir_read_name(listing), "portals.json");
    assert_null(g_dir_read_name(listing));
    g_dir_close(listing);
    g_free(now);
    g_free(expected);
    g_error_free(error);
    g_free(original);
    g_free(path);
}

static void test_state_origin_names(void **state)
{
    (void)state;
    assert_string_equal(portal_origin_name(PORTAL_ORIGIN_CREATED), "created");
    assert_string_equal(portal_origin_name(PORTAL_ORIGIN_ADDED), "added");
}

#define WITH_DIR(test) cmocka_unit_test_setup_teardown(test, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_DIR(test_state_load_fixture),
        WITH_DIR(test_state_missing_file_is_empty),
        cmocka_unit_test(test_state_default_path),
        WITH_DIR(test_state_load_default_path),
        WITH_DIR(test_state_put_remove_save),
        WITH_DIR(test_state_put_refuses_empty_ids),
        WITH_DIR(test_state_save_error),
        WITH_DIR(test_state_corrupt_files_are_moved_aside),
        WITH_DIR(test_state_corrupt_fixture),
        WITH_DIR(test_state_corrupt_never_overwrites_an_earlier_copy),
        WITH_DIR(test_state_corrupt_that_cannot_be_moved),
        WITH_DIR(test_state_newer_version_is_left_alone),
        cmocka_unit_test(test_state_origin_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
