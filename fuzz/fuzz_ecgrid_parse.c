/*
 * Fuzz target: every ECGrid response parser (ecgrid_parse.h). The input is
 * one HTTP answer: the first byte picks the status, the rest is the body.
 * ecgrid_read_answer() reads the envelope; its data then goes through every
 * record parser, as any ECGrid call may answer with any shape. Beyond "no
 * crash": a refusal always carries a kind and a valid UTF-8 message, a
 * success never an error, and record fields are NUL-terminated.
 */
#include "fuzz.h"

#include <portalctl/ecgrid_parse.h>
#include <portalctl/json_read.h>
#include <portalctl/vendor_fields.h>

static void check_error(const struct api_error *error)
{
    FUZZ_CHECK(error->kind != API_OK);
    FUZZ_CHECK(error->message && g_utf8_validate(error->message, -1, NULL));
    for (guint i = 0; error->fields && i < error->fields->len; i++) {
        const struct api_field_error *f = g_ptr_array_index(error->fields, i);
        FUZZ_CHECK(f->message && g_utf8_validate(f->message, -1, NULL));
    }
}

static void check_records(const struct record_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
            const char *v = record_get(&list->items[i], (enum record_field)f);
            if (v)
                (void)strlen(v);
        }
    }
}

/* A record parser's verdict: true leaves no error, false explains itself. */
static void check_verdict(bool ok, struct api_error *error, struct record_list *list)
{
    if (ok)
        FUZZ_CHECK(error->kind == API_OK);
    else
        check_error(error);
    check_records(list);
    api_error_clear(error);
    api_error_init(error);
    record_list_clear(list);
    record_list_init(list);
}

static void parse_data(json_object *data)
{
    struct api_error error;
    api_error_init(&error);
    struct record_list list;
    record_list_init(&list);
    size_t count = 0;

    check_verdict(ecgrid_parse_user(data, &list, &error), &error, &list);
    check_verdict(ecgrid_parse_users(data, &list, &count, &error), &error, &list);
    check_verdict(ecgrid_parse_users_by_login(data, "Ann.Lee", &list, &error), &error, &list);
    check_verdict(ecgrid_parse_portal(data, 4242, &list, &error), &error, &list);
    check_verdict(ecgrid_parse_confirmation(data, &error), &error, &list);

    struct ecgrid_mailbox_page page = {0};
    bool page_ok = ecgrid_parse_mailbox_page(data, &page, &error);
    if (page_ok) {
        for (guint i = 0; i < page.mailboxes->len; i++) {
            json_object *mailbox = g_ptr_array_index(page.mailboxes, i);
            FUZZ_CHECK(ecgrid_mailbox_id_of(mailbox) > 0);
            ecgrid_add_portal_row(&list, mailbox, json_read_get_ci(mailbox, "portal"));
            ecgrid_add_portal_row(&list, mailbox, NULL);
        }
    }
    ecgrid_mailbox_page_clear(&page);
    check_verdict(page_ok, &error, &list);

    char buf[JSON_READ_SCALAR_LEN];
    if (json_object_is_type(data, json_type_object)) {
        json_object_object_foreach(data, key, value)
        {
            (void)key;
            (void)ecgrid_auth_level_text(value, buf);
            (void)ecgrid_status_text(value, buf);
            (void)ecgrid_add_user(&list, value);
            ecgrid_add_portal_row(&list, NULL, value);
            int id;
            const char *text = json_read_scalar(value, buf);
            if (text && ecgrid_parse_id(text, &id))
                FUZZ_CHECK(id > 0);
        }
    }
    check_verdict(true, &error, &list);
}

static void check_split(const char *text)
{
    char *field = NULL, *message = NULL;
    if (ecgrid_split_field_message(text, &field, &message)) {
        FUZZ_CHECK(field && field[0] != '\0' && message);
        FUZZ_CHECK(strstr(text, field) == text);
    }
    g_free(field);
    g_free(message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    long status = fuzz_status(fuzz_byte(&in));
    /* net hands bodies over NUL-terminated (body_len is the truth): so does this. */
    char *body = fuzz_copy(in.data, in.size);

    struct ecgrid_error_context context = {
        .connection = "acme-ecgrid",
        .action = "create the user",
        .form = &ecgrid_create_user_form,
        .duplicate_field = "login",
    };
    struct ecgrid_answer answer = {0};
    struct api_error error;
    api_error_init(&error);
    if (ecgrid_read_answer(status, body, in.size, &context, &answer, &error)) {
        FUZZ_CHECK(error.kind == API_OK && answer.root != NULL);
        parse_data(answer.data);
    } else {
        check_error(&error);
    }
    ecgrid_answer_clear(&answer);
    api_error_clear(&error);

    char *text = fuzz_copy(in.data, in.size);
    check_split(text);
    int id;
    if (ecgrid_parse_id(text, &id))
        FUZZ_CHECK(id > 0);
    g_free(text);
    g_free(body);
    return 0;
}
