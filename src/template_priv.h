/* template_priv: what the files of the template stage share and nothing else
 * sees. template.c holds the expander (interpolation, styles, the page, the
 * block table `block_defs`, the checks and the entry points); each
 * template_<topic>.c holds the functions of some blocks. A new block is one
 * tpl_block_<name> function in a template_<topic>.c, declared here, and one
 * row of block_defs (docs/ARCHITECTURE.md §7). Included only by
 * template*.c. */
#ifndef NASTAVDOC_TEMPLATE_PRIV_H
#define NASTAVDOC_TEMPLATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "block.h"
#include "diag.h"
#include "strtab.h"
#include "template.h"
#include "util.h"
#include "yaml_load.h"

#define MM (72.0 / 25.4)

/* Names bound by enclosing `each` blocks, innermost first. */
typedef struct scope {
    const char *name;
    const yl_node *node;
    const struct scope *up;
} scope;

/* One expansion: the data, the styles, the blocks made so far, the work budget. */
typedef struct expander {
    arena *mem;
    diag *d;
    const yl_node *data;
    /* the styles by name (their blk_style): a block's style was found by
     * walking the list, 64,000 styles and blocks took 20 s */
    strtab styles;
    blk_style *base; /* defaults: page font and size */
    blk_block *blocks;
    size_t n, cap;
    size_t produced;      /* blocks made so far, also those folded into columns */
    size_t steps, budget; /* work done and allowed: see TPL_STEP_FACTOR */
    bool failed;
    struct names_rules *names; /* rules of the dative and genitive filters: loaded on use */
    bool names_failed;
} expander;

/* How data items become list items: blocks (cell NULL) or a cell's pars.
 * numbering, when set, is the label style of this level ("1.", "1)", "а)",
 * "–", "none": kind_numberings) instead of decimal/dash; an item's own
 * `numbering` sets its sub-items', and its `paragraphs` follow its text
 * without a number. */
typedef struct list_spec {
    const char *text_key, *children_key;
    bool decimal, dash, hanging;
    const blk_style *style;
    blk_cell *cell;
    const char *numbering;
} list_spec;

/* ---- template.c: values, text, styles, blocks ---- */

/* A plain number or a boolean (true/yes/да, false/no/нет) at n. */
bool tpl_parse_number(const yl_node *n, double *out);
bool tpl_parse_bool(const yl_node *n, bool *out);
/* Charge n units of work; false (once reported) when the budget is spent. */
bool tpl_charge(expander *x, size_t n, src_mark mark);
/* A number in [lo, hi] at v, or an error naming the range at v's place. */
bool tpl_read_range(expander *x, const yl_node *v, const char *key, double lo, double hi,
                    double *out);
/* v as one of choices[0..n): its index, or -1 after a message at v. */
int tpl_read_choice(expander *x, const yl_node *v, const char *key, const char *const *choices,
                    size_t n);
extern const char *const tpl_align_names[4]; /* left center right justify */
extern const blk_align tpl_align_values[4];
/* A new block of kind at mark with the base style; NULL (reported once) past
 * TPL_MAX_BLOCKS. */
blk_block *tpl_add_block(expander *x, blk_kind kind, src_mark mark);
/* The data node at a dotted path: names bound by `each` first, then the data. */
const yl_node *tpl_resolve(const expander *x, const scope *sc, const char *path, size_t len);
/* Expand the {{…}} holes of the template text t; *mark becomes the mark of
 * the first data value used. NULL after an error. */
const char *tpl_interpolate(expander *x, const scope *sc, const yl_node *t, src_mark *mark);
const blk_style *tpl_find_style(const expander *x, const char *name);
/* The style a block's `style:` names, else fallback, else the base style. */
const blk_style *tpl_block_style(expander *x, const yl_node *blk, const char *fallback);
size_t tpl_count_keys(const char *const *keys); /* a NULL-terminated list */
bool tpl_has_key(const char *const *keys, size_t n, const char *key);
/* Every key of map must be one of keys[0..n): each stray one is an error. */
void tpl_check_keys(expander *x, const yl_node *map, const char *const *keys, size_t n,
                    const char *where);
void tpl_expand_blocks(expander *x, const yl_node *list, const scope *sc);
/* The holes of a template text: closed, and every filter known (reported). */
void tpl_check_text(expander *x, const yl_node *t);

/* ---- template_flow.c: text, lists, data content, each, if ---- */

void tpl_add_text_block(expander *x, const scope *sc, blk_kind kind, const yl_node *text,
                        const blk_style *style);
/* A row block from v: {left, right}, or {position, name} when sig (the
 * signature row: its style, share and the three lines it keeps). */
void tpl_add_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc, bool sig);
bool tpl_truthy(const yl_node *v); /* present, not null, not empty, not false */
const yl_node *tpl_lookup_path(expander *x, const scope *sc, const yl_node *path);
void tpl_add_cpar(expander *x, blk_cell *cell, const char *text, const char *label, unsigned level,
                  src_mark mark);
void tpl_add_list_items(expander *x, const list_spec *ls, const yl_node *items, const char *prefix,
                        unsigned level, size_t *counter);

/* ---- template_table.c: tables, stamps, side-by-side columns ---- */

void tpl_cell_from_data(expander *x, const yl_node *v, blk_cell *cell);
const blk_style *tpl_named_style(expander *x, const yl_node *styles, const char *key,
                                 const char *fallback);
blk_align tpl_column_align(expander *x, const yl_node *v);
blk_table *tpl_new_strip(expander *x, const yl_node *blk, size_t ncols, src_mark mark);
void tpl_add_table_block(expander *x, const yl_node *blk, const blk_table *t);

/* ---- template_annex.c: the annex mark ---- */

/* The mark «Приложение № N к приказу …» (lines: a list of strings) at the
 * top right; blk (may be NULL) gives style and width_mm. */
void tpl_add_annex_mark(expander *x, const yl_node *blk, const yl_node *lines);

/* ---- the blocks: blk is the block's map, v the value of its key ---- */

typedef void (*tpl_block_fn)(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);

void tpl_block_paragraph(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_heading(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_spacer(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_page_break(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_list(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_content(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_each(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_if(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_table(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_boxes(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_columns(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_annex_mark(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_acquaintance(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);

/* ---- template_text.c: long texts and agreements ---- */

void tpl_block_clauses(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_toc(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_annexes(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_parties(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_fill(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_stamp_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
/* Before expansion: the template texts inside a block of template_text.c
 * (key: the block's key; other keys are left alone). */
void tpl_text_check(expander *x, const char *key, const yl_node *v);

/* ---- template_survey.c: questionnaires and charts ---- */

void tpl_block_question(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_chart(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);

/* ---- template_esign.c: the mark of an electronic signature, the QR code ---- */

void tpl_block_esign(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);
void tpl_block_qr(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);

#endif
