/*
 * Fuzz target: the CSV reader of bulk operations (bulk_csv.h) on any bytes,
 * with the column schemas the bulk profiles build: every form a CSV row can
 * fill (a vendor's invite or create-user form, columns from its fields) and
 * a removal-like schema (refused, ignored and one-of columns). Each row that
 * comes out is then checked with form_validate(), as the bulk planner does.
 *
 * Beyond "no crash": rows come in file order, never before the header; a row's
 * keys are columns of the schema that are neither refused nor ignored; every
 * problem names the file and a line and is valid UTF-8 (a CSV line from a
 * hostile export must not break the report or the terminal).
 *
 * Input: the first byte picks the schema, the rest is the file.
 */
#include "fuzz.h"

#include <portalctl/bulk_csv.h>
#include <portalctl/form.h>
#include <portalctl/vendor_fields.h>

#define CSV_NAME "people.csv"

struct fuzz_schema {
    struct bulk_csv_schema schema;
    const struct form_spec *form;
};

static struct fuzz_schema schemas[4];

static const struct bulk_column removal_columns[] = {
    {"id", BULK_COLUMN_OPTIONAL, NULL},
    {"email", BULK_COLUMN_OPTIONAL, NULL},
    {"password", BULK_COLUMN_REFUSED, "a removal takes no password: leave the column out"},
    {"first_name", BULK_COLUMN_IGNORED, NULL},
    {"last_name", BULK_COLUMN_IGNORED, NULL},
};
static const char *const removal_one_of[] = {"id", "email", NULL};

/* Columns from a form's fields, as bulk_profile_schema() makes them. */
static void schema_from_form(struct fuzz_schema *out, const struct form_spec *form,
                             const char *what)
{
    struct bulk_column *columns = g_new0(struct bulk_column, form->count);
    for (size_t i = 0; i < form->count; i++) {
        const struct field_spec *field = &form->fields[i];
        bool required = field->required && !field->default_value;
        columns[i] = (struct bulk_column){
            field->key, required ? BULK_COLUMN_REQUIRED : BULK_COLUMN_OPTIONAL, NULL};
    }
    out->schema = (struct bulk_csv_schema){columns, form->count, NULL, what};
    out->form = form;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    schema_from_form(&schemas[0], &ecgrid_create_user_form, "an ECGrid user");
    schema_from_form(&schemas[1], &zoho_invite_user_form, "a Zoho invitation");
    schema_from_form(&schemas[2], &valstorm_invite_user_form, "a Valstorm invitation");
    schemas[3].schema = (struct bulk_csv_schema){removal_columns, G_N_ELEMENTS(removal_columns),
                                                 removal_one_of, "a removal"};
    schemas[3].form = NULL;
    return 0;
}

static const struct bulk_column *column_of(const struct bulk_csv_schema *schema, const char *key)
{
    for (size_t i = 0; i < schema->count; i++) {
        if (strcmp(schema->columns[i].key, key) == 0)
            return &schema->columns[i];
    }
    return NULL;
}

static void check_rows(const struct bulk_csv *csv, const struct fuzz_schema *fs)
{
    FUZZ_CHECK(csv->keys->len == csv->columns);
    unsigned last_line = 1; /* the header's */
    struct form_errors *errors = form_errors_new();
    for (guint i = 0; i < csv->rows->len; i++) {
        const struct bulk_csv_row *row = g_ptr_array_index(csv->rows, i);
        /* Non-decreasing, not increasing: a lone CR ends a record (libcsv)
         * but not a line, so two records can start on one line. */
        FUZZ_CHECK(row->line >= last_line);
        last_line = row->line;
        for (size_t k = 0; k < form_values_count(row->values); k++) {
            const struct bulk_column *column =
                column_of(&fs->schema, form_values_key_at(row->values, k));
            FUZZ_CHECK(column != NULL);
            FUZZ_CHECK(column->use == BULK_COLUMN_OPTIONAL || column->use == BULK_COLUMN_REQUIRED);
        }
        if (fs->form && !row->broken)
            (void)form_validate(fs->form, row->values, errors);
    }
    form_errors_free(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    const struct fuzz_schema *fs = &schemas[fuzz_byte(&in) % G_N_ELEMENTS(schemas)];
    /* Its own allocation, without a NUL after it: overreads are caught. */
    char *file = g_malloc(in.size ? in.size : 1);
    if (in.size)
        memcpy(file, in.data, in.size);

    GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
    struct bulk_csv *csv = bulk_csv_parse(CSV_NAME, file, in.size, &fs->schema, problems);
    if (csv)
        check_rows(csv, fs);
    else
        FUZZ_CHECK(problems->len > 0); /* refused files say why */
    for (guint i = 0; i < problems->len; i++) {
        const char *p = g_ptr_array_index(problems, i);
        FUZZ_CHECK(g_str_has_prefix(p, CSV_NAME ":"));
        FUZZ_CHECK(g_utf8_validate(p, -1, NULL));
    }
    bulk_csv_free(csv);
    g_ptr_array_unref(problems);
    g_free(file);
    return 0;
}
