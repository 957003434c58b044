/*
 * bulk profiles: how each vendor does each bulk action, as data (operation,
 * form, batch size, concurrency, how an unclear failure is settled), plus
 * the CSV schema built from the vendor's form and the dry-run printers,
 * which use the adapters' own body builders so that what is shown is what
 * would be sent. Sources for the numbers: shared/api/valstorm.md §3 (1-100
 * users per invite request), zoho.md §6-7 (100 records per bulk invite job;
 * bulk work at most 10 requests in flight), ecgrid.md §7 (limits not
 * published: a polite default).
 *
 * Never: send, print, or show a password.
 */
#include "bulk_internal.h"

#include <portalctl/ecgrid_parse.h>
#include <portalctl/text.h>
#include <portalctl/valstorm_parse.h>
#include <portalctl/vendor_fields.h>
#include <portalctl/zoho_parse.h>

#include <string.h>

#define SHOWN_PASSWORD "<generated>"

/* ---- removal forms: who to remove, by id or by e-mail/login ------------------- */

static const char *const ecgrid_remove_keys[] = {"userId", "login", NULL};
static const char *const valstorm_remove_keys[] = {"id", "email", NULL};
static const char *const zoho_remove_keys[] = {"personality_id", "Email", NULL};

static const struct form_rule ecgrid_remove_rules[] = {
    {FORM_RULE_AT_LEAST_ONE_OF, ecgrid_remove_keys, "give the user's userId or login"},
};
static const struct form_rule valstorm_remove_rules[] = {
    {FORM_RULE_AT_LEAST_ONE_OF, valstorm_remove_keys, "give the member's id or email"},
};
static const struct form_rule zoho_remove_rules[] = {
    {FORM_RULE_AT_LEAST_ONE_OF, zoho_remove_keys, "give the user's personality_id or Email"},
};

static const struct field_spec ecgrid_remove_fields[] = {
    {.key = "userId",
     .label = "User number",
     .type = FIELD_INTEGER,
     .int_min = 1,
     .int_max = 2147483647,
     .help = "The ECGrid number of the user to terminate."},
    {.key = "login",
     .label = "Login",
     .type = FIELD_TEXT,
     .help = "The login of the user to terminate, when the number is not known."},
};
static const struct field_spec valstorm_remove_fields[] = {
    {.key = "id",
     .label = "User id",
     .type = FIELD_TEXT,
     .pattern = "^user_[A-Za-z0-9]+$",
     .pattern_message = "must be a Valstorm user id such as user_8Hq2LrT0aV",
     .help = "The member's Valstorm id."},
    {.key = "email",
     .label = "E-mail",
     .type = FIELD_EMAIL,
     .help = "The member's e-mail address, when the id is not known."},
};
static const struct field_spec zoho_remove_fields[] = {
    {.key = "personality_id",
     .label = "Portal user id",
     .type = FIELD_TEXT,
     .pattern = "^[0-9]+$",
     .pattern_message = "must be the digits of a Zoho id",
     .help = "The portal user's id (the contact's record id)."},
    {.key = "Email",
     .label = "E-mail",
     .type = FIELD_EMAIL,
     .help = "The portal user's e-mail address, when the id is not known."},
};

#define REMOVE_FORM(name, spec_id, spec_fields, spec_rules)                                        \
    static const struct form_spec name = {                                                         \
        .id = spec_id,                                                                             \
        .title = "Remove people",                                                                  \
        .fields = spec_fields,                                                                     \
        .count = G_N_ELEMENTS(spec_fields),                                                        \
        .rules = spec_rules,                                                                       \
        .rule_count = G_N_ELEMENTS(spec_rules),                                                    \
    }

REMOVE_FORM(ecgrid_remove_form, "ecgrid.bulk-remove", ecgrid_remove_fields, ecgrid_remove_rules);
REMOVE_FORM(valstorm_remove_form, "valstorm.bulk-remove", valstorm_remove_fields,
            valstorm_remove_rules);
REMOVE_FORM(zoho_remove_form, "zoho.bulk-remove", zoho_remove_fields, zoho_remove_rules);

/* ---- further columns ------------------------------------------------------------------- */

static const struct bulk_column ecgrid_create_columns[] = {
    {"password", BULK_COLUMN_REFUSED,
     "passwords are never read from a CSV file (it would keep them in clear on disk); remove "
     "the column and add --generate-passwords: each user gets a strong random password, shown "
     "once in the report file (mode 0600)"},
};
/* A removal file may be the very file the people were invited with. */
static const struct bulk_column ecgrid_remove_columns[] = {
    {"password", BULK_COLUMN_REFUSED, "a removal needs no password: remove the column"},
    {"email", BULK_COLUMN_IGNORED, NULL},
    {"firstName", BULK_COLUMN_IGNORED, NULL},
    {"lastName", BULK_COLUMN_IGNORED, NULL},
    {"networkId", BULK_COLUMN_IGNORED, NULL},
    {"mailboxId", BULK_COLUMN_IGNORED, NULL},
    {"authLevel", BULK_COLUMN_IGNORED, NULL},
};
static const struct bulk_column valstorm_remove_columns[] = {
    {"first_name", BULK_COLUMN_IGNORED, NULL},
    {"last_name", BULK_COLUMN_IGNORED, NULL},
};
static const struct bulk_column zoho_remove_columns[] = {
    {"First_Name", BULK_COLUMN_IGNORED, NULL},
    {"Last_Name", BULK_COLUMN_IGNORED, NULL},
    {"user_type_id", BULK_COLUMN_IGNORED, NULL},
    {"type", BULK_COLUMN_IGNORED, NULL},
};

/* ---- dry-run printers ------------------------------------------------------------------ */

/* The rows that would be sent, in file order (borrowed). */
static GPtrArray *waiting_rows(const struct bulk_plan *plan)
{
    GPtrArray *rows = g_ptr_array_new();
    for (guint i = 0; i < plan->rows->len; i++) {
        struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        if (row->status == BULK_STATUS_WAITING)
            g_ptr_array_add(rows, row);
    }
    return rows;
}

/* {"lines":[…],"method":…,"path":… — the caller adds the rest and "}\n". */
static void begin_request(GString *out, GPtrArray *rows, guint first, guint count,
                          const char *method, const char *path)
{
    g_string_append(out, "{\"lines\":[");
    for (guint i = 0; i < count; i++) {
        const struct bulk_row *row = g_ptr_array_index(rows, first + i);
        g_string_append_printf(out, "%s%u", i ? "," : "", row->line);
    }
    g_string_append(out, "],\"method\":");
    text_append_json_string(out, method);
    g_string_append(out, ",\"path\":");
    text_append_json_string(out, path);
}

static char *segment(const char *value)
{
    return g_uri_escape_string(value ? value : "", NULL, FALSE);
}

static void describe_valstorm_invite(const struct bulk_plan *plan, GString *out)
{
    GPtrArray *rows = waiting_rows(plan);
    char *portal = segment(plan->portal_id);
    char *path = g_strdup_printf("/v1/portal/%s/users", portal);
    guint batch = (guint)plan->profile->rows_per_job;
    struct form_values **values = g_new0(struct form_values *, batch);
    int *indices = g_new0(int, batch);
    for (guint start = 0; start < rows->len; start += batch) {
        guint count = MIN(batch, rows->len - start);
        for (guint i = 0; i < count; i++) {
            values[i] = ((struct bulk_row *)g_ptr_array_index(rows, start + i))->values;
            indices[i] = (int)i;
        }
        char *body = valstorm_invite_body(values, indices, count);
        begin_request(out, rows, start, count, "POST", path);
        g_string_append_printf(out, ",\"body\":%s}\n", body);
        g_free(body);
    }
    g_free(indices);
    g_free(values);
    g_free(path);
    g_free(portal);
    g_ptr_array_unref(rows);
}

static void describe_ecgrid_create(const struct bulk_plan *plan, GString *out)
{
    GPtrArray *rows = waiting_rows(plan);
    for (guint i = 0; i < rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(rows, i);
        struct form_values *values = form_values_copy(row->values);
        form_values_set(values, "password", SHOWN_PASSWORD);
        if (plan->portal_id && !form_values_get(values, "mailboxId"))
            form_values_set(values, "mailboxId", plan->portal_id);
        char *body = ecgrid_body_from_form(&ecgrid_create_user_form, values);
        begin_request(out, rows, i, 1, "POST", "/v2/users");
        g_string_append_printf(out, ",\"body\":%s}\n", body ? body : "null");
        g_free(body);
        form_values_free(values);
    }
    g_ptr_array_unref(rows);
}

static void describe_zoho_contacts(GPtrArray *rows, GString *out)
{
    for (guint i = 0; i < rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(rows, i);
        char *email = segment(form_values_get(row->values, "Email"));
        char *search = g_strdup_printf("/crm/v7/Contacts/search?email=%s", email);
        begin_request(out, rows, i, 1, "GET", search);
        g_string_append(out, "}\n");
        char *contact = zoho_contact_body(row->values);
        begin_request(out, rows, i, 1, "POST", "/crm/v7/Contacts");
        g_string_append_printf(out, ",\"only_if\":\"no contact has this e-mail\",\"body\":%s}\n",
                               contact);
        g_free(contact);
        g_free(search);
        g_free(email);
    }
}

static void describe_zoho_invite(const struct bulk_plan *plan, GString *out)
{
    GPtrArray *rows = waiting_rows(plan);
    char *portal = segment(plan->portal_id);
    char *types = g_strdup_printf("/crm/v7/settings/portals/%s/user_type", portal);
    begin_request(out, rows, 0, 0, "GET", types);
    g_string_append(out, "}\n");
    describe_zoho_contacts(rows, out);
    guint batch = (guint)plan->profile->rows_per_job;
    struct zoho_invite_item *items = g_new0(struct zoho_invite_item, batch);
    char **ids = g_new0(char *, batch + 1);
    for (guint start = 0; start < rows->len; start += batch) {
        guint count = MIN(batch, rows->len - start);
        for (guint k = 0; k < count; k++) {
            const struct bulk_row *row = g_ptr_array_index(rows, start + k);
            const char *type = form_values_get(row->values, "user_type_id");
            g_free(ids[k]);
            ids[k] = g_strdup_printf("<contact id of line %u>", row->line);
            items[k] =
                (struct zoho_invite_item){ids[k], type ? type : "<the portal's default type>",
                                          form_values_get(row->values, "type")};
        }
        char *body = zoho_bulk_invite_body(items, count);
        begin_request(out, rows, start, count, "POST", "/crm/v7/Contacts/actions/portal_invite");
        g_string_append_printf(out, ",\"body\":%s}\n", body);
        g_free(body);
    }
    g_strfreev(ids);
    g_free(items);
    g_free(types);
    g_free(portal);
    g_ptr_array_unref(rows);
}

static const struct {
    enum config_vendor vendor;
    const char *list_method;
    const char *list;   /* %s: the portal */
    const char *remove; /* %s: the portal, %s: the id */
} remove_paths[] = {
    {CONFIG_VENDOR_ECGRID, "POST", "/v2/users/list", "/v2/users/%.0s%s"},
    {CONFIG_VENDOR_VALSTORM, "GET", "/v1/portal/%s/users", "/v1/portal/%s/users/%s"},
    {CONFIG_VENDOR_ZOHO, "GET", "/crm/v7/settings/portals/%s/user_type/{type}/users",
     "/crm/v7/settings/portals/%s/user_type/{type}/users?personality_ids=%s"},
};

static void describe_remove(const struct bulk_plan *plan, GString *out)
{
    size_t v = 0;
    while (v + 1 < G_N_ELEMENTS(remove_paths) && remove_paths[v].vendor != plan->profile->vendor)
        v++;
    GPtrArray *rows = waiting_rows(plan);
    char *portal = segment(plan->portal_id);
    char *list_path = g_strdup_printf(remove_paths[v].list, portal);
    begin_request(out, rows, 0, 0, remove_paths[v].list_method, list_path);
    g_string_append(out, ",\"why\":\"find the members and their ids\"}\n");
    for (guint i = 0; i < rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(rows, i);
        const char *id = form_values_get(row->values, plan->profile->id_field);
        char *shown = id ? segment(id) : g_strdup_printf("<id of line %u>", row->line);
        char *path = g_strdup_printf(remove_paths[v].remove, portal, shown);
        begin_request(out, rows, i, 1, "DELETE", path);
        g_string_append(out, ",\"only_if\":\"a member\"}\n");
        g_free(path);
        g_free(shown);
    }
    g_free(list_path);
    g_free(portal);
    g_ptr_array_unref(rows);
}

/* ---- the profiles ------------------------------------------------------------------------- */

static const struct bulk_profile profiles[] = {
    {
        .vendor = CONFIG_VENDOR_VALSTORM,
        .action = BULK_INVITE,
        .op = VOP_INVITE_USERS,
        .form = &valstorm_invite_user_form,
        .identity_field = "email",
        .identity_is_email = true,
        .rows_per_job = 100, /* PortalUserInviteRequest: 1-100 users */
        /* Valstorm publishes no limit. 8 batches of 100 keep a 20-50 ms round
         * trip busy while the client's own work per batch (1.5-3 ms: building,
         * parsing and journaling 100 rows) stays well below it; the runner
         * uses fewer when fewer finish as soon (10 batches: 5 at a time). */
        .default_concurrency = 8,
        .max_concurrency = 16,
        .requests_per_job = 1,
        .resend_is_safe = true,
        .what = "a Valstorm invitation file",
        .done_outcome = "invited",
        .describe = describe_valstorm_invite,
    },
    {
        .vendor = CONFIG_VENDOR_ZOHO,
        .action = BULK_INVITE,
        .op = VOP_INVITE_USERS,
        .form = &zoho_invite_user_form,
        .identity_field = "Email",
        .identity_is_email = true,
        .rows_per_job = 100, /* a bulk invite job takes 100 records */
        /* Each job keeps up to 4 contact look-ups in flight: 2 jobs stay within
         * the 10 requests the contract allows bulk work. */
        .default_concurrency = 2,
        .max_concurrency = 5,
        .requests_per_job = 4,
        .resend_is_safe = true,
        .what = "a Zoho invitation file",
        .done_outcome = "invited",
        .describe = describe_zoho_invite,
    },
    {
        .vendor = CONFIG_VENDOR_ECGRID,
        .action = BULK_CREATE,
        .op = VOP_CREATE_USER,
        .form = &ecgrid_create_user_form,
        .columns = ecgrid_create_columns,
        .column_count = G_N_ELEMENTS(ecgrid_create_columns),
        .identity_field = "login",
        .rows_per_job = 1, /* POST /v2/users creates one user */
        .default_concurrency = 8,
        .max_concurrency = 32,
        .requests_per_job = 1,
        .recheck_by_lookup = true,
        .what = "an ECGrid user file",
        .done_outcome = "created",
        .describe = describe_ecgrid_create,
    },
    {
        .vendor = CONFIG_VENDOR_ECGRID,
        .action = BULK_REMOVE,
        .op = VOP_REMOVE_USER,
        .form = &ecgrid_remove_form,
        .columns = ecgrid_remove_columns,
        .column_count = G_N_ELEMENTS(ecgrid_remove_columns),
        .one_of = ecgrid_remove_keys,
        .identity_field = "login",
        .id_field = "userId",
        .rows_per_job = 1,
        .default_concurrency = 8,
        .max_concurrency = 32,
        .requests_per_job = 1,
        .list_first = true,
        .what = "an ECGrid removal file",
        .done_outcome = "removed",
        .describe = describe_remove,
    },
    {
        .vendor = CONFIG_VENDOR_VALSTORM,
        .action = BULK_REMOVE,
        .op = VOP_REMOVE_USER,
        .form = &valstorm_remove_form,
        .columns = valstorm_remove_columns,
        .column_count = G_N_ELEMENTS(valstorm_remove_columns),
        .one_of = valstorm_remove_keys,
        .identity_field = "email",
        .id_field = "id",
        .identity_is_email = true,
        .rows_per_job = 1,
        .default_concurrency = 8,
        .max_concurrency = 32,
        .requests_per_job = 1,
        .list_first = true,
        .what = "a Valstorm removal file",
        .done_outcome = "removed",
        .describe = describe_remove,
    },
    {
        .vendor = CONFIG_VENDOR_ZOHO,
        .action = BULK_REMOVE,
        .op = VOP_REMOVE_USER,
        .form = &zoho_remove_form,
        .columns = zoho_remove_columns,
        .column_count = G_N_ELEMENTS(zoho_remove_columns),
        .one_of = zoho_remove_keys,
        .identity_field = "Email",
        .id_field = "personality_id",
        .identity_is_email = true,
        .rows_per_job = 1,
        .default_concurrency = 4,
        .max_concurrency = 10,
        .requests_per_job = 2,
        .list_first = true,
        .what = "a Zoho removal file",
        .done_outcome = "removed",
        .describe = describe_remove,
    },
};

const struct bulk_profile *bulk_profile_find(enum config_vendor vendor, enum bulk_action action)
{
    for (size_t i = 0; i < G_N_ELEMENTS(profiles); i++) {
        if (profiles[i].vendor == vendor && profiles[i].action == action)
            return &profiles[i];
    }
    return NULL;
}

/* ---- schema and values ------------------------------------------------------------------- */

struct bulk_csv_schema *bulk_profile_schema(const struct bulk_profile *profile)
{
    const struct form_spec *form = profile->form;
    struct bulk_column *columns = g_new0(struct bulk_column, form->count + profile->column_count);
    size_t n = 0;
    for (size_t i = 0; i < profile->column_count; i++)
        columns[n++] = profile->columns[i];
    for (size_t i = 0; i < form->count; i++) {
        const struct field_spec *field = &form->fields[i];
        bool refused = false;
        for (size_t k = 0; k < profile->column_count; k++)
            refused = refused || strcmp(profile->columns[k].key, field->key) == 0;
        if (refused)
            continue;
        bool required = field->required && !field->default_value;
        columns[n++] = (struct bulk_column){
            field->key, required ? BULK_COLUMN_REQUIRED : BULK_COLUMN_OPTIONAL, NULL};
    }
    struct bulk_csv_schema *schema = g_new0(struct bulk_csv_schema, 1);
    schema->columns = columns;
    schema->count = n;
    schema->one_of = profile->one_of;
    schema->what = profile->what;
    return schema;
}

void bulk_profile_schema_free(struct bulk_csv_schema *schema)
{
    if (!schema)
        return;
    g_free((struct bulk_column *)schema->columns);
    g_free(schema);
}

struct form_values *bulk_row_request_values(const struct bulk_plan *plan,
                                            const struct bulk_row *row)
{
    struct form_values *values = form_values_copy(row->values);
    if (plan->action == BULK_CREATE && row->password)
        form_values_set(values, "password", row->password);
    return values;
}
