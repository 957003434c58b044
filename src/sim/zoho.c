/*
 * portal-sim, Zoho CRM half: the vendor table and the request router. Owns
 * which handler answers which path and method, the order of the checks every
 * CRM request goes through (URL pattern, token, method, write permission),
 * and the shapes of injected faults. Never: the answers themselves (the
 * zoho_*.c handlers) or anything about sockets (server.c).
 */
#include <portalctl/sim/zoho_sim.h>

#include <string.h>

/* What a read-only token lacks, per kind of write (403 NO_PERMISSION details). */
#define PERM_PORTALS         "Crm_Implied_Manage_ClientPortal"
#define PERM_PORTAL_USERS    "Crm_Implied_Manage_ClientPortal_Users"
#define PERM_CONTACTS_CREATE "Crm_Implied_Create_Contacts"
#define PERM_CONTACTS_DELETE "Crm_Implied_Delete_Contacts"

struct crm_route {
    const char *method;
    const char *pattern; /* the path after /crm/vN/; '*' matches one segment */
    zoho_sim_handler *handler;
    const char *permission; /* NULL for reads */
};

/* zoho.md sections 4 to 6. Portals have no DELETE: Zoho offers none (see
 * handle_crm for the answer to methods a path does not take). */
static const struct crm_route crm_routes[] = {
    {"GET", "settings/portals", zoho_sim_portals_list, NULL},
    {"POST", "settings/portals", zoho_sim_portal_create, PERM_PORTALS},
    {"GET", "settings/portals/*", zoho_sim_portal_get, NULL},
    {"PUT", "settings/portals/*", zoho_sim_portal_rename, PERM_PORTALS},
    {"GET", "settings/portals/*/user_type", zoho_sim_user_types_list, NULL},
    {"GET", "settings/portals/*/user_type/*", zoho_sim_user_type_get, NULL},
    {"GET", "settings/portals/*/user_type/*/users", zoho_sim_users_list, NULL},
    {"DELETE", "settings/portals/*/user_type/*/users", zoho_sim_users_delete, PERM_PORTAL_USERS},
    {"POST", "settings/portals/*/user_type/*/users/action/transfer", zoho_sim_users_transfer,
     PERM_PORTAL_USERS},
    {"PUT", "settings/portals/*/user_type/*/users/*/actions/change_status",
     zoho_sim_user_change_status, PERM_PORTAL_USERS},
    {"GET", "Contacts/search", zoho_sim_contacts_search, NULL},
    {"POST", "Contacts", zoho_sim_contacts_create, PERM_CONTACTS_CREATE},
    {"DELETE", "Contacts", zoho_sim_contacts_delete, PERM_CONTACTS_DELETE},
    {"POST", "*/actions/portal_invite", zoho_sim_invite_bulk, PERM_PORTAL_USERS},
    {"GET", "*/actions/portal_invite", zoho_sim_invite_bulk_status, NULL},
    {"POST", "*/*/actions/portal_invite", zoho_sim_invite_one, PERM_PORTAL_USERS},
};

/* API versions served: the contract's v7 and the v8 the client may speak. */
static const char *const crm_prefixes[] = {"/crm/v7/", "/crm/v8/"};

static void reply_url_pattern(struct sim_response *resp)
{
    zoho_sim_reply_error(resp, 404, "INVALID_URL_PATTERN", NULL,
                         "Please check if the URL trying to access is a correct one");
}

/* Splits the path after the version; false for other versions or empty segments. */
static bool split_crm_path(const char *path, char ***segments, size_t *count)
{
    const char *rest = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(crm_prefixes) && !rest; i++) {
        if (g_str_has_prefix(path, crm_prefixes[i]))
            rest = path + strlen(crm_prefixes[i]);
    }
    if (!rest)
        return false;
    char *trimmed = g_strdup(rest);
    size_t len = strlen(trimmed);
    if (len && trimmed[len - 1] == '/')
        trimmed[len - 1] = '\0'; /* a trailing slash names the same resource */
    *segments = g_strsplit(trimmed, "/", -1);
    g_free(trimmed);
    *count = g_strv_length(*segments);
    bool usable = *count > 0; /* "/crm/v7/" alone names nothing */
    for (size_t i = 0; i < *count && usable; i++)
        usable = (*segments)[i][0] != '\0';
    if (!usable) {
        g_strfreev(*segments);
        *segments = NULL;
    }
    return usable;
}

static bool pattern_matches(const char *pattern, char *const *segments, size_t count)
{
    size_t i = 0;
    for (const char *p = pattern; *p; i++) {
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (i >= count)
            return false;
        bool wildcard = len == 1 && *p == '*';
        if (!wildcard && (strlen(segments[i]) != len || strncmp(segments[i], p, len) != 0))
            return false;
        p = *end ? end + 1 : end;
    }
    return i == count;
}

/* The route for method, NULL when the path is known but not the method;
 * *path_known tells the two misses apart. */
static const struct crm_route *find_route(const char *method, char *const *segments, size_t count,
                                          bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(crm_routes); i++) {
        if (!pattern_matches(crm_routes[i].pattern, segments, count))
            continue;
        *path_known = true;
        if (strcmp(crm_routes[i].method, method) == 0)
            return &crm_routes[i];
    }
    return NULL;
}

static void dispatch_crm(struct zoho_sim_state *st, const struct sim_request *req,
                         struct zoho_sim_call *call, struct sim_response *resp)
{
    bool path_known = false;
    const struct crm_route *route =
        find_route(req->method, call->segments, call->segment_count, &path_known);
    if (!path_known) {
        reply_url_pattern(resp);
        return;
    }
    bool read_only = false;
    if (!zoho_sim_token_valid(st, zoho_sim_request_token(req), &read_only)) {
        zoho_sim_reply_invalid_token(resp);
        return;
    }
    if (!route) {
        /* A known resource, a method it does not take (e.g. DELETE of a portal):
         * 405 with Zoho's INVALID_REQUEST_METHOD, rather than 404, so the client
         * can tell "no such operation" from "no such URL". */
        zoho_sim_reply_error(resp, 405, "INVALID_REQUEST_METHOD", NULL,
                             "The http request method type is not a valid one");
        return;
    }
    if (route->permission && read_only) {
        zoho_sim_reply_no_permission(resp, route->permission);
        return;
    }
    route->handler(st, call, resp);
}

static void handle_crm(struct zoho_sim_state *st, const struct sim_request *req,
                       struct sim_response *resp)
{
    struct zoho_sim_call call = {.req = req};
    if (!split_crm_path(req->path, &call.segments, &call.segment_count)) {
        reply_url_pattern(resp);
        return;
    }
    dispatch_crm(st, req, &call, resp);
    g_strfreev(call.segments);
}

/* --- the vendor table's functions -------------------------------------------- */

static bool zoho_owns_path(const char *path)
{
    return g_str_has_prefix(path, "/crm/") || g_str_has_prefix(path, "/oauth/");
}

static void *zoho_create(const struct sim_options *options)
{
    return zoho_sim_state_new(options);
}

static void zoho_destroy(void *state)
{
    zoho_sim_state_free(state);
}

static void zoho_seed_users(void *state, size_t n)
{
    zoho_sim_seed_users(state, n);
}

static bool zoho_save(void *state, FILE *out)
{
    zoho_sim_settle_jobs(state, sim_now());
    return zoho_sim_save(state, out);
}

static bool zoho_load(void *state, struct sim_json_stream *in, char **error)
{
    return zoho_sim_load(state, in, error);
}

static void zoho_handle(void *state, const struct sim_request *req, struct sim_response *resp)
{
    struct zoho_sim_state *st = state;
    zoho_sim_settle_jobs(st, sim_now());
    if (g_str_has_prefix(req->path, "/oauth/"))
        zoho_sim_handle_oauth(st, req, resp);
    else
        handle_crm(st, req, resp);
}

/* Zoho Accounts throttles its token endpoints in its own shape (zoho.md §2),
 * with HTTP 200 or 400. We answer 400: a client must go by the "error" key
 * whatever the status, and a 200 here would let one that trusts the status
 * take the refusal for a token; 400 also marks the answer as a failure in the
 * request log. The server still adds Retry-After. */
static void reply_accounts_throttled(struct sim_response *resp)
{
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "error", json_object_new_string("Access Denied"));
    json_object_object_add(obj, "error_description",
                           json_object_new_string("You have made too many requests "
                                                  "continuously. Please try again after "
                                                  "some time."));
    json_object_object_add(obj, "status", json_object_new_string("failure"));
    sim_response_json(resp, 400, obj);
}

static void zoho_error(enum sim_error_kind kind, const struct sim_request *req,
                       struct sim_response *resp)
{
    if (kind == SIM_ERROR_RATE_LIMITED && g_str_has_prefix(req->path, "/oauth/")) {
        reply_accounts_throttled(resp);
        return;
    }
    switch (kind) {
    case SIM_ERROR_INTERNAL:
        zoho_sim_reply_error(resp, 500, "INTERNAL_ERROR", NULL, "Internal Server Error");
        break;
    case SIM_ERROR_UNAVAILABLE:
        zoho_sim_reply_error(resp, 503, "INTERNAL_ERROR", NULL,
                             "The service is temporarily unavailable");
        break;
    case SIM_ERROR_RATE_LIMITED:
        zoho_sim_reply_error(resp, 429, "TOO_MANY_REQUESTS", NULL,
                             "The API call cannot be completed as you have exceeded the "
                             "concurrency or API credit limit");
        break;
    case SIM_ERROR_NOT_FOUND:
    default:
        reply_url_pattern(resp);
        break;
    }
}

static const char *zoho_credential(const struct sim_request *req)
{
    if (g_str_has_prefix(req->path, "/oauth/"))
        return sim_request_param(req, "client_id");
    return zoho_sim_request_token(req);
}

const struct sim_vendor sim_vendor_zoho = {
    .name = "zoho",
    .owns_path = zoho_owns_path,
    .create = zoho_create,
    .destroy = zoho_destroy,
    .seed_users = zoho_seed_users,
    .save = zoho_save,
    .load = zoho_load,
    .handle = zoho_handle,
    .error = zoho_error,
    .credential = zoho_credential,
};
