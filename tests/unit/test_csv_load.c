/* Unit tests for csv_load: the node tree of a CSV file, the marks of its
 * values, the exports of Excel and Google Forms (BOM, `;`, CRLF,
 * Windows-1251, quoted line breaks), every error at its place, and the
 * `KEY: FILE.csv` include of yaml_load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_load.h"
#include "scratch.h"

typedef struct parsed {
    arena *mem;
    diag *d;
    yl_node *root;
    char *messages;
} parsed;

static parsed parse(const char *text, size_t len)
{
    parsed p = {arena_new(), diag_new(), NULL, NULL};
    p.root = csv_load_text(p.mem, p.d, diag_file(p.d, "t.csv"), text, len);
    buf b;
    buf_init(&b);
    diag_format(p.d, &b);
    p.messages = buf_take(&b);
    if (!p.messages)
        p.messages = xstrdup("");
    return p;
}

static void done(parsed *p)
{
    arena_free(p->mem);
    diag_free(p->d);
    free(p->messages);
}

static void check_has(const char *text, const char *needle, const char *file, int line)
{
    if (!strstr(text, needle)) {
        print_error("%s:%d: expected «%s» in:\n%s\n", file, line, needle, text);
        _fail(file, line);
    }
}
#define assert_has(text, needle) check_has(text, needle, __FILE__, __LINE__)

/* row i's value of key, with its mark checked when line is not 0 */
static const char *value(const yl_node *root, size_t i, const char *key, uint32_t line,
                         uint32_t col)
{
    assert_true(i < root->n);
    const yl_node *v = yl_map_get(root->items[i], key);
    if (!v)
        return NULL;
    if (line) {
        assert_int_equal(v->mark.line, line);
        assert_int_equal(v->mark.col, col);
    }
    return v->str;
}

static void test_comma_and_marks(void **state)
{
    (void)state;
    const char *t = "фамилия,имя,класс\n"
                    "Иванова,Мария,7 «А»\n"
                    "Петров , Пётр ,8\n";
    parsed p = parse(t, strlen(t));
    assert_non_null(p.root);
    assert_int_equal(p.root->kind, YL_SEQ);
    assert_int_equal(p.root->n, 2);
    assert_string_equal(value(p.root, 0, "фамилия", 2, 1), "Иванова");
    assert_string_equal(value(p.root, 0, "имя", 2, 9), "Мария");
    assert_string_equal(value(p.root, 0, "класс", 2, 15), "7 «А»");
    /* spaces around unquoted values go; the mark is the first letter */
    assert_string_equal(value(p.root, 1, "имя", 3, 10), "Пётр");
    /* the key is the header's node: an unknown column is reported there */
    const yl_node *k = p.root->items[1]->pairs[2].key;
    assert_int_equal(k->mark.line, 1);
    assert_int_equal(k->mark.col, 13);
    assert_true(p.root->items[0]->pairs[0].value->plain);
    assert_string_equal(p.messages, "");
    done(&p);
}

static void test_excel_semicolon_bom_crlf(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBF"
                    "ФИО;Роль;Год\r\n"
                    "Шевчук Анна Ивановна;педагог;1985\r\n"
                    ";;\r\n"
                    "Гюго Виктор;выпускник;\r\n";
    parsed p = parse(t, strlen(t));
    assert_non_null(p.root);
    assert_int_equal(p.root->n, 2); /* the empty row is skipped */
    assert_string_equal(value(p.root, 0, "ФИО", 2, 1), "Шевчук Анна Ивановна");
    assert_string_equal(value(p.root, 0, "Год", 2, 30), "1985");
    assert_string_equal(value(p.root, 1, "Роль", 4, 13), "выпускник");
    assert_null(value(p.root, 1, "Год", 0, 0)); /* an empty cell is absent */
    done(&p);
}

static void test_google_forms_quotes(void **state)
{
    (void)state;
    const char *t = "Отметка времени,\"Что, по-вашему, главное?\",Оценка\n"
                    "2024/05/12 10:01:02,\"Встречи, \"\"живые\"\" беседы\n"
                    "и проекты\",9\n"
                    "2024/05/12 10:03:00,\"\",7\n";
    parsed p = parse(t, strlen(t));
    assert_non_null(p.root);
    assert_string_equal(p.messages, "");
    assert_int_equal(p.root->n, 2);
    const char *q = "Что, по-вашему, главное?";
    assert_string_equal(value(p.root, 0, q, 2, 21), "Встречи, \"живые\" беседы\nи проекты");
    assert_false(yl_map_get(p.root->items[0], q)->plain); /* quoted: text, as in YAML */
    /* the field after a quoted line break is placed on its own line */
    assert_string_equal(value(p.root, 0, "Оценка", 3, 12), "9");
    assert_null(value(p.root, 1, q, 0, 0));
    assert_string_equal(value(p.root, 1, "Оценка", 4, 24), "7");
    done(&p);
}

/* A value repeated in later rows keeps one copy of its text; each node keeps
 * its own mark and plainness. */
static void test_repeated_values_share_text(void **state)
{
    (void)state;
    const char *t = "q1,q2\n"
                    "да,5\n"
                    "\"да\",5\n"
                    "нет,да\n";
    parsed p = parse(t, strlen(t));
    assert_non_null(p.root);
    assert_string_equal(p.messages, "");
    const char *a = value(p.root, 0, "q1", 2, 1), *b = value(p.root, 1, "q1", 3, 1);
    const char *c = value(p.root, 2, "q2", 4, 5);
    assert_string_equal(a, "да");
    assert_ptr_equal(a, b);
    assert_ptr_equal(a, c); /* in another column too */
    assert_ptr_equal(value(p.root, 0, "q2", 2, 4), value(p.root, 1, "q2", 3, 6));
    assert_true(yl_map_get(p.root->items[0], "q1")->plain);
    assert_false(yl_map_get(p.root->items[1], "q1")->plain);
    assert_int_equal(yl_map_get(p.root->items[1], "q1")->len, strlen("да"));
    done(&p);
}

static void test_tab_delimiter(void **state)
{
    (void)state;
    const char *t = "id\tname, full\n"
                    "p1\tИванов, Иван\n";
    parsed p = parse(t, strlen(t));
    assert_non_null(p.root);
    assert_string_equal(value(p.root, 0, "name, full", 2, 4), "Иванов, Иван");
    done(&p);
}

static void test_cp1251(void **state)
{
    (void)state;
    /* «имя\nОля\n» as Excel saves it on a Russian system */
    const char t[] = "\xE8\xEC\xFF\n\xCE\xEB\xFF\n";
    parsed p = parse(t, sizeof t - 1);
    assert_non_null(p.root);
    assert_string_equal(value(p.root, 0, "имя", 2, 1), "Оля");
    assert_has(p.messages,
               "t.csv:1:1: предупреждение: файл не в UTF-8 и прочитан как Windows-1251");
    done(&p);
}

typedef struct bad_case {
    const char *text;
    const char *message;
} bad_case;

static void test_errors(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"a,b\nx,y\"z\n", "t.csv:2:4: ошибка: кавычка не на месте"},
        {"a,b\n\"x,y\n", "t.csv:2:1: ошибка: кавычка открыта здесь и не закрыта"},
        {"a,b\n1,2,3\n", "t.csv:2:5: ошибка: лишнее поле: в заголовке 2 столбцов, а это поле 3-е"},
        {"a,b,a\n1,2,3\n", "t.csv:1:5: ошибка: столбец «a» уже есть в заголовке"},
        {"a,,c\n1,2,3\n", "t.csv:2:3: ошибка: значение в столбце без имени (столбец 2)"},
        {"", "t.csv:1:1: ошибка: файл CSV пуст"},
        {"\xEF\xBB\xBFимя\n\xCE\xEB\xFF\n", "ошибка: файл не в кодировке UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        parsed p = parse(cases[i].text, strlen(cases[i].text));
        assert_null(p.root);
        assert_has(p.messages, cases[i].message);
        done(&p);
    }
    /* a NUL byte: the place of the byte */
    const char nul[] = "a\nb\0c\n";
    parsed p = parse(nul, sizeof nul - 1);
    assert_null(p.root);
    assert_has(p.messages, "t.csv:2:2: ошибка: в файле нулевой байт");
    done(&p);
}

static void test_header_only(void **state)
{
    (void)state;
    parsed p = parse("a,b\n", 4);
    assert_non_null(p.root);
    assert_int_equal(p.root->n, 0);
    done(&p);
}

static void write_in(const fixture *fx, const char *name, const char *text)
{
    char *path = path_in(fx, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

/* include: [{people: people.csv}] and include: {people: …} through yaml_load */
static void test_keyed_include(void **state)
{
    fixture *fx = *state;
    write_in(fx, "people.csv", "фамилия;имя\nИванова;Мария\n");
    write_in(fx, "school.yaml", "name: Школа\n");
    write_in(fx, "doc.yaml", "include:\n  - school.yaml\n  - people: people.csv\n");
    write_in(fx, "doc2.yaml", "include: {people: people.csv, school: school.yaml}\n");
    write_in(fx, "bad.yaml", "include:\n  - people: bad.csv\n");
    write_in(fx, "bad.csv", "a\n\"x\n");
    char *path = path_in(fx, "doc.yaml");
    diag *d = diag_new();
    yl_doc *doc = yl_load_file(path, d);
    assert_non_null(doc);
    const yl_node *people = yl_map_get(yl_doc_root(doc), "people");
    assert_non_null(people);
    assert_int_equal(people->kind, YL_SEQ);
    const yl_node *v = yl_map_get(people->items[0], "имя");
    assert_string_equal(v->str, "Мария");
    assert_non_null(strstr(v->mark.file, "people.csv"));
    assert_int_equal(v->mark.line, 2);
    assert_int_equal(v->mark.col, 9);
    assert_string_equal(yl_str(yl_map_get(yl_doc_root(doc), "name")), "Школа");
    yl_doc_free(doc);
    free(path);

    path = path_in(fx, "doc2.yaml");
    doc = yl_load_file(path, d);
    assert_non_null(doc);
    assert_non_null(yl_map_get(yl_doc_root(doc), "people"));
    const yl_node *school = yl_map_get(yl_doc_root(doc), "school");
    assert_string_equal(yl_str(yl_map_get(school, "name")), "Школа");
    yl_doc_free(doc);
    free(path);
    assert_int_equal(diag_count(d), 0);

    path = path_in(fx, "bad.yaml");
    assert_null(yl_load_file(path, d));
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    char *text = buf_take(&b);
    assert_has(text, "bad.csv:2:1: ошибка: кавычка открыта здесь");
    assert_has(text, "bad.yaml:2:13: примечание: файл «");
    free(text);
    free(path);
    diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comma_and_marks),
        cmocka_unit_test(test_excel_semicolon_bom_crlf),
        cmocka_unit_test(test_google_forms_quotes),
        cmocka_unit_test(test_tab_delimiter),
        cmocka_unit_test(test_cp1251),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_keyed_include),
        cmocka_unit_test(test_repeated_values_share_text),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
