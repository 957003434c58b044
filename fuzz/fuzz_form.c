/*
 * Fuzz target: the form validators (form.h) over every form of every vendor
 * (vendor_fields.h), the same check that guards the console, the command
 * line and each CSV row. Beyond "no crash": form_validate() leaves the
 * values alone, every message is one line of valid UTF-8 that echoes no
 * value, normalizing is idempotent and never turns valid values invalid.
 *
 * Input: one byte picks the form; then entries of one key byte (below 0xf0
 * names a field of the form, else the key is the next NUL-terminated
 * string, so unknown keys are tried too) and a NUL-terminated value.
 */
#include "fuzz.h"

#include <portalctl/form.h>
#include <portalctl/vendor_fields.h>

static const struct form_spec *const *const vendor_specs[] = {
    ecgrid_form_specs,
    zoho_form_specs,
    valstorm_form_specs,
};

static const struct form_spec *all_specs[64];
static size_t spec_count;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t v = 0; v < G_N_ELEMENTS(vendor_specs); v++) {
        for (const struct form_spec *const *s = vendor_specs[v]; *s; s++) {
            char *problem = NULL;
            if (!form_spec_check(*s, &problem)) {
                fprintf(stderr, "form %s is malformed: %s\n", (*s)->id, problem);
                abort();
            }
            FUZZ_CHECK(spec_count < G_N_ELEMENTS(all_specs));
            all_specs[spec_count++] = *s;
        }
    }
    return 0;
}

static struct form_values *values_from_input(const struct form_spec *spec, struct fuzz_input *in)
{
    struct form_values *values = form_values_new();
    while (in->size > 0) {
        uint8_t pick = fuzz_byte(in);
        char *key = pick < 0xf0 && spec->count ? g_strdup(spec->fields[pick % spec->count].key)
                                               : fuzz_string(in);
        char *value = fuzz_string(in);
        if (key)
            form_values_set(values, key, value ? value : "");
        g_free(key);
        g_free(value);
    }
    return values;
}

static bool values_equal(const struct form_values *a, const struct form_values *b)
{
    if (form_values_count(a) != form_values_count(b))
        return false;
    for (size_t i = 0; i < form_values_count(a); i++) {
        if (strcmp(form_values_key_at(a, i), form_values_key_at(b, i)) != 0 ||
            strcmp(form_values_value_at(a, i), form_values_value_at(b, i)) != 0)
            return false;
    }
    return true;
}

/* Messages are built from the spec's own words, never from the values: a
 * message holds no control byte (it goes to the audit log and CSV reports
 * as one line), and so cannot echo a secret that holds one. (Only the
 * messages: form_errors_format() also writes the keys, which are input.) */
static void check_errors(const struct form_errors *errors)
{
    for (size_t i = 0; i < form_errors_count(errors); i++) {
        const char *message = form_errors_message_at(errors, i);
        FUZZ_CHECK(message && g_utf8_validate(message, -1, NULL));
        for (const char *p = message; *p; p++)
            FUZZ_CHECK((unsigned char)*p >= 0x20);
    }
    g_free(form_errors_format(errors));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    const struct form_spec *spec = all_specs[fuzz_byte(&in) % spec_count];
    struct form_values *values = values_from_input(spec, &in);
    struct form_values *before = form_values_copy(values);
    struct form_errors *errors = form_errors_new();

    bool ok = form_validate(spec, values, errors);
    FUZZ_CHECK(ok == (form_errors_count(errors) == 0));
    FUZZ_CHECK(values_equal(values, before)); /* pure: the values did not change */
    check_errors(errors);

    /* What a request builder does next: defaults, trimming, blanks removed. */
    form_apply_defaults(spec, values);
    form_normalize(spec, values);
    struct form_values *normalized = form_values_copy(values);
    form_normalize(spec, normalized);
    FUZZ_CHECK(values_equal(values, normalized));
    bool ok_after = form_validate(spec, values, errors);
    if (ok)
        FUZZ_CHECK(ok_after); /* normalizing never breaks valid values */
    check_errors(errors);

    struct form_values *selected = form_values_select(spec, values);
    FUZZ_CHECK(form_values_count(selected) <= form_values_count(values));
    for (size_t i = 0; i < form_values_count(values); i++) {
        int64_t number;
        (void)form_parse_integer(form_values_value_at(values, i), &number);
    }

    form_values_free(selected);
    form_values_free(normalized);
    form_errors_free(errors);
    form_values_free(before);
    form_values_free(values);
    return 0;
}
