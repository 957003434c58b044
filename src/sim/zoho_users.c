/*
 * portal-sim, Zoho CRM half: the users of a user type (zoho.md section 6):
 * list with its `type` and `filters` selections and paging, change_status,
 * delete and transfer. Never: invitations (zoho_invite.c), which are the
 * only way a contact becomes a portal user.
 */
#include <portalctl/sim/zoho_sim.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Path segments: settings/portals/{name}/user_type/{id}/users/{personality_id}/... */
enum { SEGMENT_PORTAL = 2, SEGMENT_USER_TYPE = 4, SEGMENT_PERSONALITY = 6 };
enum tristate { ANY = -1, NO = 0, YES = 1 };

/* The `type` values of "Get Users of a User Type". Zoho documents no
 * difference between AllActiveUsers and ActiveUsers; the simulator treats
 * them alike. */
static const struct user_selection {
    const char *name;
    enum tristate active;
    enum tristate confirmed;
} user_selections[] = {
    {"AllUsers", ANY, ANY},
    {"AllActiveUsers", YES, ANY},
    {"ActiveUsers", YES, ANY},
    {"DeactiveUsers", NO, ANY},
    {"NotConfirmedUsers", ANY, NO},
    {"ConfirmedUsers", ANY, YES},
    {"ActiveConfirmedUsers", YES, YES},
};

struct page_request {
    const struct user_selection *selection;
    size_t page;     /* 1-based */
    size_t per_page; /* 1..200 */
    bool filters_keep_all;
};

static bool selected(const struct user_selection *selection, const struct zoho_sim_member *m)
{
    if (selection->active != ANY && m->active != (selection->active == YES))
        return false;
    return selection->confirmed == ANY || m->confirmed == (selection->confirmed == YES);
}

static void append_user(struct zoho_sim_state *st, GString *out, const struct zoho_sim_member *m)
{
    const struct zoho_sim_contact *c = zoho_sim_contact_at(st, m->contact);
    char id[ZOHO_SIM_ID_LEN], invited[SIM_TIME_LEN];
    char *name = zoho_sim_contact_full_name(c);
    g_string_append(out, "{\"personality_id\":");
    sim_json_append_string(out, zoho_sim_id_text(c->id, id));
    g_string_append(out, ",\"name\":");
    sim_json_append_string(out, name);
    g_string_append(out, ",\"email\":");
    sim_json_append_string(out, c->email);
    g_string_append_printf(out,
                           ",\"module\":\"Contacts\",\"confirm\":%s,\"active\":%s,"
                           "\"status_reason__s\":null,\"invited_time\":",
                           m->confirmed ? "true" : "false", m->active ? "true" : "false");
    sim_json_append_string(out, zoho_sim_format_time(m->invited, invited));
    g_string_append_c(out, '}');
    g_free(name);
}

/* --- list ------------------------------------------------------------------------ */

static bool parse_count_param(const char *text, size_t min, size_t max, size_t *out)
{
    if (!text)
        return true; /* keep the default */
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (!text[0] || text[0] == '-' || *end || errno || value < min || value > max)
        return false;
    *out = (size_t)value;
    return true;
}

/* One condition on status_reason__s. Every simulated user's status_reason__s
 * is null (no e-mail changes happen here), so a condition keeps all users or
 * none; false when the condition is malformed. */
static bool filter_condition(json_object *cond, bool *keeps)
{
    json_object *field = NULL, *value = NULL, *comparator = NULL;
    if (!json_object_object_get_ex(cond, "field", &field) ||
        !json_object_object_get_ex(cond, "comparator", &comparator) ||
        g_strcmp0(json_object_get_string(field), "status_reason__s") != 0)
        return false;
    json_object_object_get_ex(cond, "value", &value);
    bool equal = value == NULL; /* null == null */
    if (g_strcmp0(json_object_get_string(comparator), "equal") == 0)
        *keeps = equal;
    else if (g_strcmp0(json_object_get_string(comparator), "not_equal") == 0)
        *keeps = !equal;
    else
        return false;
    return true;
}

static bool parse_filters(const char *text, bool *keep_all)
{
    *keep_all = true;
    if (!text)
        return true;
    json_object *filters = json_tokener_parse(text);
    bool ok = filters && json_object_is_type(filters, json_type_array);
    for (size_t i = 0; ok && i < json_object_array_length(filters); i++) {
        bool keeps = true;
        ok = filter_condition(json_object_array_get_idx(filters, i), &keeps);
        *keep_all = *keep_all && keeps;
    }
    json_object_put(filters);
    return ok;
}

/* Reads type, page, per_page and filters; false after answering the error. */
static bool parse_page_request(const struct sim_request *req, struct page_request *pr,
                               struct sim_response *resp)
{
    const char *type = sim_request_query(req, "type");
    if (!type) {
        zoho_sim_reply_missing_param(resp, "type");
        return false;
    }
    pr->selection = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(user_selections); i++) {
        if (strcmp(user_selections[i].name, type) == 0)
            pr->selection = &user_selections[i];
    }
    if (!pr->selection) {
        zoho_sim_reply_error_detail(resp, 400, "PATTERN_NOT_MATCHED", "param", "type",
                                    "Please check whether the input values are correct");
        return false;
    }
    pr->page = 1;
    pr->per_page = ZOHO_SIM_PER_PAGE_MAX;
    const char *bad = NULL;
    if (!parse_count_param(sim_request_query(req, "page"), 1, SIZE_MAX / 512, &pr->page))
        bad = "page";
    else if (!parse_count_param(sim_request_query(req, "per_page"), 1, ZOHO_SIM_PER_PAGE_MAX,
                                &pr->per_page))
        bad = "per_page";
    else if (!parse_filters(sim_request_query(req, "filters"), &pr->filters_keep_all))
        bad = "filters";
    if (bad) {
        zoho_sim_reply_error_detail(resp, 400, "INVALID_DATA", "param", bad, "invalid data");
        return false;
    }
    return true;
}

/* How many members the selection holds, from the user type's counts. */
static size_t selection_total(const struct user_selection *sel,
                              const struct zoho_sim_user_type *type)
{
    size_t all = type->member_count, active = type->active_count;
    size_t confirmed = type->confirmed_count, both = type->active_confirmed_count;
    if (sel->confirmed == ANY)
        return sel->active == ANY ? all : sel->active == YES ? active : all - active;
    if (sel->active == ANY)
        return sel->confirmed == YES ? confirmed : all - confirmed;
    if (sel->active == YES)
        return sel->confirmed == YES ? both : active - both;
    return sel->confirmed == YES ? confirmed - both : all - active - confirmed + both;
}

/* Where to start looking for the page's first member: directly for AllUsers
 * (after dropping holes), at the cursor left by the previous page when the
 * client pages forward, else at the beginning. */
static void page_start(struct zoho_sim_user_type *type, const struct page_request *pr, size_t first,
                       guint *position, size_t *matched)
{
    *position = 0;
    *matched = 0;
    if (pr->selection->active == ANY && pr->selection->confirmed == ANY) {
        if (type->members->len != type->member_count)
            zoho_sim_members_compact(type);
        *position = (guint)MIN(first, type->members->len);
        *matched = *position;
    } else if (type->cursor.selection == pr->selection &&
               type->cursor.generation == type->generation && type->cursor.matched <= first) {
        *position = type->cursor.position;
        *matched = type->cursor.matched;
    }
}

/* Appends the page's users; returns how many. */
static size_t append_page(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                          const struct page_request *pr, size_t first, GString *entries)
{
    guint i;
    size_t matched, count = 0;
    page_start(type, pr, first, &i, &matched);
    for (; i < type->members->len && count < pr->per_page; i++) {
        const struct zoho_sim_member *m = &g_array_index(type->members, struct zoho_sim_member, i);
        if (m->contact == ZOHO_SIM_NONE || !selected(pr->selection, m))
            continue;
        if (matched++ < first)
            continue;
        if (count++)
            g_string_append_c(entries, ',');
        append_user(st, entries, m);
    }
    type->cursor.selection = pr->selection;
    type->cursor.generation = type->generation;
    type->cursor.position = i;
    type->cursor.matched = matched;
    return count;
}

void zoho_sim_users_list(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                         struct sim_response *resp)
{
    struct page_request pr;
    if (!parse_page_request(call->req, &pr, resp))
        return;
    struct zoho_sim_portal *portal = NULL;
    struct zoho_sim_user_type *type = zoho_sim_call_user_type(st, call, &portal);
    size_t first = (pr.page - 1) * pr.per_page;
    size_t total = type ? selection_total(pr.selection, type) : 0;
    if (!pr.filters_keep_all || first >= total) {
        sim_response_empty(resp, 204);
        return;
    }
    GString *entries = g_string_sized_new(pr.per_page * 256);
    size_t count = append_page(st, type, &pr, first, entries);
    GString *body = g_string_sized_new(entries->len + 128);
    g_string_append(body, "{\"users\":[");
    g_string_append_len(body, entries->str, (gssize)entries->len);
    g_string_append_printf(body,
                           "],\"info\":{\"per_page\":%zu,\"total_count\":%zu,\"count\":%zu,"
                           "\"page\":%zu,\"more_records\":%s}}",
                           pr.per_page, total, count, pr.page,
                           first + count < total ? "true" : "false");
    g_string_free(entries, TRUE);
    sim_response_gstring(resp, 200, body);
}

/* --- writes on a user type --------------------------------------------------------- */

/* The user type of the path, or NULL after answering INVALID_DATA. */
static struct zoho_sim_user_type *writable_user_type(struct zoho_sim_state *st,
                                                     const struct zoho_sim_call *call,
                                                     struct zoho_sim_portal **portal,
                                                     struct sim_response *resp)
{
    struct zoho_sim_user_type *type = zoho_sim_call_user_type(st, call, portal);
    if (!*portal)
        zoho_sim_reply_invalid_path_part(resp, SEGMENT_PORTAL, "portal name");
    else if (!type)
        zoho_sim_reply_invalid_path_part(resp, SEGMENT_USER_TYPE, "user type id");
    return type;
}

/* personality_ids split, or NULL after answering the error. */
static char **personality_ids(const struct sim_request *req, size_t *count,
                              struct sim_response *resp)
{
    char **ids = zoho_sim_split_list(sim_request_query(req, "personality_ids"), count);
    if (!*count) {
        zoho_sim_reply_missing_param(resp, "personality_ids");
    } else if (*count > ZOHO_SIM_DELETE_IDS_MAX) {
        GString *details = g_string_new("{");
        zoho_sim_detail_string(details, "param", "personality_ids");
        zoho_sim_detail_raw(details, "limit", G_STRINGIFY(ZOHO_SIM_DELETE_IDS_MAX));
        g_string_append_c(details, '}');
        zoho_sim_reply_error(resp, 400, "LIMIT_EXCEEDED", details->str,
                             "the number of ids exceeds the limit");
        g_string_free(details, TRUE);
    } else {
        return ids;
    }
    g_strfreev(ids);
    return NULL;
}

static void append_personality_entry(GString *entries, bool ok, const char *id,
                                     const char *success_message)
{
    struct zoho_sim_outcome outcome = {
        ok ? 200 : 400,
        ok ? "SUCCESS" : "INVALID_DATA",
        ok ? success_message
           : "Invalid personality ID. Either the personality does not belong to any portal "
             "user or it does not belong to this user type.",
        "personality_id",
        id,
    };
    if (entries->len)
        g_string_append_c(entries, ',');
    zoho_sim_append_outcome(entries, &outcome);
}

void zoho_sim_users_delete(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                           struct sim_response *resp)
{
    struct zoho_sim_portal *portal = NULL;
    struct zoho_sim_user_type *type = writable_user_type(st, call, &portal, resp);
    size_t count = 0, ok = 0;
    char **ids = type ? personality_ids(call->req, &count, resp) : NULL;
    if (!ids)
        return;
    GString *entries = g_string_new(NULL);
    for (size_t i = 0; i < count; i++) {
        uint32_t contact = zoho_sim_contact_find(st, ids[i]);
        bool removed = contact != ZOHO_SIM_NONE && zoho_sim_member_remove(st, type, contact);
        ok += removed;
        append_personality_entry(entries, removed, ids[i], "Portal user deleted successfully.");
    }
    g_strfreev(ids);
    zoho_sim_reply_list(resp, zoho_sim_multi_status(ok, count - ok, 200), "users", entries);
}

/* The answer's key is "users", like removal's: Zoho's documents name none. */
void zoho_sim_users_transfer(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                             struct sim_response *resp)
{
    struct zoho_sim_portal *portal = NULL;
    struct zoho_sim_user_type *from = writable_user_type(st, call, &portal, resp);
    if (!from)
        return;
    const char *to_id = sim_request_query(call->req, "transfer_To");
    if (!to_id || !to_id[0]) {
        zoho_sim_reply_missing_param(resp, "transfer_To");
        return;
    }
    struct zoho_sim_user_type *to = zoho_sim_user_type_find(portal, to_id);
    size_t count = 0, ok = 0;
    char **ids = personality_ids(call->req, &count, resp);
    if (!ids)
        return;
    if (!to || to == from) {
        g_strfreev(ids);
        zoho_sim_reply_error_detail(resp, 400, "INVALID_DATA", "param", "transfer_To",
                                    "the user type to transfer to is invalid");
        return;
    }
    GString *entries = g_string_new(NULL);
    for (size_t i = 0; i < count; i++) {
        uint32_t contact = zoho_sim_contact_find(st, ids[i]);
        struct zoho_sim_member *m =
            contact != ZOHO_SIM_NONE ? zoho_sim_member_find(from, contact) : NULL;
        bool found = m != NULL;
        if (found) {
            struct zoho_sim_member moved = *m; /* m dies with the removal */
            zoho_sim_member_remove(st, from, contact);
            zoho_sim_member_add(st, to, contact, moved.confirmed, moved.active, moved.invited);
            ok++;
        }
        append_personality_entry(entries, found, ids[i], "User has been transferred successfully");
    }
    g_strfreev(ids);
    zoho_sim_reply_list(resp, zoho_sim_multi_status(ok, count - ok, 200), "users", entries);
}

/* --- change_status ----------------------------------------------------------------- */

/* Answers the error and returns true when the member's status may not change. */
static bool status_change_refused(struct zoho_sim_state *st, const struct zoho_sim_member *m,
                                  bool active, const char *id, struct sim_response *resp)
{
    const char *code = NULL, *message = NULL;
    int status = 400;
    if (zoho_sim_contact_at(st, m->contact)->in_recycle_bin) {
        code = "INVALID_DATA";
        message = "The user's record is in the recycle bin.";
    } else if (active && m->active) {
        code = "ALREADY_ACTIVATED";
        message = "The user is already active.";
    } else if (active && st->licenses_used >= st->portal_user_licenses) {
        code = "LIMIT_EXCEEDED";
        message = "You have exceeded the license limit for users in a portal for your org.";
        status = 403;
    } else if (!active && !m->confirmed) {
        code = "NOT_ALLOWED";
        message = "A user who has not confirmed the invitation cannot be deactivated.";
    } else if (!active && !m->active) {
        /* Zoho documents no code for this; NOT_ALLOWED is the nearest it has. */
        code = "NOT_ALLOWED";
        message = "The user is already deactivated.";
    }
    if (code)
        zoho_sim_reply_error_detail(resp, status, code, "personality_id", id, message);
    return code != NULL;
}

void zoho_sim_user_change_status(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                                 struct sim_response *resp)
{
    struct zoho_sim_portal *portal = NULL;
    struct zoho_sim_user_type *type = writable_user_type(st, call, &portal, resp);
    if (!type)
        return;
    const char *active_text = sim_request_query(call->req, "active");
    if (!active_text) {
        zoho_sim_reply_missing_param(resp, "active");
        return;
    }
    if (strcmp(active_text, "true") != 0 && strcmp(active_text, "false") != 0) {
        zoho_sim_reply_error_detail(resp, 400, "INVALID_DATA", "param", "active", "invalid data");
        return;
    }
    bool active = strcmp(active_text, "true") == 0;
    const char *id = call->segments[SEGMENT_PERSONALITY];
    uint32_t contact = zoho_sim_contact_find(st, id);
    struct zoho_sim_member *m =
        contact != ZOHO_SIM_NONE ? zoho_sim_member_find(type, contact) : NULL;
    if (!m) {
        zoho_sim_reply_invalid_path_part(resp, SEGMENT_PERSONALITY, "personality id");
        return;
    }
    if (status_change_refused(st, m, active, id, resp))
        return;
    zoho_sim_member_set_active(st, type, m, active);
    GString *entries = g_string_new(NULL);
    struct zoho_sim_outcome outcome = {200, "SUCCESS", "Status of the user changed successfully.",
                                       "personality_id", id};
    zoho_sim_append_outcome(entries, &outcome);
    zoho_sim_reply_list(resp, 200, "change_status", entries);
}
