/*
 * Display-safe text: escaping of untrusted strings, column widths and JSON
 * string output (see text.h). Uses GLib's Unicode tables, which do not depend
 * on the process locale, so results are the same in tests and on screen.
 */
#include <portalctl/text.h>

#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

static void append_hex_byte(GString *out, unsigned char byte)
{
    g_string_append(out, "\\x");
    g_string_append_c(out, hex_digits[byte >> 4]);
    g_string_append_c(out, hex_digits[byte & 0xf]);
}

static bool is_c0_or_del(gunichar c)
{
    return c < 0x20 || c == 0x7f;
}

/* Characters that must not reach a terminal raw although they are valid UTF-8. */
static bool is_hidden_control(gunichar c)
{
    return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static void append_c0(GString *out, unsigned char c)
{
    switch (c) {
    case '\n':
        g_string_append(out, "\\n");
        break;
    case '\r':
        g_string_append(out, "\\r");
        break;
    case '\t':
        g_string_append(out, "\\t");
        break;
    case 0x1b:
        g_string_append(out, "\\e");
        break;
    default:
        append_hex_byte(out, c);
    }
}

/* Length of the run of printable ASCII at p that needs no escaping (stops at
 * a backslash, and at a double quote too when json). Copied in one append:
 * 100,000 rows of mostly plain text must not go through the Unicode decoder
 * byte by byte. */
static size_t plain_ascii_run(const char *p, const char *end, bool json)
{
    const char *q = p;
    for (; q < end; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c >= 0x7f || c == '\\' || (json && c == '"'))
            break;
    }
    return (size_t)(q - p);
}

void text_append_sanitized(GString *out, const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        size_t plain = plain_ascii_run(p, end, false);
        if (plain) {
            g_string_append_len(out, p, (gssize)plain);
            p += plain;
            continue;
        }
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            append_hex_byte(out, (unsigned char)*p++);
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (c == 0) {
            /* g_utf8_get_char_validated returns 0 for an embedded NUL */
            append_hex_byte(out, 0);
        } else if (is_c0_or_del(c)) {
            append_c0(out, (unsigned char)c);
        } else if (c == '\\') {
            g_string_append(out, "\\\\");
        } else if (is_hidden_control(c)) {
            g_string_append_printf(out, "\\u%04x", (unsigned)c);
        } else {
            g_string_append_len(out, p, next - p);
        }
        p = next;
    }
}

char *text_sanitize(const char *s)
{
    GString *out = g_string_new(NULL);
    if (s)
        text_append_sanitized(out, s, strlen(s));
    return g_string_free(out, FALSE);
}

bool text_is_safe(const char *s, size_t len)
{
    GString *out = g_string_sized_new(len);
    text_append_sanitized(out, s, len);
    bool same = out->len == len && memcmp(out->str, s, len) == 0;
    g_string_free(out, TRUE);
    return same;
}

static size_t char_width(gunichar c)
{
    if (g_unichar_iszerowidth(c))
        return 0;
    return g_unichar_iswide(c) ? 2 : 1;
}

size_t text_width(const char *utf8)
{
    size_t width = 0;
    for (const char *p = utf8; *p; p = g_utf8_next_char(p))
        width += *p >= 0x20 && *p < 0x7f ? 1 : char_width(g_utf8_get_char(p));
    return width;
}

size_t text_append_fitted(GString *out, const char *utf8, size_t width, bool pad)
{
    size_t total = text_width(utf8);
    /* When cut, keep one column for the ellipsis. */
    size_t budget = total <= width ? width : (width > 0 ? width - 1 : 0);
    size_t used = 0;
    const char *p = utf8;
    if (total <= width) { /* it all fits: one append, no second walk */
        g_string_append(out, utf8);
        used = total;
        p += strlen(utf8);
    }
    for (; *p; p = g_utf8_next_char(p)) {
        size_t w = char_width(g_utf8_get_char(p));
        if (used + w > budget)
            break;
        g_string_append_len(out, p, g_utf8_next_char(p) - p);
        used += w;
    }
    if (*p && width > 0) {
        g_string_append(out, "\u2026");
        used++;
    }
    for (; pad && used < width; used++)
        g_string_append_c(out, ' ');
    return used;
}

void text_append_json_string(GString *out, const char *s)
{
    if (!s) {
        g_string_append(out, "null");
        return;
    }
    const char *p = s, *end = s + strlen(s);
    g_string_append_c(out, '"');
    while (p < end) {
        size_t plain = plain_ascii_run(p, end, true);
        if (plain) {
            g_string_append_len(out, p, (gssize)plain);
            p += plain;
            continue;
        }
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append(out, "\\ufffd");
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)c);
        } else if (c < 0x20 || c == 0x7f || is_hidden_control(c)) {
            g_string_append_printf(out, "\\u%04x", (unsigned)c);
        } else {
            g_string_append_len(out, p, next - p);
        }
        p = next;
    }
    g_string_append_c(out, '"');
}
