/*
 * The console's own forms, as data (struct form_spec, form.h): a new
 * connection (the keys of config.ini) and the credentials of each vendor
 * (masked, stored with secrets_store). The vendors' forms live in
 * src/vendors/ (one _fields.c per vendor); the rules of a connection live in the store
 * (config_validate_connection), which runs again on submit.
 *
 * Never: code beyond tables and their lookup.
 */
#include "change_internal.h"

static const char *const vendor_values[] = {"ecgrid", "zoho", "valstorm", NULL};
static const char *const boolean_values[] = {"false", "true", NULL};

static const struct field_spec connection_fields[] = {
    {
        .key = "name",
        .label = "Connection name",
        .type = FIELD_TEXT,
        .required = true,
        .max_len = 64,
        .pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$",
        .pattern_message = "must start with a letter or digit, then letters, digits, '.', '_' "
                           "or '-'",
        .help = "A short name for this account, e.g. acme-zoho; commands and the title use it.",
    },
    {
        .key = "vendor",
        .label = "Vendor",
        .type = FIELD_ENUM,
        .required = true,
        .allowed_values = vendor_values,
        .default_value = "ecgrid",
        .help = "Which vendor the account is at: ecgrid, zoho or valstorm (Space changes).",
    },
    {
        .key = "url",
        .label = "API URL",
        .type = FIELD_TEXT,
        .help = "Optional: the API's base URL, e.g. http://127.0.0.1:8080 for portal-sim; empty "
                "uses the vendor's own.",
    },
    {
        .key = "accounts_url",
        .label = "Accounts URL",
        .type = FIELD_TEXT,
        .help = "Zoho only, optional: the OAuth server's URL; empty uses the data centre's.",
    },
    {
        .key = "data_centre",
        .label = "Data centre",
        .type = FIELD_ENUM,
        .allowed_values = config_data_centres,
        .help = "Zoho only, optional: where the Zoho account lives (com, eu, in, …); empty is com.",
    },
    {
        .key = "client_id",
        .label = "Client id",
        .type = FIELD_TEXT,
        .help = "Zoho only, required there: the OAuth client id, e.g. 1000.ABC (not a secret).",
    },
    {
        .key = "ca_file",
        .label = "CA file",
        .type = FIELD_TEXT,
        .help = "Optional: the absolute path of a PEM bundle to trust instead of the system's.",
    },
    {
        .key = "read_only",
        .label = "Read-only",
        .type = FIELD_ENUM,
        .required = true,
        .allowed_values = boolean_values,
        .default_value = "false",
        .help = "true refuses every change through this connection (Space changes).",
    },
};

const struct form_spec change_connection_form = {
    .id = "console.add-connection",
    .title = "Add a connection (written to config.ini; secrets go to the keyring)",
    .fields = connection_fields,
    .count = G_N_ELEMENTS(connection_fields),
};

#define SECRET_FIELD(field_key, field_label, field_required, field_help)                           \
    {                                                                                              \
        .key = field_key, .label = field_label, .type = FIELD_PASSWORD,                            \
        .required = field_required, .secret = true, .help = field_help,                            \
    }

static const struct field_spec ecgrid_secret_fields[] = {
    SECRET_FIELD("api-key", "API key", true,
                 "The ECGrid API key (X-API-Key); it is stored in the keyring, never in a file."),
};

static const struct field_spec zoho_secret_fields[] = {
    SECRET_FIELD("client-secret", "Client secret", true,
                 "The OAuth client secret of the Zoho API console client; kept in the keyring."),
    SECRET_FIELD("refresh-token", "Refresh token", true,
                 "A refresh token of that client (auth grant gives one); kept in the keyring."),
};

static const struct field_spec valstorm_secret_fields[] = {
    SECRET_FIELD("api-key", "Access token", true,
                 "A Valstorm personal access token; it is stored in the keyring, never in a file."),
};

static const struct form_spec credential_forms[] = {
    [CONFIG_VENDOR_ECGRID] = {.id = "console.credentials-ecgrid",
                              .title = "Store the ECGrid API key",
                              .fields = ecgrid_secret_fields,
                              .count = G_N_ELEMENTS(ecgrid_secret_fields)},
    [CONFIG_VENDOR_ZOHO] = {.id = "console.credentials-zoho",
                            .title = "Store the Zoho client secret and refresh token",
                            .fields = zoho_secret_fields,
                            .count = G_N_ELEMENTS(zoho_secret_fields)},
    [CONFIG_VENDOR_VALSTORM] = {.id = "console.credentials-valstorm",
                                .title = "Store the Valstorm access token",
                                .fields = valstorm_secret_fields,
                                .count = G_N_ELEMENTS(valstorm_secret_fields)},
};

const struct form_spec *change_credentials_form(enum config_vendor vendor)
{
    return (size_t)vendor < G_N_ELEMENTS(credential_forms) ? &credential_forms[vendor] : NULL;
}

/* The several-people field of the invite forms: checked line by line. */
const struct field_spec change_people_field = {
    .key = CHANGE_PEOPLE_KEY,
    .label = "Several people",
    .type = FIELD_TEXT,
    .help = "Or paste several people, one per line: e-mail, first name, last name (Enter starts "
            "a new line; Ctrl-S sends).",
};
