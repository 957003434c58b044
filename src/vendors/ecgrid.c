/*
 * ECGrid REST v2 adapter (shared/api/ecgrid.md): the operation table, the
 * X-API-Key authentication, the single-request operations and the two
 * creates, which are never sent twice: after an answer that may hide a
 * success (reset, cut short, unreadable, 5xx) the object is looked up
 * (users/by-name, portals/by-mailbox) before anything is reported. The paged
 * lists are in ecgrid_lists.c, the parsers in ecgrid_parse.c.
 *
 * Never: print, draw, sleep, read the keyring other than through the
 * session, or put the API key or a password into a message.
 */
#include "ecgrid_internal.h"

#include <portalctl/secrets.h>
#include <portalctl/text.h>
#include <portalctl/vendor_fields.h>

#include <stdlib.h>
#include <string.h>

/* ---- the operation table ------------------------------------------------------- */

static const struct vendor_operation ecgrid_operations[] = {
    {VOP_WHOAMI, NULL, false, false, false, false,
     "Check the API key: who it belongs to, with its level, network and mailbox"},
    {VOP_LIST_PORTALS, NULL, false, false, false, false,
     "List your mailboxes and their portals; a mailbox without one shows \"no portal\""},
    {VOP_GET_PORTAL, NULL, false, false, true, false, "Show the portal of one mailbox"},
    {VOP_CREATE_PORTAL, &ecgrid_create_portal_form, true, false, false, false,
     "Create the customer portal of a mailbox that has none"},
    {VOP_LIST_USERS, NULL, false, false, false, false,
     "List users (of one mailbox with --portal), optionally matching part of a login or name"},
    {VOP_GET_USER, NULL, false, false, false, true, "Show one user, by user number or login"},
    {VOP_CREATE_USER, &ecgrid_create_user_form, true, false, false, false,
     "Create a user with a login, a first password and an e-mail address"},
    {VOP_UPDATE_USER, &ecgrid_update_user_form, true, false, false, true,
     "Change a user's e-mail address or name"},
    {VOP_SET_ROLE, &ecgrid_set_role_form, true, false, false, true,
     "Change a user's access level (AuthLevel)"},
    {VOP_SET_PASSWORD, &ecgrid_set_password_form, true, false, false, true,
     "Set a new password for a user"},
    {VOP_RESET_SESSIONS, NULL, true, false, false, true,
     "Sign a user out everywhere (ends their sessions)"},
    {VOP_REMOVE_USER, NULL, true, true, false, true,
     "Terminate a user: final, and the login stays taken"},
};

/* ---- authentication ------------------------------------------------------------ */

static const int ecgrid_credential_kinds[] = {SECRET_KIND_API_KEY, -1};

static void ecgrid_add_headers(struct session *session, GPtrArray *headers)
{
    const char *key = session_secret(session, SECRET_KIND_API_KEY, NULL);
    if (key && key[0])
        g_ptr_array_add(headers, g_strdup_printf("X-API-Key: %s", key));
}

static bool ecgrid_is_auth_failure(const struct net_response *res)
{
    return res->status == 401;
}

static const struct vendor_auth_ops ecgrid_auth = {
    .credential_kinds = ecgrid_credential_kinds,
    .add_headers = ecgrid_add_headers,
    .is_auth_failure = ecgrid_is_auth_failure,
    .refresh = NULL, /* keys are long-lived: nothing to refresh */
    .needs_refresh = NULL,
};

/* The key is looked up before anything is sent, so a missing one is said
 * plainly instead of as ECGrid's 401. */
static bool have_api_key(struct vendor_job *job)
{
    GError *error = NULL;
    const char *key = session_secret(job->session, SECRET_KIND_API_KEY, &error);
    const char *name = session_config(job->session)->name;
    if (key && key[0])
        return true;
    if (error) {
        char *why = text_sanitize(error->message);
        vendor_job_fail(job, API_AUTH, 0, NULL,
                        "could not read the API key of %s from the keyring: %s", name, why);
        g_free(why);
        g_error_free(error);
    } else {
        vendor_job_fail(job, API_AUTH, 0, NULL,
                        "no API key stored for %s: run portalctl auth set %s", name, name);
    }
    return false;
}

/* ---- shared job helpers (ecgrid_internal.h) ------------------------------------- */

char *ecgrid_job_url(struct vendor_job *job, const char *path_template, const char *const values[])
{
    static const char *const none[] = {NULL};
    char *url =
        net_url_build(vendor_job_api_base(job), path_template, values ? values : none, NULL);
    if (!url)
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "cannot build the ECGrid address from the connection's url \"%s\": "
                        "check it with portalctl connections",
                        vendor_job_api_base(job));
    return url;
}

struct ecgrid_error_context ecgrid_job_context(const struct vendor_job *job, const char *action)
{
    const struct vendor_operation *op = vendor_find_operation(job->vendor, job->request.op);
    struct ecgrid_error_context context = {
        .connection = session_config(job->session)->name,
        .action = action,
        .form = op ? op->form : NULL,
        .reads_only = op && !op->changes,
    };
    return context;
}

bool ecgrid_job_answer(struct vendor_job *job, const struct net_response *res,
                       const struct ecgrid_error_context *context, struct ecgrid_answer *answer)
{
    memset(answer, 0, sizeof(*answer));
    if (!vendor_job_check_transport(job, res))
        return false;
    if (ecgrid_read_answer(res->status, res->body, res->body_len, context, answer, &job->error))
        return true;
    /* 429 RateLimitExceeded: Retry-After in seconds (ecgrid.md section 7). */
    api_error_note_retry_after(&job->error, res->status, res->retry_after_ms);
    return false;
}

int ecgrid_job_mailbox(struct vendor_job *job)
{
    const char *portal = job->request.portal_id;
    int id = 0;
    if (!portal || !portal[0])
        return 0;
    if (ecgrid_parse_id(portal, &id))
        return id;
    char *shown = text_sanitize(portal);
    vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                    "an ECGrid portal is named by its mailbox id, a number such as 101 (got "
                    "\"%s\"): nothing sent",
                    shown);
    g_free(shown);
    return -1;
}

/* ---- input -------------------------------------------------------------------------- */

/* The user an operation is about: the target, which must be a user number. */
static const char *target_user_id(struct vendor_job *job)
{
    int id = 0;
    if (ecgrid_parse_id(job->request.target_id, &id))
        return job->request.target_id;
    char *shown = text_sanitize(job->request.target_id);
    vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                    "%s needs the user's number (userId, e.g. 1042), not \"%s\": nothing sent",
                    vendor_op_name(job->request.op), shown);
    g_free(shown);
    return NULL;
}

/* Puts what the context names into the form: the target user as userId and
 * the portal (mailbox) as mailboxId when the row has none. */
static bool fill_context(struct vendor_job *job, const struct form_spec *spec,
                         struct form_values *values)
{
    if (form_spec_field(spec, "userId") && job->request.target_id) {
        const char *target = target_user_id(job);
        const char *given = form_values_get(values, "userId");
        if (!target)
            return false;
        char *trimmed = given ? g_strstrip(g_strdup(given)) : NULL;
        bool clash = trimmed && strcmp(trimmed, target) != 0;
        g_free(trimmed);
        if (clash) {
            vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                            "the form's userId differs from the user selected (%s): nothing sent",
                            target);
            api_error_add_field(&job->error, "userId", -1, "differs from the user selected");
            return false;
        }
        form_values_set(values, "userId", target);
    }
    if (form_spec_field(spec, "mailboxId") && !form_values_get(values, "mailboxId") &&
        job->request.portal_id) {
        if (ecgrid_job_mailbox(job) < 0)
            return false;
        form_values_set(values, "mailboxId", job->request.portal_id);
    }
    return true;
}

/* The JSON body from checked values; NULL after failing the job. The caller
 * wipes and frees it (free_body). */
static char *body_or_fail(struct vendor_job *job, const struct form_spec *spec,
                          const struct form_values *values)
{
    char *body = ecgrid_body_from_form(spec, values);
    if (!body)
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "%s: a number field is not a number",
                        vendor_op_name(job->request.op));
    return body;
}

/* The body of a form operation, from its checked input; NULL after failing. */
static char *form_body(struct vendor_job *job, const struct form_spec *spec)
{
    struct form_values *values = vendor_job_checked_input(job, spec, fill_context);
    if (!values)
        return NULL;
    char *body = body_or_fail(job, spec, values);
    form_values_free(values);
    return body;
}

static void free_body(char *body)
{
    if (body)
        secret_wipe(body);
    g_free(body);
}

/* ---- single requests --------------------------------------------------------------- */

enum reply_shape { REPLY_USER, REPLY_PORTAL, REPLY_CONFIRMATION };
enum path_arg { ARG_NONE, ARG_USER, ARG_MAILBOX };

struct single_call {
    enum vendor_op op;
    const char *method;
    const char *path; /* "{}" stands for the path argument */
    enum path_arg arg;
    bool form_body;  /* the operation's form is the JSON body */
    bool idempotent; /* may be re-sent after a failure (vendor.h) */
    enum reply_shape reply;
    const char *action; /* for messages */
};

static const struct single_call single_calls[] = {
    {VOP_WHOAMI, "GET", "/v2/users/me", ARG_NONE, false, true, REPLY_USER, "check the API key"},
    {VOP_GET_PORTAL, "GET", "/v2/portals/by-mailbox/{}", ARG_MAILBOX, false, true, REPLY_PORTAL,
     "show the portal"},
    {VOP_GET_USER, "GET", "/v2/users/{}", ARG_USER, false, true, REPLY_USER, "show the user"},
    {VOP_UPDATE_USER, "PUT", "/v2/users", ARG_NONE, true, true, REPLY_USER, "update the user"},
    {VOP_SET_ROLE, "POST", "/v2/users/role", ARG_NONE, true, false, REPLY_USER,
     "set the user's level"},
    {VOP_SET_PASSWORD, "POST", "/v2/users/password", ARG_NONE, true, false, REPLY_CONFIRMATION,
     "set the password"},
    {VOP_RESET_SESSIONS, "POST", "/v2/users/reset/{}", ARG_USER, false, false, REPLY_CONFIRMATION,
     "reset the user's sessions"},
    {VOP_REMOVE_USER, "DELETE", "/v2/users/{}", ARG_USER, false, true, REPLY_CONFIRMATION,
     "terminate the user"},
};

static const struct single_call *single_call_for(enum vendor_op op)
{
    for (size_t i = 0; i < G_N_ELEMENTS(single_calls); i++) {
        if (single_calls[i].op == op)
            return &single_calls[i];
    }
    return NULL;
}

static void on_single_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    const struct single_call *call = data;
    struct ecgrid_error_context context = ecgrid_job_context(job, call->action);
    struct ecgrid_answer answer;
    if (!ecgrid_job_answer(job, res, &context, &answer))
        return;
    if (call->reply == REPLY_USER)
        ecgrid_parse_user(answer.data, &job->result, &job->error);
    else if (call->reply == REPLY_PORTAL)
        ecgrid_parse_portal(answer.data, ecgrid_job_mailbox(job), &job->result, &job->error);
    else
        ecgrid_parse_confirmation(answer.data, &job->error);
    ecgrid_answer_clear(&answer);
}

/* The path argument of a call, or NULL after failing the job. */
static const char *path_argument(struct vendor_job *job, enum path_arg arg)
{
    if (arg == ARG_USER)
        return target_user_id(job);
    if (arg == ARG_MAILBOX && ecgrid_job_mailbox(job) <= 0) {
        if (job->error.kind == API_OK)
            vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "%s needs a mailbox id (--portal)",
                            vendor_op_name(job->request.op));
        return NULL;
    }
    return job->request.portal_id;
}

static void start_single(struct vendor_job *job, const struct single_call *call)
{
    const char *argument = NULL;
    if (call->arg != ARG_NONE && !(argument = path_argument(job, call->arg)))
        return;
    char *body = NULL;
    if (call->form_body) {
        const struct vendor_operation *op = vendor_find_operation(job->vendor, call->op);
        if (!(body = form_body(job, op->form)))
            return;
    }
    const char *const values[] = {argument, NULL};
    char *url = ecgrid_job_url(job, call->path, argument ? values : NULL);
    if (url) {
        struct vendor_call request = {
            .method = call->method, .url = url, .body = body, .idempotent = call->idempotent};
        vendor_job_send(job, &request, on_single_reply, (void *)call);
    }
    free(url);
    free_body(body);
}

/* ---- a user by login --------------------------------------------------------------- */

static char *login_body(const char *login)
{
    GString *body = g_string_new("{\"login\":");
    text_append_json_string(body, login);
    g_string_append_c(body, '}');
    return g_string_free(body, FALSE);
}

static void on_user_by_login(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct ecgrid_error_context context = ecgrid_job_context(job, "find the user");
    context.reads_only = true; /* a lookup inside a change */
    struct ecgrid_answer answer;
    if (!ecgrid_job_answer(job, res, &context, &answer))
        return;
    if (ecgrid_parse_users_by_login(answer.data, job->request.target_id, &job->result,
                                    &job->error) &&
        job->result.count == 0) {
        char *shown = text_sanitize(job->request.target_id);
        vendor_job_fail(job, API_REFUSED, 404, "ObjectNotFound",
                        "no ECGrid user has the login \"%s\" in the networks this key sees "
                        "(check the spelling, or give the user's number)",
                        shown);
        g_free(shown);
    }
    ecgrid_answer_clear(&answer);
}

static void start_get_user(struct vendor_job *job)
{
    int id = 0;
    if (ecgrid_parse_id(job->request.target_id, &id)) {
        start_single(job, single_call_for(VOP_GET_USER));
        return;
    }
    char *url = ecgrid_job_url(job, "/v2/users/by-name", NULL);
    char *body = login_body(job->request.target_id);
    if (url) {
        struct vendor_call request = {
            .method = "POST", .url = url, .body = body, .idempotent = true};
        vendor_job_send(job, &request, on_user_by_login, NULL);
    }
    free(url);
    g_free(body);
}

/* ---- creates, with the look-up after an unclear answer ------------------------------- */

struct create_kind {
    enum vendor_op op;
    const char *path;
    const char *key_field; /* what identifies the object: "login", "mailboxId" */
    const char *action;
    const char *noun; /* "user", "portal of mailbox" */
    void (*send_lookup)(struct vendor_job *job);
    bool (*found)(struct vendor_job *job, const struct net_response *res);
};

struct create_state {
    const struct create_kind *kind;
    char *key;                /* the login or mailbox id being created */
    struct api_error unclear; /* what the create answered before the look-up */
};

static void free_create_state(void *data)
{
    struct create_state *state = data;
    g_free(state->key);
    api_error_clear(&state->unclear);
    g_free(state);
}

/* A create that got no clear answer may have happened: the request may have
 * reached ECGrid (reset or timeout after sending, an answer cut short). */
static bool transport_maybe_applied(const struct net_response *res)
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

static void on_lookup_reply(struct vendor_job *job, const struct net_response *res, void *data);

static void on_create_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct create_state *state = data;
    struct ecgrid_error_context context = ecgrid_job_context(job, state->kind->action);
    context.duplicate_field = state->kind->key_field;
    struct ecgrid_answer answer;
    bool unclear = transport_maybe_applied(res);
    if (!unclear && ecgrid_job_answer(job, res, &context, &answer)) {
        bool parsed = state->kind->op == VOP_CREATE_USER
                          ? ecgrid_parse_user(answer.data, &job->result, &job->error)
                          : ecgrid_parse_portal(answer.data, 0, &job->result, &job->error);
        ecgrid_answer_clear(&answer);
        unclear = !parsed;
    } else if (!unclear) {
        unclear = job->error.kind == API_BAD_RESPONSE || job->error.http_status >= 500;
    } else {
        vendor_job_check_transport(job, res);
    }
    if (!unclear)
        return;
    /* Keep what the create answered, and ask ECGrid whether the object exists. */
    api_error_copy(&state->unclear, &job->error);
    api_error_clear(&job->error);
    record_list_clear(&job->result);
    vendor_job_progress(job, "no clear answer from ECGrid: checking whether the %s %s exists",
                        state->kind->noun, state->key);
    state->kind->send_lookup(job);
}

/* What the create answered, led by the action unless it already says it. */
static char *unclear_answer(const struct create_state *state)
{
    const char *message = state->unclear.message ? state->unclear.message : "no answer";
    if (g_str_has_prefix(message, state->kind->action))
        return g_strdup(message);
    return g_strdup_printf("%s: %s", state->kind->action, message);
}

static void report_lookup_failed(struct vendor_job *job, struct create_state *state)
{
    char *check = g_strdup(job->error.message ? job->error.message : "no answer");
    char *answer = unclear_answer(state);
    char *key = text_sanitize(state->key);
    api_error_copy(&job->error, &state->unclear);
    vendor_job_fail(job, state->unclear.kind, state->unclear.http_status, state->unclear.code,
                    "%s; checking whether it happened failed too (%s): look for the %s %s "
                    "before trying again",
                    answer, check, state->kind->noun, key);
    job->error.ambiguous = true;
    g_free(key);
    g_free(answer);
    g_free(check);
}

static void report_not_created(struct vendor_job *job, struct create_state *state)
{
    char *answer = unclear_answer(state);
    char *key = text_sanitize(state->key);
    api_error_copy(&job->error, &state->unclear);
    vendor_job_fail(job, state->unclear.kind, state->unclear.http_status, state->unclear.code,
                    "%s; checked: there is no %s %s, so nothing was created and it is safe to "
                    "try again",
                    answer, state->kind->noun, key);
    job->error.ambiguous = false;
    g_free(key);
    g_free(answer);
}

static void on_lookup_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct create_state *state = data;
    if (!state->kind->found(job, res)) {
        if (job->error.kind != API_OK)
            report_lookup_failed(job, state);
        else
            report_not_created(job, state);
    }
}

/* users/by-name: found when a user of that login is in the answer. */
static bool found_user(struct vendor_job *job, const struct net_response *res)
{
    struct create_state *state = job->adapter_state;
    struct ecgrid_error_context context = ecgrid_job_context(job, "look the user up");
    context.reads_only = true; /* a lookup inside a change */
    context.form = NULL;
    struct ecgrid_answer answer;
    if (!ecgrid_job_answer(job, res, &context, &answer))
        return false;
    bool ok = ecgrid_parse_users_by_login(answer.data, state->key, &job->result, &job->error);
    ecgrid_answer_clear(&answer);
    return ok && job->result.count > 0;
}

static void send_user_lookup(struct vendor_job *job)
{
    struct create_state *state = job->adapter_state;
    char *url = ecgrid_job_url(job, "/v2/users/by-name", NULL);
    char *body = login_body(state->key);
    if (url) {
        struct vendor_call request = {
            .method = "POST", .url = url, .body = body, .idempotent = true};
        vendor_job_send(job, &request, on_lookup_reply, state);
    }
    free(url);
    g_free(body);
}

/* portals/by-mailbox: found on 200; 404 means there is none. */
static bool found_portal(struct vendor_job *job, const struct net_response *res)
{
    struct create_state *state = job->adapter_state;
    struct ecgrid_error_context context = ecgrid_job_context(job, "look the portal up");
    context.reads_only = true; /* a lookup inside a change */
    context.form = NULL;
    struct ecgrid_answer answer;
    if (!ecgrid_job_answer(job, res, &context, &answer)) {
        if (res->error == NET_ERR_NONE && res->status == 404)
            api_error_clear(&job->error);
        return false;
    }
    int mailbox_id = 0;
    ecgrid_parse_id(state->key, &mailbox_id);
    bool ok = ecgrid_parse_portal(answer.data, mailbox_id, &job->result, &job->error);
    ecgrid_answer_clear(&answer);
    return ok;
}

static void send_portal_lookup(struct vendor_job *job)
{
    struct create_state *state = job->adapter_state;
    const char *const values[] = {state->key, NULL};
    char *url = ecgrid_job_url(job, "/v2/portals/by-mailbox/{}", values);
    if (url) {
        struct vendor_call request = {.method = "GET", .url = url, .idempotent = true};
        vendor_job_send(job, &request, on_lookup_reply, state);
    }
    free(url);
}

static const struct create_kind create_user_kind = {
    VOP_CREATE_USER, "/v2/users", "login", "create the user", "user", send_user_lookup, found_user,
};

static const struct create_kind create_portal_kind = {
    VOP_CREATE_PORTAL,   "/v2/portals/create", "mailboxId",  "create the portal",
    "portal of mailbox", send_portal_lookup,   found_portal,
};

static void start_create(struct vendor_job *job, const struct create_kind *kind)
{
    const struct vendor_operation *op = vendor_find_operation(job->vendor, kind->op);
    struct form_values *values = vendor_job_checked_input(job, op->form, fill_context);
    if (!values)
        return;
    struct create_state *state = g_new0(struct create_state, 1);
    state->kind = kind;
    state->key = g_strdup(form_values_get(values, kind->key_field));
    api_error_init(&state->unclear);
    job->adapter_state = state;
    job->free_adapter_state = free_create_state;
    char *body = body_or_fail(job, op->form, values);
    form_values_free(values);
    char *url = body ? ecgrid_job_url(job, kind->path, NULL) : NULL;
    if (url) {
        struct vendor_call request = {
            .method = "POST", .url = url, .body = body, .idempotent = false};
        vendor_job_send(job, &request, on_create_reply, state);
    }
    free(url);
    free_body(body);
}

/* ---- start ----------------------------------------------------------------------------- */

static void ecgrid_start(struct vendor_job *job)
{
    if (!have_api_key(job))
        return;
    switch (job->request.op) {
    case VOP_LIST_PORTALS:
        ecgrid_start_list_portals(job);
        return;
    case VOP_LIST_USERS:
        ecgrid_start_list_users(job);
        return;
    case VOP_GET_USER:
        start_get_user(job);
        return;
    case VOP_CREATE_USER:
        start_create(job, &create_user_kind);
        return;
    case VOP_CREATE_PORTAL:
        start_create(job, &create_portal_kind);
        return;
    default:
        break;
    }
    const struct single_call *call = single_call_for(job->request.op);
    if (call)
        start_single(job, call);
    else
        vendor_job_fail(job, API_UNSUPPORTED, 0, NULL, "ECGrid has no %s",
                        vendor_op_name(job->request.op));
}

const struct vendor_ops ecgrid_vendor = {
    .id = CONFIG_VENDOR_ECGRID,
    .name = "ecgrid",
    .title = "ECGrid",
    .portal_noun = "mailbox id",
    .default_url = "https://rest.ecgrid.io",
    .default_base = NULL,
    .local_portal_list = false,
    .operations = ecgrid_operations,
    .operation_count = G_N_ELEMENTS(ecgrid_operations),
    .auth = &ecgrid_auth,
    .start = ecgrid_start,
};
