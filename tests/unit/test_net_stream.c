/*
 * Tests for net/'s streamed bodies (net_request.on_chunk) against the
 * scripted loopback server (tests/support/script_server.c): a 2xx body is
 * handed over piece by piece and never collected, in slices of at most
 * NET_STREAM_SLICE_BYTES per dispatch; other statuses arrive whole; the body
 * cap, truncation, stopping and cancelling still end the request clearly; an
 * attempt that streamed anything is never retried.
 */
#include <portalctl/net.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <glib.h>

#include "script_server.h"

struct fixture {
    struct script_server *server;
    struct net_engine *engine;
};

/* What the chunk callback and the completion saw. */
struct stream {
    GString *received;
    size_t pieces;
    size_t turn_bytes;         /* streamed during the current dispatch */
    size_t max_turn_bytes;     /* the most any one dispatch streamed */
    size_t stop_after;         /* return false once this much came (0 = never) */
    struct fixture *cancel_in; /* cancel the request from inside the callback */
    net_request_id id;
    int calls;
    enum net_error error;
    long status;
    char *body;
    size_t streamed_len;
    unsigned attempts;
};

static bool on_chunk(const char *data, size_t len, void *user)
{
    struct stream *s = user;
    g_string_append_len(s->received, data, (gssize)len);
    s->pieces++;
    s->turn_bytes += len;
    if (s->cancel_in)
        assert_true(net_engine_cancel(s->cancel_in->engine, s->id));
    return s->stop_after == 0 || s->received->len < s->stop_after;
}

static void on_done(const struct net_response *res, void *user)
{
    struct stream *s = user;
    s->calls++;
    s->error = res->error;
    s->status = res->status;
    s->body = g_strndup(res->body, res->body_len);
    s->streamed_len = res->streamed_len;
    s->attempts = res->attempts;
}

static int setup(void **state)
{
    struct fixture *f = g_new0(struct fixture, 1);
    f->server = script_server_start(NULL);
    assert_non_null(f->server);
    f->engine = net_engine_new(NULL);
    assert_non_null(f->engine);
    *state = f;
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

/* Keeps what the test asked for (stop_after, cancel_in) and zeroes the rest. */
static void stream_init(struct stream *s)
{
    *s = (struct stream){
        .stop_after = s->stop_after, .cancel_in = s->cancel_in, .received = g_string_new(NULL)};
}

static void stream_clear(struct stream *s)
{
    g_string_free(s->received, TRUE);
    g_free(s->body);
}

/* GETs path with on_chunk, dispatching by hand to see each turn's share. */
static void get_streamed(struct fixture *f, const char *path, struct stream *s,
                         size_t max_body_bytes)
{
    char *url = g_strdup_printf("%s%s", script_server_url(f->server), path);
    struct net_request req;
    assert_true(net_request_init(&req, "GET", url));
    req.retry.base_delay_ms = 20;
    req.retry.max_delay_ms = 50;
    req.on_chunk = on_chunk;
    req.chunk_user = s;
    if (max_body_bytes)
        req.max_body_bytes = max_body_bytes;
    s->id = net_engine_submit(f->engine, &req, on_done, s);
    assert_true(s->id != 0);
    g_free(url);
    while (net_engine_pending(f->engine) > 0) {
        assert_true(net_engine_wait(f->engine, NULL, 0, 5000) >= 0);
        s->turn_bytes = 0;
        net_engine_dispatch(f->engine);
        s->max_turn_bytes = MAX(s->max_turn_bytes, s->turn_bytes);
    }
    assert_int_equal(s->calls, 1);
}

static char *pattern_body(size_t len)
{
    char *body = g_malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        body[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    body[len] = '\0';
    return body;
}

/* Queues REPLY with a LEN-byte pattern body, then GETs PATH streamed into *s
 * (initialised here). Returns the body served (g_free it). */
static char *serve_pattern(struct fixture *f, struct script_reply reply, size_t len,
                           const char *path, struct stream *s, size_t max_body_bytes)
{
    char *body = pattern_body(len);
    reply.body = body;
    reply.body_len = len;
    script_server_push(f->server, &reply);
    stream_init(s);
    get_streamed(f, path, s, max_body_bytes);
    return body;
}

static void test_2xx_body_is_streamed_in_slices(void **state)
{
    struct fixture *f = *state;
    size_t len = 3 * 1024 * 1024 + 12345;
    char *body = pattern_body(len);
    for (int chunked = 0; chunked < 2; chunked++) {
        script_server_push(
            f->server, &(struct script_reply){.body = body, .body_len = len, .chunked = chunked});
        struct stream s = {0};
        stream_init(&s);
        get_streamed(f, "/big", &s, 0);
        assert_int_equal(s.error, NET_ERR_NONE);
        assert_int_equal(s.status, 200);
        assert_string_equal(s.body, ""); /* never collected */
        assert_int_equal(s.streamed_len, len);
        assert_int_equal(s.received->len, len);
        assert_memory_equal(s.received->str, body, len);
        assert_true(s.pieces > 1);
        /* A slice, plus at most the one piece that crossed its end. */
        assert_true(s.max_turn_bytes <= NET_STREAM_SLICE_BYTES + CURL_MAX_WRITE_SIZE);
        stream_clear(&s);
    }
    g_free(body);
}

static void test_error_answer_arrives_whole(void **state)
{
    struct fixture *f = *state;
    const char *detail = "{\"detail\":\"Portal not found\"}";
    script_server_push(f->server, &(struct script_reply){.status = 404, .body = detail});
    struct stream s = {0};
    stream_init(&s);
    get_streamed(f, "/missing", &s, 0);
    assert_int_equal(s.error, NET_ERR_NONE);
    assert_int_equal(s.status, 404);
    assert_string_equal(s.body, detail);
    assert_int_equal(s.pieces, 0);
    assert_int_equal(s.streamed_len, 0);
    stream_clear(&s);
}

static void test_503_retried_then_streamed(void **state)
{
    struct fixture *f = *state;
    script_server_push(f->server, &(struct script_reply){.status = 503, .body = "busy"});
    script_server_push(f->server, &(struct script_reply){.body = "[1,2,3]"});
    struct stream s = {0};
    stream_init(&s);
    get_streamed(f, "/busy", &s, 0);
    assert_int_equal(s.error, NET_ERR_NONE);
    assert_int_equal(s.attempts, 2);
    assert_string_equal(s.received->str, "[1,2,3]"); /* the 503's body never streamed */
    stream_clear(&s);
}

static void test_truncated_stream_is_not_retried(void **state)
{
    struct fixture *f = *state;
    size_t len = 600 * 1024;
    char *body = pattern_body(len);
    script_server_push(f->server, &(struct script_reply){
                                      .action = SCRIPT_TRUNCATE, .body = body, .body_len = len});
    script_server_push(f->server, &(struct script_reply){.body = "never asked for"});
    struct stream s = {0};
    stream_init(&s);
    get_streamed(f, "/cut", &s, 0);
    assert_int_equal(s.error, NET_ERR_TRUNCATED);
    assert_int_equal(s.attempts, 1);
    assert_true(s.streamed_len > 0 && s.streamed_len < len);
    assert_int_equal(s.received->len, s.streamed_len);
    assert_memory_equal(s.received->str, body, s.streamed_len);
    assert_int_equal(script_server_request_count(f->server), 1);
    stream_clear(&s);
    g_free(body);
}

static void test_body_cap_counts_streamed_bytes(void **state)
{
    struct fixture *f = *state;
    struct stream s = {0};
    char *body = serve_pattern(f, (struct script_reply){.chunked = true}, 1024 * 1024, "/huge", &s,
                               100 * 1000);
    assert_int_equal(s.error, NET_ERR_TOO_LARGE);
    assert_true(s.received->len <= 100 * 1000);
    stream_clear(&s);
    g_free(body);
}

static void test_receiver_may_stop(void **state)
{
    struct fixture *f = *state;
    struct stream s = {.stop_after = 1};
    char *body = serve_pattern(f, (struct script_reply){0}, 2 * 1024 * 1024, "/stop", &s, 0);
    assert_int_equal(s.error, NET_ERR_STOPPED);
    assert_int_equal(s.pieces, 1);
    assert_int_equal(s.attempts, 1);
    stream_clear(&s);
    g_free(body);
}

static void test_cancel_from_inside_the_callback(void **state)
{
    struct fixture *f = *state;
    struct stream s = {.cancel_in = f};
    char *body = serve_pattern(f, (struct script_reply){0}, 2 * 1024 * 1024, "/cancel", &s, 0);
    assert_int_equal(s.error, NET_ERR_CANCELLED);
    assert_int_equal(s.pieces, 1);
    stream_clear(&s);
    g_free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_2xx_body_is_streamed_in_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_answer_arrives_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_503_retried_then_streamed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_stream_is_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_cap_counts_streamed_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receiver_may_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_from_inside_the_callback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
