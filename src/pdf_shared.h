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
#include <string.h>

#include <hpdf.h>

struct libdeflate_compressor;

#include "pdf.h"
#include "ttf_subset.h"

enum {
    /* The families we ship in fonts/ (pdf_font.c); ids are family * 4 +
     * style, with the style bits of template.h (BLK_BOLD = 1, BLK_ITALIC =
     * 2). */
    NFAMILIES = 3,
    NFONTS = NFAMILIES * 4,
    /* We draw code points of the BMP, less the noncharacter U+FFFF; each
     * gets a CID of its font (a two-byte code through Identity-H); code
     * points above the BMP are not drawn (docs/libharu.md). */
    LAST_CP = 0xFFFE,
    /* A cached metric: KNOWN marks a filled slot, HAS a real glyph, and the
     * low bits hold the advance in 1/1000 em (fonts stay far below 16384). */
    METRIC_KNOWN = 0x8000,
    METRIC_HAS = 0x4000,
    METRIC_WIDTH = 0x3FFF,
    /* The text layer (docs/pdfa.md): layout draws the hyphen it adds at a
     * break as U+00AD, which the ToUnicode map gives as U+002D, the hyphen
     * poppler removes when it joins the lines; a word's own U+002D at the
     * end of a line is drawn as CID U+2011 (the hyphen's glyph where the
     * font has none of its own), which poppler keeps. */
    ADDED_HYPHEN = 0x00AD,
    OWN_HYPHEN_AT_END = 0x2011,
};

typedef enum { FONT_UNTRIED, FONT_READY, FONT_FAILED } font_state;

/* A font file loaded once in the process and kept for every document that
 * uses it (a batch worker renders document after document): mapped,
 * parsed, its metrics and its latest subset programs cached (pdf_font.c). */
typedef struct font_file font_file;

/* A font in one document. */
typedef struct pdf_font {
    font_state state;
    font_file *file;       /* when READY */
    const ttf_info *info;  /* the file's descriptor numbers */
    uint16_t **metrics;    /* the file's metric cache: 256 pages of 256 code points */
    HPDF_Dict font;        /* the Type0 font object, NULL until text is drawn in it */
    uint8_t *planned;      /* bitset of the code points the boxes hold (pdf_font_plan) */
    uint16_t *cid_of[256]; /* code point -> CID (0: none), pages made on first use */
    uint32_t *cps;         /* cps[cid - 1]: the code point of each CID */
    size_t ncids, cap;     /* CIDs 1..ncids */
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
    bool pdfa; /* writing PDF/A-1b (pdf_pdfa.c) */
    /* Where the pen stands after each text box (text_end, pdf.c), measured
     * while check_boxes reads the boxes: ends[i] for box i of the pages in
     * order; page_ends and page_boxes are the page being drawn's. */
    double *ends;
    const double *page_ends;
    const layout_box *page_boxes;
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
/* The cached metric (METRIC_*) of cp (defined below). */
static inline uint16_t pdf_font_metric(pdf_font *f, uint32_t cp);
/* pdf_font_metric's slow path: measure cp and cache its metric. */
uint16_t pdf_font_measure(pdf_font *f, uint32_t cp);
void pdf_font_fini(pdf_font *f);
/* Planning the CIDs: every code point of the text boxes (pdf_font_plan_cp),
 * the space draw_run puts between words and OWN_HYPHEN_AT_END where a box
 * ends in a hyphen-minus (pdf_font_plan_box); then pdf_font_plan_done gives
 * each font the CIDs of its code points in code point order, so documents
 * drawing the same characters have the same subset (pdf_font_finish keeps
 * the latest ones). */
static inline void pdf_font_plan_cp(pdf_font *f, uint32_t cp);
void pdf_font_plan_box(pdf_font *f, const layout_box *b);
void pdf_font_plan_done(pdf_doc *p);
/* Append the CIDs of text's code points to a literal string, two bytes
 * each (Identity-H), escaped where a string must be; a code point the plan
 * did not foresee gets the next CID. The CIDs are the glyphs
 * of the font's subset (pdf_font_finish). */
void pdf_font_put_cids(pdf_font *f, buf *out, const char *text, size_t len);
/* The font object of font id (filled by pdf_font_finish), made when first
 * asked; NULL when libharu fails (its error is recorded). */
HPDF_Dict pdf_font_object(pdf_doc *p, int font);
/* Fill in every font drawn: its maps, widths and the subset of its glyphs,
 * streams deflated by z. */
bool pdf_font_finish(pdf_doc *p, struct libdeflate_compressor *z, diag *d, src_mark at);

enum {
    /* A set of code points of the BMP, one bit each. */
    CP_SET_BYTES = 65536 / 8,
    /* The longest metadata string (title, author, ...) in UTF-16 code
     * units: libharu 2.3.0 writes strings of at most 65535 bytes
     * (HPDF_LIMIT_MAX_STRING_LEN), and a text string is two bytes a unit
     * after its two-byte mark. A longer one is cut, with a warning: the
     * document itself keeps the whole text. */
    INFO_MAX_UNITS = 32000,
};

/* The first code point at or after cp in the set bits, or LAST_CP + 1 when
 * there is none. A document uses a few hundred code points: a walk reads
 * the 8 KB of the set as 1,024 words (byte by byte, it cost 0.17 M of a
 * batch document's 5.5 M instructions). */
static inline uint32_t cp_set_next(const uint8_t *bits, uint32_t cp)
{
    /* 64 code points at a time: the set has 65,536 bits, and most are 0 */
    while (cp <= LAST_CP) {
        uint64_t word;
        memcpy(&word, bits + (cp >> 6) * 8, sizeof word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word); /* bit k of the word is code point 64w + k */
#endif
        word >>= cp & 63;
        if (word) {
            cp += (uint32_t)__builtin_ctzll(word);
            return cp <= LAST_CP ? cp : LAST_CP + 1;
        }
        cp = (cp | 63) + 1;
    }
    return LAST_CP + 1;
}

/* The cached metric (METRIC_*) of cp: layout asks it of every character
 * it measures. */
static inline uint16_t pdf_font_metric(pdf_font *f, uint32_t cp)
{
    const uint16_t *page = cp <= 0xFFFF ? f->metrics[cp >> 8] : NULL;
    return page && page[cp & 0xFF] ? page[cp & 0xFF] : pdf_font_measure(f, cp);
}

static inline void pdf_font_plan_cp(pdf_font *f, uint32_t cp)
{
    if (!f->planned)
        f->planned = xcalloc(CP_SET_BYTES, 1);
    if (cp <= LAST_CP)
        f->planned[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}

/* ---- pdf_pdfa.c ---- */

/* A metadata string as the Info dictionary and PDF/A's XMP keep it:
 * characters XML 1.0 cannot hold (controls but tab and line feed, carriage
 * returns, which XML turns into line feeds, U+FFFE/FFFF) become spaces, so
 * that both say the same; and it is cut after INFO_MAX_UNITS UTF-16 code
 * units (*cut says so), which libharu can hold. Caller frees. */
char *pdf_pdfa_clean(const char *s, bool *cut);
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
/* The /CIDSet stream of a subset of CIDs 0..n - 1 (our CIDs are its
 * glyphs): one bit each, the most significant bit first. */
void pdf_pdfa_cidset(size_t n, buf *out);

/* ---- pdf_harupriv.c: libharu 2.3.0's private structures ---- */

/* What a font object says, for pdf_hp_font_fill. */
typedef struct pdf_font_parts {
    const char *base_font;       /* "TAG+PostScriptName" */
    const ttf_info *info;        /* the descriptor's numbers */
    unsigned dw;                 /* /DW: the width of glyph 0 */
    const char *widths;          /* the /W entry, "/W [ … ]" */
    const uint8_t *to_unicode_z; /* the ToUnicode map, deflated */
    size_t to_unicode_zlen;
    const uint8_t *program_z; /* the subset program, deflated; its glyphs are the CIDs */
    size_t program_zlen;
    size_t program_len; /* its length before */
    const buf *cidset;  /* PDF/A: the /CIDSet stream; NULL otherwise */
} pdf_font_parts;

/* A new, empty dictionary in the document for a font object (the Type0
 * font pages refer to), filled by pdf_hp_font_fill; NULL on failure. */
HPDF_Dict pdf_hp_font_dict(HPDF_Doc pdf);
/* Select font at size (a number's text) in the page's content stream,
 * naming it in the page's resources. */
HPDF_STATUS pdf_hp_page_font(HPDF_Page page, HPDF_Dict font, const char *size);
/* Make type0 the Type0 font of f, with its CIDFontType2 font, descriptor,
 * program and maps as objects of the document (the program and ToUnicode
 * map come deflated; the PDF/A CIDSet is deflated with the page streams). */
HPDF_STATUS pdf_hp_font_fill(HPDF_Doc pdf, HPDF_Dict type0, const pdf_font_parts *f);
/* Set key of the document's Info dictionary to the text utf8. */
HPDF_STATUS pdf_hp_info_set(HPDF_Doc pdf, const char *key, const char *utf8);
/* PDF/A-1b parts that go into libharu's document: PDF 1.4, the catalog's
 * /Metadata (xmp, unfiltered) and /OutputIntents (the sRGB profile icc),
 * and the trailer /ID [<id> <id>]. */
HPDF_STATUS pdf_hp_pdfa_set(HPDF_Doc pdf, const buf *xmp, const buf *icc, const uint8_t id[16]);
/* libharu's MD5 (exported by 2.3.0 for its encryption). */
void pdf_hp_md5_init(HPDF_MD5_CTX *ctx);
void pdf_hp_md5_add(HPDF_MD5_CTX *ctx, const void *data, size_t len);
void pdf_hp_md5_final(HPDF_MD5_CTX *ctx, uint8_t out[16]);
/* Append text to the page's content stream. */
HPDF_STATUS pdf_hp_page_write(HPDF_Page page, const char *data, size_t len);
/* Give a new page's content stream memcpy in place of libharu's byte
 * loops (the document's other streams get it in pdf_hp_save). */
void pdf_hp_page_fast(HPDF_Page page);
/* HPDF_SaveToStream, with the streams copied by memcpy. */
HPDF_STATUS pdf_hp_save(HPDF_Doc pdf);
/* Chunk i of the PDF saved in memory (HPDF_SaveToStream), *len bytes;
 * NULL past the last. */
const uint8_t *pdf_hp_saved_chunk(HPDF_Doc pdf, size_t i, size_t *len);
/* Every stream libharu would deflate at save, deflated now by z and
 * marked /FlateDecode: libharu then copies it as it is. */
HPDF_STATUS pdf_hp_deflate_streams(HPDF_Doc pdf, struct libdeflate_compressor *z);

#endif
