/*
 * Shared pieces of the console (src/ui/): the console's state, the terminal,
 * the theme, drawing, overlays, the prompt and the command line. Private to
 * src/ui/. Only this folder includes curses; nothing here talks HTTP or JSON
 * (the browser controller, app/browser.c, does the work).
 */
#ifndef PORTALCTL_UI_INTERNAL_H
#define PORTALCTL_UI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>
#include <glib.h>

#include <portalctl/browser.h>
#include <portalctl/bulk.h>
#include <portalctl/change.h>
#include <portalctl/form_model.h>
#include <portalctl/keymap.h>
#include <portalctl/list_model.h>
#include <portalctl/ui_action.h>
#include <portalctl/ui_layout.h>

/* ---- what a handler asks the loop to do (htop's Action.h) ------------------- */

enum ui_result {
    UI_DONE = 0,
    UI_REDRAW = 1 << 0, /* repaint everything */
    UI_QUIT = 1 << 1,
};

/* ---- theme (theme.c) --------------------------------------------------------- */

enum theme_element {
    THEME_NORMAL,
    THEME_TITLE,
    THEME_CAPTION,
    THEME_CAPTION_FOCUS,
    THEME_HEADER,
    THEME_SELECTED,
    THEME_SELECTED_UNFOCUSED,
    THEME_STATUS,
    THEME_ERROR,
    THEME_HINT_KEY,
    THEME_MARK_BAD,
    THEME_DIALOG,
    THEME_COUNT,
};

/* Sets colours up after initscr: terminal default colours, or none at all
 * when NO_COLOR is set or the terminal has none. */
void theme_init(void);
attr_t theme_attr(enum theme_element element);

/* ---- terminal (terminal.c) ----------------------------------------------------- */

enum input_kind {
    INPUT_NONE,   /* nothing waiting */
    INPUT_KEY,    /* key holds a ui_key (keymap.h) */
    INPUT_RESIZE, /* the terminal changed size */
    INPUT_MOUSE,  /* mouse holds the event */
};

struct input {
    enum input_kind kind;
    ui_key key;
    bool is_text; /* a character typed (not a function key) */
    MEVENT mouse;
};

/* Puts the terminal in curses mode and installs the signal self-pipe
 * (SIGINT, SIGTERM, SIGHUP, SIGWINCH write to it); the terminal is restored
 * by terminal_end(), and at exit whatever happens. False with a message when
 * there is no terminal. */
bool terminal_start(char **error);
void terminal_end(void);
/* The read end of the self-pipe, to poll with stdin. */
int terminal_signal_fd(void);
/* Drains the self-pipe; true when a signal asked to quit. */
bool terminal_take_signals(void);
/* The next input without waiting. */
struct input terminal_read(void);
void terminal_set_mouse(bool on);

/* ---- the console's state ---------------------------------------------------------- */

struct panel {
    enum ui_panel id;
    const char *caption;
    const struct list_column *columns;
    size_t column_count;
    const char *empty_text;
    struct list_model model;
    const struct record_list *records; /* the browser's list it shows */
    const unsigned *generation;        /* the browser's counter for it */
    unsigned generation_seen;
};

enum overlay_kind {
    OVERLAY_NONE,
    OVERLAY_DETAIL,
    OVERLAY_HELP,
};

struct overlay {
    enum overlay_kind kind;
    char *title;
    struct record_list rows;
    struct list_model model;
};

enum prompt_kind {
    PROMPT_NONE,
    PROMPT_FILTER,
    PROMPT_COMMAND,
};

struct prompt {
    enum prompt_kind kind;
    GString *text;
};

/* A question over everything else (dialog.c). */
enum dialog_purpose {
    DIALOG_NONE,
    DIALOG_CONFIRM_CHANGE, /* yes runs console->change */
    DIALOG_DISCARD_FORM,   /* yes closes the form and forgets what was typed */
};

struct dialog {
    enum dialog_purpose purpose;
    char *title;
    char *question;
    char *typed_name; /* the typed-name variant: what must be typed, else NULL */
    GString *typed;   /* what was typed so far */
    bool yes_focused; /* the highlighted answer; No when it opens */
    char *problem;    /* "type the name exactly" after a wrong Enter */
};

struct console {
    struct browser *browser;
    struct net_engine *net;
    struct keymap *keymap;
    bool read_only;
    const char *mode_label; /* "demo", or NULL */
    struct ui_layout layout;
    struct panel panels[UI_PANEL_COUNT];
    enum ui_panel focus;
    struct overlay overlay;
    struct prompt prompt;
    bool mouse;
    int pending_open; /* connection to open after the next frame (keyring), or -1 */
    unsigned browser_changes_seen;
    const char *config_path; /* where a connection added here is written */
    struct change *change;   /* the change being prepared or running, or NULL */
    struct form_model *form; /* the open form, or NULL */
    struct dialog dialog;    /* the open question, purpose DIALOG_NONE when none */
    char *notice;            /* a change's outcome, shown until the next key */
    bool notice_is_error;
    struct bulk_task *bulk; /* the CSV file being previewed or sent, or NULL (bulk_view.c) */
};

/* ---- drawing (draw.c) ------------------------------------------------------------- */

/* Paints the whole screen from the state (ncurses sends only what changed). */
void draw_screen(struct console *console);
/* The spinner's period while jobs are in flight. */
#define UI_SPINNER_MS 250

/* ---- overlays (overlay.c) ---------------------------------------------------------- */

void overlay_open_detail(struct console *console, const struct record_list *list,
                         const struct record *record, const char *title);
void overlay_open_help(struct console *console);
/* The records a read returned (whoami, user types): one row's detail, or
 * one line per record. */
void overlay_open_records(struct console *console, const struct record_list *list,
                          const char *title);
void overlay_close(struct console *console);
void overlay_resize(struct console *console);
void draw_overlay(struct console *console);

/* ---- forms and questions (form_view.c, dialog.c, changes.c) ------------------------ */

void draw_form(struct console *console);
/* A blank box with a line frame (dialog colours). */
void draw_frame(const struct ui_rect *r);
/* Where the terminal cursor goes in an open form or typed-name question. */
bool form_cursor(const struct console *console, int *y, int *x);
bool dialog_cursor(const struct console *console, int *y, int *x);
/* Handles a key while a form is open. */
enum ui_result form_key(struct console *console, const struct input *input);
void form_close(struct console *console);

void dialog_open(struct console *console, enum dialog_purpose purpose, const char *title,
                 const char *question, const char *typed_name);
void dialog_close(struct console *console);
void draw_dialog(struct console *console);
enum ui_result dialog_key(struct console *console, const struct input *input);
/* The keys of a Yes/No question, shared by every dialog that has the two
 * buttons: Yes and No answer, Enter answers with the focused button, Tab
 * moves the focus. DIALOG_ANSWER_NONE for any other action. */
enum dialog_answer { DIALOG_ANSWER_NONE, DIALOG_ANSWER_MOVED, DIALOG_ANSWER_YES, DIALOG_ANSWER_NO };
enum dialog_answer dialog_yes_no_key(enum ui_action action, bool *yes_focused);

/* Runs a change action (new, edit, delete, …) on the focused panel, or on
 * the scope a command names. */
enum ui_result changes_run_action(struct console *console, enum ui_action action);
enum ui_result changes_run_in_scope(struct console *console, enum ui_action action,
                                    enum change_scope scope);
/* A question was answered yes / the form was submitted. */
enum ui_result changes_confirmed(struct console *console);
enum ui_result changes_submit(struct console *console);
/* After each turn of the loop: a change that ended closes its form or puts
 * the refusal on its fields. Returns whether the screen must change. */
bool changes_poll(struct console *console);
/* Whether the action is shown and runs here (read-only hides changes). */
bool changes_action_visible(const struct console *console, enum ui_action action);
/* Cancels and forgets the change and its form (quitting). */
void changes_drop(struct console *console);

/* ---- bulk work from a CSV file (bulk_task.c: the work; bulk_view.c: the screen) ---- */

enum bulk_task_state {
    BULK_TASK_PREVIEW, /* read and checked: nothing sent yet */
    BULK_TASK_RUNNING, /* the runner is sending, driven by the console's loop */
    BULK_TASK_ENDED,   /* report written, audit line written */
};

struct bulk_task {
    enum bulk_task_state state;
    enum bulk_action action; /* invite, create (ECGrid) or remove */
    enum config_vendor vendor;
    struct browser *browser; /* borrowed */
    int connection;
    char *connection_name, *portal_id, *portal_title, *csv_path;
    struct bulk_plan *plan; /* NULL when the file cannot be used at all (see problems) */
    GPtrArray *problems;    /* char *: FILE:LINE: field: message, the plan's or the file's */
    struct bulk_journal *journal;
    char *journal_path, *run_id, *report_path;
    struct bulk_runner *runner;
    struct bulk_progress progress;
    bool progressed;  /* progress came since the last paint */
    bool stopping;    /* Esc asked the runner to stop */
    char *summary;    /* the end, one line (ENDED) */
    bool failed;      /* the end is worth an "Error:" */
    bool yes_focused; /* the preview's highlighted answer: No when it opens */
};

/* The bulk action a console action means on this connection's vendor:
 * invite-csv invites where the vendor invites and creates users where it
 * cannot (ECGrid), as the one-person invite does; remove-csv removes. */
enum bulk_action bulk_task_action_for(enum ui_action action, enum config_vendor vendor);
/* Reads and checks csv_path for the action in portal_id (ECGrid: the
 * mailbox) through the connection at index; merges the journal of earlier
 * runs. A create always generates the passwords (never read from the file).
 * NULL with *why (g_free) when it cannot even be previewed (read-only, an
 * action the vendor lacks, unreadable file, journal held by another run). */
struct bulk_task *bulk_task_prepare(struct browser *browser, int connection,
                                    enum bulk_action action, const char *portal_id,
                                    const char *portal_title, const char *csv_path, char **why);
/* Rows of the plan in this state (0 without a plan). */
size_t bulk_task_count(const struct bulk_task *task, enum bulk_status status);
/* Rows created by an interrupted run whose passwords nobody saw: this run
 * gives them new ones (docs/BULK.md). */
size_t bulk_task_new_passwords(const struct bulk_task *task);
/* Writes the report (so a run never starts that could not report its
 * passwords), then starts sending the WAITING rows (invalid rows are never
 * sent). When the report cannot be written the task ends, nothing sent. */
void bulk_task_start(struct bulk_task *task);
/* After net_engine_dispatch: starts what may start; at the end writes the
 * report and the audit line. True when the screen must change. */
bool bulk_task_pump(struct bulk_task *task);
/* Milliseconds until the runner needs pump() again, -1 none. */
int bulk_task_timeout_ms(const struct bulk_task *task);
/* Sends nothing new; what is in flight finishes. */
void bulk_task_stop(struct bulk_task *task);
/* Quitting while it runs: stops, lets the requests in flight end, and ends
 * as usual (report, audit line), so no generated password goes unreported. */
void bulk_task_end_now(struct bulk_task *task);
/* Stops and lets jobs in flight end (on the console's engine) before freeing. */
void bulk_task_free(struct bulk_task *task);

/* I / X (invite-csv, remove-csv): asks for the path on the command line. */
enum ui_result bulk_view_ask(struct console *console, enum ui_action action);
/* :invite-csv FILE, :create-csv FILE, :remove-csv FILE: reads and checks
 * the file for the action, opens the preview. */
enum ui_result bulk_view_open(struct console *console, enum ui_action action, const char *path);
enum ui_result bulk_view_key(struct console *console, const struct input *input);
void draw_bulk(struct console *console);
/* The loop's hooks: pump after dispatch, the poll timeout, the spinner. */
bool bulk_view_pump(struct console *console);
int bulk_view_timeout_ms(const struct console *console, int timeout);
bool bulk_view_running(const struct console *console);
void bulk_view_close(struct console *console);

/* ---- prompt and command line (prompt.c, commands.c) -------------------------------- */

/* Handles a key while a prompt is open. */
enum ui_result prompt_key(struct console *console, const struct input *input);
void prompt_open(struct console *console, enum prompt_kind kind);
/* Runs a command line exactly as typed. */
enum ui_result command_run(struct console *console, const char *line);
/* Completes the command line in place (Tab); returns whether it changed. */
bool command_complete(struct console *console, GString *line);

/* ---- the controller (console.c) ------------------------------------------------------ */

/* The list model the current action applies to: the overlay's or the focused panel's. */
struct list_model *console_current_model(struct console *console);
enum ui_context console_context(const struct console *console);
enum ui_result console_open_connection(struct console *console, size_t index);
enum ui_result console_do_action(struct console *console, enum ui_action action);

#endif
