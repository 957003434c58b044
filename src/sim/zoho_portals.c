/*
 * portal-sim, Zoho CRM half: portals and user types (zoho.md sections 4 and
 * 5): list, get, create, rename, and the name rules of the seed (mandatory,
 * alphanumeric only, 6 to 30 characters, unique in the org). Never: portal
 * users (zoho_users.c) or tokens (checked by the router before we run).
 */
#include <portalctl/sim/zoho_sim.h>

#include <string.h>

/* The org's administrator, shown as created_by and modified_by. */
static const char admin_name[] = "Sim Administrator";
/* A portal created through the API gets one default user type, so that
 * contacts can be invited to it at once (decision: Zoho's UI does the same). */
static const char new_portal_user_type[] = "Users";
/* Path segments: settings/portals/{name}/user_type/{id}. */
enum { SEGMENT_PORTAL = 2, SEGMENT_USER_TYPE = 4 };

/* --- answers ----------------------------------------------------------------- */

static void append_person(GString *out, const char *key, uint64_t id)
{
    char id_text[ZOHO_SIM_ID_LEN];
    g_string_append_printf(out, ",\"%s\":{\"name\":", key);
    sim_json_append_string(out, admin_name);
    g_string_append(out, ",\"id\":");
    sim_json_append_string(out, zoho_sim_id_text(id, id_text));
    g_string_append_c(out, '}');
}

static void append_portal(struct zoho_sim_state *st, GString *out,
                          const struct zoho_sim_portal *portal)
{
    char created[SIM_TIME_LEN], modified[SIM_TIME_LEN];
    g_string_append(out, "{\"created_time\":");
    sim_json_append_string(out, zoho_sim_format_time(portal->created, created));
    g_string_append(out, ",\"modified_time\":");
    sim_json_append_string(out, zoho_sim_format_time(portal->modified, modified));
    append_person(out, "created_by", st->admin_id);
    append_person(out, "modified_by", st->admin_id);
    g_string_append(out, ",\"name\":");
    sim_json_append_string(out, portal->name);
    g_string_append_printf(out, ",\"active\":%s,\"zaid\":", portal->active ? "true" : "false");
    sim_json_append_string(out, portal->zaid);
    g_string_append(out, ",\"custom_domain\":null}");
}

static void append_user_type(struct zoho_sim_state *st, GString *out,
                             const struct zoho_sim_user_type *type)
{
    char id[ZOHO_SIM_ID_LEN], module_id[ZOHO_SIM_ID_LEN];
    char created[SIM_TIME_LEN], modified[SIM_TIME_LEN];
    g_string_append(out, "{\"id\":");
    sim_json_append_string(out, zoho_sim_id_text(type->id, id));
    g_string_append(out, ",\"name\":");
    sim_json_append_string(out, type->name);
    g_string_append_printf(out, ",\"default\":%s,\"active\":%s",
                           type->is_default ? "true" : "false", type->active ? "true" : "false");
    g_string_append(out, ",\"personality_module\":{\"api_name\":\"Contacts\",\"id\":");
    sim_json_append_string(out, zoho_sim_id_text(st->module_id, module_id));
    g_string_append_printf(out, "},\"no_of_users\":%zu,\"created_time\":", type->member_count);
    sim_json_append_string(out, zoho_sim_format_time(type->created, created));
    g_string_append(out, ",\"modified_time\":");
    sim_json_append_string(out, zoho_sim_format_time(type->modified, modified));
    g_string_append_c(out, '}');
}

/* --- reads ----------------------------------------------------------------------- */

void zoho_sim_portals_list(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                           struct sim_response *resp)
{
    (void)call;
    if (!st->portals->len) {
        sim_response_empty(resp, 204);
        return;
    }
    GString *entries = g_string_new(NULL);
    for (guint i = 0; i < st->portals->len; i++) {
        if (i)
            g_string_append_c(entries, ',');
        append_portal(st, entries, g_ptr_array_index(st->portals, i));
    }
    zoho_sim_reply_list(resp, 200, "portals", entries);
}

void zoho_sim_portal_get(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                         struct sim_response *resp)
{
    struct zoho_sim_portal *portal = zoho_sim_portal_find(st, call->segments[SEGMENT_PORTAL]);
    if (!portal) {
        sim_response_empty(resp, 204);
        return;
    }
    GString *entries = g_string_new(NULL);
    append_portal(st, entries, portal);
    zoho_sim_reply_list(resp, 200, "portals", entries);
}

void zoho_sim_user_types_list(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                              struct sim_response *resp)
{
    struct zoho_sim_portal *portal = zoho_sim_portal_find(st, call->segments[SEGMENT_PORTAL]);
    if (!portal || !portal->user_types->len) {
        sim_response_empty(resp, 204);
        return;
    }
    GString *entries = g_string_new(NULL);
    for (guint i = 0; i < portal->user_types->len; i++) {
        if (i)
            g_string_append_c(entries, ',');
        append_user_type(st, entries, g_ptr_array_index(portal->user_types, i));
    }
    zoho_sim_reply_list(resp, 200, "user_type", entries);
}

struct zoho_sim_user_type *zoho_sim_call_user_type(struct zoho_sim_state *st,
                                                   const struct zoho_sim_call *call,
                                                   struct zoho_sim_portal **portal)
{
    *portal = zoho_sim_portal_find(st, call->segments[SEGMENT_PORTAL]);
    return *portal ? zoho_sim_user_type_find(*portal, call->segments[SEGMENT_USER_TYPE]) : NULL;
}

void zoho_sim_user_type_get(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                            struct sim_response *resp)
{
    struct zoho_sim_portal *portal = NULL;
    struct zoho_sim_user_type *type = zoho_sim_call_user_type(st, call, &portal);
    if (!type) {
        sim_response_empty(resp, 204);
        return;
    }
    GString *entries = g_string_new(NULL);
    append_user_type(st, entries, type);
    zoho_sim_reply_list(resp, 200, "user_type", entries);
}

/* --- the name rules ------------------------------------------------------------------ */

static bool name_is_alphanumeric(const char *name)
{
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p))
            return false;
    }
    return true;
}

/* The seed's rule, checked for every item before anything else: Zoho answers
 * it bare, at the request level, so one bad name refuses the whole request. */
static bool any_name_has_special_characters(json_object *items)
{
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *item = json_object_array_get_idx(items, i), *name = NULL;
        if (json_object_object_get_ex(item, "name", &name) &&
            json_object_is_type(name, json_type_string) && json_object_get_string_len(name) &&
            !name_is_alphanumeric(json_object_get_string(name)))
            return true;
    }
    return false;
}

/* Appends the item-level error for a bad name and returns true; false when
 * the name may be used (by self, when renaming). */
static bool append_name_error(struct zoho_sim_state *st, json_object *item, size_t index,
                              const struct zoho_sim_portal *self, GString *entries)
{
    json_object *name = NULL;
    char *path = g_strdup_printf("$.portals[%zu].name", index);
    GString *details = g_string_new("{");
    zoho_sim_detail_string(details, "api_name", "name");
    const char *code = "INVALID_DATA", *message = "invalid data";
    bool present =
        json_object_object_get_ex(item, "name", &name) && name &&
        (!json_object_is_type(name, json_type_string) || json_object_get_string_len(name) > 0);
    size_t len = present ? (size_t)json_object_get_string_len(name) : 0;
    struct zoho_sim_portal *holder =
        present ? zoho_sim_portal_find(st, json_object_get_string(name)) : NULL;
    if (!present) {
        code = "MANDATORY_NOT_FOUND";
        message = "required field not found";
        zoho_sim_detail_string(details, "json_path", path);
    } else if (!json_object_is_type(name, json_type_string)) {
        zoho_sim_detail_string(details, "json_path", path);
        zoho_sim_detail_string(details, "expected_data_type", "string");
    } else if (len < ZOHO_SIM_NAME_MIN) {
        zoho_sim_detail_string(details, "json_path", path);
        zoho_sim_detail_raw(details, "minimum_length", G_STRINGIFY(ZOHO_SIM_NAME_MIN));
    } else if (len > ZOHO_SIM_NAME_MAX) {
        zoho_sim_detail_string(details, "json_path", path);
        zoho_sim_detail_raw(details, "maximum_length", G_STRINGIFY(ZOHO_SIM_NAME_MAX));
    } else if (holder && holder != self) {
        code = "ALREADY_USED";
        message = "The entered portal name is already in use";
    } else {
        code = NULL;
    }
    g_string_append_c(details, '}');
    if (code) {
        if (entries->len)
            g_string_append_c(entries, ',');
        zoho_sim_append_status(entries, code, details->str, message, false);
    }
    g_string_free(details, TRUE);
    g_free(path);
    return code != NULL;
}

static void append_name_success(GString *entries, const char *name, const char *message)
{
    GString *details = g_string_new("{");
    zoho_sim_detail_string(details, "name", name);
    g_string_append_c(details, '}');
    if (entries->len)
        g_string_append_c(entries, ',');
    zoho_sim_append_status(entries, "SUCCESS", details->str, message, true);
    g_string_free(details, TRUE);
}

/* The body's "portals" array, or NULL after answering the error. */
static json_object *body_portals(const struct zoho_sim_call *call, struct sim_response *resp,
                                 json_object **body)
{
    *body = zoho_sim_parse_body(call->req, resp);
    if (!*body)
        return NULL;
    json_object *items = NULL;
    if (!json_object_object_get_ex(*body, "portals", &items) ||
        !json_object_is_type(items, json_type_array) || !json_object_array_length(items)) {
        GString *details = g_string_new("{");
        zoho_sim_detail_string(details, "api_name", "portals");
        zoho_sim_detail_string(details, "json_path", "$.portals");
        g_string_append_c(details, '}');
        zoho_sim_reply_error(resp, 400, "MANDATORY_NOT_FOUND", details->str,
                             "required field not found");
        g_string_free(details, TRUE);
        return NULL;
    }
    if (any_name_has_special_characters(items)) {
        zoho_sim_reply_error_detail(resp, 400, "PATTERN_NOT_MATCHED", "api_name", "name",
                                    "the portal name contains special characters");
        return NULL;
    }
    return items;
}

/* --- writes ---------------------------------------------------------------------------- */

void zoho_sim_portal_create(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                            struct sim_response *resp)
{
    json_object *body = NULL;
    json_object *items = body_portals(call, resp, &body);
    if (!items) {
        json_object_put(body);
        return;
    }
    GString *entries = g_string_new(NULL);
    size_t ok = 0, failed = 0;
    int64_t now = zoho_sim_now_seconds();
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *item = json_object_array_get_idx(items, i), *name = NULL;
        if (append_name_error(st, item, i, NULL, entries)) {
            failed++;
            continue;
        }
        json_object_object_get_ex(item, "name", &name);
        struct zoho_sim_portal *portal = zoho_sim_portal_add(st, json_object_get_string(name), now);
        zoho_sim_user_type_add(portal, zoho_sim_new_id(st), new_portal_user_type, true, now);
        append_name_success(entries, portal->name, "Portal created successfully with given name.");
        ok++;
    }
    json_object_put(body);
    zoho_sim_reply_list(resp, zoho_sim_multi_status(ok, failed, 200), "portals", entries);
}

/* Renames with the first item of "portals"; a portal has one name. */
void zoho_sim_portal_rename(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                            struct sim_response *resp)
{
    struct zoho_sim_portal *portal = zoho_sim_portal_find(st, call->segments[SEGMENT_PORTAL]);
    if (!portal) {
        zoho_sim_reply_invalid_path_part(resp, SEGMENT_PORTAL, "portal name");
        return;
    }
    json_object *body = NULL;
    json_object *items = body_portals(call, resp, &body);
    if (!items) {
        json_object_put(body);
        return;
    }
    GString *entries = g_string_new(NULL);
    json_object *item = json_object_array_get_idx(items, 0), *name = NULL;
    if (append_name_error(st, item, 0, portal, entries)) {
        json_object_put(body);
        zoho_sim_reply_list(resp, 400, "portals", entries);
        return;
    }
    json_object_object_get_ex(item, "name", &name);
    g_free(portal->name);
    portal->name = g_strdup(json_object_get_string(name));
    portal->modified = zoho_sim_now_seconds();
    json_object_put(body);
    append_name_success(entries, portal->name, "Portal renamed successfully with given name.");
    zoho_sim_reply_list(resp, 200, "portals", entries);
}
