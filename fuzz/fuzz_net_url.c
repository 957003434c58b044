/*
 * Fuzz target: the pure parts of net.h that read server or user text: the
 * URL check (which URLs the engine may send to), the Retry-After parser and
 * the URL builder. Beyond "no crash": a Retry-After delay is never negative;
 * a built URL starts with the base, and no path value or query argument can
 * change its shape (no extra "/", "?", "#" or "&").
 *
 * Input, NUL-separated: URL to check, Retry-After value, base, path
 * template; one byte giving how many path values follow (0-3) and the
 * values; then query arguments, each a byte (odd: no value) and a name
 * and a value.
 */
#include "fuzz.h"

#include <portalctl/net.h>

#define FIXED_NOW ((time_t)1780000000) /* 2026-05-28: runs are repeatable */

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void check_built(const char *url, const char *base, const char *tmpl, size_t args_given)
{
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    FUZZ_CHECK(strncmp(url, base, base_len) == 0);
    const char *rest = url + base_len;
    size_t slashes = count_char(tmpl, '/') + (tmpl[0] != '\0' && tmpl[0] != '/');
    FUZZ_CHECK(count_char(rest, '/') == slashes);
    FUZZ_CHECK(count_char(rest, '#') == 0);
    FUZZ_CHECK(count_char(rest, '?') == (args_given > 0));
    /* The template is copied as it is; values and arguments are escaped. */
    FUZZ_CHECK(count_char(rest, '&') == count_char(tmpl, '&') + (args_given ? args_given - 1 : 0));
    FUZZ_CHECK(count_char(rest, '=') == count_char(tmpl, '=') + args_given);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    char *check_url = fuzz_string(&in);
    char *retry_after = fuzz_string(&in);
    char *base = fuzz_string(&in);
    char *tmpl = fuzz_string(&in);

    enum net_error verdict = net_url_check(check_url ? check_url : "");
    FUZZ_CHECK(verdict == NET_ERR_NONE || verdict == NET_ERR_REFUSED_INSECURE ||
               verdict == NET_ERR_INVALID);

    long delay = -1;
    if (net_parse_retry_after(retry_after, FIXED_NOW, &delay))
        FUZZ_CHECK(delay >= 0);

    char *values[4] = {NULL};
    size_t n_values = fuzz_byte(&in) % 4;
    for (size_t i = 0; i < n_values; i++) {
        values[i] = fuzz_string(&in);
        if (!values[i])
            values[i] = g_strdup("");
    }
    struct net_query_arg query[9] = {{NULL, NULL}};
    size_t n_args = 0, args_given = 0;
    while (in.size > 0 && n_args < 8) {
        bool no_value = fuzz_byte(&in) & 1;
        char *name = fuzz_string(&in);
        char *value = fuzz_string(&in);
        if (!name) {
            g_free(value);
            break;
        }
        if (no_value) {
            g_free(value);
            value = NULL;
        } else if (!value) {
            value = g_strdup("");
        }
        query[n_args++] = (struct net_query_arg){name, value};
        args_given += value != NULL;
    }

    if (base && tmpl) {
        char *url = net_url_build(base, tmpl, (const char *const *)values, query);
        if (url) {
            /* An empty name is refused, so every given argument is name=value. */
            check_built(url, base, tmpl, args_given);
            (void)net_url_check(url);
            free(url);
        }
    }

    for (size_t i = 0; i < n_args; i++) {
        g_free((char *)query[i].name);
        g_free((char *)query[i].value);
    }
    for (size_t i = 0; i < n_values; i++)
        g_free(values[i]);
    g_free(tmpl);
    g_free(base);
    g_free(retry_after);
    g_free(check_url);
    return 0;
}
