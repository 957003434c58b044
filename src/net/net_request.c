/*
 * net: what a request may be. The methods portalctl sends and whether HTTP
 * makes them idempotent, header-line checks (no header injection), default
 * timeouts and caps, and the names of errors. Pure functions, no libcurl.
 */
#include "net_internal.h"

#include <string.h>

/* RFC 9110 §9.2.2: PUT, DELETE and the safe methods are idempotent; POST and
 * PATCH are not. sends_body: the method always carries a body, even an empty
 * one (so a body-less PUT still says Content-Length: 0). */
static const struct method_rule {
    const char *name;
    bool idempotent;
    bool sends_body;
} METHODS[] = {
    {"GET", true, false}, {"HEAD", true, false}, {"OPTIONS", true, false}, {"DELETE", true, false},
    {"PUT", true, true},  {"POST", false, true}, {"PATCH", false, true},
};

static const char *const ERROR_NAMES[] = {
    [NET_ERR_NONE] = "none",
    [NET_ERR_TIMEOUT] = "timeout",
    [NET_ERR_CONNECT] = "connect",
    [NET_ERR_TLS] = "tls",
    [NET_ERR_RECV] = "recv",
    [NET_ERR_TRUNCATED] = "truncated",
    [NET_ERR_TOO_LARGE] = "too_large",
    [NET_ERR_CANCELLED] = "cancelled",
    [NET_ERR_REFUSED_INSECURE] = "refused_insecure",
    [NET_ERR_PROTOCOL] = "protocol",
    [NET_ERR_INVALID] = "invalid",
    [NET_ERR_NO_MEMORY] = "no_memory",
    [NET_ERR_OTHER] = "other",
    [NET_ERR_STOPPED] = "stopped",
};

enum {
    DEFAULT_CONNECT_TIMEOUT_MS = 10000,
    DEFAULT_TOTAL_TIMEOUT_MS = 120000,
    DEFAULT_LOW_SPEED_BYTES = 1,
    DEFAULT_LOW_SPEED_SECONDS = 30,
    DEFAULT_MAX_RETRIES = 3,
    DEFAULT_BASE_DELAY_MS = 500,
    DEFAULT_MAX_DELAY_MS = 20000,
    DEFAULT_MAX_RETRY_AFTER_MS = 60000,
};

const char *net_error_name(enum net_error error)
{
    if ((size_t)error < G_N_ELEMENTS(ERROR_NAMES) && ERROR_NAMES[error] != NULL)
        return ERROR_NAMES[error];
    return "unknown";
}

bool net_method_known(const char *method, bool *idempotent, bool *sends_body)
{
    if (method == NULL)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(METHODS); i++) {
        if (strcmp(METHODS[i].name, method) == 0) {
            if (idempotent != NULL)
                *idempotent = METHODS[i].idempotent;
            if (sends_body != NULL)
                *sends_body = METHODS[i].sends_body;
            return true;
        }
    }
    return false;
}

/* RFC 9110 token characters for the name; the value may hold any visible
 * character, spaces and tabs, but never CR, LF or NUL (header injection). */
static bool is_token_char(unsigned char c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

bool net_header_line_valid(const char *line)
{
    if (line == NULL)
        return false;
    const char *colon = strchr(line, ':');
    if (colon == NULL || colon == line)
        return false;
    for (const char *p = line; p < colon; p++) {
        if (!is_token_char((unsigned char)*p))
            return false;
    }
    for (const char *p = colon + 1; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

static void default_if_zero(unsigned *value, unsigned fallback)
{
    if (*value == 0)
        *value = fallback;
}

/* Zero means "default" everywhere except max_retries, where 0 is a choice. */
void net_request_apply_defaults(struct net_request *req)
{
    default_if_zero(&req->connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS);
    default_if_zero(&req->total_timeout_ms, DEFAULT_TOTAL_TIMEOUT_MS);
    default_if_zero(&req->low_speed_bytes, DEFAULT_LOW_SPEED_BYTES);
    default_if_zero(&req->low_speed_seconds, DEFAULT_LOW_SPEED_SECONDS);
    default_if_zero(&req->retry.base_delay_ms, DEFAULT_BASE_DELAY_MS);
    default_if_zero(&req->retry.max_delay_ms, DEFAULT_MAX_DELAY_MS);
    default_if_zero(&req->retry.max_retry_after_ms, DEFAULT_MAX_RETRY_AFTER_MS);
    if (req->max_body_bytes == 0)
        req->max_body_bytes = NET_DEFAULT_MAX_BODY_BYTES;
}

bool net_request_init(struct net_request *req, const char *method, const char *url)
{
    *req = (struct net_request){.method = method, .url = url};
    req->retry.max_retries = DEFAULT_MAX_RETRIES;
    net_request_apply_defaults(req);
    return net_method_known(method, &req->idempotent, NULL);
}
