/* template_annex: the annex mark «Приложение № N к приказу … от … № …»,
 * set at the top right of an annex's first page (GOST R 7.0.97-2016 §5.17:
 * the mark of an annex to an order stands in the top right corner). The
 * lines come from kinds (kind_annex_mark): `annex_mark` of a document that is
 * an annex (printed before the template's blocks, so every kind has it) and
 * `mark` of each annex an order writes out itself. Part of the template stage
 * (template_priv.h). */
#include <string.h>

#include "template_priv.h"

/* The width of the mark: a requisite of the corner layout, whose lines are
 * at most 8 cm long (GOST R 7.0.97-2025; 7.5 cm in the 2016 version). */
#define ANNEX_MARK_WIDTH_MM 80

/* The style the template gives the mark (`annex_mark`), else 12 pt text set
 * flush left without hyphens in the document's font. */
static const blk_style *mark_style(expander *x, const yl_node *blk)
{
    if (blk && yl_map_get(blk, "style"))
        return tpl_block_style(x, blk, "annex_mark");
    const blk_style *st = tpl_find_style(x, "annex_mark");
    if (st)
        return st;
    blk_style *own = arena_alloc(x->mem, sizeof *own);
    *own = *x->base;
    own->name = "annex_mark";
    own->size_pt = 12;
    own->align = BLK_LEFT;
    own->hyphenate = false;
    own->indent_pt = 0;
    return own;
}

void tpl_add_annex_mark(expander *x, const yl_node *blk, const yl_node *lines)
{
    /* kinds builds it as a list of lines; a template may name any text */
    const yl_node *one[1] = {lines};
    const yl_node *const *items =
        lines->kind == YL_SEQ ? (const yl_node *const *)lines->items : one;
    size_t n = lines->kind == YL_SEQ ? lines->n : 1;
    for (size_t i = 0; i < n; i++)
        if (!yl_str(items[i])) {
            diag_error(x->d, items[i]->mark,
                       "annex_mark: ожидались строки отметки о приложении (строка или список "
                       "строк), а здесь %s",
                       yl_kind_name(items[i]->kind));
            x->failed = true;
            return;
        }
    if (n == 0)
        return;
    double width_mm = ANNEX_MARK_WIDTH_MM, num;
    const yl_node *v = blk ? yl_map_get(blk, "width_mm") : NULL;
    if (v && tpl_read_range(x, v, "width_mm", 10, 300, &num))
        width_mm = num;
    blk_table *t = tpl_new_strip(x, blk, 2, lines->mark);
    t->cell = t->head = t->section = mark_style(x, blk);
    t->cols[0].share = 1; /* free space at the left */
    t->cols[1].width_pt = width_mm * MM;
    for (size_t i = 0; i < n; i++)
        tpl_add_cpar(x, &t->rows[0].cells[1], yl_str(items[i]), NULL, 0, items[i]->mark);
    blk_block *b = tpl_add_block(x, BLK_TABLE, lines->mark);
    if (!b)
        return;
    b->as.table = t;
    b->style = t->cell; /* what follows keeps its own space_before */
}

void tpl_block_annex_mark(expander *x, const yl_node *blk, const yl_node *path, const scope *sc)
{
    const yl_node *lines = tpl_lookup_path(x, sc, path);
    if (lines && !yl_is_null(lines))
        tpl_add_annex_mark(x, blk, lines);
}
