/*
 * The ":" command line: a table of commands, each with its help line and
 * handler. Enter runs exactly what was typed (no guessing from prefixes);
 * Tab completes command names and, after "connect", connection names.
 */
#include "ui_internal.h"

#include <string.h>

struct command {
    const char *name;
    const char *args; /* shown in help and errors; NULL: takes none */
    const char *help;
    enum ui_result (*run)(struct console *console, const char *arg);
    bool completes_connections;
};

static enum ui_result run_connect(struct console *console, const char *arg)
{
    int index = browser_find_connection(console->browser, arg);
    if (index < 0) {
        browser_set_message(console->browser, true, "no connection named '%s'", arg);
        return UI_REDRAW;
    }
    return console_open_connection(console, (size_t)index);
}

static enum ui_result run_refresh(struct console *console, const char *arg)
{
    (void)arg;
    return console_do_action(console, UI_ACTION_REFRESH);
}

static enum ui_result run_help(struct console *console, const char *arg)
{
    (void)arg;
    return console_do_action(console, UI_ACTION_HELP);
}

static enum ui_result run_quit(struct console *console, const char *arg)
{
    (void)arg;
    (void)console;
    return UI_QUIT;
}

static enum ui_result run_filter(struct console *console, const char *arg)
{
    list_model_set_filter(console_current_model(console), arg);
    return UI_REDRAW;
}

static enum ui_result run_mouse(struct console *console, const char *arg)
{
    (void)arg;
    return console_do_action(console, UI_ACTION_TOGGLE_MOUSE);
}

static const struct command commands[] = {
    {"connect", "NAME", "open a connection's portals", run_connect, true},
    {"refresh", NULL, "load the current list again", run_refresh, false},
    {"filter", "TEXT", "filter the current list", run_filter, false},
    {"help", NULL, "show every key binding", run_help, false},
    {"mouse", NULL, "turn mouse support on or off", run_mouse, false},
    {"quit", NULL, "leave portalctl", run_quit, false},
};

enum ui_result command_run(struct console *console, const char *line)
{
    char *text = g_strstrip(g_strdup(line));
    char *space = strchr(text, ' ');
    char *arg = space ? g_strstrip(space + 1) : NULL;
    if (space)
        *space = '\0';
    enum ui_result result = UI_REDRAW;
    const struct command *found = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(commands) && !found; i++) {
        if (strcmp(commands[i].name, text) == 0)
            found = &commands[i];
    }
    if (!*text) {
        /* nothing typed: nothing to do */
    } else if (!found) {
        browser_set_message(console->browser, true, "unknown command ':%s' (Tab lists them)", text);
    } else if (found->args && !(arg && *arg)) {
        browser_set_message(console->browser, true, ":%s needs %s", found->name, found->args);
    } else if (!found->args && arg && *arg) {
        browser_set_message(console->browser, true, ":%s takes nothing after it", found->name);
    } else {
        result |= found->run(console, arg);
    }
    g_free(text);
    return result;
}

/* Replaces the word being completed with the longest common prefix of the
 * candidates; a single candidate is completed with a space after it. */
static bool complete_word(struct console *console, GString *line, size_t word_start,
                          GPtrArray *candidates)
{
    const char *word = line->str + word_start;
    GPtrArray *matches = g_ptr_array_new();
    for (guint i = 0; i < candidates->len; i++) {
        if (g_str_has_prefix(candidates->pdata[i], word))
            g_ptr_array_add(matches, candidates->pdata[i]);
    }
    bool changed = false;
    if (matches->len > 0) {
        GString *common = g_string_new(matches->pdata[0]);
        for (guint i = 1; i < matches->len; i++) {
            const char *m = matches->pdata[i];
            gsize n = 0;
            while (n < common->len && m[n] == common->str[n])
                n++;
            g_string_truncate(common, n);
        }
        if (matches->len == 1)
            g_string_append_c(common, ' ');
        changed = strcmp(common->str, word) != 0;
        g_string_truncate(line, word_start);
        g_string_append(line, common->str);
        g_string_free(common, TRUE);
    }
    if (matches->len > 1) {
        GString *list = g_string_new(NULL);
        for (guint i = 0; i < matches->len; i++)
            g_string_append_printf(list, "%s%s", i ? "  " : "", (char *)matches->pdata[i]);
        browser_set_message(console->browser, false, "%s", list->str);
        g_string_free(list, TRUE);
    } else if (matches->len == 0) {
        browser_set_message(console->browser, true, "nothing matches '%s'", word);
    }
    g_ptr_array_unref(matches);
    return changed;
}

bool command_complete(struct console *console, GString *line)
{
    GPtrArray *candidates = g_ptr_array_new();
    const char *space = strchr(line->str, ' ');
    size_t word_start = 0;
    if (!space) {
        for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
            g_ptr_array_add(candidates, (char *)commands[i].name);
    } else {
        word_start = (size_t)(strrchr(line->str, ' ') - line->str) + 1;
        for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
            size_t n = strlen(commands[i].name);
            if (commands[i].completes_connections && strncmp(line->str, commands[i].name, n) == 0 &&
                line->str[n] == ' ') {
                for (size_t c = 0; c < browser_connection_count(console->browser); c++)
                    g_ptr_array_add(candidates,
                                    browser_connection_at(console->browser, c)->config->name);
            }
        }
    }
    bool changed = complete_word(console, line, word_start, candidates);
    g_ptr_array_unref(candidates);
    return changed;
}
