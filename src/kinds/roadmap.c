/* kinds/roadmap: the roadmap (дорожная карта): approval stamps, title,
 * narrative text, and a table whose columns the dossier chooses. Rows are
 * checked against those columns, so a typo in a column key is caught with a
 * suggestion instead of printing an empty cell. */
#include "../kinds.h"

#include <string.h>

static const kind_field box_fields[] = {
    {"lines", KS_TEXT, true, "строки блока", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field box_item = {"box", KS_MAP, false, "блок утверждения", box_fields, NULL};

static const kind_field column_fields[] = {
    {"key", KS_STRING, true, "имя столбца для строк", NULL, NULL},
    {"title", KS_STRING, true, "заголовок столбца", NULL, NULL},
    {"width_mm", KS_NUMBER, false, "ширина в мм", NULL, NULL},
    {"width", KS_NUMBER, false, "доля свободной ширины", NULL, NULL},
    {"numbering", KS_BOOL, false, "столбец номеров", NULL, NULL},
    {"group", KS_BOOL, false, "объединять одинаковые ячейки", NULL, NULL},
    {"align", KS_STRING, false, "выравнивание left, center, right", NULL, NULL},
    {"valign", KS_STRING, false, "выравнивание по вертикали top, middle, bottom", NULL, NULL},
    {"parent", KS_STRING, false, "общий заголовок над столбцами", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field column_item = {"column", KS_MAP, false, "столбец", column_fields, NULL};

static const kind_field roadmap_fields[] = {
    {"orientation", KS_STRING, false, "ориентация: landscape или portrait", NULL, NULL},
    {"approval", KS_SEQ, false, "блоки «Утверждаю», «Рассмотрено»", NULL, &box_item},
    {"title", KS_STRING, true, "заголовок", NULL, NULL},
    {"subtitle", KS_STRING, false, "подзаголовок", NULL, NULL},
    {"body", KS_CONTENT, false, "текст перед таблицей", NULL, NULL},
    {"table_title", KS_STRING, false, "заголовок таблицы", NULL, NULL},
    {"columns", KS_SEQ, true, "столбцы таблицы", NULL, &column_item},
    {"rows", KS_SEQ, true, "строки таблицы", NULL, NULL},
    {"after", KS_CONTENT, false, "текст после таблицы", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"document", KS_STRING, true, "вид документа", NULL, NULL},
    {"template", KS_STRING, false, "свой шаблон", NULL, NULL},
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"roadmap", KS_MAP, true, "дорожная карта", roadmap_fields, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* v, when present, is one of the three words. */
static bool check_word(const yl_node *v, const char *const words[3], diag *d)
{
    if (!v || !yl_str(v))
        return true;
    for (int i = 0; i < 3; i++)
        if (!strcmp(yl_str(v), words[i]))
            return true;
    const char *near = diag_suggest(yl_str(v), words, 3);
    diag_error(d, v->mark, "«%s»: ожидалось %s, %s или %s%s%s%s", yl_str(v), words[0], words[1],
               words[2], near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
    return false;
}

/* Rows: {section, number} or one value per column key. */
static bool check_rows(const yl_node *columns, const yl_node *rows, diag *d)
{
    enum { MAX_KEYS = 34 };
    const char *keys[MAX_KEYS];
    size_t nkeys = 0;
    bool ok = true;
    for (size_t c = 0; c < columns->n && nkeys < MAX_KEYS - 2; c++) {
        const char *k = yl_str(yl_map_get(columns->items[c], "key"));
        if (!k)
            continue;
        for (size_t j = 0; j < nkeys; j++)
            if (!strcmp(keys[j], k)) {
                diag_error(d, yl_map_get(columns->items[c], "key")->mark,
                           "столбец «%s» уже есть: ключи столбцов должны различаться", k);
                ok = false;
            }
        keys[nkeys++] = k;
        static const char *const aligns[] = {"left", "center", "right"};
        static const char *const valigns[] = {"top", "middle", "bottom"};
        ok &= check_word(yl_map_get(columns->items[c], "align"), aligns, d);
        ok &= check_word(yl_map_get(columns->items[c], "valign"), valigns, d);
    }
    static const kind_field cell = {"cell", KS_CONTENT, false, "ячейка", NULL, NULL};
    for (size_t r = 0; r < rows->n; r++) {
        const yl_node *row = rows->items[r];
        if (row->kind != YL_MAP) {
            diag_error(d, row->mark, "строка %zu таблицы: ожидался словарь «столбец: текст»",
                       r + 1);
            ok = false;
            continue;
        }
        const yl_node *sec = yl_map_get(row, "section");
        for (size_t i = 0; i < row->n; i++) {
            const yl_node *k = row->pairs[i].key, *v = row->pairs[i].value;
            if (sec) {
                if (strcmp(k->str, "section") && strcmp(k->str, "number")) {
                    diag_error(d, k->mark,
                               "в строке раздела допустимы только section и number, а здесь «%s»",
                               k->str);
                    ok = false;
                } else if (v->kind != YL_SCALAR) {
                    diag_error(d, v->mark, "«%s» раздела должно быть строкой", k->str);
                    ok = false;
                }
                continue;
            }
            bool known = false;
            for (size_t j = 0; j < nkeys; j++)
                known |= !strcmp(keys[j], k->str);
            if (!known) {
                const char *near = diag_suggest(k->str, keys, nkeys);
                if (near)
                    diag_error(d, k->mark, "в строке %zu нет столбца «%s»; может быть, «%s»?",
                               r + 1, k->str, near);
                else
                    diag_error(d, k->mark,
                               "в строке %zu нет столбца «%s»: столбцы описаны в roadmap.columns",
                               r + 1, k->str);
                ok = false;
                continue;
            }
            if (!yl_is_null(v))
                ok &= kind_check_value(v, &cell, "roadmap.rows", d);
        }
    }
    return ok;
}

bool kind_roadmap_check(const yl_node *root, arena *a, diag *d, kind_result *out)
{
    if (!kind_check_map(root, root_fields, "", d))
        return false;
    const yl_node *rm = yl_map_get(root, "roadmap");
    if (!check_rows(yl_map_get(rm, "columns"), yl_map_get(rm, "rows"), d))
        return false;
    const yl_node *o = yl_map_get(rm, "orientation");
    if (o && strcmp(o->str, "landscape") && strcmp(o->str, "portrait")) {
        diag_error(d, o->mark, "orientation: ожидалось landscape или portrait");
        return false;
    }
    if (!o) {
        /* roadmaps are landscape unless the dossier says otherwise (DESIGN.md §5) */
        yl_node *land = arena_alloc(a, sizeof *land);
        *land = (yl_node){.kind = YL_SCALAR, .mark = rm->mark, .str = "landscape", .len = 9};
        root = kind_map_set(a, root, "roadmap", kind_map_set(a, rm, "orientation", land));
    }
    out->data = root;
    out->template = "roadmap";
    return true;
}
