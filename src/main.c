/* main: the command line. The only code that prints to the user and picks
 * exit codes (docs/ARCHITECTURE.md). */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "dump.h"
#include "kinds.h"
#include "layout.h"
#include "outfile.h"
#include "pdf.h"
#include "qrcode.h"
#include "schema.h"
#include "slug.h"
#include "strtab.h"
#include "template.h"
#include "text.h"
#include "util.h"
#include "watch.h"
#include "yaml_load.h"

#ifndef NASTAVDOC_VERSION
#define NASTAVDOC_VERSION "0.0.0"
#endif

enum exit_code { EXIT_DONE = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "nastavdoc " NASTAVDOC_VERSION " — документы программы наставничества из YAML в PDF\n"
    "\n"
    "Использование:\n"
    "  nastavdoc render ФАЙЛ.yaml [-o ВЫХОД.pdf] [--template ШАБЛОН.yaml] [--strict] [--pdfa]\n"
    "  nastavdoc check ФАЙЛ.yaml|ПАПКА…   проверить, не создавая PDF (папка — все её .yaml)\n"
    "  nastavdoc batch ПАПКА|ФАЙЛ… -o ПАПКА_PDF [-j N]   все документы папок и подпапок,\n"
    "                                                   N процессов\n"
    "  nastavdoc dump ФАЙЛ.yaml        все тексты документа по строке (для проверок)\n"
    "  nastavdoc schema [ИМЯ]          JSON Schema для подсказок в редакторе: вид документа,\n"
    "                                  school, people, pairs, partners, survey (без ИМЕНИ — "
    "список)\n"
    "  nastavdoc schema --all ПАПКА    все схемы файлами ПАПКА/ИМЯ.schema.json\n"
    "  nastavdoc watch ФАЙЛ.yaml [-o ВЫХОД.pdf] [--pdfa]   пересобирать PDF при каждом\n"
    "                                  сохранении документа или его файлов (Ctrl+C — выход)\n"
    "  nastavdoc --help | --version\n"
    "\n"
    "Пример:\n"
    "  nastavdoc render samples/bratsk/order-669.yaml -o приказ-669.pdf\n"
    "\n"
    "По умолчанию PDF пишется рядом с файлом: order-669.yaml → order-669.pdf;\n"
    "-o - пишет PDF в стандартный вывод (nastavdoc render приказ.yaml -o - > приказ.pdf).\n"
    "batch повторяет дерево папок: samples/bratsk/order-669.yaml → ПАПКА_PDF/bratsk/order-669.pdf\n"
    "(для аргумента samples/bratsk); сбой одного документа не мешает остальным.\n"
    "--strict      считать предупреждения ошибками\n"
    "--pdfa        PDF/A-1b для архивного хранения (render и batch)\n"
    "--template    свой шаблон вместо templates/<вид>.yaml\n"
    "--data-dir    папка данных программы (fonts, templates); иначе NASTAVDOC_DATA,\n"
    "              папка программы или PREFIX/share/nastavdoc\n"
    "--partner ИМЯ соглашение только с этим партнёром (наименование, имя файла или номер\n"
    "              в списке; без него — по PDF на каждого:\n"
    "              соглашение.yaml → соглашение-ooo-uralmash.pdf …)\n"
    "--names cyrillic  имена таких PDF по-русски (соглашение-ооо-уралмаш.pdf);\n"
    "              по умолчанию latin — латиницей\n"
    "Коды выхода: 0 готово, 1 ошибки во входных файлах, 2 ошибка в командной строке,\n"
    "3 внутренняя ошибка или ошибка записи.\n";

/* Print a message of the program's own to stderr: what came from the
 * command line or the file system (names) has its control bytes escaped,
 * as diag does for every message it holds. */
static void say(const char *fmt, ...) DIAG_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    buf raw, out;
    buf_init(&raw);
    buf_init(&out);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&raw, fmt, ap);
    va_end(ap);
    bool nl = raw.len && raw.data[raw.len - 1] == '\n';
    diag_escape(&out, raw.data ? raw.data : "", raw.len - nl);
    if (nl)
        buf_putc(&out, '\n');
    if (out.len)
        fwrite(out.data, 1, out.len, stderr);
    buf_fini(&raw);
    buf_fini(&out);
}

/* Write what a command prints (dump, schema) to standard output, flushed:
 * false, reported, when it could not be written (a full disk behind `>`,
 * a closed descriptor), so that the exit code says the output is not whole.
 * A reader that stops early (`| head`) ends the process by SIGPIPE, as it
 * ends any Unix filter. */
static bool put_stdout(const char *p, size_t n)
{
    if ((n && fwrite(p, 1, n, stdout) != n) || fflush(stdout) != 0) {
        say("nastavdoc: не удалось записать в стандартный вывод: %s\n", diag_strerror(errno));
        return false;
    }
    return true;
}

typedef struct options {
    const char *out;
    const char *template;
    const char *data_dir; /* --data-dir */
    const char *partner;  /* --partner: the one variant to render */
    bool cyrillic;        /* --names cyrillic: variant file names in Cyrillic */
    bool strict;
    bool pdfa; /* --pdfa */
    unsigned jobs;
    const char **files;
    size_t nfiles;
} options;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static char *default_output(const char *in)
{
    size_t len = strlen(in);
    const char *dot = strrchr(in, '.');
    const char *slash = strrchr(in, '/');
    if (dot && (!slash || dot > slash))
        len = (size_t)(dot - in);
    char *out = xmalloc(len + 5);
    memcpy(out, in, len);
    memcpy(out + len, ".pdf", 5);
    return out;
}

/* Who named output path out: the user, when it is what -o gave (render,
 * watch, one partner); else the program (docs/output.md). */
static outfile_name output_named(const options *o, const char *out)
{
    return o->out && !strcmp(out, o->out) ? OUTFILE_TYPED : OUTFILE_DERIVED;
}

/* What every document of a run shares. */
typedef struct run_ctx {
    const options *o;
    const char *data;   /* see util_data_dir */
    const text_hyph *h; /* shared by the documents of a batch; NULL: no hyphenation */
    diag *d;
    bool bound;     /* the document is made for one item of its kind's variant list: */
    size_t variant; /* this one (kinds_variants: an agreement for one partner) */
    size_t *pages;  /* watch: the pages of each PDF written are added here; or NULL */
    tpl_cache *tc;  /* a batch worker's parsed templates, kept across documents; or NULL */
    bool keep_doc;  /* build leaves the document to its caller (render_variants) */
    /* the whole variant list passed the kind's check in a render before: this
     * one's check sees only its item (each checking all n made n PDFs cost n²) */
    bool list_checked;
    buf *written; /* watch: the PDFs written, «, » between them (an agreement's
                     one per partner); or NULL */
} run_ctx;

/* What build made: the expanded template, those of the documents printed as
 * its annexes (parts), and, when a PDF is made, the layout of them all. */
typedef struct built {
    tpl_doc *t;
    tpl_doc **parts;
    size_t nparts;
    layout_doc *lay;
} built;

static void built_free(built *b)
{
    layout_doc_free(b->lay);
    tpl_doc_free(b->t);
    for (size_t i = 0; i < b->nparts; i++)
        tpl_doc_free(b->parts[i]);
    free(b->parts);
    *b = (built){0};
}

/* Load path as YAML (with its includes); NULL after errors, all reported. */
static yl_doc *load_yaml(const char *path, diag *d)
{
    size_t before = diag_errors(d);
    yl_doc *doc = yl_load_file(path, d);
    if (doc && diag_errors(d) > before) {
        yl_doc_free(doc);
        doc = NULL;
    }
    return doc;
}

/* A document names its kind at the top level (`document: order`); the other
 * YAML files of a dossier, such as school.yaml, hold shared data. The loaded
 * tree decides, so a BOM, a quoted key or flow style change nothing. */
static bool is_document(const yl_doc *doc)
{
    return yl_map_get(yl_doc_root(doc), "document") != NULL;
}

/* The template for doc: --template (any file), else the document's own
 * `template:` or the kind's default, found in the dossier folder or the
 * shipped templates (tpl_locate). NULL after a reported error. Caller frees. */
static char *template_path(const run_ctx *c, const yl_doc *doc, const char *kind, bool annex)
{
    if (c->o->template && !annex) /* --template is the main document's */
        return xstrdup(c->o->template);
    const yl_node *own = yl_map_get(yl_doc_root(doc), "template");
    return tpl_locate(own && yl_str(own) ? yl_str(own) : kind,
                      own ? own->mark : yl_doc_root(doc)->mark, yl_doc_dossier(doc), c->data, c->d);
}

/* Would writing out replace one of the files the document is made of: the
 * document, an include, the template? Identity is st_dev and st_ino, so a
 * hard link or a symlink to an input counts. Reports and returns true then. */
static bool output_is_input(const char *out, const yl_doc *doc, const char *tpath, bool annex,
                            diag *d)
{
    struct stat o, t;
    if (!out || !strcmp(out, "-") || stat(out, &o) != 0)
        return false; /* standard output, or a file that does not exist yet: replaces nothing */
    size_t n;
    const yl_file *files = yl_doc_files(doc, &n);
    const char *what = NULL, *name = NULL;
    for (size_t i = 0; i < n && !what; i++) {
        if (files[i].dev == o.st_dev && files[i].ino == o.st_ino) {
            what = i == 0 ? (annex ? "документ-приложение" : "сам документ")
                          : "файл, подключённый через include";
            name = files[i].path;
        }
    }
    if (!what && stat(tpath, &t) == 0 && t.st_dev == o.st_dev && t.st_ino == o.st_ino) {
        what = "шаблон документа";
        name = tpath;
    }
    if (what)
        diag_error(d, DIAG_NOWHERE,
                   "выходной файл «%s» — это %s «%s»: PDF заменил бы его; укажите в -o другой "
                   "файл",
                   out, what, name);
    return what != NULL;
}

/* The file an order's annex names (`document: FILE`): relative to the
 * order's folder and inside it, and not the order itself. Caller frees;
 * NULL after a message at the name. */
static char *annex_path(const yl_doc *doc, const yl_node *file, diag *d)
{
    const char *dossier = yl_doc_dossier(doc), *name = yl_str(file);
    char *path = NULL, *real = NULL, *top = NULL, *self = NULL, *result = NULL;
    if (name[0] == '/') {
        diag_error(d, file->mark,
                   "приложение «%s»: абсолютный путь здесь не допускается; укажите файл из папки "
                   "досье",
                   name);
        goto out;
    }
    buf b;
    buf_init(&b);
    if (!dossier || !strcmp(dossier, "."))
        buf_puts(&b, name); /* shown in messages as the user wrote it */
    else
        buf_printf(&b, "%s/%s", dossier, name);
    path = buf_take(&b);
    top = realpath(dossier ? dossier : ".", NULL);
    self = realpath(yl_doc_path(doc), NULL);
    if (!(real = realpath(path, NULL)) || !top) {
        diag_error(d, file->mark, "приложение «%s»: %s", name, diag_strerror(errno));
        goto out;
    }
    if (!util_path_below(real, top)) {
        diag_error(d, file->mark,
                   "приложение «%s» лежит вне папки досье: документ-приложение берётся из той же "
                   "папки, что и приказ",
                   name);
        goto out;
    }
    if (self && !strcmp(real, self)) {
        diag_error(d, file->mark, "приложение «%s» — это сам документ: укажите другой файл", name);
        goto out;
    }
    result = path;
    path = NULL;
out:
    free(path);
    free(real);
    free(top);
    free(self);
    return result;
}

/* One annex document (file, printed as annex_of says) of the document doc
 * into *part. Returns an exit code, like build. */
static int build_annex(const run_ctx *c, const yl_doc *doc, const yl_node *file,
                       const yl_node *annex_of, const char *out, tpl_doc **part)
{
    int rc = EXIT_INPUT;
    yl_doc *ad = NULL;
    char *tpath = NULL, *path = annex_path(doc, file, c->d);
    arena *mem = arena_new();
    kind_result kr = {0};
    if (!path || !(ad = load_yaml(path, c->d)))
        goto out;
    if (!is_document(ad)) {
        diag_error(c->d, file->mark,
                   "приложение «%s» — не документ: в нём нет ключа document (это общие данные "
                   "вроде school.yaml?)",
                   yl_str(file));
        goto out;
    }
    if (!kinds_check_annex(yl_doc_root(ad), annex_of, mem, c->d, &kr))
        goto out;
    if (kr.annexes) {
        diag_error(c->d, file->mark,
                   "у приложения «%s» свои приложения-документы (annexes с document): приложения "
                   "к приложению не печатаются; перечислите все документы в annexes приказа",
                   yl_str(file));
        goto out;
    }
    if (!(tpath = template_path(c, ad, kr.template, true)))
        goto out;
    if (output_is_input(out, ad, tpath, true, c->d)) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((*part = tpl_expand_cached(c->tc, tpath, kr.data, c->d)))
        rc = EXIT_DONE;
out:
    free(path);
    free(tpath);
    yl_doc_free(ad);
    arena_free(mem);
    return rc;
}

/* The documents an order prints as its annexes (kind_result.annexes), each
 * with its own kind, template and page setup, into res->parts. */
static int build_annexes(const run_ctx *c, const yl_doc *doc, const yl_node *list, const char *out,
                         built *res)
{
    int rc = EXIT_DONE;
    res->parts = xcalloc(list->n, sizeof *res->parts);
    for (size_t i = 0; i < list->n; i++) {
        const yl_node *it = list->items[i];
        int r = build_annex(c, doc, yl_map_get(it, "document"), yl_map_get(it, "annex_of"), out,
                            &res->parts[res->nparts]);
        if (r == EXIT_DONE)
            res->nparts++;
        else if (rc == EXIT_DONE || r == EXIT_USAGE)
            rc = r;
    }
    return rc;
}

/* Lay out the document and its annex documents, one after the other, each
 * part on pages of its own size (an order's landscape roadmap). */
static layout_doc *lay_out(const run_ctx *c, pdf_doc *pdf, const built *res)
{
    layout_fonts f = pdf_fonts(pdf);
    layout_doc *lay = layout_run(&res->t->doc, &f, c->h, c->d);
    for (size_t i = 0; lay && i < res->nparts; i++)
        if (!layout_append(lay, &res->parts[i]->doc, &f, c->h, c->d)) {
            layout_doc_free(lay);
            lay = NULL;
        }
    return lay;
}

/* root with its variant list (`list`, one of its values) cut to item i:
 * the whole list passed the kind's check before, and nothing else reads it. */
static const yl_node *only_variant(arena *mem, const yl_node *root, const yl_node *list, size_t i)
{
    for (size_t k = 0; k < root->n; k++) {
        if (root->pairs[k].value != list)
            continue;
        yl_node *one = arena_alloc(mem, sizeof *one);
        *one = *list;
        one->items = &list->items[i];
        one->n = 1;
        return kind_map_set(mem, root, root->pairs[k].key->str, one);
    }
    return root;
}

/* The stages after loading: check the kind, expand the template, lay out
 * (only when pdf is given). Takes doc. out, when given, must not be one of
 * the inputs (EXIT_USAGE). Returns an exit code; res holds what was made
 * (the layout only on EXIT_DONE with pdf). */
static int build(const run_ctx *c, yl_doc *doc, const char *out, pdf_doc *pdf, built *res)
{
    int rc = EXIT_INPUT;
    char *tpath = NULL;
    arena *mem = arena_new();
    size_t before = diag_errors(c->d);
    unsigned qr_before = qrcode_library_failures();
    kind_result kr = {0};
    const yl_node *root = yl_doc_root(doc), *list;
    const char *key;
    if (c->bound && (list = kinds_variants(root, &key)) && c->variant < list->n) {
        root = kind_map_set(mem, root, key, list->items[c->variant]);
        if (c->list_checked)
            root = only_variant(mem, root, list, c->variant);
    }
    if (!kinds_check(root, mem, c->d, &kr))
        goto out;
    if (!(tpath = template_path(c, doc, kr.template, false)))
        goto out;
    if (output_is_input(out, doc, tpath, false, c->d)) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(res->t = tpl_expand_cached(c->tc, tpath, kr.data, c->d)))
        goto out;
    if (kr.annexes && (rc = build_annexes(c, doc, kr.annexes, out, res)) != EXIT_DONE)
        goto out;
    rc = EXIT_INPUT;
    /* the block tree owns its strings: the data can go before layout */
    if (!c->keep_doc)
        yl_doc_free(doc);
    arena_free(mem);
    doc = NULL;
    mem = NULL;
    if (pdf) {
        res->lay = lay_out(c, pdf, res);
        if (pdf_fonts_failed(pdf)) { /* a font file that does not load: installation */
            rc = EXIT_INTERNAL;
            goto out;
        }
        if (!res->lay)
            goto out;
    }
    if (diag_errors(c->d) == before)
        rc = EXIT_DONE;
out:
    /* a QR code that libqrencode's absence refused: installation, as fonts */
    if (rc == EXIT_INPUT && qrcode_library_failures() != qr_before)
        rc = EXIT_INTERNAL;
    free(tpath);
    if (!c->keep_doc)
        yl_doc_free(doc);
    arena_free(mem);
    return rc;
}

static pdf_doc *open_pdf(const run_ctx *c)
{
    char fonts[PATH_MAX];
    snprintf(fonts, sizeof fonts, "%s/fonts", c->data);
    return pdf_new(fonts, c->d);
}

/* Render a loaded document (taken) to out. */
static int render_doc(const run_ctx *c, yl_doc *doc, const char *out)
{
    built b = {0};
    pdf_doc *pdf = open_pdf(c);
    if (!pdf) {
        if (!c->keep_doc)
            yl_doc_free(doc);
        return EXIT_INTERNAL;
    }
    int rc = build(c, doc, out, pdf, &b);
    if (rc != EXIT_DONE)
        goto out;
    /* the self-check: no glyph outside the margins or its table cell */
    rc = EXIT_INTERNAL;
    if (layout_check(b.lay, c->d))
        goto out;
    char icc[PATH_MAX];
    snprintf(icc, sizeof icc, "%s/data/sRGB.icc", c->data);
    pdf_options popt = {"nastavdoc " NASTAVDOC_VERSION, c->o->pdfa, icc, output_named(c->o, out)};
    if (pdf_write(pdf, b.lay, &popt, out, c->d)) {
        rc = EXIT_DONE;
        if (c->pages)
            *c->pages += b.lay->npages;
        if (c->written)
            buf_printf(c->written, "%s%s", c->written->len ? ", " : "", out);
    }
out:
    built_free(&b);
    pdf_free(pdf);
    return rc;
}

/* The file of variant `slug` of out: out without its .pdf, a hyphen, the slug. */
static char *variant_path(const char *out, const char *slug)
{
    size_t len = strlen(out);
    if (len >= 4 && !strcmp(out + len - 4, ".pdf"))
        len -= 4;
    buf b;
    buf_init(&b);
    buf_printf(&b, "%.*s-%s.pdf", (int)len, out, slug);
    return buf_take(&b);
}

/* Slugs of the variants, made unique with -2, -3 … (caller frees each and
 * the array); *pick gets the one --partner names (its label, name or slug).
 * The slugs taken and, per base, the first suffix not yet tried are kept in
 * tables: each slug was compared with all before it for each suffix it
 * tried, so 4,000 partners of one name took 41 s. */
static char **variant_slugs(const run_ctx *c, const yl_node *root, const yl_node *list,
                            size_t *pick)
{
    char **slugs = xcalloc(list->n, sizeof *slugs);
    char **bases = xcalloc(list->n, sizeof *bases);
    strtab taken = {0}, next = {0}; /* slugs; bases to their next suffix */
    strtab_reserve(&taken, list->n);
    char *want = c->o->partner ? slug_make(c->o->partner, c->o->cyrillic) : NULL;
    *pick = SIZE_MAX;
    for (size_t i = 0; i < list->n; i++) {
        const char *label = kinds_variant_label(root, list->items[i]);
        char *s = slug_make(label ? label : "", c->o->cyrillic);
        if (want && *pick == SIZE_MAX && !strcmp(s, want))
            *pick = i;
        size_t len = strlen(s);
        if (strtab_add(&taken, s, len, s)) {
            /* base-2, base-3 …: those below the base's next were taken */
            bases[i] = s;
            unsigned k = (unsigned)(uintptr_t)strtab_get(&next, s, len); /* 0: none yet */
            for (k = k ? k : 2;; k++) {
                buf b;
                buf_init(&b);
                buf_printf(&b, "%s-%u", bases[i], k);
                s = buf_take(&b);
                if (!strtab_add(&taken, s, strlen(s), s))
                    break;
                free(s);
            }
            strtab_put(&next, bases[i], len, (void *)(uintptr_t)(k + 1));
        }
        slugs[i] = s;
    }
    /* --partner N: the N-th of the list, when no name matches */
    char *end;
    unsigned long k = want ? strtoul(c->o->partner, &end, 10) : 0;
    if (want && *pick == SIZE_MAX && *end == '\0' && k >= 1 && k <= list->n)
        *pick = k - 1;
    free(want);
    strtab_fini(&taken);
    strtab_fini(&next);
    for (size_t i = 0; i < list->n; i++)
        free(bases[i]);
    free(bases);
    return slugs;
}

/* A document whose kind makes one PDF per item of a list (the agreement:
 * one per partner, kinds_variants): out-<slug>.pdf for each, names that
 * never collide (variant_slugs); --partner renders one, to -o when given.
 * Takes doc. */
static int render_variants(const run_ctx *c, yl_doc *doc, const char *out)
{
    const char *key;
    const yl_node *list = kinds_variants(yl_doc_root(doc), &key);
    if (!list)
        return render_doc(c, doc, out);
    size_t pick, n = list->n;
    char **slugs = variant_slugs(c, yl_doc_root(doc), list, &pick);
    int rc = EXIT_DONE;
    if (c->o->partner && pick == SIZE_MAX) {
        diag_error(c->d, DIAG_NOWHERE,
                   "--partner: «%s» нет среди %zu партнёров; укажите наименование, имя файла "
                   "или номер от 1 до %zu",
                   c->o->partner, n, n);
        rc = EXIT_USAGE;
    } else if (!c->o->partner && n > 1 && !strcmp(out, "-")) {
        diag_error(c->d, DIAG_NOWHERE,
                   "-o -: партнёров %zu, а стандартный вывод один; выберите одного: --partner", n);
        rc = EXIT_USAGE;
    }
    /* loaded once for all: loading it again for each variant made n PDFs
     * cost n² (a partners list of 640 took 9 s) */
    bool checked = false;
    for (size_t i = 0; i < n && rc != EXIT_USAGE; i++) {
        if (pick != SIZE_MAX && i != pick)
            continue;
        char *path = pick != SIZE_MAX && c->o->out ? xstrdup(out) : variant_path(out, slugs[i]);
        int r = EXIT_USAGE;
        if (outfile_check(path, output_named(c->o, path), c->d)) {
            run_ctx one = *c;
            one.bound = true;
            one.variant = i;
            one.keep_doc = true;
            one.list_checked = checked;
            r = render_doc(&one, doc, path);
            checked |= r == EXIT_DONE;
        }
        if (r > rc)
            rc = r;
        free(path);
        /* every render checks the whole list: its errors would only repeat */
        if (rc == EXIT_INPUT)
            break;
    }
    yl_doc_free(doc);
    for (size_t i = 0; i < n; i++)
        free(slugs[i]);
    free(slugs);
    return rc;
}

/* The hyphenation dictionary, shared by every document of a run; NULL (with
 * a warning) when it cannot be read. */
static text_hyph *load_hyphenation(const char *data, diag *d)
{
    char dic[PATH_MAX];
    /* installed: DATA/hyph_ru_RU.hyb; in the repository make writes it to build/
     * (the patterns compiled at build time: docs/hyphenation.md) */
    snprintf(dic, sizeof dic, "%s/hyph_ru_RU.hyb", data);
    if (access(dic, F_OK) != 0)
        snprintf(dic, sizeof dic, "%s/build/hyph_ru_RU.hyb", data);
    /* text_hyph_load opens only a regular file (util_open_regular: a FIFO
     * would block); why it did not load is asked only when it did not */
    text_hyph *h = text_hyph_load(dic);
    if (h)
        return h;
    struct stat st;
    int fd = util_open_regular(dic, &st);
    if (fd < 0) {
        char tmp[128];
        diag_warning(d, DIAG_NOWHERE, "словарь переносов %s не загружен (%s): текст без переносов",
                     dic, diag_open_error(errno, &st, tmp, sizeof tmp));
        return NULL;
    }
    close(fd);
    diag_warning(d, DIAG_NOWHERE, "словарь переносов %s не загружен: текст без переносов", dic);
    return NULL;
}

static int cmd_render(const options *o, const char *data, diag *d)
{
    if (o->nfiles != 1) {
        fputs("nastavdoc: render принимает один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    const char *in = o->files[0];
    char *out = o->out ? xstrdup(o->out) : default_output(in);
    if (!o->out && !strcmp(out, in)) {
        diag_error(d, DIAG_NOWHERE,
                   "имя «%s» уже оканчивается на .pdf: PDF по умолчанию заменил бы сам "
                   "документ; укажите выходной файл: -o ФАЙЛ.pdf",
                   in);
        free(out);
        return EXIT_USAGE;
    }
    /* a device, FIFO or folder is refused before any work (docs/output.md) */
    if (!outfile_check(out, output_named(o, out), d)) {
        free(out);
        return EXIT_USAGE;
    }
    int rc = EXIT_INPUT;
    yl_doc *doc = load_yaml(in, d);
    if (doc) {
        run_ctx c = {.o = o, .data = data, .h = load_hyphenation(data, d), .d = d};
        rc = render_variants(&c, doc, out);
        text_hyph_free((text_hyph *)c.h);
    }
    free(out);
    return rc;
}

/* One line of `watch` with the time: «[12:05:31] готово: order.pdf (2 с.)». */
static void watch_say(const char *what, const char *out, size_t pages)
{
    char stamp[16] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    if (pages)
        say("[%s] %s: %s (%zu с.)\n", stamp, what, out, pages);
    else
        say("[%s] %s\n", stamp, what);
}

/* One render of `watch`: its messages printed, its line said, and the files
 * it read (or tried to) watched for the next one. Returns the render's exit
 * code, or -1 when no file could be watched. A render refused for the
 * command line's sake (EXIT_USAGE: -o names one of the document's files, an
 * unknown --partner) ends the watch: every later render would be refused
 * too, and «PDF не обновлён» would call an input file the PDF. */
static int watch_once(const options *o, const char *data, const text_hyph *h, const char *in,
                      const char *out, watch *w)
{
    diag *d = diag_new();
    diag_set_strict(d, o->strict);
    size_t pages = 0;
    buf written;
    buf_init(&written);
    run_ctx c = {.o = o, .data = data, .h = h, .d = d, .pages = &pages, .written = &written};
    yl_doc *doc = load_yaml(in, d);
    int rc = doc ? render_variants(&c, doc, out) : EXIT_INPUT;
    if (rc == EXIT_DONE && diag_errors(d))
        rc = EXIT_INPUT;
    diag_print(d, stderr);
    struct stat st;
    /* the files written: an agreement's are out-PARTNER.pdf, never out */
    if (rc == EXIT_DONE)
        watch_say("готово", written.len ? written.data : out, pages);
    else if (rc == EXIT_USAGE)
        watch_say("PDF не создан: исправьте командную строку (см. выше); слежение остановлено",
                  NULL, 0);
    else if (stat(out, &st) == 0)
        watch_say("PDF не обновлён: в нём прежняя версия; исправьте ошибки и сохраните файл", NULL,
                  0);
    else
        watch_say("PDF не создан: исправьте ошибки и сохраните файл", NULL, 0);
    buf_fini(&written);
    size_t left = 0, n = 0;
    if (rc != EXIT_USAGE) {
        /* the files of this render: its includes, annexes and template may
         * have changed since the last one */
        n = diag_file_count(d);
        const char **names = xcalloc(n + 1, sizeof *names);
        names[0] = in;
        for (size_t i = 0; i < n; i++)
            names[i + 1] = diag_file_name(d, i);
        int err;
        left = watch_set(w, names, n + 1, &err);
        if (left)
            say("nastavdoc: watch: не отслеживается файлов: %zu (%s; предел — %d папок и %d "
                "файлов)%s\n",
                left, err ? diag_strerror(err) : "слишком много", WATCH_MAX_DIRS, WATCH_MAX_FILES,
                left == n + 1 ? "; слежение остановлено" : "");
        free(names);
    }
    diag_free(d);
    return left == n + 1 ? -1 : rc;
}

/* `watch FILE`: render, then render again whenever the document or a file it
 * is made of changes (watch.h), until SIGINT, SIGTERM or SIGHUP (exit 0).
 * Input errors are printed and never end the loop; the last good PDF stays
 * in place (outfile replaces it whole or not at all). */
static int cmd_watch(const options *o, const char *data, diag *d)
{
    if (o->nfiles != 1) {
        fputs("nastavdoc: watch принимает один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    const char *in = o->files[0];
    struct stat st;
    if (stat(in, &st) != 0) {
        diag_error(d, DIAG_NOWHERE, "«%s»: %s", in, diag_strerror(errno));
        return EXIT_INPUT;
    }
    /* a folder, device or FIFO is no document to watch: /dev/null's folder
     * changes whenever any process writes to it, and a render each time
     * would repeat the same message for ever */
    if (!S_ISREG(st.st_mode)) {
        diag_error(d, DIAG_NOWHERE, "«%s» — %s, а не обычный файл; укажите YAML-файл документа", in,
                   util_file_kind(st.st_mode));
        return EXIT_INPUT;
    }
    char *out = o->out ? xstrdup(o->out) : default_output(in);
    if ((!o->out && !strcmp(out, in)) || !strcmp(out, "-") ||
        !outfile_check(out, output_named(o, out), d)) {
        if (!strcmp(out, "-") || !strcmp(out, in))
            diag_error(d, DIAG_NOWHERE, "watch: укажите выходной файл: -o ФАЙЛ.pdf");
        free(out);
        return EXIT_USAGE;
    }
    watch *w = watch_new();
    if (!w) {
        diag_error(d, DIAG_NOWHERE, "watch: inotify недоступен: %s", diag_strerror(errno));
        free(out);
        return EXIT_INTERNAL;
    }
    diag *hd = diag_new();
    text_hyph *h = load_hyphenation(data, hd);
    diag_print(hd, stderr);
    diag_free(hd);
    say("nastavdoc: слежу за %s и файлами, из которых он собран; выход — Ctrl+C\n", in);
    int rc = EXIT_DONE;
    for (;;) {
        int r = watch_once(o, data, h, in, out, w);
        if (r < 0 || r == EXIT_USAGE) {
            rc = r < 0 ? EXIT_INTERNAL : r;
            break;
        }
        watch_event ev = watch_wait(w);
        if (ev == WATCH_STOP)
            break;
        if (ev == WATCH_FAILED) {
            diag_error(d, DIAG_NOWHERE, "watch: %s", diag_strerror(errno));
            rc = EXIT_INTERNAL;
            break;
        }
    }
    text_hyph_free(h);
    watch_free(w);
    free(out);
    return rc;
}

static void check_one(const run_ctx *c, pdf_doc *pdf, const char *path, int *rc);
static void check_folder(const run_ctx *c, pdf_doc *pdf, const char *dir, int *rc);
static char **list_folder(const char *path, size_t *n, diag *d);

static int cmd_check(const options *o, const char *data, diag *d)
{
    if (o->nfiles == 0) {
        fputs("nastavdoc: check: укажите хотя бы один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    run_ctx c = {.o = o, .data = data, .d = d};
    pdf_doc *pdf = open_pdf(&c);
    if (!pdf)
        return EXIT_INTERNAL;
    int rc = EXIT_DONE;
    for (size_t i = 0; i < o->nfiles; i++) {
        struct stat st;
        if (stat(o->files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            check_folder(&c, pdf, o->files[i], &rc);
            continue;
        }
        check_one(&c, pdf, o->files[i], &rc);
    }
    pdf_free(pdf);
    return rc;
}

/* check of one file: YAML only for shared data, every stage but the PDF
 * for a document; *rc gets the worst exit code. */
static void check_one(const run_ctx *c, pdf_doc *pdf, const char *path, int *rc)
{
    yl_doc *doc = load_yaml(path, c->d);
    if (!doc) {
        *rc = EXIT_INPUT;
    } else if (!is_document(doc)) {
        /* shared data such as school.yaml: its YAML is checked here, its
         * fields with every document that includes it */
        yl_doc_free(doc);
    } else {
        /* layout too: a character missing from the font is found there */
        built b = {0};
        int r = build(c, doc, NULL, pdf, &b);
        if (r != EXIT_DONE && *rc < r)
            *rc = r;
        built_free(&b);
    }
}

/* check of a dossier folder: its .yaml files in name order (not below). A
 * problem of a shared file (pairs.yaml) is shown once, however many
 * documents include it (diag holds a message once). */
static void check_folder(const run_ctx *c, pdf_doc *pdf, const char *dir, int *rc)
{
    size_t n = 0;
    char **names = list_folder(dir, &n, c->d);
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) > 5 && ends_with(names[i], ".yaml")) {
            buf path;
            buf_init(&path);
            buf_printf(&path, "%s/%s", dir, names[i]);
            check_one(c, pdf, path.data, rc);
            buf_fini(&path);
        }
        free(names[i]);
    }
    free(names);
}

/* batch: every document found below the folders given (and every file
 * given), rendered by worker processes, each document after document, so
 * that a crash or an exhausted memory ends only the document it was on (a
 * new worker takes the rest). The output tree mirrors the
 * input: folder F given as an argument becomes OUTDIR/<name of F>, and
 * F/x/y/doc.yaml becomes OUTDIR/<name of F>/x/y/doc.pdf; a file given as an
 * argument becomes OUTDIR/<its name>.pdf. */

/* Limits of batch. */
#define BATCH_MAX_DEPTH 32       /* folders below an argument: bounds the walk's recursion */
#define BATCH_LOG_MAX (4u << 20) /* a worker's messages held until their turn to be printed */
#define BATCH_MAX_JOBS 64        /* -j: worker processes at once */

/* How a worker ended: an exit code, or one of these. */
enum batch_status {
    BATCH_RUNNING = -1, /* not ended yet */
    BATCH_WARNED = 10,  /* the PDF was written, with warnings */
    BATCH_SKIPPED = 11, /* YAML without `document`: shared data such as school.yaml */
    BATCH_KILLED = 12,  /* the worker died of a signal (set by the parent) */
};

typedef struct batch_item {
    const char *in;    /* the input file */
    const char *out;   /* its PDF */
    const char *group; /* "input folder → output folder", for the summary */
    pid_t pid;         /* the worker, while it runs */
    FILE *log;         /* the worker's standard error, while it runs */
    char *text;        /* its messages, from its end until they are printed */
    int status;        /* enum batch_status or an exit code */
    int signal;        /* BATCH_KILLED: which signal */
} batch_item;

typedef struct batch {
    const run_ctx *c;
    arena *mem; /* every path of the plan */
    batch_item *items;
    size_t n, cap;
    struct stat outdir;           /* the output folder: never walked into */
    bool late_failure;            /* a worker failed after its documents (a folder sync) */
    struct batch_worker *workers; /* jobs of them */
    unsigned jobs, running;
    size_t printed; /* items[0..printed) are done and printed */
} batch;

static void batch_add(batch *b, const char *in, const char *out_dir, const char *name,
                      const char *group)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->items = xrealloc(b->items, b->cap * sizeof *b->items);
    }
    size_t stem = strlen(name) - (ends_with(name, ".yaml") ? 5 : 0);
    const char *sep = *out_dir ? "/" : "";
    b->items[b->n++] = (batch_item){
        .in = in,
        .out = arena_printf(b->mem, "%s%s%.*s.pdf", out_dir, sep, (int)stem, name),
        .group = group,
        .status = BATCH_RUNNING,
    };
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in folder path, sorted, hidden ones (".…") left out; NULL with
 * a warning when it cannot be read. Caller frees the array and the names. */
static char **list_folder(const char *path, size_t *n, diag *d)
{
    DIR *dir = opendir(path);
    if (!dir) {
        diag_warning(d, DIAG_NOWHERE, "папка «%s» пропущена: %s", path, diag_strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(dir);
    if (*n)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

static void batch_walk(batch *b, const char *in, const char *out, unsigned depth);

/* Walk into the subfolder path of a walk at depth, unless it is the output
 * folder, a symlink (which could lead in a circle) or too deep. */
static void batch_descend(batch *b, const char *path, const char *out, unsigned depth)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            diag_warning(b->c->d, DIAG_NOWHERE,
                         "символическая ссылка на папку «%s» пропущена: batch не ходит по "
                         "ссылкам на папки (они могут замкнуться в круг); укажите эту папку "
                         "отдельным аргументом",
                         path);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    if (depth > BATCH_MAX_DEPTH) {
        diag_warning(b->c->d, DIAG_NOWHERE,
                     "папка «%s» пропущена: она глубже %d уровней папок от аргумента batch", path,
                     BATCH_MAX_DEPTH);
        return;
    }
    batch_walk(b, path, out, depth);
}

/* Plan the documents below folder in, to output folder out: first the
 * .yaml files of the folder, then each subfolder, each in name order, so
 * that a folder's documents stay together. A file that is not a regular
 * file is planned as well: its worker refuses it with a message. */
static void batch_walk(batch *b, const char *in, const char *out, unsigned depth)
{
    struct stat st;
    if (stat(in, &st) == 0 && st.st_dev == b->outdir.st_dev && st.st_ino == b->outdir.st_ino)
        return; /* the PDFs of this very batch */
    size_t n = 0;
    char **names = list_folder(in, &n, b->c->d);
    const char *group = arena_printf(b->mem, "%s → %s", in, out);
    bool *is_dir = xcalloc(n ? n : 1, sizeof *is_dir);
    for (size_t i = 0; i < n; i++) {
        const char *path = arena_printf(b->mem, "%s/%s", in, names[i]);
        is_dir[i] = lstat(path, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) &&
                    stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        if (!is_dir[i] && ends_with(names[i], ".yaml"))
            batch_add(b, path, out, names[i], group);
    }
    for (size_t i = 0; i < n; i++) {
        if (is_dir[i])
            batch_descend(b, arena_printf(b->mem, "%s/%s", in, names[i]),
                          arena_printf(b->mem, "%s%s%s", out, *out ? "/" : "", names[i]),
                          depth + 1);
        free(names[i]);
    }
    free(is_dir);
    free(names);
}

/* Order of output paths in which every path inside folder F comes right
 * after F itself: '/' sorts before any other byte. */
static int by_output(const void *a, const void *b)
{
    const unsigned char *p = (const unsigned char *)(*(batch_item *const *)a)->out;
    const unsigned char *q = (const unsigned char *)(*(batch_item *const *)b)->out;
    while (*p && *p == *q)
        p++, q++;
    int x = *p == '/' ? 1 : *p ? *p + 1 : 0, y = *q == '/' ? 1 : *q ? *q + 1 : 0;
    return x - y;
}

/* Unique output names: no two inputs to one PDF, no PDF where another
 * needs a folder. Reports each clash; true when there is none. */
static bool batch_unique(batch *b)
{
    bool ok = true;
    batch_item **v = xmalloc((b->n ? b->n : 1) * sizeof *v);
    for (size_t i = 0; i < b->n; i++)
        v[i] = &b->items[i];
    qsort(v, b->n, sizeof *v, by_output);
    for (size_t i = 1; i < b->n; i++) {
        size_t len = strlen(v[i - 1]->out);
        if (strncmp(v[i - 1]->out, v[i]->out, len) || (v[i]->out[len] && v[i]->out[len] != '/'))
            continue;
        diag_error(b->c->d, DIAG_NOWHERE,
                   "«%s» и «%s» дали бы один и тот же путь в папке PDF: «%s»; переименуйте "
                   "один из них",
                   v[i - 1]->in, v[i]->in, v[i - 1]->out);
        ok = false;
    }
    free(v);
    return ok;
}

/* The folder of the output for argument path: OUTDIR/<its own name>. */
static const char *argument_root(batch *b, const char *path)
{
    char *real = realpath(path, NULL);
    const char *name = real ? strrchr(real, '/') + 1 : path;
    const char *root = *name ? arena_printf(b->mem, "%s/%s", b->c->o->out, name)
                             : arena_strdup(b->mem, b->c->o->out);
    free(real);
    return root;
}

/* Plan every argument; false (reported) when two folders given would share
 * an output folder or two inputs an output file. */
static bool batch_plan(batch *b)
{
    const options *o = b->c->o;
    const char **roots = xcalloc(o->nfiles, sizeof *roots);
    bool ok = true;
    for (size_t i = 0; i < o->nfiles; i++) {
        const char *arg = o->files[i];
        struct stat st;
        if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
            char *copy = xstrdup(arg), *dir = xstrdup(arg);
            batch_add(b, arg, o->out, basename(copy),
                      arena_printf(b->mem, "%s → %s", dirname(dir), o->out));
            free(copy);
            free(dir);
            continue;
        }
        /* the walk leaves the output folder out: as an argument it would
         * plan nothing, and batch said «в указанных папках нет документов» */
        if (st.st_dev == b->outdir.st_dev && st.st_ino == b->outdir.st_ino) {
            diag_error(b->c->d, DIAG_NOWHERE,
                       "папка «%s» — это и есть папка PDF (-o %s), а её batch не обходит; "
                       "укажите в -o другую папку (например, -o pdf)",
                       arg, o->out);
            ok = false;
            continue;
        }
        roots[i] = argument_root(b, arg);
        for (size_t j = 0; j < i; j++) {
            if (roots[j] && !strcmp(roots[j], roots[i])) {
                diag_error(b->c->d, DIAG_NOWHERE,
                           "папки «%s» и «%s» попали бы в одну папку PDF «%s» (каждая папка "
                           "получает в -o подпапку со своим именем); переименуйте одну из них "
                           "или обработайте их отдельными запусками",
                           o->files[j], arg, roots[i]);
                ok = false;
            }
        }
        batch_walk(b, arg, roots[i], 0);
    }
    free(roots);
    return ok && batch_unique(b);
}

/* mkdir -p path; false with errno set. A folder that is there already (a
 * batch's every document after the first of its folder) costs one stat. */
static bool make_folders(const char *path)
{
    struct stat there;
    if (stat(path, &there) == 0 && S_ISDIR(there.st_mode))
        return true;
    char *p = xstrdup(path);
    bool ok = true;
    for (char *s = p + 1; ok; s++) {
        if (*s && *s != '/')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            ok = false;
        *s = c;
        if (!c)
            break;
    }
    struct stat st;
    if (ok && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
        if (!errno || S_ISREG(st.st_mode))
            errno = ENOTDIR;
        ok = false;
    }
    free(p);
    return ok;
}

/* The worker's work: load, decide, render. Returns its exit status. */
static int batch_render(const run_ctx *c, const batch_item *it)
{
    yl_doc *doc = load_yaml(it->in, c->d);
    if (!doc)
        return EXIT_INPUT;
    if (!is_document(doc)) {
        yl_doc_free(doc);
        return BATCH_SKIPPED;
    }
    char *dir = xstrdup(it->out);
    bool made = make_folders(dirname(dir));
    free(dir);
    if (!made) {
        diag_error(c->d, DIAG_NOWHERE, "не удалось создать папку для «%s»: %s", it->out,
                   diag_strerror(errno));
        yl_doc_free(doc);
        return EXIT_INTERNAL;
    }
    int rc = render_variants(c, doc, it->out);
    return rc == EXIT_DONE && diag_warnings(c->d) ? BATCH_WARNED : rc;
}

/* The end of a worker that died of sig, in words; NULL for a rare signal. */
static const char *signal_text(int sig)
{
    switch (sig) {
    case SIGKILL:
        return "процесс остановлен сигналом SIGKILL (так система останавливает процесс, "
               "которому не хватило памяти)";
    case SIGSEGV:
        return "процесс упал: обращение к недоступной памяти (SIGSEGV)";
    case SIGABRT:
        return "процесс аварийно остановлен (SIGABRT)";
    case SIGBUS:
        return "процесс упал: ошибка доступа к памяти (SIGBUS)";
    case SIGFPE:
        return "процесс упал: арифметическая ошибка (SIGFPE)";
    case SIGTERM:
    case SIGINT:
    case SIGHUP:
        return "процесс остановлен извне";
    default:
        return NULL;
    }
}

/* Print the messages of the ended items in plan order, as far as all
 * before them have ended: the output does not depend on timing. */
static void batch_print_ready(batch *b)
{
    for (; b->printed < b->n && b->items[b->printed].status != BATCH_RUNNING; b->printed++) {
        batch_item *it = &b->items[b->printed];
        fputs(it->text, stderr);
        free(it->text);
        it->text = NULL;
        const char *how = signal_text(it->signal);
        src_mark at = {diag_file(b->c->d, it->in), 0, 0};
        if (it->status == BATCH_KILLED && how)
            diag_error(b->c->d, at, "PDF не создан: %s; остальные документы обрабатываются дальше",
                       how);
        else if (it->status == BATCH_KILLED)
            diag_error(b->c->d, at,
                       "PDF не создан: процесс остановлен сигналом %d; остальные документы "
                       "обрабатываются дальше",
                       it->signal);
        else if (it->status == EXIT_INTERNAL)
            diag_error(b->c->d, at,
                       "PDF не создан: обработка прервана (не хватило памяти, не удалось "
                       "записать файл или внутренняя ошибка — см. выше); остальные документы "
                       "обрабатываются дальше");
        diag_print(b->c->d, stderr);
    }
}

/* A worker: a process that renders the documents it is sent one after
 * another (so fonts, dictionary pages and the heap it has touched serve the
 * next document). Three pipes: the index of the next item down `cmd`, its
 * standard error up `err`, its status up `res` when it is done. */
typedef struct batch_worker {
    pid_t pid;         /* 0: none (not started, or ended) */
    int cmd, res, err; /* the parent's ends; -1 when closed */
    batch_item *item;  /* the document it renders, NULL when idle */
    buf log;           /* what it wrote for item */
} batch_worker;

/* In the worker process: render the items sent until cmd is closed; never
 * returns. */
static _Noreturn void worker_loop(const batch *b, int cmd, int res)
{
    tpl_cache *tc = tpl_cache_new(); /* the templates, parsed once per worker */
    /* each output folder is synced once, when the work is done */
    outfile_defer_folder_sync();
    for (;;) {
        size_t i;
        if (!util_read_full(cmd, &i, sizeof i) || i >= b->n) {
            tpl_cache_free(tc);
            diag *d = diag_new();
            bool synced = outfile_sync_deferred(d);
            diag_print(d, stderr);
            diag_free(d);
            fflush(stderr);
            _exit(synced ? EXIT_DONE : EXIT_INTERNAL);
        }
        run_ctx c = *b->c;
        c.tc = tc;
        c.d = diag_new();
        diag_set_strict(c.d, c.o->strict);
        int rc = batch_render(&c, &b->items[i]);
        diag_print(c.d, stderr);
        diag_free(c.d);
        fflush(stderr);
        if (!util_write_full(res, &rc, sizeof rc))
            _exit(EXIT_INTERNAL);
    }
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Start worker w; false (errno set) when the system gives no process or
 * pipe now. */
static bool worker_start(batch *b, batch_worker *w)
{
    int cmd[2], res[2], err[2];
    if (pipe(cmd) != 0)
        return false;
    if (pipe(res) != 0) {
        int e = errno;
        close(cmd[0]), close(cmd[1]);
        errno = e;
        return false;
    }
    if (pipe(err) != 0) {
        int e = errno;
        close(cmd[0]), close(cmd[1]), close(res[0]), close(res[1]);
        errno = e;
        return false;
    }
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        /* die with the parent; it may have died before this line */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(EXIT_INTERNAL);
        util_heap_fresh();
        /* the other workers' pipes stay theirs: each sees its end alone */
        for (unsigned k = 0; k < b->jobs; k++) {
            close_fd(&b->workers[k].cmd);
            close_fd(&b->workers[k].res);
            close_fd(&b->workers[k].err);
        }
        close(cmd[1]), close(res[0]), close(err[0]);
        dup2(err[1], STDERR_FILENO);
        close(err[1]);
        worker_loop(b, cmd[0], res[1]);
    }
    int e = errno;
    close(cmd[0]), close(res[1]), close(err[1]);
    if (pid < 0) {
        close(cmd[1]), close(res[0]), close(err[0]);
        errno = e;
        return false;
    }
    *w = (batch_worker){pid, cmd[1], res[0], err[0], NULL, w->log};
    return true;
}

/* Read what worker w wrote to its standard error, keeping at most
 * BATCH_LOG_MAX bytes of it for its item: what is there now, or (to_end,
 * once it has ended) all up to the end of the pipe. A worker flushes its
 * standard error before it writes its status, so after the status what is
 * there now is all. */
static void worker_drain(batch_worker *w, bool to_end)
{
    char chunk[65536];
    while (w->err >= 0) {
        struct pollfd p = {w->err, POLLIN, 0};
        if (!to_end && poll(&p, 1, 0) <= 0)
            return;
        ssize_t n = read(w->err, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close_fd(&w->err);
            return;
        }
        if (w->log.len < BATCH_LOG_MAX)
            buf_putn(&w->log, chunk, (size_t)n);
    }
}

/* Item it ended with status (and signal): keep its messages. */
static void item_end(batch_worker *w, int status, int sig)
{
    batch_item *it = w->item;
    if (w->log.len >= BATCH_LOG_MAX)
        buf_puts(&w->log, "nastavdoc: …сообщения этого документа обрезаны\n");
    it->text = buf_take(&w->log);
    it->status = status;
    it->signal = sig;
    w->item = NULL;
}

/* Worker w closed its pipe: it ended. Reap it and end its item. */
static void worker_ended(batch *b, batch_worker *w)
{
    int status = 0;
    pid_t got;
    while ((got = waitpid(w->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    w->pid = 0;
    close_fd(&w->cmd);
    close_fd(&w->res);
    worker_drain(w, true);
    if (w->item) {
        bool killed = got > 0 && WIFSIGNALED(status);
        int code = got > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_INTERNAL;
        /* a worker that exits between documents ended its item well */
        item_end(w,
                 killed              ? BATCH_KILLED
                 : code == EXIT_DONE ? EXIT_INTERNAL
                                     : code,
                 killed ? WTERMSIG(status) : 0);
        b->running--;
    } else if (got > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_DONE)) {
        /* it ended after its last document: a folder it could not sync,
         * which it said */
        fwrite(w->log.data ? w->log.data : "", 1, w->log.len, stderr);
        b->late_failure = true;
    }
    buf_fini(&w->log);
    buf_init(&w->log);
}

/* Send item it to worker w, starting w when it has no process (or a new
 * one, once, when it died while idle). false when no process can be had now
 * and others run (try again once one is done): no process (EAGAIN), no
 * memory for one, or no descriptors for its pipes (EMFILE under a small
 * `ulimit -n`, ENFILE): fewer workers then do the work. */
static bool worker_send(batch *b, batch_worker *w, batch_item *it)
{
    size_t i = (size_t)(it - b->items);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!w->pid && !worker_start(b, w)) {
            int e = errno;
            if ((e == EAGAIN || e == ENOMEM || e == EMFILE || e == ENFILE) && b->running)
                return false;
            it->text = xstrdup("");
            diag_error(b->c->d, DIAG_NOWHERE, "«%s»: не удалось запустить процесс: %s", it->in,
                       diag_strerror(e));
            it->status = EXIT_INTERNAL;
            return true;
        }
        if (util_write_full(w->cmd, &i, sizeof i)) {
            w->item = it;
            b->running++;
            return true;
        }
        worker_ended(b, w); /* it died while idle: reaped, then a new one */
    }
    it->text = xstrdup("");
    diag_error(b->c->d, DIAG_NOWHERE, "«%s»: процесс обработки завершился, не начав работу",
               it->in);
    it->status = EXIT_INTERNAL;
    return true;
}

/* Wait for the workers' pipes and handle what they say. Only the busy
 * workers' pipes are polled: poll(2) refuses (EINVAL) more entries than
 * RLIMIT_NOFILE allows, even unused ones, so under `ulimit -n 14` the 16
 * entries of -j 8 made every wait fail at once and batch spin for ever. */
static void batch_wait(batch *b)
{
    struct pollfd p[2 * BATCH_MAX_JOBS];
    unsigned of[BATCH_MAX_JOBS]; /* the worker of p[2 * j] and p[2 * j + 1] */
    nfds_t busy = 0;
    for (unsigned k = 0; k < b->jobs; k++) {
        batch_worker *w = &b->workers[k];
        if (!w->item)
            continue;
        of[busy] = k;
        p[2 * busy] = (struct pollfd){w->res, POLLIN, 0};
        p[2 * busy + 1] = (struct pollfd){w->err, POLLIN, 0};
        busy++;
    }
    if (poll(p, 2 * busy, -1) < 0)
        return; /* EINTR: the caller waits again */
    for (nfds_t j = 0; j < busy; j++) {
        batch_worker *w = &b->workers[of[j]];
        if (p[2 * j + 1].revents)
            worker_drain(w, false);
        if (!p[2 * j].revents)
            continue;
        int rc;
        if (util_read_full(w->res, &rc, sizeof rc)) {
            worker_drain(w, false);
            item_end(w, rc, 0);
            b->running--;
        } else {
            worker_ended(b, w);
        }
    }
}

/* Every item through the workers, at most jobs at once, in plan order. */
static void batch_run(batch *b)
{
    /* a worker that died makes writes to its pipe fail, not end us */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    b->workers = xcalloc(b->jobs, sizeof *b->workers);
    for (unsigned k = 0; k < b->jobs; k++) {
        b->workers[k] = (batch_worker){0, -1, -1, -1, NULL, {0}};
        buf_init(&b->workers[k].log);
    }
    size_t next = 0;
    while (next < b->n || b->running) {
        bool sent = false;
        for (unsigned k = 0; k < b->jobs && next < b->n; k++) {
            if (b->workers[k].item)
                continue;
            if (!worker_send(b, &b->workers[k], &b->items[next]))
                break;
            next++;
            sent = true;
        }
        if (b->running && (!sent || b->running == b->jobs || next == b->n))
            batch_wait(b);
        batch_print_ready(b);
    }
    for (unsigned k = 0; k < b->jobs; k++) {
        batch_worker *w = &b->workers[k];
        close_fd(&w->cmd); /* it reads the end of its work and exits */
        if (w->pid)
            worker_ended(b, w); /* also closes its other pipes */
        buf_fini(&w->log);
    }
    free(b->workers);
    sigaction(SIGPIPE, &old, NULL);
}

typedef struct batch_count {
    size_t done, warned, failed, skipped;
} batch_count;

static void count_item(batch_count *k, int status)
{
    if (status == EXIT_DONE || status == BATCH_WARNED)
        k->done++;
    if (status == BATCH_WARNED)
        k->warned++;
    else if (status == BATCH_SKIPPED)
        k->skipped++;
    else if (status != EXIT_DONE)
        k->failed++;
}

static void print_count(const char *what, const batch_count *k)
{
    say("  %s: создано %zu (из них с предупреждениями %zu), с ошибками %zu\n", what, k->done,
        k->warned, k->failed);
}

typedef struct batch_group {
    const batch_item *first; /* its first item in plan order */
    batch_count k;
} batch_group;

/* Items of one folder together, in plan order within it. */
static int by_group(const void *a, const void *b)
{
    const batch_item *x = *(batch_item *const *)a, *y = *(batch_item *const *)b;
    int c = strcmp(x->group, y->group);
    return c ? c : (x > y) - (x < y);
}

static int by_first(const void *a, const void *b)
{
    const batch_item *x = ((const batch_group *)a)->first, *y = ((const batch_group *)b)->first;
    return (x > y) - (x < y);
}

/* The summary per folder (input → output), in plan order, then the total. */
static void batch_summary(const batch *b, batch_count *total)
{
    size_t cap = b->n ? b->n : 1, ngroups = 0;
    batch_item **v = xmalloc(cap * sizeof *v);
    batch_group *groups = xcalloc(cap, sizeof *groups);
    for (size_t i = 0; i < b->n; i++)
        v[i] = &b->items[i];
    qsort(v, b->n, sizeof *v, by_group);
    for (size_t i = 0; i < b->n; i++) {
        if (i == 0 || strcmp(v[i]->group, v[i - 1]->group))
            groups[ngroups++].first = v[i];
        count_item(&groups[ngroups - 1].k, v[i]->status);
        count_item(total, v[i]->status);
    }
    qsort(groups, ngroups, sizeof *groups, by_first);
    fputs("nastavdoc batch: итог по папкам\n", stderr);
    for (size_t g = 0; g < ngroups; g++)
        if (groups[g].k.done + groups[g].k.failed)
            print_count(groups[g].first->group, &groups[g].k);
    print_count("всего", total);
    say("  пропущено файлов YAML без ключа document: %zu\n", total->skipped);
    free(groups);
    free(v);
}

/* The output folder must be a folder if it exists; note what it is, so
 * that the walk leaves it out. */
static int batch_outdir(batch *b)
{
    const char *out = b->c->o->out;
    if (stat(out, &b->outdir) != 0)
        b->outdir = (struct stat){0}; /* made later; nothing to leave out */
    else if (!S_ISDIR(b->outdir.st_mode)) {
        say("nastavdoc: batch: «%s» — не папка; укажите в -o папку для PDF\n", out);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

/* Create the output folder when it is missing. */
static int batch_mkdir(const char *out)
{
    if (make_folders(out))
        return EXIT_DONE;
    say("nastavdoc: batch: не удалось создать папку для PDF «%s»: %s\n", out, diag_strerror(errno));
    return EXIT_INTERNAL;
}

/* nastavdoc batch DIR|FILE… -o OUTDIR [-j N]: see the comment above
 * BATCH_MAX_DEPTH. Exit 1 when any document failed, 2 when two inputs
 * would share an output. */
static int cmd_batch(const options *o, const char *data, diag *d)
{
    if (o->nfiles == 0 || !o->out) {
        fputs("nastavdoc: batch: укажите файлы или папки и -o ПАПКА; см. nastavdoc --help\n",
              stderr);
        return EXIT_USAGE;
    }
    run_ctx c = {.o = o, .data = data, .d = d};
    batch b = {.c = &c, .mem = arena_new(), .jobs = o->jobs ? o->jobs : 1};
    int rc = batch_outdir(&b);
    if (rc != EXIT_DONE)
        goto out;
    rc = EXIT_USAGE;
    if (!batch_plan(&b) || (rc = batch_mkdir(o->out)) != EXIT_DONE)
        goto out;
    diag_print(d, stderr); /* the walk's warnings come first */
    c.h = load_hyphenation(data, d);
    batch_run(&b);
    batch_count total = {0};
    batch_summary(&b, &total);
    rc = b.late_failure ? EXIT_INTERNAL : total.failed ? EXIT_INPUT : EXIT_DONE;
    if (!total.done && !total.failed) {
        diag_error(d, DIAG_NOWHERE, "в указанных папках нет документов (файлов с ключом document)");
        rc = EXIT_INPUT;
    }
out:
    text_hyph_free((text_hyph *)c.h);
    free(b.items);
    arena_free(b.mem);
    return rc;
}

/* Print every text the document will show, one per line (tests compare it
 * with pdftotext). */
static int cmd_dump(const options *o, const char *data, diag *d)
{
    if (o->nfiles != 1) {
        fputs("nastavdoc: dump принимает один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    yl_doc *doc = load_yaml(o->files[0], d);
    if (!doc)
        return EXIT_INPUT;
    run_ctx c = {.o = o, .data = data, .d = d};
    built res = {0};
    build(&c, doc, NULL, NULL, &res);
    if (!res.t)
        return EXIT_INPUT;
    buf b;
    buf_init(&b);
    dump_texts(&res.t->doc, &b);
    for (size_t i = 0; i < res.nparts; i++)
        dump_texts(&res.parts[i]->doc, &b);
    bool written = put_stdout(b.data, b.len);
    buf_fini(&b);
    built_free(&res);
    return written ? EXIT_DONE : EXIT_INTERNAL;
}

/* `schema --all DIR`: every schema into DIR/NAME.schema.json (each
 * replaced whole, through outfile), for the `# yaml-language-server:
 * $schema=` header of the dossier's files. */
static int schema_all(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        say("nastavdoc: schema --all: «%s» — не папка; создайте её или укажите другую\n", dir);
        return EXIT_USAGE;
    }
    diag *d = diag_new();
    int rc = EXIT_DONE;
    size_t written = 0;
    for (size_t i = 0; i < schema_count() && rc == EXIT_DONE; i++) {
        buf b, path;
        buf_init(&b);
        buf_init(&path);
        schema_of(schema_name(i), &b);
        buf_printf(&path, "%s/%s.schema.json", dir, schema_name(i));
        outfile *f = outfile_open(path.data, OUTFILE_DERIVED, d);
        if (!f)
            rc = EXIT_USAGE;
        else if (!outfile_write(f, b.data, b.len, d)) {
            outfile_abort(f);
            rc = EXIT_INTERNAL;
        } else if (!outfile_commit(f, d))
            rc = EXIT_INTERNAL;
        else
            written++;
        buf_fini(&b);
        buf_fini(&path);
    }
    diag_print(d, stderr);
    diag_free(d);
    if (rc == EXIT_DONE)
        say("nastavdoc: записано схем: %zu в папку %s (файлы ИМЯ.schema.json)\n", written, dir);
    return rc;
}

/* `schema [NAME]`: the JSON Schema of a kind's documents, of school.yaml or
 * of a shared data file; without a name, the names it knows; `--all DIR`:
 * all of them as files. Needs no data folder. */
static int cmd_schema(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[2], "--all"))
        return schema_all(argv[3]);
    buf b;
    buf_init(&b);
    int rc = EXIT_DONE;
    if (argc == 2) {
        for (size_t i = 0; i < schema_count(); i++)
            buf_printf(&b, "%s\n", schema_name(i));
    } else if (argc > 3) {
        say("nastavdoc: schema: лишний параметр «%s»: схема печатается одна (nastavdoc schema "
            "ИМЯ) или все файлами (nastavdoc schema --all ПАПКА)\n",
            argv[strcmp(argv[2], "--all") ? 3 : 4]);
        rc = EXIT_USAGE;
    } else if (!schema_of(argv[2], &b)) {
        say("nastavdoc: schema: ожидалось имя вида документа, school, people, pairs, partners или "
            "survey (список — nastavdoc schema) либо --all ПАПКА, а здесь «%s»\n",
            argv[2]);
        rc = EXIT_USAGE;
    }
    if (!put_stdout(b.data, b.len))
        rc = EXIT_INTERNAL;
    buf_fini(&b);
    return rc;
}

int main(int argc, char **argv)
{
    /* The locale is not read here: only system error texts depend on it, and
     * diag_strerror reads it when it needs it. The answers that need no
     * work come before the heap's set-up, which they would not use. */
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        return put_stdout(usage_text, strlen(usage_text)) ? EXIT_DONE : EXIT_INTERNAL;
    }
    if (!strcmp(cmd, "--version")) {
        static const char version[] = "nastavdoc " NASTAVDOC_VERSION "\n";
        return put_stdout(version, sizeof version - 1) ? EXIT_DONE : EXIT_INTERNAL;
    }
    /* before anything allocates: where the heap starts is decided here */
    util_heap_init();
    if (!strcmp(cmd, "schema"))
        return cmd_schema(argc, argv);
    if (strcmp(cmd, "render") && strcmp(cmd, "check") && strcmp(cmd, "dump") &&
        strcmp(cmd, "batch") && strcmp(cmd, "watch")) {
        say("nastavdoc: неизвестная команда «%s»; см. nastavdoc --help\n", cmd);
        return EXIT_USAGE;
    }
    options o = {0};
    o.files = xcalloc((size_t)argc, sizeof *o.files);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--template") || !strcmp(a, "--data-dir")) &&
            i + 1 < argc) {
            if (a[1] == 'o')
                o.out = argv[++i];
            else if (a[2] == 't')
                o.template = argv[++i];
            else
                o.data_dir = argv[++i];
        } else if (!strcmp(a, "-j") && i + 1 < argc) {
            char *end;
            long j = strtol(argv[++i], &end, 10);
            if (*end || j < 1 || j > BATCH_MAX_JOBS) {
                say("nastavdoc: -j: ожидалось число процессов от 1 до %d\n", BATCH_MAX_JOBS);
                free(o.files);
                return EXIT_USAGE;
            }
            o.jobs = (unsigned)j;
        } else if (!strcmp(a, "--partner") && i + 1 < argc) {
            o.partner = argv[++i];
        } else if (!strcmp(a, "--names") && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "latin") && strcmp(v, "cyrillic")) {
                fputs("nastavdoc: --names: ожидалось latin или cyrillic\n", stderr);
                free(o.files);
                return EXIT_USAGE;
            }
            o.cyrillic = v[0] == 'c';
        } else if (!strcmp(a, "--strict")) {
            o.strict = true;
        } else if (!strcmp(a, "--pdfa")) {
            o.pdfa = true;
        } else if (a[0] == '-' && a[1]) {
            say("nastavdoc: неизвестный или неполный параметр «%s»; см. nastavdoc --help\n", a);
            free(o.files);
            return EXIT_USAGE;
        } else {
            o.files[o.nfiles++] = a;
        }
    }
    /* --data-dir is NASTAVDOC_DATA for every part that looks for shipped
     * data (templates, fonts, the dictionary, petrovich's rules) and for the
     * batch workers: one place decides, util_data_dir */
    if (o.data_dir && setenv("NASTAVDOC_DATA", o.data_dir, 1) != 0) {
        say("nastavdoc: --data-dir: %s\n", diag_strerror(errno));
        free(o.files);
        return EXIT_INTERNAL;
    }
    buf tried;
    buf_init(&tried);
    char *data = util_data_dir(&tried);
    if (!data) {
        say("nastavdoc: не найдены данные программы (папки fonts и templates); искал в: %s. "
            "Укажите папку параметром --data-dir или переменной NASTAVDOC_DATA, либо "
            "установите программу заново (make install)\n",
            tried.data);
        buf_fini(&tried);
        free(o.files);
        return EXIT_INTERNAL;
    }
    buf_fini(&tried);
    diag *d = diag_new();
    diag_set_strict(d, o.strict);
    int rc = !strcmp(cmd, "render")  ? cmd_render(&o, data, d)
             : !strcmp(cmd, "check") ? cmd_check(&o, data, d)
             : !strcmp(cmd, "batch") ? cmd_batch(&o, data, d)
             : !strcmp(cmd, "watch") ? cmd_watch(&o, data, d)
                                     : cmd_dump(&o, data, d);
    if (rc == EXIT_DONE && diag_errors(d))
        rc = EXIT_INPUT;
    diag_print(d, stderr);
    diag_free(d);
    free(data);
    free(o.files);
    return rc;
}
