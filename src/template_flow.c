/* template_flow: the blocks of running text: paragraph, heading, row and
 * signature, spacer, page_break, list, content (the data's own paragraphs,
 * headings, lists and tables), each and if. Part of the template stage
 * (template_priv.h). */
#include <string.h>

#include "kinds.h"
#include "template_priv.h"

void tpl_add_text_block(expander *x, const scope *sc, blk_kind kind, const yl_node *text,
                        const blk_style *style)
{
    src_mark mark;
    const char *s = tpl_interpolate(x, sc, text, &mark);
    if (!s) {
        x->failed = true;
        return;
    }
    blk_block *b = tpl_add_block(x, kind, mark);
    if (!b)
        return;
    b->text = s;
    b->style = style;
}

/* Truthiness for `if`: present, not null, not empty, not false. */
bool tpl_truthy(const yl_node *v)
{
    if (!v || yl_is_null(v))
        return false;
    if (v->kind == YL_SCALAR)
        return v->len && !(v->plain && (!strcmp(v->str, "false") || !strcmp(v->str, "no")));
    return v->n > 0;
}

const yl_node *tpl_lookup_path(expander *x, const scope *sc, const yl_node *path)
{
    const char *p = yl_str(path);
    if (!p) {
        diag_error(x->d, path->mark, "ожидался путь к данным, например order.points");
        x->failed = true;
        return NULL;
    }
    return tpl_resolve(x, sc, p, path->len);
}

/* Cells grow geometrically: capacity is the next power of two of n, so a
 * cell of 10,000 paragraphs copies each about once, not 10,000 times. */
void tpl_add_cpar(expander *x, blk_cell *cell, const char *text, const char *label, unsigned level,
                  src_mark mark)
{
    if (cell->n == 0 || (cell->n & (cell->n - 1)) == 0) {
        blk_par *pars = arena_alloc(x->mem, (cell->n ? 2 * cell->n : 1) * sizeof *pars);
        if (cell->n)
            memcpy(pars, cell->pars, cell->n * sizeof *pars);
        cell->pars = pars;
    }
    cell->pars[cell->n++] = (blk_par){text, label, level, mark};
}

/* Letters of lettered lists: the Russian alphabet without ё, з, й, о, ч, ъ,
 * ы, ь (GOST 2.105-2019 §6.3.6, lists «а)», «б)» …); after «я)» come «аа)»,
 * «аб)» …. */
static const char *const list_letters[] = {"а", "б", "в", "г", "д", "е", "ж", "и", "к",
                                           "л", "м", "н", "п", "р", "с", "т", "у", "ф",
                                           "х", "ц", "ш", "щ", "э", "ю", "я"};
enum { NLETTERS = sizeof list_letters / sizeof *list_letters };

static const char *letter_label(expander *x, size_t k)
{
    char tmp[64] = "";
    size_t len = 0;
    /* bijective base NLETTERS, most significant letter first */
    const char *digits[16];
    size_t n = 0;
    for (; k > 0 && n < 16; k = (k - 1) / NLETTERS)
        digits[n++] = list_letters[(k - 1) % NLETTERS];
    while (n > 0)
        len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%s", digits[--n]);
    return arena_printf(x->mem, "%s)", tmp);
}

/* The label of item number k at a level numbered `style` (see list_spec);
 * prefix is the parent's label, which decimal numbers continue (2.1.). */
static const char *item_label(expander *x, const list_spec *ls, const char *prefix, size_t k)
{
    const char *st = ls->numbering;
    if (!st)
        return ls->decimal ? arena_printf(x->mem, "%s%zu.", prefix, k) : ls->dash ? "–" : "";
    if (!strcmp(st, "1.")) {
        size_t n = strlen(prefix);
        bool decimal_parent = n && prefix[n - 1] == '.';
        return arena_printf(x->mem, "%s%zu.", decimal_parent ? prefix : "", k);
    }
    if (!strcmp(st, "1)"))
        return arena_printf(x->mem, "%zu)", k);
    if (!strcmp(st, "а)"))
        return letter_label(x, k);
    if (!strcmp(st, "–") || !strcmp(st, "-"))
        return "–";
    return "";
}

/* One list item (or a paragraph of it, label "") as a block or a cell's par. */
static bool add_item(expander *x, const list_spec *ls, const char *text, const char *label,
                     unsigned level, src_mark mark)
{
    if (ls->cell) {
        tpl_add_cpar(x, ls->cell, text, label, level, mark);
        return true;
    }
    blk_block *b = tpl_add_block(x, BLK_ITEM, mark);
    if (!b)
        return false;
    b->text = text; /* data text: never interpolated */
    b->as.item.label = label;
    b->as.item.level = level;
    b->as.item.hanging = ls->hanging;
    b->style = ls->style;
    return true;
}

/* The paragraphs of a point without their own number (its continuation):
 * set like the point, after its text. */
static bool add_item_paragraphs(expander *x, const list_spec *ls, const yl_node *pars,
                                unsigned level)
{
    if (!pars || yl_is_null(pars))
        return true;
    size_t n = pars->kind == YL_SEQ ? pars->n : 1;
    for (size_t i = 0; i < n; i++) {
        const yl_node *p = pars->kind == YL_SEQ ? pars->items[i] : pars;
        if (!yl_str(p)) {
            diag_error(x->d, p->mark, "paragraphs: ожидалась строка или список строк");
            x->failed = true;
            return false;
        }
        if (!add_item(x, ls, yl_str(p), "", level, p->mark))
            return false;
    }
    return true;
}

/* The sub-items of an item labelled `label`: numbered as its `numbering`
 * says, else as this level. */
static void add_children(expander *x, const list_spec *ls, const yl_node *it,
                         const yl_node *children, const char *label, unsigned level)
{
    if (children && children->kind == YL_SEQ) {
        list_spec sub_ls = *ls;
        const yl_node *num = it->kind == YL_MAP ? yl_map_get(it, "numbering") : NULL;
        if (num && yl_str(num))
            sub_ls.numbering = yl_str(num);
        size_t sub = 0;
        tpl_add_list_items(x, &sub_ls, children, label, level + 1, &sub);
    } else if (children && !yl_is_null(children)) {
        diag_error(x->d, children->mark, "«%s»: ожидался список подпунктов", ls->children_key);
        x->failed = true;
    }
}

void tpl_add_list_items(expander *x, const list_spec *ls, const yl_node *items, const char *prefix,
                        unsigned level, size_t *counter)
{
    if (level >= YL_MAX_DEPTH)
        return;
    for (size_t i = 0; i < items->n; i++) {
        const yl_node *it = items->items[i];
        const yl_node *text = it, *children = NULL;
        if (it->kind == YL_MAP) {
            text = yl_map_get(it, ls->text_key);
            children = yl_map_get(it, ls->children_key);
            if (!text) {
                diag_error(x->d, it->mark, "у пункта нет текста (ключ «%s»)", ls->text_key);
                x->failed = true;
                continue;
            }
        } else if (it->kind != YL_SCALAR) {
            diag_error(x->d, it->mark, "пункт списка должен быть строкой или словарём");
            x->failed = true;
            continue;
        }
        if (text->kind != YL_SCALAR) {
            diag_error(x->d, text->mark, "текст пункта должен быть строкой");
            x->failed = true;
            continue;
        }
        const char *label = item_label(x, ls, prefix, ++*counter);
        if (!add_item(x, ls, text->str, label, level, text->mark))
            return;
        if (it->kind == YL_MAP && !add_item_paragraphs(x, ls, yl_map_get(it, "paragraphs"), level))
            return;
        add_children(x, ls, it, children, label, level);
    }
}

/* A list block's `numbering`: decimal, dash or none, or a label style of
 * the data's ("1)", "а)" …), also through a hole: "{{order.numbering}}". */
static bool list_numbering(expander *x, const scope *sc, const yl_node *v, list_spec *ls)
{
    static const char *const numberings[] = {"decimal", "dash", "none", "1.", "1)", "а)", "–"};
    enum { N = sizeof numberings / sizeof *numberings };
    src_mark m;
    const char *s = yl_str(v) && strstr(yl_str(v), "{{") ? tpl_interpolate(x, sc, v, &m) : NULL;
    if (yl_str(v) && strstr(yl_str(v), "{{") && !s) {
        x->failed = true;
        return false;
    }
    if (s && !strcmp(s, "-"))
        s = "–"; /* the data may write the dash as a hyphen */
    yl_node value = s ? (yl_node){.kind = YL_SCALAR, .mark = m, .str = s, .len = strlen(s)} : *v;
    int k = tpl_read_choice(x, &value, "numbering", numberings, N);
    if (k < 0)
        return true; /* reported; the expansion goes on for the other messages */
    ls->decimal = k == 0;
    ls->dash = k == 1;
    ls->numbering = k >= 3 ? numberings[k] : NULL;
    return true;
}

void tpl_block_list(expander *x, const yl_node *blk, const yl_node *spec, const scope *sc)
{
    if (spec->kind != YL_MAP) {
        diag_error(x->d, spec->mark, "list: ожидался словарь с ключом items");
        x->failed = true;
        return;
    }
    list_spec ls = {"text", "points", true, false, false, tpl_block_style(x, blk, "body"),
                    NULL,   NULL};
    const yl_node *v;
    if ((v = yl_map_get(spec, "text")) && yl_str(v))
        ls.text_key = yl_str(v);
    if ((v = yl_map_get(spec, "children")) && yl_str(v))
        ls.children_key = yl_str(v);
    if ((v = yl_map_get(spec, "numbering")) && !list_numbering(x, sc, v, &ls))
        return;
    if ((v = yl_map_get(spec, "hanging")))
        tpl_parse_bool(v, &ls.hanging);
    const yl_node *items = yl_map_get(spec, "items");
    if (!items) {
        diag_error(x->d, spec->mark, "list: нет ключа items");
        x->failed = true;
        return;
    }
    /* items: one path or a list of paths; a path to a string adds one item
     * (the control point of an order follows its points). */
    size_t nitems = items->kind == YL_SEQ ? items->n : 1;
    size_t counter = 0;
    for (size_t i = 0; i < nitems; i++) {
        const yl_node *path = items->kind == YL_SEQ ? items->items[i] : items;
        const yl_node *data = tpl_lookup_path(x, sc, path);
        if (!data || yl_is_null(data))
            continue;
        if (data->kind == YL_SEQ) {
            tpl_add_list_items(x, &ls, data, "", 0, &counter);
        } else {
            yl_node one = {.kind = YL_SEQ, .mark = data->mark, .n = 1};
            yl_node *arr[1] = {(yl_node *)data};
            one.items = arr;
            tpl_add_list_items(x, &ls, &one, "", 0, &counter);
        }
    }
}

/* Content blocks of the data: a string is a paragraph, {heading: …},
 * {paragraph: …}, {list: […]} (dashes), {numbered: […]}. */
void tpl_block_content(expander *x, const yl_node *blk, const yl_node *path, const scope *sc)
{
    const yl_node *data = tpl_lookup_path(x, sc, path);
    if (!data || yl_is_null(data))
        return;
    const yl_node *styles = yl_map_get(blk, "styles");
    const char *ps = "body", *hs = "heading", *ls_name = "body";
    const yl_node *v;
    if (styles && (v = yl_map_get(styles, "paragraph")) && yl_str(v))
        ps = yl_str(v);
    if (styles && (v = yl_map_get(styles, "heading")) && yl_str(v))
        hs = yl_str(v);
    if (styles && (v = yl_map_get(styles, "list")) && yl_str(v))
        ls_name = yl_str(v);
    const blk_style *para = tpl_find_style(x, ps) ? tpl_find_style(x, ps) : x->base;
    const blk_style *head = tpl_find_style(x, hs) ? tpl_find_style(x, hs) : para;
    const blk_style *lst = tpl_find_style(x, ls_name) ? tpl_find_style(x, ls_name) : para;
    if (data->kind == YL_SCALAR) {
        blk_block *b = tpl_add_block(x, BLK_PARA, data->mark);
        if (b)
            b->text = data->str, b->style = para;
        return;
    }
    if (data->kind != YL_SEQ) {
        diag_error(x->d, data->mark, "ожидался список абзацев, заголовков и списков");
        x->failed = true;
        return;
    }
    for (size_t i = 0; i < data->n; i++) {
        const yl_node *it = data->items[i], *t;
        kind_content kc = kind_content_of(it, &t);
        if ((kc == KC_PARAGRAPH || kc == KC_HEADING) && yl_str(t)) {
            blk_block *b = tpl_add_block(x, BLK_PARA, t->mark);
            if (b)
                b->text = t->str, b->style = kc == KC_HEADING ? head : para;
        } else if ((kc == KC_LIST || kc == KC_NUMBERED) && t->kind == YL_SEQ) {
            list_spec spec = {"text", "items", kc == KC_NUMBERED, kc == KC_LIST, false, lst,
                              NULL,   NULL};
            size_t counter = 0;
            tpl_add_list_items(x, &spec, t, "", 0, &counter);
        } else if (kc == KC_TABLE) {
            /* a table among the text: an order's annex listing pairs or events */
            tpl_block_table(x, blk, t, sc);
        } else {
            diag_error(x->d, it->mark,
                       "элемент текста: ожидалась строка (абзац) или словарь с одним ключом "
                       "heading, paragraph, list, numbered или table");
            x->failed = true;
        }
    }
}

void tpl_block_paragraph(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    tpl_add_text_block(x, sc, BLK_PARA, v, tpl_block_style(x, blk, "body"));
}

void tpl_block_heading(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    tpl_add_text_block(x, sc, BLK_PARA, v, tpl_block_style(x, blk, "heading"));
}

/* row: {left, right} and signature: {position, name}: text on the left, text
 * flush right on the left part's last line. */
void tpl_block_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    tpl_add_row(x, blk, v, sc, yl_map_get(blk, "signature") != NULL);
}

void tpl_add_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc, bool sig)
{
    const yl_node *l = yl_map_get(v, sig ? "position" : "left");
    const yl_node *r = yl_map_get(v, sig ? "name" : "right");
    src_mark lm = blk->mark, rm;
    const char *ls = l ? tpl_interpolate(x, sc, l, &lm) : "";
    const char *rs = r ? tpl_interpolate(x, sc, r, &rm) : "";
    if (!ls || !rs) {
        x->failed = true;
        return;
    }
    blk_block *b = tpl_add_block(x, BLK_ROW, lm);
    if (!b)
        return;
    b->text = ls;
    b->as.row.right = rs;
    b->style = tpl_block_style(x, blk, sig ? "signature" : "body");
    b->as.row.left_frac = sig ? 0.6 : 0.5;
    const yl_node *w = yl_map_get(v, "left_width");
    double frac;
    if (w && tpl_read_range(x, w, "left_width", 0.05, 0.95, &frac))
        b->as.row.left_frac = frac;
    if (sig)
        b->keep_prev_lines = 3;
}

void tpl_block_spacer(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    (void)sc;
    double mm;
    if (!tpl_read_range(x, v, "spacer", 0, 300, &mm))
        return;
    blk_block *b = tpl_add_block(x, BLK_SPACER, blk->mark);
    if (b)
        b->as.spacer_pt = mm * MM;
}

void tpl_block_page_break(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    (void)v, (void)sc;
    tpl_add_block(x, BLK_PAGE_BREAK, blk->mark);
}

void tpl_block_each(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *data = tpl_lookup_path(x, sc, v);
    const yl_node *as = yl_map_get(blk, "as");
    const yl_node *body = yl_map_get(blk, "blocks");
    if (!data || yl_is_null(data))
        return;
    scope inner = {as && yl_str(as) ? yl_str(as) : "item", data, sc};
    if (data->kind != YL_SEQ) {
        tpl_expand_blocks(x, body, &inner); /* one value: one pass */
        return;
    }
    for (size_t i = 0; i < data->n && !x->failed && tpl_charge(x, 1, blk->mark); i++) {
        inner.node = data->items[i];
        tpl_expand_blocks(x, body, &inner);
    }
}

void tpl_block_if(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *data = tpl_lookup_path(x, sc, v);
    tpl_expand_blocks(x, yl_map_get(blk, tpl_truthy(data) ? "blocks" : "else"), sc);
}
