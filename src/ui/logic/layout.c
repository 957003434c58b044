/*
 * The console's layout (see ui_layout.h): connections on the left, portals
 * above users on the right, as wide as the terminal allows. No curses here.
 */
#include <portalctl/ui_layout.h>

#include <string.h>

/* Lines a panel takes before its first row: caption and column titles. */
#define PANEL_CHROME 2

static int clamp(int value, int low, int high)
{
    return value < low ? low : value > high ? high : value;
}

void ui_layout_compute(int cols, int lines, struct ui_layout *layout)
{
    memset(layout, 0, sizeof(*layout));
    layout->cols = cols;
    layout->lines = lines;
    layout->too_small = cols < UI_MIN_COLS || lines < UI_MIN_LINES;
    if (layout->too_small)
        return;
    layout->title = (struct ui_rect){0, 0, 1, cols};
    layout->status = (struct ui_rect){lines - 2, 0, 1, cols};
    layout->hints = (struct ui_rect){lines - 1, 0, 1, cols};
    int body_top = 1, body_height = lines - 3;
    int left_width = clamp(cols * 3 / 10, 30, 44);
    int right_x = left_width + 1; /* one column of separator */
    int right_width = cols - right_x;
    /* Users get the larger share: a portal may have 100,000 of them. */
    int portals_height =
        clamp(body_height * 2 / 5, PANEL_CHROME + 2, body_height - PANEL_CHROME - 2);
    layout->panels[UI_PANEL_CONNECTIONS] = (struct ui_rect){body_top, 0, body_height, left_width};
    layout->panels[UI_PANEL_PORTALS] =
        (struct ui_rect){body_top, right_x, portals_height, right_width};
    layout->panels[UI_PANEL_USERS] = (struct ui_rect){body_top + portals_height, right_x,
                                                      body_height - portals_height, right_width};
    int margin_x = cols >= 100 ? 8 : 2;
    layout->dialog = (struct ui_rect){body_top + 1, margin_x, body_height - 2, cols - 2 * margin_x};
}

int ui_layout_panel_rows(const struct ui_rect *panel)
{
    int rows = panel->height - PANEL_CHROME;
    return rows > 0 ? rows : 0;
}

enum ui_panel ui_layout_panel_at(const struct ui_layout *layout, int y, int x)
{
    for (int p = 0; p < UI_PANEL_COUNT; p++) {
        const struct ui_rect *r = &layout->panels[p];
        if (y >= r->y && y < r->y + r->height && x >= r->x && x < r->x + r->width)
            return (enum ui_panel)p;
    }
    return UI_PANEL_COUNT;
}
