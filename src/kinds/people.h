/* kinds/people: the people and pairs of a dossier (people.yaml, pairs.yaml or
 * CSV files exported from a spreadsheet), shared by the kinds made from them
 * (registry, pairs-order, curator-order, application). Reads the top-level
 * keys `people`, `pairs` and `forms`, maps Russian column names to keys,
 * resolves references and checks the programme's rules. Everything it makes
 * lives in the caller's arena; the rules of names are freed by
 * kind_people_fini. Included by those kinds only. */
#ifndef NASTAVDOC_KINDS_PEOPLE_H
#define NASTAVDOC_KINDS_PEOPLE_H

#include <limits.h>

#include "../kinds.h"
#include "../names.h"

/* The limit of seed 004, 4.6 (4.7, one calendar year per pair, is a date rule). */
#define KIND_PEOPLE_MAX_MENTEES 2 /* mentees of one mentor at once outside a group form */
/* Unresolved references get a "did you mean" only up to this many: each
 * suggestion compares with every person of the dossier. */
#define KIND_PEOPLE_MAX_SUGGEST 50

#define KIND_NO_PERSON ((size_t)-1)
#define KIND_NO_DATE LONG_MIN

typedef struct kind_person {
    const yl_node *map; /* the person's fields under their keys */
    const char *id;     /* `id`, or the full name */
    const char *name;   /* full name as written: «Иванова Мария Петровна» */
    names_full parts;
    names_gender gender;
    int role; /* index into kind_people_roles, -1 when not given */
    src_mark mark;
    bool mentor, mentee; /* in the mentor or mentee base */
} kind_person;

typedef struct kind_pair {
    const yl_node *map;
    size_t mentor; /* index into people, KIND_NO_PERSON when unresolved */
    size_t *mentees, nmentees;
    int form;        /* index into kind_people.forms, -1 when unknown */
    long start, end; /* days since 1970-01-01, KIND_NO_DATE when absent */
    bool group;      /* a group form: the limit of mentees does not apply */
} kind_pair;

typedef struct kind_form {
    const char *name; /* as the dossier writes it first */
    const char *key;  /* the normalised name of the known form it is, or its own */
    bool group;
    bool teachers; /* «учитель – учитель»: a student may not mentor there */
} kind_form;

typedef struct kind_people {
    kind_person *people;
    size_t npeople;
    kind_pair *pairs;
    size_t npairs;
    kind_form *forms; /* forms used or declared, in order of first appearance */
    size_t nforms;
    struct ref_key *keys; /* the ids (or full names) as written, sorted */
    size_t nkeys;
    struct ref_key *names; /* full names and «Фамилия И.О.», normalised: made when needed */
    size_t nnames;
    size_t suggested; /* "did you mean" given so far: KIND_PEOPLE_MAX_SUGGEST at most */
    size_t *by_person; /* the pairs of person i: by_person[first[i] .. first[i + 1]) */
    size_t *first;
    names_rules *rules; /* loaded on the first declension; NULL until then */
    bool rules_failed;
    arena *a;
    diag *d;
} kind_people;

/* The fields of a kind's root that hold people and pairs: append to a
 * kind's root field table (they are checked by kind_people_load). */
#define KIND_PEOPLE_ROOT_FIELDS                                                                    \
    {"people", KS_SEQ, false, "люди программы (people.yaml или CSV)", NULL, NULL},                 \
        {"pairs", KS_SEQ, false, "наставнические пары и группы (pairs.yaml или CSV)", NULL, NULL},  \
        {"forms", KS_SEQ, false, "свои формы наставничества", NULL, NULL}

/* Read people, pairs and forms from root into p; every rule is checked and
 * reported (errors, or warnings that --strict makes errors). false after
 * errors. Call kind_people_fini afterwards. */
bool kind_people_load(const yl_node *root, arena *a, diag *d, kind_people *p);
void kind_people_fini(kind_people *p);

/* The person's name in case c (NAMES_NOMINATIVE is not a case: use
 * names_format on parts), written in style s. A `dative` / `genitive` field
 * of the person wins. Warns at the name when the gender is unknown or no
 * rule matched a word. */
const char *kind_people_decline(kind_people *p, const kind_person *who, names_case c,
                                names_style s);
/* The same for a name that is not in people (a director, a curator of
 * school.yaml): name_node is {name, position, gender?, dative?, genitive?}. */
const char *kind_people_decline_node(kind_people *p, const yl_node *name_node, names_case c,
                                     names_style s);

/* «Фамилия И.О.» of a person, in a. */
const char *kind_people_short(kind_people *p, const kind_person *who);
/* The class or position of a person ("" when none). */
const char *kind_people_where(const kind_person *who);
/* "ДД.ММ.ГГГГ" of a day number, in a. */
const char *kind_people_date(arena *a, long day);
/* Parse "ГГГГ-ММ-ДД" or "ДД.ММ.ГГГГ" into a day number; false if neither. */
bool kind_people_parse_date(const char *s, long *day);

/* The person v names (an id, a full name or «Фамилия И.О.»); what names
 * the role in the message («наставник»). KIND_NO_PERSON after an error at v
 * (none, with a "did you mean", or two people). */
size_t kind_people_find(kind_people *p, const yl_node *v, const char *s, const char *what);

/* The pairs a person is in (as mentor or mentee), in file order; *n gets
 * their number. */
const size_t *kind_people_pairs_of(const kind_people *p, const kind_person *who, size_t *n);

/* The index of the form v names (known or declared), or -1 after an error
 * with a suggestion at v (*ok set to false). */
int kind_people_form(kind_people *p, const yl_node *v, bool *ok);

/* The persons in sorted order (by surname, name, patronymic; ё as е). */
const kind_person **kind_people_sorted(kind_people *p);

/* Building computed data in the arena: a map with room for cap pairs, a
 * pair added (value NULL: nothing), a string value, a list with room for cap
 * items (the caller appends to items[n++]). */
yl_node *kind_people_map(kind_people *p, size_t cap, src_mark at);
void kind_people_put(kind_people *p, yl_node *map, const char *key, const yl_node *value);
void kind_people_put_str(kind_people *p, yl_node *map, const char *key, const char *s,
                         src_mark at);
yl_node *kind_people_seq(kind_people *p, size_t cap, src_mark at);

/* The roles a person may have (Russian, as written in a dossier). */
extern const char *const kind_people_roles[];

#endif
