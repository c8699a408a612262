/* dump: see dump.h. */
#include "dump.h"

#include <string.h>

/* One text per line: newlines inside a value become spaces. */
static void put_line(buf *out, const char *prefix, const char *s)
{
    if (!s || !*s)
        return;
    if (prefix && *prefix) {
        buf_puts(out, prefix);
        if (prefix[strlen(prefix) - 1] != '\t')
            buf_putc(out, ' ');
    }
    for (const char *p = s; *p; p++)
        buf_putc(out, *p == '\n' ? ' ' : *p);
    buf_putc(out, '\n');
}

/* Header cells are marked with a tab-separated "header" prefix: they are
 * repeated on every page the table continues on. */
static void dump_table(const blk_table *t, buf *out)
{
    for (size_t c = 0; c < t->ncols && t->header; c++) {
        if (t->cols[c].parent &&
            (c == 0 || !t->cols[c - 1].parent || strcmp(t->cols[c - 1].parent, t->cols[c].parent)))
            put_line(out, "header\t", t->cols[c].parent);
        put_line(out, "header\t", t->cols[c].title);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        const blk_row *row = &t->rows[r];
        size_t ncells = row->section ? 1 : t->ncols;
        for (size_t c = 0; c < ncells; c++)
            for (size_t i = 0; i < row->cells[c].n; i++) {
                const blk_par *p = &row->cells[c].pars[i];
                put_line(out, p->label, p->text);
            }
    }
}

void dump_texts(const blk_doc *t, buf *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const blk_block *b = &t->blocks[i];
        switch (b->kind) {
        case BLK_PARA:
            put_line(out, NULL, b->text);
            break;
        case BLK_ITEM:
            put_line(out, b->as.item.label, b->text);
            break;
        case BLK_ROW:
            put_line(out, NULL, b->text);
            put_line(out, NULL, b->as.row.right);
            break;
        case BLK_TABLE:
            dump_table(b->as.table, out);
            break;
        case BLK_SPACER:
        case BLK_PAGE_BREAK:
        case BLK_FILL:
            break;
        case BLK_TOC:
            for (size_t k = 0; k < t->n; k++)
                if (t->blocks[k].toc_level)
                    put_line(out, NULL,
                             t->blocks[k].toc_text ? t->blocks[k].toc_text : t->blocks[k].text);
            break;
        case BLK_CHART:
            break; /* numbers drawn one by one: the tables beside the chart hold them */
        case BLK_QUESTION:
            if (b->as.question.answer->kind != BLK_ANSWER_FILL)
                put_line(out, b->as.question.label, b->text);
            break;
        case BLK_ESIGN:
            put_line(out, NULL, b->text);
            for (size_t k = 0; k < BLK_ESIGN_LINES; k++)
                put_line(out, NULL, b->as.esign->lines[k]);
            put_line(out, NULL, b->as.esign->name);
            break;
        case BLK_QR:
            break; /* modules, not text: tests/run.sh decodes them with zbarimg */
        }
    }
}
