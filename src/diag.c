/* diag: see diag.h. Messages follow gcc: "file:line:col: ошибка: text",
 * then the quoted source line and a caret under the column. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct message {
    diag_level level;
    src_mark at;
    char *text;
} message;

typedef struct source {
    const char *name; /* interned */
    char *text;
    size_t len;
} source;

struct diag {
    arena *names;
    const char **files;
    size_t nfiles;
    source *sources;
    size_t nsources;
    message *msgs;
    size_t nmsgs, cap;
    size_t errors, warnings;
    bool strict;
};

diag *diag_new(void)
{
    diag *d = xcalloc(1, sizeof *d);
    d->names = arena_new();
    return d;
}

static void forget_messages(diag *d)
{
    for (size_t i = 0; i < d->nmsgs; i++)
        free(d->msgs[i].text);
    d->nmsgs = 0;
}

void diag_free(diag *d)
{
    if (!d)
        return;
    forget_messages(d);
    free(d->msgs);
    for (size_t i = 0; i < d->nsources; i++)
        free(d->sources[i].text);
    free(d->sources);
    free(d->files);
    arena_free(d->names);
    free(d);
}

const char *diag_file(diag *d, const char *name)
{
    for (size_t i = 0; i < d->nfiles; i++)
        if (strcmp(d->files[i], name) == 0)
            return d->files[i];
    d->files = xrealloc(d->files, (d->nfiles + 1) * sizeof *d->files);
    d->files[d->nfiles] = arena_strdup(d->names, name);
    return d->files[d->nfiles++];
}

void diag_source(diag *d, const char *name, const char *text, size_t len)
{
    const char *n = diag_file(d, name);
    for (size_t i = 0; i < d->nsources; i++)
        if (d->sources[i].name == n)
            return;
    d->sources = xrealloc(d->sources, (d->nsources + 1) * sizeof *d->sources);
    d->sources[d->nsources].name = n;
    d->sources[d->nsources].text = xstrndup(text, len);
    d->sources[d->nsources].len = len;
    d->nsources++;
}

void diag_set_strict(diag *d, bool strict)
{
    d->strict = strict;
}

void diag_report(diag *d, diag_level level, src_mark at, const char *fmt, va_list ap)
{
    buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    if (d->nmsgs == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->msgs = xrealloc(d->msgs, d->cap * sizeof *d->msgs);
    }
    if (at.file)
        at.file = diag_file(d, at.file);
    d->msgs[d->nmsgs++] = (message){level, at, buf_take(&b)};
    if (level == DIAG_ERROR)
        d->errors++;
    else if (level == DIAG_WARNING)
        d->warnings++;
}

#define DIAG_DEFINE(fn, level)                                                                     \
    void fn(diag *d, src_mark at, const char *fmt, ...)                                            \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        diag_report(d, level, at, fmt, ap);                                                        \
        va_end(ap);                                                                                \
    }
DIAG_DEFINE(diag_error, DIAG_ERROR)
DIAG_DEFINE(diag_warning, DIAG_WARNING)
DIAG_DEFINE(diag_note, DIAG_NOTE)

size_t diag_errors(const diag *d)
{
    return d->errors + (d->strict ? d->warnings : 0);
}

size_t diag_warnings(const diag *d)
{
    return d->warnings;
}

size_t diag_count(const diag *d)
{
    return d->nmsgs;
}

static const source *find_source(const diag *d, const char *name)
{
    for (size_t i = 0; i < d->nsources; i++)
        if (d->sources[i].name == name)
            return &d->sources[i];
    return NULL;
}

/* Quote line `line` of src and put a caret under character column col. */
static void quote_line(buf *b, const source *src, uint32_t line, uint32_t col)
{
    const char *p = src->text, *end = src->text + src->len;
    for (uint32_t l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return;
        p = nl + 1;
    }
    if (p >= end)
        return;
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e)
        e = end;
    if (e > p && e[-1] == '\r')
        e--;
    if (utf8_check(p, (size_t)(e - p)) != (size_t)(e - p))
        return; /* never echo invalid bytes to a terminal */
    buf_puts(b, "  ");
    buf_putn(b, p, (size_t)(e - p));
    buf_puts(b, "\n  ");
    /* the caret sits under the col-th character; tabs are kept as tabs */
    const char *q = p;
    for (uint32_t c = 1; c < col && q < e; c++) {
        uint32_t cp;
        size_t n = utf8_decode(q, (size_t)(e - q), &cp);
        buf_putc(b, cp == '\t' ? '\t' : ' ');
        q += n ? n : 1;
    }
    buf_puts(b, "^\n");
}

void diag_format(diag *d, buf *b)
{
    static const char *const names[] = {"ошибка", "предупреждение", "примечание"};
    for (size_t i = 0; i < d->nmsgs; i++) {
        const message *m = &d->msgs[i];
        const char *level = names[m->level];
        if (m->level == DIAG_WARNING && d->strict)
            level = "ошибка";
        if (m->at.file && m->at.line)
            buf_printf(b, "%s:%u:%u: %s: %s\n", m->at.file, (unsigned)m->at.line,
                       (unsigned)m->at.col, level, m->text);
        else if (m->at.file)
            buf_printf(b, "%s: %s: %s\n", m->at.file, level, m->text);
        else
            buf_printf(b, "nastavdoc: %s: %s\n", level, m->text);
        const source *src = m->at.file ? find_source(d, m->at.file) : NULL;
        if (src && m->at.line)
            quote_line(b, src, m->at.line, m->at.col);
    }
}

void diag_print(diag *d, FILE *out)
{
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    if (b.len)
        fwrite(b.data, 1, b.len, out);
    buf_fini(&b);
    forget_messages(d);
}

static size_t decode_all(const char *s, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0, l = strlen(s); i < l && n < max; n++) {
        size_t k = utf8_decode(s + i, l - i, &out[n]);
        if (!k)
            out[n] = 0xFFFD, k = 1;
        i += k;
    }
    return n;
}

/* Optimal string alignment distance: Levenshtein plus the transposition of
 * two neighbours, the commonest typo in a key ("titel"). */
size_t diag_distance(const char *a, const char *b, size_t cap)
{
    enum { MAX = 64 };
    uint32_t ca[MAX], cb[MAX];
    size_t na = decode_all(a, ca, MAX), nb = decode_all(b, cb, MAX);
    size_t rows[3][MAX + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = ca[i - 1] != cb[j - 1];
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca[i - 1] == cb[j - 2] && ca[i - 2] == cb[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb] > cap ? cap + 1 : prev[nb];
}

const char *diag_suggest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = utf8_count(word, strlen(word));
    /* short keys tolerate one edit, longer ones two, long ones three */
    size_t cap = len <= 3 ? 1 : len <= 7 ? 2 : 3;
    const char *best = NULL;
    size_t best_d = cap + 1;
    for (size_t i = 0; i < n; i++) {
        size_t dist = diag_distance(word, candidates[i], cap);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}
