/*
 * Zoho OAuth (shared/api/zoho.md §2): the session's token refresh for the
 * Zoho adapter, and the two ways `portalctl auth grant CONNECTION` obtains a
 * refresh token: exchanging a Self Client grant code, and the device flow.
 *
 * Everything runs asynchronously on the session's engine and reports through
 * a callback; the caller stores the refresh token it is given (secrets_store,
 * kind refresh-token). The client id comes from the connection's config, the
 * client secret from the session (session_secret, kind client-secret).
 *
 * Secrets go to Zoho Accounts only in form bodies, never in a URL (URLs end up
 * in logs), and never into a message. This module never prints, sleeps or
 * touches the keyring itself.
 */
#ifndef PORTALCTL_ZOHO_AUTH_H
#define PORTALCTL_ZOHO_AUTH_H

#include <stdbool.h>

#include <portalctl/model.h>
#include <portalctl/session.h>
#include <portalctl/vendor.h>

/* The scopes portalctl asks for: client portals, and contacts to invite. */
#define ZOHO_SCOPES "ZohoCRM.settings.clientportal.ALL,ZohoCRM.modules.contacts.ALL"

/* Refresh, headers and the token-refusal test the session uses for Zoho. */
extern const struct vendor_auth_ops zoho_auth_ops;

/* What a grant yields. Valid during the callback only: copy what you keep. */
struct zoho_grant_result {
    const char *refresh_token; /* store it for the connection */
    /* Non-NULL when Zoho said the account lives in another data centre than
     * the configured one (device flow, other_dc): save it as the connection's
     * data_centre, or later refreshes go to the wrong accounts server. */
    const char *data_centre;
};

/* Called once: result on success (error NULL), or error (result NULL). On
 * success the session also holds the new access token and its api_domain.
 * Do not free a device flow from inside it: free it after it returned. */
typedef void (*zoho_grant_done_fn)(const struct zoho_grant_result *result,
                                   const struct api_error *error, void *user);

/* Exchanges a Self Client grant code (valid about 3 minutes, usable once)
 * for a refresh token: POST {accounts}/oauth/v2/token with
 * grant_type=authorization_code. Sent once, never repeated (a used code is
 * refused). done may run before this returns when the connection lacks its
 * client id or client secret (nothing is sent then). */
void zoho_auth_exchange_code(struct session *session, const char *grant_code,
                             zoho_grant_done_fn done, void *user);

/* ---- the device flow ------------------------------------------------------ */

/* What the person must be shown: go to verification_url, enter user_code. */
struct zoho_device_prompt {
    const char *user_code;
    const char *verification_url;
    long expires_in_ms; /* how long the code can be approved */
};

struct zoho_device_events {
    void (*prompt)(const struct zoho_device_prompt *prompt, void *user);
    zoho_grant_done_fn done;
    void *user;
};

struct zoho_device_flow;

/* Asks Zoho Accounts for a device code (device/code), then prompt() runs,
 * then the flow polls device/token no faster than Zoho's interval, slowing
 * down when told to and moving to another data centre's accounts server on
 * other_dc, until done() runs once. done may run before this returns when
 * the connection lacks its client id or secret. Free with
 * zoho_device_flow_free (also after done). */
struct zoho_device_flow *zoho_device_flow_start(struct session *session,
                                                const struct zoho_device_events *events);

/* The engine has no timers for its callers, so the caller's event loop keeps
 * the flow's clock: wait at most this many milliseconds (-1: only for the
 * engine) in net_engine_wait, dispatch, then call zoho_device_flow_tick. */
int zoho_device_flow_timeout_ms(const struct zoho_device_flow *flow);
/* Sends the next poll when it is due; ends the flow when the code expired. */
void zoho_device_flow_tick(struct zoho_device_flow *flow);
bool zoho_device_flow_finished(const struct zoho_device_flow *flow);

/* Drives the flow to its end on the session's engine, waiting in
 * net_engine_wait (poll) between polls: for the command line, which has
 * nothing else to do meanwhile. Returns 0, or -1 when poll() failed. */
int zoho_device_flow_run(struct zoho_device_flow *flow);

/* Stops polling; done() runs with API_CANCELLED unless it ran already. */
void zoho_device_flow_cancel(struct zoho_device_flow *flow);
/* Frees the flow (cancelling it first); safe while a poll is in flight. */
void zoho_device_flow_free(struct zoho_device_flow *flow);

#endif
