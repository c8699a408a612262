/* ttf_subset: the TrueType program of a glyph subset (docs/libharu.md).
 *
 * The subset keeps the tables libharu 2.3.0 embeds, but holds only the
 * glyphs asked for, renumbered in the order asked (glyph 0 first, then the
 * components of composites, to any depth), so a PDF's CIDs can be its glyph
 * numbers (CIDToGIDMap /Identity). Its cmap maps the code points given to
 * their new glyphs, post has no glyph
 * names (format 3.0), tables start on four-byte boundaries and every
 * checksum is right, as the OpenType specification wants. Every offset read
 * is checked against the file, whatever loaded it before. */
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
    /* The most glyphs a TrueType font can have (maxp numGlyphs). */
    MAX_GLYPHS = 0xFFFF,
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
    unsigned gid = ttf_font_glyph(t, cp);
    const uint8_t *g = gid ? ttf_font_outline(t, gid, &len) : NULL;
    return g && len >= 10 ? to_milli(t, get_i16(g + 8)) : 0;
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

/* The glyphs of the subset: list[j] is the font's glyph that becomes glyph
 * j; new_of[g] is the first new glyph made of the font's glyph g. */
typedef struct glyph_list {
    uint16_t *list;
    size_t n, cap;
    uint32_t *new_of; /* num_glyphs of them, NO_GLYPH when not in the subset */
} glyph_list;

enum { NO_GLYPH = UINT32_MAX };

static void list_add(glyph_list *l, unsigned g)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->list = xrealloc(l->list, l->cap * sizeof *l->list);
    }
    if (l->new_of[g] == NO_GLYPH)
        l->new_of[g] = (uint32_t)l->n;
    l->list[l->n++] = (uint16_t)g;
}

/* Each component of a composite glyph in turn: its flags and where its
 * glyph index is, for every component that fits the outline. */
typedef struct component_walk {
    const uint8_t *data;
    size_t len, pos;
    bool more;
} component_walk;

static component_walk components_of(const uint8_t *data, size_t len)
{
    /* A negative contour count marks a composite; its components follow
     * the 10-byte header. */
    bool composite = len >= 10 && (get_u16(data) & 0x8000);
    return (component_walk){data, len, 10, composite};
}

/* The offset of the next component's glyph index, or 0 when there is none. */
static size_t next_component(component_walk *w)
{
    if (!w->more || w->pos + 4 > w->len)
        return 0;
    size_t at = w->pos + 2;
    unsigned flags = get_u16(w->data + w->pos);
    w->more = (flags & COMPONENT_MORE) != 0;
    w->pos += 4 + (flags & COMPONENT_WORDS ? 4 : 2);
    w->pos += flags & COMPONENT_SCALE      ? 2
              : flags & COMPONENT_XY_SCALE ? 4
              : flags & COMPONENT_2X2      ? 8
                                           : 0;
    return at;
}

/* Append the components of every composite in the list, to any depth, each
 * glyph of the font once: libharu 2.3.0 followed one level only
 * (docs/libharu.md). The list grows as it is walked. */
static void add_components(const ttf_font *t, glyph_list *l)
{
    for (size_t j = 0; j < l->n; j++) {
        size_t len;
        const uint8_t *data = ttf_font_outline(t, l->list[j], &len);
        component_walk w = components_of(data, len);
        for (size_t at; (at = next_component(&w)) != 0;) {
            unsigned c = get_u16(data + at);
            if (c < t->num_glyphs && l->new_of[c] == NO_GLYPH)
                list_add(l, c);
        }
    }
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

/* glyf with the glyphs of the list, composites pointing at the new numbers
 * of their components; their offsets into loca[0..n]. A component outside
 * the font (a broken font) becomes glyph 0. Short loca offsets count
 * words: every glyph is padded to an even length. */
static void put_glyf(buf *out, const ttf_font *t, const glyph_list *l, uint32_t *loca)
{
    size_t at = out->len;
    for (size_t j = 0; j < l->n; j++) {
        loca[j] = (uint32_t)(out->len - at);
        size_t len;
        const uint8_t *data = ttf_font_outline(t, l->list[j], &len);
        size_t start = out->len;
        buf_putn(out, (const char *)data, len);
        component_walk w = components_of(data, len);
        for (size_t c_at; (c_at = next_component(&w)) != 0;) {
            unsigned c = get_u16(data + c_at);
            uint32_t now = c < t->num_glyphs ? l->new_of[c] : 0;
            out->data[start + c_at] = (char)(now >> 8);
            out->data[start + c_at + 1] = (char)(now & 0xFF);
        }
        if (len % 2)
            buf_putc(out, 0);
    }
    loca[l->n] = (uint32_t)(out->len - at);
}

static void put_loca(buf *out, const glyph_list *l, const uint32_t *loca, bool long_loca)
{
    for (size_t j = 0; j <= l->n; j++) {
        if (long_loca) {
            put_u16(out, loca[j] >> 16);
            put_u16(out, loca[j] & 0xFFFF);
        } else {
            put_u16(out, loca[j] / 2);
        }
    }
}

/* hmtx with a full metric (advance, left side bearing) for every glyph of
 * the list, as hhea's numberOfHMetrics then says. */
static void put_hmtx(buf *out, const ttf_font *t, const glyph_list *l)
{
    const uint8_t *hmtx = t->tables[TAB_HMTX].data;
    for (size_t j = 0; j < l->n; j++) {
        size_t g = l->list[j], m = g < t->num_metrics ? g : t->num_metrics - 1;
        put_u16(out, get_u16(hmtx + 4 * m));
        /* after the last full metric, the side bearings stand alone */
        const uint8_t *lsb = g < t->num_metrics
                                 ? hmtx + 4 * g + 2
                                 : hmtx + 4 * t->num_metrics + 2 * (g - t->num_metrics);
        put_u16(out, get_u16(lsb));
    }
}

/* A copy of table tab with the 16-bit value at `at` replaced. */
static void put_patched(buf *out, const ttf_table *tab, size_t at, unsigned value)
{
    size_t start = out->len;
    buf_putn(out, (const char *)tab->data, tab->len);
    out->data[start + at] = (char)(value >> 8);
    out->data[start + at + 1] = (char)(value & 0xFF);
}

/* A code point of the BMP and the subset's glyph for it. */
typedef struct cp_glyph {
    uint16_t cp, glyph;
} cp_glyph;

static int cmp_cp(const void *a, const void *b)
{
    return (int)((const cp_glyph *)a)->cp - (int)((const cp_glyph *)b)->cp;
}

/* The cmap: one format 4 subtable (Windows Unicode BMP) that maps cps[i]
 * (of the BMP, all different) to glyph i + 1, a segment for each run of
 * code points and glyphs that both go up by one, then the closing 0xFFFF
 * segment. The PDF reaches the glyphs through CIDs, but the font program is
 * whole this way (validators warn about an empty cmap). With no cps, or
 * more segments than a table can hold, it maps nothing. */
static void put_cmap(buf *out, const uint32_t *cps, size_t n)
{
    cp_glyph *map = xmalloc((n + 1) * sizeof *map);
    size_t m = 0;
    for (size_t i = 0; cps && i < n; i++)
        if (cps[i] < 0xFFFF && i + 1 <= 0xFFFF)
            map[m++] = (cp_glyph){(uint16_t)cps[i], (uint16_t)(i + 1)};
    qsort(map, m, sizeof *map, cmp_cp);
    size_t segs = 1; /* the closing one */
    for (size_t i = 0; i < m; i++)
        segs += i == 0 || map[i].cp != map[i - 1].cp + 1 || map[i].glyph != map[i - 1].glyph + 1;
    if (16 + 8 * segs > 0xFFFF) {
        m = 0;
        segs = 1;
    }
    unsigned search = 1, selector = 0;
    while (search * 2 <= segs) {
        search *= 2;
        selector++;
    }
    put_u16(out, 0); /* version */
    put_u16(out, 1); /* one subtable */
    put_u16(out, 3); /* Windows, */
    put_u16(out, 1); /* Unicode BMP */
    put_u16(out, 0);
    put_u16(out, 12); /* at 12 */
    put_u16(out, 4);
    put_u16(out, (unsigned)(16 + 8 * segs));
    put_u16(out, 0); /* language */
    put_u16(out, (unsigned)(2 * segs));
    put_u16(out, 2 * search);
    put_u16(out, selector);
    put_u16(out, (unsigned)(2 * segs - 2 * search));
    /* endCode, reservedPad, startCode, idDelta, idRangeOffset */
    for (int field = 0; field < 4; field++) {
        for (size_t i = 0; i < m; i++) {
            bool starts =
                i == 0 || map[i].cp != map[i - 1].cp + 1 || map[i].glyph != map[i - 1].glyph + 1;
            bool ends = i + 1 == m || map[i + 1].cp != map[i].cp + 1 ||
                        map[i + 1].glyph != map[i].glyph + 1;
            if (field == 0 && ends)
                put_u16(out, map[i].cp);
            else if (field == 1 && starts)
                put_u16(out, map[i].cp);
            else if (field == 2 && starts)
                put_u16(out, (unsigned)(map[i].glyph - map[i].cp) & 0xFFFF);
            else if (field == 3 && starts)
                put_u16(out, 0);
        }
        put_u16(out, field == 2 ? 1 : field == 3 ? 0 : 0xFFFF); /* the closing segment */
        if (field == 0)
            put_u16(out, 0); /* reservedPad */
    }
    free(map);
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

/* One table of the subset, as build writes it. */
static void put_table(buf *out, const ttf_font *t, size_t k, const glyph_list *l,
                      const uint32_t *loca, bool long_loca, const char tag[TTF_TAG_LEN],
                      const uint32_t *cps, size_t ncps)
{
    const ttf_table *tab = &t->tables[k];
    size_t at = out->len;
    switch (k) {
    case TAB_HEAD: /* checkSumAdjustment set at the end */
        put_patched(out, tab, 50, long_loca);
        set_u32(out->data + at + 8, 0);
        break;
    case TAB_CMAP:
        put_cmap(out, cps, ncps);
        break;
    case TAB_GLYF: /* made before (build) */
        break;
    case TAB_LOCA:
        put_loca(out, l, loca, long_loca);
        break;
    case TAB_HMTX:
        put_hmtx(out, t, l);
        break;
    case TAB_HHEA: /* numberOfHMetrics */
        put_patched(out, tab, 34, (unsigned)l->n);
        break;
    case TAB_MAXP: /* numGlyphs */
        put_patched(out, tab, 4, (unsigned)l->n);
        break;
    case TAB_NAME:
        put_name_table(out, tab, tag);
        break;
    case TAB_POST:
        if (tab->len >= POST3_SIZE) {
            buf_putn(out, (const char *)tab->data, POST3_SIZE);
            set_u32(out->data + at, 0x00030000);
        } else {
            buf_putn(out, (const char *)tab->data, tab->len);
        }
        break;
    default:
        buf_putn(out, (const char *)tab->data, tab->len);
    }
}

bool ttf_subset_build(const ttf_font *t, const uint16_t *gids, const uint32_t *cps, size_t n,
                      const char tag[TTF_TAG_LEN], buf *out)
{
    glyph_list l = {0};
    l.new_of = xmalloc(t->num_glyphs * sizeof *l.new_of);
    for (size_t g = 0; g < t->num_glyphs; g++)
        l.new_of[g] = NO_GLYPH;
    list_add(&l, 0); /* .notdef, glyph 0 of every TrueType font */
    for (size_t i = 0; i < n; i++)
        list_add(&l, gids[i] < t->num_glyphs ? gids[i] : 0);
    add_components(t, &l);
    bool ok = l.n <= MAX_GLYPHS;
    if (!ok)
        goto out;
    buf glyf;
    buf_init(&glyf);
    uint32_t *loca = xmalloc((l.n + 1) * sizeof *loca);
    put_glyf(&glyf, t, &l, loca);
    /* short offsets count words up to 0xFFFF of them */
    bool long_loca = t->long_loca || glyf.len > 2 * 0xFFFFu;
    size_t count = 0;
    for (size_t k = 0; k < NTABLES; k++)
        count += t->tables[k].data != NULL;
    size_t start = out->len, dir = put_directory(out, t, count), head_at = 0, entry = 0;
    for (size_t k = 0; k < NTABLES; k++) {
        if (!t->tables[k].data)
            continue;
        size_t at = out->len;
        if (k == TAB_HEAD)
            head_at = at;
        if (k == TAB_GLYF)
            buf_putn(out, glyf.data, glyf.len);
        else
            put_table(out, t, k, &l, loca, long_loca, tag, cps, n);
        size_t len = out->len - at;
        while ((out->len - start) % 4 != 0)
            buf_putc(out, 0);
        char *rec = out->data + dir + 16 * entry++;
        memcpy(rec, TABLE_TAGS[k], 4);
        set_u32(rec + 4, sum_words(out->data + at, out->len - at));
        set_u32(rec + 8, (uint32_t)(at - start));
        set_u32(rec + 12, (uint32_t)len);
    }
    set_u32(out->data + head_at + 8,
            CHECKSUM_MAGIC - sum_words(out->data + start, out->len - start));
    free(loca);
    buf_fini(&glyf);
out:
    free(l.list);
    free(l.new_of);
    return ok;
}
