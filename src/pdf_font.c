/* pdf_font: the fonts of a document. Maps the shipped TrueType fonts and
 * reads them with ttf_subset, answers layout's metric questions from the
 * same numbers the file's /W gets (so the widths layout measures are
 * exactly those a viewer uses), notes the code points drawn, and at the end
 * makes each drawn font's objects: a Type0 font over a CIDFontType2 font
 * whose CIDs are code points, with the ToUnicode map, CIDToGIDMap and /W
 * of those code points and a subset of their glyphs (docs/libharu.md). */
#include "pdf_shared.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The families we ship in fonts/; ids are family * 4 + style, with the style
 * bits of template.h (BLK_BOLD = 1, BLK_ITALIC = 2) indexing files[]. */
typedef struct font_family {
    const char *name;
    const char *files[4];
} font_family;

static const font_family FAMILIES[] = {
    {"Liberation Serif",
     {"LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
      "LiberationSerif-BoldItalic.ttf"}},
    {"PT Serif", {"PTF55F.ttf", "PTF75F.ttf", "PTF56F.ttf", "PTF76F.ttf"}},
    {"PT Sans", {"PTS55F.ttf", "PTS75F.ttf", "PTS56F.ttf", "PTS76F.ttf"}},
};

_Static_assert(sizeof FAMILIES / sizeof FAMILIES[0] == NFAMILIES, "NFAMILIES in pdf_shared.h");

enum {
    /* A ToUnicode CMap may hold at most 100 entries per bfchar block
     * (Adobe Technical Note #5411). */
    CMAP_BLOCK = 100,
    /* The largest font file mapped for embedding: ours are 0.3-0.5 MB, so
     * this only turns a wrong file away. */
    FONT_MAX_BYTES = 64 << 20,
};

const char *pdf_font_file(int font)
{
    return FAMILIES[font / 4].files[font % 4];
}

static char *join_path(const char *dir, const char *file)
{
    buf b;
    buf_init(&b);
    buf_puts(&b, dir);
    buf_putc(&b, '/');
    buf_puts(&b, file);
    return buf_take(&b);
}

/* Every font file is looked at here, not when layout first asks for its
 * style: a missing file is an installation problem, reported as such
 * before any document is read, and never as a font that "is not found"
 * among the families layout lists. Opening 12 files is cheap; loading them
 * is not, so that still waits (load_font). */
bool pdf_font_check_files(const char *fonts_dir, diag *d)
{
    bool ok = true;
    for (int id = 0; id < NFONTS; id++) {
        char *path = join_path(fonts_dir, pdf_font_file(id));
        struct stat st;
        int fd = util_open_regular(path, &st);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
        if (err) {
            diag_error(d, DIAG_NOWHERE,
                       "шрифт %s не установлен: не удалось открыть %s: %s; переустановите "
                       "nastavdoc или восстановите папку fonts",
                       pdf_font_file(id), path, diag_strerror(err));
            ok = false;
        }
        free(path);
    }
    return ok;
}

/* Family names are ASCII; compare them without the locale. */
static bool equal_ascii_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

/* Look cp up in the font's cmap and hmtx. The subset we embed holds the glyphs of the code points
 * drawn (draw_run notes them), not of everything layout merely measured
 * (hyphens it tried, fallbacks it rejected). */
static uint16_t measure_glyph(const pdf_font *f, uint32_t cp)
{
    if (cp > LAST_CP || (cp >= 0xD800 && cp <= 0xDFFF))
        return f->notdef;
    unsigned gid = ttf_font_glyph(f->ttf, cp);
    if (gid == 0)
        return f->notdef;
    unsigned w = ttf_font_advance(f->ttf, gid);
    return (uint16_t)(METRIC_KNOWN | METRIC_HAS | (w > METRIC_WIDTH ? METRIC_WIDTH : w));
}

uint16_t pdf_font_metric(pdf_font *f, uint32_t cp)
{
    if (cp > 0xFFFF)
        return f->notdef;
    uint16_t *page = f->metrics[cp >> 8];
    if (!page)
        page = f->metrics[cp >> 8] = xcalloc(256, sizeof *page);
    uint16_t m = page[cp & 0xFF];
    if (!m)
        m = page[cp & 0xFF] = measure_glyph(f, cp);
    return m;
}

void pdf_font_fini(pdf_font *f)
{
    ttf_font_free(f->ttf);
    if (f->bytes)
        munmap((void *)f->bytes, f->len);
    for (size_t j = 0; j < 256; j++)
        free(f->metrics[j]);
    free(f->used);
    free(f->path);
}

/* Map the font file at path; false with errno set on failure. Only the
 * pages we touch are read: reading it whole would copy 0.3-0.5 MB and
 * fault as many fresh pages, per font. The fonts are the project's own
 * files, which nothing rewrites while a document is made. */
static bool map_font(const char *path, const uint8_t **bytes, size_t *len)
{
    struct stat st;
    int fd = util_open_regular(path, &st);
    if (fd < 0)
        return false;
    bool ok = false;
    if ((uintmax_t)st.st_size > FONT_MAX_BYTES) {
        errno = EFBIG;
        goto out;
    }
    ok = true;
    if (st.st_size == 0) /* nothing to map; ttf_font_new rejects it */
        goto out;
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        ok = false;
        goto out;
    }
    *bytes = map;
    *len = (size_t)st.st_size;
out:
    if (fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return ok;
}

/* Load font id into the document; reports into p->d and returns false when
 * the file is missing or is not a TrueType font we can embed. Either is an
 * installation problem: p->font_failed makes the caller say so (exit 3). */
static bool load_font(pdf_doc *p, int id)
{
    bool ok = false;
    pdf_font *f = &p->fonts[id];
    char *path = join_path(p->fonts_dir, pdf_font_file(id));
    src_mark at = {path, 0, 0};

    if (!map_font(path, &f->bytes, &f->len)) {
        diag_error(p->d, at, "не удалось прочитать шрифт %s: %s", path, diag_strerror(errno));
        goto out;
    }
    if (!(f->ttf = ttf_font_new(f->bytes, f->len))) {
        diag_error(p->d, at,
                   "не удалось загрузить шрифт %s: файл повреждён или это не шрифт TrueType", path);
        goto out;
    }
    f->info = ttf_font_info(f->ttf);
    if (!f->info->embeddable) {
        diag_error(p->d, at,
                   "шрифт %s запрещает встраивание в документы (поле fsType): замените файл "
                   "шрифта",
                   path);
        goto out;
    }
    f->num_glyphs = (unsigned)ttf_font_glyphs(f->ttf);
    unsigned w = ttf_font_advance(f->ttf, 0);
    f->notdef = (uint16_t)(METRIC_KNOWN | (w > METRIC_WIDTH ? METRIC_WIDTH : w));
    ok = true;
out:
    f->state = ok ? FONT_READY : FONT_FAILED;
    if (ok)
        f->path = path;
    else
        free(path);
    p->font_failed |= !ok;
    return ok;
}

static int find_font(void *ctx, const char *family, int style)
{
    pdf_doc *p = ctx;
    assert(style >= 0 && style <= (BLK_BOLD | BLK_ITALIC));
    for (int i = 0; i < NFAMILIES; i++) {
        if (!equal_ascii_nocase(family, FAMILIES[i].name))
            continue;
        int id = i * 4 + (style & (BLK_BOLD | BLK_ITALIC));
        /* A font that failed is reported once; later lookups just fail. */
        if (p->fonts[id].state == FONT_UNTRIED)
            load_font(p, id);
        return p->fonts[id].state == FONT_READY ? id : -1;
    }
    return -1;
}

pdf_font *pdf_font_get(pdf_doc *p, int font)
{
    assert(font >= 0 && font < NFONTS && p->fonts[font].state == FONT_READY);
    return &p->fonts[font];
}

static double get_advance(void *ctx, int font, uint32_t cp)
{
    return pdf_font_metric(pdf_font_get(ctx, font), cp) & METRIC_WIDTH;
}

static bool has_glyph(void *ctx, int font, uint32_t cp)
{
    return (pdf_font_metric(pdf_font_get(ctx, font), cp) & METRIC_HAS) != 0;
}

static double get_ascent(void *ctx, int font)
{
    return pdf_font_get(ctx, font)->info->ascent;
}

static double get_descent(void *ctx, int font)
{
    return pdf_font_get(ctx, font)->info->descent;
}

bool pdf_fonts_failed(const pdf_doc *p)
{
    return p->font_failed;
}

layout_fonts pdf_fonts(pdf_doc *p)
{
    return (layout_fonts){p, find_font, get_advance, has_glyph, get_ascent, get_descent};
}

/* ---- Code points drawn --------------------------------------------------- */

/* Add cp to *bits, a bitset of the BMP made on first use. */
static void add_code_point(uint8_t **bits, uint32_t cp)
{
    if (!*bits)
        *bits = xcalloc(CP_SET_BYTES, 1);
    if (cp <= LAST_CP)
        (*bits)[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}

void pdf_font_note_used(pdf_font *f, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        if (n == 0)
            break;
        add_code_point(&f->used, cp);
        i += n;
    }
}

HPDF_Dict pdf_font_object(pdf_doc *p, int font)
{
    pdf_font *f = pdf_font_get(p, font);
    if (!f->font) {
        f->font = pdf_hp_font_dict(p->pdf);
        if (!f->font)
            return NULL;
        assert(p->nmade < NFONTS);
        p->made[p->nmade++] = font;
    }
    return f->font;
}

/* ---- Font maps ------------------------------------------------------------ */

/* The glyph of a CID we draw: the glyph of its code point, but for
 * OWN_HYPHEN_AT_END in a font without that character, which pdf.c draws
 * for a hyphen-minus: the hyphen-minus's glyph (docs/pdfa.md). */
static unsigned cid_glyph(const pdf_font *f, uint32_t cid)
{
    unsigned gid = ttf_font_glyph(f->ttf, cid);
    if (cid == OWN_HYPHEN_AT_END && gid == 0)
        gid = ttf_font_glyph(f->ttf, '-');
    return gid;
}

/* The width of a CID's glyph (cid_glyph), in 1/1000 em. */
static unsigned cid_width(pdf_font *f, uint32_t cid)
{
    bool own = cid != OWN_HYPHEN_AT_END || (pdf_font_metric(f, cid) & METRIC_HAS);
    return pdf_font_metric(f, own ? cid : '-') & METRIC_WIDTH;
}

/* The character a CID stands for in the text layer: itself, but for the
 * hyphen layout adds at a break (ADDED_HYPHEN), which is a hyphen-minus
 * there, so that readers join the word's parts (docs/pdfa.md). */
static uint32_t cid_unicode(uint32_t cid)
{
    return cid == ADDED_HYPHEN ? '-' : cid;
}

/* "<XXXX>", four hex digits: without printf, which costs more than the rest
 * of the map. */
static void put_cid(buf *b, uint32_t cp)
{
    static const char HEX[] = "0123456789ABCDEF";
    char s[6] = {'<', HEX[cp >> 12 & 0xF], HEX[cp >> 8 & 0xF], HEX[cp >> 4 & 0xF], HEX[cp & 0xF],
                 '>'};
    buf_putn(b, s, sizeof s);
}

/* Our CIDs are code points, so the ToUnicode map is the identity over the
 * code points drawn. Only bfchar entries: Ghostscript 10.00 (txtwrite)
 * garbles two-byte bfrange destinations even within one high byte, and
 * pdfium is strict about ranges too; bfchar reads the same everywhere. */
static void build_to_unicode(const pdf_font *f, buf *b)
{
    size_t total = 0;
    for (uint32_t cp = cp_set_next(f->used, 0); cp <= LAST_CP; cp = cp_set_next(f->used, cp + 1))
        total++;
    buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                "12 dict begin\n"
                "begincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n"
                "/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t in_block = 0;
    for (uint32_t cp = cp_set_next(f->used, 0); cp <= LAST_CP; cp = cp_set_next(f->used, cp + 1)) {
        if (in_block == 0)
            buf_printf(b, "%zu beginbfchar\n", total < CMAP_BLOCK ? total : (size_t)CMAP_BLOCK);
        put_cid(b, cp);
        buf_putc(b, ' ');
        put_cid(b, cid_unicode(cp));
        buf_putc(b, '\n');
        total--;
        if (++in_block == CMAP_BLOCK || total == 0) {
            buf_puts(b, "endbfchar\n");
            in_block = 0;
        }
    }
    buf_puts(b, "endcmap\n"
                "CMapName currentdict /CMap defineresource pop\n"
                "end\n"
                "end\n");
}

/* CIDToGIDMap up to the last code point drawn, glyph 0 for the rest. */
static void build_cid_to_gid(const pdf_font *f, buf *b)
{
    static const char ZEROS[256];
    uint32_t next = 0; /* the first CID not written yet */
    for (uint32_t cp = cp_set_next(f->used, 0); cp <= LAST_CP; cp = cp_set_next(f->used, cp + 1)) {
        while (next < cp) {
            size_t n = cp - next < sizeof ZEROS / 2 ? cp - next : sizeof ZEROS / 2;
            buf_putn(b, ZEROS, 2 * n);
            next += (uint32_t)n;
        }
        unsigned gid = cid_glyph(f, cp);
        buf_putc(b, (char)(gid >> 8));
        buf_putc(b, (char)(gid & 0xFF));
        next = cp + 1;
    }
}

/* /W: the widths of the code points drawn (in ascending order), leaving
 * out those equal to /DW. */
typedef struct widths {
    uint32_t *cps;
    uint16_t *w;
    size_t n, cap;
} widths;

static void collect_widths(pdf_font *f, widths *out)
{
    unsigned dw = f->notdef & METRIC_WIDTH;
    out->n = 0;
    for (uint32_t cp = cp_set_next(f->used, 0); cp <= LAST_CP; cp = cp_set_next(f->used, cp + 1)) {
        unsigned width = cid_width(f, cp);
        if (width == dw)
            continue;
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 256;
            out->cps = xrealloc(out->cps, out->cap * sizeof *out->cps);
            out->w = xrealloc(out->w, out->cap * sizeof *out->w);
        }
        out->cps[out->n] = cp;
        out->w[out->n++] = (uint16_t)width;
    }
}

/* The subset's tag: six capitals from a hash (FNV-1a) of the font's name
 * and the code points drawn, so different subsets in one file differ and
 * the same subset is tagged the same in every document. */
static void subset_tag(const pdf_font *f, char tag[TTF_TAG_LEN])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const char *c = f->info->ps_name; *c; c++)
        h = (h ^ (uint8_t)*c) * 0x100000001b3u;
    for (uint32_t cp = cp_set_next(f->used, 0); cp <= LAST_CP; cp = cp_set_next(f->used, cp + 1))
        for (int k = 0; k < 3; k++)
            h = (h ^ (cp >> (8 * k) & 0xFF)) * 0x100000001b3u;
    for (int i = 0; i < TTF_TAG_LEN - 1; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[TTF_TAG_LEN - 1] = '+';
}

/* ---- Font objects ------------------------------------------------------------ */

/* Scratch buffers reused from font to font. */
typedef struct font_bufs {
    buf to_unicode, cid_to_gid, program, cidset, name;
    widths w;
} font_bufs;

/* Fill f's font object: maps, widths, and the subset of the glyphs drawn,
 * its own glyph ids through the CIDToGIDMap, glyph 0, and the components
 * of composites. */
static bool finish_font(pdf_doc *p, pdf_font *f, font_bufs *b, struct libdeflate_compressor *z,
                        diag *d, src_mark at)
{
    buf_clear(&b->to_unicode);
    buf_clear(&b->cid_to_gid);
    buf_clear(&b->program);
    buf_clear(&b->cidset);
    buf_clear(&b->name);
    build_to_unicode(f, &b->to_unicode);
    build_cid_to_gid(f, &b->cid_to_gid);
    collect_widths(f, &b->w);

    size_t glyphs = ttf_font_glyphs(f->ttf);
    uint8_t *keep = xcalloc(glyphs, 1);
    for (uint32_t cp = cp_set_next(f->used, 0); cp <= LAST_CP; cp = cp_set_next(f->used, cp + 1)) {
        unsigned gid = cid_glyph(f, cp);
        if (gid < glyphs)
            keep[gid] = 1;
    }
    char tag[TTF_TAG_LEN];
    subset_tag(f, tag);
    ttf_subset_build(f->ttf, keep, tag, &b->program);
    free(keep);
    buf_putn(&b->name, tag, TTF_TAG_LEN);
    buf_puts(&b->name, f->info->ps_name[0] ? f->info->ps_name : "Font");
    if (p->pdfa) {
        pdf_pdfa_hash(p, b->program.data, b->program.len);
        pdf_pdfa_cidset(f->used, &b->cidset);
    }
    pdf_font_parts parts = {
        .base_font = b->name.data,
        .info = f->info,
        .dw = f->notdef & METRIC_WIDTH,
        .cps = b->w.cps,
        .widths = b->w.w,
        .nwidths = b->w.n,
        .to_unicode = &b->to_unicode,
        .cid_to_gid = &b->cid_to_gid,
        .program = &b->program,
        .cidset = p->pdfa ? &b->cidset : NULL,
    };
    return pdf_status_check(p, pdf_hp_font_fill(p->pdf, f->font, &parts, z), d, at);
}

/* Fonts are filled in the order their objects were made. */
bool pdf_font_finish(pdf_doc *p, struct libdeflate_compressor *z, diag *d, src_mark at)
{
    bool ok = true;
    font_bufs b = {0};
    buf_init(&b.to_unicode);
    buf_init(&b.cid_to_gid);
    buf_init(&b.program);
    buf_init(&b.cidset);
    buf_init(&b.name);
    for (size_t i = 0; ok && i < p->nmade; i++) {
        pdf_font *f = &p->fonts[p->made[i]];
        if (!f->used) /* only glyph 0 then, but a subset all the same */
            f->used = xcalloc(CP_SET_BYTES, 1);
        ok = finish_font(p, f, &b, z, d, at);
    }
    buf_fini(&b.to_unicode);
    buf_fini(&b.cid_to_gid);
    buf_fini(&b.program);
    buf_fini(&b.cidset);
    buf_fini(&b.name);
    free(b.w.cps);
    free(b.w.w);
    return ok;
}
