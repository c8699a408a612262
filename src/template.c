/* template: template + data -> block tree.
 *
 * A template is a YAML map:
 *
 *   page:    size (A4), orientation (portrait|landscape, may tpl_interpolate),
 *            margins_mm {top, right, bottom, left},
 *            numbers {from, top_mm, style}
 *   info:    title, author, subject, keywords, date   (interpolated text)
 *   pdfa:    true: the PDF is PDF/A-1b (docs/pdfa.md), as with --pdfa
 *   styles:  NAME: {base, font, bold, italic, size, leading, indent_mm,
 *                   margin_left_mm, margin_right_mm, max_width_mm,
 *                   space_before, space_after (pt), align, hyphenate,
 *                   keep_with_next, upper, letter_spacing (pt)}
 *   blocks:  a list of blocks, each a map with one of:
 *     paragraph: TEXT            [style]
 *     heading: TEXT              [style]            (default style "heading")
 *     row: {left: TEXT, right: TEXT, left_width}   [style]
 *     signature: {position: TEXT, name: TEXT, left_width}  [style]
 *     spacer: MM
 *     page_break: true
 *     list: {items: PATH | [PATH…], text: KEY, children: KEY,
 *            numbering: decimal|dash|none, hanging: bool}  [style]
 *     content: PATH              [styles: {paragraph, heading, list, cell, head, section}]
 *     table: {columns: PATH | [COLUMN…], rows: PATH | [ROW…], header: bool}
 *                                [styles: {cell, head, section}]
 *     boxes: PATH                [style, width_mm]   (approval stamps side by side)
 *     columns: [{width_mm | width, align, blocks: […]} …]  [style]  (side by side)
 *     each: PATH, as: NAME, blocks: […]
 *     if: PATH, blocks: […], else: […]
 *     annex_mark: PATH           [style, width_mm]   («Приложение № N к приказу …»
 *                                 top right; lines from kinds)
 *     clauses, toc, annexes, parties, fill: long texts and agreements, see
 *            src/template_text.c
 *     acquaintance: PATH         [style, title_style, sign]   ({title, people}: «С приказом
 *                                 ознакомлены:», a line per person for signature and date)
 *     esign: {position: TEXT, name: TEXT, mark: PATH, left_width}  [style, mark_style]
 *                                (the signature row with the mark of an electronic
 *                                 signature; without mark data the signature row)
 *     qr: TEXT                   (the QR code, bottom right of the first page)
 *
 * TEXT is literal text with {{ PATH | filter | filter … }} holes. PATH is
 * a.b.c looked up first among the names bound by enclosing `each` blocks
 * (and `index`, the 1-based number of the current item), then in the data.
 * Data values are inserted as text and never scanned again, so a value that
 * contains "{{" is printed as typed.
 *
 * This file is the expander; the blocks' functions live in template_flow.c,
 * template_table.c and the other template_<topic>.c files (template_priv.h). */
#include "template.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unicase.h>
#include <unistd.h>

#include "date.h"
#include "kinds.h"
#include "names.h"
#include "template_priv.h"

/* ---- small helpers ---------------------------------------------------- */

bool tpl_parse_number(const yl_node *n, double *out)
{
    if (!n || n->kind != YL_SCALAR || !n->len)
        return false;
    char *end;
    errno = 0;
    double v = strtod(n->str, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool tpl_parse_bool(const yl_node *n, bool *out)
{
    const char *s = yl_str(n);
    if (!s)
        return false;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "да")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "нет")) {
        *out = false;
        return true;
    }
    return false;
}

/* Charge n units of work; false (once reported) when the budget is spent:
 * nested `each` over large lists must stop even when it produces nothing. */
bool tpl_charge(expander *x, size_t n, src_mark mark)
{
    x->steps += n;
    if (x->steps <= x->budget)
        return true;
    if (!x->failed)
        diag_error(x->d, mark,
                   "шаблон делает слишком много работы (больше %zu шагов): вложенные each "
                   "перебирают слишком много данных",
                   x->budget);
    x->failed = true;
    return false;
}

/* A number in [lo, hi] at v, or an error naming the range at v's place:
 * 1e300, a negative width or NaN never reach the layout. */
bool tpl_read_range(expander *x, const yl_node *v, const char *key, double lo, double hi,
                    double *out)
{
    double num;
    if (tpl_parse_number(v, &num) && num >= lo && num <= hi) {
        *out = num;
        return true;
    }
    diag_error(x->d, v->mark, "%s: ожидалось число от %g до %g, а здесь «%s»", key, lo, hi,
               yl_str(v) ? yl_str(v) : yl_kind_name(v->kind));
    return false;
}

/* v as one of choices[0..n): its index, or -1 after a message at v that
 * lists the choices and suggests the closest. */
int tpl_read_choice(expander *x, const yl_node *v, const char *key, const char *const *choices,
                    size_t n)
{
    const char *s = yl_str(v);
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, choices[i]))
            return (int)i;
    buf all;
    buf_init(&all);
    for (size_t i = 0; i < n; i++)
        buf_printf(&all, "%s%s", i ? (i + 1 == n ? " или " : ", ") : "", choices[i]);
    const char *near = s ? diag_suggest(s, choices, n) : NULL;
    diag_error(x->d, v->mark, "%s: ожидалось %s, а здесь «%s»%s%s%s", key, all.data,
               s ? s : yl_kind_name(v->kind), near ? "; может быть, «" : "", near ? near : "",
               near ? "»?" : "");
    buf_fini(&all);
    return -1;
}

const char *const tpl_align_names[] = {"left", "center", "right", "justify"};
const blk_align tpl_align_values[] = {BLK_LEFT, BLK_CENTER, BLK_RIGHT, BLK_JUSTIFY};

blk_block *tpl_add_block(expander *x, blk_kind kind, src_mark mark)
{
    if (x->produced >= TPL_MAX_BLOCKS) {
        if (!x->failed)
            diag_error(x->d, mark, "документ слишком велик: больше %u блоков", TPL_MAX_BLOCKS);
        x->failed = true;
        return NULL;
    }
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->blocks = xrealloc(x->blocks, x->cap * sizeof *x->blocks);
    }
    x->produced++;
    blk_block *b = &x->blocks[x->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->mark = mark;
    b->style = x->base;
    if (kind == BLK_ROW)
        b->as.row.left_frac = 0.5;
    return b;
}

/* ---- dates and filters ------------------------------------------------ */

/* "Шадрин Иван Николаевич" or "Шадрин И.Н." -> "И.Н. Шадрин" with a
 * non-breaking space (GOST R 7.0.97-2016 §5.22: initials before the surname
 * in the signature). A name already written "И.Н. Шадрин" is kept. */
static const char *filter_initials(arena *a, const char *value)
{
    const char *words[8];
    size_t lens[8], n = 0;
    for (const char *p = value; *p && n < 8;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        words[n] = start;
        lens[n++] = (size_t)(p - start);
    }
    if (n < 2)
        return arena_strdup(a, value);
    buf b;
    buf_init(&b);
    /* An initial is one letter and a dot; "И.Н." is two of them. */
    size_t first_dot = (size_t)-1;
    for (size_t i = 0; i < n; i++)
        if (lens[i] <= 6 && words[i][lens[i] - 1] == '.') {
            first_dot = i;
            break;
        }
    const char *result;
    if (first_dot == 0) {
        /* "И.Н. Шадрин" or "И. Н. Шадрин": glue the initials, keep the surname */
        size_t i = 0;
        while (i < n && words[i][lens[i] - 1] == '.')
            buf_putn(&b, words[i], lens[i]), i++;
        for (; i < n; i++) {
            buf_put_cp(&b, 0x00A0);
            buf_putn(&b, words[i], lens[i]);
        }
    } else {
        /* surname first: initials of the following words, then the surname */
        for (size_t i = 1; i < n; i++) {
            if (words[i][lens[i] - 1] == '.') {
                buf_putn(&b, words[i], lens[i]);
            } else {
                uint32_t cp;
                size_t k = utf8_decode(words[i], lens[i], &cp);
                buf_putn(&b, words[i], k ? k : 1);
                buf_putc(&b, '.');
            }
        }
        buf_put_cp(&b, 0x00A0);
        buf_putn(&b, words[0], lens[0]);
    }
    result = arena_strndup(a, b.data, b.len);
    buf_fini(&b);
    return result;
}

static const char *map_case(arena *a, const char *value, bool upper)
{
    size_t len = 0;
    const uint8_t *s = (const uint8_t *)value;
    uint8_t *out = upper ? u8_toupper(s, strlen(value), NULL, NULL, NULL, &len)
                         : u8_tolower(s, strlen(value), NULL, NULL, NULL, &len);
    if (!out)
        return arena_strdup(a, value);
    const char *r = arena_strndup(a, (const char *)out, len);
    free(out);
    return r;
}

/* 12345.5 -> "12 345,5": thin groups with NBSP, decimal comma (Russian usage). */
static const char *format_number(arena *a, double v, int decimals)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, fabs(v));
    char *dot = strchr(tmp, '.');
    size_t int_len = dot ? (size_t)(dot - tmp) : strlen(tmp);
    buf b;
    buf_init(&b);
    if (v < 0 && strspn(tmp, "0.") != strlen(tmp))
        buf_puts(&b, "−");
    for (size_t i = 0; i < int_len; i++) {
        if (i && (int_len - i) % 3 == 0 && int_len > 4)
            buf_put_cp(&b, 0x00A0);
        buf_putc(&b, tmp[i]);
    }
    if (dot) {
        /* drop trailing zeros of the fraction */
        size_t end = strlen(tmp);
        while (end > int_len + 1 && tmp[end - 1] == '0')
            end--;
        if (end > int_len + 1) {
            buf_putc(&b, ',');
            buf_putn(&b, dot + 1, end - int_len - 1);
        }
    }
    const char *r = arena_strndup(a, b.data ? b.data : "0", b.len ? b.len : 1);
    buf_fini(&b);
    return r;
}

const char *tpl_filter(arena *a, const char *name, const char *value, const char **err)
{
    int y, m, d;
    if (!strcmp(name, "date") || !strcmp(name, "date_words")) {
        if (!date_parse(value, &y, &m, &d)) {
            *err = "ожидалась дата в виде ГГГГ-ММ-ДД (например, 2023-08-30)";
            return NULL;
        }
        if (name[4] == '_')
            return arena_printf(a, "%d\u00A0%s %d\u00A0г.", d, date_month_genitive(m), y);
        return arena_printf(a, "%02d.%02d.%04d", d, m, y);
    }
    if (!strcmp(name, "initials"))
        return filter_initials(a, value);
    if (!strcmp(name, "upper") || !strcmp(name, "lower"))
        return map_case(a, value, name[0] == 'u');
    if (!strcmp(name, "number") || !strcmp(name, "percent")) {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (!*value || *end || errno || !isfinite(v)) {
            *err = "ожидалось число";
            return NULL;
        }
        if (name[0] == 'n')
            return format_number(a, v, 2);
        return arena_printf(a, "%s\u00A0%%", format_number(a, v, 1));
    }
    *err = "неизвестный фильтр (есть date, date_words, initials, upper, lower, number, percent)";
    return NULL;
}

/* ---- paths and interpolation ----------------------------------------- */

/* Look up PATH (a.b.c). Returns NULL when any part is missing. */
const yl_node *tpl_resolve(const expander *x, const scope *sc, const char *path, size_t len)
{
    const char *seg = path, *end = path + len;
    const char *dot = memchr(seg, '.', len);
    size_t seglen = dot ? (size_t)(dot - seg) : len;
    const yl_node *cur = NULL;
    for (const scope *s = sc; s; s = s->up)
        if (strlen(s->name) == seglen && !memcmp(s->name, seg, seglen)) {
            cur = s->node;
            break;
        }
    if (!cur) {
        cur = x->data;
        dot = seg - 1; /* the first segment is a data key */
    }
    while (dot && dot < end) {
        seg = dot + 1;
        dot = memchr(seg, '.', (size_t)(end - seg));
        seglen = dot ? (size_t)(dot - seg) : (size_t)(end - seg);
        if (!cur || cur->kind != YL_MAP)
            return NULL;
        const yl_node *next = NULL;
        for (size_t i = 0; i < cur->n; i++) {
            const yl_node *k = cur->pairs[i].key;
            if (k->len == seglen && !memcmp(k->str, seg, seglen)) {
                next = cur->pairs[i].value;
                break;
            }
        }
        cur = next;
    }
    return cur;
}

static void trim(const char **s, size_t *len)
{
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t'))
        (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* A list of strings inserted into a text: its lines, each on a line of its
 * own ('\n' is a forced line break in the paragraph setter). NULL when an
 * item is not a string. */
static const char *join_lines(expander *x, const yl_node *seq)
{
    buf b;
    buf_init(&b);
    const char *r = NULL;
    for (size_t i = 0; i < seq->n; i++) {
        if (!yl_str(seq->items[i]))
            goto out;
        if (i)
            buf_putc(&b, '\n');
        buf_puts(&b, yl_str(seq->items[i]));
    }
    r = arena_strndup(x->mem, b.data ? b.data : "", b.len);
out:
    buf_fini(&b);
    return r;
}

/* Expand the holes of the template text node t. *mark becomes the mark of
 * the first data value used (messages about the text then point at the data),
 * else the template's. NULL after an error. */
/* The filters dative and genitive: a name in the case, by petrovich's rules
 * (src/names.c), in the form it is written. A warning at the value when
 * the gender is not seen or a word has no rule; the rules are read once per
 * expansion. */
static const char *decline_filter(expander *x, const char *filter, const char *value, src_mark at)
{
    if (!x->names && !x->names_failed) {
        x->names = names_rules_load_shipped(x->d);
        x->names_failed = !x->names;
    }
    if (!x->names)
        return value;
    bool dat = filter[0] == 'd';
    names_gender g;
    int missed;
    const char *r = names_decline_text(x->names, x->mem, value, dat ? NAMES_DATIVE : NAMES_GENITIVE,
                                       &g, &missed);
    if (missed < 0)
        diag_warning(x->d, at,
                     "%s: «%s» — не ФИО («Фамилия Имя Отчество» или «Фамилия И.О.»), "
                     "оставлено как есть",
                     filter, value);
    else if (g == NAMES_UNKNOWN)
        diag_warning(x->d, at,
                     "%s: пол «%s» не виден по ФИО: склонено как общее для обоих родов; "
                     "напишите ФИО в падеже в данных",
                     filter, value);
    else if (missed)
        diag_warning(x->d, at, "%s: «%s»: для %d слов%s нет правила склонения, оставлено как есть",
                     filter, value, missed, missed == 1 ? "а" : "");
    return r;
}

const char *tpl_interpolate(expander *x, const scope *sc, const yl_node *t, src_mark *mark)
{
    if (!t || t->kind != YL_SCALAR) {
        diag_error(x->d, t ? t->mark : DIAG_NOWHERE, "ожидался текст (строка)");
        return NULL;
    }
    *mark = t->mark;
    bool have_data_mark = false;
    if (!strstr(t->str, "{{"))
        return t->str;
    buf out;
    buf_init(&out);
    const char *p = t->str, *result = NULL;
    for (;;) {
        const char *open = strstr(p, "{{");
        if (!open) {
            buf_puts(&out, p);
            break;
        }
        buf_putn(&out, p, (size_t)(open - p));
        const char *close = strstr(open + 2, "}}");
        if (!close)
            goto out; /* check_text reported it */
        /* split "path | f1 | f2" */
        const char *expr = open + 2;
        size_t elen = (size_t)(close - expr);
        const char *bar = memchr(expr, '|', elen);
        const char *path = expr;
        size_t plen = bar ? (size_t)(bar - expr) : elen;
        trim(&path, &plen);
        const yl_node *v = tpl_resolve(x, sc, path, plen);
        if (!v || yl_is_null(v)) {
            diag_error(x->d, t->mark, "в данных нет значения «%.*s»", (int)plen, path);
            goto out;
        }
        const char *value = v->kind == YL_SEQ ? join_lines(x, v) : yl_str(v);
        if (!value) {
            diag_error(x->d, v->mark, "«%.*s» должно быть строкой или списком строк, а здесь %s",
                       (int)plen, path, yl_kind_name(v->kind));
            goto out;
        }
        if (!have_data_mark) {
            *mark = v->mark;
            have_data_mark = true;
        }
        while (bar) {
            const char *f = bar + 1;
            const char *fend = memchr(f, '|', (size_t)(close - f));
            bar = fend;
            size_t flen = (size_t)((fend ? fend : close) - f);
            trim(&f, &flen);
            char name[32];
            if (flen == 0 || flen >= sizeof name)
                goto out; /* check_text reported it */
            memcpy(name, f, flen);
            name[flen] = '\0';
            const char *err = NULL;
            const char *next = !strcmp(name, "dative") || !strcmp(name, "genitive")
                                   ? decline_filter(x, name, value, v->mark)
                                   : tpl_filter(x->mem, name, value, &err);
            if (!next) {
                /* an unknown filter was reported by check_text */
                if (!strstr(err, "неизвестный"))
                    diag_error(x->d, v->mark, "значение «%s»: %s", value, err);
                goto out;
            }
            value = next;
        }
        buf_puts(&out, value);
        if (out.len > TPL_MAX_TEXT) {
            /* at the value that made it long, when it is most of it */
            diag_error(x->d, strlen(value) * 2 > out.len ? v->mark : t->mark,
                       "текст длиннее %u байт (%u МиБ): такой текст не поместится "
                       "в документ; сократите его",
                       TPL_MAX_TEXT, TPL_MAX_TEXT >> 20);
            goto out;
        }
        p = close + 2;
    }
    if (tpl_charge(x, 1 + out.len / TPL_STEP_BYTES, t->mark))
        result = arena_strndup(x->mem, out.data ? out.data : "", out.len);
out:
    buf_fini(&out);
    return result;
}

/* ---- styles ----------------------------------------------------------- */

const blk_style *tpl_find_style(const expander *x, const char *name)
{
    return strtab_get(&x->styles, name, strlen(name));
}

size_t tpl_count_keys(const char *const *keys)
{
    size_t n = 0;
    while (keys[n])
        n++;
    return n;
}

bool tpl_has_key(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], key))
            return true;
    return false;
}

/* Every key of map must be one of keys[0..n): each stray one is an error. */
void tpl_check_keys(expander *x, const yl_node *map, const char *const *keys, size_t n,
                    const char *where)
{
    if (!map || map->kind != YL_MAP)
        return;
    for (size_t i = 0; i < map->n; i++)
        if (!tpl_has_key(keys, n, map->pairs[i].key->str)) {
            diag_unknown_key(x->d, map->pairs[i].key->mark, map->pairs[i].key->str, NULL, where,
                             keys, n);
        }
}

static const char *const filter_names[] = {"date",   "date_words", "initials", "upper",   "lower",
                                           "number", "percent",    "dative",   "genitive"};

/* The holes of a template text: closed, and every filter known. */
void tpl_check_text(expander *x, const yl_node *t)
{
    if (!t || t->kind != YL_SCALAR)
        return;
    for (const char *p = t->str; (p = strstr(p, "{{"));) {
        const char *close = strstr(p + 2, "}}");
        if (!close) {
            diag_error(x->d, t->mark, "в тексте шаблона нет закрывающих «}}»");
            return;
        }
        for (const char *bar = memchr(p + 2, '|', (size_t)(close - p - 2)); bar;) {
            const char *f = bar + 1, *fend = memchr(f, '|', (size_t)(close - f));
            size_t flen = (size_t)((fend ? fend : close) - f);
            bar = fend;
            trim(&f, &flen);
            char name[32];
            if (flen == 0 || flen >= sizeof name) {
                diag_error(x->d, t->mark, "пустое или слишком длинное имя фильтра");
                continue;
            }
            memcpy(name, f, flen);
            name[flen] = '\0';
            if (tpl_has_key(filter_names, 9, name))
                continue;
            const char *near = diag_suggest(name, filter_names, 9);
            diag_error(x->d, t->mark,
                       "фильтр «%s»: неизвестный фильтр (есть date, date_words, initials, "
                       "upper, lower, number, percent, dative, genitive)%s%s%s",
                       name, near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
        }
        p = close + 2;
    }
}

static void check_style_name(expander *x, const yl_node *v)
{
    if (v && yl_str(v) && !tpl_find_style(x, yl_str(v))) {
        diag_error(x->d, v->mark, "стиль «%s» не описан в styles", yl_str(v));
    }
}

const blk_style *tpl_block_style(expander *x, const yl_node *blk, const char *fallback)
{
    const yl_node *s = yl_map_get(blk, "style");
    const char *name = s ? yl_str(s) : fallback;
    if (!name)
        return x->base;
    const blk_style *st = tpl_find_style(x, name);
    if (!st) {
        if (s)
            diag_error(x->d, s->mark, "стиль «%s» не описан в styles", name);
        return tpl_find_style(x, "body") ? tpl_find_style(x, "body") : x->base;
    }
    return st;
}

static const char *const style_keys[] = {
    "base",         "font",          "bold",           "italic",          "size",
    "leading",      "indent_mm",     "margin_left_mm", "margin_right_mm", "max_width_mm",
    "space_before", "space_after",   "align",          "hyphenate",       "keep_with_next",
    "upper",        "letter_spacing"};

/* The numeric style keys: where each goes, its unit and its allowed range
 * (sizes a document can print; anything outside is a typo or an attack). */
typedef struct style_range {
    const char *key;
    size_t offset; /* of the double in blk_style */
    double scale;  /* to points (or 1) */
    double lo, hi;
} style_range;

static const style_range style_ranges[] = {
    {"size", offsetof(blk_style, size_pt), 1, 4, 144},
    {"leading", offsetof(blk_style, leading), 1, 0.5, 4},
    {"indent_mm", offsetof(blk_style, indent_pt), MM, 0, 200},
    {"margin_left_mm", offsetof(blk_style, margin_left_pt), MM, 0, 200},
    {"margin_right_mm", offsetof(blk_style, margin_right_pt), MM, 0, 200},
    {"max_width_mm", offsetof(blk_style, max_width_pt), MM, 0, 1000},
    {"space_before", offsetof(blk_style, space_before_pt), 1, 0, 500},
    {"space_after", offsetof(blk_style, space_after_pt), 1, 0, 500},
    {"letter_spacing", offsetof(blk_style, letter_spacing_pt), 1, 0, 20},
};

static const style_range *range_of(const char *key)
{
    for (size_t i = 0; i < sizeof style_ranges / sizeof *style_ranges; i++)
        if (!strcmp(style_ranges[i].key, key))
            return &style_ranges[i];
    return NULL;
}

static void read_style(expander *x, blk_style *st, const yl_node *m)
{
    for (size_t i = 0; i < m->n; i++) {
        const yl_node *k = m->pairs[i].key, *v = m->pairs[i].value;
        const char *key = k->str;
        double num = 0;
        bool flag = false;
        bool is_bool = tpl_parse_bool(v, &flag);
        if (!strcmp(key, "base")) {
            continue; /* applied before */
        } else if (!strcmp(key, "font")) {
            st->family = yl_str(v) ? arena_strdup(x->mem, yl_str(v)) : st->family;
        } else if (!strcmp(key, "align")) {
            int a = tpl_read_choice(x, v, "align", tpl_align_names, 4);
            if (a >= 0)
                st->align = tpl_align_values[a];
        } else if (!strcmp(key, "bold") || !strcmp(key, "italic") || !strcmp(key, "hyphenate") ||
                   !strcmp(key, "keep_with_next") || !strcmp(key, "upper")) {
            if (!is_bool) {
                diag_error(x->d, v->mark, "%s: ожидалось true или false", key);
                continue;
            }
            if (key[0] == 'b')
                st->font_style = flag ? st->font_style | BLK_BOLD : st->font_style & ~BLK_BOLD;
            else if (key[0] == 'i')
                st->font_style = flag ? st->font_style | BLK_ITALIC : st->font_style & ~BLK_ITALIC;
            else if (key[0] == 'h')
                st->hyphenate = flag;
            else if (key[0] == 'k')
                st->keep_with_next = flag;
            else
                st->upper = flag;
        } else {
            bool known = false;
            for (size_t j = 0; j < sizeof style_keys / sizeof *style_keys; j++)
                known |= !strcmp(style_keys[j], key);
            if (!known) {
                diag_unknown_key(x->d, k->mark, k->str, NULL, "стиле", style_keys,
                                 sizeof style_keys / sizeof *style_keys);
                continue;
            }
            const style_range *r = range_of(key);
            if (!tpl_read_range(x, v, key, r->lo, r->hi, &num))
                continue;
            double *dst = (double *)((char *)st + r->offset);
            *dst = num * r->scale;
        }
    }
}

/* Styles may name a base style defined earlier in the list. */
static void read_styles(expander *x, const yl_node *styles)
{
    if (!styles)
        return;
    if (styles->kind != YL_MAP) {
        diag_error(x->d, styles->mark, "styles: ожидался словарь стилей");
        return;
    }
    strtab_reserve(&x->styles, styles->n);
    for (size_t i = 0; i < styles->n; i++) {
        const yl_node *k = styles->pairs[i].key, *v = styles->pairs[i].value;
        blk_style *st = arena_alloc(x->mem, sizeof *st);
        *st = *x->base;
        if (v->kind != YL_MAP) {
            diag_error(x->d, v->mark, "стиль «%s»: ожидался словарь", k->str);
            continue;
        }
        const yl_node *base = yl_map_get(v, "base");
        if (base) {
            const blk_style *b = yl_str(base) ? tpl_find_style(x, yl_str(base)) : NULL;
            if (b)
                *st = *b;
            else
                diag_error(x->d, base->mark, "базовый стиль «%s» не описан выше",
                           yl_str(base) ? yl_str(base) : "?");
        }
        read_style(x, st, v);
        st->name = arena_strdup(x->mem, k->str);
        strtab_add(&x->styles, st->name, strlen(st->name), st); /* the first of a name wins */
    }
}

static void read_page(expander *x, const yl_node *page, blk_page *pg)
{
    /* GOST R 7.0.97-2016 §5.1 (docs/typesetting.md §1.1): A4, margins 20/10/20/20 mm,
     * page numbers from the second page, centred, 10 mm from the top edge. */
    pg->width_pt = 210 * MM;
    pg->height_pt = 297 * MM;
    pg->margin_top_pt = pg->margin_bottom_pt = pg->margin_left_pt = 20 * MM;
    pg->margin_right_pt = 10 * MM;
    pg->numbers_from = 2;
    pg->numbers_top_pt = 10 * MM;
    if (!page)
        return;
    static const char *const page_keys[] = {"size", "orientation", "font", "margins_mm", "numbers"};
    static const char *const margin_keys[] = {"top", "right", "bottom", "left"};
    static const char *const number_keys[] = {"from", "top_mm", "style"};
    tpl_check_keys(x, page, page_keys, 5, "page");
    tpl_check_keys(x, yl_map_get(page, "margins_mm"), margin_keys, 4, "margins_mm");
    tpl_check_keys(x, yl_map_get(page, "numbers"), number_keys, 3, "numbers");
    const yl_node *o = yl_map_get(page, "orientation");
    src_mark om;
    const char *orient = o ? tpl_interpolate(x, NULL, o, &om) : NULL;
    if (orient && !strcmp(orient, "landscape")) {
        double w = pg->width_pt;
        pg->width_pt = pg->height_pt;
        pg->height_pt = w;
    } else if (o && (!orient || strcmp(orient, "portrait"))) {
        diag_error(x->d, o->mark, "orientation: ожидалось portrait или landscape");
    }
    const yl_node *m = yl_map_get(page, "margins_mm");
    if (m) {
        double *dst[] = {&pg->margin_top_pt, &pg->margin_right_pt, &pg->margin_bottom_pt,
                         &pg->margin_left_pt};
        const char *names[] = {"top", "right", "bottom", "left"};
        for (int i = 0; i < 4; i++) {
            const yl_node *v = yl_map_get(m, names[i]);
            double num;
            if (v && tpl_read_range(x, v, names[i], 0, 100, &num))
                *dst[i] = num * MM;
        }
    }
    const yl_node *nums = yl_map_get(page, "numbers");
    if (nums) {
        double v;
        const yl_node *from = yl_map_get(nums, "from"), *top = yl_map_get(nums, "top_mm");
        /* from: the first numbered page (0: none); top_mm: from the top edge */
        if (from && tpl_read_range(x, from, "from", 0, TPL_MAX_PAGE_FROM, &v))
            pg->numbers_from = (unsigned)v;
        if (top && tpl_read_range(x, top, "top_mm", 0, 100, &v))
            pg->numbers_top_pt = v * MM;
        const yl_node *st = yl_map_get(nums, "style");
        check_style_name(x, st);
        if (st && yl_str(st))
            pg->number_style = tpl_find_style(x, yl_str(st));
    }
}

/* ---- the block table ---------------------------------------------------
 * A template block is a map with one block key; the row of that key says
 * which other keys may stand beside it, which keys its value may have when
 * it is a map, and the function that expands it. */

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef struct block_def {
    const char *key;
    const char *const *opts; /* keys allowed beside key */
    const char *const *spec; /* keys of the value when it is a map (NULL: not a map) */
    tpl_block_fn expand;
} block_def;

static const block_def block_defs[] = {
    {"paragraph", KEYS("style"), NULL, tpl_block_paragraph},
    {"heading", KEYS("style"), NULL, tpl_block_heading},
    {"row", KEYS("style"), KEYS("left", "right", "left_width"), tpl_block_row},
    {"signature", KEYS("style"), KEYS("position", "name", "left_width"), tpl_block_row},
    {"spacer", KEYS(NULL), NULL, tpl_block_spacer},
    {"page_break", KEYS(NULL), NULL, tpl_block_page_break},
    {"list", KEYS("style"), KEYS("items", "text", "children", "numbering", "hanging"),
     tpl_block_list},
    {"content", KEYS("styles"), NULL, tpl_block_content},
    {"table", KEYS("styles"), KEYS("columns", "rows", "header", "column_numbers"), tpl_block_table},
    {"boxes", KEYS("style", "width_mm"), NULL, tpl_block_boxes},
    {"columns", KEYS("style"), NULL, tpl_block_columns},
    {"each", KEYS("as", "blocks"), NULL, tpl_block_each},
    {"if", KEYS("blocks", "else"), NULL, tpl_block_if},
    {"annex_mark", KEYS("style", "width_mm"), NULL, tpl_block_annex_mark},
    {"clauses", KEYS("style"), KEYS("sections", "changes", "numbering"), tpl_block_clauses},
    {"toc", KEYS("style"), NULL, tpl_block_toc},
    {"annexes", KEYS("style"), NULL, tpl_block_annexes},
    {"parties", KEYS("style"), KEYS("title", "left", "right"), tpl_block_parties},
    {"fill", KEYS(NULL), NULL, tpl_block_fill},
    {"stamp_row", KEYS("style"), NULL, tpl_block_stamp_row},
    {"question", KEYS("style"), NULL, tpl_block_question},
    {"chart", KEYS("style", "height_mm"), NULL, tpl_block_chart},
    {"acquaintance", KEYS("style", "title_style", "sign"), NULL, tpl_block_acquaintance},
    {"esign", KEYS("style", "mark_style"), KEYS("position", "name", "mark", "left_width"),
     tpl_block_esign},
    {"qr", KEYS(NULL), NULL, tpl_block_qr},
};
enum { NBLOCK_DEFS = sizeof block_defs / sizeof *block_defs };

/* Roles a block's `styles:` map may name, and the keys of a `columns` item. */
static const char *const style_roles[] = {"paragraph", "heading", "list",
                                          "cell",      "head",    "section"};
static const char *const column_keys[] = {"width_mm", "width", "align", "blocks"};

/* The row of blk's block key (the first one in the map), or NULL. */
static const block_def *block_def_of(const yl_node *blk, const yl_node **value)
{
    for (size_t i = 0; i < blk->n; i++)
        for (size_t k = 0; k < NBLOCK_DEFS; k++)
            if (!strcmp(blk->pairs[i].key->str, block_defs[k].key)) {
                *value = blk->pairs[i].value;
                return &block_defs[k];
            }
    return NULL;
}

static void check_blocks(expander *x, const yl_node *list);

static void check_block(expander *x, const yl_node *blk)
{
    const yl_node *v = NULL;
    const block_def *def = blk->kind == YL_MAP ? block_def_of(blk, &v) : NULL;
    if (!def) {
        const char *keys[NBLOCK_DEFS];
        for (size_t k = 0; k < NBLOCK_DEFS; k++)
            keys[k] = block_defs[k].key;
        if (blk->kind != YL_MAP)
            diag_error(x->d, blk->mark, "блок шаблона должен быть словарём");
        else if (!blk->n)
            diag_error(x->d, blk->mark, "пустой блок шаблона");
        else
            diag_unknown_key(x->d, blk->pairs[0].key->mark, blk->pairs[0].key->str, NULL,
                             "блоке шаблона", keys, NBLOCK_DEFS);
        return;
    }
    for (size_t i = 0; i < blk->n; i++) {
        const yl_node *k = blk->pairs[i].key;
        if (!strcmp(k->str, def->key))
            continue;
        if (!tpl_has_key(def->opts, tpl_count_keys(def->opts), k->str)) {
            const char *where = arena_printf(x->mem, "блоке «%s»", def->key);
            diag_unknown_key(x->d, k->mark, k->str, NULL, where, def->opts,
                             tpl_count_keys(def->opts));
        }
    }
    if (def->spec)
        tpl_check_keys(x, v, def->spec, tpl_count_keys(def->spec),
                       arena_printf(x->mem, "«%s»", def->key));
    if (def->expand == tpl_block_paragraph || def->expand == tpl_block_heading)
        tpl_check_text(x, v);
    for (size_t i = 0; def->expand == tpl_block_row && v->kind == YL_MAP && i < v->n; i++)
        tpl_check_text(x, v->pairs[i].value);
    if (def->expand == tpl_block_esign) {
        tpl_check_text(x, yl_map_get(v, "position"));
        tpl_check_text(x, yl_map_get(v, "name"));
        check_style_name(x, yl_map_get(blk, "mark_style"));
    }
    if (def->expand == tpl_block_qr)
        tpl_check_text(x, v);
    tpl_text_check(x, def->key, v); /* the texts inside the blocks of template_text.c */
    check_style_name(x, yl_map_get(blk, "style"));
    const yl_node *styles = yl_map_get(blk, "styles");
    tpl_check_keys(x, styles, style_roles, sizeof style_roles / sizeof *style_roles,
                   "styles блока");
    for (size_t i = 0; styles && styles->kind == YL_MAP && i < styles->n; i++)
        check_style_name(x, styles->pairs[i].value);
    check_blocks(x, yl_map_get(blk, "blocks"));
    check_blocks(x, yl_map_get(blk, "else"));
    if (!strcmp(def->key, "columns") && v->kind == YL_SEQ)
        for (size_t c = 0; c < v->n; c++) {
            tpl_check_keys(x, v->items[c], column_keys, sizeof column_keys / sizeof *column_keys,
                           "столбце columns");
            check_blocks(x, yl_map_get(v->items[c], "blocks"));
        }
}

/* The whole template is checked before anything is expanded, so every
 * mistake is reported in one run, also in branches the data never takes. */
static void check_blocks(expander *x, const yl_node *list)
{
    if (!list || list->kind != YL_SEQ)
        return;
    for (size_t i = 0; i < list->n; i++)
        check_block(x, list->items[i]);
}

static void expand_block(expander *x, const yl_node *blk, const scope *sc)
{
    if (!tpl_charge(x, 1, blk->mark))
        return;
    const yl_node *v = NULL;
    const block_def *def = blk->kind == YL_MAP ? block_def_of(blk, &v) : NULL;
    if (!def) {
        return; /* not a block: check_blocks reported it */
    }
    def->expand(x, blk, v, sc);
}

void tpl_expand_blocks(expander *x, const yl_node *list, const scope *sc)
{
    if (!list)
        return;
    if (list->kind != YL_SEQ) {
        diag_error(x->d, list->mark, "blocks: ожидался список блоков");
        x->failed = true;
        return;
    }
    for (size_t i = 0; i < list->n && !x->failed; i++)
        expand_block(x, list->items[i], sc);
}

/* Metadata is one line: the line breaks of a title become spaces there. */
static const char *info_text(expander *x, const yl_node *info, const char *key)
{
    const yl_node *v = info ? yl_map_get(info, key) : NULL;
    src_mark m;
    const char *s = v ? tpl_interpolate(x, NULL, v, &m) : NULL;
    if (!s || !strchr(s, '\n'))
        return s;
    char *flat = arena_strdup(x->mem, s);
    for (char *p = flat; (p = strchr(p, '\n'));)
        *p = ' ';
    return flat;
}

/* Nodes of a tree as the walks see it (shared alias nodes once per use),
 * counted up to limit: the measure of the input for the work budget. */
static size_t count_nodes(const yl_node *root, size_t limit)
{
    enum { STACK = YL_MAX_DEPTH + 1 };
    typedef struct frame {
        const yl_node *n;
        size_t i;
    } frame;
    frame st[STACK];
    size_t depth = 0, count = 0;
    if (!root)
        return 0;
    st[depth++] = (frame){root, 0};
    count++;
    while (depth && count < limit) {
        const yl_node *n = st[depth - 1].n;
        size_t i = st[depth - 1].i++;
        size_t len = n->kind == YL_SCALAR ? 0 : n->n;
        if (i >= len) {
            depth--;
            continue;
        }
        const yl_node *child = n->kind == YL_SEQ ? n->items[i] : n->pairs[i].value;
        count += n->kind == YL_MAP ? 2 : 1;
        if (child->kind != YL_SCALAR && depth < STACK)
            st[depth++] = (frame){child, 0};
    }
    return count;
}

static blk_style *default_style(arena *mem, const yl_node *page, diag *d)
{
    blk_style *base = arena_alloc(mem, sizeof *base);
    *base = (blk_style){.name = "default",
                        .family = "Liberation Serif",
                        .size_pt = 14,
                        .leading = 1.0,
                        .align = BLK_LEFT,
                        .hyphenate = true};
    const yl_node *v;
    if (page && (v = yl_map_get(page, "font")) && yl_str(v))
        base->family = arena_strdup(mem, yl_str(v));
    if (page && (v = yl_map_get(page, "size")) && yl_str(v) && strcmp(yl_str(v), "A4"))
        diag_error(d, v->mark, "size: поддерживается только A4");
    return base;
}

static void read_info(expander *x, const yl_node *info, blk_info *out)
{
    static const char *const info_keys[] = {"title", "author", "subject", "keywords", "date"};
    tpl_check_keys(x, info, info_keys, 5, "info");
    out->title = info_text(x, info, "title");
    out->author = info_text(x, info, "author");
    out->subject = info_text(x, info, "subject");
    out->keywords = info_text(x, info, "keywords");
    const char *date = info_text(x, info, "date");
    if (date && !date_parse(date, &out->year, &out->month, &out->day))
        diag_error(x->d, yl_map_get(info, "date")->mark, "info.date: ожидалась дата ГГГГ-ММ-ДД");
}

static const char *const top_keys[] = {"page", "info", "styles", "blocks", "pdfa"};
enum { NTOP_KEYS = sizeof top_keys / sizeof top_keys[0] };

/* The block tree owns its texts: a copy in the tree's arena of every string
 * that still points into the template's or the data's node tree, so both
 * trees can be freed as soon as the expansion is done. Styles own theirs
 * from the start (read_style, read_styles, default_style). */
static const char *own(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static void own_table(arena *a, blk_table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        t->cols[c].key = own(a, t->cols[c].key);
        t->cols[c].title = own(a, t->cols[c].title);
        t->cols[c].parent = own(a, t->cols[c].parent);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        /* a row the table refused (an error was reported) has no cells */
        size_t ncells = !t->rows[r].cells ? 0 : t->rows[r].section ? 1 : t->ncols;
        for (size_t c = 0; c < ncells; c++) {
            blk_cell *cell = &t->rows[r].cells[c];
            for (size_t i = 0; i < cell->n; i++) {
                cell->pars[i].text = own(a, cell->pars[i].text);
                cell->pars[i].label = own(a, cell->pars[i].label);
            }
        }
    }
}

static void own_strings(arena *a, tpl_doc *t, blk_block *blocks, size_t n)
{
    blk_info *in = &t->doc.info;
    in->title = own(a, in->title);
    in->author = own(a, in->author);
    in->subject = own(a, in->subject);
    in->keywords = own(a, in->keywords);
    for (size_t i = 0; i < n; i++) {
        blk_block *b = &blocks[i];
        b->text = own(a, b->text);
        if (b->kind == BLK_ITEM)
            b->as.item.label = own(a, b->as.item.label);
        else if (b->kind == BLK_ROW)
            b->as.row.right = own(a, b->as.row.right);
        else if (b->kind == BLK_TABLE)
            own_table(a, (blk_table *)b->as.table); /* made by this expansion, in a */
    }
}

/* The document's `typography:`: `keep` sets quotes and dashes as typed,
 * `fix` (the default) as a typist would fix them (text.h). */
static bool read_typography(expander *x, const yl_node *data)
{
    const yl_node *v = yl_map_get(data, "typography");
    if (!v || !yl_str(v) || !strcmp(yl_str(v), "fix"))
        return false;
    if (strcmp(yl_str(v), "keep"))
        diag_error(x->d, v->mark, "typography: ожидалось keep или fix");
    return true;
}

tpl_doc *tpl_expand(const yl_node *tpl, const yl_node *data, diag *d)
{
    if (!tpl || tpl->kind != YL_MAP) {
        diag_error(d, tpl ? tpl->mark : DIAG_NOWHERE, "шаблон должен быть словарём");
        return NULL;
    }
    tpl_doc *t = xcalloc(1, sizeof *t);
    arena *mem = arena_new();
    t->mem = mem;
    expander x = {.mem = mem, .d = d, .data = data};
    size_t limit = (SIZE_MAX - TPL_STEP_FLOOR) / TPL_STEP_FACTOR / 2;
    x.budget =
        TPL_STEP_FLOOR + TPL_STEP_FACTOR * (count_nodes(tpl, limit) + count_nodes(data, limit));
    size_t errors = diag_errors(d);
    tpl_check_keys(&x, tpl, top_keys, NTOP_KEYS, "шаблоне");
    const yl_node *page = yl_map_get(tpl, "page"), *info = yl_map_get(tpl, "info");
    tpl_check_text(&x, page ? yl_map_get(page, "orientation") : NULL);
    for (size_t i = 0; info && info->kind == YL_MAP && i < info->n; i++)
        tpl_check_text(&x, info->pairs[i].value);
    x.base = default_style(mem, page, d);
    read_styles(&x, yl_map_get(tpl, "styles"));
    read_page(&x, page, &t->doc.page);
    if (!t->doc.page.number_style)
        t->doc.page.number_style = tpl_find_style(&x, "body") ? tpl_find_style(&x, "body") : x.base;
    read_info(&x, info, &t->doc.info);
    const yl_node *pdfa = yl_map_get(tpl, "pdfa");
    if (pdfa && !tpl_parse_bool(pdfa, &t->doc.info.pdfa))
        diag_error(d, pdfa->mark, "pdfa: ожидалось true или false");
    t->doc.typography_keep = read_typography(&x, data);
    /* the whole template is checked, then expanded even after a mistake in
     * it, so that the data's mistakes come in the same run */
    check_blocks(&x, yl_map_get(tpl, "blocks"));
    /* a document that is an annex of an order says so on its first page,
     * whatever its kind and template (template_annex.c) */
    const yl_node *mark = yl_map_get(data, "annex_mark");
    if (mark)
        tpl_add_annex_mark(&x, NULL, mark);
    tpl_expand_blocks(&x, yl_map_get(tpl, "blocks"), NULL);
    t->doc.blocks = x.blocks;
    t->doc.n = x.n;
    own_strings(mem, t, x.blocks, x.n);
    names_rules_free(x.names);
    strtab_fini(&x.styles);
    if (x.failed || diag_errors(d) > errors) {
        tpl_doc_free(t);
        return NULL;
    }
    return t;
}

/* A shipped template's name: letters, digits, - and _ only. */
static bool is_plain_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

char *tpl_locate(const char *name, src_mark at, const char *dossier, const char *data_dir, diag *d)
{
    char *path = NULL, *real = NULL, *top = NULL, *result = NULL;
    bool shipped = is_plain_name(name);
    if (name[0] == '/') {
        diag_error(d, at,
                   "шаблон «%s»: абсолютный путь здесь не допускается; положите шаблон в папку "
                   "досье или укажите его в командной строке (--template)",
                   name);
        goto out;
    }
    buf b;
    buf_init(&b);
    if (shipped)
        buf_printf(&b, "%s/templates/%s.yaml", data_dir, name);
    else if (!dossier || !strcmp(dossier, "."))
        buf_puts(&b, name); /* shown in messages as the user wrote it */
    else
        buf_printf(&b, "%s/%s", dossier, name);
    path = buf_take(&b);
    buf_init(&b);
    buf_printf(&b, shipped ? "%s/templates" : "%s", shipped ? data_dir : dossier ? dossier : ".");
    char *folder = buf_take(&b);
    top = realpath(folder, NULL);
    free(folder);
    if (!(real = realpath(path, NULL)) || !top) {
        if (shipped)
            diag_error(d, at, "шаблона «%s» нет среди поставляемых (%s): %s", name, path,
                       diag_strerror(errno));
        else
            diag_error(d, at, "шаблон «%s»: %s", name, diag_strerror(errno));
        goto out;
    }
    if (!util_path_below(real, top)) {
        diag_error(d, at,
                   "шаблон «%s» лежит вне %s: шаблон документа берётся из папки досье или из "
                   "поставляемых; чужой файл укажите в командной строке (--template)",
                   name, shipped ? "папки поставляемых шаблонов" : "папки досье");
        goto out;
    }
    result = path;
    path = NULL;
out:
    free(path);
    free(real);
    free(top);
    return result;
}

/* A YAML map with at least one of the template's top keys. */
static bool looks_like_template(const yl_node *root)
{
    if (!root || root->kind != YL_MAP)
        return false;
    for (size_t i = 0; i < root->n; i++)
        if (tpl_has_key(top_keys, NTOP_KEYS, root->pairs[i].key->str))
            return true;
    return false;
}

/* Where make put the compiled tree of the template at path
 * (yaml_compiled.h): NAME.ynb beside DIR/NAME.yaml when installed, or
 * templates/../build/templates/NAME.ynb in the repository; NULL for a name
 * not ending in .yaml or a tree compiled nowhere. Caller frees. A user's
 * template has none, and a compiled file of other text than the template's
 * is not used. */
static char *compiled_path(const char *path)
{
    size_t len = strlen(path), ext = sizeof ".yaml" - 1;
    if (len <= ext || strcmp(path + len - ext, ".yaml") != 0)
        return NULL;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    int dir = (int)(name - path), stem = (int)(path + len - ext - name);
    buf b;
    buf_init(&b);
    buf_printf(&b, "%.*s.ynb", (int)(len - ext), path);
    if (access(b.data, F_OK) == 0)
        return buf_take(&b);
    buf_clear(&b);
    bool in_templates =
        dir >= 10 && memcmp(name - 10, "templates/", 10) == 0 && (dir == 10 || name[-11] == '/');
    buf_printf(&b, "%.*s../build/templates/%.*s.ynb", dir, path, stem, name);
    if (in_templates && access(b.data, F_OK) == 0)
        return buf_take(&b);
    buf_fini(&b);
    return NULL;
}

/* Does path end in .yaml or .yml? */
static bool yaml_named(const char *path)
{
    size_t n = strlen(path);
    return (n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml"));
}

tpl_doc *tpl_expand_file(const char *path, const yl_node *data, diag *d)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_error(d, DIAG_NOWHERE, "шаблон %s: %s", path, diag_strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(d, DIAG_NOWHERE,
                   "шаблон «%s» — %s, а не обычный файл; укажите YAML-файл шаблона", path,
                   util_file_kind(st.st_mode));
        return NULL;
    }
    /* the loader's own limit; said here, where its message would be rolled
     * back below for a file not named .yaml */
    if (st.st_size > (off_t)YL_MAX_FILE_SIZE) {
        diag_error(d, (src_mark){diag_file(d, path), 0, 0},
                   "это не шаблон: файл больше %u МиБ (%lld байт), а шаблоны много меньше; "
                   "проверьте, тот ли это файл",
                   YL_MAX_FILE_SIZE >> 20, (long long)st.st_size);
        return NULL;
    }
    /* A file that is not a template is reported once, never quoted: it may
     * be anything readable (/proc/self/environ, a key file). */
    diag_checkpoint cp = diag_checkpoint_get(d);
    size_t errors = diag_errors(d);
    char *compiled = compiled_path(path);
    yl_doc *source = yl_load_compiled(path, compiled, d, NULL, NULL);
    free(compiled);
    /* A file named .yaml that does not load is a template with a mistake
     * far more often than anything else: its own messages (a syntax error
     * at its line and column) are what helps. They show no more of it than
     * an include of the same file would. */
    if (!source && yaml_named(path) && diag_errors(d) > errors)
        return NULL;
    if (!source || !looks_like_template(yl_doc_root(source))) {
        diag_rollback(d, cp);
        diag_error(d, (src_mark){diag_file(d, path), 0, 0},
                   "это не шаблон: ожидался YAML-словарь с ключами page, info, styles, blocks");
        yl_doc_free(source);
        return NULL;
    }
    tpl_doc *t = tpl_expand(yl_doc_root(source), data, d);
    yl_doc_free(source); /* the block tree owns its strings */
    return t;
}

/* ---- Templates kept across documents ---- */

typedef struct tpl_cached {
    char *path;     /* as given; NULL: a free entry */
    struct stat st; /* the version read (util_same_version) */
    yl_doc *source;
    char *text; /* as diag quotes it: registered with each document's diag */
    size_t len;
} tpl_cached;

struct tpl_cache {
    tpl_cached e[TPL_CACHE_MAX];
    size_t next; /* the entry replaced when none is free: the oldest */
    /* the sink the kept files are loaded with: the file names their marks
     * (and so the blocks' marks) point to live as long as the cache, even
     * when their entry is dropped while a document still holds blocks */
    diag *names;
};

tpl_cache *tpl_cache_new(void)
{
    tpl_cache *c = xcalloc(1, sizeof *c);
    c->names = diag_new();
    return c;
}

static void cached_clear(tpl_cached *e)
{
    free(e->path);
    free(e->text);
    yl_doc_free(e->source);
    memset(e, 0, sizeof *e);
}

void tpl_cache_free(tpl_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < TPL_CACHE_MAX; i++)
        cached_clear(&c->e[i]);
    diag_free(c->names);
    free(c);
}

static bool same_file(const tpl_cached *e, const char *path, const struct stat *st)
{
    return e->path && !strcmp(e->path, path) && util_same_version(&e->st, st);
}

/* Load path into an entry of c; NULL when it cannot be kept (it does not
 * load without a word, is no template, has includes, or changed meanwhile):
 * the caller then loads it the ordinary way, which reports what is wrong. */
static tpl_cached *cache_load(tpl_cache *c, const char *path, const struct stat *st)
{
    diag_checkpoint cp = diag_checkpoint_get(c->names);
    char *text = NULL;
    size_t len = 0, nfiles = 0;
    char *compiled = compiled_path(path);
    yl_doc *source = yl_load_compiled(path, compiled, c->names, &text, &len);
    free(compiled);
    const yl_file *files = source ? yl_doc_files(source, &nfiles) : NULL;
    /* the sink is rolled back after every load: any message is this one's */
    bool keep = source && !diag_count(c->names) && !diag_errors(c->names) &&
                !diag_warnings(c->names) && nfiles == 1 && files[0].dev == st->st_dev &&
                files[0].ino == st->st_ino && looks_like_template(yl_doc_root(source));
    struct stat after;
    keep = keep && stat(path, &after) == 0 && util_same_version(&after, st);
    diag_rollback(c->names, cp);
    if (!keep) {
        yl_doc_free(source);
        free(text);
        return NULL;
    }
    tpl_cached *e = NULL;
    for (size_t i = 0; i < TPL_CACHE_MAX && !e; i++)
        if (!c->e[i].path || !strcmp(c->e[i].path, path))
            e = &c->e[i];
    if (!e) {
        e = &c->e[c->next];
        c->next = (c->next + 1) % TPL_CACHE_MAX;
    }
    cached_clear(e);
    *e = (tpl_cached){xstrdup(path), *st, source, text, len};
    return e;
}

tpl_doc *tpl_expand_cached(tpl_cache *c, const char *path, const yl_node *data, diag *d)
{
    struct stat st;
    if (!c || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return tpl_expand_file(path, data, d);
    tpl_cached *e = NULL;
    for (size_t i = 0; i < TPL_CACHE_MAX && !e; i++)
        if (same_file(&c->e[i], path, &st))
            e = &c->e[i];
    if (!e && !(e = cache_load(c, path, &st)))
        return tpl_expand_file(path, data, d);
    /* what loading it would have told d: the file was read, and its text */
    diag_source(d, diag_file(d, path), e->text, e->len);
    return tpl_expand(yl_doc_root(e->source), data, d);
}

void tpl_doc_free(tpl_doc *t)
{
    if (!t)
        return;
    arena_free(t->mem);
    free((blk_block *)t->doc.blocks);
    free(t);
}
