/*
 * Fuzz target: every Zoho response parser (zoho_parse.h): outcomes and the
 * errors made from them, portals, user types, users, contact search, bulk
 * invite status, and the OAuth answers (token, device code, device poll).
 * The input is one HTTP answer: the first byte picks the status, the second
 * the resource key the outcomes are read under, the rest is the body; every
 * parser reads the same answer. Beyond "no crash": a false verdict always
 * carries an error with a valid UTF-8 message, and a token is never read
 * without an access token.
 */
#include "fuzz.h"

#include <portalctl/zoho_parse.h>

static const char *const outcome_keys[] = {"portals", "data",      "portal_invite",
                                           "users",   "user_type", "__"};

static void check_error(const struct api_error *error)
{
    FUZZ_CHECK(error->kind != API_OK);
    FUZZ_CHECK(error->message && g_utf8_validate(error->message, -1, NULL));
    for (guint i = 0; error->fields && i < error->fields->len; i++) {
        const struct api_field_error *f = g_ptr_array_index(error->fields, i);
        FUZZ_CHECK(f->message && g_utf8_validate(f->message, -1, NULL));
    }
}

/* Clears error and list for the next parser. */
static void check_verdict(bool ok, struct api_error *error, struct record_list *list)
{
    if (!ok)
        check_error(error);
    for (size_t i = 0; list && i < list->count; i++) {
        for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
            const char *v = record_get(&list->items[i], (enum record_field)f);
            if (v)
                (void)strlen(v);
        }
    }
    api_error_clear(error);
    api_error_init(error);
    if (list) {
        record_list_clear(list);
        record_list_init(list);
    }
}

static void check_outcomes(long status, const char *body, size_t len, const char *key)
{
    struct api_error error;
    api_error_init(&error);
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    bool ok = zoho_parse_outcomes(status, body, len, key, outcomes, &error);
    if (ok) {
        for (guint i = 0; i < outcomes->len; i++) {
            const struct zoho_outcome *o = g_ptr_array_index(outcomes, i);
            if (o->message)
                FUZZ_CHECK(g_utf8_validate(o->message, -1, NULL));
            if (!o->success) {
                struct api_error from;
                api_error_init(&from);
                zoho_error_from_outcome(o, status, "create the portal", (int)i - 1, &from);
                check_error(&from);
                api_error_clear(&from);
            }
        }
    }
    check_verdict(ok, &error, NULL);
    g_ptr_array_unref(outcomes);

    zoho_error_from_answer(status, body, len, key, "invite the user", &error);
    check_error(&error);
    api_error_clear(&error);
    (void)zoho_is_token_refusal(status, body, len);
}

static void check_records(long status, const char *body, size_t len)
{
    struct api_error error;
    api_error_init(&error);
    struct record_list list;
    record_list_init(&list);

    check_verdict(zoho_parse_portals(status, body, len, &list, &error), &error, &list);
    bool ok = zoho_parse_user_types(status, body, len, &list, &error);
    if (ok)
        (void)zoho_default_user_type(&list);
    check_verdict(ok, &error, &list);

    struct zoho_page_info info = {0};
    ok = zoho_parse_users(status, body, len, "3000000000001", "Customers", "ann", &list, &info,
                          &error);
    if (ok)
        FUZZ_CHECK(list.count <= info.entries);
    check_verdict(ok, &error, &list);
    check_verdict(
        zoho_parse_users(status, body, len, "3000000000001", NULL, NULL, &list, &info, &error),
        &error, &list);

    char *contact_id = NULL;
    check_verdict(
        zoho_parse_contact_search(status, body, len, "ann@example.com", &contact_id, &error),
        &error, NULL);
    g_free(contact_id);

    struct zoho_bulk_status bulk = {0};
    check_verdict(zoho_parse_bulk_status(status, body, len, &bulk, &error), &error, NULL);
    zoho_bulk_status_clear(&bulk);
    record_list_clear(&list);
}

static void check_oauth(long status, const char *body, size_t len)
{
    struct zoho_oauth_context context = {
        .grant = ZOHO_GRANT_REFRESH, .connection = "acme-zoho", .client_id = "1000.ABC"};
    struct api_error error;
    api_error_init(&error);

    struct zoho_token token = {0};
    char *oauth_error = NULL;
    bool ok = zoho_parse_token(status, body, len, &context, &token, &oauth_error, &error);
    if (ok)
        FUZZ_CHECK(token.access_token != NULL);
    check_verdict(ok, &error, NULL);
    zoho_token_clear(&token);
    g_free(oauth_error);

    context.grant = ZOHO_GRANT_DEVICE;
    struct zoho_device_code code = {0};
    check_verdict(zoho_parse_device_code(status, body, len, &context, &code, &error), &error, NULL);
    zoho_device_code_clear(&code);

    char *location = NULL;
    enum zoho_device_poll poll =
        zoho_parse_device_poll(status, body, len, &context, &token, &location, &error);
    if (poll == ZOHO_DEVICE_GRANTED)
        FUZZ_CHECK(token.access_token != NULL);
    if (poll == ZOHO_DEVICE_FAILED)
        check_error(&error);
    api_error_clear(&error);
    zoho_token_clear(&token);
    g_free(location);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    long status = fuzz_status(fuzz_byte(&in));
    const char *key = outcome_keys[fuzz_byte(&in) % G_N_ELEMENTS(outcome_keys)];
    /* net hands bodies over NUL-terminated (body_len is the truth): so does this. */
    char *body = fuzz_copy(in.data, in.size);

    check_outcomes(status, body, in.size, key);
    check_records(status, body, in.size);
    check_oauth(status, body, in.size);

    char *text = fuzz_copy(in.data, in.size);
    char *clean = zoho_clean_text(text);
    FUZZ_CHECK(clean && g_utf8_validate(clean, -1, NULL));
    for (const char *p = clean; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
    g_free(clean);
    g_free(text);
    g_free(body);
    return 0;
}
