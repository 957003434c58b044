/*
 * portal-sim over real HTTP: injected faults as a client sees them (rate over
 * 1,000 requests, each kind's shape, repeatability with a seed, truncate
 * applying the request), the per-credential rate limit, and the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http_client.h"
#include "sim_process.h"

#include <glib.h>
#include <glib/gstdio.h>

static const char *const ecgrid_admin[] = {"X-API-Key: sim-ecgrid-netadmin",
                                           "Content-Type: application/json", NULL};

enum outcome { OK, S500, S503, S429, RESET, TRUNCATED, OTHER, OUTCOME_COUNT };

static enum outcome classify(const struct http_result *res)
{
    if (res->curl_code == CURLE_PARTIAL_FILE)
        return TRUNCATED;
    if (res->curl_code == CURLE_RECV_ERROR || res->curl_code == CURLE_GOT_NOTHING)
        return RESET;
    if (res->curl_code != CURLE_OK)
        return OTHER;
    switch (res->status) {
    case 200:
        return OK;
    case 500:
        return S500;
    case 503:
        return S503;
    case 429:
        return S429;
    default:
        return OTHER;
    }
}

/* Sends n GETs and counts outcomes; also records the sequence. */
static void run_requests(struct sim_process *sim, int n, int counts[OUTCOME_COUNT],
                         GString *sequence)
{
    memset(counts, 0, sizeof(int) * OUTCOME_COUNT);
    for (int i = 0; i < n; i++) {
        struct http_result res;
        http_request("GET", sim_process_url(sim, "/v2/users/me"), ecgrid_admin, NULL, &res);
        enum outcome o = classify(&res);
        counts[o]++;
        if (sequence)
            g_string_append_c(sequence, (char)('0' + o));
        if (o == S429) {
            char *retry = http_result_header(&res, "Retry-After");
            assert_non_null(retry);
            assert_string_equal(http_json_string(&res, "errorCode"), "RateLimitExceeded");
            g_free(retry);
        }
        if (o == S500 || o == S503)
            assert_string_equal(http_json_string(&res, "success"), "false");
        http_result_clear(&res);
    }
}

static void start_with(struct sim_process *sim, const char *rate, const char *kinds,
                       const char *seed)
{
    const char *args[] = {"--fault-rate", rate, "--fault-kinds", kinds, "--fault-seed", seed, NULL};
    assert_int_equal(sim_process_start(sim, args), 0);
}

/* P = 0.1 over 1,000 requests: within 4 standard deviations of 100, every
 * listed kind seen, nothing else, and the log agrees request by request. */
static void test_fault_rate_over_1000_requests(void **state)
{
    (void)state;
    struct sim_process sim;
    start_with(&sim, "0.1", "500,503,429,reset,truncate", "42");
    int counts[OUTCOME_COUNT];
    run_requests(&sim, 1000, counts, NULL);
    int faults = 1000 - counts[OK];
    assert_in_range(faults, 62, 138);
    for (int o = S500; o <= TRUNCATED; o++)
        assert_true(counts[o] > 0);
    assert_int_equal(counts[OTHER], 0);
    assert_int_equal(sim_process_log_lines(&sim), 1000);

    char *log = NULL;
    assert_true(g_file_get_contents(sim.log_path, &log, NULL, NULL));
    int logged_faults = 0;
    for (char *p = log; (p = strstr(p, "\"fault\":")); p++)
        logged_faults++;
    assert_int_equal(logged_faults, faults);
    assert_null(strstr(log, "sim-ecgrid-netadmin")); /* the key never reaches the log */
    g_free(log);
    assert_int_equal(sim_process_stop(&sim, false), 0);
}

/* The same seed gives the same faults in the same order; another does not. */
static void test_fault_seed_repeats(void **state)
{
    (void)state;
    GString *first = g_string_new(NULL), *second = g_string_new(NULL), *third = g_string_new(NULL);
    int counts[OUTCOME_COUNT];
    struct sim_process sim;
    start_with(&sim, "0.3", "500,429,reset", "7");
    run_requests(&sim, 200, counts, first);
    sim_process_stop(&sim, false);
    start_with(&sim, "0.3", "500,429,reset", "7");
    run_requests(&sim, 200, counts, second);
    sim_process_stop(&sim, false);
    start_with(&sim, "0.3", "500,429,reset", "8");
    run_requests(&sim, 200, counts, third);
    sim_process_stop(&sim, false);
    assert_string_equal(first->str, second->str);
    assert_string_not_equal(first->str, third->str);
    g_string_free(first, TRUE);
    g_string_free(second, TRUE);
    g_string_free(third, TRUE);
}

/* truncate applies the request and then cuts the body: after a restart from
 * the saved state, the user exists. */
static void test_truncate_applies_the_request(void **state)
{
    (void)state;
    char *dir = g_dir_make_tmp("sim-trunc.XXXXXX", NULL);
    char *state_file = g_build_filename(dir, "state.json", NULL);
    struct sim_process sim;
    const char *faulty[] = {"--state",  state_file, "--fault-rate", "1", "--fault-kinds",
                            "truncate", NULL};
    assert_int_equal(sim_process_start(&sim, faulty), 0);
    struct http_result res;
    http_request("POST", sim_process_url(&sim, "/v2/users"), ecgrid_admin,
                 "{\"login\":\"trunc1\",\"password\":\"Passw0rd!\",\"email\":\"t1@example.com\"}",
                 &res);
    assert_int_equal(res.curl_code, CURLE_PARTIAL_FILE);
    http_result_clear(&res);
    assert_int_equal(sim_process_stop(&sim, false), 0);

    const char *clean[] = {"--state", state_file, NULL};
    assert_int_equal(sim_process_start(&sim, clean), 0);
    http_request("POST", sim_process_url(&sim, "/v2/users/by-name"), ecgrid_admin,
                 "{\"login\":\"trunc1\"}", &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(http_json_string(&res, "data[0].login"), "trunc1");
    http_result_clear(&res);
    assert_int_equal(sim_process_stop(&sim, false), 0);
    g_unlink(state_file);
    g_rmdir(dir);
    g_free(state_file);
    g_free(dir);
}

/* malformed keeps the status but the body is not JSON; slow delivers the
 * whole body, late. */
static void test_malformed_and_slow(void **state)
{
    (void)state;
    struct sim_process sim;
    struct http_result res;
    start_with(&sim, "1", "malformed", "1");
    http_request("GET", sim_process_url(&sim, "/v2/users/me"), ecgrid_admin, NULL, &res);
    assert_int_equal(res.curl_code, CURLE_OK);
    assert_int_equal(res.status, 200);
    assert_null(res.json);
    http_result_clear(&res);
    sim_process_stop(&sim, false);

    start_with(&sim, "1", "slow", "1");
    double started = g_get_monotonic_time() / 1e6;
    http_request("GET", sim_process_url(&sim, "/v2/users/me"), ecgrid_admin, NULL, &res);
    double took = g_get_monotonic_time() / 1e6 - started;
    assert_int_equal(res.status, 200);
    assert_non_null(res.json);
    assert_string_equal(http_json_string(&res, "data.login"), "netadmin");
    assert_true(took >= 1.0);
    http_result_clear(&res);
    sim_process_stop(&sim, false);
}

/* --rate-limit N: the N+1st request of a second gets the vendor's 429. */
static void test_rate_limit_per_credential(void **state)
{
    (void)state;
    struct sim_process sim;
    const char *args[] = {"--rate-limit", "5", NULL};
    assert_int_equal(sim_process_start(&sim, args), 0);
    int limited = 0, ok = 0;
    for (int i = 0; i < 12; i++) {
        struct http_result res;
        http_request("GET", sim_process_url(&sim, "/v2/users/me"), ecgrid_admin, NULL, &res);
        if (res.status == 429) {
            char *retry = http_result_header(&res, "Retry-After");
            assert_non_null(retry);
            g_free(retry);
            limited++;
        } else if (res.status == 200) {
            ok++;
        }
        http_result_clear(&res);
    }
    /* At most 5 per second pass; 12 requests span at most 2 seconds here. */
    assert_true(ok <= 10);
    assert_true(limited >= 2);
    /* Another credential has its own budget. */
    const char *other[] = {"X-API-Key: sim-ecgrid-mbxadmin", NULL};
    struct http_result res;
    http_request("GET", sim_process_url(&sim, "/v2/users/me"), other, NULL, &res);
    assert_int_equal(res.status, 200);
    http_result_clear(&res);
    sim_process_stop(&sim, false);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_rate_over_1000_requests),
        cmocka_unit_test(test_fault_seed_repeats),
        cmocka_unit_test(test_truncate_applies_the_request),
        cmocka_unit_test(test_malformed_and_slow),
        cmocka_unit_test(test_rate_limit_per_credential),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
