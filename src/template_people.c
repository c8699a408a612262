/* template_people: lists of people a document names, for their signatures:
 * «С приказом ознакомлены:» and one line per person with room for the
 * signature and the date (issue 8; the pairs' and the curator's orders use
 * it too). Part of the template stage (template_priv.h). */
#include <string.h>

#include "template_priv.h"

/* What each person signs on: the signature and the date, flush right. */
#define ACQ_SIGN_DEFAULT "________________ «____» ______________ 20____ г."
/* The share of the line the name may take before the signature line. */
#define ACQ_NAME_SHARE 0.45

/* A copy of st that keeps (or not) with the next block: the list is one
 * unit, moved to a new page whole when it does not fit. */
static const blk_style *keeping(expander *x, const blk_style *st, bool keep)
{
    if (st->keep_with_next == keep)
        return st;
    blk_style *own = arena_alloc(x->mem, sizeof *own);
    *own = *st;
    own->keep_with_next = keep;
    return own;
}

/* "Канева О.В." or {name, position}: "Канева О.В., заместитель директора". */
static const char *person_text(expander *x, const yl_node *p)
{
    if (yl_str(p))
        return yl_str(p);
    const char *name = yl_str(yl_map_get(p, "name"));
    const char *pos = yl_str(yl_map_get(p, "position"));
    if (!name)
        return NULL;
    return pos ? arena_printf(x->mem, "%s, %s", name, pos) : name;
}

/* acquaintance: PATH to {title, people: [name | {name, position}]}. */
void tpl_block_acquaintance(expander *x, const yl_node *blk, const yl_node *path, const scope *sc)
{
    const yl_node *acq = tpl_lookup_path(x, sc, path);
    if (!acq || yl_is_null(acq))
        return;
    const yl_node *people = yl_map_get(acq, "people");
    if (acq->kind != YL_MAP || !people || people->kind != YL_SEQ) {
        diag_error(x->d, acq->mark, "acquaintance: ожидался словарь {title, people: […]}");
        x->failed = true;
        return;
    }
    if (people->n == 0)
        return;
    src_mark m = acq->mark;
    const char *sign = ACQ_SIGN_DEFAULT;
    const yl_node *v;
    if ((v = yl_map_get(blk, "sign")) && !(sign = tpl_interpolate(x, sc, v, &m))) {
        x->failed = true;
        return;
    }
    const blk_style *rows = tpl_block_style(x, blk, "body");
    const char *title_style = (v = yl_map_get(blk, "title_style")) ? yl_str(v) : NULL;
    const blk_style *head = title_style ? tpl_find_style(x, title_style) : NULL;
    if (title_style && !head)
        diag_error(x->d, v->mark, "стиль «%s» не описан в styles", title_style);
    const char *title = yl_str(yl_map_get(acq, "title"));
    blk_block *b;
    if (title && (b = tpl_add_block(x, BLK_PARA, yl_map_get(acq, "title")->mark))) {
        b->text = title;
        b->style = keeping(x, head ? head : rows, true);
    }
    for (size_t i = 0; i < people->n; i++) {
        const yl_node *p = people->items[i];
        const char *who = person_text(x, p);
        if (!who) {
            diag_error(x->d, p->mark, "ожидалось ФИО (строка) или словарь {name, position}");
            x->failed = true;
            return;
        }
        if (!(b = tpl_add_block(x, BLK_ROW, p->mark)))
            return;
        b->text = who;
        b->as.row.right = sign;
        b->as.row.left_frac = ACQ_NAME_SHARE;
        b->style = keeping(x, rows, i + 1 < people->n);
    }
}
