/*
 * store: local state — the portals portalctl knows per connection, for vendors
 * that cannot list them (Valstorm has no list-portals endpoint), in
 * $XDG_STATE_HOME/portalctl/portals.json (or ~/.local/state/portalctl/):
 *
 *     {"version": 1,
 *      "connections": {"acme-valstorm": [
 *          {"id": "portal_3kT9xQ2mZ7", "name": "Customer Hub",
 *           "custom_domain": "help.acme.com", "known_by": "created"}]}}
 *
 * Owns that file: reading it, checking its shape, writing it atomically (0600).
 * A file that cannot be read as state is never silently dropped: it is moved
 * aside to portals.json.corrupt-YYYYMMDDTHHMMSSZ and state_notice() says so.
 *
 * Must never: hold secrets, or overwrite a state file it could not read.
 */
#ifndef PORTALCTL_STATE_H
#define PORTALCTL_STATE_H

#include <stdbool.h>

#include <glib.h>

#include <portalctl/store_files.h>

#define STATE_VERSION 1

/* How portalctl came to know a portal. */
enum portal_origin {
    PORTAL_ORIGIN_CREATED, /* this connection created it: "created" */
    PORTAL_ORIGIN_ADDED,   /* the user told us its id: "added" */
};

const char *portal_origin_name(enum portal_origin origin);

struct known_portal {
    char *id;            /* the vendor's id, e.g. "portal_3kT9xQ2mZ7"; never empty */
    char *name;          /* NULL when only the id is known */
    char *custom_domain; /* NULL when none */
    enum portal_origin origin;
};

struct known_portal *known_portal_new(const char *id, const char *name, const char *custom_domain,
                                      enum portal_origin origin);
struct known_portal *known_portal_copy(const struct known_portal *portal);
void known_portal_free(struct known_portal *portal);

struct state;

/* "$XDG_STATE_HOME/portalctl/portals.json" or "~/.local/state/portalctl/portals.json". */
char *state_default_path(void);

/* Loads the state (path NULL: the default path). A missing file is empty state.
 * A corrupt file is moved aside and gives empty state plus a notice. Errors:
 * the file cannot be read, was written by a newer portalctl, or is corrupt and
 * cannot be moved aside (STORE_ERROR_CORRUPT) — in each case nothing is lost. */
struct state *state_load(const char *path, GError **error);
void state_free(struct state *state);

const char *state_path(const struct state *state);

/* A message for the user when loading had to move a corrupt file aside, else NULL. */
const char *state_notice(const struct state *state);

/* Records a portal: a new id is appended; a known id gets the new name and
 * domain but keeps its origin (a portal created here stays "created").
 * STORE_ERROR_INVALID when the connection or the id is empty. */
bool state_put_portal(struct state *state, const char *connection,
                      const struct known_portal *portal, GError **error);

/* Forgets one portal; false when it was not known. */
bool state_remove_portal(struct state *state, const char *connection, const char *portal_id);

/* Forgets every portal of a connection (the connection was deleted). */
void state_forget_connection(struct state *state, const char *connection);

/* Copies of the portals of a connection, in the order they became known; an
 * empty array when there are none. Free with g_ptr_array_unref(). */
GPtrArray *state_list_portals(const struct state *state, const char *connection);

/* The names of the connections that have portals, sorted. g_strfreev() it. */
char **state_connections(const struct state *state);

/* Writes the file atomically (0600, directory 0700). */
bool state_save(const struct state *state, GError **error);

#endif
