/* Unit tests of qrcode: the module matrix libqrencode makes, and the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qrcode.h"

/* Byte mode, level M: the smallest version that holds the text (ISO/IEC
 * 18004, table 7: 14, 26, 42, 62 bytes for versions 1–4), 17 + 4v modules. */
static const struct {
    const char *name, *text;
    int version;
    size_t size;
} cases[] = {
    {"14 bytes: version 1", "HELLO, WORLD!!", 1, 21},
    {"15 bytes: version 2", "HELLO, WORLD!!!", 2, 25},
    {"42 bytes: version 3", "https://school.example.ru/docs/prikaz-4242", 3, 29},
    {"Cyrillic UTF-8, 40 bytes: version 3", "Приказ от 02.09.2024 № 42-од", 3, 29},
    {"Cyrillic UTF-8, 44 bytes: version 4", "Приказ № 42-од от 02.09.2024 г.", 4, 33},
};

/* A finder pattern's 7 x 7 rings at (r0, c0): dark, light, dark 3 x 3. */
static void assert_finder(const qrcode *q, size_t r0, size_t c0)
{
    for (size_t r = 0; r < 7; r++)
        for (size_t c = 0; c < 7; c++) {
            size_t ring = r < c ? r : c;
            ring = ring < 6 - r ? ring : 6 - r;
            ring = ring < 6 - c ? ring : 6 - c;
            assert_int_equal(q->dark[(r0 + r) * q->size + c0 + c], ring != 1);
        }
}

static void test_qrcode_sizes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        diag *d = diag_new();
        arena *a = arena_new();
        qrcode q;
        src_mark at = {"doc.yaml", 3, 5};
        print_message("%s\n", cases[i].name);
        assert_true(qrcode_make(cases[i].text, strlen(cases[i].text), at, a, d, &q));
        assert_int_equal(q.version, cases[i].version);
        assert_int_equal(q.size, cases[i].size);
        assert_finder(&q, 0, 0);
        assert_finder(&q, 0, q.size - 7);
        assert_finder(&q, q.size - 7, 0);
        for (size_t k = 0; k < q.size * q.size; k++)
            assert_true(q.dark[k] <= 1);
        assert_int_equal(diag_count(d), 0);
        arena_free(a);
        diag_free(d);
    }
}

/* QRCODE_MAX_BYTES is the largest text; one byte more is refused with a
 * Russian message at the mark, and nothing is made. */
static void test_qrcode_limit(void **state)
{
    (void)state;
    char text[QRCODE_MAX_BYTES + 2];
    memset(text, 'x', sizeof text);
    diag *d = diag_new();
    arena *a = arena_new();
    src_mark at = {diag_file(d, "doc.yaml"), 3, 5};
    qrcode q = {0};
    assert_true(qrcode_make(text, QRCODE_MAX_BYTES, at, a, d, &q));
    assert_int_equal(q.version, QRCODE_MAX_VERSION);
    assert_int_equal(q.size, 17 + 4 * QRCODE_MAX_VERSION);
    qrcode r = {0};
    assert_false(qrcode_make(text, QRCODE_MAX_BYTES + 1, at, a, d, &r));
    assert_null(r.dark);
    assert_false(qrcode_make("", 0, at, a, d, &r));
    assert_int_equal(diag_errors(d), 2);
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    assert_non_null(strstr(b.data, "doc.yaml:3:5: ошибка: текст для QR-кода слишком длинный: "
                                   "413 байт, а помещается не больше 412"));
    assert_non_null(strstr(b.data, "doc.yaml:3:5: ошибка: пустой текст для QR-кода"));
    buf_fini(&b);
    arena_free(a);
    diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qrcode_sizes),
        cmocka_unit_test(test_qrcode_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
