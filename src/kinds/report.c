/* kinds/report: the analytic report of a monitoring round. The dossier
 * includes the survey definitions and the responses (YAML, or CSV files
 * through include), and lists the report's parts in order:
 *
 *   report:
 *     title: …
 *     bad_answers: refuse | skip      # refuse (the default): errors
 *     responses: [{survey, stage, role, form, rows}]   (src/survey_tally.c)
 *     parts:
 *       - text: [ …paragraphs, {heading}, {list} … ]   # free text
 *       - survey: mentee          # statistics, tables and charts
 *       - criteria: [{criterion, indicators: [{text, score: 2|1|0}]}]
 *       - indicators: [{text, numerator, denominator} | {text, from: {…}}]
 *       - changes: [{parameter, before, after}]
 *       - swot: {strengths, weaknesses, opportunities, threats}
 *
 * Criteria: seed 001 (МБОУ «Кезская СОШ № 2», section 6): 2 points for an
 * indicator fully shown, 1 partly, 0 not; 15–18 points optimal, 9–14
 * acceptable, 0–8 unacceptable. Indicators: seed 004, Приложение 6 (shares,
 * %). Changes: seed 004, Приложение 12, with its own formula z = x − y and
 * z / x · 100. SWOT: seed 004, table 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../kinds.h"
#include "../stats.h"
#include "../survey.h"

#define NOT_ENOUGH "недостаточно данных"

static const kind_field report_fields[] = {
    {"title", KS_STRING, true, "заголовок отчёта", NULL, NULL},
    {"subtitle", KS_STRING, false, "подзаголовок (период, программа)", NULL, NULL},
    {"bad_answers", KS_STRING, false, "неверные ответы: refuse (ошибка) или skip (пропустить)",
     NULL, NULL},
    {"responses", KS_SEQ, false, "наборы ответов {survey, stage, rows}", NULL, NULL},
    {"parts", KS_SEQ, true, "части отчёта по порядку", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"surveys", KS_SEQ, true, "анкеты (обычно из общего файла через include)", NULL, NULL},
    {"report", KS_MAP, true, "отчёт", report_fields, NULL},
    {"responses*", KS_SEQ, false, "ответы из CSV (include: - responses_…: файл.csv)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

typedef struct report_ctx {
    arena *a;
    diag *d;
    survey_tally *tally;
} report_ctx;

static const char *pct_text(arena *a, double part, double whole)
{
    double p;
    char tmp[64];
    if (!stats_percent(part, whole, &p))
        return "—";
    return arena_printf(a, "%s %%", stats_format(tmp, sizeof tmp, p, 1));
}

/* A number as the user wrote it, or computed: whole numbers without a
 * fraction, others with two digits. */
static const char *plain_number(arena *a, double v)
{
    char tmp[64];
    return arena_strdup(a, stats_format(tmp, sizeof tmp, v, v == floor(v) ? 0 : 2));
}

static bool number_of(const yl_node *v, double *out, diag *d)
{
    char *end;
    if (!yl_str(v) || !*v->str || (*out = strtod(v->str, &end), *end) || !isfinite(*out) ||
        fabs(*out) > 1e9) {
        diag_error(d, v ? v->mark : DIAG_NOWHERE, "ожидалось число, а здесь «%s»",
                   yl_str(v) ? yl_str(v) : "…");
        return false;
    }
    return true;
}

/* ---- criteria (seed 001, section 6) --------------------------------------- */

static const kind_field indicator_fields[] = {
    {"text", KS_STRING, true, "показатель", NULL, NULL},
    {"score", KS_NUMBER, true, "балл: 2 — в полной мере, 1 — частично, 0 — не проявляется", NULL,
     NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field indicator_item = {"indicator",  KS_MAP,           false,
                                          "показатель", indicator_fields, NULL};
static const kind_field criterion_fields[] = {
    {"criterion", KS_STRING, true, "критерий", NULL, NULL},
    {"indicators", KS_SEQ, true, "показатели критерия", NULL, &indicator_item},
    {NULL, 0, false, NULL, NULL, NULL}};

static const char *level_of(long total)
{
    return total >= 15  ? "оптимальный уровень (15–18 баллов)"
           : total >= 9 ? "допустимый уровень (9–14 баллов)"
                        : "недопустимый уровень (0–8 баллов)";
}

static yl_node *criteria_node(report_ctx *r, const yl_node *list)
{
    static const char *const score_keys[] = {"s0", "s1", "s2"};
    yl_node *out = survey_map_new(r->a, list->mark), *rows = survey_seq_new(r->a, list->mark);
    long total = 0, count = 0;
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        const yl_node *c = list->items[i];
        if (!kind_check_map(c, criterion_fields, "criteria", r->d)) {
            ok = false;
            continue;
        }
        const yl_node *inds = yl_map_get(c, "indicators");
        for (size_t k = 0; k < inds->n; k++) {
            const yl_node *sc = yl_map_get(inds->items[k], "score");
            if (strcmp(sc->str, "0") && strcmp(sc->str, "1") && strcmp(sc->str, "2")) {
                diag_error(r->d, sc->mark,
                           "балл «%s»: ожидалось 2 (в полной мере), 1 (частично) или 0", sc->str);
                ok = false;
                continue;
            }
            yl_node *row = survey_map_new(r->a, inds->items[k]->mark);
            survey_put_str(r->a, row, "criterion", yl_map_get(c, "criterion")->str);
            survey_put_str(r->a, row, "indicator", yl_map_get(inds->items[k], "text")->str);
            survey_put_str(r->a, row, score_keys[atoi(sc->str)], sc->str);
            survey_seq_push(r->a, rows, row);
            total += atoi(sc->str);
            count++;
        }
    }
    if (!ok)
        return NULL;
    if (count != 9)
        diag_warning(r->d, list->mark,
                     "уровни программы (15–18, 9–14, 0–8 баллов) рассчитаны на 9 показателей, а "
                     "здесь %ld: уровень может быть определён неверно",
                     count);
    survey_map_put(r->a, out, "rows", rows);
    survey_put_str(
        r->a, out, "total",
        arena_printf(r->a, "Итого: %ld из %ld баллов — %s.", total, 2 * count, level_of(total)));
    return out;
}

/* ---- share indicators (seed 004, Приложение 6) ----------------------------- */

static bool indicator_row(report_ctx *r, const yl_node *it, size_t i, yl_node *row)
{
    const yl_node *text = yl_map_get(it, "text"), *from = yl_map_get(it, "from");
    if (it->kind != YL_MAP || !yl_str(text)) {
        diag_error(r->d, it->mark,
                   "показатель: ожидался словарь {text, numerator, denominator} "
                   "или {text, from: {survey, question, answer}}");
        return false;
    }
    survey_put_str(r->a, row, "num", arena_printf(r->a, "%zu.", i + 1));
    survey_put_str(r->a, row, "text", text->str);
    double num, den;
    if (from) {
        size_t n, d;
        if (!survey_share(r->tally, from, r->d, &n, &d))
            return false;
        num = (double)n, den = (double)d;
        if (d < SURVEY_MIN_GROUP) {
            survey_put_str(r->a, row, "value", NOT_ENOUGH);
            return true;
        }
    } else if (!number_of(yl_map_get(it, "numerator"), &num, r->d) ||
               !number_of(yl_map_get(it, "denominator"), &den, r->d)) {
        return false;
    }
    survey_put_str(r->a, row, "numerator", plain_number(r->a, num));
    survey_put_str(r->a, row, "denominator", plain_number(r->a, den));
    survey_put_str(r->a, row, "value", pct_text(r->a, num, den));
    return true;
}

static yl_node *indicators_node(report_ctx *r, const yl_node *list)
{
    yl_node *rows = survey_seq_new(r->a, list->mark);
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        yl_node *row = survey_map_new(r->a, list->items[i]->mark);
        ok &= indicator_row(r, list->items[i], i, row);
        survey_seq_push(r->a, rows, row);
    }
    return ok ? rows : NULL;
}

/* ---- before and after (seed 004, Приложение 12) ---------------------------- */

static yl_node *changes_node(report_ctx *r, const yl_node *list)
{
    yl_node *rows = survey_seq_new(r->a, list->mark);
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        const yl_node *it = list->items[i];
        const yl_node *p = it->kind == YL_MAP ? yl_map_get(it, "parameter") : NULL;
        double x, y;
        if (!yl_str(p)) {
            diag_error(r->d, it->mark, "ожидался словарь {parameter, before, after}");
            ok = false;
            continue;
        }
        if (!number_of(yl_map_get(it, "before"), &x, r->d) ||
            !number_of(yl_map_get(it, "after"), &y, r->d)) {
            ok = false;
            continue;
        }
        yl_node *row = survey_map_new(r->a, it->mark);
        survey_put_str(r->a, row, "parameter", arena_printf(r->a, "%zu. %s", i + 1, p->str));
        survey_put_str(r->a, row, "before", plain_number(r->a, x));
        survey_put_str(r->a, row, "after", plain_number(r->a, y));
        /* the seed's formula: z = x − y, then z / x · 100 */
        survey_put_str(r->a, row, "diff", plain_number(r->a, x - y));
        survey_put_str(r->a, row, "percent", pct_text(r->a, x - y, x));
        survey_seq_push(r->a, rows, row);
    }
    return ok ? rows : NULL;
}

/* ---- SWOT (seed 004, table 1) --------------------------------------------- */

static const kind_field swot_fields[] = {
    {"strengths", KS_STRINGS, false, "сильные стороны", NULL, NULL},
    {"weaknesses", KS_STRINGS, false, "слабые стороны", NULL, NULL},
    {"opportunities", KS_STRINGS, false, "возможности", NULL, NULL},
    {"threats", KS_STRINGS, false, "угрозы", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static yl_node *swot_cell(report_ctx *r, const yl_node *swot, const char *key, const char *title)
{
    yl_node *cell = survey_seq_new(r->a, swot->mark), *list = survey_map_new(r->a, swot->mark);
    survey_seq_push(r->a, cell, kind_scalar(r->a, title, swot->mark));
    const yl_node *v = yl_map_get(swot, key);
    if (!v)
        return cell;
    yl_node *items = survey_seq_new(r->a, v->mark);
    if (v->kind == YL_SCALAR)
        survey_seq_push(r->a, items, v);
    for (size_t i = 0; v->kind == YL_SEQ && i < v->n; i++)
        survey_seq_push(r->a, items, v->items[i]);
    survey_map_put(r->a, list, "list", items);
    survey_seq_push(r->a, cell, list);
    return cell;
}

static yl_node *swot_node(report_ctx *r, const yl_node *swot)
{
    if (!kind_check_map(swot, swot_fields, "swot", r->d))
        return NULL;
    yl_node *rows = survey_seq_new(r->a, swot->mark);
    yl_node *in = survey_map_new(r->a, swot->mark), *ex = survey_map_new(r->a, swot->mark);
    survey_put_str(r->a, in, "factor", "Внутренние");
    survey_map_put(r->a, in, "positive", swot_cell(r, swot, "strengths", "Сильные стороны"));
    survey_map_put(r->a, in, "negative", swot_cell(r, swot, "weaknesses", "Слабые стороны"));
    survey_put_str(r->a, ex, "factor", "Внешние");
    survey_map_put(r->a, ex, "positive", swot_cell(r, swot, "opportunities", "Возможности"));
    survey_map_put(r->a, ex, "negative", swot_cell(r, swot, "threats", "Угрозы"));
    survey_seq_push(r->a, rows, in);
    survey_seq_push(r->a, rows, ex);
    return rows;
}

/* ---- parts ------------------------------------------------------------------ */

static const kind_field part_fields[] = {
    {"text", KS_CONTENT, false, "свободный текст: абзацы, заголовки, списки", NULL, NULL},
    {"survey", KS_STRING, false, "id анкеты: её статистика, таблицы и диаграммы", NULL, NULL},
    {"criteria", KS_SEQ, false, "критерии с баллами 2/1/0", NULL, NULL},
    {"indicators", KS_SEQ, false, "показатели-доли (Приложение 6)", NULL, NULL},
    {"changes", KS_SEQ, false, "показатели до и после (Приложение 12)", NULL, NULL},
    {"swot", KS_MAP, false, "SWOT-анализ", NULL, NULL},
    {"title", KS_STRING, false, "заголовок части вместо обычного", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* One part, its computed node put beside its key; NULL after errors. */
static yl_node *part_node(report_ctx *r, const yl_node *part)
{
    static const char *const keys[] = {"text",       "survey",  "criteria",
                                       "indicators", "changes", "swot"};
    kind_field fields[sizeof part_fields / sizeof *part_fields];
    memcpy(fields, part_fields, sizeof fields);
    fields[5].fields = swot_fields;
    if (part->kind != YL_MAP) {
        diag_error(r->d, part->mark,
                   "часть отчёта: ожидался словарь с одним из ключей text, "
                   "survey, criteria, indicators, changes, swot");
        return NULL;
    }
    if (!kind_check_map(part, fields, "parts", r->d))
        return NULL;
    const yl_node *v = NULL;
    size_t which = 0;
    for (size_t k = 0; k < 6; k++)
        if (yl_map_get(part, keys[k]))
            v = yl_map_get(part, keys[k]), which = k;
    if (!v) {
        diag_error(r->d, part->mark,
                   "часть отчёта: нужен один из ключей text, survey, criteria, "
                   "indicators, changes, swot");
        return NULL;
    }
    yl_node *out = survey_map_new(r->a, part->mark), *val = NULL;
    switch (which) {
    case 0:
        val = (yl_node *)v;
        break;
    case 1:
        val = survey_section_node(r->tally, v, r->d);
        break;
    case 2:
        val = criteria_node(r, v);
        break;
    case 3:
        val = indicators_node(r, v);
        break;
    case 4:
        val = changes_node(r, v);
        break;
    case 5:
        val = swot_node(r, v);
        break;
    }
    if (!val)
        return NULL;
    survey_map_put(r->a, out, keys[which], val);
    if (yl_map_get(part, "title"))
        survey_map_put(r->a, out, "title", yl_map_get(part, "title"));
    return out;
}

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    survey_def *defs;
    size_t n;
    if (!survey_read_defs(yl_map_get(root, "surveys"), a, d, &defs, &n))
        return false;
    const yl_node *rep = yl_map_get(root, "report"), *ba = yl_map_get(rep, "bad_answers");
    if (ba && strcmp(ba->str, "skip") && strcmp(ba->str, "refuse")) {
        diag_error(d, ba->mark, "bad_answers: ожидалось refuse или skip, а здесь «%s»", ba->str);
        return false;
    }
    report_ctx r = {
        a, d,
        survey_tally_new(defs, n, ba && !strcmp(ba->str, "skip") ? SURVEY_SKIP : SURVEY_REFUSE, a)};
    if (!survey_tally_read(r.tally, yl_map_get(rep, "responses"), root, d))
        return false;
    const yl_node *parts = yl_map_get(rep, "parts");
    yl_node *out = survey_seq_new(a, parts->mark);
    bool ok = true;
    for (size_t i = 0; i < parts->n; i++) {
        yl_node *p = part_node(&r, parts->items[i]);
        ok &= p != NULL;
        if (p)
            survey_seq_push(a, out, p);
    }
    if (!ok)
        return false;
    *data = kind_map_set(a, root, "parts", out);
    return true;
}

const kind_def kind_report = {"report", root_fields, "report", compute};
