/*
 * portal-sim, Zoho CRM half: the types and functions its files share
 * (zoho.c routes, zoho_oauth.c tokens, zoho_portals.c, zoho_users.c,
 * zoho_invite.c, zoho_contacts.c, zoho_store.c data, zoho_save.c persistence,
 * zoho_reply.c answers). Internal to the simulator: the client never includes this.
 *
 * Data is kept in compact C structs so that a million portal users fit in a
 * few hundred megabytes: contacts live by value in one array, their strings in
 * one GStringChunk, and a user type's members are 16-byte entries.
 */
#ifndef PORTALCTL_SIM_ZOHO_SIM_H
#define PORTALCTL_SIM_ZOHO_SIM_H

#include <portalctl/sim/sim.h>

#include <stdbool.h>
#include <stdint.h>

/* "No such index" for contact and member positions. */
#define ZOHO_SIM_NONE UINT32_MAX
/* Room for a 64-bit id in decimal plus the NUL. */
#define ZOHO_SIM_ID_LEN 24
/* Limits the simulator enforces (zoho.md sections 4 and 6). */
#define ZOHO_SIM_NAME_MIN           6
#define ZOHO_SIM_NAME_MAX           30
#define ZOHO_SIM_PER_PAGE_MAX       200
#define ZOHO_SIM_BULK_INVITE_MAX    100
#define ZOHO_SIM_DELETE_IDS_MAX     499
#define ZOHO_SIM_DEVICE_INTERVAL_MS 1000
#define ZOHO_SIM_DEVICE_LIFETIME_MS 300000

/* A record of the Contacts module. Strings point into the state's chunk. */
struct zoho_sim_contact {
    uint64_t id;
    const char *email; /* NULL when the record has none */
    const char *first_name;
    const char *last_name;
    int64_t created;
    uint32_t next_same_email; /* next contact with this e-mail (any case), or NONE */
    bool in_recycle_bin;
};

/* A contact's membership in one user type. contact == NONE marks a removed
 * entry; the array is compacted when such holes outnumber the members. */
struct zoho_sim_member {
    uint32_t contact;
    bool confirmed;
    bool active;
    int64_t invited;
};

struct zoho_sim_user_type {
    uint64_t id;
    char *name;
    bool is_default;
    bool active;
    int64_t created;
    int64_t modified;
    GArray *members;               /* struct zoho_sim_member, invitation order */
    GHashTable *member_by_contact; /* contact index + 1 -> member position + 1 */
    size_t member_count;           /* live members */
    /* Counts kept up to date so that a list's total_count needs no scan. */
    size_t active_count;
    size_t confirmed_count;
    size_t active_confirmed_count;
    /* Bumped by every change of the members; invalidates the list cursor. */
    uint64_t generation;
    /* Where the last page of a filtered list ended, so that paging through
     * a million users one page after another needs no scan from the start. */
    struct {
        const void *selection; /* which `type` selection; NULL for none */
        uint64_t generation;
        guint position; /* members index after the last listed member */
        size_t matched; /* members of the selection before position */
    } cursor;
};

struct zoho_sim_portal {
    char *name;
    char *zaid;
    bool active;
    int64_t created;
    int64_t modified;
    GPtrArray *user_types; /* struct zoho_sim_user_type * */
};

struct zoho_sim_access_token {
    double expires_at;
    bool read_only;
    char *refresh_token; /* the token it was minted from; revoking that kills this */
};

struct zoho_sim_device_code {
    double issued_at;
    double last_poll; /* issued_at until the first accepted poll */
    int polls;        /* accepted polls (slow_down answers do not count) */
};

/* One record of a bulk invite, as sent (any field may be NULL). */
struct zoho_sim_invite {
    char *record_id;
    char *user_type_id;
    char *type;
    char *language;
};

struct zoho_sim_job {
    uint64_t id;
    double created_at;
    double due_at;
    GPtrArray *invites; /* struct zoho_sim_invite * */
    char *results;      /* the "data" array as JSON once completed, else NULL */
};

struct zoho_sim_state {
    char *base_url;
    int token_ttl;
    GRand *token_random; /* tokens: seeded from /dev/urandom, never from the data seed */
    uint64_t next_id;
    uint64_t admin_id;  /* created_by / modified_by of everything */
    uint64_t module_id; /* the Contacts module's id (personality_module.id) */
    size_t seeded_users;
    size_t portal_user_licenses;
    size_t licenses_used; /* active members over all portals */
    bool grant_code_used; /* per run: survives load, never saved */

    GStringChunk *strings;
    GArray *contacts;             /* struct zoho_sim_contact */
    GHashTable *contact_by_id;    /* id (as a pointer) -> index + 1 */
    GHashTable *contact_by_email; /* e-mail, any case -> first index + 1 */
    GPtrArray *portals;           /* struct zoho_sim_portal * */

    GHashTable *refresh_tokens; /* token -> GINT_TO_POINTER(enum zoho_sim_refresh_kind) */
    GHashTable *access_tokens;  /* token -> struct zoho_sim_access_token * */
    GHashTable *device_codes;   /* code -> struct zoho_sim_device_code * */
    GPtrArray *jobs;            /* struct zoho_sim_job *, oldest first */
    size_t pending_jobs;        /* jobs without results yet */
};

/* The values of refresh_tokens (never 0, which a lookup miss gives). */
enum zoho_sim_refresh_kind { ZOHO_SIM_REFRESH_FULL = 1, ZOHO_SIM_REFRESH_READ_ONLY = 2 };

/* One routed CRM request, as the handlers see it. */
struct zoho_sim_call {
    const struct sim_request *req;
    char **segments; /* the path after /crm/vN/, split on '/' */
    size_t segment_count;
};

typedef void zoho_sim_handler(struct zoho_sim_state *st, const struct zoho_sim_call *call,
                              struct sim_response *resp);

/* Outcome of one item-level operation (an invite, a user removal...). */
struct zoho_sim_outcome {
    int http_status; /* 200 on success */
    const char *code;
    const char *message;
    const char *detail_key; /* NULL for "details":{} */
    const char *detail_value;
};

/* --- zoho_store.c: the data model ------------------------------------------ */
struct zoho_sim_state *zoho_sim_state_new(const struct sim_options *options);
/* An empty state (no accounts, portals or contacts) with the same options. */
struct zoho_sim_state *zoho_sim_state_new_empty(const char *base_url, int token_ttl,
                                                unsigned long long seed);
void zoho_sim_state_free(struct zoho_sim_state *st);
/* Moves everything saved from src into dst (run options stay), frees src. */
void zoho_sim_state_take(struct zoho_sim_state *dst, struct zoho_sim_state *src);
uint64_t zoho_sim_new_id(struct zoho_sim_state *st);
bool zoho_sim_parse_id(const char *text, uint64_t *out);
const char *zoho_sim_id_text(uint64_t id, char buf[ZOHO_SIM_ID_LEN]);
/* ISO-8601 in the org's time zone (+05:30, like Zoho's own samples). */
const char *zoho_sim_format_time(int64_t t, char buf[SIM_TIME_LEN]);
int64_t zoho_sim_now_seconds(void);
const char *zoho_sim_intern(struct zoho_sim_state *st, const char *s);
/* "1,2, 3" -> {"1","2","3"} (blanks trimmed, empty items dropped); g_strfreev it. */
char **zoho_sim_split_list(const char *text, size_t *count);

uint32_t zoho_sim_contact_add(struct zoho_sim_state *st, uint64_t id, const char *email,
                              const char *first_name, const char *last_name, int64_t created);
struct zoho_sim_contact *zoho_sim_contact_at(struct zoho_sim_state *st, uint32_t index);
uint32_t zoho_sim_contact_find(struct zoho_sim_state *st, const char *id_text);
uint32_t zoho_sim_contact_find_email(struct zoho_sim_state *st, const char *email);
/* "First Last", or the last name alone; buf is g_free'd by the caller. */
char *zoho_sim_contact_full_name(const struct zoho_sim_contact *c);

struct zoho_sim_portal *zoho_sim_portal_add(struct zoho_sim_state *st, const char *name,
                                            int64_t created);
/* Names compare without regard to case: they are unique in that sense. */
struct zoho_sim_portal *zoho_sim_portal_find(struct zoho_sim_state *st, const char *name);
struct zoho_sim_user_type *zoho_sim_user_type_add(struct zoho_sim_portal *portal, uint64_t id,
                                                  const char *name, bool is_default,
                                                  int64_t created);
struct zoho_sim_user_type *zoho_sim_user_type_find(struct zoho_sim_portal *portal,
                                                   const char *id_text);

/* The live member for a contact, or NULL. The pointer is valid until the next
 * member is added or removed. */
struct zoho_sim_member *zoho_sim_member_find(struct zoho_sim_user_type *type, uint32_t contact);
/* The user type of portal that holds contact, or NULL. */
struct zoho_sim_user_type *zoho_sim_portal_member_type(struct zoho_sim_portal *portal,
                                                       uint32_t contact);
void zoho_sim_member_add(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                         uint32_t contact, bool confirmed, bool active, int64_t invited);
/* Returns false when contact is not a member of type. */
bool zoho_sim_member_remove(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                            uint32_t contact);
void zoho_sim_member_set_active(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                                struct zoho_sim_member *member, bool active);
/* Drops the holes left by removals, keeping invitation order. */
void zoho_sim_members_compact(struct zoho_sim_user_type *type);
void zoho_sim_seed_users(struct zoho_sim_state *st, size_t n);

/* --- zoho_save.c ------------------------------------------------------------ */
bool zoho_sim_save(struct zoho_sim_state *st, FILE *out);
/* Reads the state from the stream (big arrays one element at a time). */
bool zoho_sim_load(struct zoho_sim_state *st, struct sim_json_stream *in, char **error);

/* --- zoho_reply.c: Zoho's answer shapes -------------------------------------- */
/* Details objects are built as text: "{" + fields + "}". */
void zoho_sim_detail_string(GString *details, const char *key, const char *value);
void zoho_sim_detail_raw(GString *details, const char *key, const char *json);
/* {"code":…,"details":…,"message":…,"status":"success"|"error"} appended to out. */
void zoho_sim_append_status(GString *out, const char *code, const char *details_json,
                            const char *message, bool success);
void zoho_sim_append_outcome(GString *out, const struct zoho_sim_outcome *outcome);
/* A bare request-level error. */
void zoho_sim_reply_error(struct sim_response *resp, int status, const char *code,
                          const char *details_json, const char *message);
void zoho_sim_reply_error_detail(struct sim_response *resp, int status, const char *code,
                                 const char *detail_key, const char *detail_value,
                                 const char *message);
void zoho_sim_reply_outcome(struct sim_response *resp, const struct zoho_sim_outcome *outcome);
/* {"<key>":[<entries>]}; takes entries (a GString holding the comma list). */
void zoho_sim_reply_list(struct sim_response *resp, int status, const char *key, GString *entries);
/* The status of a multi-item answer: all good, all failed, or a mix (207). */
int zoho_sim_multi_status(size_t ok, size_t failed, int ok_status);
void zoho_sim_reply_missing_param(struct sim_response *resp, const char *param);
void zoho_sim_reply_json_parse_error(struct sim_response *resp);
void zoho_sim_reply_invalid_token(struct sim_response *resp);
void zoho_sim_reply_no_permission(struct sim_response *resp, const char *permission);
/* An id or name in the URL that names nothing (writes; reads answer 204). */
void zoho_sim_reply_invalid_path_part(struct sim_response *resp, size_t segment, const char *what);
void zoho_sim_reply_oauth_error(struct sim_response *resp, const char *error);
/* The JSON body parsed as an object, or NULL after answering JSON_PARSE_ERROR. */
json_object *zoho_sim_parse_body(const struct sim_request *req, struct sim_response *resp);

/* --- zoho_oauth.c ------------------------------------------------------------ */
void zoho_sim_seed_accounts(struct zoho_sim_state *st);
void zoho_sim_handle_oauth(struct zoho_sim_state *st, const struct sim_request *req,
                           struct sim_response *resp);
/* The token of "Authorization: Zoho-oauthtoken <token>", or NULL. */
const char *zoho_sim_request_token(const struct sim_request *req);
/* Whether token is live now; *read_only says what it may do. */
bool zoho_sim_token_valid(struct zoho_sim_state *st, const char *token, bool *read_only);

/* --- zoho_portals.c ------------------------------------------------------------ */
zoho_sim_handler zoho_sim_portals_list;
zoho_sim_handler zoho_sim_portal_get;
zoho_sim_handler zoho_sim_portal_create;
zoho_sim_handler zoho_sim_portal_rename;
zoho_sim_handler zoho_sim_user_types_list;
zoho_sim_handler zoho_sim_user_type_get;
/* The portal and user type of a ".../portals/{name}/user_type/{id}/..." path;
 * NULL when either names nothing. */
struct zoho_sim_user_type *zoho_sim_call_user_type(struct zoho_sim_state *st,
                                                   const struct zoho_sim_call *call,
                                                   struct zoho_sim_portal **portal);

/* --- zoho_users.c ---------------------------------------------------------------- */
zoho_sim_handler zoho_sim_users_list;
zoho_sim_handler zoho_sim_users_delete;
zoho_sim_handler zoho_sim_users_transfer;
zoho_sim_handler zoho_sim_user_change_status;

/* --- zoho_invite.c ---------------------------------------------------------------- */
zoho_sim_handler zoho_sim_invite_one;
zoho_sim_handler zoho_sim_invite_bulk;
zoho_sim_handler zoho_sim_invite_bulk_status;
void zoho_sim_invite_free(struct zoho_sim_invite *invite);
void zoho_sim_job_free(struct zoho_sim_job *job);
/* Completes the bulk jobs whose time has come (jobs finish lazily). */
void zoho_sim_settle_jobs(struct zoho_sim_state *st, double now);

/* --- zoho_contacts.c ---------------------------------------------------------------- */
zoho_sim_handler zoho_sim_contacts_search;
zoho_sim_handler zoho_sim_contacts_create;
zoho_sim_handler zoho_sim_contacts_delete;
/* Whether module names the personality module the simulator knows (Contacts). */
bool zoho_sim_is_contacts_module(const char *module);

#endif
