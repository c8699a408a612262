/* Unit tests of layout with fake fonts: every character 0.5 em wide, so
 * widths are easy to reason about. Checks justification, no overflow, long
 * words, missing glyphs, widows/orphans, keeps and page numbers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_fonts.h"
#include "layout.h"

#define MM (72.0 / 25.4)

static blk_style body = {.name = "body",
                         .family = "Fake",
                         .size_pt = 10,
                         .leading = 1.0,
                         .align = BLK_JUSTIFY,
                         .indent_pt = 20,
                         .hyphenate = false};

static blk_doc *make_doc(size_t n)
{
    blk_doc *t = calloc(1, sizeof *t);
    t->page = (blk_page){.width_pt = 210 * MM,
                         .height_pt = 297 * MM,
                         .margin_top_pt = 20 * MM,
                         .margin_right_pt = 10 * MM,
                         .margin_bottom_pt = 20 * MM,
                         .margin_left_pt = 20 * MM,
                         .numbers_from = 2,
                         .numbers_top_pt = 10 * MM,
                         .number_style = &body};
    t->blocks = calloc(n, sizeof *t->blocks);
    t->n = n;
    return t;
}

/* The blocks of a test document, to fill in. */
static blk_block *blk(blk_doc *t)
{
    return (blk_block *)t->blocks;
}

static void free_doc(blk_doc *t)
{
    free(blk(t));
    free(t);
}

static char *words(size_t n)
{
    static const char *const w[] = {"наставник", "и",  "наставляемый", "в",  "программе",
                                    "школы",     "на", "учебный",      "год"};
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ' ');
        buf_puts(&b, w[i % 9]);
    }
    return buf_take(&b);
}

static void test_justified_lines_fill_the_width(void **state)
{
    (void)state;
    blk_doc *t = make_doc(1);
    char *text = words(300);
    blk(t)[0] = (blk_block){.kind = BLK_PARA, .style = &body, .text = text};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    double right = t->page.width_pt - t->page.margin_right_pt;
    const layout_page *p = &doc->pages[0];
    /* group boxes into lines by baseline; all but the last end at the margin */
    size_t lines = 0, full = 0;
    for (size_t i = 0; i < p->n; i++) {
        const layout_box *b = &p->boxes[i];
        /* the visible end: the letter spacing after the last glyph moves none */
        double end = b->x + b->width - b->char_space;
        assert_true(end <= right + 0.01);
        bool last_of_line = i + 1 == p->n || p->boxes[i + 1].y != b->y;
        if (last_of_line) {
            lines++;
            if (end > right - 0.01)
                full++;
        }
    }
    assert_true(lines > 10);
    assert_int_equal(full, lines - 1);
    assert_int_equal(layout_check(doc, d), 0);
    layout_doc_free(doc);
    diag_free(d);
    free(text);
    free_doc(t);
}

static void test_long_word_stays_inside(void **state)
{
    (void)state;
    blk_doc *t = make_doc(1);
    buf b;
    buf_init(&b);
    buf_puts(&b, "начало ");
    for (int i = 0; i < 400; i++)
        buf_puts(&b, "ж");
    buf_puts(&b, " конец");
    blk_style narrow = body;
    narrow.max_width_pt = 30 * MM;
    blk(t)[0] = (blk_block){.kind = BLK_PARA, .style = &narrow, .text = b.data};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    double left = t->page.margin_left_pt, limit = left + 30 * MM;
    size_t chars = 0;
    for (size_t pg = 0; pg < doc->npages; pg++)
        for (size_t i = 0; i < doc->pages[pg].n; i++) {
            const layout_box *bx = &doc->pages[pg].boxes[i];
            if (bx->y > doc->pages[pg].height - t->page.margin_top_pt)
                continue; /* page number */
            assert_true(bx->x >= left - 0.01);
            assert_true(bx->x + bx->width - bx->char_space <= limit + 0.01);
            /* the hyphens drawn at the splits (U+00AD) are not the word's */
            if (strcmp(bx->text, "\u00AD") != 0)
                chars += utf8_count(bx->text, bx->len);
        }
    /* nothing lost: 6 + 400 + 5 letters */
    assert_int_equal(chars, 411);
    layout_doc_free(doc);
    diag_free(d);
    buf_fini(&b);
    free_doc(t);
}

static void test_missing_glyph_is_an_error(void **state)
{
    (void)state;
    blk_doc *t = make_doc(1);
    blk(t)[0] = (blk_block){
        .kind = BLK_PARA, .style = &body, .text = "текст 漢 текст", .mark = {"d.yaml", 7, 12}};
    diag *d = diag_new();
    assert_null(layout_run(t, &fonts, NULL, d));
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    assert_non_null(strstr(b.data, "d.yaml:7:12: ошибка: символа «漢» (U+6F22) нет в шрифте"));
    buf_fini(&b);
    diag_free(d);
    free_doc(t);
}

/* Many one-line spacers push a 5-line paragraph to where only one line
 * would fit on the first page: the orphan rule moves two lines or more. */
static void test_no_orphans_no_widows(void **state)
{
    (void)state;
    blk_doc *t = make_doc(2);
    double line = 10 * 1.15;
    double area = t->page.height_pt - t->page.margin_top_pt - t->page.margin_bottom_pt;
    char *text = words(120);
    for (int leave = 1; leave <= 5; leave++) {
        blk(t)[0] = (blk_block){
            .kind = BLK_SPACER, .style = &body, .as.spacer_pt = area - line * leave + 1};
        blk(t)[1] = (blk_block){.kind = BLK_PARA, .style = &body, .text = text};
        diag *d = diag_new();
        layout_doc *doc = layout_run(t, &fonts, NULL, d);
        assert_non_null(doc);
        assert_true(doc->npages >= 1);
        /* count the lines of the paragraph on each page */
        size_t per_page[4] = {0};
        for (size_t pg = 0; pg < doc->npages && pg < 4; pg++) {
            double last_y = -1;
            for (size_t i = 0; i < doc->pages[pg].n; i++) {
                const layout_box *b = &doc->pages[pg].boxes[i];
                if (b->y > doc->pages[pg].height - t->page.margin_top_pt)
                    continue;
                if (b->y != last_y)
                    per_page[pg]++, last_y = b->y;
            }
        }
        for (size_t pg = 0; pg < doc->npages && pg < 4; pg++)
            if (per_page[pg])
                assert_true(per_page[pg] >= 2);
        layout_doc_free(doc);
        diag_free(d);
    }
    free(text);
    free_doc(t);
}

static void test_signature_takes_three_lines_along(void **state)
{
    (void)state;
    blk_doc *t = make_doc(3);
    blk_style sig = body;
    sig.align = BLK_LEFT;
    double area = t->page.height_pt - t->page.margin_top_pt - t->page.margin_bottom_pt;
    char *text = words(100); /* about 8 lines: 6 fit on page 1 */
    blk(t)[0] =
        (blk_block){.kind = BLK_SPACER, .style = &body, .as.spacer_pt = area - 10 * 1.15 * 6.5};
    blk(t)[1] = (blk_block){.kind = BLK_PARA, .style = &body, .text = text};
    blk(t)[2] = (blk_block){.kind = BLK_ROW,
                            .style = &sig,
                            .text = "Директор",
                            .as.row = {.right = "И.Н. Шадрин", .left_frac = 0.6},
                            .keep_prev_lines = 3};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(doc->npages, 2);
    /* page 2: the page number, at least 3 text lines and the signature */
    const layout_page *p = &doc->pages[1];
    size_t lines = 0;
    double last_y = -1;
    bool has_sig = false;
    for (size_t i = 0; i < p->n; i++) {
        if (p->boxes[i].y > p->height - t->page.margin_top_pt)
            continue;
        if (p->boxes[i].y != last_y)
            lines++, last_y = p->boxes[i].y;
        has_sig |= strstr(p->boxes[i].text, "Шадрин") != NULL;
    }
    assert_true(has_sig);
    assert_true(lines >= 4);
    layout_doc_free(doc);
    diag_free(d);
    free(text);
    free_doc(t);
}

static void test_page_numbers_from_second_page(void **state)
{
    (void)state;
    blk_doc *t = make_doc(3);
    blk(t)[0] = (blk_block){.kind = BLK_PARA, .style = &body, .text = "один"};
    blk(t)[1] = (blk_block){.kind = BLK_PAGE_BREAK, .style = &body};
    blk(t)[2] = (blk_block){.kind = BLK_PARA, .style = &body, .text = "два"};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(doc->npages, 2);
    assert_int_equal(doc->pages[0].n, 1);
    const layout_page *p = &doc->pages[1];
    bool numbered = false;
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->boxes[i].text, "2")) {
            numbered = true;
            /* centred in the text area, in the top margin */
            double centre = p->boxes[i].x + p->boxes[i].width / 2;
            double area_centre = (t->page.margin_left_pt + p->width - t->page.margin_right_pt) / 2;
            assert_float_equal(centre, area_centre, 0.01);
            assert_true(p->boxes[i].y > p->height - t->page.margin_top_pt);
        }
    assert_true(numbered);
    assert_int_equal(layout_check(doc, d), 0);
    layout_doc_free(doc);
    diag_free(d);
    free_doc(t);
}

static void test_row_right_part_flush_right(void **state)
{
    (void)state;
    blk_doc *t = make_doc(1);
    blk_style st = body;
    st.align = BLK_LEFT;
    blk(t)[0] = (blk_block){.kind = BLK_ROW,
                            .style = &st,
                            .text = "Начальник департамента образования администрации города",
                            .as.row = {.right = "И.Ю. Олекминский", .left_frac = 0.5}};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    const layout_page *p = &doc->pages[0];
    const layout_box *last = &p->boxes[p->n - 1];
    assert_non_null(strstr(last->text, "Олекминский"));
    assert_float_equal(last->x + last->width, p->width - t->page.margin_right_pt, 0.01);
    /* on the last line of the position, below the first */
    assert_true(last->y < p->boxes[0].y);
    assert_float_equal(last->y, p->boxes[p->n - 2].y, 0.01);
    layout_doc_free(doc);
    diag_free(d);
    free_doc(t);
}

/* ---- tables ---------------------------------------------------------------- */

static blk_style cell_st = {.name = "cell",
                            .family = "Fake",
                            .size_pt = 10,
                            .leading = 1.0,
                            .align = BLK_LEFT,
                            .hyphenate = false};
static blk_style head_st = {.name = "head",
                            .family = "Fake",
                            .size_pt = 10,
                            .leading = 1.0,
                            .align = BLK_CENTER,
                            .font_style = BLK_BOLD};

typedef struct table_fixture {
    blk_column cols[3];
    blk_row *rows;
    blk_cell *cells;
    blk_par *pars;
    blk_table table;
    blk_doc *doc;
} table_fixture;

/* n rows; every `section_every` rows a section row; cell text from fill() */
static void make_table(table_fixture *f, size_t n, size_t section_every, size_t lines_in_b)
{
    memset(f, 0, sizeof *f);
    f->cols[0] = (blk_column){.key = "num", .title = "№", .width_pt = 30};
    f->cols[1] = (blk_column){.key = "a", .title = "Мероприятие", .share = 2};
    f->cols[2] = (blk_column){.key = "b", .title = "Результат", .share = 1};
    f->rows = calloc(n, sizeof *f->rows);
    f->cells = calloc(n * 3, sizeof *f->cells);
    f->pars = calloc(n * 3 * (lines_in_b + 1), sizeof *f->pars);
    size_t np = 0;
    for (size_t r = 0; r < n; r++) {
        blk_row *row = &f->rows[r];
        row->cells = &f->cells[r * 3];
        if (section_every && r % section_every == 0) {
            row->section = true;
            f->pars[np] = (blk_par){"Раздел программы", NULL, 0, DIAG_NOWHERE};
            row->cells[0] = (blk_cell){&f->pars[np++], 1};
            continue;
        }
        f->pars[np] = (blk_par){"1.1.", NULL, 0, DIAG_NOWHERE};
        row->cells[0] = (blk_cell){&f->pars[np++], 1};
        f->pars[np] = (blk_par){"Встреча наставника и наставляемого", NULL, 0, DIAG_NOWHERE};
        row->cells[1] = (blk_cell){&f->pars[np++], 1};
        row->cells[2] = (blk_cell){&f->pars[np], lines_in_b};
        for (size_t k = 0; k < lines_in_b; k++)
            f->pars[np++] = (blk_par){"итог", NULL, 0, DIAG_NOWHERE};
    }
    f->table = (blk_table){.cols = f->cols,
                           .ncols = 3,
                           .rows = f->rows,
                           .nrows = n,
                           .cell = &cell_st,
                           .head = &head_st,
                           .section = &head_st,
                           .borders = true,
                           .header = true};
    f->doc = make_doc(1);
    blk(f->doc)[0] = (blk_block){.kind = BLK_TABLE, .style = &cell_st, .as.table = &f->table};
}

static void free_table(table_fixture *f)
{
    free(f->rows);
    free(f->cells);
    free(f->pars);
    free_doc(f->doc);
}

/* The texts of a page from top to bottom (boxes sorted by baseline, then x). */
static int by_position(const void *a, const void *b)
{
    const layout_box *x = a, *y = b;
    if (x->y != y->y)
        return x->y < y->y ? 1 : -1;
    return x->x < y->x ? -1 : x->x > y->x;
}

static size_t page_texts(const layout_page *p, layout_box *out)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->boxes[i].kind == LAYOUT_TEXT && p->boxes[i].y < p->height - 20 * MM)
            out[n++] = p->boxes[i];
    qsort(out, n, sizeof *out, by_position);
    return n;
}

static void test_table_header_on_every_page_no_lonely_section(void **state)
{
    (void)state;
    table_fixture f;
    make_table(&f, 400, 6, 1);
    diag *d = diag_new();
    layout_doc *doc = layout_run(f.doc, &fonts, NULL, d);
    assert_non_null(doc);
    assert_true(doc->npages > 3);
    assert_int_equal(layout_check(doc, d), 0);
    for (size_t pg = 0; pg < doc->npages; pg++) {
        const layout_page *p = &doc->pages[pg];
        layout_box *texts = calloc(p->n + 1, sizeof *texts);
        size_t n = page_texts(p, texts);
        assert_true(n > 3);
        /* the header row is the first line of every page */
        assert_string_equal(texts[0].text, "№");
        /* a section row is never the last row of a page */
        assert_string_not_equal(texts[n - 1].text, "Раздел");
        assert_string_not_equal(texts[n - 1].text, "программы");
        free(texts);
    }
    layout_doc_free(doc);
    diag_free(d);
    free_table(&f);
}

/* 44 one-line rows: 43 fit on the first page, and the last row would stand
 * alone on the second; it takes the row before it along. */
static void test_table_last_row_not_alone(void **state)
{
    (void)state;
    table_fixture f;
    make_table(&f, 44, 0, 1);
    diag *d = diag_new();
    layout_doc *doc = layout_run(f.doc, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(doc->npages, 2);
    size_t rows[2] = {0, 0};
    for (size_t pg = 0; pg < 2; pg++)
        for (size_t i = 0; i < doc->pages[pg].n; i++)
            rows[pg] += doc->pages[pg].boxes[i].kind == LAYOUT_TEXT &&
                        !strcmp(doc->pages[pg].boxes[i].text, "1.1.");
    assert_int_equal(rows[0] + rows[1], 44);
    assert_int_equal(rows[1], 2);
    layout_doc_free(doc);
    diag_free(d);
    free_table(&f);
}

/* A row with 200 lines in one cell is taller than a page: it is cut between
 * pages, every line is drawn once, inside its cell. */
static void test_table_row_taller_than_page(void **state)
{
    (void)state;
    table_fixture f;
    make_table(&f, 3, 0, 200);
    diag *d = diag_new();
    layout_doc *doc = layout_run(f.doc, &fonts, NULL, d);
    assert_non_null(doc);
    assert_true(doc->npages >= 3);
    assert_int_equal(layout_check(doc, d), 0);
    size_t results = 0;
    for (size_t pg = 0; pg < doc->npages; pg++)
        for (size_t i = 0; i < doc->pages[pg].n; i++) {
            const layout_box *b = &doc->pages[pg].boxes[i];
            if (b->kind == LAYOUT_TEXT && !strcmp(b->text, "итог")) {
                results++;
                assert_true(b->cell[2] > b->cell[0]);
            }
        }
    assert_int_equal(results, 3 * 200);
    layout_doc_free(doc);
    diag_free(d);
    free_table(&f);
}

static void test_table_columns_fill_the_width(void **state)
{
    (void)state;
    table_fixture f;
    make_table(&f, 4, 0, 1);
    diag *d = diag_new();
    layout_doc *doc = layout_run(f.doc, &fonts, NULL, d);
    assert_non_null(doc);
    /* the rules span exactly the text area: left margin to right margin */
    double lo = 1e9, hi = -1e9;
    const layout_page *p = &doc->pages[0];
    for (size_t i = 0; i < p->n; i++)
        if (p->boxes[i].kind == LAYOUT_LINE) {
            lo = fmin(lo, fmin(p->boxes[i].x, p->boxes[i].x2));
            hi = fmax(hi, fmax(p->boxes[i].x, p->boxes[i].x2));
        }
    assert_float_equal(lo, f.doc->page.margin_left_pt, 0.01);
    assert_float_equal(hi, f.doc->page.width_pt - f.doc->page.margin_right_pt, 0.01);
    layout_doc_free(doc);
    diag_free(d);
    free_table(&f);
}

/* ---- issue 10: contents, headings, the parties' signatures ------------ */

static blk_style heading_st = {.name = "heading",
                               .family = "Fake",
                               .size_pt = 10,
                               .leading = 1.0,
                               .align = BLK_CENTER,
                               .font_style = BLK_BOLD,
                               .space_before_pt = 6,
                               .keep_with_next = true};

/* The lowest text box of a page below the number band: the page's last line. */
static const layout_box *last_line(const layout_page *p, const blk_doc *t)
{
    const layout_box *low = NULL;
    for (size_t i = 0; i < p->n; i++) {
        const layout_box *b = &p->boxes[i];
        if (b->kind == LAYOUT_TEXT && b->y < p->height - t->page.margin_top_pt &&
            (!low || b->y < low->y))
            low = b;
    }
    return low;
}

/* 80 headings, each before a paragraph of 1 to 7 lines, shifted down the
 * first page by 0 to 11 lines: wherever the breaks fall, no page ends with a
 * heading (headings are marked line 1000+k). */
static void test_heading_never_last_line_of_page(void **state)
{
    (void)state;
    enum { N = 80 };
    char *texts[N];
    for (size_t k = 0; k < N; k++)
        texts[k] = words(8 + (k * 37) % 60);
    for (int shift = 0; shift < 12; shift++) {
        blk_doc *t = make_doc(2 * N + 1);
        blk(t)[0] = (blk_block){.kind = BLK_SPACER, .style = &body, .as.spacer_pt = shift * 11.5};
        for (size_t k = 0; k < N; k++) {
            blk(t)[2 * k + 1] = (blk_block){.kind = BLK_PARA,
                                            .style = &heading_st,
                                            .text = "Раздел",
                                            .toc_level = 1,
                                            .mark = {"t", (uint32_t)(1000 + k), 1}};
            blk(t)[2 * k + 2] = (blk_block){.kind = BLK_PARA,
                                            .style = &body,
                                            .text = texts[k],
                                            .mark = {"t", (uint32_t)k + 1, 1}};
        }
        diag *d = diag_new();
        layout_doc *doc = layout_run(t, &fonts, NULL, d);
        assert_non_null(doc);
        assert_true(doc->npages > 3);
        for (size_t pg = 0; pg < doc->npages; pg++) {
            const layout_box *low = last_line(&doc->pages[pg], t);
            assert_non_null(low);
            assert_true(low->mark.line < 1000);
        }
        assert_int_equal(layout_check(doc, d), 0);
        layout_doc_free(doc);
        diag_free(d);
        free_doc(t);
    }
    for (size_t k = 0; k < N; k++)
        free(texts[k]);
}

/* A table of contents: each heading's entry ends with the page the heading
 * landed on, flush right, after dotted leaders. */
static void test_toc_gives_the_pages_of_headings(void **state)
{
    (void)state;
    blk_style toc = body;
    toc.align = BLK_LEFT;
    toc.indent_pt = 10;
    blk_doc *t = make_doc(7);
    blk(t)[0] = (blk_block){.kind = BLK_TOC, .style = &toc};
    blk(t)[1] = (blk_block){.kind = BLK_PAGE_BREAK, .style = &body};
    blk(t)[2] =
        (blk_block){.kind = BLK_PARA, .style = &heading_st, .text = "Первый", .toc_level = 1};
    blk(t)[3] = (blk_block){.kind = BLK_PARA, .style = &body, .text = "текст"};
    blk(t)[4] = (blk_block){.kind = BLK_PAGE_BREAK, .style = &body};
    blk(t)[5] = (blk_block){.kind = BLK_PARA, .style = &body, .text = "текст"};
    blk(t)[6] = (blk_block){.kind = BLK_PARA,
                            .style = &heading_st,
                            .text = "Второй",
                            .toc_text = "Второй раздел",
                            .toc_level = 2};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(doc->npages, 3);
    const layout_page *p = &doc->pages[0];
    double right = p->width - t->page.margin_right_pt;
    int found = 0;
    bool dots = false, second = false;
    for (size_t i = 0; i < p->n; i++) {
        const layout_box *b = &p->boxes[i];
        dots |= b->text[0] == '.';
        second |= !strcmp(b->text, "раздел"); /* toc_text, not the heading's text */
        if ((!strcmp(b->text, "2") || !strcmp(b->text, "3")) &&
            fabs(b->x + b->width - right) < 0.01)
            found |= b->text[0] == '2' ? 1 : 2;
    }
    assert_int_equal(found, 3);
    assert_true(dots);
    assert_true(second);
    assert_int_equal(layout_check(doc, d), 0);
    layout_doc_free(doc);
    diag_free(d);
    free_doc(t);
}

/* The parties' block: a heading carrying 3 lines (its own and 2 of the text
 * before) and a one-row borderless table of two requisite cells. Wherever the
 * page would break, the heading, both cells whole and the last lines of the
 * text before are on one page. */
static void test_parties_block_never_split(void **state)
{
    (void)state;
    blk_column cols[2] = {{.key = "l", .title = "", .share = 1, .hyphenate = -1},
                          {.key = "r", .title = "", .share = 1, .hyphenate = -1}};
    blk_par left[6], right[6];
    for (int i = 0; i < 6; i++) {
        left[i] = (blk_par){"Образовательная организация", NULL, 0, {"l", 1, 1}};
        right[i] = (blk_par){"Партнер", NULL, 0, {"r", 1, 1}};
    }
    blk_cell cells[2] = {{left, 6}, {right, 6}};
    blk_row row = {.cells = cells};
    blk_table tb = {.cols = cols,
                    .ncols = 2,
                    .rows = &row,
                    .nrows = 1,
                    .cell = &cell_st,
                    .head = &cell_st,
                    .section = &cell_st};
    double area = 297 * MM - 40 * MM;
    char *text = words(100);
    for (int step = 0; step < 40; step++) {
        blk_doc *t = make_doc(4);
        blk(t)[0] =
            (blk_block){.kind = BLK_SPACER, .style = &body, .as.spacer_pt = area - step * 6};
        blk(t)[1] =
            (blk_block){.kind = BLK_PARA, .style = &body, .text = text, .mark = {"p", 1, 1}};
        blk(t)[2] = (blk_block){.kind = BLK_PARA,
                                .style = &heading_st,
                                .text = "Подписи",
                                .keep_prev_lines = 3,
                                .mark = {"h", 1, 1}};
        blk(t)[3] = (blk_block){.kind = BLK_TABLE, .style = &cell_st, .as.table = &tb};
        diag *d = diag_new();
        layout_doc *doc = layout_run(t, &fonts, NULL, d);
        assert_non_null(doc);
        for (size_t pg = 0; pg < doc->npages; pg++) {
            size_t l = 0, r = 0, h = 0, text_lines = 0;
            double last_y = -1;
            for (size_t i = 0; i < doc->pages[pg].n; i++) {
                const layout_box *b = &doc->pages[pg].boxes[i];
                const char *f = b->mark.file ? b->mark.file : "";
                l += !strcmp(f, "l");
                r += !strcmp(f, "r");
                h += !strcmp(f, "h");
                if (!strcmp(f, "p") && b->y != last_y)
                    text_lines++, last_y = b->y;
            }
            if (l || r || h) {
                /* all of the block here, with at least 2 lines of the text */
                assert_true(l >= 6 && r >= 6 && h == 1);
                assert_true(text_lines >= 2);
            }
        }
        layout_doc_free(doc);
        diag_free(d);
        free_doc(t);
    }
    free(text);
}

/* Line breaks the author chose ('\n'): each starts a new line, and the line
 * before one is set like a paragraph's last line (natural spaces). */
static void test_forced_line_breaks(void **state)
{
    (void)state;
    blk_doc *t = make_doc(1);
    blk_style st = body;
    st.indent_pt = 0;
    blk(t)[0] = (blk_block){.kind = BLK_PARA, .style = &st, .text = "аа бб\nвв гг\n\nдд"};
    diag *d = diag_new();
    layout_doc *doc = layout_run(t, &fonts, NULL, d);
    assert_non_null(doc);
    const layout_page *p = &doc->pages[0];
    /* words: аа бб | вв гг | (empty line) | дд */
    assert_int_equal(p->n, 5);
    assert_string_equal(p->boxes[2].text, "вв");
    assert_string_equal(p->boxes[4].text, "дд");
    double left = t->page.margin_left_pt;
    assert_true(fabs(p->boxes[2].x - left) < 0.01);
    assert_true(p->boxes[2].y < p->boxes[0].y - 1);
    /* the empty line: дд two lines below вв */
    double step = p->boxes[0].y - p->boxes[2].y;
    assert_true(fabs((p->boxes[2].y - p->boxes[4].y) - 2 * step) < 0.01);
    /* бб follows аа at a natural space: 1 em of "аа" (2 × 5 pt) and 2.5 pt */
    assert_true(fabs(p->boxes[1].x - p->boxes[0].x - 12.5) < 0.01);
    layout_doc_free(doc);
    diag_free(d);
    free_doc(t);
}

/* An annex of another page size appended to a document: its pages keep
 * their own size and margins, and are numbered from its own first page. */
static void test_append_pages_of_another_size(void **state)
{
    (void)state;
    blk_doc *a = make_doc(1);
    blk(a)[0] = (blk_block){.kind = BLK_PARA, .style = &body, .text = "приказ"};
    blk_doc *b = make_doc(120);
    b->page.width_pt = 297 * MM;
    b->page.height_pt = 210 * MM;
    b->page.margin_bottom_pt = 15 * MM;
    char *text = words(40);
    for (size_t i = 0; i < b->n; i++)
        blk(b)[i] = (blk_block){.kind = BLK_PARA, .style = &body, .text = text};
    diag *d = diag_new();
    layout_doc *doc = layout_run(a, &fonts, NULL, d);
    assert_non_null(doc);
    assert_int_equal(doc->npages, 1);
    assert_true(layout_append(doc, b, &fonts, NULL, d));
    assert_true(doc->npages > 3);
    assert_true(fabs(doc->pages[0].width - 210 * MM) < 0.01);
    for (size_t i = 1; i < doc->npages; i++) {
        assert_true(fabs(doc->pages[i].width - 297 * MM) < 0.01);
        assert_true(fabs(doc->pages[i].margin_bottom - 15 * MM) < 0.01);
    }
    /* the annex's second page (the document's third) shows «2»; its first none */
    assert_string_equal(doc->pages[2].boxes[0].text, "2");
    assert_string_not_equal(doc->pages[1].boxes[0].text, "2");
    assert_int_equal(layout_check(doc, d), 0);
    layout_doc_free(doc);
    diag_free(d);
    free(text);
    free_doc(a);
    free_doc(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_justified_lines_fill_the_width),
        cmocka_unit_test(test_long_word_stays_inside),
        cmocka_unit_test(test_missing_glyph_is_an_error),
        cmocka_unit_test(test_no_orphans_no_widows),
        cmocka_unit_test(test_signature_takes_three_lines_along),
        cmocka_unit_test(test_page_numbers_from_second_page),
        cmocka_unit_test(test_row_right_part_flush_right),
        cmocka_unit_test(test_table_header_on_every_page_no_lonely_section),
        cmocka_unit_test(test_table_row_taller_than_page),
        cmocka_unit_test(test_table_last_row_not_alone),
        cmocka_unit_test(test_table_columns_fill_the_width),
        cmocka_unit_test(test_heading_never_last_line_of_page),
        cmocka_unit_test(test_toc_gives_the_pages_of_headings),
        cmocka_unit_test(test_parties_block_never_split),
        cmocka_unit_test(test_forced_line_breaks),
        cmocka_unit_test(test_append_pages_of_another_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
