/* template_survey: the blocks of surveys: `question` (a questionnaire's
 * question with its answer field) and `chart` (a bar chart). Both read a
 * node the kinds made (src/survey.c), so the template only says where they
 * go:
 *
 *   question: PATH   [style]   PATH: {label, text, answer: scale|choice|
 *                              lines|fill|none, options: [...], low, high,
 *                              lines}
 *   chart: PATH      [style, height_mm]   PATH: {labels: [...], series:
 *                              [...], values: [[...] ...], axis_max,
 *                              decimals, unit, x_title, y_title}
 *
 * Part of the template stage (template_priv.h). The blocks own copies of
 * their strings (in the tree's arena), as own_strings gives the others. */
#include <math.h>
#include <string.h>

#include "chart.h"
#include "template_priv.h"

#define SURVEY_MAX_OPTIONS 40 /* options of one question: a printed form's row or column */

static const char *own_str(expander *x, const yl_node *v)
{
    return v && yl_str(v) ? arena_strdup(x->mem, yl_str(v)) : NULL;
}

/* A list of strings at v (NULL: none) into *out; false after a message. */
static bool read_strings(expander *x, const yl_node *v, const char *key, size_t max,
                         const char *const **out, size_t *n)
{
    *out = NULL, *n = 0;
    if (!v)
        return true;
    if (v->kind != YL_SEQ || v->n > max) {
        diag_error(x->d, v->mark, "%s: ожидался список до %zu строк", key, max);
        return false;
    }
    const char **s = arena_alloc(x->mem, (v->n ? v->n : 1) * sizeof *s);
    for (size_t i = 0; i < v->n; i++)
        if (!(s[i] = own_str(x, v->items[i]))) {
            diag_error(x->d, v->items[i]->mark, "%s: ожидалась строка", key);
            return false;
        }
    *out = s, *n = v->n;
    return true;
}

static const char *const answer_names[] = {"scale", "choice", "lines", "fill", "none"};
static const blk_answer_kind answer_kinds[] = {BLK_ANSWER_SCALE, BLK_ANSWER_CHOICE,
                                               BLK_ANSWER_LINES, BLK_ANSWER_FILL, BLK_ANSWER_NONE};

void tpl_block_question(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *q = tpl_lookup_path(x, sc, v);
    if (!q || yl_is_null(q))
        return;
    const yl_node *text = yl_map_get(q, "text"), *kind = yl_map_get(q, "answer");
    if (q->kind != YL_MAP || !yl_str(text) || !kind) {
        diag_error(x->d, v->mark, "question: по пути «%s» не вопрос анкеты {text, answer}",
                   yl_str(v));
        x->failed = true;
        return;
    }
    int k = tpl_read_choice(x, kind, "answer", answer_names, 5);
    blk_answer *ans = arena_alloc(x->mem, sizeof *ans);
    double lines = 0;
    const yl_node *ln = yl_map_get(q, "lines");
    if (k < 0 ||
        !read_strings(x, yl_map_get(q, "options"), "options", SURVEY_MAX_OPTIONS, &ans->options,
                      &ans->nopts) ||
        (ln && !tpl_read_range(x, ln, "lines", 1, 30, &lines))) {
        x->failed = true;
        return;
    }
    ans->kind = answer_kinds[k];
    ans->low = own_str(x, yl_map_get(q, "low"));
    ans->high = own_str(x, yl_map_get(q, "high"));
    ans->lines = ln ? (unsigned)lines : 2;
    blk_block *b = tpl_add_block(x, BLK_QUESTION, text->mark);
    if (!b)
        return;
    b->text = own_str(x, text);
    b->style = tpl_block_style(x, blk, "question");
    const char *label = own_str(x, yl_map_get(q, "label"));
    b->as.question.label = label ? label : "";
    b->as.question.answer = ans;
}

/* values: one list per category, one number per series ("" or "—": no data). */
static bool read_values(expander *x, const yl_node *v, size_t ncat, size_t nser, double *out)
{
    if (!v || v->kind != YL_SEQ || v->n != ncat) {
        diag_error(x->d, v ? v->mark : DIAG_NOWHERE,
                   "chart: values должны быть списком по одному на подпись (%zu)", ncat);
        return false;
    }
    for (size_t c = 0; c < ncat; c++) {
        const yl_node *row = v->items[c];
        if (row->kind != YL_SEQ || row->n != nser) {
            diag_error(x->d, row->mark, "chart: ожидался список из %zu чисел", nser);
            return false;
        }
        for (size_t s = 0; s < nser; s++) {
            const yl_node *num = row->items[s];
            double d;
            if (yl_str(num) && (!*yl_str(num) || !strcmp(yl_str(num), "—")))
                d = NAN;
            else if (!tpl_read_range(x, num, "chart.values", 0, 1e12, &d))
                return false;
            out[c * nser + s] = d;
        }
    }
    return true;
}

void tpl_block_chart(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *c = tpl_lookup_path(x, sc, v);
    if (!c || yl_is_null(c))
        return;
    blk_chart *ch = arena_alloc(x->mem, sizeof *ch);
    double num, height = 60;
    const yl_node *h = yl_map_get(blk, "height_mm"), *m;
    if (c->kind != YL_MAP) {
        diag_error(x->d, v->mark, "chart: по пути «%s» не диаграмма {labels, series, values}",
                   yl_str(v));
        x->failed = true;
        return;
    }
    if (!read_strings(x, yl_map_get(c, "labels"), "labels", CHART_MAX_CATEGORIES, &ch->labels,
                      &ch->ncat) ||
        !read_strings(x, yl_map_get(c, "series"), "series", CHART_MAX_SERIES, &ch->series,
                      &ch->nser) ||
        (h && !tpl_read_range(x, h, "height_mm", 35, 250, &height))) {
        x->failed = true;
        return;
    }
    if (ch->ncat == 0 || ch->nser == 0) {
        diag_error(x->d, c->mark, "chart: нужны labels и series (хотя бы по одному)");
        x->failed = true;
        return;
    }
    double *vals = arena_alloc(x->mem, ch->ncat * ch->nser * sizeof *vals);
    if (!read_values(x, yl_map_get(c, "values"), ch->ncat, ch->nser, vals)) {
        x->failed = true;
        return;
    }
    ch->values = vals;
    if ((m = yl_map_get(c, "axis_max")) && tpl_read_range(x, m, "axis_max", 0, 1e12, &num))
        ch->axis_max = num;
    if ((m = yl_map_get(c, "decimals")) && tpl_read_range(x, m, "decimals", 0, 3, &num))
        ch->decimals = (int)num;
    ch->unit = own_str(x, yl_map_get(c, "unit"));
    ch->x_title = own_str(x, yl_map_get(c, "x_title"));
    ch->y_title = own_str(x, yl_map_get(c, "y_title"));
    ch->height_pt = height * MM;
    blk_block *b = tpl_add_block(x, BLK_CHART, c->mark);
    if (!b)
        return;
    b->style = tpl_block_style(x, blk, "chart");
    b->as.chart = ch;
}
