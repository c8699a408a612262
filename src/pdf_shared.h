/* pdf_shared: what the files of the pdf module share. Only they include it:
 *   pdf.c          the document, drawing the pages, writing the file;
 *   pdf_font.c     fonts, metrics, the fonts' maps and embedded subsets;
 *   pdf_pdfa.c     PDF/A-1b: XMP metadata, OutputIntent, the content's /ID;
 *   pdf_harupriv.c the only code that touches libharu's private structures
 *                  (functions prefixed pdf_hp_), checked at build time
 *                  against the libharu version it was written for.
 * See docs/libharu.md for what libharu 2.3.0 does and what we change. */
#ifndef NASTAVDOC_PDF_SHARED_H
#define NASTAVDOC_PDF_SHARED_H

#include <stdbool.h>
#include <stdint.h>

#include <hpdf.h>

#include "pdf.h"
#include "ttf_subset.h"

enum {
    /* The families we ship in fonts/ (pdf_font.c); ids are family * 4 +
     * style, with the style bits of template.h (BLK_BOLD = 1, BLK_ITALIC =
     * 2). */
    NFAMILIES = 3,
    NFONTS = NFAMILIES * 4,
    /* libharu's UTF-8 encoder maps CIDs 0..0xFFFE only: its /W array and
     * CIDToGIDMap stop before the largest CID, and code points above the
     * BMP cannot be encoded at all (docs/libharu.md). */
    LAST_CP = 0xFFFE,
    /* A cached metric: KNOWN marks a filled slot, HAS a real glyph, and the
     * low bits hold the advance in 1/1000 em (fonts stay far below 16384). */
    METRIC_KNOWN = 0x8000,
    METRIC_HAS = 0x4000,
    METRIC_WIDTH = 0x3FFF,
    /* A set of code points of the BMP, one bit each. */
    CP_SET_BYTES = 65536 / 8,
    /* The text layer (docs/pdfa.md): layout draws the hyphen it adds at a
     * break as U+00AD, which the ToUnicode map gives as U+002D, the hyphen
     * poppler removes when it joins the lines; a word's own U+002D at the
     * end of a line is drawn as CID U+2011 (the hyphen's glyph where the
     * font has none of its own), which poppler keeps. */
    ADDED_HYPHEN = 0x00AD,
    OWN_HYPHEN_AT_END = 0x2011,
};

typedef enum { FONT_UNTRIED, FONT_READY, FONT_FAILED } font_state;

typedef struct pdf_font {
    font_state state;
    char *path;           /* the font file */
    const uint8_t *bytes; /* the font file mapped (load_font), for its subset */
    size_t len;
    ttf_font *ttf; /* the file parsed: checked before libharu reads it */
    HPDF_FontDef def;
    HPDF_Font font; /* NULL until text is drawn in it */
    double ascent, descent;
    unsigned num_glyphs;
    uint16_t notdef;        /* metric of anything the font lacks */
    uint16_t *metrics[256]; /* BMP in pages of 256 code points, filled lazily */
    uint8_t *used;          /* bitset of the code points drawn, for ToUnicode */
    uint8_t *planned;       /* bitset of the code points the boxes hold */
} pdf_font;

struct pdf_doc {
    HPDF_Doc pdf;
    char *fonts_dir;
    diag *d;            /* borrowed: font errors found while layout measures */
    HPDF_STATUS err_no; /* first error libharu reported, 0 when none */
    HPDF_STATUS err_detail;
    bool written;
    bool font_failed; /* a font file could not be loaded */
    pdf_font fonts[NFONTS];
    int made[NFONTS]; /* ids of the fonts drawn, in the order their objects were made */
    size_t nmade;
    void *cid_map_copy;  /* pdf_hp_font_new's copy of the UTF-8 encoder's cid_map */
    bool pdfa;           /* writing PDF/A-1b (pdf_pdfa.c) */
    HPDF_MD5_CTX id_md5; /* PDF/A: the hash of the content, for the trailer /ID */
};

/* ---- pdf_error.c ---- */

/* libharu's error handler (HPDF_New): records the first error for
 * pdf_status_check. */
void pdf_error_record(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data);
/* Forget libharu's recorded error; it ignores most calls while one is set. */
void pdf_error_clear(pdf_doc *p);
/* True when libharu is happy; otherwise report an internal error at `at`
 * and clear it. st is the status the call returned. */
bool pdf_status_check(pdf_doc *p, HPDF_STATUS st, diag *d, src_mark at);

/* ---- pdf_font.c ---- */

/* Check that every font file is installed (a regular file we can open);
 * false with one message per missing file: an installation problem. */
bool pdf_font_check_files(const char *fonts_dir, diag *d);
/* The font of a text box: loaded through pdf_fonts. */
pdf_font *pdf_font_get(pdf_doc *p, int font);
/* The file name of font id (for messages). */
const char *pdf_font_file(int font);
/* The cached metric (METRIC_*) of cp. */
uint16_t pdf_font_metric(pdf_font *f, uint32_t cp);
void pdf_font_fini(pdf_font *f);
/* Note the code points each font will draw, before anything is drawn. */
void pdf_font_plan(pdf_doc *p, const layout_doc *doc);
/* Remember the code points of text for the font's maps in the file. */
void pdf_font_note_used(pdf_font *f, const char *text, size_t len);
/* The libharu font object of font id, made when first asked; NULL when
 * libharu fails (its error is recorded). */
HPDF_Font pdf_font_object(pdf_doc *p, int font);
/* Rewrite the maps of every font drawn and embed its subset. */
bool pdf_font_finish(pdf_doc *p, diag *d, src_mark at);

/* Code point sets (bitsets of the BMP, CP_SET_BYTES long). */
static inline bool cp_set_has(const uint8_t *bits, uint32_t cp)
{
    return cp <= LAST_CP && (bits[cp >> 3] >> (cp & 7) & 1);
}

/* The first code point at or after cp in bits, or LAST_CP + 1 when there is
 * none. Empty bytes are skipped whole: a document uses a few hundred code
 * points, so a walk costs about the 8 KB of the set, not 65535 tests. */
static inline uint32_t cp_set_next(const uint8_t *bits, uint32_t cp)
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

/* ---- pdf_pdfa.c ---- */

/* A metadata string as PDF/A keeps it in both the Info dictionary and the
 * XMP: characters XML 1.0 cannot hold (controls but tab and line feed,
 * carriage returns, which XML turns into line feeds, U+FFFE/FFFF) and those
 * libharu cannot encode (above the BMP) become spaces, so that both say the
 * same. Caller frees. */
char *pdf_pdfa_clean(const char *s);
/* Add to the content hash of the trailer /ID. */
void pdf_pdfa_hash(pdf_doc *p, const void *data, size_t len);
/* Make p a PDF/A document (p->pdfa) and start the content's hash. */
void pdf_pdfa_begin(pdf_doc *p);
/* Finish it after the pages and fonts: the XMP of info (cleaned with
 * pdf_pdfa_clean), the OutputIntent with the profile at opt->icc_path
 * (an unreadable profile is an installation problem, reported at its
 * path), the /ID from the hash of doc and of everything added so far. */
bool pdf_pdfa_finish(pdf_doc *p, const layout_doc *doc, const pdf_options *opt, diag *d,
                     src_mark at);
/* The /CIDSet stream of a subset that draws the code points in used (our
 * CIDs are code points): CID 0 and each of them, one bit each, the most
 * significant bit first. */
void pdf_pdfa_cidset(const uint8_t *used, buf *out);

/* ---- pdf_harupriv.c: libharu 2.3.0's private structures ---- */

/* Load a TrueType font definition (embedding) from the font file mapped at
 * bytes (len bytes, kept mapped while the document lives): NULL unless
 * libharu loaded it as TrueType; its error stays recorded. */
HPDF_FontDef pdf_hp_font_load(HPDF_Doc pdf, const uint8_t *bytes, size_t len);
/* The definition's glyph count, ascent and descent (1/1000 em). */
unsigned pdf_hp_font_glyphs(HPDF_FontDef def);
double pdf_hp_font_ascent(HPDF_FontDef def);
double pdf_hp_font_descent(HPDF_FontDef def);
/* The glyph of cp in the definition's cmap, as libharu finds it (0: none);
 * the width libharu writes into /W for glyph gid. Neither marks the glyph
 * for libharu's own subset. */
unsigned pdf_hp_glyph(HPDF_FontDef def, uint32_t cp);
int pdf_hp_glyph_width(HPDF_FontDef def, unsigned gid);
/* The subset tag libharu gave the definition ("HPDFAA+"). */
void pdf_hp_font_tag(HPDF_FontDef def, char tag[TTF_TAG_LEN]);
/* The UTF-8 Type0 font object of def, made with libharu's maps narrowed to
 * the code points in planned (NULL: none); scratch is a buffer kept between
 * calls (freed by the caller). NULL when libharu fails. */
HPDF_Font pdf_hp_font_new(HPDF_Doc pdf, HPDF_FontDef def, const uint8_t *planned, void **scratch);
/* Replace the font's ToUnicode and CIDToGIDMap streams. */
HPDF_STATUS pdf_hp_font_set_maps(HPDF_Font font, const buf *to_unicode, const buf *cid_to_gid);
/* Set /W of the font's CIDFont: widths[i] for cps[i], ascending, n of
 * them (those equal to /DW left out). */
HPDF_STATUS pdf_hp_font_set_widths(HPDF_Font font, const uint32_t *cps, const uint16_t *widths,
                                   size_t n);
/* Give the font a descriptor with prog as its /FontFile2; with a cidset
 * (PDF/A), also /CapHeight and that /CIDSet stream. */
HPDF_STATUS pdf_hp_font_set_program(HPDF_Font font, HPDF_FontDef def, const buf *prog,
                                    const buf *cidset);
/* PDF/A-1b parts that go into libharu's document: PDF 1.4, the catalog's
 * /Metadata (xmp, unfiltered) and /OutputIntents (the sRGB profile icc),
 * and the trailer /ID [<id> <id>]. */
HPDF_STATUS pdf_hp_pdfa_set(HPDF_Doc pdf, const buf *xmp, const buf *icc, const uint8_t id[16]);
/* libharu's MD5 (exported by 2.3.0 for its encryption). */
void pdf_hp_md5_init(HPDF_MD5_CTX *ctx);
void pdf_hp_md5_add(HPDF_MD5_CTX *ctx, const void *data, size_t len);
void pdf_hp_md5_final(HPDF_MD5_CTX *ctx, uint8_t out[16]);
/* Append text to the page's content stream. */
HPDF_STATUS pdf_hp_page_write(HPDF_Page page, const char *text);
/* Every stream libharu would deflate at save, deflated now by libdeflate at
 * level (1-12) and marked /FlateDecode: libharu then copies it as it is. */
HPDF_STATUS pdf_hp_deflate_streams(HPDF_Doc pdf, int level);

#endif
