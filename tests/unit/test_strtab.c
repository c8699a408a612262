/* Unit tests of the string table (strtab.h): keys are byte strings (a NUL
 * inside one is part of it), a value is replaced in place, the table grows
 * past many keys and keeps every one, and a cleared table is empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strtab.h"

static void test_get_put_replace(void **state)
{
    (void)state;
    strtab t = {0};
    assert_null(strtab_get(&t, "a", 1));
    int one = 1, two = 2;
    strtab_put(&t, "a", 1, &one);
    assert_ptr_equal(strtab_get(&t, "a", 1), &one);
    assert_null(strtab_get(&t, "ab", 2));
    strtab_put(&t, "a", 1, &two);
    assert_ptr_equal(strtab_get(&t, "a", 1), &two);
    assert_int_equal(t.n, 1);
    strtab_fini(&t);
    assert_null(strtab_get(&t, "a", 1));
}

/* "р\0ф" and "р" differ: the length is part of the key (survey_tally keys
 * its groups by role, NUL and form). */
static void test_embedded_nul(void **state)
{
    (void)state;
    strtab t = {0};
    int x = 1, y = 2;
    strtab_put(&t, "r\0f", 3, &x);
    strtab_put(&t, "r", 1, &y);
    assert_ptr_equal(strtab_get(&t, "r\0f", 3), &x);
    assert_ptr_equal(strtab_get(&t, "r", 1), &y);
    assert_null(strtab_get(&t, "r\0g", 3));
    strtab_fini(&t);
}

#define MANY 50000

static void test_many_and_clear(void **state)
{
    (void)state;
    static char keys[MANY][8];
    strtab t = {0};
    for (uintptr_t i = 0; i < MANY; i++) {
        snprintf(keys[i], sizeof keys[i], "k%lu", (unsigned long)i);
        strtab_put(&t, keys[i], strlen(keys[i]), (void *)(i + 1));
    }
    assert_int_equal(t.n, MANY);
    assert_true(2 * t.n <= t.cap);
    for (uintptr_t i = 0; i < MANY; i++)
        assert_int_equal((uintptr_t)strtab_get(&t, keys[i], strlen(keys[i])), i + 1);
    assert_null(strtab_get(&t, "k", 1));
    strtab_clear(&t); /* a big table is freed */
    assert_int_equal(t.n, 0);
    assert_null(t.slots);
    assert_null(strtab_get(&t, keys[0], strlen(keys[0])));
    strtab_put(&t, keys[1], strlen(keys[1]), keys[1]);
    strtab_clear(&t); /* a small one is kept, emptied */
    assert_non_null(t.slots);
    assert_null(strtab_get(&t, keys[1], strlen(keys[1])));
    strtab_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put_replace),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_many_and_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
