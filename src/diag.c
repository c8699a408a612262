/* diag: see diag.h. Messages follow gcc: "file:line:col: ошибка: text",
 * then the quoted source line and a caret under the column.
 *
 * Every message costs O(log n + the quoted window): file names are interned
 * in a hash table, and each source's line starts are indexed once, on the
 * first message that quotes it. At most DIAG_MAX_HELD errors and warnings are
 * held; the rest are counted and summed up in one line. */
#include "diag.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

#define NO_FILE ((size_t)-1)

typedef struct message {
    diag_level level;
    src_mark at;
    size_t file; /* index into files, or NO_FILE */
    char *text;
} message;

typedef struct source {
    char *text;
    size_t len;
    size_t *lines; /* offsets of line starts, built on first use */
    size_t nlines;
} source;

typedef struct file_entry {
    const char *name; /* interned in names */
    source *src;      /* NULL until diag_source */
    bool named;       /* in diag's named list */
} file_entry;

struct diag {
    arena *names;
    file_entry *files;
    size_t nfiles, fcap;
    /* the files named by diag_file or diag_source (read or tried by a
     * loader), as indices into files, in the order first named: a message
     * about another file (the output PDF) does not add it */
    size_t *named;
    size_t nnamed, ncap;
    /* the files by name (keyed, hash.h: a document names its files through
     * include, so their names are the user's to choose): index + 1 */
    strtab by_name;
    message *msgs;
    size_t nmsgs, cap;
    size_t held; /* errors and warnings among msgs */
    size_t errors, warnings;
    size_t dropped_errors, dropped_warnings;
    bool dropping; /* the last error or warning was dropped: so are its notes */
    bool strict;
    size_t repeats; /* messages not shown as repeats of a held one (is_repeat) */
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
    d->held = 0;
    d->dropped_errors = d->dropped_warnings = 0;
    d->dropping = false;
}

void diag_free(diag *d)
{
    if (!d)
        return;
    forget_messages(d);
    free(d->msgs);
    for (size_t i = 0; i < d->nfiles; i++) {
        source *s = d->files[i].src;
        if (s) {
            free(s->text);
            free(s->lines);
            free(s);
        }
    }
    free(d->files);
    free(d->named);
    strtab_fini(&d->by_name);
    arena_free(d->names);
    free(d);
}

/* Index of name among the interned files, interning it when new. */
static size_t file_index(diag *d, const char *name)
{
    size_t len = strlen(name);
    uintptr_t at = (uintptr_t)strtab_get(&d->by_name, name, len);
    if (at)
        return at - 1;
    if (d->nfiles == d->fcap) {
        d->fcap = d->fcap ? d->fcap * 2 : 16;
        d->files = xrealloc(d->files, d->fcap * sizeof *d->files);
    }
    const char *copy = arena_strdup(d->names, name);
    d->files[d->nfiles] = (file_entry){copy, NULL, false};
    strtab_put(&d->by_name, copy, len, (void *)(uintptr_t)(d->nfiles + 1));
    return d->nfiles++;
}

/* The index of name, interned and added to the named list. */
static size_t name_file(diag *d, const char *name)
{
    size_t i = file_index(d, name);
    if (!d->files[i].named) {
        d->files[i].named = true;
        if (d->nnamed == d->ncap) {
            d->ncap = d->ncap ? d->ncap * 2 : 16;
            d->named = xrealloc(d->named, d->ncap * sizeof *d->named);
        }
        d->named[d->nnamed++] = i;
    }
    return i;
}

const char *diag_file(diag *d, const char *name)
{
    size_t i = name_file(d, name); /* before reading d->files: it may move */
    return d->files[i].name;
}

size_t diag_file_count(const diag *d)
{
    return d->nnamed;
}

const char *diag_file_name(const diag *d, size_t i)
{
    return i < d->nnamed ? d->files[d->named[i]].name : NULL;
}

void diag_source(diag *d, const char *name, const char *text, size_t len)
{
    size_t i = name_file(d, name); /* before reading d->files: it may move */
    if (!d->files[i].src)
        diag_source_take(d, name, xstrndup(text, len), len);
}

void diag_source_take(diag *d, const char *name, char *text, size_t len)
{
    size_t i = name_file(d, name); /* before reading d->files: it may move */
    file_entry *f = &d->files[i];
    if (f->src) {
        free(text);
        return;
    }
    f->src = xcalloc(1, sizeof *f->src);
    f->src->text = text;
    f->src->len = len;
}

void diag_set_strict(diag *d, bool strict)
{
    d->strict = strict;
}

/* Cut text to DIAG_MAX_TEXT bytes at a character boundary, marking the cut. */
static char *clip_message(buf *b)
{
    if (b->len > DIAG_MAX_TEXT) {
        size_t end = DIAG_MAX_TEXT;
        while (end > 0 && ((unsigned char)b->data[end] & 0xC0) == 0x80)
            end--;
        b->len = end;
        b->data[end] = '\0';
        buf_puts(b, "…");
    }
    return buf_take(b);
}

/* Is this message kept? Errors and warnings up to DIAG_MAX_HELD, notes
 * with the message they belong to (and under the same cap). */
static bool hold_message(diag *d, diag_level level)
{
    if (level == DIAG_NOTE)
        return !d->dropping && d->nmsgs < 2 * DIAG_MAX_HELD;
    d->dropping = d->held >= DIAG_MAX_HELD;
    if (d->dropping) {
        if (level == DIAG_ERROR)
            d->dropped_errors++;
        else
            d->dropped_warnings++;
        return false;
    }
    d->held++;
    return true;
}

/* Is text at `at` an error or warning already held? The same problem found
 * again (a pairs.yaml that `check` meets through every document including
 * it) is counted but shown once. Only while the sink holds messages, and at
 * most DIAG_MAX_REPEATS times a run: the scan stays bounded. */
static bool is_repeat(diag *d, diag_level level, src_mark at, const char *text)
{
    for (size_t i = 0; i < d->nmsgs; i++) {
        const message *m = &d->msgs[i];
        if (m->level == level && m->at.line == at.line && m->at.col == at.col &&
            m->file != NO_FILE && !strcmp(d->files[m->file].name, at.file) &&
            !strcmp(m->text, text)) {
            d->repeats++;
            return true;
        }
    }
    return false;
}

void diag_report(diag *d, diag_level level, src_mark at, const char *fmt, va_list ap)
{
    if (level == DIAG_ERROR)
        d->errors++;
    else if (level == DIAG_WARNING)
        d->warnings++;
    /* a message that will not be held is not even formatted */
    bool may_repeat =
        level != DIAG_NOTE && at.file && d->held < DIAG_MAX_HELD && d->repeats < DIAG_MAX_REPEATS;
    if (!may_repeat && !hold_message(d, level))
        return;
    buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    if (may_repeat && is_repeat(d, level, at, b.data ? b.data : "")) {
        d->dropping = true; /* its notes too */
        buf_fini(&b);
        return;
    }
    if (may_repeat && !hold_message(d, level)) {
        buf_fini(&b);
        return;
    }
    if (d->nmsgs == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->msgs = xrealloc(d->msgs, d->cap * sizeof *d->msgs);
    }
    size_t file = NO_FILE;
    if (at.file) {
        file = file_index(d, at.file);
        at.file = d->files[file].name;
    }
    d->msgs[d->nmsgs++] = (message){level, at, file, clip_message(&b)};
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

diag_checkpoint diag_checkpoint_get(const diag *d)
{
    return (diag_checkpoint){d->nmsgs,          d->errors,           d->warnings,
                             d->dropped_errors, d->dropped_warnings, d->held};
}

void diag_rollback(diag *d, diag_checkpoint cp)
{
    for (size_t i = cp.nmsgs; i < d->nmsgs; i++)
        free(d->msgs[i].text);
    d->nmsgs = cp.nmsgs;
    d->errors = cp.errors;
    d->warnings = cp.warnings;
    d->dropped_errors = cp.dropped_errors;
    d->dropped_warnings = cp.dropped_warnings;
    d->held = cp.held;
    d->dropping = false;
}

/* ---- escaping --------------------------------------------------------- */

/* Code points a terminal acts on instead of showing: C0 but tab, DEL, C1,
 * and the bidirectional overrides that reorder what follows them. */
static bool is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp < 0xA0) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           /* the bidi marks (ALM, LRM, RLM: they reorder a line's text as
            * the overrides do, CVE-2021-42574) and the line and paragraph
            * separators (a line break to libyaml, none to a terminal) */
           cp == 0x061C || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029;
}

void diag_escape(buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (!n) {
            buf_printf(b, "\\x%02x", (unsigned char)s[i]);
            i++;
            continue;
        }
        if (cp == '\t' || is_control(cp))
            buf_printf(b, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
        else
            buf_putn(b, s + i, n);
        i += n;
    }
}

/* ---- quoting the source line ------------------------------------------ */

static void index_lines(source *src)
{
    size_t n = 1;
    for (const char *p = src->text, *end = src->text + src->len;
         (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    src->lines = xmalloc(n * sizeof *src->lines);
    src->lines[0] = 0;
    src->nlines = 1;
    for (size_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            src->lines[src->nlines++] = i + 1;
}

/* One character of a quoted line, one column wide: tabs stay (the caret
 * line repeats them), controls and invalid bytes become «?». */
static size_t put_quoted_char(buf *b, const char *p, size_t len)
{
    uint32_t cp;
    size_t n = utf8_decode(p, len, &cp);
    if (!n || is_control(cp))
        buf_putc(b, '?');
    else
        buf_putn(b, p, n);
    return n ? n : 1;
}

/* Byte offset of the character at column col (1-based) of line [p, e). */
static const char *skip_chars(const char *p, const char *e, size_t chars)
{
    for (size_t c = 0; c < chars && p < e; c++) {
        uint32_t cp;
        size_t n = utf8_decode(p, (size_t)(e - p), &cp);
        p += n ? n : 1;
    }
    return p;
}

/* Quote line `line` of src and put a caret under character column col. A
 * line longer than DIAG_QUOTE_CHARS is shown as a window around col, with
 * «…» where it is cut. */
static void quote_line(buf *b, source *src, uint32_t line, uint32_t col)
{
    if (!src->lines)
        index_lines(src);
    if (line < 1 || line > src->nlines)
        return;
    const char *p = src->text + src->lines[line - 1], *end = src->text + src->len;
    if (p >= end)
        return;
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e)
        e = end;
    if (e > p && e[-1] == '\r')
        e--;
    size_t at = col ? col - 1 : 0; /* characters before the caret */
    /* a line that fits is quoted whole; a long one from half a window
     * before the caret, the window kept full near the line's end */
    size_t total = utf8_count(p, (size_t)(e - p)), first = 0;
    if (total > DIAG_QUOTE_CHARS) {
        first = at > DIAG_QUOTE_CHARS / 2 ? at - DIAG_QUOTE_CHARS / 2 : 0;
        if (first > total - DIAG_QUOTE_CHARS)
            first = total - DIAG_QUOTE_CHARS;
    }
    const char *from = skip_chars(p, e, first);
    const char *to = skip_chars(from, e, DIAG_QUOTE_CHARS);
    buf_puts(b, "  ");
    if (from > p)
        buf_puts(b, "…");
    for (const char *q = from; q < to;)
        q += put_quoted_char(b, q, (size_t)(to - q));
    if (to < e)
        buf_puts(b, "…");
    buf_puts(b, "\n  ");
    if (from > p)
        buf_putc(b, ' ');
    /* the caret sits under the col-th character; tabs are kept as tabs */
    const char *q = from;
    for (size_t c = first; c < at && q < e; c++) {
        uint32_t cp;
        size_t n = utf8_decode(q, (size_t)(e - q), &cp);
        buf_putc(b, n && cp == '\t' ? '\t' : ' ');
        q += n ? n : 1;
    }
    buf_puts(b, "^\n");
}

/* ---- printing ----------------------------------------------------------- */

/* Russian plural of n: one (1, 21), few (2–4, 22–24), many (5–20, 11–14). */
static const char *plural(size_t n, const char *one, const char *few, const char *many)
{
    if (n % 10 == 1 && n % 100 != 11)
        return one;
    if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14))
        return few;
    return many;
}

static void format_dropped(const diag *d, buf *b)
{
    size_t errs = d->dropped_errors + (d->strict ? d->dropped_warnings : 0);
    size_t warns = d->strict ? 0 : d->dropped_warnings;
    if (!errs && !warns)
        return;
    buf_puts(b, "…и ещё ");
    if (errs)
        buf_printf(b, "%zu %s", errs, plural(errs, "ошибка", "ошибки", "ошибок"));
    if (errs && warns)
        buf_puts(b, " и ");
    if (warns)
        buf_printf(b, "%zu %s", warns,
                   plural(warns, "предупреждение", "предупреждения", "предупреждений"));
    buf_putc(b, '\n');
}

void diag_format(diag *d, buf *b)
{
    static const char *const names[] = {"ошибка", "предупреждение", "примечание"};
    for (size_t i = 0; i < d->nmsgs; i++) {
        const message *m = &d->msgs[i];
        const char *level = names[m->level];
        if (m->level == DIAG_WARNING && d->strict)
            level = "ошибка";
        if (m->at.file) {
            diag_escape(b, m->at.file, strlen(m->at.file));
            if (m->at.line)
                buf_printf(b, ":%u:%u", (unsigned)m->at.line, (unsigned)m->at.col);
            buf_printf(b, ": %s: ", level);
        } else {
            buf_printf(b, "nastavdoc: %s: ", level);
        }
        diag_escape(b, m->text, strlen(m->text));
        buf_putc(b, '\n');
        source *src = m->file != NO_FILE ? d->files[m->file].src : NULL;
        if (src && m->at.line)
            quote_line(b, src, m->at.line, m->at.col);
    }
    format_dropped(d, b);
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

/* ---- system errors ------------------------------------------------------ */

/* glibc's own Russian texts (ru.po), for when LC_MESSAGES gives English: the
 * errors opening, reading and writing files and running workers can meet. */
static const struct {
    int err;
    const char *text;
} ru_errors[] = {
    {EPERM, "Операция не позволена"},
    {ENOENT, "Нет такого файла или каталога"},
    {EIO, "Ошибка ввода/вывода"},
    {ENXIO, "Нет такого устройства или адреса"},
    {E2BIG, "Слишком длинный список аргументов"},
    {EBADF, "Неправильный дескриптор файла"},
    {EAGAIN, "Ресурс временно недоступен"},
    {ENOMEM, "Невозможно выделить память"},
    {EACCES, "Отказано в доступе"},
    {EFAULT, "Неправильный адрес"},
    {EBUSY, "Устройство или ресурс занято"},
    {EEXIST, "Файл существует"},
    {EXDEV, "Неверная ссылка между устройствами"},
    {ENODEV, "Нет такого устройства"},
    {ENOTDIR, "Это не каталог"},
    {EISDIR, "Это каталог"},
    {EINVAL, "Недопустимый аргумент"},
    {ENFILE, "Слишком много открытых файлов в системе"},
    {EMFILE, "Слишком много открытых файлов"},
    {ETXTBSY, "Текстовый файл занят"},
    {EFBIG, "Файл слишком велик"},
    {ENOSPC, "На устройстве не осталось свободного места"},
    {ESPIPE, "Недопустимая операция смещения"},
    {EROFS, "Файловая система доступна только для чтения"},
    {EMLINK, "Слишком много ссылок"},
    {EPIPE, "Обрыв канала"},
    {ENAMETOOLONG, "Слишком длинное имя файла"},
    {ELOOP, "Слишком много уровней символьных ссылок"},
    {EOVERFLOW, "Значение слишком велико для такого типа данных"},
    {EDQUOT, "Превышена дисковая квота"},
    {ESTALE, "Устаревший дескриптор файла"},
    {EINTR, "Прерван системный вызов"},
    {ENOTEMPTY, "Каталог не пуст"},
    {ENOSYS, "Функция не реализована"},
    {ECHILD, "Нет дочерних процессов"},
    {ENOEXEC, "Ошибка формата выполняемого файла"},
    {ETIMEDOUT, "Время ожидания соединения истекло"},
    {ENOTSUP, "Неподдерживаемая операция"},
    {EILSEQ, "Неверный или неполный мультибайтный или широкий символ"},
};

const char *diag_strerror(int err)
{
    for (size_t i = 0; i < sizeof ru_errors / sizeof *ru_errors; i++)
        if (ru_errors[i].err == err)
            return ru_errors[i].text;
    /* Any other error in the user's language and charset. The locale is read
     * here, the first time it is needed, and not at every start of the
     * program: reading it costs 0.6 ms and 15 page faults (scripts/bench.sh),
     * and the table above holds glibc's own Russian texts. Only these two
     * categories: PDF numbers never depend on LC_NUMERIC, and the program
     * calls no <ctype.h> function that LC_CTYPE would change. */
    setlocale(LC_MESSAGES, "");
    setlocale(LC_CTYPE, "");
    return strerror(err);
}

const char *diag_open_error(int err, const struct stat *st, char *tmp, size_t n)
{
    if (err != EINVAL)
        return diag_strerror(err);
    snprintf(tmp, n, "%s, а не обычный файл", util_file_kind(st->st_mode));
    return tmp;
}

/* ---- suggestions ---------------------------------------------------------- */

static size_t decode_all(const char *s, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0, l = strlen(s); i < l && n < max; n++) {
        i += utf8_next(s + i, l - i, &out[n]);
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

/* Whether s has a byte outside ASCII or a space. */
static bool has_text_bytes(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == ' ')
            return true;
    return false;
}

/* A key in Russian or with a space where every known key is an ASCII name:
 * with a space, text with «: » inside, unquoted («- Назначить куратором:
 * Иванову М.П.»); one word, a key written in Russian («номер:»). */
static bool looks_like_text(const char *key, const char *const *known, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (has_text_bytes(known[i]))
            return false;
    return has_text_bytes(key);
}

/* Cyrillic letters that look like Latin ones: typed in a key with the
 * keyboard left in the Russian (or Ukrainian) layout, «dоcument» with a
 * Cyrillic «о». what names the alphabet for the message. */
static const struct lookalike {
    uint32_t cp;
    const char *what;
} lookalikes[] = {
    {0x0430, "русская"},    {0x0432, "русская"},    {0x0435, "русская"},    {0x043A, "русская"},
    {0x043C, "русская"},    {0x043D, "русская"},    {0x043E, "русская"},    {0x0440, "русская"},
    {0x0441, "русская"},    {0x0442, "русская"},    {0x0443, "русская"},    {0x0445, "русская"},
    {0x0410, "русская"},    {0x0412, "русская"},    {0x0415, "русская"},    {0x041A, "русская"},
    {0x041C, "русская"},    {0x041D, "русская"},    {0x041E, "русская"},    {0x0420, "русская"},
    {0x0421, "русская"},    {0x0422, "русская"},    {0x0423, "русская"},    {0x0425, "русская"},
    {0x0456, "украинская"}, {0x0457, "украинская"}, {0x0406, "украинская"}, {0x0455, "македонская"},
    {0x0458, "сербская"},
};

/* In a key of Latin letters, the first letter of another alphabet that
 * looks like a Latin one: its index in characters (*at) and the alphabet's
 * name, or NULL when key has no Latin letter or no such letter. */
static const char *lookalike_in(const char *key, size_t *at, uint32_t *letter)
{
    bool latin = false;
    const char *what = NULL;
    size_t len = strlen(key);
    for (size_t i = 0, k = 0; i < len; k++) {
        uint32_t cp;
        i += utf8_next(key + i, len - i, &cp);
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            latin = true;
        for (size_t j = 0; !what && j < sizeof lookalikes / sizeof *lookalikes; j++)
            if (lookalikes[j].cp == cp) {
                what = lookalikes[j].what;
                *at = k;
                *letter = cp;
            }
    }
    return latin ? what : NULL;
}

/* Whether key and near differ only in the case of ASCII letters
 * («Document», «Number»). */
static bool only_case(const char *key, const char *near)
{
    for (; *key && *near; key++, near++)
        if ((unsigned char)*key >= 0x80 || (*key | 0x20) != (*near | 0x20))
            return false;
    return !*key && !*near;
}

/* The first byte of the character at `at` in its file's source, or 0 when
 * diag has no source for it: a quoted key's mark is its opening quote. */
static char char_at(diag *d, src_mark at)
{
    if (!at.file || !at.line || !at.col)
        return 0;
    source *src = d->files[file_index(d, at.file)].src;
    if (!src)
        return 0;
    if (!src->lines)
        index_lines(src);
    if (at.line > src->nlines)
        return 0;
    const char *p = src->text + src->lines[at.line - 1], *end = src->text + src->len;
    const char *e = memchr(p, '\n', (size_t)(end - p));
    const char *q = skip_chars(p, e ? e : end, at.col - 1);
    return q < (e ? e : end) ? *q : 0;
}

/* A key slip a newcomer makes with the right word: a letter typed in the
 * Russian layout (the mark moves to that letter) or a capital letter.
 * Reported and true, or false when key is not such a slip. */
static bool key_slip(diag *d, src_mark at, const char *key, const char *shown, const char *in,
                     const char *where, const char *near)
{
    size_t idx = 0;
    uint32_t cp = 0;
    const char *what = lookalike_in(key, &idx, &cp);
    if (what) {
        char letter[5];
        size_t nl = utf8_encode(cp, letter);
        letter[nl] = 0;
        src_mark here = at;
        char c = char_at(d, at);
        here.col += (uint32_t)idx + (c == '"' || c == '\'');
        diag_error(d, here,
                   "неизвестный ключ «%s»%s%s: буква «%s» (%zu-я в ключе) — не латинская, а %s; "
                   "ключи пишутся латиницей: переключите раскладку на английскую и наберите "
                   "ключ заново%s%s%s",
                   shown ? shown : key, in, where ? where : "", letter, idx + 1, what,
                   near ? ": «" : "", near ? near : "", near ? "»" : "");
        return true;
    }
    if (near && only_case(key, near)) {
        diag_error(d, at,
                   "неизвестный ключ «%s»%s%s: ключи пишутся маленькими (строчными) буквами, "
                   "ровно как в примерах: «%s»",
                   shown ? shown : key, in, where ? where : "", near);
        return true;
    }
    return false;
}

void diag_unknown_key(diag *d, src_mark at, const char *key, const char *shown, const char *where,
                      const char *const *known, size_t n)
{
    enum { LISTED = 6 }; /* keys named when there is no close one */
    const char *near = diag_suggest(key, known, n);
    const char *in = where ? " в " : "";
    if (key_slip(d, at, key, shown, in, where, near))
        return;
    bool russian = !near && looks_like_text(key, known, n);
    if (russian && strchr(key, ' ')) {
        diag_error(d, at,
                   "неизвестный ключ «%s»%s%s: похоже, это текст с двоеточием, и YAML прочитал "
                   "его как «ключ: значение»; возьмите весь текст в кавычки \"…\"",
                   shown ? shown : key, in, where ? where : "");
        return;
    }
    if (near) {
        diag_error(d, at, "неизвестный ключ «%s»%s%s; может быть, «%s»?", shown ? shown : key, in,
                   where ? where : "", near);
        return;
    }
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n && i < LISTED; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", known[i]);
    if (n > LISTED)
        buf_puts(&b, " …");
    /* a Russian word: a key translated, «номер: "443"» */
    diag_error(d, at, "неизвестный ключ «%s»%s%s: %sздесь допустимы %s", shown ? shown : key, in,
               where ? where : "",
               russian ? "ключи пишутся латиницей, ровно как в примерах README (а если это текст "
                         "с двоеточием, возьмите его в кавычки); "
                       : "",
               b.data ? b.data : "");
    buf_fini(&b);
}
