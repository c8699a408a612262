/* template: a template file (YAML) + the data tree of a document -> block
 * tree. Owns the block tree and its strings (one arena per tpl_doc); borrows
 * the data tree while expanding and the diag sink. Included by layout. */
#ifndef NASTAVDOC_TEMPLATE_H
#define NASTAVDOC_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "yaml_load.h"

/* Caps that keep a hostile dossier or template from growing the output
 * without bound. */
#define TPL_MAX_BLOCKS 200000   /* blocks produced by one expansion (each, content) */
#define TPL_MAX_TEXT (1u << 20) /* bytes of one interpolated text */
#define TPL_MAX_COLUMNS 32      /* a table wider than this cannot be printed legibly */
#define TPL_MAX_ROWS 200000     /* rows of one table */
#define TPL_MAX_WIDTH_MM 1000   /* a column or box wider than a metre is a typo */
#define TPL_MAX_SHARE 1000      /* a column's share of the free width */
#define TPL_MAX_PAGE_FROM 10000 /* page numbers' `from`: beyond any document */
/* Work of one expansion: every block visited, every `each` pass and every
 * TPL_STEP_BYTES bytes of interpolated text is a step. The budget is
 * TPL_STEP_FACTOR steps per node of the template and the data, and at least
 * TPL_STEP_FLOOR: nested `each` over big lists stops with a message instead
 * of spinning (even when it produces nothing). */
#define TPL_STEP_FACTOR 64
#define TPL_STEP_FLOOR 2000000
#define TPL_STEP_BYTES 256

typedef enum { TPL_LEFT, TPL_CENTER, TPL_RIGHT, TPL_JUSTIFY } tpl_align;

/* Font styles as bits: regular 0, bold 1, italic 2, bold italic 3. */
enum { TPL_BOLD = 1, TPL_ITALIC = 2 };

typedef struct tpl_style {
    const char *name;
    const char *family; /* "Liberation Serif", "PT Serif", "PT Sans" */
    int font_style;     /* TPL_BOLD | TPL_ITALIC */
    double size_pt;
    double leading;   /* baseline distance as a multiple of size (1.0 = single spacing = 1.15 em) */
    double indent_pt; /* first-line indent */
    double margin_left_pt, margin_right_pt;
    double space_before_pt, space_after_pt;
    tpl_align align;
    bool hyphenate;
    bool keep_with_next;      /* headings: never the last thing on a page */
    bool upper;               /* print in capitals */
    double letter_spacing_pt; /* «ПРИКАЗ» set with spaced letters */
    double max_width_pt;      /* 0 = the whole text width (GOST heading lines ≤ 12 cm etc.) */
} tpl_style;

/* Tables. A cell holds paragraphs and list items (label set). */
typedef struct tpl_cpar {
    const char *text;
    const char *label; /* NULL for a paragraph; "–", "1." for list items */
    unsigned level;
    src_mark mark;
} tpl_cpar;

typedef struct tpl_cell {
    tpl_cpar *pars;
    size_t n;
} tpl_cell;

typedef struct tpl_column {
    const char *key, *title;
    const char *parent; /* second header level: neighbours with the same parent share a cell */
    double width_pt;    /* fixed width, or 0 */
    double share;       /* share of the free width, or 0 (automatic) */
    bool numbering;     /* shows item numbers */
    bool group;         /* equal neighbouring values merge into one cell spanning rows */
    tpl_align align;
    double valign;             /* 0 top, 0.5 middle, 1 bottom */
    int hyphenate;             /* -1 as the cell style says, 0 never (names), 1 always */
    src_mark mark, title_mark; /* the column's entry and its title in the data */
} tpl_column;

typedef struct tpl_row {
    bool section;    /* one cell across all columns: cells[0] */
    tpl_cell *cells; /* ncols cells (section rows: 1) */
    src_mark mark;
} tpl_row;

typedef struct tpl_table {
    tpl_column *cols;
    size_t ncols;
    tpl_row *rows;
    size_t nrows;
    const tpl_style *cell, *head, *section;
    bool borders; /* false for the approval boxes */
    bool header;  /* a header row (repeated on every page) */
} tpl_table;

typedef enum {
    TPL_PARA,       /* text */
    TPL_ITEM,       /* list item: label + text; level 0, 1 … */
    TPL_ROW,        /* left text (wraps in left_frac of the width) + right text flush right on
                       the left's last line: dates/numbers, signatures */
    TPL_SPACER,     /* vertical space */
    TPL_PAGE_BREAK, /* start a new page */
    TPL_TABLE,      /* table: rows flow across pages, header repeated */
} tpl_kind;

typedef struct tpl_block {
    tpl_kind kind;
    src_mark mark; /* where the text came from: the data value, else the template */
    const tpl_style *style;
    const char *text;  /* PARA, ITEM: text; ROW: left part */
    const char *label; /* ITEM: "1.", "1.1.", "–" */
    bool hanging;      /* ITEM: label in the indent, text aligned after it */
    unsigned level;    /* ITEM: nesting level */
    const char *right; /* ROW */
    double left_frac;  /* ROW: share of the width the left part may use */
    double height_pt;  /* SPACER */
    /* Lines of the text before that must go with this block to a new page: a
     * signature carries over only with at least 3 lines of text (FACTS.md §1.6). */
    unsigned keep_prev_lines;
    const tpl_table *table; /* TABLE */
} tpl_block;

typedef struct tpl_page {
    double width_pt, height_pt; /* after orientation */
    double margin_top_pt, margin_right_pt, margin_bottom_pt, margin_left_pt;
    unsigned numbers_from; /* first page that shows its number; 0 = none */
    double numbers_top_pt; /* distance of the number's baseline from the top edge */
    const tpl_style *number_style;
} tpl_page;

typedef struct tpl_info {
    const char *title, *author, *subject, *keywords;
    int year, month, day; /* document date (0 = none) */
} tpl_info;

typedef struct tpl_doc {
    tpl_page page;
    tpl_info info;
    tpl_block *blocks;
    size_t n;
    /* private: strings live here and in the template's node tree */
    arena *mem;
    yl_doc *source;
    /* the data tree blocks borrow text from; tpl_doc_take_data hands it over */
    yl_doc *data;
    arena *data_mem;
} tpl_doc;

/* Expand the template file at path with data (the kind's data tree). Messages
 * about the template point into the template file, messages about data into
 * the data files. NULL on errors (all reported). Caller frees with tpl_doc_free. */
tpl_doc *tpl_expand_file(const char *path, const yl_node *data, diag *d);
/* The same with a template already loaded (tests). */
tpl_doc *tpl_expand(const yl_node *tpl, const yl_node *data, diag *d);
void tpl_doc_free(tpl_doc *t);
/* Blocks borrow strings from the data tree: t takes the loaded document and
 * the arena of computed values, freeing them with itself. */
void tpl_doc_take_data(tpl_doc *t, yl_doc *data, arena *data_mem);

/* Filters, public for tests. Each returns a fresh string in a (arena-owned) or
 * NULL with a message in *err (a static Russian text). */
const char *tpl_filter(arena *a, const char *name, const char *value, const char **err);

/* The template a document names (`template:`, or its kind's default):
 * NAME (letters, digits, - and _) is a shipped template,
 * data_dir/templates/NAME.yaml; anything else is a file of the dossier folder,
 * relative to it. Absolute paths and paths that leave the dossier (after
 * symlinks are resolved) are refused with a message at `at`. Returns a fresh
 * path (caller frees) or NULL. --template on the command line skips this. */
char *tpl_locate(const char *name, src_mark at, const char *dossier, const char *data_dir, diag *d);

#endif
