/*
 * ECGrid adapter, private: what src/vendors/ecgrid.c (operation table,
 * authentication, single requests, creates) shares with
 * src/vendors/ecgrid_lists.c (the paged lists). Not for other modules.
 */
#ifndef PORTALCTL_VENDORS_ECGRID_INTERNAL_H
#define PORTALCTL_VENDORS_ECGRID_INTERNAL_H

#include <portalctl/ecgrid_parse.h>
#include <portalctl/session.h>
#include <portalctl/vendor.h>

/* Most records a list page asks for: the contract's maximum recordsPerPage. */
#define ECGRID_PAGE_SIZE 500
/* Requests one list keeps on the wire at once (pages guessed ahead, or
 * by-mailbox look-ups): a few, so a big network does not flood the vendor. */
#define ECGRID_LIST_IN_FLIGHT 4

/* The host root plus path_template with each "{}" replaced by the next of
 * values (percent-encoded); NULL after failing the job. Free with free(). */
char *ecgrid_job_url(struct vendor_job *job, const char *path_template, const char *const values[]);

/* The error context of this job's connection for an action ("list users"). */
struct ecgrid_error_context ecgrid_job_context(const struct vendor_job *job, const char *action);

/* Checks the transport and reads the answer; false after setting job->error. */
bool ecgrid_job_answer(struct vendor_job *job, const struct net_response *res,
                       const struct ecgrid_error_context *context, struct ecgrid_answer *answer);

/* The request's portal (--portal) as a mailbox id: 0 when none was given;
 * -1 after failing the job because it is not a mailbox number. */
int ecgrid_job_mailbox(struct vendor_job *job);

/* The paged lists (ecgrid_lists.c). */
void ecgrid_start_list_users(struct vendor_job *job);
void ecgrid_start_list_portals(struct vendor_job *job);

#endif
