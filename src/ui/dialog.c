/*
 * Questions: a confirmation over everything else, whose default answer is
 * No, and its typed-name variant (deleting a portal: nothing happens until
 * the portal's name is typed exactly). Keys come from the keymap's "dialog"
 * context; in the typed-name variant characters go into the input instead.
 * Painted in a box centred in the dialog rectangle, recomputed on every
 * paint, so resizing works while a question is open.
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/text.h>

void dialog_open(struct console *console, enum dialog_purpose purpose, const char *title,
                 const char *question, const char *typed_name)
{
    dialog_close(console);
    struct dialog *d = &console->dialog;
    d->purpose = purpose;
    d->title = g_strdup(title);
    d->question = g_strdup(question);
    d->typed_name = g_strdup(typed_name);
    d->typed = g_string_new(NULL);
    d->yes_focused = false; /* No is the default */
}

void dialog_close(struct console *console)
{
    struct dialog *d = &console->dialog;
    g_clear_pointer(&d->title, g_free);
    g_clear_pointer(&d->question, g_free);
    g_clear_pointer(&d->typed_name, g_free);
    g_clear_pointer(&d->problem, g_free);
    if (d->typed)
        g_string_free(d->typed, TRUE);
    d->typed = NULL;
    d->purpose = DIALOG_NONE;
}

/* ---- answers ------------------------------------------------------------------------ */

static enum ui_result answer(struct console *console, bool yes)
{
    enum dialog_purpose purpose = console->dialog.purpose;
    dialog_close(console);
    if (purpose == DIALOG_DISCARD_FORM) {
        if (yes) {
            changes_drop(console);
            browser_set_message(console->browser, false, "cancelled: nothing was sent");
        }
        return UI_REDRAW;
    }
    if (!yes) {
        changes_drop(console);
        browser_set_message(console->browser, false, "not confirmed: nothing was sent");
        return UI_REDRAW;
    }
    return changes_confirmed(console);
}

static enum ui_result typed_enter(struct console *console)
{
    struct dialog *d = &console->dialog;
    if (strcmp(d->typed->str, d->typed_name) == 0)
        return answer(console, true);
    g_free(d->problem);
    d->problem = g_strdup("type the name exactly as shown to confirm, or Esc to keep it");
    return UI_REDRAW;
}

static enum ui_result typed_key(struct console *console, const struct input *input)
{
    struct dialog *d = &console->dialog;
    if (input->is_text) {
        g_string_append_unichar(d->typed, (gunichar)input->key);
        return UI_REDRAW;
    }
    if (input->key == UI_KEY_BACKSPACE && d->typed->len > 0) {
        const char *prev = g_utf8_find_prev_char(d->typed->str, d->typed->str + d->typed->len);
        g_string_truncate(d->typed, prev ? (gsize)(prev - d->typed->str) : 0);
        return UI_REDRAW;
    }
    switch (keymap_lookup(console->keymap, UI_CONTEXT_DIALOG, input->key)) {
    case UI_ACTION_ACCEPT:
        return typed_enter(console);
    case UI_ACTION_NO:
        return answer(console, false);
    default:
        return UI_DONE;
    }
}

enum ui_result dialog_key(struct console *console, const struct input *input)
{
    struct dialog *d = &console->dialog;
    if (input->kind != INPUT_KEY)
        return UI_DONE;
    if (d->typed_name)
        return typed_key(console, input);
    enum ui_action action = keymap_lookup(console->keymap, UI_CONTEXT_DIALOG, input->key);
    switch (dialog_yes_no_key(action, &d->yes_focused)) {
    case DIALOG_ANSWER_YES:
        return answer(console, true);
    case DIALOG_ANSWER_NO:
        return answer(console, false);
    case DIALOG_ANSWER_MOVED:
        return UI_REDRAW;
    case DIALOG_ANSWER_NONE:
        break;
    }
    return UI_DONE;
}

enum dialog_answer dialog_yes_no_key(enum ui_action action, bool *yes_focused)
{
    switch (action) {
    case UI_ACTION_YES:
        return DIALOG_ANSWER_YES;
    case UI_ACTION_NO:
        return DIALOG_ANSWER_NO;
    case UI_ACTION_ACCEPT:
        return *yes_focused ? DIALOG_ANSWER_YES : DIALOG_ANSWER_NO;
    case UI_ACTION_NEXT_FIELD:
    case UI_ACTION_PREV_FIELD:
        *yes_focused = !*yes_focused;
        return DIALOG_ANSWER_MOVED;
    default:
        return DIALOG_ANSWER_NONE;
    }
}

/* ---- painting ------------------------------------------------------------------------- */

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

/* Splits the question into lines of at most width columns, at spaces. */
static GPtrArray *wrap(const char *text, int width)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    char **words = g_strsplit(text, " ", -1);
    GString *line = g_string_new(NULL);
    for (char **w = words; *w; w++) {
        if (line->len && (int)(text_width(line->str) + 1 + text_width(*w)) > width) {
            g_ptr_array_add(lines, g_strdup(line->str));
            g_string_truncate(line, 0);
        }
        g_string_append_printf(line, "%s%s", line->len ? " " : "", *w);
    }
    if (line->len)
        g_ptr_array_add(lines, g_strdup(line->str));
    g_string_free(line, TRUE);
    g_strfreev(words);
    return lines;
}

static struct ui_rect dialog_box(const struct console *console, int lines_needed)
{
    const struct ui_rect *area = &console->layout.dialog;
    int width = MIN(area->width, 72);
    int height = MIN(area->height, lines_needed + 2);
    return (struct ui_rect){area->y + (area->height - height) / 2,
                            area->x + (area->width - width) / 2, height, width};
}

void draw_dialog(struct console *console)
{
    struct dialog *d = &console->dialog;
    int inner = MIN(console->layout.dialog.width, 72) - 4;
    GPtrArray *lines = wrap(d->question, inner);
    int extra = d->typed_name ? 4 : 2; /* blank + buttons, or blank + prompt + input + problem */
    struct ui_rect area = dialog_box(console, 1 + (int)lines->len + extra);
    draw_frame(&area);
    int y = area.y + 1, x = area.x + 2;
    put_text(y++, x, inner, d->title, theme_attr(THEME_CAPTION_FOCUS));
    for (guint i = 0; i < lines->len && y < area.y + area.height - 1; i++)
        put_text(y++, x, inner, g_ptr_array_index(lines, i), theme_attr(THEME_DIALOG));
    y++;
    if (d->typed_name) {
        char *prompt = g_strdup_printf("Type %s to confirm (Esc keeps it):", d->typed_name);
        put_text(y++, x, inner, prompt, theme_attr(THEME_DIALOG));
        g_free(prompt);
        char *input = g_strdup_printf("> %s", d->typed->str);
        put_text(y++, x, inner, input, theme_attr(THEME_HEADER));
        g_free(input);
        put_text(y, x, inner, d->problem ? d->problem : "", theme_attr(THEME_ERROR));
    } else {
        put_text(y, x, 8, "[ No ]", theme_attr(d->yes_focused ? THEME_DIALOG : THEME_SELECTED));
        put_text(y, x + 9, 9, "[ Yes ]",
                 theme_attr(d->yes_focused ? THEME_SELECTED : THEME_DIALOG));
        put_text(y, x + 19, inner - 19, "y yes, n or Esc no, Enter the highlighted",
                 theme_attr(THEME_DIALOG));
    }
    g_ptr_array_unref(lines);
}

bool dialog_cursor(const struct console *console, int *y, int *x)
{
    const struct dialog *d = &console->dialog;
    if (!d->typed_name)
        return false;
    int inner = MIN(console->layout.dialog.width, 72) - 4;
    GPtrArray *lines = wrap(d->question, inner);
    struct ui_rect area = dialog_box(console, 1 + (int)lines->len + 4);
    *y = area.y + 1 + 1 + (int)lines->len + 1 + 1;
    *x = area.x + 2 + 2 + (int)text_width(d->typed->str);
    if (*x >= area.x + area.width - 1)
        *x = area.x + area.width - 2;
    g_ptr_array_unref(lines);
    return true;
}
