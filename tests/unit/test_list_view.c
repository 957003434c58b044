/*
 * The list view's model and the screen layout, without a terminal: 100,000
 * rows, paging in, filter, stable cursor on reload, cell fitting with wide and
 * combining characters, hostile text, column layout, too-small screens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <glib.h>

#include <portalctl/list_model.h>
#include <portalctl/model.h>
#include <portalctl/text.h>
#include <portalctl/ui_layout.h>

static void add_user(struct record_list *list, size_t n)
{
    char id[32], name[64], email[64];
    snprintf(id, sizeof(id), "%zu", n);
    snprintf(name, sizeof(name), "User %06zu", n);
    snprintf(email, sizeof(email), "user%zu@%s.example", n, n % 2 ? "odd" : "even");
    struct record *r = record_list_append(list);
    record_set(list, r, RECORD_ID, id);
    record_set(list, r, RECORD_NAME, name);
    record_set(list, r, RECORD_EMAIL, email);
}

static void fill(struct record_list *list, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        add_user(list, i);
}

static const char *selected_id(const struct list_model *model)
{
    const struct record *r = list_model_selected(model);
    return r ? record_get(r, RECORD_ID) : NULL;
}

static void test_list_model_100000_rows_paged_in(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_height(&model, 20);
    assert_int_equal(0, list_model_count(&model));
    assert_null(list_model_selected(&model));
    for (size_t page = 0; page < 100; page++) {
        fill(&list, page * 1000, (page + 1) * 1000);
        list_model_sync(&model);
        assert_int_equal((page + 1) * 1000, list_model_count(&model));
    }
    assert_int_equal(100000, model.scanned);
    list_model_last(&model);
    assert_string_equal("99999", selected_id(&model));
    assert_int_equal(99999 - 19, model.top);
    list_model_page(&model, -1);
    assert_int_equal(99999 - 19, model.cursor);
    assert_int_equal(99999 - 19 - 19, model.top);
    list_model_first(&model);
    assert_int_equal(0, model.top);
    list_model_move(&model, 25);
    assert_int_equal(25, model.cursor);
    assert_int_equal(6, model.top); /* scrolled just enough */
    list_model_move(&model, -1000);
    assert_int_equal(0, model.cursor);
    list_model_clear(&model);
    record_list_clear(&list);
}

static void test_list_model_filter_is_incremental_and_case_insensitive(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    fill(&list, 0, 100000);
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_height(&model, 10);
    list_model_set_filter(&model, "E");
    assert_int_equal(100000, list_model_count(&model)); /* "user", "example": every row */
    list_model_set_filter(&model, "Ex");
    assert_int_equal(100000, list_model_count(&model));
    list_model_set_filter(&model, "ODD");
    assert_int_equal(50000, list_model_count(&model));
    list_model_set_filter(&model, "ODD.EXAMPLE");
    assert_int_equal(50000, list_model_count(&model));
    list_model_set_filter(&model, "user 09999");    /* not a narrowing: rescanned */
    assert_int_equal(10, list_model_count(&model)); /* 099990..099999 */
    list_model_set_filter(&model, "USER 099995");   /* narrowing */
    assert_int_equal(1, list_model_count(&model));
    list_model_set_filter(&model, "user 09999");
    assert_int_equal(10, list_model_count(&model));
    assert_string_equal("99995", selected_id(&model)); /* the cursor kept its record */
    /* New pages are filtered as they arrive. */
    fill(&list, 100000, 100010);
    list_model_sync(&model);
    assert_int_equal(10, list_model_count(&model));
    list_model_set_filter(&model, "");
    assert_int_equal(100010, list_model_count(&model));
    assert_null(list_model_filter(&model));
    list_model_clear(&model);
    record_list_clear(&list);
}

static void test_list_model_filter_keeps_cursor_on_its_record(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    fill(&list, 0, 100);
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_height(&model, 10);
    list_model_move(&model, 41);
    assert_string_equal("41", selected_id(&model));
    list_model_set_filter(&model, "odd");
    assert_string_equal("41", selected_id(&model));
    list_model_set_filter(&model, "even"); /* 41 is gone: first row */
    assert_string_equal("0", selected_id(&model));
    list_model_clear(&model);
    record_list_clear(&list);
}

/* The filter searches a case-folded copy of each record made when it
 * arrives: Unicode folding (U+212A KELVIN SIGN is a 'k'), no match across two
 * fields, hits after the 16-byte blocks of the fast search, and a reload
 * that replaces the records must not search the old copy. */
static void test_list_model_filter_over_folded_copy(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct record *r = record_list_append(&list);
    record_set(&list, r, RECORD_ID, "1");
    record_set(&list, r, RECORD_NAME, "ZOË Ström \u212Aelvin");
    r = record_list_append(&list);
    record_set(&list, r, RECORD_ID, "2");
    record_set(&list, r, RECORD_NAME, "abc");
    record_set(&list, r, RECORD_EMAIL, "def@example.com and a long tail to pass 16 bytes XYZ");
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_filter(&model, "STRÖM");
    assert_int_equal(1, list_model_count(&model));
    list_model_set_filter(&model, "kelvin");
    assert_int_equal(1, list_model_count(&model));
    list_model_set_filter(&model, "cdef"); /* "abc" + "def…": two fields */
    assert_int_equal(0, list_model_count(&model));
    list_model_set_filter(&model, "16 bytes xyz");
    assert_int_equal(1, list_model_count(&model));
    assert_string_equal("2", selected_id(&model));
    list_model_set_filter(&model, "x");
    assert_int_equal(1, list_model_count(&model));
    record_list_clear(&list);
    record_list_init(&list);
    r = record_list_append(&list);
    record_set(&list, r, RECORD_ID, "3");
    record_set(&list, r, RECORD_NAME, "Xavier");
    list_model_reload(&model);
    assert_int_equal(1, list_model_count(&model));
    assert_string_equal("3", selected_id(&model));
    list_model_set_filter(&model, "example");
    assert_int_equal(0, list_model_count(&model));
    /* Many blocks of folded text: hits in every block, then a page that
     * arrives while filtering, then a list cut short without a reload. */
    fill(&list, 0, 5000);
    list_model_sync(&model);
    assert_int_equal(5000, list_model_count(&model));
    list_model_set_filter(&model, "user 0049");
    assert_int_equal(100, list_model_count(&model));
    list_model_set_filter(&model, "odd.example");
    assert_int_equal(2500, list_model_count(&model));
    fill(&list, 5000, 6000);
    list_model_sync(&model);
    assert_int_equal(3000, list_model_count(&model));
    list.count = 4001; /* records [4001, 6001) dropped, folded text too */
    list_model_set_filter(&model, NULL);
    assert_int_equal(4001, list_model_count(&model));
    list_model_set_filter(&model, "user 0059");
    assert_int_equal(0, list_model_count(&model));
    fill(&list, 4000, 4100); /* appended again with other text */
    list_model_sync(&model);
    list_model_set_filter(&model, "user 0040");
    assert_int_equal(100, list_model_count(&model)); /* users 4000-4099 */
    list_model_clear(&model);
    record_list_clear(&list);
}

static void test_list_model_matches_unicode(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct record *r = record_list_append(&list);
    record_set(&list, r, RECORD_NAME, "ZOË Ström");
    char *needle = g_utf8_casefold("zoë", -1);
    assert_true(list_model_matches(&list.items[0], needle, false));
    g_free(needle);
    needle = g_utf8_casefold("STRÖM", -1);
    assert_true(list_model_matches(&list.items[0], needle, false));
    g_free(needle);
    assert_true(list_model_matches(&list.items[0], "zo", true));
    assert_false(list_model_matches(&list.items[0], "zoe", true));
    record_list_clear(&list);
}

/* A refresh replaces the list; the cursor stays on its record and its line. */
static void test_list_model_reload_keeps_cursor_and_scroll(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    fill(&list, 0, 1000);
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_height(&model, 20);
    list_model_move(&model, 500);
    list_model_move(&model, -5);
    size_t line = model.cursor - model.top;
    assert_string_equal("495", selected_id(&model));
    /* The refreshed list has 10 new records in front. */
    record_list_clear(&list);
    record_list_init(&list);
    fill(&list, 5000, 5010);
    fill(&list, 0, 1000);
    list_model_reload(&model);
    assert_string_equal("495", selected_id(&model));
    assert_int_equal(line, model.cursor - model.top);
    list_model_clear(&model);
    record_list_clear(&list);
}

/* The refresh arrives in pages: the record is found when its page comes. */
static void test_list_model_reload_finds_cursor_in_later_page(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    fill(&list, 0, 1000);
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_height(&model, 20);
    list_model_move(&model, 700);
    size_t line = model.cursor - model.top;
    record_list_clear(&list);
    record_list_init(&list);
    fill(&list, 0, 100);
    list_model_reload(&model);
    assert_true(model.anchor_pending);
    fill(&list, 100, 1000);
    list_model_sync(&model);
    assert_false(model.anchor_pending);
    assert_string_equal("700", selected_id(&model));
    assert_int_equal(line, model.cursor - model.top);
    list_model_clear(&model);
    record_list_clear(&list);
}

static void test_list_model_click(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    fill(&list, 0, 5);
    struct list_model model;
    list_model_init(&model, &list);
    list_model_set_height(&model, 10);
    assert_true(list_model_click(&model, 3));
    assert_string_equal("3", selected_id(&model));
    assert_false(list_model_click(&model, 7));
    assert_string_equal("3", selected_id(&model));
    list_model_clear(&model);
    record_list_clear(&list);
}

static const struct list_column columns[] = {
    {RECORD_NAME, "NAME", 8, 20, 2},
    {RECORD_EMAIL, "EMAIL", 10, 0, 3},
    {RECORD_STATUS, "STATUS", 6, 10, 1},
};

static void test_list_layout_columns(void **state)
{
    (void)state;
    unsigned widths[3];
    assert_int_equal(3, list_layout_columns(columns, 3, 80, NULL, widths));
    assert_int_equal(80, widths[0] + widths[1] + widths[2] + 2);
    assert_true(widths[0] <= 20 && widths[2] <= 10);
    /* Too narrow for the last column at its minimum: it is dropped. */
    assert_int_equal(2, list_layout_columns(columns, 3, 20, NULL, widths));
    assert_int_equal(0, widths[2]);
    assert_int_equal(20, widths[0] + widths[1] + 1);
    assert_int_equal(0, list_layout_columns(columns, 3, 5, NULL, widths));
    /* Short content: the name stays narrow and the e-mail gets the room. */
    unsigned natural[3] = {5, 30, 6};
    assert_int_equal(3, list_layout_columns(columns, 3, 80, natural, widths));
    assert_int_equal(8, widths[0]); /* its minimum: content is narrower */
    assert_int_equal(30, widths[1]);
    assert_int_equal(6, widths[2]);
}

static void test_list_format_row_sanitizes_and_fits_wide_text(void **state)
{
    (void)state;
    struct record_list list;
    record_list_init(&list);
    struct record *r = record_list_append(&list);
    record_set(&list, r, RECORD_NAME, "漢字漢字漢字漢字漢字漢字");
    record_set(&list, r, RECORD_EMAIL, "e\xcc\x81vil\x1b[2J@x.example");
    record_set(&list, r, RECORD_STATUS,
               "\xe2\x80\xae"
               "on");
    unsigned widths[3];
    size_t shown = list_layout_columns(columns, 3, 60, NULL, widths);
    assert_int_equal(3, shown);
    GString *line = g_string_new(NULL);
    list_format_row(line, &list.items[0], columns, 3, widths, 60);
    assert_int_equal(60, text_width(line->str));
    assert_null(strchr(line->str, '\x1b'));
    assert_non_null(strstr(line->str, "\\e[2J"));
    assert_non_null(strstr(line->str, "\\u202e"));
    assert_non_null(strstr(line->str, "…")); /* the wide name was cut */
    g_string_truncate(line, 0);
    list_format_header(line, columns, 3, widths, 60);
    assert_int_equal(60, text_width(line->str));
    assert_true(g_str_has_prefix(line->str, "NAME "));
    g_string_free(line, TRUE);
    record_list_clear(&list);
}

static void test_ui_layout_compute(void **state)
{
    (void)state;
    struct ui_layout layout;
    ui_layout_compute(59, 40, &layout);
    assert_true(layout.too_small);
    ui_layout_compute(100, 14, &layout);
    assert_true(layout.too_small);
    for (int cols = UI_MIN_COLS; cols <= 300; cols += 7) {
        for (int lines = UI_MIN_LINES; lines <= 120; lines += 5) {
            ui_layout_compute(cols, lines, &layout);
            assert_false(layout.too_small);
            const struct ui_rect *c = &layout.panels[UI_PANEL_CONNECTIONS];
            const struct ui_rect *p = &layout.panels[UI_PANEL_PORTALS];
            const struct ui_rect *u = &layout.panels[UI_PANEL_USERS];
            assert_int_equal(1, c->y);
            assert_int_equal(lines - 3, c->height);
            assert_true(c->width + 1 + p->width == cols);
            assert_int_equal(p->y + p->height, u->y);
            assert_int_equal(c->y + c->height, u->y + u->height);
            assert_true(ui_layout_panel_rows(p) >= 2);
            assert_true(ui_layout_panel_rows(u) >= 2);
            assert_int_equal(lines - 1, layout.hints.y);
            assert_true(layout.dialog.width > 0 && layout.dialog.height > 0);
            assert_int_equal(UI_PANEL_USERS, ui_layout_panel_at(&layout, u->y, u->x));
            assert_int_equal(UI_PANEL_COUNT, ui_layout_panel_at(&layout, 0, 0));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_model_100000_rows_paged_in),
        cmocka_unit_test(test_list_model_filter_is_incremental_and_case_insensitive),
        cmocka_unit_test(test_list_model_filter_keeps_cursor_on_its_record),
        cmocka_unit_test(test_list_model_filter_over_folded_copy),
        cmocka_unit_test(test_list_model_matches_unicode),
        cmocka_unit_test(test_list_model_reload_keeps_cursor_and_scroll),
        cmocka_unit_test(test_list_model_reload_finds_cursor_in_later_page),
        cmocka_unit_test(test_list_model_click),
        cmocka_unit_test(test_list_layout_columns),
        cmocka_unit_test(test_list_format_row_sanitizes_and_fits_wide_text),
        cmocka_unit_test(test_ui_layout_compute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
