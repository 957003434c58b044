/*
 * portal-sim fault injection: the kinds list, the seeded draw and its rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <portalctl/sim/faults.h>

#include <glib.h>

static void test_parse_kinds_accepts_every_documented_kind(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {0};
    char *bad = NULL;
    assert_true(sim_fault_parse_kinds(&plan, "500,503,429,reset,truncate,malformed,slow", &bad));
    for (int f = SIM_FAULT_NONE + 1; f < SIM_FAULT_COUNT; f++)
        assert_true(plan.kinds[f]);
    assert_null(bad);
}

static void test_parse_kinds_names_the_unknown_kind(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {0};
    char *bad = NULL;
    assert_false(sim_fault_parse_kinds(&plan, "500, teapot ,reset", &bad));
    assert_string_equal(bad, "teapot");
    g_free(bad);
}

static void test_parse_kinds_trims_and_selects_only_listed(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {0};
    assert_true(sim_fault_parse_kinds(&plan, " 429 , reset", NULL));
    assert_true(plan.kinds[SIM_FAULT_429]);
    assert_true(plan.kinds[SIM_FAULT_RESET]);
    assert_false(plan.kinds[SIM_FAULT_500]);
    assert_false(plan.kinds[SIM_FAULT_SLOW]);
}

static void test_draw_never_faults_at_rate_zero(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {.rate = 0.0, .seed = 7};
    sim_fault_parse_kinds(&plan, "500", NULL);
    uint64_t random = plan.seed;
    for (int i = 0; i < 10000; i++)
        assert_int_equal(sim_fault_draw(&plan, &random), SIM_FAULT_NONE);
}

static void test_draw_always_faults_at_rate_one(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {.rate = 1.0, .seed = 7};
    sim_fault_parse_kinds(&plan, "503", NULL);
    uint64_t random = plan.seed;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sim_fault_draw(&plan, &random), SIM_FAULT_503);
}

/* 1,000 draws at P = 0.1: the count stays within 4 standard deviations
 * (sqrt(1000*0.1*0.9) ~ 9.5), and every listed kind shows up. */
static void test_draw_rate_within_tolerance_over_1000(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {.rate = 0.1, .seed = 42};
    sim_fault_parse_kinds(&plan, "500,503,429,reset,truncate", NULL);
    uint64_t random = plan.seed;
    int counts[SIM_FAULT_COUNT] = {0};
    for (int i = 0; i < 1000; i++)
        counts[sim_fault_draw(&plan, &random)]++;
    int faults = 1000 - counts[SIM_FAULT_NONE];
    assert_in_range(faults, 62, 138);
    for (int f = SIM_FAULT_500; f <= SIM_FAULT_TRUNCATE; f++)
        assert_true(counts[f] > 0);
    assert_int_equal(counts[SIM_FAULT_MALFORMED] + counts[SIM_FAULT_SLOW], 0);
}

static void test_draw_repeats_with_the_same_seed(void **state)
{
    (void)state;
    struct sim_fault_plan plan = {.rate = 0.5, .seed = 1234};
    sim_fault_parse_kinds(&plan, "500,429,reset", NULL);
    uint64_t first = plan.seed, second = plan.seed, other = 99;
    int differences = 0;
    for (int i = 0; i < 500; i++) {
        enum sim_fault a = sim_fault_draw(&plan, &first);
        assert_int_equal(a, sim_fault_draw(&plan, &second));
        differences += a != sim_fault_draw(&plan, &other);
    }
    assert_true(differences > 0); /* another seed gives another sequence */
}

static void test_fault_names(void **state)
{
    (void)state;
    assert_null(sim_fault_name(SIM_FAULT_NONE));
    assert_string_equal(sim_fault_name(SIM_FAULT_429), "429");
    assert_string_equal(sim_fault_name(SIM_FAULT_TRUNCATE), "truncate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_kinds_accepts_every_documented_kind),
        cmocka_unit_test(test_parse_kinds_names_the_unknown_kind),
        cmocka_unit_test(test_parse_kinds_trims_and_selects_only_listed),
        cmocka_unit_test(test_draw_never_faults_at_rate_zero),
        cmocka_unit_test(test_draw_always_faults_at_rate_one),
        cmocka_unit_test(test_draw_rate_within_tolerance_over_1000),
        cmocka_unit_test(test_draw_repeats_with_the_same_seed),
        cmocka_unit_test(test_fault_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
