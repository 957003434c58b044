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
      "Type a command (:connect NAME, :new portal, :new user, :invite, :delete, :refresh, :quit; " \
      "Tab completes)")                                                                            \
    X(HELP, "help", "help", "Show every key binding and what it does")                             \
    X(TOGGLE_MOUSE, "toggle-mouse", "mouse", "Turn mouse support on or off")                       \
    X(QUIT, "quit", "quit", "Leave portalctl")                                                     \
    X(NEXT_FIELD, "next-field", "next field", "In a form: go to the next field (or button)")       \
    X(PREV_FIELD, "prev-field", "prev field", "In a form: go to the previous field")               \
    X(ACCEPT, "accept", "ok",                                                                      \
      "In a form: the next field; on the last field or the Submit button, submit. In a "           \
      "question: the highlighted answer")                                                          \
    X(SUBMIT, "submit", "send", "In a form: check every field and send it, from any field")        \
    X(CANCEL, "cancel", "cancel",                                                                  \
      "Close the form or question (asks first if something was typed)")                            \
    X(YES, "yes", "yes", "In a question: answer yes")                                              \
    X(NO, "no", "no", "In a question: answer no (the default)")                                    \
    X(WHOAMI, "whoami", "who am i",                                                                \
      "Check the connection's credentials: who they belong to at the vendor")                      \
    X(USER_TYPES, "user-types", "user types", "Zoho: list the user types of the selected portal")  \
    UI_CHANGE_ACTIONS(X)

/* The actions that change something at a vendor, in the keyring or in the
 * config file: hidden (not shown, not run) when read-only. */
#define UI_CHANGE_ACTIONS(X)                                                                       \
    X(NEW, "new", "new", "Create: a connection, a portal or a user, where the focus is")           \
    X(EDIT, "edit", "edit",                                                                        \
      "Change the selected portal or user; on a connection, store its credentials")                \
    X(DELETE, "delete", "delete",                                                                  \
      "Delete the selected portal, or remove (ECGrid: terminate) the selected user; asks first")   \
    X(INVITE, "invite", "invite",                                                                  \
      "Invite people to the portal: one, or several pasted lines (ECGrid: create a user)")         \
    X(INVITE_CSV, "invite-csv", "invite CSV",                                                      \
      "Invite everyone listed in a CSV file to the portal (ECGrid: create them as users, each "    \
      "with a generated password written only to a 0600 report): preview, then send")              \
    X(REMOVE_CSV, "remove-csv", "remove CSV",                                                      \
      "Remove everyone listed in a CSV file from the portal (ECGrid: terminate them): preview, "   \
      "asks first (No by default), then removes with progress")                                    \
    X(SET_ROLE, "set-role", "role", "ECGrid: change the selected user's access level")             \
    X(SET_PASSWORD, "set-password", "password",                                                    \
      "ECGrid: set a new password for the selected user")                                          \
    X(RESET_SESSIONS, "reset-sessions", "sign out",                                                \
      "ECGrid: end every session of the selected user")                                            \
    X(DEACTIVATE, "deactivate", "deactivate", "Zoho: deactivate the selected portal user")         \
    X(REACTIVATE, "reactivate", "reactivate", "Zoho: reactivate the selected portal user")         \
    X(ADD_PORTAL, "add-portal", "add portal",                                                      \
      "Valstorm: remember an existing portal by its id (Valstorm cannot list portals)")            \
    X(CREDENTIALS, "credentials", "credentials",                                                   \
      "Store the current connection's credentials (masked; kept in the keyring)")

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
    X(HELP, "help", "This help")                                                                   \
    X(FORM, "form", "A form: typed characters go into the field")                                  \
    X(DIALOG, "dialog", "A question (confirmation)")

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
/* Whether the action changes something (UI_CHANGE_ACTIONS): hidden when read-only. */
bool ui_action_is_change(enum ui_action action);

const char *ui_context_name(enum ui_context context);
const char *ui_context_title(enum ui_context context);
bool ui_context_from_name(const char *name, enum ui_context *context);

#endif
