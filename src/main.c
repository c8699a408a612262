/* main: the command line. The only code that prints to the user and picks
 * exit codes (DESIGN.md §6). */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "dump.h"
#include "kinds.h"
#include "layout.h"
#include "outfile.h"
#include "pdf.h"
#include "template.h"
#include "text.h"
#include "util.h"
#include "yaml_load.h"

#ifndef NASTAVDOC_VERSION
#define NASTAVDOC_VERSION "0.0.0"
#endif

enum exit_code { EXIT_DONE = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "nastavdoc " NASTAVDOC_VERSION " — документы программы наставничества из YAML в PDF\n"
    "\n"
    "Использование:\n"
    "  nastavdoc render ФАЙЛ.yaml [-o ВЫХОД.pdf] [--template ШАБЛОН.yaml] [--strict]\n"
    "  nastavdoc check ФАЙЛ.yaml…      проверить, не создавая PDF\n"
    "  nastavdoc batch ПАПКА|ФАЙЛ… -o ПАПКА_PDF [-j N]   все документы папок, N процессов\n"
    "  nastavdoc dump ФАЙЛ.yaml        все тексты документа по строке (для проверок)\n"
    "  nastavdoc --help | --version\n"
    "\n"
    "Пример:\n"
    "  nastavdoc render samples/bratsk/order-669.yaml -o приказ-669.pdf\n"
    "\n"
    "По умолчанию PDF пишется рядом с файлом: order-669.yaml → order-669.pdf.\n"
    "--strict      считать предупреждения ошибками\n"
    "--template    свой шаблон вместо templates/<вид>.yaml\n"
    "Коды выхода: 0 готово, 1 ошибки во входных файлах, 2 ошибка в командной строке,\n"
    "3 внутренняя ошибка или ошибка записи.\n";

typedef struct options {
    const char *out;
    const char *template;
    bool strict;
    unsigned jobs;
    const char **files;
    size_t nfiles;
} options;

/* The folder holding fonts/, templates/ and build/hyph_ru_RU.dic: next to
 * the executable (the repository), or $NASTAVDOC_DATA. Caller frees. */
static char *data_dir(void)
{
    const char *env = getenv("NASTAVDOC_DATA");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return xstrdup(".");
    exe[n] = '\0';
    char *dir = xstrdup(dirname(exe));
    /* build/nastavdoc and build/san/nastavdoc live below the repository */
    for (int up = 0; up < 3; up++) {
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof probe, "%s/fonts", dir);
        struct stat st;
        if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
            return dir;
        char *parent = xstrdup(dirname(dir));
        free(dir);
        dir = parent;
    }
    free(dir);
    return xstrdup(".");
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

/* Load, check, expand and lay out one file; NULL after errors. */
static layout_doc *build(const char *path, const options *o, const char *data, pdf_doc *pdf,
                         const text_hyph *h, diag *d, tpl_doc **tpl_out)
{
    layout_doc *lay = NULL;
    tpl_doc *t = NULL;
    char *tpath = NULL;
    arena *mem = arena_new();
    size_t before = diag_errors(d);
    yl_doc *doc = yl_load_file(path, d);
    if (!doc || diag_errors(d) > before)
        goto out;
    kind_result kr = {0};
    if (!kinds_check(yl_doc_root(doc), mem, d, &kr))
        goto out;
    /* --template may name any file; a document's own template and the kind's
     * default come from the dossier folder or the shipped templates */
    const yl_node *own = yl_map_get(yl_doc_root(doc), "template");
    if (o->template)
        tpath = xstrdup(o->template);
    else if (!(tpath = tpl_locate(own && yl_str(own) ? yl_str(own) : kr.template,
                                  own ? own->mark : yl_doc_root(doc)->mark, yl_doc_dossier(doc),
                                  data, d)))
        goto out;
    t = tpl_expand_file(tpath, kr.data, d);
    if (!t)
        goto out;
    tpl_doc_take_data(t, doc, mem);
    doc = NULL;
    mem = NULL;
    if (pdf) {
        layout_fonts f = pdf_fonts(pdf);
        lay = layout_run(t, &f, h, d);
    }
out:
    if ((lay || !pdf) && t && tpl_out) {
        *tpl_out = t;
        t = NULL;
    }
    tpl_doc_free(t);
    free(tpath);
    yl_doc_free(doc);
    arena_free(mem);
    return lay;
}

/* Render one document to out; h is shared between documents of a batch. */
static int render_one(const char *in, const char *out, const options *o, const char *data,
                      const text_hyph *h, diag *d)
{
    int rc = EXIT_INPUT;
    layout_doc *lay = NULL;
    tpl_doc *t = NULL;
    size_t before = diag_errors(d);
    char fonts[PATH_MAX];
    snprintf(fonts, sizeof fonts, "%s/fonts", data);
    pdf_doc *pdf = pdf_new(fonts, d);
    if (!pdf) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    lay = build(in, o, data, pdf, h, d, &t);
    if (pdf_fonts_failed(pdf)) { /* a font file that does not load: installation */
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (!lay || diag_errors(d) > before)
        goto out;
    /* the self-check: no glyph outside the margins or its table cell */
    if (layout_check(lay, t, d)) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    pdf_options popt = {"nastavdoc " NASTAVDOC_VERSION};
    if (!pdf_write(pdf, lay, &popt, out, d)) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    rc = EXIT_DONE;
out:
    layout_doc_free(lay);
    tpl_doc_free(t);
    pdf_free(pdf);
    return rc;
}

static text_hyph *load_hyphenation(const char *data, diag *d)
{
    char dic[PATH_MAX];
    snprintf(dic, sizeof dic, "%s/build/hyph_ru_RU.dic", data);
    text_hyph *h = text_hyph_load(dic);
    if (!h)
        diag_warning(d, DIAG_NOWHERE, "словарь переносов %s не загружен: текст без переносов", dic);
    return h;
}

static int cmd_render(const options *o, const char *data, diag *d)
{
    if (o->nfiles != 1) {
        fputs("nastavdoc: render принимает один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    char *out = o->out ? xstrdup(o->out) : default_output(o->files[0]);
    /* a device, FIFO or folder is refused before any work (docs/output.md) */
    if (!outfile_check(out, d)) {
        free(out);
        return EXIT_USAGE;
    }
    text_hyph *h = load_hyphenation(data, d);
    int rc = render_one(o->files[0], out, o, data, h, d);
    text_hyph_free(h);
    free(out);
    return rc;
}

/* Does this YAML file name a document kind (and is not school.yaml)? A
 * cheap look at the text: the loader reports the errors later. */
static bool is_document(const char *path)
{
    size_t len = 0;
    char *text = util_read_file(path, YL_MAX_FILE_SIZE, &len);
    if (!text)
        return false;
    bool yes = !strncmp(text, "document:", 9) || strstr(text, "\ndocument:") != NULL;
    free(text);
    return yes;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* nastavdoc batch DIR|FILE… -o OUTDIR [-j N]: every document of the
 * folders (files whose top level names `document:`) and every file given,
 * to OUTDIR/<folder>-<name>.pdf; one dictionary for all; N worker
 * processes. Messages of all files are reported; the exit code is the
 * worst one. */
static int cmd_batch(const options *o, const char *data, diag *d)
{
    if (o->nfiles == 0 || !o->out) {
        fputs("nastavdoc: batch: укажите файлы или папки и -o ПАПКА; см. nastavdoc --help\n",
              stderr);
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(o->out, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "nastavdoc: batch: папка для PDF «%s» не существует\n", o->out);
        return EXIT_USAGE;
    }
    char **docs = NULL;
    size_t ndocs = 0;
    for (size_t i = 0; i < o->nfiles; i++) {
        DIR *dir = opendir(o->files[i]);
        if (!dir) {
            docs = xrealloc(docs, (ndocs + 1) * sizeof *docs);
            docs[ndocs++] = xstrdup(o->files[i]);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(dir))) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
                continue;
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", o->files[i], e->d_name);
            if (!is_document(path))
                continue;
            docs = xrealloc(docs, (ndocs + 1) * sizeof *docs);
            docs[ndocs++] = xstrdup(path);
        }
        closedir(dir);
    }
    if (ndocs == 0) {
        diag_error(d, DIAG_NOWHERE, "в указанных папках нет документов (файлов с ключом document)");
        return EXIT_INPUT;
    }
    qsort(docs, ndocs, sizeof *docs, by_name);
    unsigned jobs = o->jobs ? o->jobs : 1;
    text_hyph *h = load_hyphenation(data, d);
    int rc = EXIT_DONE;
    pid_t *kids = xcalloc(jobs, sizeof *kids);
    for (unsigned w = 0; w < jobs; w++) {
        pid_t pid = jobs > 1 ? fork() : 0;
        if (pid < 0) {
            diag_error(d, DIAG_NOWHERE, "не удалось запустить процесс: %s", diag_strerror(errno));
            rc = EXIT_INTERNAL;
            break;
        }
        if (pid > 0) {
            kids[w] = pid;
            continue;
        }
        /* worker w takes every jobs-th document */
        int wrc = EXIT_DONE;
        for (size_t i = w; i < ndocs; i += jobs) {
            char *copy = xstrdup(docs[i]);
            char *dir = xstrdup(docs[i]);
            const char *base = basename(copy), *parent = basename(dirname(dir));
            char out[PATH_MAX];
            size_t blen = strlen(base) - 5;
            snprintf(out, sizeof out, "%s/%s-%.*s.pdf", o->out, parent, (int)blen, base);
            int one = render_one(docs[i], out, o, data, h, d);
            if (one > wrc)
                wrc = one;
            free(copy);
            free(dir);
            diag_print(d, stderr);
        }
        if (jobs == 1) {
            rc = wrc;
            break;
        }
        text_hyph_free(h);
        diag_free(d);
        _exit(wrc);
    }
    for (unsigned w = 0; w < jobs && jobs > 1; w++) {
        int status;
        if (kids[w] > 0 && waitpid(kids[w], &status, 0) == kids[w]) {
            int wrc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_INTERNAL;
            if (wrc > rc)
                rc = wrc;
        }
    }
    free(kids);
    text_hyph_free(h);
    for (size_t i = 0; i < ndocs; i++)
        free(docs[i]);
    free(docs);
    return rc;
}

static int cmd_check(const options *o, const char *data, diag *d)
{
    if (o->nfiles == 0) {
        fputs("nastavdoc: check: укажите хотя бы один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    int rc = EXIT_DONE;
    char fonts[PATH_MAX];
    snprintf(fonts, sizeof fonts, "%s/fonts", data);
    pdf_doc *pdf = pdf_new(fonts, d);
    if (!pdf)
        return EXIT_INTERNAL;
    for (size_t i = 0; i < o->nfiles; i++) {
        size_t before = diag_errors(d);
        tpl_doc *t = NULL;
        struct stat st;
        if (stat(o->files[i], &st) == 0 && S_ISREG(st.st_mode) && !is_document(o->files[i])) {
            /* shared data such as school.yaml: its YAML is checked here, its
             * fields with every document that includes it */
            yl_doc_free(yl_load_file(o->files[i], d));
            if (diag_errors(d) > before)
                rc = EXIT_INPUT;
            continue;
        }
        /* layout too: a character missing from the font is found there */
        layout_doc *lay = build(o->files[i], o, data, pdf, NULL, d, &t);
        if (pdf_fonts_failed(pdf))
            rc = EXIT_INTERNAL;
        else if (!lay || diag_errors(d) > before)
            rc = rc > EXIT_INPUT ? rc : EXIT_INPUT;
        layout_doc_free(lay);
        tpl_doc_free(t);
    }
    pdf_free(pdf);
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
    tpl_doc *t = NULL;
    layout_doc *lay = build(o->files[0], o, data, NULL, NULL, d, &t);
    layout_doc_free(lay);
    if (!t)
        return EXIT_INPUT;
    buf b;
    buf_init(&b);
    dump_texts(t, &b);
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    buf_fini(&b);
    tpl_doc_free(t);
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    /* System error texts (strerror) in the user's language and charset.
     * Only these two categories: PDF numbers never depend on LC_NUMERIC, and
     * the program calls no <ctype.h> function that LC_CTYPE would change. */
    setlocale(LC_MESSAGES, "");
    setlocale(LC_CTYPE, "");
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return EXIT_DONE;
    }
    if (!strcmp(cmd, "--version")) {
        puts("nastavdoc " NASTAVDOC_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "render") && strcmp(cmd, "check") && strcmp(cmd, "dump") &&
        strcmp(cmd, "batch")) {
        fprintf(stderr, "nastavdoc: неизвестная команда «%s»; см. nastavdoc --help\n", cmd);
        return EXIT_USAGE;
    }
    options o = {0};
    o.files = xcalloc((size_t)argc, sizeof *o.files);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--template")) && i + 1 < argc) {
            if (a[1] == 'o')
                o.out = argv[++i];
            else
                o.template = argv[++i];
        } else if (!strcmp(a, "-j") && i + 1 < argc) {
            char *end;
            long j = strtol(argv[++i], &end, 10);
            if (*end || j < 1 || j > 64) {
                fputs("nastavdoc: -j: ожидалось число процессов от 1 до 64\n", stderr);
                free(o.files);
                return EXIT_USAGE;
            }
            o.jobs = (unsigned)j;
        } else if (!strcmp(a, "--strict")) {
            o.strict = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr,
                    "nastavdoc: неизвестный или неполный параметр «%s»; см. nastavdoc --help\n", a);
            free(o.files);
            return EXIT_USAGE;
        } else {
            o.files[o.nfiles++] = a;
        }
    }
    char *data = data_dir();
    diag *d = diag_new();
    diag_set_strict(d, o.strict);
    int rc = !strcmp(cmd, "render")  ? cmd_render(&o, data, d)
             : !strcmp(cmd, "check") ? cmd_check(&o, data, d)
             : !strcmp(cmd, "batch") ? cmd_batch(&o, data, d)
                                     : cmd_dump(&o, data, d);
    if (rc == EXIT_DONE && diag_errors(d))
        rc = EXIT_INPUT;
    diag_print(d, stderr);
    diag_free(d);
    free(data);
    free(o.files);
    return rc;
}
