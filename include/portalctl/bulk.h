/*
 * bulk: one operation over many rows of a CSV file — invite people to a
 * portal (Zoho, Valstorm), create users (ECGrid), remove people from a
 * portal — fast, resumable and exactly-once in effect.
 *
 * The engine is UI-free: the command line (src/cli/cli_bulk.c) and, later,
 * the console drive it and show its progress through callbacks. It
 *
 *  - plans: reads the CSV (bulk_csv.h), checks every row with the vendor's
 *    form spec before anything is sent, and merges the journal of earlier
 *    runs (bulk_journal.h): rows done are skipped, rows that may have reached
 *    the vendor are checked there before being sent again;
 *  - runs: vendor jobs (vendor.h) of up to the vendor's batch size (Valstorm
 *    takes 100 people per request), a bounded number in flight over the
 *    shared HTTP engine's reused connections, halving that number when the
 *    vendor pushes back (429, 503), pausing as long as its Retry-After says,
 *    and growing the number again, additively, after successes;
 *    rows that failed in a way that cannot have taken effect are retried
 *    with backoff; every outcome is journaled as it happens;
 *  - reports: one line per row (CSV or JSON): outcome, vendor id, error.
 *
 * Generated passwords (ECGrid) live in memory and in the 0600 report only:
 * see docs/BULK.md for the design. Never: print, draw, sleep, or put a
 * secret in the journal, a message or the dry-run output.
 */
#ifndef PORTALCTL_BULK_H
#define PORTALCTL_BULK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/bulk_journal.h>
#include <portalctl/config.h>
#include <portalctl/form.h>
#include <portalctl/model.h>
#include <portalctl/session.h>

enum bulk_action {
    BULK_INVITE, /* users invite: Zoho, Valstorm */
    BULK_CREATE, /* users create: ECGrid */
    BULK_REMOVE, /* users remove: all three */
};

/* "invite", "create", "remove". */
const char *bulk_action_name(enum bulk_action action);

/* What the person asked for. Strings are borrowed for the plan's life. */
struct bulk_request {
    enum bulk_action action;
    const struct connection_config *connection;
    const char *portal_id; /* --portal; NULL for ECGrid users, which live in a network */
    const char *csv_path;
    bool skip_invalid;       /* send the valid rows even when some are not */
    bool generate_passwords; /* ECGrid: make each user's first password */
    bool retry_refused;      /* send again rows an earlier run had refused for good */
};

/* Where a row stands. */
enum bulk_status {
    BULK_STATUS_INVALID,  /* failed the checks: never sent */
    BULK_STATUS_WAITING,  /* to be sent */
    BULK_STATUS_RUNNING,  /* a job has it */
    BULK_STATUS_DONE,     /* succeeded in this run */
    BULK_STATUS_EARLIER,  /* succeeded in an earlier run (journal) */
    BULK_STATUS_FAILED,   /* failed in this run */
    BULK_STATUS_NOT_SENT, /* the run stopped before sending it */
};

/* "invalid", "waiting", …. */
const char *bulk_status_name(enum bulk_status status);

struct bulk_row {
    unsigned line;              /* in the CSV file */
    struct form_values *values; /* normalized, defaults applied; never a secret */
    char *identity;             /* e-mail, login or id: what the row is about */
    char *key;                  /* journal key */
    enum bulk_status status;
    enum bulk_row_state earlier; /* the journal's state at planning */
    char *earlier_run;           /* the run that wrote it */
    bool earlier_secret;         /* done earlier with a generated password */
    char *outcome;               /* "invited", "created", "already-member", … */
    char *vendor_id;
    char *error;    /* why it failed (sanitized), or NULL */
    char *password; /* generated password (wiped on free), or NULL */
    /* FAILED because the vendor refused the row itself (a field, its state):
     * the outcome is "refused", and a later run does not send it again while
     * the row is unchanged. Otherwise a failure is transient: tried again. */
    bool permanent;
    /* engine state */
    int step;
    unsigned attempts;
    gint64 not_before_us;
    bool touched; /* may have reached the vendor in this or an earlier run */
};

struct bulk_profile;

struct bulk_plan {
    enum bulk_action action;
    const struct bulk_profile *profile;
    const struct vendor_ops *vendor;
    char *connection;
    char *portal_id;
    char *csv_path;
    bool generate_passwords;
    bool retry_refused;
    GPtrArray *rows;     /* struct bulk_row *, in file order */
    GPtrArray *problems; /* char *: "FILE:LINE: field: message", in file order */
    size_t invalid;      /* rows that failed the checks */
};

/* Reads and checks the CSV file. NULL when the request cannot be planned at
 * all: *error says why (unsupported vendor/action, unreadable file, a
 * password column, …) or problems lists what is wrong with the file. With
 * invalid rows a plan is returned; plan->problems lists them. */
struct bulk_plan *bulk_plan_new(const struct bulk_request *request, GPtrArray *problems,
                                GError **error);
void bulk_plan_free(struct bulk_plan *plan);

/* The journal's operation name for the plan, e.g. "invite-users". */
const char *bulk_plan_operation(const struct bulk_plan *plan);

/* Applies what earlier runs did: rows done are EARLIER, rows pending or
 * ambiguous will be checked at the vendor before they are sent again, rows
 * the vendor refused for good (and unchanged since) are FAILED, "refused",
 * unless the request asked to retry them. */
void bulk_plan_apply_journal(struct bulk_plan *plan, const struct bulk_journal *journal);

/* The vendor's default and largest number of jobs in flight. */
unsigned bulk_plan_default_concurrency(const struct bulk_plan *plan);
unsigned bulk_plan_max_concurrency(const struct bulk_plan *plan);
/* Requests one job of this plan keeps in flight (for the HTTP engine's limit). */
unsigned bulk_plan_requests_per_job(const struct bulk_plan *plan);

/* Dry run: what would be sent, as JSON lines ({"lines":[…],"method":…,
 * "path":…,"body":{…}}), one per request the plan would start with;
 * passwords are shown as "<generated>". */
char *bulk_plan_describe(const struct bulk_plan *plan);

/* ---- running ---------------------------------------------------------------------- */

struct bulk_progress {
    size_t total;     /* rows to handle in this run (not invalid, not done earlier) */
    size_t finished;  /* of those, done or failed */
    size_t succeeded; /* of those, done */
    size_t failed;
    unsigned in_flight;      /* jobs */
    unsigned limit;          /* jobs allowed in flight now */
    double rate;             /* rows finished per second so far */
    double eta_seconds;      /* -1 when unknown */
    unsigned peak_in_flight; /* the most jobs that were in flight at once */
    unsigned pushbacks;      /* answers that said "slow down" (429, 503) */
    double paused_ms;        /* how long new starts waited as the vendor asked */
};

struct bulk_events {
    void (*progress)(const struct bulk_progress *progress, void *user); /* may be NULL */
    void *user;
};

struct bulk_runner;

/* The runner sends through session (whose HTTP engine it drives) and
 * journals to journal; concurrency 0 means the vendor's default. */
struct bulk_runner *bulk_runner_new(struct bulk_plan *plan, struct session *session,
                                    struct bulk_journal *journal, const char *run_id,
                                    unsigned concurrency, const struct bulk_events *events);
void bulk_runner_free(struct bulk_runner *runner);

/* Starts what may start now: call after every net_engine_dispatch(). */
void bulk_runner_pump(struct bulk_runner *runner);
/* Milliseconds until the runner needs pump() again (a retry is due), -1 none. */
int bulk_runner_next_timeout_ms(const struct bulk_runner *runner);
bool bulk_runner_finished(const struct bulk_runner *runner);
/* Sends nothing new; jobs in flight finish, rows not sent are NOT_SENT. */
void bulk_runner_stop(struct bulk_runner *runner);

/* Runs to the end on the session's engine (for the command line). A non-zero
 * *stop (set by a signal handler) stops it gracefully. */
void bulk_runner_run(struct bulk_runner *runner, volatile sig_atomic_t *stop);

/* A refusal of the whole operation (credentials, permission, unknown portal,
 * journal not writable) that stopped the run, or NULL. */
const struct api_error *bulk_runner_fatal(const struct bulk_runner *runner);
void bulk_runner_get_progress(const struct bulk_runner *runner, struct bulk_progress *out);
/* Milliseconds from the first request to the last answer (the journal's
 * final sync after it is not counted). */
double bulk_runner_elapsed_ms(const struct bulk_runner *runner);

/* ---- the report --------------------------------------------------------------------- */

enum bulk_report_format {
    BULK_REPORT_CSV,
    BULK_REPORT_JSON,
};

/* The format a file name suggests: .csv → CSV, anything else JSON. */
enum bulk_report_format bulk_report_format_for(const char *path);

/* One line per row in file order: line, identity, outcome, vendor id, error
 * (and the generated password when the plan made any). g_free. */
char *bulk_report_text(const struct bulk_plan *plan, enum bulk_report_format format);

/* Writes the report atomically with mode 0600. */
bool bulk_report_write(const struct bulk_plan *plan, const char *path,
                       enum bulk_report_format format, GError **error);

/* A random password from getrandom() that passes ECGrid's rule (seed 001:
 * a lower-case and an upper-case letter, a digit and a special character;
 * 20 characters, a letter first). g_malloc'd; wipe with secret_value_free().
 * NULL only when the kernel's random source fails. */
char *bulk_generate_password(void);

/* Appends the one audit line of a bulk run ("bulk-<operation>", the portal,
 * "N rows done, M failed (FILE)", ok / partial / failed). */
bool bulk_audit(const struct bulk_plan *plan, const char *connection, const char *portal,
                const char *csv_path, size_t succeeded, size_t failed, GError **error);

#endif
