/* esign: see esign.h.
 *
 * The signature row of a document signed electronically, as schools publish
 * their orders: the position at the left margin, the framed mark in the
 * middle, «И.О. Фамилия» flush right on the level of the position's last
 * line (GOST R 7.0.97-2016/2025; docs/typesetting.md §1.5 for the row). The
 * mark: «ДОКУМЕНТ ПОДПИСАН / ЭЛЕКТРОННОЙ ПОДПИСЬЮ» centred in bold, then the
 * certificate, owner and validity lines, in a frame, at most half the text
 * width (a long owner's name wraps). The row is centred on
 * the mark, which stands in the middle of the text width when it leaves room
 * on both sides, else in the middle of the room between position and
 * name. */
#include "esign.h"

#include <math.h>
#include <string.h>

#include "chart.h"
#include "para.h"

#define GAP_PT 12        /* between the position, the mark and the name */
#define PAD_EM 0.7       /* the mark's inner margin, in ems of its text */
#define HEAD_GAP_EM 0.35 /* between the heading and the certificate's lines */
#define FRAME_PT 1.0     /* the frame's line */
#define MARK_SHARE 0.5   /* of the text width: a longer line of the mark wraps */

/* A text set by para in style st and width w, its lines as TEXT boxes
 * appended to fig: x from 0, baselines below y = 0 (negative); the lines
 * are taken back out of L. at: the YAML value the text comes from, where a
 * message about it (a character not in the font) points. Returns their
 * height (leading included); *wide gets the widest line, *base the last
 * baseline (negative). */
static double set_boxes(lay *L, const blk_block *b, const blk_style *st, const char *text,
                        src_mark at, double w, chart_fig *fig, double *wide, double *base)
{
    blk_block t = *b;
    t.style = st;
    t.mark = at;
    size_t l0 = L->nlines, f0 = L->nfrags;
    para_set_text(L, &t, text, 0, w, 0, NULL, 0);
    double y = 0;
    *wide = 0;
    *base = 0;
    for (size_t i = l0; i < L->nlines; i++) {
        const vline *v = &L->lines[i];
        double left = INFINITY, right = 0;
        *base = -(y + v->ascent);
        for (size_t k = 0; k < v->nfrags; k++) {
            const frag *fr = &L->frags[v->first + k];
            chart_fig_add(fig, L->out->mem,
                          (layout_box){.kind = LAYOUT_TEXT,
                                       .font = fr->font,
                                       .size = fr->size,
                                       .x = fr->x,
                                       .y = *base,
                                       .char_space = fr->char_space,
                                       .text = fr->text,
                                       .len = fr->len,
                                       .width = fr->width,
                                       .ascent = v->ascent,
                                       .descent = v->depth - v->ascent});
            left = fmin(left, fr->x);
            right = fmax(right, fr->x + fr->width);
        }
        if (v->nfrags)
            *wide = fmax(*wide, right - left);
        y += v->height;
    }
    L->nlines = l0;
    L->nfrags = f0;
    return y;
}

/* Move boxes [from, fig->n) by dx, dy. */
static void shift(chart_fig *fig, size_t from, double dx, double dy)
{
    for (size_t i = from; i < fig->n; i++) {
        fig->boxes[i].x += dx;
        fig->boxes[i].y += dy;
        if (fig->boxes[i].kind != LAYOUT_TEXT) {
            fig->boxes[i].x2 += dx;
            fig->boxes[i].y2 += dy;
        }
    }
}

/* The mark's lines into fig, in its own frame: top left at (0, 0), y down
 * negative. *w and *h get its outer size. */
static void build_mark(lay *L, const blk_block *b, double width, chart_fig *fig, double *w,
                       double *h)
{
    const blk_esign *es = b->as.esign;
    double em = es->mark->size_pt, pad = PAD_EM * em, y = -pad, inner = 0, base;
    size_t start[BLK_ESIGN_LINES + 1];
    double lw[BLK_ESIGN_LINES];
    for (size_t i = 0; i < BLK_ESIGN_LINES; i++) {
        start[i] = fig->n;
        const blk_style *st = i < BLK_ESIGN_HEAD ? es->head : es->mark;
        if (i == BLK_ESIGN_HEAD)
            y -= HEAD_GAP_EM * em;
        size_t from = fig->n;
        double lh = set_boxes(L, b, st, es->lines[i], es->marks[i], width, fig, &lw[i], &base);
        shift(fig, from, pad, y);
        inner = fmax(inner, lw[i]);
        y -= lh;
    }
    start[BLK_ESIGN_LINES] = fig->n;
    *w = inner + 2 * pad;
    *h = -y + pad;
    /* the heading centred */
    for (size_t i = 0; i < BLK_ESIGN_HEAD; i++)
        for (size_t k = start[i]; k < start[i + 1]; k++)
            fig->boxes[k].x += (inner - lw[i]) / 2;
    chart_fig_add(fig, L->out->mem,
                  (layout_box){.kind = LAYOUT_RECT,
                               .x = FRAME_PT / 2,
                               .y = -*h + FRAME_PT / 2,
                               .x2 = *w - FRAME_PT / 2,
                               .y2 = -FRAME_PT / 2,
                               .stroke = FRAME_PT});
}

/* Where the mark goes between a position wp wide and a name nw wide. */
static double mark_x(double width, double wp, double nw, double mw)
{
    double x = (width - mw) / 2;
    if (x >= wp + GAP_PT && x + mw <= width - nw - GAP_PT)
        return x;
    return wp + GAP_PT + (width - nw - GAP_PT - (wp + GAP_PT) - mw) / 2;
}

void esign_build(lay *L, const blk_block *b, double x0, double width)
{
    const blk_esign *es = b->as.esign;
    chart_fig pos = {0}, mark = {0}, name = {0};
    double mw, mh, wp, nw, pb, nb;
    build_mark(L, b, MARK_SHARE * width, &mark, &mw, &mh);
    blk_style row = *b->style;
    row.align = BLK_LEFT;
    row.indent_pt = 0;
    double hn = set_boxes(L, b, &row, es->name, es->name_mark, width, &name, &nw, &nb);
    double room = fmin(width * es->left_frac, width - mw - nw - 2 * GAP_PT);
    if (L->failed)
        return;
    if (room < ESIGN_MIN_POSITION_PT) {
        diag_error(L->d, b->mark,
                   "в строке подписи не помещаются должность, отметка об электронной подписи "
                   "(%.0f мм) и ФИО «%s» (%.0f мм): уменьшите шрифт отметки (mark_style) или "
                   "строки подписи (style)",
                   mw * 25.4 / 72, es->name, nw * 25.4 / 72);
        L->failed = true;
        return;
    }
    double hp = set_boxes(L, b, &row, b->text, b->mark, room, &pos, &wp, &pb);
    if (L->failed)
        return;
    /* the mark centred on the row; the position centred on the mark, the
     * name on the position's last baseline */
    double h = fmax(mh, fmax(hp, hn));
    double pos_top = (h - hp) / 2;
    chart_fig fig = {0};
    for (size_t i = 0; i < pos.n; i++)
        chart_fig_add(&fig, L->out->mem, pos.boxes[i]);
    shift(&fig, 0, x0, h - pos_top);
    size_t from = fig.n;
    for (size_t i = 0; i < mark.n; i++)
        chart_fig_add(&fig, L->out->mem, mark.boxes[i]);
    shift(&fig, from, x0 + mark_x(width, wp, nw, mw), h - (h - mh) / 2);
    from = fig.n;
    for (size_t i = 0; i < name.n; i++)
        chart_fig_add(&fig, L->out->mem, name.boxes[i]);
    /* set from x 0: the name's right end goes to the right edge */
    shift(&fig, from, x0 + width - nw, h - pos_top + pb - nb);
    fig.width = width;
    fig.height = h;
    chart_fig *keep = arena_alloc(L->out->mem, sizeof *keep);
    *keep = fig;
    vline *v = para_add_line(L);
    v->height = v->depth = h;
    /* the tallest part, for a row taller than the page (layout.c,
     * paginate): a long owner's name in the mark, a long position or name */
    v->mark = h == mh ? es->marks[BLK_ESIGN_OWNER] : h == hp ? b->mark : es->name_mark;
    v->fig = keep;
}

double esign_qr_band(const blk_qr *q)
{
    return (double)(q->size + ESIGN_QR_QUIET) * ESIGN_QR_MODULE_PT;
}

void esign_qr_draw(layout_page *p, const blk_qr *q)
{
    double m = ESIGN_QR_MODULE_PT, quiet = ESIGN_QR_QUIET * m;
    double right = p->width - fmax(p->margin_right, quiet);
    double bottom = fmax(p->margin_bottom, quiet);
    double left = right - (double)q->size * m, top = bottom + (double)q->size * m;
    for (size_t r = 0; r < q->size; r++) {
        const unsigned char *row = q->dark + r * q->size;
        for (size_t c = 0; c < q->size;) {
            if (!row[c]) {
                c++;
                continue;
            }
            size_t e = c;
            while (e < q->size && row[e])
                e++;
            /* stroke 0: filled, black */
            para_add_box(p, (layout_box){.kind = LAYOUT_RECT,
                                         .x = left + (double)c * m,
                                         .y = top - (double)(r + 1) * m,
                                         .x2 = left + (double)e * m,
                                         .y2 = top - (double)r * m});
            c = e;
        }
    }
}
