/*
 * Demo support: starts the portal-sim binary (found next to portalctl or on
 * PATH) as a child on a free loopback port, and stops it again. Used by
 * `portalctl --demo`; knows nothing of the screen.
 */
#ifndef PORTALCTL_DEMO_H
#define PORTALCTL_DEMO_H

#include <stdbool.h>
#include <sys/types.h>

struct demo_simulator {
    pid_t pid;
    char base_url[128];
};

/* Finds portal-sim: beside the running executable first, then on PATH.
 * Returns a g_malloc'd path or NULL. */
char *demo_find_simulator(void);

/* Starts it with --listen 127.0.0.1:0 (plus extra_args, NULL-terminated) and
 * reads its first line. False with *error set (g_free it). */
bool demo_simulator_start(struct demo_simulator *sim, const char *const extra_args[], char **error);

/* SIGTERM and wait; returns the child's exit status or -1. */
int demo_simulator_stop(struct demo_simulator *sim);

#endif
