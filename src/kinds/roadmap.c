/* kinds/roadmap: the roadmap (дорожная карта): approval stamps, title,
 * narrative text, and a table whose columns the dossier chooses. Rows are
 * checked against those columns, so a typo in a column key is caught with a
 * suggestion instead of printing an empty cell. */
#include "../kinds.h"

#include <string.h>

static const kind_field box_fields[] = {{"lines", KS_TEXT, true, "строки блока", NULL, NULL},
                                        {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field box_item = {"box", KS_MAP, false, "блок утверждения", box_fields, NULL};

static const kind_field roadmap_fields[] = {
    {"orientation", KS_STRING, false, "ориентация: landscape или portrait", NULL, NULL},
    {"approval", KS_SEQ, false, "блоки «Утверждаю», «Рассмотрено»", NULL, &box_item},
    {"title", KS_LINES, true, "заголовок", NULL, NULL},
    {"subtitle", KS_LINES, false, "подзаголовок", NULL, NULL},
    {"body", KS_CONTENT, false, "текст перед таблицей", NULL, NULL},
    {"table_title", KS_LINES, false, "заголовок таблицы", NULL, NULL},
    {"columns", KS_SEQ, true, "столбцы таблицы", NULL, &kind_column_item},
    {"rows", KS_SEQ, true, "строки таблицы", NULL, NULL},
    {"after", KS_CONTENT, false, "текст после таблицы", NULL, NULL},
    {"column_numbers", KS_BOOL, false, "строка номеров столбцов под заголовком", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"roadmap", KS_MAP, true, "дорожная карта", roadmap_fields, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    const yl_node *rm = yl_map_get(root, "roadmap");
    if (!kind_check_rows(yl_map_get(rm, "columns"), yl_map_get(rm, "rows"), "roadmap.rows", d))
        return false;
    const yl_node *o = yl_map_get(rm, "orientation");
    if (o && strcmp(o->str, "landscape") && strcmp(o->str, "portrait")) {
        diag_error(d, o->mark, "orientation: ожидалось landscape или portrait");
        return false;
    }
    if (!o) {
        /* roadmaps are landscape unless the dossier says otherwise (docs/typesetting.md §1.1) */
        root =
            kind_map_set(a, root, "roadmap",
                         kind_map_set(a, rm, "orientation", kind_scalar(a, "landscape", rm->mark)));
    }
    *data = root;
    return true;
}

const kind_def kind_roadmap = {"roadmap", root_fields, "roadmap", compute};
