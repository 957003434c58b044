/*
 * portal-sim, ECGrid: the simulated ECGrid data (networks, mailboxes, their
 * portals, users), the section 8 accounts of shared/api/ecgrid.md, the JSON
 * shapes of those objects, and saving and loading them.
 *
 * This module owns the data only: it never checks who asks (that is the wire
 * module, src/sim/ecgrid.c) and never talks HTTP. Users are compact C structs
 * whose strings live in one GStringChunk, so millions of them fit in memory.
 */
#ifndef PORTALCTL_SIM_ECGRID_MODEL_H
#define PORTALCTL_SIM_ECGRID_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <glib.h>
#include <json-c/json.h>

#include <portalctl/sim/json_stream.h>

/* ECGridOS AuthLevel, highest first. The numbers are the ECGridOS (.NET) enum
 * ordinals, which is what a client sending the enum as an integer means. */
enum ecgrid_level {
    ECGRID_LEVEL_NO_CHANGE = 0, /* only in updates: keep the current level */
    ECGRID_LEVEL_ROOT,
    ECGRID_LEVEL_TECH_OPS,
    ECGRID_LEVEL_NET_OPS,
    ECGRID_LEVEL_NETWORK_ADMIN,
    ECGRID_LEVEL_NETWORK_USER,
    ECGRID_LEVEL_MAILBOX_ADMIN,
    ECGRID_LEVEL_MAILBOX_USER,
    ECGRID_LEVEL_TP_USER,
    ECGRID_LEVEL_GENERAL,
    ECGRID_LEVEL_COUNT
};

/* ECGridOS Status with its wire numbers. */
enum ecgrid_status {
    ECGRID_STATUS_DEVELOPMENT = 2,
    ECGRID_STATUS_ACTIVE = 1,
    ECGRID_STATUS_PREPRODUCTION = 0,
    ECGRID_STATUS_SUSPENDED = -1,
    ECGRID_STATUS_TERMINATED = -2,
};

const char *ecgrid_level_name(enum ecgrid_level level);
/* A level from its name (any letter case) or its number; false when neither. */
bool ecgrid_level_from_json(json_object *value, enum ecgrid_level *out);
/* "NoChange, Root, …, General" (g_malloc'd): for error messages. */
char *ecgrid_level_choices(void);

const char *ecgrid_status_name(enum ecgrid_status status);
bool ecgrid_status_from_json(json_object *value, enum ecgrid_status *out);
char *ecgrid_status_choices(void);

struct ecgrid_network {
    int network_id;
    char *name;
    gint64 created;
    GHashTable *logins; /* login (letter case ignored) -> index + 1 in the store's users */
};

struct ecgrid_portal {
    int portal_id;
    char *url;
    enum ecgrid_status status;
    gint64 created;
};

struct ecgrid_mailbox {
    int mailbox_id;
    int network_id;
    char *name;
    char *description;
    enum ecgrid_status status;
    gint64 created;
    gint64 modified;
    struct ecgrid_portal *portal; /* NULL: the mailbox has no portal */
};

/* One user. Every string points into the store's string chunk (never freed
 * one by one); a changed field points at a new copy. Times are seconds since
 * the epoch. Pointers to users are valid only until the next user is added. */
struct ecgrid_user {
    const char *login;
    const char *email;
    const char *first_name;
    const char *last_name;
    const char *company;
    const char *password_sha256; /* salted digest; NULL when never set through the API */
    gint64 created;
    gint64 modified;
    gint64 last_login; /* 0: never */
    gint32 user_id;
    gint32 network_id;
    gint32 mailbox_id; /* 0: a network-level user without a mailbox */
    gint8 level;       /* enum ecgrid_level */
    gint8 status;      /* enum ecgrid_status */
    bool locked_out;
};

struct ecgrid_store {
    GPtrArray *networks;   /* struct ecgrid_network *, a handful */
    GPtrArray *mailboxes;  /* struct ecgrid_mailbox *, a handful */
    GArray *users;         /* struct ecgrid_user, ascending user_id (ids only grow) */
    GStringChunk *strings; /* every user string */
    int next_user_id;
    int next_portal_id;
    size_t seed_serial; /* how many --seed-users logins were handed out */
    /* Keys issued by POST /v2/users/key-generate/{id}: the simulator's own
     * test credentials, saved in the state file, never logged. */
    GHashTable *api_keys;    /* key -> user id */
    GHashTable *key_of_user; /* user id -> its issued key (the string api_keys owns) */
};

/* An empty store, or one holding the data of ecgrid.md section 8. */
struct ecgrid_store *ecgrid_store_new(void);
struct ecgrid_store *ecgrid_store_new_seeded(void);
void ecgrid_store_free(struct ecgrid_store *store);

struct ecgrid_network *ecgrid_store_network(const struct ecgrid_store *store, int network_id);
struct ecgrid_mailbox *ecgrid_store_mailbox(const struct ecgrid_store *store, int mailbox_id);
struct ecgrid_user *ecgrid_store_user(const struct ecgrid_store *store, int user_id);
struct ecgrid_user *ecgrid_store_user_by_login(const struct ecgrid_store *store, int network_id,
                                               const char *login);
size_t ecgrid_store_user_count(const struct ecgrid_store *store);
struct ecgrid_user *ecgrid_store_user_at(const struct ecgrid_store *store, size_t index);

/* Adds a network (NULL when the id exists). */
struct ecgrid_network *ecgrid_store_add_network(struct ecgrid_store *store, int network_id,
                                                const char *name, gint64 created);
/* Adds a copy of mailbox without its portal (NULL when the id exists or the
 * network is unknown). */
struct ecgrid_mailbox *ecgrid_store_add_mailbox(struct ecgrid_store *store,
                                                const struct ecgrid_mailbox *mailbox);
/* Gives mailbox a new Active portal whose URL slug comes from the mailbox name.
 * portal_id 0 takes the next free id. */
struct ecgrid_portal *ecgrid_store_add_portal(struct ecgrid_store *store,
                                              struct ecgrid_mailbox *mailbox, int portal_id,
                                              gint64 created);
/* Adds a copy of user (strings copied into the chunk). user_id 0 takes the next
 * id; an explicit id must be above every existing one. NULL when the network is
 * unknown, the login is taken in it, or the id is not free. */
struct ecgrid_user *ecgrid_store_add_user(struct ecgrid_store *store,
                                          const struct ecgrid_user *user);
/* Points *field at a copy of value kept in the store. */
void ecgrid_store_set_string(struct ecgrid_store *store, const char **field, const char *value);
/* Sets the user's password (only its salted SHA-256 is kept). */
void ecgrid_store_set_password(struct ecgrid_store *store, struct ecgrid_user *user,
                               const char *password);
/* Adds n generated users to mailbox 101 (or the first mailbox); returns how
 * many were added. */
size_t ecgrid_store_seed_users(struct ecgrid_store *store, size_t n);

/* The user id an API key of section 8 belongs to, 0 for any other key. */
int ecgrid_account_user_id(const char *api_key);
/* The user an API key authenticates: an issued key, or a fixed section 8 key
 * whose user never had a key issued (a rotation retires the fixed one). 0 for
 * any other key. */
int ecgrid_store_key_user_id(const struct ecgrid_store *store, const char *api_key);
/* Gives the user key (NULL: a new random GUID-like one) in place of the one it
 * had; returns the store's copy. */
const char *ecgrid_store_set_key(struct ecgrid_store *store, int user_id, const char *key);

/* JSON writing by hand (lists of thousands of users): a key with the comma
 * that separates it from the previous member unless it opens the object. */
void ecgrid_json_key(GString *out, const char *key);
void ecgrid_json_str(GString *out, const char *key, const char *value);
void ecgrid_json_int(GString *out, const char *key, long long value);
void ecgrid_json_bool(GString *out, const char *key, bool value);
void ecgrid_json_time(GString *out, const char *key, gint64 t); /* 0: null */
/* "2026-05-07T09:00:00Z" to seconds; false when it is not that shape. */
bool ecgrid_parse_time(const char *text, gint64 *out);

/* The wire objects: UserIDInfo, MailboxIDInfo, PortalInfo. */
void ecgrid_append_user(GString *out, const struct ecgrid_user *user);
void ecgrid_append_mailbox(GString *out, const struct ecgrid_mailbox *mailbox);
void ecgrid_append_portal(GString *out, const struct ecgrid_mailbox *mailbox);

/* The whole store as one JSON object; false on a write error. */
bool ecgrid_store_save(const struct ecgrid_store *store, FILE *out);
/* A store from what ecgrid_store_save wrote, read from the stream (users one
 * at a time, in the order save wrote them); NULL and *error (g_malloc'd) when
 * the value is not a valid saved state. */
struct ecgrid_store *ecgrid_store_load(struct sim_json_stream *in, char **error);

#endif
