/*
 * The normalized records every vendor adapter delivers (portals, users,
 * mailboxes, user types) and the error value every operation can end in.
 *
 * Records are stored allocation-light: a list owns one string arena
 * (GStringChunk) and flat arrays, so 100,000 users cost a handful of large
 * allocations, not a million small ones. No curses and no HTTP here.
 */
#ifndef PORTALCTL_MODEL_H
#define PORTALCTL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* The common columns; any may be NULL when the vendor has no such thing. */
enum record_field {
    RECORD_ID,   /* the vendor's id, always as a string */
    RECORD_NAME, /* portal name, or a user's login or full name */
    RECORD_EMAIL,
    RECORD_STATUS,  /* "Active", "invited", "inactive", … as the vendor says */
    RECORD_ROLE,    /* ECGrid AuthLevel, Zoho user type, … */
    RECORD_URL,     /* portal URL or custom domain */
    RECORD_CREATED, /* ISO-8601 as the vendor sent it */
    RECORD_FIELD_COUNT,
};

struct record {
    const char *fields[RECORD_FIELD_COUNT];
    uint32_t extra_first; /* index of its first extra pair in the list */
    uint32_t extra_count;
};

/* Every other field the vendor returned, for the detail view, in order.
 * Nested objects are flattened with dots ("created_by.name"). */
struct record_extra {
    const char *key;
    const char *value;
};

struct record_list {
    struct record *items;
    size_t count;
    size_t capacity;
    struct record_extra *extras;
    size_t extra_count;
    size_t extra_capacity;
    GStringChunk *strings; /* owns the strings set on this list */
    /* Arenas taken over from other lists by record_list_move_all (GStringChunk *):
     * moving a page of records moves their strings by reference, never by copy. */
    GPtrArray *adopted_strings;
};

void record_list_init(struct record_list *list);
void record_list_clear(struct record_list *list);
/* Appends an empty record and returns it (valid until the next append). */
struct record *record_list_append(struct record_list *list);
/* Sets a common field of the last appended record; the value is copied. */
void record_set(struct record_list *list, struct record *record, enum record_field field,
                const char *value);
/* Adds an extra pair to the last appended record; both are copied. */
void record_add_extra(struct record_list *list, struct record *record, const char *key,
                      const char *value);
const char *record_get(const struct record *record, enum record_field field);
const struct record_extra *record_extras(const struct record_list *list,
                                         const struct record *record);
/* Moves all records of src to the end of dst (src is left empty). Costs a
 * copy of the record structs only: src's string arena is taken over, so a
 * 100,000-row list gathered page by page is never copied string by string. */
void record_list_move_all(struct record_list *dst, struct record_list *src);

/* The column names used in tables and JSON output: "id", "name", … */
const char *record_field_name(enum record_field field);

/* ---- errors ------------------------------------------------------------- */

enum api_error_kind {
    API_OK = 0,
    API_INVALID_INPUT, /* refused before sending: nothing went out */
    API_UNSUPPORTED,   /* the vendor has no such operation: nothing went out */
    API_REFUSED,       /* the vendor said no (4xx other than authentication) */
    API_AUTH,          /* credentials missing, refused or expired */
    API_NETWORK,       /* connection, timeout, reset, truncated answer, 5xx */
    API_TLS,           /* certificate or TLS failure, or insecure URL refused */
    API_BAD_RESPONSE,  /* an answer we could not understand */
    API_CANCELLED,
};

/* A problem with one field, or with one field of one row of a bulk request. */
struct api_field_error {
    char *field; /* the vendor's field name, or NULL for the whole row/request */
    int row;     /* bulk row index (0-based), or -1 */
    char *message;
};

struct api_error {
    enum api_error_kind kind;
    long http_status;  /* 0 when no answer came */
    char *code;        /* vendor code: "DuplicateObject", "ALREADY_USED", FastAPI type */
    char *message;     /* one line for a person, already sanitized */
    GPtrArray *fields; /* of struct api_field_error*, may be empty */
    bool ambiguous;    /* the request may or may not have taken effect */
    /* How long the vendor asked us to wait before sending again (its
     * Retry-After on a 429 or 503, as milliseconds from the answer); 0 when
     * it asked for no particular delay. Bulk work pauses this long. */
    long retry_after_ms;
};

void api_error_init(struct api_error *error);
void api_error_clear(struct api_error *error);
/* Sets kind, status, code and message (message printf-style). Untrusted
 * parts are sanitized by the caller (text_sanitize). */
void api_error_set(struct api_error *error, enum api_error_kind kind, long http_status,
                   const char *code, const char *format, ...) __attribute__((format(printf, 5, 6)));
void api_error_add_field(struct api_error *error, const char *field, int row, const char *message);
/* The first message for a field (row -1 = not a bulk row), or NULL. */
const char *api_error_field_message(const struct api_error *error, const char *field, int row);
void api_error_copy(struct api_error *dst, const struct api_error *src);

/* Keeps the longest Retry-After of the pushback answers (429, 503) a job got:
 * retry_after_ms is the HTTP engine's (-1 when the answer had none). */
static inline void api_error_note_retry_after(struct api_error *error, long http_status,
                                              long retry_after_ms)
{
    bool pushback = http_status == 429 || http_status == 503;
    if (pushback && retry_after_ms > error->retry_after_ms)
        error->retry_after_ms = retry_after_ms;
}

/* The command line's exit status for an error kind: 0, 2, 3, 4 or 5. */
int api_error_exit_status(enum api_error_kind kind);

#endif
