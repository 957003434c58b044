/*
 * portal-sim, Zoho CRM half: the Contacts module, as much of it as inviting
 * people needs (zoho.md section 6, "Find or create the contact to invite"):
 * search by e-mail, insert, and delete to the recycle bin (which is how a
 * portal user's record ends up there, for change_status's INVALID_DATA).
 * Never: portal membership (zoho_invite.c, zoho_users.c).
 */
#include <portalctl/sim/zoho_sim.h>

#include <string.h>

/* Zoho's "Insert Records" and "Delete Records" take at most 100 records. */
#define CONTACTS_PER_REQUEST_MAX 100

bool zoho_sim_is_contacts_module(const char *module)
{
    return module && g_ascii_strcasecmp(module, "Contacts") == 0;
}

static void append_contact(GString *out, const struct zoho_sim_contact *c)
{
    char id[ZOHO_SIM_ID_LEN];
    char *full_name = zoho_sim_contact_full_name(c);
    g_string_append(out, "{\"id\":");
    sim_json_append_string(out, zoho_sim_id_text(c->id, id));
    g_string_append(out, ",\"Email\":");
    sim_json_append_string(out, c->email);
    g_string_append(out, ",\"First_Name\":");
    sim_json_append_string(out, c->first_name);
    g_string_append(out, ",\"Last_Name\":");
    sim_json_append_string(out, c->last_name);
    g_string_append(out, ",\"Full_Name\":");
    sim_json_append_string(out, full_name);
    g_string_append_c(out, '}');
    g_free(full_name);
}

/* GET /Contacts/search?email=… (any case); 204 when none. */
void zoho_sim_contacts_search(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                              struct sim_response *resp)
{
    const char *email = sim_request_query(call->req, "email");
    if (!email || !email[0]) {
        zoho_sim_reply_missing_param(resp, "email");
        return;
    }
    GString *entries = g_string_new(NULL);
    size_t count = 0;
    for (uint32_t i = zoho_sim_contact_find_email(st, email); i != ZOHO_SIM_NONE;
         i = zoho_sim_contact_at(st, i)->next_same_email) {
        const struct zoho_sim_contact *c = zoho_sim_contact_at(st, i);
        if (c->in_recycle_bin)
            continue;
        if (count++)
            g_string_append_c(entries, ',');
        append_contact(entries, c);
    }
    if (!count) {
        g_string_free(entries, TRUE);
        sim_response_empty(resp, 204);
        return;
    }
    GString *body = g_string_new("{\"data\":[");
    g_string_append_len(body, entries->str, (gssize)entries->len);
    g_string_append_printf(body,
                           "],\"info\":{\"per_page\":%d,\"count\":%zu,\"page\":1,"
                           "\"more_records\":false}}",
                           ZOHO_SIM_PER_PAGE_MAX, count);
    g_string_free(entries, TRUE);
    sim_response_gstring(resp, 200, body);
}

static bool email_plausible(const char *email)
{
    const char *at = strchr(email, '@');
    return at && at != email && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' &&
           email[strlen(email) - 1] != '.' && !strpbrk(email, " \t\r\n,;<>");
}

/* A field that must be a string when present: NULL when absent or null. */
static bool optional_string(json_object *item, const char *key, const char **out)
{
    json_object *value = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(item, key, &value) || !value)
        return true;
    if (!json_object_is_type(value, json_type_string))
        return false;
    *out = json_object_get_string(value);
    return true;
}

/* The first error of one record, as its entry; false when it may be inserted. */
static bool append_record_error(json_object *item, size_t index, GString *entries)
{
    const char *last = NULL, *first = NULL, *email = NULL;
    const char *field = NULL, *code = "INVALID_DATA", *message = "invalid data", *type = NULL;
    if (!optional_string(item, "Last_Name", &last) || !last || !last[0]) {
        field = "Last_Name";
        code = "MANDATORY_NOT_FOUND";
        message = "required field not found";
    } else if (!optional_string(item, "First_Name", &first)) {
        field = "First_Name";
        type = "string";
    } else if (!optional_string(item, "Email", &email) || (email && !email_plausible(email))) {
        field = "Email";
        type = "email";
    }
    if (!field)
        return false;
    char *path = g_strdup_printf("$.data[%zu].%s", index, field);
    GString *details = g_string_new("{");
    zoho_sim_detail_string(details, "api_name", field);
    zoho_sim_detail_string(details, "json_path", path);
    if (type)
        zoho_sim_detail_string(details, "expected_data_type", type);
    g_string_append_c(details, '}');
    if (entries->len)
        g_string_append_c(entries, ',');
    zoho_sim_append_status(entries, code, details->str, message, false);
    g_string_free(details, TRUE);
    g_free(path);
    return true;
}

static void append_record_added(GString *entries, const struct zoho_sim_contact *c)
{
    char id[ZOHO_SIM_ID_LEN], created[SIM_TIME_LEN];
    GString *details = g_string_new("{");
    zoho_sim_detail_string(details, "id", zoho_sim_id_text(c->id, id));
    zoho_sim_detail_string(details, "Created_Time", zoho_sim_format_time(c->created, created));
    g_string_append_c(details, '}');
    if (entries->len)
        g_string_append_c(entries, ',');
    zoho_sim_append_status(entries, "SUCCESS", details->str, "record added", true);
    g_string_free(details, TRUE);
}

/* The body's "data" array, or NULL after answering the error. */
static json_object *body_records(json_object *body, struct sim_response *resp)
{
    json_object *items = NULL;
    if (!json_object_object_get_ex(body, "data", &items) ||
        !json_object_is_type(items, json_type_array) || !json_object_array_length(items)) {
        zoho_sim_reply_error_detail(resp, 400, "MANDATORY_NOT_FOUND", "api_name", "data",
                                    "required field not found");
        return NULL;
    }
    if (json_object_array_length(items) > CONTACTS_PER_REQUEST_MAX) {
        zoho_sim_reply_error_detail(resp, 400, "LIMIT_EXCEEDED", "api_name", "data",
                                    "at most 100 records can be inserted at once");
        return NULL;
    }
    return items;
}

/* POST /Contacts {"data":[{"Last_Name":…,"First_Name":…,"Email":…}]} → 201. */
void zoho_sim_contacts_create(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                              struct sim_response *resp)
{
    json_object *body = zoho_sim_parse_body(call->req, resp);
    json_object *items = body ? body_records(body, resp) : NULL;
    if (!items) {
        json_object_put(body);
        return;
    }
    GString *entries = g_string_new(NULL);
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *item = json_object_array_get_idx(items, i);
        if (append_record_error(item, i, entries)) {
            failed++;
            continue;
        }
        const char *last = NULL, *first = NULL, *email = NULL;
        optional_string(item, "Last_Name", &last);
        optional_string(item, "First_Name", &first);
        optional_string(item, "Email", &email);
        uint32_t index = zoho_sim_contact_add(st, zoho_sim_new_id(st), email, first, last,
                                              zoho_sim_now_seconds());
        append_record_added(entries, zoho_sim_contact_at(st, index));
        ok++;
    }
    json_object_put(body);
    zoho_sim_reply_list(resp, zoho_sim_multi_status(ok, failed, 201), "data", entries);
}

/* DELETE /Contacts?ids=1,2: to the recycle bin; portal membership stays. */
void zoho_sim_contacts_delete(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                              struct sim_response *resp)
{
    size_t count = 0, ok = 0;
    char **ids = zoho_sim_split_list(sim_request_query(call->req, "ids"), &count);
    if (!count || count > CONTACTS_PER_REQUEST_MAX) {
        g_strfreev(ids);
        if (count)
            zoho_sim_reply_error_detail(resp, 400, "LIMIT_EXCEEDED", "param", "ids",
                                        "at most 100 records can be deleted at once");
        else
            zoho_sim_reply_missing_param(resp, "ids");
        return;
    }
    GString *entries = g_string_new(NULL);
    for (size_t i = 0; i < count; i++) {
        uint32_t index = zoho_sim_contact_find(st, ids[i]);
        struct zoho_sim_contact *c = index != ZOHO_SIM_NONE ? zoho_sim_contact_at(st, index) : NULL;
        bool deleted = c && !c->in_recycle_bin;
        if (deleted)
            c->in_recycle_bin = true;
        struct zoho_sim_outcome outcome = {
            deleted ? 200 : 400, deleted ? "SUCCESS" : "INVALID_DATA",
            deleted ? "record deleted" : "the id given seems to be invalid", "id", ids[i]};
        if (i)
            g_string_append_c(entries, ',');
        zoho_sim_append_outcome(entries, &outcome);
        ok += deleted;
    }
    g_strfreev(ids);
    zoho_sim_reply_list(resp, zoho_sim_multi_status(ok, count - ok, 200), "data", entries);
}
