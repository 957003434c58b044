/*
 * form: field specs, form values, form errors and the validator.
 *
 * This module owns the rules a value must follow before portalctl sends it to
 * a vendor: the vendors' field specs are data (src/vendors/<vendor>_fields.c), and
 * form_validate() checks a set of values against one spec. The same check runs
 * for the console's form view, the command line and every row of a CSV batch,
 * so a bad value is refused before the first request goes out.
 *
 * It must never draw (no curses), never talk to the network, and never put a
 * secret value into a message: passwords are not echoed, not even their length.
 *
 * Decisions that apply to every form (they are tested in tests/unit/test_form.c):
 *
 *  - Trimming. Spaces, tabs and line breaks around a value are ignored for
 *    every field except secret ones (a password is taken exactly as typed).
 *    Lengths and patterns are checked on the trimmed text; form_normalize()
 *    writes the trimmed text back before a request is built.
 *  - Blank means "not given". A value that is empty after trimming counts as
 *    missing: a required field then says "is required", an optional one is
 *    simply left out of the request. form_normalize() removes such values.
 *  - Defaults. A field with a default is never missing: form_validate() checks
 *    the default in its place, and form_apply_defaults() writes it in.
 *  - Lengths count characters (Unicode code points), not bytes: "Zoë" is 3.
 *    Text must be valid UTF-8 and may not contain control characters (tabs,
 *    line breaks, escape codes, Unicode line separators, bidirectional
 *    overrides): no vendor field takes them, and they would break the CSV
 *    files and the audit log, or make a name display as something else.
 *  - Integers are whole decimal numbers, an optional minus sign and digits,
 *    nothing else (no "+", no spaces inside, no "1e3", no "12abc").
 *  - E-mail addresses get a practical check, not full RFC 5322: exactly one
 *    @, a non-empty local part of at most 64 characters without spaces, quotes
 *    or the characters ( ) < > [ ] , ; : \, no leading, trailing or doubled dot;
 *    a domain of at least two dot-separated labels (letters, digits, hyphens
 *    or non-ASCII letters, no label starting or ending with a hyphen); at most
 *    254 characters in all. Quoted local parts and IP-literal domains are
 *    refused: the vendors' own checks refuse them too.
 *  - Host names: at least two dot-separated labels of ASCII letters, digits
 *    and hyphens, each 1-63 long, not starting or ending with a hyphen, 253
 *    characters at most; no scheme, path, port or trailing dot, and not an IP
 *    address (the last label may not be all digits).
 *  - Enums match exactly, letter case included ("mailboxuser" is refused, with
 *    a hint naming "MailboxUser").
 *  - Patterns are PCRE (GLib's GRegex), copied verbatim from the vendor's
 *    document, compiled once and cached. A pattern that does not compile is a
 *    bug in portalctl: the field gets an error saying so and validation fails;
 *    form_spec_check() finds such bugs in the tests.
 *  - Keys in the values that the spec does not know are errors ("unknown
 *    field"), so a misspelt CSV column is not silently dropped.
 */
#ifndef PORTALCTL_FORM_H
#define PORTALCTL_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_type {
    FIELD_TEXT,     /* free text, length and pattern rules only */
    FIELD_INTEGER,  /* a whole decimal number within int_min..int_max */
    FIELD_EMAIL,    /* an e-mail address (see above) */
    FIELD_PASSWORD, /* text that is secret: never trimmed, never echoed */
    FIELD_ENUM,     /* exactly one of allowed_values */
    FIELD_HOSTNAME, /* a DNS host name (see above) */
};

struct field_spec {
    const char *key;   /* the vendor's own field name, as sent on the wire */
    const char *label; /* what the form view shows in front of the input */
    enum field_type type;
    bool required;
    /* Lengths in characters of the trimmed text; 0 means "no limit". */
    size_t min_len;
    size_t max_len;
    /* FIELD_INTEGER only; both 0 means "any 64-bit number". */
    int64_t int_min;
    int64_t int_max;
    /* PCRE, verbatim from the vendor; pattern_message says what it demands,
     * in words, e.g. "must contain a lower-case letter, …". */
    const char *pattern;
    const char *pattern_message;
    /* FIELD_ENUM only: the allowed values, NULL-terminated. */
    const char *const *allowed_values;
    const char *default_value;
    /* One line for the help bar, written for a helpdesk person. */
    const char *help;
    /* Masked on screen, never trimmed, never echoed in messages or logs. */
    bool secret;
    /* Filled in by portalctl from the selected object (e.g. the user being
     * edited): a form view shows it but does not ask for it. */
    bool from_context;
};

enum form_rule_kind {
    /* At least one of the listed fields must be given (not blank). */
    FORM_RULE_AT_LEAST_ONE_OF,
};

struct form_rule {
    enum form_rule_kind kind;
    const char *const *keys; /* NULL-terminated */
    const char *message;     /* names the fields, e.g. "give a new name, …" */
};

struct form_spec {
    const char *id;    /* stable name, e.g. "ecgrid.create-user" */
    const char *title; /* the form view's title */
    const struct field_spec *fields;
    size_t count;
    const struct form_rule *rules; /* may be NULL */
    size_t rule_count;
};

/* Looks a field up by key; NULL when the spec has no such field. */
const struct field_spec *form_spec_field(const struct form_spec *spec, const char *key);

/* Checks that a spec is well formed: unique keys, labels and help lines
 * present, patterns that compile, enums with values, limits that make sense,
 * defaults that pass their own field's rules, rules naming existing fields.
 * On a problem returns false and sets *problem (free with g_free). */
bool form_spec_check(const struct form_spec *spec, char **problem);

/* ---- values: an ordered map of key -> value, both copied ---------------- */

struct form_values;

struct form_values *form_values_new(void);
/* Every value is wiped before its memory is released (on free, replace and
 * unset): values do not know whether they are secret, and wiping is cheap. */
void form_values_free(struct form_values *values);
struct form_values *form_values_copy(const struct form_values *values);
/* Sets or replaces; a new key goes last, a replaced one keeps its place. */
void form_values_set(struct form_values *values, const char *key, const char *value);
/* NULL when the key is absent. */
const char *form_values_get(const struct form_values *values, const char *key);
/* Returns whether the key was present. */
bool form_values_unset(struct form_values *values, const char *key);
/* A copy holding only the values whose key is a field of spec, in their
 * order: e.g. the contact fields of an invite, to check them on their own. */
struct form_values *form_values_select(const struct form_spec *spec,
                                       const struct form_values *values);
size_t form_values_count(const struct form_values *values);
const char *form_values_key_at(const struct form_values *values, size_t index);
const char *form_values_value_at(const struct form_values *values, size_t index);

/* ---- errors: an ordered list of (field key, message) -------------------- */

struct form_errors;

struct form_errors *form_errors_new(void);
void form_errors_free(struct form_errors *errors);
void form_errors_clear(struct form_errors *errors);
/* key NULL means the error concerns the whole form (a form rule). The
 * message must not repeat the key: formatting adds it. */
void form_errors_add(struct form_errors *errors, const char *key, const char *message);
void form_errors_addf(struct form_errors *errors, const char *key, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
size_t form_errors_count(const struct form_errors *errors);
const char *form_errors_key_at(const struct form_errors *errors, size_t index);
const char *form_errors_message_at(const struct form_errors *errors, size_t index);
/* The first message for a field (key NULL: the first form-wide one), or NULL. */
const char *form_errors_first_for(const struct form_errors *errors, const char *key);
/* All errors as lines "field: message\n" (form-wide ones as "message\n");
 * "" when there are none. Free with g_free. */
char *form_errors_format(const struct form_errors *errors);

/* ---- validation --------------------------------------------------------- */

/* Pure: checks values against spec and replaces the contents of errors with
 * one entry per problem found (in field order, then unknown keys, then form
 * rules). Returns true when there is none. Neither spec nor values change. */
bool form_validate(const struct form_spec *spec, const struct form_values *values,
                   struct form_errors *errors);

/* Writes each field's default where the value is missing or blank. */
void form_apply_defaults(const struct form_spec *spec, struct form_values *values);

/* Prepares values for a request: trims every non-secret field of the spec and
 * removes values that are blank, so a key is present only when given. */
void form_normalize(const struct form_spec *spec, struct form_values *values);

/* The integer rule of FIELD_INTEGER: an optional '-' and decimal digits, the
 * whole string, within int64_t. Request builders use it to read a value. */
bool form_parse_integer(const char *text, int64_t *out);

#endif
