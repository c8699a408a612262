/* para: the paragraph setter and the line buffer it fills. Owns nothing
 * beyond the buffers of the `lay` context its caller keeps; borrows the
 * fonts, the dictionary and the block tree. Included by layout.c (the page
 * flow) and table.c (cells), and by later elements that set text (charts,
 * signature blocks); it includes neither of them. */
#ifndef NASTAVDOC_PARA_H
#define NASTAVDOC_PARA_H

#include "layout.h"
#include "linebreak.h"

struct table_lay;

typedef struct frag {
    int font;
    double size;
    double x; /* from the left edge of the text area */
    double width;
    double char_space;
    const char *text;
    size_t len;
} frag;

typedef struct vline {
    double space_before; /* dropped at the top of a page */
    double height;       /* from the top of the line to the next line's top */
    double ascent;       /* from the top of the line to the baseline */
    double depth;        /* from the top of the line to the lowest descender */
    size_t first, nfrags;
    bool ok_before;    /* a page may break before this line */
    bool force_before; /* a page must break before this line */
    src_mark mark;     /* the block the line comes from */
    /* table rows: the table, its row, and the band of a row split across pages */
    struct table_lay *table;
    size_t row, band;
    const struct chart_fig *fig; /* a figure drawn by chart.c, or NULL */
} vline;

/* The memo of set paragraphs (para.c, para_memo.h) holds at most this: a
 * batch worker's document of one template sets 20-250 paragraphs of
 * 1-20 KiB each (their items), 0.1-1.5 MiB in all, so 8 MiB keeps several
 * such templates (an order and its roadmap annex, the agreements of a
 * folder) while staying within the few MiB a worker's fonts and subsets
 * take. Past it every entry is dropped. */
#define PARA_MEMO_MAX_BYTES ((size_t)8 << 20)

#define PARA_MAX_MISSING 8 /* missing font families remembered for one message each */

/* Fonts found that a layout remembers, by the family string of a style
 * and the style bits: a document uses a few; beyond them f is asked. */
#define PARA_FOUND_FONTS 8

/* The advance widths and glyph presence a layout asked the fonts for, kept
 * per font and code point (para.c): a paragraph asks for every character
 * several times (glyph check, chain, word, pieces). */
typedef struct para_glyphs para_glyphs;
para_glyphs *para_glyphs_new(void);
void para_glyphs_free(para_glyphs *g); /* NULL is a no-op */

typedef struct lay {
    const blk_doc *t;
    const layout_fonts *f;
    const text_hyph *h;
    diag *d;
    layout_doc *out;
    double width; /* text area */
    vline *lines;
    size_t nlines, lcap;
    frag *frags;
    size_t nfrags, fcap;
    lb_item *items;
    size_t nitems, icap;
    /* item -> the text it draws: index range into the paragraph text */
    size_t *item_from, *item_to;
    struct table_lay **tables;  /* owned by table.c; freed by table_free_all */
    double space_after_table;   /* added above the block after a table */
    size_t ntables, tables_cap; /* tables_cap doubles: one more each time copied them all */
    bool failed;
    bool in_cell; /* table.c sets a cell: no page-break rules between its lines */
    /* families already reported as missing: one message per family, not one
     * per paragraph (beyond PARA_MAX_MISSING families, diag's cap holds) */
    const char *missing[PARA_MAX_MISSING];
    size_t nmissing;
    para_glyphs *glyphs; /* NULL: every width is asked of f */
    /* fonts found (para_find_font): a style's family and its font id */
    struct {
        const char *family;
        int style, id;
    } found[PARA_FOUND_FONTS];
    size_t nfound;
} lay;

/* Append an empty line (ok_before set) and return it; valid until the next append. */
vline *para_add_line(lay *L);
void para_add_frag(lay *L, vline *v, frag fr);
void para_add_box(layout_page *p, layout_box b);
/* f->find, remembered for the family strings met before (a font found
 * stays found). */
int para_find_font(lay *L, const char *family, int style);
/* f's advance (thousandths of the em) and glyph test, through L->glyphs. */
double para_advance(const lay *L, int font, uint32_t cp);
bool para_has(const lay *L, int font, uint32_t cp);
/* The advance of the widest character that typed cp may be printed as in
 * style st: its capital when st is in capitals, and for a hyphen-minus or a
 * straight quote the dashes and quotes typography puts for them. */
double para_printed_advance(const lay *L, int font, const blk_style *st, uint32_t cp);
double para_measure(const lay *L, int font, double size, double ls, const char *s, size_t len);
/* Break text into lines at [x0, x0 + width) of the text area; see para.c. */
size_t para_set_text(lay *L, const blk_block *b, const char *raw, double x0, double width,
                     double first_indent, const char *tail, double label_x);
/* Draw line v with its top at `top`, shifted dx right; cell (x0, y0, x1, y1)
 * is recorded on each box for the self-check, or NULL. */
void para_draw_line(lay *L, layout_page *p, const vline *v, double dx, double top,
                    const double *cell);
/* A list item (BLK_ITEM): hanging label or "1. text" paragraph. */
size_t para_item_text(lay *L, const blk_block *b, double x0, double width);
/* Widow and orphan rule on lines [first, first + n). */
void para_protect_lines(lay *L, size_t first, size_t n);

#endif
