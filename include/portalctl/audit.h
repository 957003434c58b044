/*
 * store: the audit log — one JSON line per change portalctl made or tried, in
 * $XDG_STATE_HOME/portalctl/audit.jsonl (or ~/.local/state/portalctl/):
 *
 *     {"time":"2026-05-07T09:00:00.123Z","connection":"acme-valstorm",
 *      "operation":"portal.create","target":"Customer Hub","result":"ok"}
 *
 * Owns the file format and appending safely (O_APPEND, one write per line,
 * mode 0600, directory 0700).
 *
 * Must never: record a secret. The API has no argument a secret could travel
 * in; callers must not put one in `target` or `message` either.
 */
#ifndef PORTALCTL_AUDIT_H
#define PORTALCTL_AUDIT_H

#include <stdbool.h>

#include <glib.h>

#include <portalctl/store_files.h>

enum audit_result {
    AUDIT_RESULT_OK,      /* "ok" */
    AUDIT_RESULT_FAILED,  /* "failed" */
    AUDIT_RESULT_PARTIAL, /* "partial": a batch where some rows went through */
};

const char *audit_result_name(enum audit_result result);

struct audit_entry {
    const char *connection; /* required */
    const char *operation;  /* required, e.g. "portal.create", "user.invite" */
    const char *target;     /* what was changed: a portal id, an e-mail; NULL when none */
    enum audit_result result;
    const char *message; /* optional: why it failed, or a count; NULL to leave it out */
};

/* "$XDG_STATE_HOME/portalctl/audit.jsonl" or "~/.local/state/portalctl/audit.jsonl". */
char *audit_default_path(void);

/* Appends one line with the current UTC time (path NULL: the default path).
 * STORE_ERROR_INVALID when connection or operation is missing or a string is
 * not UTF-8; STORE_ERROR_IO when the file cannot be written. */
bool audit_append(const char *path, const struct audit_entry *entry, GError **error);

#endif
