/* main: the command line. The only code that prints to the user and picks
 * exit codes (DESIGN.md §6). */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dump.h"
#include "kinds.h"
#include "layout.h"
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
    arena *mem = arena_new();
    yl_doc *doc = yl_load_file(path, d);
    if (!doc || diag_errors(d))
        goto out;
    kind_result kr = {0};
    if (!kinds_check(yl_doc_root(doc), mem, d, &kr))
        goto out;
    char tpath[PATH_MAX];
    const yl_node *own = yl_map_get(yl_doc_root(doc), "template");
    if (o->template) {
        snprintf(tpath, sizeof tpath, "%s", o->template);
    } else if (own && yl_str(own)) {
        /* a template named by the document is relative to the document */
        char *copy = xstrdup(path);
        const char *dir = dirname(copy);
        if (!strcmp(dir, ".") || yl_str(own)[0] == '/')
            snprintf(tpath, sizeof tpath, "%s", yl_str(own));
        else
            snprintf(tpath, sizeof tpath, "%s/%s", dir, yl_str(own));
        free(copy);
    } else {
        snprintf(tpath, sizeof tpath, "%s/templates/%s.yaml", data, kr.template);
    }
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
    yl_doc_free(doc);
    arena_free(mem);
    return lay;
}

static int cmd_render(const options *o, const char *data, diag *d)
{
    int rc = EXIT_INPUT;
    char *out = NULL, *fonts = NULL, *dic = NULL;
    pdf_doc *pdf = NULL;
    text_hyph *h = NULL;
    layout_doc *lay = NULL;
    tpl_doc *t = NULL;
    if (o->nfiles != 1) {
        fputs("nastavdoc: render принимает один файл; см. nastavdoc --help\n", stderr);
        return EXIT_USAGE;
    }
    const char *in = o->files[0];
    out = o->out ? xstrdup(o->out) : default_output(in);
    fonts = xmalloc(strlen(data) + 8);
    sprintf(fonts, "%s/fonts", data);
    dic = xmalloc(strlen(data) + 32);
    sprintf(dic, "%s/build/hyph_ru_RU.dic", data);
    h = text_hyph_load(dic);
    if (!h)
        diag_warning(d, DIAG_NOWHERE, "словарь переносов %s не загружен: текст без переносов",
                     dic);
    pdf = pdf_new(fonts, d);
    if (!pdf) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    lay = build(in, o, data, pdf, h, d, &t);
    if (!lay || diag_errors(d))
        goto out;
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
    text_hyph_free(h);
    free(out);
    free(fonts);
    free(dic);
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
        /* layout too: a character missing from the font is found there */
        layout_doc *lay = build(o->files[i], o, data, pdf, NULL, d, &t);
        if (!lay || diag_errors(d) > before)
            rc = EXIT_INPUT;
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
    if (strcmp(cmd, "render") && strcmp(cmd, "check") && strcmp(cmd, "dump")) {
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
        } else if (!strcmp(a, "--strict")) {
            o.strict = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "nastavdoc: неизвестный или неполный параметр «%s»; см. nastavdoc --help\n",
                    a);
            free(o.files);
            return EXIT_USAGE;
        } else {
            o.files[o.nfiles++] = a;
        }
    }
    char *data = data_dir();
    diag *d = diag_new();
    diag_set_strict(d, o.strict);
    int rc = !strcmp(cmd, "render") ? cmd_render(&o, data, d)
             : !strcmp(cmd, "check") ? cmd_check(&o, data, d)
                                     : cmd_dump(&o, data, d);
    if (rc == EXIT_DONE && diag_errors(d))
        rc = EXIT_INPUT;
    diag_print(d, stderr);
    diag_free(d);
    free(data);
    free(o.files);
    return rc;
}
