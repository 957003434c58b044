/*
 * Valstorm v1: the user list read while it arrives (see valstorm_parse.h,
 * "the user list, piece by piece"). GET /v1/portal/{id}/users answers with
 * one JSON array of every user: 100,000 users are about 22 MB. This splitter
 * frames each entry of that array across the pieces the network hands over
 * (tracking strings, escapes and nesting depth over piece boundaries), then
 * parses each entry on its own with json-c, so the list is never held whole
 * and its first rows can be shown while the rest is still on the wire.
 *
 * Owns only the framing: what an entry means is the caller's each(). Never
 * sends, prints or keeps more than one entry's bytes (an entry cut by a
 * piece boundary is held until its end arrives; the body cap of the session
 * bounds it).
 */
#include <portalctl/valstorm_parse.h>

#include <portalctl/json_read.h>

#include <stdint.h>

enum split_state {
    EXPECT_LIST,      /* before the '[' */
    EXPECT_FIRST,     /* after '[': an entry or ']' */
    EXPECT_ENTRY,     /* after ',': an entry */
    IN_ENTRY,         /* inside an entry, its bytes framed as they come */
    EXPECT_SEPARATOR, /* after an entry: ',' or ']' */
    AFTER_LIST,       /* after ']': only white space */
    FAILED,
};

struct valstorm_user_stream {
    enum split_state state;
    unsigned depth; /* of the entry being framed: 1 inside its braces */
    bool in_string, escaped;
    GByteArray *held; /* the start of an entry that a piece boundary cut */
    json_tokener *tok;
    valstorm_user_fn each;
    void *data;
    size_t count;        /* entries read */
    const char *problem; /* why it FAILED */
};

/* The same words as the whole-body reader always used. */
#define NOT_AN_ARRAY "the user list is not a JSON array"
#define NOT_A_USER   "an entry is not a user with an id and an e-mail address"
#define NOT_JSON     "an entry is not valid JSON or the list is cut short"
#define CUT_SHORT    "the list is cut short"

static size_t fail(struct valstorm_user_stream *s, const char *problem, size_t len)
{
    s->state = FAILED;
    s->problem = problem;
    return len;
}

static size_t skip_space(const char *p, size_t len, size_t pos)
{
    while (pos < len && g_ascii_isspace(p[pos]))
        pos++;
    return pos;
}

/* One entry's bytes, whole: parsed alone and handed to each(). */
static bool take_entry(struct valstorm_user_stream *s, const char *text, size_t n)
{
    if (n > (size_t)INT32_MAX) {
        fail(s, NOT_JSON, 0);
        return false;
    }
    json_tokener_reset(s->tok);
    json_object *entry = json_tokener_parse_ex(s->tok, text, (int)n);
    bool valid = json_tokener_get_error(s->tok) == json_tokener_success &&
                 json_tokener_get_parse_end(s->tok) == n;
    bool usable = valid && json_object_is_type(entry, json_type_object) && s->each(entry, s->data);
    json_object_put(entry);
    if (!usable) {
        fail(s, valid ? NOT_A_USER : NOT_JSON, 0);
        return false;
    }
    s->count++;
    return true;
}

/* Frames an entry from pos: returns one past its closing brace, or len when
 * the piece ends first. Outside strings only brackets matter; inside, only
 * the closing quote and backslash escapes. */
static size_t frame_entry(struct valstorm_user_stream *s, const char *p, size_t len, size_t pos)
{
    for (; pos < len; pos++) {
        if (s->in_string) {
            if (s->escaped) {
                s->escaped = false;
                continue;
            }
            while (pos < len && p[pos] != '"' && p[pos] != '\\')
                pos++;
            if (pos == len)
                break;
            if (p[pos] == '\\')
                s->escaped = true;
            else
                s->in_string = false;
            continue;
        }
        switch (p[pos]) {
        case '"':
            s->in_string = true;
            break;
        case '{':
        case '[':
            if (++s->depth > JSON_READ_MAX_DEPTH)
                return fail(s, "an entry is nested too deeply", len);
            break;
        case '}':
        case ']':
            if (--s->depth == 0)
                return pos + 1;
            break;
        default:
            break;
        }
    }
    return len;
}

/* The entry state: frame from pos; a complete entry is parsed at once, from
 * the piece itself when it lies wholly inside it. */
static size_t in_entry(struct valstorm_user_stream *s, const char *p, size_t len, size_t pos)
{
    size_t end = frame_entry(s, p, len, pos);
    if (s->state == FAILED)
        return len;
    bool complete = s->depth == 0 && end > pos;
    if (!complete) {
        g_byte_array_append(s->held, (const guint8 *)p + pos, (guint)(len - pos));
        return len;
    }
    bool taken;
    if (s->held->len > 0) {
        g_byte_array_append(s->held, (const guint8 *)p + pos, (guint)(end - pos));
        taken = take_entry(s, (const char *)s->held->data, s->held->len);
        g_byte_array_set_size(s->held, 0);
    } else {
        taken = take_entry(s, p + pos, end - pos);
    }
    if (taken)
        s->state = EXPECT_SEPARATOR;
    return taken ? end : len;
}

static void start_entry(struct valstorm_user_stream *s)
{
    s->state = IN_ENTRY;
    s->depth = 0; /* its '{' is framed like any other bracket */
    s->in_string = s->escaped = false;
}

/* One step of the array's own syntax at pos (white space skipped first).
 * Returns where the next step starts. */
static size_t step(struct valstorm_user_stream *s, const char *p, size_t len, size_t pos)
{
    if (s->state == IN_ENTRY)
        return in_entry(s, p, len, pos);
    pos = skip_space(p, len, pos);
    if (pos == len)
        return len;
    char c = p[pos];
    switch (s->state) {
    case EXPECT_LIST:
        if (c != '[')
            return fail(s, NOT_AN_ARRAY, len);
        s->state = EXPECT_FIRST;
        return pos + 1;
    case EXPECT_FIRST:
    case EXPECT_ENTRY:
        if (c == ']' && s->state == EXPECT_FIRST) {
            s->state = AFTER_LIST;
            return pos + 1;
        }
        if (c != '{')
            return fail(s, c == ',' || c == ']' ? NOT_JSON : NOT_A_USER, len);
        start_entry(s);
        return pos;
    case EXPECT_SEPARATOR:
        if (c != ',' && c != ']')
            return fail(s, "entries are not separated by commas", len);
        s->state = c == ',' ? EXPECT_ENTRY : AFTER_LIST;
        return pos + 1;
    case AFTER_LIST:
        return fail(s, "text follows the list", len);
    default:
        return len;
    }
}

static void bad_list(struct api_error *error, const char *what)
{
    api_error_set(error, API_BAD_RESPONSE, 0, NULL,
                  "Valstorm's answer could not be read: %s; try again, and report it if it "
                  "persists",
                  what);
}

struct valstorm_user_stream *valstorm_user_stream_new(valstorm_user_fn each, void *data)
{
    json_tokener *tok = json_tokener_new_ex(JSON_READ_MAX_DEPTH);
    if (!tok)
        return NULL;
    struct valstorm_user_stream *s = g_new0(struct valstorm_user_stream, 1);
    s->tok = tok;
    s->held = g_byte_array_new();
    s->each = each;
    s->data = data;
    s->state = EXPECT_LIST;
    return s;
}

bool valstorm_user_stream_feed(struct valstorm_user_stream *s, const char *piece, size_t len,
                               struct api_error *error)
{
    if (s->state == FAILED)
        return false; /* already said why */
    size_t pos = 0;
    while (pos < len && s->state != FAILED)
        pos = step(s, piece, len, pos);
    if (s->state == FAILED) {
        bad_list(error, s->problem);
        return false;
    }
    return true;
}

bool valstorm_user_stream_finish(struct valstorm_user_stream *s, struct api_error *error)
{
    switch (s->state) {
    case AFTER_LIST:
        return true;
    case FAILED:
        bad_list(error, s->problem);
        return false;
    case EXPECT_LIST:
        bad_list(error, NOT_AN_ARRAY);
        return false;
    default:
        bad_list(error, CUT_SHORT);
        return false;
    }
}

size_t valstorm_user_stream_count(const struct valstorm_user_stream *s)
{
    return s->count;
}

void valstorm_user_stream_free(struct valstorm_user_stream *s)
{
    if (!s)
        return;
    json_tokener_free(s->tok);
    g_byte_array_unref(s->held);
    g_free(s);
}
