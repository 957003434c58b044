/*
 * The console's bulk work from a CSV file ("Invite from CSV…", ECGrid's
 * "Create users from CSV…", "Remove users from CSV…"): the same engine and
 * the same steps as the command line's `users invite|create|remove --csv`
 * (src/cli/cli_bulk.c) — the plan with every row checked before anything is
 * sent, the journal of earlier runs, the runner — but driven by the
 * console's event loop (bulk_task_pump after each net_engine_dispatch)
 * instead of a loop of its own. The report goes next to the journal (mode
 * 0600, written atomically): once before the first request, so a run that
 * could not report its generated passwords never starts, and at the end;
 * then the audit line, and the portal's users are reloaded.
 *
 * Owns the task's state; draws nothing (bulk_view.c paints it). Must never
 * block on the network, nor send a row while the plan has invalid rows
 * unless the person chose to skip them (bulk_view.c asks), nor put a
 * generated password anywhere but the report (not in a message or summary).
 */
#include "ui_internal.h"

#include <string.h>

#include <portalctl/audit.h>
#include <portalctl/vendor.h>

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
        .action = task->action,
        .connection = c->config,
        .portal_id = task->portal_id,
        .csv_path = task->csv_path,
        /* The console's only way to a first password: never from the file. */
        .generate_passwords = task->action == BULK_CREATE,
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

enum bulk_action bulk_task_action_for(enum ui_action action, enum config_vendor vendor)
{
    if (action == UI_ACTION_REMOVE_CSV)
        return BULK_REMOVE;
    const struct vendor_ops *ops = vendor_by_id(vendor);
    return ops && vendor_find_operation(ops, VOP_INVITE_USERS) ? BULK_INVITE : BULK_CREATE;
}

struct bulk_task *bulk_task_prepare(struct browser *browser, int connection,
                                    enum bulk_action action, const char *portal_id,
                                    const char *portal_title, const char *csv_path, char **why)
{
    struct browser_connection *c =
        connection >= 0 ? browser_connection_at(browser, (size_t)connection) : NULL;
    if (!c || !portal_id) {
        *why = g_strdup("open a portal first: the file's rows apply to the portal shown");
        return NULL;
    }
    if (c->read_only) {
        *why = g_strdup("read-only: changes are refused, nothing is sent");
        return NULL;
    }
    struct bulk_task *task = g_new0(struct bulk_task, 1);
    task->action = action;
    task->vendor = c->config->vendor;
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

size_t bulk_task_new_passwords(const struct bulk_task *task)
{
    size_t n = 0;
    for (guint i = 0; task->plan && task->action == BULK_CREATE && i < task->plan->rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(task->plan->rows, i);
        n += row->status == BULK_STATUS_WAITING && row->earlier == BULK_ROW_DONE;
    }
    return n;
}

/* ---- the report ---------------------------------------------------------------------------- */

/* "…/bulk/invite-users-acme-1f2e….jsonl" → "…/bulk/invite-users-acme-1f2e…-RUN.csv":
 * a new file per run, so a report holding passwords is never overwritten. */
static char *report_path_for(const struct bulk_task *task)
{
    const char *path = task->journal_path;
    size_t stem = g_str_has_suffix(path, ".jsonl") ? strlen(path) - 6 : strlen(path);
    return g_strdup_printf("%.*s-%s.csv", (int)stem, path, task->run_id);
}

/* Final: the journal is told the report exists, so the passwords in it
 * count as shown (an interrupted run's are replaced by the next run). */
static bool write_report(struct bulk_task *task, bool final, char **why)
{
    GError *error = NULL;
    bool ok = bulk_report_write(task->plan, task->report_path, BULK_REPORT_CSV, &error) &&
              (!final ||
               bulk_journal_mark_report(task->journal, task->run_id, task->report_path, &error));
    if (!ok) {
        *why = g_strdup_printf("cannot write the report %s: %s", task->report_path, error->message);
        g_error_free(error);
    }
    return ok;
}

/* ---- the run ------------------------------------------------------------------------------- */

/* The report could not be written before the first request: nothing is sent. */
static void end_unsent(struct bulk_task *task, char *why)
{
    task->summary = g_strdup_printf("%s: nothing was sent", why);
    g_free(why);
    g_clear_pointer(&task->report_path, g_free);
    task->failed = true;
    task->state = BULK_TASK_ENDED;
}

void bulk_task_start(struct bulk_task *task)
{
    struct browser_connection *c = browser_connection_at(task->browser, (size_t)task->connection);
    struct bulk_events events = {.progress = on_progress, .user = task};
    task->run_id = bulk_journal_new_run_id();
    task->report_path = report_path_for(task);
    char *why = NULL;
    if (!write_report(task, false, &why)) {
        end_unsent(task, why);
        return;
    }
    task->runner = bulk_runner_new(task->plan, c->session, task->journal, task->run_id, 0, &events);
    bulk_runner_get_progress(task->runner, &task->progress);
    task->state = BULK_TASK_RUNNING;
    browser_set_message(task->browser, false, "%s: sending the rows of %s…",
                        bulk_plan_operation(task->plan), task->csv_path);
    bulk_runner_pump(task->runner);
    bulk_runner_get_progress(task->runner, &task->progress);
}

/* ---- the end ----------------------------------------------------------------------------- */

static void audit_run(struct bulk_task *task, size_t succeeded, size_t failed)
{
    GError *error = NULL;
    if (!bulk_audit(task->plan, task->connection_name, task->portal_id, task->csv_path, succeeded,
                    failed, &error)) {
        browser_set_message(task->browser, true, "could not write the audit log: %s",
                            error->message);
        g_error_free(error);
    }
}

static void finish(struct bulk_task *task, bool reload)
{
    size_t done = bulk_task_count(task, BULK_STATUS_DONE);
    size_t earlier = bulk_task_count(task, BULK_STATUS_EARLIER);
    size_t failed = bulk_task_count(task, BULK_STATUS_FAILED);
    size_t not_sent = bulk_task_count(task, BULK_STATUS_NOT_SENT);
    char *why = NULL;
    bool reported = write_report(task, true, &why);
    if (!reported) {
        browser_set_message(task->browser, true, "%s", why);
        g_free(why);
    }
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
    /* The people invited, created or removed show in the users list open. */
    struct browser *b = task->browser;
    if (reload && b->current == task->connection && g_strcmp0(b->users.owner, task->portal_id) == 0)
        browser_refresh(b, BROWSER_USERS);
}

bool bulk_task_pump(struct bulk_task *task)
{
    if (task->state != BULK_TASK_RUNNING)
        return false;
    bulk_runner_pump(task->runner);
    bulk_runner_get_progress(task->runner, &task->progress); /* jobs in flight too */
    if (bulk_runner_finished(task->runner)) {
        finish(task, true);
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

void bulk_task_end_now(struct bulk_task *task)
{
    if (task->state != BULK_TASK_RUNNING)
        return;
    drain(task);
    finish(task, false); /* the console is closing: nothing to reload */
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
