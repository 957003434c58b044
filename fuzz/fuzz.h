/*
 * Shared by every libFuzzer target in fuzz/: the entry point's prototype
 * (-Wmissing-prototypes wants one), a check that stays on in every build
 * type, and a reader that cuts the fuzzer's bytes into the pieces a target
 * needs (a selector byte, NUL-separated strings).
 *
 * Header-only on purpose: each target is one self-contained file, built
 * into its own program. Never used by the programs or the tests.
 */
#ifndef PORTALCTL_FUZZ_H
#define PORTALCTL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the code under test: abort (the fuzzer saves the input)
 * when it does not hold. Unlike assert(), NDEBUG does not switch it off. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The fuzzer's input, consumed from the front. */
struct fuzz_input {
    const uint8_t *data;
    size_t size;
};

/* The next byte, 0 when the input is used up. */
static inline uint8_t fuzz_byte(struct fuzz_input *in)
{
    if (in->size == 0)
        return 0;
    uint8_t b = in->data[0];
    in->data++;
    in->size--;
    return b;
}

/* The bytes up to the next NUL (or the end) as a g_malloc'd string; the NUL
 * is consumed. NULL when the input is used up. */
static inline char *fuzz_string(struct fuzz_input *in)
{
    if (in->size == 0)
        return NULL;
    const uint8_t *end = memchr(in->data, 0, in->size);
    size_t len = end ? (size_t)(end - in->data) : in->size;
    char *s = g_strndup((const char *)in->data, len);
    in->data += len;
    in->size -= len;
    if (end) {
        in->data++;
        in->size--;
    }
    return s;
}

/* The whole input as a NUL-terminated copy (embedded NULs kept; the length
 * is size). g_free it. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *s = g_malloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* HTTP statuses the parsers branch on: the first byte picks one. */
static inline long fuzz_status(uint8_t b)
{
    static const long statuses[] = {200, 201, 204, 400, 401, 403, 404, 409,
                                    422, 429, 500, 502, 503, 504, 302, 0};
    if (b < sizeof(statuses) / sizeof(statuses[0]))
        return statuses[b];
    return 100 + (long)b * 2; /* anything else, 1xx..6xx */
}

#endif
