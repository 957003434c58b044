/*
 * bulk journal: what a bulk operation has done to each row, kept on disk as
 * it happens, so that running the same command again after a crash or a kill
 * continues where it stopped and never does a row twice.
 *
 * The file is append-only JSON lines, mode 0600 in a 0700 directory
 * (default $XDG_STATE_HOME/portalctl/bulk/). Each line is one event:
 *
 *     {"v":1,"key":"9f2c…","line":12,"state":"pending","run":"r…","time":"…"}
 *     {"v":1,"key":"9f2c…","line":12,"state":"done","outcome":"invited",
 *      "id":"user_8Hq2LrT0aV","run":"r…","time":"…"}
 *     {"v":1,"key":"9f2c…","line":14,"state":"failed","error":"email: …",
 *      "permanent":true,"content":"5be1…","run":"r…","time":"…"}
 *     {"v":1,"run":"r…","event":"report","path":"/home/…/report.csv","time":"…"}
 *
 * A row is known by its key, a SHA-256 of (connection, operation, portal,
 * identity), never by its position in the file: a reordered or extended CSV
 * file resumes correctly. The last event of a key wins. "pending" is written
 * (and synced) before a row's request is sent, so a row that may have reached
 * the vendor is always known as such: the next run checks the vendor before
 * sending it again (invitations, which cannot be duplicated by sending them
 * again, need no pending event). A failure is "permanent" when the vendor refused the row
 * itself (its data): the next run does not send that row again while its
 * content (a SHA-256 of the values it was sent with) is unchanged. No identity (e-mail, login) and
 * no secret is written: only keys, line numbers, outcomes, vendor ids and error messages.
 *
 * Two runs cannot share a journal at once (an exclusive lock on the file). A
 * line cut short by a kill is ignored when read, and the next append starts
 * on a line of its own. Never: network, printing.
 */
#ifndef PORTALCTL_BULK_JOURNAL_H
#define PORTALCTL_BULK_JOURNAL_H

#include <stdbool.h>

#include <glib.h>

enum bulk_row_state {
    BULK_ROW_NONE,      /* never tried */
    BULK_ROW_PENDING,   /* sent (or about to be): the outcome is not known */
    BULK_ROW_DONE,      /* the vendor did it (or it was already so) */
    BULK_ROW_FAILED,    /* the vendor refused it, or it failed before it could take effect */
    BULK_ROW_AMBIGUOUS, /* failed in a way that may hide a success: check before resending */
};

/* "pending", "done", … and back; false for an unknown name. */
const char *bulk_row_state_name(enum bulk_row_state state);
bool bulk_row_state_from_name(const char *name, enum bulk_row_state *state);

struct bulk_journal_entry {
    char *key;
    unsigned line;
    enum bulk_row_state state;
    char *outcome;   /* "invited", "created", …; NULL for pending */
    char *vendor_id; /* NULL when unknown */
    char *error;     /* NULL unless failed or ambiguous */
    char *run;       /* the run that wrote it */
    bool secret;     /* done with a generated password shown in that run's report */
    bool permanent;  /* failed: the vendor refused the row itself; sending it again as
                        it was would fail the same way */
    char *content;   /* failed for good: a digest of the row's values, or NULL */
    gint64 time_us;  /* when it was written (real time) */
};

struct bulk_journal;

/* "$XDG_STATE_HOME/portalctl/bulk/<operation>-<connection>-<hash>.jsonl", where
 * the hash covers the connection, operation, portal and the CSV file's
 * absolute path: the same command finds the same journal. */
char *bulk_journal_default_path(const char *connection, const char *operation, const char *portal,
                                const char *csv_path);

/* The key of one row (64 hex digits). identity is used as given: callers
 * lower-case e-mail addresses first. */
char *bulk_journal_key(const char *connection, const char *operation, const char *portal,
                       const char *identity);

/* A digest (64 hex digits) of a row's values as sent, keys and values in
 * order: tells a row fixed since its permanent failure from the same row. */
char *bulk_journal_content_digest(const char *const *keys, const char *const *values, size_t count);

/* A new run id: the time and random digits. g_free. */
char *bulk_journal_new_run_id(void);

/* Opens (creating it and its directory when missing) and reads the journal,
 * and locks it for this process. Errors: the file cannot be created or read,
 * or another run holds it. */
struct bulk_journal *bulk_journal_open(const char *path, GError **error);
void bulk_journal_close(struct bulk_journal *journal);

const char *bulk_journal_path(const struct bulk_journal *journal);

/* The latest entry of key, or NULL when it has none. */
const struct bulk_journal_entry *bulk_journal_lookup(const struct bulk_journal *journal,
                                                     const char *key);

/* How many keys have entries (for tests and messages). */
guint bulk_journal_size(const struct bulk_journal *journal);

/* Appends an event and makes it the key's latest. time_us 0 means now.
 * Events are buffered: bulk_journal_flush writes them (one write()), and
 * bulk_journal_sync writes and syncs them; closing does both. An event not
 * yet written is lost by a kill — which only means its row is checked again. */
bool bulk_journal_append(struct bulk_journal *journal, const struct bulk_journal_entry *entry,
                         GError **error);
bool bulk_journal_flush(struct bulk_journal *journal, GError **error);

/* Records that run's report was written to path (synced at once). */
bool bulk_journal_mark_report(struct bulk_journal *journal, const char *run, const char *path,
                              GError **error);

/* Whether a report of run was written. */
bool bulk_journal_run_reported(const struct bulk_journal *journal, const char *run);

/* Writes the buffered events and makes them durable (fdatasync). */
bool bulk_journal_sync(struct bulk_journal *journal, GError **error);

#endif
