/*
 * bulk CSV: reading the CSV file of a bulk operation (users invite/create/
 * remove --csv FILE) into rows of form values, one per person.
 *
 * The parser is libcsv in strict mode (RFC 4180: quoted fields with embedded
 * commas, quotes and line breaks; CRLF or LF line ends; a UTF-8 byte order
 * mark at the start is dropped). The first record is the header: it names
 * the vendor's fields (the keys of the form spec, matched without regard to
 * letter case, so "EMAIL" is the field "email"). Every row remembers the line
 * it starts on, so a problem is reported as FILE:LINE: field: message even
 * after quoted line breaks.
 *
 * Owns: the file's structure (header, field counts, quoting, encoding of the
 * header). Checking a row's values is the form module's job (form_validate),
 * done by the bulk planner. Never: network, printing, or keeping a value
 * longer than the rows it belongs to.
 */
#ifndef PORTALCTL_BULK_CSV_H
#define PORTALCTL_BULK_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/form.h>

/* The largest CSV file read: far beyond any realistic list of people. */
#define BULK_CSV_MAX_BYTES ((size_t)64 * 1024 * 1024)

/* How a header column is treated. */
enum bulk_column_use {
    BULK_COLUMN_OPTIONAL, /* may be present */
    BULK_COLUMN_REQUIRED, /* must be present */
    BULK_COLUMN_REFUSED,  /* must not be present: why says what to do instead */
    BULK_COLUMN_IGNORED,  /* accepted and dropped (e.g. invite columns in a removal file) */
};

struct bulk_column {
    const char *key; /* the canonical field name */
    enum bulk_column_use use;
    const char *why; /* for REFUSED: the message */
};

/* The columns a file may have. */
struct bulk_csv_schema {
    const struct bulk_column *columns;
    size_t count;
    /* NULL, or a NULL-terminated list: at least one of these columns must be
     * present (e.g. a removal names people by id or by e-mail). */
    const char *const *one_of;
    const char *what; /* "a Valstorm invitation", for messages */
};

struct bulk_csv_row {
    unsigned line;              /* the physical line the record starts on (1-based) */
    struct form_values *values; /* column key -> value; ignored columns left out */
    bool broken;                /* structure problem (field count, NUL byte): see problems */
};

struct bulk_csv {
    char *name;       /* the file name used in messages */
    GPtrArray *keys;  /* char *: the canonical key of each column, NULL when ignored */
    GPtrArray *rows;  /* struct bulk_csv_row * */
    unsigned columns; /* number of header fields */
};

/* Parses data (len bytes) named name in messages. Returns the parsed file, or
 * NULL when the file cannot be read as a whole (malformed quoting, no header,
 * a bad header, no rows). Every problem found is appended to problems as
 * "NAME:LINE: message" or "NAME:LINE: field: message" (g_free'd strings);
 * problems of single rows (wrong number of fields) mark the row broken and
 * do not make the result NULL. */
struct bulk_csv *bulk_csv_parse(const char *name, const char *data, size_t len,
                                const struct bulk_csv_schema *schema, GPtrArray *problems);

/* Reads path (at most BULK_CSV_MAX_BYTES) and parses it. NULL with *error
 * when the file cannot be read; NULL with problems when it cannot be parsed. */
struct bulk_csv *bulk_csv_read_file(const char *path, const struct bulk_csv_schema *schema,
                                    GPtrArray *problems, GError **error);

void bulk_csv_free(struct bulk_csv *csv);

#endif
