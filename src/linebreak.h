/* linebreak: Knuth-Plass total-fit line breaking over boxes, glue and
 * penalties. Pure computation: owns nothing, borrows the item array.
 * Any layout module may include it. */
#ifndef NASTAVDOC_LINEBREAK_H
#define NASTAVDOC_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { LB_BOX, LB_GLUE, LB_PENALTY } lb_type;

#define LB_INFINITY 10000.0 /* a penalty >= this forbids the break; <= -this forces it */
#define LB_FIL 1e6          /* glue stretch >= this (HUGE_VAL too) is infinite: fills the line */

typedef struct lb_item {
    lb_type type;
    double width; /* box, glue; for a penalty, the width added if we break here (hyphen) */
    /* Glue: how far it may stretch (>= LB_FIL is infinite) and shrink. A box
     * may stretch and shrink too (letter spacing inside a word, finite
     * only): it counts in the line's totals like glue, but never vanishes at
     * a break. */
    double stretch;
    double shrink;
    double penalty; /* penalty only */
    bool flagged;   /* penalty only: a hyphen break (consecutive ones cost extra) */
} lb_item;

typedef struct lb_params {
    double width;            /* line width (all lines) */
    double tolerance;        /* max adjustment ratio accepted in the first pass, e.g. 2 */
    double line_penalty;     /* e.g. 10 */
    double flagged_demerits; /* two hyphenated lines in a row, e.g. 3000 */
    double fitness_demerits; /* adjacent lines of very different tightness, e.g. 100 */
    /* Most lines in a row that may end at a flagged penalty (a hyphen); 0 =
     * no limit. A hard rule in the first two passes (docs/typesetting.md
     * §3): the emergency pass only charges LB_RUN_DEMERITS for it. */
    unsigned max_flagged_run;
} lb_params;

#define LB_MAX_RUN 3        /* max_flagged_run above this counts as no limit */
#define LB_RUN_DEMERITS 1e8 /* emergency pass: a line beyond max_flagged_run */

typedef struct lb_line {
    size_t start, end; /* items [start, end): end is the break item (glue or penalty) or the end */
    double ratio;      /* adjustment ratio: >0 stretch, <0 shrink, clamped to [-1, +inf). A line
                          with infinite stretch (the last) has 0, or <0 if it must shrink: set it
                          ragged. A line with no stretch at all has 0 or less too. */
    bool hyphen;       /* ends at a flagged penalty with width: draw a hyphen that wide */
    bool overfull;     /* wider than the line even fully shrunk: one unbreakable piece alone */
} lb_line;

/* Break items[0..n) into lines (Knuth-Plass). The list should end with the
 * finishing glue (0, LB_FIL stretch) and a forced break; without them,
 * trailing glue and penalties are dropped and the end acts as both. No line
 * ends just before a forced break with only glue and penalties between.
 * Writes a malloc'd array of lines to *lines (caller frees; NULL when 0) and
 * returns the count: 0 exactly when the list holds no box; two forced breaks
 * in a row give an empty line. Never fails: when no tolerance gives a
 * feasible solution it returns one with as few overfull lines as possible,
 * each holding a single unbreakable piece (a box wider than the line gets a
 * line alone; the caller is expected to have split such boxes). Deterministic. */
size_t lb_break(const lb_item *items, size_t n, const lb_params *p, lb_line **lines);

#endif
