/* pdf_font: the fonts of a document. Maps the shipped TrueType fonts and
 * reads them with ttf_subset, answers layout's metric questions from the
 * same numbers the file's /W gets (so the widths layout measures are
 * exactly those a viewer uses), notes the code points drawn, and at the end
 * makes each drawn font's objects: a Type0 font over a CIDFontType2 font
 * whose CIDs are the glyphs of its subset, numbered as the code points are
 * first drawn (CIDToGIDMap /Identity), with the ToUnicode map and /W of
 * those CIDs (docs/libharu.md). */
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
    for (size_t j = 0; j < 256; j++)
        free(f->cid_of[j]);
    free(f->cps);
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

/* The CID of cp, given the next one when cp is drawn for the first time. */
static uint16_t cid_of(pdf_font *f, uint32_t cp)
{
    uint16_t *page = f->cid_of[cp >> 8];
    if (!page)
        page = f->cid_of[cp >> 8] = xcalloc(256, sizeof *page);
    uint16_t *cid = &page[cp & 0xFF];
    if (*cid == 0) {
        /* at most one CID per code point of the BMP: 0xFFFF of them */
        if (f->ncids == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 128;
            f->cps = xrealloc(f->cps, f->cap * sizeof *f->cps);
        }
        f->cps[f->ncids++] = cp;
        *cid = (uint16_t)f->ncids;
    }
    return *cid;
}

void pdf_font_put_cids(pdf_font *f, buf *out, const char *text, size_t len)
{
    static const char HEX[] = "0123456789ABCDEF";
    for (size_t k = 0; k < len;) {
        uint32_t cp;
        size_t n = utf8_decode(text + k, len - k, &cp);
        if (n == 0 || cp > LAST_CP) /* check_boxes let none through */
            break;
        unsigned cid = cid_of(f, cp);
        char hex[4] = {HEX[cid >> 12], HEX[cid >> 8 & 0xF], HEX[cid >> 4 & 0xF], HEX[cid & 0xF]};
        buf_putn(out, hex, 4);
        k += n;
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

/* The glyph drawn for code point cp: its own, but for OWN_HYPHEN_AT_END in
 * a font without that character, which pdf.c draws for a hyphen-minus: the
 * hyphen-minus's glyph (docs/pdfa.md). */
static unsigned cp_glyph(const pdf_font *f, uint32_t cp)
{
    unsigned gid = ttf_font_glyph(f->ttf, cp);
    if (cp == OWN_HYPHEN_AT_END && gid == 0)
        gid = ttf_font_glyph(f->ttf, '-');
    return gid;
}

/* The width of cp_glyph, in 1/1000 em. */
static unsigned cp_width(pdf_font *f, uint32_t cp)
{
    bool own = cp != OWN_HYPHEN_AT_END || (pdf_font_metric(f, cp) & METRIC_HAS);
    return pdf_font_metric(f, own ? cp : '-') & METRIC_WIDTH;
}

/* The character a code point drawn stands for in the text layer: itself,
 * but for the hyphen layout adds at a break (ADDED_HYPHEN), which is a
 * hyphen-minus there, so that readers join the word's parts
 * (docs/pdfa.md). */
static uint32_t cp_unicode(uint32_t cp)
{
    return cp == ADDED_HYPHEN ? '-' : cp;
}

/* "<XXXX>", four hex digits: without printf, which costs more than the rest
 * of the map. */
static void put_code(buf *b, uint32_t v)
{
    static const char HEX[] = "0123456789ABCDEF";
    char s[6] = {'<', HEX[v >> 12 & 0xF], HEX[v >> 8 & 0xF], HEX[v >> 4 & 0xF], HEX[v & 0xF], '>'};
    buf_putn(b, s, sizeof s);
}

/* The ToUnicode map: each CID's code point (cp_unicode). Only bfchar
 * entries: Ghostscript 10.00 (txtwrite) garbles two-byte bfrange
 * destinations even within one high byte, and pdfium is strict about
 * ranges too; bfchar reads the same everywhere. */
static void build_to_unicode(const pdf_font *f, buf *b)
{
    buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                "12 dict begin\n"
                "begincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n"
                "/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0; i < f->ncids; i += CMAP_BLOCK) {
        size_t end = f->ncids - i < CMAP_BLOCK ? f->ncids : i + CMAP_BLOCK;
        buf_printf(b, "%zu beginbfchar\n", end - i);
        for (size_t k = i; k < end; k++) {
            put_code(b, (uint32_t)(k + 1));
            buf_putc(b, ' ');
            uint32_t u = cp_unicode(f->cps[k]);
            if (u > 0xFFFF) /* cannot be: CIDs are code points of the BMP */
                u = 0xFFFD;
            put_code(b, u);
            buf_putc(b, '\n');
        }
        buf_puts(b, "endbfchar\n");
    }
    buf_puts(b, "endcmap\n"
                "CMapName currentdict /CMap defineresource pop\n"
                "end\n"
                "end\n");
}

/* /W: the width of every CID (in order), leaving out those equal to /DW. */
typedef struct widths {
    uint32_t *cids;
    uint16_t *w;
    size_t n;
} widths;

static void collect_widths(pdf_font *f, widths *out)
{
    unsigned dw = f->notdef & METRIC_WIDTH;
    out->cids = xrealloc(out->cids, (f->ncids + 1) * sizeof *out->cids);
    out->w = xrealloc(out->w, (f->ncids + 1) * sizeof *out->w);
    out->n = 0;
    for (size_t k = 0; k < f->ncids; k++) {
        unsigned width = cp_width(f, f->cps[k]);
        if (width == dw)
            continue;
        out->cids[out->n] = (uint32_t)(k + 1);
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
    for (size_t k = 0; k < f->ncids; k++)
        for (int i = 0; i < 3; i++)
            h = (h ^ (f->cps[k] >> (8 * i) & 0xFF)) * 0x100000001b3u;
    for (int i = 0; i < TTF_TAG_LEN - 1; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[TTF_TAG_LEN - 1] = '+';
}

/* ---- Font objects ------------------------------------------------------------ */

/* Scratch buffers reused from font to font. */
typedef struct font_bufs {
    buf to_unicode, program, cidset, name;
    widths w;
    uint16_t *gids;
} font_bufs;

/* Fill f's font object: its map to Unicode, widths, and the subset whose
 * glyph i is the glyph of CID i, so the CIDToGIDMap is /Identity. */
static bool finish_font(pdf_doc *p, pdf_font *f, font_bufs *b, struct libdeflate_compressor *z,
                        diag *d, src_mark at)
{
    buf_clear(&b->to_unicode);
    buf_clear(&b->program);
    buf_clear(&b->cidset);
    buf_clear(&b->name);
    build_to_unicode(f, &b->to_unicode);
    collect_widths(f, &b->w);
    b->gids = xrealloc(b->gids, (f->ncids + 1) * sizeof *b->gids);
    for (size_t k = 0; k < f->ncids; k++)
        b->gids[k] = (uint16_t)cp_glyph(f, f->cps[k]);
    char tag[TTF_TAG_LEN];
    subset_tag(f, tag);
    if (!ttf_subset_build(f->ttf, b->gids, f->ncids, tag, &b->program)) {
        diag_error(d, at, "внутренняя ошибка: в подмножестве шрифта %s больше 65535 глифов",
                   pdf_font_file((int)(f - p->fonts)));
        return false;
    }
    buf_putn(&b->name, tag, TTF_TAG_LEN);
    buf_puts(&b->name, f->info->ps_name[0] ? f->info->ps_name : "Font");
    if (p->pdfa) {
        pdf_pdfa_hash(p, b->program.data, b->program.len);
        pdf_pdfa_cidset(f->ncids + 1, &b->cidset);
    }
    pdf_font_parts parts = {
        .base_font = b->name.data,
        .info = f->info,
        .dw = f->notdef & METRIC_WIDTH,
        .cids = b->w.cids,
        .widths = b->w.w,
        .nwidths = b->w.n,
        .to_unicode = &b->to_unicode,
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
    buf_init(&b.program);
    buf_init(&b.cidset);
    buf_init(&b.name);
    for (size_t i = 0; ok && i < p->nmade; i++)
        ok = finish_font(p, &p->fonts[p->made[i]], &b, z, d, at);
    buf_fini(&b.to_unicode);
    buf_fini(&b.program);
    buf_fini(&b.cidset);
    buf_fini(&b.name);
    free(b.w.cids);
    free(b.w.w);
    free(b.gids);
    return ok;
}
