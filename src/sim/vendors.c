/*
 * portal-sim: the table of simulated vendors and the path dispatch. Each
 * vendor claims its own path prefix; the prefixes never overlap, which is
 * what lets one port serve all three.
 */
#include <portalctl/sim/sim.h>

const struct sim_vendor *const sim_vendors[] = {
    &sim_vendor_ecgrid,
    &sim_vendor_zoho,
    &sim_vendor_valstorm,
    NULL,
};

const struct sim_vendor *sim_vendor_for_path(const char *path)
{
    for (const struct sim_vendor *const *v = sim_vendors; *v; v++) {
        if ((*v)->owns_path(path))
            return *v;
    }
    return NULL;
}
