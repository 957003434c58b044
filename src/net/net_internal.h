/*
 * net internals shared by the module's files: one transfer (a submitted
 * request and its attempts), its libcurl easy handle, and the retry decision.
 * Nothing outside src/net/ includes this.
 */
#ifndef PORTALCTL_NET_INTERNAL_H
#define PORTALCTL_NET_INTERNAL_H

#include <portalctl/net.h>

#include <curl/curl.h>
#include <glib.h>

enum transfer_state {
    TRANSFER_QUEUED,   /* waiting for a concurrency slot */
    TRANSFER_ACTIVE,   /* its easy handle is in the multi */
    TRANSFER_WAITING,  /* waiting for its retry timer */
    TRANSFER_FINISHED, /* outcome decided, callback not yet run */
};

/* Headers kept from an answer; the order matches the fields filled in
 * transfer_finish(). */
enum captured_header {
    CAPTURED_CONTENT_TYPE,
    CAPTURED_WWW_AUTHENTICATE,
    CAPTURED_RETRY_AFTER,
    CAPTURED_COUNT,
};

struct transfer {
    net_request_id id;
    enum transfer_state state;
    net_done_fn done;
    void *user;

    /* The request, copied (and wiped when freed: it may carry secrets). */
    CURL *easy;
    struct curl_slist *headers;
    char *url;
    char *body;
    size_t body_len;
    size_t body_sent; /* streamed-body position (non-idempotent requests) */
    bool idempotent;
    size_t max_body_bytes;
    struct net_retry_policy retry;
    net_chunk_fn on_chunk; /* NULL: the body is collected in rx */
    void *chunk_user;
    GQueue *pause_queue;         /* the engine's paused transfers (streaming) */
    const unsigned *engine_turn; /* the engine's dispatch count: a new slice per turn */

    /* The current attempt. */
    char errbuf[CURL_ERROR_SIZE];
    char *rx;
    size_t rx_len, rx_cap;
    bool rx_too_large, rx_no_memory;
    bool stream_decided, streaming; /* a 2xx body goes to on_chunk */
    bool rx_stopped;                /* on_chunk said stop */
    bool cancel_requested;          /* cancelled from inside on_chunk */
    bool paused;                    /* its slice is used up until the next dispatch */
    unsigned slice_turn;            /* the dispatch slice_used counts in */
    size_t slice_used;              /* streamed bytes in that dispatch */
    size_t slice_budget;            /* what that dispatch may stream */
    size_t streamed;                /* streamed bytes of this attempt */

    /* Across attempts. */
    unsigned attempts;
    long connects;
    gint64 submitted_us;
    gint64 retry_due_us;
    bool last_possibly_sent; /* the last attempt may have reached the server */
    long last_status;

    /* The outcome handed to the callback. */
    struct net_response res;
    char *captured[CAPTURED_COUNT];
};

/* What one finished attempt amounts to. */
struct attempt_outcome {
    enum net_error error;
    long status;
    bool possibly_sent;
    const char *detail; /* libcurl's words for a transport error, or NULL */
};

/* net_request.c */
bool net_method_known(const char *method, bool *idempotent, bool *sends_body);
bool net_header_line_valid(const char *line);
void net_request_apply_defaults(struct net_request *req);

/* net_url.c: the verdict on a URL and, when it is allowed, the URL as libcurl
 * understood it (malloc'd). */
enum net_error net_url_normalize(const char *url, char **normalized);

/* net_transfer.c */
struct transfer *transfer_new(const struct net_request *req, net_request_id id);
enum net_error transfer_prepare(struct transfer *t, const struct net_request *req,
                                const char *user_agent, const char **detail);
void transfer_reset_attempt(struct transfer *t);
/* Lifts a streaming pause (a new slice starts): libcurl hands the held
 * piece over again at once. CURLE_OK, or why the attempt ended there. */
CURLcode transfer_resume(struct transfer *t);
struct attempt_outcome transfer_outcome(struct transfer *t, CURLcode code);
void transfer_note_cancel(struct transfer *t);
void transfer_capture_headers(struct transfer *t);
void transfer_finish(struct transfer *t, enum net_error error, const char *detail,
                     const char *note);
void transfer_free(struct transfer *t);
void net_copy_printable(char *dst, size_t dst_size, const char *src);

/* net_retry.c: the delay before the next attempt, or -1 for "deliver now".
 * *note is set to a sentence for the message when the reason is worth telling. */
long net_retry_delay_ms(const struct transfer *t, const struct attempt_outcome *outcome, GRand *rng,
                        const char **note);

#endif
