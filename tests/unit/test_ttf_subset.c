/* Unit tests for ttf_subset: subsets of fonts/LiberationSerif-Regular.ttf
 * parse back with the glyphs asked for (and their components), glyph ids
 * and count kept, checksums right; broken input refused without a crash.
 * Run from the project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ttf_subset.h"

#define FONT "fonts/LiberationSerif-Regular.ttf"

static const char TAG[TTF_TAG_LEN] = {'N', 'S', 'T', 'V', 'D', 'C', '+'};

static uint8_t *font_bytes(size_t *len)
{
    char *text = util_read_file(FONT, 16 << 20, len);
    assert_non_null(text);
    return (uint8_t *)text;
}

/* Whether needle[0..n) occurs in hay[0..len). */
static bool contains(const char *hay, size_t len, const char *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return true;
    return false;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static unsigned be16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

/* The components of a composite outline (none for a simple one). */
static size_t components(const uint8_t *g, size_t len, unsigned out[], size_t max)
{
    size_t n = 0;
    if (len < 10 || !(be16(g) & 0x8000))
        return 0;
    for (size_t pos = 10; pos + 4 <= len && n < max;) {
        unsigned flags = be16(g + pos);
        out[n++] = be16(g + pos + 2);
        if (!(flags & 0x20))
            break;
        pos += 4 + (flags & 1 ? 4 : 2);
        pos += flags & 8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0;
    }
    return n;
}

/* Every table's checksum and the whole file's (head.checkSumAdjustment). */
static void check_sums(const uint8_t *f, size_t len)
{
    assert_int_equal(len % 4, 0);
    size_t count = be16(f + 4);
    for (size_t i = 0; i < count; i++) {
        const uint8_t *rec = f + 12 + 16 * i;
        uint32_t off = be32(rec + 8), tlen = be32(rec + 12), sum = 0;
        assert_int_equal(off % 4, 0);
        assert_true(off + tlen <= len);
        for (uint32_t k = 0; k < (tlen + 3) / 4 * 4; k += 4)
            sum += be32(f + off + k);
        if (memcmp(rec, "head", 4) == 0)
            sum -= be32(f + off + 8); /* its own checksum leaves the adjustment out */
        if (sum != be32(rec + 4))
            fail_msg("table %.4s: checksum %08x, directory says %08x", (const char *)rec,
                     (unsigned)sum, (unsigned)be32(rec + 4));
    }
    uint32_t total = 0;
    for (size_t k = 0; k < len; k += 4)
        total += be32(f + k);
    assert_int_equal(total, 0xB1B0AFBA);
}

typedef struct subset_case {
    const char *name;
    const char *text; /* UTF-8: the code points to keep */
    bool composite;   /* one of them is a composite glyph */
} subset_case;

static const subset_case SUBSETS[] = {
    {"nothing: glyph 0 only", "", false},
    {"Latin", "Hello, world", false},
    {"Cyrillic", "Приказ о наставничестве № 443", true},
    {"accented letters", "éèêëÉÀÇñÅ", true},
    {"yo and short i", "ЁёЙй", true},
};

static void test_subsets(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = font_bytes(&len);
    ttf_font *t = ttf_font_new(bytes, len);
    assert_non_null(t);
    size_t glyphs = ttf_font_glyphs(t);
    assert_true(glyphs > 1000);
    assert_true(ttf_font_glyph(t, 'A') != 0);
    assert_int_equal(ttf_font_glyph(t, 0x4E00), 0); /* CJK: not in this font */
    for (size_t i = 0; i < sizeof SUBSETS / sizeof SUBSETS[0]; i++) {
        const subset_case *c = &SUBSETS[i];
        uint16_t gids[64];
        size_t n = 0;
        for (size_t k = 0; c->text[k];) {
            uint32_t cp;
            size_t step = utf8_decode(c->text + k, strlen(c->text + k), &cp);
            assert_true(step > 0 && n < 64);
            unsigned g = ttf_font_glyph(t, cp);
            if (g == 0)
                fail_msg("%s: U+%04X has no glyph", c->name, (unsigned)cp);
            gids[n++] = (uint16_t)g; /* repeated letters come twice: allowed */
            k += step;
        }
        buf out;
        buf_init(&out);
        assert_true(ttf_subset_build(t, gids, NULL, n, TAG, &out));
        ttf_font *s = ttf_font_new((const uint8_t *)out.data, out.len);
        if (!s)
            fail_msg("%s: the subset does not parse", c->name);
        check_sums((const uint8_t *)out.data, out.len);
        size_t sub_glyphs = ttf_font_glyphs(s);
        assert_true(sub_glyphs >= n + 1);
        /* glyph 0, then the glyphs asked for in order, same outline (but
         * for composites, whose components are renumbered) and advance */
        bool saw_composite = false;
        for (size_t j = 0; j <= n; j++) {
            unsigned g = j == 0 ? 0 : gids[j - 1];
            size_t olen, slen;
            const uint8_t *orig = ttf_font_outline(t, g, &olen);
            const uint8_t *sub = ttf_font_outline(s, (unsigned)j, &slen);
            assert_int_equal(ttf_font_advance(s, (unsigned)j), ttf_font_advance(t, g));
            unsigned comp[16], sub_comp[16];
            size_t nc = components(orig, olen, comp, 16);
            saw_composite |= nc > 0;
            if (nc == 0) {
                if (slen < olen || memcmp(orig, sub, olen) != 0)
                    fail_msg("%s: glyph %zu differs from the font's %u", c->name, j, g);
                continue;
            }
            /* each component: a glyph of the subset with the same outline */
            assert_int_equal(components(sub, slen, sub_comp, 16), nc);
            for (size_t k = 0; k < nc; k++) {
                size_t clen, sclen;
                const uint8_t *co = ttf_font_outline(t, comp[k], &clen);
                const uint8_t *sco = ttf_font_outline(s, sub_comp[k], &sclen);
                if (sub_comp[k] >= sub_glyphs || sclen < clen || memcmp(co, sco, clen) != 0)
                    fail_msg("%s: component %u of glyph %zu is not the font's %u", c->name,
                             sub_comp[k], j, comp[k]);
            }
        }
        if (saw_composite != c->composite)
            fail_msg("%s: composite %d, expected %d", c->name, saw_composite, c->composite);
        /* the subset's cmap maps nothing: the PDF reaches glyphs by CID;
         * so it has no "H" and no "x" to measure (not .notdef's box) */
        assert_int_equal(ttf_font_glyph(s, 'A'), 0);
        assert_int_equal(ttf_font_info(s)->cap_height, 0);
        assert_int_equal(ttf_font_info(s)->x_height, 0);
        /* the tag is in front of the family name (UTF-16BE on Windows) */
        assert_true(contains(out.data, out.len, "\0N\0S\0T\0V\0D\0C\0+", 14));
        ttf_font_free(s);
        buf_fini(&out);
    }
    ttf_font_free(t);
    free(bytes);
}

/* Broken files: refused, or (when what is left still holds together)
 * subset without reading outside the bytes; ASan watches. */
typedef struct bad_case {
    const char *name;
    size_t cut;     /* keep only this many bytes (0: all) */
    size_t at;      /* then overwrite 4 bytes here (0: none) */
    uint32_t value; /* with this big-endian value */
    bool parses;
} bad_case;

static const bad_case BAD[] = {
    {"empty", 1, 0, 0, false},
    {"header only", 12, 0, 0, false},
    {"directory cut", 100, 0, 0, false},
    {"tables cut", 4096, 0, 0, false},
    {"last byte gone", SIZE_MAX, 0, 0, false},
    {"table count huge", 0, 4, 0xFFFF0000, false},
    {"first table offset past the end", 0, 12 + 8, 0x7FFFFFF0, false},
    {"first table length past the end", 0, 12 + 12, 0x7FFFFFF0, false},
};

static void test_bad_input(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = font_bytes(&len);
    assert_null(ttf_font_new(NULL, 0));
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_case *c = &BAD[i];
        size_t n = c->cut == SIZE_MAX ? len - 1 : c->cut ? c->cut - (c->cut == 1) : len;
        uint8_t *copy = xmalloc(n ? n : 1);
        memcpy(copy, bytes, n);
        if (c->at)
            for (int k = 0; k < 4; k++)
                copy[c->at + k] = (uint8_t)(c->value >> (24 - 8 * k));
        ttf_font *t = ttf_font_new(copy, n);
        if ((t != NULL) != c->parses)
            fail_msg("%s: parses %d, expected %d", c->name, t != NULL, c->parses);
        ttf_font_free(t);
        free(copy);
    }
    /* Every cut of the file, in steps: refused or subset in bounds. */
    for (size_t n = 0; n < len; n += n < 4096 ? 7 : 4093) {
        uint8_t *copy = xmalloc(n ? n : 1);
        memcpy(copy, bytes, n);
        ttf_font *t = ttf_font_new(copy, n);
        if (t) {
            uint16_t gids[] = {1, 2, 3, (uint16_t)(ttf_font_glyphs(t) - 1), 0xFFFF};
            buf out;
            buf_init(&out);
            assert_true(ttf_subset_build(t, gids, NULL, 5, TAG, &out));
            buf_fini(&out);
        }
        ttf_font_free(t);
        free(copy);
    }
    free(bytes);
}

/* A composite glyph that names itself or a glyph past the end: kept once,
 * no loop, nothing out of range. */
static void test_composite_loop(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = font_bytes(&len);
    ttf_font *t = ttf_font_new(bytes, len);
    unsigned g = ttf_font_glyph(t, 0x00E9); /* é: a composite */
    size_t olen;
    const uint8_t *outline = ttf_font_outline(t, g, &olen);
    unsigned comp[4];
    assert_true(components(outline, olen, comp, 4) > 0);
    /* Point its first component at itself, then past the last glyph. */
    uint8_t *at = (uint8_t *)outline + 12;
    unsigned saved = be16(at);
    unsigned targets[] = {g, 0xFFFF};
    for (size_t i = 0; i < 2; i++) {
        at[0] = (uint8_t)(targets[i] >> 8);
        at[1] = (uint8_t)(targets[i] & 0xFF);
        uint16_t gids[] = {(uint16_t)g};
        buf out;
        buf_init(&out);
        assert_true(ttf_subset_build(t, gids, NULL, 1, TAG, &out));
        ttf_font *s = ttf_font_new((const uint8_t *)out.data, out.len);
        assert_non_null(s);
        /* .notdef, é and its other components: the changed one adds no
         * glyph (é itself is there, one past the end becomes glyph 0) */
        assert_int_equal(ttf_font_glyphs(s), 2 + components(outline, olen, comp, 4) - 1);
        ttf_font_free(s);
        buf_fini(&out);
    }
    at[0] = (uint8_t)(saved >> 8);
    at[1] = (uint8_t)(saved & 0xFF);
    ttf_font_free(t);
    free(bytes);
}

/* The offset of table tag in the font file, 0 when it has none. */
static size_t table_at(const uint8_t *bytes, const char *tag)
{
    size_t count = be16(bytes + 4);
    for (size_t i = 0; i < count; i++)
        if (memcmp(bytes + 12 + 16 * i, tag, 4) == 0)
            return be32(bytes + 12 + 16 * i + 8);
    return 0;
}

/* The descriptor's numbers of a regular, a bold and an italic font: those
 * libharu 2.3.0 wrote for them (ascent to /XHeight, /Flags), and the italic
 * angle of post, which it left at 0. */
static void test_info(void **state)
{
    (void)state;
    static const struct {
        const char *file, *ps_name;
        int ascent, descent, bbox[4], cap, x;
        unsigned flags;
        double italic;
        unsigned a_width; /* of А, U+0410, as /W had it */
    } FONTS[] = {
        {FONT, "LiberationSerif", 891, -216, {-543, -303, 1278, 981}, 654, 458, 34, 0, 722},
        {"fonts/LiberationSerif-Bold.ttf",
         "LiberationSerif-Bold",
         891,
         -216,
         {-543, -303, 1344, 1007},
         654,
         458,
         34 | TTF_FLAG_FORCE_BOLD,
         0,
         722},
        {"fonts/LiberationSerif-Italic.ttf",
         "LiberationSerif-Italic",
         891,
         -216,
         {-543, -303, 1286, 980},
         654,
         458,
         34 | TTF_FLAG_ITALIC,
         -16.333,
         610},
    };
    for (size_t i = 0; i < sizeof FONTS / sizeof FONTS[0]; i++) {
        size_t len;
        uint8_t *bytes = (uint8_t *)util_read_file(FONTS[i].file, 16 << 20, &len);
        assert_non_null(bytes);
        ttf_font *t = ttf_font_new(bytes, len);
        assert_non_null(t);
        const ttf_info *in = ttf_font_info(t);
        assert_string_equal(in->ps_name, FONTS[i].ps_name);
        assert_int_equal(in->ascent, FONTS[i].ascent);
        assert_int_equal(in->descent, FONTS[i].descent);
        for (int k = 0; k < 4; k++)
            assert_int_equal(in->bbox[k], FONTS[i].bbox[k]);
        assert_int_equal(in->cap_height, FONTS[i].cap);
        assert_int_equal(in->x_height, FONTS[i].x);
        assert_int_equal(in->flags, FONTS[i].flags);
        assert_true(fabs(in->italic_angle - FONTS[i].italic) < 0.001);
        assert_true(in->embeddable);
        /* .notdef is 777/1000 em in all three (the /DW). */
        assert_int_equal(ttf_font_advance(t, ttf_font_glyph(t, 0x0410)), FONTS[i].a_width);
        assert_int_equal(ttf_font_advance(t, 0), 777);
        ttf_font_free(t);
        free(bytes);
    }
}

/* fsType that forbids embedding, and a unitsPerEm the metrics cannot be
 * scaled by. */
static void test_licence_and_units(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = font_bytes(&len);
    size_t os2 = table_at(bytes, "OS/2"), head = table_at(bytes, "head");
    assert_true(os2 > 0 && head > 0);
    static const unsigned FORBIDDING[] = {0x0002, 0x0100, 0x0200, 0x0302};
    for (size_t i = 0; i < sizeof FORBIDDING / sizeof FORBIDDING[0]; i++) {
        bytes[os2 + 8] = (uint8_t)(FORBIDDING[i] >> 8);
        bytes[os2 + 9] = (uint8_t)(FORBIDDING[i] & 0xFF);
        ttf_font *t = ttf_font_new(bytes, len);
        assert_non_null(t);
        assert_false(ttf_font_info(t)->embeddable);
        ttf_font_free(t);
    }
    /* 4 (print) and 8 (edit) allow it. */
    bytes[os2 + 8] = 0;
    bytes[os2 + 9] = 0x0C;
    ttf_font *t = ttf_font_new(bytes, len);
    assert_true(ttf_font_info(t)->embeddable);
    ttf_font_free(t);
    static const unsigned UNITS[] = {0, 15, 16385, 0xFFFF};
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        bytes[head + 18] = (uint8_t)(UNITS[i] >> 8);
        bytes[head + 19] = (uint8_t)(UNITS[i] & 0xFF);
        assert_null(ttf_font_new(bytes, len));
    }
    free(bytes);
}

/* A font with no "H" (a subset: its cmap maps nothing) has no cap height,
 * even where its .notdef has an outline, as PT Serif's has. */
static void test_no_h_no_cap_height(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = (uint8_t *)util_read_file("fonts/PTF55F.ttf", 16 << 20, &len);
    assert_non_null(bytes);
    ttf_font *t = ttf_font_new(bytes, len);
    assert_non_null(t);
    size_t olen;
    assert_true(ttf_font_outline(t, 0, &olen) && olen >= 10);
    assert_int_equal(ttf_font_info(t)->cap_height, 700);
    uint16_t gids[] = {(uint16_t)ttf_font_glyph(t, 'H'), (uint16_t)ttf_font_glyph(t, 'x')};
    buf out;
    buf_init(&out);
    assert_true(ttf_subset_build(t, gids, NULL, 2, TAG, &out));
    ttf_font *s = ttf_font_new((const uint8_t *)out.data, out.len);
    assert_non_null(s);
    assert_int_equal(ttf_font_info(s)->cap_height, 0);
    assert_int_equal(ttf_font_info(s)->x_height, 0);
    ttf_font_free(s);
    buf_fini(&out);
    ttf_font_free(t);
    free(bytes);
}

/* The subset's cmap maps the code points given to their new glyphs, in
 * whatever order they come, one segment per run; others map to nothing. */
static void test_subset_cmap(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = font_bytes(&len);
    ttf_font *t = ttf_font_new(bytes, len);
    /* runs (АБВ, abc), lone ones, and an order that is not the code points' */
    static const uint32_t CPS[] = {0x0430, 0x0431, 0x0432, 'a', 'b',
                                   'c',    0x2116, 0x0451, 'z', 0x0410};
    size_t n = sizeof CPS / sizeof CPS[0];
    uint16_t gids[sizeof CPS / sizeof CPS[0]];
    for (size_t i = 0; i < n; i++)
        gids[i] = (uint16_t)ttf_font_glyph(t, CPS[i]);
    buf out;
    buf_init(&out);
    assert_true(ttf_subset_build(t, gids, CPS, n, TAG, &out));
    ttf_font *s = ttf_font_new((const uint8_t *)out.data, out.len);
    assert_non_null(s);
    check_sums((const uint8_t *)out.data, out.len);
    for (size_t i = 0; i < n; i++)
        if (ttf_font_glyph(s, CPS[i]) != i + 1)
            fail_msg("U+%04X maps to glyph %u, not %zu", (unsigned)CPS[i],
                     ttf_font_glyph(s, CPS[i]), i + 1);
    assert_int_equal(ttf_font_glyph(s, 'd'), 0);
    assert_int_equal(ttf_font_glyph(s, 0x0433), 0);
    assert_int_equal(ttf_font_glyph(s, 0xFFFF), 0);
    ttf_font_free(s);
    buf_fini(&out);
    ttf_font_free(t);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subsets),           cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_composite_loop),    cmocka_unit_test(test_info),
        cmocka_unit_test(test_licence_and_units), cmocka_unit_test(test_no_h_no_cap_height),
        cmocka_unit_test(test_subset_cmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
