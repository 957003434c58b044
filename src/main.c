/*
 * portalctl: entry point. Parses the global options and hands over to the
 * demo, the console or one command-line operation. Nothing else lives here.
 */
#include <portalctl/bench.h>
#include <portalctl/cli.h>
#include <portalctl/config.h>
#include <portalctl/console.h>
#include <portalctl/demo.h>
#include <portalctl/demo_setup.h>
#include <portalctl/secrets.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

enum exit_code {
    EXIT_DONE = 0,
    EXIT_USAGE = 2,
    EXIT_INVALID = 3,
    EXIT_REFUSED = 4,
    EXIT_NETWORK = 5,
};

static const char usage_text[] =
    "Usage: portalctl [OPTION]... [CONNECTION]\n"
    "       portalctl [OPTION]... COMMAND ...\n"
    "A terminal console for customer portals at ECGrid, Zoho CRM and Valstorm.\n"
    "\n"
    "Options:\n"
    "  --config FILE   use FILE instead of $XDG_CONFIG_HOME/portalctl/config.ini\n"
    "  --read-only     refuse every change\n"
    "  --session-secrets\n"
    "                  no keyring: ask for secrets and keep them in memory only,\n"
    "                  until portalctl exits\n"
    "  --demo          start portal-sim (the bundled simulator of the three vendor\n"
    "                  APIs) on a free loopback port and open the console on it,\n"
    "                  one connection per vendor, secrets in memory only\n"
    "  --bench SCRIPT  replay SCRIPT's keys in the console on a virtual terminal\n"
    "                  and print per-frame processing times (bench/README.md)\n"
    "  --help          show this help and exit\n"
    "  --version       show the version and exit\n"
    "\n"
    "Exit status: 0 done, 2 usage, 3 invalid input (nothing sent), 4 the vendor\n"
    "refused, 5 network, TLS or authentication failure.\n";

struct global_options {
    const char *config_file;
    bool read_only;
    bool session_secrets; /* no keyring: secrets typed in are kept in memory */
    bool demo;
    const char *bench_script; /* --bench: the console, driven by a script */
};

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "portalctl: %s '%s' (try 'portalctl --help')\n", what, arg);
    return EXIT_USAGE;
}

/* The console over the simulator; portal-sim is stopped however the console ends. */
static int run_demo(bool read_only)
{
    struct demo_simulator sim;
    char *error = NULL;
    if (!demo_simulator_start(&sim, NULL, &error)) {
        fprintf(stderr, "portalctl: %s\n", error);
        g_free(error);
        return EXIT_NETWORK;
    }
    struct demo_setup setup;
    int rc = EXIT_NETWORK;
    if (demo_setup_init(&setup, sim.base_url, &error)) {
        struct console_options options = {.config = setup.config,
                                          .secrets = setup.secrets,
                                          .read_only = read_only,
                                          .mode_label = "demo"};
        rc = console_run(&options);
        demo_setup_free(&setup);
    } else {
        fprintf(stderr, "portalctl: %s\n", error);
        g_free(error);
    }
    demo_simulator_stop(&sim);
    return rc;
}

/* The console over the configured connections. No keyring call happens here:
 * opening the keyring backend does not talk to D-Bus. */
static int run_console(const struct global_options *options, const char *connection)
{
    GError *error = NULL;
    struct config *config = config_load(options->config_file, &error);
    if (!config) {
        fprintf(stderr, "portalctl: %s\n", error->message);
        g_error_free(error);
        return EXIT_USAGE;
    }
    struct secrets *secrets = secrets_open(
        options->session_secrets ? SECRETS_BACKEND_SESSION : SECRETS_BACKEND_KEYRING, &error);
    if (!secrets) {
        fprintf(stderr, "portalctl: %s\n", error->message);
        g_error_free(error);
        config_free(config);
        return EXIT_NETWORK;
    }
    struct console_options console = {.config = config,
                                      .secrets = secrets,
                                      .read_only = options->read_only,
                                      .connection = connection,
                                      .mode_label =
                                          options->session_secrets ? "session-only secrets" : NULL};
    int rc =
        options->bench_script ? bench_run(&console, options->bench_script) : console_run(&console);
    secrets_close(secrets);
    config_free(config);
    return rc;
}

/* Returns -1 to go on, or an exit code. Leaves *next at the first operand. */
static int parse_global_options(int argc, char **argv, struct global_options *o, int *next)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            fputs("\n", stdout);
            fputs(cli_usage(), stdout);
            return EXIT_DONE;
        } else if (strcmp(arg, "--version") == 0) {
            printf("portalctl %s\n", PORTALCTL_VERSION);
            return EXIT_DONE;
        } else if (strcmp(arg, "--demo") == 0) {
            o->demo = true;
        } else if (strcmp(arg, "--read-only") == 0) {
            o->read_only = true;
        } else if (strcmp(arg, "--session-secrets") == 0) {
            o->session_secrets = true;
        } else if (strcmp(arg, "--config") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing file after", arg);
            o->config_file = argv[++i];
        } else if (strcmp(arg, "--bench") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing script after", arg);
            o->bench_script = argv[++i];
        } else if (g_str_has_prefix(arg, "--config=")) {
            o->config_file = arg + strlen("--config=");
        } else {
            return usage_error("unknown option", arg);
        }
    }
    *next = i;
    return -1;
}

int main(int argc, char **argv)
{
    /* No core file ever: any run may come to hold a key or token (the
     * secrets module does this again when it opens; here it covers the
     * whole process from its first instruction of ours). */
    secrets_protect_process(NULL);
    struct global_options options = {0};
    int next = argc;
    int rc = parse_global_options(argc, argv, &options, &next);
    if (rc >= 0)
        return rc;
    if (options.demo)
        return next < argc ? usage_error("--demo takes no operand, got", argv[next])
                           : run_demo(options.read_only);
    if (next < argc && cli_is_command(argv[next])) {
        struct cli_globals globals = {.config_file = options.config_file,
                                      .read_only = options.read_only,
                                      .session_secrets = options.session_secrets};
        return cli_run(&globals, argc - next, argv + next);
    }
    if (next + 1 < argc)
        return usage_error("unknown command", argv[next]);
    return run_console(&options, next < argc ? argv[next] : NULL);
}
