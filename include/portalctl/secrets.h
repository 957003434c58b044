/*
 * store: secrets — API keys, client secrets and OAuth tokens of connections.
 *
 * Two backends behind one small API, in the manner of git-credential-libsecret:
 * the system keyring through the Secret Service (libsecret, one static schema
 * "io.portalctl.Credential" with the attributes "connection" and "kind"), and,
 * when no Secret Service answers and the user agrees, a session-only store that
 * keeps secrets in this process's memory until it exits.
 *
 * Owns: the schema, the labels ("portalctl: acme-zoho refresh-token"), wiping
 * secrets from memory when they are freed, and disabling core dumps before the
 * first secret is held (prctl PR_SET_DUMPABLE 0 and RLIMIT_CORE 0).
 *
 * Must never: write a secret to a file, an environment variable, argv, a log or
 * an error message, or fall back to anything but memory when the keyring is
 * missing. The calls block on D-Bus: never call them while drawing the screen.
 */
#ifndef PORTALCTL_SECRETS_H
#define PORTALCTL_SECRETS_H

#include <stdbool.h>

#include <glib.h>

#define SECRETS_ERROR secrets_error_quark()
GQuark secrets_error_quark(void);

enum secrets_error {
    SECRETS_ERROR_NO_SERVICE, /* no Secret Service on the session bus, or no session bus */
    SECRETS_ERROR_LOCKED,     /* the keyring is locked and was not unlocked */
    SECRETS_ERROR_SERVICE,    /* the Secret Service answered with an error */
    SECRETS_ERROR_INVALID,    /* bad arguments: empty secret, unknown kind, bad name */
    SECRETS_ERROR_PROTECT,    /* core dumps could not be disabled */
};

enum secret_kind {
    SECRET_KIND_API_KEY,       /* ECGrid X-API-Key, Valstorm personal access token */
    SECRET_KIND_CLIENT_SECRET, /* Zoho OAuth client secret */
    SECRET_KIND_REFRESH_TOKEN, /* Zoho and Valstorm refresh tokens */
    SECRET_KIND_ACCESS_TOKEN,  /* short-lived access tokens */
};
#define SECRET_KIND_COUNT 4

/* "api-key", "client-secret", "refresh-token", "access-token". */
const char *secret_kind_name(enum secret_kind kind);
bool secret_kind_from_name(const char *name, enum secret_kind *kind);

enum secrets_backend {
    SECRETS_BACKEND_KEYRING, /* the Secret Service, via libsecret */
    SECRETS_BACKEND_SESSION, /* memory of this process only, gone at exit */
};

/* What a probe of the Secret Service found. */
enum secrets_service_state {
    SECRETS_SERVICE_READY,   /* answers, default keyring unlocked */
    SECRETS_SERVICE_LOCKED,  /* answers, default keyring locked (using it will prompt) */
    SECRETS_SERVICE_MISSING, /* nothing answers: offer session-only mode */
};

/* Asks the session bus whether a Secret Service answers and whether its default
 * collection is locked. For SECRETS_SERVICE_MISSING, *error (when given) says
 * why in words fit for the user. Blocks on D-Bus. */
enum secrets_service_state secrets_probe(GError **error);

/* An open store; one per process is enough. */
struct secrets;

/* Opening disables core dumps first (see secrets_protect_process()); NULL
 * with SECRETS_ERROR_PROTECT if that fails. Opening the keyring backend does
 * not contact D-Bus: the first store/lookup/clear does. */
struct secrets *secrets_open(enum secrets_backend backend, GError **error);
enum secrets_backend secrets_backend_of(const struct secrets *secrets);
/* Wipes and forgets every session-only secret. */
void secrets_close(struct secrets *secrets);

/* Stores (or replaces) the secret of one connection and kind. */
bool secrets_store(struct secrets *secrets, const char *connection, enum secret_kind kind,
                   const char *value, GError **error);

/* The secret, to be freed with secret_value_free(); NULL with *error unset when
 * there is none, NULL with *error set when the store failed. */
char *secrets_lookup(struct secrets *secrets, const char *connection, enum secret_kind kind,
                     GError **error);

/* Removes one secret. *removed (when given) says whether there was one. */
bool secrets_clear(struct secrets *secrets, const char *connection, enum secret_kind kind,
                   bool *removed, GError **error);

/* Removes every secret of a connection (when the connection is deleted). */
bool secrets_clear_connection(struct secrets *secrets, const char *connection, GError **error);

/* Overwrites a secret returned by secrets_lookup() and frees it. NULL is fine. */
void secret_value_free(char *value);

/* Overwrites a string the caller holds (a typed-in secret) without freeing it. */
void secret_wipe(char *value);

/* Disables core dumps for the rest of the process: PR_SET_DUMPABLE 0 (no core,
 * no ptrace by other processes of the user) and RLIMIT_CORE 0. Idempotent;
 * secrets_open() calls it, callers that read a secret before opening (the
 * terminal prompt) call it first. */
bool secrets_protect_process(GError **error);

#endif
