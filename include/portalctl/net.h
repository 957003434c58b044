/*
 * net: the asynchronous HTTP engine, over libcurl's multi interface.
 *
 * This module owns every byte portalctl sends to or reads from a vendor: one
 * engine (one CURLM) holds the connection cache, so sequential and concurrent
 * requests reuse connections (HTTP/2 multiplexing where the server offers it).
 * Requests are submitted with a completion callback; the caller's event loop
 * drives the engine with net_engine_wait() + net_engine_dispatch(), or the CLI
 * runs it to completion with net_engine_run().
 *
 * It must never:
 *  - block the caller: no sleep(), no curl_easy_perform(); retries are timers;
 *  - turn TLS verification off (there is no API for it), send plain http://
 *    anywhere but loopback, or follow redirects;
 *  - re-send a request that is not idempotent (see "Retries" below);
 *  - interpret bodies (vendors/ does), print, or log: secrets pass through here.
 *
 * Decisions (tested in tests/unit/test_net.c):
 *
 *  - One engine belongs to one thread: nothing here locks.
 *  - Every request has a connect timeout, a total timeout per attempt, a
 *    low-speed limit and a body cap (256 MiB by default): hostile servers
 *    cannot hold a request or the memory forever.
 *  - Exactly one callback per submitted request (net_engine_submit() returns a
 *    non-zero id), always from net_engine_dispatch()/net_engine_run(), never
 *    from inside net_engine_submit() or net_engine_cancel(). Requests still
 *    pending when the engine is freed get no callback.
 *  - error NONE means a whole HTTP answer arrived, whatever its status: 4xx
 *    and 5xx are the vendor layer's business. The body is handed over only
 *    then; after any transport error it is empty, so a parser never sees half
 *    an answer.
 *  - Retries: 429, 500, 502, 503, 504 and network failures (connect, timeout,
 *    reset, truncated) are retried only for idempotent requests, at most
 *    retry.max_retries times, after Retry-After (seconds or an HTTP date) when
 *    the server sent one, else after exponential backoff with full jitter. A
 *    Retry-After longer than retry.max_retry_after_ms is not waited for: the
 *    answer is delivered with retry_after_ms set, so the caller can say when.
 *    TLS failures, refusals, too-large bodies and malformed answers are never
 *    retried. Waiting retries hold no concurrency slot.
 *  - A non-idempotent request (POST, PATCH, or any request whose idempotent
 *    flag is false) is sent once. Its body is streamed so that libcurl itself
 *    cannot silently re-send it on a reused connection that died, and a
 *    body-less one always gets a fresh connection. When it fails after it may
 *    have reached the server, the response says so (ambiguous = true): the
 *    caller must look the object up before sending anything again.
 *  - Text from a server is untrusted: header values and messages are cut to
 *    printable ASCII (anything else becomes '?') and bounded in length.
 *    Bodies are bytes, NUL-terminated for convenience; body_len is the truth.
 *  - A request may ask for its body as it arrives (on_chunk): then a 2xx
 *    answer's body is handed over piece by piece and never collected, so a
 *    30 MB list can be parsed while it arrives and is never held whole. Other
 *    statuses are still collected and handed over whole (error answers are
 *    read whole). At most NET_STREAM_SLICE_BYTES of one request go to on_chunk
 *    per dispatch (the first time NET_STREAM_FIRST_SLICE_BYTES): the transfer
 *    then pauses until the next dispatch (net_engine_next_timeout_ms() says
 *    0), so the caller's loop gets a turn (a frame, a key) between slices.
 *    The body cap counts streamed bytes. An
 *    attempt that handed over any byte is never retried: the receiver has
 *    used it; it ends with its transport error and streamed_len says how far
 *    it got.
 */
#ifndef PORTALCTL_NET_H
#define PORTALCTL_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- errors --------------------------------------------------------------- */

enum net_error {
    NET_ERR_NONE = 0,         /* a whole HTTP answer arrived (any status) */
    NET_ERR_TIMEOUT,          /* connect, total or low-speed timeout */
    NET_ERR_CONNECT,          /* name not resolved, or connection refused */
    NET_ERR_TLS,              /* handshake or certificate verification failed */
    NET_ERR_RECV,             /* reset, closed without an answer, send/recv error */
    NET_ERR_TRUNCATED,        /* the answer stopped before its announced end */
    NET_ERR_TOO_LARGE,        /* the body was larger than max_body_bytes */
    NET_ERR_CANCELLED,        /* net_engine_cancel() */
    NET_ERR_REFUSED_INSECURE, /* http:// to a host that is not loopback */
    NET_ERR_PROTOCOL,         /* the server's answer was not valid HTTP */
    NET_ERR_INVALID,          /* bad URL, method or header: a bug in the caller */
    NET_ERR_NO_MEMORY,
    NET_ERR_OTHER,
    NET_ERR_STOPPED, /* the request's on_chunk returned false */
};

/* A short stable name: "none", "timeout", "connect", "tls", ... */
const char *net_error_name(enum net_error error);

/* ---- requests ------------------------------------------------------------- */

typedef uint64_t net_request_id; /* 0 is never a valid id */

#define NET_DEFAULT_MAX_BODY_BYTES ((size_t)256 * 1024 * 1024)

/* How much of a streamed body (on_chunk) one dispatch hands over at most;
 * the first dispatch of a body hands over less, so what it holds first is
 * shown (or used) at once. */
#define NET_STREAM_SLICE_BYTES       ((size_t)256 * 1024)
#define NET_STREAM_FIRST_SLICE_BYTES ((size_t)32 * 1024)

/* Receives the body of a 2xx answer piece by piece, in order, from inside
 * net_engine_dispatch() (see "A request may ask for its body" above). data is
 * valid during the call only. Return false to stop the transfer: it then ends
 * with NET_ERR_STOPPED. It may submit (the request starts once it returns) and
 * cancel (a transfer it is inside stops once it returns); it must not free,
 * run or dispatch the engine. */
typedef bool (*net_chunk_fn)(const char *data, size_t len, void *user);

struct net_retry_policy {
    unsigned max_retries;        /* attempts after the first; 0 = never retry (default 3) */
    unsigned base_delay_ms;      /* ceiling of the first backoff (default 500) */
    unsigned max_delay_ms;       /* ceiling of any backoff (default 20000) */
    unsigned max_retry_after_ms; /* longest Retry-After waited for (default 60000) */
};

/* Everything is copied by net_engine_submit(): the caller's strings and body
 * may go away right after it returns. Start from net_request_init(); a zero
 * timeout, body cap or delay is replaced by the default. */
struct net_request {
    const char *method;         /* GET HEAD POST PUT PATCH DELETE OPTIONS */
    const char *url;            /* https://..., or http:// to loopback only */
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const void *body;           /* sent as is (set Content-Type yourself); NULL = none */
    size_t body_len;
    bool idempotent;             /* may be sent again; net_request_init() sets it from
                                    the method (GET HEAD PUT DELETE OPTIONS) */
    unsigned connect_timeout_ms; /* default 10000 */
    unsigned total_timeout_ms;   /* per attempt, default 120000 */
    unsigned low_speed_bytes;    /* abort below this many bytes per second ... */
    unsigned low_speed_seconds;  /* ... for this long (default 1 byte/s for 30 s) */
    size_t max_body_bytes;       /* default NET_DEFAULT_MAX_BODY_BYTES */
    const char *ca_file;         /* PEM bundle of a private CA, or NULL for the system's */
    struct net_retry_policy retry;
    unsigned start_delay_ms; /* wait this long before the first attempt (polling a
                                job's status without a busy loop); 0 = at once */
    net_chunk_fn on_chunk;   /* NULL: a body is collected and handed over whole */
    void *chunk_user;        /* on_chunk's user argument */
};

/* Fills defaults for method and url; returns false for an unknown method (the
 * request would then fail with NET_ERR_INVALID). */
bool net_request_init(struct net_request *req, const char *method, const char *url);

/* ---- responses ------------------------------------------------------------ */

struct net_response {
    net_request_id id;
    enum net_error error;
    long status;      /* HTTP status of the last attempt, 0 when none */
    const char *body; /* never NULL; "" unless error is NONE; "" when streamed */
    size_t body_len;
    size_t streamed_len;      /* bytes handed to on_chunk, whatever the error */
    const char *content_type; /* sanitized header values, NULL when absent */
    const char *www_authenticate;
    const char *retry_after;
    long retry_after_ms; /* Retry-After as a delay, -1 when absent or unreadable */
    bool ambiguous;      /* no answer, but the request may have reached the
                            server and taken effect: check before re-sending */
    unsigned attempts;   /* how many times it was sent (0 if never) */
    long connects;       /* new connections opened for it, over all attempts */
    long elapsed_ms;     /* from submit to completion */
    char message[256];   /* human-readable, sanitized; "" when all went well */
};

/* Called once per request. The response and everything it points to belong to
 * the engine and are freed (and wiped) when the callback returns: copy what
 * you keep. The callback may submit and cancel requests; it must not free the
 * engine or call net_engine_run()/net_engine_dispatch(). */
typedef void (*net_done_fn)(const struct net_response *res, void *user);

/* ---- the engine ----------------------------------------------------------- */

struct net_engine_options {
    unsigned max_in_flight;         /* requests on the wire at once (default 10) */
    unsigned max_host_connections;  /* default: max_in_flight */
    unsigned max_total_connections; /* default: max_in_flight */
    const char *user_agent;         /* default "portalctl/<version>" */
};

void net_engine_options_init(struct net_engine_options *opts);

struct net_engine;

/* opts may be NULL (defaults). Returns NULL when libcurl cannot be set up. */
struct net_engine *net_engine_new(const struct net_engine_options *opts);

/* Drops every pending request without calling its callback. */
void net_engine_free(struct net_engine *engine);

/* Queues a request; it starts at once when a slot is free. Returns its id, or 0
 * (and no callback will come) only when memory ran out. Every other failure,
 * refusals included, arrives through the callback. */
net_request_id net_engine_submit(struct net_engine *engine, const struct net_request *req,
                                 net_done_fn done, void *user);

/* Stops a request wherever it is (queued, on the wire, waiting to retry). Its
 * callback then comes with NET_ERR_CANCELLED on the next dispatch. Returns
 * false when the id is unknown or its outcome is already decided. */
bool net_engine_cancel(struct net_engine *engine, net_request_id id);

/* Requests submitted whose callback has not run yet. */
size_t net_engine_pending(const struct net_engine *engine);

/* ---- event-loop integration ---------------------------------------------- */

/* Milliseconds until the engine needs net_engine_dispatch() even without socket
 * activity: 0 when something is due now, -1 when nothing is pending (an idle
 * console then sleeps in poll() with no timeout at all). */
int net_engine_next_timeout_ms(const struct net_engine *engine);

/* Sleeps in poll() on libcurl's sockets and the caller's extra descriptors
 * (e.g. the terminal) until one is ready, timeout_ms passes (-1 = no limit of
 * the caller's own) or the engine's next timer is due. Fills extra[i].revents.
 * Returns how many extra descriptors are ready, 0 after a timeout or a signal,
 * -1 when poll() failed (errno set). Never runs a callback. */
int net_engine_wait(struct net_engine *engine, struct pollfd *extra, size_t n_extra,
                    int timeout_ms);

/* Moves transfers on (ready sockets, due timers and retries, queued requests)
 * and runs the callbacks of finished requests. Never blocks. */
void net_engine_dispatch(struct net_engine *engine);

/* Waits and dispatches until no request is pending (for the CLI). Returns 0, or
 * -1 when poll() failed. */
int net_engine_run(struct net_engine *engine);

/* ---- retry arithmetic (pure; exposed for tests and for messages) --------- */

/* Retry-After as a delay from now: delta-seconds or an HTTP date (a date in the
 * past means 0). Returns false for anything else. */
bool net_parse_retry_after(const char *value, time_t now, long *delay_ms);

/* The ceiling of the backoff before retry number retry_index (0 = the first
 * retry): min(max_delay, base * 2^retry_index). The delay is drawn uniformly
 * in [0, ceiling] ("full jitter"). */
long net_backoff_ceiling_ms(const struct net_retry_policy *policy, unsigned retry_index);

/* ---- URLs ----------------------------------------------------------------- */

/* NET_ERR_NONE when the engine would send to this URL: https:// anywhere, or
 * http:// to localhost, 127.0.0.0/8 or [::1]. NET_ERR_REFUSED_INSECURE for
 * other http:// hosts, NET_ERR_INVALID for anything else (other schemes, no
 * host, unparsable). */
enum net_error net_url_check(const char *url);

struct net_query_arg {
    const char *name;
    const char *value; /* NULL: the argument is left out */
};

/* base + path_template, where each "{}" in the template is replaced by the next
 * of path_values (NULL-terminated) percent-encoded as one path segment, then
 * "?name=value&..." from query (terminated by a NULL name; may be NULL) with
 * names and values percent-encoded. So "/", "?", "#" or "&" in a value can
 * never change the URL's shape. Returns NULL when the base has a query or
 * fragment, the number of values differs from the number of "{}", a value is
 * empty, "." or "..", or memory ran out. Free the result with free(). */
char *net_url_build(const char *base, const char *path_template, const char *const path_values[],
                    const struct net_query_arg *query);

#endif
