/* Unit tests of util: the heap of a forked process (util_heap_fresh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define TEST_FOREIGN_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
#define TEST_FOREIGN_MALLOC 1
#endif

enum { HUGE_PAGE = 2 << 20 };

#ifndef TEST_FOREIGN_MALLOC
/* In a child (a batch worker's position): after util_heap_fresh, a block
 * comes from above everything the heap held at the fork, from the start of
 * a huge page the parent never touched; the memory the parent had stays
 * readable. Exit status 0 when all holds. */
static int child_checks(const char *parent_text)
{
    char *end = sbrk(0);
    util_heap_fresh();
    char *p = malloc(100000);
    if (!p)
        return 1;
    memset(p, 1, 100000);
    uintptr_t chunk = (uintptr_t)p - 2 * sizeof(size_t);
    int rc = (uintptr_t)p < (uintptr_t)end ? 2 : chunk % HUGE_PAGE ? 3 : 0;
    if (!rc && strcmp(parent_text, "written before the fork"))
        rc = 4;
    /* a second call changes nothing: the next block follows the first */
    util_heap_fresh();
    char *q = malloc(100000);
    if (!rc && (!q || q < p || q > p + 2 * 100000))
        rc = 5;
    free(q);
    free(p);
    return rc;
}

#endif

static void test_heap_fresh_in_child(void **state)
{
    (void)state;
#ifdef TEST_FOREIGN_MALLOC
    skip();
#else
    /* the parent touches its heap, as batch's planning does; small blocks
     * are freed last, the last of them next to the top of the heap: past
     * the 7 a thread keeps (tcache) they wait unmerged in malloc's fast
     * bins, and a large request merges them into the top first */
    char *text = xstrdup("written before the fork");
    void *blocks[64], *small[20];
    for (size_t i = 0; i < 64; i++)
        blocks[i] = xmalloc(1000 + 100 * i);
    for (size_t i = 0; i < 20; i++)
        small[i] = xmalloc(40);
    for (size_t i = 0; i < 64; i += 2)
        free(blocks[i]);
    for (size_t i = 0; i < 20; i++)
        free(small[i]);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_checks(text));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    for (size_t i = 1; i < 64; i += 2)
        free(blocks[i]);
    free(text);
#endif
}

/* buf_printf formats into the room there is, and again after growing when
 * the text did not fit: the bytes are those of snprintf either way. */
static void test_buf_printf(void **state)
{
    (void)state;
    buf b, want;
    buf_init(&b);
    buf_init(&want);
    buf_printf(&b, "%s", ""); /* nothing, into no buffer */
    assert_int_equal(b.len, 0);
    for (int i = 0; i < 2000; i++) {
        char one[64];
        int n = snprintf(one, sizeof one, "%d %.3f Tf %s|", i, i / 7.0, i % 3 ? "" : "BT");
        size_t before = b.len;
        buf_printf(&b, "%d %.3f Tf %s|", i, i / 7.0, i % 3 ? "" : "BT");
        assert_int_equal(b.len, before + (size_t)n);
        buf_putn(&want, one, (size_t)n);
    }
    char wide[300];
    memset(wide, 'x', sizeof wide - 1);
    wide[sizeof wide - 1] = '\0';
    buf_printf(&b, "<%s>", wide); /* longer than any room left */
    buf_printf(&want, "<");
    buf_puts(&want, wide);
    buf_putc(&want, '>');
    assert_int_equal(b.len, want.len);
    assert_memory_equal(b.data, want.data, b.len + 1);
    buf_fini(&b);
    buf_fini(&want);
}

/* What a file meant as text is, by its first bytes: UTF-16 with or without
 * its mark (a Cyrillic CSV header «ФИО;» has no NUL in its first two bytes:
 * it was «нулевой байт»), Office files, RTF; a stray NUL is not UTF-16. */
static void test_file_format(void **state)
{
    (void)state;
    static const char le_cyr[] = "\x24\x04\x18\x04\x1e\x04;\0\x13\x04;\0";
    static const char be_lat[] = "\0d\0o\0c";
    static const char le_lat[] = "d\0o\0c\0";
    static const char stray[] = "document: order\0\n";
    static const char both[] = "a\0\0b\0\0";
    assert_int_equal(util_file_format(le_cyr, sizeof le_cyr - 1), FILE_UTF16_NO_MARK);
    assert_int_equal(util_file_format(be_lat, sizeof be_lat - 1), FILE_UTF16_NO_MARK);
    assert_int_equal(util_file_format(le_lat, sizeof le_lat - 1), FILE_UTF16_NO_MARK);
    assert_int_equal(util_file_format(stray, sizeof stray - 1), FILE_TEXT);
    assert_int_equal(util_file_format(both, sizeof both - 1), FILE_TEXT);
    assert_int_equal(util_file_format("\xFF\xFE"
                                      "d\0",
                                      4),
                     FILE_UTF16LE);
    assert_int_equal(util_file_format("\xFE\xFF\0d", 4), FILE_UTF16BE);
    assert_int_equal(util_file_format("PK\x03\x04xx", 6), FILE_ZIP);
    assert_int_equal(util_file_format("\xD0\xCF\x11\xE0", 4), FILE_OLE);
    assert_int_equal(util_file_format("{\\rtf1", 6), FILE_RTF);
    assert_int_equal(util_file_format("document: order\n", 16), FILE_TEXT);
    assert_int_equal(util_file_format("", 0), FILE_TEXT);
}

int main(void)
{
    util_heap_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_fresh_in_child),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_file_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
