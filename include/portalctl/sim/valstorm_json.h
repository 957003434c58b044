/*
 * portal-sim, Valstorm: JSON syntax checking the way CPython's json.loads
 * does it, so that a malformed body earns FastAPI's own json_invalid error
 * (Python's message and character position). Only finds the first syntax
 * error; parsing proper is json-c's job.
 */
#ifndef PORTALCTL_SIM_VALSTORM_JSON_H
#define PORTALCTL_SIM_VALSTORM_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct valstorm_json_error {
    const char *message; /* Python's text, e.g. "Expecting value" (static) */
    size_t byte_offset;  /* where Python reports it, in bytes of the input */
    bool too_deep;       /* nesting beyond what a Python service would accept */
};

/* True when text[0..len) is one JSON document by json.loads' rules (text must
 * be valid UTF-8). Otherwise false with *error filled in. */
bool valstorm_json_check(const char *text, size_t len, struct valstorm_json_error *error);

#endif
