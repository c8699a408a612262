/* survey: definitions and the blank form. See survey.h; the responses and
 * their statistics are in survey_tally.c.
 *
 * A definition (the dossier's `surveys:` list):
 *
 *   - id: mentee                  # how forms and reports name it
 *     title: Анкета наставляемого
 *     audience: mentee            # mentor | mentee | curator | any
 *     form: студент – студент     # the form of mentoring, optional
 *     respondent: Ф.И.О.          # the respondent line; none: anonymous
 *     instruction: …              # optional, under the title
 *     questions:
 *       - {id: q1, text: …, type: yesno}
 *       - {id: q2, text: Если да, то где?, type: text, lines: 1,
 *          if: {question: q1, answer: да}}
 *       - {note: Оцените в баллах от 1 до 10 …, title: Инструкция}
 *       - {id: q3, text: …, type: scale, min: 1, max: 10,
 *          low: самый низший балл, high: самый высокий}
 *       - {id: q15, text: …, type: single, options: [Очень часто, …]}
 *
 * Types: scale, yesno, single, multiple, text. `required` defaults to true
 * for a question with answers to pick and no `if`, to false for text and
 * conditional questions. `quote: true` lets a report quote a text
 * question's answers (never the default: answers may name people). */
#include "survey.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- nodes ------------------------------------------------------------- */

/* Maps and lists grow at powers of two: building a list of n items copies
 * each about once. */
yl_node *survey_map_new(arena *a, src_mark at)
{
    yl_node *m = arena_alloc(a, sizeof *m);
    m->kind = YL_MAP;
    m->mark = at;
    return m;
}

void survey_map_put(arena *a, yl_node *map, const char *key, const yl_node *value)
{
    if (map->n == 0 || (map->n & (map->n - 1)) == 0) {
        yl_pair *p = arena_alloc(a, (map->n ? 2 * map->n : 4) * sizeof *p);
        if (map->n)
            memcpy(p, map->pairs, map->n * sizeof *p);
        map->pairs = p;
    }
    map->pairs[map->n++] = (yl_pair){kind_scalar(a, key, value->mark), (yl_node *)value};
}

yl_node *survey_seq_new(arena *a, src_mark at)
{
    yl_node *s = arena_alloc(a, sizeof *s);
    s->kind = YL_SEQ;
    s->mark = at;
    return s;
}

void survey_seq_push(arena *a, yl_node *seq, const yl_node *item)
{
    if (seq->n == 0 || (seq->n & (seq->n - 1)) == 0) {
        yl_node **it = arena_alloc(a, (seq->n ? 2 * seq->n : 4) * sizeof *it);
        if (seq->n)
            memcpy(it, seq->items, seq->n * sizeof *it);
        seq->items = it;
    }
    seq->items[seq->n++] = (yl_node *)item;
}

yl_node *survey_put_str(arena *a, yl_node *map, const char *key, const char *s)
{
    yl_node *v = kind_scalar(a, s, map->mark);
    survey_map_put(a, map, key, v);
    return v;
}

/* ---- definitions ------------------------------------------------------- */

static const kind_field cond_fields[] = {
    {"question", KS_STRING, true, "id вопроса, от ответа на который зависит этот", NULL, NULL},
    {"answer", KS_STRING, true, "ответ, при котором задаётся этот вопрос", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field question_fields[] = {
    {"id", KS_STRING, false, "короткое имя вопроса (для ответов и CSV)", NULL, NULL},
    {"text", KS_STRING, false, "текст вопроса", NULL, NULL},
    {"type", KS_STRING, false, "вид вопроса: scale, yesno, single, multiple, text", NULL, NULL},
    {"min", KS_NUMBER, false, "наименьший балл шкалы", NULL, NULL},
    {"max", KS_NUMBER, false, "наибольший балл шкалы", NULL, NULL},
    {"low", KS_STRING, false, "что значит наименьший балл", NULL, NULL},
    {"high", KS_STRING, false, "что значит наибольший балл", NULL, NULL},
    {"options", KS_SEQ, false, "варианты ответа", NULL, NULL},
    {"required", KS_BOOL, false, "обязательный вопрос", NULL, NULL},
    {"quote", KS_BOOL, false, "можно цитировать ответы в отчёте", NULL, NULL},
    {"lines", KS_NUMBER, false, "строк для ответа на бланке", NULL, NULL},
    {"if", KS_MAP, false, "условие: {question, answer}", cond_fields, NULL},
    {"note", KS_STRING, false, "текст между вопросами (инструкция)", NULL, NULL},
    {"title", KS_STRING, false, "заголовок текста между вопросами", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field question_item = {"question",      KS_MAP,          false,
                                         "вопрос анкеты", question_fields, NULL};

static const kind_field survey_fields[] = {
    {"id", KS_STRING, true, "короткое имя анкеты", NULL, NULL},
    {"title", KS_STRING, true, "заголовок анкеты", NULL, NULL},
    {"audience", KS_STRING, true, "кто отвечает: mentor, mentee, curator или any", NULL, NULL},
    {"form", KS_STRING, false, "форма наставничества", NULL, NULL},
    {"respondent", KS_STRING, false, "строка для ФИО (none: анонимная анкета)", NULL, NULL},
    {"instruction", KS_STRING, false, "инструкция под заголовком", NULL, NULL},
    {"questions", KS_SEQ, true, "вопросы", NULL, &question_item},
    {NULL, 0, false, NULL, NULL, NULL}};

static const char *const type_names[] = {"scale", "yesno", "single", "multiple", "text"};
static const char *const audiences[] = {"mentor", "mentee", "curator", "any"};

static const char *str_of(const yl_node *map, const char *key)
{
    return yl_str(yl_map_get(map, key));
}

static int index_of(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, names[i]))
            return (int)i;
    return -1;
}

/* A word of a closed list at v, or an error with a suggestion. */
static int read_word(const yl_node *v, const char *what, const char *const *names, size_t n,
                     diag *d)
{
    int k = index_of(yl_str(v), names, n);
    if (k >= 0)
        return k;
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    const char *near = diag_suggest(yl_str(v), names, n);
    diag_error(d, v->mark, "%s «%s» неизвестен: ожидалось %s%s%s%s", what, yl_str(v), b.data,
               near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
    buf_fini(&b);
    return -1;
}

static bool read_options(const yl_node *q, survey_question *sq, arena *a, diag *d)
{
    const yl_node *o = yl_map_get(q, "options");
    if (sq->type == SQ_YESNO) {
        static const char *yn[] = {"да", "нет"};
        sq->options = (const char **)yn, sq->nopts = 2;
        return true;
    }
    if (sq->type != SQ_SINGLE && sq->type != SQ_MULTIPLE) {
        if (o)
            diag_error(d, o->mark, "options бывают только у вопросов single и multiple");
        return !o;
    }
    if (!o || o->n < 2 || o->n > SURVEY_MAX_OPTIONS) {
        diag_error(d, o ? o->mark : q->mark, "у вопроса %s нужны options: от 2 до %d вариантов",
                   type_names[sq->type], SURVEY_MAX_OPTIONS);
        return false;
    }
    sq->options = arena_alloc(a, o->n * sizeof *sq->options);
    for (size_t i = 0; i < o->n; i++) {
        const char *s = yl_str(o->items[i]);
        if (!s || !*s) {
            diag_error(d, o->items[i]->mark, "вариант ответа должен быть непустой строкой");
            return false;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sq->options[j], s)) {
                diag_error(d, o->items[i]->mark, "вариант «%s» повторяется", s);
                return false;
            }
        sq->options[sq->nopts++] = s;
    }
    return true;
}

static bool read_scale(const yl_node *q, survey_question *sq, diag *d)
{
    const yl_node *mn = yl_map_get(q, "min"), *mx = yl_map_get(q, "max");
    if (sq->type != SQ_SCALE) {
        if (mn || mx || yl_map_get(q, "low") || yl_map_get(q, "high"))
            diag_error(d, q->mark, "min, max, low и high бывают только у вопросов scale");
        return !(mn || mx || yl_map_get(q, "low") || yl_map_get(q, "high"));
    }
    sq->min = mn ? atoi(mn->str) : 1;
    sq->max = mx ? atoi(mx->str) : 10;
    if ((mn && strspn(mn->str, "0123456789") != mn->len) ||
        (mx && strspn(mx->str, "0123456789") != mx->len) || sq->max <= sq->min ||
        sq->max - sq->min + 1 > SURVEY_MAX_SCALE) {
        diag_error(d, mx ? mx->mark : q->mark,
                   "шкала: min и max — целые числа, min < max, не больше %d значений",
                   SURVEY_MAX_SCALE);
        return false;
    }
    sq->low = str_of(q, "low");
    sq->high = str_of(q, "high");
    return true;
}

/* The condition: an earlier question and one of its answers. */
static bool read_cond(const yl_node *q, const survey_def *s, survey_question *sq, diag *d)
{
    const yl_node *c = yl_map_get(q, "if");
    sq->cond = SIZE_MAX;
    if (!c)
        return true;
    const yl_node *qid = yl_map_get(c, "question"), *ans = yl_map_get(c, "answer");
    for (size_t i = 0; i < s->nq; i++)
        if (!strcmp(s->qs[i].id, qid->str)) {
            const survey_question *dep = &s->qs[i];
            bool ok = dep->type == SQ_SCALE;
            for (size_t k = 0; k < dep->nopts && !ok; k++)
                ok = !strcmp(dep->options[k], ans->str);
            if (!ok) {
                diag_error(d, ans->mark, "у вопроса «%s» нет ответа «%s»", dep->id, ans->str);
                return false;
            }
            sq->cond = i;
            sq->cond_answer = ans->str;
            return true;
        }
    diag_error(d, qid->mark, "условие ссылается на «%s», а такого вопроса выше нет", qid->str);
    return false;
}

static bool read_question(const yl_node *q, survey_def *s, arena *a, diag *d)
{
    survey_question *sq = &s->qs[s->nq];
    const yl_node *id = yl_map_get(q, "id"), *text = yl_map_get(q, "text");
    const yl_node *type = yl_map_get(q, "type");
    if (!id || !text || !type) {
        diag_error(d, q->mark, "у вопроса нужны id, text и type (или note для текста)");
        return false;
    }
    int t = read_word(type, "вид вопроса", type_names, 5, d);
    if (t < 0)
        return false;
    for (size_t i = 0; i < s->nq; i++)
        if (!strcmp(s->qs[i].id, id->str)) {
            diag_error(d, id->mark, "вопрос «%s» уже есть: id вопросов должны различаться",
                       id->str);
            return false;
        }
    *sq = (survey_question){
        .id = id->str, .text = text->str, .type = (survey_qtype)t, .mark = q->mark, .lines = 2};
    if (!read_options(q, sq, a, d) || !read_scale(q, sq, d) || !read_cond(q, s, sq, d))
        return false;
    const yl_node *v;
    sq->required = sq->type != SQ_TEXT && sq->cond == SIZE_MAX;
    if ((v = yl_map_get(q, "required")))
        sq->required = !strcmp(v->str, "true");
    if ((v = yl_map_get(q, "quote")))
        sq->quote = !strcmp(v->str, "true");
    if ((v = yl_map_get(q, "lines"))) {
        sq->lines = (unsigned)atoi(v->str);
        if (sq->lines < 1 || sq->lines > 30) {
            diag_error(d, v->mark, "lines: от 1 до 30 строк");
            return false;
        }
    }
    sq->number = (unsigned)++s->nq;
    return true;
}

static bool read_def(const yl_node *m, survey_def *s, arena *a, diag *d)
{
    *s = (survey_def){.id = str_of(m, "id"),
                      .title = str_of(m, "title"),
                      .form = str_of(m, "form"),
                      .instruction = str_of(m, "instruction"),
                      .mark = m->mark};
    const yl_node *aud = yl_map_get(m, "audience");
    int k = read_word(aud, "круг опрашиваемых", audiences, 4, d);
    s->audience = k >= 0 ? audiences[k] : "any";
    const char *r = str_of(m, "respondent");
    s->respondent = !r ? "Ф.И.О." : !strcmp(r, "none") ? NULL : r;
    const yl_node *qs = yl_map_get(m, "questions");
    if (qs->n > SURVEY_MAX_QUESTIONS) {
        diag_error(d, qs->mark, "больше %d вопросов в одной анкете", SURVEY_MAX_QUESTIONS);
        return false;
    }
    s->qs = arena_alloc(a, (qs->n + 1) * sizeof *s->qs);
    s->notes = arena_alloc(a, (qs->n + 1) * sizeof *s->notes);
    bool ok = k >= 0;
    for (size_t i = 0; i < qs->n; i++) {
        const yl_node *q = qs->items[i];
        if (yl_map_get(q, "note")) {
            s->notes[s->nnotes++] = (survey_note){str_of(q, "title"), str_of(q, "note"), s->nq};
            continue;
        }
        ok &= read_question(q, s, a, d);
    }
    if (ok && s->nq == 0) {
        diag_error(d, qs->mark, "в анкете нет ни одного вопроса");
        ok = false;
    }
    return ok;
}

static const kind_field survey_item = {"survey", KS_MAP, false, "анкета", survey_fields, NULL};
/* the shared file of definitions, as survey_read_defs checks it and
 * `nastavdoc schema survey` prints it */
static const kind_list surveys_list = {"surveys", "анкеты", survey_fields, NULL, false, false};
static const kind_list *const surveys_lists[] = {&surveys_list, NULL};
const kind_data_file survey_file = {"survey", "анкеты мониторинга (surveys.yaml)", surveys_lists};

/* An item of the `surveys:` list by its id, for sorting: places break ties,
 * so the first of one id comes first. */
typedef struct id_place {
    const char *id;
    size_t place;
} id_place;

static int by_id_then_place(const void *pa, const void *pb)
{
    const id_place *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->place > b->place) - (a->place < b->place);
}

/* The items of list sorted by id, then place (caller frees). */
static id_place *sorted_ids(const yl_node *list)
{
    id_place *order = xcalloc(list->n + 1, sizeof *order);
    for (size_t i = 0; i < list->n; i++) {
        const char *id = str_of(list->items[i], "id");
        order[i] = (id_place){id ? id : "", i};
    }
    qsort(order, list->n, sizeof *order, by_id_then_place);
    return order;
}

/* Duplicate ids are found in the order of ids, not by comparing each
 * definition with all before it (32,768 surveys took 4.2 s that way, 0.26 s
 * now): run[i] is the first place in `order` of item i's id, and have[run]
 * whether a definition of that id was read already. A duplicate is reported
 * once, at the definition, as the list is read (it was reported once for
 * each definition of its id before it). The definitions get the index of
 * their ids (by_id) that survey_index searches. */
bool survey_read_defs(const yl_node *list, arena *a, diag *d, survey_def **out, size_t *n)
{
    *out = NULL, *n = 0;
    if (!kind_check_value(
            list,
            &(kind_field){surveys_list.key, KS_SEQ, true, surveys_list.what, NULL, &survey_item},
            surveys_list.key, d))
        return false;
    survey_def *defs = arena_alloc(a, (list->n + 1) * sizeof *defs);
    id_place *order = sorted_ids(list);
    size_t *run = xcalloc(list->n + 1, sizeof *run), *def_of = xcalloc(list->n + 1, sizeof *def_of);
    bool *have = xcalloc(list->n + 1, sizeof *have);
    for (size_t k = 0; k < list->n; k++)
        run[order[k].place] =
            k && !strcmp(order[k].id, order[k - 1].id) ? run[order[k - 1].place] : k;
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        def_of[i] = SIZE_MAX;
        if (!read_def(list->items[i], &defs[*n], a, d)) {
            ok = false;
            continue;
        }
        if (have[run[i]]) {
            diag_error(d, defs[*n].mark, "анкета «%s» уже есть: id анкет должны различаться",
                       defs[*n].id);
            ok = false;
        }
        have[run[i]] = true;
        def_of[i] = (*n)++;
    }
    for (size_t k = 0, m = 0; k < list->n; k++)
        if (def_of[order[k].place] != SIZE_MAX)
            defs[m++].by_id = def_of[order[k].place];
    free(order);
    free(run);
    free(def_of);
    free(have);
    *out = defs;
    return ok;
}

size_t survey_index(const survey_def *defs, size_t n, const char *id)
{
    size_t lo = 0, hi = n; /* the first place in id order whose id is not below id */
    while (id && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(defs[defs[mid].by_id].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return id && lo < n && !strcmp(defs[defs[lo].by_id].id, id) ? defs[lo].by_id : SIZE_MAX;
}

const survey_def *survey_find(const survey_def *defs, size_t n, const yl_node *id, diag *d)
{
    size_t at = survey_index(defs, n, yl_str(id));
    if (at != SIZE_MAX)
        return &defs[at];
    const char *names[64];
    size_t nn = 0;
    for (size_t i = 0; i < n && nn < 64; i++)
        names[nn++] = defs[i].id;
    const char *near = yl_str(id) ? diag_suggest(yl_str(id), names, nn) : NULL;
    diag_error(d, id->mark, "анкеты «%s» нет в surveys%s%s%s", yl_str(id) ? yl_str(id) : "?",
               near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
    return NULL;
}

/* ---- the blank form ---------------------------------------------------- */

static yl_node *str_seq(arena *a, src_mark at, const char *const *s, size_t n)
{
    yl_node *seq = survey_seq_new(a, at);
    for (size_t i = 0; i < n; i++)
        survey_seq_push(a, seq, kind_scalar(a, s[i], at));
    return seq;
}

static yl_node *question_node(const survey_question *q, arena *a)
{
    yl_node *m = survey_map_new(a, q->mark);
    survey_put_str(a, m, "label", arena_printf(a, "%u.", q->number));
    survey_put_str(a, m, "text",
                   q->type == SQ_MULTIPLE
                       ? arena_printf(a, "%s (можно выбрать несколько ответов)", q->text)
                       : q->text);
    switch (q->type) {
    case SQ_SCALE: {
        survey_put_str(a, m, "answer", "scale");
        const char *nums[SURVEY_MAX_SCALE];
        for (int v = q->min; v <= q->max; v++)
            nums[v - q->min] = arena_printf(a, "%d", v);
        survey_map_put(a, m, "options", str_seq(a, q->mark, nums, (size_t)(q->max - q->min + 1)));
        if (q->low)
            survey_put_str(a, m, "low", arena_printf(a, "%d — %s", q->min, q->low));
        if (q->high)
            survey_put_str(a, m, "high", arena_printf(a, "%d — %s", q->max, q->high));
        break;
    }
    case SQ_YESNO:
    case SQ_SINGLE:
    case SQ_MULTIPLE:
        survey_put_str(a, m, "answer", "choice");
        survey_map_put(a, m, "options", str_seq(a, q->mark, q->options, q->nopts));
        break;
    case SQ_TEXT:
        survey_put_str(a, m, "answer", "lines");
        survey_put_str(a, m, "lines", arena_printf(a, "%u", q->lines));
        break;
    }
    return m;
}

yl_node *survey_form_node(const survey_def *s, arena *a)
{
    yl_node *f = survey_map_new(a, s->mark);
    survey_put_str(a, f, "title", s->title);
    if (s->form)
        survey_put_str(a, f, "form", s->form);
    if (s->instruction)
        survey_put_str(a, f, "instruction", s->instruction);
    if (s->respondent) {
        yl_node *r = survey_map_new(a, s->mark);
        survey_put_str(a, r, "text", s->respondent);
        survey_put_str(a, r, "answer", "fill");
        survey_map_put(a, f, "respondent", r);
    }
    yl_node *items = survey_seq_new(a, s->mark);
    for (size_t i = 0, k = 0; i <= s->nq; i++) {
        for (; k < s->nnotes && s->notes[k].before == i; k++) {
            yl_node *it = survey_map_new(a, s->mark), *note = survey_map_new(a, s->mark);
            if (s->notes[k].title)
                survey_put_str(a, note, "title", s->notes[k].title);
            survey_put_str(a, note, "text", s->notes[k].text);
            survey_map_put(a, it, "note", note);
            survey_seq_push(a, items, it);
        }
        if (i == s->nq)
            break;
        yl_node *it = survey_map_new(a, s->qs[i].mark);
        survey_map_put(a, it, "question", question_node(&s->qs[i], a));
        survey_seq_push(a, items, it);
    }
    survey_map_put(a, f, "items", items);
    return f;
}
