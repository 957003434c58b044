/*
 * The console: the full-screen ncurses interface over the configured
 * connections. One entry point; everything else is private to src/ui/.
 */
#ifndef PORTALCTL_CONSOLE_H
#define PORTALCTL_CONSOLE_H

#include <stdbool.h>

#include <portalctl/config.h>
#include <portalctl/secrets.h>

struct console_options {
    const struct config *config; /* the connections, borrowed */
    struct secrets *secrets;     /* borrowed: the keyring, or session-only secrets */
    bool read_only;              /* --read-only */
    const char *connection;      /* open this one first, or NULL */
    const char *mode_label;      /* shown in the title, e.g. "demo"; NULL for none */
};

/* Runs the console until the user quits or a signal asks it to. Problems
 * before the screen opens (no terminal, a bad keys.conf, an unknown
 * connection) are printed on stderr. Returns the exit status: 0, or 2. */
int console_run(const struct console_options *options);

#endif
