/*
 * Fuzz target: text.h, the gate every server string passes before it reaches
 * a terminal, a CSV file or JSON output. Checks the promises rather than
 * just "no crash": sanitized text is valid UTF-8 without a control, C1 or
 * bidirectional-override character; fitting never exceeds the width and
 * measures what it wrote; a JSON string literal parses back to the input.
 *
 * Input: the first byte is the width to fit to, the rest is the text.
 */
#include "fuzz.h"

#include <json-c/json.h>

#include <portalctl/text.h>

static bool is_forbidden(gunichar c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

static void check_display_safe(const GString *s)
{
    FUZZ_CHECK(g_utf8_validate(s->str, (gssize)s->len, NULL));
    for (const char *p = s->str; *p; p = g_utf8_next_char(p))
        FUZZ_CHECK(!is_forbidden(g_utf8_get_char(p)));
}

static void check_fitted(const char *safe, size_t width, bool pad)
{
    GString *out = g_string_new(NULL);
    size_t used = text_append_fitted(out, safe, width, pad);
    FUZZ_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL));
    FUZZ_CHECK(used <= width);
    FUZZ_CHECK(text_width(out->str) == used);
    if (pad)
        FUZZ_CHECK(used == width);
    size_t total = text_width(safe);
    if (total <= width) {
        /* Nothing is cut: the text itself, then only padding. */
        FUZZ_CHECK(strncmp(out->str, safe, strlen(safe)) == 0);
    } else if (width > 0) {
        FUZZ_CHECK(strstr(out->str, "\u2026") != NULL);
    }
    g_string_free(out, TRUE);
}

static void check_json_string(const char *s, size_t len)
{
    GString *out = g_string_new(NULL);
    text_append_json_string(out, s);
    FUZZ_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL));
    for (size_t i = 0; i < out->len; i++)
        FUZZ_CHECK((unsigned char)out->str[i] >= 0x20 && out->str[i] != 0x7f);
    json_object *parsed = json_tokener_parse(out->str);
    FUZZ_CHECK(parsed && json_object_is_type(parsed, json_type_string));
    if (g_utf8_validate(s, (gssize)len, NULL)) {
        /* Valid text survives the round trip exactly. */
        FUZZ_CHECK((size_t)json_object_get_string_len(parsed) == len);
        FUZZ_CHECK(memcmp(json_object_get_string(parsed), s, len) == 0);
    }
    json_object_put(parsed);
    g_string_free(out, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    size_t width = fuzz_byte(&in);
    const char *bytes = (const char *)in.data;

    GString *safe = g_string_new(NULL);
    text_append_sanitized(safe, bytes, in.size);
    check_display_safe(safe);
    /* Safe input is exactly the input that passes through unchanged. */
    FUZZ_CHECK(text_is_safe(bytes, in.size) ==
               (safe->len == in.size && memcmp(safe->str, bytes, in.size) == 0));

    char *copy = fuzz_copy(in.data, in.size); /* cut at the first NUL, as C strings are */
    char *sanitized = text_sanitize(copy);
    check_display_safe(&(GString){.str = sanitized, .len = strlen(sanitized)});
    FUZZ_CHECK(text_width(sanitized) <= strlen(sanitized) * 2);

    check_fitted(sanitized, width, false);
    check_fitted(sanitized, width, true);
    check_fitted(sanitized, text_width(sanitized), false);
    check_json_string(copy, strlen(copy));

    g_free(sanitized);
    g_free(copy);
    g_string_free(safe, TRUE);
    return 0;
}
