/*
 * Valstorm adapter, the pure half: answers read from fixture files
 * (tests/fixtures/valstorm/answer-*, error-*, hostile-*: the contract's
 * shapes, FastAPI's validation errors with several rows, detail as a string
 * and as a list, and hostile answers) into records and errors, request
 * bodies built from form values, and the operation table. No network here;
 * tests/unit/test_valstorm_live.c runs the adapter against portal-sim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <portalctl/json_read.h>
#include <portalctl/valstorm_auth.h>
#include <portalctl/valstorm_parse.h>
#include <portalctl/vendor.h>
#include <portalctl/vendor_fields.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fixture.h"
#include <json-c/json.h>

/* ---- helpers ---------------------------------------------------------------- */

static const struct valstorm_error_context plain_context = {
    .connection = "acme-valstorm",
    .action = "do the test",
    .portal_id = "portal_3kT9xQ2mZ7",
    .user_id = "user_8Hq2LrT0aV",
};

/* Reads a fixture as a refusal with this status. */
static void read_error_fixture(const char *name, long status,
                               const struct valstorm_error_context *context,
                               struct api_error *error)
{
    size_t len = 0;
    char *text = fixture_read("valstorm", name, &len);
    api_error_init(error);
    valstorm_read_error(status, text, len, context, error);
    assert_non_null(error->message);
    assert_int_equal(error->http_status, status);
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

static size_t field_count(const struct api_error *error)
{
    return error->fields ? error->fields->len : 0;
}

static const struct api_field_error *field_at(const struct api_error *error, guint i)
{
    assert_true(i < field_count(error));
    return g_ptr_array_index(error->fields, i);
}

/* No raw control character, escape or bidirectional override survives. */
static void assert_displayable(const char *text)
{
    assert_non_null(text);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f);
    assert_null(strstr(text, "\xe2\x80\xae")); /* U+202E */
}

/* ---- errors: 422 validation errors ------------------------------------------------ */

static void test_422_rows_map_through_the_batch(void **state)
{
    (void)state;
    /* The batch carried rows 100..109 of the whole request. */
    int row_map[10];
    for (int i = 0; i < 10; i++)
        row_map[i] = 100 + i;
    struct valstorm_error_context context = plain_context;
    context.action = "invite the users";
    context.row_map = row_map;
    context.row_count = G_N_ELEMENTS(row_map);
    struct api_error error;
    read_error_fixture("error-422-rows.json", 422, &context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_string_equal(error.code, "value_error");
    assert_int_equal(field_count(&error), 4);
    assert_string_equal(api_error_field_message(&error, "email", 102),
                        "value is not a valid email address: An email address must have an "
                        "@-sign.");
    assert_string_equal(api_error_field_message(&error, "first_name", 105),
                        "String should have at most 100 characters");
    assert_string_equal(api_error_field_message(&error, "email", 107), "Field required");
    /* The row itself (not an object): the row, no field. */
    assert_non_null(api_error_field_message(&error, NULL, 108));
    assert_null(api_error_field_message(&error, "email", 2));
    /* The message says which rows, 1-based, and how many more there are. */
    assert_non_null(strstr(error.message, "could not invite the users"));
    assert_non_null(strstr(error.message, "email (row 103)"));
    assert_non_null(strstr(error.message, "and 1 more"));
    api_error_clear(&error);
}

static void test_422_rows_without_a_map_are_direct(void **state)
{
    (void)state;
    struct api_error error;
    read_error_fixture("error-422-rows.json", 422, &plain_context, &error);
    assert_non_null(api_error_field_message(&error, "email", 2));
    assert_non_null(api_error_field_message(&error, "first_name", 5));
    api_error_clear(&error);
}

static void test_422_fields_and_whole_body(void **state)
{
    (void)state;
    struct api_error error;
    read_error_fixture("error-422-fields.json", 422, &plain_context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_string_equal(error.code, "missing");
    assert_string_equal(api_error_field_message(&error, "name", -1), "Field required");
    assert_non_null(api_error_field_message(&error, "custom_domain", -1));
    api_error_clear(&error);

    read_error_fixture("error-422-body.json", 422, &plain_context, &error);
    assert_int_equal(field_count(&error), 1);
    assert_null(field_at(&error, 0)->field);
    assert_int_equal(field_at(&error, 0)->row, -1);
    assert_string_equal(field_at(&error, 0)->message,
                        "Value error, at least one of name or custom_domain is required");
    api_error_clear(&error);
}

static void test_422_detail_as_a_string(void **state)
{
    (void)state;
    struct api_error error;
    read_error_fixture("error-422-string.json", 422, &plain_context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_int_equal(field_count(&error), 0);
    assert_non_null(strstr(error.message, "Unprocessable request"));
    api_error_clear(&error);
}

static void test_422_hostile_locations(void **state)
{
    (void)state;
    int row_map[] = {10, 11, 12};
    struct valstorm_error_context context = plain_context;
    context.row_map = row_map;
    context.row_count = G_N_ELEMENTS(row_map);
    struct api_error error;
    read_error_fixture("hostile-422-odd-loc.json", 422, &context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_null(error.code);
    assert_int_equal(field_count(&error), 8);
    /* A loc that is not a list, an index out of range or of the wrong type:
     * never a row outside the request. */
    for (guint i = 0; i < field_count(&error); i++) {
        const struct api_field_error *field = field_at(&error, i);
        assert_true(field->row == -1 || field->row == 11);
        assert_displayable(field->message);
        if (field->field)
            assert_true(strcmp(field->field, "users") == 0 || strcmp(field->field, "email") == 0);
    }
    assert_null(field_at(&error, 0)->field);
    assert_string_equal(field_at(&error, 1)->field, "users");
    assert_string_equal(field_at(&error, 4)->message, "42");
    assert_string_equal(field_at(&error, 5)->message, "is not valid");
    const char *red = api_error_field_message(&error, "email", 11);
    assert_non_null(red);
    assert_non_null(strstr(red, "\\e[31mred"));
    assert_displayable(error.message);
    api_error_clear(&error);
}

/* ---- errors: detail as a string, status only ------------------------------------------ */

static void test_string_details(void **state)
{
    (void)state;
    struct api_error error;
    read_error_fixture("error-401.json", 401, &plain_context, &error);
    assert_int_equal(error.kind, API_AUTH);
    assert_non_null(strstr(error.message, "Could not validate credentials"));
    assert_non_null(strstr(error.message, "portalctl auth set acme-valstorm"));
    assert_non_null(strstr(error.message, "portalctl auth login acme-valstorm"));
    api_error_clear(&error);

    read_error_fixture("error-403.json", 403, &plain_context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_non_null(strstr(error.message, "Only production organization administrators"));
    assert_non_null(strstr(error.message, "administrator"));
    api_error_clear(&error);

    read_error_fixture("error-404-portal.json", 404, &plain_context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_non_null(strstr(error.message, "no portal portal_3kT9xQ2mZ7"));
    assert_non_null(strstr(error.message, "deleted elsewhere"));
    api_error_clear(&error);

    read_error_fixture("error-404-user.json", 404, &plain_context, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_non_null(strstr(error.message, "no user user_8Hq2LrT0aV"));
    api_error_clear(&error);

    struct valstorm_error_context login = plain_context;
    login.auth_advice = "type the newest code";
    read_error_fixture("error-401-2fa.json", 401, &login, &error);
    assert_int_equal(error.kind, API_AUTH);
    assert_non_null(strstr(error.message, "Invalid 2FA code"));
    assert_non_null(strstr(error.message, "type the newest code"));
    api_error_clear(&error);
}

static void test_status_only_answers(void **state)
{
    (void)state;
    struct api_error error;
    read_error_fixture("error-502.html", 502, &plain_context, &error);
    assert_int_equal(error.kind, API_NETWORK);
    assert_non_null(strstr(error.message, "HTTP 502"));
    assert_null(strstr(error.message, "<html>"));
    api_error_clear(&error);

    api_error_init(&error);
    valstorm_read_error(429, "", 0, &plain_context, &error);
    assert_int_equal(error.kind, API_NETWORK);
    api_error_clear(&error);

    api_error_init(&error);
    const char *parse_error = "{\"detail\":\"There was an error parsing the body\"}";
    valstorm_read_error(400, parse_error, strlen(parse_error), NULL, &error);
    assert_int_equal(error.kind, API_REFUSED);
    assert_non_null(strstr(error.message, "could not do that"));
    api_error_clear(&error);

    api_error_init(&error);
    valstorm_read_error(302, NULL, 0, &plain_context, &error);
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
}

static void test_server_text_is_sanitized_and_bounded(void **state)
{
    (void)state;
    struct api_error error;
    read_error_fixture("hostile-control-chars.json", 404, &plain_context, &error);
    assert_displayable(error.message);
    api_error_clear(&error);

    GString *body = g_string_new("{\"detail\":\"");
    for (int i = 0; i < 200000; i++)
        g_string_append_c(body, 'x');
    g_string_append(body, "\"}");
    api_error_init(&error);
    valstorm_read_error(403, body->str, body->len, &plain_context, &error);
    assert_true(strlen(error.message) < 2000);
    api_error_clear(&error);
    g_string_free(body, TRUE);
}

static void test_detail_text(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("valstorm", "error-404-portal.json", &len);
    char *detail = valstorm_detail_text(text, len);
    assert_string_equal(detail, VALSTORM_PORTAL_NOT_FOUND);
    g_free(detail);
    g_free(text);
    text = fixture_read("valstorm", "error-422-rows.json", &len);
    assert_null(valstorm_detail_text(text, len));
    g_free(text);
    assert_null(valstorm_detail_text("<html>", 6));
}

/* ---- portals ----------------------------------------------------------------------------- */

static void test_parse_portal(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-portal.json", &len);
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(valstorm_parse_portal(text, len, "created", &list, &error));
    assert_int_equal(list.count, 1);
    const struct record *record = &list.items[0];
    assert_string_equal(record_get(record, RECORD_ID), "portal_3kT9xQ2mZ7");
    assert_string_equal(record_get(record, RECORD_NAME), "Customer Hub");
    assert_string_equal(record_get(record, RECORD_URL), "help.acme.com");
    assert_string_equal(record_get(record, RECORD_STATUS), "created");
    assert_string_equal(record_get(record, RECORD_CREATED), "2026-05-07T09:00:00Z");
    assert_string_equal(extra(&list, record, "organization_id"), "org_sim");
    assert_string_equal(extra(&list, record, "theme.colour"), "#0a0");
    assert_string_equal(extra(&list, record, "theme.logo"), "null");
    assert_string_equal(extra(&list, record, "feature_flags[1]"), "csv");
    record_list_clear(&list);
    g_free(text);

    text = fixture_read("valstorm", "answer-portal-minimal.json", &len);
    assert_true(valstorm_parse_portal(text, len, "updated", &list, &error));
    assert_string_equal(record_get(&list.items[0], RECORD_ID), "portal_min0001");
    assert_null(record_get(&list.items[0], RECORD_NAME));
    assert_null(record_get(&list.items[0], RECORD_URL));
    record_list_clear(&list);
    g_free(text);
    assert_int_equal(error.kind, API_OK);
}

static void test_parse_portal_hostile(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"name\":\"no id\"}",
        "{\"id\":\"\"}",
        "{\"id\":42}",
        "[{\"id\":\"portal_1\"}]",
        "not json",
        "{\"id\":\"portal_1\"",
        "",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
        struct record_list list;
        record_list_init(&list);
        struct api_error error;
        api_error_init(&error);
        assert_false(valstorm_parse_portal(bodies[i], strlen(bodies[i]), "created", &list, &error));
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        assert_int_equal(list.count, 0);
        api_error_clear(&error);
        record_list_clear(&list);
    }
}

/* ---- users --------------------------------------------------------------------------------- */

static void test_parse_users(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-users.json", &len);
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(valstorm_parse_users(text, len, NULL, &list, &error));
    assert_int_equal(list.count, 3);
    const struct record *ann = &list.items[0];
    assert_string_equal(record_get(ann, RECORD_ID), "user_8Hq2LrT0aV");
    assert_string_equal(record_get(ann, RECORD_EMAIL), "ann@example.com");
    assert_string_equal(record_get(ann, RECORD_NAME), "Ann Lee");
    assert_string_equal(record_get(ann, RECORD_STATUS), "active");
    assert_string_equal(record_get(ann, RECORD_CREATED), "2026-05-07T09:05:00Z");
    assert_string_equal(extra(&list, ann, "portal_id"), "portal_3kT9xQ2mZ7");
    assert_string_equal(extra(&list, ann, "is_portal_user"), "true");
    /* name null: first and last name; is_active false; nested extras. */
    const struct record *bo = &list.items[1];
    assert_string_equal(record_get(bo, RECORD_NAME), "Bo");
    assert_string_equal(record_get(bo, RECORD_STATUS), "inactive");
    assert_string_equal(extra(&list, bo, "last_login.ip"), "192.0.2.7");
    /* Missing optional fields: the e-mail stands in for the name. */
    const struct record *carol = &list.items[2];
    assert_string_equal(record_get(carol, RECORD_NAME), "carol@example.com");
    assert_null(record_get(carol, RECORD_STATUS));
    assert_null(record_get(carol, RECORD_CREATED));
    record_list_clear(&list);

    /* A filter keeps matches of e-mail or name, ignoring case. */
    assert_true(valstorm_parse_users(text, len, "EXAMPLE.COM", &list, &error));
    assert_int_equal(list.count, 3);
    record_list_clear(&list);
    assert_true(valstorm_parse_users(text, len, "bo@ex", &list, &error));
    assert_int_equal(list.count, 1);
    assert_string_equal(record_get(&list.items[0], RECORD_ID), "user_Bo00000001");
    record_list_clear(&list);
    assert_true(valstorm_parse_users(text, len, "nobody", &list, &error));
    assert_int_equal(list.count, 0);
    record_list_clear(&list);
    g_free(text);

    text = fixture_read("valstorm", "answer-users-empty.json", &len);
    assert_true(valstorm_parse_users(text, len, NULL, &list, &error));
    assert_int_equal(list.count, 0);
    record_list_clear(&list);
    g_free(text);
    assert_int_equal(error.kind, API_OK);
}

static void test_parse_users_hostile(void **state)
{
    (void)state;
    char **names = fixture_valstorm_bad_user_lists();
    for (char **name = names; *name; name++) {
        size_t len = 0;
        char *text = fixture_read("valstorm", *name, &len);
        struct record_list list;
        record_list_init(&list);
        struct api_error error;
        api_error_init(&error);
        if (valstorm_parse_users(text, len, NULL, &list, &error))
            fail_msg("%s was accepted", *name);
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        assert_int_equal(list.count, 0);
        assert_int_equal(list.extra_count, 0);
        assert_displayable(error.message);
        api_error_clear(&error);
        record_list_clear(&list);
        g_free(text);
    }
    g_strfreev(names);
}

static void test_parse_users_deep_and_huge(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    /* Nesting far deeper than the reader allows, inside one entry. */
    GString *deep = g_string_new("[{\"id\":\"user_1\",\"email\":\"a@example.com\",\"x\":");
    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, '[');
    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, ']');
    g_string_append(deep, "}]");
    api_error_init(&error);
    assert_false(valstorm_parse_users(deep->str, deep->len, NULL, &list, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    g_string_free(deep, TRUE);

    /* A huge string is kept, not a crash. */
    GString *huge = g_string_new("[{\"id\":\"user_1\",\"email\":\"a@example.com\",\"name\":\"");
    for (int i = 0; i < 4 * 1024 * 1024; i++)
        g_string_append_c(huge, 'n');
    g_string_append(huge, "\"}]");
    api_error_init(&error);
    assert_true(valstorm_parse_users(huge->str, huge->len, NULL, &list, &error));
    assert_int_equal(strlen(record_get(&list.items[0], RECORD_NAME)), 4 * 1024 * 1024);
    api_error_clear(&error);
    record_list_clear(&list);
    g_string_free(huge, TRUE);
}

static void test_parse_many_users(void **state)
{
    (void)state;
    /* 100,000 users, as the biggest portals have: read one entry at a time. */
    GString *body = g_string_new("[");
    for (int i = 0; i < 100000; i++)
        g_string_append_printf(body,
                               "%s{\"id\":\"user_%07d\",\"email\":\"u%d@example.com\",\"first_"
                               "name\":\"U\",\"last_name\":\"%d\",\"name\":\"U %d\",\"is_active\":"
                               "true,\"is_portal_user\":true,\"portal_id\":\"portal_demo1\","
                               "\"created_date\":\"2026-05-07T09:05:00Z\"}",
                               i ? "," : "", i, i, i, i);
    g_string_append_c(body, ']');
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    /* Speed is measured by the benchmarks (docs/PERFORMANCE.md), not here. */
    assert_true(valstorm_parse_users(body->str, body->len, NULL, &list, &error));
    assert_int_equal(list.count, 100000);
    assert_string_equal(record_get(&list.items[99999], RECORD_EMAIL), "u99999@example.com");
    assert_string_equal(record_get(&list.items[99999], RECORD_NAME), "U 99999");

    GHashTable *emails = valstorm_parse_member_emails(body->str, body->len, &error);
    assert_non_null(emails);
    assert_int_equal(g_hash_table_size(emails), 100000);
    assert_true(g_hash_table_contains(emails, "u4242@example.com"));
    g_hash_table_unref(emails);
    record_list_clear(&list);
    g_string_free(body, TRUE);
}

static void test_member_emails(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-users.json", &len);
    struct api_error error;
    api_error_init(&error);
    GHashTable *emails = valstorm_parse_member_emails(text, len, &error);
    assert_non_null(emails);
    assert_int_equal(g_hash_table_size(emails), 3);
    assert_true(g_hash_table_contains(emails, "bo@example.com")); /* lower-cased */
    g_hash_table_unref(emails);
    g_free(text);
    text = fixture_read("valstorm", "hostile-users-truncated.json", &len);
    assert_null(valstorm_parse_member_emails(text, len, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    g_free(text);
}

/* ---- the invite answer ------------------------------------------------------------------- */

static void test_parse_invite(void **state)
{
    (void)state;
    static const char *const emails[] = {
        "ann@example.com", " Carol@Example.com ", "bo@example.com",  "dup@example.com",
        "DUP@example.com", "eve@example.com",     "zed@example.com",
    };
    size_t n = G_N_ELEMENTS(emails);
    struct valstorm_row_outcome outcomes[G_N_ELEMENTS(emails)];
    memset(outcomes, 0, sizeof(outcomes));
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-invite.json", &len);
    struct api_error error;
    api_error_init(&error);
    assert_true(valstorm_parse_invite(text, len, emails, n, outcomes, &error));
    assert_int_equal(outcomes[0].status, VALSTORM_ROW_INVITED);
    assert_string_equal(json_object_get_string(json_object_object_get(outcomes[0].user, "id")),
                        "user_ann0000001");
    assert_int_equal(outcomes[1].status, VALSTORM_ROW_LINKED);
    assert_int_equal(outcomes[2].status, VALSTORM_ROW_ALREADY);
    assert_string_equal(outcomes[2].detail, VALSTORM_ALREADY_MEMBER);
    /* The same address twice: the first row invited, the second already in. */
    assert_int_equal(outcomes[3].status, VALSTORM_ROW_INVITED);
    assert_int_equal(outcomes[4].status, VALSTORM_ROW_ALREADY);
    assert_int_equal(outcomes[5].status, VALSTORM_ROW_FAILED);
    assert_string_equal(outcomes[5].detail, "Account is suspended");
    assert_int_equal(outcomes[6].status, VALSTORM_ROW_UNKNOWN);
    assert_string_equal(valstorm_row_status_name(outcomes[2].status), "already a member");
    for (size_t i = 0; i < n; i++)
        valstorm_row_outcome_clear(&outcomes[i]);
    g_free(text);

    /* Entries without an id or not objects leave their rows unknown. */
    static const char *const partial[] = {"ann@example.com", "noid@example.com"};
    struct valstorm_row_outcome two[2];
    memset(two, 0, sizeof(two));
    text = fixture_read("valstorm", "answer-invite-partial.json", &len);
    assert_true(valstorm_parse_invite(text, len, partial, 2, two, &error));
    assert_int_equal(two[0].status, VALSTORM_ROW_INVITED);
    assert_int_equal(two[1].status, VALSTORM_ROW_UNKNOWN);
    valstorm_row_outcome_clear(&two[0]);
    valstorm_row_outcome_clear(&two[1]);
    g_free(text);
    assert_int_equal(error.kind, API_OK);
}

static void test_parse_invite_hostile(void **state)
{
    (void)state;
    static const char *const names[] = {"hostile-invite-wrong-types.json",
                                        "hostile-invite-root-array.json", "error-502.html",
                                        "hostile-users-truncated.json"};
    static const char *const emails[] = {"a@example.com"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        struct valstorm_row_outcome outcome;
        memset(&outcome, 0, sizeof(outcome));
        size_t len = 0;
        char *text = fixture_read("valstorm", names[i], &len);
        struct api_error error;
        api_error_init(&error);
        assert_false(valstorm_parse_invite(text, len, emails, 1, &outcome, &error));
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        assert_int_equal(outcome.status, VALSTORM_ROW_UNKNOWN);
        api_error_clear(&error);
        g_free(text);
    }
}

/* ---- tokens ------------------------------------------------------------------------------- */

static void test_token_answers(void **state)
{
    (void)state;
    struct valstorm_token_answer answer;
    struct api_error error;
    api_error_init(&error);
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-token.json", &len);
    assert_true(valstorm_parse_token_answer(200, text, len, &plain_context, &answer, &error));
    assert_string_equal(answer.access_token, "tok-access-1");
    assert_string_equal(answer.refresh_token, "tok-refresh-1");
    assert_false(answer.two_fa_required);
    valstorm_token_answer_clear(&answer);
    g_free(text);

    text = fixture_read("valstorm", "answer-token-no-refresh.json", &len);
    assert_true(valstorm_parse_token_answer(200, text, len, &plain_context, &answer, &error));
    assert_null(answer.refresh_token);
    valstorm_token_answer_clear(&answer);
    g_free(text);

    text = fixture_read("valstorm", "answer-token-2fa.json", &len);
    assert_true(valstorm_parse_token_answer(200, text, len, &plain_context, &answer, &error));
    assert_true(answer.two_fa_required);
    assert_null(answer.access_token);
    assert_string_equal(answer.email, "admin@sim.example");
    valstorm_token_answer_clear(&answer);
    g_free(text);
    assert_int_equal(error.kind, API_OK);

    text = fixture_read("valstorm", "hostile-token-empty.json", &len);
    assert_false(valstorm_parse_token_answer(200, text, len, &plain_context, &answer, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    assert_null(answer.access_token);
    api_error_clear(&error);
    g_free(text);

    text = fixture_read("valstorm", "error-401-2fa.json", &len);
    assert_false(valstorm_parse_token_answer(401, text, len, &plain_context, &answer, &error));
    assert_int_equal(error.kind, API_AUTH);
    assert_non_null(strstr(error.message, "Invalid 2FA code"));
    api_error_clear(&error);
    g_free(text);
}

/* ---- request bodies ---------------------------------------------------------------------- */

static void test_form_body(void **state)
{
    (void)state;
    struct form_values *values = form_values_new();
    form_values_set(values, "name", "Partner \"Hub\"");
    char *body = valstorm_form_body(&valstorm_create_portal_form, values);
    assert_string_equal(body, "{\"name\":\"Partner \\\"Hub\\\"\"}");
    g_free(body);
    form_values_set(values, "custom_domain", "help.acme.com");
    body = valstorm_form_body(&valstorm_create_portal_form, values);
    assert_string_equal(body, "{\"name\":\"Partner \\\"Hub\\\"\",\"custom_domain\":\"help.acme."
                              "com\"}");
    json_object *parsed = json_read_parse(body, strlen(body));
    assert_non_null(parsed);
    json_object_put(parsed);
    g_free(body);
    form_values_free(values);
}

static void test_invite_body(void **state)
{
    (void)state;
    struct form_values *rows[3];
    for (int i = 0; i < 3; i++)
        rows[i] = form_values_new();
    form_values_set(rows[0], "email", "ann@example.com");
    form_values_set(rows[0], "first_name", "Ann");
    form_values_set(rows[0], "last_name", "Lee");
    form_values_set(rows[1], "email", "bo@example.com");
    form_values_set(rows[2], "last_name", "Zoë");
    form_values_set(rows[2], "email", "zoe@example.com");
    const int indices[] = {2, 0};
    char *body = valstorm_invite_body(rows, indices, 2);
    assert_string_equal(body, "{\"users\":[{\"email\":\"zoe@example.com\",\"last_name\":\"Zoë\"},"
                              "{\"email\":\"ann@example.com\",\"first_name\":\"Ann\",\"last_"
                              "name\":\"Lee\"}]}");
    g_free(body);
    for (int i = 0; i < 3; i++)
        form_values_free(rows[i]);
}

static void test_form_encode(void **state)
{
    (void)state;
    const char *const pairs[] = {"grant_type", "password",       "username", "admin@sim.example",
                                 "password",   "Pa ss&w=0rd!/%", NULL};
    char *text = valstorm_form_encode(pairs);
    assert_string_equal(text, "grant_type=password&username=admin%40sim.example&password=Pa%"
                              "20ss%26w%3D0rd%21%2F%25");
    g_free(text);
}

/* ---- the operation table ----------------------------------------------------------------- */

static void test_operation_table(void **state)
{
    (void)state;
    const struct vendor_ops *vendor = vendor_by_name("valstorm");
    assert_ptr_equal(vendor, &valstorm_vendor);
    assert_ptr_equal(vendor_by_id(CONFIG_VENDOR_VALSTORM), &valstorm_vendor);
    assert_string_equal(vendor->title, "Valstorm");
    assert_string_equal(vendor->portal_noun, "portal id");
    assert_string_equal(vendor->default_url, "https://api.valstorm.com");
    assert_true(vendor->local_portal_list);
    assert_ptr_equal(vendor->auth, &valstorm_auth_ops);
    static const enum vendor_op offered[] = {
        VOP_WHOAMI,        VOP_LIST_PORTALS, VOP_GET_PORTAL,   VOP_CREATE_PORTAL, VOP_UPDATE_PORTAL,
        VOP_DELETE_PORTAL, VOP_LIST_USERS,   VOP_INVITE_USERS, VOP_REMOVE_USER,
    };
    assert_int_equal(vendor->operation_count, G_N_ELEMENTS(offered));
    for (size_t i = 0; i < G_N_ELEMENTS(offered); i++) {
        const struct vendor_operation *op = vendor_find_operation(vendor, offered[i]);
        assert_non_null(op);
        assert_non_null(op->help);
        if (op->form) {
            char *problem = NULL;
            if (!form_spec_check(op->form, &problem))
                fail_msg("%s: %s", op->form->id, problem);
        }
    }
    assert_null(vendor_find_operation(vendor, VOP_SET_PASSWORD));
    assert_true(vendor_find_operation(vendor, VOP_DELETE_PORTAL)->destructive);
    assert_true(vendor_find_operation(vendor, VOP_REMOVE_USER)->destructive);
    assert_true(vendor_find_operation(vendor, VOP_REMOVE_USER)->needs_target);
    assert_true(vendor_find_operation(vendor, VOP_INVITE_USERS)->needs_portal);
    assert_false(vendor_find_operation(vendor, VOP_LIST_PORTALS)->changes);
    assert_ptr_equal(vendor_find_operation(vendor, VOP_CREATE_PORTAL)->form,
                     &valstorm_create_portal_form);
}

static void test_auth_failure_is_401_only(void **state)
{
    (void)state;
    struct net_response res;
    memset(&res, 0, sizeof(res));
    res.body = "";
    res.status = 401;
    assert_true(valstorm_auth_ops.is_auth_failure(&res));
    res.status = 403;
    assert_false(valstorm_auth_ops.is_auth_failure(&res));
    res.status = 404;
    assert_false(valstorm_auth_ops.is_auth_failure(&res));
    assert_non_null(valstorm_auth_ops.refresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_422_rows_map_through_the_batch),
        cmocka_unit_test(test_422_rows_without_a_map_are_direct),
        cmocka_unit_test(test_422_fields_and_whole_body),
        cmocka_unit_test(test_422_detail_as_a_string),
        cmocka_unit_test(test_422_hostile_locations),
        cmocka_unit_test(test_string_details),
        cmocka_unit_test(test_status_only_answers),
        cmocka_unit_test(test_server_text_is_sanitized_and_bounded),
        cmocka_unit_test(test_detail_text),
        cmocka_unit_test(test_parse_portal),
        cmocka_unit_test(test_parse_portal_hostile),
        cmocka_unit_test(test_parse_users),
        cmocka_unit_test(test_parse_users_hostile),
        cmocka_unit_test(test_parse_users_deep_and_huge),
        cmocka_unit_test(test_parse_many_users),
        cmocka_unit_test(test_member_emails),
        cmocka_unit_test(test_parse_invite),
        cmocka_unit_test(test_parse_invite_hostile),
        cmocka_unit_test(test_token_answers),
        cmocka_unit_test(test_form_body),
        cmocka_unit_test(test_invite_body),
        cmocka_unit_test(test_form_encode),
        cmocka_unit_test(test_operation_table),
        cmocka_unit_test(test_auth_failure_is_401_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
