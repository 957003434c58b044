/*
 * The console's screen layout, computed from the terminal size alone: where
 * the title line, the three panels, the status and hints lines and an open
 * dialog go, or that the terminal is too small. Layout is computed here and
 * painted by src/ui/, so it is tested without a terminal (neomutt's
 * "recalculate, then repaint").
 */
#ifndef PORTALCTL_UI_LAYOUT_H
#define PORTALCTL_UI_LAYOUT_H

#include <stdbool.h>

/* Below this the console shows "terminal too small" and nothing else. */
#define UI_MIN_COLS  60
#define UI_MIN_LINES 15

struct ui_rect {
    int y, x, height, width;
};

enum ui_panel {
    UI_PANEL_CONNECTIONS,
    UI_PANEL_PORTALS,
    UI_PANEL_USERS,
    UI_PANEL_COUNT,
};

struct ui_layout {
    int cols, lines;
    bool too_small;
    struct ui_rect title;                  /* line 0 */
    struct ui_rect panels[UI_PANEL_COUNT]; /* each: a caption line, a header line, rows */
    struct ui_rect dialog;                 /* detail and help, over the panels */
    struct ui_rect status;                 /* second line from the bottom */
    struct ui_rect hints;                  /* last line */
};

void ui_layout_compute(int cols, int lines, struct ui_layout *layout);

/* Rows of records a panel shows: its height less the caption and header. */
int ui_layout_panel_rows(const struct ui_rect *panel);

/* The panel whose rectangle holds the screen cell, or UI_PANEL_COUNT. */
enum ui_panel ui_layout_panel_at(const struct ui_layout *layout, int y, int x);

#endif
