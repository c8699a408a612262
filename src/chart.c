/* chart: see chart.h.
 *
 * A bar chart, from the top of its frame down: the y-axis title on the left
 * and the legend on the right (one text line), the plot (the y axis with
 * round ticks, bars with their values above them), the category labels
 * under the x axis, the x-axis title. Bars are gray fills with a black
 * outline: light for the first series (before), dark for the second
 * (after), so the chart reads in black-and-white print. */
#include "chart.h"

#include "para.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LINE_FACTOR 1.3  /* text line height per point of size */
#define MIN_VALUE_SIZE 4 /* value labels smaller than this are left out */
#define GROUP_SHARE 0.7  /* share of a category's slot the bars fill */
#define ELLIPSIS "\xE2\x80\xA6"

void chart_fig_add(chart_fig *fig, arena *a, layout_box b)
{
    if (fig->n == fig->cap) {
        size_t cap = fig->cap ? fig->cap * 2 : 32;
        layout_box *nb = arena_alloc(a, cap * sizeof *nb);
        if (fig->n)
            memcpy(nb, fig->boxes, fig->n * sizeof *nb);
        fig->boxes = nb;
        fig->cap = cap;
    }
    fig->boxes[fig->n++] = b;
}

static void add_line(chart_fig *fig, arena *a, double x, double y, double x2, double y2, double w)
{
    chart_fig_add(
        fig, a, (layout_box){.kind = LAYOUT_LINE, .x = x, .y = y, .x2 = x2, .y2 = y2, .stroke = w});
}

static void add_rect(chart_fig *fig, arena *a, double x, double y, double x2, double y2, double w,
                     double gray)
{
    chart_fig_add(
        fig, a,
        (layout_box){
            .kind = LAYOUT_RECT, .x = x, .y = y, .x2 = x2, .y2 = y2, .stroke = w, .gray = gray});
}

static double text_width(const chart_font *f, double size, const char *s)
{
    return f->measure(f->ctx, f->font, size, s, strlen(s));
}

/* s cut at a character boundary with «…» so that it fits maxw at size;
 * s itself when it fits; NULL when not even «…» fits. */
static const char *fit_text(const chart_font *f, double size, const char *s, double maxw, arena *a)
{
    if (text_width(f, size, s) <= maxw)
        return s;
    size_t len = strlen(s);
    while (len > 0) {
        do
            len--;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80);
        while (len > 0 && s[len - 1] == ' ')
            len--;
        const char *t = arena_printf(a, "%.*s%s", (int)len, s, ELLIPSIS);
        if (text_width(f, size, t) <= maxw)
            return t;
    }
    return text_width(f, size, ELLIPSIS) <= maxw ? ELLIPSIS : NULL;
}

/* A text box with its left end at x and its baseline at y. */
static void add_text(chart_fig *fig, arena *a, const chart_font *f, double size, double x, double y,
                     const char *s)
{
    chart_fig_add(fig, a,
                  (layout_box){.kind = LAYOUT_TEXT,
                               .font = f->font,
                               .size = size,
                               .x = x,
                               .y = y,
                               .text = s,
                               .len = strlen(s),
                               .width = text_width(f, size, s),
                               .ascent = f->ascent * size,
                               .descent = f->descent * size});
}

/* The text centred on cx, cut to maxw and kept inside [lo, hi]. */
static void add_centered(chart_fig *fig, arena *a, const chart_font *f, double size, double cx,
                         double y, const char *s, double maxw, double lo, double hi)
{
    const char *t = fit_text(f, size, s, fmin(maxw, hi - lo), a);
    if (!t)
        return;
    double w = text_width(f, size, t);
    double x = fmax(lo, fmin(cx - w / 2, hi - w));
    add_text(fig, a, f, size, x, y, t);
}

/* ---- bar charts -------------------------------------------------------- */

/* The smallest of 1, 2, 2.5, 5 times a power of ten at or above v. */
static double nice_step(double v)
{
    double p = pow(10, floor(log10(v)));
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] * p >= v - 1e-9 * p)
            return steps[i] * p;
    return 10 * p;
}

/* The axis: its top value and the tick step (about five ticks). */
static void axis_scale(const blk_chart *c, double *top, double *step)
{
    double maxv = 0;
    for (size_t i = 0; i < c->ncat * c->nser; i++)
        if (isfinite(c->values[i]) && c->values[i] > maxv)
            maxv = c->values[i];
    if (c->axis_max > 0) {
        *top = c->axis_max;
        *step = nice_step(*top / 5);
        return;
    }
    if (maxv <= 0) {
        *top = 1, *step = 1; /* all zero: an axis from 0 to 1 */
        return;
    }
    *step = nice_step(maxv / 5);
    if (*step < 1 && c->decimals == 0)
        *step = 1; /* counts: whole ticks */
    *top = ceil(maxv / *step - 1e-9) * *step;
}

static const char *format_value(arena *a, double v, int decimals, const char *unit)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    for (char *p = tmp; *p; p++)
        if (*p == '.')
            *p = ',';
    return arena_printf(a, "%s%s%s", tmp, unit ? "\xC2\xA0" : "", unit ? unit : "");
}

/* The title of the y axis at the top left, the legend at the top right. */
static void draw_heading(const blk_chart *c, chart_fig *fig, const chart_font *f, arena *a,
                         double base)
{
    double s = f->size, sw = s * 0.8, right = fig->width;
    for (size_t k = c->nser; c->nser > 1 && k-- > 0;) {
        const char *name = fit_text(f, s, c->series[k], fig->width / 4, a);
        if (!name)
            continue;
        double w = text_width(f, s, name);
        add_text(fig, a, f, s, right - w, base, name);
        add_rect(fig, a, right - w - 3 - sw, base, right - w - 3, base + sw, 0,
                 k == 0 ? 0.8 : 0.35);
        add_rect(fig, a, right - w - 3 - sw, base, right - w - 3, base + sw, 0.5, 0);
        right -= w + 3 + sw + 8;
    }
    if (c->y_title && *c->y_title && right > 0) {
        const char *t = fit_text(f, s, c->y_title, right - 2, a);
        if (t)
            add_text(fig, a, f, s, 0, base, t);
    }
}

/* Ticks and their labels on the y axis, the axes themselves. */
static void draw_axes(chart_fig *fig, const chart_font *f, arena *a, double top, double step)
{
    double x0 = fig->plot[0], y0 = fig->plot[1], x1 = fig->plot[2], y1 = fig->plot[3];
    double s = f->size;
    int td = step == floor(step) ? 0 : step * 2 == floor(step * 2) ? 1 : 2;
    /* ticks counted, not summed: 0.1 added ten times is not 1 */
    long nticks = (long)floor(top / step + 1e-9);
    for (long k = 0; k <= nticks; k++) {
        double t = step * (double)k;
        double y = y0 + (y1 - y0) * t / top;
        const char *label = format_value(a, t, td, NULL);
        double w = text_width(f, s, label);
        add_line(fig, a, x0 - 2, y, x0, y, 0.5);
        add_text(fig, a, f, s, fmax(0, x0 - 4 - w), y - s * 0.3, label);
    }
    add_line(fig, a, x0, y0, x0, y1, 0.7);
    add_line(fig, a, x0, y0, x1, y0, 0.7);
}

/* The bars of one category, their values above them. */
static void draw_bars(const blk_chart *c, chart_fig *fig, const chart_font *f, arena *a, size_t cat,
                      double value_size)
{
    double x0 = fig->plot[0], y0 = fig->plot[1], x1 = fig->plot[2], y1 = fig->plot[3];
    double slot = (x1 - x0) / (double)c->ncat;
    double bw = slot * GROUP_SHARE / (double)c->nser;
    double left = x0 + slot * (double)cat + slot * (1 - GROUP_SHARE) / 2;
    for (size_t k = 0; k < c->nser; k++) {
        double v = c->values[cat * c->nser + k];
        double bx = left + bw * (double)k, cx = bx + bw / 2;
        double gray = c->nser == 1 ? 0.55 : k == 0 ? 0.8 : 0.35;
        if (!isfinite(v)) {
            add_centered(fig, a, f, value_size, cx, y0 + 2, "\xE2\x80\x94", bw, 0, fig->width);
            continue;
        }
        double h = (y1 - y0) * fmin(fmax(v, 0), fig->axis_max) / fig->axis_max;
        if (h > 0.01) {
            fig->bars[cat * c->nser + k] = fig->n;
            add_rect(fig, a, bx, y0, bx + bw, y0 + h, 0, gray);
            add_rect(fig, a, bx, y0, bx + bw, y0 + h, 0.5, 0);
        }
        if (value_size > 0)
            add_centered(fig, a, f, value_size, cx, y0 + h + 2 + f->descent * value_size,
                         format_value(a, v, c->decimals, c->unit), slot / (double)c->nser, 0,
                         fig->width);
    }
}

/* The size of the value labels: the font size, smaller when the widest
 * label is wider than a bar's share of its slot; 0 when under
 * MIN_VALUE_SIZE (the chart's table gives the numbers then). */
static double value_label_size(const blk_chart *c, const chart_font *f, arena *a, double slot)
{
    double widest = 0;
    for (size_t i = 0; i < c->ncat * c->nser; i++)
        if (isfinite(c->values[i]))
            widest = fmax(widest, text_width(f, f->size,
                                             format_value(a, c->values[i], c->decimals, c->unit)));
    double room = slot / (double)c->nser * 0.95;
    double size = widest > room ? f->size * room / widest : f->size;
    return size < MIN_VALUE_SIZE ? 0 : size;
}

bool chart_bars(const blk_chart *c, double width, const chart_font *f, arena *a, chart_fig *out)
{
    *out = (chart_fig){.width = width, .height = c->height_pt};
    double s = f->size, line = s * LINE_FACTOR;
    if (c->ncat == 0 || c->ncat > CHART_MAX_CATEGORIES || c->nser == 0 ||
        c->nser > CHART_MAX_SERIES || c->height_pt < CHART_MIN_HEIGHT_PT || width < 60)
        return false;
    double top, step;
    axis_scale(c, &top, &step);
    out->axis_max = top;
    out->nbars = c->ncat * c->nser;
    out->nser = c->nser;
    out->bars = arena_alloc(a, out->nbars * sizeof *out->bars);
    for (size_t i = 0; i < out->nbars; i++)
        out->bars[i] = SIZE_MAX;
    double widest_tick = 0;
    for (long k = 0, nticks = (long)floor(top / step + 1e-9); k <= nticks; k++)
        widest_tick =
            fmax(widest_tick, text_width(f, s, format_value(a, step * (double)k, 2, NULL)));
    bool heading = (c->y_title && *c->y_title) || c->nser > 1;
    double bottom = line + 3 + (c->x_title && *c->x_title ? line : 0);
    out->plot[0] = fmin(widest_tick + 6, width / 4);
    out->plot[1] = bottom;
    out->plot[2] = width - 2;
    /* room above the tallest bar for its value label */
    out->plot[3] =
        c->height_pt - (heading ? line + 2 : 0) - fmax(line, 2.5 + (f->ascent + f->descent) * s);
    if (out->plot[3] - out->plot[1] < 20)
        return false;
    if (heading)
        draw_heading(c, out, f, a, c->height_pt - f->ascent * s);
    draw_axes(out, f, a, top, step);
    double slot = (out->plot[2] - out->plot[0]) / (double)c->ncat;
    double vsize = value_label_size(c, f, a, slot);
    for (size_t cat = 0; cat < c->ncat; cat++) {
        draw_bars(c, out, f, a, cat, vsize);
        double cx = out->plot[0] + slot * ((double)cat + 0.5);
        add_centered(out, a, f, s, cx, bottom - 3 - f->ascent * s, c->labels[cat], slot * 0.96, 0,
                     width);
    }
    if (c->x_title && *c->x_title)
        add_centered(out, a, f, s, out->plot[0] + (out->plot[2] - out->plot[0]) / 2, f->descent * s,
                     c->x_title, width, 0, width);
    return true;
}

const layout_box *chart_bar_box(const chart_fig *fig, size_t cat, size_t ser)
{
    size_t i = cat * fig->nser + ser;
    if (ser >= fig->nser || i >= fig->nbars || fig->bars[i] == SIZE_MAX)
        return NULL;
    return &fig->boxes[fig->bars[i]];
}

/* ---- answer fields ------------------------------------------------------ */

#define BOX_PT 20     /* side of a scale's box */
#define TICK_BOX 0.8  /* a choice's box, per point of the font size */
#define RULE_GAP_MM 8 /* distance of ruled lines for written answers */
#define MM_PT (72.0 / 25.4)

/* Boxes low..high with their numbers above, the meaning of the ends below. */
static void answer_scale(const blk_answer *ans, double width, const chart_font *f, arena *a,
                         chart_fig *fig)
{
    double s = f->size, line = s * LINE_FACTOR;
    size_t n = ans->nopts;
    double gap = 4, b = fmin(BOX_PT, (width - gap * (double)(n - 1)) / (double)n);
    if (b < 8) {
        gap = 1;
        b = (width - gap * (double)(n - 1)) / (double)n;
    }
    bool ends = (ans->low && *ans->low) || (ans->high && *ans->high);
    fig->height = line + b + (ends ? line : 0) + 2;
    double top = fig->height, ybox = top - line - b;
    for (size_t i = 0; i < n; i++) {
        double x = (b + gap) * (double)i;
        add_centered(fig, a, f, s, x + b / 2, top - f->ascent * s, ans->options[i], b + gap, 0,
                     width);
        add_rect(fig, a, x, ybox, x + b, ybox + b, 0.6, 0);
    }
    if (!ends)
        return;
    double row = (b + gap) * (double)n - gap, base = ybox - 2 - f->ascent * s;
    /* the low end under the first box, the high end ending under the last
     * box, or after the low end when both do not fit under the row */
    const char *lo = ans->low && *ans->low ? fit_text(f, s, ans->low, width / 2 - 4, a) : NULL;
    double lo_w = lo ? text_width(f, s, lo) : 0;
    if (lo)
        add_text(fig, a, f, s, 0, base, lo);
    if (ans->high && *ans->high) {
        double hx = fmax(row - text_width(f, s, ans->high), lo ? lo_w + 8 : 0);
        const char *hi = fit_text(f, s, ans->high, width - hx, a);
        if (hi)
            add_text(fig, a, f, s, fmax(hx, row - text_width(f, s, hi)), base, hi);
    }
}

/* The words of s broken greedily into lines of at most width; a word
 * longer than a line is cut with «…». Returns the number of lines drawn
 * from baseline y down, one line apart, starting at x. */
static size_t wrap_words(chart_fig *fig, arena *a, const chart_font *f, double x, double y,
                         double width, const char *s)
{
    double line = f->size * LINE_FACTOR;
    size_t nlines = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t end = 0, best = 0;
        for (;;) {
            while (s[end] && s[end] != ' ')
                end++;
            if (f->measure(f->ctx, f->font, f->size, s, end) > width)
                break;
            best = end;
            if (!s[end])
                break;
            while (s[end] == ' ')
                end++;
        }
        const char *piece;
        if (best == 0) { /* one word wider than the line */
            size_t w = strcspn(s, " ");
            piece = fit_text(f, f->size, arena_strndup(a, s, w), width, a);
            best = w;
        } else {
            piece = arena_strndup(a, s, best);
        }
        if (piece && fig)
            add_text(fig, a, f, f->size, x, y - line * (double)nlines, piece);
        nlines++;
        s += best;
    }
    return nlines;
}

/* A box before each option: in one row when they fit, else one per line. */
static void answer_choice(const blk_answer *ans, double width, const chart_font *f, arena *a,
                          chart_fig *fig)
{
    double s = f->size, line = s * LINE_FACTOR, q = s * TICK_BOX, pad = 4, sep = 14;
    double row = 0;
    for (size_t i = 0; i < ans->nopts; i++)
        row += q + pad + text_width(f, s, ans->options[i]) + (i ? sep : 0);
    if (row <= width) {
        fig->height = line + 2;
        double base = fig->height - f->ascent * s - 1, x = 0;
        for (size_t i = 0; i < ans->nopts; i++) {
            add_rect(fig, a, x, base - 0.5, x + q, base - 0.5 + q, 0.6, 0);
            add_text(fig, a, f, s, x + q + pad, base, ans->options[i]);
            x += q + pad + text_width(f, s, ans->options[i]) + sep;
        }
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < ans->nopts; i++)
        total += wrap_words(NULL, a, f, 0, 0, width - q - pad, ans->options[i]);
    fig->height = line * (double)total + 2;
    double base = fig->height - f->ascent * s - 1;
    for (size_t i = 0; i < ans->nopts; i++) {
        add_rect(fig, a, 0, base - 0.5, q, base - 0.5 + q, 0.6, 0);
        size_t k = wrap_words(fig, a, f, q + pad, base, width - q - pad, ans->options[i]);
        base -= line * (double)k;
    }
}

void chart_answer(const blk_answer *ans, const char *text, double width, const chart_font *f,
                  arena *a, chart_fig *out)
{
    *out = (chart_fig){.width = width};
    double s = f->size, line = s * LINE_FACTOR;
    switch (ans->kind) {
    case BLK_ANSWER_SCALE:
        if (ans->nopts)
            answer_scale(ans, width, f, a, out);
        break;
    case BLK_ANSWER_CHOICE:
        if (ans->nopts)
            answer_choice(ans, width, f, a, out);
        break;
    case BLK_ANSWER_LINES: {
        double gap = RULE_GAP_MM * MM_PT;
        out->height = gap * (double)ans->lines;
        for (unsigned i = 0; i < ans->lines; i++) {
            double y = out->height - gap * (i + 1) + 1;
            add_line(out, a, 0, y, width, y, 0.5);
        }
        break;
    }
    case BLK_ANSWER_FILL: {
        out->height = line * 1.6;
        double base = f->descent * s + 2;
        const char *t = text ? fit_text(f, s, text, width / 2, a) : NULL;
        double w = t ? text_width(f, s, t) + 4 : 0;
        if (t)
            add_text(out, a, f, s, 0, base, t);
        add_line(out, a, w, base - 1, width, base - 1, 0.5);
        break;
    }
    case BLK_ANSWER_NONE:
        break;
    }
}

/* ---- the flow ------------------------------------------------------------ */

static double flow_measure(void *ctx, int font, double size, const char *s, size_t len)
{
    return para_measure(ctx, font, size, 0, s, len);
}

/* Every character of the figure's texts must be in the font, as for text
 * set by para (the PDF can draw nothing else). */
static bool check_glyphs(lay *L, const blk_block *b, const chart_fig *fig)
{
    for (size_t i = 0; i < fig->n; i++) {
        const layout_box *bx = &fig->boxes[i];
        for (size_t k = 0; bx->kind == LAYOUT_TEXT && k < bx->len;) {
            uint32_t cp;
            size_t n = utf8_next(bx->text + k, bx->len - k, &cp);
            if (!L->f->has(L->f->ctx, bx->font, cp)) {
                diag_error(L->d, b->mark,
                           "символа «%.*s» (U+%04X) нет в шрифте «%s»: замените его или "
                           "выберите другой шрифт (font в стиле шаблона)",
                           (int)n, bx->text + k, (unsigned)cp, b->style->family);
                L->failed = true;
                return false;
            }
            k += n;
        }
    }
    return true;
}

static void add_fig_line(lay *L, const blk_block *b, chart_fig *fig, double x0, double space)
{
    for (size_t i = 0; i < fig->n; i++) {
        fig->boxes[i].x += x0;
        if (fig->boxes[i].kind != LAYOUT_TEXT)
            fig->boxes[i].x2 += x0;
    }
    if (!check_glyphs(L, b, fig))
        return;
    chart_fig *keep = arena_alloc(L->out->mem, sizeof *keep);
    *keep = *fig;
    vline *v = para_add_line(L);
    v->height = v->depth = fig->height;
    v->space_before = space;
    v->mark = b->mark;
    v->fig = keep;
}

void chart_build(lay *L, const blk_block *b, double x0, double width)
{
    const blk_style *st = b->style;
    int font = L->f->find(L->f->ctx, st->family, st->font_style);
    if (font < 0) {
        para_set_text(L, b, "", x0, width, 0, NULL, 0); /* reports the family once */
        L->failed = true;
        return;
    }
    chart_font f = {L,
                    font,
                    st->size_pt,
                    flow_measure,
                    L->f->ascent(L->f->ctx, font) / 1000,
                    -L->f->descent(L->f->ctx, font) / 1000};
    chart_fig fig;
    if (b->kind == BLK_CHART) {
        if (!chart_bars(b->as.chart, width, &f, L->out->mem, &fig)) {
            diag_error(L->d, b->mark,
                       "диаграмма не помещается: нужно от 1 до %d столбцов, высота от %d pt и "
                       "ширина от 60 pt",
                       CHART_MAX_CATEGORIES, CHART_MIN_HEIGHT_PT);
            L->failed = true;
            return;
        }
        add_fig_line(L, b, &fig, x0, 0);
        return;
    }
    const blk_answer *ans = b->as.question.answer;
    size_t first = L->nlines;
    if (ans->kind != BLK_ANSWER_FILL) {
        const char *label = b->as.question.label;
        const char *text =
            label && *label ? arena_printf(L->out->mem, "%s %s", label, b->text) : b->text;
        para_set_text(L, b, text, x0, width, st->indent_pt, NULL, 0);
    }
    if (ans->kind != BLK_ANSWER_NONE) {
        chart_answer(ans, b->text, width, &f, L->out->mem, &fig);
        add_fig_line(L, b, &fig, x0, L->nlines > first ? st->size_pt * 0.3 : 0);
    }
    /* a question is never split across pages */
    for (size_t i = first + 1; i < L->nlines; i++)
        L->lines[i].ok_before = false;
}

void chart_draw(lay *L, layout_page *p, const vline *v, double top)
{
    double dx = L->t->page.margin_left_pt, dy = top - v->fig->height;
    for (size_t i = 0; i < v->fig->n; i++) {
        layout_box b = v->fig->boxes[i];
        b.x += dx;
        b.y += dy;
        if (b.kind != LAYOUT_TEXT) {
            b.x2 += dx;
            b.y2 += dy;
        } else {
            b.mark = v->mark;
        }
        para_add_box(p, b);
    }
}
