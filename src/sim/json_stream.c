/*
 * portal-sim: the piece-by-piece JSON reader of json_stream.h. Owns buffering,
 * framing (finding where one value ends, strings and nesting included) and
 * the syntax errors. json-c parses each value the caller asks for straight
 * from the buffer (it finds the value's end itself); framing is only used to
 * step over values. Never builds more than one value of the caller's choosing
 * at a time.
 */
#include <portalctl/sim/json_stream.h>

#include <stdarg.h>
#include <string.h>

#define BUFFER_SIZE (256 * 1024)
#define MAX_DEPTH   64 /* objects and arrays the caller entered */

struct sim_json_stream {
    FILE *in;        /* NULL: text only */
    char *buf;       /* owned */
    size_t len;      /* bytes in buf */
    size_t pos;      /* next byte to read */
    size_t consumed; /* bytes before buf[0], for error offsets */
    bool eof;
    char *error;
    GString *name; /* the last member name */
    json_tokener *tokener;
    bool first[MAX_DEPTH]; /* per entered level: no member or element read yet */
    int depth;
};

static struct sim_json_stream *stream_new(void)
{
    struct sim_json_stream *stream = g_new0(struct sim_json_stream, 1);
    stream->name = g_string_sized_new(64);
    stream->tokener = json_tokener_new();
    if (!stream->tokener)
        g_error("json_stream: out of memory");
    return stream;
}

struct sim_json_stream *sim_json_stream_new_file(FILE *in)
{
    struct sim_json_stream *stream = stream_new();
    stream->in = in;
    stream->buf = g_malloc(BUFFER_SIZE);
    return stream;
}

struct sim_json_stream *sim_json_stream_new_text(const char *text, size_t len)
{
    struct sim_json_stream *stream = stream_new();
    stream->buf = g_memdup2(text, len);
    stream->len = len;
    stream->eof = true;
    return stream;
}

void sim_json_stream_free(struct sim_json_stream *stream)
{
    if (!stream)
        return;
    g_free(stream->buf);
    g_free(stream->error);
    g_string_free(stream->name, TRUE);
    json_tokener_free(stream->tokener);
    g_free(stream);
}

const char *sim_json_stream_error(const struct sim_json_stream *stream)
{
    return stream->error;
}

bool sim_json_stream_fail(struct sim_json_stream *stream, const char *format, ...)
{
    if (stream->error)
        return false;
    va_list args;
    va_start(args, format);
    char *problem = g_strdup_vprintf(format, args);
    va_end(args);
    stream->error = g_strdup_printf("byte %zu: %s", stream->consumed + stream->pos, problem);
    g_free(problem);
    return false;
}

/* --- bytes ----------------------------------------------------------------- */

/* True when buf[pos] exists, reading more when needed. */
static bool have_byte(struct sim_json_stream *stream)
{
    if (stream->pos < stream->len)
        return true;
    if (stream->eof || !stream->in)
        return false;
    stream->consumed += stream->len;
    stream->len = fread(stream->buf, 1, BUFFER_SIZE, stream->in);
    stream->pos = 0;
    if (stream->len < BUFFER_SIZE) {
        if (ferror(stream->in))
            sim_json_stream_fail(stream, "read error");
        stream->eof = true;
    }
    return stream->len > 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next byte that is not white space (not consumed), or -1 at the end. */
static int peek_token(struct sim_json_stream *stream)
{
    while (have_byte(stream)) {
        char c = stream->buf[stream->pos];
        if (!is_space(c))
            return (unsigned char)c;
        stream->pos++;
    }
    return -1;
}

static bool expect(struct sim_json_stream *stream, char want)
{
    if (stream->error)
        return false;
    int c = peek_token(stream);
    if (c != (unsigned char)want) {
        if (c < 0)
            return sim_json_stream_fail(stream, "expected '%c', found the end", want);
        return sim_json_stream_fail(stream, "expected '%c', found '%c'", want, c);
    }
    stream->pos++;
    return true;
}

/* --- framing one value ------------------------------------------------------ */

/* Copies buf[from..pos) to out when there is one. */
static void keep_span(struct sim_json_stream *stream, GString *out, size_t from)
{
    if (out && stream->pos > from)
        g_string_append_len(out, stream->buf + from, (gssize)(stream->pos - from));
}

/* Copies the rest of a string whose '"' was already copied, closing quote included. */
static bool frame_string_tail(struct sim_json_stream *stream, GString *out)
{
    bool escaped = false;
    for (;;) {
        if (!have_byte(stream))
            return sim_json_stream_fail(stream, "unterminated string");
        size_t from = stream->pos;
        while (stream->pos < stream->len) {
            char c = stream->buf[stream->pos++];
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                keep_span(stream, out, from);
                return true;
            }
        }
        keep_span(stream, out, from);
    }
}

/* Copies an object or array whose opening bracket was already copied. */
static bool frame_nested_tail(struct sim_json_stream *stream, GString *out)
{
    int depth = 1;
    while (depth > 0) {
        if (!have_byte(stream))
            return sim_json_stream_fail(stream, "unterminated object or array");
        size_t from = stream->pos;
        while (stream->pos < stream->len && depth > 0) {
            char c = stream->buf[stream->pos++];
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == '"') {
                keep_span(stream, out, from);
                if (!frame_string_tail(stream, out))
                    return false;
                from = stream->pos;
            }
        }
        keep_span(stream, out, from);
    }
    return true;
}

static bool ends_scalar(char c)
{
    return is_space(c) || c == ',' || c == ']' || c == '}' || c == ':';
}

static bool frame_scalar(struct sim_json_stream *stream, GString *out)
{
    while (have_byte(stream)) {
        size_t from = stream->pos;
        while (stream->pos < stream->len && !ends_scalar(stream->buf[stream->pos]))
            stream->pos++;
        keep_span(stream, out, from);
        if (stream->pos < stream->len)
            break;
    }
    return true;
}

/* The text of the next value into out (NULL: only step over it). */
static bool frame_value(struct sim_json_stream *stream, GString *out)
{
    if (stream->error)
        return false;
    int c = peek_token(stream);
    if (c < 0)
        return sim_json_stream_fail(stream, "expected a value, found the end");
    if (c == '}' || c == ']' || c == ',' || c == ':')
        return sim_json_stream_fail(stream, "expected a value, found '%c'", c);
    stream->pos++;
    if (out)
        g_string_append_c(out, (char)c);
    if (c == '"')
        return frame_string_tail(stream, out);
    if (c == '{' || c == '[')
        return frame_nested_tail(stream, out);
    return frame_scalar(stream, out);
}

/* Lets json-c find the end of the next value itself, fed straight from the
 * buffer (no copy), buffer after buffer when the value straddles them. */
static bool parse_value(struct sim_json_stream *stream, json_object **out)
{
    json_tokener_reset(stream->tokener);
    for (;;) {
        size_t avail = stream->len - stream->pos;
        if (avail > (size_t)G_MAXINT32)
            avail = (size_t)G_MAXINT32;
        *out = json_tokener_parse_ex(stream->tokener, stream->buf + stream->pos, (int)avail);
        enum json_tokener_error error = json_tokener_get_error(stream->tokener);
        if (error == json_tokener_success) {
            stream->pos += json_tokener_get_parse_end(stream->tokener);
            return true;
        }
        if (error != json_tokener_continue)
            return sim_json_stream_fail(stream, "%s", json_tokener_error_desc(error));
        stream->pos += avail;
        if (!have_byte(stream)) {
            /* The end: a NUL completes a number; anything else is cut short. */
            *out = json_tokener_parse_ex(stream->tokener, "", 1);
            if (json_tokener_get_error(stream->tokener) == json_tokener_success)
                return true;
            json_object_put(*out);
            *out = NULL;
            return sim_json_stream_fail(stream, "unterminated value at the end");
        }
    }
}

/* --- the public walk ---------------------------------------------------------- */

bool sim_json_stream_value(struct sim_json_stream *stream, json_object **out)
{
    *out = NULL;
    if (stream->error)
        return false;
    int c = peek_token(stream);
    if (c < 0)
        return sim_json_stream_fail(stream, "expected a value, found the end");
    if (c == '}' || c == ']' || c == ',' || c == ':')
        return sim_json_stream_fail(stream, "expected a value, found '%c'", c);
    return parse_value(stream, out);
}

bool sim_json_stream_skip(struct sim_json_stream *stream)
{
    return frame_value(stream, NULL);
}

static bool enter(struct sim_json_stream *stream, char open)
{
    if (!expect(stream, open))
        return false;
    if (stream->depth == MAX_DEPTH)
        return sim_json_stream_fail(stream, "nested more than %d deep", MAX_DEPTH);
    stream->first[stream->depth++] = true;
    return true;
}

bool sim_json_stream_begin_object(struct sim_json_stream *stream)
{
    return enter(stream, '{');
}

bool sim_json_stream_begin_array(struct sim_json_stream *stream)
{
    return enter(stream, '[');
}

/* Past the separator before the next item: false at close (consumed) or on error. */
static bool next_item(struct sim_json_stream *stream, char close)
{
    if (stream->error)
        return false;
    if (stream->depth == 0)
        return sim_json_stream_fail(stream, "no object or array was entered");
    if (peek_token(stream) == (unsigned char)close) {
        stream->pos++;
        stream->depth--;
        return false;
    }
    bool *first = &stream->first[stream->depth - 1];
    if (!*first && !expect(stream, ','))
        return false;
    *first = false;
    return true;
}

bool sim_json_stream_next_element(struct sim_json_stream *stream)
{
    return next_item(stream, ']');
}

bool sim_json_stream_next_member(struct sim_json_stream *stream, const char **name)
{
    *name = NULL;
    if (!next_item(stream, '}'))
        return false;
    if (peek_token(stream) != '"')
        return sim_json_stream_fail(stream, "expected a member name");
    json_object *text = NULL;
    if (!sim_json_stream_value(stream, &text))
        return false;
    g_string_assign(stream->name, json_object_get_string(text));
    json_object_put(text);
    if (!expect(stream, ':'))
        return false;
    *name = stream->name->str;
    return true;
}

bool sim_json_stream_at_end(struct sim_json_stream *stream)
{
    return !stream->error && peek_token(stream) < 0;
}

static bool listed(const char *const *names, const char *name)
{
    for (; names && *names; names++) {
        if (strcmp(*names, name) == 0)
            return true;
    }
    return false;
}

json_object *sim_json_stream_members_until(struct sim_json_stream *stream, const char *const *stop,
                                           const char **stopped_at)
{
    *stopped_at = NULL;
    json_object *members = json_object_new_object();
    const char *name = NULL;
    while (sim_json_stream_next_member(stream, &name)) {
        if (listed(stop, name)) {
            *stopped_at = name;
            return members;
        }
        json_object *value = NULL;
        if (!sim_json_stream_value(stream, &value))
            break;
        json_object_object_add(members, name, value);
    }
    if (stream->error) {
        json_object_put(members);
        return NULL;
    }
    return members;
}
