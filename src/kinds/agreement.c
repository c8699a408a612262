/* kinds/agreement: the mentoring agreement with a partner company
 * (seed 004, «Соглашение о наставничестве», an additional agreement to a
 * cooperation contract). The standard clauses live in the template
 * (templates/agreement.yaml); the dossier gives the parties, the date (or
 * none: blanks to fill by hand), the term, and changes to the clauses by
 * number. The partners come from partners.yaml or a CSV file; each makes a
 * PDF of its own (kind_def.variants), bound as `partner`. */
#include "../kinds.h"
#include "../names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

/* The representative's phrase «в лице директора Елсуковой Е.В.» is the data
 * `in_person` as printed («директора Елсуковой Е.В.»), or made from the
 * signer's position (a common one: positions[]) and name declined into the
 * genitive by names.c (petrovich); «действующего»/«действующей» then follows
 * the name's gender. */
static const kind_field partner_fields[] = {
    {"name", KS_STRING, true, "наименование партнёра", NULL, NULL},
    {"short_name", KS_STRING, false, "краткое наименование", NULL, NULL},
    {"in_person", KS_STRING, false, "«в лице кого»: должность и ФИО в родительном падеже", NULL,
     NULL},
    {"acting", KS_STRING, false, "«действующего» или «действующей»", NULL, NULL},
    {"ground", KS_STRING, false, "«на основании чего», например «Устава»", NULL, NULL},
    {"address", KS_STRING, false, "адрес", NULL, NULL},
    {"inn", KS_STRING, false, "ИНН", NULL, NULL},
    {"kpp", KS_STRING, false, "КПП", NULL, NULL},
    {"ogrn", KS_STRING, false, "ОГРН", NULL, NULL},
    {"phone", KS_STRING, false, "телефон", NULL, NULL},
    {"email", KS_STRING, false, "электронная почта", NULL, NULL},
    {"position", KS_STRING, false, "должность подписывающего", NULL, NULL},
    {"head", KS_STRING, false, "ФИО подписывающего", NULL, NULL},
    {"file", KS_STRING, false, "имя PDF-файла (без .pdf)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* Column names a CSV file of partners may use instead of the keys (lower
 * case; compared after lowering the header). */
static const kind_alias aliases[] = {{"наименование", "name"},
                                     {"название", "name"},
                                     {"полное наименование", "name"},
                                     {"краткое наименование", "short_name"},
                                     {"сокращённое наименование", "short_name"},
                                     {"сокращенное наименование", "short_name"},
                                     {"в лице", "in_person"},
                                     {"действующего", "acting"},
                                     {"основание", "ground"},
                                     {"на основании", "ground"},
                                     {"адрес", "address"},
                                     {"инн", "inn"},
                                     {"кпп", "kpp"},
                                     {"огрн", "ogrn"},
                                     {"телефон", "phone"},
                                     {"почта", "email"},
                                     {"e-mail", "email"},
                                     {"должность", "position"},
                                     {"руководитель", "head"},
                                     {"фио руководителя", "head"},
                                     {"файл", "file"},
                                     {NULL, NULL}};
enum { NALIASES = sizeof aliases / sizeof *aliases - 1 };

/* partners.yaml (or partners.csv), as compute() checks it and `nastavdoc
 * schema partners` prints it. */
static const kind_list partners_list = {
    "partners", "партнёры-работодатели соглашения", partner_fields, aliases, false, false};
static const kind_list *const partners_lists[] = {&partners_list, NULL};
const kind_data_file kind_partners_file = {"partners", "партнёры (partners.yaml)", partners_lists};

/* Common positions of signers in the genitive («в лице директора …»); a
 * position not listed needs `in_person` written out. Lower case. */
static const struct position {
    const char *nominative, *genitive;
} positions[] = {
    {"директор", "директора"},
    {"генеральный директор", "генерального директора"},
    {"исполнительный директор", "исполнительного директора"},
    {"исполняющий обязанности директора", "исполняющего обязанности директора"},
    {"директор по персоналу", "директора по персоналу"},
    {"заведующий", "заведующего"},
    {"заведующая", "заведующей"},
    {"президент", "президента"},
    {"председатель", "председателя"},
    {"председатель правления", "председателя правления"},
    {"управляющий", "управляющего"},
    {"начальник", "начальника"},
    {"руководитель", "руководителя"},
    {"индивидуальный предприниматель", "индивидуального предпринимателя"},
};

/* What the phrase is made of, and what it gives. */
typedef struct person_phrase {
    const char *in_person; /* «директора Елсуковой Е.В.», or NULL */
    const char *acting; /* «действующего» / «действующей», or NULL (gender unknown) */
} person_phrase;

/* The phrase for the signer `name` in `position`; {NULL, NULL} when the
 * position is not a common one or the name does not split. rules is loaded
 * on first use (*rules_failed after a message). */
static person_phrase phrase_of(arena *a, const char *position, const char *name,
                               names_rules **rules, bool *rules_failed, diag *d)
{
    person_phrase ph = {NULL, NULL};
    if (!position || !name)
        return ph;
    const char *pos = names_lower(a, position), *gen = NULL;
    for (size_t i = 0; i < sizeof positions / sizeof *positions && !gen; i++)
        if (!strcmp(pos, positions[i].nominative))
            gen = positions[i].genitive;
    names_full n;
    if (!gen || !names_split(a, name, &n))
        return ph;
    if (!*rules && !*rules_failed) {
        *rules = names_rules_load_shipped(d);
        *rules_failed = !*rules;
    }
    if (!*rules)
        return ph;
    names_gender g = names_gender_guess(&n);
    int missed = 0;
    names_full out = names_decline(*rules, a, &n, g, NAMES_GENITIVE, &missed);
    if (g == NAMES_UNKNOWN || missed)
        return ph; /* not sure of the case: the dossier writes it out */
    ph.in_person = arena_printf(a, "%s %s", gen, names_format(a, &out, NAMES_SURNAME_FIRST));
    ph.acting = g == NAMES_FEMALE ? "действующей" : "действующего";
    return ph;
}

static const kind_field change_fields[] = {
    {"add", KS_STRING, false, "добавить пункт перед пунктом шаблона с этим номером", NULL, NULL},
    {"replace", KS_STRING, false, "заменить пункт шаблона с этим номером", NULL, NULL},
    {"drop", KS_STRING, false, "убрать пункт шаблона с этим номером", NULL, NULL},
    {"text", KS_STRING, false, "текст пункта", NULL, NULL},
    {"body", KS_BODY, false, "текст внутри пункта (списки, абзацы)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field change_item = {
    "change",      KS_MAP, false, "изменение пункта: {add|replace|drop: НОМЕР, text, body}",
    change_fields, NULL};

static const kind_field agreement_fields[] = {
    {"title", KS_STRING, false, "заголовок (по умолчанию «Соглашение о наставничестве»)", NULL,
     NULL},
    {"subtitle", KS_STRING, false, "подзаголовок", NULL, NULL},
    {"place", KS_STRING, false, "место заключения (по умолчанию school.city)", NULL, NULL},
    {"date", KS_DATE, false, "дата (без неё — пустые строки «__» ______ 20__ г.)", NULL, NULL},
    {"school_name", KS_STRING, false, "наименование школы в преамбуле", NULL, NULL},
    {"school_in_person", KS_STRING, false,
     "«в лице кого» от школы: должность и ФИО в родительном падеже (по умолчанию — из "
     "school.director)",
     NULL, NULL},
    {"school_acting", KS_STRING, false, "«действующего» или «действующей»", NULL, NULL},
    {"school_ground", KS_STRING, false, "«на основании чего», например «Устава»", NULL, NULL},
    {"territory", KS_STRING, true,
     "«на территории чего», в родительном падеже, например «го Красноуральск и Свердловской "
     "области»",
     NULL, NULL},
    {"until", KS_DATE, true, "срок действия: до какой даты", NULL, NULL},
    {"clauses", KS_PARTS, false, "изменения пунктов шаблона (add, replace, drop)", NULL,
     &change_item},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"agreement", KS_MAP, true, "соглашение", agreement_fields, NULL},
    {"partners", KS_SEQ, false, "партнёры (обычно из partners.yaml или partners.csv)", NULL, NULL},
    {"partner", KS_MAP, false, "один партнёр", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* key lowered, as a key of partner_fields: the alias's key, else key. */
static const char *key_of(const char *key)
{
    size_t n = 0;
    uint8_t *low = u8_tolower((const uint8_t *)key, strlen(key), NULL, NULL, NULL, &n);
    const char *r = key;
    for (size_t i = 0; low && i < NALIASES; i++)
        if (strlen(aliases[i].name) == n && !memcmp(aliases[i].name, low, n))
            r = aliases[i].key;
    free(low);
    return r;
}

/* A partner with the Russian column names of a CSV file turned into keys;
 * empty CSV fields are left out (a field not given). */
static const yl_node *normalise(arena *a, const yl_node *p)
{
    if (p->kind != YL_MAP)
        return p;
    yl_node *m = arena_alloc(a, sizeof *m);
    *m = *p;
    m->pairs = arena_alloc(a, (p->n + 1) * sizeof *m->pairs);
    m->n = 0;
    for (size_t i = 0; i < p->n; i++) {
        const yl_node *k = p->pairs[i].key, *v = p->pairs[i].value;
        if (v->kind == YL_SCALAR && (yl_is_null(v) || v->len == 0))
            continue;
        yl_node *nk = arena_alloc(a, sizeof *nk);
        *nk = *k;
        nk->str = (char *)arena_strdup(a, key_of(k->str));
        nk->len = strlen(nk->str);
        m->pairs[m->n++] = (yl_pair){nk, p->pairs[i].value};
    }
    return m;
}

const char *kind_agreement_label(const yl_node *partner)
{
    static const char *const order[] = {"file", "short_name", "name"};
    for (size_t k = 0; partner->kind == YL_MAP && k < 3; k++)
        for (size_t i = 0; i < partner->n; i++) {
            const yl_node *v = partner->pairs[i].value;
            if (!strcmp(key_of(partner->pairs[i].key->str), order[k]) && yl_str(v) && v->len)
                return yl_str(v);
        }
    return NULL;
}

/* Keys that are neither a field nor a column name of partners: reported with
 * the closest field or column name, and left out of p (in a). */
static bool same_key_mark(const yl_node *row, src_mark m)
{
    for (size_t i = 0; row && row->kind == YL_MAP && i < row->n; i++) {
        src_mark k = row->pairs[i].key->mark;
        if (k.line == m.line && k.col == m.col && k.file == m.file)
            return true;
    }
    return false;
}

/* prev: the row before p, whose keys were reported: the keys of a CSV file
 * are its header's, one message each, not one per row. */
static const yl_node *drop_unknown(arena *a, const yl_node *p, const yl_node *prev,
                                   const char *path, diag *d, bool *ok)
{
    enum { NAMES = NALIASES + 16 };
    const char *names[NAMES];
    size_t nn = 0;
    for (const kind_field *f = partners_list.fields; f->key && nn < NAMES; f++)
        names[nn++] = f->key;
    for (size_t i = 0; i < NALIASES && nn < NAMES; i++)
        names[nn++] = aliases[i].name;
    yl_node *m = arena_alloc(a, sizeof *m);
    *m = *p;
    m->pairs = arena_alloc(a, (p->n + 1) * sizeof *m->pairs);
    m->n = 0;
    for (size_t i = 0; i < p->n; i++) {
        const yl_node *k = p->pairs[i].key;
        bool known = false;
        for (const kind_field *f = partner_fields; f->key && !known; f++)
            known = !strcmp(f->key, k->str);
        if (known) {
            m->pairs[m->n++] = p->pairs[i];
            continue;
        }
        *ok = false;
        if (same_key_mark(prev, k->mark))
            continue;
        const char *near = diag_suggest(names_lower(a, k->str), names, nn);
        diag_error(d, k->mark,
                   "«%s.%s»: нет такого поля или столбца партнёра%s%s%s (столбцы: Наименование, "
                   "Краткое наименование, В лице, Действующего, Основание, Адрес, ИНН, КПП, "
                   "ОГРН, Телефон, Почта, Должность, Руководитель, Файл)",
                   path, k->str, near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
    }
    return m;
}

static bool check_partner(arena *a, const yl_node *p, const yl_node *prev, const char *path,
                          diag *d)
{
    if (p->kind != YL_MAP) {
        diag_error(d, p->mark, "«%s»: ожидался словарь с name, in_person, address …", path);
        return false;
    }
    bool ok = true;
    p = drop_unknown(a, p, prev, path, d, &ok);
    return kind_check_map(p, partners_list.fields, path, d) && ok;
}

/* {add|replace|drop: NUMBER, text, body}: its fields (change_item), then
 * exactly one of the three. */
static bool check_changes(const yl_node *list, diag *d)
{
    bool ok = true;
    for (size_t i = 0; list && i < list->n; i++) {
        const yl_node *c = list->items[i];
        char path[48];
        snprintf(path, sizeof path, "agreement.clauses[%zu]", i + 1);
        if (!kind_check_part(c, &change_item, path, d)) {
            ok = false;
            continue;
        }
        int ops = !!yl_map_get(c, "add") + !!yl_map_get(c, "replace") + !!yl_map_get(c, "drop");
        if (ops != 1) {
            diag_error(d, c->mark, "«%s»: нужен ровно один из ключей add, replace или drop", path);
            ok = false;
        } else if (!yl_map_get(c, "drop") && !yl_map_get(c, "text")) {
            diag_error(d, c->mark, "«%s»: у нового пункта нет текста (text)", path);
            ok = false;
        }
    }
    return ok;
}

static const yl_node *or_default(arena *a, const yl_node *map, const char *key, const char *value)
{
    return yl_map_get(map, key) ? map : kind_map_set(a, map, key, kind_scalar(a, value, map->mark));
}

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    const yl_node *school = yl_map_get(root, "school");
    const yl_node *ag = yl_map_get(root, "agreement");
    const yl_node *list = yl_map_get(root, partners_list.key);
    bool ok = check_changes(yl_map_get(ag, "clauses"), d);
    yl_node *plist = NULL;
    if (list) {
        plist = arena_alloc(a, sizeof *plist);
        *plist = *list;
        plist->items = arena_alloc(a, (list->n + 1) * sizeof *plist->items);
        for (size_t i = 0; i < list->n; i++) {
            char path[40];
            snprintf(path, sizeof path, "partners[%zu]", i + 1);
            plist->items[i] = (yl_node *)normalise(a, list->items[i]);
            ok &= check_partner(a, plist->items[i], i ? plist->items[i - 1] : NULL, path, d);
        }
    }
    const yl_node *partner = yl_map_get(root, "partner");
    bool listed = false; /* main binds an item of the list: checked there */
    for (size_t i = 0; partner && list && i < list->n; i++)
        listed |= list->items[i] == partner;
    if (partner) {
        partner = normalise(a, partner);
        if (!listed)
            ok &= check_partner(a, partner, NULL, "partner", d);
    } else if (plist && plist->n) {
        partner = plist->items[0]; /* check and dump show the first */
    } else {
        diag_error(d, root->mark,
                   "нет партнёров: добавьте partners.yaml (или partners.csv) в include или "
                   "ключ partner");
        ok = false;
    }
    if (!ok)
        return false;
    names_rules *rules = NULL;
    bool rules_failed = false;
    const yl_node *g = ag;
    if (!yl_map_get(partner, "in_person")) {
        person_phrase ph = phrase_of(a, yl_str(yl_map_get(partner, "position")),
                                     yl_str(yl_map_get(partner, "head")), &rules, &rules_failed, d);
        if (ph.in_person)
            partner =
                kind_map_set(a, partner, "in_person", kind_scalar(a, ph.in_person, partner->mark));
        if (ph.acting && !yl_map_get(partner, "acting"))
            partner = kind_map_set(a, partner, "acting", kind_scalar(a, ph.acting, partner->mark));
    }
    if (!yl_map_get(ag, "school_in_person")) {
        const yl_node *dir = yl_map_get(school, "director");
        person_phrase ph = phrase_of(a, yl_str(yl_map_get(dir, "position")),
                                     yl_str(yl_map_get(dir, "name")), &rules, &rules_failed, d);
        if (ph.in_person) {
            g = kind_map_set(a, g, "school_in_person", kind_scalar(a, ph.in_person, dir->mark));
            if (!yl_map_get(ag, "school_acting"))
                g = kind_map_set(a, g, "school_acting", kind_scalar(a, ph.acting, dir->mark));
        } else {
            diag_error(d, ag->mark,
                       "нет agreement.school_in_person: «в лице кого» от школы не составить из "
                       "school.director (должность «%s» программа не склоняет, или по ФИО не "
                       "виден пол); впишите, например, school_in_person: \"директора "
                       "Елсуковой Е.В.\"",
                       dir && yl_str(yl_map_get(dir, "position"))
                           ? yl_str(yl_map_get(dir, "position"))
                           : "?");
            names_rules_free(rules);
            return false;
        }
    }
    names_rules_free(rules);
    /* the seed's blank form prints «в лице _____, действующего на основании _____» */
    partner = or_default(a, partner, "in_person", "__________");
    partner = or_default(a, partner, "ground", "__________");
    partner = or_default(a, partner, "acting", "действующего");
    partner = or_default(a, partner, "position", "__________");
    partner = or_default(a, partner, "head", "__________");
    partner = or_default(a, partner, "short_name", yl_str(yl_map_get(partner, "name")));
    g = or_default(a, g, "title", "Соглашение о наставничестве");
    g = or_default(a, g, "school_acting", "действующего");
    g = or_default(a, g, "school_ground", "Устава");
    if (!yl_map_get(g, "place"))
        g = kind_map_set(a, g, "place", yl_map_get(school, "city"));
    if (!yl_map_get(g, "school_name"))
        g = kind_map_set(a, g, "school_name", yl_map_get(school, "short_name"));
    const yl_node *r = kind_map_set(a, root, "agreement", g);
    r = kind_map_set(a, r, "partner", partner);
    *data = r;
    return true;
}

const kind_def kind_agreement = {"agreement", root_fields, "agreement", compute};
