/*
 * portal-sim core: the request and response types the HTTP server hands to
 * each simulated vendor, and the table every vendor fills in.
 *
 * The server (src/sim/server.c) owns sockets, threads, TLS, latency, fault
 * injection, rate limiting and the request log. A vendor (src/sim/ecgrid.c,
 * zoho.c, valstorm.c) owns its data and its wire format, and nothing else: a
 * handler is a plain function from (state, request) to response, so it can be
 * tested without a socket. Handlers run with the server's state lock held and
 * must never sleep.
 */
#ifndef PORTALCTL_SIM_SIM_H
#define PORTALCTL_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <glib.h>
#include <json-c/json.h>

#include <portalctl/sim/json_stream.h>

/* A list of name/value pairs: query arguments, headers or form fields. */
struct sim_pair {
    char *name;
    char *value;
};

struct sim_pairs {
    struct sim_pair *items;
    size_t count;
    size_t capacity;
};

void sim_pairs_add(struct sim_pairs *pairs, const char *name, const char *value);
/* Exact match for query and form fields; headers are stored lower-cased. */
const char *sim_pairs_get(const struct sim_pairs *pairs, const char *name);
void sim_pairs_clear(struct sim_pairs *pairs);

struct sim_request {
    const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *path;   /* URL path without the query, e.g. "/v2/users/1042" */
    const char *body;   /* NUL-terminated, "" when there is none */
    size_t body_len;
    struct sim_pairs query;   /* decoded query arguments */
    struct sim_pairs headers; /* names lower-cased: "x-api-key", "authorization" */
    struct sim_pairs form;    /* decoded body when Content-Type is form-urlencoded */
};

/* Shortcuts over the pairs above; NULL when absent. */
const char *sim_request_header(const struct sim_request *req, const char *lower_name);
const char *sim_request_query(const struct sim_request *req, const char *name);
/* A parameter from the query or, failing that, the form-encoded body. */
const char *sim_request_param(const struct sim_request *req, const char *name);

/* Builds a request by hand (tests, and the server itself). */
void sim_request_init(struct sim_request *req, const char *method, const char *path,
                      const char *body);
void sim_request_clear(struct sim_request *req);

struct sim_response {
    int status;
    char *body; /* malloc'd, NUL-terminated; NULL for no body (e.g. 204) */
    size_t body_len;
    const char *content_type;  /* static string; default "application/json" */
    char retry_after[16];      /* "Retry-After" value, "" for none */
    char www_authenticate[32]; /* "WWW-Authenticate" value, "" for none */
};

void sim_response_init(struct sim_response *resp);
void sim_response_clear(struct sim_response *resp);
/* Serialises obj (plain, no extra spaces) as the body and drops the reference. */
void sim_response_json(struct sim_response *resp, int status, json_object *obj);
/* Takes a GString built by hand (large lists) as the body; frees the GString. */
void sim_response_gstring(struct sim_response *resp, int status, GString *body);
void sim_response_empty(struct sim_response *resp, int status);

/* Appends s as a JSON string literal ("..." with escapes); NULL appends null. */
void sim_json_append_string(GString *out, const char *s);

/* ISO-8601 UTC, "2026-05-07T09:00:00Z"; buf must hold SIM_TIME_LEN bytes. */
#define SIM_TIME_LEN 32
const char *sim_format_time(time_t t, char buf[SIM_TIME_LEN]);
/* Seconds since the epoch, with a fractional part (for token expiry). */
double sim_now(void);

/* What the server tells every vendor when it creates its state. */
struct sim_options {
    const char *base_url;    /* "http://127.0.0.1:PORT": Zoho's api_domain */
    int zoho_token_ttl;      /* seconds an access token lives */
    unsigned long long seed; /* for ids and anything random in the data */
};

/* Faults the server injects; vendors only shape the answer. */
enum sim_error_kind {
    SIM_ERROR_INTERNAL,     /* 500 */
    SIM_ERROR_UNAVAILABLE,  /* 503 */
    SIM_ERROR_RATE_LIMITED, /* 429; the server adds Retry-After */
    SIM_ERROR_NOT_FOUND,    /* 404 for a path no vendor route matches */
};

struct sim_vendor {
    const char *name; /* "ecgrid", "zoho", "valstorm": the request log's "vendor" */
    /* Whether this vendor serves the path ("/v2/…", "/crm/…" and "/oauth/…", "/v1/…"). */
    bool (*owns_path)(const char *path);

    void *(*create)(const struct sim_options *options);
    void (*destroy)(void *state);
    /* Adds n users to the vendor's demo portal (n up to a few million). */
    void (*seed_users)(void *state, size_t n);
    /* Writes the whole state as one JSON value to out; false on write error. */
    bool (*save)(void *state, FILE *out);
    /* Replaces the state by a saved one, read from in, which is at the value
     * save wrote; consumes exactly that value. A state file holds millions of
     * users: read big arrays element by element, never as one json-c tree.
     * On error returns false, sets *error and keeps the state it had. */
    bool (*load)(void *state, struct sim_json_stream *in, char **error);

    /* Answers one request. Called with the state lock held. */
    void (*handle)(void *state, const struct sim_request *req, struct sim_response *resp);
    /* The answer to an injected fault, in the vendor's own error shape. The
     * request is there because one vendor has several shapes (Zoho: CRM vs
     * Accounts on /oauth/); it may be looked at, never changed or logged. */
    void (*error)(enum sim_error_kind kind, const struct sim_request *req,
                  struct sim_response *resp);
    /* The credential the request presents (API key, token, client id), for the
     * per-credential rate limit; NULL when it presents none. Never logged. */
    const char *(*credential)(const struct sim_request *req);
};

extern const struct sim_vendor sim_vendor_ecgrid;
extern const struct sim_vendor sim_vendor_zoho;
extern const struct sim_vendor sim_vendor_valstorm;

/* All vendors, in a fixed order; NULL-terminated. */
extern const struct sim_vendor *const sim_vendors[];

/* The vendor that serves path, or NULL. */
const struct sim_vendor *sim_vendor_for_path(const char *path);

#endif
