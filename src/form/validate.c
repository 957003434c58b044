/*
 * form validation: form_validate() and the two helpers that prepare values
 * for it and for a request (defaults, normalisation).
 *
 * Each field goes through the same steps: what counts as given (trimming,
 * blank, default), then text sanity (UTF-8, control characters), then the
 * rules of its spec (length, type, pattern). One field may collect several
 * errors (a password can be both too short and missing a digit), so a person
 * fixes everything in one go. Messages say what is wrong and what is allowed;
 * they never contain a secret value, and the key is added when formatting.
 *
 * Never: look at anything but the spec and the values (no vendor, no network,
 * no screen), or modify either in form_validate().
 */
#include "form_rules.h"

#include <portalctl/form.h>

#include <inttypes.h>
#include <string.h>

#include <glib.h>

static bool field_is_secret(const struct field_spec *field)
{
    return field->secret || field->type == FIELD_PASSWORD;
}

/* The text the rules see: trimmed unless secret, NULL when blank. Secret
 * copies must be released with form_wipe_free(), so all of them are. */
static char *given_text(const struct field_spec *field, const char *given)
{
    if (given == NULL)
        return NULL;
    char *text = g_strdup(given);
    if (!field_is_secret(field))
        g_strstrip(text);
    if (text[0] == '\0') {
        form_wipe_free(text);
        return NULL;
    }
    return text;
}

static bool is_blank(const struct field_spec *field, const char *given)
{
    char *text = given_text(field, given);
    bool blank = text == NULL;
    form_wipe_free(text);
    return blank;
}

/* Control characters, line and paragraph separators and the bidirectional
 * overrides (which make text display in another order than it is stored). */
static bool is_refused_char(gunichar c)
{
    GUnicodeType type = g_unichar_type(c);
    return type == G_UNICODE_CONTROL || type == G_UNICODE_LINE_SEPARATOR ||
           type == G_UNICODE_PARAGRAPH_SEPARATOR || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

/* Invalid UTF-8 or control characters make every later rule meaningless. */
static bool check_text(const struct field_spec *field, const char *value,
                       struct form_errors *errors)
{
    if (!g_utf8_validate(value, -1, NULL)) {
        form_errors_add(errors, field->key, "is not valid text (it is not UTF-8)");
        return false;
    }
    for (const char *c = value; *c != '\0'; c = g_utf8_next_char(c)) {
        if (is_refused_char(g_utf8_get_char(c))) {
            form_errors_add(errors, field->key,
                            "may not contain control characters such as tabs, line breaks or "
                            "direction marks");
            return false;
        }
    }
    return true;
}

static void check_length(const struct field_spec *field, const char *value,
                         struct form_errors *errors)
{
    size_t length = (size_t)g_utf8_strlen(value, -1);
    bool too_short = field->min_len > 0 && length < field->min_len;
    bool too_long = field->max_len > 0 && length > field->max_len;
    if (!too_short && !too_long)
        return;
    GString *message = g_string_new("must be ");
    if (field->min_len > 0 && field->max_len > 0)
        g_string_append_printf(message, "%zu to %zu characters long", field->min_len,
                               field->max_len);
    else if (too_short)
        g_string_append_printf(message, "at least %zu characters long", field->min_len);
    else
        g_string_append_printf(message, "at most %zu characters long", field->max_len);
    if (!field_is_secret(field)) /* even a password's length is a hint */
        g_string_append_printf(message, " (it has %zu)", length);
    form_errors_add(errors, field->key, message->str);
    g_string_free(message, TRUE);
}

static void check_integer(const struct field_spec *field, const char *value,
                          struct form_errors *errors)
{
    int64_t number = 0;
    if (!form_parse_integer(value, &number)) {
        form_errors_add(errors, field->key, "must be a whole number, such as 7890");
        return;
    }
    bool has_range = field->int_min != 0 || field->int_max != 0;
    if (has_range && (number < field->int_min || number > field->int_max))
        form_errors_addf(errors, field->key, "must be a number from %" PRId64 " to %" PRId64,
                         field->int_min, field->int_max);
}

static void check_enum(const struct field_spec *field, const char *value,
                       struct form_errors *errors)
{
    const char *case_match = NULL;
    for (const char *const *allowed = field->allowed_values; *allowed != NULL; allowed++) {
        if (strcmp(*allowed, value) == 0)
            return;
        if (g_ascii_strcasecmp(*allowed, value) == 0)
            case_match = *allowed;
    }
    char *list = g_strjoinv(", ", (char **)field->allowed_values);
    if (case_match != NULL)
        form_errors_addf(errors, field->key, "must be one of %s (did you mean %s?)", list,
                         case_match);
    else
        form_errors_addf(errors, field->key, "must be one of %s", list);
    g_free(list);
}

static void check_type(const struct field_spec *field, const char *value,
                       struct form_errors *errors)
{
    const char *problem = NULL;
    switch (field->type) {
    case FIELD_INTEGER:
        check_integer(field, value, errors);
        return;
    case FIELD_ENUM:
        check_enum(field, value, errors);
        return;
    case FIELD_EMAIL:
        problem = form_email_problem(value);
        if (problem != NULL)
            form_errors_addf(errors, field->key,
                             "must be an e-mail address such as ann@example.com (%s)", problem);
        return;
    case FIELD_HOSTNAME:
        problem = form_hostname_problem(value);
        if (problem != NULL)
            form_errors_addf(errors, field->key,
                             "must be a host name such as help.example.com (%s)", problem);
        return;
    case FIELD_TEXT:
    case FIELD_PASSWORD:
        return;
    }
}

static void check_pattern(const struct field_spec *field, const char *value,
                          struct form_errors *errors)
{
    if (field->pattern == NULL)
        return;
    bool matched = false;
    char *problem = NULL;
    if (!form_pattern_match(field->pattern, value, &matched, &problem)) {
        form_errors_addf(errors, field->key,
                         "cannot be checked because of a bug in portalctl (%s); please report it",
                         problem);
        g_free(problem);
        return;
    }
    if (!matched)
        form_errors_add(errors, field->key,
                        field->pattern_message ? field->pattern_message
                                               : "does not have the required format");
}

void form_validate_field(const struct field_spec *field, const char *given,
                         struct form_errors *errors)
{
    char *value = given_text(field, given);
    if (value == NULL && field->default_value != NULL)
        value = g_strdup(field->default_value);
    if (value == NULL) {
        if (field->required)
            form_errors_add(errors, field->key, "is required");
        return;
    }
    if (check_text(field, value, errors)) {
        check_length(field, value, errors);
        check_type(field, value, errors);
        check_pattern(field, value, errors);
    }
    form_wipe_free(value);
}

static void check_unknown_keys(const struct form_spec *spec, const struct form_values *values,
                               struct form_errors *errors)
{
    GString *accepted = NULL;
    for (size_t i = 0; i < form_values_count(values); i++) {
        const char *key = form_values_key_at(values, i);
        if (form_spec_field(spec, key) != NULL)
            continue;
        if (accepted == NULL) {
            accepted = g_string_new("");
            for (size_t f = 0; f < spec->count; f++)
                g_string_append_printf(accepted, "%s%s", f ? ", " : "", spec->fields[f].key);
        }
        form_errors_addf(errors, key, "unknown field; this form accepts %s", accepted->str);
    }
    if (accepted != NULL)
        g_string_free(accepted, TRUE);
}

static bool field_given(const struct form_spec *spec, const struct form_values *values,
                        const char *key)
{
    const struct field_spec *field = form_spec_field(spec, key);
    if (field == NULL)
        return false;
    return field->default_value != NULL || !is_blank(field, form_values_get(values, key));
}

static void check_rules(const struct form_spec *spec, const struct form_values *values,
                        struct form_errors *errors)
{
    for (size_t r = 0; r < spec->rule_count; r++) {
        const struct form_rule *rule = &spec->rules[r];
        bool any = false;
        for (const char *const *key = rule->keys; *key != NULL && !any; key++)
            any = field_given(spec, values, *key);
        if (!any)
            form_errors_add(errors, NULL, rule->message);
    }
}

const struct field_spec *form_spec_field(const struct form_spec *spec, const char *key)
{
    for (size_t i = 0; i < spec->count; i++) {
        if (strcmp(spec->fields[i].key, key) == 0)
            return &spec->fields[i];
    }
    return NULL;
}

bool form_validate(const struct form_spec *spec, const struct form_values *values,
                   struct form_errors *errors)
{
    form_errors_clear(errors);
    for (size_t i = 0; i < spec->count; i++) {
        const struct field_spec *field = &spec->fields[i];
        form_validate_field(field, form_values_get(values, field->key), errors);
    }
    check_unknown_keys(spec, values, errors);
    check_rules(spec, values, errors);
    return form_errors_count(errors) == 0;
}

void form_apply_defaults(const struct form_spec *spec, struct form_values *values)
{
    for (size_t i = 0; i < spec->count; i++) {
        const struct field_spec *field = &spec->fields[i];
        if (field->default_value != NULL && is_blank(field, form_values_get(values, field->key)))
            form_values_set(values, field->key, field->default_value);
    }
}

void form_normalize(const struct form_spec *spec, struct form_values *values)
{
    for (size_t i = 0; i < spec->count; i++) {
        const struct field_spec *field = &spec->fields[i];
        const char *given = form_values_get(values, field->key);
        if (given == NULL)
            continue;
        char *text = given_text(field, given);
        if (text == NULL)
            form_values_unset(values, field->key);
        else if (strcmp(text, given) != 0)
            form_values_set(values, field->key, text);
        form_wipe_free(text);
    }
}
