/* Unit tests of diag: gcc-style lines, the quoted source line with a caret
 * under the character column, strict mode, suggestions. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"

static void test_format_with_caret(void **state)
{
    (void)state;
    diag *d = diag_new();
    const char *src = "order:\n  titel: «Об утверждении»\n";
    diag_source(d, "order.yaml", src, strlen(src));
    diag_error(d, (src_mark){"order.yaml", 2, 10}, "пример %d", 1);
    diag_warning(d, (src_mark){"order.yaml", 1, 1}, "внимание");
    diag_note(d, DIAG_NOWHERE, "общее");
    assert_int_equal(diag_errors(d), 1);
    assert_int_equal(diag_warnings(d), 1);
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    assert_string_equal(b.data, "order.yaml:2:10: ошибка: пример 1\n"
                                "    titel: «Об утверждении»\n"
                                "           ^\n"
                                "order.yaml:1:1: предупреждение: внимание\n"
                                "  order:\n"
                                "  ^\n"
                                "nastavdoc: примечание: общее\n");
    buf_fini(&b);
    diag_free(d);
}

/* diag_source_take keeps the very buffer it is given (a CSV's megabytes are
 * not copied), quotes from it, and frees a second text of the same file. */
static void test_source_taken(void **state)
{
    (void)state;
    diag *d = diag_new();
    char *text = xstrdup("a,b\n1,2,3\n");
    diag_source_take(d, "t.csv", text, 4 + 6); /* no NUL needed after len */
    diag_source_take(d, "t.csv", xstrdup("другой текст\n"), strlen("другой текст\n"));
    text[4] = '7'; /* d reads the buffer it took */
    diag_error(d, (src_mark){"t.csv", 2, 5}, "лишнее поле");
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    assert_string_equal(b.data, "t.csv:2:5: ошибка: лишнее поле\n"
                                "  7,2,3\n"
                                "      ^\n");
    buf_fini(&b);
    diag_free(d);
}

static void test_strict_turns_warnings_into_errors(void **state)
{
    (void)state;
    diag *d = diag_new();
    diag_set_strict(d, true);
    diag_warning(d, (src_mark){"a.yaml", 3, 4}, "пара длится больше года");
    assert_int_equal(diag_errors(d), 1);
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    assert_string_equal(b.data, "a.yaml:3:4: ошибка: пара длится больше года\n");
    buf_fini(&b);
    diag_free(d);
}

static void test_suggestions(void **state)
{
    (void)state;
    static const char *const keys[] = {"title", "number", "date", "points", "control", "signature"};
    const struct {
        const char *typo, *want;
    } cases[] = {{"titel", "title"},   {"numbr", "number"},       {"dat", "date"},
                 {"pionts", "points"}, {"signatur", "signature"}, {"contrl", "control"},
                 {"zzzzzz", NULL},     {"наставник", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = diag_suggest(cases[i].typo, keys, 6);
        if (cases[i].want)
            assert_string_equal(got, cases[i].want);
        else
            assert_null(got);
    }
    assert_int_equal(diag_distance("дата", "даты", 3), 1);
    assert_int_equal(diag_distance("", "abc", 5), 3);
}

static char *format_all(diag *d)
{
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    return buf_take(&b);
}

static size_t count_lines(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The first DIAG_MAX_HELD errors are shown, the rest summed up with the
 * right Russian plural; memory does not grow with the count. */
static void test_cap_and_plural(void **state)
{
    (void)state;
    const struct {
        size_t total;
        const char *tail;
    } cases[] = {{100, NULL},
                 {101, "…и ещё 1 ошибка\n"},
                 {103, "…и ещё 3 ошибки\n"},
                 {105, "…и ещё 5 ошибок\n"},
                 {111, "…и ещё 11 ошибок\n"},
                 {121, "…и ещё 21 ошибка\n"},
                 {100112, "…и ещё 100012 ошибок\n"}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        diag *d = diag_new();
        for (size_t i = 0; i < cases[c].total; i++) {
            diag_error(d, (src_mark){"a.yaml", (uint32_t)i + 1, 1}, "ошибка номер %zu", i);
            diag_note(d, (src_mark){"a.yaml", 1, 1}, "примечание к ней");
        }
        assert_int_equal(diag_errors(d), cases[c].total);
        assert_true(diag_count(d) <= 2 * DIAG_MAX_HELD);
        char *text = format_all(d);
        assert_int_equal(count_lines(text, ": ошибка: "), DIAG_MAX_HELD);
        if (cases[c].tail)
            assert_non_null(strstr(text, cases[c].tail));
        else
            assert_null(strstr(text, "и ещё"));
        free(text);
        diag_free(d);
    }
    diag *d = diag_new();
    for (size_t i = 0; i < 102; i++)
        diag_warning(d, DIAG_NOWHERE, "w");
    char *text = format_all(d);
    assert_non_null(strstr(text, "…и ещё 2 предупреждения\n"));
    free(text);
    diag_free(d);
}

/* A long line is quoted as a window around the column, caret still under it. */
static void test_long_line_window(void **state)
{
    (void)state;
    buf src;
    buf_init(&src);
    for (int i = 0; i < 20000; i++)
        buf_puts(&src, i == 10000 ? "ключ" : "я");
    diag *d = diag_new();
    diag_source(d, "long.yaml", src.data, src.len);
    diag_error(d, (src_mark){"long.yaml", 1, 10001}, "здесь");
    diag_error(d, (src_mark){"long.yaml", 1, 3}, "в начале");
    char *text = format_all(d);
    /* 40 characters before the column, 80 in all, «…» at both cuts */
    const char *want = "long.yaml:1:10001: ошибка: здесь\n"
                       "  …яяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяключяяяяяяяяяяяяя"
                       "яяяяяяяяяяяяяяяяяяяяяяя…\n"
                       "                                           ^\n";
    assert_memory_equal(text, want, strlen(want));
    assert_true(strlen(text) < 1000);
    assert_non_null(strstr(text, "long.yaml:1:3: ошибка: в начале\n  яяяя"));
    free(text);
    buf_fini(&src);
    diag_free(d);
}

/* ESC, BEL, NUL-free C0, DEL, C1, bidi overrides and marks, and the
 * line and paragraph separators never reach the terminal. */
static void test_control_bytes_escaped(void **state)
{
    (void)state;
    diag *d = diag_new();
    const char *src = "a: \x1b[31mкрасный\x07\n";
    diag_source(d, "x\x1b]0;title\x07.yaml", src, strlen(src));
    diag_error(d, (src_mark){"x\x1b]0;title\x07.yaml", 1, 4}, "значение «%s» \xc2\x9b \xe2\x80\xae",
               "\x1b[2J\x7f");
    diag_error(d, (src_mark){"x.yaml", 1, 1}, "%s", "\u061c|\u200e|\u200f|\u2028|\u2029|\u200d");
    char *text = format_all(d);
    assert_string_equal(text,
                        "x\\x1b]0;title\\x07.yaml:1:4: ошибка: значение «\\x1b[2J\\x7f» "
                        "\\u009b \\u202e\n"
                        "  a: ?[31mкрасный?\n"
                        "     ^\n"
                        "x.yaml:1:1: ошибка: \\u061c|\\u200e|\\u200f|\\u2028|\\u2029|\u200d\n");
    free(text);
    diag_free(d);
}

/* Under the C locale the system's error texts still come out in Russian. */
static void test_strerror_russian(void **state)
{
    (void)state;
    setlocale(LC_MESSAGES, "C");
    const struct {
        int err;
        const char *want;
    } cases[] = {{ENOENT, "Нет такого файла или каталога"},
                 {EACCES, "Отказано в доступе"},
                 {EISDIR, "Это каталог"},
                 {ENOSPC, "На устройстве не осталось свободного места"},
                 {EROFS, "Файловая система доступна только для чтения"},
                 {ENAMETOOLONG, "Слишком длинное имя файла"},
                 {EDQUOT, "Превышена дисковая квота"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(diag_strerror(cases[i].err), cases[i].want);
}

/* The program does not read the locale at start: an error outside the table
 * still comes in the user's language, the locale read from the environment
 * when it is needed (scripts/deps.sh generates ru_RU.UTF-8). */
static void test_strerror_reads_locale(void **state)
{
    (void)state;
    setlocale(LC_ALL, "C");
    assert_int_equal(setenv("LC_ALL", "ru_RU.UTF-8", 1), 0);
    assert_string_equal(diag_strerror(ECONNREFUSED), "В соединении отказано");
    unsetenv("LC_ALL");
    setlocale(LC_ALL, "C");
}

/* Many files and messages: names are interned once, lookups stay cheap. */
static void test_many_files_and_rollback(void **state)
{
    (void)state;
    diag *d = diag_new();
    char name[32];
    const char *first = diag_file(d, "f0.yaml");
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "f%d.yaml", i);
        diag_source(d, name, "a: 1\nb: 2\n", 10);
    }
    assert_ptr_equal(diag_file(d, "f0.yaml"), first);
    diag_error(d, (src_mark){"f4999.yaml", 2, 1}, "первая");
    diag_checkpoint cp = diag_checkpoint_get(d);
    diag_error(d, (src_mark){"f7.yaml", 1, 1}, "забытая");
    diag_warning(d, DIAG_NOWHERE, "тоже");
    diag_rollback(d, cp);
    assert_int_equal(diag_errors(d), 1);
    assert_int_equal(diag_warnings(d), 0);
    char *text = format_all(d);
    assert_string_equal(text, "f4999.yaml:2:1: ошибка: первая\n  b: 2\n  ^\n");
    free(text);
    diag_free(d);
}

/* The files watch watches are those a loader named (diag_file,
 * diag_source), in order, each once; a file only a message names (the
 * output PDF of a warning about its properties) is not among them: watched,
 * it made `watch` render again after each of its own renders. */
static void test_named_files_not_message_files(void **state)
{
    (void)state;
    diag *d = diag_new();
    diag_file(d, "doc.yaml");
    diag_warning(d, (src_mark){"out.pdf", 0, 0}, "свойство файла PDF длиннее");
    diag_source(d, "school.yaml", "a: 1\n", 5);
    diag_file(d, "doc.yaml");
    diag_error(d, (src_mark){"school.yaml", 1, 1}, "ошибка в школе");
    assert_int_equal(diag_file_count(d), 2);
    assert_string_equal(diag_file_name(d, 0), "doc.yaml");
    assert_string_equal(diag_file_name(d, 1), "school.yaml");
    assert_null(diag_file_name(d, 2));
    diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_with_caret),
        cmocka_unit_test(test_strict_turns_warnings_into_errors),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_cap_and_plural),
        cmocka_unit_test(test_long_line_window),
        cmocka_unit_test(test_control_bytes_escaped),
        cmocka_unit_test(test_strerror_russian),
        cmocka_unit_test(test_strerror_reads_locale),
        cmocka_unit_test(test_many_files_and_rollback),
        cmocka_unit_test(test_source_taken),
        cmocka_unit_test(test_named_files_not_message_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
