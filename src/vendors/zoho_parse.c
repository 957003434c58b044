/*
 * Zoho CRM v7: reading CRM answers (outcomes, errors, portals, user types,
 * users, contacts, bulk jobs) and building request bodies. Pure functions,
 * see zoho_parse.h; OAuth answers are in zoho_parse_oauth.c.
 */
#include <portalctl/zoho_parse.h>

#include <portalctl/json_read.h>
#include <portalctl/text.h>

#include <json-c/json.h>
#include <string.h>

/* Server messages longer than this are cut: one line in a status bar. */
#define ZOHO_TEXT_MAX_CHARS 300

/* zoho.md §1: the accounts server and API domain of every data centre. */
static const struct zoho_data_centre data_centres[] = {
    {"com", "https://accounts.zoho.com", "https://www.zohoapis.com"},
    {"eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"},
    {"in", "https://accounts.zoho.in", "https://www.zohoapis.in"},
    {"com.au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"},
    {"jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"},
    {"ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"},
    {"sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"},
    {"com.cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"},
    {"uk", "https://accounts.zoho.uk", "https://www.zohoapis.uk"},
};

/* Advice for a helpdesk person, per Zoho code (zoho.md §3-§7). Codes are an
 * open set: a code not listed gets the server's message alone. */
static const struct code_advice {
    const char *code;
    const char *advice;
} code_advice[] = {
    {"INVALID_TOKEN", "the access token was refused even after a refresh: run portalctl auth "
                      "grant for this connection"},
    {"AUTHENTICATION_FAILURE", "the access token was refused even after a refresh: run "
                               "portalctl auth grant for this connection"},
    {"OAUTH_SCOPE_MISMATCH", "the grant lacks the scopes ZohoCRM.settings.clientportal.ALL and "
                             "ZohoCRM.modules.contacts.ALL: run portalctl auth grant again"},
    {"NO_PERMISSION", "your Zoho user lacks a permission for this: ask your Zoho administrator"},
    {"TOO_MANY_REQUESTS", "your organisation's Zoho API limit was reached: try again in a few "
                          "minutes"},
    {"LICENSE_LIMIT_EXCEEDED", "no portal user licence is left: remove a portal user or buy "
                               "more licences"},
    {"LIMIT_EXCEEDED", "a Zoho limit was reached (portal user licences, or records per "
                       "request)"},
    {"ALREADY_USED", "choose another name"},
    {"DUPLICATE_DATA", "a portal user with this e-mail already exists"},
    {"INVALID_URL_PATTERN", "this Zoho host does not know the API path: check the "
                            "connection's url"},
    {"INVALID_REQUEST_METHOD", "Zoho does not offer this operation"},
    {"INTERNAL_ERROR", "Zoho had a problem of its own: try again later"},
};

/* The keys under which Zoho's details name the object an outcome is about. */
static const char *const detail_id_keys[] = {"id", "record_id", "personality_id", "job_id", "name"};

/* ---- small helpers ---------------------------------------------------------- */

char *zoho_clean_text(const char *raw)
{
    char *clean = text_sanitize(raw);
    if (g_utf8_strlen(clean, -1) <= ZOHO_TEXT_MAX_CHARS)
        return clean;
    char *cut = g_utf8_substring(clean, 0, ZOHO_TEXT_MAX_CHARS);
    char *result = g_strconcat(cut, "…", NULL);
    g_free(cut);
    g_free(clean);
    return result;
}

static char *scalar_copy(json_object *obj, const char *key)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *text = json_read_string(obj, key, buf);
    return text ? g_strdup(text) : NULL;
}

static char *clean_copy(json_object *obj, const char *key)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *text = json_read_string(obj, key, buf);
    return text ? zoho_clean_text(text) : NULL;
}

static bool is_success_status(long http_status)
{
    return http_status >= 200 && http_status < 300;
}

/* What kind of failure an HTTP status alone says. */
static enum api_error_kind kind_for_status(long http_status)
{
    if (http_status == 401)
        return API_AUTH;
    if (http_status == 429 || http_status >= 500)
        return API_NETWORK;
    if (http_status >= 400)
        return API_REFUSED;
    return API_BAD_RESPONSE;
}

static void set_unreadable(struct api_error *error, long http_status, const char *what)
{
    enum api_error_kind kind = kind_for_status(http_status);
    if (kind == API_NETWORK)
        api_error_set(error, kind, http_status, NULL,
                      "Zoho could not answer (HTTP %ld): try again later", http_status);
    else if (kind == API_AUTH)
        api_error_set(error, kind, http_status, NULL,
                      "Zoho refused the credentials (HTTP 401): run portalctl auth grant for "
                      "this connection");
    else
        api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                      "Zoho's answer (HTTP %ld) could not be read: %s", http_status, what);
}

const struct zoho_data_centre *zoho_data_centre_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(data_centres); i++) {
        if (strcmp(data_centres[i].name, name ? name : "com") == 0)
            return &data_centres[i];
    }
    return NULL;
}

/* ---- outcomes ----------------------------------------------------------------- */

void zoho_outcome_free(struct zoho_outcome *outcome)
{
    if (!outcome)
        return;
    g_free(outcome->code);
    g_free(outcome->message);
    g_free(outcome->api_name);
    g_free(outcome->param);
    g_free(outcome->id);
    g_free(outcome->limit_hint);
    g_free(outcome->permissions);
    g_free(outcome);
}

static char *limit_hint(json_object *details)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *value;
    if ((value = json_read_string(details, "minimum_length", buf)))
        return g_strdup_printf("must have at least %s characters", value);
    if ((value = json_read_string(details, "maximum_length", buf)))
        return g_strdup_printf("must have at most %s characters", value);
    if ((value = json_read_string(details, "expected_data_type", buf)))
        return g_strdup_printf("must be a valid %s", value);
    if ((value = json_read_string(details, "limit", buf)))
        return g_strdup_printf("at most %s at once", value);
    return NULL;
}

static char *permissions_text(json_object *details)
{
    json_object *list = json_read_get(details, "permissions");
    if (!json_object_is_type(list, json_type_array))
        return clean_copy(details, "permissions");
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < json_object_array_length(list) && i < 8; i++) {
        char buf[JSON_READ_SCALAR_LEN];
        const char *name = json_read_scalar(json_object_array_get_idx(list, i), buf);
        if (!name)
            continue;
        if (text->len)
            g_string_append(text, ", ");
        g_string_append(text, name);
    }
    char *clean = text->len ? zoho_clean_text(text->str) : NULL;
    g_string_free(text, TRUE);
    return clean;
}

static void read_details(struct zoho_outcome *outcome, json_object *details)
{
    if (!json_object_is_type(details, json_type_object))
        return;
    outcome->api_name = clean_copy(details, "api_name");
    outcome->param = clean_copy(details, "param");
    for (size_t i = 0; i < G_N_ELEMENTS(detail_id_keys) && !outcome->id; i++)
        outcome->id = scalar_copy(details, detail_id_keys[i]);
    outcome->limit_hint = limit_hint(details);
    outcome->permissions = permissions_text(details);
    outcome->names_url_part = json_read_get(details, "resource_path_index") != NULL;
}

static struct zoho_outcome *outcome_from(json_object *entry)
{
    struct zoho_outcome *outcome = g_new0(struct zoho_outcome, 1);
    outcome->code = clean_copy(entry, "code");
    outcome->message = clean_copy(entry, "message");
    char buf[JSON_READ_SCALAR_LEN];
    const char *status = json_read_string(entry, "status", buf);
    if (status)
        outcome->success = g_ascii_strcasecmp(status, "success") == 0;
    else /* no status: the code alone says it */
        outcome->success = outcome->code && (strcmp(outcome->code, "SUCCESS") == 0 ||
                                             strcmp(outcome->code, "SCHEDULED") == 0);
    read_details(outcome, json_read_get(entry, "details"));
    return outcome;
}

static bool looks_like_status(json_object *obj)
{
    return json_read_get(obj, "code") != NULL || json_read_get(obj, "status") != NULL;
}

static bool add_outcome_array(json_object *array, GPtrArray *outcomes)
{
    for (size_t i = 0; i < json_object_array_length(array); i++) {
        json_object *entry = json_object_array_get_idx(array, i);
        if (!json_object_is_type(entry, json_type_object))
            return false;
        g_ptr_array_add(outcomes, outcome_from(entry));
    }
    return true;
}

bool zoho_parse_outcomes(long http_status, const char *body, size_t len, const char *key,
                         GPtrArray *outcomes, struct api_error *error)
{
    if (len == 0) {
        if (is_success_status(http_status))
            return true;
        set_unreadable(error, http_status, "it has no body");
        return false;
    }
    json_object *root = json_read_parse(body, len);
    bool ok = false;
    json_object *array = key ? json_read_get(root, key) : NULL;
    if (json_object_is_type(array, json_type_array))
        ok = add_outcome_array(array, outcomes);
    else if (json_object_is_type(root, json_type_object) && looks_like_status(root)) {
        g_ptr_array_add(outcomes, outcome_from(root));
        ok = true;
    }
    json_object_put(root);
    if (!ok)
        set_unreadable(error, http_status, "it is not Zoho's status shape");
    return ok;
}

static const char *advice_for(const char *code)
{
    for (size_t i = 0; code && i < G_N_ELEMENTS(code_advice); i++) {
        if (strcmp(code_advice[i].code, code) == 0)
            return code_advice[i].advice;
    }
    return NULL;
}

static enum api_error_kind kind_for_outcome(const struct zoho_outcome *outcome, long http_status)
{
    const char *code = outcome->code ? outcome->code : "";
    if (strcmp(code, "INVALID_TOKEN") == 0 || strcmp(code, "AUTHENTICATION_FAILURE") == 0 ||
        strcmp(code, "OAUTH_SCOPE_MISMATCH") == 0)
        return API_AUTH;
    if (strcmp(code, "TOO_MANY_REQUESTS") == 0 || strcmp(code, "INTERNAL_ERROR") == 0)
        return API_NETWORK;
    enum api_error_kind kind = kind_for_status(http_status);
    return kind == API_BAD_RESPONSE ? API_REFUSED : kind; /* an error entry in a 2xx */
}

static const char *lead_for(enum api_error_kind kind)
{
    switch (kind) {
    case API_AUTH:
        return "Zoho refused the credentials to";
    case API_NETWORK:
        return "Zoho could not";
    default:
        return "Zoho refused to";
    }
}

void zoho_error_from_outcome(const struct zoho_outcome *outcome, long http_status,
                             const char *action, int row, struct api_error *error)
{
    enum api_error_kind kind = kind_for_outcome(outcome, http_status);
    const char *code = outcome->code;
    const char *message = outcome->message ? outcome->message : "no reason given";
    const char *advice = advice_for(code);
    GString *text = g_string_new(NULL);
    g_string_printf(text, "%s %s: %s", lead_for(kind), action ? action : "do that", message);
    if (code)
        g_string_append_printf(text, " (%s)", code);
    if (outcome->limit_hint)
        g_string_append_printf(text, ": %s", outcome->limit_hint);
    if (advice)
        g_string_append_printf(text, "; %s", advice);
    if (outcome->permissions)
        g_string_append_printf(text, " (needed: %s)", outcome->permissions);
    api_error_set(error, kind, http_status, code, "%s", text->str);
    g_string_free(text, TRUE);
    const char *field = outcome->api_name ? outcome->api_name : outcome->param;
    if (field || row >= 0)
        api_error_add_field(error, field, row, outcome->limit_hint ? outcome->limit_hint : message);
}

void zoho_error_from_answer(long http_status, const char *body, size_t len, const char *key,
                            const char *action, struct api_error *error)
{
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    if (zoho_parse_outcomes(http_status, body, len, key, outcomes, error)) {
        const struct zoho_outcome *failed = NULL;
        for (guint i = 0; i < outcomes->len && !failed; i++) {
            const struct zoho_outcome *o = g_ptr_array_index(outcomes, i);
            if (!o->success)
                failed = o;
        }
        if (failed)
            zoho_error_from_outcome(failed, http_status, action, -1, error);
        else
            set_unreadable(error, http_status, "it does not say what went wrong");
    }
    g_ptr_array_unref(outcomes);
}

bool zoho_is_token_refusal(long http_status, const char *body, size_t len)
{
    if (http_status != 401)
        return false;
    json_object *root = json_read_parse(body, len);
    char buf[JSON_READ_SCALAR_LEN];
    const char *code = json_read_string(root, "code", buf);
    bool refused =
        code && (strcmp(code, "INVALID_TOKEN") == 0 || strcmp(code, "AUTHENTICATION_FAILURE") == 0);
    json_object_put(root);
    return refused;
}

/* ---- records ---------------------------------------------------------------------- */

/* The array under key of a 2xx answer; *root to release. NULL after a 204
 * (*empty set) or on error (*error set). */
static json_object *read_list(long http_status, const char *body, size_t len, const char *key,
                              const char *action, json_object **root, bool *empty,
                              struct api_error *error)
{
    *root = NULL;
    *empty = false;
    if (!is_success_status(http_status)) {
        zoho_error_from_answer(http_status, body, len, key, action, error);
        return NULL;
    }
    if (len == 0 || http_status == 204) {
        *empty = true;
        return NULL;
    }
    *root = json_read_parse(body, len);
    json_object *list = json_read_get(*root, key);
    if (!*root)
        api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                      "Zoho's answer when trying to %s could not be read: it is not JSON", action);
    else if (!json_object_is_type(list, json_type_array))
        api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                      "Zoho's answer when trying to %s could not be read: it has no \"%s\" list",
                      action, key);
    if (!json_object_is_type(list, json_type_array))
        return NULL;
    return list;
}

static const char *bool_text(json_object *obj, const char *key, const char *yes, const char *no)
{
    json_object *value = json_read_get(obj, key);
    if (json_object_is_type(value, json_type_boolean))
        return json_object_get_boolean(value) ? yes : no;
    if (json_object_is_type(value, json_type_string))
        return g_ascii_strcasecmp(json_object_get_string(value), "true") == 0 ? yes : no;
    return NULL;
}

static bool is_true(json_object *obj, const char *key)
{
    const char *text = bool_text(obj, key, "y", "n");
    return text && text[0] == 'y';
}

static void set_from(struct record_list *list, struct record *record, enum record_field field,
                     json_object *obj, const char *key)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *text = json_read_string(obj, key, buf);
    if (text)
        record_set(list, record, field, text);
}

static void add_portal(struct record_list *out, json_object *portal)
{
    struct record *record = record_list_append(out);
    set_from(out, record, RECORD_ID, portal, "name");
    set_from(out, record, RECORD_NAME, portal, "name");
    const char *status = bool_text(portal, "active", "active", "inactive");
    if (status)
        record_set(out, record, RECORD_STATUS, status);
    set_from(out, record, RECORD_URL, portal, "custom_domain");
    set_from(out, record, RECORD_CREATED, portal, "created_time");
    json_read_add_extras(out, record, portal);
}

/* Whether an entry can become a record: an object with a usable key. */
static bool usable_entry(json_object *entry, const char *id_key)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *id = json_read_string(entry, id_key, buf);
    return json_object_is_type(entry, json_type_object) && id && id[0];
}

bool zoho_parse_portals(long http_status, const char *body, size_t len, struct record_list *out,
                        struct api_error *error)
{
    json_object *root;
    bool empty;
    json_object *list =
        read_list(http_status, body, len, "portals", "read the portals", &root, &empty, error);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *portal = json_object_array_get_idx(list, i);
        if (usable_entry(portal, "name"))
            add_portal(out, portal);
    }
    json_object_put(root);
    return list || empty;
}

bool zoho_parse_user_types(long http_status, const char *body, size_t len, struct record_list *out,
                           struct api_error *error)
{
    json_object *root;
    bool empty;
    json_object *list =
        read_list(http_status, body, len, "user_type", "read the user types", &root, &empty, error);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *type = json_object_array_get_idx(list, i);
        if (!usable_entry(type, "id"))
            continue;
        struct record *record = record_list_append(out);
        set_from(out, record, RECORD_ID, type, "id");
        set_from(out, record, RECORD_NAME, type, "name");
        const char *status = bool_text(type, "active", "active", "inactive");
        if (status)
            record_set(out, record, RECORD_STATUS, status);
        if (is_true(type, "default"))
            record_set(out, record, RECORD_ROLE, "default");
        set_from(out, record, RECORD_CREATED, type, "created_time");
        json_read_add_extras(out, record, type);
    }
    json_object_put(root);
    return list || empty;
}

const struct record *zoho_default_user_type(const struct record_list *types)
{
    const struct record *first_active = NULL;
    for (size_t i = 0; i < types->count; i++) {
        const struct record *type = &types->items[i];
        if (g_strcmp0(record_get(type, RECORD_ROLE), "default") == 0)
            return type;
        if (!first_active && g_strcmp0(record_get(type, RECORD_STATUS), "inactive") != 0)
            first_active = type;
    }
    return types->count == 1 ? &types->items[0] : first_active;
}

static bool contains_folded(const char *haystack, const char *folded_needle)
{
    if (!haystack)
        return false;
    char *folded = g_utf8_casefold(haystack, -1);
    bool found = strstr(folded, folded_needle) != NULL;
    g_free(folded);
    return found;
}

static bool user_matches(json_object *user, const char *folded_search)
{
    char buf[JSON_READ_SCALAR_LEN];
    return !folded_search || contains_folded(json_read_string(user, "name", buf), folded_search) ||
           contains_folded(json_read_string(user, "email", buf), folded_search);
}

static const char *user_status(json_object *user)
{
    json_object *active = json_read_get(user, "active");
    if (active && !is_true(user, "active"))
        return "deactivated";
    json_object *confirm = json_read_get(user, "confirm");
    if (confirm && !is_true(user, "confirm"))
        return "invited";
    return active ? "active" : NULL;
}

static void add_user(struct record_list *out, json_object *user, const char *user_type_id,
                     const char *user_type_name)
{
    struct record *record = record_list_append(out);
    set_from(out, record, RECORD_ID, user, "personality_id");
    set_from(out, record, RECORD_NAME, user, "name");
    set_from(out, record, RECORD_EMAIL, user, "email");
    const char *status = user_status(user);
    if (status)
        record_set(out, record, RECORD_STATUS, status);
    if (user_type_name)
        record_set(out, record, RECORD_ROLE, user_type_name);
    set_from(out, record, RECORD_CREATED, user, "invited_time");
    json_read_add_extras(out, record, user);
    if (user_type_id)
        record_add_extra(out, record, "user_type_id", user_type_id);
}

static void read_page_info(json_object *root, struct zoho_page_info *info)
{
    json_object *page = json_read_get(root, "info");
    char buf[JSON_READ_SCALAR_LEN];
    const char *total = json_read_string(page, "total_count", buf);
    info->total_count = total ? g_ascii_strtoll(total, NULL, 10) : -1;
    const char *per_page = json_read_string(page, "per_page", buf);
    info->per_page = per_page ? g_ascii_strtoll(per_page, NULL, 10) : -1;
    info->more_records = is_true(page, "more_records");
}

bool zoho_parse_users(long http_status, const char *body, size_t len, const char *user_type_id,
                      const char *user_type_name, const char *search, struct record_list *out,
                      struct zoho_page_info *info, struct api_error *error)
{
    *info = (struct zoho_page_info){.total_count = -1, .per_page = -1};
    json_object *root;
    bool empty;
    json_object *list =
        read_list(http_status, body, len, "users", "list the portal users", &root, &empty, error);
    char *folded = search && search[0] ? g_utf8_casefold(search, -1) : NULL;
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *user = json_object_array_get_idx(list, i);
        info->entries++;
        if (usable_entry(user, "personality_id") && user_matches(user, folded))
            add_user(out, user, user_type_id, user_type_name);
    }
    if (list)
        read_page_info(root, info);
    g_free(folded);
    json_object_put(root);
    return list || empty;
}

bool zoho_parse_contact_search(long http_status, const char *body, size_t len, const char *email,
                               char **contact_id, struct api_error *error)
{
    *contact_id = NULL;
    json_object *root;
    bool empty;
    json_object *list =
        read_list(http_status, body, len, "data", "search the contacts", &root, &empty, error);
    char buf[JSON_READ_SCALAR_LEN];
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *contact = json_object_array_get_idx(list, i);
        if (!usable_entry(contact, "id"))
            continue;
        const char *found = json_read_string(contact, "Email", buf);
        bool exact = found && email && g_ascii_strcasecmp(found, email) == 0;
        if (exact || !*contact_id) {
            g_free(*contact_id);
            *contact_id = scalar_copy(contact, "id");
        }
        if (exact)
            break;
    }
    json_object_put(root);
    return list || empty;
}

/* ---- bulk invite jobs ------------------------------------------------------------- */

void zoho_bulk_status_clear(struct zoho_bulk_status *status)
{
    if (status->results)
        g_ptr_array_unref(status->results);
    memset(status, 0, sizeof(*status));
}

bool zoho_parse_bulk_status(long http_status, const char *body, size_t len,
                            struct zoho_bulk_status *out, struct api_error *error)
{
    memset(out, 0, sizeof(*out));
    out->results = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    json_object *root;
    bool empty;
    json_object *list = read_list(http_status, body, len, "portal_invite",
                                  "read the bulk invitation's progress", &root, &empty, error);
    json_object *job = list ? json_object_array_get_idx(list, 0) : NULL;
    bool ok = empty;
    if (json_object_is_type(job, json_type_object)) {
        out->known = true;
        char buf[JSON_READ_SCALAR_LEN];
        const char *status = json_read_string(job, "status", buf);
        out->completed = status && g_ascii_strcasecmp(status, "completed") == 0;
        json_object *data = json_read_get(job, "data");
        ok = !out->completed ||
             (json_object_is_type(data, json_type_array) && add_outcome_array(data, out->results));
        if (!ok)
            api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                          "Zoho's answer about the bulk invitation could not be read: it is "
                          "complete but has no results");
    } else if (list) {
        api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                      "Zoho's answer about the bulk invitation could not be read: no job in it");
    }
    json_object_put(root);
    return ok;
}

/* ---- requests ----------------------------------------------------------------------- */

char *zoho_form_encode(const char *const pairs[])
{
    GString *form = g_string_new(NULL);
    for (size_t i = 0; pairs[i]; i += 2) {
        if (!pairs[i + 1])
            continue;
        char *name = g_uri_escape_string(pairs[i], NULL, FALSE);
        char *value = g_uri_escape_string(pairs[i + 1], NULL, FALSE);
        g_string_append_printf(form, "%s%s=%s", form->len ? "&" : "", name, value);
        g_free(name);
        memset(value, 0, strlen(value)); /* may be a secret */
        g_free(value);
    }
    return g_string_free(form, FALSE);
}

static char *json_text(json_object *root)
{
    char *text = g_strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return text;
}

/* {"<key>":[item]} */
static char *wrap_one(const char *key, json_object *item)
{
    json_object *root = json_object_new_object();
    json_object *array = json_object_new_array();
    json_object_array_add(array, item);
    json_object_object_add(root, key, array);
    return json_text(root);
}

char *zoho_portal_body(const char *name)
{
    json_object *item = json_object_new_object();
    json_object_object_add(item, "name", json_object_new_string(name ? name : ""));
    return wrap_one("portals", item);
}

char *zoho_contact_body(const struct form_values *values)
{
    static const char *const keys[] = {"Last_Name", "First_Name", "Email"};
    json_object *item = json_object_new_object();
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        const char *value = form_values_get(values, keys[i]);
        if (value && value[0])
            json_object_object_add(item, keys[i], json_object_new_string(value));
    }
    return wrap_one("data", item);
}

char *zoho_bulk_invite_body(const struct zoho_invite_item *items, size_t count)
{
    json_object *data = json_object_new_array();
    for (size_t i = 0; i < count; i++) {
        json_object *item = json_object_new_object();
        json_object_object_add(item, "id", json_object_new_string(items[i].record_id));
        json_object_object_add(item, "user_type_id", json_object_new_string(items[i].user_type_id));
        json_object_object_add(item, "type",
                               json_object_new_string(items[i].type ? items[i].type : "invite"));
        json_object_array_add(data, item);
    }
    json_object *job = json_object_new_object();
    json_object_object_add(job, "data", data);
    return wrap_one("portal_invite", job);
}
