/*
 * portal-sim, ECGrid REST v2 (paths "/v2/…"): the wire side of the simulated
 * vendor. Owns authentication by X-API-Key, routing, request validation (the
 * seeds' rules, enforced server-side as the vendor does), the AuthLevel rules
 * of shared/api/ecgrid.md section 3 and the envelope
 * {"success","data","errorCode","message"}. The data itself lives in
 * ecgrid_model.c. Never sleeps, never logs, never echoes a password or the key
 * it was called with (key-generate answers the new key: that is its purpose).
 */
#include <portalctl/sim/ecgrid_model.h>
#include <portalctl/sim/sim.h>

#include <stdarg.h>
#include <string.h>

/* The seed's password pattern, verbatim, and the ECGridOS minimum length. */
#define PASSWORD_PATTERN   "^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)(?=.*[^a-zA-Z0-9]).+$"
#define PASSWORD_MIN_CHARS 8
/* The HTML standard's "valid e-mail address", with at least one dot in the
 * domain (decision: a bare host name is no customer address). */
#define EMAIL_PATTERN                                                                              \
    "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"              \
    "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$"
#define EMAIL_MAX_CHARS 254
#define NAME_MAX_CHARS  50 /* firstName, lastName */

#define PAGE_SIZE_DEFAULT 25
#define PAGE_SIZE_MAX     500

struct ecgrid_sim {
    struct ecgrid_store *store;
    GRegex *password_rule;
    GRegex *email_rule;
};

/* ------------------------------------------------------------- errors */

enum ecgrid_error {
    ECGRID_INVALID_PARAMETER,
    ECGRID_DUPLICATE_OBJECT,
    ECGRID_INVALID_API_KEY,
    ECGRID_ACCESS_DENIED,
    ECGRID_OBJECT_NOT_FOUND,
    ECGRID_METHOD_NOT_ALLOWED,
    ECGRID_RATE_LIMIT_EXCEEDED,
    ECGRID_INTERNAL_ERROR,
    ECGRID_SERVICE_UNAVAILABLE,
};

/* Section 2 of the contract. Two codes are decisions, the vendor publishing
 * none: 405 for a known path with another method, and 503 (what a gateway in
 * front of the API answers while it is down) as "ServiceUnavailable". */
static const struct {
    int status;
    const char *code;
} error_table[] = {
    [ECGRID_INVALID_PARAMETER] = {400, "InvalidParameter"},
    [ECGRID_DUPLICATE_OBJECT] = {400, "DuplicateObject"},
    [ECGRID_INVALID_API_KEY] = {401, "InvalidAPIKey"},
    [ECGRID_ACCESS_DENIED] = {403, "AccessDenied"},
    [ECGRID_OBJECT_NOT_FOUND] = {404, "ObjectNotFound"},
    [ECGRID_METHOD_NOT_ALLOWED] = {405, "MethodNotAllowed"},
    [ECGRID_RATE_LIMIT_EXCEEDED] = {429, "RateLimitExceeded"},
    [ECGRID_INTERNAL_ERROR] = {500, "InternalError"},
    [ECGRID_SERVICE_UNAVAILABLE] = {503, "ServiceUnavailable"},
};

static void answer_error(struct sim_response *resp, enum ecgrid_error error, const char *message)
{
    GString *out = g_string_new("{\"success\":false");
    ecgrid_json_str(out, "errorCode", error_table[error].code);
    ecgrid_json_str(out, "message", message);
    ecgrid_json_key(out, "data");
    g_string_append(out, "null}");
    sim_response_gstring(resp, error_table[error].status, out);
}

/* ------------------------------------------------------ one API call */

struct ecgrid_call {
    struct ecgrid_sim *sim;
    const struct sim_request *req;
    struct sim_response *resp;
    struct ecgrid_user caller; /* a copy: pointers into the store move when users are added */
    json_object *body;         /* the request's JSON object, for routes that take one */
    int path_id;               /* the number in the path ("/v2/users/1042"), 0 when none */
};

/* Answers an error and returns false, so checks can end with `return reply_error(…)`. */
G_GNUC_PRINTF(3, 4)
static bool reply_error(struct ecgrid_call *call, enum ecgrid_error error, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    answer_error(call->resp, error, message);
    g_free(message);
    return false;
}

/* 400 InvalidParameter; the message names the field first (contract decision). */
G_GNUC_PRINTF(3, 4)
static bool reply_invalid(struct ecgrid_call *call, const char *field, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *problem = g_strdup_vprintf(format, args);
    va_end(args);
    reply_error(call, ECGRID_INVALID_PARAMETER, "%s: %s", field, problem);
    g_free(problem);
    return false;
}

static GString *envelope_begin(void)
{
    return g_string_new("{\"success\":true,\"data\":");
}

static void envelope_end(struct ecgrid_call *call, GString *out)
{
    g_string_append(out, ",\"errorCode\":\"\",\"message\":\"\"}");
    sim_response_gstring(call->resp, 200, out);
}

static void reply_user(struct ecgrid_call *call, const struct ecgrid_user *user)
{
    GString *out = envelope_begin();
    ecgrid_append_user(out, user);
    envelope_end(call, out);
}

static void reply_true(struct ecgrid_call *call)
{
    GString *out = envelope_begin();
    g_string_append(out, "true");
    envelope_end(call, out);
}

static gint64 now_seconds(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

/* ------------------------------------------------------ request body */

static bool only_whitespace(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isspace(text[i]))
            return false;
    }
    return true;
}

/* The body as a JSON object ({} when empty), or NULL after answering 400. */
static json_object *parse_body(struct ecgrid_call *call)
{
    const struct sim_request *req = call->req;
    if (only_whitespace(req->body, req->body_len))
        return json_object_new_object();
    if (req->body_len > (size_t)G_MAXINT32 - 1) {
        reply_invalid(call, "body", "is too large");
        return NULL;
    }
    json_tokener *tokener = json_tokener_new();
    json_object *body = json_tokener_parse_ex(tokener, req->body, (int)req->body_len);
    enum json_tokener_error error = json_tokener_get_error(tokener);
    size_t end = json_tokener_get_parse_end(tokener);
    json_tokener_free(tokener);
    if (error == json_tokener_continue || (error == json_tokener_success && !body))
        error = json_tokener_error_parse_eof;
    if (error == json_tokener_success && !only_whitespace(req->body + end, req->body_len - end))
        error = json_tokener_error_parse_unexpected;
    if (error != json_tokener_success) {
        json_object_put(body);
        reply_invalid(call, "body", "malformed JSON (%s)", json_tokener_error_desc(error));
        return NULL;
    }
    if (!json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        reply_invalid(call, "body", "must be a JSON object");
        return NULL;
    }
    return body;
}

/* The member named key, matched in any letter case (the vendor's JSON binding
 * is case-insensitive); NULL when absent or null. */
static json_object *body_member(const struct ecgrid_call *call, const char *key)
{
    json_object *value = NULL;
    if (json_object_object_get_ex(call->body, key, &value))
        return value;
    json_object_object_foreach(call->body, name, member)
    {
        if (g_ascii_strcasecmp(name, key) == 0)
            return member;
    }
    return NULL;
}

enum need { OPTIONAL, REQUIRED };

/* What an absent field means: fine when optional, 400 when required. */
static bool absent_field(struct ecgrid_call *call, const char *key, enum need need)
{
    return need == OPTIONAL || reply_invalid(call, key, "is required");
}

/* An integer in [min, max]; *out keeps its default when the field is absent.
 * Like every field_* reader: false after answering 400. */
static bool field_int(struct ecgrid_call *call, const char *key, enum need need, int min, int max,
                      int *out)
{
    json_object *value = body_member(call, key);
    if (!value)
        return absent_field(call, key, need);
    if (!json_object_is_type(value, json_type_int))
        return reply_invalid(call, key, "must be an integer");
    int64_t number = json_object_get_int64(value);
    if (number < min || number > max) {
        if (max == G_MAXINT32)
            return reply_invalid(call, key, "must be at least %d", min);
        return reply_invalid(call, key, "must be between %d and %d", min, max);
    }
    *out = (int)number;
    return true;
}

static bool field_id(struct ecgrid_call *call, const char *key, enum need need, int *out)
{
    return field_int(call, key, need, 1, G_MAXINT32, out);
}

/* A string in valid UTF-8; *out is NULL when absent. A required one must not be blank. */
static bool field_string(struct ecgrid_call *call, const char *key, enum need need,
                         const char **out)
{
    json_object *value = body_member(call, key);
    *out = NULL;
    if (!value)
        return absent_field(call, key, need);
    if (!json_object_is_type(value, json_type_string))
        return reply_invalid(call, key, "must be a string");
    const char *text = json_object_get_string(value);
    if (!g_utf8_validate(text, json_object_get_string_len(value), NULL))
        return reply_invalid(call, key, "must be valid UTF-8");
    if (need == REQUIRED && only_whitespace(text, strlen(text)))
        return reply_invalid(call, key, "is required");
    *out = text;
    return true;
}

static bool field_name(struct ecgrid_call *call, const char *key, const char **out)
{
    if (!field_string(call, key, OPTIONAL, out))
        return false;
    if (*out && g_utf8_strlen(*out, -1) > NAME_MAX_CHARS)
        return reply_invalid(call, key, "must be at most %d characters", NAME_MAX_CHARS);
    return true;
}

static bool field_email(struct ecgrid_call *call, const char *key, enum need need, const char **out)
{
    if (!field_string(call, key, need, out))
        return false;
    if (*out && (g_utf8_strlen(*out, -1) > EMAIL_MAX_CHARS ||
                 !g_regex_match(call->sim->email_rule, *out, 0, NULL)))
        return reply_invalid(call, key, "must be a valid e-mail address");
    return true;
}

static bool field_password(struct ecgrid_call *call, const char *key, const char **out)
{
    if (!field_string(call, key, REQUIRED, out))
        return false;
    if (g_utf8_strlen(*out, -1) < PASSWORD_MIN_CHARS)
        return reply_invalid(call, key, "must be at least %d characters", PASSWORD_MIN_CHARS);
    if (!g_regex_match(call->sim->password_rule, *out, 0, NULL))
        return reply_invalid(call, key,
                             "must contain a lower-case letter, an upper-case letter, a digit "
                             "and a special character");
    return true;
}

/* An AuthLevel by name or number; *given tells whether it was present. */
static bool field_level(struct ecgrid_call *call, const char *key, enum need need,
                        enum ecgrid_level *out, bool *given)
{
    json_object *value = body_member(call, key);
    *given = value != NULL;
    if (!value)
        return absent_field(call, key, need);
    if (!ecgrid_level_from_json(value, out)) {
        char *choices = ecgrid_level_choices();
        reply_invalid(call, key, "must be one of %s", choices);
        g_free(choices);
        return false;
    }
    return true;
}

static bool field_status(struct ecgrid_call *call, const char *key, enum ecgrid_status *out,
                         bool *given)
{
    json_object *value = body_member(call, key);
    *given = value != NULL;
    if (value && !ecgrid_status_from_json(value, out)) {
        char *choices = ecgrid_status_choices();
        reply_invalid(call, key, "must be one of %s", choices);
        g_free(choices);
        return false;
    }
    return true;
}

struct page {
    int number; /* from 1 */
    int size;
};

static bool field_page(struct ecgrid_call *call, struct page *page)
{
    page->number = 1;
    page->size = PAGE_SIZE_DEFAULT;
    return field_id(call, "pageNo", OPTIONAL, &page->number) &&
           field_int(call, "recordsPerPage", OPTIONAL, 1, PAGE_SIZE_MAX, &page->size);
}

/* ---------------------------------------------- who may do what (§3) */

/* Where a caller may manage users and portals. NetworkUser ranks above
 * MailboxAdmin but the contract gives it no network-wide rights: it gets the
 * narrower mailbox scope (decision). Root, TechOps and NetOps are Loren Data
 * staff and see every network. */
enum manage_scope { MANAGE_NOTHING, MANAGE_OWN_MAILBOX, MANAGE_OWN_NETWORK, MANAGE_EVERYTHING };

static enum manage_scope manage_scope_of(enum ecgrid_level level)
{
    if (level <= ECGRID_LEVEL_NET_OPS)
        return MANAGE_EVERYTHING;
    if (level == ECGRID_LEVEL_NETWORK_ADMIN)
        return MANAGE_OWN_NETWORK;
    if (level <= ECGRID_LEVEL_MAILBOX_ADMIN)
        return MANAGE_OWN_MAILBOX;
    return MANAGE_NOTHING;
}

/* Everyone reads within its own network; other ids answer 404 as unknown ones do. */
static bool sees_network(const struct ecgrid_user *caller, int network_id)
{
    return manage_scope_of(caller->level) == MANAGE_EVERYTHING || caller->network_id == network_id;
}

/* mailbox_id 0 stands for network-level users, which only network admins manage. */
static bool manages_mailbox(const struct ecgrid_user *caller, int network_id, int mailbox_id)
{
    switch (manage_scope_of(caller->level)) {
    case MANAGE_EVERYTHING:
        return true;
    case MANAGE_OWN_NETWORK:
        return caller->network_id == network_id;
    case MANAGE_OWN_MAILBOX:
        return caller->network_id == network_id && mailbox_id != 0 &&
               caller->mailbox_id == mailbox_id;
    case MANAGE_NOTHING:
        break;
    }
    return false;
}

/* Levels count down from Root: a smaller number ranks higher. */
static bool ranks_above(int level, int other)
{
    return level < other;
}

static const char *caller_level(const struct ecgrid_call *call)
{
    return ecgrid_level_name((enum ecgrid_level)call->caller.level);
}

static bool require_user_manager(struct ecgrid_call *call)
{
    if (manage_scope_of(call->caller.level) != MANAGE_NOTHING)
        return true;
    return reply_error(call, ECGRID_ACCESS_DENIED,
                       "AuthLevel %s cannot add, edit or remove users; MailboxAdmin or higher "
                       "is required",
                       caller_level(call));
}

static struct ecgrid_network *find_network(struct ecgrid_call *call, const char *key, int id)
{
    struct ecgrid_network *network = ecgrid_store_network(call->sim->store, id);
    if (network && sees_network(&call->caller, id))
        return network;
    reply_error(call, ECGRID_OBJECT_NOT_FOUND, "%s: network %d not found", key, id);
    return NULL;
}

static struct ecgrid_mailbox *find_mailbox(struct ecgrid_call *call, const char *key, int id)
{
    struct ecgrid_mailbox *mailbox = ecgrid_store_mailbox(call->sim->store, id);
    if (mailbox && sees_network(&call->caller, mailbox->network_id))
        return mailbox;
    reply_error(call, ECGRID_OBJECT_NOT_FOUND, "%s: mailbox %d not found", key, id);
    return NULL;
}

static struct ecgrid_user *find_user(struct ecgrid_call *call, int id)
{
    struct ecgrid_user *user = ecgrid_store_user(call->sim->store, id);
    if (user && sees_network(&call->caller, user->network_id))
        return user;
    reply_error(call, ECGRID_OBJECT_NOT_FOUND, "userId: user %d not found", id);
    return NULL;
}

/* The user the caller may manage, or NULL after answering 403 or 404. A user
 * ranked above the caller is out of its reach like one outside its scope. */
static struct ecgrid_user *find_managed_user(struct ecgrid_call *call, int id)
{
    if (!require_user_manager(call))
        return NULL;
    struct ecgrid_user *user = find_user(call, id);
    if (!user)
        return NULL;
    if (!manages_mailbox(&call->caller, user->network_id, user->mailbox_id)) {
        reply_error(call, ECGRID_ACCESS_DENIED, "userId: user %d is outside what %s %s manages", id,
                    caller_level(call), call->caller.login);
        return NULL;
    }
    if (ranks_above(user->level, call->caller.level)) {
        reply_error(call, ECGRID_ACCESS_DENIED,
                    "userId: user %d has AuthLevel %s, above your own (%s)", id,
                    ecgrid_level_name((enum ecgrid_level)user->level), caller_level(call));
        return NULL;
    }
    return user;
}

/* Terminated is final: such a user can no longer be changed (decision: 400). */
static bool require_not_terminated(struct ecgrid_call *call, const struct ecgrid_user *user)
{
    if (user->status != ECGRID_STATUS_TERMINATED)
        return true;
    return reply_invalid(call, "userId", "user %d is terminated", user->user_id);
}

/* ----------------------------------------------------------- portals */

static void portal_create(struct ecgrid_call *call)
{
    int mailbox_id = 0;
    if (!field_id(call, "mailboxId", REQUIRED, &mailbox_id))
        return;
    struct ecgrid_mailbox *mailbox = find_mailbox(call, "mailboxId", mailbox_id);
    if (!mailbox)
        return;
    if (!manages_mailbox(&call->caller, mailbox->network_id, mailbox_id)) {
        reply_error(call, ECGRID_ACCESS_DENIED,
                    "mailboxId: %s %s cannot create a portal for mailbox %d", caller_level(call),
                    call->caller.login, mailbox_id);
        return;
    }
    if (mailbox->portal) {
        reply_error(call, ECGRID_DUPLICATE_OBJECT,
                    "mailboxId: mailbox %d already has a portal (portalId %d)", mailbox_id,
                    mailbox->portal->portal_id);
        return;
    }
    ecgrid_store_add_portal(call->sim->store, mailbox, 0, now_seconds());
    GString *out = envelope_begin();
    ecgrid_append_portal(out, mailbox);
    envelope_end(call, out);
}

static void portal_by_mailbox(struct ecgrid_call *call)
{
    struct ecgrid_mailbox *mailbox = find_mailbox(call, "mailboxId", call->path_id);
    if (!mailbox)
        return;
    if (!mailbox->portal) {
        reply_error(call, ECGRID_OBJECT_NOT_FOUND, "mailboxId: mailbox %d has no portal",
                    mailbox->mailbox_id);
        return;
    }
    GString *out = envelope_begin();
    ecgrid_append_portal(out, mailbox);
    envelope_end(call, out);
}

/* --------------------------------------------------------- mailboxes */

static void mailbox_get(struct ecgrid_call *call)
{
    struct ecgrid_mailbox *mailbox = find_mailbox(call, "mailboxId", call->path_id);
    if (!mailbox)
        return;
    GString *out = envelope_begin();
    ecgrid_append_mailbox(out, mailbox);
    envelope_end(call, out);
}

struct mailbox_filter {
    int network_id; /* 0: any the caller sees */
    bool by_status;
    enum ecgrid_status status;
    const char *name; /* substring, letter case ignored */
};

static bool read_mailbox_filter(struct ecgrid_call *call, struct mailbox_filter *filter)
{
    return field_id(call, "networkId", OPTIONAL, &filter->network_id) &&
           field_status(call, "status", &filter->status, &filter->by_status) &&
           field_string(call, "name", OPTIONAL, &filter->name) &&
           (filter->network_id == 0 || find_network(call, "networkId", filter->network_id));
}

static bool mailbox_matches(const struct ecgrid_call *call, const struct mailbox_filter *filter,
                            const struct ecgrid_mailbox *mailbox)
{
    return sees_network(&call->caller, mailbox->network_id) &&
           (!filter->network_id || mailbox->network_id == filter->network_id) &&
           (!filter->by_status || mailbox->status == filter->status) &&
           (!filter->name || strcasestr(mailbox->name, filter->name));
}

static void mailboxes_list(struct ecgrid_call *call)
{
    struct mailbox_filter filter = {0};
    struct page page;
    if (!read_mailbox_filter(call, &filter) || !field_page(call, &page))
        return;
    GPtrArray *mailboxes = call->sim->store->mailboxes;
    GString *list = g_string_new("[");
    long long total = 0;
    long long first = (long long)(page.number - 1) * page.size;
    for (guint i = 0; i < mailboxes->len; i++) {
        const struct ecgrid_mailbox *mailbox = g_ptr_array_index(mailboxes, i);
        if (!mailbox_matches(call, &filter, mailbox))
            continue;
        if (total >= first && total < first + page.size) {
            if (list->len > 1)
                g_string_append_c(list, ',');
            ecgrid_append_mailbox(list, mailbox);
        }
        total++;
    }
    g_string_append_c(list, ']');
    GString *out = envelope_begin();
    g_string_append_c(out, '{');
    ecgrid_json_int(out, "totalRecords", total);
    ecgrid_json_int(out, "pageNo", page.number);
    ecgrid_json_int(out, "recordsPerPage", page.size);
    ecgrid_json_key(out, "mailboxes");
    g_string_append_len(out, list->str, (gssize)list->len);
    g_string_append_c(out, '}');
    g_string_free(list, TRUE);
    envelope_end(call, out);
}

/* ------------------------------------------------------ reading users */

static void user_get(struct ecgrid_call *call)
{
    const struct ecgrid_user *user = find_user(call, call->path_id);
    if (user)
        reply_user(call, user);
}

static void user_me(struct ecgrid_call *call)
{
    reply_user(call, ecgrid_store_user(call->sim->store, call->caller.user_id));
}

struct user_filter {
    int network_id; /* 0: any the caller sees */
    int mailbox_id; /* 0: any */
    bool by_level;
    enum ecgrid_level level;
    bool by_status;
    enum ecgrid_status status;
    const char *name; /* part of login, first or last name, letter case ignored */
};

static bool read_user_filter(struct ecgrid_call *call, struct user_filter *filter)
{
    return field_id(call, "networkId", OPTIONAL, &filter->network_id) &&
           field_id(call, "mailboxId", OPTIONAL, &filter->mailbox_id) &&
           field_level(call, "authLevel", OPTIONAL, &filter->level, &filter->by_level) &&
           field_status(call, "status", &filter->status, &filter->by_status) &&
           field_string(call, "name", OPTIONAL, &filter->name) &&
           (filter->network_id == 0 || find_network(call, "networkId", filter->network_id)) &&
           (filter->mailbox_id == 0 || find_mailbox(call, "mailboxId", filter->mailbox_id));
}

static bool user_matches(const struct ecgrid_call *call, const struct user_filter *filter,
                         const struct ecgrid_user *user)
{
    return sees_network(&call->caller, user->network_id) &&
           (!filter->network_id || user->network_id == filter->network_id) &&
           (!filter->mailbox_id || user->mailbox_id == filter->mailbox_id) &&
           (!filter->by_level || user->level == (gint8)filter->level) &&
           (!filter->by_status || user->status == (gint8)filter->status) &&
           (!filter->name || strcasestr(user->login, filter->name) ||
            strcasestr(user->first_name, filter->name) ||
            strcasestr(user->last_name, filter->name));
}

/* A bare array, as the vendor answers; the client pages until a short page. */
static void users_list(struct ecgrid_call *call)
{
    struct user_filter filter = {0};
    struct page page;
    if (!read_user_filter(call, &filter) || !field_page(call, &page))
        return;
    const struct ecgrid_store *store = call->sim->store;
    size_t skip = (size_t)(page.number - 1) * (size_t)page.size;
    size_t listed = 0;
    GString *out = envelope_begin();
    g_string_append_c(out, '[');
    size_t count = ecgrid_store_user_count(store);
    for (size_t i = 0; i < count && listed < (size_t)page.size; i++) {
        const struct ecgrid_user *user = ecgrid_store_user_at(store, i);
        if (!user_matches(call, &filter, user))
            continue;
        if (skip) {
            skip--;
            continue;
        }
        if (listed++)
            g_string_append_c(out, ',');
        ecgrid_append_user(out, user);
    }
    g_string_append_c(out, ']');
    envelope_end(call, out);
}

static void users_by_name(struct ecgrid_call *call)
{
    const char *login = NULL;
    if (!field_string(call, "login", REQUIRED, &login))
        return;
    const struct ecgrid_store *store = call->sim->store;
    GString *out = envelope_begin();
    g_string_append_c(out, '[');
    bool first = true;
    for (guint i = 0; i < store->networks->len; i++) {
        const struct ecgrid_network *network = g_ptr_array_index(store->networks, i);
        const struct ecgrid_user *user =
            sees_network(&call->caller, network->network_id)
                ? ecgrid_store_user_by_login(store, network->network_id, login)
                : NULL;
        if (!user)
            continue;
        if (!first)
            g_string_append_c(out, ',');
        first = false;
        ecgrid_append_user(out, user);
    }
    g_string_append_c(out, ']');
    envelope_end(call, out);
}

/* ---------------------------------------------------- managing users */

struct new_user {
    const char *login;
    const char *password;
    const char *email;
    const char *first_name;
    const char *last_name;
    int network_id;
    int mailbox_id;
    enum ecgrid_level level;
};

/* The seed's fields in the seed's order, so the first broken rule is reported. */
static bool read_new_user(struct ecgrid_call *call, struct new_user *in)
{
    bool level_given = false;
    if (!field_string(call, "login", REQUIRED, &in->login) ||
        !field_password(call, "password", &in->password) ||
        !field_email(call, "email", REQUIRED, &in->email) ||
        !field_name(call, "firstName", &in->first_name) ||
        !field_name(call, "lastName", &in->last_name) ||
        !field_id(call, "networkId", OPTIONAL, &in->network_id) ||
        !field_id(call, "mailboxId", OPTIONAL, &in->mailbox_id) ||
        !field_level(call, "authLevel", OPTIONAL, &in->level, &level_given))
        return false;
    if (in->level == ECGRID_LEVEL_NO_CHANGE)
        return reply_invalid(call, "authLevel", "NoChange is only valid when changing a role");
    return true;
}

/* Where the new user goes must exist, be visible and be the caller's to manage. */
static bool check_new_user_place(struct ecgrid_call *call, const struct new_user *in)
{
    if (!find_network(call, "networkId", in->network_id))
        return false;
    if (in->mailbox_id) {
        const struct ecgrid_mailbox *mailbox = find_mailbox(call, "mailboxId", in->mailbox_id);
        if (!mailbox)
            return false;
        if (mailbox->network_id != in->network_id)
            return reply_invalid(call, "mailboxId", "must belong to network %d", in->network_id);
    }
    if (!manages_mailbox(&call->caller, in->network_id, in->mailbox_id))
        return reply_error(call, ECGRID_ACCESS_DENIED,
                           "mailboxId: %s %s cannot add users to mailbox %d", caller_level(call),
                           call->caller.login, in->mailbox_id);
    if (ranks_above((int)in->level, call->caller.level))
        return reply_error(call, ECGRID_ACCESS_DENIED,
                           "authLevel: cannot create a user with AuthLevel %s, above your own (%s)",
                           ecgrid_level_name(in->level), caller_level(call));
    return true;
}

static void user_create(struct ecgrid_call *call)
{
    struct new_user in = {
        .network_id = call->caller.network_id,
        .mailbox_id = call->caller.mailbox_id,
        .level = ECGRID_LEVEL_MAILBOX_USER,
    };
    if (!require_user_manager(call) || !read_new_user(call, &in) ||
        !check_new_user_place(call, &in))
        return;
    struct ecgrid_store *store = call->sim->store;
    if (ecgrid_store_user_by_login(store, in.network_id, in.login)) {
        reply_error(call, ECGRID_DUPLICATE_OBJECT, "login: %s is already taken in network %d",
                    in.login, in.network_id);
        return;
    }
    gint64 now = now_seconds();
    struct ecgrid_user fields = {
        .login = in.login,
        .email = in.email,
        .first_name = in.first_name,
        .last_name = in.last_name,
        .company = "",
        .network_id = in.network_id,
        .mailbox_id = in.mailbox_id,
        .level = (gint8)in.level,
        .status = ECGRID_STATUS_ACTIVE,
        .created = now,
        .modified = now,
    };
    struct ecgrid_user *user = ecgrid_store_add_user(store, &fields);
    if (!user) { /* only when the id space is exhausted */
        reply_error(call, ECGRID_INTERNAL_ERROR, "no user id left");
        return;
    }
    ecgrid_store_set_password(store, user, in.password);
    reply_user(call, user);
}

static void user_update(struct ecgrid_call *call)
{
    int user_id = 0;
    const char *email = NULL;
    const char *first_name = NULL;
    const char *last_name = NULL;
    if (!require_user_manager(call) || !field_id(call, "userId", REQUIRED, &user_id) ||
        !field_email(call, "email", OPTIONAL, &email) ||
        !field_name(call, "firstName", &first_name) || !field_name(call, "lastName", &last_name))
        return;
    struct ecgrid_user *user = find_managed_user(call, user_id);
    if (!user || !require_not_terminated(call, user))
        return;
    struct ecgrid_store *store = call->sim->store;
    if (email)
        ecgrid_store_set_string(store, &user->email, email);
    if (first_name)
        ecgrid_store_set_string(store, &user->first_name, first_name);
    if (last_name)
        ecgrid_store_set_string(store, &user->last_name, last_name);
    user->modified = now_seconds();
    reply_user(call, user);
}

/* DELETE: the user is terminated, not removed; its login stays taken. */
static void user_terminate(struct ecgrid_call *call)
{
    struct ecgrid_user *user = find_managed_user(call, call->path_id);
    if (!user)
        return;
    if (user->status != ECGRID_STATUS_TERMINATED) {
        user->status = ECGRID_STATUS_TERMINATED;
        user->modified = now_seconds();
    }
    reply_true(call);
}

static void user_set_role(struct ecgrid_call *call)
{
    int user_id = 0;
    enum ecgrid_level level = ECGRID_LEVEL_NO_CHANGE;
    bool given = false;
    if (!require_user_manager(call) || !field_id(call, "userId", REQUIRED, &user_id) ||
        !field_level(call, "authLevel", REQUIRED, &level, &given))
        return;
    struct ecgrid_user *user = find_managed_user(call, user_id);
    if (!user || !require_not_terminated(call, user))
        return;
    if (level != ECGRID_LEVEL_NO_CHANGE) {
        if (ranks_above((int)level, call->caller.level)) {
            reply_error(call, ECGRID_ACCESS_DENIED,
                        "authLevel: cannot raise a user to %s, above your own AuthLevel (%s)",
                        ecgrid_level_name(level), caller_level(call));
            return;
        }
        user->level = (gint8)level;
        user->modified = now_seconds();
    }
    reply_user(call, user);
}

static void user_set_password(struct ecgrid_call *call)
{
    int user_id = 0;
    const char *password = NULL;
    if (!require_user_manager(call) || !field_id(call, "userId", REQUIRED, &user_id) ||
        !field_password(call, "newPassword", &password))
        return;
    struct ecgrid_user *user = find_managed_user(call, user_id);
    if (!user || !require_not_terminated(call, user))
        return;
    ecgrid_store_set_password(call->sim->store, user, password);
    user->modified = now_seconds();
    reply_true(call);
}

/* Ends the user's sessions. The simulator keeps no portal sessions, so what
 * remains visible is that a reset also clears a lock-out (decision). */
static void user_reset(struct ecgrid_call *call)
{
    struct ecgrid_user *user = find_managed_user(call, call->path_id);
    if (!user || !require_not_terminated(call, user))
        return;
    if (user->locked_out) {
        user->locked_out = false;
        user->modified = now_seconds();
    }
    reply_true(call);
}

/* A new API key for a user; the old one answers 401 from now on. The user
 * itself may rotate its own key whatever its level (decision: the portal's
 * profile page lets everyone do it); anyone else needs the §3 rights over the
 * user that editing it would need. data is the new key as a string. */
static void user_key_generate(struct ecgrid_call *call)
{
    struct ecgrid_user *user = call->path_id == call->caller.user_id
                                   ? ecgrid_store_user(call->sim->store, call->path_id)
                                   : find_managed_user(call, call->path_id);
    if (!user || !require_not_terminated(call, user))
        return;
    const char *key = ecgrid_store_set_key(call->sim->store, user->user_id, NULL);
    GString *out = envelope_begin();
    sim_json_append_string(out, key);
    envelope_end(call, out);
}

/* ----------------------------------------------------------- routing */

struct ecgrid_route {
    const char *method;
    const char *pattern; /* after "/v2/"; "#" stands for a numeric id */
    bool takes_body;
    void (*handler)(struct ecgrid_call *call);
};

/* Literal paths come before the "#" ones they would otherwise look like. */
static const struct ecgrid_route routes[] = {
    {"POST", "portals/create", true, portal_create},
    {"GET", "portals/by-mailbox/#", false, portal_by_mailbox},
    {"POST", "mailboxes/list", true, mailboxes_list},
    {"GET", "mailboxes/#", false, mailbox_get},
    {"GET", "users/me", false, user_me},
    {"POST", "users/list", true, users_list},
    {"POST", "users/by-name", true, users_by_name},
    {"POST", "users/role", true, user_set_role},
    {"POST", "users/password", true, user_set_password},
    {"POST", "users/reset/#", false, user_reset},
    {"POST", "users/key-generate/#", false, user_key_generate},
    {"GET", "users/#", false, user_get},
    {"DELETE", "users/#", false, user_terminate},
    {"POST", "users", true, user_create},
    {"PUT", "users", true, user_update},
};

static bool parse_path_id(const char *segment, size_t len, int *id)
{
    if (len == 0 || len > 10)
        return false;
    gint64 value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isdigit(segment[i]))
            return false;
        value = value * 10 + (segment[i] - '0');
    }
    if (value > G_MAXINT32)
        return false;
    *id = (int)value;
    return true;
}

/* Segment by segment, letter case ignored as ASP.NET routing does. */
static bool pattern_matches(const char *pattern, const char *path, int *id)
{
    for (;;) {
        size_t pattern_len = strcspn(pattern, "/");
        size_t segment_len = strcspn(path, "/");
        if (pattern_len == 1 && pattern[0] == '#') {
            if (!parse_path_id(path, segment_len, id))
                return false;
        } else if (pattern_len != segment_len ||
                   g_ascii_strncasecmp(pattern, path, pattern_len) != 0) {
            return false;
        }
        pattern += pattern_len;
        path += segment_len;
        if (*pattern != *path)
            return false;
        if (*pattern == '\0')
            return true;
        pattern++;
        path++;
    }
}

/* The route for the request, or NULL after answering 404 or 405. */
static const struct ecgrid_route *find_route(struct ecgrid_call *call)
{
    const char *full_path = call->req->path;
    char *path = g_strdup(strlen(full_path) > 4 ? full_path + 4 : "");
    for (size_t len = strlen(path); len && path[len - 1] == '/'; len--)
        path[len - 1] = '\0'; /* "/v2/users/" is "/v2/users" */
    const struct ecgrid_route *route = NULL;
    GString *allowed = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(routes) && !route; i++) {
        int id = 0;
        if (!pattern_matches(routes[i].pattern, path, &id))
            continue;
        if (strcmp(routes[i].method, call->req->method) == 0) {
            route = &routes[i];
            call->path_id = id;
        } else {
            g_string_append_printf(allowed, "%s%s", allowed->len ? ", " : "", routes[i].method);
        }
    }
    if (!route && allowed->len)
        reply_error(call, ECGRID_METHOD_NOT_ALLOWED, "%s is not allowed on %s; use %s",
                    call->req->method, full_path, allowed->str);
    else if (!route)
        reply_error(call, ECGRID_OBJECT_NOT_FOUND, "No endpoint %s %s", call->req->method,
                    full_path);
    g_string_free(allowed, TRUE);
    g_free(path);
    return route;
}

/* ------------------------------------------------------------ vendor */

static const char *ecgrid_credential(const struct sim_request *req)
{
    const char *key = sim_request_header(req, "x-api-key");
    return key && *key ? key : NULL;
}

/* A missing, unknown or revoked key (its user terminated or suspended) is 401. */
static bool authenticate(struct ecgrid_call *call)
{
    int user_id = ecgrid_store_key_user_id(call->sim->store, ecgrid_credential(call->req));
    const struct ecgrid_user *user = user_id ? ecgrid_store_user(call->sim->store, user_id) : NULL;
    if (!user || user->status == ECGRID_STATUS_TERMINATED ||
        user->status == ECGRID_STATUS_SUSPENDED)
        return reply_error(call, ECGRID_INVALID_API_KEY,
                           "The provided API key is not valid or has been revoked.");
    call->caller = *user;
    return true;
}

static void ecgrid_handle(void *state, const struct sim_request *req, struct sim_response *resp)
{
    struct ecgrid_call call = {.sim = state, .req = req, .resp = resp};
    if (!authenticate(&call))
        return;
    const struct ecgrid_route *route = find_route(&call);
    if (!route)
        return;
    if (route->takes_body && !(call.body = parse_body(&call)))
        return;
    route->handler(&call);
    json_object_put(call.body);
}

static void ecgrid_error(enum sim_error_kind kind, const struct sim_request *req,
                         struct sim_response *resp)
{
    (void)req; /* one error shape for every path */
    switch (kind) {
    case SIM_ERROR_RATE_LIMITED:
        answer_error(resp, ECGRID_RATE_LIMIT_EXCEEDED,
                     "Too many requests. Retry after the number of seconds in Retry-After.");
        return;
    case SIM_ERROR_UNAVAILABLE:
        answer_error(resp, ECGRID_SERVICE_UNAVAILABLE,
                     "The service is temporarily unavailable. Please retry later.");
        return;
    case SIM_ERROR_NOT_FOUND:
        answer_error(resp, ECGRID_OBJECT_NOT_FOUND, "No such endpoint.");
        return;
    case SIM_ERROR_INTERNAL:
        break;
    }
    answer_error(resp, ECGRID_INTERNAL_ERROR, "An internal error occurred.");
}

static bool ecgrid_owns_path(const char *path)
{
    return strcmp(path, "/v2") == 0 || strncmp(path, "/v2/", 4) == 0;
}

static GRegex *compile_rule(const char *pattern)
{
    GError *error = NULL;
    GRegex *regex = g_regex_new(pattern, 0, 0, &error);
    if (!regex)
        g_error("ecgrid: bad built-in pattern %s: %s", pattern, error->message);
    return regex;
}

static void *ecgrid_create(const struct sim_options *options)
{
    (void)options; /* ECGrid's data is fixed; nothing depends on the base URL or seed */
    struct ecgrid_sim *sim = g_new0(struct ecgrid_sim, 1);
    sim->store = ecgrid_store_new_seeded();
    sim->password_rule = compile_rule(PASSWORD_PATTERN);
    sim->email_rule = compile_rule(EMAIL_PATTERN);
    return sim;
}

static void ecgrid_destroy(void *state)
{
    struct ecgrid_sim *sim = state;
    if (!sim)
        return;
    ecgrid_store_free(sim->store);
    g_regex_unref(sim->password_rule);
    g_regex_unref(sim->email_rule);
    g_free(sim);
}

static void ecgrid_seed_users(void *state, size_t n)
{
    struct ecgrid_sim *sim = state;
    ecgrid_store_seed_users(sim->store, n);
}

static bool ecgrid_save(void *state, FILE *out)
{
    struct ecgrid_sim *sim = state;
    return ecgrid_store_save(sim->store, out);
}

static bool ecgrid_load(void *state, struct sim_json_stream *in, char **error)
{
    struct ecgrid_sim *sim = state;
    struct ecgrid_store *store = ecgrid_store_load(in, error);
    if (!store)
        return false;
    ecgrid_store_free(sim->store);
    sim->store = store;
    return true;
}

const struct sim_vendor sim_vendor_ecgrid = {
    .name = "ecgrid",
    .owns_path = ecgrid_owns_path,
    .create = ecgrid_create,
    .destroy = ecgrid_destroy,
    .seed_users = ecgrid_seed_users,
    .save = ecgrid_save,
    .load = ecgrid_load,
    .handle = ecgrid_handle,
    .error = ecgrid_error,
    .credential = ecgrid_credential,
};
