/*
 * The console's actions, declared once with their help text (an X-macro, as
 * tig's request.h), and the contexts key bindings belong to.
 *
 * Everything that lists actions — the keymap reader, the help screen, the
 * hints line, the command line — is generated from this table, so help can
 * never drift from behaviour. Owns names and help texts only: no curses, no
 * behaviour (the console's handlers live in src/ui/).
 */
#ifndef PORTALCTL_UI_ACTION_H
#define PORTALCTL_UI_ACTION_H

#include <stdbool.h>

/* X(ID, "name in keys.conf", short hint label, "help line") */
#define UI_ACTIONS(X)                                                                              \
    X(MOVE_UP, "move-up", "up", "Move the cursor up one row")                                      \
    X(MOVE_DOWN, "move-down", "down", "Move the cursor down one row")                              \
    X(PAGE_UP, "page-up", "page up", "Move the cursor up one screen")                              \
    X(PAGE_DOWN, "page-down", "page down", "Move the cursor down one screen")                      \
    X(FIRST, "first", "top", "Go to the first row")                                                \
    X(LAST, "last", "bottom", "Go to the last row")                                                \
    X(NEXT_PANEL, "next-panel", "panel", "Go to the next panel")                                   \
    X(PREV_PANEL, "prev-panel", "panel back", "Go to the previous panel")                          \
    X(OPEN, "open", "open", "Open the selected row: a connection's portals, a portal's users")     \
    X(DETAIL, "detail", "detail", "Show every field the vendor returned for the selected row")     \
    X(BACK, "back", "back", "Cancel the job in flight, clear the filter, or go back one panel")    \
    X(REFRESH, "refresh", "refresh", "Load the current list again from the vendor")                \
    X(FILTER, "filter", "filter", "Filter the current list as you type (Esc clears)")              \
    X(COMMAND, "command", "command",                                                               \
      "Type a command (:connect NAME, :refresh, :quit; Tab completes)")                            \
    X(HELP, "help", "help", "Show every key binding and what it does")                             \
    X(TOGGLE_MOUSE, "toggle-mouse", "mouse", "Turn mouse support on or off")                       \
    X(QUIT, "quit", "quit", "Leave portalctl")

enum ui_action {
    UI_ACTION_NONE = 0,
#define UI_ACTION_ENUM(id, name, hint, help) UI_ACTION_##id,
    UI_ACTIONS(UI_ACTION_ENUM)
#undef UI_ACTION_ENUM
        UI_ACTION_COUNT,
};

/* Where a binding applies. "generic" bindings apply in every context that
 * does not bind the key itself. */
#define UI_CONTEXTS(X)                                                                             \
    X(GENERIC, "generic", "Everywhere")                                                            \
    X(MAIN, "main", "Browsing connections, portals and users")                                     \
    X(DETAIL, "detail", "The detail of one row")                                                   \
    X(HELP, "help", "This help")

enum ui_context {
#define UI_CONTEXT_ENUM(id, name, title) UI_CONTEXT_##id,
    UI_CONTEXTS(UI_CONTEXT_ENUM)
#undef UI_CONTEXT_ENUM
        UI_CONTEXT_COUNT,
};

/* "move-down"; NULL for UI_ACTION_NONE or out of range. */
const char *ui_action_name(enum ui_action action);
/* The few words the hints line shows: "down". */
const char *ui_action_hint(enum ui_action action);
/* One line for the help screen. */
const char *ui_action_help(enum ui_action action);
/* By name, exactly; false when there is no such action. */
bool ui_action_from_name(const char *name, enum ui_action *action);

const char *ui_context_name(enum ui_context context);
const char *ui_context_title(enum ui_context context);
bool ui_context_from_name(const char *name, enum ui_context *context);

#endif
