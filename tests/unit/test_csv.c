/*
 * Unit tests for app/bulk_csv.c, the CSV reader of bulk work (libcsv in
 * strict mode): RFC 4180 quoting (embedded commas, doubled quotes, line
 * breaks), a byte order mark, CRLF and LF, the line each row starts on even
 * after quoted line breaks, and the header: unknown, refused, missing and
 * duplicated columns, letter case, ignored columns, "one of" columns.
 */
#include <portalctl/bulk_csv.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static const struct bulk_column invite_columns[] = {
    {"email", BULK_COLUMN_REQUIRED, NULL},
    {"first_name", BULK_COLUMN_OPTIONAL, NULL},
    {"last_name", BULK_COLUMN_OPTIONAL, NULL},
    {"password", BULK_COLUMN_REFUSED, "passwords are never read from a file"},
    {"notes", BULK_COLUMN_IGNORED, NULL},
};

static const struct bulk_csv_schema invite_schema = {
    .columns = invite_columns,
    .count = G_N_ELEMENTS(invite_columns),
    .what = "an invitation file",
};

struct parsed {
    struct bulk_csv *csv;
    GPtrArray *problems;
};

static struct parsed parse_with(const char *text, const struct bulk_csv_schema *schema)
{
    struct parsed p;
    p.problems = g_ptr_array_new_with_free_func(g_free);
    p.csv = bulk_csv_parse("people.csv", text, strlen(text), schema, p.problems);
    return p;
}

static struct parsed parse(const char *text)
{
    return parse_with(text, &invite_schema);
}

static void parsed_free(struct parsed *p)
{
    bulk_csv_free(p->csv);
    g_ptr_array_unref(p->problems);
}

static const struct bulk_csv_row *row_at(const struct parsed *p, guint i)
{
    assert_non_null(p->csv);
    assert_true(i < p->csv->rows->len);
    return g_ptr_array_index(p->csv->rows, i);
}

static const char *value(const struct parsed *p, guint i, const char *key)
{
    return form_values_get(row_at(p, i)->values, key);
}

static const char *problem(const struct parsed *p, guint i)
{
    assert_true(i < p->problems->len);
    return g_ptr_array_index(p->problems, i);
}

/* ---- RFC 4180 ------------------------------------------------------------------- */

static void test_csv_plain_rows(void **state)
{
    (void)state;
    struct parsed p = parse("email,first_name\nann@example.com,Ann\nbo@example.com,Bo\n");
    assert_int_equal(p.problems->len, 0);
    assert_int_equal(p.csv->rows->len, 2);
    assert_string_equal(value(&p, 0, "email"), "ann@example.com");
    assert_string_equal(value(&p, 1, "first_name"), "Bo");
    assert_int_equal(row_at(&p, 0)->line, 2);
    assert_int_equal(row_at(&p, 1)->line, 3);
    assert_null(value(&p, 0, "last_name"));
    parsed_free(&p);
}

static void test_csv_quotes_commas_and_doubled_quotes(void **state)
{
    (void)state;
    struct parsed p = parse("email,first_name,last_name\n"
                            "ann@example.com,\"Lee, Ann\",\"O\"\"Brien\"\n");
    assert_int_equal(p.problems->len, 0);
    assert_string_equal(value(&p, 0, "first_name"), "Lee, Ann");
    assert_string_equal(value(&p, 0, "last_name"), "O\"Brien");
    parsed_free(&p);
}

static void test_csv_embedded_newlines_keep_line_numbers(void **state)
{
    (void)state;
    /* Row 1 starts on line 2 and spans three lines; row 2 starts on line 5. */
    struct parsed p = parse("email,first_name\r\n"
                            "ann@example.com,\"two\r\nline\r\nname\"\r\n"
                            "bo@example.com,Bo\r\n"
                            "\r\n"
                            "cy@example.com,\"a\n\nb\"\n"
                            "di@example.com,Di\n");
    assert_int_equal(p.problems->len, 0);
    assert_int_equal(p.csv->rows->len, 4);
    assert_int_equal(row_at(&p, 0)->line, 2);
    assert_string_equal(value(&p, 0, "first_name"), "two\r\nline\r\nname");
    assert_int_equal(row_at(&p, 1)->line, 5);
    assert_int_equal(row_at(&p, 2)->line, 7); /* after a blank line 6 */
    assert_string_equal(value(&p, 2, "first_name"), "a\n\nb");
    assert_int_equal(row_at(&p, 3)->line, 10);
    parsed_free(&p);
}

static void test_csv_bom_and_no_final_newline(void **state)
{
    (void)state;
    struct parsed p = parse("\xEF\xBB\xBF"
                            "email\r\nann@example.com");
    assert_int_equal(p.problems->len, 0);
    assert_int_equal(p.csv->rows->len, 1);
    assert_string_equal(value(&p, 0, "email"), "ann@example.com");
    parsed_free(&p);
}

static void test_csv_unclosed_quote_is_refused(void **state)
{
    (void)state;
    struct parsed p = parse("email,first_name\nann@example.com,Ann\nbo@example.com,\"Bo\n");
    assert_null(p.csv);
    assert_int_equal(p.problems->len, 1);
    assert_non_null(strstr(problem(&p, 0), "people.csv:3: not valid CSV"));
    parsed_free(&p);
}

static void test_csv_stray_quote_is_refused_with_its_line(void **state)
{
    (void)state;
    struct parsed p = parse("email,first_name\nann@example.com,Ann\nbo@example.com,\"Bo\"x\n");
    assert_null(p.csv);
    assert_non_null(strstr(problem(&p, 0), "people.csv:3: not valid CSV"));
    parsed_free(&p);
}

static void test_csv_wrong_field_count_marks_the_row(void **state)
{
    (void)state;
    struct parsed p = parse("email,first_name\nann@example.com,Ann,extra\nbo@example.com,Bo\n");
    assert_non_null(p.csv);
    assert_int_equal(p.csv->rows->len, 2);
    assert_true(row_at(&p, 0)->broken);
    assert_false(row_at(&p, 1)->broken);
    assert_int_equal(p.problems->len, 1);
    assert_non_null(strstr(problem(&p, 0), "people.csv:2: has 3 fields, the header has 2"));
    parsed_free(&p);
}

static void test_csv_nul_byte_marks_the_row(void **state)
{
    (void)state;
    static const char text[] = "email\nann@exa\0mple.com\n";
    GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
    struct bulk_csv *csv =
        bulk_csv_parse("people.csv", text, sizeof(text) - 1, &invite_schema, problems);
    assert_non_null(csv);
    assert_true(((struct bulk_csv_row *)g_ptr_array_index(csv->rows, 0))->broken);
    assert_non_null(strstr(g_ptr_array_index(problems, 0), "people.csv:2: contains a NUL byte"));
    bulk_csv_free(csv);
    g_ptr_array_unref(problems);
}

/* ---- the header --------------------------------------------------------------------- */

static void test_csv_header_case_and_ignored_columns(void **state)
{
    (void)state;
    struct parsed p = parse("EMAIL, First_Name ,notes\nann@example.com,Ann,call first\n");
    assert_int_equal(p.problems->len, 0);
    assert_string_equal(value(&p, 0, "email"), "ann@example.com");
    assert_string_equal(value(&p, 0, "first_name"), "Ann");
    assert_null(value(&p, 0, "notes"));
    assert_int_equal(form_values_count(row_at(&p, 0)->values), 2);
    parsed_free(&p);
}

static void test_csv_unknown_refused_missing_and_duplicate_columns(void **state)
{
    (void)state;
    struct parsed p = parse("first_name,emial,password,first_name\nAnn,x,y,z\n");
    assert_null(p.csv);
    assert_int_equal(p.problems->len, 4);
    assert_non_null(strstr(problem(&p, 0), "people.csv:1: unknown column \"emial\": an "
                                           "invitation file takes email, first_name, last_name"));
    assert_non_null(
        strstr(problem(&p, 1), "people.csv:1: column \"password\": passwords are never read"));
    assert_non_null(strstr(problem(&p, 2), "people.csv:1: column \"first_name\" appears twice"));
    assert_non_null(strstr(problem(&p, 3), "people.csv:1: missing column \"email\""));
    parsed_free(&p);
}

static void test_csv_one_of_columns(void **state)
{
    (void)state;
    static const struct bulk_column columns[] = {
        {"id", BULK_COLUMN_OPTIONAL, NULL},
        {"email", BULK_COLUMN_OPTIONAL, NULL},
        {"first_name", BULK_COLUMN_IGNORED, NULL},
    };
    static const char *const one_of[] = {"id", "email", NULL};
    const struct bulk_csv_schema schema = {columns, G_N_ELEMENTS(columns), one_of,
                                           "a removal file"};
    struct parsed p = parse_with("first_name\nAnn\n", &schema);
    assert_null(p.csv);
    assert_non_null(strstr(problem(&p, 0), "people.csv:1: missing column: a removal file needs "
                                           "id or email"));
    parsed_free(&p);
    p = parse_with("first_name,email\nAnn,ann@example.com\n", &schema);
    assert_non_null(p.csv);
    assert_string_equal(value(&p, 0, "email"), "ann@example.com");
    parsed_free(&p);
}

static void test_csv_empty_file_and_header_only(void **state)
{
    (void)state;
    struct parsed p = parse("");
    assert_null(p.csv);
    assert_non_null(strstr(problem(&p, 0), "people.csv:1: the file is empty"));
    parsed_free(&p);
    p = parse("email\r\n");
    assert_null(p.csv);
    assert_non_null(strstr(problem(&p, 0), "no rows after the header"));
    parsed_free(&p);
}

static void test_csv_control_characters_in_header_are_sanitized(void **state)
{
    (void)state;
    struct parsed p = parse("email,\x1b[31mred\nann@example.com,x\n");
    assert_null(p.csv);
    assert_null(strchr(problem(&p, 0), '\x1b'));
    assert_non_null(strstr(problem(&p, 0), "\\e[31mred"));
    parsed_free(&p);
}

static void test_csv_read_file_errors(void **state)
{
    (void)state;
    GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    assert_null(bulk_csv_read_file("/nonexistent/people.csv", &invite_schema, problems, &error));
    assert_non_null(error);
    assert_int_equal(problems->len, 0);
    g_clear_error(&error);
    g_ptr_array_unref(problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_plain_rows),
        cmocka_unit_test(test_csv_quotes_commas_and_doubled_quotes),
        cmocka_unit_test(test_csv_embedded_newlines_keep_line_numbers),
        cmocka_unit_test(test_csv_bom_and_no_final_newline),
        cmocka_unit_test(test_csv_unclosed_quote_is_refused),
        cmocka_unit_test(test_csv_stray_quote_is_refused_with_its_line),
        cmocka_unit_test(test_csv_wrong_field_count_marks_the_row),
        cmocka_unit_test(test_csv_nul_byte_marks_the_row),
        cmocka_unit_test(test_csv_header_case_and_ignored_columns),
        cmocka_unit_test(test_csv_unknown_refused_missing_and_duplicate_columns),
        cmocka_unit_test(test_csv_one_of_columns),
        cmocka_unit_test(test_csv_empty_file_and_header_only),
        cmocka_unit_test(test_csv_control_characters_in_header_are_sanitized),
        cmocka_unit_test(test_csv_read_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
