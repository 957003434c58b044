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
 * every binding then comes from the input) for the others. The defaults are
 * loaded once and copied: loading them was nearly half of each execution. */
static struct keymap *base_keymap(bool defaults)
{
    static struct keymap *loaded_defaults;
    if (!defaults)
        return keymap_new();
    if (!loaded_defaults) {
        loaded_defaults = keymap_new();
        GString *errors = g_string_new(NULL);
        FUZZ_CHECK(keymap_load_text(loaded_defaults, keymap_builtin_conf, "built-in", errors));
        g_string_free(errors, TRUE);
    }
    return keymap_copy(loaded_defaults);
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

/* Every context's keys for every action, as keymap_keys_for lists them
 * (at most 8 each): what a refused file must leave unchanged. */
struct snapshot {
    bool mouse;
    size_t count[UI_CONTEXT_COUNT][UI_ACTION_COUNT];
    ui_key keys[UI_CONTEXT_COUNT][UI_ACTION_COUNT][8];
};

static void take_snapshot(const struct keymap *keymap, struct snapshot *shot)
{
    memset(shot, 0, sizeof *shot); /* padding too: snapshots are compared with memcmp */
    shot->mouse = keymap_mouse(keymap);
    for (int c = 0; c < UI_CONTEXT_COUNT; c++)
        for (int act = 0; act < UI_ACTION_COUNT; act++)
            shot->count[c][act] = keymap_keys_for(keymap, (enum ui_context)c, (enum ui_action)act,
                                                  shot->keys[c][act], 8);
}

/* The two keymaps an input is applied to never change: their snapshots are
 * taken once, so a refused file costs one comparison, not two loads. */
static const struct snapshot *base_snapshot(bool defaults)
{
    static struct snapshot shots[2];
    static bool taken[2];
    if (!taken[defaults]) {
        struct keymap *keymap = base_keymap(defaults);
        take_snapshot(keymap, &shots[defaults]);
        keymap_free(keymap);
        taken[defaults] = true;
    }
    return &shots[defaults];
}

static bool same_bindings(const struct keymap *keymap, bool defaults)
{
    static struct snapshot now;
    take_snapshot(keymap, &now);
    return memcmp(&now, base_snapshot(defaults), sizeof now) == 0;
}

/* A key's name parses back to the same key (checked once per key and input). */
static void check_key_name(ui_key key, GHashTable *checked)
{
    if (!g_hash_table_add(checked, GINT_TO_POINTER(key)))
        return;
    char *name = keymap_key_name(key);
    FUZZ_CHECK(g_utf8_validate(name, -1, NULL));
    ui_key again;
    FUZZ_CHECK(keymap_parse_key(name, &again) && again == key);
    g_free(name);
}

static void check_bound_keys(const struct keymap *keymap)
{
    GHashTable *checked = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int c = 0; c < UI_CONTEXT_COUNT; c++) {
        for (int act = 0; act < UI_ACTION_COUNT; act++) {
            ui_key keys[8];
            size_t n = keymap_keys_for(keymap, (enum ui_context)c, (enum ui_action)act, keys, 8);
            for (size_t i = 0; i < n && i < 8; i++) {
                FUZZ_CHECK(keymap_lookup(keymap, (enum ui_context)c, keys[i]) ==
                           (enum ui_action)act);
                check_key_name(keys[i], checked);
            }
            if (n == 0)
                continue; /* nothing to show */
            char *text = keymap_keys_text(keymap, (enum ui_context)c, (enum ui_action)act, 4);
            FUZZ_CHECK(g_utf8_validate(text, -1, NULL));
            g_free(text);
        }
    }
    g_hash_table_unref(checked);
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
        FUZZ_CHECK(same_bindings(keymap, defaults)); /* refused as a whole */
    }
    check_bound_keys(keymap);
    check_key_words(text);

    g_string_free(errors, TRUE);
    keymap_free(keymap);
    g_free(text);
    return 0;
}
