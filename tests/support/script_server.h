/*
 * Test support: a scripted HTTP(S) server on libmicrohttpd, for testing the
 * client's network engine (src/net/) precisely and independently of
 * portal-sim. It answers requests with a queue of canned replies (status,
 * headers, body, delay, a reset connection, a truncated body) and records
 * what it received, how many connections were opened and how many requests
 * were in progress at once. One thread per connection, so a delayed reply
 * never holds up the others.
 */
#ifndef TESTS_SCRIPT_SERVER_H
#define TESTS_SCRIPT_SERVER_H

#include <stdbool.h>
#include <stddef.h>

enum script_action {
    SCRIPT_RESPOND,  /* send the reply */
    SCRIPT_RESET,    /* close the connection with a TCP reset, no answer at all */
    SCRIPT_TRUNCATE, /* announce the whole body, send half of it, close */
};

#define SCRIPT_MAX_HEADERS 8

struct script_reply {
    enum script_action action;
    unsigned status;                         /* 0 = 200 */
    const char *headers[SCRIPT_MAX_HEADERS]; /* "Name: value", unused ones NULL */
    const char *body;                        /* NULL = empty */
    size_t body_len;                         /* 0 = strlen(body) */
    bool chunked;                            /* no Content-Length: chunked encoding */
    unsigned delay_ms;                       /* wait this long before answering */
};

struct script_server_options {
    bool any_address;          /* listen on 0.0.0.0 instead of 127.0.0.1 */
    const char *tls_cert_file; /* PEM files; both set = HTTPS */
    const char *tls_key_file;
    unsigned idle_timeout_s; /* close a connection idle this long (0 = never) */
};

/* What one request looked like. Stable until script_server_stop(). */
struct script_request {
    char *method;
    char *path;
    char **headers; /* NULL-terminated "name: value" */
    char *body;     /* NUL-terminated */
    size_t body_len;
};

struct script_server;

/* opts may be NULL. Returns NULL (with a message on stderr) on failure. */
struct script_server *script_server_start(const struct script_server_options *opts);

/* Stops (in-progress delays end at once) and frees everything. */
void script_server_stop(struct script_server *srv);

/* "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT" (no trailing slash). */
const char *script_server_url(const struct script_server *srv);
unsigned short script_server_port(const struct script_server *srv);

/* Appends a reply (copied) to the queue. Requests that find the queue empty get
 * the default reply: 200 "ok" unless script_server_set_default() changed it. */
void script_server_push(struct script_server *srv, const struct script_reply *reply);
void script_server_set_default(struct script_server *srv, const struct script_reply *reply);

/* Routes: a request whose method matches (NULL = any) and whose path (without
 * the query) starts with path_prefix gets this reply every time, before the
 * queue is looked at. The longest matching prefix wins; a later route with the
 * same method and prefix replaces the earlier one. For servers that must
 * answer a whole API, e.g. the hostile vendor of tests/cli/test_hostile_server.c. */
void script_server_route(struct script_server *srv, const char *method, const char *path_prefix,
                         const struct script_reply *reply);

size_t script_server_request_count(struct script_server *srv);
/* The i-th request received (0-based), or NULL. */
const struct script_request *script_server_request(struct script_server *srv, size_t i);
/* A header of a recorded request (case-insensitive name), or NULL. */
const char *script_request_header(const struct script_request *req, const char *name);

unsigned script_server_connection_count(struct script_server *srv);
unsigned script_server_max_concurrent(struct script_server *srv);

#endif
