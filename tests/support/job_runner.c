/*
 * Test support: one vendor job run to completion (job_runner.h).
 */
#include "job_runner.h"

#include <stdarg.h>
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

struct form_values *job_row_of(const char *key, ...)
{
    struct form_values *values = form_values_new();
    va_list args;
    va_start(args, key);
    for (const char *k = key; k; k = va_arg(args, const char *))
        form_values_set(values, k, va_arg(args, const char *));
    va_end(args);
    return values;
}

void job_run_op(struct session *session, enum vendor_op op, const char *portal, const char *target,
                struct form_values *row, const char *filter, struct job_outcome *out)
{
    struct form_values *rows[] = {row};
    struct vendor_request request = {
        .op = op,
        .portal_id = portal,
        .target_id = target,
        .rows = row ? rows : NULL,
        .row_count = row ? 1 : 0,
        .filter = filter,
    };
    job_run(session, &request, out);
    form_values_free(row);
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
