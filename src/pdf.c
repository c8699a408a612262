/* pdf: positioned boxes -> PDF file through libharu 2.3.0 (docs/libharu.md).
 *
 * Fonts are TrueType files embedded as subsets: each becomes a
 * Type0/CIDFontType2 font whose CIDs are the glyphs of its subset, numbered
 * in the order the code points are first drawn (pdf_font.c).
 *
 * libharu keeps the document, the font objects and the page resources; the
 * positioning and text operators (Td, TJ, paths) we write into the page
 * streams ourselves, with exact decimal numbers and real space glyphs
 * between the words layout places one by one (draw_run). No clock is read
 * anywhere: same boxes, same bytes. The finished file goes out through
 * outfile (docs/output.md). */
#include "outfile.h"
#include "pdf_shared.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

enum {
    /* A gap wider than this many thousandths of the em between two words on
     * one baseline is a word space (see needs_space); parts of one word
     * meet with no gap, and a justified space shrinks to no less than about
     * two thirds of the font's space (250-280 here). */
    SPACE_GAP = 100,
    /* libdeflate's level for every stream (docs/libharu.md, "Compression").
     * Measured 2026-12-01 with subsets of the glyphs drawn: level 1 makes
     * the 2-page order in 14.8 M instructions, level 6 in 16.9 M; the 43
     * PDFs of samples/ and tests/docs take 1.87 MB at 1, 1.79 MB at 6
     * (4 % more; before the subsets were renumbered, 3.7 MB at 6). */
    DEFLATE_LEVEL = 1,
};

pdf_doc *pdf_new(const char *fonts_dir, diag *d)
{
    bool ok = false;
    pdf_doc *p = xcalloc(1, sizeof *p);
    p->fonts_dir = xstrdup(fonts_dir);
    p->d = d;
    /* Every font file must be there: a missing one is an installation
     * problem (the caller exits with 3), found before any work. */
    if (!pdf_font_check_files(fonts_dir, d))
        goto out;
    p->pdf = HPDF_New(pdf_error_record, p);
    if (!p->pdf) {
        diag_error(d, DIAG_NOWHERE, "внутренняя ошибка libharu: не удалось создать документ");
        goto out;
    }
    /* No dates and no /ID are set here or by libharu without PDF/A, so the
     * same boxes give the same bytes (docs/libharu.md). */
    HPDF_STATUS st = HPDF_SetCompressionMode(p->pdf, HPDF_COMP_ALL);
    ok = pdf_status_check(p, st, d, DIAG_NOWHERE);
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
    for (size_t i = 0; i < NFONTS; i++)
        pdf_font_fini(&p->fonts[i]);
    if (p->pdf)
        HPDF_Free(p->pdf);
    free(p->fonts_dir);
    free(p->ends);
    free(p);
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
    return pdf_hp_page_write(page, line, (size_t)(w - line));
}

/* A font size as Tf takes it: five decimals at most, trailing zeros left
 * out, as libharu wrote it (a chart's labels are fitted to 7.60603 pt).
 * Digits by hand, whatever the locale; sizes are positive and sane
 * (check_boxes). */
static void put_size(char *out, size_t cap, double size)
{
    long v = lround(size * 100000);
    int n = snprintf(out, cap, "%ld.%05ld", v / 100000, v % 100000);
    while (n > 1 && out[n - 1] == '0')
        out[--n] = '\0';
    if (n > 1 && out[n - 1] == '.')
        out[--n] = '\0';
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

/* Where the pen stands after b, a text box of the page being drawn: x plus
 * the /W advances and Tc per glyph (measured by check_boxes). */
static double text_end(pdf_doc *p, const layout_box *b)
{
    return p->page_ends[b - p->page_boxes];
}

/* Layout places each word as a box of its own and leaves the spaces out.
 * Readers that rebuild text from glyph positions guess them back, but not
 * all do (Ghostscript's txtwrite runs justified words together), so a word
 * followed on its baseline by another after a gap gets a real space glyph
 * at its end. */
static bool needs_space(pdf_doc *p, const layout_box *b, const layout_box *next)
{
    if (!next || next->kind != LAYOUT_TEXT || b->len == 0 || b->text[b->len - 1] == ' ' ||
        to_centi(next->y) != to_centi(b->y) ||
        !(pdf_font_metric(pdf_font_get(p, b->font), ' ') & METRIC_HAS))
        return false;
    return next->x - text_end(p, b) > SPACE_GAP * b->size / 1000;
}

/* Does b end its line: nothing follows it on its baseline in its table cell
 * (or outside tables)? */
static bool ends_line(const layout_box *b, const layout_box *next)
{
    return !next || next->kind != LAYOUT_TEXT || to_centi(next->y) != to_centi(b->y) ||
           memcmp(next->cell, b->cell, sizeof b->cell) != 0;
}

/* Boxes that can share one TJ: same baseline, font, size and spacing, and a
 * word space between them. */
static bool continues_run(pdf_doc *p, const layout_box *b, const layout_box *next)
{
    return next->kind == LAYOUT_TEXT && next->font == b->font && next->size == b->size &&
           next->char_space == b->char_space && needs_space(p, b, next);
}

/* The bytes of b's text to draw as they are: all of them, but for a
 * hyphen-minus that ends a line (line_end), which draw_run draws as
 * OWN_HYPHEN_AT_END. Layout's own hyphens at breaks are U+00AD, so this is a
 * hyphen the text has: «психолого-» before «педагогической» on the next
 * line. Drawn as U+002D, poppler would take it for a hyphenation hyphen and
 * join the parts without it (docs/pdfa.md). */
static size_t plain_len(const layout_box *b, bool line_end)
{
    return line_end && b->len > 0 && b->text[b->len - 1] == '-' ? b->len - 1 : b->len;
}

/* Draw the words run[0..n) of one line as a single text-showing operator:
 * "<word1 space> adjust <word2 space> adjust <word3> TJ", each adjustment
 * taking the pen from after the space glyph to the next word's x. So every
 * word space is a real glyph and the remaining gap is an explicit move,
 * which extractors read as one space. `space` adds a space glyph after the
 * last word too (another run follows on the baseline); `line_end` says that
 * the last word ends its line. */
static HPDF_STATUS draw_run(pdf_doc *p, page_state *s, const layout_box *run, size_t n, bool space,
                            bool line_end, buf *out)
{
    const layout_box *b = &run[0];
    pdf_font *f = pdf_font_get(p, b->font);
    HPDF_STATUS st = HPDF_OK;
    if (!pdf_font_object(p, b->font))
        return HPDF_INVALID_FONT;
    if (!s->in_text) {
        st = HPDF_Page_BeginText(s->page);
        s->in_text = true;
        s->tx = s->ty = 0;
    }
    if (st == HPDF_OK && (b->font != s->font || b->size != s->size)) {
        char size[32];
        put_size(size, sizeof size, b->size);
        st = pdf_hp_page_font(s->page, f->font, size);
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

    double space_w = (pdf_font_metric(f, ' ') & METRIC_WIDTH) * b->size / 1000 + b->char_space;
    buf_clear(out);
    buf_puts(out, n > 1 ? "[(" : "(");
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        size_t len = plain_len(&run[i], last && line_end);
        pdf_font_put_cids(f, out, run[i].text, len);
        if (len < run[i].len)
            pdf_font_put_cids(f, out, "\xE2\x80\x91", 3); /* OWN_HYPHEN_AT_END */
        if (!last || space)
            pdf_font_put_cids(f, out, " ", 1);
        if (!last) {
            /* TJ numbers are thousandths of the em, subtracted from x. */
            double gap = run[i + 1].x - (text_end(p, &run[i]) + space_w);
            centi adjust = to_centi(-gap * 1000 / b->size);
            if (adjust != 0) {
                char num[32] = ") ";
                char *end = put_centi(num + 2, adjust);
                memcpy(end, " (", 2);
                buf_putn(out, num, (size_t)(end + 2 - num));
            }
        }
    }
    buf_puts(out, n > 1 ? ")] TJ\n" : ") Tj\n");
    return pdf_hp_page_write(s->page, out->data, out->len);
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
    /* a gray fill (charts' bars) is set for its one shape and reset to black */
    centi gray = fill ? to_centi(b->gray) : 0;
    if (st == HPDF_OK && gray)
        st = write_op(s->page, &gray, 1, "g");
    if (st == HPDF_OK)
        st = write_op(s->page, NULL, 0, fill ? "f" : "S");
    if (st == HPDF_OK && gray)
        st = write_op(s->page, (centi[]){0}, 1, "g");
    return st;
}

static bool draw_page(pdf_doc *p, const layout_page *lp, const double *ends, diag *d, src_mark at)
{
    p->page_ends = ends;
    p->page_boxes = lp->boxes;
    page_state s = {.font = -1, .line_width = 100}; /* PDF's default: 1 pt */
    buf out;
    buf_init(&out);
    s.page = HPDF_AddPage(p->pdf);
    HPDF_STATUS st = s.page ? HPDF_OK : HPDF_INVALID_PAGE;
    if (s.page)
        pdf_hp_page_fast(s.page);
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
        const layout_box *last = &lp->boxes[j - 1], *next = j < lp->n ? &lp->boxes[j] : NULL;
        if (last->len > 0 || j - i > 1)
            st = draw_run(p, &s, b, j - i, needs_space(p, last, next), ends_line(last, next), &out);
        i = j;
    }
    if (st == HPDF_OK)
        st = end_text(&s);
    buf_fini(&out);
    return pdf_status_check(p, st, d, at);
}

/* A number we can write: finite, and within the ±32767 that PDF readers are
 * guaranteed to handle (ISO 32000-1, Annex C); pages are at most 14400 pt. */
static bool is_sane(double v)
{
    return isfinite(v) && fabs(v) <= 32767;
}

/* Every box has sane numbers; every text box must name a font that was
 * loaded through pdf_fonts and hold valid UTF-8 of code points the font has.
 * Layout promises all this; a broken promise must not reach the file. The
 * code points seen plan the fonts' CIDs (pdf_font_plan_cp). */
static bool check_boxes(pdf_doc *p, const layout_doc *doc, diag *d, src_mark at)
{
    size_t nboxes = 0;
    for (size_t i = 0; i < doc->npages; i++)
        nboxes += doc->pages[i].n;
    free(p->ends);
    p->ends = xmalloc((nboxes ? nboxes : 1) * sizeof *p->ends);
    double *end = p->ends;
    for (size_t i = 0; i < doc->npages; i++) {
        const layout_page *lp = &doc->pages[i];
        for (size_t j = 0; j < lp->n; j++, end++) {
            const layout_box *b = &lp->boxes[j];
            *end = b->x;
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
                uint16_t metric = pdf_font_metric(f, cp);
                if (!(metric & METRIC_HAS)) {
                    diag_error(d, at,
                               "внутренняя ошибка: в шрифте %s нет символа U+%04X (страница %zu)",
                               pdf_font_file(b->font), (unsigned)cp, i + 1);
                    return false;
                }
                pdf_font_plan_cp(f, cp);
                *end += (metric & METRIC_WIDTH) * b->size / 1000 + b->char_space;
                k += n;
            }
            pdf_font_plan_box(f, b);
        }
    }
    pdf_font_plan_done(p);
    return true;
}

static bool set_info(pdf_doc *p, const blk_info *info, const pdf_options *opt, diag *d, src_mark at)
{
    /* As UTF-16BE text strings, so Cyrillic reads back right
     * (docs/libharu.md). */
    const struct {
        const char *key, *name; /* the PDF key, the name viewers show */
        const char *value;
    } attrs[] = {
        {"Title", "Название", info->title},
        {"Author", "Автор", info->author},
        {"Subject", "Тема", info->subject},
        {"Keywords", "Ключевые слова", info->keywords},
        {"Creator", "Приложение", opt ? opt->creator : NULL},
    };
    HPDF_STATUS st = HPDF_OK;
    for (size_t i = 0; st == HPDF_OK && i < sizeof attrs / sizeof attrs[0]; i++) {
        if (!attrs[i].value || !attrs[i].value[0])
            continue;
        /* The characters the XMP of PDF/A can hold, and no longer than
         * libharu can write (pdf_pdfa.c). */
        bool cut;
        char *clean = pdf_pdfa_clean(attrs[i].value, &cut);
        if (cut)
            diag_warning(d, at,
                         "свойство файла PDF «%s» длиннее %d знаков: в свойствах файла оно "
                         "сокращено, в тексте документа осталось целиком",
                         attrs[i].name, INFO_MAX_UNITS);
        st = pdf_hp_info_set(p->pdf, attrs[i].key, clean);
        free(clean);
    }
    /* Only the document's own date: a clock would make each run differ. It
     * is a calendar date, so midnight with no zone; readers that take it as
     * UTC still show the same day in every Russian time zone (UTC+2..+12).
     * PDF/A names UTC, +00'00', as its XMP copy must be the same instant
     * (libharu writes "Z" as "Z00'00'", which PDFBox does not take as it). */
    if (st == HPDF_OK && info->year != 0) {
        HPDF_Date date = {info->year, info->month, info->day, 0, 0, 0, p->pdfa ? '+' : ' ', 0, 0};
        st = HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_CREATION_DATE, date);
        if (st == HPDF_OK)
            st = HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_MOD_DATE, date);
    }
    return pdf_status_check(p, st, d, at);
}

/* ---- Output ----------------------------------------------------------------- */

/* The compressor of every document of the process: libdeflate's state
 * (its hash tables) would be fresh pages to fault in for each document
 * when made anew, and a batch worker renders many. NULL when out of
 * memory. */
static struct libdeflate_compressor *compressor(void)
{
    static struct libdeflate_compressor *z;
    if (!z)
        z = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    return z;
}

/* Copy the PDF libharu saved in memory to f: its 4 KB chunks gathered,
 * to write them with one call. */
static bool copy_saved(pdf_doc *p, outfile *f, diag *d)
{
    buf all;
    buf_init(&all);
    size_t len;
    const uint8_t *chunk;
    for (size_t i = 0; (chunk = pdf_hp_saved_chunk(p->pdf, i, &len)) != NULL; i++)
        buf_putn(&all, (const char *)chunk, len);
    bool ok = outfile_write(f, all.data, all.len, d);
    buf_fini(&all);
    return ok;
}

/* Pages per node of the page tree of a document of more pages (fewer: one
 * node, as ever): the largest array PDF 1.4's implementation limits allow. */
#define PDF_PAGES_PER_NODE 8191

bool pdf_write(pdf_doc *p, const layout_doc *doc, const pdf_options *opt, const char *out_path,
               diag *d)
{
    bool ok = false;
    outfile *f = NULL;
    struct libdeflate_compressor *z = NULL;
    src_mark at = {out_path, 0, 0};

    /* The libharu document keeps its pages and glyph marks: one per output. */
    if (p->written) {
        diag_error(d, at, "внутренняя ошибка: документ PDF уже записан");
        return false;
    }
    p->written = true;
    pdf_error_clear(p);

    if ((opt && opt->pdfa) || doc->info.pdfa)
        pdf_pdfa_begin(p);
    if (!check_boxes(p, doc, d, at) || !set_info(p, &doc->info, opt, d, at))
        goto out;
    /* a long document's pages in a tree: libharu's arrays hold at most
     * HPDF_LIMIT_MAX_ARRAY items, so page 32,768 of a flat tree failed as an
     * internal error (and readers may refuse an array over 8,191) */
    if (doc->npages > PDF_PAGES_PER_NODE &&
        !pdf_status_check(p, HPDF_SetPagesConfiguration(p->pdf, PDF_PAGES_PER_NODE), d, at))
        goto out;
    for (size_t i = 0, first = 0; i < doc->npages; first += doc->pages[i++].n)
        if (!draw_page(p, &doc->pages[i], p->ends + first, d, at))
            goto out;
    z = compressor();
    if (!z) {
        diag_error(d, at, "недостаточно памяти для сжатия PDF");
        goto out;
    }
    if (!pdf_font_finish(p, z, d, at) || (p->pdfa && !pdf_pdfa_finish(p, doc, opt, d, at)) ||
        !pdf_status_check(p, pdf_hp_deflate_streams(p->pdf, z), d, at) ||
        !pdf_status_check(p, pdf_hp_save(p->pdf), d, at))
        goto out;

    /* The whole file is in memory now: the temporary file exists only while
     * we copy it out. */
    f = outfile_open(out_path, opt->out_name, d);
    if (!f || !copy_saved(p, f, d))
        goto out;
    ok = outfile_commit(f, d);
    f = NULL;
out:
    outfile_abort(f);
    return ok;
}
