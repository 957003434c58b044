/*
 * Command line: dispatch of the command groups, parsing of operands and
 * options, and the config and keyring set-up every command shares.
 */
#include "cli_internal.h"

#include <stdarg.h>
#include <string.h>

static const char usage_text[] =
    "Commands:\n"
    "  portalctl auth set CONNECTION [KIND]     store a secret (read from the terminal\n"
    "                                           with echo off, or from stdin)\n"
    "  portalctl auth status CONNECTION         check the credentials with the vendor\n"
    "  portalctl auth clear CONNECTION [KIND]   remove stored secrets\n"
    "  portalctl auth grant CONNECTION [--device]\n"
    "                                           Zoho: exchange a Self Client grant code\n"
    "                                           (or approve a device code) for a token\n"
    "  portalctl auth login CONNECTION          Valstorm: log in (e-mail, password, 2FA)\n"
    "  portalctl connections                    list configured connections\n"
    "  portalctl portals list|show|create|update|delete|add|user-types CONNECTION [ID]\n"
    "                   [FIELD=VALUE...] [--json] [--yes]\n"
    "  portalctl users list|show|create|update|invite|remove|set-role|set-password|\n"
    "                  reset-sessions|deactivate|reactivate CONNECTION [--portal ID] [ID]\n"
    "                  [FIELD=VALUE...] [--filter TEXT] [--json] [--yes]\n"
    "  portalctl users invite|create|remove CONNECTION --csv FILE [--portal ID]\n"
    "                  [--dry-run] [--skip-invalid] [--retry-refused]\n"
    "                  [--generate-passwords] [--concurrency N] [--journal FILE]\n"
    "                  [--report FILE] [--report-format csv|json] [--json] [--yes]\n"
    "                                           bulk work from a CSV file (docs/BULK.md)\n"
    "\n"
    "With --session-secrets (no keyring needed) each command asks for the secrets\n"
    "it needs and keeps them in memory only.\n"
    "\n"
    "FIELD names are the vendor's own (mailboxId, login, email, authLevel, name,\n"
    "custom_domain, ...). Secret fields are never taken from the command line:\n"
    "write password=- to type it. KIND is api-key, client-secret, refresh-token\n"
    "or access-token.\n";

const char *cli_usage(void)
{
    return usage_text;
}

bool cli_is_command(const char *word)
{
    static const char *const groups[] = {"auth", "connections", "portals", "users", NULL};
    for (size_t i = 0; groups[i]; i++) {
        if (strcmp(word, groups[i]) == 0)
            return true;
    }
    return false;
}

int cli_run(const struct cli_globals *globals, int argc, char **argv)
{
    const char *group = argv[0];
    if (strcmp(group, "auth") == 0)
        return cli_auth(globals, argc - 1, argv + 1);
    if (strcmp(group, "connections") == 0)
        return cli_connections(globals, argc - 1, argv + 1);
    if (strcmp(group, "portals") == 0 || strcmp(group, "users") == 0)
        return cli_operation(globals, group, argc - 1, argv + 1);
    return cli_fail(CLI_EXIT_USAGE, "unknown command '%s' (try 'portalctl --help')", group);
}

int cli_fail(int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("portalctl: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    return code;
}

/* --- operands and options ---------------------------------------------------- */

static int take_option_value(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc)
        return cli_fail(CLI_EXIT_USAGE, "%s needs a value", argv[*i]);
    *out = argv[++*i];
    return -1;
}

static int parse_option(struct cli_invocation *inv, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--json") == 0)
        inv->json = true;
    else if (strcmp(arg, "--yes") == 0 || strcmp(arg, "-y") == 0)
        inv->yes = true;
    else if (strcmp(arg, "--portal") == 0)
        return take_option_value(argc, argv, i, &inv->portal);
    else if (strcmp(arg, "--filter") == 0)
        return take_option_value(argc, argv, i, &inv->filter);
    else
        return cli_fail(CLI_EXIT_USAGE, "unknown option '%s' for %s %s", arg, inv->group,
                        inv->verb);
    return -1;
}

static int parse_field(struct cli_invocation *inv, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *key = g_strndup(arg, (gsize)(eq - arg));
    int rc = -1;
    if (!key[0])
        rc = cli_fail(CLI_EXIT_USAGE, "'%s': a field name must come before '='", arg);
    else if (form_values_get(inv->fields, key))
        rc = cli_fail(CLI_EXIT_USAGE, "%s: given twice", key);
    else
        form_values_set(inv->fields, key, eq + 1);
    g_free(key);
    return rc;
}

int cli_parse_invocation(struct cli_invocation *inv, int argc, char **argv)
{
    inv->fields = form_values_new();
    inv->extra = g_ptr_array_new();
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int rc = -1;
        if (!options_done && strcmp(arg, "--") == 0)
            options_done = true;
        else if (!options_done && arg[0] == '-' && arg[1])
            rc = parse_option(inv, argc, argv, &i);
        else if (!inv->connection)
            inv->connection = arg;
        else if (strchr(arg, '='))
            rc = parse_field(inv, arg);
        else if (!inv->id)
            inv->id = arg;
        else
            g_ptr_array_add(inv->extra, (char *)arg);
        if (rc >= 0)
            return rc;
    }
    if (!inv->connection)
        return cli_fail(CLI_EXIT_USAGE, "%s %s: which connection? (see 'portalctl connections')",
                        inv->group, inv->verb);
    return -1;
}

void cli_invocation_clear(struct cli_invocation *inv)
{
    form_values_free(inv->fields);
    if (inv->extra)
        g_ptr_array_unref(inv->extra);
    inv->fields = NULL;
    inv->extra = NULL;
}

/* --- config and keyring ------------------------------------------------------- */

struct config *cli_load_config(const struct cli_globals *globals, int *code)
{
    GError *error = NULL;
    struct config *config = config_load(globals->config_file, &error);
    if (!config) {
        *code = cli_fail(CLI_EXIT_USAGE, "%s", error ? error->message : "cannot read config");
        g_clear_error(&error);
    }
    return config;
}

const struct connection_config *cli_find_connection(const struct config *config, const char *name,
                                                    int *code)
{
    const struct connection_config *connection = config_find(config, name);
    if (!connection)
        *code = cli_fail(CLI_EXIT_USAGE, "no connection named '%s' in %s", name, config->path);
    return connection;
}

struct secrets *cli_open_secrets_for(const struct cli_globals *globals,
                                     const struct connection_config *connection)
{
    if (!globals->session_secrets)
        return cli_open_secrets();
    GError *error = NULL;
    struct secrets *secrets = secrets_open(SECRETS_BACKEND_SESSION, &error);
    size_t count = 0;
    const enum secret_kind *kinds = cli_default_secret_kinds(connection->vendor, &count);
    for (size_t i = 0; secrets && i < count; i++) {
        char *prompt = g_strdup_printf("%s for %s (kept in memory for this command only)",
                                       secret_kind_name(kinds[i]), connection->name);
        char *value = cli_read_secret(prompt);
        g_free(prompt);
        bool ok = value && secrets_store(secrets, connection->name, kinds[i], value, &error);
        secret_value_free(value);
        if (!ok) {
            cli_fail(CLI_EXIT_FAILED, "%s: %s", secret_kind_name(kinds[i]),
                     error ? error->message : "nothing was read");
            g_clear_error(&error);
            secrets_close(secrets);
            secrets = NULL;
        }
    }
    if (!secrets && error) {
        cli_fail(CLI_EXIT_FAILED, "%s", error->message);
        g_clear_error(&error);
    }
    return secrets;
}

struct secrets *cli_open_secrets(void)
{
    GError *error = NULL;
    struct secrets *secrets = secrets_open(SECRETS_BACKEND_KEYRING, &error);
    if (!secrets) {
        cli_fail(CLI_EXIT_FAILED,
                 "cannot use the keyring: %s. portalctl keeps secrets only in the Secret "
                 "Service (e.g. gnome-keyring); start one, or run with --session-secrets",
                 error ? error->message : "unknown error");
        g_clear_error(&error);
    }
    return secrets;
}
