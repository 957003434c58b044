/*
 * portal-sim, Zoho CRM half: invitations (zoho.md section 6), one at a time
 * and in bulk jobs. A bulk job is finished lazily: it records when it is due
 * (a few hundred milliseconds per 100 records) and the first request at or
 * after that time carries it out; no timers, no threads. Never: anything
 * about a user after the invitation (zoho_users.c).
 */
#include <portalctl/sim/zoho_sim.h>

#include <string.h>

/* Path segments: {module}/{record_id}/actions/portal_invite. */
enum { SEGMENT_MODULE = 0, SEGMENT_RECORD = 1 };
/* A bulk job takes this long, plus this much per record (300 ms per 100). */
#define JOB_BASE_SECONDS       0.1
#define JOB_SECONDS_PER_RECORD 0.003

/* "Invite a User to a Portal": the languages Zoho accepts. */
static const char *const invite_languages[] = {
    "en_US", "en_GB", "bg_BG", "zh_CN", "zh_TW", "hr_HR", "ar_EG", "in_ID", "cs_CZ", "da_DK",
    "nl_NL", "fr_FR", "de_DE", "hu_HU", "hi_IN", "it_IT", "ja_JP", "pl_PL", "pt_BR", "pt_PT",
    "ru_RU", "es_ES", "sv_SE", "th_TH", "tr_TR", "vi_VN", "ko_KR", "iw_IL",
};

static const char invite_sent[] = "An Invite has been sent to the personality.";

static bool language_known(const char *language)
{
    for (size_t i = 0; i < G_N_ELEMENTS(invite_languages); i++) {
        if (strcmp(invite_languages[i], language) == 0)
            return true;
    }
    return false;
}

static struct zoho_sim_user_type *find_user_type_anywhere(struct zoho_sim_state *st, const char *id,
                                                          struct zoho_sim_portal **portal)
{
    for (guint i = 0; i < st->portals->len; i++) {
        *portal = g_ptr_array_index(st->portals, i);
        struct zoho_sim_user_type *type = zoho_sim_user_type_find(*portal, id);
        if (type)
            return type;
    }
    *portal = NULL;
    return NULL;
}

/* Whether another contact with the same e-mail is already a user of portal. */
static bool email_taken_in_portal(struct zoho_sim_state *st, struct zoho_sim_portal *portal,
                                  uint32_t contact)
{
    const char *email = zoho_sim_contact_at(st, contact)->email;
    for (uint32_t i = zoho_sim_contact_find_email(st, email); i != ZOHO_SIM_NONE;
         i = zoho_sim_contact_at(st, i)->next_same_email) {
        if (i != contact && zoho_sim_portal_member_type(portal, i))
            return true;
    }
    return false;
}

static struct zoho_sim_outcome refusal(const char *code, const char *message, const char *key,
                                       const char *value)
{
    struct zoho_sim_outcome outcome = {400, code, message, key, value};
    return outcome;
}

/* The first rule the invitation breaks, checked against the portal's state. */
static struct zoho_sim_outcome check_membership(struct zoho_sim_state *st,
                                                struct zoho_sim_portal *portal, uint32_t contact,
                                                bool reinvite, const char *record_id)
{
    bool member = zoho_sim_portal_member_type(portal, contact) != NULL;
    if (!reinvite && member)
        return refusal("CANNOT_PROCESS", "The user has already been invited; use reinvite.",
                       "record_id", record_id);
    if (reinvite && !member)
        return refusal("CANNOT_PROCESS", "The user has not been invited yet; use invite.",
                       "record_id", record_id);
    if (!reinvite && email_taken_in_portal(st, portal, contact))
        return refusal("DUPLICATE_DATA", "A portal user with the same email already exists.",
                       "api_name", "Email");
    if (!reinvite && st->licenses_used >= st->portal_user_licenses)
        return refusal("LICENSE_LIMIT_EXCEEDED", "No portal user license is left.", NULL, NULL);
    struct zoho_sim_outcome ok = {200, "SUCCESS", invite_sent, "record_id", record_id};
    return ok;
}

/* Checks one invitation and, when it may go ahead, carries it out. Every
 * argument may be NULL except record_id. */
static struct zoho_sim_outcome invite(struct zoho_sim_state *st, const char *record_id,
                                      const char *user_type_id, const char *type,
                                      const char *language)
{
    bool reinvite = g_strcmp0(type, "reinvite") == 0;
    if (!reinvite && g_strcmp0(type, "invite") != 0)
        return refusal("CANNOT_PROCESS", "Invalid type for the portal invite", "param", "type");
    if (language && !language_known(language))
        return refusal("INVALID_DATA", "the language given seems to be invalid", "param",
                       "language");
    struct zoho_sim_portal *portal = NULL;
    struct zoho_sim_user_type *user_type = find_user_type_anywhere(st, user_type_id, &portal);
    if (!user_type)
        return refusal("INVALID_DATA", "the user type id given seems to be invalid", "param",
                       "user_type_id");
    uint32_t contact = zoho_sim_contact_find(st, record_id);
    if (contact == ZOHO_SIM_NONE || zoho_sim_contact_at(st, contact)->in_recycle_bin)
        return refusal("INVALID_DATA", "the record id given seems to be invalid", "record_id",
                       record_id);
    if (!zoho_sim_contact_at(st, contact)->email)
        return refusal("INVALID_DATA", "The record has no email address.", "api_name", "Email");
    struct zoho_sim_outcome outcome = check_membership(st, portal, contact, reinvite, record_id);
    if (outcome.http_status != 200)
        return outcome;
    if (reinvite)
        zoho_sim_member_find(zoho_sim_portal_member_type(portal, contact), contact)->invited =
            zoho_sim_now_seconds();
    else
        zoho_sim_member_add(st, user_type, contact, false, true, zoho_sim_now_seconds());
    return outcome;
}

/* Zoho knows the module names; the simulator's portals all use Contacts. */
static bool module_known(const struct zoho_sim_call *call, struct sim_response *resp)
{
    if (zoho_sim_is_contacts_module(call->segments[SEGMENT_MODULE]))
        return true;
    GString *details = g_string_new("{");
    zoho_sim_detail_raw(details, "resource_path_index", "0");
    g_string_append_c(details, '}');
    zoho_sim_reply_error(resp, 400, "INVALID_MODULE", details->str,
                         "the module name given seems to be invalid");
    g_string_free(details, TRUE);
    return false;
}

/* POST /{module}/{record_id}/actions/portal_invite?user_type_id=…&type=…[&language=…] */
void zoho_sim_invite_one(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                         struct sim_response *resp)
{
    if (!module_known(call, resp))
        return;
    const char *user_type_id = sim_request_query(call->req, "user_type_id");
    const char *type = sim_request_query(call->req, "type");
    if (!user_type_id || !user_type_id[0]) {
        zoho_sim_reply_missing_param(resp, "user_type_id");
        return;
    }
    if (!type || !type[0]) {
        zoho_sim_reply_missing_param(resp, "type");
        return;
    }
    struct zoho_sim_outcome outcome = invite(st, call->segments[SEGMENT_RECORD], user_type_id, type,
                                             sim_request_query(call->req, "language"));
    if (outcome.http_status != 200) {
        zoho_sim_reply_outcome(resp, &outcome); /* bare, as Zoho sends these */
        return;
    }
    GString *entries = g_string_new(NULL);
    zoho_sim_append_outcome(entries, &outcome);
    zoho_sim_reply_list(resp, 200, "portal_invite", entries);
}

/* --- bulk jobs ------------------------------------------------------------------- */

void zoho_sim_invite_free(struct zoho_sim_invite *item)
{
    g_free(item->record_id);
    g_free(item->user_type_id);
    g_free(item->type);
    g_free(item->language);
    g_free(item);
}

void zoho_sim_job_free(struct zoho_sim_job *job)
{
    g_ptr_array_free(job->invites, TRUE);
    g_free(job->results);
    g_free(job);
}

static char *field_copy(json_object *record, const char *key)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(record, key, &value) || !value)
        return NULL;
    return g_strdup(json_object_get_string(value));
}

/* One result of a finished job; its success details say "id" (zoho.md). */
static void append_job_result(struct zoho_sim_state *st, GString *out,
                              const struct zoho_sim_invite *item)
{
    static const char *const mandatory[] = {"id", "user_type_id", "type"};
    const char *values[] = {item->record_id, item->user_type_id, item->type};
    for (size_t i = 0; i < G_N_ELEMENTS(mandatory); i++) {
        if (!values[i] || !values[i][0]) {
            struct zoho_sim_outcome missing = {
                400, "MANDATORY_NOT_FOUND", "required field not found", "api_name", mandatory[i]};
            zoho_sim_append_outcome(out, &missing);
            return;
        }
    }
    struct zoho_sim_outcome outcome =
        invite(st, item->record_id, item->user_type_id, item->type, item->language);
    if (outcome.http_status == 200)
        outcome.detail_key = "id";
    zoho_sim_append_outcome(out, &outcome);
}

/* Finished jobs beyond this many are forgotten, oldest first (their status
 * then answers 204, like an unknown job): a bulk run of a million invitations
 * must not keep ten thousand result lists. */
#define COMPLETED_JOBS_KEPT 1000

static void complete_job(struct zoho_sim_state *st, struct zoho_sim_job *job)
{
    GString *results = g_string_new("[");
    for (guint k = 0; k < job->invites->len; k++) {
        if (k)
            g_string_append_c(results, ',');
        append_job_result(st, results, g_ptr_array_index(job->invites, k));
    }
    g_string_append_c(results, ']');
    job->results = g_string_free(results, FALSE);
    st->pending_jobs--;
}

static void forget_old_jobs(struct zoho_sim_state *st)
{
    for (guint i = 0;
         i < st->jobs->len && st->jobs->len - st->pending_jobs > COMPLETED_JOBS_KEPT;) {
        struct zoho_sim_job *job = g_ptr_array_index(st->jobs, i);
        if (job->results)
            g_ptr_array_remove_index(st->jobs, i);
        else
            i++;
    }
}

void zoho_sim_settle_jobs(struct zoho_sim_state *st, double now)
{
    if (!st->pending_jobs)
        return;
    for (guint i = 0; i < st->jobs->len; i++) {
        struct zoho_sim_job *job = g_ptr_array_index(st->jobs, i);
        if (!job->results && job->due_at <= now)
            complete_job(st, job);
    }
    forget_old_jobs(st);
}

/* The records of {"portal_invite":[{"data":[…]}, …]}, or NULL after answering. */
static GPtrArray *bulk_records(json_object *body, struct sim_response *resp)
{
    json_object *jobs = NULL;
    GPtrArray *records = g_ptr_array_new();
    if (json_object_object_get_ex(body, "portal_invite", &jobs) &&
        json_object_is_type(jobs, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(jobs); i++) {
            json_object *data = NULL;
            json_object_object_get_ex(json_object_array_get_idx(jobs, i), "data", &data);
            for (size_t k = 0;
                 json_object_is_type(data, json_type_array) && k < json_object_array_length(data);
                 k++)
                g_ptr_array_add(records, json_object_array_get_idx(data, k));
        }
    }
    GString *details = g_string_new("{");
    zoho_sim_detail_string(details, "api_name", "data");
    if (!records->len) {
        zoho_sim_detail_string(details, "json_path", "$.portal_invite[0].data");
        g_string_append_c(details, '}');
        zoho_sim_reply_error(resp, 400, "MANDATORY_NOT_FOUND", details->str,
                             "required field not found");
    } else if (records->len > ZOHO_SIM_BULK_INVITE_MAX) {
        zoho_sim_detail_raw(details, "limit", G_STRINGIFY(ZOHO_SIM_BULK_INVITE_MAX));
        g_string_append_c(details, '}');
        zoho_sim_reply_error(resp, 400, "LIMIT_EXCEEDED", details->str,
                             "a bulk invite job takes at most 100 records");
    } else {
        g_string_free(details, TRUE);
        return records;
    }
    g_string_free(details, TRUE);
    g_ptr_array_free(records, TRUE);
    return NULL;
}

/* POST /{module}/actions/portal_invite: schedules a job. */
void zoho_sim_invite_bulk(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                          struct sim_response *resp)
{
    if (!module_known(call, resp))
        return;
    json_object *body = zoho_sim_parse_body(call->req, resp);
    GPtrArray *records = body ? bulk_records(body, resp) : NULL;
    if (!records) {
        json_object_put(body);
        return;
    }
    struct zoho_sim_job *job = g_new0(struct zoho_sim_job, 1);
    job->id = zoho_sim_new_id(st);
    job->created_at = sim_now();
    job->due_at = job->created_at + JOB_BASE_SECONDS + JOB_SECONDS_PER_RECORD * records->len;
    job->invites = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_sim_invite_free);
    for (guint i = 0; i < records->len; i++) {
        json_object *record = g_ptr_array_index(records, i);
        struct zoho_sim_invite *item = g_new0(struct zoho_sim_invite, 1);
        item->record_id = field_copy(record, "id");
        item->user_type_id = field_copy(record, "user_type_id");
        item->type = field_copy(record, "type");
        item->language = field_copy(record, "language");
        g_ptr_array_add(job->invites, item);
    }
    g_ptr_array_add(st->jobs, job);
    st->pending_jobs++;
    g_ptr_array_free(records, TRUE);
    json_object_put(body);

    char job_id[ZOHO_SIM_ID_LEN];
    GString *entries = g_string_new(NULL);
    struct zoho_sim_outcome outcome = {200, "SCHEDULED",
                                       "Portal bulk invite scheduled successfully", "job_id",
                                       zoho_sim_id_text(job->id, job_id)};
    zoho_sim_append_outcome(entries, &outcome);
    zoho_sim_reply_list(resp, 200, "portal_invite", entries);
}

/* GET /{module}/actions/portal_invite?job_id=… */
void zoho_sim_invite_bulk_status(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                                 struct sim_response *resp)
{
    if (!module_known(call, resp))
        return;
    const char *job_id = sim_request_query(call->req, "job_id");
    uint64_t id = 0;
    if (!job_id || !job_id[0]) {
        zoho_sim_reply_missing_param(resp, "job_id");
        return;
    }
    struct zoho_sim_job *job = NULL;
    for (guint i = 0; zoho_sim_parse_id(job_id, &id) && !job && i < st->jobs->len; i++) {
        struct zoho_sim_job *candidate = g_ptr_array_index(st->jobs, i);
        if (candidate->id == id)
            job = candidate;
    }
    if (!job) {
        sim_response_empty(resp, 204);
        return;
    }
    char id_text[ZOHO_SIM_ID_LEN];
    GString *entries = g_string_new("{\"job_id\":");
    sim_json_append_string(entries, zoho_sim_id_text(job->id, id_text));
    g_string_append_printf(entries, ",\"status\":\"%s\",\"data\":%s}",
                           job->results ? "completed" : "in_progress",
                           job->results ? job->results : "null");
    zoho_sim_reply_list(resp, 200, "portal_invite", entries);
}
