/* block: the block tree, what the template stage makes and layout reads.
 * Plain data, no YAML: texts, styles, tables and the page setup, every block
 * and table row with the src_mark of the YAML it came from. The maker owns
 * it (template.c: one arena). Included by template, layout and dump. */
#ifndef NASTAVDOC_BLOCK_H
#define NASTAVDOC_BLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef enum { BLK_LEFT, BLK_CENTER, BLK_RIGHT, BLK_JUSTIFY } blk_align;

/* Font styles as bits: regular 0, bold 1, italic 2, bold italic 3. */
enum { BLK_BOLD = 1, BLK_ITALIC = 2 };

typedef struct blk_style {
    const char *name;
    const char *family; /* "Liberation Serif", "PT Serif", "PT Sans" */
    int font_style;     /* BLK_BOLD | BLK_ITALIC */
    double size_pt;
    double leading;   /* baseline distance as a multiple of size (1.0 = single spacing = 1.15 em) */
    double indent_pt; /* first-line indent */
    double margin_left_pt, margin_right_pt;
    double space_before_pt, space_after_pt;
    blk_align align;
    bool hyphenate;
    bool keep_with_next;      /* headings: never the last thing on a page */
    bool upper;               /* print in capitals */
    double letter_spacing_pt; /* «ПРИКАЗ» set with spaced letters */
    double max_width_pt;      /* 0 = the whole text width (GOST heading lines ≤ 12 cm etc.) */
} blk_style;

/* Tables. A cell holds paragraphs and list items (label set). */
typedef struct blk_par {
    const char *text;
    const char *label; /* NULL for a paragraph; "–", "1." for list items */
    unsigned level;
    src_mark mark;
} blk_par;

typedef struct blk_cell {
    blk_par *pars;
    size_t n;
} blk_cell;

typedef struct blk_column {
    const char *key, *title;
    const char *parent; /* second header level: neighbours with the same parent share a cell */
    double width_pt;    /* fixed width, or 0 */
    double share;       /* share of the free width, or 0 (automatic) */
    bool numbering;     /* shows item numbers */
    bool group;         /* equal neighbouring values merge into one cell spanning rows */
    blk_align align;
    double valign;             /* 0 top, 0.5 middle, 1 bottom */
    int hyphenate;             /* -1 as the cell style says, 0 never (names), 1 always */
    src_mark mark, title_mark; /* the column's entry and its title in the data */
} blk_column;

typedef struct blk_row {
    bool section;    /* one cell across all columns: cells[0] */
    blk_cell *cells; /* ncols cells (section rows: 1) */
    src_mark mark;
} blk_row;

typedef struct blk_table {
    blk_column *cols;
    size_t ncols;
    blk_row *rows;
    size_t nrows;
    const blk_style *cell, *head, *section;
    bool borders;        /* false for the approval boxes */
    bool header;         /* a header row (repeated on every page) */
    bool column_numbers; /* a row of column numbers 1 2 3 … under the header, repeated with it */
} blk_table;

typedef enum {
    BLK_PARA,       /* text */
    BLK_ITEM,       /* list item: label + text; level 0, 1 … */
    BLK_ROW,        /* left text (wraps in left_frac of the width) + right text flush right on
                       the left's last line: dates/numbers, signatures */
    BLK_SPACER,     /* vertical space */
    BLK_PAGE_BREAK, /* start a new page */
    BLK_TABLE,      /* table: rows flow across pages, header repeated */
    BLK_TOC,        /* table of contents: one entry per block with toc_level > 0 (its text,
                       dotted leaders, its page number flush right) */
    BLK_FILL,       /* vertical space that pushes what follows, up to the next page break,
                       to the foot of the page (the place and year of a title page) */
    BLK_CHART,      /* bar chart drawn by the program (chart.h): never split */
    BLK_QUESTION,   /* a questionnaire's question: text and its answer field, never split */
    BLK_ESIGN,      /* a signature row with the mark of an electronic signature between the
                       position (text, on the left) and the name (flush right): never split */
    BLK_QR,         /* the document's QR code: bottom right of the first page of its part */
} blk_kind;

/* The mark of an electronic signature (GOST R 7.0.97-2016/2025, docs/esign.md):
 * a frame with a two-line heading and the certificate's lines. */
#define BLK_ESIGN_HEAD 2 /* «ДОКУМЕНТ ПОДПИСАН», «ЭЛЕКТРОННОЙ ПОДПИСЬЮ» */
#define BLK_ESIGN_LINES 5 /* the heading, then the certificate, owner, validity */
#define BLK_ESIGN_OWNER 3 /* the owner's line: the one that wraps */
typedef struct blk_esign {
    const char *name;                   /* «И.О. Фамилия», flush right */
    const char *lines[BLK_ESIGN_LINES]; /* the mark's lines, top to bottom */
    src_mark marks[BLK_ESIGN_LINES];    /* each line's value in the YAML (messages) */
    src_mark name_mark;                 /* the name's */
    const blk_style *head, *mark;       /* the heading's style and the other lines' */
    double left_frac;                   /* share of the width the position may use */
} blk_esign;

/* A QR code's modules: size x size, row by row from the top, 1 dark. */
typedef struct blk_qr {
    const unsigned char *dark;
    size_t size;
} blk_qr;

/* A bar chart: ncat categories along the axis, nser bars side by side in
 * each (1 or 2: before and after). */
typedef struct blk_chart {
    const char *const *labels; /* ncat labels under the axis */
    size_t ncat;
    const char *const *series; /* nser names, shown as a legend when nser > 1 */
    size_t nser;
    const double *values; /* ncat * nser, category by category; NAN = no data («—») */
    double axis_max;      /* 0: a round number above the largest value */
    int decimals;         /* digits after the comma of the value labels */
    const char *unit;     /* after each value label («%»), or NULL */
    const char *x_title, *y_title;
    double height_pt;
} blk_chart;

/* The answer field of a printed question. */
typedef enum {
    BLK_ANSWER_SCALE,  /* numbered boxes, the meaning of the ends below */
    BLK_ANSWER_CHOICE, /* a box before each option */
    BLK_ANSWER_LINES,  /* ruled lines for a written answer */
    BLK_ANSWER_FILL,   /* the text, then a rule to the right edge: «Ф.И.О. ____» */
    BLK_ANSWER_NONE,   /* the text only */
} blk_answer_kind;

typedef struct blk_answer {
    blk_answer_kind kind;
    const char *const *options; /* SCALE: the numbers; CHOICE: the options */
    size_t nopts;
    const char *low, *high; /* SCALE: meaning of the lowest and highest value, or NULL */
    unsigned lines;         /* LINES: how many */
} blk_answer;

/* One block: what every kind has, then what its kind adds (the tag is kind). */
typedef struct blk_block {
    blk_kind kind;
    src_mark mark; /* where the text came from: the data value, else the template */
    const blk_style *style;
    const char *text; /* PARA, ITEM: text; ROW: left part */
    /* Lines of the text before that must go with this block to a new page: a
     * signature carries over only with at least 3 lines of text
     * (docs/typesetting.md §1.5). */
    unsigned keep_prev_lines;
    /* 1, 2 …: a heading listed at that level by a BLK_TOC block; 0: not listed */
    unsigned toc_level;
    const char *toc_text; /* the entry's text when it is not `text` (in the tree's arena) */
    union {
        struct {
            const char *label; /* "1.", "1.1.", "–" */
            bool hanging;      /* label in the indent, text aligned after it */
            unsigned level;    /* nesting level */
        } item;                /* ITEM */
        struct {
            const char *right;  /* flush right on the left part's last line */
            double left_frac;   /* share of the width the left part may use */
        } row;                  /* ROW */
        double spacer_pt;       /* SPACER: the height */
        const blk_table *table; /* TABLE */
        const blk_chart *chart; /* CHART */
        struct {
            const char *label; /* QUESTION: "3." before the text, or "" */
            const blk_answer *answer;
        } question;
        const blk_esign *esign; /* ESIGN: text is the position */
        const blk_qr *qr;       /* QR */
    } as;
} blk_block;

typedef struct blk_page {
    double width_pt, height_pt; /* after orientation */
    double margin_top_pt, margin_right_pt, margin_bottom_pt, margin_left_pt;
    unsigned numbers_from; /* first page that shows its number; 0 = none */
    double numbers_top_pt; /* distance of the number's baseline from the top edge */
    const blk_style *number_style;
} blk_page;

typedef struct blk_info {
    const char *title, *author, *subject, *keywords;
    int year, month, day; /* document date (0 = none) */
    bool pdfa;            /* the template's `pdfa: true`: write PDF/A-1b */
} blk_info;

/* A block tree: the page setup, the metadata and the blocks in reading order. */
typedef struct blk_doc {
    blk_page page;
    blk_info info;
    const blk_block *blocks;
    size_t n;
    bool typography_keep; /* `typography: keep`: quotes and dashes as typed (text.h) */
} blk_doc;

#endif
