/*
 * The Valstorm user list read while it arrives, end to end: the real
 * portal-sim (--seed-users) over real HTTP, the session's request path with
 * a body-chunk callback, the adapter's pages, and the console's browser.
 * A whole list arrives in several pages with exactly the records of the
 * body parsed whole; a list cut short or broken mid-way ends in an error
 * (never retried once rows were handed over), and the browser calls what
 * it shows incomplete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http_client.h"
#include "job_runner.h"
#include "sim_process.h"
#include "temp_dir.h"

#include <portalctl/browser.h>
#include <portalctl/valstorm_parse.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#define ADMIN        "sim-valstorm-admin"
#define DEMO_PORTAL  "portal_demo1"
#define SEEDED_USERS "5000"
#define USERS_TOTAL  5003 /* the seeded users and the demo portal's own three */

struct live {
    struct sim_process sim;
    struct net_engine *net;
    struct connection_config *config;
    struct session *session;
    char *state_home;
};

static void live_start(struct live *live, const char *fault)
{
    memset(live, 0, sizeof(*live));
    const char *const plain[] = {"--seed-users", SEEDED_USERS, NULL};
    const char *const faulty[] = {
        "--seed-users", SEEDED_USERS, "--fault-rate", "1", "--fault-kinds", fault, NULL};
    if (sim_process_start(&live->sim, fault ? faulty : plain) != 0)
        fail_msg("portal-sim did not start");
    live->state_home = g_dir_make_tmp("valstorm-stream-XXXXXX", NULL);
    assert_non_null(live->state_home);
    assert_int_equal(setenv("XDG_STATE_HOME", live->state_home, 1), 0);
    live->net = net_engine_new(NULL);
    live->config = job_test_connection(CONFIG_VENDOR_VALSTORM, "acme-valstorm", live->sim.base_url);
    live->session = session_new(live->config, live->net, NULL);
    session_set_secret(live->session, SECRET_KIND_API_KEY, ADMIN);
}

static void live_stop(struct live *live)
{
    session_free(live->session);
    net_engine_free(live->net);
    connection_config_free(live->config);
    temp_dir_remove(live->state_home);
    g_free(live->state_home);
    assert_int_equal(sim_process_stop(&live->sim, false), 0);
}

static const char *users_url(struct live *live)
{
    return sim_process_url(&live->sim, "/v1/portal/" DEMO_PORTAL "/users");
}

/* How many GETs of the user list the simulator received (its log). */
static int list_requests(struct live *live)
{
    static const char needle[] = "\"method\":\"GET\",\"path\":\"/v1/portal/" DEMO_PORTAL "/users\"";
    char *log = NULL;
    assert_true(g_file_get_contents(live->sim.log_path, &log, NULL, NULL));
    int n = 0;
    for (const char *p = log; (p = strstr(p, needle)) != NULL; p += sizeof(needle) - 1)
        n++;
    g_free(log);
    return n;
}

/* ---- a whole list ---------------------------------------------------------------- */

static void test_list_arrives_in_pages(void **state)
{
    (void)state;
    struct live live;
    live_start(&live, NULL);
    struct job_outcome out;
    job_run_op(live.session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    if (out.error.kind != API_OK)
        fail_msg("listing failed: %s", out.error.message);
    assert_int_equal(out.records.count, USERS_TOTAL);
    assert_true(out.pages >= 2); /* the first rows at once, then pages */

    /* The same records as the body fetched and parsed whole. */
    const char *const headers[] = {"Authorization: Bearer " ADMIN, NULL};
    struct http_result whole;
    assert_int_equal(http_request("GET", users_url(&live), headers, NULL, &whole), 0);
    assert_int_equal(whole.status, 200);
    struct record_list expected;
    record_list_init(&expected);
    struct api_error error;
    api_error_init(&error);
    assert_true(valstorm_parse_users(whole.body, whole.body_len, NULL, &expected, &error));
    assert_int_equal(expected.count, out.records.count);
    for (size_t i = 0; i < expected.count; i++) {
        for (int f = 0; f < RECORD_FIELD_COUNT; f++)
            assert_true(g_strcmp0(record_get(&expected.items[i], f),
                                  record_get(&out.records.items[i], f)) == 0);
    }
    record_list_clear(&expected);
    api_error_clear(&error);
    http_result_clear(&whole);
    job_outcome_clear(&out);

    /* A filter still applies while the list streams. */
    job_run_op(live.session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, ".4242@EXAMPLE.net", &out);
    assert_int_equal(out.error.kind, API_OK);
    assert_int_equal(out.records.count, 1);
    job_outcome_clear(&out);
    live_stop(&live);
}

/* ---- a list broken mid-way -------------------------------------------------------- */

static void check_broken_list(const char *fault, enum api_error_kind kind)
{
    struct live live;
    live_start(&live, fault);
    struct job_outcome out;
    job_run_op(live.session, VOP_LIST_USERS, DEMO_PORTAL, NULL, NULL, NULL, &out);
    if (out.error.kind != kind)
        fail_msg("%s: expected kind %d, got %d: %s", fault, kind, out.error.kind,
                 out.error.message ? out.error.message : "");
    /* Half the body came: some rows were handed over, never all of them. */
    assert_true(out.records.count > 0 && out.records.count < USERS_TOTAL);
    /* Rows were used: the request was not sent again. */
    assert_int_equal(list_requests(&live), 1);
    job_outcome_clear(&out);
    live_stop(&live);
}

static void test_truncated_list_is_an_error(void **state)
{
    (void)state;
    check_broken_list("truncate", API_NETWORK);
}

static void test_malformed_list_is_a_bad_response(void **state)
{
    (void)state;
    check_broken_list("malformed", API_BAD_RESPONSE);
}

/* ---- the console's browser ----------------------------------------------------- */

static struct browser_list *browse_users(struct live *live, struct browser **out)
{
    struct browser *browser = browser_new(live->net, NULL, false);
    struct browser_connection *c = browser_add_connection(browser, live->config);
    session_set_secret(c->session, SECRET_KIND_API_KEY, ADMIN);
    browser_open_connection(browser, 0);
    net_engine_run(live->net);
    struct record_list portal;
    record_list_init(&portal);
    struct record *r = record_list_append(&portal);
    record_set(&portal, r, RECORD_ID, DEMO_PORTAL);
    browser_open_portal(browser, r);
    record_list_clear(&portal);
    net_engine_run(live->net);
    *out = browser;
    return browser_list(browser, BROWSER_USERS);
}

static void test_browser_calls_a_broken_list_incomplete(void **state)
{
    (void)state;
    struct live live;
    live_start(&live, "truncate");
    struct browser *browser = NULL;
    struct browser_list *users = browse_users(&live, &browser);
    assert_true(users->records.count > 0 && users->records.count < USERS_TOTAL);
    assert_true(users->incomplete);
    assert_false(users->loaded);
    assert_true(browser->message_is_error);
    assert_non_null(strstr(browser->message, "INCOMPLETE"));
    browser_free(browser);
    live_stop(&live);
}

static void test_browser_whole_list_is_complete(void **state)
{
    (void)state;
    struct live live;
    live_start(&live, NULL);
    struct browser *browser = NULL;
    struct browser_list *users = browse_users(&live, &browser);
    assert_int_equal(users->records.count, USERS_TOTAL);
    assert_false(users->incomplete);
    assert_true(users->loaded);
    assert_false(browser->message_is_error);
    browser_free(browser);
    live_stop(&live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_arrives_in_pages),
        cmocka_unit_test(test_truncated_list_is_an_error),
        cmocka_unit_test(test_malformed_list_is_a_bad_response),
        cmocka_unit_test(test_browser_calls_a_broken_list_incomplete),
        cmocka_unit_test(test_browser_whole_list_is_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
