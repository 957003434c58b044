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

#endif
