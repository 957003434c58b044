/*
 * Fuzz target: portal-sim's Ecgrid handler (sim_vendor_ecgrid.handle) under
 * hostile requests: any method, path, headers, query and body, in series on
 * one state. See fuzz_sim.h for the input format and the checks.
 */
#include "fuzz_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_sim_run_input(&sim_vendor_ecgrid, data, size, NULL);
    return 0;
}
