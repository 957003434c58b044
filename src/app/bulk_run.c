/*
 * bulk runner: drives vendor jobs over the plan's rows (see bulk.h).
 *
 * Rows wait in two queues: fresh rows in file order, and rows to try again,
 * ordered by when they may go. A job takes up to the vendor's batch size of
 * rows of the same step. Before a row is first sent its "pending" event is
 * in the journal and synced (written ahead for a window of rows, so a sync
 * is not paid per row); its outcome is journaled when its job ends.
 *
 * How failures are settled, per row:
 *  - a refusal of the whole operation (credentials, permission, unknown
 *    portal) stops the run: nothing new is sent;
 *  - a failure that cannot have taken effect (429, 5xx, connection refused,
 *    and every failure where re-sending cannot duplicate) is tried again
 *    after a backoff, at most MAX_ATTEMPTS times in a run;
 *  - a create that may have taken effect is looked up before anything is
 *    sent again (BULK_STEP_RECHECK); found with the row's e-mail, it is done;
 *  - a row the vendor refused itself (a field of it, its state: "permanent"
 *    in the adapter's answer, or a field error naming one of its fields) is
 *    not tried again, in this run or the next while it is unchanged; every
 *    other failure is transient and tried again.
 *
 * Pacing (AIMD): a 429 or 503 halves the number of jobs in flight (once per
 * burst of pushback) and, when the vendor said how long with Retry-After,
 * pauses new starts exactly that long (a 429 without one: a second). A
 * Retry-After beyond RETRY_AFTER_MAX_MS stops the run with a message saying
 * when to run it again: the journal keeps its place. After pushback, each
 * job that was started after it and succeeds adds 1/limit back (one more in
 * flight per round of successes), up to the limit asked for.
 *
 * Never: sleep (timers are the caller's poll timeout), print, or journal a
 * secret.
 */
#include "bulk_internal.h"

#include <portalctl/secrets.h>
#include <portalctl/text.h>

#include <errno.h>
#include <string.h>

#define MAX_ATTEMPTS      8
#define RETRY_BASE_US     (250 * 1000)
#define RETRY_CAP_US      (8 * 1000 * 1000)
#define PUSHBACK_PAUSE_US (1000 * 1000) /* a 429 without Retry-After */
#define PUSHBACK_QUIET_US (500 * 1000)  /* one halving per burst of pushback */
/* The longest Retry-After a run waits for; a vendor asking for more is told
 * "later" by stopping (resumable), not by sitting idle for hours. */
#define RETRY_AFTER_MAX_MS  (5L * 60 * 1000)
#define PENDING_WINDOW_ROWS 64 /* "pending" events written ahead per sync */

struct job_context {
    struct bulk_runner *runner;
    enum bulk_step step;
    bool listing; /* the removal's list of members */
    gint64 started_us;
    GPtrArray *rows;
    struct record_list listed;
};

struct bulk_runner {
    struct bulk_plan *plan;
    struct session *session;
    struct bulk_journal *journal;
    char *run_id;
    struct bulk_events events;
    GQueue fresh; /* struct bulk_row *: never sent in this run, file order */
    GQueue later; /* struct bulk_row *: to try again, by not_before_us */
    unsigned max_limit;
    double limit;
    unsigned in_flight;
    gint64 pause_until_us;
    gint64 paused_us; /* total of the pauses the vendor asked for */
    gint64 last_pushback_us;
    unsigned pushbacks;
    unsigned peak_in_flight;
    gint64 started_us;
    gint64 ended_us;
    bool listing; /* the removal's member list is being fetched */
    bool listed;  /* it has been (or is not needed) */
    bool stopping;
    bool finished;
    struct api_error fatal;
    struct bulk_progress progress;
};

/* ---- small helpers -------------------------------------------------------------------- */

static gint64 now_us(void)
{
    return g_get_monotonic_time();
}

static void set_text(char **slot, const char *value)
{
    char *copy = value ? text_sanitize(value) : NULL;
    g_free(*slot);
    *slot = copy;
}

/* "already a member" → "already-a-member": outcomes are single words. */
static char *outcome_word(const char *status)
{
    char *word = g_ascii_strdown(status, -1);
    g_strdelimit(word, " _", '-');
    return word;
}

static void report_progress(struct bulk_runner *r)
{
    struct bulk_progress *p = &r->progress;
    p->in_flight = r->in_flight;
    p->limit = (unsigned)r->limit;
    p->peak_in_flight = r->peak_in_flight;
    p->pushbacks = r->pushbacks;
    p->paused_ms = (double)r->paused_us / 1000.0;
    double seconds = r->started_us ? (double)(now_us() - r->started_us) / 1e6 : 0;
    p->rate = seconds > 0 ? (double)p->finished / seconds : 0;
    p->eta_seconds = p->rate > 0 ? (double)(p->total - p->finished) / p->rate : -1;
    if (r->events.progress)
        r->events.progress(p, r->events.user);
}

static void stop_fatally(struct bulk_runner *r, const struct api_error *why)
{
    if (r->fatal.kind == API_OK)
        api_error_copy(&r->fatal, why);
    r->stopping = true;
}

/* ---- the journal ------------------------------------------------------------------------ */

static void journal_row(struct bulk_runner *r, struct bulk_row *row, enum bulk_row_state state,
                        bool secret)
{
    bool permanent = state == BULK_ROW_FAILED && row->permanent;
    char *content = permanent ? bulk_row_content_digest(row) : NULL;
    struct bulk_journal_entry entry = {
        .key = row->key,
        .line = row->line,
        .state = state,
        .outcome = state == BULK_ROW_DONE ? row->outcome : NULL,
        .vendor_id = row->vendor_id,
        .error = state == BULK_ROW_DONE ? NULL : row->error,
        .run = r->run_id,
        .secret = secret,
        .permanent = permanent,
        .content = content,
    };
    GError *error = NULL;
    bool ok = bulk_journal_append(r->journal, &entry, &error);
    g_free(content);
    if (!ok) {
        struct api_error why;
        api_error_init(&why);
        api_error_set(&why, API_INVALID_INPUT, 0, NULL,
                      "%s: the journal cannot be written, so the run stopped (nothing more is "
                      "sent)",
                      error->message);
        stop_fatally(r, &why);
        api_error_clear(&why);
        g_clear_error(&error);
    }
}

/* Writes "pending" for the rows about to be sent and the next fresh ones, then
 * syncs: after this, a kill leaves every row that may be sent marked. Where
 * sending a row again is harmless (invitations), a pending row is treated by
 * the next run exactly like one never sent, so nothing is written at all. */
static bool journal_pending(struct bulk_runner *r, GPtrArray *rows)
{
    if (r->plan->profile->resend_is_safe)
        return r->fatal.kind == API_OK;
    bool wrote = false;
    for (guint i = 0; i < rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(rows, i);
        if (row->touched)
            continue;
        row->touched = true;
        journal_row(r, row, BULK_ROW_PENDING, false);
        wrote = true;
    }
    /* Rows ahead too, enough for two rounds of starts: one sync covers them;
     * a remainder of less than half a window is taken along, not left for a
     * sync of its own in the middle of the run. */
    unsigned window =
        MAX(PENDING_WINDOW_ROWS, 2 * r->max_limit * (unsigned)r->plan->profile->rows_per_job);
    if (r->fresh.length <= window + window / 2)
        window = r->fresh.length;
    unsigned ahead = 0;
    for (GList *l = r->fresh.head; wrote && l && ahead < window; l = l->next) {
        struct bulk_row *row = l->data;
        if (row->touched || row->step != BULK_STEP_MAIN)
            continue;
        row->touched = true;
        journal_row(r, row, BULK_ROW_PENDING, false);
        ahead++;
    }
    GError *error = NULL;
    if (wrote && !bulk_journal_sync(r->journal, &error)) {
        struct api_error why;
        api_error_init(&why);
        api_error_set(&why, API_INVALID_INPUT, 0, NULL, "%s: the run stopped", error->message);
        stop_fatally(r, &why);
        api_error_clear(&why);
        g_clear_error(&error);
    }
    return r->fatal.kind == API_OK;
}

/* ---- row outcomes -------------------------------------------------------------------------- */

static void row_done(struct bulk_runner *r, struct bulk_row *row, const char *outcome,
                     const char *vendor_id, bool secret)
{
    if (outcome)
        set_text(&row->outcome, outcome);
    if (vendor_id)
        set_text(&row->vendor_id, vendor_id);
    set_text(&row->error, NULL);
    row->status = BULK_STATUS_DONE;
    r->progress.finished++;
    r->progress.succeeded++;
    journal_row(r, row, BULK_ROW_DONE, secret);
}

/* permanent: the vendor refused the row itself; it is not sent again unchanged. */
static void row_failed(struct bulk_runner *r, struct bulk_row *row, const char *message,
                       bool may_have_happened, bool permanent)
{
    row->permanent = permanent && !may_have_happened;
    set_text(&row->error, message ? message : "failed");
    set_text(&row->outcome, row->permanent ? "refused" : "failed");
    row->status = BULK_STATUS_FAILED;
    r->progress.finished++;
    r->progress.failed++;
    journal_row(r, row, may_have_happened ? BULK_ROW_AMBIGUOUS : BULK_ROW_FAILED, false);
}

static gint by_time(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    const struct bulk_row *x = a, *y = b;
    return (x->not_before_us > y->not_before_us) - (x->not_before_us < y->not_before_us);
}

/* Tries the row again after a backoff (full jitter), or fails it for good. */
static void row_retry(struct bulk_runner *r, struct bulk_row *row, enum bulk_step step,
                      const char *message, bool may_have_happened)
{
    set_text(&row->error, message);
    if (row->attempts >= MAX_ATTEMPTS || r->stopping) {
        char *final =
            g_strdup_printf("%s (after %u attempts)", message ? message : "failed", row->attempts);
        row_failed(r, row, final, may_have_happened, false);
        g_free(final);
        return;
    }
    gint64 ceiling = MIN((gint64)RETRY_CAP_US, (gint64)RETRY_BASE_US << MIN(row->attempts, 10u));
    row->step = step;
    row->status = BULK_STATUS_WAITING;
    row->not_before_us = now_us() + ceiling / 2 + g_random_int_range(0, (gint32)(ceiling / 2) + 1);
    g_queue_insert_sorted(&r->later, row, by_time, NULL);
}

/* ---- pushback ----------------------------------------------------------------------------------
 */

/* The vendor asks for a pause longer than a run waits: stop, saying when to go on. */
static void stop_for_retry_after(struct bulk_runner *r, const struct api_error *error)
{
    GDateTime *now = g_date_time_new_now_local();
    GDateTime *then = g_date_time_add_seconds(now, (gdouble)error->retry_after_ms / 1000.0);
    char *when = g_date_time_format(then, "%Y-%m-%d %H:%M:%S");
    struct api_error why; /* without the rows' field errors: one line says it all */
    api_error_init(&why);
    api_error_set(&why, API_NETWORK, error->http_status, error->code,
                  "%s answered HTTP %ld and asks to wait %ld s before anything more is sent "
                  "(Retry-After), longer than a run waits (%ld s): the run stopped; run the same "
                  "command again after %s to go on where it stopped",
                  r->plan->vendor->title, error->http_status, error->retry_after_ms / 1000,
                  RETRY_AFTER_MAX_MS / 1000, when ? when : "that");
    why.retry_after_ms = error->retry_after_ms;
    stop_fatally(r, &why);
    api_error_clear(&why);
    g_free(when);
    g_date_time_unref(then);
    g_date_time_unref(now);
}

/* Holds new starts until until_us, counting the time the pause adds. */
static void pause_until(struct bulk_runner *r, gint64 now, gint64 until_us)
{
    if (until_us <= r->pause_until_us)
        return;
    r->paused_us += until_us - MAX(r->pause_until_us, now);
    r->pause_until_us = until_us;
}

/* Multiplicative decrease, and the pause the vendor asked for. */
static void pushback(struct bulk_runner *r, const struct api_error *error)
{
    gint64 now = now_us();
    bool rate_limited = error->http_status == 429;
    r->pushbacks++;
    if (now - r->last_pushback_us > PUSHBACK_QUIET_US) {
        r->limit = MAX(1.0, r->limit / 2);
        r->last_pushback_us = now;
    }
    if (error->retry_after_ms > RETRY_AFTER_MAX_MS) {
        stop_for_retry_after(r, error);
        return;
    }
    if (error->retry_after_ms > 0)
        pause_until(r, now, now + (gint64)error->retry_after_ms * 1000);
    else if (rate_limited)
        pause_until(r, now, now + PUSHBACK_PAUSE_US);
}

/* Additive increase: one more job in flight per round of successes, counting
 * only jobs started after the last pushback (the ones before it ran in the
 * congestion it reported). */
static void went_well(struct bulk_runner *r, const struct job_context *ctx)
{
    if (ctx->started_us < r->last_pushback_us)
        return;
    r->limit = MIN((double)r->max_limit, r->limit + 1.0 / MAX(r->limit, 1.0));
}

static bool is_fatal(const struct bulk_runner *r, const struct api_error *error)
{
    if (error->kind == API_AUTH || error->kind == API_TLS || error->kind == API_UNSUPPORTED)
        return true;
    if (error->http_status == 401)
        return true;
    /* ECGrid's 403 is about one row (a level above the caller's, a mailbox
     * it does not manage); elsewhere it refuses the whole operation. */
    if (error->http_status == 403)
        return r->plan->profile->vendor != CONFIG_VENDOR_ECGRID;
    /* A batch refused as a whole with 404: the portal itself is unknown. */
    return r->plan->profile->rows_per_job > 1 && error->http_status == 404;
}

static bool is_transient(const struct api_error *error)
{
    return error->kind == API_NETWORK || error->kind == API_BAD_RESPONSE;
}

/* A one-row request the vendor refused for what the row says, so that
 * sending it again as it is would fail again (not pushback, not a failure
 * that may hide a success). */
static bool refused_for_good(const struct api_error *error)
{
    bool pushback = error->http_status == 429 || error->http_status >= 500;
    return (error->kind == API_REFUSED || error->kind == API_INVALID_INPUT) && !pushback &&
           !error->ambiguous;
}

/* ---- mapping a job's answer onto its rows
 * -------------------------------------------------------- */

struct row_result {
    bool have;
    bool ok;
    bool permanent; /* failed: the vendor refused this row itself */
    char *outcome;  /* g_malloc'd */
    const char *id;
    char *message; /* g_malloc'd */
};

static const char *record_extra(const struct record_list *list, const struct record *record,
                                const char *key)
{
    const struct record_extra *extras = record_extras(list, record);
    for (uint32_t i = 0; i < record->extra_count; i++) {
        if (strcmp(extras[i].key, key) == 0)
            return extras[i].value;
    }
    return NULL;
}

/* Which of the job's rows a record is about: its "row" (1-based) when the
 * adapter says, else the first unanswered row with its e-mail. */
static int record_row(const struct job_context *ctx, const struct record_list *list,
                      const struct record *record, const struct row_result *results)
{
    guint n = ctx->rows->len;
    const char *number = record_extra(list, record, "row");
    if (number) {
        long index = strtol(number, NULL, 10) - 1;
        return index >= 0 && index < (long)n ? (int)index : -1;
    }
    if (n == 1)
        return 0;
    const char *email = record_get(record, RECORD_EMAIL);
    for (guint i = 0; email && i < n; i++) {
        const struct bulk_row *row = g_ptr_array_index(ctx->rows, i);
        if (!results[i].have && g_ascii_strcasecmp(row->identity, email) == 0)
            return (int)i;
    }
    return -1;
}

static void take_records(const struct job_context *ctx, const struct record_list *result,
                         struct row_result *results)
{
    const struct bulk_profile *profile = ctx->runner->plan->profile;
    for (size_t k = 0; k < result->count; k++) {
        const struct record *record = &result->items[k];
        int i = record_row(ctx, result, record, results);
        if (i < 0 || results[i].have)
            continue;
        const char *status = record_get(record, RECORD_STATUS);
        results[i].have = true;
        results[i].id = record_get(record, RECORD_ID);
        if (status && strcmp(status, "failed") == 0) {
            const char *detail = record_extra(result, record, "detail");
            results[i].message = g_strdup(detail ? detail : "the vendor refused this row");
            results[i].permanent =
                g_strcmp0(record_extra(result, record, "failure"), "permanent") == 0;
        } else {
            results[i].ok = true;
            bool vendor_words = profile->action == BULK_INVITE && status;
            results[i].outcome = outcome_word(vendor_words ? status : profile->done_outcome);
        }
    }
}

static void take_field_errors(const struct job_context *ctx, const struct api_error *error,
                              struct row_result *results)
{
    guint n = ctx->rows->len;
    for (guint k = 0; error->fields && k < error->fields->len; k++) {
        const struct api_field_error *fe = g_ptr_array_index(error->fields, k);
        int i = fe->row >= 0 ? fe->row : (n == 1 ? 0 : -1);
        if (i < 0 || i >= (int)n || (results[i].have && results[i].ok) || results[i].message)
            continue;
        results[i].have = true;
        results[i].ok = false;
        results[i].permanent = fe->field != NULL; /* the vendor refused a field of the row */
        results[i].message =
            fe->field ? g_strdup_printf("%s: %s", fe->field, fe->message) : g_strdup(fe->message);
    }
}

static struct row_result *map_results(const struct job_context *ctx, const struct api_error *error,
                                      const struct record_list *result)
{
    guint n = ctx->rows->len;
    struct row_result *results = g_new0(struct row_result, n);
    take_records(ctx, result, results);
    take_field_errors(ctx, error, results);
    /* A single row's job that failed says why; one that succeeded without a
     * record succeeded only where no record is due (ECGrid's terminate
     * answers just "true"). Otherwise the row has no outcome. */
    bool no_record_due = ctx->runner->plan->action == BULK_REMOVE;
    if (n == 1 && !results[0].have && (error->kind != API_OK || no_record_due)) {
        results[0].have = true;
        results[0].ok = error->kind == API_OK;
        if (results[0].ok)
            results[0].outcome = outcome_word(ctx->runner->plan->profile->done_outcome);
        else
            results[0].message = g_strdup(error->message ? error->message : "failed");
    }
    if (n == 1 && !results[0].ok && error->kind != API_OK && error->message) {
        /* A single row's own error says more than its field error alone. */
        g_free(results[0].message);
        results[0].message = g_strdup(error->message);
        results[0].permanent = refused_for_good(error);
    }
    return results;
}

static void free_results(struct row_result *results, guint n)
{
    for (guint i = 0; i < n; i++) {
        g_free(results[i].outcome);
        g_free(results[i].message);
    }
    g_free(results);
}

/* ---- settling the rows of a finished job
 * ------------------------------------------------------------ */

/* A create's password is known when no earlier run may have made the user. */
static bool password_known(const struct bulk_row *row)
{
    return row->earlier != BULK_ROW_PENDING && row->earlier != BULK_ROW_AMBIGUOUS;
}

static void settle_create_failure(struct bulk_runner *r, struct bulk_row *row,
                                  const struct api_error *error, const char *message)
{
    if (error->ambiguous)
        row_retry(r, row, BULK_STEP_RECHECK, message, true);
    else if (is_transient(error) || !refused_for_good(error))
        row_retry(r, row, BULK_STEP_MAIN, message, false);
    else if (row->touched && g_strcmp0(error->code, "DuplicateObject") == 0 &&
             row->earlier != BULK_ROW_NONE)
        row_retry(r, row, BULK_STEP_RECHECK, message, true); /* ours, from an earlier run? */
    else
        row_failed(r, row, message, false, true);
}

static void settle_main(struct bulk_runner *r, struct job_context *ctx,
                        const struct api_error *error, const struct row_result *results)
{
    const struct bulk_profile *profile = r->plan->profile;
    for (guint i = 0; i < ctx->rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(ctx->rows, i);
        const struct row_result *got = &results[i];
        if (got->have && got->ok) {
            bool secret = profile->action == BULK_CREATE && row->password;
            row_done(r, row, got->outcome, got->id, secret);
        } else if (r->fatal.kind != API_OK) {
            row_failed(r, row, got->message ? got->message : r->fatal.message, error->ambiguous,
                       false);
        } else if (profile->action == BULK_CREATE) {
            settle_create_failure(r, row, error, got->message);
        } else if (profile->action == BULK_REMOVE && error->http_status == 404 && row->touched &&
                   row->attempts > 1) {
            row_done(r, row, "removed", row->vendor_id, false); /* our earlier try did it */
        } else if (!got->have || !got->permanent) {
            row_retry(r, row, BULK_STEP_MAIN,
                      got->message ? got->message
                                   : "the vendor's answer said nothing about this row",
                      false);
        } else {
            row_failed(r, row, got->message, false, true);
        }
    }
}

/* The look-up of a create that may have happened (ECGrid: by login). */
static void settle_recheck(struct bulk_runner *r, struct bulk_row *row,
                           const struct api_error *error, const struct record_list *result)
{
    if (error->kind == API_OK && result->count > 0) {
        const struct record *user = &result->items[0];
        const char *email = record_get(user, RECORD_EMAIL);
        const char *wanted = form_values_get(row->values, "email");
        if (!email || !wanted || g_ascii_strcasecmp(email, wanted) != 0) {
            row_failed(r, row,
                       "the login is taken by a user with another e-mail address: not created "
                       "by this import",
                       false, true);
        } else if (password_known(row)) {
            row_done(r, row, "created", record_get(user, RECORD_ID), true);
        } else {
            /* Made by an interrupted run whose password nobody saw: give it a new one. */
            set_text(&row->vendor_id, record_get(user, RECORD_ID));
            set_text(&row->outcome, "created");
            row->step = BULK_STEP_PASSWORD;
            row->status = BULK_STATUS_WAITING;
            row->not_before_us = 0;
            g_queue_push_head(&r->fresh, row);
        }
    } else if (error->kind == API_REFUSED && error->http_status == 404) {
        row->step = BULK_STEP_MAIN; /* not there: safe to create */
        row->status = BULK_STATUS_WAITING;
        g_queue_push_head(&r->fresh, row);
    } else {
        row_retry(r, row, BULK_STEP_RECHECK, error->message, true);
    }
}

static void settle_password(struct bulk_runner *r, struct bulk_row *row,
                            const struct api_error *error)
{
    if (error->kind == API_OK) {
        row_done(r, row, row->outcome ? row->outcome : "created", row->vendor_id, true);
        return;
    }
    char *message = g_strdup_printf("the user exists (id %s) but its new password could not be "
                                    "set: %s",
                                    row->vendor_id, error->message);
    if (is_transient(error))
        row_retry(r, row, BULK_STEP_PASSWORD, message, false);
    else
        row_failed(r, row, message, false, false);
    g_free(message);
}

/* ---- removal: the list of members
 * ----------------------------------------------------------------- */

static void settle_unlisted(struct bulk_runner *r, struct bulk_row *row)
{
    if (row->touched) /* an earlier run sent it: gone now, so it was done */
        row_done(r, row, "removed", row->vendor_id, false);
    else
        row_failed(r, row, "not a member of this portal: nothing to remove", false, false);
}

/* Gives each row the id of its member, or settles it when it has none. */
static void resolve_members(struct bulk_runner *r, const struct record_list *members)
{
    bool ecgrid = r->plan->profile->vendor == CONFIG_VENDOR_ECGRID;
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (size_t i = 0; i < members->count; i++) {
        const struct record *m = &members->items[i];
        const char *id = record_get(m, RECORD_ID);
        const char *name = record_get(m, ecgrid ? RECORD_NAME : RECORD_EMAIL);
        if (!id || (ecgrid && g_strcmp0(record_get(m, RECORD_STATUS), "Terminated") == 0))
            continue; /* a terminated ECGrid user is not a member any more */
        g_hash_table_insert(ids, (char *)id, (char *)id);
        if (name)
            g_hash_table_insert(names, ecgrid ? g_strdup(name) : g_ascii_strdown(name, -1),
                                (char *)id);
    }
    GQueue keep = G_QUEUE_INIT;
    struct bulk_row *row;
    while ((row = g_queue_pop_head(&r->fresh))) {
        const char *given = form_values_get(row->values, r->plan->profile->id_field);
        const char *id =
            given ? g_hash_table_lookup(ids, given) : g_hash_table_lookup(names, row->identity);
        if (id) {
            set_text(&row->vendor_id, id);
            g_queue_push_tail(&keep, row);
        } else {
            settle_unlisted(r, row);
        }
    }
    r->fresh = keep;
    g_hash_table_unref(names);
    g_hash_table_unref(ids);
}

/* ---- jobs
 * ------------------------------------------------------------------------------------------ */

static void free_context(struct job_context *ctx)
{
    if (ctx->rows)
        g_ptr_array_unref(ctx->rows);
    record_list_clear(&ctx->listed);
    g_free(ctx);
}

static void on_page(struct vendor_job *job, struct record_list *records, void *user)
{
    (void)job;
    struct job_context *ctx = user;
    record_list_move_all(&ctx->listed, records);
}

static void settle_listing(struct bulk_runner *r, const struct api_error *error,
                           struct job_context *ctx)
{
    r->listing = false;
    r->listed = true;
    if (error->kind != API_OK) {
        struct api_error why;
        api_error_init(&why);
        api_error_copy(&why, error);
        g_free(why.message);
        why.message = g_strdup_printf("could not list the members to remove: %s",
                                      error->message ? error->message : "failed");
        stop_fatally(r, &why);
        api_error_clear(&why);
        return;
    }
    resolve_members(r, &ctx->listed);
}

static void on_done(struct vendor_job *job, const struct api_error *error,
                    struct record_list *result, void *user)
{
    (void)job;
    struct job_context *ctx = user;
    struct bulk_runner *r = ctx->runner;
    r->in_flight--;
    record_list_move_all(&ctx->listed, result);
    if (is_fatal(r, error))
        stop_fatally(r, error);
    if (error->http_status == 429 || error->http_status == 503 ||
        (ctx->rows && ctx->rows->len > 1 && error->kind == API_NETWORK))
        pushback(r, error);
    else if (error->kind == API_OK)
        went_well(r, ctx);
    if (ctx->listing) {
        settle_listing(r, error, ctx);
    } else if (ctx->step == BULK_STEP_MAIN) {
        struct row_result *results = map_results(ctx, error, &ctx->listed);
        settle_main(r, ctx, error, results);
        free_results(results, ctx->rows->len);
    } else {
        struct bulk_row *row = g_ptr_array_index(ctx->rows, 0);
        if (ctx->step == BULK_STEP_RECHECK)
            settle_recheck(r, row, error, &ctx->listed);
        else
            settle_password(r, row, error);
    }
    free_context(ctx);
    report_progress(r);
}

static void start(struct bulk_runner *r, struct job_context *ctx,
                  const struct vendor_request *request)
{
    struct vendor_job_events events = {.page = on_page, .done = on_done, .user = ctx};
    r->in_flight++;
    r->peak_in_flight = MAX(r->peak_in_flight, r->in_flight);
    ctx->started_us = now_us();
    if (!r->started_us)
        r->started_us = now_us();
    vendor_job_start(r->session, request, &events); /* done() may run at once */
}

static void start_listing(struct bulk_runner *r)
{
    struct job_context *ctx = g_new0(struct job_context, 1);
    ctx->runner = r;
    ctx->listing = true;
    record_list_init(&ctx->listed);
    r->listing = true;
    struct vendor_request request = {.op = VOP_LIST_USERS, .portal_id = r->plan->portal_id};
    start(r, ctx, &request);
}

/* One row's password step: a new generated password, set with set-password. */
static void start_password(struct bulk_runner *r, struct job_context *ctx)
{
    struct bulk_row *row = g_ptr_array_index(ctx->rows, 0);
    secret_value_free(row->password);
    row->password = bulk_generate_password();
    if (!row->password) {
        r->in_flight++; /* settled like a job that failed at once */
        struct api_error why;
        api_error_init(&why);
        api_error_set(&why, API_INVALID_INPUT, 0, NULL, "the system's random source failed");
        on_done(NULL, &why, &ctx->listed, ctx);
        api_error_clear(&why);
        return;
    }
    struct form_values *values = form_values_new();
    form_values_set(values, "userId", row->vendor_id);
    form_values_set(values, "newPassword", row->password);
    struct form_values *rows[] = {values};
    struct vendor_request request = {
        .op = VOP_SET_PASSWORD, .target_id = row->vendor_id, .rows = rows, .row_count = 1};
    start(r, ctx, &request);
    form_values_free(values);
}

static void start_job(struct bulk_runner *r, enum bulk_step step, GPtrArray *rows)
{
    struct job_context *ctx = g_new0(struct job_context, 1);
    ctx->runner = r;
    ctx->step = step;
    ctx->rows = rows;
    record_list_init(&ctx->listed);
    for (guint i = 0; i < rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(rows, i);
        row->status = BULK_STATUS_RUNNING;
        row->attempts++;
    }
    struct bulk_row *first = g_ptr_array_index(rows, 0);
    if (step == BULK_STEP_PASSWORD) {
        start_password(r, ctx);
        return;
    }
    if (step == BULK_STEP_RECHECK) {
        struct vendor_request request = {.op = VOP_GET_USER, .target_id = first->identity};
        start(r, ctx, &request);
        return;
    }
    /* The job copies what it is given: only a create's values (plus its
     * generated password) need a copy of their own here. */
    bool own_copies = r->plan->action == BULK_CREATE;
    struct form_values **values = g_new0(struct form_values *, rows->len + 1);
    for (guint i = 0; i < rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(rows, i);
        values[i] = own_copies ? bulk_row_request_values(r->plan, row) : row->values;
    }
    bool remove = r->plan->action == BULK_REMOVE;
    struct vendor_request request = {
        .op = r->plan->profile->op,
        .portal_id = r->plan->portal_id,
        .target_id = remove ? first->vendor_id : NULL,
        .rows = remove ? NULL : values,
        .row_count = remove ? 0 : rows->len,
    };
    start(r, ctx, &request);
    for (guint i = 0; own_copies && i < rows->len; i++)
        form_values_free(values[i]);
    g_free(values);
}

/* ---- scheduling
 * ----------------------------------------------------------------------------------- */

/* The next row that may go now, or NULL. */
static struct bulk_row *next_due(struct bulk_runner *r, enum bulk_step *step, bool any_step)
{
    struct bulk_row *row = g_queue_peek_head(&r->later);
    if (row && row->not_before_us <= now_us() && (any_step || row->step == (int)*step)) {
        *step = (enum bulk_step)row->step;
        return g_queue_pop_head(&r->later);
    }
    row = g_queue_peek_head(&r->fresh);
    if (row && (any_step || row->step == (int)*step)) {
        *step = (enum bulk_step)row->step;
        return g_queue_pop_head(&r->fresh);
    }
    return NULL;
}

/* Up to a batch of due rows of one step; NULL when none is due. */
static GPtrArray *take_batch(struct bulk_runner *r, enum bulk_step *step)
{
    struct bulk_row *row = next_due(r, step, true);
    if (!row)
        return NULL;
    GPtrArray *rows = g_ptr_array_new();
    g_ptr_array_add(rows, row);
    size_t size = *step == BULK_STEP_MAIN ? r->plan->profile->rows_per_job : 1;
    while (rows->len < size && (row = next_due(r, step, false)))
        g_ptr_array_add(rows, row);
    return rows;
}

static void finish_if_idle(struct bulk_runner *r)
{
    bool queued = !g_queue_is_empty(&r->fresh) || !g_queue_is_empty(&r->later);
    if (r->finished || r->in_flight > 0 || r->listing || (queued && !r->stopping))
        return;
    struct bulk_row *row;
    while ((row = g_queue_pop_head(&r->fresh)) || (row = g_queue_pop_head(&r->later))) {
        row->status = BULK_STATUS_NOT_SENT;
        if (!row->error && r->fatal.kind != API_OK)
            set_text(&row->error, r->fatal.message);
    }
    /* The end of the sending is the last answer; the sync after it is the
     * journal's (the caller's wall time includes it). */
    r->ended_us = now_us();
    bulk_journal_sync(r->journal, NULL);
    r->finished = true;
    report_progress(r);
}

void bulk_runner_pump(struct bulk_runner *r)
{
    if (!r->listed && !r->listing && !r->stopping)
        start_listing(r);
    while (r->listed && !r->stopping && r->in_flight < (unsigned)r->limit &&
           now_us() >= r->pause_until_us) {
        enum bulk_step step = BULK_STEP_MAIN;
        GPtrArray *rows = take_batch(r, &step);
        if (!rows)
            break;
        if (step == BULK_STEP_MAIN && !journal_pending(r, rows)) {
            for (guint i = 0; i < rows->len; i++)
                g_queue_push_head(&r->fresh, g_ptr_array_index(rows, i));
            g_ptr_array_unref(rows);
            break;
        }
        start_job(r, step, rows);
    }
    GError *error = NULL;
    if (!bulk_journal_flush(r->journal, &error)) { /* this turn's outcomes, in one write */
        struct api_error why;
        api_error_init(&why);
        api_error_set(&why, API_INVALID_INPUT, 0, NULL, "%s: the run stopped", error->message);
        stop_fatally(r, &why);
        api_error_clear(&why);
        g_clear_error(&error);
    }
    finish_if_idle(r);
}

int bulk_runner_next_timeout_ms(const struct bulk_runner *r)
{
    if (r->finished || r->stopping || r->listing || r->in_flight >= (unsigned)r->limit)
        return -1; /* an answer will come first */
    gint64 due = -1;
    const struct bulk_row *row = r->later.head ? r->later.head->data : NULL;
    if (row)
        due = row->not_before_us;
    if (r->fresh.length > 0 || row)
        due = due < 0 ? r->pause_until_us : MAX(due, r->pause_until_us);
    if (due < 0)
        return -1;
    gint64 wait = due - now_us();
    return wait <= 0 ? 0 : (int)MIN(wait / 1000 + 1, (gint64)G_MAXINT);
}

/* ---- public
 * ------------------------------------------------------------------------------------------ */

/* The fewest jobs in flight that finish the jobs in as few rounds as limit
 * would: 10 batches with 8 allowed take two rounds either way, so 5 go at a
 * time, not 8 and then 2 (the same speed, and a gentler burst for the
 * vendor). */
static unsigned balanced_limit(unsigned limit, size_t jobs)
{
    if (jobs == 0 || limit == 0)
        return MAX(limit, 1u);
    size_t rounds = (jobs + limit - 1) / limit;
    return (unsigned)((jobs + rounds - 1) / rounds);
}

struct bulk_runner *bulk_runner_new(struct bulk_plan *plan, struct session *session,
                                    struct bulk_journal *journal, const char *run_id,
                                    unsigned concurrency, const struct bulk_events *events)
{
    struct bulk_runner *r = g_new0(struct bulk_runner, 1);
    r->plan = plan;
    r->session = session;
    r->journal = journal;
    r->run_id = g_strdup(run_id);
    if (events)
        r->events = *events;
    api_error_init(&r->fatal);
    g_queue_init(&r->fresh);
    g_queue_init(&r->later);
    for (guint i = 0; i < plan->rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        if (row->status != BULK_STATUS_WAITING)
            continue;
        g_queue_push_tail(&r->fresh, row);
        r->progress.total++;
    }
    size_t jobs =
        (r->progress.total + plan->profile->rows_per_job - 1) / plan->profile->rows_per_job;
    r->max_limit =
        balanced_limit(concurrency ? concurrency : plan->profile->default_concurrency, jobs);
    r->limit = r->max_limit;
    r->listed = !plan->profile->list_first || g_queue_is_empty(&r->fresh);
    return r;
}

void bulk_runner_free(struct bulk_runner *r)
{
    if (!r)
        return;
    g_queue_clear(&r->fresh);
    g_queue_clear(&r->later);
    api_error_clear(&r->fatal);
    g_free(r->run_id);
    g_free(r);
}

bool bulk_runner_finished(const struct bulk_runner *r)
{
    return r->finished;
}

void bulk_runner_stop(struct bulk_runner *r)
{
    r->stopping = true;
    finish_if_idle(r);
}

const struct api_error *bulk_runner_fatal(const struct bulk_runner *r)
{
    return r->fatal.kind == API_OK ? NULL : &r->fatal;
}

void bulk_runner_get_progress(const struct bulk_runner *r, struct bulk_progress *out)
{
    *out = r->progress;
    out->in_flight = r->in_flight;
    out->limit = (unsigned)r->limit;
}

double bulk_runner_elapsed_ms(const struct bulk_runner *r)
{
    if (!r->started_us)
        return 0;
    gint64 end = r->ended_us ? r->ended_us : now_us();
    return (double)(end - r->started_us) / 1000.0;
}

void bulk_runner_run(struct bulk_runner *r, volatile sig_atomic_t *stop)
{
    struct net_engine *net = session_net(r->session);
    bulk_runner_pump(r);
    while (!bulk_runner_finished(r)) {
        if (stop && *stop && !r->stopping)
            bulk_runner_stop(r);
        if (bulk_runner_finished(r))
            break;
        int timeout = bulk_runner_next_timeout_ms(r);
        if (net_engine_wait(net, NULL, 0, timeout) < 0 && errno != EINTR)
            break;
        net_engine_dispatch(net);
        bulk_runner_pump(r);
    }
}
