/* Unit tests for yaml_load: marks, scalars, aliases, limits, includes and the
 * text of every message. Run from the repository root: fixtures are read from
 * tests/unit/data/yaml/, and temporary dossiers are made under /tmp. */
/* nftw, to remove those dossiers, is an XSI function */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "yaml_load.h"

#define DATA "tests/unit/data/yaml/"

/* Every message held by d as diag prints it. Caller frees. */
static char *format_messages(diag *d)
{
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    return buf_take(&b);
}

static void check_has(const char *text, const char *needle, const char *file, int line)
{
    if (!strstr(text, needle)) {
        print_error("%s:%d: expected «%s» in:\n%s\n", file, line, needle, text);
        _fail(file, line);
    }
}

static void check_lacks(const char *text, const char *needle, const char *file, int line)
{
    if (strstr(text, needle)) {
        print_error("%s:%d: did not expect «%s» in:\n%s\n", file, line, needle, text);
        _fail(file, line);
    }
}

#define assert_has(text, needle) check_has(text, needle, __FILE__, __LINE__)
#define assert_lacks(text, needle) check_lacks(text, needle, __FILE__, __LINE__)

/* Follow a dotted path: map keys, or decimal indices into sequences. */
static const yl_node *lookup(const yl_node *n, const char *path)
{
    char *copy = xstrdup(path);
    for (char *save = NULL, *part = strtok_r(copy, ".", &save); part && n;
         part = strtok_r(NULL, ".", &save)) {
        if (n->kind == YL_SEQ) {
            size_t i = strtoul(part, NULL, 10);
            n = i < n->n ? n->items[i] : NULL;
        } else {
            n = yl_map_get(n, part);
        }
    }
    free(copy);
    return n;
}

/* The key node of map[key]. */
static const yl_node *key_of(const yl_node *map, const char *key)
{
    for (size_t i = 0; map && map->kind == YL_MAP && i < map->n; i++)
        if (strcmp(map->pairs[i].key->str, key) == 0)
            return map->pairs[i].key;
    return NULL;
}

/* Temporary folders for dossiers made at test time. */
static char *make_temp_dir(void)
{
    char *dir = xstrdup("/tmp/nastavdoc-yl-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_temp_dir(char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- marks ---- */

typedef struct mark_case {
    const char *path; /* dotted path to the node; "key:" prefix means the key */
    uint32_t line, col;
} mark_case;

static void test_marks(void **state)
{
    (void)state;
    /* columns count characters: the Cyrillic text before them is two bytes each */
    static const mark_case cases[] = {
        {"key:школа", 1, 1},
        {"школа", 1, 8},
        {"key:директор", 2, 1},
        {"директор", 2, 13},
        {"пары", 4, 3},
        {"пары.0", 4, 5},
        {"пары.0.наставник", 4, 16},
        {"пары.0.ученики", 5, 14},
        {"пары.0.ученики.0", 5, 15},
        {"пары.0.ученики.1", 5, 24},
        {"пары.1", 6, 5},
        {"пары.1.наставник", 6, 17},
        {"пары.1.ученики", 6, 33},
    };
    diag *d = diag_new();
    yl_doc *doc = yl_load_file(DATA "marks.yaml", d);
    assert_non_null(doc);
    assert_int_equal(diag_count(d), 0);
    const yl_node *root = yl_doc_root(doc);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const mark_case *c = &cases[i];
        const yl_node *n =
            strncmp(c->path, "key:", 4) == 0 ? key_of(root, c->path + 4) : lookup(root, c->path);
        if (!n)
            fail_msg("%s: node not found", c->path);
        if (n->mark.line != c->line || n->mark.col != c->col)
            fail_msg("%s: expected %u:%u, got %u:%u", c->path, (unsigned)c->line, (unsigned)c->col,
                     (unsigned)n->mark.line, (unsigned)n->mark.col);
        assert_string_equal(n->mark.file, DATA "marks.yaml");
    }
    assert_string_equal(yl_doc_path(doc), DATA "marks.yaml");
    assert_string_equal(yl_doc_dossier(doc), "tests/unit/data/yaml");
    yl_doc_free(doc);
    diag_free(d);
}

/* A byte order mark is not a character of the first line. */
static void test_byte_order_mark(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFключ: значение\nx: {a: 1, a: 2}\n";
    diag *d = diag_new();
    yl_doc *doc = yl_load_string("bom.yaml", text, strlen(text), d);
    assert_null(doc); /* the duplicate key */
    char *msg = format_messages(d);
    assert_has(msg, "bom.yaml:2:11: ошибка: ключ «a» повторяется");
    assert_int_equal(diag_errors(d), 1);
    free(msg);
    diag_free(d);

    text = "\xEF\xBB\xBFключ: значение\n";
    d = diag_new();
    doc = yl_load_string("bom.yaml", text, strlen(text), d);
    assert_non_null(doc);
    const yl_node *v = yl_map_get(yl_doc_root(doc), "ключ");
    assert_int_equal(v->mark.line, 1);
    assert_int_equal(v->mark.col, 7);
    yl_doc_free(doc);
    diag_free(d);
}

/* ---- scalars ---- */

typedef struct scalar_case {
    const char *name, *text; /* text defines key v */
    const char *want;
    bool plain, null;
} scalar_case;

static void test_scalars(void **state)
{
    (void)state;
    static const scalar_case cases[] = {
        {"plain", "v: простой текст\n", "простой текст", true, false},
        {"double", "v: \"в кавычках\"\n", "в кавычках", false, false},
        {"single", "v: 'одинарные ''q'''\n", "одинарные 'q'", false, false},
        {"escape", "v: \"\\u0416\\t!\"\n", "Ж\t!", false, false},
        {"literal", "v: |\n  строка 1\n  строка 2\n", "строка 1\nстрока 2\n", false, false},
        {"literal strip", "v: |-\n  x\n\n", "x", false, false},
        {"folded", "v: >\n  a\n  b\n\n  c\n", "a b\nc\n", false, false},
        {"number", "v: 2023\n", "2023", true, false},
        {"tilde", "v: ~\n", "~", true, true},
        {"null", "v: null\n", "null", true, true},
        {"empty", "v:\n", "", true, true},
        {"quoted null", "v: \"null\"\n", "null", false, false},
        {"str tag", "v: !!str 12\n", "12", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const scalar_case *c = &cases[i];
        diag *d = diag_new();
        yl_doc *doc = yl_load_string(c->name, c->text, strlen(c->text), d);
        if (!doc)
            fail_msg("%s: did not load", c->name);
        const yl_node *v = yl_map_get(yl_doc_root(doc), "v");
        assert_non_null(v);
        assert_int_equal(v->kind, YL_SCALAR);
        if (strcmp(yl_str(v), c->want) != 0 || v->len != strlen(c->want))
            fail_msg("%s: got «%s»", c->name, yl_str(v));
        if (v->plain != c->plain || yl_is_null(v) != c->null)
            fail_msg("%s: plain %d null %d", c->name, v->plain, yl_is_null(v));
        assert_int_equal(diag_count(d), 0);
        yl_doc_free(doc);
        diag_free(d);
    }
}

static void test_helpers(void **state)
{
    (void)state;
    assert_string_equal(yl_kind_name(YL_SCALAR), "строка");
    assert_string_equal(yl_kind_name(YL_SEQ), "список");
    assert_string_equal(yl_kind_name(YL_MAP), "словарь");
    const char *text = "a: [1]\nb: {c: d}\n";
    diag *d = diag_new();
    yl_doc *doc = yl_load_string("h.yaml", text, strlen(text), d);
    assert_non_null(doc);
    const yl_node *root = yl_doc_root(doc);
    assert_null(yl_map_get(root, "нет"));
    assert_null(yl_map_get(yl_map_get(root, "a"), "c")); /* not a map */
    assert_null(yl_str(yl_map_get(root, "a")));
    assert_false(yl_is_null(NULL));
    assert_false(yl_is_null(yl_map_get(root, "b")));
    assert_string_equal(yl_str(lookup(root, "b.c")), "d");
    assert_string_equal(yl_doc_path(doc), "h.yaml");
    assert_null(yl_doc_dossier(doc));
    yl_doc_free(doc);
    yl_doc_free(NULL);
    diag_free(d);
}

/* yl_load_string leaves include alone: templates and tests are not dossiers. */
static void test_string_keeps_include(void **state)
{
    (void)state;
    const char *text = "include: other.yaml\na: 1\n";
    diag *d = diag_new();
    yl_doc *doc = yl_load_string("s.yaml", text, strlen(text), d);
    assert_non_null(doc);
    assert_string_equal(yl_str(yl_map_get(yl_doc_root(doc), "include")), "other.yaml");
    assert_int_equal(diag_count(d), 0);
    yl_doc_free(doc);
    diag_free(d);
}

/* ---- aliases ---- */

static void test_alias_sharing(void **state)
{
    (void)state;
    const char *text = "база: &b {город: Москва}\n"
                       "имя: &n Петров\n"
                       "а: *b\n"
                       "б: [*b, *n]\n";
    diag *d = diag_new();
    yl_doc *doc = yl_load_string("alias.yaml", text, strlen(text), d);
    assert_non_null(doc);
    const yl_node *root = yl_doc_root(doc);
    const yl_node *base = yl_map_get(root, "база");
    assert_ptr_equal(yl_map_get(root, "а"), base);
    assert_ptr_equal(lookup(root, "б.0"), base);
    assert_ptr_equal(lookup(root, "б.1"), yl_map_get(root, "имя"));
    assert_string_equal(yl_str(lookup(root, "а.город")), "Москва");
    assert_int_equal(diag_count(d), 0);
    yl_doc_free(doc);
    diag_free(d);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "Billion laughs": 10 levels of 10 aliases each would expand to 10^10 nodes. */
static void test_alias_bomb(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "l0: &l0 [\"ха\", \"ха\", \"ха\", \"ха\", \"ха\", \"ха\", \"ха\", \"ха\", \"ха\", "
                 "\"ха\"]\n");
    for (int level = 1; level < 10; level++) {
        buf_printf(&b, "l%d: &l%d [", level, level);
        for (int i = 0; i < 10; i++)
            buf_printf(&b, "%s*l%d", i ? ", " : "", level - 1);
        buf_puts(&b, "]\n");
    }
    diag *d = diag_new();
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    yl_doc *doc = yl_load_string("bomb.yaml", b.data, b.len, d);
    double took = seconds_since(&t0);
    print_message("alias bomb failed in %.3f ms\n", took * 1000);
    /* it fails while reading, at the alias that would pass the budget (the
     * mark below), not after expanding: no clock needed to tell */
    assert_null(doc);
    char *msg = format_messages(d);
    assert_has(msg, "bomb.yaml:4:45:");
    assert_has(msg, "ошибка: слишком много раскрытий ссылок");
    assert_has(msg, "*l2");
    assert_has(msg, "бомбу");
    assert_int_equal(diag_errors(d), 1);
    free(msg);
    buf_fini(&b);
    diag_free(d);
}

/* Many aliases of a small anchor are fine while they stay within the budget. */
static void test_alias_budget_allows_reuse(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "общее: &c {город: Нарьян-Мар, школа: СОШ №2}\nпары:\n");
    for (int i = 0; i < 2000; i++)
        buf_printf(&b, "  - {номер: %d, место: *c}\n", i);
    diag *d = diag_new();
    yl_doc *doc = yl_load_string("reuse.yaml", b.data, b.len, d);
    assert_non_null(doc);
    assert_int_equal(yl_map_get(yl_doc_root(doc), "пары")->n, 2000);
    yl_doc_free(doc);
    buf_fini(&b);
    diag_free(d);
}

/* ---- depth ---- */

static yl_doc *load_nested(size_t depth, diag *d)
{
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < depth; i++)
        buf_putc(&b, '[');
    for (size_t i = 0; i < depth; i++)
        buf_putc(&b, ']');
    buf_putc(&b, '\n');
    yl_doc *doc = yl_load_string("deep.yaml", b.data, b.len, d);
    buf_fini(&b);
    return doc;
}

static void test_depth_limit(void **state)
{
    (void)state;
    diag *d = diag_new();
    yl_doc *doc = load_nested(YL_MAX_DEPTH, d);
    assert_non_null(doc);
    yl_doc_free(doc);
    assert_null(load_nested(200, d));
    char *msg = format_messages(d);
    assert_has(msg, "deep.yaml:1:65: ошибка: слишком глубокая вложенность: больше 64 уровней");
    assert_int_equal(diag_errors(d), 1); /* stopped at once */
    free(msg);
    diag_free(d);
}

/* ---- error messages from text in memory ---- */

typedef struct error_case {
    const char *name, *text;
    const char *want[4];
    size_t errors;
} error_case;

static const error_case error_cases[] = {
    {"multi.yaml",
     "a: 1\n---\nb: 2\n",
     {"multi.yaml:2:1: ошибка: в файле больше одного документа YAML", "---"},
     1},
    {"undefined.yaml",
     "a: 1\nb: *net\nc: *later\nd: &later 1\n",
     {"undefined.yaml:2:4: ошибка: ссылка *net ведёт на якорь &net, которого нет",
      "undefined.yaml:3:4: ошибка: ссылка *later"},
     2},
    /* libyaml allows only ASCII letters, digits, '-' and '_' in anchor names */
    {"anchor.yaml",
     "a: &якорь 1\n",
     {"anchor.yaml:1:5: ошибка: синтаксическая ошибка YAML: после «&» или «*» ожидалось имя",
      "латинских букв", "anchor.yaml:1:4: примечание: здесь начинается якорь"},
     1},
    {"recursive.yaml",
     "a: &x [1, *x]\n",
     {"recursive.yaml:1:11: ошибка: ссылка *x стоит внутри узла со своим же якорем &x",
      "recursive.yaml:1:4: примечание: якорь &x начинается здесь"},
     1},
    {"key.yaml",
     "? [a, b]\n: 1\n? {c: d}\n: 2\ne: 3\n",
     {"key.yaml:1:3: ошибка: ключ словаря — список, а должен быть строкой",
      "key.yaml:3:3: ошибка: ключ словаря — словарь"},
     2},
    {"merge.yaml",
     "base: &b {a: 1}\nx:\n  <<: *b\n  c: 2\n",
     {"merge.yaml:3:3: ошибка: ключ слияния «<<» не поддерживается", "include"},
     1},
    {"colon.yaml",
     "тема: встреча: итоги\n",
     {"colon.yaml:1:14: ошибка: синтаксическая ошибка YAML: здесь не может стоять «: »",
      "(mapping values are not allowed in this context)", "кавычки"},
     1},
    {"quote.yaml",
     "имя: \"Петров\nгород: x\n",
     {"quote.yaml:3:1: ошибка: синтаксическая ошибка YAML: файл кончился",
      "quote.yaml:1:6: примечание: здесь открыта кавычка"},
     1},
    {"flow.yaml",
     "список: [а, б\nx: 1\n",
     {"ошибка: синтаксическая ошибка YAML", "«,» или «]»",
      "flow.yaml:1:9: примечание: здесь открыта «[»"},
     1},
    {"tab.yaml",
     "a:\n\t- b\n",
     {"tab.yaml:2:1: ошибка: синтаксическая ошибка YAML: здесь табуляция", "пробелами"},
     1},
    {"control.yaml",
     "a: 1\nб: \x01\n",
     {"control.yaml:2:4: ошибка: синтаксическая ошибка YAML: в файле управляющий символ"},
     1},
    {"nul.yaml", "a: \"x\\0y\"\n", {"nul.yaml:1:4: ошибка: в строке символ NUL"}, 1},
    {"empty.yaml", "", {"empty.yaml:1:1: ошибка: файл пуст"}, 1},
    {"comments.yaml", "# a\n\n# b\n", {"comments.yaml:1:1: ошибка: файл пуст"}, 1},
    {"dashes.yaml", "# a\n---\n", {"dashes.yaml:1:1: ошибка: файл пуст"}, 1},
    {"utf8.yaml",
     "a: 1\nимя: Пётр \xd0\n",
     {"utf8.yaml:2:11: ошибка: файл не в кодировке UTF-8: байт 0xD0"},
     1},
    {"dups.yaml",
     "a: 1\nb: [{x: 1, x: 2}]\na: 3\n",
     {"dups.yaml:2:12: ошибка: ключ «x» повторяется", "dups.yaml:2:6: примечание: первый раз",
      "dups.yaml:3:1: ошибка: ключ «a» повторяется", "dups.yaml:1:1: примечание"},
     2},
};

static void test_error_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof error_cases / sizeof *error_cases; i++) {
        const error_case *c = &error_cases[i];
        diag *d = diag_new();
        yl_doc *doc = yl_load_string(c->name, c->text, strlen(c->text), d);
        char *msg = format_messages(d);
        if (doc)
            fail_msg("%s: loaded although it has errors", c->name);
        for (size_t j = 0; j < 4 && c->want[j]; j++)
            assert_has(msg, c->want[j]);
        if (diag_errors(d) != c->errors)
            fail_msg("%s: %zu errors, want %zu:\n%s", c->name, diag_errors(d), c->errors, msg);
        free(msg);
        diag_free(d);
    }
}

static void test_unknown_tag_warns(void **state)
{
    (void)state;
    const char *text = "a: !include b.yaml\n";
    diag *d = diag_new();
    yl_doc *doc = yl_load_string("tag.yaml", text, strlen(text), d);
    assert_non_null(doc);
    char *msg = format_messages(d);
    assert_has(msg, "tag.yaml:1:4: предупреждение: тег «!include» не поддерживается");
    free(msg);
    yl_doc_free(doc);
    diag_free(d);
}

/* ---- error messages from files ---- */

typedef struct file_case {
    const char *path;
    const char *want[5];
    size_t errors;
} file_case;

static const file_case file_cases[] = {
    {DATA "empty.yaml", {DATA "empty.yaml:1:1: ошибка: файл пуст"}, 1},
    {DATA "comments.yaml", {DATA "comments.yaml:1:1: ошибка: файл пуст"}, 1},
    {DATA "multi.yaml", {DATA "multi.yaml:2:1: ошибка: в файле больше одного документа"}, 1},
    {DATA "bad-utf8.yaml",
     {DATA "bad-utf8.yaml:3:11: ошибка: файл не в кодировке UTF-8: байт 0xFF"},
     1},
    {DATA "duplicates.yaml",
     {DATA "duplicates.yaml:3:1: ошибка: ключ «школа» повторяется",
      DATA "duplicates.yaml:1:1: примечание: первый раз ключ «школа» задан здесь",
      DATA "duplicates.yaml:6:5: ошибка: ключ «имя» повторяется",
      DATA "duplicates.yaml:7:1: ошибка: ключ «город» повторяется"},
     3},
    {"tests/unit/data/yaml",
     {"tests/unit/data/yaml: ошибка: «tests/unit/data/yaml» является папкой, а не файлом"},
     1},
    {DATA "no-such-file.yaml", {DATA "no-such-file.yaml: ошибка: не удалось открыть"}, 1},
    {DATA "outside/dossier/main.yaml",
     {DATA "outside/dossier/main.yaml:2:5: ошибка: путь «../secret.yaml» в include выходит",
      DATA "outside/dossier/main.yaml:3:5: ошибка: путь «sub/../../secret.yaml»",
      "за папку досье «" DATA "outside/dossier»"},
     2},
    {DATA "cycle/a.yaml",
     {DATA "cycle/b.yaml:1:11: ошибка: цикл include: " DATA "cycle/a.yaml → " DATA
           "cycle/b.yaml → " DATA "cycle/a.yaml",
      DATA "cycle/a.yaml:1:10: примечание: файл «" DATA "cycle/b.yaml» подключён здесь"},
     1},
    {DATA "cycle/self.yaml",
     {DATA "cycle/self.yaml:1:10: ошибка: цикл include: " DATA "cycle/self.yaml → " DATA
           "cycle/self.yaml"},
     1},
    {DATA "missing/main.yaml",
     {DATA "missing/main.yaml:2:5: ошибка: не удалось открыть подключаемый файл «" DATA
           "missing/нет-такого.yaml»",
      DATA "missing/main.yaml:4:5: ошибка: не удалось открыть подключаемый файл «" DATA
           "missing/тоже-нет.yaml»"},
     2},
    {DATA "notmap/main.yaml",
     {DATA "notmap/main.yaml:1:10: ошибка: файл «" DATA "notmap/list.yaml» подключён через "
           "include, но в нём список, а нужен словарь"},
     1},
    {DATA "folder-include/main.yaml",
     {DATA "folder-include/main.yaml:1:10: ошибка: «" DATA
           "folder-include/sub» является папкой, а не файлом"},
     1},
};

static void test_file_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof file_cases / sizeof *file_cases; i++) {
        const file_case *c = &file_cases[i];
        diag *d = diag_new();
        yl_doc *doc = yl_load_file(c->path, d);
        char *msg = format_messages(d);
        if (doc)
            fail_msg("%s: loaded although it has errors", c->path);
        for (size_t j = 0; j < 5 && c->want[j]; j++)
            assert_has(msg, c->want[j]);
        if (diag_errors(d) != c->errors)
            fail_msg("%s: %zu errors, want %zu:\n%s", c->path, diag_errors(d), c->errors, msg);
        free(msg);
        diag_free(d);
    }
}

/* ---- includes that work ---- */

static void test_include_merge(void **state)
{
    (void)state;
    diag *d = diag_new();
    yl_doc *doc = yl_load_file(DATA "incl/main.yaml", d);
    assert_non_null(doc);
    const yl_node *root = yl_doc_root(doc);
    /* own keys first, then each included file's in include order; no include key */
    static const char *const keys[] = {"title",    "school_name", "city",
                                       "director", "people",      "year"};
    assert_int_equal(root->n, sizeof keys / sizeof *keys);
    for (size_t i = 0; i < root->n; i++)
        assert_string_equal(root->pairs[i].key->str, keys[i]);
    assert_null(yl_map_get(root, "include"));
    /* the including file wins silently; between included files the first wins */
    assert_string_equal(yl_str(yl_map_get(root, "school_name")), "Своё название");
    assert_string_equal(yl_str(yl_map_get(root, "city")), "Нарьян-Мар");
    assert_string_equal(yl_str(lookup(root, "people.0")), "Петров П. П.");
    /* marks point into the file each node came from */
    const yl_node *city = yl_map_get(root, "city");
    assert_string_equal(city->mark.file, DATA "incl/school.yaml");
    assert_int_equal(city->mark.line, 3);
    assert_int_equal(city->mark.col, 7);
    const yl_node *year = yl_map_get(root, "year");
    assert_string_equal(year->mark.file, DATA "incl/extra.yaml");
    assert_int_equal(year->mark.line, 1);
    assert_int_equal(year->mark.col, 7);
    char *msg = format_messages(d);
    assert_int_equal(diag_errors(d), 0);
    assert_int_equal(diag_warnings(d), 1);
    assert_has(msg, DATA "incl/common/people.yaml:4:1: предупреждение: ключ «city» уже задан в "
                         "подключённом раньше файле «" DATA "incl/school.yaml»");
    assert_has(msg, DATA "incl/school.yaml:3:1: примечание: ключ «city» задан здесь");
    assert_lacks(msg, "school_name");
    free(msg);
    yl_doc_free(doc);
    diag_free(d);
}

/* Two files both including the same third one: merged once, no warning. */
static void test_include_diamond(void **state)
{
    (void)state;
    diag *d = diag_new();
    yl_doc *doc = yl_load_file(DATA "diamond/main.yaml", d);
    assert_non_null(doc);
    assert_int_equal(diag_count(d), 0);
    const yl_node *root = yl_doc_root(doc);
    assert_int_equal(root->n, 3);
    assert_string_equal(yl_str(yl_map_get(root, "common")), "общее");
    yl_doc_free(doc);
    diag_free(d);
}

/* The include item's mark is inside the fixture; the file found is not. */
static void test_include_outside_dossier(void **state)
{
    (void)state;
    char *tmp = make_temp_dir();
    char path[4096], text[4096];
    snprintf(path, sizeof path, "%s/dossier", tmp);
    assert_int_equal(mkdir(path, 0700), 0);
    write_file(tmp, "out.yaml", "out: 1\n");
    write_file(tmp, "dossier/real.yaml", "real: да\n");
    /* a symlink to outside the dossier, and one that stays inside */
    snprintf(path, sizeof path, "%s/dossier/link.yaml", tmp);
    assert_int_equal(symlink("../out.yaml", path), 0);
    snprintf(path, sizeof path, "%s/dossier/inlink.yaml", tmp);
    assert_int_equal(symlink("real.yaml", path), 0);
    snprintf(text, sizeof text, "include:\n  - link.yaml\n  - %s/out.yaml\n  - inlink.yaml\n", tmp);
    write_file(tmp, "dossier/main.yaml", text);

    diag *d = diag_new();
    snprintf(path, sizeof path, "%s/dossier/main.yaml", tmp);
    assert_null(yl_load_file(path, d));
    char *msg = format_messages(d);
    char want[4096];
    snprintf(want, sizeof want,
             "%s/dossier/main.yaml:2:5: ошибка: файл «%s/dossier/link.yaml» из include ведёт "
             "(через символическую ссылку) в «",
             tmp, tmp);
    assert_has(msg, want);
    snprintf(want, sizeof want,
             "%s/dossier/main.yaml:3:5: ошибка: путь «%s/out.yaml» в include "
             "абсолютный",
             tmp, tmp);
    assert_has(msg, want);
    assert_int_equal(diag_errors(d), 2); /* inlink.yaml is fine */
    free(msg);
    diag_free(d);

    /* without the bad items the symlink inside the dossier is merged */
    write_file(tmp, "dossier/main.yaml", "include: inlink.yaml\n");
    d = diag_new();
    yl_doc *doc = yl_load_file(path, d);
    assert_non_null(doc);
    assert_string_equal(yl_str(yl_map_get(yl_doc_root(doc), "real")), "да");
    yl_doc_free(doc);
    diag_free(d);
    remove_temp_dir(tmp);
}

/* A chain f0 -> f1 -> ... -> f<n-1>, each in its own subfolder, so that each
 * include path is relative to the including file. */
static void write_chain(const char *tmp, int n)
{
    char dir[4096], name[4096], text[256];
    snprintf(dir, sizeof dir, "%s", tmp);
    for (int i = 0; i < n; i++) {
        if (i + 1 < n)
            snprintf(text, sizeof text, "include: d%d/f%d.yaml\nk%d: %d\n", i + 1, i + 1, i, i);
        else
            snprintf(text, sizeof text, "k%d: %d\n", i, i);
        snprintf(name, sizeof name, "f%d.yaml", i);
        write_file(dir, name, text);
        size_t len = strlen(dir);
        snprintf(dir + len, sizeof dir - len, "/d%d", i + 1);
        if (i + 1 < n)
            assert_int_equal(mkdir(dir, 0700), 0);
    }
}

static void test_include_depth(void **state)
{
    (void)state;
    char path[4096];
    /* YL_MAX_INCLUDE_DEPTH levels below the document are allowed */
    char *tmp = make_temp_dir();
    write_chain(tmp, YL_MAX_INCLUDE_DEPTH + 1);
    snprintf(path, sizeof path, "%s/f0.yaml", tmp);
    diag *d = diag_new();
    yl_doc *doc = yl_load_file(path, d);
    assert_non_null(doc);
    assert_int_equal(yl_doc_root(doc)->n, YL_MAX_INCLUDE_DEPTH + 1);
    assert_string_equal(yl_doc_dossier(doc), tmp);
    yl_doc_free(doc);
    diag_free(d);
    remove_temp_dir(tmp);

    tmp = make_temp_dir();
    write_chain(tmp, YL_MAX_INCLUDE_DEPTH + 2);
    snprintf(path, sizeof path, "%s/f0.yaml", tmp);
    d = diag_new();
    assert_null(yl_load_file(path, d));
    char *msg = format_messages(d);
    assert_has(msg, "ошибка: цепочка include длиннее 16 файлов");
    assert_has(msg, "f0.yaml → ");
    assert_int_equal(diag_errors(d), 1);
    free(msg);
    diag_free(d);
    remove_temp_dir(tmp);
}

/* ---- file size ---- */

static void test_file_size_limit(void **state)
{
    (void)state;
    char *tmp = make_temp_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/big.yaml", tmp);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("текст: ", f);
    char line[1024];
    memset(line, 'x', sizeof line);
    for (size_t i = 0; i <= YL_MAX_FILE_SIZE / sizeof line; i++)
        fwrite(line, 1, sizeof line, f);
    fclose(f);
    diag *d = diag_new();
    assert_null(yl_load_file(path, d));
    char *msg = format_messages(d);
    assert_has(msg, "big.yaml: ошибка: файл «");
    assert_has(msg, "больше 4 МиБ");
    assert_int_equal(diag_errors(d), 1);
    free(msg);
    diag_free(d);
    remove_temp_dir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_byte_order_mark),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_string_keeps_include),
        cmocka_unit_test(test_alias_sharing),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_alias_budget_allows_reuse),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_unknown_tag_warns),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_include_merge),
        cmocka_unit_test(test_include_diamond),
        cmocka_unit_test(test_include_outside_dossier),
        cmocka_unit_test(test_include_depth),
        cmocka_unit_test(test_file_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
