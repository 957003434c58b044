/*
 * form values and form errors: the two small containers form_validate() reads
 * and writes. Values are an ordered key -> value map, copied in, wiped on
 * release; errors are an ordered list of (field key, message).
 *
 * Never: interpret a value (that is validate.c), or print one anywhere.
 */
#include "form_rules.h"

#include <portalctl/form.h>

#include <stdarg.h>
#include <string.h>

#include <glib.h>

struct form_entry {
    char *key;
    char *value;
};

struct form_values {
    GArray *entries; /* of struct form_entry, in insertion order */
};

struct form_errors {
    GArray *entries; /* of struct form_entry: key may be NULL, value = message */
};

/* explicit_bzero cannot be optimised away, unlike a memset before free. */
void form_wipe_free(char *text)
{
    if (text == NULL)
        return;
    explicit_bzero(text, strlen(text));
    g_free(text);
}

static void value_entry_clear(struct form_entry *entry)
{
    g_free(entry->key);
    form_wipe_free(entry->value);
}

static gssize values_find(const struct form_values *values, const char *key)
{
    for (guint i = 0; i < values->entries->len; i++) {
        const struct form_entry *entry = &g_array_index(values->entries, struct form_entry, i);
        if (strcmp(entry->key, key) == 0)
            return (gssize)i;
    }
    return -1;
}

struct form_values *form_values_new(void)
{
    struct form_values *values = g_new0(struct form_values, 1);
    values->entries = g_array_new(FALSE, TRUE, sizeof(struct form_entry));
    return values;
}

void form_values_free(struct form_values *values)
{
    if (values == NULL)
        return;
    for (guint i = 0; i < values->entries->len; i++)
        value_entry_clear(&g_array_index(values->entries, struct form_entry, i));
    g_array_free(values->entries, TRUE);
    g_free(values);
}

struct form_values *form_values_copy(const struct form_values *values)
{
    struct form_values *copy = form_values_new();
    for (size_t i = 0; i < form_values_count(values); i++)
        form_values_set(copy, form_values_key_at(values, i), form_values_value_at(values, i));
    return copy;
}

struct form_values *form_values_select(const struct form_spec *spec,
                                       const struct form_values *values)
{
    struct form_values *selected = form_values_new();
    for (size_t i = 0; i < form_values_count(values); i++) {
        const char *key = form_values_key_at(values, i);
        if (form_spec_field(spec, key) != NULL)
            form_values_set(selected, key, form_values_value_at(values, i));
    }
    return selected;
}

void form_values_set(struct form_values *values, const char *key, const char *value)
{
    g_return_if_fail(key != NULL && value != NULL);
    gssize at = values_find(values, key);
    if (at >= 0) {
        struct form_entry *entry = &g_array_index(values->entries, struct form_entry, at);
        char *copy = g_strdup(value); /* before wiping: value may alias the old one */
        form_wipe_free(entry->value);
        entry->value = copy;
        return;
    }
    struct form_entry entry = {.key = g_strdup(key), .value = g_strdup(value)};
    g_array_append_val(values->entries, entry);
}

const char *form_values_get(const struct form_values *values, const char *key)
{
    gssize at = values_find(values, key);
    return at < 0 ? NULL : g_array_index(values->entries, struct form_entry, at).value;
}

bool form_values_unset(struct form_values *values, const char *key)
{
    gssize at = values_find(values, key);
    if (at < 0)
        return false;
    value_entry_clear(&g_array_index(values->entries, struct form_entry, at));
    g_array_remove_index(values->entries, (guint)at);
    return true;
}

size_t form_values_count(const struct form_values *values)
{
    return values->entries->len;
}

const char *form_values_key_at(const struct form_values *values, size_t index)
{
    g_return_val_if_fail(index < values->entries->len, NULL);
    return g_array_index(values->entries, struct form_entry, index).key;
}

const char *form_values_value_at(const struct form_values *values, size_t index)
{
    g_return_val_if_fail(index < values->entries->len, NULL);
    return g_array_index(values->entries, struct form_entry, index).value;
}

/* ---- errors ------------------------------------------------------------- */

struct form_errors *form_errors_new(void)
{
    struct form_errors *errors = g_new0(struct form_errors, 1);
    errors->entries = g_array_new(FALSE, TRUE, sizeof(struct form_entry));
    return errors;
}

void form_errors_clear(struct form_errors *errors)
{
    for (guint i = 0; i < errors->entries->len; i++) {
        struct form_entry *entry = &g_array_index(errors->entries, struct form_entry, i);
        g_free(entry->key);
        g_free(entry->value);
    }
    g_array_set_size(errors->entries, 0);
}

void form_errors_free(struct form_errors *errors)
{
    if (errors == NULL)
        return;
    form_errors_clear(errors);
    g_array_free(errors->entries, TRUE);
    g_free(errors);
}

void form_errors_add(struct form_errors *errors, const char *key, const char *message)
{
    struct form_entry entry = {.key = g_strdup(key), .value = g_strdup(message)};
    g_array_append_val(errors->entries, entry);
}

void form_errors_addf(struct form_errors *errors, const char *key, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = g_strdup_vprintf(format, args);
    va_end(args);
    struct form_entry entry = {.key = g_strdup(key), .value = message};
    g_array_append_val(errors->entries, entry);
}

size_t form_errors_count(const struct form_errors *errors)
{
    return errors->entries->len;
}

const char *form_errors_key_at(const struct form_errors *errors, size_t index)
{
    g_return_val_if_fail(index < errors->entries->len, NULL);
    return g_array_index(errors->entries, struct form_entry, index).key;
}

const char *form_errors_message_at(const struct form_errors *errors, size_t index)
{
    g_return_val_if_fail(index < errors->entries->len, NULL);
    return g_array_index(errors->entries, struct form_entry, index).value;
}

const char *form_errors_first_for(const struct form_errors *errors, const char *key)
{
    for (guint i = 0; i < errors->entries->len; i++) {
        const struct form_entry *entry = &g_array_index(errors->entries, struct form_entry, i);
        if (g_strcmp0(entry->key, key) == 0)
            return entry->value;
    }
    return NULL;
}

char *form_errors_format(const struct form_errors *errors)
{
    GString *text = g_string_new("");
    for (guint i = 0; i < errors->entries->len; i++) {
        const struct form_entry *entry = &g_array_index(errors->entries, struct form_entry, i);
        if (entry->key != NULL)
            g_string_append_printf(text, "%s: ", entry->key);
        g_string_append_printf(text, "%s\n", entry->value);
    }
    return g_string_free(text, FALSE);
}
