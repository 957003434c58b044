/*
 * The vendor adapter interface: what one vendor can do (its operation table,
 * with form specs and flags as data), and how an operation runs (a job that
 * sends requests through the session and delivers normalized records).
 *
 * One file per vendor implements it (src/vendors/ecgrid.c, zoho.c,
 * valstorm.c). An adapter builds requests and parses answers; it never
 * draws, prints, reads the keyring directly or sleeps. The session (app/)
 * adds credentials, refreshes tokens and repeats a request once after an
 * expired token; the adapter only says how (struct vendor_auth_ops).
 */
#ifndef PORTALCTL_VENDOR_H
#define PORTALCTL_VENDOR_H

#include <stdbool.h>
#include <stddef.h>

#include <portalctl/config.h>
#include <portalctl/form.h>
#include <portalctl/model.h>
#include <portalctl/net.h>
#include <portalctl/secrets.h>

/* Every operation any vendor offers; a vendor's table lists those it has. */
enum vendor_op {
    VOP_WHOAMI, /* check the credentials, say who we are there */
    VOP_LIST_PORTALS,
    VOP_GET_PORTAL,
    VOP_CREATE_PORTAL,
    VOP_UPDATE_PORTAL, /* Zoho rename; Valstorm name and custom domain */
    VOP_DELETE_PORTAL,
    VOP_LIST_USERS,
    VOP_GET_USER,
    VOP_CREATE_USER,     /* ECGrid */
    VOP_UPDATE_USER,     /* ECGrid */
    VOP_INVITE_USERS,    /* Zoho, Valstorm: one or several */
    VOP_REMOVE_USER,     /* ECGrid: terminate; Zoho, Valstorm: remove from the portal */
    VOP_SET_ROLE,        /* ECGrid */
    VOP_SET_PASSWORD,    /* ECGrid */
    VOP_RESET_SESSIONS,  /* ECGrid */
    VOP_DEACTIVATE_USER, /* Zoho */
    VOP_REACTIVATE_USER, /* Zoho */
    VOP_LIST_USER_TYPES, /* Zoho */
    VOP_COUNT,
};

/* "list-portals", … — stable names for messages, audit lines and tests. */
const char *vendor_op_name(enum vendor_op op);

/* One row of a vendor's operation table. */
struct vendor_operation {
    enum vendor_op op;
    const struct form_spec *form; /* the input fields, NULL when none */
    bool changes;                 /* a change: refused when read-only, written to the audit log */
    bool destructive;             /* asks for confirmation unless --yes */
    bool needs_portal;            /* runs inside one portal (--portal ID) */
    bool needs_target;            /* names one object (the ID operand) */
    const char *help;             /* one line, for --help and the console's help */
};

/* What an operation is asked to do. Strings are copied by vendor_job_start. */
struct vendor_request {
    enum vendor_op op;
    const char *portal_id; /* ECGrid mailbox id, Zoho portal name, Valstorm portal id */
    const char *target_id; /* the user (or portal) the operation is about */
    /* The input, validated against the operation's form and normalized. For
     * VOP_INVITE_USERS one set per person (rows); otherwise at most one. */
    struct form_values *const *rows;
    size_t row_count;
    const char *filter; /* optional search text for lists */
};

struct vendor_job;
struct session;

/* What a job reports. Records handed to page() are moved: take them with
 * record_list_move_all() or let them go. */
struct vendor_job_events {
    /* A page of a list arrived (lists may arrive in many pages). */
    void (*page)(struct vendor_job *job, struct record_list *records, void *user);
    /* A short progress line ("mailbox 3 of 12"), sanitized. May be NULL. */
    void (*progress)(struct vendor_job *job, const char *message, void *user);
    /* The job ended; error->kind API_OK on success. result holds the records of
     * a single-object operation (the created user, …) and any records not
     * already delivered by page(). The job is freed after this returns. */
    void (*done)(struct vendor_job *job, const struct api_error *error, struct record_list *result,
                 void *user);
    void *user;
};

/* How a vendor authenticates; used by the session, never by the UI. */
struct vendor_auth_ops {
    /* Secrets the connection needs before any call, e.g. the ECGrid API key;
     * terminated by -1. Tried in order: the first one found is used. */
    const int *credential_kinds;
    /* Adds the authentication header(s) for the session's current credential
     * to headers (a NULL-terminated array being built: append strings made
     * with g_strdup_printf). */
    void (*add_headers)(struct session *session, GPtrArray *headers);
    /* Whether an answer says the credential was refused (expired token). */
    bool (*is_auth_failure)(const struct net_response *res);
    /* Obtains a fresh access token (Zoho refresh grant, Valstorm refresh) and
     * calls session_auth_done(). NULL when the vendor has no refresh. */
    void (*refresh)(struct session *session);
    /* Whether refresh must run before the first call (no token yet, or the
     * one held is about to expire). NULL means never. */
    bool (*needs_refresh)(struct session *session);
};

struct vendor_ops {
    enum config_vendor id;
    const char *name;        /* "ecgrid" */
    const char *title;       /* "ECGrid" */
    const char *portal_noun; /* what --portal names: "mailbox id", "portal name", … */
    const char *default_url; /* production API host root, e.g. "https://rest.ecgrid.io";
                                adapters append the versioned path ("/v2/users") */
    /* The default API root (accounts false) or accounts server (true) for a
     * connection without url / accounts_url, e.g. from Zoho's data centre.
     * g_malloc'd. NULL function: default_url for both. */
    char *(*default_base)(const struct connection_config *config, bool accounts);
    /* Portals are known only locally (Valstorm has no list endpoint). */
    bool local_portal_list;
    const struct vendor_operation *operations;
    size_t operation_count;
    const struct vendor_auth_ops *auth;
    /* Starts the job's request (job->request); reports through the job. */
    void (*start)(struct vendor_job *job);
};

/* The adapters, and lookup by config id or name. */
extern const struct vendor_ops ecgrid_vendor;
extern const struct vendor_ops zoho_vendor;
extern const struct vendor_ops valstorm_vendor;
const struct vendor_ops *vendor_by_id(enum config_vendor id);
const struct vendor_ops *vendor_by_name(const char *name);

/* The table row for op, or NULL when the vendor does not have it. */
const struct vendor_operation *vendor_find_operation(const struct vendor_ops *vendor,
                                                     enum vendor_op op);

/* ---- jobs: used by the adapters ------------------------------------------ */

struct vendor_job {
    struct session *session;
    const struct vendor_ops *vendor;
    struct vendor_request request; /* deep copy, owned by the job */
    struct vendor_job_events events;
    struct record_list result; /* what done() will hand over */
    struct api_error error;    /* set by the adapter before finishing */
    void *adapter_state;       /* the adapter's own, freed with free_adapter_state */
    void (*free_adapter_state)(void *state);
    unsigned in_flight; /* requests sent and not answered */
    bool cancelled;
    bool finished;
};

/* Called with the answer to one request sent by vendor_job_send. Not called
 * for a cancelled job, nor when the credentials could not be refreshed (the
 * job then ends with that error). */
typedef void (*vendor_reply_fn)(struct vendor_job *job, const struct net_response *res, void *data);

/* Receives a successful (2xx) answer's body piece by piece while it arrives
 * (net.h: on_chunk), so a big list is parsed as it comes and never held
 * whole; the reply still follows, with an empty body. Error answers still
 * arrive whole in the reply. Not called for a cancelled job. Return false to
 * stop the request (after setting job->error): the reply then comes with
 * NET_ERR_STOPPED. data is the one given to vendor_job_send. */
typedef bool (*vendor_chunk_fn)(struct vendor_job *job, const char *piece, size_t len, void *data);

struct vendor_call {
    const char *method;
    const char *url;          /* full URL, e.g. built with net_url_build() */
    const char *body;         /* JSON text, or form text; NULL = none */
    const char *content_type; /* default "application/json" when body is set */
    bool idempotent;          /* may be re-sent after a failure: set for GET, PUT,
                                 DELETE and for POSTs that only read (lists,
                                 searches); never for creates or invites */
    bool no_auth;             /* token endpoints: no credential header */
    unsigned delay_ms;        /* send after this long (polling a job's status) */
    vendor_chunk_fn on_chunk; /* NULL: the body arrives whole in the reply */
};

/* Sends one request with the session's credentials (everything is copied).
 * On an authentication failure the session refreshes once, when the vendor
 * can, and repeats it. reply is called once with the final answer.
 *
 * A job completes by itself: once no request is in flight after a reply (or
 * after start) returns, done() runs with job->error and job->result. So an
 * adapter finishes by sending nothing more; it fails by setting job->error
 * (vendor_job_fail) and sending nothing more. */
void vendor_job_send(struct vendor_job *job, const struct vendor_call *call, vendor_reply_fn reply,
                     void *data);

/* Sets job->error (kind, HTTP status, vendor code, printf-style message). */
void vendor_job_fail(struct vendor_job *job, enum api_error_kind kind, long http_status,
                     const char *code, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/* Fails the job with API_INVALID_INPUT ("OP refused, nothing sent: …") and one
 * field error per form error, so a form can show each beside its field. */
void vendor_job_fail_form_errors(struct vendor_job *job, const struct form_errors *errors);

/* Adds context values (e.g. the selected user's id) before a check. */
typedef bool (*vendor_fill_context_fn)(struct vendor_job *job, const struct form_spec *spec,
                                       struct form_values *values);

/* The operation's one row (with context filled in by fill, which may be NULL
 * and may fail the job itself), normalized and checked against spec again:
 * the caller checked it, but nothing leaves unchecked. A copy to free with
 * form_values_free, or NULL after failing the job with API_INVALID_INPUT. */
struct form_values *vendor_job_checked_input(struct vendor_job *job, const struct form_spec *spec,
                                             vendor_fill_context_fn fill);

/* Hands a page of records to the page event (or keeps them in result when
 * there is no page event). */
void vendor_job_deliver_page(struct vendor_job *job, struct record_list *records);
void vendor_job_progress(struct vendor_job *job, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Maps a transport failure into job->error (NET_ERR_* to API_NETWORK/API_TLS,
 * with the ambiguity flag and a clear message). Returns true when res->error
 * was NET_ERR_NONE (nothing set). */
bool vendor_job_check_transport(struct vendor_job *job, const struct net_response *res);

/* The session's API base URL ("https://rest.ecgrid.io/v2" or the configured
 * url), without a trailing slash. */
const char *vendor_job_api_base(const struct vendor_job *job);

#endif
