/*
 * The Zoho adapter's files share this (src/vendors only, like
 * src/net/net_internal.h): a job's state, URL building, failing a job from
 * an answer, and fetching a portal's user types. zoho.c has the operation
 * table and the portal operations, zoho_users.c the user types and users,
 * zoho_invite.c the invitations.
 *
 * Rule for every request: its callback data is NULL, a number, or a pointer
 * into the job's state, because a cancelled job's replies never come and
 * anything allocated for one would leak.
 */
#ifndef PORTALCTL_ZOHO_INTERNAL_H
#define PORTALCTL_ZOHO_INTERNAL_H

#include <portalctl/net.h>
#include <portalctl/session.h>
#include <portalctl/vendor.h>
#include <portalctl/zoho_parse.h>

/* The CRM API version spoken (zoho.md: v7; v8 has the same paths). */
#define ZOHO_CRM "/crm/v7"
/* The personality module of portal users: contacts (zoho.md §6). */
#define ZOHO_CONTACTS "Contacts"

struct vendor_job;

/* Called when a portal's user types have arrived (at least one). */
typedef void (*zoho_types_fn)(struct vendor_job *job);

/* Everything a Zoho job keeps between its requests (job->adapter_state). */
struct zoho_job {
    struct record_list types; /* the portal's user types, once fetched */
    zoho_types_fn after_types;
    bool types_may_be_empty; /* after_types also runs for a portal without any */
    void *op;                /* the operation's own state */
    void (*free_op)(void *op);
};

/* The job's state, made on first use. */
struct zoho_job *zoho_job_of(struct vendor_job *job);

/* ZOHO_CRM + path on the session's API base, "{}" filled with values (each
 * percent-encoded as one segment), query appended. NULL (and the job failed
 * with API_INVALID_INPUT naming what) when a value cannot be a path segment. */
char *zoho_url(struct vendor_job *job, const char *path, const char *const values[],
               const struct net_query_arg *query);

/* Sends a request of the job (url is freed here). */
void zoho_send(struct vendor_job *job, const char *method, char *url, const char *body,
               bool idempotent, vendor_reply_fn reply, void *data);

/* Whether the answer arrived at all (else the job failed with the transport
 * error); zoho_answer_ok also whether it is a 2xx (else the job failed with
 * Zoho's error for action, its outcomes read under key). */
bool zoho_answer_arrived(struct vendor_job *job, const struct net_response *res);
bool zoho_answer_ok(struct vendor_job *job, const struct net_response *res, const char *key,
                    const char *action);

/* Fails the job with a refusal outcome (zoho_error_from_outcome). */
void zoho_fail_outcome(struct vendor_job *job, const struct zoho_outcome *outcome, long http_status,
                       const char *action);

/* GETs the portal's (job->request.portal_id) user types into the job's state
 * and calls then; when there are none, finds out whether the portal exists
 * and fails the job saying which (or, with types_may_be_empty set, calls
 * then for an existing portal). */
void zoho_fetch_user_types(struct vendor_job *job, zoho_types_fn then);

/* The user type a request names (target or filter, by id or name), else the
 * portal's default; NULL (job failed) when the named one is not there. */
const struct record *zoho_pick_user_type(struct vendor_job *job, const char *wanted);

/* The operations of zoho_users.c and zoho_invite.c. */
void zoho_list_user_types(struct vendor_job *job);
void zoho_list_users(struct vendor_job *job);
void zoho_change_user_status(struct vendor_job *job);
void zoho_remove_user(struct vendor_job *job);
void zoho_invite_users(struct vendor_job *job);

#endif
