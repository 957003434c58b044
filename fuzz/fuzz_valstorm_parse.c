/*
 * Fuzz target: every Valstorm response parser (valstorm_parse.h): errors
 * (FastAPI details, 422 validation lists mapped onto bulk rows), portals,
 * the streamed user list (whole and piece by piece), member e-mails, the invite answer and the
 * token answers. The input is one HTTP answer: the first byte picks the status, the rest is the
 * body; every parser reads the same answer. Beyond "no crash": a false verdict carries an error
 * with a valid UTF-8 message, row errors land only on rows of the batch, invite outcomes only on
 * the rows that were sent, and the list read in pieces is the list read whole.
 */
#include "fuzz.h"

#include <portalctl/valstorm_parse.h>

#define ROWS 3

static const char *const emails[ROWS] = {"ann@example.com", "Bob@Example.com", "ann@example.com"};
static const int row_map[ROWS] = {4, 7, 9};

static void check_error(const struct api_error *error)
{
    FUZZ_CHECK(error->kind != API_OK);
    FUZZ_CHECK(error->message && g_utf8_validate(error->message, -1, NULL));
    for (guint i = 0; error->fields && i < error->fields->len; i++) {
        const struct api_field_error *f = g_ptr_array_index(error->fields, i);
        FUZZ_CHECK(f->message && g_utf8_validate(f->message, -1, NULL));
        FUZZ_CHECK(f->row == -1 || f->row == 4 || f->row == 7 || f->row == 9);
    }
}

static void check_verdict(bool ok, struct api_error *error, struct record_list *list)
{
    if (!ok)
        check_error(error);
    for (size_t i = 0; list && i < list->count; i++) {
        FUZZ_CHECK(record_get(&list->items[i], RECORD_ID) != NULL);
    }
    api_error_clear(error);
    api_error_init(error);
    if (list) {
        record_list_clear(list);
        record_list_init(list);
    }
}

static bool count_user(json_object *user, void *data)
{
    FUZZ_CHECK(json_object_is_type(user, json_type_object));
    (*(size_t *)data)++;
    return true;
}

/* The list read piece by piece, as it arrives from the network (pieces of
 * `step` bytes), gives the whole-body parser's verdict and the same users
 * in the same order. */
static void check_users_in_pieces(const char *body, size_t len, size_t step)
{
    struct api_error whole_error, piece_error;
    api_error_init(&whole_error);
    api_error_init(&piece_error);
    struct record_list whole, pieces;
    record_list_init(&whole);
    record_list_init(&pieces);

    bool whole_ok = valstorm_parse_users(body, len, NULL, &whole, &whole_error);
    struct valstorm_users_reader *reader = valstorm_users_reader_new(NULL);
    FUZZ_CHECK(reader != NULL);
    bool pieces_ok = true;
    for (size_t at = 0; at < len && pieces_ok; at += step) {
        size_t n = len - at < step ? len - at : step;
        pieces_ok = valstorm_users_reader_feed(reader, body + at, n, &pieces, &piece_error);
    }
    pieces_ok = pieces_ok && valstorm_users_reader_finish(reader, &piece_error);
    valstorm_users_reader_free(reader);

    FUZZ_CHECK(pieces_ok == whole_ok);
    if (whole_ok) {
        FUZZ_CHECK(pieces.count == whole.count);
        for (size_t i = 0; i < whole.count; i++)
            FUZZ_CHECK(g_strcmp0(record_get(&whole.items[i], RECORD_ID),
                                 record_get(&pieces.items[i], RECORD_ID)) == 0);
    } else {
        check_error(&piece_error);
    }
    check_verdict(whole_ok, &whole_error, &whole);
    check_verdict(pieces_ok, &piece_error, &pieces);
}

static void check_users(const char *body, size_t len)
{
    struct api_error error;
    api_error_init(&error);
    struct record_list list;
    record_list_init(&list);

    check_verdict(valstorm_parse_portal(body, len, "active", &list, &error), &error, &list);
    check_verdict(valstorm_parse_users(body, len, "ANN", &list, &error), &error, &list);
    check_verdict(valstorm_parse_users(body, len, NULL, &list, &error), &error, &list);

    size_t seen = 0;
    check_verdict(valstorm_each_user(body, len, count_user, &seen, &error), &error, NULL);

    GHashTable *members = valstorm_parse_member_emails(body, len, &error);
    if (members)
        g_hash_table_unref(members);
    else
        check_error(&error);
    api_error_clear(&error);
    record_list_clear(&list);
}

static void check_invite(const char *body, size_t len)
{
    struct valstorm_row_outcome outcomes[ROWS] = {{0}};
    struct api_error error;
    api_error_init(&error);
    bool ok = valstorm_parse_invite(body, len, emails, ROWS, outcomes, &error);
    for (size_t i = 0; i < ROWS; i++) {
        FUZZ_CHECK(outcomes[i].status <= VALSTORM_ROW_FAILED);
        FUZZ_CHECK(valstorm_row_status_name(outcomes[i].status) != NULL);
        if (outcomes[i].detail)
            FUZZ_CHECK(g_utf8_validate(outcomes[i].detail, -1, NULL));
        if (!ok)
            FUZZ_CHECK(outcomes[i].status == VALSTORM_ROW_UNKNOWN); /* untouched */
        valstorm_row_outcome_clear(&outcomes[i]);
    }
    check_verdict(ok, &error, NULL);
}

static void check_errors_and_tokens(long status, const char *body, size_t len)
{
    struct valstorm_error_context context = {
        .connection = "acme-valstorm",
        .action = "invite the users",
        .portal_id = "portal_demo1",
        .user_id = "user_1",
        .row_map = row_map,
        .row_count = ROWS,
    };
    struct api_error error;
    api_error_init(&error);
    valstorm_read_error(status, body, len, &context, &error);
    check_error(&error);
    api_error_clear(&error);
    api_error_init(&error);
    valstorm_read_error(status, NULL, 0, &context, &error);
    check_error(&error);
    api_error_clear(&error);

    g_free(valstorm_detail_text(body, len));

    struct valstorm_token_answer answer = {0};
    api_error_init(&error);
    bool ok = valstorm_parse_token_answer(status, body, len, &context, &answer, &error);
    if (ok)
        FUZZ_CHECK(answer.access_token != NULL || answer.two_fa_required);
    check_verdict(ok, &error, NULL);
    valstorm_token_answer_clear(&answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint8_t selector = fuzz_byte(&in);
    long status = fuzz_status(selector);
    /* net hands bodies over NUL-terminated (body_len is the truth): so does this. */
    char *body = fuzz_copy(in.data, in.size);

    check_users(body, in.size);
    /* piece sizes 1 to 8 bytes, picked by the status byte */
    check_users_in_pieces(body, in.size, 1 + (size_t)(selector % 8));
    check_invite(body, in.size);
    check_errors_and_tokens(status, body, in.size);
    g_free(body);
    return 0;
}
