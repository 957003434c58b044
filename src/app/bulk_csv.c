/*
 * bulk CSV (see bulk_csv.h): libcsv in strict mode, fed one physical line at
 * a time so every record knows the line it starts on. libcsv itself does not
 * count lines; feeding it line by line, a record starts on the line fed while
 * no record was open, and a record is open after a line unless that line's
 * last event closed one (a quoted field can carry line breaks on).
 */
#include <portalctl/bulk_csv.h>
#include <portalctl/store_files.h>
#include <portalctl/text.h>

#include <csv.h>
#include <string.h>

struct csv_reader {
    const char *name;
    const struct bulk_csv_schema *schema;
    GPtrArray *problems;
    struct bulk_csv *csv;
    GPtrArray *fields; /* char *: the fields of the open record */
    bool record_has_nul;
    unsigned line;        /* the line being fed */
    unsigned record_line; /* where the open record started */
    bool between_records; /* no record is open */
    bool closed_record;   /* the last event was the end of a record */
    bool header_done;
    bool header_bad;
};

static void problem(struct csv_reader *r, unsigned line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct csv_reader *r, unsigned line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    g_ptr_array_add(r->problems, g_strdup_printf("%s:%u: %s", r->name, line, message));
    g_free(message);
}

/* ---- the header ----------------------------------------------------------------- */

static const struct bulk_column *find_column(const struct bulk_csv_schema *schema, const char *name)
{
    for (size_t i = 0; i < schema->count; i++) {
        if (g_ascii_strcasecmp(schema->columns[i].key, name) == 0)
            return &schema->columns[i];
    }
    return NULL;
}

static char *known_columns(const struct bulk_csv_schema *schema)
{
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < schema->count; i++) {
        if (schema->columns[i].use == BULK_COLUMN_REFUSED)
            continue;
        g_string_append_printf(list, "%s%s", list->len ? ", " : "", schema->columns[i].key);
    }
    return g_string_free(list, FALSE);
}

static bool header_has(const struct bulk_csv *csv, const char *key)
{
    for (guint i = 0; i < csv->keys->len; i++) {
        const char *have = g_ptr_array_index(csv->keys, i);
        if (have && strcmp(have, key) == 0)
            return true;
    }
    return false;
}

/* One header field: its canonical key (NULL when ignored or bad). */
static const char *header_key(struct csv_reader *r, guint index, const char *raw)
{
    char *name = g_strstrip(g_strdup(raw));
    char *shown = text_sanitize(name);
    const struct bulk_column *column = name[0] ? find_column(r->schema, name) : NULL;
    const char *key = NULL;
    if (!name[0]) {
        problem(r, r->record_line, "column %u of the header has no name", index + 1);
    } else if (!column) {
        char *known = known_columns(r->schema);
        problem(r, r->record_line, "unknown column \"%s\": %s takes %s", shown, r->schema->what,
                known);
        g_free(known);
    } else if (column->use == BULK_COLUMN_REFUSED) {
        problem(r, r->record_line, "column \"%s\": %s", shown, column->why);
    } else if (column->use != BULK_COLUMN_IGNORED && header_has(r->csv, column->key)) {
        problem(r, r->record_line, "column \"%s\" appears twice", column->key);
    } else if (column->use != BULK_COLUMN_IGNORED) {
        key = column->key;
    }
    if (!key && (!column || column->use != BULK_COLUMN_IGNORED))
        r->header_bad = true;
    g_free(shown);
    g_free(name);
    return key;
}

static void check_required_columns(struct csv_reader *r)
{
    const struct bulk_csv_schema *schema = r->schema;
    for (size_t i = 0; i < schema->count; i++) {
        if (schema->columns[i].use == BULK_COLUMN_REQUIRED &&
            !header_has(r->csv, schema->columns[i].key)) {
            problem(r, r->record_line, "missing column \"%s\": %s needs it", schema->columns[i].key,
                    schema->what);
            r->header_bad = true;
        }
    }
    if (!schema->one_of)
        return;
    for (size_t i = 0; schema->one_of[i]; i++) {
        if (header_has(r->csv, schema->one_of[i]))
            return;
    }
    char *list = g_strjoinv(" or ", (char **)schema->one_of);
    problem(r, r->record_line, "missing column: %s needs %s", schema->what, list);
    g_free(list);
    r->header_bad = true;
}

static void take_header(struct csv_reader *r)
{
    r->csv->columns = r->fields->len;
    for (guint i = 0; i < r->fields->len; i++)
        g_ptr_array_add(r->csv->keys, (char *)header_key(r, i, g_ptr_array_index(r->fields, i)));
    check_required_columns(r);
    r->header_done = true;
}

/* ---- rows ------------------------------------------------------------------------- */

static void take_row(struct csv_reader *r)
{
    if (r->header_bad)
        return;
    /* A line of blanks reads as one empty field: not a row. */
    if (r->fields->len == 1 && r->csv->columns > 1 &&
        !((const char *)g_ptr_array_index(r->fields, 0))[0])
        return;
    struct bulk_csv_row *row = g_new0(struct bulk_csv_row, 1);
    row->line = r->record_line;
    row->values = form_values_new();
    if (r->fields->len != r->csv->columns) {
        problem(r, row->line,
                "has %u fields, the header has %u (a comma too many or too few, "
                "or a quote not closed?)",
                r->fields->len, r->csv->columns);
        row->broken = true;
    } else if (r->record_has_nul) {
        problem(r, row->line, "contains a NUL byte: the file is not text");
        row->broken = true;
    }
    for (guint i = 0; !row->broken && i < r->fields->len; i++) {
        const char *key = g_ptr_array_index(r->csv->keys, i);
        if (key)
            form_values_set(row->values, key, g_ptr_array_index(r->fields, i));
    }
    g_ptr_array_add(r->csv->rows, row);
}

/* ---- libcsv callbacks ---------------------------------------------------------------- */

static void on_field(void *field, size_t len, void *data)
{
    struct csv_reader *r = data;
    const char *text = field ? field : "";
    if (memchr(text, '\0', len))
        r->record_has_nul = true;
    g_ptr_array_add(r->fields, g_strndup(text, len));
    r->closed_record = false;
}

static void on_record(int terminator, void *data)
{
    (void)terminator;
    struct csv_reader *r = data;
    if (!r->header_done)
        take_header(r);
    else
        take_row(r);
    g_ptr_array_set_size(r->fields, 0);
    r->record_has_nul = false;
    r->closed_record = true;
}

/* ---- feeding ------------------------------------------------------------------------------ */

static bool is_blank_line(const char *chunk, size_t len)
{
    return (len == 1 && chunk[0] == '\n') || (len == 2 && chunk[0] == '\r' && chunk[1] == '\n');
}

static bool feed_line(struct csv_reader *r, struct csv_parser *parser, const char *chunk,
                      size_t len)
{
    bool was_between = r->between_records;
    if (was_between)
        r->record_line = r->line;
    r->closed_record = false;
    if (csv_parse(parser, chunk, len, on_field, on_record, r) != len) {
        problem(r, r->line,
                "not valid CSV (%s): a quote inside a field must be doubled, and a "
                "quoted field must end with a quote",
                csv_strerror(csv_error(parser)));
        return false;
    }
    r->between_records = r->closed_record || (was_between && is_blank_line(chunk, len));
    return true;
}

static bool feed_all(struct csv_reader *r, struct csv_parser *parser, const char *data, size_t len)
{
    size_t pos = 0;
    r->line = 1;
    r->between_records = true;
    while (pos < len) {
        const char *newline = memchr(data + pos, '\n', len - pos);
        size_t end = newline ? (size_t)(newline - data) + 1 : len;
        if (!feed_line(r, parser, data + pos, end - pos))
            return false;
        pos = end;
        if (newline)
            r->line++;
    }
    if (csv_fini(parser, on_field, on_record, r) != 0) {
        problem(r, r->record_line,
                "not valid CSV: a quoted field is not closed before the end "
                "of the file");
        return false;
    }
    return true;
}

/* ---- public -----------------------------------------------------------------------------------
 */

static void free_row(gpointer data)
{
    struct bulk_csv_row *row = data;
    form_values_free(row->values);
    g_free(row);
}

void bulk_csv_free(struct bulk_csv *csv)
{
    if (!csv)
        return;
    g_free(csv->name);
    g_ptr_array_unref(csv->keys);
    g_ptr_array_unref(csv->rows);
    g_free(csv);
}

static bool finish_checks(struct csv_reader *r)
{
    if (!r->header_done) {
        problem(r, 1, "the file is empty: its first line must name the columns");
        return false;
    }
    if (r->header_bad)
        return false;
    if (r->csv->rows->len == 0) {
        problem(r, r->line, "no rows after the header: nothing to do");
        return false;
    }
    return true;
}

struct bulk_csv *bulk_csv_parse(const char *name, const char *data, size_t len,
                                const struct bulk_csv_schema *schema, GPtrArray *problems)
{
    struct csv_reader r = {.name = name, .schema = schema, .problems = problems};
    r.csv = g_new0(struct bulk_csv, 1);
    r.csv->name = g_strdup(name);
    r.csv->keys = g_ptr_array_new();
    r.csv->rows = g_ptr_array_new_with_free_func(free_row);
    r.fields = g_ptr_array_new_with_free_func(g_free);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) { /* a byte order mark */
        data += 3;
        len -= 3;
    }
    struct csv_parser parser;
    bool inited = csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) == 0;
    if (!inited)
        problem(&r, 1, "out of memory");
    bool ok = inited && feed_all(&r, &parser, data, len) && finish_checks(&r);
    if (inited)
        csv_free(&parser);
    g_ptr_array_unref(r.fields);
    if (!ok) {
        bulk_csv_free(r.csv);
        return NULL;
    }
    return r.csv;
}

struct bulk_csv *bulk_csv_read_file(const char *path, const struct bulk_csv_schema *schema,
                                    GPtrArray *problems, GError **error)
{
    char *data = NULL;
    size_t len = 0;
    if (!store_read_file(path, BULK_CSV_MAX_BYTES, &data, &len, error))
        return NULL;
    struct bulk_csv *csv = bulk_csv_parse(path, data, len, schema, problems);
    g_free(data);
    return csv;
}
