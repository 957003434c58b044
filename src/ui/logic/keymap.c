/*
 * The keymap reader and lookup (syntax in keymap.h). Bindings are kept as an
 * ordered array so help and hints list keys in the order the files gave
 * them; a later binding of the same key in the same context replaces the
 * earlier one in place. No curses here.
 */
#include <portalctl/keymap.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <portalctl/store_files.h>

struct binding {
    enum ui_context context;
    ui_key key;
    enum ui_action action; /* UI_ACTION_NONE: unbound (no generic fallback) */
};

struct keymap {
    GArray *bindings; /* of struct binding, in the order they were first bound */
    bool mouse;
};

/* ---- key names ------------------------------------------------------------------ */

struct key_name {
    const char *name;
    ui_key key;
};

/* The first name of a key is the one shown. */
static const struct key_name key_names[] = {
    {"Up", UI_KEY_UP},
    {"Down", UI_KEY_DOWN},
    {"Left", UI_KEY_LEFT},
    {"Right", UI_KEY_RIGHT},
    {"PgUp", UI_KEY_PAGE_UP},
    {"PageUp", UI_KEY_PAGE_UP},
    {"PgDn", UI_KEY_PAGE_DOWN},
    {"PageDown", UI_KEY_PAGE_DOWN},
    {"Home", UI_KEY_HOME},
    {"End", UI_KEY_END},
    {"Enter", UI_KEY_ENTER},
    {"Esc", UI_KEY_ESC},
    {"Escape", UI_KEY_ESC},
    {"Tab", UI_KEY_TAB},
    {"S-Tab", UI_KEY_BACK_TAB},
    {"BackTab", UI_KEY_BACK_TAB},
    {"Space", UI_KEY_SPACE},
    {"Backspace", UI_KEY_BACKSPACE},
    {"Delete", UI_KEY_DELETE},
    {"Insert", UI_KEY_INSERT},
    {"Hash", '#'},
};

static bool parse_function_key(const char *name, ui_key *key)
{
    if ((name[0] != 'F' && name[0] != 'f') || !g_ascii_isdigit(name[1]))
        return false;
    char *end = NULL;
    long n = strtol(name + 1, &end, 10);
    if (*end || n < 1 || n > 12)
        return false;
    *key = UI_KEY_F1 + (ui_key)(n - 1);
    return true;
}

static bool parse_named_key(const char *word, size_t len, ui_key *key)
{
    char *name = g_strndup(word + 1, len - 2);
    bool found = parse_function_key(name, key);
    for (size_t i = 0; !found && i < G_N_ELEMENTS(key_names); i++) {
        if (g_ascii_strcasecmp(key_names[i].name, name) == 0) {
            *key = key_names[i].key;
            found = true;
        }
    }
    g_free(name);
    return found;
}

bool keymap_parse_key(const char *word, ui_key *key)
{
    size_t len = strlen(word);
    if (len == 0 || !g_utf8_validate(word, (gssize)len, NULL))
        return false;
    if (len > 2 && word[0] == '<' && word[len - 1] == '>')
        return parse_named_key(word, len, key);
    if (len == 2 && word[0] == '^') {
        char c = g_ascii_toupper(word[1]);
        if (c < '@' || c > '_')
            return false;
        *key = c - '@';
        return true;
    }
    gunichar c = g_utf8_get_char(word);
    if (g_utf8_next_char(word) != word + len || !g_unichar_isprint(c) || c == ' ')
        return false; /* one printable character, nothing more */
    *key = (ui_key)c;
    return true;
}

char *keymap_key_name(ui_key key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(key_names); i++) {
        if (key_names[i].key == key)
            return g_strdup_printf("<%s>", key_names[i].name);
    }
    if (key >= UI_KEY_F1 && key <= UI_KEY_F12)
        return g_strdup_printf("<F%d>", key - UI_KEY_F1 + 1);
    if (key > 0 && key < 0x20)
        return g_strdup_printf("^%c", (char)(key + '@'));
    if (key > 0x20 && key < UI_KEY_SPECIAL && g_unichar_isprint((gunichar)key)) {
        char buf[8] = {0};
        g_unichar_to_utf8((gunichar)key, buf);
        return g_strdup(buf);
    }
    return g_strdup_printf("<0x%x>", (unsigned)key);
}

/* ---- the binding table ----------------------------------------------------------- */

struct keymap *keymap_new(void)
{
    struct keymap *keymap = g_new0(struct keymap, 1);
    keymap->bindings = g_array_new(FALSE, FALSE, sizeof(struct binding));
    return keymap;
}

void keymap_free(struct keymap *keymap)
{
    if (!keymap)
        return;
    g_array_unref(keymap->bindings);
    g_free(keymap);
}

static struct binding *find_binding(GArray *bindings, enum ui_context context, ui_key key)
{
    for (guint i = 0; i < bindings->len; i++) {
        struct binding *b = &g_array_index(bindings, struct binding, i);
        if (b->context == context && b->key == key)
            return b;
    }
    return NULL;
}

static void put_binding(GArray *bindings, enum ui_context context, ui_key key,
                        enum ui_action action)
{
    struct binding *existing = find_binding(bindings, context, key);
    if (existing) {
        existing->action = action;
        return;
    }
    struct binding b = {context, key, action};
    g_array_append_val(bindings, b);
}

/* ---- the reader --------------------------------------------------------------------- */

/* A load in progress: applied to copies, kept only when the whole text is good. */
struct load {
    GArray *bindings;
    bool mouse;
    const char *source;
    unsigned line;
    GString *errors;
    unsigned error_count;
};

static void load_error(struct load *load, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void load_error(struct load *load, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    if (load->errors)
        g_string_append_printf(load->errors, "%s:%u: %s\n", load->source, load->line, message);
    g_free(message);
    load->error_count++;
}

static const char *context_list(void)
{
    return "generic, main, detail, help, form, dialog";
}

static bool parse_context(struct load *load, const char *word, enum ui_context *context)
{
    if (ui_context_from_name(word, context))
        return true;
    load_error(load, "unknown context '%s' (one of %s)", word, context_list());
    return false;
}

static bool parse_key_word(struct load *load, const char *word, ui_key *key)
{
    if (keymap_parse_key(word, key))
        return true;
    load_error(load, "unknown key '%s' (one character, ^X, or a name such as <PgDn>)", word);
    return false;
}

static void statement_bind(struct load *load, char **words, guint n)
{
    if (n != 4) {
        load_error(load, "bind takes CONTEXT KEY ACTION (%u word%s given)", n - 1,
                   n == 2 ? "" : "s");
        return;
    }
    enum ui_context context;
    ui_key key;
    enum ui_action action;
    bool ok = parse_context(load, words[1], &context);
    ok = parse_key_word(load, words[2], &key) && ok;
    if (!ui_action_from_name(words[3], &action)) {
        load_error(load, "unknown action '%s' (see the help screen, ?)", words[3]);
        ok = false;
    }
    if (ok)
        put_binding(load->bindings, context, key, action);
}

static void statement_unbind(struct load *load, char **words, guint n)
{
    if (n != 3) {
        load_error(load, "unbind takes CONTEXT KEY (%u word%s given)", n - 1, n == 2 ? "" : "s");
        return;
    }
    enum ui_context context;
    ui_key key;
    bool ok = parse_context(load, words[1], &context);
    if (parse_key_word(load, words[2], &key) && ok)
        put_binding(load->bindings, context, key, UI_ACTION_NONE);
}

static void statement_set(struct load *load, char **words, guint n)
{
    if (n != 3) {
        load_error(load, "set takes OPTION VALUE, e.g. 'set mouse on'");
        return;
    }
    if (strcmp(words[1], "mouse") != 0) {
        load_error(load, "unknown option '%s' (the only option is mouse)", words[1]);
        return;
    }
    if (strcmp(words[2], "on") == 0)
        load->mouse = true;
    else if (strcmp(words[2], "off") == 0)
        load->mouse = false;
    else
        load_error(load, "mouse must be on or off (found '%s')", words[2]);
}

/* Splits a line into words, dropping a comment (a word starting with '#'). */
static GPtrArray *line_words(const char *line)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    char **parts = g_strsplit_set(line, " \t\r", -1);
    for (char **p = parts; *p; p++) {
        if (**p == '#')
            break;
        if (**p)
            g_ptr_array_add(words, g_strdup(*p));
    }
    g_strfreev(parts);
    g_ptr_array_add(words, NULL);
    return words;
}

static void load_line(struct load *load, const char *line)
{
    GPtrArray *words = line_words(line);
    guint n = words->len - 1;
    char **w = (char **)words->pdata;
    if (n == 0) {
        /* blank or comment */
    } else if (!g_utf8_validate(line, -1, NULL)) {
        load_error(load, "not valid UTF-8");
    } else if (strcmp(w[0], "bind") == 0) {
        statement_bind(load, w, n);
    } else if (strcmp(w[0], "unbind") == 0) {
        statement_unbind(load, w, n);
    } else if (strcmp(w[0], "set") == 0) {
        statement_set(load, w, n);
    } else {
        load_error(load, "unknown statement '%s' (bind, unbind or set)", w[0]);
    }
    g_ptr_array_unref(words);
}

bool keymap_load_text(struct keymap *keymap, const char *text, const char *source, GString *errors)
{
    struct load load = {
        .bindings = g_array_copy(keymap->bindings),
        .mouse = keymap->mouse,
        .source = source,
        .errors = errors,
    };
    char **lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line; line++) {
        load.line++;
        load_line(&load, *line);
    }
    g_strfreev(lines);
    if (load.error_count > 0) {
        g_array_unref(load.bindings);
        return false;
    }
    g_array_unref(keymap->bindings);
    keymap->bindings = load.bindings;
    keymap->mouse = load.mouse;
    return true;
}

bool keymap_load_file(struct keymap *keymap, const char *path, GString *errors)
{
    char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        bool missing = g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
        if (!missing && errors)
            g_string_append_printf(errors, "%s: %s\n", path, error->message);
        g_error_free(error);
        return missing;
    }
    bool ok = keymap_load_text(keymap, text, path, errors);
    g_free(text);
    return ok;
}

char *keymap_user_path(void)
{
    char *dir = store_config_dir();
    char *path = g_build_filename(dir, "keys.conf", NULL);
    g_free(dir);
    return path;
}

/* ---- lookup ------------------------------------------------------------------------- */

enum ui_action keymap_lookup(const struct keymap *keymap, enum ui_context context, ui_key key)
{
    const struct binding *own = find_binding(keymap->bindings, context, key);
    if (own)
        return own->action;
    const struct binding *generic = find_binding(keymap->bindings, UI_CONTEXT_GENERIC, key);
    return generic ? generic->action : UI_ACTION_NONE;
}

size_t keymap_keys_for(const struct keymap *keymap, enum ui_context context, enum ui_action action,
                       ui_key *keys, size_t max)
{
    size_t total = 0;
    /* Own bindings first, then generic ones the context does not shadow. */
    for (int pass = 0; pass < 2; pass++) {
        enum ui_context wanted = pass == 0 ? context : UI_CONTEXT_GENERIC;
        if (pass == 1 && context == UI_CONTEXT_GENERIC)
            break;
        for (guint i = 0; i < keymap->bindings->len; i++) {
            const struct binding *b = &g_array_index(keymap->bindings, struct binding, i);
            if (b->context != wanted || b->action != action)
                continue;
            if (keymap_lookup(keymap, context, b->key) != action)
                continue; /* shadowed by the context's own binding */
            if (total < max)
                keys[total] = b->key;
            total++;
        }
    }
    return total;
}

char *keymap_keys_text(const struct keymap *keymap, enum ui_context context, enum ui_action action,
                       size_t max_keys)
{
    ui_key keys[16];
    size_t n = keymap_keys_for(keymap, context, action, keys, G_N_ELEMENTS(keys));
    if (n > max_keys)
        n = max_keys;
    if (n > G_N_ELEMENTS(keys))
        n = G_N_ELEMENTS(keys);
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        char *name = keymap_key_name(keys[i]);
        g_string_append_printf(text, "%s%s", i ? " " : "", name);
        g_free(name);
    }
    return g_string_free(text, FALSE);
}

bool keymap_mouse(const struct keymap *keymap)
{
    return keymap->mouse;
}
