/*
 * Text from servers is untrusted: this module turns any byte string into
 * text that is safe to put on a terminal (no control or escape character
 * survives raw), measures it in terminal columns, fits it to a width, and
 * writes it as a JSON string. No curses here.
 */
#ifndef PORTALCTL_TEXT_H
#define PORTALCTL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

/*
 * Appends a display-safe copy of the len bytes at s to out:
 * - C0 controls and DEL as \n \r \t \e or \xNN, a backslash as \\;
 * - C1 controls (U+0080..U+009F) and bidirectional overrides/isolates
 *   (U+202A..U+202E, U+2066..U+2069), which can reorder or hide text, as \uNNNN;
 * - bytes that are not valid UTF-8 as \xNN.
 * Everything else, including wide and combining characters, is kept.
 */
void text_append_sanitized(GString *out, const char *s, size_t len);

/* A g_malloc'd sanitized copy of a NUL-terminated string (NULL gives ""). */
char *text_sanitize(const char *s);

/* True when s would be written unchanged by text_append_sanitized. */
bool text_is_safe(const char *s, size_t len);

/* Terminal columns of valid UTF-8 (as produced by text_sanitize): wide
 * characters count 2, combining and zero-width ones 0. */
size_t text_width(const char *utf8);

/*
 * Appends the longest prefix of utf8 that fits in width columns; when the text
 * is cut, its last column is "…" (U+2026). Pads with spaces to exactly width
 * when pad is true. Returns the columns written.
 */
size_t text_append_fitted(GString *out, const char *utf8, size_t width, bool pad);

/*
 * Appends s as a JSON string literal: quotes, backslashes and every control
 * character escaped, invalid UTF-8 replaced by U+FFFD, so that JSON output
 * is valid and inert whatever the server sent. NULL appends null.
 */
void text_append_json_string(GString *out, const char *s);

#endif
