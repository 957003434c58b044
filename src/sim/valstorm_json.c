/*
 * portal-sim, Valstorm: a JSON syntax checker that mirrors CPython's C
 * scanner (Modules/_json.c) and json.decoder.JSONDecoder.decode, so the
 * simulator's json_invalid errors carry the message and position a FastAPI
 * service would send. It builds nothing: parsing is json-c's job. Must never
 * accept what Python rejects.
 */
#include <portalctl/sim/valstorm_json.h>

#include <string.h>

/* CPython's default recursion limit is 1000; a body nested deeper makes
 * json.loads raise RecursionError, which FastAPI turns into a 400. */
#define MAX_DEPTH 900

struct scanner {
    const char *s;
    size_t len;
    unsigned depth;
    struct valstorm_json_error *error;
};

static bool fail(struct scanner *sc, const char *message, size_t at)
{
    sc->error->message = message;
    sc->error->byte_offset = at;
    return false;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const struct scanner *sc, size_t idx)
{
    while (idx < sc->len && is_ws(sc->s[idx]))
        idx++;
    return idx;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool scan_value(struct scanner *sc, size_t idx, size_t *next);

/* \uXXXX; idx is just past the 'u'. Python insists on a character after the
 * four digits (there always is one in a valid document: the closing quote). */
static bool scan_unicode_escape(struct scanner *sc, size_t idx, size_t *next)
{
    size_t end = idx + 4;
    if (end >= sc->len)
        return fail(sc, "Invalid \\uXXXX escape", idx - 1);
    for (size_t i = idx; i < end; i++) {
        if (!is_hex(sc->s[i]))
            return fail(sc, "Invalid \\uXXXX escape", end - 5);
    }
    *next = end;
    return true;
}

/* A string; idx is just past the opening quote. */
static bool scan_string(struct scanner *sc, size_t idx, size_t *next)
{
    size_t begin = idx - 1;
    for (;;) {
        size_t at = idx;
        while (at < sc->len && sc->s[at] != '"' && sc->s[at] != '\\') {
            if ((unsigned char)sc->s[at] <= 0x1f)
                return fail(sc, "Invalid control character at", at);
            at++;
        }
        if (at == sc->len)
            return fail(sc, "Unterminated string starting at", begin);
        if (sc->s[at] == '"') {
            *next = at + 1;
            return true;
        }
        at++; /* past the backslash */
        if (at == sc->len)
            return fail(sc, "Unterminated string starting at", begin);
        char esc = sc->s[at];
        if (esc == 'u') {
            if (!scan_unicode_escape(sc, at + 1, &idx))
                return false;
        } else if (strchr("\"\\/bfnrt", esc) && esc != '\0') {
            idx = at + 1;
        } else {
            return fail(sc, "Invalid \\escape", at - 1);
        }
    }
}

/* Python's number grammar; a trailing "." or "e" without digits is left over
 * (and then reported as a delimiter problem or extra data, as Python does). */
static bool scan_number(struct scanner *sc, size_t start, size_t *next)
{
    size_t idx = start;
    if (idx < sc->len && sc->s[idx] == '-')
        idx++;
    if (idx < sc->len && sc->s[idx] >= '1' && sc->s[idx] <= '9') {
        while (idx < sc->len && is_digit(sc->s[idx]))
            idx++;
    } else if (idx < sc->len && sc->s[idx] == '0') {
        idx++;
    } else {
        return fail(sc, "Expecting value", start);
    }
    if (idx + 1 < sc->len && sc->s[idx] == '.' && is_digit(sc->s[idx + 1])) {
        idx += 2;
        while (idx < sc->len && is_digit(sc->s[idx]))
            idx++;
    }
    if (idx + 1 < sc->len && (sc->s[idx] == 'e' || sc->s[idx] == 'E')) {
        size_t e_start = idx++;
        if (idx + 1 < sc->len && (sc->s[idx] == '-' || sc->s[idx] == '+'))
            idx++;
        while (idx < sc->len && is_digit(sc->s[idx]))
            idx++;
        if (!is_digit(sc->s[idx - 1]))
            idx = e_start;
    }
    *next = idx;
    return true;
}

static bool scan_object(struct scanner *sc, size_t idx, size_t *next)
{
    idx = skip_ws(sc, idx);
    if (idx >= sc->len || sc->s[idx] != '}') {
        for (;;) {
            if (idx >= sc->len || sc->s[idx] != '"')
                return fail(sc, "Expecting property name enclosed in double quotes", idx);
            if (!scan_string(sc, idx + 1, &idx))
                return false;
            idx = skip_ws(sc, idx);
            if (idx >= sc->len || sc->s[idx] != ':')
                return fail(sc, "Expecting ':' delimiter", idx);
            idx = skip_ws(sc, idx + 1);
            if (!scan_value(sc, idx, &idx))
                return false;
            idx = skip_ws(sc, idx);
            if (idx < sc->len && sc->s[idx] == '}')
                break;
            if (idx >= sc->len || sc->s[idx] != ',')
                return fail(sc, "Expecting ',' delimiter", idx);
            idx = skip_ws(sc, idx + 1);
        }
    }
    *next = idx + 1;
    return true;
}

static bool scan_array(struct scanner *sc, size_t idx, size_t *next)
{
    idx = skip_ws(sc, idx);
    if (idx >= sc->len || sc->s[idx] != ']') {
        for (;;) {
            if (!scan_value(sc, idx, &idx))
                return false;
            idx = skip_ws(sc, idx);
            if (idx < sc->len && sc->s[idx] == ']')
                break;
            if (idx >= sc->len || sc->s[idx] != ',')
                return fail(sc, "Expecting ',' delimiter", idx);
            idx = skip_ws(sc, idx + 1);
        }
    }
    *next = idx + 1;
    return true;
}

/* Python matches a named constant only when the whole word is there. */
static bool scan_word(const struct scanner *sc, size_t idx, const char *word, size_t *next)
{
    size_t n = strlen(word);
    if (idx + n > sc->len || memcmp(sc->s + idx, word, n) != 0)
        return false;
    *next = idx + n;
    return true;
}

static bool scan_nested(struct scanner *sc, size_t idx, size_t *next,
                        bool (*scan)(struct scanner *, size_t, size_t *))
{
    if (++sc->depth > MAX_DEPTH) {
        sc->error->too_deep = true;
        return fail(sc, "maximum recursion depth exceeded", idx);
    }
    bool ok = scan(sc, idx + 1, next);
    sc->depth--;
    return ok;
}

static bool scan_value(struct scanner *sc, size_t idx, size_t *next)
{
    static const char *const words[] = {"null", "true", "false", "NaN", "Infinity", "-Infinity"};
    if (idx >= sc->len)
        return fail(sc, "Expecting value", idx);
    switch (sc->s[idx]) {
    case '"':
        return scan_string(sc, idx + 1, next);
    case '{':
        return scan_nested(sc, idx, next, scan_object);
    case '[':
        return scan_nested(sc, idx, next, scan_array);
    default:
        break;
    }
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (scan_word(sc, idx, words[i], next))
            return true;
    }
    return scan_number(sc, idx, next);
}

bool valstorm_json_check(const char *text, size_t len, struct valstorm_json_error *error)
{
    struct scanner sc = {.s = text, .len = len, .depth = 0, .error = error};
    memset(error, 0, sizeof(*error));
    size_t end = 0;
    if (!scan_value(&sc, skip_ws(&sc, 0), &end))
        return false;
    end = skip_ws(&sc, end);
    if (end != len)
        return fail(&sc, "Extra data", end);
    return true;
}
