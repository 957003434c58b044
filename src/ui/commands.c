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
    enum ui_action change; /* a change action: run on the focused panel, or the scope named */
};

/* The words :new and the other change commands take: where the change applies. */
static const struct {
    const char *word;
    enum change_scope scope;
} scope_words[] = {
    {"connection", CHANGE_SCOPE_CONNECTIONS},
    {"portal", CHANGE_SCOPE_PORTALS},
    {"user", CHANGE_SCOPE_USERS},
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

static enum ui_result run_invite_csv(struct console *console, const char *path)
{
    return bulk_view_open(console, UI_ACTION_INVITE_CSV, path);
}

static enum ui_result run_remove_csv(struct console *console, const char *path)
{
    return bulk_view_open(console, UI_ACTION_REMOVE_CSV, path);
}

static enum ui_result run_change(struct console *console, enum ui_action action, const char *arg)
{
    if (!changes_action_visible(console, action)) {
        browser_set_message(console->browser, true,
                            "read-only: changes are refused, nothing is sent");
        return UI_REDRAW;
    }
    if (!arg || !*arg)
        return changes_run_action(console, action);
    for (size_t i = 0; i < G_N_ELEMENTS(scope_words); i++) {
        if (strcmp(scope_words[i].word, arg) == 0)
            return changes_run_in_scope(console, action, scope_words[i].scope);
    }
    browser_set_message(console->browser, true, "'%s': say connection, portal or user", arg);
    return UI_REDRAW;
}

#define CHANGE_COMMAND(word, args, help, action)                                                   \
    {                                                                                              \
        word, args, help, NULL, false, action                                                      \
    }

static const struct command commands[] = {
    {"connect", "NAME", "open a connection's portals", run_connect, true, UI_ACTION_NONE},
    CHANGE_COMMAND("new", "connection|portal|user", "create one (a form opens)", UI_ACTION_NEW),
    CHANGE_COMMAND("invite", NULL, "invite people to the portal", UI_ACTION_INVITE),
    {"invite-csv", "FILE", "invite everyone in a CSV file (ECGrid: create them; a preview first)",
     run_invite_csv, false, UI_ACTION_INVITE_CSV},
    /* ECGrid's name for the same flow: the vendor decides, as for :invite. */
    {"create-csv", "FILE", "ECGrid: create a user per row of a CSV file (a preview first)",
     run_invite_csv, false, UI_ACTION_INVITE_CSV},
    {"remove-csv", "FILE", "remove everyone in a CSV file from the portal (asks first)",
     run_remove_csv, false, UI_ACTION_REMOVE_CSV},
    CHANGE_COMMAND("edit", NULL, "change the selected portal or user", UI_ACTION_EDIT),
    CHANGE_COMMAND("delete", NULL, "delete the selected portal or remove the user",
                   UI_ACTION_DELETE),
    CHANGE_COMMAND("set-role", NULL, "ECGrid: change the user's access level", UI_ACTION_SET_ROLE),
    CHANGE_COMMAND("set-password", NULL, "ECGrid: set the user's password", UI_ACTION_SET_PASSWORD),
    CHANGE_COMMAND("reset-sessions", NULL, "ECGrid: sign the user out", UI_ACTION_RESET_SESSIONS),
    CHANGE_COMMAND("deactivate", NULL, "Zoho: deactivate the user", UI_ACTION_DEACTIVATE),
    CHANGE_COMMAND("reactivate", NULL, "Zoho: reactivate the user", UI_ACTION_REACTIVATE),
    CHANGE_COMMAND("add-portal", NULL, "Valstorm: remember a portal by id", UI_ACTION_ADD_PORTAL),
    CHANGE_COMMAND("credentials", NULL, "store the connection's secrets", UI_ACTION_CREDENTIALS),
    CHANGE_COMMAND("whoami", NULL, "check the credentials", UI_ACTION_WHOAMI),
    CHANGE_COMMAND("user-types", NULL, "Zoho: the portal's user types", UI_ACTION_USER_TYPES),
    {"refresh", NULL, "load the current list again", run_refresh, false, UI_ACTION_NONE},
    {"filter", "TEXT", "filter the current list", run_filter, false, UI_ACTION_NONE},
    {"help", NULL, "show every key binding", run_help, false, UI_ACTION_NONE},
    {"mouse", NULL, "turn mouse support on or off", run_mouse, false, UI_ACTION_NONE},
    {"quit", NULL, "leave portalctl", run_quit, false, UI_ACTION_NONE},
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
        if (strcmp(commands[i].name, text) == 0 &&
            (commands[i].change == UI_ACTION_NONE ||
             changes_action_visible(console, commands[i].change)))
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
    } else if (found->change != UI_ACTION_NONE && !found->run) {
        result |= run_change(console, found->change, arg);
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
        for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
            if (commands[i].change == UI_ACTION_NONE ||
                changes_action_visible(console, commands[i].change))
                g_ptr_array_add(candidates, (char *)commands[i].name);
        }
    } else {
        word_start = (size_t)(strrchr(line->str, ' ') - line->str) + 1;
        if (g_str_has_prefix(line->str, "new ")) {
            for (size_t i = 0; i < G_N_ELEMENTS(scope_words); i++)
                g_ptr_array_add(candidates, (char *)scope_words[i].word);
        }
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
