/* csv_load: CSV text -> a YL_SEQ of YL_MAPs with marks, through libcsv.
 *
 * libcsv reports fields and records but not where they are, so the text is
 * fed to it in pieces: every byte that can end or open a field (the
 * delimiter, the quote, CR, LF) alone, and the runs of other bytes between
 * them whole. A callback then fires exactly while the byte that caused it is
 * being fed, and the line and column of every field's first character are
 * known. */
#include "csv_load.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <csv.h>

#include "strtab.h"

typedef struct field {
    const char *text;   /* NUL-terminated; set when the record ends (record_text) */
    const char *shared; /* take_row: the same text in an earlier row, or NULL */
    size_t slot;        /* take_row: its slot among the texts seen (seen_slot) */
    size_t off;         /* where the text starts in csv_state.text */
    size_t len;
    src_mark mark;
    bool quoted;
} field;

/* The answers of a survey are a handful of distinct values ("5", "да") each
 * repeated thousands of times, so a value's text is stored once and its
 * later copies point to it: for 50,000 answers of scripts/gen-survey.sh this
 * saves 5 of the texts' 5.5 MB. The texts of earlier values sit in a table of
 * CSV_SEEN_SLOTS slots, a value's slot chosen by a hash of its bytes; a
 * value unlike the one in its slot is copied and takes the slot. There are
 * no chains: values whose hashes collide cost their copies, as every value
 * did before, and never time. */
#define CSV_SEEN_SLOTS 4096

typedef struct seen_text_slot {
    const char *text; /* in the tree's arena; NULL: an empty slot */
    size_t len;
} seen_text_slot;

typedef struct csv_state {
    arena *mem;
    diag *d;
    const char *file;
    size_t errors;
    unsigned char delim;
    uint32_t line, col; /* place of the next byte fed */
    src_mark start;     /* first character of the field being read */
    bool have_start, start_quoted;
    field *rec; /* the record being read; grows by doubling */
    size_t nrec, rec_cap;
    buf text;       /* the texts of rec, each NUL-terminated: one buffer reused */
    bool too_wide;  /* the record passed CSV_MAX_COLUMNS: the rest of it is dropped */
    yl_node **keys; /* the header's names, NULL for a column without one */
    size_t nkeys;
    bool have_header;
    yl_node **rows; /* grows by doubling */
    size_t nrows, rows_cap;
    seen_text_slot *seen; /* CSV_SEEN_SLOTS of them */
} csv_state;

/* FNV-1a: the slot of a value of len bytes. */
static size_t seen_slot(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h & (CSV_SEEN_SLOTS - 1);
}

static yl_node *new_scalar(csv_state *st, const field *f)
{
    yl_node *n = arena_alloc(st->mem, sizeof *n);
    n->kind = YL_SCALAR;
    n->mark = f->mark;
    n->str = f->text;
    n->len = f->len;
    n->plain = !f->quoted;
    return n;
}

static src_mark here(const csv_state *st)
{
    return (src_mark){st->file, st->line, st->col};
}

static void on_field(void *s, size_t len, void *data)
{
    csv_state *st = data;
    src_mark mark = st->have_start ? st->start : here(st);
    bool quoted = st->have_start && st->start_quoted;
    st->have_start = false;
    if (st->nrec >= CSV_MAX_COLUMNS) {
        if (!st->too_wide)
            diag_error(st->d, mark,
                       "в строке CSV больше %d полей; столько столбцов не бывает в "
                       "списке школы — проверьте разделитель и кавычки",
                       CSV_MAX_COLUMNS);
        st->too_wide = true;
        st->errors++;
        return;
    }
    if (st->nrec == st->rec_cap) {
        st->rec_cap = st->rec_cap ? 2 * st->rec_cap : 16;
        st->rec = xrealloc(st->rec, st->rec_cap * sizeof *st->rec);
    }
    /* unquoted fields lose their spaces in libcsv; quoted ones keep them,
     * which is right for values but not for the names of the header */
    st->rec[st->nrec++] = (field){NULL, NULL, 0, st->text.len, len, mark, quoted};
    buf_putn(&st->text, s ? s : "", len);
    buf_putc(&st->text, '\0');
}

static void trim_name(field *f)
{
    while (f->len && (f->text[0] == ' ' || f->text[0] == '\t'))
        f->text++, f->len--;
    while (f->len && (f->text[f->len - 1] == ' ' || f->text[f->len - 1] == '\t'))
        f->len--;
}

/* The header's names are found in a table, not by comparing each with all
 * before it (CSV_MAX_COLUMNS names made half a million comparisons). */
static void take_header(csv_state *st)
{
    st->have_header = true;
    st->nkeys = st->nrec;
    st->keys = arena_alloc(st->mem, (st->nrec ? st->nrec : 1) * sizeof *st->keys);
    strtab names = {0}; /* name -> its key node */
    for (size_t i = 0; i < st->nrec; i++) {
        field f = st->rec[i];
        trim_name(&f);
        if (!f.len)
            continue; /* a column without a name: only empty values may stand under it */
        f.text = arena_strndup(st->mem, f.text, f.len);
        yl_node *key = new_scalar(st, &f);
        const yl_node *first = strtab_add(&names, key->str, f.len, key);
        if (first) {
            diag_error(st->d, f.mark,
                       "столбец «%s» уже есть в заголовке; у каждого столбца своё имя — "
                       "переименуйте один из них",
                       f.text);
            diag_note(st->d, first->mark, "столбец «%s» здесь", f.text);
            st->errors++;
            continue;
        }
        st->keys[i] = key;
    }
    strtab_fini(&names);
}

/* The text of an earlier row's value equal to f's, or NULL; f->slot gets
 * the slot it was looked for in. */
static const char *seen_text(const csv_state *st, field *f)
{
    f->slot = seen_slot(f->text, f->len);
    const seen_text_slot *e = &st->seen[f->slot];
    return e->text && e->len == f->len && !memcmp(e->text, f->text, f->len) ? e->text : NULL;
}

/* Report the fields of the record that stand under no column. */
static void check_columns(csv_state *st)
{
    for (size_t i = 0; i < st->nrec; i++) {
        const field *f = &st->rec[i];
        if (f->len && i >= st->nkeys) {
            diag_error(st->d, f->mark,
                       "лишнее поле: в заголовке %zu столбцов, а это поле %zu-е; проверьте "
                       "разделитель и кавычки в этой строке",
                       st->nkeys, i + 1);
            st->errors++;
        } else if (f->len && !st->keys[i]) {
            diag_error(st->d, f->mark,
                       "значение в столбце без имени (столбец %zu); впишите имя столбца в "
                       "строку заголовка",
                       i + 1);
            st->errors++;
        }
    }
}

/* A row's map, its values and the texts not seen before (seen_text) in one
 * allocation: a CSV of 50,000 answers makes a node per answer, and a text of
 * one digit would otherwise take an aligned block of its own. */
static void take_row(csv_state *st)
{
    size_t n = 0, bytes = 0;
    for (size_t i = 0; i < st->nrec; i++) {
        field *f = &st->rec[i];
        if (f->len && i < st->nkeys && st->keys[i]) {
            n++;
            if (!(f->shared = seen_text(st, f)))
                bytes += f->len + 1;
        }
    }
    check_columns(st);
    if (!n)
        return; /* a blank row (or one of errors only) */
    unsigned char *chunk =
        arena_alloc(st->mem, (1 + n) * sizeof(yl_node) + n * sizeof(yl_pair) + bytes);
    yl_node *row = (yl_node *)chunk, *values = row + 1;
    char *texts = (char *)(values + n) + n * sizeof(yl_pair);
    row->kind = YL_MAP;
    row->mark = st->rec[0].mark;
    row->pairs = (yl_pair *)(values + n);
    for (size_t i = 0; i < st->nrec; i++) {
        const field *f = &st->rec[i];
        if (!f->len || i >= st->nkeys || !st->keys[i])
            continue;
        const char *text = f->shared;
        if (!text) {
            text = memcpy(texts, f->text, f->len + 1);
            texts += f->len + 1;
            st->seen[f->slot] = (seen_text_slot){text, f->len};
        }
        yl_node *v = &values[row->n];
        *v = (yl_node){
            .kind = YL_SCALAR, .plain = !f->quoted, .mark = f->mark, .str = text, .len = f->len};
        row->pairs[row->n++] = (yl_pair){st->keys[i], v};
    }
    if (st->nrows == st->rows_cap) {
        st->rows_cap = st->rows_cap ? 2 * st->rows_cap : 64;
        st->rows = xrealloc(st->rows, st->rows_cap * sizeof *st->rows);
    }
    st->rows[st->nrows++] = row;
}

static void on_record(int c, void *data)
{
    (void)c;
    csv_state *st = data;
    st->have_start = false;
    for (size_t i = 0; i < st->nrec; i++) /* the buffer no longer moves */
        st->rec[i].text = st->text.data + st->rec[i].off;
    if (!st->have_header)
        take_header(st);
    else
        take_row(st);
    st->nrec = 0;
    buf_clear(&st->text);
    st->too_wide = false;
}

/* Move the place over s[0..n): lines at LF, columns in characters. */
static void advance(csv_state *st, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b == '\n')
            st->line++, st->col = 1;
        else if ((b & 0xC0) != 0x80)
            st->col++;
    }
}

/* The delimiter of the header line: the most frequent of `,`, `;` and tab
 * outside quotes (`,` when there is none: a one-column list). Column names
 * with a comma in them are common («Фамилия, имя»), so a tie is not `,`. */
static unsigned char guess_delim(const char *text, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || (text[i] != '\n' && text[i] != '\r')); i++) {
        char c = text[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted)
            comma += c == ',', semi += c == ';', tab += c == '\t';
    }
    /* a tie goes to the rarer sign: `;` and tabs stand in names less often */
    if (semi && semi >= comma && semi >= tab)
        return ';';
    if (tab && tab >= comma)
        return '\t';
    return ',';
}

static bool is_special(const csv_state *st, char c)
{
    return (unsigned char)c == st->delim || c == '"' || c == '\r' || c == '\n';
}

/* Spaces libcsv trims around unquoted fields: a tab only when it does not
 * separate them. */
static int is_space_not_tab(unsigned char c)
{
    return c == ' ';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Feed s[0..n) (one special byte, or a run without any) to libcsv. */
static bool feed(csv_state *st, struct csv_parser *p, const char *s, size_t n)
{
    if (!st->have_start) {
        size_t k = 0;
        while (k < n && is_blank(s[k]) && (unsigned char)s[k] != st->delim)
            k++;
        if (k < n && (s[k] == '"' || !is_special(st, s[k]))) {
            uint32_t line = st->line, col = st->col;
            advance(st, s, k);
            st->start = here(st);
            st->start_quoted = s[k] == '"';
            st->have_start = true;
            st->line = line, st->col = col;
        }
    }
    size_t used = csv_parse(p, s, n, on_field, on_record, st);
    advance(st, s, used);
    if (used == n)
        return true;
    if (csv_error(p) == CSV_EPARSE)
        diag_error(st->d, here(st),
                   "кавычка не на месте: поле, в котором есть кавычки, запятые, точки с "
                   "запятой или переводы строки, целиком заключают в кавычки, а кавычку "
                   "внутри него удваивают («\"\"»)");
    else
        diag_error(st->d, here(st), "CSV не прочитан: %s", csv_strerror(csv_error(p)));
    st->errors++;
    return false;
}

/* text from Windows-1251 to UTF-8 (caller frees), or NULL. */
static char *from_cp1251(const char *text, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "CP1251");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = 3 * len + 1, left = cap - 1, in_left = len;
    char *out = xmalloc(cap), *o = out;
    char *in = (char *)text;
    size_t r = iconv(cd, &in, &in_left, &o, &left);
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(out);
        return NULL;
    }
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

/* What the file is instead of CSV text, as a message (util_file_format):
 * what Excel and LibreOffice save when another format is picked (Excel's
 * «Текст в Юникоде» is UTF-16 with tabs); NULL for anything else. These
 * were «в файле нулевой байт» or «не в кодировке UTF-8», which named no fix. */
static const char *not_csv_kind(const char *text, size_t len)
{
    switch (util_file_format(text, len)) {
    case FILE_UTF16LE:
    case FILE_UTF16_NO_MARK:
        return "файл в кодировке UTF-16 (в Excel — «Текст в Юникоде», в Блокноте — «Юникод»); "
               "сохраните таблицу как «CSV UTF-8 (разделитель — запятая)»";
    case FILE_UTF16BE:
        return "файл в кодировке UTF-16 (в Блокноте — «Юникод big endian»); сохраните таблицу "
               "как «CSV UTF-8 (разделитель — запятая)»";
    case FILE_ZIP:
        return "это не CSV, а книга Excel (.xlsx), таблица LibreOffice (.ods) или архив; "
               "сохраните таблицу как «CSV UTF-8 (разделитель — запятая)»";
    case FILE_OLE:
        return "это не CSV, а книга Excel 97–2003 (.xls); сохраните таблицу как «CSV UTF-8 "
               "(разделитель — запятая)»";
    case FILE_RTF:
        return "это не CSV, а документ RTF; сохраните таблицу как «CSV UTF-8 (разделитель — "
               "запятая)»";
    case FILE_TEXT:
        break;
    }
    return NULL;
}

/* The text to parse, without its BOM, in UTF-8: text itself, the BOM moved
 * out, or its conversion (text freed then). NULL after a message (text
 * freed). */
static char *prepare(csv_state *st, char *text, size_t *len)
{
    bool bom = *len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3);
    if (bom)
        memmove(text, text + 3, *len -= 3);
    const char *kind = not_csv_kind(text, *len);
    const char *nul = kind ? NULL : memchr(text, '\0', *len);
    char *utf8 = NULL;
    size_t n;
    if (kind) {
        diag_error(st->d, (src_mark){st->file, 0, 0}, "%s", kind);
    } else if (nul) {
        advance(st, text, (size_t)(nul - text));
        diag_error(st->d, here(st),
                   "в файле нулевой байт: это не текстовая таблица; сохраните таблицу как "
                   "«CSV UTF-8»");
    } else if (utf8_check(text, *len) == *len) {
        return text;
    } else if (bom || !(utf8 = from_cp1251(text, *len, &n))) {
        diag_error(st->d, here(st),
                   "файл не в кодировке UTF-8; сохраните таблицу как «CSV UTF-8 (разделитель — "
                   "запятая)»");
    } else {
        diag_warning(st->d, here(st),
                     "файл не в UTF-8 и прочитан как Windows-1251 (так сохраняет Excel); "
                     "проверьте буквы в документе или сохраните таблицу как «CSV UTF-8»");
        *len = n;
    }
    free(text);
    return utf8;
}

yl_node *csv_load_text(arena *mem, diag *d, const char *file, const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return csv_load_take(mem, d, file, copy, len);
}

yl_node *csv_load_take(arena *mem, diag *d, const char *file, char *text, size_t len)
{
    csv_state st = {.mem = mem, .d = d, .file = file, .line = 1, .col = 1};
    char *s = prepare(&st, text, &len);
    yl_node *seq = NULL;
    struct csv_parser p;
    if (!s)
        return NULL;
    buf_init(&st.text);
    st.seen = xcalloc(CSV_SEEN_SLOTS, sizeof *st.seen);
    /* csv_init fails only for a NULL parser; the buffer comes on first use,
     * through xrealloc (out of memory: the program's one message and exit) */
    (void)csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_realloc_func(&p, xrealloc);
    csv_set_free_func(&p, free);
    st.delim = guess_delim(s, len);
    csv_set_delim(&p, st.delim);
    if (st.delim == '\t')
        csv_set_space_func(&p, is_space_not_tab);
    bool ok = true;
    for (size_t i = 0; ok && i < len;) {
        size_t n = 1;
        if (!is_special(&st, s[i]))
            while (i + n < len && !is_special(&st, s[i + n]))
                n++;
        ok = feed(&st, &p, s + i, n);
        i += n;
    }
    if (ok && csv_fini(&p, on_field, on_record, &st) != 0) {
        diag_error(d, st.have_start ? st.start : here(&st),
                   "кавычка открыта здесь и не закрыта до конца файла; закройте поле кавычкой");
        st.errors++;
    }
    csv_free(&p);
    if (ok && !st.have_header) {
        diag_error(d, here(&st), "файл CSV пуст: нужна строка заголовка с именами столбцов");
        st.errors++;
    }
    if (!st.errors) {
        seq = arena_alloc(mem, sizeof *seq);
        seq->kind = YL_SEQ;
        seq->mark = (src_mark){file, 1, 1};
        seq->n = st.nrows;
        seq->items = arena_alloc(mem, (st.nrows ? st.nrows : 1) * sizeof *seq->items);
        if (st.nrows)
            memcpy(seq->items, st.rows, st.nrows * sizeof *seq->items);
    }
    free(st.rec);
    buf_fini(&st.text);
    free(st.rows);
    free(st.seen);
    diag_source_take(d, file, s, len); /* quoted when the messages are printed */
    return seq;
}
