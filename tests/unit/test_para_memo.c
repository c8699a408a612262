/* Unit tests of the memo of set paragraphs (para_memo.h): what it returns
 * is what it was given, a key differing in any field is another key, the
 * hash alone is never trusted, and the bytes it holds stay under its bound
 * whatever is put. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "para_memo.h"

/* A value of n items and lines: item k is k wide, ranges [k, k + 1). */
typedef struct value {
    lb_item items[64];
    size_t from[64], to[64];
    lb_line lines[8];
    para_memo_val v;
} value;

static void make_value(value *w, const char *text, size_t n)
{
    assert_true(n <= 64);
    for (size_t k = 0; k < n; k++) {
        w->items[k] = (lb_item){.type = LB_BOX, .width = (double)k, .stretch = 0.5};
        w->from[k] = k;
        w->to[k] = k + 1;
    }
    for (size_t i = 0; i < 8; i++)
        w->lines[i] = (lb_line){.start = i, .end = i + 1, .ratio = 0.25 * (double)i};
    w->v = (para_memo_val){text, strlen(text), w->lines, 8, w->items, w->from, w->to, n};
}

static para_memo_key make_key(const char *text)
{
    para_memo_key k = {.font = 7,
                       .dict = NULL,
                       .size_pt = 12,
                       .letter_spacing_pt = 0,
                       .width_pt = 300,
                       .first_indent_pt = 35.4,
                       .flags = 1,
                       .text = text,
                       .len = strlen(text)};
    k.hash = para_memo_hash(&k);
    return k;
}

static void test_returns_what_was_put(void **state)
{
    (void)state;
    para_memo *m = para_memo_new(1 << 20);
    char raw[] = "Текст «как есть»";
    value w;
    make_value(&w, "Текст «как есть» — готов", 20);
    para_memo_key k = make_key(raw);
    assert_true(para_memo_put(m, &k, &w.v));
    /* the memo holds copies: the caller's buffers may change */
    raw[0] = 'X';
    w.items[3].width = -1;
    para_memo_key again = make_key("Текст «как есть»");
    para_memo_val got;
    assert_true(para_memo_get(m, &again, &got));
    assert_string_equal(got.text, "Текст «как есть» — готов");
    assert_int_equal(got.len, strlen("Текст «как есть» — готов"));
    assert_int_equal(got.nitems, 20);
    assert_int_equal(got.nlines, 8);
    assert_true(got.items[3].width == 3.0);
    assert_int_equal(got.from[19], 19);
    assert_int_equal(got.to[19], 20);
    assert_true(got.lines[7].ratio == 1.75);
    /* a key stored keeps its first value */
    value other;
    make_value(&other, "другой", 2);
    assert_false(para_memo_put(m, &again, &other.v));
    assert_true(para_memo_get(m, &again, &got));
    assert_int_equal(got.nitems, 20);
    para_memo_free(m);
}

/* Each field of the key, changed alone, makes another key. */
static void test_every_field_is_compared(void **state)
{
    (void)state;
    para_memo *m = para_memo_new(1 << 20);
    value w;
    make_value(&w, "x", 4);
    para_memo_key k = make_key("одна строка");
    assert_true(para_memo_put(m, &k, &w.v));
    static const int dict;
    for (int field = 0; field < 9; field++) {
        para_memo_key c = make_key("одна строка");
        switch (field) {
        case 0:
            c.font = 8;
            break;
        case 1:
            c.dict = &dict;
            break;
        case 2:
            c.size_pt = 12.000001;
            break;
        case 3:
            c.letter_spacing_pt = 0.5;
            break;
        case 4:
            c.width_pt = 299.99;
            break;
        case 5:
            c.first_indent_pt = 0;
            break;
        case 6:
            c.flags = 3;
            break;
        case 7:
            c.text = "одна строкА";
            break;
        default:
            c.len = 5;
            break; /* a prefix of the same text */
        }
        c.hash = para_memo_hash(&c);
        para_memo_val got;
        assert_false(para_memo_get(m, &c, &got));
    }
    para_memo_free(m);
}

/* Keys whose hashes are equal are told apart by their fields: the hash is
 * never trusted alone. */
static void test_equal_hashes_compared_in_full(void **state)
{
    (void)state;
    para_memo *m = para_memo_new(1 << 20);
    value a, b;
    make_value(&a, "первый", 3);
    make_value(&b, "второй", 5);
    para_memo_key ka = make_key("первый"), kb = make_key("второй");
    ka.hash = kb.hash = 42;
    assert_true(para_memo_put(m, &ka, &a.v));
    assert_true(para_memo_put(m, &kb, &b.v));
    para_memo_val got;
    assert_true(para_memo_get(m, &ka, &got));
    assert_string_equal(got.text, "первый");
    assert_true(para_memo_get(m, &kb, &got));
    assert_string_equal(got.text, "второй");
    para_memo_key kc = make_key("третий");
    kc.hash = 42;
    assert_false(para_memo_get(m, &kc, &got));
    para_memo_free(m);
}

/* 20000 different entries of about 4.5 KiB into a memo of 256 KiB: the
 * bytes never pass the bound, the latest entry is always there, and the
 * memo keeps many. */
static void test_many_entries_stay_under_the_bound(void **state)
{
    (void)state;
    enum { LIMIT = 256 << 10, N = 20000 };
    para_memo *m = para_memo_new(LIMIT);
    value w;
    char text[64];
    size_t most = 0;
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof text, "абзац номер %d", i);
        make_value(&w, text, 64);
        para_memo_key k = make_key(text);
        assert_true(para_memo_put(m, &k, &w.v));
        assert_true(para_memo_bytes(m) <= LIMIT);
        para_memo_val got;
        assert_true(para_memo_get(m, &k, &got));
        assert_string_equal(got.text, text);
        if (para_memo_count(m) > most)
            most = para_memo_count(m);
    }
    /* 64 items of 64 bytes and their lines: the memo holds dozens at once */
    assert_true(most >= 40);
    assert_true(most < N);
    para_memo_free(m);
}

/* An entry larger than the bound is not stored, and what the memo held
 * stays within the bound. */
static void test_entry_larger_than_the_bound_not_stored(void **state)
{
    (void)state;
    enum { LIMIT = 4096 };
    para_memo *m = para_memo_new(LIMIT);
    value w;
    make_value(&w, "мал", 1);
    para_memo_key small = make_key("мал");
    assert_true(para_memo_put(m, &small, &w.v));
    make_value(&w, "велик", 64); /* 64 items: 4 KiB and more */
    para_memo_key big = make_key("велик");
    assert_false(para_memo_put(m, &big, &w.v));
    para_memo_val got;
    assert_false(para_memo_get(m, &big, &got));
    assert_true(para_memo_bytes(m) <= LIMIT);
    assert_int_equal(para_memo_count(m), 1);
    assert_true(para_memo_get(m, &small, &got));
    para_memo_free(m);
    para_memo_free(NULL);
}

/* A key is met again the second time only; the hashes of the keys met
 * stay within their share of the bound however many there are (then they
 * are forgotten and met anew). */
static void test_met_again(void **state)
{
    (void)state;
    enum { LIMIT = 64 << 10, N = 50000 };
    para_memo *m = para_memo_new(LIMIT);
    para_memo_key a = make_key("первый"), b = make_key("второй");
    assert_false(para_memo_again(m, &a));
    assert_false(para_memo_again(m, &b));
    assert_true(para_memo_again(m, &a));
    assert_true(para_memo_again(m, &b));
    char text[64];
    size_t again = 0;
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof text, "ключ %d", i);
        para_memo_key k = make_key(text);
        again += para_memo_again(m, &k);
        assert_true(para_memo_bytes(m) <= LIMIT);
    }
    assert_true(again < 10); /* equal hashes only: 50000 keys in 2^64 */
    /* a memo too small to note keys never meets one again */
    para_memo *tiny = para_memo_new(64);
    assert_false(para_memo_again(tiny, &a));
    assert_false(para_memo_again(tiny, &a));
    para_memo_free(tiny);
    para_memo_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_returns_what_was_put),
        cmocka_unit_test(test_every_field_is_compared),
        cmocka_unit_test(test_equal_hashes_compared_in_full),
        cmocka_unit_test(test_many_entries_stay_under_the_bound),
        cmocka_unit_test(test_entry_larger_than_the_bound_not_stored),
        cmocka_unit_test(test_met_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
