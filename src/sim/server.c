/*
 * portal-sim server: libmicrohttpd in thread-per-connection mode when
 * answers may sleep (injected latency, slow bodies), so that a sleeping one
 * holds up one connection only; otherwise one epoll thread. Vendor state
 * is guarded by one lock that is held while a vendor handler runs and never
 * while sleeping. Owns: sockets, TLS, latency, faults, rate limits, the
 * request log and the state file. Never: a vendor's wire format.
 */
#include <portalctl/sim/server.h>
#include <portalctl/sim/sim.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

/* Bodies above this are refused: nothing in any contract comes near it. */
#define MAX_REQUEST_BODY (32u * 1024u * 1024u)
#define SLOW_CHUNKS      8
#define SLOW_PAUSE_MS    250

struct vendor_slot {
    const struct sim_vendor *vendor;
    void *state;
};

struct rate_window {
    time_t second;
    unsigned count;
};

struct sim_server {
    struct sim_server_options options;
    struct MHD_Daemon *daemon;
    char url[128];
    char *tls_cert_pem;
    char *tls_key_pem;

    pthread_mutex_t state_lock; /* vendor state, fault random state, rate windows */
    struct vendor_slot slots[8];
    size_t slot_count;
    uint64_t fault_random;
    GHashTable *rate_windows; /* credential -> struct rate_window */

    pthread_mutex_t log_lock;
    FILE *log;
};

/* One HTTP request as it arrives in pieces from libmicrohttpd. */
struct pending_request {
    GString *body;
    bool too_large;
    double started;
};

/* A response body handed out by a content-reader callback (slow, truncate). */
struct body_reader {
    char *body;
    size_t len;    /* bytes we will really send */
    bool slow;     /* pause between chunks */
    bool truncate; /* stop short of the announced length with an error */
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* --- request log -------------------------------------------------------- */

static void log_request(struct sim_server *server, const char *method, const char *path, int status,
                        const struct sim_vendor *vendor, double started, enum sim_fault fault)
{
    if (!server->log)
        return;
    GString *line = g_string_new("{\"method\":");
    sim_json_append_string(line, method);
    g_string_append(line, ",\"path\":");
    sim_json_append_string(line, path); /* the path only: queries can carry secrets */
    g_string_append_printf(line, ",\"status\":%d,\"vendor\":", status);
    sim_json_append_string(line, vendor ? vendor->name : NULL);
    /* "at": when the request arrived (seconds since the epoch), so that tests
     * can see the gaps between requests, e.g. the pause after a 429. */
    g_string_append_printf(line, ",\"ms\":%.1f,\"at\":%.3f", (sim_now() - started) * 1000.0,
                           started);
    if (fault != SIM_FAULT_NONE) {
        g_string_append(line, ",\"fault\":");
        sim_json_append_string(line, sim_fault_name(fault));
    }
    g_string_append(line, "}\n");
    pthread_mutex_lock(&server->log_lock);
    fwrite(line->str, 1, line->len, server->log);
    fflush(server->log);
    pthread_mutex_unlock(&server->log_lock);
    g_string_free(line, TRUE);
}

/* --- building the vendor request ------------------------------------------ */

static enum MHD_Result collect_pair(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct sim_pairs *pairs = cls;
    if (kind == MHD_HEADER_KIND) {
        char *lower = g_ascii_strdown(key, -1);
        sim_pairs_add(pairs, lower, value);
        g_free(lower);
    } else {
        sim_pairs_add(pairs, key, value);
    }
    return MHD_YES;
}

static void collect_form(struct sim_request *req)
{
    const char *type = sim_request_header(req, "content-type");
    if (!type || g_ascii_strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0)
        return;
    GHashTable *params =
        g_uri_parse_params(req->body, (gssize)req->body_len, "&", G_URI_PARAMS_WWW_FORM, NULL);
    if (!params)
        return;
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, params);
    while (g_hash_table_iter_next(&iter, &key, &value))
        sim_pairs_add(&req->form, key, value);
    g_hash_table_unref(params);
}

static void build_request(struct MHD_Connection *connection, const char *method, const char *url,
                          const GString *body, struct sim_request *req)
{
    sim_request_init(req, method, url, body->str);
    req->body_len = body->len;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_pair, &req->headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_pair, &req->query);
    collect_form(req);
}

/* --- rate limit ----------------------------------------------------------- */

static bool over_rate_limit(struct sim_server *server, const char *credential)
{
    if (server->options.rate_limit == 0 || !credential)
        return false;
    time_t now = time(NULL);
    struct rate_window *window = g_hash_table_lookup(server->rate_windows, credential);
    if (!window) {
        window = g_new0(struct rate_window, 1);
        g_hash_table_insert(server->rate_windows, g_strdup(credential), window);
    }
    if (window->second != now) {
        window->second = now;
        window->count = 0;
    }
    return ++window->count > server->options.rate_limit;
}

/* --- answering ------------------------------------------------------------- */

static void answer_not_found(struct sim_response *resp)
{
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "error", json_object_new_string("not_found"));
    json_object_object_add(obj, "message",
                           json_object_new_string("no simulated vendor serves this path"));
    sim_response_json(resp, 404, obj);
}

static unsigned retry_after_s(const struct sim_server *server)
{
    return server->options.retry_after_s ? server->options.retry_after_s : 1;
}

/* Decides the fault and produces the answer, all under the state lock. */
static enum sim_fault dispatch(struct sim_server *server, const struct sim_vendor *vendor,
                               const struct sim_request *req, struct sim_response *resp)
{
    pthread_mutex_lock(&server->state_lock);
    void *state = NULL;
    for (size_t i = 0; vendor && i < server->slot_count; i++) {
        if (server->slots[i].vendor == vendor)
            state = server->slots[i].state;
    }
    enum sim_fault fault = sim_fault_draw(&server->options.faults, &server->fault_random);
    if (!vendor || !state) {
        answer_not_found(resp);
    } else if (over_rate_limit(server, vendor->credential(req))) {
        vendor->error(SIM_ERROR_RATE_LIMITED, req, resp);
        snprintf(resp->retry_after, sizeof(resp->retry_after), "%u", retry_after_s(server));
        fault = SIM_FAULT_NONE; /* the rate limit answered; no second fault on top */
    } else if (fault == SIM_FAULT_500) {
        vendor->error(SIM_ERROR_INTERNAL, req, resp);
    } else if (fault == SIM_FAULT_503) {
        vendor->error(SIM_ERROR_UNAVAILABLE, req, resp);
    } else if (fault == SIM_FAULT_429) {
        vendor->error(SIM_ERROR_RATE_LIMITED, req, resp);
        snprintf(resp->retry_after, sizeof(resp->retry_after), "%u", retry_after_s(server));
    } else if (fault != SIM_FAULT_RESET) {
        vendor->handle(state, req, resp);
    }
    pthread_mutex_unlock(&server->state_lock);
    return fault;
}

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct body_reader *reader = cls;
    if (pos >= reader->len)
        return reader->truncate ? MHD_CONTENT_READER_END_WITH_ERROR
                                : MHD_CONTENT_READER_END_OF_STREAM;
    size_t left = reader->len - (size_t)pos;
    size_t chunk = left < max ? left : max;
    if (reader->slow) {
        size_t piece = reader->len / SLOW_CHUNKS + 1;
        chunk = chunk < piece ? chunk : piece;
        sleep_ms(SLOW_PAUSE_MS);
    }
    memcpy(buf, reader->body + pos, chunk);
    return (ssize_t)chunk;
}

static void free_body_reader(void *cls)
{
    struct body_reader *reader = cls;
    free(reader->body);
    g_free(reader);
}

/* Malformed: the answer keeps its status and length but is no longer JSON. */
static void make_malformed(struct sim_response *resp)
{
    static const char junk[] = "<!-- upstream proxy error -->";
    size_t keep = resp->body_len / 2;
    char *body = malloc(keep + sizeof(junk));
    if (!body)
        abort();
    if (resp->body)
        memcpy(body, resp->body, keep);
    memcpy(body + keep, junk, sizeof(junk));
    free(resp->body);
    resp->body = body;
    resp->body_len = keep + sizeof(junk) - 1;
}

static struct MHD_Response *make_mhd_response(struct sim_response *resp, enum sim_fault fault)
{
    struct MHD_Response *response;
    if (fault == SIM_FAULT_MALFORMED)
        make_malformed(resp);
    if (fault == SIM_FAULT_TRUNCATE || fault == SIM_FAULT_SLOW) {
        struct body_reader *reader = g_new0(struct body_reader, 1);
        reader->body = resp->body;
        reader->len = fault == SIM_FAULT_TRUNCATE ? resp->body_len / 2 : resp->body_len;
        reader->slow = fault == SIM_FAULT_SLOW;
        reader->truncate = fault == SIM_FAULT_TRUNCATE;
        resp->body = NULL;
        response = MHD_create_response_from_callback(resp->body_len, 4096, read_body, reader,
                                                     free_body_reader);
    } else {
        response = MHD_create_response_from_buffer(resp->body_len, resp->body ? resp->body : "",
                                                   MHD_RESPMEM_MUST_COPY);
    }
    if (!response)
        return NULL;
    if (resp->body || resp->body_len)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    if (resp->retry_after[0])
        MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, resp->retry_after);
    if (resp->www_authenticate[0])
        MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate);
    return response;
}

/* A reset the client can tell apart from a clean close: linger 0 sends RST. */
static void reset_connection(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info) {
        struct linger hard = {.l_onoff = 1, .l_linger = 0};
        setsockopt(info->connect_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    }
}

static enum MHD_Result answer_request(struct sim_server *server, struct MHD_Connection *connection,
                                      const char *url, const char *method,
                                      struct pending_request *pending)
{
    const struct sim_vendor *vendor = sim_vendor_for_path(url);

    struct sim_request req;
    struct sim_response resp;
    build_request(connection, method, url, pending->body, &req);
    sim_response_init(&resp);
    enum sim_fault fault;
    if (pending->too_large) {
        json_object *obj = json_object_new_object();
        json_object_object_add(obj, "error", json_object_new_string("request body too large"));
        sim_response_json(&resp, 413, obj);
        fault = SIM_FAULT_NONE;
    } else {
        fault = dispatch(server, vendor, &req, &resp);
    }
    sim_request_clear(&req);

    if (server->options.latency_ms)
        sleep_ms(server->options.latency_ms); /* no lock held: other connections go on */

    enum MHD_Result result = MHD_NO;
    if (fault == SIM_FAULT_RESET) {
        reset_connection(connection);
        log_request(server, method, url, 0, vendor, pending->started, fault);
    } else {
        struct MHD_Response *response = make_mhd_response(&resp, fault);
        if (response) {
            result = MHD_queue_response(connection, (unsigned)resp.status, response);
            MHD_destroy_response(response);
        }
        log_request(server, method, url, resp.status, vendor, pending->started, fault);
    }
    sim_response_clear(&resp);
    return result;
}

static enum MHD_Result handle_connection(void *cls, struct MHD_Connection *connection,
                                         const char *url, const char *method, const char *version,
                                         const char *upload_data, size_t *upload_data_size,
                                         void **req_cls)
{
    (void)version;
    struct sim_server *server = cls;
    struct pending_request *pending = *req_cls;
    if (!pending) {
        pending = g_new0(struct pending_request, 1);
        pending->body = g_string_new(NULL);
        pending->started = sim_now();
        *req_cls = pending;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (pending->body->len + *upload_data_size > MAX_REQUEST_BODY)
            pending->too_large = true;
        else
            g_string_append_len(pending->body, upload_data, (gssize)*upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return answer_request(server, connection, url, method, pending);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                              enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)connection;
    (void)code;
    struct pending_request *pending = *req_cls;
    if (pending) {
        g_string_free(pending->body, TRUE);
        g_free(pending);
        *req_cls = NULL;
    }
}

/* --- state file ------------------------------------------------------------- */

static struct vendor_slot *slot_named(struct sim_server *server, const char *name)
{
    for (size_t i = 0; i < server->slot_count; i++) {
        if (strcmp(server->slots[i].vendor->name, name) == 0)
            return &server->slots[i];
    }
    return NULL;
}

/* The "vendors" object: each vendor reads its own member from the stream. A
 * vendor added since the file was written keeps its seed data; a vendor the
 * file knows but this build does not is stepped over. */
static bool load_vendors(struct sim_server *server, struct sim_json_stream *in, char **error)
{
    if (!sim_json_stream_begin_object(in))
        return false;
    const char *name = NULL;
    while (sim_json_stream_next_member(in, &name)) {
        struct vendor_slot *slot = slot_named(server, name);
        if (!slot) {
            sim_json_stream_skip(in);
            continue;
        }
        char *vendor_error = NULL;
        if (!slot->vendor->load(slot->state, in, &vendor_error)) {
            *error = g_strdup_printf("%s: %s", slot->vendor->name,
                                     vendor_error ? vendor_error : "cannot load");
            g_free(vendor_error);
            return false;
        }
    }
    return sim_json_stream_error(in) == NULL;
}

/* Streams the file: memory follows the state, not the file's json-c tree. */
static bool read_state(struct sim_server *server, struct sim_json_stream *in, char **error)
{
    bool saw_vendors = false;
    const char *name = NULL;
    if (!sim_json_stream_begin_object(in))
        return false;
    while (sim_json_stream_next_member(in, &name)) {
        if (strcmp(name, "vendors") == 0) {
            saw_vendors = true;
            if (!load_vendors(server, in, error))
                return false;
        } else {
            sim_json_stream_skip(in); /* "version" and anything a later build adds */
        }
    }
    if (sim_json_stream_error(in) || !sim_json_stream_at_end(in))
        return sim_json_stream_fail(in, "not a single JSON object");
    if (!saw_vendors)
        *error = g_strdup("no \"vendors\" object");
    return saw_vendors;
}

static bool load_state(struct sim_server *server, char **error)
{
    const char *path = server->options.state_file;
    if (!path || access(path, F_OK) != 0)
        return true;
    FILE *file = fopen(path, "r");
    if (!file) {
        *error = g_strdup_printf("%s: %s", path, g_strerror(errno));
        return false;
    }
    struct sim_json_stream *in = sim_json_stream_new_file(file);
    char *problem = NULL;
    bool ok = read_state(server, in, &problem);
    if (!ok) {
        const char *syntax = sim_json_stream_error(in);
        *error = g_strdup_printf("%s: not a valid portal-sim state file: %s", path,
                                 problem  ? problem
                                 : syntax ? syntax
                                          : "unreadable");
    }
    g_free(problem);
    sim_json_stream_free(in);
    fclose(file);
    return ok;
}

static bool write_state(struct sim_server *server, FILE *out)
{
    bool ok = fputs("{\"version\":1,\"vendors\":{", out) >= 0;
    for (size_t i = 0; ok && i < server->slot_count; i++) {
        GString *key = g_string_new(i ? "," : "");
        sim_json_append_string(key, server->slots[i].vendor->name);
        g_string_append_c(key, ':');
        ok =
            fputs(key->str, out) >= 0 && server->slots[i].vendor->save(server->slots[i].state, out);
        g_string_free(key, TRUE);
    }
    return ok && fputs("}}\n", out) >= 0;
}

bool sim_server_save(struct sim_server *server, char **error)
{
    const char *path = server->options.state_file;
    if (!path)
        return true;
    char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
    FILE *out = fopen(tmp, "w");
    bool ok = out != NULL;
    if (ok) {
        pthread_mutex_lock(&server->state_lock);
        ok = write_state(server, out);
        pthread_mutex_unlock(&server->state_lock);
        ok = fflush(out) == 0 && fsync(fileno(out)) == 0 && ok;
        ok = fclose(out) == 0 && ok;
    }
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        *error = g_strdup_printf("cannot write state file %s: %s", path, g_strerror(errno));
        unlink(tmp);
    }
    g_free(tmp);
    return ok;
}

/* --- start and stop ------------------------------------------------------------ */

static bool parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len,
                         bool *ipv6, char **host_out, char **error)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen) {
        *error = g_strdup_printf("--listen %s: expected ADDR:PORT", listen);
        return false;
    }
    char *host = g_strndup(listen, (gsize)(colon - listen));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &found);
    if (rc != 0) {
        *error = g_strdup_printf("--listen %s: %s", listen, gai_strerror(rc));
        g_free(host);
        return false;
    }
    memcpy(addr, found->ai_addr, found->ai_addrlen);
    *len = found->ai_addrlen;
    *ipv6 = found->ai_family == AF_INET6;
    freeaddrinfo(found);
    *host_out = host;
    return true;
}

static bool read_tls_files(struct sim_server *server, char **error)
{
    const struct sim_server_options *o = &server->options;
    if (!o->tls_cert && !o->tls_key)
        return true;
    if (!o->tls_cert || !o->tls_key) {
        *error = g_strdup("--tls-cert and --tls-key go together");
        return false;
    }
    GError *gerr = NULL;
    if (!g_file_get_contents(o->tls_cert, &server->tls_cert_pem, NULL, &gerr) ||
        !g_file_get_contents(o->tls_key, &server->tls_key_pem, NULL, &gerr)) {
        *error = g_strdup(gerr->message);
        g_error_free(gerr);
        return false;
    }
    return true;
}

static void create_vendor_states(struct sim_server *server, const char *base_url)
{
    struct sim_options vendor_options = {
        .base_url = base_url,
        .zoho_token_ttl = server->options.zoho_token_ttl,
        .seed = server->options.faults.seed ^ 0x5EEDull,
    };
    for (const struct sim_vendor *const *v = sim_vendors; *v; v++) {
        if (server->slot_count == G_N_ELEMENTS(server->slots))
            break;
        server->slots[server->slot_count].vendor = *v;
        server->slots[server->slot_count].state = (*v)->create(&vendor_options);
        server->slot_count++;
    }
}

/* Whether an answer can sleep (injected latency, a slow body). Then each
 * connection needs its own thread, so a sleeping one holds up no other.
 * Otherwise one epoll thread serves every connection: handlers never sleep
 * and run one at a time under the state lock anyway, and it saves a context
 * switch or two per request (several times the throughput on one core). */
static bool answers_may_wait(const struct sim_server_options *options)
{
    return options->latency_ms > 0 ||
           (options->faults.rate > 0 && options->faults.kinds[SIM_FAULT_SLOW]);
}

static bool start_daemon(struct sim_server *server, char **error)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    bool ipv6 = false;
    char *host = NULL;
    if (!parse_listen(server->options.listen, &addr, &addr_len, &ipv6, &host, error))
        return false;
    unsigned flags = MHD_USE_ERROR_LOG | (answers_may_wait(&server->options)
                                              ? MHD_USE_THREAD_PER_CONNECTION |
                                                    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL
                                              : MHD_USE_EPOLL_INTERNAL_THREAD);
    if (ipv6)
        flags |= MHD_USE_IPv6;
    if (server->tls_cert_pem)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, server->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, server->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    server->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, handle_connection, server, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, server, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000, MHD_OPTION_ARRAY,
        server->tls_cert_pem ? tls_options : tls_options + 2, MHD_OPTION_END);
    if (!server->daemon) {
        *error = g_strdup_printf("cannot listen on %s: %s", server->options.listen,
                                 errno ? g_strerror(errno) : "libmicrohttpd refused");
        g_free(host);
        return false;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(server->url, sizeof(server->url), "%s://%s%s%s:%u",
             server->tls_cert_pem ? "https" : "http", ipv6 ? "[" : "", host, ipv6 ? "]" : "",
             info ? (unsigned)info->port : 0u);
    g_free(host);
    return true;
}

struct sim_server *sim_server_start(const struct sim_server_options *options, char **error)
{
    struct sim_server *server = g_new0(struct sim_server, 1);
    server->options = *options;
    pthread_mutex_init(&server->state_lock, NULL);
    pthread_mutex_init(&server->log_lock, NULL);
    server->fault_random =
        options->faults.seed ? options->faults.seed : (uint64_t)(sim_now() * 1e6);
    server->rate_windows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (options->log_file) {
        server->log = fopen(options->log_file, "a");
        if (!server->log) {
            *error =
                g_strdup_printf("cannot open log %s: %s", options->log_file, g_strerror(errno));
            sim_server_free(server);
            return NULL;
        }
    }
    if (!read_tls_files(server, error) || !start_daemon(server, error)) {
        sim_server_free(server);
        return NULL;
    }
    /* Vendors are created after the port is known: Zoho's api_domain is our URL.
     * Requests that arrive meanwhile see no vendor state, so hold the lock. */
    pthread_mutex_lock(&server->state_lock);
    create_vendor_states(server, server->url);
    bool loaded = load_state(server, error);
    bool had_state = options->state_file && access(options->state_file, F_OK) == 0;
    for (size_t i = 0; loaded && !had_state && options->seed_users && i < server->slot_count; i++)
        server->slots[i].vendor->seed_users(server->slots[i].state, options->seed_users);
    pthread_mutex_unlock(&server->state_lock);
    if (!loaded) {
        sim_server_free(server);
        return NULL;
    }
    return server;
}

const char *sim_server_url(const struct sim_server *server)
{
    return server->url;
}

void sim_server_stop(struct sim_server *server)
{
    if (server->daemon) {
        MHD_stop_daemon(server->daemon);
        server->daemon = NULL;
    }
}

void sim_server_free(struct sim_server *server)
{
    if (!server)
        return;
    sim_server_stop(server);
    for (size_t i = 0; i < server->slot_count; i++)
        server->slots[i].vendor->destroy(server->slots[i].state);
    if (server->log)
        fclose(server->log);
    g_hash_table_unref(server->rate_windows);
    g_free(server->tls_cert_pem);
    g_free(server->tls_key_pem);
    pthread_mutex_destroy(&server->state_lock);
    pthread_mutex_destroy(&server->log_lock);
    g_free(server);
}
