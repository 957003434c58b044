/*
 * Command line: printing records as an aligned table, as JSON, or as the
 * fields of one record, and printing errors. Every string from a server is
 * sanitized (table, detail, errors) or escaped (JSON) before it is written:
 * a server can never send escape sequences to the operator's terminal.
 */
#include "cli_internal.h"

#include <portalctl/text.h>

#include <string.h>

#define MAX_COLUMN_WIDTH 40

/* Sanitized copies of every common field, so widths are measured on what is
 * printed. */
struct table_cells {
    char **cells; /* count * RECORD_FIELD_COUNT */
    size_t widths[RECORD_FIELD_COUNT];
    bool used[RECORD_FIELD_COUNT];
};

static void collect_cells(const struct record_list *records, struct table_cells *t)
{
    memset(t, 0, sizeof(*t));
    t->cells = g_new0(char *, records->count *RECORD_FIELD_COUNT + 1);
    for (int f = 0; f < RECORD_FIELD_COUNT; f++)
        t->widths[f] = strlen(record_field_name((enum record_field)f));
    for (size_t i = 0; i < records->count; i++) {
        for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
            const char *value = record_get(&records->items[i], (enum record_field)f);
            if (!value || !value[0])
                continue;
            char *cell = text_sanitize(value);
            size_t width = text_width(cell);
            t->widths[f] = MAX(t->widths[f], MIN(width, MAX_COLUMN_WIDTH));
            t->used[f] = true;
            t->cells[i * RECORD_FIELD_COUNT + (size_t)f] = cell;
        }
    }
}

static void append_row(GString *line, const struct table_cells *t, const char *const *cells)
{
    bool first = true;
    int last_used = -1;
    for (int f = 0; f < RECORD_FIELD_COUNT; f++)
        last_used = t->used[f] ? f : last_used;
    for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
        if (!t->used[f])
            continue;
        if (!first)
            g_string_append(line, "  ");
        first = false;
        /* The last column is not padded: no trailing blanks. */
        text_append_fitted(line, cells[f] ? cells[f] : "", t->widths[f], f != last_used);
    }
    g_string_append_c(line, '\n');
}

void cli_print_table(FILE *out, const struct record_list *records)
{
    struct table_cells t;
    collect_cells(records, &t);
    GString *text = g_string_new(NULL);
    const char *header[RECORD_FIELD_COUNT];
    char *upper[RECORD_FIELD_COUNT];
    for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
        upper[f] = g_ascii_strup(record_field_name((enum record_field)f), -1);
        header[f] = upper[f];
    }
    if (records->count > 0)
        append_row(text, &t, header);
    for (size_t i = 0; i < records->count; i++) {
        append_row(text, &t, (const char *const *)&t.cells[i * RECORD_FIELD_COUNT]);
        if (text->len > 1 << 20) { /* write in slabs: 100,000 rows stay cheap */
            fwrite(text->str, 1, text->len, out);
            g_string_truncate(text, 0);
        }
    }
    fwrite(text->str, 1, text->len, out);
    g_string_free(text, TRUE);
    for (int f = 0; f < RECORD_FIELD_COUNT; f++)
        g_free(upper[f]);
    for (size_t i = 0; i < records->count * RECORD_FIELD_COUNT; i++)
        g_free(t.cells[i]);
    g_free(t.cells);
}

static void append_json_record(GString *text, const struct record_list *records,
                               const struct record *record)
{
    g_string_append_c(text, '{');
    bool first = true;
    for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
        const char *value = record_get(record, (enum record_field)f);
        if (!value)
            continue;
        if (!first)
            g_string_append_c(text, ',');
        first = false;
        text_append_json_string(text, record_field_name((enum record_field)f));
        g_string_append_c(text, ':');
        text_append_json_string(text, value);
    }
    const struct record_extra *extras = record_extras(records, record);
    if (record->extra_count) {
        g_string_append(text, first ? "\"fields\":{" : ",\"fields\":{");
        for (uint32_t e = 0; e < record->extra_count; e++) {
            if (e)
                g_string_append_c(text, ',');
            text_append_json_string(text, extras[e].key);
            g_string_append_c(text, ':');
            text_append_json_string(text, extras[e].value);
        }
        g_string_append_c(text, '}');
    }
    g_string_append_c(text, '}');
}

void cli_print_json(FILE *out, const struct record_list *records)
{
    GString *text = g_string_new("[");
    for (size_t i = 0; i < records->count; i++) {
        if (i)
            g_string_append_c(text, ',');
        g_string_append(text, "\n  ");
        append_json_record(text, records, &records->items[i]);
        if (text->len > 1 << 20) {
            fwrite(text->str, 1, text->len, out);
            g_string_truncate(text, 0);
        }
    }
    g_string_append(text, records->count ? "\n]\n" : "]\n");
    fwrite(text->str, 1, text->len, out);
    g_string_free(text, TRUE);
}

static void append_detail_line(GString *text, const char *key, const char *value, size_t pad)
{
    char *safe_key = text_sanitize(key);
    char *safe_value = text_sanitize(value);
    g_string_append(text, safe_key);
    g_string_append_c(text, ':');
    for (size_t w = text_width(safe_key); w < pad; w++)
        g_string_append_c(text, ' ');
    g_string_append_c(text, ' ');
    g_string_append(text, safe_value);
    g_string_append_c(text, '\n');
    g_free(safe_key);
    g_free(safe_value);
}

void cli_print_detail(FILE *out, const struct record_list *records)
{
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < records->count; i++) {
        const struct record *record = &records->items[i];
        const struct record_extra *extras = record_extras(records, record);
        size_t pad = 0;
        for (uint32_t e = 0; e < record->extra_count; e++)
            pad = MAX(pad, MIN(text_width(extras[e].key), 32));
        for (int f = 0; f < RECORD_FIELD_COUNT; f++)
            pad = MAX(pad, strlen(record_field_name((enum record_field)f)));
        if (i)
            g_string_append_c(text, '\n');
        for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
            const char *value = record_get(record, (enum record_field)f);
            if (value)
                append_detail_line(text, record_field_name((enum record_field)f), value, pad);
        }
        if (record->extra_count)
            g_string_append(text, "--\n");
        for (uint32_t e = 0; e < record->extra_count; e++)
            append_detail_line(text, extras[e].key, extras[e].value, pad);
    }
    fwrite(text->str, 1, text->len, out);
    g_string_free(text, TRUE);
}

void cli_print_error(const struct api_error *error)
{
    char *message = text_sanitize(error->message ? error->message : "failed");
    fprintf(stderr, "portalctl: %s\n", message);
    g_free(message);
    for (guint i = 0; error->fields && i < error->fields->len; i++) {
        const struct api_field_error *fe = g_ptr_array_index(error->fields, i);
        char *field = text_sanitize(fe->field ? fe->field : "request");
        char *text = text_sanitize(fe->message);
        if (fe->row >= 0)
            fprintf(stderr, "  row %d: %s: %s\n", fe->row + 1, field, text);
        else
            fprintf(stderr, "  %s: %s\n", field, text);
        g_free(field);
        g_free(text);
    }
}
