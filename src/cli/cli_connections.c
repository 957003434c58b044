/*
 * Command line: `portalctl connections` lists the configured connections
 * from the config file (no keyring, no network).
 */
#include "cli_internal.h"

#include <portalctl/text.h>

static void print_connection(GString *out, const struct connection_config *c)
{
    char *name = text_sanitize(c->name);
    char *url = text_sanitize(c->url ? c->url : c->data_centre ? c->data_centre : "(default)");
    text_append_fitted(out, name, 24, true);
    g_string_append(out, "  ");
    text_append_fitted(out, config_vendor_name(c->vendor), 8, true);
    g_string_append(out, "  ");
    g_string_append(out, url);
    if (c->read_only)
        g_string_append(out, "  read-only");
    g_string_append_c(out, '\n');
    g_free(name);
    g_free(url);
}

int cli_connections(const struct cli_globals *globals, int argc, char **argv)
{
    if (argc > 0)
        return cli_fail(CLI_EXIT_USAGE, "connections takes no operand (got '%s')", argv[0]);
    int rc;
    struct config *config = cli_load_config(globals, &rc);
    if (!config)
        return rc;
    GString *out = g_string_new(NULL);
    if (config->connections->len == 0)
        g_string_append_printf(out, "no connections configured in %s\n", config->path);
    for (guint i = 0; i < config->connections->len; i++)
        print_connection(out, g_ptr_array_index(config->connections, i));
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    config_free(config);
    return CLI_EXIT_DONE;
}
