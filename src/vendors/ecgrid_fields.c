/*
 * ECGrid REST v2: the fields of every form portalctl offers for ECGrid, as
 * data. Sources: seed 000 (create portal), seed 001 (create user, password
 * pattern, AuthLevel) and shared/api/ecgrid.md (update, role, password).
 *
 * Never: code beyond tables; the rules are applied by src/form/.
 */
#include <portalctl/vendor_fields.h>

#include <glib.h>

/* Decision: ECGrid ids are C# ints in the vendor's examples, so a positive
 * 32-bit number; anything else cannot name an object. */
#define ECGRID_ID_MIN 1
#define ECGRID_ID_MAX 2147483647

/* Seed 001, verbatim. PCRE look-aheads: GRegex, not POSIX regex. */
#define ECGRID_PASSWORD_PATTERN "^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)(?=.*[^a-zA-Z0-9]).+$"
#define ECGRID_PASSWORD_RULE                                                                       \
    "must contain a lower-case letter, an upper-case letter, a digit and a special character"
/* ECGridOS password rule: at least 8 characters (shared/api/ecgrid.md §6). */
#define ECGRID_PASSWORD_MIN_LEN 8
#define ECGRID_NAME_MAX_LEN     50

/* Seed 001 / ECGridOS definition, highest first. NoChange ("keep the current
 * level", updates only) is left out on purpose: no form here needs it, and a
 * set-role that keeps the role would be a request that does nothing. */
const char *const ecgrid_auth_levels[] = {
    "Root",         "TechOps",     "NetOps", "NetworkAdmin", "NetworkUser",
    "MailboxAdmin", "MailboxUser", "TPUser", "General",      NULL,
};

#define ECGRID_USER_ID_FIELD                                                                       \
    {                                                                                              \
        .key = "userId", .label = "User number", .type = FIELD_INTEGER, .required = true,          \
        .int_min = ECGRID_ID_MIN, .int_max = ECGRID_ID_MAX, .from_context = true,                  \
        .help = "The ECGrid number of the user, taken from the user you selected.",                \
    }

#define ECGRID_PASSWORD_FIELD(field_key, field_label, field_help)                                  \
    {                                                                                              \
        .key = field_key, .label = field_label, .type = FIELD_PASSWORD, .required = true,          \
        .min_len = ECGRID_PASSWORD_MIN_LEN, .pattern = ECGRID_PASSWORD_PATTERN,                    \
        .pattern_message = ECGRID_PASSWORD_RULE, .secret = true, .help = field_help,               \
    }

#define ECGRID_NAME_FIELD(field_key, field_label, field_help)                                      \
    {                                                                                              \
        .key = field_key, .label = field_label, .type = FIELD_TEXT,                                \
        .max_len = ECGRID_NAME_MAX_LEN, .help = field_help,                                        \
    }

/* ---- POST /v2/portals/create (seed 000) --------------------------------- */

static const struct field_spec create_portal_fields[] = {
    {
        .key = "mailboxId",
        .label = "Mailbox number",
        .type = FIELD_INTEGER,
        .required = true,
        .int_min = ECGRID_ID_MIN,
        .int_max = ECGRID_ID_MAX,
        .help = "The number of the mailbox that gets the portal, e.g. 7890. A mailbox has at "
                "most one portal.",
    },
};

const struct form_spec ecgrid_create_portal_form = {
    .id = "ecgrid.create-portal",
    .title = "Create an ECGrid portal",
    .fields = create_portal_fields,
    .count = G_N_ELEMENTS(create_portal_fields),
};

/* ---- POST /v2/users (seed 001) ------------------------------------------ */

static const struct field_spec create_user_fields[] = {
    {
        .key = "login",
        .label = "Login",
        .type = FIELD_TEXT,
        .required = true,
        .help = "The name the person signs in with, e.g. jsmith. It must be new in this network, "
                "even a removed user's login stays taken.",
    },
    ECGRID_PASSWORD_FIELD("password", "Password",
                          "The first password: 8 or more characters with a lower-case letter, an "
                          "upper-case letter, a digit and a special character, e.g. Passw0rd!"),
    {
        .key = "email",
        .label = "E-mail",
        .type = FIELD_EMAIL,
        .required = true,
        .help = "The person's e-mail address, e.g. jsmith@example.com.",
    },
    ECGRID_NAME_FIELD("firstName", "First name", "Optional, at most 50 characters."),
    ECGRID_NAME_FIELD("lastName", "Last name", "Optional, at most 50 characters."),
    {
        .key = "networkId",
        .label = "Network number",
        .type = FIELD_INTEGER,
        .int_min = ECGRID_ID_MIN,
        .int_max = ECGRID_ID_MAX,
        .help = "Optional: leave empty to use your own network.",
    },
    {
        .key = "mailboxId",
        .label = "Mailbox number",
        .type = FIELD_INTEGER,
        .int_min = ECGRID_ID_MIN,
        .int_max = ECGRID_ID_MAX,
        .help = "Optional: leave empty to use your own mailbox. It must be in the network above.",
    },
    {
        .key = "authLevel",
        .label = "Access level",
        .type = FIELD_ENUM,
        .allowed_values = ecgrid_auth_levels,
        .default_value = "MailboxUser",
        .help = "What the person may do: MailboxUser (the default) uses the mailbox, MailboxAdmin "
                "also manages its users. You cannot give a level above your own.",
    },
};

const struct form_spec ecgrid_create_user_form = {
    .id = "ecgrid.create-user",
    .title = "Create an ECGrid user",
    .fields = create_user_fields,
    .count = G_N_ELEMENTS(create_user_fields),
};

/* ---- PUT /v2/users (shared/api/ecgrid.md §6) ---------------------------- */

static const struct field_spec update_user_fields[] = {
    ECGRID_USER_ID_FIELD,
    {
        .key = "email",
        .label = "E-mail",
        .type = FIELD_EMAIL,
        .help = "Optional: a new e-mail address; leave empty to keep the current one.",
    },
    ECGRID_NAME_FIELD("firstName", "First name",
                      "Optional: a new first name of at most 50 characters; empty keeps it."),
    ECGRID_NAME_FIELD("lastName", "Last name",
                      "Optional: a new last name of at most 50 characters; empty keeps it."),
};

/* Decision: the vendor accepts an update with only userId, but it changes
 * nothing, so the form asks for something to change instead of sending it. */
static const char *const update_user_changes[] = {"email", "firstName", "lastName", NULL};

static const struct form_rule update_user_rules[] = {
    {
        .kind = FORM_RULE_AT_LEAST_ONE_OF,
        .keys = update_user_changes,
        .message = "nothing to change: give a new email, firstName or lastName",
    },
};

const struct form_spec ecgrid_update_user_form = {
    .id = "ecgrid.update-user",
    .title = "Change an ECGrid user",
    .fields = update_user_fields,
    .count = G_N_ELEMENTS(update_user_fields),
    .rules = update_user_rules,
    .rule_count = G_N_ELEMENTS(update_user_rules),
};

/* ---- POST /v2/users/role ------------------------------------------------ */

static const struct field_spec set_role_fields[] = {
    ECGRID_USER_ID_FIELD,
    {
        .key = "authLevel",
        .label = "New access level",
        .type = FIELD_ENUM,
        .required = true,
        .allowed_values = ecgrid_auth_levels,
        .help = "The user's new level, e.g. MailboxAdmin to let them manage the mailbox's users. "
                "You cannot give a level above your own.",
    },
};

const struct form_spec ecgrid_set_role_form = {
    .id = "ecgrid.set-role",
    .title = "Change an ECGrid user's access level",
    .fields = set_role_fields,
    .count = G_N_ELEMENTS(set_role_fields),
};

/* ---- POST /v2/users/password -------------------------------------------- */

static const struct field_spec set_password_fields[] = {
    ECGRID_USER_ID_FIELD,
    ECGRID_PASSWORD_FIELD("newPassword", "New password",
                          "8 or more characters with a lower-case letter, an upper-case letter, a "
                          "digit and a special character. It replaces the current one at once."),
};

const struct form_spec ecgrid_set_password_form = {
    .id = "ecgrid.set-password",
    .title = "Set an ECGrid user's password",
    .fields = set_password_fields,
    .count = G_N_ELEMENTS(set_password_fields),
};

const struct form_spec *const ecgrid_form_specs[] = {
    &ecgrid_create_portal_form, &ecgrid_create_user_form,  &ecgrid_update_user_form,
    &ecgrid_set_role_form,      &ecgrid_set_password_form, NULL,
};
