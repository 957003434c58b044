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

/* The bindings in the order they were first bound, with an index by key so a
 * lookup (every key press) and a load (every line) do not scan them all. */
struct binding_table {
    GArray *bindings;                     /* of struct binding */
    GHashTable *by_key[UI_CONTEXT_COUNT]; /* ui_key -> index + 1 in bindings */
};

struct keymap {
    struct binding_table table;
    /* Per context and action, the indices of its bindings in order: built
     * when a load is kept, so listing an action's keys (help, hints) reads
     * only that action's bindings. NULL when there are none. */
    GArray *by_action[UI_CONTEXT_COUNT][UI_ACTION_COUNT];
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
    if (key >= 0 && key < 0x20) /* ^@ too: NUL is what Ctrl-Space sends */
        return g_strdup_printf("^%c", (char)(key + '@'));
    if (key > 0x20 && key < UI_KEY_SPECIAL && g_unichar_isprint((gunichar)key)) {
        char buf[8] = {0};
        g_unichar_to_utf8((gunichar)key, buf);
        return g_strdup(buf);
    }
    return g_strdup_printf("<0x%x>", (unsigned)key);
}

/* ---- the binding table ----------------------------------------------------------- */

static void table_init(struct binding_table *table, const GArray *from)
{
    table->bindings =
        from ? g_array_copy((GArray *)from) : g_array_new(FALSE, FALSE, sizeof(struct binding));
    for (int c = 0; c < UI_CONTEXT_COUNT; c++)
        table->by_key[c] = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < table->bindings->len; i++) {
        const struct binding *b = &g_array_index(table->bindings, struct binding, i);
        g_hash_table_insert(table->by_key[b->context], GINT_TO_POINTER(b->key),
                            GUINT_TO_POINTER(i + 1));
    }
}

static void table_clear(struct binding_table *table)
{
    g_array_unref(table->bindings);
    for (int c = 0; c < UI_CONTEXT_COUNT; c++)
        g_hash_table_unref(table->by_key[c]);
}

static const struct binding *table_find(const struct binding_table *table, enum ui_context context,
                                        ui_key key)
{
    guint slot =
        GPOINTER_TO_UINT(g_hash_table_lookup(table->by_key[context], GINT_TO_POINTER(key)));
    return slot ? &g_array_index(table->bindings, struct binding, slot - 1) : NULL;
}

static void table_put(struct binding_table *table, enum ui_context context, ui_key key,
                      enum ui_action action)
{
    struct binding *existing = (struct binding *)table_find(table, context, key);
    if (existing) {
        existing->action = action;
        return;
    }
    struct binding b = {context, key, action};
    g_array_append_val(table->bindings, b);
    g_hash_table_insert(table->by_key[context], GINT_TO_POINTER(key),
                        GUINT_TO_POINTER(table->bindings->len));
}

static void clear_action_index(struct keymap *keymap)
{
    for (int c = 0; c < UI_CONTEXT_COUNT; c++) {
        for (int a = 0; a < UI_ACTION_COUNT; a++) {
            if (keymap->by_action[c][a])
                g_array_unref(keymap->by_action[c][a]);
            keymap->by_action[c][a] = NULL;
        }
    }
}

static void build_action_index(struct keymap *keymap)
{
    clear_action_index(keymap);
    const GArray *bindings = keymap->table.bindings;
    for (guint i = 0; i < bindings->len; i++) {
        const struct binding *b = &g_array_index(bindings, struct binding, i);
        GArray **slot = &keymap->by_action[b->context][b->action];
        if (!*slot)
            *slot = g_array_new(FALSE, FALSE, sizeof(guint));
        g_array_append_val(*slot, i);
    }
}

struct keymap *keymap_new(void)
{
    struct keymap *keymap = g_new0(struct keymap, 1);
    table_init(&keymap->table, NULL);
    return keymap;
}

struct keymap *keymap_copy(const struct keymap *from)
{
    struct keymap *keymap = g_new0(struct keymap, 1);
    table_init(&keymap->table, from->table.bindings);
    keymap->mouse = from->mouse;
    build_action_index(keymap);
    return keymap;
}

void keymap_free(struct keymap *keymap)
{
    if (!keymap)
        return;
    clear_action_index(keymap);
    table_clear(&keymap->table);
    g_free(keymap);
}

/* ---- the reader --------------------------------------------------------------------- */

/* A load in progress: applied to copies, kept only when the whole text is good. */
struct load {
    struct binding_table table; /* a copy of the keymap's */
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
        table_put(&load->table, context, key, action);
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
        table_put(&load->table, context, key, UI_ACTION_NONE);
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

/* Keeps the words of a line split by g_strsplit_set: empty pieces and
 * everything from a comment (a word starting with '#') on are freed, the
 * words moved to the front, NULL-terminated (g_strfreev still frees it
 * all). Returns how many words there are. */
static guint line_words(char **parts)
{
    guint n = 0;
    bool comment = false;
    for (guint i = 0; parts[i]; i++) {
        comment = comment || parts[i][0] == '#';
        if (comment || !parts[i][0])
            g_free(parts[i]);
        else
            parts[n++] = parts[i];
    }
    parts[n] = NULL;
    return n;
}

static void load_line(struct load *load, const char *line)
{
    char **w = g_strsplit_set(line, " \t\r", -1);
    guint n = line_words(w);
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
    g_strfreev(w);
}

bool keymap_load_text(struct keymap *keymap, const char *text, const char *source, GString *errors)
{
    struct load load = {
        .mouse = keymap->mouse,
        .source = source,
        .errors = errors,
    };
    table_init(&load.table, keymap->table.bindings);
    /* g_strsplit_set, not g_strsplit: one delimiter byte needs no strstr */
    char **lines = g_strsplit_set(text, "\n", -1);
    for (char **line = lines; *line; line++) {
        load.line++;
        load_line(&load, *line);
    }
    g_strfreev(lines);
    if (load.error_count > 0) {
        table_clear(&load.table);
        return false;
    }
    table_clear(&keymap->table);
    keymap->table = load.table;
    keymap->mouse = load.mouse;
    build_action_index(keymap);
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
    const struct binding *own = table_find(&keymap->table, context, key);
    if (own)
        return own->action;
    const struct binding *generic = table_find(&keymap->table, UI_CONTEXT_GENERIC, key);
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
        const GArray *indices = keymap->by_action[wanted][action];
        for (guint i = 0; indices && i < indices->len; i++) {
            guint at = g_array_index(indices, guint, i);
            const struct binding *b = &g_array_index(keymap->table.bindings, struct binding, at);
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
