/*
 * Test support: runs one vendor job to completion on a real net engine and
 * keeps what it delivered (all pages, the final records, the error).
 */
#ifndef TESTS_JOB_RUNNER_H
#define TESTS_JOB_RUNNER_H

#include <portalctl/session.h>

struct job_outcome {
    struct record_list records; /* every page, then the final result */
    struct api_error error;
    int pages;
    int progress_lines;
};

/* Starts the request on the session and runs the session's engine until no
 * request is pending. Always fills *out (free with job_outcome_clear). */
void job_run(struct session *session, const struct vendor_request *request,
             struct job_outcome *out);

void job_outcome_clear(struct job_outcome *out);

/* Form values from "key", "value", … NULL. */
struct form_values *job_row_of(const char *key, ...);

/* Runs one operation with at most one row (freed here) on the session. */
void job_run_op(struct session *session, enum vendor_op op, const char *portal, const char *target,
                struct form_values *row, const char *filter, struct job_outcome *out);

/* A connection config for tests: vendor, name and url (e.g. portal-sim's base);
 * free with connection_config_free. */
struct connection_config *job_test_connection(enum config_vendor vendor, const char *name,
                                              const char *url);

#endif
