/*
 * Zoho CRM v7 client portals: the fields of every form portalctl offers for
 * Zoho, as data. Sources: seed 002 (create portal: name mandatory, unique,
 * only alphanumeric characters) and shared/api/zoho.md (6-30 characters from
 * Zoho's OpenAPI, rename, invite, contacts).
 *
 * Inviting a person is two steps at Zoho: find (or create) the contact with
 * that e-mail, then invite the contact. Zoho requires Last_Name only when the
 * contact has to be created, which portalctl learns from the search. So the
 * invite form keeps Last_Name optional, and zoho_contact_form (Last_Name
 * required) is checked in addition, on the contact fields alone
 * (form_values_select()), when no contact exists yet.
 *
 * Never: code beyond tables; the rules are applied by src/form/.
 */
#include <portalctl/vendor_fields.h>

#include <glib.h>

#define ZOHO_PORTAL_NAME_MIN_LEN 6
#define ZOHO_PORTAL_NAME_MAX_LEN 30
/* Seed 002 says "only alphanumeric characters" and gives no pattern; this is
 * that sentence as a pattern. Decision: ASCII letters and digits only, since
 * the name becomes part of the portal's web address. */
#define ZOHO_PORTAL_NAME_PATTERN "^[A-Za-z0-9]+$"
#define ZOHO_PORTAL_NAME_RULE                                                                      \
    "may contain only letters A-Z, a-z and digits 0-9: no spaces or symbols"

#define ZOHO_PORTAL_NAME_FIELD(field_label, field_help)                                            \
    {                                                                                              \
        .key = "name", .label = field_label, .type = FIELD_TEXT, .required = true,                 \
        .min_len = ZOHO_PORTAL_NAME_MIN_LEN, .max_len = ZOHO_PORTAL_NAME_MAX_LEN,                  \
        .pattern = ZOHO_PORTAL_NAME_PATTERN, .pattern_message = ZOHO_PORTAL_NAME_RULE,             \
        .help = field_help,                                                                        \
    }

/* ---- POST /settings/portals (seed 002) ---------------------------------- */

static const struct field_spec create_portal_fields[] = {
    ZOHO_PORTAL_NAME_FIELD("Portal name",
                           "6 to 30 letters and digits, no spaces, e.g. CustomerHub. It must be "
                           "new in your Zoho organisation."),
};

const struct form_spec zoho_create_portal_form = {
    .id = "zoho.create-portal",
    .title = "Create a Zoho portal",
    .fields = create_portal_fields,
    .count = G_N_ELEMENTS(create_portal_fields),
};

/* ---- PUT /settings/portals/{portal_name} -------------------------------- */

static const struct field_spec rename_portal_fields[] = {
    ZOHO_PORTAL_NAME_FIELD("New portal name",
                           "6 to 30 letters and digits, no spaces. After the rename the old name "
                           "no longer works."),
};

const struct form_spec zoho_rename_portal_form = {
    .id = "zoho.rename-portal",
    .title = "Rename a Zoho portal",
    .fields = rename_portal_fields,
    .count = G_N_ELEMENTS(rename_portal_fields),
};

/* ---- invite: Contacts search/insert, then portal_invite ----------------- */

static const char *const invite_types[] = {"invite", "reinvite", NULL};

#define ZOHO_CONTACT_EMAIL_FIELD                                                                   \
    {                                                                                              \
        .key = "Email", .label = "E-mail", .type = FIELD_EMAIL, .required = true,                  \
        .help = "The person's e-mail address, e.g. ann@example.com; the invitation goes there.",   \
    }

#define ZOHO_CONTACT_FIRST_NAME_FIELD                                                              \
    {                                                                                              \
        .key = "First_Name", .label = "First name", .type = FIELD_TEXT,                            \
        .help = "Optional: used only when Zoho has no contact with this e-mail yet.",              \
    }

static const struct field_spec invite_user_fields[] = {
    ZOHO_CONTACT_EMAIL_FIELD,
    ZOHO_CONTACT_FIRST_NAME_FIELD,
    {
        .key = "Last_Name",
        .label = "Last name",
        .type = FIELD_TEXT,
        .help = "Needed when Zoho has no contact with this e-mail yet: portalctl then creates "
                "one, and Zoho requires a last name.",
    },
    {
        .key = "user_type_id",
        .label = "User type id",
        .type = FIELD_TEXT,
        /* Zoho ids are long digit strings: kept as text, never as numbers. */
        .pattern = "^[0-9]+$",
        .pattern_message = "must be the digits of a Zoho id, such as 3652397000006231003",
        .help = "Optional: leave empty to use the portal's default user type.",
    },
    {
        .key = "type",
        .label = "Invitation",
        .type = FIELD_ENUM,
        .allowed_values = invite_types,
        .default_value = "invite",
        .help = "invite for someone new to the portal; reinvite to send the invitation again to "
                "someone who has not accepted it.",
    },
};

const struct form_spec zoho_invite_user_form = {
    .id = "zoho.invite-user",
    .title = "Invite a person to a Zoho portal",
    .fields = invite_user_fields,
    .count = G_N_ELEMENTS(invite_user_fields),
};

/* ---- POST /Contacts: only when the search found no contact --------------- */

static const struct field_spec contact_fields[] = {
    ZOHO_CONTACT_EMAIL_FIELD,
    ZOHO_CONTACT_FIRST_NAME_FIELD,
    {
        .key = "Last_Name",
        .label = "Last name",
        .type = FIELD_TEXT,
        .required = true, /* shared/api/zoho.md: MANDATORY_NOT_FOUND otherwise */
        .help = "Zoho has no contact with this e-mail yet, and needs a last name to create one.",
    },
};

const struct form_spec zoho_contact_form = {
    .id = "zoho.create-contact",
    .title = "Create the Zoho contact to invite",
    .fields = contact_fields,
    .count = G_N_ELEMENTS(contact_fields),
};

const struct form_spec *const zoho_form_specs[] = {
    &zoho_create_portal_form,
    &zoho_rename_portal_form,
    &zoho_invite_user_form,
    &zoho_contact_form,
    NULL,
};
