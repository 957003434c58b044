/*
 * Test support: reading the recorded vendor answers and other files of
 * tests/fixtures/ (found through PORTALCTL_FIXTURES, which CTest sets).
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <stddef.h>

/* The bytes of tests/fixtures/FOLDER/NAME, NUL-terminated; *len gets their
 * count unless len is NULL. Fails the test when the file cannot be read.
 * g_free the result. */
char *fixture_read(const char *folder, const char *name, size_t *len);

/* The names of the files of tests/fixtures/FOLDER that start with one of the
 * prefixes (a NULL-terminated list), sorted: a test over "every hostile-users-
 * fixture" then covers the ones added later too. Fails the test when none
 * matches. g_strfreev the result. */
char **fixture_names(const char *folder, const char *prefix, ...) __attribute__((sentinel));

/* The Valstorm answers to a user-list request that must be refused (every
 * hostile-users-* fixture, a 404 and a 502 page), for the whole-body and the
 * streamed readers alike. g_strfreev the result. */
char **fixture_valstorm_bad_user_lists(void);

#endif
