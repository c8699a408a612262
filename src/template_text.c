/* template_text: the blocks of long structured texts and agreements.
 *
 *   clauses: {sections: PATH | [SECTION…], changes: PATH, numbering: TEXT}
 *       Sections with their bodies: a section is {title, number, body}; a
 *       body element is a string (paragraph), {paragraph}, {heading},
 *       {list}, {numbered}, {table}, {clause: TEXT, number, body} or
 *       {section: TITLE, number, body}. numbering `auto` (the default)
 *       numbers sections 1., 2. …, their clauses and subsections 1.1.,
 *       1.2. …, and clauses within clauses 1.1.1.; a given `number` is
 *       printed as typed and the count goes on from it. `typed` prints only
 *       the given numbers. Sections written in the template are interpolated
 *       ({{…}}), sections from the data are not. `changes` (data) adds,
 *       replaces or drops the template's clauses by their numbers:
 *       {add: "2.4", text, body} goes before the template's clause 2.4 (or
 *       at the section's end), {replace: "3.6", text, body}, {drop: "3.4"};
 *       the numbers are counted again after the changes.
 *       Styles by name: section, subsection, clause, clause_lead (a clause
 *       ending in «:» with text below it: kept with the next line), body,
 *       subheading, list, cell, cell_head, cell_section.
 *   toc: TEXT   [style]       table of contents of the section headings and
 *       annex titles (dotted leaders, page numbers); TEXT is its title
 *       (style toc_title); the entries take `style` (default toc).
 *   annexes: PATH             each annex {title, number, body} on a new page:
 *       «Приложение N» at the top right (style annex_ref), the title
 *       (annex_title, listed in the contents), the body as a section's.
 *   parties: {title: TEXT, left: [TEXT…], right: [TEXT…]}   [style]
 *       the requisites and signatures of two parties side by side, under a
 *       heading (style section) that carries the last three lines of the
 *       text before it along to a new page; the row is never cut. A line
 *       whose {{…}} names a value the data lacks is left out (INN, KPP
 *       «where given»).
 *   stamp_row: PATH           approval stamps {lines} all in one row (1–4),
 *       sharing the width (`boxes` puts three and more in rows of two).
 *   fill: true                what follows, up to the next page break, goes to
 *       the foot of the page (the place and year of a title page).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "template_priv.h"

/* ---- clauses ----------------------------------------------------------- */

typedef struct text_ctx {
    expander *x;
    const yl_node *blk;
    const scope *sc;
    bool auto_numbers;
    bool bad_change; /* a change named no clause: reported, the expansion fails at the end */
    const blk_style *section, *subsection, *clause, *lead, *body, *heading, *list;
} text_ctx;

static const blk_style *style_or(expander *x, const char *name, const blk_style *fallback)
{
    const blk_style *st = tpl_find_style(x, name);
    return st ? st : fallback;
}

/* The text of node: interpolated when it comes from the template. */
static const char *text_of(text_ctx *c, const yl_node *node, bool tpl, src_mark *mark)
{
    if (!node || !yl_str(node)) {
        diag_error(c->x->d, node ? node->mark : c->blk->mark, "ожидался текст (строка)");
        c->x->failed = true;
        return NULL;
    }
    *mark = node->mark;
    if (!tpl)
        return node->str;
    const char *s = tpl_interpolate(c->x, c->sc, node, mark);
    if (!s)
        c->x->failed = true;
    return s;
}

/* The largest last number a clause or section may be given (`number:`):
 * the count goes on from it, and past SIZE_MAX it wrapped («1.18446744073709551615.»
 * was followed by «1.0.»). No text has a million clauses. */
#define TEXT_MAX_GIVEN_NUMBER 999999

/* The last number of "2.5." (5), or 0; TEXT_MAX_GIVEN_NUMBER + 1 for any
 * larger one. */
static size_t last_number(const char *given)
{
    size_t len = strlen(given);
    while (len && given[len - 1] == '.')
        len--;
    size_t start = len, n = 0;
    while (start && given[start - 1] >= '0' && given[start - 1] <= '9')
        start--;
    for (size_t i = start; i < len && n <= TEXT_MAX_GIVEN_NUMBER; i++)
        n = 10 * n + (size_t)(given[i] - '0');
    return n <= TEXT_MAX_GIVEN_NUMBER ? n : TEXT_MAX_GIVEN_NUMBER + 1;
}

/* The label of the next item under prefix ("2." -> "2.3."): the given
 * number as typed (the count goes on from it), else the next number when
 * numbering is automatic, else NULL. */
static const char *next_label(text_ctx *c, const char *prefix, const yl_node *given,
                              size_t *counter)
{
    if (given && yl_str(given)) {
        size_t n = last_number(yl_str(given));
        if (n > TEXT_MAX_GIVEN_NUMBER) {
            diag_error(c->x->d, given->mark,
                       "номер «%s»: последнее число больше %d; проверьте номер (от него "
                       "считаются следующие пункты)",
                       yl_str(given), TEXT_MAX_GIVEN_NUMBER);
            n = 0;
        }
        *counter = n ? n : *counter + 1;
        return yl_str(given);
    }
    ++*counter;
    if (!c->auto_numbers)
        return NULL;
    return arena_printf(c->x->mem, "%s%zu.", prefix, *counter);
}

static void text_body(text_ctx *c, const yl_node *body, bool tpl, const char *prefix,
                      unsigned depth);

static blk_block *add_para(text_ctx *c, blk_kind kind, const char *text, src_mark mark,
                           const blk_style *st)
{
    blk_block *b = tpl_add_block(c->x, kind, mark);
    if (b) {
        b->text = text;
        b->style = st;
    }
    return b;
}

/* A heading «N. Title» of a section (level 1) or a subsection (level 2). */
static void add_heading(text_ctx *c, const char *label, const yl_node *title, bool tpl,
                        unsigned level)
{
    src_mark mark;
    const char *t = text_of(c, title, tpl, &mark);
    if (!t)
        return;
    const char *s = label ? arena_printf(c->x->mem, "%s %s", label, t) : t;
    blk_block *b = add_para(c, BLK_PARA, s, mark, level == 1 ? c->section : c->subsection);
    if (b)
        b->toc_level = level;
}

static bool ends_with_colon(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    return n && s[n - 1] == ':';
}

/* A clause: «1.1. Text» set like an order's point, then its body. */
static void add_clause(text_ctx *c, const yl_node *e, const yl_node *text, bool tpl,
                       const char *prefix, size_t *counter, unsigned depth)
{
    const char *label = next_label(c, prefix, yl_map_get(e, "number"), counter);
    src_mark mark;
    const char *t = text_of(c, text, tpl, &mark);
    if (!t)
        return;
    const yl_node *body = yl_map_get(e, "body");
    bool lead = body && !yl_is_null(body) && ends_with_colon(t);
    blk_block *b = tpl_add_block(c->x, BLK_ITEM, mark);
    if (!b)
        return;
    b->text = t;
    b->as.item.label = label ? label : "";
    b->style = lead ? c->lead : c->clause;
    text_body(c, body, tpl, label ? label : prefix, depth + 1);
}

/* A list among the text: level 0 like a paragraph with its dash, deeper
 * levels hanging, indented one step per level. */
static void add_list(text_ctx *c, const yl_node *items, bool numbered)
{
    list_spec ls = {"text", "items", numbered, !numbered, false, c->list, NULL, NULL};
    size_t counter = 0, n0 = c->x->n;
    tpl_add_list_items(c->x, &ls, items, "", 0, &counter);
    for (size_t i = n0; i < c->x->n; i++)
        if (c->x->blocks[i].kind == BLK_ITEM && c->x->blocks[i].as.item.level > 0)
            c->x->blocks[i].as.item.hanging = true;
}

static void text_element(text_ctx *c, const yl_node *e, bool tpl, const char *prefix,
                         size_t *counter, unsigned depth)
{
    src_mark mark;
    const yl_node *v;
    if (e->kind == YL_MAP && (v = yl_map_get(e, "clause"))) {
        add_clause(c, e, v, tpl, prefix, counter, depth);
    } else if (e->kind == YL_MAP && (v = yl_map_get(e, "section"))) {
        const char *label = next_label(c, prefix, yl_map_get(e, "number"), counter);
        add_heading(c, label, v, tpl, 2);
        text_body(c, yl_map_get(e, "body"), tpl, label ? label : prefix, depth + 1);
    } else {
        kind_content kc = kind_content_of(e, &v);
        const char *t;
        if ((kc == KC_PARAGRAPH || kc == KC_HEADING) && (t = text_of(c, v, tpl, &mark)))
            add_para(c, BLK_PARA, t, mark, kc == KC_HEADING ? c->heading : c->body);
        else if ((kc == KC_LIST || kc == KC_NUMBERED) && v->kind == YL_SEQ)
            add_list(c, v, kc == KC_NUMBERED);
        else if (kc == KC_TABLE)
            tpl_block_table(c->x, c->blk, v, c->sc);
        else if (kc == KC_NONE) {
            diag_error(c->x->d, e->mark,
                       "элемент текста: ожидалась строка или словарь clause, section, heading, "
                       "paragraph, list, numbered или table");
            c->x->failed = true;
        }
    }
}

static void text_body(text_ctx *c, const yl_node *body, bool tpl, const char *prefix,
                      unsigned depth)
{
    if (!body || yl_is_null(body) || depth >= YL_MAX_DEPTH)
        return;
    if (body->kind != YL_SEQ) {
        text_element(c, body, tpl, prefix, &(size_t){0}, depth);
        return;
    }
    size_t counter = 0;
    for (size_t i = 0; i < body->n && !c->x->failed; i++)
        if (tpl_charge(c->x, 1, body->items[i]->mark))
            text_element(c, body->items[i], tpl, prefix, &counter, depth);
}

/* ---- changes to the template's clauses -------------------------------- */

/* A change of the dossier's list, {add|replace|drop: "S.C", text, body},
 * read once. */
typedef struct change {
    size_t sec, cl; /* the template's clause it names: section, clause */
    size_t k;       /* its place in the list: changes apply in list order */
    int op;         /* index in change_ops */
} change;

typedef struct change_set {
    const yl_node *list; /* the dossier's changes (a YL_SEQ) */
    change *by_sec;      /* those naming a clause, by section, then in list order */
    size_t n;
    bool *used; /* per item of list: a section of its number was met */
} change_set;

/* "2.4" or "2.4." -> section 2, clause 4; false if not that form. */
static bool parse_ref(const char *s, size_t *sec, size_t *cl)
{
    char *end;
    *sec = strtoul(s, &end, 10);
    if (end == s || *end != '.')
        return false;
    const char *p = end + 1;
    *cl = strtoul(p, &end, 10);
    return end != p && (*end == '\0' || (*end == '.' && end[1] == '\0')) && *sec && *cl;
}

static const char *const change_ops[] = {"add", "replace", "drop"};

/* The reference of change ch and its operation, or NULL. */
static const yl_node *change_ref(const yl_node *ch, int *op)
{
    const yl_node *ref = NULL;
    for (int o = 0; o < 3 && !ref; o++)
        if ((ref = yl_map_get(ch, change_ops[o])))
            *op = o;
    return ref;
}

static int by_section(const void *pa, const void *pb)
{
    const change *a = pa, *b = pb;
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

/* Read list once and sort it by section, so that each section finds its
 * changes by a binary search: a section's work is its own changes and
 * clauses, whatever the number of sections and changes. */
static change_set read_changes(expander *x, const yl_node *list)
{
    change_set cs = {list, arena_alloc(x->mem, (list->n + 1) * sizeof *cs.by_sec), 0,
                     arena_alloc(x->mem, (list->n + 1) * sizeof *cs.used)};
    for (size_t k = 0; k < list->n; k++) {
        change ch = {.k = k, .op = -1};
        const yl_node *ref = change_ref(list->items[k], &ch.op);
        cs.used[k] = false;
        if (ref && yl_str(ref) && parse_ref(yl_str(ref), &ch.sec, &ch.cl))
            cs.by_sec[cs.n++] = ch;
    }
    qsort(cs.by_sec, cs.n, sizeof *cs.by_sec, by_section);
    return cs;
}

/* The first of cs's changes of section sec or after it. */
static size_t first_of_section(const change_set *cs, size_t sec)
{
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs->by_sec[mid].sec < sec)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Section sec's changes, checked against its `last` clauses and gathered by
 * the clause they name (1 … last + 1, the end): the adds before each, in list
 * order, and what becomes of each clause (its replacement, or dropped). */
typedef struct clause_changes {
    size_t *first;         /* adds before clause q: adds[first[q] .. first[q + 1]) */
    const yl_node **adds;  /* the adds' nodes */
    const yl_node **final; /* per clause: its replacement, NULL for the template's */
    bool *dropped;
} clause_changes;

static clause_changes gather_changes(text_ctx *c, const change_set *cs, size_t sec, size_t last)
{
    arena *a = c->x->mem;
    size_t lo = first_of_section(cs, sec), hi = lo;
    while (hi < cs->n && cs->by_sec[hi].sec == sec)
        hi++;
    clause_changes g = {arena_alloc(a, (last + 3) * sizeof *g.first),
                        arena_alloc(a, (hi - lo + 1) * sizeof *g.adds),
                        arena_alloc(a, (last + 2) * sizeof *g.final),
                        arena_alloc(a, (last + 2) * sizeof *g.dropped)};
    memset(g.first, 0, (last + 3) * sizeof *g.first);
    memset(g.final, 0, (last + 2) * sizeof *g.final);
    memset(g.dropped, 0, (last + 2) * sizeof *g.dropped);
    for (size_t i = lo; i < hi; i++) { /* in list order */
        const change *ch = &cs->by_sec[i];
        const yl_node *node = cs->list->items[ch->k];
        cs->used[ch->k] = true;
        if (ch->op == 0 && ch->cl <= last + 1) {
            g.first[ch->cl + 1]++;
        } else if (ch->op > 0 && ch->cl <= last) {
            g.dropped[ch->cl] = ch->op == 2;
            if (ch->op == 1)
                g.final[ch->cl] = node;
        } else {
            int op;
            const yl_node *ref = change_ref(node, &op);
            diag_error(c->x->d, ref->mark, "пункта %s нет в шаблоне (в разделе %zu пункты 1–%zu)%s",
                       yl_str(ref), sec, last,
                       ch->op == 0 ? "; новый пункт можно добавить перед любым из них или "
                                     "последним"
                                   : "");
            c->bad_change = true;
        }
    }
    for (size_t q = 1; q <= last + 1; q++)
        g.first[q + 1] += g.first[q];
    size_t *next = arena_alloc(a, (last + 2) * sizeof *next);
    memcpy(next, g.first, (last + 2) * sizeof *next);
    for (size_t i = lo; i < hi; i++) {
        const change *ch = &cs->by_sec[i];
        if (ch->op == 0 && ch->cl <= last + 1)
            g.adds[next[ch->cl]++] = cs->list->items[ch->k];
    }
    return g;
}

/* The adds gathered before clause q. */
static void add_changes(text_ctx *c, const clause_changes *g, size_t q, const char *prefix,
                        size_t *counter)
{
    for (size_t i = g->first[q]; i < g->first[q + 1] && !c->x->failed; i++)
        add_clause(c, g->adds[i], yl_map_get(g->adds[i], "text"), false, prefix, counter, 1);
}

/* A section of the template with the dossier's changes applied. */
static void changed_section(text_ctx *c, const yl_node *body, const change_set *cs, size_t sec,
                            const char *prefix)
{
    size_t n = body && body->kind == YL_SEQ ? body->n : 0, clauses = 0;
    for (size_t i = 0; i < n; i++)
        if (body->items[i]->kind == YL_MAP && yl_map_get(body->items[i], "clause"))
            clauses++;
    clause_changes g = gather_changes(c, cs, sec, clauses);
    size_t counter = 0, q = 0;
    for (size_t i = 0; i < n && !c->x->failed; i++) {
        const yl_node *e = body->items[i];
        if (!(e->kind == YL_MAP && yl_map_get(e, "clause"))) {
            text_element(c, e, true, prefix, &counter, 1);
            continue;
        }
        add_changes(c, &g, ++q, prefix, &counter);
        if (g.dropped[q] || c->x->failed)
            continue;
        if (g.final[q]) /* a change: {add|replace, text, body} is a clause */
            add_clause(c, g.final[q], yl_map_get(g.final[q], "text"), false, prefix, &counter, 1);
        else
            text_element(c, e, true, prefix, &counter, 1);
    }
    add_changes(c, &g, clauses + 1, prefix, &counter);
}

static void report_unused(text_ctx *c, const change_set *cs, size_t nsec)
{
    for (size_t k = 0; k < cs->list->n; k++) {
        if (cs->used[k])
            continue;
        const yl_node *ch = cs->list->items[k];
        int op;
        const yl_node *ref = change_ref(ch, &op);
        size_t sec, cl;
        if (ref && yl_str(ref) && parse_ref(yl_str(ref), &sec, &cl))
            diag_error(c->x->d, ref->mark, "пункта %s нет в шаблоне: в нём разделов %zu",
                       yl_str(ref), nsec);
        else
            diag_error(c->x->d, ref ? ref->mark : ch->mark,
                       "«%s»: ожидался номер пункта шаблона вида «2.4»",
                       ref && yl_str(ref) ? yl_str(ref) : "?");
        c->bad_change = true;
    }
}

static void text_styles(text_ctx *c)
{
    expander *x = c->x;
    c->body = tpl_block_style(x, c->blk, "body");
    c->section = style_or(x, "section", c->body);
    c->subsection = style_or(x, "subsection", c->section);
    c->clause = style_or(x, "clause", c->body);
    c->lead = style_or(x, "clause_lead", c->clause);
    c->heading = style_or(x, "subheading", c->subsection);
    c->list = style_or(x, "list", c->body);
}

static const char *const numberings[] = {"auto", "typed"};

void tpl_block_clauses(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    text_ctx c = {.x = x, .blk = blk, .sc = sc, .auto_numbers = true};
    text_styles(&c);
    if (v->kind != YL_MAP) {
        diag_error(x->d, v->mark, "clauses: ожидался словарь с sections");
        x->failed = true;
        return;
    }
    const yl_node *spath = yl_map_get(v, "sections"), *num = yl_map_get(v, "numbering");
    if (num) {
        src_mark m;
        const char *s = tpl_interpolate(x, sc, num, &m);
        yl_node tmp = *num;
        tmp.str = (char *)(s ? s : "");
        tmp.len = strlen(tmp.str);
        tmp.mark = m;
        c.auto_numbers = tpl_read_choice(x, &tmp, "numbering", numberings, 2) != 1;
    }
    bool tpl = spath && spath->kind == YL_SEQ; /* written in the template */
    const yl_node *secs = tpl ? spath : spath ? tpl_lookup_path(x, sc, spath) : NULL;
    if (!secs || yl_is_null(secs))
        return;
    if (secs->kind != YL_SEQ) {
        diag_error(x->d, secs->mark, "clauses: sections должно быть списком разделов");
        x->failed = true;
        return;
    }
    const yl_node *cpath = yl_map_get(v, "changes");
    const yl_node *changes = cpath ? tpl_lookup_path(x, sc, cpath) : NULL;
    if (changes && changes->kind != YL_SEQ)
        changes = NULL;
    change_set cs = {0};
    if (changes)
        cs = read_changes(x, changes);
    size_t counter = 0;
    for (size_t i = 0; i < secs->n && !x->failed; i++) {
        const yl_node *s = secs->items[i];
        if (s->kind != YL_MAP) {
            diag_error(x->d, s->mark, "раздел: ожидался словарь с title и body");
            x->failed = true;
            return;
        }
        const char *label = next_label(&c, "", yl_map_get(s, "number"), &counter);
        add_heading(&c, label, yl_map_get(s, "title"), tpl, 1);
        const char *prefix = label ? label : "";
        if (changes)
            changed_section(&c, yl_map_get(s, "body"), &cs, counter, prefix);
        else
            text_body(&c, yl_map_get(s, "body"), tpl, prefix, 1);
    }
    if (changes && !x->failed)
        report_unused(&c, &cs, secs->n);
    if (c.bad_change)
        x->failed = true;
}

/* ---- contents and annexes ---------------------------------------------- */

void tpl_block_toc(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    if (v && yl_str(v) && *yl_str(v))
        tpl_add_text_block(x, sc, BLK_PARA, v, style_or(x, "toc_title", x->base));
    blk_block *b = tpl_add_block(x, BLK_TOC, blk->mark);
    if (b)
        b->style = tpl_block_style(x, blk, "toc");
}

void tpl_block_annexes(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *list = tpl_lookup_path(x, sc, v);
    if (!list || yl_is_null(list))
        return;
    if (list->kind != YL_SEQ) {
        diag_error(x->d, list->mark, "annexes: ожидался список приложений");
        x->failed = true;
        return;
    }
    text_ctx c = {.x = x, .blk = blk, .sc = sc, .auto_numbers = true};
    text_styles(&c);
    const blk_style *ref = style_or(x, "annex_ref", c.body);
    const blk_style *title = style_or(x, "annex_title", c.section);
    for (size_t i = 0; i < list->n && !x->failed; i++) {
        const yl_node *a = list->items[i];
        const yl_node *num = yl_map_get(a, "number"), *t = yl_map_get(a, "title");
        tpl_add_block(x, BLK_PAGE_BREAK, a->mark);
        const char *n = num && yl_str(num) ? yl_str(num) : arena_printf(x->mem, "%zu", i + 1);
        add_para(&c, BLK_PARA, arena_printf(x->mem, "Приложение %s", n), a->mark, ref);
        if (t && yl_str(t)) {
            blk_block *b = add_para(&c, BLK_PARA, t->str, t->mark, title);
            if (b) {
                b->toc_level = 1;
                b->toc_text = arena_printf(x->mem, "Приложение %s. %s", n, t->str);
            }
        }
        text_body(&c, yl_map_get(a, "body"), false, "", 1);
    }
}

/* ---- the parties' requisites and signatures ---------------------------- */

/* Does every {{path}} of t name a value of the data? */
static bool holes_filled(expander *x, const scope *sc, const yl_node *t)
{
    for (const char *p = t->str; (p = strstr(p, "{{"));) {
        const char *close = strstr(p + 2, "}}");
        if (!close)
            return true; /* tpl_interpolate reports it */
        const char *path = p + 2, *bar = memchr(path, '|', (size_t)(close - path));
        const char *end = bar ? bar : close;
        while (path < end && *path == ' ')
            path++;
        while (end > path && end[-1] == ' ')
            end--;
        const yl_node *val = tpl_resolve(x, sc, path, (size_t)(end - path));
        if (!val || yl_is_null(val))
            return false;
        p = close + 2;
    }
    return true;
}

static void party_cell(expander *x, const yl_node *lines, const scope *sc, blk_cell *cell)
{
    if (!lines || lines->kind != YL_SEQ) {
        diag_error(x->d, lines ? lines->mark : DIAG_NOWHERE,
                   "parties: left и right должны быть списками строк");
        x->failed = true;
        return;
    }
    for (size_t i = 0; i < lines->n; i++) {
        const yl_node *ln = lines->items[i];
        if (!yl_str(ln)) {
            diag_error(x->d, ln->mark, "parties: строка реквизитов должна быть текстом");
            x->failed = true;
            return;
        }
        if (!holes_filled(x, sc, ln))
            continue;
        src_mark m;
        const char *s = tpl_interpolate(x, sc, ln, &m);
        if (!s) {
            x->failed = true;
            return;
        }
        tpl_add_cpar(x, cell, s, NULL, 0, m);
    }
}

/* A signature may carry over to a new page only with at least 3 lines of
 * text (docs/typesetting.md §1.5): the heading takes them along, the row
 * stays with the heading and is one line of the flow, never cut. */
void tpl_block_parties(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    if (v->kind != YL_MAP) {
        diag_error(x->d, v->mark, "parties: ожидался словарь с title, left и right");
        x->failed = true;
        return;
    }
    const yl_node *title = yl_map_get(v, "title");
    if (title) {
        size_t n0 = x->n;
        tpl_add_text_block(x, sc, BLK_PARA, title, style_or(x, "section", x->base));
        if (x->n > n0)
            x->blocks[x->n - 1].keep_prev_lines = 3;
    }
    blk_table *t = tpl_new_strip(x, blk, 2, v->mark);
    t->cols[0].share = t->cols[1].share = 1;
    party_cell(x, yl_map_get(v, "left"), sc, &t->rows[0].cells[0]);
    party_cell(x, yl_map_get(v, "right"), sc, &t->rows[0].cells[1]);
    if (!x->failed)
        tpl_add_table_block(x, blk, t);
}

/* fill: true — what follows, up to the next page break, goes to the foot
 * of the page (the place and year of a title page). */
void tpl_block_fill(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    (void)v, (void)sc;
    tpl_add_block(x, BLK_FILL, blk->mark);
}

/* ---- stamps in one row ------------------------------------------------- */

/* Stamps side by side in one row at most: a title page has room for four
 * narrow ones, not more. */
#define TEXT_MAX_ROW_STAMPS 4

/* stamp_row: PATH — approval stamps {lines} all in one row, sharing the width
 * (`boxes` wraps three and more into rows of two). */
void tpl_block_stamp_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *list = tpl_lookup_path(x, sc, v);
    if (!list || yl_is_null(list))
        return;
    if (list->kind != YL_SEQ || list->n == 0 || list->n > TEXT_MAX_ROW_STAMPS) {
        diag_error(x->d, list->mark, "stamp_row: ожидался список из 1–%d грифов с lines",
                   TEXT_MAX_ROW_STAMPS);
        x->failed = true;
        return;
    }
    blk_table *t = tpl_new_strip(x, blk, list->n, list->mark);
    for (size_t i = 0; i < list->n; i++) {
        const yl_node *lines = yl_map_get(list->items[i], "lines");
        t->cols[i].share = 1;
        size_t n = lines && lines->kind == YL_SEQ ? lines->n : 1;
        for (size_t k = 0; lines && k < n; k++) {
            const yl_node *ln = lines->kind == YL_SEQ ? lines->items[k] : lines;
            if (!yl_str(ln)) {
                diag_error(x->d, ln->mark, "строка грифа должна быть текстом");
                x->failed = true;
                return;
            }
            tpl_add_cpar(x, &t->rows[0].cells[i], yl_str(ln), NULL, 0, ln->mark);
        }
    }
    tpl_add_table_block(x, blk, t);
}

/* ---- checks before expansion ------------------------------------------- */

/* The texts of sections written in the template: titles, clauses, paragraphs
 * and headings (list items are printed as written). */
static void check_body(expander *x, const yl_node *body, unsigned depth)
{
    if (!body || depth >= YL_MAX_DEPTH)
        return;
    if (body->kind == YL_SCALAR) {
        tpl_check_text(x, body);
        return;
    }
    for (size_t i = 0; body->kind == YL_SEQ && i < body->n; i++) {
        const yl_node *e = body->items[i];
        if (e->kind == YL_SCALAR) {
            tpl_check_text(x, e);
            continue;
        }
        static const char *const texts[] = {"title", "clause", "section", "paragraph", "heading"};
        for (size_t k = 0; e->kind == YL_MAP && k < sizeof texts / sizeof *texts; k++)
            if (yl_map_get(e, texts[k]))
                tpl_check_text(x, yl_map_get(e, texts[k]));
        if (e->kind == YL_MAP)
            check_body(x, yl_map_get(e, "body"), depth + 1);
    }
}

void tpl_text_check(expander *x, const char *key, const yl_node *v)
{
    if (!v)
        return;
    if (!strcmp(key, "toc")) {
        tpl_check_text(x, v);
    } else if (!strcmp(key, "parties") && v->kind == YL_MAP) {
        tpl_check_text(x, yl_map_get(v, "title"));
        static const char *const sides[] = {"left", "right"};
        for (int s = 0; s < 2; s++) {
            const yl_node *lines = yl_map_get(v, sides[s]);
            for (size_t i = 0; lines && lines->kind == YL_SEQ && i < lines->n; i++)
                tpl_check_text(x, lines->items[i]);
        }
    } else if (!strcmp(key, "clauses") && v->kind == YL_MAP) {
        tpl_check_text(x, yl_map_get(v, "numbering"));
        const yl_node *secs = yl_map_get(v, "sections");
        if (secs && secs->kind == YL_SEQ)
            check_body(x, secs, 0);
    }
}
