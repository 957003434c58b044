/*
 * The keymap: which key runs which action in which context, read from the
 * keys.conf syntax. The defaults are assets/keys.conf, compiled into the
 * binary at build time (keymap_builtin_conf); a user file
 * $XDG_CONFIG_HOME/portalctl/keys.conf with the same syntax is read after it
 * and overrides it.
 *
 * Syntax, one statement per line; blank lines are ignored, and a word that
 * starts with '#' starts a comment that runs to the end of the line:
 *
 *     bind CONTEXT KEY ACTION    # KEY now runs ACTION in CONTEXT
 *     unbind CONTEXT KEY         # KEY does nothing in CONTEXT (nor falls back)
 *     set mouse on|off           # mouse support when the console starts
 *
 * CONTEXT is generic, main, detail, help, form or dialog (ui_action.h); a generic binding
 * applies wherever the context does not bind the key itself. KEY is one
 * character ("j", "G", "/", "é"), a control key ("^S", "^G"), or a name in
 * angle brackets: <Up> <Down> <Left> <Right> <PgUp> <PgDn> <Home> <End>
 * <Enter> <Esc> <Tab> <S-Tab> <Space> <Backspace> <Delete> <Insert> <Hash>
 * <F1>…<F12> (names are case-insensitive). ACTION is a name from ui_action.h.
 *
 * A file with any error is refused as a whole (nothing of it applies), and
 * every error is reported as "FILE:LINE: message", all of them at once.
 *
 * Keys are plain integers here (Unicode code points, and UI_KEY_* above the
 * Unicode range): no curses in this module, so it is unit-tested without a
 * terminal. src/ui/ translates curses key codes into these.
 */
#ifndef PORTALCTL_KEYMAP_H
#define PORTALCTL_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include <portalctl/ui_action.h>

typedef int32_t ui_key;

/* Keys that are not characters. Control keys are their code points
 * (^S = 0x13); Enter is '\n', Tab '\t', Esc 0x1b. */
enum {
    UI_KEY_ENTER = '\n',
    UI_KEY_TAB = '\t',
    UI_KEY_ESC = 0x1b,
    UI_KEY_SPACE = ' ',
    UI_KEY_SPECIAL = 0x110000, /* first value past Unicode */
    UI_KEY_UP = UI_KEY_SPECIAL,
    UI_KEY_DOWN,
    UI_KEY_LEFT,
    UI_KEY_RIGHT,
    UI_KEY_PAGE_UP,
    UI_KEY_PAGE_DOWN,
    UI_KEY_HOME,
    UI_KEY_END,
    UI_KEY_BACK_TAB,
    UI_KEY_BACKSPACE,
    UI_KEY_DELETE,
    UI_KEY_INSERT,
    UI_KEY_F1,
    UI_KEY_F12 = UI_KEY_F1 + 11,
    UI_KEY_LAST,
};

/* Parses one KEY word (see above). */
bool keymap_parse_key(const char *word, ui_key *key);
/* The name keys.conf and the help screen use: "j", "^S", "<PgDn>". g_free it. */
char *keymap_key_name(ui_key key);

/* The defaults: assets/keys.conf, as compiled in. */
extern const char keymap_builtin_conf[];

struct keymap;

/* An empty keymap (no bindings, mouse off). */
struct keymap *keymap_new(void);
/* A keymap with the same bindings, in the same order, and the same mouse
 * setting; changing either afterwards leaves the other as it was. */
struct keymap *keymap_copy(const struct keymap *from);
void keymap_free(struct keymap *keymap);

/* Applies the statements in text; source names it in errors ("keys.conf").
 * On any error nothing changes, every problem is appended to errors as
 * "source:line: message\n", and false is returned. */
bool keymap_load_text(struct keymap *keymap, const char *text, const char *source, GString *errors);

/* Like keymap_load_text for a file. A missing file is fine (nothing changes,
 * true); an unreadable one is an error. */
bool keymap_load_file(struct keymap *keymap, const char *path, GString *errors);

/* "$XDG_CONFIG_HOME/portalctl/keys.conf". g_free it. */
char *keymap_user_path(void);

/* The action for key in context, falling back to generic; UI_ACTION_NONE
 * when the key is not bound (or unbound). */
enum ui_action keymap_lookup(const struct keymap *keymap, enum ui_context context, ui_key key);

/* The keys that run action in context (own bindings first, then generic
 * ones not shadowed), in the order they were bound. Returns how many were
 * written to keys (at most max); the total may be larger. */
size_t keymap_keys_for(const struct keymap *keymap, enum ui_context context, enum ui_action action,
                       ui_key *keys, size_t max);

/* "j, <Down>" for the help screen and hints; "" when unbound. g_free it. */
char *keymap_keys_text(const struct keymap *keymap, enum ui_context context, enum ui_action action,
                       size_t max_keys);

/* The "set mouse" option. */
bool keymap_mouse(const struct keymap *keymap);

#endif
