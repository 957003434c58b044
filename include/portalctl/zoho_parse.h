/*
 * Zoho CRM v7 client portals: reading answers and building request bodies,
 * as pure functions (text in, records or an api_error out), so that every
 * shape Zoho may send is tested with fixture files alone
 * (tests/unit/test_zoho_adapter.c). The jobs that send requests are
 * src/vendors/zoho.c, zoho_invite.c and zoho_auth.c; this module never
 * sends, prints or sleeps.
 *
 * What it tolerates (shared/api/zoho.md §3 and §9): errors nested in the
 * resource's array or bare at the top level; OAuth errors with HTTP 200; 204
 * with no body for "nothing"; ids as strings (kept as text, never parsed as
 * numbers); unknown fields anywhere. Anything that is not what the contract
 * promises is a clear API_BAD_RESPONSE, never a crash.
 *
 * Server text is untrusted: messages put into an api_error are sanitized and
 * cut to a bounded length here; record values are kept as sent (the views
 * sanitize them when they draw).
 */
#ifndef PORTALCTL_ZOHO_PARSE_H
#define PORTALCTL_ZOHO_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/form.h>
#include <portalctl/model.h>

/* ---- data centres (zoho.md §1) ------------------------------------------ */

struct zoho_data_centre {
    const char *name;     /* "com", "eu", … as in config data_centre */
    const char *accounts; /* "https://accounts.zoho.eu" */
    const char *api;      /* "https://www.zohoapis.eu" */
};

/* The data centre of that name; NULL names "com". NULL when unknown. */
const struct zoho_data_centre *zoho_data_centre_find(const char *name);

/* ---- outcomes: {"code","details","message","status"} -------------------- */

/* One entry of a write answer, or a bare (request-level) status object. */
struct zoho_outcome {
    bool success;        /* "status":"success" */
    char *code;          /* "SUCCESS", "ALREADY_USED", … as sent (sanitized), or NULL */
    char *message;       /* sanitized and bounded, or NULL */
    char *api_name;      /* details.api_name: the field it concerns */
    char *param;         /* details.param: the query parameter it concerns */
    char *id;            /* details.id, record_id, personality_id, job_id or name */
    char *limit_hint;    /* "must have at least 6 characters", … from the details */
    char *permissions;   /* details.permissions, comma-separated (NO_PERMISSION) */
    bool names_url_part; /* details.resource_path_index: an id or name in the URL
                            names nothing (wrong portal, user type or user) */
};

void zoho_outcome_free(struct zoho_outcome *outcome);

/* Reads an answer made of outcomes: the array under key ({"portals":[…]}) or
 * one bare status object. 204 (or any 2xx) with an empty body gives no
 * outcomes. Appends struct zoho_outcome * to outcomes (give it
 * zoho_outcome_free as free function). False, with *error set, when the
 * answer is neither (API_BAD_RESPONSE; API_NETWORK for a 5xx or 429). */
bool zoho_parse_outcomes(long http_status, const char *body, size_t len, const char *key,
                         GPtrArray *outcomes, struct api_error *error);

/* Turns a refusal into *error: the kind from the status and code (401 and
 * token codes API_AUTH, 429 and 5xx API_NETWORK, other refusals
 * API_REFUSED), the code, a message naming what failed ("create the portal")
 * with advice for a helpdesk person, and a field error on the field the
 * answer names (api_name, else param) for row (-1: not a bulk row). */
void zoho_error_from_outcome(const struct zoho_outcome *outcome, long http_status,
                             const char *action, int row, struct api_error *error);

/* The first failed outcome of an answer as *error, or, when the answer has
 * none, an error saying the answer was not understood. For every answer
 * that is not a success. */
void zoho_error_from_answer(long http_status, const char *body, size_t len, const char *key,
                            const char *action, struct api_error *error);

/* Whether an answer is Zoho's refusal of the access token (401 with code
 * INVALID_TOKEN or AUTHENTICATION_FAILURE): a refresh may help. */
bool zoho_is_token_refusal(long http_status, const char *body, size_t len);

/* ---- records ----------------------------------------------------------- */

/* GET settings/portals[/{name}]: id and name the portal's name, status
 * "active"/"inactive", url its custom domain, created created_time; every
 * member as an extra. 204: no records. */
bool zoho_parse_portals(long http_status, const char *body, size_t len, struct record_list *out,
                        struct api_error *error);

/* GET …/user_type: id, name, status "active"/"inactive", role "default" for
 * the portal's default type, created; every member as an extra. 204: none. */
bool zoho_parse_user_types(long http_status, const char *body, size_t len, struct record_list *out,
                           struct api_error *error);

/* The default user type among the records zoho_parse_user_types made: the
 * one marked default, else the only one, else the first active one; NULL
 * when there is none. */
const struct record *zoho_default_user_type(const struct record_list *types);

/* Paging of a users answer ("info"). */
struct zoho_page_info {
    bool more_records;
    long long total_count; /* -1 when absent */
    long long per_page;    /* -1 when absent */
    size_t entries;        /* users on this page, kept or not */
};

/* GET …/user_type/{id}/users: id personality_id, name, email, status
 * "invited" (not yet confirmed), "active" or "deactivated", role the user
 * type's name (user_type_name, may be NULL), created invited_time; extras
 * every member plus "user_type_id". search (NULL: keep all) keeps only users
 * whose name or e-mail contains it, ignoring case. 204: no users, no more. */
bool zoho_parse_users(long http_status, const char *body, size_t len, const char *user_type_id,
                      const char *user_type_name, const char *search, struct record_list *out,
                      struct zoho_page_info *info, struct api_error *error);

/* GET Contacts/search?email=: the id of the contact whose Email equals email
 * (ignoring case), else of the first one; *contact_id NULL after a 204.
 * g_free the id. */
bool zoho_parse_contact_search(long http_status, const char *body, size_t len, const char *email,
                               char **contact_id, struct api_error *error);

/* A bulk invite job's status: GET {module}/actions/portal_invite?job_id=. */
struct zoho_bulk_status {
    bool known;         /* false after a 204: Zoho knows no such job */
    bool completed;     /* "status":"completed" */
    GPtrArray *results; /* struct zoho_outcome *, one per record sent, in order */
};

bool zoho_parse_bulk_status(long http_status, const char *body, size_t len,
                            struct zoho_bulk_status *out, struct api_error *error);
void zoho_bulk_status_clear(struct zoho_bulk_status *status);

/* ---- OAuth (zoho.md §2) ------------------------------------------------- */

/* A token answer. */
struct zoho_token {
    char *access_token;
    char *refresh_token; /* NULL for a refresh answer */
    char *api_domain;    /* NULL when absent */
    double expires_in;   /* seconds: expires_in_sec when present, else expires_in */
};

void zoho_token_clear(struct zoho_token *token);

/* Which grant an OAuth error answered, so that its advice fits. */
enum zoho_grant {
    ZOHO_GRANT_REFRESH, /* refresh_token: the stored refresh token */
    ZOHO_GRANT_CODE,    /* authorization_code: a Self Client grant code */
    ZOHO_GRANT_DEVICE,  /* device/code and device/token */
};

/* Who asked, for the advice in messages (never a secret). */
struct zoho_oauth_context {
    enum zoho_grant grant;
    const char *connection; /* "acme-zoho" */
    const char *client_id;
};

/* Reads a token answer. Success is the presence of access_token, whatever
 * the status; an "error" key is a failure whatever the status: invalid_code
 * and the client errors API_AUTH with advice, "Access Denied" (throttling)
 * API_NETWORK. When oauth_error is given it receives the error key
 * (g_free). */
bool zoho_parse_token(long http_status, const char *body, size_t len,
                      const struct zoho_oauth_context *context, struct zoho_token *token,
                      char **oauth_error, struct api_error *error);

/* Step 1 of the device flow. */
struct zoho_device_code {
    char *device_code;
    char *user_code;
    char *verification_url;
    long interval_ms;   /* from interval (milliseconds, or seconds below 1000) */
    long expires_in_ms; /* likewise */
};

void zoho_device_code_clear(struct zoho_device_code *code);
bool zoho_parse_device_code(long http_status, const char *body, size_t len,
                            const struct zoho_oauth_context *context, struct zoho_device_code *out,
                            struct api_error *error);

/* Zoho's device-flow times: milliseconds, except that a value below 1000
 * means seconds. Negative or absent (-1) gives fallback_ms. */
long zoho_millis_or_seconds(long long value, long fallback_ms);

enum zoho_device_poll {
    ZOHO_DEVICE_GRANTED, /* *token filled, with its refresh token */
    ZOHO_DEVICE_PENDING, /* authorization_pending: poll again after the interval */
    ZOHO_DEVICE_SLOW_DOWN,
    ZOHO_DEVICE_OTHER_DC, /* *user_location names the data centre to poll instead */
    ZOHO_DEVICE_FAILED,   /* *error says why (denied, expired, …) */
};

enum zoho_device_poll zoho_parse_device_poll(long http_status, const char *body, size_t len,
                                             const struct zoho_oauth_context *context,
                                             struct zoho_token *token, char **user_location,
                                             struct api_error *error);

/* ---- requests ----------------------------------------------------------- */

/* "a=1&b=2" from NULL-terminated name/value pairs (a NULL value leaves the
 * pair out), names and values percent-encoded: for the OAuth endpoints, which
 * take form bodies. The result may hold secrets: wipe it (secret_wipe) before
 * g_free. */
char *zoho_form_encode(const char *const pairs[]);

/* {"portals":[{"name":…}]} (create and rename). */
char *zoho_portal_body(const char *name);

/* {"data":[{"Last_Name":…,"First_Name":…,"Email":…}]}: the fields of
 * zoho_contact_form present in values. */
char *zoho_contact_body(const struct form_values *values);

/* One record of a bulk invite. */
struct zoho_invite_item {
    const char *record_id;
    const char *user_type_id;
    const char *type; /* "invite" or "reinvite" */
};

/* {"portal_invite":[{"data":[{"id","user_type_id","type","language"}…]}]}. */
char *zoho_bulk_invite_body(const struct zoho_invite_item *items, size_t count);

/* A server message made safe and short enough for one line (g_free). */
char *zoho_clean_text(const char *raw);

#endif
