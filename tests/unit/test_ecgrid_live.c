/*
 * ECGrid adapter against the real portal-sim over real HTTP: every operation
 * of the table, success and documented refusals, with the simulator's keys
 * of shared/api/ecgrid.md §8 (sim-ecgrid-netadmin / mbxadmin / mbxuser).
 * What was and was not sent is read from the simulator's request log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "job_runner.h"
#include "sim_process.h"

#include <portalctl/secrets.h>
#include <portalctl/vendor_fields.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>

#define NETADMIN "sim-ecgrid-netadmin"
#define MBXADMIN "sim-ecgrid-mbxadmin"
#define MBXUSER  "sim-ecgrid-mbxuser"

/* ---- a simulator, an engine and a session --------------------------------------- */

struct live {
    struct sim_process sim;
    struct net_engine *net;
    struct connection_config *config;
    GPtrArray *sessions; /* struct session *, freed at stop */
};

static struct session *live_session(struct live *live, const char *key, bool read_only)
{
    live->config->read_only = read_only;
    struct session *session = session_new(live->config, live->net, NULL);
    if (key)
        session_set_secret(session, SECRET_KIND_API_KEY, key);
    g_ptr_array_add(live->sessions, session);
    return session;
}

static void live_start(struct live *live, const char *const args[])
{
    memset(live, 0, sizeof(*live));
    if (sim_process_start(&live->sim, args) != 0)
        fail_msg("portal-sim did not start");
    live->net = net_engine_new(NULL);
    assert_non_null(live->net);
    live->config = job_test_connection(CONFIG_VENDOR_ECGRID, "acme-ecgrid", live->sim.base_url);
    live->sessions = g_ptr_array_new();
}

static void live_stop(struct live *live)
{
    for (guint i = 0; i < live->sessions->len; i++)
        session_free(g_ptr_array_index(live->sessions, i));
    g_ptr_array_free(live->sessions, TRUE);
    net_engine_free(live->net);
    connection_config_free(live->config);
    assert_int_equal(sim_process_stop(&live->sim, false), 0);
}

static int setup(void **state)
{
    struct live *live = g_new0(struct live, 1);
    live_start(live, NULL);
    *state = live;
    return 0;
}

static int teardown(void **state)
{
    live_stop(*state);
    g_free(*state);
    return 0;
}

static void expect_ok(const struct job_outcome *out)
{
    if (out->error.kind != API_OK)
        fail_msg("expected success, got kind %d (HTTP %ld): %s", out->error.kind,
                 out->error.http_status, out->error.message);
}

static void expect_error(const struct job_outcome *out, enum api_error_kind kind, long status,
                         const char *code)
{
    if (out->error.kind != kind)
        fail_msg("expected error kind %d, got %d: %s", kind, out->error.kind,
                 out->error.message ? out->error.message : "(no message)");
    assert_int_equal(out->error.http_status, status);
    if (code)
        assert_string_equal(out->error.code, code);
    assert_non_null(out->error.message);
}

static const char *extra(const struct record_list *list, const struct record *record,
                         const char *key)
{
    const struct record_extra *extras = record_extras(list, record);
    for (uint32_t i = 0; i < record->extra_count; i++) {
        if (strcmp(extras[i].key, key) == 0)
            return extras[i].value;
    }
    return NULL;
}

static const struct record *find_record(const struct record_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++) {
        if (g_strcmp0(record_get(&list->items[i], RECORD_ID), id) == 0)
            return &list->items[i];
    }
    return NULL;
}

/* ---- the request log -------------------------------------------------------------- */

struct log_entry {
    char method[8];
    char path[128];
    char fault[16]; /* "" when none */
    int status;
};

static GArray *read_log(const struct live *live)
{
    GArray *entries = g_array_new(FALSE, TRUE, sizeof(struct log_entry));
    char *text = NULL;
    if (!g_file_get_contents(live->sim.log_path, &text, NULL, NULL))
        return entries;
    char **lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line; line++) {
        json_object *json = json_tokener_parse(*line);
        if (!json)
            continue;
        struct log_entry entry = {0};
        json_object *value = NULL;
        if (json_object_object_get_ex(json, "method", &value))
            g_strlcpy(entry.method, json_object_get_string(value), sizeof(entry.method));
        if (json_object_object_get_ex(json, "path", &value))
            g_strlcpy(entry.path, json_object_get_string(value), sizeof(entry.path));
        if (json_object_object_get_ex(json, "fault", &value))
            g_strlcpy(entry.fault, json_object_get_string(value), sizeof(entry.fault));
        if (json_object_object_get_ex(json, "status", &value))
            entry.status = json_object_get_int(value);
        g_array_append_val(entries, entry);
        json_object_put(json);
    }
    g_strfreev(lines);
    g_free(text);
    return entries;
}

static int count_requests(const struct live *live, const char *method, const char *path)
{
    GArray *entries = read_log(live);
    int n = 0;
    for (guint i = 0; i < entries->len; i++) {
        const struct log_entry *e = &g_array_index(entries, struct log_entry, i);
        if (strcmp(e->method, method) == 0 && strcmp(e->path, path) == 0)
            n++;
    }
    g_array_unref(entries);
    return n;
}

/* ---- who am I, and the key ----------------------------------------------------------- */

static void test_whoami_each_account(void **state)
{
    struct live *live = *state;
    static const struct {
        const char *key, *id, *login, *level;
    } accounts[] = {
        {NETADMIN, "1001", "netadmin", "NetworkAdmin"},
        {MBXADMIN, "1002", "mbxadmin", "MailboxAdmin"},
        {MBXUSER, "1003", "mbxuser", "MailboxUser"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(accounts); i++) {
        struct job_outcome out;
        job_run_op(live_session(live, accounts[i].key, false), VOP_WHOAMI, NULL, NULL, NULL, NULL,
                   &out);
        expect_ok(&out);
        assert_int_equal(out.records.count, 1);
        const struct record *me = &out.records.items[0];
        assert_string_equal(record_get(me, RECORD_ID), accounts[i].id);
        assert_string_equal(record_get(me, RECORD_NAME), accounts[i].login);
        assert_string_equal(record_get(me, RECORD_ROLE), accounts[i].level);
        assert_string_equal(extra(&out.records, me, "networkId"), "1");
        assert_non_null(extra(&out.records, me, "mailboxId"));
        job_outcome_clear(&out);
    }
    assert_int_equal(count_requests(live, "GET", "/v2/users/me"), 3);
}

static void test_missing_key_sends_nothing(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, NULL, false);
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_AUTH, 0, NULL);
    assert_string_equal(out.error.message,
                        "no API key stored for acme-ecgrid: run portalctl auth set acme-ecgrid");
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);
}

static void test_wrong_key_is_an_auth_error(void **state)
{
    struct live *live = *state;
    const char *key = "not-a-valid-key-4f3c2b1a";
    struct job_outcome out;
    job_run_op(live_session(live, key, false), VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_AUTH, 401, "InvalidAPIKey");
    assert_non_null(strstr(out.error.message, "portalctl auth set acme-ecgrid"));
    assert_null(strstr(out.error.message, key));
    /* no refresh exists: the 401 is not repeated */
    assert_int_equal(count_requests(live, "GET", "/v2/users/me"), 1);
    job_outcome_clear(&out);
}

/* The key comes from the real Secret Service (scripts/with-keyring). */
static void test_key_from_the_keyring(void **state)
{
    struct live *live = *state;
    if (secrets_probe(NULL) != SECRETS_SERVICE_READY)
        skip();
    GError *error = NULL;
    struct secrets *secrets = secrets_open(SECRETS_BACKEND_KEYRING, &error);
    assert_non_null(secrets);
    assert_true(secrets_store(secrets, "acme-ecgrid", SECRET_KIND_API_KEY, MBXADMIN, &error));
    struct session *session = session_new(live->config, live->net, secrets);
    struct job_outcome out;
    job_run_op(session, VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "mbxadmin");
    job_outcome_clear(&out);
    session_free(session);
    assert_true(secrets_clear(secrets, "acme-ecgrid", SECRET_KIND_API_KEY, NULL, &error));
    secrets_close(secrets);
}

/* ---- portals ------------------------------------------------------------------------- */

static void test_list_portals(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, NETADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 3);
    assert_int_equal(out.pages, 1);
    const struct record *acme = &out.records.items[0];
    assert_string_equal(record_get(acme, RECORD_ID), "101");
    assert_string_equal(record_get(acme, RECORD_NAME), "ACME Receiving");
    assert_string_equal(record_get(acme, RECORD_STATUS), "Active");
    assert_true(g_str_has_prefix(record_get(acme, RECORD_URL), "https://portal.ecgrid.io/"));
    assert_non_null(record_get(acme, RECORD_CREATED));
    assert_non_null(extra(&out.records, acme, "portal.portalId"));
    const struct record *shipping = find_record(&out.records, "102");
    assert_non_null(shipping);
    assert_string_equal(record_get(shipping, RECORD_NAME), "ACME Shipping");
    assert_string_equal(record_get(shipping, RECORD_STATUS), "no portal");
    assert_null(record_get(shipping, RECORD_URL));
    assert_string_equal(record_get(find_record(&out.records, "7890"), RECORD_STATUS), "no portal");
    assert_int_equal(count_requests(live, "POST", "/v2/mailboxes/list"), 1);
    assert_int_equal(count_requests(live, "GET", "/v2/portals/by-mailbox/102"), 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, "acme", &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 2);
    job_outcome_clear(&out);
}

static void test_get_portal(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXUSER, false);
    struct job_outcome out;
    job_run_op(session, VOP_GET_PORTAL, "101", NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_ID), "101");
    assert_non_null(record_get(&out.records.items[0], RECORD_URL));
    job_outcome_clear(&out);

    job_run_op(session, VOP_GET_PORTAL, "102", NULL, NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404, "ObjectNotFound");
    assert_non_null(strstr(out.error.message, "has no portal"));
    job_outcome_clear(&out);

    int before = sim_process_log_lines(&live->sim);
    job_run_op(session, VOP_GET_PORTAL, "../users/me", NULL, NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);
}

static void test_create_portal_seed_example_then_duplicate(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, NETADMIN, false);
    struct job_outcome out;
    /* the seed's body: {"mailboxId": 7890} */
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("mailboxId", "7890", NULL), NULL,
               &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *portal = &out.records.items[0];
    assert_string_equal(record_get(portal, RECORD_ID), "7890");
    assert_string_equal(record_get(portal, RECORD_STATUS), "Active");
    assert_true(g_str_has_prefix(record_get(portal, RECORD_URL), "https://portal.ecgrid.io/"));
    assert_string_equal(extra(&out.records, portal, "portal.portalId"), "502");
    job_outcome_clear(&out);

    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("mailboxId", "7890", NULL), NULL,
               &out);
    expect_error(&out, API_REFUSED, 400, "DuplicateObject");
    assert_non_null(api_error_field_message(&out.error, "mailboxId", -1));
    assert_false(out.error.ambiguous);
    job_outcome_clear(&out);
    assert_int_equal(count_requests(live, "POST", "/v2/portals/create"), 2);

    /* the portal named with --portal stands for the form's mailboxId */
    job_run_op(session, VOP_CREATE_PORTAL, "102", NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_ID), "102");
    job_outcome_clear(&out);

    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("mailboxId", "999999", NULL),
               NULL, &out);
    expect_error(&out, API_REFUSED, 404, "ObjectNotFound");
    assert_non_null(api_error_field_message(&out.error, "mailboxId", -1));
    job_outcome_clear(&out);

    int before = sim_process_log_lines(&live->sim);
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("mailboxId", "0", NULL), NULL,
               &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_non_null(api_error_field_message(&out.error, "mailboxId", -1));
    job_outcome_clear(&out);
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);
}

/* ---- users: reading ------------------------------------------------------------------- */

static void test_list_users_and_filters(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXUSER, false);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 5);
    assert_non_null(find_record(&out.records, "1004"));
    assert_string_equal(record_get(find_record(&out.records, "1005"), RECORD_NAME), "bob");
    /* a short first page: nothing guessed ahead */
    assert_int_equal(count_requests(live, "POST", "/v2/users/list"), 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_USERS, NULL, NULL, NULL, "ALI", &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "alice");
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_USERS, "101", NULL, NULL, NULL, &out);
    expect_ok(&out);
    for (size_t i = 0; i < out.records.count; i++)
        assert_string_equal(extra(&out.records, &out.records.items[i], "mailboxId"), "101");
    assert_int_equal(out.records.count, 5);
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_USERS, "999999", NULL, NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404, "ObjectNotFound");
    job_outcome_clear(&out);

    int before = sim_process_log_lines(&live->sim);
    job_run_op(session, VOP_LIST_USERS, "ACME", NULL, NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);
}

static void test_list_users_pages_through_1200(void **state)
{
    (void)state;
    struct live live;
    const char *const args[] = {"--seed-users", "1200", NULL};
    live_start(&live, args);
    struct job_outcome out;
    job_run_op(live_session(&live, NETADMIN, false), VOP_LIST_USERS, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1205);
    assert_int_equal(out.pages, 3); /* 500, 500, 205: delivered page by page */
    assert_true(out.progress_lines >= 3);
    long previous = 0;
    for (size_t i = 0; i < out.records.count; i++) { /* in order, none twice */
        long id = strtol(record_get(&out.records.items[i], RECORD_ID), NULL, 10);
        assert_true(id > previous);
        previous = id;
    }
    /* pages 1-3 plus at most the guessed-ahead tail */
    int requests = count_requests(&live, "POST", "/v2/users/list");
    assert_true(requests >= 3 && requests <= 3 + 4);
    job_outcome_clear(&out);

    job_run_op(live_session(&live, MBXADMIN, false), VOP_LIST_USERS, "101", NULL, NULL, "user00009",
               &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 100); /* user0000900 … user0000999 */
    job_outcome_clear(&out);
    live_stop(&live);
}

static void test_get_user_by_number_or_login(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXUSER, false);
    struct job_outcome out;
    job_run_op(session, VOP_GET_USER, NULL, "1002", NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "mbxadmin");
    assert_string_equal(record_get(&out.records.items[0], RECORD_EMAIL), "mbxadmin@example.com");
    job_outcome_clear(&out);

    job_run_op(session, VOP_GET_USER, NULL, "Alice", NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_ID), "1004");
    assert_int_equal(count_requests(live, "POST", "/v2/users/by-name"), 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_GET_USER, NULL, "999999", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404, "ObjectNotFound");
    job_outcome_clear(&out);
    job_run_op(session, VOP_GET_USER, NULL, "nobody/../me", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404, "ObjectNotFound");
    assert_non_null(strstr(out.error.message, "nobody/../me"));
    job_outcome_clear(&out);
}

/* ---- users: creating ---------------------------------------------------------------------- */

/* The seed's example body (seed 001), as a form row. */
static struct form_values *seed_user_row(void)
{
    return job_row_of("login", "jsmith", "password", "Passw0rd!", "email", "jsmith@example.com",
                      "firstName", "John", "lastName", "Smith", "networkId", "1", "mailboxId",
                      "101", "authLevel", "MailboxAdmin", NULL);
}

static void test_create_user_seed_example_then_duplicate(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, NETADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_CREATE_USER, NULL, NULL, seed_user_row(), NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *user = &out.records.items[0];
    assert_string_equal(record_get(user, RECORD_ID), "1042");
    assert_string_equal(record_get(user, RECORD_NAME), "jsmith");
    assert_string_equal(record_get(user, RECORD_ROLE), "MailboxAdmin");
    assert_string_equal(record_get(user, RECORD_STATUS), "Active");
    assert_string_equal(extra(&out.records, user, "mailboxId"), "101");
    assert_string_equal(extra(&out.records, user, "lastName"), "Smith");
    job_outcome_clear(&out);

    job_run_op(session, VOP_CREATE_USER, NULL, NULL, seed_user_row(), NULL, &out);
    expect_error(&out, API_REFUSED, 400, "DuplicateObject");
    assert_string_equal(api_error_field_message(&out.error, "login", -1),
                        "jsmith is already taken in network 1");
    assert_null(strstr(out.error.message, "Passw0rd!"));
    job_outcome_clear(&out);
    assert_int_equal(count_requests(live, "POST", "/v2/users"), 2);
    assert_int_equal(count_requests(live, "POST", "/v2/users/by-name"), 0);

    /* the portal (mailbox) stands for mailboxId; everything else defaults */
    job_run_op(
        session, VOP_CREATE_USER, "101", NULL,
        job_row_of("login", "carol", "password", "Xy9!xxxx", "email", "carol@example.com", NULL),
        NULL, &out);
    expect_ok(&out);
    assert_string_equal(extra(&out.records, &out.records.items[0], "mailboxId"), "101");
    assert_string_equal(record_get(&out.records.items[0], RECORD_ROLE), "MailboxUser");
    job_outcome_clear(&out);
}

static void test_create_user_invalid_input_sends_nothing(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, NETADMIN, false);
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(session, VOP_CREATE_USER, NULL, NULL,
               job_row_of("login", "dave", "password", "weakpassword", "email", "not-an-address",
                          "authLevel", "mailboxuser", NULL),
               NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_non_null(api_error_field_message(&out.error, "password", -1));
    assert_non_null(api_error_field_message(&out.error, "email", -1));
    assert_non_null(api_error_field_message(&out.error, "authLevel", -1));
    assert_null(strstr(out.error.message, "weakpassword"));
    job_outcome_clear(&out);

    job_run_op(session, VOP_CREATE_USER, NULL, NULL, job_row_of("login", "dave", NULL), NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_non_null(api_error_field_message(&out.error, "email", -1));
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
}

/* Refusals only the server can make land on the field they concern. */
static void test_create_user_server_refusal_lands_on_field(void **state)
{
    struct live *live = *state;
    struct job_outcome out;
    /* the form takes a non-ASCII domain; ECGrid's own check does not */
    job_run_op(
        live_session(live, NETADMIN, false), VOP_CREATE_USER, NULL, NULL,
        job_row_of("login", "erin", "password", "Passw0rd!", "email", "erin@bücher.example", NULL),
        NULL, &out);
    expect_error(&out, API_REFUSED, 400, "InvalidParameter");
    assert_string_equal(api_error_field_message(&out.error, "email", -1),
                        "must be a valid e-mail address");
    job_outcome_clear(&out);

    /* a MailboxAdmin cannot create a NetworkAdmin */
    job_run_op(live_session(live, MBXADMIN, false), VOP_CREATE_USER, NULL, NULL,
               job_row_of("login", "erin", "password", "Passw0rd!", "email", "erin@example.com",
                          "authLevel", "NetworkAdmin", NULL),
               NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    assert_non_null(api_error_field_message(&out.error, "authLevel", -1));
    job_outcome_clear(&out);
}

/* A MailboxUser "cannot add, edit or invite users": 403 for every change. */
static void test_mailbox_user_is_refused_changes(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXUSER, false);
    struct job_outcome out;
    job_run_op(session, VOP_CREATE_USER, NULL, NULL, seed_user_row(), NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    assert_non_null(strstr(out.error.message, "ECGrid denied access"));
    job_outcome_clear(&out);
    job_run_op(session, VOP_UPDATE_USER, NULL, "1004", job_row_of("firstName", "Al", NULL), NULL,
               &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
    job_run_op(session, VOP_SET_ROLE, NULL, "1004", job_row_of("authLevel", "MailboxUser", NULL),
               NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
    job_run_op(session, VOP_SET_PASSWORD, NULL, "1004",
               job_row_of("newPassword", "N3w-Passw0rd", NULL), NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
    job_run_op(session, VOP_RESET_SESSIONS, NULL, "1004", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
    job_run_op(session, VOP_REMOVE_USER, NULL, "1004", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("mailboxId", "102", NULL), NULL,
               &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
}

/* ---- users: changing ------------------------------------------------------------------------ */

static void test_update_user(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_UPDATE_USER, NULL, "1004",
               job_row_of("email", "alice.anders@example.com", "lastName", "Anders-Berg", NULL),
               NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_EMAIL),
                        "alice.anders@example.com");
    assert_string_equal(extra(&out.records, &out.records.items[0], "lastName"), "Anders-Berg");
    assert_string_equal(extra(&out.records, &out.records.items[0], "firstName"), "Alice");
    assert_int_equal(count_requests(live, "PUT", "/v2/users"), 1);
    job_outcome_clear(&out);

    int before = sim_process_log_lines(&live->sim);
    job_run_op(session, VOP_UPDATE_USER, NULL, "1004", job_row_of("email", " ", NULL), NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL); /* nothing to change */
    job_outcome_clear(&out);
    job_run_op(session, VOP_UPDATE_USER, NULL, "1004",
               job_row_of("userId", "1005", "firstName", "X", NULL), NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL); /* not the user selected */
    assert_non_null(api_error_field_message(&out.error, "userId", -1));
    job_outcome_clear(&out);
    job_run_op(session, VOP_UPDATE_USER, NULL, "alice", job_row_of("firstName", "X", NULL), NULL,
               &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
}

static void test_set_role(void **state)
{
    struct live *live = *state;
    struct job_outcome out;
    job_run_op(live_session(live, NETADMIN, false), VOP_SET_ROLE, NULL, "1004",
               job_row_of("authLevel", "MailboxAdmin", NULL), NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_ROLE), "MailboxAdmin");
    job_outcome_clear(&out);

    /* above the caller's own level: refused onto the field */
    job_run_op(live_session(live, MBXADMIN, false), VOP_SET_ROLE, NULL, "1005",
               job_row_of("authLevel", "NetworkAdmin", NULL), NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    assert_non_null(api_error_field_message(&out.error, "authLevel", -1));
    job_outcome_clear(&out);
}

static void test_set_password_never_echoes_it(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_SET_PASSWORD, NULL, "1004",
               job_row_of("newPassword", "N3w-Passw0rd", NULL), NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 0);
    assert_int_equal(count_requests(live, "POST", "/v2/users/password"), 1);
    job_outcome_clear(&out);

    int before = sim_process_log_lines(&live->sim);
    job_run_op(session, VOP_SET_PASSWORD, NULL, "1004",
               job_row_of("newPassword", "lowercase1!", NULL), NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_non_null(api_error_field_message(&out.error, "newPassword", -1));
    assert_null(strstr(out.error.message, "lowercase1!"));
    assert_null(strstr(api_error_field_message(&out.error, "newPassword", -1), "lowercase1!"));
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);

    job_run_op(session, VOP_SET_PASSWORD, NULL, "999999",
               job_row_of("newPassword", "N3w-Passw0rd", NULL), NULL, &out);
    expect_error(&out, API_REFUSED, 404, "ObjectNotFound");
    assert_null(strstr(out.error.message, "N3w-Passw0rd"));
    job_outcome_clear(&out);
}

static void test_reset_sessions(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_RESET_SESSIONS, NULL, "1004", NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(count_requests(live, "POST", "/v2/users/reset/1004"), 1);
    job_outcome_clear(&out);
    int before = sim_process_log_lines(&live->sim);
    job_run_op(session, VOP_RESET_SESSIONS, NULL, "1004/../1001", NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);
}

static void test_terminate_user(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, MBXADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_REMOVE_USER, NULL, "1005", NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(count_requests(live, "DELETE", "/v2/users/1005"), 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_GET_USER, NULL, "1005", NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "Terminated");
    job_outcome_clear(&out);

    /* terminated is final: a change is refused onto userId */
    job_run_op(session, VOP_SET_ROLE, NULL, "1005", job_row_of("authLevel", "MailboxUser", NULL),
               NULL, &out);
    expect_error(&out, API_REFUSED, 400, "InvalidParameter");
    assert_non_null(api_error_field_message(&out.error, "userId", -1));
    job_outcome_clear(&out);

    /* a network admin is above a mailbox admin's reach */
    job_run_op(session, VOP_REMOVE_USER, NULL, "1001", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 403, "AccessDenied");
    job_outcome_clear(&out);
}

static void test_read_only_connection_sends_nothing(void **state)
{
    struct live *live = *state;
    struct session *session = live_session(live, NETADMIN, true);
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(session, VOP_REMOVE_USER, NULL, "1004", NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    job_outcome_clear(&out);
    job_run_op(session, VOP_CREATE_USER, NULL, NULL, seed_user_row(), NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0, NULL);
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    job_outcome_clear(&out);
}

/* ---- faults -----------------------------------------------------------------------------------
 */

static void test_503_everywhere_is_a_network_error(void **state)
{
    (void)state;
    struct live live;
    const char *const args[] = {"--fault-rate", "1", "--fault-kinds", "503", NULL};
    live_start(&live, args);
    struct session *session = live_session(&live, NETADMIN, false);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_NETWORK, 503, "ServiceUnavailable");
    assert_int_equal(out.records.count, 0);
    assert_int_equal(count_requests(&live, "POST", "/v2/users/list"), 4); /* 1 + 3 retries */
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_NETWORK, 503, "ServiceUnavailable");
    job_outcome_clear(&out);

    /* a create is sent once; the 503 may hide nothing, but it is checked */
    job_run_op(session, VOP_CREATE_USER, NULL, NULL, seed_user_row(), NULL, &out);
    expect_error(&out, API_NETWORK, 503, "ServiceUnavailable");
    assert_int_equal(count_requests(&live, "POST", "/v2/users"), 1);
    assert_int_equal(count_requests(&live, "POST", "/v2/users/by-name"), 4);
    assert_true(out.error.ambiguous); /* the check failed too */
    assert_null(strstr(out.error.message, "Passw0rd!"));
    job_outcome_clear(&out);
    live_stop(&live);
}

/* What a faulted run of a create left in the log. */
struct fault_run {
    bool create_faulted;  /* the create itself got the fault */
    bool lookup_answered; /* a look-up got a clean answer */
};

static struct fault_run inspect_fault_run(const struct live *live, const char *create_path,
                                          const char *lookup_path, const char *kind)
{
    struct fault_run result = {false, false};
    GArray *entries = read_log(live);
    for (guint i = 0; i < entries->len; i++) {
        const struct log_entry *e = &g_array_index(entries, struct log_entry, i);
        if (strcmp(e->method, "POST") == 0 && strcmp(e->path, create_path) == 0)
            result.create_faulted = strcmp(e->fault, kind) == 0;
        else if (strcmp(e->path, lookup_path) == 0 && e->fault[0] == '\0')
            result.lookup_answered = true;
    }
    g_array_unref(entries);
    return result;
}

/* Runs a create on simulators that fail half the requests with `kind`, one
 * fault seed after another, until the create itself got the fault and a look-up
 * got through; the simulator's state is then saved in state_path. Every run on
 * the way is checked too: a check that never got through must say "ambiguous". */
static void create_under_faults(const char *kind, const char *state_path, enum vendor_op op,
                                struct form_values *row, const char *create_path,
                                const char *lookup_path, struct job_outcome *out)
{
    for (int seed = 1; seed <= 60; seed++) {
        char seed_text[16];
        g_snprintf(seed_text, sizeof(seed_text), "%d", seed);
        const char *const args[] = {"--fault-rate", "0.5",          "--fault-kinds",
                                    kind,           "--fault-seed", seed_text,
                                    "--state",      state_path,     NULL};
        g_unlink(state_path);
        struct live live;
        live_start(&live, args);
        job_run_op(live_session(&live, NETADMIN, false), op, NULL, NULL, form_values_copy(row),
                   NULL, out);
        struct fault_run seen = inspect_fault_run(&live, create_path, lookup_path, kind);
        live_stop(&live);
        if (seen.create_faulted && seen.lookup_answered) {
            form_values_free(row);
            return;
        }
        if (seen.create_faulted)
            assert_true(out->error.kind != API_OK && out->error.ambiguous);
        job_outcome_clear(out);
    }
    fail_msg("no fault seed made the create fail with %s", kind);
}

/* How many users of a login exist, asked of a fault-free simulator on the state. */
static size_t users_named(const char *state_path, const char *login)
{
    struct live live;
    const char *const args[] = {"--state", state_path, NULL};
    live_start(&live, args);
    struct job_outcome out;
    job_run_op(live_session(&live, NETADMIN, false), VOP_LIST_USERS, NULL, NULL, NULL, login, &out);
    expect_ok(&out);
    size_t n = 0;
    for (size_t i = 0; i < out.records.count; i++)
        n += g_strcmp0(record_get(&out.records.items[i], RECORD_NAME), login) == 0;
    job_outcome_clear(&out);
    live_stop(&live);
    return n;
}

static char *temp_state_path(char **dir)
{
    *dir = g_dir_make_tmp("ecgrid-live-XXXXXX", NULL);
    assert_non_null(*dir);
    return g_build_filename(*dir, "state.json", NULL);
}

static void remove_state(char *dir, char *path)
{
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

/* The answer is cut short after ECGrid created the user: the by-name look-up
 * finds it, the create counts as done, and exactly one jsmith exists. */
static void test_truncated_create_user_is_resolved_by_lookup(void **state)
{
    (void)state;
    char *dir = NULL;
    char *path = temp_state_path(&dir);
    struct job_outcome out;
    create_under_faults("truncate", path, VOP_CREATE_USER, seed_user_row(), "/v2/users",
                        "/v2/users/by-name", &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "jsmith");
    job_outcome_clear(&out);
    assert_int_equal(users_named(path, "jsmith"), 1);
    remove_state(dir, path);
}

/* The connection is reset before ECGrid saw the create: the look-up finds
 * nothing, the error says it is safe to try again, and trying again makes
 * exactly one jsmith. */
static void test_reset_create_user_is_safe_to_retry(void **state)
{
    (void)state;
    char *dir = NULL;
    char *path = temp_state_path(&dir);
    struct job_outcome out;
    create_under_faults("reset", path, VOP_CREATE_USER, seed_user_row(), "/v2/users",
                        "/v2/users/by-name", &out);
    expect_error(&out, API_NETWORK, 0, NULL);
    assert_false(out.error.ambiguous);
    assert_non_null(strstr(out.error.message, "nothing was created"));
    job_outcome_clear(&out);
    assert_int_equal(users_named(path, "jsmith"), 0);

    struct live live;
    const char *const args[] = {"--state", path, NULL};
    live_start(&live, args);
    job_run_op(live_session(&live, NETADMIN, false), VOP_CREATE_USER, NULL, NULL, seed_user_row(),
               NULL, &out);
    expect_ok(&out);
    job_outcome_clear(&out);
    live_stop(&live);
    assert_int_equal(users_named(path, "jsmith"), 1);
    remove_state(dir, path);
}

static void test_truncated_create_portal_is_resolved_by_lookup(void **state)
{
    (void)state;
    char *dir = NULL;
    char *path = temp_state_path(&dir);
    struct job_outcome out;
    create_under_faults("truncate", path, VOP_CREATE_PORTAL, job_row_of("mailboxId", "7890", NULL),
                        "/v2/portals/create", "/v2/portals/by-mailbox/7890", &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_ID), "7890");
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "Active");
    job_outcome_clear(&out);
    remove_state(dir, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_whoami_each_account),
        T(test_missing_key_sends_nothing),
        T(test_wrong_key_is_an_auth_error),
        T(test_key_from_the_keyring),
        T(test_list_portals),
        T(test_get_portal),
        T(test_create_portal_seed_example_then_duplicate),
        T(test_list_users_and_filters),
        cmocka_unit_test(test_list_users_pages_through_1200),
        T(test_get_user_by_number_or_login),
        T(test_create_user_seed_example_then_duplicate),
        T(test_create_user_invalid_input_sends_nothing),
        T(test_create_user_server_refusal_lands_on_field),
        T(test_mailbox_user_is_refused_changes),
        T(test_update_user),
        T(test_set_role),
        T(test_set_password_never_echoes_it),
        T(test_reset_sessions),
        T(test_terminate_user),
        T(test_read_only_connection_sends_nothing),
        cmocka_unit_test(test_503_everywhere_is_a_network_error),
        cmocka_unit_test(test_truncated_create_user_is_resolved_by_lookup),
        cmocka_unit_test(test_reset_create_user_is_safe_to_retry),
        cmocka_unit_test(test_truncated_create_portal_is_resolved_by_lookup),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
