/* Unit tests for pdf: font metrics, and files checked with poppler and qpdf.
 * Run from the project root (fonts in "fonts"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pdf.h"
#include "pdf_shared.h"
#include "scratch.h"

#define FONTS_DIR "fonts"

/* ---- helpers ---------------------------------------------------------------- */

/* stdout and stderr of a shell command; *status gets its exit status. */
static char *run(const char *cmd, int *status)
{
    buf out;
    buf_init(&out);
    buf full;
    buf_init(&full);
    buf_printf(&full, "%s 2>&1", cmd);
    FILE *fp = popen(full.data, "r");
    assert_non_null(fp);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_putn(&out, chunk, n);
    int rc = pclose(fp);
    if (status)
        *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    buf_fini(&full);
    return out.data ? buf_take(&out) : xstrdup("");
}

static char *run_on(const char *tool, const char *path, int *status)
{
    buf cmd;
    buf_init(&cmd);
    buf_printf(&cmd, "%s '%s'", tool, path);
    char *out = run(cmd.data, status);
    buf_fini(&cmd);
    return out;
}

static char *messages(diag *d)
{
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    return b.data ? buf_take(&b) : xstrdup("");
}

/* Poppler prints U+00A0 as a plain space; compare text without the difference. */
static void squash_nbsp(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if ((unsigned char)r[0] == 0xC2 && (unsigned char)r[1] == 0xA0) {
            *w++ = ' ';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static size_t count_entries(const char *dir)
{
    size_t n = 0;
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    for (struct dirent *e; (e = readdir(dp));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

/* ---- a hand-made layout ------------------------------------------------------ */

static void add_box(arena *a, layout_page *pg, layout_box b)
{
    if (pg->n == pg->cap) {
        size_t cap = pg->cap ? pg->cap * 2 : 8;
        layout_box *boxes = arena_alloc(a, cap * sizeof *boxes);
        if (pg->n)
            memcpy(boxes, pg->boxes, pg->n * sizeof *boxes);
        pg->boxes = boxes;
        pg->cap = cap;
    }
    pg->boxes[pg->n++] = b;
}

static void add_text(arena *a, layout_page *pg, int font, double size, double x, double y,
                     const char *text, double char_space)
{
    const char *s = arena_strdup(a, text);
    add_box(a, pg,
            (layout_box){.kind = LAYOUT_TEXT,
                         .font = font,
                         .size = size,
                         .x = x,
                         .y = y,
                         .char_space = char_space,
                         .text = s,
                         .len = strlen(s)});
}

#define CYRILLIC "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
#define LATIN "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

typedef struct sample_fonts {
    int serif, serif_bold, pt_serif;
} sample_fonts;

static sample_fonts find_sample_fonts(const layout_fonts *lf)
{
    sample_fonts f = {
        lf->find(lf->ctx, "Liberation Serif", 0),
        lf->find(lf->ctx, "Liberation Serif", BLK_BOLD),
        lf->find(lf->ctx, "PT Serif", 0),
    };
    assert_true(f.serif >= 0 && f.serif_bold >= 0 && f.pt_serif >= 0);
    return f;
}

/* Two A4 pages: Cyrillic in three fonts, letter-spaced text, a line and two
 * rectangles. with_date adds a document date to the metadata. */
static layout_doc *make_doc(arena *a, const layout_fonts *lf, bool with_date)
{
    sample_fonts f = find_sample_fonts(lf);
    layout_doc *doc = arena_alloc(a, sizeof *doc);
    doc->mem = a;
    doc->npages = 2;
    doc->pages = arena_alloc(a, 2 * sizeof *doc->pages);
    doc->info = (blk_info){
        .title = arena_strdup(a, "План работы наставника"),
        .author = arena_strdup(a, "Петрова Анна Сергеевна"),
        .subject = arena_strdup(a, "Наставничество «учитель — учитель»"),
        /* above the BMP: a UTF-16 surrogate pair in the Info dictionary */
        .keywords = arena_strdup(a, "наставничество, план \U0001F331"),
    };
    if (with_date)
        doc->info.year = 2024, doc->info.month = 9, doc->info.day = 2;

    layout_page *p1 = &doc->pages[0];
    p1->width = 595.276, p1->height = 841.89;
    add_text(a, p1, f.serif_bold, 14, 200, 780, "ПЛАН РАБОТЫ", 0);
    add_text(a, p1, f.serif, 12, 85.04, 750, "Наставник:", 0);
    add_text(a, p1, f.serif, 12, 150.5, 750, "Петрова\u00a0А.\u00a0С.", 0);
    add_text(a, p1, f.serif, 12, 85.04, 735, "Приказ №\u00a017 — «О наставничестве»", 0);
    add_text(a, p1, f.serif_bold, 12, 85.04, 700, "УТВЕРЖДАЮ", 2.5);
    add_text(a, p1, f.serif, 12, 85.04, 680, "Директор школы", 0);
    /* A justified line the way layout sets it: a box per word, no spaces. */
    add_text(a, p1, f.serif, 12, 85.04, 620, "Утвердить", 0);
    add_text(a, p1, f.serif, 12, 150.3, 620, "план", 0);
    add_text(a, p1, f.serif, 12, 181.7, 620, "работы", 0);
    add_text(a, p1, f.serif_bold, 12, 230.2, 620, "наставника", 0);
    add_box(a, p1,
            (layout_box){
                .kind = LAYOUT_LINE, .x = 85.04, .y = 670, .x2 = 300, .y2 = 670, .stroke = 0.5});
    add_box(a, p1,
            (layout_box){
                .kind = LAYOUT_RECT, .x = 85.04, .y = 600, .x2 = 300, .y2 = 650, .stroke = 0.75});
    add_box(a, p1, (layout_box){.kind = LAYOUT_RECT, .x = 85.04, .y = 590, .x2 = 300, .y2 = 591});

    layout_page *p2 = &doc->pages[1];
    p2->width = 595.276, p2->height = 841.89;
    add_text(a, p2, f.pt_serif, 12, 85.04, 780, "Вторая страница: ёлка, щука, ЭЮЯ.", 0);
    add_text(a, p2, f.serif, 12, 85.04, 760, "Итого — 3 мероприятия.", 0);
    /* More distinct characters than one ToUnicode block holds (100). */
    add_text(a, p2, f.serif, 8, 85.04, 740, CYRILLIC, 0);
    add_text(a, p2, f.serif, 8, 85.04, 730, LATIN, 0);
    return doc;
}

/* Ways to break the layout's promises to pdf_write. */
typedef enum { INTACT, BAD_FONT_ID, MISSING_GLYPH } damage;

/* A whole run of the writer, as main.c does it: new document, fonts, write. */
static bool write_sample(const char *out, bool with_date, damage harm, diag *d)
{
    pdf_doc *p = pdf_new(FONTS_DIR, d);
    assert_non_null(p);
    layout_fonts lf = pdf_fonts(p);
    arena *a = arena_new();
    layout_doc *doc = make_doc(a, &lf, with_date);
    if (harm == BAD_FONT_ID)
        doc->pages[1].boxes[0].font = 7; /* PT Serif bold: never looked up */
    if (harm == MISSING_GLYPH)
        add_text(a, &doc->pages[1], doc->pages[1].boxes[0].font, 12, 85, 700, "Ура \U0001F600", 0);
    /* Looked up but never drawn: must not end up in the file. */
    assert_true(lf.find(lf.ctx, "PT Sans", BLK_BOLD) >= 0);
    pdf_options opt = {.creator = "nastavdoc 0.1.0"};
    bool ok = pdf_write(p, doc, &opt, out, d);
    if (ok) {
        /* One document, one file: a second write is refused. */
        diag *again = diag_new();
        assert_false(pdf_write(p, doc, &opt, out, again));
        char *msg = messages(again);
        assert_non_null(strstr(msg, "внутренняя ошибка: документ PDF уже записан"));
        free(msg);
        diag_free(again);
    }
    arena_free(a);
    pdf_free(p);
    return ok;
}

/* ---- metrics ------------------------------------------------------------------ */

typedef struct metric_row {
    const char *name;
    const char *family;
    int style;
    uint32_t cp;
    bool has;
    double advance; /* < 0: not checked */
} metric_row;

static const metric_row METRICS[] = {
    {"Cyrillic A", "Liberation Serif", 0, 0x0410, true, 722},
    {"space", "Liberation Serif", 0, 0x0020, true, 250},
    {"numero", "Liberation Serif", 0, 0x2116, true, -1},
    {"guillemet", "Liberation Serif", 0, 0x00AB, true, 500},
    {"em dash", "Liberation Serif", 0, 0x2014, true, 1000},
    {"no-break space", "Liberation Serif", 0, 0x00A0, true, 250},
    {"yo", "Liberation Serif", BLK_BOLD, 0x0451, true, -1},
    {"emoji beyond the BMP", "Liberation Serif", 0, 0x1F600, false, -1},
    {"CJK missing from the font", "Liberation Serif", 0, 0x4E00, false, -1},
    {"surrogate", "Liberation Serif", 0, 0xD800, false, -1},
    {"noncharacter FFFF", "Liberation Serif", 0, 0xFFFF, false, -1},
    {"PT Serif A", "PT Serif", 0, 0x0410, true, -1},
    {"PT Serif numero", "PT Serif", 0, 0x2116, true, -1},
    {"PT Serif no-break space", "PT Serif", 0, 0x00A0, true, -1},
    {"PT Sans italic yo", "pt sans", BLK_ITALIC, 0x0451, true, -1},
    {"PT Sans bold italic emoji", "PT Sans", BLK_BOLD | BLK_ITALIC, 0x1F600, false, -1},
};

static void test_metrics(void **state)
{
    (void)state;
    diag *d = diag_new();
    pdf_doc *p = pdf_new(FONTS_DIR, d);
    assert_non_null(p);
    layout_fonts lf = pdf_fonts(p);
    for (size_t i = 0; i < sizeof METRICS / sizeof METRICS[0]; i++) {
        const metric_row *r = &METRICS[i];
        int font = lf.find(lf.ctx, r->family, r->style);
        if (font < 0)
            fail_msg("%s: family %s not found", r->name, r->family);
        bool has = lf.has(lf.ctx, font, r->cp);
        if (has != r->has)
            fail_msg("%s: has(U+%04X) = %d", r->name, (unsigned)r->cp, has);
        double adv = lf.advance(lf.ctx, font, r->cp);
        if (r->advance >= 0 && adv != r->advance)
            fail_msg("%s: advance(U+%04X) = %g, want %g", r->name, (unsigned)r->cp, adv,
                     r->advance);
        if (r->has && !(adv > 0))
            fail_msg("%s: advance(U+%04X) = %g", r->name, (unsigned)r->cp, adv);
        /* Asking twice hits the cache and must agree. */
        assert_true(lf.advance(lf.ctx, font, r->cp) == adv);
        assert_true(lf.has(lf.ctx, font, r->cp) == has);
    }
    int serif = lf.find(lf.ctx, "LIBERATION SERIF", 0);
    assert_int_equal(serif, lf.find(lf.ctx, "Liberation Serif", 0));
    /* Times metrics: ascent 891, descent -216 (hhea of Liberation Serif). */
    assert_true(lf.ascent(lf.ctx, serif) == 891);
    assert_true(lf.descent(lf.ctx, serif) == -216);
    assert_true(lf.ascent(lf.ctx, lf.find(lf.ctx, "PT Serif", 0)) > 0);
    assert_true(lf.descent(lf.ctx, lf.find(lf.ctx, "PT Serif", 0)) < 0);
    assert_int_equal(lf.find(lf.ctx, "Comic Sans", 0), -1);
    assert_int_equal(diag_count(d), 0);
    pdf_free(p);
    diag_free(d);
}

/* Symlinks in fx->dir to every shipped font file but `except` (NULL: all),
 * so that pdf_new finds an installation there. */
static void link_fonts(const fixture *fx, const char *except)
{
    DIR *dir = opendir(FONTS_DIR);
    assert_non_null(dir);
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ttf") ||
            (except && !strcmp(e->d_name, except)))
            continue;
        char real[4096], from[512];
        snprintf(from, sizeof from, "%s/%s", FONTS_DIR, e->d_name);
        assert_non_null(realpath(from, real));
        char *link = path_in(fx, e->d_name);
        unlink(link);
        assert_int_equal(symlink(real, link), 0);
        free(link);
    }
    closedir(dir);
}

/* Remove what link_fonts made. */
static void unlink_fonts(const fixture *fx)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/*.ttf", fx->dir);
    assert_int_equal(system(cmd), 0);
}

static void test_missing_font_file(void **state)
{
    fixture *fx = *state;
    diag *d = diag_new();
    /* Every font but one: an installation problem, found by pdf_new, that
     * names the missing file and no family as present. */
    link_fonts(fx, "PTF75F.ttf");
    assert_null(pdf_new(fx->dir, d));
    assert_int_equal(diag_errors(d), 1);
    char *msg = messages(d);
    assert_non_null(strstr(msg, "шрифт PTF75F.ttf не установлен: не удалось открыть "));
    assert_non_null(strstr(msg, "Нет такого файла или каталога"));
    assert_null(strstr(msg, "есть"));
    free(msg);
    /* An empty folder: one message per file. */
    unlink_fonts(fx);
    assert_null(pdf_new(fx->dir, d));
    assert_int_equal(diag_errors(d), 13);
    diag_free(d);
}

static void test_corrupt_font_file(void **state)
{
    fixture *fx = *state;
    char *path = path_in(fx, "PTS55F.ttf");
    link_fonts(fx, "PTS55F.ttf");
    /* a link left by a failed test before must not lead into fonts/ */
    unlink(path);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    /* A TrueType header that promises tables which are not there. */
    fwrite("\0\1\0\0\0\x0d\0\x80\0\3\0\x50garbage", 1, 19, fp);
    fclose(fp);
    diag *d = diag_new();
    pdf_doc *p = pdf_new(fx->dir, d);
    layout_fonts lf = pdf_fonts(p);
    assert_int_equal(lf.find(lf.ctx, "PT Sans", 0), -2); /* its file did not load: not «unknown» */
    char *msg = messages(d);
    assert_non_null(strstr(msg, "PTS55F.ttf: ошибка: не удалось загрузить шрифт"));
    free(msg);
    /* libharu's error is cleared: a good font still loads afterwards. */
    int font = lf.find(lf.ctx, "Liberation Serif", 0);
    assert_true(font >= 0);
    assert_true(lf.has(lf.ctx, font, 0x0410));
    assert_int_equal(diag_errors(d), 1);
    /* A font that does not load is an installation problem too. */
    assert_true(pdf_fonts_failed(p));
    pdf_free(p);
    diag_free(d);
    unlink_fonts(fx);
    free(path);
}

/* A font whose licence (OS/2 fsType 0x0002) forbids embedding: refused
 * with a message that says so, as libharu 2.3.0 refused it. */
static void test_font_forbids_embedding(void **state)
{
    fixture *fx = *state;
    char *path = path_in(fx, "PTS55F.ttf");
    link_fonts(fx, "PTS55F.ttf");
    unlink(path);
    size_t len;
    uint8_t *bytes = (uint8_t *)util_read_file(FONTS_DIR "/PTS55F.ttf", 16 << 20, &len);
    assert_non_null(bytes);
    size_t count = (size_t)bytes[4] << 8 | bytes[5];
    for (size_t i = 0; i < count; i++) {
        const uint8_t *rec = bytes + 12 + 16 * i;
        if (memcmp(rec, "OS/2", 4) == 0) {
            size_t os2 =
                (size_t)rec[8] << 24 | (size_t)rec[9] << 16 | (size_t)rec[10] << 8 | rec[11];
            bytes[os2 + 8] = 0;
            bytes[os2 + 9] = 2;
        }
    }
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(bytes, 1, len, fp);
    fclose(fp);
    free(bytes);
    diag *d = diag_new();
    pdf_doc *p = pdf_new(fx->dir, d);
    layout_fonts lf = pdf_fonts(p);
    assert_int_equal(lf.find(lf.ctx, "PT Sans", 0), -2); /* its file did not load: not «unknown» */
    char *msg = messages(d);
    assert_non_null(strstr(msg, "PTS55F.ttf: ошибка: шрифт"));
    assert_non_null(strstr(msg, "запрещает встраивание"));
    free(msg);
    assert_true(lf.find(lf.ctx, "PT Sans", BLK_BOLD) >= 0);
    assert_true(pdf_fonts_failed(p));
    pdf_free(p);
    diag_free(d);
    unlink_fonts(fx);
    free(path);
}

/* Copy the shipped font file `from` to path (written in place, as an
 * editor or cp would). */
static void copy_font(const char *from, const char *path)
{
    char src[512];
    snprintf(src, sizeof src, "%s/%s", FONTS_DIR, from);
    size_t len;
    char *bytes = util_read_file(src, 16 << 20, &len);
    assert_non_null(bytes);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, len, fp), len);
    fclose(fp);
    free(bytes);
}

/* The advance of "W" in PT Sans of the installation in dir. */
static double sans_w_width(const char *dir)
{
    diag *d = diag_new();
    pdf_doc *p = pdf_new(dir, d);
    assert_non_null(p);
    layout_fonts lf = pdf_fonts(p);
    int font = lf.find(lf.ctx, "PT Sans", 0);
    assert_true(font >= 0);
    double w = lf.advance(lf.ctx, font, 'W');
    pdf_free(p);
    diag_free(d);
    return w;
}

/* A font file is loaded once per process (a batch worker renders many
 * documents), but one replaced on disk is read again: by a new file under
 * the name, and by the same file rewritten in place. */
static void test_font_file_replaced(void **state)
{
    fixture *fx = *state;
    char *path = path_in(fx, "PTS55F.ttf");
    link_fonts(fx, "PTS55F.ttf");
    unlink(path);
    copy_font("PTS55F.ttf", path);
    double regular = sans_w_width(fx->dir);
    assert_true(sans_w_width(fx->dir) == regular);
    /* a new file under the same name: the bold face's W is wider */
    char *tmp = path_in(fx, "new.ttf");
    copy_font("PTS75F.ttf", tmp);
    assert_int_equal(rename(tmp, path), 0);
    double bold = sans_w_width(fx->dir);
    assert_true(bold > regular);
    /* the same file rewritten in place */
    copy_font("PTS55F.ttf", path);
    assert_true(sans_w_width(fx->dir) == regular);
    /* many replacements: each read, none kept past the files' bound */
    for (int i = 0; i < 40; i++) {
        copy_font(i % 2 ? "PTS55F.ttf" : "PTS75F.ttf", tmp);
        assert_int_equal(rename(tmp, path), 0);
        assert_true(sans_w_width(fx->dir) == (i % 2 ? regular : bold));
    }
    unlink_fonts(fx);
    free(tmp);
    free(path);
}

/* The check of the fonts folder is kept while the folder stays as it was (a
 * batch worker makes document after document), but a font removed from it
 * is found at the next document. */
static void test_fonts_folder_checked_again(void **state)
{
    fixture *fx = *state;
    link_fonts(fx, NULL);
    diag *d = diag_new();
    pdf_doc *p = pdf_new(fx->dir, d);
    assert_non_null(p);
    pdf_free(p);
    p = pdf_new(fx->dir, d);
    assert_non_null(p);
    pdf_free(p);
    assert_int_equal(diag_count(d), 0);
    char *gone = path_in(fx, "PTF76F.ttf");
    assert_int_equal(unlink(gone), 0);
    assert_null(pdf_new(fx->dir, d));
    char *msg = messages(d);
    assert_non_null(strstr(msg, "шрифт PTF76F.ttf не установлен"));
    free(msg);
    diag_free(d);
    unlink_fonts(fx);
    free(gone);
}

/* ---- whole files ---------------------------------------------------------------- */

static void test_write_checks(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "plan.pdf");
    diag *d = diag_new();
    assert_true(write_sample(out, true, INTACT, d));
    assert_int_equal(diag_count(d), 0);

    int status;
    char *qpdf = run_on("qpdf --check", out, &status);
    if (status != 0 || !strstr(qpdf, "No syntax or stream encoding errors"))
        fail_msg("qpdf --check:\n%s", qpdf);
    free(qpdf);

    buf cmd;
    buf_init(&cmd);
    buf_printf(&cmd, "pdftotext -enc UTF-8 '%s' -", out);
    char *text = run(cmd.data, &status);
    assert_int_equal(status, 0);
    squash_nbsp(text);
    static const char *const phrases[] = {
        "ПЛАН РАБОТЫ",
        "Наставник:",
        "Приказ № 17 — «О наставничестве»",
        "Петрова А. С.",
        "Директор школы",
        "Вторая страница: ёлка, щука, ЭЮЯ.",
        "Итого — 3 мероприятия.",
        CYRILLIC,
        LATIN,
    };
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (!strstr(text, phrases[i]))
            fail_msg("pdftotext lacks «%s»:\n%s", phrases[i], text);
    /* Our ToUnicode map replaces libharu's invalid one: poppler is silent. */
    if (strstr(text, "Warning") || strstr(text, "Error"))
        fail_msg("pdftotext complains:\n%s", text);
    free(text);
    buf_fini(&cmd);

    char *fonts = run_on("pdffonts", out, &status);
    assert_int_equal(status, 0);
    static const char *const names[] = {"+LiberationSerif ", "+LiberationSerif-Bold ",
                                        "+PTSerif-Regular "};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *line = strstr(fonts, names[i]);
        if (!line)
            fail_msg("pdffonts lacks %s:\n%s", names[i], fonts);
        /* name type encoding emb sub uni: "CID TrueType Identity-H yes yes yes" */
        const char *eol = strchr(line, '\n');
        char row[256] = {0};
        memcpy(row, line, eol && eol - line < 255 ? (size_t)(eol - line) : 255);
        if (!strstr(row, "CID TrueType") || !strstr(row, "yes yes yes"))
            fail_msg("pdffonts row not an embedded subset with ToUnicode: %s", row);
    }
    if (strstr(fonts, "PTSans"))
        fail_msg("pdffonts lists a font that was never drawn:\n%s", fonts);
    if (strstr(fonts, "Warning") || strstr(fonts, "Error"))
        fail_msg("pdffonts complains:\n%s", fonts);
    free(fonts);

    char *info = run_on("pdfinfo -isodates", out, &status);
    assert_int_equal(status, 0);
    static const char *const fields[] = {
        "Title:           План работы наставника",
        "Subject:         Наставничество «учитель — учитель»",
        "Keywords:        наставничество, план \U0001F331",
        "Author:          Петрова Анна Сергеевна",
        "Creator:         nastavdoc 0.1.0",
        "Pages:           2",
        "Page size:       595.276 x 841.89 pts (A4)",
        "CreationDate:    2024-09-02T00:00:00",
        "ModDate:         2024-09-02T00:00:00",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!strstr(info, fields[i]))
            fail_msg("pdfinfo lacks «%s»:\n%s", fields[i], info);
    free(info);
    diag_free(d);
    free(out);
}

static void test_no_date(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "nodate.pdf");
    diag *d = diag_new();
    assert_true(write_sample(out, false, INTACT, d));
    int status;
    char *info = run_on("pdfinfo", out, &status);
    assert_int_equal(status, 0);
    assert_null(strstr(info, "CreationDate"));
    assert_null(strstr(info, "ModDate"));
    assert_non_null(strstr(info, "Title:           План работы наставника"));
    free(info);
    remove(out);
    diag_free(d);
    free(out);
}

static void test_same_bytes(void **state)
{
    fixture *fx = *state;
    char *a = path_in(fx, "a.pdf"), *b = path_in(fx, "b.pdf");
    diag *d = diag_new();
    assert_true(write_sample(a, true, INTACT, d));
    assert_true(write_sample(b, true, INTACT, d));
    size_t alen, blen;
    char *adata = util_read_file(a, 1 << 24, &alen), *bdata = util_read_file(b, 1 << 24, &blen);
    assert_non_null(adata);
    assert_non_null(bdata);
    assert_int_equal(alen, blen);
    assert_memory_equal(adata, bdata, alen);
    /* Not a 0600 file from mkstemp: the umask decides. */
    struct stat st;
    assert_int_equal(stat(a, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    printf("sample PDF: %zu bytes\n", alen);
    free(adata);
    free(bdata);
    remove(a);
    remove(b);
    diag_free(d);
    free(a);
    free(b);
}

static void test_missing_folder(void **state)
{
    (void)state;
    diag *d = diag_new();
    assert_false(write_sample("/nonexistent/x.pdf", false, INTACT, d));
    assert_int_equal(diag_errors(d), 1);
    char *msg = messages(d);
    assert_string_equal(msg, "/nonexistent/x.pdf: ошибка: не удалось записать "
                             "/nonexistent/x.pdf: Нет такого файла или каталога\n");
    free(msg);
    assert_int_equal(access("/nonexistent/x.pdf", F_OK), -1);
    diag_free(d);
}

static void test_target_is_folder(void **state)
{
    fixture *fx = *state;
    char *sub = path_in(fx, "sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    size_t before = count_entries(fx->dir);
    diag *d = diag_new();
    assert_false(write_sample(sub, false, INTACT, d));
    char *msg = messages(d);
    assert_non_null(strstr(msg, ": ошибка: нельзя записать PDF в "));
    assert_non_null(strstr(msg, "это папка"));
    free(msg);
    /* The temporary file is gone and the folder is still a folder. */
    assert_int_equal(count_entries(fx->dir), before);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    rmdir(sub);
    diag_free(d);
    free(sub);
}

static void test_failure_keeps_old_file(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "keep.pdf");
    diag *d = diag_new();
    assert_true(write_sample(out, true, INTACT, d));
    size_t len0;
    char *old = util_read_file(out, 1 << 24, &len0);
    assert_non_null(old);
    size_t before = count_entries(fx->dir);

    /* A font id layout never got from us, or a character the font lacks:
     * internal errors, and no output. */
    assert_false(write_sample(out, false, BAD_FONT_ID, d));
    assert_false(write_sample(out, false, MISSING_GLYPH, d));
    char *msg = messages(d);
    buf want;
    buf_init(&want);
    buf_printf(&want,
               "%s: ошибка: внутренняя ошибка: шрифт 7 не загружен (страница 2)\n"
               "%s: ошибка: внутренняя ошибка: в шрифте PTF55F.ttf нет символа U+1F600 "
               "(страница 2)\n",
               out, out);
    assert_string_equal(msg, want.data);
    buf_fini(&want);
    free(msg);
    size_t len1;
    char *now = util_read_file(out, 1 << 24, &len1);
    assert_non_null(now);
    assert_int_equal(len0, len1);
    assert_memory_equal(old, now, len0);
    assert_int_equal(count_entries(fx->dir), before);
    free(old);
    free(now);
    remove(out);
    diag_free(d);
    free(out);
}

/* ---- fonts after writing ---------------------------------------------------------- */

typedef struct probe_row {
    const char *name;
    const char *family;
    int style;
    uint32_t cp;
} probe_row;

/* Code points make_doc does not draw, asked of a font first after writing:
 * making the font objects narrows libharu's cmap and encoder for a moment
 * (make_font), and whatever is asked afterwards must see the real ones. */
static const probe_row PROBES[] = {
    {"copyright, drawn font", "Liberation Serif", 0, 0x00A9},
    {"per mille, drawn font", "Liberation Serif", 0, 0x2030},
    {"fi ligature, near the top of the BMP", "Liberation Serif", 0, 0xFB01},
    {"capital sharp s, bold", "Liberation Serif", BLK_BOLD, 0x1E9E},
    {"euro, PT Serif", "PT Serif", 0, 0x20AC},
    {"CJK the font lacks", "Liberation Serif", 0, 0x4E00},
    {"replacement character the font lacks", "PT Serif", 0, 0xFFFD},
    {"Io, font never drawn", "PT Sans", 0, 0x0401},
};

static void test_metrics_after_write(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "probe.pdf");
    diag *d = diag_new();
    pdf_doc *ref = pdf_new(FONTS_DIR, d), *p = pdf_new(FONTS_DIR, d);
    layout_fonts rf = pdf_fonts(ref), lf = pdf_fonts(p);
    arena *a = arena_new();
    layout_doc *doc = make_doc(a, &lf, false);
    assert_true(lf.find(lf.ctx, "PT Sans", 0) >= 0);
    pdf_options opt = {.creator = "nastavdoc 0.1.0"};
    assert_true(pdf_write(p, doc, &opt, out, d));
    for (size_t i = 0; i < sizeof PROBES / sizeof PROBES[0]; i++) {
        const probe_row *r = &PROBES[i];
        int want = rf.find(rf.ctx, r->family, r->style), got = lf.find(lf.ctx, r->family, r->style);
        bool has = lf.has(lf.ctx, got, r->cp);
        double adv = lf.advance(lf.ctx, got, r->cp);
        if (has != rf.has(rf.ctx, want, r->cp) || adv != rf.advance(rf.ctx, want, r->cp))
            fail_msg("%s: U+%04X after writing: has %d, advance %g", r->name, (unsigned)r->cp, has,
                     adv);
    }
    assert_int_equal(diag_count(d), 0);
    arena_free(a);
    pdf_free(p);
    pdf_free(ref);
    diag_free(d);
    remove(out);
    free(out);
}

/* The top 100 points of page 1 rendered by poppler at 72 dpi in grey: the
 * PGM file's bytes. */
static char *render_top(const fixture *fx, const char *pdf, size_t *len)
{
    buf cmd;
    buf_init(&cmd);
    buf_printf(&cmd,
               "pdftoppm -f 1 -l 1 -r 72 -gray -x 0 -y 0 -W 595 -H 100 -singlefile '%s' '%s/top'",
               pdf, fx->dir);
    int status;
    char *msgs = run(cmd.data, &status);
    if (status != 0 || msgs[0])
        fail_msg("%s:\n%s", cmd.data, msgs);
    free(msgs);
    buf_fini(&cmd);
    char *pgm = path_in(fx, "top.pgm");
    char *data = util_read_file(pgm, 1 << 20, len);
    assert_non_null(data);
    remove(pgm);
    free(pgm);
    return data;
}

/* One line at the top of page 1; with more, a second line far below it
 * that puts many more glyphs into the same fonts' subsets, up to U+FB02. */
static bool write_line(const char *out, bool more)
{
    diag *d = diag_new();
    pdf_doc *p = pdf_new(FONTS_DIR, d);
    layout_fonts lf = pdf_fonts(p);
    int serif = lf.find(lf.ctx, "Liberation Serif", 0);
    int bold = lf.find(lf.ctx, "Liberation Serif", BLK_BOLD);
    arena *a = arena_new();
    layout_doc *doc = arena_alloc(a, sizeof *doc);
    doc->mem = a;
    doc->npages = 1;
    doc->pages = arena_alloc(a, sizeof *doc->pages);
    layout_page *pg = &doc->pages[0];
    pg->width = 595.276, pg->height = 841.89;
    add_text(a, pg, serif, 20, 40, 790, "Ёлка, йод — «№\u00a017» ﬁ", 0);
    add_text(a, pg, bold, 20, 40, 765, "ЁЖИК Йошкар-Ола", 0);
    if (more) {
        add_text(a, pg, serif, 10, 40, 300, CYRILLIC, 0);
        add_text(a, pg, serif, 10, 40, 280, LATIN " © ‰ € ﬂ ¨", 0);
        add_text(a, pg, bold, 10, 40, 260, CYRILLIC LATIN, 0);
    }
    pdf_options opt = {.creator = "nastavdoc 0.1.0"};
    bool ok = pdf_write(p, doc, &opt, out, d);
    assert_int_equal(diag_count(d), 0);
    arena_free(a);
    pdf_free(p);
    diag_free(d);
    return ok;
}

/* A glyph looks the same whatever else its font's subset holds: the maps and
 * the subset follow the code points drawn, not what layout looked at or
 * what else is on the page. */
static void test_subset_renders_same(void **state)
{
    fixture *fx = *state;
    char *few = path_in(fx, "few.pdf"), *many = path_in(fx, "many.pdf");
    assert_true(write_line(few, false));
    assert_true(write_line(many, true));
    size_t flen, mlen;
    char *fpix = render_top(fx, few, &flen), *mpix = render_top(fx, many, &mlen);
    assert_int_equal(flen, mlen);
    assert_memory_equal(fpix, mpix, flen);
    /* ... and is drawn at all: dark pixels after the "P5 595 100 255" header. */
    size_t dark = 0;
    for (size_t i = flen - 595 * 100; i < flen; i++)
        dark += (unsigned char)fpix[i] < 128;
    if (dark < 1000)
        fail_msg("only %zu dark pixels in the rendered line", dark);
    free(fpix);
    free(mpix);
    remove(few);
    remove(many);
    free(few);
    free(many);
}

/* The subsets come from the font files as they were checked and mapped at
 * load time: one removed since layout loaded it is still embedded whole. */
static void test_font_gone_before_write(void **state)
{
    fixture *fx = *state;
    char *link = path_in(fx, "LiberationSerif-Regular.ttf"), *out = path_in(fx, "gone.pdf");
    link_fonts(fx, NULL);
    diag *d = diag_new();
    pdf_doc *p = pdf_new(fx->dir, d);
    layout_fonts lf = pdf_fonts(p);
    int serif = lf.find(lf.ctx, "Liberation Serif", 0);
    assert_true(serif >= 0);
    arena *a = arena_new();
    layout_doc *doc = arena_alloc(a, sizeof *doc);
    doc->mem = a;
    doc->npages = 1;
    doc->pages = arena_alloc(a, sizeof *doc->pages);
    doc->pages[0].width = 595.276, doc->pages[0].height = 841.89;
    add_text(a, &doc->pages[0], serif, 12, 85.04, 780, "Приказ №\u00a017", 0);
    remove(link);
    pdf_options opt = {.creator = "nastavdoc 0.1.0"};
    assert_true(pdf_write(p, doc, &opt, out, d));
    assert_int_equal(diag_count(d), 0);
    int status;
    char *fonts = run_on("pdffonts", out, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(fonts, "LiberationSerif"));
    free(fonts);
    arena_free(a);
    pdf_free(p);
    diag_free(d);
    unlink_fonts(fx);
    free(link);
    free(out);
}

/* layout calls advance for every character, served from a cache after the
 * first: a million calls give the first call's widths every time. (Its
 * speed is make bench's to measure, not a test's: no clock here.) */
static void test_advance_cached(void **state)
{
    (void)state;
    diag *d = diag_new();
    pdf_doc *p = pdf_new(FONTS_DIR, d);
    layout_fonts lf = pdf_fonts(p);
    int font = lf.find(lf.ctx, "Liberation Serif", 0);
    static const uint32_t text[] = {0x041F, 0x043B, 0x0430, 0x043D, 0x0020, 0x0440,
                                    0x0430, 0x0431, 0x043E, 0x0442, 0x044B, 0x002E};
    double first[12];
    for (size_t i = 0; i < 12; i++) {
        first[i] = lf.advance(lf.ctx, font, text[i]);
        assert_true(first[i] > 0);
    }
    enum { N = 1000 * 1000 };
    for (size_t i = 0; i < N; i++)
        if (lf.advance(lf.ctx, font, text[i % 12]) != first[i % 12])
            fail_msg("advance of U+%04X changed on call %zu", (unsigned)text[i % 12], i);
    pdf_free(p);
    diag_free(d);
}

/* PDF/A metadata: what XML 1.0 cannot hold (controls, CR, U+FFFE/FFFF) and
 * libharu cannot encode (above the BMP) becomes a space; Cyrillic, tabs and
 * line feeds stay. */
static void test_pdfa_clean(void **state)
{
    (void)state;
    bool cut;
    char *s = pdf_pdfa_clean("Приказ\x01 №\t5\r\nот \xEF\xBF\xBE\xF0\x9F\x98\x80 & <x>", &cut);
    assert_false(cut);
    /* U+FFFE goes; U+1F600, above the BMP, stays (UTF-16 pairs in Info) */
    assert_string_equal(s, "Приказ  №\t5 \nот  \xF0\x9F\x98\x80 & <x>");
    free(s);
    s = pdf_pdfa_clean("\xFF\xC0", &cut);
    /* bytes that are not UTF-8: U+FFFD each, the one policy of util.h */
    assert_string_equal(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
    free(s);
}

/* A title longer than libharu can write (65535 bytes) is valid input: the
 * Info dictionary gets its first INFO_MAX_UNITS characters and a warning
 * says so (it was an internal error). */
static void test_long_title(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "long.pdf");
    diag *d = diag_new();
    pdf_doc *p = pdf_new(FONTS_DIR, d);
    assert_non_null(p);
    layout_fonts lf = pdf_fonts(p);
    arena *a = arena_new();
    layout_doc *doc = make_doc(a, &lf, false);
    size_t n = 40000;
    char *title = arena_alloc(a, 2 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(title + 2 * i, "ж", 2);
    title[2 * n] = '\0';
    doc->info.title = title;
    pdf_options opt = {.creator = "nastavdoc 0.1.0"};
    assert_true(pdf_write(p, doc, &opt, out, d));
    assert_int_equal(diag_errors(d), 0);
    assert_int_equal(diag_warnings(d), 1);
    char *msg = messages(d);
    assert_non_null(strstr(msg, "свойство файла PDF «Название» длиннее 32000 знаков"));
    free(msg);
    int status;
    char *info = run_on("pdfinfo", out, &status);
    assert_int_equal(status, 0);
    const char *t = strstr(info, "Title:");
    assert_non_null(t);
    size_t letters = 0;
    for (const char *c = strstr(t, "ж"); c && strncmp(c, "ж", 2) == 0; c += 2)
        letters++;
    assert_int_equal(letters, INFO_MAX_UNITS);
    free(info);
    arena_free(a);
    pdf_free(p);
    diag_free(d);
    remove(out);
    free(out);
}

/* The CIDSet: bit 0 (.notdef) and one bit per code point drawn, the most
 * significant bit first, up to the byte of the last one. */
static void test_pdfa_cidset(void **state)
{
    (void)state;
    /* n bits set, most significant first, and no byte more */
    static const struct {
        size_t n;
        const char *bytes;
        size_t len;
    } CASES[] = {
        {1, "\x80", 1},     {7, "\xFE", 1},          {8, "\xFF", 1},
        {9, "\xFF\x80", 2}, {17, "\xFF\xFF\x80", 3}, {0, "", 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        buf b;
        buf_init(&b);
        pdf_pdfa_cidset(CASES[i].n, &b);
        assert_int_equal(b.len, CASES[i].len);
        assert_memory_equal(b.data, CASES[i].bytes, CASES[i].len);
        buf_fini(&b);
    }
}

/* cp_set_next finds every code point of a set and nothing else, at the
 * edges of its words and of the BMP (LAST_CP is the last one it can hold). */
static void test_cp_set_next(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,    1,     7,     8,      63,     64,     65,     127,
                                   1000, 0x401, 0x44F, 0x2116, 0xFFBF, 0xFFC0, LAST_CP};
    uint8_t *bits = xcalloc(CP_SET_BYTES, 1);
    size_t n = sizeof cps / sizeof *cps;
    for (size_t i = 0; i < n; i++)
        bits[cps[i] >> 3] |= (uint8_t)(1u << (cps[i] & 7));
    size_t k = 0;
    for (uint32_t cp = cp_set_next(bits, 0); cp <= LAST_CP; cp = cp_set_next(bits, cp + 1))
        assert_int_equal(cp, cps[k++]);
    assert_int_equal(k, n);
    assert_int_equal(cp_set_next(bits, 66), 127);
    /* the bit past LAST_CP (U+FFFF) is not a code point of the set */
    memset(bits, 0, CP_SET_BYTES);
    bits[0xFFFF >> 3] |= 0x80;
    assert_int_equal(cp_set_next(bits, 0), LAST_CP + 1);
    free(bits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_missing_font_file),
        cmocka_unit_test(test_corrupt_font_file),
        cmocka_unit_test(test_font_forbids_embedding),
        cmocka_unit_test(test_font_file_replaced),
        cmocka_unit_test(test_fonts_folder_checked_again),
        cmocka_unit_test(test_write_checks),
        cmocka_unit_test(test_no_date),
        cmocka_unit_test(test_same_bytes),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_target_is_folder),
        cmocka_unit_test(test_failure_keeps_old_file),
        cmocka_unit_test(test_metrics_after_write),
        cmocka_unit_test(test_subset_renders_same),
        cmocka_unit_test(test_font_gone_before_write),
        cmocka_unit_test(test_advance_cached),
        cmocka_unit_test(test_pdfa_clean),
        cmocka_unit_test(test_long_title),
        cmocka_unit_test(test_pdfa_cidset),
        cmocka_unit_test(test_cp_set_next),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
