/*
 * bulk planning: from a request and its CSV file to rows that are checked,
 * keyed and merged with the journal of earlier runs, before anything is
 * sent. Every row is checked with the vendor's form spec (the same check as
 * the console's form and the one-user command), and each problem is listed
 * as FILE:LINE: field: message. Never: network, printing.
 */
#include "bulk_internal.h"

#include <portalctl/secrets.h>
#include <portalctl/text.h>

#include <string.h>

static const char *const action_names[] = {
    [BULK_INVITE] = "invite", [BULK_CREATE] = "create", [BULK_REMOVE] = "remove"};

const char *bulk_action_name(enum bulk_action action)
{
    return (size_t)action < G_N_ELEMENTS(action_names) ? action_names[action] : "?";
}

static const char *const status_names[] = {
    [BULK_STATUS_INVALID] = "invalid",      [BULK_STATUS_WAITING] = "waiting",
    [BULK_STATUS_RUNNING] = "running",      [BULK_STATUS_DONE] = "done",
    [BULK_STATUS_EARLIER] = "done-earlier", [BULK_STATUS_FAILED] = "failed",
    [BULK_STATUS_NOT_SENT] = "not-sent",
};

const char *bulk_status_name(enum bulk_status status)
{
    return (size_t)status < G_N_ELEMENTS(status_names) ? status_names[status] : "?";
}

/* ---- rows ------------------------------------------------------------------------ */

static void free_row(gpointer data)
{
    struct bulk_row *row = data;
    form_values_free(row->values);
    g_free(row->identity);
    g_free(row->key);
    g_free(row->earlier_run);
    g_free(row->outcome);
    g_free(row->vendor_id);
    g_free(row->error);
    secret_value_free(row->password);
    g_free(row);
}

void bulk_plan_free(struct bulk_plan *plan)
{
    if (!plan)
        return;
    g_free(plan->connection);
    g_free(plan->portal_id);
    g_free(plan->csv_path);
    g_ptr_array_unref(plan->rows);
    g_ptr_array_unref(plan->problems);
    g_free(plan);
}

const char *bulk_plan_operation(const struct bulk_plan *plan)
{
    return vendor_op_name(plan->profile->op);
}

unsigned bulk_plan_default_concurrency(const struct bulk_plan *plan)
{
    return plan->profile->default_concurrency;
}

unsigned bulk_plan_max_concurrency(const struct bulk_plan *plan)
{
    return plan->profile->max_concurrency;
}

unsigned bulk_plan_requests_per_job(const struct bulk_plan *plan)
{
    return plan->profile->requests_per_job;
}

char *bulk_plan_describe(const struct bulk_plan *plan)
{
    GString *out = g_string_new(NULL);
    plan->profile->describe(plan, out);
    return g_string_free(out, FALSE);
}

/* ---- checking ---------------------------------------------------------------------- */

/* Lists a problem of a row, and keeps it as the row's error for the report. */
static void add_problem(struct bulk_plan *plan, struct bulk_row *row, const char *field,
                        const char *message)
{
    unsigned line = row->line;
    char *clean = text_sanitize(message);
    char *key = field ? text_sanitize(field) : NULL;
    char *own = key ? g_strdup_printf("%s: %s", key, clean) : g_strdup(clean);
    char *joined = row->error ? g_strdup_printf("%s; %s", row->error, own) : g_strdup(own);
    g_free(row->error);
    row->error = joined;
    g_free(own);
    g_ptr_array_add(plan->problems,
                    key ? g_strdup_printf("%s:%u: %s: %s", plan->csv_path, line, key, clean)
                        : g_strdup_printf("%s:%u: %s", plan->csv_path, line, clean));
    g_free(key);
    g_free(clean);
}

/* Checks a row with the vendor's form; for a create, with the password it
 * will be sent with. */
static bool check_row(struct bulk_plan *plan, struct bulk_row *row)
{
    const struct form_spec *form = plan->profile->form;
    form_apply_defaults(form, row->values);
    struct form_values *checked = bulk_row_request_values(plan, row);
    struct form_errors *errors = form_errors_new();
    bool ok = form_validate(form, checked, errors);
    for (size_t i = 0; i < form_errors_count(errors); i++)
        add_problem(plan, row, form_errors_key_at(errors, i), form_errors_message_at(errors, i));
    form_errors_free(errors);
    form_values_free(checked);
    if (ok)
        form_normalize(form, row->values);
    return ok;
}

/* What the row is about, as the journal keys it: the vendor id when the
 * row gives one (removal), else the e-mail (lower-cased) or login. */
static char *row_identity(const struct bulk_profile *profile, const struct form_values *values)
{
    const char *id = profile->id_field ? form_values_get(values, profile->id_field) : NULL;
    if (id && id[0])
        return g_strdup(id);
    const char *identity = form_values_get(values, profile->identity_field);
    if (!identity)
        return g_strdup("");
    return profile->identity_is_email ? g_ascii_strdown(identity, -1) : g_strdup(identity);
}

static void key_rows(struct bulk_plan *plan)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < plan->rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        if (row->status == BULK_STATUS_INVALID)
            continue;
        row->identity = row_identity(plan->profile, row->values);
        row->key = bulk_journal_key(plan->connection, bulk_plan_operation(plan), plan->portal_id,
                                    row->identity);
        struct bulk_row *first = g_hash_table_lookup(seen, row->key);
        if (first) {
            char *message =
                g_strdup_printf("the same person as line %u: each person once", first->line);
            add_problem(plan, row, plan->profile->identity_field, message);
            g_free(message);
            row->status = BULK_STATUS_INVALID;
            plan->invalid++;
        } else {
            g_hash_table_insert(seen, row->key, row);
        }
    }
    g_hash_table_unref(seen);
}

static void take_rows(struct bulk_plan *plan, struct bulk_csv *csv)
{
    for (guint i = 0; i < csv->rows->len; i++) {
        struct bulk_csv_row *source = g_ptr_array_index(csv->rows, i);
        struct bulk_row *row = g_new0(struct bulk_row, 1);
        row->line = source->line;
        row->values = source->values;
        source->values = form_values_new();
        row->status = BULK_STATUS_WAITING;
        if (plan->action == BULK_CREATE && !(row->password = bulk_generate_password()))
            add_problem(plan, row, "password", "the system's random source failed");
        if (source->broken) /* the reader listed why */
            row->error = g_strdup("not a valid CSV row");
        if (source->broken || row->error || !check_row(plan, row)) {
            row->status = BULK_STATUS_INVALID;
            plan->invalid++;
        }
        g_ptr_array_add(plan->rows, row);
    }
    key_rows(plan);
}

/* Problems in file order: the CSV reader's first, then the rows'. */
static gint by_line(gconstpointer a, gconstpointer b, gpointer path_length)
{
    const char *x = *(const char *const *)a + GPOINTER_TO_SIZE(path_length) + 1;
    const char *y = *(const char *const *)b + GPOINTER_TO_SIZE(path_length) + 1;
    return (gint)(strtoul(x, NULL, 10) > strtoul(y, NULL, 10)) -
           (gint)(strtoul(x, NULL, 10) < strtoul(y, NULL, 10));
}

/* ---- the request ----------------------------------------------------------------------- */

static bool check_request(const struct bulk_request *request, const struct vendor_ops *vendor,
                          const struct bulk_profile *profile, GError **error)
{
    const char *title = vendor ? vendor->title : config_vendor_name(request->connection->vendor);
    if (!vendor || !profile || !vendor_find_operation(vendor, profile->op)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "%s has no bulk '%s' from a CSV file%s", title,
                    bulk_action_name(request->action),
                    request->action == BULK_CREATE   ? " (use 'users invite')"
                    : request->action == BULK_INVITE ? " (ECGrid: use 'users create')"
                                                     : "");
        return false;
    }
    const struct vendor_operation *op = vendor_find_operation(vendor, profile->op);
    if (op->needs_portal && !(request->portal_id && request->portal_id[0])) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "users %s --csv needs --portal (the %s)", bulk_action_name(request->action),
                    vendor->portal_noun);
        return false;
    }
    if (request->action == BULK_CREATE && !request->generate_passwords) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "each new %s user needs a first password, and portalctl never reads "
                    "passwords from a CSV file: add --generate-passwords (each user gets a "
                    "strong random password, shown once in the --report file, mode 0600)",
                    title);
        return false;
    }
    return true;
}

struct bulk_plan *bulk_plan_new(const struct bulk_request *request, GPtrArray *problems,
                                GError **error)
{
    const struct vendor_ops *vendor = vendor_by_id(request->connection->vendor);
    const struct bulk_profile *profile =
        bulk_profile_find(request->connection->vendor, request->action);
    if (!check_request(request, vendor, profile, error))
        return NULL;
    struct bulk_csv_schema *schema = bulk_profile_schema(profile);
    struct bulk_csv *csv = bulk_csv_read_file(request->csv_path, schema, problems, error);
    bulk_profile_schema_free(schema);
    if (!csv)
        return NULL;
    struct bulk_plan *plan = g_new0(struct bulk_plan, 1);
    plan->action = request->action;
    plan->profile = profile;
    plan->vendor = vendor;
    plan->connection = g_strdup(request->connection->name);
    plan->portal_id = g_strdup(request->portal_id);
    plan->csv_path = g_strdup(request->csv_path);
    plan->generate_passwords = request->generate_passwords;
    plan->retry_refused = request->retry_refused;
    plan->rows = g_ptr_array_new_with_free_func(free_row);
    plan->problems = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < problems->len; i++) /* the reader's problems of single rows */
        g_ptr_array_add(plan->problems, g_strdup(g_ptr_array_index(problems, i)));
    take_rows(plan, csv);
    g_ptr_array_sort_with_data(plan->problems, by_line, GSIZE_TO_POINTER(strlen(plan->csv_path)));
    bulk_csv_free(csv);
    return plan;
}

/* ---- the journal -------------------------------------------------------------------------- */

char *bulk_row_content_digest(const struct bulk_row *row)
{
    size_t n = form_values_count(row->values);
    const char **keys = g_new0(const char *, n + 1);
    const char **values = g_new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        keys[i] = form_values_key_at(row->values, i);
        values[i] = form_values_value_at(row->values, i);
    }
    char *digest = bulk_journal_content_digest(keys, values, n);
    g_free(values);
    g_free(keys);
    return digest;
}

/* Refused for good by an earlier run, and the row is as it was then. */
static bool refused_unchanged(const struct bulk_row *row, const struct bulk_journal_entry *entry)
{
    if (entry->state != BULK_ROW_FAILED || !entry->permanent || !entry->content)
        return false;
    char *content = bulk_row_content_digest(row);
    bool same = strcmp(content, entry->content) == 0;
    g_free(content);
    return same;
}

static void keep_refusal(struct bulk_row *row, const struct bulk_journal_entry *entry)
{
    row->status = BULK_STATUS_FAILED;
    row->permanent = true;
    g_free(row->outcome);
    row->outcome = g_strdup("refused");
    g_free(row->error);
    row->error = g_strdup_printf("refused by the vendor in an earlier run (%s), not sent again: "
                                 "%s; correct the row, or use --retry-refused",
                                 entry->run ? entry->run : "?",
                                 entry->error ? entry->error : "no reason given");
}

void bulk_plan_apply_journal(struct bulk_plan *plan, const struct bulk_journal *journal)
{
    for (guint i = 0; i < plan->rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        const struct bulk_journal_entry *entry =
            row->key ? bulk_journal_lookup(journal, row->key) : NULL;
        if (row->status != BULK_STATUS_WAITING || !entry)
            continue;
        row->earlier = entry->state;
        g_free(row->earlier_run);
        row->earlier_run = g_strdup(entry->run);
        row->earlier_secret = entry->secret;
        row->touched = entry->state == BULK_ROW_PENDING || entry->state == BULK_ROW_AMBIGUOUS;
        /* It may have reached the vendor: a create is looked up first. */
        if (row->touched && plan->profile->recheck_by_lookup)
            row->step = BULK_STEP_RECHECK;
        if (!plan->retry_refused && refused_unchanged(row, entry))
            keep_refusal(row, entry);
        if (entry->state != BULK_ROW_DONE)
            continue;
        g_free(row->outcome);
        g_free(row->vendor_id);
        row->outcome = g_strdup(entry->outcome);
        row->vendor_id = g_strdup(entry->vendor_id);
        /* A password nobody has seen (its run never wrote a report): the row
         * gets a new one in this run instead of being skipped. */
        bool unseen_password = entry->secret && !bulk_journal_run_reported(journal, entry->run);
        if (plan->action == BULK_CREATE && unseen_password && row->vendor_id)
            row->step = BULK_STEP_PASSWORD;
        else
            row->status = BULK_STATUS_EARLIER;
    }
}
