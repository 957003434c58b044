/*
 * net: URL policy and URL building. Decides which URLs the engine may send to
 * (https anywhere, plain http only to loopback) and builds request URLs from
 * a trusted template and untrusted values, escaping every value so that it
 * stays inside its path segment or query argument. Never connects anywhere.
 */
#include "net_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* ---- policy ---------------------------------------------------------------- */

static bool host_is_loopback(const char *host)
{
    if (g_ascii_strcasecmp(host, "localhost") == 0)
        return true; /* libcurl never resolves "localhost" through DNS or /etc/hosts */
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    size_t len = strlen(host);
    if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
        char inner[INET6_ADDRSTRLEN + 1];
        struct in6_addr v6;
        if (len - 2 >= sizeof(inner))
            return false;
        memcpy(inner, host + 1, len - 2);
        inner[len - 2] = '\0';
        return inet_pton(AF_INET6, inner, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
    }
    return false;
}

static char *url_part(CURLU *u, CURLUPart part)
{
    char *value = NULL;
    if (curl_url_get(u, part, &value, 0) != CURLUE_OK)
        return NULL;
    return value;
}

/* The verdict on a parsed URL. Credentials in a URL are refused: URLs end up
 * in messages and audit lines, secrets must not. */
static enum net_error judge_url(CURLU *u)
{
    char *scheme = url_part(u, CURLUPART_SCHEME);
    char *host = url_part(u, CURLUPART_HOST);
    char *user = url_part(u, CURLUPART_USER);
    char *password = url_part(u, CURLUPART_PASSWORD);
    enum net_error verdict = NET_ERR_INVALID;
    if (scheme != NULL && host != NULL && host[0] != '\0' && user == NULL && password == NULL) {
        if (g_ascii_strcasecmp(scheme, "https") == 0)
            verdict = NET_ERR_NONE;
        else if (g_ascii_strcasecmp(scheme, "http") == 0)
            verdict = host_is_loopback(host) ? NET_ERR_NONE : NET_ERR_REFUSED_INSECURE;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    return verdict;
}

enum net_error net_url_normalize(const char *url, char **normalized)
{
    if (normalized != NULL)
        *normalized = NULL;
    if (url == NULL)
        return NET_ERR_INVALID;
    CURLU *u = curl_url();
    if (u == NULL)
        return NET_ERR_NO_MEMORY;
    enum net_error verdict = NET_ERR_INVALID;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
        verdict = judge_url(u);
    if (verdict == NET_ERR_NONE && normalized != NULL) {
        /* The engine sends exactly what was judged, as libcurl understood it. */
        char *text = url_part(u, CURLUPART_URL);
        *normalized = text != NULL ? strdup(text) : NULL;
        curl_free(text);
        if (*normalized == NULL)
            verdict = NET_ERR_NO_MEMORY;
    }
    curl_url_cleanup(u);
    return verdict;
}

enum net_error net_url_check(const char *url)
{
    return net_url_normalize(url, NULL);
}

/* ---- building --------------------------------------------------------------- */

static bool base_is_plain(const char *base)
{
    CURLU *u = curl_url();
    if (u == NULL)
        return false;
    bool plain = false;
    if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK) {
        char *query = url_part(u, CURLUPART_QUERY);
        char *fragment = url_part(u, CURLUPART_FRAGMENT);
        plain = query == NULL && fragment == NULL;
        curl_free(query);
        curl_free(fragment);
    }
    curl_url_cleanup(u);
    return plain;
}

static bool append_escaped(GString *out, const char *text)
{
    char *escaped = curl_easy_escape(NULL, text, (int)strlen(text));
    if (escaped == NULL)
        return false;
    g_string_append(out, escaped);
    curl_free(escaped);
    return true;
}

/* An empty, "." or ".." segment would address a different resource
 * ("/portals/" lists, "/portals/.." climbs): always a caller bug. */
static bool segment_value_ok(const char *value)
{
    return value[0] != '\0' && strcmp(value, ".") != 0 && strcmp(value, "..") != 0;
}

static bool append_path(GString *out, const char *tmpl, const char *const values[])
{
    size_t next = 0;
    if (tmpl[0] != '\0' && tmpl[0] != '/')
        g_string_append_c(out, '/');
    for (const char *p = tmpl; *p != '\0'; p++) {
        if (p[0] == '{' && p[1] == '}') {
            const char *value = values != NULL ? values[next] : NULL;
            if (value == NULL || !segment_value_ok(value) || !append_escaped(out, value))
                return false;
            next++;
            p++;
        } else if (*p == '?' || *p == '#' || (unsigned char)*p <= ' ' || *p == 0x7f) {
            return false; /* query arguments go through `query`, never the template */
        } else {
            g_string_append_c(out, *p);
        }
    }
    return values == NULL || values[next] == NULL;
}

static bool append_query(GString *out, const struct net_query_arg *query)
{
    bool first = true;
    for (const struct net_query_arg *arg = query; arg != NULL && arg->name != NULL; arg++) {
        if (arg->name[0] == '\0')
            return false;
        if (arg->value == NULL)
            continue;
        g_string_append_c(out, first ? '?' : '&');
        first = false;
        if (!append_escaped(out, arg->name))
            return false;
        g_string_append_c(out, '=');
        if (!append_escaped(out, arg->value))
            return false;
    }
    return true;
}

char *net_url_build(const char *base, const char *path_template, const char *const path_values[],
                    const struct net_query_arg *query)
{
    if (base == NULL || path_template == NULL || !base_is_plain(base))
        return NULL;
    GString *out = g_string_new(base);
    while (out->len > 0 && out->str[out->len - 1] == '/')
        g_string_truncate(out, out->len - 1);
    if (!append_path(out, path_template, path_values) || !append_query(out, query)) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}
