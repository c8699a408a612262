/* pdf: positioned boxes -> PDF file through libharu 2.3.0 (FACTS.md §3).
 *
 * Fonts are TrueType files embedded as subsets through libharu's UTF-8
 * encoder: each becomes a Type0/CIDFontType2 font whose CIDs are the Unicode
 * code points of the BMP. Metrics come from libharu's own TrueType font
 * definition, so the widths layout measures are exactly the /W widths a
 * viewer uses to place the glyphs.
 *
 * libharu keeps the document, the font objects and the page resources; the
 * positioning and text operators (Td, TJ, paths) we write into the page
 * streams ourselves, with exact decimal numbers and real space glyphs
 * between the words layout places one by one (draw_run). libharu 2.3.0
 * builds its per-font maps over the whole BMP, which is slow (make_font
 * narrows it to the code points of the document) and large, so after drawing
 * we rewrite them for the code points drawn and embed subsets we build
 * ourselves (write_font_maps, embed_font). No clock is read anywhere: same
 * boxes, same bytes. */
#include "pdf.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
/* Internal headers, installed by libhpdf-dev and exported by the shared
 * library: the font definition (cmap, hmtx), the encoder, the font and page
 * objects and the raw stream API. */
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

/* The families we ship in fonts/; ids are family * 4 + style, with the style
 * bits of template.h (TPL_BOLD = 1, TPL_ITALIC = 2) indexing files[]. */
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

enum {
    NFAMILIES = sizeof FAMILIES / sizeof FAMILIES[0],
    NFONTS = NFAMILIES * 4,
    /* libharu's UTF-8 encoder maps CIDs 0..0xFFFE only: its /W array and
     * CIDToGIDMap stop before the largest CID (hpdf_font_cid.c), and code
     * points above the BMP cannot be encoded at all (FACTS.md §3.3). */
    LAST_CP = 0xFFFE,
    /* A cached metric: KNOWN marks a filled slot, HAS a real glyph, and the
     * low bits hold the advance in 1/1000 em (fonts stay far below 16384). */
    METRIC_KNOWN = 0x8000,
    METRIC_HAS = 0x4000,
    METRIC_WIDTH = 0x3FFF,
    /* A set of code points of the BMP, one bit each. */
    CP_SET_BYTES = 65536 / 8,
    /* Bytes of the saved PDF copied to the output file per read. */
    COPY_CHUNK = 64 * 1024,
    /* A gap wider than this many thousandths of the em between two words on
     * one baseline is a word space (see needs_space); parts of one word
     * meet with no gap, and a justified space shrinks to no less than about
     * two thirds of the font's space (250-280 here). */
    SPACE_GAP = 100,
    /* A ToUnicode CMap may hold at most 100 entries per bfchar block
     * (Adobe Technical Note #5411). */
    CMAP_BLOCK = 100,
};

typedef enum { FONT_UNTRIED, FONT_READY, FONT_FAILED } font_state;

typedef struct pdf_font {
    font_state state;
    char *path; /* the font file, read again when it is embedded */
    HPDF_FontDef def;
    HPDF_Font font; /* NULL until text is drawn in it */
    double ascent, descent;
    uint16_t notdef;        /* metric of anything the font lacks */
    uint16_t *metrics[256]; /* BMP in pages of 256 code points, filled lazily */
    uint8_t *used;          /* bitset of the code points drawn, for ToUnicode */
    uint8_t *planned;       /* bitset of the code points the boxes hold (make_font) */
} pdf_font;

struct pdf_doc {
    HPDF_Doc pdf;
    char *fonts_dir;
    diag *d;            /* borrowed: font errors found while layout measures */
    HPDF_STATUS err_no; /* first error libharu reported, 0 when none */
    HPDF_STATUS err_detail;
    bool written;
    pdf_font fonts[NFONTS];
    int made[NFONTS]; /* ids of the fonts drawn, in the order their objects were made */
    size_t nmade;
    void *cid_map_copy; /* make_font's copy of the UTF-8 encoder's cid_map */
};

/* libharu calls this on every error it raises. We only record it: the
 * caller checks after each call and turns it into a message, so no longjmp
 * ever crosses our frames. */
static void record_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    pdf_doc *p = user_data;
    if (!p->err_no) {
        p->err_no = error_no;
        p->err_detail = detail_no;
    }
}

/* Forget the recorded error so the next call starts clean; libharu ignores
 * most calls while an error is set (FACTS.md §3.6). */
static void clear_error(pdf_doc *p)
{
    p->err_no = 0;
    p->err_detail = 0;
    HPDF_ResetError(p->pdf);
}

/* True when libharu is happy; otherwise report an internal error at `at`
 * and clear it. st is the status the call returned (HPDF_OK for calls that
 * return something else). */
static bool check_status(pdf_doc *p, HPDF_STATUS st, diag *d, src_mark at)
{
    if (st == HPDF_OK && !p->err_no && HPDF_GetError(p->pdf) == HPDF_OK)
        return true;
    HPDF_STATUS code = p->err_no ? p->err_no : st != HPDF_OK ? st : HPDF_GetError(p->pdf);
    HPDF_STATUS detail = p->err_no ? p->err_detail : HPDF_GetErrorDetail(p->pdf);
    diag_error(d, at, "внутренняя ошибка libharu: код 0x%04X, деталь %u", (unsigned)code,
               (unsigned)detail);
    clear_error(p);
    return false;
}

pdf_doc *pdf_new(const char *fonts_dir, diag *d)
{
    bool ok = false;
    pdf_doc *p = xcalloc(1, sizeof *p);
    p->fonts_dir = xstrdup(fonts_dir);
    p->d = d;
    p->pdf = HPDF_New(record_error, p);
    if (!p->pdf) {
        diag_error(d, DIAG_NOWHERE, "внутренняя ошибка libharu: не удалось создать документ");
        goto out;
    }
    /* No dates and no /ID are set here or by libharu without PDF/A, so the
     * same boxes give the same bytes (FACTS.md §3.6). */
    HPDF_STATUS st = HPDF_UseUTFEncodings(p->pdf);
    if (st == HPDF_OK)
        st = HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
    if (st == HPDF_OK)
        st = HPDF_SetCompressionMode(p->pdf, HPDF_COMP_ALL);
    ok = check_status(p, st, d, DIAG_NOWHERE);
out:
    if (!ok) {
        pdf_free(p);
        p = NULL;
    }
    return p;
}

void pdf_free(pdf_doc *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < NFONTS; i++) {
        for (size_t j = 0; j < 256; j++)
            free(p->fonts[i].metrics[j]);
        free(p->fonts[i].used);
        free(p->fonts[i].planned);
        free(p->fonts[i].path);
    }
    if (p->pdf)
        HPDF_Free(p->pdf);
    free(p->cid_map_copy);
    free(p->fonts_dir);
    free(p);
}

/* ---- Fonts ---------------------------------------------------------------- */

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

/* Look cp up in the font's cmap and hmtx, without side effects: libharu's
 * HPDF_TTFontDef_GetCharWidth (and so HPDF_Font_TextWidth) also marks the
 * glyph for libharu's own subset. The subset we embed holds the glyphs of
 * the code points drawn (draw_run notes them), not of everything layout
 * merely measured (hyphens it tried, fallbacks it rejected). */
static uint16_t measure_glyph(const pdf_font *f, uint32_t cp)
{
    HPDF_TTFontDefAttr attr = (HPDF_TTFontDefAttr)f->def->attr;
    if (cp > LAST_CP || (cp >= 0xD800 && cp <= 0xDFFF))
        return f->notdef;
    HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp);
    if (gid == 0 || gid >= attr->num_glyphs)
        return f->notdef;
    /* The same integer libharu writes into /W (CIDFontType2_New). */
    int w = HPDF_TTFontDef_GetGidWidth(f->def, gid);
    if (w < 0)
        w = 0;
    if (w > METRIC_WIDTH)
        w = METRIC_WIDTH;
    return (uint16_t)(METRIC_KNOWN | METRIC_HAS | w);
}

static uint16_t lookup_metric(pdf_font *f, uint32_t cp)
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

static char *join_path(const char *dir, const char *file)
{
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s/%s", dir, file);
    return buf_take(&b);
}

/* Load font id into the document; reports into p->d and returns false when
 * the file is missing or libharu cannot read it. */
static bool load_font(pdf_doc *p, int id)
{
    bool ok = false;
    pdf_font *f = &p->fonts[id];
    char *path = join_path(p->fonts_dir, FAMILIES[id / 4].files[id % 4]);
    src_mark at = {path, 0, 0};

    /* libharu only says "file I/O error"; ask the system why first. A FIFO
     * or device in the font's place is refused here: libharu's fopen would
     * block on it. */
    struct stat st;
    int fd = util_open_regular(path, &st);
    if (fd < 0) {
        diag_error(p->d, at, "не удалось прочитать шрифт %s: %s", path,
                   errno == EINVAL ? "это не обычный файл" : strerror(errno));
        goto out;
    }
    close(fd);

    /* Only the definition (cmap, metrics) for now: the font object, which
     * puts the font into the file, is made when text is first drawn in it, so
     * a style layout merely looked at costs nothing (see draw_run). */
    const char *name = HPDF_LoadTTFontFromFile(p->pdf, path, HPDF_TRUE);
    HPDF_FontDef def = name ? HPDF_GetFontDef(p->pdf, name) : NULL;
    if (!def || def->type != HPDF_FONTDEF_TYPE_TRUETYPE || p->err_no ||
        HPDF_GetError(p->pdf) != HPDF_OK) {
        HPDF_STATUS code = p->err_no ? p->err_no : HPDF_GetError(p->pdf);
        diag_error(p->d, at,
                   "не удалось загрузить шрифт %s: файл повреждён или это не шрифт TrueType "
                   "(libharu: код 0x%04X)",
                   path, (unsigned)code);
        clear_error(p);
        goto out;
    }
    f->def = def;
    f->ascent = def->ascent;
    f->descent = def->descent;
    int w = HPDF_TTFontDef_GetGidWidth(def, 0);
    f->notdef = (uint16_t)(METRIC_KNOWN | (w < 0 ? 0 : w > METRIC_WIDTH ? METRIC_WIDTH : w));
    ok = true;
out:
    f->state = ok ? FONT_READY : FONT_FAILED;
    if (ok)
        f->path = path;
    else
        free(path);
    return ok;
}

static int find_font(void *ctx, const char *family, int style)
{
    pdf_doc *p = ctx;
    assert(style >= 0 && style <= (TPL_BOLD | TPL_ITALIC));
    for (int i = 0; i < NFAMILIES; i++) {
        if (!equal_ascii_nocase(family, FAMILIES[i].name))
            continue;
        int id = i * 4 + (style & (TPL_BOLD | TPL_ITALIC));
        /* A font that failed is reported once; later lookups just fail. */
        if (p->fonts[id].state == FONT_UNTRIED)
            load_font(p, id);
        return p->fonts[id].state == FONT_READY ? id : -1;
    }
    return -1;
}

static pdf_font *get_font(pdf_doc *p, int font)
{
    assert(font >= 0 && font < NFONTS && p->fonts[font].state == FONT_READY);
    return &p->fonts[font];
}

static double get_advance(void *ctx, int font, uint32_t cp)
{
    return lookup_metric(get_font(ctx, font), cp) & METRIC_WIDTH;
}

static bool has_glyph(void *ctx, int font, uint32_t cp)
{
    return (lookup_metric(get_font(ctx, font), cp) & METRIC_HAS) != 0;
}

static double get_ascent(void *ctx, int font)
{
    return get_font(ctx, font)->ascent;
}

static double get_descent(void *ctx, int font)
{
    return get_font(ctx, font)->descent;
}

layout_fonts pdf_fonts(pdf_doc *p)
{
    return (layout_fonts){p, find_font, get_advance, has_glyph, get_ascent, get_descent};
}

/* ---- Font maps ------------------------------------------------------------ */

/* Add cp to *bits, a bitset of the BMP made on first use. */
static void add_code_point(uint8_t **bits, uint32_t cp)
{
    if (!*bits)
        *bits = xcalloc(CP_SET_BYTES, 1);
    if (cp <= LAST_CP)
        (*bits)[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}

/* The first code point at or after cp in bits, or LAST_CP + 1 when there is
 * none. Empty bytes are skipped whole: a document uses a few hundred code
 * points, so a walk costs about the 8 KB of the set, not 65535 tests. */
static uint32_t next_code_point(const uint8_t *bits, uint32_t cp)
{
    while (cp <= LAST_CP) {
        unsigned byte = bits[cp >> 3] >> (cp & 7);
        if (byte == 0) {
            cp = (cp | 7) + 1;
            continue;
        }
        for (; !(byte & 1); byte >>= 1)
            cp++;
        return cp;
    }
    return LAST_CP + 1;
}

/* Remember the code points of text for the font's maps in the file. */
static void note_used(pdf_font *f, const char *text, size_t len)
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

/* Note the code points each font will draw, before anything is drawn:
 * make_font needs them when it makes the font object, at the first run in
 * the font. Spaces too, for the space glyphs draw_run puts between words. */
static void plan_fonts(pdf_doc *p, const layout_doc *doc)
{
    for (size_t i = 0; i < doc->npages; i++) {
        const layout_page *lp = &doc->pages[i];
        for (size_t j = 0; j < lp->n; j++) {
            const layout_box *b = &lp->boxes[j];
            if (b->kind != LAYOUT_TEXT)
                continue;
            pdf_font *f = get_font(p, b->font);
            for (size_t k = 0; k < b->len;) {
                uint32_t cp;
                size_t n = utf8_decode(b->text + k, b->len - k, &cp);
                if (n == 0)
                    break;
                add_code_point(&f->planned, cp);
                k += n;
            }
            if (has_glyph(p, b->font, ' '))
                add_code_point(&f->planned, ' ');
        }
    }
}

/* The Type0 font object of f, which puts f into the file; NULL when libharu
 * fails (its error is recorded).
 *
 * libharu 2.3.0 makes the font's /W and CIDToGIDMap for the whole BMP
 * (CIDFontType2_New in hpdf_font_cid.c): with the UTF-8 encoder, whose
 * to_unicode_fn is its own, it looks up every code point 0..0xFFFF in the
 * cmap, and HPDF_TTFontDef_GetGlyphid (hpdf_fontdef_tt.c) scans the cmap's
 * format-4 segments one by one for each: 65536 times ~190 segments in
 * Liberation Serif, half the time of a whole render. write_font_maps
 * replaces both results, so for the length of the call we narrow what
 * libharu looks at to the code points planned:
 *  - the encoder gets HPDF_CMapEncoder_ToUnicode and a cid_map/unicode_map
 *    holding just those code points, which sends CIDFontType2_New down its
 *    CMap-encoder branch: it visits only entries with a CID, and its maps
 *    end at the largest;
 *  - the font definition gets a cmap of two segments: the first to the last
 *    code point planned with their real glyph ids (0 for the others), and
 *    the 0xFFFF segment that ends GetGlyphid's scan. Should the encoder
 *    branch not be taken (it compares function pointers), this still keeps
 *    the 65536 lookups cheap.
 * Both are put back unchanged right after. This is safe because, in 2.3.0:
 *  - the cmap and the encoder maps are read on each use and kept nowhere:
 *    GetGlyphid reads attr->cmap, and the TrueType program in the file is
 *    ours (embed_font), built from the font file;
 *  - libharu frees the arrays it allocated (the cmap's in InitAttr, from
 *    HPDF_Free), and those are back in place; ours are freed here; the
 *    encoder maps are arrays inside its attr, copied back whole, including
 *    the UTF-8 parser state libharu keeps in cid_map[0];
 *  - nothing draws or measures text during the call, and record_error only
 *    records, so no longjmp can skip the restore. */
static HPDF_Font make_font(pdf_doc *p, pdf_font *f)
{
    HPDF_TTFontDefAttr attr = (HPDF_TTFontDefAttr)f->def->attr;
    HPDF_Encoder enc = HPDF_GetEncoder(p->pdf, "UTF-8");
    uint32_t first = f->planned ? next_code_point(f->planned, 0) : LAST_CP + 1;
    /* A format 0 cmap is indexed, not scanned; CID 0 would leave the
     * encoder branch without a map (HPDF_INVALID_FONTDEF_DATA). */
    if (!enc || enc->type != HPDF_ENCODER_TYPE_DOUBLE_BYTE || attr->cmap.format != 4 ||
        first > LAST_CP)
        return HPDF_GetFont(p->pdf, f->def->base_font, "UTF-8");
    uint32_t last = first;
    for (uint32_t cp = first; cp <= LAST_CP; cp = next_code_point(f->planned, cp + 1))
        last = cp;
    if (last == 0)
        return HPDF_GetFont(p->pdf, f->def->base_font, "UTF-8");

    /* glyphs[cp - first] for the cmap, own_unicode[cp - first] for what the
     * encoder held before. */
    size_t n = last - first + 1;
    HPDF_UINT16 *glyphs = xcalloc(2 * n, sizeof *glyphs), *own_unicode = glyphs + n;
    for (uint32_t cp = first; cp <= last; cp = next_code_point(f->planned, cp + 1))
        glyphs[cp - first] = HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp);
    HPDF_UINT16 end[2] = {(HPDF_UINT16)last, 0xFFFF};
    HPDF_UINT16 start[2] = {(HPDF_UINT16)first, 0xFFFF};
    /* GetGlyphid indexes the glyph array with id_range_offset / 2 +
     * (cp - start) - (segments - segment): cp - first here, as in a real
     * cmap table, where the offset counts bytes from its own entry. */
    HPDF_UINT16 range_offset[2] = {2 * 2, 0};
    /* 0xFFFF + 1 is glyph 0 (mod 2^16). */
    HPDF_INT16 delta[2] = {0, 1};
    HPDF_TTF_CmapRange own_cmap = attr->cmap;
    attr->cmap.seg_count_x2 = 2 * 2;
    attr->cmap.end_count = end;
    attr->cmap.start_count = start;
    attr->cmap.id_delta = delta;
    attr->cmap.id_range_offset = range_offset;
    attr->cmap.glyph_id_array = glyphs;
    attr->cmap.glyph_id_array_count = (HPDF_UINT)n;

    HPDF_CMapEncoderAttr maps = (HPDF_CMapEncoderAttr)enc->attr;
    HPDF_Encoder_ToUnicode_Func own_fn = enc->to_unicode_fn;
    /* One copy of cid_map (128 KB) for all fonts, to touch no fresh pages
     * for each. */
    if (!p->cid_map_copy)
        p->cid_map_copy = xmalloc(sizeof maps->cid_map);
    memcpy(p->cid_map_copy, maps->cid_map, sizeof maps->cid_map);
    memset(maps->cid_map, 0, sizeof maps->cid_map);
    for (uint32_t cp = first; cp <= last; cp = next_code_point(f->planned, cp + 1)) {
        /* Our CIDs are the code points (Identity-H). */
        maps->cid_map[cp >> 8][cp & 0xFF] = (HPDF_UINT16)cp;
        own_unicode[cp - first] = maps->unicode_map[cp >> 8][cp & 0xFF];
        maps->unicode_map[cp >> 8][cp & 0xFF] = (HPDF_UNICODE)cp;
    }
    enc->to_unicode_fn = HPDF_CMapEncoder_ToUnicode;

    HPDF_Font font = HPDF_GetFont(p->pdf, f->def->base_font, "UTF-8");

    enc->to_unicode_fn = own_fn;
    for (uint32_t cp = first; cp <= last; cp = next_code_point(f->planned, cp + 1))
        maps->unicode_map[cp >> 8][cp & 0xFF] = own_unicode[cp - first];
    memcpy(maps->cid_map, p->cid_map_copy, sizeof maps->cid_map);
    attr->cmap = own_cmap;
    free(glyphs);
    return font;
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
    for (uint32_t cp = next_code_point(f->used, 0); cp <= LAST_CP;
         cp = next_code_point(f->used, cp + 1))
        total++;
    buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                "12 dict begin\n"
                "begincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n"
                "/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t in_block = 0;
    for (uint32_t cp = next_code_point(f->used, 0); cp <= LAST_CP;
         cp = next_code_point(f->used, cp + 1)) {
        if (in_block == 0)
            buf_printf(b, "%zu beginbfchar\n", total < CMAP_BLOCK ? total : (size_t)CMAP_BLOCK);
        put_cid(b, cp);
        buf_putc(b, ' ');
        put_cid(b, cp);
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
    for (uint32_t cp = next_code_point(f->used, 0); cp <= LAST_CP;
         cp = next_code_point(f->used, cp + 1)) {
        while (next < cp) {
            size_t n = cp - next < sizeof ZEROS / 2 ? cp - next : sizeof ZEROS / 2;
            buf_putn(b, ZEROS, 2 * n);
            next += (uint32_t)n;
        }
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp);
        buf_putc(b, (char)(gid >> 8));
        buf_putc(b, (char)(gid & 0xFF));
        next = cp + 1;
    }
}

static HPDF_STATUS replace_stream(HPDF_Dict dict, const buf *b)
{
    HPDF_MemStream_FreeData(dict->stream);
    return HPDF_Stream_Write(dict->stream, (const HPDF_BYTE *)b->data, (HPDF_UINT)b->len);
}

/* /W with the widths of the code points drawn (the same numbers libharu
 * would write, from the same hmtx), leaving out those equal to /DW. */
static HPDF_STATUS build_widths(pdf_font *f, HPDF_Dict cid_font)
{
    HPDF_Array w = HPDF_Array_New(cid_font->mmgr);
    /* Owned by the dict from here on, also when filling it fails. */
    HPDF_STATUS st = w ? HPDF_Dict_Add(cid_font, "W", w) : HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Array run = NULL;
    uint32_t prev = 0;
    unsigned dw = f->notdef & METRIC_WIDTH;
    for (uint32_t cp = next_code_point(f->used, 0); st == HPDF_OK && cp <= LAST_CP;
         cp = next_code_point(f->used, cp + 1)) {
        unsigned width = lookup_metric(f, cp) & METRIC_WIDTH;
        if (width == dw) {
            run = NULL;
            continue;
        }
        if (!run || cp != prev + 1) {
            st = HPDF_Array_AddNumber(w, (HPDF_INT32)cp);
            run = st == HPDF_OK ? HPDF_Array_New(cid_font->mmgr) : NULL;
            if (st == HPDF_OK)
                st = run ? HPDF_Array_Add(w, run) : HPDF_FAILD_TO_ALLOC_MEM;
        }
        if (st == HPDF_OK)
            st = HPDF_Array_AddNumber(run, (HPDF_INT32)width);
        prev = cp;
    }
    return st;
}

/* ---- Font programs ------------------------------------------------------------ */

/* The TrueType tables we embed: those libharu 2.3.0 embeds (REQUIRED_TAGS in
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
    /* The largest font file mapped for embedding: ours are 0.3-0.5 MB, so
     * this only turns a wrong file away. */
    FONT_MAX_BYTES = 64 << 20,
    /* Composite glyph flags (OpenType 'glyf'). */
    COMPONENT_WORDS = 0x0001,
    COMPONENT_SCALE = 0x0008,
    COMPONENT_MORE = 0x0020,
    COMPONENT_XY_SCALE = 0x0040,
    COMPONENT_2X2 = 0x0080,
    /* post format 3: the header alone, no glyph names. */
    POST3_SIZE = 32,
};

typedef struct ttf_table {
    const uint8_t *data; /* NULL when the font has no such table */
    size_t len;
} ttf_table;

/* A font file mapped again for embedding, with the tables we embed found and
 * checked. */
typedef struct ttf_file {
    const uint8_t *bytes; /* mapped read-only (map_font) */
    size_t len;
    ttf_table tables[NTABLES];
    size_t num_glyphs, num_metrics;
    bool long_loca;
    uint32_t *loca; /* byte offsets into glyf, num_glyphs + 1 of them */
} ttf_file;

static unsigned get_u16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

static uint32_t get_u32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
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

/* Map the font file at path into t; false with errno set on failure. Only
 * the pages we touch are read: reading it whole would copy 0.3-0.5 MB and
 * fault as many fresh pages, per font. The fonts are the project's own
 * files, which nothing rewrites while a document is made. */
static bool map_font(ttf_file *t, const char *path)
{
    /* O_NONBLOCK: a FIFO in the font's place is refused below, not waited on */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = false;
    if (fstat(fd, &st) != 0)
        goto out;
    if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > FONT_MAX_BYTES) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        goto out;
    }
    ok = true;
    if (st.st_size == 0) /* nothing to map; parse_ttf rejects it */
        goto out;
    void *bytes = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (bytes == MAP_FAILED) {
        ok = false;
        goto out;
    }
    t->bytes = bytes;
    t->len = (size_t)st.st_size;
out:
    if (fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return ok;
}

/* Find the tables and the glyphs; false when the file is not a TrueType
 * font we can subset. Every offset is checked against the file, whatever
 * libharu accepted when it loaded the font. */
static bool parse_ttf(ttf_file *t)
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
    const ttf_table *head = &t->tables[TAB_HEAD], *maxp = &t->tables[TAB_MAXP],
                    *hhea = &t->tables[TAB_HHEA], *hmtx = &t->tables[TAB_HMTX],
                    *loca = &t->tables[TAB_LOCA], *glyf = &t->tables[TAB_GLYF];
    if (!head->data || head->len < 54 || !maxp->data || maxp->len < 6 || !hhea->data ||
        hhea->len < 36 || !hmtx->data || !loca->data || !glyf->data)
        return false;
    t->long_loca = get_u16(head->data + 50) != 0;
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

/* Add the components of the composite glyphs in keep, to any depth: libharu
 * 2.3.0 follows one level only (FACTS.md §3.1, b825ffe). Each glyph goes on
 * the stack once, so it holds at most num_glyphs. */
static void keep_components(const ttf_file *t, uint8_t *keep)
{
    const uint8_t *glyf = t->tables[TAB_GLYF].data;
    size_t *stack = xmalloc(t->num_glyphs * sizeof *stack), n = 0;
    for (size_t g = 0; g < t->num_glyphs; g++)
        if (keep[g])
            stack[n++] = g;
    while (n > 0) {
        size_t g = stack[--n];
        const uint8_t *data = glyf + t->loca[g];
        size_t len = t->loca[g + 1] - t->loca[g];
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
static void put_name_table(buf *out, const ttf_table *name, HPDF_TTFontDefAttr attr)
{
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
                buf_putn(&names, attr->tag_name2, sizeof attr->tag_name2);
            else
                buf_putn(&names, attr->tag_name, sizeof attr->tag_name);
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

/* The TrueType program of the subset: the glyphs in keep, the others empty
 * (glyph ids stay, so the CIDToGIDMap holds), with every table libharu 2.3.0
 * embeds. Unlike 2.3.0 (SaveFontData) it leaves the glyph names out of post
 * (format 3.0) and zeroes the metrics of the glyphs left out, the way the
 * smaller subsets of libharu 2.4 go (FACTS.md §3.1: e589f89, b63d0e9): the
 * names were a third of the program, which we compress and store per font;
 * viewers take a CID font's widths from /W, not hmtx. Tables start on
 * four-byte boundaries and the checksums cover the whole file, as the
 * OpenType specification asks (2.3.0 does neither). */
static void build_font_program(const ttf_file *t, const uint8_t *keep, HPDF_TTFontDefAttr attr,
                               buf *out)
{
    size_t count = 0;
    for (size_t k = 0; k < NTABLES; k++)
        count += t->tables[k].data != NULL;
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
    size_t dir = out->len, head_at = 0, entry = 0;
    for (size_t k = 0; k < 16 * count; k++)
        buf_putc(out, 0);

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
            for (size_t g = 0; g < t->num_glyphs; g++) {
                loca[g] = (uint32_t)(out->len - at);
                if (keep[g])
                    buf_putn(out, (const char *)tab->data + t->loca[g],
                             t->loca[g + 1] - t->loca[g]);
            }
            loca[t->num_glyphs] = (uint32_t)(out->len - at);
        } else if (k == TAB_LOCA) {
            /* glyf came first (tag order); short offsets count words, and
             * every glyph of a short-loca font has an even length. */
            for (size_t g = 0; g <= t->num_glyphs; g++) {
                if (t->long_loca) {
                    put_u16(out, loca[g] >> 16);
                    put_u16(out, loca[g] & 0xFFFF);
                } else {
                    put_u16(out, loca[g] / 2);
                }
            }
        } else if (k == TAB_HMTX) {
            buf_putn(out, (const char *)tab->data, tab->len);
            char *m = out->data + at;
            /* The last full metric also gives the advance of every glyph
             * after it, so it stays. */
            for (size_t g = 0; g < t->num_glyphs; g++) {
                if (keep[g])
                    continue;
                if (g + 1 < t->num_metrics)
                    memset(m + 4 * g, 0, 4);
                else if (g >= t->num_metrics)
                    memset(m + 4 * t->num_metrics + 2 * (g - t->num_metrics), 0, 2);
            }
        } else if (k == TAB_NAME) {
            put_name_table(out, tab, attr);
        } else if (k == TAB_POST && tab->len >= POST3_SIZE) {
            buf_putn(out, (const char *)tab->data, POST3_SIZE);
            set_u32(out->data + at, 0x00030000);
        } else {
            buf_putn(out, (const char *)tab->data, tab->len);
        }
        size_t len = out->len - at;
        while (out->len % 4 != 0)
            buf_putc(out, 0);
        char *rec = out->data + dir + 16 * entry++;
        memcpy(rec, TABLE_TAGS[k], 4);
        set_u32(rec + 4, sum_words(out->data + at, out->len - at));
        set_u32(rec + 8, (uint32_t)at);
        set_u32(rec + 12, (uint32_t)len);
    }
    free(loca);
    set_u32(out->data + head_at + 8, 0xB1B0AFBA - sum_words(out->data, out->len));
}

/* The font descriptor with prog as its /FontFile2, made as libharu 2.3.0
 * makes it when the font is first written (CIDFontType2_BeforeWrite_Func in
 * hpdf_font_cid.c): same keys, same values, and the font's own filter.
 * libharu then finds fontdef->descriptor set and uses it as it is, instead
 * of saving its own program (HPDF_TTFontDef_SaveFontData). */
static HPDF_STATUS add_descriptor(pdf_font *f, const buf *prog)
{
    HPDF_FontAttr font_attr = (HPDF_FontAttr)f->font->attr;
    HPDF_TTFontDefAttr def_attr = (HPDF_TTFontDefAttr)f->def->attr;
    HPDF_MMgr mmgr = f->font->mmgr;
    HPDF_FontDef def = f->def;
    HPDF_Dict descriptor = HPDF_Dict_New(mmgr);
    if (!descriptor)
        return HPDF_FAILD_TO_ALLOC_MEM;
    /* The stream is in the cross-reference table from birth, so the table
     * owns it; the descriptor we free until it is added there. */
    HPDF_Dict data = HPDF_DictStream_New(mmgr, font_attr->xref);
    HPDF_STATUS st =
        data ? HPDF_Stream_Write(data->stream, (const HPDF_BYTE *)prog->data, (HPDF_UINT)prog->len)
             : HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(descriptor, "FontFile2", data);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)prog->len);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(data, "Length2", 0);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(data, "Length3", 0);
    if (st != HPDF_OK) {
        HPDF_Dict_Free(descriptor);
        return st;
    }
    data->filter = f->font->filter;
    /* HPDF_Xref_Add frees what it cannot add. */
    st = HPDF_Xref_Add(font_attr->xref, descriptor);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(descriptor, "Type", "FontDescriptor");
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "Ascent", def->ascent);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "Descent", def->descent);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "Flags", (HPDF_INT32)def->flags);
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(descriptor, "FontBBox", HPDF_Box_Array_New(mmgr, def->font_bbox));
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(descriptor, "FontName", def_attr->base_font);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "ItalicAngle", def->italic_angle);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "StemV", def->stemv);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "XHeight", def->x_height);
    if (st == HPDF_OK)
        def->descriptor = descriptor;
    return st;
}

/* Embed f as the subset of the glyphs drawn: its own glyph ids through the
 * real cmap, glyph 0, and the components of composites. libharu 2.3.0 would
 * copy the whole font file four bytes at a time through its stream API
 * (HPDF_TTFontDef_SaveFontData: a fifth of a render); we read it once. */
static bool embed_font(pdf_doc *p, pdf_font *f, diag *d, src_mark out_at)
{
    bool ok = false;
    src_mark at = {f->path, 0, 0};
    ttf_file t = {0};
    uint8_t *keep = NULL;
    buf prog;
    buf_init(&prog);
    if (!map_font(&t, f->path)) {
        diag_error(d, at, "не удалось прочитать шрифт %s: %s", f->path, strerror(errno));
        goto out;
    }
    if (!parse_ttf(&t)) {
        diag_error(d, at, "не удалось загрузить шрифт %s: файл повреждён или это не шрифт TrueType",
                   f->path);
        goto out;
    }
    keep = xcalloc(t.num_glyphs, 1);
    keep[0] = 1; /* .notdef, which every TrueType subset keeps */
    for (uint32_t cp = next_code_point(f->used, 0); cp <= LAST_CP;
         cp = next_code_point(f->used, cp + 1)) {
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp);
        if (gid < t.num_glyphs)
            keep[gid] = 1;
    }
    keep_components(&t, keep);
    build_font_program(&t, keep, (HPDF_TTFontDefAttr)f->def->attr, &prog);
    ok = check_status(p, add_descriptor(f, &prog), d, out_at);
out:
    buf_fini(&prog);
    free(keep);
    free(t.loca);
    if (t.bytes)
        munmap((void *)t.bytes, t.len);
    return ok;
}

/* libharu 2.3.0 describes the whole BMP for every font: /W lists the width
 * of every glyph in the cmap (~10 KB per font, uncompressed, as dictionaries
 * are), the CIDToGIDMap has 65535 entries, and the ToUnicode map is its
 * code->CID CMap written with "begincidrange", which is invalid there:
 * poppler warns and PDFBox drops it (FACTS.md §3.2). Rewrite all three for
 * the code points drawn, and embed the subset of their glyphs. Fonts go in
 * the order their objects were made, the order libharu would have added
 * their descriptors in while saving. */
static bool write_font_maps(pdf_doc *p, diag *d, src_mark at)
{
    bool ok = false;
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < p->nmade; i++) {
        pdf_font *f = &p->fonts[p->made[i]];
        if (!f->used) /* only glyph 0 then, but a subset all the same */
            f->used = xcalloc(CP_SET_BYTES, 1);
        HPDF_FontAttr attr = (HPDF_FontAttr)f->font->attr;
        HPDF_STATUS st = HPDF_OK;
        if (attr->cmap_stream) {
            buf_clear(&b);
            build_to_unicode(f, &b);
            st = replace_stream(attr->cmap_stream, &b);
        }
        if (st == HPDF_OK && attr->map_stream) {
            buf_clear(&b);
            build_cid_to_gid(f, &b);
            st = replace_stream(attr->map_stream, &b);
        }
        if (st == HPDF_OK)
            st = build_widths(f, attr->descendant_font);
        if (!check_status(p, st, d, at) || !embed_font(p, f, d, at))
            goto out;
    }
    ok = true;
out:
    buf_fini(&b);
    return ok;
}

/* ---- Drawing ---------------------------------------------------------------- */

/* Coordinates go into the content stream as whole hundredths of a point
 * (0.0035 mm), written by us: libharu's own operators take single-precision
 * floats and print five decimals of them, so 740.22 comes out as 740.21997,
 * which costs bytes and makes relative moves drift. */
typedef long centi;

static centi to_centi(double v)
{
    return lround(v * 100);
}

/* Without printf's locale: the decimal point is always a dot. */
static char *put_centi(char *w, centi v)
{
    if (v < 0) {
        *w++ = '-';
        v = -v;
    }
    char digits[24];
    size_t n = 0;
    for (centi whole = v / 100; n == 0 || whole > 0; whole /= 10)
        digits[n++] = (char)('0' + whole % 10);
    while (n > 0)
        *w++ = digits[--n];
    int frac = (int)(v % 100);
    if (frac != 0) {
        *w++ = '.';
        *w++ = (char)('0' + frac / 10);
        if (frac % 10 != 0)
            *w++ = (char)('0' + frac % 10);
    }
    return w;
}

/* Write "v[0] … v[n-1] op" into the page's content stream. */
static HPDF_STATUS write_op(HPDF_Page page, const centi *v, size_t n, const char *op)
{
    char line[128];
    char *w = line;
    assert(n <= 4 && strlen(op) < 8);
    for (size_t i = 0; i < n; i++) {
        w = put_centi(w, v[i]);
        *w++ = ' ';
    }
    while (*op)
        *w++ = *op++;
    *w++ = '\n';
    *w = '\0';
    return HPDF_Stream_WriteStr(((HPDF_PageAttr)page->attr)->stream, line);
}

/* Text and line state of the page being drawn: PDF keeps Tf, Tc and w across
 * text objects, so each is set only when it changes. */
typedef struct page_state {
    HPDF_Page page;
    bool in_text;
    int font;
    double size, char_space;
    centi line_width;
    centi tx, ty; /* start of the current text line: Td moves relative to it */
} page_state;

static HPDF_STATUS end_text(page_state *s)
{
    if (!s->in_text)
        return HPDF_OK;
    s->in_text = false;
    return HPDF_Page_EndText(s->page);
}

/* Where the pen stands after b: x plus the /W advances and Tc per glyph. */
static double text_end(pdf_doc *p, const layout_box *b)
{
    pdf_font *f = get_font(p, b->font);
    double end = b->x;
    for (size_t k = 0; k < b->len;) {
        uint32_t cp;
        size_t n = utf8_decode(b->text + k, b->len - k, &cp);
        if (n == 0)
            break;
        end += (lookup_metric(f, cp) & METRIC_WIDTH) * b->size / 1000 + b->char_space;
        k += n;
    }
    return end;
}

/* Layout places each word as a box of its own and leaves the spaces out.
 * Readers that rebuild text from glyph positions guess them back, but not
 * all do (Ghostscript's txtwrite runs justified words together), so a word
 * followed on its baseline by another after a gap gets a real space glyph
 * at its end. */
static bool needs_space(pdf_doc *p, const layout_box *b, const layout_box *next)
{
    if (!next || next->kind != LAYOUT_TEXT || b->len == 0 || b->text[b->len - 1] == ' ' ||
        to_centi(next->y) != to_centi(b->y) || !has_glyph(p, b->font, ' '))
        return false;
    return next->x - text_end(p, b) > SPACE_GAP * b->size / 1000;
}

/* Boxes that can share one TJ: same baseline, font, size and spacing, and a
 * word space between them. */
static bool continues_run(pdf_doc *p, const layout_box *b, const layout_box *next)
{
    return next->kind == LAYOUT_TEXT && next->font == b->font && next->size == b->size &&
           next->char_space == b->char_space && needs_space(p, b, next);
}

static void put_hex(buf *out, const char *text, size_t len)
{
    static const char HEX[] = "0123456789ABCDEF";
    for (size_t k = 0; k < len;) {
        uint32_t cp;
        size_t n = utf8_decode(text + k, len - k, &cp);
        if (n == 0)
            break;
        /* The CID is the code point (libharu's UTF-8 encoder, Identity-H). */
        for (int shift = 12; shift >= 0; shift -= 4)
            buf_putc(out, HEX[(cp >> shift) & 0xF]);
        k += n;
    }
}

/* Draw the words run[0..n) of one line as a single text-showing operator:
 * "<word1 space> adjust <word2 space> adjust <word3> TJ", each adjustment
 * taking the pen from after the space glyph to the next word's x. So every
 * word space is a real glyph and the remaining gap is an explicit move,
 * which extractors read as one space. `space` adds a space glyph after the
 * last word too (another run follows on the baseline). */
static HPDF_STATUS draw_run(pdf_doc *p, page_state *s, const layout_box *run, size_t n, bool space,
                            buf *out, buf *text)
{
    const layout_box *b = &run[0];
    pdf_font *f = get_font(p, b->font);
    HPDF_STATUS st = HPDF_OK;
    if (!f->font) {
        f->font = make_font(p, f);
        if (!f->font)
            return HPDF_INVALID_FONT;
        assert(p->nmade < NFONTS);
        p->made[p->nmade++] = b->font;
    }
    if (!s->in_text) {
        st = HPDF_Page_BeginText(s->page);
        s->in_text = true;
        s->tx = s->ty = 0;
    }
    if (st == HPDF_OK && (b->font != s->font || b->size != s->size)) {
        st = HPDF_Page_SetFontAndSize(s->page, f->font, (HPDF_REAL)b->size);
        s->font = b->font;
        s->size = b->size;
    }
    if (st == HPDF_OK && b->char_space != s->char_space) {
        st = HPDF_Page_SetCharSpace(s->page, (HPDF_REAL)b->char_space);
        s->char_space = b->char_space;
    }
    /* Exact in hundredths, so the line starts add up to nothing but x, y. */
    centi x = to_centi(b->x), y = to_centi(b->y);
    if (st == HPDF_OK)
        st = write_op(s->page, (centi[]){x - s->tx, y - s->ty}, 2, "Td");
    s->tx = x;
    s->ty = y;
    if (st != HPDF_OK)
        return st;

    double space_w = (lookup_metric(f, ' ') & METRIC_WIDTH) * b->size / 1000 + b->char_space;
    buf_clear(out);
    buf_clear(text);
    buf_puts(out, n > 1 ? "[<" : "<");
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        buf_putn(text, run[i].text, run[i].len);
        if (!last || space)
            buf_putc(text, ' ');
        put_hex(out, run[i].text, run[i].len);
        if (!last || space)
            buf_puts(out, "0020");
        if (!last) {
            /* TJ numbers are thousandths of the em, subtracted from x. */
            double gap = run[i + 1].x - (text_end(p, &run[i]) + space_w);
            centi adjust = to_centi(-gap * 1000 / b->size);
            if (adjust != 0) {
                char num[32];
                *put_centi(num, adjust) = '\0';
                buf_printf(out, "> %s <", num);
            }
        }
    }
    buf_puts(out, n > 1 ? ">] TJ\n" : "> Tj\n");
    st = HPDF_Stream_WriteStr(((HPDF_PageAttr)s->page->attr)->stream, out->data);
    /* The code points drawn make the font's maps and its subset. */
    note_used(f, text->data, text->len);
    return st;
}

/* Paths go straight into the stream too, so libharu's graphics mode stays
 * "page description" throughout and its path operators are not needed. */
static HPDF_STATUS draw_shape(page_state *s, const layout_box *b)
{
    HPDF_STATUS st = end_text(s);
    bool fill = b->kind == LAYOUT_RECT && b->stroke == 0;
    centi width = to_centi(b->stroke);
    if (st == HPDF_OK && !fill && width != s->line_width) {
        st = write_op(s->page, &width, 1, "w");
        s->line_width = width;
    }
    centi x = to_centi(b->x), y = to_centi(b->y), x2 = to_centi(b->x2), y2 = to_centi(b->y2);
    if (st == HPDF_OK && b->kind == LAYOUT_LINE) {
        st = write_op(s->page, (centi[]){x, y}, 2, "m");
        if (st == HPDF_OK)
            st = write_op(s->page, (centi[]){x2, y2}, 2, "l");
    } else if (st == HPDF_OK) {
        st = write_op(s->page, (centi[]){x, y, x2 - x, y2 - y}, 4, "re");
    }
    if (st == HPDF_OK)
        st = write_op(s->page, NULL, 0, fill ? "f" : "S");
    return st;
}

static bool draw_page(pdf_doc *p, const layout_page *lp, diag *d, src_mark at)
{
    page_state s = {.font = -1, .line_width = 100}; /* PDF's default: 1 pt */
    buf out, text;
    buf_init(&out);
    buf_init(&text);
    s.page = HPDF_AddPage(p->pdf);
    HPDF_STATUS st = s.page ? HPDF_OK : HPDF_INVALID_PAGE;
    if (st == HPDF_OK)
        st = HPDF_Page_SetWidth(s.page, (HPDF_REAL)lp->width);
    if (st == HPDF_OK)
        st = HPDF_Page_SetHeight(s.page, (HPDF_REAL)lp->height);
    for (size_t i = 0; st == HPDF_OK && i < lp->n;) {
        const layout_box *b = &lp->boxes[i];
        if (b->kind != LAYOUT_TEXT) {
            st = draw_shape(&s, b);
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < lp->n && continues_run(p, &lp->boxes[j - 1], &lp->boxes[j]))
            j++;
        const layout_box *next = j < lp->n ? &lp->boxes[j] : NULL;
        if (lp->boxes[j - 1].len > 0 || j - i > 1)
            st = draw_run(p, &s, b, j - i, needs_space(p, &lp->boxes[j - 1], next), &out, &text);
        i = j;
    }
    if (st == HPDF_OK)
        st = end_text(&s);
    buf_fini(&out);
    buf_fini(&text);
    return check_status(p, st, d, at);
}

/* A number we can write: finite, and within the ±32767 that PDF readers are
 * guaranteed to handle (ISO 32000-1, Annex C); pages are at most 14400 pt. */
static bool is_sane(double v)
{
    return isfinite(v) && fabs(v) <= 32767;
}

/* Every box has sane numbers; every text box must name a font that was
 * loaded through pdf_fonts and hold valid UTF-8 of code points the font has.
 * Layout promises all this; a broken promise must not reach the file. */
static bool check_boxes(pdf_doc *p, const layout_doc *doc, diag *d, src_mark at)
{
    for (size_t i = 0; i < doc->npages; i++) {
        const layout_page *lp = &doc->pages[i];
        for (size_t j = 0; j < lp->n; j++) {
            const layout_box *b = &lp->boxes[j];
            if (!is_sane(b->x) || !is_sane(b->y) || !is_sane(b->x2) || !is_sane(b->y2) ||
                !is_sane(b->size) || !is_sane(b->stroke) || !is_sane(b->char_space)) {
                diag_error(d, at, "внутренняя ошибка: недопустимая координата (страница %zu)",
                           i + 1);
                return false;
            }
            if (b->kind != LAYOUT_TEXT)
                continue;
            if (b->font < 0 || b->font >= NFONTS || p->fonts[b->font].state != FONT_READY) {
                diag_error(d, at, "внутренняя ошибка: шрифт %d не загружен (страница %zu)", b->font,
                           i + 1);
                return false;
            }
            pdf_font *f = &p->fonts[b->font];
            for (size_t k = 0; k < b->len;) {
                uint32_t cp;
                size_t n = utf8_decode(b->text + k, b->len - k, &cp);
                if (n == 0) {
                    diag_error(d, at, "внутренняя ошибка: текст не в UTF-8 (страница %zu)", i + 1);
                    return false;
                }
                if (!(lookup_metric(f, cp) & METRIC_HAS)) {
                    diag_error(d, at,
                               "внутренняя ошибка: в шрифте %s нет символа U+%04X (страница %zu)",
                               FAMILIES[b->font / 4].files[b->font % 4], (unsigned)cp, i + 1);
                    return false;
                }
                k += n;
            }
        }
    }
    return true;
}

static bool set_info(pdf_doc *p, const tpl_info *info, const pdf_options *opt, diag *d, src_mark at)
{
    /* The UTF-8 encoder is current since pdf_new, so libharu writes these as
     * UTF-16BE and Cyrillic reads back right (FACTS.md §3.3). */
    const struct {
        HPDF_InfoType type;
        const char *value;
    } attrs[] = {
        {HPDF_INFO_TITLE, info->title},
        {HPDF_INFO_AUTHOR, info->author},
        {HPDF_INFO_SUBJECT, info->subject},
        {HPDF_INFO_KEYWORDS, info->keywords},
        {HPDF_INFO_CREATOR, opt ? opt->creator : NULL},
    };
    HPDF_STATUS st = HPDF_OK;
    for (size_t i = 0; st == HPDF_OK && i < sizeof attrs / sizeof attrs[0]; i++)
        if (attrs[i].value && attrs[i].value[0])
            st = HPDF_SetInfoAttr(p->pdf, attrs[i].type, attrs[i].value);
    /* Only the document's own date: a clock would make each run differ. It
     * is a calendar date, so midnight with no zone; readers that take it as
     * UTC still show the same day in every Russian time zone (UTC+2..+12). */
    if (st == HPDF_OK && info->year != 0) {
        HPDF_Date date = {info->year, info->month, info->day, 0, 0, 0, ' ', 0, 0};
        st = HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_CREATION_DATE, date);
        if (st == HPDF_OK)
            st = HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_MOD_DATE, date);
    }
    return check_status(p, st, d, at);
}

/* ---- Output ----------------------------------------------------------------- */

static void report_io(diag *d, src_mark at, const char *path, int err)
{
    diag_error(d, at, "не удалось записать %s: %s", path, strerror(err));
}

/* Copy the PDF libharu saved in memory to fd. */
static bool copy_saved(pdf_doc *p, int fd, const char *out_path, diag *d, src_mark at)
{
    bool ok = false;
    HPDF_BYTE *chunk = xmalloc(COPY_CHUNK);
    for (;;) {
        HPDF_UINT32 n = COPY_CHUNK;
        HPDF_STATUS st = HPDF_ReadFromStream(p->pdf, chunk, &n);
        /* The end of the stream is reported as an error, HPDF_STREAM_EOF,
         * through the error handler too. */
        bool eof = st == HPDF_STREAM_EOF;
        if (eof)
            clear_error(p);
        else if (!check_status(p, st, d, at))
            goto out;
        for (HPDF_UINT32 off = 0; off < n;) {
            ssize_t w = write(fd, chunk + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                report_io(d, at, out_path, errno);
                goto out;
            }
            off += (HPDF_UINT32)w;
        }
        if (eof || n == 0)
            break;
    }
    ok = true;
out:
    free(chunk);
    return ok;
}

/* Permissions for the new file: those of the file it replaces, or what
 * open(2) would give under the umask (mkstemp makes it 0600). */
static mode_t choose_mode(const char *out_path)
{
    struct stat st;
    if (stat(out_path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

bool pdf_write(pdf_doc *p, const layout_doc *doc, const pdf_options *opt, const char *out_path,
               diag *d)
{
    bool ok = false;
    char *tmp = NULL;
    int fd = -1;
    src_mark at = {out_path, 0, 0};

    /* The libharu document keeps its pages and glyph marks: one per output. */
    if (p->written) {
        diag_error(d, at, "внутренняя ошибка: документ PDF уже записан");
        return false;
    }
    p->written = true;
    clear_error(p);

    if (!check_boxes(p, doc, d, at) || !set_info(p, &doc->info, opt, d, at))
        goto out;
    plan_fonts(p, doc);
    for (size_t i = 0; i < doc->npages; i++)
        if (!draw_page(p, &doc->pages[i], d, at))
            goto out;
    if (!write_font_maps(p, d, at) || !check_status(p, HPDF_SaveToStream(p->pdf), d, at))
        goto out;

    /* The whole file is in memory now: the temporary exists only while we
     * copy it out, next to out_path so that rename stays on one file system. */
    buf name;
    buf_init(&name);
    buf_printf(&name, "%s.tmpXXXXXX", out_path);
    tmp = buf_take(&name);
    fd = mkstemp(tmp);
    if (fd < 0) {
        report_io(d, at, out_path, errno);
        free(tmp);
        tmp = NULL;
        goto out;
    }
    util_set_cleanup_path(tmp);
    if (!copy_saved(p, fd, out_path, d, at))
        goto out;
    if (fchmod(fd, choose_mode(out_path)) != 0 || fsync(fd) != 0) {
        report_io(d, at, out_path, errno);
        goto out;
    }
    int rc = close(fd);
    fd = -1;
    if (rc != 0 || rename(tmp, out_path) != 0) {
        report_io(d, at, out_path, errno);
        goto out;
    }
    ok = true;
out:
    if (fd >= 0)
        close(fd);
    if (tmp && !ok)
        remove(tmp);
    util_set_cleanup_path(NULL);
    free(tmp);
    return ok;
}
