/* Unit tests of diag: gcc-style lines, the quoted source line with a caret
 * under the character column, strict mode, suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_with_caret),
        cmocka_unit_test(test_strict_turns_warnings_into_errors),
        cmocka_unit_test(test_suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
