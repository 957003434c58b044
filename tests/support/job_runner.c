/*
 * Test support: one vendor job run to completion (job_runner.h).
 */
#include "job_runner.h"

#include <string.h>

static void on_page(struct vendor_job *job, struct record_list *records, void *user)
{
    (void)job;
    struct job_outcome *out = user;
    out->pages++;
    record_list_move_all(&out->records, records);
}

static void on_progress(struct vendor_job *job, const char *message, void *user)
{
    (void)job;
    (void)message;
    struct job_outcome *out = user;
    out->progress_lines++;
}

static void on_done(struct vendor_job *job, const struct api_error *error,
                    struct record_list *result, void *user)
{
    (void)job;
    struct job_outcome *out = user;
    record_list_move_all(&out->records, result);
    api_error_copy(&out->error, error);
}

void job_run(struct session *session, const struct vendor_request *request, struct job_outcome *out)
{
    memset(out, 0, sizeof(*out));
    record_list_init(&out->records);
    api_error_init(&out->error);
    struct vendor_job_events events = {
        .page = on_page, .progress = on_progress, .done = on_done, .user = out};
    vendor_job_start(session, request, &events);
    net_engine_run(session_net(session));
}

void job_outcome_clear(struct job_outcome *out)
{
    record_list_clear(&out->records);
    api_error_clear(&out->error);
}

struct connection_config *job_test_connection(enum config_vendor vendor, const char *name,
                                              const char *url)
{
    struct connection_config *config = connection_config_new(name, vendor);
    config->url = g_strdup(url);
    return config;
}
