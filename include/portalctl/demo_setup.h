/*
 * What `portalctl --demo` opens the console on: one connection per vendor,
 * all pointing at a running portal-sim, with the simulator's credentials
 * held in session-only secrets (memory of this process), and a private,
 * temporary state directory — so the demo's known portals and audit lines
 * never mix with the user's real ones. Knows nothing of the screen.
 */
#ifndef PORTALCTL_DEMO_SETUP_H
#define PORTALCTL_DEMO_SETUP_H

#include <stdbool.h>

#include <portalctl/config.h>
#include <portalctl/secrets.h>

struct demo_setup {
    struct config *config;   /* in memory; never saved */
    struct secrets *secrets; /* SECRETS_BACKEND_SESSION */
    char *state_dir;         /* temporary XDG_STATE_HOME, removed by demo_setup_free */
};

/* The connection names the demo creates. */
#define DEMO_ECGRID   "demo-ecgrid"
#define DEMO_ZOHO     "demo-zoho"
#define DEMO_VALSTORM "demo-valstorm"

/* Builds the setup for a simulator at base_url (e.g. "http://127.0.0.1:4321").
 * Sets XDG_STATE_HOME for this process. False with *error set (g_free it). */
bool demo_setup_init(struct demo_setup *setup, const char *base_url, char **error);
/* Closes the secrets, frees the config and removes the temporary state. */
void demo_setup_free(struct demo_setup *setup);

#endif
