/*
 * The console's browsing controller: the configured connections with their
 * sessions and state marks, the portal list of the opened connection, the
 * user list of the opened portal, and the jobs in flight that fill them.
 *
 * Lists fill asynchronously: a job's pages are appended as they arrive; a
 * reload keeps the old records until the first page of the new answer
 * replaces them (the generation counter says when that happened, so the list
 * view can keep its cursor). The console reads the state after each turn of
 * its loop; nothing here draws, and nothing here blocks except the keyring
 * lookup, which runs only from browser_open_connection() — the console calls
 * it after a frame that says so.
 *
 * Must never: draw, print, or keep a secret anywhere but the session cache.
 */
#ifndef PORTALCTL_BROWSER_H
#define PORTALCTL_BROWSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <portalctl/config.h>
#include <portalctl/model.h>
#include <portalctl/net.h>
#include <portalctl/secrets.h>
#include <portalctl/session.h>

/* What the console shows beside a connection (always as words, never only colour). */
enum browser_mark {
    BROWSER_MARK_UNUSED,      /* not opened yet this run */
    BROWSER_MARK_OK,          /* the vendor answered */
    BROWSER_MARK_LOCKED,      /* the keyring is locked */
    BROWSER_MARK_NO_SECRET,   /* nothing stored for it: portalctl auth set */
    BROWSER_MARK_AUTH_FAILED, /* the vendor refused the credentials */
    BROWSER_MARK_UNREACHABLE, /* network, TLS or a broken answer */
};

const char *browser_mark_text(enum browser_mark mark);

struct browser_connection {
    struct connection_config *config; /* owned copy */
    const struct vendor_ops *vendor;  /* NULL when this build has no adapter */
    struct session *session;
    enum browser_mark mark;
    bool read_only; /* the connection's read_only or --read-only */
    bool secrets_loaded;
};

enum browser_list_kind {
    BROWSER_PORTALS,
    BROWSER_USERS,
};

struct browser;

struct browser_list {
    struct browser *browser;
    enum browser_list_kind kind;
    struct record_list records;
    unsigned generation;    /* bumped whenever records are replaced, not appended */
    struct vendor_job *job; /* the load in flight, or NULL */
    unsigned serial;        /* of the current job; older jobs' reports are ignored */
    int64_t started_us;     /* monotonic start of the job */
    char *label;            /* "portals of acme" */
    bool replace_pending;   /* the next page replaces the records */
    bool loaded;            /* a load ended successfully */
    bool incomplete;        /* the last load failed after some of its rows arrived: the
                               records are only a part of the list (say so) */
    char *owner;            /* whose list: connection name, or portal id */
    char *owner_title;      /* for the title line: connection name or portal name */
};

struct browser {
    struct net_engine *net;  /* borrowed */
    struct secrets *secrets; /* borrowed; NULL: only secrets set on sessions */
    bool read_only;
    GPtrArray *connections;             /* of struct browser_connection *, by vendor then name */
    struct record_list connection_rows; /* one record per connection, for the panel */
    unsigned connection_generation;
    int current; /* the opened connection, -1 when none */
    struct browser_list portals;
    struct browser_list users;
    char *message; /* the last thing worth saying, sanitized */
    bool message_is_error;
    unsigned changes; /* bumped on every change the screen may show */
};

struct browser *browser_new(struct net_engine *net, struct secrets *secrets, bool read_only);
/* Cancels every job and lets the engine deliver the cancellations first. */
void browser_free(struct browser *browser);

/* Adds a connection (copied); returns it. Its session is created at once
 * (sessions do not touch the keyring until a secret is needed). */
struct browser_connection *browser_add_connection(struct browser *browser,
                                                  const struct connection_config *config);
size_t browser_connection_count(const struct browser *browser);
struct browser_connection *browser_connection_at(const struct browser *browser, size_t index);
/* The index of a connection by name, or -1. */
int browser_find_connection(const struct browser *browser, const char *name);
/* The row of connection_rows for the connection at index is the same index. */

/* Whether opening this connection will ask the keyring (a blocking call). */
bool browser_needs_keyring(const struct browser *browser, size_t index);

/* Makes index the current connection: looks its secrets up when not done
 * yet (may block on D-Bus), then starts listing its portals. */
void browser_open_connection(struct browser *browser, size_t index);
/* Lists the users of a portal of the current connection. */
void browser_open_portal(struct browser *browser, const struct record *portal);
/* Loads the list again, keeping what is shown until the answer arrives. */
void browser_refresh(struct browser *browser, enum browser_list_kind kind);
/* Cancels the list's job; false when none was in flight. */
bool browser_cancel(struct browser *browser, enum browser_list_kind kind);

struct browser_list *browser_list(struct browser *browser, enum browser_list_kind kind);
struct browser_connection *browser_current(const struct browser *browser);
/* Jobs in flight, at most two (portals and users). */
size_t browser_jobs_in_flight(const struct browser *browser);

void browser_set_message(struct browser *browser, bool is_error, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
