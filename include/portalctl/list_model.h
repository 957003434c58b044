/*
 * The list view's model: which records of a list are shown (the filter),
 * where the cursor is and which row is at the top of the screen, and how a
 * row is turned into one line of cells that fit their columns.
 *
 * Built for 100,000 rows: the filter keeps an array of row indices, pages
 * that arrive are case-folded once and filtered on their own (nothing is
 * rescanned), a new filter is one search over the folded text, typing one
 * more letter only narrows the rows already shown, and only the rows on
 * screen are ever formatted. When the list is reloaded, the cursor stays on
 * the same record (by id) and on the same screen line.
 *
 * Owns no records (the list is borrowed) and draws nothing: no curses here,
 * so tests/unit/test_list_view.c runs it without a terminal, as neomutt does
 * with its window layout.
 */
#ifndef PORTALCTL_LIST_MODEL_H
#define PORTALCTL_LIST_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/model.h>

struct list_model {
    const struct record_list *records; /* borrowed; may grow or be replaced */
    GArray *rows;                      /* of guint32: indices of the records shown */
    size_t scanned;                    /* records already filtered */
    size_t cursor;                     /* index into rows */
    size_t top;                        /* first row on screen */
    size_t height;                     /* rows on screen (at least 1) */
    char *filter;                      /* as typed, NULL when none */
    char *needle;                      /* the filter, case-folded */
    bool needle_ascii;
    /* The searchable text of every scanned record, case-folded once when the
     * record arrives: its fields one after the other, each ending in '\0' (so
     * a match never spans two fields), kept in fixed blocks of whole records.
     * A keystroke in the filter is then one search over these blocks instead
     * of folding 100,000 records again. */
    GPtrArray *folded_blocks; /* of struct fold_block *, list_model.c's own */
    char *anchor_id;          /* id of the record under the cursor */
    size_t anchor_line;       /* cursor - top when the anchor was taken */
    bool anchor_pending;      /* reloaded without finding it yet: look in new pages */
};

void list_model_init(struct list_model *model, const struct record_list *records);
void list_model_clear(struct list_model *model);

/* Rows that fit on screen; keeps the cursor visible. */
void list_model_set_height(struct list_model *model, size_t height);

/* Records were appended to the list: filters only the new ones. */
void list_model_sync(struct list_model *model);
/* The list was replaced (refresh): rebuilds, then puts the cursor back on
 * the record it was on, on the same screen line, or looks for that record in
 * the pages still to come. */
void list_model_reload(struct list_model *model);

/* Cursor movement; all clamp to the rows there are. */
void list_model_move(struct list_model *model, long delta);
void list_model_page(struct list_model *model, int direction); /* -1 up, +1 down */
void list_model_first(struct list_model *model);
void list_model_last(struct list_model *model);
/* Puts the cursor on screen line `line` (a mouse click); false when no row is there. */
bool list_model_click(struct list_model *model, size_t line);

/* Case-insensitive substring filter over every common field; NULL or ""
 * shows everything. The cursor stays on its record when it is still shown. */
void list_model_set_filter(struct list_model *model, const char *filter);
const char *list_model_filter(const struct list_model *model);

size_t list_model_count(const struct list_model *model);
/* The record of shown row i, NULL when out of range. */
const struct record *list_model_row(const struct list_model *model, size_t i);
const struct record *list_model_selected(const struct list_model *model);

/* Whether a record matches a case-folded needle (exposed for the tests). */
bool list_model_matches(const struct record *record, const char *needle, bool needle_ascii);

/* ---- columns -------------------------------------------------------------------- */

struct list_column {
    enum record_field field;
    const char *title;
    unsigned min_width; /* the column is dropped rather than made narrower */
    unsigned max_width; /* 0: no limit */
    unsigned weight;    /* share of the space left over once minimums are met */
};

/* Widths for columns in a line `width` columns wide, one space between
 * columns. Columns that do not fit at their minimum are dropped from the
 * end (width 0). The space left is shared by weight, but a column never
 * grows past its max_width nor past natural[i] (the widest text it has to
 * show; natural may be NULL), so what one column does not need goes to the
 * others. Returns how many columns are shown. */
size_t list_layout_columns(const struct list_column *columns, size_t count, size_t width,
                           const unsigned *natural, unsigned *widths);
/* The widest sanitized text of each column among the rows on screen (and its
 * title): the natural widths for list_layout_columns. */
void list_natural_widths(const struct list_model *model, const struct list_column *columns,
                         size_t count, unsigned *natural);

/* Appends one line for record: each shown cell sanitized (text.h), measured
 * in terminal columns and fitted to its width, padded to exactly `width`. */
void list_format_row(GString *out, const struct record *record, const struct list_column *columns,
                     size_t count, const unsigned *widths, size_t width);
/* The same for the column titles. */
void list_format_header(GString *out, const struct list_column *columns, size_t count,
                        const unsigned *widths, size_t width);

#endif
