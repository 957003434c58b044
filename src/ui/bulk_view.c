/*
 * The console's bulk screens — "Invite from CSV…" (Zoho, Valstorm), "Create
 * users from CSV…" (ECGrid) and "Remove users from CSV…" (all three): asks
 * for the file on the command line (":invite-csv FILE", ":create-csv FILE",
 * ":remove-csv FILE"), then paints the task (bulk_task.c) in a box over the
 * panels — the preview (how many rows, the first ones under the columns the
 * operation reads, every invalid row as FILE:LINE: field: message, and the
 * question, No by default: with invalid rows it asks whether to skip them),
 * the progress while it runs (rows done of total, rate, ETA, failures; Esc
 * stops), and the summary with the report's path. What each flow says is the
 * table below; keys are the "dialog" context's. Everything from the file or
 * the vendor is sanitized and fitted to the width here. Never draws a
 * generated password (the rows' values never hold one).
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/text.h>

#define PREVIEW_ROWS     5
#define BAR_WIDTH        30
#define COLUMN_MAX_WIDTH 28

/* What a flow says: one row per bulk action, and per vendor where the
 * vendor's words differ (ECGrid terminates rather than removes). */
struct bulk_flow {
    enum bulk_action action;
    int vendor;              /* a config_vendor, or -1: any vendor */
    const char *command;     /* the ':' command that asks for the file */
    const char *title;       /* the box's title */
    const char *verb;        /* "invite": the question and the progress */
    const char *noun;        /* "people" */
    const char *preposition; /* "to" the portal */
    const char *yes;         /* the yes button */
    const char *note;        /* a line under the question, or NULL */
    const char *report_note; /* a line under the report's path at the end, or NULL */
};

static const struct bulk_flow flows[] = {
    {BULK_INVITE, -1, "invite-csv", "Invite from CSV", "invite", "people", "to", "Yes, invite",
     NULL, NULL},
    {BULK_CREATE, -1, "create-csv", "Create users from CSV", "create", "users", "in", "Yes, create",
     "Each user gets a generated password, written only to the report (mode 0600), never read "
     "from the file. Rows without a mailboxId go to this mailbox.",
     "The new users' passwords are in this report only (mode 0600), shown nowhere else: hand "
     "them over, then delete it."},
    {BULK_REMOVE, CONFIG_VENDOR_ECGRID, "remove-csv", "Remove users from CSV", "terminate", "users",
     "of", "Yes, terminate",
     "Terminating is final: the logins stay taken. Users not in this mailbox are left alone.",
     NULL},
    {BULK_REMOVE, -1, "remove-csv", "Remove users from CSV", "remove", "people", "from",
     "Yes, remove", "People who are not members of this portal are left alone.", NULL},
};

static const struct bulk_flow *flow_for(enum bulk_action action, enum config_vendor vendor)
{
    for (size_t i = 0; i < G_N_ELEMENTS(flows); i++) {
        if (flows[i].action == action && (flows[i].vendor < 0 || flows[i].vendor == (int)vendor))
            return &flows[i];
    }
    return &flows[0];
}

static const struct bulk_flow *task_flow(const struct bulk_task *task)
{
    return flow_for(task->action, task->vendor);
}

/* ---- opening ------------------------------------------------------------------------ */

/* The connection the action would run on: the open one. */
static const struct browser_connection *current_connection(const struct console *console)
{
    int current = console->browser->current;
    return current >= 0 ? browser_connection_at(console->browser, (size_t)current) : NULL;
}

enum ui_result bulk_view_ask(struct console *console, enum ui_action action)
{
    const struct browser_connection *c = current_connection(console);
    enum bulk_action bulk = c ? bulk_task_action_for(action, c->config->vendor)
                              : (action == UI_ACTION_REMOVE_CSV ? BULK_REMOVE : BULK_INVITE);
    const struct bulk_flow *flow = flow_for(bulk, c ? c->config->vendor : CONFIG_VENDOR_ZOHO);
    prompt_open(console, PROMPT_COMMAND);
    g_string_printf(console->prompt.text, "%s ", flow->command);
    return UI_REDRAW;
}

/* The portal the rows apply to: the one whose users are shown, or the one
 * selected on the portals panel. */
static void target_portal(struct console *console, const char **id, const char **title)
{
    struct browser *b = console->browser;
    *id = b->users.owner;
    *title = b->users.owner_title;
    if (console->focus != UI_PANEL_PORTALS)
        return;
    const struct record *portal = list_model_selected(&console->panels[UI_PANEL_PORTALS].model);
    if (portal) {
        *id = record_get(portal, RECORD_ID);
        *title = record_get(portal, RECORD_NAME);
    }
}

enum ui_result bulk_view_open(struct console *console, enum ui_action action, const char *path)
{
    if (console->bulk) {
        browser_set_message(console->browser, true, "a CSV file is already open");
        return UI_REDRAW;
    }
    const struct browser_connection *c = current_connection(console);
    if (!c) {
        browser_set_message(console->browser, true,
                            "open a portal first: the file's rows apply to the portal shown");
        return UI_REDRAW;
    }
    char *expanded = g_str_has_prefix(path, "~/")
                         ? g_build_filename(g_get_home_dir(), path + 2, NULL)
                         : g_strdup(path);
    const char *id = NULL, *title = NULL;
    target_portal(console, &id, &title);
    char *why = NULL;
    console->bulk = bulk_task_prepare(console->browser, console->browser->current,
                                      bulk_task_action_for(action, c->config->vendor), id, title,
                                      expanded, &why);
    if (!console->bulk) {
        browser_set_message(console->browser, true, "%s", why);
        g_free(why);
    }
    g_free(expanded);
    return UI_REDRAW;
}

void bulk_view_close(struct console *console)
{
    struct bulk_task *task = console->bulk;
    if (!task)
        return;
    bulk_task_end_now(task); /* quitting while it runs: the report is still written */
    if (task->state == BULK_TASK_ENDED) {
        g_free(console->notice);
        console->notice = task->report_path
                              ? g_strdup_printf("%s; report: %s", task->summary, task->report_path)
                              : g_strdup(task->summary);
        console->notice_is_error = task->failed;
    } else if (task->state == BULK_TASK_PREVIEW) {
        browser_set_message(console->browser, false, "not confirmed: nothing was sent");
    }
    bulk_task_free(task);
    console->bulk = NULL;
}

/* ---- the loop's hooks ---------------------------------------------------------------- */

bool bulk_view_pump(struct console *console)
{
    return console->bulk && bulk_task_pump(console->bulk);
}

int bulk_view_timeout_ms(const struct console *console, int timeout)
{
    int due = console->bulk ? bulk_task_timeout_ms(console->bulk) : -1;
    if (due < 0)
        return timeout;
    return timeout < 0 ? due : MIN(timeout, due);
}

bool bulk_view_running(const struct console *console)
{
    return console->bulk && console->bulk->state == BULK_TASK_RUNNING;
}

/* ---- keys ------------------------------------------------------------------------------- */

static bool sendable(const struct bulk_task *task)
{
    return task->plan && bulk_task_count(task, BULK_STATUS_WAITING) > 0;
}

static enum ui_result preview_answer(struct console *console, bool yes)
{
    struct bulk_task *task = console->bulk;
    if (!yes || !sendable(task)) {
        bulk_view_close(console);
        return UI_REDRAW;
    }
    bulk_task_start(task);
    return UI_REDRAW;
}

enum ui_result bulk_view_key(struct console *console, const struct input *input)
{
    struct bulk_task *task = console->bulk;
    if (input->kind != INPUT_KEY)
        return UI_DONE;
    enum ui_action action = keymap_lookup(console->keymap, UI_CONTEXT_DIALOG, input->key);
    if (task->state == BULK_TASK_RUNNING) {
        if (action == UI_ACTION_NO)
            bulk_task_stop(task);
        return UI_REDRAW;
    }
    if (task->state == BULK_TASK_ENDED) {
        if (action == UI_ACTION_NO || action == UI_ACTION_ACCEPT || action == UI_ACTION_YES)
            bulk_view_close(console);
        return UI_REDRAW;
    }
    switch (dialog_yes_no_key(action, &task->yes_focused)) {
    case DIALOG_ANSWER_YES:
        return preview_answer(console, true);
    case DIALOG_ANSWER_NO:
        return preview_answer(console, false);
    case DIALOG_ANSWER_MOVED:
        return UI_REDRAW;
    case DIALOG_ANSWER_NONE:
        break;
    }
    return UI_DONE;
}

/* ---- painting ----------------------------------------------------------------------------- */

struct painter {
    int y, x, width, bottom; /* next line, left edge, inner width, first line not ours */
};

static void put_text(int y, int x, int width, const char *text, attr_t attrs)
{
    if (width <= 0)
        return;
    char *safe = text_sanitize(text);
    GString *fitted = g_string_new(NULL);
    text_append_fitted(fitted, safe, (size_t)width, true);
    attrset(attrs);
    mvaddstr(y, x, fitted->str);
    attrset(A_NORMAL);
    g_string_free(fitted, TRUE);
    g_free(safe);
}

static void line(struct painter *p, const char *text, enum theme_element element)
{
    if (p->y >= p->bottom)
        return;
    put_text(p->y++, p->x, p->width, text, theme_attr(element));
}

static void linef(struct painter *p, enum theme_element element, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void linef(struct painter *p, enum theme_element element, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = g_strdup_vprintf(format, args);
    va_end(args);
    line(p, text, element);
    g_free(text);
}

/* ---- the preview's table ------------------------------------------------------------- */

/* The columns the preview shows: the fields the first rows have, in the
 * file's order (so each operation shows what it reads: e-mail and names for
 * an invitation, login to access level for an ECGrid user, id or e-mail
 * for a removal), each as wide as its widest value shown. */
struct preview_table {
    GPtrArray *keys; /* const char *, borrowed from the rows */
    GArray *widths;  /* size_t per key */
    guint rows;      /* rows shown */
};

/* Columns a text takes once sanitized, as put_text draws it. */
static size_t shown_width(const char *text)
{
    char *safe = text_sanitize(text);
    size_t width = text_width(safe);
    g_free(safe);
    return width;
}

static guint column_of(const struct preview_table *t, const char *key)
{
    for (guint c = 0; c < t->keys->len; c++) {
        if (strcmp(g_ptr_array_index(t->keys, c), key) == 0)
            return c;
    }
    return G_MAXUINT;
}

static void widen(struct preview_table *t, const char *key, const char *value)
{
    guint c = column_of(t, key);
    if (c == G_MAXUINT) {
        g_ptr_array_add(t->keys, (char *)key);
        size_t width = MIN(shown_width(key), (size_t)COLUMN_MAX_WIDTH);
        g_array_append_val(t->widths, width);
        c = t->keys->len - 1;
    }
    size_t *width = &g_array_index(t->widths, size_t, c);
    *width = MAX(*width, MIN(shown_width(value), (size_t)COLUMN_MAX_WIDTH));
}

static void preview_table_init(struct preview_table *t, const struct bulk_plan *plan)
{
    t->keys = g_ptr_array_new();
    t->widths = g_array_new(FALSE, FALSE, sizeof(size_t));
    t->rows = MIN(plan->rows->len, PREVIEW_ROWS);
    for (guint i = 0; i < t->rows; i++) {
        const struct form_values *values =
            ((const struct bulk_row *)g_ptr_array_index(plan->rows, i))->values;
        for (size_t k = 0; k < form_values_count(values); k++)
            widen(t, form_values_key_at(values, k), form_values_value_at(values, k));
    }
}

static void preview_table_clear(struct preview_table *t)
{
    g_ptr_array_unref(t->keys);
    g_array_unref(t->widths);
}

static void append_cell(GString *text, const char *value, size_t width)
{
    char *safe = text_sanitize(value ? value : "");
    g_string_append(text, "  ");
    text_append_fitted(text, safe, width, true);
    g_free(safe);
}

/* " line  email              first_name  last_name": the header. */
static void table_header(struct painter *p, const struct preview_table *t)
{
    GString *text = g_string_new(" line ");
    for (guint c = 0; c < t->keys->len; c++)
        append_cell(text, g_ptr_array_index(t->keys, c), g_array_index(t->widths, size_t, c));
    line(p, text->str, THEME_HEADER);
    g_string_free(text, TRUE);
}

/* "   12  ann@example.com  Ann  Archer"; "!" marks a row that is not valid. */
static void table_row(struct painter *p, const struct preview_table *t, const struct bulk_row *row)
{
    bool invalid = row->status == BULK_STATUS_INVALID;
    GString *text = g_string_new(NULL);
    g_string_append_printf(text, "%5u%s", row->line, invalid ? "!" : " ");
    for (guint c = 0; c < t->keys->len; c++)
        append_cell(text, form_values_get(row->values, g_ptr_array_index(t->keys, c)),
                    g_array_index(t->widths, size_t, c));
    line(p, text->str, invalid ? THEME_ERROR : THEME_DIALOG);
    g_string_free(text, TRUE);
}

static void preview_rows(struct painter *p, const struct bulk_plan *plan)
{
    struct preview_table t;
    preview_table_init(&t, plan);
    table_header(p, &t);
    for (guint i = 0; i < t.rows; i++)
        table_row(p, &t, g_ptr_array_index(plan->rows, i));
    if (plan->rows->len > t.rows)
        linef(p, THEME_DIALOG, "      … %u more rows", plan->rows->len - t.rows);
    preview_table_clear(&t);
}

/* The lines left for a list, keeping `reserve` for what follows it. */
static guint room(const struct painter *p, int reserve)
{
    int left = p->bottom - p->y - reserve;
    return left > 0 ? (guint)left : 0;
}

/* Appends text to lines, split at spaces into pieces of at most width
 * columns as drawn (a longer word is cut with "…" when drawn). */
static void wrap_into(GPtrArray *lines, const char *text, int width)
{
    char **words = g_strsplit(text, " ", -1);
    GString *current = g_string_new(NULL);
    size_t used = 0;
    for (char **w = words; *w; w++) {
        size_t n = shown_width(*w);
        if (current->len > 0 && used + 1 + n > (size_t)MAX(width, 1)) {
            g_ptr_array_add(lines, g_string_free(current, FALSE));
            current = g_string_new(NULL);
            used = 0;
        }
        if (current->len > 0) {
            g_string_append_c(current, ' ');
            used++;
        }
        g_string_append(current, *w);
        used += n;
    }
    g_ptr_array_add(lines, g_string_free(current, FALSE));
    g_strfreev(words);
}

static GPtrArray *wrap(const char *text, int width)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    wrap_into(lines, text, width);
    return lines;
}

static void draw_lines(struct painter *p, const GPtrArray *lines, enum theme_element element)
{
    for (guint i = 0; i < lines->len; i++)
        line(p, g_ptr_array_index(lines, i), element);
}

/* Each problem in full, wrapped, as many as fit above `reserve` lines; then
 * how many more there are (the CLI lists them all). */
static void problem_lines(struct painter *p, const GPtrArray *problems, int reserve)
{
    guint i = 0;
    for (; i < problems->len; i++) {
        GPtrArray *lines = wrap(g_ptr_array_index(problems, i), p->width);
        guint need = lines->len + (i + 1 < problems->len ? 1 : 0); /* and the "more" line */
        bool fits = need <= room(p, reserve);
        if (fits)
            draw_lines(p, lines, THEME_ERROR);
        g_ptr_array_unref(lines);
        if (!fits)
            break;
    }
    if (i < problems->len && room(p, reserve) > 0)
        linef(p, THEME_ERROR, "… and %u more", problems->len - i);
}

static void buttons(struct painter *p, const struct bulk_task *task, const char *yes)
{
    int y = p->bottom;
    put_text(y, p->x, 8, "[ No ]", theme_attr(task->yes_focused ? THEME_DIALOG : THEME_SELECTED));
    int yes_width = (int)text_width(yes) + 4;
    char *label = g_strdup_printf("[ %s ]", yes);
    put_text(y, p->x + 9, yes_width, label,
             theme_attr(task->yes_focused ? THEME_SELECTED : THEME_DIALOG));
    g_free(label);
    put_text(y, p->x + 10 + yes_width, p->width - 10 - yes_width,
             "y yes, n or Esc no, Enter the highlighted", theme_attr(THEME_DIALOG));
}

/* "Invite 250 people to ACME?", "Skip them and remove the 3 valid rows from ACME?". */
static char *question(const struct bulk_task *task, size_t waiting)
{
    const struct bulk_flow *flow = task_flow(task);
    const struct bulk_plan *plan = task->plan;
    if (plan->invalid > 0)
        return g_strdup_printf("%zu rows are not valid: nothing is sent while they are. Skip them "
                               "and %s the %zu valid rows %s %s?",
                               plan->invalid, flow->verb, waiting, flow->preposition,
                               task->portal_title);
    char *text = g_strdup_printf("%s %zu %s %s %s?", flow->verb, waiting, flow->noun,
                                 flow->preposition, task->portal_title);
    text[0] = g_ascii_toupper(text[0]);
    return text;
}

/* What the preview ends with, wrapped: the flow's note and the question, or
 * why there is nothing to answer. */
static GPtrArray *closing_lines(const struct bulk_task *task, int width)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    if (!sendable(task)) {
        g_ptr_array_add(lines,
                        g_strdup(task->plan ? "Nothing to send." : "Fix the file and try again."));
        return lines;
    }
    if (task_flow(task)->note)
        wrap_into(lines, task_flow(task)->note, width);
    char *text = question(task, bulk_task_count(task, BULK_STATUS_WAITING));
    wrap_into(lines, text, width);
    g_free(text);
    return lines;
}

static void draw_preview(struct painter *p, const struct bulk_task *task)
{
    const struct bulk_plan *plan = task->plan;
    size_t waiting = bulk_task_count(task, BULK_STATUS_WAITING);
    size_t earlier = bulk_task_count(task, BULK_STATUS_EARLIER);
    size_t renewed = bulk_task_new_passwords(task);
    if (plan)
        linef(p, THEME_DIALOG, "%s: %u rows, %zu to send, %zu invalid, %zu done earlier",
              task->csv_path, plan->rows->len, waiting, plan->invalid, earlier);
    else
        linef(p, THEME_ERROR, "%s cannot be used: nothing was sent", task->csv_path);
    if (renewed > 0)
        linef(p, THEME_DIALOG,
              "%zu users were created by a run that was interrupted before its report: they "
              "get a new password in this run's report",
              renewed);
    if (plan)
        preview_rows(p, plan);
    p->y++;
    GPtrArray *closing = closing_lines(task, p->width);
    problem_lines(p, task->problems, (int)closing->len + 1);
    p->y = MAX(p->y, p->bottom - (int)closing->len);
    draw_lines(p, closing, THEME_DIALOG);
    g_ptr_array_unref(closing);
    if (!sendable(task))
        put_text(p->bottom, p->x, p->width, "Enter or Esc closes", theme_attr(THEME_DIALOG));
    else
        buttons(p, task, plan->invalid > 0 ? "Yes, skip invalid rows" : task_flow(task)->yes);
}

static void progress_bar(struct painter *p, const struct bulk_progress *g)
{
    int filled = g->total ? (int)((double)g->finished / (double)g->total * BAR_WIDTH) : BAR_WIDTH;
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    char eta[32] = "--:--";
    if (g->eta_seconds >= 0 && g->finished > 0)
        g_snprintf(eta, sizeof(eta), "%d:%02d", (int)g->eta_seconds / 60, (int)g->eta_seconds % 60);
    linef(p, THEME_HEADER, "[%s] %zu/%zu rows  %.1f/s  ETA %s  failed %zu", bar, g->finished,
          g->total, g->rate, eta, g->failed);
}

static void draw_running(struct painter *p, const struct bulk_task *task)
{
    linef(p, THEME_DIALOG, "%s: sending the rows of %s (%s %s)…", bulk_plan_operation(task->plan),
          task->csv_path, task_flow(task)->preposition, task->portal_title);
    p->y++;
    progress_bar(p, &task->progress);
    linef(p, THEME_DIALOG, "%u requests in flight (at most %u)", task->progress.in_flight,
          task->progress.limit);
    p->y++;
    line(p,
         task->stopping ? "stopping: requests in flight finish, nothing new is sent…"
                        : "Esc stops: requests in flight finish; the same file again continues "
                          "where it stopped (the journal below remembers every row).",
         THEME_DIALOG);
    linef(p, THEME_DIALOG, "journal: %s", task->journal_path);
}

static void draw_ended(struct painter *p, const struct bulk_task *task)
{
    line(p, task->summary, task->failed ? THEME_ERROR : THEME_DIALOG);
    progress_bar(p, &task->progress);
    linef(p, THEME_DIALOG, "report:  %s", task->report_path ? task->report_path : "(not written)");
    if (task->report_path && task_flow(task)->report_note)
        line(p, task_flow(task)->report_note, THEME_HEADER);
    linef(p, THEME_DIALOG, "journal: %s", task->journal_path);
    p->y++;
    for (guint i = 0; i < task->plan->rows->len && room(p, 0) > 0; i++) {
        const struct bulk_row *row = g_ptr_array_index(task->plan->rows, i);
        if (row->status == BULK_STATUS_FAILED || row->status == BULK_STATUS_NOT_SENT)
            linef(p, THEME_ERROR, "%s:%u: %s: %s: %s", task->csv_path, row->line, row->identity,
                  bulk_status_name(row->status), row->error ? row->error : "not sent");
    }
    put_text(p->bottom, p->x, p->width, "Enter or Esc closes", theme_attr(THEME_DIALOG));
}

void draw_bulk(struct console *console)
{
    const struct bulk_task *task = console->bulk;
    struct ui_rect r = console->layout.dialog;
    draw_frame(&r);
    struct painter p = {
        .y = r.y + 1, .x = r.x + 2, .width = r.width - 4, .bottom = r.y + r.height - 2};
    char *title = g_strdup_printf("%s: %s  (%s)", task_flow(task)->title, task->portal_title,
                                  task->connection_name);
    line(&p, title, THEME_CAPTION_FOCUS);
    g_free(title);
    switch (task->state) {
    case BULK_TASK_PREVIEW:
        draw_preview(&p, task);
        break;
    case BULK_TASK_RUNNING:
        draw_running(&p, task);
        break;
    default:
        draw_ended(&p, task);
        break;
    }
}
