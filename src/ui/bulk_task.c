/*
 * The console's bulk work from a CSV file ("Invite from CSV…"): the same
 * engine and the same steps as the command line's `users invite --csv`
 * (src/cli/cli_bulk.c) — the plan with every row checked before anything is
 * sent, the journal of earlier runs, the runner — but driven by the
 * console's event loop (bulk_task_pump after each net_engine_dispatch)
 * instead of a loop of its own. At the end it writes the report next to the
 * journal (mode 0600), the audit line, and reloads the portal's users.
 *
 * Owns the task's state; draws nothing (bulk_view.c paints it). Must never
 * block on the network, nor send a row while the plan has invalid rows
 * unless the person chose to skip them (bulk_view.c asks).
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/audit.h>

static const char ecgrid_refusal[] =
    "ECGrid: creating users from a CSV file is in the command line for now: portalctl users "
    "create CONNECTION --csv FILE --generate-passwords --report FILE";

static void on_progress(const struct bulk_progress *progress, void *user)
{
    struct bulk_task *task = user;
    task->progress = *progress;
    task->progressed = true;
}

/* The file's problems become the preview; only an unreadable file is refused. */
static bool make_plan(struct bulk_task *task, const struct browser_connection *c, char **why)
{
    struct bulk_request request = {
        .action = BULK_INVITE,
        .connection = c->config,
        .portal_id = task->portal_id,
        .csv_path = task->csv_path,
    };
    GError *error = NULL;
    task->plan = bulk_plan_new(&request, task->problems, &error);
    if (!task->plan && error) {
        *why = g_strdup(error->message);
        g_error_free(error);
        return false;
    }
    if (task->plan) {
        for (guint i = 0; i < task->plan->problems->len; i++)
            g_ptr_array_add(task->problems, g_strdup(g_ptr_array_index(task->plan->problems, i)));
    }
    return true;
}

static bool open_journal(struct bulk_task *task, char **why)
{
    task->journal_path = bulk_journal_default_path(
        task->connection_name, bulk_plan_operation(task->plan), task->portal_id, task->csv_path);
    GError *error = NULL;
    task->journal = bulk_journal_open(task->journal_path, &error);
    if (!task->journal) {
        *why = g_strdup(error->message);
        g_error_free(error);
        return false;
    }
    bulk_plan_apply_journal(task->plan, task->journal);
    return true;
}

struct bulk_task *bulk_task_prepare(struct browser *browser, int connection, const char *portal_id,
                                    const char *portal_title, const char *csv_path, char **why)
{
    struct browser_connection *c =
        connection >= 0 ? browser_connection_at(browser, (size_t)connection) : NULL;
    if (!c || !portal_id) {
        *why = g_strdup("open a portal first: the people are invited to the portal shown");
        return NULL;
    }
    if (c->read_only) {
        *why = g_strdup("read-only: changes are refused, nothing is sent");
        return NULL;
    }
    if (c->config->vendor == CONFIG_VENDOR_ECGRID) {
        *why = g_strdup(ecgrid_refusal);
        return NULL;
    }
    struct bulk_task *task = g_new0(struct bulk_task, 1);
    task->browser = browser;
    task->connection = connection;
    task->connection_name = g_strdup(c->config->name);
    task->portal_id = g_strdup(portal_id);
    task->portal_title = g_strdup(portal_title ? portal_title : portal_id);
    task->csv_path = g_strdup(csv_path);
    task->problems = g_ptr_array_new_with_free_func(g_free);
    if (!make_plan(task, c, why) || (task->plan && !open_journal(task, why))) {
        bulk_task_free(task);
        return NULL;
    }
    return task;
}

size_t bulk_task_count(const struct bulk_task *task, enum bulk_status status)
{
    size_t n = 0;
    for (guint i = 0; task->plan && i < task->plan->rows->len; i++)
        n += ((const struct bulk_row *)g_ptr_array_index(task->plan->rows, i))->status == status;
    return n;
}

void bulk_task_start(struct bulk_task *task)
{
    struct browser_connection *c = browser_connection_at(task->browser, (size_t)task->connection);
    struct bulk_events events = {.progress = on_progress, .user = task};
    task->run_id = bulk_journal_new_run_id();
    task->runner = bulk_runner_new(task->plan, c->session, task->journal, task->run_id, 0, &events);
    bulk_runner_get_progress(task->runner, &task->progress);
    task->state = BULK_TASK_RUNNING;
    browser_set_message(task->browser, false, "inviting the people of %s…", task->csv_path);
    bulk_runner_pump(task->runner);
    bulk_runner_get_progress(task->runner, &task->progress);
}

/* ---- the end ----------------------------------------------------------------------------- */

/* "…/bulk/invite-users-acme-1f2e….jsonl" → "…/bulk/invite-users-acme-1f2e…-RUN.csv". */
static char *report_path_for(const struct bulk_task *task)
{
    const char *path = task->journal_path;
    size_t stem = g_str_has_suffix(path, ".jsonl") ? strlen(path) - 6 : strlen(path);
    return g_strdup_printf("%.*s-%s.csv", (int)stem, path, task->run_id);
}

static void audit_run(struct bulk_task *task, size_t succeeded, size_t failed)
{
    GError *error = NULL;
    if (!bulk_audit(task->plan, task->connection_name, task->portal_id, task->csv_path,
                    succeeded, failed, &error)) {
        browser_set_message(task->browser, true, "could not write the audit log: %s",
                            error->message);
        g_error_free(error);
    }
}

static bool write_report(struct bulk_task *task)
{
    task->report_path = report_path_for(task);
    GError *error = NULL;
    bool ok = bulk_report_write(task->plan, task->report_path, BULK_REPORT_CSV, &error) &&
              bulk_journal_mark_report(task->journal, task->run_id, task->report_path, &error);
    if (!ok) {
        browser_set_message(task->browser, true, "cannot write the report: %s", error->message);
        g_error_free(error);
    }
    return ok;
}

static void finish(struct bulk_task *task)
{
    size_t done = bulk_task_count(task, BULK_STATUS_DONE);
    size_t earlier = bulk_task_count(task, BULK_STATUS_EARLIER);
    size_t failed = bulk_task_count(task, BULK_STATUS_FAILED);
    size_t not_sent = bulk_task_count(task, BULK_STATUS_NOT_SENT);
    bool reported = write_report(task);
    audit_run(task, done + earlier, failed + not_sent);
    const struct api_error *fatal = bulk_runner_fatal(task->runner);
    task->summary = g_strdup_printf("%s: %zu of %u rows done (%zu earlier), %zu failed, %zu "
                                    "invalid, %zu not sent, in %.1f s%s%s",
                                    bulk_plan_operation(task->plan), done + earlier,
                                    task->plan->rows->len, earlier, failed, task->plan->invalid,
                                    not_sent, bulk_runner_elapsed_ms(task->runner) / 1000.0,
                                    fatal ? ": " : "", fatal ? fatal->message : "");
    task->failed = fatal || failed + not_sent > 0 || !reported;
    task->state = BULK_TASK_ENDED;
    /* The people invited show in the users list the console has open. */
    struct browser *b = task->browser;
    if (b->current == task->connection && g_strcmp0(b->users.owner, task->portal_id) == 0)
        browser_refresh(b, BROWSER_USERS);
}

bool bulk_task_pump(struct bulk_task *task)
{
    if (task->state != BULK_TASK_RUNNING)
        return false;
    bulk_runner_pump(task->runner);
    bulk_runner_get_progress(task->runner, &task->progress); /* jobs in flight too */
    if (bulk_runner_finished(task->runner)) {
        finish(task);
        return true;
    }
    bool progressed = task->progressed;
    task->progressed = false;
    return progressed;
}

int bulk_task_timeout_ms(const struct bulk_task *task)
{
    return task->state == BULK_TASK_RUNNING ? bulk_runner_next_timeout_ms(task->runner) : -1;
}

void bulk_task_stop(struct bulk_task *task)
{
    if (task->state != BULK_TASK_RUNNING || task->stopping)
        return;
    task->stopping = true;
    bulk_runner_stop(task->runner);
}

/* The runner's jobs point at it: they must end before it is freed. */
static void drain(struct bulk_task *task)
{
    struct browser_connection *c = browser_connection_at(task->browser, (size_t)task->connection);
    struct net_engine *net = session_net(c->session);
    bulk_runner_stop(task->runner);
    while (!bulk_runner_finished(task->runner)) {
        net_engine_wait(net, NULL, 0, bulk_runner_next_timeout_ms(task->runner));
        net_engine_dispatch(net);
        bulk_runner_pump(task->runner);
    }
}

void bulk_task_free(struct bulk_task *task)
{
    if (!task)
        return;
    if (task->runner && !bulk_runner_finished(task->runner))
        drain(task);
    bulk_runner_free(task->runner);
    bulk_journal_close(task->journal);
    bulk_plan_free(task->plan);
    g_ptr_array_unref(task->problems);
    g_free(task->connection_name);
    g_free(task->portal_id);
    g_free(task->portal_title);
    g_free(task->csv_path);
    g_free(task->journal_path);
    g_free(task->run_id);
    g_free(task->report_path);
    g_free(task->summary);
    g_free(task);
}
