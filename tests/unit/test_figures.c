/* The typographic figures of every sample, computed from the layout (the
 * boxes and rules the pages hold), against the targets of
 * docs/typesetting.md §3:
 *   - justified lines: at most a quarter end in a hyphen, never more than two
 *     in a row; word spaces (the mean of a line, in normal spaces) at most
 *     1.5 at the 95th percentile and 2.0 at most;
 *   - no paragraph's last line is a piece of a word of 1-4 letters;
 *   - table text keeps off the rules (its glyphs' extent, not its line);
 *   - no blank band at the foot of a page the table continues from taller
 *     than the least a row can leave there (MAX_BAND_LINES).
 * Lines are found as the boxes of one baseline in one table cell (or outside
 * tables); a line is "full" when its last glyph ends at the right edge of
 * its measure (the margin, or the cell less its padding), as a justified
 * line does. Run from the project root (samples/, fonts/, build/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "layout.h"
#include "pdf.h"
#include "template.h"
#include "text.h"
#include "yaml_load.h"

#define FONTS_DIR "fonts"
#define DICTIONARY "build/hyph_ru_RU.hyb"
#define CELL_PAD_X 3.0 /* table.c's PAD_X: the text stands this far inside the cell */
#define FULL_EPS 0.5   /* a full line ends this close to its measure's right edge */
#define MAX_HYPHEN_SHARE 0.25
#define MAX_HYPHEN_RUN 2
#define MAX_SPACE_P95 1.5
#define MAX_SPACE 2.0
#define MIN_RULE_CLEARANCE 0.5 /* points between a glyph's extent and a rule */
/* The blank band at the foot of a page a table continues from, in lines of
 * its text: a row breaks across pages only with two lines of every cell on
 * each side, so a cell of three lines cannot break; a section row keeps with
 * the row under it (two lines of a section title and three of the row), and
 * so does a table's last row with the one before it. More than that and the
 * padding is a defect (docs/typesetting.md §3); before rows broke across
 * pages, school43's roadmap left 11 lines. */
#define MAX_BAND_LINES 5.5
/* Narrower gaps are no word spaces: the letter spacing before a hyphen drawn
 * after a word's piece (word spaces shrink to 2/3 of a space, 2 pt at 9 pt). */
#define MIN_WORD_GAP 1.0

typedef struct figures {
    size_t lines, full, hyphenated, run, longest, fragments;
    double *spaces;
    size_t nspaces, cap;
    double min_clearance, max_band;
    size_t band_page;
} figures;

typedef struct line {
    size_t first, n; /* boxes of the page */
    double y, end, right;
    bool full, hyphen;
} line;

static void add_space(figures *f, double v)
{
    if (f->nspaces == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->spaces = realloc(f->spaces, f->cap * sizeof *f->spaces);
        assert_non_null(f->spaces);
    }
    f->spaces[f->nspaces++] = v;
}

static bool is_text(const layout_box *b)
{
    return b->kind == LAYOUT_TEXT && b->len > 0;
}

static bool in_cell(const layout_box *b)
{
    return b->cell[2] > b->cell[0];
}

static bool same_line(const layout_box *a, const layout_box *b)
{
    return fabs(a->y - b->y) < 0.01 && !memcmp(a->cell, b->cell, sizeof a->cell);
}

static bool ends_hyphen(const layout_box *b)
{
    if (b->len >= 2 && !memcmp(b->text + b->len - 2, "\u00AD", 2))
        return true;
    return b->len > 1 && b->text[b->len - 1] == '-';
}

static size_t count_letters(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k)
            k = 1, cp = '?';
        n += (cp >= 0x410 && cp <= 0x44F) || cp == 0x451 || (cp >= 'a' && cp <= 'z') ||
             (cp >= 'A' && cp <= 'Z');
        i += k;
    }
    return n;
}

/* The visible end of a box: the letter spacing after its last glyph moves none. */
static double box_end(const layout_box *b)
{
    return b->x + b->width - b->char_space;
}

/* One line's word spaces: the mean gap between its words, in spaces of its font. */
static double mean_space(const layout_page *p, const line *l, const layout_fonts *fo)
{
    double sum = 0;
    size_t gaps = 0;
    for (size_t i = l->first; i + 1 < l->first + l->n; i++) {
        const layout_box *a = &p->boxes[i], *b = &p->boxes[i + 1];
        double gap = b->x - box_end(a);
        if (gap < MIN_WORD_GAP)
            continue; /* the hyphen drawn after a word piece */
        double space = fo->advance(fo->ctx, a->font, ' ') * a->size / 1000.0;
        sum += gap / space;
        gaps++;
    }
    return gaps ? sum / (double)gaps : 0;
}

/* Glyph extent of box b against the horizontal rules of page p over it. */
static void check_rules(const layout_page *p, const layout_box *b, const layout_fonts *fo,
                        figures *f)
{
    double top = b->y + fo->ascent(fo->ctx, b->font) * b->size / 1000.0;
    double bottom = b->y + fo->descent(fo->ctx, b->font) * b->size / 1000.0;
    for (size_t i = 0; i < p->n; i++) {
        const layout_box *r = &p->boxes[i];
        if (r->kind != LAYOUT_LINE || fabs(r->y - r->y2) > 0.01)
            continue;
        double x0 = fmin(r->x, r->x2), x1 = fmax(r->x, r->x2);
        if (x1 <= b->x || x0 >= box_end(b))
            continue;
        double clear = r->y >= b->y ? r->y - r->stroke / 2 - top : bottom - (r->y + r->stroke / 2);
        if (clear < f->min_clearance)
            f->min_clearance = clear;
    }
}

/* A gap wider than WIDE_GAP normal gaps of the line: a date and a number
 * pushed apart, a signature's name flush right; not a justified line. */
#define WIDE_GAP 3.0

static bool has_wide_gap(const layout_page *p, const line *l)
{
    double least = INFINITY, most = 0;
    for (size_t i = l->first; i + 1 < l->first + l->n; i++) {
        double gap = p->boxes[i + 1].x - box_end(&p->boxes[i]);
        if (gap < MIN_WORD_GAP)
            continue;
        least = fmin(least, gap);
        most = fmax(most, gap);
    }
    return most > WIDE_GAP * least;
}

static void page_lines(const layout_page *p, double right_margin, line **out, size_t *n)
{
    *n = 0;
    *out = calloc(p->n + 1, sizeof **out);
    assert_non_null(*out);
    for (size_t i = 0; i < p->n;) {
        if (!is_text(&p->boxes[i])) {
            i++;
            continue;
        }
        size_t e = i + 1;
        while (e < p->n && is_text(&p->boxes[e]) && same_line(&p->boxes[i], &p->boxes[e]))
            e++;
        line *l = &(*out)[(*n)++];
        l->first = i;
        l->n = e - i;
        l->y = p->boxes[i].y;
        l->end = box_end(&p->boxes[e - 1]);
        l->right = in_cell(&p->boxes[i]) ? p->boxes[i].cell[2] - CELL_PAD_X : right_margin;
        /* justified text is set outside tables (cells are ragged) */
        l->full = !in_cell(&p->boxes[i]) && l->n >= 3 && fabs(l->end - l->right) < FULL_EPS &&
                  !has_wide_gap(p, l);
        l->hyphen = ends_hyphen(&p->boxes[e - 1]);
        i = e;
    }
}

static void page_figures(const layout_page *p, const blk_page *pg, const layout_fonts *fo,
                         bool last_page, figures *f)
{
    line *ls;
    size_t n;
    double low = INFINITY; /* the lowest rule: the foot of the page's table */
    for (size_t i = 0; i < p->n; i++)
        if (p->boxes[i].kind == LAYOUT_LINE)
            low = fmin(low, fmin(p->boxes[i].y, p->boxes[i].y2));
    page_lines(p, p->width - pg->margin_right_pt, &ls, &n);
    for (size_t k = 0; k < n; k++) {
        const line *l = &ls[k];
        const layout_box *first = &p->boxes[l->first];
        if (first->y > p->height - pg->margin_top_pt)
            continue; /* the page number */
        f->lines++;
        for (size_t i = l->first; i < l->first + l->n; i++)
            check_rules(p, &p->boxes[i], fo, f);
        /* a piece of a word alone on a paragraph's last line */
        const line *prev = k > 0 ? &ls[k - 1] : NULL;
        /* in a cell, only its last line is surely a paragraph's: a narrow
         * column may hold a piece of a word on a line inside a paragraph */
        bool cell_goes_on =
            in_cell(first) && k + 1 < n && ls[k + 1].y < l->y &&
            !memcmp(p->boxes[ls[k + 1].first].cell, first->cell, sizeof first->cell);
        /* nor a cell of the page's last row: the row may go on overleaf */
        cell_goes_on |= in_cell(first) && !last_page && fabs(first->cell[1] - low) < 0.5;
        if (prev && prev->hyphen && !l->full && l->n == 1 && prev->y > l->y && !cell_goes_on &&
            !memcmp(p->boxes[prev->first].cell, first->cell, sizeof first->cell) &&
            count_letters(first->text, first->len) <= 4) {
            print_message("  last line a fragment: «%.*s»\n", (int)first->len, first->text);
            f->fragments++;
        }
        if (!l->full) {
            f->run = 0;
            continue;
        }
        f->full++;
        f->hyphenated += l->hyphen;
        f->run = l->hyphen ? f->run + 1 : 0;
        if (f->run > f->longest)
            f->longest = f->run;
        add_space(f, mean_space(p, l, fo));
    }
    free(ls);
}

static bool is_hrule(const layout_box *r)
{
    return r->kind == LAYOUT_LINE && fabs(r->y - r->y2) < 0.01;
}

static bool goes_on_with_group(const layout_page *p)
{
    double x0 = INFINITY, x1 = -INFINITY, top = -INFINITY;
    for (size_t k = 0; k < p->n; k++)
        if (is_hrule(&p->boxes[k]))
            x0 = fmin(x0, fmin(p->boxes[k].x, p->boxes[k].x2)),
            x1 = fmax(x1, fmax(p->boxes[k].x, p->boxes[k].x2));
    for (size_t k = 0; k < p->n; k++) {
        const layout_box *r = &p->boxes[k];
        if (is_hrule(r) && fabs(fmin(r->x, r->x2) - x0) < 0.5 && fabs(fmax(r->x, r->x2) - x1) < 0.5)
            top = fmax(top, r->y);
    }
    for (size_t k = 0; k < p->n; k++) {
        const layout_box *r = &p->boxes[k];
        bool full = fabs(fmin(r->x, r->x2) - x0) < 0.5 && fabs(fmax(r->x, r->x2) - x1) < 0.5;
        if (is_hrule(r) && !full && r->y < top - 0.5)
            return true;
    }
    return false;
}

/* The blank band at the foot of page i when a table continues on page i+1:
 * from the lowest rule to the bottom margin. */
static void page_band(const layout_doc *doc, size_t i, const blk_page *pg, figures *f)
{
    if (i + 1 >= doc->npages)
        return;
    const layout_page *p = &doc->pages[i], *next = &doc->pages[i + 1];
    const layout_box *last_text = NULL, *next_text = NULL;
    double low = INFINITY;
    for (size_t k = 0; k < p->n; k++) {
        if (is_text(&p->boxes[k]))
            last_text = &p->boxes[k];
        if (p->boxes[k].kind == LAYOUT_LINE)
            low = fmin(low, fmin(p->boxes[k].y, p->boxes[k].y2));
    }
    for (size_t k = 0; k < next->n && !next_text; k++)
        if (is_text(&next->boxes[k]) && next->boxes[k].y < next->height - pg->margin_top_pt)
            next_text = &next->boxes[k];
    if (!last_text || !next_text || !in_cell(last_text) || !in_cell(next_text) || isinf(low))
        return;
    /* a page that goes on with merged group cells is not measured: a group
     * breaks only where its labels keep two lines on each side (table.c,
     * group_may_break), and its rows do not break. Body rows have top rules
     * across the table, but for rows that continue a group; the header's
     * cells have rules of their own, above the first full-width rule. */
    if (goes_on_with_group(next))
        return;
    /* in lines of the table's text */
    double band = (low - pg->margin_bottom_pt) / (last_text->size * 1.15);
    if (band > f->max_band)
        f->max_band = band, f->band_page = i + 1;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Lay out the document at path as `nastavdoc render` does (no PDF written). */
static void sample_figures(const char *path, pdf_doc *pdf, const text_hyph *h, figures *f)
{
    diag *d = diag_new();
    yl_doc *doc = yl_load_file(path, d);
    assert_non_null(doc);
    arena *mem = arena_new();
    kind_result kr = {0};
    assert_true(kinds_check(yl_doc_root(doc), mem, d, &kr));
    const yl_node *own = yl_map_get(yl_doc_root(doc), "template");
    char *tpath = tpl_locate(own && yl_str(own) ? yl_str(own) : kr.template, DIAG_NOWHERE,
                             yl_doc_dossier(doc), ".", d);
    assert_non_null(tpath);
    tpl_doc *t = tpl_expand_file(tpath, kr.data, d);
    assert_non_null(t);
    layout_fonts fo = pdf_fonts(pdf);
    layout_doc *l = layout_run(&t->doc, &fo, h, d);
    assert_non_null(l);
    *f = (figures){.min_clearance = INFINITY};
    for (size_t i = 0; i < l->npages; i++) {
        page_figures(&l->pages[i], &t->doc.page, &fo, i + 1 == l->npages, f);
        page_band(l, i, &t->doc.page, f);
    }
    layout_doc_free(l);
    tpl_doc_free(t);
    free(tpath);
    arena_free(mem);
    yl_doc_free(doc);
    diag_free(d);
}

static void test_every_sample(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("samples/*/*.yaml", 0, NULL, &g), 0);
    diag *d = diag_new();
    pdf_doc *pdf = pdf_new(FONTS_DIR, d);
    assert_non_null(pdf);
    text_hyph *h = text_hyph_load(DICTIONARY);
    assert_non_null(h);
    size_t failures = 0, documents = 0;
    print_message("%-36s %5s %6s %4s %6s %6s %6s %6s %6s\n", "sample", "full", "hyph", "run",
                  "median", "p95", "max", "clear", "band");
    for (size_t i = 0; i < g.gl_pathc; i++) {
        diag *probe = diag_new();
        yl_doc *doc = yl_load_file(g.gl_pathv[i], probe);
        bool is_doc = doc && yl_map_get(yl_doc_root(doc), "document");
        yl_doc_free(doc);
        diag_free(probe);
        if (!is_doc)
            continue; /* school.yaml and other shared data */
        documents++;
        figures f;
        sample_figures(g.gl_pathv[i], pdf, h, &f);
        if (f.nspaces) /* qsort of NULL is undefined, even for 0 items */
            qsort(f.spaces, f.nspaces, sizeof *f.spaces, by_value);
        double share = f.full ? (double)f.hyphenated / (double)f.full : 0;
        double median = f.nspaces ? f.spaces[f.nspaces / 2] : 0;
        double p95 = f.nspaces ? f.spaces[(size_t)(0.95 * (double)(f.nspaces - 1))] : 0;
        double max = f.nspaces ? f.spaces[f.nspaces - 1] : 0;
        print_message("%-36s %5zu %6.3f %4zu %6.2f %6.2f %6.2f %6.2f %6.2f (p. %zu)\n",
                      g.gl_pathv[i], f.full, share, f.longest, median, p95, max, f.min_clearance,
                      f.max_band, f.band_page);
        bool ok = share <= MAX_HYPHEN_SHARE && f.longest <= MAX_HYPHEN_RUN &&
                  p95 <= MAX_SPACE_P95 && max <= MAX_SPACE && f.fragments == 0 &&
                  f.min_clearance >= MIN_RULE_CLEARANCE && f.max_band <= MAX_BAND_LINES;
        if (!ok) {
            print_error("%s misses a target of docs/typesetting.md §3\n", g.gl_pathv[i]);
            failures++;
        }
        free(f.spaces);
    }
    assert_true(documents >= 8);
    assert_int_equal(failures, 0);
    text_hyph_free(h);
    pdf_free(pdf);
    diag_free(d);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
