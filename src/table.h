/* table: tables that flow across pages. The element interface the page flow
 * (layout.c) sees: a table block becomes lines of the shared line buffer
 * (para.h), which the flow places; the flow asks for the padding of a cut
 * row and the height of the repeated header, and hands a page's lines back
 * to be drawn. Owns its table_lay records (freed by table_free_all). */
#ifndef NASTAVDOC_TABLE_H
#define NASTAVDOC_TABLE_H

#include "para.h"

/* table.c: turn a table block into vlines (header + rows/bands). */
void table_build(lay *L, const blk_block *b);
/* Padding a line of a table row cut by a page needs above it (when it
 * starts a page) and below it (when it ends one). */
void table_pad(const vline *v, double *top, double *bottom);
/* Height of the repeated header of t (0 without one). */
double table_header_height(const struct table_lay *t);
/* Draw lines [first, end) of one table placed at tops[] on page p; the
 * header first when the page continues the table. */
void table_draw(lay *L, layout_page *p, size_t first, size_t end, const double *tops,
                double header_top);
void table_free_all(lay *L);

#endif
