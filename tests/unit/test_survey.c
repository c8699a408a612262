/* Unit tests of the survey code's lookups (survey.c, survey_tally.c): the
 * index of survey ids (survey_index, survey_find), duplicate ids reported
 * once each in the order of the list, the respondents' groups counted in
 * the order first met, and rows named by a top-level key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey.h"

typedef struct fixture {
    diag *d;
    yl_doc *doc;
    arena *a;
    survey_def *defs;
    size_t n;
    bool ok;
    char *messages;
} fixture;

static fixture load(const char *text)
{
    fixture f = {diag_new(), NULL, arena_new(), NULL, 0, false, NULL};
    f.doc = yl_load_string("t.yaml", text, strlen(text), f.d);
    assert_non_null(f.doc);
    f.ok = survey_read_defs(yl_map_get(yl_doc_root(f.doc), "surveys"), f.a, f.d, &f.defs, &f.n);
    return f;
}

static const char *messages(fixture *f)
{
    buf b;
    buf_init(&b);
    diag_format(f->d, &b);
    free(f->messages);
    f->messages = buf_take(&b);
    if (!f->messages)
        f->messages = xstrdup("");
    return f->messages;
}

static void done(fixture *f)
{
    yl_doc_free(f->doc);
    arena_free(f->a);
    diag_free(f->d);
    free(f->messages);
}

#define SURVEY(id)                                                                                 \
    "  - {id: " id ", title: t, audience: any, questions: [{id: q, text: В, type: yesno}]}\n"

static void test_index_finds_each(void **state)
{
    (void)state;
    fixture f = load("surveys:\n" SURVEY("m") SURVEY("b") SURVEY("z") SURVEY("a") SURVEY("k"));
    assert_true(f.ok);
    assert_int_equal(f.n, 5);
    const char *ids[] = {"m", "b", "z", "a", "k"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(survey_index(f.defs, f.n, ids[i]), i);
    const char *missing[] = {"", "c", "zz", "a0", "0", "n"};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++)
        assert_int_equal(survey_index(f.defs, f.n, missing[i]), SIZE_MAX);
    assert_int_equal(survey_index(f.defs, f.n, NULL), SIZE_MAX);
    assert_int_equal(survey_index(f.defs, 0, "m"), SIZE_MAX);
    done(&f);
}

/* A missing survey: one message at its id, with the nearest of the first 64
 * ids as before. */
static void test_find_missing(void **state)
{
    (void)state;
    fixture f = load("surveys:\n" SURVEY("mentee") SURVEY("mentor") "want: mentea\n");
    assert_true(f.ok);
    const yl_node *want = yl_map_get(yl_doc_root(f.doc), "want");
    assert_null(survey_find(f.defs, f.n, want, f.d));
    assert_non_null(strstr(messages(&f), "t.yaml:4:7: ошибка: анкеты «mentea» нет в surveys; "
                                         "может быть, «mentee»?"));
    done(&f);
}

/* x y x x y: the 3rd, 4th and 5th are duplicates, each reported once, in
 * the order of the list; the first of an id is the one found. */
static void test_duplicates_in_order(void **state)
{
    (void)state;
    fixture f = load("surveys:\n" SURVEY("x") SURVEY("y") SURVEY("x") SURVEY("x") SURVEY("y"));
    assert_false(f.ok);
    assert_int_equal(diag_errors(f.d), 3);
    const char *m = messages(&f);
    const char *a = strstr(m, "t.yaml:4:5: ошибка: анкета «x» уже есть");
    const char *b = strstr(m, "t.yaml:5:5: ошибка: анкета «x» уже есть");
    const char *c = strstr(m, "t.yaml:6:5: ошибка: анкета «y» уже есть");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a < b && b < c);
    assert_int_equal(survey_index(f.defs, f.n, "x"), 0);
    assert_int_equal(survey_index(f.defs, f.n, "y"), 1);
    done(&f);
}

/* A definition refused for another reason is not the first of its id: the
 * next one of that id is no duplicate, as before. */
static void test_duplicate_of_refused(void **state)
{
    (void)state;
    fixture f = load("surveys:\n"
                     "  - {id: x, title: t, audience: nobody, questions: [{id: q, text: В, "
                     "type: yesno}]}\n" SURVEY("x") SURVEY("w"));
    assert_false(f.ok);
    assert_int_equal(diag_errors(f.d), 1);
    assert_null(strstr(messages(&f), "уже есть"));
    assert_int_equal(f.n, 2);
    assert_int_equal(survey_index(f.defs, f.n, "x"), 0);
    assert_int_equal(survey_index(f.defs, f.n, "w"), 1);
    done(&f);
}

/* Rows of roles b a b c a b, the last set's rows named by a top-level key:
 * groups b (3), a (2), c (1) in the order first met; shares counted. */
static void test_groups_and_named_rows(void **state)
{
    (void)state;
    fixture f = load("surveys:\n" SURVEY("s") SURVEY(
        "t") "responses:\n"
             "  - {survey: s, stage: before, rows: [{q: да, role: b}, {q: нет, role: a}, "
             "{q: да, role: b}]}\n"
             "  - {survey: s, stage: before, rows: responses_s}\n"
             "responses_s: [{q: да, role: c}, {q: да, role: a}, {q: нет, role: b}]\n"
             "name: s\n"
             "share: {survey: s, question: q, answer: да, stage: before}\n");
    assert_true(f.ok);
    const yl_node *root = yl_doc_root(f.doc);
    survey_tally *t = survey_tally_new(f.defs, f.n, SURVEY_REFUSE, f.a);
    assert_true(survey_tally_read(t, yl_map_get(root, "responses"), root, f.d));
    const yl_node *sec = survey_section_node(t, yl_map_get(root, "name"), f.d);
    assert_non_null(sec);
    const yl_node *rows = yl_map_get(sec, "respondent_rows");
    assert_non_null(rows);
    assert_int_equal(rows->n, 3);
    const char *roles[] = {"b", "a", "c"},
               *counts[] = {"3", "недостаточно данных", "недостаточно данных"};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(yl_str(yl_map_get(rows->items[i], "role")), roles[i]);
        assert_string_equal(yl_str(yl_map_get(rows->items[i], "before")), counts[i]);
    }
    size_t num = 0, den = 0;
    assert_true(survey_share(t, yl_map_get(root, "share"), f.d, &num, &den));
    assert_int_equal(num, 4);
    assert_int_equal(den, 6);
    assert_int_equal(diag_count(f.d), 0);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_finds_each),      cmocka_unit_test(test_find_missing),
        cmocka_unit_test(test_duplicates_in_order),   cmocka_unit_test(test_duplicate_of_refused),
        cmocka_unit_test(test_groups_and_named_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
