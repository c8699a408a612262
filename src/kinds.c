/* kinds: the schema checker shared by every kind, and the dispatch on the
 * `document:` key. */
#include "kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "names.h"

/* What a value of type t should have been, with the verb agreeing with it
 * («ожидалась строка», «ожидался список», «ожидалось число»). */
static const char *expected(kind_type t)
{
    switch (t) {
    case KS_STRING:
        return "ожидалась строка";
    case KS_DATE:
        return "ожидалась дата ГГГГ-ММ-ДД";
    case KS_TEXT:
        return "ожидался текст (строка или список абзацев)";
    case KS_MAP:
        return "ожидался словарь";
    case KS_SEQ:
    case KS_PARTS:
    case KS_BODY:
        return "ожидался список";
    case KS_POINTS:
    case KS_ITEMS:
        return "ожидался список пунктов";
    case KS_CONTENT:
        return "ожидался список абзацев, заголовков и списков";
    case KS_STRINGS:
        return "ожидалась строка или список строк";
    case KS_NUMBER:
        return "ожидалось число";
    case KS_BOOL:
        return "ожидалось true или false";
    case KS_LINES:
        return "ожидалась строка или список строк (каждая с новой строки)";
    case KS_PEOPLE:
        return "ожидалось ФИО или список ФИО";
    }
    return "?";
}

static bool expect_kind(const yl_node *v, yl_kind k, const kind_field *f, const char *path, diag *d)
{
    if (v->kind == k)
        return true;
    /* «-"Утвердить план."»: a list item without its space is a string */
    bool glued_dash =
        k == YL_SEQ && v->kind == YL_SCALAR && v->len > 1 && v->str[0] == '-' && v->str[1] != ' ';
    if (v->kind == YL_SCALAR && yl_is_null(v)) {
        /* «order:» with its fields not indented under it */
        diag_error(d, v->mark,
                   "«%s» (%s): %s, а здесь пусто; то, что входит в «%s», пишется на "
                   "следующих строках с отступом (два пробела)",
                   path, f->what, expected(f->type), path);
        return false;
    }
    /* «points:» with its items on the lines below, without their «- » */
    bool no_dash = k == YL_SEQ && v->kind == YL_SCALAR && !glued_dash;
    diag_error(d, v->mark, "«%s» (%s): %s, а здесь %s%s", path, f->what, expected(f->type),
               yl_kind_name(v->kind),
               glued_dash ? "; после «-» элемента списка нужен пробел: «- текст»"
               : no_dash ? "; каждый элемент списка пишется с новой строки и начинается с «- » "
                           "(дефис и пробел)"
                         : "");
    return false;
}

/* Only white space (or nothing): printed, it leaves an empty place. */
static bool is_blank(const yl_node *v)
{
    for (size_t i = 0; i < v->len; i++)
        if (v->str[i] != ' ' && v->str[i] != '\t' && v->str[i] != '\n' && v->str[i] != '\r')
            return false;
    return true;
}

static bool check_string(const yl_node *v, const kind_field *f, const char *path, diag *d)
{
    if (!expect_kind(v, YL_SCALAR, f, path, d))
        return false;
    if (yl_is_null(v)) {
        diag_error(d, v->mark, "«%s» (%s) пусто: впишите значение", path, f->what);
        return false;
    }
    return true;
}

static const kind_field column_fields[] = {
    {"key", KS_STRING, true, "имя столбца для строк", NULL, NULL},
    {"title", KS_STRING, true, "заголовок столбца", NULL, NULL},
    {"width_mm", KS_NUMBER, false, "ширина в мм", NULL, NULL},
    {"width", KS_NUMBER, false, "доля свободной ширины", NULL, NULL},
    {"numbering", KS_BOOL, false, "столбец номеров", NULL, NULL},
    {"group", KS_BOOL, false, "объединять одинаковые ячейки", NULL, NULL},
    {"align", KS_STRING, false, "выравнивание left, center, right", NULL, NULL},
    {"valign", KS_STRING, false, "выравнивание по вертикали top, middle, bottom", NULL, NULL},
    {"hyphenate", KS_BOOL, false, "переносы в столбце (false для ФИО)", NULL, NULL},
    {"parent", KS_STRING, false, "общий заголовок над столбцами", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
const kind_field kind_column_item = {"column", KS_MAP, false, "столбец", column_fields, NULL};

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
bool kind_check_rows(const yl_node *columns, const yl_node *rows, const char *path, diag *d)
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
                    diag_error(d, k->mark, "в строке %zu нет столбца «%s»: это не ключ столбца",
                               r + 1, k->str);
                ok = false;
                continue;
            }
            if (!yl_is_null(v))
                ok &= kind_check_value(v, &cell, path, d);
        }
    }
    return ok;
}

const kind_field kind_table_fields[] = {
    {"columns", KS_SEQ, true, "столбцы таблицы", NULL, &kind_column_item},
    {"rows", KS_SEQ, true, "строки таблицы", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* Numbered points nest as {text, points} (orders), list items of text
 * blocks as {text, items}; depth is bounded by YL_MAX_DEPTH. */
const kind_field kind_point_fields[] = {
    {"text", KS_STRING, true, "текст пункта", NULL, NULL},
    {"points", KS_POINTS, false, "подпункты", NULL, NULL},
    {"paragraphs", KS_TEXT, false, "абзацы пункта без своего номера", NULL, NULL},
    {"numbering", KS_STRING, false, "нумерация подпунктов: 1. 1) а) – или none", NULL, NULL},
    {"people", KS_STRINGS, false, "кого пункт называет (для «С приказом ознакомлены»)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
const kind_field kind_item_fields[] = {
    {"text", KS_STRING, true, "текст пункта", NULL, NULL},
    {"items", KS_ITEMS, false, "подпункты", NULL, NULL},
    {"paragraphs", KS_TEXT, false, "абзацы пункта без своего номера", NULL, NULL},
    {"numbering", KS_STRING, false, "нумерация подпунктов: 1. 1) а) – или none", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

const char *const kind_numberings[KIND_NUMBERINGS] = {"1.", "1)", "а)", "–", "-", "none"};

bool kind_check_numbering(const yl_node *v, diag *d)
{
    if (!v || !yl_str(v))
        return true;
    for (size_t i = 0; i < KIND_NUMBERINGS; i++)
        if (!strcmp(yl_str(v), kind_numberings[i]))
            return true;
    diag_error(d, v->mark,
               "numbering: ожидалось «1.» (1., 1.1.), «1)», «а)» (буквы), «–» (тире) или none, "
               "а здесь «%s»",
               yl_str(v));
    return false;
}

/* Length of the number a point's text starts with, typed by hand («1. »,
 * «2.1. », «3) »), or 0. */
static size_t typed_number(const char *s)
{
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9') {
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (s[i] != '.' && s[i] != ')')
            return 0;
        i++;
        if (s[i - 1] == ')' || s[i] == ' ')
            return s[i] == ' ' ? i : 0;
    }
    return 0;
}

/* An order's point whose text starts with its number: the program numbers
 * the points, and the paper would read «1. 1. Утвердить …». */
static void warn_typed_number(const yl_node *point, const char *path, diag *d)
{
    const yl_node *t = point->kind == YL_MAP ? yl_map_get(point, "text") : point;
    size_t n = yl_str(t) ? typed_number(yl_str(t)) : 0;
    if (n)
        diag_warning(d, t->mark,
                     "пункт в «%s» начинается с номера «%.*s»: номера пунктов программа ставит "
                     "сама, и на бумаге номер будет дважды («%.*s %.*s …»); уберите номер из "
                     "текста",
                     path, (int)n, yl_str(t), (int)n, yl_str(t), (int)n, yl_str(t));
}

static bool check_points(const yl_node *v, const kind_field *f, const char *path, diag *d)
{
    if (!expect_kind(v, YL_SEQ, f, path, d))
        return false;
    const kind_field *fields = f->type == KS_ITEMS ? kind_item_fields : kind_point_fields;
    bool ok = true;
    for (size_t i = 0; i < v->n; i++) {
        const yl_node *it = v->items[i];
        /* an order's own points are always numbered (order.numbering: 1. 1) а)) */
        if (!strcmp(path, "order.points"))
            warn_typed_number(it, path, d);
        if (it->kind == YL_SCALAR) {
            bool good = check_string(it, f, path, d);
            if (good && is_blank(it))
                diag_warning(d, it->mark,
                             "пункт %zu в «%s» пуст: будет напечатан только его номер или тире",
                             i + 1, path);
            ok &= good;
            continue;
        }
        if (it->kind != YL_MAP) {
            diag_error(d, it->mark, "пункт %zu в «%s»: ожидалась строка или словарь с text и %s",
                       i + 1, path, fields[1].key);
            ok = false;
            continue;
        }
        ok &= kind_check_map(it, fields, path, d);
        ok &= kind_check_numbering(yl_map_get(it, "numbering"), d);
    }
    return ok;
}

const char *const kind_content_keys[KIND_CONTENT_KEYS] = {"heading", "paragraph", "list",
                                                          "numbered", "table"};
static const kind_content content_types[KIND_CONTENT_KEYS] = {KC_HEADING, KC_PARAGRAPH, KC_LIST,
                                                              KC_NUMBERED, KC_TABLE};

kind_content kind_content_of(const yl_node *elem, const yl_node **value)
{
    *value = elem;
    if (elem->kind == YL_SCALAR)
        return KC_PARAGRAPH;
    if (elem->kind != YL_MAP || elem->n != 1)
        return KC_NONE;
    for (size_t i = 0; i < KIND_CONTENT_KEYS; i++)
        if (!strcmp(elem->pairs[0].key->str, kind_content_keys[i])) {
            *value = elem->pairs[0].value;
            return content_types[i];
        }
    return KC_NONE;
}

static bool check_content(const yl_node *v, const kind_field *f, const char *path, diag *d)
{
    if (v->kind == YL_SCALAR)
        return check_string(v, f, path, d);
    if (!expect_kind(v, YL_SEQ, f, path, d))
        return false;
    static const kind_field list_field = {"list", KS_ITEMS, true, "список", NULL, NULL};
    static const kind_field table_field = {"table",           KS_MAP, true, "таблица",
                                           kind_table_fields, NULL};
    bool ok = true;
    for (size_t i = 0; i < v->n; i++) {
        const yl_node *it = v->items[i], *val;
        switch (kind_content_of(it, &val)) {
        case KC_PARAGRAPH:
        case KC_HEADING:
            ok &= check_string(val, f, path, d);
            break;
        case KC_LIST:
        case KC_NUMBERED:
            ok &= check_points(val, &list_field, path, d);
            break;
        case KC_TABLE:
            if (kind_check_value(val, &table_field, path, d))
                ok &= kind_check_rows(yl_map_get(val, "columns"), yl_map_get(val, "rows"), path, d);
            else
                ok = false;
            break;
        case KC_NONE:
            ok = false;
            if (it->kind == YL_MAP && it->n == 1) {
                const yl_node *k = it->pairs[0].key;
                const char *near = diag_suggest(k->str, kind_content_keys, KIND_CONTENT_KEYS);
                diag_error(d, k->mark, "неизвестный вид текста «%s» в «%s»%s%s%s", k->str, path,
                           near ? "; может быть, «"
                                : ": есть heading, paragraph, list, numbered, table",
                           near ? near : "", near ? "»?" : "");
            } else {
                diag_error(d, it->mark,
                           "«%s»: элемент текста должен быть строкой (абзац) или словарём с одним "
                           "ключом heading, paragraph, list, numbered или table",
                           path);
            }
            break;
        }
    }
    return ok;
}

/* Whether rest is nothing or the «г.» of «1 сентября 2024 г.». */
static bool year_tail(const char *rest)
{
    static const char *const tails[] = {"", " г.", " г", " года", "г."};
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
        if (!strcmp(rest, tails[i]))
            return true;
    return false;
}

bool kind_date_guess(const char *s, char out[11])
{
    int a = 0, b = 0, c = 0, n = 0, y, m, dd;
    char month[32];
    if ((sscanf(s, "%2d.%2d.%4d%n", &a, &b, &c, &n) == 3 ||
         sscanf(s, "%2d/%2d/%4d%n", &a, &b, &c, &n) == 3) &&
        year_tail(s + n))
        y = c, m = b, dd = a;
    else if (sscanf(s, "%4d-%2d-%2d%n", &a, &b, &c, &n) == 3 && !s[n])
        y = a, m = b, dd = c;
    else if (sscanf(s, "%2d %31s %4d%n", &a, month, &c, &n) == 3 && year_tail(s + n)) {
        y = c, dd = a, m = 0;
        for (int i = 1; i <= 12 && !m; i++)
            if (!strcmp(month, date_month_genitive(i)))
                m = i;
    } else
        return false;
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || dd < 1 || dd > 31)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
    return date_parse(out, &y, &m, &dd);
}

bool kind_check_value(const yl_node *v, const kind_field *f, const char *path, diag *d)
{
    switch (f->type) {
    case KS_STRING:
        return check_string(v, f, path, d);
    case KS_DATE: {
        if (!expect_kind(v, YL_SCALAR, f, path, d))
            return false;
        int y, m, dd;
        char guess[11];
        if (date_parse(v->str, &y, &m, &dd))
            return true;
        int year = v->len == 10 ? date_year_outside(v->str) : -1;
        if (v->len == 10 && v->str[4] == '-' && v->str[7] == '-' && year >= 0)
            diag_error(d, v->mark, "«%s»: дата «%s» — год %d вне %d–%d; проверьте год", path,
                       v->str, year, DATE_MIN_YEAR, DATE_MAX_YEAR);
        else if (v->len == 10 && v->str[4] == '-' && v->str[7] == '-')
            diag_error(d, v->mark, "«%s»: даты «%s» не существует; проверьте число и месяц", path,
                       v->str);
        else if (kind_date_guess(v->str, guess))
            diag_error(d, v->mark,
                       "«%s» (%s): ожидалась дата в виде ГГГГ-ММ-ДД (год-месяц-день), а здесь "
                       "«%s»; пишите %s",
                       path, f->what, v->str, guess);
        else
            diag_error(d, v->mark,
                       "«%s» (%s): ожидалась дата в виде ГГГГ-ММ-ДД, например "
                       "2023-08-30, а здесь «%s»",
                       path, f->what, v->str);
        return false;
    }
    case KS_TEXT:
    case KS_STRINGS:
    case KS_LINES:
        if (v->kind == YL_SCALAR)
            return check_string(v, f, path, d);
        if (!expect_kind(v, YL_SEQ, f, path, d))
            return false;
        for (size_t i = 0; i < v->n; i++)
            if (!check_string(v->items[i], f, path, d))
                return false;
        return true;
    case KS_MAP:
        if (!expect_kind(v, YL_MAP, f, path, d))
            return false;
        return !f->fields || kind_check_map(v, f->fields, path, d); /* no fields: the kind checks */
    case KS_SEQ: {
        if (!expect_kind(v, YL_SEQ, f, path, d))
            return false;
        bool ok = true;
        for (size_t i = 0; f->item && i < v->n; i++) /* no item: the kind checks them */
            ok &= kind_check_value(v->items[i], f->item, path, d);
        return ok;
    }
    case KS_POINTS:
    case KS_ITEMS:
        return check_points(v, f, path, d);
    case KS_NUMBER: {
        if (!expect_kind(v, YL_SCALAR, f, path, d))
            return false;
        char *end;
        double num = strtod(v->str, &end);
        if (!v->len || *end || num < 0 || num > 10000) {
            diag_error(d, v->mark, "«%s» (%s): ожидалось неотрицательное число, а здесь «%s»", path,
                       f->what, v->str);
            return false;
        }
        return true;
    }
    case KS_BOOL:
        if (!expect_kind(v, YL_SCALAR, f, path, d))
            return false;
        if (strcmp(v->str, "true") && strcmp(v->str, "false")) {
            diag_error(d, v->mark, "«%s» (%s): ожидалось true или false, а здесь «%s»", path,
                       f->what, v->str);
            return false;
        }
        return true;
    case KS_CONTENT:
        return check_content(v, f, path, d);
    case KS_PEOPLE: /* the items: kind_acquaintance */
        if (v->kind == YL_SCALAR)
            return check_string(v, f, path, d);
        return expect_kind(v, YL_SEQ, f, path, d);
    case KS_PARTS: /* the items: kind_check_parts, by the kind once the fields passed */
    case KS_BODY:  /* the text: kind_text_check_body, through kind_check_part */
        return expect_kind(v, YL_SEQ, f, path, d);
    }
    return false;
}

bool kind_check_part(const yl_node *v, const kind_field *item, const char *path, diag *d)
{
    if (!expect_kind(v, YL_MAP, item, path, d) || !kind_check_map(v, item->fields, path, d))
        return false;
    bool ok = true;
    for (const kind_field *f = item->fields; f->key; f++)
        if (f->type == KS_BODY)
            ok &= kind_text_check_body(yl_map_get(v, f->key), path, d);
    return ok;
}

bool kind_check_parts(const yl_node *list, const kind_field *f, const char *path, diag *d)
{
    bool ok = true;
    for (size_t i = 0; list && list->kind == YL_SEQ && i < list->n; i++) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i + 1);
        ok &= kind_check_part(list->items[i], f->item, sub, d);
    }
    return ok;
}

/* A field key ending in '*' stands for every key with that prefix: the
 * report's `responses_…` keys that include gives CSV files. */
static bool key_glob(const char *pattern, const char *key)
{
    size_t len = strlen(pattern);
    return len && pattern[len - 1] == '*' && !strncmp(pattern, key, len - 1);
}

/* Whether key is a field of school.yaml's «school:» (name, director …). */
static bool school_field(const char *key)
{
    for (const kind_field *f = kind_school_fields; f->key; f++)
        if (!strcmp(f->key, key))
            return true;
    return false;
}

bool kind_check_map(const yl_node *map, const kind_field *fields, const char *path, diag *d)
{
    bool ok = true;
    const char *known[64];
    size_t nknown = 0;
    for (const kind_field *f = fields; f->key && nknown < 64; f++)
        known[nknown++] = f->key;
    bool school_said = false;
    for (size_t i = 0; i < map->n; i++) {
        const yl_node *k = map->pairs[i].key;
        const kind_field *f = NULL;
        for (const kind_field *g = fields; g->key; g++)
            if (!strcmp(g->key, k->str) || key_glob(g->key, k->str))
                f = g;
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k->str);
        if (!f && *path &&
            (!strcmp(k->str, "include") || !strcmp(k->str, "document") ||
             !strcmp(k->str, "template"))) {
            /* a top-level key indented under «order:» */
            diag_error(d, k->mark,
                       "ключ «%s» стоит внутри «%s», а пишется в начале строки, без отступа, "
                       "на верхнем уровне файла (рядом с document); уберите пробелы перед ним",
                       k->str, path);
            ok = false;
            continue;
        }
        if (!f && !*path && school_field(k->str)) {
            /* school.yaml without its «school:» line: one message, at the first key */
            if (!school_said)
                diag_error(d, k->mark,
                           "ключ «%s» — поле реквизитов школы, а стоит на верхнем уровне; "
                           "реквизиты (name, short_name, director …) пишутся под строкой "
                           "«school:» с отступом в два пробела (в school.yaml это его первая "
                           "строка)",
                           k->str);
            school_said = true;
            ok = false;
            continue;
        }
        if (!f) {
            diag_unknown_key(d, k->mark, k->str, sub, NULL, known, nknown);
            ok = false;
            continue;
        }
        const yl_node *v = map->pairs[i].value;
        bool good = kind_check_value(v, f, sub, d);
        ok &= good;
        /* a required field written empty prints nothing where the reader
         * expects it: valid, but most likely a mistake */
        if (good && f->required && v->kind == YL_SCALAR && is_blank(v))
            diag_warning(d, v->mark,
                         "«%s» (%s) — пустая строка: в документе на её месте ничего "
                         "не будет",
                         sub, f->what);
        else if (good && f->required && v->kind == YL_SEQ && v->n == 0)
            diag_warning(d, v->mark, "«%s» (%s) — пустой список: в документе ничего не будет", sub,
                         f->what);
    }
    for (const kind_field *f = fields; f->key; f++) {
        if (!f->required || yl_map_get(map, f->key))
            continue;
        diag_error(d, map->mark, "нет обязательного поля «%s%s%s» (%s)", path, *path ? "." : "",
                   f->key, f->what);
        ok = false;
    }
    return ok;
}

yl_node *kind_scalar(arena *a, const char *s, src_mark at)
{
    yl_node *n = arena_alloc(a, sizeof *n);
    *n = (yl_node){.kind = YL_SCALAR, .mark = at, .str = arena_strdup(a, s), .len = strlen(s)};
    return n;
}

yl_node *kind_map_set(arena *a, const yl_node *map, const char *key, const yl_node *value)
{
    yl_node *m = arena_alloc(a, sizeof *m);
    *m = *map;
    m->pairs = arena_alloc(a, (map->n + 1) * sizeof *m->pairs);
    if (map->n) /* an empty map built here has no pairs at all */
        memcpy(m->pairs, map->pairs, map->n * sizeof *m->pairs);
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->pairs[i].key->str, key)) {
            m->pairs[i].value = (yl_node *)value;
            return m;
        }
    yl_node *k = arena_alloc(a, sizeof *k);
    *k = (yl_node){.kind = YL_SCALAR,
                   .mark = value->mark,
                   .str = arena_strdup(a, key),
                   .len = strlen(key),
                   .plain = true};
    m->pairs[m->n++] = (yl_pair){k, (yl_node *)value};
    return m;
}

/* ---- «С приказом ознакомлены» (kinds.h: kind_acquaintance) ---------------- */

/* Depth of nested points walked for `people`: the loader's own limit. */
#define PEOPLE_MAX_DEPTH YL_MAX_DEPTH

/* The people the points name (`people` of each point, at any depth), in
 * order, each once (names compared as written). false after a message when
 * there are more than KIND_MAX_PEOPLE. */
static bool collect_people(const yl_node *points, yl_node *seq, unsigned depth, diag *d)
{
    if (!points || points->kind != YL_SEQ || depth >= PEOPLE_MAX_DEPTH)
        return true;
    for (size_t i = 0; i < points->n; i++) {
        const yl_node *p = points->items[i], *who = yl_map_get(p, "people");
        size_t n = who ? (who->kind == YL_SEQ ? who->n : 1) : 0;
        for (size_t k = 0; k < n; k++) {
            const yl_node *name = who->kind == YL_SEQ ? who->items[k] : who;
            bool seen = false;
            for (size_t j = 0; j < seq->n && !seen; j++)
                seen = !strcmp(yl_str(seq->items[j]), yl_str(name));
            if (seen)
                continue;
            if (seq->n == KIND_MAX_PEOPLE) {
                diag_error(d, name->mark,
                           "пункты называют больше %d человек для листа "
                           "ознакомления: перечислите их в acquainted",
                           KIND_MAX_PEOPLE);
                return false;
            }
            seq->items[seq->n++] = (yl_node *)name;
        }
        if (!collect_people(yl_map_get(p, "points"), seq, depth + 1, d))
            return false;
    }
    return true;
}

const kind_field kind_signer_fields[] = {{"name", KS_STRING, true, "ФИО", NULL, NULL},
                                         {"position", KS_STRING, false, "должность", NULL, NULL},
                                         {NULL, 0, false, NULL, NULL, NULL}};

const yl_node *kind_acquaintance(arena *a, const yl_node *order, diag *d, bool *ok)
{
    const yl_node *list = yl_map_get(order, "acquainted");
    yl_node *people = arena_alloc(a, sizeof *people);
    *people = (yl_node){.kind = YL_SEQ, .mark = order->mark};
    if (list && list->kind == YL_SCALAR) {
        /* one person */
        people->items = arena_alloc(a, sizeof *people->items);
        people->items[people->n++] = (yl_node *)list;
    } else if (list) {
        for (size_t i = 0; i < list->n; i++) {
            const yl_node *p = list->items[i];
            if (p->kind == YL_MAP) {
                *ok &= kind_check_map(p, kind_signer_fields, "acquainted", d);
            } else if (!yl_str(p)) {
                diag_error(d, p->mark,
                           "acquainted: ожидалось ФИО (строка) или словарь {name, position}");
                *ok = false;
            }
        }
        people = (yl_node *)list;
    } else {
        people->items = arena_alloc(a, KIND_MAX_PEOPLE * sizeof *people->items);
        *ok = collect_people(yl_map_get(order, "points"), people, 0, d);
    }
    if (!*ok || people->n == 0)
        return NULL;
    const yl_node *title = yl_map_get(order, "acquaintance");
    if (!title)
        title = kind_scalar(
            a,
            people->n == 1 ? "С приказом ознакомлен(а):" : "С приказом ознакомлены:", people->mark);
    yl_node *m = arena_alloc(a, sizeof *m);
    *m = (yl_node){.kind = YL_MAP, .mark = people->mark};
    return kind_map_set(a, kind_map_set(a, m, "title", title), "people", people);
}

const kind_field kind_person_fields[] = {
    {"name", KS_STRING, true, "ФИО", NULL, NULL},
    {"position", KS_STRING, true, "должность", NULL, NULL},
    {"gender", KS_STRING, false, "пол: м или ж", NULL, NULL},
    {"dative", KS_STRING, false, "ФИО в дательном падеже", NULL, NULL},
    {"genitive", KS_STRING, false, "ФИО в родительном падеже", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

const kind_field kind_school_fields[] = {
    {"name", KS_STRING, true, "полное наименование организации", NULL, NULL},
    {"short_name", KS_STRING, false, "сокращённое наименование", NULL, NULL},
    {"header", KS_TEXT, false, "строки над наименованием в шапке", NULL, NULL},
    {"genitive", KS_STRING, false, "кого приказ, в родительном падеже", NULL, NULL},
    {"city", KS_STRING, false, "место составления, например «г. Братск»", NULL, NULL},
    {"address", KS_STRING, false, "адрес", NULL, NULL},
    {"phone", KS_STRING, false, "телефон", NULL, NULL},
    {"email", KS_STRING, false, "электронная почта", NULL, NULL},
    {"inn", KS_STRING, false, "ИНН", NULL, NULL},
    {"director", KS_MAP, false, "руководитель", kind_person_fields, NULL},
    {"curator", KS_MAP, false, "куратор наставничества", kind_person_fields, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field annex_of_fields[] = {
    {"annex", KS_STRING, false, "номер приложения", NULL, NULL},
    {"number", KS_STRING, true, "номер приказа", NULL, NULL},
    {"date", KS_DATE, true, "дата приказа", NULL, NULL},
    {"org", KS_STRING, false, "чей приказ, в родительном падеже (директора МБОУ …)", NULL, NULL},
    {"title", KS_LINES, false, "заголовок приказа «О …»", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* GOST R 7.0.97-2016 §5.17 (the annex mark of an annex to an order):
 * «Приложение № 2 / к приказу департамента образования … / от 18.10.2021 № 669». */
yl_node *kind_annex_mark(arena *a, const yl_node *annex_of, const yl_node *school)
{
    src_mark at = annex_of->mark;
    const yl_node *v;
    yl_node *seq = arena_alloc(a, sizeof *seq);
    *seq = (yl_node){.kind = YL_SEQ, .mark = at};
    seq->items = arena_alloc(a, 3 * sizeof *seq->items);
    const char *no = yl_str(yl_map_get(annex_of, "annex"));
    seq->items[seq->n++] =
        kind_scalar(a, no ? arena_printf(a, "Приложение №\u00A0%s", no) : "Приложение", at);
    const char *org = yl_str(yl_map_get(annex_of, "org"));
    if (!org && (v = yl_map_get(annex_of, "title"))) {
        buf t;
        buf_init(&t);
        for (size_t i = 0; i < (v->kind == YL_SEQ ? v->n : 1); i++)
            buf_printf(&t, "%s%s", i ? " " : "", yl_str(v->kind == YL_SEQ ? v->items[i] : v));
        org = arena_printf(a, "«%s»", t.data ? t.data : "");
        buf_fini(&t);
    }
    if (!org)
        org = yl_str(yl_map_get(school, "genitive"));
    seq->items[seq->n++] =
        kind_scalar(a, org ? arena_printf(a, "к приказу %s", org) : "к приказу", at);
    int y = 0, m = 0, dd = 0;
    date_parse(yl_str(yl_map_get(annex_of, "date")), &y, &m, &dd);
    seq->items[seq->n++] = kind_scalar(a,
                                       arena_printf(a, "от %02d.%02d.%04d №\u00A0%s", dd, m, y,
                                                    yl_str(yl_map_get(annex_of, "number"))),
                                       at);
    return seq;
}

/* The registry: every kind the program knows. */
static const kind_def *const registry[] = {
    &kind_order,       &kind_roadmap, &kind_registry,  &kind_pairs_order,   &kind_curator_order,
    &kind_application, &kind_text,    &kind_agreement, &kind_questionnaire, &kind_report};
enum { NKINDS = sizeof registry / sizeof *registry };

/* Kinds whose documents come one per item of a top-level list, the item
 * bound to a key: the agreement, one PDF per partner. */
static const struct variant_def {
    const kind_def *kind;
    const char *list, *key;
    const char *(*label)(const yl_node *item);
} variant_defs[] = {{&kind_agreement, "partners", "partner", kind_agreement_label}};

const char *kinds_variant_label(const yl_node *root, const yl_node *item)
{
    const yl_node *doc = yl_map_get(root, "document");
    for (size_t i = 0; doc && yl_str(doc) && i < sizeof variant_defs / sizeof *variant_defs; i++)
        if (!strcmp(yl_str(doc), variant_defs[i].kind->name))
            return variant_defs[i].label(item);
    return NULL;
}

const yl_node *kinds_variants(const yl_node *root, const char **key)
{
    const yl_node *doc = root && root->kind == YL_MAP ? yl_map_get(root, "document") : NULL;
    for (size_t i = 0; doc && yl_str(doc) && i < sizeof variant_defs / sizeof *variant_defs; i++) {
        const struct variant_def *v = &variant_defs[i];
        if (strcmp(yl_str(doc), v->kind->name) || yl_map_get(root, v->key))
            continue;
        const yl_node *list = yl_map_get(root, v->list);
        *key = v->key;
        return list && list->kind == YL_SEQ && list->n ? list : NULL;
    }
    return NULL;
}

/* The fields every document has beside its kind's own: checked here and
 * taken out before the kind's check (run_kind). annex_of is the order the
 * document is an annex of; typography `keep` sets quotes and dashes as typed
 * (template.c reads it from the data). */
const kind_field kind_common_fields[] = {
    {"document", KS_STRING, true, "вид документа", NULL, NULL},
    {"template", KS_STRING, false, "свой шаблон", NULL, NULL},
    {"annex_of", KS_MAP, false, "приказ, к которому документ приложен", annex_of_fields, NULL},
    {"typography", KS_STRING, false, "типографика (keep: кавычки и тире как набраны)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static bool is_common(const char *key)
{
    for (const kind_field *f = kind_common_fields; f->key; f++)
        if (!strcmp(f->key, key))
            return true;
    return false;
}

/* The common fields and the kind's, in a: what a document may hold. */
static const kind_field *with_common(arena *a, const kind_field *fields)
{
    size_t n = 0, c = 0;
    while (fields[n].key)
        n++;
    while (kind_common_fields[c].key)
        c++;
    kind_field *all = arena_alloc(a, (c + n + 1) * sizeof *all);
    memcpy(all, kind_common_fields, c * sizeof *all);
    memcpy(all + c, fields, (n + 1) * sizeof *all);
    return all;
}

/* root without the common fields: a shallow copy in a, or root itself. */
static const yl_node *without_common(arena *a, const yl_node *root)
{
    size_t common = 0;
    for (size_t i = 0; i < root->n; i++)
        common += is_common(root->pairs[i].key->str);
    if (!common)
        return root;
    yl_node *m = arena_alloc(a, sizeof *m);
    *m = *root;
    m->pairs = arena_alloc(a, root->n * sizeof *m->pairs);
    m->n = 0;
    for (size_t i = 0; i < root->n; i++)
        if (!is_common(root->pairs[i].key->str))
            m->pairs[m->n++] = root->pairs[i];
    return m;
}

size_t kinds_count(void)
{
    return NKINDS;
}

const kind_def *kinds_at(size_t i)
{
    return i < NKINDS ? registry[i] : NULL;
}

const kind_def *kinds_find(const char *name)
{
    for (size_t i = 0; name && i < NKINDS; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

/* The common fields are checked with the kind's own and taken out before
 * the kind computes; typography goes back into its data, annex_of as its
 * mark. */
static bool run_kind(const kind_def *k, const yl_node *root, const yl_node *as_annex, arena *a,
                     diag *d, kind_result *out)
{
    const yl_node *annex_of = yl_map_get(root, "annex_of");
    const yl_node *typo = yl_map_get(root, "typography");
    const yl_node *body = without_common(a, root);
    if (!kind_check_map(root, with_common(a, k->fields), "", d) ||
        !k->compute(body, a, d, &out->data))
        return false;
    if (typo)
        out->data = kind_map_set(a, out->data, "typography", typo);
    if (as_annex)
        annex_of = as_annex;
    if (annex_of)
        out->data = kind_map_set(a, out->data, "annex_mark",
                                 kind_annex_mark(a, annex_of, yl_map_get(out->data, "school")));
    out->template = k->template;
    out->annexes = yl_map_get(out->data, "annex_documents");
    return true;
}

/* No «document:» in root: a slip in the key itself («Document:»), a data
 * file given as a document (school.yaml), or the key forgotten. */
static void report_no_document(const yl_node *root, diag *d)
{
    /* «Document:», «dоcument:» with a Cyrillic «о», «docment:» */
    static const char *const document_key[] = {"document"};
    for (size_t i = 0; i < root->n; i++) {
        const yl_node *k = root->pairs[i].key;
        if (diag_suggest(k->str, document_key, 1)) {
            diag_unknown_key(d, k->mark, k->str, NULL, NULL, document_key, 1);
            return;
        }
    }
    /* school.yaml, people.yaml … given to render: data, not a document */
    static const char *const data_keys[] = {"school", "people", "pairs", "partners", "surveys"};
    const size_t ndata = sizeof data_keys / sizeof *data_keys;
    for (size_t i = 0; i < root->n; i++) {
        const yl_node *k = root->pairs[i].key;
        /* written in this file, not brought by its include */
        bool own = k->mark.file && root->mark.file && !strcmp(k->mark.file, root->mark.file);
        for (size_t j = 0; own && j < ndata; j++)
            if (!strcmp(k->str, data_keys[j])) {
                diag_error(d, root->mark,
                           "нет ключа document: это файл общих данных («%s»), а не "
                           "документ; его подключают документы строкой include (например, "
                           "«include: [school.yaml]»), а PDF делается из документа — файла "
                           "с «document: order» и т. п.",
                           data_keys[j]);
                return;
            }
    }
    diag_error(d, root->mark, "нет ключа document: укажите вид документа, например «document: %s»",
               registry[0]->name);
}

static bool check_kind(const yl_node *root, const yl_node *as_annex, arena *a, diag *d,
                       kind_result *out);

bool kinds_check(const yl_node *root, arena *a, diag *d, kind_result *out)
{
    return check_kind(root, NULL, a, d, out);
}

bool kinds_check_annex(const yl_node *root, const yl_node *annex_of, arena *a, diag *d,
                       kind_result *out)
{
    return check_kind(root, annex_of, a, d, out);
}

/* A {{…}} hole written in the data is never filled: data values are
 * printed as typed (template.c). Said once per value, over the whole tree
 * (an explicit stack: the tree is at most YL_MAX_DEPTH deep). */
static void warn_holes(const yl_node *root, diag *d)
{
    enum { STACK = YL_MAX_DEPTH + 1 };
    struct {
        const yl_node *n;
        size_t i;
    } st[STACK];
    size_t depth = 0;
    st[depth].n = root;
    st[depth++].i = 0;
    while (depth) {
        const yl_node *n = st[depth - 1].n;
        if (n->kind == YL_SCALAR) {
            const char *open = strstr(n->str, "{{");
            if (open && strstr(open, "}}"))
                diag_warning(d, n->mark,
                             "«{{…}}» в данных не подставляется и напечатается как есть: "
                             "подстановки работают только в шаблоне; впишите сам текст");
            depth--;
            continue;
        }
        size_t i = st[depth - 1].i++;
        if (i >= n->n) {
            depth--;
            continue;
        }
        const yl_node *child = n->kind == YL_SEQ ? n->items[i] : n->pairs[i].value;
        if (depth < STACK) {
            st[depth].n = child;
            st[depth++].i = 0;
        }
    }
}

/* school.short_name is printed only in the file's properties and in the
 * order's «к приказу …»: without it, the full name stands in. */
static const yl_node *school_defaults(const yl_node *root, arena *a)
{
    const yl_node *school = yl_map_get(root, "school");
    if (!school || yl_map_get(school, "short_name") || !yl_str(yl_map_get(school, "name")))
        return root;
    return kind_map_set(a, root, "school",
                        kind_map_set(a, school, "short_name", yl_map_get(school, "name")));
}

/* The kind a Russian name of a document means («document: приказ»): the
 * README's names of the kinds, lower case; NULL for another word. */
static const char *russian_kind(arena *a, const char *word)
{
    static const struct {
        const char *ru, *kind;
    } names[] = {
        {"приказ", "order"},          {"дорожная карта", "roadmap"}, {"план", "roadmap"},
        {"график", "roadmap"},        {"база", "registry"},          {"реестр", "registry"},
        {"заявление", "application"}, {"соглашение", "agreement"},   {"договор", "agreement"},
        {"положение", "text"},        {"программа", "text"},         {"текст", "text"},
        {"анкета", "questionnaire"},  {"бланк", "questionnaire"},    {"отчёт", "report"},
        {"отчет", "report"},
    };
    /* «приказ», «Приказ о …»: the name, then the end or a space, in any case */
    const char *low = names_lower(a, word);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t n = strlen(names[i].ru);
        if (!strncmp(low, names[i].ru, n) && (low[n] == 0 || low[n] == ' '))
            return names[i].kind;
    }
    return NULL;
}

static bool check_kind(const yl_node *root, const yl_node *as_annex, arena *a, diag *d,
                       kind_result *out)
{
    if (root->kind != YL_MAP) {
        diag_error(d, root->mark, "документ должен быть словарём с ключом document");
        return false;
    }
    const yl_node *doc = yl_map_get(root, "document");
    if (!doc) {
        report_no_document(root, d);
        return false;
    }
    warn_holes(root, d);
    root = school_defaults(root, a);
    const char *names[NKINDS];
    for (size_t i = 0; i < NKINDS; i++) {
        names[i] = registry[i]->name;
        if (yl_str(doc) && !strcmp(yl_str(doc), registry[i]->name))
            return run_kind(registry[i], root, as_annex, a, d, out);
    }
    const char *near = yl_str(doc) ? diag_suggest(yl_str(doc), names, NKINDS) : NULL;
    const char *ru = yl_str(doc) ? russian_kind(a, yl_str(doc)) : NULL;
    if (ru) {
        diag_error(d, doc->mark,
                   "неизвестный вид документа «%s»: вид пишется латиницей, как в README; для "
                   "этого документа — «document: %s»",
                   yl_str(doc), ru);
        return false;
    }
    if (near) {
        diag_error(d, doc->mark, "неизвестный вид документа «%s»; может быть, «%s»?", yl_str(doc),
                   near);
        return false;
    }
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < NKINDS; i++)
        buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == NKINDS ? " и " : ", ", names[i]);
    diag_error(d, doc->mark, "неизвестный вид документа «%s»: поддерживаются %s",
               yl_str(doc) ? yl_str(doc) : "?", b.data);
    buf_fini(&b);
    return false;
}
