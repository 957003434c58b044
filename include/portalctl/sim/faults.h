/*
 * portal-sim fault injection: which faults, how often, and the seeded
 * random choice for each request. Pure logic; the server applies the fault.
 */
#ifndef PORTALCTL_SIM_FAULTS_H
#define PORTALCTL_SIM_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

enum sim_fault {
    SIM_FAULT_NONE = 0,
    SIM_FAULT_500,       /* vendor-shaped 500, request not applied */
    SIM_FAULT_503,       /* vendor-shaped 503, request not applied */
    SIM_FAULT_429,       /* vendor-shaped 429 with Retry-After, not applied */
    SIM_FAULT_RESET,     /* connection reset before the request is applied */
    SIM_FAULT_TRUNCATE,  /* request applied, body cut short of its Content-Length */
    SIM_FAULT_MALFORMED, /* request applied, body is not valid JSON */
    SIM_FAULT_SLOW,      /* request applied, body dripped out over about two seconds */
    SIM_FAULT_COUNT,
};

struct sim_fault_plan {
    double rate;                 /* probability per request, 0..1 */
    bool kinds[SIM_FAULT_COUNT]; /* which faults may be chosen */
    uint64_t seed;               /* random state; 0 = seed from the clock */
};

/* "500", "reset", …; NULL for SIM_FAULT_NONE. */
const char *sim_fault_name(enum sim_fault fault);

/* Parses "500,503,429,reset,truncate,malformed,slow" into plan->kinds.
 * False on an unknown kind, naming it in *bad (points into list copy: g_free). */
bool sim_fault_parse_kinds(struct sim_fault_plan *plan, const char *list, char **bad);

/* The fault for the next request (SIM_FAULT_NONE most of the time). Not
 * thread-safe: the caller holds its lock. state must start as plan->seed. */
enum sim_fault sim_fault_draw(const struct sim_fault_plan *plan, uint64_t *state);

#endif
