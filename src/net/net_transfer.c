/*
 * net: one transfer. Copies a request, sets up its libcurl easy handle with
 * the security settings that are not negotiable (TLS verified, http/https
 * only, no redirects), collects the answer under its size cap, classifies how
 * an attempt ended and writes the response the callback sees.
 *
 * Never touches the multi handle or the event loop (net_engine.c does), and
 * never lets server text reach a message or header field unsanitized.
 */
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

/* Kept from every answer; indexed by enum captured_header. */
static const char *const CAPTURED_NAMES[CAPTURED_COUNT] = {
    [CAPTURED_CONTENT_TYPE] = "Content-Type",
    [CAPTURED_WWW_AUTHENTICATE] = "WWW-Authenticate",
    [CAPTURED_RETRY_AFTER] = "Retry-After",
};

/* A header value longer than this is cut: no legitimate one comes close. */
#define CAPTURED_MAX_LEN 1024

/* libcurl's result codes, grouped into what the caller can act on. Codes not
 * listed are NET_ERR_OTHER. */
static const struct {
    CURLcode code;
    enum net_error error;
} CURL_ERRORS[] = {
    {CURLE_OPERATION_TIMEDOUT, NET_ERR_TIMEOUT},
    {CURLE_COULDNT_RESOLVE_HOST, NET_ERR_CONNECT},
    {CURLE_COULDNT_RESOLVE_PROXY, NET_ERR_CONNECT},
    {CURLE_COULDNT_CONNECT, NET_ERR_CONNECT},
    {CURLE_SSL_CONNECT_ERROR, NET_ERR_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, NET_ERR_TLS},
    {CURLE_SSL_CACERT_BADFILE, NET_ERR_TLS},
    {CURLE_SSL_CERTPROBLEM, NET_ERR_TLS},
    {CURLE_SSL_CIPHER, NET_ERR_TLS},
    {CURLE_SSL_ISSUER_ERROR, NET_ERR_TLS},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, NET_ERR_TLS},
    {CURLE_SSL_INVALIDCERTSTATUS, NET_ERR_TLS},
    {CURLE_SSL_CRL_BADFILE, NET_ERR_TLS},
    {CURLE_SSL_SHUTDOWN_FAILED, NET_ERR_TLS},
    {CURLE_GOT_NOTHING, NET_ERR_RECV},
    {CURLE_RECV_ERROR, NET_ERR_RECV},
    {CURLE_SEND_ERROR, NET_ERR_RECV},
    {CURLE_SEND_FAIL_REWIND, NET_ERR_RECV},
    {CURLE_HTTP2, NET_ERR_RECV},
    {CURLE_HTTP2_STREAM, NET_ERR_RECV},
    {CURLE_PARTIAL_FILE, NET_ERR_TRUNCATED},
    {CURLE_FILESIZE_EXCEEDED, NET_ERR_TOO_LARGE},
    {CURLE_WEIRD_SERVER_REPLY, NET_ERR_PROTOCOL},
    {CURLE_UNSUPPORTED_PROTOCOL, NET_ERR_PROTOCOL},
    {CURLE_BAD_CONTENT_ENCODING, NET_ERR_PROTOCOL},
    {CURLE_OUT_OF_MEMORY, NET_ERR_NO_MEMORY},
    {CURLE_URL_MALFORMAT, NET_ERR_INVALID},
};

/* The start of every message, per error. */
static const char *const ERROR_WORDS[] = {
    [NET_ERR_NONE] = "",
    [NET_ERR_TIMEOUT] = "timed out",
    [NET_ERR_CONNECT] = "could not connect",
    [NET_ERR_TLS] = "TLS failed",
    [NET_ERR_RECV] = "connection lost",
    [NET_ERR_TRUNCATED] = "answer cut short",
    [NET_ERR_TOO_LARGE] = "answer larger than allowed",
    [NET_ERR_CANCELLED] = "cancelled",
    [NET_ERR_REFUSED_INSECURE] =
        "refused: plain http:// is only allowed to this machine (loopback); use https://",
    [NET_ERR_PROTOCOL] = "malformed answer",
    [NET_ERR_INVALID] = "invalid request",
    [NET_ERR_NO_MEMORY] = "out of memory",
    [NET_ERR_OTHER] = "transfer failed",
    [NET_ERR_STOPPED] = "stopped by the receiver",
};

/* ---- sanitizing ------------------------------------------------------------ */

/* Server text ends up on a terminal: only printable ASCII passes, so escape
 * sequences and look-alike characters cannot. */
void net_copy_printable(char *dst, size_t dst_size, const char *src)
{
    size_t i = 0;
    if (dst_size == 0)
        return;
    for (; src != NULL && src[i] != '\0' && i + 1 < dst_size; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = '\0';
}

static char *printable_dup(const char *src, size_t max_len)
{
    size_t len = MIN(strlen(src), max_len);
    char *copy = malloc(len + 1);
    if (copy != NULL)
        net_copy_printable(copy, len + 1, src);
    return copy;
}

static void wipe_free(char *data, size_t len)
{
    if (data != NULL) {
        explicit_bzero(data, len);
        free(data);
    }
}

/* ---- libcurl callbacks ------------------------------------------------------ */

static bool grow_rx(struct transfer *t, size_t need)
{
    size_t cap = t->rx_cap != 0 ? t->rx_cap : MAX(need, (size_t)16384);
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    cap = MIN(cap, t->max_body_bytes + 1);
    char *bigger = malloc(cap);
    if (bigger == NULL)
        return false;
    if (t->rx_len > 0)
        memcpy(bigger, t->rx, t->rx_len);
    wipe_free(t->rx, t->rx_len);
    t->rx = bigger;
    t->rx_cap = cap;
    return true;
}

/* Whether this attempt's body goes to on_chunk: decided at its first byte,
 * when the status is known. Only a 2xx body streams; an error answer is
 * collected and read whole. */
static bool streams(struct transfer *t)
{
    if (t->on_chunk == NULL)
        return false;
    if (!t->stream_decided) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        t->streaming = status >= 200 && status < 300;
        t->stream_decided = true;
    }
    return t->streaming;
}

/* Hands a piece to on_chunk, or pauses the transfer when this dispatch's
 * slice is used up (libcurl keeps the piece and hands it over again on
 * resume). */
static size_t stream_piece(struct transfer *t, char *data, size_t n)
{
    if (t->slice_turn != *t->engine_turn) {
        t->slice_turn = *t->engine_turn;
        t->slice_used = 0;
        /* A short first slice: the receiver's first rows reach the screen
         * after a few kilobytes are read, not a quarter of a megabyte. */
        t->slice_budget = t->streamed == 0 ? NET_STREAM_FIRST_SLICE_BYTES : NET_STREAM_SLICE_BYTES;
    }
    if (t->slice_used >= t->slice_budget) {
        if (!t->paused) {
            t->paused = true;
            g_queue_push_tail(t->pause_queue, t);
        }
        return CURL_WRITEFUNC_PAUSE;
    }
    t->slice_used += n;
    t->streamed += n;
    bool go_on = t->on_chunk(data, n, t->chunk_user);
    if (!go_on || t->cancel_requested) {
        t->rx_stopped = !go_on;
        return 0;
    }
    return n;
}

/* Returning less than given makes libcurl stop with CURLE_WRITE_ERROR; the
 * flags say why. The cap counts decoded bytes, so gzip bombs stop too. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct transfer *t = user;
    size_t n = size * nmemb;
    if (t->cancel_requested)
        return 0;
    if (n > t->max_body_bytes - t->rx_len - t->streamed) {
        t->rx_too_large = true;
        return 0;
    }
    if (streams(t))
        return stream_piece(t, data, n);
    /* A body of announced size is received into one buffer of that size: a
     * 30 MB list is then never copied (and wiped) while it grows. */
    size_t need = t->rx_len + n + 1;
    curl_off_t announced = -1;
    if (t->rx == NULL &&
        curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        announced > 0 && (uint64_t)announced < t->max_body_bytes)
        need = MAX(need, (size_t)announced + 1);
    if (need > t->rx_cap && !grow_rx(t, need)) {
        t->rx_no_memory = true;
        return 0;
    }
    memcpy(t->rx + t->rx_len, data, n);
    t->rx_len += n;
    t->rx[t->rx_len] = '\0';
    return n;
}

/* The body of a non-idempotent request is streamed from here instead of
 * handed over with CURLOPT_POSTFIELDS, and it cannot be rewound: libcurl's
 * own "connection died, retrying" then fails the transfer instead of
 * re-sending a body that was already (partly) sent. */
static size_t read_body(char *buffer, size_t size, size_t nitems, void *user)
{
    struct transfer *t = user;
    size_t n = MIN(size * nitems, t->body_len - t->body_sent);
    memcpy(buffer, t->body + t->body_sent, n);
    t->body_sent += n;
    return n;
}

static int refuse_seek(void *user, curl_off_t offset, int origin)
{
    (void)user;
    (void)offset;
    (void)origin;
    return CURL_SEEKFUNC_CANTSEEK;
}

/* ---- setting up ------------------------------------------------------------- */

struct transfer *transfer_new(const struct net_request *req, net_request_id id)
{
    if (req->body_len >= SIZE_MAX)
        return NULL;
    struct transfer *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->body = malloc(req->body_len + 1);
    if (t->body == NULL) {
        free(t);
        return NULL;
    }
    if (req->body != NULL && req->body_len > 0)
        memcpy(t->body, req->body, req->body_len);
    t->body_len = req->body != NULL ? req->body_len : 0;
    t->body[t->body_len] = '\0';
    t->id = id;
    t->idempotent = req->idempotent;
    t->max_body_bytes = MIN(req->max_body_bytes, SIZE_MAX - 1); /* rx holds one more byte */
    t->retry = req->retry;
    t->on_chunk = req->on_chunk;
    t->chunk_user = req->chunk_user;
    t->submitted_us = g_get_monotonic_time();
    return t;
}

static enum net_error build_headers(struct transfer *t, const char *const *lines)
{
    for (size_t i = 0; lines != NULL && lines[i] != NULL; i++) {
        if (!net_header_line_valid(lines[i]))
            return NET_ERR_INVALID;
        struct curl_slist *longer = curl_slist_append(t->headers, lines[i]);
        if (longer == NULL)
            return NET_ERR_NO_MEMORY;
        t->headers = longer;
    }
    /* No "Expect: 100-continue" round trip before larger bodies. */
    struct curl_slist *longer = curl_slist_append(t->headers, "Expect:");
    if (longer == NULL)
        return NET_ERR_NO_MEMORY;
    t->headers = longer;
    return NET_ERR_NONE;
}

#define SETOPT(easy, option, value)                                                                \
    do {                                                                                           \
        if (curl_easy_setopt((easy), (option), (value)) != CURLE_OK)                               \
            return false;                                                                          \
    } while (0)

/* The settings no caller can change. */
static bool set_security(CURL *easy, const struct net_request *req, bool plain_http)
{
    SETOPT(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SETOPT(easy, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(easy, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (req->ca_file != NULL)
        SETOPT(easy, CURLOPT_CAINFO, req->ca_file);
    /* Plain text to loopback never takes a detour through a proxy. Over TLS,
     * ALPN says right after the handshake whether a connection multiplexes,
     * so waiting for it beats opening more; over plain http:// the wait would
     * last until the first answer. */
    if (plain_http)
        SETOPT(easy, CURLOPT_NOPROXY, "*");
    else
        SETOPT(easy, CURLOPT_PIPEWAIT, 1L);
    return true;
}

static bool set_limits(CURL *easy, const struct net_request *req)
{
    SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
    SETOPT(easy, CURLOPT_TIMEOUT_MS, (long)req->total_timeout_ms);
    SETOPT(easy, CURLOPT_LOW_SPEED_LIMIT, (long)req->low_speed_bytes);
    SETOPT(easy, CURLOPT_LOW_SPEED_TIME, (long)req->low_speed_seconds);
    curl_off_t cap =
        req->max_body_bytes > (size_t)INT64_MAX ? INT64_MAX : (curl_off_t)req->max_body_bytes;
    SETOPT(easy, CURLOPT_MAXFILESIZE_LARGE, cap);
    return true;
}

static bool set_plumbing(struct transfer *t, const char *user_agent)
{
    SETOPT(t->easy, CURLOPT_URL, t->url);
    SETOPT(t->easy, CURLOPT_PRIVATE, t);
    SETOPT(t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
    SETOPT(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(t->easy, CURLOPT_WRITEDATA, t);
    SETOPT(t->easy, CURLOPT_NOSIGNAL, 1L);
    SETOPT(t->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SETOPT(t->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(t->easy, CURLOPT_ACCEPT_ENCODING, "");
    SETOPT(t->easy, CURLOPT_USERAGENT, user_agent);
    SETOPT(t->easy, CURLOPT_HTTPHEADER, t->headers);
    return true;
}

static bool set_body(struct transfer *t)
{
    SETOPT(t->easy, CURLOPT_POST, 1L);
    SETOPT(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
    if (t->idempotent) {
        SETOPT(t->easy, CURLOPT_POSTFIELDS, t->body);
        return true;
    }
    SETOPT(t->easy, CURLOPT_READFUNCTION, read_body);
    SETOPT(t->easy, CURLOPT_READDATA, t);
    SETOPT(t->easy, CURLOPT_SEEKFUNCTION, refuse_seek);
    SETOPT(t->easy, CURLOPT_SEEKDATA, t);
    return true;
}

static bool set_method(struct transfer *t, const char *method, bool sends_body)
{
    if (strcmp(method, "HEAD") == 0)
        SETOPT(t->easy, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") == 0)
        SETOPT(t->easy, CURLOPT_HTTPGET, 1L);
    else if (strcmp(method, "POST") != 0)
        SETOPT(t->easy, CURLOPT_CUSTOMREQUEST, method);
    if ((sends_body || t->body_len > 0) && !set_body(t))
        return false;
    /* With no body byte to hold back, only a fresh connection guarantees that
     * libcurl does not re-send a non-idempotent request on its own. */
    if (!t->idempotent && t->body_len == 0)
        SETOPT(t->easy, CURLOPT_FRESH_CONNECT, 1L);
    return true;
}

#undef SETOPT

enum net_error transfer_prepare(struct transfer *t, const struct net_request *req,
                                const char *user_agent, const char **detail)
{
    bool sends_body = false;
    *detail = NULL;
    if (!net_method_known(req->method, NULL, &sends_body)) {
        *detail = "unknown method";
        return NET_ERR_INVALID;
    }
    bool bodyless = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (bodyless && t->body_len > 0) {
        *detail = "a GET or HEAD request cannot carry a body";
        return NET_ERR_INVALID;
    }
    enum net_error verdict = net_url_normalize(req->url, &t->url);
    if (verdict == NET_ERR_INVALID)
        *detail = "not an absolute http(s) URL without credentials";
    if (verdict != NET_ERR_NONE)
        return verdict;
    enum net_error headers = build_headers(t, req->headers);
    if (headers == NET_ERR_INVALID)
        *detail = "a header line is malformed or holds a line break";
    if (headers != NET_ERR_NONE)
        return headers;
    t->easy = curl_easy_init();
    if (t->easy == NULL)
        return NET_ERR_NO_MEMORY;
    bool plain_http = g_str_has_prefix(t->url, "http:");
    if (!set_security(t->easy, req, plain_http) || !set_limits(t->easy, req) ||
        !set_plumbing(t, user_agent) || !set_method(t, req->method, sends_body)) {
        *detail = "libcurl refused a setting";
        return NET_ERR_OTHER;
    }
    return NET_ERR_NONE;
}

/* ---- attempts --------------------------------------------------------------- */

static void clear_captured(struct transfer *t)
{
    for (size_t i = 0; i < CAPTURED_COUNT; i++) {
        free(t->captured[i]);
        t->captured[i] = NULL;
    }
}

void transfer_reset_attempt(struct transfer *t)
{
    wipe_free(t->rx, t->rx_cap);
    t->rx = NULL;
    t->rx_len = t->rx_cap = 0;
    t->rx_too_large = t->rx_no_memory = false;
    t->stream_decided = t->streaming = t->rx_stopped = false;
    t->streamed = 0;
    t->errbuf[0] = '\0';
    t->body_sent = 0;
    clear_captured(t);
}

CURLcode transfer_resume(struct transfer *t)
{
    t->paused = false;
    return curl_easy_pause(t->easy, CURLPAUSE_CONT);
}

void transfer_capture_headers(struct transfer *t)
{
    clear_captured(t);
    for (size_t i = 0; i < CAPTURED_COUNT; i++) {
        struct curl_header *h = NULL;
        if (curl_easy_header(t->easy, CAPTURED_NAMES[i], 0, CURLH_HEADER, -1, &h) == CURLHE_OK &&
            h != NULL && h->value != NULL)
            t->captured[i] = printable_dup(h->value, CAPTURED_MAX_LEN);
    }
}

static enum net_error classify(const struct transfer *t, CURLcode code)
{
    if (code == CURLE_OK)
        return NET_ERR_NONE;
    if (code == CURLE_WRITE_ERROR)
        return t->rx_too_large       ? NET_ERR_TOO_LARGE
               : t->rx_no_memory     ? NET_ERR_NO_MEMORY
               : t->cancel_requested ? NET_ERR_CANCELLED
               : t->rx_stopped       ? NET_ERR_STOPPED
                                     : NET_ERR_OTHER;
    for (size_t i = 0; i < G_N_ELEMENTS(CURL_ERRORS); i++) {
        if (CURL_ERRORS[i].code == code)
            return CURL_ERRORS[i].error;
    }
    return NET_ERR_OTHER;
}

/* Conservative: only failures that provably happened before the request went
 * out (resolving, connecting, the TLS handshake) say "not sent". */
static bool attempt_possibly_sent(CURL *easy, enum net_error error)
{
    if (error == NET_ERR_CONNECT || error == NET_ERR_TLS)
        return false;
    curl_off_t pretransfer = 0;
    long request_size = 0;
    curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
    if (error == NET_ERR_TIMEOUT || error == NET_ERR_CANCELLED)
        return pretransfer > 0 || request_size > 0;
    return true;
}

/* A cancelled attempt: keep what is known of it for the response. */
void transfer_note_cancel(struct transfer *t)
{
    long connects = 0;
    t->last_status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->last_status);
    curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
    t->connects += connects;
    t->last_possibly_sent = attempt_possibly_sent(t->easy, NET_ERR_CANCELLED);
}

struct attempt_outcome transfer_outcome(struct transfer *t, CURLcode code)
{
    struct attempt_outcome outcome = {.error = classify(t, code)};
    long connects = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &outcome.status);
    curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
    t->connects += connects;
    outcome.possibly_sent = attempt_possibly_sent(t->easy, outcome.error);
    if (outcome.error == NET_ERR_TOO_LARGE || outcome.error == NET_ERR_STOPPED ||
        outcome.error == NET_ERR_CANCELLED)
        outcome.detail = NULL; /* our own doing: libcurl's words would mislead */
    else if (code == CURLE_SEND_FAIL_REWIND)
        outcome.detail = "the connection closed before an answer came";
    else if (code != CURLE_OK)
        outcome.detail = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(code);
    t->last_status = outcome.status;
    t->last_possibly_sent = outcome.possibly_sent;
    return outcome;
}

/* ---- the response ----------------------------------------------------------- */

static void compose_message(struct transfer *t, const char *detail, const char *note)
{
    struct net_response *res = &t->res;
    GString *text = g_string_new(ERROR_WORDS[res->error]);
    if (detail != NULL && detail[0] != '\0')
        g_string_append_printf(text, ": %s", detail);
    if (res->error == NET_ERR_TOO_LARGE)
        g_string_append_printf(text, " (limit %zu bytes)", t->max_body_bytes);
    if (note != NULL)
        g_string_append_printf(text, "%s%s", text->len > 0 ? "; " : "", note);
    if (res->error != NET_ERR_NONE && res->attempts > 1)
        g_string_append_printf(text, " (after %u attempts)", res->attempts);
    /* Only where sending again could do the thing twice: an idempotent
     * request may simply be repeated, and the warning would mislead. */
    if (res->ambiguous && !t->idempotent)
        g_string_append(text, "; it may have reached the server: check before sending it again");
    net_copy_printable(res->message, sizeof(res->message), text->str);
    g_string_free(text, TRUE);
}

void transfer_finish(struct transfer *t, enum net_error error, const char *detail, const char *note)
{
    struct net_response *res = &t->res;
    res->id = t->id;
    res->error = error;
    res->status = t->last_status;
    res->attempts = t->attempts;
    res->connects = t->connects;
    res->elapsed_ms = (long)((g_get_monotonic_time() - t->submitted_us) / 1000);
    res->ambiguous = res->status == 0 && t->last_possibly_sent;
    bool whole = error == NET_ERR_NONE && t->rx != NULL;
    res->body = whole ? t->rx : "";
    res->body_len = whole ? t->rx_len : 0;
    res->streamed_len = t->streamed;
    res->content_type = t->captured[CAPTURED_CONTENT_TYPE];
    res->www_authenticate = t->captured[CAPTURED_WWW_AUTHENTICATE];
    res->retry_after = t->captured[CAPTURED_RETRY_AFTER];
    res->retry_after_ms = -1;
    if (res->retry_after != NULL &&
        !net_parse_retry_after(res->retry_after, time(NULL), &res->retry_after_ms))
        res->retry_after_ms = -1;
    compose_message(t, detail, note);
    t->state = TRANSFER_FINISHED;
}

void transfer_free(struct transfer *t)
{
    if (t == NULL)
        return;
    if (t->easy != NULL)
        curl_easy_cleanup(t->easy);
    for (struct curl_slist *s = t->headers; s != NULL; s = s->next)
        explicit_bzero(s->data, strlen(s->data));
    curl_slist_free_all(t->headers);
    wipe_free(t->body, t->body_len + 1);
    wipe_free(t->rx, t->rx_cap);
    free(t->url);
    clear_captured(t);
    free(t);
}
