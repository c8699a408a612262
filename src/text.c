/* text: see text.h. Two independent halves: typograf-style non-breaking
 * spaces over a whole paragraph, and break points of a single word (explicit
 * hyphens, soft hyphens, libhyphen patterns), both following docs/typesetting.md §2. */
#include "text.h"

#include <hyphen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"

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
 * none of them (find_words), and most words of a text are longer. */
#define LITERAL_MAX_BYTES 16

typedef struct token {
    const char *s;
    size_t len;
    size_t lead, tail; /* core = s[lead..tail) */
    bool typed_nbsp;   /* the space before it held a U+00A0 */
    bool valid;        /* s[0..len) is UTF-8 (else put_valid mends it) */
    unsigned words;    /* the word lists its core is in, ignoring case (WORD_…) */
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

/* The bytes that may start an opener (is_opener) and end a closer (is_closer):
 * the others are no punctuation around a core, so most tokens, which begin and
 * end with a letter or digit, get their core at one lookup each end. A byte
 * listed here is only a candidate (0xBB also ends «л», U+043B). */
static const bool may_open[256] = {['('] = true,  ['['] = true,  ['{'] = true, ['"'] = true,
                                   ['\''] = true, [0xC2] = true, [0xE2] = true};
static const bool may_close[256] = {
    [')'] = true,  [']'] = true,  ['}'] = true,  ['"'] = true, ['\''] = true, ['.'] = true,
    [','] = true,  [';'] = true,  [':'] = true,  ['!'] = true, ['?'] = true,  [0xBB] = true,
    [0x99] = true, [0x9C] = true, [0x9D] = true, [0xA6] = true};

/* Cut a token from in[i..len) (i at its first byte, after the spaces): *end is
 * where the next space or NBSP starts, or len. One walk that checks the UTF-8
 * too: true when the token's bytes are valid. No byte inside a valid
 * character (10xxxxxx) is a space or starts an NBSP, so stepping over whole
 * characters ends where a walk byte by byte would; a bad byte is stepped over
 * alone. */
static bool scan_token(const char *in, size_t len, size_t i, size_t *end)
{
    const unsigned char *u = (const unsigned char *)in;
    bool valid = true;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) { /* ASCII: ends at white space */
            if (is_space_byte((char)c))
                break;
            i++;
        } else if (c >= 0xC2 && c <= 0xDF && i + 1 < len && (u[i + 1] & 0xC0) == 0x80) {
            if (c == 0xC2 && u[i + 1] == 0xA0) /* NBSP */
                break;
            i += 2; /* Cyrillic, Latin-1: two bytes */
        } else {
            uint32_t cp;
            size_t k = utf8_decode(in + i, len - i, &cp);
            valid &= k != 0;
            i += k ? k : 1;
        }
    }
    *end = i;
    return valid;
}

/* The core of a token in lower case (fold_case) into folded, when it is valid
 * UTF-8: fold_case keeps the UTF-8 length of every code point, so the folded
 * core is as long as the core. */
static bool fold_core(const token *t, char folded[LITERAL_MAX_BYTES])
{
    size_t n = t->tail - t->lead;
    const unsigned char *s = (const unsigned char *)t->s + t->lead;
    if (n > LITERAL_MAX_BYTES)
        return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode((const char *)s + i, n - i, &cp);
        if (k == 0)
            return false; /* a bad byte equals no letter of a literal */
        uint32_t f = fold_case(cp);
        if (k == 1) {
            folded[i] = (char)f;
        } else if (k == 2) {
            folded[i] = (char)(0xC0 | (f >> 6));
            folded[i + 1] = (char)(0x80 | (f & 0x3F));
        } else {
            memcpy(folded + i, s + i, k); /* fold_case keeps these */
        }
        i += k;
    }
    return true;
}

static unsigned find_words(const token *t);

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
    t->valid = scan_token(in, len, start, &i);
    t->s = in + start;
    t->len = i - start;
    t->lead = 0;
    while (t->lead < t->len && may_open[(unsigned char)t->s[t->lead]]) {
        uint32_t cp;
        size_t n = utf8_next(t->s + t->lead, t->len - t->lead, &cp);
        if (!is_opener(cp))
            break;
        t->lead += n;
    }
    t->tail = t->len;
    while (t->tail > t->lead && may_close[(unsigned char)t->s[t->tail - 1]]) {
        size_t p = step_back(t->s, t->lead, t->tail);
        uint32_t cp;
        if (utf8_next(t->s + p, t->tail - p, &cp) != t->tail - p || !is_closer(cp))
            break;
        t->tail = p;
    }
    *pos = i;
    t->words = find_words(t);
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

static size_t count_digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_digit((unsigned char)s[i]))
        i++;
    return i;
}

/* The word lists the rules look a core up in, ignoring case (docs/typesetting.md §2). */
enum {
    WORD_SIGN = 1u,     /* «№», «№№» */
    WORD_SHORT = 2u,    /* typograf common/nbsp/afterShortWord, ru list (src/data/ru.ts) */
    WORD_PARTICLE = 4u, /* ru/nbsp/beforeParticle, narrowed to the particles §2 names */
    WORD_MONTH = 8u,    /* month names in the genitive, as dates are written ("5 июня") */
    /* abbreviations that bind the next word: typograf ru/nbsp/addr (обл., ул.,
     * д., кв., …) plus the references of legal text, "п. 2", "ч. 1 ст. 28",
     * "т. 2", "см. …" (ru/nbsp/see); "г." has its own rule */
    WORD_ADDRESS = 16u,
    WORD_YEAR = 32u, /* "г.", "гг." */
};

/* A word of the lists in lower case, its length in bytes and its lists. */
typedef struct word_entry {
    const char *s;
    unsigned char n, words;
} word_entry;

/* The table is indexed by the word's length in bytes and its first, last but
 * one and last characters (WORD_SLOT), so a core is compared with one word at
 * most, and most cores (longer than LITERAL_MAX_BYTES, or at a slot no word
 * holds) with none. Two words at one slot would be an initializer given twice,
 * which the compiler refuses (-Woverride-init, in -Wextra): WORD_SLOTS is the
 * least size at which none of them meet. A word at a wrong slot is never found,
 * which tests/unit/test_text_typo.c would see. */
#define WORD_SLOTS 578u
/* A character as a number: а–я 1–32, ё 33, № 34, any other 0. */
#define WORD_LETTER(cp)                                                                            \
    ((cp) >= 0x0430u && (cp) <= 0x044Fu ? (cp)-0x042Fu                                             \
     : (cp) == 0x0451u                  ? 33u                                                      \
     : (cp) == 0x2116u                  ? 34u                                                      \
                                        : 0u)
/* n bytes whose first, last but one (the first, when it is the only one) and
 * last characters are first, pen, last. */
#define WORD_SLOT(n, first, pen, last)                                                             \
    ((((n)*35u + WORD_LETTER(first)) * 35u + WORD_LETTER(pen)) * 35u + WORD_LETTER(last)) %        \
        WORD_SLOTS
/* The word s (its first, last but one and last characters: f, p, l) in the lists w. */
#define WORD(s, f, p, l, w)                                                                        \
    [WORD_SLOT(sizeof(s) - 1, (uint32_t)(f), (uint32_t)(p), (uint32_t)(l))] = {                    \
        s, sizeof(s) - 1 + 0 * sizeof(struct {                                                     \
                               _Static_assert(sizeof(s) - 1 <= LITERAL_MAX_BYTES,                  \
                                              "a word is too long");                               \
                               int ok;                                                             \
                           }),                                                                     \
        w}

static const word_entry word_table[WORD_SLOTS] = {
    WORD("№", u'№', u'№', u'№', WORD_SIGN),
    WORD("№№", u'№', u'№', u'№', WORD_SIGN),
    WORD("а", u'а', u'а', u'а', WORD_SHORT),
    WORD("бы", u'б', u'б', u'ы', WORD_SHORT | WORD_PARTICLE),
    WORD("в", u'в', u'в', u'в', WORD_SHORT),
    WORD("во", u'в', u'в', u'о', WORD_SHORT),
    WORD("да", u'д', u'д', u'а', WORD_SHORT),
    WORD("до", u'д', u'д', u'о', WORD_SHORT),
    WORD("же", u'ж', u'ж', u'е', WORD_SHORT | WORD_PARTICLE),
    WORD("за", u'з', u'з', u'а', WORD_SHORT),
    WORD("и", u'и', u'и', u'и', WORD_SHORT),
    WORD("из", u'и', u'и', u'з', WORD_SHORT),
    WORD("к", u'к', u'к', u'к', WORD_SHORT),
    WORD("ко", u'к', u'к', u'о', WORD_SHORT),
    WORD("ли", u'л', u'л', u'и', WORD_SHORT | WORD_PARTICLE),
    WORD("на", u'н', u'н', u'а', WORD_SHORT),
    WORD("не", u'н', u'н', u'е', WORD_SHORT),
    WORD("ни", u'н', u'н', u'и', WORD_SHORT),
    WORD("но", u'н', u'н', u'о', WORD_SHORT),
    WORD("о", u'о', u'о', u'о', WORD_SHORT),
    WORD("об", u'о', u'о', u'б', WORD_SHORT),
    WORD("от", u'о', u'о', u'т', WORD_SHORT),
    WORD("по", u'п', u'п', u'о', WORD_SHORT),
    WORD("с", u'с', u'с', u'с', WORD_SHORT | WORD_ADDRESS),
    WORD("со", u'с', u'с', u'о', WORD_SHORT),
    WORD("то", u'т', u'т', u'о', WORD_SHORT),
    WORD("у", u'у', u'у', u'у', WORD_SHORT),
    WORD("января", u'я', u'р', u'я', WORD_MONTH),
    WORD("февраля", u'ф', u'л', u'я', WORD_MONTH),
    WORD("марта", u'м', u'т', u'а', WORD_MONTH),
    WORD("апреля", u'а', u'л', u'я', WORD_MONTH),
    WORD("мая", u'м', u'а', u'я', WORD_MONTH),
    WORD("июня", u'и', u'н', u'я', WORD_MONTH),
    WORD("июля", u'и', u'л', u'я', WORD_MONTH),
    WORD("августа", u'а', u'т', u'а', WORD_MONTH),
    WORD("сентября", u'с', u'р', u'я', WORD_MONTH),
    WORD("октября", u'о', u'р', u'я', WORD_MONTH),
    WORD("ноября", u'н', u'р', u'я', WORD_MONTH),
    WORD("декабря", u'д', u'р', u'я', WORD_MONTH),
    WORD("обл", u'о', u'б', u'л', WORD_ADDRESS),
    WORD("кр", u'к', u'к', u'р', WORD_ADDRESS),
    WORD("ст", u'с', u'с', u'т', WORD_ADDRESS),
    WORD("пос", u'п', u'о', u'с', WORD_ADDRESS),
    WORD("д", u'д', u'д', u'д', WORD_ADDRESS),
    WORD("ул", u'у', u'у', u'л', WORD_ADDRESS),
    WORD("пер", u'п', u'е', u'р', WORD_ADDRESS),
    WORD("пр", u'п', u'п', u'р', WORD_ADDRESS),
    WORD("пр-т", u'п', u'-', u'т', WORD_ADDRESS),
    WORD("просп", u'п', u'с', u'п', WORD_ADDRESS),
    WORD("пл", u'п', u'п', u'л', WORD_ADDRESS),
    WORD("бул", u'б', u'у', u'л', WORD_ADDRESS),
    WORD("б-р", u'б', u'-', u'р', WORD_ADDRESS),
    WORD("наб", u'н', u'а', u'б', WORD_ADDRESS),
    WORD("ш", u'ш', u'ш', u'ш', WORD_ADDRESS),
    WORD("туп", u'т', u'у', u'п', WORD_ADDRESS),
    WORD("оф", u'о', u'о', u'ф', WORD_ADDRESS),
    WORD("ком", u'к', u'о', u'м', WORD_ADDRESS),
    WORD("комн", u'к', u'м', u'н', WORD_ADDRESS),
    WORD("уч", u'у', u'у', u'ч', WORD_ADDRESS),
    WORD("вл", u'в', u'в', u'л', WORD_ADDRESS),
    WORD("влад", u'в', u'а', u'д', WORD_ADDRESS),
    WORD("стр", u'с', u'т', u'р', WORD_ADDRESS),
    WORD("кор", u'к', u'о', u'р', WORD_ADDRESS),
    WORD("корп", u'к', u'р', u'п', WORD_ADDRESS),
    WORD("кв", u'к', u'к', u'в', WORD_ADDRESS),
    WORD("под", u'п', u'о', u'д', WORD_ADDRESS),
    WORD("эт", u'э', u'э', u'т', WORD_ADDRESS),
    WORD("мкр", u'м', u'к', u'р', WORD_ADDRESS),
    WORD("т", u'т', u'т', u'т', WORD_ADDRESS),
    WORD("п", u'п', u'п', u'п', WORD_ADDRESS),
    WORD("пп", u'п', u'п', u'п', WORD_ADDRESS),
    WORD("ч", u'ч', u'ч', u'ч', WORD_ADDRESS),
    WORD("см", u'с', u'с', u'м', WORD_ADDRESS),
    WORD("г", u'г', u'г', u'г', WORD_YEAR),
    WORD("гг", u'г', u'г', u'г', WORD_YEAR),
};

/* The lists the core of t is in: the one word at its slot, compared with the
 * core in lower case (equal bytes are equal code points, as fold_case keeps
 * each one's length). */
static unsigned find_words(const token *t)
{
    size_t n = t->tail - t->lead;
    if (n == 0 || n > LITERAL_MAX_BYTES)
        return 0;
    const char *s = t->s + t->lead;
    uint32_t first, pen, last;
    utf8_next(s, n, &first);
    size_t p = step_back(s, 0, n);
    utf8_next(s + p, n - p, &last);
    pen = first;
    if (p > 0) {
        size_t q = step_back(s, 0, p);
        utf8_next(s + q, p - q, &pen);
    }
    const word_entry *e =
        &word_table[WORD_SLOT(n, fold_case(first), fold_case(pen), fold_case(last))];
    char folded[LITERAL_MAX_BYTES];
    if (e->n != n || !fold_core(t, folded) || memcmp(folded, e->s, n) != 0)
        return 0;
    return e->words;
}

static bool is_number_sign(const token *t)
{
    return is_bare(t) && (t->words & WORD_SIGN);
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
    if (ends_with_digit(l) && has_dot(r) && (r->words & WORD_YEAR))
        return true;
    /* ru/nbsp/dayMonth: "5 июня"; and the year after the month, because a
     * date in words must not break at all (docs/typesetting.md §1.4). */
    if (is_day(l) && (r->words & WORD_MONTH))
        return true;
    if (is_bare(l) && (l->words & WORD_MONTH) && is_year(r))
        return true;
    /* ru/nbsp/addr: "г. Братск" but not the year in "2023 г. Министерство". */
    if (is_abbreviation(l) && (l->words & WORD_YEAR) && is_upper(first_cp(r)) &&
        !(before && ends_with_digit(before)))
        return true;
    /* ru/nbsp/addr and legal references: "ул. Мира", "п. 2"; the "д." that
     * closes "т. д." binds nothing. */
    uint32_t rc = first_cp(r);
    if (is_abbreviation(l) && (l->words & WORD_ADDRESS) && (is_letter(rc) || is_digit(rc)) &&
        !(before && is_abbreviation(before) && core_is(before, "т")))
        return true;
    /* ru/nbsp/abbr: "т. д.", "т. е.", "и. о." */
    if (is_abbreviation(l) && has_dot(r) && is_short_abbreviation(l) && is_short_abbreviation(r))
        return true;
    /* common/nbsp/afterShortWord and ru/nbsp/beforeParticle. */
    if (is_bare(l) && (l->words & WORD_SHORT))
        return true;
    if (is_bare(l) && (r->words & WORD_PARTICLE))
        return true;
    /* ru/dash/main: no line starts with a dash. */
    return is_dash(r);
}

/* Copy s[0..n), replacing bytes that are not UTF-8 with U+FFFD so the result
 * is always valid whatever the caller passed. */
static void put_valid(buf *b, const char *s, size_t n, bool valid)
{
    if (valid) { /* s is (part of) a token scan_token found valid, cut between characters */
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
    if (n == 0 || !is_digit((unsigned char)s[0]))
        return 0; /* the common case: no number first (is_range_number) */
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
static void put_token(buf *b, const token *t, bool spaced, bool keep)
{
    bool valid = t->valid;
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
static bool token_verbatim(const token *t, bool spaced, bool keep)
{
    if (!t->valid)
        return false;
    if (keep)
        return true;
    if (spaced &&
        ((t->len == 1 && t->s[0] == '-') || (t->len == 2 && t->s[0] == '-' && t->s[1] == '-')))
        return false;
    return !starts_with_digit(t) || range_hyphen(t) == 0; /* a range starts with one */
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
static void put_token_run(buf *out, copy_run *r, const token *t, bool spaced, bool keep)
{
    if (token_verbatim(t, spaced, keep)) {
        run_add(out, r, t->s, t->len);
        return;
    }
    run_flush(out, r);
    put_token(out, t, spaced, keep);
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

char *text_typography(const char *in, size_t len)
{
    return text_typography_with(in, len, false);
}

char *text_typography_with(const char *in, size_t len, bool keep)
{
    buf quoted;
    buf_init(&quoted);
    /* without a straight quote put_quotes would copy the text as it is */
    if (!keep && memchr(in, '"', len)) {
        put_quotes(&quoted, in, len);
        in = quoted.data ? quoted.data : "";
        len = quoted.len;
    }
    /* One pass with a window of three tokens: every decision looks at the
     * two words around a space and the word before them, so the work is
     * linear in the input. */
    buf out;
    buf_init(&out);
    token ring[3]; /* the window's tokens, moved along by pointers, not copied */
    token *before = NULL, *left = NULL, *right = &ring[0];
    size_t pos = 0;
    copy_run run = {NULL, NULL};
    while (read_token(in, len, &pos, right)) {
        if (left) {
            put_token_run(&out, &run, left, before != NULL, keep);
            bool nbsp = right->typed_nbsp || binds(before, left, right);
            put_space_run(&out, &run, left, right, nbsp);
        }
        token *spare = before ? before : left ? &ring[2] : &ring[1];
        before = left;
        left = right;
        right = spare;
    }
    if (left)
        put_token_run(&out, &run, left, false, keep);
    run_flush(&out, &run);
    buf_fini(&quoted);
    return buf_take(&out);
}

/* ---- Hyphenation ---- */

/* The dictionary is either a pattern file that libhyphen parses (hnj_hyphen_load), or
 * the same patterns compiled at build time (text_hyph_compile): libhyphen's own state
 * machine written out as one block, mapped (or read) and pointed at, with no parsing
 * (docs/hyphenation.md). In the second case the block holds every byte of it. */
typedef struct hyph_memo hyph_memo;

struct text_hyph {
    HyphenDict *dict;
    char *block; /* the compiled file read into memory (free), or NULL */
    void *map;   /* the compiled file mapped where it was written for (munmap), or NULL */
    size_t map_len;
    /* the breaks of words already looked up (text_word_breaks): filled
     * through a const text_hyph, as the answers are the dictionary's */
    hyph_memo *memo;
};

static hyph_memo *memo_new(void);
static void memo_free(hyph_memo *m);

/* ---- The compiled dictionary ----
 *
 * One block: a header, then per level (libhyphen chains two: the compound level
 * of its defaults, then the patterns) a HyphenDict, its HyphenState array, its
 * HyphenTrans array and its strings. Every pointer inside is written as the
 * address it has when the block sits at HYB_BASE (NULL stays NULL). Loading maps
 * the file there, read-only and shared with the page cache, and only checks it;
 * where that address is taken, it reads the block anywhere and moves every
 * pointer. The layout is this machine's (sizes and byte order are checked): the
 * file is made by `make` next to the program that reads it. */

#define HYB_MAGIC "nastavdoc-hyph\n"
#define HYB_VERSION 2u
/* Where the block is mapped: far from the program (0x55…), its heap, the shared
 * libraries and stacks (0x7f…), and from AddressSanitizer's shadow (below
 * 0x1000_8000_0000) and allocator (0x6000_0000_0000). */
#define HYB_BASE UINT64_C(0x4a0000000000)
/* A compiled file larger than this is not ours (Russian: about 1 MiB). */
#define HYB_MAX_BYTES (64u << 20)
/* libhyphen chains at most two levels (hnj_hyphen_load_file). */
#define HYB_MAX_LEVELS 2u

typedef struct hyb_header {
    char magic[16];
    uint32_t version, order; /* order: 0x01020304 as written by the machine that made it */
    uint32_t dict_size, state_size, trans_size, levels;
    uint64_t size, first; /* bytes of the whole block; offset of the first level's dict */
    uint64_t base;        /* HYB_BASE: where the pointers inside point into */
} hyb_header;

static const uint32_t HYB_ORDER = 0x01020304u;

/* The pointer written for offset off of the block (0: NULL). */
static void *hyb_ptr(uint64_t off)
{
    return off ? (void *)(uintptr_t)(HYB_BASE + off) : NULL;
}

/* Append n bytes aligned for their type; their offset. */
static uint64_t hyb_put(buf *b, const void *p, size_t n, size_t align)
{
    static const char zeros[16];
    buf_putn(b, zeros, (align - b->len % align) % align);
    size_t at = b->len;
    buf_putn(b, p, n);
    return at;
}

/* The bytes of a NOHYPHEN list: nohyphenl + 1 strings one after another. */
static size_t nohyphen_bytes(const HyphenDict *d)
{
    size_t n = 0;
    for (int i = 0; d->nohyphen && i <= d->nohyphenl; i++)
        n += strlen(d->nohyphen + n) + 1;
    return n;
}

/* Write one level (and the levels after it); the offset of its HyphenDict. */
static uint64_t hyb_put_level(buf *b, const HyphenDict *d, unsigned depth, bool *ok)
{
    if (depth >= HYB_MAX_LEVELS || d->num_states < 1) {
        *ok = false;
        return 0;
    }
    uint64_t next = d->nextlevel ? hyb_put_level(b, d->nextlevel, depth + 1, ok) : 0;
    size_t ns = (size_t)d->num_states;
    HyphenState *states = xcalloc(ns, sizeof *states);
    for (size_t i = 0; i < ns; i++) {
        const HyphenState *s = &d->states[i];
        /* non-standard hyphenation (repl) is not used by the Russian patterns */
        *ok &= !s->repl && s->num_trans >= 0;
        states[i].fallback_state = s->fallback_state;
        states[i].replindex = s->replindex;
        states[i].replcut = s->replcut;
        states[i].num_trans = s->num_trans;
        if (s->match)
            states[i].match = hyb_ptr(hyb_put(b, s->match, strlen(s->match) + 1, 1));
        if (s->num_trans > 0) {
            HyphenTrans *t = xcalloc((size_t)s->num_trans, sizeof *t);
            for (int k = 0; k < s->num_trans; k++) { /* members one by one: padding stays 0 */
                t[k].ch = s->trans[k].ch;
                t[k].new_state = s->trans[k].new_state;
            }
            states[i].trans =
                hyb_ptr(hyb_put(b, t, (size_t)s->num_trans * sizeof *t, _Alignof(HyphenTrans)));
            free(t);
        }
    }
    HyphenDict out;
    memset(&out, 0, sizeof out); /* members one by one: the padding stays 0 */
    out.lhmin = d->lhmin;
    out.rhmin = d->rhmin;
    out.clhmin = d->clhmin;
    out.crhmin = d->crhmin;
    out.nohyphenl = d->nohyphenl;
    out.num_states = d->num_states;
    out.utf8 = d->utf8;
    out.nextlevel = hyb_ptr(next);
    memcpy(out.cset, d->cset, sizeof out.cset);
    if (d->nohyphen)
        out.nohyphen = hyb_ptr(hyb_put(b, d->nohyphen, nohyphen_bytes(d), 1));
    out.states = hyb_ptr(hyb_put(b, states, ns * sizeof *states, _Alignof(HyphenState)));
    free(states);
    return hyb_put(b, &out, sizeof out, _Alignof(HyphenDict));
}

bool text_hyph_compile(const char *patterns, char **block, size_t *len)
{
    HyphenDict *dict = hnj_hyphen_load(patterns);
    if (!dict)
        return false;
    buf b;
    buf_init(&b);
    hyb_header h;
    memset(&h, 0, sizeof h);
    buf_putn(&b, (const char *)&h, sizeof h);
    bool ok = true;
    h.first = hyb_put_level(&b, dict, 0, &ok);
    for (const HyphenDict *d = dict; d; d = d->nextlevel)
        h.levels++;
    hnj_hyphen_free(dict);
    buf_putc(&b, '\0'); /* every string ends before the block does */
    memcpy(h.magic, HYB_MAGIC, sizeof HYB_MAGIC);
    h.version = HYB_VERSION;
    h.order = HYB_ORDER;
    h.dict_size = sizeof(HyphenDict);
    h.state_size = sizeof(HyphenState);
    h.trans_size = sizeof(HyphenTrans);
    h.size = b.len;
    h.base = HYB_BASE;
    memcpy(b.data, &h, sizeof h);
    if (!ok) {
        buf_fini(&b);
        return false;
    }
    *len = b.len;
    *block = buf_take(&b);
    return true;
}

/* The block as loaded: at `at`, `size` bytes; its pointers point as if it were at
 * HYB_BASE. `move`: they are rewritten to point into `at` (a block read into memory);
 * otherwise the block is mapped at HYB_BASE, read-only, and only checked. */
typedef struct hyb_block {
    char *at;
    uint64_t size;
    bool move;
} hyb_block;

/* The place a pointer p written in the block refers to, when p is NULL or points at
 * n bytes inside the block, after the header, aligned for their type: *out is where
 * they are now (NULL for NULL). false otherwise. */
static bool hyb_at(const hyb_block *b, const void *p, uint64_t n, size_t align, char **out)
{
    uint64_t a = (uint64_t)(uintptr_t)p;
    *out = NULL;
    if (!p)
        return true;
    if (a < HYB_BASE + sizeof(hyb_header) || a - HYB_BASE > b->size ||
        n > b->size - (a - HYB_BASE) || a % align != 0)
        return false;
    *out = b->at + (a - HYB_BASE);
    return true;
}

/* Check one state's members (and point them into the block when it moved): every
 * pointer, count and state number a hyphenation will follow (hnj_hyphen_hyphenate2
 * trusts them all); the states its transitions lead to are checked by hyb_states. */
static bool hyb_state(const hyb_block *b, HyphenState *s, int num_states)
{
    char *match, *trans;
    if (s->repl || s->num_trans < 0 || s->fallback_state < -1 || s->fallback_state >= num_states ||
        !s->num_trans != !s->trans)
        return false;
    /* the block ends with a NUL, so a match in it ends in it */
    if (!hyb_at(b, s->match, 1, 1, &match) ||
        !hyb_at(b, s->trans, (uint64_t)s->num_trans * sizeof(HyphenTrans), _Alignof(HyphenTrans),
                &trans))
        return false;
    if (b->move) {
        s->match = match;
        s->trans = (HyphenTrans *)trans;
    }
    return true;
}

/* A NOHYPHEN list: nohyphenl + 1 strings, each ending inside the block. */
static bool hyb_nohyphen(const hyb_block *b, const char *list, int count)
{
    for (int i = 0; i <= count; i++) {
        if (list < b->at || list >= b->at + b->size - 1)
            return false;
        list += strlen(list) + 1;
    }
    return true;
}

/* The deepest state a level may have: libhyphen reads a pattern line into
 * MAX_CHARS (256) bytes, so no pattern, and no state, is longer. */
#define HYB_MAX_STATE_DEPTH 256

/* Check level d's states (hyb_state) and the shape libhyphen's walk
 * (hnj_hyphen_hyph_ under hnj_hyphen_hyphenate2) relies on, which the
 * pointers' checks do not see:
 * - a trie from state 0: every state but 0 the target of exactly one
 *   transition, none deeper than HYB_MAX_STATE_DEPTH;
 * - fallbacks to strictly shallower states, so a chain of them ends at -1
 *   (a cycle makes the walk loop for ever on a letter none of its states
 *   has);
 * - a state's match no longer than its depth plus one, and than its depth
 *   when its path starts with '.': the walk writes the match's digits ending
 *   at the current letter, from i + 1 - strlen(match). The word it walks
 *   starts with '.', so a state k letters deep is in use from letter k - 1
 *   on only when its path starts with '.' (a fallback goes shallower), and
 *   from letter k on otherwise: the first digit never falls before the word.
 * One pass, breadth first: each state is checked when it is reached, after
 * the states shallower than it (so a fallback's depth is known). */
static bool hyb_states(const hyb_block *b, HyphenState *states, int num_states)
{
    size_t n = (size_t)num_states, head = 0, tail = 1;
    /* per state: 2 * depth + 1 when its path starts with '.', -1 unreached */
    int *seen = xmalloc(n * sizeof *seen), *queue = xmalloc(n * sizeof *queue);
    memset(seen, 0xFF, n * sizeof *seen);
    seen[0] = 0;
    queue[0] = 0;
    bool ok = true;
    while (ok && head < tail) {
        int at = queue[head++];
        HyphenState *s = &states[at];
        int depth = seen[at] >> 1;
        size_t most = (size_t)depth + !(seen[at] & 1);
        ok = hyb_state(b, s, num_states) &&
             (s->fallback_state == -1 ||
              (seen[s->fallback_state] >= 0 && seen[s->fallback_state] >> 1 < depth)) &&
             (!s->match || strnlen(s->match, most + 1) <= most) &&
             (s->num_trans == 0 || depth < HYB_MAX_STATE_DEPTH);
        for (int k = 0; ok && k < s->num_trans; k++) {
            int t = s->trans[k].new_state;
            ok = t >= 0 && t < num_states && seen[t] < 0;
            if (ok) {
                seen[t] = 2 * (depth + 1) + (at == 0 ? s->trans[k].ch == '.' : seen[at] & 1);
                queue[tail++] = t;
            }
        }
    }
    free(seen);
    free(queue);
    return ok && tail == n;
}

/* Check one level written at p (and the levels after it); where it is now. */
static HyphenDict *hyb_level(const hyb_block *b, const void *p, unsigned depth)
{
    char *at, *states, *next, *nohyphen;
    if (depth >= HYB_MAX_LEVELS || !p ||
        !hyb_at(b, p, sizeof(HyphenDict), _Alignof(HyphenDict), &at))
        return NULL;
    HyphenDict *d = (HyphenDict *)at;
    if (d->num_states < 1 || d->nohyphenl < 0 || !memchr(d->cset, '\0', sizeof d->cset) ||
        !hyb_at(b, d->states, (uint64_t)d->num_states * sizeof(HyphenState), _Alignof(HyphenState),
                &states) ||
        !states || !hyb_at(b, d->nohyphen, 1, 1, &nohyphen) ||
        (nohyphen && !hyb_nohyphen(b, nohyphen, d->nohyphenl)))
        return NULL;
    next = NULL;
    if (d->nextlevel && !(next = (char *)hyb_level(b, d->nextlevel, depth + 1)))
        return NULL;
    if (b->move) {
        d->states = (HyphenState *)states;
        d->nohyphen = nohyphen;
        d->nextlevel = (HyphenDict *)next;
    }
    return hyb_states(b, (HyphenState *)states, d->num_states) ? d : NULL;
}

/* The compiled dictionary in the block; NULL when it is not one this program
 * wrote, or is damaged. */
static HyphenDict *hyb_load(const hyb_block *b)
{
    hyb_header h;
    if (b->size < sizeof h)
        return NULL;
    memcpy(&h, b->at, sizeof h);
    if (memcmp(h.magic, HYB_MAGIC, sizeof HYB_MAGIC) || h.version != HYB_VERSION ||
        h.order != HYB_ORDER || h.dict_size != sizeof(HyphenDict) ||
        h.state_size != sizeof(HyphenState) || h.trans_size != sizeof(HyphenTrans) ||
        h.size != b->size || h.base != HYB_BASE || b->at[b->size - 1] != '\0' || h.first > b->size)
        return NULL;
    return hyb_level(b, hyb_ptr(h.first), 0);
}

/* The compiled file open as fd (size bytes) mapped at HYB_BASE and checked there;
 * NULL when the address is taken (or the system maps it elsewhere) or the file is
 * damaged. The mapping is shared with every process that reads the file. */
static HyphenDict *hyb_map(int fd, size_t size, void **map)
{
    *map = NULL;
#ifdef MAP_FIXED_NOREPLACE
    void *want = (void *)(uintptr_t)HYB_BASE;
    void *m = mmap(want, size, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
    if (m == MAP_FAILED)
        return NULL;
    hyb_block b = {m, size, false};
    HyphenDict *d = m == want ? hyb_load(&b) : NULL;
    if (!d)
        munmap(m, size);
    else
        *map = m;
    return d;
#else
    (void)fd;
    (void)size;
    return NULL;
#endif
}
/* The largest pattern file read (Debian's Russian one: 100 KB). */
#define HYPH_MAX_PATTERNS (16u << 20)

/* A pattern file, parsed by libhyphen from memory (the file is read once, as a
 * regular file: never a FIFO). */
static HyphenDict *patterns_load(char *text, size_t len)
{
    FILE *f = len ? fmemopen(text, len, "r") : NULL;
    if (!f)
        return NULL;
    HyphenDict *dict = hnj_hyphen_load_file(f);
    fclose(f);
    return dict;
}

/* A compiled file read into memory: its pointers moved there. */
static HyphenDict *hyb_read(int fd, char **block)
{
    size_t len = 0;
    *block = util_read_fd(fd, HYB_MAX_BYTES, &len);
    if (!*block)
        return NULL;
    hyb_block b = {*block, len, true};
    return hyb_load(&b);
}

/* The dictionary, checked for the encoding the words are handed over in (to_koi8r):
 * a dictionary in any other would match nothing, silently. */
static text_hyph *hyph_new(text_hyph h, bool compiled)
{
    if (h.dict && strcmp(h.dict->cset, "KOI8-R") != 0) {
        if (!compiled)
            hnj_hyphen_free(h.dict);
        h.dict = NULL;
    }
    if (!h.dict) {
        if (h.map)
            munmap(h.map, h.map_len);
        free(h.block);
        return NULL;
    }
    text_hyph *out = xmalloc(sizeof *out);
    *out = h;
    out->memo = memo_new();
    return out;
}

text_hyph *text_hyph_load(const char *path)
{
    struct stat st;
    int fd = util_open_regular(path, &st);
    if (fd < 0)
        return NULL;
    text_hyph h = {0};
    char head[sizeof HYB_MAGIC];
    /* anything else is refused, never handed to libhyphen's parser */
    if (pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
        !memcmp(head, HYB_MAGIC, sizeof head) && st.st_size > 0 &&
        (uintmax_t)st.st_size <= HYB_MAX_BYTES) {
        h.map_len = (size_t)st.st_size;
        h.dict = hyb_map(fd, h.map_len, &h.map);
        if (!h.dict)
            h.dict = hyb_read(fd, &h.block);
    }
    close(fd);
    return hyph_new(h, true);
}

text_hyph *text_hyph_load_patterns(const char *path)
{
    size_t len = 0;
    char *text = util_read_file(path, HYPH_MAX_PATTERNS, &len);
    text_hyph h = {0};
    h.dict = text ? patterns_load(text, len) : NULL;
    free(text);
    return hyph_new(h, false);
}

void text_hyph_free(text_hyph *h)
{
    if (!h)
        return;
    memo_free(h->memo);
    if (h->map)
        munmap(h->map, h->map_len);
    else if (h->block)
        free(h->block);
    else
        hnj_hyphen_free(h->dict);
    free(h);
}

/* KOI8-R codes of а..я (U+0430..U+044F); ё is 0xA3. The dictionary is
 * KOI8-R and matches lower case only (docs/hyphenation.md). */
static const unsigned char koi8r_lower[32] = {
    0xC1, 0xC2, 0xD7, 0xC7, 0xC4, 0xC5, 0xD6, 0xDA, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD0,
    0xD2, 0xD3, 0xD4, 0xD5, 0xC6, 0xC8, 0xC3, 0xDE, 0xDB, 0xDD, 0xDF, 0xD9, 0xD8, 0xDC, 0xC0, 0xD1};

/* cp is a Russian letter (part.russian). */
static char to_koi8r(uint32_t cp)
{
    cp = fold_case(cp);
    return (char)(cp == 0x0451 ? 0xA3 : koi8r_lower[cp - 0x0430]);
}

/* Characters that end a part of a compound word. A break may follow all
 * but U+2011, the non-breaking hyphen; a slash too («обучающиеся/|педагоги»). */
static bool is_hyphen(uint32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == 0x2013 || cp == 0x2014 || cp == '/';
}

/* The part of a word between explicit hyphens. */
typedef struct part {
    size_t start, end; /* bytes of the word */
    size_t letters, capitals, soft_hyphens;
    bool russian; /* nothing but Russian letters */
    bool dotted;  /* a dot inside: "И.Н", "т.д" */
} part;

static void scan_part(const char *word, size_t start, size_t end, part *p)
{
    memset(p, 0, sizeof *p);
    p->start = start;
    p->russian = true;
    size_t i = start;
    while (i < end) {
        uint32_t cp;
        size_t n = utf8_next(word + i, end - i, &cp);
        if (is_hyphen(cp))
            break;
        i += n;
        p->letters += is_letter(cp);
        p->capitals += is_upper(cp);
        p->soft_hyphens += cp == TEXT_SHY;
        p->dotted |= cp == '.';
        p->russian &= is_ru_lower(cp) || is_ru_upper(cp);
    }
    p->end = i;
}

typedef struct sink {
    text_break *out;
    size_t cap, n;
} sink;

static void emit_break(sink *s, size_t at, bool add_hyphen)
{
    if (s->n < s->cap)
        s->out[s->n++] = (text_break){at, add_hyphen};
}

/* Розенталь and Правила 1956 §117–119 (docs/typesetting.md §2): never leave or carry
 * one letter, and never separate ъ, ь, й from the letter before. The two-letter minimum also
 * matches the dictionary's LEFTHYPHENMIN/RIGHTHYPHENMIN 2. */
static bool may_break(size_t letters_before, size_t letters_after, uint32_t next)
{
    uint32_t c = fold_case(next);
    return letters_before >= 2 && letters_after >= 2 && c != 0x044A && c != 0x044C && c != 0x0439;
}

/* A soft hyphen typed in a part marks the only places it may break there:
 * the writer chose them, the patterns are not consulted (as TeX's \-). */
static void break_at_soft_hyphens(const char *word, const part *p, sink *s)
{
    size_t letters = 0, i = p->start;
    while (i < p->end) {
        uint32_t cp, next = 0;
        size_t n = utf8_next(word + i, p->end - i, &cp);
        if (i + n < p->end)
            utf8_next(word + i + n, p->end - i - n, &next);
        if (cp == TEXT_SHY && may_break(letters, p->letters - letters, next))
            emit_break(s, i + n - 1, true);
        letters += is_letter(cp);
        i += n;
    }
}

/* Pattern breaks inside a part of Russian letters (at most TEXT_MAX_WORD). */
static void break_by_patterns(const text_hyph *h, const char *word, const part *p, sink *s)
{
    char koi[TEXT_MAX_WORD + 1];
    char hyphens[TEXT_MAX_WORD + 5];
    size_t ends[TEXT_MAX_WORD];
    uint32_t cps[TEXT_MAX_WORD];
    size_t n = 0;
    for (size_t i = p->start; i < p->end; n++) {
        i += utf8_next(word + i, p->end - i, &cps[n]);
        koi[n] = to_koi8r(cps[n]);
        ends[n] = i;
    }
    koi[n] = '\0';
    /* rep/pos/cut stay NULL for the Russian patterns (no non-standard
     * hyphenation); libhyphen allocates them otherwise, so free them. */
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    int failed = hnj_hyphen_hyphenate2(h->dict, koi, (int)n, hyphens, NULL, &rep, &pos, &cut);
    if (rep)
        for (size_t k = 0; k < n; k++)
            free(rep[k]);
    free(rep);
    free(pos);
    free(cut);
    if (failed)
        return;
    /* An odd value in hyphens[k] marks a break after byte k (hyphen.h). */
    for (size_t k = 0; k + 1 < n; k++)
        if ((hyphens[k] & 1) && may_break(k + 1, n - k - 1, cps[k + 1]))
            emit_break(s, ends[k] - 1, true);
}

static void break_part(const text_hyph *h, const char *word, const part *p, sink *s)
{
    if (p->soft_hyphens)
        break_at_soft_hyphens(word, p, s);
    else if (h && p->russian && p->letters >= 4 && p->letters <= TEXT_MAX_WORD)
        break_by_patterns(h, word, p, s);
}

/* Does one of the eight bytes of x start an explicit break (may_break_plain)?
 * x | 0x02 is 0x2F for '-' (0x2D) and '/' (0x2F) only, x | 0x20 is 0xE2 for
 * 0xC2 (U+00AD's first byte) and 0xE2 (the dashes') only; a byte equal to its
 * mark leaves a zero byte after the xor, and (v - 0x01…) & ~v & 0x80… is not 0
 * exactly when v has one. Most words (Cyrillic: 0xD0, 0xD1 and 0x80..0xBF)
 * have none: eight bytes at one test. */
static bool chunk_may_break(uint64_t x)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t a = (x | UINT64_C(0x0202020202020202)) ^ UINT64_C(0x2F2F2F2F2F2F2F2F);
    uint64_t b = (x | UINT64_C(0x2020202020202020)) ^ UINT64_C(0xE2E2E2E2E2E2E2E2);
    return ((((a - ones) & ~a) | ((b - ones) & ~b)) & highs) != 0;
}

/* Could the word break without the dictionary? Only at an explicit
 * hyphen, dash or slash, or at a typed soft hyphen: without one of their
 * bytes (the dashes U+2010..U+2014 start E2 80), text_word_breaks with no
 * dictionary finds nothing. */
static bool may_break_plain(const char *word, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) { /* passed eight at a time, up to one that may start one */
        uint64_t x;
        memcpy(&x, word + i, sizeof x);
        if (chunk_may_break(x))
            break;
    }
    /* the bytes that may start one: the others are passed at one test each */
    static const bool starts[256] = {['-'] = true, ['/'] = true, [0xC2] = true, [0xE2] = true};
    for (; i < len; i++) {
        unsigned char c = (unsigned char)word[i];
        if (!starts[c])
            continue;
        if (c == '-' || c == '/' ||
            (c == 0xE2 && i + 1 < len && (unsigned char)word[i + 1] == 0x80) ||
            (c == 0xC2 && i + 1 < len && (unsigned char)word[i + 1] == 0xAD))
            return true;
    }
    return false;
}

static size_t word_breaks(const text_hyph *h, const char *word, size_t len, text_break *out,
                          size_t cap)
{
    /* The word proper runs from its first letter to its last: quotes and
     * punctuation around it never break off (docs/typesetting.md §2, studopedia). A
     * digit anywhere forbids every break: "2023-2025", "7-й", "273-ФЗ". */
    size_t first = len, end = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(word + i, len - i, &cp);
        if (!n || is_digit(cp))
            return 0;
        if (is_letter(cp)) {
            if (first == len)
                first = i;
            end = i + n;
        }
        i += n;
    }
    sink s = {out, cap, 0};
    size_t prev_letters = 0, dash_at = 0;
    bool after_dash = false;
    for (size_t i = first; i < end;) {
        part p;
        scan_part(word, i, end, &p);
        /* Abbreviations (2+ capitals: МБОУ, КЗоТ) and anything with a dot
         * inside (initials "И.Н.", "т.д.") are never broken (docs/typesetting.md §2). */
        if (p.capitals >= 2 || p.dotted)
            return 0;
        if (after_dash && prev_letters >= 2 && p.letters >= 2)
            emit_break(&s, dash_at, false);
        break_part(h, word, &p, &s);
        if (p.end == end)
            break;
        uint32_t cp;
        size_t n = utf8_next(word + p.end, end - p.end, &cp);
        after_dash = cp != 0x2011;
        dash_at = p.end + n - 1;
        prev_letters = p.letters;
        i = p.end + n;
    }
    return s.n;
}

/* ---- The memo of break points ----
 *
 * An order sets most of its words twice (TeX's first pass without hyphens, then
 * the pass with them) and a batch sets the same words document after
 * document: each word's breaks are looked up in the dictionary once per
 * process and kept, keyed by the word's bytes (the answer depends on nothing
 * else: the dictionary is the memo's own). Open addressing, linear probing,
 * at most half full. */

/* TEXT_MEMO_MAX_WORDS (text.h): distinct words held. */
/* Longer words are looked up every time (a break's offset must fit in 7 bits). */
#define TEXT_MEMO_MAX_BYTES 127
/* Breaks held per word: a caller asking for more is not served from the memo. */
#define TEXT_MEMO_MAX_BREAKS 64
/* Slots of a new memo; doubled up to 2 * TEXT_MEMO_MAX_WORDS. */
#define TEXT_MEMO_MIN_SLOTS 512

struct hyph_memo {
    uint32_t *slots; /* 0: empty; else 1 + the entry's offset in bytes */
    uint32_t *hashes;
    size_t nslots, count;
    /* entries: length byte, the word, count byte, one byte per break (its
     * offset, and 0x80 when it adds a hyphen) */
    buf bytes;
};

static hyph_memo *memo_new(void)
{
    hyph_memo *m = xcalloc(1, sizeof *m);
    buf_init(&m->bytes);
    return m;
}

static void memo_free(hyph_memo *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->hashes);
    buf_fini(&m->bytes);
    free(m);
}

/* Keyed (hash.h): a document's words are the user's to choose. */
static uint32_t memo_hash(const char *s, size_t n)
{
    return (uint32_t)hash_bytes(s, n);
}

/* The entry of word, or NULL; *slot: where it is or would go. */
static const unsigned char *memo_find(const hyph_memo *m, const char *word, size_t len,
                                      uint32_t hash, size_t *slot)
{
    size_t mask = m->nslots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        *slot = i;
        if (!m->slots[i])
            return NULL;
        const unsigned char *e = (const unsigned char *)m->bytes.data + m->slots[i] - 1;
        if (m->hashes[i] == hash && e[0] == len && !memcmp(e + 1, word, len))
            return e;
    }
}

/* Room for one more word: emptied when full, grown when half full. */
static void memo_make_room(hyph_memo *m)
{
    if (m->count >= TEXT_MEMO_MAX_WORDS) {
        memset(m->slots, 0, m->nslots * sizeof *m->slots);
        buf_clear(&m->bytes);
        m->count = 0;
    }
    if (m->nslots && 2 * (m->count + 1) <= m->nslots)
        return;
    size_t n = m->nslots ? 2 * m->nslots : TEXT_MEMO_MIN_SLOTS;
    uint32_t *slots = xcalloc(n, sizeof *slots), *hashes = xcalloc(n, sizeof *hashes);
    for (size_t i = 0; i < m->nslots; i++) {
        if (!m->slots[i])
            continue;
        size_t j = m->hashes[i] & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = m->slots[i];
        hashes[j] = m->hashes[i];
    }
    free(m->slots);
    free(m->hashes);
    m->slots = slots;
    m->hashes = hashes;
    m->nslots = n;
}

static void memo_add(hyph_memo *m, const char *word, size_t len, uint32_t hash,
                     const text_break *br, size_t n)
{
    memo_make_room(m);
    size_t slot;
    memo_find(m, word, len, hash, &slot);
    size_t at = m->bytes.len;
    buf_putc(&m->bytes, (char)len);
    buf_putn(&m->bytes, word, len);
    buf_putc(&m->bytes, (char)n);
    for (size_t i = 0; i < n; i++)
        buf_putc(&m->bytes, (char)(br[i].at | (br[i].add_hyphen ? 0x80u : 0)));
    m->slots[slot] = (uint32_t)at + 1;
    m->hashes[slot] = hash;
    m->count++;
}

size_t text_word_breaks(const text_hyph *h, const char *word, size_t len, text_break *out,
                        size_t cap)
{
    if (!h)
        return may_break_plain(word, len) ? word_breaks(NULL, word, len, out, cap) : 0;
    if (len > TEXT_MEMO_MAX_BYTES || cap > TEXT_MEMO_MAX_BREAKS)
        return word_breaks(h, word, len, out, cap);
    hyph_memo *m = h->memo;
    uint32_t hash = memo_hash(word, len);
    size_t slot = 0;
    const unsigned char *e = m->nslots ? memo_find(m, word, len, hash, &slot) : NULL;
    if (!e) {
        /* the sink keeps the first cap breaks of the whole list: computed
         * with the memo's cap, a shorter answer is its beginning */
        text_break all[TEXT_MEMO_MAX_BREAKS];
        size_t n = word_breaks(h, word, len, all, TEXT_MEMO_MAX_BREAKS);
        memo_add(m, word, len, hash, all, n);
        n = n < cap ? n : cap;
        memcpy(out, all, n * sizeof *out);
        return n;
    }
    size_t n = e[len + 1] < cap ? e[len + 1] : cap;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = e[len + 2 + i];
        out[i] = (text_break){b & 0x7Fu, (b & 0x80u) != 0};
    }
    return n;
}

/* ---- Web addresses and e-mails (docs/typesetting.md §3) ---- */

/* Characters that close a sentence or a quotation after an address: not a
 * part of it («см. https://site.ru/doc.» ends with the sentence's stop). */
static bool is_address_closer(uint32_t cp)
{
    return cp == '.' || cp == ',' || cp == ';' || cp == ':' || cp == '!' || cp == '?' ||
           cp == ')' || cp == ']' || cp == '}' || cp == '"' || cp == '\'' || cp == '>' ||
           cp == 0x00BB || cp == 0x201C || cp == 0x201D || cp == 0x2019 || cp == 0x2026;
}

/* The address proper of word[0, len): from its first letter or digit to
 * the last byte before the closers after it. */
static void address_core(const char *word, size_t len, size_t *from, size_t *to)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_next(word + i, len - i, &cp);
        if (is_letter(cp) || is_digit(cp))
            break;
        i += n;
    }
    size_t end = len;
    while (end > i) {
        size_t s = step_back(word, i, end);
        uint32_t cp;
        utf8_next(word + s, end - s, &cp);
        if (!is_address_closer(cp))
            break;
        end = s;
    }
    *from = i;
    *to = end;
}

static bool has_prefix_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != prefix[i])
            return false;
    return true;
}

/* An e-mail: letters, digits or «._%+-» before one «@», and after it a host
 * of letters, digits, «-» and «.» with a dot followed by two letters or more
 * (latin or Cyrillic: «почта@школа.рф»). */
static bool is_ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_email(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (!at || at == s)
        return false;
    for (const char *p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(c >= 0x80 || is_ascii_alnum(c) || (c && strchr("._%+-", c))))
            return false;
    }
    size_t host = (size_t)(at + 1 - s), dot = 0;
    size_t tld = 0; /* letters after the last dot; SIZE_MAX once anything else came */
    for (size_t i = host; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);
        if (cp == '.') {
            if (i == host || s[i - 1] == '.')
                return false;
            dot = i;
            tld = 0;
        } else if (is_letter(cp)) {
            tld += tld != SIZE_MAX;
        } else if (is_digit(cp) || cp == '-') {
            tld = SIZE_MAX;
        } else {
            return false;
        }
        i += n;
    }
    return dot > 0 && tld != SIZE_MAX && tld >= 2;
}

bool text_is_address(const char *word, size_t len)
{
    /* the common word has no «:», no «@» and no «w» where «www.» may start
     * (after an opening quote or bracket of up to 3 bytes): memchr's pass */
    if (len < 5 || (!memchr(word, ':', len) && !memchr(word, '@', len) &&
                    !memchr(word, 'w', len < 4 ? len : 4) && !memchr(word, 'W', len < 4 ? len : 4)))
        return false;
    size_t from, to;
    address_core(word, len, &from, &to);
    const char *s = word + from;
    size_t n = to - from;
    if (n < 5)
        return false;
    /* «scheme://» with a scheme of letters */
    const char *sep = n > 3 ? memchr(s, ':', n - 3) : NULL;
    if (sep && sep > s && sep[1] == '/' && sep[2] == '/') {
        bool scheme = true;
        for (const char *p = s; p < sep && scheme; p++)
            scheme = is_ascii_alnum((unsigned char)*p) && !is_digit((unsigned char)*p);
        if (scheme)
            return true;
    }
    if (has_prefix_nocase(s, n, "www.") && n > 4)
        return true;
    return is_email(s, n);
}

static void emit_address_break(text_break *out, size_t cap, size_t *n, size_t at)
{
    if (*n < cap && (*n == 0 || out[*n - 1].at < at))
        out[(*n)++] = (text_break){at, false};
}

size_t text_address_breaks(const char *word, size_t len, text_break *out, size_t cap)
{
    size_t from, to, n = 0;
    address_core(word, len, &from, &to);
    /* byte i of the address: breaks after it (at = i) or before it (at = i - 1) */
    for (size_t i = from + 1; i + 1 < to && n < cap; i++) {
        char c = word[i], prev = word[i - 1];
        if (i >= from + 2 && c && strchr(".?#&=-_~", c) && prev != '/' && prev != '@' &&
            !strchr(".?#&=-_~", prev))
            emit_address_break(out, cap, &n, i - 1); /* before it */
        if ((c == '/' && word[i + 1] != '/') || c == '@')
            emit_address_break(out, cap, &n, i); /* after it */
    }
    return n;
}
