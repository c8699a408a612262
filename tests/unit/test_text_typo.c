/* Tests for text_typography_with's fast paths (src/text.c): its output compared,
 * byte for byte, with the implementation it replaced (main d74260a, kept below as
 * the reference) on hand-picked edges and on random texts made of the pieces
 * every rule looks at: the words of each list in both cases, initials, numbers,
 * ranges, dashes, quotes, openers and closers, NBSP and other white space,
 * multi-byte characters and invalid bytes, next to each other and at the ends of
 * tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* ---- The reference: text.c's typography as of main d74260a ---- */

/* ---- Characters ---- */

static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* Russian letters: а–я, ё and their capitals. */
static bool is_ru_lower(uint32_t cp)
{
    return (cp >= 0x0430 && cp <= 0x044F) || cp == 0x0451;
}

static bool is_ru_upper(uint32_t cp)
{
    return (cp >= 0x0410 && cp <= 0x042F) || cp == 0x0401;
}

static bool is_upper(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) ||
           (cp >= 0x0400 && cp <= 0x042F);
}

/* Latin (Basic, Latin-1, Extended-A/B) and Cyrillic letters: enough to tell
 * words from numbers and punctuation in Russian documents. */
static bool is_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0x00C0 && cp <= 0x024F && cp != 0x00D7 && cp != 0x00F7) ||
           (cp >= 0x0400 && cp <= 0x045F);
}

static uint32_t fold_case(uint32_t cp)
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0x0410 && cp <= 0x042F))
        return cp + 0x20;
    if (cp == 0x0401)
        return 0x0451;
    return cp;
}

/* Start of the code point that ends just before s[end], not before s[start]. */
static size_t step_back(const char *s, size_t start, size_t end)
{
    size_t p = end - 1;
    while (p > start && end - p < 4 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    return p;
}

/* ---- Typography ---- */

/* A run of text between spaces. Its core drops opening punctuation at the
 * front and closing punctuation (including dots) at the back: the core of
 * «(2023» is 2023, of "гг.," is гг, of "И.Н." is И.Н. */
/* No literal of the word lists is longer («сентября»): a longer core is in
 * none of them (core_in), and most words of a text are longer. */
#define LITERAL_MAX_BYTES 16

typedef struct token {
    const char *s;
    size_t len;
    size_t lead, tail; /* core = s[lead..tail) */
    bool typed_nbsp;   /* the space before it held a U+00A0 */
    /* the core in lower case (fold_case), as long as the core: made when
     * the core is valid UTF-8 of at most LITERAL_MAX_BYTES, the only cores
     * a word list may hold (core_in) */
    bool folded_ok;
    char folded[LITERAL_MAX_BYTES];
} token;

static bool is_opener(uint32_t cp)
{
    return cp == '(' || cp == '[' || cp == '{' || cp == '"' || cp == '\'' || cp == 0x00AB ||
           cp == 0x201E || cp == 0x201C || cp == 0x2018;
}

static bool is_closer(uint32_t cp)
{
    return cp == ')' || cp == ']' || cp == '}' || cp == '"' || cp == '\'' || cp == '.' ||
           cp == ',' || cp == ';' || cp == ':' || cp == '!' || cp == '?' || cp == 0x00BB ||
           cp == 0x201C || cp == 0x201D || cp == 0x2019 || cp == 0x2026;
}

static bool is_space_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_nbsp_at(const char *s, size_t len, size_t i)
{
    return i + 1 < len && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0;
}

/* The bytes that may end a token: the white space of is_space_byte and the
 * first byte of an NBSP. */
static const bool ends_token[256] = {['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true,
                                     ['\r'] = true, [' '] = true,  [0xC2] = true};

/* t->folded, when the core may be in a word list. fold_case keeps the UTF-8
 * length of every code point, so the folded core is as long as the core. */
static void fold_core(token *t)
{
    size_t n = t->tail - t->lead;
    const unsigned char *s = (const unsigned char *)t->s + t->lead;
    t->folded_ok = false;
    if (n > LITERAL_MAX_BYTES)
        return;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode((const char *)s + i, n - i, &cp);
        if (k == 0)
            return; /* a bad byte equals no letter of a literal */
        uint32_t f = fold_case(cp);
        if (k == 1) {
            t->folded[i] = (char)f;
        } else if (k == 2) {
            t->folded[i] = (char)(0xC0 | (f >> 6));
            t->folded[i + 1] = (char)(0x80 | (f & 0x3F));
        } else {
            memcpy(t->folded + i, s + i, k); /* fold_case keeps these */
        }
        i += k;
    }
    t->folded_ok = true;
}

/* Read the next token from in[*pos..len), skipping the spaces before it.
 * Runs of ASCII white space and U+00A0 count as one space (YAML folded text).
 * False at the end of the input. */
static bool read_token(const char *in, size_t len, size_t *pos, token *t)
{
    size_t i = *pos;
    t->typed_nbsp = false;
    for (;;) {
        if (i < len && is_space_byte(in[i])) {
            i++;
        } else if (is_nbsp_at(in, len, i)) {
            t->typed_nbsp = true;
            i += 2;
        } else {
            break;
        }
    }
    if (i == len)
        return false;
    size_t start = i;
    /* byte by byte: no byte inside a character (10xxxxxx) is a space or
     * starts an NBSP, so this ends where a walk by characters would; the
     * bytes that may end a token are looked up, the others passed */
    for (;;) {
        while (i < len && !ends_token[(unsigned char)in[i]])
            i++;
        if (i == len || is_space_byte(in[i]) || is_nbsp_at(in, len, i))
            break;
        i++; /* a 0xC2 that starts no NBSP */
    }
    t->s = in + start;
    t->len = i - start;
    t->lead = 0;
    while (t->lead < t->len) {
        uint32_t cp;
        size_t n = utf8_next(t->s + t->lead, t->len - t->lead, &cp);
        if (!is_opener(cp))
            break;
        t->lead += n;
    }
    t->tail = t->len;
    while (t->tail > t->lead) {
        size_t p = step_back(t->s, t->lead, t->tail);
        uint32_t cp;
        if (utf8_next(t->s + p, t->tail - p, &cp) != t->tail - p || !is_closer(cp))
            break;
        t->tail = p;
    }
    *pos = i;
    fold_core(t);
    return true;
}

static const char *core_of(const token *t, size_t *n)
{
    *n = t->tail - t->lead;
    return t->s + t->lead;
}

/* Nothing follows the core: "в", not "в," (a short word before a comma binds nothing). */
static bool is_bare(const token *t)
{
    return t->tail == t->len;
}

/* The core is followed by a dot: "г.", "И.Н.,", "Шадрин.". */
static bool has_dot(const token *t)
{
    return t->tail < t->len && t->s[t->tail] == '.';
}

/* The token is exactly its core and one dot: "г.", "ул.", "И.Н.". */
static bool is_abbreviation(const token *t)
{
    return t->tail + 1 == t->len && t->s[t->tail] == '.';
}

static uint32_t first_cp(const token *t)
{
    uint32_t cp = 0;
    if (t->tail > t->lead)
        utf8_next(t->s + t->lead, t->tail - t->lead, &cp);
    return cp;
}

/* A literal of a word list with its length in bytes. */
typedef struct literal {
    const char *s;
    size_t n;
} literal;
/* A literal, checked against LITERAL_MAX_BYTES when compiled. */
#define LIT(s)                                                                                     \
    {                                                                                              \
        s, sizeof(s) - 1 +                                                                         \
               0 * sizeof(struct {                                                                 \
                   _Static_assert(sizeof(s) - 1 <= LITERAL_MAX_BYTES, "a literal is too long");    \
                   int ok;                                                                         \
               })                                                                                  \
    }

/* s[0..n) equals the lower-case literal lit (litlen bytes), ignoring letter
 * case. Costs at most litlen steps, so list lookups stay constant per token. */
static bool equals_folded(const char *s, size_t n, const char *lit, size_t litlen)
{
    size_t i = 0, j = 0;
    /* fold_case keeps the UTF-8 length (A-Z, А-Я and Ё map within their
     * byte width), so different lengths never match: the common case */
    if (n != litlen)
        return false;
    while (i < n && j < litlen) {
        uint32_t a, b;
        i += utf8_next(s + i, n - i, &a);
        j += utf8_next(lit + j, litlen - j, &b);
        if (fold_case(a) != b)
            return false;
    }
    return i == n && j == litlen;
}

/* The core folded equals a literal: equals_folded on the core, read
 * from t->folded (the same answer: a code point folds to one of the same
 * length, so bytes that are equal are code points that are). */
static bool core_in(const token *t, const literal *list)
{
    if (!t->folded_ok)
        return false;
    size_t n = t->tail - t->lead;
    for (; list->s; list++) {
        if (list->n != n)
            continue;
        size_t j = 0; /* n <= LITERAL_MAX_BYTES: compared here, not by a call */
        while (j < n && t->folded[j] == list->s[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

static size_t count_digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_digit((unsigned char)s[i]))
        i++;
    return i;
}

/* typograf common/nbsp/afterShortWord, ru list (src/data/ru.ts). */
static const literal short_words[] = {
    LIT("а"),  LIT("бы"), LIT("в"),  LIT("во"), LIT("да"), LIT("до"), LIT("же"),
    LIT("за"), LIT("и"),  LIT("из"), LIT("к"),  LIT("ко"), LIT("ли"), LIT("на"),
    LIT("не"), LIT("ни"), LIT("но"), LIT("о"),  LIT("об"), LIT("от"), LIT("по"),
    LIT("с"),  LIT("со"), LIT("то"), LIT("у"),  {NULL, 0}};

/* ru/nbsp/beforeParticle, narrowed to the particles docs/typesetting.md §2 names. */
static const literal particles[] = {LIT("ли"), LIT("же"), LIT("бы"), {NULL, 0}};

/* Month names in the genitive, as dates are written ("5 июня"). */
static const literal months[] = {LIT("января"),   LIT("февраля"), LIT("марта"),  LIT("апреля"),
                                 LIT("мая"),      LIT("июня"),    LIT("июля"),   LIT("августа"),
                                 LIT("сентября"), LIT("октября"), LIT("ноября"), LIT("декабря"),
                                 {NULL, 0}};

/* Abbreviations that bind the next word: typograf ru/nbsp/addr (обл., ул.,
 * д., кв., …) plus the references of legal text, "п. 2", "ч. 1 ст. 28",
 * "т. 2", "см. …" (ru/nbsp/see). "г." has its own rule. */
static const literal address_words[] = {
    LIT("обл"), LIT("кр"),   LIT("ст"),  LIT("пос"),  LIT("с"),     LIT("д"),
    LIT("ул"),  LIT("пер"),  LIT("пр"),  LIT("пр-т"), LIT("просп"), LIT("пл"),
    LIT("бул"), LIT("б-р"),  LIT("наб"), LIT("ш"),    LIT("туп"),   LIT("оф"),
    LIT("ком"), LIT("комн"), LIT("уч"),  LIT("вл"),   LIT("влад"),  LIT("стр"),
    LIT("кор"), LIT("корп"), LIT("кв"),  LIT("под"),  LIT("эт"),    LIT("мкр"),
    LIT("т"),   LIT("п"),    LIT("пп"),  LIT("ч"),    LIT("см"),    {NULL, 0}};

static const literal year_words[] = {LIT("г"), LIT("гг"), {NULL, 0}};

static bool is_number_sign(const token *t)
{
    static const literal signs[] = {LIT("№"), LIT("№№"), {NULL, 0}};
    return is_bare(t) && core_in(t, signs);
}

static bool starts_with_digit(const token *t)
{
    return t->tail > t->lead && is_digit((unsigned char)t->s[t->lead]);
}

/* A number that starts with a letter: "Р-145", "А12" (a digit follows). */
static bool is_lettered_number(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    if (!is_letter(first_cp(t)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (is_digit((unsigned char)s[i]))
            return true;
    return false;
}

static bool ends_with_digit(const token *t)
{
    return is_bare(t) && t->tail > t->lead && is_digit((unsigned char)t->s[t->tail - 1]);
}

static bool is_day(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    if (!is_bare(t) || n == 0 || n > 2 || count_digits(s, n) != n)
        return false;
    int day = n == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
    return day >= 1 && day <= 31;
}

static bool is_year(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    return count_digits(s, n) == 4;
}

/* One to three capital letters separated by dots: the core of "И.Н." or "И.". */
static bool is_initials_core(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    size_t i = 0, letters = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (!is_upper(cp) || ++letters > 3)
            return false;
        i += k;
        if (i < n && s[i++] != '.')
            return false;
    }
    return letters > 0 && s[n - 1] != '.';
}

/* A capitalised Russian word, double-barrelled allowed: "Шадрин", "Петров-Водкин". */
static bool is_surname(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    size_t i = 0;
    for (;;) {
        uint32_t cp;
        if (i == n)
            return false;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (!is_ru_upper(cp))
            return false;
        i += k;
        size_t lower = 0;
        while (i < n && (k = utf8_next(s + i, n - i, &cp)) && is_ru_lower(cp)) {
            i += k;
            lower++;
        }
        if (lower == 0)
            return false;
        if (i == n)
            return true;
        if (s[i++] != '-')
            return false;
    }
}

/* One to three lower-case Russian letters: the parts of "т. д.", "и. о.". */
static bool is_short_abbreviation(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    size_t i = 0, letters = 0;
    while (i < n) {
        uint32_t cp;
        i += utf8_next(s + i, n - i, &cp);
        if (!is_ru_lower(cp) || ++letters > 3)
            return false;
    }
    return letters > 0;
}

static bool core_is(const token *t, const char *word)
{
    size_t n;
    const char *s = core_of(t, &n);
    return equals_folded(s, n, word, strlen(word));
}

static bool is_dash(const token *t)
{
    return (t->len == 1 && t->s[0] == '-') || (t->len == 2 && !memcmp(t->s, "--", 2)) ||
           (t->len == 3 && (!memcmp(t->s, "\u2013", 3) || !memcmp(t->s, "\u2014", 3)));
}

/* Whether the space between l and r must not break. before is the token
 * preceding l, or NULL. Rule names are typograf's (docs/typesetting.md §2). */
static bool binds(const token *before, const token *l, const token *r)
{
    /* ru/nbsp/afterNumberSign: "№ 669", "№ Р-145"; only a typed space becomes NBSP.
     * typograf puts U+202F here, which PT Serif lacks (docs/typesetting.md §2). */
    if (is_number_sign(l) && (starts_with_digit(r) || is_lettered_number(r)))
        return true;
    /* ru/nbsp/initials, both orders, and between the initials themselves:
     * "И. Н. Шадрин", "Шадрин И.Н." (the signature keeps them on one line,
     * docs/typesetting.md §1.5). */
    bool r_initials = has_dot(r) && is_initials_core(r);
    if (is_abbreviation(l) && is_initials_core(l) && (r_initials || is_surname(r)))
        return true;
    if (r_initials && is_bare(l) && is_surname(l))
        return true;
    /* ru/nbsp/year: "2023 г.", "2023–2025 гг." */
    if (ends_with_digit(l) && has_dot(r) && core_in(r, year_words))
        return true;
    /* ru/nbsp/dayMonth: "5 июня"; and the year after the month, because a
     * date in words must not break at all (docs/typesetting.md §1.4). */
    if (is_day(l) && core_in(r, months))
        return true;
    if (is_bare(l) && core_in(l, months) && is_year(r))
        return true;
    /* ru/nbsp/addr: "г. Братск" but not the year in "2023 г. Министерство". */
    if (is_abbreviation(l) && core_in(l, year_words) && is_upper(first_cp(r)) &&
        !(before && ends_with_digit(before)))
        return true;
    /* ru/nbsp/addr and legal references: "ул. Мира", "п. 2"; the "д." that
     * closes "т. д." binds nothing. */
    uint32_t rc = first_cp(r);
    if (is_abbreviation(l) && core_in(l, address_words) && (is_letter(rc) || is_digit(rc)) &&
        !(before && is_abbreviation(before) && core_is(before, "т")))
        return true;
    /* ru/nbsp/abbr: "т. д.", "т. е.", "и. о." */
    if (is_abbreviation(l) && has_dot(r) && is_short_abbreviation(l) && is_short_abbreviation(r))
        return true;
    /* common/nbsp/afterShortWord and ru/nbsp/beforeParticle. */
    if (is_bare(l) && core_in(l, short_words))
        return true;
    if (is_bare(l) && core_in(r, particles))
        return true;
    /* ru/dash/main: no line starts with a dash. */
    return is_dash(r);
}

/* Copy s[0..n), replacing bytes that are not UTF-8 with U+FFFD so the result
 * is always valid whatever the caller passed. */
static void put_valid(buf *b, const char *s, size_t n, bool valid)
{
    if (valid) { /* s is part of a text utf8_check passed, cut between characters */
        buf_putn(b, s, n);
        return;
    }
    size_t i = 0, run = 0; /* s[run, i): valid, not yet copied */
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (k == 1 && cp == 0xFFFD) { /* a bad byte: one valid byte only is ASCII */
            buf_putn(b, s + run, i - run);
            buf_put_cp(b, cp);
            run = i + 1;
        }
        i += k;
    }
    buf_putn(b, s + run, n - run);
}

/* A number in a range: digits, with dots or commas between them ("2.3"). */
static bool is_range_number(const char *s, size_t n)
{
    if (n == 0 || !is_digit((unsigned char)s[0]) || !is_digit((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]) &&
            !((s[i] == '.' || s[i] == ',') && is_digit((unsigned char)s[i + 1])))
            return false;
    return true;
}

/* ru/dash/years and page ranges: the core is two numbers joined by one
 * hyphen ("2023-2025", "2.3-2.6"); the hyphen's offset in the token, or 0.
 * "273-ФЗ", "7-й" and "2023-09-01" are no ranges. */
static size_t range_hyphen(const token *t)
{
    size_t n;
    const char *s = core_of(t, &n);
    const char *h = memchr(s, '-', n);
    if (!h || memchr(h + 1, '-', n - (size_t)(h - s) - 1))
        return 0;
    size_t left = (size_t)(h - s);
    if (!is_range_number(s, left) || !is_range_number(h + 1, n - left - 1))
        return 0;
    return t->lead + left;
}

/* ru/dash/main: a hyphen-minus (or two) with spaces on both sides is an em
 * dash; a range takes an en dash. With `keep`, the token as typed. */
static void put_token(buf *b, const token *t, bool spaced, bool keep, bool valid)
{
    size_t h;
    if (keep) {
        put_valid(b, t->s, t->len, valid);
    } else if (spaced && ((t->len == 1 && t->s[0] == '-') ||
                          (t->len == 2 && t->s[0] == '-' && t->s[1] == '-'))) {
        buf_puts(b, "\u2014");
    } else if ((h = range_hyphen(t)) > 0) {
        put_valid(b, t->s, h, valid);
        buf_puts(b, "\u2013");
        put_valid(b, t->s + h + 1, t->len - h - 1, valid);
    } else {
        put_valid(b, t->s, t->len, valid);
    }
}

/* Does put_token copy t as it is? */
static bool token_verbatim(const token *t, bool spaced, bool keep, bool valid)
{
    if (!valid)
        return false;
    if (keep)
        return true;
    if (spaced &&
        ((t->len == 1 && t->s[0] == '-') || (t->len == 2 && t->s[0] == '-' && t->s[1] == '-')))
        return false;
    return range_hyphen(t) == 0;
}

/* Input copied to the output as it is, not yet put: most tokens and the
 * spaces between them are, and one buf_putn for a run of them costs less
 * than one per token and per space. */
typedef struct copy_run {
    const char *from, *to;
} copy_run;

static void run_flush(buf *out, copy_run *r)
{
    if (r->to != r->from)
        buf_putn(out, r->from, (size_t)(r->to - r->from));
    r->from = r->to = NULL;
}

/* s[0..n) goes to the output next, as it is. */
static void run_add(buf *out, copy_run *r, const char *s, size_t n)
{
    if (r->to != s) {
        run_flush(out, r);
        r->from = s;
    }
    r->to = s + n;
}

/* put_token through the run. */
static void put_token_run(buf *out, copy_run *r, const token *t, bool spaced, bool keep, bool valid)
{
    if (token_verbatim(t, spaced, keep, valid)) {
        run_add(out, r, t->s, t->len);
        return;
    }
    run_flush(out, r);
    put_token(out, t, spaced, keep, valid);
}

/* The space after `left`, before `right`: U+00A0 or ' ', taken from the
 * input when it is typed so. */
static void put_space_run(buf *out, copy_run *r, const token *left, const token *right, bool nbsp)
{
    const char *gap = left->s + left->len;
    size_t n = (size_t)(right->s - gap);
    if (nbsp ? n == 2 && (unsigned char)gap[0] == 0xC2 && (unsigned char)gap[1] == 0xA0
             : n == 1 && gap[0] == ' ') {
        run_add(out, r, gap, n);
        return;
    }
    run_flush(out, r);
    buf_put_cp(out, nbsp ? TEXT_NBSP : ' ');
}

/* Does a quote after cp open? After a space, the start or an opening
 * bracket, quote or dash. */
static bool opens_after(uint32_t cp)
{
    return cp == 0 || cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == TEXT_NBSP ||
           cp == '(' || cp == '[' || cp == '{' || cp == '/' || cp == 0x00AB || cp == 0x201E ||
           cp == '-' || cp == 0x2013 || cp == 0x2014;
}

/* ru/quote: straight double quotes become «ёлочки» outside and „лапки“
 * inside (docs/typesetting.md §2); typed «» count in the nesting. An
 * unmatched closing quote becomes ». */
static void put_quotes(buf *out, const char *in, size_t len)
{
    size_t depth = 0, run = 0; /* in[run, i): copied as typed, not yet out */
    uint32_t prev = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(in + i, len - i, &cp);
        if (cp == '"') {
            buf_putn(out, in + run, i - run);
            run = i + n;
            if (opens_after(prev)) {
                buf_puts(out, depth++ ? "\u201E" : "\u00AB");
            } else {
                depth -= depth > 0;
                buf_puts(out, depth ? "\u201C" : "\u00BB");
            }
        } else if (cp == 0x00AB) {
            depth++;
        } else if (cp == 0x00BB && depth > 0) {
            depth--;
        }
        prev = cp;
        i += n;
    }
    buf_putn(out, in + run, len - run);
}

static char *ref_typography_with(const char *in, size_t len, bool keep)
{
    buf quoted;
    buf_init(&quoted);
    /* without a straight quote put_quotes would copy the text as it is */
    if (!keep && memchr(in, '"', len)) {
        put_quotes(&quoted, in, len);
        in = quoted.data ? quoted.data : "";
        len = quoted.len;
    }
    /* tokens are cut at spaces, NBSP and '-', never inside a character */
    bool valid = utf8_check(in, len) == len;
    /* One pass with a window of three tokens: every decision looks at the
     * two words around a space and the word before them, so the work is
     * linear in the input. */
    buf out;
    buf_init(&out);
    token before = {0}, left = {0}, right;
    bool have_before = false, have_left = false;
    size_t pos = 0;
    copy_run run = {NULL, NULL};
    while (read_token(in, len, &pos, &right)) {
        if (have_left) {
            put_token_run(&out, &run, &left, have_before, keep, valid);
            bool nbsp = right.typed_nbsp || binds(have_before ? &before : NULL, &left, &right);
            put_space_run(&out, &run, &left, &right, nbsp);
        }
        before = left;
        have_before = have_left;
        left = right;
        have_left = true;
    }
    if (have_left)
        put_token_run(&out, &run, &left, false, keep, valid);
    run_flush(&out, &run);
    buf_fini(&quoted);
    return buf_take(&out);
}

/* ---- The tests ---- */

/* new against reference on in[0..len), both modes; a difference is printed */
static bool same_as_reference(const char *in, size_t len)
{
    bool same = true;
    for (int keep = 0; keep < 2; keep++) {
        char *want = ref_typography_with(in, len, keep);
        char *got = text_typography_with(in, len, keep);
        if (strcmp(got, want) != 0) {
            print_error("keep %d, input \"%.*s\" (%zu bytes):\n got  \"%s\"\n want \"%s\"\n", keep,
                        (int)len, in, len, got, want);
            same = false;
        }
        free(want);
        free(got);
    }
    return same;
}

/* Edges of the fast paths: a rule's character first or last in a token, a
 * token that is one character, multi-byte characters where ASCII is expected,
 * bytes that are no UTF-8 inside, before and after a token, and cut at the end. */
static const char *const edges[] = {
    "в",
    "В",
    "в школе",
    "В ШКОЛЕ",
    "ли",
    "же бы ли",
    "есть ли",
    "так ли,",
    "в, на",
    "№",
    "№ 5",
    "№№ 5-7",
    "№ Р-145",
    "№5",
    "№\u00A05",
    "\u00A0№ 5\u00A0",
    "(в школе)",
    "«в» школе",
    "\"в\" школе",
    "(в)",
    "[в]",
    "{в}",
    "'в' школе",
    "\u201Eв\u201C школе",
    "\u2018в\u2019 школе",
    "в\u2026 школе",
    "в… школе",
    "школа… в",
    "г. Братск",
    "г.Братск",
    "Г. Братск",
    "2023 г.",
    "2023 г. Министерство",
    "в 2023 гг.",
    "2023-2025 гг.",
    "2023-2025",
    "2.3-2.6",
    "1,5-2",
    "5-7 июня",
    "273-ФЗ",
    "7-й",
    "-5",
    "5-",
    "2023-09-01",
    "5 июня 2023",
    "31 декабря 2023 г.",
    "32 декабря",
    "5 ИЮНЯ",
    "Июня 2023",
    "И.Н. Шадрин",
    "И. Н. Шадрин",
    "Шадрин И.Н.",
    "Шадрин И. Н.",
    "И.Н.Ш. Шадрин",
    "И.Н.Ш.Щ. Шадрин",
    "и.н. шадрин",
    "А.А. Римский-Корсаков",
    "Римский-Корсаков А.А.",
    "т. д.",
    "т. е.",
    "и т. д. Далее",
    "т. д. Мира",
    "и. о. директора",
    "ул. Мира",
    "ул.Мира",
    "д. 5",
    "кв. 12",
    "пр-т Мира",
    "б-р Мира",
    "просп. Мира",
    "см. п. 2",
    "ч. 2 ст. 28",
    "пп. 1",
    "т. 2",
    "обл. Братск",
    "комн. 5",
    "влад. 3",
    "корп. 1",
    "мкр. Южный",
    "Ул. Мира",
    "УЛ. Мира",
    "ул. мира",
    "ул. (Мира)",
    "ул. -",
    "ул.,",
    "ул.. Мира",
    "текст - далее",
    "текст -- далее",
    "текст --- далее",
    "текст — далее",
    "текст – далее",
    "- начало",
    "конец -",
    "-- ",
    " - - ",
    "слово-слово",
    "слово -слово",
    "слово- слово",
    "\"МБОУ \"Школа № 2\"\"",
    "\"\"",
    "\"",
    "a\"b\"c",
    "«\"в\"»",
    "»\"в",
    "сентября",
    "СЕНТЯБРЯ",
    "сентябряя",
    "сентябр",
    "ёлка в",
    "Ёлка в",
    "ё",
    "Ё в",
    "многострочный\n\t текст \r\n ",
    "\u00A0",
    "\u00A0\u00A0 в\u00A0 \u00A0школе",
    "в\u00A0школе",
    "в \u00A0школе",
    "\u202Fв\u202F",
    "в\u2009школе",
    "\xC2",
    "\xC2 в",
    "в \xC2",
    "в\xC2\xA0",
    "в \xC2\xC2\xA0школе",
    "\xC2\x41 в",
    "\xFF",
    "в \xFF школе",
    "\xFFв школе",
    "в\xFF школе",
    "\xD0 в",
    "\xD0\xB2 \xD0",
    "и\xE2\x80 \xC2",
    "\xE2\x80\x94",
    "\xE2\x80",
    "\xE2 - \xE2",
    "\x80\x80 в",
    "\xF0\x9F\x98\x80 в школе",
    "в \xF0\x9F\x98\x80",
    "\xED\xA0\x80 в",
    "\xC0\xAF в",
    "\xE0\x80\xAF",
    "в\x01школе",
    "в \x7F",
    "\xD1\x91",
    "\xC3\x80 \xC3\xA0 в",
    "Ж Ъ",
    "в 1",
    "по 1",
    "до 31 мая",
    "мая 2023",
    "мая 20233",
    "№ «А-1»",
    "(№ 5)",
    "№ (5)",
    "№ 5,",
    "2023 г.,",
    "2023 г.!",
    "5 июня,",
    "5, июня",
    "",
    " ",
    "  в  ",
    "а б в г д е ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я",
};

static void test_edges(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        failures += !same_as_reference(edges[i], strlen(edges[i]));
    /* the length given is the end: each edge cut after every byte */
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        for (size_t n = 0; n < strlen(edges[i]); n++)
            failures += !same_as_reference(edges[i], n);
    assert_int_equal(failures, 0);
}

/* What random texts are made of. */
static const char *const pieces[] = {
    /* every word of every list, lower and upper case */
    "а",
    "бы",
    "в",
    "во",
    "да",
    "до",
    "же",
    "за",
    "и",
    "из",
    "к",
    "ко",
    "ли",
    "на",
    "не",
    "ни",
    "но",
    "о",
    "об",
    "от",
    "по",
    "с",
    "со",
    "то",
    "у",
    "А",
    "БЫ",
    "В",
    "Во",
    "ДА",
    "До",
    "ЖЕ",
    "За",
    "И",
    "ИЗ",
    "К",
    "КО",
    "ЛИ",
    "НА",
    "Не",
    "НИ",
    "НО",
    "О",
    "ОБ",
    "От",
    "ПО",
    "С",
    "СО",
    "То",
    "У",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
    "ЯНВАРЯ",
    "Февраля",
    "МАРТА",
    "Апреля",
    "МАЯ",
    "ИЮНЯ",
    "Июля",
    "АВГУСТА",
    "СЕНТЯБРЯ",
    "Октября",
    "НОЯБРЯ",
    "Декабря",
    "обл",
    "кр",
    "ст",
    "пос",
    "д",
    "ул",
    "пер",
    "пр",
    "пр-т",
    "просп",
    "пл",
    "бул",
    "б-р",
    "наб",
    "ш",
    "туп",
    "оф",
    "ком",
    "комн",
    "уч",
    "вл",
    "влад",
    "стр",
    "кор",
    "корп",
    "кв",
    "под",
    "эт",
    "мкр",
    "т",
    "п",
    "пп",
    "ч",
    "см",
    "ОБЛ",
    "Ул",
    "ПР-Т",
    "Б-Р",
    "г",
    "гг",
    "Г",
    "ГГ",
    "№",
    "№№",
    /* near misses: one letter more or less, another letter */
    "ал",
    "бб",
    "вв",
    "ии",
    "январь",
    "сентябр",
    "сентябряя",
    "ма",
    "майя",
    "ул-",
    "прт",
    "пр-",
    "б-",
    "гр",
    "№№№",
    "ё",
    "Ё",
    "ёж",
    "Ж",
    "ъ",
    "я",
    "Я",
    "ая",
    /* names, initials, words */
    "Шадрин",
    "Петров-Водкин",
    "И",
    "Н",
    "Ш",
    "И.Н",
    "И.Н.Ш",
    "И.Н.Ш.Щ",
    "школа",
    "Мира",
    "Братск",
    "Министерство",
    "директора",
    "e",
    "text",
    "Word",
    "ABC",
    "x",
    /* numbers */
    "1",
    "5",
    "12",
    "31",
    "32",
    "0",
    "2023",
    "2025",
    "20233",
    "2.3",
    "2,6",
    "1.",
    "273",
    "7",
    /* punctuation and rule characters */
    "-",
    "--",
    "---",
    "\u2013",
    "\u2014",
    "\u2011",
    "/",
    ".",
    ",",
    ";",
    ":",
    "!",
    "?",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "\u00AB",
    "\u00BB",
    "\u201E",
    "\u201C",
    "\u201D",
    "\u2018",
    "\u2019",
    "\u2026",
    "\u00AD",
    "\u202F",
    "\u2009",
    "\u2116",
    "\u00A0",
    /* multi-byte characters of other lengths, and bytes that are no UTF-8 */
    "\xC3\xA9",
    "\xE2\x82\xAC",
    "\xF0\x9F\x98\x80",
    "\xC2",
    "\xC2\x41",
    "\xFF",
    "\xD0",
    "\x80",
    "\xE2\x80",
    "\xED\xA0\x80",
    "\xC0\xAF",
    "\xF4\x90\x80\x80",
    "\x01",
};

/* Between pieces: nothing (they touch), or white space. */
static const char *const gaps[] = {"",       "",        "",   " ",  " ",    " ",  " ", "  ",
                                   "\u00A0", " \u00A0", "\t", "\n", "\r\n", "\f", "\v"};

/* xorshift64: the same texts at every run */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void test_random_texts(void **state)
{
    (void)state;
    enum { TEXTS = 60000, MAX_PIECES = 12 };
    uint64_t x = 0x9E3779B97F4A7C15u;
    size_t failures = 0;
    buf b;
    buf_init(&b);
    for (size_t t = 0; t < TEXTS && failures < 5; t++) {
        buf_clear(&b);
        size_t n = 1 + next_random(&x) % MAX_PIECES;
        for (size_t k = 0; k < n; k++) {
            buf_puts(&b, pieces[next_random(&x) % (sizeof pieces / sizeof *pieces)]);
            buf_puts(&b, gaps[next_random(&x) % (sizeof gaps / sizeof *gaps)]);
        }
        failures += !same_as_reference(b.data, b.len);
    }
    buf_fini(&b);
    assert_int_equal(failures, 0);
}

/* The samples' texts are long: a paragraph of many tokens, past every
 * window and buffer size. */
static void test_long_text(void **state)
{
    (void)state;
    uint64_t x = 12345;
    buf b;
    buf_init(&b);
    for (size_t k = 0; k < 20000; k++) {
        buf_puts(&b, pieces[next_random(&x) % (sizeof pieces / sizeof *pieces)]);
        buf_puts(&b, gaps[3 + next_random(&x) % (sizeof gaps / sizeof *gaps - 3)]);
    }
    assert_true(same_as_reference(b.data, b.len));
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_long_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
