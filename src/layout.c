/* layout: block tree -> pages of positioned boxes: the page flow.
 *
 * Two passes. First every block becomes lines ("vlines"): paragraphs and list
 * items through the paragraph setter (para.c), tables through their element
 * interface (table.h). Each line records whether a page may break before it.
 * Then the lines are poured into pages: when a line does not fit, the page
 * breaks at the last line before it where a break is allowed. Widows,
 * orphans, headings kept with their text and a signature kept with three
 * lines of text (docs/typesetting.md §1.5) are all the same rule: "no break
 * before this line". */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

#include "chart.h"
#include "esign.h"
#include "para.h"
#include "table.h"

#define EPS 0.01
/* "Single spacing" in Word for Times New Roman is about 1.15 em. */
#define SINGLE_SPACING 1.15
#define MAX_BREAKS 64
/* The height of a BLK_FILL line until paginate knows what it must push down. */
#define FILL_HEIGHT (-1.0)

/* ---- table of contents ------------------------------------------------ */

/* The number frag of each block's entry in a table of contents (by block
 * index; SIZE_MAX: none), filled in once the pages are known. */
typedef struct toc_state {
    bool any;    /* the document has a BLK_TOC */
    size_t *num; /* per block */
} toc_state;

/* Entries of a table of contents: the text of each block with a toc_level,
 * indented by level, then dotted leaders up to a column as wide as four
 * digits, and the page number flush right. The page is not known yet: the
 * number is set as "0" and replaced by toc_set_numbers once the flow has
 * been paginated, which an entry's lines do not depend on. */
static void layout_toc(lay *L, const blk_block *b, double x0, double width, toc_state *toc)
{
    const blk_style *st = b->style;
    int font = para_find_font(L, st->family, st->font_style);
    if (font < 0) {
        para_set_text(L, b, "", x0, width, 0, NULL, 0); /* reports the family */
        return;
    }
    double size = st->size_pt;
    double numw = para_measure(L, font, size, 0, "0000", 4);
    double gap = 2 * para_measure(L, font, size, 0, " ", 1);
    double dot = para_measure(L, font, size, 0, ".", 1);
    double pitch = 2 * dot; /* leaders: a dot every two dot widths, aligned down the page */
    double step = st->indent_pt > 0 ? st->indent_pt : 10 * 72 / 25.4;
    for (size_t i = 0; i < L->t->n; i++) {
        const blk_block *h = &L->t->blocks[i];
        if (!h->toc_level || !h->text)
            continue;
        double indent = fmin(step * (h->toc_level - 1), width / 2);
        blk_block e = *b;
        e.kind = BLK_PARA;
        e.text = h->toc_text ? h->toc_text : h->text;
        size_t first = L->nlines;
        para_set_text(L, &e, e.text, x0 + indent, width - indent - numw - gap, 0, "0", 0);
        if (L->nlines == first)
            continue;
        vline *v = &L->lines[L->nlines - 1];
        if (v->nfrags == 0)
            continue;
        const frag *tail = &L->frags[v->first + v->nfrags - 1];
        const frag *prev = v->nfrags >= 2 ? tail - 1 : NULL;
        double from = (prev ? prev->x + prev->width : x0 + indent) + gap / 2;
        double to = L->width - numw - gap / 2;
        double start = ceil(from / pitch) * pitch;
        size_t ndots = start + dot <= to ? (size_t)floor((to - start - dot) / pitch) + 1 : 0;
        if (ndots) {
            char *dots = arena_alloc(L->out->mem, ndots + 1);
            memset(dots, '.', ndots);
            dots[ndots] = '\0';
            /* the leader goes before the number: text extraction reads
             * "title ..... 7" in that order */
            frag number = *tail;
            L->frags[L->nfrags - 1] =
                (frag){font, size, start, ndots * pitch, pitch - dot, dots, ndots};
            para_add_frag(L, v, number);
        }
        toc->num[i] = L->nfrags - 1;
        para_protect_lines(L, first, L->nlines - first);
    }
}

/* The page of each listed block's first line (pages starting at starts[0..np)),
 * written into its entry's number frag, flush right. */
static void toc_set_numbers(lay *L, const toc_state *toc, const size_t *first_line,
                            const size_t *starts, size_t np)
{
    for (size_t i = 0; i < L->t->n; i++) {
        if (toc->num[i] == SIZE_MAX || first_line[i] == SIZE_MAX || np == 0)
            continue;
        size_t lo = 0, hi = np; /* the last page starting at or before the line */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (starts[mid] <= first_line[i])
                lo = mid;
            else
                hi = mid;
        }
        frag *fr = &L->frags[toc->num[i]];
        const char *s = arena_printf(L->out->mem, "%zu", lo + 1);
        fr->text = s;
        fr->len = strlen(s);
        fr->width = para_measure(L, fr->font, fr->size, fr->char_space, s, fr->len);
        fr->x = L->width - fr->width;
    }
}

/* ---- storage ---------------------------------------------------------- */

/* A right part (tail) this much narrower than the line still fits after
 * typography, which may widen it a little (a hyphen becomes a dash). */
#define ROW_TAIL_SHARE 0.8

/* A row: the left text wraps in its share of the width, the right text
 * stands flush right on its last line (para_set_text's tail). A right text
 * wider than the line itself («№ 443-од/2023 (по основной деятельности …)»)
 * cannot stand on one line: it becomes a paragraph of its own, set flush
 * right under the left text. */
static void layout_row(lay *L, const blk_block *b, double x0, double width)
{
    const blk_style *st = b->style;
    const char *right = b->as.row.right;
    int font = para_find_font(L, st->family, st->font_style);
    double tw = font >= 0 && right ? para_measure(L, font, st->size_pt, st->letter_spacing_pt,
                                                  right, strlen(right))
                                   : 0;
    if (tw <= ROW_TAIL_SHARE * L->width) {
        para_set_text(L, b, b->text, x0, width * b->as.row.left_frac, 0, right, 0);
        return;
    }
    para_set_text(L, b, b->text, x0, width * b->as.row.left_frac, 0, NULL, 0);
    blk_style flush = *st;
    flush.align = BLK_RIGHT;
    blk_block part = *b;
    part.kind = BLK_PARA;
    part.style = &flush;
    para_set_text(L, &part, right, x0, width, 0, NULL, 0);
}

static void layout_block(lay *L, const blk_block *b, bool *keep_next, toc_state *toc)
{
    const blk_style *st = b->style;
    size_t first = L->nlines;
    double x0 = st->margin_left_pt;
    double width = L->width - st->margin_left_pt - st->margin_right_pt;
    if (st->max_width_pt > 0 && st->max_width_pt < width) {
        if (st->align == BLK_CENTER)
            x0 += (width - st->max_width_pt) / 2;
        else if (st->align == BLK_RIGHT)
            x0 += width - st->max_width_pt;
        width = st->max_width_pt;
    }
    if (width < 10) {
        diag_error(L->d, b->mark,
                   "для текста не осталось места: проверьте поля и отступы стиля «%s»", st->name);
        L->failed = true;
        return;
    }
    switch (b->kind) {
    case BLK_PARA:
        para_set_text(L, b, b->text, x0, width, st->indent_pt, NULL, 0);
        break;
    case BLK_ITEM:
        para_item_text(L, b, x0, width);
        break;
    case BLK_ROW:
        layout_row(L, b, x0, width);
        break;
    case BLK_SPACER: {
        vline *v = para_add_line(L);
        v->height = b->as.spacer_pt;
        break;
    }
    case BLK_PAGE_BREAK: {
        vline *v = para_add_line(L);
        v->force_before = true;
        v->height = 0;
        break;
    }
    case BLK_TABLE:
        table_build(L, b);
        break;
    case BLK_TOC:
        layout_toc(L, b, x0, width, toc);
        break;
    case BLK_FILL: {
        vline *v = para_add_line(L);
        v->height = FILL_HEIGHT; /* resolved by paginate */
        break;
    }
    case BLK_CHART:
    case BLK_QUESTION:
        chart_build(L, b, x0, width);
        break;
    case BLK_ESIGN:
        esign_build(L, b, x0, width);
        break;
    case BLK_QR:
        break; /* drawn on the first page by paginate (esign.h) */
    }
    size_t n = L->nlines - first;
    if (n == 0)
        return;
    L->lines[first].space_before += st->space_before_pt + L->space_after_table;
    /* a table's last row has no leading below it: the next block keeps off */
    L->space_after_table = b->kind == BLK_TABLE ? fmax(st->space_after_pt, 6) : 0;
    if (b->kind != BLK_SPACER && b->kind != BLK_PAGE_BREAK && b->kind != BLK_FILL)
        L->lines[L->nlines - 1].height += st->space_after_pt;
    if (b->kind != BLK_TABLE)
        para_protect_lines(L, first, n);
    for (size_t i = first + 1; i < L->nlines && b->kind == BLK_ROW; i++)
        L->lines[i].ok_before = false;
    if (*keep_next)
        L->lines[first].ok_before = false;
    if (b->keep_prev_lines) {
        /* carry this many lines of text before it along to a new page */
        L->lines[first].ok_before = false;
        size_t back = b->keep_prev_lines - 1;
        for (size_t i = first; i > 0 && back > 0; i--) {
            if (L->lines[i - 1].nfrags == 0)
                continue; /* spacers do not count as text */
            L->lines[i - 1].ok_before = false;
            back--;
        }
    }
    /* a spacer between a heading and its text keeps the chain */
    if (b->kind != BLK_SPACER && b->kind != BLK_FILL)
        *keep_next = st->keep_with_next;
}

/* ---- pages ------------------------------------------------------------ */

static layout_page *layout_new_page(lay *L)
{
    layout_doc *o = L->out;
    if (o->npages == o->pages_cap) {
        o->pages_cap = o->pages_cap ? o->pages_cap * 2 : 16;
        o->pages = xrealloc(o->pages, o->pages_cap * sizeof *o->pages);
    }
    layout_page *p = &o->pages[o->npages++];
    memset(p, 0, sizeof *p);
    const blk_page *pg = &L->t->page;
    p->width = pg->width_pt;
    p->height = pg->height_pt;
    p->margin_top = pg->margin_top_pt;
    p->margin_right = pg->margin_right_pt;
    p->margin_bottom = pg->margin_bottom_pt;
    p->margin_left = pg->margin_left_pt;
    return p;
}

static double fit_height(const vline *v)
{
    if (v->table) {
        double top, bottom;
        table_pad(v, &top, &bottom);
        return v->height + bottom;
    }
    return v->nfrags || v->fig ? v->depth : 0;
}

/* A page that starts inside a table repeats the table's header (and pads
 * a row continued from the page before). */
static double repeated_header(const lay *L, size_t i)
{
    const vline *v = &L->lines[i];
    if (!v->table || v->row == SIZE_MAX)
        return 0;
    double top, bottom;
    table_pad(v, &top, &bottom);
    return table_header_height(v->table) + top;
}

static void draw_page(lay *L, size_t start, size_t end, double top, const blk_qr *qr)
{
    layout_page *p = layout_new_page(L);
    double *tops = xmalloc((end - start + 1) * sizeof *tops);
    double head = repeated_header(L, start);
    double y = top - head;
    for (size_t k = start; k < end; k++) {
        const vline *v = &L->lines[k];
        if (k > start)
            y -= v->space_before;
        tops[k - start] = y;
        y -= v->height;
    }
    /* in reading order: text lines, and each table's run of rows with its
     * borders and spanning cells */
    for (size_t k = start; k < end;) {
        if (L->lines[k].fig) {
            chart_draw(L, p, &L->lines[k], tops[k - start]);
            k++;
            continue;
        }
        if (!L->lines[k].table) {
            para_draw_line(L, p, &L->lines[k], 0, tops[k - start], NULL);
            k++;
            continue;
        }
        size_t e = k;
        while (e < end && L->lines[e].table == L->lines[k].table)
            e++;
        table_draw(L, p, k, e, tops + (k - start), k == start ? top : tops[k - start]);
        k = e;
    }
    if (qr)
        esign_qr_draw(p, qr);
    free(tops);
}

/* What each line adds below a fill line of its page: the sums of the lines'
 * spaces and heights before each line (sum[k]: lines 0 .. k-1), and where
 * each line's page must break (brk[i]: the first line after i with
 * force_before, or the end). Made at the first fill line: walking the
 * lines after each fill line made 16,000 of them quadratic. */
typedef struct fill_sums {
    double *sum;
    size_t *brk;
} fill_sums;

static void fill_sums_make(const lay *L, fill_sums *fs)
{
    fs->sum = xmalloc((L->nlines + 1) * sizeof *fs->sum);
    fs->brk = xmalloc((L->nlines + 1) * sizeof *fs->brk);
    fs->sum[0] = 0;
    for (size_t j = 0; j < L->nlines; j++) {
        const vline *v = &L->lines[j];
        fs->sum[j + 1] = fs->sum[j] + v->space_before + (v->height > 0 ? v->height : 0);
    }
    size_t e = L->nlines;
    for (size_t j = L->nlines; j-- > 0;) {
        fs->brk[j] = e;
        if (L->lines[j].force_before)
            e = j;
    }
}

/* The height of the fill line i whose top is at y: what is left of the page
 * below it after the lines up to the next page break (or the end). The
 * lines after i are as they were when fs was made: pagination changes
 * only the fill lines it has passed. */
static double fill_height(lay *L, fill_sums *fs, size_t i, double y, double bottom)
{
    if (!fs->sum)
        fill_sums_make(L, fs);
    double rest = fs->sum[fs->brk[i]] - fs->sum[i + 1];
    return fmax(0, y - bottom - rest);
}

/* Line v does not fit on an empty page (room: the height there is for it):
 * a figure, a signature row or a line of huge type taller than the page's
 * text area (margins_mm, landscape). Reported once, at the value it comes
 * from; the layout fails (it would be drawn across the bottom margin). */
static void too_tall(lay *L, const vline *v, double room, bool qr_page)
{
    if (L->failed)
        return;
    diag_error(
        L->d, v->mark,
        "не помещается на страницу по высоте: нужно %.0f мм, а на странице для текста "
        "%.0f мм%s; сократите текст или уменьшите шрифт, высоту рисунка (height_mm) или поля "
        "страницы (margins_mm в шаблоне)",
        fit_height(v) * 25.4 / 72, fmax(0, room) * 25.4 / 72,
        qr_page ? " (внизу первой страницы — QR-код)" : "");
    L->failed = true;
}

/* Pour lines into pages. When line i does not fit, break before the latest
 * line j <= i on this page with ok_before (not the page's first line); with
 * none, break before i anyway (a chain longer than a page). A QR code (qr,
 * or NULL) takes its band from the foot of the first page. */
static size_t paginate(lay *L, size_t *starts, const blk_qr *qr)
{
    size_t npages = 0;
    const blk_page *pg = &L->t->page;
    double top = pg->height_pt - pg->margin_top_pt;
    size_t start = 0;
    fill_sums fs = {NULL, NULL};
    while (start < L->nlines) {
        const blk_qr *page_qr = npages == 0 ? qr : NULL;
        double bottom = pg->margin_bottom_pt + (page_qr ? esign_qr_band(page_qr) : 0);
        double y = top - repeated_header(L, start);
        size_t i = start, end = L->nlines;
        for (; i < L->nlines; i++) {
            const vline *v = &L->lines[i];
            if (v->force_before && i > start) {
                end = i;
                break;
            }
            double sb = i == start ? 0 : v->space_before;
            if (v->height == FILL_HEIGHT)
                L->lines[i].height = fill_height(L, &fs, i, y - sb, bottom);
            if (i == start && y - fit_height(v) < bottom - EPS)
                too_tall(L, v, y - bottom, page_qr != NULL);
            if (y - sb - fit_height(v) < bottom - EPS && i > start) {
                size_t j = i;
                while (j > start && !L->lines[j].ok_before)
                    j--;
                end = j > start ? j : i;
                break;
            }
            y -= sb + v->height;
        }
        if (starts)
            starts[npages] = start; /* measuring only: the pages are not drawn */
        else
            draw_page(L, start, end, top, page_qr);
        npages++;
        start = end;
        /* spacers and page breaks do not start a page */
        while (start < L->nlines && L->lines[start].nfrags == 0 && !L->lines[start].table &&
               !L->lines[start].fig && !L->lines[start].force_before && start > 0)
            start++;
        if (!starts && start < L->nlines && L->lines[start].force_before)
            L->lines[start].force_before = false;
    }
    free(fs.sum);
    free(fs.brk);
    return npages;
}

/* GOST R 7.0.97-2016 §5.1: pages are numbered from the second, the number
 * centred in the top margin, 10 mm from the top edge. */
static void number_pages(lay *L, size_t first_page)
{
    const blk_page *pg = &L->t->page;
    if (!pg->numbers_from)
        return;
    const blk_style *st = pg->number_style;
    int font = para_find_font(L, st->family, st->font_style);
    if (font < 0)
        return;
    double size = st->size_pt;
    double asc = L->f->ascent(L->f->ctx, font) * size / 1000.0;
    for (size_t i = first_page + pg->numbers_from - 1; i < L->out->npages; i++) {
        layout_page *p = &L->out->pages[i];
        const char *s = arena_printf(L->out->mem, "%zu", i - first_page + 1);
        double w = para_measure(L, font, size, 0, s, strlen(s));
        double area_left = pg->margin_left_pt;
        double area_w = p->width - pg->margin_left_pt - pg->margin_right_pt;
        /* first in the page's stream: text extraction reads it before the body */
        para_add_box(p, (layout_box){0});
        memmove(p->boxes + 1, p->boxes, (p->n - 1) * sizeof *p->boxes);
        p->boxes[0] = (layout_box){.kind = LAYOUT_TEXT,
                                   .font = font,
                                   .size = size,
                                   .x = area_left + (area_w - w) / 2,
                                   .y = p->height - pg->numbers_top_pt - asc,
                                   .text = s,
                                   .len = strlen(s),
                                   .width = w,
                                   .ascent = asc,
                                   .descent = -L->f->descent(L->f->ctx, font) * size / 1000.0};
    }
}

static const char *copy_or_null(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* A table of contents needs the pages of the headings after it: the flow is
 * paginated once without drawing to find them (the contents' lines do not
 * depend on the numbers: layout_toc), the numbers are filled in, and the
 * flow is paginated again and drawn. */
static void paginate_with_toc(lay *L, toc_state *toc, const size_t *first_line, const blk_qr *qr)
{
    size_t *starts = xmalloc((L->nlines + 1) * sizeof *starts);
    size_t np = paginate(L, starts, qr);
    toc_set_numbers(L, toc, first_line, starts, np);
    free(starts);
    if (!L->failed)
        paginate(L, NULL, qr);
}

/* The QR code of t (its one BLK_QR), or NULL; a second one is an error. */
static const blk_qr *find_qr(lay *L)
{
    const blk_qr *qr = NULL;
    for (size_t i = 0; i < L->t->n; i++) {
        const blk_block *b = &L->t->blocks[i];
        if (b->kind != BLK_QR)
            continue;
        if (qr) {
            diag_error(L->d, b->mark, "второй QR-код в документе: у документа он один");
            L->failed = true;
        }
        qr = b->as.qr;
    }
    return qr;
}

layout_doc *layout_run(const blk_doc *t, const layout_fonts *f, const text_hyph *h, diag *d)
{
    layout_doc *out = xcalloc(1, sizeof *out);
    out->mem = arena_new();
    out->info = t->info;
    out->info.title = copy_or_null(out->mem, t->info.title);
    out->info.author = copy_or_null(out->mem, t->info.author);
    out->info.subject = copy_or_null(out->mem, t->info.subject);
    out->info.keywords = copy_or_null(out->mem, t->info.keywords);
    if (!layout_append(out, t, f, h, d)) {
        layout_doc_free(out);
        return NULL;
    }
    return out;
}

bool layout_append(layout_doc *out, const blk_doc *t, const layout_fonts *f, const text_hyph *h,
                   diag *d)
{
    size_t first_page = out->npages;
    lay L = {.t = t, .f = f, .h = h, .d = d, .out = out, .glyphs = para_glyphs_new()};
    L.width = t->page.width_pt - t->page.margin_left_pt - t->page.margin_right_pt;
    toc_state toc = {0};
    for (size_t i = 0; i < t->n && !toc.any; i++)
        toc.any = t->blocks[i].kind == BLK_TOC;
    size_t *first_line = NULL;
    if (toc.any) {
        toc.num = xmalloc((t->n + 1) * sizeof *toc.num);
        first_line = xmalloc((t->n + 1) * sizeof *first_line);
        for (size_t i = 0; i < t->n; i++)
            toc.num[i] = SIZE_MAX;
    }
    const blk_qr *qr = find_qr(&L);
    bool keep_next = false;
    for (size_t i = 0; i < t->n; i++) {
        size_t before = L.nlines;
        layout_block(&L, &t->blocks[i], &keep_next, &toc);
        if (first_line)
            first_line[i] = L.nlines > before ? before : SIZE_MAX;
    }
    /* a document's contents count its own pages, as its page numbers do */
    if (!L.failed && toc.any)
        paginate_with_toc(&L, &toc, first_line, qr);
    else if (!L.failed)
        paginate(&L, NULL, qr);
    free(first_line);
    free(toc.num);
    if (!L.failed && out->npages == first_page)
        layout_new_page(&L);
    if (!L.failed)
        number_pages(&L, first_page);
    table_free_all(&L);
    free(L.lines);
    free(L.frags);
    free(L.items);
    free(L.item_from);
    free(L.item_to);
    para_glyphs_free(L.glyphs);
    if (L.failed) {
        /* the pages made before the failure go; the earlier parts stay */
        for (size_t i = first_page; i < out->npages; i++)
            free(out->pages[i].boxes);
        out->npages = first_page;
        return false;
    }
    return true;
}

void layout_doc_free(layout_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->npages; i++)
        free(doc->pages[i].boxes);
    free(doc->pages);
    arena_free(doc->mem);
    free(doc);
}

static bool same_mark(src_mark a, src_mark b)
{
    return a.line == b.line && a.col == b.col &&
           (a.file == b.file || (a.file && b.file && !strcmp(a.file, b.file)));
}

static bool box_outside(const layout_page *p, const layout_box *b, bool *margins)
{
    double right = b->x + b->width - b->char_space;
    bool in_number_band = b->y > p->height - p->margin_top;
    double top_limit = in_number_band ? p->height : p->height - p->margin_top;
    *margins = b->x < p->margin_left - EPS || right > p->width - p->margin_right + EPS ||
               b->y - b->descent < p->margin_bottom - EPS || b->y + b->ascent > top_limit + EPS;
    bool in_cell = b->cell[2] > b->cell[0];
    bool out_of_cell =
        in_cell && (b->x < b->cell[0] - EPS || right > b->cell[2] + EPS ||
                    b->y - b->descent < b->cell[1] - EPS || b->y + b->ascent > b->cell[3] + EPS);
    return *margins || out_of_cell;
}

size_t layout_check(const layout_doc *doc, diag *d)
{
    size_t bad = 0;
    bool reported = false;
    src_mark last = DIAG_NOWHERE;
    for (size_t i = 0; i < doc->npages; i++) {
        const layout_page *p = &doc->pages[i];
        for (size_t k = 0; k < p->n; k++) {
            const layout_box *b = &p->boxes[k];
            bool margins;
            if (b->kind != LAYOUT_TEXT || !box_outside(p, b, &margins))
                continue;
            bad++;
            /* one message per block, however many glyphs and pages */
            if (reported && same_mark(last, b->mark))
                continue;
            double right = b->x + b->width - b->char_space;
            diag_error(d, b->mark,
                       "внутренняя ошибка вёрстки: стр. %zu: текст «%.*s» выходит за %s "
                       "(x %.1f–%.1f, y %.1f)",
                       i + 1, (int)b->len, b->text, margins ? "поля" : "ячейку", b->x, right, b->y);
            reported = true;
            last = b->mark;
        }
    }
    return bad;
}
