/* kinds/people: people and pairs of a dossier, their Russian column names,
 * references and the programme's rules (seed 004: 4.6 at most two mentees at
 * once outside a group form, 4.7 at most one calendar year per pair). */
#include "people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../date.h"

/* ---- field tables and the Russian column names ------------------------- */

static const kind_field person_fields[] = {
    {"id", KS_STRING, false, "код человека для ссылок из пар", NULL, NULL},
    {"name", KS_STRING, false, "ФИО одной строкой", NULL, NULL},
    {"surname", KS_STRING, false, "фамилия", NULL, NULL},
    {"first_name", KS_STRING, false, "имя", NULL, NULL},
    {"patronymic", KS_STRING, false, "отчество", NULL, NULL},
    {"gender", KS_STRING, false, "пол: м или ж", NULL, NULL},
    {"role", KS_STRING, false, "роль (обучающийся, педагог, студент …)", NULL, NULL},
    {"class", KS_STRING, false, "класс или группа", NULL, NULL},
    {"position", KS_STRING, false, "должность", NULL, NULL},
    {"organisation", KS_STRING, false, "место работы или учёбы", NULL, NULL},
    {"birth_year", KS_STRING, false, "год рождения", NULL, NULL},
    {"contacts", KS_TEXT, false, "контактные данные", NULL, NULL},
    {"competences", KS_TEXT, false, "основные компетенции", NULL, NULL},
    {"interests", KS_TEXT, false, "интересы", NULL, NULL},
    {"achievements", KS_TEXT, false, "достижения", NULL, NULL},
    {"time", KS_STRING, false, "ресурс времени на программу", NULL, NULL},
    {"wished_age", KS_STRING, false, "желаемый возраст наставляемых", NULL, NULL},
    {"request", KS_TEXT, false, "основной запрос наставляемого", NULL, NULL},
    {"base", KS_STRING, false, "база: наставник или наставляемый", NULL, NULL},
    {"dative", KS_STRING, false, "ФИО в дательном падеже (кому)", NULL, NULL},
    {"genitive", KS_STRING, false, "ФИО в родительном падеже (кого)", NULL, NULL},
    {"note", KS_TEXT, false, "примечание", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field pair_fields[] = {
    {"mentor", KS_STRING, true, "наставник (id или ФИО)", NULL, NULL},
    {"mentees", KS_STRINGS, false, "наставляемые (id или ФИО)", NULL, NULL},
    {"mentee", KS_STRINGS, false, "наставляемый (id или ФИО)", NULL, NULL},
    {"form", KS_STRING, true, "форма наставничества", NULL, NULL},
    {"role_model", KS_STRING, false, "ролевая модель", NULL, NULL},
    {"group", KS_BOOL, false, "групповая форма: true", NULL, NULL},
    {"start", KS_STRING, false, "дата начала", NULL, NULL},
    {"end", KS_STRING, false, "дата окончания", NULL, NULL},
    {"request", KS_TEXT, false, "основной запрос", NULL, NULL},
    {"goals", KS_TEXT, false, "цели", NULL, NULL},
    {"result", KS_TEXT, false, "результаты", NULL, NULL},
    {"link", KS_STRING, false, "ссылка на кейс или отзыв", NULL, NULL},
    {"done", KS_STRING, false, "отметка о прохождении программы", NULL, NULL},
    {"note", KS_TEXT, false, "примечание", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field form_fields[] = {
    {"name", KS_STRING, true, "название формы, например «выпускник – ученик»", NULL, NULL},
    {"group", KS_BOOL, false, "групповая форма", NULL, NULL},
    {"teachers", KS_BOOL, false, "форма для педагогов", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* Column names of spreadsheets, normalised (lower case, ё as е, single
 * spaces): those of seed 004's Приложения 3 and 4 and the usual short ones.
 * key NULL: a column to skip (the row number). */
static const kind_alias person_aliases[] = {
    {"№", NULL},
    {"№ п/п", NULL},
    {"код", "id"},
    {"фио", "name"},
    {"ф.и.о.", "name"},
    {"фамилия имя отчество", "name"},
    {"фио наставника", "name"},
    {"фио наставляемого", "name"},
    {"фамилия", "surname"},
    {"имя", "first_name"},
    {"отчество", "patronymic"},
    {"пол", "gender"},
    {"роль", "role"},
    {"категория", "role"},
    {"класс", "class"},
    {"группа", "class"},
    {"класс/группа", "class"},
    {"должность", "position"},
    {"организация", "organisation"},
    {"место работы/учебы", "organisation"},
    {"место работы", "organisation"},
    {"место учебы", "organisation"},
    {"место работы/учебы наставника", "organisation"},
    {"год рождения", "birth_year"},
    {"год рождения наставляемого", "birth_year"},
    {"контакты", "contacts"},
    {"контактные данные", "contacts"},
    {"контактные данные для связи", "contacts"},
    {"контактные данные для связи (данные представителя)", "contacts"},
    {"компетенции", "competences"},
    {"основные компетенции", "competences"},
    {"основные компетенции наставника", "competences"},
    {"интересы", "interests"},
    {"интересы наставника", "interests"},
    {"достижения", "achievements"},
    {"важные для программы достижения наставника", "achievements"},
    {"ресурс времени", "time"},
    {"ресурс времени на программу наставничества", "time"},
    {"желаемый возраст наставляемых", "wished_age"},
    {"запрос", "request"},
    {"основной запрос", "request"},
    {"основной запрос наставляемого", "request"},
    {"база", "base"},
    {"дательный падеж", "dative"},
    {"родительный падеж", "genitive"},
    {"примечание", "note"},
    {NULL, NULL}};

static const kind_alias pair_aliases[] = {{"№", NULL},
                                          {"№ п/п", NULL},
                                          {"наставник", "mentor"},
                                          {"фио наставника", "mentor"},
                                          {"наставляемый", "mentees"},
                                          {"наставляемые", "mentees"},
                                          {"фио наставляемого", "mentees"},
                                          {"фио наставляемого (наставляемых)", "mentees"},
                                          {"форма", "form"},
                                          {"форма наставничества", "form"},
                                          {"ролевая модель", "role_model"},
                                          {"модель", "role_model"},
                                          {"групповая", "group"},
                                          {"начало", "start"},
                                          {"дата начала", "start"},
                                          {"дата вхождения в программу", "start"},
                                          {"окончание", "end"},
                                          {"дата окончания", "end"},
                                          {"дата завершения", "end"},
                                          {"дата завершения программы", "end"},
                                          {"запрос", "request"},
                                          {"основной запрос", "request"},
                                          {"цели", "goals"},
                                          {"цель", "goals"},
                                          {"результат", "result"},
                                          {"результаты", "result"},
                                          {"результаты программы", "result"},
                                          {"ссылка", "link"},
                                          {"ссылка на кейс/отзыв", "link"},
                                          {"отметка о прохождении программы", "done"},
                                          {"примечание", "note"},
                                          {NULL, NULL}};

/* The lists of people.yaml and pairs.yaml (or their CSV files), as the
 * checks below read them and `nastavdoc schema people|pairs` prints them. */
static const kind_list people_list = {"people",      "люди программы: наставники и наставляемые",
                                      person_fields, person_aliases,
                                      true,          false};
static const kind_list pairs_list = {
    "pairs", "наставнические пары и группы", pair_fields, pair_aliases, true, false};
static const kind_list forms_list = {
    "forms",     "свои формы наставничества: название или {name, group, teachers}",
    form_fields, NULL,
    true,        true};
static const kind_list *const people_lists[] = {&people_list, NULL};
static const kind_list *const pairs_lists[] = {&pairs_list, &forms_list, NULL};
const kind_data_file kind_people_file = {"people", "люди программы (people.yaml)", people_lists};
const kind_data_file kind_pairs_file = {"pairs", "наставнические пары (pairs.yaml)", pairs_lists};

/* Lower case, ё as е, dashes as « – », quotes dropped, single spaces. */
static const char *normalise(arena *a, const char *s, bool dashes)
{
    const char *low = names_lower(a, s);
    buf b;
    buf_init(&b);
    bool space = true; /* drop leading spaces */
    for (const char *p = low; *p;) {
        uint32_t cp;
        size_t k = utf8_next(p, strlen(p), &cp);
        p += k;
        if (cp == 0x0451)
            cp = 0x0435;
        if (cp == 0xAB || cp == 0xBB || cp == '"')
            continue;
        if (dashes && (cp == '-' || cp == 0x2013 || cp == 0x2014)) {
            if (!space)
                buf_putc(&b, ' ');
            buf_puts(&b, "– ");
            space = true;
            continue;
        }
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
            if (!space)
                buf_putc(&b, ' ');
            space = true;
            continue;
        }
        buf_put_cp(&b, cp);
        space = false;
    }
    while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == ':'))
        b.data[--b.len] = '\0';
    const char *r = arena_strdup(a, b.data ? b.data : "");
    buf_fini(&b);
    return r;
}

static bool is_empty(const yl_node *v)
{
    return !v || yl_is_null(v) || (v->kind == YL_SCALAR && v->len == 0);
}

/* item (a map of a YAML list or a CSV row) with its keys mapped to ours:
 * a Russian column name becomes its key, empty cells are dropped; unknown
 * keys are reported. NULL when item is not a map. */
static yl_node *map_keys(kind_people *p, const yl_node *item, const kind_list *list)
{
    const kind_field *fields = list->fields;
    const kind_alias *aliases = list->aliases;
    const char *what = list->key;
    if (item->kind != YL_MAP) {
        diag_error(p->d, item->mark, "%s: ожидался словарь полей, а здесь %s", what,
                   yl_kind_name(item->kind));
        return NULL;
    }
    yl_node *m = arena_alloc(p->a, sizeof *m);
    *m = *item;
    m->pairs = arena_alloc(p->a, (item->n ? item->n : 1) * sizeof *m->pairs);
    m->n = 0;
    /* the keys, then the column names: a misspelt Russian header gets the
     * closest Russian name as its suggestion */
    enum { MAX_KNOWN = 128 };
    const char *known[MAX_KNOWN];
    size_t nknown = 0, nkeys;
    for (const kind_field *f = fields; f->key && nknown < MAX_KNOWN; f++)
        known[nknown++] = f->key;
    nkeys = nknown;
    for (const kind_alias *al = aliases; al->name && nknown < MAX_KNOWN; al++)
        known[nknown++] = al->name;
    for (size_t i = 0; i < item->n; i++) {
        const yl_node *k = item->pairs[i].key, *v = item->pairs[i].value;
        const char *key = NULL;
        for (size_t j = 0; j < nkeys && !key; j++)
            if (!strcmp(k->str, known[j]))
                key = known[j];
        bool skip = false;
        if (!key) {
            const char *n = normalise(p->a, k->str, false);
            for (const kind_alias *al = aliases; al->name && !key && !skip; al++)
                if (!strcmp(n, al->name)) {
                    key = al->key;
                    skip = !al->key;
                }
        }
        if (skip || (key && is_empty(v)))
            continue;
        if (!key) {
            const char *low = normalise(p->a, k->str, false);
            const char *near = diag_suggest(low, known, nknown);
            if (near)
                diag_error(p->d, k->mark, "неизвестное поле «%s» в %s; может быть, «%s»?", k->str,
                           what, near);
            else
                diag_unknown_key(p->d, k->mark, k->str, NULL, what, known, nkeys);
            continue;
        }
        if (yl_map_get(m, key)) {
            diag_error(p->d, k->mark, "поле «%s» (%s) уже задано в этой строке", k->str, key);
            continue;
        }
        /* a key written as ours is kept as it is */
        yl_node *nk = !strcmp(k->str, key) ? (yl_node *)k : kind_scalar(p->a, key, k->mark);
        m->pairs[m->n++] = (yl_pair){nk, (yl_node *)v};
    }
    return m;
}

/* ---- dates ------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool kind_people_parse_date(const char *s, long *day)
{
    int y, m, d;
    char iso[16];
    if (strlen(s) == 10 && s[2] == '.' && s[5] == '.') {
        /* ДД.ММ.ГГГГ, as spreadsheets export dates */
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
        s = iso;
    }
    if (!date_parse(s, &y, &m, &d))
        return false;
    *day = days_from_civil(y, m, d);
    return true;
}

/* The civil date of a day number (Howard Hinnant's civil_from_days). */
static void civil_from_days(long day, long *y_out, long *m_out, long *d_out)
{
    long z = day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    *y_out = yoe + era * 400 + (m <= 2);
    *m_out = m;
    *d_out = d;
}

const char *kind_people_date(arena *a, long day)
{
    long y, m, d;
    civil_from_days(day, &y, &m, &d);
    return arena_printf(a, "%02ld.%02ld.%04ld", d, m, y);
}

/* The first day that is more than one calendar year after start: the same
 * date a year later (29 February: 1 March). */
static long year_after(long start)
{
    long y, m, d;
    civil_from_days(start, &y, &m, &d);
    if (m == 2 && d == 29)
        m = 3, d = 1;
    return days_from_civil((int)y + 1, (int)m, (int)d);
}

static long read_date(kind_people *p, const yl_node *v, const char *what, bool *ok)
{
    long day;
    if (is_empty(v))
        return KIND_NO_DATE;
    if (yl_str(v) && kind_people_parse_date(v->str, &day))
        return day;
    const char *s = yl_str(v);
    char guess[11];
    bool shaped =
        s && strlen(s) == 10 && ((s[4] == '-' && s[7] == '-') || (s[2] == '.' && s[5] == '.'));
    int year = shaped ? date_year_outside(s[2] == '.' ? s + 6 : s) : -1;
    if (year >= 0)
        diag_error(p->d, v->mark, "%s: дата «%s» — год %d вне %d–%d; проверьте год", what, s, year,
                   DATE_MIN_YEAR, DATE_MAX_YEAR);
    else if (shaped)
        diag_error(p->d, v->mark, "%s: даты «%s» не существует; проверьте число и месяц", what, s);
    else if (s && kind_date_guess(s, guess))
        diag_error(p->d, v->mark,
                   "%s: ожидалась дата ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а здесь «%s»; пишите %s", what, s,
                   guess);
    else
        diag_error(p->d, v->mark, "%s: ожидалась дата ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а здесь «%s»",
                   what, s ? s : yl_kind_name(v->kind));
    *ok = false;
    return KIND_NO_DATE;
}

/* ---- roles and forms --------------------------------------------------- */

const char *const kind_people_roles[] = {"обучающийся",  "педагог",   "студент",
                                         "работодатель", "выпускник", NULL};
enum { ROLE_PUPIL, ROLE_TEACHER, ROLE_STUDENT, ROLE_EMPLOYER, ROLE_GRADUATE };

/* Other words for the roles (issue 9: «учитель», «преподаватель»,
 * «сотрудник предприятия» …), normalised. */
static const struct {
    const char *name;
    int role;
} role_aliases[] = {
    {"ученик", ROLE_PUPIL},
    {"ученица", ROLE_PUPIL},
    {"учитель", ROLE_TEACHER},
    {"преподаватель", ROLE_TEACHER},
    {"сотрудник", ROLE_EMPLOYER},
    {"сотрудник предприятия", ROLE_EMPLOYER},
    {"наставник-работодатель", ROLE_EMPLOYER},
};

static int read_role(kind_people *p, const yl_node *v, bool *ok)
{
    if (is_empty(v) || !yl_str(v))
        return -1;
    const char *n = normalise(p->a, v->str, false);
    for (int i = 0; kind_people_roles[i]; i++)
        if (!strcmp(n, kind_people_roles[i]))
            return i;
    for (size_t i = 0; i < sizeof role_aliases / sizeof *role_aliases; i++)
        if (!strcmp(n, role_aliases[i].name))
            return role_aliases[i].role;
    const char *names[5 + sizeof role_aliases / sizeof *role_aliases];
    size_t nn = 0;
    for (int i = 0; kind_people_roles[i]; i++)
        names[nn++] = kind_people_roles[i];
    for (size_t i = 0; i < sizeof role_aliases / sizeof *role_aliases; i++)
        names[nn++] = role_aliases[i].name;
    const char *near = diag_suggest(n, names, nn);
    diag_error(p->d, v->mark,
               "неизвестная роль «%s»%s%s%s: есть обучающийся, педагог, студент, работодатель, "
               "выпускник",
               v->str, near ? " (может быть, «" : "", near ? near : "", near ? "»?)" : "");
    *ok = false;
    return -1;
}

/* The forms of the seeds (README of the seeds; 001, 003, 004), normalised:
 * «учитель – учитель» is also written «педагог – педагог» and «преподаватель
 * – преподаватель». */
static const struct {
    const char *name, *key;
} known_forms[] = {
    {"ученик – ученик", "ученик – ученик"},
    {"учитель – учитель", "учитель – учитель"},
    {"педагог – педагог", "учитель – учитель"},
    {"преподаватель – преподаватель", "учитель – учитель"},
    {"студент – ученик", "студент – ученик"},
    {"работодатель – ученик", "работодатель – ученик"},
    {"работодатель – студент", "работодатель – студент"},
    {"студент – студент", "студент – студент"},
};
enum { NKNOWN_FORMS = sizeof known_forms / sizeof *known_forms };

/* The index of form `name` in p->forms, added when new; -1 (reported) when
 * neither known nor declared and `declare` is false. */
static int find_form(kind_people *p, const yl_node *v, bool declare, bool *ok)
{
    const char *n = normalise(p->a, v->str, true);
    const char *key = NULL, *shown = v->str;
    for (size_t i = 0; i < NKNOWN_FORMS && !key; i++)
        if (!strcmp(n, known_forms[i].name)) {
            key = known_forms[i].key;
            shown = known_forms[i].name; /* «ученик-ученик» is printed «ученик – ученик» */
        }
    if (!key && declare)
        key = n;
    for (size_t i = 0; i < p->nforms; i++)
        if (!strcmp(p->forms[i].key, key ? key : n))
            return (int)i;
    if (!key) {
        const char *names[NKNOWN_FORMS + 64];
        size_t nn = 0;
        for (size_t i = 0; i < NKNOWN_FORMS; i++)
            names[nn++] = known_forms[i].name;
        for (size_t i = 0; i < p->nforms && nn < NKNOWN_FORMS + 64; i++)
            names[nn++] = p->forms[i].key;
        const char *near = diag_suggest(n, names, nn);
        if (near)
            diag_error(p->d, v->mark,
                       "неизвестная форма наставничества «%s»: может быть, «%s»? Своя форма "
                       "описывается в forms: рядом с pairs",
                       v->str, near);
        else
            diag_error(p->d, v->mark,
                       "неизвестная форма наставничества «%s»: есть «ученик – ученик», «учитель – "
                       "учитель» («педагог – педагог», «преподаватель – преподаватель»), «студент "
                       "– ученик», «работодатель – ученик», «работодатель – студент», «студент – "
                       "студент»; своя форма описывается в forms: рядом с pairs",
                       v->str);
        *ok = false;
        return -1;
    }
    kind_form *f = &p->forms[p->nforms];
    *f = (kind_form){shown, key, false, !strcmp(key, "учитель – учитель")};
    return (int)p->nforms++;
}

int kind_people_form(kind_people *p, const yl_node *v, bool *ok)
{
    return find_form(p, v, false, ok);
}

static bool read_forms(kind_people *p, const yl_node *forms, size_t npairs)
{
    size_t n = forms ? forms->n : 0;
    p->forms = arena_alloc(p->a, (n + npairs + NKNOWN_FORMS + 1) * sizeof *p->forms);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const yl_node *it = forms->items[i], *name = it;
        bool group = false, teachers = false;
        if (it->kind == YL_MAP) {
            static const kind_field item = {"form", KS_MAP, false, "форма", form_fields, NULL};
            if (!kind_check_value(it, &item, forms_list.key, p->d)) {
                ok = false;
                continue;
            }
            name = yl_map_get(it, "name");
            const yl_node *g = yl_map_get(it, "group"), *t = yl_map_get(it, "teachers");
            group = g && !strcmp(g->str, "true");
            teachers = t && !strcmp(t->str, "true");
        } else if (!yl_str(name) || is_empty(name)) {
            diag_error(p->d, it->mark, "forms: ожидалось название формы или {name, group}");
            ok = false;
            continue;
        }
        int f = find_form(p, name, true, &ok);
        p->forms[f].group |= group;
        p->forms[f].teachers |= teachers;
    }
    return ok;
}

/* ---- people ------------------------------------------------------------ */

struct ref_key {
    const char *key; /* normalised */
    size_t who;      /* index into people; KIND_NO_PERSON: two people share the key */
};
typedef struct ref_key ref_key;

static int by_key(const void *a, const void *b)
{
    const ref_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->who < y->who ? -1 : x->who > y->who;
}

/* The full name of a person map: `name`, or surname + first_name +
 * patronymic. NULL (reported) when there is none. */
static const char *full_name(kind_people *p, const yl_node *m, src_mark *at)
{
    const yl_node *name = yl_map_get(m, "name"), *sur = yl_map_get(m, "surname");
    if (name && yl_str(name)) {
        *at = name->mark;
        return name->str;
    }
    if (sur && yl_str(sur)) {
        const yl_node *f = yl_map_get(m, "first_name"), *pa = yl_map_get(m, "patronymic");
        *at = sur->mark;
        return arena_printf(p->a, "%s%s%s%s%s", sur->str, f ? " " : "", f ? yl_str(f) : "",
                            pa ? " " : "", pa ? yl_str(pa) : "");
    }
    diag_error(p->d, m->mark,
               "человек без имени: нужно поле name («ФИО») или surname и "
               "first_name («Фамилия», «Имя»)");
    return NULL;
}

static bool read_person(kind_people *p, const yl_node *item, kind_person *out)
{
    const yl_node *m = map_keys(p, item, &people_list);
    if (!m)
        return false;
    static const kind_field f = {"person", KS_MAP, false, "человек", person_fields, NULL};
    bool ok = kind_check_value(m, &f, people_list.key, p->d);
    src_mark at = m->mark;
    const char *name = full_name(p, m, &at);
    if (!name)
        return false;
    *out = (kind_person){.map = m, .name = name, .mark = at};
    if (!names_split(p->a, name, &out->parts)) {
        diag_error(p->d, at,
                   "«%s»: ожидалось «Фамилия Имя Отчество», «Фамилия Имя» или «Фамилия И.О.»",
                   name);
        /* not listed (read_people): without its parts it has no id either,
         * and a NULL id crashed the sort of the ids */
        out->name = NULL;
        return false;
    }
    const yl_node *id = yl_map_get(m, "id"), *g = yl_map_get(m, "gender");
    out->id = id && yl_str(id) ? id->str : name;
    out->gender = names_gender_parse(g ? yl_str(g) : NULL);
    if (g && yl_str(g) && out->gender == NAMES_UNKNOWN) {
        diag_error(p->d, g->mark, "пол «%s»: ожидалось «м» или «ж»", g->str);
        ok = false;
    }
    if (out->gender == NAMES_UNKNOWN)
        out->gender = names_gender_guess(&out->parts);
    out->role = read_role(p, yl_map_get(m, "role"), &ok);
    const yl_node *base = yl_map_get(m, "base");
    if (base && yl_str(base)) {
        const char *b = normalise(p->a, base->str, false);
        out->mentor = !strncmp(b, "наставник", strlen("наставник"));
        out->mentee = !strncmp(b, "наставляем", strlen("наставляем"));
        if (!out->mentor && !out->mentee) {
            diag_error(p->d, base->mark, "base: ожидалось «наставник» или «наставляемый»");
            ok = false;
        }
    }
    return ok;
}

/* The same id (or, without ids, the same full name) twice is an error at
 * the second, with a note at the first. */
static bool check_duplicates(kind_people *p)
{
    ref_key *ids = xmalloc((p->npeople + 1) * sizeof *ids);
    for (size_t i = 0; i < p->npeople; i++)
        ids[i] = (ref_key){p->people[i].id, i};
    qsort(ids, p->npeople, sizeof *ids, by_key);
    bool ok = true;
    for (size_t i = 1; i < p->npeople; i++) {
        if (strcmp(ids[i].key, ids[i - 1].key))
            continue;
        size_t first = i - 1;
        while (first > 0 && !strcmp(ids[first - 1].key, ids[i].key))
            first--;
        const kind_person *a = &p->people[ids[first].who], *b = &p->people[ids[i].who];
        const yl_node *id = yl_map_get(b->map, "id");
        diag_error(p->d, id ? id->mark : b->mark, "человек «%s» описан дважды%s", b->id,
                   id ? ": у каждого нужен свой id"
                      : "; если это разные люди, дайте каждому свой id");
        diag_note(p->d, a->mark, "первое описание здесь");
        ok = false;
    }
    free(ids);
    return ok;
}

/* Sort keys and fold equal ones: a key two people share (a short name
 * «Иванов И.И.») names neither. Returns the count left. */
static size_t sort_keys(ref_key *k, size_t n)
{
    qsort(k, n, sizeof *k, by_key);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out && !strcmp(k[out - 1].key, k[i].key)) {
            if (k[out - 1].who != k[i].who)
                k[out - 1].who = KIND_NO_PERSON;
            continue;
        }
        k[out++] = k[i];
    }
    return out;
}

/* The entry of keys[0..n) equal to key, or NULL. */
static const ref_key *find_key(const ref_key *keys, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first key not below key */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(keys[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && !strcmp(keys[lo].key, key) ? &keys[lo] : NULL;
}

/* Every person once; a second one with the same id is an error. */
static bool read_people(kind_people *p, const yl_node *list)
{
    bool ok = true;
    size_t n = list ? list->n : 0;
    p->people = arena_alloc(p->a, (n ? n : 1) * sizeof *p->people);
    ref_key *k = arena_alloc(p->a, (n + 1) * sizeof *k);
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        kind_person *who = &p->people[p->npeople];
        if (!read_person(p, list->items[i], who)) {
            ok = false;
            if (!who->name)
                continue;
        }
        size_t idx = p->npeople++;
        k[nk++] = (ref_key){who->id, idx};
    }
    ok &= check_duplicates(p);
    p->nkeys = sort_keys(k, nk);
    p->keys = k;
    return ok;
}

/* The table of full names and «Фамилия И.О.», normalised: built on the first
 * reference that is not an id (a dossier that refers by id never pays). */
static void build_names(kind_people *p)
{
    ref_key *k = arena_alloc(p->a, (2 * p->npeople + 1) * sizeof *k);
    size_t nk = 0;
    for (size_t i = 0; i < p->npeople; i++) {
        const kind_person *who = &p->people[i];
        k[nk++] = (ref_key){normalise(p->a, who->name, false), i};
        k[nk++] = (ref_key){normalise(p->a, kind_people_short(p, who), false), i};
    }
    p->nnames = sort_keys(k, nk);
    p->names = k;
}

/* ---- references and pairs ---------------------------------------------- */

/* The person `v` names (an id, a full name or «Фамилия И.О.»); reported at
 * v when there is none or two. */
/* s with its no-break spaces as spaces: a message quotes a name as typed. */
static const char *spaced(arena *a, const char *s)
{
    buf b;
    buf_init(&b);
    for (const char *q = s; *q;) {
        const char *nb = strstr(q, "\u00A0");
        size_t n = nb ? (size_t)(nb - q) : strlen(q);
        buf_putn(&b, q, n);
        if (!nb)
            break;
        buf_putc(&b, ' ');
        q = nb + 2;
    }
    const char *r = arena_strdup(a, b.data ? b.data : "");
    buf_fini(&b);
    return r;
}

size_t kind_people_find(kind_people *p, const yl_node *v, const char *s, const char *what)
{
    const ref_key *hit = find_key(p->keys, p->nkeys, s);
    const char *low = NULL;
    if (!hit) {
        if (!p->names)
            build_names(p);
        low = normalise(p->a, s, false);
        hit = find_key(p->names, p->nnames, low);
    }
    if (hit && hit->who != KIND_NO_PERSON)
        return hit->who;
    if (hit) {
        diag_error(p->d, v->mark,
                   "%s «%s»: так можно назвать нескольких людей; укажите id или полное ФИО", what,
                   s);
        return KIND_NO_PERSON;
    }
    const char *near = NULL;
    if (p->suggested++ < KIND_PEOPLE_MAX_SUGGEST) {
        /* a reference «Фамилия И.О.» is compared with short names, else
         * with full names (and ids) */
        bool brief = strchr(s, '.') != NULL;
        const char **names = xmalloc((2 * p->npeople + 1) * sizeof *names);
        size_t n = 0;
        for (size_t i = 0; i < p->npeople; i++) {
            const kind_person *who = &p->people[i];
            names[n++] = brief ? normalise(p->a, kind_people_short(p, who), false) : who->name;
            if (!brief && strcmp(who->id, who->name))
                names[n++] = who->id;
        }
        near = diag_suggest(brief ? low : s, names, n);
        if (near && brief) /* show it as the dossier writes it */
            for (size_t i = 0; i < p->npeople; i++)
                if (!strcmp(normalise(p->a, kind_people_short(p, &p->people[i]), false), near))
                    near = spaced(p->a, kind_people_short(p, &p->people[i]));
        free(names);
    }
    diag_error(p->d, v->mark, "%s «%s» не найден в people%s%s%s", what, s,
               near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
    return KIND_NO_PERSON;
}

/* The mentees of a pair: `mentees` or `mentee`, a list or one string of
 * names separated by «;» or «,» (a spreadsheet cell). */
static void read_mentees(kind_people *p, const yl_node *m, kind_pair *pr, bool *ok)
{
    const yl_node *v = yl_map_get(m, "mentees");
    if (!v)
        v = yl_map_get(m, "mentee");
    if (!v) {
        diag_error(p->d, m->mark, "у пары нет наставляемых: укажите mentees (id или ФИО)");
        *ok = false;
        return;
    }
    size_t cap = v->kind == YL_SEQ ? v->n : 1;
    for (const char *c = yl_str(v); c && *c; c++)
        cap += *c == ';' || *c == ',';
    pr->mentees = arena_alloc(p->a, (cap + 1) * sizeof *pr->mentees);
    for (size_t i = 0; i < (v->kind == YL_SEQ ? v->n : 1); i++) {
        const yl_node *it = v->kind == YL_SEQ ? v->items[i] : v;
        if (!yl_str(it))
            continue; /* kind_check_value reported it */
        for (const char *s = it->str; *s;) {
            size_t len = strcspn(s, ";,");
            char *one = arena_strndup(p->a, s, len);
            s += len + (s[len] != '\0');
            if (!*normalise(p->a, one, false))
                continue;
            size_t who = kind_people_find(p, it, one, "наставляемый");
            *ok &= who != KIND_NO_PERSON;
            if (who != KIND_NO_PERSON && who == pr->mentor) {
                diag_error(p->d, it->mark,
                           "«%s» — наставник этой же пары: человек не может быть "
                           "наставником самому себе",
                           one);
                *ok = false;
                continue;
            }
            if (who != KIND_NO_PERSON)
                pr->mentees[pr->nmentees++] = who;
        }
    }
}

static bool read_pair(kind_people *p, const yl_node *item, kind_pair *pr)
{
    const yl_node *m = map_keys(p, item, &pairs_list);
    if (!m)
        return false;
    static const kind_field f = {"pair", KS_MAP, false, "пара", pair_fields, NULL};
    bool ok = kind_check_value(m, &f, pairs_list.key, p->d);
    *pr = (kind_pair){.map = m, .mentor = KIND_NO_PERSON, .form = -1};
    const yl_node *mentor = yl_map_get(m, "mentor"), *form = yl_map_get(m, "form");
    if (mentor && yl_str(mentor)) {
        pr->mentor = kind_people_find(p, mentor, mentor->str, "наставник");
        ok &= pr->mentor != KIND_NO_PERSON;
    }
    read_mentees(p, m, pr, &ok);
    if (form && yl_str(form) && (pr->form = find_form(p, form, false, &ok)) >= 0)
        pr->group = p->forms[pr->form].group;
    const yl_node *g = yl_map_get(m, "group");
    if (g && yl_str(g))
        pr->group |= !strcmp(g->str, "true");
    const yl_node *start = yl_map_get(m, "start"), *end = yl_map_get(m, "end");
    pr->start = read_date(p, start, "start (дата начала)", &ok);
    pr->end = read_date(p, end, "end (дата окончания)", &ok);
    if (pr->start != KIND_NO_DATE && pr->end != KIND_NO_DATE) {
        if (pr->end < pr->start) {
            diag_error(p->d, end->mark, "пара заканчивается (%s) раньше, чем начинается (%s)",
                       end->str, start->str);
            ok = false;
        } else if (pr->end >= year_after(pr->start)) {
            diag_warning(p->d, end->mark,
                         "пара длится %ld дн. (%s – %s): больше одного календарного года "
                         "(Положение, п. 4.7)",
                         pr->end - pr->start + 1, start->str, end->str);
        }
    }
    return ok;
}

/* ---- the rules over pairs ---------------------------------------------- */

typedef struct span {
    long day;
    long delta; /* mentees starting (+) or ending (-) that day */
    size_t pair;
} span;

static int by_mentor_day(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->delta != y->delta) /* ends before starts */
        return x->delta < y->delta ? -1 : 1;
    return x->pair < y->pair ? -1 : x->pair > y->pair;
}

/* 4.6: at most KIND_PEOPLE_MAX_MENTEES mentees of one mentor at once outside
 * group forms, in one pair and over overlapping pairs. Warnings: the seed
 * allows group work «по согласованию». Sweeps each mentor's pairs in date
 * order: n log n. */
static void check_load(kind_people *p)
{
    size_t *count = xcalloc(p->npeople + 1, sizeof *count);
    for (size_t i = 0; i < p->npairs; i++) {
        const kind_pair *pr = &p->pairs[i];
        if (pr->mentor == KIND_NO_PERSON || pr->group)
            continue;
        count[pr->mentor]++;
        if (pr->nmentees > KIND_PEOPLE_MAX_MENTEES) {
            const yl_node *v = yl_map_get(pr->map, "mentees");
            diag_warning(p->d, v ? v->mark : pr->map->mark,
                         "у наставника «%s» %zu наставляемых в одной паре: не больше %d, кроме "
                         "групповых форм (Положение, п. 4.6); для группы укажите group: true",
                         p->people[pr->mentor].name, pr->nmentees, KIND_PEOPLE_MAX_MENTEES);
        }
    }
    /* the pairs of one mentor: starts and ends, sorted by day */
    for (size_t who = 0; who < p->npeople; who++) {
        if (count[who] < 2)
            continue;
        span *ev = xmalloc(2 * count[who] * sizeof *ev);
        size_t n = 0;
        for (size_t i = 0; i < p->npairs; i++) {
            const kind_pair *pr = &p->pairs[i];
            if (pr->mentor != who || pr->group)
                continue;
            long s = pr->start == KIND_NO_DATE ? LONG_MIN / 2 : pr->start;
            long e = pr->end == KIND_NO_DATE ? LONG_MAX / 2 : pr->end;
            ev[n++] = (span){s, (long)pr->nmentees, i};
            ev[n++] = (span){e + 1, -(long)pr->nmentees, i};
        }
        qsort(ev, n, sizeof *ev, by_mentor_day);
        long now = 0;
        for (size_t k = 0; k < n; k++) {
            now += ev[k].delta;
            if (ev[k].delta <= 0 || now <= KIND_PEOPLE_MAX_MENTEES ||
                (long)p->pairs[ev[k].pair].nmentees == now)
                continue;
            const yl_node *m = yl_map_get(p->pairs[ev[k].pair].map, "mentor");
            diag_warning(p->d, m->mark,
                         "наставник «%s» ведёт одновременно %ld наставляемых: эта пара "
                         "пересекается по срокам с другими его парами; не больше %d, кроме "
                         "групповых форм (Положение, п. 4.6)",
                         p->people[who].name, now, KIND_PEOPLE_MAX_MENTEES);
        }
        free(ev);
    }
    free(count);
}

/* A student or pupil may not mentor in «учитель – учитель»; mark the bases. */
static bool check_roles(kind_people *p)
{
    bool ok = true;
    for (size_t i = 0; i < p->npairs; i++) {
        const kind_pair *pr = &p->pairs[i];
        if (pr->mentor == KIND_NO_PERSON)
            continue;
        kind_person *m = &p->people[pr->mentor];
        m->mentor = true;
        for (size_t k = 0; k < pr->nmentees; k++)
            p->people[pr->mentees[k]].mentee = true;
        if (pr->form >= 0 && p->forms[pr->form].teachers &&
            (m->role == ROLE_PUPIL || m->role == ROLE_STUDENT)) {
            diag_error(p->d, yl_map_get(pr->map, "mentor")->mark,
                       "наставник «%s» — %s, а форма «%s» — для педагогов", m->name,
                       kind_people_roles[m->role], p->forms[pr->form].name);
            ok = false;
        }
    }
    return ok;
}

/* The pairs of every person, as one array cut by first[] (counting sort). */
static void index_pairs(kind_people *p)
{
    p->first = arena_alloc(p->a, (p->npeople + 2) * sizeof *p->first);
    size_t total = 0;
    for (size_t i = 0; i < p->npairs; i++) {
        const kind_pair *pr = &p->pairs[i];
        if (pr->mentor != KIND_NO_PERSON)
            p->first[pr->mentor + 1]++, total++;
        for (size_t k = 0; k < pr->nmentees; k++)
            p->first[pr->mentees[k] + 1]++, total++;
    }
    for (size_t i = 0; i < p->npeople; i++)
        p->first[i + 1] += p->first[i];
    p->by_person = arena_alloc(p->a, (total ? total : 1) * sizeof *p->by_person);
    size_t *fill = xmalloc((p->npeople + 1) * sizeof *fill);
    memcpy(fill, p->first, (p->npeople + 1) * sizeof *fill);
    for (size_t i = 0; i < p->npairs; i++) {
        const kind_pair *pr = &p->pairs[i];
        if (pr->mentor != KIND_NO_PERSON)
            p->by_person[fill[pr->mentor]++] = i;
        for (size_t k = 0; k < pr->nmentees; k++)
            p->by_person[fill[pr->mentees[k]]++] = i;
    }
    free(fill);
}

const size_t *kind_people_pairs_of(const kind_people *p, const kind_person *who, size_t *n)
{
    size_t self = (size_t)(who - p->people);
    *n = p->first[self + 1] - p->first[self];
    return p->by_person + p->first[self];
}

/* ---- loading ----------------------------------------------------------- */

static bool expect_list(kind_people *p, const yl_node *v, const char *key)
{
    if (!v || v->kind == YL_SEQ)
        return true;
    diag_error(p->d, v->mark, "«%s»: ожидался список, а здесь %s", key, yl_kind_name(v->kind));
    return false;
}

bool kind_people_load(const yl_node *root, arena *a, diag *d, kind_people *p)
{
    *p = (kind_people){.a = a, .d = d};
    const yl_node *people = yl_map_get(root, people_list.key);
    const yl_node *pairs = yl_map_get(root, pairs_list.key);
    const yl_node *forms = yl_map_get(root, forms_list.key);
    /* each list is checked, so that every wrong one is reported */
    bool lists = expect_list(p, people, people_list.key);
    lists &= expect_list(p, pairs, pairs_list.key);
    lists &= expect_list(p, forms, forms_list.key);
    if (!lists)
        return false;
    size_t npairs = pairs && pairs->kind == YL_SEQ ? pairs->n : 0;
    bool ok = read_forms(p, forms && forms->kind == YL_SEQ ? forms : NULL, npairs);
    ok &= read_people(p, people && people->kind == YL_SEQ ? people : NULL);
    p->pairs = arena_alloc(a, (npairs ? npairs : 1) * sizeof *p->pairs);
    for (size_t i = 0; i < npairs; i++) {
        ok &= read_pair(p, pairs->items[i], &p->pairs[p->npairs]);
        if (p->pairs[p->npairs].map)
            p->npairs++;
    }
    index_pairs(p);
    ok &= check_roles(p);
    check_load(p);
    return ok;
}

void kind_people_fini(kind_people *p)
{
    names_rules_free(p->rules);
    p->rules = NULL;
}

/* ---- names ------------------------------------------------------------- */

const char *kind_people_short(kind_people *p, const kind_person *who)
{
    return names_format(p->a, &who->parts, NAMES_SURNAME_FIRST);
}

const char *kind_people_where(const kind_person *who)
{
    const yl_node *v = yl_map_get(who->map, "class");
    if (!v)
        v = yl_map_get(who->map, "position");
    return v && yl_str(v) ? v->str : "";
}

static const char *const case_keys[] = {"genitive", "dative", "accusative", "instrumental",
                                        "prepositional"};
static const char *const case_names[] = {"родительном", "дательном", "винительном", "творительном",
                                         "предложном"};

/* The name n (written `written`, at `at`) in case c; warns when the gender
 * is unknown or a word has no rule. */
static const char *decline(kind_people *p, const names_full *n, names_gender g, const char *written,
                           src_mark at, names_case c, names_style s)
{
    if (!p->rules && !p->rules_failed) {
        p->rules = names_rules_load_shipped(p->d);
        p->rules_failed = !p->rules;
    }
    if (!p->rules)
        return names_format(p->a, n, s);
    if (g == NAMES_UNKNOWN)
        diag_warning(p->d, at,
                     "пол «%s» не виден по ФИО: склоняю как общее для обоих родов; укажите "
                     "gender: м или ж (или ФИО в %s падеже в поле %s)",
                     written, case_names[c], case_keys[c]);
    int missed = 0;
    names_full out = names_decline(p->rules, p->a, n, g, c, &missed);
    if (missed && g != NAMES_UNKNOWN)
        diag_warning(p->d, at,
                     "«%s»: для %d слов%s нет правила склонения, оставлено как есть; "
                     "проверьте или укажите ФИО в %s падеже в поле %s",
                     written, missed, missed == 1 ? "а" : "", case_names[c], case_keys[c]);
    return names_format(p->a, &out, s);
}

/* A name written in the data for case c ("Елсуковой Елене Викторовне"),
 * reshaped to style s. */
static const char *given(kind_people *p, const yl_node *v, names_style s)
{
    names_full n;
    if (!names_split(p->a, v->str, &n))
        return v->str;
    return names_format(p->a, &n, s);
}

const char *kind_people_decline(kind_people *p, const kind_person *who, names_case c, names_style s)
{
    const yl_node *v = c <= NAMES_DATIVE ? yl_map_get(who->map, case_keys[c]) : NULL;
    if (v && yl_str(v))
        return given(p, v, s);
    return decline(p, &who->parts, who->gender, who->name, who->mark, c, s);
}

const char *kind_people_decline_node(kind_people *p, const yl_node *node, names_case c,
                                     names_style s)
{
    const yl_node *v = c <= NAMES_DATIVE ? yl_map_get(node, case_keys[c]) : NULL;
    if (v && yl_str(v))
        return given(p, v, s);
    const yl_node *name = yl_map_get(node, "name"), *g = yl_map_get(node, "gender");
    names_full n;
    if (!name || !yl_str(name) || !names_split(p->a, name->str, &n)) {
        if (name && yl_str(name))
            diag_warning(p->d, name->mark, "«%s»: не разобрать ФИО, оставлено как есть", name->str);
        return name && yl_str(name) ? name->str : "";
    }
    names_gender gender = names_gender_parse(g ? yl_str(g) : NULL);
    if (gender == NAMES_UNKNOWN)
        gender = names_gender_guess(&n);
    return decline(p, &n, gender, name->str, name->mark, c, s);
}

/* ---- order ------------------------------------------------------------- */

typedef struct sort_key {
    const char *key; /* the name in lower case, ё as е: Cyrillic UTF-8 sorts alphabetically */
    const kind_person *who;
} sort_key;

static int by_name(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->who < y->who ? -1 : x->who > y->who;
}

const kind_person **kind_people_sorted(kind_people *p)
{
    sort_key *k = xmalloc((p->npeople + 1) * sizeof *k);
    for (size_t i = 0; i < p->npeople; i++)
        k[i] = (sort_key){normalise(p->a, p->people[i].name, false), &p->people[i]};
    qsort(k, p->npeople, sizeof *k, by_name);
    const kind_person **out = arena_alloc(p->a, (p->npeople + 1) * sizeof *out);
    for (size_t i = 0; i < p->npeople; i++)
        out[i] = k[i].who;
    free(k);
    return out;
}

/* ---- building the data tree -------------------------------------------- */

yl_node *kind_people_map(kind_people *p, size_t cap, src_mark at)
{
    yl_node *m = arena_alloc(p->a, sizeof *m);
    *m = (yl_node){.kind = YL_MAP, .mark = at};
    m->pairs = arena_alloc(p->a, (cap ? cap : 1) * sizeof *m->pairs);
    return m;
}

void kind_people_put(kind_people *p, yl_node *map, const char *key, const yl_node *value)
{
    if (!value)
        return;
    yl_node *k = arena_alloc(p->a, sizeof *k);
    *k = (yl_node){
        .kind = YL_SCALAR, .mark = value->mark, .str = key, .len = strlen(key), .plain = true};
    map->pairs[map->n++] = (yl_pair){k, (yl_node *)value};
}

void kind_people_put_str(kind_people *p, yl_node *map, const char *key, const char *s, src_mark at)
{
    kind_people_put(p, map, key, kind_scalar(p->a, s ? s : "", at));
}

yl_node *kind_people_seq(kind_people *p, size_t cap, src_mark at)
{
    yl_node *s = arena_alloc(p->a, sizeof *s);
    *s = (yl_node){.kind = YL_SEQ, .mark = at};
    s->items = arena_alloc(p->a, (cap ? cap : 1) * sizeof *s->items);
    return s;
}
