/*
 * ECGrid REST v2: pure parsers and body builders (see ecgrid_parse.h).
 * Owns the envelope rules, the error wording for a helpdesk person, the enum
 * numbers and the mapping of UserIDInfo, MailboxIDInfo and PortalInfo onto
 * records. Must never send, print, sleep, or put a request value (a password)
 * into a message.
 */
#include <portalctl/ecgrid_parse.h>
#include <portalctl/json_read.h>
#include <portalctl/text.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A vendor message longer than this is cut: it goes on one status line. */
#define VENDOR_MESSAGE_MAX_CHARS 300
/* Field names in "field: message" are short identifiers. */
#define FIELD_NAME_MAX_CHARS 64

/* ---- enums (ECGridOS definition; shared/api/ecgrid.md §3) ----------------- */

static const char *const auth_level_names[] = {
    "NoChange",    "Root",         "TechOps",     "NetOps", "NetworkAdmin",
    "NetworkUser", "MailboxAdmin", "MailboxUser", "TPUser", "General",
};

struct status_number {
    int number;
    const char *name;
};

static const struct status_number status_numbers[] = {
    {2, "Development"}, {1, "Active"}, {0, "Preproduction"}, {-1, "Suspended"}, {-2, "Terminated"},
};

/* An enum member as a number, from a JSON integer or a string of digits. */
static bool enum_number(json_object *value, long long *out)
{
    if (json_object_is_type(value, json_type_int)) {
        *out = (long long)json_object_get_int64(value);
        return true;
    }
    if (!json_object_is_type(value, json_type_string))
        return false;
    int64_t number = 0;
    if (!form_parse_integer(json_object_get_string(value), &number))
        return false;
    *out = (long long)number;
    return true;
}

const char *ecgrid_auth_level_text(json_object *value, char *buf)
{
    long long number = 0;
    if (enum_number(value, &number) && number >= 0 &&
        number < (long long)G_N_ELEMENTS(auth_level_names))
        return auth_level_names[number];
    return json_read_scalar(value, buf);
}

const char *ecgrid_status_text(json_object *value, char *buf)
{
    long long number = 0;
    if (enum_number(value, &number)) {
        for (size_t i = 0; i < G_N_ELEMENTS(status_numbers); i++) {
            if (status_numbers[i].number == number)
                return status_numbers[i].name;
        }
    }
    return json_read_scalar(value, buf);
}

bool ecgrid_parse_id(const char *text, int *out)
{
    int64_t number = 0;
    if (!text || !g_ascii_isdigit(text[0]) || strlen(text) > 10 ||
        !form_parse_integer(text, &number) || number < 1 || number > G_MAXINT32)
        return false;
    *out = (int)number;
    return true;
}

/* ---- error wording ------------------------------------------------------- */

/* What happened and what to do, per vendor code (shared/api/ecgrid.md §2). */
struct code_words {
    const char *code;
    long status; /* the status that means the same when no code came */
    const char *what;
    const char *advice;
};

static const struct code_words code_words[] = {
    {"InvalidParameter", 400, "ECGrid refused a value", "correct it and try again"},
    {"DuplicateObject", 0, "ECGrid already has this",
     "nothing was changed; use the existing one or choose another"},
    {"AccessDenied", 403, "ECGrid denied access",
     "the API key's AuthLevel is too low for this; ask your ECGrid network administrator"},
    {"ObjectNotFound", 404, "ECGrid found no such object",
     "check the number; objects outside your network are not found either"},
    {"RateLimitExceeded", 429, "ECGrid is limiting this key's requests",
     "wait a minute and try again"},
    {"InternalError", 500, "ECGrid had an internal error",
     "try again later; if it persists, contact Loren Data support"},
};

static const struct code_words server_trouble = {NULL, 0, "ECGrid is not answering properly",
                                                 "try again in a few minutes"};
static const struct code_words unknown_refusal = {NULL, 0, "ECGrid refused the request",
                                                  "check the values and try again"};

static const struct code_words *words_for(const char *code, long status)
{
    for (size_t i = 0; code && i < G_N_ELEMENTS(code_words); i++) {
        if (g_ascii_strcasecmp(code, code_words[i].code) == 0)
            return &code_words[i];
    }
    for (size_t i = 0; status && i < G_N_ELEMENTS(code_words); i++) {
        if (code_words[i].status == status)
            return &code_words[i];
    }
    return status >= 500 ? &server_trouble : &unknown_refusal;
}

static enum api_error_kind kind_for(const char *code, long status)
{
    if (status == 401 || (code && g_ascii_strcasecmp(code, "InvalidAPIKey") == 0))
        return API_AUTH;
    if (status == 429 || status >= 500)
        return API_NETWORK;
    if (status >= 400)
        return API_REFUSED;
    if (status >= 200 && status < 300) { /* success:false inside a 200 */
        const struct code_words *words = words_for(code, 0);
        return words->status == 429 || words->status == 500 ? API_NETWORK : API_REFUSED;
    }
    return API_BAD_RESPONSE; /* 1xx, 3xx: nothing ECGrid answers */
}

/* Sanitized, cut to VENDOR_MESSAGE_MAX_CHARS, without a trailing full stop. */
static char *clean_vendor_text(const char *text)
{
    char *safe = text_sanitize(text);
    if (g_utf8_strlen(safe, -1) > VENDOR_MESSAGE_MAX_CHARS) {
        char *cut = g_utf8_substring(safe, 0, VENDOR_MESSAGE_MAX_CHARS);
        g_free(safe);
        safe = g_strconcat(cut, "…", NULL);
        g_free(cut);
    }
    g_strchomp(safe);
    size_t len = strlen(safe);
    if (len > 0 && safe[len - 1] == '.')
        safe[len - 1] = '\0';
    return safe;
}

bool ecgrid_split_field_message(const char *text, char **field, char **message)
{
    size_t n = 0;
    if (!text || !(g_ascii_isalpha(text[0]) || text[0] == '_'))
        return false;
    while (n < FIELD_NAME_MAX_CHARS && (g_ascii_isalnum(text[n]) || text[n] == '_'))
        n++;
    if (text[n] != ':' || text[n + 1] != ' ')
        return false;
    const char *rest = text + n + 1;
    while (*rest == ' ')
        rest++;
    if (*rest == '\0')
        return false;
    *field = g_strndup(text, n);
    *message = g_strdup(rest);
    return true;
}

/* The form's own spelling of a field the vendor named in any letter case. */
static const char *form_key_for(const struct form_spec *form, const char *name)
{
    for (size_t i = 0; form && i < form->count; i++) {
        if (g_ascii_strcasecmp(form->fields[i].key, name) == 0)
            return form->fields[i].key;
    }
    return NULL;
}

/* "field: message" onto the form's field; DuplicateObject onto its field. */
static void add_field_errors(struct api_error *error, const struct ecgrid_error_context *context,
                             const char *code, const char *vendor_message)
{
    char *field = NULL;
    char *message = NULL;
    const char *key = NULL;
    if (ecgrid_split_field_message(vendor_message, &field, &message))
        key = form_key_for(context ? context->form : NULL, field);
    const char *duplicate = context ? context->duplicate_field : NULL;
    if (duplicate && code && g_ascii_strcasecmp(code, "DuplicateObject") == 0) {
        bool names_it = key && strcmp(key, duplicate) == 0;
        api_error_add_field(error, duplicate, -1, names_it ? message : vendor_message);
    } else if (key) {
        api_error_add_field(error, key, -1, message);
    }
    g_free(field);
    g_free(message);
}

static void describe_auth_failure(struct api_error *error, long status, const char *code,
                                  const struct ecgrid_error_context *context)
{
    const char *connection = context && context->connection ? context->connection : "CONNECTION";
    api_error_set(error, API_AUTH, status, code ? code : "InvalidAPIKey",
                  "ECGrid refused the API key of %s (unknown or revoked): store a valid key with "
                  "portalctl auth set %s",
                  connection, connection);
}

static void describe_failure(struct api_error *error, long status, json_object *root,
                             const struct ecgrid_error_context *context)
{
    char code_buf[JSON_READ_SCALAR_LEN];
    char message_buf[JSON_READ_SCALAR_LEN];
    const char *raw_code = json_read_string_ci(root, "errorCode", code_buf);
    char *code = raw_code && raw_code[0] ? clean_vendor_text(raw_code) : NULL;
    const char *raw_message = json_read_string_ci(root, "message", message_buf);
    char *vendor = raw_message && raw_message[0] ? clean_vendor_text(raw_message) : NULL;
    enum api_error_kind kind = kind_for(code, status);
    const struct code_words *words = words_for(code, status);
    const char *action = context && context->action ? context->action : NULL;
    if (kind == API_AUTH) {
        describe_auth_failure(error, status, code, context);
    } else if (kind == API_BAD_RESPONSE) {
        api_error_set(error, kind, status, code,
                      "%s%sECGrid answered with HTTP %ld, which it never "
                      "sends: check the connection's url",
                      action ? action : "", action ? ": " : "", status);
    } else {
        GString *text = g_string_new(NULL);
        if (action)
            g_string_append_printf(text, "%s: ", action);
        g_string_append(text, words->what);
        if (status >= 500 || (!code && status >= 400))
            g_string_append_printf(text, " (HTTP %ld)", status);
        if (vendor)
            g_string_append_printf(text, ": %s", vendor);
        g_string_append_printf(text, " (%s)", words->advice);
        api_error_set(error, kind, status, code, "%s", text->str);
        g_string_free(text, TRUE);
        if (vendor)
            add_field_errors(error, context, code, vendor);
    }
    g_free(code);
    g_free(vendor);
}

/* ---- the envelope ---------------------------------------------------------- */

/* success as a boolean, 1, or "true"; when absent, an empty errorCode. */
static bool envelope_says_success(json_object *root)
{
    json_object *success = json_read_get_ci(root, "success");
    if (json_object_is_type(success, json_type_boolean))
        return json_object_get_boolean(success);
    if (json_object_is_type(success, json_type_int))
        return json_object_get_int64(success) != 0;
    if (json_object_is_type(success, json_type_string))
        return g_ascii_strcasecmp(json_object_get_string(success), "true") == 0;
    char buf[JSON_READ_SCALAR_LEN];
    const char *code = json_read_string_ci(root, "errorCode", buf);
    return !success && (!code || !code[0]);
}

bool ecgrid_read_answer(long http_status, const char *body, size_t body_len,
                        const struct ecgrid_error_context *context, struct ecgrid_answer *answer,
                        struct api_error *error)
{
    memset(answer, 0, sizeof(*answer));
    json_object *root = json_read_parse(body, body_len);
    bool is_object = json_object_is_type(root, json_type_object);
    if (http_status >= 200 && http_status < 300) {
        if (!is_object) {
            json_object_put(root);
            /* Only a change can have half happened: a read is simply worth repeating. */
            bool reads_only = context && context->reads_only;
            api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                          "%s%sECGrid's answer was not the JSON it promises (%s): %s",
                          context && context->action ? context->action : "",
                          context && context->action ? ": " : "",
                          root ? "no envelope" : "unreadable, cut short or nested too deep",
                          reads_only ? "nothing was changed, so trying again is safe"
                                     : "the request may or may not have taken effect");
            return false;
        }
        if (envelope_says_success(root)) {
            answer->root = root;
            answer->data = json_read_get_ci(root, "data");
            return true;
        }
    }
    describe_failure(error, http_status, is_object ? root : NULL, context);
    json_object_put(root);
    return false;
}

void ecgrid_answer_clear(struct ecgrid_answer *answer)
{
    json_object_put(answer->root);
    memset(answer, 0, sizeof(*answer));
}

static void set_bad_response(struct api_error *error, const char *what)
{
    api_error_set(error, API_BAD_RESPONSE, 200, NULL,
                  "ECGrid's answer did not have the expected shape (%s): report this to the "
                  "portalctl maintainers with the time it happened",
                  what);
}

/* ---- users ------------------------------------------------------------------- */

/* The first of several alias keys that has a scalar value. */
static const char *string_of_any(json_object *obj, const char *const keys[],
                                 char buf[JSON_READ_SCALAR_LEN])
{
    for (size_t i = 0; keys[i]; i++) {
        const char *text = json_read_string_ci(obj, keys[i], buf);
        if (text)
            return text;
    }
    return NULL;
}

static const char *const login_keys[] = {"login", "loginName", NULL};
static const char *const lockout_keys[] = {"lockedOut", "lockoutStatus", NULL};

/* lockedOut true / lockoutStatus "Locked" (or 1, "true"). */
static bool is_locked_out(json_object *user)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *text = string_of_any(user, lockout_keys, buf);
    return text &&
           (g_ascii_strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0 ||
            g_ascii_strcasecmp(text, "locked") == 0 || g_ascii_strcasecmp(text, "lockedout") == 0);
}

bool ecgrid_add_user(struct record_list *list, json_object *user)
{
    char id_buf[JSON_READ_SCALAR_LEN];
    int id = 0;
    if (!json_object_is_type(user, json_type_object) ||
        !ecgrid_parse_id(json_read_string_ci(user, "userId", id_buf), &id))
        return false;
    char buf[JSON_READ_SCALAR_LEN];
    struct record *record = record_list_append(list);
    snprintf(id_buf, sizeof(id_buf), "%d", id);
    record_set(list, record, RECORD_ID, id_buf);
    record_set(list, record, RECORD_NAME, string_of_any(user, login_keys, buf));
    record_set(list, record, RECORD_EMAIL, json_read_string_ci(user, "email", buf));
    const char *status = ecgrid_status_text(json_read_get_ci(user, "status"), buf);
    if (is_locked_out(user)) {
        char *shown = g_strdup_printf("%s, locked out", status ? status : "unknown");
        record_set(list, record, RECORD_STATUS, shown);
        g_free(shown);
    } else {
        record_set(list, record, RECORD_STATUS, status);
    }
    record_set(list, record, RECORD_ROLE,
               ecgrid_auth_level_text(json_read_get_ci(user, "authLevel"), buf));
    record_set(list, record, RECORD_CREATED, json_read_string_ci(user, "created", buf));
    json_read_add_extras(list, record, user);
    return true;
}

bool ecgrid_parse_user(json_object *data, struct record_list *out, struct api_error *error)
{
    if (ecgrid_add_user(out, data))
        return true;
    set_bad_response(error, "no user with a usable userId");
    return false;
}

/* Every entry of the array must be a user; on a bad entry nothing is added. */
static bool add_user_array(json_object *array, const char *login, struct record_list *out,
                           size_t *count, struct api_error *error)
{
    struct record_list page;
    record_list_init(&page);
    size_t n = json_object_array_length(array);
    for (size_t i = 0; i < n; i++) {
        json_object *user = json_object_array_get_idx(array, i);
        char buf[JSON_READ_SCALAR_LEN];
        const char *name = string_of_any(user, login_keys, buf);
        if (login && (!name || g_ascii_strcasecmp(name, login) != 0))
            continue;
        if (!ecgrid_add_user(&page, user)) {
            record_list_clear(&page);
            char *what = g_strdup_printf("entry %zu of the user list is not a user", i + 1);
            set_bad_response(error, what);
            g_free(what);
            return false;
        }
    }
    if (count)
        *count = n;
    record_list_move_all(out, &page);
    return true;
}

bool ecgrid_parse_users(json_object *data, struct record_list *out, size_t *count,
                        struct api_error *error)
{
    json_object *array = data;
    if (json_object_is_type(data, json_type_object))
        array = json_read_get_ci(data, "users");
    if (!json_object_is_type(array, json_type_array)) {
        set_bad_response(error, "the user list is not an array");
        return false;
    }
    return add_user_array(array, NULL, out, count, error);
}

bool ecgrid_parse_users_by_login(json_object *data, const char *login, struct record_list *out,
                                 struct api_error *error)
{
    if (json_object_is_type(data, json_type_object)) {
        char buf[JSON_READ_SCALAR_LEN];
        const char *name = string_of_any(data, login_keys, buf);
        if (name && g_ascii_strcasecmp(name, login) == 0)
            return ecgrid_parse_user(data, out, error);
        return true;
    }
    if (!data)
        return true; /* no data: nobody of that login */
    if (!json_object_is_type(data, json_type_array)) {
        set_bad_response(error, "the by-name answer is not a list of users");
        return false;
    }
    return add_user_array(data, login, out, NULL, error);
}

/* ---- mailboxes and portals ------------------------------------------------------ */

int ecgrid_mailbox_id_of(json_object *object)
{
    char buf[JSON_READ_SCALAR_LEN];
    int id = 0;
    if (!ecgrid_parse_id(json_read_string_ci(object, "mailboxId", buf), &id))
        return 0;
    return id;
}

static void put_json(gpointer object)
{
    json_object_put(object);
}

bool ecgrid_parse_mailbox_page(json_object *data, struct ecgrid_mailbox_page *page,
                               struct api_error *error)
{
    page->mailboxes = g_ptr_array_new_with_free_func(put_json);
    page->total = -1;
    json_object *array = data;
    if (json_object_is_type(data, json_type_object)) {
        array = json_read_get_ci(data, "mailboxes");
        json_object *total = json_read_get_ci(data, "totalRecords");
        if (json_object_is_type(total, json_type_int) && json_object_get_int64(total) >= 0)
            page->total = (long long)json_object_get_int64(total);
    }
    if (!json_object_is_type(array, json_type_array)) {
        set_bad_response(error, "the mailbox list has no mailboxes array");
        return false;
    }
    size_t n = json_object_array_length(array);
    for (size_t i = 0; i < n; i++) {
        json_object *mailbox = json_object_array_get_idx(array, i);
        if (!json_object_is_type(mailbox, json_type_object) || !ecgrid_mailbox_id_of(mailbox)) {
            char *what = g_strdup_printf("entry %zu of the mailbox list has no mailboxId", i + 1);
            set_bad_response(error, what);
            g_free(what);
            g_ptr_array_set_size(page->mailboxes, 0);
            return false;
        }
        g_ptr_array_add(page->mailboxes, json_object_get(mailbox));
    }
    return true;
}

void ecgrid_mailbox_page_clear(struct ecgrid_mailbox_page *page)
{
    if (page->mailboxes)
        g_ptr_array_unref(page->mailboxes);
    page->mailboxes = NULL;
}

static const char *const mailbox_name_keys[] = {"name", "uniqueId", NULL};

/* The mailbox's and the portal's members as "mailbox.*" and "portal.*". */
static void add_portal_extras(struct record_list *list, struct record *record, json_object *mailbox,
                              json_object *portal)
{
    json_object *both = json_object_new_object();
    if (!both)
        return;
    if (mailbox && json_object_object_add(both, "mailbox", json_object_get(mailbox)) != 0)
        json_object_put(mailbox);
    if (portal && json_object_object_add(both, "portal", json_object_get(portal)) != 0)
        json_object_put(portal);
    json_read_add_extras(list, record, both);
    json_object_put(both);
}

void ecgrid_add_portal_row(struct record_list *list, json_object *mailbox, json_object *portal)
{
    char buf[JSON_READ_SCALAR_LEN];
    int id = ecgrid_mailbox_id_of(mailbox);
    if (!id)
        id = ecgrid_mailbox_id_of(portal);
    struct record *record = record_list_append(list);
    if (id) {
        snprintf(buf, sizeof(buf), "%d", id);
        record_set(list, record, RECORD_ID, buf);
    }
    if (mailbox)
        record_set(list, record, RECORD_NAME, string_of_any(mailbox, mailbox_name_keys, buf));
    if (portal) {
        record_set(list, record, RECORD_URL, json_read_string_ci(portal, "url", buf));
        record_set(list, record, RECORD_STATUS,
                   ecgrid_status_text(json_read_get_ci(portal, "status"), buf));
        record_set(list, record, RECORD_CREATED, json_read_string_ci(portal, "created", buf));
    } else {
        record_set(list, record, RECORD_STATUS, "no portal");
    }
    add_portal_extras(list, record, mailbox, portal);
}

bool ecgrid_parse_portal(json_object *data, int mailbox_id, struct record_list *out,
                         struct api_error *error)
{
    if (!json_object_is_type(data, json_type_object)) {
        set_bad_response(error, "no portal object");
        return false;
    }
    json_object *known = NULL;
    if (!ecgrid_mailbox_id_of(data)) {
        if (mailbox_id <= 0) {
            set_bad_response(error, "the portal has no mailboxId");
            return false;
        }
        known = json_object_new_object();
        if (known)
            json_object_object_add(known, "mailboxId", json_object_new_int(mailbox_id));
    }
    ecgrid_add_portal_row(out, known, data);
    json_object_put(known);
    return true;
}

bool ecgrid_parse_confirmation(json_object *data, struct api_error *error)
{
    bool refused =
        (json_object_is_type(data, json_type_boolean) && !json_object_get_boolean(data)) ||
        (json_object_is_type(data, json_type_string) &&
         g_ascii_strcasecmp(json_object_get_string(data), "false") == 0) ||
        (json_object_is_type(data, json_type_int) && json_object_get_int64(data) == 0);
    if (refused)
        api_error_set(error, API_REFUSED, 200, NULL,
                      "ECGrid answered that it did not make the change (data false): check the "
                      "user and try again");
    return !refused;
}

/* ---- request bodies ------------------------------------------------------------ */

char *ecgrid_body_from_form(const struct form_spec *spec, const struct form_values *values)
{
    /* Sized for the worst escaping up front, so the buffer holding a password
     * never moves (a moved buffer would leave a copy behind, unwiped). */
    size_t size = 3;
    for (size_t i = 0; i < form_values_count(values); i++)
        size += strlen(form_values_key_at(values, i)) * 6 +
                strlen(form_values_value_at(values, i)) * 6 + 8;
    GString *body = g_string_sized_new(size);
    g_string_append_c(body, '{');
    bool first = true;
    for (size_t i = 0; i < spec->count; i++) {
        const struct field_spec *field = &spec->fields[i];
        const char *value = form_values_get(values, field->key);
        if (!value)
            continue;
        if (!first)
            g_string_append_c(body, ',');
        first = false;
        text_append_json_string(body, field->key);
        g_string_append_c(body, ':');
        int64_t number = 0;
        if (field->type != FIELD_INTEGER) {
            text_append_json_string(body, value);
        } else if (form_parse_integer(value, &number)) {
            g_string_append_printf(body, "%lld", (long long)number);
        } else {
            memset(body->str, 0, body->len);
            g_string_free(body, TRUE);
            return NULL;
        }
    }
    g_string_append_c(body, '}');
    return g_string_free(body, FALSE);
}
