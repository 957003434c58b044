/*
 * The one-line prompt on the status line: "/" filters the current list as
 * you type (Enter keeps the filter, Esc clears it), ":" reads a command
 * (Tab completes, Enter runs exactly what was typed, Esc cancels).
 */
#include "ui_internal.h"

#include <string.h>

static void apply_filter(struct console *console)
{
    list_model_set_filter(console_current_model(console), console->prompt.text->str);
}

static void close_prompt(struct console *console)
{
    console->prompt.kind = PROMPT_NONE;
    g_string_truncate(console->prompt.text, 0);
}

void prompt_open(struct console *console, enum prompt_kind kind)
{
    console->prompt.kind = kind;
    g_string_truncate(console->prompt.text, 0);
    const char *filter = list_model_filter(console_current_model(console));
    if (kind == PROMPT_FILTER && filter)
        g_string_assign(console->prompt.text, filter);
}

static void delete_last_char(GString *text)
{
    if (text->len == 0)
        return;
    const char *last = g_utf8_find_prev_char(text->str, text->str + text->len);
    g_string_truncate(text, last ? (gsize)(last - text->str) : 0);
}

static enum ui_result finish(struct console *console, bool accept)
{
    enum prompt_kind kind = console->prompt.kind;
    char *line = g_strdup(console->prompt.text->str);
    close_prompt(console);
    enum ui_result result = UI_REDRAW;
    if (kind == PROMPT_FILTER && !accept)
        list_model_set_filter(console_current_model(console), NULL);
    else if (kind == PROMPT_COMMAND && accept)
        result |= command_run(console, line);
    g_free(line);
    return result;
}

enum ui_result prompt_key(struct console *console, const struct input *input)
{
    if (input->kind != INPUT_KEY)
        return UI_DONE;
    GString *text = console->prompt.text;
    switch (input->key) {
    case UI_KEY_ESC:
        return finish(console, false);
    case UI_KEY_ENTER:
        return finish(console, true);
    case UI_KEY_BACKSPACE:
        delete_last_char(text);
        break;
    case UI_KEY_TAB:
        if (console->prompt.kind == PROMPT_COMMAND)
            command_complete(console, text);
        return UI_REDRAW;
    default:
        if (!input->is_text)
            return UI_DONE;
        g_string_append_unichar(text, (gunichar)input->key);
        break;
    }
    if (console->prompt.kind == PROMPT_FILTER)
        apply_filter(console);
    return UI_REDRAW;
}
