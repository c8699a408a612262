/* kinds/order: the order (приказ), GOST R 7.0.97-2016/2025 §5 requisites:
 * organisation, document type, date, number, place, heading, text, points,
 * signature, annexes. Computes the defaults the template relies on: the
 * place (school.city) and the signature (the director, kinds/esign.c), the
 * QR code, the annexes' numbers
 * and marks, and the list of annexes that are documents of their own. */
#include "../kinds.h"

#include <string.h>

static const kind_field annex_fields[] = {
    {"title", KS_LINES, false, "заголовок приложения", NULL, NULL},
    {"body", KS_CONTENT, false, "текст приложения", NULL, NULL},
    {"document", KS_STRING, false, "файл документа досье, который печатается как приложение", NULL,
     NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field annex_item = {"annex", KS_MAP, false, "приложение", annex_fields, NULL};

static const kind_field order_fields[] = {
    {"number", KS_STRING, true, "номер приказа", NULL, NULL},
    {"date", KS_DATE, true, "дата приказа", NULL, NULL},
    {"place", KS_STRING, false, "место составления", NULL, NULL},
    {"title", KS_LINES, true, "заголовок «О …»", NULL, NULL},
    {"preamble", KS_TEXT, false, "преамбула", NULL, NULL},
    {"directive", KS_STRING, false, "слово «ПРИКАЗЫВАЮ:»", NULL, NULL},
    {"points", KS_POINTS, true, "пункты приказа", NULL, NULL},
    {"numbering", KS_STRING, false, "нумерация пунктов: 1. (по умолчанию), 1) или а)", NULL, NULL},
    {"control", KS_STRING, false, "пункт о контроле", NULL, NULL},
    {"signature", KS_MAP, false, "подпись", kind_signature_fields, NULL},
    {"annexes", KS_SEQ, false, "приложения", NULL, &annex_item},
    {"acquainted", KS_PEOPLE, false, "с приказом ознакомлены: ФИО или {name, position}", NULL,
     NULL},
    {"acquaintance", KS_STRING, false, "заголовок листа ознакомления", NULL, NULL},
    KIND_QR_FIELD,
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {{"school", KS_MAP, true,
                                          "реквизиты организации (обычно из school.yaml)",
                                          kind_school_fields, NULL},
                                         {"order", KS_MAP, true, "приказ", order_fields, NULL},
                                         {NULL, 0, false, NULL, NULL, NULL}};

/* {annex: N, number, date, org}: what an annex's mark says about this order. */
static const yl_node *annex_of(arena *a, const yl_node *order, const yl_node *school, size_t no,
                               src_mark at)
{
    yl_node *m = arena_alloc(a, sizeof *m);
    *m = (yl_node){.kind = YL_MAP, .mark = at};
    char num[24];
    snprintf(num, sizeof num, "%zu", no);
    const yl_node *r = kind_map_set(a, m, "annex", kind_scalar(a, num, at));
    r = kind_map_set(a, r, "number", yl_map_get(order, "number"));
    r = kind_map_set(a, r, "date", yl_map_get(order, "date"));
    if (yl_map_get(school, "genitive"))
        r = kind_map_set(a, r, "org", yl_map_get(school, "genitive"));
    return r;
}

/* Annexes are numbered 1, 2 … in order. One written here (title, body) gets
 * its mark and is printed by the template after the signature; one that is
 * another document of the dossier (document: FILE) goes to the list of
 * annex documents, printed after the order and its written annexes. */
static bool number_annexes(const yl_node *annexes, const yl_node *order, const yl_node *school,
                           arena *a, diag *d, const yl_node **list_out, const yl_node **docs_out)
{
    yl_node *list = arena_alloc(a, sizeof *list);
    *list = *annexes;
    list->items = arena_alloc(a, annexes->n * sizeof *list->items);
    yl_node *docs = arena_alloc(a, sizeof *docs);
    *docs = (yl_node){.kind = YL_SEQ, .mark = annexes->mark};
    docs->items = arena_alloc(a, annexes->n * sizeof *docs->items);
    bool ok = true;
    for (size_t i = 0; i < annexes->n; i++) {
        const yl_node *it = annexes->items[i];
        const yl_node *of = annex_of(a, order, school, i + 1, it->mark);
        const yl_node *file = yl_map_get(it, "document");
        /* `number` for templates that write the mark themselves */
        list->items[i] = kind_map_set(a, it, "number", yl_map_get(of, "annex"));
        if (file && (yl_map_get(it, "title") || yl_map_get(it, "body"))) {
            diag_error(d, file->mark,
                       "приложение %zu: либо document (другой документ досье), либо title и body "
                       "(текст приложения), не всё сразу",
                       i + 1);
            ok = false;
        } else if (file) {
            yl_node *e = arena_alloc(a, sizeof *e);
            *e = (yl_node){.kind = YL_MAP, .mark = it->mark};
            docs->items[docs->n++] =
                kind_map_set(a, kind_map_set(a, e, "document", file), "annex_of", of);
        } else if (!yl_map_get(it, "title")) {
            diag_error(d, it->mark,
                       "приложение %zu: нет title (заголовок приложения) или document (файл "
                       "документа досье)",
                       i + 1);
            ok = false;
        } else if (docs->n) {
            /* the documents are printed after the order's own pages */
            diag_error(d, it->mark,
                       "приложение %zu с текстом стоит после приложения-документа: документы "
                       "печатаются после приказа и его приложений с текстом; поставьте их в конец "
                       "списка annexes",
                       i + 1);
            ok = false;
        } else {
            list->items[i] =
                kind_map_set(a, list->items[i], "mark", kind_annex_mark(a, of, school));
        }
    }
    *list_out = list;
    *docs_out = docs->n ? docs : NULL;
    return ok;
}

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    const yl_node *school = yl_map_get(root, "school");
    const yl_node *order = yl_map_get(root, "order");
    /* kind_map_set copies: the loaded tree stays as it was read */
    const yl_node *o = order, *s = school;
    if (!yl_map_get(order, "place") && yl_map_get(school, "city"))
        o = kind_map_set(a, o, "place", yl_map_get(school, "city"));
    if (!(o = kind_order_sign(a, o, school, "Приказ", d)))
        return false;
    if (!kind_check_numbering(yl_map_get(order, "numbering"), d))
        return false;
    if (!yl_map_get(order, "numbering"))
        o = kind_map_set(a, o, "numbering", kind_scalar(a, "1.", order->mark));
    if (!yl_map_get(order, "directive"))
        o = kind_map_set(a, o, "directive", kind_scalar(a, "ПРИКАЗЫВАЮ:", order->mark));
    if (!yl_map_get(school, "genitive"))
        s = kind_map_set(a, s, "genitive", yl_map_get(school, "short_name"));
    bool ok = true;
    const yl_node *acq = kind_acquaintance(a, order, d, &ok);
    if (!ok)
        return false;
    if (acq)
        o = kind_map_set(a, o, "acquaintance", acq);
    const yl_node *annexes = yl_map_get(order, "annexes"), *docs = NULL;
    if (annexes && annexes->kind == YL_SEQ) {
        const yl_node *list;
        if (!number_annexes(annexes, order, s, a, d, &list, &docs))
            return false;
        o = kind_map_set(a, o, "annexes", list);
    }
    *data = kind_map_set(a, kind_map_set(a, root, "order", o), "school", s);
    if (docs)
        *data = kind_map_set(a, *data, "annex_documents", docs);
    return true;
}

const kind_def kind_order = {"order", root_fields, "order", compute};
