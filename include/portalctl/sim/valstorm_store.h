/*
 * portal-sim, Valstorm: the simulated tenant's data — global accounts,
 * portals and their memberships, issued tokens and pending 2FA logins — in
 * compact C structures that hold a million portal users in a few hundred MB,
 * plus the JSON writers for the vendor's object shapes and the state file.
 * Knows nothing of HTTP, routes or validation (see valstorm.c).
 */
#ifndef PORTALCTL_SIM_VALSTORM_STORE_H
#define PORTALCTL_SIM_VALSTORM_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>
#include <json-c/json.h>

#include <portalctl/sim/sim.h>

#define VALSTORM_ID_SIZE     24 /* "portal_" + 10 base62 + NUL fits, with room for loaded ids */
#define VALSTORM_ORG_ID      "org_sim"
#define VALSTORM_DEMO_PORTAL "portal_demo1"
#define VALSTORM_ACCESS_TTL  3600.0 /* seconds an access token from a login lives */
#define VALSTORM_REFRESH_TTL (30.0 * 86400.0)
#define VALSTORM_TWO_FA_TTL  600.0 /* seconds a password login waits for its code */

/* A global Valstorm user. One allocation: the strings live in text[]. */
struct valstorm_account {
    char id[VALSTORM_ID_SIZE];
    uint16_t first_at; /* offsets into text; 0 = no such name (the e-mail is at 0) */
    uint16_t last_at;
    uint16_t name_at; /* display name; 0 = the e-mail stands in for it */
    char text[];      /* email NUL [first NUL] [last NUL] [name NUL] */
};

/* An account's place in one portal. */
struct valstorm_member {
    const struct valstorm_account *account;
    int64_t created;
};

struct valstorm_portal {
    char id[VALSTORM_ID_SIZE];
    char *name;
    char *custom_domain; /* NULL when none */
    int64_t created;
    int64_t modified;
    GArray *members;        /* struct valstorm_member, in the order they joined */
    GHashTable *member_set; /* the member accounts (pointers), for "already a member" */
};

enum valstorm_role {
    VALSTORM_ROLE_ADMIN,  /* administrator of production org_sim */
    VALSTORM_ROLE_MEMBER, /* ordinary member: no portal management */
};

enum valstorm_token_kind { VALSTORM_TOKEN_ACCESS, VALSTORM_TOKEN_REFRESH };

/* A personal access token (POST /v1/auth/pats): long-lived, so unlike the
 * tokens of a login it is kept in the state file. It acts with the role of
 * the token that created it. */
struct valstorm_pat {
    char id[VALSTORM_ID_SIZE]; /* "pat_…" */
    char *name;
    char *token; /* "vst_…" */
    enum valstorm_role role;
    int64_t created;
    int64_t expires; /* 0: never */
};

struct valstorm_store {
    uint64_t id_key;               /* from the seed: makes ids look random but never repeat */
    uint64_t ids_issued;           /* counter behind every generated id */
    uint64_t seeded_users;         /* --seed-users rows so far, for unique e-mails */
    double access_token_ttl;       /* VALSTORM_ACCESS_TTL; tests shorten it */
    GPtrArray *portals;            /* struct valstorm_portal *, creation order */
    GPtrArray *accounts;           /* owns struct valstorm_account *, creation order */
    GHashTable *accounts_by_email; /* e-mail, ASCII case-insensitive -> account */
    GHashTable *accounts_by_id;    /* id -> account */
    GHashTable *tokens;            /* issued token -> struct valstorm_token */
    GPtrArray *pats;               /* owns struct valstorm_pat *, creation order */
    GHashTable *two_fa_pending;    /* lower-case e-mail -> double *expiry */
    GRand *token_random;           /* tokens are secrets: not from the seed */
};

/* An empty store; valstorm_store_seed_demo fills in the documented data. */
struct valstorm_store *valstorm_store_new(unsigned long long seed);
void valstorm_store_free(struct valstorm_store *store);
void valstorm_store_seed_demo(struct valstorm_store *store);
/* n more users in the demo portal (recreated when it was deleted). */
void valstorm_store_seed_users(struct valstorm_store *store, size_t n);

const struct valstorm_account *valstorm_account_by_email(const struct valstorm_store *store,
                                                         const char *email);
const struct valstorm_account *valstorm_account_by_id(const struct valstorm_store *store,
                                                      const char *id);
/* A new account with a generated id (id NULL) or the given one. first/last may be NULL. */
const struct valstorm_account *valstorm_account_add(struct valstorm_store *store, const char *id,
                                                    const char *email, const char *first,
                                                    const char *last);
const char *valstorm_account_email(const struct valstorm_account *account);
const char *valstorm_account_first(const struct valstorm_account *account);
const char *valstorm_account_last(const struct valstorm_account *account);
const char *valstorm_account_name(const struct valstorm_account *account);

struct valstorm_portal *valstorm_portal_find(const struct valstorm_store *store, const char *id);
/* A new portal with a generated id (id NULL) or the given one. */
struct valstorm_portal *valstorm_portal_add(struct valstorm_store *store, const char *id,
                                            const char *name, const char *custom_domain,
                                            int64_t now);
void valstorm_portal_set(struct valstorm_portal *portal, const char *name, bool set_domain,
                         const char *custom_domain, int64_t now);
void valstorm_portal_remove(struct valstorm_store *store, struct valstorm_portal *portal);
bool valstorm_portal_has_member(const struct valstorm_portal *portal,
                                const struct valstorm_account *account);
void valstorm_portal_add_member(struct valstorm_portal *portal,
                                const struct valstorm_account *account, int64_t created);
/* False when the account is not a member. */
bool valstorm_portal_remove_member(struct valstorm_portal *portal,
                                   const struct valstorm_account *account);

/* Tokens. The simulator's fixed credentials (sim-valstorm-admin, -member,
 * -refresh) are always valid; issued ones expire. */
bool valstorm_token_role(struct valstorm_store *store, const char *token,
                         enum valstorm_token_kind kind, enum valstorm_role *role);
/* A new access token and, when refresh_token is not NULL, a new refresh token
 * (both g_free'd by the caller). */
char *valstorm_token_issue(struct valstorm_store *store, enum valstorm_role role,
                           char **refresh_token);
/* A new personal access token; id and token NULL generate them (a loaded
 * one passes its own). expires 0 never expires. */
const struct valstorm_pat *valstorm_pat_add(struct valstorm_store *store, const char *id,
                                            const char *name, const char *token,
                                            enum valstorm_role role, int64_t created,
                                            int64_t expires);
/* A password login for email now waits for its 2FA code. */
void valstorm_two_fa_start(struct valstorm_store *store, const char *email);
/* Whether such a login is waiting (and has not expired). */
bool valstorm_two_fa_waiting(struct valstorm_store *store, const char *email);
void valstorm_two_fa_clear(struct valstorm_store *store, const char *email);

/* The wire shapes, appended to out. */
void valstorm_append_portal(GString *out, const struct valstorm_portal *portal);
/* time_cache holds the last formatted second, so long lists format each once. */
struct valstorm_time_cache {
    int64_t second;
    char text[SIM_TIME_LEN];
};
void valstorm_append_member(GString *out, const struct valstorm_portal *portal,
                            const struct valstorm_member *member,
                            struct valstorm_time_cache *time_cache);

/* The state file (valstorm_state.c). Login tokens and pending logins stay
 * out of it: a restart signs every session out. Personal access tokens, the
 * simulator's own long-lived test credentials, are kept. */
bool valstorm_state_save(const struct valstorm_store *store, FILE *out);
/* A new store read from the stream, which is at the saved value (accounts
 * and portal members one at a time); NULL with *error set (g_free) when
 * invalid. */
struct valstorm_store *valstorm_state_load(struct sim_json_stream *in, char **error);

#endif
