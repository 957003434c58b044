/*
 * net: the engine. One libcurl multi handle driven through its socket API:
 * libcurl tells us which sockets to watch and when its next timer is due, the
 * caller's loop sleeps in poll() on those sockets plus its own descriptors,
 * and dispatch hands ready sockets and due timers back to libcurl. Retry
 * timers and the queue of requests beyond the concurrency bound live here.
 *
 * Never sleeps except inside net_engine_wait()'s poll(), never runs a
 * callback outside net_engine_dispatch(), and has no timer at all while
 * nothing is pending: an idle console makes no wake-ups.
 */
#include "net_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifndef PORTALCTL_VERSION
#define PORTALCTL_VERSION "0"
#endif

enum {
    DEFAULT_MAX_IN_FLIGHT = 10,
    MAX_IN_FLIGHT_LIMIT = 256,
};

struct socket_watch {
    curl_socket_t fd;
    short events;
};

struct net_engine {
    CURLM *multi;
    char *user_agent;
    unsigned max_in_flight;
    unsigned active; /* transfers whose easy handle is in the multi */
    net_request_id last_id;
    GHashTable *by_id; /* net_request_id -> struct transfer, every pending one */
    GQueue queued;     /* TRANSFER_QUEUED, in the order they go out */
    GQueue waiting;    /* TRANSFER_WAITING for their retry timer */
    GQueue finished;   /* TRANSFER_FINISHED, callbacks still to run */
    GQueue paused;     /* streaming transfers whose slice of this turn is used up */
    GQueue cancelling; /* cancelled from inside on_chunk, to stop after it */
    unsigned turn;     /* dispatches so far: each gives streams a new slice */
    bool in_curl;      /* inside libcurl (on_chunk may run): no multi calls */

    /* What libcurl asked us to watch (socket callback) and when its timer is
     * due (timer callback; -1 = none). */
    struct socket_watch *sockets;
    size_t n_sockets, cap_sockets;
    gint64 curl_deadline_us;

    /* The pollfd array of the last wait: libcurl's sockets first, then the
     * caller's. polled_sockets of them await dispatch. */
    struct pollfd *polled;
    size_t cap_polled, polled_sockets;

    GRand *rng;
    bool dispatching;
};

/* ---- libcurl's callbacks ---------------------------------------------------- */

static size_t find_socket(const struct net_engine *e, curl_socket_t fd)
{
    for (size_t i = 0; i < e->n_sockets; i++) {
        if (e->sockets[i].fd == fd)
            return i;
    }
    return SIZE_MAX;
}

static bool grow_sockets(struct net_engine *e)
{
    size_t cap = e->cap_sockets != 0 ? e->cap_sockets * 2 : 16;
    struct socket_watch *bigger = realloc(e->sockets, cap * sizeof(*bigger));
    if (bigger == NULL)
        return false;
    e->sockets = bigger;
    e->cap_sockets = cap;
    return true;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *engine, void *socketp)
{
    struct net_engine *e = engine;
    (void)easy;
    (void)socketp;
    size_t i = find_socket(e, fd);
    if (what == CURL_POLL_REMOVE) {
        if (i != SIZE_MAX)
            e->sockets[i] = e->sockets[--e->n_sockets];
        return 0;
    }
    short events =
        (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
    if (i == SIZE_MAX) {
        if (e->n_sockets == e->cap_sockets && !grow_sockets(e))
            return -1; /* libcurl fails the transfers on this socket */
        i = e->n_sockets++;
        e->sockets[i].fd = fd;
    }
    e->sockets[i].events = events;
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *engine)
{
    struct net_engine *e = engine;
    (void)multi;
    e->curl_deadline_us = timeout_ms < 0 ? -1 : g_get_monotonic_time() + timeout_ms * 1000;
    return 0;
}

/* ---- the life of a transfer ------------------------------------------------- */

static void finish(struct net_engine *e, struct transfer *t, enum net_error error,
                   const char *detail, const char *note)
{
    transfer_finish(t, error, detail, note);
    g_queue_push_tail(&e->finished, t);
}

static void start_transfer(struct net_engine *e, struct transfer *t)
{
    t->attempts++;
    if (curl_multi_add_handle(e->multi, t->easy) != CURLM_OK) {
        finish(e, t, NET_ERR_OTHER, "libcurl refused the transfer", NULL);
        return;
    }
    t->state = TRANSFER_ACTIVE;
    e->active++;
}

static void start_queued(struct net_engine *e)
{
    while (e->active < e->max_in_flight && !g_queue_is_empty(&e->queued))
        start_transfer(e, g_queue_pop_head(&e->queued));
}

static void forget_pause(struct net_engine *e, struct transfer *t)
{
    if (t->paused) {
        g_queue_remove(&e->paused, t);
        t->paused = false;
    }
}

static void conclude_attempt(struct net_engine *e, struct transfer *t, CURLcode code)
{
    forget_pause(e, t);
    transfer_capture_headers(t);
    struct attempt_outcome outcome = transfer_outcome(t, code);
    curl_multi_remove_handle(e->multi, t->easy);
    e->active--;
    const char *note = NULL;
    long delay_ms = net_retry_delay_ms(t, &outcome, e->rng, &note);
    if (delay_ms < 0) {
        finish(e, t, outcome.error, outcome.detail, note);
        return;
    }
    t->state = TRANSFER_WAITING;
    t->retry_due_us = g_get_monotonic_time() + (gint64)delay_ms * 1000;
    g_queue_push_tail(&e->waiting, t);
}

static void collect_finished(struct net_engine *e)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(e->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct transfer *t = NULL;
        CURLcode code = msg->data.result; /* msg dies with the handle's removal */
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        conclude_attempt(e, t, code);
    }
}

/* Due retries go to the head of the queue, oldest first: they were already
 * admitted once. */
static void fire_due_retries(struct net_engine *e)
{
    gint64 now = g_get_monotonic_time();
    guint position = 0;
    GList *link = e->waiting.head;
    while (link != NULL) {
        GList *next = link->next;
        struct transfer *t = link->data;
        if (t->retry_due_us <= now) {
            g_queue_delete_link(&e->waiting, link);
            transfer_reset_attempt(t);
            t->state = TRANSFER_QUEUED;
            g_queue_push_nth(&e->queued, t, (gint)position++);
        }
        link = next;
    }
}

/* A new slice for every paused stream: libcurl hands the held piece over at
 * once, and its timer (due now) moves the transfer on in this dispatch. */
static void resume_paused(struct net_engine *e)
{
    GQueue ready = e->paused;
    g_queue_init(&e->paused);
    struct transfer *t;
    while ((t = g_queue_pop_head(&ready)) != NULL) {
        e->in_curl = true;
        CURLcode code = transfer_resume(t);
        e->in_curl = false;
        if (code != CURLE_OK)
            conclude_attempt(e, t, code);
    }
}

static void deliver_finished(struct net_engine *e)
{
    struct transfer *t;
    while ((t = g_queue_pop_head(&e->finished)) != NULL) {
        g_hash_table_remove(e->by_id, &t->id);
        t->done(&t->res, t->user);
        transfer_free(t);
    }
}

/* ---- public: life cycle ---------------------------------------------------- */

void net_engine_options_init(struct net_engine_options *opts)
{
    *opts = (struct net_engine_options){.max_in_flight = DEFAULT_MAX_IN_FLIGHT};
}

static bool configure_multi(struct net_engine *e, const struct net_engine_options *opts)
{
    long per_host = opts->max_host_connections != 0 ? opts->max_host_connections : e->max_in_flight;
    long total = opts->max_total_connections != 0 ? opts->max_total_connections : e->max_in_flight;
    return curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket) == CURLM_OK &&
           curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e) == CURLM_OK &&
           curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer) == CURLM_OK &&
           curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e) == CURLM_OK &&
           curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX) == CURLM_OK &&
           curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host) == CURLM_OK &&
           curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, total) == CURLM_OK &&
           /* Keep every connection of a burst warm for the next one. */
           curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, total) == CURLM_OK;
}

struct net_engine *net_engine_new(const struct net_engine_options *opts)
{
    struct net_engine_options defaults;
    if (opts == NULL) {
        net_engine_options_init(&defaults);
        opts = &defaults;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    struct net_engine *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        curl_global_cleanup();
        return NULL;
    }
    e->curl_deadline_us = -1;
    e->max_in_flight = opts->max_in_flight != 0 ? MIN(opts->max_in_flight, MAX_IN_FLIGHT_LIMIT)
                                                : DEFAULT_MAX_IN_FLIGHT;
    e->user_agent =
        strdup(opts->user_agent != NULL ? opts->user_agent : "portalctl/" PORTALCTL_VERSION);
    e->multi = curl_multi_init();
    if (e->user_agent == NULL || e->multi == NULL || !configure_multi(e, opts)) {
        net_engine_free(e);
        return NULL;
    }
    e->by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    e->rng = g_rand_new();
    return e;
}

void net_engine_free(struct net_engine *e)
{
    if (e == NULL)
        return;
    if (e->by_id != NULL) {
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, e->by_id);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            struct transfer *t = value;
            if (t->state == TRANSFER_ACTIVE)
                curl_multi_remove_handle(e->multi, t->easy);
            g_hash_table_iter_steal(&iter);
            transfer_free(t);
        }
        g_hash_table_destroy(e->by_id);
    }
    g_queue_clear(&e->queued);
    g_queue_clear(&e->waiting);
    g_queue_clear(&e->finished);
    g_queue_clear(&e->paused);
    g_queue_clear(&e->cancelling);
    if (e->multi != NULL)
        curl_multi_cleanup(e->multi);
    if (e->rng != NULL)
        g_rand_free(e->rng);
    free(e->user_agent);
    free(e->sockets);
    free(e->polled);
    free(e);
    curl_global_cleanup();
}

/* ---- public: requests ------------------------------------------------------ */

net_request_id net_engine_submit(struct net_engine *e, const struct net_request *request,
                                 net_done_fn done, void *user)
{
    if (e == NULL || request == NULL || done == NULL)
        return 0;
    struct net_request req = *request;
    net_request_apply_defaults(&req);
    struct transfer *t = transfer_new(&req, e->last_id + 1);
    if (t == NULL)
        return 0;
    e->last_id++;
    t->done = done;
    t->user = user;
    t->pause_queue = &e->paused;
    t->engine_turn = &e->turn;
    g_hash_table_insert(e->by_id, &t->id, t);
    const char *detail = NULL;
    enum net_error error = transfer_prepare(t, &req, e->user_agent, &detail);
    if (error != NET_ERR_NONE) {
        finish(e, t, error, detail, NULL); /* no attempt: nothing was sent anywhere */
        return t->id;
    }
    if (req.start_delay_ms > 0) {
        /* Waits like a retry does: a timer in the engine, no slot held. */
        t->state = TRANSFER_WAITING;
        t->retry_due_us = g_get_monotonic_time() + (gint64)req.start_delay_ms * 1000;
        g_queue_push_tail(&e->waiting, t);
        return t->id;
    }
    t->state = TRANSFER_QUEUED;
    g_queue_push_tail(&e->queued, t);
    if (!e->in_curl) /* from on_chunk: dispatch starts it once libcurl returns */
        start_queued(e);
    return t->id;
}

static void cancel_now(struct net_engine *e, struct transfer *t)
{
    if (t->state == TRANSFER_QUEUED) {
        g_queue_remove(&e->queued, t);
    } else if (t->state == TRANSFER_WAITING) {
        g_queue_remove(&e->waiting, t);
    } else {
        forget_pause(e, t);
        transfer_note_cancel(t);
        curl_multi_remove_handle(e->multi, t->easy);
        e->active--;
    }
    finish(e, t, NET_ERR_CANCELLED, NULL, NULL);
}

/* Cancels asked for from inside on_chunk, now that libcurl has returned: a
 * transfer that stopped by itself meanwhile ends the same way. */
static void apply_requested_cancels(struct net_engine *e)
{
    struct transfer *t;
    while ((t = g_queue_pop_head(&e->cancelling)) != NULL) {
        if (t->state == TRANSFER_ACTIVE)
            cancel_now(e, t);
    }
}

bool net_engine_cancel(struct net_engine *e, net_request_id id)
{
    struct transfer *t = e != NULL ? g_hash_table_lookup(e->by_id, &id) : NULL;
    if (t == NULL || t->state == TRANSFER_FINISHED || t->cancel_requested)
        return false;
    if (e->in_curl && t->state == TRANSFER_ACTIVE) {
        /* libcurl forbids removing a handle from inside its callbacks. */
        t->cancel_requested = true;
        g_queue_push_tail(&e->cancelling, t);
        return true;
    }
    cancel_now(e, t);
    if (!e->in_curl)
        start_queued(e);
    return true;
}

size_t net_engine_pending(const struct net_engine *e)
{
    return e != NULL ? g_hash_table_size(e->by_id) : 0;
}

/* ---- public: the event loop ------------------------------------------------- */

static gint64 earliest(gint64 a, gint64 b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return MIN(a, b);
}

int net_engine_next_timeout_ms(const struct net_engine *e)
{
    if (e == NULL || g_hash_table_size(e->by_id) == 0)
        return -1; /* idle: no timer at all, even if libcurl kept a stale one */
    if (e->finished.length > 0 || e->paused.length > 0)
        return 0;
    gint64 due = e->curl_deadline_us;
    for (GList *link = e->waiting.head; link != NULL; link = link->next)
        due = earliest(due, ((struct transfer *)link->data)->retry_due_us);
    if (due < 0)
        return -1;
    gint64 now = g_get_monotonic_time();
    if (due <= now)
        return 0;
    gint64 ms = (due - now + 999) / 1000; /* round up: waking early would spin */
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

static bool reserve_polled(struct net_engine *e, size_t n)
{
    if (n <= e->cap_polled)
        return true;
    struct pollfd *bigger = realloc(e->polled, n * sizeof(*bigger));
    if (bigger == NULL)
        return false;
    e->polled = bigger;
    e->cap_polled = n;
    return true;
}

static int combine_timeouts(int caller_ms, int engine_ms)
{
    if (caller_ms < 0)
        return engine_ms;
    if (engine_ms < 0)
        return caller_ms;
    return MIN(caller_ms, engine_ms);
}

int net_engine_wait(struct net_engine *e, struct pollfd *extra, size_t n_extra, int timeout_ms)
{
    size_t n = e->n_sockets + n_extra;
    if (!reserve_polled(e, n)) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < e->n_sockets; i++)
        e->polled[i] = (struct pollfd){.fd = e->sockets[i].fd, .events = e->sockets[i].events};
    for (size_t i = 0; i < n_extra; i++)
        e->polled[e->n_sockets + i] = (struct pollfd){.fd = extra[i].fd, .events = extra[i].events};
    int rc = poll(e->polled, n, combine_timeouts(timeout_ms, net_engine_next_timeout_ms(e)));
    if (rc < 0 && errno != EINTR)
        return -1;
    e->polled_sockets = rc > 0 ? e->n_sockets : 0;
    int ready = 0;
    for (size_t i = 0; i < n_extra; i++) {
        extra[i].revents = rc > 0 ? e->polled[e->n_sockets + i].revents : 0;
        ready += extra[i].revents != 0;
    }
    return ready;
}

static void act_on_sockets(struct net_engine *e)
{
    int running;
    size_t n = e->polled_sockets;
    e->polled_sockets = 0;
    for (size_t i = 0; i < n; i++) {
        short revents = e->polled[i].revents;
        if (revents == 0)
            continue;
        int flags = ((revents & (POLLIN | POLLHUP)) ? CURL_CSELECT_IN : 0) |
                    ((revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
                    ((revents & (POLLERR | POLLNVAL)) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(e->multi, e->polled[i].fd, flags, &running);
    }
}

static void act_on_curl_timer(struct net_engine *e)
{
    int running;
    if (e->curl_deadline_us < 0 || e->curl_deadline_us > g_get_monotonic_time())
        return;
    e->curl_deadline_us = -1; /* libcurl sets the next one during the call */
    curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

void net_engine_dispatch(struct net_engine *e)
{
    if (e == NULL || e->dispatching)
        return;
    e->dispatching = true;
    e->turn++;
    resume_paused(e);
    e->in_curl = true;
    act_on_sockets(e);
    act_on_curl_timer(e);
    e->in_curl = false;
    apply_requested_cancels(e);
    collect_finished(e);
    fire_due_retries(e);
    start_queued(e);
    deliver_finished(e);
    e->dispatching = false;
}

int net_engine_run(struct net_engine *e)
{
    if (e == NULL || e->dispatching) {
        errno = EDEADLK; /* from a callback it would wait for itself */
        return -1;
    }
    while (net_engine_pending(e) > 0) {
        if (net_engine_wait(e, NULL, 0, -1) < 0)
            return -1;
        net_engine_dispatch(e);
    }
    return 0;
}
