/*
 * portal-sim fault injection: parsing the fault list and drawing a fault per
 * request from a seeded generator, so a run with --fault-seed repeats.
 */
#include <portalctl/sim/faults.h>

#include <string.h>

#include <glib.h>

static const char *const fault_names[SIM_FAULT_COUNT] = {
    [SIM_FAULT_NONE] = NULL,
    [SIM_FAULT_500] = "500",
    [SIM_FAULT_503] = "503",
    [SIM_FAULT_429] = "429",
    [SIM_FAULT_RESET] = "reset",
    [SIM_FAULT_TRUNCATE] = "truncate",
    [SIM_FAULT_MALFORMED] = "malformed",
    [SIM_FAULT_SLOW] = "slow",
};

const char *sim_fault_name(enum sim_fault fault)
{
    return fault > SIM_FAULT_NONE && fault < SIM_FAULT_COUNT ? fault_names[fault] : NULL;
}

bool sim_fault_parse_kinds(struct sim_fault_plan *plan, const char *list, char **bad)
{
    bool ok = true;
    char **items = g_strsplit(list, ",", -1);
    memset(plan->kinds, 0, sizeof(plan->kinds));
    for (char **item = items; *item && ok; item++) {
        char *name = g_strstrip(*item);
        bool known = false;
        for (int f = SIM_FAULT_NONE + 1; f < SIM_FAULT_COUNT; f++) {
            if (strcmp(name, fault_names[f]) == 0) {
                plan->kinds[f] = true;
                known = true;
            }
        }
        if (!known) {
            if (bad)
                *bad = g_strdup(name);
            ok = false;
        }
    }
    g_strfreev(items);
    return ok;
}

/* xorshift64*: small, fast and good enough to spread faults evenly. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

enum sim_fault sim_fault_draw(const struct sim_fault_plan *plan, uint64_t *state)
{
    enum sim_fault enabled[SIM_FAULT_COUNT];
    int count = 0;
    for (int f = SIM_FAULT_NONE + 1; f < SIM_FAULT_COUNT; f++) {
        if (plan->kinds[f])
            enabled[count++] = (enum sim_fault)f;
    }
    if (plan->rate <= 0.0 || count == 0)
        return SIM_FAULT_NONE;
    double roll = (double)(next_random(state) >> 11) / (double)(1ull << 53);
    if (roll >= plan->rate)
        return SIM_FAULT_NONE;
    return enabled[next_random(state) % (uint64_t)count];
}
