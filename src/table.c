/* table: table blocks -> lines for the page flow, and their drawing.
 *
 * Column widths come from the template (mm, shares of the free width) or
 * from the content (minimum and preferred widths). Every cell is set with
 * the same paragraph machinery as body text (Knuth-Plass, hyphenation). A
 * table becomes one line of the page flow per row, so the pagination rules
 * of layout.c apply unchanged: a row that does not fit moves to the next
 * page, a section row keeps with the row under it (no typist leaves a
 * heading row alone at the foot of a page), the header row keeps with the
 * first row and is repeated on every page the table continues on. A row
 * taller than a page is cut into bands at line boundaries that no cell's
 * line straddles, and the bands obey the cells' widow and orphan rules. A
 * group cell (rowspan) is drawn once per page segment of its group; a group
 * breaks only where the label fits in both parts, so every page repeats it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define PAD_X 3.0 /* cell padding, points */
#define PAD_Y 2.5
#define RULE 0.5        /* border width */
#define HEADER SIZE_MAX /* vline.row of the header line */
#define TABLE_PT_PER_MM (72 / 25.4)
/* The repeated header may take at most this share of the page: taller, the
 * page has no room for the rows it introduces (a title of 800 words would
 * repeat on every page with one row under it). */
#define MAX_HEADER_SHARE 0.5
/* Room between the text above a ruled table and its top rule: without it a
 * descender of the last line stood 0.26 pt off the rule (roadmaps of bratsk
 * and kmt). As much as the cell text keeps from the rules inside. */
#define GAP_ABOVE PAD_Y
/* Lines of a cell that stay on each side of a page that cuts its row. */
#define MIN_CUT_LINES 2

typedef struct cell_lay {
    size_t first, n; /* lines in T->lines */
    double height;   /* content height including padding */
} cell_lay;

typedef struct hcell {
    size_t col;    /* the (first) column it stands over */
    bool parent;   /* a parent title over several columns */
    double x0, x1; /* relative to the text area */
    double top, h; /* offset from the header top, height */
    cell_lay c;
} hcell;

typedef struct band {
    double h;      /* height: the tallest piece of a cell in it */
    bool ok_after; /* a page may break after this band */
} band;

typedef struct table_lay {
    const blk_table *t;
    double *x;       /* column edges, ncols + 1, relative to the text area */
    cell_lay *cells; /* nrows * ncols */
    double *row_h;
    /* per group and group column (g * ncols + c): 1 + the label's first
     * line not drawn yet, 0 before */
    size_t *label_next;
    size_t *group_of; /* first row of the group each row belongs to (group columns) */
    /* the first group column, or SIZE_MAX: a table has groups when one of
     * its columns is a group column (blk_column.group), and a row continues
     * its group when every group column holds what the row above holds */
    size_t gcol;
    vline *lines; /* cell lines, copied out of the page flow */
    /* per line: its top in its cell (PAD_Y plus the heights of the cell's
     * lines above it), so that a page draws its piece of a cell without
     * walking the lines of the pages before (draw_cell) */
    double *tops;
    size_t nlines, cap;
    hcell *head;
    size_t nhead;
    double head_h;
    band **bands; /* per row: bands of a row that may break across pages, or NULL */
    size_t *nbands;
    /* per row with bands: for band b and cell c, froms[r][b * ncells + c] is
     * where the cell's piece starts (an offset from the row top) */
    double **froms;
} table_lay;

static cell_lay *cell_at(table_lay *T, size_t r, size_t c)
{
    return &T->cells[r * T->t->ncols + c];
}

/* ---- measuring -------------------------------------------------------- */

static int style_font(lay *L, const blk_style *st)
{
    return para_find_font(L, st->family, st->font_style);
}

/* The widest single character of s as printed: no column may be narrower
 * than that plus its padding, since words are split at character
 * boundaries at most. */
static double widest_char(lay *L, int font, const blk_style *st, const char *s)
{
    double w = 0;
    for (size_t i = 0, len = strlen(s); i < len;) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);
        double cw = para_printed_advance(L, font, st, cp) * st->size_pt / 1000.0;
        if (cw > w)
            w = cw;
        i += n;
    }
    /* a hyphen may follow it on its line */
    return w + st->letter_spacing_pt + para_advance(L, font, '-') * st->size_pt / 1000.0 +
           st->letter_spacing_pt;
}

/* Widths a column's content asks for: the preferred (the longest paragraph on
 * one line), the minimum (the longest word: a column narrower than a word
 * would split it letter by letter) and the hard minimum (the widest
 * character: narrower, a glyph leaves the cell; see column_hard). */
typedef struct col_need {
    double minw, prefw, hard;
} col_need;

/* One character's advance as para_measure adds it. */
static double char_width(const lay *L, int font, const blk_style *st, uint32_t cp)
{
    return para_advance(L, font, cp) * st->size_pt / 1000.0 + st->letter_spacing_pt;
}

/* The minimum a word of ww points asks for. */
static void word_need(const blk_style *st, const char *w, size_t len, double ww, double indent,
                      col_need *need)
{
    /* hyphenation can split long words: count at most 12 letters (a word
     * of 12 bytes or fewer has no more characters: not counted) */
    size_t chars = st->hyphenate && len > 12 ? utf8_count(w, len) : 0;
    if (chars > 12)
        ww = ww * 12 / (double)chars;
    if (indent + ww > need->minw)
        need->minw = indent + ww;
}

static void measure_cell(lay *L, const blk_cell *c, const blk_style *st, col_need *need)
{
    int font = style_font(L, st);
    if (font < 0)
        return;
    for (size_t i = 0; i < c->n; i++) {
        const blk_par *p = &c->pars[i];
        const char *s = p->text;
        double indent = p->label ? 15.0 * (p->level + 1) : 0;
        /* one walk gives the whole text's width and each word's, each added
         * up in para_measure's order (the same doubles) */
        double whole = 0, ww = 0;
        size_t len = strlen(s), word = 0; /* s[word, k): the word so far */
        for (size_t k = 0; k <= len;) {
            if (k == len || s[k] == ' ') {
                if (k > word)
                    word_need(st, s + word, k - word, ww, indent, need);
                if (k == len)
                    break;
                whole += char_width(L, font, st, ' ');
                ww = 0;
                word = ++k;
                continue;
            }
            uint32_t cp;
            size_t n = utf8_next(s + k, len - k, &cp);
            if (cp != 0x00AD) {
                double cw = char_width(L, font, st, cp);
                whole += cw;
                ww += cw;
            }
            k += n;
        }
        whole += indent;
        if (whole > need->prefw)
            need->prefw = whole;
    }
}

static void measure_column(lay *L, const blk_table *t, size_t c, col_need *need)
{
    if (t->header) {
        blk_cell title = {&(blk_par){t->cols[c].title, NULL, 0, DIAG_NOWHERE}, 1};
        measure_cell(L, &title, t->head, need);
        const char *parent = t->cols[c].parent;
        if (parent && style_font(L, t->head) >= 0) {
            /* a parent title's longest word, shared by the columns under it */
            size_t span = 0;
            for (size_t k = 0; k < t->ncols; k++)
                span += t->cols[k].parent && !strcmp(t->cols[k].parent, parent);
            col_need p = {0, 0, 0};
            blk_cell pc = {&(blk_par){parent, NULL, 0, DIAG_NOWHERE}, 1};
            measure_cell(L, &pc, t->head, &p);
            need->minw = fmax(need->minw, p.minw / (double)span);
        }
    }
    blk_style st = *t->cell;
    if (t->cols[c].hyphenate >= 0)
        st.hyphenate = t->cols[c].hyphenate;
    for (size_t r = 0; r < t->nrows; r++)
        if (!t->rows[r].section)
            measure_cell(L, &t->rows[r].cells[c], &st, need);
    need->minw += 2 * PAD_X;
    need->prefw += 2 * PAD_X;
    if (need->prefw < need->minw)
        need->prefw = need->minw;
}

static double cell_hard(lay *L, const blk_cell *c, const blk_style *st)
{
    int font = style_font(L, st);
    double w = 0;
    for (size_t i = 0; i < c->n && font >= 0; i++) {
        w = fmax(w, widest_char(L, font, st, c->pars[i].text));
        if (c->pars[i].label)
            w = fmax(w, widest_char(L, font, st, c->pars[i].label));
    }
    return w;
}

/* The style of the row of column numbers: the head's, not bold. */
static blk_style number_style(const blk_table *t)
{
    blk_style st = *t->head;
    st.font_style &= ~BLK_BOLD;
    return st;
}

/* The width of column c's number in the row of column numbers
 * (add_number_row): a number is never split. */
static double number_width(lay *L, const blk_table *t, size_t c)
{
    blk_style st = number_style(t);
    int font = style_font(L, &st);
    char num[24];
    int n = snprintf(num, sizeof num, "%zu", c + 1);
    return font < 0 ? 0 : para_measure(L, font, st.size_pt, st.letter_spacing_pt, num, (size_t)n);
}

/* The exact hard minimum of column c: its widest character (title, parent,
 * cells; for column 0 also the section rows, which span the table), its
 * number in the row of column numbers, and its padding. One more pass over
 * the column's text: done only for columns narrower than hard_bound. */
static double column_hard(lay *L, const blk_table *t, size_t c)
{
    double w = 0;
    if (t->header) {
        blk_cell title = {&(blk_par){t->cols[c].title, NULL, 0, DIAG_NOWHERE}, 1};
        w = cell_hard(L, &title, t->head);
        if (t->cols[c].parent) {
            blk_cell pc = {&(blk_par){t->cols[c].parent, NULL, 0, DIAG_NOWHERE}, 1};
            w = fmax(w, cell_hard(L, &pc, t->head));
        }
        if (t->column_numbers)
            w = fmax(w, number_width(L, t, c));
    }
    blk_style st = *t->cell;
    if (t->cols[c].hyphenate >= 0)
        st.hyphenate = t->cols[c].hyphenate;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!t->rows[r].section)
            w = fmax(w, cell_hard(L, &t->rows[r].cells[c], &st));
        else if (c == 0)
            w = fmax(w, cell_hard(L, &t->rows[r].cells[0], t->section));
    }
    return w + 2 * PAD_X + 0.05; /* rounding of the column edges */
}

/* A width no column's hard minimum reaches: no glyph and hyphen are wider
 * than HARD_EM em of the largest table font. Columns at least this wide
 * need no exact measure. */
#define HARD_EM 3.0

static double hard_bound(const blk_table *t)
{
    double size = fmax(t->cell->size_pt, fmax(t->head->size_pt, t->section->size_pt));
    double ls = fmax(t->cell->letter_spacing_pt,
                     fmax(t->head->letter_spacing_pt, t->section->letter_spacing_pt));
    return HARD_EM * size + 2 * ls + 2 * PAD_X + 0.05;
}

/* Widen the columns below their hard minimum, taking the room from the
 * others in proportion to what they have above theirs. need[].hard is
 * exact for the columns below the bound and the bound for the others (they
 * keep at least that). False when the minimums are wider than the area. */
static bool widen_narrow(double *w, const col_need *need, size_t n, double width)
{
    double deficit = 0, spare = 0, hard = 0;
    for (size_t c = 0; c < n; c++) {
        hard += need[c].hard;
        if (w[c] < need[c].hard)
            deficit += need[c].hard - w[c];
        else
            spare += w[c] - need[c].hard;
    }
    if (hard > width)
        return false;
    if (deficit == 0)
        return true;
    double take = spare > 0 ? fmin(1, deficit / spare) : 0;
    for (size_t c = 0; c < n; c++)
        w[c] = w[c] < need[c].hard ? need[c].hard : w[c] - (w[c] - need[c].hard) * take;
    return true;
}

/* Hard minimums for widen_narrow: exact below the bound (all exact when
 * `exact`), the bound above it. */
static void hard_minimums(lay *L, const blk_table *t, const double *w, col_need *need, bool exact)
{
    double bound = hard_bound(t);
    for (size_t c = 0; c < t->ncols; c++)
        need[c].hard = exact || w[c] < bound ? column_hard(L, t, c) : fmin(bound, w[c]);
}

/* Fixed widths as given; shares split what is left; automatic columns get
 * their preferred width when everything fits, else a part of the room in
 * proportion to it, never below their minimum. No column gets less than its
 * widest character; false (reported) when the text area cannot hold that. */
static bool column_widths(lay *L, table_lay *T, double width)
{
    const blk_table *t = T->t;
    size_t n = t->ncols;
    col_need *need = xcalloc(n, sizeof *need);
    double *w = xcalloc(n, sizeof *w);
    for (size_t c = 0; c < n; c++)
        measure_column(L, t, c, &need[c]);
    double fixed = 0, shares = 0, auto_pref = 0, auto_min = 0;
    for (size_t c = 0; c < n; c++) {
        if (t->cols[c].width_pt > 0)
            fixed += t->cols[c].width_pt;
        else if (t->cols[c].share > 0)
            shares += t->cols[c].share;
        else
            auto_pref += need[c].prefw, auto_min += need[c].minw;
    }
    double scale = fixed > width ? width / fixed : 1;
    double rest = width - fixed * scale;
    /* automatic columns: preferred width if it fits beside the shares'
     * minimum room, else shrink towards the minimum */
    double auto_room = shares > 0 ? fmin(auto_pref, fmax(auto_min, rest * 0.4)) : rest;
    for (size_t c = 0; c < n; c++) {
        double minw = need[c].minw, prefw = need[c].prefw;
        if (t->cols[c].width_pt > 0) {
            w[c] = t->cols[c].width_pt * scale;
        } else if (t->cols[c].share > 0) {
            w[c] = (rest - fmin(auto_room, auto_pref)) * t->cols[c].share / shares;
        } else if (auto_pref <= auto_room) {
            /* everything fits: without shares the slack goes to the auto columns */
            w[c] = shares > 0 ? prefw : prefw + (auto_room - auto_pref) * prefw / auto_pref;
        } else {
            /* proportional to the preferred widths above the minimum */
            double extra = auto_room - auto_min;
            w[c] =
                minw + (extra > 0 ? extra * (prefw - minw) / fmax(auto_pref - auto_min, 1e-9) : 0);
        }
    }
    /* never wider than the page: scale everything down if the minimums won */
    double total = 0;
    for (size_t c = 0; c < n; c++)
        total += w[c];
    double k = total > width ? width / total : 1;
    for (size_t c = 0; c < n; c++)
        w[c] *= k;
    hard_minimums(L, t, w, need, false);
    bool ok = widen_narrow(w, need, n, width);
    if (!ok) {
        hard_minimums(L, t, w, need, true);
        ok = widen_narrow(w, need, n, width);
    }
    if (!ok) {
        double hard = 0;
        for (size_t c = 0; c < n; c++)
            hard += need[c].hard;
        diag_error(L->d, t->cols[0].mark,
                   "таблица из %zu столбцов не помещается по ширине: им нужно не меньше %.0f мм, "
                   "а ширина текста %.0f мм; уберите столбцы или уменьшите шрифт",
                   n, hard / TABLE_PT_PER_MM, width / TABLE_PT_PER_MM);
        L->failed = true;
    }
    T->x = xcalloc(n + 1, sizeof *T->x);
    for (size_t c = 0; c < n; c++)
        T->x[c + 1] = T->x[c] + w[c];
    if (total >= width - 1)
        T->x[n] = width; /* a full-width table ends exactly at the margin */
    free(need);
    free(w);
    return ok;
}

/* ---- cells ------------------------------------------------------------ */

static void keep_lines(table_lay *T, lay *L, size_t from)
{
    size_t n = L->nlines - from;
    if (n == 0)
        return;
    if (T->nlines + n > T->cap) {
        T->cap = (T->nlines + n) * 2;
        T->lines = xrealloc(T->lines, T->cap * sizeof *T->lines);
        T->tops = xrealloc(T->tops, T->cap * sizeof *T->tops);
    }
    memcpy(T->lines + T->nlines, L->lines + from, n * sizeof *T->lines);
    double y = PAD_Y; /* summed as draw_cell summed them, to the same bits */
    for (size_t i = 0; i < n; i++) {
        T->tops[T->nlines + i] = y;
        y += L->lines[from + i].height;
    }
    T->nlines += n;
    L->nlines = from;
}

/* Set a cell's paragraphs at inner width w; its lines go to T->lines with x
 * relative to the cell's inner left edge. */
static cell_lay set_cell(lay *L, table_lay *T, const blk_cell *c, const blk_style *st,
                         blk_align align, double w)
{
    cell_lay out = {T->nlines, 0, 0};
    bool was_in_cell = L->in_cell;
    L->in_cell = true;
    blk_style para = *st, item = *st;
    para.indent_pt = 0;
    if (align != BLK_LEFT)
        para.align = align;
    item.indent_pt = 0;
    size_t from = L->nlines;
    for (size_t i = 0; i < c->n; i++) {
        const blk_par *p = &c->pars[i];
        size_t before = L->nlines;
        if (p->label) {
            /* hanging label: as wide as "1.1." needs */
            int font = style_font(L, st);
            double lw =
                font >= 0 ? para_measure(L, font, st->size_pt, 0, p->label, strlen(p->label)) : 10;
            item.indent_pt = fmax(lw + 3, st->size_pt * 1.2);
            blk_block b = {.kind = BLK_ITEM,
                           .mark = p->mark,
                           .style = &item,
                           .text = p->text,
                           .as.item = {.label = p->label, .hanging = true, .level = p->level}};
            para_item_text(L, &b, 0, w);
        } else {
            blk_block b = {.kind = BLK_PARA, .mark = p->mark, .style = &para, .text = p->text};
            para_set_text(L, &b, p->text, 0, w, 0, NULL, 0);
        }
        size_t n = L->nlines - before;
        if (n) {
            para_protect_lines(L, before, n);
            if (i + 1 < c->n)
                L->lines[L->nlines - 1].height += st->space_after_pt;
        }
    }
    for (size_t i = from; i < L->nlines; i++)
        out.height += L->lines[i].height;
    out.n = L->nlines - from;
    keep_lines(T, L, from);
    L->in_cell = was_in_cell;
    out.height += 2 * PAD_Y;
    return out;
}

static bool same_group(const blk_cell *a, const blk_cell *b)
{
    if (a->n != b->n || a->n == 0)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->pars[i].text, b->pars[i].text))
            return false;
    return true;
}

/* ---- header ----------------------------------------------------------- */

static void add_head(table_lay *T, hcell h)
{
    T->head = xrealloc(T->head, (T->nhead + 1) * sizeof *T->head);
    T->head[T->nhead++] = h;
}

/* The row of column numbers under the header (1 2 3 …, centred in the
 * header's style but not bold: a table key, GOST forms number their
 * columns so that a continued page can be read without the header). */
static void add_number_row(lay *L, table_lay *T)
{
    const blk_table *t = T->t;
    blk_style st = number_style(t);
    double h = 0;
    size_t first = T->nhead;
    for (size_t c = 0; c < t->ncols; c++) {
        char num[24];
        snprintf(num, sizeof num, "%zu", c + 1);
        blk_cell cell = {&(blk_par){num, NULL, 0, t->cols[c].mark}, 1};
        hcell n = {c, false, T->x[c], T->x[c + 1], T->head_h, 0, {0, 0, 0}};
        n.c = set_cell(L, T, &cell, &st, BLK_CENTER, n.x1 - n.x0 - 2 * PAD_X);
        h = fmax(h, n.c.height);
        add_head(T, n);
    }
    for (size_t i = first; i < T->nhead; i++)
        T->head[i].h = h;
    T->head_h += h;
}

/* One level, or two when columns name a parent («Срок реализации» over
 * «Дата начала | Дата окончания», seed 003). */
static void build_header(lay *L, table_lay *T)
{
    const blk_table *t = T->t;
    bool two = false;
    for (size_t c = 0; c < t->ncols; c++)
        two |= t->cols[c].parent != NULL;
    double h1 = 0, h2 = 0;
    for (size_t c = 0; c < t->ncols;) {
        const char *parent = t->cols[c].parent;
        size_t e = c + 1;
        while (parent && e < t->ncols && t->cols[e].parent && !strcmp(t->cols[e].parent, parent))
            e++;
        const char *text = parent ? parent : t->cols[c].title;
        blk_cell cell = {&(blk_par){text, NULL, 0, t->rows ? t->rows[0].mark : DIAG_NOWHERE}, 1};
        hcell h = {c, parent != NULL, T->x[c], T->x[e], 0, 0, {0, 0, 0}};
        h.c = set_cell(L, T, &cell, t->head, t->head->align, h.x1 - h.x0 - 2 * PAD_X);
        h.h = parent || !two ? -1 : -2; /* spans one level or both */
        add_head(T, h);
        if (parent || !two) {
            if (h.c.height > h1)
                h1 = h.c.height;
        }
        if (parent) {
            for (size_t k = c; k < e; k++) {
                blk_cell sub = {&(blk_par){t->cols[k].title, NULL, 0, DIAG_NOWHERE}, 1};
                hcell s = {k, false, T->x[k], T->x[k + 1], 0, 0, {0, 0, 0}};
                s.c = set_cell(L, T, &sub, t->head, t->head->align, s.x1 - s.x0 - 2 * PAD_X);
                s.h = -3; /* second level */
                if (s.c.height > h2)
                    h2 = s.c.height;
                add_head(T, s);
            }
        }
        c = e;
    }
    /* a title spanning both levels may need more room than the two */
    for (size_t i = 0; i < T->nhead; i++)
        if (T->head[i].h == -2 && T->head[i].c.height > h1 + h2)
            h2 = T->head[i].c.height - h1;
    for (size_t i = 0; i < T->nhead; i++) {
        hcell *h = &T->head[i];
        if (h->h == -2)
            h->top = 0, h->h = h1 + h2;
        else if (h->h == -1)
            h->top = 0, h->h = h1;
        else
            h->top = h1, h->h = h2;
    }
    T->head_h = h1 + h2;
    if (t->column_numbers)
        add_number_row(L, T);
}

/* ---- building ---------------------------------------------------------- */

/* A cell while the cut moves down its row: the first line that does not
 * end above the cut (k, its top), the latest line the cell may break before
 * (ok, its top: 0 for none yet), and where its piece in the current band
 * starts (from_k, from: 0 in the first band, else a line's top). */
typedef struct cut_cursor {
    size_t k, ok, from_k;
    double top, ok_top, from;
} cut_cursor;

/* May cell cl break before its line j, in a band that starts at line
 * from_k? Its widow/orphan rule allows it, and two lines of the cell stay
 * on each side, as with Word's "allow row to break across pages" and its
 * widow control. */
static bool may_cut_before(const table_lay *T, const cell_lay *cl, size_t from_k, size_t j)
{
    return j >= from_k + MIN_CUT_LINES && cl->n - j >= MIN_CUT_LINES &&
           T->lines[cl->first + j].ok_before;
}

/* Move u down to the nominal cut y. False when the cell has a line across
 * y that it may not break before (nor at an earlier line of this band). */
static bool probe_cell(const table_lay *T, const cell_lay *cl, cut_cursor *u, double y)
{
    while (u->k < cl->n && u->top + T->lines[cl->first + u->k].height <= y + 0.01) {
        u->top += T->lines[cl->first + u->k++].height;
        if (u->k < cl->n && may_cut_before(T, cl, u->from_k, u->k)) {
            u->ok = u->k;
            u->ok_top = u->top;
        }
    }
    return u->k >= cl->n || u->ok > u->from_k;
}

/* Where the cell's piece ends if the band ends at the cursor: at its end,
 * at the latest line it may break before, or (forced) before the line
 * across the cut. */
static void cut_at(const cut_cursor *u, size_t n, bool forced, size_t *k, double *top)
{
    if (u->k >= n) {
        *k = n, *top = u->top;
    } else if (u->ok > u->from_k) {
        *k = u->ok, *top = u->ok_top;
    } else if (forced && u->k > u->from_k) {
        *k = u->k, *top = u->top;
    } else {
        *k = u->from_k, *top = u->from; /* nothing of this cell in the band */
    }
}

static void add_band(band **b, size_t *nb, size_t *cap, band x)
{
    if (*nb == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *b = xrealloc(*b, *cap * sizeof **b);
    }
    (*b)[(*nb)++] = x;
}

/* End the current band at the cursors (every cell at its own break, the
 * band as tall as its tallest piece) and start the next one. */
static void end_band(const table_lay *T, size_t r, size_t ncells, cut_cursor *cur, bool forced,
                     band **b, size_t *nb, size_t *cap, buf *froms)
{
    double h = 0;
    for (size_t c = 0; c < ncells; c++) {
        const cell_lay *cl = cell_at((table_lay *)T, r, c);
        buf_putn(froms, (const char *)&cur[c].from, sizeof cur[c].from);
        size_t k;
        double top;
        cut_at(&cur[c], cl->n, forced, &k, &top);
        h = fmax(h, top - cur[c].from);
        cur[c].from_k = k;
        cur[c].from = top;
        cur[c].ok = 0;
        if (cur[c].k < cl->n && may_cut_before(T, cl, k, cur[c].k)) {
            cur[c].ok = cur[c].k;
            cur[c].ok_top = cur[c].top;
        }
    }
    add_band(b, nb, cap, (band){h, true});
}

/* Cut a row into bands at line boundaries of its tallest cell where every
 * cell may break (each at its own line: cells need not line up), so the
 * flow may end a page between any two; where a band would outgrow the
 * page and no such boundary came, every cell breaks before its line across
 * the cut. Linear in the row's lines; T->froms[r] gets, per band, where
 * each cell's piece starts. */
static void cut_row(table_lay *T, size_t r, double max_h)
{
    const blk_table *t = T->t;
    size_t ncells = t->rows[r].section ? 1 : t->ncols;
    size_t tall = 0;
    for (size_t c = 0; c < ncells; c++)
        if (cell_at(T, r, c)->height > cell_at(T, r, tall)->height)
            tall = c;
    const cell_lay *tc = cell_at(T, r, tall);
    cut_cursor *cur = xcalloc(ncells, sizeof *cur);
    for (size_t c = 0; c < ncells; c++)
        cur[c].top = PAD_Y;
    band *b = NULL;
    size_t nb = 0, cap = 0;
    buf froms;
    buf_init(&froms);
    double y = PAD_Y;
    for (size_t i = 0; i + 1 < tc->n; i++) {
        y += T->lines[tc->first + i].height;
        bool clean = true;
        double low = y;
        for (size_t c = 0; c < ncells; c++) {
            clean &= probe_cell(T, cell_at(T, r, c), &cur[c], y);
            low = fmin(low, cur[c].from);
        }
        double next_h = T->lines[tc->first + i + 1].height;
        bool must = y + next_h - low > max_h - 2 * PAD_Y;
        if (clean || must)
            end_band(T, r, ncells, cur, !clean, &b, &nb, &cap, &froms);
    }
    double h = 0;
    for (size_t c = 0; c < ncells; c++) {
        buf_putn(&froms, (const char *)&cur[c].from, sizeof cur[c].from);
        h = fmax(h, cell_at(T, r, c)->height - cur[c].from);
    }
    add_band(&b, &nb, &cap, (band){fmax(h, nb ? 0 : T->row_h[r]), false});
    free(cur);
    T->bands[r] = b;
    T->nbands[r] = nb;
    T->froms[r] = (double *)buf_take(&froms);
}

/* Set every row's cells; a group cell only in the first row of its group. */
static void set_rows(lay *L, table_lay *T)
{
    const blk_table *t = T->t;
    size_t nc = t->ncols;
    for (size_t r = 0; r < t->nrows; r++) {
        const blk_row *row = &t->rows[r];
        T->group_of[r] = r;
        if (row->section) {
            *cell_at(T, r, 0) = set_cell(L, T, &row->cells[0], t->section, t->section->align,
                                         T->x[nc] - T->x[0] - 2 * PAD_X);
            T->row_h[r] = cell_at(T, r, 0)->height;
            continue;
        }
        bool continues = T->gcol != SIZE_MAX && r > 0 && !t->rows[r - 1].section;
        for (size_t c = 0; c < nc && continues; c++)
            continues = !t->cols[c].group || same_group(&t->rows[r - 1].cells[c], &row->cells[c]);
        if (continues)
            T->group_of[r] = T->group_of[r - 1];
        for (size_t c = 0; c < nc; c++) {
            if (t->cols[c].group && continues)
                continue; /* drawn once per group */
            blk_style st = *t->cell;
            if (t->cols[c].hyphenate >= 0)
                st.hyphenate = t->cols[c].hyphenate;
            *cell_at(T, r, c) = set_cell(L, T, &row->cells[c], &st, t->cols[c].align,
                                         T->x[c + 1] - T->x[c] - 2 * PAD_X);
            if (!t->cols[c].group && cell_at(T, r, c)->height > T->row_h[r])
                T->row_h[r] = cell_at(T, r, c)->height;
        }
        if (T->row_h[r] < 2 * PAD_Y + t->cell->size_pt * 1.15)
            T->row_h[r] = 2 * PAD_Y + t->cell->size_pt * 1.15; /* an empty row to fill by hand */
    }
}

/* The tallest label of group g (its first row's group cells). */
static double label_height(table_lay *T, size_t g)
{
    double h = 0;
    for (size_t c = 0; c < T->t->ncols; c++)
        if (T->t->cols[c].group)
            h = fmax(h, cell_at(T, g, c)->height);
    return h;
}

/* Does label cell lab lose no line when the page breaks with `before` of
 * its group's rows above and `after` below: whole above, or (as a cell cut
 * by a page) two lines or more on each side with the rest fitting below.
 * The conditions are draw_label's. */
static bool label_splits(const table_lay *T, const cell_lay *lab, double before, double after)
{
    if (lab->height <= before + 0.01)
        return true;
    double y = PAD_Y, rest = PAD_Y;
    size_t k = 0;
    while (k < lab->n && y + T->lines[lab->first + k].height <= before + 0.01)
        y += T->lines[lab->first + k++].height;
    if (k < MIN_CUT_LINES || lab->n - k < MIN_CUT_LINES)
        return false;
    for (size_t j = k; j < lab->n; j++)
        rest += T->lines[lab->first + j].height;
    return rest <= after + 0.01;
}

/* Can rows [g, e) of group g break before row k (g < k < e), `before` of
 * its rows above? Where the rows before and from it on are each at least as
 * tall as the label, which each page then repeats; else where every label
 * can be cut there (label_splits), so that no page is left with a blank
 * band a group could have filled. */
static bool group_may_break(const table_lay *T, size_t g, double before, double total, double label)
{
    if (before >= label - 0.01 && total - before >= label - 0.01)
        return true;
    for (size_t c = 0; c < T->t->ncols; c++)
        if (T->t->cols[c].group &&
            !label_splits(T, cell_at((table_lay *)T, g, c), before, total - before))
            return false;
    return true;
}

/* Must the group [g, e) be dissolved? When the label or a row is taller
 * than a page, or a run of rows the group may not break inside (with the
 * section row above it, which keeps with it) is: the page would have to
 * break there anyway and the label would stand beside too little. */
static bool group_too_tall(const table_lay *T, size_t g, size_t e, double label, double max_h)
{
    double total = 0;
    for (size_t k = g; k < e; k++)
        total += T->row_h[k];
    total = fmax(total, label);
    double unit = g > 0 && T->t->rows[g - 1].section ? T->row_h[g - 1] : 0, before = 0;
    for (size_t k = g; k < e; k++) {
        if (T->row_h[k] > max_h || label > max_h)
            return true;
        if (k > g && group_may_break(T, g, before, total, label))
            unit = 0;
        unit += T->row_h[k];
        before += T->row_h[k];
        if (unit + (k + 1 == e ? total - before : 0) > max_h)
            return true;
    }
    return false;
}

/* A group's rows together are at least as tall as its label. A group that
 * cannot keep its label beside its rows on one page is dissolved: the
 * label becomes the first row's own cell, cut across pages like any cell. */
static void group_heights(table_lay *T, double max_h)
{
    const blk_table *t = T->t;
    for (size_t r = 0; r < t->nrows;) {
        if (t->rows[r].section) {
            r++;
            continue;
        }
        size_t e = r + 1;
        while (e < t->nrows && !t->rows[e].section && T->group_of[e] == r)
            e++;
        double label = label_height(T, r);
        if (group_too_tall(T, r, e, label, max_h)) {
            for (size_t k = r; k < e; k++)
                T->group_of[k] = k;
            e = r + 1;
        }
        double sum = 0;
        for (size_t k = r; k < e; k++)
            sum += T->row_h[k];
        if (label > sum)
            T->row_h[e - 1] += label - sum;
        r = e;
    }
}

/* Rows [g, e) of one group: a row may start a page only where
 * group_may_break says. Linear in the group (running sums). */
static void group_breaks(lay *L, table_lay *T, size_t g, size_t e, size_t *line_of)
{
    double label = label_height(T, g), total = 0, before = 0;
    for (size_t k = g; k < e; k++)
        total += T->row_h[k];
    for (size_t k = g; k < e; k++) {
        if (k > g && !group_may_break(T, g, before, total, label))
            L->lines[line_of[k]].ok_before = false;
        before += T->row_h[k];
    }
}

/* The header must leave the page room for rows: reported at the title of
 * the tallest header cell. */
static bool check_header(lay *L, table_lay *T, double page_h)
{
    if (T->head_h <= page_h * MAX_HEADER_SHARE)
        return true;
    size_t tallest = 0;
    for (size_t i = 0; i < T->nhead; i++)
        if (T->head[i].c.height > T->head[tallest].c.height)
            tallest = i;
    const blk_column *col = &T->t->cols[T->head[tallest].col];
    diag_error(L->d, T->head[tallest].parent ? col->mark : col->title_mark,
               "заголовок столбца занимает %.0f мм по высоте, больше половины страницы (%.0f мм): "
               "сократите его или расширьте столбец",
               T->head[tallest].c.height / TABLE_PT_PER_MM, page_h / TABLE_PT_PER_MM);
    L->failed = true;
    return false;
}

/* May row r break across pages though it fits one (Word's "allow row to
 * break across pages", on by default there too)? Not a section row, which
 * keeps with the row under it, nor a row of a group spanning several rows,
 * whose label the group's pages share (group_may_break), nor a row of a
 * borderless table: those are the page's own devices (approval stamps side
 * by side, template columns, the two parties' signatures), which a reader
 * must find whole on one page. */
static bool row_may_split(const table_lay *T, size_t r)
{
    const blk_table *t = T->t;
    if (t->rows[r].section || !t->borders)
        return false;
    if (T->gcol != SIZE_MAX &&
        (T->group_of[r] != r || (r + 1 < t->nrows && T->group_of[r + 1] == r)))
        return false;
    for (size_t c = 0; c < t->ncols; c++)
        if (((table_lay *)T)->cells[r * t->ncols + c].n >= 2 * MIN_CUT_LINES)
            return true;
    return false;
}

/* The rows as lines of the page flow: a row is one line, or a line per
 * band where it may break across pages: a row taller than a page always,
 * another when row_may_split. A row that cannot be cut to fit (one line
 * of text taller than the page) is reported at the row. */
static void flow_rows(lay *L, table_lay *T, double max_h, size_t *line_of)
{
    const blk_table *t = T->t;
    bool keep_next = T->head_h > 0;
    for (size_t r = 0; r < t->nrows; r++) {
        line_of[r] = L->nlines;
        bool tall = T->row_h[r] > max_h;
        if (!tall && row_may_split(T, r)) {
            cut_row(T, r, max_h);
            if (T->nbands[r] < 2) {
                free(T->bands[r]);
                free(T->froms[r]);
                T->bands[r] = NULL;
                T->froms[r] = NULL;
                T->nbands[r] = 0;
            }
        }
        if (tall || T->bands[r]) {
            if (tall)
                cut_row(T, r, max_h);
            for (size_t b = 0; b < T->nbands[r]; b++) {
                const band *bd = &T->bands[r][b];
                if (bd->h > max_h + 0.01 && !L->failed) {
                    diag_error(L->d, t->rows[r].mark,
                               "строка таблицы не делится по страницам: в ней строка текста "
                               "выше страницы; уменьшите шрифт ячеек");
                    L->failed = true;
                }
                vline *v = para_add_line(L);
                v->table = T;
                v->row = r;
                v->band = b;
                /* padding where a page cuts the row: see table_pad */
                v->height = bd->h;
                v->ok_before = b == 0 ? !keep_next : T->bands[r][b - 1].ok_after;
            }
        } else {
            vline *v = para_add_line(L);
            v->table = T;
            v->row = r;
            v->height = T->row_h[r];
            v->ok_before = !keep_next;
        }
        keep_next = t->rows[r].section; /* a section row keeps with the next row */
    }
}

void table_build(lay *L, const blk_block *blk)
{
    const blk_table *t = blk->as.table;
    table_lay *T = xcalloc(1, sizeof *T);
    T->t = t;
    if (L->ntables == L->tables_cap) {
        L->tables_cap = L->tables_cap ? L->tables_cap * 2 : 8;
        L->tables = xrealloc(L->tables, L->tables_cap * sizeof *L->tables);
    }
    L->tables[L->ntables++] = T;
    size_t nc = t->ncols;
    T->cells = xcalloc(t->nrows * nc + 1, sizeof *T->cells);
    T->row_h = xcalloc(t->nrows + 1, sizeof *T->row_h);
    T->group_of = xcalloc(t->nrows + 1, sizeof *T->group_of);
    T->bands = xcalloc(t->nrows + 1, sizeof *T->bands);
    T->nbands = xcalloc(t->nrows + 1, sizeof *T->nbands);
    T->froms = xcalloc(t->nrows + 1, sizeof *T->froms);
    T->label_next = xcalloc(t->nrows * nc + 1, sizeof *T->label_next);
    if (!column_widths(L, T, L->width))
        return;
    T->gcol = SIZE_MAX;
    for (size_t c = 0; c < nc && T->gcol == SIZE_MAX; c++)
        if (t->cols[c].group)
            T->gcol = c;
    if (t->header)
        build_header(L, T);
    const blk_page *pg = &L->t->page;
    double page_h = pg->height_pt - pg->margin_top_pt - pg->margin_bottom_pt;
    if (!check_header(L, T, page_h))
        return;
    double max_h = page_h - T->head_h - 1;
    set_rows(L, T);
    if (T->gcol != SIZE_MAX)
        group_heights(T, max_h);
    if (T->head_h > 0) {
        vline *v = para_add_line(L);
        v->table = T;
        v->row = HEADER;
        v->height = T->head_h;
    }
    size_t *line_of = xcalloc(t->nrows + 1, sizeof *line_of);
    size_t first_line = L->nlines - (T->head_h > 0);
    flow_rows(L, T, max_h, line_of);
    if (t->borders && L->nlines > first_line)
        L->lines[first_line].space_before += GAP_ABOVE;
    for (size_t r = 0; T->gcol != SIZE_MAX && r < t->nrows; r++) {
        size_t e = r + 1;
        while (e < t->nrows && !t->rows[e].section && T->group_of[e] == r)
            e++;
        if (e > r + 1)
            group_breaks(L, T, r, e, line_of);
        r = e - 1;
    }
    free(line_of);
    /* the table's last row does not stand alone on a page: like a widow
     * line, it takes the row before it along (when that row is whole) */
    if (t->nrows >= 3 && !T->bands[t->nrows - 1] && !T->bands[t->nrows - 2])
        L->lines[L->nlines - 1].ok_before = false;
}

double table_header_height(const table_lay *T)
{
    return T->head_h;
}

void table_pad(const vline *v, double *top, double *bottom)
{
    const table_lay *T = v->table;
    bool cut = v->row != HEADER && T->bands[v->row];
    *top = cut && v->band > 0 ? PAD_Y : 0;
    *bottom = cut && v->band + 1 < T->nbands[v->row] ? PAD_Y : 0;
}

/* ---- drawing ----------------------------------------------------------- */

static void rule(layout_page *p, double x1, double y1, double x2, double y2)
{
    para_add_box(
        p, (layout_box){.kind = LAYOUT_LINE, .x = x1, .y = y1, .x2 = x2, .y2 = y2, .stroke = RULE});
}

/* Draw the lines of c whose tops lie in [y0, y1) of its row (the cell's
 * piece in a slice of bands), the piece drawn with its top at `top` (page
 * coordinates) and content shifted down by `shift` (the padding a
 * continued band gets); `left`/`right` bound the text, and the self-check
 * holds it to them (layout_box.cell). */
static void draw_cell(lay *L, layout_page *p, const table_lay *T, const cell_lay *c, double left,
                      double right, double top, double y0, double y1, double shift, double bottom)
{
    double ml = L->t->page.margin_left_pt;
    double cell[4] = {ml + left, bottom, ml + right, top};
    if (c->n == 0)
        return;
    /* the first line whose top is not above y0 - 0.01: tops only grow */
    const double *tops = T->tops + c->first;
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tops[mid] >= y0 - 0.01)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (size_t k = lo; k < c->n && tops[k] < y1 - 0.01; k++)
        para_draw_line(L, p, &T->lines[c->first + k], left, top - shift - (tops[k] - y0), cell);
}

static void draw_header(lay *L, layout_page *p, const table_lay *T, double top)
{
    double ml = L->t->page.margin_left_pt;
    for (size_t i = 0; i < T->nhead; i++) {
        const hcell *h = &T->head[i];
        double ct = top - h->top;
        /* vertically centred */
        double off = (h->h - h->c.height) / 2;
        draw_cell(L, p, T, &h->c, h->x0 + PAD_X, h->x1 - PAD_X, ct - off, 0, INFINITY, 0,
                  ct - h->h);
        if (T->t->borders) {
            rule(p, ml + h->x0, ct, ml + h->x1, ct);
            rule(p, ml + h->x0, ct, ml + h->x0, ct - h->h);
            rule(p, ml + h->x1, ct, ml + h->x1, ct - h->h);
            rule(p, ml + h->x0, ct - h->h, ml + h->x1, ct - h->h);
        }
    }
}

/* Draw label lines [from, n) of c from `top` down while they fit above
 * `bottom`; returns the first line not drawn. */
static size_t draw_label_part(lay *L, layout_page *p, const table_lay *T, const cell_lay *c,
                              double left, double right, double top, double bottom, size_t from)
{
    double ml = L->t->page.margin_left_pt;
    double cell[4] = {ml + left, bottom, ml + right, top};
    double y = PAD_Y;
    for (size_t k = 0; k < c->n; k++) {
        const vline *v = &T->lines[c->first + k];
        if (k == from)
            y = PAD_Y; /* the part starts at the segment's top */
        if (k >= from) {
            if (top - y - v->height < bottom - 0.01)
                return k;
            para_draw_line(L, p, v, left, top - y, cell);
        }
        y += v->height;
    }
    return c->n;
}

/* The label of group g in group column c beside the segment of its rows
 * that starts at row r on this page, `seg` tall: whole when it fits
 * (repeated on each page), else as many lines as fit, continued in the
 * group's next segment (a page the flow had to break inside the group). */
static void draw_label(lay *L, layout_page *p, table_lay *T, size_t g, size_t c, size_t r,
                       double top, double seg)
{
    const cell_lay *label = cell_at(T, g, c);
    double left = T->x[c] + PAD_X, right = T->x[c + 1] - PAD_X;
    size_t *next = &T->label_next[g * T->t->ncols + c];
    bool fits = label->height <= seg + 0.01;
    if (fits && (*next == 0 || *next > label->n)) {
        draw_cell(L, p, T, label, left, right, top, 0, INFINITY, 0, top - seg);
        *next = label->n + 1;
    } else if (g == r || (*next > 0 && *next <= label->n)) {
        size_t from = *next ? *next - 1 : 0;
        *next = 1 + draw_label_part(L, p, T, label, left, right, top, top - seg, from);
    }
}

void table_draw(lay *L, layout_page *p, size_t first, size_t end, const double *tops,
                double header_top)
{
    table_lay *T = L->lines[first].table;
    const blk_table *t = T->t;
    double ml = L->t->page.margin_left_pt;
    size_t nc = t->ncols;
    size_t k0 = first;
    if (L->lines[first].row == HEADER) {
        draw_header(L, p, T, tops[0]);
        k0++;
    } else if (T->head_h > 0) {
        draw_header(L, p, T, header_top);
    }
    double last_bottom = NAN;
    for (size_t k = k0, next; k < end; k = next) {
        const vline *v = &L->lines[k];
        size_t r = v->row;
        /* the bands of one row on this page are drawn as one slice, so the
         * text keeps its order cell by cell */
        next = k + 1;
        while (next < end && L->lines[next].row == r && L->lines[next].band > 0)
            next++;
        const vline *last = &L->lines[next - 1];
        double pad_top, pad_bottom, unused;
        table_pad(v, &pad_top, &unused);
        table_pad(last, &unused, &pad_bottom);
        /* a row cut by a page gets padding at the cut (the flow reserved it) */
        double top = tops[k - first] + pad_top;
        double bottom = tops[next - 1 - first] - last->height - pad_bottom;
        const double *from =
            T->bands[r] ? T->froms[r] + v->band * (t->rows[r].section ? 1 : nc) : NULL;
        const double *to = T->bands[r] && last->band + 1 < T->nbands[r]
                               ? T->froms[r] + (last->band + 1) * (t->rows[r].section ? 1 : nc)
                               : NULL;
        /* a row cut into bands that all stand on this page is drawn whole */
        bool whole = !T->bands[r] || (v->band == 0 && last->band + 1 == T->nbands[r]);
        double shift = pad_top;
        bool first_on_page = k == k0;
        /* the group label: at the start of each segment of its group on a page */
        bool continues = T->gcol != SIZE_MAX && !t->rows[r].section && T->group_of[r] != r &&
                         !first_on_page && (v->band > 0 || L->lines[k - 1].row != HEADER);
        if (t->rows[r].section) {
            draw_cell(L, p, T, cell_at(T, r, 0), T->x[0] + PAD_X, T->x[nc] - PAD_X, top,
                      from ? from[0] : 0, to ? to[0] : INFINITY, shift, bottom);
        } else {
            for (size_t c = 0; c < nc; c++) {
                if (t->cols[c].group && whole)
                    continue; /* drawn per group segment below; cut rows hold their own */
                /* vertical alignment applies to rows drawn whole */
                double slack = !whole ? 0 : T->row_h[r] - cell_at(T, r, c)->height;
                draw_cell(L, p, T, cell_at(T, r, c), T->x[c] + PAD_X, T->x[c + 1] - PAD_X,
                          top - slack * t->cols[c].valign, from ? from[c] : 0,
                          to ? to[c] : INFINITY, shift, bottom);
            }
            if (T->gcol != SIZE_MAX && !continues && whole) {
                /* segment: this row and the following rows of its group on this page */
                size_t g = T->group_of[r];
                double seg = 0;
                for (size_t j = k; j < end && T->group_of[L->lines[j].row] == g &&
                                   !t->rows[L->lines[j].row].section;
                     j++)
                    seg += L->lines[j].height;
                for (size_t c = 0; c < nc; c++)
                    if (t->cols[c].group)
                        draw_label(L, p, T, g, c, r, top, seg);
            }
        }
        if (!t->borders)
            continue;
        /* top rule: at a row's start or the page's first line; a group cell
         * that continues is open at the top */
        if (v->band == 0 || first_on_page) {
            if (continues && T->gcol != SIZE_MAX) {
                /* over each run of columns that are not group columns */
                for (size_t c = 0; c < nc;) {
                    size_t e = c;
                    while (e < nc && !t->cols[e].group)
                        e++;
                    if (e > c)
                        rule(p, ml + T->x[c], top, ml + T->x[e], top);
                    c = e + 1;
                }
            } else {
                rule(p, ml + T->x[0], top, ml + T->x[nc], top);
            }
        }
        for (size_t c = 0; c <= nc; c++)
            if (!t->rows[r].section || c == 0 || c == nc)
                rule(p, ml + T->x[c], top, ml + T->x[c], bottom);
        last_bottom = bottom;
    }
    if (t->borders && !isnan(last_bottom))
        rule(p, ml + T->x[0], last_bottom, ml + T->x[nc], last_bottom);
}

void table_free_all(lay *L)
{
    for (size_t i = 0; i < L->ntables; i++) {
        table_lay *T = L->tables[i];
        for (size_t r = 0; r < T->t->nrows; r++)
            free(T->bands[r]), free(T->froms[r]);
        free(T->bands);
        free(T->froms);
        free(T->nbands);
        free(T->x);
        free(T->cells);
        free(T->row_h);
        free(T->label_next);
        free(T->group_of);
        free(T->lines);
        free(T->tops);
        free(T->head);
        free(T);
    }
    free(L->tables);
    L->tables = NULL;
    L->ntables = 0;
    L->tables_cap = 0;
}
