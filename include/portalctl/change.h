/*
 * The console's changes: every write the console can make, from "what the
 * user asked for, where" to the job that does it. The console asks for an
 * intent (new, edit, delete, invite, …) on the panel that has the focus; this
 * module picks the vendor operation that fits (or says why none does),
 * gives the form to show (the vendor's field spec, or its own specs for a
 * connection and for credentials), checks what was typed, asks for a
 * confirmation when the operation is destructive, builds the vendor_request
 * with the context fields taken from the selection (userId, mailboxId, the
 * portal), runs the job asynchronously, writes the audit line, and turns the
 * vendor's refusal into errors on the form's fields.
 *
 * It is the CLI's end-to-end flow (src/cli/cli_ops.c) for the console.
 * Read-only connections (and --read-only) get no change at all: the console
 * hides the actions, and change_prepare refuses them anyway.
 *
 * Must never: draw (no curses), block on the network, or keep a secret
 * beyond the call that stores it (typed secrets live in the form only).
 */
#ifndef PORTALCTL_CHANGE_H
#define PORTALCTL_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <portalctl/browser.h>
#include <portalctl/form.h>
#include <portalctl/model.h>
#include <portalctl/vendor.h>

/* What the user asked for; which vendor operation it means depends on the
 * vendor and on where the user is. */
enum change_intent {
    CHANGE_NEW,            /* n: a connection, a portal, or a user */
    CHANGE_EDIT,           /* e: the selected portal or user */
    CHANGE_DELETE,         /* d: delete the portal, remove/terminate the user */
    CHANGE_INVITE,         /* i: invite people (ECGrid: create a user) */
    CHANGE_SET_ROLE,       /* ECGrid */
    CHANGE_SET_PASSWORD,   /* ECGrid */
    CHANGE_RESET_SESSIONS, /* ECGrid */
    CHANGE_DEACTIVATE,     /* Zoho */
    CHANGE_REACTIVATE,     /* Zoho */
    CHANGE_ADD_PORTAL,     /* remember an existing portal (vendors without a list) */
    CHANGE_CREDENTIALS,    /* store the connection's secrets */
    CHANGE_WHOAMI,         /* a read: who the credentials belong to */
    CHANGE_USER_TYPES,     /* a read: the portal's user types (Zoho) */
    CHANGE_INTENT_COUNT,
};

/* Where the change applies (the focused panel, or what a :command names). */
enum change_scope {
    CHANGE_SCOPE_CONNECTIONS,
    CHANGE_SCOPE_PORTALS,
    CHANGE_SCOPE_USERS,
};

/* What is selected, as the console sees it. Strings are copied. */
struct change_selection {
    enum change_scope scope;
    int connection;          /* the current connection's index, -1 when none */
    const char *portal_id;   /* the selected (or opened) portal, NULL when none */
    const char *portal_name; /* its name, for questions and the typed confirmation */
    const char *user_id;     /* the selected user, NULL when none */
    const char *user_name;
};

enum change_kind {
    CHANGE_KIND_VENDOR,      /* an operation of the vendor's table */
    CHANGE_KIND_KNOWN,       /* remember a portal locally (state.h) */
    CHANGE_KIND_CREDENTIALS, /* secrets_store */
    CHANGE_KIND_CONNECTION,  /* config_set_connection + config_save */
};

enum change_state {
    CHANGE_READY,   /* prepared: fill the form, confirm, then start */
    CHANGE_RUNNING, /* the job is in flight */
    CHANGE_DONE,    /* it went through */
    CHANGE_FAILED,  /* it did not: error says why, field_errors where */
};

struct change_ticket;

struct change {
    struct browser *browser; /* borrowed */
    enum change_kind kind;
    enum change_intent intent;
    const struct vendor_operation *operation; /* CHANGE_KIND_VENDOR */
    int connection;                           /* index in the browser */
    char *portal_id, *portal_name, *user_id, *user_name;
    char *config_path;            /* CHANGE_KIND_CONNECTION: the file written */
    char *title;                  /* "Create a Zoho portal" */
    const struct form_spec *form; /* what the form shows and checks; NULL: no form */
    bool several;                 /* the invite form's "several people" field */
    enum change_state state;
    struct api_error error;           /* when failed */
    struct form_errors *field_errors; /* the refusal, by form field key */
    struct record_list result;
    char *summary; /* one line for the status line when done or failed */
    struct change_ticket *ticket;
    struct vendor_job *job;
    int64_t started_us;
    /* Rows sent: which form line each came from (-1: the single-person fields). */
    GArray *row_lines;
};

/* The key of the invite form's multi-line field of several people. */
#define CHANGE_PEOPLE_KEY "people"
/* That field, for the form (multi-line: one person per line). */
extern const struct field_spec change_people_field;

/* Whether any change is possible on this connection (not read-only). */
bool change_allowed(const struct browser *browser, int connection);

/* Prepares what intent means at selection. NULL with *why set (g_free it)
 * when it means nothing there: no such operation at this vendor, nothing
 * selected, a read-only connection. config_path is where a new connection
 * is written (CHANGE_NEW on the connections panel). */
struct change *change_prepare(struct browser *browser, enum change_intent intent,
                              const struct change_selection *selection, const char *config_path,
                              char **why);
/* Cancels a job still in flight (its report is then ignored). */
void change_free(struct change *change);

/* Values the form starts with (context fields, the mailbox of the selected
 * ECGrid mailbox, …). Free with form_values_free. */
struct form_values *change_initial_values(const struct change *change);

/* The form's checker (form_model.h's form_checker_fn): form_validate against
 * the form, plus each line of several people. user is the change. */
bool change_check(const struct form_values *values, struct form_errors *errors, void *user);

/* A question to ask before starting (destructive or no-form operations), or
 * NULL. *typed_name is what must be typed to confirm (delete portal), or
 * NULL. g_free both. */
char *change_confirmation(const struct change *change, char **typed_name);

/* Starts it with the form's values (NULL when there is no form): checks them
 * again (nothing is sent when they are invalid: false, field_errors set),
 * builds the request and starts the job. Credentials and connections finish
 * at once (state DONE or FAILED). */
bool change_start(struct change *change, const struct form_values *values);

/* Whether it only reads (whoami, user types): allowed when read-only, not
 * audited, its result shown rather than the lists refreshed. */
bool change_is_read(const struct change *change);

/* Whether it is in flight, for the spinner. */
bool change_running(const struct change *change);

/* Stops a change in flight (Esc while its form is sending): its requests are
 * cancelled and it ends FAILED with API_CANCELLED, audited as such; the
 * change stays, so its form keeps every value and can be sent again. What
 * was already sent may still have been done by the vendor: the summary says
 * so. Nothing happens when it is not in flight. */
void change_cancel(struct change *change);

#endif
