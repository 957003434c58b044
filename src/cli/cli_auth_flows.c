/*
 * Command line: the interactive credential flows. `auth grant` turns a Zoho
 * Self Client grant code (or an approved device code) into a refresh token;
 * `auth login` turns a Valstorm e-mail, password and 2FA code into access
 * and refresh tokens. The results go to the keyring only; the password and
 * codes are wiped as soon as they are sent.
 */
#include "cli_internal.h"

#include <portalctl/session.h>
#include <portalctl/text.h>
#include <portalctl/valstorm_auth.h>
#include <portalctl/zoho_auth.h>

#include <string.h>

/* What a flow hands back to the command once the engine is idle. */
struct flow_outcome {
    struct secrets *secrets;
    const char *connection;
    struct api_error error;
    bool stored;
    char *data_centre; /* Zoho device flow: the account's data centre, if other */
};

static bool store_secret(struct flow_outcome *out, enum secret_kind kind, const char *value)
{
    GError *error = NULL;
    if (secrets_store(out->secrets, out->connection, kind, value, &error))
        return true;
    api_error_set(&out->error, API_AUTH, 0, NULL, "cannot store the %s: %s", secret_kind_name(kind),
                  error->message);
    g_clear_error(&error);
    return false;
}

/* --- Zoho ------------------------------------------------------------------ */

static void on_grant_done(const struct zoho_grant_result *result, const struct api_error *error,
                          void *user)
{
    struct flow_outcome *out = user;
    if (error) {
        api_error_copy(&out->error, error);
        return;
    }
    out->stored = store_secret(out, SECRET_KIND_REFRESH_TOKEN, result->refresh_token);
    out->data_centre = g_strdup(result->data_centre);
}

static void on_device_prompt(const struct zoho_device_prompt *prompt, void *user)
{
    (void)user;
    char *url = text_sanitize(prompt->verification_url);
    char *code = text_sanitize(prompt->user_code);
    fprintf(stderr, "Open %s and enter the code %s (valid for %ld s); waiting...\n", url, code,
            prompt->expires_in_ms / 1000);
    g_free(url);
    g_free(code);
}

/* The account lives in another data centre: remember it in the config. */
static int save_data_centre(struct config *config, const struct connection_config *connection,
                            const char *data_centre)
{
    struct connection_config *changed = connection_config_copy(connection);
    g_free(changed->data_centre);
    changed->data_centre = g_strdup(data_centre);
    GError *error = NULL;
    bool ok = config_set_connection(config, changed, &error) && config_save(config, &error);
    connection_config_free(changed);
    if (!ok) {
        int rc = cli_fail(CLI_EXIT_FAILED, "cannot save data_centre = %s: %s", data_centre,
                          error->message);
        g_clear_error(&error);
        return rc;
    }
    fprintf(stderr, "portalctl: the account lives in data centre %s; saved in %s\n", data_centre,
            config->path);
    return -1;
}

static void run_grant(struct session *session, bool device, struct flow_outcome *out)
{
    if (device) {
        struct zoho_device_events events = {
            .prompt = on_device_prompt, .done = on_grant_done, .user = out};
        struct zoho_device_flow *flow = zoho_device_flow_start(session, &events);
        if (flow) {
            zoho_device_flow_run(flow);
            zoho_device_flow_free(flow);
        }
        return;
    }
    char *code = cli_read_secret("Self Client grant code");
    if (!code) {
        api_error_set(&out->error, API_INVALID_INPUT, 0, NULL, "no grant code was read");
        return;
    }
    zoho_auth_exchange_code(session, code, on_grant_done, out);
    secret_value_free(code);
    net_engine_run(session_net(session));
}

/* --- Valstorm -------------------------------------------------------------- */

static void on_code_needed(struct valstorm_login *login, const char *email, void *user)
{
    (void)user;
    char *safe = text_sanitize(email);
    char *prompt = g_strdup_printf("2FA code sent to %s", safe);
    char *code = cli_read_secret(prompt);
    if (code)
        valstorm_login_submit_code(login, code);
    else
        valstorm_login_cancel(login);
    secret_value_free(code);
    g_free(prompt);
    g_free(safe);
}

static void on_login_done(const struct valstorm_tokens *tokens, const struct api_error *error,
                          void *user)
{
    struct flow_outcome *out = user;
    if (error) {
        api_error_copy(&out->error, error);
        return;
    }
    out->stored = store_secret(out, SECRET_KIND_ACCESS_TOKEN, tokens->access_token) &&
                  (!tokens->refresh_token ||
                   store_secret(out, SECRET_KIND_REFRESH_TOKEN, tokens->refresh_token));
}

static void run_login(struct session *session, struct flow_outcome *out)
{
    char *email = cli_read_line("E-mail");
    char *password = email ? cli_read_secret("Password") : NULL;
    if (!email || !password) {
        api_error_set(&out->error, API_INVALID_INPUT, 0, NULL, "no e-mail or password was read");
    } else {
        struct valstorm_login_events events = {
            .code_needed = on_code_needed, .done = on_login_done, .user = out};
        valstorm_login_start(session, email, password, &events);
    }
    secret_value_free(password); /* sent (or refused) already: never kept */
    secret_value_free(email);
    net_engine_run(session_net(session));
}

/* --- entry ------------------------------------------------------------------- */

int cli_auth_flow(struct config *config, const struct connection_config *connection,
                  const char *verb, bool device)
{
    bool grant = strcmp(verb, "grant") == 0;
    enum config_vendor wanted = grant ? CONFIG_VENDOR_ZOHO : CONFIG_VENDOR_VALSTORM;
    if (connection->vendor != wanted)
        return cli_fail(CLI_EXIT_USAGE, "auth %s is for %s connections; %s is %s", verb,
                        config_vendor_name(wanted), connection->name,
                        config_vendor_name(connection->vendor));
    struct flow_outcome out = {.connection = connection->name};
    api_error_init(&out.error);
    out.secrets = cli_open_secrets();
    if (!out.secrets)
        return CLI_EXIT_FAILED;
    struct net_engine *net = net_engine_new(NULL);
    struct session *session = session_new(connection, net, out.secrets);
    if (grant)
        run_grant(session, device, &out);
    else
        run_login(session, &out);
    session_free(session);
    net_engine_free(net);
    secrets_close(out.secrets);

    int rc = CLI_EXIT_DONE;
    if (out.error.kind != API_OK || !out.stored) {
        if (out.error.kind == API_OK)
            api_error_set(&out.error, API_AUTH, 0, NULL, "no credentials were obtained");
        cli_print_error(&out.error);
        rc = api_error_exit_status(out.error.kind);
    } else {
        fprintf(stderr, "portalctl: %s: credentials stored in the keyring\n", connection->name);
        if (out.data_centre) {
            int saved = save_data_centre(config, connection, out.data_centre);
            rc = saved >= 0 ? saved : rc;
        }
    }
    g_free(out.data_centre);
    api_error_clear(&out.error);
    return rc;
}
