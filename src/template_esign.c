/* template_esign: the blocks of a document signed with an electronic
 * signature (docs/esign.md):
 *
 *   esign: {position: TEXT, name: TEXT, mark: PATH, left_width}  [style, mark_style]
 *     The signature row with the mark of an electronic signature (GOST R
 *     7.0.97-2016/2025) where the handwritten signature would be: the
 *     position on the left, the framed mark «ДОКУМЕНТ ПОДПИСАН / ЭЛЕКТРОННОЙ
 *     ПОДПИСЬЮ», «Сертификат: …», «Владелец: …», «Действителен: с … по …»
 *     in the middle, «И.О. Фамилия» flush right. mark names the data's
 *     {certificate, owner, valid_from, valid_to} (kinds/esign.c); when it
 *     names nothing the block is the plain `signature` row, so one template
 *     serves documents signed on paper and electronically. mark_style: the
 *     mark's text (default: the row's font at ESIGN_MARK_PT).
 *   qr: TEXT
 *     The document's QR code (requisite 31 of the 2025 revision), drawn
 *     bottom right on the first page; an empty text draws none. */
#include <string.h>

#include "date.h"
#include "qrcode.h"
#include "template_priv.h"

/* The mark's text size: small, as the stamps of document systems print it,
 * and still legible on a printout (8–10 pt). */
#define ESIGN_MARK_PT 9

/* A copy of st in x's arena for the mark: no indent or spacing, left. */
static const blk_style *mark_style(expander *x, const blk_style *st, double size, bool bold)
{
    blk_style *m = arena_alloc(x->mem, sizeof *m);
    *m = *st;
    if (size > 0)
        m->size_pt = size;
    if (bold)
        m->font_style |= BLK_BOLD;
    m->indent_pt = m->margin_left_pt = m->margin_right_pt = 0;
    m->space_before_pt = m->space_after_pt = 0;
    m->max_width_pt = m->letter_spacing_pt = 0;
    m->align = BLK_LEFT;
    m->hyphenate = false;
    m->upper = false;
    m->keep_with_next = false;
    m->leading = 1.0;
    return m;
}

/* «ДД.ММ.ГГГГ» of the date at key of e, or NULL after an error at at. */
static const char *mark_date(expander *x, const yl_node *e, const char *key, src_mark at)
{
    int y, m, d;
    const char *s = yl_str(yl_map_get(e, key));
    if (!s || !date_parse(s, &y, &m, &d)) {
        diag_error(x->d, at, "esign: в отметке об ЭП нет даты %s (ГГГГ-ММ-ДД)", key);
        x->failed = true;
        return NULL;
    }
    return arena_printf(x->mem, "%02d.%02d.%04d", d, m, y);
}

/* The mark's lines from the data e = {certificate, owner, valid_from,
 * valid_to}; false after an error at `at` (the template's mark). */
static bool mark_lines(expander *x, const yl_node *e, src_mark at, blk_esign *es)
{
    const char *cert = yl_str(yl_map_get(e, "certificate"));
    const char *owner = yl_str(yl_map_get(e, "owner"));
    if (e->kind != YL_MAP || !cert || !owner) {
        diag_error(x->d, at,
                   "esign: mark должен указывать на данные отметки об ЭП {certificate, owner, "
                   "valid_from, valid_to}, например order.signature.esign");
        x->failed = true;
        return false;
    }
    const char *from = mark_date(x, e, "valid_from", at);
    const char *to = from ? mark_date(x, e, "valid_to", at) : NULL;
    if (!to)
        return false;
    es->lines[0] = "ДОКУМЕНТ ПОДПИСАН";
    es->lines[1] = "ЭЛЕКТРОННОЙ ПОДПИСЬЮ";
    es->lines[2] = arena_printf(x->mem, "Сертификат: %s", cert);
    es->lines[BLK_ESIGN_OWNER] = arena_printf(x->mem, "Владелец: %s", owner);
    es->lines[4] = arena_printf(x->mem, "Действителен: с %s по %s", from, to);
    /* a message about a line (a character not in the font, a mark taller
     * than the page) points at the value it shows; the heading at mark: */
    es->marks[0] = es->marks[1] = at;
    es->marks[2] = yl_map_get(e, "certificate")->mark;
    es->marks[BLK_ESIGN_OWNER] = yl_map_get(e, "owner")->mark;
    es->marks[4] = yl_map_get(e, "valid_from")->mark;
    return true;
}

void tpl_block_esign(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *path = yl_map_get(v, "mark");
    const yl_node *e = path ? tpl_lookup_path(x, sc, path) : NULL;
    if (!e || yl_is_null(e)) {
        tpl_add_row(x, blk, v, sc, true); /* signed on paper: the signature row */
        return;
    }
    blk_esign *es = arena_alloc(x->mem, sizeof *es);
    memset(es, 0, sizeof *es);
    if (!mark_lines(x, e, path->mark, es))
        return;
    const yl_node *p = yl_map_get(v, "position"), *n = yl_map_get(v, "name");
    src_mark pm = blk->mark, nm = blk->mark;
    const char *ps = p ? tpl_interpolate(x, sc, p, &pm) : "";
    const char *ns = n ? tpl_interpolate(x, sc, n, &nm) : "";
    es->name_mark = nm;
    if (!ps || !ns) {
        x->failed = true;
        return;
    }
    const blk_style *row = tpl_block_style(x, blk, "signature");
    const yl_node *ms = yl_map_get(blk, "mark_style");
    const blk_style *named = ms && yl_str(ms) ? tpl_find_style(x, yl_str(ms)) : NULL;
    es->mark = mark_style(x, named ? named : row, named ? 0 : ESIGN_MARK_PT, false);
    es->head = mark_style(x, es->mark, 0, true);
    es->name = ns;
    es->left_frac = 0.35;
    const yl_node *w = yl_map_get(v, "left_width");
    double frac;
    if (w && tpl_read_range(x, w, "left_width", 0.05, 0.6, &frac))
        es->left_frac = frac;
    blk_block *b = tpl_add_block(x, BLK_ESIGN, pm);
    if (!b)
        return;
    b->style = row;
    b->text = ps;
    b->as.esign = es;
    b->keep_prev_lines = 3; /* as the signature row: docs/typesetting.md §1.5 */
}

void tpl_block_qr(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    src_mark at = blk->mark;
    const char *text = tpl_interpolate(x, sc, v, &at);
    if (!text) {
        x->failed = true;
        return;
    }
    if (!*text)
        return; /* the document has no QR code */
    qrcode q;
    if (!qrcode_make(text, strlen(text), at, x->mem, x->d, &q)) {
        x->failed = true;
        return;
    }
    blk_qr *qr = arena_alloc(x->mem, sizeof *qr);
    *qr = (blk_qr){q.dark, q.size};
    blk_block *b = tpl_add_block(x, BLK_QR, at);
    if (b) {
        b->as.qr = qr;
        b->text = text; /* for dump */
    }
}
