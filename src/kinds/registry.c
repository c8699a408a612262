/* kinds/registry: the mentee base and the mentor base (seed 004, Приложения
 * 3 and 4) built from the dossier's people and pairs: one row per person,
 * sorted by name and numbered, each field of the seed's form a column;
 * filtered by form or by dates when the document asks. Landscape. */
#include "people.h"

#include <string.h>

static const kind_field registry_fields[] = {
    {"base", KS_STRING, true, "какая база: mentees (наставляемые) или mentors (наставники)", NULL,
     NULL},
    {"title", KS_STRING, false, "заголовок", NULL, NULL},
    {"form", KS_STRING, false, "только пары этой формы", NULL, NULL},
    {"from", KS_STRING, false, "только пары, идущие с этой даты", NULL, NULL},
    {"to", KS_STRING, false, "только пары, идущие до этой даты", NULL, NULL},
    {"date", KS_DATE, false, "по состоянию на дату", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"registry", KS_MAP, true, "база наставников или наставляемых", registry_fields, NULL},
    KIND_PEOPLE_ROOT_FIELDS,
    {NULL, 0, false, NULL, NULL, NULL}};

/* What the document asks: which base, and which pairs count. */
typedef struct filter {
    bool mentors;
    int form; /* -1: every form */
    long from, to;
} filter;

static bool pair_wanted(const filter *f, const kind_pair *pr)
{
    if (f->form >= 0 && pr->form != f->form)
        return false;
    if (f->to != KIND_NO_DATE && pr->start != KIND_NO_DATE && pr->start > f->to)
        return false;
    if (f->from != KIND_NO_DATE && pr->end != KIND_NO_DATE && pr->end < f->from)
        return false;
    return true;
}

/* "mentees" or "mentors" for the words a dossier may use; NULL otherwise. */
static const char *normalise_base(kind_people *p, const char *s)
{
    const char *n = names_lower(p->a, s);
    if (!strcmp(n, "mentees") || !strcmp(n, "наставляемые") || !strcmp(n, "наставляемых"))
        return "mentees";
    if (!strcmp(n, "mentors") || !strcmp(n, "наставники") || !strcmp(n, "наставников"))
        return "mentors";
    return NULL;
}

static bool read_filter(kind_people *p, const yl_node *reg, filter *f)
{
    *f = (filter){false, -1, KIND_NO_DATE, KIND_NO_DATE};
    const yl_node *base = yl_map_get(reg, "base");
    const char *b = normalise_base(p, base->str);
    bool ok = true;
    if (!b) {
        diag_error(p->d, base->mark,
                   "base: ожидалось mentees (база наставляемых) или mentors (база наставников), а "
                   "здесь «%s»",
                   base->str);
        ok = false;
    } else {
        f->mentors = !strcmp(b, "mentors");
    }
    const yl_node *form = yl_map_get(reg, "form");
    if (form)
        f->form = kind_people_form(p, form, &ok);
    const char *keys[2] = {"from", "to"};
    long *days[2] = {&f->from, &f->to};
    for (int i = 0; i < 2; i++) {
        const yl_node *v = yl_map_get(reg, keys[i]);
        char guess[11];
        if (v && !kind_people_parse_date(v->str, days[i])) {
            bool hint = v->str && kind_date_guess(v->str, guess);
            diag_error(p->d, v->mark, "registry.%s: ожидалась дата ГГГГ-ММ-ДД, а здесь «%s»%s%s",
                       keys[i], v->str, hint ? "; пишите " : "", hint ? guess : "");
            ok = false;
        }
    }
    return ok;
}

/* ---- rows -------------------------------------------------------------- */

/* The person's place of work or study: `organisation`, else the school and
 * the class or position. */
static const char *workplace(kind_people *p, const kind_person *who, const char *school)
{
    const yl_node *org = yl_map_get(who->map, "organisation");
    if (org && yl_str(org))
        return org->str;
    const char *where = kind_people_where(who);
    return *where ? arena_printf(p->a, "%s, %s", school, where) : school;
}

typedef enum {
    COL_START,
    COL_END,
    COL_FORM,
    COL_OTHER, /* the mentor (mentee base) or the mentees (mentor base) */
    COL_OTHER_PLACE,
    COL_RESULT,
    COL_LINK,
    COL_DONE,
    COL_REQUEST,
    NCOLS
} pair_col;

static const char *const pair_keys[NCOLS] = {"start",  "end",  "form", "other",       "other_place",
                                             "result", "link", "done", "pair_request"};

/* One line per wanted pair of `who` into the lists of cols. */
static void add_pair_lines(kind_people *p, const filter *f, const kind_person *who,
                           const char *school, yl_node **cols)
{
    size_t self = (size_t)(who - p->people), n;
    const size_t *mine = kind_people_pairs_of(p, who, &n);
    for (size_t j = 0; j < n; j++) {
        const kind_pair *pr = &p->pairs[mine[j]];
        if ((pr->mentor == self) != f->mentors || !pair_wanted(f, pr))
            continue;
        src_mark at = pr->map->mark;
        const char *v[NCOLS] = {0};
        v[COL_START] = pr->start != KIND_NO_DATE ? kind_people_date(p->a, pr->start) : "";
        v[COL_END] = pr->end != KIND_NO_DATE ? kind_people_date(p->a, pr->end) : "";
        v[COL_FORM] = pr->form >= 0 ? p->forms[pr->form].name : "";
        if (f->mentors) {
            for (size_t k = 0; k < pr->nmentees; k++) {
                const kind_person *m = &p->people[pr->mentees[k]];
                cols[COL_OTHER]->items[cols[COL_OTHER]->n++] = kind_scalar(p->a, m->name, at);
                cols[COL_OTHER_PLACE]->items[cols[COL_OTHER_PLACE]->n++] =
                    kind_scalar(p->a, workplace(p, m, school), at);
            }
        } else if (pr->mentor != KIND_NO_PERSON) {
            const kind_person *m = &p->people[pr->mentor];
            v[COL_OTHER] = m->name;
            v[COL_OTHER_PLACE] = workplace(p, m, school);
        }
        static const char *const fields[NCOLS] = {[COL_RESULT] = "result",
                                                  [COL_LINK] = "link",
                                                  [COL_DONE] = "done",
                                                  [COL_REQUEST] = "request"};
        for (int c = 0; c < NCOLS; c++) {
            const yl_node *fv = fields[c] ? yl_map_get(pr->map, fields[c]) : NULL;
            if (fv && fv->kind == YL_SCALAR)
                v[c] = fv->str;
            else if (fv && fv->kind == YL_SEQ && fv->n && yl_str(fv->items[0]))
                v[c] = fv->items[0]->str;
            if (v[c] && *v[c])
                cols[c]->items[cols[c]->n++] = kind_scalar(p->a, v[c], at);
        }
    }
}

/* The person's own fields the bases show (seed 004, Приложения 3 and 4). */
static const char *const person_keys[] = {"contacts",  "birth_year", "competences", "achievements",
                                          "interests", "wished_age", "time",        "request"};
enum { NPERSON_KEYS = sizeof person_keys / sizeof *person_keys };

/* The row of one person, or NULL when a filter leaves none of its pairs. */
static yl_node *person_row(kind_people *p, const filter *f, const kind_person *who,
                           const char *school)
{
    size_t n, room = 1;
    const size_t *mine = kind_people_pairs_of(p, who, &n);
    for (size_t j = 0; j < n; j++)
        room += p->pairs[mine[j]].nmentees + 1;
    yl_node *cols[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        cols[c] = kind_people_seq(p, room, who->mark);
    add_pair_lines(p, f, who, school, cols);
    bool filtered = f->form >= 0 || f->from != KIND_NO_DATE || f->to != KIND_NO_DATE;
    if (filtered && cols[COL_FORM]->n == 0)
        return NULL;
    yl_node *row = kind_people_map(p, 4 + NPERSON_KEYS + NCOLS, who->mark);
    kind_people_put_str(p, row, "name", who->name, who->mark);
    kind_people_put_str(p, row, "organisation", workplace(p, who, school), who->mark);
    for (size_t i = 0; i < NPERSON_KEYS; i++)
        kind_people_put(p, row, person_keys[i], yl_map_get(who->map, person_keys[i]));
    for (int c = 0; c < NCOLS; c++)
        if (cols[c]->n)
            kind_people_put(p, row, pair_keys[c], cols[c]);
    /* the mentee's request: their own, else what their pairs say */
    if (!yl_map_get(who->map, "request") && cols[COL_REQUEST]->n)
        kind_people_put(p, row, "request", cols[COL_REQUEST]);
    return row;
}

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    kind_people p;
    bool ok = kind_people_load(root, a, d, &p);
    const yl_node *reg = yl_map_get(root, "registry");
    filter f;
    ok &= read_filter(&p, reg, &f);
    if (!ok) {
        kind_people_fini(&p);
        return false;
    }
    const char *school = yl_str(yl_map_get(yl_map_get(root, "school"), "short_name"));
    const kind_person **sorted = kind_people_sorted(&p);
    yl_node *rows = kind_people_seq(&p, p.npeople, reg->mark);
    for (size_t i = 0; i < p.npeople; i++) {
        const kind_person *who = sorted[i];
        if (!(f.mentors ? who->mentor : who->mentee))
            continue;
        yl_node *row = person_row(&p, &f, who, school);
        if (row)
            rows->items[rows->n++] = row;
    }
    if (!rows->n)
        diag_warning(d, reg->mark, "в базе %s никого нет: %s",
                     f.mentors ? "наставников" : "наставляемых",
                     p.npeople ? "ни у кого нет подходящих пар или base" : "подключите people");
    const yl_node *r = kind_map_set(a, reg, "rows", rows);
    if (f.mentors)
        r = kind_map_set(a, r, "mentors", kind_scalar(a, "true", reg->mark));
    if (!yl_map_get(reg, "title"))
        r = kind_map_set(
            a, r, "title",
            kind_scalar(a, f.mentors ? "База наставников" : "База наставляемых", reg->mark));
    if (f.form >= 0)
        r = kind_map_set(a, r, "form", kind_scalar(a, p.forms[f.form].name, reg->mark));
    if (f.from != KIND_NO_DATE || f.to != KIND_NO_DATE) {
        const char *from = f.from != KIND_NO_DATE ? kind_people_date(a, f.from) : NULL;
        const char *to = f.to != KIND_NO_DATE ? kind_people_date(a, f.to) : NULL;
        r = kind_map_set(a, r, "period",
                         kind_scalar(a,
                                     arena_printf(a, "%s%s%s%s", from ? "с " : "", from ? from : "",
                                                  to ? (from ? " по " : "по ") : "", to ? to : ""),
                                     reg->mark));
    }
    *data = kind_map_set(a, root, "registry", r);
    kind_people_fini(&p);
    return true;
}

const kind_def kind_registry = {"registry", root_fields, "registry", compute};
