/*
 * ECGrid adapter, the pure half: answers read from fixture files
 * (tests/fixtures/ecgrid/: the seeds' response examples, the contract's
 * shapes, the tolerated variants and hostile answers) into records and
 * errors, request bodies built from form values, and the operation table.
 * No network here; tests/unit/test_ecgrid_live.c runs the adapter against
 * portal-sim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <portalctl/ecgrid_parse.h>
#include <portalctl/vendor.h>
#include <portalctl/vendor_fields.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "fixture.h"

/* ---- helpers ---------------------------------------------------------------- */

static const struct ecgrid_error_context plain_context = {.connection = "acme-ecgrid"};

/* Reads a fixture as an answer with this status; asserts that it succeeds. */
static struct ecgrid_answer read_ok(const char *name)
{
    size_t len = 0;
    char *text = fixture_read("ecgrid", name, &len);
    struct ecgrid_answer answer;
    struct api_error error;
    api_error_init(&error);
    bool ok = ecgrid_read_answer(200, text, len, &plain_context, &answer, &error);
    if (!ok)
        fail_msg("%s: %s", name, error.message);
    api_error_clear(&error);
    g_free(text);
    return answer;
}

/* Reads a fixture as an answer with this status; asserts that it fails. */
static void read_failing(const char *name, long status, const struct ecgrid_error_context *context,
                         struct api_error *error)
{
    size_t len = 0;
    char *text = name ? fixture_read("ecgrid", name, &len) : g_strdup("");
    struct ecgrid_answer answer;
    api_error_init(error);
    assert_false(ecgrid_read_answer(status, text, len, context, &answer, error));
    assert_null(answer.root);
    assert_non_null(error->message);
    g_free(text);
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

static void assert_record(const struct record *record, const char *id, const char *name,
                          const char *status, const char *role)
{
    assert_string_equal(record_get(record, RECORD_ID), id);
    if (name)
        assert_string_equal(record_get(record, RECORD_NAME), name);
    else
        assert_null(record_get(record, RECORD_NAME));
    assert_string_equal(record_get(record, RECORD_STATUS), status);
    if (role)
        assert_string_equal(record_get(record, RECORD_ROLE), role);
}

/* ---- the seeds' examples ------------------------------------------------------- */

static void test_seed_create_user_response(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("create-user-response.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_user(answer.data, &list, &error));
    assert_int_equal(list.count, 1);
    const struct record *user = &list.items[0];
    assert_record(user, "1042", "jsmith", "Active", "MailboxAdmin");
    assert_string_equal(record_get(user, RECORD_EMAIL), "jsmith@example.com");
    assert_string_equal(record_get(user, RECORD_CREATED), "2026-05-07T14:30:00Z");
    assert_string_equal(extra(&list, user, "firstName"), "John");
    assert_string_equal(extra(&list, user, "mailboxId"), "101");
    assert_string_equal(extra(&list, user, "networkId"), "1");
    record_list_clear(&list);
    ecgrid_answer_clear(&answer);
}

static void test_seed_create_portal_response(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("create-portal-response.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_portal(answer.data, 0, &list, &error));
    assert_int_equal(list.count, 1);
    const struct record *portal = &list.items[0];
    assert_record(portal, "7890", NULL, "Active", NULL);
    assert_string_equal(record_get(portal, RECORD_URL), "https://portal.ecgrid.io/new-portal-slug");
    assert_string_equal(record_get(portal, RECORD_CREATED), "2026-05-07T09:00:00Z");
    assert_string_equal(extra(&list, portal, "portal.portalId"), "502");
    record_list_clear(&list);
    ecgrid_answer_clear(&answer);
}

static struct form_values *values_from_json_file(const char *name)
{
    size_t len = 0;
    char *text = fixture_read("ecgrid", name, &len);
    json_object *object = json_tokener_parse(text);
    assert_non_null(object);
    struct form_values *values = form_values_new();
    json_object_object_foreach(object, key, value)
    {
        form_values_set(values, key, json_object_get_string(value));
    }
    json_object_put(object);
    g_free(text);
    return values;
}

/* The seed's request, from form values, is the seed's JSON: numbers stay numbers. */
static void test_body_from_form_is_the_seed_request(void **state)
{
    (void)state;
    struct form_values *values = values_from_json_file("create-user.json");
    struct form_errors *errors = form_errors_new();
    assert_true(form_validate(&ecgrid_create_user_form, values, errors));
    char *body = ecgrid_body_from_form(&ecgrid_create_user_form, values);
    assert_non_null(body);
    size_t len = 0;
    char *seed_text = fixture_read("ecgrid", "create-user.json", &len);
    json_object *seed = json_tokener_parse(seed_text);
    json_object *built = json_tokener_parse(body);
    assert_non_null(built);
    assert_true(json_object_equal(seed, built));
    assert_true(json_object_is_type(json_object_object_get(built, "mailboxId"), json_type_int));
    json_object_put(seed);
    json_object_put(built);
    g_free(seed_text);
    g_free(body);
    form_errors_free(errors);
    form_values_free(values);
}

static void test_body_from_form_escapes_and_skips(void **state)
{
    (void)state;
    struct form_values *values = form_values_new();
    form_values_set(values, "userId", "1042");
    form_values_set(values, "lastName", "O\"Brien\\ \xc3\xa9");
    form_values_set(values, "unknown", "left out");
    char *body = ecgrid_body_from_form(&ecgrid_update_user_form, values);
    assert_string_equal(body, "{\"userId\":1042,\"lastName\":\"O\\\"Brien\\\\ \xc3\xa9\"}");
    g_free(body);
    form_values_set(values, "userId", "12abc");
    assert_null(ecgrid_body_from_form(&ecgrid_update_user_form, values));
    form_values_free(values);
}

/* ---- the contract's shapes and the tolerated variants -------------------------------- */

static void test_users_me_contract_shape(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("answer-users-me.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_user(answer.data, &list, &error));
    assert_record(&list.items[0], "1042", "jsmith", "Active", "MailboxAdmin");
    assert_string_equal(extra(&list, &list.items[0], "lastLogin"), "null");
    assert_string_equal(extra(&list, &list.items[0], "lockedOut"), "false");
    record_list_clear(&list);
    ecgrid_answer_clear(&answer);
}

/* Keys in any case, loginName only, lockoutStatus, enums as numbers or digit strings. */
static void test_users_list_tolerated_variants(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("answer-users-list.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    size_t count = 0;
    assert_true(ecgrid_parse_users(answer.data, &list, &count, &error));
    assert_int_equal(count, 3);
    assert_int_equal(list.count, 3);
    assert_record(&list.items[0], "1001", "netadmin", "Active", "NetworkAdmin");
    assert_record(&list.items[1], "1002", "mbxadmin", "Active, locked out", "MailboxAdmin");
    assert_string_equal(record_get(&list.items[1], RECORD_EMAIL), "mbxadmin@example.com");
    assert_string_equal(record_get(&list.items[1], RECORD_CREATED),
                        "2021-06-10T09:00:00.1234567+02:00");
    assert_record(&list.items[2], "1003", "mbxuser", "Terminated, locked out", "MailboxUser");
    record_list_clear(&list);
    ecgrid_answer_clear(&answer);
}

static void test_users_list_wrapped_and_empty(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    size_t count = 99;
    struct ecgrid_answer answer = read_ok("answer-users-list-wrapped.json");
    assert_true(ecgrid_parse_users(answer.data, &list, &count, &error));
    assert_int_equal(count, 1);
    assert_record(&list.items[0], "1004", "alice", "Active", "MailboxUser");
    ecgrid_answer_clear(&answer);
    answer = read_ok("answer-users-list-empty.json");
    assert_true(ecgrid_parse_users(answer.data, &list, &count, &error));
    assert_int_equal(count, 0);
    assert_int_equal(list.count, 1);
    ecgrid_answer_clear(&answer);
    record_list_clear(&list);
}

static void test_users_by_login_matches_exactly_ignoring_case(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("answer-users-by-name.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_users_by_login(answer.data, "alice", &list, &error));
    assert_int_equal(list.count, 1);
    assert_string_equal(record_get(&list.items[0], RECORD_ID), "1004");
    assert_true(ecgrid_parse_users_by_login(answer.data, "bob", &list, &error));
    assert_int_equal(list.count, 1);
    record_list_clear(&list);
    ecgrid_answer_clear(&answer);
}

static void test_mailbox_page_and_portal_rows(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("answer-mailboxes-list.json");
    struct ecgrid_mailbox_page page = {0};
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_mailbox_page(answer.data, &page, &error));
    ecgrid_answer_clear(&answer); /* the page holds its own references */
    assert_int_equal(page.total, 3);
    assert_int_equal(page.mailboxes->len, 3);
    assert_int_equal(ecgrid_mailbox_id_of(g_ptr_array_index(page.mailboxes, 2)), 7890);

    struct ecgrid_answer portal = read_ok("answer-portal-by-mailbox.json");
    struct record_list list;
    record_list_init(&list);
    ecgrid_add_portal_row(&list, g_ptr_array_index(page.mailboxes, 0), portal.data);
    ecgrid_add_portal_row(&list, g_ptr_array_index(page.mailboxes, 1), NULL);
    assert_record(&list.items[0], "101", "ACME Receiving", "Active", NULL);
    assert_string_equal(record_get(&list.items[0], RECORD_URL),
                        "https://portal.ecgrid.io/acme-receiving");
    assert_string_equal(record_get(&list.items[0], RECORD_CREATED),
                        "2024-03-01T08:00:00.000+01:00");
    assert_string_equal(extra(&list, &list.items[0], "mailbox.description"),
                        "ACME Corp inbound EDI");
    assert_string_equal(extra(&list, &list.items[0], "portal.portalId"), "501");
    /* uniqueId stands for name; no portal: ready for create-portal */
    assert_record(&list.items[1], "102", "ACME Shipping", "no portal", NULL);
    assert_null(record_get(&list.items[1], RECORD_URL));
    assert_string_equal(extra(&list, &list.items[1], "mailbox.companyName"),
                        "ACME Corp outbound EDI");
    record_list_clear(&list);
    ecgrid_answer_clear(&portal);
    ecgrid_mailbox_page_clear(&page);
}

static void test_mailbox_page_bare_array(void **state)
{
    (void)state;
    struct ecgrid_answer answer = read_ok("answer-mailboxes-bare.json");
    struct ecgrid_mailbox_page page = {0};
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_mailbox_page(answer.data, &page, &error));
    assert_int_equal(page.total, -1);
    assert_int_equal(page.mailboxes->len, 1);
    ecgrid_mailbox_page_clear(&page);
    ecgrid_answer_clear(&answer);
}

static void test_confirmations(void **state)
{
    (void)state;
    struct api_error error;
    api_error_init(&error);
    struct ecgrid_answer answer = read_ok("answer-true.json");
    assert_true(ecgrid_parse_confirmation(answer.data, &error));
    ecgrid_answer_clear(&answer);
    answer = read_ok("answer-no-errorcode.json"); /* no success, no errorCode: success */
    assert_true(ecgrid_parse_confirmation(answer.data, &error));
    ecgrid_answer_clear(&answer);
    answer = read_ok("answer-false.json");
    assert_false(ecgrid_parse_confirmation(answer.data, &error));
    assert_int_equal(error.kind, API_REFUSED);
    ecgrid_answer_clear(&answer);
    api_error_clear(&error);
}

static void test_enum_numbers_become_names(void **state)
{
    (void)state;
    char buf[64];
    static const struct {
        const char *json;
        const char *level;
        const char *status;
    } cases[] = {
        {"0", "NoChange", "Preproduction"},
        {"1", "Root", "Active"},
        {"4", "NetworkAdmin", "4"},
        {"9", "General", "9"},
        {"10", "10", "10"},
        {"-2", "-2", "Terminated"},
        {"\"6\"", "MailboxAdmin", "6"},
        {"\"TPUser\"", "TPUser", "TPUser"},
        {"\"Suspended\"", "Suspended", "Suspended"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        json_object *value = json_tokener_parse(cases[i].json);
        assert_string_equal(ecgrid_auth_level_text(value, buf), cases[i].level);
        assert_string_equal(ecgrid_status_text(value, buf), cases[i].status);
        json_object_put(value);
    }
    assert_null(ecgrid_auth_level_text(NULL, buf));
}

static void test_parse_id(void **state)
{
    (void)state;
    int id = 0;
    assert_true(ecgrid_parse_id("1042", &id));
    assert_int_equal(id, 1042);
    assert_true(ecgrid_parse_id("2147483647", &id));
    static const char *const bad[] = {"",      "0",          "-1",          "+5",  " 5",  "5 ",
                                      "12abc", "2147483648", "00000000001", "1e3", "../1"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        assert_false(ecgrid_parse_id(bad[i], &id));
    assert_false(ecgrid_parse_id(NULL, &id));
}

/* ---- errors --------------------------------------------------------------------- */

static void test_401_with_any_body_is_auth(void **state)
{
    (void)state;
    const char *bodies[] = {NULL, "error-invalid-api-key.json", "error-gateway.html"};
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
        struct api_error error;
        read_failing(bodies[i], 401, &plain_context, &error);
        assert_int_equal(error.kind, API_AUTH);
        assert_int_equal(error.http_status, 401);
        assert_string_equal(error.code, "InvalidAPIKey");
        assert_non_null(strstr(error.message, "portalctl auth set acme-ecgrid"));
        api_error_clear(&error);
    }
}

static void test_invalid_parameter_lands_on_its_field(void **state)
{
    (void)state;
    struct ecgrid_error_context context = {
        .connection = "acme-ecgrid", .action = "create the user", .form = &ecgrid_create_user_form};
    struct api_error error;
    read_failing("error-invalid-password.json", 400, &context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_int_equal(error.http_status, 400);
    assert_string_equal(error.code, "InvalidParameter");
    assert_true(g_str_has_prefix(error.message, "create the user: ECGrid refused a value"));
    assert_string_equal(api_error_field_message(&error, "password", -1),
                        "must contain a lower-case letter, an upper-case letter, a digit and a "
                        "special character");
    api_error_clear(&error);
    /* a field that is not in the form stays in the message only */
    read_failing("error-invalid-body.json", 400, &context, &error);
    assert_null(error.fields);
    assert_non_null(strstr(error.message, "body: malformed JSON"));
    api_error_clear(&error);
}

static void test_duplicate_lands_on_the_duplicate_field(void **state)
{
    (void)state;
    struct ecgrid_error_context context = {
        .connection = "c", .form = &ecgrid_create_user_form, .duplicate_field = "login"};
    struct api_error error;
    read_failing("error-duplicate-login.json", 400, &context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_string_equal(error.code, "DuplicateObject");
    assert_string_equal(api_error_field_message(&error, "login", -1),
                        "jsmith is already taken in network 1");
    assert_int_equal(error.fields->len, 1);
    api_error_clear(&error);
    read_failing("error-duplicate-unnamed.json", 400, &context, &error);
    assert_string_equal(api_error_field_message(&error, "login", -1), "The object already exists");
    api_error_clear(&error);
    context.form = &ecgrid_create_portal_form;
    context.duplicate_field = "mailboxId";
    read_failing("error-duplicate-portal.json", 400, &context, &error);
    assert_string_equal(api_error_field_message(&error, "mailboxId", -1),
                        "mailbox 101 already has a portal (portalId 501)");
    api_error_clear(&error);
}

static void test_refusals_by_status(void **state)
{
    (void)state;
    struct ecgrid_error_context context = {.connection = "c", .form = &ecgrid_create_user_form};
    static const struct {
        const char *fixture;
        long status;
        enum api_error_kind kind;
        const char *code;
    } cases[] = {
        {"error-access-denied.json", 403, API_REFUSED, "AccessDenied"},
        {"error-not-found.json", 404, API_REFUSED, "ObjectNotFound"},
        {"error-rate-limit.json", 429, API_NETWORK, "RateLimitExceeded"},
        {"error-service-unavailable.json", 503, API_NETWORK, "ServiceUnavailable"},
        {"error-gateway.html", 502, API_NETWORK, NULL},
        {NULL, 500, API_NETWORK, NULL},
        {"error-success-false-200.json", 200, API_REFUSED, "AccessDenied"},
        {"error-gateway.html", 302, API_BAD_RESPONSE, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct api_error error;
        read_failing(cases[i].fixture, cases[i].status, &context, &error);
        assert_int_equal(error.kind, cases[i].kind);
        assert_int_equal(error.http_status, cases[i].status);
        if (cases[i].code)
            assert_string_equal(error.code, cases[i].code);
        else
            assert_null(error.code);
        api_error_clear(&error);
    }
    /* AccessDenied naming a form field also lands on it */
    struct api_error error;
    read_failing("error-access-denied.json", 403, &context, &error);
    assert_non_null(api_error_field_message(&error, "authLevel", -1));
    assert_non_null(strstr(error.message, "ask your ECGrid network administrator"));
    api_error_clear(&error);
}

/* ---- hostile answers --------------------------------------------------------------- */

static void test_unreadable_success_is_bad_response(void **state)
{
    (void)state;
    const char *fixtures[] = {"hostile-not-json.txt", "hostile-trailing-garbage.json",
                              "hostile-root-array.json", NULL};
    for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
        struct api_error error;
        read_failing(fixtures[i], 200, &plain_context, &error);
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        api_error_clear(&error);
    }
}

/* Only a change can have half happened; a read says repeating it is safe. */
static void test_unreadable_answer_says_whether_anything_changed(void **state)
{
    (void)state;
    const struct ecgrid_error_context change = {.connection = "acme-ecgrid",
                                                .action = "create the user"};
    const struct ecgrid_error_context read = {
        .connection = "acme-ecgrid", .action = "list users", .reads_only = true};
    struct api_error error;
    read_failing("hostile-not-json.txt", 200, &change, &error);
    assert_non_null(strstr(error.message, "create the user: "));
    assert_non_null(strstr(error.message, "may or may not have taken effect"));
    api_error_clear(&error);
    read_failing("hostile-not-json.txt", 200, &read, &error);
    assert_non_null(strstr(error.message, "list users: "));
    assert_non_null(strstr(error.message, "nothing was changed"));
    assert_null(strstr(error.message, "may or may not"));
    api_error_clear(&error);
}

static void test_deep_nesting_is_bad_response(void **state)
{
    (void)state;
    size_t depth = 100000;
    GString *text = g_string_new("{\"success\":true,\"data\":");
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(text, '[');
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(text, ']');
    g_string_append_c(text, '}');
    struct ecgrid_answer answer;
    struct api_error error;
    api_error_init(&error);
    assert_false(ecgrid_read_answer(200, text->str, text->len, &plain_context, &answer, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    g_string_free(text, TRUE);
}

static void expect_user_refused(const char *fixture)
{
    struct ecgrid_answer answer = read_ok(fixture);
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_false(ecgrid_parse_user(answer.data, &list, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    assert_int_equal(list.count, 0);
    api_error_clear(&error);
    ecgrid_answer_clear(&answer);
}

static void test_wrong_types_are_refused_or_tolerated(void **state)
{
    (void)state;
    expect_user_refused("hostile-user-wrong-types.json");
    expect_user_refused("hostile-user-bad-id.json");
    expect_user_refused("answer-true.json"); /* data true is no user */

    struct ecgrid_answer answer = read_ok("hostile-user-types-tolerated.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(ecgrid_parse_user(answer.data, &list, &error));
    assert_record(&list.items[0], "1042", "12345", "Weird, locked out", "99");
    assert_null(record_get(&list.items[0], RECORD_EMAIL));
    record_list_clear(&list);
    ecgrid_answer_clear(&answer);
}

static void test_bad_list_entries_add_nothing(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    size_t count = 0;
    struct ecgrid_answer answer = read_ok("hostile-users-entry-not-object.json");
    assert_false(ecgrid_parse_users(answer.data, &list, &count, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    assert_non_null(strstr(error.message, "entry 2"));
    assert_int_equal(list.count, 0);
    api_error_clear(&error);
    ecgrid_answer_clear(&answer);
    answer = read_ok("hostile-users-not-array.json");
    assert_false(ecgrid_parse_users(answer.data, &list, &count, &error));
    api_error_clear(&error);
    ecgrid_answer_clear(&answer);

    const char *mailbox_fixtures[] = {"hostile-mailboxes-no-id.json",
                                      "hostile-mailboxes-wrong-type.json"};
    for (size_t i = 0; i < G_N_ELEMENTS(mailbox_fixtures); i++) {
        struct ecgrid_mailbox_page page = {0};
        answer = read_ok(mailbox_fixtures[i]);
        assert_false(ecgrid_parse_mailbox_page(answer.data, &page, &error));
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        assert_int_equal(page.mailboxes->len, 0);
        ecgrid_mailbox_page_clear(&page);
        api_error_clear(&error);
        ecgrid_answer_clear(&answer);
    }
}

static void test_missing_fields_and_huge_values(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    struct ecgrid_answer answer;
    static const char missing_id[] = "{\"success\":true,\"data\":{\"login\":\"x\"}}";
    assert_true(
        ecgrid_read_answer(200, missing_id, strlen(missing_id), &plain_context, &answer, &error));
    assert_false(ecgrid_parse_user(answer.data, &list, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    ecgrid_answer_clear(&answer);
    static const char no_data[] = "{\"success\":true}";
    assert_true(ecgrid_read_answer(200, no_data, strlen(no_data), &plain_context, &answer, &error));
    assert_false(ecgrid_parse_user(answer.data, &list, &error));
    assert_false(ecgrid_parse_portal(answer.data, 101, &list, &error));
    api_error_clear(&error);
    ecgrid_answer_clear(&answer);

    /* a 4 MiB e-mail address is kept whole: the views fit it to the screen */
    size_t huge = 4u << 20;
    GString *text = g_string_new("{\"success\":true,\"data\":[{\"userId\":7,\"email\":\"");
    for (size_t i = 0; i < huge; i++)
        g_string_append_c(text, 'e');
    g_string_append(text, "\"}]}");
    assert_true(ecgrid_read_answer(200, text->str, text->len, &plain_context, &answer, &error));
    size_t count = 0;
    assert_true(ecgrid_parse_users(answer.data, &list, &count, &error));
    assert_int_equal(list.count, 1);
    assert_int_equal(strlen(record_get(&list.items[0], RECORD_EMAIL)), huge);
    ecgrid_answer_clear(&answer);
    g_string_free(text, TRUE);
    record_list_clear(&list);
}

static void test_server_text_is_sanitized_and_bounded(void **state)
{
    (void)state;
    struct ecgrid_error_context context = {.connection = "c", .form = &ecgrid_create_user_form};
    struct api_error error;
    read_failing("hostile-control-chars.json", 400, &context, &error);
    for (const char *p = error.message; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    assert_null(strstr(error.message, "\xe2\x80\xae")); /* U+202E right-to-left override */
    assert_null(strchr(error.code, '\x1b'));
    const char *field = api_error_field_message(&error, "login", -1);
    assert_non_null(field);
    assert_null(strchr(field, '\x1b'));
    api_error_clear(&error);

    GString *huge = g_string_new("{\"success\":false,\"errorCode\":\"InvalidParameter\","
                                 "\"message\":\"login: ");
    for (int i = 0; i < 1000000; i++)
        g_string_append_c(huge, 'x');
    g_string_append(huge, "\"}");
    struct ecgrid_answer answer;
    api_error_init(&error);
    assert_false(ecgrid_read_answer(400, huge->str, huge->len, &context, &answer, &error));
    assert_true(strlen(error.message) < 1000);
    api_error_clear(&error);
    g_string_free(huge, TRUE);
}

static void test_split_field_message(void **state)
{
    (void)state;
    char *field = NULL;
    char *message = NULL;
    assert_true(ecgrid_split_field_message("password: must be long", &field, &message));
    assert_string_equal(field, "password");
    assert_string_equal(message, "must be long");
    g_free(field);
    g_free(message);
    static const char *const not_fields[] = {
        "login:x", ": x", "two words: x", "login: ", "1abc: x", "The object already exists.", ""};
    for (size_t i = 0; i < G_N_ELEMENTS(not_fields); i++)
        assert_false(ecgrid_split_field_message(not_fields[i], &field, &message));
    char *long_name = g_strnfill(200, 'a');
    char *text = g_strconcat(long_name, ": x", NULL);
    assert_false(ecgrid_split_field_message(text, &field, &message));
    g_free(text);
    g_free(long_name);
}

/* ---- the operation table -------------------------------------------------------------- */

static void test_operation_table(void **state)
{
    (void)state;
    const struct vendor_ops *vendor = vendor_by_name("ecgrid");
    assert_ptr_equal(vendor, &ecgrid_vendor);
    assert_ptr_equal(vendor_by_id(CONFIG_VENDOR_ECGRID), &ecgrid_vendor);
    assert_string_equal(vendor->title, "ECGrid");
    assert_string_equal(vendor->portal_noun, "mailbox id");
    assert_string_equal(vendor->default_url, "https://rest.ecgrid.io");
    assert_int_equal(vendor->auth->credential_kinds[0], SECRET_KIND_API_KEY);
    assert_int_equal(vendor->auth->credential_kinds[1], -1);
    assert_null(vendor->auth->refresh);
    static const enum vendor_op expected[] = {
        VOP_WHOAMI,     VOP_LIST_PORTALS, VOP_GET_PORTAL,     VOP_CREATE_PORTAL,
        VOP_LIST_USERS, VOP_GET_USER,     VOP_CREATE_USER,    VOP_UPDATE_USER,
        VOP_SET_ROLE,   VOP_SET_PASSWORD, VOP_RESET_SESSIONS, VOP_REMOVE_USER,
    };
    assert_int_equal(vendor->operation_count, G_N_ELEMENTS(expected));
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        const struct vendor_operation *op = vendor_find_operation(vendor, expected[i]);
        assert_non_null(op);
        assert_non_null(op->help);
        assert_int_equal(op->destructive, expected[i] == VOP_REMOVE_USER);
        assert_false(op->needs_portal && expected[i] != VOP_GET_PORTAL);
        char *problem = NULL;
        if (op->form && !form_spec_check(op->form, &problem))
            fail_msg("%s: %s", vendor_op_name(expected[i]), problem);
    }
    assert_null(vendor_find_operation(vendor, VOP_INVITE_USERS));
    assert_null(vendor_find_operation(vendor, VOP_DELETE_PORTAL));
    assert_false(vendor_find_operation(vendor, VOP_LIST_USERS)->needs_portal);
    assert_true(vendor_find_operation(vendor, VOP_CREATE_USER)->changes);
    assert_false(vendor_find_operation(vendor, VOP_GET_USER)->changes);
}

static void test_auth_failure_is_401_only(void **state)
{
    (void)state;
    struct net_response res = {.body = ""};
    res.status = 401;
    assert_true(ecgrid_vendor.auth->is_auth_failure(&res));
    res.status = 403;
    assert_false(ecgrid_vendor.auth->is_auth_failure(&res));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_create_user_response),
        cmocka_unit_test(test_seed_create_portal_response),
        cmocka_unit_test(test_body_from_form_is_the_seed_request),
        cmocka_unit_test(test_body_from_form_escapes_and_skips),
        cmocka_unit_test(test_users_me_contract_shape),
        cmocka_unit_test(test_users_list_tolerated_variants),
        cmocka_unit_test(test_users_list_wrapped_and_empty),
        cmocka_unit_test(test_users_by_login_matches_exactly_ignoring_case),
        cmocka_unit_test(test_mailbox_page_and_portal_rows),
        cmocka_unit_test(test_mailbox_page_bare_array),
        cmocka_unit_test(test_confirmations),
        cmocka_unit_test(test_enum_numbers_become_names),
        cmocka_unit_test(test_parse_id),
        cmocka_unit_test(test_401_with_any_body_is_auth),
        cmocka_unit_test(test_invalid_parameter_lands_on_its_field),
        cmocka_unit_test(test_duplicate_lands_on_the_duplicate_field),
        cmocka_unit_test(test_refusals_by_status),
        cmocka_unit_test(test_unreadable_success_is_bad_response),
        cmocka_unit_test(test_unreadable_answer_says_whether_anything_changed),
        cmocka_unit_test(test_deep_nesting_is_bad_response),
        cmocka_unit_test(test_wrong_types_are_refused_or_tolerated),
        cmocka_unit_test(test_bad_list_entries_add_nothing),
        cmocka_unit_test(test_missing_fields_and_huge_values),
        cmocka_unit_test(test_server_text_is_sanitized_and_bounded),
        cmocka_unit_test(test_split_field_message),
        cmocka_unit_test(test_operation_table),
        cmocka_unit_test(test_auth_failure_is_401_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
