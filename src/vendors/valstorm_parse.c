/*
 * Valstorm v1: pure parsers and body builders (see valstorm_parse.h). Owns
 * the error wording for a helpdesk person, the mapping of FastAPI's
 * validation locations onto fields and bulk rows, and the mapping of
 * PortalResponse and PortalUserResponse onto records. Must never send,
 * print, sleep, or put a request value (a password, a token) into a message.
 */
#include <portalctl/valstorm_parse.h>

#include <portalctl/json_read.h>
#include <portalctl/secrets.h>
#include <portalctl/text.h>
#include <portalctl/vendor_fields.h>

#include <limits.h>
#include <string.h>

/* A vendor message longer than this is cut: it goes on one status line. */
#define VENDOR_MESSAGE_MAX_CHARS 300
/* Field names from a loc are short identifiers; anything else is not a field. */
#define FIELD_NAME_MAX_CHARS 64
/* A hostile 422 cannot flood the error with field entries. */
#define FIELD_ERRORS_MAX 1000
/* How many field errors the one-line message spells out. */
#define MESSAGE_FIELDS_SHOWN 3

/* ---- text ------------------------------------------------------------------ */

/* A sanitized copy cut to VENDOR_MESSAGE_MAX_CHARS characters (g_free). */
static char *clean_text(const char *text)
{
    char *clean = text_sanitize(text);
    if (g_utf8_strlen(clean, -1) > VENDOR_MESSAGE_MAX_CHARS) {
        char *end = g_utf8_offset_to_pointer(clean, VENDOR_MESSAGE_MAX_CHARS);
        *end = '\0';
        char *cut = g_strconcat(clean, "…", NULL);
        g_free(clean);
        clean = cut;
    }
    return clean;
}

static const char *action_of(const struct valstorm_error_context *context)
{
    return context && context->action ? context->action : "do that";
}

static const char *connection_of(const struct valstorm_error_context *context)
{
    return context && context->connection ? context->connection : "this connection";
}

static bool is_field_name(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > FIELD_NAME_MAX_CHARS)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '-')
            return false;
    }
    return true;
}

/* ---- FastAPI validation errors ---------------------------------------------- */

/* A loc item that indexes a list: a JSON integer, or a string of digits. */
static bool loc_index(json_object *item, int *out)
{
    int64_t value = -1;
    if (json_object_is_type(item, json_type_int)) {
        value = json_object_get_int64(item);
    } else if (json_object_is_type(item, json_type_string)) {
        const char *text = json_object_get_string(item);
        if (!g_ascii_isdigit(text[0]) || !form_parse_integer(text, &value))
            return false;
    }
    if (value < 0 || value > INT_MAX)
        return false;
    *out = (int)value;
    return true;
}

static const char *loc_string(json_object *loc, size_t index)
{
    json_object *item = json_object_array_get_idx(loc, index);
    if (!json_object_is_type(item, json_type_string))
        return NULL;
    const char *text = json_object_get_string(item);
    return is_field_name(text) ? text : NULL;
}

/* ["body", F] → field F; ["body","users",i,F] → row map(i), field F;
 * ["body"] or anything unreadable → the whole request (NULL, -1). */
static void map_loc(json_object *loc, const struct valstorm_error_context *context,
                    const char **field, int *row)
{
    *field = NULL;
    *row = -1;
    if (!json_object_is_type(loc, json_type_array))
        return;
    size_t n = json_object_array_length(loc);
    const char *where = n ? loc_string(loc, 0) : NULL; /* "body", "path", "query" */
    size_t at = where && (!strcmp(where, "body") || !strcmp(where, "path") ||
                          !strcmp(where, "query") || !strcmp(where, "header"))
                    ? 1
                    : 0;
    if (n <= at)
        return;
    const char *name = loc_string(loc, at);
    int index = -1;
    if (name && strcmp(name, "users") == 0 && n > at + 1 &&
        loc_index(json_object_array_get_idx(loc, at + 1), &index)) {
        bool mapped = context && context->row_map;
        if (mapped && (size_t)index < context->row_count)
            *row = context->row_map[index];
        else if (!mapped)
            *row = index;
        *field = n > at + 2 ? loc_string(loc, at + 2) : NULL;
        if (*row < 0 && !*field)
            *field = "users";
        return;
    }
    *field = name;
}

static void append_field_summary(GString *summary, const char *field, int row, const char *message)
{
    if (summary->len)
        g_string_append(summary, "; ");
    if (field && row >= 0)
        g_string_append_printf(summary, "%s (row %d): ", field, row + 1);
    else if (row >= 0)
        g_string_append_printf(summary, "row %d: ", row + 1);
    else if (field)
        g_string_append_printf(summary, "%s: ", field);
    g_string_append(summary, message);
}

/* One field error per entry of a 422's detail list; the first few go into
 * summary. Returns the FastAPI type of the first entry (borrowed), if any. */
static const char *add_validation_errors(json_object *detail,
                                         const struct valstorm_error_context *context,
                                         struct api_error *error, GString *summary)
{
    const char *first_type = NULL;
    size_t n = json_object_array_length(detail);
    for (size_t i = 0; i < n && i < FIELD_ERRORS_MAX; i++) {
        json_object *entry = json_object_array_get_idx(detail, i);
        char buf[JSON_READ_SCALAR_LEN];
        const char *msg = json_read_string(entry, "msg", buf);
        json_object *type = json_read_get(entry, "type");
        if (!first_type && json_object_is_type(type, json_type_string) &&
            is_field_name(json_object_get_string(type)))
            first_type = json_object_get_string(type);
        const char *field = NULL;
        int row = -1;
        map_loc(json_read_get(entry, "loc"), context, &field, &row);
        char *message = clean_text(msg && msg[0] ? msg : "is not valid");
        api_error_add_field(error, field, row, message);
        if (i < MESSAGE_FIELDS_SHOWN)
            append_field_summary(summary, field, row, message);
        g_free(message);
    }
    if (n > MESSAGE_FIELDS_SHOWN)
        g_string_append_printf(summary, "; and %zu more", n - MESSAGE_FIELDS_SHOWN);
    return first_type;
}

/* ---- error wording ---------------------------------------------------------- */

static enum api_error_kind kind_for_status(long status)
{
    if (status == 401)
        return API_AUTH;
    if (status == 429 || status >= 500)
        return API_NETWORK;
    if (status >= 400)
        return API_REFUSED;
    return API_BAD_RESPONSE;
}

/* ' ("detail")' when the vendor said something, else "". g_free. */
static char *quoted(const char *detail)
{
    return detail ? g_strdup_printf(" (\"%s\")", detail) : g_strdup("");
}

static void word_not_found(const struct valstorm_error_context *context, const char *detail,
                           struct api_error *error)
{
    const char *action = action_of(context);
    char *portal = text_sanitize(context && context->portal_id ? context->portal_id : "?");
    char *user = text_sanitize(context && context->user_id ? context->user_id : "?");
    if (detail && strcmp(detail, VALSTORM_PORTAL_NOT_FOUND) == 0)
        api_error_set(error, API_REFUSED, 404, NULL,
                      "could not %s: Valstorm has no portal %s (\"%s\"): check the id; it may "
                      "have been deleted elsewhere",
                      action, portal, detail);
    else if (detail && strcmp(detail, VALSTORM_USER_NOT_FOUND) == 0)
        api_error_set(error, API_REFUSED, 404, NULL,
                      "could not %s: portal %s has no user %s (\"%s\"): check the user's id "
                      "with portalctl users list",
                      action, portal, user, detail);
    else {
        char *said = quoted(detail);
        api_error_set(error, API_REFUSED, 404, NULL,
                      "could not %s: Valstorm does not know it (HTTP 404%s)", action, said);
        g_free(said);
    }
    g_free(user);
    g_free(portal);
}

static void word_status(long status, const struct valstorm_error_context *context,
                        const char *detail, struct api_error *error)
{
    const char *action = action_of(context);
    const char *name = connection_of(context);
    char *said = quoted(detail);
    enum api_error_kind kind = kind_for_status(status);
    if (status == 401) {
        char *advice = context && context->auth_advice
                           ? g_strdup(context->auth_advice)
                           : g_strdup_printf("store a new personal access token with portalctl "
                                             "auth set %s, or log in again with portalctl auth "
                                             "login %s",
                                             name, name);
        api_error_set(error, kind, status, NULL,
                      "could not %s: Valstorm refused the credentials of %s%s: %s", action, name,
                      said, advice);
        g_free(advice);
    } else if (status == 403) {
        api_error_set(error, kind, status, NULL,
                      "could not %s: Valstorm refused%s: the account behind %s's token must be "
                      "an administrator of a production organization; ask your Valstorm "
                      "administrator",
                      action, said, name);
    } else if (status == 404) {
        word_not_found(context, detail, error);
    } else if (status == 429) {
        api_error_set(error, kind, status, NULL,
                      "could not %s: Valstorm is limiting this connection's requests%s: wait a "
                      "minute and try again",
                      action, said);
    } else if (status >= 500) {
        api_error_set(error, kind, status, NULL,
                      "could not %s: Valstorm had a server problem (HTTP %ld%s): try again in a "
                      "few minutes",
                      action, status, said);
    } else if (status >= 400) {
        api_error_set(error, kind, status, NULL, "could not %s: Valstorm refused it (HTTP %ld%s)",
                      action, status, said);
    } else {
        api_error_set(error, kind, status, NULL,
                      "could not %s: Valstorm's answer (HTTP %ld) could not be read", action,
                      status);
    }
    g_free(said);
}

void valstorm_read_error(long http_status, const char *body, size_t body_len,
                         const struct valstorm_error_context *context, struct api_error *error)
{
    json_object *root = body ? json_read_parse(body, body_len) : NULL;
    json_object *detail = json_read_get(root, "detail");
    if (http_status >= 400 && json_object_is_type(detail, json_type_array)) {
        GString *summary = g_string_new(NULL);
        const char *type = add_validation_errors(detail, context, error, summary);
        char *code = type ? text_sanitize(type) : NULL;
        api_error_set(error, kind_for_status(http_status), http_status, code,
                      "could not %s: Valstorm refused the input: %s", action_of(context),
                      summary->len ? summary->str : "no reason given");
        g_free(code);
        g_string_free(summary, TRUE);
    } else {
        char buf[JSON_READ_SCALAR_LEN];
        const char *text = json_read_scalar(detail, buf);
        char *clean = text && text[0] ? clean_text(text) : NULL;
        word_status(http_status, context, clean, error);
        g_free(clean);
    }
    json_object_put(root);
}

char *valstorm_detail_text(const char *body, size_t body_len)
{
    json_object *root = json_read_parse(body, body_len);
    json_object *detail = json_read_get(root, "detail");
    char *text = json_object_is_type(detail, json_type_string)
                     ? g_strdup(json_object_get_string(detail))
                     : NULL;
    json_object_put(root);
    return text;
}

/* ---- records ------------------------------------------------------------------ */

/* The member as a non-empty string, else NULL. */
static const char *string_member(json_object *obj, const char *key)
{
    json_object *value = json_read_get(obj, key);
    if (!json_object_is_type(value, json_type_string))
        return NULL;
    const char *text = json_object_get_string(value);
    return text[0] ? text : NULL;
}

static void bad_response(struct api_error *error, const char *what)
{
    api_error_set(error, API_BAD_RESPONSE, 0, NULL,
                  "Valstorm's answer could not be read: %s; try again, and report it if it "
                  "persists",
                  what);
}

bool valstorm_parse_portal(const char *body, size_t body_len, const char *status,
                           struct record_list *out, struct api_error *error)
{
    json_object *root = json_read_parse(body, body_len);
    const char *id = string_member(root, "id");
    if (!json_object_is_type(root, json_type_object) || !id) {
        bad_response(error, root ? "the portal has no id" : "it is not JSON");
        json_object_put(root);
        return false;
    }
    struct record *record = record_list_append(out);
    record_set(out, record, RECORD_ID, id);
    record_set(out, record, RECORD_NAME, string_member(root, "name"));
    record_set(out, record, RECORD_URL, string_member(root, "custom_domain"));
    record_set(out, record, RECORD_CREATED, string_member(root, "created_date"));
    record_set(out, record, RECORD_STATUS, status);
    json_read_add_extras(out, record, root);
    json_object_put(root);
    return true;
}

/* Points a common field at the extra of the same key, which already lives
 * in the list's string arena: a user list of 100,000 is not copied twice. */
static void share_extra(struct record_list *list, struct record *record, enum record_field field,
                        json_object *user, const char *key)
{
    if (!string_member(user, key))
        return;
    const struct record_extra *extras = record_extras(list, record);
    for (uint32_t i = 0; i < record->extra_count; i++) {
        if (strcmp(extras[i].key, key) == 0) {
            record->fields[field] = extras[i].value;
            return;
        }
    }
}

static void set_user_name(struct record_list *list, struct record *record, json_object *user)
{
    if (string_member(user, "name")) {
        share_extra(list, record, RECORD_NAME, user, "name");
        return;
    }
    const char *first = string_member(user, "first_name");
    const char *last = string_member(user, "last_name");
    if (first || last) {
        char *name =
            g_strjoin(first && last ? " " : "", first ? first : "", last ? last : "", NULL);
        record_set(list, record, RECORD_NAME, name);
        g_free(name);
    } else {
        share_extra(list, record, RECORD_NAME, user, "email");
    }
}

bool valstorm_add_user(struct record_list *list, json_object *user, const char *status_override)
{
    if (!json_object_is_type(user, json_type_object) || !string_member(user, "id") ||
        !string_member(user, "email"))
        return false;
    struct record *record = record_list_append(list);
    json_read_add_extras(list, record, user);
    share_extra(list, record, RECORD_ID, user, "id");
    share_extra(list, record, RECORD_EMAIL, user, "email");
    share_extra(list, record, RECORD_CREATED, user, "created_date");
    set_user_name(list, record, user);
    json_object *active = json_read_get(user, "is_active");
    const char *status = status_override;
    if (!status && json_object_is_type(active, json_type_boolean))
        status = json_object_get_boolean(active) ? "active" : "inactive";
    record_set(list, record, RECORD_STATUS, status);
    return true;
}

/* ---- the user list, one element at a time -------------------------------------------- */

/* The whole body as one piece of the stream (valstorm_users_stream.c): one
 * framing of the list, whether it arrives at once or in pieces. */
bool valstorm_each_user(const char *body, size_t body_len, valstorm_user_fn each, void *data,
                        struct api_error *error)
{
    struct valstorm_user_stream *stream = valstorm_user_stream_new(each, data);
    if (!stream) {
        api_error_set(error, API_BAD_RESPONSE, 0, NULL, "out of memory reading the user list");
        return false;
    }
    bool ok = valstorm_user_stream_feed(stream, body ? body : "", body ? body_len : 0, error) &&
              valstorm_user_stream_finish(stream, error);
    valstorm_user_stream_free(stream);
    return ok;
}

struct users_sink {
    struct record_list *out;
    char *filter; /* case-folded, NULL when none */
};

static bool contains_folded(const char *text, const char *folded_needle)
{
    if (!text)
        return false;
    char *folded = g_utf8_casefold(text, -1);
    bool found = strstr(folded, folded_needle) != NULL;
    g_free(folded);
    return found;
}

static bool user_matches(json_object *user, const char *filter)
{
    static const char *const keys[] = {"email", "name", "first_name", "last_name", "id"};
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (contains_folded(string_member(user, keys[i]), filter))
            return true;
    }
    return false;
}

static bool add_listed_user(json_object *user, void *data)
{
    struct users_sink *sink = data;
    if (!string_member(user, "id") || !string_member(user, "email"))
        return false;
    if (sink->filter && !user_matches(user, sink->filter))
        return true;
    return valstorm_add_user(sink->out, user, NULL);
}

bool valstorm_parse_users(const char *body, size_t body_len, const char *filter,
                          struct record_list *out, struct api_error *error)
{
    size_t count = out->count, extra_count = out->extra_count;
    struct users_sink sink = {out, filter && filter[0] ? g_utf8_casefold(filter, -1) : NULL};
    bool ok = valstorm_each_user(body, body_len, add_listed_user, &sink, error);
    g_free(sink.filter);
    if (!ok) { /* take back what a bad answer added; its strings go with the list */
        out->count = count;
        out->extra_count = extra_count;
    }
    return ok;
}

struct valstorm_users_reader {
    struct valstorm_user_stream *stream;
    struct users_sink sink;
};

struct valstorm_users_reader *valstorm_users_reader_new(const char *filter)
{
    struct valstorm_users_reader *reader = g_new0(struct valstorm_users_reader, 1);
    reader->stream = valstorm_user_stream_new(add_listed_user, &reader->sink);
    if (!reader->stream) {
        g_free(reader);
        return NULL;
    }
    reader->sink.filter = filter && filter[0] ? g_utf8_casefold(filter, -1) : NULL;
    return reader;
}

bool valstorm_users_reader_feed(struct valstorm_users_reader *reader, const char *piece, size_t len,
                                struct record_list *out, struct api_error *error)
{
    reader->sink.out = out;
    bool ok = valstorm_user_stream_feed(reader->stream, piece, len, error);
    reader->sink.out = NULL; /* out may be gone by the next feed */
    return ok;
}

bool valstorm_users_reader_finish(struct valstorm_users_reader *reader, struct api_error *error)
{
    return valstorm_user_stream_finish(reader->stream, error);
}

void valstorm_users_reader_free(struct valstorm_users_reader *reader)
{
    if (!reader)
        return;
    valstorm_user_stream_free(reader->stream);
    g_free(reader->sink.filter);
    g_free(reader);
}

static bool add_member_email(json_object *user, void *data)
{
    const char *email = string_member(user, "email");
    if (email) {
        char *key = g_strstrip(g_ascii_strdown(email, -1));
        g_hash_table_add(data, key);
    }
    return true; /* a member without an address cannot match a row: not fatal */
}

GHashTable *valstorm_parse_member_emails(const char *body, size_t body_len, struct api_error *error)
{
    GHashTable *emails = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!valstorm_each_user(body, body_len, add_member_email, emails, error)) {
        g_hash_table_unref(emails);
        return NULL;
    }
    return emails;
}

/* ---- the invite answer ---------------------------------------------------------------- */

static const char *const row_status_names[] = {
    [VALSTORM_ROW_UNKNOWN] = "unknown", [VALSTORM_ROW_INVITED] = "invited",
    [VALSTORM_ROW_LINKED] = "linked",   [VALSTORM_ROW_ALREADY] = "already a member",
    [VALSTORM_ROW_FAILED] = "failed",
};

const char *valstorm_row_status_name(enum valstorm_row_status status)
{
    return (size_t)status < G_N_ELEMENTS(row_status_names) ? row_status_names[status] : "unknown";
}

void valstorm_row_outcome_clear(struct valstorm_row_outcome *outcome)
{
    json_object_put(outcome->user);
    g_free(outcome->detail);
    memset(outcome, 0, sizeof(*outcome));
}

static bool same_email(const char *a, const char *b)
{
    char *x = g_strstrip(g_strdup(a ? a : ""));
    char *y = g_strstrip(g_strdup(b ? b : ""));
    bool same = x[0] && g_ascii_strcasecmp(x, y) == 0;
    g_free(x);
    g_free(y);
    return same;
}

/* The first row of that address still without an outcome, or NULL. */
static struct valstorm_row_outcome *row_for(const char *email, const char *const *emails,
                                            size_t count, struct valstorm_row_outcome *outcomes)
{
    for (size_t i = 0; email && i < count; i++) {
        if (outcomes[i].status == VALSTORM_ROW_UNKNOWN && same_email(emails[i], email))
            return &outcomes[i];
    }
    return NULL;
}

static void take_users(json_object *list, enum valstorm_row_status status,
                       const char *const *emails, size_t count,
                       struct valstorm_row_outcome *outcomes)
{
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *user = json_object_array_get_idx(list, i);
        struct valstorm_row_outcome *row =
            row_for(string_member(user, "email"), emails, count, outcomes);
        if (!row || !string_member(user, "id"))
            continue; /* unusable entries leave their row unknown: the caller checks it */
        row->status = status;
        row->user = json_object_get(user);
    }
}

static void take_failed(json_object *list, const char *const *emails, size_t count,
                        struct valstorm_row_outcome *outcomes)
{
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *entry = json_object_array_get_idx(list, i);
        struct valstorm_row_outcome *row =
            row_for(string_member(entry, "email"), emails, count, outcomes);
        if (!row)
            continue;
        char buf[JSON_READ_SCALAR_LEN];
        const char *detail = json_read_string(entry, "detail", buf);
        bool already = detail && g_ascii_strcasecmp(detail, VALSTORM_ALREADY_MEMBER) == 0;
        row->status = already ? VALSTORM_ROW_ALREADY : VALSTORM_ROW_FAILED;
        row->detail = clean_text(detail && detail[0] ? detail : "refused by Valstorm");
    }
}

bool valstorm_parse_invite(const char *body, size_t body_len, const char *const *emails,
                           size_t count, struct valstorm_row_outcome *outcomes,
                           struct api_error *error)
{
    static const char *const lists[] = {"invited", "linked", "failed"};
    json_object *root = json_read_parse(body, body_len);
    bool ok = json_object_is_type(root, json_type_object);
    for (size_t i = 0; ok && i < G_N_ELEMENTS(lists); i++) {
        json_object *list = json_read_get(root, lists[i]);
        ok = !list || json_object_is_type(list, json_type_array);
    }
    if (!ok) {
        bad_response(error, root ? "the invite answer's invited, linked and failed are not "
                                   "lists"
                                 : "the invite answer is not JSON");
        json_object_put(root);
        return false;
    }
    take_users(json_read_get(root, "invited"), VALSTORM_ROW_INVITED, emails, count, outcomes);
    take_users(json_read_get(root, "linked"), VALSTORM_ROW_LINKED, emails, count, outcomes);
    take_failed(json_read_get(root, "failed"), emails, count, outcomes);
    json_object_put(root);
    return true;
}

/* ---- tokens -------------------------------------------------------------------------- */

/* Tokens are secrets: overwrite json-c's copy before the tree is freed. */
static char *take_secret(json_object *root, const char *key)
{
    const char *value = string_member(root, key);
    if (!value)
        return NULL;
    char *copy = g_strdup(value);
    secret_wipe((char *)value);
    return copy;
}

bool valstorm_parse_token_answer(long http_status, const char *body, size_t body_len,
                                 const struct valstorm_error_context *context,
                                 struct valstorm_token_answer *answer, struct api_error *error)
{
    memset(answer, 0, sizeof(*answer));
    if (http_status != 200) {
        valstorm_read_error(http_status, body, body_len, context, error);
        return false;
    }
    json_object *root = json_read_parse(body, body_len);
    answer->access_token = take_secret(root, "access_token");
    answer->refresh_token = take_secret(root, "refresh_token");
    json_object *two_fa = json_read_get(root, "two_fa_required");
    answer->two_fa_required = !answer->access_token &&
                              json_object_is_type(two_fa, json_type_boolean) &&
                              json_object_get_boolean(two_fa);
    if (answer->two_fa_required)
        answer->email = g_strdup(string_member(root, "email"));
    json_object_put(root);
    if (answer->access_token || answer->two_fa_required)
        return true;
    valstorm_token_answer_clear(answer);
    api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                  "could not %s: Valstorm's answer held no access token; try again, and report "
                  "it if it persists",
                  action_of(context));
    return false;
}

void valstorm_token_answer_clear(struct valstorm_token_answer *answer)
{
    secret_value_free(answer->access_token);
    secret_value_free(answer->refresh_token);
    g_free(answer->email);
    memset(answer, 0, sizeof(*answer));
}

/* ---- request bodies -------------------------------------------------------------------- */

static void append_member(GString *out, const char *key, const char *value)
{
    if (out->len > 1)
        g_string_append_c(out, ',');
    text_append_json_string(out, key);
    g_string_append_c(out, ':');
    text_append_json_string(out, value);
}

char *valstorm_form_body(const struct form_spec *spec, const struct form_values *values)
{
    GString *out = g_string_new("{");
    for (size_t i = 0; i < spec->count; i++) {
        const char *value = form_values_get(values, spec->fields[i].key);
        if (value)
            append_member(out, spec->fields[i].key, value);
    }
    g_string_append_c(out, '}');
    return g_string_free(out, FALSE);
}

char *valstorm_invite_body(struct form_values *const *rows, const int *indices, size_t count)
{
    const struct form_spec *spec = &valstorm_invite_user_form;
    GString *out = g_string_new("{\"users\":[");
    for (size_t i = 0; i < count; i++) {
        char *row = valstorm_form_body(spec, rows[indices[i]]);
        if (i)
            g_string_append_c(out, ',');
        g_string_append(out, row);
        g_free(row);
    }
    g_string_append(out, "]}");
    return g_string_free(out, FALSE);
}

char *valstorm_form_encode(const char *const *pairs)
{
    /* Measured first and written once: a growing buffer would leave copies
     * of the password behind in freed memory. */
    size_t n = 0;
    while (pairs[n])
        n++;
    char **escaped = g_new0(char *, n + 1);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        escaped[i] = g_uri_escape_string(pairs[i], NULL, FALSE);
        total += strlen(escaped[i]) + 1;
    }
    char *text = g_malloc(total);
    char *at = text;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(escaped[i]);
        if (i)
            *at++ = i % 2 ? '=' : '&';
        memcpy(at, escaped[i], len);
        at += len;
        secret_wipe(escaped[i]);
        g_free(escaped[i]);
    }
    *at = '\0';
    g_free(escaped);
    return text;
}
