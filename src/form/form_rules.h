/*
 * form: helpers shared by the files of the form module only (not installed
 * in include/portalctl/, not for other modules).
 *
 * Each syntax check answers NULL for a good value, or a short reason that
 * completes the sentence "must be an e-mail address such as … (REASON)"; the
 * reasons are static strings and never contain the value itself.
 */
#ifndef PORTALCTL_FORM_RULES_H
#define PORTALCTL_FORM_RULES_H

#include <stdbool.h>

#include <portalctl/form.h>

const char *form_email_problem(const char *text);
const char *form_hostname_problem(const char *text);

/* Matches text against a PCRE pattern compiled once and cached for the
 * process. Returns false when the pattern does not compile and sets *problem
 * (free with g_free); otherwise sets *matched. */
bool form_pattern_match(const char *pattern, const char *text, bool *matched, char **problem);

/* Checks one field's value (NULL: not given) and appends its errors. */
void form_validate_field(const struct field_spec *field, const char *given,
                         struct form_errors *errors);

/* Overwrites text with zeros, then frees it; NULL is fine. */
void form_wipe_free(char *text);

#endif
