/* Unit tests of slug: file names made from partners' names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slug.h"

static const struct {
    const char *name, *latin, *cyrillic;
} cases[] = {
    {"ООО «Уралмаш»", "ooo-uralmash", "ооо-уралмаш"},
    {"АО «Красноуральский химический завод»", "ao-krasnouralskii-khimicheskii-zavod",
     "ао-красноуральский-химический-завод"},
    {"ИП Щукин Юрий Ёлкин", "ip-shchukin-iurii-elkin", "ип-щукин-юрий-ёлкин"},
    {"Объединение «Подъём»", "obieedinenie-podieem", "объединение-подъём"},
    {"Соль / ../../etc/passwd", "sol-etc-passwd", "соль-etc-passwd"},
    {"  --«»--  ", "partner", "partner"},
    {"", "partner", "partner"},
    {"School No. 5", "school-no-5", "school-no-5"},
    {"a\x01"
     "b\xff"
     "c",
     "a-b-c", "a-b-c"},
};

static void test_slug_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *l = slug_make(cases[i].name, false), *c = slug_make(cases[i].name, true);
        assert_string_equal(l, cases[i].latin);
        assert_string_equal(c, cases[i].cyrillic);
        free(l);
        free(c);
    }
}

/* A long name is cut at a character, within SLUG_MAX bytes, without a
 * trailing hyphen. */
static void test_slug_long_name_is_cut(void **state)
{
    (void)state;
    char name[1200] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "Щит ");
    for (int cyr = 0; cyr < 2; cyr++) {
        char *s = slug_make(name, cyr);
        size_t n = strlen(s);
        assert_true(n > 0 && n <= SLUG_MAX);
        assert_true(s[n - 1] != '-');
        assert_true(((unsigned char)s[n - 1] & 0xC0) != 0xC0); /* not a cut lead byte */
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slug_cases),
        cmocka_unit_test(test_slug_long_name_is_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
