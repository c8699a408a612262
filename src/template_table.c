/* template_table: the blocks that become tables: table (columns and rows
 * from the template or the data, sections, item numbers), boxes (approval
 * stamps side by side) and columns (side-by-side blocks). Part of the
 * template stage (template_priv.h). */
#include <string.h>

#include "kinds.h"
#include "template_priv.h"

/* White space between two rows of approval stamps. */
#define STAMP_ROW_GAP_MM 6

/* A cell from data: a string, or a list of strings (paragraphs),
 * {paragraph}, {list: […]}, {numbered: […]}. */
void tpl_cell_from_data(expander *x, const yl_node *v, blk_cell *cell)
{
    if (!v || yl_is_null(v))
        return;
    if (v->kind == YL_SCALAR) {
        tpl_add_cpar(x, cell, v->str, NULL, 0, v->mark);
        return;
    }
    const yl_node *one[1] = {v};
    const yl_node *const *elems = v->kind == YL_SEQ ? (const yl_node *const *)v->items : one;
    size_t n = v->kind == YL_SEQ ? v->n : 1;
    for (size_t i = 0; i < n; i++) {
        const yl_node *e = elems[i], *t;
        /* a heading in a cell is a paragraph there: a cell has one style */
        kind_content kc = kind_content_of(e, &t);
        if ((kc == KC_PARAGRAPH || kc == KC_HEADING) && yl_str(t)) {
            tpl_add_cpar(x, cell, t->str, NULL, 0, t->mark);
        } else if ((kc == KC_LIST || kc == KC_NUMBERED) && t->kind == YL_SEQ) {
            list_spec ls = {"text", "items", kc == KC_NUMBERED, kc == KC_LIST, true, NULL,
                            cell,   NULL};
            size_t counter = 0;
            tpl_add_list_items(x, &ls, t, "", 0, &counter);
        } else {
            diag_error(x->d, e->mark,
                       "ячейка: ожидалась строка, список абзацев или {list: …} / {numbered: …}");
            x->failed = true;
        }
    }
}

const blk_style *tpl_named_style(expander *x, const yl_node *styles, const char *key,
                                 const char *fallback)
{
    const yl_node *v = styles ? yl_map_get(styles, key) : NULL;
    const char *name = v && yl_str(v) ? yl_str(v) : fallback;
    const blk_style *st = tpl_find_style(x, name);
    if (!st && v)
        diag_error(x->d, v->mark, "стиль «%s» не описан в styles", name);
    return st ? st : tpl_find_style(x, "body") ? tpl_find_style(x, "body") : x->base;
}

/* A column's align: left (the default), center or right. */
/* A column's align: left, center or right (no value: left). */
blk_align tpl_column_align(expander *x, const yl_node *v)
{
    int a = v ? tpl_read_choice(x, v, "align", tpl_align_names, 3) : 0;
    return a > 0 ? tpl_align_values[a] : BLK_LEFT;
}

/* A borderless one-row table of ncols empty cells: the frame of approval
 * boxes and template columns. */
blk_table *tpl_new_strip(expander *x, const yl_node *blk, size_t ncols, src_mark mark)
{
    blk_table *t = arena_alloc(x->mem, sizeof *t);
    t->ncols = ncols;
    t->cols = arena_alloc(x->mem, ncols * sizeof *t->cols);
    for (size_t c = 0; c < ncols; c++) {
        t->cols[c].key = t->cols[c].title = "";
        t->cols[c].hyphenate = -1;
    }
    t->rows = arena_alloc(x->mem, sizeof *t->rows);
    t->nrows = 1;
    t->rows[0].cells = arena_alloc(x->mem, ncols * sizeof(blk_cell));
    t->rows[0].mark = mark;
    t->cell = t->head = t->section = tpl_block_style(x, blk, "body");
    return t;
}

void tpl_add_table_block(expander *x, const yl_node *blk, const blk_table *t)
{
    blk_block *b = tpl_add_block(x, BLK_TABLE, blk->mark);
    if (b) {
        b->as.table = t;
        b->style = t->cell;
    }
}

static bool read_column(expander *x, const yl_node *c, blk_column *col)
{
    const yl_node *v;
    if (c->kind != YL_MAP || !(v = yl_map_get(c, "key")) || !yl_str(v)) {
        diag_error(x->d, c->mark, "столбец: ожидался словарь с key и title");
        return false;
    }
    col->key = yl_str(v);
    col->mark = col->title_mark = c->mark;
    col->title = (v = yl_map_get(c, "title")) && yl_str(v) ? yl_str(v) : "";
    if (v)
        col->title_mark = v->mark;
    col->parent = (v = yl_map_get(c, "parent")) && yl_str(v) ? yl_str(v) : NULL;
    double num;
    if ((v = yl_map_get(c, "width_mm")) &&
        tpl_read_range(x, v, "width_mm", 1, TPL_MAX_WIDTH_MM, &num))
        col->width_pt = num * MM;
    if ((v = yl_map_get(c, "width")) && tpl_read_range(x, v, "width", 0.01, TPL_MAX_SHARE, &num))
        col->share = num;
    if ((v = yl_map_get(c, "numbering")))
        tpl_parse_bool(v, &col->numbering);
    if ((v = yl_map_get(c, "group")))
        tpl_parse_bool(v, &col->group);
    col->align = tpl_column_align(x, yl_map_get(c, "align"));
    const char *va = (v = yl_map_get(c, "valign")) ? yl_str(v) : NULL;
    col->valign = va && !strcmp(va, "middle") ? 0.5 : va && !strcmp(va, "bottom") ? 1 : 0;
    bool hy;
    col->hyphenate = (v = yl_map_get(c, "hyphenate")) && tpl_parse_bool(v, &hy) ? hy : -1;
    return true;
}

/* Items without a number get one: "2.3." under section 2 (GOST-style
 * trailing dot), "3." outside sections. */
static const char *item_number(expander *x, const char *section_no, size_t k)
{
    if (!section_no)
        return arena_printf(x->mem, "%zu.", k);
    size_t len = strlen(section_no);
    while (len && section_no[len - 1] == '.')
        len--;
    return arena_printf(x->mem, "%.*s.%zu.", (int)len, section_no, k);
}

void tpl_block_table(expander *x, const yl_node *blk, const yl_node *spec, const scope *sc)
{
    if (spec->kind != YL_MAP) {
        diag_error(x->d, spec->mark, "table: ожидался словарь с columns и rows");
        x->failed = true;
        return;
    }
    const yl_node *cpath = yl_map_get(spec, "columns"), *rpath = yl_map_get(spec, "rows");
    const yl_node *cols = cpath && cpath->kind == YL_SEQ ? cpath
                          : cpath                        ? tpl_lookup_path(x, sc, cpath)
                                                         : NULL;
    const yl_node *rows = rpath && rpath->kind == YL_SEQ ? rpath
                          : rpath                        ? tpl_lookup_path(x, sc, rpath)
                                                         : NULL;
    if (!cols || cols->kind != YL_SEQ || cols->n == 0 || cols->n > TPL_MAX_COLUMNS) {
        diag_error(x->d, cpath ? cpath->mark : spec->mark,
                   "таблица: нужен список столбцов (от 1 до %d)", TPL_MAX_COLUMNS);
        x->failed = true;
        return;
    }
    if (rows && rows->kind != YL_SEQ) {
        diag_error(x->d, rows->mark, "таблица: строки должны быть списком");
        x->failed = true;
        return;
    }
    if (rows && rows->n > TPL_MAX_ROWS) {
        diag_error(x->d, rows->mark, "таблица: больше %d строк", TPL_MAX_ROWS);
        x->failed = true;
        return;
    }
    blk_table *t = arena_alloc(x->mem, sizeof *t);
    t->ncols = cols->n;
    t->cols = arena_alloc(x->mem, t->ncols * sizeof *t->cols);
    for (size_t i = 0; i < cols->n; i++)
        if (!read_column(x, cols->items[i], &t->cols[i])) {
            x->failed = true;
            return;
        }
    const yl_node *styles = yl_map_get(blk, "styles");
    t->cell = tpl_named_style(x, styles, "cell", "cell");
    t->head = tpl_named_style(x, styles, "head", "cell_head");
    t->section = tpl_named_style(x, styles, "section", "cell_section");
    t->borders = true;
    t->header = true;
    const yl_node *v;
    if ((v = yl_map_get(spec, "header")))
        tpl_parse_bool(v, &t->header);
    /* true/false, or a path to one in the data (roadmap.column_numbers) */
    if ((v = yl_map_get(spec, "column_numbers")) && !tpl_parse_bool(v, &t->column_numbers) &&
        yl_str(v) && (v = tpl_resolve(x, sc, yl_str(v), strlen(yl_str(v)))))
        tpl_parse_bool(v, &t->column_numbers);
    size_t nrows = rows ? rows->n : 0;
    t->rows = arena_alloc(x->mem, (nrows ? nrows : 1) * sizeof *t->rows);
    const char *section_no = NULL;
    size_t sections = 0, items = 0;
    for (size_t r = 0; r < nrows; r++) {
        const yl_node *row = rows->items[r];
        blk_row *tr = &t->rows[t->nrows++];
        tr->mark = row->mark;
        if (row->kind != YL_MAP) {
            diag_error(x->d, row->mark, "строка таблицы должна быть словарём «столбец: текст»");
            x->failed = true;
            continue;
        }
        const yl_node *sec = yl_map_get(row, "section");
        if (sec) {
            tr->section = true;
            tr->cells = arena_alloc(x->mem, sizeof *tr->cells);
            const yl_node *num = yl_map_get(row, "number");
            section_no =
                num && yl_str(num) ? yl_str(num) : arena_printf(x->mem, "%zu.", ++sections);
            if (num)
                sections++;
            items = 0;
            if (!yl_str(sec)) {
                diag_error(x->d, sec->mark, "section: ожидался текст раздела");
                x->failed = true;
                continue;
            }
            tpl_add_cpar(x, &tr->cells[0], arena_printf(x->mem, "%s %s", section_no, sec->str),
                         NULL, 0, sec->mark);
            continue;
        }
        tr->cells = arena_alloc(x->mem, t->ncols * sizeof *tr->cells);
        items++;
        for (size_t c = 0; c < t->ncols; c++) {
            const yl_node *val = yl_map_get(row, t->cols[c].key);
            if (t->cols[c].numbering && (!val || yl_is_null(val)))
                tpl_add_cpar(x, &tr->cells[c], item_number(x, section_no, items), NULL, 0,
                             row->mark);
            else
                tpl_cell_from_data(x, val, &tr->cells[c]);
        }
    }
    tpl_add_table_block(x, blk, t);
}

/* The lines of one approval stamp into cell: a list of lines, or one text
 * whose line breaks ('\n', a YAML `|` block) are kept. */
static bool stamp_lines(expander *x, const yl_node *box, blk_cell *cell)
{
    const yl_node *lines = box->kind == YL_MAP ? yl_map_get(box, "lines") : NULL;
    if (lines && yl_str(lines)) {
        tpl_add_cpar(x, cell, yl_str(lines), NULL, 0, lines->mark);
        return true;
    }
    if (!lines || lines->kind != YL_SEQ) {
        diag_error(x->d, box->mark,
                   "блок утверждения: ожидался словарь с lines (строка или список строк)");
        return false;
    }
    for (size_t k = 0; k < lines->n; k++) {
        const yl_node *ln = lines->items[k];
        if (!yl_str(ln)) {
            diag_error(x->d, ln->mark, "строка блока утверждения должна быть текстом");
            return false;
        }
        tpl_add_cpar(x, cell, ln->str, NULL, 0, ln->mark);
    }
    return true;
}

/* One row of stamps boxes[from, from + n) (n is 1 or 2): a borderless
 * one-row table. A single stamp of the document stands at the right (GOST R
 * 7.0.97 §5.17: «УТВЕРЖДАЮ» top right); two go to the edges with free space
 * between; the odd last stamp of a grid stands at the left, under the
 * stamp above it. */
static bool stamp_row(expander *x, const yl_node *blk, const yl_node *boxes, size_t from, size_t n,
                      double width_pt)
{
    bool lone = boxes->n == 1;
    blk_table *t = tpl_new_strip(x, blk, lone ? 2 : 3, boxes->items[from]->mark);
    size_t gap = lone ? 0 : 1;
    for (size_t i = 0, c = from; i < t->ncols; i++) {
        blk_column *col = &t->cols[i];
        if (i == gap) {
            col->share = 1;
            continue;
        }
        col->width_pt = width_pt;
        if (c < from + n && !stamp_lines(x, boxes->items[c++], &t->rows[0].cells[i]))
            return false;
    }
    tpl_add_table_block(x, blk, t);
    return true;
}

/* Approval stamps («СОГЛАСОВАНО», «РАССМОТРЕНО», «ПРИНЯТО», «УТВЕРЖДАЮ»):
 * one or two side by side; three and more wrap into rows of two (a 2×2 grid
 * for four) instead of squeezing their signature lines. */
void tpl_block_boxes(expander *x, const yl_node *blk, const yl_node *path, const scope *sc)
{
    const yl_node *boxes = tpl_lookup_path(x, sc, path);
    if (!boxes || yl_is_null(boxes))
        return;
    if (boxes->kind != YL_SEQ || boxes->n == 0 || boxes->n > TPL_MAX_STAMPS) {
        diag_error(x->d, boxes->mark, "ожидался список из 1–%d блоков с ключом lines",
                   TPL_MAX_STAMPS);
        x->failed = true;
        return;
    }
    double width_mm = 80, num;
    const yl_node *v;
    if ((v = yl_map_get(blk, "width_mm")) && !tpl_read_range(x, v, "width_mm", 10, 300, &num))
        return;
    if (v)
        width_mm = num;
    for (size_t i = 0; i < boxes->n; i += 2) {
        if (i > 0) {
            blk_block *sp = tpl_add_block(x, BLK_SPACER, boxes->items[i]->mark);
            if (sp)
                sp->as.spacer_pt = STAMP_ROW_GAP_MM * MM;
        }
        size_t n = boxes->n - i < 2 ? boxes->n - i : 2;
        if (!stamp_row(x, blk, boxes, i, n, width_mm * MM)) {
            x->failed = true;
            return;
        }
    }
}

/* What a block that a column cannot hold is, for the message. */
static const char *columns_misfit(blk_kind k)
{
    switch (k) {
    case BLK_ROW:
        return "строка или подпись (row, signature)";
    case BLK_TABLE:
        return "таблица";
    case BLK_SPACER:
        return "интервал (spacer)";
    case BLK_PAGE_BREAK:
        return "разрыв страницы";
    case BLK_ESIGN:
        return "подпись с отметкой об электронной подписи (esign)";
    case BLK_QR:
        return "QR-код (qr)";
    case BLK_CHART:
        return "диаграмма (chart)";
    case BLK_QUESTION:
        return "вопрос анкеты (question)";
    case BLK_TOC:
        return "оглавление (toc)";
    case BLK_FILL:
        return "заполнитель (fill)";
    case BLK_PARA:
    case BLK_ITEM:
        break;
    }
    return "этот блок";
}

/* Side-by-side columns written in the template: each column's blocks
 * (paragraphs, lists, each/if around them) become the paragraphs of one cell
 * of a borderless one-row table. */
void tpl_block_columns(expander *x, const yl_node *blk, const yl_node *cols, const scope *sc)
{
    if (cols->kind != YL_SEQ || cols->n == 0 || cols->n > TPL_MAX_COLUMNS) {
        diag_error(x->d, cols->mark, "columns: ожидался список столбцов с blocks");
        x->failed = true;
        return;
    }
    blk_table *t = tpl_new_strip(x, blk, cols->n, cols->mark);
    for (size_t c = 0; c < cols->n; c++) {
        const yl_node *col = cols->items[c], *v;
        blk_column *tc = &t->cols[c];
        double num;
        tc->share = 1;
        if ((v = yl_map_get(col, "width_mm")) &&
            tpl_read_range(x, v, "width_mm", 1, TPL_MAX_WIDTH_MM, &num))
            tc->width_pt = num * MM, tc->share = 0;
        else if (!v && (v = yl_map_get(col, "width")) &&
                 tpl_read_range(x, v, "width", 0.01, TPL_MAX_SHARE, &num))
            tc->share = num;
        tc->align = tpl_column_align(x, yl_map_get(col, "align"));
        size_t n0 = x->n;
        tpl_expand_blocks(x, yl_map_get(col, "blocks"), sc);
        for (size_t i = n0; i < x->n; i++) {
            const blk_block *b = &x->blocks[i];
            if (b->kind == BLK_PARA) {
                tpl_add_cpar(x, &t->rows[0].cells[c], b->text, NULL, 0, b->mark);
            } else if (b->kind == BLK_ITEM) {
                const char *label = *b->as.item.label ? b->as.item.label : NULL;
                tpl_add_cpar(x, &t->rows[0].cells[c], b->text, label, b->as.item.level, b->mark);
            } else {
                /* a cell holds paragraphs and list items only: say so
                 * instead of dropping a signature or a table */
                diag_error(x->d, b->mark,
                           "в columns допустимы только абзацы и списки (paragraph, heading, "
                           "list, content без таблиц, each, if): %s сюда не помещается",
                           columns_misfit(b->kind));
                x->failed = true;
            }
        }
        x->n = n0;
    }
    tpl_add_table_block(x, blk, t);
}
