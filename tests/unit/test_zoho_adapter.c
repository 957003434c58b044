/*
 * The Zoho adapter's pure parts, with fixture files (tests/fixtures/zoho/,
 * the seed's and the contract's samples plus odd and hostile shapes): the
 * data-centre table, outcomes and error mapping, portals, user types, users,
 * contact search, bulk jobs, OAuth answers, request bodies, and the
 * operation table. Nothing here talks to a network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include <portalctl/config.h>
#include <portalctl/form.h>
#include <portalctl/vendor.h>
#include <portalctl/vendor_fields.h>
#include <portalctl/zoho_parse.h>

/* ---- helpers ------------------------------------------------------------------ */

struct fixture {
    char *text;
    size_t len;
};

static struct fixture load(const char *name)
{
    const char *dir = getenv("PORTALCTL_FIXTURES");
    assert_non_null(dir);
    char *path = g_build_filename(dir, "zoho", name, NULL);
    struct fixture f = {0};
    if (!g_file_get_contents(path, &f.text, &f.len, NULL))
        fail_msg("cannot read fixture %s", path);
    g_free(path);
    return f;
}

static void unload(struct fixture *f)
{
    g_free(f->text);
}

static const struct zoho_oauth_context refresh_ctx = {ZOHO_GRANT_REFRESH, "acme-zoho",
                                                      "1000.CLIENT"};
static const struct zoho_oauth_context code_ctx = {ZOHO_GRANT_CODE, "acme-zoho", "1000.CLIENT"};
static const struct zoho_oauth_context device_ctx = {ZOHO_GRANT_DEVICE, "acme-zoho", "1000.CLIENT"};

static void assert_contains(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        fail_msg("\"%s\" does not contain \"%s\"", text ? text : "(null)", part);
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

/* The outcomes of a fixture answered with http_status. */
static GPtrArray *outcomes_of(const char *name, long http_status, const char *key)
{
    struct fixture f = load(name);
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    struct api_error error;
    api_error_init(&error);
    assert_true(zoho_parse_outcomes(http_status, f.text, f.len, key, outcomes, &error));
    api_error_clear(&error);
    unload(&f);
    return outcomes;
}

/* ---- data centres ------------------------------------------------------------------ */

static void test_every_config_data_centre_has_hosts(void **state)
{
    (void)state;
    for (size_t i = 0; config_data_centres[i]; i++) {
        const struct zoho_data_centre *dc = zoho_data_centre_find(config_data_centres[i]);
        if (!dc)
            fail_msg("data centre %s has no hosts", config_data_centres[i]);
        assert_true(g_str_has_prefix(dc->accounts, "https://accounts.zoho"));
        assert_true(g_str_has_prefix(dc->api, "https://www.zohoapis."));
    }
    assert_string_equal(zoho_data_centre_find(NULL)->name, "com");
    assert_string_equal(zoho_data_centre_find("ca")->accounts, "https://accounts.zohocloud.ca");
    assert_null(zoho_data_centre_find("mars"));
}

static void test_default_base_follows_data_centre(void **state)
{
    (void)state;
    struct connection_config *config = connection_config_new("acme", CONFIG_VENDOR_ZOHO);
    char *api = zoho_vendor.default_base(config, false);
    char *accounts = zoho_vendor.default_base(config, true);
    assert_string_equal(api, "https://www.zohoapis.com");
    assert_string_equal(api, zoho_vendor.default_url);
    assert_string_equal(accounts, "https://accounts.zoho.com");
    g_free(api);
    g_free(accounts);
    config->data_centre = g_strdup("eu");
    api = zoho_vendor.default_base(config, false);
    accounts = zoho_vendor.default_base(config, true);
    assert_string_equal(api, "https://www.zohoapis.eu");
    assert_string_equal(accounts, "https://accounts.zoho.eu");
    g_free(api);
    g_free(accounts);
    connection_config_free(config);
}

/* ---- outcomes and errors ------------------------------------------------------------- */

static void test_seed_create_answer(void **state)
{
    (void)state;
    GPtrArray *outcomes = outcomes_of("create-portal-response.json", 200, "portals");
    assert_int_equal(outcomes->len, 1);
    const struct zoho_outcome *o = g_ptr_array_index(outcomes, 0);
    assert_true(o->success);
    assert_string_equal(o->code, "SUCCESS");
    assert_string_equal(o->id, "PortalsAPItest100");
    assert_string_equal(o->message, "Portal created successfully with given name.");
    g_ptr_array_unref(outcomes);
}

/* zoho.md §4: every create error, nested or bare, lands where it should. */
static void test_create_errors(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        long status;
        const char *code;
        enum api_error_kind kind;
        const char *field;        /* NULL: no field error */
        const char *field_text;   /* part of the field's message */
        const char *message_text; /* part of the error's message */
    } cases[] = {
        {"create-mandatory-not-found.json", 400, "MANDATORY_NOT_FOUND", API_REFUSED, "name",
         "required field not found", "create the portal"},
        {"create-too-short.json", 400, "INVALID_DATA", API_REFUSED, "name", "at least 6", ""},
        {"create-too-long.json", 400, "INVALID_DATA", API_REFUSED, "name", "at most 30", ""},
        {"create-pattern-not-matched.json", 400, "PATTERN_NOT_MATCHED", API_REFUSED, "name",
         "special characters", ""},
        {"create-already-used.json", 400, "ALREADY_USED", API_REFUSED, "name", "already in use",
         "choose another name"},
        {"no-permission.json", 403, "NO_PERMISSION", API_REFUSED, NULL, NULL,
         "Crm_Implied_Manage_ClientPortal"},
        {"invalid-token.json", 401, "INVALID_TOKEN", API_AUTH, NULL, NULL, "auth grant"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct fixture f = load(cases[i].file);
        struct api_error error;
        api_error_init(&error);
        zoho_error_from_answer(cases[i].status, f.text, f.len, "portals", "create the portal",
                               &error);
        assert_int_equal(error.kind, cases[i].kind);
        assert_int_equal(error.http_status, cases[i].status);
        assert_string_equal(error.code, cases[i].code);
        assert_contains(error.message, cases[i].message_text);
        if (cases[i].field)
            assert_contains(api_error_field_message(&error, cases[i].field, -1),
                            cases[i].field_text);
        else
            assert_true(!error.fields || error.fields->len == 0);
        api_error_clear(&error);
        unload(&f);
    }
}

static void test_error_kinds_by_status(void **state)
{
    (void)state;
    struct zoho_outcome outcome = {.code = "SOMETHING_NEW", .message = "odd"};
    static const struct {
        long status;
        enum api_error_kind kind;
    } cases[] = {
        {200, API_REFUSED}, {400, API_REFUSED}, {401, API_AUTH},    {403, API_REFUSED},
        {404, API_REFUSED}, {429, API_NETWORK}, {500, API_NETWORK}, {503, API_NETWORK},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct api_error error;
        api_error_init(&error);
        zoho_error_from_outcome(&outcome, cases[i].status, "list the portals", 3, &error);
        assert_int_equal(error.kind, cases[i].kind);
        assert_string_equal(error.code, "SOMETHING_NEW");          /* codes are an open set */
        assert_non_null(api_error_field_message(&error, NULL, 3)); /* the bulk row */
        api_error_clear(&error);
    }
}

static void test_answers_without_outcomes(void **state)
{
    (void)state;
    static const struct {
        long status;
        const char *body;
        bool ok;
        enum api_error_kind kind;
    } cases[] = {
        {204, "", true, API_OK},
        {200, "", true, API_OK},
        {500, "", false, API_NETWORK},
        {502, "<html>Bad Gateway</html>", false, API_NETWORK},
        {400, "<html>", false, API_BAD_RESPONSE},
        {401, "", false, API_AUTH},
        {200, "[1,2,3]", false, API_BAD_RESPONSE},
        {200, "{\"portals\":\"not a list\"}", false, API_BAD_RESPONSE},
        {200, "{\"portals\":[1]}", false, API_BAD_RESPONSE},
        {200, "{\"something\":true}", false, API_BAD_RESPONSE},
        {200, "{\"portals\":[]} trailing", false, API_BAD_RESPONSE},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
        struct api_error error;
        api_error_init(&error);
        bool ok = zoho_parse_outcomes(cases[i].status, cases[i].body, strlen(cases[i].body),
                                      "portals", outcomes, &error);
        if (ok != cases[i].ok)
            fail_msg("case %zu: expected %d", i, cases[i].ok);
        assert_int_equal(error.kind, cases[i].kind);
        assert_int_equal(outcomes->len, 0);
        api_error_clear(&error);
        g_ptr_array_unref(outcomes);
    }
}

static void test_item_outcomes(void **state)
{
    (void)state;
    GPtrArray *outcomes = outcomes_of("remove-users-partial.json", 207, "users");
    assert_int_equal(outcomes->len, 2);
    const struct zoho_outcome *ok = g_ptr_array_index(outcomes, 0);
    const struct zoho_outcome *bad = g_ptr_array_index(outcomes, 1);
    assert_true(ok->success);
    assert_string_equal(ok->id, "1306462000000659009");
    assert_false(bad->success);
    assert_string_equal(bad->code, "INVALID_DATA");
    assert_string_equal(bad->id, "1306462000000659010");
    g_ptr_array_unref(outcomes);

    outcomes = outcomes_of("invite-cannot-process.json", 400, "portal_invite"); /* bare */
    assert_int_equal(outcomes->len, 1);
    bad = g_ptr_array_index(outcomes, 0);
    assert_string_equal(bad->code, "CANNOT_PROCESS");
    assert_null(bad->param);
    assert_string_equal(bad->id, "3652397000000388085");
    g_ptr_array_unref(outcomes);

    outcomes = outcomes_of("invite-missing-param.json", 400, "portal_invite");
    assert_string_equal(((struct zoho_outcome *)g_ptr_array_index(outcomes, 0))->param,
                        "user_type_id");
    g_ptr_array_unref(outcomes);

    outcomes = outcomes_of("change-status-success.json", 200, "change_status");
    assert_string_equal(((struct zoho_outcome *)g_ptr_array_index(outcomes, 0))->id,
                        "1306462000000665004");
    g_ptr_array_unref(outcomes);

    outcomes = outcomes_of("contact-created.json", 201, "data");
    assert_string_equal(((struct zoho_outcome *)g_ptr_array_index(outcomes, 0))->id,
                        "5020928000002121099");
    g_ptr_array_unref(outcomes);

    outcomes = outcomes_of("bulk-scheduled.json", 200, "portal_invite");
    const struct zoho_outcome *scheduled = g_ptr_array_index(outcomes, 0);
    assert_true(scheduled->success);
    assert_string_equal(scheduled->id, "5020928000002338037");
    g_ptr_array_unref(outcomes);
}

static void test_contact_field_error(void **state)
{
    (void)state;
    struct fixture f = load("contact-last-name-missing.json");
    struct api_error error;
    api_error_init(&error);
    zoho_error_from_answer(400, f.text, f.len, "data", "create the contact", &error);
    assert_string_equal(error.code, "MANDATORY_NOT_FOUND");
    assert_non_null(api_error_field_message(&error, "Last_Name", -1));
    api_error_clear(&error);
    unload(&f);
}

static void test_token_refusal(void **state)
{
    (void)state;
    static const struct {
        long status;
        const char *body;
        bool refused;
    } cases[] = {
        {401, "{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"x\",\"status\":\"error\"}",
         true},
        {401, "{\"code\":\"AUTHENTICATION_FAILURE\",\"status\":\"error\"}", true},
        {401, "{\"code\":\"OAUTH_SCOPE_MISMATCH\",\"status\":\"error\"}", false},
        {403, "{\"code\":\"INVALID_TOKEN\",\"status\":\"error\"}", false},
        {401, "not json", false},
        {401, "", false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_int_equal(
            zoho_is_token_refusal(cases[i].status, cases[i].body, strlen(cases[i].body)),
            cases[i].refused);
}

/* ---- records --------------------------------------------------------------------------- */

static void test_portals(void **state)
{
    (void)state;
    struct fixture f = load("portals.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(zoho_parse_portals(200, f.text, f.len, &list, &error));
    assert_int_equal(list.count, 1);
    const struct record *portal = &list.items[0];
    assert_string_equal(record_get(portal, RECORD_ID), "MyFirstCompany");
    assert_string_equal(record_get(portal, RECORD_NAME), "MyFirstCompany");
    assert_string_equal(record_get(portal, RECORD_STATUS), "active");
    assert_string_equal(record_get(portal, RECORD_CREATED), "2021-11-25T16:13:33+05:30");
    assert_null(record_get(portal, RECORD_URL)); /* custom_domain null */
    /* Ids stay the digit strings Zoho sent. */
    assert_string_equal(extra(&list, portal, "created_by.id"), "3652397000000186017");
    assert_string_equal(extra(&list, portal, "zaid"), "10xxx10");
    assert_string_equal(extra(&list, portal, "custom_domain"), "null");
    record_list_clear(&list);
    unload(&f);

    f = load("portals-odd.json");
    record_list_init(&list);
    assert_true(zoho_parse_portals(200, f.text, f.len, &list, &error));
    /* Entries that are not objects or have no name are left out. */
    assert_int_equal(list.count, 2);
    assert_string_equal(record_get(&list.items[0], RECORD_STATUS), "inactive");
    assert_string_equal(record_get(&list.items[0], RECORD_URL), "portal.example.com");
    assert_string_equal(extra(&list, &list.items[0], "new_field.nested[1]"), "2");
    assert_string_equal(record_get(&list.items[1], RECORD_NAME), "12345678901234567");
    record_list_clear(&list);
    unload(&f);

    record_list_init(&list);
    assert_true(zoho_parse_portals(204, "", 0, &list, &error)); /* nothing */
    assert_int_equal(list.count, 0);
    assert_false(zoho_parse_portals(200, "{\"portals\":{}}", 14, &list, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    record_list_clear(&list);
}

static void test_user_types(void **state)
{
    (void)state;
    struct fixture f = load("user-types.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    assert_true(zoho_parse_user_types(200, f.text, f.len, &list, &error));
    assert_int_equal(list.count, 2);
    const struct record *chosen = zoho_default_user_type(&list);
    assert_string_equal(record_get(chosen, RECORD_NAME), "Customers");
    assert_string_equal(record_get(chosen, RECORD_ROLE), "default");
    assert_string_equal(record_get(chosen, RECORD_ID), "3652397000006231003");
    assert_string_equal(extra(&list, chosen, "personality_module.api_name"), "Contacts");
    assert_null(record_get(&list.items[0], RECORD_ROLE));
    record_list_clear(&list);
    unload(&f);

    f = load("user-types-no-default.json");
    record_list_init(&list);
    assert_true(zoho_parse_user_types(200, f.text, f.len, &list, &error));
    assert_string_equal(record_get(zoho_default_user_type(&list), RECORD_NAME), "Current");
    record_list_clear(&list);
    unload(&f);

    record_list_init(&list);
    assert_true(zoho_parse_user_types(204, "", 0, &list, &error));
    assert_null(zoho_default_user_type(&list));
    record_list_clear(&list);
}

static void test_users(void **state)
{
    (void)state;
    struct fixture f = load("users-page.json");
    struct record_list list;
    record_list_init(&list);
    struct api_error error;
    api_error_init(&error);
    struct zoho_page_info info;
    assert_true(zoho_parse_users(200, f.text, f.len, "3652397000006231003", "Customers", NULL,
                                 &list, &info, &error));
    assert_int_equal(list.count, 3); /* the entry without personality_id is left out */
    assert_int_equal(info.entries, 4);
    assert_true(info.more_records);
    assert_int_equal(info.total_count, 604);
    assert_int_equal(info.per_page, 200);
    const struct record *brian = &list.items[0];
    assert_string_equal(record_get(brian, RECORD_ID), "3652397000009883004");
    assert_string_equal(record_get(brian, RECORD_NAME), "Prince Brian");
    assert_string_equal(record_get(brian, RECORD_EMAIL), "p.brian@zylker.com");
    assert_string_equal(record_get(brian, RECORD_STATUS), "invited");
    assert_string_equal(record_get(brian, RECORD_ROLE), "Customers");
    assert_string_equal(record_get(brian, RECORD_CREATED), "2022-12-07T16:41:05+05:30");
    assert_string_equal(extra(&list, brian, "user_type_id"), "3652397000006231003");
    assert_string_equal(extra(&list, brian, "status_reason__s"), "null");
    assert_string_equal(record_get(&list.items[1], RECORD_STATUS), "active");
    assert_string_equal(record_get(&list.items[2], RECORD_STATUS), "deactivated");
    record_list_clear(&list);

    record_list_init(&list);
    assert_true(
        zoho_parse_users(200, f.text, f.len, NULL, NULL, "EXAMPLE.com", &list, &info, &error));
    assert_int_equal(list.count, 2); /* search on e-mail and name, any case */
    record_list_clear(&list);
    unload(&f);

    record_list_init(&list);
    assert_true(zoho_parse_users(204, "", 0, NULL, NULL, NULL, &list, &info, &error));
    assert_int_equal(list.count, 0);
    assert_false(info.more_records);
    assert_int_equal(info.entries, 0);
    record_list_clear(&list);
}

static void test_contact_search(void **state)
{
    (void)state;
    struct fixture f = load("contacts-search.json");
    struct api_error error;
    api_error_init(&error);
    char *id = NULL;
    assert_true(zoho_parse_contact_search(200, f.text, f.len, "ann@example.com", &id, &error));
    assert_string_equal(id, "5020928000002121016"); /* the exact e-mail, not the first */
    g_free(id);
    assert_true(zoho_parse_contact_search(200, f.text, f.len, "zed@example.com", &id, &error));
    assert_string_equal(id, "5020928000002121001");
    g_free(id);
    assert_true(zoho_parse_contact_search(204, "", 0, "zed@example.com", &id, &error));
    assert_null(id);
    unload(&f);
}

static void test_bulk_status(void **state)
{
    (void)state;
    struct zoho_bulk_status status;
    struct api_error error;
    api_error_init(&error);
    struct fixture f = load("bulk-in-progress.json");
    assert_true(zoho_parse_bulk_status(200, f.text, f.len, &status, &error));
    assert_true(status.known);
    assert_false(status.completed);
    zoho_bulk_status_clear(&status);
    unload(&f);

    f = load("bulk-completed.json");
    assert_true(zoho_parse_bulk_status(200, f.text, f.len, &status, &error));
    assert_true(status.completed);
    assert_int_equal(status.results->len, 2);
    const struct zoho_outcome *second = g_ptr_array_index(status.results, 1);
    assert_string_equal(second->code, "CANNOT_PROCESS");
    assert_false(second->success);
    zoho_bulk_status_clear(&status);
    unload(&f);

    assert_true(zoho_parse_bulk_status(204, "", 0, &status, &error)); /* unknown job */
    assert_false(status.known);
    zoho_bulk_status_clear(&status);

    const char *broken = "{\"portal_invite\":[{\"status\":\"completed\",\"data\":null}]}";
    assert_false(zoho_parse_bulk_status(200, broken, strlen(broken), &status, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    zoho_bulk_status_clear(&status);
    api_error_clear(&error);
}

/* ---- OAuth ----------------------------------------------------------------------------- */

static void test_token_answers(void **state)
{
    (void)state;
    struct zoho_token token;
    struct api_error error;
    api_error_init(&error);
    struct fixture f = load("token.json");
    assert_true(zoho_parse_token(200, f.text, f.len, &code_ctx, &token, NULL, &error));
    assert_string_equal(token.access_token, "1000.a1b2c3d4e5f6.0102030405060708");
    assert_string_equal(token.refresh_token, "1000.c3d4e5f6a7b8.0908070605040302");
    assert_string_equal(token.api_domain, "https://www.zohoapis.eu");
    assert_true(token.expires_in == 3600.0);
    zoho_token_clear(&token);
    unload(&f);

    /* expires_in_sec wins over expires_in (then in milliseconds). */
    f = load("token-refresh-ms.json");
    assert_true(zoho_parse_token(200, f.text, f.len, &refresh_ctx, &token, NULL, &error));
    assert_null(token.refresh_token);
    assert_true(token.expires_in == 3600.0);
    zoho_token_clear(&token);
    unload(&f);
}

static void test_oauth_errors(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        long status;
        const struct zoho_oauth_context *context;
        enum api_error_kind kind;
        const char *code;
        const char *text;
    } cases[] = {
        {"oauth-invalid-code.json", 200, &refresh_ctx, API_AUTH, "invalid_code",
         "portalctl auth grant acme-zoho"},
        {"oauth-invalid-code.json", 200, &code_ctx, API_AUTH, "invalid_code", "3 minutes"},
        {"oauth-invalid-client.json", 200, &refresh_ctx, API_AUTH, "invalid_client",
         "client id 1000.CLIENT"},
        {"oauth-invalid-client-secret.json", 200, &refresh_ctx, API_AUTH, "invalid_client_secret",
         "client secret of acme-zoho"},
        {"oauth-throttled.json", 200, &refresh_ctx, API_NETWORK, "Access Denied", "throttling"},
        {"oauth-throttled.json", 400, &refresh_ctx, API_NETWORK, "Access Denied", "throttling"},
        {"invalid-token.json", 200, &refresh_ctx, API_BAD_RESPONSE, NULL, "without an access"},
        {"token.json", 503, &refresh_ctx, API_NETWORK, NULL, "try again later"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct fixture f = load(cases[i].file);
        struct zoho_token token;
        struct api_error error;
        api_error_init(&error);
        char *oauth_error = NULL;
        assert_false(zoho_parse_token(cases[i].status, f.text, f.len, cases[i].context, &token,
                                      &oauth_error, &error));
        assert_null(token.access_token);
        assert_int_equal(error.kind, cases[i].kind);
        if (cases[i].code) {
            assert_string_equal(error.code, cases[i].code);
            assert_string_equal(oauth_error, cases[i].code);
        }
        assert_contains(error.message, cases[i].text);
        g_free(oauth_error);
        api_error_clear(&error);
        unload(&f);
    }
}

static void test_device_code(void **state)
{
    (void)state;
    struct zoho_device_code code;
    struct api_error error;
    api_error_init(&error);
    struct fixture f = load("device-code.json");
    assert_true(zoho_parse_device_code(200, f.text, f.len, &device_ctx, &code, &error));
    assert_string_equal(code.user_code, "ABCD-EFGH");
    assert_string_equal(code.verification_url, "https://accounts.zoho.com/oauth/v3/device");
    assert_int_equal(code.interval_ms, 5000);
    assert_int_equal(code.expires_in_ms, 300000);
    zoho_device_code_clear(&code);
    unload(&f);

    f = load("device-code-seconds.json"); /* below 1000: seconds; RFC's verification_uri */
    assert_true(zoho_parse_device_code(200, f.text, f.len, &device_ctx, &code, &error));
    assert_int_equal(code.interval_ms, 5000);
    assert_int_equal(code.expires_in_ms, 300000);
    assert_non_null(code.verification_url);
    zoho_device_code_clear(&code);
    unload(&f);

    const char *incomplete = "{\"user_code\":\"X\"}";
    assert_false(
        zoho_parse_device_code(200, incomplete, strlen(incomplete), &device_ctx, &code, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
}

static void test_millis_or_seconds(void **state)
{
    (void)state;
    assert_int_equal(zoho_millis_or_seconds(5000, 1), 5000);
    assert_int_equal(zoho_millis_or_seconds(5, 1), 5000);
    assert_int_equal(zoho_millis_or_seconds(999, 1), 999000);
    assert_int_equal(zoho_millis_or_seconds(1000, 1), 1000);
    assert_int_equal(zoho_millis_or_seconds(-1, 4321), 4321);
    assert_int_equal(zoho_millis_or_seconds(0, 4321), 0);
    assert_int_equal(zoho_millis_or_seconds(1LL << 40, 1), 24L * 3600 * 1000);
}

static void test_device_polls(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        enum zoho_device_poll expected;
        const char *location;
        const char *text;
    } cases[] = {
        {"device-pending.json", ZOHO_DEVICE_PENDING, NULL, NULL},
        {"device-slow-down.json", ZOHO_DEVICE_SLOW_DOWN, NULL, NULL},
        {"device-other-dc.json", ZOHO_DEVICE_OTHER_DC, "eu", NULL},
        {"device-other-dc-unknown.json", ZOHO_DEVICE_FAILED, NULL, "another data centre"},
        {"device-access-denied.json", ZOHO_DEVICE_FAILED, NULL, "declined"},
        {"device-expired.json", ZOHO_DEVICE_FAILED, NULL, "expired"},
        {"token.json", ZOHO_DEVICE_GRANTED, NULL, NULL},
        {"token-refresh-ms.json", ZOHO_DEVICE_FAILED, NULL, "no refresh token"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct fixture f = load(cases[i].file);
        struct zoho_token token;
        struct api_error error;
        api_error_init(&error);
        char *location = NULL;
        enum zoho_device_poll poll =
            zoho_parse_device_poll(200, f.text, f.len, &device_ctx, &token, &location, &error);
        if (poll != cases[i].expected)
            fail_msg("%s: poll %d, expected %d", cases[i].file, poll, cases[i].expected);
        assert_string_equal(location ? location : "", cases[i].location ? cases[i].location : "");
        if (cases[i].text)
            assert_contains(error.message, cases[i].text);
        else
            assert_int_equal(error.kind, API_OK);
        assert_int_equal(poll == ZOHO_DEVICE_GRANTED, token.refresh_token != NULL);
        zoho_token_clear(&token);
        g_free(location);
        api_error_clear(&error);
        unload(&f);
    }
}

/* ---- hostile answers ------------------------------------------------------------------------- */

static char *deeply_nested(size_t depth)
{
    GString *text = g_string_new("{\"portals\":");
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(text, '[');
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(text, ']');
    g_string_append_c(text, '}');
    return g_string_free(text, FALSE);
}

static void test_hostile_answers_are_bad_responses(void **state)
{
    (void)state;
    char *deep = deeply_nested(100000);
    static const char garbage[] = "\x00\xff\xfe{{{\"";
    static const char truncated[] = "{\"portals\":[{\"name\":";
    static const char wrong_types[] =
        "{\"users\":5,\"portal_invite\":\"x\",\"user_type\":null,\"data\":{}}";
    const struct {
        const char *body;
        size_t len;
    } bodies[] = {
        {deep, strlen(deep)},
        {garbage, sizeof(garbage) - 1},
        {truncated, sizeof(truncated) - 1},
        {wrong_types, sizeof(wrong_types) - 1},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
        struct record_list list;
        record_list_init(&list);
        struct api_error error;
        api_error_init(&error);
        struct zoho_page_info info;
        struct zoho_bulk_status bulk;
        char *id = NULL;
        struct zoho_token token;
        assert_false(zoho_parse_portals(200, bodies[i].body, bodies[i].len, &list, &error));
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        assert_false(zoho_parse_user_types(200, bodies[i].body, bodies[i].len, &list, &error));
        assert_false(zoho_parse_users(200, bodies[i].body, bodies[i].len, NULL, NULL, NULL, &list,
                                      &info, &error));
        assert_false(
            zoho_parse_contact_search(200, bodies[i].body, bodies[i].len, "a@b.c", &id, &error));
        assert_false(zoho_parse_bulk_status(200, bodies[i].body, bodies[i].len, &bulk, &error));
        zoho_bulk_status_clear(&bulk);
        assert_false(zoho_parse_token(200, bodies[i].body, bodies[i].len, &refresh_ctx, &token,
                                      NULL, &error));
        assert_int_equal(error.kind, API_BAD_RESPONSE);
        assert_int_equal(list.count, 0);
        record_list_clear(&list);
        api_error_clear(&error);
    }
    g_free(deep);
}

/* No control character, and no bidirectional override, survives raw. */
static void assert_no_raw_controls(const char *text)
{
    assert_true(g_utf8_validate(text, -1, NULL));
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= 0x202a && c <= 0x202e))
            fail_msg("raw control U+%04X in \"%s\"", c, text);
    }
}

static void test_server_text_is_sanitized_and_bounded(void **state)
{
    (void)state;
    GString *body = g_string_new("{\"code\":\"X\\u001b[31m\",\"message\":\"");
    g_string_append(body, "\\u001b]0;owned\\u0007\\u202e");
    for (int i = 0; i < 10000; i++)
        g_string_append(body, "long ");
    g_string_append(body, "\",\"status\":\"error\",\"details\":{\"api_name\":\"na\\nme\"}}");
    struct api_error error;
    api_error_init(&error);
    zoho_error_from_answer(400, body->str, body->len, "portals", "create the portal", &error);
    assert_no_raw_controls(error.message);
    assert_no_raw_controls(error.code);
    assert_contains(error.message, "\\e]0;owned"); /* shown escaped */
    assert_true(g_utf8_strlen(error.message, -1) < 1000);
    const struct api_field_error *fe = g_ptr_array_index(error.fields, 0);
    assert_no_raw_controls(fe->field);
    assert_no_raw_controls(fe->message);
    api_error_clear(&error);
    g_string_free(body, TRUE);
}

/* ---- requests -------------------------------------------------------------------------------- */

static void test_form_encode(void **state)
{
    (void)state;
    const char *const pairs[] = {"grant_type", "refresh_token", "client_secret",
                                 "a&b=c d+é",  "left_out",      NULL,
                                 "scope",      "A.ALL,B.ALL",   NULL};
    char *form = zoho_form_encode(pairs);
    assert_string_equal(form, "grant_type=refresh_token&client_secret=a%26b%3Dc%20d%2B%C3%A9"
                              "&scope=A.ALL%2CB.ALL");
    GHashTable *parsed =
        g_uri_parse_params(form, -1, "&", G_URI_PARAMS_WWW_FORM, NULL); /* round trip */
    assert_string_equal(g_hash_table_lookup(parsed, "client_secret"), "a&b=c d+é");
    g_hash_table_unref(parsed);
    g_free(form);
}

static void test_request_bodies(void **state)
{
    (void)state;
    /* The seed's sample input, byte for byte once parsed. */
    const char *dir = getenv("PORTALCTL_FIXTURES");
    char *path = g_build_filename(dir, "zoho", "create-portal.json", NULL);
    json_object *seed = json_object_from_file(path);
    g_free(path);
    char *body = zoho_portal_body("PortalsAPItest100");
    json_object *built = json_tokener_parse(body);
    assert_true(json_object_equal(seed, built));
    json_object_put(seed);
    json_object_put(built);
    g_free(body);

    struct form_values *values = form_values_new();
    form_values_set(values, "Email", "ann@example.com");
    form_values_set(values, "Last_Name", "Lee \"quoted\"");
    form_values_set(values, "type", "invite"); /* not a contact field */
    body = zoho_contact_body(values);
    assert_string_equal(
        body, "{\"data\":[{\"Last_Name\":\"Lee \\\"quoted\\\"\",\"Email\":\"ann@example.com\"}]}");
    g_free(body);
    form_values_free(values);

    const struct zoho_invite_item items[] = {
        {"5020928000002121016", "5020928000000523003", NULL},
        {"5020928000002121017", "5020928000000523003", "reinvite"}};
    body = zoho_bulk_invite_body(items, 2);
    assert_string_equal(body, "{\"portal_invite\":[{\"data\":["
                              "{\"id\":\"5020928000002121016\",\"user_type_id\":"
                              "\"5020928000000523003\",\"type\":\"invite\"},"
                              "{\"id\":\"5020928000002121017\",\"user_type_id\":"
                              "\"5020928000000523003\",\"type\":\"reinvite\"}]}]}");
    g_free(body);
}

/* ---- the operation table -----------------------------------------------------------------------
 */

static void test_operation_table(void **state)
{
    (void)state;
    assert_ptr_equal(vendor_by_name("zoho"), &zoho_vendor);
    assert_ptr_equal(vendor_by_id(CONFIG_VENDOR_ZOHO), &zoho_vendor);
    assert_string_equal(zoho_vendor.title, "Zoho CRM");
    assert_string_equal(zoho_vendor.portal_noun, "portal name");
    assert_null(vendor_find_operation(&zoho_vendor, VOP_DELETE_PORTAL));
    for (size_t i = 0; i < zoho_vendor.operation_count; i++) {
        const struct vendor_operation *op = &zoho_vendor.operations[i];
        assert_non_null(op->help);
        char *problem = NULL;
        if (op->form && !form_spec_check(op->form, &problem))
            fail_msg("%s: %s", vendor_op_name(op->op), problem);
        assert_true(!op->destructive || op->changes);
    }
    static const enum vendor_op changes[] = {VOP_CREATE_PORTAL,   VOP_UPDATE_PORTAL,
                                             VOP_INVITE_USERS,    VOP_DEACTIVATE_USER,
                                             VOP_REACTIVATE_USER, VOP_REMOVE_USER};
    for (size_t i = 0; i < G_N_ELEMENTS(changes); i++)
        assert_true(vendor_find_operation(&zoho_vendor, changes[i])->changes);
    assert_ptr_equal(vendor_find_operation(&zoho_vendor, VOP_CREATE_PORTAL)->form,
                     &zoho_create_portal_form);
    assert_ptr_equal(vendor_find_operation(&zoho_vendor, VOP_INVITE_USERS)->form,
                     &zoho_invite_user_form);
    assert_true(vendor_find_operation(&zoho_vendor, VOP_REMOVE_USER)->destructive);
    assert_true(vendor_find_operation(&zoho_vendor, VOP_LIST_USERS)->needs_portal);
    const int *kinds = zoho_vendor.auth->credential_kinds;
    assert_int_equal(kinds[0], SECRET_KIND_REFRESH_TOKEN);
    assert_int_equal(kinds[1], SECRET_KIND_CLIENT_SECRET);
    assert_int_equal(kinds[2], -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_config_data_centre_has_hosts),
        cmocka_unit_test(test_default_base_follows_data_centre),
        cmocka_unit_test(test_seed_create_answer),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_error_kinds_by_status),
        cmocka_unit_test(test_answers_without_outcomes),
        cmocka_unit_test(test_item_outcomes),
        cmocka_unit_test(test_contact_field_error),
        cmocka_unit_test(test_token_refusal),
        cmocka_unit_test(test_portals),
        cmocka_unit_test(test_user_types),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_contact_search),
        cmocka_unit_test(test_bulk_status),
        cmocka_unit_test(test_token_answers),
        cmocka_unit_test(test_oauth_errors),
        cmocka_unit_test(test_device_code),
        cmocka_unit_test(test_millis_or_seconds),
        cmocka_unit_test(test_device_polls),
        cmocka_unit_test(test_hostile_answers_are_bad_responses),
        cmocka_unit_test(test_server_text_is_sanitized_and_bounded),
        cmocka_unit_test(test_form_encode),
        cmocka_unit_test(test_request_bodies),
        cmocka_unit_test(test_operation_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
