/*
 * A session is one configured connection in use: its config, its vendor
 * adapter, the shared HTTP engine, the credentials read from the keyring
 * (cached for this process only) and the short-lived access token.
 *
 * It starts jobs (vendor_job_start), adds credentials to every request, and
 * refreshes an access token once when the vendor refuses it, holding other
 * requests of the session until the refresh has answered. It never prints,
 * draws or writes a secret anywhere but the keyring.
 */
#ifndef PORTALCTL_SESSION_H
#define PORTALCTL_SESSION_H

#include <stdbool.h>

#include <portalctl/config.h>
#include <portalctl/model.h>
#include <portalctl/net.h>
#include <portalctl/secrets.h>
#include <portalctl/vendor.h>

struct session;

/* The most any one vendor answer may weigh. Far above the largest legitimate
 * answer (a Valstorm portal's whole user list: 100,000 users are about 30 MB),
 * far below what would hurt: a hostile or broken server cannot make the
 * console hold more than this per request (net's own default is 256 MiB). */
#define SESSION_MAX_BODY_BYTES ((size_t)64 * 1024 * 1024)

/* config is copied; net and secrets are borrowed and must outlive the session.
 * secrets may be NULL: then only secrets given with session_set_secret exist. */
struct session *session_new(const struct connection_config *config, struct net_engine *net,
                            struct secrets *secrets);
/* Cancel and drain every job first (see vendor_job_cancel, net_engine_run). */
void session_free(struct session *session);

const struct connection_config *session_config(const struct session *session);
const struct vendor_ops *session_vendor(const struct session *session);
struct net_engine *session_net(struct session *session);

/* The API base (config url or the vendor default), no trailing slash. */
const char *session_api_base(const struct session *session);
/* Zoho: the accounts server (config accounts_url, else from the data centre). */
const char *session_accounts_base(const struct session *session);
/* A token answer's api_domain: becomes the API base unless the config sets url. */
void session_set_api_base(struct session *session, const char *api_base);

/* A secret of this connection: from the cache, else from the keyring (a
 * synchronous D-Bus call: the console does it before the first request, with
 * a status message). NULL when there is none; *error set when the keyring
 * failed. The value stays owned by the session (wiped at free). */
const char *session_secret(struct session *session, enum secret_kind kind, GError **error);
/* Puts a secret in the session's cache only (demo mode, a login's tokens). */
void session_set_secret(struct session *session, enum secret_kind kind, const char *value);

/* The current access token (Zoho, Valstorm login), and when it expires
 * (seconds since the epoch, 0 = unknown). */
const char *session_access_token(const struct session *session);
double session_access_expiry(const struct session *session);
void session_set_access_token(struct session *session, const char *token, double expires_at);
/* The vendor's refresh() ends by calling this: error NULL on success. */
void session_auth_done(struct session *session, const struct api_error *error);

/* For vendor refresh code: sends a request without the session's credential
 * header and without the refresh logic. */
typedef void (*session_raw_fn)(struct session *session, const struct net_response *res, void *data);
void session_send_raw(struct session *session, const struct vendor_call *call, session_raw_fn done,
                      void *data);

/* Checks the request against the vendor's table (unsupported operation,
 * read-only connection) and starts it. Returns the job, or NULL when it
 * already ended: then done() has run (e.g. the operation is unsupported and
 * nothing was sent). */
struct vendor_job *vendor_job_start(struct session *session, const struct vendor_request *request,
                                    const struct vendor_job_events *events);

/* Cancels every request of the job; done() follows with API_CANCELLED, maybe
 * before this returns. */
void vendor_job_cancel(struct vendor_job *job);

#endif
