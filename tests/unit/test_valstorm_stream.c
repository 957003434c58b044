/*
 * Tests for the Valstorm user list read while it arrives
 * (src/vendors/valstorm_users_stream.c, valstorm_users_reader_*): the same
 * fixture bodies cut into pieces at every byte position, byte by byte and at
 * random places must give exactly the records of the whole body; truncated,
 * malformed, over-deep and wrongly typed lists must end as API_BAD_RESPONSE
 * however they are cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <portalctl/json_read.h>
#include <portalctl/valstorm_parse.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fixture.h"

/* ---- reading in pieces --------------------------------------------------------------- */

/* What one reading gave: the records (the pieces' outputs moved together, as
 * the console's model does) and the verdict. */
struct reading {
    struct record_list records;
    struct api_error error;
    bool ok;
    size_t pieces_with_rows; /* feeds that completed at least one user */
};

static void reading_clear(struct reading *r)
{
    record_list_clear(&r->records);
    api_error_clear(&r->error);
}

/* Feeds body cut at the given offsets (ascending, inside (0, len)). */
static void read_in_pieces(const char *body, size_t len, const size_t *cuts, size_t n_cuts,
                           const char *filter, struct reading *r)
{
    record_list_init(&r->records);
    api_error_init(&r->error);
    r->pieces_with_rows = 0;
    struct valstorm_users_reader *reader = valstorm_users_reader_new(filter);
    assert_non_null(reader);
    bool ok = true;
    size_t from = 0;
    for (size_t i = 0; i <= n_cuts && ok; i++) {
        size_t to = i < n_cuts ? cuts[i] : len;
        struct record_list page;
        record_list_init(&page);
        ok = valstorm_users_reader_feed(reader, body + from, to - from, &page, &r->error);
        r->pieces_with_rows += page.count > 0;
        record_list_move_all(&r->records, &page);
        record_list_clear(&page);
        from = to;
    }
    r->ok = ok && valstorm_users_reader_finish(reader, &r->error);
    valstorm_users_reader_free(reader);
}

static void read_whole(const char *body, size_t len, const char *filter, struct reading *r)
{
    record_list_init(&r->records);
    api_error_init(&r->error);
    r->ok = valstorm_parse_users(body, len, filter, &r->records, &r->error);
}

static void assert_same_records(const struct record_list *a, const struct record_list *b)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        const struct record *x = &a->items[i], *y = &b->items[i];
        for (int f = 0; f < RECORD_FIELD_COUNT; f++)
            assert_true(g_strcmp0(record_get(x, f), record_get(y, f)) == 0);
        assert_int_equal(x->extra_count, y->extra_count);
        const struct record_extra *ex = record_extras(a, x), *ey = record_extras(b, y);
        for (uint32_t e = 0; e < x->extra_count; e++) {
            assert_string_equal(ex[e].key, ey[e].key);
            assert_string_equal(ex[e].value, ey[e].value);
        }
    }
}

/* The body cut once at every position, and byte by byte, gives the records
 * of the whole body. */
static void check_every_cut(const char *body, size_t len, const char *filter)
{
    struct reading whole;
    read_whole(body, len, filter, &whole);
    assert_true(whole.ok);
    for (size_t cut = 0; cut <= len; cut++) {
        struct reading pieces;
        read_in_pieces(body, len, &cut, 1, filter, &pieces);
        if (!pieces.ok)
            fail_msg("cut at %zu: %s", cut, pieces.error.message);
        assert_same_records(&whole.records, &pieces.records);
        reading_clear(&pieces);
    }
    size_t *cuts = g_new(size_t, len);
    for (size_t i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    struct reading bytes;
    read_in_pieces(body, len, cuts, len > 0 ? len - 1 : 0, filter, &bytes);
    assert_true(bytes.ok);
    assert_same_records(&whole.records, &bytes.records);
    /* Rows come as soon as their entry is complete, not at the end. */
    assert_int_equal(bytes.pieces_with_rows, whole.records.count);
    reading_clear(&bytes);
    g_free(cuts);
    reading_clear(&whole);
}

static void test_fixtures_cut_everywhere(void **state)
{
    (void)state;
    static const char *const names[] = {"answer-users.json", "answer-users-tricky.json",
                                        "answer-users-empty.json"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        size_t len = 0;
        char *text = fixture_read("valstorm", names[i], &len);
        check_every_cut(text, len, NULL);
        check_every_cut(text, len, "EXAMPLE");
        g_free(text);
    }
}

static void test_tricky_fixture_content(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-users-tricky.json", &len);
    size_t cut = len / 3;
    struct reading r;
    read_in_pieces(text, len, &cut, 1, NULL, &r);
    assert_true(r.ok);
    assert_int_equal(r.records.count, 4);
    assert_string_equal(record_get(&r.records.items[0], RECORD_EMAIL), "quote\"d@example.com");
    assert_string_equal(record_get(&r.records.items[0], RECORD_NAME), "Brace } bracket ] \\");
    assert_string_equal(record_get(&r.records.items[1], RECORD_NAME), "N\xc3\xa9st Ed");
    assert_string_equal(record_get(&r.records.items[3], RECORD_EMAIL),
                        "unicode-\xc3\xbcser@example.com");
    reading_clear(&r);
    g_free(text);
}

/* A big generated list, cut at random places of random sizes. */
static GString *many_users(int n)
{
    GString *body = g_string_new("[");
    for (int i = 0; i < n; i++)
        g_string_append_printf(body,
                               "%s{\"id\":\"user_%07d\",\"email\":\"u%d@example.com\",\"name\":"
                               "\"U \\\"%d\\\" {[\",\"is_active\":%s,\"meta\":{\"n\":[%d,{\"k\":"
                               "\"\\\\\"}]}}",
                               i ? ",\n " : "", i, i, i, i % 2 ? "true" : "false", i);
    g_string_append(body, "]\n");
    return body;
}

static void test_random_cuts(void **state)
{
    (void)state;
    GString *body = many_users(3000);
    struct reading whole;
    read_whole(body->str, body->len, NULL, &whole);
    assert_true(whole.ok);
    assert_int_equal(whole.records.count, 3000);
    GRand *rng = g_rand_new_with_seed(20261130);
    for (int round = 0; round < 40; round++) {
        GArray *cuts = g_array_new(FALSE, FALSE, sizeof(size_t));
        size_t at = 0;
        int max_piece = round < 20 ? 64 : 20000;
        for (;;) {
            at += (size_t)g_rand_int_range(rng, 1, max_piece);
            if (at >= body->len)
                break;
            g_array_append_val(cuts, at);
        }
        struct reading pieces;
        read_in_pieces(body->str, body->len, (size_t *)(void *)cuts->data, cuts->len, NULL,
                       &pieces);
        if (!pieces.ok)
            fail_msg("round %d: %s", round, pieces.error.message);
        assert_same_records(&whole.records, &pieces.records);
        reading_clear(&pieces);
        g_array_free(cuts, TRUE);
    }
    g_rand_free(rng);
    reading_clear(&whole);
    g_string_free(body, TRUE);
}

/* ---- refusals ------------------------------------------------------------------------ */

/* A bad body is refused wherever it is cut, as the whole body is. */
static void check_refused_everywhere(const char *body, size_t len, const char *label)
{
    struct reading whole;
    read_whole(body, len, NULL, &whole);
    if (whole.ok)
        fail_msg("%s was accepted whole", label);
    assert_int_equal(whole.error.kind, API_BAD_RESPONSE);
    assert_int_equal(whole.records.count, 0);
    for (size_t cut = 0; cut <= len; cut++) {
        struct reading pieces;
        read_in_pieces(body, len, &cut, 1, NULL, &pieces);
        if (pieces.ok)
            fail_msg("%s cut at %zu was accepted", label, cut);
        assert_int_equal(pieces.error.kind, API_BAD_RESPONSE);
        assert_string_equal(pieces.error.message, whole.error.message);
        reading_clear(&pieces);
    }
    reading_clear(&whole);
}

static void test_hostile_fixtures_refused_everywhere(void **state)
{
    (void)state;
    char **names = fixture_valstorm_bad_user_lists();
    for (char **name = names; *name; name++) {
        size_t len = 0;
        char *text = fixture_read("valstorm", *name, &len);
        check_refused_everywhere(text, len, *name);
        g_free(text);
    }
    g_strfreev(names);
}

static void test_wrong_shapes_refused(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "",
        "   ",
        "{\"users\":[]}",
        "[1,2]",
        "[\"user\"]",
        "[null]",
        "[[{\"id\":\"u\",\"email\":\"a@example.com\"}]]",
        "[{\"id\":\"u\",\"email\":\"a@example.com\"},]",
        "[,{\"id\":\"u\",\"email\":\"a@example.com\"}]",
        "[{\"id\":\"u\",\"email\":\"a@example.com\"} {\"id\":\"v\",\"email\":\"b@example.com\"}]",
        "[{\"id\":\"u\",\"email\":\"a@example.com\"}]]",
        "[{\"id\":\"u\",\"email\":\"a@example.com\"}] x",
        "[{\"id\":\"u\",\"email\":\"a@example.com\"]}",
        "[{\"id\":\"u\",\"email\":\"a@example.com\",\"x\":\"open string}]",
        "[{\"id\":\"u\",\"email\":\"a@example.com\",\"x\":tru}]",
        "[{\"id\":7,\"email\":\"a@example.com\"}]",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++)
        check_refused_everywhere(bodies[i], strlen(bodies[i]), bodies[i]);
}

/* Every proper prefix of a good list is "cut short", never a shorter list. */
static void test_truncated_refused(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("valstorm", "answer-users-tricky.json", &len);
    const char *close = strrchr(text, ']');
    size_t complete = (size_t)(close - text) + 1;
    for (size_t cut = 0; cut < complete; cut++) {
        struct reading r;
        read_in_pieces(text, cut, NULL, 0, NULL, &r);
        if (r.ok)
            fail_msg("a list cut at %zu of %zu was accepted", cut, complete);
        assert_int_equal(r.error.kind, API_BAD_RESPONSE);
        assert_true(r.records.count <= 4);
        reading_clear(&r);
    }
    struct reading r;
    read_in_pieces(text, complete, NULL, 0, NULL, &r);
    assert_true(r.ok);
    assert_int_equal(r.records.count, 4);
    reading_clear(&r);
    g_free(text);
}

static GString *nested_entry(int depth)
{
    /* The entry's own braces are one level: depth - 1 arrays inside it. */
    GString *body = g_string_new("[{\"id\":\"user_1\",\"email\":\"a@example.com\",\"x\":");
    for (int i = 1; i < depth; i++)
        g_string_append_c(body, '[');
    for (int i = 1; i < depth; i++)
        g_string_append_c(body, ']');
    g_string_append(body, "}]");
    return body;
}

static void test_depth_cap(void **state)
{
    (void)state;
    GString *ok = nested_entry(JSON_READ_MAX_DEPTH - 1);
    struct reading r;
    size_t cut = ok->len / 2;
    read_in_pieces(ok->str, ok->len, &cut, 1, NULL, &r);
    assert_true(r.ok);
    assert_int_equal(r.records.count, 1);
    reading_clear(&r);
    g_string_free(ok, TRUE);

    GString *deep = nested_entry(JSON_READ_MAX_DEPTH + 1);
    check_refused_everywhere(deep->str, deep->len, "one level too deep");
    g_string_free(deep, TRUE);

    /* Far deeper: refused as soon as the cap is passed, without reading on. */
    GString *abyss = nested_entry(200000);
    struct reading a;
    cut = 100;
    read_in_pieces(abyss->str, abyss->len, &cut, 1, NULL, &a);
    assert_false(a.ok);
    assert_int_equal(a.error.kind, API_BAD_RESPONSE);
    assert_non_null(strstr(a.error.message, "nested too deeply"));
    reading_clear(&a);
    g_string_free(abyss, TRUE);
}

/* After a refusal, later pieces change nothing and say nothing new. */
static void test_refusal_is_final(void **state)
{
    (void)state;
    struct valstorm_users_reader *reader = valstorm_users_reader_new(NULL);
    struct record_list page;
    record_list_init(&page);
    struct api_error error;
    api_error_init(&error);
    const char *first = "[{\"id\":\"u1\",\"email\":\"a@example.com\"},7,";
    assert_false(valstorm_users_reader_feed(reader, first, strlen(first), &page, &error));
    assert_int_equal(page.count, 1); /* the user before the bad entry was read */
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    api_error_init(&error);
    const char *more = "{\"id\":\"u2\",\"email\":\"b@example.com\"}]";
    assert_false(valstorm_users_reader_feed(reader, more, strlen(more), &page, &error));
    assert_int_equal(page.count, 1);
    assert_int_equal(error.kind, API_OK);
    assert_false(valstorm_users_reader_finish(reader, &error));
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    record_list_clear(&page);
    valstorm_users_reader_free(reader);
}

/* An entry far bigger than any piece is held until its end arrives. */
static void test_huge_entry_across_pieces(void **state)
{
    (void)state;
    GString *body = g_string_new("[{\"id\":\"user_1\",\"email\":\"a@example.com\",\"name\":\"");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append(body, i % 97 ? "nm" : "\\\""); /* now and then an escaped quote */
    g_string_append(body, "\"},{\"id\":\"user_2\",\"email\":\"b@example.com\"}]");
    GArray *cuts = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (size_t at = 16384; at < body->len; at += 16384)
        g_array_append_val(cuts, at);
    struct reading whole, pieces;
    read_whole(body->str, body->len, NULL, &whole);
    read_in_pieces(body->str, body->len, (size_t *)(void *)cuts->data, cuts->len, NULL, &pieces);
    assert_true(whole.ok);
    assert_true(pieces.ok);
    assert_int_equal(pieces.records.count, 2);
    assert_same_records(&whole.records, &pieces.records);
    reading_clear(&whole);
    reading_clear(&pieces);
    g_array_free(cuts, TRUE);
    g_string_free(body, TRUE);
}

/* The plain splitter: each() sees every entry, in order, and may stop it. */
static bool count_until_three(json_object *user, void *data)
{
    (void)user;
    return ++*(size_t *)data < 3;
}

static void test_stream_each_may_stop(void **state)
{
    (void)state;
    size_t seen = 0;
    struct valstorm_user_stream *stream = valstorm_user_stream_new(count_until_three, &seen);
    struct api_error error;
    api_error_init(&error);
    const char *body = "[{\"a\":1},{\"a\":2},{\"a\":3},{\"a\":4}]";
    assert_false(valstorm_user_stream_feed(stream, body, strlen(body), &error));
    assert_int_equal(seen, 3);
    assert_int_equal(valstorm_user_stream_count(stream), 2);
    assert_int_equal(error.kind, API_BAD_RESPONSE);
    api_error_clear(&error);
    valstorm_user_stream_free(stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_cut_everywhere),
        cmocka_unit_test(test_tricky_fixture_content),
        cmocka_unit_test(test_random_cuts),
        cmocka_unit_test(test_hostile_fixtures_refused_everywhere),
        cmocka_unit_test(test_wrong_shapes_refused),
        cmocka_unit_test(test_truncated_refused),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_refusal_is_final),
        cmocka_unit_test(test_huge_entry_across_pieces),
        cmocka_unit_test(test_stream_each_may_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
