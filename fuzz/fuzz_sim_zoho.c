/*
 * Fuzz target: portal-sim's Zoho handler (sim_vendor_zoho.handle) under
 * hostile requests: any method, path, headers, query and body, in series on
 * one state. Zoho's access tokens are minted at random, so each run first
 * exchanges the simulator's well-known refresh token for one, and requests
 * reach the CRM API with "Authorization: Zoho-oauthtoken {{token}}". See
 * fuzz_sim.h for the input format and the checks.
 */
#include "fuzz_sim.h"

static void log_in(struct fuzz_sim_run *run)
{
    static const char request[] = "POST /oauth/v2/token\n"
                                  "Content-Type: application/x-www-form-urlencoded\n"
                                  "\n"
                                  "grant_type=refresh_token&client_id=sim-zoho-client"
                                  "&client_secret=sim-zoho-secret&refresh_token=sim-zoho-refresh";
    fuzz_sim_send(run, request, sizeof(request) - 1);
    FUZZ_CHECK(run->token != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_sim_run_input(&sim_vendor_zoho, data, size, log_in);
    return 0;
}
