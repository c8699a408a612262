/* stats: descriptive statistics of survey answers and their Russian number
 * format. Pure functions over caller storage; owns nothing. Included by
 * survey (the kinds stage) and the unit tests. */
#ifndef NASTAVDOC_STATS_H
#define NASTAVDOC_STATS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct stats_summary {
    size_t n;
    double mean, median, min, max;
    /* sample standard deviation (divisor n - 1, as a spreadsheet's STDEV);
     * 0 for n = 1 by definition; everything 0 for n = 0 */
    double sd;
} stats_summary;

/* Summarize v[0..n); sorts v in place (n log n). */
void stats_summarize(double *v, size_t n, stats_summary *out);

/* The same summary of the values first, first + 1, … first + k - 1 seen
 * counts[0..k) times: O(k), whatever the number of answers. */
void stats_from_counts(const size_t *counts, size_t k, double first, stats_summary *out);

/* part / whole * 100 into *out; false (and *out untouched) when whole is 0. */
bool stats_percent(double part, double whole, double *out);

/* v with `decimals` digits after a decimal comma, rounded half away from
 * zero, a real minus sign (U+2212), never «−0»: 7.25 -> "7,25", -0.004 -> "0,00".
 * Writes at most cap bytes (NUL included); returns out. */
char *stats_format(char *out, size_t cap, double v, int decimals);

#endif
