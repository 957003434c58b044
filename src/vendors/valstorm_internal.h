/*
 * Valstorm adapter internals shared by valstorm.c (the table, the portal and
 * single-request operations) and valstorm_invite.c (the bulk invite). Not a
 * public interface: nothing outside src/vendors/valstorm*.c includes it.
 */
#ifndef PORTALCTL_VALSTORM_INTERNAL_H
#define PORTALCTL_VALSTORM_INTERNAL_H

#include <portalctl/session.h>
#include <portalctl/valstorm_parse.h>
#include <portalctl/vendor.h>

/* base + path_template with the values as path segments (net_url_build);
 * NULL after failing the job when the connection's url is unusable. free(). */
char *valstorm_job_url(struct vendor_job *job, const char *path_template,
                       const char *const values[]);

/* The error context of the job's request: connection, action, portal, user. */
struct valstorm_error_context valstorm_job_context(const struct vendor_job *job,
                                                   const char *action);

/* Sets job->error from a vendor answer that is not the success expected
 * (valstorm_read_error). A 404 "Portal not found" for a portal portalctl
 * knew locally also forgets it there and says so. */
void valstorm_job_refusal(struct vendor_job *job, const struct net_response *res,
                          const struct valstorm_error_context *context);

/* Forgets a portal in the local state (it is gone at Valstorm). True when it
 * was known there; a state file that cannot be read or written is reported
 * as a progress line and gives false. */
bool valstorm_forget_portal(struct vendor_job *job, const char *portal_id);

/* Whether a request that got no whole answer may have reached Valstorm and
 * taken effect (reset or timeout after sending, an answer cut short). */
bool valstorm_maybe_applied(const struct net_response *res);

/* VOP_INVITE_USERS (valstorm_invite.c). */
void valstorm_start_invite(struct vendor_job *job);

#endif
