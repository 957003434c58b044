/*
 * portal-sim: request and response values shared by the server and the
 * vendors. No sockets here, so vendor handlers can be driven by tests.
 */
#include <portalctl/sim/sim.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

void sim_pairs_add(struct sim_pairs *pairs, const char *name, const char *value)
{
    if (pairs->count == pairs->capacity) {
        pairs->capacity = pairs->capacity ? pairs->capacity * 2 : 8;
        pairs->items = g_renew(struct sim_pair, pairs->items, pairs->capacity);
    }
    pairs->items[pairs->count].name = g_strdup(name);
    pairs->items[pairs->count].value = g_strdup(value ? value : "");
    pairs->count++;
}

const char *sim_pairs_get(const struct sim_pairs *pairs, const char *name)
{
    for (size_t i = 0; i < pairs->count; i++) {
        if (strcmp(pairs->items[i].name, name) == 0)
            return pairs->items[i].value;
    }
    return NULL;
}

void sim_pairs_clear(struct sim_pairs *pairs)
{
    for (size_t i = 0; i < pairs->count; i++) {
        g_free(pairs->items[i].name);
        g_free(pairs->items[i].value);
    }
    g_free(pairs->items);
    memset(pairs, 0, sizeof(*pairs));
}

const char *sim_request_header(const struct sim_request *req, const char *lower_name)
{
    return sim_pairs_get(&req->headers, lower_name);
}

const char *sim_request_query(const struct sim_request *req, const char *name)
{
    return sim_pairs_get(&req->query, name);
}

const char *sim_request_param(const struct sim_request *req, const char *name)
{
    const char *value = sim_pairs_get(&req->query, name);
    return value ? value : sim_pairs_get(&req->form, name);
}

void sim_request_init(struct sim_request *req, const char *method, const char *path,
                      const char *body)
{
    memset(req, 0, sizeof(*req));
    req->method = method;
    req->path = path;
    req->body = body ? body : "";
    req->body_len = strlen(req->body);
}

void sim_request_clear(struct sim_request *req)
{
    sim_pairs_clear(&req->query);
    sim_pairs_clear(&req->headers);
    sim_pairs_clear(&req->form);
}

void sim_response_init(struct sim_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 500;
    resp->content_type = "application/json";
}

void sim_response_clear(struct sim_response *resp)
{
    free(resp->body);
    sim_response_init(resp);
}

static void response_set_body(struct sim_response *resp, int status, char *body, size_t len)
{
    free(resp->body);
    resp->status = status;
    resp->body = body;
    resp->body_len = len;
}

void sim_response_json(struct sim_response *resp, int status, json_object *obj)
{
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *body = malloc(len + 1);
    if (!body)
        abort(); /* the simulator has no way to answer without memory */
    memcpy(body, text, len + 1);
    json_object_put(obj);
    response_set_body(resp, status, body, len);
}

void sim_response_gstring(struct sim_response *resp, int status, GString *body)
{
    size_t len = body->len;
    /* g_string_free hands out g_malloc'd memory, which is malloc'd in GLib >= 2.46. */
    char *text = g_string_free(body, FALSE);
    response_set_body(resp, status, text, len);
}

void sim_response_empty(struct sim_response *resp, int status)
{
    response_set_body(resp, status, NULL, 0);
}

void sim_json_append_string(GString *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        g_string_append(out, "null");
        return;
    }
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20) {
                g_string_append(out, "\\u00");
                g_string_append_c(out, hex[*p >> 4]);
                g_string_append_c(out, hex[*p & 0xf]);
            } else {
                g_string_append_c(out, (char)*p);
            }
        }
    }
    g_string_append_c(out, '"');
}

const char *sim_format_time(time_t t, char buf[SIM_TIME_LEN])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, SIM_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

double sim_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}
