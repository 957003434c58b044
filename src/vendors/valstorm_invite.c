/*
 * Valstorm bulk invite (VOP_INVITE_USERS): rows of (email, first_name,
 * last_name) go to POST /v1/portal/{id}/users in batches of up to 100 (the
 * contract's limit), a few batches in flight at once. Owns the outcome of
 * every row and the rules that make a retried invite exactly-once:
 *
 *  - an invite is never re-sent blindly: after an unclear answer (reset,
 *    cut short, unreadable, 429 or 5xx, rows the answer did not mention)
 *    the portal's members are looked up, rows whose e-mail is now a member
 *    count as done, and only the others are sent again — once;
 *  - "Already a member of this portal" counts as done, so running the same
 *    invite again after a failure never makes a duplicate;
 *  - a 422 names rows: those rows fail with the vendor's words on the right
 *    field, and the batch's other rows (which Valstorm did not take either)
 *    are sent again once without them;
 *  - a 429 is Valstorm refusing the request before doing anything: its rows
 *    fail at once as worth trying again, no batch of this job is sent after
 *    it, and the job's error carries the 429 and its Retry-After, so that the
 *    caller (the bulk runner) pauses as long as Valstorm asked.
 *
 * Every failed row says whether it failed for good ("failure": "permanent":
 * Valstorm refused the row itself — a 422 on its fields, a "failed" entry
 * other than "already a member") or may succeed when sent again
 * ("transient": 429, 5xx, a lost answer, a batch refused because of other
 * rows, never sent). One record per row, in row order, whatever happened.
 * Never: sleep, print, or send a row after Valstorm refused the whole
 * operation (401, 403, 404).
 */
#include "valstorm_internal.h"

#include <portalctl/text.h>
#include <portalctl/vendor_fields.h>

#include <stdlib.h>
#include <string.h>

#define INVITE_BATCH_ROWS        100 /* PortalUserInviteRequest: 1 to 100 users */
#define INVITE_BATCHES_IN_FLIGHT 4   /* enough to keep a link busy, polite to the vendor */
#define INVITE_SENDS_PER_BATCH   2   /* the first send, and one re-send of what it left */

struct row_error {
    char *field; /* NULL: the row as a whole */
    char *message;
};

struct invite_row {
    struct valstorm_row_outcome outcome;
    GPtrArray *errors; /* struct row_error *, NULL until the row has one */
    bool unresolved;   /* may or may not have been invited: say so */
    bool permanent;    /* Valstorm refused the row itself: sending it again would not help */
};

struct invite;

struct invite_batch {
    struct invite *invite;
    unsigned number; /* 1-based, for progress lines */
    GArray *rows;    /* int: the rows the next (or current) request carries */
    unsigned sends;
    char *unclear; /* the last unclear answer, for messages */
};

struct invite {
    struct vendor_job *job;
    struct invite_row *rows;
    size_t row_count;
    GPtrArray *batches;   /* owns struct invite_batch * */
    GQueue waiting;       /* batches ready to send */
    unsigned active;      /* batches with a request in flight */
    size_t settled;       /* rows with a final outcome, for progress lines */
    bool stopped;         /* Valstorm refused the whole operation */
    bool slowed;          /* Valstorm answered 429: no further batch is sent */
    bool finished;        /* the result is built: the job ends */
    long pushback_status; /* 429 or 503 when Valstorm pushed back, else 0 */
    long retry_after_ms;  /* the longest Retry-After it sent with that, 0 none */
    struct api_error stop;
};

/* ---- state ------------------------------------------------------------------------ */

static void free_row_error(gpointer data)
{
    struct row_error *error = data;
    g_free(error->field);
    g_free(error->message);
    g_free(error);
}

static void free_batch(gpointer data)
{
    struct invite_batch *batch = data;
    g_array_unref(batch->rows);
    g_free(batch->unclear);
    g_free(batch);
}

static void free_invite(void *data)
{
    struct invite *invite = data;
    for (size_t i = 0; i < invite->row_count; i++) {
        valstorm_row_outcome_clear(&invite->rows[i].outcome);
        if (invite->rows[i].errors)
            g_ptr_array_unref(invite->rows[i].errors);
    }
    g_free(invite->rows);
    g_queue_clear(&invite->waiting);
    g_ptr_array_unref(invite->batches);
    api_error_clear(&invite->stop);
    g_free(invite);
}

static const char *row_email(const struct invite *invite, int row)
{
    const char *email = form_values_get(invite->job->request.rows[row], "email");
    return email ? email : "";
}

/* ---- outcomes ------------------------------------------------------------------------ */

static void settle(struct invite *invite, int row, enum valstorm_row_status status,
                   const char *detail)
{
    struct valstorm_row_outcome *outcome = &invite->rows[row].outcome;
    if (outcome->status == VALSTORM_ROW_UNKNOWN)
        invite->settled++;
    outcome->status = status;
    if (detail && !outcome->detail)
        outcome->detail = g_strdup(detail);
}

/* How a failed row may go on: sent again later, or never (the vendor refused it). */
enum row_failure {
    ROW_TRANSIENT,
    ROW_UNRESOLVED, /* transient, and it may or may not have been invited */
    ROW_PERMANENT,
};

static void fail_row(struct invite *invite, int row, const char *field, const char *message,
                     enum row_failure failure)
{
    struct invite_row *entry = &invite->rows[row];
    bool unresolved = failure == ROW_UNRESOLVED;
    if (entry->outcome.status == VALSTORM_ROW_UNKNOWN)
        entry->permanent = failure == ROW_PERMANENT;
    if (!entry->errors)
        entry->errors = g_ptr_array_new_with_free_func(free_row_error);
    struct row_error *error = g_new0(struct row_error, 1);
    error->field = g_strdup(field);
    error->message = g_strdup(message);
    g_ptr_array_add(entry->errors, error);
    entry->unresolved = entry->unresolved || unresolved;
    settle(invite, row, VALSTORM_ROW_FAILED, message);
}

static void fail_rows(struct invite *invite, const GArray *rows, const char *message,
                      enum row_failure failure)
{
    for (guint i = 0; i < rows->len; i++)
        fail_row(invite, g_array_index(rows, int, i), NULL, message, failure);
}

/* Valstorm refused the whole operation: nothing more is sent. */
static void stop_invite(struct invite *invite, const struct api_error *why)
{
    if (!invite->stopped)
        api_error_copy(&invite->stop, why);
    invite->stopped = true;
}

/* ---- sending ---------------------------------------------------------------------------- */

static void on_batch_reply(struct vendor_job *job, const struct net_response *res, void *data);
static void on_lookup_reply(struct vendor_job *job, const struct net_response *res, void *data);

static char *portal_url(struct invite *invite)
{
    const char *const ids[] = {invite->job->request.portal_id, NULL};
    return valstorm_job_url(invite->job, "/v1/portal/{}/users", ids);
}

static void send_batch(struct invite_batch *batch)
{
    struct invite *invite = batch->invite;
    char *url = portal_url(invite);
    if (!url) {
        stop_invite(invite, &invite->job->error);
        return;
    }
    char *body = valstorm_invite_body(invite->job->request.rows, (const int *)batch->rows->data,
                                      batch->rows->len);
    batch->sends++;
    invite->active++;
    /* An invite is never re-sent by the engine: see the look-up below. */
    struct vendor_call call = {.method = "POST", .url = url, .body = body, .idempotent = false};
    vendor_job_send(invite->job, &call, on_batch_reply, batch);
    g_free(body);
    free(url);
}

/* After an unclear answer: who of the batch is a member now? */
static void send_lookup(struct invite_batch *batch, const char *why)
{
    struct invite *invite = batch->invite;
    g_free(batch->unclear);
    batch->unclear = text_sanitize(why);
    vendor_job_progress(invite->job,
                        "batch %u: no clear answer from Valstorm (%s): checking which of its %u "
                        "people are members now",
                        batch->number, batch->unclear, batch->rows->len);
    char *url = portal_url(invite);
    if (!url) {
        stop_invite(invite, &invite->job->error);
        fail_rows(invite, batch->rows, invite->job->error.message, ROW_UNRESOLVED);
        return;
    }
    invite->active++;
    struct vendor_call call = {.method = "GET", .url = url, .idempotent = true};
    vendor_job_send(invite->job, &call, on_lookup_reply, batch);
    free(url);
}

/* Sends the rows the batch still carries again, when it may. */
static void resend_or_fail(struct invite_batch *batch, const char *why_failed)
{
    struct invite *invite = batch->invite;
    if (batch->rows->len == 0)
        return;
    if (batch->sends < INVITE_SENDS_PER_BATCH && !invite->stopped)
        g_queue_push_tail(&invite->waiting, batch);
    else
        fail_rows(invite, batch->rows, why_failed, ROW_TRANSIENT);
}

static void finish(struct invite *invite);

/* Starts what may start, or ends the job when nothing is left. */
static void pump(struct invite *invite)
{
    struct invite_batch *batch;
    while (!invite->stopped && !invite->slowed && invite->active < INVITE_BATCHES_IN_FLIGHT &&
           (batch = g_queue_pop_head(&invite->waiting)))
        send_batch(batch);
    if (invite->finished)
        return;
    if (invite->active == 0 &&
        (invite->stopped || invite->slowed || g_queue_is_empty(&invite->waiting)))
        finish(invite);
    else if (invite->settled > 0)
        vendor_job_progress(invite->job, "invite: %zu of %zu rows settled", invite->settled,
                            invite->row_count);
}

/* ---- answers ---------------------------------------------------------------------------- */

/* Keeps in batch->rows only the rows whose outcome is still unknown. */
static void keep_unsettled(struct invite_batch *batch)
{
    GArray *left = g_array_new(FALSE, FALSE, sizeof(int));
    for (guint i = 0; i < batch->rows->len; i++) {
        int row = g_array_index(batch->rows, int, i);
        if (batch->invite->rows[row].outcome.status == VALSTORM_ROW_UNKNOWN)
            g_array_append_val(left, row);
    }
    g_array_unref(batch->rows);
    batch->rows = left;
}

/* A 201: settles the rows the answer names; true when it could be read. */
static bool take_invite_answer(struct invite_batch *batch, const struct net_response *res)
{
    struct invite *invite = batch->invite;
    guint n = batch->rows->len;
    const char **emails = g_new0(const char *, n + 1);
    for (guint i = 0; i < n; i++)
        emails[i] = row_email(invite, g_array_index(batch->rows, int, i));
    struct valstorm_row_outcome *outcomes = g_new0(struct valstorm_row_outcome, n);
    struct api_error error;
    api_error_init(&error);
    bool ok = valstorm_parse_invite(res->body, res->body_len, emails, n, outcomes, &error);
    for (guint i = 0; ok && i < n; i++) {
        int row = g_array_index(batch->rows, int, i);
        struct valstorm_row_outcome *got = &outcomes[i];
        if (got->status == VALSTORM_ROW_FAILED) {
            fail_row(invite, row, NULL, got->detail, ROW_PERMANENT); /* "do not retry blindly" */
        } else if (got->status != VALSTORM_ROW_UNKNOWN) {
            settle(invite, row, got->status, got->detail);
            invite->rows[row].outcome.user = got->user;
            got->user = NULL;
        }
    }
    for (guint i = 0; i < n; i++)
        valstorm_row_outcome_clear(&outcomes[i]);
    g_free(outcomes);
    g_free(emails);
    api_error_clear(&error);
    return ok;
}

/* A 422: the rows it names fail on their fields; the others go again. */
static void take_refused_rows(struct invite_batch *batch, const struct net_response *res)
{
    struct invite *invite = batch->invite;
    struct valstorm_error_context context = valstorm_job_context(invite->job, "invite the users");
    context.row_map = (const int *)batch->rows->data;
    context.row_count = batch->rows->len;
    struct api_error error;
    api_error_init(&error);
    valstorm_read_error(res->status, res->body, res->body_len, &context, &error);
    bool whole_request = !error.fields || error.fields->len == 0;
    for (guint i = 0; error.fields && i < error.fields->len; i++) {
        const struct api_field_error *field = g_ptr_array_index(error.fields, i);
        if (field->row >= 0)
            fail_row(invite, field->row, field->field, field->message, ROW_PERMANENT);
        else
            whole_request = true;
    }
    if (whole_request) /* not about one row: the same request would fail again */
        fail_rows(invite, batch->rows, error.message, ROW_TRANSIENT);
    keep_unsettled(batch);
    resend_or_fail(batch, "not sent: Valstorm refused its batch because of other rows; try "
                          "again");
    api_error_clear(&error);
}

/* 401, 403, 404 and other refusals of the request as a whole. */
static void take_refusal(struct invite_batch *batch, const struct net_response *res)
{
    struct invite *invite = batch->invite;
    struct vendor_job *job = invite->job;
    struct valstorm_error_context context = valstorm_job_context(job, "invite the users");
    struct api_error saved;
    api_error_init(&saved);
    api_error_copy(&saved, &job->error);
    valstorm_job_refusal(job, res, &context);
    /* A refusal of the request, not of its rows: once the cause is fixed
     * (credentials, the portal id), the same rows may well go through. */
    fail_rows(invite, batch->rows, job->error.message, ROW_TRANSIENT);
    if (res->status == 401 || res->status == 403 || res->status == 404)
        stop_invite(invite, &job->error);
    api_error_copy(&job->error, &saved);
    api_error_clear(&saved);
}

static bool is_unclear_status(long status)
{
    return status >= 500 || status < 400;
}

static void note_pushback(struct invite *invite, const struct net_response *res)
{
    if (res->status != 429 && res->status != 503)
        return;
    invite->pushback_status = invite->pushback_status == 429 ? 429 : res->status;
    invite->retry_after_ms = MAX(invite->retry_after_ms, res->retry_after_ms);
}

/* 429: Valstorm took none of the batch. Its rows go back to the caller, to
 * be sent again after the pause Valstorm asked for; nothing more is sent. */
static void take_slow_down(struct invite_batch *batch, const struct net_response *res)
{
    struct invite *invite = batch->invite;
    invite->slowed = true;
    char *message = res->retry_after_ms >= 0
                        ? g_strdup_printf("not invited yet: Valstorm asked to slow down (HTTP 429, "
                                          "Retry-After %ld s)",
                                          res->retry_after_ms / 1000)
                        : g_strdup("not invited yet: Valstorm asked to slow down (HTTP 429)");
    fail_rows(invite, batch->rows, message, ROW_TRANSIENT);
    g_free(message);
}

static void on_batch_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)job;
    struct invite_batch *batch = data;
    struct invite *invite = batch->invite;
    invite->active--;
    if (res->error == NET_ERR_NONE)
        note_pushback(invite, res);
    if (res->error != NET_ERR_NONE) {
        if (valstorm_maybe_applied(res))
            send_lookup(batch, res->message);
        else
            fail_rows(invite, batch->rows, res->message, ROW_TRANSIENT);
    } else if (res->status == 429) {
        take_slow_down(batch, res);
    } else if (res->status == 201) {
        if (!take_invite_answer(batch, res)) {
            send_lookup(batch, "Valstorm answered 201 but the answer could not be read");
        } else {
            keep_unsettled(batch);
            if (batch->rows->len > 0)
                send_lookup(batch, "Valstorm's answer did not mention every row");
        }
    } else if (res->status == 422) {
        take_refused_rows(batch, res);
    } else if (is_unclear_status(res->status)) {
        char *why = g_strdup_printf("HTTP %ld", res->status);
        send_lookup(batch, why);
        g_free(why);
    } else {
        take_refusal(batch, res);
    }
    pump(invite);
}

static void settle_from_members(struct invite_batch *batch, GHashTable *members)
{
    struct invite *invite = batch->invite;
    for (guint i = 0; i < batch->rows->len; i++) {
        int row = g_array_index(batch->rows, int, i);
        char *key = g_strstrip(g_ascii_strdown(row_email(invite, row), -1));
        if (g_hash_table_contains(members, key))
            settle(invite, row, VALSTORM_ROW_ALREADY,
                   "a member now: Valstorm's answer was lost, a check of the portal's members "
                   "shows the person in it");
        g_free(key);
    }
    keep_unsettled(batch);
}

static void on_lookup_reply(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct invite_batch *batch = data;
    struct invite *invite = batch->invite;
    invite->active--;
    struct api_error error;
    api_error_init(&error);
    GHashTable *members = NULL;
    if (res->error != NET_ERR_NONE) {
        api_error_set(&error, API_NETWORK, 0, NULL, "%s", res->message);
    } else if (res->status != 200) {
        struct valstorm_error_context context =
            valstorm_job_context(job, "check the portal's members");
        valstorm_read_error(res->status, res->body, res->body_len, &context, &error);
        if (res->status == 401 || res->status == 403 || res->status == 404)
            stop_invite(invite, &error);
    } else {
        members = valstorm_parse_member_emails(res->body, res->body_len, &error);
    }
    if (members) {
        settle_from_members(batch, members);
        resend_or_fail(batch, "not invited: Valstorm gave no clear answer twice, and a check "
                              "shows the person is not a member; it is safe to try again");
        g_hash_table_unref(members);
    } else {
        char *message = g_strdup_printf("no clear answer from Valstorm (%s), and checking the "
                                        "members failed too (%s): the person may or may not "
                                        "have been invited; run the invite again (members are "
                                        "counted as done)",
                                        batch->unclear, error.message);
        fail_rows(invite, batch->rows, message, ROW_UNRESOLVED);
        g_free(message);
    }
    api_error_clear(&error);
    pump(invite);
}

/* ---- the result ----------------------------------------------------------------------------- */

static void add_row_record(struct invite *invite, int row)
{
    struct record_list *list = &invite->job->result;
    struct valstorm_row_outcome *outcome = &invite->rows[row].outcome;
    const char *status = valstorm_row_status_name(outcome->status);
    if (!outcome->user || !valstorm_add_user(list, outcome->user, status)) {
        const struct form_values *values = invite->job->request.rows[row];
        const char *first = form_values_get(values, "first_name");
        const char *last = form_values_get(values, "last_name");
        char *name = first || last ? g_strjoin(first && last ? " " : "", first ? first : "",
                                               last ? last : "", NULL)
                                   : NULL;
        struct record *record = record_list_append(list);
        record_set(list, record, RECORD_EMAIL, row_email(invite, row));
        record_set(list, record, RECORD_NAME, name);
        record_set(list, record, RECORD_STATUS, status);
        g_free(name);
    }
    struct record *record = &list->items[list->count - 1];
    char number[24];
    g_snprintf(number, sizeof(number), "%d", row + 1);
    record_add_extra(list, record, "row", number);
    if (outcome->detail)
        record_add_extra(list, record, "detail", outcome->detail);
    if (outcome->status == VALSTORM_ROW_FAILED)
        record_add_extra(list, record, "failure",
                         invite->rows[row].permanent ? "permanent" : "transient");
}

struct tally {
    size_t counts[VALSTORM_ROW_FAILED + 1];
    bool unresolved;
    int first_failed;
};

static void collect_rows(struct invite *invite, struct tally *tally)
{
    memset(tally, 0, sizeof(*tally));
    tally->first_failed = -1;
    for (size_t i = 0; i < invite->row_count; i++) {
        struct invite_row *entry = &invite->rows[i];
        if (entry->outcome.status == VALSTORM_ROW_UNKNOWN) /* never sent: stopped or slowed */
            fail_row(invite, (int)i, NULL,
                     invite->stop.message ? invite->stop.message
                                          : "not sent: Valstorm asked to slow down (HTTP 429)",
                     ROW_TRANSIENT);
        if (entry->outcome.status == VALSTORM_ROW_FAILED && tally->first_failed < 0)
            tally->first_failed = (int)i;
        tally->counts[entry->outcome.status]++;
        tally->unresolved = tally->unresolved || entry->unresolved;
        add_row_record(invite, (int)i);
    }
}

static void add_row_errors(struct invite *invite, struct api_error *error)
{
    for (size_t i = 0; i < invite->row_count; i++) {
        GPtrArray *errors = invite->rows[i].errors;
        for (guint e = 0; errors && e < errors->len; e++) {
            const struct row_error *row_error = g_ptr_array_index(errors, e);
            api_error_add_field(error, row_error->field, (int)i, row_error->message);
        }
    }
}

static void finish(struct invite *invite)
{
    struct vendor_job *job = invite->job;
    struct tally tally;
    invite->finished = true;
    collect_rows(invite, &tally);
    char *summary = g_strdup_printf(
        "invited %zu, linked %zu, %zu already members, %zu of %zu failed",
        tally.counts[VALSTORM_ROW_INVITED], tally.counts[VALSTORM_ROW_LINKED],
        tally.counts[VALSTORM_ROW_ALREADY], tally.counts[VALSTORM_ROW_FAILED], invite->row_count);
    size_t failed = tally.counts[VALSTORM_ROW_FAILED];
    if (invite->stopped) {
        api_error_copy(&job->error, &invite->stop);
        char *message = g_strdup_printf("%s (%s)", invite->stop.message, summary);
        g_free(job->error.message);
        job->error.message = message;
    } else if (failed > 0) {
        const struct invite_row *first = &invite->rows[tally.first_failed];
        char *email = text_sanitize(row_email(invite, tally.first_failed));
        /* A 429 is said as such (the caller paces on it); after a 503 the
         * rows were checked and re-sent already, and say for themselves. */
        bool slowed = invite->pushback_status == 429;
        vendor_job_fail(job, tally.unresolved || slowed ? API_NETWORK : API_REFUSED,
                        slowed ? 429 : 0, NULL, "%s; first: row %d (%s): %s", summary,
                        tally.first_failed + 1, email, first->outcome.detail);
        job->error.ambiguous = tally.unresolved;
        job->error.retry_after_ms = invite->retry_after_ms;
        g_free(email);
    } else {
        vendor_job_progress(job, "%s", summary);
    }
    if (job->error.kind != API_OK)
        add_row_errors(invite, &job->error);
    g_free(summary);
}

/* ---- start --------------------------------------------------------------------------------- */

/* Every row normalized and checked against the invite form; false (nothing
 * sent) with a field error per problem, on its row. */
static bool check_rows(struct vendor_job *job)
{
    const struct form_spec *spec = &valstorm_invite_user_form;
    struct form_errors *errors = form_errors_new();
    size_t bad_rows = 0;
    int first_bad = -1;
    for (size_t i = 0; i < job->request.row_count; i++) {
        form_normalize(spec, job->request.rows[i]);
        if (form_validate(spec, job->request.rows[i], errors))
            continue;
        bad_rows++;
        first_bad = first_bad < 0 ? (int)i : first_bad;
        for (size_t e = 0; e < form_errors_count(errors); e++)
            api_error_add_field(&job->error, form_errors_key_at(errors, e), (int)i,
                                form_errors_message_at(errors, e));
    }
    form_errors_free(errors);
    if (bad_rows == 0)
        return true;
    const struct api_field_error *first = g_ptr_array_index(job->error.fields, 0);
    char *shown = text_sanitize(first->message);
    api_error_set(&job->error, API_INVALID_INPUT, 0, NULL,
                  "%zu of %zu rows are not valid, nothing sent: row %d %s: %s", bad_rows,
                  job->request.row_count, first_bad + 1, first->field ? first->field : "", shown);
    g_free(shown);
    return false;
}

static void plan_batches(struct invite *invite)
{
    for (size_t start = 0; start < invite->row_count; start += INVITE_BATCH_ROWS) {
        struct invite_batch *batch = g_new0(struct invite_batch, 1);
        batch->invite = invite;
        batch->number = invite->batches->len + 1;
        batch->rows = g_array_new(FALSE, FALSE, sizeof(int));
        for (size_t row = start; row < invite->row_count && row < start + INVITE_BATCH_ROWS;
             row++) {
            int index = (int)row;
            g_array_append_val(batch->rows, index);
        }
        g_ptr_array_add(invite->batches, batch);
        g_queue_push_tail(&invite->waiting, batch);
    }
}

void valstorm_start_invite(struct vendor_job *job)
{
    if (job->request.row_count == 0) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "invite-users needs at least one person (an e-mail address): nothing "
                        "sent");
        return;
    }
    if (job->request.row_count > (size_t)G_MAXINT / 2) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "too many rows: nothing sent");
        return;
    }
    if (!check_rows(job))
        return;
    struct invite *invite = g_new0(struct invite, 1);
    invite->job = job;
    invite->row_count = job->request.row_count;
    invite->rows = g_new0(struct invite_row, invite->row_count);
    invite->batches = g_ptr_array_new_with_free_func(free_batch);
    g_queue_init(&invite->waiting);
    api_error_init(&invite->stop);
    job->adapter_state = invite;
    job->free_adapter_state = free_invite;
    plan_batches(invite);
    vendor_job_progress(job, "inviting %zu %s to portal %s in %u %s of up to %d", invite->row_count,
                        invite->row_count == 1 ? "person" : "people", job->request.portal_id,
                        invite->batches->len, invite->batches->len == 1 ? "batch" : "batches",
                        INVITE_BATCH_ROWS);
    pump(invite);
}
