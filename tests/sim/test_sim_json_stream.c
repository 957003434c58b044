/*
 * portal-sim's piece-by-piece JSON reader (json_stream.h): walking objects
 * and arrays, values that straddle the read buffer, strings holding brackets
 * and escaped quotes, syntax errors with their byte offset, and a document
 * larger than the buffer read from a real file.
 */
#include <portalctl/sim/json_stream.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct sim_json_stream *from_text(const char *text)
{
    return sim_json_stream_new_text(text, strlen(text));
}

static void test_walks_objects_and_arrays(void **unused)
{
    (void)unused;
    struct sim_json_stream *in = from_text(" {\"a\": 1, \"list\" : [ {\"s\":\"x]}\\\"{\"}, 2.5, "
                                           "null, true, \"\\u00e9\" ], \"z\":-7}  ");
    const char *name = NULL;
    assert_true(sim_json_stream_begin_object(in));
    assert_true(sim_json_stream_next_member(in, &name));
    assert_string_equal(name, "a");
    json_object *value = NULL;
    assert_true(sim_json_stream_value(in, &value));
    assert_int_equal(json_object_get_int(value), 1);
    json_object_put(value);

    assert_true(sim_json_stream_next_member(in, &name));
    assert_string_equal(name, "list");
    assert_true(sim_json_stream_begin_array(in));
    assert_true(sim_json_stream_next_element(in));
    assert_true(sim_json_stream_value(in, &value));
    assert_string_equal(json_object_get_string(json_object_object_get(value, "s")), "x]}\"{");
    json_object_put(value);
    assert_true(sim_json_stream_next_element(in));
    assert_true(sim_json_stream_value(in, &value));
    assert_true(json_object_get_double(value) == 2.5);
    json_object_put(value);
    assert_true(sim_json_stream_next_element(in));
    assert_true(sim_json_stream_value(in, &value));
    assert_null(value); /* JSON null */
    assert_true(sim_json_stream_next_element(in));
    assert_true(sim_json_stream_skip(in));
    assert_true(sim_json_stream_next_element(in));
    assert_true(sim_json_stream_value(in, &value));
    assert_string_equal(json_object_get_string(value), "\xc3\xa9");
    json_object_put(value);
    assert_false(sim_json_stream_next_element(in)); /* the array's end */
    assert_null(sim_json_stream_error(in));

    assert_true(sim_json_stream_next_member(in, &name));
    assert_string_equal(name, "z");
    assert_true(sim_json_stream_value(in, &value));
    assert_int_equal(json_object_get_int(value), -7);
    json_object_put(value);
    assert_false(sim_json_stream_next_member(in, &name));
    assert_null(sim_json_stream_error(in));
    assert_true(sim_json_stream_at_end(in));
    sim_json_stream_free(in);
}

static void test_members_until(void **unused)
{
    (void)unused;
    struct sim_json_stream *in =
        from_text("{\"h1\":{\"x\":[1,2]},\"h2\":\"v\",\"big\":[3,4],\"t\":false}");
    static const char *const stop[] = {"big", NULL};
    const char *at = NULL;
    assert_true(sim_json_stream_begin_object(in));
    json_object *head = sim_json_stream_members_until(in, stop, &at);
    assert_non_null(head);
    assert_string_equal(at, "big");
    assert_int_equal(json_object_object_length(head), 2);
    assert_string_equal(json_object_get_string(json_object_object_get(head, "h2")), "v");
    json_object_put(head);
    assert_true(sim_json_stream_skip(in));
    json_object *tail = sim_json_stream_members_until(in, stop, &at);
    assert_non_null(tail);
    assert_null(at);
    assert_false(json_object_get_boolean(json_object_object_get(tail, "t")));
    json_object_put(tail);
    assert_true(sim_json_stream_at_end(in));
    sim_json_stream_free(in);
}

static void expect_syntax_error(const char *text, const char *want)
{
    struct sim_json_stream *in = from_text(text);
    const char *name = NULL;
    json_object *value = NULL;
    if (sim_json_stream_begin_object(in)) {
        while (sim_json_stream_next_member(in, &name) && sim_json_stream_value(in, &value)) {
            json_object_put(value);
            value = NULL;
        }
    }
    const char *error = sim_json_stream_error(in);
    if (!error || !strstr(error, want))
        fail_msg("%s: expected an error with \"%s\", got \"%s\"", text, want,
                 error ? error : "none");
    /* Once failed, every call fails. */
    assert_false(sim_json_stream_next_member(in, &name));
    assert_false(sim_json_stream_skip(in));
    sim_json_stream_free(in);
}

static void test_syntax_errors_name_the_byte(void **unused)
{
    (void)unused;
    expect_syntax_error("[1]", "byte 0: expected '{'");
    expect_syntax_error("{\"a\":1 \"b\":2}", "byte 7: expected ','");
    expect_syntax_error("{\"a\" 1}", "expected ':'");
    expect_syntax_error("{\"a\":}", "expected a value");
    expect_syntax_error("{\"a\":\"open", "unterminated");
    expect_syntax_error("{\"a\":[1,2", "unterminated");
    expect_syntax_error("{\"a\":tru}", "byte ");
    expect_syntax_error("{1:2}", "expected a member name");
    expect_syntax_error("{\"a\":1", "expected ','");
}

/* Values cross the 256 KiB read buffer many times over. */
static void test_file_larger_than_the_buffer(void **unused)
{
    (void)unused;
    enum { COUNT = 60000 };
    FILE *file = tmpfile();
    assert_non_null(file);
    fputs("{\"users\":[", file);
    for (int i = 0; i < COUNT; i++)
        fprintf(file, "%s{\"id\":%d,\"name\":\"user \\\"%d\\\" [x]\",\"n\":%d}", i ? ",\n" : "", i,
                i, i * 3);
    fputs("],\"after\":12345}\n", file);
    rewind(file);

    struct sim_json_stream *in = sim_json_stream_new_file(file);
    const char *name = NULL;
    assert_true(sim_json_stream_begin_object(in));
    assert_true(sim_json_stream_next_member(in, &name));
    assert_string_equal(name, "users");
    assert_true(sim_json_stream_begin_array(in));
    int seen = 0;
    while (sim_json_stream_next_element(in)) {
        json_object *user = NULL;
        assert_true(sim_json_stream_value(in, &user));
        assert_int_equal(json_object_get_int(json_object_object_get(user, "id")), seen);
        assert_int_equal(json_object_get_int(json_object_object_get(user, "n")), seen * 3);
        char want[64];
        snprintf(want, sizeof(want), "user \"%d\" [x]", seen);
        assert_string_equal(json_object_get_string(json_object_object_get(user, "name")), want);
        json_object_put(user);
        seen++;
    }
    assert_null(sim_json_stream_error(in));
    assert_int_equal(seen, COUNT);
    assert_true(sim_json_stream_next_member(in, &name));
    assert_string_equal(name, "after");
    json_object *after = NULL;
    assert_true(sim_json_stream_value(in, &after)); /* a number that ends the object */
    assert_int_equal(json_object_get_int(after), 12345);
    json_object_put(after);
    assert_false(sim_json_stream_next_member(in, &name));
    assert_true(sim_json_stream_at_end(in));
    sim_json_stream_free(in);
    fclose(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_objects_and_arrays),
        cmocka_unit_test(test_members_until),
        cmocka_unit_test(test_syntax_errors_name_the_byte),
        cmocka_unit_test(test_file_larger_than_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
