/* layout: block tree -> pages of positioned boxes. Owns the pages and their
 * strings (one arena per layout_doc); borrows the block tree, the fonts
 * interface and the hyphenation dictionary. Included by pdf. */
#ifndef NASTAVDOC_LAYOUT_H
#define NASTAVDOC_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "diag.h"
#include "text.h"
#include "util.h"

/* What layout needs to know about fonts; pdf.c provides it (pdf_fonts) and
 * tests may provide a fake. Font ids are small integers >= 0. */
typedef struct layout_fonts {
    void *ctx;
    /* id of family+style (BLK_BOLD|BLK_ITALIC bits), loading it on first use;
     * -1 when the family is unknown, -2 when its file did not load (the
     * fonts reported that: an installation problem, not the style's). */
    int (*find)(void *ctx, const char *family, int style);
    /* Advance width of one code point in thousandths of the em. */
    double (*advance)(void *ctx, int font, uint32_t cp);
    /* Does the font have a glyph for cp? */
    bool (*has)(void *ctx, int font, uint32_t cp);
    /* Ascent and descent (negative) in thousandths of the em. */
    double (*ascent)(void *ctx, int font);
    double (*descent)(void *ctx, int font);
    /* An identity of font's face that no other face gets while the process
     * lives, even after fonts are freed and loaded again (watch), and the
     * same for the same face in every document of the process (a batch
     * worker): the memo of set paragraphs keys on it (para.c). NULL, or 0
     * returned: no identity, paragraphs are set every time. */
    uint64_t (*identity)(void *ctx, int font);
} layout_fonts;

typedef enum { LAYOUT_TEXT, LAYOUT_LINE, LAYOUT_RECT } layout_box_kind;

/* PDF coordinates: points, origin at the bottom-left corner of the page. */
typedef struct layout_box {
    layout_box_kind kind;
    int font;          /* TEXT */
    double size;       /* TEXT: font size in points */
    double x, y;       /* TEXT: baseline start; LINE: start; RECT: lower-left corner */
    double x2, y2;     /* LINE: end; RECT: upper-right corner */
    double stroke;     /* LINE, RECT: line width (RECT with stroke 0 is filled) */
    double char_space; /* TEXT: extra space after each character (letter-spaced words) */
    const char *text;  /* TEXT: UTF-8, NUL-terminated, only code points the font has */
    size_t len;
    double width;           /* TEXT: advance width as measured by layout */
    double ascent, descent; /* TEXT: extent above and below the baseline, points (>= 0) */
    /* TEXT inside a table cell: where layout_check proves the text stays,
     * (x0, y0, x1, y1): across, the cell's text area (its rules less the
     * padding: no glyph touches a rule); down, the cell's rectangle. All 0
     * outside tables. */
    double cell[4];
    src_mark mark; /* TEXT: the block it comes from (the YAML place) */
    double gray;   /* RECT filled (stroke 0): 0 black (the default) … 1 white */
} layout_box;

/* A page carries its own size and margins: an order's portrait pages and its
 * landscape annex share one layout_doc (and one PDF). */
typedef struct layout_page {
    double width, height;
    double margin_top, margin_right, margin_bottom, margin_left;
    layout_box *boxes;
    size_t n, cap;
} layout_page;

typedef struct layout_doc {
    layout_page *pages;
    size_t npages;
    size_t pages_cap; /* room in pages: it doubles (one more each time copied them all) */
    blk_info info;    /* copied strings */
    arena *mem;
} layout_doc;

/* Lay out t. Reports characters missing from a font, and other problems, into
 * d with the mark of the block they come from; NULL when any error was
 * reported. h may be NULL (no hyphenation). Caller frees with layout_doc_free. */
layout_doc *layout_run(const blk_doc *t, const layout_fonts *f, const text_hyph *h, diag *d);
/* Lay out t after the pages of doc, on pages of t's own size and margins,
 * numbered from t's first page (an annex printed in the same PDF as its
 * order). doc's metadata stays. false when an error was reported; doc then
 * holds only its earlier pages. */
bool layout_append(layout_doc *doc, const blk_doc *t, const layout_fonts *f, const text_hyph *h,
                   diag *d);
void layout_doc_free(layout_doc *doc);

/* Self-check: every text box lies inside its page's margins (plus the top
 * margin band for page numbers) and its table cell. A guard that should never
 * fire: returns the number of boxes outside and reports the first of each
 * block, at the block's mark. */
size_t layout_check(const layout_doc *doc, diag *d);

#endif
