/*
 * bulk, private: the per-vendor profiles shared by the planner
 * (bulk_plan.c), the runner (bulk_run.c) and the dry run (bulk_profile.c).
 * Not for other modules.
 */
#ifndef PORTALCTL_APP_BULK_INTERNAL_H
#define PORTALCTL_APP_BULK_INTERNAL_H

#include <portalctl/bulk.h>
#include <portalctl/bulk_csv.h>
#include <portalctl/vendor.h>

/* What a row's next job does. */
enum bulk_step {
    BULK_STEP_MAIN,     /* the operation itself: invite, create, remove */
    BULK_STEP_RECHECK,  /* look the object up before sending the create again */
    BULK_STEP_PASSWORD, /* give a created user a (new) generated password */
};

/* How one vendor does one bulk action: data, plus the dry-run printer. */
struct bulk_profile {
    enum config_vendor vendor;
    enum bulk_action action;
    enum vendor_op op;                 /* the main operation */
    const struct form_spec *form;      /* checks each row (the vendor's own form) */
    const struct bulk_column *columns; /* further columns: refused or ignored */
    size_t column_count;
    const char *const *one_of;  /* columns of which one must be present (removal) */
    const char *identity_field; /* what a row is about: e-mail or login */
    const char *id_field;       /* removal: the column holding the vendor's id */
    bool identity_is_email;     /* compared without regard to case */
    size_t rows_per_job;        /* the vendor's batch limit (1: one request per row) */
    unsigned default_concurrency;
    unsigned max_concurrency;
    unsigned requests_per_job; /* requests one job keeps in flight */
    bool recheck_by_lookup;    /* a create: look it up before sending it again */
    /* Sending a row again can never duplicate it (an invitation: the vendor
     * answers "already a member"), so the next run would treat a row it
     * finds "pending" exactly like one never sent: no pending event is
     * written, and no sync holds up the first request. */
    bool resend_is_safe;
    bool list_first;  /* removal: list the members before removing */
    const char *what; /* "a Valstorm invitation file", for messages */
    const char *done_outcome;
    void (*describe)(const struct bulk_plan *plan, GString *out);
};

/* The journal's digest of a row's values (never a secret): tells a row
 * corrected since the vendor refused it from the same row. g_free. */
char *bulk_row_content_digest(const struct bulk_row *row);

const struct bulk_profile *bulk_profile_find(enum config_vendor vendor, enum bulk_action action);

/* The CSV schema of a profile (free with bulk_profile_schema_free). */
struct bulk_csv_schema *bulk_profile_schema(const struct bulk_profile *profile);
void bulk_profile_schema_free(struct bulk_csv_schema *schema);

/* The row's values as sent: with the generated password for a create. New
 * values; free with form_values_free (it wipes them). */
struct form_values *bulk_row_request_values(const struct bulk_plan *plan,
                                            const struct bulk_row *row);

#endif
