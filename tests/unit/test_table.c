/* Unit tests of tables with fake fonts (every character 0.5 em wide): rows
 * that break across pages (two lines of each cut cell on each side, no
 * tall blank band at a page's foot), several group columns merging over the
 * same rows, and the row of column numbers repeated with the header. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_fonts.h"
#include "layout.h"

#define MM (72.0 / 25.4)
#define SIZE 10.0
#define LINE (SIZE * 1.15) /* a cell line: single spacing */

static blk_style cell_st = {
    .name = "cell", .family = "Fake", .size_pt = SIZE, .leading = 1.0, .align = BLK_LEFT};
static blk_style head_st = {.name = "head",
                            .family = "Fake",
                            .size_pt = SIZE,
                            .leading = 1.0,
                            .align = BLK_CENTER,
                            .font_style = BLK_BOLD};

enum { MAX_COLS = 4, MAX_ROWS = 64 };

/* A table of `ncols` columns and `nrows` rows; text(r, c) fills the cells. */
typedef struct fixture {
    blk_column cols[MAX_COLS];
    blk_row rows[MAX_ROWS];
    blk_cell cells[MAX_ROWS * MAX_COLS];
    blk_par pars[MAX_ROWS * MAX_COLS];
    char *texts[MAX_ROWS * MAX_COLS];
    blk_table table;
    blk_block block;
    blk_doc doc;
} fixture;

static void make(fixture *f, size_t ncols, size_t nrows, char *(*text)(size_t r, size_t c))
{
    memset(f, 0, sizeof *f);
    static const char *const titles[] = {"№", "Этап", "Мероприятие", "Результат"};
    for (size_t c = 0; c < ncols; c++)
        f->cols[c] = (blk_column){.key = titles[c], .title = titles[c], .share = 1};
    for (size_t r = 0; r < nrows; r++) {
        f->rows[r].cells = &f->cells[r * ncols];
        for (size_t c = 0; c < ncols; c++) {
            size_t k = r * ncols + c;
            f->texts[k] = text(r, c);
            f->pars[k] = (blk_par){f->texts[k], NULL, 0, DIAG_NOWHERE};
            f->cells[k] = (blk_cell){&f->pars[k], 1};
        }
    }
    f->table = (blk_table){.cols = f->cols,
                           .ncols = ncols,
                           .rows = f->rows,
                           .nrows = nrows,
                           .cell = &cell_st,
                           .head = &head_st,
                           .section = &head_st,
                           .borders = true,
                           .header = true};
    f->block = (blk_block){.kind = BLK_TABLE, .style = &cell_st, .as.table = &f->table};
    f->doc = (blk_doc){.page = {.width_pt = 297 * MM,
                                .height_pt = 210 * MM,
                                .margin_top_pt = 20 * MM,
                                .margin_right_pt = 10 * MM,
                                .margin_bottom_pt = 20 * MM,
                                .margin_left_pt = 20 * MM,
                                .number_style = &cell_st},
                       .blocks = &f->block,
                       .n = 1};
}

static void unmake(fixture *f)
{
    for (size_t k = 0; k < MAX_ROWS * MAX_COLS; k++)
        free(f->texts[k]);
}

static char *dup(const char *s)
{
    char *p = malloc(strlen(s) + 1);
    assert_non_null(p);
    return strcpy(p, s);
}

/* n words "слово" in a column a quarter of 267 mm wide: 66 mm, 37 characters
 * of 5 pt, six words a line. */
static char *words(size_t n)
{
    char *s = calloc(n, sizeof "слово ");
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        strcat(s, i ? " слово" : "слово");
    return s;
}

static size_t count_text(const layout_page *p, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->boxes[i].kind == LAYOUT_TEXT && !strcmp(p->boxes[i].text, text))
            n++;
    return n;
}

/* ---- rows across pages --------------------------------------------------- */

/* Rows of 20 lines in the third column: five fit a page only when a row may
 * break across pages. */
static char *tall_text(size_t r, size_t c)
{
    char num[16];
    snprintf(num, sizeof num, "%zu.", r + 1);
    return c == 0 ? dup(num) : c == 2 ? words(120) : words(c == 1 ? 12 : 3);
}

/* Lines of the cells on a page: boxes in cell x-ranges, counted per cell. */
static void test_rows_break_across_pages(void **state)
{
    (void)state;
    fixture *f = calloc(1, sizeof *f);
    make(f, 4, 12, tall_text);
    diag *d = diag_new();
    layout_doc *doc = layout_run(&f->doc, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(layout_check(doc, d), 0);
    /* every page but the last is filled to within a row's least piece: two
     * lines and the padding (the foot of the page under the lowest rule) */
    double bottom = f->doc.page.margin_bottom_pt;
    size_t cut = 0;
    for (size_t pg = 0; pg + 1 < doc->npages; pg++) {
        const layout_page *p = &doc->pages[pg];
        double low = INFINITY;
        for (size_t i = 0; i < p->n; i++)
            if (p->boxes[i].kind == LAYOUT_LINE)
                low = fmin(low, fmin(p->boxes[i].y, p->boxes[i].y2));
        assert_true(low - bottom <= 2 * LINE + 2 * 2.5 + 0.01);
        /* the row at the foot is cut: its third cell goes on on the next page,
         * with at least two of its lines here and there */
        const layout_page *next = &doc->pages[pg + 1];
        size_t here = 0, there = 0;
        double x2 = 0;
        for (size_t i = 0; i < p->n; i++)
            if (p->boxes[i].kind == LAYOUT_TEXT && p->boxes[i].y - 2 < low + 3 * LINE &&
                p->boxes[i].cell[2] > p->boxes[i].cell[0] && strstr(p->boxes[i].text, "слово"))
                x2 = p->boxes[i].cell[2];
        for (size_t i = 0; i < p->n; i++)
            here += p->boxes[i].kind == LAYOUT_TEXT && p->boxes[i].cell[2] == x2 &&
                    p->boxes[i].y < low + 2 * LINE + 3;
        for (size_t i = 0; i < next->n; i++)
            there += next->boxes[i].kind == LAYOUT_TEXT && next->boxes[i].cell[2] == x2;
        if (here && there) {
            cut++;
            assert_true(here >= 2);
            assert_true(there >= 2);
        }
    }
    assert_true(cut > 0);
    /* 12 rows of 20 lines (235 pt) under a 16 pt header on 482 pt pages:
     * a page for each row if rows could not break, about 6 pages if they can */
    assert_true(doc->npages <= 7);
    layout_doc_free(doc);
    diag_free(d);
    unmake(f);
    free(f);
}

/* A cell of three lines cannot be cut (two lines each side): it stays
 * whole while its neighbour breaks. */
static char *three_text(size_t r, size_t c)
{
    (void)r;
    return c == 1 ? words(18) : c == 2 ? words(150) : dup("x");
}

static void test_short_cell_stays_whole(void **state)
{
    (void)state;
    fixture *f = calloc(1, sizeof *f);
    make(f, 3, 6, three_text);
    diag *d = diag_new();
    layout_doc *doc = layout_run(&f->doc, &fonts, NULL, d);
    assert_non_null(doc);
    size_t bad = layout_check(doc, d);
    if (bad)
        diag_print(d, stderr);
    assert_int_equal(bad, 0);
    for (size_t pg = 0; pg < doc->npages; pg++) {
        /* the 18 words (three lines) of column 2 are never split between pages */
        const layout_page *p = &doc->pages[pg];
        double left = f->doc.page.margin_left_pt;
        double w = (f->doc.page.width_pt - left - f->doc.page.margin_right_pt) / 3;
        size_t n = 0;
        for (size_t i = 0; i < p->n; i++) {
            const layout_box *b = &p->boxes[i];
            if (b->kind == LAYOUT_TEXT && b->x > left + w && b->x < left + 2 * w &&
                !strcmp(b->text, "слово"))
                n++;
        }
        assert_int_equal(n % 18, 0);
    }
    layout_doc_free(doc);
    diag_free(d);
    unmake(f);
    free(f);
}

/* ---- several group columns ----------------------------------------------- */

/* Three stages of four rows: the stage number and name are group columns. */
static char *stage_text(size_t r, size_t c)
{
    static const char *const names[] = {"Подготовка", "Отбор", "Обучение"};
    char s[64];
    if (c == 0)
        snprintf(s, sizeof s, "%zu", r / 4 + 1);
    else if (c == 1)
        snprintf(s, sizeof s, "%s", names[r / 4]);
    else
        snprintf(s, sizeof s, "шаг%zu", r + 1);
    return dup(s);
}

static void test_two_group_columns(void **state)
{
    (void)state;
    fixture *f = calloc(1, sizeof *f);
    make(f, 3, 12, stage_text);
    f->cols[0].group = f->cols[1].group = true;
    diag *d = diag_new();
    layout_doc *doc = layout_run(&f->doc, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(doc->npages, 1);
    const layout_page *p = &doc->pages[0];
    /* each label once, the steps all there */
    static const char *const labels[] = {"1", "2", "3", "Подготовка", "Отбор", "Обучение"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(count_text(p, labels[i]), 1);
    assert_int_equal(count_text(p, "шаг12"), 1);
    /* below the header, a row that continues its group has a top rule over
     * column 3 only; full-width rules start the groups and end the table */
    double x0 = f->doc.page.margin_left_pt;
    double x3 = f->doc.page.width_pt - f->doc.page.margin_right_pt;
    double head = INFINITY; /* below the titles: the header's cells have rules of their own */
    for (size_t i = 0; i < p->n; i++)
        if (p->boxes[i].kind == LAYOUT_TEXT && !strcmp(p->boxes[i].text, "Этап"))
            head = p->boxes[i].y - 8;
    size_t full = 0, partial = 0;
    for (size_t i = 0; i < p->n; i++) {
        const layout_box *b = &p->boxes[i];
        if (b->kind != LAYOUT_LINE || fabs(b->y - b->y2) > 0.01 || b->y > head)
            continue;
        bool whole = fabs(b->x - x0) < 0.01 && fabs(b->x2 - x3) < 0.01;
        full += whole;
        partial += !whole && fabs(b->x2 - x3) < 0.01;
    }
    assert_int_equal(partial, 9);  /* 3 groups x 3 continuing rows */
    assert_int_equal(full, 2 + 1); /* groups 2 and 3 start, the table ends */
    layout_doc_free(doc);
    diag_free(d);
    unmake(f);
    free(f);
}

/* ---- column numbers -------------------------------------------------------- */

static void test_column_numbers_on_every_page(void **state)
{
    (void)state;
    fixture *f = calloc(1, sizeof *f);
    make(f, 4, 12, tall_text);
    f->table.column_numbers = true;
    diag *d = diag_new();
    layout_doc *doc = layout_run(&f->doc, &fonts, NULL, d);
    assert_non_null(doc);
    assert_true(doc->npages > 2);
    for (size_t pg = 0; pg < doc->npages; pg++) {
        const layout_page *p = &doc->pages[pg];
        /* "1" .. "4" on one baseline right under the titles, centred in
         * their columns */
        double y = NAN;
        for (size_t c = 0; c < 4; c++) {
            char num[4];
            snprintf(num, sizeof num, "%zu", c + 1);
            const layout_box *hit = NULL;
            for (size_t i = 0; i < p->n && !hit; i++)
                if (p->boxes[i].kind == LAYOUT_TEXT && !strcmp(p->boxes[i].text, num) &&
                    p->boxes[i].y < p->height - f->doc.page.margin_top_pt)
                    hit = &p->boxes[i];
            assert_non_null(hit);
            if (isnan(y))
                y = hit->y;
            assert_true(fabs(hit->y - y) < 0.01);
            double mid = (hit->cell[0] + hit->cell[2]) / 2;
            assert_true(fabs(hit->x + hit->width / 2 - mid) < 0.5);
        }
        /* below the titles */
        for (size_t i = 0; i < p->n; i++)
            if (p->boxes[i].kind == LAYOUT_TEXT && !strcmp(p->boxes[i].text, "Мероприятие"))
                assert_true(p->boxes[i].y > y);
    }
    assert_int_equal(layout_check(doc, d), 0);
    layout_doc_free(doc);
    diag_free(d);
    unmake(f);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_break_across_pages),
        cmocka_unit_test(test_short_cell_stays_whole),
        cmocka_unit_test(test_two_group_columns),
        cmocka_unit_test(test_column_numbers_on_every_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
