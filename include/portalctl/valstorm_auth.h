/*
 * Valstorm authentication (shared/api/valstorm.md §1): the session's bearer
 * header and token refresh for the Valstorm adapter, and the password login
 * with its second factor for `portalctl auth login CONNECTION`.
 *
 * A connection authenticates with a personal access token (secret kind
 * api-key) when one is stored; otherwise with the access token of a login
 * (kind access-token, or the session's own after a refresh), renewed with
 * the refresh token (kind refresh-token) when Valstorm refuses it.
 *
 * Everything runs asynchronously on the session's engine and reports
 * through callbacks; the caller stores the tokens a login yields
 * (secrets_store). The password and the 2FA code go to Valstorm only in
 * request bodies, never in a URL or a message; every copy this module makes
 * is wiped as soon as the request is submitted. This module never prints,
 * sleeps or touches the keyring itself.
 */
#ifndef PORTALCTL_VALSTORM_AUTH_H
#define PORTALCTL_VALSTORM_AUTH_H

#include <stdbool.h>

#include <portalctl/model.h>
#include <portalctl/session.h>
#include <portalctl/vendor.h>

/* Headers, refusal test and refresh the session uses for Valstorm. */
extern const struct vendor_auth_ops valstorm_auth_ops;

/* Which credential the session would send now. */
enum valstorm_credential {
    VALSTORM_CREDENTIAL_NONE,
    VALSTORM_CREDENTIAL_PAT,   /* a personal access token (api-key) */
    VALSTORM_CREDENTIAL_LOGIN, /* a login's access token, or its refresh token */
};

/* Looks the secrets up (the keyring, once per session). *error is set when
 * the keyring failed. */
enum valstorm_credential valstorm_auth_credential(struct session *session, GError **error);

/* "personal access token", "access token from a login". */
const char *valstorm_credential_name(enum valstorm_credential credential);

/* ---- the password login ------------------------------------------------------ */

/* What a login yields. Valid during the callback only: copy what you keep
 * (store both with secrets_store, kinds access-token and refresh-token). */
struct valstorm_tokens {
    const char *access_token;
    const char *refresh_token; /* NULL when Valstorm sent none */
};

struct valstorm_login;

struct valstorm_login_events {
    /* 2FA is on: Valstorm sent a code to email. Answer with
     * valstorm_login_submit_code (now, inside this call, or later) or
     * valstorm_login_cancel. */
    void (*code_needed)(struct valstorm_login *login, const char *email, void *user);
    /* Called once: tokens on success (error NULL), or error (tokens NULL):
     * API_AUTH for a refused password or 2FA code ("Invalid 2FA code"),
     * API_REFUSED for refused input, API_NETWORK, API_CANCELLED. On success
     * the session also holds the new tokens. The login is freed after this
     * returns. */
    void (*done)(const struct valstorm_tokens *tokens, const struct api_error *error, void *user);
    void *user;
};

/* POST {api}/v1/oauth2/login, form-encoded grant_type=password, username,
 * password; then, when Valstorm asks for it, POST /v1/oauth2/verify-2fa
 * {"email","code"}. Neither is ever re-sent by itself (a login sends a new
 * code; a code is good once). The caller may wipe its password as soon as
 * this returns: the request has been submitted and this module's copies
 * wiped. Returns the login, or NULL when done() already ran (empty username
 * or password: nothing sent). */
struct valstorm_login *valstorm_login_start(struct session *session, const char *username,
                                            const char *password,
                                            const struct valstorm_login_events *events);

/* Sends the 2FA code the person typed (the caller wipes its copy after this
 * returns). Only after code_needed; the login may have ended (done() run,
 * login freed) by the time this returns, so do not use it afterwards. */
void valstorm_login_submit_code(struct valstorm_login *login, const char *code);

/* Gives up: done() runs with API_CANCELLED — now when no request is in
 * flight, else when its answer arrives. Do not use the login afterwards. */
void valstorm_login_cancel(struct valstorm_login *login);

#endif
