/*
 * Painting: the title line, the three panels, the status line with one
 * spinner and elapsed seconds per job in flight, the hints line generated
 * from the keymap, and the "terminal too small" screen. Everything is
 * painted from the console's state into stdscr; doupdate() sends only the
 * cells that changed. Server text reaches the screen only through
 * list_format_row() or fitted(), which sanitize and measure it.
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/text.h>

/* ---- small painting helpers ------------------------------------------------------ */

/* Writes text (sanitized here) at y,x fitted and padded to width. */
static void put_fitted(int y, int x, int width, const char *text, attr_t attrs)
{
    if (width <= 0)
        return;
    char *safe = text_sanitize(text);
    GString *line = g_string_new(NULL);
    text_append_fitted(line, safe, (size_t)width, true);
    attrset(attrs);
    mvaddstr(y, x, line->str);
    attrset(A_NORMAL);
    g_string_free(line, TRUE);
    g_free(safe);
}

static void put_line(const struct ui_rect *r, int line, const char *text, attr_t attrs)
{
    put_fitted(r->y + line, r->x, r->width, text, attrs);
}

/* ---- title ------------------------------------------------------------------------ */

static void draw_title(struct console *console)
{
    GString *title = g_string_new("portalctl");
    struct browser_connection *c = browser_current(console->browser);
    if (c)
        g_string_append_printf(title, " › %s (%s)", c->config->name,
                               c->vendor ? c->vendor->title : "?");
    const struct browser_list *users = &console->browser->users;
    if (c && users->owner_title)
        g_string_append_printf(title, " › %s", users->owner_title);
    static const char *const panel_names[] = {"connections", "portals", "users"};
    g_string_append_printf(title, " › %s", panel_names[console->focus]);
    if (console->form)
        g_string_append(title, " › form");
    else if (console->overlay.kind == OVERLAY_HELP)
        g_string_append(title, " › help");
    else if (console->overlay.kind == OVERLAY_DETAIL)
        g_string_append(title, " › detail");
    if (console->read_only)
        g_string_append(title, "   [read-only]");
    if (console->mode_label)
        g_string_append_printf(title, "   [%s]", console->mode_label);
    put_line(&console->layout.title, 0, title->str, theme_attr(THEME_TITLE));
    g_string_free(title, TRUE);
}

/* ---- panels -------------------------------------------------------------------------- */

static const char *panel_state(const struct console *console, const struct panel *panel)
{
    if (panel->id == UI_PANEL_CONNECTIONS)
        return NULL;
    const struct browser_list *list =
        panel->id == UI_PANEL_PORTALS ? &console->browser->portals : &console->browser->users;
    if (list->job)
        return "loading…";
    /* rows of a load that failed half-way are kept, but never look whole */
    return list->incomplete ? "INCOMPLETE" : NULL;
}

static void draw_caption(struct console *console, const struct panel *panel,
                         const struct ui_rect *r)
{
    bool focused = console->focus == panel->id;
    GString *caption = g_string_new(focused ? "▶ " : "  ");
    g_string_append_printf(caption, "%s (%zu", panel->caption, list_model_count(&panel->model));
    if (list_model_filter(&panel->model))
        g_string_append_printf(caption, " of %zu", panel->records->count);
    g_string_append(caption, ")");
    if (list_model_filter(&panel->model))
        g_string_append_printf(caption, "  filter: %s", list_model_filter(&panel->model));
    const char *state = panel_state(console, panel);
    if (state)
        g_string_append_printf(caption, "  %s", state);
    put_line(r, 0, caption->str, theme_attr(focused ? THEME_CAPTION_FOCUS : THEME_CAPTION));
    g_string_free(caption, TRUE);
}

/* The connections panel groups by vendor: the vendor is shown on the first
 * connection of each group only. */
static struct record group_row(const struct panel *panel, size_t row)
{
    struct record copy = *list_model_row(&panel->model, row);
    if (panel->id == UI_PANEL_CONNECTIONS && row > 0) {
        const struct record *above = list_model_row(&panel->model, row - 1);
        if (g_strcmp0(record_get(above, RECORD_ROLE), record_get(&copy, RECORD_ROLE)) == 0)
            copy.fields[RECORD_ROLE] = NULL;
    }
    return copy;
}

static attr_t row_attr(const struct console *console, const struct panel *panel, size_t row,
                       const struct record *record)
{
    if (row == panel->model.cursor)
        return theme_attr(console->focus == panel->id ? THEME_SELECTED : THEME_SELECTED_UNFOCUSED);
    const char *status = record_get(record, RECORD_STATUS);
    if (panel->id == UI_PANEL_CONNECTIONS && status &&
        (strstr(status, "failed") || strstr(status, "locked") || strstr(status, "no cred") ||
         strstr(status, "unreachable")))
        return theme_attr(THEME_MARK_BAD);
    return theme_attr(THEME_NORMAL);
}

static void draw_rows(struct console *console, const struct panel *panel, const struct ui_rect *r,
                      const unsigned *widths)
{
    int rows = ui_layout_panel_rows(r);
    const struct list_model *m = &panel->model;
    GString *line = g_string_new(NULL);
    for (int i = 0; i < rows; i++) {
        size_t row = m->top + (size_t)i;
        g_string_truncate(line, 0);
        if (row >= list_model_count(m)) {
            const char *empty = i == 0 && list_model_count(m) == 0 ? panel->empty_text : "";
            if (i == 0 && list_model_count(m) == 0 && list_model_filter(m))
                empty = "no row matches the filter (Esc clears it)";
            else if (i == 0 && list_model_count(m) == 0 && panel_state(console, panel))
                empty = "loading…";
            put_line(r, 2 + i, empty, theme_attr(THEME_NORMAL));
            continue;
        }
        struct record shown = group_row(panel, row);
        list_format_row(line, &shown, panel->columns, panel->column_count, widths,
                        (size_t)r->width);
        attrset(row_attr(console, panel, row, &shown));
        mvaddstr(r->y + 2 + i, r->x, line->str);
        attrset(A_NORMAL);
    }
    g_string_free(line, TRUE);
}

static void draw_panel(struct console *console, const struct panel *panel)
{
    const struct ui_rect *r = &console->layout.panels[panel->id];
    unsigned widths[RECORD_FIELD_COUNT * 2] = {0};
    unsigned natural[RECORD_FIELD_COUNT * 2] = {0};
    list_natural_widths(&panel->model, panel->columns, panel->column_count, natural);
    list_layout_columns(panel->columns, panel->column_count, (size_t)r->width, natural, widths);
    draw_caption(console, panel, r);
    GString *header = g_string_new(NULL);
    list_format_header(header, panel->columns, panel->column_count, widths, (size_t)r->width);
    attrset(theme_attr(THEME_HEADER));
    mvaddstr(r->y + 1, r->x, header->str);
    attrset(A_NORMAL);
    g_string_free(header, TRUE);
    draw_rows(console, panel, r, widths);
}

static void draw_separator(const struct console *console)
{
    const struct ui_rect *left = &console->layout.panels[UI_PANEL_CONNECTIONS];
    mvvline(left->y, left->x + left->width, ACS_VLINE, left->height);
}

/* ---- status and hints ------------------------------------------------------------------ */

static void append_job(GString *out, const struct browser_list *list, int64_t now)
{
    static const char spinner[] = "|/-\\";
    if (!list->job)
        return;
    int64_t elapsed_ms = (now - list->started_us) / 1000;
    char frame = spinner[(elapsed_ms / UI_SPINNER_MS) % 4];
    g_string_append_printf(out, "  %c %s %llds", frame, list->label ? list->label : "",
                           (long long)(elapsed_ms / 1000));
}

static void draw_status(struct console *console)
{
    const struct ui_rect *r = &console->layout.status;
    if (console->prompt.kind != PROMPT_NONE) {
        const char *lead = console->prompt.kind == PROMPT_FILTER ? "/" : ":";
        char *text = g_strdup_printf("%s%s", lead, console->prompt.text->str);
        put_line(r, 0, text, theme_attr(THEME_STATUS));
        size_t shown = text_width(text);
        move(r->y, (int)(shown < (size_t)r->width ? shown : (size_t)r->width - 1));
        g_free(text);
        return;
    }
    GString *jobs = g_string_new(NULL);
    int64_t now = g_get_monotonic_time();
    append_job(jobs, &console->browser->portals, now);
    append_job(jobs, &console->browser->users, now);
    if (change_running(console->change)) {
        static const char spinner[] = "|/-\\";
        int64_t elapsed_ms = (now - console->change->started_us) / 1000;
        g_string_append_printf(jobs, "  %c %s %llds", spinner[(elapsed_ms / UI_SPINNER_MS) % 4],
                               vendor_op_name(console->change->operation->op),
                               (long long)(elapsed_ms / 1000));
    }
    int jobs_width = (int)text_width(jobs->str);
    if (jobs_width > r->width / 2)
        jobs_width = r->width / 2;
    /* A change's outcome stays until the next key, over the list's own messages. */
    const char *message = console->notice             ? console->notice
                          : console->browser->message ? console->browser->message
                                                      : "";
    bool error = console->notice ? console->notice_is_error : console->browser->message_is_error;
    char *text = g_strdup_printf("%s%s", error && *message ? "Error: " : "", message);
    put_fitted(r->y, r->x, r->width - jobs_width, text,
               theme_attr(error ? THEME_ERROR : THEME_STATUS));
    put_fitted(r->y, r->x + r->width - jobs_width, jobs_width, jobs->str, theme_attr(THEME_STATUS));
    g_free(text);
    g_string_free(jobs, TRUE);
}

/* Which actions the hints line offers, per context, in order. */
static const enum ui_action main_hints[] = {
    UI_ACTION_HELP,    UI_ACTION_OPEN,    UI_ACTION_NEXT_PANEL, UI_ACTION_FILTER, UI_ACTION_DETAIL,
    UI_ACTION_REFRESH, UI_ACTION_COMMAND, UI_ACTION_BACK,       UI_ACTION_QUIT,
};
static const enum ui_action overlay_hints[] = {
    UI_ACTION_BACK, UI_ACTION_MOVE_DOWN, UI_ACTION_MOVE_UP, UI_ACTION_FILTER, UI_ACTION_QUIT,
};
/* Changes offered on each panel, after the browsing hints (hidden when read-only). */
static const enum ui_action change_hints[UI_PANEL_COUNT][4] = {
    [UI_PANEL_CONNECTIONS] = {UI_ACTION_NEW, UI_ACTION_EDIT},
    [UI_PANEL_PORTALS] = {UI_ACTION_NEW, UI_ACTION_EDIT, UI_ACTION_DELETE, UI_ACTION_INVITE},
    [UI_PANEL_USERS] = {UI_ACTION_INVITE, UI_ACTION_EDIT, UI_ACTION_DELETE},
};
static const enum ui_action form_hints[] = {
    UI_ACTION_NEXT_FIELD,
    UI_ACTION_PREV_FIELD,
    UI_ACTION_SUBMIT,
    UI_ACTION_CANCEL,
};
static const enum ui_action dialog_hints[] = {
    UI_ACTION_NO,
    UI_ACTION_YES,
    UI_ACTION_ACCEPT,
    UI_ACTION_NEXT_FIELD,
};

/* Appends one "KEY label" hint if it fits; returns false when the line is full. */
static bool put_hint(struct console *console, enum ui_context context, enum ui_action action,
                     int *x, int end)
{
    const struct ui_rect *r = &console->layout.hints;
    if (!changes_action_visible(console, action))
        return true;
    char *keys = keymap_keys_text(console->keymap, context, action, 1);
    bool fits = true;
    if (*keys) {
        const char *label = ui_action_hint(action);
        int need = (int)(text_width(keys) + 1 + text_width(label) + 2);
        fits = *x + need <= end;
        if (fits) {
            put_fitted(r->y, *x, (int)text_width(keys), keys, theme_attr(THEME_HINT_KEY));
            *x += (int)text_width(keys) + 1;
            put_fitted(r->y, *x, (int)text_width(label) + 2, label, theme_attr(THEME_NORMAL));
            *x += (int)text_width(label) + 2;
        }
    }
    g_free(keys);
    return fits;
}

static void draw_hints(struct console *console)
{
    const struct ui_rect *r = &console->layout.hints;
    enum ui_context context = console_context(console);
    if (context == UI_CONTEXT_DIALOG && console->dialog.typed_name) {
        /* Characters go into the name here: only Enter and Esc do something. */
        put_line(r, 0, "type the name, then Enter to confirm  Esc keep it",
                 theme_attr(THEME_NORMAL));
        return;
    }
    if (console->prompt.kind != PROMPT_NONE && context != UI_CONTEXT_FORM &&
        context != UI_CONTEXT_DIALOG) {
        const char *text = console->prompt.kind == PROMPT_FILTER
                               ? "Enter keep filter  Esc clear filter"
                               : "Tab complete  Enter run  Esc cancel";
        put_line(r, 0, text, theme_attr(THEME_NORMAL));
        return;
    }
    const enum ui_action *hints = overlay_hints;
    size_t count = G_N_ELEMENTS(overlay_hints);
    if (context == UI_CONTEXT_MAIN) {
        hints = main_hints;
        count = G_N_ELEMENTS(main_hints);
    } else if (context == UI_CONTEXT_FORM) {
        hints = form_hints;
        count = G_N_ELEMENTS(form_hints);
    } else if (context == UI_CONTEXT_DIALOG) {
        hints = dialog_hints;
        count = G_N_ELEMENTS(dialog_hints);
    }
    move(r->y, r->x);
    clrtoeol();
    /* Room is kept for the last hint (quit, cancel…): it must always show. */
    char *last_keys = keymap_keys_text(console->keymap, context, hints[count - 1], 1);
    int last_width =
        (int)(text_width(last_keys) + 1 + text_width(ui_action_hint(hints[count - 1])));
    g_free(last_keys);
    int x = r->x, end = r->x + r->width - last_width - 2;
    bool room = true;
    for (size_t i = 0; room && i + 1 < count; i++) {
        room = put_hint(console, context, hints[i], &x, end);
        /* On the panels the changes follow "open": what a person looks for next. */
        for (size_t k = 0;
             room && context == UI_CONTEXT_MAIN && hints[i] == UI_ACTION_OPEN && k < 4; k++) {
            enum ui_action action = change_hints[console->focus][k];
            if (action != UI_ACTION_NONE)
                room = put_hint(console, context, action, &x, end);
        }
    }
    put_hint(console, context, hints[count - 1], &x, r->x + r->width);
}

/* ---- the whole screen ---------------------------------------------------------------------- */

static void draw_too_small(const struct console *console)
{
    erase();
    char *text =
        g_strdup_printf("terminal too small: %d×%d, portalctl needs %d×%d", console->layout.cols,
                        console->layout.lines, UI_MIN_COLS, UI_MIN_LINES);
    int width = console->layout.cols;
    put_fitted(console->layout.lines / 2, 0, width, text, A_BOLD);
    g_free(text);
}

void draw_screen(struct console *console)
{
    curs_set(0);
    if (console->layout.too_small) {
        draw_too_small(console);
    } else {
        draw_title(console);
        for (int p = 0; p < UI_PANEL_COUNT; p++)
            draw_panel(console, &console->panels[p]);
        draw_separator(console);
        if (console->overlay.kind != OVERLAY_NONE)
            draw_overlay(console);
        if (console->form)
            draw_form(console);
        if (console->bulk)
            draw_bulk(console);
        if (console->dialog.purpose != DIALOG_NONE)
            draw_dialog(console);
        draw_hints(console);
        draw_status(console); /* it places the cursor of an open prompt */
        int y = 0, x = 0;
        if (console->dialog.purpose != DIALOG_NONE ? dialog_cursor(console, &y, &x)
            : console->form                        ? form_cursor(console, &y, &x)
                                                   : false) {
            move(y, x);
            curs_set(1);
        } else if (console->prompt.kind != PROMPT_NONE && !console->form) {
            curs_set(1);
        }
    }
    wnoutrefresh(stdscr);
    doupdate();
}
