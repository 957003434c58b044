/*
 * Command line: bulk work from a CSV file (users invite|create|remove
 * CONNECTION --csv FILE …). Parses the options, shows the plan's problems as
 * FILE:LINE: field: message and refuses to send anything when a row is
 * invalid (unless --skip-invalid), prints the dry run, asks before a
 * removal, runs the bulk engine (src/app/bulk*.c) with a progress bar on a
 * terminal and nothing but a JSON summary otherwise, writes the report and
 * the audit line, and maps the outcome to the exit status: 0 only when every
 * row succeeded.
 */
#include "cli_internal.h"

#include <portalctl/audit.h>
#include <portalctl/bulk.h>
#include <portalctl/session.h>
#include <portalctl/text.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAILURES_SHOWN       10
#define PROGRESS_INTERVAL_US (100 * 1000)

struct bulk_options {
    const char *connection;
    const char *portal;
    const char *csv;
    const char *journal;
    const char *report;
    const char *report_format;
    unsigned concurrency;
    bool dry_run;
    bool skip_invalid;
    bool generate_passwords;
    bool retry_refused;
    bool yes;
    bool json;
};

struct bulk_cli {
    const struct cli_globals *globals;
    enum bulk_action action;
    struct bulk_options opt;
    struct config *config;
    const struct connection_config *connection;
    struct bulk_plan *plan;
    struct bulk_journal *journal;
    char *journal_path;
    char *run_id;
    bool bar; /* draw a progress bar on stderr */
    gint64 last_drawn_us;
};

static volatile sig_atomic_t stop_requested;

/* ---- options ------------------------------------------------------------------------ */

static const struct {
    const char *verb;
    enum bulk_action action;
} bulk_verbs[] = {
    {"invite", BULK_INVITE},
    {"create", BULK_CREATE},
    {"remove", BULK_REMOVE},
};

bool cli_bulk_wanted(const char *group, int argc, char **argv)
{
    if (strcmp(group, "users") != 0 || argc < 1)
        return false;
    bool verb = false;
    for (size_t i = 0; i < G_N_ELEMENTS(bulk_verbs); i++)
        verb = verb || strcmp(argv[0], bulk_verbs[i].verb) == 0;
    for (int i = 1; verb && i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--csv") == 0)
            return true;
    }
    return false;
}

static int parse_count(const char *text, unsigned *out)
{
    char *end = NULL;
    unsigned long n = strtoul(text, &end, 10);
    if (!text[0] || *end || n < 1 || n > 256 || text[0] == '-')
        return cli_fail(CLI_EXIT_USAGE, "--concurrency: a number from 1 to 256 (got '%s')", text);
    *out = (unsigned)n;
    return -1;
}

static int take_value(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc)
        return cli_fail(CLI_EXIT_USAGE, "%s needs a value", argv[*i]);
    *out = argv[++*i];
    return -1;
}

static int parse_option(struct bulk_options *o, int argc, char **argv, int *i)
{
    static const struct {
        const char *name;
        size_t offset;
    } values[] = {
        {"--portal", offsetof(struct bulk_options, portal)},
        {"--csv", offsetof(struct bulk_options, csv)},
        {"--journal", offsetof(struct bulk_options, journal)},
        {"--report", offsetof(struct bulk_options, report)},
        {"--report-format", offsetof(struct bulk_options, report_format)},
    };
    static const struct {
        const char *name;
        size_t offset;
    } flags[] = {
        {"--dry-run", offsetof(struct bulk_options, dry_run)},
        {"--skip-invalid", offsetof(struct bulk_options, skip_invalid)},
        {"--generate-passwords", offsetof(struct bulk_options, generate_passwords)},
        {"--retry-refused", offsetof(struct bulk_options, retry_refused)},
        {"--yes", offsetof(struct bulk_options, yes)},
        {"-y", offsetof(struct bulk_options, yes)},
        {"--json", offsetof(struct bulk_options, json)},
    };
    const char *arg = argv[*i];
    for (size_t k = 0; k < G_N_ELEMENTS(values); k++) {
        if (strcmp(arg, values[k].name) == 0)
            return take_value(argc, argv, i, (const char **)((char *)o + values[k].offset));
    }
    for (size_t k = 0; k < G_N_ELEMENTS(flags); k++) {
        if (strcmp(arg, flags[k].name) == 0) {
            *(bool *)((char *)o + flags[k].offset) = true;
            return -1;
        }
    }
    if (strcmp(arg, "--concurrency") == 0) {
        const char *text = NULL;
        int rc = take_value(argc, argv, i, &text);
        return rc >= 0 ? rc : parse_count(text, &o->concurrency);
    }
    return cli_fail(CLI_EXIT_USAGE, "unknown option '%s' for a bulk run (see 'portalctl --help')",
                    arg);
}

static int parse_options(struct bulk_cli *b, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        int rc = -1;
        if (argv[i][0] == '-' && argv[i][1])
            rc = parse_option(&b->opt, argc, argv, &i);
        else if (!b->opt.connection)
            b->opt.connection = argv[i];
        else
            rc = cli_fail(CLI_EXIT_USAGE,
                          "unexpected operand '%s': with --csv the rows come from the file",
                          argv[i]);
        if (rc >= 0)
            return rc;
    }
    if (!b->opt.connection)
        return cli_fail(CLI_EXIT_USAGE, "users %s --csv: which connection?", argv[0]);
    const char *format = b->opt.report_format;
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return cli_fail(CLI_EXIT_USAGE, "--report-format: csv or json (got '%s')", format);
    if (b->opt.generate_passwords && !b->opt.report && !b->opt.dry_run)
        return cli_fail(CLI_EXIT_USAGE,
                        "--generate-passwords needs --report FILE: the passwords are shown "
                        "there once (mode 0600) and nowhere else");
    return -1;
}

/* ---- the plan ------------------------------------------------------------------------------ */

static void print_lines(GPtrArray *lines, size_t limit)
{
    for (guint i = 0; i < lines->len && i < limit; i++) {
        char *clean = text_sanitize(g_ptr_array_index(lines, i));
        fprintf(stderr, "%s\n", clean);
        g_free(clean);
    }
    if (lines->len > limit)
        fprintf(stderr, "… and %u more\n", lines->len - (guint)limit);
}

static int make_plan(struct bulk_cli *b)
{
    struct bulk_request request = {
        .action = b->action,
        .connection = b->connection,
        .portal_id = b->opt.portal,
        .csv_path = b->opt.csv,
        .skip_invalid = b->opt.skip_invalid,
        .generate_passwords = b->opt.generate_passwords,
        .retry_refused = b->opt.retry_refused,
    };
    GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    b->plan = bulk_plan_new(&request, problems, &error);
    int rc = -1;
    if (!b->plan && error) {
        rc = cli_fail(CLI_EXIT_USAGE, "%s", error->message);
    } else if (!b->plan) {
        print_lines(problems, G_MAXSIZE);
        rc = cli_fail(CLI_EXIT_INVALID, "%s cannot be used: nothing was sent", b->opt.csv);
    }
    g_clear_error(&error);
    g_ptr_array_unref(problems);
    if (rc >= 0)
        return rc;
    print_lines(b->plan->problems, G_MAXSIZE);
    if (b->plan->invalid > 0 && !b->opt.skip_invalid)
        return cli_fail(CLI_EXIT_INVALID,
                        "%zu of %u rows are not valid: nothing was sent (fix them, or add "
                        "--skip-invalid to send the valid rows only)",
                        b->plan->invalid, b->plan->rows->len);
    return -1;
}

static int open_journal(struct bulk_cli *b)
{
    b->journal_path = b->opt.journal ? g_strdup(b->opt.journal)
                                     : bulk_journal_default_path(b->connection->name,
                                                                 bulk_plan_operation(b->plan),
                                                                 b->opt.portal, b->opt.csv);
    /* A dry run reads an existing journal (to show only what would be sent)
     * but creates none. */
    if (b->opt.dry_run && !g_file_test(b->journal_path, G_FILE_TEST_EXISTS))
        return -1;
    GError *error = NULL;
    b->journal = bulk_journal_open(b->journal_path, &error);
    if (!b->journal) {
        int rc = cli_fail(CLI_EXIT_FAILED, "%s", error->message);
        g_clear_error(&error);
        return rc;
    }
    bulk_plan_apply_journal(b->plan, b->journal);
    return -1;
}

static int dry_run(struct bulk_cli *b)
{
    char *text = bulk_plan_describe(b->plan);
    fputs(text, stdout);
    g_free(text);
    return CLI_EXIT_DONE;
}

static size_t rows_with(const struct bulk_plan *plan, enum bulk_status status)
{
    size_t n = 0;
    for (guint i = 0; i < plan->rows->len; i++)
        n += ((const struct bulk_row *)g_ptr_array_index(plan->rows, i))->status == status;
    return n;
}

static int confirm_removal(struct bulk_cli *b)
{
    if (b->action != BULK_REMOVE || b->opt.yes)
        return -1;
    char *question =
        g_strdup_printf("remove %zu people listed in %s from %s%s%s?",
                        rows_with(b->plan, BULK_STATUS_WAITING), b->opt.csv, b->connection->name,
                        b->opt.portal ? " portal " : "", b->opt.portal ? b->opt.portal : "");
    bool yes = cli_confirm(question);
    g_free(question);
    return yes ? -1 : cli_fail(CLI_EXIT_USAGE, "not confirmed: nothing was sent");
}

/* ---- progress -------------------------------------------------------------------------------- */

static void draw_bar(const struct bulk_progress *p)
{
    const int width = 24;
    int filled = p->total ? (int)((double)p->finished / (double)p->total * width) : width;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    char eta[32] = "--:--";
    if (p->eta_seconds >= 0)
        g_snprintf(eta, sizeof(eta), "%d:%02d", (int)p->eta_seconds / 60, (int)p->eta_seconds % 60);
    fprintf(stderr, "\r\033[K[%s] %zu/%zu rows  %.1f/s  ETA %s  failed %zu", bar, p->finished,
            p->total, p->rate, eta, p->failed);
    fflush(stderr);
}

static void on_progress(const struct bulk_progress *progress, void *user)
{
    struct bulk_cli *b = user;
    gint64 now = g_get_monotonic_time();
    bool last = progress->finished == progress->total;
    if (!b->bar || (!last && now - b->last_drawn_us < PROGRESS_INTERVAL_US))
        return;
    b->last_drawn_us = now;
    draw_bar(progress);
}

static void on_signal(int signum)
{
    (void)signum;
    if (stop_requested) /* a second Ctrl-C: stop now; the journal says where */
        _exit(130);
    stop_requested = 1;
}

static void catch_signals(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

/* ---- the run ------------------------------------------------------------------------------------
 */

static enum bulk_report_format report_format(const struct bulk_cli *b)
{
    if (b->opt.report_format)
        return strcmp(b->opt.report_format, "csv") == 0 ? BULK_REPORT_CSV : BULK_REPORT_JSON;
    return bulk_report_format_for(b->opt.report);
}

/* Writes the report (rows as they stand) and, at the end, says so in the
 * journal: the passwords it holds have been shown. */
static bool write_report(struct bulk_cli *b, bool final)
{
    if (!b->opt.report)
        return true;
    GError *error = NULL;
    bool ok = bulk_report_write(b->plan, b->opt.report, report_format(b), &error);
    if (ok && final)
        ok = bulk_journal_mark_report(b->journal, b->run_id, b->opt.report, &error);
    if (!ok) {
        cli_fail(0, "cannot write the report: %s", error->message);
        g_clear_error(&error);
    }
    return ok;
}

static void run_rows(struct bulk_cli *b, struct session *session, struct bulk_runner **runner)
{
    struct bulk_events events = {.progress = on_progress, .user = b};
    *runner = bulk_runner_new(b->plan, session, b->journal, b->run_id, b->opt.concurrency, &events);
    stop_requested = 0;
    catch_signals();
    bulk_runner_run(*runner, &stop_requested);
    if (b->bar)
        fputc('\n', stderr);
}

/* The keyring is asked before the first request (a D-Bus round trip that
 * can take a while), so the run itself only sends. A missing credential is
 * reported by the first job, with the vendor's own advice. */
static void fetch_credentials(struct session *session)
{
    const struct vendor_ops *vendor = session_vendor(session);
    const int *kinds = vendor && vendor->auth ? vendor->auth->credential_kinds : NULL;
    for (size_t i = 0; kinds && kinds[i] >= 0; i++) {
        GError *error = NULL;
        const char *secret = session_secret(session, (enum secret_kind)kinds[i], &error);
        g_clear_error(&error);
        if (secret)
            return;
    }
}

static struct net_engine *make_engine(const struct bulk_cli *b)
{
    struct net_engine_options options;
    net_engine_options_init(&options);
    unsigned jobs =
        b->opt.concurrency ? b->opt.concurrency : bulk_plan_default_concurrency(b->plan);
    options.max_in_flight = jobs * bulk_plan_requests_per_job(b->plan) + 1;
    return net_engine_new(&options);
}

/* ---- the end
 * -------------------------------------------------------------------------------------- */

static void audit_run(const struct bulk_cli *b, size_t succeeded, size_t failed)
{
    GError *error = NULL;
    if (!bulk_audit(b->plan, b->connection->name, b->opt.portal, b->opt.csv, succeeded, failed,
                    &error)) {
        cli_fail(0, "warning: could not write the audit log: %s", error->message);
        g_clear_error(&error);
    }
}

static void print_failures(const struct bulk_cli *b)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < b->plan->rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(b->plan->rows, i);
        if (row->status == BULK_STATUS_FAILED || row->status == BULK_STATUS_NOT_SENT)
            g_ptr_array_add(
                lines, g_strdup_printf("%s:%u: %s: %s: %s", b->opt.csv, row->line, row->identity,
                                       row->permanent ? "refused" : bulk_status_name(row->status),
                                       row->error ? row->error : "not sent"));
    }
    print_lines(lines, FAILURES_SHOWN);
    g_ptr_array_unref(lines);
}

/* Failed rows the vendor refused for good (a subset of "failed"). */
static size_t refused_rows(const struct bulk_plan *plan)
{
    size_t n = 0;
    for (guint i = 0; i < plan->rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        n += row->status == BULK_STATUS_FAILED && row->permanent;
    }
    return n;
}

static void print_summary(const struct bulk_cli *b, const struct bulk_runner *runner)
{
    const struct bulk_plan *plan = b->plan;
    size_t done = rows_with(plan, BULK_STATUS_DONE), earlier = rows_with(plan, BULK_STATUS_EARLIER);
    size_t failed = rows_with(plan, BULK_STATUS_FAILED);
    size_t not_sent = rows_with(plan, BULK_STATUS_NOT_SENT);
    double elapsed = bulk_runner_elapsed_ms(runner);
    struct bulk_progress progress;
    bulk_runner_get_progress(runner, &progress);
    if (b->opt.json || !isatty(STDOUT_FILENO)) {
        GString *json = g_string_new("{\"operation\":");
        text_append_json_string(json, bulk_plan_operation(plan));
        g_string_append_printf(json,
                               ",\"rows\":%u,\"done\":%zu,\"done_earlier\":%zu,\"failed\":%zu,"
                               "\"refused\":%zu,\"invalid\":%zu,\"not_sent\":%zu,"
                               "\"elapsed_ms\":%.0f,\"concurrency\":%u,\"pushbacks\":%u,"
                               "\"paused_ms\":%.0f,\"journal\":",
                               plan->rows->len, done, earlier, failed, refused_rows(plan),
                               plan->invalid, not_sent, elapsed, progress.peak_in_flight,
                               progress.pushbacks, progress.paused_ms);
        text_append_json_string(json, b->journal_path);
        g_string_append(json, ",\"report\":");
        text_append_json_string(json, b->opt.report);
        g_string_append(json, "}\n");
        fputs(json->str, stdout);
        g_string_free(json, TRUE);
        return;
    }
    printf("%s: %zu of %u rows done (%zu earlier), %zu failed, %zu invalid, %zu not sent, in "
           "%.1f s\n",
           bulk_plan_operation(plan), done + earlier, plan->rows->len, earlier, failed,
           plan->invalid, not_sent, elapsed / 1000.0);
    printf("journal: %s\n", b->journal_path);
    if (b->opt.report)
        printf("report:  %s\n", b->opt.report);
}

static int exit_status(const struct bulk_cli *b, const struct bulk_runner *runner)
{
    const struct api_error *fatal = bulk_runner_fatal(runner);
    if (fatal)
        return api_error_exit_status(fatal->kind);
    if (rows_with(b->plan, BULK_STATUS_NOT_SENT) > 0)
        return CLI_EXIT_FAILED;
    if (rows_with(b->plan, BULK_STATUS_FAILED) > 0)
        return CLI_EXIT_REFUSED;
    if (b->plan->invalid > 0)
        return CLI_EXIT_INVALID;
    return CLI_EXIT_DONE;
}

/* An existing report may hold passwords shown nowhere else: it is kept as
 * FILE.~N~ (like cp --backup=numbered), never overwritten. */
static bool keep_old_report(const struct bulk_cli *b)
{
    if (!b->opt.report || !g_file_test(b->opt.report, G_FILE_TEST_EXISTS))
        return true;
    char *backup = NULL;
    for (unsigned n = 1; n < 10000 && !backup; n++) {
        backup = g_strdup_printf("%s.~%u~", b->opt.report, n);
        if (g_file_test(backup, G_FILE_TEST_EXISTS))
            g_clear_pointer(&backup, g_free);
    }
    bool moved = backup && rename(b->opt.report, backup) == 0;
    if (moved)
        fprintf(stderr, "portalctl: the earlier report is kept as %s\n", backup);
    else
        cli_fail(0, "cannot move the earlier report %s aside: nothing was sent", b->opt.report);
    g_free(backup);
    return moved;
}

static int execute(struct bulk_cli *b)
{
    b->run_id = bulk_journal_new_run_id();
    /* Fail now rather than after passwords are set. */
    if (!keep_old_report(b) || !write_report(b, false))
        return CLI_EXIT_FAILED;
    struct secrets *secrets = cli_open_secrets_for(b->globals, b->connection);
    if (!secrets)
        return CLI_EXIT_FAILED;
    struct net_engine *net = make_engine(b);
    struct session *session = session_new(b->connection, net, secrets);
    struct bulk_runner *runner = NULL;
    fetch_credentials(session);
    b->bar = isatty(STDERR_FILENO);
    run_rows(b, session, &runner);
    session_free(session);
    net_engine_free(net);
    secrets_close(secrets);
    bool reported = write_report(b, true);
    const struct api_error *fatal = bulk_runner_fatal(runner);
    if (fatal)
        cli_print_error(fatal);
    print_failures(b);
    print_summary(b, runner);
    audit_run(b, rows_with(b->plan, BULK_STATUS_DONE) + rows_with(b->plan, BULK_STATUS_EARLIER),
              rows_with(b->plan, BULK_STATUS_FAILED) + rows_with(b->plan, BULK_STATUS_NOT_SENT));
    int rc = exit_status(b, runner);
    bulk_runner_free(runner);
    return reported || rc != CLI_EXIT_DONE ? rc : CLI_EXIT_FAILED;
}

static int prepare(struct bulk_cli *b, int argc, char **argv)
{
    int rc = parse_options(b, argc, argv);
    if (rc >= 0)
        return rc;
    if (!(b->config = cli_load_config(b->globals, &rc)))
        return rc;
    if (!(b->connection = cli_find_connection(b->config, b->opt.connection, &rc)))
        return rc;
    if (!b->opt.dry_run && (b->connection->read_only || b->globals->read_only))
        return cli_fail(CLI_EXIT_INVALID, "%s is read-only: 'users %s' refused, nothing sent",
                        b->connection->name, argv[0]);
    if ((rc = make_plan(b)) >= 0 || (rc = open_journal(b)) >= 0)
        return rc;
    if (b->opt.dry_run)
        return dry_run(b);
    if ((rc = confirm_removal(b)) >= 0)
        return rc;
    return execute(b);
}

int cli_bulk_run(const struct cli_globals *globals, const char *group, int argc, char **argv)
{
    (void)group;
    struct bulk_cli b;
    memset(&b, 0, sizeof(b));
    b.globals = globals;
    for (size_t i = 0; i < G_N_ELEMENTS(bulk_verbs); i++) {
        if (strcmp(argv[0], bulk_verbs[i].verb) == 0)
            b.action = bulk_verbs[i].action;
    }
    int rc = prepare(&b, argc, argv);
    bulk_journal_close(b.journal);
    bulk_plan_free(b.plan);
    config_free(b.config);
    g_free(b.journal_path);
    g_free(b.run_id);
    return rc;
}
