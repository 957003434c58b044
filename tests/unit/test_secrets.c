/*
 * Unit tests for store/secrets.c against the REAL Secret Service that
 * scripts/with-keyring starts (gnome-keyring on a private D-Bus session), and
 * against real failures: no session bus, a bus without a Secret Service, a
 * locked keyring. Those run in child processes (this binary re-executed with
 * --child SCENARIO) because libsecret and GDBus cache their connection.
 */
#include <portalctl/audit.h>
#include <portalctl/config.h>
#include <portalctl/secrets.h>
#include <portalctl/state.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libsecret/secret.h>

#include <cmocka.h>

#include "temp_dir.h"

/* The contract other programs (seahorse, secret-tool) see. */
static const SecretSchema expected_schema = {
    .name = "io.portalctl.Credential",
    .flags = SECRET_SCHEMA_NONE,
    .attributes =
        {
            {"connection", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        },
};

/* Another program's items with the same attribute names. */
static const SecretSchema foreign_schema = {
    .name = "org.example.Other",
    .flags = SECRET_SCHEMA_NONE,
    .attributes =
        {
            {"connection", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        },
};

static const char missing_advice[] =
    "portalctl never writes secrets to files: start a keyring such as gnome-keyring, or run "
    "portalctl --session-secrets to keep secrets in memory until it exits.";

static char *self_exe;

/* ---- helpers ------------------------------------------------------------- */

/* Connection names unique to this run, so parallel tests never collide. */
static char *unique_name(const char *base)
{
    return g_strdup_printf("%s-%d", base, (int)getpid());
}

static struct secrets *open_backend(enum secrets_backend backend)
{
    GError *error = NULL;
    struct secrets *secrets = secrets_open(backend, &error);
    assert_null(error);
    assert_non_null(secrets);
    return secrets;
}

static void expect_secret(struct secrets *secrets, const char *connection, enum secret_kind kind,
                          const char *expected)
{
    GError *error = NULL;
    char *value = secrets_lookup(secrets, connection, kind, &error);
    assert_null(error);
    if (expected == NULL)
        assert_null(value);
    else
        assert_string_equal(value, expected);
    secret_value_free(value);
}

static void store_ok(struct secrets *secrets, const char *connection, enum secret_kind kind,
                     const char *value)
{
    GError *error = NULL;
    assert_true(secrets_store(secrets, connection, kind, value, &error));
    assert_null(error);
}

static GList *keyring_items(const char *connection)
{
    GError *error = NULL;
    GList *items = secret_password_search_sync(&expected_schema, SECRET_SEARCH_ALL, NULL, &error,
                                               "connection", connection, NULL);
    assert_null(error);
    return items;
}

static const char *error_code_name(const GError *error)
{
    static const char *const names[] = {"NO_SERVICE", "LOCKED", "SERVICE", "INVALID", "PROTECT"};
    if (error->domain != SECRETS_ERROR || error->code < 0 || error->code > 4)
        return "OTHER";
    return names[error->code];
}

/* "what: CODE: message" or "what: ok", for the child scenarios. */
static void report(GString *out, const char *what, GError **error)
{
    if (*error == NULL) {
        g_string_append_printf(out, "%s: ok\n", what);
        return;
    }
    g_string_append_printf(out, "%s: %s: %s\n", what, error_code_name(*error), (*error)->message);
    g_clear_error(error);
}

/* ---- process protection (must run first: nothing opened yet) ------------ */

static void test_secrets_open_disables_core_dumps(void **state)
{
    (void)state;
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1); /* a fresh process */
    struct secrets *secrets = open_backend(SECRETS_BACKEND_SESSION);
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    struct rlimit limit;
    assert_int_equal(getrlimit(RLIMIT_CORE, &limit), 0);
    assert_int_equal(limit.rlim_cur, 0);
    assert_int_equal(limit.rlim_max, 0);
    assert_true(secrets_protect_process(NULL)); /* idempotent */
    secrets_close(secrets);
}

/* ---- the real keyring ---------------------------------------------------- */

static void test_secrets_probe_finds_the_keyring(void **state)
{
    (void)state;
    assert_non_null(getenv("DBUS_SESSION_BUS_ADDRESS")); /* run under scripts/with-keyring */
    GError *error = NULL;
    assert_int_equal(secrets_probe(&error), SECRETS_SERVICE_READY);
    assert_null(error);
}

static void test_secrets_keyring_round_trip(void **state)
{
    (void)state;
    char *name = unique_name("round-trip");
    struct secrets *secrets = open_backend(SECRETS_BACKEND_KEYRING);
    assert_int_equal(secrets_backend_of(secrets), SECRETS_BACKEND_KEYRING);
    store_ok(secrets, name, SECRET_KIND_API_KEY, "6f1c2d9e-0000-4a4a-9b9b-c0ffee000001");
    expect_secret(secrets, name, SECRET_KIND_API_KEY, "6f1c2d9e-0000-4a4a-9b9b-c0ffee000001");

    /* what other programs see: one item, our schema, our label, the value */
    GList *items = keyring_items(name);
    assert_int_equal(g_list_length(items), 1);
    char *label = secret_item_get_label(items->data);
    char *expected_label = g_strdup_printf("portalctl: %s api-key", name);
    assert_string_equal(label, expected_label);
    g_free(expected_label);
    g_free(label);
    g_list_free_full(items, g_object_unref);
    GError *error = NULL;
    char *direct = secret_password_lookup_sync(&expected_schema, NULL, &error, "connection", name,
                                               "kind", "api-key", NULL);
    assert_string_equal(direct, "6f1c2d9e-0000-4a4a-9b9b-c0ffee000001");
    secret_password_free(direct);

    bool removed = false;
    assert_true(secrets_clear(secrets, name, SECRET_KIND_API_KEY, &removed, &error));
    assert_true(removed);
    expect_secret(secrets, name, SECRET_KIND_API_KEY, NULL);
    assert_true(secrets_clear(secrets, name, SECRET_KIND_API_KEY, &removed, &error));
    assert_false(removed);
    assert_null(error);
    secrets_close(secrets);
    g_free(name);
}

static void test_secrets_keyring_other_kind_or_connection_gives_nothing(void **state)
{
    (void)state;
    char *name = unique_name("wrong-kind");
    char *other = unique_name("wrong-connection");
    struct secrets *secrets = open_backend(SECRETS_BACKEND_KEYRING);
    store_ok(secrets, name, SECRET_KIND_CLIENT_SECRET, "client-secret-value");
    expect_secret(secrets, name, SECRET_KIND_API_KEY, NULL);
    expect_secret(secrets, name, SECRET_KIND_REFRESH_TOKEN, NULL);
    expect_secret(secrets, name, SECRET_KIND_ACCESS_TOKEN, NULL);
    expect_secret(secrets, other, SECRET_KIND_CLIENT_SECRET, NULL);
    expect_secret(secrets, name, SECRET_KIND_CLIENT_SECRET, "client-secret-value");

    /* another program's item with the same attributes is neither read nor removed */
    GError *error = NULL;
    assert_true(secret_password_store_sync(&foreign_schema, SECRET_COLLECTION_DEFAULT, "other",
                                           "foreign-value", NULL, &error, "connection", other,
                                           "kind", "api-key", NULL));
    expect_secret(secrets, other, SECRET_KIND_API_KEY, NULL);
    bool removed = true;
    assert_true(secrets_clear(secrets, other, SECRET_KIND_API_KEY, &removed, &error));
    assert_false(removed);
    char *foreign = secret_password_lookup_sync(&foreign_schema, NULL, &error, "connection", other,
                                                "kind", "api-key", NULL);
    assert_string_equal(foreign, "foreign-value");
    secret_password_free(foreign);
    secret_password_clear_sync(&foreign_schema, NULL, &error, "connection", other, NULL);
    assert_null(error);

    assert_true(secrets_clear_connection(secrets, name, &error));
    secrets_close(secrets);
    g_free(other);
    g_free(name);
}

static void test_secrets_keyring_overwrite_keeps_one_item(void **state)
{
    (void)state;
    char *name = unique_name("overwrite");
    struct secrets *secrets = open_backend(SECRETS_BACKEND_KEYRING);
    store_ok(secrets, name, SECRET_KIND_REFRESH_TOKEN, "1000.first");
    store_ok(secrets, name, SECRET_KIND_REFRESH_TOKEN, "1000.second");
    expect_secret(secrets, name, SECRET_KIND_REFRESH_TOKEN, "1000.second");
    GList *items = keyring_items(name);
    assert_int_equal(g_list_length(items), 1);
    g_list_free_full(items, g_object_unref);
    GError *error = NULL;
    assert_true(secrets_clear_connection(secrets, name, &error));
    assert_null(error);
    secrets_close(secrets);
    g_free(name);
}

static void test_secrets_keyring_clear_connection(void **state)
{
    (void)state;
    char *name = unique_name("clear-all");
    char *neighbour = unique_name("neighbour");
    struct secrets *secrets = open_backend(SECRETS_BACKEND_KEYRING);
    store_ok(secrets, name, SECRET_KIND_CLIENT_SECRET, "s1");
    store_ok(secrets, name, SECRET_KIND_REFRESH_TOKEN, "s2");
    store_ok(secrets, name, SECRET_KIND_ACCESS_TOKEN, "s3");
    store_ok(secrets, neighbour, SECRET_KIND_API_KEY, "n1");
    GList *items = keyring_items(name);
    assert_int_equal(g_list_length(items), 3);
    g_list_free_full(items, g_object_unref);

    GError *error = NULL;
    assert_true(secrets_clear_connection(secrets, name, &error));
    assert_null(error);
    items = keyring_items(name);
    assert_int_equal(g_list_length(items), 0);
    expect_secret(secrets, neighbour, SECRET_KIND_API_KEY, "n1");
    assert_true(secrets_clear_connection(secrets, neighbour, &error));
    secrets_close(secrets);
    g_free(neighbour);
    g_free(name);
}

static void expect_invalid(struct secrets *secrets, const char *connection, enum secret_kind kind,
                           const char *value, const char *message)
{
    GError *error = NULL;
    assert_false(secrets_store(secrets, connection, kind, value, &error));
    assert_true(g_error_matches(error, SECRETS_ERROR, SECRETS_ERROR_INVALID));
    assert_string_equal(error->message, message);
    g_clear_error(&error);
}

static void test_secrets_refuse_bad_arguments(void **state)
{
    (void)state;
    enum secrets_backend backends[] = {SECRETS_BACKEND_KEYRING, SECRETS_BACKEND_SESSION};
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        struct secrets *secrets = open_backend(backends[i]);
        expect_invalid(secrets, "acme", SECRET_KIND_API_KEY, "", "the secret is empty");
        expect_invalid(secrets, "acme", SECRET_KIND_API_KEY, NULL, "the secret is empty");
        expect_invalid(secrets, "acme", SECRET_KIND_API_KEY, "caf\xe9",
                       "the secret is not UTF-8 text");
        expect_invalid(secrets, "", SECRET_KIND_API_KEY, "x",
                       "the connection name is empty or not UTF-8 text");
        expect_invalid(secrets, NULL, SECRET_KIND_API_KEY, "x",
                       "the connection name is empty or not UTF-8 text");
        expect_invalid(secrets, "caf\xe9", SECRET_KIND_API_KEY, "x",
                       "the connection name is empty or not UTF-8 text");
        expect_invalid(secrets, "acme", (enum secret_kind)9, "x", "unknown kind of secret");

        GError *error = NULL;
        assert_null(secrets_lookup(secrets, "", SECRET_KIND_API_KEY, &error));
        assert_string_equal(error->message, "the connection name is empty or not UTF-8 text");
        g_clear_error(&error);
        assert_false(secrets_clear(secrets, "acme", (enum secret_kind) - 1, NULL, &error));
        assert_string_equal(error->message, "unknown kind of secret");
        g_clear_error(&error);
        assert_false(secrets_clear_connection(secrets, NULL, &error));
        assert_string_equal(error->message, "the connection name is empty or not UTF-8 text");
        g_clear_error(&error);
        secrets_close(secrets);
    }
}

/* ---- the session-only backend -------------------------------------------- */

static void test_secrets_session_backend(void **state)
{
    (void)state;
    char *name = unique_name("session");
    struct secrets *session = open_backend(SECRETS_BACKEND_SESSION);
    struct secrets *keyring = open_backend(SECRETS_BACKEND_KEYRING);
    assert_int_equal(secrets_backend_of(session), SECRETS_BACKEND_SESSION);

    store_ok(session, name, SECRET_KIND_API_KEY, "first");
    store_ok(session, name, SECRET_KIND_API_KEY, "second");
    store_ok(session, name, SECRET_KIND_ACCESS_TOKEN, "token");
    expect_secret(session, name, SECRET_KIND_API_KEY, "second");
    expect_secret(session, name, SECRET_KIND_CLIENT_SECRET, NULL);
    expect_secret(session, "someone-else", SECRET_KIND_API_KEY, NULL);

    /* session-only means memory only: the keyring never saw it */
    expect_secret(keyring, name, SECRET_KIND_API_KEY, NULL);
    GList *items = keyring_items(name);
    assert_int_equal(g_list_length(items), 0);

    bool removed = false;
    GError *error = NULL;
    assert_true(secrets_clear(session, name, SECRET_KIND_API_KEY, &removed, &error));
    assert_true(removed);
    assert_true(secrets_clear(session, name, SECRET_KIND_API_KEY, &removed, &error));
    assert_false(removed);
    expect_secret(session, name, SECRET_KIND_ACCESS_TOKEN, "token");
    assert_true(secrets_clear_connection(session, name, &error));
    expect_secret(session, name, SECRET_KIND_ACCESS_TOKEN, NULL);
    assert_null(error);

    /* closing with secrets still held frees (and wipes) them: LeakSanitizer checks */
    store_ok(session, name, SECRET_KIND_REFRESH_TOKEN, "still-held");
    secrets_close(session);
    secrets_close(keyring);
    secrets_close(NULL);
    g_free(name);
}

static void test_secrets_wipe(void **state)
{
    (void)state;
    char buffer[] = "typed-in-secret";
    secret_wipe(buffer);
    for (size_t i = 0; i < sizeof(buffer); i++)
        assert_int_equal(buffer[i], 0);
    secret_wipe(NULL);
    secret_value_free(NULL);
    secret_value_free(g_strdup("freed-and-wiped"));
}

static void test_secrets_kind_names(void **state)
{
    (void)state;
    const char *names[] = {"api-key", "client-secret", "refresh-token", "access-token"};
    for (unsigned i = 0; i < SECRET_KIND_COUNT; i++) {
        enum secret_kind kind;
        assert_string_equal(secret_kind_name((enum secret_kind)i), names[i]);
        assert_true(secret_kind_from_name(names[i], &kind));
        assert_int_equal(kind, i);
    }
    enum secret_kind kind;
    assert_false(secret_kind_from_name("api_key", &kind));
    assert_false(secret_kind_from_name(NULL, &kind));
    assert_null(secret_kind_name((enum secret_kind)SECRET_KIND_COUNT));
}

/* ---- secrets stay out of every file ------------------------------------- */

static bool file_contains(const char *path, const char *needle)
{
    char *text = NULL;
    gsize length = 0;
    assert_true(g_file_get_contents(path, &text, &length, NULL));
    bool found = g_strstr_len(text, (gssize)length, needle) != NULL;
    g_free(text);
    return found;
}

static void test_secrets_never_reach_config_state_or_audit(void **state)
{
    (void)state;
    const char *secret = "1000.f00dfacecafe-refresh-token-never-in-a-file";
    char *dir = g_dir_make_tmp("portalctl-secrets-XXXXXX", NULL);
    char *config_path = g_build_filename(dir, "config", "config.ini", NULL);
    char *state_path = g_build_filename(dir, "state", "portals.json", NULL);
    char *audit_path = g_build_filename(dir, "state", "audit.jsonl", NULL);
    char *name = unique_name("acme-zoho");
    GError *error = NULL;

    struct secrets *secrets = open_backend(SECRETS_BACKEND_KEYRING);
    store_ok(secrets, name, SECRET_KIND_REFRESH_TOKEN, secret);
    struct config *config = config_new(config_path);
    struct connection_config *zoho = connection_config_new(name, CONFIG_VENDOR_ZOHO);
    zoho->client_id = g_strdup("1000.CLIENT");
    assert_true(config_set_connection(config, zoho, &error));
    assert_true(config_save(config, &error));
    struct state *known = state_load(state_path, &error);
    struct known_portal *portal = known_portal_new("portal_1", "Hub", NULL, PORTAL_ORIGIN_CREATED);
    assert_true(state_put_portal(known, name, portal, &error));
    assert_true(state_save(known, &error));
    struct audit_entry entry = {name, "auth.set", "refresh-token", AUDIT_RESULT_OK, NULL};
    assert_true(audit_append(audit_path, &entry, &error));
    assert_null(error);

    /* the secret is where it belongs... */
    expect_secret(secrets, name, SECRET_KIND_REFRESH_TOKEN, secret);
    /* ...and in none of the files */
    assert_false(file_contains(config_path, secret));
    assert_false(file_contains(config_path, "f00dfacecafe"));
    assert_false(file_contains(state_path, "f00dfacecafe"));
    assert_false(file_contains(audit_path, "f00dfacecafe"));
    assert_true(file_contains(config_path, "client_id=1000.CLIENT")); /* the files were written */

    /* the file reads back as is, without any secret key */
    struct config *again = config_load(config_path, &error);
    assert_null(error);
    assert_string_equal(config_find(again, name)->client_id, "1000.CLIENT");
    config_free(again);

    assert_true(secrets_clear_connection(secrets, name, &error));
    known_portal_free(portal);
    state_free(known);
    connection_config_free(zoho);
    config_free(config);
    secrets_close(secrets);
    temp_dir_remove(dir);
    g_free(name);
    g_free(audit_path);
    g_free(state_path);
    g_free(config_path);
    g_free(dir);
}

/* ---- no Secret Service, locked keyring: in child processes --------------- */

/* What a portalctl without a Secret Service sees, printed for the parent. */
static int child_no_service(void)
{
    GString *out = g_string_new(NULL);
    GError *error = NULL;
    enum secrets_service_state found = secrets_probe(&error);
    g_string_append_printf(out, "probe: %s\n", found == SECRETS_SERVICE_MISSING ? "missing" : "?");
    report(out, "probe error", &error);
    struct secrets *secrets = secrets_open(SECRETS_BACKEND_KEYRING, &error);
    secrets_store(secrets, "acme", SECRET_KIND_API_KEY, "k", &error);
    report(out, "store", &error);
    char *value = secrets_lookup(secrets, "acme", SECRET_KIND_API_KEY, &error);
    report(out, "lookup", &error);
    secrets_clear(secrets, "acme", SECRET_KIND_API_KEY, NULL, &error);
    report(out, "clear", &error);
    secrets_clear_connection(secrets, "acme", &error);
    report(out, "clear connection", &error);
    secrets_close(secrets);

    /* the way out the user is offered */
    secrets = secrets_open(SECRETS_BACKEND_SESSION, &error);
    secrets_store(secrets, "acme", SECRET_KIND_API_KEY, "kept-in-memory", &error);
    report(out, "session store", &error);
    value = secrets_lookup(secrets, "acme", SECRET_KIND_API_KEY, &error);
    g_string_append_printf(out, "session lookup: %s\n", value != NULL ? value : "(none)");
    secret_value_free(value);
    secrets_close(secrets);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    return 0;
}

static void lock_default_collection(void)
{
    GError *error = NULL;
    SecretService *service = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &error);
    SecretCollection *collection = secret_collection_for_alias_sync(
        service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, &error);
    GList *objects = g_list_append(NULL, collection);
    secret_service_lock_sync(service, objects, NULL, NULL, &error);
    if (error != NULL)
        printf("lock failed: %s\n", error->message);
    g_clear_error(&error);
    g_list_free(objects);
    g_object_unref(collection);
    g_object_unref(service);
}

static int child_locked(void)
{
    GString *out = g_string_new(NULL);
    GError *error = NULL;
    struct secrets *secrets = secrets_open(SECRETS_BACKEND_KEYRING, &error);
    secrets_store(secrets, "acme", SECRET_KIND_API_KEY, "stored-before-lock", &error);
    report(out, "store before lock", &error);
    lock_default_collection();
    enum secrets_service_state found = secrets_probe(&error);
    g_string_append_printf(out, "probe: %s\n", found == SECRETS_SERVICE_LOCKED ? "locked" : "?");
    char *value = secrets_lookup(secrets, "acme", SECRET_KIND_API_KEY, &error);
    report(out, "lookup", &error);
    secret_value_free(value);
    secrets_clear(secrets, "acme", SECRET_KIND_API_KEY, NULL, &error);
    report(out, "clear", &error);
    secrets_clear_connection(secrets, "acme", &error);
    report(out, "clear connection", &error);
    secrets_store(secrets, "acme", SECRET_KIND_API_KEY, "stored-after-lock", &error);
    report(out, "store", &error);
    secrets_close(secrets);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    return 0;
}

/* Runs argv (this binary with --child somewhere in it) and returns its stdout. */
static char *run_child(char **argv, char **envp)
{
    char *out = NULL, *err = NULL;
    int status = 0;
    GError *error = NULL;
    assert_true(g_spawn_sync(NULL, argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                             &error));
    if (!g_spawn_check_wait_status(status, NULL))
        fprintf(stderr, "child failed:\n%s\n%s\n", out, err);
    assert_true(g_spawn_check_wait_status(status, NULL));
    g_free(err);
    return out;
}

/* No prompt window may open on a developer's desktop. */
static char **child_environment(void)
{
    char **envp = g_get_environ();
    envp = g_environ_unsetenv(envp, "DISPLAY");
    envp = g_environ_unsetenv(envp, "WAYLAND_DISPLAY");
    return envp;
}

static char *expected_missing(const char *detail)
{
    char *message =
        g_strdup_printf("NO_SERVICE: No Secret Service answers on this desktop session (%s). %s",
                        detail, missing_advice);
    char *text = g_strdup_printf("probe: missing\n"
                                 "probe error: %s\n"
                                 "store: %s\n"
                                 "lookup: %s\n"
                                 "clear: %s\n"
                                 "clear connection: %s\n"
                                 "session store: ok\n"
                                 "session lookup: kept-in-memory\n",
                                 message, message, message, message, message);
    g_free(message);
    return text;
}

static void test_secrets_without_a_session_bus(void **state)
{
    (void)state;
    char *argv[] = {self_exe, "--child", "no-service", NULL};
    char **envp = child_environment();
    envp = g_environ_setenv(envp, "DBUS_SESSION_BUS_ADDRESS",
                            "unix:path=/nonexistent/portalctl-test-bus", TRUE);
    char *out = run_child(argv, envp);
    char *expected = expected_missing("Could not connect: No such file or directory");
    assert_string_equal(out, expected);
    g_free(expected);
    g_free(out);
    g_strfreev(envp);
}

static void test_secrets_on_a_bus_without_secret_service(void **state)
{
    (void)state;
    char *config = g_build_filename(getenv("PORTALCTL_FIXTURES"), "dbus",
                                    "session-without-services.conf", NULL);
    char *config_option = g_strconcat("--config-file=", config, NULL);
    char *argv[] = {"dbus-run-session", config_option, "--", self_exe,
                    "--child",          "no-service",  NULL};
    char **envp = child_environment();
    char *out = run_child(argv, envp);
    char *expected =
        expected_missing("The name org.freedesktop.secrets was not provided by any .service files");
    assert_string_equal(out, expected);
    g_free(expected);
    g_free(out);
    g_strfreev(envp);
    g_free(config_option);
    g_free(config);
}

static void test_secrets_locked_keyring(void **state)
{
    (void)state;
    /* its own keyring: locking the shared one would disturb other tests */
    char *with_keyring =
        g_build_filename(getenv("PORTALCTL_SOURCE_DIR"), "scripts", "with-keyring", NULL);
    char *argv[] = {with_keyring, self_exe, "--child", "locked", NULL};
    char **envp = child_environment();
    char *out = run_child(argv, envp);
    const char *advice = "; unlock it with your keyring tool and try again";
    char *expected = g_strdup_printf(
        "store before lock: ok\n"
        "probe: locked\n"
        "lookup: LOCKED: The keyring is locked, so the api-key of \"acme\" cannot be read%s\n"
        "clear: LOCKED: The keyring is locked, so the api-key of \"acme\" cannot be removed%s\n"
        "clear connection: LOCKED: The keyring is locked, so the secrets of \"acme\" cannot be "
        "removed%s\n"
        "store: LOCKED: The keyring is locked, so the api-key of \"acme\" cannot be stored%s\n",
        advice, advice, advice, advice);
    assert_string_equal(out, expected);
    g_free(expected);
    g_free(out);
    g_strfreev(envp);
    g_free(with_keyring);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0) {
        if (strcmp(argv[2], "no-service") == 0)
            return child_no_service();
        if (strcmp(argv[2], "locked") == 0)
            return child_locked();
        return 2;
    }
    self_exe = g_file_read_link("/proc/self/exe", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secrets_open_disables_core_dumps),
        cmocka_unit_test(test_secrets_probe_finds_the_keyring),
        cmocka_unit_test(test_secrets_keyring_round_trip),
        cmocka_unit_test(test_secrets_keyring_other_kind_or_connection_gives_nothing),
        cmocka_unit_test(test_secrets_keyring_overwrite_keeps_one_item),
        cmocka_unit_test(test_secrets_keyring_clear_connection),
        cmocka_unit_test(test_secrets_refuse_bad_arguments),
        cmocka_unit_test(test_secrets_session_backend),
        cmocka_unit_test(test_secrets_wipe),
        cmocka_unit_test(test_secrets_kind_names),
        cmocka_unit_test(test_secrets_never_reach_config_state_or_audit),
        cmocka_unit_test(test_secrets_without_a_session_bus),
        cmocka_unit_test(test_secrets_on_a_bus_without_secret_service),
        cmocka_unit_test(test_secrets_locked_keyring),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    g_free(self_exe);
    return failed;
}
