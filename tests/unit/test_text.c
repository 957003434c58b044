/*
 * text: untrusted server text made safe for the terminal, widths, fitting,
 * JSON string output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <portalctl/text.h>

struct sanitize_case {
    const char *input;
    size_t len; /* 0: strlen(input) */
    const char *expected;
};

static const struct sanitize_case sanitize_cases[] = {
    {"Customer Hub", 0, "Customer Hub"},
    {"\x1b]0;pwned\x07", 0, "\\e]0;pwned\\x07"}, /* OSC title set */
    {"a\x1b[2J\x1b[Hb", 0, "a\\e[2J\\e[Hb"},     /* clear screen, cursor home */
    {"line1\nline2\r\tx", 0, "line1\\nline2\\r\\tx"},
    {"del\x7f", 0, "del\\x7f"},
    {"back\\slash", 0, "back\\\\slash"},
    {"\xc2\x9b"
     "31m",
     0, "\\u009b31m"},                   /* C1 CSI as UTF-8 */
    {"bad\xff\xfe", 0, "bad\\xff\\xfe"}, /* invalid UTF-8 */
    {"\xe2\x80\xae"
     "evil",
     0, "\\u202eevil"},                  /* right-to-left override */
    {"cut\xe2\x82", 0, "cut\\xe2\\x82"}, /* truncated sequence */
    {"nul\0after", 9, "nul\\x00after"},
    {"Zoë 漢字 e\xcc\x81", 0, "Zoë 漢字 e\xcc\x81"}, /* wide and combining kept */
};

static void test_sanitize_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(sanitize_cases) / sizeof(sanitize_cases[0]); i++) {
        const struct sanitize_case *c = &sanitize_cases[i];
        size_t len = c->len ? c->len : strlen(c->input);
        GString *out = g_string_new(NULL);
        text_append_sanitized(out, c->input, len);
        assert_string_equal(out->str, c->expected);
        assert_true(g_utf8_validate(out->str, (gssize)out->len, NULL));
        g_string_free(out, TRUE);
    }
}

/* No byte below 0x20, no DEL and no C1 ever survives, whatever the input. */
static void test_sanitize_every_byte_pair(void **state)
{
    (void)state;
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
            char in[2] = {(char)a, (char)b};
            GString *out = g_string_new(NULL);
            text_append_sanitized(out, in, 2);
            for (size_t k = 0; k < out->len; k++) {
                unsigned char ch = (unsigned char)out->str[k];
                assert_true(ch >= 0x20 && ch != 0x7f);
            }
            assert_true(g_utf8_validate(out->str, (gssize)out->len, NULL));
            assert_null(strstr(out->str, "\xc2\x9b"));
            g_string_free(out, TRUE);
        }
    }
}

static void test_sanitize_null_and_is_safe(void **state)
{
    (void)state;
    char *s = text_sanitize(NULL);
    assert_string_equal(s, "");
    g_free(s);
    assert_true(text_is_safe("plain ascii", 11));
    assert_false(text_is_safe("esc\x1b", 4));
    assert_false(text_is_safe("back\\", 5));
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(text_width(""), 0);
    assert_int_equal(text_width("abc"), 3);
    assert_int_equal(text_width("漢字"), 4);
    assert_int_equal(text_width("e\xcc\x81"), 1); /* e + combining acute */
    assert_int_equal(text_width("Zoë"), 3);
}

struct fit_case {
    const char *input;
    size_t width;
    bool pad;
    const char *expected;
    size_t columns;
};

static const struct fit_case fit_cases[] = {
    {"hello", 10, true, "hello     ", 10},
    {"hello", 5, false, "hello", 5},
    {"hello world", 5, false, "hell\u2026", 5},
    {"漢字漢字", 5, true, "漢字\u2026", 5}, /* a wide char never split */
    {"漢字漢字", 4, false, "漢\u2026", 3},
    {"ab漢", 3, false, "ab\u2026", 3},
    {"abc", 0, true, "", 0},
    {"abc", 1, false, "\u2026", 1},
};

static void test_fit(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fit_cases) / sizeof(fit_cases[0]); i++) {
        const struct fit_case *c = &fit_cases[i];
        GString *out = g_string_new(NULL);
        size_t used = text_append_fitted(out, c->input, c->width, c->pad);
        assert_string_equal(out->str, c->expected);
        assert_int_equal(used, c->columns);
        assert_int_equal(text_width(out->str), c->columns);
        g_string_free(out, TRUE);
    }
}

static void test_json_string(void **state)
{
    (void)state;
    GString *out = g_string_new(NULL);
    text_append_json_string(out, "q\"b\\\x1b[31m\n\xff\xe2\x80\xaeok é");
    assert_string_equal(out->str, "\"q\\\"b\\\\\\u001b[31m\\u000a\\ufffd\\u202eok é\"");
    g_string_truncate(out, 0);
    text_append_json_string(out, NULL);
    assert_string_equal(out->str, "null");
    g_string_free(out, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_cases),
        cmocka_unit_test(test_sanitize_every_byte_pair),
        cmocka_unit_test(test_sanitize_null_and_is_safe),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_json_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
