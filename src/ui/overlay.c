/*
 * Overlays drawn over the panels: the detail of one row (every field the
 * vendor returned, common ones first, then the extras in the vendor's order)
 * and the help screen, generated from the action table and the keymap so it
 * can never drift from behaviour. Both are list models, so they scroll and
 * filter (/) like any list.
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/text.h>

/* Detail rows: ID = the field's name, NAME = its value. */
static const struct list_column detail_columns[] = {
    {RECORD_ID, "FIELD", 10, 28, 1},
    {RECORD_NAME, "VALUE", 10, 0, 4},
};

/* Help rows: ID = keys, NAME = action, STATUS = what it does, ROLE = where. */
static const struct list_column help_columns[] = {
    {RECORD_ROLE, "WHERE", 7, 8, 0},
    {RECORD_ID, "KEYS", 8, 22, 1},
    {RECORD_NAME, "ACTION", 12, 14, 0},
    {RECORD_STATUS, "WHAT IT DOES", 10, 0, 4},
};

static void add_pair(struct record_list *rows, const char *key, const char *value)
{
    struct record *r = record_list_append(rows);
    record_set(rows, r, RECORD_ID, key);
    record_set(rows, r, RECORD_NAME, value);
}

static void start_overlay(struct console *console, enum overlay_kind kind, const char *title)
{
    overlay_close(console);
    console->overlay.kind = kind;
    console->overlay.title = g_strdup(title);
    record_list_init(&console->overlay.rows);
}

static void finish_overlay(struct console *console)
{
    list_model_init(&console->overlay.model, &console->overlay.rows);
    overlay_resize(console);
}

void overlay_open_detail(struct console *console, const struct record_list *list,
                         const struct record *record, const char *title)
{
    start_overlay(console, OVERLAY_DETAIL, title);
    struct record_list *rows = &console->overlay.rows;
    for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
        const char *value = record_get(record, (enum record_field)f);
        if (value)
            add_pair(rows, record_field_name((enum record_field)f), value);
    }
    const struct record_extra *extras = record_extras(list, record);
    for (uint32_t i = 0; i < record->extra_count; i++)
        add_pair(rows, extras[i].key, extras[i].value);
    finish_overlay(console);
}

void overlay_open_records(struct console *console, const struct record_list *list,
                          const char *title)
{
    if (list->count == 1) {
        overlay_open_detail(console, list, &list->items[0], title);
        return;
    }
    start_overlay(console, OVERLAY_DETAIL, title);
    for (size_t i = 0; i < list->count; i++) {
        const struct record *r = &list->items[i];
        const char *id = record_get(r, RECORD_ID);
        const char *name = record_get(r, RECORD_NAME);
        add_pair(&console->overlay.rows, id ? id : "", name ? name : "");
    }
    finish_overlay(console);
}

static void add_help_rows(struct console *console, enum ui_context context)
{
    struct record_list *rows = &console->overlay.rows;
    for (int a = UI_ACTION_NONE + 1; a < UI_ACTION_COUNT; a++) {
        enum ui_action action = (enum ui_action)a;
        ui_key keys[8];
        if (!changes_action_visible(console, action))
            continue; /* read-only: changes are not offered at all */
        size_t n = keymap_keys_for(console->keymap, context, action, keys, G_N_ELEMENTS(keys));
        /* A context lists its own bindings; generic ones are listed once, under generic. */
        bool own = false;
        for (size_t i = 0; i < n && i < G_N_ELEMENTS(keys); i++)
            own |= context == UI_CONTEXT_GENERIC ||
                   keymap_lookup(console->keymap, UI_CONTEXT_GENERIC, keys[i]) != action;
        if (n == 0 || !own)
            continue;
        char *text = keymap_keys_text(console->keymap, context, action, 8);
        struct record *r = record_list_append(rows);
        record_set(rows, r, RECORD_ROLE, ui_context_name(context));
        record_set(rows, r, RECORD_ID, text);
        record_set(rows, r, RECORD_NAME, ui_action_name(action));
        record_set(rows, r, RECORD_STATUS, ui_action_help(action));
        g_free(text);
    }
}

void overlay_open_help(struct console *console)
{
    start_overlay(console, OVERLAY_HELP, "Help: every key, generated from the key bindings");
    for (int c = 0; c < UI_CONTEXT_COUNT; c++)
        add_help_rows(console, (enum ui_context)c);
    char *path = keymap_user_path();
    struct record_list *rows = &console->overlay.rows;
    struct record *r = record_list_append(rows);
    record_set(rows, r, RECORD_ROLE, "");
    record_set(rows, r, RECORD_ID, "");
    record_set(rows, r, RECORD_NAME, "keys.conf");
    char *where =
        g_strdup_printf("Change bindings in %s (same syntax as the built-in keys.conf)", path);
    record_set(rows, r, RECORD_STATUS, where);
    g_free(where);
    g_free(path);
    finish_overlay(console);
}

void overlay_close(struct console *console)
{
    struct overlay *o = &console->overlay;
    if (o->kind == OVERLAY_NONE)
        return;
    list_model_clear(&o->model);
    record_list_clear(&o->rows);
    g_clear_pointer(&o->title, g_free);
    o->kind = OVERLAY_NONE;
}

void overlay_resize(struct console *console)
{
    if (console->overlay.kind == OVERLAY_NONE || console->layout.too_small)
        return;
    /* A frame line, the title, the column titles, the rows, a frame line. */
    int rows = console->layout.dialog.height - 4;
    list_model_set_height(&console->overlay.model, rows > 1 ? (size_t)rows : 1);
}

static void overlay_columns(const struct console *console, const struct list_column **columns,
                            size_t *count)
{
    if (console->overlay.kind == OVERLAY_HELP) {
        *columns = help_columns;
        *count = G_N_ELEMENTS(help_columns);
    } else {
        *columns = detail_columns;
        *count = G_N_ELEMENTS(detail_columns);
    }
}

static void put_inner(const struct ui_rect *r, int line, const char *text, attr_t attrs)
{
    GString *fitted = g_string_new(NULL);
    char *safe = text_sanitize(text);
    text_append_fitted(fitted, safe, (size_t)(r->width - 2), true);
    attrset(attrs);
    mvaddstr(r->y + line, r->x + 1, fitted->str);
    attrset(A_NORMAL);
    g_free(safe);
    g_string_free(fitted, TRUE);
}

void draw_overlay(struct console *console)
{
    const struct ui_rect *r = &console->layout.dialog;
    struct overlay *o = &console->overlay;
    const struct list_column *columns;
    size_t count;
    overlay_columns(console, &columns, &count);
    attrset(theme_attr(THEME_DIALOG));
    for (int y = 0; y < r->height; y++)
        mvhline(r->y + y, r->x, ' ', r->width);
    mvaddch(r->y, r->x, ACS_ULCORNER);
    mvhline(r->y, r->x + 1, ACS_HLINE, r->width - 2);
    mvaddch(r->y, r->x + r->width - 1, ACS_URCORNER);
    mvvline(r->y + 1, r->x, ACS_VLINE, r->height - 2);
    mvvline(r->y + 1, r->x + r->width - 1, ACS_VLINE, r->height - 2);
    mvaddch(r->y + r->height - 1, r->x, ACS_LLCORNER);
    mvhline(r->y + r->height - 1, r->x + 1, ACS_HLINE, r->width - 2);
    mvaddch(r->y + r->height - 1, r->x + r->width - 1, ACS_LRCORNER);
    char *title =
        list_model_filter(&o->model)
            ? g_strdup_printf("%s (%zu of %zu)  filter: %s", o->title, list_model_count(&o->model),
                              o->rows.count, list_model_filter(&o->model))
            : g_strdup_printf("%s (%zu)", o->title, o->rows.count);
    put_inner(r, 1, title, theme_attr(THEME_CAPTION_FOCUS));
    g_free(title);
    size_t width = (size_t)(r->width - 2);
    unsigned widths[8] = {0};
    unsigned natural[8] = {0};
    list_natural_widths(&o->model, columns, count, natural);
    list_layout_columns(columns, count, width, natural, widths);
    GString *line = g_string_new(NULL);
    list_format_header(line, columns, count, widths, width);
    attrset(theme_attr(THEME_HEADER));
    mvaddstr(r->y + 2, r->x + 1, line->str);
    int rows = r->height - 4;
    for (int i = 0; i < rows; i++) {
        size_t row = o->model.top + (size_t)i;
        const struct record *record = list_model_row(&o->model, row);
        g_string_truncate(line, 0);
        if (record)
            list_format_row(line, record, columns, count, widths, width);
        else
            g_string_append_printf(line, "%*s", (int)width, "");
        attrset(record && row == o->model.cursor ? theme_attr(THEME_SELECTED)
                                                 : theme_attr(THEME_DIALOG));
        mvaddstr(r->y + 3 + i, r->x + 1, line->str);
    }
    attrset(A_NORMAL);
    g_string_free(line, TRUE);
}
