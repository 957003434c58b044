/*
 * The Zoho adapter against the real portal-sim over real HTTP: every
 * operation of its table, success and documented refusals, the OAuth flows
 * (refresh on expiry and on refusal, grant code, device flow), paging, bulk
 * invitations, and faults. What was sent is checked in the simulator's
 * request log (method and path per line, never credentials).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "fixture.h"
#include <json-c/json.h>

#include <portalctl/session.h>
#include <portalctl/vendor.h>
#include <portalctl/zoho_auth.h>

#include "job_runner.h"
#include "sim_process.h"

#define CLIENT_ID     "sim-zoho-client"
#define CLIENT_SECRET "sim-zoho-secret"
#define REFRESH_TOKEN "sim-zoho-refresh"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- helpers ---------------------------------------------------------------- */

struct live {
    struct sim_process sim;
    struct net_engine *net;
    struct connection_config *config;
    struct session *session;
};

static struct session *new_session(struct live *l, const char *refresh_token)
{
    struct session *session = session_new(l->config, l->net, NULL);
    session_set_secret(session, SECRET_KIND_CLIENT_SECRET, CLIENT_SECRET);
    if (refresh_token)
        session_set_secret(session, SECRET_KIND_REFRESH_TOKEN, refresh_token);
    return session;
}

static void live_start(struct live *l, const char *const args[], const char *refresh_token)
{
    memset(l, 0, sizeof(*l));
    assert_int_equal(sim_process_start(&l->sim, args), 0);
    l->net = net_engine_new(NULL);
    assert_non_null(l->net);
    l->config = job_test_connection(CONFIG_VENDOR_ZOHO, "test-zoho", l->sim.base_url);
    l->config->accounts_url = g_strdup(l->sim.base_url);
    l->config->client_id = g_strdup(CLIENT_ID);
    l->session = new_session(l, refresh_token);
}

static void live_stop(struct live *l)
{
    session_free(l->session);
    net_engine_free(l->net);
    connection_config_free(l->config);
    assert_int_equal(sim_process_stop(&l->sim, false), 0);
}

/* Lines of the request log with this method and path (path: exact, or a
 * prefix when it ends with '*'). */
static int log_count(const struct live *l, const char *method, const char *path)
{
    char *text = NULL;
    if (!g_file_get_contents(l->sim.log_path, &text, NULL, NULL))
        return 0;
    int count = 0;
    char **lines = g_strsplit(text, "\n", -1);
    size_t prefix = strlen(path) - (g_str_has_suffix(path, "*") ? 1 : 0);
    for (char **line = lines; *line && **line; line++) {
        json_object *entry = json_tokener_parse(*line);
        const char *m = json_object_get_string(json_object_object_get(entry, "method"));
        const char *p = json_object_get_string(json_object_object_get(entry, "path"));
        bool path_ok =
            p && (prefix < strlen(path) ? strncmp(p, path, prefix) == 0 : strcmp(p, path) == 0);
        count += m && strcmp(m, method) == 0 && path_ok;
        json_object_put(entry);
    }
    g_strfreev(lines);
    g_free(text);
    return count;
}

static struct form_values *values_of(const char *const pairs[])
{
    struct form_values *values = form_values_new();
    for (size_t i = 0; pairs[i]; i += 2)
        form_values_set(values, pairs[i], pairs[i + 1]);
    return values;
}

/* Runs op; rows (NULL-terminated, may be NULL) are freed here. */
static void run_rows(struct live *l, enum vendor_op op, const char *portal, const char *target,
                     const char *filter, struct form_values **rows, struct job_outcome *out)
{
    size_t count = 0;
    while (rows && rows[count])
        count++;
    struct vendor_request request = {
        .op = op,
        .portal_id = portal,
        .target_id = target,
        .rows = rows,
        .row_count = count,
        .filter = filter,
    };
    job_run(l->session, &request, out);
    for (size_t i = 0; i < count; i++)
        form_values_free(rows[i]);
}

static void run(struct live *l, enum vendor_op op, const char *portal, const char *target,
                struct job_outcome *out)
{
    run_rows(l, op, portal, target, NULL, NULL, out);
}

static void run_one(struct live *l, enum vendor_op op, const char *portal, const char *target,
                    const char *const pairs[], struct job_outcome *out)
{
    struct form_values *rows[] = {values_of(pairs), NULL};
    run_rows(l, op, portal, target, NULL, rows, out);
}

static void assert_ok(const struct job_outcome *out)
{
    if (out->error.kind != API_OK)
        fail_msg("job failed: kind %d: %s", out->error.kind,
                 out->error.message ? out->error.message : "(no message)");
}

static const struct record *find_record(const struct job_outcome *out, enum record_field field,
                                        const char *value)
{
    for (size_t i = 0; i < out->records.count; i++) {
        if (g_strcmp0(record_get(&out->records.items[i], field), value) == 0)
            return &out->records.items[i];
    }
    return NULL;
}

static const char *extra_of(const struct job_outcome *out, const struct record *record,
                            const char *key)
{
    const struct record_extra *extras = record_extras(&out->records, record);
    for (uint32_t i = 0; i < record->extra_count; i++) {
        if (strcmp(extras[i].key, key) == 0)
            return extras[i].value;
    }
    return NULL;
}

static void assert_contains(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        fail_msg("\"%s\" does not contain \"%s\"", text ? text : "(null)", part);
}

/* The personality id of a CustomerHub user, by e-mail. */
static char *user_id(struct live *l, const char *email)
{
    struct job_outcome out;
    run(l, VOP_LIST_USERS, "CustomerHub", NULL, &out);
    assert_ok(&out);
    const struct record *user = find_record(&out, RECORD_EMAIL, email);
    char *id = user ? g_strdup(record_get(user, RECORD_ID)) : NULL;
    job_outcome_clear(&out);
    return id;
}

/* ---- whoami and portals ------------------------------------------------------------ */

static void test_whoami(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_WHOAMI, NULL, NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *me = &out.records.items[0];
    assert_string_equal(record_get(me, RECORD_ID), CLIENT_ID);
    assert_string_equal(extra_of(&out, me, "portals"), "2");
    /* The api_domain of the token answer (the simulator's base) is used. */
    assert_string_equal(record_get(me, RECORD_URL), l.sim.base_url);
    assert_int_equal(log_count(&l, "POST", "/oauth/v2/token"), 1);
    assert_int_equal(log_count(&l, "GET", "/crm/v7/settings/portals"), 1);
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_list_and_show_portals(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 2);
    const struct record *hub = find_record(&out, RECORD_NAME, "CustomerHub");
    assert_non_null(hub);
    assert_string_equal(record_get(hub, RECORD_ID), "CustomerHub");
    assert_string_equal(record_get(hub, RECORD_STATUS), "active");
    assert_non_null(extra_of(&out, hub, "zaid"));
    assert_non_null(extra_of(&out, hub, "created_by.id"));
    assert_non_null(find_record(&out, RECORD_NAME, "PartnerDesk"));
    job_outcome_clear(&out);

    run(&l, VOP_GET_PORTAL, NULL, "PartnerDesk", &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "PartnerDesk");
    job_outcome_clear(&out);

    run(&l, VOP_GET_PORTAL, NULL, "NoSuchPortal", &out); /* 204 */
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_contains(out.error.message, "no portal named NoSuchPortal");
    job_outcome_clear(&out);
    live_stop(&l);
}

/* The seed's example (fixture create-portal.json), then the same name again. */
static void test_create_seed_example_then_already_used(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    char *seed = fixture_read("zoho", "create-portal.json", NULL);
    json_object *body = json_tokener_parse(seed);
    const char *name = json_object_get_string(json_object_object_get(
        json_object_array_get_idx(json_object_object_get(body, "portals"), 0), "name"));
    assert_string_equal(name, "PortalsAPItest100");

    struct job_outcome out;
    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", name), &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), name);
    job_outcome_clear(&out);

    run(&l, VOP_GET_PORTAL, NULL, name, &out);
    assert_ok(&out);
    job_outcome_clear(&out);

    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", name), &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_int_equal(out.error.http_status, 400);
    assert_string_equal(out.error.code, "ALREADY_USED");
    assert_non_null(api_error_field_message(&out.error, "name", -1));
    assert_int_equal(out.records.count, 0);
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/settings/portals"), 2);
    json_object_put(body);
    g_free(seed);
    live_stop(&l);
}

static void test_create_refusals_land_on_name(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    /* Sent as is (the form would refuse these first): Zoho's own answers. */
    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", "Bad-Name1"), &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_string_equal(out.error.code, "PATTERN_NOT_MATCHED");
    assert_non_null(api_error_field_message(&out.error, "name", -1));
    job_outcome_clear(&out);

    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", "abc"), &out);
    assert_string_equal(out.error.code, "INVALID_DATA");
    assert_contains(api_error_field_message(&out.error, "name", -1), "at least 6");
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_rename_portal(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run_one(&l, VOP_UPDATE_PORTAL, NULL, "PartnerDesk", ARGS("name", "PartnerDesk2"), &out);
    assert_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "PartnerDesk2");
    job_outcome_clear(&out);

    run(&l, VOP_GET_PORTAL, NULL, "PartnerDesk", &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    job_outcome_clear(&out);
    run(&l, VOP_GET_PORTAL, NULL, "PartnerDesk2", &out);
    assert_ok(&out);
    job_outcome_clear(&out);

    run_one(&l, VOP_UPDATE_PORTAL, NULL, "PartnerDesk2", ARGS("name", "CustomerHub"), &out);
    assert_string_equal(out.error.code, "ALREADY_USED");
    assert_non_null(api_error_field_message(&out.error, "name", -1));
    job_outcome_clear(&out);

    run_one(&l, VOP_UPDATE_PORTAL, NULL, "NoSuchPortal", ARGS("name", "Whatever1"), &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_contains(out.error.message, "no portal named NoSuchPortal");
    job_outcome_clear(&out);
    live_stop(&l);
}

/* ---- refused before sending ----------------------------------------------------------- */

static void test_delete_portal_unsupported_nothing_sent(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    assert_null(vendor_find_operation(&zoho_vendor, VOP_DELETE_PORTAL));
    struct job_outcome out;
    run(&l, VOP_DELETE_PORTAL, NULL, "CustomerHub", &out);
    assert_int_equal(out.error.kind, API_UNSUPPORTED);
    assert_int_equal(sim_process_log_lines(&l.sim), 0);
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_invalid_input_nothing_sent(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_WHOAMI, NULL, NULL, &out); /* a token first: what follows needs none */
    assert_ok(&out);
    job_outcome_clear(&out);
    int before = sim_process_log_lines(&l.sim);

    run(&l, VOP_GET_PORTAL, NULL, "..", &out);
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    job_outcome_clear(&out);
    run(&l, VOP_LIST_USERS, NULL, NULL, &out); /* no portal */
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    job_outcome_clear(&out);
    run(&l, VOP_INVITE_USERS, "CustomerHub", NULL, &out); /* nobody */
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    job_outcome_clear(&out);
    run(&l, VOP_CREATE_PORTAL, NULL, NULL, &out); /* no name */
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    assert_non_null(api_error_field_message(&out.error, "name", -1));
    job_outcome_clear(&out);
    run(&l, VOP_REMOVE_USER, "CustomerHub", "1,2", &out);
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    job_outcome_clear(&out);

    /* A read-only connection refuses changes. */
    struct session *session = l.session;
    l.config->read_only = true;
    l.session = new_session(&l, REFRESH_TOKEN);
    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", "ReadOnly1"), &out);
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    job_outcome_clear(&out);
    session_free(l.session);
    l.session = session;

    assert_int_equal(sim_process_log_lines(&l.sim), before);
    live_stop(&l);
}

/* ---- user types and users ---------------------------------------------------------------- */

static void test_user_types(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_USER_TYPES, "CustomerHub", NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *type = &out.records.items[0];
    assert_string_equal(record_get(type, RECORD_NAME), "Customers");
    assert_string_equal(record_get(type, RECORD_ROLE), "default");
    assert_string_equal(extra_of(&out, type, "personality_module.api_name"), "Contacts");
    job_outcome_clear(&out);

    run(&l, VOP_LIST_USER_TYPES, "NoSuchPortal", NULL, &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_contains(out.error.message, "no portal named NoSuchPortal");
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_list_users_and_filters(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_USERS, "CustomerHub", NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 3);
    const struct record *alice = find_record(&out, RECORD_EMAIL, "alice@example.com");
    assert_string_equal(record_get(alice, RECORD_STATUS), "active");
    assert_string_equal(record_get(alice, RECORD_ROLE), "Customers");
    assert_string_equal(record_get(alice, RECORD_NAME), "Alice Archer");
    assert_non_null(extra_of(&out, alice, "user_type_id"));
    assert_string_equal(
        record_get(find_record(&out, RECORD_EMAIL, "bob@example.com"), RECORD_STATUS),
        "deactivated");
    assert_string_equal(
        record_get(find_record(&out, RECORD_EMAIL, "carol@example.com"), RECORD_STATUS), "invited");
    job_outcome_clear(&out);

    run_rows(&l, VOP_LIST_USERS, "CustomerHub", NULL, "DeactiveUsers", NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_non_null(find_record(&out, RECORD_EMAIL, "bob@example.com"));
    job_outcome_clear(&out);

    run_rows(&l, VOP_LIST_USERS, "CustomerHub", NULL, "CAROL", NULL, &out); /* search text */
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    job_outcome_clear(&out);

    run_rows(&l, VOP_LIST_USERS, "CustomerHub", NULL, "Customers", NULL, &out); /* a type */
    assert_ok(&out);
    assert_int_equal(out.records.count, 3);
    job_outcome_clear(&out);

    run(&l, VOP_LIST_USERS, "CustomerHub", "NoSuchType", &out);
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    job_outcome_clear(&out);

    run(&l, VOP_LIST_USERS, "PartnerDesk", NULL, &out); /* 204: nobody */
    assert_ok(&out);
    assert_int_equal(out.records.count, 0);
    job_outcome_clear(&out);
    live_stop(&l);
}

/* Pages of 200 arrive in order whether asked for one by one or a few at once. */
static void check_paging(const char *seeded, size_t total, int pages)
{
    struct live l;
    live_start(&l, ARGS("--seed-users", seeded), REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_USERS, "CustomerHub", NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, total);
    assert_int_equal(out.pages, pages);
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < out.records.count; i++)
        g_hash_table_add(ids, (gpointer)record_get(&out.records.items[i], RECORD_ID));
    assert_int_equal(g_hash_table_size(ids), total);
    g_hash_table_unref(ids);
    /* In order: the seeded users come after the three demo users. */
    assert_string_equal(record_get(&out.records.items[3], RECORD_EMAIL), "seed.user1@example.com");
    char *last = g_strdup_printf("seed.user%s@example.com", seeded);
    assert_string_equal(record_get(&out.records.items[total - 1], RECORD_EMAIL), last);
    g_free(last);
    /* The types, then each page once. */
    assert_int_equal(log_count(&l, "GET", "/crm/v7/settings/portals/CustomerHub/user_type*"),
                     1 + pages);
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_list_users_paging(void **state)
{
    (void)state;
    check_paging("450", 453, 3);
    check_paging("1200", 1203, 7);
}

/* ---- invitations ------------------------------------------------------------------------ */

static void test_invite_existing_contact_once(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run_one(&l, VOP_INVITE_USERS, "CustomerHub", NULL, ARGS("Email", "dana@example.com"), &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *row = &out.records.items[0];
    assert_string_equal(record_get(row, RECORD_STATUS), "invited");
    assert_string_equal(record_get(row, RECORD_ROLE), "Customers");
    assert_string_equal(extra_of(&out, row, "contact"), "existing");
    job_outcome_clear(&out);

    /* Again: Zoho refuses a second invitation, which means it is done. */
    run_one(&l, VOP_INVITE_USERS, "CustomerHub", NULL, ARGS("Email", "dana@example.com"), &out);
    assert_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "already invited");
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts"), 0);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts/*"), 2);

    char *id = user_id(&l, "dana@example.com");
    assert_non_null(id);
    g_free(id);
    live_stop(&l);
}

static void test_invite_creates_contact(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run_one(
        &l, VOP_INVITE_USERS, "CustomerHub", NULL,
        ARGS("Email", "ann@example.com", "First_Name", "Ann", "Last_Name", "Lee", "type", "invite"),
        &out);
    assert_ok(&out);
    const struct record *row = &out.records.items[0];
    assert_string_equal(record_get(row, RECORD_NAME), "Ann Lee");
    assert_string_equal(extra_of(&out, row, "contact"), "created");
    assert_string_equal(record_get(row, RECORD_STATUS), "invited");
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts"), 1);
    char *id = user_id(&l, "ann@example.com");
    assert_non_null(id);
    g_free(id);
    live_stop(&l);
}

static void test_invite_without_last_name_refused_on_field(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    run_one(&l, VOP_INVITE_USERS, "CustomerHub", NULL, ARGS("Email", "nobody@example.com"), &out);
    assert_int_equal(out.error.kind, API_INVALID_INPUT);
    assert_non_null(api_error_field_message(&out.error, "Last_Name", -1));
    assert_int_equal(out.records.count, 0);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts"), 0);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts/*"), 0);
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_bulk_invite_several_rows(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    struct job_outcome out;
    struct form_values *rows[] = {
        values_of(ARGS("Email", "eli@example.com")),
        values_of(ARGS("Email", "new.one@example.com", "Last_Name", "One")),
        values_of(ARGS("Email", "new.two@example.com", "First_Name", "Two", "Last_Name", "Two")),
        values_of(ARGS("Email", "alice@example.com")),  /* already a user */
        values_of(ARGS("Email", "nolast@example.com")), /* needs a last name */
        NULL,
    };
    run_rows(&l, VOP_INVITE_USERS, "CustomerHub", NULL, NULL, rows, &out);
    /* Four settled, one refused on its row. */
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_contains(out.error.message, "1 of 5 people could not be invited");
    assert_non_null(api_error_field_message(&out.error, "Last_Name", 4));
    assert_int_equal(out.records.count, 4);
    const struct record *alice = find_record(&out, RECORD_EMAIL, "alice@example.com");
    const char *status = record_get(alice, RECORD_STATUS);
    bool completed = strcmp(status, "already invited") == 0;
    if (!completed) /* still running after the polls: reported as scheduled */
        assert_string_equal(status, "scheduled");
    const struct record *eli = find_record(&out, RECORD_EMAIL, "eli@example.com");
    assert_string_equal(record_get(eli, RECORD_STATUS), completed ? "invited" : "scheduled");
    assert_non_null(extra_of(&out, eli, "job_id"));
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts/actions/portal_invite"), 1);
    assert_int_equal(log_count(&l, "POST", "/crm/v7/Contacts"), 2);
    int polls = log_count(&l, "GET", "/crm/v7/Contacts/actions/portal_invite");
    assert_true(polls >= 1 && polls <= 50);
    print_message("bulk job: %d status polls, %s\n", polls, completed ? "completed" : "scheduled");
    if (!completed)
        usleep(600 * 1000); /* the simulator finishes the job lazily */

    static const char *const invited[] = {"eli@example.com", "new.one@example.com",
                                          "new.two@example.com"};
    for (size_t i = 0; i < G_N_ELEMENTS(invited); i++) {
        char *id = user_id(&l, invited[i]);
        if (!id)
            fail_msg("%s was not invited", invited[i]);
        g_free(id);
    }
    live_stop(&l);
}

/* The bulk job completes while polled when the simulator answers slowly
 * enough (each poll takes 20 ms, the job about 110 ms). */
static void test_bulk_invite_completes(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, ARGS("--latency-ms", "20"), REFRESH_TOKEN);
    struct job_outcome out;
    struct form_values *rows[] = {
        values_of(ARGS("Email", "dana@example.com")),
        values_of(ARGS("Email", "eli@example.com", "type", "invite")),
        values_of(ARGS("Email", "carol@example.com", "type", "reinvite")),
        NULL,
    };
    run_rows(&l, VOP_INVITE_USERS, "CustomerHub", NULL, NULL, rows, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 3);
    for (size_t i = 0; i < out.records.count; i++)
        assert_string_equal(record_get(&out.records.items[i], RECORD_STATUS), "invited");
    job_outcome_clear(&out);
    live_stop(&l);
}

/* ---- status changes and removal ----------------------------------------------------------- */

static void test_deactivate_and_reactivate(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    char *alice = user_id(&l, "alice@example.com");
    char *carol = user_id(&l, "carol@example.com");
    struct job_outcome out;

    run(&l, VOP_DEACTIVATE_USER, "CustomerHub", alice, &out);
    assert_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "deactivated");
    job_outcome_clear(&out);

    run(&l, VOP_DEACTIVATE_USER, "CustomerHub", alice, &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_string_equal(out.error.code, "NOT_ALLOWED");
    job_outcome_clear(&out);

    run(&l, VOP_REACTIVATE_USER, "CustomerHub", alice, &out);
    assert_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "active");
    job_outcome_clear(&out);

    run(&l, VOP_REACTIVATE_USER, "CustomerHub", alice, &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_string_equal(out.error.code, "ALREADY_ACTIVATED");
    job_outcome_clear(&out);

    run(&l, VOP_DEACTIVATE_USER, "CustomerHub", carol, &out); /* has not confirmed */
    assert_string_equal(out.error.code, "NOT_ALLOWED");
    job_outcome_clear(&out);

    run(&l, VOP_DEACTIVATE_USER, "CustomerHub", "1234567890", &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_contains(out.error.message, "is not a user of portal CustomerHub");
    job_outcome_clear(&out);
    g_free(alice);
    g_free(carol);
    live_stop(&l);
}

static void test_remove_user(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, REFRESH_TOKEN);
    const struct vendor_operation *op = vendor_find_operation(&zoho_vendor, VOP_REMOVE_USER);
    assert_true(op->destructive && op->changes);
    char *bob = user_id(&l, "bob@example.com");
    struct job_outcome out;
    run(&l, VOP_REMOVE_USER, "CustomerHub", bob, &out);
    assert_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "removed");
    job_outcome_clear(&out);

    run(&l, VOP_REMOVE_USER, "CustomerHub", bob, &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_string_equal(out.error.code, "INVALID_DATA");
    assert_contains(out.error.message, "is not a user of portal CustomerHub");
    job_outcome_clear(&out);

    char *gone = user_id(&l, "bob@example.com");
    assert_null(gone);
    g_free(bob);
    live_stop(&l);
}

/* ---- tokens ------------------------------------------------------------------------------- */

static void test_token_expiry_refreshed_transparently(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, ARGS("--zoho-token-ttl", "1"), REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_ok(&out);
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "POST", "/oauth/v2/token"), 1);

    usleep(1200 * 1000);
    run(&l, VOP_LIST_USERS, "CustomerHub", NULL, &out);
    assert_ok(&out);
    assert_int_equal(out.records.count, 3);
    job_outcome_clear(&out);
    /* Exactly one refresh for the expired token, and no refused request. */
    assert_int_equal(log_count(&l, "POST", "/oauth/v2/token"), 2);
    assert_int_equal(sim_process_log_lines(&l.sim), 5);
    live_stop(&l);
}

/* A token the client believes valid is refused: one refresh, one repeat. */
static void test_refused_token_refreshed_once(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, ARGS("--zoho-token-ttl", "1"), REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_ok(&out);
    job_outcome_clear(&out);
    usleep(1200 * 1000);
    char *token = g_strdup(session_access_token(l.session));
    session_set_access_token(l.session, token, (double)g_get_real_time() / 1e6 + 3600);
    g_free(token);

    run(&l, VOP_GET_PORTAL, NULL, "CustomerHub", &out);
    assert_ok(&out);
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "POST", "/oauth/v2/token"), 2);
    assert_int_equal(log_count(&l, "GET", "/crm/v7/settings/portals/CustomerHub"), 2);
    live_stop(&l);
}

static void test_read_only_token_no_permission(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, "sim-zoho-readonly");
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out); /* reading is allowed */
    assert_ok(&out);
    job_outcome_clear(&out);
    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", "ReadOnly1"), &out);
    assert_int_equal(out.error.kind, API_REFUSED);
    assert_int_equal(out.error.http_status, 403);
    assert_string_equal(out.error.code, "NO_PERMISSION");
    assert_contains(out.error.message, "Crm_Implied_Manage_ClientPortal");
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_bad_credentials(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, "not-a-refresh-token");
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_int_equal(out.error.kind, API_AUTH);
    assert_string_equal(out.error.code, "invalid_code");
    assert_contains(out.error.message, "portalctl auth grant test-zoho");
    assert_null(strstr(out.error.message, "not-a-refresh-token"));
    job_outcome_clear(&out);

    session_set_secret(l.session, SECRET_KIND_REFRESH_TOKEN, REFRESH_TOKEN);
    session_set_secret(l.session, SECRET_KIND_CLIENT_SECRET, "wrong-secret");
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_int_equal(out.error.kind, API_AUTH);
    assert_string_equal(out.error.code, "invalid_client_secret");
    assert_contains(out.error.message, "client secret");
    assert_null(strstr(out.error.message, "wrong-secret"));
    job_outcome_clear(&out);
    assert_int_equal(log_count(&l, "GET", "/crm/v7/settings/portals"), 0);

    /* Nothing stored at all: refused before anything is sent. */
    int before = sim_process_log_lines(&l.sim);
    session_set_secret(l.session, SECRET_KIND_REFRESH_TOKEN, NULL);
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_int_equal(out.error.kind, API_AUTH);
    assert_contains(out.error.message, "no refresh-token stored");
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&l.sim), before);
    live_stop(&l);
}

/* ---- grants ------------------------------------------------------------------------------- */

struct grant_outcome {
    char *refresh_token;
    char *data_centre;
    struct api_error error;
    char *user_code;
    int prompts;
    int calls;
};

static void on_grant(const struct zoho_grant_result *result, const struct api_error *error,
                     void *user)
{
    struct grant_outcome *g = user;
    g->calls++;
    if (result) {
        g->refresh_token = g_strdup(result->refresh_token);
        g->data_centre = g_strdup(result->data_centre);
    } else {
        api_error_copy(&g->error, error);
    }
}

static void grant_outcome_clear(struct grant_outcome *g)
{
    g_free(g->refresh_token);
    g_free(g->data_centre);
    g_free(g->user_code);
    api_error_clear(&g->error);
}

static void test_grant_code_exchange(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, NULL);
    struct grant_outcome g = {0};
    zoho_auth_exchange_code(l.session, "sim-zoho-grant", on_grant, &g);
    net_engine_run(l.net);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.error.kind, API_OK);
    assert_non_null(g.refresh_token);
    assert_true(strlen(g.refresh_token) > 10);

    /* The new refresh token works in a session of its own. */
    session_free(l.session);
    l.session = new_session(&l, g.refresh_token);
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_ok(&out);
    job_outcome_clear(&out);

    /* A grant code works once. */
    struct grant_outcome again = {0};
    zoho_auth_exchange_code(l.session, "sim-zoho-grant", on_grant, &again);
    net_engine_run(l.net);
    assert_int_equal(again.calls, 1);
    assert_int_equal(again.error.kind, API_AUTH);
    assert_string_equal(again.error.code, "invalid_code");
    assert_int_equal(log_count(&l, "POST", "/oauth/v2/token"), 3);
    grant_outcome_clear(&again);
    grant_outcome_clear(&g);
    live_stop(&l);
}

static void on_prompt(const struct zoho_device_prompt *prompt, void *user)
{
    struct grant_outcome *g = user;
    g->prompts++;
    g->user_code = g_strdup(prompt->user_code);
    assert_non_null(prompt->verification_url);
    assert_true(prompt->expires_in_ms > 0);
}

static void test_device_flow(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, NULL, NULL);
    struct grant_outcome g = {0};
    struct zoho_device_events events = {on_prompt, on_grant, &g};
    gint64 started = g_get_monotonic_time();
    struct zoho_device_flow *flow = zoho_device_flow_start(l.session, &events);
    assert_int_equal(zoho_device_flow_run(flow), 0);
    assert_true(zoho_device_flow_finished(flow));
    zoho_device_flow_free(flow);
    assert_int_equal(g.prompts, 1);
    assert_string_equal(g.user_code, "SIMU-0001");
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.error.kind, API_OK);
    assert_non_null(g.refresh_token);
    assert_null(g.data_centre);
    /* Approved on the second poll; the interval (1 s) was kept: no slow_down. */
    assert_int_equal(log_count(&l, "POST", "/oauth/v3/device/code"), 1);
    assert_int_equal(log_count(&l, "POST", "/oauth/v3/device/token"), 2);
    assert_true(g_get_monotonic_time() - started >= 2 * G_USEC_PER_SEC);

    session_free(l.session);
    l.session = new_session(&l, g.refresh_token);
    struct job_outcome out;
    run(&l, VOP_WHOAMI, NULL, NULL, &out);
    assert_ok(&out);
    job_outcome_clear(&out);
    grant_outcome_clear(&g);
    live_stop(&l);
}

/* ---- faults ---------------------------------------------------------------------------------- */

static void test_unavailable_after_retries(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, ARGS("--fault-rate", "1", "--fault-kinds", "503"), REFRESH_TOKEN);
    struct job_outcome out;
    run(&l, VOP_LIST_PORTALS, NULL, NULL, &out);
    assert_int_equal(out.error.kind, API_NETWORK);
    assert_true(log_count(&l, "POST", "/oauth/v2/token") > 1); /* retried */
    job_outcome_clear(&out);
    live_stop(&l);
}

/* --fault-seed 39 at rate 0.5 spares the 1st request (the token), faults the
 * 2nd (the create) and spares the next six (see the simulator's faults.c). */
static void test_create_reset_resolved_by_lookup(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, ARGS("--fault-rate", "0.5", "--fault-kinds", "reset", "--fault-seed", "39"),
               REFRESH_TOKEN);
    struct job_outcome out;
    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", "ResetPortal1"), &out);
    /* The reset came before the create was applied: the lookup says so. */
    assert_int_equal(out.error.kind, API_NETWORK);
    assert_false(out.error.ambiguous);
    assert_contains(out.error.message, "nothing was created");
    assert_int_equal(log_count(&l, "POST", "/crm/v7/settings/portals"), 1);
    assert_int_equal(log_count(&l, "GET", "/crm/v7/settings/portals/ResetPortal1"), 1);
    job_outcome_clear(&out);
    live_stop(&l);
}

static void test_create_malformed_resolved_by_lookup(void **state)
{
    (void)state;
    struct live l;
    live_start(&l, ARGS("--fault-rate", "0.5", "--fault-kinds", "malformed", "--fault-seed", "39"),
               REFRESH_TOKEN);
    struct job_outcome out;
    run_one(&l, VOP_CREATE_PORTAL, NULL, NULL, ARGS("name", "Malformed1"), &out);
    /* The create was applied but its answer unreadable: found, so created. */
    assert_ok(&out);
    assert_int_equal(out.records.count, 1);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "Malformed1");
    assert_int_equal(log_count(&l, "POST", "/crm/v7/settings/portals"), 1);
    job_outcome_clear(&out);
    live_stop(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whoami),
        cmocka_unit_test(test_list_and_show_portals),
        cmocka_unit_test(test_create_seed_example_then_already_used),
        cmocka_unit_test(test_create_refusals_land_on_name),
        cmocka_unit_test(test_rename_portal),
        cmocka_unit_test(test_delete_portal_unsupported_nothing_sent),
        cmocka_unit_test(test_invalid_input_nothing_sent),
        cmocka_unit_test(test_user_types),
        cmocka_unit_test(test_list_users_and_filters),
        cmocka_unit_test(test_list_users_paging),
        cmocka_unit_test(test_invite_existing_contact_once),
        cmocka_unit_test(test_invite_creates_contact),
        cmocka_unit_test(test_invite_without_last_name_refused_on_field),
        cmocka_unit_test(test_bulk_invite_several_rows),
        cmocka_unit_test(test_bulk_invite_completes),
        cmocka_unit_test(test_deactivate_and_reactivate),
        cmocka_unit_test(test_remove_user),
        cmocka_unit_test(test_token_expiry_refreshed_transparently),
        cmocka_unit_test(test_refused_token_refreshed_once),
        cmocka_unit_test(test_read_only_token_no_permission),
        cmocka_unit_test(test_bad_credentials),
        cmocka_unit_test(test_grant_code_exchange),
        cmocka_unit_test(test_device_flow),
        cmocka_unit_test(test_unavailable_after_retries),
        cmocka_unit_test(test_create_reset_resolved_by_lookup),
        cmocka_unit_test(test_create_malformed_resolved_by_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
