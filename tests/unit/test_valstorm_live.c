/*
 * Valstorm adapter against the real portal-sim over real HTTP: every
 * operation of the table, success and documented refusals, with the
 * simulator's credentials of shared/api/valstorm.md §5 (PAT
 * sim-valstorm-admin / sim-valstorm-member, refresh token
 * sim-valstorm-refresh, the admin@sim.example login with 2FA code 123456).
 * The local state of known portals lives in a temporary $XDG_STATE_HOME per
 * test; what was and was not sent is read from the simulator's request log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "job_runner.h"
#include "temp_dir.h"
#include "sim_process.h"

#include <portalctl/secrets.h>
#include <portalctl/state.h>
#include <portalctl/valstorm_auth.h>
#include <portalctl/vendor_fields.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>

#define ADMIN       "sim-valstorm-admin"
#define MEMBER      "sim-valstorm-member"
#define REFRESH     "sim-valstorm-refresh"
#define DEMO_PORTAL "portal_demo1"
#define CONNECTION  "acme-valstorm"

/* ---- a simulator, an engine, sessions and a private state directory ------------- */

struct live {
    struct sim_process sim;
    struct net_engine *net;
    struct connection_config *config;
    GPtrArray *sessions; /* struct session *, freed at stop */
    char *state_home;    /* $XDG_STATE_HOME for this test */
};

static struct session *new_session(struct live *live)
{
    struct session *session = session_new(live->config, live->net, NULL);
    g_ptr_array_add(live->sessions, session);
    return session;
}

/* A session authenticated with a personal access token (NULL: none). */
static struct session *pat_session(struct live *live, const char *pat)
{
    struct session *session = new_session(live);
    if (pat)
        session_set_secret(session, SECRET_KIND_API_KEY, pat);
    return session;
}

static void live_start(struct live *live, const char *const args[])
{
    memset(live, 0, sizeof(*live));
    if (sim_process_start(&live->sim, args) != 0)
        fail_msg("portal-sim did not start");
    live->net = net_engine_new(NULL);
    assert_non_null(live->net);
    live->config = job_test_connection(CONFIG_VENDOR_VALSTORM, CONNECTION, live->sim.base_url);
    live->sessions = g_ptr_array_new();
    live->state_home = g_dir_make_tmp("valstorm-live-XXXXXX", NULL);
    assert_non_null(live->state_home);
    assert_int_equal(setenv("XDG_STATE_HOME", live->state_home, 1), 0);
}

static void live_stop(struct live *live)
{
    for (guint i = 0; i < live->sessions->len; i++)
        session_free(g_ptr_array_index(live->sessions, i));
    g_ptr_array_free(live->sessions, TRUE);
    net_engine_free(live->net);
    connection_config_free(live->config);
    temp_dir_remove(live->state_home);
    g_free(live->state_home);
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

/* ---- running operations ------------------------------------------------------------- */

/* Rows for an invite: count people "<prefix>-NNN@example.com". */
static GPtrArray *invite_rows(const char *prefix, int count)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)form_values_free);
    for (int i = 0; i < count; i++) {
        char email[96], first[32];
        g_snprintf(email, sizeof(email), "%s-%03d@example.com", prefix, i);
        g_snprintf(first, sizeof(first), "Person%d", i);
        g_ptr_array_add(rows,
                        job_row_of("email", email, "first_name", first, "last_name", "Test", NULL));
    }
    return rows;
}

static void run_invite(struct session *session, const char *portal, GPtrArray *rows,
                       struct job_outcome *out)
{
    struct vendor_request request = {
        .op = VOP_INVITE_USERS,
        .portal_id = portal,
        .rows = (struct form_values *const *)rows->pdata,
        .row_count = rows->len,
    };
    job_run(session, &request, out);
}

static void expect_ok(const struct job_outcome *out)
{
    if (out->error.kind != API_OK)
        fail_msg("expected success, got kind %d (HTTP %ld): %s", out->error.kind,
                 out->error.http_status, out->error.message);
}

static void expect_error(const struct job_outcome *out, enum api_error_kind kind, long status)
{
    if (out->error.kind != kind)
        fail_msg("expected error kind %d, got %d: %s", kind, out->error.kind,
                 out->error.message ? out->error.message : "(no message)");
    assert_int_equal(out->error.http_status, status);
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

static const struct record *find_email(const struct record_list *list, const char *email)
{
    for (size_t i = 0; i < list->count; i++) {
        if (g_strcmp0(record_get(&list->items[i], RECORD_EMAIL), email) == 0)
            return &list->items[i];
    }
    return NULL;
}

/* ---- the local state and the request log ---------------------------------------------- */

static GPtrArray *known_portals(void)
{
    GError *error = NULL;
    struct state *state = state_load(NULL, &error);
    assert_non_null(state);
    GPtrArray *portals = state_list_portals(state, CONNECTION);
    state_free(state);
    return portals;
}

static const struct known_portal *known(GPtrArray *portals, const char *id)
{
    for (guint i = 0; i < portals->len; i++) {
        const struct known_portal *portal = g_ptr_array_index(portals, i);
        if (strcmp(portal->id, id) == 0)
            return portal;
    }
    return NULL;
}

static void remember(const char *id, const char *name)
{
    GError *error = NULL;
    struct state *state = state_load(NULL, &error);
    assert_non_null(state);
    struct known_portal *portal = known_portal_new(id, name, NULL, PORTAL_ORIGIN_ADDED);
    assert_true(state_put_portal(state, CONNECTION, portal, &error));
    assert_true(state_save(state, &error));
    known_portal_free(portal);
    state_free(state);
}

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

/* Requests of method and path; with faulted, only those that got a fault. */
static int count_log(const struct live *live, const char *method, const char *path, bool faulted)
{
    GArray *entries = read_log(live);
    int n = 0;
    for (guint i = 0; i < entries->len; i++) {
        const struct log_entry *e = &g_array_index(entries, struct log_entry, i);
        if (strcmp(e->method, method) == 0 && strcmp(e->path, path) == 0 &&
            (!faulted || e->fault[0]))
            n++;
    }
    g_array_unref(entries);
    return n;
}

static int count_requests(const struct live *live, const char *method, const char *path)
{
    return count_log(live, method, path, false);
}

static char *users_path(const char *portal)
{
    return g_strdup_printf("/v1/portal/%s/users", portal);
}

/* A new portal through the adapter; returns its id (g_free). */
static char *create_portal(struct session *session, const char *name)
{
    struct job_outcome out;
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("name", name, NULL), NULL, &out);
    expect_ok(&out);
    char *id = g_strdup(record_get(&out.records.items[0], RECORD_ID));
    job_outcome_clear(&out);
    return id;
}

/* ---- credentials --------------------------------------------------------------------- */

static void test_whoami_probe_and_named_portal(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    struct job_outcome out;
    job_run_op(session, VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *me = &out.records.items[0];
    assert_string_equal(record_get(me, RECORD_STATUS), "credentials accepted");
    assert_string_equal(extra(&out.records, me, "credential"), "personal access token");
    assert_string_equal(extra(&out.records, me, "checked_with"),
                        "GET /v1/portal/__portalctl_probe__/users");
    assert_non_null(strstr(extra(&out.records, me, "answer"), "404 Portal not found"));
    assert_int_equal(count_requests(live, "GET", "/v1/portal/__portalctl_probe__/users"), 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_WHOAMI, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(extra(&out.records, &out.records.items[0], "answer"),
                        "200: portal portal_demo1 has 3 users");
    job_outcome_clear(&out);
}

static void test_member_is_refused(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, MEMBER);
    struct job_outcome out;
    job_run_op(session, VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 403);
    assert_non_null(strstr(out.error.message, "administrator"));
    job_outcome_clear(&out);
    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 403);
    job_outcome_clear(&out);
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("name", "Nope", NULL), NULL,
               &out);
    expect_error(&out, API_REFUSED, 403);
    assert_false(out.error.ambiguous);
    job_outcome_clear(&out);
    GPtrArray *portals = known_portals();
    assert_int_equal(portals->len, 0);
    g_ptr_array_unref(portals);
}

static void test_bad_pat_is_an_auth_error(void **state)
{
    struct live *live = *state;
    const char *pat = "not-a-valid-token-4f3c2b1a";
    struct job_outcome out;
    job_run_op(pat_session(live, pat), VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_AUTH, 401);
    assert_non_null(strstr(out.error.message, "portalctl auth set acme-valstorm"));
    assert_null(strstr(out.error.message, pat));
    /* A personal access token cannot be refreshed: sent once. */
    assert_int_equal(count_requests(live, "GET", "/v1/portal/__portalctl_probe__/users"), 1);
    assert_int_equal(count_requests(live, "POST", "/v1/oauth2/refresh"), 0);
    job_outcome_clear(&out);
}

static void test_missing_credentials_send_nothing(void **state)
{
    struct live *live = *state;
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(pat_session(live, NULL), VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_error(&out, API_AUTH, 0);
    assert_non_null(strstr(out.error.message, "portalctl auth login acme-valstorm"));
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    job_outcome_clear(&out);
}

static void test_refresh_is_transparent(void **state)
{
    struct live *live = *state;
    struct session *session = new_session(live);
    session_set_secret(session, SECRET_KIND_ACCESS_TOKEN, "expired-access-token-0001");
    session_set_secret(session, SECRET_KIND_REFRESH_TOKEN, REFRESH);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 3);
    job_outcome_clear(&out);
    char *path = users_path(DEMO_PORTAL);
    assert_int_equal(count_requests(live, "GET", path), 2); /* refused, then repeated */
    assert_int_equal(count_requests(live, "POST", "/v1/oauth2/refresh"), 1);
    assert_non_null(session_access_token(session));

    /* The new token is used from now on: no second refresh. */
    job_run_op(session, VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(extra(&out.records, &out.records.items[0], "credential"),
                        "access token from a login");
    job_outcome_clear(&out);
    assert_int_equal(count_requests(live, "POST", "/v1/oauth2/refresh"), 1);

    /* Only a refresh token: refreshed before the first call. */
    struct session *fresh = new_session(live);
    session_set_secret(fresh, SECRET_KIND_REFRESH_TOKEN, REFRESH);
    job_run_op(fresh, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    job_outcome_clear(&out);
    assert_int_equal(count_requests(live, "POST", "/v1/oauth2/refresh"), 2);
    assert_int_equal(count_requests(live, "GET", path), 3);
    g_free(path);
}

static void test_refused_refresh_token(void **state)
{
    struct live *live = *state;
    struct session *session = new_session(live);
    session_set_secret(session, SECRET_KIND_ACCESS_TOKEN, "expired-access-token-0002");
    session_set_secret(session, SECRET_KIND_REFRESH_TOKEN, "revoked-refresh-token");
    struct job_outcome out;
    job_run_op(session, VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_error(&out, API_AUTH, 401);
    assert_non_null(strstr(out.error.message, "Invalid refresh token"));
    assert_non_null(strstr(out.error.message, "portalctl auth login acme-valstorm"));
    assert_null(strstr(out.error.message, "revoked-refresh-token"));
    job_outcome_clear(&out);
}

/* ---- the password login ----------------------------------------------------------------- */

struct login_run {
    const char *code; /* what the person types when asked */
    int asked;
    char *asked_email;
    bool done;
    char *access_token;
    char *refresh_token;
    struct api_error error;
};

static void on_code_needed(struct valstorm_login *login, const char *email, void *user)
{
    struct login_run *run = user;
    run->asked++;
    run->asked_email = g_strdup(email);
    if (run->code)
        valstorm_login_submit_code(login, run->code);
    else
        valstorm_login_cancel(login);
}

static void on_login_done(const struct valstorm_tokens *tokens, const struct api_error *error,
                          void *user)
{
    struct login_run *run = user;
    assert_false(run->done);
    run->done = true;
    if (tokens) {
        run->access_token = g_strdup(tokens->access_token);
        run->refresh_token = g_strdup(tokens->refresh_token);
    } else {
        api_error_copy(&run->error, error);
    }
}

static void run_login(struct live *live, struct session *session, const char *username,
                      const char *password, struct login_run *run)
{
    api_error_init(&run->error);
    struct valstorm_login_events events = {on_code_needed, on_login_done, run};
    char *typed = g_strdup(password);
    valstorm_login_start(session, username, typed, &events);
    secret_wipe(typed); /* the request is submitted: the caller's copy can go */
    g_free(typed);
    net_engine_run(live->net);
    assert_true(run->done);
}

static void login_run_clear(struct login_run *run)
{
    g_free(run->asked_email);
    g_free(run->access_token);
    g_free(run->refresh_token);
    api_error_clear(&run->error);
}

static void test_login_with_2fa(void **state)
{
    struct live *live = *state;
    struct session *session = new_session(live);
    struct login_run run_ok = {.code = "123456"};
    run_login(live, session, "admin@sim.example", "Passw0rd!", &run_ok);
    assert_int_equal(run_ok.error.kind, API_OK);
    assert_int_equal(run_ok.asked, 1);
    assert_string_equal(run_ok.asked_email, "admin@sim.example");
    assert_non_null(run_ok.access_token);
    assert_non_null(run_ok.refresh_token);
    assert_int_equal(count_requests(live, "POST", "/v1/oauth2/login"), 1);
    assert_int_equal(count_requests(live, "POST", "/v1/oauth2/verify-2fa"), 1);

    /* The session holds the tokens: portal calls work without a PAT. */
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 3);
    job_outcome_clear(&out);

    /* A fresh session with the stored tokens, as the next run would have. */
    struct session *next = new_session(live);
    session_set_secret(next, SECRET_KIND_ACCESS_TOKEN, run_ok.access_token);
    session_set_secret(next, SECRET_KIND_REFRESH_TOKEN, run_ok.refresh_token);
    job_run_op(next, VOP_WHOAMI, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    job_outcome_clear(&out);
    login_run_clear(&run_ok);
}

static void test_login_refusals(void **state)
{
    struct live *live = *state;
    struct login_run wrong_code = {.code = "000000"};
    run_login(live, new_session(live), "admin@sim.example", "Passw0rd!", &wrong_code);
    assert_int_equal(wrong_code.error.kind, API_AUTH);
    assert_int_equal(wrong_code.error.http_status, 401);
    assert_non_null(strstr(wrong_code.error.message, "Invalid 2FA code"));
    assert_null(wrong_code.access_token);
    login_run_clear(&wrong_code);

    struct login_run wrong_password = {.code = "123456"};
    run_login(live, new_session(live), "admin@sim.example", "wrong-password-77", &wrong_password);
    assert_int_equal(wrong_password.error.kind, API_AUTH);
    assert_int_equal(wrong_password.asked, 0);
    assert_non_null(strstr(wrong_password.error.message, "Incorrect username or password"));
    assert_null(strstr(wrong_password.error.message, "wrong-password-77"));
    login_run_clear(&wrong_password);

    struct login_run cancelled = {.code = NULL};
    run_login(live, new_session(live), "admin@sim.example", "Passw0rd!", &cancelled);
    assert_int_equal(cancelled.error.kind, API_CANCELLED);
    login_run_clear(&cancelled);

    int before = sim_process_log_lines(&live->sim);
    struct login_run empty = {.code = "123456"};
    run_login(live, new_session(live), "admin@sim.example", "", &empty);
    assert_int_equal(empty.error.kind, API_INVALID_INPUT);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    login_run_clear(&empty);
}

/* ---- portals: the local list ---------------------------------------------------------------- */

static void test_list_and_show_portals_are_local(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 0);
    assert_true(out.progress_lines >= 1);
    job_outcome_clear(&out);

    remember(DEMO_PORTAL, "Customer Hub");
    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *demo = &out.records.items[0];
    assert_string_equal(record_get(demo, RECORD_ID), DEMO_PORTAL);
    assert_string_equal(record_get(demo, RECORD_NAME), "Customer Hub");
    assert_string_equal(record_get(demo, RECORD_STATUS), "known locally");
    assert_string_equal(extra(&out.records, demo, "known_by"), "added");
    job_outcome_clear(&out);

    job_run_op(session, VOP_GET_PORTAL, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "known locally");
    assert_int_equal(out.progress_lines, 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_GET_PORTAL, "portal_unknown99", NULL, NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0);
    assert_non_null(strstr(out.error.message, "portalctl portals add acme-valstorm"));
    job_outcome_clear(&out);

    /* Nothing of this went to Valstorm, and no credential was needed. */
    job_run_op(pat_session(live, NULL), VOP_LIST_PORTALS, NULL, NULL, NULL, "customer", &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
}

/* ---- portals: create, update, delete --------------------------------------------------------- */

static void test_create_portal_is_remembered(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    struct job_outcome out;
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL,
               job_row_of("name", "  Partner Hub  ", "custom_domain", "help.acme.com", NULL), NULL,
               &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    const struct record *portal = &out.records.items[0];
    const char *id = record_get(portal, RECORD_ID);
    assert_true(g_str_has_prefix(id, "portal_"));
    assert_string_equal(record_get(portal, RECORD_NAME), "Partner Hub");
    assert_string_equal(record_get(portal, RECORD_URL), "help.acme.com");
    assert_string_equal(record_get(portal, RECORD_STATUS), "created");
    assert_string_equal(extra(&out.records, portal, "organization_id"), "org_sim");

    GPtrArray *portals = known_portals();
    const struct known_portal *mine = known(portals, id);
    assert_non_null(mine);
    assert_string_equal(mine->name, "Partner Hub");
    assert_string_equal(mine->custom_domain, "help.acme.com");
    assert_int_equal(mine->origin, PORTAL_ORIGIN_CREATED);
    g_ptr_array_unref(portals);

    struct job_outcome listed;
    job_run_op(session, VOP_LIST_PORTALS, NULL, NULL, NULL, NULL, &listed);
    expect_ok(&listed);
    assert_int_equal(listed.records.count, 1);
    assert_string_equal(record_get(&listed.records.items[0], RECORD_ID), id);
    assert_string_equal(extra(&listed.records, &listed.records.items[0], "known_by"), "created");
    job_outcome_clear(&listed);
    job_outcome_clear(&out);
    assert_int_equal(count_requests(live, "POST", "/v1/portal"), 1);
}

static void test_create_portal_invalid_sends_nothing(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL,
               job_row_of("custom_domain", "https://help.acme.com/portal", NULL), NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0);
    assert_non_null(api_error_field_message(&out.error, "name", -1));
    assert_non_null(api_error_field_message(&out.error, "custom_domain", -1));
    job_outcome_clear(&out);
    job_run_op(session, VOP_UPDATE_PORTAL, DEMO_PORTAL, NULL, job_row_of("name", "  ", NULL), NULL,
               &out);
    expect_error(&out, API_INVALID_INPUT, 0);
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
}

static void test_update_portal(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    char *id = create_portal(session, "Old Name");
    struct job_outcome out;
    job_run_op(session, VOP_UPDATE_PORTAL, id, NULL,
               job_row_of("name", "New Name", "custom_domain", "portal.acme.com", NULL), NULL,
               &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_NAME), "New Name");
    assert_string_equal(record_get(&out.records.items[0], RECORD_URL), "portal.acme.com");
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "updated");
    job_outcome_clear(&out);
    GPtrArray *portals = known_portals();
    assert_string_equal(known(portals, id)->name, "New Name");
    assert_string_equal(known(portals, id)->custom_domain, "portal.acme.com");
    assert_int_equal(known(portals, id)->origin, PORTAL_ORIGIN_CREATED);
    g_ptr_array_unref(portals);

    /* A portal made elsewhere, changed by id: remembered as "added". */
    job_run_op(session, VOP_UPDATE_PORTAL, DEMO_PORTAL, NULL, job_row_of("name", "Hub 2", NULL),
               NULL, &out);
    expect_ok(&out);
    job_outcome_clear(&out);
    portals = known_portals();
    assert_int_equal(known(portals, DEMO_PORTAL)->origin, PORTAL_ORIGIN_ADDED);
    assert_string_equal(known(portals, DEMO_PORTAL)->custom_domain, "help.sim.example");
    g_ptr_array_unref(portals);

    job_run_op(session, VOP_UPDATE_PORTAL, "portal_nope00001", NULL, job_row_of("name", "X", NULL),
               NULL, &out);
    expect_error(&out, API_REFUSED, 404);
    assert_non_null(strstr(out.error.message, "portal_nope00001"));
    job_outcome_clear(&out);
    g_free(id);
}

static void test_delete_portal_then_404(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    char *id = create_portal(session, "Short Lived");
    struct job_outcome out;
    job_run_op(session, VOP_DELETE_PORTAL, id, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "deleted");
    job_outcome_clear(&out);
    GPtrArray *portals = known_portals();
    assert_null(known(portals, id));
    g_ptr_array_unref(portals);

    /* Gone at Valstorm and forgotten here: a plain 404. */
    job_run_op(session, VOP_DELETE_PORTAL, id, NULL, NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404);
    assert_non_null(strstr(out.error.message, "Portal not found"));
    job_outcome_clear(&out);
    char *path = g_strdup_printf("/v1/portal/%s", id);
    assert_int_equal(count_requests(live, "DELETE", path), 2);
    g_free(path);
    g_free(id);
}

static void test_portal_deleted_elsewhere_is_forgotten(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    remember("portal_gone00001", "Gone One");
    remember("portal_gone00002", "Gone Two");
    struct job_outcome out;
    job_run_op(session, VOP_DELETE_PORTAL, "portal_gone00001", NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS),
                        "already deleted elsewhere");
    assert_int_equal(out.progress_lines, 1);
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_USERS, "portal_gone00002", NULL, NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404);
    assert_non_null(strstr(out.error.message, "forgotten it locally"));
    job_outcome_clear(&out);
    GPtrArray *portals = known_portals();
    assert_int_equal(portals->len, 0);
    g_ptr_array_unref(portals);
}

/* ---- users -------------------------------------------------------------------------------------
 */

static void test_list_users_of_1200(void **state)
{
    (void)state;
    struct live live;
    const char *const args[] = {"--seed-users", "1200", NULL};
    live_start(&live, args);
    struct session *session = pat_session(&live, ADMIN);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1203);
    const struct record *alex = find_email(&out.records, "alex.morgan@example.org");
    assert_non_null(alex);
    assert_string_equal(record_get(alex, RECORD_ID), "user_demo1");
    assert_string_equal(record_get(alex, RECORD_NAME), "Alex Morgan");
    assert_string_equal(record_get(alex, RECORD_STATUS), "active");
    assert_string_equal(extra(&out.records, alex, "portal_id"), DEMO_PORTAL);
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < out.records.count; i++)
        g_hash_table_add(ids, (char *)record_get(&out.records.items[i], RECORD_ID));
    assert_int_equal(g_hash_table_size(ids), 1203);
    g_hash_table_unref(ids);
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, "PRIYA", &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 1);
    job_outcome_clear(&out);
    char *path = users_path(DEMO_PORTAL);
    assert_int_equal(count_requests(&live, "GET", path), 2);
    g_free(path);
    live_stop(&live);
}

static void test_invite_250_in_3_batches(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    char *id = create_portal(session, "Bulk Hub");
    /* ann is a member before the bulk invite. */
    GPtrArray *first = g_ptr_array_new_with_free_func((GDestroyNotify)form_values_free);
    g_ptr_array_add(first, job_row_of("email", "ann@example.com", "first_name", "Ann", NULL));
    struct job_outcome out;
    run_invite(session, id, first, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "invited");
    job_outcome_clear(&out);
    g_ptr_array_unref(first);

    GPtrArray *rows = invite_rows("bulk", 250);
    form_values_set(rows->pdata[10], "email", "carol@example.com");
    form_values_set(rows->pdata[180], "email", "ANN@example.com");
    run_invite(session, id, rows, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 250);
    for (size_t i = 0; i < 250; i++) {
        const struct record *record = &out.records.items[i];
        char number[8];
        g_snprintf(number, sizeof(number), "%zu", i + 1);
        assert_string_equal(extra(&out.records, record, "row"), number);
        const char *status = record_get(record, RECORD_STATUS);
        if (i == 10) {
            assert_string_equal(status, "linked");
            assert_string_equal(record_get(record, RECORD_ID), "user_carol1");
        } else if (i == 180) {
            assert_string_equal(status, "already a member");
        } else {
            assert_string_equal(status, "invited");
            assert_true(g_str_has_prefix(record_get(record, RECORD_ID), "user_"));
            assert_string_equal(record_get(record, RECORD_EMAIL),
                                form_values_get(rows->pdata[i], "email"));
        }
    }
    job_outcome_clear(&out);
    char *path = users_path(id);
    assert_int_equal(count_requests(live, "POST", path), 1 + 3);
    assert_int_equal(count_requests(live, "GET", path), 0); /* every answer was clear */

    job_run_op(session, VOP_LIST_USERS, id, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 250); /* ann, carol and 248 new */
    job_outcome_clear(&out);

    /* The same invite again: every row is already a member; nothing doubles. */
    run_invite(session, id, rows, &out);
    expect_ok(&out);
    for (size_t i = 0; i < 250; i++)
        assert_string_equal(record_get(&out.records.items[i], RECORD_STATUS), "already a member");
    job_outcome_clear(&out);
    job_run_op(session, VOP_LIST_USERS, id, NULL, NULL, NULL, &out);
    assert_int_equal(out.records.count, 250);
    job_outcome_clear(&out);
    g_free(path);
    g_ptr_array_unref(rows);
    g_free(id);
}

/* row 137 passes portalctl's own e-mail check but not Valstorm's (a
 * special-use domain): the server's 422 lands on row 137, field email; the
 * rest of its batch goes again without it. */
static void test_invite_422_lands_on_the_row(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    char *id = create_portal(session, "Validation Hub");
    GPtrArray *rows = invite_rows("check", 250);
    form_values_set(rows->pdata[137], "email", "row137@mail.test");
    struct job_outcome out;
    run_invite(session, id, rows, &out);
    expect_error(&out, API_REFUSED, 0);
    assert_false(out.error.ambiguous);
    const char *message = api_error_field_message(&out.error, "email", 137);
    assert_non_null(message);
    assert_non_null(strstr(message, "special-use or reserved name"));
    assert_int_equal(out.error.fields->len, 1);
    assert_non_null(strstr(out.error.message, "row 138 (row137@mail.test)"));
    assert_int_equal(out.records.count, 250);
    assert_string_equal(record_get(&out.records.items[137], RECORD_STATUS), "failed");
    assert_string_equal(record_get(&out.records.items[136], RECORD_STATUS), "invited");
    assert_string_equal(record_get(&out.records.items[138], RECORD_STATUS), "invited");
    job_outcome_clear(&out);
    char *path = users_path(id);
    assert_int_equal(count_requests(live, "POST", path), 3 + 1); /* batch 2 again, without it */
    job_run_op(session, VOP_LIST_USERS, id, NULL, NULL, NULL, &out);
    assert_int_equal(out.records.count, 249);
    job_outcome_clear(&out);
    g_free(path);
    g_ptr_array_unref(rows);
    g_free(id);
}

static void test_invite_invalid_rows_send_nothing(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    GPtrArray *rows = invite_rows("nothing", 5);
    form_values_set(rows->pdata[1], "email", "bo.example.com");
    form_values_set(rows->pdata[3], "nickname", "Bobby");
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    run_invite(session, DEMO_PORTAL, rows, &out);
    expect_error(&out, API_INVALID_INPUT, 0);
    assert_non_null(api_error_field_message(&out.error, "email", 1));
    assert_non_null(api_error_field_message(&out.error, "nickname", 3));
    assert_non_null(strstr(out.error.message, "2 of 5 rows"));
    job_outcome_clear(&out);

    GPtrArray *none = g_ptr_array_new();
    run_invite(session, DEMO_PORTAL, none, &out);
    expect_error(&out, API_INVALID_INPUT, 0);
    job_outcome_clear(&out);
    g_ptr_array_unref(none);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
    g_ptr_array_unref(rows);
}

static void test_invite_into_unknown_portal_stops(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    GPtrArray *rows = invite_rows("lost", 450);
    struct job_outcome out;
    run_invite(session, "portal_nope00002", rows, &out);
    expect_error(&out, API_REFUSED, 404);
    assert_non_null(strstr(out.error.message, "Portal not found"));
    assert_int_equal(out.records.count, 450);
    for (size_t i = 0; i < 450; i++)
        assert_string_equal(record_get(&out.records.items[i], RECORD_STATUS), "failed");
    /* At most the batches already in flight were sent; the fifth never. */
    assert_true(count_requests(live, "POST", "/v1/portal/portal_nope00002/users") <= 4);
    job_outcome_clear(&out);
    g_ptr_array_unref(rows);
}

static void test_remove_user(void **state)
{
    struct live *live = *state;
    struct session *session = pat_session(live, ADMIN);
    struct job_outcome out;
    job_run_op(session, VOP_REMOVE_USER, DEMO_PORTAL, "user_demo2", NULL, NULL, &out);
    expect_ok(&out);
    assert_string_equal(record_get(&out.records.items[0], RECORD_ID), "user_demo2");
    assert_string_equal(record_get(&out.records.items[0], RECORD_STATUS), "removed");
    job_outcome_clear(&out);

    job_run_op(session, VOP_REMOVE_USER, DEMO_PORTAL, "user_demo2", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404);
    assert_non_null(strstr(out.error.message, "User not found"));
    job_outcome_clear(&out);

    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    assert_int_equal(out.records.count, 2);
    assert_null(find_email(&out.records, "priya.shah@example.org"));
    job_outcome_clear(&out);

    /* The target is a path segment: it cannot change the URL's shape. */
    job_run_op(session, VOP_REMOVE_USER, DEMO_PORTAL, "../../portal_demo1", NULL, NULL, &out);
    expect_error(&out, API_REFUSED, 404);
    job_outcome_clear(&out);
    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    assert_int_equal(out.records.count, 2);
    job_outcome_clear(&out);
}

static void test_read_only_connection_sends_nothing(void **state)
{
    struct live *live = *state;
    live->config->read_only = true;
    struct session *session = pat_session(live, ADMIN);
    live->config->read_only = false;
    int before = sim_process_log_lines(&live->sim);
    struct job_outcome out;
    job_run_op(session, VOP_DELETE_PORTAL, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_error(&out, API_INVALID_INPUT, 0);
    job_outcome_clear(&out);
    assert_int_equal(sim_process_log_lines(&live->sim), before);
}

/* ---- faults -------------------------------------------------------------------------------------
 */

static void test_503_everywhere_is_a_network_error(void **state)
{
    (void)state;
    struct live live;
    const char *const args[] = {"--fault-rate", "1", "--fault-kinds", "503", NULL};
    live_start(&live, args);
    struct session *session = pat_session(&live, ADMIN);
    struct job_outcome out;
    job_run_op(session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_error(&out, API_NETWORK, 503);
    char *path = users_path(DEMO_PORTAL);
    assert_int_equal(count_requests(&live, "GET", path), 4); /* 1 + 3 retries */
    job_outcome_clear(&out);

    /* A create is sent once and never repeated. */
    job_run_op(session, VOP_CREATE_PORTAL, NULL, NULL, job_row_of("name", "Busy", NULL), NULL,
               &out);
    expect_error(&out, API_NETWORK, 503);
    assert_int_equal(count_requests(&live, "POST", "/v1/portal"), 1);
    job_outcome_clear(&out);

    /* An invite is sent once per batch, then checked; the check fails too. */
    GPtrArray *rows = invite_rows("busy", 3);
    run_invite(session, DEMO_PORTAL, rows, &out);
    expect_error(&out, API_NETWORK, 0);
    assert_true(out.error.ambiguous);
    assert_non_null(api_error_field_message(&out.error, NULL, 2));
    assert_int_equal(count_requests(&live, "POST", path), 1);
    assert_int_equal(count_requests(&live, "GET", path), 4 + 4);
    job_outcome_clear(&out);
    g_ptr_array_unref(rows);
    g_free(path);
    live_stop(&live);
}

/* Valstorm cannot look a portal up by name: a create without a clear answer
 * is reported as ambiguous, with what to do, and never sent again. */
static void test_unclear_create_is_ambiguous(void **state)
{
    (void)state;
    static const char *const kinds[] = {"reset", "truncate"};
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        struct live live;
        const char *const args[] = {"--fault-rate", "1", "--fault-kinds", kinds[k], NULL};
        live_start(&live, args);
        struct job_outcome out;
        job_run_op(pat_session(&live, ADMIN), VOP_CREATE_PORTAL, NULL, NULL,
                   job_row_of("name", "Maybe Hub", NULL), NULL, &out);
        expect_error(&out, API_NETWORK, out.error.http_status);
        assert_true(out.error.ambiguous);
        assert_non_null(strstr(out.error.message, "the portal \"Maybe Hub\""));
        /* A reset came before Valstorm saw it; a cut-short 201 after it made it. */
        assert_non_null(strstr(out.error.message,
                               k == 0 ? "could not tell whether" : "Valstorm created the portal"));
        assert_non_null(strstr(out.error.message, "no way to look a portal up by name"));
        assert_non_null(strstr(out.error.message, "portalctl portals add acme-valstorm"));
        assert_int_equal(count_requests(&live, "POST", "/v1/portal"), 1);
        job_outcome_clear(&out);
        GPtrArray *portals = known_portals();
        assert_int_equal(portals->len, 0);
        g_ptr_array_unref(portals);
        live_stop(&live);
    }
}

/* Members of portal_demo1 whose address starts with prefix, asked of a
 * fault-free simulator on the saved state; asserts no address twice. */
static int members_with_prefix(const char *state_path, const char *prefix)
{
    struct live live;
    const char *const args[] = {"--state", state_path, NULL};
    live_start(&live, args);
    struct job_outcome out;
    job_run_op(pat_session(&live, ADMIN), VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    expect_ok(&out);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    int n = 0;
    for (size_t i = 0; i < out.records.count; i++) {
        const char *email = record_get(&out.records.items[i], RECORD_EMAIL);
        assert_false(g_hash_table_contains(seen, email));
        g_hash_table_add(seen, (char *)email);
        n += g_str_has_prefix(email, prefix);
    }
    g_hash_table_unref(seen);
    job_outcome_clear(&out);
    live_stop(&live);
    return n;
}

/* 300 rows under resets and cut-short answers: unclear batches are checked
 * and only the missing rows re-sent; running the same invite again (as a
 * person would after a failure) settles the rest. Exactly 300 members. */
static void test_faulted_invite_is_exactly_once(void **state)
{
    (void)state;
    char *dir = g_dir_make_tmp("valstorm-faults-XXXXXX", NULL);
    char *state_path = g_build_filename(dir, "state.json", NULL);
    const char *const args[] = {"--fault-rate",   "0.3",          "--fault-kinds",
                                "reset,truncate", "--fault-seed", "7",
                                "--state",        state_path,     NULL};
    struct live live;
    live_start(&live, args);
    struct session *session = pat_session(&live, ADMIN);
    GPtrArray *rows = invite_rows("fault", 300);
    bool all_done = false;
    int runs = 0;
    for (; runs < 8 && !all_done; runs++) {
        struct job_outcome out;
        run_invite(session, DEMO_PORTAL, rows, &out);
        assert_int_equal(out.records.count, 300);
        all_done = out.error.kind == API_OK;
        for (size_t i = 0; i < 300; i++) {
            const char *status = record_get(&out.records.items[i], RECORD_STATUS);
            assert_true(strcmp(status, "invited") == 0 || strcmp(status, "already a member") == 0 ||
                        (!all_done && strcmp(status, "failed") == 0));
        }
        if (!all_done) /* only unclear answers may fail a row here */
            assert_int_equal(out.error.kind, API_NETWORK);
        job_outcome_clear(&out);
    }
    assert_true(all_done);
    char *path = users_path(DEMO_PORTAL);
    /* The faults hit invites, and the check of members ran. */
    assert_true(count_log(&live, "POST", path, true) >= 1);
    assert_true(count_requests(&live, "GET", path) >= 1);
    print_message("faulted invite: %d job_run_op(s), %d POSTs (%d faulted), %d member checks\n",
                  runs, count_requests(&live, "POST", path), count_log(&live, "POST", path, true),
                  count_requests(&live, "GET", path));
    g_free(path);
    live_stop(&live);
    g_ptr_array_unref(rows);

    assert_int_equal(members_with_prefix(state_path, "fault-"), 300);
    g_unlink(state_path);
    g_rmdir(dir);
    g_free(state_path);
    g_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_whoami_probe_and_named_portal),
        T(test_member_is_refused),
        T(test_bad_pat_is_an_auth_error),
        T(test_missing_credentials_send_nothing),
        T(test_refresh_is_transparent),
        T(test_refused_refresh_token),
        T(test_login_with_2fa),
        T(test_login_refusals),
        T(test_list_and_show_portals_are_local),
        T(test_create_portal_is_remembered),
        T(test_create_portal_invalid_sends_nothing),
        T(test_update_portal),
        T(test_delete_portal_then_404),
        T(test_portal_deleted_elsewhere_is_forgotten),
        cmocka_unit_test(test_list_users_of_1200),
        T(test_invite_250_in_3_batches),
        T(test_invite_422_lands_on_the_row),
        T(test_invite_invalid_rows_send_nothing),
        T(test_invite_into_unknown_portal_stops),
        T(test_remove_user),
        T(test_read_only_connection_sends_nothing),
        cmocka_unit_test(test_503_everywhere_is_a_network_error),
        cmocka_unit_test(test_unclear_create_is_ambiguous),
        cmocka_unit_test(test_faulted_invite_is_exactly_once),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
