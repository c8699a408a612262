/* pdf: positioned boxes -> PDF file through libharu 2.3.0 (FACTS.md §3).
 *
 * Fonts are TrueType files embedded as subsets through libharu's UTF-8
 * encoder: each becomes a Type0/CIDFontType2 font whose CIDs are the Unicode
 * code points of the BMP. Metrics come from libharu's own TrueType font
 * definition, so the widths layout measures are exactly the /W widths a
 * viewer uses to place the glyphs.
 *
 * libharu keeps the document, the font subsets and the page resources; the
 * positioning and text operators (Td, TJ, paths) we write into the page
 * streams ourselves, with exact decimal numbers and real space glyphs
 * between the words layout places one by one (draw_run). After drawing we
 * rewrite the per-font maps libharu 2.3.0 makes for the whole BMP
 * (write_font_maps). No clock is read anywhere: same boxes, same bytes. */
#include "pdf.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
/* Internal headers, installed by libhpdf-dev and exported by the shared
 * library: the font definition (cmap, hmtx), the font and page objects and
 * the raw stream API. */
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
    HPDF_FontDef def;
    HPDF_Font font; /* NULL until text is drawn in it */
    double ascent, descent;
    uint16_t notdef;        /* metric of anything the font lacks */
    uint16_t *metrics[256]; /* BMP in pages of 256 code points, filled lazily */
    uint8_t *used;          /* bitset of the code points drawn, for ToUnicode */
} pdf_font;

struct pdf_doc {
    HPDF_Doc pdf;
    char *fonts_dir;
    diag *d;            /* borrowed: font errors found while layout measures */
    HPDF_STATUS err_no; /* first error libharu reported, 0 when none */
    HPDF_STATUS err_detail;
    bool written;
    pdf_font fonts[NFONTS];
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
    }
    if (p->pdf)
        HPDF_Free(p->pdf);
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
 * glyph for embedding, which would put every glyph layout merely measured
 * (hyphens it tried, fallbacks it rejected) into the subset. Drawing marks
 * the glyphs that are really used (draw_run measures what it draws). */
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

    /* libharu only says "file I/O error"; ask the system why first. */
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        diag_error(p->d, at, "не удалось прочитать шрифт %s: %s", path, strerror(errno));
        goto out;
    }
    fclose(fp);

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

/* Remember the code points of text for the font's maps in the file. */
static void note_used(pdf_font *f, const char *text, size_t len)
{
    if (!f->used)
        f->used = xcalloc(65536 / 8, 1);
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        if (n == 0)
            break;
        if (cp <= LAST_CP)
            f->used[cp >> 3] |= (uint8_t)(1u << (cp & 7));
        i += n;
    }
}

static bool is_used(const pdf_font *f, uint32_t cp)
{
    return cp <= LAST_CP && (f->used[cp >> 3] >> (cp & 7) & 1);
}

/* Our CIDs are code points, so the ToUnicode map is the identity over the
 * code points drawn. Only bfchar entries: Ghostscript 10.00 (txtwrite)
 * garbles two-byte bfrange destinations even within one high byte, and
 * pdfium is strict about ranges too; bfchar reads the same everywhere. */
static void build_to_unicode(const pdf_font *f, buf *b)
{
    size_t total = 0;
    for (uint32_t cp = 0; cp <= LAST_CP; cp++)
        total += is_used(f, cp);
    buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                "12 dict begin\n"
                "begincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n"
                "/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t in_block = 0;
    for (uint32_t cp = 0; cp <= LAST_CP; cp++) {
        if (!is_used(f, cp))
            continue;
        if (in_block == 0)
            buf_printf(b, "%zu beginbfchar\n", total < CMAP_BLOCK ? total : (size_t)CMAP_BLOCK);
        buf_printf(b, "<%04X> <%04X>\n", (unsigned)cp, (unsigned)cp);
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
    uint32_t last = 0;
    for (uint32_t cp = 0; cp <= LAST_CP; cp++)
        if (is_used(f, cp))
            last = cp;
    for (uint32_t cp = 0; cp <= last; cp++) {
        HPDF_UINT16 gid = is_used(f, cp) ? HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp) : 0;
        buf_putc(b, (char)(gid >> 8));
        buf_putc(b, (char)(gid & 0xFF));
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
    for (uint32_t cp = 0; st == HPDF_OK && cp <= LAST_CP; cp++) {
        if (!is_used(f, cp))
            continue;
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

/* libharu 2.3.0 describes the whole BMP for every font: /W lists the width
 * of every glyph in the cmap (~10 KB per font, uncompressed, as dictionaries
 * are), the CIDToGIDMap has 65535 entries, and the ToUnicode map is its
 * code->CID CMap written with "begincidrange", which is invalid there:
 * poppler warns and PDFBox drops it (FACTS.md §3.2). Rewrite all three for
 * the code points drawn; the subset already holds just their glyphs. */
static bool write_font_maps(pdf_doc *p, diag *d, src_mark at)
{
    bool ok = false;
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < NFONTS; i++) {
        pdf_font *f = &p->fonts[i];
        if (!f->font || !f->used)
            continue;
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
        if (!check_status(p, st, d, at))
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
        f->font = HPDF_GetFont(p->pdf, f->def->base_font, "UTF-8");
        if (!f->font)
            return HPDF_INVALID_FONT;
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
    /* We write the operator ourselves, so have libharu measure the text:
     * that is what marks its glyphs for the subset (as ShowText would). */
    if (st == HPDF_OK)
        HPDF_Font_TextWidth(f->font, (const HPDF_BYTE *)text->data, (HPDF_UINT)text->len);
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
