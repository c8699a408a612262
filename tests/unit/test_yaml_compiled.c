/* Unit tests for yaml_compiled: a tree written and read back is the tree
 * the loader made, marks and all; a compiled file of other text, of
 * another version, or damaged at any byte gives no tree (or a well-formed
 * one), never a crash; and every built-in template has a compiled file
 * that reads back as its tree. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yaml_compiled.h"
#include "yaml_load.h"

static const char sample[] = "document: order\n"
                             "title: 'Об организации наставничества'\n"
                             "plain: yes\n"
                             "list:\n"
                             "  - one\n"
                             "  - {a: 1, b: [x, \"y\"]}\n"
                             "  - []\n"
                             "  - {}\n"
                             "base: &b {k: v}\n"
                             "again: *b\n"
                             "text: |\n"
                             "  строка\n"
                             "  ещё\n";

/* Walk a tree read from a damaged blob: every node reachable, every string
 * terminated (ASan checks the reads). The count bounds a cycle. */
static size_t walk(const yl_node *n, size_t depth)
{
    assert_true(depth <= YL_MAX_DEPTH);
    if (n->kind == YL_SCALAR) {
        assert_int_equal(n->str[n->len], '\0');
        return 1;
    }
    size_t count = 1;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == YL_SEQ) {
            count += walk(n->items[i], depth + 1);
        } else {
            assert_int_equal(n->pairs[i].key->kind, YL_SCALAR);
            count += walk(n->pairs[i].key, depth + 1) + walk(n->pairs[i].value, depth + 1);
        }
    }
    return count;
}

static void compile_sample(yl_doc **doc, buf *out)
{
    diag *d = diag_new();
    *doc = yl_load_string("sample.yaml", sample, sizeof sample - 1, d);
    assert_non_null(*doc);
    assert_int_equal(diag_count(d), 0);
    diag_free(d);
    buf_init(out);
    assert_true(yc_write(yl_doc_root(*doc), sample, sizeof sample - 1, out));
}

static void test_round_trip(void **state)
{
    (void)state;
    yl_doc *doc;
    buf out;
    compile_sample(&doc, &out);
    arena *mem = arena_new();
    const yl_node *back = yc_read(mem, "sample.yaml", sample, sizeof sample - 1, out.data, out.len);
    assert_non_null(back);
    assert_true(yc_same_tree(yl_doc_root(doc), back));
    assert_string_equal(back->mark.file, "sample.yaml");
    /* the alias's node, shared in the loader's tree, is a copy here */
    assert_ptr_not_equal(yl_map_get(back, "base"), yl_map_get(back, "again"));
    assert_true(yc_same_tree(yl_map_get(back, "base"), yl_map_get(back, "again")));
    arena_free(mem);
    buf_fini(&out);
    yl_doc_free(doc);
}

/* Another text, one byte changed, or a shorter one: no tree. */
static void test_other_text(void **state)
{
    (void)state;
    yl_doc *doc;
    buf out;
    compile_sample(&doc, &out);
    arena *mem = arena_new();
    char *other = xstrdup(sample);
    other[12] = 'X';
    assert_null(yc_read(mem, "s", other, sizeof sample - 1, out.data, out.len));
    assert_null(yc_read(mem, "s", sample, sizeof sample - 2, out.data, out.len));
    assert_null(yc_read(mem, "s", sample, sizeof sample - 1, out.data, out.len - 1));
    assert_null(yc_read(mem, "s", sample, sizeof sample - 1, out.data, 10));
    free(other);
    arena_free(mem);
    buf_fini(&out);
    yl_doc_free(doc);
}

/* Every byte of the blob past the text changed in turn: yc_read gives no
 * tree or a well-formed one, never a crash or a read out of bounds. The
 * version string and the counts are among the bytes. */
static void test_every_byte_damaged(void **state)
{
    (void)state;
    yl_doc *doc;
    buf out;
    compile_sample(&doc, &out);
    size_t nodes = walk(yl_doc_root(doc), 0), rejected = 0;
    for (size_t i = 0; i < out.len; i++) {
        for (int flip = 1; flip < 256; flip <<= 3) {
            char *blob = xmalloc(out.len);
            memcpy(blob, out.data, out.len);
            blob[i] = (char)(blob[i] ^ flip);
            arena *mem = arena_new();
            const yl_node *back = yc_read(mem, "s", sample, sizeof sample - 1, blob, out.len);
            if (back)
                assert_true(walk(back, 0) <= nodes);
            else
                rejected++;
            arena_free(mem);
            free(blob);
        }
    }
    /* most damage is seen: the header, the text and the structure */
    assert_true(rejected > out.len);
    buf_fini(&out);
    yl_doc_free(doc);
}

/* A string that starts inside a character of the UTF-8 strings: the title's
 * record moved one byte into its «О», its end kept (found by fuzz_compiled:
 * tests/fuzz/regress/compiled/string-mid-character). */
static void test_string_mid_character(void **state)
{
    (void)state;
    yl_doc *doc;
    buf out;
    compile_sample(&doc, &out);
    uint32_t text_len, nodes, refs;
    memcpy(&text_len, out.data + 16, 4);
    memcpy(&nodes, out.data + 20, 4);
    memcpy(&refs, out.data + 24, 4);
    const char *records = out.data + 64 + text_len;
    const char *pool = records + (size_t)nodes * 20 + (size_t)refs * 4;
    const char *title = "Об организации наставничества";
    bool moved = false;
    for (uint32_t i = 0; i < nodes && !moved; i++) {
        char *rec = (char *)records + (size_t)i * 20;
        uint32_t a, b;
        memcpy(&a, rec + 12, 4);
        memcpy(&b, rec + 16, 4);
        if (rec[0] == YL_SCALAR && b == strlen(title) && !memcmp(pool + a, title, b)) {
            a++;
            b--;
            memcpy(rec + 12, &a, 4);
            memcpy(rec + 16, &b, 4);
            moved = true;
        }
    }
    assert_true(moved);
    arena *mem = arena_new();
    assert_null(yc_read(mem, "s", sample, sizeof sample - 1, out.data, out.len));
    arena_free(mem);
    buf_fini(&out);
    yl_doc_free(doc);
}

/* Through the loader: a compiled file of the text is used, one of other
 * text is not (the file is parsed), and a missing one is no error. */
static void test_load_compiled(void **state)
{
    (void)state;
    char dir[] = "/tmp/nastavdoc-yc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char yaml[64], ynb[64];
    snprintf(yaml, sizeof yaml, "%s/t.yaml", dir);
    snprintf(ynb, sizeof ynb, "%s/t.ynb", dir);
    FILE *f = fopen(yaml, "w");
    assert_non_null(f);
    fputs(sample, f);
    fclose(f);
    yl_doc *doc;
    buf out;
    compile_sample(&doc, &out);
    /* a compiled file whose tree differs from the text's, to tell which was read */
    out.data[out.len - 2] = 'Z'; /* the last byte of the last string, text's «…ещё\n» */
    f = fopen(ynb, "wb");
    fwrite(out.data, 1, out.len, f);
    fclose(f);
    diag *d = diag_new();
    yl_doc *got = yl_load_compiled(yaml, ynb, d, NULL, NULL);
    assert_non_null(got);
    const yl_node *text = yl_map_get(yl_doc_root(got), "text");
    assert_non_null(text);
    assert_int_equal(text->str[text->len - 1], 'Z'); /* the compiled tree */
    yl_doc_free(got);
    /* the template edited: the compiled file is of other text, the file is parsed */
    f = fopen(yaml, "a");
    fputs("more: 1\n", f);
    fclose(f);
    got = yl_load_compiled(yaml, ynb, d, NULL, NULL);
    assert_non_null(got);
    assert_non_null(yl_map_get(yl_doc_root(got), "more"));
    text = yl_map_get(yl_doc_root(got), "text");
    assert_int_equal(text->str[text->len - 1], '\n');
    yl_doc_free(got);
    got = yl_load_compiled(yaml, "/nonexistent/t.ynb", d, NULL, NULL);
    assert_non_null(got);
    assert_int_equal(diag_count(d), 0);
    yl_doc_free(got);
    diag_free(d);
    unlink(yaml);
    unlink(ynb);
    rmdir(dir);
    buf_fini(&out);
    yl_doc_free(doc);
}

/* make compiled every template in templates/ into build/templates/, and each
 * reads back as the tree its text parses to. */
static void test_templates_compiled(void **state)
{
    (void)state;
    DIR *dir = opendir("templates");
    assert_non_null(dir);
    size_t checked = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char yaml[300], ynb[300];
        snprintf(yaml, sizeof yaml, "templates/%s", e->d_name);
        snprintf(ynb, sizeof ynb, "build/templates/%.*s.ynb", (int)(n - 5), e->d_name);
        diag *d = diag_new();
        yl_doc *parsed = yl_load_file(yaml, d);
        assert_non_null(parsed);
        size_t len, blen;
        char *text = util_read_file(yaml, YL_MAX_FILE_SIZE, &len);
        char *blob = util_read_file(ynb, YC_MAX_SIZE, &blen);
        assert_non_null(text);
        if (!blob)
            fail_msg("%s: no compiled file %s", yaml, ynb);
        arena *mem = arena_new();
        const yl_node *back = yc_read(mem, "x", text, len, blob, blen);
        if (!back || !yc_same_tree(yl_doc_root(parsed), back))
            fail_msg("%s: %s does not read back as its tree", yaml, ynb);
        arena_free(mem);
        free(text);
        free(blob);
        yl_doc_free(parsed);
        diag_free(d);
        checked++;
    }
    closedir(dir);
    assert_true(checked >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_other_text),
        cmocka_unit_test(test_every_byte_damaged), cmocka_unit_test(test_string_mid_character),
        cmocka_unit_test(test_load_compiled),      cmocka_unit_test(test_templates_compiled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
