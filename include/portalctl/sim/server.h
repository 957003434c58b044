/*
 * portal-sim server: HTTP(S) on one loopback port for all simulated vendors,
 * with injected latency, faults and rate limits, a request log, and state
 * that can be loaded at start and saved at stop. Knows nothing of any
 * vendor's wire format (that is the vendors' job, see sim.h).
 */
#ifndef PORTALCTL_SIM_SERVER_H
#define PORTALCTL_SIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <portalctl/sim/faults.h>

struct sim_server_options {
    const char *listen;     /* "ADDR:PORT" or "[ADDR]:PORT"; port 0 picks a free one */
    const char *state_file; /* loaded at start if it exists, saved by sim_server_save */
    const char *log_file;   /* one JSON line per request, or NULL */
    size_t seed_users;      /* extra users in each vendor's demo portal */
    unsigned latency_ms;    /* added to every answer, per connection */
    struct sim_fault_plan faults;
    unsigned rate_limit;    /* requests per second per credential, 0 = off */
    unsigned retry_after_s; /* Retry-After of the 429s it answers; 0 means 1 */
    int zoho_token_ttl;     /* seconds */
    const char *tls_cert;   /* PEM files; both or neither */
    const char *tls_key;
};

struct sim_server;

/* Starts serving in background threads. NULL on failure with *error set
 * (g_free it). */
struct sim_server *sim_server_start(const struct sim_server_options *options, char **error);

/* "http://127.0.0.1:PORT" (or https://…), valid until sim_server_free. */
const char *sim_server_url(const struct sim_server *server);

/* Stops accepting and waits for requests in flight to finish. */
void sim_server_stop(struct sim_server *server);

/* Writes the state file atomically (temp file, fsync, rename). False with
 * *error set when it could not; true when there is no state file to write. */
bool sim_server_save(struct sim_server *server, char **error);

void sim_server_free(struct sim_server *server);

#endif
