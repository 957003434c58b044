/*
 * Sessions and jobs (see session.h and vendor.h). Owns the credential cache,
 * the access token, the queue of requests waiting for a token refresh, and
 * the life cycle of a job: start, requests in flight, completion, cancel.
 */
#include <portalctl/session.h>
#include <portalctl/text.h>

#include <stdarg.h>
#include <string.h>

struct session {
    struct connection_config *config;
    const struct vendor_ops *vendor;
    struct net_engine *net;
    struct secrets *secrets;
    char *secret_cache[SECRET_KIND_COUNT];
    bool secret_looked_up[SECRET_KIND_COUNT];
    char *access_token;
    double access_expiry;
    char *api_base;
    char *accounts_base;
    bool refreshing;
    GQueue waiting;      /* struct pending_send * held until the refresh answers */
    GHashTable *on_wire; /* struct pending_send * submitted to the engine */
};

/* One request of a job, from submit to reply. */
struct pending_send {
    struct vendor_job *job;
    char *method;
    char *url;
    char *body;
    char *content_type;
    bool idempotent;
    bool no_auth;
    unsigned delay_ms;
    bool repeated_after_refresh;
    vendor_reply_fn reply;
    vendor_chunk_fn chunk; /* NULL: the body is collected */
    void *data;
    net_request_id id;
};

/* One request sent without credentials (token endpoints). */
struct raw_send {
    struct session *session;
    session_raw_fn done;
    void *data;
};

static void send_now(struct session *session, struct pending_send *ps);

/* ---- the session ----------------------------------------------------------- */

static char *strip_trailing_slash(char *url)
{
    size_t len = url ? strlen(url) : 0;
    while (len > 0 && url[len - 1] == '/')
        url[--len] = '\0';
    return url;
}

static char *default_base(const struct session *session, bool accounts)
{
    if (session->vendor && session->vendor->default_base)
        return session->vendor->default_base(session->config, accounts);
    return g_strdup(session->vendor ? session->vendor->default_url : "");
}

struct session *session_new(const struct connection_config *config, struct net_engine *net,
                            struct secrets *secrets)
{
    struct session *session = g_new0(struct session, 1);
    session->config = connection_config_copy(config);
    session->vendor = vendor_by_id(config->vendor);
    session->net = net;
    session->secrets = secrets;
    session->api_base =
        strip_trailing_slash(config->url ? g_strdup(config->url) : default_base(session, false));
    session->accounts_base = strip_trailing_slash(
        config->accounts_url ? g_strdup(config->accounts_url) : default_base(session, true));
    g_queue_init(&session->waiting);
    session->on_wire = g_hash_table_new(g_direct_hash, g_direct_equal);
    return session;
}

void session_free(struct session *session)
{
    if (!session)
        return;
    for (int k = 0; k < SECRET_KIND_COUNT; k++)
        secret_value_free(session->secret_cache[k]);
    secret_value_free(session->access_token);
    g_free(session->api_base);
    g_free(session->accounts_base);
    g_hash_table_unref(session->on_wire);
    connection_config_free(session->config);
    g_free(session);
}

const struct connection_config *session_config(const struct session *session)
{
    return session->config;
}

const struct vendor_ops *session_vendor(const struct session *session)
{
    return session->vendor;
}

struct net_engine *session_net(struct session *session)
{
    return session->net;
}

const char *session_api_base(const struct session *session)
{
    return session->api_base;
}

const char *session_accounts_base(const struct session *session)
{
    return session->accounts_base;
}

/* Requests queued behind a refresh were built against the old base: move
 * them to the new one, so the first request already goes where the vendor
 * said (Zoho's api_domain). */
static void rebase_waiting(struct session *session, const char *old_base)
{
    size_t old_len = strlen(old_base);
    for (GList *l = session->waiting.head; l; l = l->next) {
        struct pending_send *ps = l->data;
        if (strncmp(ps->url, old_base, old_len) != 0 || ps->url[old_len] != '/')
            continue;
        char *moved = g_strconcat(session->api_base, ps->url + old_len, NULL);
        g_free(ps->url);
        ps->url = moved;
    }
}

void session_set_api_base(struct session *session, const char *api_base)
{
    if (session->config->url || !api_base || net_url_check(api_base) != NET_ERR_NONE)
        return; /* configured url wins; an unusable api_domain is ignored */
    char *old_base = session->api_base;
    session->api_base = strip_trailing_slash(g_strdup(api_base));
    if (strcmp(old_base, session->api_base) != 0)
        rebase_waiting(session, old_base);
    g_free(old_base);
}

const char *session_secret(struct session *session, enum secret_kind kind, GError **error)
{
    if ((unsigned)kind >= SECRET_KIND_COUNT)
        return NULL;
    if (!session->secret_cache[kind] && !session->secret_looked_up[kind] && session->secrets) {
        session->secret_cache[kind] =
            secrets_lookup(session->secrets, session->config->name, kind, error);
        session->secret_looked_up[kind] = true;
    }
    return session->secret_cache[kind];
}

void session_set_secret(struct session *session, enum secret_kind kind, const char *value)
{
    if ((unsigned)kind >= SECRET_KIND_COUNT)
        return;
    secret_value_free(session->secret_cache[kind]);
    session->secret_cache[kind] = value ? g_strdup(value) : NULL;
    session->secret_looked_up[kind] = true;
}

const char *session_access_token(const struct session *session)
{
    return session->access_token;
}

double session_access_expiry(const struct session *session)
{
    return session->access_expiry;
}

void session_set_access_token(struct session *session, const char *token, double expires_at)
{
    secret_value_free(session->access_token);
    session->access_token = token ? g_strdup(token) : NULL;
    session->access_expiry = expires_at;
}

/* ---- jobs: completion ------------------------------------------------------- */

static void free_request_copy(struct vendor_request *req)
{
    g_free((char *)req->portal_id);
    g_free((char *)req->target_id);
    g_free((char *)req->filter);
    for (size_t i = 0; i < req->row_count; i++)
        form_values_free(req->rows[i]);
    g_free((struct form_values **)req->rows);
}

static void copy_request(struct vendor_request *dst, const struct vendor_request *src)
{
    *dst = *src;
    dst->portal_id = g_strdup(src->portal_id);
    dst->target_id = g_strdup(src->target_id);
    dst->filter = g_strdup(src->filter);
    struct form_values **rows = g_new0(struct form_values *, src->row_count + 1);
    for (size_t i = 0; i < src->row_count; i++)
        rows[i] = form_values_copy(src->rows[i]);
    dst->rows = rows;
}

static void job_free(struct vendor_job *job)
{
    if (job->free_adapter_state)
        job->free_adapter_state(job->adapter_state);
    free_request_copy(&job->request);
    record_list_clear(&job->result);
    api_error_clear(&job->error);
    g_free(job);
}

/* Ends the job when nothing is in flight any more. Returns true when it did
 * (the job is then freed). */
static bool job_complete_if_idle(struct vendor_job *job)
{
    if (job->in_flight > 0 || job->finished)
        return false;
    job->finished = true;
    if (job->cancelled && job->error.kind == API_OK)
        api_error_set(&job->error, API_CANCELLED, 0, NULL, "cancelled");
    if (job->events.done)
        job->events.done(job, &job->error, &job->result, job->events.user);
    job_free(job);
    return true;
}

void vendor_job_fail(struct vendor_job *job, enum api_error_kind kind, long http_status,
                     const char *code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    api_error_set(&job->error, kind, http_status, code, "%s", message);
    g_free(message);
}

void vendor_job_fail_form_errors(struct vendor_job *job, const struct form_errors *errors)
{
    char *lines = form_errors_format(errors);
    g_strchomp(lines);
    for (char *p = lines; *p; p++) {
        if (*p == '\n')
            *p = ';';
    }
    char *shown = text_sanitize(lines);
    vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "%s refused, nothing sent: %s",
                    vendor_op_name(job->request.op), shown);
    g_free(shown);
    g_free(lines);
    for (size_t i = 0; i < form_errors_count(errors); i++)
        api_error_add_field(&job->error, form_errors_key_at(errors, i), -1,
                            form_errors_message_at(errors, i));
}

struct form_values *vendor_job_checked_input(struct vendor_job *job, const struct form_spec *spec,
                                             vendor_fill_context_fn fill)
{
    if (job->request.row_count > 1) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "%s takes one set of values at a time (got %zu): nothing sent",
                        vendor_op_name(job->request.op), job->request.row_count);
        return NULL;
    }
    struct form_values *values =
        job->request.row_count ? form_values_copy(job->request.rows[0]) : form_values_new();
    struct form_errors *errors = form_errors_new();
    bool ok = !fill || fill(job, spec, values);
    if (ok) {
        form_normalize(spec, values);
        ok = form_validate(spec, values, errors);
        if (!ok)
            vendor_job_fail_form_errors(job, errors);
    }
    form_errors_free(errors);
    if (!ok) {
        form_values_free(values);
        return NULL;
    }
    return values;
}

void vendor_job_deliver_page(struct vendor_job *job, struct record_list *records)
{
    if (job->events.page)
        job->events.page(job, records, job->events.user);
    else
        record_list_move_all(&job->result, records);
    record_list_clear(records);
}

void vendor_job_progress(struct vendor_job *job, const char *format, ...)
{
    if (!job->events.progress)
        return;
    va_list args;
    va_start(args, format);
    char *raw = g_strdup_vprintf(format, args);
    va_end(args);
    char *message = text_sanitize(raw);
    job->events.progress(job, message, job->events.user);
    g_free(message);
    g_free(raw);
}

const char *vendor_job_api_base(const struct vendor_job *job)
{
    return session_api_base(job->session);
}

bool vendor_job_check_transport(struct vendor_job *job, const struct net_response *res)
{
    if (res->error == NET_ERR_NONE)
        return true;
    enum api_error_kind kind = API_NETWORK;
    if (res->error == NET_ERR_TLS || res->error == NET_ERR_REFUSED_INSECURE)
        kind = API_TLS;
    else if (res->error == NET_ERR_CANCELLED)
        kind = API_CANCELLED;
    else if (res->error == NET_ERR_TOO_LARGE || res->error == NET_ERR_PROTOCOL ||
             res->error == NET_ERR_STOPPED) /* the adapter stopped reading a bad answer */
        kind = API_BAD_RESPONSE;
    vendor_job_fail(job, kind, res->status, net_error_name(res->error), "%s",
                    res->message[0] ? res->message : net_error_name(res->error));
    job->error.ambiguous = res->ambiguous;
    return false;
}

/* ---- jobs: sending ---------------------------------------------------------- */

static void free_pending_send(struct pending_send *ps)
{
    g_free(ps->method);
    g_free(ps->url);
    if (ps->body)
        secret_wipe(ps->body); /* bodies can carry passwords */
    g_free(ps->body);
    g_free(ps->content_type);
    g_free(ps);
}

/* A request leaves the job: the reply (if any) has run. */
static void pending_send_done(struct pending_send *ps)
{
    struct vendor_job *job = ps->job;
    free_pending_send(ps);
    job_complete_if_idle(job);
}

static bool can_refresh(const struct session *session)
{
    return session->vendor->auth && session->vendor->auth->refresh;
}

static void wait_for_refresh(struct session *session, struct pending_send *ps)
{
    g_queue_push_tail(&session->waiting, ps);
    if (!session->refreshing) {
        session->refreshing = true;
        session->vendor->auth->refresh(session);
    }
}

static void on_job_reply(const struct net_response *res, void *user)
{
    struct pending_send *ps = user;
    struct vendor_job *job = ps->job;
    struct session *session = job->session;
    g_hash_table_remove(session->on_wire, ps);
    if (!job->cancelled && res->error == NET_ERR_NONE && !ps->no_auth &&
        !ps->repeated_after_refresh && can_refresh(session) &&
        session->vendor->auth->is_auth_failure(res)) {
        /* The token expired or was revoked: refresh once, then repeat. */
        ps->repeated_after_refresh = true;
        ps->id = 0;
        wait_for_refresh(session, ps);
        return;
    }
    /* The request still counts as in flight while its reply runs, so a reply
     * that cancels its own job cannot end (and free) it under our feet. */
    if (!job->cancelled)
        ps->reply(job, res, ps->data);
    job->in_flight--;
    pending_send_done(ps);
}

/* A piece of a streamed answer: straight to the adapter, unless the job was
 * cancelled meanwhile (then the transfer stops; its reply is not called). */
static bool on_job_chunk(const char *data, size_t len, void *user)
{
    struct pending_send *ps = user;
    if (ps->job->cancelled)
        return false;
    return ps->chunk(ps->job, data, len, ps->data);
}

static GPtrArray *build_headers(struct session *session, const struct pending_send *ps)
{
    GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(headers, g_strdup("Accept: application/json"));
    if (ps->body)
        g_ptr_array_add(headers, g_strdup_printf("Content-Type: %s", ps->content_type));
    if (!ps->no_auth && session->vendor->auth && session->vendor->auth->add_headers)
        session->vendor->auth->add_headers(session, headers);
    g_ptr_array_add(headers, NULL);
    return headers;
}

static void wipe_headers(GPtrArray *headers)
{
    for (guint i = 0; i < headers->len; i++) {
        char *line = g_ptr_array_index(headers, i);
        if (line)
            secret_wipe(line);
    }
    g_ptr_array_unref(headers);
}

static void send_now(struct session *session, struct pending_send *ps)
{
    struct net_request req;
    net_request_init(&req, ps->method, ps->url);
    GPtrArray *headers = build_headers(session, ps);
    req.headers = (const char *const *)headers->pdata;
    req.body = ps->body;
    req.body_len = ps->body ? strlen(ps->body) : 0;
    req.idempotent = ps->idempotent;
    req.ca_file = session->config->ca_file;
    req.max_body_bytes = SESSION_MAX_BODY_BYTES;
    req.on_chunk = ps->chunk ? on_job_chunk : NULL;
    req.chunk_user = ps;
    ps->id = net_engine_submit(session->net, &req, on_job_reply, ps);
    wipe_headers(headers); /* the engine copied them; they hold the credential */
    if (ps->id != 0)
        g_hash_table_add(session->on_wire, ps);
    if (ps->id == 0) {
        ps->job->in_flight--;
        vendor_job_fail(ps->job, API_NETWORK, 0, NULL, "out of memory");
        pending_send_done(ps);
    }
}

static bool session_needs_refresh(struct session *session)
{
    const struct vendor_auth_ops *auth = session->vendor->auth;
    return auth && auth->needs_refresh && auth->refresh && auth->needs_refresh(session);
}

void vendor_job_send(struct vendor_job *job, const struct vendor_call *call, vendor_reply_fn reply,
                     void *data)
{
    struct pending_send *ps = g_new0(struct pending_send, 1);
    ps->job = job;
    ps->method = g_strdup(call->method);
    ps->url = g_strdup(call->url);
    ps->body = g_strdup(call->body);
    ps->content_type = g_strdup(call->content_type ? call->content_type : "application/json");
    ps->idempotent = call->idempotent;
    ps->no_auth = call->no_auth;
    ps->delay_ms = call->delay_ms;
    ps->reply = reply;
    ps->chunk = call->on_chunk;
    ps->data = data;
    job->in_flight++;
    struct session *session = job->session;
    if (!ps->no_auth && (session->refreshing || session_needs_refresh(session)))
        wait_for_refresh(session, ps);
    else
        send_now(session, ps);
}

void session_auth_done(struct session *session, const struct api_error *error)
{
    session->refreshing = false;
    GQueue waiting = session->waiting;
    g_queue_init(&session->waiting);
    struct pending_send *ps;
    while ((ps = g_queue_pop_head(&waiting))) {
        if (!error || error->kind == API_OK) {
            if (!ps->job->cancelled) {
                send_now(session, ps);
                continue;
            }
        } else if (ps->job->error.kind == API_OK) {
            api_error_copy(&ps->job->error, error);
        }
        ps->job->in_flight--;
        pending_send_done(ps);
    }
}

static void on_raw_reply(const struct net_response *res, void *user)
{
    struct raw_send *rs = user;
    rs->done(rs->session, res, rs->data);
    g_free(rs);
}

void session_send_raw(struct session *session, const struct vendor_call *call, session_raw_fn done,
                      void *data)
{
    struct net_request req;
    net_request_init(&req, call->method, call->url);
    const char *content_type = call->content_type ? call->content_type : "application/json";
    char *type_header = call->body ? g_strdup_printf("Content-Type: %s", content_type) : NULL;
    const char *headers[] = {"Accept: application/json", type_header, NULL};
    req.headers = headers;
    req.body = call->body;
    req.body_len = call->body ? strlen(call->body) : 0;
    req.idempotent = call->idempotent;
    req.ca_file = session->config->ca_file;
    req.max_body_bytes = SESSION_MAX_BODY_BYTES;
    struct raw_send *rs = g_new0(struct raw_send, 1);
    rs->session = session;
    rs->done = done;
    rs->data = data;
    if (net_engine_submit(session->net, &req, on_raw_reply, rs) == 0) {
        struct net_response failed = {.error = NET_ERR_NO_MEMORY, .body = ""};
        g_strlcpy(failed.message, "out of memory", sizeof(failed.message));
        on_raw_reply(&failed, rs);
    }
    g_free(type_header);
}

/* ---- jobs: start and cancel ------------------------------------------------- */

static bool refuse_request(struct vendor_job *job)
{
    const struct vendor_ops *vendor = job->vendor;
    const struct connection_config *config = job->session->config;
    if (!vendor) {
        vendor_job_fail(job, API_UNSUPPORTED, 0, NULL, "%s: no adapter for this vendor",
                        config->name);
        return true;
    }
    const struct vendor_operation *op = vendor_find_operation(vendor, job->request.op);
    if (!op) {
        vendor_job_fail(job, API_UNSUPPORTED, 0, NULL, "%s cannot %s: %s has no such operation",
                        config->name, vendor_op_name(job->request.op), vendor->title);
        return true;
    }
    if (op->changes && config->read_only) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "%s is read-only: %s refused, nothing sent", config->name,
                        vendor_op_name(job->request.op));
        return true;
    }
    if (op->needs_portal && !(job->request.portal_id && job->request.portal_id[0])) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "%s needs a %s (--portal)",
                        vendor_op_name(job->request.op), vendor->portal_noun);
        return true;
    }
    if (op->needs_target && !(job->request.target_id && job->request.target_id[0])) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "%s needs the id of its target",
                        vendor_op_name(job->request.op));
        return true;
    }
    return false;
}

struct vendor_job *vendor_job_start(struct session *session, const struct vendor_request *request,
                                    const struct vendor_job_events *events)
{
    struct vendor_job *job = g_new0(struct vendor_job, 1);
    job->session = session;
    job->vendor = session->vendor;
    copy_request(&job->request, request);
    if (events)
        job->events = *events;
    record_list_init(&job->result);
    api_error_init(&job->error);
    job->in_flight = 1; /* held while start runs, so the job cannot end inside it */
    if (!refuse_request(job))
        job->vendor->start(job);
    job->in_flight--;
    return job_complete_if_idle(job) ? NULL : job;
}

void vendor_job_cancel(struct vendor_job *job)
{
    if (!job || job->finished)
        return;
    job->cancelled = true;
    job->in_flight++; /* keep the job alive while we walk its requests */
    struct session *session = job->session;
    for (GList *l = session->waiting.head; l;) {
        GList *next = l->next;
        struct pending_send *ps = l->data;
        if (ps->job == job) {
            g_queue_delete_link(&session->waiting, l);
            job->in_flight--;
            free_pending_send(ps);
        }
        l = next;
    }
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init(&iter, session->on_wire);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        struct pending_send *ps = key;
        if (ps->job == job)
            net_engine_cancel(session->net, ps->id);
    }
    job->in_flight--;
    /* Requests on the wire answer with NET_ERR_CANCELLED on the next dispatch. */
    if (job->in_flight == 0)
        job_complete_if_idle(job);
}
