/*
 * The form view's model: the state of one open form — its fields (from the
 * vendor's field specs), the values being typed with a cursor each, which
 * field has the focus (or the Submit button), the error shown beside each
 * field, a form-wide error, and whether anything was typed (dirty).
 *
 * Validation runs through a checker (form_validate on the form's spec by
 * default; the invite form's "several people" check is another) when a field
 * is left and again on submit; an error from the vendor is put on the field it
 * names. Secret fields are only ever displayed masked.
 *
 * Owns no spec (borrowed, static data) and draws nothing: no curses here, so
 * tests/unit/test_form_model.c runs it without a terminal. Keys are keymap.h
 * keys.
 */
#ifndef PORTALCTL_FORM_MODEL_H
#define PORTALCTL_FORM_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/form.h>
#include <portalctl/keymap.h>
#include <portalctl/model.h>

enum form_field_flags {
    FORM_FIELD_READONLY = 1 << 0,  /* shown, never focused (e.g. the selected user's number) */
    FORM_FIELD_MULTILINE = 1 << 1, /* Enter starts a new line (pasted lists) */
};

struct form_model_field {
    const struct field_spec *spec; /* borrowed */
    unsigned flags;
    GString *value; /* UTF-8 as typed */
    size_t cursor;  /* byte offset into value, on a character boundary */
    char *error;    /* shown beside the field, NULL when none */
};

/* Checks the form's values; fills errors (key = field key, NULL = the whole form). */
typedef bool (*form_checker_fn)(const struct form_values *values, struct form_errors *errors,
                                void *user);

struct form_model {
    char *title;
    const struct form_spec *spec; /* the default checker's spec; may be NULL */
    GPtrArray *fields;            /* of struct form_model_field * */
    size_t focus;                 /* index of a field, or fields->len: the Submit button */
    char *form_error;             /* a form-wide problem, NULL when none */
    bool dirty;                   /* the user typed or chose something */
    bool busy;                    /* submitted, the answer has not come yet */
    form_checker_fn checker;
    void *checker_user;
};

/* An empty form; form_model_add_spec or form_model_add_field fill it. */
struct form_model *form_model_new(const char *title);
void form_model_free(struct form_model *model);

/* Adds every field of spec (context fields read-only) and makes spec the one
 * the default checker validates against. Defaults are filled in. */
void form_model_add_spec(struct form_model *model, const struct form_spec *spec);
/* Adds one field (its default filled in). */
void form_model_add_field(struct form_model *model, const struct field_spec *spec, unsigned flags);
/* Replaces the default checker (form_validate against the spec). */
void form_model_set_checker(struct form_model *model, form_checker_fn checker, void *user);

size_t form_model_count(const struct form_model *model);
struct form_model_field *form_model_field(const struct form_model *model, size_t index);
/* The field with this key, or NULL. */
struct form_model_field *form_model_find(const struct form_model *model, const char *key);
/* The focused field, or NULL when the Submit button has the focus. */
struct form_model_field *form_model_focused(const struct form_model *model);
bool form_model_on_submit(const struct form_model *model);

/* Sets a value without marking the form dirty (prefill, context). */
void form_model_set_value(struct form_model *model, const char *key, const char *value);
const char *form_model_value(const struct form_model *model, const char *key);
/* Every field's value, blank ones left out. Free with form_values_free. */
struct form_values *form_model_values(const struct form_model *model);

/* ---- focus ------------------------------------------------------------------- */

/* Next / previous focusable field (the Submit button after the last field),
 * wrapping around. Leaving a field checks it. */
void form_model_next(struct form_model *model);
void form_model_prev(struct form_model *model);
/* Enter: a new line in a multi-line field; on the last field or the Submit
 * button, true (submit); elsewhere the next field. */
bool form_model_accept(struct form_model *model);

/* ---- editing ----------------------------------------------------------------- */

/* An editing key for the focused field: a character typed (is_text), Left,
 * Right, Home, End, Backspace, Delete; on an enum field Space, Left and Right
 * cycle through the choices and a letter picks the next choice starting with
 * it. Returns whether anything changed. */
bool form_model_edit(struct form_model *model, ui_key key, bool is_text);
/* Inserts text at the cursor of the focused field (a paste: line breaks
 * become new lines in a multi-line field, spaces elsewhere). */
bool form_model_insert(struct form_model *model, const char *text);
/* Moves an enum field to the next (direction 1) or previous (-1) choice. */
bool form_model_cycle(struct form_model *model, int direction);

/* ---- checking ---------------------------------------------------------------- */

/* Runs the checker and puts its verdict on one field only (the field just left). */
void form_model_check_field(struct form_model *model, size_t index);
/* Runs the checker on everything; every field gets its error (or none), the
 * form-wide error is set, and the focus goes to the first field in error.
 * True when the form is valid and may be sent. */
bool form_model_check_all(struct form_model *model);
void form_model_set_error(struct form_model *model, const char *key, const char *message);
void form_model_set_form_error(struct form_model *model, const char *message);
void form_model_clear_errors(struct form_model *model);
/* Puts a vendor's refusal on the fields it names (row -1 or 0); the message
 * goes to the form-wide error when no field of the form is named. Values are
 * kept. Returns how many fields got an error. */
size_t form_model_apply_api_error(struct form_model *model, const struct api_error *error);
size_t form_model_error_count(const struct form_model *model);

/* ---- display ------------------------------------------------------------------- */

/* What the input of field index shows in `width` columns: the value (masked
 * with '*' for secret fields; line breaks shown as " ⏎ "), scrolled so the
 * cursor is visible; *cursor_col (may be NULL) gets the cursor's column.
 * Never contains a secret value. g_free it. */
char *form_model_display(const struct form_model *model, size_t index, size_t width,
                         size_t *cursor_col);
/* "MailboxUser  (1 of 9, Space changes)" helper text for enum fields, or NULL. */
char *form_model_choice_hint(const struct form_model *model, size_t index);

#endif
