/*
 * Shared pieces of the command line (src/cli/): parsed invocation, output,
 * terminal input. Private to src/cli/.
 */
#ifndef PORTALCTL_CLI_INTERNAL_H
#define PORTALCTL_CLI_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include <portalctl/cli.h>
#include <portalctl/config.h>
#include <portalctl/form.h>
#include <portalctl/model.h>
#include <portalctl/secrets.h>

/* One parsed command line after the group and verb. */
struct cli_invocation {
    const struct cli_globals *globals;
    const char *group;
    const char *verb;
    const char *connection;     /* first operand */
    const char *id;             /* second operand, when not FIELD=VALUE */
    const char *portal;         /* --portal */
    const char *filter;         /* --filter */
    bool json;                  /* --json */
    bool yes;                   /* --yes */
    struct form_values *fields; /* FIELD=VALUE operands, in order */
    GPtrArray *extra;           /* further operands (errors unless a command takes them) */
};

/* Parses argv after group and verb. Returns -1 on success, else an exit code
 * (a usage message is printed). */
int cli_parse_invocation(struct cli_invocation *inv, int argc, char **argv);
void cli_invocation_clear(struct cli_invocation *inv);

/* Prints "portalctl: message" on stderr and returns code. */
int cli_fail(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Loads the config and finds the connection; prints the problem and returns
 * NULL (with *code set) when it cannot. */
struct config *cli_load_config(const struct cli_globals *globals, int *code);
const struct connection_config *cli_find_connection(const struct config *config, const char *name,
                                                    int *code);

/* Opens the keyring; prints why not and returns NULL when no Secret Service
 * answers. */
struct secrets *cli_open_secrets(void);

/* The secrets a command on this connection uses: the keyring, or with
 * --session-secrets an in-memory store filled now from the terminal (or
 * stdin) with the secrets the vendor needs. NULL after printing why not. */
struct secrets *cli_open_secrets_for(const struct cli_globals *globals,
                                     const struct connection_config *connection);

/* What `auth set CONNECTION` (and --session-secrets) ask for. */
const enum secret_kind *cli_default_secret_kinds(enum config_vendor vendor, size_t *count);

/* Reads a secret: from the terminal with echo off (prompt on stderr) when
 * stdin is a terminal, else the first line of stdin. g_malloc'd, wipe with
 * secret_value_free. NULL when nothing was read. */
char *cli_read_secret(const char *prompt);

/* Reads a line that is not secret (an e-mail address), echoed; the prompt is
 * shown only on a terminal. g_malloc'd (free with secret_value_free, which
 * also wipes), NULL when nothing was read. */
char *cli_read_line(const char *prompt);

/* Asks "question [y/N]" on the terminal; false unless the answer is yes.
 * Without a terminal it answers false and says to use --yes. */
bool cli_confirm(const char *question);

/* Output of records: an aligned table of the columns that have values, one
 * JSON array, or "key: value" lines for one record. All server text is
 * sanitized (table, detail) or escaped (JSON). */
void cli_print_table(FILE *out, const struct record_list *records);
void cli_print_json(FILE *out, const struct record_list *records);
void cli_print_detail(FILE *out, const struct record_list *records);

/* Prints an api_error on stderr: the message, then one line per field error
 * ("field: message", "row N: field: message"). */
void cli_print_error(const struct api_error *error);

/* The commands. */
int cli_auth(const struct cli_globals *globals, int argc, char **argv);
/* auth grant (Zoho; device = the device flow) and auth login (Valstorm). */
int cli_auth_flow(struct config *config, const struct connection_config *connection,
                  const char *verb, bool device);
int cli_connections(const struct cli_globals *globals, int argc, char **argv);
int cli_operation(const struct cli_globals *globals, const char *group, int argc, char **argv);

/* Bulk work from a CSV file (cli_bulk.c): users invite|create|remove with
 * --csv. cli_operation hands over when cli_bulk_wanted() says so. */
bool cli_bulk_wanted(const char *group, int argc, char **argv);
int cli_bulk_run(const struct cli_globals *globals, const char *group, int argc, char **argv);

#endif
