/*
 * Valstorm v1 portals: the fields of every form portalctl offers for
 * Valstorm, as data. Sources: seeds 003/004 (the endpoints and schema names)
 * and shared/api/valstorm.md §3 (the schemas' fields and limits).
 *
 * Never: code beyond tables; the rules are applied by src/form/.
 */
#include <portalctl/vendor_fields.h>

#include <glib.h>

#define VALSTORM_PORTAL_NAME_MAX_LEN 100 /* "1-100 characters after trimming" */
#define VALSTORM_PERSON_NAME_MAX_LEN 100

/* ---- POST /v1/portal: PortalCreateRequest -------------------------------- */

static const struct field_spec create_portal_fields[] = {
    {
        .key = "name",
        .label = "Portal name",
        .type = FIELD_TEXT,
        .required = true,
        .min_len = 1,
        .max_len = VALSTORM_PORTAL_NAME_MAX_LEN,
        .help = "What people see as the portal's name, e.g. Customer Hub; 1 to 100 characters.",
    },
    {
        .key = "custom_domain",
        .label = "Custom domain",
        .type = FIELD_HOSTNAME,
        .help = "Optional: your own web address for the portal, e.g. help.acme.com; the host "
                "name only, without https:// or a path.",
    },
};

const struct form_spec valstorm_create_portal_form = {
    .id = "valstorm.create-portal",
    .title = "Create a Valstorm portal",
    .fields = create_portal_fields,
    .count = G_N_ELEMENTS(create_portal_fields),
};

/* ---- PATCH /v1/portal/{portal_id}: PortalUpdateRequest ------------------- */

static const struct field_spec update_portal_fields[] = {
    {
        .key = "name",
        .label = "New portal name",
        .type = FIELD_TEXT,
        .min_len = 1,
        .max_len = VALSTORM_PORTAL_NAME_MAX_LEN,
        .help = "Optional: a new name of 1 to 100 characters; leave empty to keep the current one.",
    },
    {
        .key = "custom_domain",
        .label = "New custom domain",
        .type = FIELD_HOSTNAME,
        .help = "Optional: a new web address such as help.acme.com; leave empty to keep the "
                "current one.",
    },
};

/* The vendor's own rule (422 "at least one of name or custom_domain is required"). */
static const char *const update_portal_changes[] = {"name", "custom_domain", NULL};

static const struct form_rule update_portal_rules[] = {
    {
        .kind = FORM_RULE_AT_LEAST_ONE_OF,
        .keys = update_portal_changes,
        .message = "nothing to change: give a new name, a new custom_domain, or both",
    },
};

const struct form_spec valstorm_update_portal_form = {
    .id = "valstorm.update-portal",
    .title = "Change a Valstorm portal",
    .fields = update_portal_fields,
    .count = G_N_ELEMENTS(update_portal_fields),
    .rules = update_portal_rules,
    .rule_count = G_N_ELEMENTS(update_portal_rules),
};

/* ---- POST /v1/portal/{portal_id}/users: one entry of "users" ------------ */

static const struct field_spec invite_user_fields[] = {
    {
        .key = "email",
        .label = "E-mail",
        .type = FIELD_EMAIL,
        .required = true,
        .help = "The person's e-mail address, e.g. ann@example.com; an existing Valstorm account "
                "with it is linked instead of invited.",
    },
    {
        .key = "first_name",
        .label = "First name",
        .type = FIELD_TEXT,
        .max_len = VALSTORM_PERSON_NAME_MAX_LEN,
        .help = "Optional, at most 100 characters.",
    },
    {
        .key = "last_name",
        .label = "Last name",
        .type = FIELD_TEXT,
        .max_len = VALSTORM_PERSON_NAME_MAX_LEN,
        .help = "Optional, at most 100 characters.",
    },
};

const struct form_spec valstorm_invite_user_form = {
    .id = "valstorm.invite-user",
    .title = "Invite a person to a Valstorm portal",
    .fields = invite_user_fields,
    .count = G_N_ELEMENTS(invite_user_fields),
};

/* ---- local: add an existing portal by id ---------------------------------
 * Valstorm has no endpoint that lists portals, so a portal made elsewhere is
 * added by its id. Ids are a prefix and base62 (shared/api/valstorm.md §3). */

static const struct field_spec add_portal_fields[] = {
    {
        .key = "portal_id",
        .label = "Portal id",
        .type = FIELD_TEXT,
        .required = true,
        .pattern = "^portal_[A-Za-z0-9]+$",
        .pattern_message = "must be a Valstorm portal id: portal_ followed by letters and digits, "
                           "such as portal_3kT9xQ2mZ7",
        .help = "The id Valstorm shows for the portal, e.g. portal_3kT9xQ2mZ7; Valstorm cannot "
                "list its portals, so existing ones are added by id.",
    },
};

const struct form_spec valstorm_add_portal_form = {
    .id = "valstorm.add-portal",
    .title = "Add an existing Valstorm portal",
    .fields = add_portal_fields,
    .count = G_N_ELEMENTS(add_portal_fields),
};

const struct form_spec *const valstorm_form_specs[] = {
    &valstorm_create_portal_form,
    &valstorm_update_portal_form,
    &valstorm_invite_user_form,
    &valstorm_add_portal_form,
    NULL,
};
