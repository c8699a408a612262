/* Unit tests of chart: the test hook on the drawn geometry. Bar heights are
 * proportional to the values, the axis carries its tick labels, and no box
 * ever leaves the chart's frame, whatever the values: all zero, all equal,
 * one respondent, 10,000 respondents, no data, long labels. Also the answer
 * fields of questionnaires stay inside their width. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chart.h"

/* A fake font: every character half an em wide. */
static double fake_measure(void *ctx, int font, double size, const char *s, size_t len)
{
    (void)ctx, (void)font;
    return 0.5 * size * (double)utf8_count(s, len);
}

static const chart_font FONT = {NULL, 0, 9, fake_measure, 0.9, 0.22};

static bool has_text(const chart_fig *fig, const char *s)
{
    for (size_t i = 0; i < fig->n; i++)
        if (fig->boxes[i].kind == LAYOUT_TEXT && fig->boxes[i].len == strlen(s) &&
            !memcmp(fig->boxes[i].text, s, fig->boxes[i].len))
            return true;
    return false;
}

/* Every box inside [0, width] x [0, height]. */
static void assert_inside(const chart_fig *fig)
{
    const double e = 1e-6;
    for (size_t i = 0; i < fig->n; i++) {
        const layout_box *b = &fig->boxes[i];
        double x0 = b->x, x1, y0, y1;
        if (b->kind == LAYOUT_TEXT) {
            x1 = b->x + b->width, y0 = b->y - b->descent, y1 = b->y + b->ascent;
        } else {
            x0 = fmin(b->x, b->x2), x1 = fmax(b->x, b->x2);
            y0 = fmin(b->y, b->y2), y1 = fmax(b->y, b->y2);
        }
        if (x0 < -e || x1 > fig->width + e || y0 < -e || y1 > fig->height + e)
            fail_msg("box %zu (%s) outside: x %.2f–%.2f y %.2f–%.2f of %.2f x %.2f", i,
                     b->kind == LAYOUT_TEXT ? b->text : "shape", x0, x1, y0, y1, fig->width,
                     fig->height);
    }
}

static const char *const Q[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
static const char *const SERIES[] = {"до", "после"};

static void test_bar_heights_and_labels(void **state)
{
    (void)state;
    arena *a = arena_new();
    double v[] = {2, 4, 8};
    blk_chart c = {Q, 3, SERIES, 1, v, 0, 0, NULL, "Номер вопроса", "Среднее", 150};
    chart_fig fig;
    assert_true(chart_bars(&c, 300, &FONT, a, &fig));
    assert_true(fig.axis_max == 8); /* 8 / 5 = 1.6 -> step 2, top 8 */
    double ph = fig.plot[3] - fig.plot[1];
    for (size_t i = 0; i < 3; i++) {
        const layout_box *b = chart_bar_box(&fig, i, 0);
        assert_non_null(b);
        assert_true(fabs((b->y2 - b->y) - ph * v[i] / 8) < 1e-9);
        assert_true(fabs(b->y - fig.plot[1]) < 1e-9); /* bars stand on the axis */
    }
    for (size_t t = 0; t <= 8; t += 2) {
        char s[8];
        snprintf(s, sizeof s, "%zu", t);
        assert_true(has_text(&fig, s)); /* tick labels 0 2 4 6 8 */
    }
    assert_true(has_text(&fig, "Номер вопроса"));
    assert_true(has_text(&fig, "Среднее"));
    assert_inside(&fig);
    arena_free(a);
}

static void test_before_after_side_by_side(void **state)
{
    (void)state;
    arena *a = arena_new();
    double v[] = {6.5, 8.25, 7, 7};
    blk_chart c = {Q, 2, SERIES, 2, v, 10, 2, NULL, NULL, "Средний балл", 120};
    chart_fig fig;
    assert_true(chart_bars(&c, 250, &FONT, a, &fig));
    assert_true(fig.axis_max == 10);
    const layout_box *b0 = chart_bar_box(&fig, 0, 0), *b1 = chart_bar_box(&fig, 0, 1);
    assert_true(b0->x2 <= b1->x + 1e-9); /* before left of after */
    double ph = fig.plot[3] - fig.plot[1];
    assert_true(fabs((b1->y2 - b1->y) - ph * 0.825) < 1e-9);
    assert_true(has_text(&fig, "8,25") && has_text(&fig, "6,50"));
    assert_true(has_text(&fig, "до") && has_text(&fig, "после")); /* the legend */
    assert_inside(&fig);
    arena_free(a);
}

/* The edge cases of the values: the frame is never left. */
static void test_never_overflows(void **state)
{
    (void)state;
    static double zeros[10], equal[10], many[10], one[10] = {1}, nodata[10];
    for (size_t i = 0; i < 10; i++) {
        equal[i] = 5;
        many[i] = 10000;
        nodata[i] = NAN;
    }
    double *sets[] = {zeros, equal, many, one, nodata};
    const char *const longlab[] = {"Очень часто, почти каждую неделю и даже чаще", "Никогда"};
    arena *a = arena_new();
    for (size_t k = 0; k < 5; k++)
        for (double w = 60; w < 600; w += 97) {
            blk_chart c = {Q, 10, SERIES, 1, sets[k], 0, 0, "%", "Вопрос", "Доля ответов", 90};
            chart_fig fig;
            assert_true(chart_bars(&c, w, &FONT, a, &fig));
            assert_inside(&fig);
            c.nser = 2, c.ncat = 5;
            assert_true(chart_bars(&c, w, &FONT, a, &fig));
            assert_inside(&fig);
            c.labels = longlab, c.ncat = 2;
            assert_true(chart_bars(&c, w, &FONT, a, &fig));
            assert_inside(&fig);
        }
    /* a scale of 1..7: ticks 0 2 4 6, none above the axis' top */
    {
        double v7[] = {7, 3.5};
        blk_chart c7 = {Q, 2, SERIES, 1, v7, 7, 2, NULL, "Вопрос", "Средний балл", 90};
        chart_fig fig7;
        assert_true(chart_bars(&c7, 200, &FONT, a, &fig7));
        assert_true(has_text(&fig7, "6") && !has_text(&fig7, "8"));
        assert_inside(&fig7);
    }
    /* 10,000 respondents of one value: the bar reaches the axis top exactly */
    double v[] = {10000, 0};
    blk_chart c = {Q, 2, SERIES, 1, v, 0, 0, NULL, NULL, NULL, 100};
    chart_fig fig;
    assert_true(chart_bars(&c, 200, &FONT, a, &fig));
    assert_true(fig.axis_max == 10000);
    const layout_box *b = chart_bar_box(&fig, 0, 0);
    assert_true(fabs(b->y2 - fig.plot[3]) < 1e-9);
    assert_null(chart_bar_box(&fig, 1, 0)); /* zero: no bar */
    assert_inside(&fig);
    /* no room or no categories: refused, nothing drawn */
    c.height_pt = 10;
    assert_false(chart_bars(&c, 200, &FONT, a, &fig));
    c.height_pt = 100, c.ncat = 0;
    assert_false(chart_bars(&c, 200, &FONT, a, &fig));
    arena_free(a);
}

static void test_answer_fields_fit(void **state)
{
    (void)state;
    static const char *const opts[] = {"Очень часто", "Часто", "Редко", "1 - 2 раза", "Никогда"};
    arena *a = arena_new();
    for (double w = 80; w < 500; w += 53) {
        blk_answer s = {BLK_ANSWER_SCALE, Q, 10, "самый низший балл", "самый высокий", 0};
        blk_answer ch = {BLK_ANSWER_CHOICE, opts, 5, NULL, NULL, 0};
        blk_answer ln = {BLK_ANSWER_LINES, NULL, 0, NULL, NULL, 3};
        blk_answer fl = {BLK_ANSWER_FILL, NULL, 0, NULL, NULL, 0};
        const blk_answer *all[] = {&s, &ch, &ln, &fl};
        for (size_t i = 0; i < 4; i++) {
            chart_fig fig;
            chart_answer(all[i], "Ф.И.О.", w, &FONT, a, &fig);
            assert_true(fig.height > 0);
            assert_inside(&fig);
        }
    }
    /* ten boxes with their numbers */
    blk_answer s = {BLK_ANSWER_SCALE, Q, 10, NULL, NULL, 0};
    chart_fig fig;
    chart_answer(&s, NULL, 400, &FONT, a, &fig);
    size_t rects = 0;
    for (size_t i = 0; i < fig.n; i++)
        rects += fig.boxes[i].kind == LAYOUT_RECT;
    assert_int_equal(rects, 10);
    assert_true(has_text(&fig, "1") && has_text(&fig, "10"));
    arena_free(a);
}

/* ---- in the page flow: a question never splits across pages ---- */

static int fake_find(void *ctx, const char *family, int style)
{
    (void)ctx, (void)family;
    return style;
}
static double fake_advance(void *ctx, int font, uint32_t cp)
{
    (void)ctx, (void)font;
    return cp == ' ' ? 250 : 500;
}
static bool fake_has(void *ctx, int font, uint32_t cp)
{
    (void)ctx, (void)font, (void)cp;
    return true;
}
static double fake_ascent(void *ctx, int font)
{
    (void)ctx, (void)font;
    return 800;
}
static double fake_descent(void *ctx, int font)
{
    (void)ctx, (void)font;
    return -200;
}

static void test_question_never_split(void **state)
{
    (void)state;
    static const layout_fonts fonts = {NULL,        fake_find,    fake_advance, fake_has,
                                       fake_ascent, fake_descent, NULL};
    static blk_style st = {
        .name = "question", .family = "Fake", .size_pt = 11, .leading = 1.0, .space_after_pt = 6};
    enum { N = 60 };
    static blk_block blocks[N];
    static char labels[N][8];
    blk_answer scale = {BLK_ANSWER_SCALE, Q, 10, "низший", "высший", 0};
    for (size_t i = 0; i < N; i++) {
        snprintf(labels[i], sizeof labels[i], "%zu.", i + 1);
        blocks[i] = (blk_block){.kind = BLK_QUESTION,
                                .style = &st,
                                /* one to four lines of text: breaks fall everywhere */
                                .text = i % 3 == 0 ? "Короткий вопрос"
                                        : i % 3 == 1 ? "Вопрос подлиннее, чтобы занять пять или "
                                                       "шесть строк текста на странице при такой "
                                                       "ширине: тогда правило висячих строк само "
                                                       "по себе разрешило бы разрыв между "
                                                       "строками вопроса, а вопрос всё равно "
                                                       "целиком на одной странице"
                                                     : "Средний вопрос о встречах с наставником"};
        blocks[i].as.question.label = labels[i];
        blocks[i].as.question.answer = &scale;
    }
    blk_doc t = {.page = {.width_pt = 300,
                          .height_pt = 437,
                          .margin_top_pt = 30,
                          .margin_right_pt = 20,
                          .margin_bottom_pt = 30,
                          .margin_left_pt = 30,
                          .number_style = &st},
                 .blocks = blocks,
                 .n = N};
    diag *d = diag_new();
    layout_doc *doc = layout_run(&t, &fonts, NULL, d);
    assert_non_null(doc);
    assert_true(doc->npages > 5);
    size_t seen = 0;
    for (size_t p = 0; p < doc->npages; p++) {
        size_t rects = 0, questions = 0;
        for (size_t i = 0; i < doc->pages[p].n; i++) {
            const layout_box *b = &doc->pages[p].boxes[i];
            rects += b->kind == LAYOUT_RECT;
            for (size_t k = 0; k < N; k++)
                questions += b->kind == LAYOUT_TEXT && b->len == strlen(labels[k]) &&
                             !memcmp(b->text, labels[k], b->len);
        }
        /* every question on the page has its ten boxes on the same page */
        assert_int_equal(rects, 10 * questions);
        seen += questions;
    }
    assert_int_equal(seen, N);
    assert_int_equal(layout_check(doc, d), 0);
    layout_doc_free(doc);
    diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bar_heights_and_labels),
        cmocka_unit_test(test_before_after_side_by_side),
        cmocka_unit_test(test_never_overflows),
        cmocka_unit_test(test_answer_fields_fit),
        cmocka_unit_test(test_question_never_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
