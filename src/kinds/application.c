/* kinds/application: the application of a candidate mentor (seed 004,
 * Приложение 5), addressed to the director in the dative case («Директору
 * ГАПОУ СО «КМТ» Е.В. Елсуковой»). For one candidate of people, for every
 * candidate (`candidates: all`: the mentor base), or blank. The dative comes
 * from the data when written (application.to, or the person's `dative`),
 * else from the rules of names (src/names.c). */
#include "people.h"

#include <string.h>

static const kind_field to_fields[] = {
    {"position", KS_STRING, true, "должность адресата в дательном падеже", NULL, NULL},
    {"name", KS_STRING, true, "И.О. Фамилия адресата в дательном падеже", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field application_fields[] = {
    {"candidate", KS_STRING, false, "кандидат: id или ФИО из people", NULL, NULL},
    {"candidates", KS_STRINGS, false, "кандидаты: all (все наставники) или список", NULL, NULL},
    {"year", KS_STRING, false, "учебный год, например «2024-2025»", NULL, NULL},
    {"programme", KS_STRING, false, "название программы наставничества", NULL, NULL},
    {"regulation", KS_STRING, false, "чьё Положение о наставничестве (в родительном падеже)", NULL,
     NULL},
    {"to", KS_MAP, false, "адресат, если склонять не нужно", to_fields, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"application", KS_MAP, true, "заявление кандидата в наставники", application_fields, NULL},
    KIND_PEOPLE_ROOT_FIELDS,
    {NULL, 0, false, NULL, NULL, NULL}};

/* The dative of a position's first word («Директор» -> «Директору»,
 * «Заведующая» -> «Заведующей»): the endings of Russian nouns and
 * participles that name posts. NULL when the word ends otherwise. */
static const char *position_dative(arena *a, const char *pos)
{
    static const struct {
        const char *end, *repl; /* repl replaces end */
    } rules[] = {{"ий", "ему"}, {"щая", "щей"},  {"жая", "жей"}, {"шая", "шей"}, {"чая", "чей"},
                 {"ая", "ой"},  {"ь", "ю"},      {"ор", "ору"},  {"ик", "ику"},  {"ер", "еру"},
                 {"ёр", "ёру"}, {"ент", "енту"}, {"ач", "ачу"}};
    size_t sp = strcspn(pos, " ");
    if (memchr(pos, '.', sp)) /* «И.о. директора»: the rest is already in the genitive */
        return pos;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        size_t n = strlen(rules[i].end);
        if (sp >= n && !memcmp(pos + sp - n, rules[i].end, n))
            return arena_printf(a, "%.*s%s%s", (int)(sp - n), pos, rules[i].repl, pos + sp);
    }
    return NULL;
}

/* application.to: written, or the director of school.yaml declined. */
static void addressee(kind_people *p, const yl_node *app, const yl_node *school, yl_node *out)
{
    const yl_node *to = yl_map_get(app, "to");
    const char *short_name = yl_str(yl_map_get(school, "short_name"));
    if (to) {
        kind_people_put(p, out, "to_position", yl_map_get(to, "position"));
        kind_people_put(p, out, "to_name", yl_map_get(to, "name"));
        return;
    }
    const yl_node *dir = yl_map_get(school, "director");
    const yl_node *pos = yl_map_get(dir, "position");
    const char *dat = position_dative(p->a, pos->str);
    if (!dat) {
        diag_warning(p->d, pos->mark,
                     "должность «%s» не склоняется по правилам программы: оставлена как есть; "
                     "впишите application.to {position, name} в дательном падеже",
                     pos->str);
        dat = pos->str;
    }
    /* «Директор МБОУ «СШ № 1»», as README's school.yaml writes it, already
     * names the school: «Директору МБОУ «СШ № 1»», not the name twice */
    if (!short_name || strstr(pos->str, short_name))
        kind_people_put_str(p, out, "to_position", dat, pos->mark);
    else
        kind_people_put_str(p, out, "to_position", arena_printf(p->a, "%s %s", dat, short_name),
                            pos->mark);
    kind_people_put_str(p, out, "to_name",
                        kind_people_decline_node(p, dir, NAMES_DATIVE, NAMES_INITIALS_FIRST),
                        dir->mark);
}

/* One application: the candidate's fields, or blanks (who NULL). */
static yl_node *item(kind_people *p, const kind_person *who, bool first, src_mark at)
{
    yl_node *it = kind_people_map(p, 8, at);
    if (who) {
        const char *where = kind_people_where(who);
        kind_people_put_str(p, it, "line",
                            *where ? arena_printf(p->a, "%s, %s", who->name, where) : who->name,
                            who->mark);
        kind_people_put_str(p, it, "signer", names_format(p->a, &who->parts, NAMES_INITIALS_FIRST),
                            who->mark);
        kind_people_put(p, it, "contacts", yl_map_get(who->map, "contacts"));
    }
    /* «участвующим(ей)», «ознакомлен(а)» of the form, settled when the
     * gender is known */
    names_gender g = who ? who->gender : NAMES_UNKNOWN;
    kind_people_put_str(p, it, "participating",
                        g == NAMES_MALE     ? "участвующим"
                        : g == NAMES_FEMALE ? "участвующей"
                                            : "участвующим(ей)",
                        at);
    kind_people_put_str(p, it, "acquainted",
                        g == NAMES_MALE     ? "ознакомлен"
                        : g == NAMES_FEMALE ? "ознакомлена"
                                            : "ознакомлен(а)",
                        at);
    if (!first)
        kind_people_put_str(p, it, "new_page", "true", at);
    return it;
}

/* The candidates the document names: candidate, candidates (a list, or
 * `all`: every person of the mentor base, sorted), or none (a blank). */
static yl_node *items(kind_people *p, const yl_node *app, bool *ok)
{
    const yl_node *one = yl_map_get(app, "candidate"), *many = yl_map_get(app, "candidates");
    yl_node *list = kind_people_seq(p, p->npeople + 1, app->mark);
    if (many && yl_str(many) && !strcmp(many->str, "all")) {
        const kind_person **sorted = kind_people_sorted(p);
        for (size_t i = 0; i < p->npeople; i++)
            if (sorted[i]->mentor) {
                yl_node *it = item(p, sorted[i], list->n == 0, app->mark);
                list->items[list->n++] = it;
            }
        if (!list->n) {
            diag_warning(p->d, many->mark,
                         "candidates: all — в people нет наставников и кандидатов (base: "
                         "наставник): напечатан пустой бланк");
            list->items[list->n++] = item(p, NULL, true, app->mark);
        }
        return list;
    }
    size_t n = many ? (many->kind == YL_SEQ ? many->n : 1) : one ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        const yl_node *v = one && !many ? one : many->kind == YL_SEQ ? many->items[i] : many;
        size_t who = kind_people_find(p, v, v->str, "кандидат");
        if (who == KIND_NO_PERSON)
            *ok = false;
        else {
            yl_node *it = item(p, &p->people[who], list->n == 0, app->mark);
            list->items[list->n++] = it;
        }
    }
    if (!n)
        list->items[list->n++] = item(p, NULL, true, app->mark);
    return list;
}

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    kind_people p;
    bool ok = kind_people_load(root, a, d, &p);
    const yl_node *app = yl_map_get(root, "application"), *school = yl_map_get(root, "school");
    yl_node *list = items(&p, app, &ok);
    if (!ok) {
        kind_people_fini(&p);
        return false;
    }
    const char *short_name = yl_str(yl_map_get(school, "short_name"));
    yl_node *out = kind_people_map(&p, app->n + 8, app->mark);
    for (size_t i = 0; i < app->n; i++)
        kind_people_put(&p, out, app->pairs[i].key->str, app->pairs[i].value);
    addressee(&p, app, school, out);
    kind_people_put(&p, out, "items", list);
    if (!yl_map_get(app, "year"))
        kind_people_put_str(&p, out, "year", "202_ – 202_", app->mark);
    if (!yl_map_get(app, "programme"))
        kind_people_put_str(&p, out, "programme", arena_printf(a, "«%s»", short_name), app->mark);
    if (!yl_map_get(app, "regulation"))
        kind_people_put_str(&p, out, "regulation", short_name, app->mark);
    yl_node *att = kind_people_seq(&p, 2, app->mark);
    att->items[att->n++] = kind_scalar(a, "портфолио на _____ листах", app->mark);
    att->items[att->n++] = kind_scalar(
        a, "согласие родителей (законных представителей) (для наставников-обучающихся)", app->mark);
    kind_people_put(&p, out, "attachments", att);
    *data = kind_map_set(a, root, "application", out);
    kind_people_fini(&p);
    return true;
}

const kind_def kind_application = {"application", root_fields, "application", compute};
