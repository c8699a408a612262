/* Unit tests of the string table (strtab.h): keys are byte strings (a NUL
 * inside one is part of it), a value is replaced in place, the table grows
 * past many keys and keeps every one, a cleared table is empty, strtab_add
 * keeps the first value of a key and a reserved table does not grow. */
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

/* strtab_add keeps the first value of a key and says it was there; a new
 * key is inserted and NULL returned. */
static void test_add_first_wins(void **state)
{
    (void)state;
    strtab t = {0};
    int one = 1, two = 2;
    assert_null(strtab_add(&t, "style", 5, &one));
    assert_ptr_equal(strtab_add(&t, "style", 5, &two), &one);
    assert_ptr_equal(strtab_get(&t, "style", 5), &one);
    assert_int_equal(t.n, 1);
    assert_null(strtab_add(&t, "styles", 6, &two));
    assert_ptr_equal(strtab_get(&t, "styles", 6), &two);
    assert_int_equal(t.n, 2);
    strtab_fini(&t);
}

/* A reserved table takes its keys without moving its slots; reserving on a
 * full table keeps its keys. */
static void test_reserve(void **state)
{
    (void)state;
    static char keys[1000][8];
    strtab t = {0};
    strtab_reserve(&t, 1000);
    assert_true(t.cap >= 2000);
    const strtab_slot *slots = t.slots;
    for (uintptr_t i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof keys[i], "s%lu", (unsigned long)i);
        strtab_put(&t, keys[i], strlen(keys[i]), (void *)(i + 1));
    }
    assert_ptr_equal(t.slots, slots);
    strtab_reserve(&t, 10); /* no smaller */
    assert_ptr_equal(t.slots, slots);
    strtab_reserve(&t, 5000);
    assert_true(t.cap >= 10000);
    assert_int_equal(t.n, 1000);
    for (uintptr_t i = 0; i < 1000; i++)
        assert_int_equal((uintptr_t)strtab_get(&t, keys[i], strlen(keys[i])), i + 1);
    strtab_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put_replace), cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_many_and_clear),  cmocka_unit_test(test_add_first_wins),
        cmocka_unit_test(test_reserve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
