/*
 * Tests for net/: the libcurl multi engine against real HTTP(S) servers on
 * loopback (tests/support/script_server.c answers with scripted replies and
 * records what it received), plus the pure URL and retry arithmetic.
 * Timing bounds are generous: the suite runs under sanitizers on busy hosts.
 */
#include <portalctl/net.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "script_server.h"

/* ---- fixture ----------------------------------------------------------------- */

struct fixture {
    struct script_server *server;
    struct net_engine *engine;
};

/* What a callback saw, copied out of the engine's response. */
struct result {
    int calls;
    net_request_id id;
    enum net_error error;
    long status;
    char *body;
    size_t body_len;
    char *content_type;
    char *www_authenticate;
    long retry_after_ms;
    bool ambiguous;
    unsigned attempts;
    long connects;
    long elapsed_ms;
    char message[256];
};

static void record(const struct net_response *res, void *user)
{
    struct result *r = user;
    r->calls++;
    r->id = res->id;
    r->error = res->error;
    r->status = res->status;
    r->body = g_strndup(res->body, res->body_len);
    r->body_len = res->body_len;
    r->content_type = g_strdup(res->content_type);
    r->www_authenticate = g_strdup(res->www_authenticate);
    r->retry_after_ms = res->retry_after_ms;
    r->ambiguous = res->ambiguous;
    r->attempts = res->attempts;
    r->connects = res->connects;
    r->elapsed_ms = res->elapsed_ms;
    memcpy(r->message, res->message, sizeof(r->message));
}

static void result_clear(struct result *r)
{
    g_free(r->body);
    g_free(r->content_type);
    g_free(r->www_authenticate);
    memset(r, 0, sizeof(*r));
}

static struct fixture *fixture_start(const struct script_server_options *server_opts,
                                     const struct net_engine_options *engine_opts)
{
    struct fixture *f = g_new0(struct fixture, 1);
    f->server = script_server_start(server_opts);
    assert_non_null(f->server);
    f->engine = net_engine_new(engine_opts);
    assert_non_null(f->engine);
    return f;
}

static int setup(void **state)
{
    *state = fixture_start(NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    net_engine_free(f->engine);
    script_server_stop(f->server);
    g_free(f);
    return 0;
}

static char *url_of(const struct fixture *f, const char *path)
{
    return g_strdup_printf("%s%s", script_server_url(f->server), path);
}

/* Fast retries so the tests do not wait for the default backoff. */
static void quick_retries(struct net_request *req)
{
    req->retry.base_delay_ms = 20;
    req->retry.max_delay_ms = 100;
}

static net_request_id submit(struct fixture *f, const struct net_request *req, struct result *r)
{
    net_request_id id = net_engine_submit(f->engine, req, record, r);
    assert_true(id != 0);
    return id;
}

/* GET path with defaults (and quick retries), run to completion. */
static void get_and_run(struct fixture *f, const char *path, struct result *r)
{
    char *url = url_of(f, path);
    struct net_request req;
    assert_true(net_request_init(&req, "GET", url));
    quick_retries(&req);
    submit(f, &req, r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r->calls, 1);
}

static gint64 now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

static void push(struct fixture *f, struct script_reply reply)
{
    script_server_push(f->server, &reply);
}

/* ---- plain requests ---------------------------------------------------------- */

static void test_get_success(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 200,
                                  .headers = {"Content-Type: application/json",
                                              "WWW-Authenticate: Bearer realm=\"x\""},
                                  .body = "{\"a\":1}"});
    char *url = url_of(f, "/v1/portals?limit=5");
    struct net_request req;
    assert_true(net_request_init(&req, "GET", url));
    const char *headers[] = {"Authorization: Bearer token-123", "Accept: application/json", NULL};
    req.headers = headers;
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(r.calls, 0); /* never from inside submit */
    assert_int_equal(net_engine_run(f->engine), 0);

    assert_int_equal(r.calls, 1);
    assert_int_equal(r.error, NET_ERR_NONE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"a\":1}");
    assert_int_equal(r.body_len, 7);
    assert_string_equal(r.content_type, "application/json");
    assert_string_equal(r.www_authenticate, "Bearer realm=\"x\"");
    assert_int_equal(r.retry_after_ms, -1);
    assert_false(r.ambiguous);
    assert_int_equal(r.attempts, 1);
    assert_string_equal(r.message, "");

    assert_int_equal(script_server_request_count(f->server), 1);
    const struct script_request *got = script_server_request(f->server, 0);
    assert_string_equal(got->method, "GET");
    assert_string_equal(got->path, "/v1/portals");
    assert_string_equal(script_request_header(got, "Authorization"), "Bearer token-123");
    assert_true(g_str_has_prefix(script_request_header(got, "User-Agent"), "portalctl/"));
    assert_null(script_request_header(got, "Expect"));
    assert_int_equal(net_engine_pending(f->engine), 0);
    result_clear(&r);
}

/* A delayed start waits in the engine (a timer, nothing on the wire), then goes. */
static void test_start_delay_waits_without_sending(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 200, .body = "ok"});
    char *url = url_of(f, "/poll");
    struct net_request req;
    assert_true(net_request_init(&req, "GET", url));
    req.start_delay_ms = 300;
    struct result r = {0};
    gint64 started = now_ms();
    submit(f, &req, &r);
    g_free(url);
    int timeout = net_engine_next_timeout_ms(f->engine);
    assert_in_range(timeout, 1, 300);
    net_engine_dispatch(f->engine);
    assert_int_equal(script_server_request_count(f->server), 0);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.status, 200);
    assert_true(now_ms() - started >= 290);
    assert_int_equal(script_server_request_count(f->server), 1);
    result_clear(&r);
}

static void test_post_sends_body_once(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 201, .body = "{\"id\":\"7\"}"});
    char *url = url_of(f, "/v2/users");
    /* Big enough that libcurl would ask "Expect: 100-continue" by default. */
    GString *body = g_string_new("{\"login\":\"jsmith\",\"pad\":\"");
    for (int i = 0; i < 4000; i++)
        g_string_append(body, "xy");
    g_string_append(body, "\"}");
    struct net_request req;
    assert_true(net_request_init(&req, "POST", url));
    assert_false(req.idempotent);
    const char *headers[] = {"Content-Type: application/json", NULL};
    req.headers = headers;
    req.body = body->str;
    req.body_len = body->len;
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);

    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "{\"id\":\"7\"}");
    const struct script_request *got = script_server_request(f->server, 0);
    assert_string_equal(got->method, "POST");
    assert_int_equal(got->body_len, body->len);
    assert_memory_equal(got->body, body->str, body->len);
    assert_string_equal(script_request_header(got, "Content-Type"), "application/json");
    assert_null(script_request_header(got, "Expect"));
    g_string_free(body, TRUE);
    result_clear(&r);
}

static void test_put_without_body_sends_length_zero(void **state)
{
    struct fixture *f = *state;
    char *url = url_of(f, "/crm/v7/x/actions/change_status?active=true");
    struct net_request req;
    assert_true(net_request_init(&req, "PUT", url));
    assert_true(req.idempotent);
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.status, 200);
    const struct script_request *got = script_server_request(f->server, 0);
    assert_string_equal(got->method, "PUT");
    assert_string_equal(script_request_header(got, "Content-Length"), "0");
    result_clear(&r);
}

static void test_delete_and_head(void **state)
{
    struct fixture *f = *state;
    const char *methods[] = {"DELETE", "HEAD"};
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        char *url = url_of(f, "/v1/portals/9");
        struct net_request req;
        assert_true(net_request_init(&req, methods[i], url));
        struct result r = {0};
        submit(f, &req, &r);
        g_free(url);
        assert_int_equal(net_engine_run(f->engine), 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(script_server_request(f->server, i)->method, methods[i]);
        result_clear(&r);
    }
}

static void test_server_text_is_sanitized(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.headers = {"Content-Type: text/plain\x1b[31mred"}});
    struct result r = {0};
    get_and_run(f, "/", &r);
    assert_string_equal(r.content_type, "text/plain?[31mred");
    result_clear(&r);
}

static void test_invalid_requests_never_sent(void **state)
{
    struct fixture *f = *state;
    char *url = url_of(f, "/x");
    struct {
        const char *method;
        const char *header;
        const char *body;
    } cases[] = {
        {"GET", "X-Evil: a\r\nInjected: b", NULL},
        {"GET", "No colon here", NULL},
        {"BREW", NULL, NULL},
        {"GET", NULL, "a body on a GET"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct net_request req;
        net_request_init(&req, cases[i].method, url);
        const char *headers[] = {cases[i].header, NULL};
        req.headers = headers;
        req.body = cases[i].body;
        req.body_len = cases[i].body != NULL ? strlen(cases[i].body) : 0;
        struct result r = {0};
        submit(f, &req, &r);
        assert_int_equal(net_engine_run(f->engine), 0);
        assert_int_equal(r.calls, 1);
        assert_int_equal(r.error, NET_ERR_INVALID);
        assert_int_equal(r.attempts, 0);
        assert_false(r.ambiguous);
        result_clear(&r);
    }
    g_free(url);
    assert_int_equal(script_server_request_count(f->server), 0);
    assert_int_equal(script_server_connection_count(f->server), 0);
}

/* ---- connections and concurrency ------------------------------------------- */

static void test_sequential_requests_reuse_one_connection(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 5; i++) {
        struct result r = {0};
        get_and_run(f, "/seq", &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.connects, i == 0 ? 1 : 0);
        result_clear(&r);
    }
    assert_int_equal(script_server_request_count(f->server), 5);
    assert_int_equal(script_server_connection_count(f->server), 1);
}

static void test_concurrency_is_bounded(void **state)
{
    struct fixture *f = *state;
    struct net_engine_options opts;
    net_engine_options_init(&opts);
    opts.max_in_flight = 3;
    net_engine_free(f->engine);
    f->engine = net_engine_new(&opts);
    script_server_set_default(f->server, &(struct script_reply){.body = "slow", .delay_ms = 500});

    enum { N = 9 };
    struct result r[N] = {0};
    char *url = url_of(f, "/bulk");
    gint64 start = now_ms();
    for (int i = 0; i < N; i++) {
        struct net_request req;
        net_request_init(&req, "GET", url);
        /* Less than the 3 rounds (1500 ms) the last ones wait: the timeout
         * starts when a request goes on the wire, not when it is queued. */
        req.total_timeout_ms = 1200;
        req.retry.max_retries = 0;
        submit(f, &req, &r[i]);
    }
    g_free(url);
    assert_int_equal(net_engine_pending(f->engine), N);
    assert_int_equal(net_engine_run(f->engine), 0);
    gint64 took = now_ms() - start;

    long first_round_connects = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].error, NET_ERR_NONE);
        assert_int_equal(r[i].status, 200);
        first_round_connects += i < 3 ? r[i].connects : 0;
        result_clear(&r[i]);
    }
    /* The first three went out at once, each on its own connection, without
     * waiting for another's answer. */
    assert_int_equal(first_round_connects, 3);
    assert_int_equal(script_server_max_concurrent(f->server), 3);
    assert_true(took >= 3 * 500 - 50);
    assert_true(script_server_connection_count(f->server) <= 3);
}

static void test_bursts_reuse_connections(void **state)
{
    struct fixture *f = *state;
    struct net_engine_options opts;
    net_engine_options_init(&opts);
    opts.max_in_flight = 20;
    net_engine_free(f->engine);
    f->engine = net_engine_new(&opts);
    script_server_set_default(f->server, &(struct script_reply){.body = "x", .delay_ms = 50});

    enum { N = 40 };
    char *url = url_of(f, "/burst");
    for (int round = 0; round < 2; round++) {
        struct result r[N] = {0};
        for (int i = 0; i < N; i++) {
            struct net_request req;
            net_request_init(&req, "GET", url);
            submit(f, &req, &r[i]);
        }
        assert_int_equal(net_engine_run(f->engine), 0);
        for (int i = 0; i < N; i++) {
            assert_int_equal(r[i].status, 200);
            result_clear(&r[i]);
        }
    }
    g_free(url);
    assert_int_equal(script_server_request_count(f->server), 2 * N);
    assert_true(script_server_max_concurrent(f->server) <= 20);
    assert_true(script_server_connection_count(f->server) <= 20);
}

/* A completion callback that pages: each answer submits the next request. */
struct pager {
    struct fixture *f;
    int pages;
    char *url;
};

static void on_page(const struct net_response *res, void *user)
{
    struct pager *p = user;
    assert_int_equal(res->status, 200);
    if (++p->pages < 4) {
        struct net_request req;
        net_request_init(&req, "GET", p->url);
        assert_true(net_engine_submit(p->f->engine, &req, on_page, p) != 0);
    }
}

static void test_callback_may_submit(void **state)
{
    struct fixture *f = *state;
    struct pager p = {.f = f, .url = url_of(f, "/page")};
    struct net_request req;
    net_request_init(&req, "GET", p.url);
    assert_true(net_engine_submit(f->engine, &req, on_page, &p) != 0);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(p.pages, 4);
    assert_int_equal(script_server_request_count(f->server), 4);
    assert_int_equal(script_server_connection_count(f->server), 1);
    g_free(p.url);
}

/* ---- timeouts and cancelling --------------------------------------------------- */

static void test_timeout(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.body = "late", .delay_ms = 3000});
    char *url = url_of(f, "/slow");
    struct net_request req;
    net_request_init(&req, "GET", url);
    req.total_timeout_ms = 300;
    req.retry.max_retries = 0;
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    gint64 start = now_ms();
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.error, NET_ERR_TIMEOUT);
    assert_int_equal(r.status, 0);
    assert_true(r.ambiguous); /* it was sent: the server may have acted on it */
    assert_true(now_ms() - start < 2500);
    assert_string_equal(r.body, "");
    assert_non_null(strstr(r.message, "timed out"));
    result_clear(&r);
}

static void test_timeout_retried_when_idempotent(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.body = "late", .delay_ms = 2000});
    push(f, (struct script_reply){.body = "on time"});
    char *url = url_of(f, "/slow");
    struct net_request req;
    net_request_init(&req, "GET", url);
    req.total_timeout_ms = 300;
    quick_retries(&req);
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "on time");
    assert_int_equal(r.attempts, 2);
    assert_false(r.ambiguous);
    result_clear(&r);
}

/* Runs the loop for up to max_ms, until the server has seen `requests`. */
static void loop_until_received(struct fixture *f, size_t requests, int max_ms)
{
    gint64 end = now_ms() + max_ms;
    while (script_server_request_count(f->server) < requests && now_ms() < end) {
        net_engine_wait(f->engine, NULL, 0, 20);
        net_engine_dispatch(f->engine);
    }
    assert_int_equal(script_server_request_count(f->server), requests);
}

static void test_cancel_on_the_wire(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.body = "late", .delay_ms = 5000});
    char *url = url_of(f, "/slow");
    struct net_request req;
    net_request_init(&req, "POST", url);
    req.body = "{}";
    req.body_len = 2;
    struct result r = {0};
    net_request_id id = submit(f, &req, &r);
    g_free(url);
    gint64 start = now_ms();
    loop_until_received(f, 1, 3000);
    assert_true(net_engine_cancel(f->engine, id));
    assert_false(net_engine_cancel(f->engine, id));
    assert_int_equal(r.calls, 0); /* delivered by dispatch, not by cancel */
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.error, NET_ERR_CANCELLED);
    assert_true(r.ambiguous); /* the POST had reached the server */
    assert_true(now_ms() - start < 3000);
    assert_false(net_engine_cancel(f->engine, id));
    result_clear(&r);
}

static void test_cancel_queued(void **state)
{
    struct fixture *f = *state;
    struct net_engine_options opts;
    net_engine_options_init(&opts);
    opts.max_in_flight = 1;
    net_engine_free(f->engine);
    f->engine = net_engine_new(&opts);
    push(f, (struct script_reply){.body = "first", .delay_ms = 300});
    char *url = url_of(f, "/q");
    struct net_request req;
    net_request_init(&req, "POST", url);
    struct result first = {0}, second = {0};
    submit(f, &req, &first);
    net_request_id queued = submit(f, &req, &second);
    g_free(url);
    assert_true(net_engine_cancel(f->engine, queued));
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(first.status, 200);
    assert_int_equal(second.error, NET_ERR_CANCELLED);
    assert_false(second.ambiguous); /* it never left the queue */
    assert_int_equal(second.attempts, 0);
    assert_int_equal(script_server_request_count(f->server), 1);
    result_clear(&first);
    result_clear(&second);
}

static void test_cancel_while_waiting_to_retry(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 503, .headers = {"Retry-After: 30"}});
    char *url = url_of(f, "/busy");
    struct net_request req;
    net_request_init(&req, "GET", url);
    struct result r = {0};
    net_request_id id = submit(f, &req, &r);
    g_free(url);
    loop_until_received(f, 1, 3000);
    /* Let the 503 arrive: then the 30 s retry timer is all that is left. */
    gint64 end = now_ms() + 300;
    while (now_ms() < end) {
        net_engine_wait(f->engine, NULL, 0, 20);
        net_engine_dispatch(f->engine);
    }
    assert_true(net_engine_next_timeout_ms(f->engine) > 25000);
    assert_true(net_engine_cancel(f->engine, id));
    gint64 start = now_ms();
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_true(now_ms() - start < 1000);
    assert_int_equal(r.error, NET_ERR_CANCELLED);
    assert_int_equal(r.status, 503);
    assert_false(r.ambiguous);
    assert_int_equal(script_server_request_count(f->server), 1);
    result_clear(&r);
}

/* ---- retries ------------------------------------------------------------------ */

static void test_429_honours_retry_after_seconds(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 429, .headers = {"Retry-After: 1"}});
    push(f, (struct script_reply){.body = "done"});
    struct result r = {0};
    get_and_run(f, "/limited", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "done");
    assert_int_equal(r.attempts, 2);
    assert_true(r.elapsed_ms >= 950);
    assert_true(r.elapsed_ms < 5000);
    assert_int_equal(script_server_request_count(f->server), 2);
    result_clear(&r);
}

static void test_429_honours_retry_after_date(void **state)
{
    struct fixture *f = *state;
    char date[64], header[96];
    time_t when = time(NULL) + 2;
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&when));
    snprintf(header, sizeof(header), "Retry-After: %s", date);
    push(f, (struct script_reply){.status = 429, .headers = {header}});
    push(f, (struct script_reply){.body = "done"});
    struct result r = {0};
    get_and_run(f, "/limited", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.attempts, 2);
    assert_true(r.elapsed_ms >= 900); /* an HTTP date has whole seconds */
    assert_true(r.elapsed_ms < 6000);
    result_clear(&r);
}

static void test_429_retry_after_beyond_cap_is_delivered(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 429,
                                  .headers = {"Retry-After: 3600"},
                                  .body = "{\"code\":\"TOO_MANY_REQUESTS\"}"});
    struct result r = {0};
    get_and_run(f, "/limited", &r);
    assert_int_equal(r.error, NET_ERR_NONE);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.retry_after_ms, 3600L * 1000);
    assert_string_equal(r.body, "{\"code\":\"TOO_MANY_REQUESTS\"}");
    assert_non_null(strstr(r.message, "wait longer"));
    assert_true(r.elapsed_ms < 2000);
    result_clear(&r);
}

static void test_503_retried_then_success(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 503});
    push(f, (struct script_reply){.status = 503});
    push(f, (struct script_reply){.body = "finally"});
    struct result r = {0};
    get_and_run(f, "/flaky", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "finally");
    assert_int_equal(r.attempts, 3);
    assert_int_equal(script_server_request_count(f->server), 3);
    result_clear(&r);
}

static void test_retries_are_bounded(void **state)
{
    struct fixture *f = *state;
    script_server_set_default(f->server, &(struct script_reply){.status = 500, .body = "down"});
    char *url = url_of(f, "/down");
    struct net_request req;
    net_request_init(&req, "GET", url);
    quick_retries(&req);
    req.retry.max_retries = 2;
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.error, NET_ERR_NONE);
    assert_int_equal(r.status, 500);
    assert_string_equal(r.body, "down");
    assert_int_equal(r.attempts, 3);
    assert_non_null(strstr(r.message, "gave up"));
    assert_int_equal(script_server_request_count(f->server), 3);
    result_clear(&r);
}

static void test_client_errors_not_retried(void **state)
{
    struct fixture *f = *state;
    const unsigned statuses[] = {400, 401, 403, 404, 422};
    for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++) {
        push(f, (struct script_reply){.status = statuses[i]});
        struct result r = {0};
        get_and_run(f, "/no", &r);
        assert_int_equal(r.status, statuses[i]);
        assert_int_equal(r.attempts, 1);
        result_clear(&r);
    }
    assert_int_equal(script_server_request_count(f->server), G_N_ELEMENTS(statuses));
}

static void test_get_retried_after_reset_and_truncation(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.action = SCRIPT_RESET});
    push(f, (struct script_reply){.action = SCRIPT_TRUNCATE, .body = "0123456789abcdef"});
    push(f, (struct script_reply){.body = "whole"});
    struct result r = {0};
    get_and_run(f, "/shaky", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "whole");
    assert_int_equal(r.attempts, 3);
    result_clear(&r);
}

static void test_truncated_body_is_an_error(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.action = SCRIPT_TRUNCATE, .body = "{\"portals\":[1,2,3,4]}"});
    char *url = url_of(f, "/cut");
    struct net_request req;
    net_request_init(&req, "GET", url);
    req.retry.max_retries = 0;
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.error, NET_ERR_TRUNCATED);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, ""); /* never half an answer */
    assert_false(r.ambiguous);       /* the status says the server acted */
    result_clear(&r);
}

/* Warms a connection, so the next request goes out on a reused one: the case
 * where libcurl would quietly re-send on its own. */
static void warm_connection(struct fixture *f)
{
    struct result r = {0};
    get_and_run(f, "/warm", &r);
    assert_int_equal(r.status, 200);
    result_clear(&r);
}

static void post_and_run(struct fixture *f, const char *body, struct result *r)
{
    char *url = url_of(f, "/v2/portals/create");
    struct net_request req;
    net_request_init(&req, "POST", url);
    quick_retries(&req);
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    submit(f, &req, r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
}

static size_t count_method(struct fixture *f, const char *method)
{
    size_t n = 0;
    for (size_t i = 0; i < script_server_request_count(f->server); i++)
        n += strcmp(script_server_request(f->server, i)->method, method) == 0;
    return n;
}

static void test_post_not_resent_after_reset(void **state)
{
    struct fixture *f = *state;
    const char *bodies[] = {"{\"mailboxId\":7890}", NULL};
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
        warm_connection(f);
        push(f, (struct script_reply){.action = SCRIPT_RESET});
        struct result r = {0};
        post_and_run(f, bodies[i], &r);
        assert_int_equal(r.error, NET_ERR_RECV);
        assert_int_equal(r.status, 0);
        assert_true(r.ambiguous);
        assert_int_equal(r.attempts, 1);
        assert_non_null(strstr(r.message, "may have reached the server"));
        assert_int_equal(count_method(f, "POST"), i + 1);
        result_clear(&r);
    }
}

static void test_post_not_resent_after_503_or_timeout(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.status = 503});
    struct result r = {0};
    post_and_run(f, "{}", &r);
    assert_int_equal(r.status, 503);
    assert_int_equal(r.attempts, 1);
    assert_false(r.ambiguous); /* the server answered */
    result_clear(&r);

    push(f, (struct script_reply){.delay_ms = 2000});
    char *url = url_of(f, "/v2/users");
    struct net_request req;
    net_request_init(&req, "POST", url);
    req.total_timeout_ms = 300;
    req.body = "{}";
    req.body_len = 2;
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_int_equal(r.error, NET_ERR_TIMEOUT);
    assert_true(r.ambiguous);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(count_method(f, "POST"), 2);
    result_clear(&r);
}

static unsigned short closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void test_connect_failure(void **state)
{
    struct fixture *f = *state;
    char *url = g_strdup_printf("http://127.0.0.1:%u/v2/users", closed_port());
    const char *methods[] = {"POST", "GET"};
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        struct net_request req;
        net_request_init(&req, methods[i], url);
        quick_retries(&req);
        struct result r = {0};
        submit(f, &req, &r);
        assert_int_equal(net_engine_run(f->engine), 0);
        assert_int_equal(r.error, NET_ERR_CONNECT);
        assert_false(r.ambiguous); /* nothing was sent */
        assert_int_equal(r.attempts, i == 0 ? 1 : 4);
        result_clear(&r);
    }
    g_free(url);
}

/* ---- limits and policy --------------------------------------------------------- */

static void test_body_cap(void **state)
{
    struct fixture *f = *state;
    char *big = g_strnfill(5000, 'z');
    push(f, (struct script_reply){.body = big});
    push(f, (struct script_reply){.body = big, .chunked = true});
    push(f, (struct script_reply){.body = big, .body_len = 1000});
    char *url = url_of(f, "/big");
    for (int i = 0; i < 3; i++) {
        struct net_request req;
        net_request_init(&req, "GET", url);
        req.max_body_bytes = 1000;
        struct result r = {0};
        submit(f, &req, &r);
        assert_int_equal(net_engine_run(f->engine), 0);
        if (i < 2) {
            assert_int_equal(r.error, NET_ERR_TOO_LARGE);
            assert_int_equal(r.body_len, 0);
            assert_non_null(strstr(r.message, "limit 1000 bytes"));
        } else {
            assert_int_equal(r.error, NET_ERR_NONE);
            assert_int_equal(r.body_len, 1000);
        }
        assert_int_equal(r.status, 200);
        assert_int_equal(r.attempts, 1);
        result_clear(&r);
    }
    assert_int_equal(script_server_request_count(f->server), 3);
    g_free(url);
    g_free(big);
}

/* The first IPv4 address of this machine that is not loopback, or NULL. */
static char *non_loopback_address(void)
{
    struct ifaddrs *list = NULL;
    char *found = NULL;
    if (getifaddrs(&list) != 0)
        return NULL;
    for (struct ifaddrs *i = list; i != NULL && found == NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
            (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
            continue;
        char text[INET_ADDRSTRLEN];
        const struct sockaddr_in *in = (const struct sockaddr_in *)i->ifa_addr;
        if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != NULL)
            found = g_strdup(text);
    }
    freeifaddrs(list);
    return found;
}

static void expect_refused(struct fixture *f, const char *url)
{
    struct net_request req;
    net_request_init(&req, "GET", url);
    struct result r = {0};
    submit(f, &req, &r);
    gint64 start = now_ms();
    assert_int_equal(net_engine_run(f->engine), 0);
    assert_true(now_ms() - start < 500); /* no name lookup, no connect */
    assert_int_equal(r.error, NET_ERR_REFUSED_INSECURE);
    assert_int_equal(r.attempts, 0);
    assert_false(r.ambiguous);
    assert_non_null(strstr(r.message, "https://"));
    result_clear(&r);
}

static void test_plain_http_refused_beyond_loopback(void **state)
{
    struct fixture *f = *state;
    struct script_server_options any = {.any_address = true};
    script_server_stop(f->server);
    f->server = script_server_start(&any);
    assert_non_null(f->server);

    expect_refused(f, "http://example.invalid/v1/portals");
    char *address = non_loopback_address();
    if (address != NULL) {
        char *url = g_strdup_printf("http://%s:%u/", address, script_server_port(f->server));
        expect_refused(f, url);
        g_free(url);
        assert_int_equal(script_server_connection_count(f->server), 0);
    } else {
        print_message("no non-loopback IPv4 address: only the name case was checked\n");
    }
    g_free(address);
    /* The same server is reachable through loopback, so the zero above means
     * "not tried", not "could not". */
    struct result r = {0};
    get_and_run(f, "/", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(script_server_connection_count(f->server), 1);
    result_clear(&r);
}

static void test_url_check(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        enum net_error verdict;
    } cases[] = {
        {"https://api.valstorm.com/v1", NET_ERR_NONE},
        {"HTTPS://www.zohoapis.eu/crm/v7", NET_ERR_NONE},
        {"https://10.0.0.1:8443/", NET_ERR_NONE},
        {"http://127.0.0.1:8080/v2", NET_ERR_NONE},
        {"http://127.8.9.10/", NET_ERR_NONE},
        {"http://localhost:1234/", NET_ERR_NONE},
        {"http://LocalHost/", NET_ERR_NONE},
        {"http://[::1]:80/", NET_ERR_NONE},
        {"http://api.ecgrid.com/v2", NET_ERR_REFUSED_INSECURE},
        {"http://10.0.0.1/", NET_ERR_REFUSED_INSECURE},
        {"http://128.0.0.1/", NET_ERR_REFUSED_INSECURE},
        {"http://localhost.evil.example/", NET_ERR_REFUSED_INSECURE},
        {"http://127.0.0.1.nip.io/", NET_ERR_REFUSED_INSECURE},
        {"http://[::2]/", NET_ERR_REFUSED_INSECURE},
        {"http://[::ffff:10.0.0.1]/", NET_ERR_REFUSED_INSECURE},
        {"ftp://127.0.0.1/", NET_ERR_INVALID},
        {"file:///etc/passwd", NET_ERR_INVALID},
        {"api.ecgrid.com/v2", NET_ERR_INVALID},
        {"https://user:secret@api.ecgrid.com/", NET_ERR_INVALID},
        {"http://127.0.0.1:80@evil.example/", NET_ERR_INVALID},
        {"http://evil.example#@127.0.0.1/", NET_ERR_REFUSED_INSECURE},
        {"http://evil.example\\@127.0.0.1/", NET_ERR_INVALID},
        {"http://127.0.0.1 /", NET_ERR_INVALID},
        {"", NET_ERR_INVALID},
        {NULL, NET_ERR_INVALID},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (net_url_check(cases[i].url) != cases[i].verdict)
            fail_msg("%s: expected %s, got %s", cases[i].url ? cases[i].url : "(null)",
                     net_error_name(cases[i].verdict), net_error_name(net_url_check(cases[i].url)));
    }
}

static void test_url_build(void **state)
{
    (void)state;
    const char *one[] = {"Customer Hub/é", NULL};
    const struct net_query_arg query[] = {
        {"personality_ids", "1,2"}, {"skip", NULL}, {"q", "a&b=c#d"}, {NULL, NULL}};
    char *url =
        net_url_build("https://www.zohoapis.com/", "/crm/v7/settings/portals/{}/users", one, query);
    assert_string_equal(url, "https://www.zohoapis.com/crm/v7/settings/portals/"
                             "Customer%20Hub%2F%C3%A9/users?personality_ids=1%2C2&q=a%26b%3Dc%23d");
    free(url);

    const char *two[] = {"101", "x?y", NULL};
    url = net_url_build("http://127.0.0.1:9/v1", "a/{}/b/{}", two, NULL);
    assert_string_equal(url, "http://127.0.0.1:9/v1/a/101/b/x%3Fy");
    free(url);

    const char *none[] = {NULL};
    const char *empty[] = {"", NULL};
    const char *dots[] = {"..", NULL};
    const char *dot[] = {".", NULL};
    const char *extra[] = {"1", "2", NULL};
    assert_null(net_url_build("https://h/x?a=1", "/p", none, NULL));
    assert_null(net_url_build("https://h/x#f", "/p", none, NULL));
    assert_null(net_url_build("https://h", "/p/{}", none, NULL));
    assert_null(net_url_build("https://h", "/p/{}", empty, NULL));
    assert_null(net_url_build("https://h", "/p/{}", dots, NULL));
    assert_null(net_url_build("https://h", "/p/{}", dot, NULL));
    assert_null(net_url_build("https://h", "/p/{}", extra, NULL));
    assert_null(net_url_build("https://h", "/p?x=1", none, NULL));
    assert_null(net_url_build("not a url", "/p", none, NULL));
    const struct net_query_arg unnamed[] = {{"", "v"}, {NULL, NULL}};
    assert_null(net_url_build("https://h", "/p", none, unnamed));
}

static void test_retry_arithmetic(void **state)
{
    (void)state;
    const time_t now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */
    static const struct {
        const char *value;
        bool ok;
        long delay_ms;
    } cases[] = {
        {"0", true, 0},
        {"7", true, 7000},
        {" 120 ", true, 120000},
        {"99999999999999999999999", true, 365L * 24 * 3600 * 1000},
        {"Tue, 14 Nov 2023 22:13:50 GMT", true, 30000},
        {"Tuesday, 14-Nov-23 22:14:20 GMT", true, 60000},
        {"Tue Nov 14 22:13:25 2023", true, 5000},
        {"Mon, 13 Nov 2023 00:00:00 GMT", true, 0},
        {"-5", false, 0},
        {"1.5", false, 0},
        {"soon", false, 0},
        {"", false, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        long delay = -1;
        bool ok = net_parse_retry_after(cases[i].value, now, &delay);
        if (ok != cases[i].ok || (ok && delay != cases[i].delay_ms))
            fail_msg("Retry-After \"%s\": ok=%d delay=%ld", cases[i].value, ok, delay);
    }
    assert_false(net_parse_retry_after(NULL, now, &(long){0}));

    struct net_retry_policy policy = {.base_delay_ms = 500, .max_delay_ms = 20000};
    const long ceilings[] = {500, 1000, 2000, 4000, 8000, 16000, 20000, 20000};
    for (unsigned i = 0; i < G_N_ELEMENTS(ceilings); i++)
        assert_int_equal(net_backoff_ceiling_ms(&policy, i), ceilings[i]);
    assert_int_equal(net_backoff_ceiling_ms(&policy, 4000000000u), 20000);
}

static void test_request_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *method;
        bool idempotent;
    } methods[] = {{"GET", true},     {"HEAD", true},  {"PUT", true},   {"DELETE", true},
                   {"OPTIONS", true}, {"POST", false}, {"PATCH", false}};
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        struct net_request req;
        assert_true(net_request_init(&req, methods[i].method, "https://h/"));
        assert_int_equal(req.idempotent, methods[i].idempotent);
        assert_int_equal(req.retry.max_retries, 3);
        assert_true(req.total_timeout_ms > 0 && req.connect_timeout_ms > 0);
        assert_int_equal(req.max_body_bytes, NET_DEFAULT_MAX_BODY_BYTES);
    }
    struct net_request req;
    assert_false(net_request_init(&req, "get", "https://h/"));
    assert_false(req.idempotent);
    assert_string_equal(net_error_name(NET_ERR_REFUSED_INSECURE), "refused_insecure");
    assert_string_equal(net_error_name(NET_ERR_TOO_LARGE), "too_large");
}

/* ---- TLS ----------------------------------------------------------------------- */

struct tls_files {
    char *dir, *cert, *key;
};

static bool make_self_signed(struct tls_files *tls)
{
    tls->dir = g_dir_make_tmp("portalctl-net-tls-XXXXXX", NULL);
    assert_non_null(tls->dir);
    tls->cert = g_build_filename(tls->dir, "cert.pem", NULL);
    tls->key = g_build_filename(tls->dir, "key.pem", NULL);
    const char *argv[] = {"openssl",
                          "req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:prime256v1",
                          "-nodes",
                          "-days",
                          "2",
                          "-subj",
                          "/CN=localhost",
                          "-addext",
                          "subjectAltName=DNS:localhost,IP:127.0.0.1",
                          "-keyout",
                          tls->key,
                          "-out",
                          tls->cert,
                          NULL};
    int status = -1;
    GError *error = NULL;
    bool ok =
        g_spawn_sync(NULL, (char **)argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error);
    if (!ok) {
        print_message("openssl: %s\n", error->message);
        g_error_free(error);
    }
    return ok && g_spawn_check_wait_status(status, NULL);
}

static void tls_files_remove(struct tls_files *tls)
{
    g_unlink(tls->cert);
    g_unlink(tls->key);
    g_rmdir(tls->dir);
    g_free(tls->cert);
    g_free(tls->key);
    g_free(tls->dir);
}

static void tls_get(struct fixture *f, const char *url, const char *ca_file, struct result *r)
{
    struct net_request req;
    net_request_init(&req, "GET", url);
    req.ca_file = ca_file;
    quick_retries(&req);
    submit(f, &req, r);
    assert_int_equal(net_engine_run(f->engine), 0);
}

static void test_tls_verified(void **state)
{
    struct fixture *f = *state;
    struct tls_files tls = {0};
    assert_true(make_self_signed(&tls));
    script_server_stop(f->server);
    struct script_server_options opts = {.tls_cert_file = tls.cert, .tls_key_file = tls.key};
    f->server = script_server_start(&opts);
    assert_non_null(f->server);
    char *url = url_of(f, "/v1/portals");
    assert_true(g_str_has_prefix(url, "https://"));

    struct result r = {0};
    tls_get(f, url, NULL, &r);
    assert_int_equal(r.error, NET_ERR_TLS);
    assert_non_null(strstr(r.message, "certificate"));
    assert_int_equal(r.attempts, 1); /* never retried */
    assert_false(r.ambiguous);
    assert_int_equal(script_server_request_count(f->server), 0);
    result_clear(&r);

    char *missing = g_build_filename(tls.dir, "missing.pem", NULL);
    tls_get(f, url, missing, &r);
    assert_int_equal(r.error, NET_ERR_TLS);
    assert_int_equal(script_server_request_count(f->server), 0);
    result_clear(&r);
    g_free(missing);

    tls_get(f, url, tls.cert, &r);
    assert_int_equal(r.error, NET_ERR_NONE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok");
    result_clear(&r);

    char *by_name = g_strdup_printf("https://localhost:%u/", script_server_port(f->server));
    tls_get(f, by_name, tls.cert, &r);
    assert_int_equal(r.status, 200);
    result_clear(&r);
    g_free(by_name);

    g_free(url);
    tls_files_remove(&tls);
}

/* ---- the event loop ------------------------------------------------------------ */

static gpointer write_later(gpointer data)
{
    int *fds = data;
    g_usleep(300 * 1000);
    assert_int_equal(write(fds[1], "k", 1), 1);
    return NULL;
}

static void test_idle_engine_makes_no_wakeups(void **state)
{
    struct fixture *f = *state;
    struct script_server_options opts = {.idle_timeout_s = 1};
    script_server_stop(f->server);
    f->server = script_server_start(&opts);
    assert_non_null(f->server);
    assert_int_equal(net_engine_next_timeout_ms(f->engine), -1);

    struct result r = {0};
    get_and_run(f, "/", &r);
    assert_int_equal(r.status, 200);
    result_clear(&r);
    /* A connection is now cached, and the server will close it after 1 s:
     * still, nothing is pending, so there is no timer and no socket to watch. */
    assert_int_equal(net_engine_pending(f->engine), 0);
    assert_int_equal(net_engine_next_timeout_ms(f->engine), -1);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct pollfd terminal = {.fd = fds[0], .events = POLLIN};
    gint64 start = now_ms();
    assert_int_equal(net_engine_wait(f->engine, &terminal, 1, 2000), 0);
    assert_true(now_ms() - start >= 1950);
    assert_int_equal(terminal.revents, 0);
    net_engine_dispatch(f->engine);
    assert_int_equal(net_engine_next_timeout_ms(f->engine), -1);

    /* With no timeout at all, only the terminal wakes it. */
    GThread *writer = g_thread_new("writer", write_later, fds);
    start = now_ms();
    assert_int_equal(net_engine_wait(f->engine, &terminal, 1, -1), 1);
    gint64 waited = now_ms() - start;
    g_thread_join(writer);
    assert_true(waited >= 250 && waited < 3000);
    assert_true(terminal.revents & POLLIN);
    close(fds[0]);
    close(fds[1]);

    /* The cached connection was closed by the server meanwhile: the next
     * request still works (on a new connection). */
    get_and_run(f, "/", &r);
    assert_int_equal(r.status, 200);
    result_clear(&r);
}

static void test_loop_with_terminal(void **state)
{
    struct fixture *f = *state;
    push(f, (struct script_reply){.body = "a", .delay_ms = 200});
    char *url = url_of(f, "/");
    struct net_request req;
    net_request_init(&req, "GET", url);
    struct result r = {0};
    submit(f, &req, &r);
    g_free(url);
    assert_int_equal(net_engine_next_timeout_ms(f->engine), 0); /* start it now */

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "k", 1), 1);
    struct pollfd terminal = {.fd = fds[0], .events = POLLIN};
    int keys = 0, turns = 0;
    while (net_engine_pending(f->engine) > 0 && turns++ < 1000) {
        int ready = net_engine_wait(f->engine, &terminal, 1, -1);
        assert_true(ready >= 0);
        if (ready > 0 && (terminal.revents & POLLIN)) {
            char key;
            assert_int_equal(read(fds[0], &key, 1), 1);
            keys++;
        }
        net_engine_dispatch(f->engine);
    }
    assert_int_equal(keys, 1);
    assert_int_equal(r.status, 200);
    assert_true(turns < 200); /* it slept in poll(), it did not spin */
    assert_int_equal(net_engine_next_timeout_ms(f->engine), -1);
    close(fds[0]);
    close(fds[1]);
    result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_check),
        cmocka_unit_test(test_url_build),
        cmocka_unit_test(test_retry_arithmetic),
        cmocka_unit_test(test_request_defaults),
        cmocka_unit_test_setup_teardown(test_get_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_delay_waits_without_sending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_sends_body_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_without_body_sends_length_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_and_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_text_is_sanitized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_requests_never_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequential_requests_reuse_one_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concurrency_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bursts_reuse_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_may_submit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_retried_when_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_on_the_wire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_while_waiting_to_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_honours_retry_after_seconds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_honours_retry_after_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_retry_after_beyond_cap_is_delivered, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_503_retried_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_errors_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_retried_after_reset_and_truncation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncated_body_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_not_resent_after_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_not_resent_after_503_or_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_http_refused_beyond_loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_verified, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_engine_makes_no_wakeups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loop_with_terminal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
