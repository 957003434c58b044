/*
 * Unit tests for store/config.c: config.ini read, checked and written with the
 * real GKeyFile and the real file system. Every refusal is asserted with its
 * exact message; fixtures are in tests/fixtures/config/.
 */
#include <portalctl/config.h>

#include <errno.h>
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

static char *fixture(const char *name)
{
    const char *root = getenv("PORTALCTL_FIXTURES");
    assert_non_null(root);
    return g_build_filename(root, "config", name, NULL);
}

static char *write_temp(const char *dir, const char *name, const char *text, gssize length)
{
    char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, length, NULL));
    return path;
}

static char *read_text(const char *path)
{
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* Loads `path`, expects a refusal whose message is `expected` with every
 * "FILE" replaced by the path. */
static void expect_load_error(const char *path, int code, const char *expected)
{
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    assert_null(config);
    assert_non_null(error);
    GString *want = g_string_new(expected);
    g_string_replace(want, "FILE", path, 0);
    assert_string_equal(error->message, want->str);
    assert_true(g_error_matches(error, STORE_ERROR, code));
    g_string_free(want, TRUE);
    g_error_free(error);
}

static void expect_fixture_error(const char *name, const char *expected)
{
    char *path = fixture(name);
    expect_load_error(path, STORE_ERROR_INVALID, expected);
    g_free(path);
}

static void expect_text_error(const char *dir, const char *text, const char *expected)
{
    char *path = write_temp(dir, "config.ini", text, -1);
    expect_load_error(path, STORE_ERROR_INVALID, expected);
    g_free(path);
}

/* ---- loading valid files ------------------------------------------------- */

static void test_config_load_valid_file(void **state)
{
    (void)state;
    char *path = fixture("valid.ini");
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    assert_null(error);
    assert_non_null(config);
    assert_true(config->file_existed);
    assert_string_equal(config->path, path);
    assert_int_equal(config->connections->len, 4);

    const struct connection_config *ecgrid = config->connections->pdata[0];
    assert_string_equal(ecgrid->name, "acme-ecgrid");
    assert_int_equal(ecgrid->vendor, CONFIG_VENDOR_ECGRID);
    assert_true(ecgrid->read_only);
    assert_null(ecgrid->url);
    assert_null(ecgrid->ca_file);

    const struct connection_config *zoho = config_find(config, "acme-zoho");
    assert_ptr_equal(zoho, config->connections->pdata[1]);
    assert_int_equal(zoho->vendor, CONFIG_VENDOR_ZOHO);
    assert_string_equal(zoho->data_centre, "eu");
    assert_string_equal(zoho->client_id, "1000.ABC123XYZ");
    assert_false(zoho->read_only);
    assert_null(zoho->accounts_url);

    const struct connection_config *valstorm = config_find(config, "sim.valstorm_2");
    assert_non_null(valstorm);
    assert_int_equal(valstorm->vendor, CONFIG_VENDOR_VALSTORM);
    assert_string_equal(valstorm->url, "http://127.0.0.1:8080/v1");

    const struct connection_config *sim = config_find(config, "zoho-sim");
    assert_string_equal(sim->url, "http://127.0.0.1:8080");
    assert_string_equal(sim->accounts_url, "http://127.0.0.1:8080");
    assert_null(sim->data_centre);

    assert_null(config_find(config, "nope"));
    config_free(config);
    g_free(path);
}

static void test_config_load_crlf_file(void **state)
{
    (void)state;
    char *path = fixture("crlf.ini");
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    assert_null(error);
    assert_int_equal(config->connections->len, 1);
    const struct connection_config *zoho = config_find(config, "acme");
    assert_string_equal(zoho->client_id, "1000.CRLF");
    config_free(config);
    g_free(path);
}

static void test_config_load_ca_file(void **state)
{
    char *ca = write_temp(*state, "ca.pem", "-----BEGIN CERTIFICATE-----\n", -1);
    char *text = g_strdup_printf("[connection acme]\nvendor = ecgrid\nca_file = %s\n", ca);
    char *path = write_temp(*state, "config.ini", text, -1);
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    assert_null(error);
    assert_string_equal(config_find(config, "acme")->ca_file, ca);
    config_free(config);

    /* a directory is not a CA file */
    g_free(text);
    text = g_strdup_printf("[connection acme]\nvendor = ecgrid\nca_file = %s\n", (char *)*state);
    g_free(path);
    path = write_temp(*state, "config.ini", text, -1);
    char *expected = g_strdup_printf("FILE:3: [connection acme] ca_file: %s: not a readable file",
                                     (char *)*state);
    expect_load_error(path, STORE_ERROR_INVALID, expected);
    g_free(expected);
    g_free(path);
    g_free(text);
    g_free(ca);
}

/* ---- paths --------------------------------------------------------------- */

static void test_config_default_path(void **state)
{
    (void)state;
    char *saved_xdg = g_strdup(getenv("XDG_CONFIG_HOME"));
    char *saved_home = g_strdup(getenv("HOME"));
    setenv("HOME", "/home/tester", 1);

    setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
    char *path = config_default_path();
    assert_string_equal(path, "/xdg/config/portalctl/config.ini");
    g_free(path);

    setenv("XDG_CONFIG_HOME", "relative/config", 1); /* invalid by the XDG spec: ignored */
    path = config_default_path();
    assert_string_equal(path, "/home/tester/.config/portalctl/config.ini");
    g_free(path);

    unsetenv("XDG_CONFIG_HOME");
    path = config_default_path();
    assert_string_equal(path, "/home/tester/.config/portalctl/config.ini");
    g_free(path);

    g_setenv("HOME", saved_home, TRUE);
    if (saved_xdg != NULL)
        setenv("XDG_CONFIG_HOME", saved_xdg, 1);
    g_free(saved_xdg);
    g_free(saved_home);
}

static void test_config_missing_default_file_is_empty(void **state)
{
    char *saved_xdg = g_strdup(getenv("XDG_CONFIG_HOME"));
    setenv("XDG_CONFIG_HOME", *state, 1);
    GError *error = NULL;
    struct config *config = config_load(NULL, &error);
    assert_null(error);
    assert_non_null(config);
    assert_false(config->file_existed);
    assert_int_equal(config->connections->len, 0);
    char *expected = g_build_filename(*state, "portalctl", "config.ini", NULL);
    assert_string_equal(config->path, expected);
    config_free(config);
    g_free(expected);
    g_setenv("XDG_CONFIG_HOME", saved_xdg, TRUE);
    g_free(saved_xdg);
}

static void test_config_missing_explicit_file_is_an_error(void **state)
{
    char *path = g_build_filename(*state, "typo.ini", NULL);
    expect_load_error(path, STORE_ERROR_NOT_FOUND, "FILE: no such file");
    g_free(path);
}

static void test_config_unreadable_files(void **state)
{
    expect_load_error(*state, STORE_ERROR_INVALID, "FILE: not a regular file");

    GString *big = g_string_new("[connection acme]\nvendor = ecgrid\n");
    while (big->len <= 1024 * 1024)
        g_string_append(big, "# padding padding padding padding padding padding padding\n");
    char *path = write_temp(*state, "big.ini", big->str, (gssize)big->len);
    expect_load_error(path, STORE_ERROR_INVALID,
                      "FILE: larger than 1048576 bytes; is this the right file?");
    g_free(path);
    g_string_free(big, TRUE);

    static const char with_nul[] = "[connection acme]\nvendor = ecgrid\0\n";
    path = write_temp(*state, "nul.ini", with_nul, sizeof(with_nul) - 1);
    expect_load_error(path, STORE_ERROR_INVALID,
                      "FILE: contains a NUL byte; this is not a text file");
    g_free(path);
}

/* ---- every kind of invalid file ------------------------------------------ */

static void test_config_rejects_bad_vendor(void **state)
{
    (void)state;
    expect_fixture_error("bad-vendor.ini",
                         "FILE:7: [connection acme] vendor: must be one of ecgrid, zoho, valstorm "
                         "(found \"zohoo\")");
}

static void test_config_rejects_unknown_keys(void **state)
{
    (void)state;
    expect_fixture_error("unknown-keys.ini",
                         "FILE:4: [connection acme] data_center: unknown key; did you mean "
                         "data_centre?\n"
                         "FILE:5: [connection acme] colour: unknown key; the keys are vendor, url, "
                         "accounts_url, data_centre, client_id, ca_file, read_only");
}

static void test_config_refuses_secrets(void **state)
{
    (void)state;
    const char *advice = "secrets are never kept in this file; delete this line and run "
                         "`portalctl auth set acme`, which stores it in the system keyring";
    char *expected = g_strdup_printf("FILE:3: [connection acme] api_key: %s\n"
                                     "FILE:4: [connection acme] Refresh_Token: %s\n"
                                     "FILE:5: [connection acme] password: %s",
                                     advice, advice, advice);
    expect_fixture_error("secret-keys.ini", expected);
    g_free(expected);

    expect_fixture_error("secret-outside-group.ini",
                         "FILE:2: apikey: secrets are never kept in this file; delete this line "
                         "and run `portalctl auth set NAME`, which stores it in the system "
                         "keyring");
}

/* The refusal must not repeat the secret on screen. */
static void test_config_secret_refusal_does_not_echo_value(void **state)
{
    (void)state;
    const char *files[] = {"secret-keys.ini", "secret-outside-group.ini", "not-ini.ini"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *path = fixture(files[i]);
        GError *error = NULL;
        assert_null(config_load(path, &error));
        assert_null(strstr(error->message, "SECRET-VALUE"));
        assert_null(strstr(error->message, "6f1c2d9e"));
        g_error_free(error);
        g_free(path);
    }
}

static void test_config_rejects_bad_values(void **state)
{
    (void)state;
    const char *url_rule =
        "must be an http:// or https:// URL with a host, e.g. https://api.example.com";
    char *expected = g_strdup_printf(
        "FILE:3: [connection z] data_centre: must be one of com, eu, in, com.au, jp, ca, sa, "
        "com.cn, uk (found \"us\")\n"
        "FILE:4: [connection z] client_id: must be the client id shown in the Zoho API console "
        "(no spaces, at most 200 characters)\n"
        "FILE:5: [connection z] read_only: must be true or false (found \"yes\")\n"
        "FILE:6: [connection z] url: %s\n"
        "FILE:7: [connection z] accounts_url: must not contain a user name or password; secrets "
        "belong in the keyring (portalctl auth set)\n"
        "FILE:11: [connection e] url: %s\n"
        "FILE:12: [connection e] ca_file: must be an absolute path to a PEM file\n"
        "FILE:16: [connection v] url: %s\n"
        "FILE:17: [connection v] ca_file: /nonexistent/portalctl-test/ca.pem: no such file",
        url_rule, url_rule, url_rule);
    expect_fixture_error("bad-values.ini", expected);
    g_free(expected);
}

static void test_config_rejects_keys_of_other_vendors(void **state)
{
    (void)state;
    expect_fixture_error(
        "vendor-keys.ini",
        "FILE:3: [connection ec] data_centre: ecgrid connections do not use this key (only zoho)\n"
        "FILE:4: [connection ec] client_id: ecgrid connections do not use this key (only zoho)\n"
        "FILE:5: [connection ec] accounts_url: ecgrid connections do not use this key (only "
        "zoho)\n"
        "FILE:7: [connection zo] client_id: missing; zoho connections need the client id from "
        "the Zoho API console");
}

static void test_config_rejects_missing_vendor(void **state)
{
    (void)state;
    expect_fixture_error("missing-vendor.ini",
                         "FILE:1: [connection acme] vendor: missing; must be one of ecgrid, zoho, "
                         "valstorm");
}

static void test_config_rejects_bad_groups(void **state)
{
    (void)state;
    const char *name_rule = "a connection name is 1-64 letters, digits, '.', '_' or '-', "
                            "starting with a letter or digit";
    char *expected = g_strdup_printf(
        "FILE:1: [server acme]: unknown group; each connection is a [connection NAME] group\n"
        "FILE:4: [connection]: the group needs a name, e.g. [connection acme-zoho]\n"
        "FILE:7: [connection a/b]: %s\n"
        "FILE:10: [connection -dash]: %s",
        name_rule, name_rule);
    expect_fixture_error("bad-groups.ini", expected);
    g_free(expected);
}

static void test_config_rejects_duplicates(void **state)
{
    (void)state;
    expect_fixture_error("duplicates.ini",
                         "FILE:8: [connection acme] appears again (first at line 1); keep all of "
                         "its keys in one group\n"
                         "FILE:9: [connection acme] read_only: set again (first at line 3); only "
                         "one may stay");
}

/* The DESIGN.md example has a comment after a value; GKeyFile has no such thing. */
static void test_config_rejects_trailing_comment(void **state)
{
    (void)state;
    expect_fixture_error("inline-comment.ini",
                         "FILE:3: [connection acme-zoho] data_centre: a comment must be on a line "
                         "of its own (GKeyFile reads \"# ...\" after a value as part of the "
                         "value)");
}

static void test_config_rejects_lines_that_are_not_ini(void **state)
{
    (void)state;
    expect_fixture_error("not-ini.ini",
                         "FILE:3: not a [group] line, a key = value line or a # comment\n"
                         "FILE:4: not a valid group line; write [connection NAME], with nothing "
                         "after the ]");
    expect_fixture_error("key-before-group.ini",
                         "FILE:1: vendor: a key before any [connection NAME] group line");
    expect_fixture_error("invalid-utf8.ini", "FILE:3: not valid UTF-8 text");
}

static void test_config_rejects_empty_values_and_bad_escapes(void **state)
{
    (void)state;
    expect_fixture_error(
        "empty-values.ini",
        "FILE:2: [connection acme] vendor: is empty; give a value or delete the "
        "line\n"
        "FILE:3: [connection acme] url: is empty; give a value or delete the line");
    expect_fixture_error("bad-escape.ini",
                         "FILE:3: [connection acme] url: has a backslash sequence GKeyFile cannot "
                         "read (only \\s \\n \\t \\r and \\\\ are allowed; write \\\\ for a "
                         "backslash)");
}

static void test_config_rejects_long_names_and_values(void **state)
{
    char *name = g_strnfill(65, 'n');
    char *text = g_strdup_printf("[connection %s]\nvendor = ecgrid\n"
                                 "[connection ok]\nvendor = %s\n",
                                 name, "ecgrid-but-a-very-long-vendor-name-that-goes-on-and-on");
    char *expected = g_strdup_printf(
        "FILE:1: [connection %s]: a connection name is 1-64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit\n"
        "FILE:4: [connection ok] vendor: must be one of ecgrid, zoho, valstorm (found "
        "\"ecgrid-but-a-very-long-vendor-name-that-…\")",
        name);
    expect_text_error(*state, text, expected);
    g_free(expected);
    g_free(text);
    g_free(name);
}

/* ---- validating values (no file) ----------------------------------------- */

static void expect_invalid(const struct connection_config *connection, const char *expected)
{
    GError *error = NULL;
    assert_false(config_validate_connection(connection, &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID));
    assert_string_equal(error->message, expected);
    g_error_free(error);
}

static void test_config_validate_connection(void **state)
{
    (void)state;
    struct connection_config *zoho = connection_config_new("acme", CONFIG_VENDOR_ZOHO);
    expect_invalid(zoho, "[connection acme] client_id: missing; zoho connections need the "
                         "client id from the Zoho API console");
    zoho->client_id = g_strdup("1000.X");
    zoho->data_centre = g_strdup("mars");
    expect_invalid(zoho, "[connection acme] data_centre: must be one of com, eu, in, com.au, "
                         "jp, ca, sa, com.cn, uk (found \"mars\")");
    g_free(zoho->data_centre);
    zoho->data_centre = g_strdup("com.au");
    assert_true(config_validate_connection(zoho, NULL));
    connection_config_free(zoho);

    struct connection_config *bad_name = connection_config_new("a b", CONFIG_VENDOR_ECGRID);
    expect_invalid(bad_name, "[connection a b]: a connection name is 1-64 letters, digits, '.', "
                             "'_' or '-', starting with a letter or digit");
    connection_config_free(bad_name);

    struct connection_config *no_name = connection_config_new("", CONFIG_VENDOR_ECGRID);
    expect_invalid(no_name, "[connection ]: the group needs a name, e.g. [connection acme-zoho]");
    connection_config_free(no_name);

    struct connection_config *valstorm = connection_config_new("v", CONFIG_VENDOR_VALSTORM);
    valstorm->client_id = g_strdup("1000.X");
    valstorm->url = g_strdup("https://api-dev.valstorm.com/v1 # dev");
    expect_invalid(valstorm, "[connection v] url: a comment must be on a line of its own "
                             "(GKeyFile reads \"# ...\" after a value as part of the value)\n"
                             "[connection v] client_id: valstorm connections do not use this "
                             "key (only zoho)");
    connection_config_free(valstorm);

    struct connection_config *unknown = connection_config_new("u", (enum config_vendor)7);
    expect_invalid(unknown, "[connection u] vendor: must be one of ecgrid, zoho, valstorm "
                            "(found \"unknown\")");
    connection_config_free(unknown);
}

static void test_config_vendor_names(void **state)
{
    (void)state;
    enum config_vendor vendor = CONFIG_VENDOR_ECGRID;
    assert_true(config_vendor_from_name("valstorm", &vendor));
    assert_int_equal(vendor, CONFIG_VENDOR_VALSTORM);
    assert_false(config_vendor_from_name("Zoho", &vendor));
    assert_false(config_vendor_from_name(NULL, &vendor));
    assert_string_equal(config_vendor_name(CONFIG_VENDOR_ZOHO), "zoho");
    assert_string_equal(config_vendor_name(CONFIG_VENDOR_ECGRID), "ecgrid");
}

/* ---- changing and saving ------------------------------------------------- */

static void test_config_save_new_file_private(void **state)
{
    char *dir = g_build_filename(*state, "fresh", "portalctl", NULL);
    char *path = g_build_filename(dir, "config.ini", NULL);
    struct config *config = config_new(path);
    struct connection_config *zoho = connection_config_new("acme-zoho", CONFIG_VENDOR_ZOHO);
    zoho->data_centre = g_strdup("eu");
    zoho->client_id = g_strdup("1000.ABC");
    GError *error = NULL;
    assert_true(config_set_connection(config, zoho, &error));
    assert_true(config_save(config, &error));
    assert_null(error);

    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = read_text(path);
    assert_string_equal(text, "[connection acme-zoho]\n"
                              "vendor=zoho\n"
                              "data_centre=eu\n"
                              "client_id=1000.ABC\n");
    g_free(text);

    struct config *again = config_load(path, &error);
    assert_null(error);
    const struct connection_config *loaded = config_find(again, "acme-zoho");
    assert_string_equal(loaded->client_id, "1000.ABC");
    assert_string_equal(loaded->data_centre, "eu");
    assert_false(loaded->read_only);
    config_free(again);

    /* no temporary file is left behind */
    GDir *listing = g_dir_open(dir, 0, NULL);
    assert_string_equal(g_dir_read_name(listing), "config.ini");
    assert_null(g_dir_read_name(listing));
    g_dir_close(listing);

    connection_config_free(zoho);
    config_free(config);
    g_free(path);
    g_free(dir);
}

static void test_config_update_keeps_comments(void **state)
{
    char *original = fixture("valid.ini");
    char *text = read_text(original);
    char *path = write_temp(*state, "config.ini", text, -1);
    g_free(text);
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    assert_null(error);

    struct connection_config *zoho = connection_config_copy(config_find(config, "acme-zoho"));
    g_free(zoho->data_centre);
    zoho->data_centre = g_strdup("com");
    zoho->read_only = true;
    assert_true(config_set_connection(config, zoho, &error));
    connection_config_free(zoho);

    struct connection_config *added = connection_config_new("new-ecgrid", CONFIG_VENDOR_ECGRID);
    added->url = g_strdup("https://rest.ecgrid.io/v2");
    assert_true(config_set_connection(config, added, &error));
    connection_config_free(added);

    assert_true(config_remove_connection(config, "acme-ecgrid", &error));
    struct connection_config *sim = connection_config_copy(config_find(config, "zoho-sim"));
    g_clear_pointer(&sim->accounts_url, g_free);
    assert_true(config_set_connection(config, sim, &error));
    connection_config_free(sim);
    assert_true(config_save(config, &error));
    assert_null(error);

    assert_int_equal(config->connections->len, 4);
    assert_string_equal(((struct connection_config *)config->connections->pdata[0])->name,
                        "acme-zoho");
    assert_true(config_find(config, "acme-zoho")->read_only);

    text = read_text(path);
    assert_string_equal(text, "# portalctl connections (a valid file: every vendor, every key)\n"
                              "\n"
                              "[connection acme-zoho]\n"
                              "vendor=zoho\n"
                              "# Europe: accounts.zoho.eu and www.zohoapis.eu\n"
                              "data_centre=com\n"
                              "client_id=1000.ABC123XYZ\n"
                              "read_only=true\n"
                              "\n"
                              "[connection sim.valstorm_2]\n"
                              "vendor=valstorm\n"
                              "url=http://127.0.0.1:8080/v1\n"
                              "\n"
                              "[connection zoho-sim]\n"
                              "vendor=zoho\n"
                              "client_id=1000.SIM\n"
                              "url=http://127.0.0.1:8080\n"
                              "\n"
                              "[connection new-ecgrid]\n"
                              "vendor=ecgrid\n"
                              "url=https://rest.ecgrid.io/v2\n");
    g_free(text);

    struct config *again = config_load(path, &error);
    assert_null(error);
    assert_int_equal(again->connections->len, 4);
    assert_null(config_find(again, "acme-ecgrid"));
    assert_null(config_find(again, "zoho-sim")->accounts_url);
    config_free(again);
    config_free(config);
    g_free(path);
    g_free(original);
}

/* A comment paragraph belongs to the group below it: removing a group takes its
 * own comment and leaves its neighbours' alone (GKeyFile alone would not). */
static void test_config_remove_takes_its_comment_only(void **state)
{
    char *path = write_temp(*state, "config.ini",
                            "# portalctl\n"
                            "[connection a]\n"
                            "vendor = ecgrid\n"
                            "\n"
                            "# about b\n"
                            "[connection b]\n"
                            "vendor = valstorm\n"
                            "# about c\n"
                            "# (two lines)\n"
                            "[connection c]\n"
                            "vendor = valstorm\n"
                            "\n"
                            "# about d\n"
                            "[connection d]\n"
                            "vendor = ecgrid\n",
                            -1);
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    assert_null(error);
    assert_true(config_remove_connection(config, "b", &error));
    assert_true(config_save(config, &error));
    char *text = read_text(path);
    assert_string_equal(text, "# portalctl\n\n[connection a]\nvendor=ecgrid\n\n"
                              "# about c\n# (two lines)\n\n[connection c]\nvendor=valstorm\n\n"
                              "# about d\n\n[connection d]\nvendor=ecgrid\n");
    g_free(text);

    assert_true(config_remove_connection(config, "d", &error));
    assert_true(config_remove_connection(config, "a", &error));
    assert_true(config_save(config, &error));
    text = read_text(path);
    assert_string_equal(text, "# portalctl\n\n# about c\n# (two lines)\n\n[connection c]\n"
                              "vendor=valstorm\n");
    g_free(text);

    assert_true(config_remove_connection(config, "c", &error));
    assert_true(config_save(config, &error));
    assert_null(error);
    text = read_text(path);
    assert_string_equal(text, "# portalctl\n");
    g_free(text);
    assert_int_equal(config->connections->len, 0);
    config_free(config);

    config = config_load(path, &error);
    assert_null(error);
    assert_int_equal(config->connections->len, 0);
    config_free(config);
    g_free(path);
}

static void test_config_set_invalid_changes_nothing(void **state)
{
    char *path = g_build_filename(*state, "config.ini", NULL);
    struct config *config = config_new(path);
    struct connection_config *zoho = connection_config_new("acme", CONFIG_VENDOR_ZOHO);
    GError *error = NULL;
    assert_false(config_set_connection(config, zoho, &error));
    assert_string_equal(error->message, "[connection acme] client_id: missing; zoho connections "
                                        "need the client id from the Zoho API console");
    g_clear_error(&error);
    assert_int_equal(config->connections->len, 0);
    assert_true(config_save(config, &error));
    char *text = read_text(path);
    assert_string_equal(text, "");
    g_free(text);
    connection_config_free(zoho);
    config_free(config);
    g_free(path);
}

static void test_config_read_only_false_is_kept_when_written(void **state)
{
    char *path =
        write_temp(*state, "config.ini", "[connection a]\nvendor = ecgrid\nread_only = true\n", -1);
    GError *error = NULL;
    struct config *config = config_load(path, &error);
    struct connection_config *a = connection_config_copy(config_find(config, "a"));
    a->read_only = false;
    assert_true(config_set_connection(config, a, &error));
    assert_true(config_save(config, &error));
    char *text = read_text(path);
    assert_string_equal(text, "[connection a]\nvendor=ecgrid\nread_only=false\n");
    g_free(text);
    connection_config_free(a);
    config_free(config);
    g_free(path);
}

static void test_config_remove_unknown_connection(void **state)
{
    char *path = g_build_filename(*state, "config.ini", NULL);
    struct config *config = config_new(path);
    GError *error = NULL;
    assert_false(config_remove_connection(config, "ghost", &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND));
    char *expected = g_strdup_printf("%s: no connection named \"ghost\"", path);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_error_free(error);
    config_free(config);
    g_free(path);
}

static void test_config_save_through_symlink_keeps_link(void **state)
{
    char *real = write_temp(*state, "real.ini", "# mine\n[connection a]\nvendor = ecgrid\n", -1);
    char *link = g_build_filename(*state, "config.ini", NULL);
    assert_int_equal(symlink(real, link), 0);
    GError *error = NULL;
    struct config *config = config_load(link, &error);
    assert_null(error);
    struct connection_config *b = connection_config_new("b", CONFIG_VENDOR_VALSTORM);
    assert_true(config_set_connection(config, b, &error));
    assert_true(config_save(config, &error));
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *text = read_text(real);
    assert_string_equal(text, "# mine\n\n[connection a]\nvendor=ecgrid\n\n[connection b]\n"
                              "vendor=valstorm\n");
    g_free(text);
    connection_config_free(b);
    config_free(config);
    g_free(link);
    g_free(real);
}

static void test_config_save_errors(void **state)
{
    char *blocker = write_temp(*state, "not-a-dir", "x", -1);
    char *path = g_build_filename(blocker, "portalctl", "config.ini", NULL);
    struct config *config = config_new(path);
    GError *error = NULL;
    assert_false(config_save(config, &error));
    assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_IO));
    char *expected =
        g_strdup_printf("%s/portalctl: cannot create directory: Not a directory", blocker);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_clear_error(&error);
    config_free(config);
    g_free(path);

    /* the target is a directory: the rename is refused and nothing is left behind */
    char *dir_target = g_build_filename(*state, "occupied", NULL);
    assert_int_equal(mkdir(dir_target, 0700), 0);
    char *inside = g_build_filename(dir_target, "keep", NULL);
    assert_true(g_file_set_contents(inside, "", 0, NULL));
    config = config_new(dir_target);
    assert_false(config_save(config, &error));
    expected = g_strdup_printf("%s: cannot replace: Is a directory", dir_target);
    assert_string_equal(error->message, expected);
    g_free(expected);
    g_clear_error(&error);
    GDir *listing = g_dir_open(*state, 0, NULL);
    int entries = 0;
    while (g_dir_read_name(listing) != NULL)
        entries++;
    g_dir_close(listing);
    assert_int_equal(entries, 2); /* not-a-dir and occupied: no temporary file */
    config_free(config);
    g_free(inside);
    g_free(dir_target);
    g_free(blocker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_load_valid_file),
        cmocka_unit_test(test_config_load_crlf_file),
        cmocka_unit_test_setup_teardown(test_config_load_ca_file, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test(test_config_default_path),
        cmocka_unit_test_setup_teardown(test_config_missing_default_file_is_empty, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_missing_explicit_file_is_an_error,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_unreadable_files, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test(test_config_rejects_bad_vendor),
        cmocka_unit_test(test_config_rejects_unknown_keys),
        cmocka_unit_test(test_config_refuses_secrets),
        cmocka_unit_test(test_config_secret_refusal_does_not_echo_value),
        cmocka_unit_test(test_config_rejects_bad_values),
        cmocka_unit_test(test_config_rejects_keys_of_other_vendors),
        cmocka_unit_test(test_config_rejects_missing_vendor),
        cmocka_unit_test(test_config_rejects_bad_groups),
        cmocka_unit_test(test_config_rejects_duplicates),
        cmocka_unit_test(test_config_rejects_trailing_comment),
        cmocka_unit_test(test_config_rejects_lines_that_are_not_ini),
        cmocka_unit_test(test_config_rejects_empty_values_and_bad_escapes),
        cmocka_unit_test_setup_teardown(test_config_rejects_long_names_and_values, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test(test_config_validate_connection),
        cmocka_unit_test(test_config_vendor_names),
        cmocka_unit_test_setup_teardown(test_config_save_new_file_private, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_update_keeps_comments, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_remove_takes_its_comment_only, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_set_invalid_changes_nothing, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_read_only_false_is_kept_when_written,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_remove_unknown_connection, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_save_through_symlink_keeps_link, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_config_save_errors, temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
