/*
 * portal-sim, Zoho CRM v7: every endpoint's success and documented errors,
 * driven through sim_vendor_zoho.handle() with hand-built requests (no
 * socket): OAuth grants, device flow, token expiry, portals and their name
 * rules, user types, users with paging, invitations one by one and in bulk
 * jobs, status changes, removal, transfer, contacts, save/load and a large
 * seeded portal. The seed's request body comes from tests/fixtures/zoho/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <portalctl/sim/sim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fixture.h"
#include <json-c/json.h>

#define CLIENT_ID     "sim-zoho-client"
#define CLIENT_SECRET "sim-zoho-secret"
#define BASE_URL      "http://sim.test:8080"

/* NULL-terminated name/value lists for query and form parameters. */
#define PARAMS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ------------------------------------------------------------ helpers */

struct answer {
    int status;
    char *body; /* NULL for no body */
    json_object *json;
};

static void answer_clear(struct answer *a)
{
    json_object_put(a->json);
    g_free(a->body);
    memset(a, 0, sizeof(*a));
}

static void add_pairs(struct sim_pairs *pairs, const char *const list[])
{
    for (size_t i = 0; list && list[i]; i += 2)
        sim_pairs_add(pairs, list[i], list[i + 1]);
}

static struct answer send_request(void *state, const char *method, const char *path,
                                  const char *token, const char *body, const char *const query[],
                                  const char *const form[])
{
    struct sim_request req;
    sim_request_init(&req, method, path, body);
    if (token) {
        char *auth = g_strconcat("Zoho-oauthtoken ", token, NULL);
        sim_pairs_add(&req.headers, "authorization", auth);
        g_free(auth);
    }
    if (form)
        sim_pairs_add(&req.headers, "content-type", "application/x-www-form-urlencoded");
    add_pairs(&req.query, query);
    add_pairs(&req.form, form);
    struct sim_response resp;
    sim_response_init(&resp);
    sim_vendor_zoho.handle(state, &req, &resp);
    struct answer a = {.status = resp.status};
    if (resp.body) {
        assert_int_equal(strlen(resp.body), resp.body_len);
        a.body = g_strdup(resp.body);
        if (strncmp(resp.content_type, "application/json", 16) == 0) {
            a.json = json_tokener_parse(a.body);
            if (!a.json)
                fail_msg("answer is not JSON: %s", a.body);
        }
    }
    sim_response_clear(&resp);
    sim_request_clear(&req);
    return a;
}

static struct answer crm(void *state, const char *method, const char *path, const char *token,
                         const char *body, const char *const query[])
{
    return send_request(state, method, path, token, body, query, NULL);
}

static struct answer oauth_form(void *state, const char *path, const char *const form[])
{
    return send_request(state, "POST", path, NULL, "", NULL, form);
}

/* A json-c value at a path such as "portals[0].details.name"; NULL when absent. */
static json_object *at(json_object *root, const char *path)
{
    char **parts = g_strsplit(path, ".", -1);
    json_object *cur = root;
    for (size_t i = 0; cur && parts[i]; i++) {
        char *bracket = strchr(parts[i], '[');
        if (bracket)
            *bracket = '\0';
        if (parts[i][0] && !json_object_object_get_ex(cur, parts[i], &cur))
            cur = NULL;
        for (char *b = bracket; cur && b; b = strchr(b + 1, '[')) {
            size_t index = strtoul(b + 1, NULL, 10);
            cur = json_object_is_type(cur, json_type_array) && index < json_object_array_length(cur)
                      ? json_object_array_get_idx(cur, index)
                      : NULL;
        }
    }
    g_strfreev(parts);
    return cur;
}

static const char *str_at(json_object *root, const char *path)
{
    json_object *v = at(root, path);
    if (!json_object_is_type(v, json_type_string))
        fail_msg("no string at %s in %s", path, json_object_to_json_string(root));
    return json_object_get_string(v);
}

static int64_t int_at(json_object *root, const char *path)
{
    json_object *v = at(root, path);
    if (!json_object_is_type(v, json_type_int))
        fail_msg("no integer at %s in %s", path, json_object_to_json_string(root));
    return json_object_get_int64(v);
}

static bool bool_at(json_object *root, const char *path)
{
    json_object *v = at(root, path);
    if (!json_object_is_type(v, json_type_boolean))
        fail_msg("no boolean at %s in %s", path, json_object_to_json_string(root));
    return json_object_get_boolean(v);
}

static size_t len_at(json_object *root, const char *path)
{
    json_object *v = at(root, path);
    if (!json_object_is_type(v, json_type_array))
        fail_msg("no array at %s in %s", path, json_object_to_json_string(root));
    return json_object_array_length(v);
}

/* A Zoho error: status, code, and "status":"error", bare or first in key's array. */
static void assert_zoho_error(const struct answer *a, int status, const char *key, const char *code)
{
    if (a->status != status)
        fail_msg("status %d, wanted %d: %s", a->status, status, a->body ? a->body : "");
    char *prefix = key ? g_strdup_printf("%s[0].", key) : g_strdup("");
    char *code_path = g_strconcat(prefix, "code", NULL);
    char *status_path = g_strconcat(prefix, "status", NULL);
    char *details_path = g_strconcat(prefix, "details", NULL);
    char *message_path = g_strconcat(prefix, "message", NULL);
    assert_string_equal(str_at(a->json, code_path), code);
    assert_string_equal(str_at(a->json, status_path), "error");
    assert_true(json_object_is_type(at(a->json, details_path), json_type_object));
    assert_true(strlen(str_at(a->json, message_path)) > 0);
    if (!key) /* bare means bare: no resource array around it */
        assert_int_equal(json_object_object_length(a->json), 4);
    g_free(prefix);
    g_free(code_path);
    g_free(status_path);
    g_free(details_path);
    g_free(message_path);
}

static void assert_oauth_error(const struct answer *a, const char *error)
{
    assert_int_equal(a->status, 200); /* Zoho Accounts: errors with HTTP 200 */
    assert_string_equal(str_at(a->json, "error"), error);
    assert_null(at(a->json, "access_token"));
}

static void assert_no_content(const struct answer *a)
{
    if (a->status != 204 || a->body)
        fail_msg("wanted 204 without a body, got %d: %s", a->status, a->body ? a->body : "");
}

static struct answer refresh_grant(void *state, const char *refresh_token)
{
    return oauth_form(state, "/oauth/v2/token",
                      PARAMS("grant_type", "refresh_token", "client_id", CLIENT_ID, "client_secret",
                             CLIENT_SECRET, "refresh_token", refresh_token));
}

static char *access_token(void *state, const char *refresh_token)
{
    struct answer a = refresh_grant(state, refresh_token);
    assert_int_equal(a.status, 200);
    char *token = g_strdup(str_at(a.json, "access_token"));
    answer_clear(&a);
    return token;
}

static void *new_state(int ttl)
{
    struct sim_options options = {.base_url = BASE_URL, .zoho_token_ttl = ttl, .seed = 42};
    void *state = sim_vendor_zoho.create(&options);
    assert_non_null(state);
    return state;
}

/* ------------------------------------------------------------ fixture */

struct world {
    void *state;
    char *token;     /* full rights */
    char *ro_token;  /* from sim-zoho-readonly */
    char *customers; /* CustomerHub's Customers user type id */
    char *partners;  /* PartnerDesk's Partners user type id */
};

static char *first_user_type(struct world *w, const char *portal)
{
    char *path = g_strdup_printf("/crm/v7/settings/portals/%s/user_type", portal);
    struct answer a = crm(w->state, "GET", path, w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    char *id = g_strdup(str_at(a.json, "user_type[0].id"));
    answer_clear(&a);
    g_free(path);
    return id;
}

static int setup(void **ctx)
{
    struct world *w = g_new0(struct world, 1);
    w->state = new_state(3600);
    w->token = access_token(w->state, "sim-zoho-refresh");
    w->ro_token = access_token(w->state, "sim-zoho-readonly");
    w->customers = first_user_type(w, "CustomerHub");
    w->partners = first_user_type(w, "PartnerDesk");
    *ctx = w;
    return 0;
}

static int teardown(void **ctx)
{
    struct world *w = *ctx;
    sim_vendor_zoho.destroy(w->state);
    g_free(w->token);
    g_free(w->ro_token);
    g_free(w->customers);
    g_free(w->partners);
    g_free(w);
    return 0;
}

static char *users_path(const char *portal, const char *type, const char *rest)
{
    return g_strdup_printf("/crm/v7/settings/portals/%s/user_type/%s/users%s", portal, type,
                           rest ? rest : "");
}

/* The record id of the (first) contact with this e-mail. */
static char *contact_id(struct world *w, const char *email)
{
    struct answer a =
        crm(w->state, "GET", "/crm/v7/Contacts/search", w->token, NULL, PARAMS("email", email));
    assert_int_equal(a.status, 200);
    char *id = g_strdup(str_at(a.json, "data[0].id"));
    answer_clear(&a);
    return id;
}

static int64_t users_total(struct world *w, const char *portal, const char *type,
                           const char *selection)
{
    char *path = users_path(portal, type, NULL);
    struct answer a = crm(w->state, "GET", path, w->token, NULL, PARAMS("type", selection));
    g_free(path);
    int64_t total = a.status == 204 ? 0 : int_at(a.json, "info.total_count");
    if (a.status != 204)
        assert_int_equal(a.status, 200);
    answer_clear(&a);
    return total;
}

static struct answer invite(struct world *w, const char *record, const char *const query[])
{
    char *path = g_strdup_printf("/crm/v7/Contacts/%s/actions/portal_invite", record);
    struct answer a = crm(w->state, "POST", path, w->token, NULL, query);
    g_free(path);
    return a;
}

static char *save_text(void *state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_true(sim_vendor_zoho.save(state, out));
    assert_int_equal(fclose(out), 0);
    return text; /* malloc'd by open_memstream */
}

/* Loads a saved value through the stream reader the server uses. */
static bool load_value(void *state, json_object *saved, char **error)
{
    const char *text = json_object_to_json_string_ext(saved, JSON_C_TO_STRING_PLAIN);
    struct sim_json_stream *in = sim_json_stream_new_text(text, strlen(text));
    bool ok = sim_vendor_zoho.load(state, in, error);
    sim_json_stream_free(in);
    return ok;
}

/* Replaces the state by a saved text (after edit, when given). */
static void load_text(void *state, const char *text)
{
    struct sim_json_stream *in = sim_json_stream_new_text(text, strlen(text));
    char *error = NULL;
    if (!sim_vendor_zoho.load(state, in, &error))
        fail_msg("load failed: %s", error);
    assert_true(sim_json_stream_at_end(in));
    sim_json_stream_free(in);
}

/* ------------------------------------------------------------ OAuth */

static void test_refresh_grant(void **ctx)
{
    struct world *w = *ctx;
    struct answer a = refresh_grant(w->state, "sim-zoho-refresh");
    assert_int_equal(a.status, 200);
    assert_true(g_str_has_prefix(str_at(a.json, "access_token"), "1000."));
    assert_string_equal(str_at(a.json, "api_domain"), BASE_URL);
    assert_string_equal(str_at(a.json, "token_type"), "Bearer");
    assert_int_equal(int_at(a.json, "expires_in"), 3600);
    assert_null(at(a.json, "refresh_token"));
    answer_clear(&a);

    /* Query parameters work as well as a form body. */
    a = send_request(w->state, "POST", "/oauth/v2/token", NULL, "",
                     PARAMS("grant_type", "refresh_token", "client_id", CLIENT_ID, "client_secret",
                            CLIENT_SECRET, "refresh_token", "sim-zoho-refresh"),
                     NULL);
    assert_non_null(at(a.json, "access_token"));
    answer_clear(&a);

    a = refresh_grant(w->state, "1000.nosuchtoken");
    assert_oauth_error(&a, "invalid_code");
    answer_clear(&a);
    a = oauth_form(w->state, "/oauth/v2/token",
                   PARAMS("grant_type", "refresh_token", "client_id", "someone-else",
                          "client_secret", CLIENT_SECRET, "refresh_token", "sim-zoho-refresh"));
    assert_oauth_error(&a, "invalid_client");
    answer_clear(&a);
    a = oauth_form(w->state, "/oauth/v2/token",
                   PARAMS("grant_type", "refresh_token", "client_id", CLIENT_ID, "client_secret",
                          "wrong", "refresh_token", "sim-zoho-refresh"));
    assert_oauth_error(&a, "invalid_client_secret");
    answer_clear(&a);
    a = oauth_form(
        w->state, "/oauth/v2/token",
        PARAMS("grant_type", "password", "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET));
    assert_oauth_error(&a, "unsupported_grant_type");
    answer_clear(&a);
    a = send_request(w->state, "GET", "/oauth/v2/token", NULL, NULL, NULL, NULL);
    assert_int_equal(a.status, 405);
    answer_clear(&a);
}

static void test_authorization_code_grant(void **ctx)
{
    struct world *w = *ctx;
    const char *const exchange[] = {
        "grant_type",    "authorization_code",  "client_id", CLIENT_ID,
        "client_secret", CLIENT_SECRET,         "code",      "sim-zoho-grant",
        "redirect_uri",  "http://localhost/cb", NULL};
    struct answer a = oauth_form(w->state, "/oauth/v2/token", exchange);
    assert_int_equal(a.status, 200);
    char *refresh = g_strdup(str_at(a.json, "refresh_token"));
    assert_true(g_str_has_prefix(refresh, "1000."));
    assert_string_equal(str_at(a.json, "api_domain"), BASE_URL);
    assert_int_equal(int_at(a.json, "expires_in"), 3600);
    char *first_access = g_strdup(str_at(a.json, "access_token"));
    answer_clear(&a);

    /* The grant code works once per run. */
    a = oauth_form(w->state, "/oauth/v2/token", exchange);
    assert_oauth_error(&a, "invalid_code");
    answer_clear(&a);
    a = oauth_form(w->state, "/oauth/v2/token",
                   PARAMS("grant_type", "authorization_code", "client_id", CLIENT_ID,
                          "client_secret", CLIENT_SECRET, "code", "1000.unknown"));
    assert_oauth_error(&a, "invalid_code");
    answer_clear(&a);

    /* Its refresh token then works, and the tokens it gives are accepted. */
    char *access = access_token(w->state, refresh);
    a = crm(w->state, "GET", "/crm/v7/settings/portals", access, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals", first_access, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);

    /* Revoking the refresh token kills it and what it minted. */
    a = send_request(w->state, "POST", "/oauth/v2/token/revoke", NULL, "", PARAMS("token", refresh),
                     NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "status"), "success");
    answer_clear(&a);
    a = refresh_grant(w->state, refresh);
    assert_oauth_error(&a, "invalid_code");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals", access, NULL, NULL);
    assert_zoho_error(&a, 401, NULL, "INVALID_TOKEN");
    answer_clear(&a);
    a = send_request(w->state, "POST", "/oauth/v2/token/revoke", NULL, "", NULL, NULL);
    assert_oauth_error(&a, "invalid_request");
    answer_clear(&a);
    g_free(refresh);
    g_free(access);
    g_free(first_access);
}

static struct answer device_poll(void *state, const char *code)
{
    return send_request(state, "POST", "/oauth/v3/device/token", NULL, "",
                        PARAMS("client_id", CLIENT_ID, "client_secret", CLIENT_SECRET, "grant_type",
                               "device_token", "code", code),
                        NULL);
}

static void test_device_flow(void **ctx)
{
    struct world *w = *ctx;
    struct answer a =
        send_request(w->state, "POST", "/oauth/v3/device/code", NULL, "",
                     PARAMS("client_id", CLIENT_ID, "grant_type", "device_request", "scope",
                            "ZohoCRM.settings.clientportal.ALL,ZohoCRM.modules.contacts.ALL",
                            "access_type", "offline"),
                     NULL);
    assert_int_equal(a.status, 200);
    char *code = g_strdup(str_at(a.json, "device_code"));
    assert_true(g_str_has_prefix(code, "1004."));
    assert_string_equal(str_at(a.json, "user_code"), "SIMU-0001");
    assert_string_equal(str_at(a.json, "verification_url"), BASE_URL "/oauth/v3/device");
    assert_int_equal(int_at(a.json, "interval"), 1000);
    assert_int_equal(int_at(a.json, "expires_in"), 300000);
    answer_clear(&a);

    a = device_poll(w->state, code); /* sooner than the interval */
    assert_oauth_error(&a, "slow_down");
    answer_clear(&a);
    g_usleep(1050 * 1000);
    a = device_poll(w->state, code);
    assert_oauth_error(&a, "authorization_pending");
    answer_clear(&a);
    a = device_poll(w->state, code);
    assert_oauth_error(&a, "slow_down");
    answer_clear(&a);
    g_usleep(1050 * 1000);
    a = device_poll(w->state, code); /* the second poll: approved */
    assert_int_equal(a.status, 200);
    char *refresh = g_strdup(str_at(a.json, "refresh_token"));
    assert_non_null(at(a.json, "access_token"));
    answer_clear(&a);
    char *access = access_token(w->state, refresh);
    assert_non_null(access);
    a = device_poll(w->state, code); /* a device code gives one grant */
    assert_oauth_error(&a, "invalid_code");
    answer_clear(&a);

    a = send_request(w->state, "POST", "/oauth/v3/device/code", NULL, "",
                     PARAMS("client_id", "nobody", "grant_type", "device_request", "scope", "x"),
                     NULL);
    assert_oauth_error(&a, "invalid_client");
    answer_clear(&a);
    a = send_request(w->state, "POST", "/oauth/v3/device/code", NULL, "",
                     PARAMS("client_id", CLIENT_ID, "grant_type", "device_request"), NULL);
    assert_oauth_error(&a, "invalid_scope");
    answer_clear(&a);
    a = send_request(w->state, "POST", "/oauth/v3/device/code", NULL, "",
                     PARAMS("client_id", CLIENT_ID, "grant_type", "nope", "scope", "x"), NULL);
    assert_oauth_error(&a, "unsupported_grant_type");
    answer_clear(&a);
    a = send_request(w->state, "POST", "/oauth/v3/device/token", NULL, "",
                     PARAMS("client_id", CLIENT_ID, "client_secret", "bad", "grant_type",
                            "device_token", "code", code),
                     NULL);
    assert_oauth_error(&a, "invalid_client_secret");
    answer_clear(&a);
    a = send_request(w->state, "GET", "/oauth/v3/device", NULL, NULL, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "second poll"));
    answer_clear(&a);
    g_free(code);
    g_free(refresh);
    g_free(access);
}

static void test_refused_tokens(void **ctx)
{
    struct world *w = *ctx;
    const char *path = "/crm/v7/settings/portals";
    struct answer a = crm(w->state, "GET", path, NULL, NULL, NULL);
    assert_zoho_error(&a, 401, NULL, "INVALID_TOKEN");
    assert_string_equal(str_at(a.json, "message"), "invalid oauth token");
    assert_int_equal(json_object_object_length(at(a.json, "details")), 0);
    answer_clear(&a);
    a = crm(w->state, "GET", path, "1000.unknown.token", NULL, NULL);
    assert_zoho_error(&a, 401, NULL, "INVALID_TOKEN");
    answer_clear(&a);

    /* The scheme must be Zoho's own. */
    struct sim_request req;
    sim_request_init(&req, "GET", path, NULL);
    char *bearer = g_strconcat("Bearer ", w->token, NULL);
    sim_pairs_add(&req.headers, "authorization", bearer);
    struct sim_response resp;
    sim_response_init(&resp);
    sim_vendor_zoho.handle(w->state, &req, &resp);
    assert_int_equal(resp.status, 401);
    sim_response_clear(&resp);
    sim_request_clear(&req);
    g_free(bearer);
}

static void test_token_expiry(void **ctx)
{
    (void)ctx;
    void *state = new_state(1);
    struct answer a = refresh_grant(state, "sim-zoho-refresh");
    assert_int_equal(int_at(a.json, "expires_in"), 1);
    char *token = g_strdup(str_at(a.json, "access_token"));
    answer_clear(&a);
    a = crm(state, "GET", "/crm/v7/settings/portals", token, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    g_usleep(1100 * 1000);
    a = crm(state, "GET", "/crm/v7/settings/portals", token, NULL, NULL);
    assert_zoho_error(&a, 401, NULL, "INVALID_TOKEN");
    answer_clear(&a);
    char *fresh = access_token(state, "sim-zoho-refresh");
    a = crm(state, "GET", "/crm/v7/settings/portals", fresh, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    g_free(token);
    g_free(fresh);
    sim_vendor_zoho.destroy(state);
}

static void test_read_only_token(void **ctx)
{
    struct world *w = *ctx;
    struct answer a = crm(w->state, "GET", "/crm/v7/settings/portals", w->ro_token, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/settings/portals", w->ro_token,
            "{\"portals\":[{\"name\":\"ReadOnly1\"}]}", NULL);
    assert_zoho_error(&a, 403, NULL, "NO_PERMISSION");
    assert_string_equal(str_at(a.json, "details.permissions[0]"),
                        "Crm_Implied_Manage_ClientPortal");
    assert_string_equal(str_at(a.json, "message"), "Permission is invalid.");
    answer_clear(&a);
    char *dana = contact_id(w, "dana@example.com");
    char *path = g_strdup_printf("/crm/v7/Contacts/%s/actions/portal_invite", dana);
    a = crm(w->state, "POST", path, w->ro_token, NULL,
            PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 403, NULL, "NO_PERMISSION");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Contacts", w->ro_token,
            "{\"data\":[{\"Last_Name\":\"Lee\"}]}", NULL);
    assert_zoho_error(&a, 403, NULL, "NO_PERMISSION");
    answer_clear(&a);
    char *change = users_path("CustomerHub", w->customers, "/1/actions/change_status");
    a = crm(w->state, "PUT", change, w->ro_token, NULL, PARAMS("active", "true"));
    assert_zoho_error(&a, 403, NULL, "NO_PERMISSION");
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 3); /* unchanged */
    g_free(change);
    g_free(path);
    g_free(dana);
}

/* ------------------------------------------------------------ portals */

static void test_portals_list_and_get(void **ctx)
{
    struct world *w = *ctx;
    struct answer a = crm(w->state, "GET", "/crm/v7/settings/portals", w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(len_at(a.json, "portals"), 2);
    assert_string_equal(str_at(a.json, "portals[0].name"), "CustomerHub");
    assert_string_equal(str_at(a.json, "portals[1].name"), "PartnerDesk");
    assert_true(bool_at(a.json, "portals[0].active"));
    assert_true(json_object_is_type(at(a.json, "portals[0].custom_domain"), json_type_null));
    assert_true(
        g_regex_match_simple("^[0-9]{10,}$", str_at(a.json, "portals[0].created_by.id"), 0, 0));
    assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d$",
                                     str_at(a.json, "portals[0].created_time"), 0, 0));
    assert_non_null(at(a.json, "portals[0].zaid"));
    answer_clear(&a);

    a = crm(w->state, "GET", "/crm/v8/settings/portals/CustomerHub", w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(len_at(a.json, "portals"), 1);
    assert_string_equal(str_at(a.json, "portals[0].name"), "CustomerHub");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals/NoSuchPortal", w->token, NULL, NULL);
    assert_no_content(&a);
    answer_clear(&a);
}

static void test_portal_create_seed_example(void **ctx)
{
    struct world *w = *ctx;
    char *body = fixture_read("zoho", "create-portal.json", NULL);
    struct answer a = crm(w->state, "POST", "/crm/v7/settings/portals", w->token, body, NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "portals[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "portals[0].details.name"), "PortalsAPItest100");
    assert_string_equal(str_at(a.json, "portals[0].message"),
                        "Portal created successfully with given name.");
    assert_string_equal(str_at(a.json, "portals[0].status"), "success");
    answer_clear(&a);

    a = crm(w->state, "GET", "/crm/v7/settings/portals/PortalsAPItest100", w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    /* A created portal comes with a default user type, ready for invitations. */
    a = crm(w->state, "GET", "/crm/v7/settings/portals/PortalsAPItest100/user_type", w->token, NULL,
            NULL);
    assert_int_equal(a.status, 200);
    assert_true(bool_at(a.json, "user_type[0].default"));
    answer_clear(&a);

    a = crm(w->state, "POST", "/crm/v7/settings/portals", w->token, body, NULL);
    assert_zoho_error(&a, 400, "portals", "ALREADY_USED");
    assert_string_equal(str_at(a.json, "portals[0].details.api_name"), "name");
    assert_string_equal(str_at(a.json, "portals[0].message"),
                        "The entered portal name is already in use");
    answer_clear(&a);
    g_free(body);
}

static struct answer create_portal_named(struct world *w, const char *json_name)
{
    char *body = g_strdup_printf("{\"portals\":[{\"name\":%s}]}", json_name);
    struct answer a = crm(w->state, "POST", "/crm/v7/settings/portals", w->token, body, NULL);
    g_free(body);
    return a;
}

static void test_portal_name_rules(void **ctx)
{
    struct world *w = *ctx;
    struct answer a =
        crm(w->state, "POST", "/crm/v7/settings/portals", w->token, "{\"portals\":[{}]}", NULL);
    assert_zoho_error(&a, 400, "portals", "MANDATORY_NOT_FOUND");
    assert_string_equal(str_at(a.json, "portals[0].details.api_name"), "name");
    assert_string_equal(str_at(a.json, "portals[0].details.json_path"), "$.portals[0].name");
    answer_clear(&a);

    a = create_portal_named(w, "\"Abc12\"");
    assert_zoho_error(&a, 400, "portals", "INVALID_DATA");
    assert_int_equal(int_at(a.json, "portals[0].details.minimum_length"), 6);
    assert_string_equal(str_at(a.json, "portals[0].details.json_path"), "$.portals[0].name");
    answer_clear(&a);
    a = create_portal_named(w, "\"A234567890123456789012345678901\""); /* 31 */
    assert_zoho_error(&a, 400, "portals", "INVALID_DATA");
    assert_int_equal(int_at(a.json, "portals[0].details.maximum_length"), 30);
    answer_clear(&a);
    a = create_portal_named(w, "\"A23456\""); /* 6: the shortest allowed */
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = create_portal_named(w, "\"B23456789012345678901234567890\""); /* 30 */
    assert_int_equal(a.status, 200);
    answer_clear(&a);

    /* Special characters: bare, at the request level. */
    a = create_portal_named(w, "\"My-Portal\"");
    assert_zoho_error(&a, 400, NULL, "PATTERN_NOT_MATCHED");
    assert_string_equal(str_at(a.json, "details.api_name"), "name");
    answer_clear(&a);
    a = create_portal_named(w, "\"Portal Name\"");
    assert_zoho_error(&a, 400, NULL, "PATTERN_NOT_MATCHED");
    answer_clear(&a);
    a = create_portal_named(w, "\"customerhub\""); /* unique without regard to case */
    assert_zoho_error(&a, 400, "portals", "ALREADY_USED");
    answer_clear(&a);
    a = create_portal_named(w, "123456");
    assert_zoho_error(&a, 400, "portals", "INVALID_DATA");
    assert_string_equal(str_at(a.json, "portals[0].details.expected_data_type"), "string");
    answer_clear(&a);

    a = crm(w->state, "POST", "/crm/v7/settings/portals", w->token, "{\"portals\":[", NULL);
    assert_zoho_error(&a, 400, NULL, "JSON_PARSE_ERROR");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/settings/portals", w->token, "{\"portal\":[]}", NULL);
    assert_zoho_error(&a, 400, NULL, "MANDATORY_NOT_FOUND");
    answer_clear(&a);

    /* One good, one bad: Zoho's MULTI-STATUS. */
    a = crm(w->state, "POST", "/crm/v7/settings/portals", w->token,
            "{\"portals\":[{\"name\":\"GoodName1\"},{\"name\":\"Bad\"}]}", NULL);
    assert_int_equal(a.status, 207);
    assert_string_equal(str_at(a.json, "portals[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "portals[1].code"), "INVALID_DATA");
    assert_string_equal(str_at(a.json, "portals[1].details.json_path"), "$.portals[1].name");
    answer_clear(&a);
}

static void test_portal_rename(void **ctx)
{
    struct world *w = *ctx;
    const char *path = "/crm/v7/settings/portals/CustomerHub";
    struct answer a = crm(w->state, "PUT", path, w->token,
                          "{\"portals\":[{\"name\":\"PortalsAPItest200\"}]}", NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "portals[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "portals[0].details.name"), "PortalsAPItest200");
    assert_string_equal(str_at(a.json, "portals[0].message"),
                        "Portal renamed successfully with given name.");
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL, NULL);
    assert_no_content(&a); /* the old name names nothing now */
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals/PortalsAPItest200", w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    /* The users went with it. */
    assert_int_equal(users_total(w, "PortalsAPItest200", w->customers, "AllUsers"), 3);

    const char *renamed = "/crm/v7/settings/portals/PortalsAPItest200";
    a = crm(w->state, "PUT", renamed, w->token, "{\"portals\":[{\"name\":\"PartnerDesk\"}]}", NULL);
    assert_zoho_error(&a, 400, "portals", "ALREADY_USED");
    answer_clear(&a);
    a = crm(w->state, "PUT", renamed, w->token, "{\"portals\":[{\"name\":\"Hub\"}]}", NULL);
    assert_zoho_error(&a, 400, "portals", "INVALID_DATA");
    assert_int_equal(int_at(a.json, "portals[0].details.minimum_length"), 6);
    answer_clear(&a);
    a = crm(w->state, "PUT", renamed, w->token, "{\"portals\":[{\"name\":\"Hub_2024\"}]}", NULL);
    assert_zoho_error(&a, 400, NULL, "PATTERN_NOT_MATCHED");
    answer_clear(&a);
    a = crm(w->state, "PUT", renamed, w->token, "{\"portals\":[{\"nome\":\"x\"}]}", NULL);
    assert_zoho_error(&a, 400, "portals", "MANDATORY_NOT_FOUND");
    answer_clear(&a);
    a = crm(w->state, "PUT", renamed, w->token, "not json", NULL);
    assert_zoho_error(&a, 400, NULL, "JSON_PARSE_ERROR");
    answer_clear(&a);
    /* Renaming to its own name in another case is no clash. */
    a = crm(w->state, "PUT", renamed, w->token, "{\"portals\":[{\"name\":\"portalsapitest200\"}]}",
            NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = crm(w->state, "PUT", "/crm/v7/settings/portals/NoSuchPortal", w->token,
            "{\"portals\":[{\"name\":\"Whatever1\"}]}", NULL);
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_int_equal(int_at(a.json, "details.resource_path_index"), 2);
    answer_clear(&a);
}

static void test_no_portal_delete_and_unknown_urls(void **ctx)
{
    struct world *w = *ctx;
    struct answer a =
        crm(w->state, "DELETE", "/crm/v7/settings/portals/CustomerHub", w->token, NULL, NULL);
    assert_zoho_error(&a, 405, NULL, "INVALID_REQUEST_METHOD");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals", w->token, NULL, NULL);
    assert_int_equal(len_at(a.json, "portals"), 2); /* still there */
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/nothing/here", w->token, NULL, NULL);
    assert_zoho_error(&a, 404, NULL, "INVALID_URL_PATTERN");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v2/settings/portals", w->token, NULL, NULL);
    assert_zoho_error(&a, 404, NULL, "INVALID_URL_PATTERN");
    answer_clear(&a);
    a = crm(w->state, "GET", "/oauth/v9/whatever", NULL, NULL, NULL);
    assert_zoho_error(&a, 404, NULL, "INVALID_URL_PATTERN");
    answer_clear(&a);
    /* the API's root alone, and an empty segment: nothing named (and, under
     * LeakSanitizer, nothing kept of the split path) */
    a = crm(w->state, "GET", "/crm/v7/", w->token, NULL, NULL);
    assert_zoho_error(&a, 404, NULL, "INVALID_URL_PATTERN");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings//portals", w->token, NULL, NULL);
    assert_zoho_error(&a, 404, NULL, "INVALID_URL_PATTERN");
    answer_clear(&a);
}

/* ------------------------------------------------------------ user types */

static void test_user_types(void **ctx)
{
    struct world *w = *ctx;
    struct answer a = crm(w->state, "GET", "/crm/v7/settings/portals/CustomerHub/user_type",
                          w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(len_at(a.json, "user_type"), 1);
    assert_string_equal(str_at(a.json, "user_type[0].name"), "Customers");
    assert_true(bool_at(a.json, "user_type[0].default"));
    assert_true(bool_at(a.json, "user_type[0].active"));
    assert_string_equal(str_at(a.json, "user_type[0].personality_module.api_name"), "Contacts");
    assert_non_null(at(a.json, "user_type[0].personality_module.id"));
    assert_int_equal(int_at(a.json, "user_type[0].no_of_users"), 3);
    assert_non_null(at(a.json, "user_type[0].created_time"));
    assert_non_null(at(a.json, "user_type[0].modified_time"));
    answer_clear(&a);

    char *one = g_strdup_printf("/crm/v7/settings/portals/CustomerHub/user_type/%s", w->customers);
    a = crm(w->state, "GET", one, w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "user_type[0].id"), w->customers);
    answer_clear(&a);
    g_free(one);
    a = crm(w->state, "GET", "/crm/v7/settings/portals/CustomerHub/user_type/123", w->token, NULL,
            NULL);
    assert_no_content(&a);
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals/Nowhere1/user_type", w->token, NULL, NULL);
    assert_no_content(&a);
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals/PartnerDesk/user_type", w->token, NULL,
            NULL);
    assert_string_equal(str_at(a.json, "user_type[0].name"), "Partners");
    assert_int_equal(int_at(a.json, "user_type[0].no_of_users"), 0);
    answer_clear(&a);
}

/* ------------------------------------------------------------ users */

static void test_users_list_selections(void **ctx)
{
    struct world *w = *ctx;
    static const struct {
        const char *type;
        int64_t total;
    } expected[] = {
        {"AllUsers", 3},
        {"AllActiveUsers", 2},
        {"ActiveUsers", 2},
        {"DeactiveUsers", 1},
        {"NotConfirmedUsers", 1},
        {"ConfirmedUsers", 2},
        {"ActiveConfirmedUsers", 1},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
        assert_int_equal(users_total(w, "CustomerHub", w->customers, expected[i].type),
                         expected[i].total);

    char *path = users_path("CustomerHub", w->customers, NULL);
    struct answer a = crm(w->state, "GET", path, w->token, NULL, PARAMS("type", "AllUsers"));
    assert_string_equal(str_at(a.json, "users[0].email"), "alice@example.com");
    assert_string_equal(str_at(a.json, "users[0].name"), "Alice Archer");
    assert_string_equal(str_at(a.json, "users[0].module"), "Contacts");
    assert_true(bool_at(a.json, "users[0].confirm"));
    assert_true(json_object_is_type(at(a.json, "users[0].status_reason__s"), json_type_null));
    assert_non_null(at(a.json, "users[0].invited_time"));
    assert_true(
        g_regex_match_simple("^[0-9]{15,}$", str_at(a.json, "users[0].personality_id"), 0, 0));
    assert_int_equal(int_at(a.json, "info.per_page"), 200);
    assert_int_equal(int_at(a.json, "info.count"), 3);
    assert_int_equal(int_at(a.json, "info.page"), 1);
    assert_false(bool_at(a.json, "info.more_records"));
    answer_clear(&a);

    a = crm(w->state, "GET", path, w->token, NULL, NULL);
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    assert_string_equal(str_at(a.json, "details.param"), "type");
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL, PARAMS("type", "EveryBody"));
    assert_zoho_error(&a, 400, NULL, "PATTERN_NOT_MATCHED");
    answer_clear(&a);

    /* filters on status_reason__s: null for every simulated user. */
    a = crm(w->state, "GET", path, w->token, NULL,
            PARAMS("type", "AllUsers", "filters",
                   "[{\"field\":\"status_reason__s\",\"value\":\"disabled on updation of "
                   "email\",\"comparator\":\"not_equal\"}]"));
    assert_int_equal(int_at(a.json, "info.total_count"), 3);
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL,
            PARAMS("type", "AllUsers", "filters",
                   "[{\"field\":\"status_reason__s\",\"value\":\"disabled on updation of "
                   "email\",\"comparator\":\"equal\"}]"));
    assert_no_content(&a);
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL,
            PARAMS("type", "AllUsers", "filters", "[{\"field\":\"Email\"}]"));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_string_equal(str_at(a.json, "details.param"), "filters");
    answer_clear(&a);
    g_free(path);

    path = users_path("PartnerDesk", w->partners, NULL);
    a = crm(w->state, "GET", path, w->token, NULL, PARAMS("type", "AllUsers"));
    assert_no_content(&a);
    answer_clear(&a);
    g_free(path);
}

static void test_users_paging(void **ctx)
{
    struct world *w = *ctx;
    char *path = users_path("CustomerHub", w->customers, NULL);
    struct answer a =
        crm(w->state, "GET", path, w->token, NULL, PARAMS("type", "AllUsers", "per_page", "2"));
    assert_int_equal(int_at(a.json, "info.count"), 2);
    assert_int_equal(int_at(a.json, "info.per_page"), 2);
    assert_int_equal(int_at(a.json, "info.total_count"), 3);
    assert_true(bool_at(a.json, "info.more_records"));
    assert_string_equal(str_at(a.json, "users[1].email"), "bob@example.com");
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL,
            PARAMS("type", "AllUsers", "per_page", "2", "page", "2"));
    assert_int_equal(int_at(a.json, "info.count"), 1);
    assert_int_equal(int_at(a.json, "info.page"), 2);
    assert_false(bool_at(a.json, "info.more_records"));
    assert_string_equal(str_at(a.json, "users[0].email"), "carol@example.com");
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL,
            PARAMS("type", "AllUsers", "per_page", "2", "page", "3"));
    assert_no_content(&a);
    answer_clear(&a);
    static const char *const bad[][2] = {
        {"per_page", "0"}, {"per_page", "201"}, {"page", "0"}, {"page", "x"}, {"page", "-1"}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        a = crm(w->state, "GET", path, w->token, NULL,
                PARAMS("type", "AllUsers", bad[i][0], bad[i][1]));
        assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
        assert_string_equal(str_at(a.json, "details.param"), bad[i][0]);
        answer_clear(&a);
    }
    g_free(path);
}

/* ------------------------------------------------------------ contacts */

static void test_contacts(void **ctx)
{
    struct world *w = *ctx;
    struct answer a = crm(w->state, "GET", "/crm/v7/Contacts/search", w->token, NULL,
                          PARAMS("email", "DANA@example.com"));
    assert_int_equal(a.status, 200);
    assert_int_equal(len_at(a.json, "data"), 1);
    assert_string_equal(str_at(a.json, "data[0].Email"), "dana@example.com");
    assert_string_equal(str_at(a.json, "data[0].First_Name"), "Dana");
    assert_string_equal(str_at(a.json, "data[0].Last_Name"), "Diaz");
    assert_string_equal(str_at(a.json, "data[0].Full_Name"), "Dana Diaz");
    assert_false(bool_at(a.json, "info.more_records"));
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/Contacts/search", w->token, NULL,
            PARAMS("email", "ann@example.com"));
    assert_no_content(&a);
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/Contacts/search", w->token, NULL, NULL);
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    answer_clear(&a);

    a = crm(
        w->state, "POST", "/crm/v7/Contacts", w->token,
        "{\"data\":[{\"Last_Name\":\"Lee\",\"First_Name\":\"Ann\",\"Email\":\"ann@example.com\"}]}",
        NULL);
    assert_int_equal(a.status, 201);
    assert_string_equal(str_at(a.json, "data[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "data[0].message"), "record added");
    char *id = g_strdup(str_at(a.json, "data[0].details.id"));
    assert_non_null(at(a.json, "data[0].details.Created_Time"));
    answer_clear(&a);
    char *found = contact_id(w, "ann@example.com");
    assert_string_equal(found, id);
    g_free(found);
    g_free(id);

    a = crm(w->state, "POST", "/crm/v7/Contacts", w->token,
            "{\"data\":[{\"First_Name\":\"Ann\",\"Email\":\"ann2@example.com\"}]}", NULL);
    assert_zoho_error(&a, 400, "data", "MANDATORY_NOT_FOUND");
    assert_string_equal(str_at(a.json, "data[0].details.api_name"), "Last_Name");
    assert_string_equal(str_at(a.json, "data[0].details.json_path"), "$.data[0].Last_Name");
    answer_clear(&a);
    a = crm(
        w->state, "POST", "/crm/v7/Contacts", w->token,
        "{\"data\":[{\"Last_Name\":\"Lee\",\"Email\":\"not-an-email\"},{\"Last_Name\":\"Ok\"}]}",
        NULL);
    assert_int_equal(a.status, 207);
    assert_string_equal(str_at(a.json, "data[0].code"), "INVALID_DATA");
    assert_string_equal(str_at(a.json, "data[0].details.api_name"), "Email");
    assert_string_equal(str_at(a.json, "data[1].code"), "SUCCESS");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Contacts", w->token, "{\"data\":", NULL);
    assert_zoho_error(&a, 400, NULL, "JSON_PARSE_ERROR");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Contacts", w->token, "{\"data\":[]}", NULL);
    assert_zoho_error(&a, 400, NULL, "MANDATORY_NOT_FOUND");
    answer_clear(&a);

    /* Deleted contacts go to the recycle bin and out of the search. */
    char *eli = contact_id(w, "eli@example.com");
    a = crm(w->state, "DELETE", "/crm/v7/Contacts", w->token, NULL, PARAMS("ids", eli));
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "data[0].code"), "SUCCESS");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/Contacts/search", w->token, NULL,
            PARAMS("email", "eli@example.com"));
    assert_no_content(&a);
    answer_clear(&a);
    a = crm(w->state, "DELETE", "/crm/v7/Contacts", w->token, NULL, PARAMS("ids", eli));
    assert_zoho_error(&a, 400, "data", "INVALID_DATA");
    answer_clear(&a);
    a = crm(w->state, "DELETE", "/crm/v7/Contacts", w->token, NULL, NULL);
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    answer_clear(&a);
    g_free(eli);
}

/* ------------------------------------------------------------ invitations */

static void test_invite_one(void **ctx)
{
    struct world *w = *ctx;
    char *dana = contact_id(w, "dana@example.com");
    struct answer a = invite(
        w, dana, PARAMS("user_type_id", w->customers, "type", "invite", "language", "en_US"));
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "portal_invite[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "portal_invite[0].details.record_id"), dana);
    assert_string_equal(str_at(a.json, "portal_invite[0].message"),
                        "An Invite has been sent to the personality.");
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 4);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "NotConfirmedUsers"), 2);

    a = invite(w, dana, PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "CANNOT_PROCESS"); /* already invited */
    answer_clear(&a);
    a = invite(w, dana, PARAMS("user_type_id", w->customers, "type", "reinvite"));
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 4);

    char *eli = contact_id(w, "eli@example.com");
    a = invite(w, eli, PARAMS("user_type_id", w->customers, "type", "reinvite"));
    assert_zoho_error(&a, 400, NULL, "CANNOT_PROCESS"); /* never invited */
    answer_clear(&a);
    a = invite(w, eli, PARAMS("type", "invite"));
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    assert_string_equal(str_at(a.json, "details.param"), "user_type_id");
    answer_clear(&a);
    a = invite(w, eli, PARAMS("user_type_id", w->customers));
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    assert_string_equal(str_at(a.json, "details.param"), "type");
    answer_clear(&a);
    a = invite(w, eli, PARAMS("user_type_id", w->customers, "type", "welcome"));
    assert_zoho_error(&a, 400, NULL, "CANNOT_PROCESS");
    answer_clear(&a);
    a = invite(w, eli, PARAMS("user_type_id", w->customers, "type", "invite", "language", "xx_XX"));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_string_equal(str_at(a.json, "details.param"), "language");
    answer_clear(&a);
    a = invite(w, eli, PARAMS("user_type_id", "42", "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_string_equal(str_at(a.json, "details.param"), "user_type_id");
    answer_clear(&a);
    a = invite(w, "99999", PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Leads/1/actions/portal_invite", w->token, NULL,
            PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "INVALID_MODULE");
    answer_clear(&a);

    /* A record without an e-mail cannot be invited. */
    a = crm(w->state, "POST", "/crm/v7/Contacts", w->token,
            "{\"data\":[{\"Last_Name\":\"NoMail\"}]}", NULL);
    char *no_mail = g_strdup(str_at(a.json, "data[0].details.id"));
    answer_clear(&a);
    a = invite(w, no_mail, PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_string_equal(str_at(a.json, "details.api_name"), "Email");
    answer_clear(&a);

    /* A second contact with a portal user's e-mail: DUPLICATE_DATA. */
    a = crm(w->state, "POST", "/crm/v7/Contacts", w->token,
            "{\"data\":[{\"Last_Name\":\"Twin\",\"Email\":\"Alice@Example.com\"}]}", NULL);
    char *twin = g_strdup(str_at(a.json, "data[0].details.id"));
    answer_clear(&a);
    a = invite(w, twin, PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "DUPLICATE_DATA");
    answer_clear(&a);
    /* ...but the same person may join another portal. */
    a = invite(w, twin, PARAMS("user_type_id", w->partners, "type", "invite"));
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    assert_int_equal(users_total(w, "PartnerDesk", w->partners, "AllUsers"), 1);
    g_free(twin);
    g_free(no_mail);
    g_free(eli);
    g_free(dana);
}

static struct answer bulk_status(struct world *w, const char *job_id)
{
    return crm(w->state, "GET", "/crm/v7/Contacts/actions/portal_invite", w->token, NULL,
               job_id ? PARAMS("job_id", job_id) : NULL);
}

static void test_bulk_invite_job(void **ctx)
{
    struct world *w = *ctx;
    char *dana = contact_id(w, "dana@example.com");
    char *eli = contact_id(w, "eli@example.com");
    char *body = g_strdup_printf(
        "{\"portal_invite\":[{\"data\":[{\"id\":\"%s\",\"user_type_id\":\"%s\",\"type\":"
        "\"invite\",\"language\":\"en_US\"},{\"id\":\"%s\",\"user_type_id\":\"%s\",\"type\":"
        "\"bogus\"}]}]}",
        dana, w->customers, eli, w->customers);
    struct answer a =
        crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token, body, NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "portal_invite[0].code"), "SCHEDULED");
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "success");
    assert_string_equal(str_at(a.json, "portal_invite[0].message"),
                        "Portal bulk invite scheduled successfully");
    char *job = g_strdup(str_at(a.json, "portal_invite[0].details.job_id"));
    answer_clear(&a);

    a = bulk_status(w, job);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "portal_invite[0].job_id"), job);
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "in_progress");
    assert_true(json_object_is_type(at(a.json, "portal_invite[0].data"), json_type_null));
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 3); /* not yet */

    g_usleep(250 * 1000);
    a = bulk_status(w, job);
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "completed");
    assert_int_equal(len_at(a.json, "portal_invite[0].data"), 2);
    assert_string_equal(str_at(a.json, "portal_invite[0].data[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "portal_invite[0].data[0].details.id"), dana);
    assert_string_equal(str_at(a.json, "portal_invite[0].data[1].code"), "CANNOT_PROCESS");
    assert_string_equal(str_at(a.json, "portal_invite[0].data[1].message"),
                        "Invalid type for the portal invite");
    assert_string_equal(str_at(a.json, "portal_invite[0].data[1].status"), "error");
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 4);

    a = bulk_status(w, "12345");
    assert_no_content(&a);
    answer_clear(&a);
    a = bulk_status(w, NULL);
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token,
            "{\"portal_invite\":[{\"data\":[]}]}", NULL);
    assert_zoho_error(&a, 400, NULL, "MANDATORY_NOT_FOUND");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token, "[", NULL);
    assert_zoho_error(&a, 400, NULL, "JSON_PARSE_ERROR");
    answer_clear(&a);
    g_free(body);
    g_free(job);
    g_free(eli);
    g_free(dana);
}

static char *bulk_body(struct world *w, size_t records)
{
    GString *body = g_string_new("{\"portal_invite\":[{\"data\":[");
    for (size_t i = 0; i < records; i++)
        g_string_append_printf(body,
                               "%s{\"id\":\"%zu\",\"user_type_id\":\"%s\",\"type\":\"invite\"}",
                               i ? "," : "", 1000 + i, w->customers);
    g_string_append(body, "]}]}");
    return g_string_free(body, FALSE);
}

static void test_bulk_invite_limits_and_timing(void **ctx)
{
    struct world *w = *ctx;
    char *too_many = bulk_body(w, 101);
    struct answer a =
        crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token, too_many, NULL);
    assert_zoho_error(&a, 400, NULL, "LIMIT_EXCEEDED");
    answer_clear(&a);

    /* 100 records take a few hundred milliseconds. */
    char *full = bulk_body(w, 100);
    a = crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token, full, NULL);
    assert_int_equal(a.status, 200);
    char *job = g_strdup(str_at(a.json, "portal_invite[0].details.job_id"));
    answer_clear(&a);
    g_usleep(150 * 1000);
    a = bulk_status(w, job);
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "in_progress");
    answer_clear(&a);
    g_usleep(400 * 1000);
    a = bulk_status(w, job);
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "completed");
    assert_int_equal(len_at(a.json, "portal_invite[0].data"), 100);
    assert_string_equal(str_at(a.json, "portal_invite[0].data[99].code"), "INVALID_DATA");
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Leads/actions/portal_invite", w->token, full, NULL);
    assert_zoho_error(&a, 400, NULL, "INVALID_MODULE");
    answer_clear(&a);
    g_free(job);
    g_free(full);
    g_free(too_many);
}

/* ------------------------------------------------------------ status, removal, transfer */

static struct answer change_status(struct world *w, const char *id, const char *active)
{
    char *rest = g_strdup_printf("/%s/actions/change_status", id);
    char *path = users_path("CustomerHub", w->customers, rest);
    struct answer a =
        crm(w->state, "PUT", path, w->token, NULL, active ? PARAMS("active", active) : NULL);
    g_free(path);
    g_free(rest);
    return a;
}

static void test_change_status(void **ctx)
{
    struct world *w = *ctx;
    char *alice = contact_id(w, "alice@example.com"); /* confirmed, active */
    char *bob = contact_id(w, "bob@example.com");     /* confirmed, inactive */
    char *carol = contact_id(w, "carol@example.com"); /* unconfirmed, active */

    struct answer a = change_status(w, alice, "false");
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "change_status[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "change_status[0].details.personality_id"), alice);
    assert_string_equal(str_at(a.json, "change_status[0].message"),
                        "Status of the user changed successfully.");
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "DeactiveUsers"), 2);
    a = change_status(w, alice, "false");
    assert_zoho_error(&a, 400, NULL, "NOT_ALLOWED");
    answer_clear(&a);
    a = change_status(w, bob, "true");
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = change_status(w, bob, "true");
    assert_zoho_error(&a, 400, NULL, "ALREADY_ACTIVATED");
    answer_clear(&a);
    a = change_status(w, carol, "false");
    assert_zoho_error(&a, 400, NULL, "NOT_ALLOWED");
    answer_clear(&a);
    a = change_status(w, carol, NULL);
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    assert_string_equal(str_at(a.json, "details.param"), "active");
    answer_clear(&a);
    a = change_status(w, carol, "maybe");
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    answer_clear(&a);
    a = change_status(w, "123", "true");
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    answer_clear(&a);

    /* A portal user whose record went to the recycle bin. */
    a = crm(w->state, "DELETE", "/crm/v7/Contacts", w->token, NULL, PARAMS("ids", alice));
    answer_clear(&a);
    a = change_status(w, alice, "true");
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_non_null(strstr(str_at(a.json, "message"), "recycle bin"));
    answer_clear(&a);

    a = crm(w->state, "PUT",
            "/crm/v7/settings/portals/CustomerHub/user_type/1/users/1/actions/change_status",
            w->token, NULL, PARAMS("active", "true"));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    assert_int_equal(int_at(a.json, "details.resource_path_index"), 4);
    answer_clear(&a);
    g_free(alice);
    g_free(bob);
    g_free(carol);
}

static void test_delete_users(void **ctx)
{
    struct world *w = *ctx;
    char *alice = contact_id(w, "alice@example.com");
    char *ids = g_strdup_printf("%s,777", alice);
    char *path = users_path("CustomerHub", w->customers, NULL);
    struct answer a = crm(w->state, "DELETE", path, w->token, NULL, PARAMS("personality_ids", ids));
    assert_int_equal(a.status, 207);
    assert_string_equal(str_at(a.json, "users[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "users[0].details.personality_id"), alice);
    assert_string_equal(str_at(a.json, "users[0].message"), "Portal user deleted successfully.");
    assert_string_equal(str_at(a.json, "users[1].code"), "INVALID_DATA");
    assert_string_equal(str_at(a.json, "users[1].status"), "error");
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 2);
    a = crm(w->state, "DELETE", path, w->token, NULL, PARAMS("personality_ids", alice));
    assert_zoho_error(&a, 400, "users", "INVALID_DATA"); /* not a user any more */
    answer_clear(&a);
    /* The contact stays, and can be invited again. */
    a = invite(w, alice, PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_int_equal(a.status, 200);
    answer_clear(&a);

    a = crm(w->state, "DELETE", path, w->token, NULL, NULL);
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    answer_clear(&a);
    GString *many = g_string_new("1");
    for (int i = 2; i <= 500; i++)
        g_string_append_printf(many, ",%d", i);
    a = crm(w->state, "DELETE", path, w->token, NULL, PARAMS("personality_ids", many->str));
    assert_zoho_error(&a, 400, NULL, "LIMIT_EXCEEDED");
    answer_clear(&a);
    g_string_truncate(many, 0);
    g_string_append(many, "1");
    for (int i = 2; i <= 499; i++)
        g_string_append_printf(many, ",%d", i);
    a = crm(w->state, "DELETE", path, w->token, NULL, PARAMS("personality_ids", many->str));
    assert_int_equal(a.status, 400);
    assert_int_equal(len_at(a.json, "users"), 499); /* 499 is allowed; all unknown */
    answer_clear(&a);
    g_string_free(many, TRUE);
    g_free(path);

    path = users_path("CustomerHub", "5", NULL);
    a = crm(w->state, "DELETE", path, w->token, NULL, PARAMS("personality_ids", alice));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    answer_clear(&a);
    g_free(path);
    g_free(ids);
    g_free(alice);
}

/* Saves, edits the saved JSON with edit(), and loads it back. */
static void edit_state(void *state, void (*edit)(json_object *saved, void *data), void *data)
{
    char *text = save_text(state);
    json_object *saved = json_tokener_parse(text);
    free(text);
    assert_non_null(saved);
    edit(saved, data);
    char *error = NULL;
    if (!load_value(state, saved, &error))
        fail_msg("load failed: %s", error);
    json_object_put(saved);
}

/* Adds a second user type "Vip" (id given) to CustomerHub. */
static void add_vip_user_type(json_object *saved, void *data)
{
    json_object *types = at(saved, "portals[0].user_types");
    /* Members last, as save writes them: the loader streams them after the fields. */
    json_object *vip = json_object_new_object();
    json_object_object_add(vip, "id", json_object_new_string(data));
    json_object *fields = json_tokener_parse(
        "{\"name\":\"Vip\",\"default\":false,\"active\":true,\"created\":1705311000,"
        "\"modified\":1705311000,\"members\":[]}");
    json_object_object_foreach(fields, key, value)
    {
        json_object_object_add(vip, key, json_object_get(value));
    }
    json_object_put(fields);
    json_object_array_add(types, vip);
}

static void test_transfer_users(void **ctx)
{
    struct world *w = *ctx;
    edit_state(w->state, add_vip_user_type, "4000000000000000123");
    char *alice = contact_id(w, "alice@example.com");
    char *bob = contact_id(w, "bob@example.com");
    char *ids = g_strdup_printf("%s,%s,888", alice, bob);
    char *path = users_path("CustomerHub", w->customers, "/action/transfer");
    struct answer a = crm(w->state, "POST", path, w->token, NULL,
                          PARAMS("transfer_To", "4000000000000000123", "personality_ids", ids));
    assert_int_equal(a.status, 207);
    assert_string_equal(str_at(a.json, "users[0].code"), "SUCCESS");
    assert_string_equal(str_at(a.json, "users[0].message"),
                        "User has been transferred successfully");
    assert_string_equal(str_at(a.json, "users[1].details.personality_id"), bob);
    assert_string_equal(str_at(a.json, "users[2].code"), "INVALID_DATA");
    answer_clear(&a);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 1);
    assert_int_equal(users_total(w, "CustomerHub", "4000000000000000123", "AllUsers"), 2);
    /* Status went along: bob is still deactivated. */
    assert_int_equal(users_total(w, "CustomerHub", "4000000000000000123", "DeactiveUsers"), 1);

    a = crm(w->state, "POST", path, w->token, NULL, PARAMS("personality_ids", ids));
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    assert_string_equal(str_at(a.json, "details.param"), "transfer_To");
    answer_clear(&a);
    a = crm(w->state, "POST", path, w->token, NULL, PARAMS("transfer_To", "4000000000000000123"));
    assert_zoho_error(&a, 400, NULL, "REQUIRED_PARAM_MISSING");
    assert_string_equal(str_at(a.json, "details.param"), "personality_ids");
    answer_clear(&a);
    /* Another portal's user type is no target. */
    a = crm(w->state, "POST", path, w->token, NULL,
            PARAMS("transfer_To", w->partners, "personality_ids", ids));
    assert_zoho_error(&a, 400, NULL, "INVALID_DATA");
    answer_clear(&a);
    g_free(path);
    g_free(ids);
    g_free(alice);
    g_free(bob);
}

static void set_licenses(json_object *saved, void *data)
{
    json_object_object_add(saved, "portal_user_licenses", json_object_new_int64(*(int64_t *)data));
}

static void test_license_limits(void **ctx)
{
    struct world *w = *ctx;
    int64_t licenses = 2; /* alice and carol are active: all used */
    edit_state(w->state, set_licenses, &licenses);
    char *dana = contact_id(w, "dana@example.com");
    char *bob = contact_id(w, "bob@example.com");
    struct answer a = invite(w, dana, PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_zoho_error(&a, 400, NULL, "LICENSE_LIMIT_EXCEEDED");
    answer_clear(&a);
    a = change_status(w, bob, "true");
    assert_zoho_error(&a, 403, NULL, "LIMIT_EXCEEDED");
    answer_clear(&a);
    char *alice = contact_id(w, "alice@example.com");
    a = change_status(w, alice, "false"); /* frees one licence */
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = invite(w, dana, PARAMS("user_type_id", w->customers, "type", "invite"));
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    g_free(alice);
    g_free(dana);
    g_free(bob);
}

/* ------------------------------------------------------------ state */

static void test_save_load_round_trip(void **ctx)
{
    struct world *w = *ctx;
    /* Change a bit of everything first. */
    struct answer a = create_portal_named(w, "\"RoundTrip1\"");
    answer_clear(&a);
    char *dana = contact_id(w, "dana@example.com");
    a = invite(w, dana, PARAMS("user_type_id", w->customers, "type", "invite"));
    answer_clear(&a);
    a = crm(w->state, "POST", "/crm/v7/Contacts", w->token,
            "{\"data\":[{\"Last_Name\":\"O\\\"Quote\",\"Email\":\"q@example.com\"}]}", NULL);
    answer_clear(&a);
    char *body = bulk_body(w, 3);
    a = crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token, body, NULL);
    char *job = g_strdup(str_at(a.json, "portal_invite[0].details.job_id"));
    answer_clear(&a);

    /* Let the bulk job finish first: its status follows the clock, and on a
     * busy machine it could otherwise change between the two saves. */
    g_usleep(200 * 1000);
    char *first = save_text(w->state);
    void *copy = new_state(3600);
    load_text(copy, first);
    char *second = save_text(copy);
    assert_string_equal(first, second);

    /* The loaded state answers like the original: token, portal, users, job. */
    a = crm(copy, "GET", "/crm/v7/settings/portals/RoundTrip1", w->token, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    a = crm(copy, "GET", "/crm/v7/Contacts/search", w->token, NULL,
            PARAMS("email", "q@example.com"));
    assert_string_equal(str_at(a.json, "data[0].Last_Name"), "O\"Quote");
    answer_clear(&a);
    a = crm(copy, "GET", "/crm/v7/Contacts/actions/portal_invite", w->token, NULL,
            PARAMS("job_id", job));
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "completed");
    answer_clear(&a);
    a = refresh_grant(copy, "sim-zoho-readonly");
    assert_int_equal(a.status, 200);
    answer_clear(&a);

    /* New ids never collide with loaded ones. */
    a = crm(copy, "POST", "/crm/v7/Contacts", w->token, "{\"data\":[{\"Last_Name\":\"New\"}]}",
            NULL);
    char *needle = g_strdup_printf("\"id\":\"%s\"", str_at(a.json, "data[0].details.id"));
    assert_null(strstr(first, needle)); /* no contact, user type or job had it */
    g_free(needle);
    answer_clear(&a);

    free(first);
    free(second);
    g_free(job);
    g_free(body);
    g_free(dana);
    sim_vendor_zoho.destroy(copy);
}

static void test_load_errors_keep_state(void **ctx)
{
    struct world *w = *ctx;
    static const char *const bad[] = {
        "[]",
        "{\"format\":2}",
        "{\"format\":1,\"next_id\":\"x\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct sim_json_stream *in = sim_json_stream_new_text(bad[i], strlen(bad[i]));
        char *error = NULL;
        assert_false(sim_vendor_zoho.load(w->state, in, &error));
        assert_non_null(error);
        g_free(error);
        sim_json_stream_free(in);
    }
    /* A member naming an unknown contact: refused with the place named. */
    char *text = save_text(w->state);
    json_object *saved = json_tokener_parse(text);
    free(text);
    json_object *m = at(saved, "portals[0].user_types[0].members[0]");
    json_object_object_add(m, "contact_id", json_object_new_string("1"));
    char *error = NULL;
    assert_false(load_value(w->state, saved, &error));
    assert_non_null(strstr(error, "portals[0].user_types[0].members[0]"));
    g_free(error);
    json_object_put(saved);
    /* And the state is as it was. */
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 3);
}

static void test_seed_users_large(void **ctx)
{
    struct world *w = *ctx;
    sim_vendor_zoho.seed_users(w->state, 200000);
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 200003);
    char *path = users_path("CustomerHub", w->customers, NULL);
    struct answer a = crm(w->state, "GET", path, w->token, NULL,
                          PARAMS("type", "AllUsers", "page", "1000", "per_page", "200"));
    assert_int_equal(a.status, 200);
    assert_int_equal(int_at(a.json, "info.count"), 200);
    assert_true(bool_at(a.json, "info.more_records"));
    /* Page 1000 starts after 199800 users: the three demo ones and 199797 seeded. */
    assert_string_equal(str_at(a.json, "users[0].email"), "seed.user199798@example.com");
    answer_clear(&a);
    a = crm(w->state, "GET", path, w->token, NULL,
            PARAMS("type", "AllUsers", "page", "1001", "per_page", "200"));
    assert_int_equal(int_at(a.json, "info.count"), 3);
    assert_false(bool_at(a.json, "info.more_records"));
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/Contacts/search", w->token, NULL,
            PARAMS("email", "seed.user123456@example.com"));
    assert_string_equal(str_at(a.json, "data[0].Last_Name"), "User0123456");
    answer_clear(&a);
    a = crm(w->state, "GET", "/crm/v7/settings/portals/CustomerHub/user_type", w->token, NULL,
            NULL);
    assert_int_equal(int_at(a.json, "user_type[0].no_of_users"), 200003);
    answer_clear(&a);
    g_free(path);
}

/* Pages through a selection, returning the ids seen (in order) as one string. */
static GString *walk_pages(struct world *w, const char *selection, size_t per_page, size_t *pages,
                           int64_t *total)
{
    char *path = users_path("CustomerHub", w->customers, NULL);
    char per_page_text[16];
    snprintf(per_page_text, sizeof(per_page_text), "%zu", per_page);
    GString *ids = g_string_new(NULL);
    *total = -1;
    for (*pages = 0;; (*pages)++) {
        char page_text[16];
        snprintf(page_text, sizeof(page_text), "%zu", *pages + 1);
        struct answer a =
            crm(w->state, "GET", path, w->token, NULL,
                PARAMS("type", selection, "per_page", per_page_text, "page", page_text));
        if (a.status == 204) {
            answer_clear(&a);
            break;
        }
        *total = int_at(a.json, "info.total_count");
        for (size_t i = 0; i < len_at(a.json, "users"); i++) {
            char *item = g_strdup_printf("users[%zu].personality_id", i);
            g_string_append_printf(ids, "%s,", str_at(a.json, item));
            g_free(item);
        }
        answer_clear(&a);
    }
    g_free(path);
    return ids;
}

static size_t count_commas(const GString *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->len; i++)
        n += s->str[i] == ',';
    return n;
}

static void test_paging_counts_and_cursor(void **ctx)
{
    struct world *w = *ctx;
    sim_vendor_zoho.seed_users(w->state, 1000);
    static const char *const selections[] = {
        "AllUsers",          "AllActiveUsers", "ActiveUsers",         "DeactiveUsers",
        "NotConfirmedUsers", "ConfirmedUsers", "ActiveConfirmedUsers"};
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < G_N_ELEMENTS(selections); i++) {
            size_t pages = 0;
            int64_t total = 0;
            /* Every listed user is counted once, and total_count agrees. */
            GString *ids = walk_pages(w, selections[i], 37, &pages, &total);
            assert_int_equal(count_commas(ids), total);
            GString *whole = walk_pages(w, selections[i], 200, &pages, &total);
            assert_string_equal(ids->str, whole->str);
            g_string_free(ids, TRUE);
            g_string_free(whole, TRUE);
        }
        /* Change members between the rounds: removals leave holes, a status moves. */
        char *path = users_path("CustomerHub", w->customers, NULL);
        struct answer a = crm(w->state, "GET", path, w->token, NULL,
                              PARAMS("type", "ConfirmedUsers", "per_page", "120"));
        GString *ids = g_string_new(NULL);
        for (size_t k = 0; k < 100; k++) {
            char *item = g_strdup_printf("users[%zu].personality_id", k);
            g_string_append_printf(ids, "%s%s", k ? "," : "", str_at(a.json, item));
            g_free(item);
        }
        answer_clear(&a);
        a = crm(w->state, "DELETE", path, w->token, NULL, PARAMS("personality_ids", ids->str));
        assert_int_equal(a.status, 200);
        answer_clear(&a);
        a = crm(w->state, "GET", path, w->token, NULL,
                PARAMS("type", "ActiveConfirmedUsers", "per_page", "1", "page", "50"));
        char *active_id = g_strdup(str_at(a.json, "users[0].personality_id"));
        answer_clear(&a);
        a = change_status(w, active_id, "false");
        assert_int_equal(a.status, 200);
        answer_clear(&a);
        g_string_free(ids, TRUE);
        g_free(active_id);
        g_free(path);
    }
    assert_int_equal(users_total(w, "CustomerHub", w->customers, "AllUsers"), 1003 - 200);

    /* A change between two pages: the next page is read afresh, not from a stale cursor. */
    char *list = users_path("CustomerHub", w->customers, NULL);
    struct answer victim = crm(w->state, "GET", list, w->token, NULL,
                               PARAMS("type", "ActiveConfirmedUsers", "per_page", "1"));
    struct answer page1 = crm(w->state, "GET", list, w->token, NULL,
                              PARAMS("type", "DeactiveUsers", "per_page", "10", "page", "1"));
    answer_clear(&page1);
    struct answer change =
        change_status(w, str_at(victim.json, "users[0].personality_id"), "false");
    assert_int_equal(change.status, 200);
    struct answer page2 = crm(w->state, "GET", list, w->token, NULL,
                              PARAMS("type", "DeactiveUsers", "per_page", "10", "page", "2"));
    struct answer both = crm(w->state, "GET", list, w->token, NULL,
                             PARAMS("type", "DeactiveUsers", "per_page", "20", "page", "1"));
    for (size_t i = 0; i < 10; i++) {
        char *mine = g_strdup_printf("users[%zu].personality_id", i);
        char *theirs = g_strdup_printf("users[%zu].personality_id", i + 10);
        assert_string_equal(str_at(page2.json, mine), str_at(both.json, theirs));
        g_free(mine);
        g_free(theirs);
    }
    answer_clear(&victim);
    answer_clear(&change);
    answer_clear(&page2);
    answer_clear(&both);
    g_free(list);

    /* Out of order: a page asked for again is the same page. */
    char *path = users_path("CustomerHub", w->customers, NULL);
    struct answer first = crm(w->state, "GET", path, w->token, NULL,
                              PARAMS("type", "DeactiveUsers", "per_page", "5", "page", "2"));
    struct answer later = crm(w->state, "GET", path, w->token, NULL,
                              PARAMS("type", "DeactiveUsers", "per_page", "5", "page", "9"));
    struct answer again = crm(w->state, "GET", path, w->token, NULL,
                              PARAMS("type", "DeactiveUsers", "per_page", "5", "page", "2"));
    assert_string_equal(first.body, again.body);
    answer_clear(&first);
    answer_clear(&later);
    answer_clear(&again);
    g_free(path);
}

static void test_old_jobs_are_forgotten(void **ctx)
{
    struct world *w = *ctx;
    char *body = bulk_body(w, 1);
    char *first_job = NULL, *last_job = NULL;
    for (int i = 0; i < 1002; i++) {
        struct answer a =
            crm(w->state, "POST", "/crm/v7/Contacts/actions/portal_invite", w->token, body, NULL);
        assert_int_equal(a.status, 200);
        g_free(last_job);
        last_job = g_strdup(str_at(a.json, "portal_invite[0].details.job_id"));
        if (!first_job)
            first_job = g_strdup(last_job);
        answer_clear(&a);
    }
    g_usleep(200 * 1000);
    struct answer a = bulk_status(w, last_job);
    assert_string_equal(str_at(a.json, "portal_invite[0].status"), "completed");
    answer_clear(&a);
    a = bulk_status(w, first_job); /* the oldest finished jobs are gone */
    assert_no_content(&a);
    answer_clear(&a);
    g_free(first_job);
    g_free(last_job);
    g_free(body);
}

/* ------------------------------------------------------------ vendor table */

static void test_faults_and_credentials(void **ctx)
{
    struct world *w = *ctx;
    static const struct {
        enum sim_error_kind kind;
        int status;
        const char *code;
    } faults[] = {
        {SIM_ERROR_INTERNAL, 500, "INTERNAL_ERROR"},
        {SIM_ERROR_UNAVAILABLE, 503, "INTERNAL_ERROR"},
        {SIM_ERROR_RATE_LIMITED, 429, "TOO_MANY_REQUESTS"},
        {SIM_ERROR_NOT_FOUND, 404, "INVALID_URL_PATTERN"},
    };
    struct sim_request crm;
    sim_request_init(&crm, "GET", "/crm/v7/settings/portals", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(faults); i++) {
        struct sim_response resp;
        sim_response_init(&resp);
        sim_vendor_zoho.error(faults[i].kind, &crm, &resp);
        struct answer a = {.status = resp.status, .body = g_strdup(resp.body)};
        a.json = json_tokener_parse(a.body);
        assert_zoho_error(&a, faults[i].status, NULL, faults[i].code);
        answer_clear(&a);
        sim_response_clear(&resp);
    }
    sim_request_clear(&crm);

    /* On the Accounts paths a rate limit answers in the Accounts shape, 400. */
    static const char *const oauth_paths[] = {"/oauth/v2/token", "/oauth/v3/device/token",
                                              "/oauth/v2/token/revoke"};
    for (size_t i = 0; i < G_N_ELEMENTS(oauth_paths); i++) {
        struct sim_request oauth;
        sim_request_init(&oauth, "POST", oauth_paths[i], NULL);
        struct sim_response resp;
        sim_response_init(&resp);
        sim_vendor_zoho.error(SIM_ERROR_RATE_LIMITED, &oauth, &resp);
        assert_int_equal(resp.status, 400);
        json_object *json = json_tokener_parse(resp.body);
        assert_non_null(json);
        assert_string_equal(json_object_get_string(json_object_object_get(json, "error")),
                            "Access Denied");
        assert_string_equal(
            json_object_get_string(json_object_object_get(json, "error_description")),
            "You have made too many requests continuously. Please try again after some time.");
        assert_string_equal(json_object_get_string(json_object_object_get(json, "status")),
                            "failure");
        assert_int_equal(json_object_object_length(json), 3);
        json_object_put(json);
        sim_response_clear(&resp);
        sim_request_clear(&oauth);
    }

    assert_true(sim_vendor_zoho.owns_path("/crm/v7/settings/portals"));
    assert_true(sim_vendor_zoho.owns_path("/oauth/v2/token"));
    assert_false(sim_vendor_zoho.owns_path("/v1/portal"));
    assert_false(sim_vendor_zoho.owns_path("/v2/users"));
    assert_string_equal(sim_vendor_zoho.name, "zoho");

    struct sim_request req;
    sim_request_init(&req, "GET", "/crm/v7/settings/portals", NULL);
    assert_null(sim_vendor_zoho.credential(&req));
    char *auth = g_strconcat("Zoho-oauthtoken ", w->token, NULL);
    sim_pairs_add(&req.headers, "authorization", auth);
    assert_string_equal(sim_vendor_zoho.credential(&req), w->token);
    sim_request_clear(&req);
    sim_request_init(&req, "POST", "/oauth/v2/token", NULL);
    sim_pairs_add(&req.form, "client_id", CLIENT_ID);
    assert_string_equal(sim_vendor_zoho.credential(&req), CLIENT_ID);
    sim_request_clear(&req);
    g_free(auth);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_refresh_grant),
        T(test_authorization_code_grant),
        T(test_device_flow),
        T(test_refused_tokens),
        T(test_token_expiry),
        T(test_read_only_token),
        T(test_portals_list_and_get),
        T(test_portal_create_seed_example),
        T(test_portal_name_rules),
        T(test_portal_rename),
        T(test_no_portal_delete_and_unknown_urls),
        T(test_user_types),
        T(test_users_list_selections),
        T(test_users_paging),
        T(test_contacts),
        T(test_invite_one),
        T(test_bulk_invite_job),
        T(test_bulk_invite_limits_and_timing),
        T(test_change_status),
        T(test_delete_users),
        T(test_transfer_users),
        T(test_license_limits),
        T(test_save_load_round_trip),
        T(test_load_errors_keep_state),
        T(test_seed_users_large),
        T(test_paging_counts_and_cursor),
        T(test_old_jobs_are_forgotten),
        T(test_faults_and_credentials),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
