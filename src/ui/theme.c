/*
 * The theme: one table of screen elements, each with a colour pair for
 * colour terminals and the attributes that carry the same meaning without
 * colour (NO_COLOR, monochrome terminals). Colour is never the only carrier:
 * the mono attributes are applied in colour mode too.
 */
#include "ui_internal.h"

#include <stdlib.h>

struct theme_entry {
    short fg, bg; /* -1: the terminal's default */
    attr_t attrs; /* always applied */
};

static const struct theme_entry theme_table[THEME_COUNT] = {
    [THEME_NORMAL] = {-1, -1, A_NORMAL},
    [THEME_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
    [THEME_CAPTION] = {-1, -1, A_NORMAL},
    [THEME_CAPTION_FOCUS] = {COLOR_CYAN, -1, A_BOLD},
    [THEME_HEADER] = {-1, -1, A_UNDERLINE},
    [THEME_SELECTED] = {-1, -1, A_REVERSE},
    [THEME_SELECTED_UNFOCUSED] = {-1, -1, A_UNDERLINE},
    [THEME_STATUS] = {-1, -1, A_NORMAL},
    [THEME_ERROR] = {COLOR_RED, -1, A_BOLD},
    [THEME_HINT_KEY] = {COLOR_CYAN, -1, A_BOLD},
    [THEME_MARK_BAD] = {COLOR_RED, -1, A_BOLD},
    [THEME_DIALOG] = {-1, -1, A_NORMAL},
};

static bool use_colour;

void theme_init(void)
{
    const char *no_color = getenv("NO_COLOR");
    use_colour = !(no_color && *no_color) && has_colors();
    if (!use_colour)
        return;
    start_color();
    use_default_colors();
    for (int i = 1; i < THEME_COUNT; i++)
        init_pair((short)i, theme_table[i].fg, theme_table[i].bg);
}

attr_t theme_attr(enum theme_element element)
{
    attr_t attrs = theme_table[element].attrs;
    if (use_colour && element != THEME_NORMAL)
        attrs |= COLOR_PAIR(element);
    return attrs;
}
