/*
 * portalctl: entry point. Parses the global options and hands over to the
 * demo, the console or one command-line operation. Nothing else lives here.
 */
#include <portalctl/cli.h>
#include <portalctl/demo.h>

#include <errno.h>
#include <signal.h>
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
    "  --demo          start portal-sim (the bundled simulator of the three vendor\n"
    "                  APIs) on a free loopback port and show how to reach it\n"
    "  --help          show this help and exit\n"
    "  --version       show the version and exit\n"
    "\n"
    "Exit status: 0 done, 2 usage, 3 invalid input (nothing sent), 4 the vendor\n"
    "refused, 5 network, TLS or authentication failure.\n";

struct global_options {
    const char *config_file;
    bool read_only;
    bool demo;
};

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "portalctl: %s '%s' (try 'portalctl --help')\n", what, arg);
    return EXIT_USAGE;
}

/* What the demo simulator offers, from the API contracts' simulator sections. */
static void print_demo_banner(const char *url)
{
    printf("portal-sim is running at %s\n\n"
           "  ECGrid    base %s/v2      X-API-Key: sim-ecgrid-netadmin\n"
           "  Zoho      base %s/crm/v7  token from %s/oauth/v2/token\n"
           "            (client sim-zoho-client, secret sim-zoho-secret,\n"
           "             refresh token sim-zoho-refresh)\n"
           "  Valstorm  base %s/v1      Authorization: Bearer sim-valstorm-admin\n\n"
           "Try:  curl -s -H 'X-API-Key: sim-ecgrid-netadmin' %s/v2/users/me\n\n"
           "Press Ctrl-C to stop the simulator.\n",
           url, url, url, url, url, url);
    fflush(stdout);
}

static int run_demo(void)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop_signals, NULL);

    struct demo_simulator sim;
    char *error = NULL;
    if (!demo_simulator_start(&sim, NULL, &error)) {
        fprintf(stderr, "portalctl: %s\n", error);
        g_free(error);
        return EXIT_NETWORK;
    }
    print_demo_banner(sim.base_url);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    int rc = demo_simulator_stop(&sim);
    printf("\nportal-sim stopped.\n");
    return rc == 0 ? EXIT_DONE : EXIT_NETWORK;
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
        } else if (strcmp(arg, "--config") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing file after", arg);
            o->config_file = argv[++i];
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
    struct global_options options = {0};
    int next = argc;
    int rc = parse_global_options(argc, argv, &options, &next);
    if (rc >= 0)
        return rc;
    if (options.demo)
        return next < argc ? usage_error("--demo takes no operand, got", argv[next])
                           : run_demo();
    if (next < argc && cli_is_command(argv[next])) {
        struct cli_globals globals = {.config_file = options.config_file,
                                      .read_only = options.read_only};
        return cli_run(&globals, argc - next, argv + next);
    }
    if (next < argc)
        return usage_error("unknown command", argv[next]);
    fprintf(stderr, "portalctl: the console is not part of this build yet; "
                    "try 'portalctl --demo' or 'portalctl --help'\n");
    return EXIT_USAGE;
}
