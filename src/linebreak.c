/* linebreak: see linebreak.h.
 *
 * Total-fit line breaking after D. E. Knuth and M. F. Plass, "Breaking
 * Paragraphs into Lines", Software: Practice and Experience 11 (1981)
 * 1119-1184, cited below as KP. The paragraph is a list of boxes, glue and
 * penalties; a breakpoint is a penalty below LB_INFINITY or a glue right
 * after a box. Every breakpoint is tried against the active nodes (breaks
 * from which a line can still reach it), and for each of the four fitness
 * classes the cheapest predecessor becomes a new active node. Line widths
 * come from prefix sums, so one trial costs O(1); a node leaves the active
 * list once its line is overfull, so the list spans about one line of
 * breakpoints and the whole run is linear in the paragraph.
 *
 * Three passes, each run only when the one before found no solution:
 *   1. KP with the caller's tolerance;
 *   2. KP with tolerance SECOND_TOLERANCE, for narrow columns;
 *   3. emergency: any stretch is accepted, and lines are ranked as if each
 *      had EMERGENCY_STRETCH more (TeX's \emergencystretch), so that lines
 *      with little or no glue are ranked by how short they fall instead of
 *      all being infinitely bad. A line that is overfull may still be set
 *      when it holds a single unbreakable piece, i.e. when its end is the
 *      first breakpoint after its start. Solutions are ranked by the number
 *      of overfull lines first and by demerits second. This pass cannot
 *      fail: the newest active node has never been tried, and its first
 *      trial always yields a line, so the active list never empties. */
#include "linebreak.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The second pass accepts lines stretched to ten times their stretch:
 * loose, but better than the emergency pass's unlimited spacing. */
#define SECOND_TOLERANCE 10.0
/* The emergency pass ranks lines as if each had this fraction of the line
 * width as extra stretch. With a quarter, a line without glue that is half
 * empty ranks at r = 2 (badness 800) and one an eighth empty at r = 0.5:
 * short lines still lose to full ones, but by a finite amount. */
#define EMERGENCY_STRETCH 0.25
/* Badness is capped so that a line with no stretch at all (ratio +inf)
 * still has finite demerits, and sums over 10^5 lines stay finite.
 * 10^9 is the badness of ratio ~215, already beyond any sense. */
#define BADNESS_MAX 1e9
/* Caller's demerit parameters are clamped to this for the same reason. */
#define DEMERITS_MAX 1e9
/* Widths closer than this count as equal: the rounding error of prefix sums
 * over 10^6 items is far below it, and 10^-6 pt cannot be seen. */
#define WIDTH_EPS 1e-6
/* Most active nodes kept at once; the oldest go first. A line of real text
 * spans at most about a hundred breakpoints (words and hyphenation points,
 * even on a landscape page in small type), each with a class or two, so
 * only degenerate input reaches it: thousands of zero-width items, where no
 * line ever overflows and every node would stay active. The cap keeps that
 * input linear too. */
enum { MAX_ACTIVE = 512 };

#define NO_NODE SIZE_MAX

/* KP's fitness classes, by adjustment ratio r. */
enum { FIT_TIGHT, FIT_DECENT, FIT_LOOSE, FIT_VERY_LOOSE, FIT_CLASSES };
/* A node's class is its fitness and, under a limit on hyphenated lines in a
 * row, how many end here (0..LB_MAX_RUN): the cheapest way to a break with
 * two hyphens behind it cannot stand in for one with none. */
enum { RUN_SLOTS = LB_MAX_RUN + 1, SLOTS = FIT_CLASSES * RUN_SLOTS };
typedef uint32_t slot_mask;
_Static_assert(SLOTS <= 32, "a slot_mask has a bit per class");

typedef struct break_node {
    size_t pos;         /* the break item; 0 for the paragraph start */
    size_t start;       /* first item of the line after this break */
    size_t prev;        /* node of the previous break; NO_NODE for the start */
    size_t overfull;    /* overfull lines up to here: ranked before demerits */
    double demerits;    /* total up to here */
    double ratio;       /* of the line ending here, as reported */
    int fitness;        /* class of the line ending here */
    unsigned run;       /* lines in a row ending at a flagged penalty, under a limit */
    bool flagged;       /* breaks at a flagged penalty */
    bool line_overfull; /* the line ending here is */
    bool tried;         /* has been tried against a breakpoint (emergency pass) */
} break_node;

/* The best way found so far to reach the current breakpoint in one class;
 * which classes hold one is a bit mask beside the array (slot_mask), so a
 * breakpoint clears one word, not SLOTS candidates. */
typedef struct candidate {
    bool line_overfull;
    unsigned run;
    size_t prev, overfull;
    double demerits, ratio;
} candidate;

typedef struct pass_opts {
    double tolerance;
    bool emergency; /* pass 3 */
} pass_opts;

typedef struct breaker {
    const lb_item *items;
    size_t n;
    size_t last;      /* the final break: a forced penalty, or the virtual end */
    bool virtual_end; /* last is past the content: an implicit finishing glue and break */
    /* No item has a negative width: a line that starts later is no wider
     * and has no more stretch (try_break's early end). */
    bool monotone;
    lb_params p; /* sanitised copy */
    /* Over items [0, i): width, finite stretch, shrink, infinite stretches. */
    double *width, *stretch, *shrink;
    size_t *fil;
    size_t *next_start; /* first box or forced penalty at index >= i, else n */
    break_node *nodes;  /* every node of the pass, active or not */
    size_t nnodes, nodes_cap;
    size_t *active; /* indices into nodes, oldest first */
    size_t nactive;
} breaker;

typedef struct line_fit {
    double ratio; /* KP's adjustment ratio; +inf when short with no stretch */
    double rank;  /* the ratio that badness and fitness use: see EMERGENCY_STRETCH */
    bool overfull;
    bool short_line; /* shorter than the measure, with no infinite stretch */
} line_fit;

static double clean_number(double v)
{
    return isfinite(v) ? v : 0.0;
}

static bool is_forced_penalty(const lb_item *it)
{
    return it->type == LB_PENALTY && it->penalty <= -LB_INFINITY;
}

/* KP: glue and penalties vanish at the start of a line; a forced penalty
 * does not, so two forced breaks in a row give an empty line. */
static bool is_discardable(const lb_item *it)
{
    return it->type == LB_GLUE || (it->type == LB_PENALTY && !is_forced_penalty(it));
}

/* Widths that always count; a penalty's width counts only when we break there. */
static double measure_item(const lb_item *it)
{
    return it->type == LB_PENALTY ? 0.0 : clean_number(it->width);
}

static bool is_fil(const lb_item *it)
{
    return it->type == LB_GLUE && it->stretch >= LB_FIL;
}

/* Negative or undefined stretch and shrink count as none: they would make
 * the ratio meaningless. A box's stretch (letter spacing) is finite. */
static double measure_stretch(const lb_item *it)
{
    if (it->type == LB_PENALTY || is_fil(it) || !(it->stretch > 0) ||
        (it->type == LB_BOX && !(it->stretch < LB_FIL)))
        return 0.0;
    return it->stretch;
}

static double measure_shrink(const lb_item *it)
{
    if (it->type == LB_PENALTY || !isfinite(it->shrink) || !(it->shrink > 0))
        return 0.0;
    return it->shrink;
}

static double clamp_param(double v, double lo)
{
    if (isnan(v))
        return 0.0;
    if (v < lo)
        return lo;
    return v < DEMERITS_MAX ? v : DEMERITS_MAX;
}

/* KP's legal breakpoints, less one case: a break that only glue and
 * penalties separate from a forced break would leave an empty line before
 * it. Forbidding it makes "penalty(inf)" before the finishing glue optional
 * and keeps the emergency pass from ending an overfull piece at that glue. */
static bool is_breakpoint(const breaker *b, size_t i)
{
    if (i == b->last)
        return true;
    const lb_item *it = &b->items[i];
    if (is_forced_penalty(it))
        return true;
    if (it->type == LB_PENALTY ? !(it->penalty < LB_INFINITY)
                               : it->type != LB_GLUE || i == 0 || b->items[i - 1].type != LB_BOX)
        return false;
    size_t next = b->next_start[i + 1];
    return next < b->last && b->items[next].type == LB_BOX;
}

static bool is_forced_break(const breaker *b, size_t i)
{
    return i == b->last || is_forced_penalty(&b->items[i]);
}

static bool is_flagged_break(const breaker *b, size_t i)
{
    if (i == b->last && b->virtual_end)
        return false;
    const lb_item *it = &b->items[i];
    return it->type == LB_PENALTY && it->flagged;
}

static double measure_break(const breaker *b, size_t i)
{
    if (i == b->last && b->virtual_end)
        return 0.0;
    const lb_item *it = &b->items[i];
    return it->type == LB_PENALTY ? clean_number(it->width) : 0.0;
}

static double read_penalty(const breaker *b, size_t i)
{
    if (is_forced_break(b, i))
        return -LB_INFINITY;
    const lb_item *it = &b->items[i];
    return it->type == LB_PENALTY ? it->penalty : 0.0;
}

/* What a breakpoint is, read once for all the nodes tried against it. */
typedef struct break_at {
    size_t at;
    double width;   /* measure_break */
    double penalty; /* read_penalty */
    size_t fil;     /* the virtual end's infinite stretch: 1, else 0 */
    bool forced, flagged;
} break_at;

static break_at read_break(const breaker *b, size_t at)
{
    return (break_at){.at = at,
                      .width = measure_break(b, at),
                      .penalty = read_penalty(b, at),
                      .fil = at == b->last && b->virtual_end,
                      .forced = is_forced_break(b, at),
                      .flagged = is_flagged_break(b, at)};
}

/* KP's adjustment ratio r of the line [start, k->at) that breaks at k;
 * `extra` is stretch assumed for ranking only. */
static line_fit fit_line(const breaker *b, size_t start, const break_at *k, double extra)
{
    line_fit f = {0.0, 0.0, false, false};
    size_t at = k->at;
    /* Two forced breaks in a row: the caller asked for an empty line, and
     * there is nothing to justify in it. */
    if (start == at && k->forced)
        return f;
    double natural = b->width[at] - b->width[start] + k->width;
    double stretch = b->stretch[at] - b->stretch[start];
    double shrink = b->shrink[at] - b->shrink[start];
    size_t fil = b->fil[at] - b->fil[start] + k->fil;
    double slack = b->p.width - natural;
    if (slack > WIDTH_EPS) {
        /* Infinite stretch takes all the slack: badness 0 (KP), ratio 0. */
        if (fil == 0) {
            f.short_line = true;
            f.ratio = stretch > 0 ? slack / stretch : INFINITY;
            f.rank = stretch + extra > 0 ? slack / (stretch + extra) : INFINITY;
        }
    } else if (slack < -WIDTH_EPS) {
        /* KP: glue never shrinks beyond its shrink, so r < -1 is infeasible. */
        f.overfull = -slack > shrink + WIDTH_EPS;
        f.ratio = f.rank = shrink > 0 ? fmax(slack / shrink, -1.0) : -1.0;
    }
    return f;
}

/* KP: badness 100|r|^3, capped (see BADNESS_MAX). */
static double compute_badness(double r)
{
    double a = fabs(r);
    double bad = 100.0 * a * a * a;
    return bad < BADNESS_MAX ? bad : BADNESS_MAX;
}

static int classify_fitness(double r)
{
    if (r < -0.5)
        return FIT_TIGHT;
    if (r <= 0.5)
        return FIT_DECENT;
    if (r <= 1.0)
        return FIT_LOOSE;
    return FIT_VERY_LOOSE;
}

/* Fewer overfull lines first, then fewer demerits; ties keep the earlier. */
static bool ranks_before(size_t over_a, double dem_a, size_t over_b, double dem_b)
{
    return over_a < over_b || (over_a == over_b && dem_a < dem_b);
}

/* The demerits of a line from node `from` to breakpoint `at` (KP):
 * (l + b)^2, plus p^2 for a positive penalty, minus p^2 for a negative
 * one that is not forced, plus the flagged demerits after a flagged break,
 * plus the fitness demerits when the class jumps by more than one. A line
 * that would make the run of hyphenated lines longer than the limit is
 * refused, or in the emergency pass charged LB_RUN_DEMERITS. */
static void offer_line(const breaker *b, candidate best[SLOTS], slot_mask *valid, size_t from,
                       const break_at *k, line_fit f, bool emergency)
{
    const break_node *a = &b->nodes[from];
    unsigned limit = b->p.max_flagged_run, run = 0;
    double extra = 0;
    if (limit && k->flagged) {
        run = a->run + 1;
        if (run > limit) {
            if (!emergency)
                return;
            run = limit;
            extra = LB_RUN_DEMERITS;
        }
    }
    int fitness = classify_fitness(f.rank);
    double bad = f.overfull ? 0.0 : compute_badness(f.rank);
    double d = (b->p.line_penalty + bad) * (b->p.line_penalty + bad);
    double pen = k->penalty;
    if (pen > -LB_INFINITY)
        d += pen >= 0 ? pen * pen : -pen * pen;
    if (a->flagged && k->flagged)
        d += b->p.flagged_demerits;
    if (abs(fitness - a->fitness) > 1)
        d += b->p.fitness_demerits;
    d += extra;

    candidate c = {
        .line_overfull = f.overfull,
        .run = run,
        .prev = from,
        .overfull = a->overfull + f.overfull,
        .demerits = a->demerits + d,
        .ratio = isinf(f.ratio) ? 0.0 : f.ratio,
    };
    int cls = fitness * RUN_SLOTS + (int)run;
    candidate *slot = &best[cls];
    if (!(*valid & (1u << cls)) ||
        ranks_before(c.overfull, c.demerits, slot->overfull, slot->demerits)) {
        *slot = c;
        *valid |= 1u << cls;
    }
}

static size_t add_node(breaker *b)
{
    if (b->nnodes == b->nodes_cap) {
        b->nodes_cap = b->nodes_cap ? 2 * b->nodes_cap : 1024;
        b->nodes = xrealloc(b->nodes, b->nodes_cap * sizeof *b->nodes);
    }
    return b->nnodes++;
}

/* Is candidate c dominated by m: m can continue wherever c can (no longer
 * hyphen run) and every continuation from it costs at most the fitness
 * demerits more? Both sit at the same break. */
static bool dominates(const breaker *b, const candidate *m, const candidate *c)
{
    return m->run <= c->run && c->demerits > m->demerits + b->p.fitness_demerits;
}

/* Turn the best candidates at breakpoint `at` into active nodes. A class
 * that another dominates can never win, so it is dropped, as TeX does
 * (tex.web, "Create new active nodes for the best feasible breaks just
 * found"); so is one with more overfull lines than the best. */
static void activate_breaks(breaker *b, const candidate best[SLOTS], slot_mask valid,
                            const break_at *brk)
{
    size_t at = brk->at;
    if (!valid)
        return;
    int used[SLOTS], nused = 0; /* the classes with a candidate, in order */
    for (int fit = 0; fit < FIT_CLASSES; fit++) {
        /* a fitness class at a time: most breaks fill one or two */
        slot_mask runs = (valid >> (fit * RUN_SLOTS)) & ((1u << RUN_SLOTS) - 1);
        for (int r = 0; runs; r++, runs >>= 1)
            if (runs & 1)
                used[nused++] = fit * RUN_SLOTS + r;
    }
    int min = used[0];
    for (int i = 1; i < nused; i++)
        if (ranks_before(best[used[i]].overfull, best[used[i]].demerits, best[min].overfull,
                         best[min].demerits))
            min = used[i];
    for (int i = 0; i < nused; i++) {
        int c = used[i];
        if (best[c].overfull != best[min].overfull)
            continue;
        bool dominated = false;
        for (int j = 0; j < nused && !dominated; j++) {
            int m = used[j];
            dominated =
                m != c && best[m].overfull == best[c].overfull && dominates(b, &best[m], &best[c]);
        }
        if (dominated)
            continue;
        size_t k = add_node(b);
        b->nodes[k] = (break_node){
            .pos = at,
            .start = at < b->n ? b->next_start[at + 1] : b->n,
            .prev = best[c].prev,
            .overfull = best[c].overfull,
            .demerits = best[c].demerits,
            .ratio = best[c].ratio,
            .fitness = c / RUN_SLOTS,
            .run = best[c].run,
            .flagged = brk->flagged,
            .line_overfull = best[c].line_overfull,
        };
        b->active[b->nactive++] = k;
    }
    if (b->nactive > MAX_ACTIVE) {
        size_t drop = b->nactive - MAX_ACTIVE;
        for (size_t k = 0; k < MAX_ACTIVE; k++)
            b->active[k] = b->active[k + drop];
        b->nactive = MAX_ACTIVE;
    }
}

/* Try every active node against breakpoint `at` (KP's main loop). */
static void try_break(breaker *b, size_t at, pass_opts o)
{
    candidate best[SLOTS];
    slot_mask valid = 0;
    break_at brk = read_break(b, at);
    bool forced = brk.forced;
    double extra = o.emergency ? EMERGENCY_STRETCH * fmax(b->p.width, 0.0) : 0.0;
    size_t kept = 0;
    /* the nodes of one break (one per class) sit side by side and start
     * their lines at the same item: their line is fitted once */
    size_t fitted = NO_NODE;
    line_fit f = {0.0, 0.0, false, false};
    for (size_t k = 0; k < b->nactive; k++) {
        size_t from = b->active[k];
        break_node *a = &b->nodes[from];
        /* A penalty among the glue right after a's break: a's line has not
         * begun yet. A forced break always lies at or after the start. */
        if (at < a->start) {
            b->active[kept++] = from;
            continue;
        }
        if (a->start != fitted) {
            f = fit_line(b, a->start, &brk, extra);
            fitted = a->start;
        }
        bool first = !a->tried;
        a->tried = true;
        if (!f.overfull && f.rank <= o.tolerance)
            offer_line(b, best, &valid, from, &brk, f, o.emergency);
        else if (f.overfull && o.emergency && first)
            offer_line(b, best, &valid, from, &brk, f, o.emergency);
        /* An overfull line only grows at later breaks, and no line may run
         * across a forced break: either way the node is done (KP). */
        if (!f.overfull && !forced)
            b->active[kept++] = from;
        /* The nodes after this one start their lines no earlier (the list
         * is in the order of the breaks): when this line is too short for
         * the tolerance, theirs are shorter still, with no more stretch, so
         * none is offered or done: they stay as they are. Not at a forced
         * break, which ends them all. */
        if (b->monotone && !forced && f.short_line && !(f.rank <= o.tolerance)) {
            size_t rest = b->nactive - (k + 1);
            if (kept != k + 1) /* nodes before were done: close the gap */
                memmove(b->active + kept, b->active + k + 1, rest * sizeof *b->active);
            kept += rest;
            break;
        }
    }
    b->nactive = kept;
    activate_breaks(b, best, valid, &brk);
}

/* One pass over the paragraph: the final node of the best solution, or
 * NO_NODE when the active list ran dry. */
static size_t run_pass(breaker *b, pass_opts o)
{
    b->nnodes = 0;
    b->nactive = 0;
    size_t root = add_node(b);
    b->nodes[root] = (break_node){.prev = NO_NODE, .fitness = FIT_DECENT};
    b->active[b->nactive++] = root;
    for (size_t i = 0; i <= b->last; i++) {
        if (!is_breakpoint(b, i))
            continue;
        try_break(b, i, o);
        if (b->nactive == 0)
            return NO_NODE;
    }
    /* The final break is forced, so only nodes created there are left. */
    size_t best = NO_NODE;
    for (size_t k = 0; k < b->nactive; k++) {
        const break_node *a = &b->nodes[b->active[k]];
        assert(a->pos == b->last && a->prev != NO_NODE);
        if (best == NO_NODE || ranks_before(a->overfull, a->demerits, b->nodes[best].overfull,
                                            b->nodes[best].demerits))
            best = b->active[k];
    }
    return best;
}

static void init_breaker(breaker *b, const lb_item *items, size_t n, const lb_params *p)
{
    *b = (breaker){.items = items, .n = n, .monotone = true};
    b->p.width = clean_number(p->width);
    b->p.tolerance = isnan(p->tolerance) ? 0.0 : p->tolerance;
    b->p.line_penalty = clamp_param(p->line_penalty, -DEMERITS_MAX);
    /* Pruning in activate_breaks relies on these being non-negative. */
    b->p.flagged_demerits = clamp_param(p->flagged_demerits, 0.0);
    b->p.fitness_demerits = clamp_param(p->fitness_demerits, 0.0);
    b->p.max_flagged_run = p->max_flagged_run <= LB_MAX_RUN ? p->max_flagged_run : 0;

    /* one block for the arrays: a paragraph of a table cell is short, and
     * six allocations cost more than its prefix sums */
    b->width =
        xmalloc(3 * (n + 1) * sizeof(double) + (2 * (n + 1) + MAX_ACTIVE + SLOTS) * sizeof(size_t));
    b->stretch = b->width + (n + 1);
    b->shrink = b->stretch + (n + 1);
    b->fil = (size_t *)(b->shrink + (n + 1)); /* doubles first: aligned for both */
    b->next_start = b->fil + (n + 1);
    b->active = b->next_start + (n + 1);

    b->width[0] = b->stretch[0] = b->shrink[0] = 0.0;
    b->fil[0] = 0;
    for (size_t i = 0; i < n; i++) {
        b->width[i + 1] = b->width[i] + measure_item(&items[i]);
        b->stretch[i + 1] = b->stretch[i] + measure_stretch(&items[i]);
        b->shrink[i + 1] = b->shrink[i] + measure_shrink(&items[i]);
        b->fil[i + 1] = b->fil[i] + is_fil(&items[i]);
        b->monotone &= measure_item(&items[i]) >= 0;
    }
    b->next_start[n] = n;
    for (size_t i = n; i-- > 0;)
        b->next_start[i] = is_discardable(&items[i]) ? b->next_start[i + 1] : i;

    /* The paragraph ends at its last forced penalty when only glue and
     * penalties follow it; otherwise those are dropped, as TeX drops a last
     * glue before adding \parfillskip, and the end becomes a virtual forced
     * break with infinite stretch. */
    size_t m = n;
    while (m > 0 && is_discardable(&items[m - 1]))
        m--;
    if (m > 0 && is_forced_penalty(&items[m - 1])) {
        b->last = m - 1;
    } else {
        b->last = m;
        b->virtual_end = true;
    }
}

static void fini_breaker(breaker *b)
{
    free(b->width); /* the block of init_breaker */
    free(b->nodes);
}

/* Follow the chain of breaks back from `best` into a fresh array (caller frees). */
static size_t collect_lines(const breaker *b, size_t best, lb_line **lines)
{
    size_t count = 0;
    for (size_t k = best; b->nodes[k].prev != NO_NODE; k = b->nodes[k].prev)
        count++;
    lb_line *out = xmalloc(count * sizeof *out);
    size_t i = count;
    for (size_t k = best; b->nodes[k].prev != NO_NODE; k = b->nodes[k].prev) {
        const break_node *a = &b->nodes[k];
        out[--i] = (lb_line){
            .start = b->nodes[a->prev].start,
            .end = a->pos,
            .ratio = a->ratio,
            .hyphen = is_flagged_break(b, a->pos) && measure_break(b, a->pos) > 0,
            .overfull = a->line_overfull,
        };
    }
    *lines = out;
    return count;
}

static bool has_box(const lb_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].type == LB_BOX)
            return true;
    return false;
}

size_t lb_break(const lb_item *items, size_t n, const lb_params *p, lb_line **lines)
{
    assert(lines && p && (items || n == 0));
    *lines = NULL;
    if (!has_box(items, n))
        return 0;

    breaker b;
    init_breaker(&b, items, n, p);
    pass_opts first = {b.p.tolerance, false};
    size_t best = run_pass(&b, first);
    if (best == NO_NODE && SECOND_TOLERANCE > first.tolerance)
        best = run_pass(&b, (pass_opts){SECOND_TOLERANCE, false});
    if (best == NO_NODE)
        best = run_pass(&b, (pass_opts){INFINITY, true});
    assert(best != NO_NODE); /* see the top of this file */
    size_t count = collect_lines(&b, best, lines);
    fini_breaker(&b);
    return count;
}
