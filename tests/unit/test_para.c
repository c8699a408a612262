/* Unit tests of the paragraph setter through layout_run, with fake fonts
 * (every character 0.5 em wide, a space 0.25 em) and the real hyphenation
 * dictionary: the rules of docs/typesetting.md §3. Run from the project
 * root (build/hyph_ru_RU.hyb). */
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
#define DICTIONARY "build/hyph_ru_RU.hyb"
#define SHY "\u00AD"

/* One paragraph in a measure `width` points wide, set in style st. */
typedef struct setting {
    blk_style st;
    blk_block block;
    blk_doc doc;
    layout_doc *out;
} setting;

static void set_with(setting *s, const char *text, double width, blk_align align, bool hyphenate,
                     const text_hyph *h, const layout_fonts *f)
{
    s->st = (blk_style){.name = "body",
                        .family = "Fake",
                        .size_pt = 10,
                        .leading = 1.0,
                        .align = align,
                        .hyphenate = hyphenate,
                        .max_width_pt = width};
    s->block = (blk_block){.kind = BLK_PARA, .style = &s->st, .text = text};
    s->doc = (blk_doc){.page = {.width_pt = 210 * MM,
                                .height_pt = 297 * MM,
                                .margin_top_pt = 20 * MM,
                                .margin_right_pt = 10 * MM,
                                .margin_bottom_pt = 20 * MM,
                                .margin_left_pt = 20 * MM,
                                .number_style = &s->st},
                       .blocks = &s->block,
                       .n = 1};
    diag *d = diag_new();
    s->out = layout_run(&s->doc, f, h, d);
    assert_non_null(s->out);
    assert_int_equal(layout_check(s->out, d), 0);
    diag_free(d);
}

static void set(setting *s, const char *text, double width, blk_align align, bool hyphenate,
                const text_hyph *h)
{
    set_with(s, text, width, align, hyphenate, h, &fonts);
}

/* The lines of page 0 as text: words joined by spaces, one line per row of
 * `lines` (each at most 255 bytes); returns the count. */
static size_t lines_of(const layout_doc *doc, char lines[][256], size_t cap)
{
    const layout_page *p = &doc->pages[0];
    size_t n = 0;
    double y = NAN, end = 0;
    for (size_t i = 0; i < p->n; i++) {
        const layout_box *b = &p->boxes[i];
        if (b->kind != LAYOUT_TEXT)
            continue;
        if (b->y != y) {
            assert_true(n < cap);
            lines[n++][0] = '\0';
            y = b->y;
        } else if (b->x - end > 0.5) {
            strcat(lines[n - 1], " ");
        }
        strncat(lines[n - 1], b->text, 255 - strlen(lines[n - 1]));
        end = b->x + b->width - b->char_space;
    }
    return n;
}

static size_t count_letters(const char *s)
{
    size_t n = 0;
    for (size_t i = 0; s[i];) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, strlen(s + i), &cp);
        n += (cp >= 0x410 && cp <= 0x44F) || cp == 0x451;
        i += k ? k : 1;
    }
    return n;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

/* In every measure from 60 to 200 pt, a paragraph's last line is never a
 * piece of its last word of 1-4 letters ("ства."). */
static void test_no_short_last_fragment(void **state)
{
    (void)state;
    text_hyph *h = text_hyph_load(DICTIONARY);
    assert_non_null(h);
    static const char *const texts[] = {
        "Организовать работу по внедрению целевой модели наставничества.",
        "Выявить дефициты и запросы молодых педагогов и классных руководителей.",
        "Анализ сложившейся в системе образования ситуации выявил ряд противоречий:",
    };
    for (size_t t = 0; t < 3; t++)
        for (double w = 60; w <= 400; w += 0.5) {
            setting s;
            set(&s, texts[t], w, BLK_JUSTIFY, true, h);
            char lines[64][256];
            size_t n = lines_of(s.out, lines, 64);
            assert_true(n >= 1);
            if (n >= 2 && (ends_with(lines[n - 2], SHY) || ends_with(lines[n - 2], "-")) &&
                !strchr(lines[n - 1], ' '))
                assert_true(count_letters(lines[n - 1]) >= 5);
            layout_doc_free(s.out);
        }
    text_hyph_free(h);
}

/* A compound in a style that does not hyphenate breaks at its own hyphen,
 * which stays a plain "-" (copied text keeps it); never without a hyphen. */
static void test_compound_breaks_at_its_hyphen(void **state)
{
    (void)state;
    setting s;
    /* "Сентябрь-октябрь" is 80 pt wide: the measure holds one part */
    set(&s, "Сентябрь-октябрь 2023", 50, BLK_LEFT, false, NULL);
    char lines[8][256];
    size_t n = lines_of(s.out, lines, 8);
    assert_int_equal(n, 3);
    assert_string_equal(lines[0], "Сентябрь-");
    assert_string_equal(lines[1], "октябрь");
    layout_doc_free(s.out);
}

/* A word wider than its measure is split with a visible hyphen (U+00AD,
 * dropped when the text is copied) at every split. */
static void test_split_word_gets_a_hyphen(void **state)
{
    (void)state;
    setting s;
    set(&s, "жжжжжжжжжжжжжжжжжжжжжжжжжжжжжж", 40, BLK_LEFT, false, NULL);
    char lines[16][256];
    size_t n = lines_of(s.out, lines, 16);
    assert_true(n >= 4);
    size_t letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n)
            assert_true(ends_with(lines[i], SHY));
        letters += count_letters(lines[i]);
    }
    assert_int_equal(letters, 30);
    layout_doc_free(s.out);
}

/* Justified text never ends more than two lines in a row with a hyphen. */
static void test_at_most_two_hyphens_in_a_row(void **state)
{
    (void)state;
    text_hyph *h = text_hyph_load(DICTIONARY);
    assert_non_null(h);
    static const char text[] =
        "Методологические рекомендации определяют организационно-методическое сопровождение "
        "профессионального самоопределения обучающихся общеобразовательных организаций, "
        "распространение лучших практик наставничества, формирование региональных программ "
        "наставничества, информационно-просветительское сопровождение педагогических "
        "работников образовательных организаций и представителей предприятий-партнёров";
    for (double w = 90; w <= 220; w += 10) {
        setting s;
        set(&s, text, w, BLK_JUSTIFY, true, h);
        char lines[64][256];
        size_t n = lines_of(s.out, lines, 64), run = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            run = ends_with(lines[i], SHY) || ends_with(lines[i], "-") ? run + 1 : 0;
            assert_true(run <= 2);
        }
        layout_doc_free(s.out);
    }
    text_hyph_free(h);
}

/* A centred paragraph of two lines is balanced: no word alone below. */
static void test_centred_lines_balanced(void **state)
{
    (void)state;
    setting s;
    /* 60 letters (300 pt) and 6 spaces (15 pt): 265 pt hold all but the last word */
    set(&s, "Дорожная карта внедрения целевой модели наставничества обучающихся", 265, BLK_CENTER,
        false, NULL);
    char lines[8][256];
    size_t n = lines_of(s.out, lines, 8);
    assert_int_equal(n, 2);
    assert_non_null(strchr(lines[1], ' '));
    double w[2] = {0, 0};
    for (size_t i = 0; i < 2; i++)
        w[i] = (double)count_letters(lines[i]);
    assert_true(fabs(w[0] - w[1]) <= 12);
    layout_doc_free(s.out);
}

/* The fake fonts, counting the widths asked of them, with every glyph. */
static size_t advance_calls;

static double counting_advance(void *ctx, int font, uint32_t cp)
{
    advance_calls++;
    return fake_advance(ctx, font, cp);
}

static bool every_glyph(void *ctx, int font, uint32_t cp)
{
    (void)ctx;
    (void)font;
    (void)cp;
    return true;
}

/* A layout asks the fonts for each character's width once, however often
 * the paragraph uses it (glyph check, words, pieces, passes). */
static void test_widths_asked_once(void **state)
{
    (void)state;
    layout_fonts f = fonts;
    f.advance = counting_advance;
    char text[2000] = "";
    for (int i = 0; i < 150; i++)
        strcat(text, i ? " жук" : "жук");
    advance_calls = 0;
    setting s;
    set_with(&s, text, 100, BLK_JUSTIFY, false, NULL, &f);
    /* ж, у, к, the space and the hyphen: asked once each */
    assert_true(advance_calls <= 5);
    layout_doc_free(s.out);
}

/* Beyond the pages of code points a layout keeps (GLYPH_MAX_PAGES, 64, in
 * para.c), widths are asked again and still right: 100 characters from 100
 * pages, each box as wide as its characters. */
static void test_widths_beyond_the_kept_pages(void **state)
{
    (void)state;
    layout_fonts f = fonts;
    f.advance = counting_advance;
    f.has = every_glyph;
    char text[1000] = "";
    size_t len = 0;
    for (uint32_t page = 1; page <= 100; page++) {
        if (page > 1)
            text[len++] = ' ';
        len += utf8_encode(page * 0x100 + 0x41, text + len);
    }
    text[len] = '\0';
    advance_calls = 0;
    setting s;
    set_with(&s, text, 150, BLK_LEFT, false, NULL, &f);
    assert_true(advance_calls > 100); /* the pages past the bound are asked again */
    size_t chars = 0;
    for (size_t p = 0; p < s.out->npages; p++) {
        const layout_page *pg = &s.out->pages[p];
        for (size_t i = 0; i < pg->n; i++) {
            const layout_box *b = &pg->boxes[i];
            if (b->kind != LAYOUT_TEXT || b->y > pg->height - pg->margin_top)
                continue; /* the page number */
            size_t n = utf8_count(b->text, b->len);
            chars += n;
            assert_true(fabs(b->width - 5.0 * (double)n) < 1e-9);
        }
    }
    assert_int_equal(chars, 100);
    layout_doc_free(s.out);
}

/* A word wider than its measure shares its first line with what stands
 * before it: the breaker chooses the cut (cut at the full measure, «1.»
 * stood alone on its line, letter-spaced). */
static void test_long_word_after_number(void **state)
{
    (void)state;
    setting s;
    /* 5 pt a letter: the measure holds «1.», a space, 4 letters and a hyphen */
    set(&s, "1.\u00A0жжжжжжжжжжжжжжжжжжжжжжжжжжжжжж", 40, BLK_JUSTIFY, true, NULL);
    char lines[16][256];
    size_t n = lines_of(s.out, lines, 16);
    assert_true(n >= 4);
    assert_true(!strncmp(lines[0], "1.", 2) && strstr(lines[0], "жжж"));
    size_t letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n)
            assert_true(ends_with(lines[i], SHY));
        letters += count_letters(lines[i]);
    }
    assert_int_equal(letters, 30);
    layout_doc_free(s.out);
}

/* Cut between letters, a word never carries one letter to its last line,
 * and the paragraph's last line keeps five letters where the line holds
 * them (7 here), whatever its length. */
static void test_long_word_no_scraps(void **state)
{
    (void)state;
    for (size_t len = 9; len <= 60; len++) {
        char text[256] = "";
        for (size_t k = 0; k < len; k++)
            strcat(text, "ж");
        setting s;
        set(&s, text, 40, BLK_LEFT, false, NULL);
        char lines[32][256];
        size_t n = lines_of(s.out, lines, 32);
        assert_true(n >= 2);
        assert_true(count_letters(lines[n - 1]) >= 5);
        layout_doc_free(s.out);
    }
}

/* A web address breaks after «/», before «.» and its own «-», with no
 * hyphen added: its lines join to it as typed. */
static void test_address_breaks_without_hyphen(void **state)
{
    (void)state;
    const char *url = "https://kez2.exam-ple.ru/nastavnichestvo/keys-teplica";
    for (double w = 30; w <= 120; w += 5) {
        setting s;
        set(&s, url, w, BLK_LEFT, true, NULL);
        char lines[32][256], joined[512] = "";
        size_t n = lines_of(s.out, lines, 32);
        for (size_t i = 0; i < n; i++) {
            assert_false(ends_with(lines[i], SHY));
            assert_false(ends_with(lines[i], "-"));
            strcat(joined, lines[i]);
        }
        assert_string_equal(joined, url);
        layout_doc_free(s.out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_short_last_fragment),
        cmocka_unit_test(test_compound_breaks_at_its_hyphen),
        cmocka_unit_test(test_split_word_gets_a_hyphen),
        cmocka_unit_test(test_at_most_two_hyphens_in_a_row),
        cmocka_unit_test(test_centred_lines_balanced),
        cmocka_unit_test(test_widths_asked_once),
        cmocka_unit_test(test_widths_beyond_the_kept_pages),
        cmocka_unit_test(test_long_word_after_number),
        cmocka_unit_test(test_long_word_no_scraps),
        cmocka_unit_test(test_address_breaks_without_hyphen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
