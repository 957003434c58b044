/*
 * portal-sim, ECGrid REST v2: every endpoint's success and documented errors,
 * driven through sim_vendor_ecgrid.handle() with hand-built requests (no
 * socket). The seed's own request bodies come from tests/fixtures/ecgrid/.
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
#include <json-c/json.h>

#define NETADMIN "sim-ecgrid-netadmin"
#define MBXADMIN "sim-ecgrid-mbxadmin"
#define MBXUSER  "sim-ecgrid-mbxuser"

#define PASSWORD_RULE_MESSAGE                                                                      \
    "must contain a lower-case letter, an upper-case letter, a digit and a special character"

/* ------------------------------------------------------------ helpers */

struct answer {
    int status;
    char *body;
    json_object *json;
    json_object *data; /* the envelope's data, when the answer is a success */
};

static void answer_clear(struct answer *a)
{
    json_object_put(a->json);
    g_free(a->body);
    memset(a, 0, sizeof(*a));
}

static struct answer request(void *state, const char *method, const char *path, const char *key,
                             const char *body)
{
    struct sim_request req;
    sim_request_init(&req, method, path, body);
    if (key)
        sim_pairs_add(&req.headers, "x-api-key", key);
    sim_pairs_add(&req.headers, "content-type", "application/json");
    struct sim_response resp;
    sim_response_init(&resp);
    sim_vendor_ecgrid.handle(state, &req, &resp);
    assert_non_null(resp.body);
    assert_string_equal(resp.content_type, "application/json");
    assert_int_equal(strlen(resp.body), resp.body_len);
    struct answer a = {.status = resp.status, .body = g_strdup(resp.body)};
    a.json = json_tokener_parse(a.body);
    sim_response_clear(&resp);
    sim_request_clear(&req);
    if (!a.json)
        fail_msg("answer is not JSON: %s", a.body);
    return a;
}

static json_object *member(json_object *object, const char *key)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(object, key, &value))
        fail_msg("no member \"%s\" in %s", key, json_object_to_json_string(object));
    return value;
}

static const char *str_of(json_object *object, const char *key)
{
    json_object *value = member(object, key);
    assert_true(json_object_is_type(value, json_type_string));
    return json_object_get_string(value);
}

static int64_t int_of(json_object *object, const char *key)
{
    json_object *value = member(object, key);
    assert_true(json_object_is_type(value, json_type_int));
    return json_object_get_int64(value);
}

/* A request that must succeed: 200 and the success envelope. */
static struct answer expect_ok(void *state, const char *method, const char *path, const char *key,
                               const char *body)
{
    struct answer a = request(state, method, path, key, body);
    if (a.status != 200)
        fail_msg("%s %s: expected 200, got %d %s", method, path, a.status, a.body);
    assert_true(json_object_get_boolean(member(a.json, "success")));
    assert_string_equal(str_of(a.json, "errorCode"), "");
    assert_string_equal(str_of(a.json, "message"), "");
    a.data = member(a.json, "data");
    return a;
}

/* A request that must fail with this status, code and message beginning. */
static void expect_fail(void *state, const char *method, const char *path, const char *key,
                        const char *body, int status, const char *code, const char *message)
{
    struct answer a = request(state, method, path, key, body);
    if (a.status != status)
        fail_msg("%s %s %s: expected %d, got %d %s", method, path, body ? body : "", status,
                 a.status, a.body);
    assert_false(json_object_get_boolean(member(a.json, "success")));
    assert_null(member(a.json, "data"));
    assert_string_equal(str_of(a.json, "errorCode"), code);
    const char *got = str_of(a.json, "message");
    if (strncmp(got, message, strlen(message)) != 0)
        fail_msg("%s %s: message \"%s\" does not start with \"%s\"", method, path, got, message);
    answer_clear(&a);
}

static char *fixture(const char *name)
{
    const char *dir = getenv("PORTALCTL_FIXTURES");
    assert_non_null(dir);
    char *path = g_build_filename(dir, "ecgrid", name, NULL);
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        fail_msg("cannot read fixture %s", path);
    g_free(path);
    return text;
}

/* Every member of the seed's example data is in ours, with the same JSON type. */
static void assert_has_seed_shape(json_object *data, const char *response_fixture)
{
    char *text = fixture(response_fixture);
    json_object *seed = json_tokener_parse(text);
    assert_non_null(seed);
    json_object_object_foreach(member(seed, "data"), key, value)
    {
        json_object *ours = member(data, key);
        if (json_object_get_type(ours) != json_object_get_type(value))
            fail_msg("\"%s\" has another JSON type than in the seed", key);
    }
    json_object_put(seed);
    g_free(text);
}

static char *user_body(const char *login, const char *password, const char *extra_json)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "login", json_object_new_string(login));
    json_object_object_add(body, "password", json_object_new_string(password));
    json_object_object_add(body, "email", json_object_new_string("someone@example.com"));
    if (extra_json) {
        json_object *extra = json_tokener_parse(extra_json);
        assert_non_null(extra);
        json_object_object_foreach(extra, key, value)
        {
            json_object_object_add(body, key, json_object_get(value));
        }
        json_object_put(extra);
    }
    char *text = g_strdup(json_object_to_json_string(body));
    json_object_put(body);
    return text;
}

/* Creates a user as caller and returns its id. */
static int create_user(void *state, const char *key, const char *login, const char *extra)
{
    char *body = user_body(login, "Passw0rd!", extra);
    struct answer a = expect_ok(state, "POST", "/v2/users", key, body);
    int id = (int)int_of(a.data, "userId");
    answer_clear(&a);
    g_free(body);
    return id;
}

static int setup(void **state)
{
    struct sim_options options = {.base_url = "http://127.0.0.1:1", .seed = 1};
    *state = sim_vendor_ecgrid.create(&options);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sim_vendor_ecgrid.destroy(*state);
    return 0;
}

/* ---------------------------------------------------- authentication */

static void test_missing_unknown_or_revoked_key_is_401(void **state)
{
    const char *message = "The provided API key is not valid or has been revoked.";
    struct answer a = request(*state, "GET", "/v2/users/me", NULL, NULL);
    assert_int_equal(a.status, 401);
    assert_string_equal(a.body, "{\"success\":false,\"errorCode\":\"InvalidAPIKey\",\"message\":"
                                "\"The provided API key is not valid or has been revoked.\","
                                "\"data\":null}");
    answer_clear(&a);
    expect_fail(*state, "GET", "/v2/users/me", "", NULL, 401, "InvalidAPIKey", message);
    expect_fail(*state, "GET", "/v2/users/me", "sim-ecgrid-NETADMIN", NULL, 401, "InvalidAPIKey",
                message);
    expect_fail(*state, "POST", "/v2/portals/create", "wrong", "{\"mailboxId\":7890}", 401,
                "InvalidAPIKey", message);
    /* A terminated user's key is revoked. */
    struct answer ok = expect_ok(*state, "DELETE", "/v2/users/1003", NETADMIN, NULL);
    answer_clear(&ok);
    expect_fail(*state, "GET", "/v2/users/me", MBXUSER, NULL, 401, "InvalidAPIKey", message);
}

static void test_me_answers_each_account(void **state)
{
    static const struct {
        const char *key;
        int user_id;
        const char *login;
        const char *level;
    } accounts[] = {
        {NETADMIN, 1001, "netadmin", "NetworkAdmin"},
        {MBXADMIN, 1002, "mbxadmin", "MailboxAdmin"},
        {MBXUSER, 1003, "mbxuser", "MailboxUser"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(accounts); i++) {
        struct answer a = expect_ok(*state, "GET", "/v2/users/me", accounts[i].key, NULL);
        assert_int_equal(int_of(a.data, "userId"), accounts[i].user_id);
        assert_string_equal(str_of(a.data, "login"), accounts[i].login);
        assert_string_equal(str_of(a.data, "loginName"), accounts[i].login);
        assert_string_equal(str_of(a.data, "authLevel"), accounts[i].level);
        assert_int_equal(int_of(a.data, "networkId"), 1);
        assert_int_equal(int_of(a.data, "mailboxId"), 101);
        assert_string_equal(str_of(a.data, "status"), "Active");
        assert_false(json_object_get_boolean(member(a.data, "lockedOut")));
        assert_null(member(a.data, "lastLogin"));
        answer_clear(&a);
    }
}

static void test_credential_is_the_api_key_header(void **state)
{
    (void)state;
    struct sim_request req;
    sim_request_init(&req, "GET", "/v2/users/me", NULL);
    assert_null(sim_vendor_ecgrid.credential(&req));
    sim_pairs_add(&req.headers, "x-api-key", MBXADMIN);
    assert_string_equal(sim_vendor_ecgrid.credential(&req), MBXADMIN);
    sim_request_clear(&req);
}

static void test_owns_only_v2_paths(void **state)
{
    (void)state;
    assert_true(sim_vendor_ecgrid.owns_path("/v2/users"));
    assert_true(sim_vendor_ecgrid.owns_path("/v2/anything/else"));
    assert_false(sim_vendor_ecgrid.owns_path("/v1/portals"));
    assert_false(sim_vendor_ecgrid.owns_path("/oauth/v2/token"));
    assert_false(sim_vendor_ecgrid.owns_path("/crm/v7/settings"));
    assert_false(sim_vendor_ecgrid.owns_path("/v20/users"));
    assert_string_equal(sim_vendor_ecgrid.name, "ecgrid");
}

/* ---------------------------------------------------------- routing */

static void test_unknown_path_is_404_and_wrong_method_405(void **state)
{
    expect_fail(*state, "GET", "/v2/widgets", NETADMIN, NULL, 404, "ObjectNotFound",
                "No endpoint GET /v2/widgets");
    expect_fail(*state, "GET", "/v2/users/abc", NETADMIN, NULL, 404, "ObjectNotFound", "");
    expect_fail(*state, "GET", "/v2", NETADMIN, NULL, 404, "ObjectNotFound", "");
    expect_fail(*state, "POST", "/v2/users/me", NETADMIN, "{}", 405, "MethodNotAllowed",
                "POST is not allowed on /v2/users/me; use GET");
    expect_fail(*state, "GET", "/v2/users", NETADMIN, NULL, 405, "MethodNotAllowed",
                "GET is not allowed on /v2/users; use POST, PUT");
    expect_fail(*state, "PATCH", "/v2/users/1004", NETADMIN, "{}", 405, "MethodNotAllowed",
                "PATCH is not allowed on /v2/users/1004; use GET, DELETE");
    expect_fail(*state, "GET", "/v2/portals/create", NETADMIN, NULL, 405, "MethodNotAllowed", "");
    /* A trailing slash and the letter case of the path do not matter. */
    struct answer a = expect_ok(*state, "GET", "/v2/Users/ME/", MBXUSER, NULL);
    assert_int_equal(int_of(a.data, "userId"), 1003);
    answer_clear(&a);
}

static void test_malformed_or_non_object_body_is_400(void **state)
{
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\": 7890", 400,
                "InvalidParameter", "body: malformed JSON");
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\": 7890} x", 400,
                "InvalidParameter", "body: malformed JSON");
    expect_fail(*state, "POST", "/v2/users/list", NETADMIN, "not json", 400, "InvalidParameter",
                "body: malformed JSON");
    expect_fail(*state, "POST", "/v2/users", NETADMIN, "[1,2]", 400, "InvalidParameter",
                "body: must be a JSON object");
    expect_fail(*state, "PUT", "/v2/users", NETADMIN, "\"text\"", 400, "InvalidParameter",
                "body: must be a JSON object");
}

static void test_injected_errors_use_the_envelope(void **state)
{
    (void)state;
    static const struct {
        enum sim_error_kind kind;
        int status;
        const char *code;
    } cases[] = {
        {SIM_ERROR_INTERNAL, 500, "InternalError"},
        {SIM_ERROR_UNAVAILABLE, 503, "ServiceUnavailable"},
        {SIM_ERROR_RATE_LIMITED, 429, "RateLimitExceeded"},
        {SIM_ERROR_NOT_FOUND, 404, "ObjectNotFound"},
    };
    struct sim_request req;
    sim_request_init(&req, "GET", "/v2/users/me", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct sim_response resp;
        sim_response_init(&resp);
        sim_vendor_ecgrid.error(cases[i].kind, &req, &resp);
        assert_int_equal(resp.status, cases[i].status);
        json_object *json = json_tokener_parse(resp.body);
        assert_non_null(json);
        assert_false(json_object_get_boolean(member(json, "success")));
        assert_null(member(json, "data"));
        assert_string_equal(str_of(json, "errorCode"), cases[i].code);
        assert_true(strlen(str_of(json, "message")) > 0);
        json_object_put(json);
        sim_response_clear(&resp);
    }
    sim_request_clear(&req);
}

/* ----------------------------------------------------------- portals */

static void test_create_portal_seed_example(void **state)
{
    char *body = fixture("create-portal.json");
    struct answer a = expect_ok(*state, "POST", "/v2/portals/create", NETADMIN, body);
    assert_has_seed_shape(a.data, "create-portal-response.json");
    assert_int_equal(int_of(a.data, "portalId"), 502);
    assert_int_equal(int_of(a.data, "mailboxId"), 7890);
    assert_string_equal(str_of(a.data, "url"), "https://portal.ecgrid.io/new-customer");
    assert_string_equal(str_of(a.data, "status"), "Active");
    assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                     str_of(a.data, "created"), 0, 0));
    char *created = g_strdup(json_object_to_json_string(a.data));
    answer_clear(&a);

    /* by-mailbox answers the same PortalInfo; a second create is a duplicate. */
    a = expect_ok(*state, "GET", "/v2/portals/by-mailbox/7890", MBXUSER, NULL);
    assert_string_equal(json_object_to_json_string(a.data), created);
    answer_clear(&a);
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, body, 400, "DuplicateObject",
                "mailboxId: mailbox 7890 already has a portal (portalId 502)");
    g_free(created);
    g_free(body);
}

static void test_create_portal_errors(void **state)
{
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{}", 400, "InvalidParameter",
                "mailboxId: is required");
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":\"7890\"}", 400,
                "InvalidParameter", "mailboxId: must be an integer");
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":7890.5}", 400,
                "InvalidParameter", "mailboxId: must be an integer");
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":0}", 400,
                "InvalidParameter", "mailboxId: must be at least 1");
    expect_fail(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":999}", 404,
                "ObjectNotFound", "mailboxId: mailbox 999 not found");
    /* MailboxUser never; MailboxAdmin only for its own mailbox (101, which has one). */
    expect_fail(*state, "POST", "/v2/portals/create", MBXUSER, "{\"mailboxId\":7890}", 403,
                "AccessDenied", "");
    expect_fail(*state, "POST", "/v2/portals/create", MBXUSER, "{\"mailboxId\":101}", 403,
                "AccessDenied", "");
    expect_fail(*state, "POST", "/v2/portals/create", MBXADMIN, "{\"mailboxId\":7890}", 403,
                "AccessDenied", "");
    expect_fail(*state, "POST", "/v2/portals/create", MBXADMIN, "{\"mailboxId\":102}", 403,
                "AccessDenied", "");
    expect_fail(*state, "POST", "/v2/portals/create", MBXADMIN, "{\"mailboxId\":101}", 400,
                "DuplicateObject", "mailboxId: mailbox 101 already has a portal (portalId 501)");
    /* The NetworkAdmin creates for any mailbox of its network; ids keep counting. */
    struct answer a =
        expect_ok(*state, "POST", "/v2/portals/create", NETADMIN, "{\"MAILBOXID\":102}");
    assert_int_equal(int_of(a.data, "portalId"), 502);
    assert_string_equal(str_of(a.data, "url"), "https://portal.ecgrid.io/acme-shipping");
    answer_clear(&a);
}

static void test_portal_by_mailbox(void **state)
{
    struct answer a = expect_ok(*state, "GET", "/v2/portals/by-mailbox/101", MBXUSER, NULL);
    assert_int_equal(int_of(a.data, "portalId"), 501);
    assert_int_equal(int_of(a.data, "mailboxId"), 101);
    assert_string_equal(str_of(a.data, "url"), "https://portal.ecgrid.io/acme-receiving");
    assert_string_equal(str_of(a.data, "status"), "Active");
    assert_string_equal(str_of(a.data, "created"), "2021-06-11T10:00:00Z");
    answer_clear(&a);
    expect_fail(*state, "GET", "/v2/portals/by-mailbox/102", MBXUSER, NULL, 404, "ObjectNotFound",
                "mailboxId: mailbox 102 has no portal");
    expect_fail(*state, "GET", "/v2/portals/by-mailbox/7890", NETADMIN, NULL, 404, "ObjectNotFound",
                "");
    expect_fail(*state, "GET", "/v2/portals/by-mailbox/4242", NETADMIN, NULL, 404, "ObjectNotFound",
                "mailboxId: mailbox 4242 not found");
}

/* --------------------------------------------------------- mailboxes */

static void test_mailbox_get(void **state)
{
    struct answer a = expect_ok(*state, "GET", "/v2/mailboxes/101", MBXUSER, NULL);
    assert_string_equal(json_object_to_json_string_ext(a.data, JSON_C_TO_STRING_PLAIN),
                        "{\"mailboxId\":101,\"networkId\":1,\"name\":\"ACME Receiving\","
                        "\"description\":\"ACME Corp inbound EDI\",\"status\":\"Active\","
                        "\"created\":\"2021-06-10T09:00:00Z\","
                        "\"modified\":\"2025-02-14T11:30:00Z\"}");
    answer_clear(&a);
    a = expect_ok(*state, "GET", "/v2/mailboxes/7890", NETADMIN, NULL);
    assert_string_equal(str_of(a.data, "name"), "New Customer");
    answer_clear(&a);
    expect_fail(*state, "GET", "/v2/mailboxes/555", NETADMIN, NULL, 404, "ObjectNotFound",
                "mailboxId: mailbox 555 not found");
}

/* Runs mailboxes/list and checks the paged object; returns the mailbox array length. */
static size_t list_mailboxes(void **state, const char *body, int total, int page, int size)
{
    struct answer a = expect_ok(*state, "POST", "/v2/mailboxes/list", MBXUSER, body);
    assert_int_equal(int_of(a.data, "totalRecords"), total);
    assert_int_equal(int_of(a.data, "pageNo"), page);
    assert_int_equal(int_of(a.data, "recordsPerPage"), size);
    json_object *mailboxes = member(a.data, "mailboxes");
    assert_true(json_object_is_type(mailboxes, json_type_array));
    size_t length = json_object_array_length(mailboxes);
    answer_clear(&a);
    return length;
}

static void test_mailboxes_list_paging_and_filters(void **state)
{
    assert_int_equal(list_mailboxes(state, "", 3, 1, 25), 3);
    assert_int_equal(list_mailboxes(state, "{}", 3, 1, 25), 3);
    assert_int_equal(
        list_mailboxes(state,
                       "{\"networkId\":1,\"status\":\"Active\",\"name\":\"acme\",\"pageNo\":1,"
                       "\"recordsPerPage\":25}",
                       2, 1, 25),
        2);
    assert_int_equal(list_mailboxes(state, "{\"name\":\"SHIPPING\"}", 1, 1, 25), 1);
    assert_int_equal(list_mailboxes(state, "{\"status\":\"Suspended\"}", 0, 1, 25), 0);
    assert_int_equal(list_mailboxes(state, "{\"status\":1}", 3, 1, 25), 3);
    assert_int_equal(list_mailboxes(state, "{\"recordsPerPage\":2}", 3, 1, 2), 2);
    assert_int_equal(list_mailboxes(state, "{\"recordsPerPage\":2,\"pageNo\":2}", 3, 2, 2), 1);
    assert_int_equal(list_mailboxes(state, "{\"recordsPerPage\":2,\"pageNo\":3}", 3, 3, 2), 0);
    assert_int_equal(list_mailboxes(state, "{\"recordsPerPage\":500}", 3, 1, 500), 3);

    struct answer a = expect_ok(*state, "POST", "/v2/mailboxes/list", MBXUSER,
                                "{\"recordsPerPage\":1,\"pageNo\":2}");
    json_object *second = json_object_array_get_idx(member(a.data, "mailboxes"), 0);
    assert_int_equal(int_of(second, "mailboxId"), 102);
    answer_clear(&a);

    expect_fail(*state, "POST", "/v2/mailboxes/list", MBXUSER, "{\"recordsPerPage\":0}", 400,
                "InvalidParameter", "recordsPerPage: must be between 1 and 500");
    expect_fail(*state, "POST", "/v2/mailboxes/list", MBXUSER, "{\"recordsPerPage\":501}", 400,
                "InvalidParameter", "recordsPerPage: must be between 1 and 500");
    expect_fail(*state, "POST", "/v2/mailboxes/list", MBXUSER, "{\"pageNo\":0}", 400,
                "InvalidParameter", "pageNo: must be at least 1");
    expect_fail(*state, "POST", "/v2/mailboxes/list", MBXUSER, "{\"status\":\"Open\"}", 400,
                "InvalidParameter", "status: must be one of Development, Active");
    expect_fail(*state, "POST", "/v2/mailboxes/list", MBXUSER, "{\"name\":5}", 400,
                "InvalidParameter", "name: must be a string");
    expect_fail(*state, "POST", "/v2/mailboxes/list", MBXUSER, "{\"networkId\":2}", 404,
                "ObjectNotFound", "networkId: network 2 not found");
}

/* ------------------------------------------------------ create users */

static void test_create_user_seed_example_then_duplicate(void **state)
{
    char *body = fixture("create-user.json");
    struct answer a = expect_ok(*state, "POST", "/v2/users", NETADMIN, body);
    assert_has_seed_shape(a.data, "create-user-response.json");
    assert_int_equal(int_of(a.data, "userId"), 1042);
    assert_string_equal(str_of(a.data, "login"), "jsmith");
    assert_string_equal(str_of(a.data, "email"), "jsmith@example.com");
    assert_string_equal(str_of(a.data, "firstName"), "John");
    assert_string_equal(str_of(a.data, "lastName"), "Smith");
    assert_int_equal(int_of(a.data, "networkId"), 1);
    assert_int_equal(int_of(a.data, "mailboxId"), 101);
    assert_string_equal(str_of(a.data, "authLevel"), "MailboxAdmin");
    assert_string_equal(str_of(a.data, "status"), "Active");
    assert_false(json_object_get_boolean(member(a.data, "lockedOut")));
    assert_string_equal(str_of(a.data, "created"), str_of(a.data, "modified"));
    answer_clear(&a);

    /* The password is never echoed. */
    a = expect_ok(*state, "GET", "/v2/users/1042", MBXUSER, NULL);
    assert_null(strstr(a.body, "Passw0rd!"));
    answer_clear(&a);

    expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 400, "DuplicateObject",
                "login: jsmith is already taken in network 1");
    char *shouting = user_body("JSMITH", "Passw0rd!", NULL);
    expect_fail(*state, "POST", "/v2/users", NETADMIN, shouting, 400, "DuplicateObject", "login:");
    g_free(shouting);
    g_free(body);
}

static void test_create_user_defaults_to_callers_place(void **state)
{
    char *body = user_body("carl", "Passw0rd!", NULL);
    struct answer a = expect_ok(*state, "POST", "/v2/users", MBXADMIN, body);
    assert_int_equal(int_of(a.data, "networkId"), 1);
    assert_int_equal(int_of(a.data, "mailboxId"), 101);
    assert_string_equal(str_of(a.data, "authLevel"), "MailboxUser");
    assert_string_equal(str_of(a.data, "firstName"), "");
    assert_string_equal(str_of(a.data, "company"), "");
    answer_clear(&a);
    g_free(body);
}

static void test_create_user_accepts_keys_in_any_case(void **state)
{
    const char *body =
        "{\"LOGIN\":\"dora\",\"Password\":\"Passw0rd!\",\"EMail\":\"dora@example.com\","
        "\"firstname\":\"Dora\",\"MailboxID\":102,\"AUTHLEVEL\":\"networkuser\"}";
    struct answer a = expect_ok(*state, "POST", "/v2/users", NETADMIN, body);
    assert_string_equal(str_of(a.data, "login"), "dora");
    assert_string_equal(str_of(a.data, "firstName"), "Dora");
    assert_int_equal(int_of(a.data, "mailboxId"), 102);
    assert_string_equal(str_of(a.data, "authLevel"), "NetworkUser");
    answer_clear(&a);
    /* Enums as numbers: 6 is MailboxAdmin in ECGridOS. */
    a = expect_ok(*state, "POST", "/v2/users", NETADMIN,
                  "{\"login\":\"ed\",\"password\":\"Passw0rd!\",\"email\":\"ed@example.com\","
                  "\"authLevel\":6}");
    assert_string_equal(str_of(a.data, "authLevel"), "MailboxAdmin");
    answer_clear(&a);
}

static void test_create_user_field_rules(void **state)
{
    char name50[51];
    char name51[52];
    memset(name50, 'x', 50);
    name50[50] = '\0';
    memset(name51, 'x', 51);
    name51[51] = '\0';
    char *ok50 = g_strdup_printf("{\"firstName\":\"%s\",\"lastName\":\"%s\"}", name50, name50);
    char *first51 = g_strdup_printf("{\"firstName\":\"%s\"}", name51);
    char *last51 = g_strdup_printf("{\"lastName\":\"%s\"}", name51);
    const struct {
        const char *body;
        const char *message;
    } cases[] = {
        {"{\"password\":\"Passw0rd!\",\"email\":\"a@example.com\"}", "login: is required"},
        {"{\"login\":\"  \",\"password\":\"Passw0rd!\",\"email\":\"a@example.com\"}",
         "login: is required"},
        {"{\"login\":7,\"password\":\"Passw0rd!\",\"email\":\"a@example.com\"}",
         "login: must be a string"},
        {"{\"login\":\"z1\",\"email\":\"a@example.com\"}", "password: is required"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\"}", "email: is required"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\",\"email\":\"not-an-address\"}",
         "email: must be a valid e-mail address"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\",\"email\":\"a@b\"}",
         "email: must be a valid e-mail address"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\",\"email\":\"a b@example.com\"}",
         "email: must be a valid e-mail address"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\",\"email\":\"a@example.com\","
         "\"authLevel\":\"Boss\"}",
         "authLevel: must be one of NoChange, Root"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\",\"email\":\"a@example.com\","
         "\"authLevel\":\"NoChange\"}",
         "authLevel: NoChange is only valid"},
        {"{\"login\":\"z1\",\"password\":\"Passw0rd!\",\"email\":\"a@example.com\","
         "\"networkId\":\"1\"}",
         "networkId: must be an integer"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        expect_fail(*state, "POST", "/v2/users", NETADMIN, cases[i].body, 400, "InvalidParameter",
                    cases[i].message);

    char *body = user_body("z2", "Passw0rd!", first51);
    expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 400, "InvalidParameter",
                "firstName: must be at most 50 characters");
    g_free(body);
    body = user_body("z2", "Passw0rd!", last51);
    expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 400, "InvalidParameter",
                "lastName: must be at most 50 characters");
    g_free(body);
    create_user(*state, NETADMIN, "z2", ok50);
    /* 50 characters, not bytes: "é" is two bytes but one character. */
    GString *accented = g_string_new("{\"firstName\":\"");
    for (int i = 0; i < 50; i++)
        g_string_append(accented, "\xc3\xa9");
    g_string_append(accented, "\"}");
    create_user(*state, NETADMIN, "z3", accented->str);
    g_string_free(accented, TRUE);
    g_free(ok50);
    g_free(first51);
    g_free(last51);
}

static void test_create_user_place_rules(void **state)
{
    char *body = user_body("y1", "Passw0rd!", "{\"mailboxId\":555}");
    expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 404, "ObjectNotFound",
                "mailboxId: mailbox 555 not found");
    g_free(body);
    body = user_body("y1", "Passw0rd!", "{\"networkId\":2}");
    expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 404, "ObjectNotFound",
                "networkId: network 2 not found");
    g_free(body);
    /* A MailboxAdmin adds users to its own mailbox only. */
    body = user_body("y1", "Passw0rd!", "{\"mailboxId\":102}");
    expect_fail(*state, "POST", "/v2/users", MBXADMIN, body, 403, "AccessDenied", "mailboxId:");
    g_free(body);
}

/* The seed's pattern verbatim plus at least 8 characters, on create and on password change. */
static void test_password_rule(void **state)
{
    static const struct {
        const char *password;
        const char *problem; /* NULL: accepted */
    } cases[] = {
        {"Passw0rd!", NULL},
        {"Ab1!Ab1!", NULL},
        {"Passw0rd with spaces", NULL},
        {"P\xc3\xa4ssw0rd", NULL}, /* "ä" is neither a-z, A-Z nor 0-9: it counts as special */
        {"Zz9~zzzz", NULL},
        {"Pw0!", "must be at least 8 characters"},
        {"Ab1!Ab1", "must be at least 8 characters"},
        {"password", PASSWORD_RULE_MESSAGE},
        {"passw0rd!", PASSWORD_RULE_MESSAGE},
        {"PASSW0RD!", PASSWORD_RULE_MESSAGE},
        {"Password!", PASSWORD_RULE_MESSAGE},
        {"Passw0rdX", PASSWORD_RULE_MESSAGE},
        {"12345678", PASSWORD_RULE_MESSAGE},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char login[16];
        g_snprintf(login, sizeof(login), "pw%zu", i);
        char *body = user_body(login, cases[i].password, NULL);
        json_object *change = json_object_new_object();
        json_object_object_add(change, "userId", json_object_new_int(1004));
        json_object_object_add(change, "newPassword", json_object_new_string(cases[i].password));
        const char *change_body = json_object_to_json_string(change);
        if (cases[i].problem) {
            char *message = g_strdup_printf("password: %s", cases[i].problem);
            expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 400, "InvalidParameter",
                        message);
            g_free(message);
            message = g_strdup_printf("newPassword: %s", cases[i].problem);
            expect_fail(*state, "POST", "/v2/users/password", NETADMIN, change_body, 400,
                        "InvalidParameter", message);
            g_free(message);
        } else {
            struct answer a = expect_ok(*state, "POST", "/v2/users", NETADMIN, body);
            answer_clear(&a);
            a = expect_ok(*state, "POST", "/v2/users/password", NETADMIN, change_body);
            assert_true(json_object_get_boolean(a.data));
            answer_clear(&a);
        }
        json_object_put(change);
        g_free(body);
    }
}

/* ------------------------------------------------ AuthLevel rules (§3) */

static void test_authlevel_ceiling(void **state)
{
    char *body = user_body("up1", "Passw0rd!", "{\"authLevel\":\"NetworkAdmin\"}");
    expect_fail(*state, "POST", "/v2/users", MBXADMIN, body, 403, "AccessDenied",
                "authLevel: cannot create a user with AuthLevel NetworkAdmin");
    g_free(body);
    body = user_body("up2", "Passw0rd!", "{\"authLevel\":\"NetworkUser\"}");
    expect_fail(*state, "POST", "/v2/users", MBXADMIN, body, 403, "AccessDenied", "authLevel:");
    g_free(body);
    body = user_body("up3", "Passw0rd!", "{\"authLevel\":\"NetOps\"}");
    expect_fail(*state, "POST", "/v2/users", NETADMIN, body, 403, "AccessDenied", "authLevel:");
    g_free(body);
    /* The caller's own level is allowed. */
    int peer = create_user(*state, MBXADMIN, "peer", "{\"authLevel\":\"MailboxAdmin\"}");
    int netpeer = create_user(*state, NETADMIN, "netpeer", "{\"authLevel\":\"NetworkAdmin\"}");

    /* Never raised above the caller's level... */
    char *role = g_strdup_printf("{\"userId\":%d,\"authLevel\":\"NetworkUser\"}", peer);
    expect_fail(*state, "POST", "/v2/users/role", MBXADMIN, role, 403, "AccessDenied",
                "authLevel: cannot raise a user to NetworkUser");
    g_free(role);
    /* ...and a user above the caller is out of its reach. */
    expect_fail(*state, "PUT", "/v2/users", MBXADMIN, "{\"userId\":1001,\"firstName\":\"X\"}", 403,
                "AccessDenied", "userId: user 1001 has AuthLevel NetworkAdmin");
    expect_fail(*state, "DELETE", "/v2/users/1001", MBXADMIN, NULL, 403, "AccessDenied", "");
    role = g_strdup_printf("{\"userId\":%d,\"newPassword\":\"Passw0rd!\"}", netpeer);
    expect_fail(*state, "POST", "/v2/users/password", MBXADMIN, role, 403, "AccessDenied", "");
    g_free(role);
}

static void test_mailbox_user_cannot_manage_users(void **state)
{
    const char *denied = "AuthLevel MailboxUser cannot add, edit or remove users";
    char *body = user_body("nope", "Passw0rd!", NULL);
    expect_fail(*state, "POST", "/v2/users", MBXUSER, body, 403, "AccessDenied", denied);
    g_free(body);
    expect_fail(*state, "PUT", "/v2/users", MBXUSER, "{\"userId\":1004,\"firstName\":\"A\"}", 403,
                "AccessDenied", denied);
    expect_fail(*state, "POST", "/v2/users/role", MBXUSER,
                "{\"userId\":1004,\"authLevel\":\"MailboxUser\"}", 403, "AccessDenied", denied);
    expect_fail(*state, "POST", "/v2/users/password", MBXUSER,
                "{\"userId\":1003,\"newPassword\":\"Passw0rd!\"}", 403, "AccessDenied", denied);
    expect_fail(*state, "DELETE", "/v2/users/1004", MBXUSER, NULL, 403, "AccessDenied", denied);
    expect_fail(*state, "POST", "/v2/users/reset/1004", MBXUSER, NULL, 403, "AccessDenied", denied);
    /* Reading stays allowed. */
    struct answer a = expect_ok(*state, "GET", "/v2/users/1004", MBXUSER, NULL);
    answer_clear(&a);
}

static void test_mailbox_admin_scope_is_its_mailbox(void **state)
{
    int carol = create_user(*state, NETADMIN, "carol", "{\"mailboxId\":102}");
    char *update = g_strdup_printf("{\"userId\":%d,\"lastName\":\"Shipping\"}", carol);
    char *path = g_strdup_printf("/v2/users/%d", carol);
    expect_fail(*state, "PUT", "/v2/users", MBXADMIN, update, 403, "AccessDenied", "userId: user");
    expect_fail(*state, "DELETE", path, MBXADMIN, NULL, 403, "AccessDenied", "");
    /* The NetworkAdmin manages the whole network. */
    struct answer a = expect_ok(*state, "PUT", "/v2/users", NETADMIN, update);
    assert_string_equal(str_of(a.data, "lastName"), "Shipping");
    answer_clear(&a);
    /* And the MailboxAdmin does manage its own mailbox's users. */
    a = expect_ok(*state, "PUT", "/v2/users", MBXADMIN, "{\"userId\":1004,\"lastName\":\"Z\"}");
    assert_string_equal(str_of(a.data, "lastName"), "Z");
    answer_clear(&a);
    g_free(update);
    g_free(path);
}

/* ------------------------------------------------- the other user calls */

static void test_user_get(void **state)
{
    struct answer a = expect_ok(*state, "GET", "/v2/users/1004", MBXUSER, NULL);
    static const char *const keys[] = {
        "userId",   "login",     "loginName", "email",     "firstName",
        "lastName", "company",   "networkId", "mailboxId", "authLevel",
        "status",   "lockedOut", "lastLogin", "created",   "modified",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        member(a.data, keys[i]);
    assert_string_equal(str_of(a.data, "login"), "alice");
    assert_string_equal(str_of(a.data, "email"), "alice@example.com");
    assert_string_equal(str_of(a.data, "authLevel"), "MailboxUser");
    answer_clear(&a);
    expect_fail(*state, "GET", "/v2/users/99999", MBXUSER, NULL, 404, "ObjectNotFound",
                "userId: user 99999 not found");
}

static void test_user_update(void **state)
{
    struct answer a = expect_ok(*state, "PUT", "/v2/users", MBXADMIN,
                                "{\"userId\":1004,\"email\":\"alice@acme.example.org\","
                                "\"firstName\":\"Alicia\"}");
    assert_string_equal(str_of(a.data, "email"), "alice@acme.example.org");
    assert_string_equal(str_of(a.data, "firstName"), "Alicia");
    assert_string_equal(str_of(a.data, "lastName"), "Anders");
    answer_clear(&a);
    a = expect_ok(*state, "GET", "/v2/users/1004", MBXUSER, NULL);
    assert_string_equal(str_of(a.data, "firstName"), "Alicia");
    answer_clear(&a);
    expect_fail(*state, "PUT", "/v2/users", MBXADMIN, "{\"email\":\"x@example.com\"}", 400,
                "InvalidParameter", "userId: is required");
    expect_fail(*state, "PUT", "/v2/users", MBXADMIN, "{\"userId\":1004,\"email\":\"nope\"}", 400,
                "InvalidParameter", "email: must be a valid e-mail address");
    expect_fail(*state, "PUT", "/v2/users", MBXADMIN, "{\"userId\":77777}", 404, "ObjectNotFound",
                "userId: user 77777 not found");
}

static void test_terminate_keeps_login_taken(void **state)
{
    struct answer a = expect_ok(*state, "DELETE", "/v2/users/1005", MBXADMIN, NULL);
    assert_true(json_object_is_type(a.data, json_type_boolean));
    assert_true(json_object_get_boolean(a.data));
    answer_clear(&a);
    a = expect_ok(*state, "GET", "/v2/users/1005", MBXUSER, NULL);
    assert_string_equal(str_of(a.data, "status"), "Terminated");
    answer_clear(&a);
    /* Terminated is final: the login stays taken and the user cannot change. */
    char *body = user_body("bob", "Passw0rd!", NULL);
    expect_fail(*state, "POST", "/v2/users", MBXADMIN, body, 400, "DuplicateObject",
                "login: bob is already taken");
    g_free(body);
    expect_fail(*state, "PUT", "/v2/users", MBXADMIN, "{\"userId\":1005,\"firstName\":\"B\"}", 400,
                "InvalidParameter", "userId: user 1005 is terminated");
    expect_fail(*state, "POST", "/v2/users/role", NETADMIN,
                "{\"userId\":1005,\"authLevel\":\"MailboxAdmin\"}", 400, "InvalidParameter",
                "userId: user 1005 is terminated");
    a = expect_ok(*state, "DELETE", "/v2/users/1005", MBXADMIN, NULL);
    answer_clear(&a);
    expect_fail(*state, "DELETE", "/v2/users/31337", MBXADMIN, NULL, 404, "ObjectNotFound", "");
}

/* Lists users and returns the ids in a new array. */
static GArray *list_user_ids(void **state, const char *key, const char *body)
{
    struct answer a = expect_ok(*state, "POST", "/v2/users/list", key, body);
    assert_true(json_object_is_type(a.data, json_type_array));
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    for (size_t i = 0; i < json_object_array_length(a.data); i++) {
        int id = (int)int_of(json_object_array_get_idx(a.data, i), "userId");
        g_array_append_val(ids, id);
    }
    answer_clear(&a);
    return ids;
}

static void assert_ids(GArray *ids, const int *want, size_t count)
{
    assert_int_equal(ids->len, count);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(g_array_index(ids, int, i), want[i]);
    g_array_free(ids, TRUE);
}

static void test_users_list_paging_and_filters(void **state)
{
    const int all[] = {1001, 1002, 1003, 1004, 1005};
    assert_ids(list_user_ids(state, MBXUSER, ""), all, 5);
    assert_ids(list_user_ids(state, MBXUSER, "{\"recordsPerPage\":2}"), all, 2);
    assert_ids(list_user_ids(state, MBXUSER, "{\"recordsPerPage\":2,\"pageNo\":2}"), all + 2, 2);
    assert_ids(list_user_ids(state, MBXUSER, "{\"RecordsPerPage\":2,\"PAGENO\":3}"), all + 4, 1);
    assert_ids(list_user_ids(state, MBXUSER, "{\"recordsPerPage\":2,\"pageNo\":4}"), NULL, 0);
    const int alice[] = {1004};
    assert_ids(list_user_ids(state, MBXUSER, "{\"name\":\"ALI\"}"), alice, 1);
    assert_ids(list_user_ids(state, MBXUSER, "{\"name\":\"anders\"}"), alice, 1);
    const int users[] = {1003, 1004, 1005};
    assert_ids(list_user_ids(state, MBXUSER, "{\"authLevel\":\"MailboxUser\"}"), users, 3);
    assert_ids(
        list_user_ids(state, MBXUSER, "{\"networkId\":1,\"mailboxId\":101,\"status\":\"Active\"}"),
        all, 5);
    assert_ids(list_user_ids(state, MBXUSER, "{\"mailboxId\":102}"), NULL, 0);

    struct answer a = expect_ok(*state, "DELETE", "/v2/users/1005", NETADMIN, NULL);
    answer_clear(&a);
    const int bob[] = {1005};
    assert_ids(list_user_ids(state, MBXUSER, "{\"status\":\"Terminated\"}"), bob, 1);
    assert_ids(list_user_ids(state, MBXUSER, "{\"status\":-2}"), bob, 1);

    expect_fail(*state, "POST", "/v2/users/list", MBXUSER, "{\"recordsPerPage\":0}", 400,
                "InvalidParameter", "recordsPerPage: must be between 1 and 500");
    expect_fail(*state, "POST", "/v2/users/list", MBXUSER, "{\"recordsPerPage\":501}", 400,
                "InvalidParameter", "recordsPerPage: must be between 1 and 500");
    expect_fail(*state, "POST", "/v2/users/list", MBXUSER, "{\"pageNo\":-1}", 400,
                "InvalidParameter", "pageNo: must be at least 1");
    expect_fail(*state, "POST", "/v2/users/list", MBXUSER, "{\"authLevel\":true}", 400,
                "InvalidParameter", "authLevel: must be one of");
    expect_fail(*state, "POST", "/v2/users/list", MBXUSER, "{\"mailboxId\":555}", 404,
                "ObjectNotFound", "mailboxId: mailbox 555 not found");
    expect_fail(*state, "POST", "/v2/users/list", MBXUSER, "{\"networkId\":9}", 404,
                "ObjectNotFound", "networkId: network 9 not found");
}

static void test_users_by_name(void **state)
{
    const int alice[] = {1004};
    struct answer a =
        expect_ok(*state, "POST", "/v2/users/by-name", MBXUSER, "{\"login\":\"alice\"}");
    assert_true(json_object_is_type(a.data, json_type_array));
    answer_clear(&a);
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    a = expect_ok(*state, "POST", "/v2/users/by-name", MBXUSER, "{\"Login\":\"ALICE\"}");
    int id = (int)int_of(json_object_array_get_idx(a.data, 0), "userId");
    g_array_append_val(ids, id);
    assert_int_equal(json_object_array_length(a.data), 1);
    answer_clear(&a);
    assert_ids(ids, alice, 1);
    a = expect_ok(*state, "POST", "/v2/users/by-name", MBXUSER, "{\"login\":\"nobody\"}");
    assert_int_equal(json_object_array_length(a.data), 0);
    answer_clear(&a);
    expect_fail(*state, "POST", "/v2/users/by-name", MBXUSER, "{}", 400, "InvalidParameter",
                "login: is required");
}

static void test_user_role(void **state)
{
    struct answer a = expect_ok(*state, "POST", "/v2/users/role", NETADMIN,
                                "{\"userId\":1004,\"authLevel\":\"NetworkUser\"}");
    assert_string_equal(str_of(a.data, "authLevel"), "NetworkUser");
    answer_clear(&a);
    a = expect_ok(*state, "POST", "/v2/users/role", NETADMIN,
                  "{\"userId\":1004,\"authLevel\":\"NoChange\"}");
    assert_string_equal(str_of(a.data, "authLevel"), "NetworkUser");
    answer_clear(&a);
    a = expect_ok(*state, "POST", "/v2/users/role", NETADMIN, "{\"userId\":1004,\"authLevel\":7}");
    assert_string_equal(str_of(a.data, "authLevel"), "MailboxUser");
    answer_clear(&a);
    expect_fail(*state, "POST", "/v2/users/role", NETADMIN, "{\"userId\":1004}", 400,
                "InvalidParameter", "authLevel: is required");
    expect_fail(*state, "POST", "/v2/users/role", NETADMIN,
                "{\"userId\":1004,\"authLevel\":\"Emperor\"}", 400, "InvalidParameter",
                "authLevel: must be one of");
    expect_fail(*state, "POST", "/v2/users/role", NETADMIN, "{\"userId\":1004,\"authLevel\":42}",
                400, "InvalidParameter", "authLevel: must be one of");
    expect_fail(*state, "POST", "/v2/users/role", NETADMIN,
                "{\"userId\":4040,\"authLevel\":\"MailboxUser\"}", 404, "ObjectNotFound", "");
}

static void test_user_password(void **state)
{
    struct answer a = expect_ok(*state, "POST", "/v2/users/password", MBXADMIN,
                                "{\"userId\":1004,\"newPassword\":\"N3w-Secret\"}");
    assert_true(json_object_get_boolean(a.data));
    assert_null(strstr(a.body, "N3w-Secret"));
    answer_clear(&a);
    expect_fail(*state, "POST", "/v2/users/password", MBXADMIN, "{\"userId\":1004}", 400,
                "InvalidParameter", "newPassword: is required");
    expect_fail(*state, "POST", "/v2/users/password", MBXADMIN, "{\"newPassword\":\"N3w-Secret\"}",
                400, "InvalidParameter", "userId: is required");
    expect_fail(*state, "POST", "/v2/users/password", MBXADMIN,
                "{\"userId\":5555,\"newPassword\":\"N3w-Secret\"}", 404, "ObjectNotFound", "");
}

static void test_user_reset(void **state)
{
    struct answer a = expect_ok(*state, "POST", "/v2/users/reset/1004", MBXADMIN, NULL);
    assert_true(json_object_get_boolean(a.data));
    answer_clear(&a);
    expect_fail(*state, "POST", "/v2/users/reset/5555", MBXADMIN, NULL, 404, "ObjectNotFound", "");
    expect_fail(*state, "POST", "/v2/users/reset/1001", MBXADMIN, NULL, 403, "AccessDenied", "");
}

/* ------------------------------------------------------ key rotation */

/* Rotates user_id's key as caller and returns the new key (g_free). */
static char *rotate_key(void *state, const char *caller, int user_id)
{
    char *path = g_strdup_printf("/v2/users/key-generate/%d", user_id);
    struct answer a = expect_ok(state, "POST", path, caller, NULL);
    assert_true(json_object_is_type(a.data, json_type_string));
    char *key = g_strdup(json_object_get_string(a.data));
    answer_clear(&a);
    g_free(path);
    /* GUID-like, as the portal shows keys */
    GRegex *guid =
        g_regex_new("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", 0, 0, NULL);
    assert_true(g_regex_match(guid, key, 0, NULL));
    g_regex_unref(guid);
    return key;
}

static int me_id(void *state, const char *key)
{
    struct answer a = expect_ok(state, "GET", "/v2/users/me", key, NULL);
    int id = (int)int_of(a.data, "userId");
    answer_clear(&a);
    return id;
}

static void test_key_generate_rotates_own_key(void **state)
{
    char *fresh = rotate_key(*state, MBXUSER, 1003);
    expect_fail(*state, "GET", "/v2/users/me", MBXUSER, NULL, 401, "InvalidAPIKey",
                "The provided API key is not valid or has been revoked.");
    assert_int_equal(me_id(*state, fresh), 1003);
    /* Rotating again retires the key issued before. */
    char *newer = rotate_key(*state, fresh, 1003);
    assert_string_not_equal(newer, fresh);
    expect_fail(*state, "GET", "/v2/users/me", fresh, NULL, 401, "InvalidAPIKey", "");
    assert_int_equal(me_id(*state, newer), 1003);
    /* The other fixed keys are untouched. */
    assert_int_equal(me_id(*state, NETADMIN), 1001);
    assert_int_equal(me_id(*state, MBXADMIN), 1002);
    g_free(fresh);
    g_free(newer);
}

static void test_key_generate_follows_the_manage_rules(void **state)
{
    /* A MailboxUser may rotate only its own key. */
    expect_fail(*state, "POST", "/v2/users/key-generate/1004", MBXUSER, NULL, 403, "AccessDenied",
                "");
    /* A MailboxAdmin: users of its mailbox, not one ranked above it. */
    char *alice = rotate_key(*state, MBXADMIN, 1004);
    assert_int_equal(me_id(*state, alice), 1004);
    expect_fail(*state, "POST", "/v2/users/key-generate/1001", MBXADMIN, NULL, 403, "AccessDenied",
                "");
    /* A NetworkAdmin: anyone of its network; unknown ids are 404. */
    char *admin = rotate_key(*state, NETADMIN, 1002);
    expect_fail(*state, "GET", "/v2/users/me", MBXADMIN, NULL, 401, "InvalidAPIKey", "");
    assert_int_equal(me_id(*state, admin), 1002);
    expect_fail(*state, "POST", "/v2/users/key-generate/5555", NETADMIN, NULL, 404,
                "ObjectNotFound", "");
    expect_fail(*state, "GET", "/v2/users/key-generate/1004", NETADMIN, NULL, 405,
                "MethodNotAllowed", "");
    /* A terminated user gets no new key (and its old one stays revoked). */
    struct answer a = expect_ok(*state, "DELETE", "/v2/users/1005", NETADMIN, NULL);
    answer_clear(&a);
    expect_fail(*state, "POST", "/v2/users/key-generate/1005", NETADMIN, NULL, 400,
                "InvalidParameter", "userId");
    expect_fail(*state, "POST", "/v2/users/key-generate/1004", "not-a-key", NULL, 401,
                "InvalidAPIKey", "");
    g_free(alice);
    g_free(admin);
}

/* ---------------------------------------------------- state and scale */

static char *save_state(void *state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_true(sim_vendor_ecgrid.save(state, out));
    assert_int_equal(fclose(out), 0);
    return text;
}

/* The answers a client would see, concatenated: equal states answer equally. */
static char *snapshot(void *state)
{
    static const struct {
        const char *method;
        const char *path;
        const char *key;
        const char *body;
    } calls[] = {
        {"POST", "/v2/users/list", NETADMIN, "{\"recordsPerPage\":500}"},
        {"POST", "/v2/mailboxes/list", NETADMIN, "{}"},
        {"GET", "/v2/portals/by-mailbox/101", NETADMIN, NULL},
        {"GET", "/v2/portals/by-mailbox/7890", NETADMIN, NULL},
        {"GET", "/v2/portals/by-mailbox/102", NETADMIN, NULL},
        {"GET", "/v2/users/me", MBXADMIN, NULL},
        {"GET", "/v2/users/me", MBXUSER, NULL},
        {"POST", "/v2/users/by-name", NETADMIN, "{\"login\":\"jsmith\"}"},
    };
    GString *all = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        struct answer a =
            request(state, calls[i].method, calls[i].path, calls[i].key, calls[i].body);
        g_string_append_printf(all, "%d %s\n", a.status, a.body);
        answer_clear(&a);
    }
    return g_string_free(all, FALSE);
}

static void test_save_load_round_trip(void **state)
{
    char *body = fixture("create-user.json");
    struct answer a = expect_ok(*state, "POST", "/v2/users", NETADMIN, body);
    answer_clear(&a);
    g_free(body);
    a = expect_ok(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":7890}");
    answer_clear(&a);
    a = expect_ok(*state, "DELETE", "/v2/users/1003", NETADMIN, NULL);
    answer_clear(&a);
    a = expect_ok(*state, "PUT", "/v2/users", NETADMIN,
                  "{\"userId\":1004,\"firstName\":\"Al \\\"Quote\\\" \\u00e9\"}");
    answer_clear(&a);
    sim_vendor_ecgrid.seed_users(*state, 20);

    char *saved = save_state(*state);
    char *before = snapshot(*state);
    assert_non_null(strstr(before, "Terminated"));

    struct sim_options options = {.base_url = "http://127.0.0.1:1"};
    void *fresh = sim_vendor_ecgrid.create(&options);
    struct sim_json_stream *in = sim_json_stream_new_text(saved, strlen(saved));
    char *error = NULL;
    assert_true(sim_vendor_ecgrid.load(fresh, in, &error));
    assert_null(error);
    assert_true(sim_json_stream_at_end(in)); /* the vendor read exactly its value */
    sim_json_stream_free(in);
    char *after = snapshot(fresh);
    assert_string_equal(after, before);
    /* Saving the loaded state gives the same file; new ids continue alike. */
    char *saved_again = save_state(fresh);
    assert_string_equal(saved_again, saved);
    int next_here = create_user(*state, NETADMIN, "next", NULL);
    int next_there = create_user(fresh, NETADMIN, "next", NULL);
    assert_int_equal(next_here, next_there);
    a = expect_ok(*state, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":102}");
    struct answer b =
        expect_ok(fresh, "POST", "/v2/portals/create", NETADMIN, "{\"mailboxId\":102}");
    assert_int_equal(int_of(a.data, "portalId"), int_of(b.data, "portalId"));
    assert_string_equal(str_of(a.data, "url"), str_of(b.data, "url"));
    answer_clear(&a);
    answer_clear(&b);
    /* The terminated account's key stays revoked after loading; a rotated key
     * is kept and the fixed key it replaced stays retired. */
    expect_fail(fresh, "GET", "/v2/users/me", MBXUSER, NULL, 401, "InvalidAPIKey", "");
    char *rotated = rotate_key(*state, MBXADMIN, 1002);
    char *alice = rotate_key(*state, NETADMIN, 1004);
    char *saved_rotated = save_state(*state);
    void *third = sim_vendor_ecgrid.create(&options);
    in = sim_json_stream_new_text(saved_rotated, strlen(saved_rotated));
    assert_true(sim_vendor_ecgrid.load(third, in, &error));
    sim_json_stream_free(in);
    assert_int_equal(me_id(third, rotated), 1002);
    assert_int_equal(me_id(third, alice), 1004);
    expect_fail(third, "GET", "/v2/users/me", MBXADMIN, NULL, 401, "InvalidAPIKey", "");
    assert_int_equal(me_id(third, NETADMIN), 1001);
    sim_vendor_ecgrid.destroy(third);
    free(saved_rotated);
    g_free(rotated);
    g_free(alice);

    sim_vendor_ecgrid.destroy(fresh);
    g_free(saved_again);
    g_free(after);
    g_free(before);
    g_free(saved);
}

static void test_load_rejects_a_bad_state_and_keeps_the_old(void **state)
{
    static const char *const bad[] = {
        "[]",
        "{}",
        "{\"format\":\"portal-sim/ecgrid\",\"version\":1,\"nextUserId\":1,\"nextPortalId\":1,"
        "\"seedSerial\":0,\"networks\":[],\"mailboxes\":[],\"users\":[{\"userId\":1}]}",
        "{\"format\":\"other\",\"version\":1,\"nextUserId\":1,\"nextPortalId\":1,"
        "\"seedSerial\":0,\"networks\":[],\"mailboxes\":[],\"users\":[]}",
        "{\"format\":\"portal-sim/ecgrid\",\"version\":1,\"nextUserId\":1,\"nextPortalId\":1,"
        "\"seedSerial\":0,\"networks\":[{\"networkId\":1,\"name\":\"A\",\"created\":\"2021-01-01"
        "T00:00:00Z\"},{\"networkId\":1,\"name\":\"B\",\"created\":\"2021-01-01T00:00:00Z\"}],"
        "\"mailboxes\":[],\"users\":[]}",
    };
    char *before = snapshot(*state);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct sim_json_stream *in = sim_json_stream_new_text(bad[i], strlen(bad[i]));
        char *error = NULL;
        assert_false(sim_vendor_ecgrid.load(*state, in, &error));
        assert_non_null(error);
        assert_true(strlen(error) > 0);
        g_free(error);
        sim_json_stream_free(in);
    }
    char *after = snapshot(*state);
    assert_string_equal(after, before);
    g_free(after);
    g_free(before);
}

static void test_seed_200000_users_then_page_2_of_500(void **state)
{
    sim_vendor_ecgrid.seed_users(*state, 200000);
    struct answer a = expect_ok(*state, "POST", "/v2/users/list", MBXADMIN,
                                "{\"mailboxId\":101,\"pageNo\":2,\"recordsPerPage\":500}");
    assert_int_equal(json_object_array_length(a.data), 500);
    /* Page 1 holds the five accounts and 495 seeded users; page 2 starts at the 496th. */
    json_object *first = json_object_array_get_idx(a.data, 0);
    json_object *last = json_object_array_get_idx(a.data, 499);
    assert_string_equal(str_of(first, "login"), "user0000496");
    assert_int_equal(int_of(first, "userId"), 1042 + 495);
    assert_string_equal(str_of(last, "login"), "user0000995");
    assert_int_equal(int_of(first, "mailboxId"), 101);
    answer_clear(&a);
    /* 200,005 users: page 401 holds the last five. */
    a = expect_ok(*state, "POST", "/v2/users/list", MBXADMIN,
                  "{\"pageNo\":401,\"recordsPerPage\":500}");
    assert_int_equal(json_object_array_length(a.data), 5);
    assert_string_equal(str_of(json_object_array_get_idx(a.data, 4), "login"), "user0200000");
    answer_clear(&a);
    /* Seeded users are real users: found by name, managed, and their logins are taken. */
    a = expect_ok(*state, "POST", "/v2/users/by-name", MBXUSER, "{\"login\":\"user0123456\"}");
    assert_int_equal(json_object_array_length(a.data), 1);
    answer_clear(&a);
    char *body = user_body("USER0000001", "Passw0rd!", NULL);
    expect_fail(*state, "POST", "/v2/users", MBXADMIN, body, 400, "DuplicateObject", "login:");
    g_free(body);
    /* Every 97th generated user is suspended: 2,061 of them, so page 5 of 500 holds 61. */
    a = expect_ok(*state, "POST", "/v2/users/list", MBXUSER,
                  "{\"status\":\"Suspended\",\"recordsPerPage\":500,\"pageNo\":5}");
    assert_int_equal(json_object_array_length(a.data), 200000 / 97 - 4 * 500);
    assert_string_equal(str_of(json_object_array_get_idx(a.data, 0), "status"), "Suspended");
    answer_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_missing_unknown_or_revoked_key_is_401),
        T(test_me_answers_each_account),
        T(test_credential_is_the_api_key_header),
        T(test_owns_only_v2_paths),
        T(test_unknown_path_is_404_and_wrong_method_405),
        T(test_malformed_or_non_object_body_is_400),
        T(test_injected_errors_use_the_envelope),
        T(test_create_portal_seed_example),
        T(test_create_portal_errors),
        T(test_portal_by_mailbox),
        T(test_mailbox_get),
        T(test_mailboxes_list_paging_and_filters),
        T(test_create_user_seed_example_then_duplicate),
        T(test_create_user_defaults_to_callers_place),
        T(test_create_user_accepts_keys_in_any_case),
        T(test_create_user_field_rules),
        T(test_create_user_place_rules),
        T(test_password_rule),
        T(test_authlevel_ceiling),
        T(test_mailbox_user_cannot_manage_users),
        T(test_mailbox_admin_scope_is_its_mailbox),
        T(test_user_get),
        T(test_user_update),
        T(test_terminate_keeps_login_taken),
        T(test_users_list_paging_and_filters),
        T(test_users_by_name),
        T(test_user_role),
        T(test_user_password),
        T(test_user_reset),
        T(test_key_generate_rotates_own_key),
        T(test_key_generate_follows_the_manage_rules),
        T(test_save_load_round_trip),
        T(test_load_rejects_a_bad_state_and_keeps_the_old),
        T(test_seed_200000_users_then_page_2_of_500),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
