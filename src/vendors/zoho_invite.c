/*
 * Inviting people to a Zoho portal (zoho.md §6): per row, find the contact
 * by e-mail (a few lookups in flight), create it when Zoho has none, then
 * invite: one person with portal_invite, several with bulk invite jobs of at
 * most 100 records whose status is polled until completed.
 *
 * Exactly once: an invitation is never blindly repeated. Zoho refuses a
 * second invitation of the same person (CANNOT_PROCESS "already invited",
 * DUPLICATE_DATA), so after an ambiguous failure the invitation is sent again
 * and such a refusal counts as done; an ambiguous contact creation is
 * checked by searching again before anything else is sent.
 *
 * A running bulk job is polled every BULK_POLL_INTERVAL_MS (the request
 * waits in the engine, no busy loop), at most BULK_POLLS_MAX times; a job
 * still running then is reported as scheduled, with its id.
 *
 * Never: sleep, or invite a row whose contact could not be settled.
 */
#include "zoho_internal.h"

#include <portalctl/vendor_fields.h>

#include <string.h>

#define LOOKUPS_IN_FLIGHT     4
#define BULK_INVITE_MAX       100 /* records per job (zoho.md §6) */
#define BULK_POLLS_MAX        50
#define BULK_POLL_INTERVAL_MS 300 /* Zoho's jobs take a few hundred ms per 100 records */

enum row_state {
    ROW_WAITING,  /* not looked up yet */
    ROW_LOOKING,  /* contact search or creation under way */
    ROW_READY,    /* contact known, not invited yet */
    ROW_INVITING, /* in a bulk job or a portal_invite under way */
    ROW_DONE,
    ROW_FAILED,
};

struct invite_row {
    const struct form_values *values; /* the job's request row */
    char *contact_id;
    const char *user_type_id; /* the row's, or the portal's default type */
    const char *invite_type;  /* "invite" or "reinvite" */
    enum row_state state;
    const char *status; /* when done: "invited", "already invited", "scheduled" */
    bool contact_created;
    bool create_checked; /* searched again after an ambiguous creation */
    bool resent;         /* invited again after an ambiguous answer */
    char *job_id;
    struct api_error error; /* when failed */
};

/* The rows of one bulk job (or sent one by one). */
struct invite_batch {
    size_t rows[BULK_INVITE_MAX];
    size_t count;
    bool one_by_one;
    size_t next_single;
    char *job_id;
    unsigned polls;
};

struct invites {
    struct invite_row *rows;
    size_t count;
    size_t next_lookup;
    unsigned lookups_in_flight;
    unsigned requests_out; /* every request of ours not answered yet */
    bool lookups_over;
    size_t next_invite; /* rows before it are in a batch or past */
    struct invite_batch batch;
    bool batch_open;
    bool stopped;  /* a refusal of the whole request: nothing more is sent */
    bool finished; /* results and errors are in the job */
};

/* ---- state ------------------------------------------------------------------ */

static void invites_free(void *op)
{
    struct invites *inv = op;
    for (size_t i = 0; i < inv->count; i++) {
        g_free(inv->rows[i].contact_id);
        g_free(inv->rows[i].job_id);
        api_error_clear(&inv->rows[i].error);
    }
    g_free(inv->rows);
    g_free(inv->batch.job_id);
    g_free(inv);
}

static struct invites *invites_of(struct vendor_job *job)
{
    return zoho_job_of(job)->op;
}

/* Every request goes through here, and every reply starts with
 * reply_begins(), so that the job knows when nothing is out any more. */
static void invite_send(struct vendor_job *job, const char *method, char *url, const char *body,
                        bool idempotent, vendor_reply_fn reply, struct invite_row *row)
{
    invites_of(job)->requests_out++;
    zoho_send(job, method, url, body, idempotent, reply, row);
}

static struct invites *reply_begins(struct vendor_job *job)
{
    struct invites *inv = invites_of(job);
    inv->requests_out--;
    return inv;
}

static size_t row_index(struct vendor_job *job, const struct invite_row *row)
{
    return (size_t)(row - invites_of(job)->rows);
}

/* Field errors of a row go on row -1 when it is the only one (a form). */
static int error_row(struct vendor_job *job, const struct invite_row *row)
{
    return invites_of(job)->count == 1 ? -1 : (int)row_index(job, row);
}

static const char *email_of(const struct invite_row *row)
{
    return form_values_get(row->values, "Email");
}

static void row_done(struct invite_row *row, const char *status)
{
    row->state = ROW_DONE;
    row->status = status;
}

static void row_fail(struct vendor_job *job, struct invite_row *row, enum api_error_kind kind,
                     const char *field, const char *message)
{
    row->state = ROW_FAILED;
    api_error_set(&row->error, kind, 0, NULL, "%s", message);
    api_error_add_field(&row->error, field, error_row(job, row), message);
}

static void row_fail_outcome(struct vendor_job *job, struct invite_row *row,
                             const struct zoho_outcome *outcome, long http_status,
                             const char *action)
{
    row->state = ROW_FAILED;
    zoho_error_from_outcome(outcome, http_status, action, error_row(job, row), &row->error);
}

/* Whether a refusal concerns the whole request (credentials, permission,
 * limits, Zoho itself) rather than this one row. */
static bool refuses_everything(long http_status)
{
    return http_status == 401 || http_status == 403 || http_status == 429 || http_status >= 500;
}

static void stop_with_outcome(struct vendor_job *job, const struct zoho_outcome *outcome,
                              long http_status, const char *action)
{
    invites_of(job)->stopped = true;
    zoho_fail_outcome(job, outcome, http_status, action);
}

/* A failed answer to a row's request: the row's fault, or everyone's. */
static void answer_failed(struct vendor_job *job, struct invite_row *row,
                          const struct net_response *res, const char *key, const char *action)
{
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    struct api_error error;
    api_error_init(&error);
    const struct zoho_outcome *failed = NULL;
    if (zoho_parse_outcomes(res->status, res->body, res->body_len, key, outcomes, &error)) {
        for (guint i = 0; i < outcomes->len && !failed; i++) {
            const struct zoho_outcome *o = g_ptr_array_index(outcomes, i);
            if (!o->success)
                failed = o;
        }
    }
    if (failed && !refuses_everything(res->status))
        row_fail_outcome(job, row, failed, res->status, action);
    else if (failed)
        stop_with_outcome(job, failed, res->status, action);
    else {
        invites_of(job)->stopped = true;
        zoho_error_from_answer(res->status, res->body, res->body_len, key, action, &job->error);
    }
    api_error_clear(&error);
    g_ptr_array_unref(outcomes);
}

/* A transport failure: everything stops (the engine has retried what it could). */
static bool arrived(struct vendor_job *job, const struct net_response *res)
{
    if (zoho_answer_arrived(job, res))
        return true;
    invites_of(job)->stopped = true;
    return false;
}

static void advance(struct vendor_job *job);

/* ---- finding and creating contacts ------------------------------------------------- */

static void send_search(struct vendor_job *job, struct invite_row *row);

/* The first outcome of an answer; NULL when it has none or cannot be read. */
static const struct zoho_outcome *first_of(const struct net_response *res, const char *key,
                                           GPtrArray *outcomes)
{
    struct api_error error;
    api_error_init(&error);
    bool read = res->error == NET_ERR_NONE &&
                zoho_parse_outcomes(res->status, res->body, res->body_len, key, outcomes, &error);
    api_error_clear(&error);
    return read && outcomes->len ? g_ptr_array_index(outcomes, 0) : NULL;
}

/* An answer that leaves open whether a write happened: lost on the way,
 * Zoho failing (5xx), or a success we cannot read. */
static bool answer_unclear(const struct net_response *res, const struct zoho_outcome *first)
{
    if (res->error != NET_ERR_NONE)
        return res->ambiguous;
    if (res->status >= 500)
        return true;
    return res->status < 300 && !(first && (first->id || !first->success));
}

static void on_contact_created(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct invite_row *row = data;
    struct invites *inv = reply_begins(job);
    inv->lookups_in_flight--;
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    const struct zoho_outcome *first = first_of(res, "data", outcomes);
    if (inv->stopped) {
        row->state = ROW_WAITING;
    } else if (answer_unclear(res, first)) {
        row->create_checked = true; /* created or not? search again before anything else */
        send_search(job, row);
    } else if (!arrived(job, res)) {
        row->state = ROW_WAITING;
    } else if (first && first->success) {
        row->contact_id = g_strdup(first->id);
        row->contact_created = true;
        row->state = ROW_READY;
    } else {
        answer_failed(job, row, res, "data", "create the contact");
    }
    g_ptr_array_unref(outcomes);
    advance(job);
}

/* No contact has the row's e-mail: create one, if the row says enough. */
static void create_contact(struct vendor_job *job, struct invite_row *row)
{
    struct form_values *contact = form_values_select(&zoho_contact_form, row->values);
    struct form_errors *errors = form_errors_new();
    if (!form_validate(&zoho_contact_form, contact, errors)) {
        const char *key = form_errors_key_at(errors, 0);
        row_fail(job, row, API_INVALID_INPUT, key,
                 g_strcmp0(key, "Last_Name") == 0
                     ? "Zoho has no contact with this e-mail, and creating one needs a last name"
                     : "Zoho has no contact with this e-mail, and the fields to create one are "
                       "not valid");
    } else {
        char *url = zoho_url(job, "/" ZOHO_CONTACTS, NULL, NULL);
        char *body = zoho_contact_body(contact);
        if (url) {
            invites_of(job)->lookups_in_flight++;
            invite_send(job, "POST", url, body, false, on_contact_created, row);
        }
        g_free(body);
    }
    form_errors_free(errors);
    form_values_free(contact);
}

static void on_search(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct invite_row *row = data;
    struct invites *inv = reply_begins(job);
    inv->lookups_in_flight--;
    if (inv->stopped || !arrived(job, res)) {
        row->state = ROW_WAITING;
    } else if (!(res->status >= 200 && res->status < 300)) {
        answer_failed(job, row, res, "data", "find the contact");
    } else if (zoho_parse_contact_search(res->status, res->body, res->body_len, email_of(row),
                                         &row->contact_id, &row->error)) {
        if (row->contact_id)
            row->state = ROW_READY;
        else if (row->create_checked)
            row_fail(job, row, API_NETWORK, NULL,
                     "Zoho's answer to creating the contact was lost and no contact has this "
                     "e-mail: nothing was created; try again");
        else
            create_contact(job, row);
    } else {
        row->state = ROW_FAILED; /* row->error says why */
    }
    advance(job);
}

static void send_search(struct vendor_job *job, struct invite_row *row)
{
    const struct net_query_arg query[] = {{"email", email_of(row)}, {NULL, NULL}};
    char *url = zoho_url(job, "/" ZOHO_CONTACTS "/search", NULL, query);
    if (!url) {
        invites_of(job)->stopped = true;
        return;
    }
    row->state = ROW_LOOKING;
    invites_of(job)->lookups_in_flight++;
    invite_send(job, "GET", url, NULL, true, on_search, row);
}

static void fill_lookups(struct vendor_job *job)
{
    struct invites *inv = invites_of(job);
    while (!inv->stopped && inv->lookups_in_flight < LOOKUPS_IN_FLIGHT &&
           inv->next_lookup < inv->count) {
        struct invite_row *row = &inv->rows[inv->next_lookup++];
        if (row->state == ROW_WAITING)
            send_search(job, row);
    }
    inv->lookups_over = inv->next_lookup >= inv->count && inv->lookups_in_flight == 0;
}

/* ---- inviting ------------------------------------------------------------------------ */

static void apply_invite_outcome(struct vendor_job *job, struct invite_row *row,
                                 const struct zoho_outcome *outcome, long http_status)
{
    bool first_invite = strcmp(row->invite_type, "invite") == 0;
    const char *code = outcome->code ? outcome->code : "";
    if (outcome->success)
        row_done(row, "invited");
    else if (first_invite && (strcmp(code, "DUPLICATE_DATA") == 0 ||
                              (strcmp(code, "CANNOT_PROCESS") == 0 && !outcome->param)))
        row_done(row, "already invited"); /* Zoho refuses a second one: done */
    else if (refuses_everything(http_status))
        stop_with_outcome(job, outcome, http_status, "invite");
    else
        row_fail_outcome(job, row, outcome, http_status, "invite this person");
}

static void send_single_invite(struct vendor_job *job, struct invite_row *row);

static void on_single_invite(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct invite_row *row = data;
    struct invites *inv = reply_begins(job);
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    const struct zoho_outcome *first = first_of(res, "portal_invite", outcomes);
    bool unclear = answer_unclear(res, first) || (res->error == NET_ERR_NONE && !first);
    if (inv->stopped) {
        row->state = ROW_READY;
    } else if (unclear && !row->resent) {
        row->resent = true; /* safe: a done invitation is refused as already done */
        send_single_invite(job, row);
    } else if (unclear) {
        row_fail(job, row, API_NETWORK, NULL,
                 "Zoho's answers to the invitation were lost twice: check the portal's users "
                 "before trying again");
        row->error.ambiguous = true;
    } else if (!arrived(job, res)) {
        row->state = ROW_READY;
    } else {
        apply_invite_outcome(job, row, first, res->status);
    }
    g_ptr_array_unref(outcomes);
    advance(job);
}

static void send_single_invite(struct vendor_job *job, struct invite_row *row)
{
    const char *const values[] = {row->contact_id, NULL};
    const struct net_query_arg query[] = {
        {"user_type_id", row->user_type_id},
        {"type", row->invite_type},
        {NULL, NULL},
    };
    char *url = zoho_url(job, "/" ZOHO_CONTACTS "/{}/actions/portal_invite", values, query);
    if (!url) {
        row->state = ROW_FAILED;
        api_error_copy(&row->error, &job->error);
        api_error_clear(&job->error);
        return;
    }
    row->state = ROW_INVITING;
    invite_send(job, "POST", url, NULL, false, on_single_invite, row);
}

/* ---- bulk jobs ------------------------------------------------------------------------- */

static void send_poll(struct vendor_job *job);

static void batch_rows_scheduled(struct vendor_job *job, struct invite_batch *batch)
{
    struct invites *inv = invites_of(job);
    for (size_t i = 0; i < batch->count; i++) {
        struct invite_row *row = &inv->rows[batch->rows[i]];
        if (row->state == ROW_INVITING) {
            row_done(row, "scheduled");
            row->job_id = g_strdup(batch->job_id);
        }
    }
    vendor_job_progress(job,
                        "Zoho is still working on bulk invitation job %s: list the portal's "
                        "users later to see the outcome",
                        batch->job_id);
}

static void apply_job_results(struct vendor_job *job, struct invite_batch *batch,
                              const struct zoho_bulk_status *status, long http_status)
{
    struct invites *inv = invites_of(job);
    for (size_t i = 0; i < batch->count; i++) {
        struct invite_row *row = &inv->rows[batch->rows[i]];
        row->job_id = g_strdup(batch->job_id);
        if (i < status->results->len)
            apply_invite_outcome(job, row, g_ptr_array_index(status->results, i), http_status);
        else
            row_fail(job, row, API_BAD_RESPONSE, NULL,
                     "Zoho's bulk invitation gave no result for this person: check the "
                     "portal's users");
    }
}

/* Sends the batch's rows one by one instead (after an unclear job). */
static void go_one_by_one(struct invite_batch *batch)
{
    batch->one_by_one = true;
    batch->next_single = 0;
}

static void on_poll(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct invites *inv = reply_begins(job);
    struct invite_batch *batch = &inv->batch;
    struct zoho_bulk_status status;
    memset(&status, 0, sizeof(status));
    struct api_error error;
    api_error_init(&error);
    bool read = res->error == NET_ERR_NONE &&
                zoho_parse_bulk_status(res->status, res->body, res->body_len, &status, &error);
    if (!read)
        batch_rows_scheduled(job, batch); /* it runs, but we cannot tell how */
    else if (!status.known)
        go_one_by_one(batch); /* Zoho forgot the job: invite (again) one by one */
    else if (status.completed)
        apply_job_results(job, batch, &status, res->status);
    else if (++batch->polls < BULK_POLLS_MAX && !inv->stopped)
        send_poll(job);
    else
        batch_rows_scheduled(job, batch);
    zoho_bulk_status_clear(&status);
    api_error_clear(&error);
    advance(job);
}

static void send_poll(struct vendor_job *job)
{
    const struct net_query_arg query[] = {{"job_id", invites_of(job)->batch.job_id}, {NULL, NULL}};
    char *url = zoho_url(job, "/" ZOHO_CONTACTS "/actions/portal_invite", NULL, query);
    if (!url)
        return;
    struct vendor_call call = {
        .method = "GET", .url = url, .idempotent = true, .delay_ms = BULK_POLL_INTERVAL_MS};
    invites_of(job)->requests_out++;
    vendor_job_send(job, &call, on_poll, NULL);
    g_free(url);
}

static void on_bulk_scheduled(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct invites *inv = reply_begins(job);
    struct invite_batch *batch = &inv->batch;
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    const struct zoho_outcome *first = first_of(res, "portal_invite", outcomes);
    if (inv->stopped) {
        /* nothing more is sent */
    } else if (answer_unclear(res, first)) {
        go_one_by_one(batch); /* scheduled or not: one by one is safe either way */
    } else if (!arrived(job, res)) {
        /* stopped */
    } else if (first && first->success) {
        batch->job_id = g_strdup(first->id);
        vendor_job_progress(job, "bulk invitation of %zu people scheduled", batch->count);
        send_poll(job);
    } else if (first && refuses_everything(res->status)) {
        stop_with_outcome(job, first, res->status, "invite");
    } else {
        for (size_t i = 0; i < batch->count; i++) {
            struct invite_row *row = &inv->rows[batch->rows[i]];
            if (first)
                row_fail_outcome(job, row, first, res->status, "invite this person");
            else
                row_fail(job, row, API_BAD_RESPONSE, NULL,
                         "Zoho's answer to the bulk invitation could not be read");
        }
    }
    g_ptr_array_unref(outcomes);
    advance(job);
}

static void send_bulk(struct vendor_job *job, struct invite_batch *batch)
{
    struct invites *inv = invites_of(job);
    struct zoho_invite_item items[BULK_INVITE_MAX];
    for (size_t i = 0; i < batch->count; i++) {
        const struct invite_row *row = &inv->rows[batch->rows[i]];
        items[i] = (struct zoho_invite_item){row->contact_id, row->user_type_id, row->invite_type};
    }
    char *url = zoho_url(job, "/" ZOHO_CONTACTS "/actions/portal_invite", NULL, NULL);
    char *body = zoho_bulk_invite_body(items, batch->count);
    if (url) /* never repeated: an unclear answer is settled one by one */
        invite_send(job, "POST", url, body, false, on_bulk_scheduled, NULL);
    g_free(body);
}

/* Opens the next batch of ready rows; false when there is none. */
static bool open_batch(struct vendor_job *job)
{
    struct invites *inv = invites_of(job);
    struct invite_batch *batch = &inv->batch;
    g_free(batch->job_id);
    memset(batch, 0, sizeof(*batch));
    while (inv->next_invite < inv->count && batch->count < BULK_INVITE_MAX) {
        struct invite_row *row = &inv->rows[inv->next_invite++];
        if (row->state == ROW_READY) {
            row->state = ROW_INVITING;
            batch->rows[batch->count++] = (size_t)(row - inv->rows);
        }
    }
    batch->one_by_one = batch->count == 1;
    inv->batch_open = batch->count > 0;
    if (inv->batch_open && !batch->one_by_one)
        send_bulk(job, batch);
    return inv->batch_open;
}

/* Sends the next single invitation of a one-by-one batch; false when none is left. */
static bool next_single(struct vendor_job *job, struct invite_batch *batch)
{
    struct invites *inv = invites_of(job);
    while (batch->next_single < batch->count) {
        struct invite_row *row = &inv->rows[batch->rows[batch->next_single++]];
        if (row->state == ROW_INVITING || row->state == ROW_READY) {
            send_single_invite(job, row);
            return true;
        }
    }
    return false;
}

/* ---- progress and the end -------------------------------------------------------------- */

static void add_row_record(struct vendor_job *job, const struct invite_row *row,
                           const char *type_name)
{
    struct record_list *out = &job->result;
    struct record *record = record_list_append(out);
    const char *first = form_values_get(row->values, "First_Name");
    const char *last = form_values_get(row->values, "Last_Name");
    char *name = g_strjoin(" ", first && first[0] ? first : "", last ? last : "", NULL);
    g_strstrip(name);
    record_set(out, record, RECORD_ID, row->contact_id);
    if (name[0])
        record_set(out, record, RECORD_NAME, name);
    record_set(out, record, RECORD_EMAIL, email_of(row));
    record_set(out, record, RECORD_STATUS, row->status);
    record_set(out, record, RECORD_ROLE, type_name ? type_name : row->user_type_id);
    /* The job's row this record is about (1-based): a bulk job's results are
     * matched to rows by position already (apply_job_results), so the caller
     * needs no e-mail matching, which two rows of one contact would defeat. */
    char number[24];
    g_snprintf(number, sizeof(number), "%zu", row_index(job, row) + 1);
    record_add_extra(out, record, "row", number);
    record_add_extra(out, record, "user_type_id", row->user_type_id);
    record_add_extra(out, record, "contact", row->contact_created ? "created" : "existing");
    if (row->job_id)
        record_add_extra(out, record, "job_id", row->job_id);
    g_free(name);
}

static const char *type_name_of(struct vendor_job *job, const char *type_id)
{
    const struct record_list *types = &zoho_job_of(job)->types;
    for (size_t i = 0; i < types->count; i++) {
        if (g_strcmp0(record_get(&types->items[i], RECORD_ID), type_id) == 0)
            return record_get(&types->items[i], RECORD_NAME);
    }
    return NULL;
}

/* The rows' failures as the job's error (the job's own error, when the
 * whole request was refused, stays first). */
static void report_failures(struct vendor_job *job, size_t failed, size_t done)
{
    struct invites *inv = invites_of(job);
    const struct invite_row *first_failed = NULL;
    for (size_t i = 0; i < inv->count; i++) {
        const struct invite_row *row = &inv->rows[i];
        if (row->state != ROW_FAILED)
            continue;
        first_failed = first_failed ? first_failed : row;
        for (guint k = 0; row->error.fields && k < row->error.fields->len; k++) {
            const struct api_field_error *fe = g_ptr_array_index(row->error.fields, k);
            api_error_add_field(&job->error, fe->field, fe->row, fe->message);
        }
    }
    if (job->error.kind != API_OK) {
        if (done)
            vendor_job_progress(job, "%zu of %zu people were invited before Zoho refused", done,
                                inv->count);
        return;
    }
    if (inv->count == 1) {
        api_error_copy(&job->error, &first_failed->error);
        return;
    }
    /* Once some were sent, the job as a whole is no longer "nothing sent". */
    enum api_error_kind kind = first_failed->error.kind;
    if (kind == API_INVALID_INPUT && failed < inv->count)
        kind = API_REFUSED;
    vendor_job_fail(job, kind, first_failed->error.http_status, first_failed->error.code,
                    "%zu of %zu people could not be invited; the first: %s", failed, inv->count,
                    first_failed->error.message);
}

static void finish(struct vendor_job *job)
{
    struct invites *inv = invites_of(job);
    size_t failed = 0, done = 0;
    if (inv->finished)
        return;
    inv->finished = true;
    for (size_t i = 0; i < inv->count; i++) {
        const struct invite_row *row = &inv->rows[i];
        if (row->state == ROW_DONE) {
            add_row_record(job, row, type_name_of(job, row->user_type_id));
            done++;
        }
        failed += row->state == ROW_FAILED;
    }
    if (failed || job->error.kind != API_OK)
        report_failures(job, failed, done);
}

/* Moves the work on after every answer: lookups, then batches, then the end. */
static void advance(struct vendor_job *job)
{
    struct invites *inv = invites_of(job);
    if (!inv->stopped && !inv->lookups_over)
        fill_lookups(job);
    if (!inv->stopped && inv->lookups_over && inv->requests_out == 0) {
        bool sent = inv->batch_open && inv->batch.one_by_one && next_single(job, &inv->batch);
        while (!sent && !inv->stopped && open_batch(job))
            sent = !inv->batch.one_by_one || next_single(job, &inv->batch);
    }
    if (inv->requests_out == 0)
        finish(job);
}

/* ---- start ------------------------------------------------------------------------------ */

static bool row_needs_default_type(const struct form_values *values)
{
    const char *type = form_values_get(values, "user_type_id");
    return !type || !type[0];
}

static void begin_rows(struct vendor_job *job)
{
    struct invites *inv = invites_of(job);
    const struct record *default_type = NULL;
    for (size_t i = 0; i < inv->count; i++) {
        struct invite_row *row = &inv->rows[i];
        if (!row_needs_default_type(row->values))
            continue;
        default_type = default_type ? default_type : zoho_pick_user_type(job, NULL);
        if (!default_type)
            return; /* the job failed: no type to invite to */
        row->user_type_id = record_get(default_type, RECORD_ID);
    }
    advance(job);
}

void zoho_invite_users(struct vendor_job *job)
{
    if (job->request.row_count == 0) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL, "nobody to invite; nothing sent");
        return;
    }
    struct invites *inv = g_new0(struct invites, 1);
    struct zoho_job *zjob = zoho_job_of(job);
    zjob->op = inv;
    zjob->free_op = invites_free;
    inv->count = job->request.row_count;
    inv->rows = g_new0(struct invite_row, inv->count);
    for (size_t i = 0; i < inv->count; i++) {
        struct invite_row *row = &inv->rows[i];
        row->values = job->request.rows[i];
        api_error_init(&row->error);
        const char *type = form_values_get(row->values, "type");
        row->invite_type = type && strcmp(type, "reinvite") == 0 ? "reinvite" : "invite";
        row->user_type_id = form_values_get(row->values, "user_type_id");
        if (!email_of(row) || !email_of(row)[0])
            row_fail(job, row, API_INVALID_INPUT, "Email", "an e-mail address is required");
    }
    /* The types give the default type, and the names shown with each row. */
    zoho_fetch_user_types(job, begin_rows);
}
