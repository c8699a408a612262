/* yaml_load: see yaml_load.h. libyaml's event API feeds an explicit stack of
 * open collections, so deep input never turns into deep C recursion; the
 * stack is a fixed array of YL_MAX_DEPTH frames because libyaml 0.2.5 has no
 * depth limit of its own. Aliases become shared nodes (the tree is a DAG), and
 * the nodes they would expand to are counted while reading, so an alias bomb
 * fails before anyone walks it. Includes are resolved after a file is parsed,
 * by recursion bounded by YL_MAX_INCLUDE_DEPTH. */
#include "yaml_load.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "csv_load.h"
#include "strtab.h"
#include "yaml_compiled.h"

/* Characters of user text (keys, anchors, paths) quoted in a message: a key of
 * a megabyte must not flood the terminal. */
enum { MSG_TEXT_MAX = 60 };

/* Word's typographic double quotes in UTF-8: “ ” „ */
#define SMART_OPEN "\xE2\x80\x9C"
#define SMART_CLOSE "\xE2\x80\x9D"
#define SMART_LOW "\xE2\x80\x9E"

/* Whether s[0..len) begins with the string prefix. */
static bool starts_with_mem(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

struct yl_doc {
    arena *mem; /* every node and string of the tree */
    yl_node *root;
    const char *path;    /* as given */
    const char *dossier; /* folder of path; NULL for text loaded from memory */
    yl_file *files;      /* the files read: the document, then each include once */
    size_t nfiles;
};

static size_t add_saturating(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* State of one yl_load_file or yl_load_string call. */
typedef struct loader {
    diag *d;
    arena *mem;     /* the document's arena */
    arena *scratch; /* names and clipped texts for messages; freed after loading */
    size_t errors;  /* errors reported by this load: any makes the tree unusable */
    /* Includes (yl_load_file only). */
    const char *dossier;      /* folder of the top-level file as given; "." when none */
    const char *dossier_real; /* its realpath */
    const char *chain[YL_MAX_INCLUDE_DEPTH + 1];      /* files being loaded, as shown */
    const char *chain_real[YL_MAX_INCLUDE_DEPTH + 1]; /* the same, realpaths */
    size_t nchain;
    strtab loaded;  /* realpaths already loaded: a file included twice is merged once */
    yl_file *files; /* every file read, for yl_doc_files; grows by doubling */
    size_t nfiles, files_cap;
} loader;

static void report_error(loader *ld, src_mark at, const char *fmt, ...) UTIL_PRINTF(3, 4);

static void report_error(loader *ld, src_mark at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(ld->d, DIAG_ERROR, at, fmt, ap);
    va_end(ap);
    ld->errors++;
}

/* User text for a message: at most MSG_TEXT_MAX characters, line breaks and
 * tabs shown as spaces. Lives in the loader's scratch arena. */
static const char *clip_text(loader *ld, const char *s)
{
    buf b;
    buf_init(&b);
    size_t len = strlen(s), i = 0;
    for (size_t chars = 0; i < len && chars < MSG_TEXT_MAX; chars++) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (!n)
            break; /* cannot happen: the file passed utf8_check */
        if (cp < 0x20)
            buf_putc(&b, ' ');
        else
            buf_putn(&b, s + i, n);
        i += n;
    }
    if (i < len)
        buf_puts(&b, "…");
    const char *out = arena_strdup(ld->scratch, b.data ? b.data : "");
    buf_fini(&b);
    return out;
}

/* The only place where libyaml's 0-based marks become ours. */
static src_mark make_mark(const char *file, yaml_mark_t m)
{
    return (src_mark){file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
}

/* Mark of byte offset off in text: for errors that libyaml (or we) report as
 * a byte offset. Columns count characters like libyaml's. */
static src_mark locate_offset(const char *file, const char *text, size_t len, size_t off)
{
    uint32_t line = 1;
    size_t start = 0;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            start = i + 1;
        }
    }
    size_t end = off < len ? off : len;
    return (src_mark){file, line, (uint32_t)utf8_count(text + start, end - start) + 1};
}

/* libyaml's common problems and contexts in Russian, with what to do. */
typedef struct phrase {
    const char *en, *ru;
} phrase;

static const phrase problems[] = {
    {"found character that cannot start any token",
     "с этого символа не может начинаться значение; если это текст, возьмите его в кавычки"},
    {"mapping values are not allowed in this context",
     "здесь не может стоять «: »; если двоеточие — часть текста, возьмите весь текст в "
     "кавычки, иначе проверьте отступы"},
    {"could not find expected ':'",
     "после ключа не найдено «: »; допишите двоеточие с пробелом или возьмите текст в кавычки"},
    {"found unexpected end of stream",
     "файл кончился, а кавычка или скобка не закрыта; допишите закрывающую кавычку или скобку"},
    {"found a tab character that violates indentation",
     "отступ сделан табуляцией; в YAML отступы делаются только пробелами"},
    {"found a tab character where an indentation space is expected",
     "отступ сделан табуляцией; в YAML отступы делаются только пробелами"},
    {"did not find expected comment or line break",
     "после значения лишний текст; возьмите всё значение в кавычки или перенесите текст на "
     "новую строку"},
    {"block sequence entries are not allowed in this context",
     "элемент списка «- » здесь не может стоять; проверьте отступ перед «-»"},
    {"found unknown escape character",
     "неизвестная последовательность с «\\» в строке в двойных кавычках; напишите «\\\\» "
     "или возьмите строку в одинарные кавычки"},
    {"did not find expected alphabetic or numeric character",
     "после «&» или «*» ожидалось имя якоря из латинских букв, цифр, «-» и «_»; если это "
     "текст, возьмите его в кавычки"},
    {"found unexpected ':'", "неожиданное двоеточие; возьмите текст в кавычки"},
    {"found undefined tag handle",
     "неизвестный тег после «!»; уберите его или возьмите текст в кавычки"},
    {"found unexpected document indicator",
     "строка «---» или «...» оказалась внутри строки в кавычках; закройте кавычку раньше"},
    {"did not find expected key",
     "ожидался следующий ключ словаря на том же отступе; проверьте отступы"},
    {"did not find expected '-' indicator",
     "ожидался следующий элемент списка «- » на том же отступе; проверьте отступы"},
    {"did not find expected node content",
     "ожидалось значение, а его нет; допишите значение или возьмите текст в кавычки"},
    {"did not find expected ',' or ']'",
     "в списке в квадратных скобках ожидалась «,» или «]»; проверьте скобки и запятые"},
    {"did not find expected ',' or '}'",
     "в словаре в фигурных скобках ожидалась «,» или «}»; проверьте скобки и запятые"},
    {"did not find expected <document start>",
     "после конца документа («...») лишний текст; уберите его"},
    {"control characters are not allowed",
     "в файле управляющий символ, который нельзя напечатать; удалите его"},
    {"mapping keys are not allowed in this context",
     "ключ «? » здесь не может стоять; проверьте отступы"},
    {"found an indentation indicator equal to 0",
     "отступ блочного текста не может быть 0; уберите цифру после «|» или «>»"},
    {"found invalid Unicode character escape code",
     "неверный код символа после «\\u» или «\\U»; исправьте код"},
    {"did not find expected hexdecimal number",
     "после «\\x», «\\u» или «\\U» ожидались шестнадцатеричные цифры; исправьте код или "
     "напишите «\\\\»"},
    {"found incompatible YAML document",
     "строка «%YAML» объявляет несовместимую версию; уберите её"},
    {"found duplicate %YAML directive", "строка «%YAML» повторяется; оставьте одну"},
    {"found duplicate %TAG directive", "строка «%TAG» повторяется; оставьте одну"},
};

static const phrase contexts[] = {
    {"while scanning a simple key", "здесь начинается ключ"},
    {"while scanning a quoted scalar", "здесь открыта кавычка"},
    {"while parsing a quoted scalar", "здесь открыта кавычка"},
    {"while parsing a block mapping", "здесь начинается словарь"},
    {"while parsing a block collection", "здесь начинается список"},
    {"while parsing a flow sequence", "здесь открыта «[»"},
    {"while parsing a flow mapping", "здесь открыта «{»"},
    {"while scanning a block scalar", "здесь начинается блочный текст"},
    {"while scanning a plain scalar", "здесь начинается значение"},
    {"while parsing a block node", "здесь начинается значение"},
    {"while parsing a flow node", "здесь начинается значение"},
    {"while parsing a node", "здесь начинается значение"},
    {"while scanning an anchor", "здесь начинается якорь"},
    {"while scanning an alias", "здесь начинается ссылка"},
    {"while scanning a tag", "здесь начинается тег"},
    {"while parsing a tag", "здесь начинается тег"},
};

static const char *find_phrase(const phrase *table, size_t n, const char *en)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].en, en) == 0)
            return table[i].ru;
    return NULL;
}

/* One anchor of the file being parsed. */
typedef struct anchor {
    const char *name;
    yl_node *node;
    size_t expanded; /* nodes reachable from node by expansion; valid once done */
    bool done;       /* false while the anchored collection is still open */
} anchor;

/* One open sequence or map. The arrays are reused by every collection at
 * the same depth and copied into the arena when it ends. */
typedef struct frame {
    yl_node *node;
    anchor *anchor; /* completed when the collection ends */
    yl_node **items;
    size_t nitems, items_cap;
    yl_pair *pairs;
    size_t npairs, pairs_cap;
    yl_node *key;    /* map: the key waiting for its value */
    bool want_value; /* map: the next node is the value of key */
    bool drop;       /* map: key was refused; parse its value but keep neither */
    size_t expanded; /* nodes reachable from node by expansion, itself included */
    strtab keys;     /* map: key text -> first key node */
} frame;

typedef struct parse_state {
    loader *ld;
    const char *file; /* interned name for marks */
    arena *anchors_mem;
    strtab anchors;
    frame stack[YL_MAX_DEPTH];
    size_t depth;
    size_t written;  /* nodes written in the file, each alias counted once */
    size_t expanded; /* nodes reachable through alias expansion */
    yl_node *root;
    bool fatal; /* stop reading: the rest of the file would not be trustworthy */
    /* the last quoted scalar read, for a syntax error after a quote left open */
    bool quoted_seen;
    yaml_mark_t quoted_start, quoted_end;
    const char *text; /* the text being parsed, for what libyaml drops (comments) */
    size_t len;
    /* byte offset of a mark (libyaml counts characters): a cursor that only
     * moves forward, as the marks of scalars do, so all of them cost O(n) */
    size_t cur_off, cur_line, cur_col;
} parse_state;

static yl_node *new_node(parse_state *ps, yl_kind kind, src_mark at)
{
    yl_node *n = arena_alloc(ps->ld->mem, sizeof *n);
    n->kind = kind;
    n->mark = at;
    return n;
}

/* Checks a key that just ended; false when it must be dropped (the error is
 * reported). at is where the key is written (an alias's own place). */
static bool accept_key(parse_state *ps, frame *f, const yl_node *key, src_mark at)
{
    loader *ld = ps->ld;
    if (key->kind != YL_SCALAR) {
        report_error(ld, at,
                     "ключ словаря — %s, а должен быть строкой; запишите ключ одной строкой "
                     "перед «: »",
                     yl_kind_name(key->kind));
        return false;
    }
    if (key->plain && strcmp(key->str, "<<") == 0) {
        report_error(ld, at,
                     "ключ слияния «<<» не поддерживается; повторите нужные ключи явно или "
                     "вынесите общие данные в отдельный файл и подключите его через include");
        return false;
    }
    const yl_node *first = strtab_add(&f->keys, key->str, key->len, (void *)key);
    if (first) {
        const char *name = clip_text(ld, key->str);
        report_error(ld, at,
                     "ключ «%s» повторяется в этом словаре; оставьте один из двух (второй не "
                     "прочитан)",
                     name);
        diag_note(ld->d, first->mark, "первый раз ключ «%s» задан здесь", name);
        return false;
    }
    return true;
}

/* Hand a finished node (or an alias's target) to the open collection. */
static void attach_node(parse_state *ps, yl_node *n, size_t expanded, src_mark at)
{
    if (ps->depth == 0) {
        ps->root = n;
        return;
    }
    frame *f = &ps->stack[ps->depth - 1];
    f->expanded = add_saturating(f->expanded, expanded);
    if (f->node->kind == YL_SEQ) {
        if (f->nitems == f->items_cap) {
            f->items_cap = f->items_cap ? 2 * f->items_cap : 8;
            f->items = xrealloc(f->items, f->items_cap * sizeof *f->items);
        }
        f->items[f->nitems++] = n;
        return;
    }
    if (!f->want_value) {
        f->key = n;
        f->want_value = true;
        f->drop = !accept_key(ps, f, n, at);
        return;
    }
    f->want_value = false;
    if (f->drop)
        return;
    if (f->npairs == f->pairs_cap) {
        f->pairs_cap = f->pairs_cap ? 2 * f->pairs_cap : 8;
        f->pairs = xrealloc(f->pairs, f->pairs_cap * sizeof *f->pairs);
    }
    f->pairs[f->npairs++] = (yl_pair){f->key, n};
}

static anchor *define_anchor(parse_state *ps, const char *name, yl_node *n)
{
    anchor *a = arena_alloc(ps->anchors_mem, sizeof *a);
    a->name = arena_strdup(ps->anchors_mem, name);
    a->node = n;
    /* a later anchor of the same name replaces the earlier one, as YAML says */
    strtab_put(&ps->anchors, a->name, strlen(a->name), a);
    return a;
}

/* Tags are not part of our data model: !!str only says "not plain"; the
 * other standard tags are harmless; anything else is a mistake worth a word. */
static void check_tag(parse_state *ps, const yaml_char_t *tag, src_mark at)
{
    if (!tag)
        return;
    const char *t = (const char *)tag;
    if (strcmp(t, "!") == 0 || strncmp(t, "tag:yaml.org,2002:", 18) == 0)
        return;
    diag_warning(ps->ld->d, at, "тег «%s» не поддерживается и пропущен; уберите его",
                 clip_text(ps->ld, t));
}

/* Byte offset in ps->text of mark m (0-based line and column). */
static size_t mark_offset(parse_state *ps, yaml_mark_t m)
{
    if (m.line < ps->cur_line || (m.line == ps->cur_line && m.column < ps->cur_col))
        ps->cur_off = ps->cur_line = ps->cur_col = 0; /* backwards: never for scalars */
    while (ps->cur_line < m.line && ps->cur_off < ps->len) {
        if (ps->text[ps->cur_off++] == '\n') {
            ps->cur_line++;
            ps->cur_col = 0;
        }
    }
    while (ps->cur_col < m.column && ps->cur_off < ps->len && ps->text[ps->cur_off] != '\n') {
        uint32_t cp;
        size_t n = utf8_decode(ps->text + ps->cur_off, ps->len - ps->cur_off, &cp);
        ps->cur_off += n ? n : 1;
        ps->cur_col++;
    }
    return ps->cur_off;
}

/* «title: Приказ #5»: YAML takes « #5» for a comment and drops it without a
 * word. A comment glued to its «#» right after a one-line plain value is
 * most likely such text; warn at the «#». */
static void warn_swallowed_comment(parse_state *ps, const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        ev->start_mark.line != ev->end_mark.line)
        return;
    size_t i = mark_offset(ps, ev->end_mark), spaces = 0;
    while (i < ps->len && ps->text[i] == ' ') {
        i++;
        spaces++;
    }
    if (!spaces || i + 1 >= ps->len || ps->text[i] != '#' || strchr(" \t\r\n", ps->text[i + 1]))
        return;
    src_mark at = {ps->file, (uint32_t)ev->end_mark.line + 1,
                   (uint32_t)(ev->end_mark.column + spaces) + 1};
    diag_warning(ps->ld->d, at,
                 "всё после « #» — комментарий, и он не будет напечатан; если «#» — часть "
                 "текста, возьмите всё значение в кавычки \"…\"");
}

/* Whether a plain value is wrapped whole in «…» («Об утверждении плана»):
 * Word's autocorrect makes them of the " a newcomer typed, and YAML
 * prints them. «Рассвет» и «Заря» (two pairs) is not wrapped. */
static bool wrapped_in_guillemets(const char *s, size_t len)
{
    static const char open[] = "«", close[] = "»";
    const size_t n = sizeof open - 1;
    if (len < 2 * n || memcmp(s, open, n) || memcmp(s + len - n, close, n))
        return false;
    size_t depth = 0;
    for (size_t i = 0; i + n <= len; i++) {
        if (!memcmp(s + i, open, n))
            depth++;
        else if (!memcmp(s + i, close, n) && depth && --depth == 0)
            return i + n == len;
    }
    return false;
}

static void read_scalar(parse_state *ps, const yaml_event_t *ev)
{
    src_mark at = make_mark(ps->file, ev->start_mark);
    const char *value = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    yl_node *n = new_node(ps, YL_SCALAR, at);
    n->str = arena_strndup(ps->ld->mem, value, len);
    n->len = len;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
    if (ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
        ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        ps->quoted_seen = true;
        ps->quoted_start = ev->start_mark;
        ps->quoted_end = ev->end_mark;
    }
    warn_swallowed_comment(ps, ev);
    /* Word's “…” are no quotes to YAML: they would be printed as text */
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (starts_with_mem(value, len, SMART_OPEN) || starts_with_mem(value, len, SMART_LOW)))
        diag_warning(ps->ld->d, at,
                     "значение начинается с кавычки «“» из Word: YAML не считает её кавычкой, "
                     "и она будет напечатана; замените кавычки “…” прямыми \"…\"");
    else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && wrapped_in_guillemets(value, len))
        diag_warning(ps->ld->d, at,
                     "значение целиком в кавычках «…»: YAML не считает «ёлочки» кавычками, и "
                     "они будут напечатаны; если на бумаге кавычки не нужны, замените их "
                     "прямыми \"…\" (так Word ставит «…» вместо набранных \")");
    if (memchr(value, '\0', len))
        report_error(ps->ld, at,
                     "в строке символ NUL («\\0»): его нельзя напечатать, и он обрывает "
                     "текст; уберите его");
    check_tag(ps, ev->data.scalar.tag, at);
    ps->written++;
    ps->expanded = add_saturating(ps->expanded, 1);
    if (ev->data.scalar.anchor) {
        anchor *a = define_anchor(ps, (const char *)ev->data.scalar.anchor, n);
        a->expanded = 1;
        a->done = true;
    }
    attach_node(ps, n, 1, at);
}

static void read_alias(parse_state *ps, const yaml_event_t *ev)
{
    loader *ld = ps->ld;
    src_mark at = make_mark(ps->file, ev->start_mark);
    const char *name = (const char *)ev->data.alias.anchor;
    anchor *a = strtab_get(&ps->anchors, name, strlen(name));
    yl_node *target;
    size_t size;
    ps->written++;
    if (a && a->done) {
        target = a->node;
        size = a->expanded;
    } else {
        const char *shown = clip_text(ld, name);
        if (!a) {
            report_error(ld, at,
                         "ссылка *%s ведёт на якорь &%s, которого нет выше в этом файле; "
                         "определите якорь до ссылки или исправьте имя",
                         shown, shown);
        } else {
            report_error(ld, at,
                         "ссылка *%s стоит внутри узла со своим же якорем &%s: такой узел "
                         "содержал бы сам себя; уберите ссылку",
                         shown, shown);
            diag_note(ld->d, a->node->mark, "якорь &%s начинается здесь", shown);
        }
        /* an empty scalar keeps the tree whole so later errors can be found */
        target = new_node(ps, YL_SCALAR, at);
        target->str = "";
        target->plain = true;
        size = 1;
    }
    ps->expanded = add_saturating(ps->expanded, size);
    size_t budget =
        ps->written > SIZE_MAX / YL_ALIAS_FACTOR ? SIZE_MAX : ps->written * YL_ALIAS_FACTOR;
    if (budget < YL_ALIAS_FLOOR)
        budget = YL_ALIAS_FLOOR;
    if (ps->expanded > budget) {
        report_error(ld, at,
                     "слишком много раскрытий ссылок: с ссылкой *%s документ развернулся бы "
                     "больше чем в %zu узлов, а в файле записано %zu (допускается в %d раз "
                     "больше, но не меньше %d); это похоже на «бомбу» из вложенных ссылок — "
                     "уберите ссылки на узлы, которые сами состоят из ссылок",
                     clip_text(ld, name), budget, ps->written, YL_ALIAS_FACTOR, YL_ALIAS_FLOOR);
        ps->fatal = true;
        return;
    }
    attach_node(ps, target, size, at);
}

static void open_collection(parse_state *ps, const yaml_event_t *ev)
{
    bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
    src_mark at = make_mark(ps->file, ev->start_mark);
    if (ps->depth == YL_MAX_DEPTH) {
        report_error(ps->ld, at,
                     "слишком глубокая вложенность: больше %d уровней списков и словарей друг "
                     "в друге; упростите структуру файла",
                     YL_MAX_DEPTH);
        ps->fatal = true;
        return;
    }
    const yaml_char_t *name = seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
    check_tag(ps, seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag, at);
    yl_node *n = new_node(ps, seq ? YL_SEQ : YL_MAP, at);
    ps->written++;
    ps->expanded = add_saturating(ps->expanded, 1);
    frame *f = &ps->stack[ps->depth++];
    f->node = n;
    f->anchor = name ? define_anchor(ps, (const char *)name, n) : NULL;
    f->nitems = f->npairs = 0;
    f->key = NULL;
    f->want_value = f->drop = false;
    f->expanded = 1;
    strtab_clear(&f->keys);
}

static void close_collection(parse_state *ps)
{
    arena *mem = ps->ld->mem;
    frame *f = &ps->stack[--ps->depth];
    yl_node *n = f->node;
    if (n->kind == YL_SEQ) {
        n->n = f->nitems;
        n->items = arena_alloc(mem, f->nitems * sizeof *n->items);
        if (f->nitems)
            memcpy(n->items, f->items, f->nitems * sizeof *n->items);
    } else {
        n->n = f->npairs;
        n->pairs = arena_alloc(mem, f->npairs * sizeof *n->pairs);
        if (f->npairs)
            memcpy(n->pairs, f->pairs, f->npairs * sizeof *n->pairs);
    }
    if (f->anchor) {
        f->anchor->expanded = f->expanded;
        f->anchor->done = true;
    }
    attach_node(ps, n, f->expanded, n->mark);
}

/* Offset of the start of line (1-based) in text, or len past the end. */
static size_t line_start(const char *text, size_t len, uint32_t line)
{
    size_t i = 0;
    for (uint32_t l = 1; l < line && i < len; i++)
        if (text[i] == '\n')
            l++;
    return i;
}

/* How a key can be written wrong so that YAML reads its line as text, and
 * the error that causes shows lines later: glued to its value without the
 * space («number:"443"») or without its colon («number "443"»). */
typedef enum { KEY_OK, KEY_GLUED, KEY_NO_COLON } key_slip;

/* The last such key on lines 1 to last, its mark in *at. The key is an ASCII
 * name, as every key of the kinds is; «http://» is not one. */
static key_slip find_key_slip(const char *file, const char *text, size_t len, uint32_t last,
                              src_mark *at)
{
    key_slip found = KEY_OK;
    size_t i = 0;
    for (uint32_t line = 1; line <= last && i < len; line++) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        size_t k = i;
        while (k < end && text[k] == ' ')
            k++;
        if (k + 1 < end && text[k] == '-' && text[k + 1] == ' ')
            for (k += 2; k < end && text[k] == ' '; k++)
                ;
        size_t key = k;
        while (k < end && (isalnum((unsigned char)text[k]) || text[k] == '_'))
            k++;
        size_t v = k;
        while (v < end && text[v] == ' ')
            v++;
        key_slip slip = KEY_OK;
        if (k > key && isalpha((unsigned char)text[key]) && k + 1 < end && text[k] == ':' &&
            !strchr(" \t\r/", text[k + 1]))
            slip = KEY_GLUED;
        else if (k > key && isalpha((unsigned char)text[key]) && v > k && v < end &&
                 (text[v] == '"' || text[v] == '\''))
            slip = KEY_NO_COLON;
        if (slip != KEY_OK) {
            found = slip;
            *at = (src_mark){file, line, (uint32_t)(key - i) + 1};
        }
        i = end + 1;
    }
    return found;
}

/* «пробел», «пробела» or «пробелов» after the number n. */
static const char *spaces_word(uint32_t n)
{
    if (n % 10 == 1 && n % 100 != 11)
        return "пробел";
    if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14))
        return "пробела";
    return "пробелов";
}

/* Column (1-based) of the first character of line that is not a space. */
static uint32_t first_text_col(const char *text, size_t len, uint32_t line)
{
    uint32_t col = 1;
    for (size_t i = line_start(text, len, line); i < len && text[i] == ' '; i++)
        col++;
    return col;
}

/* Indent (spaces) of the nearest line above line that holds more than
 * spaces and a comment; 0 if none. One pass back from the line: O(n). */
static uint32_t indent_above(const char *text, size_t len, uint32_t line)
{
    size_t end = line_start(text, len, line); /* just past the '\n' ending the line above */
    while (end > 0) {
        size_t start = end - 1; /* at that '\n' */
        while (start > 0 && text[start - 1] != '\n')
            start--;
        size_t i = start;
        while (i < end - 1 && text[i] == ' ')
            i++;
        if (i < end - 1 && !strchr("\r#", text[i]))
            return (uint32_t)(i - start);
        end = start;
    }
    return 0;
}

/* The message for a line at that starts deeper than the keys of the map
 * begun at map, which libyaml calls «did not find expected key». */
static const char *indent_problem(loader *ld, const char *text, size_t len, src_mark at,
                                  yaml_mark_t map)
{
    uint32_t here = at.col - 1, keys = (uint32_t)map.column;
    uint32_t above = indent_above(text, len, at.line);
    if (above > here) /* between two levels: which one was meant is not known */
        return arena_printf(ld->scratch,
                            "у этой строки отступ %u %s: меньше, чем у строки выше (%u), и "
                            "больше, чем у ключей словаря из строки %u (%u); выровняйте её по "
                            "ключам, к которым она относится",
                            here, spaces_word(here), above, (unsigned)map.line + 1, keys);
    return arena_printf(ld->scratch,
                        "у этой строки отступ %u %s, а у ключей словаря, в который она входит, — "
                        "%u: ключи одного словаря пишутся строго друг под другом; уберите лишние "
                        "пробелы в начале строки",
                        here, spaces_word(here), keys);
}

/* Whether line (1-based) of text has a colon. */
static bool line_has_colon(const char *text, size_t len, uint32_t line)
{
    for (size_t i = line_start(text, len, line); i < len && text[i] != '\n'; i++)
        if (text[i] == ':')
            return true;
    return false;
}

/* Mark of the first of Word's double quotes on line, line 0 if none. */
static src_mark find_smart_quote(const char *file, const char *text, size_t len, uint32_t line)
{
    size_t i = line_start(text, len, line);
    for (uint32_t col = 1; i < len && text[i] != '\n'; col++) {
        if (starts_with_mem(text + i, len - i, SMART_OPEN) ||
            starts_with_mem(text + i, len - i, SMART_CLOSE) ||
            starts_with_mem(text + i, len - i, SMART_LOW))
            return (src_mark){file, line, col};
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        i += n ? n : 1;
    }
    return (src_mark){file, 0, 0};
}

/* What a newcomer most likely did, as notes after libyaml's error at at:
 * a quote left open (the last quoted value spans lines and ends near the
 * error), Word's quotes on the error line, a key glued to its value. */
static void explain_syntax_error(parse_state *ps, src_mark at, const char *text, size_t len)
{
    diag *d = ps->ld->d;
    if (ps->quoted_seen && ps->quoted_end.line > ps->quoted_start.line &&
        ps->quoted_end.line + 2 >= at.line)
        diag_note(d, make_mark(ps->file, ps->quoted_start),
                  "кавычка, открытая здесь, закрылась только в строке %u: похоже, здесь не "
                  "хватает закрывающей кавычки",
                  (unsigned)ps->quoted_end.line + 1);
    src_mark smart = find_smart_quote(ps->file, text, len, at.line);
    if (smart.line)
        diag_note(d, smart,
                  "кавычки “…” (так их ставит Word) YAML кавычками не считает; замените их "
                  "прямыми кавычками \"…\"");
    src_mark key;
    key_slip slip = find_key_slip(ps->file, text, len, at.line, &key);
    if (slip == KEY_GLUED)
        diag_note(d, key,
                  "после двоеточия ключа нет пробела, и YAML читает всю строку как текст; "
                  "поставьте пробел: «ключ: значение»");
    else if (slip == KEY_NO_COLON)
        diag_note(d, key,
                  "после ключа нет двоеточия, и YAML читает всю строку как текст; пишите "
                  "«ключ: значение»");
}

/* The byte where a mark points, or 0 past the end: libyaml names the
 * problem, the byte tells a tab from other characters it cannot start with. */
static char byte_at_mark(const char *text, size_t len, src_mark at)
{
    size_t i = 0;
    for (uint32_t line = 1; line < at.line && i < len; i++)
        if (text[i] == '\n')
            line++;
    for (uint32_t col = 1; col < at.col && i < len; col++) {
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        i += n ? n : 1;
    }
    return i < len ? text[i] : '\0';
}

static void report_syntax_error(parse_state *ps, const yaml_parser_t *p, const char *text,
                                size_t len)
{
    loader *ld = ps->ld;
    if (p->error == YAML_MEMORY_ERROR) {
        report_error(ld, (src_mark){ps->file, 0, 0}, "недостаточно памяти для разбора YAML");
        return;
    }
    const char *en = p->problem ? p->problem : "unknown error";
    /* reader errors carry a byte offset; scanner and parser errors a mark */
    src_mark at = p->error == YAML_READER_ERROR
                      ? locate_offset(ps->file, text, len, p->problem_offset)
                      : make_mark(ps->file, p->problem_mark);
    const char *ru = find_phrase(problems, sizeof problems / sizeof *problems, en);
    if (strcmp(en, "did not find expected key") == 0 && byte_at_mark(text, len, at) == '-')
        ru = "элемент списка «- » стоит не на своём отступе: все «-» одного списка пишутся "
             "строго друг под другом";
    else if (strcmp(en, "did not find expected key") == 0 && p->context &&
             strcmp(p->context, "while parsing a block mapping") == 0 &&
             at.col == first_text_col(text, len, at.line) && at.col > p->context_mark.column + 1)
        ru = indent_problem(ld, text, len, at, p->context_mark);
    if (p->error == YAML_SCANNER_ERROR && byte_at_mark(text, len, at) == '\t')
        ru = "здесь табуляция; в YAML отступы и промежутки перед значением делаются только "
             "пробелами — замените табуляцию пробелами";
    if (ru)
        report_error(ld, at, "синтаксическая ошибка YAML: %s (%s)", ru, en);
    else
        report_error(ld, at,
                     "синтаксическая ошибка YAML (%s); проверьте отступы, кавычки и скобки "
                     "рядом",
                     en);
    if (p->context && p->error != YAML_READER_ERROR) {
        const char *ctx = find_phrase(contexts, sizeof contexts / sizeof *contexts, p->context);
        if (ctx)
            diag_note(ld->d, make_mark(ps->file, p->context_mark), "%s (%s)", ctx, p->context);
    }
    if (p->error != YAML_READER_ERROR)
        explain_syntax_error(ps, at, text, len);
    /* a line of text with no colon where a key should start: most likely
     * the value of the line above, broken without indenting it */
    if (strcmp(en, "could not find expected ':'") == 0 && p->context_mark.line > 0 &&
        !line_has_colon(text, len, (uint32_t)p->context_mark.line + 1))
        diag_note(ld->d, make_mark(ps->file, p->context_mark),
                  "если эта строка — продолжение значения из строки выше, сдвиньте её правее "
                  "начала ключа или напишите значение после «>-» (см. README, «Длинный "
                  "текст»)");
}

/* A Cyrillic letter of Windows-1251 (А..я, Ё, ё): a lead byte UTF-8 does not
 * follow with a continuation byte in Russian text saved in that encoding. */
static bool looks_cp1251(unsigned char c)
{
    return c >= 0xC0 || c == 0xA8 || c == 0xB8;
}

/* What the file is instead of text, as a message (util_file_format); NULL
 * for text. */
static const char *not_text_kind(const char *text, size_t len)
{
    switch (util_file_format(text, len)) {
    case FILE_UTF16LE:
    case FILE_UTF16_NO_MARK:
        return "файл в кодировке UTF-16 (в Блокноте она называется «Юникод»); сохраните его в "
               "кодировке UTF-8";
    case FILE_UTF16BE:
        return "файл в кодировке UTF-16 (в Блокноте — «Юникод big endian»); сохраните его в "
               "кодировке UTF-8";
    case FILE_ZIP:
        return "это не текстовый файл, а документ Word (.docx) или архив; в Word сохраните его "
               "как «Обычный текст» в кодировке UTF-8";
    case FILE_OLE:
        return "это не текстовый файл, а документ Word (.doc); в Word сохраните его как «Обычный "
               "текст» в кодировке UTF-8";
    case FILE_RTF:
        return "это документ RTF, а не обычный текст; сохраните его как «Обычный текст» в "
               "кодировке UTF-8";
    case FILE_TEXT:
        break;
    }
    return NULL;
}

/* A line indented with non-breaking spaces (U+00A0: text copied from Word
 * or a web page): YAML takes them for text, not indentation, and its error
 * about the indentation comes a line later. Warns at the first such line,
 * with the count of the others. */
static void warn_nbsp_indent(loader *ld, const char *file, const char *text, size_t len)
{
    size_t first = len, more = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && (text[j] == ' ' || text[j] == '\t'))
            j++;
        if (j + 1 < len && text[j] == '\xC2' && text[j + 1] == '\xA0') {
            if (first == len)
                first = j;
            else
                more++;
        }
        const char *nl = memchr(text + j, '\n', len - j);
        i = nl ? (size_t)(nl - text) + 1 : len;
    }
    if (first == len)
        return;
    char others[128] = "";
    if (more)
        snprintf(others, sizeof others, " — здесь и ещё в %zu %s", more,
                 more % 10 == 1 && more % 100 != 11 ? "строке" : "строках");
    diag_warning(ld->d, locate_offset(file, text, len, first),
                 "строка начинается с неразрывного пробела (так копируется текст из Word или с "
                 "сайта): YAML не считает его отступом; замените его обычными пробелами%s",
                 others);
}

/* The checks before libyaml sees text: its size and its encoding. Drops a
 * byte order mark (Windows editors write one) before both diag and libyaml
 * see the text, so that they count columns alike. false after a report. */
static bool check_text(loader *ld, const char *file, const char **text, size_t *len)
{
    if (*len >= 3 && memcmp(*text, "\xEF\xBB\xBF", 3) == 0) {
        *text += 3;
        *len -= 3;
    }
    if (*len > YL_MAX_FILE_SIZE) {
        report_error(ld, (src_mark){file, 0, 0},
                     "текст больше %u МиБ (%u байт); разделите его на несколько файлов",
                     YL_MAX_FILE_SIZE >> 20, YL_MAX_FILE_SIZE);
        return false;
    }
    diag_source(ld->d, file, *text, *len);
    const char *kind = not_text_kind(*text, *len);
    if (kind) {
        report_error(ld, (src_mark){file, 0, 0}, "%s", kind);
        return false;
    }
    /* libyaml would say "invalid leading UTF-8 octet" with a byte offset; we
     * check first to point at the line and column */
    size_t bad = utf8_check(*text, *len);
    if (bad < *len) {
        report_error(ld, locate_offset(file, *text, *len, bad),
                     "файл не в кодировке UTF-8: байт 0x%02X здесь недопустим%s; сохраните "
                     "файл в кодировке UTF-8",
                     (unsigned)(unsigned char)(*text)[bad],
                     looks_cp1251((unsigned char)(*text)[bad])
                         ? " (похоже, файл сохранён в кодировке Windows-1251, в Блокноте — "
                           "«ANSI»)"
                         : "");
        return false;
    }
    warn_nbsp_indent(ld, file, *text, *len);
    return true;
}

/* Build the tree from the parser's events into ps. *seen_document tells
 * whether the stream held a document. false after a fatal report. */
static bool read_events(parse_state *ps, yaml_parser_t *parser, const char *text, size_t len,
                        bool *seen_document)
{
    bool done = false;
    *seen_document = false;
    while (!done && !ps->fatal) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev)) {
            report_syntax_error(ps, parser, text, len);
            return false;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (*seen_document) {
                report_error(ps->ld, make_mark(ps->file, ev.start_mark),
                             "в файле больше одного документа YAML: здесь начинается второй; "
                             "оставьте в файле один документ (уберите лишнюю строку «---») "
                             "или разнесите документы по разным файлам");
                ps->fatal = true;
            }
            *seen_document = true;
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SCALAR_EVENT:
            read_scalar(ps, &ev);
            break;
        case YAML_ALIAS_EVENT:
            read_alias(ps, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            open_collection(ps, &ev);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            close_collection(ps);
            break;
        default: /* stream start, document end, nothing to build */
            break;
        }
        yaml_event_delete(&ev);
    }
    return !ps->fatal;
}

/* Parse text into the loader's arena. Registers the text with diag under
 * file. Returns the root, or NULL after a fatal error (reported). Errors that
 * leave the tree whole (a duplicate key) are counted in ld->errors. */
static yl_node *parse_text(loader *ld, const char *file, const char *text, size_t len)
{
    yl_node *root = NULL;
    bool parser_ready = false;
    yaml_parser_t parser;
    parse_state *ps = xcalloc(1, sizeof *ps);
    ps->ld = ld;
    ps->file = file;
    ps->anchors_mem = arena_new();

    if (!check_text(ld, file, &text, &len))
        goto out;
    if (!yaml_parser_initialize(&parser)) {
        report_error(ld, (src_mark){file, 0, 0}, "недостаточно памяти для разбора YAML");
        goto out;
    }
    parser_ready = true;
    ps->text = text;
    ps->len = len;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING); /* checked above */

    bool seen_document;
    if (!read_events(ps, &parser, text, len, &seen_document))
        goto out;
    /* "---" alone is a document whose root is an empty scalar: as empty as no document */
    if (!seen_document || (ps->root->kind == YL_SCALAR && ps->root->plain && !ps->root->len)) {
        report_error(ld, (src_mark){file, 1, 1},
                     "файл пуст (или в нём одни комментарии): ожидались данные YAML — "
                     "словарь «ключ: значение»; заполните файл");
        goto out;
    }
    root = ps->root;
out:
    if (parser_ready)
        yaml_parser_delete(&parser);
    for (size_t i = 0; i < YL_MAX_DEPTH; i++) {
        free(ps->stack[i].items);
        free(ps->stack[i].pairs);
        strtab_fini(&ps->stack[i].keys);
    }
    strtab_fini(&ps->anchors);
    arena_free(ps->anchors_mem);
    free(ps);
    return root;
}

/* Whether path + ".txt" is a regular file: what Notepad saves when asked
 * for «order.yaml» with the type «Text documents». */
static bool txt_twin(loader *ld, const char *path)
{
    struct stat st;
    const char *twin = arena_printf(ld->scratch, "%s.txt", path);
    return stat(twin, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *take_dirname(arena *a, const char *path);

/* Length of name without its ending .yaml, .yml (any case) and, before
 * that, the .txt Notepad adds. */
static size_t name_stem(const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && !strcasecmp(name + n - 4, ".txt"))
        n -= 4;
    if (n > 5 && !strncasecmp(name + n - 5, ".yaml", 5))
        n -= 5;
    else if (n > 4 && !strncasecmp(name + n - 4, ".yml", 4))
        n -= 4;
    return n;
}

/* The key a list file of the README is written under, by its name
 * («people.yaml», «my/pairs.yml» → «people», «pairs»), or NULL. */
static const char *list_file_key(const char *path)
{
    static const char *const keys[] = {"people", "pairs", "partners", "surveys"};
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t stem = name_stem(base);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strlen(keys[i]) == stem && !strncasecmp(base, keys[i], stem))
            return keys[i];
    return NULL;
}

/* A regular file beside path that a newcomer saved for it: a name that
 * differs from path's only in the case of Latin letters or in the ending
 * (.yml, .YAML, .txt): «School.yaml», «school.yml» for «school.yaml». The
 * smallest such name (the folder's order does not show), as a path beside
 * path, or NULL. Reads at most YL_TWIN_MAX_ENTRIES names. */
static const char *name_twin(loader *ld, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dir = slash ? take_dirname(ld->scratch, path) : ".";
    size_t stem = name_stem(base);
    DIR *dp = opendir(dir);
    if (!dp)
        return NULL;
    const char *best = NULL;
    struct dirent *e;
    for (size_t seen = 0; seen < YL_TWIN_MAX_ENTRIES && (e = readdir(dp)); seen++) {
        const char *nm = e->d_name;
        if (!strcmp(nm, base) || name_stem(nm) != stem || strncasecmp(nm, base, stem) ||
            (best && strcmp(nm, best) >= 0))
            continue;
        struct stat st;
        const char *full = slash ? arena_printf(ld->scratch, "%s/%s", dir, nm) : nm;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            best = arena_strdup(ld->scratch, nm);
    }
    closedir(dp);
    if (!best)
        return NULL;
    return slash ? arena_printf(ld->scratch, "%.*s%s", (int)(base - path), path, best) : best;
}

/* «имя отличается …» of a twin's message: how twin differs from path. */
static const char *twin_difference(const char *path, const char *twin)
{
    return !strcasecmp(path, twin) ? "только большими и маленькими буквами, а для программы это "
                                     "разные имена"
                                   : "окончанием";
}

/* Note that shown (identified by st) was read, for yl_doc_files. */
static void remember_file(loader *ld, const char *shown, const struct stat *st)
{
    if (ld->nfiles == ld->files_cap) {
        ld->files_cap = ld->files_cap ? 2 * ld->files_cap : 4;
        ld->files = xrealloc(ld->files, ld->files_cap * sizeof *ld->files);
    }
    ld->files[ld->nfiles++] = (yl_file){arena_strdup(ld->mem, shown), st->st_dev, st->st_ino};
}

/* Whole file, or NULL with the reason reported at `at`. Only a regular file
 * is read: a FIFO or device in its place is refused without waiting on it.
 * Caller frees. */
static char *read_text(loader *ld, const char *shown, const char *open_path, src_mark at,
                       size_t *len)
{
    struct stat st = {0};
    char *text = NULL;
    int fd = util_open_regular(open_path, &st);
    if (fd >= 0) {
        text = util_read_fd(fd, YL_MAX_FILE_SIZE, len);
        int e = errno;
        close(fd);
        errno = e;
    }
    if (text) {
        remember_file(ld, shown, &st);
        return text;
    }
    int e = errno;
    const char *twin;
    if (e == EISDIR)
        report_error(ld, at, "«%s» является папкой, а не файлом; укажите путь к YAML-файлу",
                     clip_text(ld, shown));
    else if (e == EINVAL && st.st_mode && !S_ISREG(st.st_mode))
        report_error(ld, at,
                     "«%s» — %s, а не обычный файл; данные читаются только из обычных "
                     "YAML-файлов — укажите путь к такому файлу",
                     clip_text(ld, shown), util_file_kind(st.st_mode));
    else if (e == EFBIG)
        report_error(ld, at,
                     "файл «%s» больше %u МиБ (%u байт) — это не похоже на данные досье; "
                     "проверьте, тот ли это файл, или разделите его на части и подключите их "
                     "через include",
                     clip_text(ld, shown), YL_MAX_FILE_SIZE >> 20, YL_MAX_FILE_SIZE);
    else if (e == ENOENT && txt_twin(ld, open_path))
        report_error(ld, at,
                     "не удалось открыть «%s»: %s; рядом есть «%s.txt» — Блокнот добавил к "
                     "имени «.txt»: переименуйте файл, чтобы имя кончалось на «.yaml»",
                     clip_text(ld, shown), diag_strerror(e), clip_text(ld, shown));
    else if (e == ENOENT && (twin = name_twin(ld, open_path)))
        report_error(ld, at,
                     "не удалось открыть «%s»: %s; рядом есть «%s» — имя отличается %s: "
                     "укажите имя точно или переименуйте файл",
                     clip_text(ld, shown), diag_strerror(e), clip_text(ld, twin),
                     twin_difference(open_path, twin));
    else
        report_error(ld, at, "не удалось открыть «%s»: %s; проверьте путь и права доступа",
                     clip_text(ld, shown), diag_strerror(e));
    return NULL;
}

/* Folder part of path as written: "." when there is none. */
static const char *take_dirname(arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    size_t n = (size_t)(slash - path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return n == 0 ? "/" : arena_strndup(a, path, n);
}

/* reldir (a normalized path inside the dossier, "" for its top) joined with
 * path, "." and ".." resolved by text. NULL when ".." climbs out of the
 * dossier: this catches ../x.yaml even when the file does not exist. */
static const char *resolve_relative(arena *a, const char *reldir, const char *path)
{
    buf b;
    buf_init(&b);
    buf_puts(&b, reldir);
    const char *result = NULL;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (b.len == 0)
                goto out;
            char *slash = strrchr(b.data, '/');
            b.len = slash ? (size_t)(slash - b.data) : 0;
            b.data[b.len] = '\0';
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (b.len)
                buf_putc(&b, '/');
            buf_putn(&b, p, n);
        }
        p += n;
        if (*p == '/')
            p++;
    }
    result = arena_strdup(a, b.data ? b.data : "");
out:
    buf_fini(&b);
    return result;
}

static const char *join_path(arena *a, const char *dir, const char *rel)
{
    if (strcmp(dir, ".") == 0)
        return arena_strdup(a, rel);
    size_t n = strlen(dir);
    return arena_printf(a, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", rel);
}

/* "a.yaml → b.yaml → a.yaml" from the file at chain[from] to next. */
static const char *describe_chain(loader *ld, size_t from, const char *next)
{
    buf b;
    buf_init(&b);
    for (size_t i = from; i < ld->nchain; i++)
        buf_printf(&b, "%s → ", ld->chain[i]);
    buf_puts(&b, next);
    const char *s = arena_strdup(ld->scratch, b.data);
    buf_fini(&b);
    return s;
}

static yl_node *load_text(loader *ld, const char *file, const char *rel, const char *real,
                          const char *text, size_t len);

/* The file an include item written in a file at reldir of the dossier
 * names, checked: a relative path that stays inside the dossier (also through
 * symlinks), not a cycle, not too deep. *shown gets its name for marks, *rel
 * its path inside the dossier. Returns its realpath (caller frees), or NULL
 * after a message. */
static char *locate_include(loader *ld, const yl_node *item, const char *reldir, const char **shown,
                            const char **rel)
{
    src_mark at = item->mark;
    if (item->kind != YL_SCALAR || item->len == 0) {
        report_error(ld, at,
                     "элемент include должен быть путём к файлу, а здесь %s; напишите путь "
                     "строкой, например «- school.yaml»",
                     item->kind == YL_SCALAR ? "пустое значение" : yl_kind_name(item->kind));
        return NULL;
    }
    const char *path = clip_text(ld, item->str);
    if (item->str[0] == '/') {
        report_error(ld, at,
                     "путь «%s» в include абсолютный; пишите путь относительно этого файла, "
                     "внутри папки досье «%s»",
                     path, ld->dossier);
        return NULL;
    }
    if (!(*rel = resolve_relative(ld->scratch, reldir, item->str))) {
        report_error(ld, at,
                     "путь «%s» в include выходит (через «..») за папку досье «%s»; подключать "
                     "можно только файлы внутри этой папки — скопируйте файл в неё",
                     path, ld->dossier);
        return NULL;
    }
    *shown = diag_file(ld->d, join_path(ld->scratch, ld->dossier, *rel));
    char *real = realpath(*shown, NULL);
    if (!real && errno == ENOENT && txt_twin(ld, *shown)) {
        report_error(ld, at,
                     "не удалось открыть подключаемый файл «%s»: %s; рядом есть «%s.txt» — "
                     "Блокнот добавил к имени «.txt»: переименуйте файл, чтобы имя кончалось "
                     "на «%s»",
                     clip_text(ld, *shown), diag_strerror(ENOENT), clip_text(ld, *shown),
                     clip_text(ld, item->str));
        return NULL;
    }
    const char *twin = !real && errno == ENOENT ? name_twin(ld, *shown) : NULL;
    if (twin) {
        const char *slash = strrchr(twin, '/');
        report_error(ld, at,
                     "не удалось открыть подключаемый файл «%s»: %s; рядом есть «%s» — имя "
                     "отличается %s: переименуйте файл или напишите в include «%s»",
                     clip_text(ld, *shown), diag_strerror(ENOENT), clip_text(ld, twin),
                     twin_difference(*shown, twin), clip_text(ld, slash ? slash + 1 : twin));
        return NULL;
    }
    if (!real && item->plain && strchr(item->str, ',')) {
        /* «include: school.yaml, people.yaml»: one path with a comma */
        report_error(ld, at,
                     "не удалось открыть подключаемый файл «%s»: %s; несколько файлов пишутся "
                     "в квадратных скобках через запятую: include: [%s]",
                     clip_text(ld, *shown), diag_strerror(ENOENT), clip_text(ld, item->str));
        return NULL;
    }
    if (!real) {
        report_error(ld, at,
                     "не удалось открыть подключаемый файл «%s»: %s; путь в include "
                     "отсчитывается от папки файла, где он написан",
                     clip_text(ld, *shown), diag_strerror(errno));
        return NULL;
    }
    const char *problem = NULL;
    if (!util_path_below(real, ld->dossier_real)) {
        report_error(ld, at,
                     "файл «%s» из include ведёт (через символическую ссылку) в «%s», за папку "
                     "досье «%s»; подключать можно только файлы внутри этой папки — скопируйте "
                     "файл в неё",
                     clip_text(ld, *shown), clip_text(ld, real), ld->dossier);
        problem = "outside";
    }
    for (size_t i = 0; !problem && i < ld->nchain; i++) {
        if (strcmp(ld->chain_real[i], real) == 0) {
            report_error(ld, at, "цикл include: %s; уберите одно из подключений",
                         describe_chain(ld, i, *shown));
            problem = "cycle";
        }
    }
    if (!problem && ld->nchain > YL_MAX_INCLUDE_DEPTH) {
        report_error(ld, at,
                     "цепочка include длиннее %d файлов: %s; подключайте общие файлы прямо из "
                     "документа",
                     YL_MAX_INCLUDE_DEPTH, describe_chain(ld, 0, *shown));
        problem = "deep";
    }
    if (problem) {
        free(real);
        return NULL;
    }
    return real;
}

/* Load the file named by the include item written in a file at reldir of the
 * dossier. Returns its root map, or NULL when there is nothing to merge
 * (an error was reported, or the file was merged already). */
static yl_node *load_include(loader *ld, const yl_node *item, const char *reldir)
{
    yl_node *root = NULL;
    char *text = NULL;
    const char *shown, *rel;
    src_mark at = item->mark;
    char *real = locate_include(ld, item, reldir, &shown, &rel);
    if (!real)
        goto out;
    if (strtab_get(&ld->loaded, real, strlen(real)))
        goto out; /* included twice (a diamond): its keys are already there */
    size_t len;
    if (!(text = read_text(ld, shown, real, at, &len)))
        goto out;
    size_t errors_before = ld->errors;
    root = load_text(ld, shown, rel, arena_strdup(ld->scratch, real), text, len);
    if (ld->errors > errors_before)
        diag_note(ld->d, at, "файл «%s» подключён здесь", clip_text(ld, shown));
    const char *list_key = root && root->kind == YL_SEQ ? list_file_key(item->str) : NULL;
    if (list_key) {
        /* people.yaml without its «people:» line: the list the README shows under it */
        report_error(ld, at,
                     "файл «%s» подключён через include, но в нём сразу список, без строки "
                     "«%s:»; напишите первой строкой файла «%s:», а список — под ней с "
                     "отступом в два пробела (или подключите файл так: «- %s: %s»)",
                     clip_text(ld, shown), list_key, list_key, list_key, clip_text(ld, item->str));
        root = NULL;
    } else if (root && root->kind != YL_MAP) {
        report_error(ld, at,
                     "файл «%s» подключён через include, но в нём %s, а нужен словарь "
                     "«ключ: значение»; запишите данные файла ключами, или подключите его под "
                     "ключом: «- ключ: %s»",
                     clip_text(ld, shown), yl_kind_name(root->kind), clip_text(ld, item->str));
        root = NULL;
    }
out:
    free(real);
    free(text);
    return root;
}

static bool is_csv_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

/* `KEY: FILE` in include: the whole file becomes the value of KEY; a CSV
 * file (by its .csv name) the list of its rows (csv_load.h). Returns a map
 * of that one pair to merge, or NULL after a message. */
static yl_node *load_keyed(loader *ld, const yl_pair *p, const char *reldir)
{
    const char *shown, *rel;
    char *text = NULL;
    yl_node *value = NULL, *map = NULL;
    char *real = locate_include(ld, p->value, reldir, &shown, &rel);
    size_t len, errors_before = ld->errors;
    if (!real || !(text = read_text(ld, shown, real, p->value->mark, &len)))
        goto out;
    if (is_csv_name(shown)) {
        value = csv_load_take(ld->mem, ld->d, shown, text, len);
        text = NULL; /* csv_load_take took it */
        if (!value)
            ld->errors++; /* csv_load_take reported it */
    } else {
        value = load_text(ld, shown, rel, arena_strdup(ld->scratch, real), text, len);
    }
    if (ld->errors > errors_before)
        diag_note(ld->d, p->value->mark, "файл «%s» подключён здесь", clip_text(ld, shown));
    if (value) {
        map = arena_alloc(ld->mem, sizeof *map);
        map->kind = YL_MAP;
        map->mark = p->key->mark;
        map->n = 1;
        map->pairs = arena_alloc(ld->mem, sizeof *map->pairs);
        map->pairs[0] = *p;
        map->pairs[0].value = value;
    }
out:
    free(real);
    free(text);
    return map;
}

/* A key of the merged root and where it came from. */
typedef struct merged_pair {
    yl_pair pair;
    const char *from; /* included file it came from; NULL for the file's own keys */
} merged_pair;

/* The keys of a root being merged, in order, with an index by name. */
typedef struct merger {
    merged_pair *out;
    size_t n, cap;
    strtab index; /* key -> position in out, plus one */
} merger;

/* Add the pairs of an included file's map (from: the file, for messages)
 * whose keys the root has not got yet. */
static void merge_child(loader *ld, merger *m, const yl_node *root, const yl_node *child,
                        const char *from)
{
    for (size_t j = 0; child && j < child->n; j++) {
        const yl_pair *p = &child->pairs[j];
        uintptr_t at = (uintptr_t)strtab_get(&m->index, p->key->str, p->key->len);
        if (at && m->out[at - 1].from) {
            const char *name = clip_text(ld, p->key->str);
            diag_warning(ld->d, p->key->mark,
                         "ключ «%s» уже задан в подключённом раньше файле «%s»; здесь он "
                         "пропущен — оставьте ключ в одном файле или задайте его в «%s»",
                         name, m->out[at - 1].from, root->mark.file);
            diag_note(ld->d, m->out[at - 1].pair.key->mark, "ключ «%s» задан здесь", name);
        }
        if (at)
            continue;
        if (m->n == m->cap) {
            m->cap *= 2;
            m->out = xrealloc(m->out, m->cap * sizeof *m->out);
        }
        m->out[m->n] = (merged_pair){*p, from};
        strtab_put(&m->index, p->key->str, p->key->len, (void *)(uintptr_t)++m->n);
    }
}

/* Replace root's "include" key by the pairs of the files it names. The file's
 * own keys win silently; between included files the first wins, with a
 * warning, because which of two shared files should win is not obvious.
 * An item is a path (the file's keys merge) or a map KEY: FILE (the file
 * becomes KEY's value); include itself may be such a map. */
static void merge_includes(loader *ld, yl_node *root, const char *rel)
{
    const yl_node *inc = yl_map_get(root, "include");
    if (!inc)
        return;
    const char *reldir = take_dirname(ld->scratch, rel);
    if (strcmp(reldir, ".") == 0)
        reldir = "";

    merger m = {.cap = root->n ? root->n : 1};
    m.out = xmalloc(m.cap * sizeof *m.out);
    for (size_t i = 0; i < root->n; i++) {
        const yl_node *key = root->pairs[i].key;
        if (strcmp(key->str, "include") == 0)
            continue;
        m.out[m.n] = (merged_pair){root->pairs[i], NULL};
        strtab_put(&m.index, key->str, key->len, (void *)(uintptr_t)++m.n);
    }

    const yl_node *const *items = &inc;
    size_t nitems = 1;
    if (inc->kind == YL_SEQ) {
        items = (const yl_node *const *)inc->items;
        nitems = inc->n;
    } else if (yl_is_null(inc)) {
        nitems = 0; /* "include:" with nothing: nothing to do */
    }
    for (size_t i = 0; i < nitems; i++) {
        const yl_node *item = items[i];
        if (item->kind != YL_MAP) {
            const yl_node *child = load_include(ld, item, reldir);
            merge_child(ld, &m, root, child, child ? child->mark.file : NULL);
            continue;
        }
        for (size_t k = 0; k < item->n; k++) {
            const yl_node *child = load_keyed(ld, &item->pairs[k], reldir);
            merge_child(ld, &m, root, child, child ? child->pairs[0].value->mark.file : NULL);
        }
    }

    root->pairs = arena_alloc(ld->mem, m.n * sizeof *root->pairs);
    for (size_t i = 0; i < m.n; i++)
        root->pairs[i] = m.out[i].pair;
    root->n = m.n;
    strtab_fini(&m.index);
    free(m.out);
}

/* Parse one file of the dossier and merge its includes. file is the name
 * shown in marks, rel its path inside the dossier, real its realpath. */
static yl_node *load_text(loader *ld, const char *file, const char *rel, const char *real,
                          const char *text, size_t len)
{
    yl_node *root = parse_text(ld, file, text, len);
    if (!root || root->kind != YL_MAP)
        return root;
    ld->chain[ld->nchain] = file;
    ld->chain_real[ld->nchain] = real;
    ld->nchain++;
    strtab_put(&ld->loaded, real, strlen(real), (void *)real);
    merge_includes(ld, root, rel);
    ld->nchain--;
    return root;
}

static yl_doc *finish_doc(loader *ld, yl_node *root, const char *path, const char *dossier)
{
    if (!root || ld->errors)
        return NULL;
    yl_doc *doc = arena_alloc(ld->mem, sizeof *doc);
    doc->mem = ld->mem;
    doc->root = root;
    doc->path = arena_strdup(ld->mem, path);
    doc->dossier = dossier ? arena_strdup(ld->mem, dossier) : NULL;
    doc->nfiles = ld->nfiles;
    doc->files = arena_alloc(ld->mem, (ld->nfiles ? ld->nfiles : 1) * sizeof *doc->files);
    if (ld->nfiles)
        memcpy(doc->files, ld->files, ld->nfiles * sizeof *doc->files);
    ld->mem = NULL; /* the document owns it now */
    return doc;
}

static yl_doc *load_file(const char *path, const char *compiled, diag *d, char **keep,
                         size_t *keep_len);

yl_doc *yl_load_file(const char *path, diag *d)
{
    return load_file(path, NULL, d, NULL, NULL);
}

yl_doc *yl_load_file_text(const char *path, diag *d, char **text, size_t *len)
{
    return yl_load_compiled(path, NULL, d, text, len);
}

yl_doc *yl_load_compiled(const char *path, const char *compiled, diag *d, char **text, size_t *len)
{
    if (!text)
        return load_file(path, compiled, d, NULL, NULL);
    *text = NULL;
    *len = 0;
    yl_doc *doc = load_file(path, compiled, d, text, len);
    if (!doc) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
    return doc;
}

/* The tree of text (len bytes, read from file) that the file compiled
 * holds (yaml_compiled.h), registered with diag as parse_text would; NULL
 * when compiled is NULL, unreadable, or not the tree of this text. */
static yl_node *compiled_root(loader *ld, const char *file, const char *compiled, const char *text,
                              size_t len)
{
    size_t n;
    char *blob = compiled ? util_read_file(compiled, YC_MAX_SIZE, &n) : NULL;
    yl_node *root = blob ? yc_read(ld->mem, file, text, len, blob, n) : NULL;
    free(blob);
    if (root) {
        size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        diag_source(ld->d, file, text + bom, len - bom);
    }
    return root;
}

/* yl_load_file; when keep is given, *keep gets a copy of the file's text as
 * diag quotes it (check_text drops a byte order mark). compiled: see
 * yl_load_compiled. */
static yl_doc *load_file(const char *path, const char *compiled, diag *d, char **keep,
                         size_t *keep_len)
{
    yl_doc *doc = NULL;
    char *text = NULL, *real = NULL, *dossier_real = NULL;
    loader ld = {.d = d, .mem = arena_new(), .scratch = arena_new()};
    const char *file = diag_file(d, path);
    size_t len;
    if (!(text = read_text(&ld, path, path, (src_mark){file, 0, 0}, &len)))
        goto out;
    if (keep) {
        size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        *keep = xstrndup(text + bom, len - bom);
        *keep_len = len - bom;
    }
    ld.dossier = take_dirname(ld.scratch, path);
    /* a compiled tree has no includes (yaml_compile writes none): the
     * realpaths are for them */
    yl_node *root = compiled_root(&ld, file, compiled, text, len);
    if (root) {
        doc = finish_doc(&ld, root, path, ld.dossier);
        goto out;
    }
    if (!(real = realpath(path, NULL)) || !(dossier_real = realpath(ld.dossier, NULL))) {
        report_error(&ld, (src_mark){file, 0, 0}, "не удалось найти полный путь файла: %s",
                     diag_strerror(errno));
        goto out;
    }
    ld.dossier_real = dossier_real;
    const char *slash = strrchr(path, '/');
    root = load_text(&ld, file, slash ? slash + 1 : path, real, text, len);
    doc = finish_doc(&ld, root, path, ld.dossier);
out:
    free(text);
    free(real);
    free(dossier_real);
    free(ld.files);
    strtab_fini(&ld.loaded);
    arena_free(ld.scratch);
    arena_free(ld.mem);
    return doc;
}

yl_doc *yl_load_string(const char *name, const char *text, size_t len, diag *d)
{
    loader ld = {.d = d, .mem = arena_new(), .scratch = arena_new()};
    yl_node *root = parse_text(&ld, diag_file(d, name), text, len);
    yl_doc *doc = finish_doc(&ld, root, name, NULL);
    arena_free(ld.scratch);
    arena_free(ld.mem);
    return doc;
}

void yl_doc_free(yl_doc *doc)
{
    if (doc)
        arena_free(doc->mem); /* doc itself lives in its arena */
}

const yl_node *yl_doc_root(const yl_doc *doc)
{
    return doc->root;
}

const char *yl_doc_path(const yl_doc *doc)
{
    return doc->path;
}

const char *yl_doc_dossier(const yl_doc *doc)
{
    return doc->dossier;
}

const yl_file *yl_doc_files(const yl_doc *doc, size_t *n)
{
    *n = doc->nfiles;
    return doc->files;
}

const yl_node *yl_map_get(const yl_node *map, const char *key)
{
    if (!map || map->kind != YL_MAP)
        return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < map->n; i++) {
        const yl_node *k = map->pairs[i].key;
        if (k->len == len && memcmp(k->str, key, len) == 0)
            return map->pairs[i].value;
    }
    return NULL;
}

const char *yl_str(const yl_node *n)
{
    return n && n->kind == YL_SCALAR ? n->str : NULL;
}

bool yl_is_null(const yl_node *n)
{
    if (!n || n->kind != YL_SCALAR || !n->plain)
        return false;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(n->str, nulls[i]) == 0)
            return true;
    return false;
}

const char *yl_kind_name(yl_kind k)
{
    switch (k) {
    case YL_SCALAR:
        return "строка";
    case YL_SEQ:
        return "список";
    case YL_MAP:
        return "словарь";
    }
    return "?";
}
