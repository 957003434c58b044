/*
 * form patterns: the vendors' PCRE patterns, compiled once with GLib's GRegex
 * and kept for the life of the process.
 *
 * GRegex is PCRE, so look-aheads such as ECGrid's password rule work as the
 * vendor wrote them; POSIX regcomp() would refuse them. The cache is keyed by
 * the pattern text and guarded by a mutex: a compiled GRegex may be shared
 * between threads for matching. A pattern that fails to compile is not cached,
 * so every use reports the bug again instead of passing silently.
 *
 * Never: change a pattern, or add flags that change its meaning.
 */
#include "form_rules.h"

#include <glib.h>

static GMutex cache_lock;
static GHashTable *cache; /* pattern text -> GRegex */

/* Returns a new reference, or NULL with *problem set. */
static GRegex *pattern_lookup(const char *pattern, char **problem)
{
    g_mutex_lock(&cache_lock);
    if (cache == NULL)
        cache =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_regex_unref);
    GRegex *regex = g_hash_table_lookup(cache, pattern);
    if (regex == NULL) {
        GError *error = NULL;
        regex = g_regex_new(pattern, G_REGEX_OPTIMIZE, 0, &error);
        if (regex == NULL) {
            *problem =
                g_strdup_printf("the pattern %s does not compile: %s", pattern, error->message);
            g_error_free(error);
            g_mutex_unlock(&cache_lock);
            return NULL;
        }
        g_hash_table_insert(cache, g_strdup(pattern), regex);
    }
    g_regex_ref(regex);
    g_mutex_unlock(&cache_lock);
    return regex;
}

bool form_pattern_match(const char *pattern, const char *text, bool *matched, char **problem)
{
    GRegex *regex = pattern_lookup(pattern, problem);
    if (regex == NULL)
        return false;
    *matched = g_regex_match(regex, text, 0, NULL);
    g_regex_unref(regex);
    return true;
}
