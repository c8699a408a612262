/* stats: see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stats_summarize(double *v, size_t n, stats_summary *out)
{
    *out = (stats_summary){.n = n};
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_double);
    /* summing the sorted values smallest first keeps the rounding error of
     * large n small; survey answers are small integers, so it is exact */
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    out->mean = sum / (double)n;
    out->min = v[0];
    out->max = v[n - 1];
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    if (n < 2)
        return;
    /* two passes: the deviations from the mean, not sum of squares minus
     * square of sums, which cancels catastrophically */
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - out->mean) * (v[i] - out->mean);
    out->sd = sqrt(ss / (double)(n - 1));
}

/* The value at 0-based position pos of the sorted answers. */
static double value_at(const size_t *counts, size_t k, double first, size_t pos)
{
    size_t seen = 0;
    for (size_t i = 0; i < k; i++) {
        seen += counts[i];
        if (pos < seen)
            return first + (double)i;
    }
    return first + (double)(k ? k - 1 : 0);
}

void stats_from_counts(const size_t *counts, size_t k, double first, stats_summary *out)
{
    *out = (stats_summary){0};
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        out->n += counts[i];
        sum += (double)counts[i] * (double)i;
    }
    if (out->n == 0)
        return;
    size_t n = out->n;
    out->mean = first + sum / (double)n;
    out->min = value_at(counts, k, first, 0);
    out->max = value_at(counts, k, first, n - 1);
    out->median =
        n % 2 ? value_at(counts, k, first, n / 2)
              : (value_at(counts, k, first, n / 2 - 1) + value_at(counts, k, first, n / 2)) / 2;
    if (n < 2)
        return;
    double ss = 0;
    for (size_t i = 0; i < k; i++) {
        double dev = first + (double)i - out->mean;
        ss += (double)counts[i] * dev * dev;
    }
    out->sd = sqrt(ss / (double)(n - 1));
}

bool stats_percent(double part, double whole, double *out)
{
    if (whole == 0)
        return false;
    *out = part / whole * 100;
    return true;
}

char *stats_format(char *out, size_t cap, double v, int decimals)
{
    double scale = pow(10, decimals);
    double r = round(fabs(v) * scale) / scale; /* round() is half away from zero */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, r);
    char *dot = strchr(tmp, '.');
    if (dot)
        *dot = ',';
    bool negative = v < 0 && r != 0;
    snprintf(out, cap, "%s%s", negative ? "\xE2\x88\x92" : "", tmp);
    return out;
}
