/*
 * The command-line interface: one operation per run, for scripts and for the
 * helpdesk without the console. Parses the command words, validates input
 * with the vendor's form specs before anything is sent, runs one job on the
 * engine to completion, prints a table or JSON, and maps the outcome to the
 * documented exit status (0 done, 2 usage, 3 invalid input, 4 refused by the
 * vendor, 5 network/TLS/authentication).
 */
#ifndef PORTALCTL_CLI_H
#define PORTALCTL_CLI_H

#include <stdbool.h>

enum cli_exit {
    CLI_EXIT_DONE = 0,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INVALID = 3,
    CLI_EXIT_REFUSED = 4,
    CLI_EXIT_FAILED = 5,
};

struct cli_globals {
    const char *config_file; /* --config, or NULL for the default path */
    bool read_only;          /* --read-only */
    bool session_secrets;    /* --session-secrets: ask for secrets, keep them in memory */
};

/* argv[0] is the command group ("auth", "connections", "portals", "users"). */
int cli_run(const struct cli_globals *globals, int argc, char **argv);

/* True when word names a command group the CLI knows. */
bool cli_is_command(const char *word);

/* The usage text of the commands, for --help. */
const char *cli_usage(void);

#endif
