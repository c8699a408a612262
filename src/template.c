/* template: template + data -> block tree.
 *
 * A template is a YAML map:
 *
 *   page:    size (A4), orientation (portrait|landscape, may interpolate),
 *            margins_mm {top, right, bottom, left},
 *            numbers {from, top_mm, style}
 *   info:    title, author, subject, keywords, date   (interpolated text)
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
 *
 * TEXT is literal text with {{ PATH | filter | filter … }} holes. PATH is
 * a.b.c looked up first among the names bound by enclosing `each` blocks
 * (and `index`, the 1-based number of the current item), then in the data.
 * Data values are inserted as text and never scanned again, so a value that
 * contains "{{" is printed as typed. */
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

#include "date.h"
#include "kinds.h"

#define MM (72.0 / 25.4)

typedef struct scope {
    const char *name;
    const yl_node *node;
    const struct scope *up;
} scope;

typedef struct style_entry {
    const char *name;
    blk_style *style;
} style_entry;

typedef struct expander {
    arena *mem;
    diag *d;
    const yl_node *data;
    style_entry *styles;
    size_t nstyles;
    blk_style *base; /* defaults: page font and size */
    blk_block *blocks;
    size_t n, cap;
    size_t produced;      /* blocks made so far, also those folded into columns */
    size_t steps, budget; /* work done and allowed: see TPL_STEP_FACTOR */
    bool failed;
} expander;

/* ---- small helpers ---------------------------------------------------- */

static bool parse_number(const yl_node *n, double *out)
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

static bool parse_bool(const yl_node *n, bool *out)
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
static bool charge(expander *x, size_t n, src_mark mark)
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
static bool read_range(expander *x, const yl_node *v, const char *key, double lo, double hi,
                       double *out)
{
    double num;
    if (parse_number(v, &num) && num >= lo && num <= hi) {
        *out = num;
        return true;
    }
    diag_error(x->d, v->mark, "%s: ожидалось число от %g до %g, а здесь «%s»", key, lo, hi,
               yl_str(v) ? yl_str(v) : yl_kind_name(v->kind));
    return false;
}

/* v as one of choices[0..n): its index, or -1 after a message at v that
 * lists the choices and suggests the closest. */
static int read_choice(expander *x, const yl_node *v, const char *key, const char *const *choices,
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

static const char *const align_names[] = {"left", "center", "right", "justify"};
static const blk_align align_values[] = {BLK_LEFT, BLK_CENTER, BLK_RIGHT, BLK_JUSTIFY};

static blk_block *add_block(expander *x, blk_kind kind, src_mark mark)
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
static const yl_node *resolve(const expander *x, const scope *sc, const char *path, size_t len)
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

/* Expand the holes of the template text node t. *mark becomes the mark of
 * the first data value used (messages about the text then point at the data),
 * else the template's. NULL after an error. */
static const char *interpolate(expander *x, const scope *sc, const yl_node *t, src_mark *mark)
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
        const yl_node *v = resolve(x, sc, path, plen);
        if (!v || yl_is_null(v)) {
            diag_error(x->d, t->mark, "в данных нет значения «%.*s»", (int)plen, path);
            goto out;
        }
        if (v->kind != YL_SCALAR) {
            diag_error(x->d, v->mark, "«%.*s» должно быть строкой, а здесь %s", (int)plen, path,
                       yl_kind_name(v->kind));
            goto out;
        }
        if (!have_data_mark) {
            *mark = v->mark;
            have_data_mark = true;
        }
        const char *value = v->str;
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
            const char *next = tpl_filter(x->mem, name, value, &err);
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
            diag_error(x->d, t->mark, "текст длиннее %u байт", TPL_MAX_TEXT);
            goto out;
        }
        p = close + 2;
    }
    if (charge(x, 1 + out.len / TPL_STEP_BYTES, t->mark))
        result = arena_strndup(x->mem, out.data ? out.data : "", out.len);
out:
    buf_fini(&out);
    return result;
}

/* ---- styles ----------------------------------------------------------- */

static const blk_style *find_style(const expander *x, const char *name)
{
    for (size_t i = 0; i < x->nstyles; i++)
        if (!strcmp(x->styles[i].name, name))
            return x->styles[i].style;
    return NULL;
}

static size_t count_keys(const char *const *keys)
{
    size_t n = 0;
    while (keys[n])
        n++;
    return n;
}

static bool has_key(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], key))
            return true;
    return false;
}

/* Every key of map must be one of keys[0..n): each stray one is an error. */
static void check_keys(expander *x, const yl_node *map, const char *const *keys, size_t n,
                       const char *where)
{
    if (!map || map->kind != YL_MAP)
        return;
    for (size_t i = 0; i < map->n; i++)
        if (!has_key(keys, n, map->pairs[i].key->str)) {
            diag_unknown_key(x->d, map->pairs[i].key->mark, map->pairs[i].key->str, NULL, where,
                             keys, n);
        }
}

static const char *const filter_names[] = {"date",  "date_words", "initials", "upper",
                                           "lower", "number",     "percent"};

/* The holes of a template text: closed, and every filter known. */
static void check_text(expander *x, const yl_node *t)
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
            if (has_key(filter_names, 7, name))
                continue;
            const char *near = diag_suggest(name, filter_names, 7);
            diag_error(x->d, t->mark,
                       "фильтр «%s»: неизвестный фильтр (есть date, date_words, initials, "
                       "upper, lower, number, percent)%s%s%s",
                       name, near ? "; может быть, «" : "", near ? near : "", near ? "»?" : "");
        }
        p = close + 2;
    }
}

static void check_style_name(expander *x, const yl_node *v)
{
    if (v && yl_str(v) && !find_style(x, yl_str(v))) {
        diag_error(x->d, v->mark, "стиль «%s» не описан в styles", yl_str(v));
    }
}

static const blk_style *block_style(expander *x, const yl_node *blk, const char *fallback)
{
    const yl_node *s = yl_map_get(blk, "style");
    const char *name = s ? yl_str(s) : fallback;
    if (!name)
        return x->base;
    const blk_style *st = find_style(x, name);
    if (!st) {
        if (s)
            diag_error(x->d, s->mark, "стиль «%s» не описан в styles", name);
        return find_style(x, "body") ? find_style(x, "body") : x->base;
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
        bool is_bool = parse_bool(v, &flag);
        if (!strcmp(key, "base")) {
            continue; /* applied before */
        } else if (!strcmp(key, "font")) {
            st->family = yl_str(v) ? arena_strdup(x->mem, yl_str(v)) : st->family;
        } else if (!strcmp(key, "align")) {
            int a = read_choice(x, v, "align", align_names, 4);
            if (a >= 0)
                st->align = align_values[a];
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
            if (!read_range(x, v, key, r->lo, r->hi, &num))
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
    x->styles = arena_alloc(x->mem, (styles->n + 1) * sizeof *x->styles);
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
            const blk_style *b = yl_str(base) ? find_style(x, yl_str(base)) : NULL;
            if (b)
                *st = *b;
            else
                diag_error(x->d, base->mark, "базовый стиль «%s» не описан выше",
                           yl_str(base) ? yl_str(base) : "?");
        }
        read_style(x, st, v);
        st->name = arena_strdup(x->mem, k->str);
        x->styles[x->nstyles++] = (style_entry){st->name, st};
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
    check_keys(x, page, page_keys, 5, "page");
    check_keys(x, yl_map_get(page, "margins_mm"), margin_keys, 4, "margins_mm");
    check_keys(x, yl_map_get(page, "numbers"), number_keys, 3, "numbers");
    const yl_node *o = yl_map_get(page, "orientation");
    src_mark om;
    const char *orient = o ? interpolate(x, NULL, o, &om) : NULL;
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
            if (v && read_range(x, v, names[i], 0, 100, &num))
                *dst[i] = num * MM;
        }
    }
    const yl_node *nums = yl_map_get(page, "numbers");
    if (nums) {
        double v;
        const yl_node *from = yl_map_get(nums, "from"), *top = yl_map_get(nums, "top_mm");
        /* from: the first numbered page (0: none); top_mm: from the top edge */
        if (from && read_range(x, from, "from", 0, TPL_MAX_PAGE_FROM, &v))
            pg->numbers_from = (unsigned)v;
        if (top && read_range(x, top, "top_mm", 0, 100, &v))
            pg->numbers_top_pt = v * MM;
        const yl_node *st = yl_map_get(nums, "style");
        check_style_name(x, st);
        if (st && yl_str(st))
            pg->number_style = find_style(x, yl_str(st));
    }
}

/* ---- blocks ----------------------------------------------------------- */

static void expand_blocks(expander *x, const yl_node *list, const scope *sc);

static void add_text_block(expander *x, const scope *sc, blk_kind kind, const yl_node *text,
                           const blk_style *style)
{
    src_mark mark;
    const char *s = interpolate(x, sc, text, &mark);
    if (!s) {
        x->failed = true;
        return;
    }
    blk_block *b = add_block(x, kind, mark);
    if (!b)
        return;
    b->text = s;
    b->style = style;
}

/* Truthiness for `if`: present, not null, not empty, not false. */
static bool truthy(const yl_node *v)
{
    if (!v || yl_is_null(v))
        return false;
    if (v->kind == YL_SCALAR)
        return v->len && !(v->plain && (!strcmp(v->str, "false") || !strcmp(v->str, "no")));
    return v->n > 0;
}

static const yl_node *lookup_path(expander *x, const scope *sc, const yl_node *path)
{
    const char *p = yl_str(path);
    if (!p) {
        diag_error(x->d, path->mark, "ожидался путь к данным, например order.points");
        x->failed = true;
        return NULL;
    }
    return resolve(x, sc, p, path->len);
}

/* Cells grow geometrically: capacity is the next power of two of n, so a
 * cell of 10,000 paragraphs copies each about once, not 10,000 times. */
static void add_cpar(expander *x, blk_cell *cell, const char *text, const char *label,
                     unsigned level, src_mark mark)
{
    if (cell->n == 0 || (cell->n & (cell->n - 1)) == 0) {
        blk_par *pars = arena_alloc(x->mem, (cell->n ? 2 * cell->n : 1) * sizeof *pars);
        if (cell->n)
            memcpy(pars, cell->pars, cell->n * sizeof *pars);
        cell->pars = pars;
    }
    cell->pars[cell->n++] = (blk_par){text, label, level, mark};
}

/* How data items become list items: blocks (cell NULL) or a cell's pars. */
typedef struct list_spec {
    const char *text_key, *children_key;
    bool decimal, dash, hanging;
    const blk_style *style;
    blk_cell *cell;
} list_spec;

static void add_list_items(expander *x, const list_spec *ls, const yl_node *items,
                           const char *prefix, unsigned level, size_t *counter)
{
    if (level >= YL_MAX_DEPTH)
        return;
    for (size_t i = 0; i < items->n; i++) {
        const yl_node *it = items->items[i];
        const yl_node *text = it, *children = NULL;
        if (it->kind == YL_MAP) {
            text = yl_map_get(it, ls->text_key);
            children = yl_map_get(it, ls->children_key);
            if (!text) {
                diag_error(x->d, it->mark, "у пункта нет текста (ключ «%s»)", ls->text_key);
                x->failed = true;
                continue;
            }
        } else if (it->kind != YL_SCALAR) {
            diag_error(x->d, it->mark, "пункт списка должен быть строкой или словарём");
            x->failed = true;
            continue;
        }
        if (text->kind != YL_SCALAR) {
            diag_error(x->d, text->mark, "текст пункта должен быть строкой");
            x->failed = true;
            continue;
        }
        ++*counter;
        const char *label = "";
        if (ls->decimal)
            label = arena_printf(x->mem, "%s%zu.", prefix, *counter);
        else if (ls->dash)
            label = "–";
        if (ls->cell) {
            add_cpar(x, ls->cell, text->str, label, level, text->mark);
        } else {
            blk_block *b = add_block(x, BLK_ITEM, text->mark);
            if (!b)
                return;
            b->text = text->str; /* data text: never interpolated */
            b->as.item.label = label;
            b->as.item.level = level;
            b->as.item.hanging = ls->hanging;
            b->style = ls->style;
        }
        if (children && children->kind == YL_SEQ) {
            size_t sub = 0;
            add_list_items(x, ls, children, label, level + 1, &sub);
        } else if (children && !yl_is_null(children)) {
            diag_error(x->d, children->mark, "«%s»: ожидался список подпунктов", ls->children_key);
            x->failed = true;
        }
    }
}

static void expand_list(expander *x, const yl_node *blk, const yl_node *spec, const scope *sc)
{
    if (spec->kind != YL_MAP) {
        diag_error(x->d, spec->mark, "list: ожидался словарь с ключом items");
        x->failed = true;
        return;
    }
    list_spec ls = {"text", "points", true, false, false, block_style(x, blk, "body"), NULL};
    const yl_node *v;
    if ((v = yl_map_get(spec, "text")) && yl_str(v))
        ls.text_key = yl_str(v);
    if ((v = yl_map_get(spec, "children")) && yl_str(v))
        ls.children_key = yl_str(v);
    static const char *const numberings[] = {"decimal", "dash", "none"};
    if ((v = yl_map_get(spec, "numbering"))) {
        int k = read_choice(x, v, "numbering", numberings, 3);
        ls.decimal = k == 0;
        ls.dash = k == 1;
    }
    if ((v = yl_map_get(spec, "hanging")))
        parse_bool(v, &ls.hanging);
    const yl_node *items = yl_map_get(spec, "items");
    if (!items) {
        diag_error(x->d, spec->mark, "list: нет ключа items");
        x->failed = true;
        return;
    }
    /* items: one path or a list of paths; a path to a string adds one item
     * (the control point of an order follows its points). */
    size_t nitems = items->kind == YL_SEQ ? items->n : 1;
    size_t counter = 0;
    for (size_t i = 0; i < nitems; i++) {
        const yl_node *path = items->kind == YL_SEQ ? items->items[i] : items;
        const yl_node *data = lookup_path(x, sc, path);
        if (!data || yl_is_null(data))
            continue;
        if (data->kind == YL_SEQ) {
            add_list_items(x, &ls, data, "", 0, &counter);
        } else {
            yl_node one = {.kind = YL_SEQ, .mark = data->mark, .n = 1};
            yl_node *arr[1] = {(yl_node *)data};
            one.items = arr;
            add_list_items(x, &ls, &one, "", 0, &counter);
        }
    }
}

/* Content blocks of the data: a string is a paragraph, {heading: …},
 * {paragraph: …}, {list: […]} (dashes), {numbered: […]}. */
static void expand_table(expander *x, const yl_node *blk, const yl_node *spec, const scope *sc);

static void expand_content(expander *x, const yl_node *blk, const yl_node *path, const scope *sc)
{
    const yl_node *data = lookup_path(x, sc, path);
    if (!data || yl_is_null(data))
        return;
    const yl_node *styles = yl_map_get(blk, "styles");
    const char *ps = "body", *hs = "heading", *ls_name = "body";
    const yl_node *v;
    if (styles && (v = yl_map_get(styles, "paragraph")) && yl_str(v))
        ps = yl_str(v);
    if (styles && (v = yl_map_get(styles, "heading")) && yl_str(v))
        hs = yl_str(v);
    if (styles && (v = yl_map_get(styles, "list")) && yl_str(v))
        ls_name = yl_str(v);
    const blk_style *para = find_style(x, ps) ? find_style(x, ps) : x->base;
    const blk_style *head = find_style(x, hs) ? find_style(x, hs) : para;
    const blk_style *lst = find_style(x, ls_name) ? find_style(x, ls_name) : para;
    if (data->kind == YL_SCALAR) {
        blk_block *b = add_block(x, BLK_PARA, data->mark);
        if (b)
            b->text = data->str, b->style = para;
        return;
    }
    if (data->kind != YL_SEQ) {
        diag_error(x->d, data->mark, "ожидался список абзацев, заголовков и списков");
        x->failed = true;
        return;
    }
    for (size_t i = 0; i < data->n; i++) {
        const yl_node *it = data->items[i], *t;
        kind_content kc = kind_content_of(it, &t);
        if ((kc == KC_PARAGRAPH || kc == KC_HEADING) && yl_str(t)) {
            blk_block *b = add_block(x, BLK_PARA, t->mark);
            if (b)
                b->text = t->str, b->style = kc == KC_HEADING ? head : para;
        } else if ((kc == KC_LIST || kc == KC_NUMBERED) && t->kind == YL_SEQ) {
            list_spec spec = {"text", "items", kc == KC_NUMBERED, kc == KC_LIST, false, lst, NULL};
            size_t counter = 0;
            add_list_items(x, &spec, t, "", 0, &counter);
        } else if (kc == KC_TABLE) {
            /* a table among the text: an order's annex listing pairs or events */
            expand_table(x, blk, t, sc);
        } else {
            diag_error(x->d, it->mark,
                       "элемент текста: ожидалась строка (абзац) или словарь с одним ключом "
                       "heading, paragraph, list, numbered или table");
            x->failed = true;
        }
    }
}

/* ---- tables ------------------------------------------------------------ */

/* A cell from data: a string, or a list of strings (paragraphs),
 * {paragraph}, {list: […]}, {numbered: […]}. */
static void cell_from_data(expander *x, const yl_node *v, blk_cell *cell)
{
    if (!v || yl_is_null(v))
        return;
    if (v->kind == YL_SCALAR) {
        add_cpar(x, cell, v->str, NULL, 0, v->mark);
        return;
    }
    const yl_node *one[1] = {v};
    const yl_node *const *elems = v->kind == YL_SEQ ? (const yl_node *const *)v->items : one;
    size_t n = v->kind == YL_SEQ ? v->n : 1;
    for (size_t i = 0; i < n; i++) {
        const yl_node *e = elems[i], *t;
        /* a heading in a cell is a paragraph there: a cell has one style */
        kind_content kc = kind_content_of(e, &t);
        if ((kc == KC_PARAGRAPH || kc == KC_HEADING) && yl_str(t)) {
            add_cpar(x, cell, t->str, NULL, 0, t->mark);
        } else if ((kc == KC_LIST || kc == KC_NUMBERED) && t->kind == YL_SEQ) {
            list_spec ls = {"text", "items", kc == KC_NUMBERED, kc == KC_LIST, true, NULL, cell};
            size_t counter = 0;
            add_list_items(x, &ls, t, "", 0, &counter);
        } else {
            diag_error(x->d, e->mark,
                       "ячейка: ожидалась строка, список абзацев или {list: …} / {numbered: …}");
            x->failed = true;
        }
    }
}

static const blk_style *named_style(expander *x, const yl_node *styles, const char *key,
                                    const char *fallback)
{
    const yl_node *v = styles ? yl_map_get(styles, key) : NULL;
    const char *name = v && yl_str(v) ? yl_str(v) : fallback;
    const blk_style *st = find_style(x, name);
    if (!st && v)
        diag_error(x->d, v->mark, "стиль «%s» не описан в styles", name);
    return st ? st : find_style(x, "body") ? find_style(x, "body") : x->base;
}

/* A column's align: left (the default), center or right. */
/* A column's align: left, center or right (no value: left). */
static blk_align column_align(expander *x, const yl_node *v)
{
    int a = v ? read_choice(x, v, "align", align_names, 3) : 0;
    return a > 0 ? align_values[a] : BLK_LEFT;
}

/* A borderless one-row table of ncols empty cells: the frame of approval
 * boxes and template columns. */
static blk_table *new_strip(expander *x, const yl_node *blk, size_t ncols, src_mark mark)
{
    blk_table *t = arena_alloc(x->mem, sizeof *t);
    t->ncols = ncols;
    t->cols = arena_alloc(x->mem, ncols * sizeof *t->cols);
    for (size_t c = 0; c < ncols; c++) {
        t->cols[c].key = t->cols[c].title = "";
        t->cols[c].hyphenate = -1;
    }
    t->rows = arena_alloc(x->mem, sizeof *t->rows);
    t->nrows = 1;
    t->rows[0].cells = arena_alloc(x->mem, ncols * sizeof(blk_cell));
    t->rows[0].mark = mark;
    t->cell = t->head = t->section = block_style(x, blk, "body");
    return t;
}

static void add_table_block(expander *x, const yl_node *blk, const blk_table *t)
{
    blk_block *b = add_block(x, BLK_TABLE, blk->mark);
    if (b) {
        b->as.table = t;
        b->style = t->cell;
    }
}

static bool read_column(expander *x, const yl_node *c, blk_column *col)
{
    const yl_node *v;
    if (c->kind != YL_MAP || !(v = yl_map_get(c, "key")) || !yl_str(v)) {
        diag_error(x->d, c->mark, "столбец: ожидался словарь с key и title");
        return false;
    }
    col->key = yl_str(v);
    col->mark = col->title_mark = c->mark;
    col->title = (v = yl_map_get(c, "title")) && yl_str(v) ? yl_str(v) : "";
    if (v)
        col->title_mark = v->mark;
    col->parent = (v = yl_map_get(c, "parent")) && yl_str(v) ? yl_str(v) : NULL;
    double num;
    if ((v = yl_map_get(c, "width_mm")) && read_range(x, v, "width_mm", 1, TPL_MAX_WIDTH_MM, &num))
        col->width_pt = num * MM;
    if ((v = yl_map_get(c, "width")) && read_range(x, v, "width", 0.01, TPL_MAX_SHARE, &num))
        col->share = num;
    if ((v = yl_map_get(c, "numbering")))
        parse_bool(v, &col->numbering);
    if ((v = yl_map_get(c, "group")))
        parse_bool(v, &col->group);
    col->align = column_align(x, yl_map_get(c, "align"));
    const char *va = (v = yl_map_get(c, "valign")) ? yl_str(v) : NULL;
    col->valign = va && !strcmp(va, "middle") ? 0.5 : va && !strcmp(va, "bottom") ? 1 : 0;
    bool hy;
    col->hyphenate = (v = yl_map_get(c, "hyphenate")) && parse_bool(v, &hy) ? hy : -1;
    return true;
}

/* Items without a number get one: "2.3." under section 2 (GOST-style
 * trailing dot), "3." outside sections. */
static const char *item_number(expander *x, const char *section_no, size_t k)
{
    if (!section_no)
        return arena_printf(x->mem, "%zu.", k);
    size_t len = strlen(section_no);
    while (len && section_no[len - 1] == '.')
        len--;
    return arena_printf(x->mem, "%.*s.%zu.", (int)len, section_no, k);
}

static void expand_table(expander *x, const yl_node *blk, const yl_node *spec, const scope *sc)
{
    if (spec->kind != YL_MAP) {
        diag_error(x->d, spec->mark, "table: ожидался словарь с columns и rows");
        x->failed = true;
        return;
    }
    const yl_node *cpath = yl_map_get(spec, "columns"), *rpath = yl_map_get(spec, "rows");
    const yl_node *cols = cpath && cpath->kind == YL_SEQ ? cpath
                          : cpath                        ? lookup_path(x, sc, cpath)
                                                         : NULL;
    const yl_node *rows = rpath && rpath->kind == YL_SEQ ? rpath
                          : rpath                        ? lookup_path(x, sc, rpath)
                                                         : NULL;
    if (!cols || cols->kind != YL_SEQ || cols->n == 0 || cols->n > TPL_MAX_COLUMNS) {
        diag_error(x->d, cpath ? cpath->mark : spec->mark,
                   "таблица: нужен список столбцов (от 1 до %d)", TPL_MAX_COLUMNS);
        x->failed = true;
        return;
    }
    if (rows && rows->kind != YL_SEQ) {
        diag_error(x->d, rows->mark, "таблица: строки должны быть списком");
        x->failed = true;
        return;
    }
    if (rows && rows->n > TPL_MAX_ROWS) {
        diag_error(x->d, rows->mark, "таблица: больше %d строк", TPL_MAX_ROWS);
        x->failed = true;
        return;
    }
    blk_table *t = arena_alloc(x->mem, sizeof *t);
    t->ncols = cols->n;
    t->cols = arena_alloc(x->mem, t->ncols * sizeof *t->cols);
    for (size_t i = 0; i < cols->n; i++)
        if (!read_column(x, cols->items[i], &t->cols[i])) {
            x->failed = true;
            return;
        }
    const yl_node *styles = yl_map_get(blk, "styles");
    t->cell = named_style(x, styles, "cell", "cell");
    t->head = named_style(x, styles, "head", "cell_head");
    t->section = named_style(x, styles, "section", "cell_section");
    t->borders = true;
    t->header = true;
    const yl_node *v;
    if ((v = yl_map_get(spec, "header")))
        parse_bool(v, &t->header);
    size_t nrows = rows ? rows->n : 0;
    t->rows = arena_alloc(x->mem, (nrows ? nrows : 1) * sizeof *t->rows);
    const char *section_no = NULL;
    size_t sections = 0, items = 0;
    for (size_t r = 0; r < nrows; r++) {
        const yl_node *row = rows->items[r];
        blk_row *tr = &t->rows[t->nrows++];
        tr->mark = row->mark;
        if (row->kind != YL_MAP) {
            diag_error(x->d, row->mark, "строка таблицы должна быть словарём «столбец: текст»");
            x->failed = true;
            continue;
        }
        const yl_node *sec = yl_map_get(row, "section");
        if (sec) {
            tr->section = true;
            tr->cells = arena_alloc(x->mem, sizeof *tr->cells);
            const yl_node *num = yl_map_get(row, "number");
            section_no =
                num && yl_str(num) ? yl_str(num) : arena_printf(x->mem, "%zu.", ++sections);
            if (num)
                sections++;
            items = 0;
            if (!yl_str(sec)) {
                diag_error(x->d, sec->mark, "section: ожидался текст раздела");
                x->failed = true;
                continue;
            }
            add_cpar(x, &tr->cells[0], arena_printf(x->mem, "%s %s", section_no, sec->str), NULL, 0,
                     sec->mark);
            continue;
        }
        tr->cells = arena_alloc(x->mem, t->ncols * sizeof *tr->cells);
        items++;
        for (size_t c = 0; c < t->ncols; c++) {
            const yl_node *val = yl_map_get(row, t->cols[c].key);
            if (t->cols[c].numbering && (!val || yl_is_null(val)))
                add_cpar(x, &tr->cells[c], item_number(x, section_no, items), NULL, 0, row->mark);
            else
                cell_from_data(x, val, &tr->cells[c]);
        }
    }
    add_table_block(x, blk, t);
}

/* Approval stamps side by side: a borderless one-row table; a single box
 * stands at the right (GOST R 7.0.97 §5.17: «УТВЕРЖДАЮ» top right). */
static void expand_boxes(expander *x, const yl_node *blk, const yl_node *path, const scope *sc)
{
    const yl_node *boxes = lookup_path(x, sc, path);
    if (!boxes || yl_is_null(boxes))
        return;
    if (boxes->kind != YL_SEQ || boxes->n == 0 || boxes->n > 4) {
        diag_error(x->d, boxes->mark, "ожидался список из 1–4 блоков с ключом lines");
        x->failed = true;
        return;
    }
    double width_mm = 80, num;
    const yl_node *v;
    if ((v = yl_map_get(blk, "width_mm")) && !read_range(x, v, "width_mm", 10, 300, &num))
        return;
    if (v)
        width_mm = num;
    bool lone = boxes->n == 1;
    blk_table *t = new_strip(x, blk, boxes->n + (lone || boxes->n == 2 ? 1 : 0), boxes->mark);
    /* two boxes go to the edges with free space between; one goes right */
    size_t gap = lone ? 0 : 1;
    for (size_t i = 0, c = 0; i < t->ncols; i++) {
        blk_column *col = &t->cols[i];
        if (t->ncols > boxes->n && i == gap) {
            col->share = 1;
            continue;
        }
        col->width_pt = width_mm * MM;
        const yl_node *box = boxes->items[c++];
        const yl_node *lines = box->kind == YL_MAP ? yl_map_get(box, "lines") : NULL;
        if (!lines || lines->kind != YL_SEQ) {
            diag_error(x->d, box->mark,
                       "блок утверждения: ожидался словарь с lines (список строк)");
            x->failed = true;
            return;
        }
        for (size_t k = 0; k < lines->n; k++) {
            const yl_node *ln = lines->items[k];
            if (!yl_str(ln)) {
                diag_error(x->d, ln->mark, "строка блока утверждения должна быть текстом");
                x->failed = true;
                return;
            }
            add_cpar(x, &t->rows[0].cells[i], ln->str, NULL, 0, ln->mark);
        }
    }
    add_table_block(x, blk, t);
}

/* Side-by-side columns written in the template: each column's blocks
 * (paragraphs, lists, each/if around them) become the paragraphs of one cell
 * of a borderless one-row table. */
static void expand_columns(expander *x, const yl_node *blk, const yl_node *cols, const scope *sc)
{
    if (cols->kind != YL_SEQ || cols->n == 0 || cols->n > TPL_MAX_COLUMNS) {
        diag_error(x->d, cols->mark, "columns: ожидался список столбцов с blocks");
        x->failed = true;
        return;
    }
    blk_table *t = new_strip(x, blk, cols->n, cols->mark);
    for (size_t c = 0; c < cols->n; c++) {
        const yl_node *col = cols->items[c], *v;
        blk_column *tc = &t->cols[c];
        double num;
        tc->share = 1;
        if ((v = yl_map_get(col, "width_mm")) &&
            read_range(x, v, "width_mm", 1, TPL_MAX_WIDTH_MM, &num))
            tc->width_pt = num * MM, tc->share = 0;
        else if (!v && (v = yl_map_get(col, "width")) &&
                 read_range(x, v, "width", 0.01, TPL_MAX_SHARE, &num))
            tc->share = num;
        tc->align = column_align(x, yl_map_get(col, "align"));
        size_t n0 = x->n;
        expand_blocks(x, yl_map_get(col, "blocks"), sc);
        for (size_t i = n0; i < x->n; i++) {
            const blk_block *b = &x->blocks[i];
            if (b->kind == BLK_PARA) {
                add_cpar(x, &t->rows[0].cells[c], b->text, NULL, 0, b->mark);
            } else if (b->kind == BLK_ITEM) {
                const char *label = *b->as.item.label ? b->as.item.label : NULL;
                add_cpar(x, &t->rows[0].cells[c], b->text, label, b->as.item.level, b->mark);
            } else {
                /* a cell holds paragraphs and list items only: say so
                 * instead of dropping a signature or a table */
                diag_error(x->d, b->mark,
                           "в columns допустимы только абзацы и списки (paragraph, heading, "
                           "list, content без таблиц, each, if): %s сюда не помещается",
                           b->kind == BLK_ROW ? "строка или подпись (row, signature)"
                           : b->kind == BLK_TABLE  ? "таблица"
                           : b->kind == BLK_SPACER ? "интервал (spacer)"
                                                   : "разрыв страницы");
                x->failed = true;
            }
        }
        x->n = n0;
    }
    add_table_block(x, blk, t);
}

/* ---- the block table ---------------------------------------------------
 * A template block is a map with one block key; the row of that key says
 * which other keys may stand beside it, which keys its value may have when
 * it is a map, and the function that expands it. */

static void expand_paragraph(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    add_text_block(x, sc, BLK_PARA, v, block_style(x, blk, "body"));
}

static void expand_heading(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    add_text_block(x, sc, BLK_PARA, v, block_style(x, blk, "heading"));
}

/* row: {left, right} and signature: {position, name}: text on the left, text
 * flush right on the left part's last line. */
static void expand_row(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    bool sig = yl_map_get(blk, "signature") != NULL;
    const yl_node *l = yl_map_get(v, sig ? "position" : "left");
    const yl_node *r = yl_map_get(v, sig ? "name" : "right");
    src_mark lm = blk->mark, rm;
    const char *ls = l ? interpolate(x, sc, l, &lm) : "";
    const char *rs = r ? interpolate(x, sc, r, &rm) : "";
    if (!ls || !rs) {
        x->failed = true;
        return;
    }
    blk_block *b = add_block(x, BLK_ROW, lm);
    if (!b)
        return;
    b->text = ls;
    b->as.row.right = rs;
    b->style = block_style(x, blk, sig ? "signature" : "body");
    b->as.row.left_frac = sig ? 0.6 : 0.5;
    const yl_node *w = yl_map_get(v, "left_width");
    double frac;
    if (w && read_range(x, w, "left_width", 0.05, 0.95, &frac))
        b->as.row.left_frac = frac;
    if (sig)
        b->keep_prev_lines = 3;
}

static void expand_spacer(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    (void)sc;
    double mm;
    if (!read_range(x, v, "spacer", 0, 300, &mm))
        return;
    blk_block *b = add_block(x, BLK_SPACER, blk->mark);
    if (b)
        b->as.spacer_pt = mm * MM;
}

static void expand_page_break(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    (void)v, (void)sc;
    add_block(x, BLK_PAGE_BREAK, blk->mark);
}

static void expand_each(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *data = lookup_path(x, sc, v);
    const yl_node *as = yl_map_get(blk, "as");
    const yl_node *body = yl_map_get(blk, "blocks");
    if (!data || yl_is_null(data))
        return;
    scope inner = {as && yl_str(as) ? yl_str(as) : "item", data, sc};
    if (data->kind != YL_SEQ) {
        expand_blocks(x, body, &inner); /* one value: one pass */
        return;
    }
    for (size_t i = 0; i < data->n && !x->failed && charge(x, 1, blk->mark); i++) {
        inner.node = data->items[i];
        expand_blocks(x, body, &inner);
    }
}

static void expand_if(expander *x, const yl_node *blk, const yl_node *v, const scope *sc)
{
    const yl_node *data = lookup_path(x, sc, v);
    expand_blocks(x, yl_map_get(blk, truthy(data) ? "blocks" : "else"), sc);
}

typedef void (*block_fn)(expander *x, const yl_node *blk, const yl_node *v, const scope *sc);

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef struct block_def {
    const char *key;
    const char *const *opts; /* keys allowed beside key */
    const char *const *spec; /* keys of the value when it is a map (NULL: not a map) */
    block_fn expand;
} block_def;

static const block_def block_defs[] = {
    {"paragraph", KEYS("style"), NULL, expand_paragraph},
    {"heading", KEYS("style"), NULL, expand_heading},
    {"row", KEYS("style"), KEYS("left", "right", "left_width"), expand_row},
    {"signature", KEYS("style"), KEYS("position", "name", "left_width"), expand_row},
    {"spacer", KEYS(NULL), NULL, expand_spacer},
    {"page_break", KEYS(NULL), NULL, expand_page_break},
    {"list", KEYS("style"), KEYS("items", "text", "children", "numbering", "hanging"), expand_list},
    {"content", KEYS("styles"), NULL, expand_content},
    {"table", KEYS("styles"), KEYS("columns", "rows", "header"), expand_table},
    {"boxes", KEYS("style", "width_mm"), NULL, expand_boxes},
    {"columns", KEYS("style"), NULL, expand_columns},
    {"each", KEYS("as", "blocks"), NULL, expand_each},
    {"if", KEYS("blocks", "else"), NULL, expand_if},
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
        if (!has_key(def->opts, count_keys(def->opts), k->str)) {
            const char *where = arena_printf(x->mem, "блоке «%s»", def->key);
            diag_unknown_key(x->d, k->mark, k->str, NULL, where, def->opts, count_keys(def->opts));
        }
    }
    if (def->spec)
        check_keys(x, v, def->spec, count_keys(def->spec), arena_printf(x->mem, "«%s»", def->key));
    if (def->expand == expand_paragraph || def->expand == expand_heading)
        check_text(x, v);
    for (size_t i = 0; def->expand == expand_row && v->kind == YL_MAP && i < v->n; i++)
        check_text(x, v->pairs[i].value);
    check_style_name(x, yl_map_get(blk, "style"));
    const yl_node *styles = yl_map_get(blk, "styles");
    check_keys(x, styles, style_roles, sizeof style_roles / sizeof *style_roles, "styles блока");
    for (size_t i = 0; styles && styles->kind == YL_MAP && i < styles->n; i++)
        check_style_name(x, styles->pairs[i].value);
    check_blocks(x, yl_map_get(blk, "blocks"));
    check_blocks(x, yl_map_get(blk, "else"));
    if (!strcmp(def->key, "columns") && v->kind == YL_SEQ)
        for (size_t c = 0; c < v->n; c++) {
            check_keys(x, v->items[c], column_keys, sizeof column_keys / sizeof *column_keys,
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
    if (!charge(x, 1, blk->mark))
        return;
    const yl_node *v = NULL;
    const block_def *def = blk->kind == YL_MAP ? block_def_of(blk, &v) : NULL;
    if (!def) {
        return; /* not a block: check_blocks reported it */
    }
    def->expand(x, blk, v, sc);
}

static void expand_blocks(expander *x, const yl_node *list, const scope *sc)
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

static const char *info_text(expander *x, const yl_node *info, const char *key)
{
    const yl_node *v = info ? yl_map_get(info, key) : NULL;
    src_mark m;
    return v ? interpolate(x, NULL, v, &m) : NULL;
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
    check_keys(x, info, info_keys, 5, "info");
    out->title = info_text(x, info, "title");
    out->author = info_text(x, info, "author");
    out->subject = info_text(x, info, "subject");
    out->keywords = info_text(x, info, "keywords");
    const char *date = info_text(x, info, "date");
    if (date && !date_parse(date, &out->year, &out->month, &out->day))
        diag_error(x->d, yl_map_get(info, "date")->mark, "info.date: ожидалась дата ГГГГ-ММ-ДД");
}

static const char *const top_keys[] = {"page", "info", "styles", "blocks"};

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
        size_t ncells = t->rows[r].section ? 1 : t->ncols;
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
    check_keys(&x, tpl, top_keys, 4, "шаблоне");
    const yl_node *page = yl_map_get(tpl, "page"), *info = yl_map_get(tpl, "info");
    check_text(&x, page ? yl_map_get(page, "orientation") : NULL);
    for (size_t i = 0; info && info->kind == YL_MAP && i < info->n; i++)
        check_text(&x, info->pairs[i].value);
    x.base = default_style(mem, page, d);
    read_styles(&x, yl_map_get(tpl, "styles"));
    read_page(&x, page, &t->doc.page);
    if (!t->doc.page.number_style)
        t->doc.page.number_style = find_style(&x, "body") ? find_style(&x, "body") : x.base;
    read_info(&x, info, &t->doc.info);
    /* the whole template is checked, then expanded even after a mistake in
     * it, so that the data's mistakes come in the same run */
    check_blocks(&x, yl_map_get(tpl, "blocks"));
    expand_blocks(&x, yl_map_get(tpl, "blocks"), NULL);
    t->doc.blocks = x.blocks;
    t->doc.n = x.n;
    own_strings(mem, t, x.blocks, x.n);
    if (x.failed || diag_errors(d) > errors) {
        tpl_doc_free(t);
        return NULL;
    }
    return t;
}

/* Is real (a realpath) dir itself or below it? */
static bool is_below(const char *real, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(real, dir, n) && (real[n] == '/' || real[n] == '\0' || dir[n - 1] == '/');
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
    if (!is_below(real, top)) {
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
        if (has_key(top_keys, 4, root->pairs[i].key->str))
            return true;
    return false;
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
    /* A file that is not a template is reported once, never quoted: it may
     * be anything readable (/proc/self/environ, a key file). */
    diag_checkpoint cp = diag_checkpoint_get(d);
    yl_doc *source = yl_load_file(path, d);
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

void tpl_doc_free(tpl_doc *t)
{
    if (!t)
        return;
    arena_free(t->mem);
    free((blk_block *)t->doc.blocks);
    free(t);
}
