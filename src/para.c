/* para: setting paragraphs into lines. A text becomes words measured with
 * the real font metrics, hyphenated with the Russian patterns, broken by the
 * Knuth-Plass breaker (linebreak.c) and justified by word spacing (libharu's
 * own JUSTIFY spaces letters: docs/libharu.md). The lines ("vlines") go into
 * the shared line buffer of para.h; layout.c pours them into pages and
 * table.c sets its cells with the same functions. */
#include "para.h"
#include "para_memo.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

#define EPS 0.01

/* The justification settings, chosen by measuring hyphen share against word
 * spacing on the samples (docs/typesetting.md §3 has the table). Word
 * spaces stretch by WORD_STRETCH and shrink by WORD_SHRINK of a space;
 * letters by LETTER_STRETCH and LETTER_SHRINK of the em (the justification
 * of InDesign and Word's "letter spacing", and the idea of pdfTeX's font
 * expansion), so that word spaces stay even with fewer hyphens. */
#define WORD_STRETCH 0.4
#define WORD_SHRINK (1.0 / 3)
#define LETTER_STRETCH 0.03
#define LETTER_SHRINK 0.01
/* A hyphen costs this penalty (TeX's \hyphenpenalty is 50): Russian words
 * are long, and at 50 four lines in ten of an order ended in a hyphen. */
#define HYPHEN_PENALTY 200
/* Never more hyphenated lines in a row than this (docs/typesetting.md §3). */
#define MAX_HYPHEN_RUN 2
/* "Single spacing" in Word for Times New Roman is about 1.15 em. */
#define SINGLE_SPACING 1.15
#define MAX_BREAKS 64

/* ---- storage ---------------------------------------------------------- */

vline *para_add_line(lay *L)
{
    if (L->nlines == L->lcap) {
        L->lcap = L->lcap ? L->lcap * 2 : 256;
        L->lines = xrealloc(L->lines, L->lcap * sizeof *L->lines);
    }
    vline *v = &L->lines[L->nlines++];
    memset(v, 0, sizeof *v);
    v->first = L->nfrags;
    v->ok_before = true;
    return v;
}

void para_add_frag(lay *L, vline *v, frag fr)
{
    if (L->nfrags == L->fcap) {
        L->fcap = L->fcap ? L->fcap * 2 : 1024;
        L->frags = xrealloc(L->frags, L->fcap * sizeof *L->frags);
    }
    L->frags[L->nfrags++] = fr;
    v->nfrags++;
}

/* Room for n items in L. */
static void reserve_items(lay *L, size_t n)
{
    if (n <= L->icap)
        return;
    while (L->icap < n)
        L->icap = L->icap ? L->icap * 2 : 1024;
    L->items = xrealloc(L->items, L->icap * sizeof *L->items);
    L->item_from = xrealloc(L->item_from, L->icap * sizeof *L->item_from);
    L->item_to = xrealloc(L->item_to, L->icap * sizeof *L->item_to);
}

/* L's items become n copied from items, from and to (a list kept earlier). */
static void load_items(lay *L, const lb_item *items, const size_t *from, const size_t *to, size_t n)
{
    reserve_items(L, n);
    if (n) {
        memcpy(L->items, items, n * sizeof *L->items);
        memcpy(L->item_from, from, n * sizeof *L->item_from);
        memcpy(L->item_to, to, n * sizeof *L->item_to);
    }
    L->nitems = n;
}

static void add_item(lay *L, lb_item it, size_t from, size_t to)
{
    if (L->nitems == L->icap)
        reserve_items(L, L->nitems + 1);
    L->items[L->nitems] = it;
    L->item_from[L->nitems] = from;
    L->item_to[L->nitems] = to;
    L->nitems++;
}

/* ---- glyph metrics ---------------------------------------------------- */

/* Fonts whose metrics are kept: ids at or above it are asked every time. */
#define GLYPH_FONTS 16
/* Code points are kept in pages of 256; a layout keeps at most this many
 * pages (about 2.3 KiB each, 150 KiB in all) whatever the text: a text of
 * Cyrillic, Latin and punctuation fills four per font. Beyond it, the
 * fonts are asked every time. */
#define GLYPH_MAX_PAGES 64
enum { GLYPH_ADV = 1, GLYPH_HAS_KNOWN = 2, GLYPH_HAS = 4 };

typedef struct glyph_page {
    double adv[256];
    unsigned char known[256]; /* GLYPH_* bits */
} glyph_page;

struct para_glyphs {
    glyph_page *pages[GLYPH_FONTS][256]; /* by font and cp >> 8 (the BMP) */
    size_t npages;
};

para_glyphs *para_glyphs_new(void)
{
    return xcalloc(1, sizeof(para_glyphs));
}

void para_glyphs_free(para_glyphs *g)
{
    if (!g)
        return;
    for (size_t f = 0; f < GLYPH_FONTS; f++)
        for (size_t i = 0; i < 256; i++)
            free(g->pages[f][i]);
    free(g);
}

/* The page of cp in font, made when there is room; NULL when not kept. */
static glyph_page *glyph_page_of(const lay *L, int font, uint32_t cp)
{
    para_glyphs *g = L->glyphs;
    if (!g || font < 0 || font >= GLYPH_FONTS || cp > 0xFFFF)
        return NULL;
    glyph_page **p = &g->pages[font][cp >> 8];
    if (!*p && g->npages < GLYPH_MAX_PAGES) {
        *p = xcalloc(1, sizeof **p);
        g->npages++;
    }
    return *p;
}

static double glyph_advance_slow(const lay *L, int font, uint32_t cp)
{
    double a = L->f->advance(L->f->ctx, font, cp);
    glyph_page *p = glyph_page_of(L, font, cp);
    if (p) {
        p->adv[cp & 0xFF] = a;
        p->known[cp & 0xFF] |= GLYPH_ADV;
    }
    return a;
}

static inline double glyph_advance(const lay *L, int font, uint32_t cp)
{
    const para_glyphs *g = L->glyphs;
    if (g && (unsigned)font < GLYPH_FONTS && cp <= 0xFFFF) {
        const glyph_page *p = g->pages[font][cp >> 8];
        if (p && (p->known[cp & 0xFF] & GLYPH_ADV))
            return p->adv[cp & 0xFF];
    }
    return glyph_advance_slow(L, font, cp);
}

static bool glyph_has_slow(const lay *L, int font, uint32_t cp)
{
    bool has = L->f->has(L->f->ctx, font, cp);
    glyph_page *p = glyph_page_of(L, font, cp);
    if (p)
        p->known[cp & 0xFF] |= GLYPH_HAS_KNOWN | (has ? GLYPH_HAS : 0);
    return has;
}

static inline bool glyph_has(const lay *L, int font, uint32_t cp)
{
    const para_glyphs *g = L->glyphs;
    if (g && (unsigned)font < GLYPH_FONTS && cp <= 0xFFFF) {
        const glyph_page *p = g->pages[font][cp >> 8];
        if (p && (p->known[cp & 0xFF] & GLYPH_HAS_KNOWN))
            return p->known[cp & 0xFF] & GLYPH_HAS;
    }
    return glyph_has_slow(L, font, cp);
}

int para_find_font(lay *L, const char *family, int style)
{
    for (size_t i = 0; i < L->nfound; i++)
        if (L->found[i].family == family && L->found[i].style == style)
            return L->found[i].id;
    int id = L->f->find(L->f->ctx, family, style);
    if (id >= 0 && L->nfound < PARA_FOUND_FONTS) {
        L->found[L->nfound].family = family;
        L->found[L->nfound].style = style;
        L->found[L->nfound].id = id;
        L->nfound++;
    }
    return id;
}

double para_advance(const lay *L, int font, uint32_t cp)
{
    return glyph_advance(L, font, cp);
}

bool para_has(const lay *L, int font, uint32_t cp)
{
    return glyph_has(L, font, cp);
}

/* ---- text preparation ------------------------------------------------- */

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r';
}

/* Line breaks the user chose ('\n': a YAML `|` block, a list of lines)
 * are forced breaks (tokenize). Typography (none when keep: the document's
 * `typography: keep`) works line by line so that the breaks survive it;
 * empty lines at either end are dropped. Caller frees. */
static char *typography_lines(const char *text, bool keep)
{
    if (!strchr(text, '\n'))
        return text_typography_with(text, strlen(text), keep);
    buf out;
    buf_init(&out);
    size_t pending = 0; /* empty lines seen since the last text */
    for (const char *p = text;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = text_typography_with(p, n, keep);
        if (*line) {
            for (size_t k = 0; out.len && k <= pending; k++)
                buf_putc(&out, '\n');
            buf_puts(&out, line);
            pending = 0;
        } else if (out.len) {
            pending++;
        }
        free(line);
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!out.data)
        buf_putn(&out, "", 0);
    return buf_take(&out);
}

/* Typography, capitals if the style asks, and the glyph check: a character
 * the font lacks is an error at the block's mark, never an empty box (and
 * *bad is set). Narrow spaces the font lacks become NBSP
 * (docs/typesetting.md §2). Caller frees. */
static char *prepare_text(lay *L, const blk_block *b, const char *text, int font, bool *bad)
{
    char *typo = typography_lines(text, L->t->typography_keep);
    if (b->style->upper) {
        size_t n = 0;
        uint8_t *up = u8_toupper((const uint8_t *)typo, strlen(typo), NULL, NULL, NULL, &n);
        if (up) {
            free(typo);
            typo = xstrndup((const char *)up, n);
            free(up);
        }
    }
    buf out;
    buf_init(&out);
    size_t len = strlen(typo);
    bool reported = false;
    size_t run = 0; /* typo[run, i): kept as it is, not yet copied */
    glyph_page *const *pages =
        L->glyphs && (unsigned)font < GLYPH_FONTS ? L->glyphs->pages[font] : NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(typo + i, len - i, &cp);
        /* the common case first: a character the font has, kept as it is
         * (no space but ' ', none of the characters replaced below) */
        const glyph_page *pg = pages && cp <= 0xFFFF ? pages[cp >> 8] : NULL;
        if ((cp == ' ' || (cp > ' ' && pg && (pg->known[cp & 0xFF] & GLYPH_HAS))) && cp != 0x00AD &&
            cp != 0x202F && cp != 0x2009 && cp != 0x2060 && cp != 0xFFFD) {
            i += n;
            continue;
        }
        uint32_t was = cp;
        if (cp == 0x202F || cp == 0x2009 || cp == 0x2060) {
            if (!glyph_has(L, font, cp))
                cp = 0x00A0;
        }
        bool kept = cp == 0x00AD || is_space_cp(cp) || glyph_has(L, font, cp);
        uint32_t put = cp == '\n' ? '\n' : is_space_cp(cp) ? ' ' : cp;
        /* the text is valid UTF-8 (text_typography_with): a code point put
         * unchanged is its own bytes */
        if (kept && put == was && was != 0xFFFD) {
            i += n;
            continue;
        }
        buf_putn(&out, typo + run, i - run);
        run = i + n;
        if (kept) {
            buf_put_cp(&out, put);
        } else if (!reported) {
            diag_error(L->d, b->mark,
                       "символа «%.*s» (U+%04X) нет в шрифте «%s»: замените его или выберите "
                       "другой шрифт (font в стиле шаблона)",
                       (int)n, typo + i, (unsigned)cp, b->style->family);
            reported = true;
            L->failed = true;
        }
        i += n;
    }
    *bad = reported;
    if (run == 0 && !out.data)
        return typo; /* every character kept as it is: no copy */
    buf_putn(&out, typo + run, len - run);
    free(typo);
    return buf_take(&out);
}

double para_measure(const lay *L, int font, double size, double ls, const char *s, size_t len)
{
    double w = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);
        if (cp != 0x00AD)
            w += glyph_advance(L, font, cp) * size / 1000.0 + ls;
        i += n;
    }
    return w;
}

/* ---- paragraph -> items ------------------------------------------------ */

typedef struct para {
    int font;
    double size, ls; /* letter spacing */
    double space, hyphen;
    /* letter spacing a justified line may add or take per character (the
     * stretch and shrink of a box): see break_para */
    double lstretch, lshrink;
    double hyphen_penalty;
    bool justify, hyphenate;
    double width;
    struct word_memo *memo;  /* the widths tokenize measured, for its next pass */
    struct width_deps *deps; /* what tokenize's items owe to the width */
} para;

/* What tokenize compared with the measure P->width. Its items depend on the
 * measure only through these comparisons; when none came out "too wide",
 * the widest things compared are kept, and any measure at which they still
 * fit (checked by the same comparisons) gives the same items (items_fit). */
typedef struct width_deps {
    bool wide;         /* a comparison came out too wide: the items hold splits */
    double chain_max;  /* chains and words: too wide when w > width */
    double piece_max;  /* pieces no hyphen follows: fit when w <= width - 0 */
    double hyphen_max; /* pieces a hyphen may follow: fit when w <= width - hyphen */
} width_deps;

/* Characters drawn for text[from, to): soft hyphens are not. */
static size_t count_drawn(const char *text, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to;) {
        uint32_t cp;
        size_t k = utf8_next(text + i, to - i, &cp);
        n += cp != 0x00AD;
        i += k;
    }
    return n;
}

/* A piece of text measured once: its width (para_measure's, added up in
 * the same order, so the same double) and the characters it draws. */
typedef struct measured {
    double w;
    size_t drawn;
} measured;

static measured measure_piece(const lay *L, const para *P, const char *text, size_t from, size_t to)
{
    /* glyph_advance with the font's pages looked up once */
    int font = P->font;
    double size = P->size, ls = P->ls, w = 0;
    glyph_page *const *pages =
        L->glyphs && (unsigned)font < GLYPH_FONTS ? L->glyphs->pages[font] : NULL;
    size_t drawn = 0;
    for (size_t i = from; i < to;) {
        uint32_t cp;
        size_t n = utf8_next(text + i, to - i, &cp);
        i += n;
        if (cp == 0x00AD)
            continue;
        const glyph_page *pg = pages && cp <= 0xFFFF ? pages[cp >> 8] : NULL;
        double a = pg && (pg->known[cp & 0xFF] & GLYPH_ADV) ? pg->adv[cp & 0xFF]
                                                            : glyph_advance_slow(L, font, cp);
        w += a * size / 1000.0 + ls;
        drawn++;
    }
    return (measured){w, drawn};
}

/* The widths of a paragraph's chains and words in the order tokenize meets
 * them. Every pass over the same text (TeX's two passes, the balancing of
 * centred lines) meets the same ones whatever the measure, so the first
 * pass measures and the others read: one entry per chain or word. */
typedef struct word_memo {
    measured *v;
    size_t n, cap, next;
    bool full; /* a whole pass has filled it */
} word_memo;

static measured memo_measure(const lay *L, const para *P, const char *text, size_t from, size_t to)
{
    word_memo *m = P->memo;
    if (m->full) {
        assert(m->next < m->n && "every pass meets the chains and words of the first");
        return m->v[m->next++];
    }
    measured r = measure_piece(L, P, text, from, to);
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->v = xrealloc(m->v, m->cap * sizeof *m->v);
    }
    m->v[m->n++] = r;
    return r;
}

/* Does text[0, at) end with a hyphen, a dash or a slash (a compound's
 * break, which adds no hyphen)? */
static bool ends_with_dash(const char *text, size_t at)
{
    if (at == 0)
        return false;
    if (text[at - 1] == '-' || text[at - 1] == '/')
        return true;
    return at >= 3 && (unsigned char)text[at - 3] == 0xE2 && (unsigned char)text[at - 2] == 0x80 &&
           (unsigned char)text[at - 1] >= 0x90 && (unsigned char)text[at - 1] <= 0x94;
}

/* Does a word end at byte `at` of the (NUL-terminated) paragraph text? */
static bool ends_word(const char *text, size_t at)
{
    return !text[at] || text[at] == ' ' ||
           ((unsigned char)text[at] == 0xC2 && (unsigned char)text[at + 1] == 0xA0);
}

/* A box for text[from, to), w wide, that stretches and shrinks with the
 * letter spacing of its characters. The spacing after a word's last
 * character moves no glyph of it: not counted, so a justified line's last
 * glyph ends at the margin whether the line is stretched or shrunk. */
static void add_box(lay *L, const para *P, const char *text, size_t from, size_t to, double w,
                    size_t drawn)
{
    double n = (double)drawn;
    if (n > 0 && ends_word(text, to))
        n--;
    add_item(
        L,
        (lb_item){.type = LB_BOX, .width = w, .stretch = n * P->lstretch, .shrink = n * P->lshrink},
        from, to);
}

/* A cut between characters of a word wider than its line: it gets a hyphen
 * like any other (docs/typesetting.md §3; none in an address) and costs more
 * than any hyphenation or compound break, so it is taken only where no
 * syllable fits. One that leaves or carries a single character, or a scrap
 * on the paragraph's last line, costs SCRAP_PENALTY (its square, 2.5e7
 * demerits, outweighs any line's badness but an overfull one's). */
#define SPLIT_PENALTY 1500
#define SCRAP_PENALTY 5000
/* The characters of one piece of a word the breaker may cut between
 * (add_letter_cuts): some ten lines of the widest measure, more than any
 * real word or address holds. */
#define CUT_CHOICE_MAX 1024
/* A break of a web address or e-mail (text_address_breaks): no hyphen, and
 * rare where the address fits (about a line at ratio 1.7). */
#define ADDRESS_PENALTY 500
/* A compound's own hyphen breaks first («наставников-|выпускников»): a
 * break there is cheap where the style hyphenates, and pattern breaks
 * inside a compound's parts cost COMPOUND_EXTRA more. In a style that does
 * not hyphenate (titles, names) the compound breaks only when it must. */
#define COMPOUND_PENALTY 30
#define COMPOUND_EXTRA 100
#define UNHYPHENATED_PENALTY 1000

static bool is_letter_cp(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp <= 0x24F) ||
           (cp >= 0x400 && cp <= 0x4FF);
}

/* The last line of a paragraph is never a piece of a word of fewer letters
 * than this (docs/typesetting.md §3). */
#define LAST_PIECE_MIN 5

/* How far back a split between characters moves so that the paragraph's
 * last piece has LAST_PIECE_MIN letters: a bound, so that a long run of
 * digits (no letters to gain) costs no more than this per split. */
#define TAIL_BACK_MAX 16

/* Where the paragraph's last piece may begin in text[from, to): the start
 * of its LAST_PIECE_MIN-th letter from the end, or TAIL_NONE when it has
 * fewer letters. A character boundary `at` has LAST_PIECE_MIN letters in
 * text[at, to) exactly when tail_holds(at, tail). One pass: counting the
 * letters after each split of a long word made it quadratic (a word of
 * 512,000 letters took 14 s). */
#define TAIL_NONE SIZE_MAX

static size_t tail_start(const char *text, size_t from, size_t to)
{
    size_t ring[LAST_PIECE_MIN], n = 0;
    for (size_t i = from; i < to;) {
        uint32_t cp;
        size_t k = utf8_next(text + i, to - i, &cp);
        if (is_letter_cp(cp))
            ring[n++ % LAST_PIECE_MIN] = i;
        i += k;
    }
    return n < LAST_PIECE_MIN ? TAIL_NONE : ring[(n - LAST_PIECE_MIN) % LAST_PIECE_MIN];
}

static bool tail_holds(size_t at, size_t tail)
{
    return tail != TAIL_NONE && at <= tail;
}

/* How a piece of a word wider than its line is cut between characters
 * (add_letter_cuts). */
typedef struct cut_kind {
    bool address; /* a web address or e-mail: no hyphen is added */
    bool last;    /* the piece ends the paragraph */
} cut_kind;

/* The split at `at` moved back (not past start + 1 character) until
 * text[at, to) holds LAST_PIECE_MIN letters (`tail` from tail_start); `at`
 * itself when that cannot be done within TAIL_BACK_MAX characters. */
static size_t tail_split(const char *text, size_t start, size_t at, size_t tail)
{
    size_t p = at;
    for (int k = 0; k < TAIL_BACK_MAX && !tail_holds(p, tail); k++) {
        size_t q = p;
        while (q > start && ((unsigned char)text[q - 1] & 0xC0) == 0x80)
            q--;
        if (q <= start + 1)
            return at;
        p = q - 1;
        while (p > start && ((unsigned char)text[p] & 0xC0) == 0x80)
            p--;
    }
    return tail_holds(p, tail) && p > start ? p : at;
}

/* The cut after text[start, at) as add_letter_cuts makes it. */
/* What a line ending at a cut adds: the hyphen, or in an address room for
 * the letter spacing of its last character, which may shrink: the glyph
 * after it that would stand there is not drawn, so a shrunk line's last
 * glyph would pass the margin by it (see ends_word and add_word's compound
 * break). */
static double cut_width(const para *P, cut_kind kind)
{
    return kind.address ? P->lshrink : P->hyphen;
}

static void add_cut(lay *L, const para *P, size_t at, double penalty, cut_kind kind)
{
    add_item(L,
             (lb_item){.type = LB_PENALTY,
                       .width = cut_width(P, kind),
                       .penalty = penalty,
                       .flagged = !kind.address},
             at, at);
}

/* The advance of character cp in P's style. */
static double char_advance(const lay *L, const para *P, uint32_t cp)
{
    /* a soft hyphen is not drawn (measure_piece) */
    return cp == 0x00AD ? 0 : glyph_advance(L, P->font, cp) * P->size / 1000.0 + P->ls;
}

/* text[from, to), the rest of a piece longer than CUT_CHOICE_MAX
 * characters, cut greedily at the full measure (`reserve` after its last
 * piece), as all such pieces were before the breaker chose the cuts: a
 * split never carries one character alone, and (`last`) is moved back so
 * that the paragraph's last line keeps LAST_PIECE_MIN letters, while the
 * piece after it still fits. */
static void add_greedy_cuts(lay *L, const para *P, const char *text, size_t from, size_t to,
                            double reserve, cut_kind kind)
{
    double hyphen = cut_width(P, kind);
    double limit = P->width - fmax(reserve, hyphen);
    size_t start = from, prev = from; /* prev: the last character of the piece */
    double acc = 0, prev_w = 0;
    size_t tail = kind.last ? tail_start(text, from, to) : TAIL_NONE;
    for (size_t i = from; i < to;) {
        uint32_t cp;
        size_t n = utf8_next(text + i, to - i, &cp);
        double cw = char_advance(L, P, cp);
        if (acc + cw > limit && i > start) {
            double room = i + n == to ? P->width - reserve : limit;
            size_t at = i;
            double piece = acc;
            if (i + n == to && prev > start && prev_w + cw <= room) {
                at = prev;
                piece = acc - prev_w;
            }
            if (kind.last && !tail_holds(at, tail)) {
                size_t moved = tail_split(text, start, at, tail);
                double head = moved != at ? para_measure(L, P->font, P->size, P->ls, text + start,
                                                         moved - start)
                                          : 0;
                if (moved != at && acc + cw - head <= room) {
                    at = moved;
                    piece = head;
                }
            }
            add_box(L, P, text, start, at, piece, count_drawn(text, start, at));
            add_cut(L, P, at, SPLIT_PENALTY, kind);
            start = at;
            acc -= piece;
        }
        prev = i;
        prev_w = cw;
        acc += cw;
        i += n;
    }
    add_box(L, P, text, start, to, acc, count_drawn(text, start, to));
}

/* A cut add_letter_cuts may make: after byte `at`, x points into the piece. */
typedef struct letter_cut {
    size_t at;
    double x;
    bool scrap;     /* leaves or carries a scrap (SCRAP_PENALTY) */
    bool forbidden; /* a scrap where the line could hold more */
} letter_cut;

/* A scrap's cut is forbidden only while the cuts left around it keep every
 * stretch between them within the measure (with the hyphen, or `end_w` at
 * the end): where one does not fit, its forbidden cuts come back as scraps,
 * so no line is overfull for the rule (a word of six letters whose last
 * five fit had no cut left: «Ссылка» stood out of its cell). */
static void allow_needed_cuts(letter_cut *c, size_t n, double end_x, double hyphen, double end_w,
                              double width)
{
    size_t prev = SIZE_MAX; /* the last allowed cut; SIZE_MAX: the piece's start */
    for (size_t k = 0; k <= n; k++) {
        if (k < n && c[k].forbidden)
            continue;
        double x0 = prev == SIZE_MAX ? 0 : c[prev].x;
        double x1 = k < n ? c[k].x + hyphen : end_x + end_w;
        if (x1 - x0 > width)
            for (size_t j = prev == SIZE_MAX ? 0 : prev + 1; j < k; j++)
                c[j].forbidden = false;
        prev = k;
    }
}

/* One box per character of text[from, to), a piece wider than its line,
 * and between them a cut the breaker may choose (SPLIT_PENALTY, with the
 * hyphen's width; without a hyphen in an address), so the first piece fills
 * the rest of the line after what stands before it («1. жжж…-»), cut at
 * the full measure it stood alone (tests/narrow/word-after-number.yaml).
 * The breaker sees what shares each piece's line (the first-line indent,
 * the hyphen after it). There is no cut that leaves or carries one
 * character, or (`last`) leaves fewer than LAST_PIECE_MIN letters on the
 * paragraph's last line, where the line holds more; where it does not,
 * such a cut costs SCRAP_PENALTY (a soft rule alone is not enough: in a
 * ragged cell a line that ends inside a word has no stretch, and one that
 * happens to fill its line exactly is taken in the first pass whatever its
 * penalty, «жжжжжжж-|жж»). An
 * address is never cut after its own «-». Two items a character, and the
 * breaker tries each cut against the active nodes of one line before it
 * (up to lb_break's 512): so only the first CUT_CHOICE_MAX characters of a
 * piece are cut so, and the rest greedily at the full measure
 * (add_greedy_cuts; a word of 1,000,000 digits took 6.6 s and 308 MB cut
 * by the breaker, 0.2 s and 17 MB so). */
static void add_letter_cuts(lay *L, const para *P, const char *text, size_t from, size_t to,
                            double reserve, cut_kind kind)
{
    uint32_t cp;
    size_t first_end = from + utf8_next(text + from, to - from, &cp);
    size_t last_char = to; /* the start of the piece's last character */
    do
        last_char--;
    while (last_char > from && ((unsigned char)text[last_char] & 0xC0) == 0x80);
    size_t tail = kind.last ? tail_start(text, from, to) : TAIL_NONE;
    size_t cap = to - from < CUT_CHOICE_MAX ? to - from : CUT_CHOICE_MAX; /* bytes >= characters */
    letter_cut *cuts = xmalloc(cap * sizeof *cuts);
    size_t n = 0, end = from;
    double x = 0;
    while (end < to && n < cap) {
        end += utf8_next(text + end, to - end, &cp);
        x += char_advance(L, P, cp);
        if (end < to && !(kind.address && cp == '-')) {
            bool scrap =
                end == first_end || end == last_char || (kind.last && !tail_holds(end, tail));
            cuts[n++] = (letter_cut){end, x, scrap, scrap};
        }
    }
    bool rest = end < to; /* cut greedily after the last cut, which is at end */
    if (rest)
        cuts[n - 1].scrap = cuts[n - 1].forbidden = false;
    double hyphen = cut_width(P, kind);
    allow_needed_cuts(cuts, n, x, hyphen, rest ? 0 : reserve, P->width);
    size_t c = 0;
    for (size_t i = from; i < end;) {
        size_t k = utf8_next(text + i, to - i, &cp);
        add_box(L, P, text, i, i + k, char_advance(L, P, cp), cp != 0x00AD);
        i += k;
        if (c < n && cuts[c].at == i) {
            if (!cuts[c].forbidden)
                add_cut(L, P, i, cuts[c].scrap ? SCRAP_PENALTY : SPLIT_PENALTY, kind);
            c++;
        }
    }
    free(cuts);
    if (rest)
        add_greedy_cuts(L, P, text, end, to, reserve, kind);
}

/* A box for text[from, to); a piece wider than the line (with `lead`
 * before it, the first-line indent, and `reserve` after it, the hyphen that
 * may follow it) is cut between characters (add_letter_cuts): a 400-letter
 * word must not leave its cell. Every piece fits its line with what shares
 * it, unless one character alone does not. */
static void add_word_piece(lay *L, const para *P, const char *text, size_t from, size_t to,
                           double reserve, cut_kind kind, measured m, double lead)
{
    if (m.w + lead <= P->width - reserve) {
        double *max = reserve == 0 ? &P->deps->piece_max : &P->deps->hyphen_max;
        if (reserve != 0 && reserve != P->hyphen)
            P->deps->wide = true; /* not a reserve items_fit knows */
        else if (m.w + lead > *max)
            *max = m.w + lead;
        add_box(L, P, text, from, to, m.w, m.drawn);
        return;
    }
    P->deps->wide = true;
    add_letter_cuts(L, P, text, from, to, reserve, kind);
}

/* The breaks of a word wider than its line, w[0, len), with one after each
 * '/' that is not followed by another and does not end the word, as a
 * URL or a path breaks: without a hyphen, which would read as part of the
 * address («…/upload/|iblock/», not «…/uplo-|ad»). Merged into br[0, nb)
 * in order, at most cap in all; the new count. */
static size_t add_slash_breaks(const char *w, size_t len, text_break *br, size_t nb, size_t cap)
{
    text_break all[MAX_BREAKS];
    size_t n = 0, k = 0;
    for (size_t i = 0; i + 1 < len && n < cap; i++) {
        if (w[i] != '/' || w[i + 1] == '/')
            continue;
        for (; k < nb && br[k].at < i && n < cap; k++)
            all[n++] = br[k];
        if (k < nb && br[k].at == i)
            continue; /* already a break there */
        if (n < cap)
            all[n++] = (text_break){i, false};
    }
    for (; k < nb && n < cap; k++)
        all[n++] = br[k];
    memcpy(br, all, n * sizeof *br);
    return n;
}

/* The word text[from, to); `last` when it ends the paragraph, `lead` as for
 * add_word_piece. Explicit hyphens break in every style
 * («Сентябрь-|октябрь» in a narrow column, school43), the patterns only
 * where the style hyphenates. */
static void add_word(lay *L, const para *P, const char *text, size_t from, size_t to, bool last,
                     measured word, double lead)
{
    text_break br[MAX_BREAKS];
    /* a word wider than the line is split at its syllables even where the
     * style does not hyphenate («прохож-дении», not «прохожде-нии» cut
     * letter by letter); letters only where a syllable is still too wide */
    bool too_wide = word.w + lead > P->width;
    P->deps->wide |= too_wide;
    if (word.w + lead > P->deps->chain_max)
        P->deps->chain_max = word.w + lead;
    /* an address takes only its own breaks, none with a hyphen */
    cut_kind kind = {text_is_address(text + from, to - from), false};
    size_t nb;
    if (kind.address) {
        nb = text_address_breaks(text + from, to - from, br, MAX_BREAKS);
    } else {
        const text_hyph *h = P->hyphenate || too_wide ? L->h : NULL;
        nb = text_word_breaks(h, text + from, to - from, br, MAX_BREAKS);
        if (too_wide && memchr(text + from, '/', to - from))
            nb = add_slash_breaks(text + from, to - from, br, nb, MAX_BREAKS);
    }
    bool compound = false;
    for (size_t i = 0; i < nb; i++)
        compound |= !br[i].add_hyphen;
    size_t pos = from;
    size_t tail = last && nb > 0 ? tail_start(text, from, to) : TAIL_NONE;
    for (size_t i = 0; i < nb; i++) {
        size_t at = from + br[i].at + 1; /* br.at is the last byte before the break */
        if (at <= pos || at >= to)
            continue;
        /* the paragraph's last line keeps LAST_PIECE_MIN letters where the
         * rest of the word fits a line; where it does not, it is cut anyway,
         * better at a syllable («Ссыл-|ка», not «Ссы-|лка»). An address's last
         * part may be short («…|.ru»): better than a cut between letters. */
        if (last && !kind.address && !tail_holds(at, tail) &&
            measure_piece(L, P, text, pos, to).w + lead <= P->width)
            break;
        add_word_piece(L, P, text, pos, at, br[i].add_hyphen ? P->hyphen : 0, kind,
                       measure_piece(L, P, text, pos, at), lead);
        lead = 0;
        double pen = kind.address       ? ADDRESS_PENALTY
                     : br[i].add_hyphen ? P->hyphen_penalty + (compound ? COMPOUND_EXTRA : 0)
                     : P->hyphenate     ? COMPOUND_PENALTY
                                        : UNHYPHENATED_PENALTY;
        /* a line that ends at a compound's own hyphen or an address's
         * break keeps room for its last character's letter spacing, which
         * may shrink (see ends_word); an address's break is no hyphen
         * (ends_broken) */
        add_item(L,
                 (lb_item){.type = LB_PENALTY,
                           .width = br[i].add_hyphen ? P->hyphen : P->lshrink,
                           .penalty = pen,
                           .flagged = !kind.address},
                 at, at);
        pos = at;
    }
    kind.last = last;
    add_word_piece(L, P, text, pos, to, 0, kind,
                   pos == from ? word : measure_piece(L, P, text, pos, to), lead);
}

/* Glue between words. Justified text stretches by three quarters and
 * shrinks by a third of a space (a little more stretch than TeX's half,
 * so that fewer lines need a hyphen); ragged text keeps natural spaces and may stretch only at
 * line ends, so the breaker does not squeeze words together. */
static void add_space(lay *L, const para *P, size_t at, bool breakable)
{
    if (!breakable)
        add_item(L, (lb_item){.type = LB_PENALTY, .penalty = LB_INFINITY}, at, at);
    if (P->justify) {
        add_item(L,
                 (lb_item){.type = LB_GLUE,
                           .width = P->space,
                           .stretch = P->space * WORD_STRETCH,
                           .shrink = P->space * WORD_SHRINK},
                 at, at + 1);
    } else {
        add_item(L, (lb_item){.type = LB_GLUE, .stretch = 3 * P->space}, at, at);
        add_item(L, (lb_item){.type = LB_PENALTY, .penalty = breakable ? 0 : LB_INFINITY}, at, at);
        add_item(L, (lb_item){.type = LB_GLUE, .width = P->space, .stretch = -3 * P->space}, at,
                 at + 1);
    }
}

/* The bytes tokenize stops at in a chain: its ends, and the first byte of
 * an NBSP. */
static const bool ends_chain[256] = {[' '] = true, ['\n'] = true, [0xC2] = true};

/* Chains of words joined by NBSP that are wider than the line may break at
 * their NBSPs: better a broken "№ 669" than text outside the cell. */
static void tokenize(lay *L, const para *P, const char *text, size_t len, double first_indent)
{
    L->nitems = 0;
    P->memo->next = 0;
    if (first_indent > 0)
        add_item(L, (lb_item){.type = LB_BOX, .width = first_indent}, 0, 0);
    size_t i = 0;
    while (i < len) {
        /* one chain: words separated by NBSP */
        size_t chain_end = i;
        bool has_nbsp = false; /* a chain of one word needs no walk for its words */
        for (; chain_end < len; chain_end++) {
            unsigned char c = (unsigned char)text[chain_end];
            if (!ends_chain[c])
                continue;
            if (c != 0xC2)
                break;
            has_nbsp |= (unsigned char)text[chain_end + 1] == 0xA0;
        }
        measured chain = memo_measure(L, P, text, i, chain_end);
        /* the first chain shares its line with the indent: no break between */
        double lead = i == 0 ? first_indent : 0;
        bool split_nbsp = chain.w + lead > P->width;
        P->deps->wide |= split_nbsp;
        if (chain.w + lead > P->deps->chain_max)
            P->deps->chain_max = chain.w + lead;
        size_t w0 = i;
        for (size_t j = has_nbsp ? i : chain_end; j <= chain_end;) {
            bool nbsp = j + 1 < chain_end && (unsigned char)text[j] == 0xC2 &&
                        (unsigned char)text[j + 1] == 0xA0;
            if (j == chain_end || nbsp) {
                /* a chain of one word was measured as the chain */
                if (j > w0)
                    add_word(L, P, text, w0, j, j == len,
                             w0 == i && j == chain_end ? chain : memo_measure(L, P, text, w0, j),
                             lead);
                lead = 0;
                if (nbsp) {
                    add_space(L, P, j, split_nbsp);
                    /* the glue stands for the 2-byte NBSP */
                    L->item_to[L->nitems - 1] = j + 2;
                    j += 2;
                    w0 = j;
                    continue;
                }
                break;
            }
            j++;
        }
        i = chain_end;
        bool forced = false;
        while (i < len && (text[i] == ' ' || text[i] == '\n')) {
            if (text[i] == '\n') {
                /* a line break the user chose: end the line as a paragraph ends */
                add_item(L, (lb_item){.type = LB_GLUE, .stretch = LB_FIL}, i, i);
                add_item(L, (lb_item){.type = LB_PENALTY, .penalty = -LB_INFINITY}, i, i);
                forced = true;
            }
            i++;
        }
        if (i < len && chain_end < len && !forced)
            add_space(L, P, chain_end, true);
    }
    add_item(L, (lb_item){.type = LB_GLUE, .stretch = 1e6}, len, len);
    add_item(L, (lb_item){.type = LB_PENALTY, .penalty = -LB_INFINITY}, len, len);
    P->memo->full = true;
}

/* The items of one tokenize kept for the other measures balance_lines
 * tries: one list per setting of P->hyphenate, as long as the
 * paragraph's own, freed with it. */
typedef struct item_cache {
    bool valid;
    width_deps deps;
    size_t n;
    lb_item *items;
    size_t *from, *to;
} item_cache;

/* Does the measure P->width give the items tokenize gave under d? The
 * comparisons of tokenize, on the widest things it compared. */
static bool items_fit(const width_deps *d, const para *P)
{
    return !d->wide && !(d->chain_max > P->width) && d->piece_max <= P->width - 0 &&
           d->hyphen_max <= P->width - P->hyphen;
}

/* tokenize, or its items for an earlier measure when they are the same;
 * cache (two lists, or NULL) keeps the first that does not depend on it. */
static void tokenize_cached(lay *L, para *P, const char *text, size_t len, double first_indent,
                            item_cache *cache)
{
    item_cache *c = cache ? &cache[P->hyphenate] : NULL;
    if (c && c->valid && items_fit(&c->deps, P)) {
        load_items(L, c->items, c->from, c->to, c->n);
        return;
    }
    width_deps d = {false, -INFINITY, -INFINITY, -INFINITY};
    P->deps = &d;
    tokenize(L, P, text, len, first_indent);
    P->deps = NULL;
    if (!c || c->valid || d.wide)
        return;
    *c = (item_cache){.valid = true, .deps = d, .n = L->nitems};
    c->items = xmalloc((c->n + 1) * sizeof *c->items);
    c->from = xmalloc((c->n + 1) * sizeof *c->from);
    c->to = xmalloc((c->n + 1) * sizeof *c->to);
    memcpy(c->items, L->items, c->n * sizeof *c->items);
    memcpy(c->from, L->item_from, c->n * sizeof *c->from);
    memcpy(c->to, L->item_to, c->n * sizeof *c->to);
}

static void item_cache_free(item_cache *cache)
{
    for (size_t i = 0; cache && i < 2; i++) {
        free(cache[i].items);
        free(cache[i].from);
        free(cache[i].to);
    }
}

/* ---- lines ------------------------------------------------------------ */

static double line_height(const lay *L, const blk_style *st, int font, double *ascent)
{
    double asc = L->f->ascent(L->f->ctx, font) * st->size_pt / 1000.0;
    double desc = -L->f->descent(L->f->ctx, font) * st->size_pt / 1000.0;
    double h = st->size_pt * SINGLE_SPACING * (st->leading > 0 ? st->leading : 1.0);
    if (h < asc + desc)
        h = asc + desc;
    *ascent = asc + (h - asc - desc) / 2;
    return h;
}

/* The adjustment ratio a line set without hyphenation may reach: TeX's
 * \pretolerance 100 is a badness, 100·r³, so r = 1. */
#define PRETOLERANCE 1.0

static bool fits_without_hyphens(const lb_line *lines, size_t n, double pretolerance)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i + 1 < n; i++)
        if (lines[i].overfull || lines[i].ratio > pretolerance)
            return false;
    return !lines[n - 1].overfull;
}

/* Knuth-Plass over the paragraph's items; TeX's first pass (\pretolerance):
 * a paragraph that sets well without hyphens gets none, only the others are
 * hyphenated. Leaves the items of the chosen pass in L; caller frees *lines. */
static size_t break_para(lay *L, para *P, const char *text, size_t len, double first_indent,
                         item_cache *cache, lb_line **lines)
{
    lb_params params = {.width = P->width,
                        .tolerance = P->justify ? 2.0 : 4.0,
                        .line_penalty = 10,
                        .flagged_demerits = 5000,
                        .fitness_demerits = 100,
                        .max_flagged_run = MAX_HYPHEN_RUN};
    *lines = NULL;
    size_t nlines = 0;
    if (P->hyphenate) {
        double pre = P->justify ? PRETOLERANCE : 2 * PRETOLERANCE;
        lb_params first = params;
        first.tolerance = pre;
        P->hyphenate = false;
        tokenize_cached(L, P, text, len, first_indent, cache);
        nlines = lb_break(L->items, L->nitems, &first, lines);
        if (!fits_without_hyphens(*lines, nlines, pre)) {
            free(*lines);
            *lines = NULL;
            P->hyphenate = true;
        }
    }
    if (!*lines) {
        tokenize_cached(L, P, text, len, first_indent, cache);
        nlines = lb_break(L->items, L->nitems, &params, lines);
    }
    return nlines;
}

/* Bisection steps of balance_lines: the measure is found to within
 * 2^-BALANCE_STEPS of its width (0.1 pt on a 230 mm title). */
#define BALANCE_STEPS 10

static bool any_overfull(const lb_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lines[i].overfull)
            return true;
    return false;
}

/* Lines of lines[0, n) (items in L) that end at a cut between characters
 * of a word wider than the line (add_letter_cuts). */
static size_t count_letter_cuts(const lay *L, const lb_line *lines, size_t n)
{
    size_t cuts = 0;
    for (size_t i = 0; i < n; i++) {
        const lb_item *it = lines[i].end < L->nitems ? &L->items[lines[i].end] : NULL;
        cuts += it && it->type == LB_PENALTY && it->penalty >= SPLIT_PENALTY &&
                it->penalty < LB_INFINITY;
    }
    return cuts;
}

/* Centred text of several lines is balanced (docs/typesetting.md §3): set
 * in the narrowest measure that gives no more lines, so that no word stands
 * alone on the last line. The lines stay centred in the full measure. Takes
 * and replaces *lines (n of them); the items of the result stay in L. */
static size_t balance_lines(lay *L, para *P, const char *text, size_t len, double indent,
                            item_cache *cache, lb_line **lines, size_t n)
{
    /* a narrower measure may not cut more words between letters: a word
     * cut so keeps the line count («наст-|авника» for «на-|ставника») */
    size_t cuts = count_letter_cuts(L, *lines, n);
    double full = P->width, lo = full / 2, hi = full;
    for (int step = 0; step < BALANCE_STEPS; step++) {
        double mid = (lo + hi) / 2;
        lb_line *try = NULL;
        P->width = mid;
        size_t k = break_para(L, P, text, len, indent, cache, &try);
        if (k <= n && !any_overfull(try, k) && count_letter_cuts(L, try, k) <= cuts)
            hi = mid;
        else
            lo = mid;
        free(try);
    }
    free(*lines);
    P->width = hi;
    n = break_para(L, P, text, len, indent, cache, lines);
    P->width = full;
    return n;
}

/* The most a line is stretched: a line the breaker could set no better
 * (the first piece of a word wider than the line, after a first-line indent
 * it was not cut for) stays short of the margin instead. At ratio 1105 its
 * two letters stood 464 pt apart, over libharu's limit of letter spacing
 * (an internal error, exit 3); no sample line passes ratio 2.3. */
#define LINE_RATIO_MAX 10.0

/* The adjustment ratio line ln is drawn with, and where it starts in a
 * measure `width` wide under `align`. */
static double line_ratio(const lay *L, const para *P, const lb_line *ln, bool last, blk_align align,
                         double width, double *x)
{
    /* natural width and glue of the line */
    double natural = 0, stretch = 0, shrink = 0;
    for (size_t k = ln->start; k < ln->end; k++) {
        const lb_item *it = &L->items[k];
        if (it->type == LB_BOX || it->type == LB_GLUE)
            natural += it->width;
        if (it->type == LB_BOX || (it->type == LB_GLUE && it->stretch < LB_FIL))
            stretch += it->stretch, shrink += it->shrink;
    }
    if (ln->hyphen)
        natural += L->items[ln->end].width;
    double r = ln->ratio;
    /* the last line keeps natural spaces unless the breaker put more on
     * it than fits: then it shrinks like any other line */
    if (!P->justify || (last && r > 0))
        r = 0;
    if (r < -1)
        r = -1;
    if (r > LINE_RATIO_MAX)
        r = LINE_RATIO_MAX;
    double shown = natural + (r > 0 ? r * stretch : r * shrink);
    *x = 0;
    if (align == BLK_CENTER)
        *x = (width - shown) / 2;
    else if (align == BLK_RIGHT)
        *x = width - shown;
    if (*x < 0)
        *x = 0;
    return r;
}

/* One frag for text[from, to) without soft hyphens, plus a hyphen,
 * letter-spaced by cs. */
static void add_piece(lay *L, const para *P, vline *v, const char *text, size_t from, size_t to,
                      double x, double w, double cs, bool hyphen)
{
    buf piece = {0};
    size_t run = from; /* text[run, i): characters copied as they are */
    for (size_t i = from; i < to;) {
        uint32_t cp;
        size_t n = utf8_next(text + i, to - i, &cp);
        /* a soft hyphen is dropped, a bad byte becomes U+FFFD: both end a run */
        if (cp == 0x00AD || (cp == 0xFFFD && n == 1)) {
            buf_putn(&piece, text + run, i - run);
            if (cp != 0x00AD)
                buf_put_cp(&piece, cp);
            run = i + n;
        }
        i += n;
    }
    if (run == from && !hyphen) {
        /* nothing dropped (the common case): the text as it is */
        para_add_frag(L, v,
                      (frag){P->font, P->size, x, w, cs,
                             arena_strndup(L->out->mem, text + from, to - from), to - from});
        return;
    }
    buf_putn(&piece, text + run, to - run);
    if (hyphen)
        buf_putc(&piece, '-');
    const char *s = arena_strndup(L->out->mem, piece.data ? piece.data : "", piece.len);
    para_add_frag(L, v, (frag){P->font, P->size, x, w, cs, s, piece.len});
    buf_fini(&piece);
}

/* How much an item grows or shrinks on a line set at ratio r. */
static double adjust(const lb_item *it, double r)
{
    return r > 0 ? r * it->stretch : r * it->shrink;
}

/* Emit line ln's boxes into v from x (relative to x0), merging runs of boxes
 * (and hyphen points) into one frag; returns where the line ends. */
static double emit_line(lay *L, const para *P, vline *v, const char *text, const lb_line *ln,
                        double r, double x0, double x)
{
    size_t k = ln->start;
    while (k < ln->end) {
        const lb_item *it = &L->items[k];
        if (it->type == LB_GLUE) {
            x += it->width + adjust(it, r);
            k++;
            continue;
        }
        if (it->type == LB_PENALTY || L->item_to[k] == L->item_from[k]) {
            x += it->type == LB_BOX ? it->width : 0; /* the indent box */
            k++;
            continue;
        }
        size_t from = L->item_from[k], to = L->item_to[k];
        double w = it->width + adjust(it, r);
        k++;
        while (k < ln->end && (L->items[k].type == LB_BOX || L->items[k].type == LB_PENALTY) &&
               (L->items[k].type == LB_PENALTY || L->item_from[k] == to)) {
            if (L->items[k].type == LB_BOX) {
                to = L->item_to[k];
                w += L->items[k].width + adjust(&L->items[k], r);
            }
            k++;
        }
        /* the letter spacing of this line: every box of a paragraph has the
         * same stretch and shrink per character */
        double extra = r > 0 ? r * P->lstretch : r * P->lshrink;
        bool hyphen_here = ln->hyphen && k == ln->end && !ends_with_dash(text, to);
        /* the frag's advance has the spacing after its last glyph too */
        add_piece(L, P, v, text, from, to, x0 + x, w + (ends_word(text, to) ? extra : 0),
                  P->ls + extra, false);
        x += w;
        if (hyphen_here) {
            /* its own frag at the plain spacing: the breaker counted it so.
             * Drawn as U+00AD, the soft hyphen, whose glyph is the hyphen's:
             * text copied from the PDF drops it and keeps a compound's own
             * hyphen (docs/typesetting.md §3). */
            bool soft = glyph_has(L, P->font, TEXT_SHY);
            const char *shy = arena_strdup(L->out->mem, soft ? "\u00AD" : "-");
            para_add_frag(L, v,
                          (frag){P->font, P->size, x0 + x, P->hyphen, P->ls, shy, strlen(shy)});
            x += P->hyphen;
        }
    }
    return x;
}

/* Does line ln end inside a word (at a hyphen, a compound's own or one a
 * break adds)? */
static bool ends_broken(const lay *L, const lb_line *ln)
{
    return ln->end < L->nitems && L->items[ln->end].type == LB_PENALTY && L->items[ln->end].flagged;
}

/* The metrics every line of one paragraph shares. */
typedef struct line_metrics {
    double height, ascent, depth;
    src_mark mark;
} line_metrics;

static vline *add_text_line(lay *L, const line_metrics *m)
{
    vline *v = para_add_line(L);
    v->height = m->height;
    v->ascent = m->ascent;
    v->depth = m->depth;
    v->mark = m->mark;
    return v;
}

/* `tail` flush right on the last line v, or on a line of its own when the
 * line ends too close to it (x: where v's text ends); returns lines added. */
static size_t add_tail(lay *L, const para *P, const line_metrics *m, vline *v, const char *tail,
                       double end)
{
    double tw = para_measure(L, P->font, P->size, P->ls, tail, strlen(tail));
    double right_edge = L->width;
    size_t added = 0;
    if (!v || end + P->space > right_edge - tw) {
        /* no room on the last line: the tail gets a line of its own */
        bool alone = !v;
        v = add_text_line(L, m);
        v->ok_before = alone;
        added++;
    }
    const char *s = arena_strdup(L->out->mem, tail);
    para_add_frag(L, v, (frag){P->font, P->size, right_edge - tw, tw, P->ls, s, strlen(s)});
    return added;
}

/* A style's family that no shipped font has: said once per family, at the
 * first block using it. One whose file did not load (find gave -2) was
 * reported by the fonts as the installation problem it is: a second
 * message here would call the family «не найден» and list it as present. */
static void report_missing_font(lay *L, const blk_block *b, const char *family, int id)
{
    L->failed = true;
    if (id == -2)
        return;
    for (size_t i = 0; i < L->nmissing; i++)
        if (!strcmp(L->missing[i], family))
            return;
    if (L->nmissing < PARA_MAX_MISSING)
        L->missing[L->nmissing++] = family;
    diag_error(L->d, b->mark, "шрифт «%s» не найден: есть Liberation Serif, PT Serif, PT Sans",
               family);
}

/* ---- the memo of set paragraphs ------------------------------------------ */

/* One memo for the process (para_memo.h): a batch worker's documents,
 * watch's renders and a document's repeated cells share it. Made at the
 * first paragraph set with fonts that have identities, freed at exit. A
 * batch worker gets its parent's as it was at the fork (copy on write) and
 * fills its own; nothing is shared between processes. */
static para_memo *shared_memo;

static void free_shared_memo(void)
{
    para_memo_free(shared_memo);
    shared_memo = NULL;
}

static para_memo *the_memo(void)
{
    if (!shared_memo) {
        shared_memo = para_memo_new(PARA_MEMO_MAX_BYTES);
        atexit(free_shared_memo);
    }
    return shared_memo;
}

enum {
    KEY_JUSTIFY = 1,
    KEY_CENTER = 2,
    KEY_HYPHENATE = 4,
    KEY_KEEP = 8,
    KEY_UPPER = 16,
};

/* The key of a paragraph's setting: every input that prepare_text,
 * break_para and balance_lines read (found by reading them, and tokenize,
 * add_word, add_word_piece and measure_piece under them):
 * - the text as the block holds it (prepare_text);
 * - the face: its glyphs (prepare_text's check) and advances (measure_piece,
 *   add_word_piece, P->space and P->hyphen), by the identity the fonts
 *   give (layout_fonts.identity), which no other face gets in the process;
 *   a font id is only the document's;
 * - the size and the letter spacing (P->size, P->ls; P->lstretch and
 *   P->lshrink follow from the size);
 * - the alignment as the breaker sees it: justified (P->justify: the glue,
 *   the tolerance, the letters' stretch) or centred (balanced lines); left
 *   and right are set alike and differ only when emitted;
 * - hyphenation as set (the style's hyphenate and a dictionary there), and
 *   the dictionary itself (L->h: add_word asks it about a word too wide
 *   for the line even where the style does not hyphenate); its pointer is
 *   its identity, as main.c loads one dictionary per process and keeps it
 *   to the end;
 * - the measure (P->width) and the first-line indent after its clamp;
 * - `typography: keep` (L->t->typography_keep) and the style's upper
 *   (prepare_text).
 * Not in it, as only the emitting reads them: L->in_cell, the tail, the
 * label, x0, the leading, the font's ascent and descent. L->glyphs only
 * keeps the fonts' answers. false when the fonts give no identity (test
 * fonts): such paragraphs are set every time. */
static bool memo_key(const lay *L, const blk_style *st, const para *P, const char *raw,
                     double first_indent, para_memo_key *k)
{
    uint64_t face = L->f->identity ? L->f->identity(L->f->ctx, P->font) : 0;
    if (face == 0)
        return false;
    *k = (para_memo_key){
        .font = face,
        .dict = L->h,
        .size_pt = P->size,
        .letter_spacing_pt = P->ls,
        .width_pt = P->width,
        .first_indent_pt = first_indent,
        .flags = (P->justify ? KEY_JUSTIFY : 0) | (st->align == BLK_CENTER ? KEY_CENTER : 0) |
                 (P->hyphenate ? KEY_HYPHENATE : 0) | (L->t->typography_keep ? KEY_KEEP : 0) |
                 (st->upper ? KEY_UPPER : 0),
        .text = raw,
        .len = strlen(raw),
    };
    k->hash = para_memo_hash(k);
    return true;
}

/* A paragraph set and not yet emitted: its prepared text and lines,
 * borrowed from the memo or owned (own_*), and the items of its chosen
 * pass in L. */
typedef struct set_para {
    const char *text;
    const lb_line *lines;
    size_t nlines;
    char *own_text;
    lb_line *own_lines;
} set_para;

/* Set raw in block b's style as P says, or take the setting from the memo:
 * the same text, lines and items either way, and the same messages (a text
 * with a character the font lacks is never stored, so its message comes
 * again each time). A setting is stored the second time its key is met:
 * most paragraphs of a document are set once, and a copy of each (some
 * 64 bytes an item) cost a batch of different documents more in fresh
 * pages than the memo saved them (docs/typesetting.md §4). */
static void set_para_lines(lay *L, const blk_block *b, para *P, const char *raw,
                           double first_indent, set_para *out)
{
    para_memo_key key;
    bool keyed = memo_key(L, b->style, P, raw, first_indent, &key);
    para_memo_val hit;
    if (keyed && para_memo_get(the_memo(), &key, &hit)) {
        load_items(L, hit.items, hit.from, hit.to, hit.nitems);
        *out = (set_para){hit.text, hit.lines, hit.nlines, NULL, NULL};
        return;
    }
    bool bad = false;
    char *text = prepare_text(L, b, raw, P->font, &bad);
    size_t len = strlen(text);
    lb_line *lines = NULL;
    /* centred text is set again at other measures (balance_lines) */
    item_cache cache[2] = {{0}, {0}};
    item_cache *cached = b->style->align == BLK_CENTER ? cache : NULL;
    size_t nlines = break_para(L, P, text, len, first_indent, cached, &lines);
    if (b->style->align == BLK_CENTER && nlines >= 2)
        nlines = balance_lines(L, P, text, len, first_indent, cached, &lines, nlines);
    item_cache_free(cached);
    if (keyed && !bad && para_memo_again(the_memo(), &key))
        para_memo_put(the_memo(), &key,
                      &(para_memo_val){text, len, lines, nlines, L->items, L->item_from, L->item_to,
                                       L->nitems});
    *out = (set_para){text, lines, nlines, text, lines};
}

/* Break text into lines placed at [x0, x0 + width) and append them. The
 * last line of text may get `tail` flush right (signatures). Returns the
 * number of lines added. */
size_t para_set_text(lay *L, const blk_block *b, const char *raw, double x0, double width,
                     double first_indent, const char *tail, double label_x)
{
    const blk_style *st = b->style;
    int font = para_find_font(L, st->family, st->font_style);
    if (font < 0) {
        report_missing_font(L, b, st->family, font);
        return 0;
    }
    word_memo memo = {0};
    para P = {.font = font,
              .memo = &memo,
              .size = st->size_pt,
              .ls = st->letter_spacing_pt,
              .justify = st->align == BLK_JUSTIFY,
              .hyphenate = st->hyphenate && L->h,
              .width = width};
    P.space = glyph_advance(L, font, ' ') * P.size / 1000.0 + P.ls;
    P.hyphen = glyph_advance(L, font, '-') * P.size / 1000.0 + P.ls;
    P.hyphen_penalty = HYPHEN_PENALTY;
    if (P.justify) {
        P.lstretch = LETTER_STRETCH * P.size;
        P.lshrink = LETTER_SHRINK * P.size;
    }
    if (first_indent > width / 2)
        first_indent = 0;
    set_para sp;
    set_para_lines(L, b, &P, raw, first_indent, &sp);
    bool bad_tail = false;
    char *tail_text = tail ? prepare_text(L, b, tail, font, &bad_tail) : NULL;
    const char *text = sp.text;
    size_t nlines = sp.nlines;
    const lb_line *lines = sp.lines;
    line_metrics m = {.mark = b->mark};
    m.height = line_height(L, st, font, &m.ascent);
    m.depth = m.ascent - L->f->descent(L->f->ctx, font) * st->size_pt / 1000.0;
    size_t added = 0;
    for (size_t li = 0; li < nlines; li++) {
        const lb_line *ln = &lines[li];
        /* a line the user ended ('\n') is set like a paragraph's last line */
        bool last =
            li + 1 == nlines || (ln->end < L->nitems && L->items[ln->end].type == LB_PENALTY &&
                                 L->items[ln->end].penalty <= -LB_INFINITY);
        vline *v = add_text_line(L, &m);
        /* no page ends with a word broken across it (TeX's \brokenpenalty,
         * here a rule): the line after a hyphen goes with the line before.
         * Not in table cells: in a narrow column most lines end in a
         * hyphen, and a row would rather break than leave a blank band */
        if (li > 0 && !L->in_cell && ends_broken(L, &lines[li - 1]))
            v->ok_before = false;
        if (li == 0 && b->kind == BLK_ITEM && b->as.item.hanging) {
            double lw =
                para_measure(L, font, P.size, P.ls, b->as.item.label, strlen(b->as.item.label));
            para_add_frag(L, v,
                          (frag){font, P.size, label_x, lw, P.ls,
                                 arena_strdup(L->out->mem, b->as.item.label),
                                 strlen(b->as.item.label)});
        }
        double x;
        double r = line_ratio(L, &P, ln, last, st->align, width, &x);
        x = emit_line(L, &P, v, text, ln, r, x0, x);
        if (last && tail_text && *tail_text)
            added += add_tail(L, &P, &m, v, tail_text, x0 + x);
        added++;
    }
    if (nlines == 0 && tail_text && *tail_text)
        added += add_tail(L, &P, &m, NULL, tail_text, 0);
    free(sp.own_lines);
    free(memo.v);
    free(sp.own_text);
    free(tail_text);
    return added;
}

/* Orphans and widows: a paragraph never leaves one line at the bottom of a
 * page nor carries one line to the next (two lines each side). */
void para_protect_lines(lay *L, size_t first, size_t n)
{
    if (n < 2)
        return;
    L->lines[first + 1].ok_before = false;
    L->lines[first + n - 1].ok_before = false;
}

/* A hanging indent may take at most this share of the width: deeper
 * levels (nine in a narrow cell) would leave the text no room. */
#define MAX_HANGING_SHARE 0.5

/* text_typography: a spaced hyphen-minus becomes an em dash, a range's an
 * en dash; straight quotes «ёлочки» or „лапки“. */
double para_printed_advance(const lay *L, int font, const blk_style *st, uint32_t cp)
{
    static const uint32_t dashes[] = {0x2014, 0x2013}, quotes[] = {0xAB, 0xBB, 0x201E, 0x201C};
    const uint32_t *alt = cp == '-' ? dashes : cp == '"' ? quotes : NULL;
    size_t nalt = cp == '-' ? 2 : cp == '"' ? 4 : 0;
    double a = para_advance(L, font, st->upper ? uc_toupper(cp) : cp);
    for (size_t k = 0; k < nalt; k++)
        a = fmax(a, para_advance(L, font, alt[k]));
    return a;
}

/* The narrowest measure every piece of s fits in: its widest character as
 * printed and the hyphen a split after it adds (a word splits at every
 * character at most). */
static double widest_piece(lay *L, const blk_style *st, const char *s)
{
    int font = para_find_font(L, st->family, st->font_style);
    if (font < 0)
        return 0;
    double w = 0;
    for (size_t i = 0, len = strlen(s); i < len;) {
        uint32_t cp;
        i += utf8_next(s + i, len - i, &cp);
        w = fmax(w, para_printed_advance(L, font, st, cp));
    }
    return (w + para_advance(L, font, '-')) * st->size_pt / 1000.0 + 2 * st->letter_spacing_pt;
}

size_t para_item_text(lay *L, const blk_block *b, double x0, double width)
{
    const blk_style *st = b->style;
    double step = st->indent_pt > 0 ? st->indent_pt : 10 * 72 / 25.4;
    double indent = step * (b->as.item.level + 1);
    /* the text beside a hanging label still holds every piece of its words */
    if (b->as.item.hanging && indent <= width * MAX_HANGING_SHARE &&
        width - indent >= widest_piece(L, st, b->text)) {
        /* label in the indent, text aligned after it */
        double left = x0 + indent;
        return para_set_text(L, b, b->text, left, width - indent, 0, NULL, left - step);
    }
    /* GOST orders: "1. Text" as a paragraph with the first-line indent; a
     * hanging item too deep for its width is set the same way, unindented */
    char *t = xmalloc(strlen(b->as.item.label) + strlen(b->text) + 4);
    sprintf(t, "%s\u00A0%s", b->as.item.label, b->text);
    blk_block flat = *b;
    flat.as.item.hanging = false;
    size_t n = para_set_text(L, &flat, *b->as.item.label ? t : b->text, x0, width,
                             b->as.item.hanging ? 0 : st->indent_pt, NULL, 0);
    free(t);
    return n;
}

void para_add_box(layout_page *p, layout_box b)
{
    if (p->n == p->cap) {
        /* from 8: 64 boxes of 168 bytes were 11 KB for a page of one line */
        p->cap = p->cap ? p->cap * 2 : 8;
        p->boxes = xrealloc(p->boxes, p->cap * sizeof *p->boxes);
    }
    p->boxes[p->n++] = b;
}

void para_draw_line(lay *L, layout_page *p, const vline *v, double dx, double top,
                    const double *cell)
{
    const blk_page *pg = &L->t->page;
    double baseline = top - v->ascent;
    for (size_t i = 0; i < v->nfrags; i++) {
        const frag *fr = &L->frags[v->first + i];
        layout_box b = {.kind = LAYOUT_TEXT,
                        .font = fr->font,
                        .size = fr->size,
                        .x = pg->margin_left_pt + dx + fr->x,
                        .y = baseline,
                        .char_space = fr->char_space,
                        .text = fr->text,
                        .len = fr->len,
                        .width = fr->width,
                        .ascent = v->ascent, /* includes half the leading: conservative */
                        .descent = v->depth - v->ascent,
                        .mark = v->mark};
        if (cell)
            memcpy(b.cell, cell, sizeof b.cell);
        para_add_box(p, b);
    }
}

/* Height a line needs at the foot of a page: text needs only its descent,
 * not its leading; table rows need all of it. */
