/*
 * The form view: paints a form_model over the panels — a label, an input, a
 * mark on required fields and the error beside each field, the Submit
 * button, the focused field's help line and the form-wide error — and turns
 * keys into form_model calls. Characters typed always go into the field;
 * other keys are looked up in the "form" context of the keymap. The layout
 * is recomputed from the dialog rectangle on every paint, so a resize while
 * the form is open needs nothing special.
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/text.h>

/* Rows the frame, title, note, Submit button, help and error lines take. */
#define FORM_CHROME 8

struct form_geometry {
    int x, width;    /* inside the frame, with a margin */
    int label_width; /* mark and label */
    int input_width; /* between the brackets */
    int first_row;   /* screen row of the first field shown */
    size_t first;    /* index of the first field shown */
    size_t shown;    /* how many fields fit */
};

static int clamp(int value, int low, int high)
{
    return value < low ? low : value > high ? high : value;
}

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

void draw_frame(const struct ui_rect *r)
{
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
    attrset(A_NORMAL);
}

/* The dialog rectangle, no taller than the form needs. */
static struct ui_rect form_rect(const struct console *console)
{
    struct ui_rect r = console->layout.dialog;
    int wanted = (int)form_model_count(console->form) + FORM_CHROME;
    r.height = MIN(r.height, wanted);
    return r;
}

static struct form_geometry geometry(const struct console *console)
{
    struct ui_rect rect = form_rect(console);
    const struct ui_rect *r = &rect;
    const struct form_model *form = console->form;
    struct form_geometry g = {.x = r->x + 2, .width = r->width - 4, .first_row = r->y + 3};
    int longest = 0;
    for (size_t i = 0; i < form_model_count(form); i++)
        longest = MAX(longest, (int)text_width(form_model_field(form, i)->spec->label));
    g.label_width = clamp(longest + 3, 10, g.width / 3);
    /* What is left after the input goes to the error beside it. */
    g.input_width = clamp(g.width - g.label_width - 44, 12, 34);
    size_t rows = (size_t)MAX(r->height - FORM_CHROME, 1);
    g.shown = MIN(rows, form_model_count(form));
    size_t focus = MIN(form->focus, form_model_count(form) ? form_model_count(form) - 1 : 0);
    g.first = focus >= g.shown ? focus - g.shown + 1 : 0;
    return g;
}

static void draw_field(const struct form_model *form, size_t index, int y,
                       const struct form_geometry *g)
{
    const struct form_model_field *field = form_model_field(form, index);
    bool focused = form->focus == index;
    bool readonly = field->flags & FORM_FIELD_READONLY;
    char *label = g_strdup_printf("%s %s", field->spec->required && !readonly ? "*" : " ",
                                  field->spec->label);
    put_text(y, g->x, g->label_width, label,
             theme_attr(focused ? THEME_CAPTION_FOCUS : THEME_DIALOG));
    g_free(label);
    int x = g->x + g->label_width;
    char *shown = form_model_display(form, index, (size_t)g->input_width, NULL);
    if (readonly) {
        char *text = g_strdup_printf("%s  (from the selection)", shown);
        put_text(y, x, g->input_width + 2, text, theme_attr(THEME_DIALOG));
        g_free(text);
    } else {
        put_text(y, x, 1, "[", theme_attr(THEME_DIALOG));
        put_text(y, x + 1, g->input_width, shown,
                 theme_attr(focused ? THEME_SELECTED_UNFOCUSED : THEME_HEADER));
        put_text(y, x + 1 + g->input_width, 1, "]", theme_attr(THEME_DIALOG));
    }
    g_free(shown);
    int error_x = x + g->input_width + 3;
    int error_width = g->x + g->width - error_x;
    if (field->error) {
        char *text = g_strdup_printf("! %s", field->error);
        put_text(y, error_x, error_width, text, theme_attr(THEME_ERROR));
        g_free(text);
    } else {
        put_text(y, error_x, error_width, "", theme_attr(THEME_DIALOG));
    }
}

static void draw_footer(const struct console *console, const struct form_geometry *g, int y)
{
    const struct form_model *form = console->form;
    bool on_submit = form_model_on_submit(form);
    const char *button = form->busy ? "[ sending… Esc cancels ]" : "[ Submit ]";
    put_text(y, g->x + g->label_width, (int)text_width(button), button,
             theme_attr(on_submit ? THEME_SELECTED : THEME_DIALOG));
    const struct form_model_field *field = form_model_focused(form);
    char *choices = field ? form_model_choice_hint(form, form->focus) : NULL;
    char *help = field ? g_strdup_printf("%s%s%s", field->spec->help, choices ? "  " : "",
                                         choices ? choices : "")
                       : g_strdup("Enter sends the form; Esc cancels.");
    put_text(y + 1, g->x, g->width, help, theme_attr(THEME_DIALOG));
    g_free(help);
    g_free(choices);
    char *problem = form->form_error ? g_strdup_printf("! %s", form->form_error) : g_strdup("");
    put_text(y + 2, g->x, g->width, problem, theme_attr(THEME_ERROR));
    g_free(problem);
}

void draw_form(struct console *console)
{
    struct ui_rect rect = form_rect(console);
    const struct ui_rect *r = &rect;
    struct form_model *form = console->form;
    draw_frame(r);
    struct form_geometry g = geometry(console);
    put_text(r->y + 1, g.x, g.width, form->title, theme_attr(THEME_CAPTION_FOCUS));
    put_text(r->y + 2, g.x, g.width, "* required.  Tab/Up/Down move, Ctrl-S sends, Esc cancels.",
             theme_attr(THEME_DIALOG));
    for (size_t i = 0; i < g.shown; i++)
        draw_field(form, g.first + i, g.first_row + (int)i, &g);
    draw_footer(console, &g, g.first_row + (int)g.shown + 1);
}

bool form_cursor(const struct console *console, int *y, int *x)
{
    const struct form_model *form = console->form;
    const struct form_model_field *field = form_model_focused(form);
    if (!form || !field || form->busy || field->spec->type == FIELD_ENUM)
        return false;
    struct form_geometry g = geometry(console);
    size_t column = 0;
    char *shown = form_model_display(form, form->focus, (size_t)g.input_width, &column);
    g_free(shown);
    *y = g.first_row + (int)(form->focus - g.first);
    *x = g.x + g.label_width + 1 + (int)column;
    return true;
}

void form_close(struct console *console)
{
    form_model_free(console->form);
    console->form = NULL;
}

static enum ui_result cancel(struct console *console)
{
    if (console->form->dirty) {
        dialog_open(console, DIALOG_DISCARD_FORM, "Cancel the form",
                    "Forget what you typed and close the form?", NULL);
        return UI_REDRAW;
    }
    changes_drop(console);
    browser_set_message(console->browser, false, "cancelled: nothing was sent");
    return UI_REDRAW;
}

enum ui_result form_key(struct console *console, const struct input *input)
{
    struct form_model *form = console->form;
    if (input->kind != INPUT_KEY)
        return UI_DONE;
    if (form->busy) {
        /* Only cancelling: the values being sent stay as they are. */
        if (!input->is_text &&
            keymap_lookup(console->keymap, UI_CONTEXT_FORM, input->key) == UI_ACTION_CANCEL)
            change_cancel(console->change);
        else
            browser_set_message(console->browser, false,
                                "waiting for the vendor's answer… (Esc cancels)");
        return UI_REDRAW;
    }
    if (input->is_text) {
        form_model_edit(form, input->key, true);
        return UI_REDRAW;
    }
    switch (keymap_lookup(console->keymap, UI_CONTEXT_FORM, input->key)) {
    case UI_ACTION_NEXT_FIELD:
        form_model_next(form);
        return UI_REDRAW;
    case UI_ACTION_PREV_FIELD:
        form_model_prev(form);
        return UI_REDRAW;
    case UI_ACTION_ACCEPT:
        return form_model_accept(form) ? changes_submit(console) : UI_REDRAW;
    case UI_ACTION_SUBMIT:
        return changes_submit(console);
    case UI_ACTION_CANCEL:
        return cancel(console);
    default:
        form_model_edit(form, input->key, false);
        return UI_REDRAW;
    }
}
