/* survey: survey definitions (the questions of a questionnaire) and the
 * responses to them, for the questionnaire and report kinds. Reads the
 * loaded node tree (YAML, or CSV rows through include), checks it, counts
 * the answers and builds the data nodes the templates read. Part of the
 * kinds stage: everything it makes lives in the caller's arena; borrows the
 * loaded nodes. Included by kinds/questionnaire.c and kinds/report.c. */
#ifndef NASTAVDOC_SURVEY_H
#define NASTAVDOC_SURVEY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "kinds.h"
#include "util.h"
#include "yaml_load.h"

/* Limits: a printed form and a legible report. */
#define SURVEY_MAX_QUESTIONS 100     /* questions of one survey */
#define SURVEY_MAX_OPTIONS 40        /* options of one question */
#define SURVEY_MAX_SCALE 21          /* values of a scale (boxes in one row) */
#define SURVEY_MAX_RESPONSES 1000000 /* responses of one report: memory stays under ~100 MiB */
#define SURVEY_MIN_GROUP 3 /* fewer respondents than this: «недостаточно данных» */
#define SURVEY_MAX_QUOTES 30 /* quoted answers per question and stage: a report, not a dump */

typedef enum { SQ_SCALE, SQ_YESNO, SQ_SINGLE, SQ_MULTIPLE, SQ_TEXT } survey_qtype;

typedef struct survey_question {
    const char *id, *text;
    survey_qtype type;
    int min, max;           /* SCALE */
    const char *low, *high; /* SCALE: the meaning of min and max */
    const char **options;   /* SINGLE, MULTIPLE; YESNO: «да», «нет» */
    size_t nopts;
    bool required;
    bool quote;     /* TEXT: the report may quote the answers */
    unsigned lines; /* TEXT: ruled lines on the form */
    size_t cond;    /* the question this one depends on, or SIZE_MAX */
    const char *cond_answer;
    unsigned number; /* printed number, 1-based */
    src_mark mark;
} survey_question;

/* A text between questions («Инструкция …»), before question `before`. */
typedef struct survey_note {
    const char *title, *text;
    size_t before;
} survey_note;

typedef struct survey_def {
    const char *id, *title, *audience, *form;
    const char *respondent; /* the respondent line's label, or NULL (anonymous) */
    const char *instruction;
    survey_question *qs;
    size_t nq;
    survey_note *notes;
    size_t nnotes;
    src_mark mark;
    /* survey_read_defs's index of the ids: defs[k].by_id is the place of
     * the definition k-th in the order of ids (then of places), so that a
     * survey is found by a binary search, not by a walk of the list */
    size_t by_id;
} survey_def;

/* The `surveys:` list of a dossier: checked, every problem reported.
 * false after errors. */
bool survey_read_defs(const yl_node *list, arena *a, diag *d, survey_def **out, size_t *n);
/* The shared file of definitions (`surveys:`), for `nastavdoc schema survey`. */
extern const kind_data_file survey_file;
/* The survey whose id is the scalar `id`, or NULL after a message at it. */
const survey_def *survey_find(const survey_def *defs, size_t n, const yl_node *id, diag *d);
/* The place in defs of the first survey whose id is `id`, or SIZE_MAX;
 * quiet. O(log n): defs and n as survey_read_defs gave them. */
size_t survey_index(const survey_def *defs, size_t n, const char *id);
/* The data of a blank form: {title, form, respondent, instruction, items:
 * [{note: {title, text}} | {question: {label, text, answer, …}}]}. */
yl_node *survey_form_node(const survey_def *s, arena *a);

/* ---- nodes the kinds build ---- */
yl_node *survey_map_new(arena *a, src_mark at);
void survey_map_put(arena *a, yl_node *map, const char *key, const yl_node *value);
yl_node *survey_seq_new(arena *a, src_mark at);
void survey_seq_push(arena *a, yl_node *seq, const yl_node *item);
/* map[key] = a string value; returns the value node */
yl_node *survey_put_str(arena *a, yl_node *map, const char *key, const char *s);

/* ---- responses and their counts ---- */

typedef enum { SURVEY_BEFORE, SURVEY_AFTER, SURVEY_NSTAGES } survey_stage;

typedef struct survey_tally survey_tally;

/* Bad answers: refused (errors) or skipped with a warning. */
typedef enum { SURVEY_REFUSE, SURVEY_SKIP } survey_policy;

/* A tally for every definition. */
survey_tally *survey_tally_new(const survey_def *defs, size_t n, survey_policy policy, arena *a);
/* Count the response sets of `responses:` ({survey, stage, role, form,
 * rows: [..] | KEY}); root gives the top-level keys rows may name. Reports
 * bad answers at their file:line:col; false after errors. */
bool survey_tally_read(survey_tally *t, const yl_node *responses, const yl_node *root, diag *d);
/* The computed section of the report for survey `id` (see kinds/report.c). */
yl_node *survey_section_node(const survey_tally *t, const yl_node *id, diag *d);
/* Share of answers `answer` to question `question` of survey `id` at stage:
 * *num and *den; false after a message. */
bool survey_share(const survey_tally *t, const yl_node *spec, diag *d, size_t *num, size_t *den);

#endif
