/*
 * Valstorm v1 portals adapter (shared/api/valstorm.md): the operation table
 * and every operation but the bulk invite (valstorm_invite.c). Valstorm has
 * no endpoint that lists portals or reads one, so the portals of a
 * connection are kept in portalctl's local state (store/state.h): a create
 * or change records the portal, a delete (or a 404 "Portal not found" for a
 * portal known there) forgets it, and listing or showing portals reads that
 * state without sending anything — and says so.
 *
 * A create is never sent twice, and Valstorm cannot look a portal up by
 * name: an unclear answer to a create is reported as such, with what to do.
 *
 * Never: print, draw, sleep, read the keyring other than through the
 * session, or put a token or a password into a message.
 */
#include "valstorm_internal.h"

#include <portalctl/state.h>
#include <portalctl/text.h>
#include <portalctl/valstorm_auth.h>
#include <portalctl/vendor_fields.h>

#include <stdlib.h>
#include <string.h>

/* Probed by whoami when no portal is named: its 404 proves the credentials. */
#define PROBE_PORTAL_ID "__portalctl_probe__"

#define NO_LIST_ENDPOINT                                                                           \
    "Valstorm has no list-portals endpoint: showing the portals this connection created or "       \
    "was told about (portalctl portals add)"

/* ---- the operation table ------------------------------------------------------- */

static const struct vendor_operation valstorm_operations[] = {
    {VOP_WHOAMI, NULL, false, false, false, false,
     "Check the credentials with a cheap portal call (Valstorm has no who-am-i call)"},
    {VOP_LIST_PORTALS, NULL, false, false, false, false,
     "List the portals this connection created or was told about: Valstorm cannot list them, "
     "so portalctl keeps them locally (add others with portals add)"},
    {VOP_GET_PORTAL, NULL, false, false, true, false,
     "Show what portalctl knows locally about a portal (Valstorm cannot read one portal)"},
    {VOP_CREATE_PORTAL, &valstorm_create_portal_form, true, false, false, false,
     "Create a portal, optionally with a custom domain; portalctl remembers it locally"},
    {VOP_UPDATE_PORTAL, &valstorm_update_portal_form, true, false, true, false,
     "Change a portal's name or custom domain"},
    {VOP_DELETE_PORTAL, NULL, true, true, true, false,
     "Delete a portal and its whole database: final"},
    {VOP_LIST_USERS, NULL, false, false, true, false,
     "List the users of a portal, optionally matching part of an e-mail address or name"},
    {VOP_INVITE_USERS, &valstorm_invite_user_form, true, false, true, false,
     "Invite one person or many (a CSV) to a portal; existing Valstorm accounts are linked"},
    {VOP_REMOVE_USER, NULL, true, true, true, true,
     "Remove a user from a portal; their portal data is dropped"},
};

/* ---- shared job helpers (valstorm_internal.h) ---------------------------------- */

char *valstorm_job_url(struct vendor_job *job, const char *path_template,
                       const char *const values[])
{
    static const char *const none[] = {NULL};
    char *url =
        net_url_build(vendor_job_api_base(job), path_template, values ? values : none, NULL);
    if (!url)
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "cannot build the Valstorm address from the connection's url \"%s\" and "
                        "the ids given: check them (portalctl connections)",
                        vendor_job_api_base(job));
    return url;
}

struct valstorm_error_context valstorm_job_context(const struct vendor_job *job, const char *action)
{
    struct valstorm_error_context context = {
        .connection = session_config(job->session)->name,
        .action = action,
        .portal_id = job->request.portal_id,
        .user_id = job->request.target_id,
    };
    return context;
}

/* The local state, or NULL after saying why in a progress line. */
static struct state *load_state(struct vendor_job *job)
{
    GError *error = NULL;
    struct state *state = state_load(NULL, &error);
    if (!state) {
        vendor_job_progress(job, "could not read portalctl's list of known portals: %s",
                            error->message);
        g_error_free(error);
        return NULL;
    }
    if (state_notice(state))
        vendor_job_progress(job, "%s", state_notice(state));
    return state;
}

static void save_state(struct vendor_job *job, struct state *state, const char *what)
{
    GError *error = NULL;
    if (!state_save(state, &error)) {
        vendor_job_progress(job, "could not update portalctl's list of known portals (%s): %s",
                            what, error->message);
        g_error_free(error);
    }
}

bool valstorm_forget_portal(struct vendor_job *job, const char *portal_id)
{
    struct state *state = portal_id ? load_state(job) : NULL;
    if (!state)
        return false;
    bool known = state_remove_portal(state, session_config(job->session)->name, portal_id);
    if (known)
        save_state(job, state, "forget the portal");
    state_free(state);
    return known;
}

void valstorm_job_refusal(struct vendor_job *job, const struct net_response *res,
                          const struct valstorm_error_context *context)
{
    valstorm_read_error(res->status, res->body, res->body_len, context, &job->error);
    api_error_note_retry_after(&job->error, res->status, res->retry_after_ms);
    if (res->status != 404 || !context->portal_id)
        return;
    char *detail = valstorm_detail_text(res->body, res->body_len);
    bool gone = detail && strcmp(detail, VALSTORM_PORTAL_NOT_FOUND) == 0;
    g_free(detail);
    if (gone && valstorm_forget_portal(job, context->portal_id)) {
        char *message = g_strdup_printf("%s; portalctl has forgotten it locally (it was deleted "
                                        "elsewhere)",
                                        job->error.message);
        g_free(job->error.message);
        job->error.message = message;
    }
}

bool valstorm_maybe_applied(const struct net_response *res)
{
    switch (res->error) {
    case NET_ERR_NONE:
    case NET_ERR_CONNECT:
    case NET_ERR_TLS:
    case NET_ERR_REFUSED_INSECURE:
    case NET_ERR_INVALID:
    case NET_ERR_NO_MEMORY:
    case NET_ERR_CANCELLED:
        return res->ambiguous;
    default:
        return true;
    }
}

/* True when a whole answer with the expected status came; otherwise
 * job->error says why. */
static bool expect_status(struct vendor_job *job, const struct net_response *res, long expected,
                          const char *action)
{
    if (!vendor_job_check_transport(job, res))
        return false;
    if (res->status == expected)
        return true;
    struct valstorm_error_context context = valstorm_job_context(job, action);
    valstorm_job_refusal(job, res, &context);
    return false;
}

/* ---- credentials ------------------------------------------------------------------ */

static bool have_credentials(struct vendor_job *job)
{
    GError *error = NULL;
    enum valstorm_credential credential = valstorm_auth_credential(job->session, &error);
    const char *name = session_config(job->session)->name;
    if (credential != VALSTORM_CREDENTIAL_NONE)
        return true;
    if (error) {
        char *why = text_sanitize(error->message);
        vendor_job_fail(job, API_AUTH, 0, NULL,
                        "could not read the Valstorm credentials of %s from the keyring: %s", name,
                        why);
        g_free(why);
        g_error_free(error);
    } else {
        vendor_job_fail(job, API_AUTH, 0, NULL,
                        "no Valstorm credentials stored for %s: store a personal access token "
                        "with portalctl auth set %s, or log in with portalctl auth login %s",
                        name, name, name);
    }
    return false;
}

/* ---- the local list of portals ---------------------------------------------------- */

static bool portal_matches(const struct known_portal *portal, const char *filter)
{
    if (!filter || !filter[0])
        return true;
    const char *texts[] = {portal->id, portal->name, portal->custom_domain};
    char *needle = g_utf8_casefold(filter, -1);
    bool found = false;
    for (size_t i = 0; i < G_N_ELEMENTS(texts) && !found; i++) {
        char *hay = texts[i] ? g_utf8_casefold(texts[i], -1) : NULL;
        found = hay && strstr(hay, needle);
        g_free(hay);
    }
    g_free(needle);
    return found;
}

static void add_known_portal(struct record_list *list, const struct known_portal *portal)
{
    struct record *record = record_list_append(list);
    record_set(list, record, RECORD_ID, portal->id);
    record_set(list, record, RECORD_NAME, portal->name);
    record_set(list, record, RECORD_URL, portal->custom_domain);
    record_set(list, record, RECORD_STATUS, "known locally");
    record_add_extra(list, record, "id", portal->id);
    record_add_extra(list, record, "name", portal->name ? portal->name : "(not known)");
    record_add_extra(list, record, "custom_domain",
                     portal->custom_domain ? portal->custom_domain : "null");
    record_add_extra(list, record, "known_by", portal_origin_name(portal->origin));
    record_add_extra(list, record, "source", "portalctl's local state, not Valstorm");
}

/* The connection's known portals, or NULL after failing the job. */
static GPtrArray *known_portals(struct vendor_job *job)
{
    GError *error = NULL;
    struct state *state = state_load(NULL, &error);
    if (!state) {
        char *why = text_sanitize(error->message);
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "could not read portalctl's list of known Valstorm portals (nothing was "
                        "sent): %s",
                        why);
        g_free(why);
        g_error_free(error);
        return NULL;
    }
    if (state_notice(state))
        vendor_job_progress(job, "%s", state_notice(state));
    GPtrArray *portals = state_list_portals(state, session_config(job->session)->name);
    state_free(state);
    return portals;
}

static void start_list_portals(struct vendor_job *job)
{
    GPtrArray *portals = known_portals(job);
    if (!portals)
        return;
    vendor_job_progress(job, NO_LIST_ENDPOINT);
    struct record_list page;
    record_list_init(&page);
    for (guint i = 0; i < portals->len; i++) {
        const struct known_portal *portal = g_ptr_array_index(portals, i);
        if (portal_matches(portal, job->request.filter))
            add_known_portal(&page, portal);
    }
    g_ptr_array_unref(portals);
    vendor_job_deliver_page(job, &page);
}

static void start_get_portal(struct vendor_job *job)
{
    GPtrArray *portals = known_portals(job);
    if (!portals)
        return;
    const struct known_portal *found = NULL;
    for (guint i = 0; i < portals->len && !found; i++) {
        const struct known_portal *portal = g_ptr_array_index(portals, i);
        if (strcmp(portal->id, job->request.portal_id) == 0)
            found = portal;
    }
    const char *name = session_config(job->session)->name;
    char *id = text_sanitize(job->request.portal_id);
    if (found) {
        vendor_job_progress(job, "Valstorm has no endpoint that reads one portal: this is what "
                                 "portalctl remembers from creating, changing or adding it");
        add_known_portal(&job->result, found);
    } else {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "portal %s is not known locally and Valstorm cannot look portals up "
                        "(nothing was sent): if it exists, add it with portalctl portals add "
                        "%s %s",
                        id, name, id);
    }
    g_free(id);
    g_ptr_array_unref(portals);
}

/* Records the portal of the record in the local state (a create: "created";
 * a change of a portal not known yet: "added"). */
static void remember_portal(struct vendor_job *job, const struct record *record,
                            enum portal_origin origin)
{
    struct state *state = load_state(job);
    if (!state) {
        vendor_job_progress(job,
                            "portal %s is not remembered locally: add it later with "
                            "portalctl portals add",
                            record_get(record, RECORD_ID));
        return;
    }
    struct known_portal *portal =
        known_portal_new(record_get(record, RECORD_ID), record_get(record, RECORD_NAME),
                         record_get(record, RECORD_URL), origin);
    GError *error = NULL;
    if (state_put_portal(state, session_config(job->session)->name, portal, &error))
        save_state(job, state, "remember the portal");
    else {
        vendor_job_progress(job, "could not remember the portal locally: %s", error->message);
        g_error_free(error);
    }
    known_portal_free(portal);
    state_free(state);
}

/* ---- whoami ------------------------------------------------------------------------- */

/* How many users a GET …/users answer lists, without building records. */
static bool count_user(json_object *user, void *data)
{
    (void)user;
    (*(size_t *)data)++;
    return true;
}

static void add_whoami_record(struct vendor_job *job, const char *portal, const char *answer)
{
    GError *error = NULL;
    enum valstorm_credential credential = valstorm_auth_credential(job->session, &error);
    g_clear_error(&error);
    struct record_list *list = &job->result;
    struct record *record = record_list_append(list);
    char *check = g_strdup_printf("GET /v1/portal/%s/users", portal);
    record_set(list, record, RECORD_NAME, session_config(job->session)->name);
    record_set(list, record, RECORD_STATUS, "credentials accepted");
    record_set(list, record, RECORD_ROLE, "production organization administrator");
    record_add_extra(list, record, "credential", valstorm_credential_name(credential));
    record_add_extra(list, record, "checked_with", check);
    record_add_extra(list, record, "answer", answer);
    record_add_extra(list, record, "note",
                     "Valstorm has no who-am-i call: a portal call that only production "
                     "organization administrators may make was answered past authentication");
    g_free(check);
}

static void on_whoami_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    const char *portal = data ? data : job->request.portal_id;
    if (!vendor_job_check_transport(job, res))
        return;
    char *detail = res->status == 404 ? valstorm_detail_text(res->body, res->body_len) : NULL;
    bool no_portal = detail && strcmp(detail, VALSTORM_PORTAL_NOT_FOUND) == 0;
    g_free(detail);
    size_t users = 0;
    if (res->status == 200 &&
        valstorm_each_user(res->body, res->body_len, count_user, &users, &job->error)) {
        char *answer = g_strdup_printf("200: portal %s has %zu users", portal, users);
        add_whoami_record(job, portal, answer);
        g_free(answer);
    } else if (no_portal) {
        add_whoami_record(job, portal,
                          data ? "404 Portal not found, as expected for the probe portal: the "
                                 "credentials were accepted"
                               : "404 Portal not found: the credentials were accepted, but "
                                 "Valstorm has no such portal");
    } else if (res->status != 200) {
        struct valstorm_error_context context =
            valstorm_job_context(job, "check the Valstorm credentials");
        context.portal_id = portal;
        valstorm_read_error(res->status, res->body, res->body_len, &context, &job->error);
    }
}

static void start_whoami(struct vendor_job *job)
{
    const char *portal = job->request.portal_id;
    bool probe = !portal || !portal[0];
    const char *const values[] = {probe ? PROBE_PORTAL_ID : portal, NULL};
    char *url = valstorm_job_url(job, "/v1/portal/{}/users", values);
    if (!url)
        return;
    struct vendor_call call = {.method = "GET", .url = url, .idempotent = true};
    vendor_job_send(job, &call, on_whoami_reply, probe ? (void *)PROBE_PORTAL_ID : NULL);
    free(url);
}

/* ---- create, update, delete a portal -------------------------------------------------- */

/* Reports a create that may or may not have happened (created false), or
 * that happened without an answer that says which portal it made (true).
 * Valstorm cannot look a portal up by name, so the person must check; it is
 * never sent again. */
static void report_unclear_create(struct vendor_job *job, const char *why, const char *portal,
                                  bool created)
{
    const char *name = session_config(job->session)->name;
    char *reason = text_sanitize(why);
    char *shown = text_sanitize(portal);
    char *what = created ? g_strdup_printf("Valstorm created the portal \"%s\" but its answer "
                                           "was lost, so its id is not known (%s)",
                                           shown, reason)
                         : g_strdup_printf("could not tell whether the portal \"%s\" was "
                                           "created (%s)",
                                           shown, reason);
    enum api_error_kind kind = job->error.kind != API_OK ? job->error.kind : API_NETWORK;
    char *code = g_strdup(job->error.code); /* vendor_job_fail replaces the one it came from */
    vendor_job_fail(job, kind, job->error.http_status, code,
                    "%s: Valstorm has no way to look a portal up by name, so portalctl cannot "
                    "check and did not send it again; look for it in the Valstorm app and, if it "
                    "is there, add it with portalctl portals add %s PORTAL_ID",
                    what, name);
    job->error.ambiguous = true; /* never to be re-sent blindly */
    g_free(code);
    g_free(what);
    g_free(shown);
    g_free(reason);
}

static void on_create_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    const char *portal_name = data;
    if (res->error != NET_ERR_NONE) {
        vendor_job_check_transport(job, res);
        if (valstorm_maybe_applied(res))
            report_unclear_create(job, res->message[0] ? res->message : "no answer", portal_name,
                                  res->status == 201);
        return;
    }
    if (res->status == 201) {
        struct api_error parse_error;
        api_error_init(&parse_error);
        if (valstorm_parse_portal(res->body, res->body_len, "created", &job->result,
                                  &parse_error)) {
            remember_portal(job, &job->result.items[0], PORTAL_ORIGIN_CREATED);
        } else {
            job->error.kind = API_BAD_RESPONSE;
            job->error.http_status = 201;
            report_unclear_create(job, "its answer could not be read", portal_name, true);
        }
        api_error_clear(&parse_error);
        return;
    }
    struct valstorm_error_context context = valstorm_job_context(job, "create the portal");
    context.portal_id = NULL;
    valstorm_read_error(res->status, res->body, res->body_len, &context, &job->error);
    /* 500, 502, 504: the server may have failed after creating it. */
    if (res->status == 500 || res->status == 502 || res->status == 504) {
        char *why = g_strdup(job->error.message);
        report_unclear_create(job, why, portal_name, false);
        g_free(why);
    }
}

static void start_create_portal(struct vendor_job *job)
{
    const struct form_spec *spec = &valstorm_create_portal_form;
    struct form_values *values = vendor_job_checked_input(job, spec, NULL);
    if (!values)
        return;
    char *body = valstorm_form_body(spec, values);
    char *url = valstorm_job_url(job, "/v1/portal", NULL);
    if (url) {
        /* The name outlives the request: it names the portal in messages. */
        job->adapter_state = g_strdup(form_values_get(values, "name"));
        job->free_adapter_state = g_free;
        struct vendor_call call = {.method = "POST", .url = url, .body = body, .idempotent = false};
        vendor_job_send(job, &call, on_create_reply, job->adapter_state);
    }
    free(url);
    g_free(body);
    form_values_free(values);
}

static void on_update_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!expect_status(job, res, 200, "change the portal"))
        return;
    struct api_error parse_error;
    api_error_init(&parse_error);
    if (valstorm_parse_portal(res->body, res->body_len, "updated", &job->result, &parse_error)) {
        remember_portal(job, &job->result.items[0], PORTAL_ORIGIN_ADDED);
    } else {
        vendor_job_fail(job, API_BAD_RESPONSE, res->status, NULL,
                        "Valstorm accepted the change of portal %s, but its answer could not be "
                        "read: run portalctl portals show to see what portalctl knows, and check "
                        "the portal in the Valstorm app",
                        job->request.portal_id);
    }
    api_error_clear(&parse_error);
}

static void start_update_portal(struct vendor_job *job)
{
    const struct form_spec *spec = &valstorm_update_portal_form;
    struct form_values *values = vendor_job_checked_input(job, spec, NULL);
    if (!values)
        return;
    char *body = valstorm_form_body(spec, values);
    const char *const ids[] = {job->request.portal_id, NULL};
    char *url = valstorm_job_url(job, "/v1/portal/{}", ids);
    if (url) {
        /* Setting a name or domain to given values twice changes nothing
         * more than once: safe to repeat after a lost answer. */
        struct vendor_call call = {.method = "PATCH", .url = url, .body = body, .idempotent = true};
        vendor_job_send(job, &call, on_update_reply, NULL);
    }
    free(url);
    g_free(body);
    form_values_free(values);
}

static void add_gone_record(struct vendor_job *job, const char *id, const char *status)
{
    struct record *record = record_list_append(&job->result);
    record_set(&job->result, record, RECORD_ID, id);
    record_set(&job->result, record, RECORD_STATUS, status);
}

static void on_delete_portal_reply(struct vendor_job *job, const struct net_response *res,
                                   void *data)
{
    (void)data;
    const char *id = job->request.portal_id;
    if (!vendor_job_check_transport(job, res))
        return;
    char *detail = res->status == 404 ? valstorm_detail_text(res->body, res->body_len) : NULL;
    bool gone = detail && strcmp(detail, VALSTORM_PORTAL_NOT_FOUND) == 0;
    g_free(detail);
    if (res->status == 200) {
        valstorm_forget_portal(job, id);
        add_gone_record(job, id, "deleted");
    } else if (gone && valstorm_forget_portal(job, id)) {
        vendor_job_progress(job,
                            "Valstorm has no portal %s: it was already deleted elsewhere; "
                            "portalctl has forgotten it",
                            id);
        add_gone_record(job, id, "already deleted elsewhere");
    } else if (gone && res->attempts > 1) {
        /* The first attempt's answer was lost; the repeat found it gone. */
        add_gone_record(job, id, "deleted");
    } else {
        struct valstorm_error_context context = valstorm_job_context(job, "delete the portal");
        valstorm_read_error(res->status, res->body, res->body_len, &context, &job->error);
    }
}

static void start_delete_portal(struct vendor_job *job)
{
    const char *const ids[] = {job->request.portal_id, NULL};
    char *url = valstorm_job_url(job, "/v1/portal/{}", ids);
    if (!url)
        return;
    struct vendor_call call = {.method = "DELETE", .url = url, .idempotent = true};
    vendor_job_send(job, &call, on_delete_portal_reply, NULL);
    free(url);
}

/* ---- users ---------------------------------------------------------------------------- */

/* Valstorm answers with the whole list at once (no paging): 100,000 users
 * are about 22 MB. It is read while it arrives and handed to the job in
 * pages, so the console shows the first rows at once and nobody holds the
 * whole body. The first rows go out as soon as there are any; then a page
 * per USERS_PAGE_ROWS, so that the views are not re-synced for every few
 * rows. */
#define USERS_PAGE_ROWS 1000

struct users_listing {
    struct valstorm_users_reader *reader;
    struct record_list page; /* rows read, not yet handed to the job */
    size_t delivered;        /* rows handed to the job */
    bool failed;             /* the reader refused the answer: job->error says why */
};

static void free_users_listing(void *state)
{
    struct users_listing *listing = state;
    valstorm_users_reader_free(listing->reader);
    record_list_clear(&listing->page);
    g_free(listing);
}

static void deliver_users(struct vendor_job *job, struct users_listing *listing)
{
    listing->delivered += listing->page.count;
    vendor_job_deliver_page(job, &listing->page);
    record_list_init(&listing->page);
}

static bool on_users_piece(struct vendor_job *job, const char *piece, size_t len, void *data)
{
    struct users_listing *listing = data;
    if (!valstorm_users_reader_feed(listing->reader, piece, len, &listing->page, &job->error)) {
        listing->failed = true;
        return false; /* stop reading a broken answer */
    }
    if (listing->page.count >= USERS_PAGE_ROWS ||
        (listing->delivered == 0 && listing->page.count > 0))
        deliver_users(job, listing);
    return true;
}

static void on_list_users_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct users_listing *listing = data;
    /* A refused answer (job->error set by the reader) or any other failure:
     * the rows already handed over are a part of the list, and the job's
     * error says it did not end well (browser.c calls the list incomplete). */
    if (listing->failed || !expect_status(job, res, 200, "list the portal's users"))
        return;
    if (valstorm_users_reader_finish(listing->reader, &job->error) && listing->page.count > 0)
        deliver_users(job, listing);
}

static void start_list_users(struct vendor_job *job)
{
    const char *const ids[] = {job->request.portal_id, NULL};
    char *url = valstorm_job_url(job, "/v1/portal/{}/users", ids);
    if (!url)
        return;
    struct users_listing *listing = g_new0(struct users_listing, 1);
    listing->reader = valstorm_users_reader_new(job->request.filter);
    record_list_init(&listing->page);
    job->adapter_state = listing;
    job->free_adapter_state = free_users_listing;
    if (!listing->reader) {
        vendor_job_fail(job, API_BAD_RESPONSE, 0, NULL, "out of memory reading the user list");
    } else {
        struct vendor_call call = {
            .method = "GET", .url = url, .idempotent = true, .on_chunk = on_users_piece};
        vendor_job_send(job, &call, on_list_users_reply, listing);
    }
    free(url);
}

static void on_remove_user_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!vendor_job_check_transport(job, res))
        return;
    char *detail = res->status == 404 ? valstorm_detail_text(res->body, res->body_len) : NULL;
    bool no_user = detail && strcmp(detail, VALSTORM_USER_NOT_FOUND) == 0;
    g_free(detail);
    if (res->status == 200 || (no_user && res->attempts > 1)) {
        /* After a lost answer, "User not found" to the repeat means the first
         * attempt removed the user. */
        add_gone_record(job, job->request.target_id, "removed");
        record_add_extra(&job->result, &job->result.items[0], "portal_id", job->request.portal_id);
        return;
    }
    struct valstorm_error_context context =
        valstorm_job_context(job, "remove the user from the portal");
    valstorm_job_refusal(job, res, &context);
}

static void start_remove_user(struct vendor_job *job)
{
    const char *const ids[] = {job->request.portal_id, job->request.target_id, NULL};
    char *url = valstorm_job_url(job, "/v1/portal/{}/users/{}", ids);
    if (!url)
        return;
    struct vendor_call call = {.method = "DELETE", .url = url, .idempotent = true};
    vendor_job_send(job, &call, on_remove_user_reply, NULL);
    free(url);
}

/* ---- start ------------------------------------------------------------------------------ */

static const struct {
    enum vendor_op op;
    bool needs_credentials; /* false: answered from the local state, nothing sent */
    void (*start)(struct vendor_job *job);
} starters[] = {
    {VOP_WHOAMI, true, start_whoami},
    {VOP_LIST_PORTALS, false, start_list_portals},
    {VOP_GET_PORTAL, false, start_get_portal},
    {VOP_CREATE_PORTAL, true, start_create_portal},
    {VOP_UPDATE_PORTAL, true, start_update_portal},
    {VOP_DELETE_PORTAL, true, start_delete_portal},
    {VOP_LIST_USERS, true, start_list_users},
    {VOP_INVITE_USERS, true, valstorm_start_invite},
    {VOP_REMOVE_USER, true, start_remove_user},
};

static void valstorm_start(struct vendor_job *job)
{
    for (size_t i = 0; i < G_N_ELEMENTS(starters); i++) {
        if (starters[i].op != job->request.op)
            continue;
        if (!starters[i].needs_credentials || have_credentials(job))
            starters[i].start(job);
        return;
    }
    vendor_job_fail(job, API_UNSUPPORTED, 0, NULL, "Valstorm has no %s",
                    vendor_op_name(job->request.op));
}

const struct vendor_ops valstorm_vendor = {
    .id = CONFIG_VENDOR_VALSTORM,
    .name = "valstorm",
    .title = "Valstorm",
    .portal_noun = "portal id",
    .default_url = "https://api.valstorm.com",
    .default_base = NULL,
    .local_portal_list = true,
    .operations = valstorm_operations,
    .operation_count = G_N_ELEMENTS(valstorm_operations),
    .auth = &valstorm_auth_ops,
    .start = valstorm_start,
};
