/* Unit tests for linebreak: Knuth-Plass total fit on synthetic paragraphs.
 *
 * Paragraphs are written as text: every letter is a box 1 unit wide (runs
 * of letters merge into one box), ' ' is glue 1 +0.5 -0.33, '|' a hyphenation
 * point (flagged penalty 50, 1 unit wide), '~' a tie (penalty LB_INFINITY,
 * then a space), '\n' a forced break after infinite glue. The usual finishing
 * glue and forced penalty close the paragraph. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "linebreak.h"

#define EPS 1e-6

typedef struct para {
    lb_item *items;
    size_t n, cap;
} para;

static void push_item(para *p, lb_item it)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->items = realloc(p->items, p->cap * sizeof *p->items);
        assert_non_null(p->items);
    }
    p->items[p->n++] = it;
}

static void push_box(para *p, double width)
{
    push_item(p, (lb_item){.type = LB_BOX, .width = width});
}

static void push_space(para *p)
{
    push_item(p, (lb_item){.type = LB_GLUE, .width = 1, .stretch = 0.5, .shrink = 0.33});
}

static void push_finish(para *p)
{
    push_item(p, (lb_item){.type = LB_GLUE, .stretch = INFINITY});
    push_item(p, (lb_item){.type = LB_PENALTY, .penalty = -LB_INFINITY});
}

/* Append the items of `text` (grammar at the top of the file). */
static void append_text(para *p, const char *text)
{
    size_t run = 0;
    for (const char *c = text;; c++) {
        if (*c && !strchr(" |~\n", *c)) {
            run++;
            continue;
        }
        if (run)
            push_box(p, (double)run);
        run = 0;
        if (!*c)
            break;
        if (*c == ' ') {
            push_space(p);
        } else if (*c == '|') {
            push_item(p, (lb_item){.type = LB_PENALTY, .width = 1, .penalty = 50, .flagged = true});
        } else if (*c == '~') {
            push_item(p, (lb_item){.type = LB_PENALTY, .penalty = LB_INFINITY});
            push_space(p);
        } else {
            push_finish(p);
        }
    }
}

static para make_para(const char *text)
{
    para p = {0};
    append_text(&p, text);
    push_finish(&p);
    return p;
}

static lb_params make_params(double width)
{
    return (lb_params){.width = width,
                       .tolerance = 2,
                       .line_penalty = 10,
                       .flagged_demerits = 3000,
                       .fitness_demerits = 100};
}

static bool is_forced(const lb_item *it)
{
    return it->type == LB_PENALTY && it->penalty <= -LB_INFINITY;
}

static bool is_legal_break(const lb_item *items, size_t i)
{
    if (items[i].type == LB_PENALTY)
        return items[i].penalty < LB_INFINITY;
    return items[i].type == LB_GLUE && i > 0 && items[i - 1].type == LB_BOX;
}

typedef struct measure {
    double natural, stretch, shrink;
    bool fil;
} measure;

/* The line [start, end) set by a break at `end`, measured independently. */
static measure measure_line(const lb_item *items, size_t n, size_t start, size_t end)
{
    measure m = {0};
    for (size_t i = start; i < end; i++) {
        if (items[i].type == LB_PENALTY)
            continue;
        m.natural += items[i].width;
        if (items[i].type == LB_GLUE) {
            if (isinf(items[i].stretch))
                m.fil = true;
            else
                m.stretch += items[i].stretch;
            m.shrink += items[i].shrink;
        }
    }
    if (end < n && items[end].type == LB_PENALTY)
        m.natural += items[end].width;
    return m;
}

static double compute_ratio(const lb_item *items, size_t n, size_t start, size_t end, double width)
{
    measure m = measure_line(items, n, start, end);
    double slack = width - m.natural;
    if (fabs(slack) < EPS || m.fil)
        return 0;
    if (slack > 0)
        return m.stretch > 0 ? slack / m.stretch : INFINITY;
    return m.shrink > 0 ? slack / m.shrink : -INFINITY;
}

/* Everything the breaker promises about any result. */
static void check_lines(const lb_item *items, size_t n, double width, const lb_line *lines,
                        size_t count)
{
    size_t pos = 0; /* first item not yet covered */
    for (size_t k = 0; k < count; k++) {
        const lb_line *l = &lines[k];
        /* Between lines only discardable items, and never a forced break. */
        for (size_t i = pos; i < l->start; i++)
            assert_true(items[i].type == LB_GLUE ||
                        (items[i].type == LB_PENALTY && !is_forced(&items[i])));
        assert_true(l->start <= l->end && l->end <= n);
        if (l->end < n)
            assert_true(is_legal_break(items, l->end) || k + 1 == count);
        for (size_t i = l->start; i < l->end; i++)
            assert_false(is_forced(&items[i]));
        assert_true(isfinite(l->ratio) && l->ratio >= -1.0);
        assert_int_equal(l->hyphen, l->end < n && items[l->end].type == LB_PENALTY &&
                                        items[l->end].flagged && items[l->end].width > 0);

        measure m = measure_line(items, n, l->start, l->end);
        if (l->overfull) {
            /* One unbreakable piece alone: no breakpoint inside it, but for
             * one followed by nothing to set (glue before a forced break). */
            assert_true(m.natural - m.shrink > width + EPS);
            for (size_t i = l->start; i < l->end; i++) {
                if (!is_legal_break(items, i))
                    continue;
                for (size_t j = i + 1; j < l->end; j++)
                    assert_true(items[j].type == LB_GLUE || items[j].type == LB_PENALTY);
            }
        } else {
            assert_true(m.natural - m.shrink <= width + EPS);
        }
        pos = l->end < n ? l->end + 1 : n;
    }
    /* After the last line only discardable items or the final forced break. */
    for (size_t i = pos; i < n; i++)
        assert_true(items[i].type == LB_GLUE || items[i].type == LB_PENALTY);
}

static size_t break_para(const para *p, double width, lb_line **lines)
{
    lb_params params = make_params(width);
    size_t count = lb_break(p->items, p->n, &params, lines);
    check_lines(p->items, p->n, width, *lines, count);
    return count;
}

static void test_one_line(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        double width, ratio;
    } rows[] = {
        {"short", "aaa bb cc", 20, 0},
        {"exact fit", "aaaa bbbb", 9, 0},
        /* 12 wide with 0.66 of shrink: the last line may shrink too. */
        {"needs shrink", "aaaa bbbb cc", 11.5, -0.5 / 0.66},
        {"hyphen points unused", "ab|cd ef|gh", 30, 0},
        {"single word", "abcdef", 6, 0},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("row %s\n", rows[r].name);
        para p = make_para(rows[r].text);
        lb_line *lines = NULL;
        size_t count = break_para(&p, rows[r].width, &lines);
        assert_int_equal(count, 1);
        assert_int_equal(lines[0].start, 0);
        assert_int_equal(lines[0].end, p.n - 1); /* the final forced penalty */
        assert_false(lines[0].hyphen);
        assert_false(lines[0].overfull);
        /* The last line ends in infinite stretch: the caller sets it ragged,
         * so its ratio is 0 unless it has to shrink. */
        assert_true(fabs(lines[0].ratio - rows[r].ratio) < EPS);
        free(lines);
        free(p.items);
    }
}

/* First fit, as a word processor does: take breakpoints while the line
 * still fits when fully shrunk. Stores up to max break items in ends and
 * returns how many there are. */
static size_t break_greedy(const lb_item *items, size_t n, double width, size_t *ends, size_t max)
{
    size_t count = 0, start = 0, fits = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!is_legal_break(items, i))
            continue;
        measure m = measure_line(items, n, start, i);
        if (m.natural - m.shrink > width + EPS && fits != SIZE_MAX) {
            assert_true(count < max);
            ends[count++] = fits;
            start = fits + 1;
            while (start < n && items[start].type != LB_BOX)
                start++;
            fits = SIZE_MAX;
            i = start;
            continue;
        }
        fits = i;
        if (is_forced(&items[i])) {
            assert_true(count < max);
            ends[count++] = i;
            start = i + 1;
            fits = SIZE_MAX;
        }
    }
    return count;
}

/* Greedy fills the first line by shrinking and must then leave a line
 * stretched to r = 4; total fit sets the first line a little loose so that
 * every line is decent (KP's motivating example, scaled down). */
static void test_total_fit_beats_greedy(void **state)
{
    (void)state;
    const double width = 16;
    para p = make_para("a a abcd abcdef a abcdef abcdefg abc ab");
    lb_line *lines = NULL;
    size_t count = break_para(&p, width, &lines);

    static const size_t want[][2] = {{0, 7}, {8, 13}, {14, 18}};
    assert_int_equal(count, 3);
    for (size_t k = 0; k < count; k++) {
        assert_int_equal(lines[k].start, want[k][0]);
        assert_int_equal(lines[k].end, want[k][1]);
    }
    assert_true(fabs(lines[0].ratio - 2.0 / 3.0) < EPS);
    assert_true(fabs(lines[1].ratio) < EPS);

    size_t greedy[8] = {0};
    size_t ngreedy = break_greedy(p.items, p.n, width, greedy, 8);
    assert_int_equal(ngreedy, 3);
    assert_int_not_equal(greedy[0], lines[0].end);

    /* Sum of r^2 over the justified lines, the last one being ragged. */
    double kp_sq = 0, greedy_sq = 0, greedy_max = 0;
    for (size_t k = 0; k + 1 < count; k++)
        kp_sq += lines[k].ratio * lines[k].ratio;
    size_t start = 0;
    for (size_t k = 0; k + 1 < ngreedy; k++) {
        double r = compute_ratio(p.items, p.n, start, greedy[k], width);
        greedy_sq += r * r;
        greedy_max = fmax(greedy_max, r);
        start = greedy[k] + 1;
    }
    assert_true(greedy_max > 1.0); /* a very loose line */
    assert_true(kp_sq < greedy_sq);
    for (size_t k = 0; k < count; k++)
        assert_true(lines[k].ratio <= 1.0);
    free(lines);
    free(p.items);
}

/* Deterministic pseudo-random text: words of 1..10 letters, some with
 * hyphenation points, some ties and rare forced breaks. */
static char *make_text(uint32_t seed, size_t words, bool ties)
{
    char *text = malloc(words * 24 + 1);
    assert_non_null(text);
    size_t len = 0;
    uint32_t x = seed;
    for (size_t w = 0; w < words; w++) {
        x = x * 1664525u + 1013904223u;
        if (w > 0) {
            uint32_t sep = (x >> 8) % 100;
            text[len++] = ties && sep < 5 ? '~' : ties && sep == 5 ? '\n' : ' ';
        }
        size_t letters = 1 + (x >> 16) % 10;
        for (size_t i = 0; i < letters; i++) {
            if (i >= 2 && i + 2 <= letters && i % 3 == 2)
                text[len++] = '|';
            text[len++] = (char)('a' + i);
        }
    }
    text[len] = '\0';
    return text;
}

static void test_invariants(void **state)
{
    (void)state;
    static const double widths[] = {3, 6, 9, 12, 20, 35, 60, 100};
    for (uint32_t seed = 1; seed <= 20; seed++) {
        char *text = make_text(seed, 60, true);
        para p = make_para(text);
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            lb_line *lines = NULL;
            size_t count = break_para(&p, widths[w], &lines);
            assert_true(count >= 1);
            /* Only a piece without breakpoints (a word part, or words joined
             * by ties) longer than the line may be overfull; at width 12
             * these texts have none. */
            if (widths[w] >= 12)
                for (size_t k = 0; k < count; k++)
                    assert_false(lines[k].overfull);
            free(lines);
        }
        free(p.items);
        free(text);
    }
}

static void test_forced_breaks(void **state)
{
    (void)state;
    para p = make_para("aa bb\ncc dd\n\nee");
    lb_line *lines = NULL;
    size_t count = break_para(&p, 40, &lines);
    /* "aa bb", "cc dd", an empty line, "ee". */
    assert_int_equal(count, 4);
    for (size_t k = 0; k < count; k++) {
        assert_true(is_forced(&p.items[lines[k].end]));
        assert_true(lines[k].ratio == 0.0);
    }
    assert_int_equal(lines[2].start, lines[2].end); /* a forced penalty starts it */
    assert_int_equal(lines[3].end, p.n - 1);
    free(lines);
    free(p.items);
}

static void test_infinite_penalty(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        double width;
        size_t lines;
    } rows[] = {
        /* Without the tie "aaaa bbbb" would fill the first line exactly. */
        {"tie blocks an exact fit", "aaaa bbbb~cccc dddd", 9, 3},
        {"all ties", "aa~bb~cc~dd~ee~ff~gg", 8, 1},
        {"ties in random text", NULL, 15, 0},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("row %s\n", rows[r].name);
        char *text = rows[r].text ? NULL : make_text(42, 400, true);
        para p = make_para(rows[r].text ? rows[r].text : text);
        lb_line *lines = NULL;
        size_t count = break_para(&p, rows[r].width, &lines);
        if (rows[r].lines)
            assert_int_equal(count, rows[r].lines);
        for (size_t k = 0; k < count; k++) {
            size_t e = lines[k].end;
            if (p.items[e].type == LB_PENALTY)
                assert_true(p.items[e].penalty < LB_INFINITY);
            else
                assert_false(e > 0 && p.items[e - 1].type == LB_PENALTY);
        }
        free(lines);
        free(p.items);
        free(text);
    }
}

static size_t count_hyphens(const lb_line *lines, size_t count)
{
    size_t h = 0;
    for (size_t k = 0; k < count; k++)
        h += lines[k].hyphen;
    return h;
}

static void test_hyphenation(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        double width;
        size_t hyphens;
    } rows[] = {
        /* Breaking between words gives decent lines: no hyphen. */
        {"not needed", "ab|cd|ef gh|ij|kl mn|op|qr st|uv|wx", 20, 0},
        /* 12 letters into 7: unbreakable without a hyphen. */
        {"needed", "abc|def|ghi|jkl", 7, 1},
        /* Without a hyphen line 1 is "aaa" alone, with no glue to stretch. */
        {"better than a loose line", "aaa bbbbb|bbbb|bb", 10, 1},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("row %s\n", rows[r].name);
        para p = make_para(rows[r].text);
        lb_line *lines = NULL;
        size_t count = break_para(&p, rows[r].width, &lines);
        assert_int_equal(count_hyphens(lines, count), rows[r].hyphens);
        for (size_t k = 0; k < count; k++) {
            assert_false(lines[k].overfull);
            if (lines[k].hyphen) {
                const lb_item *pen = &p.items[lines[k].end];
                assert_true(pen->type == LB_PENALTY && pen->flagged);
            }
        }
        free(lines);
        free(p.items);
    }
}

static bool has_consecutive_hyphens(const lb_line *lines, size_t count)
{
    for (size_t k = 0; k + 1 < count; k++)
        if (lines[k].hyphen && lines[k + 1].hyphen)
            return true;
    return false;
}

static void test_consecutive_hyphens(void **state)
{
    (void)state;
    para p = make_para("ab abc abc ab|cd abc abc ab|cde|fghi abc ab|cd");
    lb_params params = make_params(15);
    lb_line *lines = NULL;

    /* Free of flagged demerits, the best breaks hyphenate three lines in a
     * row, all at r = 2/3. */
    params.flagged_demerits = 0;
    size_t count = lb_break(p.items, p.n, &params, &lines);
    check_lines(p.items, p.n, params.width, lines, count);
    assert_int_equal(count, 4);
    assert_int_equal(count_hyphens(lines, count), 3);
    assert_true(has_consecutive_hyphens(lines, count));
    free(lines);

    /* With them, a looser line (r = 1) and one hyphen win. */
    params.flagged_demerits = 3000;
    count = lb_break(p.items, p.n, &params, &lines);
    check_lines(p.items, p.n, params.width, lines, count);
    assert_int_equal(count, 3);
    assert_int_equal(count_hyphens(lines, count), 1);
    for (size_t k = 0; k < count; k++)
        assert_true(lines[k].ratio <= 1.0 + EPS);
    free(lines);
    free(p.items);
}

static size_t longest_hyphen_run(const lb_line *lines, size_t count)
{
    size_t run = 0, longest = 0;
    for (size_t k = 0; k < count; k++) {
        run = lines[k].hyphen ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

/* max_flagged_run is a hard rule: with flagged demerits 0 the cheapest
 * setting ends five lines in a row with a hyphen; with a limit no more than
 * that many do, and no line is overfull. */
static void test_hyphen_run_limit(void **state)
{
    (void)state;
    /* every line "aaaaa aaaaa-" fits exactly; a line without a hyphen has
     * a word alone, with no glue to stretch */
    para p = make_para("aaaaa aaaaa|aaaaa aaaaa|aaaaa aaaaa|aaaaa aaaaa|aaaaa aaaaa|aaaaa aaaaa");
    lb_params params = make_params(12);
    params.flagged_demerits = 0;
    lb_line *lines;
    size_t count = lb_break(p.items, p.n, &params, &lines);
    check_lines(p.items, p.n, params.width, lines, count);
    assert_true(longest_hyphen_run(lines, count) > 2);
    free(lines);
    for (unsigned limit = 1; limit <= 2; limit++) {
        params.max_flagged_run = limit;
        count = lb_break(p.items, p.n, &params, &lines);
        check_lines(p.items, p.n, params.width, lines, count);
        assert_true(longest_hyphen_run(lines, count) <= limit);
        for (size_t k = 0; k + 1 < count; k++)
            assert_false(lines[k].overfull);
        free(lines);
    }
    free(p.items);
}

/* Boxes may stretch and shrink (letter spacing): the ratio counts their
 * stretch with the glue's, and a break never drops it. */
static void test_box_stretch(void **state)
{
    (void)state;
    lb_item items[] = {
        {.type = LB_BOX, .width = 4, .stretch = 1, .shrink = 0.5},
        {.type = LB_GLUE, .width = 1, .stretch = 0.5, .shrink = 0.25},
        {.type = LB_BOX, .width = 4, .stretch = 1, .shrink = 0.5},
        {.type = LB_GLUE, .stretch = INFINITY},
        {.type = LB_PENALTY, .penalty = -LB_INFINITY},
    };
    lb_params params = make_params(11);
    lb_line *lines;
    /* 9 wide, 2 short: stretch 2.5, but the last line has infinite stretch */
    size_t count = lb_break(items, 5, &params, &lines);
    assert_int_equal(count, 1);
    free(lines);
    items[3] = (lb_item){.type = LB_GLUE};
    count = lb_break(items, 5, &params, &lines);
    assert_int_equal(count, 1);
    assert_true(fabs(lines[0].ratio - 2.0 / 2.5) < EPS);
    free(lines);
    /* 8 wide: shrinks by 1 of its 1.25 */
    params.width = 8;
    count = lb_break(items, 5, &params, &lines);
    assert_int_equal(count, 1);
    assert_true(fabs(lines[0].ratio + 1.0 / 1.25) < EPS);
    assert_false(lines[0].overfull);
    free(lines);
}

static void test_wide_box(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        double width;
        size_t lines;
    } rows[] = {
        {"in the middle", "aa bb cccccccccccccccccccc dd ee", 10, 3},
        {"first", "cccccccccccccccccccc dd ee", 10, 2},
        {"last", "aa bb cccccccccccccccccccc", 10, 2},
        {"alone", "cccccccccccccccccccc", 10, 1},
        {"two in a row", "aa cccccccccccc dddddddddddd ee", 10, 4},
        {"zero width", "aa bb cc", 0, 3},
        {"narrow cell", "abc|def ghi", 2, 3},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("row %s\n", rows[r].name);
        para p = make_para(rows[r].text);
        lb_line *lines = NULL;
        size_t count = break_para(&p, rows[r].width, &lines);
        assert_int_equal(count, rows[r].lines);
        for (size_t k = 0; k < count; k++) {
            size_t boxes = 0;
            bool wide = false;
            for (size_t i = lines[k].start; i < lines[k].end; i++) {
                if (p.items[i].type != LB_BOX)
                    continue;
                boxes++;
                wide = wide || p.items[i].width > rows[r].width;
            }
            /* A box wider than the line is alone, and only such lines are overfull. */
            if (wide)
                assert_int_equal(boxes, 1);
            assert_int_equal(lines[k].overfull, wide);
        }
        free(lines);
        free(p.items);
    }
}

static void test_long_paragraph(void **state)
{
    (void)state;
    /* About 150,000 words, 1 MB as Cyrillic UTF-8: must stay near linear. */
    char *text = make_text(7, 150000, false);
    para p = make_para(text);
    lb_line *lines = NULL;
    size_t count = break_para(&p, 80, &lines);
    assert_true(count > 10000);
    for (size_t k = 0; k < count; k++)
        assert_false(lines[k].overfull);
    free(lines);
    free(p.items);
    free(text);
}

static void test_degenerate_paragraph(void **state)
{
    (void)state;
    /* Zero-width words never overflow a line, so without the cap on active
     * nodes every break would stay active: this must still finish. */
    para p = {0};
    for (size_t i = 0; i < 10000; i++) {
        push_box(&p, 0);
        push_item(&p, (lb_item){.type = LB_GLUE, .stretch = 1});
    }
    push_finish(&p);
    lb_line *lines = NULL;
    size_t count = break_para(&p, 10, &lines);
    assert_true(count >= 1);
    free(lines);
    free(p.items);
}

static void test_empty(void **state)
{
    (void)state;
    lb_params params = make_params(10);
    static lb_line dummy;
    lb_line *lines = &dummy; /* must be reset to NULL */
    assert_int_equal(lb_break(NULL, 0, &params, &lines), 0);
    assert_null(lines);

    static const char *const texts[] = {"", "\n", "  ", "|"};
    for (size_t r = 0; r < sizeof texts / sizeof texts[0]; r++) {
        para p = make_para(texts[r]);
        lines = &dummy;
        assert_int_equal(lb_break(p.items, p.n, &params, &lines), 0);
        assert_null(lines);
        free(p.items);
    }
}

static void test_no_finishing_items(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        size_t lines;
    } rows[] = {
        {"words", "aaa bbb ccc ddd eee", 2},
        {"trailing space", "aaa bbb ccc ddd eee ", 2},
        {"trailing forced break", "aaa bbb ccc ddd eee\n ", 2},
        {"one word", "abc", 1},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("row %s\n", rows[r].name);
        para p = {0};
        append_text(&p, rows[r].text);
        lb_line *lines = NULL;
        size_t count = break_para(&p, 12, &lines);
        assert_int_equal(count, rows[r].lines);
        /* The end acts as the finishing glue: the last line is ragged. */
        assert_true(lines[count - 1].ratio == 0.0);
        assert_false(lines[count - 1].overfull);
        free(lines);
        free(p.items);
    }
}

static void test_no_stretch(void **state)
{
    (void)state;
    /* A table cell may hold boxes and rigid glue only: no line can be
     * justified, yet every word must be set, without an overfull line. */
    para p = {0};
    for (size_t i = 0; i < 6; i++) {
        if (i)
            push_item(&p, (lb_item){.type = LB_GLUE, .width = 1});
        push_box(&p, 3);
    }
    push_item(&p, (lb_item){.type = LB_PENALTY, .penalty = -LB_INFINITY});
    lb_line *lines = NULL;
    size_t count = break_para(&p, 10, &lines);
    assert_int_equal(count, 3); /* "xxx xxx" thrice, each 7 wide */
    for (size_t k = 0; k < count; k++) {
        assert_false(lines[k].overfull);
        assert_true(lines[k].ratio == 0.0);
    }
    free(lines);
    free(p.items);
}

static void test_bad_values(void **state)
{
    (void)state;
    /* Nonsense numbers must not crash, loop or lose a box. */
    para p = {0};
    push_box(&p, NAN);
    push_item(&p, (lb_item){.type = LB_GLUE, .width = INFINITY, .stretch = -5, .shrink = NAN});
    push_box(&p, 4);
    push_item(&p, (lb_item){.type = LB_PENALTY, .width = NAN, .penalty = NAN, .flagged = true});
    push_box(&p, -3);
    push_item(&p, (lb_item){.type = LB_GLUE, .width = 1, .stretch = NAN, .shrink = INFINITY});
    push_box(&p, 5);
    push_finish(&p);
    static const lb_params params[] = {
        {.width = NAN, .tolerance = NAN, .line_penalty = NAN},
        {.width = INFINITY, .tolerance = INFINITY, .flagged_demerits = INFINITY},
        {.width = -10, .tolerance = -1, .fitness_demerits = -INFINITY},
        {.width = 5, .tolerance = 1, .line_penalty = 1e300, .fitness_demerits = 1e300},
    };
    for (size_t r = 0; r < sizeof params / sizeof params[0]; r++) {
        lb_line *lines = NULL;
        size_t count = lb_break(p.items, p.n, &params[r], &lines);
        assert_true(count >= 1 && count <= 4);
        assert_int_equal(lines[0].start, 0);
        assert_int_equal(lines[count - 1].end, p.n - 1);
        for (size_t k = 0; k < count; k++)
            assert_true(isfinite(lines[k].ratio) && lines[k].ratio >= -1);
        free(lines);
    }
    free(p.items);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *text = make_text(3, 2000, true);
    para p = make_para(text);
    lb_line *a = NULL, *b = NULL;
    size_t na = break_para(&p, 23, &a);
    size_t nb = break_para(&p, 23, &b);
    assert_int_equal(na, nb);
    for (size_t k = 0; k < na; k++) {
        assert_int_equal(a[k].start, b[k].start);
        assert_int_equal(a[k].end, b[k].end);
        assert_true(a[k].ratio == b[k].ratio);
    }
    free(a);
    free(b);
    free(p.items);
    free(text);
}

/* try_break ends its walk at the first node whose line is too short, when
 * no item has a negative width. A glue of negative width after the final
 * forced break is dropped (it sets no line) but turns that off: the lines
 * must be the same either way. */
static void test_early_end_changes_nothing(void **state)
{
    (void)state;
    static const double widths[] = {3, 6, 9, 12, 20, 35, 60, 100};
    for (uint32_t seed = 1; seed <= 20; seed++) {
        char *text = make_text(seed, 80, seed % 2 == 0);
        para p = make_para(text);
        para q = make_para(text);
        push_item(&q, (lb_item){.type = LB_GLUE, .width = -1});
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            for (unsigned run = 0; run <= 2; run += 2) {
                lb_params params = make_params(widths[w]);
                params.max_flagged_run = run;
                lb_line *a = NULL, *b = NULL;
                size_t na = lb_break(p.items, p.n, &params, &a);
                size_t nb = lb_break(q.items, q.n, &params, &b);
                assert_int_equal(na, nb);
                for (size_t k = 0; k < na; k++) {
                    assert_int_equal(a[k].start, b[k].start);
                    assert_int_equal(a[k].end, b[k].end);
                    assert_true(a[k].ratio == b[k].ratio);
                    assert_true(a[k].hyphen == b[k].hyphen && a[k].overfull == b[k].overfull);
                }
                free(a);
                free(b);
            }
        }
        free(p.items);
        free(q.items);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_total_fit_beats_greedy),
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_forced_breaks),
        cmocka_unit_test(test_infinite_penalty),
        cmocka_unit_test(test_hyphenation),
        cmocka_unit_test(test_consecutive_hyphens),
        cmocka_unit_test(test_wide_box),
        cmocka_unit_test(test_long_paragraph),
        cmocka_unit_test(test_degenerate_paragraph),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_no_finishing_items),
        cmocka_unit_test(test_no_stretch),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_hyphen_run_limit),
        cmocka_unit_test(test_box_stretch),
        cmocka_unit_test(test_early_end_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
