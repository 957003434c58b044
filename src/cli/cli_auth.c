/*
 * Command line: credentials. `auth set` reads secrets from the terminal (echo
 * off) or stdin into the keyring; `auth status` says which secrets are stored
 * (never their values) and checks them with the vendor; `auth clear` removes
 * them. Values never pass through argv, the environment or any file.
 */
#include "cli_internal.h"

#include <portalctl/session.h>
#include <portalctl/vendor.h>

#include <string.h>

/* What `auth set CONNECTION` asks for when no KIND is given. */
static const enum secret_kind ecgrid_kinds[] = {SECRET_KIND_API_KEY};
static const enum secret_kind zoho_kinds[] = {SECRET_KIND_CLIENT_SECRET, SECRET_KIND_REFRESH_TOKEN};
static const enum secret_kind valstorm_kinds[] = {SECRET_KIND_API_KEY};

const enum secret_kind *cli_default_secret_kinds(enum config_vendor vendor, size_t *count)
{
    switch (vendor) {
    case CONFIG_VENDOR_ZOHO:
        *count = G_N_ELEMENTS(zoho_kinds);
        return zoho_kinds;
    case CONFIG_VENDOR_VALSTORM:
        *count = G_N_ELEMENTS(valstorm_kinds);
        return valstorm_kinds;
    case CONFIG_VENDOR_ECGRID:
    default:
        *count = G_N_ELEMENTS(ecgrid_kinds);
        return ecgrid_kinds;
    }
}

static int parse_kind(const char *name, enum secret_kind *kind)
{
    if (!secret_kind_from_name(name, kind))
        return cli_fail(CLI_EXIT_USAGE,
                        "unknown secret kind '%s' (api-key, client-secret, refresh-token, "
                        "access-token)",
                        name);
    return -1;
}

static int store_one(struct secrets *secrets, const char *connection, enum secret_kind kind)
{
    char *prompt = g_strdup_printf("%s for %s", secret_kind_name(kind), connection);
    char *value = cli_read_secret(prompt);
    g_free(prompt);
    if (!value)
        return cli_fail(CLI_EXIT_INVALID, "%s: nothing was read, nothing stored",
                        secret_kind_name(kind));
    GError *error = NULL;
    bool ok = secrets_store(secrets, connection, kind, value, &error);
    secret_value_free(value);
    if (!ok) {
        int rc = cli_fail(CLI_EXIT_FAILED, "%s", error->message);
        g_clear_error(&error);
        return rc;
    }
    fprintf(stderr, "portalctl: %s for %s stored in the keyring\n", secret_kind_name(kind),
            connection);
    return -1;
}

static int auth_set(const struct connection_config *connection, const char *kind_name)
{
    enum secret_kind one;
    size_t count = 1;
    const enum secret_kind *kinds = &one;
    int rc;
    if (kind_name && (rc = parse_kind(kind_name, &one)) >= 0)
        return rc;
    if (!kind_name)
        kinds = cli_default_secret_kinds(connection->vendor, &count);
    struct secrets *secrets = cli_open_secrets();
    if (!secrets)
        return CLI_EXIT_FAILED;
    rc = -1;
    for (size_t i = 0; i < count && rc < 0; i++)
        rc = store_one(secrets, connection->name, kinds[i]);
    secrets_close(secrets);
    return rc < 0 ? CLI_EXIT_DONE : rc;
}

static int auth_clear(const struct connection_config *connection, const char *kind_name)
{
    enum secret_kind kind;
    int rc;
    if (kind_name && (rc = parse_kind(kind_name, &kind)) >= 0)
        return rc;
    struct secrets *secrets = cli_open_secrets();
    if (!secrets)
        return CLI_EXIT_FAILED;
    GError *error = NULL;
    bool removed = true;
    bool ok = kind_name ? secrets_clear(secrets, connection->name, kind, &removed, &error)
                        : secrets_clear_connection(secrets, connection->name, &error);
    secrets_close(secrets);
    if (!ok) {
        rc = cli_fail(CLI_EXIT_FAILED, "%s", error->message);
        g_clear_error(&error);
        return rc;
    }
    fprintf(stderr, "portalctl: %s\n",
            removed ? "removed from the keyring" : "nothing of that kind was stored");
    return CLI_EXIT_DONE;
}

/* Which secrets are stored, by kind name only. */
static void print_stored_kinds(struct session *session, const char *name)
{
    printf("connection: %s\n", name);
    for (int k = 0; k < SECRET_KIND_COUNT; k++) {
        GError *error = NULL;
        const char *value = session_secret(session, (enum secret_kind)k, &error);
        printf("%-14s %s\n", secret_kind_name((enum secret_kind)k),
               error   ? "keyring error"
               : value ? "stored"
                       : "-");
        g_clear_error(&error);
    }
}

static void on_whoami_done(struct vendor_job *job, const struct api_error *error,
                           struct record_list *result, void *user)
{
    (void)job;
    struct api_error *out = user;
    api_error_copy(out, error);
    if (error->kind == API_OK) {
        printf("--\nthe vendor accepted the credentials:\n");
        cli_print_detail(stdout, result);
    }
}

static int auth_status(const struct cli_globals *globals,
                       const struct connection_config *connection)
{
    struct secrets *secrets = cli_open_secrets_for(globals, connection);
    if (!secrets)
        return CLI_EXIT_FAILED;
    struct net_engine *net = net_engine_new(NULL);
    struct session *session = session_new(connection, net, secrets);
    int rc = CLI_EXIT_DONE;
    if (!session_vendor(session)) {
        rc = cli_fail(CLI_EXIT_USAGE, "no adapter for this vendor");
    } else {
        print_stored_kinds(session, connection->name);
        struct api_error error;
        api_error_init(&error);
        struct vendor_request request = {.op = VOP_WHOAMI};
        struct vendor_job_events events = {.done = on_whoami_done, .user = &error};
        vendor_job_start(session, &request, &events);
        net_engine_run(net);
        if (error.kind != API_OK) {
            cli_print_error(&error);
            rc = api_error_exit_status(error.kind);
        }
        api_error_clear(&error);
    }
    session_free(session);
    net_engine_free(net);
    secrets_close(secrets);
    return rc;
}

int cli_auth(const struct cli_globals *globals, int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(CLI_EXIT_USAGE,
                        "usage: portalctl auth set|status|clear|grant|login CONNECTION [KIND]");
    const char *verb = argv[0];
    const char *kind = argc > 2 ? argv[2] : NULL;
    if (argc > 3)
        return cli_fail(CLI_EXIT_USAGE, "unexpected operand '%s'", argv[3]);
    int rc;
    struct config *config = cli_load_config(globals, &rc);
    if (!config)
        return rc;
    const struct connection_config *connection = cli_find_connection(config, argv[1], &rc);
    if (connection && globals->session_secrets && strcmp(verb, "status") != 0) {
        rc = cli_fail(CLI_EXIT_USAGE,
                      "auth %s keeps secrets in the keyring; with --session-secrets every "
                      "command asks for its secrets instead",
                      verb);
    } else if (connection) {
        if (strcmp(verb, "set") == 0)
            rc = auth_set(connection, kind);
        else if (strcmp(verb, "clear") == 0)
            rc = auth_clear(connection, kind);
        else if (strcmp(verb, "status") == 0 && !kind)
            rc = auth_status(globals, connection);
        else if (strcmp(verb, "login") == 0 && !kind)
            rc = cli_auth_flow(config, connection, verb, false);
        else if (strcmp(verb, "grant") == 0 && (!kind || strcmp(kind, "--device") == 0))
            rc = cli_auth_flow(config, connection, verb, kind != NULL);
        else
            rc = cli_fail(CLI_EXIT_USAGE,
                          "unknown action 'auth %s%s%s' (set, status, clear, grant [--device], "
                          "login)",
                          verb, kind ? " " : "", kind ? kind : "");
    }
    config_free(config);
    return rc;
}
