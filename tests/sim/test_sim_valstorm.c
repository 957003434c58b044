/*
 * portal-sim, Valstorm: the vendor handler driven directly with hand-built
 * requests — every endpoint's success and documented errors, the login /
 * 2FA / refresh flow, FastAPI's 422 shapes down to the bulk row index, the
 * state file round trip and a large seeded list. Request bodies come from
 * tests/fixtures/valstorm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

#include <portalctl/sim/sim.h>
#include <portalctl/sim/valstorm_json.h>
#include <portalctl/sim/valstorm_store.h>
#include <portalctl/sim/valstorm_validate.h>

#define ADMIN  "Bearer sim-valstorm-admin"
#define MEMBER "Bearer sim-valstorm-member"

static const struct sim_vendor *const vendor = &sim_vendor_valstorm;

/* --- helpers ---------------------------------------------------------------- */

struct answer {
    int status;
    json_object *json;
    char www_authenticate[32];
};

static void answer_clear(struct answer *a)
{
    json_object_put(a->json);
    memset(a, 0, sizeof(*a));
}

static char *fixture(const char *name)
{
    const char *dir = getenv("PORTALCTL_FIXTURES");
    assert_non_null(dir);
    char *path = g_build_filename(dir, "valstorm", name, NULL);
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_free(path);
    return text;
}

static void *new_state(void)
{
    struct sim_options options = {
        .base_url = "http://127.0.0.1:1", .zoho_token_ttl = 3600, .seed = 42};
    void *state = vendor->create(&options);
    assert_non_null(state);
    return state;
}

/* Runs one request; content_type NULL sends none. */
static struct answer exchange(void *state, const char *method, const char *path,
                              const char *authorization, const char *content_type, const char *body)
{
    struct sim_request req;
    struct sim_response resp;
    sim_request_init(&req, method, path, body);
    if (authorization)
        sim_pairs_add(&req.headers, "authorization", authorization);
    if (content_type)
        sim_pairs_add(&req.headers, "content-type", content_type);
    sim_response_init(&resp);
    vendor->handle(state, &req, &resp);
    struct answer a = {.status = resp.status};
    g_strlcpy(a.www_authenticate, resp.www_authenticate, sizeof(a.www_authenticate));
    if (resp.body) {
        assert_int_equal(strlen(resp.body), resp.body_len);
        a.json = json_tokener_parse(resp.body);
        assert_non_null(a.json); /* every Valstorm answer is JSON */
    }
    sim_response_clear(&resp);
    sim_request_clear(&req);
    return a;
}

static struct answer as_admin(void *state, const char *method, const char *path, const char *body)
{
    return exchange(state, method, path, ADMIN, body ? "application/json" : NULL, body);
}

static struct answer as_admin_fixture(void *state, const char *method, const char *path,
                                      const char *name)
{
    char *body = fixture(name);
    struct answer a = as_admin(state, method, path, body);
    g_free(body);
    return a;
}

static const char *str_at(json_object *obj, const char *key)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(obj, key, &value) || !value)
        return NULL;
    return json_object_get_string(value);
}

static void assert_detail(const struct answer *a, int status, const char *detail)
{
    assert_int_equal(a->status, status);
    assert_string_equal(str_at(a->json, "detail"), detail);
}

static const char *plain(json_object *obj)
{
    return json_object_to_json_string_ext(obj,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* The i-th entry of a 422 answer, checked for type and loc (as JSON text). */
static json_object *validation_error(const struct answer *a, size_t i, const char *type,
                                     const char *loc)
{
    assert_int_equal(a->status, 422);
    json_object *detail = json_object_object_get(a->json, "detail");
    assert_true(json_object_is_type(detail, json_type_array));
    assert_true(i < json_object_array_length(detail));
    json_object *error = json_object_array_get_idx(detail, i);
    assert_string_equal(str_at(error, "type"), type);
    assert_string_equal(plain(json_object_object_get(error, "loc")), loc);
    assert_non_null(str_at(error, "msg"));
    assert_true(json_object_object_get_ex(error, "input", NULL));
    return error;
}

static size_t detail_count(const struct answer *a)
{
    return json_object_array_length(json_object_object_get(a->json, "detail"));
}

static bool is_id(const char *id, const char *prefix)
{
    if (!id || !g_str_has_prefix(id, prefix) || strlen(id) != strlen(prefix) + 10)
        return false;
    for (const char *p = id + strlen(prefix); *p; p++) {
        if (!g_ascii_isalnum(*p))
            return false;
    }
    return true;
}

static bool is_timestamp(const char *text)
{
    return text && g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", text, 0, 0);
}

static json_object *find_user(json_object *list, const char *email)
{
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *user = json_object_array_get_idx(list, i);
        if (g_strcmp0(str_at(user, "email"), email) == 0)
            return user;
    }
    return NULL;
}

static size_t list_length(void *state, const char *portal_id)
{
    char *path = g_strdup_printf("/v1/portal/%s/users", portal_id);
    struct answer a = as_admin(state, "GET", path, NULL);
    g_free(path);
    assert_int_equal(a.status, 200);
    size_t n = json_object_array_length(a.json);
    answer_clear(&a);
    return n;
}

/* The login form as the server decodes it, from the fixture's url-encoded text. */
static struct answer login(void *state, const char *form_text)
{
    struct sim_request req;
    struct sim_response resp;
    sim_request_init(&req, "POST", "/v1/oauth2/login", form_text);
    sim_pairs_add(&req.headers, "content-type", "application/x-www-form-urlencoded");
    GHashTable *params = g_uri_parse_params(form_text, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
    assert_non_null(params);
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, params);
    while (g_hash_table_iter_next(&iter, &key, &value))
        sim_pairs_add(&req.form, key, value);
    g_hash_table_unref(params);
    sim_response_init(&resp);
    vendor->handle(state, &req, &resp);
    struct answer a = {.status = resp.status, .json = json_tokener_parse(resp.body)};
    g_strlcpy(a.www_authenticate, resp.www_authenticate, sizeof(a.www_authenticate));
    sim_response_clear(&resp);
    sim_request_clear(&req);
    return a;
}

/* Password login plus 2FA; the access token (g_free), refresh token in *refresh. */
static char *login_with_2fa(void *state, char **refresh)
{
    char *form = fixture("login.form");
    struct answer a = login(state, form);
    g_free(form);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    char *body = fixture("verify_2fa.json");
    a = exchange(state, "POST", "/v1/oauth2/verify-2fa", NULL, "application/json", body);
    g_free(body);
    assert_int_equal(a.status, 200);
    char *access = g_strdup(str_at(a.json, "access_token"));
    if (refresh)
        *refresh = g_strdup(str_at(a.json, "refresh_token"));
    answer_clear(&a);
    return access;
}

/* --- routing and authentication ----------------------------------------------- */

static void test_routes_unknown_and_wrong_method(void **unused)
{
    (void)unused;
    void *state = new_state();
    assert_true(vendor->owns_path("/v1/portal"));
    assert_false(vendor->owns_path("/v2/users"));
    assert_false(vendor->owns_path("/crm/v7/contacts"));

    struct answer a = as_admin(state, "GET", "/v1/nothing/here", NULL);
    assert_detail(&a, 404, "Not Found");
    answer_clear(&a);
    a = as_admin(state, "GET", "/v1/portal", NULL); /* no list of portals exists */
    assert_detail(&a, 405, "Method Not Allowed");
    answer_clear(&a);
    a = as_admin(state, "PUT", "/v1/portal/portal_demo1", "{}");
    assert_detail(&a, 405, "Method Not Allowed");
    answer_clear(&a);
    a = as_admin(state, "GET", "/v1/portal//users", NULL); /* empty id: no route */
    assert_detail(&a, 404, "Not Found");
    answer_clear(&a);
    a = exchange(state, "GET", "/v1/oauth2/login", NULL, NULL, NULL);
    assert_detail(&a, 405, "Method Not Allowed");
    answer_clear(&a);
    vendor->destroy(state);
}

static void test_auth_refusals(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = exchange(state, "GET", "/v1/portal/portal_demo1/users", NULL, NULL, NULL);
    assert_detail(&a, 401, "Not authenticated");
    assert_string_equal(a.www_authenticate, "Bearer");
    answer_clear(&a);
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", "Basic c2ltOnNpbQ==", NULL, NULL);
    assert_detail(&a, 401, "Not authenticated");
    answer_clear(&a);
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", "Bearer wrong-token", NULL, NULL);
    assert_detail(&a, 401, "Could not validate credentials");
    assert_string_equal(a.www_authenticate, "Bearer");
    answer_clear(&a);
    /* A refresh token is no access token. */
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", "Bearer sim-valstorm-refresh", NULL,
                 NULL);
    assert_detail(&a, 401, "Could not validate credentials");
    answer_clear(&a);
    /* The scheme is case-insensitive, as in FastAPI. */
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", "bearer sim-valstorm-admin", NULL,
                 NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    vendor->destroy(state);
}

static void test_member_is_refused_everywhere(void **unused)
{
    (void)unused;
    static const char *const calls[][3] = {
        {"POST", "/v1/portal", "{\"name\":\"X\"}"},
        {"PATCH", "/v1/portal/portal_demo1", "{\"name\":\"X\"}"},
        {"DELETE", "/v1/portal/portal_demo1", NULL},
        {"POST", "/v1/portal/portal_demo1/users", "{\"users\":[{\"email\":\"a@example.com\"}]}"},
        {"GET", "/v1/portal/portal_demo1/users", NULL},
        {"DELETE", "/v1/portal/portal_demo1/users/user_demo1", NULL},
    };
    void *state = new_state();
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        struct answer a = exchange(state, calls[i][0], calls[i][1], MEMBER,
                                   calls[i][2] ? "application/json" : NULL, calls[i][2]);
        assert_detail(&a, 403, "Only production organization administrators can manage portals");
        answer_clear(&a);
    }
    assert_int_equal(list_length(state, "portal_demo1"), 3); /* nothing happened */
    vendor->destroy(state);
}

static void test_credential_is_the_bearer_token(void **unused)
{
    (void)unused;
    struct sim_request req;
    sim_request_init(&req, "GET", "/v1/portal/portal_demo1/users", NULL);
    assert_null(vendor->credential(&req));
    sim_pairs_add(&req.headers, "authorization", ADMIN);
    assert_string_equal(vendor->credential(&req), "sim-valstorm-admin");
    sim_request_clear(&req);
}

static void test_injected_errors(void **unused)
{
    (void)unused;
    static const struct {
        enum sim_error_kind kind;
        int status;
        const char *detail;
    } cases[] = {
        {SIM_ERROR_INTERNAL, 500, "Internal Server Error"},
        {SIM_ERROR_UNAVAILABLE, 503, "Service Unavailable"},
        {SIM_ERROR_RATE_LIMITED, 429, "Too Many Requests"},
        {SIM_ERROR_NOT_FOUND, 404, "Not Found"},
    };
    struct sim_request req;
    sim_request_init(&req, "GET", "/v1/portal/x/users", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct sim_response resp;
        sim_response_init(&resp);
        vendor->error(cases[i].kind, &req, &resp);
        struct answer a = {.status = resp.status, .json = json_tokener_parse(resp.body)};
        assert_detail(&a, cases[i].status, cases[i].detail);
        answer_clear(&a);
        sim_response_clear(&resp);
    }
    sim_request_clear(&req);
}

/* --- personal access tokens ------------------------------------------------------ */

static gint64 unix_of(const char *iso)
{
    GDateTime *when = g_date_time_new_from_iso8601(iso, NULL);
    assert_non_null(when);
    gint64 t = g_date_time_to_unix(when);
    g_date_time_unref(when);
    return t;
}

static struct answer create_pat(void *state, const char *authorization, const char *body)
{
    return exchange(state, "POST", "/v1/auth/pats", authorization, "application/json", body);
}

static void test_pat_create_and_use(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = create_pat(state, ADMIN, "{\"name\":\"ci\",\"expires_in_days\":30}");
    assert_int_equal(a.status, 201);
    assert_true(is_id(str_at(a.json, "id"), "pat_"));
    assert_string_equal(str_at(a.json, "name"), "ci");
    assert_true(g_str_has_prefix(str_at(a.json, "token"), "vst_"));
    assert_true(is_timestamp(str_at(a.json, "created_date")));
    assert_true(is_timestamp(str_at(a.json, "expires_date")));
    assert_int_equal(unix_of(str_at(a.json, "expires_date")) -
                         unix_of(str_at(a.json, "created_date")),
                     30 * 86400);
    assert_int_equal(json_object_object_length(a.json), 5);
    char *bearer = g_strconcat("Bearer ", str_at(a.json, "token"), NULL);
    answer_clear(&a);

    /* The new token manages portals as the admin's does. */
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", bearer, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_true(json_object_is_type(a.json, json_type_array));
    answer_clear(&a);
    a = exchange(state, "POST", "/v1/portal", bearer, "application/json", "{\"name\":\"ByPat\"}");
    assert_int_equal(a.status, 201);
    answer_clear(&a);
    /* And it may create further tokens. */
    a = create_pat(state, bearer, "{\"name\":\"forever\",\"expires_in_days\":null}");
    assert_int_equal(a.status, 201);
    assert_true(json_object_object_get_ex(a.json, "expires_date", NULL));
    assert_null(str_at(a.json, "expires_date"));
    answer_clear(&a);

    /* A member's token acts as a member: authenticated, but no portal rights. */
    a = create_pat(state, MEMBER, "{\"name\":\"mine\"}");
    assert_int_equal(a.status, 201);
    char *member_bearer = g_strconcat("Bearer ", str_at(a.json, "token"), NULL);
    answer_clear(&a);
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", member_bearer, NULL, NULL);
    assert_detail(&a, 403, "Only production organization administrators can manage portals");
    answer_clear(&a);

    /* Unauthenticated callers get FastAPI's refusals. */
    a = create_pat(state, NULL, "{\"name\":\"x\"}");
    assert_detail(&a, 401, "Not authenticated");
    assert_string_equal(a.www_authenticate, "Bearer");
    answer_clear(&a);
    a = create_pat(state, "Bearer vst_nope", "{\"name\":\"x\"}");
    assert_detail(&a, 401, "Could not validate credentials");
    answer_clear(&a);
    g_free(bearer);
    g_free(member_bearer);
    vendor->destroy(state);
}

static void test_pat_validation(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = create_pat(state, ADMIN, "{}");
    validation_error(&a, 0, "missing", "[\"body\",\"name\"]");
    assert_int_equal(detail_count(&a), 1);
    answer_clear(&a);
    a = create_pat(state, ADMIN, "{\"name\":\"\"}");
    validation_error(&a, 0, "string_too_short", "[\"body\",\"name\"]");
    answer_clear(&a);
    static const struct {
        const char *days;
        const char *type;
    } bad[] = {
        {"0", "greater_than_equal"},  {"366", "less_than_equal"},
        {"-3", "greater_than_equal"}, {"\"abc\"", "int_parsing"},
        {"1.5", "int_from_float"},    {"[1]", "int_type"},
        {"1e300", "less_than_equal"}, {"-1e300", "greater_than_equal"},
        {"\"\"", "int_parsing"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *body = g_strdup_printf("{\"name\":\"n\",\"expires_in_days\":%s}", bad[i].days);
        a = create_pat(state, ADMIN, body);
        json_object *error = validation_error(&a, 0, bad[i].type, "[\"body\",\"expires_in_days\"]");
        if (g_str_has_suffix(bad[i].type, "_equal"))
            assert_non_null(json_object_object_get(error, "ctx"));
        answer_clear(&a);
        g_free(body);
    }
    /* Both problems at once, in field order. */
    a = create_pat(state, ADMIN, "{\"expires_in_days\":999}");
    assert_int_equal(detail_count(&a), 2);
    validation_error(&a, 0, "missing", "[\"body\",\"name\"]");
    validation_error(&a, 1, "less_than_equal", "[\"body\",\"expires_in_days\"]");
    answer_clear(&a);
    /* pydantic's lax mode takes an integer string and an integral float. */
    a = create_pat(state, ADMIN, "{\"name\":\"n\",\"expires_in_days\":\"7\"}");
    assert_int_equal(a.status, 201);
    answer_clear(&a);
    a = create_pat(state, ADMIN, "{\"name\":\"n\",\"expires_in_days\":365.0}");
    assert_int_equal(a.status, 201);
    answer_clear(&a);
    a = create_pat(state, ADMIN, "[]");
    validation_error(&a, 0, "model_attributes_type", "[\"body\"]");
    answer_clear(&a);
    vendor->destroy(state);
}

/* --- login, 2FA, refresh ---------------------------------------------------------- */

static void test_login_2fa_refresh_flow(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = login(state, "grant_type=password&username=admin%40sim.example"
                                   "&password=wrong");
    assert_detail(&a, 401, "Incorrect username or password");
    answer_clear(&a);

    /* 2FA before any password login: nothing is waiting for a code. */
    char *verify = fixture("verify_2fa.json");
    a = exchange(state, "POST", "/v1/oauth2/verify-2fa", NULL, "application/json", verify);
    assert_detail(&a, 401, "Invalid 2FA code");
    answer_clear(&a);

    char *form = fixture("login.form");
    a = login(state, form);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "detail"), "2FA code sent");
    assert_true(json_object_get_boolean(json_object_object_get(a.json, "two_fa_required")));
    assert_string_equal(str_at(a.json, "email"), "admin@sim.example");
    assert_null(str_at(a.json, "access_token"));
    answer_clear(&a);

    a = exchange(state, "POST", "/v1/oauth2/verify-2fa", NULL, "application/json",
                 "{\"email\":\"admin@sim.example\",\"code\":\"654321\"}");
    assert_detail(&a, 401, "Invalid 2FA code");
    answer_clear(&a);

    a = exchange(state, "POST", "/v1/oauth2/verify-2fa", NULL, "application/json", verify);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "token_type"), "bearer");
    char *access = g_strdup(str_at(a.json, "access_token"));
    char *refresh = g_strdup(str_at(a.json, "refresh_token"));
    assert_true(access && refresh && strcmp(access, refresh) != 0);
    answer_clear(&a);

    /* The challenge is used up. */
    a = exchange(state, "POST", "/v1/oauth2/verify-2fa", NULL, "application/json", verify);
    assert_detail(&a, 401, "Invalid 2FA code");
    answer_clear(&a);

    char *bearer = g_strconcat("Bearer ", access, NULL);
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", bearer, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);

    /* Refresh with the login's refresh token: a new access token that works. */
    char *body = g_strdup_printf("{\"refresh_token\":\"%s\"}", refresh);
    a = exchange(state, "POST", "/v1/oauth2/refresh", NULL, "application/json", body);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "refresh_token"), refresh);
    assert_string_not_equal(str_at(a.json, "access_token"), access);
    char *bearer2 = g_strconcat("Bearer ", str_at(a.json, "access_token"), NULL);
    answer_clear(&a);
    a = exchange(state, "GET", "/v1/portal/portal_demo1/users", bearer2, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);

    /* An access token is no refresh token. */
    char *wrong = g_strdup_printf("{\"refresh_token\":\"%s\"}", access);
    a = exchange(state, "POST", "/v1/oauth2/refresh", NULL, "application/json", wrong);
    assert_detail(&a, 401, "Invalid refresh token");
    answer_clear(&a);

    g_free(wrong);
    g_free(bearer2);
    g_free(body);
    g_free(bearer);
    g_free(access);
    g_free(refresh);
    g_free(form);
    g_free(verify);
    vendor->destroy(state);
}

static void test_fixed_refresh_token(void **unused)
{
    (void)unused;
    void *state = new_state();
    char *body = fixture("refresh.json");
    struct answer a = exchange(state, "POST", "/v1/oauth2/refresh", NULL, "application/json", body);
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "refresh_token"), "sim-valstorm-refresh");
    assert_string_equal(str_at(a.json, "token_type"), "bearer");
    char *bearer = g_strconcat("Bearer ", str_at(a.json, "access_token"), NULL);
    answer_clear(&a);
    a = exchange(state, "POST", "/v1/portal", bearer, "application/json", "{\"name\":\"R\"}");
    assert_int_equal(a.status, 201);
    answer_clear(&a);

    a = exchange(state, "POST", "/v1/oauth2/refresh", NULL, "application/json",
                 "{\"refresh_token\":\"not-a-token\"}");
    assert_detail(&a, 401, "Invalid refresh token");
    answer_clear(&a);
    a = exchange(state, "POST", "/v1/oauth2/refresh", NULL, "application/json", "{}");
    json_object *e = validation_error(&a, 0, "missing", "[\"body\",\"refresh_token\"]");
    assert_string_equal(str_at(e, "msg"), "Field required");
    answer_clear(&a);
    g_free(bearer);
    g_free(body);
    vendor->destroy(state);
}

static void test_login_form_validation(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = login(state, "grant_type=client_credentials&username=");
    assert_int_equal(detail_count(&a), 3);
    json_object *e =
        validation_error(&a, 0, "string_pattern_mismatch", "[\"body\",\"grant_type\"]");
    assert_string_equal(str_at(e, "msg"), "String should match pattern '^password$'");
    assert_string_equal(str_at(json_object_object_get(e, "ctx"), "pattern"), "^password$");
    /* FastAPI reads an empty form field as a missing one; its input is null. */
    e = validation_error(&a, 1, "missing", "[\"body\",\"username\"]");
    assert_null(json_object_object_get(e, "input"));
    validation_error(&a, 2, "missing", "[\"body\",\"password\"]");
    answer_clear(&a);
    vendor->destroy(state);
}

static void test_expired_access_token(void **unused)
{
    (void)unused;
    void *state = new_state();
    ((struct valstorm_store *)state)->access_token_ttl = 0; /* born expired */
    char *access = login_with_2fa(state, NULL);
    char *bearer = g_strconcat("Bearer ", access, NULL);
    struct answer a = exchange(state, "GET", "/v1/portal/portal_demo1/users", bearer, NULL, NULL);
    assert_detail(&a, 401, "Could not validate credentials");
    answer_clear(&a);
    g_free(bearer);
    g_free(access);
    vendor->destroy(state);
}

/* --- portals ------------------------------------------------------------------------ */

static void test_seeded_demo_portal(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin(state, "GET", "/v1/portal/portal_demo1/users", NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(json_object_array_length(a.json), 3);
    json_object *user = json_object_array_get_idx(a.json, 0);
    assert_string_equal(str_at(user, "id"), "user_demo1");
    assert_string_equal(str_at(user, "name"), "Alex Morgan");
    assert_true(json_object_get_boolean(json_object_object_get(user, "is_portal_user")));
    assert_true(json_object_get_boolean(json_object_object_get(user, "is_active")));
    assert_string_equal(str_at(user, "portal_id"), "portal_demo1");
    assert_true(is_timestamp(str_at(user, "created_date")));
    assert_null(find_user(a.json, "carol@example.com")); /* global, not a member */
    answer_clear(&a);

    /* The portal's own fields show in an update's answer. */
    a = as_admin(state, "PATCH", "/v1/portal/portal_demo1", "{\"name\":\"Customer Hub\"}");
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "name"), "Customer Hub");
    assert_string_equal(str_at(a.json, "custom_domain"), "help.sim.example");
    assert_string_equal(str_at(a.json, "organization_id"), "org_sim");
    answer_clear(&a);
    vendor->destroy(state);
}

static void test_create_portal(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin_fixture(state, "POST", "/v1/portal", "portal_create.json");
    assert_int_equal(a.status, 201);
    assert_true(is_id(str_at(a.json, "id"), "portal_"));
    assert_string_equal(str_at(a.json, "name"), "Partner Hub"); /* trimmed */
    assert_string_equal(str_at(a.json, "custom_domain"), "help.acme.com");
    assert_string_equal(str_at(a.json, "organization_id"), "org_sim");
    assert_true(is_timestamp(str_at(a.json, "created_date")));
    assert_string_equal(str_at(a.json, "created_date"), str_at(a.json, "modified_date"));
    char *id = g_strdup(str_at(a.json, "id"));
    answer_clear(&a);
    assert_int_equal(list_length(state, id), 0);

    a = as_admin(state, "POST", "/v1/portal", "{\"name\":\"No Domain\"}");
    assert_int_equal(a.status, 201);
    assert_true(json_object_object_get_ex(a.json, "custom_domain", NULL));
    assert_null(str_at(a.json, "custom_domain"));
    assert_string_not_equal(str_at(a.json, "id"), id);
    answer_clear(&a);
    g_free(id);
    vendor->destroy(state);
}

static void test_create_portal_validation(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin(state, "POST", "/v1/portal", "{}");
    json_object *e = validation_error(&a, 0, "missing", "[\"body\",\"name\"]");
    assert_string_equal(plain(json_object_object_get(e, "input")), "{}");
    answer_clear(&a);

    a = as_admin(state, "POST", "/v1/portal", "{\"name\":\"   \"}");
    e = validation_error(&a, 0, "string_too_short", "[\"body\",\"name\"]");
    assert_string_equal(str_at(e, "msg"), "String should have at least 1 character");
    assert_string_equal(str_at(e, "input"), "   ");
    assert_string_equal(plain(json_object_object_get(e, "ctx")), "{\"min_length\":1}");
    answer_clear(&a);

    char *long_name = g_strnfill(101, 'n');
    char *body = g_strdup_printf("{\"name\":\"%s\"}", long_name);
    a = as_admin(state, "POST", "/v1/portal", body);
    e = validation_error(&a, 0, "string_too_long", "[\"body\",\"name\"]");
    assert_string_equal(str_at(e, "msg"), "String should have at most 100 characters");
    assert_string_equal(plain(json_object_object_get(e, "ctx")), "{\"max_length\":100}");
    answer_clear(&a);
    g_free(body);
    g_free(long_name);

    /* A hundred characters, counted as characters, not bytes. */
    GString *hundred = g_string_new("{\"name\":\"");
    for (int i = 0; i < 100; i++)
        g_string_append(hundred, "\xC3\xA9");
    g_string_append(hundred, "\"}");
    a = as_admin(state, "POST", "/v1/portal", hundred->str);
    assert_int_equal(a.status, 201);
    answer_clear(&a);
    g_string_free(hundred, TRUE);

    /* FastAPI reports every error of a body at once, in field order. */
    char *bad_domain = fixture("portal_create_bad_domain.json");
    a = as_admin(state, "POST", "/v1/portal", bad_domain);
    assert_int_equal(detail_count(&a), 2);
    validation_error(&a, 0, "missing", "[\"body\",\"name\"]");
    e = validation_error(&a, 1, "value_error", "[\"body\",\"custom_domain\"]");
    assert_true(
        g_str_has_prefix(str_at(e, "msg"), "Value error, custom_domain must be a hostname"));
    assert_string_equal(str_at(e, "input"), "https://help.acme.com/portal");
    answer_clear(&a);
    g_free(bad_domain);

    a = as_admin(state, "POST", "/v1/portal", "{\"name\":12,\"custom_domain\":\"a..b\"}");
    e = validation_error(&a, 0, "string_type", "[\"body\",\"name\"]");
    assert_string_equal(str_at(e, "msg"), "Input should be a valid string");
    validation_error(&a, 1, "value_error", "[\"body\",\"custom_domain\"]");
    answer_clear(&a);

    a = as_admin(state, "POST", "/v1/portal", NULL);
    e = validation_error(&a, 0, "missing", "[\"body\"]");
    assert_null(json_object_object_get(e, "input"));
    answer_clear(&a);

    a = as_admin(state, "POST", "/v1/portal", "[1]");
    e = validation_error(&a, 0, "model_attributes_type", "[\"body\"]");
    assert_string_equal(str_at(e, "msg"),
                        "Input should be a valid dictionary or object to extract fields from");
    answer_clear(&a);

    /* Not JSON by its Content-Type: pydantic sees the raw text. */
    a = exchange(state, "POST", "/v1/portal", ADMIN, "text/plain", "name=x");
    e = validation_error(&a, 0, "model_attributes_type", "[\"body\"]");
    assert_string_equal(str_at(e, "input"), "name=x");
    answer_clear(&a);
    vendor->destroy(state);
}

static void test_json_invalid(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin(state, "POST", "/v1/portal", "{\"name\": }");
    json_object *e = validation_error(&a, 0, "json_invalid", "[\"body\",9]");
    assert_string_equal(str_at(e, "msg"), "JSON decode error");
    assert_string_equal(plain(json_object_object_get(e, "input")), "{}");
    assert_string_equal(plain(json_object_object_get(e, "ctx")), "{\"error\":\"Expecting value\"}");
    answer_clear(&a);

    /* Positions are characters, as in Python: the é is one. */
    a = as_admin(state, "POST", "/v1/portal", "{\"\xC3\xA9\":}");
    validation_error(&a, 0, "json_invalid", "[\"body\",5]");
    answer_clear(&a);

    /* FastAPI decodes the body before it looks at the credentials. */
    a = exchange(state, "POST", "/v1/portal", NULL, "application/json", "{\"name\"");
    e = validation_error(&a, 0, "json_invalid", "[\"body\",7]");
    assert_string_equal(str_at(json_object_object_get(e, "ctx"), "error"),
                        "Expecting ':' delimiter");
    answer_clear(&a);
    /* ...but a well-formed body without credentials is a 401. */
    a = exchange(state, "POST", "/v1/portal", NULL, "application/json", "{}");
    assert_detail(&a, 401, "Not authenticated");
    answer_clear(&a);

    a = as_admin(state, "POST", "/v1/portal", "{\"name\":\"\xFF\"}");
    assert_detail(&a, 400, "There was an error parsing the body");
    answer_clear(&a);
    vendor->destroy(state);
}

/* Expected messages and positions produced by CPython 3.11's json.loads. */
static void test_json_syntax_matches_python(void **unused)
{
    (void)unused;
    static const struct {
        const char *text;
        const char *message; /* NULL: valid */
        size_t pos;
    } cases[] = {
        {"", "Expecting value", 0},
        {"  ", "Expecting value", 2},
        {"{", "Expecting property name enclosed in double quotes", 1},
        {"{\"a\"", "Expecting ':' delimiter", 4},
        {"{\"a\":", "Expecting value", 5},
        {"{\"a\":1", "Expecting ',' delimiter", 6},
        {"{\"a\":1,}", "Expecting property name enclosed in double quotes", 7},
        {"[1,]", "Expecting value", 3},
        {"{\"a\" 1}", "Expecting ':' delimiter", 5},
        {"\"abc", "Unterminated string starting at", 0},
        {"{\"a\":\"\\q\"}", "Invalid \\escape", 6},
        {"{\"a\":\"\\u12\"}", "Invalid \\uXXXX escape", 7},
        {"{\"a\":\"x\ty\"}", "Invalid control character at", 7},
        {"[1 2]", "Expecting ',' delimiter", 3},
        {"{} x", "Extra data", 3},
        {"1.", "Extra data", 1},
        {"-", "Expecting value", 0},
        {"nul", "Expecting value", 0},
        {"01", "Extra data", 1},
        {" {\"a\": [1, -2.5e+3, true, false, null, \"\\u00e9\\n\"]} ", NULL, 0},
        {"NaN", NULL, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct valstorm_json_error error;
        bool ok = valstorm_json_check(cases[i].text, strlen(cases[i].text), &error);
        if (!cases[i].message) {
            assert_true(ok);
            continue;
        }
        assert_false(ok);
        assert_string_equal(error.message, cases[i].message);
        assert_int_equal(error.byte_offset, cases[i].pos);
    }
}

static void test_update_portal(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin_fixture(state, "POST", "/v1/portal", "portal_create.json");
    char *path = g_strdup_printf("/v1/portal/%s", str_at(a.json, "id"));
    answer_clear(&a);

    a = as_admin_fixture(state, "PATCH", path, "portal_update.json");
    assert_int_equal(a.status, 200);
    assert_string_equal(str_at(a.json, "name"), "Partner Portal");
    assert_string_equal(str_at(a.json, "custom_domain"), "help.acme.com"); /* untouched */
    answer_clear(&a);

    a = as_admin(state, "PATCH", path, "{\"custom_domain\":\"portal.acme.com\"}");
    assert_string_equal(str_at(a.json, "name"), "Partner Portal");
    assert_string_equal(str_at(a.json, "custom_domain"), "portal.acme.com");
    answer_clear(&a);

    a = as_admin_fixture(state, "PATCH", path, "portal_update_clear_domain.json");
    assert_int_equal(a.status, 200);
    assert_null(str_at(a.json, "custom_domain"));
    answer_clear(&a);

    a = as_admin_fixture(state, "PATCH", path, "portal_update_empty.json");
    json_object *e = validation_error(&a, 0, "value_error", "[\"body\"]");
    assert_string_equal(str_at(e, "msg"),
                        "Value error, at least one of name or custom_domain is required");
    assert_string_equal(plain(json_object_object_get(e, "input")), "{}");
    answer_clear(&a);

    a = as_admin(state, "PATCH", path, "{\"name\":\"\"}");
    validation_error(&a, 0, "string_too_short", "[\"body\",\"name\"]");
    answer_clear(&a);

    a = as_admin_fixture(state, "PATCH", "/v1/portal/portal_nope", "portal_update.json");
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);
    /* Validation comes before the handler looks the portal up. */
    a = as_admin(state, "PATCH", "/v1/portal/portal_nope", "{}");
    assert_int_equal(a.status, 422);
    answer_clear(&a);
    g_free(path);
    vendor->destroy(state);
}

static void test_delete_portal_then_404(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin(state, "DELETE", "/v1/portal/portal_demo1", NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(plain(a.json), "{}");
    answer_clear(&a);
    a = as_admin(state, "DELETE", "/v1/portal/portal_demo1", NULL);
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);
    a = as_admin(state, "GET", "/v1/portal/portal_demo1/users", NULL);
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);
    a = as_admin_fixture(state, "POST", "/v1/portal/portal_demo1/users", "invite_users.json");
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);
    a = as_admin(state, "PATCH", "/v1/portal/portal_demo1", "{\"name\":\"Back\"}");
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);
    a = as_admin(state, "DELETE", "/v1/portal/portal_demo1/users/user_demo1", NULL);
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);
    vendor->destroy(state);
}

/* --- portal users ---------------------------------------------------------------------- */

static void assert_user_shape(json_object *user, const char *portal_id)
{
    assert_true(is_id(str_at(user, "id"), "user_"));
    assert_string_equal(str_at(user, "portal_id"), portal_id);
    assert_true(json_object_get_boolean(json_object_object_get(user, "is_portal_user")));
    assert_true(json_object_get_boolean(json_object_object_get(user, "is_active")));
    assert_true(is_timestamp(str_at(user, "created_date")));
    assert_true(json_object_object_get_ex(user, "first_name", NULL));
    assert_true(json_object_object_get_ex(user, "last_name", NULL));
    assert_non_null(str_at(user, "name"));
}

static void test_invite_invited_linked_failed(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a =
        as_admin_fixture(state, "POST", "/v1/portal/portal_demo1/users", "invite_users.json");
    assert_int_equal(a.status, 201);
    json_object *invited = json_object_object_get(a.json, "invited");
    json_object *linked = json_object_object_get(a.json, "linked");
    json_object *failed = json_object_object_get(a.json, "failed");
    assert_int_equal(json_object_array_length(invited), 2);
    assert_int_equal(json_object_array_length(linked), 1);
    assert_int_equal(json_object_array_length(failed), 0);
    json_object *ann = find_user(invited, "ann@example.com");
    assert_non_null(ann);
    assert_user_shape(ann, "portal_demo1");
    assert_string_equal(str_at(ann, "name"), "Ann Lee");
    json_object *bo = find_user(invited, "bo@example.com");
    assert_non_null(bo);
    assert_null(str_at(bo, "first_name"));
    /* Carol's global account keeps its own names and id. */
    json_object *carol = json_object_array_get_idx(linked, 0);
    assert_string_equal(str_at(carol, "email"), "carol@example.com");
    assert_string_equal(str_at(carol, "id"), "user_carol1");
    assert_string_equal(str_at(carol, "first_name"), "Carol");
    answer_clear(&a);
    assert_int_equal(list_length(state, "portal_demo1"), 6);

    /* Again: every row refused one by one, still a 201. */
    a = as_admin_fixture(state, "POST", "/v1/portal/portal_demo1/users", "invite_users.json");
    assert_int_equal(a.status, 201);
    failed = json_object_object_get(a.json, "failed");
    assert_int_equal(json_object_array_length(failed), 3);
    assert_string_equal(str_at(json_object_array_get_idx(failed, 1), "email"), "bo@example.com");
    assert_string_equal(str_at(json_object_array_get_idx(failed, 1), "detail"),
                        "Already a member of this portal");
    assert_int_equal(json_object_array_length(json_object_object_get(a.json, "invited")), 0);
    answer_clear(&a);

    /* The same address twice in one request (case aside): the second fails. */
    a = as_admin(state, "POST", "/v1/portal/portal_demo1/users",
                 "{\"users\":[{\"email\":\"gil@example.com\"},{\"email\":\"gil@EXAMPLE.com\"}]}");
    assert_int_equal(json_object_array_length(json_object_object_get(a.json, "invited")), 1);
    assert_int_equal(json_object_array_length(json_object_object_get(a.json, "failed")), 1);
    answer_clear(&a);

    /* Ann invited elsewhere is linked there: she is a global account now. */
    a = as_admin(state, "POST", "/v1/portal", "{\"name\":\"Other\"}");
    char *path = g_strdup_printf("/v1/portal/%s/users", str_at(a.json, "id"));
    answer_clear(&a);
    a = as_admin(state, "POST", path, "{\"users\":[{\"email\":\"ann@example.com\"}]}");
    assert_int_equal(json_object_array_length(json_object_object_get(a.json, "linked")), 1);
    answer_clear(&a);
    g_free(path);
    vendor->destroy(state);
}

static void test_invite_validation_rows(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a =
        as_admin_fixture(state, "POST", "/v1/portal/portal_demo1/users", "invite_bad_rows.json");
    assert_int_equal(detail_count(&a), 5);
    json_object *e = validation_error(&a, 0, "value_error", "[\"body\",\"users\",1,\"email\"]");
    assert_string_equal(
        str_at(e, "msg"),
        "value is not a valid email address: An email address must have an @-sign.");
    assert_string_equal(str_at(e, "input"), "bo.example.com");
    assert_string_equal(plain(json_object_object_get(e, "ctx")),
                        "{\"reason\":\"An email address must have an @-sign.\"}");
    validation_error(&a, 1, "string_too_long", "[\"body\",\"users\",2,\"first_name\"]");
    e = validation_error(&a, 2, "missing", "[\"body\",\"users\",3,\"email\"]");
    assert_string_equal(plain(json_object_object_get(e, "input")), "{\"last_name\":\"Lee\"}");
    validation_error(&a, 3, "model_attributes_type", "[\"body\",\"users\",4]");
    e = validation_error(&a, 4, "value_error", "[\"body\",\"users\",5,\"email\"]");
    assert_string_equal(str_at(json_object_object_get(e, "ctx"), "reason"),
                        "The part after the @-sign is not valid. It should have a period.");
    answer_clear(&a);
    assert_int_equal(list_length(state, "portal_demo1"), 3); /* nothing was invited */

    a = as_admin(state, "POST", "/v1/portal/portal_demo1/users", "{\"users\":[]}");
    e = validation_error(&a, 0, "too_short", "[\"body\",\"users\"]");
    assert_string_equal(str_at(e, "msg"),
                        "List should have at least 1 item after validation, not 0");
    assert_string_equal(plain(json_object_object_get(e, "ctx")),
                        "{\"field_type\":\"List\",\"min_length\":1,\"actual_length\":0}");
    answer_clear(&a);

    a = as_admin_fixture(state, "POST", "/v1/portal/portal_demo1/users", "invite_too_many.json");
    assert_int_equal(detail_count(&a), 1);
    e = validation_error(&a, 0, "too_long", "[\"body\",\"users\"]");
    assert_string_equal(str_at(e, "msg"),
                        "List should have at most 100 items after validation, not 101");
    answer_clear(&a);

    a = as_admin(state, "POST", "/v1/portal/portal_demo1/users", "{\"users\":{}}");
    validation_error(&a, 0, "list_type", "[\"body\",\"users\"]");
    answer_clear(&a);
    a = as_admin(state, "POST", "/v1/portal/portal_demo1/users", "{}");
    validation_error(&a, 0, "missing", "[\"body\",\"users\"]");
    answer_clear(&a);
    vendor->destroy(state);
}

static void test_email_reasons(void **unused)
{
    (void)unused;
    static const struct {
        const char *email;
        const char *reason; /* NULL: accepted */
    } cases[] = {
        {"ann@example.com", NULL},
        {"  ann.lee+portal@Example.COM ", NULL},
        {"bo.example.com", "An email address must have an @-sign."},
        {"@example.com", "There must be something before the @-sign."},
        {"bo@", "There must be something after the @-sign."},
        {"bo@example", "The part after the @-sign is not valid. It should have a period."},
        {"b o@example.com", "The email address contains invalid characters before the @-sign: "
                            "SPACE."},
        {"bo@exa_mple.com", "The part after the @-sign contains invalid characters: '_'."},
        {".bo@example.com", "An email address cannot start with a period."},
        {"bo@example..com", "An email address cannot have two periods in a row."},
        {"bo@example.123", "The part after the @-sign is not valid. It is not within a valid "
                           "top-level domain."},
        {"bo@portal.test", "The part after the @-sign is a special-use or reserved name that "
                           "cannot be used with email."},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char buf[512];
        const char *reason = valstorm_email_problem(cases[i].email, buf, sizeof(buf));
        if (cases[i].reason)
            assert_string_equal(reason, cases[i].reason);
        else
            assert_null(reason);
    }
    char *normal = valstorm_email_normalized("  Ann@Example.COM ");
    assert_string_equal(normal, "Ann@example.com");
    g_free(normal);
}

static void test_remove_user(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin(state, "DELETE", "/v1/portal/portal_demo1/users/user_demo2", NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(plain(a.json), "{}");
    answer_clear(&a);
    a = as_admin(state, "DELETE", "/v1/portal/portal_demo1/users/user_demo2", NULL);
    assert_detail(&a, 404, "User not found");
    answer_clear(&a);
    a = as_admin(state, "DELETE", "/v1/portal/portal_demo1/users/user_carol1", NULL);
    assert_detail(&a, 404, "User not found"); /* an account, but not a member */
    answer_clear(&a);
    a = as_admin(state, "DELETE", "/v1/portal/portal_nope/users/user_demo1", NULL);
    assert_detail(&a, 404, "Portal not found");
    answer_clear(&a);

    a = as_admin(state, "GET", "/v1/portal/portal_demo1/users", NULL);
    assert_int_equal(json_object_array_length(a.json), 2);
    assert_null(find_user(a.json, "priya.shah@example.org"));
    /* The others keep their order. */
    assert_string_equal(str_at(json_object_array_get_idx(a.json, 0), "id"), "user_demo1");
    assert_string_equal(str_at(json_object_array_get_idx(a.json, 1), "id"), "user_demo3");
    answer_clear(&a);

    /* The global account stays: inviting Priya again links her. */
    a = as_admin(state, "POST", "/v1/portal/portal_demo1/users",
                 "{\"users\":[{\"email\":\"priya.shah@example.org\"}]}");
    json_object *linked = json_object_object_get(a.json, "linked");
    assert_int_equal(json_object_array_length(linked), 1);
    assert_string_equal(str_at(json_object_array_get_idx(linked, 0), "id"), "user_demo2");
    answer_clear(&a);
    vendor->destroy(state);
}

/* --- state, seeding ------------------------------------------------------------------ */

static char *saved_text(void *state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_true(vendor->save(state, out));
    assert_int_equal(fclose(out), 0);
    return text;
}

static char *list_text(void *state, const char *portal_id)
{
    char *path = g_strdup_printf("/v1/portal/%s/users", portal_id);
    struct answer a = as_admin(state, "GET", path, NULL);
    assert_int_equal(a.status, 200);
    char *text = g_strdup(plain(a.json));
    answer_clear(&a);
    g_free(path);
    return text;
}

static void test_save_load_round_trip(void **unused)
{
    (void)unused;
    void *state = new_state();
    struct answer a = as_admin_fixture(state, "POST", "/v1/portal", "portal_create.json");
    char *portal_id = g_strdup(str_at(a.json, "id"));
    char *portal_text = g_strdup(plain(a.json));
    answer_clear(&a);
    char *path = g_strdup_printf("/v1/portal/%s/users", portal_id);
    a = as_admin_fixture(state, "POST", path, "invite_users.json");
    answer_clear(&a);
    a = as_admin(state, "DELETE", "/v1/portal/portal_demo1/users/user_demo1", NULL);
    answer_clear(&a);
    vendor->seed_users(state, 25);
    a = create_pat(state, ADMIN, "{\"name\":\"kept\",\"expires_in_days\":10}");
    char *pat_bearer = g_strconcat("Bearer ", str_at(a.json, "token"), NULL);
    answer_clear(&a);
    char *demo_before = list_text(state, "portal_demo1");
    char *other_before = list_text(state, portal_id);
    char *text = saved_text(state);

    void *restored = new_state();
    struct sim_json_stream *in = sim_json_stream_new_text(text, strlen(text));
    char *error = NULL;
    assert_true(vendor->load(restored, in, &error));
    assert_null(error);
    assert_true(sim_json_stream_at_end(in));
    sim_json_stream_free(in);

    char *demo_after = list_text(restored, "portal_demo1");
    char *other_after = list_text(restored, portal_id);
    assert_string_equal(demo_after, demo_before);
    assert_string_equal(other_after, other_before);
    /* Saving the restored state gives the same file. */
    char *text_again = saved_text(restored);
    assert_string_equal(text_again, text);
    /* A personal access token survives a restart (unlike a login's tokens). */
    a = exchange(restored, "GET", "/v1/portal/portal_demo1/users", pat_bearer, NULL, NULL);
    assert_int_equal(a.status, 200);
    answer_clear(&a);
    g_free(pat_bearer);

    /* The portal itself came back: an update shows its saved fields. */
    char *portal_path = g_strdup_printf("/v1/portal/%s", portal_id);
    a = as_admin(restored, "PATCH", portal_path, "{\"name\":\"Partner Hub\"}");
    assert_int_equal(a.status, 200);
    json_object *before = json_tokener_parse(portal_text);
    assert_string_equal(str_at(a.json, "custom_domain"), str_at(before, "custom_domain"));
    assert_string_equal(str_at(a.json, "created_date"), str_at(before, "created_date"));
    json_object_put(before);
    answer_clear(&a);

    /* Ids go on where they stopped: new ones differ from every saved one. */
    a = as_admin(restored, "POST", path, "{\"users\":[{\"email\":\"new@example.com\"}]}");
    const char *new_id =
        str_at(json_object_array_get_idx(json_object_object_get(a.json, "invited"), 0), "id");
    assert_true(is_id(new_id, "user_"));
    assert_null(strstr(text, new_id));
    answer_clear(&a);

    g_free(portal_path);
    g_free(text_again);
    g_free(demo_after);
    g_free(other_after);
    g_free(text);
    g_free(demo_before);
    g_free(other_before);
    g_free(path);
    g_free(portal_text);
    g_free(portal_id);
    vendor->destroy(restored);
    vendor->destroy(state);
}

static void test_load_rejects_bad_state(void **unused)
{
    (void)unused;
    static const char *const bad[] = {
        "[]",
        "{\"format\":\"other\"}",
        "{\"format\":\"valstorm-sim-1\",\"id_key\":\"12\",\"ids_issued\":0,\"seeded_users\":0,"
        "\"accounts\":[{\"id\":\"user_a\",\"email\":\"a@example.com\",\"first_name\":null,"
        "\"last_name\":null}],\"portals\":[{\"id\":\"portal_x\",\"name\":\"X\","
        "\"custom_domain\":null,\"created_date\":\"2026-05-07T09:00:00Z\","
        "\"modified_date\":\"2026-05-07T09:00:00Z\",\"members\":[{\"user_id\":\"user_zzz\","
        "\"created_date\":\"2026-05-07T09:00:00Z\"}]}]}",
        "{\"format\":\"valstorm-sim-1\",\"id_key\":\"12\",\"ids_issued\":0,\"seeded_users\":0,"
        "\"accounts\":[{\"id\":\"user_a\",\"email\":\"a@example.com\",\"first_name\":null,"
        "\"last_name\":null},{\"id\":\"user_a\",\"email\":\"b@example.com\",\"first_name\":null,"
        "\"last_name\":null}],\"portals\":[]}",
    };
    void *state = new_state();
    char *before = list_text(state, "portal_demo1");
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct sim_json_stream *in = sim_json_stream_new_text(bad[i], strlen(bad[i]));
        char *error = NULL;
        assert_false(vendor->load(state, in, &error));
        assert_non_null(error);
        g_free(error);
        sim_json_stream_free(in);
    }
    char *after = list_text(state, "portal_demo1");
    assert_string_equal(after, before); /* a refused file changes nothing */
    g_free(before);
    g_free(after);
    vendor->destroy(state);
}

/* The time a list of 200,003 users may take: the contract's "100,000 well under
 * 0.3 s" for an optimised build, ten times that under sanitizers, no bound
 * under valgrind (which is about correctness, not speed). */
static double list_time_bound(void)
{
#if __has_include(<valgrind/valgrind.h>)
    if (RUNNING_ON_VALGRIND)
        return 1e9;
#endif
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
    return 0.6;
#else
    return 6.0;
#endif
}

/* CPU seconds of this thread: on a shared machine, wall time measures the
 * neighbours too. */
static double thread_cpu_seconds(void)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of three, in CPU time. */
static double time_list(void *state, struct sim_response *resp)
{
    double best = 1e9;
    for (int run = 0; run < 3; run++) {
        struct sim_request req;
        sim_request_init(&req, "GET", "/v1/portal/portal_demo1/users", NULL);
        sim_pairs_add(&req.headers, "authorization", ADMIN);
        sim_response_clear(resp);
        double started = thread_cpu_seconds();
        vendor->handle(state, &req, resp);
        double seconds = thread_cpu_seconds() - started;
        best = seconds < best ? seconds : best;
        sim_request_clear(&req);
    }
    return best;
}

static void test_seed_users_large_list(void **unused)
{
    (void)unused;
    void *state = new_state();
    vendor->seed_users(state, 200000);

    struct sim_response resp;
    sim_response_init(&resp);
    double seconds = time_list(state, &resp);
    print_message("200003 users serialised in %.3f s CPU (%zu bytes)\n", seconds, resp.body_len);
    assert_int_equal(resp.status, 200);
    assert_true(seconds < list_time_bound());

    json_object *list = json_tokener_parse(resp.body);
    assert_non_null(list);
    assert_int_equal(json_object_array_length(list), 200003);
    json_object *last = json_object_array_get_idx(list, 200002);
    assert_user_shape(last, "portal_demo1");
    assert_string_equal(str_at(last, "email"), "pia.okoro.200000@example.net");
    assert_string_equal(str_at(last, "name"), "Pia Okoro");
    /* Every id distinct. */
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < json_object_array_length(list); i++)
        g_hash_table_add(ids, (gpointer)str_at(json_object_array_get_idx(list, i), "id"));
    assert_int_equal(g_hash_table_size(ids), 200003);
    g_hash_table_unref(ids);
    json_object_put(list);
    sim_response_clear(&resp);
    vendor->destroy(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_unknown_and_wrong_method),
        cmocka_unit_test(test_auth_refusals),
        cmocka_unit_test(test_member_is_refused_everywhere),
        cmocka_unit_test(test_credential_is_the_bearer_token),
        cmocka_unit_test(test_injected_errors),
        cmocka_unit_test(test_pat_create_and_use),
        cmocka_unit_test(test_pat_validation),
        cmocka_unit_test(test_login_2fa_refresh_flow),
        cmocka_unit_test(test_fixed_refresh_token),
        cmocka_unit_test(test_login_form_validation),
        cmocka_unit_test(test_expired_access_token),
        cmocka_unit_test(test_seeded_demo_portal),
        cmocka_unit_test(test_create_portal),
        cmocka_unit_test(test_create_portal_validation),
        cmocka_unit_test(test_json_invalid),
        cmocka_unit_test(test_json_syntax_matches_python),
        cmocka_unit_test(test_update_portal),
        cmocka_unit_test(test_delete_portal_then_404),
        cmocka_unit_test(test_invite_invited_linked_failed),
        cmocka_unit_test(test_invite_validation_rows),
        cmocka_unit_test(test_email_reasons),
        cmocka_unit_test(test_remove_user),
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_load_rejects_bad_state),
        cmocka_unit_test(test_seed_users_large_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
