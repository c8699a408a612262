/* ttf_subset: the TrueType program of a glyph subset (docs/libharu.md).
 *
 * The subset keeps the tables libharu 2.3.0 embeds, with the glyphs left
 * out emptied (glyph ids stay, so a PDF's CIDToGIDMap holds). Unlike 2.3.0
 * it follows composite glyphs to any depth, drops the glyph names from post
 * (format 3.0), zeroes the metrics of the glyphs left out, starts tables on
 * four-byte boundaries and sets every checksum, as libharu 2.4 and the
 * OpenType specification do. Every offset read is checked against the file,
 * whatever loaded it before. */
#include "ttf_subset.h"

#include <stdlib.h>
#include <string.h>

/* The tables we embed: those libharu 2.3.0 embeds (REQUIRED_TAGS in its
 * hpdf_fontdef_tt.c), in ascending tag order as the table directory wants. */
enum {
    TAB_OS2,
    TAB_CMAP,
    TAB_CVT,
    TAB_FPGM,
    TAB_GLYF,
    TAB_HEAD,
    TAB_HHEA,
    TAB_HMTX,
    TAB_LOCA,
    TAB_MAXP,
    TAB_NAME,
    TAB_POST,
    TAB_PREP,
    NTABLES
};

static const char TABLE_TAGS[NTABLES][5] = {
    [TAB_OS2] = "OS/2",  [TAB_CMAP] = "cmap", [TAB_CVT] = "cvt ",  [TAB_FPGM] = "fpgm",
    [TAB_GLYF] = "glyf", [TAB_HEAD] = "head", [TAB_HHEA] = "hhea", [TAB_HMTX] = "hmtx",
    [TAB_LOCA] = "loca", [TAB_MAXP] = "maxp", [TAB_NAME] = "name", [TAB_POST] = "post",
    [TAB_PREP] = "prep",
};

enum {
    /* Composite glyph flags (OpenType 'glyf'). */
    COMPONENT_WORDS = 0x0001,
    COMPONENT_SCALE = 0x0008,
    COMPONENT_MORE = 0x0020,
    COMPONENT_XY_SCALE = 0x0040,
    COMPONENT_2X2 = 0x0080,
    /* post format 3: the header alone, no glyph names. */
    POST3_SIZE = 32,
    /* The sum the whole file's checksum must come to (OpenType 'head'). */
    CHECKSUM_MAGIC = 0xB1B0AFBA,
    /* unitsPerEm as OpenType allows it ('head'). */
    UNITS_PER_EM_MIN = 16,
    UNITS_PER_EM_MAX = 16384,
    /* OS/2 fsType bits that forbid embedding a subset: restricted licence,
     * no subsetting, bitmaps only (libharu 2.3.0 refuses the same). */
    FSTYPE_NO_EMBED = 0x0002 | 0x0100 | 0x0200,
    /* head macStyle bits. */
    MAC_BOLD = 0x0001,
    MAC_ITALIC = 0x0002,
    /* OS/2 sFamilyClass (its high byte): the serif classes, script and
     * symbolic, as libharu 2.3.0 reads them. */
    CLASS_SERIF_LAST = 5,
    CLASS_FREEFORM_SERIF = 7,
    CLASS_SCRIPT = 10,
    CLASS_SYMBOLIC = 12,
};

typedef struct ttf_table {
    const uint8_t *data; /* NULL when the font has no such table */
    size_t len;
} ttf_table;

struct ttf_font {
    const uint8_t *bytes; /* borrowed */
    size_t len;
    ttf_table tables[NTABLES];
    size_t num_glyphs, num_metrics;
    bool long_loca;
    uint32_t *loca;          /* byte offsets into glyf, num_glyphs + 1 of them */
    const uint8_t *cmap4;    /* the format 4 Unicode subtable, NULL when none */
    size_t cmap4_len, nsegs; /* its length and segment count */
    unsigned units_per_em;
    ttf_info info;
};

static unsigned get_u16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

static uint32_t get_u32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int get_i16(const uint8_t *b)
{
    return (int16_t)get_u16(b);
}

static void put_u16(buf *b, unsigned v)
{
    buf_putc(b, (char)(v >> 8 & 0xFF));
    buf_putc(b, (char)(v & 0xFF));
}

static void set_u32(char *at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        at[i] = (char)(v >> (24 - 8 * i) & 0xFF);
}

/* The TrueType checksum of data[0..len), len a multiple of 4. */
static uint32_t sum_words(const char *data, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4)
        sum += get_u32((const uint8_t *)data + i);
    return sum;
}

/* Find the tables we embed in the table directory; false when it or a
 * table lies outside the file. */
static bool find_tables(ttf_font *t)
{
    if (t->len < 12)
        return false;
    size_t count = get_u16(t->bytes + 4);
    if (12 + 16 * count > t->len)
        return false;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *rec = t->bytes + 12 + 16 * i;
        uint32_t off = get_u32(rec + 8), len = get_u32(rec + 12);
        if (off > t->len || len > t->len - off)
            return false;
        for (size_t k = 0; k < NTABLES; k++)
            if (memcmp(rec, TABLE_TAGS[k], 4) == 0 && !t->tables[k].data)
                t->tables[k] = (ttf_table){t->bytes + off, len};
    }
    return true;
}

/* The glyph count, the metrics and loca; false when they do not fit the
 * tables that hold them. */
static bool read_glyphs(ttf_font *t)
{
    const ttf_table *head = &t->tables[TAB_HEAD], *maxp = &t->tables[TAB_MAXP],
                    *hhea = &t->tables[TAB_HHEA], *hmtx = &t->tables[TAB_HMTX],
                    *loca = &t->tables[TAB_LOCA], *glyf = &t->tables[TAB_GLYF];
    if (!head->data || head->len < 54 || !maxp->data || maxp->len < 6 || !hhea->data ||
        hhea->len < 36 || !hmtx->data || !loca->data || !glyf->data)
        return false;
    t->long_loca = get_u16(head->data + 50) != 0;
    t->units_per_em = get_u16(head->data + 18);
    if (t->units_per_em < UNITS_PER_EM_MIN || t->units_per_em > UNITS_PER_EM_MAX)
        return false;
    t->num_glyphs = get_u16(maxp->data + 4);
    t->num_metrics = get_u16(hhea->data + 34);
    size_t entry = t->long_loca ? 4 : 2;
    if (t->num_glyphs == 0 || t->num_metrics == 0 || t->num_metrics > t->num_glyphs ||
        hmtx->len < 4 * t->num_metrics + 2 * (t->num_glyphs - t->num_metrics) ||
        loca->len < entry * (t->num_glyphs + 1))
        return false;
    t->loca = xmalloc((t->num_glyphs + 1) * sizeof *t->loca);
    for (size_t g = 0; g <= t->num_glyphs; g++) {
        const uint8_t *e = loca->data + entry * g;
        t->loca[g] = t->long_loca ? get_u32(e) : 2 * (uint32_t)get_u16(e);
        if ((g > 0 && t->loca[g] < t->loca[g - 1]) || t->loca[g] > glyf->len)
            return false;
    }
    return true;
}

/* The format 4 subtable for Unicode (Windows Unicode BMP, else any Unicode
 * platform encoding), when the cmap has a sound one; a font without it can
 * still be subset, it just maps nothing. */
static void find_cmap4(ttf_font *t)
{
    const ttf_table *cmap = &t->tables[TAB_CMAP];
    if (!cmap->data || cmap->len < 4)
        return;
    size_t count = get_u16(cmap->data + 2);
    int best = 0; /* 2: Windows (3, 1), 1: Unicode platform (0, x) */
    for (size_t i = 0; i < count && 4 + 8 * i + 8 <= cmap->len; i++) {
        const uint8_t *rec = cmap->data + 4 + 8 * i;
        unsigned platform = get_u16(rec), encoding = get_u16(rec + 2);
        int rank = platform == 3 && encoding == 1 ? 2 : platform == 0 ? 1 : 0;
        uint32_t off = get_u32(rec + 4);
        if (rank <= best || off > cmap->len || cmap->len - off < 14)
            continue;
        const uint8_t *sub = cmap->data + off;
        size_t len = get_u16(sub + 2), segs = get_u16(sub + 6) / 2;
        if (get_u16(sub) != 4 || len > cmap->len - off || len < 16 + 8 * segs)
            continue;
        t->cmap4 = sub;
        t->cmap4_len = len;
        t->nsegs = segs;
        best = rank;
    }
}

/* A length in font units as thousandths of the em, rounded toward zero as
 * libharu 2.3.0 rounds it. */
static int to_milli(const ttf_font *t, int v)
{
    return (int)((long)v * 1000 / (long)t->units_per_em);
}

/* The top of the outline of cp's glyph (its yMax), 0 when it has none. */
static int glyph_top(const ttf_font *t, uint32_t cp)
{
    size_t len;
    const uint8_t *g = ttf_font_outline(t, ttf_font_glyph(t, cp), &len);
    return len >= 10 ? to_milli(t, get_i16(g + 8)) : 0;
}

/* The PostScript name: name ID 6, one-byte (Macintosh) or UTF-16BE
 * (Windows, Unicode) strings, keeping the printable ASCII a PDF name may
 * hold without escapes. Empty when the font has none. */
static void read_ps_name(const ttf_table *name, char out[TTF_NAME_MAX + 1])
{
    out[0] = 0;
    const uint8_t *d = name->data;
    size_t len = d ? name->len : 0;
    size_t count = len >= 6 ? get_u16(d + 2) : 0, strings = len >= 6 ? get_u16(d + 4) : 0;
    for (size_t i = 0; i < count && 6 + 12 * i + 12 <= len && !out[0]; i++) {
        const uint8_t *rec = d + 6 + 12 * i;
        unsigned platform = get_u16(rec);
        size_t n = get_u16(rec + 8), off = strings + get_u16(rec + 10);
        if (get_u16(rec + 6) != 6 || off > len || n > len - off)
            continue;
        size_t step = platform == 1 ? 1 : 2, k = 0;
        for (size_t j = step - 1; j < n && k < TTF_NAME_MAX; j += step) {
            unsigned c = d[off + j];
            bool wide = step == 2 && d[off + j - 1] != 0;
            if (!wide && c > ' ' && c < 0x7F && !strchr("[](){}<>/%#", (int)c))
                out[k++] = (char)c;
        }
        out[k] = 0;
    }
}

/* The descriptor's numbers, read as libharu 2.3.0 reads them (hhea, head,
 * OS/2), and the italic angle from post, which 2.3.0 leaves at 0. */
static void read_info(ttf_font *t)
{
    ttf_info *in = &t->info;
    const uint8_t *head = t->tables[TAB_HEAD].data, *hhea = t->tables[TAB_HHEA].data;
    const ttf_table *os2 = &t->tables[TAB_OS2], *post = &t->tables[TAB_POST];
    in->ascent = to_milli(t, get_i16(hhea + 4));
    in->descent = to_milli(t, get_i16(hhea + 6));
    for (int i = 0; i < 4; i++)
        in->bbox[i] = to_milli(t, get_i16(head + 36 + 2 * i));
    in->cap_height = glyph_top(t, 'H');
    in->x_height = glyph_top(t, 'x');
    if (post->data && post->len >= 8)
        in->italic_angle = (int32_t)get_u32(post->data + 4) / 65536.0;
    unsigned style = get_u16(head + 44), class = os2->data && os2->len >= 32 ? os2->data[30] : 0;
    in->flags = TTF_FLAG_NONSYMBOLIC;
    if ((class > 0 && class <= CLASS_SERIF_LAST) || class == CLASS_FREEFORM_SERIF)
        in->flags |= TTF_FLAG_SERIF;
    if (class == CLASS_SCRIPT)
        in->flags |= TTF_FLAG_SCRIPT;
    if (class == CLASS_SYMBOLIC)
        in->flags |= TTF_FLAG_SYMBOLIC;
    if (style & MAC_BOLD)
        in->flags |= TTF_FLAG_FORCE_BOLD;
    if (style & MAC_ITALIC)
        in->flags |= TTF_FLAG_ITALIC;
    in->embeddable = !(os2->data && os2->len >= 10 && (get_u16(os2->data + 8) & FSTYPE_NO_EMBED));
    read_ps_name(&t->tables[TAB_NAME], in->ps_name);
}

ttf_font *ttf_font_new(const uint8_t *bytes, size_t len)
{
    ttf_font *t = xcalloc(1, sizeof *t);
    t->bytes = bytes;
    t->len = len;
    if (!bytes || !find_tables(t) || !read_glyphs(t)) {
        ttf_font_free(t);
        return NULL;
    }
    find_cmap4(t);
    read_info(t);
    return t;
}

const ttf_info *ttf_font_info(const ttf_font *t)
{
    return &t->info;
}

unsigned ttf_font_advance(const ttf_font *t, unsigned g)
{
    size_t m = g < t->num_metrics ? g : t->num_metrics - 1;
    unsigned adv = get_u16(t->tables[TAB_HMTX].data + 4 * m);
    return adv * 1000u / t->units_per_em;
}

void ttf_font_free(ttf_font *t)
{
    if (!t)
        return;
    free(t->loca);
    free(t);
}

size_t ttf_font_glyphs(const ttf_font *t)
{
    return t->num_glyphs;
}

unsigned ttf_font_glyph(const ttf_font *t, uint32_t cp)
{
    if (!t->cmap4 || cp > 0xFFFF)
        return 0;
    const uint8_t *ends = t->cmap4 + 14, *starts = ends + 2 * t->nsegs + 2;
    const uint8_t *deltas = starts + 2 * t->nsegs, *offsets = deltas + 2 * t->nsegs;
    /* The segments are sorted by their end code: the first one ending at or
     * after cp is the only one that can hold it. */
    size_t lo = 0, hi = t->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (get_u16(ends + 2 * mid) < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == t->nsegs || get_u16(starts + 2 * lo) > cp)
        return 0;
    unsigned delta = get_u16(deltas + 2 * lo), range = get_u16(offsets + 2 * lo);
    unsigned g = (unsigned)cp;
    if (range != 0) {
        /* idRangeOffset counts bytes from its own entry into glyphIdArray */
        size_t at =
            (size_t)(offsets + 2 * lo - t->cmap4) + range + 2 * (cp - get_u16(starts + 2 * lo));
        if (at + 2 > t->cmap4_len)
            return 0;
        g = get_u16(t->cmap4 + at);
        if (g == 0)
            return 0;
    }
    g = (g + delta) & 0xFFFF;
    return g < t->num_glyphs ? g : 0;
}

const uint8_t *ttf_font_outline(const ttf_font *t, unsigned g, size_t *len)
{
    *len = 0;
    if (g >= t->num_glyphs)
        return NULL;
    *len = t->loca[g + 1] - t->loca[g];
    return t->tables[TAB_GLYF].data + t->loca[g];
}

/* Add the components of the composite glyphs in keep, to any depth: libharu
 * 2.3.0 follows one level only (docs/libharu.md). Each glyph goes on the
 * stack once, so it holds at most num_glyphs. */
static void keep_components(const ttf_font *t, uint8_t *keep)
{
    size_t *stack = xmalloc(t->num_glyphs * sizeof *stack), n = 0;
    for (size_t g = 0; g < t->num_glyphs; g++)
        if (keep[g])
            stack[n++] = g;
    while (n > 0) {
        size_t len;
        const uint8_t *data = ttf_font_outline(t, (unsigned)stack[--n], &len);
        /* A negative contour count marks a composite; its components
         * follow the 10-byte header. */
        if (len < 10 || !(get_u16(data) & 0x8000))
            continue;
        for (size_t pos = 10; pos + 4 <= len;) {
            unsigned flags = get_u16(data + pos), component = get_u16(data + pos + 2);
            if (component < t->num_glyphs && !keep[component]) {
                keep[component] = 1;
                stack[n++] = component;
            }
            if (!(flags & COMPONENT_MORE))
                break;
            pos += 4 + (flags & COMPONENT_WORDS ? 4 : 2);
            pos += flags & COMPONENT_SCALE      ? 2
                   : flags & COMPONENT_XY_SCALE ? 4
                   : flags & COMPONENT_2X2      ? 8
                                                : 0;
        }
    }
    free(stack);
}

/* The name table with the subset tag before the family and full names (IDs 1
 * and 4), as libharu 2.3.0 writes it (RecreateName): UTF-16BE on the Unicode
 * and Windows platforms, plain bytes on the others. Anything but a sound
 * format 0 table, or one the tags would overflow, is copied as it is. */
static void put_name_table(buf *out, const ttf_table *name, const char tag[TTF_TAG_LEN])
{
    char tag16[2 * TTF_TAG_LEN];
    for (size_t i = 0; i < TTF_TAG_LEN; i++) {
        tag16[2 * i] = 0;
        tag16[2 * i + 1] = tag[i];
    }
    const uint8_t *d = name->data;
    size_t len = name->len;
    size_t count = len >= 6 ? get_u16(d + 2) : 0, strings = len >= 6 ? get_u16(d + 4) : 0;
    bool sound = len >= 6 && get_u16(d) == 0 && 6 + 12 * count <= len && strings <= len;
    buf recs, names;
    buf_init(&recs);
    buf_init(&names);
    for (size_t i = 0; sound && i < count; i++) {
        const uint8_t *rec = d + 6 + 12 * i;
        unsigned platform = get_u16(rec), id = get_u16(rec + 6);
        size_t n = get_u16(rec + 8), off = strings + get_u16(rec + 10), at = names.len;
        if (off > len || n > len - off) {
            sound = false;
            break;
        }
        if (id == 1 || id == 4) {
            if (platform == 0 || platform == 3)
                buf_putn(&names, tag16, sizeof tag16);
            else
                buf_putn(&names, tag, TTF_TAG_LEN);
        }
        buf_putn(&names, (const char *)d + off, n);
        sound = names.len - at <= 0xFFFF && at <= 0xFFFF;
        buf_putn(&recs, (const char *)rec, 8);
        put_u16(&recs, (unsigned)(names.len - at));
        put_u16(&recs, (unsigned)at);
    }
    if (sound) {
        put_u16(out, 0);
        put_u16(out, (unsigned)count);
        put_u16(out, (unsigned)(6 + 12 * count));
        buf_putn(out, recs.data, recs.len);
        buf_putn(out, names.data, names.len);
    } else {
        buf_putn(out, (const char *)d, len);
    }
    buf_fini(&recs);
    buf_fini(&names);
}

/* glyf with the glyphs in keep, the others empty; their offsets into
 * loca[0..num_glyphs]. */
static void put_glyf(buf *out, const ttf_font *t, const uint8_t *keep, uint32_t *loca)
{
    size_t at = out->len;
    for (size_t g = 0; g < t->num_glyphs; g++) {
        loca[g] = (uint32_t)(out->len - at);
        size_t len;
        const uint8_t *data = ttf_font_outline(t, (unsigned)g, &len);
        if (keep[g])
            buf_putn(out, (const char *)data, len);
    }
    loca[t->num_glyphs] = (uint32_t)(out->len - at);
}

/* loca for the offsets put_glyf found: short offsets count words, and every
 * glyph of a short-loca font has an even length. */
static void put_loca(buf *out, const ttf_font *t, const uint32_t *loca)
{
    for (size_t g = 0; g <= t->num_glyphs; g++) {
        if (t->long_loca) {
            put_u16(out, loca[g] >> 16);
            put_u16(out, loca[g] & 0xFFFF);
        } else {
            put_u16(out, loca[g] / 2);
        }
    }
}

/* hmtx with the metrics of the glyphs left out zeroed: viewers take a CID
 * font's widths from /W, not from here. The last full metric also gives the
 * advance of every glyph after it, so it stays. */
static void put_hmtx(buf *out, const ttf_font *t, const ttf_table *tab, const uint8_t *keep)
{
    size_t at = out->len;
    buf_putn(out, (const char *)tab->data, tab->len);
    char *m = out->data + at;
    for (size_t g = 0; g < t->num_glyphs; g++) {
        if (keep[g])
            continue;
        if (g + 1 < t->num_metrics)
            memset(m + 4 * g, 0, 4);
        else if (g >= t->num_metrics)
            memset(m + 4 * t->num_metrics + 2 * (g - t->num_metrics), 0, 2);
    }
}

/* The table directory's header for count tables; returns where its records
 * start (filled in by build). */
static size_t put_directory(buf *out, const ttf_font *t, size_t count)
{
    unsigned search = 1, selector = 0;
    while (search * 2 <= count) {
        search *= 2;
        selector++;
    }
    buf_putn(out, (const char *)t->bytes, 4); /* sfnt version */
    put_u16(out, (unsigned)count);
    put_u16(out, 16 * search);
    put_u16(out, selector);
    put_u16(out, (unsigned)(16 * count - 16 * search));
    size_t dir = out->len;
    for (size_t k = 0; k < 16 * count; k++)
        buf_putc(out, 0);
    return dir;
}

void ttf_subset_build(const ttf_font *t, uint8_t *keep, const char tag[TTF_TAG_LEN], buf *out)
{
    keep[0] = 1; /* .notdef, which every TrueType subset keeps */
    keep_components(t, keep);
    size_t count = 0;
    for (size_t k = 0; k < NTABLES; k++)
        count += t->tables[k].data != NULL;
    size_t start = out->len, dir = put_directory(out, t, count), head_at = 0, entry = 0;
    uint32_t *loca = xmalloc((t->num_glyphs + 1) * sizeof *loca);
    for (size_t k = 0; k < NTABLES; k++) {
        const ttf_table *tab = &t->tables[k];
        if (!tab->data)
            continue;
        size_t at = out->len;
        if (k == TAB_HEAD) {
            head_at = at;
            buf_putn(out, (const char *)tab->data, tab->len);
            set_u32(out->data + at + 8, 0); /* checkSumAdjustment, set below */
        } else if (k == TAB_GLYF) {
            put_glyf(out, t, keep, loca);
        } else if (k == TAB_LOCA) {
            put_loca(out, t, loca); /* glyf came first (tag order) */
        } else if (k == TAB_HMTX) {
            put_hmtx(out, t, tab, keep);
        } else if (k == TAB_NAME) {
            put_name_table(out, tab, tag);
        } else if (k == TAB_POST && tab->len >= POST3_SIZE) {
            buf_putn(out, (const char *)tab->data, POST3_SIZE);
            set_u32(out->data + at, 0x00030000);
        } else {
            buf_putn(out, (const char *)tab->data, tab->len);
        }
        size_t len = out->len - at;
        while ((out->len - start) % 4 != 0)
            buf_putc(out, 0);
        char *rec = out->data + dir + 16 * entry++;
        memcpy(rec, TABLE_TAGS[k], 4);
        set_u32(rec + 4, sum_words(out->data + at, out->len - at));
        set_u32(rec + 8, (uint32_t)(at - start));
        set_u32(rec + 12, (uint32_t)len);
    }
    free(loca);
    set_u32(out->data + head_at + 8,
            CHECKSUM_MAGIC - sum_words(out->data + start, out->len - start));
}
