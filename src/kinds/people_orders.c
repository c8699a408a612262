/* kinds/people_orders: the two orders made from people and pairs (seeds 001,
 * 002, 003: «Закрепление пар (групп) приказом руководителя»; 004, 4.13:
 * the curator named by order):
 *   pairs-order    «О закреплении наставнических пар (групп)», its annex the
 *                  table of pairs grouped under a row per form;
 *   curator-order  «О назначении куратора».
 * Both are orders (the requisites of kinds/order.c) whose text has defaults,
 * and both end with «С приказом ознакомлены:», listing every person named.
 * They are kinds of their own rather than variants of `order` because their
 * data comes from people and pairs (kinds/people.c) and they compute the
 * annex and the list; the order kind stays the plain order. */
#include "people.h"

#include <stdlib.h>
#include <string.h>

/* The last point of both orders when their points are not written. */
#define CONTROL_POINT "Контроль за исполнением настоящего приказа оставляю за собой."

static const kind_field order_fields[] = {
    {"number", KS_STRING, true, "номер приказа", NULL, NULL},
    {"date", KS_DATE, true, "дата приказа", NULL, NULL},
    {"place", KS_STRING, false, "место составления", NULL, NULL},
    {"title", KS_STRING, false, "заголовок «О …»", NULL, NULL},
    {"preamble", KS_TEXT, false, "преамбула", NULL, NULL},
    {"directive", KS_STRING, false, "слово «ПРИКАЗЫВАЮ:»", NULL, NULL},
    {"points", KS_POINTS, false, "пункты приказа", NULL, NULL},
    {"signature", KS_MAP, false, "подпись", kind_signature_fields, NULL},
    {"annex_title", KS_STRING, false, "заголовок приложения с парами", NULL, NULL},
    {"form", KS_STRING, false, "только пары этой формы", NULL, NULL},
    {"curator", KS_STRING, false, "куратор: id или ФИО из people (иначе school.curator)", NULL,
     NULL},
    {"year", KS_STRING, false, "учебный год, например «2024/2025»", NULL, NULL},
    {"acquaint", KS_BOOL, false, "лист ознакомления (false — без него)", NULL, NULL},
    KIND_QR_FIELD,
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {{"school", KS_MAP, true,
                                          "реквизиты организации (обычно из school.yaml)",
                                          kind_school_fields, NULL},
                                         {"order", KS_MAP, true, "приказ", order_fields, NULL},
                                         KIND_PEOPLE_ROOT_FIELDS,
                                         {NULL, 0, false, NULL, NULL, NULL}};

/* ---- shared ------------------------------------------------------------ */

/* The requisites every order has: place, directive, title, the signature
 * and the QR code (kinds/esign.c), as kinds/order.c computes them. NULL
 * after an error. */
static const yl_node *order_defaults(arena *a, const yl_node *school, const yl_node *o,
                                     const char *title, diag *d)
{
    if (!yl_map_get(o, "place") && yl_map_get(school, "city"))
        o = kind_map_set(a, o, "place", yl_map_get(school, "city"));
    if (!yl_map_get(o, "directive"))
        o = kind_map_set(a, o, "directive", kind_scalar(a, "ПРИКАЗЫВАЮ:", o->mark));
    if (!yl_map_get(o, "title"))
        o = kind_map_set(a, o, "title", kind_scalar(a, title, o->mark));
    return kind_order_sign(a, o, school, "Приказ", d);
}

/* root with school.genitive defaulting to the short name (as kinds/order.c). */
static const yl_node *school_genitive(arena *a, const yl_node *root)
{
    const yl_node *school = yl_map_get(root, "school");
    if (yl_map_get(school, "genitive"))
        return root;
    return kind_map_set(a, root, "school",
                        kind_map_set(a, school, "genitive", yl_map_get(school, "short_name")));
}

/* The list of «С приказом ознакомлены:»: {name: «Фамилия И.О.», position}
 * for each person named, once. */
typedef struct acquaint {
    yl_node *list;
    bool *listed; /* per person of people */
} acquaint;

static void acquaint_init(kind_people *p, acquaint *ac, src_mark at)
{
    ac->list = kind_people_seq(p, p->npeople + 1, at);
    ac->listed = arena_alloc(p->a, (p->npeople + 1) * sizeof *ac->listed);
}

/* who: a person of people, or NULL (school.curator). */
static void acquaint_add(kind_people *p, acquaint *ac, const kind_person *who, const char *name,
                         const char *position, src_mark at)
{
    if (who && ac->listed[who - p->people])
        return;
    if (who)
        ac->listed[who - p->people] = true;
    yl_node *m = kind_people_map(p, 2, at);
    kind_people_put_str(p, m, "name", name, at);
    if (position && *position)
        kind_people_put_str(p, m, "position", position, at);
    ac->list->items[ac->list->n++] = m;
}

/* order.acquaintance for the template's acquaintance block (template_people.c):
 * {title, people}, the title as kinds/order.c words it; NULL when the
 * document says acquaint: false or nobody is named. */
static const yl_node *acquaint_node(kind_people *p, const acquaint *ac, const yl_node *order)
{
    const yl_node *off = yl_map_get(order, "acquaint");
    if ((off && !strcmp(off->str, "false")) || !ac->list->n)
        return NULL;
    yl_node *m = kind_people_map(p, 2, order->mark);
    kind_people_put_str(
        p, m, "title",
        ac->list->n == 1 ? "С приказом ознакомлен(а):" : "С приказом ознакомлены:", order->mark);
    kind_people_put(p, m, "people", ac->list);
    return m;
}

/* The curator: order.curator names a person of people, else school.curator.
 * *who gets the person (NULL for school.curator); returns the {name,
 * position} node of school.curator, or NULL. false after an error. */
static bool find_curator(kind_people *p, const yl_node *root, const yl_node *order,
                         const kind_person **who, const yl_node **node)
{
    *who = NULL;
    *node = NULL;
    const yl_node *c = yl_map_get(order, "curator");
    if (c) {
        size_t i = kind_people_find(p, c, c->str, "куратор");
        *who = i == KIND_NO_PERSON ? NULL : &p->people[i];
        return *who != NULL;
    }
    *node = yl_map_get(yl_map_get(root, "school"), "curator");
    return true;
}

/* The curator's name in case c and style s, and position; false when the
 * dossier names no curator. */
static bool curator_name(kind_people *p, const kind_person *who, const yl_node *node, names_case c,
                         names_style s, const char **name, const char **position)
{
    if (who) {
        *name = kind_people_decline(p, who, c, s);
        *position = kind_people_where(who);
        return true;
    }
    if (!node)
        return false;
    *name = kind_people_decline_node(p, node, c, s);
    *position = yl_str(yl_map_get(node, "position"));
    return true;
}

/* «Фамилия И.О.» of a person or of a {name, position} node. */
static const char *short_name(kind_people *p, const kind_person *who, const yl_node *node)
{
    if (who)
        return kind_people_short(p, who);
    const char *name = yl_str(yl_map_get(node, "name"));
    names_full n;
    if (!name || !names_split(p->a, name, &n))
        return name ? name : "";
    return names_format(p->a, &n, NAMES_SURNAME_FIRST);
}

static const char *for_year(arena *a, const yl_node *order)
{
    const yl_node *y = yl_map_get(order, "year");
    return y ? arena_printf(a, " на %s учебный год", y->str) : "";
}

/* ---- «О закреплении наставнических пар (групп)» ------------------------- */

/* One row of the annex: №, mentor, position or class, mentees, role model,
 * period. */
static yl_node *pair_row(kind_people *p, const kind_pair *pr, size_t number)
{
    src_mark at = pr->map->mark;
    yl_node *row = kind_people_map(p, 8, at);
    kind_people_put_str(p, row, "number", arena_printf(p->a, "%zu", number), at);
    const kind_person *m = pr->mentor != KIND_NO_PERSON ? &p->people[pr->mentor] : NULL;
    kind_people_put_str(p, row, "mentor", m ? m->name : "", at);
    kind_people_put_str(p, row, "mentor_where", m ? kind_people_where(m) : "", at);
    yl_node *ms = kind_people_seq(p, pr->nmentees, at);
    for (size_t k = 0; k < pr->nmentees; k++) {
        const kind_person *e = &p->people[pr->mentees[k]];
        const char *where = kind_people_where(e);
        ms->items[ms->n++] =
            kind_scalar(p->a, *where ? arena_printf(p->a, "%s (%s)", e->name, where) : e->name, at);
    }
    kind_people_put(p, row, "mentees", ms);
    kind_people_put_str(p, row, "form", pr->form >= 0 ? p->forms[pr->form].name : "", at);
    kind_people_put(p, row, "role_model", yl_map_get(pr->map, "role_model"));
    const char *from = pr->start != KIND_NO_DATE ? kind_people_date(p->a, pr->start) : "";
    const char *to = pr->end != KIND_NO_DATE ? kind_people_date(p->a, pr->end) : "";
    kind_people_put_str(p, row, "period",
                        *from || *to ? arena_printf(p->a, "%s – %s", from, to) : "", at);
    return row;
}

/* The annex: a section row per form, then its pairs in file order (the
 * forms in order of first appearance); numbers run through the table. */
static yl_node *annex_rows(kind_people *p, int only_form, acquaint *ac, src_mark at)
{
    yl_node *rows = kind_people_seq(p, p->npairs + p->nforms, at);
    /* the pairs by form, file order kept (a counting sort: linear) */
    size_t *first = xcalloc(p->nforms + 2, sizeof *first);
    size_t *sorted = xmalloc((p->npairs + 1) * sizeof *sorted);
    for (size_t i = 0; i < p->npairs; i++)
        if (p->pairs[i].form >= 0)
            first[p->pairs[i].form + 1]++;
    for (size_t f = 0; f < p->nforms; f++)
        first[f + 1] += first[f];
    size_t *fill = xmalloc((p->nforms + 1) * sizeof *fill);
    memcpy(fill, first, (p->nforms + 1) * sizeof *fill);
    for (size_t i = 0; i < p->npairs; i++)
        if (p->pairs[i].form >= 0)
            sorted[fill[p->pairs[i].form]++] = i;
    size_t number = 0;
    for (size_t f = 0; f < p->nforms; f++) {
        if (first[f] == first[f + 1] || (only_form >= 0 && (size_t)only_form != f))
            continue;
        yl_node *sec = kind_people_map(p, 2, at);
        kind_people_put_str(p, sec, "section",
                            arena_printf(p->a, "Форма наставничества «%s»", p->forms[f].name), at);
        kind_people_put_str(p, sec, "number", "", at);
        rows->items[rows->n++] = sec;
        for (size_t j = first[f]; j < first[f + 1]; j++) {
            const kind_pair *pr = &p->pairs[sorted[j]];
            rows->items[rows->n++] = pair_row(p, pr, ++number);
            if (pr->mentor != KIND_NO_PERSON) {
                const kind_person *m = &p->people[pr->mentor];
                acquaint_add(p, ac, m, kind_people_short(p, m), kind_people_where(m), at);
            }
        }
    }
    free(fill);
    free(sorted);
    free(first);
    return rows;
}

static yl_node *pairs_points(kind_people *p, const yl_node *order, const char *curator_dat,
                             src_mark at)
{
    yl_node *pts = kind_people_seq(p, 4, at);
    pts->items[pts->n++] =
        kind_scalar(p->a,
                    arena_printf(p->a,
                                 "Закрепить наставнические пары (группы)%s согласно приложению к "
                                 "настоящему приказу.",
                                 for_year(p->a, order)),
                    at);
    pts->items[pts->n++] = kind_scalar(p->a,
                                       "Наставникам совместно с наставляемыми разработать "
                                       "индивидуальные планы развития и обеспечить их выполнение.",
                                       at);
    if (curator_dat)
        pts->items[pts->n++] = kind_scalar(
            p->a,
            arena_printf(p->a,
                         "Куратору программы наставничества %s обеспечить сопровождение работы "
                         "наставнических пар (групп) и внести сведения о них в базу наставников "
                         "и базу наставляемых.",
                         curator_dat),
            at);
    pts->items[pts->n++] = kind_scalar(p->a, CONTROL_POINT, at);
    return pts;
}

static bool compute_pairs(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    kind_people p;
    bool ok = kind_people_load(root, a, d, &p);
    const yl_node *school = yl_map_get(root, "school"), *order = yl_map_get(root, "order");
    const yl_node *form = yl_map_get(order, "form");
    int only = form ? kind_people_form(&p, form, &ok) : -1;
    const kind_person *cur = NULL;
    const yl_node *cur_node = NULL;
    ok &= find_curator(&p, root, order, &cur, &cur_node);
    if (!ok) {
        kind_people_fini(&p);
        return false;
    }
    acquaint ac;
    acquaint_init(&p, &ac, order->mark);
    const char *dat = NULL, *pos = NULL;
    if (curator_name(&p, cur, cur_node, NAMES_DATIVE, NAMES_SURNAME_FIRST, &dat, &pos))
        acquaint_add(&p, &ac, cur, short_name(&p, cur, cur_node), pos, order->mark);
    const yl_node *o =
        order_defaults(a, school, order, "О закреплении наставнических пар (групп)", d);
    if (!o) {
        kind_people_fini(&p);
        return false;
    }
    yl_node *rows = annex_rows(&p, only, &ac, order->mark);
    if (!rows->n)
        diag_warning(d, form ? form->mark : order->mark, "в приложении нет ни одной пары: %s",
                     form ? "пар этой формы нет в pairs" : "подключите pairs.yaml (pairs)");
    if (!yl_map_get(order, "points"))
        o = kind_map_set(a, o, "points", pairs_points(&p, order, dat, order->mark));
    if (!yl_map_get(order, "annex_title"))
        o = kind_map_set(a, o, "annex_title",
                         kind_scalar(a, "Наставнические пары (группы)", order->mark));
    o = kind_map_set(a, o, "pairs", rows);
    const yl_node *acq = acquaint_node(&p, &ac, order);
    if (acq)
        o = kind_map_set(a, o, "acquaintance", acq);
    *data = kind_map_set(a, school_genitive(a, root), "order", o);
    kind_people_fini(&p);
    return true;
}

const kind_def kind_pairs_order = {"pairs-order", root_fields, "pairs-order", compute_pairs};

/* ---- «О назначении куратора» ------------------------------------------- */

static yl_node *curator_points(kind_people *p, const yl_node *order, const char *school,
                               const char *acc, const char *pos, const char *dat, src_mark at)
{
    yl_node *pts = kind_people_seq(p, 3, at);
    pts->items[pts->n++] = kind_scalar(
        p->a,
        arena_printf(p->a, "Назначить %s%s%s%s куратором программы наставничества в %s%s.", acc,
                     pos && *pos ? " (" : "", pos && *pos ? pos : "", pos && *pos ? ")" : "",
                     school, for_year(p->a, order)),
        at);
    /* the curator's duties: seed 004, 4.13–4.14 and section 7 */
    yl_node *sub = kind_people_seq(p, 4, at);
    static const char *const duties[] = {
        "сформировать базу наставников и базу наставляемых;",
        ("организовать формирование наставнических пар (групп) и подготовить проект приказа о "
         "их закреплении;"),
        "организовать обучение наставников и контроль за выполнением индивидуальных планов;",
        "провести мониторинг и оценку результатов программы наставничества."};
    for (size_t i = 0; i < sizeof duties / sizeof *duties; i++)
        sub->items[sub->n++] = kind_scalar(p->a, duties[i], at);
    yl_node *second = kind_people_map(p, 2, at);
    kind_people_put_str(p, second, "text", arena_printf(p->a, "Куратору %s:", dat), at);
    kind_people_put(p, second, "points", sub);
    pts->items[pts->n++] = second;
    pts->items[pts->n++] = kind_scalar(p->a, CONTROL_POINT, at);
    return pts;
}

static bool compute_curator(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    kind_people p;
    bool ok = kind_people_load(root, a, d, &p);
    const yl_node *school = yl_map_get(root, "school"), *order = yl_map_get(root, "order");
    const kind_person *cur = NULL;
    const yl_node *cur_node = NULL;
    ok &= find_curator(&p, root, order, &cur, &cur_node);
    if (ok && !cur && !cur_node) {
        diag_error(d, order->mark,
                   "не указан куратор: впишите order.curator (id или ФИО из people) или "
                   "school.curator {name, position}");
        ok = false;
    }
    if (!ok) {
        kind_people_fini(&p);
        return false;
    }
    const char *acc, *dat, *pos;
    curator_name(&p, cur, cur_node, NAMES_ACCUSATIVE, NAMES_FULL, &acc, &pos);
    curator_name(&p, cur, cur_node, NAMES_DATIVE, NAMES_SURNAME_FIRST, &dat, &pos);
    const char *short_school = yl_str(yl_map_get(school, "short_name"));
    const yl_node *o = order_defaults(a, school, order, "О назначении куратора", d);
    if (!o) {
        kind_people_fini(&p);
        return false;
    }
    if (!yl_map_get(order, "preamble"))
        o = kind_map_set(a, o, "preamble",
                         kind_scalar(a,
                                     arena_printf(a,
                                                  "В целях реализации программы наставничества "
                                                  "в %s%s",
                                                  short_school, for_year(a, order)),
                                     order->mark));
    if (!yl_map_get(order, "points"))
        o = kind_map_set(a, o, "points",
                         curator_points(&p, order, short_school, acc, pos, dat, order->mark));
    acquaint ac;
    acquaint_init(&p, &ac, order->mark);
    acquaint_add(&p, &ac, cur, short_name(&p, cur, cur_node), pos, order->mark);
    const yl_node *acq = acquaint_node(&p, &ac, order);
    if (acq)
        o = kind_map_set(a, o, "acquaintance", acq);
    *data = kind_map_set(a, school_genitive(a, root), "order", o);
    kind_people_fini(&p);
    return true;
}

const kind_def kind_curator_order = {"curator-order", root_fields, "curator-order",
                                     compute_curator};
