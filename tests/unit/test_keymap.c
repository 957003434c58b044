/*
 * keymap: the keys.conf reader, key names, lookup with generic fallback,
 * the compiled-in defaults, and errors that name file:line. No curses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <portalctl/keymap.h>
#include <portalctl/ui_action.h>

struct key_case {
    const char *word;
    ui_key key;
    const char *name; /* how it is shown */
};

static const struct key_case key_cases[] = {
    {"j", 'j', "j"},
    {"G", 'G', "G"},
    {"/", '/', "/"},
    {"<", '<', "<"},
    {"^", '^', "^"},
    {"é", 0xe9, "é"},
    {"^S", 0x13, "^S"},
    {"^s", 0x13, "^S"},
    {"^@", 0x00, "^@"}, /* NUL (Ctrl-Space): once named <0x0>, which did not parse back */
    {"<PgDn>", UI_KEY_PAGE_DOWN, "<PgDn>"},
    {"<pagedown>", UI_KEY_PAGE_DOWN, "<PgDn>"},
    {"<Enter>", UI_KEY_ENTER, "<Enter>"},
    {"<Esc>", UI_KEY_ESC, "<Esc>"},
    {"<S-Tab>", UI_KEY_BACK_TAB, "<S-Tab>"},
    {"<Tab>", UI_KEY_TAB, "<Tab>"},
    {"<Space>", ' ', "<Space>"},
    {"<Hash>", '#', "<Hash>"},
    {"<F1>", UI_KEY_F1, "<F1>"},
    {"<F12>", UI_KEY_F12, "<F12>"},
};

static void test_keymap_parse_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
        ui_key key = -1;
        assert_true(keymap_parse_key(key_cases[i].word, &key));
        assert_int_equal(key_cases[i].key, key);
        char *name = keymap_key_name(key);
        assert_string_equal(key_cases[i].name, name);
        g_free(name);
    }
}

static void test_keymap_parse_key_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {"",   "jk",   "<Nope>", "<F13>", "<F0>",
                                      "^1", "\xff", "<>",     " ",     "\t"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ui_key key = -1;
        assert_false(keymap_parse_key(bad[i], &key));
    }
}

static void test_keymap_lookup_with_generic_fallback(void **state)
{
    (void)state;
    struct keymap *keymap = keymap_new();
    GString *errors = g_string_new(NULL);
    assert_true(keymap_load_text(keymap,
                                 "# comment line\n"
                                 "bind generic j move-down   # trailing comment\n"
                                 "\n"
                                 "bind main r refresh\n"
                                 "bind help j first\n"
                                 "bind generic <Hash> help\n",
                                 "test.conf", errors));
    assert_string_equal("", errors->str);
    assert_int_equal(UI_ACTION_MOVE_DOWN, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'j'));
    assert_int_equal(UI_ACTION_FIRST, keymap_lookup(keymap, UI_CONTEXT_HELP, 'j'));
    assert_int_equal(UI_ACTION_REFRESH, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'r'));
    assert_int_equal(UI_ACTION_NONE, keymap_lookup(keymap, UI_CONTEXT_HELP, 'r'));
    assert_int_equal(UI_ACTION_HELP, keymap_lookup(keymap, UI_CONTEXT_DETAIL, '#'));
    g_string_free(errors, TRUE);
    keymap_free(keymap);
}

static void test_keymap_user_file_overrides_and_unbinds(void **state)
{
    (void)state;
    struct keymap *keymap = keymap_new();
    assert_true(keymap_load_text(keymap, keymap_builtin_conf, "keys.conf", NULL));
    assert_int_equal(UI_ACTION_QUIT, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'q'));
    assert_true(keymap_load_text(keymap,
                                 "unbind generic q\n"
                                 "bind generic Q quit\n"
                                 "bind main j move-up\n"
                                 "set mouse on\n",
                                 "user.conf", NULL));
    assert_int_equal(UI_ACTION_NONE, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'q'));
    assert_int_equal(UI_ACTION_QUIT, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'Q'));
    assert_int_equal(UI_ACTION_MOVE_UP, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'j'));
    /* Generic j still moves down where main's override does not apply. */
    assert_int_equal(UI_ACTION_MOVE_DOWN, keymap_lookup(keymap, UI_CONTEXT_HELP, 'j'));
    assert_true(keymap_mouse(keymap));
    keymap_free(keymap);
}

/* A copy answers like the original, and the two then change independently. */
static void test_keymap_copy_is_independent(void **state)
{
    (void)state;
    struct keymap *defaults = keymap_new();
    assert_true(keymap_load_text(defaults, keymap_builtin_conf, "keys.conf", NULL));
    struct keymap *copy = keymap_copy(defaults);
    for (int c = 0; c < UI_CONTEXT_COUNT; c++) {
        for (int act = 0; act < UI_ACTION_COUNT; act++) {
            char *a = keymap_keys_text(defaults, (enum ui_context)c, (enum ui_action)act, 16);
            char *b = keymap_keys_text(copy, (enum ui_context)c, (enum ui_action)act, 16);
            assert_string_equal(a, b);
            g_free(a);
            g_free(b);
        }
    }
    assert_true(keymap_load_text(copy, "unbind generic q\nbind main Q quit\nset mouse on\n",
                                 "user.conf", NULL));
    assert_int_equal(UI_ACTION_NONE, keymap_lookup(copy, UI_CONTEXT_MAIN, 'q'));
    assert_int_equal(UI_ACTION_QUIT, keymap_lookup(defaults, UI_CONTEXT_MAIN, 'q'));
    assert_int_equal(UI_ACTION_NONE, keymap_lookup(defaults, UI_CONTEXT_MAIN, 'Q'));
    assert_true(keymap_mouse(copy));
    assert_false(keymap_mouse(defaults));
    keymap_free(defaults);
    assert_int_equal(UI_ACTION_QUIT, keymap_lookup(copy, UI_CONTEXT_MAIN, 'Q'));
    keymap_free(copy);
}

static void test_keymap_errors_name_file_and_line_and_change_nothing(void **state)
{
    (void)state;
    struct keymap *keymap = keymap_new();
    assert_true(keymap_load_text(keymap, "bind generic j move-down\n", "a.conf", NULL));
    GString *errors = g_string_new(NULL);
    assert_false(keymap_load_text(keymap,
                                  "bind generic j move-up\n"
                                  "bind main x mvoe-down\n"
                                  "bind mian j move-down\n"
                                  "bind main <Nope> quit\n"
                                  "bind main j\n"
                                  "frobnicate\n"
                                  "set mouse maybe\n"
                                  "set colour on\n"
                                  "unbind main\n",
                                  "keys.conf", errors));
    const char *expected = "keys.conf:2: unknown action 'mvoe-down' (see the help screen, ?)\n"
                           "keys.conf:3: unknown context 'mian' (one of generic, main, detail, "
                           "help, form, dialog)\n"
                           "keys.conf:4: unknown key '<Nope>' (one character, ^X, or a name such "
                           "as <PgDn>)\n"
                           "keys.conf:5: bind takes CONTEXT KEY ACTION (2 words given)\n"
                           "keys.conf:6: unknown statement 'frobnicate' (bind, unbind or set)\n"
                           "keys.conf:7: mouse must be on or off (found 'maybe')\n"
                           "keys.conf:8: unknown option 'colour' (the only option is mouse)\n"
                           "keys.conf:9: unbind takes CONTEXT KEY (1 word given)\n";
    assert_string_equal(expected, errors->str);
    /* The good first line of the refused file did not apply either. */
    assert_int_equal(UI_ACTION_MOVE_DOWN, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'j'));
    g_string_free(errors, TRUE);
    keymap_free(keymap);
}

static void test_keymap_builtin_conf_is_complete(void **state)
{
    (void)state;
    struct keymap *keymap = keymap_new();
    GString *errors = g_string_new(NULL);
    assert_true(keymap_load_text(keymap, keymap_builtin_conf, "keys.conf", errors));
    assert_string_equal("", errors->str);
    /* Every action is reachable by some key in the context it belongs to. */
    for (int a = UI_ACTION_NONE + 1; a < UI_ACTION_COUNT; a++) {
        size_t n = 0;
        for (int c = 0; c < UI_CONTEXT_COUNT; c++)
            n += keymap_keys_for(keymap, (enum ui_context)c, (enum ui_action)a, NULL, 0);
        if (n == 0)
            fail_msg("action %s has no default key", ui_action_name((enum ui_action)a));
    }
    /* The issue's defaults. */
    assert_int_equal(UI_ACTION_MOVE_DOWN, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'j'));
    assert_int_equal(UI_ACTION_MOVE_UP, keymap_lookup(keymap, UI_CONTEXT_MAIN, UI_KEY_UP));
    assert_int_equal(UI_ACTION_LAST, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'G'));
    assert_int_equal(UI_ACTION_NEXT_PANEL, keymap_lookup(keymap, UI_CONTEXT_MAIN, UI_KEY_TAB));
    assert_int_equal(UI_ACTION_OPEN, keymap_lookup(keymap, UI_CONTEXT_MAIN, UI_KEY_ENTER));
    assert_int_equal(UI_ACTION_BACK, keymap_lookup(keymap, UI_CONTEXT_MAIN, UI_KEY_ESC));
    assert_int_equal(UI_ACTION_FILTER, keymap_lookup(keymap, UI_CONTEXT_MAIN, '/'));
    assert_int_equal(UI_ACTION_COMMAND, keymap_lookup(keymap, UI_CONTEXT_MAIN, ':'));
    assert_int_equal(UI_ACTION_HELP, keymap_lookup(keymap, UI_CONTEXT_MAIN, '?'));
    assert_int_equal(UI_ACTION_QUIT, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'q'));
    assert_int_equal(UI_ACTION_BACK, keymap_lookup(keymap, UI_CONTEXT_HELP, 'q'));
    assert_false(keymap_mouse(keymap));
    g_string_free(errors, TRUE);
    keymap_free(keymap);
}

static void test_keymap_keys_text_lists_own_then_generic_unshadowed(void **state)
{
    (void)state;
    struct keymap *keymap = keymap_new();
    assert_true(keymap_load_text(keymap,
                                 "bind generic q quit\n"
                                 "bind generic ^Q quit\n"
                                 "bind help q back\n"
                                 "bind help <F10> quit\n",
                                 "t", NULL));
    char *main_keys = keymap_keys_text(keymap, UI_CONTEXT_MAIN, UI_ACTION_QUIT, 8);
    char *help_keys = keymap_keys_text(keymap, UI_CONTEXT_HELP, UI_ACTION_QUIT, 8);
    char *one = keymap_keys_text(keymap, UI_CONTEXT_MAIN, UI_ACTION_QUIT, 1);
    assert_string_equal("q ^Q", main_keys);
    assert_string_equal("<F10> ^Q", help_keys); /* generic q is shadowed in help */
    assert_string_equal("q", one);
    g_free(main_keys);
    g_free(help_keys);
    g_free(one);
    keymap_free(keymap);
}

static void test_keymap_load_file(void **state)
{
    (void)state;
    char *dir = g_dir_make_tmp("keymap-test.XXXXXX", NULL);
    assert_non_null(dir);
    char *path = g_build_filename(dir, "keys.conf", NULL);
    struct keymap *keymap = keymap_new();
    GString *errors = g_string_new(NULL);
    /* Missing: fine, nothing changes. */
    assert_true(keymap_load_file(keymap, path, errors));
    assert_string_equal("", errors->str);
    assert_true(g_file_set_contents(path, "bind main x quit\nbind main y nothing\n", -1, NULL));
    assert_false(keymap_load_file(keymap, path, errors));
    char *expected =
        g_strdup_printf("%s:2: unknown action 'nothing' (see the help screen, ?)\n", path);
    assert_string_equal(expected, errors->str);
    assert_int_equal(UI_ACTION_NONE, keymap_lookup(keymap, UI_CONTEXT_MAIN, 'x'));
    g_free(expected);
    g_string_free(errors, TRUE);
    keymap_free(keymap);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

static void test_ui_action_table(void **state)
{
    (void)state;
    for (int a = UI_ACTION_NONE + 1; a < UI_ACTION_COUNT; a++) {
        enum ui_action back;
        assert_non_null(ui_action_help((enum ui_action)a));
        assert_non_null(ui_action_hint((enum ui_action)a));
        assert_true(ui_action_from_name(ui_action_name((enum ui_action)a), &back));
        assert_int_equal(a, back);
    }
    assert_null(ui_action_name(UI_ACTION_NONE));
    enum ui_action none;
    assert_false(ui_action_from_name("Quit", &none));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keymap_parse_key),
        cmocka_unit_test(test_keymap_parse_key_refuses),
        cmocka_unit_test(test_keymap_lookup_with_generic_fallback),
        cmocka_unit_test(test_keymap_user_file_overrides_and_unbinds),
        cmocka_unit_test(test_keymap_errors_name_file_and_line_and_change_nothing),
        cmocka_unit_test(test_keymap_builtin_conf_is_complete),
        cmocka_unit_test(test_keymap_keys_text_lists_own_then_generic_unshadowed),
        cmocka_unit_test(test_keymap_load_file),
        cmocka_unit_test(test_keymap_copy_is_independent),
        cmocka_unit_test(test_ui_action_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
