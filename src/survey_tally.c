/* survey_tally: responses to the surveys, counted. Part of survey (see
 * survey.h).
 *
 * A report's `responses:` is a list of sets:
 *
 *   - survey: mentee         # a survey's id
 *     stage: before          # before | after (до | после); or a column per row
 *     role: наставляемый     # default: from the survey's audience
 *     form: ученик – ученик  # default: the survey's form
 *     rows: responses_mentee_before   # a top-level key (a CSV through include),
 *                                     # or the list of rows itself
 *
 * A row is a map: question → answer. Its keys are the question's id or its
 * exact text (a CSV's header as Google Forms or Яндекс Формы write it,
 * also with the question's number in front: «3. Ожидаемый …»), or one of the
 * columns below (stage, role, form; a timestamp, a name or an e-mail are
 * read past, never printed). Only counts are kept: memory does not grow
 * with the number of responses beyond the rows themselves. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "stats.h"
#include "strtab.h"
#include "survey.h"

typedef struct q_acc {
    size_t *counts; /* per option, or per scale value from min */
    size_t answered;
    yl_node *quotes; /* TEXT with quote: the answers, else NULL */
} q_acc;

typedef struct group_count {
    const char *role, *form;
    size_t n[SURVEY_NSTAGES];
    src_mark mark;
} group_count;

typedef struct def_tally {
    const survey_def *def;
    q_acc *acc[SURVEY_NSTAGES];
    size_t nresp[SURVEY_NSTAGES];
    group_count *groups;
    size_t ngroups;
} def_tally;

struct survey_tally {
    const survey_def *defs;
    def_tally *t;
    size_t n;
    survey_policy policy;
    arena *a;
    size_t total;
    /* While survey_tally_read reads (freed at its end): the groups by their
     * definition, role and form (the key of group_key), to their place in
     * the definition's groups plus one; and the top-level keys of the
     * dossier, which a set's rows may name, to their values. A walk of
     * either for each row or set made a report quadratic: 8,192 roles and
     * 32,768 more rows of one took 1.9 s, now 0.2 s (tests/stress/surveys.sh). */
    strtab group_at, root_keys;
    buf key;
    /* The columns of the set being read: key text to its column less
     * COL_UNKNOWN plus one (cached_column); before it, a cache of key nodes
     * and their columns in node_cap slots (a power of two), each node in
     * the slot of its address: CSV rows share their key nodes, so that a
     * CSV cell costs a pointer compare, not the hash of a question's text
     * (a fifth of a 50,000-answer report's instructions). */
    strtab cols;
    const yl_node **node_key;
    int *node_col;
    size_t node_cap;
};

/* Columns that are not questions. Names as Google Forms and Яндекс Формы
 * export them, and our own keys. */
enum { COL_STAGE = -2, COL_ROLE = -3, COL_FORM = -4, COL_SKIP = -5, COL_UNKNOWN = -6 };
static const struct {
    const char *name;
    int col;
} meta_columns[] = {
    {"stage", COL_STAGE},
    {"этап", COL_STAGE},
    {"Этап", COL_STAGE},
    {"role", COL_ROLE},
    {"роль", COL_ROLE},
    {"Роль", COL_ROLE},
    {"form", COL_FORM},
    {"форма", COL_FORM},
    {"Форма", COL_FORM},
    {"Форма наставничества", COL_FORM},
    {"timestamp", COL_SKIP},
    {"Отметка времени", COL_SKIP}, /* Google Forms */
    {"Timestamp", COL_SKIP},       /* Google Forms in English */
    {"Время создания", COL_SKIP},  /* Яндекс Формы */
    {"ID", COL_SKIP},              /* Яндекс Формы: the answer's number */
    {"Адрес электронной почты", COL_SKIP},
    {"Email Address", COL_SKIP},
    {"name", COL_SKIP}, /* names are never printed */
    {"ФИО", COL_SKIP},
    {"Ф.И.О.", COL_SKIP},
    {"Ф. И. О.", COL_SKIP},
};

survey_tally *survey_tally_new(const survey_def *defs, size_t n, survey_policy policy, arena *a)
{
    survey_tally *t = arena_alloc(a, sizeof *t);
    *t = (survey_tally){.defs = defs,
                        .t = arena_alloc(a, (n + 1) * sizeof *t->t),
                        .n = n,
                        .policy = policy,
                        .a = a};
    for (size_t i = 0; i < n; i++) {
        def_tally *dt = &t->t[i];
        dt->def = &defs[i];
        dt->groups = arena_alloc(a, 1);
        for (int s = 0; s < SURVEY_NSTAGES; s++) {
            dt->acc[s] = arena_alloc(a, defs[i].nq * sizeof *dt->acc[s]);
            for (size_t q = 0; q < defs[i].nq; q++) {
                const survey_question *sq = &defs[i].qs[q];
                size_t k = sq->type == SQ_SCALE ? (size_t)(sq->max - sq->min + 1) : sq->nopts;
                dt->acc[s][q].counts = arena_alloc(a, (k + 1) * sizeof(size_t));
                if (sq->type == SQ_TEXT && sq->quote)
                    dt->acc[s][q].quotes = survey_seq_new(a, sq->mark);
            }
        }
    }
    return t;
}

/* ---- one answer ------------------------------------------------------------ */

/* A parsed answer: scale value index, option index, a bit set of options,
 * or a text. */
typedef struct answer {
    bool present;
    bool bad;       /* given but refused or skipped: not also «missing» */
    size_t index;   /* SCALE: value - min; YESNO, SINGLE: option */
    uint64_t picks; /* MULTIPLE: bit per option (SURVEY_MAX_OPTIONS <= 64) */
    const yl_node *node;
} answer;

static const char *trimmed(arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    return s[len] ? arena_strndup(a, s, len) : s;
}

static int yes_no(const char *s)
{
    static const char *const yes[] = {"да", "Да", "ДА", "yes", "Yes", "true", "True"};
    static const char *const no[] = {"нет", "Нет", "НЕТ", "no", "No", "false", "False"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (!strcmp(s, yes[i]))
            return 0;
        if (!strcmp(s, no[i]))
            return 1;
    }
    return -1;
}

static int option_of(const survey_question *q, const char *s, size_t len)
{
    for (size_t i = 0; i < q->nopts; i++)
        if (strlen(q->options[i]) == len && !memcmp(q->options[i], s, len))
            return (int)i;
    return -1;
}

/* Several options in one cell: Google Forms joins them with ", ", others
 * with ";". Options may hold commas themselves: at each place the longest
 * option that ends at a separator or the end is taken. */
static bool parse_multiple(const survey_question *q, const char *s, uint64_t *picks)
{
    while (*s) {
        while (*s == ' ' || *s == ';' || *s == ',')
            s++;
        if (!*s)
            break;
        size_t best = 0;
        int opt = -1;
        for (size_t i = 0; i < q->nopts; i++) {
            size_t len = strlen(q->options[i]);
            if (len > best && !strncmp(s, q->options[i], len) &&
                (!s[len] || s[len] == ',' || s[len] == ';')) {
                best = len;
                opt = (int)i;
            }
        }
        if (opt < 0)
            return false;
        *picks |= (uint64_t)1 << opt;
        s += best;
    }
    return *picks != 0;
}

/* Parse v for q into *ans; NULL when good, else what was expected. */
static const char *parse_answer(arena *a, const survey_question *q, const yl_node *v, answer *ans)
{
    *ans = (answer){.node = v};
    if (!v || yl_is_null(v) || (v->kind == YL_SCALAR && !*trimmed(a, v->str)))
        return NULL; /* no answer */
    ans->present = true;
    if (v->kind == YL_SEQ && q->type == SQ_MULTIPLE) {
        for (size_t i = 0; i < v->n; i++) {
            int o = yl_str(v->items[i]) ? option_of(q, trimmed(a, v->items[i]->str),
                                                    strlen(trimmed(a, v->items[i]->str)))
                                        : -1;
            if (o < 0)
                return "ожидались варианты из списка options";
            ans->picks |= (uint64_t)1 << o;
        }
        return NULL;
    }
    if (v->kind != YL_SCALAR)
        return "ожидалась строка";
    const char *s = trimmed(a, v->str);
    switch (q->type) {
    case SQ_SCALE: {
        char *end;
        long n = strtol(s, &end, 10);
        if (*end || end == s)
            return arena_printf(a, "ожидался балл (целое число от %d до %d)", q->min, q->max);
        if (n < q->min || n > q->max)
            return arena_printf(a, "балл вне шкалы: ожидалось от %d до %d", q->min, q->max);
        ans->index = (size_t)(n - q->min);
        return NULL;
    }
    case SQ_YESNO: {
        int k = yes_no(s);
        if (k < 0)
            return "ожидалось «да» или «нет»";
        ans->index = (size_t)k;
        return NULL;
    }
    case SQ_SINGLE: {
        int o = option_of(q, s, strlen(s));
        if (o < 0)
            return "такого варианта нет в options вопроса";
        ans->index = (size_t)o;
        return NULL;
    }
    case SQ_MULTIPLE:
        return parse_multiple(q, s, &ans->picks) ? NULL : "такого варианта нет в options вопроса";
    case SQ_TEXT:
        return NULL;
    }
    return NULL;
}

/* Does the parsed answer of q equal the condition's answer? */
static bool condition_met(const survey_question *q, const answer *ans, const char *want)
{
    if (!ans->present)
        return false;
    if (q->type == SQ_SCALE)
        return (long)ans->index + q->min == strtol(want, NULL, 10);
    int o = option_of(q, want, strlen(want));
    if (o < 0)
        return false;
    if (q->type == SQ_MULTIPLE)
        return (ans->picks >> o) & 1;
    return ans->index == (size_t)o;
}

/* ---- one row --------------------------------------------------------------- */

typedef struct set_ctx {
    survey_tally *t;
    def_tally *dt;
    diag *d;
    int stage;
    const char *role, *form;
    size_t kcap; /* distinct columns remembered in t->cols (cached_column) */
    /* the group of the last row, by the addresses of its role and form:
     * rows of one group share them (the set's, or a CSV's shared texts) */
    const char *last_role, *last_form;
    size_t last_group;
    bool *no_column; /* a required question without a column: said once */
    answer *answers; /* per question, for the current row */
    bool ok;
} set_ctx;

static void bad_answer(set_ctx *c, src_mark at, const survey_question *q, const char *what)
{
    if (c->t->policy == SURVEY_SKIP) {
        diag_warning(c->d, at, "вопрос %u («%s»): %s; ответ не учтён (bad_answers: skip)",
                     q->number, q->id, what);
        return;
    }
    diag_error(c->d, at,
               "вопрос %u («%s»): %s; исправьте ответ или напишите в отчёте «bad_answers: "
               "skip», чтобы пропускать такие ответы с предупреждением",
               q->number, q->id, what);
    c->ok = false;
}

/* The column a key stands for: a question's index or a COL_ value. */
static int column_of(const survey_def *def, const char *key)
{
    for (size_t i = 0; i < sizeof meta_columns / sizeof *meta_columns; i++)
        if (!strcmp(key, meta_columns[i].name))
            return meta_columns[i].col;
    for (size_t i = 0; i < def->nq; i++) {
        const survey_question *q = &def->qs[i];
        if (!strcmp(key, q->id) || !strcmp(key, q->text))
            return (int)i;
        /* «3. Ожидаемый …»: the number the form printed, then the text */
        char num[16];
        int len = snprintf(num, sizeof num, "%u. ", q->number);
        if (!strncmp(key, num, (size_t)len) && !strcmp(key + len, q->text))
            return (int)i;
    }
    return COL_UNKNOWN;
}

/* The column of a key, remembered by its text in a table: a walk of the
 * columns seen, for each cell, cost as much as the rest of a YAML row's
 * reading (a form has up to 2 x SURVEY_MAX_QUESTIONS columns). An unknown
 * column is reported once, at its first place. */
static int text_column(set_ctx *c, const yl_node *key)
{
    strtab *cols = &c->t->cols;
    size_t len = strlen(key->str);
    uintptr_t seen = (uintptr_t)strtab_get(cols, key->str, len);
    if (seen)
        return (int)seen + COL_UNKNOWN - 1;
    int col = column_of(c->dt->def, trimmed(c->t->a, key->str));
    if (cols->n == c->kcap)
        return col; /* more distinct columns than a form has: not remembered */
    strtab_put(cols, key->str, len, (void *)(uintptr_t)(col - COL_UNKNOWN + 1));
    if (col == COL_UNKNOWN)
        diag_warning(c->d, key->mark,
                     "столбец «%s» не найден среди вопросов анкеты «%s» (ни id, ни точный текст "
                     "вопроса): его ответы не учитываются",
                     key->str, c->dt->def->id);
    return col;
}

/* The column of a key: the one cached for its node, else found by its
 * text. A slot holds the node last met of those sharing it. */
static int cached_column(set_ctx *c, const yl_node *key)
{
    survey_tally *t = c->t;
    size_t slot = (size_t)(((uintptr_t)key / sizeof *key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) &
                  (t->node_cap - 1);
    if (t->node_key[slot] == key)
        return t->node_col[slot];
    int col = text_column(c, key);
    t->node_key[slot] = key;
    t->node_col[slot] = col;
    return col;
}

static const char *const stage_names[][2] = {{"before", "до"}, {"after", "после"}};

static int stage_of(const char *s)
{
    for (int i = 0; i < SURVEY_NSTAGES; i++)
        if (!strcmp(s, stage_names[i][0]) || !strcmp(s, stage_names[i][1]))
            return i;
    return -1;
}

/* The key of a group in t->group_at, built in t->key: the definition's
 * tally, the role, a NUL (no text holds one) and the form. */
static void group_key(survey_tally *t, const def_tally *dt, const char *role, const char *form)
{
    buf_clear(&t->key);
    buf_putn(&t->key, (const char *)&dt, sizeof dt);
    buf_putn(&t->key, role, strlen(role) + 1);
    buf_puts(&t->key, form);
}

/* The respondents' group (role and form) of the row: counted for the
 * breakdown table, the groups in the order first met. */
static void count_group(set_ctx *c, const char *role, const char *form, int stage, src_mark at)
{
    def_tally *dt = c->dt;
    survey_tally *t = c->t;
    if (role == c->last_role && form == c->last_form) {
        dt->groups[c->last_group].n[stage]++;
        return;
    }
    c->last_role = role, c->last_form = form;
    group_key(t, dt, role, form);
    uintptr_t at_plus_one = (uintptr_t)strtab_get(&t->group_at, t->key.data, t->key.len);
    if (at_plus_one) {
        c->last_group = at_plus_one - 1;
        dt->groups[at_plus_one - 1].n[stage]++;
        return;
    }
    c->last_group = dt->ngroups;
    if (dt->ngroups == 0 || (dt->ngroups & (dt->ngroups - 1)) == 0) {
        group_count *g = arena_alloc(t->a, (dt->ngroups ? 2 * dt->ngroups : 4) * sizeof *g);
        if (dt->ngroups)
            memcpy(g, dt->groups, dt->ngroups * sizeof *g);
        dt->groups = g;
    }
    dt->groups[dt->ngroups++] = (group_count){role, form, {0}, at};
    dt->groups[dt->ngroups - 1].n[stage] = 1;
    /* the table borrows its key: a copy in the arena, once per group */
    char *key = arena_alloc(t->a, t->key.len);
    memcpy(key, t->key.data, t->key.len);
    strtab_put(&t->group_at, key, t->key.len, (void *)(uintptr_t)dt->ngroups);
}

/* Read the row's cells into c->answers and its stage, role and form. */
static bool row_cells(set_ctx *c, const yl_node *row, int *stage, const char **role,
                      const char **form)
{
    const survey_def *def = c->dt->def;
    for (size_t i = 0; i < def->nq; i++)
        c->answers[i] = (answer){0};
    for (size_t i = 0; i < row->n; i++) {
        const yl_node *k = row->pairs[i].key, *v = row->pairs[i].value;
        int col = cached_column(c, k);
        const char *s = yl_str(v) ? trimmed(c->t->a, v->str) : NULL;
        if (col >= 0) {
            const survey_question *q = &def->qs[col];
            const char *why = parse_answer(c->t->a, q, v, &c->answers[col]);
            if (why) {
                bad_answer(c, v->mark, q,
                           arena_printf(c->t->a, "ответ «%s»: %s", s ? s : "…", why));
                c->answers[col].present = false;
                c->answers[col].bad = true;
            }
        } else if (col == COL_STAGE && s && *s) {
            if ((*stage = stage_of(s)) < 0) {
                diag_error(c->d, v->mark, "этап «%s»: ожидалось before или after (до, после)", s);
                c->ok = false;
                return false;
            }
        } else if (col == COL_ROLE && s && *s) {
            *role = s;
        } else if (col == COL_FORM && s && *s) {
            *form = s;
        }
    }
    return true;
}

static void count_answer(set_ctx *c, int stage, size_t qi, const answer *ans)
{
    const survey_question *q = &c->dt->def->qs[qi];
    q_acc *acc = &c->dt->acc[stage][qi];
    acc->answered++;
    if (q->type == SQ_MULTIPLE) {
        for (size_t o = 0; o < q->nopts; o++)
            acc->counts[o] += (ans->picks >> o) & 1;
    } else if (q->type == SQ_TEXT) {
        if (acc->quotes && acc->quotes->n < SURVEY_MAX_QUOTES)
            survey_seq_push(c->t->a, acc->quotes, ans->node);
    } else {
        acc->counts[ans->index]++;
    }
}

static void read_row(set_ctx *c, const yl_node *row)
{
    const survey_def *def = c->dt->def;
    if (row->kind != YL_MAP) {
        diag_error(c->d, row->mark, "ответ должен быть словарём «вопрос: ответ»");
        c->ok = false;
        return;
    }
    int stage = c->stage;
    const char *role = c->role, *form = c->form;
    if (!row_cells(c, row, &stage, &role, &form))
        return;
    if (stage < 0) {
        diag_error(c->d, row->mark,
                   "не указан этап: напишите stage: before или after у набора ответов или "
                   "заполните столбец «Этап»");
        c->ok = false;
        return;
    }
    for (size_t i = 0; i < def->nq; i++) {
        const survey_question *q = &def->qs[i];
        answer *ans = &c->answers[i];
        bool asked = q->cond == SIZE_MAX ||
                     condition_met(&def->qs[q->cond], &c->answers[q->cond], q->cond_answer);
        if (ans->present && !asked) {
            bad_answer(c, ans->node->mark, q,
                       arena_printf(c->t->a,
                                    "ответ дан, хотя вопрос задаётся только при ответе "
                                    "«%s» на вопрос «%s»",
                                    q->cond_answer, def->qs[q->cond].id));
            continue;
        }
        if (!ans->present && !ans->bad && asked && q->required && !c->no_column[i])
            bad_answer(c, row->mark, q, "нет ответа на обязательный вопрос");
        if (ans->present)
            count_answer(c, stage, i, ans);
    }
    c->dt->nresp[stage]++;
    count_group(c, role, form, stage, row->mark);
}

/* A required question that no row has a column for: one message for the
 * whole set instead of one per row. */
static void check_columns(set_ctx *c, const yl_node *rows)
{
    const survey_def *def = c->dt->def;
    bool *seen = arena_alloc(c->t->a, def->nq + 1);
    for (size_t r = 0; r < rows->n; r++)
        for (size_t i = 0; rows->items[r]->kind == YL_MAP && i < rows->items[r]->n; i++) {
            int col = cached_column(c, rows->items[r]->pairs[i].key);
            if (col >= 0)
                seen[col] = true;
        }
    for (size_t q = 0; q < def->nq; q++)
        if (!seen[q] && def->qs[q].required && rows->n > 0) {
            c->no_column[q] = true;
            const survey_question *sq = &def->qs[q];
            bad_answer(c, rows->mark, sq,
                       arena_printf(c->t->a,
                                    "ни в одном ответе нет этого обязательного вопроса (столбца "
                                    "«%s» или «%s»)",
                                    sq->id, sq->text));
        }
}

/* ---- sets -------------------------------------------------------------------- */

static const kind_field set_fields[] = {
    {"survey", KS_STRING, true, "id анкеты из surveys", NULL, NULL},
    {"stage", KS_STRING, false, "этап: before (до) или after (после)", NULL, NULL},
    {"role", KS_STRING, false, "роль отвечавших", NULL, NULL},
    {"form", KS_STRING, false, "форма наставничества", NULL, NULL},
    {"rows", KS_STRING, true, "ответы: список или имя ключа с ответами из CSV", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* The rows of a set: the list itself, or the top-level key it names (found
 * in t->root_keys, made at the first set that names one). */
static const yl_node *set_rows(survey_tally *t, const yl_node *set, const yl_node *root,
                               bool *named, diag *d)
{
    const yl_node *r = yl_map_get(set, "rows");
    *named = r->kind == YL_SCALAR;
    if (!*named)
        return r;
    if (!t->root_keys.n && root && root->kind == YL_MAP)
        for (size_t i = 0; i < root->n; i++)
            strtab_put(&t->root_keys, root->pairs[i].key->str, root->pairs[i].key->len,
                       root->pairs[i].value);
    const yl_node *rows = strtab_get(&t->root_keys, r->str, strlen(r->str));
    if (!rows || rows->kind != YL_SEQ) {
        diag_error(d, r->mark,
                   "нет списка ответов «%s»: подключите файл через include (- %s: ответы.csv) "
                   "или запишите ответы списком",
                   r->str, r->str);
        return NULL;
    }
    return rows;
}

static const char *default_role(const char *audience)
{
    return !strcmp(audience, "mentor")    ? "наставник"
           : !strcmp(audience, "mentee")  ? "наставляемый"
           : !strcmp(audience, "curator") ? "куратор"
                                          : "участник";
}

static bool read_set(survey_tally *t, const yl_node *set, const yl_node *root, diag *d)
{
    /* rows may be a list: check the other fields, then rows by hand */
    kind_field fields[sizeof set_fields / sizeof *set_fields];
    memcpy(fields, set_fields, sizeof fields);
    fields[4].type =
        yl_map_get(set, "rows") && yl_map_get(set, "rows")->kind == YL_SEQ ? KS_SEQ : KS_STRING;
    if (set->kind != YL_MAP) {
        diag_error(d, set->mark, "набор ответов: ожидался словарь {survey, stage, rows}");
        return false;
    }
    if (!kind_check_map(set, fields, "responses", d))
        return false;
    size_t di = survey_index(t->defs, t->n, yl_map_get(set, "survey")->str);
    if (di == SIZE_MAX) {
        const survey_def *none = survey_find(t->defs, t->n, yl_map_get(set, "survey"), d);
        return none != NULL;
    }
    const survey_def *def = t->t[di].def;
    bool named;
    const yl_node *rows = set_rows(t, set, root, &named, d), *v;
    if (!rows)
        return false;
    set_ctx c = {.t = t, .dt = &t->t[di], .d = d, .stage = -1, .ok = true};
    if ((v = yl_map_get(set, "stage")) && (c.stage = stage_of(v->str)) < 0) {
        diag_error(d, v->mark, "этап «%s»: ожидалось before или after (до, после)", v->str);
        return false;
    }
    c.role = (v = yl_map_get(set, "role")) ? v->str : default_role(def->audience);
    c.form = (v = yl_map_get(set, "form")) ? v->str : def->form ? def->form : "—";
    c.kcap = 2 * def->nq + 32; /* distinct columns remembered */
    strtab_clear(&t->cols);
    if (t->node_cap < 2 * c.kcap) {
        while (t->node_cap < 2 * c.kcap)
            t->node_cap = t->node_cap ? 2 * t->node_cap : 64;
        t->node_key = xrealloc(t->node_key, t->node_cap * sizeof *t->node_key);
        t->node_col = xrealloc(t->node_col, t->node_cap * sizeof *t->node_col);
    }
    memset(t->node_key, 0, t->node_cap * sizeof *t->node_key);
    c.no_column = arena_alloc(t->a, def->nq + 1);
    c.answers = arena_alloc(t->a, (def->nq + 1) * sizeof *c.answers);
    if (t->total + rows->n > SURVEY_MAX_RESPONSES) {
        diag_error(d, rows->mark, "больше %d ответов в одном отчёте", SURVEY_MAX_RESPONSES);
        return false;
    }
    t->total += rows->n;
    check_columns(&c, rows);
    for (size_t i = 0; i < rows->n; i++)
        read_row(&c, rows->items[i]);
    return c.ok;
}

bool survey_tally_read(survey_tally *t, const yl_node *responses, const yl_node *root, diag *d)
{
    if (!responses)
        return true;
    if (responses->kind != YL_SEQ) {
        diag_error(d, responses->mark, "responses: ожидался список наборов ответов");
        return false;
    }
    bool ok = true;
    buf_init(&t->key);
    for (size_t i = 0; i < responses->n; i++)
        ok &= read_set(t, responses->items[i], root, d);
    strtab_fini(&t->group_at);
    strtab_fini(&t->root_keys);
    strtab_fini(&t->cols);
    free(t->node_key);
    free(t->node_col);
    t->node_key = NULL, t->node_col = NULL, t->node_cap = 0;
    buf_fini(&t->key);
    return ok;
}

/* ---- the report's section of one survey ------------------------------------ */

#define NOT_ENOUGH "недостаточно данных"

typedef struct section_ctx {
    arena *a;
    const def_tally *dt;
    int st[SURVEY_NSTAGES]; /* the stages with responses */
    int nst;
    src_mark mark;
} section_ctx;

static const char *num(arena *a, double v, int decimals)
{
    char tmp[64];
    return arena_strdup(a, stats_format(tmp, sizeof tmp, v, decimals));
}

static yl_node *str_node(section_ctx *s, const char *text)
{
    return kind_scalar(s->a, text, s->mark);
}

static yl_node *column(section_ctx *s, const char *key, const char *title, double width_mm,
                       const char *align)
{
    yl_node *c = survey_map_new(s->a, s->mark);
    survey_put_str(s->a, c, "key", key);
    survey_put_str(s->a, c, "title", title);
    if (width_mm > 0)
        survey_put_str(s->a, c, "width_mm", arena_printf(s->a, "%g", width_mm));
    if (align)
        survey_put_str(s->a, c, "align", align);
    return c;
}

static const char *stage_key(int st)
{
    return stage_names[st][0];
}

/* «до», «после» with a capital for titles */
static const char *stage_title(int st)
{
    return st == SURVEY_BEFORE ? "До" : "После";
}

/* Respondents by role and form and stage; groups under SURVEY_MIN_GROUP
 * are not shown as numbers. */
static void put_respondents(section_ctx *s, yl_node *sec)
{
    yl_node *cols = survey_seq_new(s->a, s->mark), *rows = survey_seq_new(s->a, s->mark);
    survey_seq_push(s->a, cols, column(s, "role", "Роль", 0, NULL));
    survey_seq_push(s->a, cols, column(s, "form", "Форма наставничества", 0, NULL));
    for (int k = 0; k < s->nst; k++)
        survey_seq_push(s->a, cols,
                        column(s, stage_key(s->st[k]),
                               arena_printf(s->a, "%s программы, чел.", stage_title(s->st[k])), 35,
                               "center"));
    for (size_t g = 0; g < s->dt->ngroups; g++) {
        const group_count *gc = &s->dt->groups[g];
        yl_node *r = survey_map_new(s->a, s->mark);
        survey_put_str(s->a, r, "role", gc->role);
        survey_put_str(s->a, r, "form", gc->form);
        for (int k = 0; k < s->nst; k++) {
            size_t n = gc->n[s->st[k]];
            survey_put_str(s->a, r, stage_key(s->st[k]),
                           n == 0                 ? "—"
                           : n < SURVEY_MIN_GROUP ? NOT_ENOUGH
                                                  : arena_printf(s->a, "%zu", n));
        }
        survey_seq_push(s->a, rows, r);
    }
    survey_map_put(s->a, sec, "respondent_columns", cols);
    survey_map_put(s->a, sec, "respondent_rows", rows);
}

static void scale_summary(const def_tally *dt, int st, size_t qi, stats_summary *out)
{
    const survey_question *q = &dt->def->qs[qi];
    stats_from_counts(dt->acc[st][qi].counts, (size_t)(q->max - q->min + 1), q->min, out);
}

/* a question's distribution is one chart: its categories fit one */
_Static_assert(SURVEY_MAX_OPTIONS <= CHART_MAX_CATEGORIES &&
                   SURVEY_MAX_SCALE <= CHART_MAX_CATEGORIES,
               "a question's categories fit one chart");

/* The charts of the means (mean_charts): the scale questions' labels and
 * values split into as few charts as hold at most CHART_MAX_CATEGORIES
 * each, of equal share (a survey may have SURVEY_MAX_QUESTIONS of them);
 * drawn[i]: question i has a mean to draw. A chart whose questions have
 * none (dashes only) is left out; NULL when no chart is left. */
static yl_node *mean_charts(section_ctx *s, const yl_node *labels, const yl_node *values,
                            const bool *drawn, int top)
{
    size_t n = labels->n, k = (n + CHART_MAX_CATEGORIES - 1) / CHART_MAX_CATEGORIES;
    size_t per = (n + k - 1) / k;
    yl_node *charts = survey_seq_new(s->a, s->mark);
    for (size_t from = 0; from < n; from += per) {
        size_t to = from + per < n ? from + per : n;
        bool any = false;
        yl_node *lab = survey_seq_new(s->a, s->mark), *val = survey_seq_new(s->a, s->mark);
        for (size_t i = from; i < to; i++) {
            survey_seq_push(s->a, lab, labels->items[i]);
            survey_seq_push(s->a, val, values->items[i]);
            any |= drawn[i];
        }
        if (!any)
            continue;
        yl_node *chart = survey_map_new(s->a, s->mark), *series = survey_seq_new(s->a, s->mark);
        for (int st = 0; st < s->nst; st++)
            survey_seq_push(s->a, series, str_node(s, stage_names[s->st[st]][1]));
        survey_map_put(s->a, chart, "labels", lab);
        survey_map_put(s->a, chart, "series", series);
        survey_map_put(s->a, chart, "values", val);
        survey_put_str(s->a, chart, "axis_max", arena_printf(s->a, "%d", top));
        survey_put_str(s->a, chart, "decimals", "2");
        survey_put_str(s->a, chart, "x_title", "Номер вопроса");
        survey_put_str(s->a, chart, "y_title", "Средний балл");
        survey_seq_push(s->a, charts, chart);
    }
    return charts->n ? charts : NULL;
}

/* The statistics table of the scale questions, and the charts of the means. */
static void put_scales(section_ctx *s, yl_node *sec)
{
    const survey_def *def = s->dt->def;
    yl_node *rows = survey_seq_new(s->a, s->mark);
    yl_node *labels = survey_seq_new(s->a, s->mark), *values = survey_seq_new(s->a, s->mark);
    int top = 0;
    bool drawn[SURVEY_MAX_QUESTIONS]; /* per scale question: a mean to draw */
    for (size_t qi = 0; qi < def->nq; qi++) {
        const survey_question *q = &def->qs[qi];
        if (q->type != SQ_SCALE)
            continue;
        top = q->max > top ? q->max : top;
        survey_seq_push(s->a, labels, str_node(s, arena_printf(s->a, "%u", q->number)));
        yl_node *vals = survey_seq_new(s->a, s->mark);
        bool any = false;
        for (int k = 0; k < s->nst; k++) {
            stats_summary sm;
            scale_summary(s->dt, s->st[k], qi, &sm);
            yl_node *r = survey_map_new(s->a, q->mark);
            survey_put_str(s->a, r, "text", arena_printf(s->a, "%u. %s", q->number, q->text));
            survey_put_str(s->a, r, "stage", stage_names[s->st[k]][1]);
            survey_put_str(s->a, r, "n", arena_printf(s->a, "%zu", sm.n));
            bool ok = sm.n >= SURVEY_MIN_GROUP;
            survey_put_str(s->a, r, "mean", ok ? num(s->a, sm.mean, 2) : NOT_ENOUGH);
            survey_put_str(s->a, r, "median", ok ? num(s->a, sm.median, 1) : "");
            survey_put_str(s->a, r, "min", ok ? num(s->a, sm.min, 0) : "");
            survey_put_str(s->a, r, "max", ok ? num(s->a, sm.max, 0) : "");
            survey_put_str(s->a, r, "sd", ok ? num(s->a, sm.sd, 2) : "");
            survey_seq_push(s->a, rows, r);
            survey_seq_push(s->a, vals,
                            str_node(s, ok ? arena_printf(s->a, "%.6f", sm.mean) : "—"));
            any |= ok;
        }
        drawn[values->n] = any;
        survey_seq_push(s->a, values, vals);
    }
    if (!labels->n)
        return;
    survey_map_put(s->a, sec, "scale_rows", rows);
    yl_node *charts = mean_charts(s, labels, values, drawn, top);
    if (charts)
        survey_map_put(s->a, sec, "mean_charts", charts);
}

/* The labels of a question's categories: scale values or options. */
static const char *category(arena *a, const survey_question *q, size_t i)
{
    return q->type == SQ_SCALE ? arena_printf(a, "%d", q->min + (int)i) : q->options[i];
}

/* A question's distribution: the table (count and share per stage) and the
 * chart of the shares, before and after side by side. A stage with fewer
 * than SURVEY_MIN_GROUP answers shows «недостаточно данных» and no bars. */
static void put_distribution(section_ctx *s, const survey_question *q, size_t qi, yl_node *out)
{
    size_t k = q->type == SQ_SCALE ? (size_t)(q->max - q->min + 1) : q->nopts;
    yl_node *cols = survey_seq_new(s->a, q->mark), *rows = survey_seq_new(s->a, q->mark);
    yl_node *labels = survey_seq_new(s->a, q->mark), *values = survey_seq_new(s->a, q->mark);
    yl_node *series = survey_seq_new(s->a, q->mark);
    survey_seq_push(s->a, cols,
                    column(s, "option", q->type == SQ_SCALE ? "Балл" : "Ответ", 0, NULL));
    bool any = false;
    for (int j = 0; j < s->nst; j++) {
        size_t n = s->dt->acc[s->st[j]][qi].answered;
        survey_seq_push(
            s->a, cols,
            column(s, stage_key(s->st[j]),
                   arena_printf(s->a, "%s: ответов %zu, чел. (%%)", stage_title(s->st[j]), n), 45,
                   "center"));
        survey_seq_push(s->a, series, str_node(s, stage_names[s->st[j]][1]));
        any |= n >= SURVEY_MIN_GROUP;
    }
    for (size_t i = 0; i < k; i++) {
        yl_node *r = survey_map_new(s->a, q->mark), *vals = survey_seq_new(s->a, q->mark);
        survey_put_str(s->a, r, "option", category(s->a, q, i));
        for (int j = 0; j < s->nst; j++) {
            const q_acc *acc = &s->dt->acc[s->st[j]][qi];
            double pct = 0;
            bool ok = acc->answered >= SURVEY_MIN_GROUP &&
                      stats_percent((double)acc->counts[i], (double)acc->answered, &pct);
            survey_put_str(s->a, r, stage_key(s->st[j]),
                           ok ? arena_printf(s->a, "%zu (%s %%)", acc->counts[i], num(s->a, pct, 1))
                              : NOT_ENOUGH);
            survey_seq_push(s->a, vals, str_node(s, ok ? arena_printf(s->a, "%.6f", pct) : "—"));
        }
        survey_seq_push(s->a, rows, r);
        survey_seq_push(s->a, labels, str_node(s, category(s->a, q, i)));
        survey_seq_push(s->a, values, vals);
    }
    survey_map_put(s->a, out, "columns", cols);
    survey_map_put(s->a, out, "rows", rows);
    if (!any)
        return;
    yl_node *chart = survey_map_new(s->a, q->mark);
    survey_map_put(s->a, chart, "labels", labels);
    survey_map_put(s->a, chart, "series", series);
    survey_map_put(s->a, chart, "values", values);
    survey_put_str(s->a, chart, "decimals", "1");
    survey_put_str(s->a, chart, "unit", "%");
    survey_put_str(s->a, chart, "x_title", q->type == SQ_SCALE ? "Балл" : "");
    survey_put_str(s->a, chart, "y_title",
                   q->type == SQ_MULTIPLE ? "Выбрали вариант, % ответивших" : "Доля ответов, %");
    survey_map_put(s->a, out, "chart", chart);
}

/* A text question: how many answered; the answers themselves only when
 * the definition allows quoting and the group is large enough. */
static void put_text(section_ctx *s, const survey_question *q, size_t qi, yl_node *out)
{
    buf b;
    buf_init(&b);
    buf_puts(&b, "Ответили:");
    yl_node *quotes = survey_seq_new(s->a, q->mark);
    for (int j = 0; j < s->nst; j++) {
        const q_acc *acc = &s->dt->acc[s->st[j]][qi];
        buf_printf(&b, "%s %s — %zu", j ? ";" : "", stage_names[s->st[j]][1], acc->answered);
        if (acc->quotes && acc->answered > acc->quotes->n && acc->answered >= SURVEY_MIN_GROUP)
            buf_printf(&b, " (приведены первые %zu)", (size_t)acc->quotes->n);
        for (size_t i = 0; acc->quotes && acc->answered >= SURVEY_MIN_GROUP && i < acc->quotes->n;
             i++)
            survey_seq_push(s->a, quotes,
                            str_node(s, arena_printf(s->a, "«%s» (%s)", acc->quotes->items[i]->str,
                                                     stage_names[s->st[j]][1])));
    }
    buf_puts(&b, q->quote ? "." : ". Ответы на открытые вопросы в отчёт не выводятся.");
    survey_put_str(s->a, out, "note", b.data);
    buf_fini(&b);
    if (quotes->n)
        survey_map_put(s->a, out, "quotes", quotes);
}

static void put_questions(section_ctx *s, yl_node *sec)
{
    const survey_def *def = s->dt->def;
    yl_node *qs = survey_seq_new(s->a, s->mark);
    for (size_t qi = 0; qi < def->nq; qi++) {
        const survey_question *q = &def->qs[qi];
        yl_node *m = survey_map_new(s->a, q->mark);
        survey_put_str(s->a, m, "title", arena_printf(s->a, "%u. %s", q->number, q->text));
        if (q->type == SQ_TEXT)
            put_text(s, q, qi, m);
        else
            put_distribution(s, q, qi, m);
        survey_seq_push(s->a, qs, m);
    }
    survey_map_put(s->a, sec, "questions", qs);
}

static const def_tally *tally_of(const survey_tally *t, const yl_node *id, diag *d)
{
    size_t i = survey_index(t->defs, t->n, yl_str(id));
    if (i != SIZE_MAX)
        return &t->t[i];
    survey_find(t->defs, t->n, id, d);
    return NULL;
}

yl_node *survey_section_node(const survey_tally *t, const yl_node *id, diag *d)
{
    const def_tally *dt = tally_of(t, id, d);
    if (!dt)
        return NULL;
    section_ctx s = {.a = t->a, .dt = dt, .mark = id->mark};
    for (int k = 0; k < SURVEY_NSTAGES; k++)
        if (dt->nresp[k])
            s.st[s.nst++] = k;
    yl_node *sec = survey_map_new(t->a, id->mark);
    survey_put_str(t->a, sec, "title", dt->def->title);
    size_t total = dt->nresp[0] + dt->nresp[1];
    survey_put_str(t->a, sec, "total",
                   arena_printf(t->a, "Получено анкет: %zu (до программы — %zu, после — %zu).",
                                total, dt->nresp[0], dt->nresp[1]));
    if (s.nst == 0) {
        survey_put_str(t->a, sec, "empty", "Ответов на эту анкету нет.");
        return sec;
    }
    put_respondents(&s, sec);
    put_scales(&s, sec);
    put_questions(&s, sec);
    return sec;
}

static const kind_field share_fields[] = {
    {"survey", KS_STRING, true, "id анкеты", NULL, NULL},
    {"question", KS_STRING, true, "id вопроса", NULL, NULL},
    {"answer", KS_STRING, true, "ответ, долю которого считать (для шкалы: наименьший балл)", NULL,
     NULL},
    {"stage", KS_STRING, false, "этап: before или after (по умолчанию after)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

bool survey_share(const survey_tally *t, const yl_node *spec, diag *d, size_t *num_out, size_t *den)
{
    if (!kind_check_map(spec, share_fields, "from", d))
        return false;
    const def_tally *dt = tally_of(t, yl_map_get(spec, "survey"), d);
    if (!dt)
        return false;
    const yl_node *qid = yl_map_get(spec, "question"), *ans = yl_map_get(spec, "answer");
    const yl_node *stn = yl_map_get(spec, "stage");
    int st = stn ? stage_of(stn->str) : SURVEY_AFTER;
    if (st < 0) {
        diag_error(d, stn->mark, "этап «%s»: ожидалось before или after", stn->str);
        return false;
    }
    for (size_t qi = 0; qi < dt->def->nq; qi++) {
        const survey_question *q = &dt->def->qs[qi];
        if (strcmp(q->id, qid->str))
            continue;
        const q_acc *acc = &dt->acc[st][qi];
        *den = acc->answered;
        *num_out = 0;
        if (q->type == SQ_SCALE) { /* «answer: 8»: 8 and above */
            /* a score of the scale, nothing else: «высокий» was 0 (every
             * respondent counted) and 11 of 1..10 was none, silently */
            char *end;
            errno = 0;
            long from = strtol(ans->str, &end, 10);
            if (end == ans->str || *end || errno || from < q->min || from > q->max) {
                diag_error(d, ans->mark,
                           "у вопроса «%s» (шкала) нет балла «%s»: answer — наименьший балл "
                           "доли, целое число от %d до %d",
                           q->id, ans->str, q->min, q->max);
                return false;
            }
            for (int v = q->min; v <= q->max; v++)
                *num_out += v >= from ? acc->counts[v - q->min] : 0;
            return true;
        }
        int o = q->type == SQ_YESNO ? yes_no(ans->str) : option_of(q, ans->str, ans->len);
        if (o < 0 || q->type == SQ_TEXT) {
            diag_error(d, ans->mark, "у вопроса «%s» нет ответа «%s»", q->id, ans->str);
            return false;
        }
        *num_out = acc->counts[o];
        return true;
    }
    diag_error(d, qid->mark, "в анкете «%s» нет вопроса «%s»", dt->def->id, qid->str);
    return false;
}
