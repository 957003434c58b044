/*
 * Test support: the scripted HTTP(S) server (see script_server.h). Owns a
 * libmicrohttpd daemon, its reply queue and its record of requests; shared
 * state is behind one mutex because every connection has its own thread.
 * Deliberately shares nothing with src/net/ or src/sim/.
 */
#include "script_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>
#include <microhttpd.h>

/* A reply with its own copies of the strings. */
struct owned_reply {
    enum script_action action;
    unsigned status;
    char **headers; /* NULL-terminated */
    char *body;
    size_t body_len;
    bool chunked;
    unsigned delay_ms;
};

struct script_server {
    struct MHD_Daemon *daemon;
    char url[64];
    unsigned short port;
    char *cert_pem, *key_pem; /* must outlive the daemon */

    GMutex lock;
    GCond stop_cond; /* wakes delayed replies when the server stops */
    bool stopping;
    GQueue replies; /* struct owned_reply * */
    struct owned_reply *default_reply;
    GPtrArray *routes;   /* struct route *, see script_server_route() */
    GPtrArray *requests; /* struct script_request * */
    unsigned connections, in_progress, max_concurrent;
};

/* A standing reply for every request to one method and path prefix. */
struct route {
    char *method; /* NULL = any */
    char *prefix;
    struct owned_reply *reply;
};

/* One request in progress: its record and its body as it arrives. */
struct request_context {
    struct script_request *record;
    GString *body;
};

/* What a body reader serves: the whole body, or half of it before an error. */
struct body_source {
    char *data;
    size_t len, limit;
};

/* ---- replies ---------------------------------------------------------------- */

static struct owned_reply *copy_reply(const struct script_reply *reply)
{
    struct owned_reply *copy = g_new0(struct owned_reply, 1);
    GPtrArray *headers = g_ptr_array_new();
    for (size_t i = 0; i < SCRIPT_MAX_HEADERS && reply->headers[i] != NULL; i++)
        g_ptr_array_add(headers, g_strdup(reply->headers[i]));
    g_ptr_array_add(headers, NULL);
    copy->headers = (char **)g_ptr_array_free(headers, FALSE);
    const char *body = reply->body != NULL ? reply->body : "";
    copy->body_len = reply->body_len != 0 ? reply->body_len : strlen(body);
    copy->body = g_memdup2(body, copy->body_len + 1);
    copy->action = reply->action;
    copy->status = reply->status != 0 ? reply->status : 200;
    copy->chunked = reply->chunked;
    copy->delay_ms = reply->delay_ms;
    return copy;
}

static void free_reply(gpointer data)
{
    struct owned_reply *reply = data;
    if (reply == NULL)
        return;
    g_strfreev(reply->headers);
    g_free(reply->body);
    g_free(reply);
}

static void free_request(gpointer data)
{
    struct script_request *req = data;
    g_free(req->method);
    g_free(req->path);
    g_strfreev(req->headers);
    g_free(req->body);
    g_free(req);
}

/* ---- answering -------------------------------------------------------------- */

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct body_source *src = cls;
    if (pos >= src->limit)
        return src->limit < src->len ? MHD_CONTENT_READER_END_WITH_ERROR
                                     : MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = MIN(max, src->limit - (size_t)pos);
    memcpy(buf, src->data + pos, n);
    return (ssize_t)n;
}

static void free_body_source(void *cls)
{
    struct body_source *src = cls;
    g_free(src->data);
    g_free(src);
}

static struct MHD_Response *make_response(const struct owned_reply *reply)
{
    if (reply->action == SCRIPT_RESPOND && !reply->chunked)
        return MHD_create_response_from_buffer(reply->body_len, reply->body, MHD_RESPMEM_MUST_COPY);
    struct body_source *src = g_new0(struct body_source, 1);
    src->data = g_memdup2(reply->body, reply->body_len + 1);
    src->len = reply->body_len;
    src->limit = reply->action == SCRIPT_TRUNCATE ? reply->body_len / 2 : reply->body_len;
    uint64_t announced = reply->chunked ? MHD_SIZE_UNKNOWN : reply->body_len;
    return MHD_create_response_from_callback(announced, 4096, read_body, src, free_body_source);
}

static void add_headers(struct MHD_Response *response, char **headers)
{
    for (size_t i = 0; headers[i] != NULL; i++) {
        char *colon = strchr(headers[i], ':');
        if (colon == NULL)
            continue;
        char *name = g_strndup(headers[i], (gsize)(colon - headers[i]));
        MHD_add_response_header(response, name, g_strstrip(colon + 1));
        g_free(name);
    }
}

/* SO_LINGER with a zero timeout turns close() into a TCP reset. */
static void reset_on_close(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == NULL)
        return;
    struct linger hard = {.l_onoff = 1, .l_linger = 0};
    setsockopt(info->connect_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
}

static void wait_delay(struct script_server *srv, unsigned delay_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)delay_ms * 1000;
    g_mutex_lock(&srv->lock);
    while (!srv->stopping && g_cond_wait_until(&srv->stop_cond, &srv->lock, end))
        ;
    g_mutex_unlock(&srv->lock);
}

static struct owned_reply *dup_reply(const struct owned_reply *reply)
{
    struct owned_reply *copy = g_memdup2(reply, sizeof(*reply));
    copy->headers = g_strdupv(reply->headers);
    copy->body = g_memdup2(reply->body, reply->body_len + 1);
    return copy;
}

static void free_route(gpointer data)
{
    struct route *route = data;
    g_free(route->method);
    g_free(route->prefix);
    free_reply(route->reply);
    g_free(route);
}

/* The longest route matching; called with the lock held. */
static const struct route *find_route(struct script_server *srv, const char *method,
                                      const char *path)
{
    const struct route *best = NULL;
    for (guint i = 0; i < srv->routes->len; i++) {
        const struct route *route = srv->routes->pdata[i];
        if (route->method != NULL && strcmp(route->method, method) != 0)
            continue;
        if (!g_str_has_prefix(path, route->prefix))
            continue;
        if (best == NULL || strlen(route->prefix) > strlen(best->prefix))
            best = route;
    }
    return best;
}

static struct owned_reply *next_reply(struct script_server *srv, const char *method,
                                      const char *path)
{
    g_mutex_lock(&srv->lock);
    const struct route *route = find_route(srv, method, path);
    if (route != NULL) {
        struct owned_reply *copy = dup_reply(route->reply);
        g_mutex_unlock(&srv->lock);
        return copy;
    }
    struct owned_reply *reply = g_queue_pop_head(&srv->replies);
    if (reply == NULL)
        reply = dup_reply(srv->default_reply);
    g_mutex_unlock(&srv->lock);
    return reply;
}

static enum MHD_Result answer(struct script_server *srv, struct MHD_Connection *connection,
                              struct owned_reply *reply)
{
    if (reply->delay_ms > 0)
        wait_delay(srv, reply->delay_ms);
    if (reply->action == SCRIPT_RESET) {
        reset_on_close(connection);
        return MHD_NO;
    }
    struct MHD_Response *response = make_response(reply);
    if (response == NULL)
        return MHD_NO;
    add_headers(response, reply->headers);
    enum MHD_Result result = MHD_queue_response(connection, reply->status, response);
    MHD_destroy_response(response);
    return result;
}

/* ---- recording --------------------------------------------------------------- */

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    g_ptr_array_add(cls, g_strdup_printf("%s: %s", key, value != NULL ? value : ""));
    return MHD_YES;
}

static struct request_context *begin_request(struct script_server *srv,
                                             struct MHD_Connection *connection, const char *method,
                                             const char *url)
{
    struct request_context *ctx = g_new0(struct request_context, 1);
    ctx->body = g_string_new(NULL);
    ctx->record = g_new0(struct script_request, 1);
    ctx->record->method = g_strdup(method);
    ctx->record->path = g_strdup(url);
    GPtrArray *headers = g_ptr_array_new();
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, headers);
    g_ptr_array_add(headers, NULL);
    ctx->record->headers = (char **)g_ptr_array_free(headers, FALSE);
    g_mutex_lock(&srv->lock);
    srv->in_progress++;
    srv->max_concurrent = MAX(srv->max_concurrent, srv->in_progress);
    g_mutex_unlock(&srv->lock);
    return ctx;
}

static void record_request(struct script_server *srv, struct request_context *ctx)
{
    ctx->record->body_len = ctx->body->len;
    ctx->record->body = g_string_free(ctx->body, FALSE);
    ctx->body = NULL;
    g_mutex_lock(&srv->lock);
    g_ptr_array_add(srv->requests, ctx->record);
    g_mutex_unlock(&srv->lock);
    ctx->record = NULL;
}

/* ---- libmicrohttpd callbacks ----------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct script_server *srv = cls;
    (void)version;
    if (*con_cls == NULL) {
        *con_cls = begin_request(srv, connection, method, url);
        return MHD_YES;
    }
    struct request_context *ctx = *con_cls;
    if (*upload_data_size > 0) {
        g_string_append_len(ctx->body, upload_data, (gssize)*upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    record_request(srv, ctx);
    struct owned_reply *reply = next_reply(srv, method, url);
    enum MHD_Result result = answer(srv, connection, reply);
    free_reply(reply);
    return result;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct script_server *srv = cls;
    struct request_context *ctx = *con_cls;
    (void)connection;
    (void)code;
    if (ctx == NULL)
        return;
    if (ctx->record != NULL)
        free_request(ctx->record);
    if (ctx->body != NULL)
        g_string_free(ctx->body, TRUE);
    g_free(ctx);
    *con_cls = NULL;
    g_mutex_lock(&srv->lock);
    srv->in_progress--;
    g_mutex_unlock(&srv->lock);
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct script_server *srv = cls;
    (void)connection;
    (void)socket_context;
    if (toe != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    g_mutex_lock(&srv->lock);
    srv->connections++;
    g_mutex_unlock(&srv->lock);
}

/* ---- public ------------------------------------------------------------------ */

static bool load_tls(struct script_server *srv, const struct script_server_options *opts)
{
    GError *error = NULL;
    if (!g_file_get_contents(opts->tls_cert_file, &srv->cert_pem, NULL, &error) ||
        !g_file_get_contents(opts->tls_key_file, &srv->key_pem, NULL, &error)) {
        fprintf(stderr, "script_server: %s\n", error->message);
        g_error_free(error);
        return false;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "script_server: libmicrohttpd has no TLS support\n");
        return false;
    }
    return true;
}

static struct MHD_Daemon *start_daemon(struct script_server *srv,
                                       const struct script_server_options *opts, bool tls)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(opts->any_address ? INADDR_ANY : INADDR_LOOPBACK);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | (tls ? MHD_USE_TLS : 0);
    /* Without TLS the option list ends where the key would start. */
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                            srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                            MHD_OPTION_CONNECTION_TIMEOUT, opts->idle_timeout_s,
                            tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, srv->key_pem,
                            MHD_OPTION_HTTPS_MEM_CERT, srv->cert_pem, MHD_OPTION_END);
}

struct script_server *script_server_start(const struct script_server_options *opts)
{
    struct script_server_options defaults = {0};
    if (opts == NULL)
        opts = &defaults;
    struct script_server *srv = g_new0(struct script_server, 1);
    g_mutex_init(&srv->lock);
    g_cond_init(&srv->stop_cond);
    g_queue_init(&srv->replies);
    srv->requests = g_ptr_array_new_with_free_func(free_request);
    srv->routes = g_ptr_array_new_with_free_func(free_route);
    srv->default_reply = copy_reply(&(struct script_reply){.body = "ok"});
    bool tls = opts->tls_cert_file != NULL && opts->tls_key_file != NULL;
    if (tls && !load_tls(srv, opts)) {
        script_server_stop(srv);
        return NULL;
    }
    srv->daemon = start_daemon(srv, opts, tls);
    const union MHD_DaemonInfo *info =
        srv->daemon != NULL ? MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (info == NULL) {
        fprintf(stderr, "script_server: could not start libmicrohttpd\n");
        script_server_stop(srv);
        return NULL;
    }
    srv->port = info->port;
    snprintf(srv->url, sizeof(srv->url), "%s://127.0.0.1:%u", tls ? "https" : "http",
             (unsigned)srv->port);
    return srv;
}

void script_server_stop(struct script_server *srv)
{
    if (srv == NULL)
        return;
    g_mutex_lock(&srv->lock);
    srv->stopping = true;
    g_cond_broadcast(&srv->stop_cond);
    g_mutex_unlock(&srv->lock);
    if (srv->daemon != NULL)
        MHD_stop_daemon(srv->daemon);
    g_queue_clear_full(&srv->replies, free_reply);
    free_reply(srv->default_reply);
    g_ptr_array_free(srv->requests, TRUE);
    g_ptr_array_free(srv->routes, TRUE);
    g_free(srv->cert_pem);
    g_free(srv->key_pem);
    g_cond_clear(&srv->stop_cond);
    g_mutex_clear(&srv->lock);
    g_free(srv);
}

const char *script_server_url(const struct script_server *srv)
{
    return srv->url;
}

unsigned short script_server_port(const struct script_server *srv)
{
    return srv->port;
}

void script_server_push(struct script_server *srv, const struct script_reply *reply)
{
    struct owned_reply *copy = copy_reply(reply);
    g_mutex_lock(&srv->lock);
    g_queue_push_tail(&srv->replies, copy);
    g_mutex_unlock(&srv->lock);
}

void script_server_set_default(struct script_server *srv, const struct script_reply *reply)
{
    struct owned_reply *copy = copy_reply(reply);
    g_mutex_lock(&srv->lock);
    free_reply(srv->default_reply);
    srv->default_reply = copy;
    g_mutex_unlock(&srv->lock);
}

void script_server_route(struct script_server *srv, const char *method, const char *path_prefix,
                         const struct script_reply *reply)
{
    struct route *route = g_new0(struct route, 1);
    route->method = g_strdup(method);
    route->prefix = g_strdup(path_prefix);
    route->reply = copy_reply(reply);
    g_mutex_lock(&srv->lock);
    for (guint i = 0; i < srv->routes->len; i++) {
        const struct route *old = srv->routes->pdata[i];
        if (g_strcmp0(old->method, method) == 0 && strcmp(old->prefix, path_prefix) == 0) {
            g_ptr_array_remove_index(srv->routes, i);
            break;
        }
    }
    g_ptr_array_add(srv->routes, route);
    g_mutex_unlock(&srv->lock);
}

size_t script_server_request_count(struct script_server *srv)
{
    g_mutex_lock(&srv->lock);
    size_t n = srv->requests->len;
    g_mutex_unlock(&srv->lock);
    return n;
}

const struct script_request *script_server_request(struct script_server *srv, size_t i)
{
    g_mutex_lock(&srv->lock);
    const struct script_request *req = i < srv->requests->len ? srv->requests->pdata[i] : NULL;
    g_mutex_unlock(&srv->lock);
    return req;
}

const char *script_request_header(const struct script_request *req, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; req->headers[i] != NULL; i++) {
        if (g_ascii_strncasecmp(req->headers[i], name, len) == 0 && req->headers[i][len] == ':')
            return req->headers[i] + len + 2;
    }
    return NULL;
}

unsigned script_server_connection_count(struct script_server *srv)
{
    g_mutex_lock(&srv->lock);
    unsigned n = srv->connections;
    g_mutex_unlock(&srv->lock);
    return n;
}

unsigned script_server_max_concurrent(struct script_server *srv)
{
    g_mutex_lock(&srv->lock);
    unsigned n = srv->max_concurrent;
    g_mutex_unlock(&srv->lock);
    return n;
}
