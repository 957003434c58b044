/*
 * form spec check: form_spec_check() finds the mistakes a person can make
 * when writing a vendor's field table (a typo in a pattern, an enum without
 * values, a default that breaks its own rule), so the unit tests catch them
 * instead of a helpdesk person at the first form.
 *
 * Never: run at start-up on the user's behalf; specs are constant data and
 * the tests check every one of them.
 */
#include "form_rules.h"

#include <portalctl/form.h>

#include <stdarg.h>
#include <string.h>

#include <glib.h>

static bool is_empty(const char *text)
{
    return text == NULL || text[0] == '\0';
}

static bool fail(char **problem, const char *format, ...) __attribute__((format(printf, 2, 3)));

static bool fail(char **problem, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    *problem = g_strdup_vprintf(format, args);
    va_end(args);
    return false;
}

static bool check_field_words(const struct field_spec *field, char **problem)
{
    if (is_empty(field->label))
        return fail(problem, "%s: no label", field->key);
    if (is_empty(field->help))
        return fail(problem, "%s: no help line", field->key);
    if ((field->pattern == NULL) != (field->pattern_message == NULL))
        return fail(problem, "%s: a pattern needs a pattern_message and the reverse", field->key);
    return true;
}

static bool check_field_limits(const struct field_spec *field, char **problem)
{
    bool is_enum = field->type == FIELD_ENUM;
    if (is_enum != (field->allowed_values != NULL))
        return fail(problem, "%s: allowed_values belong to enum fields, and only there",
                    field->key);
    if (is_enum && field->allowed_values[0] == NULL)
        return fail(problem, "%s: an enum needs at least one allowed value", field->key);
    if (field->max_len > 0 && field->min_len > field->max_len)
        return fail(problem, "%s: min_len is above max_len", field->key);
    if (field->type != FIELD_INTEGER && (field->int_min != 0 || field->int_max != 0))
        return fail(problem, "%s: int_min and int_max belong to integer fields", field->key);
    if (field->int_min > field->int_max)
        return fail(problem, "%s: int_min is above int_max", field->key);
    return true;
}

static bool check_field_pattern(const struct field_spec *field, char **problem)
{
    if (field->pattern == NULL)
        return true;
    bool matched = false;
    char *compile_problem = NULL;
    if (form_pattern_match(field->pattern, "", &matched, &compile_problem))
        return true;
    fail(problem, "%s: %s", field->key, compile_problem);
    g_free(compile_problem);
    return false;
}

static bool check_field_default(const struct field_spec *field, char **problem)
{
    if (field->default_value == NULL)
        return true;
    struct form_errors *errors = form_errors_new();
    form_validate_field(field, field->default_value, errors);
    bool ok = form_errors_count(errors) == 0;
    if (!ok)
        fail(problem, "%s: the default breaks the field's own rules: %s", field->key,
             form_errors_message_at(errors, 0));
    form_errors_free(errors);
    return ok;
}

static bool check_field(const struct form_spec *spec, size_t index, char **problem)
{
    const struct field_spec *field = &spec->fields[index];
    if (is_empty(field->key))
        return fail(problem, "field %zu has no key", index);
    if (form_spec_field(spec, field->key) != field)
        return fail(problem, "%s: the key appears twice", field->key);
    return check_field_words(field, problem) && check_field_limits(field, problem) &&
           check_field_pattern(field, problem) && check_field_default(field, problem);
}

static bool check_rule(const struct form_spec *spec, const struct form_rule *rule, char **problem)
{
    if (rule->kind != FORM_RULE_AT_LEAST_ONE_OF)
        return fail(problem, "a rule has an unknown kind %d", (int)rule->kind);
    if (is_empty(rule->message) || rule->keys == NULL || rule->keys[0] == NULL)
        return fail(problem, "a rule needs a message and at least one key");
    for (const char *const *key = rule->keys; *key != NULL; key++) {
        if (form_spec_field(spec, *key) == NULL)
            return fail(problem, "a rule names %s, which is not a field of the form", *key);
    }
    return true;
}

bool form_spec_check(const struct form_spec *spec, char **problem)
{
    if (is_empty(spec->id) || is_empty(spec->title))
        return fail(problem, "a form needs an id and a title");
    if (spec->fields == NULL || spec->count == 0)
        return fail(problem, "%s: a form needs at least one field", spec->id);
    if ((spec->rules == NULL) != (spec->rule_count == 0))
        return fail(problem, "%s: rules and rule_count disagree", spec->id);
    for (size_t i = 0; i < spec->count; i++) {
        if (!check_field(spec, i, problem))
            return false;
    }
    for (size_t r = 0; r < spec->rule_count; r++) {
        if (!check_rule(spec, &spec->rules[r], problem))
            return false;
    }
    return true;
}
