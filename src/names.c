/* names: splitting and declining Russian personal names. The declension is
 * petrovich's (data/petrovich/README.md): this file only applies its rules
 * file, it holds no rules of its own but the gender guess from a surname. */
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

#include "yaml_load.h"

/* Limits on the rules file: it is shipped with the program, but a broken copy
 * must end in a message, not in a walk over a huge tree. */
#define NAMES_MAX_RULES 512 /* rules of one name part (petrovich 0.2.1 has 45) */
#define NAMES_MAX_TESTS 64  /* endings of one rule (petrovich 0.2.1: at most 23) */
#define NAMES_MAX_WORDS 5 /* words of one full name: «Мамедов Эльдар Гусейн оглы» has 4 */
#define NAMES_CASES 5 /* genitive … prepositional, as petrovich's mods */

typedef struct rule {
    names_gender gender; /* NAMES_UNKNOWN: androgynous */
    bool first_word;     /* tag first_word: only the first part of a hyphenated name */
    const char *const *tests;
    size_t ntests;
    const char *mods[NAMES_CASES];
} rule;

typedef struct ruleset {
    rule *exceptions, *suffixes;
    size_t nexceptions, nsuffixes;
} ruleset;

enum { PART_LAST, PART_FIRST, PART_MIDDLE, NPARTS };
static const char *const part_keys[NPARTS] = {"lastname", "firstname", "middlename"};

struct names_rules {
    yl_doc *doc; /* the strings of the rules point into it */
    arena *mem;
    ruleset parts[NPARTS];
};

/* ---- loading the rules --------------------------------------------------- */

static bool bad_rules(diag *d, const yl_node *at, const char *what)
{
    diag_error(d, at->mark, "файл правил склонения повреждён: %s", what);
    return false;
}

static bool read_rule(names_rules *r, const yl_node *n, rule *out, diag *d)
{
    const yl_node *g = yl_map_get(n, "gender"), *t = yl_map_get(n, "test");
    const yl_node *m = yl_map_get(n, "mods"), *tags = yl_map_get(n, "tags");
    if (!yl_str(g) || !t || t->kind != YL_SEQ || !t->n || t->n > NAMES_MAX_TESTS || !m ||
        m->kind != YL_SEQ || m->n != NAMES_CASES)
        return bad_rules(d, n, "ожидалось правило с gender, test и пятью mods");
    out->gender = !strcmp(g->str, "male")     ? NAMES_MALE
                  : !strcmp(g->str, "female") ? NAMES_FEMALE
                                              : NAMES_UNKNOWN;
    const char **tests = arena_alloc(r->mem, t->n * sizeof *tests);
    for (size_t i = 0; i < t->n; i++)
        if (!(tests[i] = yl_str(t->items[i])) || !*tests[i])
            return bad_rules(d, t->items[i], "окончание должно быть строкой");
    out->tests = tests;
    out->ntests = t->n;
    for (size_t i = 0; i < NAMES_CASES; i++)
        if (!(out->mods[i] = yl_str(m->items[i])))
            return bad_rules(d, m->items[i], "изменение должно быть строкой");
    for (size_t i = 0; tags && tags->kind == YL_SEQ && i < tags->n; i++)
        out->first_word |= yl_str(tags->items[i]) && !strcmp(tags->items[i]->str, "first_word");
    return true;
}

static bool read_list(names_rules *r, const yl_node *list, rule **out, size_t *n, diag *d)
{
    if (!list)
        return true;
    if (list->kind != YL_SEQ || list->n > NAMES_MAX_RULES)
        return bad_rules(d, list, "ожидался список правил");
    *out = arena_alloc(r->mem, (list->n ? list->n : 1) * sizeof **out);
    for (size_t i = 0; i < list->n; i++)
        if (!read_rule(r, list->items[i], &(*out)[i], d))
            return false;
    *n = list->n;
    return true;
}

names_rules *names_rules_load(const char *path, diag *d)
{
    size_t before = diag_errors(d);
    yl_doc *doc = yl_load_file(path, d);
    if (!doc || diag_errors(d) > before) {
        yl_doc_free(doc);
        return NULL;
    }
    names_rules *r = xcalloc(1, sizeof *r);
    r->doc = doc;
    r->mem = arena_new();
    const yl_node *root = yl_doc_root(doc);
    for (int p = 0; p < NPARTS; p++) {
        const yl_node *set = yl_map_get(root, part_keys[p]);
        if (!set || set->kind != YL_MAP) {
            bad_rules(d, root, "нет раздела lastname, firstname или middlename");
            goto fail;
        }
        ruleset *rs = &r->parts[p];
        if (!read_list(r, yl_map_get(set, "exceptions"), &rs->exceptions, &rs->nexceptions, d) ||
            !read_list(r, yl_map_get(set, "suffixes"), &rs->suffixes, &rs->nsuffixes, d))
            goto fail;
    }
    return r;
fail:
    names_rules_free(r);
    return NULL;
}

names_rules *names_rules_load_shipped(diag *d)
{
    char *dir = util_data_dir(NULL);
    if (!dir) {
        diag_error(d, DIAG_NOWHERE,
                   "не найдены данные программы (правила склонения data/petrovich); укажите "
                   "папку параметром --data-dir или переменной NASTAVDOC_DATA");
        return NULL;
    }
    char *path = xmalloc(strlen(dir) + 32);
    snprintf(path, strlen(dir) + 32, "%s/data/petrovich/rules.json", dir);
    names_rules *r = names_rules_load(path, d);
    free(path);
    free(dir);
    return r;
}

void names_rules_free(names_rules *r)
{
    if (!r)
        return;
    yl_doc_free(r->doc);
    arena_free(r->mem);
    free(r);
}

/* ---- declension ---------------------------------------------------------- */

const char *names_lower(arena *a, const char *s)
{
    size_t len = 0;
    uint8_t *low = u8_tolower((const uint8_t *)s, strlen(s), NULL, NULL, NULL, &len);
    if (!low)
        return arena_strdup(a, s);
    const char *r = arena_strndup(a, (const char *)low, len);
    free(low);
    return r;
}

static bool ends_with(const char *s, size_t len, const char *tail)
{
    size_t n = strlen(tail);
    return n <= len && !memcmp(s + len - n, tail, n);
}

/* petrovich's find_rule_local: the first rule of the list for this gender
 * (or either) whose test is the word (exceptions) or its ending. */
static const rule *find_in(const rule *rules, size_t n, const char *low, names_gender g,
                           bool first_word, bool whole)
{
    size_t len = strlen(low);
    for (size_t i = 0; i < n; i++) {
        const rule *ru = &rules[i];
        if (ru->first_word && !first_word)
            continue;
        if (ru->gender != NAMES_UNKNOWN && ru->gender != g)
            continue;
        for (size_t k = 0; k < ru->ntests; k++)
            if (whole ? !strcmp(low, ru->tests[k]) : ends_with(low, len, ru->tests[k]))
                return ru;
    }
    return NULL;
}

/* Apply a mod: '-' drops the last letter, '.' keeps, any other letter is
 * appended (petrovich's apply_rule). */
static void apply_mod(buf *b, size_t start, const char *mod)
{
    for (const char *m = mod; *m;) {
        uint32_t cp;
        size_t k = utf8_next(m, strlen(m), &cp);
        if (cp == '-') {
            while (b->len > start && ((unsigned char)b->data[b->len - 1] & 0xC0) == 0x80)
                b->len--;
            if (b->len > start)
                b->len--;
            b->data[b->len] = '\0';
        } else if (cp != '.') {
            buf_putn(b, m, k);
        }
        m += k;
    }
}

/* One word (a part of a name, maybe hyphenated) into case c; *missed counts
 * the hyphen-separated pieces no rule matched. */
static const char *decline_word(const names_rules *r, arena *a, const char *word, int part,
                                names_gender g, names_case c, int *missed)
{
    if (!word || strchr(word, '.'))
        return word; /* absent, or an initial */
    const ruleset *rs = &r->parts[part];
    buf b;
    buf_init(&b);
    const char *p = word;
    bool first = true;
    while (*p) {
        const char *dash = strchr(p, '-');
        size_t len = dash ? (size_t)(dash - p) : strlen(p);
        char *piece = arena_strndup(a, p, len);
        const char *low = names_lower(a, piece);
        bool fw = first && dash; /* the first part of a hyphenated name */
        const rule *ru = find_in(rs->exceptions, rs->nexceptions, low, g, fw, true);
        if (!ru)
            ru = find_in(rs->suffixes, rs->nsuffixes, low, g, fw, false);
        size_t start = b.len;
        buf_puts(&b, piece);
        if (ru)
            apply_mod(&b, start, ru->mods[c]);
        else if (len)
            (*missed)++;
        p += len;
        if (*p == '-')
            buf_putc(&b, *p++);
        first = false;
    }
    const char *res = arena_strdup(a, b.data ? b.data : "");
    buf_fini(&b);
    return res;
}

names_full names_decline(const names_rules *r, arena *a, const names_full *n, names_gender g,
                         names_case c, int *missed)
{
    *missed = 0;
    names_full out = *n;
    if (!r)
        return out;
    out.last = decline_word(r, a, n->last, PART_LAST, g, c, missed);
    out.first = decline_word(r, a, n->first, PART_FIRST, g, c, missed);
    const char *m = n->middle;
    const char *sp = m ? strchr(m, ' ') : NULL;
    if (sp) /* «Гусейн оглы»: оглы and кызы do not change */
        out.middle = arena_printf(a, "%s%s",
                                  decline_word(r, a, arena_strndup(a, m, (size_t)(sp - m)),
                                               PART_FIRST, NAMES_MALE, c, missed),
                                  sp);
    else
        out.middle = decline_word(r, a, m, PART_MIDDLE, g, c, missed);
    return out;
}

const char *names_decline_text(const names_rules *r, arena *a, const char *text, names_case c,
                               names_gender *gender, int *missed)
{
    names_full n;
    *gender = NAMES_UNKNOWN;
    if (!names_split(a, text, &n)) {
        *missed = -1;
        return text;
    }
    *gender = names_gender_guess(&n);
    names_full d = names_decline(r, a, &n, *gender, c, missed);
    /* the order as written: initials first, or the surname first */
    const char *p = text;
    while (*p == ' ')
        p++;
    bool initials_first = false;
    for (const char *q = p; *q && *q != ' '; q++)
        initials_first |= *q == '.';
    bool initials = d.first && strchr(d.first, '.');
    return names_format(a, &d,
                        initials_first ? NAMES_INITIALS_FIRST
                        : initials     ? NAMES_SURNAME_FIRST
                                       : NAMES_FULL);
}

/* ---- splitting and gender ------------------------------------------------ */

static bool is_initials(const char *w)
{
    size_t len = strlen(w);
    return len && len <= 8 && w[len - 1] == '.';
}

static bool is_patronymic_tail(const char *w)
{
    return !strcmp(w, "оглы") || !strcmp(w, "кызы") || !strcmp(w, "Оглы") || !strcmp(w, "Кызы");
}

/* "И.О." or "И. О." words starting at words[i] joined into one; returns the
 * count of words used. */
static size_t join_initials(arena *a, char **words, size_t n, size_t i, const char **out)
{
    buf b;
    buf_init(&b);
    size_t k = i;
    while (k < n && is_initials(words[k]))
        buf_puts(&b, words[k++]);
    *out = arena_strdup(a, b.data ? b.data : "");
    buf_fini(&b);
    return k - i;
}

bool names_split(arena *a, const char *full, names_full *out)
{
    *out = (names_full){0};
    char *words[NAMES_MAX_WORDS + 1];
    size_t n = 0;
    for (const char *p = full; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if (n == NAMES_MAX_WORDS)
            return false;
        words[n++] = arena_strndup(a, s, (size_t)(p - s));
    }
    if (n < 2)
        return false;
    if (is_initials(words[0])) { /* И.О. Фамилия */
        const char *ini;
        size_t used = join_initials(a, words, n, 0, &ini);
        if (used + 1 != n)
            return false;
        out->last = words[n - 1];
        out->first = ini;
        return true;
    }
    out->last = words[0];
    if (is_initials(words[1])) { /* Фамилия И.О. */
        const char *ini;
        if (1 + join_initials(a, words, n, 1, &ini) != n)
            return false;
        out->first = ini;
        return true;
    }
    out->first = words[1];
    if (n == 2)
        return true;
    if (n == 3) {
        out->middle = words[2];
        return true;
    }
    if (n == 4 && is_patronymic_tail(words[3])) {
        out->middle = arena_printf(a, "%s %s", words[2], words[3]);
        return true;
    }
    return false;
}

names_gender names_gender_parse(const char *s)
{
    static const char *const male[] = {"м", "м.", "муж", "муж.", "мужской", "male", "m"};
    static const char *const female[] = {"ж", "ж.", "жен", "жен.", "женский", "female", "f"};
    if (!s)
        return NAMES_UNKNOWN;
    for (size_t i = 0; i < sizeof male / sizeof *male; i++) {
        if (!strcmp(s, male[i]) || (!strcmp(s, "М") && i == 0))
            return NAMES_MALE;
        if (!strcmp(s, female[i]) || (!strcmp(s, "Ж") && i == 0))
            return NAMES_FEMALE;
    }
    return NAMES_UNKNOWN;
}

names_gender names_gender_guess(const names_full *n)
{
    const char *m = n->middle;
    if (m && !strchr(m, '.')) {
        /* petrovich.detect_gender: the patronymic's ending */
        size_t len = strlen(m);
        if (ends_with(m, len, "ич") || ends_with(m, len, "оглы"))
            return NAMES_MALE;
        if (ends_with(m, len, "на") || ends_with(m, len, "кызы"))
            return NAMES_FEMALE;
    }
    /* The common Russian surname endings: petrovich 0.2.1 has no gender
     * rules, and a name written with initials has no patronymic to ask. */
    static const char *const female[] = {"ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая"};
    static const char *const male[] = {"ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ой", "ый"};
    const char *last = n->last;
    if (!last)
        return NAMES_UNKNOWN;
    const char *dash = strrchr(last, '-');
    const char *tail = dash ? dash + 1 : last;
    size_t len = strlen(tail);
    for (size_t i = 0; i < sizeof female / sizeof *female; i++)
        if (ends_with(tail, len, female[i]))
            return NAMES_FEMALE;
    for (size_t i = 0; i < sizeof male / sizeof *male; i++)
        if (ends_with(tail, len, male[i]))
            return NAMES_MALE;
    return NAMES_UNKNOWN;
}

/* ---- formatting ---------------------------------------------------------- */

/* "Е." for "Елена", "Е." for "Е."; appended to b. */
static void put_initial(buf *b, const char *w)
{
    if (!w)
        return;
    if (strchr(w, '.')) {
        buf_puts(b, w);
        return;
    }
    uint32_t cp;
    size_t k = utf8_next(w, strlen(w), &cp);
    buf_putn(b, w, k);
    buf_putc(b, '.');
}

const char *names_format(arena *a, const names_full *n, names_style s)
{
    buf b;
    buf_init(&b);
    bool ini = n->first && strchr(n->first, '.');
    if (s == NAMES_FULL && !ini) {
        buf_puts(&b, n->last ? n->last : "");
        if (n->first)
            buf_printf(&b, " %s", n->first);
        if (n->middle)
            buf_printf(&b, " %s", n->middle);
    } else if (s == NAMES_INITIALS_FIRST) {
        put_initial(&b, n->first);
        put_initial(&b, n->middle && !strchr(n->middle, ' ') ? n->middle : NULL);
        if (b.len)
            buf_put_cp(&b, 0x00A0);
        buf_puts(&b, n->last ? n->last : "");
    } else {
        buf_puts(&b, n->last ? n->last : "");
        if (n->first)
            buf_put_cp(&b, 0x00A0);
        put_initial(&b, n->first);
        put_initial(&b, n->middle && !strchr(n->middle, ' ') ? n->middle : NULL);
    }
    const char *r = arena_strdup(a, b.data ? b.data : "");
    buf_fini(&b);
    return r;
}
