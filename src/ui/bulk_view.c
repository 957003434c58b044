/*
 * The console's "Invite from CSV…" screen: asks for the file on the command
 * line (":invite-csv FILE"), then paints the task (bulk_task.c) in a box
 * over the panels — the preview (how many rows, the first ones, every
 * invalid row as FILE:LINE: field: message, and the question, No by
 * default: with invalid rows it asks whether to skip them), the progress
 * while it runs (rows done of total, rate, ETA, failures; Esc stops), and
 * the summary with the report's path. Keys are the "dialog" context's.
 * Everything from the file or the vendor is sanitized and fitted to the
 * width here.
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/text.h>

#define PREVIEW_ROWS 5
#define BAR_WIDTH    30

/* ---- opening ------------------------------------------------------------------------ */

enum ui_result bulk_view_ask(struct console *console)
{
    prompt_open(console, PROMPT_COMMAND);
    g_string_assign(console->prompt.text, "invite-csv ");
    return UI_REDRAW;
}

/* The portal the people go to: the one whose users are shown, or the one
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

enum ui_result bulk_view_open(struct console *console, const char *path)
{
    if (console->bulk) {
        browser_set_message(console->browser, true, "a CSV file is already open");
        return UI_REDRAW;
    }
    char *expanded = g_str_has_prefix(path, "~/")
                         ? g_build_filename(g_get_home_dir(), path + 2, NULL)
                         : g_strdup(path);
    const char *id = NULL, *title = NULL;
    target_portal(console, &id, &title);
    char *why = NULL;
    console->bulk =
        bulk_task_prepare(console->browser, console->browser->current, id, title, expanded, &why);
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
    if (task->state == BULK_TASK_ENDED) {
        g_free(console->notice);
        console->notice = g_strdup(task->summary);
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
    switch (action) {
    case UI_ACTION_YES:
        return preview_answer(console, true);
    case UI_ACTION_NO:
        return preview_answer(console, false);
    case UI_ACTION_ACCEPT:
        return preview_answer(console, task->yes_focused);
    case UI_ACTION_NEXT_FIELD:
    case UI_ACTION_PREV_FIELD:
        task->yes_focused = !task->yes_focused;
        return UI_REDRAW;
    default:
        return UI_DONE;
    }
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

/* "  12  ann@example.com  Ann  Archer": a row as its file line and values. */
static void row_line(struct painter *p, const struct bulk_row *row)
{
    GString *text = g_string_new(NULL);
    g_string_append_printf(text, "%5u ", row->line);
    for (size_t i = 0; i < form_values_count(row->values); i++)
        g_string_append_printf(text, " %s", form_values_value_at(row->values, i));
    line(p, text->str, THEME_DIALOG);
    g_string_free(text, TRUE);
}

/* The lines left for a list, keeping `reserve` for what follows it. */
static guint room(const struct painter *p, int reserve)
{
    int left = p->bottom - p->y - reserve;
    return left > 0 ? (guint)left : 0;
}

static void problem_lines(struct painter *p, const GPtrArray *problems, int reserve)
{
    guint shown = MIN(problems->len, room(p, reserve));
    if (shown < problems->len && shown > 0)
        shown--; /* the "… and N more" line */
    for (guint i = 0; i < shown; i++)
        line(p, g_ptr_array_index(problems, i), THEME_ERROR);
    if (shown < problems->len)
        linef(p, THEME_ERROR, "… and %u more", problems->len - shown);
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

static void draw_preview(struct painter *p, const struct bulk_task *task)
{
    const struct bulk_plan *plan = task->plan;
    size_t waiting = bulk_task_count(task, BULK_STATUS_WAITING);
    size_t earlier = bulk_task_count(task, BULK_STATUS_EARLIER);
    if (plan)
        linef(p, THEME_DIALOG, "%s: %u rows, %zu to send, %zu invalid, %zu done earlier",
              task->csv_path, plan->rows->len, waiting, plan->invalid, earlier);
    else
        linef(p, THEME_ERROR, "%s cannot be used: nothing was sent", task->csv_path);
    for (guint i = 0; plan && i < plan->rows->len && i < PREVIEW_ROWS; i++)
        row_line(p, g_ptr_array_index(plan->rows, i));
    if (plan && plan->rows->len > PREVIEW_ROWS)
        linef(p, THEME_DIALOG, "      … %u more rows", plan->rows->len - PREVIEW_ROWS);
    p->y++;
    problem_lines(p, task->problems, 2);
    p->y = p->bottom - 1;
    if (!sendable(task)) {
        line(p, plan ? "Nothing to send." : "Fix the file and try again.", THEME_DIALOG);
        put_text(p->bottom, p->x, p->width, "Enter or Esc closes", theme_attr(THEME_DIALOG));
    } else if (plan->invalid > 0) {
        linef(p, THEME_DIALOG,
              "%zu rows are not valid: nothing is sent while they are. Skip them and send the "
              "%zu valid rows?",
              plan->invalid, waiting);
        buttons(p, task, "Yes, skip invalid rows");
    } else {
        linef(p, THEME_DIALOG, "Invite %zu people to %s?", waiting, task->portal_title);
        buttons(p, task, "Yes, send");
    }
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
    linef(p, THEME_DIALOG, "Sending %s to %s…", task->csv_path, task->portal_title);
    p->y++;
    progress_bar(p, &task->progress);
    linef(p, THEME_DIALOG, "%u requests in flight (at most %u)", task->progress.in_flight,
          task->progress.limit);
    p->y++;
    line(p,
         task->stopping ? "stopping: requests in flight finish, nothing new is sent…"
                        : "Esc stops: requests in flight finish; inviting from the same file "
                          "again continues where it stopped.",
         THEME_DIALOG);
}

static void draw_ended(struct painter *p, const struct bulk_task *task)
{
    line(p, task->summary, task->failed ? THEME_ERROR : THEME_DIALOG);
    progress_bar(p, &task->progress);
    linef(p, THEME_DIALOG, "report:  %s", task->report_path ? task->report_path : "(not written)");
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
    char *title =
        g_strdup_printf("Invite from CSV to %s  (%s)", task->portal_title, task->connection_name);
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
