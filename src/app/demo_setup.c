/*
 * The demo's connections, secrets and private state (see demo_setup.h). The
 * credentials are the simulator's published demo accounts
 * (the "Simulator accounts" sections of the API contracts); they exist only
 * in portal-sim.
 */
#include <portalctl/demo_setup.h>

#include <string.h>

#include <glib/gstdio.h>

#include <portalctl/state.h>

struct demo_secret {
    const char *connection;
    enum secret_kind kind;
    const char *value;
};

static const struct demo_secret demo_secrets[] = {
    {DEMO_ECGRID, SECRET_KIND_API_KEY, "sim-ecgrid-netadmin"},
    {DEMO_ZOHO, SECRET_KIND_CLIENT_SECRET, "sim-zoho-secret"},
    {DEMO_ZOHO, SECRET_KIND_REFRESH_TOKEN, "sim-zoho-refresh"},
    {DEMO_VALSTORM, SECRET_KIND_API_KEY, "sim-valstorm-admin"},
};

static bool add_connection(struct config *config, const char *name, enum config_vendor vendor,
                           const char *base_url, GError **error)
{
    struct connection_config *c = connection_config_new(name, vendor);
    c->url = g_strdup(base_url);
    if (vendor == CONFIG_VENDOR_ZOHO) {
        c->accounts_url = g_strdup(base_url);
        c->client_id = g_strdup("sim-zoho-client");
    }
    bool ok = config_set_connection(config, c, error);
    connection_config_free(c);
    return ok;
}

/* Valstorm cannot list portals: the demo knows the simulator's seeded one. */
static bool remember_seeded_portal(GError **error)
{
    struct state *state = state_load(NULL, error);
    if (!state)
        return false;
    struct known_portal *portal =
        known_portal_new("portal_demo1", "Customer Hub", "help.sim.example", PORTAL_ORIGIN_ADDED);
    bool ok = state_put_portal(state, DEMO_VALSTORM, portal, error) && state_save(state, error);
    known_portal_free(portal);
    state_free(state);
    return ok;
}

static bool build(struct demo_setup *setup, const char *base_url, GError **error)
{
    setup->state_dir = g_dir_make_tmp("portalctl-demo-XXXXXX", error);
    if (!setup->state_dir)
        return false;
    g_setenv("XDG_STATE_HOME", setup->state_dir, TRUE);
    char *config_path = g_build_filename(setup->state_dir, "demo-config.ini", NULL);
    setup->config = config_new(config_path);
    g_free(config_path);
    if (!add_connection(setup->config, DEMO_ECGRID, CONFIG_VENDOR_ECGRID, base_url, error) ||
        !add_connection(setup->config, DEMO_ZOHO, CONFIG_VENDOR_ZOHO, base_url, error) ||
        !add_connection(setup->config, DEMO_VALSTORM, CONFIG_VENDOR_VALSTORM, base_url, error))
        return false;
    setup->secrets = secrets_open(SECRETS_BACKEND_SESSION, error);
    if (!setup->secrets)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(demo_secrets); i++) {
        const struct demo_secret *s = &demo_secrets[i];
        if (!secrets_store(setup->secrets, s->connection, s->kind, s->value, error))
            return false;
    }
    return remember_seeded_portal(error);
}

bool demo_setup_init(struct demo_setup *setup, const char *base_url, char **error)
{
    memset(setup, 0, sizeof(*setup));
    GError *gerror = NULL;
    if (build(setup, base_url, &gerror))
        return true;
    *error = g_strdup_printf("cannot set the demo up: %s", gerror->message);
    g_error_free(gerror);
    demo_setup_free(setup);
    return false;
}

/* Removes the demo's own temporary directory and what the demo wrote in it. */
static void remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    if (dir) {
        const char *name;
        while ((name = g_dir_read_name(dir))) {
            char *child = g_build_filename(path, name, NULL);
            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                remove_tree(child);
            else
                g_unlink(child);
            g_free(child);
        }
        g_dir_close(dir);
    }
    g_rmdir(path);
}

void demo_setup_free(struct demo_setup *setup)
{
    if (setup->secrets)
        secrets_close(setup->secrets);
    config_free(setup->config);
    if (setup->state_dir) {
        remove_tree(setup->state_dir);
        g_free(setup->state_dir);
    }
    memset(setup, 0, sizeof(*setup));
}
