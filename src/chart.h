/* chart: the geometry the program draws itself: bar charts (BLK_CHART) and
 * the answer fields of questionnaires (BLK_QUESTION). Pure functions: a
 * chart or a field becomes LINE, RECT and TEXT boxes (layout.h) in a local
 * frame, points, origin at the figure's lower-left corner, y up. Every box
 * stays inside [0, width] x [0, height] whatever the values: long labels are
 * cut with «…», value labels shrink or are left out. Owns nothing: the boxes
 * go into the caller's arena. Included by layout.c (the flow) and the unit
 * tests (the test hook: bar heights and labels on the drawn geometry). */
#ifndef NASTAVDOC_CHART_H
#define NASTAVDOC_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "block.h"
#include "layout.h"
#include "util.h"

/* The one font a figure's texts are set in. */
typedef struct chart_font {
    void *ctx;
    int font;    /* layout's font id, copied into the TEXT boxes */
    double size; /* points */
    /* advance width of s[0..len) at size points */
    double (*measure)(void *ctx, int font, double size, const char *s, size_t len);
    double ascent, descent; /* per point of size, both >= 0 */
} chart_font;

typedef struct chart_fig {
    layout_box *boxes; /* in the caller's arena */
    size_t n, cap;
    double width, height;
    /* bar charts: the plot area (x0, y0, x1, y1: the axes' corner and the
     * top of the axis), the value at its top, and the box of each bar
     * (index into boxes, SIZE_MAX for none), category by category */
    double plot[4];
    double axis_max;
    size_t *bars;
    size_t nbars, nser;
} chart_fig;

/* Limits of what a chart can show legibly; the kinds stay below them. */
#define CHART_MAX_CATEGORIES 60 /* bars groups along one axis */
#define CHART_MAX_SERIES 2      /* before and after */
#define CHART_MIN_HEIGHT_PT 90  /* room for the labels and a plot of 20 pt at 12 pt type */

/* Lay out chart c in width x c->height_pt. false (nothing drawn) when the
 * chart cannot be drawn at all: no categories, too many, or no room. */
bool chart_bars(const blk_chart *c, double width, const chart_font *f, arena *a, chart_fig *out);

/* Lay out an answer field in width; out->height is what it needs. text is
 * the label of a FILL field («Ф.И.О.»), else unused. */
void chart_answer(const blk_answer *ans, const char *text, double width, const chart_font *f,
                  arena *a, chart_fig *out);

/* Append box b to fig, the box array growing in arena a (esign.c builds
 * its figure with it too). */
void chart_fig_add(chart_fig *fig, arena *a, layout_box b);

/* The bar of category cat, series ser, as drawn: its RECT box, or NULL when
 * the bar has height 0 or no data. For the tests. */
const layout_box *chart_bar_box(const chart_fig *fig, size_t cat, size_t ser);

/* ---- the flow (layout.c): BLK_CHART and BLK_QUESTION as lines ---- */

struct lay;
struct vline;
/* Append the lines of b (a chart, or a question: its text and its answer
 * field, never split across pages) at [x0, x0 + width) of the text area. */
void chart_build(struct lay *L, const blk_block *b, double x0, double width);
/* Draw the figure of line v with its top at `top`. */
void chart_draw(struct lay *L, layout_page *p, const struct vline *v, double top);

#endif
