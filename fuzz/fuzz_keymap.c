/*
 * Fuzz target: the keymap reader (keymap.h), keymap_load_text() on a user's
 * keys.conf, applied over the built-in defaults as the console does (or
 * over an empty keymap, see base_keymap).
 * Beyond "no crash": a refused file changes nothing and says why; every
 * bound key has a name that parses back to the same key; the help texts
 * are valid UTF-8.
 */
#include "fuzz.h"

#include <portalctl/keymap.h>
#include <portalctl/ui_action.h>

/* The keymap the user's file is applied to: the built-in defaults, as the
 * console does, for inputs of odd length; an empty one (ten times faster,
 * every binding then comes from the input) for the others. */
static struct keymap *base_keymap(bool defaults)
{
    struct keymap *keymap = keymap_new();
    if (defaults) {
        GString *errors = g_string_new(NULL);
        FUZZ_CHECK(keymap_load_text(keymap, keymap_builtin_conf, "built-in", errors));
        g_string_free(errors, TRUE);
    }
    return keymap;
}

/* The key names of every word of the input: what parses must round-trip. */
static void check_key_words(const char *text)
{
    char **words = g_strsplit_set(text, " \t\r\n", -1);
    for (char **w = words; *w; w++) {
        ui_key key;
        if (!keymap_parse_key(*w, &key))
            continue;
        char *name = keymap_key_name(key);
        ui_key again;
        FUZZ_CHECK(keymap_parse_key(name, &again));
        FUZZ_CHECK(again == key);
        g_free(name);
    }
    g_strfreev(words);
}

static bool same_bindings(const struct keymap *a, const struct keymap *b)
{
    if (keymap_mouse(a) != keymap_mouse(b))
        return false;
    for (int c = 0; c < UI_CONTEXT_COUNT; c++) {
        for (int act = 0; act < UI_ACTION_COUNT; act++) {
            char *ta = keymap_keys_text(a, (enum ui_context)c, (enum ui_action)act, 16);
            char *tb = keymap_keys_text(b, (enum ui_context)c, (enum ui_action)act, 16);
            bool same = strcmp(ta, tb) == 0;
            g_free(ta);
            g_free(tb);
            if (!same)
                return false;
        }
    }
    return true;
}

static void check_bound_keys(const struct keymap *keymap)
{
    for (int c = 0; c < UI_CONTEXT_COUNT; c++) {
        for (int act = 0; act < UI_ACTION_COUNT; act++) {
            ui_key keys[8];
            size_t n = keymap_keys_for(keymap, (enum ui_context)c, (enum ui_action)act, keys, 8);
            for (size_t i = 0; i < n && i < 8; i++) {
                FUZZ_CHECK(keymap_lookup(keymap, (enum ui_context)c, keys[i]) ==
                           (enum ui_action)act);
                char *name = keymap_key_name(keys[i]);
                ui_key again;
                FUZZ_CHECK(keymap_parse_key(name, &again) && again == keys[i]);
                g_free(name);
            }
            char *text = keymap_keys_text(keymap, (enum ui_context)c, (enum ui_action)act, 4);
            FUZZ_CHECK(g_utf8_validate(text, -1, NULL));
            g_free(text);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    bool defaults = size & 1;
    struct keymap *keymap = base_keymap(defaults);
    GString *errors = g_string_new(NULL);

    if (keymap_load_text(keymap, text, "keys.conf", errors)) {
        FUZZ_CHECK(errors->len == 0);
    } else {
        FUZZ_CHECK(g_str_has_prefix(errors->str, "keys.conf:"));
        struct keymap *untouched = base_keymap(defaults);
        FUZZ_CHECK(same_bindings(keymap, untouched)); /* refused as a whole */
        keymap_free(untouched);
    }
    check_bound_keys(keymap);
    check_key_words(text);

    g_string_free(errors, TRUE);
    keymap_free(keymap);
    g_free(text);
    return 0;
}
