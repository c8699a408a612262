/* Unit tests of stats: exact values on small hand-checked lists, the median
 * of an even count, the standard deviation of one value, percentages and the
 * Russian number format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

typedef struct summary_case {
    const char *name;
    double v[8];
    size_t n;
    stats_summary want;
} summary_case;

/* By hand: {7, 9, 8, 10}: sum 34, mean 8.5, sorted 7 8 9 10, median (8+9)/2 =
 * 8.5; deviations -1.5 -0.5 0.5 1.5, squares 2.25 0.25 0.25 2.25 = 5, / 3 =
 * 1.6667, sd 1.2910. {5, 1, 3}: mean 3, median 3, squares 4 4 0 = 8, / 2 = 4,
 * sd 2. {6}: mean, median, min, max 6, sd 0 by definition. */
static const summary_case summary_cases[] = {
    {"even n", {7, 9, 8, 10}, 4, {4, 8.5, 8.5, 7, 10, 1.2909944487358056}},
    {"odd n", {5, 1, 3}, 3, {3, 3, 3, 1, 5, 2}},
    {"one value", {6}, 1, {1, 6, 6, 6, 6, 0}},
    {"equal values", {4, 4, 4, 4, 4}, 5, {5, 4, 4, 4, 4, 0}},
    {"none", {0}, 0, {0, 0, 0, 0, 0, 0}},
    {"two", {1, 10}, 2, {2, 5.5, 5.5, 1, 10, 6.3639610306789276}},
};

static void test_summaries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof summary_cases / sizeof *summary_cases; i++) {
        summary_case c = summary_cases[i];
        stats_summary s;
        stats_summarize(c.v, c.n, &s);
        print_message("%s\n", c.name);
        assert_int_equal(s.n, c.want.n);
        assert_true(s.mean == c.want.mean);
        assert_true(s.median == c.want.median);
        assert_true(s.min == c.want.min);
        assert_true(s.max == c.want.max);
        assert_true(s.sd > c.want.sd - 1e-12 && s.sd < c.want.sd + 1e-12);
    }
}

static void test_large_even(void **state)
{
    (void)state;
    /* 10,000 values 1..10, each 1,000 times: mean 5.5, median (5+6)/2 */
    static double v[10000];
    for (size_t i = 0; i < 10000; i++)
        v[i] = (double)(10 - i % 10);
    stats_summary s;
    stats_summarize(v, 10000, &s);
    assert_true(s.mean == 5.5);
    assert_true(s.median == 5.5);
    assert_true(s.min == 1 && s.max == 10);
}

/* Counts give the same summary as the list: {7, 9, 8, 10} as counts of
 * 1..10, and the cases above. */
static void test_from_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof summary_cases / sizeof *summary_cases; i++) {
        summary_case c = summary_cases[i];
        size_t counts[11] = {0};
        for (size_t k = 0; k < c.n; k++)
            counts[(size_t)c.v[k]]++;
        stats_summary s;
        stats_from_counts(counts, 11, 0, &s);
        print_message("%s\n", c.name);
        assert_int_equal(s.n, c.want.n);
        assert_true(s.mean == c.want.mean);
        assert_true(s.median == c.want.median);
        assert_true(s.min == c.want.min && s.max == c.want.max);
        assert_true(s.sd > c.want.sd - 1e-12 && s.sd < c.want.sd + 1e-12);
    }
    /* a scale from 1: counts[0] is the value 1 */
    size_t one_to_ten[10] = {0, 0, 0, 0, 1, 1, 0, 0, 0, 0}; /* 5 and 6 */
    stats_summary s;
    stats_from_counts(one_to_ten, 10, 1, &s);
    assert_true(s.mean == 5.5 && s.median == 5.5 && s.min == 5 && s.max == 6);
}

static void test_percent(void **state)
{
    (void)state;
    double p = -1;
    assert_true(stats_percent(3, 4, &p));
    assert_true(p == 75);
    assert_false(stats_percent(3, 0, &p));
    assert_true(p == 75); /* untouched */
    assert_true(stats_percent(0, 7, &p) && p == 0);
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        double v;
        int decimals;
        const char *want;
    } cases[] = {
        {7.25, 2, "7,25"}, {8.125, 2, "8,13"},    {2.5, 0, "3"},
        {-2.5, 0, "−3"},   {-0.004, 2, "0,00"},   {0, 1, "0,0"},
        {100, 1, "100,0"}, {-33.333, 1, "−33,3"}, {1e6, 0, "1000000"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(stats_format(out, sizeof out, cases[i].v, cases[i].decimals),
                            cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summaries),   cmocka_unit_test(test_large_even),
        cmocka_unit_test(test_from_counts), cmocka_unit_test(test_percent),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
