/*
 * The Zoho CRM v7 client-portal adapter (shared/api/zoho.md): its operation
 * table, the portal operations (list, show, create, rename; Zoho documents no
 * delete, so the table has none and the session refuses it unsent), whoami,
 * and what the adapter's files share (zoho_internal.h). Users and user types
 * are in zoho_users.c, invitations in zoho_invite.c, OAuth in zoho_auth.c,
 * answer parsing in zoho_parse*.c.
 *
 * Never: print, draw, sleep, read the keyring, or put a secret in a message.
 */
#include "zoho_internal.h"

#include <portalctl/vendor_fields.h>
#include <portalctl/zoho_auth.h>

#include <string.h>

/* The codes that, refusing a portal name, concern the name field even when
 * Zoho's details do not say so (seed 002; zoho.md §4). */
static const char *const name_codes[] = {"ALREADY_USED", "PATTERN_NOT_MATCHED", "INVALID_DATA",
                                         "MANDATORY_NOT_FOUND"};

/* ---- shared by the adapter's files -------------------------------------------- */

static void zoho_job_free(void *state)
{
    struct zoho_job *zjob = state;
    if (zjob->free_op)
        zjob->free_op(zjob->op);
    record_list_clear(&zjob->types);
    g_free(zjob);
}

struct zoho_job *zoho_job_of(struct vendor_job *job)
{
    if (!job->adapter_state) {
        struct zoho_job *zjob = g_new0(struct zoho_job, 1);
        record_list_init(&zjob->types);
        job->adapter_state = zjob;
        job->free_adapter_state = zoho_job_free;
    }
    return job->adapter_state;
}

char *zoho_url(struct vendor_job *job, const char *path, const char *const values[],
               const struct net_query_arg *query)
{
    char *versioned = g_strconcat(ZOHO_CRM, path, NULL);
    char *url = net_url_build(vendor_job_api_base(job), versioned, values, query);
    g_free(versioned);
    if (!url)
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "cannot build the Zoho address: a name or id is empty, \".\" or \"..\", "
                        "or the connection's url is not a plain address; nothing sent");
    return url;
}

void zoho_send(struct vendor_job *job, const char *method, char *url, const char *body,
               bool idempotent, vendor_reply_fn reply, void *data)
{
    struct vendor_call call = {
        .method = method,
        .url = url,
        .body = body,
        .idempotent = idempotent,
    };
    vendor_job_send(job, &call, reply, data);
    g_free(url);
}

bool zoho_answer_arrived(struct vendor_job *job, const struct net_response *res)
{
    if (!vendor_job_check_transport(job, res))
        return false;
    /* Zoho's 429 TOO_MANY_REQUESTS may carry Retry-After (zoho.md section 7):
     * kept on the job's error for whoever paces the work (bulk runs). */
    api_error_note_retry_after(&job->error, res->status, res->retry_after_ms);
    return true;
}

bool zoho_answer_ok(struct vendor_job *job, const struct net_response *res, const char *key,
                    const char *action)
{
    if (!zoho_answer_arrived(job, res))
        return false;
    if (res->status >= 200 && res->status < 300)
        return true;
    zoho_error_from_answer(res->status, res->body, res->body_len, key, action, &job->error);
    return false;
}

void zoho_fail_outcome(struct vendor_job *job, const struct zoho_outcome *outcome, long http_status,
                       const char *action)
{
    zoho_error_from_outcome(outcome, http_status, action, -1, &job->error);
}

/* ---- user types: fetched for several operations ------------------------------------ */

static void on_portal_check(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!zoho_answer_ok(job, res, "portals", "look the portal up"))
        return;
    struct zoho_job *zjob = zoho_job_of(job);
    bool exists = res->status != 204 && res->body_len > 0;
    char *portal = zoho_clean_text(job->request.portal_id);
    if (exists && zjob->types_may_be_empty)
        zjob->after_types(job);
    else if (exists)
        vendor_job_fail(job, API_REFUSED, res->status, NULL,
                        "portal %s has no user types: add one in Zoho CRM's portal settings",
                        portal);
    else
        vendor_job_fail(job, API_REFUSED, res->status, NULL,
                        "Zoho has no portal named %s: check the name in the portal list", portal);
    g_free(portal);
}

static void check_portal_exists(struct vendor_job *job)
{
    const char *const values[] = {job->request.portal_id, NULL};
    char *url = zoho_url(job, "/settings/portals/{}", values, NULL);
    if (url)
        zoho_send(job, "GET", url, NULL, true, on_portal_check, NULL);
}

static void on_user_types(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct zoho_job *zjob = zoho_job_of(job);
    if (!zoho_answer_ok(job, res, "user_type", "read the portal's user types"))
        return;
    record_list_clear(&zjob->types);
    if (!zoho_parse_user_types(res->status, res->body, res->body_len, &zjob->types, &job->error))
        return;
    if (zjob->types.count == 0)
        check_portal_exists(job); /* 204: no such portal, or one without types */
    else
        zjob->after_types(job);
}

void zoho_fetch_user_types(struct vendor_job *job, zoho_types_fn then)
{
    zoho_job_of(job)->after_types = then;
    const char *const values[] = {job->request.portal_id, NULL};
    char *url = zoho_url(job, "/settings/portals/{}/user_type", values, NULL);
    if (url)
        zoho_send(job, "GET", url, NULL, true, on_user_types, NULL);
}

static bool names_type(const struct record *type, const char *wanted)
{
    return g_strcmp0(record_get(type, RECORD_ID), wanted) == 0 ||
           g_ascii_strcasecmp(record_get(type, RECORD_NAME) ? record_get(type, RECORD_NAME) : "",
                              wanted) == 0;
}

const struct record *zoho_pick_user_type(struct vendor_job *job, const char *wanted)
{
    const struct record_list *types = &zoho_job_of(job)->types;
    const struct record *type = NULL;
    if (!wanted || !wanted[0])
        type = zoho_default_user_type(types);
    for (size_t i = 0; wanted && wanted[0] && !type && i < types->count; i++) {
        if (names_type(&types->items[i], wanted))
            type = &types->items[i];
    }
    if (type)
        return type;
    char *portal = zoho_clean_text(job->request.portal_id);
    char *clean = zoho_clean_text(wanted);
    if (!wanted || !wanted[0])
        vendor_job_fail(job, API_REFUSED, 0, NULL,
                        "portal %s has no active user type to use: name one", portal);
    else
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "portal %s has no user type %s: list-user-types shows its types", portal,
                        clean);
    g_free(clean);
    g_free(portal);
    return NULL;
}

/* ---- whoami --------------------------------------------------------------------------- */

static void on_whoami(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct record_list portals;
    record_list_init(&portals);
    if (zoho_answer_ok(job, res, "portals", "list the portals") &&
        zoho_parse_portals(res->status, res->body, res->body_len, &portals, &job->error)) {
        const struct connection_config *config = session_config(job->session);
        struct record *me = record_list_append(&job->result);
        char *count = g_strdup_printf("%zu", portals.count);
        record_set(&job->result, me, RECORD_ID, config->client_id);
        record_set(&job->result, me, RECORD_NAME, config->name);
        record_set(&job->result, me, RECORD_STATUS, "authenticated");
        record_set(&job->result, me, RECORD_URL, session_api_base(job->session));
        record_add_extra(&job->result, me, "portals", count);
        record_add_extra(&job->result, me, "accounts_server", session_accounts_base(job->session));
        record_add_extra(&job->result, me, "data_centre",
                         config->data_centre ? config->data_centre : "com");
        g_free(count);
    }
    record_list_clear(&portals);
}

static void zoho_whoami(struct vendor_job *job)
{
    /* Zoho has no "me" in our scopes: a fresh token plus the portal count
     * proves both the credentials and the portal permission. */
    session_set_access_token(job->session, NULL, 0);
    char *url = zoho_url(job, "/settings/portals", NULL, NULL);
    if (url)
        zoho_send(job, "GET", url, NULL, true, on_whoami, NULL);
}

/* ---- list and show portals --------------------------------------------------------------- */

static void on_portals(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct record_list page;
    record_list_init(&page);
    if (zoho_answer_ok(job, res, "portals", "list the portals") &&
        zoho_parse_portals(res->status, res->body, res->body_len, &page, &job->error))
        vendor_job_deliver_page(job, &page);
    record_list_clear(&page);
}

static void zoho_list_portals(struct vendor_job *job)
{
    char *url = zoho_url(job, "/settings/portals", NULL, NULL);
    if (url)
        zoho_send(job, "GET", url, NULL, true, on_portals, NULL);
}

static void fail_no_portal(struct vendor_job *job, const char *name, long http_status)
{
    char *clean = zoho_clean_text(name);
    vendor_job_fail(job, API_REFUSED, http_status, NULL,
                    "Zoho has no portal named %s: check the name in the portal list", clean);
    g_free(clean);
}

static void on_portal(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!zoho_answer_ok(job, res, "portals", "read the portal") ||
        !zoho_parse_portals(res->status, res->body, res->body_len, &job->result, &job->error))
        return;
    if (job->result.count == 0)
        fail_no_portal(job, job->request.target_id, res->status);
}

static void send_portal_get(struct vendor_job *job, const char *name, vendor_reply_fn reply)
{
    const char *const values[] = {name, NULL};
    char *url = zoho_url(job, "/settings/portals/{}", values, NULL);
    if (url)
        zoho_send(job, "GET", url, NULL, true, reply, NULL);
}

static void zoho_get_portal(struct vendor_job *job)
{
    send_portal_get(job, job->request.target_id, on_portal);
}

/* ---- create and rename ------------------------------------------------------------------- */

static const char *requested_name(const struct vendor_job *job)
{
    return job->request.row_count > 0 ? form_values_get(job->request.rows[0], "name") : NULL;
}

/* A refused name: the error, with the field error on "name" even when Zoho
 * sent the code bare without details (PATTERN_NOT_MATCHED). */
static void fail_name(struct vendor_job *job, const struct zoho_outcome *outcome, long http_status,
                      const char *action)
{
    zoho_fail_outcome(job, outcome, http_status, action);
    if (outcome->api_name || !outcome->code)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(name_codes); i++) {
        if (strcmp(outcome->code, name_codes[i]) == 0 && !outcome->names_url_part) {
            api_error_add_field(&job->error, "name", -1,
                                outcome->message ? outcome->message : outcome->code);
            return;
        }
    }
}

static void add_named_portal(struct vendor_job *job, const char *name,
                             const struct zoho_outcome *outcome)
{
    struct record *record = record_list_append(&job->result);
    record_set(&job->result, record, RECORD_ID, name);
    record_set(&job->result, record, RECORD_NAME, name);
    if (outcome && outcome->message)
        record_add_extra(&job->result, record, "message", outcome->message);
}

/* After a lost or unreadable answer to a create: does the portal exist now? */
static void on_create_lookup(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    char *name = zoho_clean_text(requested_name(job));
    api_error_clear(&job->error);
    bool looked = vendor_job_check_transport(job, res) && res->status >= 200 && res->status < 300;
    if (!looked) {
        vendor_job_fail(job, API_NETWORK, res->status, NULL,
                        "Zoho's answer to creating portal %s was lost, and checking whether it "
                        "exists failed too: look for it in the portal list before trying again",
                        name);
        job->error.ambiguous = true;
    } else if (!zoho_parse_portals(res->status, res->body, res->body_len, &job->result,
                                   &job->error)) {
        job->error.ambiguous = true;
    } else if (job->result.count == 0) {
        vendor_job_fail(job, API_NETWORK, res->status, NULL,
                        "Zoho's answer to creating portal %s was lost and no such portal "
                        "exists: nothing was created; try again",
                        name);
    } else {
        vendor_job_progress(job, "Zoho's answer was lost, but portal %s exists: created", name);
    }
    g_free(name);
}

static bool create_needs_lookup(const struct net_response *res)
{
    if (res->error != NET_ERR_NONE)
        return res->ambiguous;
    return res->status >= 500; /* it may have been created before the failure */
}

static void on_create(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    const char *action = "create the portal";
    if (create_needs_lookup(res)) {
        send_portal_get(job, requested_name(job), on_create_lookup);
        return;
    }
    if (!zoho_answer_arrived(job, res))
        return;
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    bool read = zoho_parse_outcomes(res->status, res->body, res->body_len, "portals", outcomes,
                                    &job->error);
    const struct zoho_outcome *first = outcomes->len ? g_ptr_array_index(outcomes, 0) : NULL;
    if (!read || !first) {
        if (res->status >= 200 && res->status < 300) /* created? the answer cannot say */
            send_portal_get(job, requested_name(job), on_create_lookup);
        else if (read)
            zoho_error_from_answer(res->status, "", 0, NULL, action, &job->error);
    } else if (first->success) {
        add_named_portal(job, requested_name(job), first);
    } else {
        fail_name(job, first, res->status, action);
    }
    g_ptr_array_unref(outcomes);
}

static bool take_name(struct vendor_job *job, const char **name)
{
    *name = requested_name(job);
    if (*name && (*name)[0])
        return true;
    vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "a portal name is required; nothing sent");
    api_error_add_field(&job->error, "name", -1, "is required");
    return false;
}

static void zoho_create_portal(struct vendor_job *job)
{
    const char *name;
    if (!take_name(job, &name))
        return;
    char *url = zoho_url(job, "/settings/portals", NULL, NULL);
    char *body = zoho_portal_body(name);
    if (url)
        zoho_send(job, "POST", url, body, false, on_create, NULL);
    g_free(body);
}

/* After a repeated rename said the old name is unknown: did the first one work? */
static void on_rename_check(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    api_error_clear(&job->error);
    if (!zoho_answer_ok(job, res, "portals", "look the portal up") ||
        !zoho_parse_portals(res->status, res->body, res->body_len, &job->result, &job->error))
        return;
    if (job->result.count == 0)
        fail_no_portal(job, job->request.target_id, 400);
}

static void on_rename(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!zoho_answer_arrived(job, res))
        return;
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    const struct zoho_outcome *first = NULL;
    if (zoho_parse_outcomes(res->status, res->body, res->body_len, "portals", outcomes,
                            &job->error))
        first = outcomes->len ? g_ptr_array_index(outcomes, 0) : NULL;
    if (first && first->success) {
        add_named_portal(job, requested_name(job), first);
    } else if (first && first->names_url_part && res->attempts > 1) {
        /* The engine repeated the PUT: the first may have renamed it already. */
        send_portal_get(job, requested_name(job), on_rename_check);
    } else if (first && first->names_url_part) {
        fail_no_portal(job, job->request.target_id, res->status);
    } else if (first) {
        fail_name(job, first, res->status, "rename the portal");
    } else if (job->error.kind == API_OK) {
        zoho_error_from_answer(res->status, "", 0, NULL, "rename the portal", &job->error);
    }
    g_ptr_array_unref(outcomes);
}

static void zoho_rename_portal(struct vendor_job *job)
{
    const char *name;
    if (!take_name(job, &name))
        return;
    const char *const values[] = {job->request.target_id, NULL};
    char *url = zoho_url(job, "/settings/portals/{}", values, NULL);
    char *body = zoho_portal_body(name);
    if (url) /* PUT names the result: repeating it is safe (see on_rename) */
        zoho_send(job, "PUT", url, body, true, on_rename, NULL);
    g_free(body);
}

/* ---- the table --------------------------------------------------------------------------- */

static const struct vendor_operation zoho_operations[] = {
    {VOP_WHOAMI, NULL, false, false, false, false,
     "check the credentials: get a fresh token and count the organisation's portals"},
    {VOP_LIST_PORTALS, NULL, false, false, false, false, "list the organisation's client portals"},
    {VOP_GET_PORTAL, NULL, false, false, false, true, "show one portal, by its name"},
    {VOP_CREATE_PORTAL, &zoho_create_portal_form, true, false, false, false,
     "create a portal: a new name of 6 to 30 letters and digits"},
    {VOP_UPDATE_PORTAL, &zoho_rename_portal_form, true, false, false, true,
     "rename a portal (the old name stops working)"},
    {VOP_LIST_USER_TYPES, NULL, false, false, true, false, "list a portal's user types"},
    {VOP_LIST_USERS, NULL, false, false, true, false,
     "list a portal's users: of its default user type, or of the type named by id or name"},
    {VOP_INVITE_USERS, &zoho_invite_user_form, true, false, true, false,
     "invite people by e-mail; Zoho contacts are created for those it does not know"},
    {VOP_DEACTIVATE_USER, NULL, true, false, true, true,
     "deactivate a portal user (they can no longer sign in; reactivate undoes it)"},
    {VOP_REACTIVATE_USER, NULL, true, false, true, true,
     "reactivate a deactivated portal user (uses a portal licence)"},
    {VOP_REMOVE_USER, NULL, true, true, true, true,
     "remove a person from the portal (their Zoho contact stays)"},
};

static const struct op_start {
    enum vendor_op op;
    void (*start)(struct vendor_job *job);
} op_starts[] = {
    {VOP_WHOAMI, zoho_whoami},
    {VOP_LIST_PORTALS, zoho_list_portals},
    {VOP_GET_PORTAL, zoho_get_portal},
    {VOP_CREATE_PORTAL, zoho_create_portal},
    {VOP_UPDATE_PORTAL, zoho_rename_portal},
    {VOP_LIST_USER_TYPES, zoho_list_user_types},
    {VOP_LIST_USERS, zoho_list_users},
    {VOP_INVITE_USERS, zoho_invite_users},
    {VOP_DEACTIVATE_USER, zoho_change_user_status},
    {VOP_REACTIVATE_USER, zoho_change_user_status},
    {VOP_REMOVE_USER, zoho_remove_user},
};

static void zoho_start(struct vendor_job *job)
{
    for (size_t i = 0; i < G_N_ELEMENTS(op_starts); i++) {
        if (op_starts[i].op == job->request.op) {
            op_starts[i].start(job);
            return;
        }
    }
    vendor_job_fail(job, API_UNSUPPORTED, 0, NULL, "Zoho CRM has no %s operation",
                    vendor_op_name(job->request.op));
}

static char *zoho_default_base(const struct connection_config *config, bool accounts)
{
    const struct zoho_data_centre *centre = zoho_data_centre_find(config->data_centre);
    if (!centre)
        centre = zoho_data_centre_find(NULL);
    return g_strdup(accounts ? centre->accounts : centre->api);
}

const struct vendor_ops zoho_vendor = {
    .id = CONFIG_VENDOR_ZOHO,
    .name = "zoho",
    .title = "Zoho CRM",
    .portal_noun = "portal name",
    .default_url = "https://www.zohoapis.com",
    .default_base = zoho_default_base,
    .local_portal_list = false,
    .operations = zoho_operations,
    .operation_count = G_N_ELEMENTS(zoho_operations),
    .auth = &zoho_auth_ops,
    .start = zoho_start,
};
