/* kinds/order: the order (приказ), GOST R 7.0.97-2016/2025 §5 requisites:
 * organisation, document type, date, number, place, heading, text, points,
 * signature, annexes. Computes the defaults the template relies on: the
 * place (school.city) and the signature (the director). */
#include "../kinds.h"

#include <string.h>

static const kind_field annex_fields[] = {
    {"title", KS_STRING, true, "заголовок приложения", NULL, NULL},
    {"body", KS_CONTENT, false, "текст приложения", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field annex_item = {"annex", KS_MAP, false, "приложение", annex_fields, NULL};

static const kind_field order_fields[] = {
    {"number", KS_STRING, true, "номер приказа", NULL, NULL},
    {"date", KS_DATE, true, "дата приказа", NULL, NULL},
    {"place", KS_STRING, false, "место составления", NULL, NULL},
    {"title", KS_STRING, true, "заголовок «О …»", NULL, NULL},
    {"preamble", KS_TEXT, false, "преамбула", NULL, NULL},
    {"directive", KS_STRING, false, "слово «ПРИКАЗЫВАЮ:»", NULL, NULL},
    {"points", KS_POINTS, true, "пункты приказа", NULL, NULL},
    {"control", KS_STRING, false, "пункт о контроле", NULL, NULL},
    {"signature", KS_MAP, false, "подпись", kind_person_fields, NULL},
    {"annexes", KS_SEQ, false, "приложения", NULL, &annex_item},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"document", KS_STRING, true, "вид документа", NULL, NULL},
    {"template", KS_STRING, false, "свой шаблон", NULL, NULL},
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"order", KS_MAP, true, "приказ", order_fields, NULL},
    {"typography", KS_STRING, false, "типографика (keep: кавычки и тире как набраны)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    (void)d;
    const yl_node *school = yl_map_get(root, "school");
    const yl_node *order = yl_map_get(root, "order");
    /* kind_map_set copies: the loaded tree stays as it was read */
    const yl_node *o = order, *s = school;
    if (!yl_map_get(order, "place"))
        o = kind_map_set(a, o, "place", yl_map_get(school, "city"));
    if (!yl_map_get(order, "signature"))
        o = kind_map_set(a, o, "signature", yl_map_get(school, "director"));
    if (!yl_map_get(order, "directive"))
        o = kind_map_set(a, o, "directive", kind_scalar(a, "ПРИКАЗЫВАЮ:", order->mark));
    if (!yl_map_get(school, "genitive"))
        s = kind_map_set(a, s, "genitive", yl_map_get(school, "short_name"));
    /* annexes are numbered 1, 2 … in order: «Приложение № 1 к приказу …» */
    const yl_node *annexes = yl_map_get(order, "annexes");
    if (annexes && annexes->kind == YL_SEQ) {
        yl_node *list = arena_alloc(a, sizeof *list);
        *list = *annexes;
        list->items = arena_alloc(a, annexes->n * sizeof *list->items);
        for (size_t i = 0; i < annexes->n; i++) {
            char num[24];
            snprintf(num, sizeof num, "%zu", i + 1);
            list->items[i] = kind_map_set(a, annexes->items[i], "number",
                                          kind_scalar(a, num, annexes->items[i]->mark));
        }
        o = kind_map_set(a, o, "annexes", list);
    }
    *data = kind_map_set(a, kind_map_set(a, root, "order", o), "school", s);
    return true;
}

const kind_def kind_order = {"order", root_fields, "order", compute};
