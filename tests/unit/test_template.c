/* Unit tests of template: filters, dates, interpolation, each/if, lists,
 * and that data values are never evaluated as template code. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "date.h"
#include "template.h"

typedef struct filter_case {
    const char *filter, *in, *out;
} filter_case;

static const filter_case filter_cases[] = {
    {"date", "2023-08-30", "30.08.2023"},
    {"date", "2021-10-08", "08.10.2021"},
    {"date", "2024-02-29", "29.02.2024"},
    {"date_words", "2023-08-30", "30\u00A0августа 2023\u00A0г."},
    {"date_words", "2021-10-08", "8\u00A0октября 2021\u00A0г."},
    {"date_words", "2025-01-01", "1\u00A0января 2025\u00A0г."},
    {"initials", "Шадрин Иван Николаевич", "И.Н.\u00A0Шадрин"},
    {"initials", "Олекминский И.Ю.", "И.Ю.\u00A0Олекминский"},
    {"initials", "Олекминский И. Ю.", "И.Ю.\u00A0Олекминский"},
    {"initials", "И.Н. Шадрин", "И.Н.\u00A0Шадрин"},
    {"initials", "Ёлкина Ульяна Эдуардовна", "У.Э.\u00A0Ёлкина"},
    {"initials", "Шадрин", "Шадрин"},
    {"upper", "Приказ о наставничестве", "ПРИКАЗ О НАСТАВНИЧЕСТВЕ"},
    {"upper", "ёлочка «Школа» №2", "ЁЛОЧКА «ШКОЛА» №2"},
    {"lower", "МБОУ СОШ", "мбоу сош"},
    {"number", "12345.5", "12\u00A0345,5"},
    {"number", "42", "42"},
    {"percent", "45.67", "45,7\u00A0%"},
};

static void test_filters(void **state)
{
    (void)state;
    arena *a = arena_new();
    for (size_t i = 0; i < sizeof filter_cases / sizeof *filter_cases; i++) {
        const filter_case *c = &filter_cases[i];
        const char *err = NULL;
        const char *got = tpl_filter(a, c->filter, c->in, &err);
        if (!got || strcmp(got, c->out))
            fail_msg("%s(%s): got «%s», want «%s»", c->filter, c->in, got ? got : err, c->out);
    }
    arena_free(a);
}

static void test_filter_errors(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *bad[][2] = {{"date", "2023-02-30"},   {"date", "2023-13-01"},
                            {"date", "30.08.2023"},   {"date_words", "2023-02-29"},
                            {"number", "двенадцать"}, {"frobnicate", "x"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *err = NULL;
        assert_null(tpl_filter(a, bad[i][0], bad[i][1], &err));
        assert_non_null(err);
    }
    arena_free(a);
}

static void test_dates(void **state)
{
    (void)state;
    int y, m, d;
    assert_true(date_parse("2024-02-29", &y, &m, &d));
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_false(date_parse("2023-02-29", &y, &m, &d));
    assert_false(date_parse("2100-02-29", &y, &m, &d));
    assert_true(date_parse("2000-02-29", &y, &m, &d));
    assert_false(date_parse("2023-04-31", &y, &m, &d));
    assert_false(date_parse("2023-4-01", &y, &m, &d));
    assert_false(date_parse("", &y, &m, &d));
}

/* Expand tpl_text with data_text; returns the doc (caller frees) */
typedef struct fixture {
    diag *d;
    yl_doc *tpl, *data;
    tpl_doc *t;
} fixture;

static void expand(fixture *f, const char *tpl_text, const char *data_text)
{
    f->d = diag_new();
    f->tpl = yl_load_string("t.yaml", tpl_text, strlen(tpl_text), f->d);
    f->data = yl_load_string("d.yaml", data_text, strlen(data_text), f->d);
    assert_non_null(f->tpl);
    assert_non_null(f->data);
    f->t = tpl_expand(yl_doc_root(f->tpl), yl_doc_root(f->data), f->d);
}

static void fixture_fini(fixture *f)
{
    tpl_doc_free(f->t);
    yl_doc_free(f->tpl);
    yl_doc_free(f->data);
    diag_free(f->d);
}

static void test_interpolation_each_if(void **state)
{
    (void)state;
    fixture f;
    expand(&f,
           "styles: {body: {size: 12}, h: {bold: true}}\n"
           "blocks:\n"
           "  - paragraph: \"Приказ № {{o.number}} от {{o.date | date_words}}\"\n"
           "  - each: o.items\n"
           "    as: it\n"
           "    blocks:\n"
           "      - paragraph: \"{{it.name | upper}}\"\n"
           "        style: h\n"
           "  - if: o.missing\n"
           "    blocks: [{paragraph: есть}]\n"
           "    else: [{paragraph: нет}]\n",
           "o:\n  number: \"669\"\n  date: 2021-10-18\n  items:\n    - {name: альфа}\n"
           "    - {name: бета}\n");
    assert_non_null(f.t);
    assert_int_equal(f.t->doc.n, 4);
    assert_string_equal(f.t->doc.blocks[0].text, "Приказ № 669 от 18\u00A0октября 2021\u00A0г.");
    assert_string_equal(f.t->doc.blocks[1].text, "АЛЬФА");
    assert_string_equal(f.t->doc.blocks[2].text, "БЕТА");
    assert_true(f.t->doc.blocks[1].style->font_style & BLK_BOLD);
    assert_string_equal(f.t->doc.blocks[3].text, "нет");
    /* the mark of an interpolated text is the data value's */
    assert_string_equal(f.t->doc.blocks[0].mark.file, "d.yaml");
    assert_int_equal(f.t->doc.blocks[0].mark.line, 2);
    fixture_fini(&f);
}

static void test_data_is_not_code(void **state)
{
    (void)state;
    fixture f;
    expand(&f, "blocks:\n  - paragraph: \"<{{a}}>\"\n", "a: \"{{b}} | upper\"\nb: секрет\n");
    assert_non_null(f.t);
    assert_string_equal(f.t->doc.blocks[0].text, "<{{b}} | upper>");
    fixture_fini(&f);
}

static void test_numbered_list(void **state)
{
    (void)state;
    fixture f;
    expand(&f, "blocks:\n  - list: {items: [o.points, o.control], numbering: decimal}\n",
           "o:\n  points:\n    - text: Утвердить\n      points: [один, два]\n    - Определить\n"
           "  control: Контроль оставляю за собой.\n");
    assert_non_null(f.t);
    const char *labels[] = {"1.", "1.1.", "1.2.", "2.", "3."};
    assert_int_equal(f.t->doc.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(f.t->doc.blocks[i].as.item.label, labels[i]);
    assert_string_equal(f.t->doc.blocks[4].text, "Контроль оставляю за собой.");
    assert_int_equal(f.t->doc.blocks[1].as.item.level, 1);
    fixture_fini(&f);
}

static void test_errors_point_at_template(void **state)
{
    (void)state;
    fixture f;
    expand(&f, "blocks:\n  - paragraph: \"{{o.nope}}\"\n  - paragraf: x\n", "o: {a: 1}\n");
    assert_null(f.t);
    buf b;
    buf_init(&b);
    diag_format(f.d, &b);
    assert_non_null(strstr(b.data, "t.yaml:2:16: ошибка: в данных нет значения «o.nope»"));
    fixture_fini(&f);
    buf_fini(&b);
}

static void test_unknown_block_suggests(void **state)
{
    (void)state;
    fixture f;
    expand(&f, "blocks:\n  - paragraf: x\n", "o: {a: 1}\n");
    assert_null(f.t);
    buf b;
    buf_init(&b);
    diag_format(f.d, &b);
    assert_non_null(strstr(b.data, "t.yaml:2:5: ошибка: неизвестный ключ «paragraf» в блоке "
                                   "шаблона; может быть, «paragraph»?"));
    fixture_fini(&f);
    buf_fini(&b);
}

static void test_page_setup(void **state)
{
    (void)state;
    fixture f;
    expand(&f,
           "page: {orientation: landscape, margins_mm: {left: 30}, numbers: {from: 3}}\n"
           "blocks: []\n",
           "a: 1\n");
    assert_non_null(f.t);
    assert_true(f.t->doc.page.width_pt > f.t->doc.page.height_pt);
    assert_float_equal(f.t->doc.page.margin_left_pt, 30 * 72 / 25.4, 1e-9);
    assert_float_equal(f.t->doc.page.margin_right_pt, 10 * 72 / 25.4, 1e-9);
    assert_int_equal(f.t->doc.page.numbers_from, 3);
    fixture_fini(&f);
}

static void test_columns_side_by_side(void **state)
{
    (void)state;
    fixture f;
    expand(&f,
           "blocks:\n"
           "  - columns:\n"
           "      - width_mm: 80\n"
           "        blocks: [{paragraph: СОГЛАСОВАНО}, {paragraph: \"{{a}}\"}]\n"
           "      - align: right\n"
           "        blocks:\n"
           "          - each: list\n"
           "            as: it\n"
           "            blocks: [{paragraph: \"{{it}}\"}]\n",
           "a: Председатель\nlist: [один, два, три]\n");
    assert_non_null(f.t);
    assert_int_equal(f.t->doc.n, 1);
    const blk_table *t = f.t->doc.blocks[0].as.table;
    assert_int_equal(f.t->doc.blocks[0].kind, BLK_TABLE);
    assert_int_equal(t->ncols, 2);
    assert_false(t->borders);
    assert_float_equal(t->cols[0].width_pt, 80 * 72 / 25.4, 1e-9);
    assert_int_equal(t->cols[1].align, BLK_RIGHT);
    assert_int_equal(t->rows[0].cells[0].n, 2);
    assert_string_equal(t->rows[0].cells[0].pars[1].text, "Председатель");
    assert_int_equal(t->rows[0].cells[1].n, 3);
    assert_string_equal(t->rows[0].cells[1].pars[2].text, "три");
    fixture_fini(&f);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* One document of a batch worker through the cache: its block tree, or NULL
 * with the messages in *msgs (caller frees). */
static tpl_doc *expand_cached(tpl_cache *c, const char *path, const char *data_text, char **msgs)
{
    diag *d = diag_new();
    yl_doc *data = yl_load_string("d.yaml", data_text, strlen(data_text), d);
    assert_non_null(data);
    tpl_doc *t = tpl_expand_cached(c, path, yl_doc_root(data), d);
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    *msgs = buf_take(&b);
    yl_doc_free(data);
    diag_free(d);
    return t;
}

/* A kept template: a later document's messages still name its file:line:col
 * and quote its line; an edited file (another size or time) is read again;
 * the same inode, size and time are taken as the same file. */
static void test_cache(void **state)
{
    (void)state;
    char dir[] = "/tmp/nastavdoc-tplcache.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.yaml", dir);
    write_text(path, "blocks:\n  - paragraph: \"{{o.a}}\"\n");
    tpl_cache *c = tpl_cache_new();
    char *msgs;
    tpl_doc *t = expand_cached(c, path, "o: {a: один}\n", &msgs);
    assert_non_null(t);
    assert_string_equal(t->doc.blocks[0].text, "один");
    tpl_doc_free(t);
    free(msgs);
    assert_null(expand_cached(c, path, "o: {b: 1}\n", &msgs));
    char want[256];
    snprintf(want, sizeof want, "%s:2:16: ошибка: в данных нет значения «o.a»", path);
    assert_non_null(strstr(msgs, want));
    assert_non_null(strstr(msgs, "  - paragraph: \"{{o.a}}\""));
    free(msgs);
    /* same size, time set back: the kept tree is used (the key is stat's) */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    write_text(path, "blocks:\n  - paragraph: \"{{o.b}}\"\n");
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    t = expand_cached(c, path, "o: {a: один, b: два}\n", &msgs);
    assert_string_equal(t->doc.blocks[0].text, "один");
    tpl_doc_free(t);
    free(msgs);
    /* edited: read again */
    write_text(path, "blocks:\n  - paragraph: \"новый {{o.b}}\"\n");
    t = expand_cached(c, path, "o: {a: один, b: два}\n", &msgs);
    assert_string_equal(t->doc.blocks[0].text, "новый два");
    tpl_doc_free(t);
    free(msgs);
    /* a file that is no template is not kept, and said so each time */
    write_text(path, "- список\n");
    for (int k = 0; k < 2; k++) {
        assert_null(expand_cached(c, path, "o: {a: 1}\n", &msgs));
        assert_non_null(strstr(msgs, "это не шаблон"));
        free(msgs);
    }
    tpl_cache_free(c);
    remove(path);
    remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_interpolation_each_if),
        cmocka_unit_test(test_data_is_not_code),
        cmocka_unit_test(test_numbered_list),
        cmocka_unit_test(test_errors_point_at_template),
        cmocka_unit_test(test_unknown_block_suggests),
        cmocka_unit_test(test_page_setup),
        cmocka_unit_test(test_columns_side_by_side),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
