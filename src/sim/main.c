/*
 * portal-sim: command line. Parses the options, starts the server, prints the
 * one line tests wait for, and on SIGTERM or SIGINT stops and saves state.
 */
#include <portalctl/sim/server.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

enum exit_code { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "Usage: portal-sim [OPTION]...\n"
    "Simulates the ECGrid REST v2, Zoho CRM v7 client-portal and Valstorm v1 portal\n"
    "APIs on one HTTP port, for portalctl's tests, benchmarks and demo.\n"
    "\n"
    "  --listen ADDR:PORT     where to listen (default 127.0.0.1:0; port 0 picks a\n"
    "                         free one). The first line on stdout is\n"
    "                         'portal-sim listening on http://ADDR:PORT'.\n"
    "  --state FILE           load state from FILE at start if it exists; save it\n"
    "                         atomically on SIGTERM or SIGINT\n"
    "  --log FILE             append one JSON line per request received:\n"
    "                         method, path, status, vendor, ms (never credentials)\n"
    "  --seed-users N         add N users to each vendor's demo portal (ECGrid\n"
    "                         mailbox 101, Zoho CustomerHub, Valstorm portal_demo1)\n"
    "  --latency-ms N         add N milliseconds to every answer\n"
    "  --fault-rate P         fail each request with probability P (0..1)\n"
    "  --fault-kinds LIST     faults to choose from, comma-separated (default all):\n"
    "                         500,503,429,reset,truncate,malformed,slow\n"
    "  --fault-seed S         seed for the fault choice, to repeat a run exactly\n"
    "  --rate-limit N         at most N requests per second per credential; more\n"
    "                         get the vendor's 429 answer with Retry-After\n"
    "  --retry-after SECS     the Retry-After of those 429s and of the 429 fault\n"
    "                         (default 1)\n"
    "  --zoho-token-ttl SECS  lifetime of Zoho access tokens (default 3600)\n"
    "  --tls-cert FILE        serve HTTPS with this PEM certificate...\n"
    "  --tls-key FILE         ...and this PEM private key\n"
    "  --help                 show this help and exit\n"
    "  --version              show the version and exit\n"
    "\n"
    "Accounts and seeded data are those of portalctl's API contracts; see the\n"
    "README. Exit status: 0 after a clean stop, 1 on a runtime error, 2 on bad usage.\n";

enum option_id {
    OPT_LISTEN = 256,
    OPT_STATE,
    OPT_LOG,
    OPT_SEED_USERS,
    OPT_LATENCY,
    OPT_FAULT_RATE,
    OPT_FAULT_KINDS,
    OPT_FAULT_SEED,
    OPT_RATE_LIMIT,
    OPT_RETRY_AFTER,
    OPT_ZOHO_TTL,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_HELP,
    OPT_VERSION,
};

static const struct option long_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"state", required_argument, NULL, OPT_STATE},
    {"log", required_argument, NULL, OPT_LOG},
    {"seed-users", required_argument, NULL, OPT_SEED_USERS},
    {"latency-ms", required_argument, NULL, OPT_LATENCY},
    {"fault-rate", required_argument, NULL, OPT_FAULT_RATE},
    {"fault-kinds", required_argument, NULL, OPT_FAULT_KINDS},
    {"fault-seed", required_argument, NULL, OPT_FAULT_SEED},
    {"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
    {"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
    {"zoho-token-ttl", required_argument, NULL, OPT_ZOHO_TTL},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *message)
{
    fprintf(stderr, "portal-sim: %s (try 'portal-sim --help')\n", message);
    return EXIT_USAGE;
}

static bool parse_count(const char *text, unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    if (!text[0] || text[0] == '-')
        return false;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || *end || value > max)
        return false;
    *out = value;
    return true;
}

static bool parse_rate(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || *end || !(value >= 0.0 && value <= 1.0))
        return false;
    *out = value;
    return true;
}

/* Applies one option; returns -1 to go on, or an exit code. */
static int apply_option(int id, const char *arg, struct sim_server_options *o, bool *kinds_set)
{
    unsigned long long n = 0;
    char *bad = NULL;
    switch (id) {
    case OPT_LISTEN:
        o->listen = arg;
        return -1;
    case OPT_STATE:
        o->state_file = arg;
        return -1;
    case OPT_LOG:
        o->log_file = arg;
        return -1;
    case OPT_SEED_USERS:
        if (!parse_count(arg, 100000000ull, &n))
            return usage_error("--seed-users: expected a number from 0 to 100000000");
        o->seed_users = (size_t)n;
        return -1;
    case OPT_LATENCY:
        if (!parse_count(arg, 600000ull, &n))
            return usage_error("--latency-ms: expected milliseconds from 0 to 600000");
        o->latency_ms = (unsigned)n;
        return -1;
    case OPT_FAULT_RATE:
        if (!parse_rate(arg, &o->faults.rate))
            return usage_error("--fault-rate: expected a probability from 0 to 1");
        return -1;
    case OPT_FAULT_KINDS:
        if (!sim_fault_parse_kinds(&o->faults, arg, &bad)) {
            char *message = g_strdup_printf("--fault-kinds: unknown fault '%s'", bad);
            int rc = usage_error(message);
            g_free(message);
            g_free(bad);
            return rc;
        }
        *kinds_set = true;
        return -1;
    case OPT_FAULT_SEED:
        if (!parse_count(arg, ULLONG_MAX, &n))
            return usage_error("--fault-seed: expected a non-negative number");
        o->faults.seed = n;
        return -1;
    case OPT_RATE_LIMIT:
        if (!parse_count(arg, 10000000ull, &n))
            return usage_error("--rate-limit: expected requests per second");
        o->rate_limit = (unsigned)n;
        return -1;
    case OPT_RETRY_AFTER:
        if (!parse_count(arg, 31536000ull, &n) || n == 0)
            return usage_error("--retry-after: expected seconds from 1 to 31536000");
        o->retry_after_s = (unsigned)n;
        return -1;
    case OPT_ZOHO_TTL:
        if (!parse_count(arg, 31536000ull, &n) || n == 0)
            return usage_error("--zoho-token-ttl: expected seconds from 1 to 31536000");
        o->zoho_token_ttl = (int)n;
        return -1;
    case OPT_TLS_CERT:
        o->tls_cert = arg;
        return -1;
    case OPT_TLS_KEY:
        o->tls_key = arg;
        return -1;
    case OPT_HELP:
        fputs(usage_text, stdout);
        return EXIT_OK;
    case OPT_VERSION:
        printf("portal-sim %s\n", PORTALCTL_VERSION);
        return EXIT_OK;
    default:
        return EXIT_USAGE;
    }
}

/* Returns -1 when the server should run, or the exit code to leave with. */
static int parse_arguments(int argc, char **argv, struct sim_server_options *o)
{
    bool kinds_set = false;
    opterr = 0; /* our own one-line messages */
    int id;
    while ((id = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (id == '?') {
            char *message = g_strdup_printf("unknown option '%s'", argv[optind - 1]);
            int rc = usage_error(message);
            g_free(message);
            return rc;
        }
        if (id == ':')
            return usage_error("missing value for an option");
        int rc = apply_option(id, optarg, o, &kinds_set);
        if (rc >= 0)
            return rc;
    }
    if (optind < argc) {
        char *message = g_strdup_printf("unexpected argument '%s'", argv[optind]);
        int rc = usage_error(message);
        g_free(message);
        return rc;
    }
    if (!kinds_set)
        sim_fault_parse_kinds(&o->faults, "500,503,429,reset,truncate,malformed,slow", NULL);
    return -1;
}

static int run(const struct sim_server_options *options)
{
    /* Block the stop signals before any thread starts, then wait for them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *error = NULL;
    struct sim_server *server = sim_server_start(options, &error);
    if (!server) {
        fprintf(stderr, "portal-sim: %s\n", error);
        g_free(error);
        return EXIT_FAILURE_RUN;
    }
    printf("portal-sim listening on %s\n", sim_server_url(server));
    fflush(stdout);

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    sim_server_stop(server);
    int rc = EXIT_OK;
    if (!sim_server_save(server, &error)) {
        fprintf(stderr, "portal-sim: %s\n", error);
        g_free(error);
        rc = EXIT_FAILURE_RUN;
    }
    sim_server_free(server);
    return rc;
}

int main(int argc, char **argv)
{
    struct sim_server_options options = {
        .listen = "127.0.0.1:0",
        .zoho_token_ttl = 3600,
    };
    int rc = parse_arguments(argc, argv, &options);
    return rc >= 0 ? rc : run(&options);
}
