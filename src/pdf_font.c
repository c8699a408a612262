/* pdf_font: the fonts of a document. Maps the shipped TrueType fonts and
 * reads them with ttf_subset, answers layout's metric questions from the
 * same numbers the file's /W gets (so the widths layout measures are
 * exactly those a viewer uses), notes the code points drawn, and at the end
 * makes each drawn font's objects: a Type0 font over a CIDFontType2 font
 * whose CIDs are the glyphs of its subset, numbered in the order of the
 * code points drawn (CIDToGIDMap /Identity), with the ToUnicode map and /W
 * of those CIDs (docs/libharu.md). */
#include "pdf_shared.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

/* The families we ship in fonts/; ids are family * 4 + style, with the style
 * bits of template.h (BLK_BOLD = 1, BLK_ITALIC = 2) indexing files[]. */
typedef struct font_family {
    const char *name;
    const char *files[4];
} font_family;

static const font_family FAMILIES[] = {
    {"Liberation Serif",
     {"LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
      "LiberationSerif-BoldItalic.ttf"}},
    {"PT Serif", {"PTF55F.ttf", "PTF75F.ttf", "PTF56F.ttf", "PTF76F.ttf"}},
    {"PT Sans", {"PTS55F.ttf", "PTS75F.ttf", "PTS56F.ttf", "PTS76F.ttf"}},
};

_Static_assert(sizeof FAMILIES / sizeof FAMILIES[0] == NFAMILIES, "NFAMILIES in pdf_shared.h");

enum {
    /* A ToUnicode CMap may hold at most 100 entries per bfchar block
     * (Adobe Technical Note #5411). */
    CMAP_BLOCK = 100,
    /* The largest font file mapped for embedding: ours are 0.3-0.5 MB, so
     * this only turns a wrong file away. */
    FONT_MAX_BYTES = 64 << 20,
    /* Font files kept loaded in the process: the 12 we ship, and room for
     * files replaced while a long-lived process (watch) runs; beyond it
     * the oldest one no document holds is let go. */
    FONT_FILES_MAX = 32,
    /* Subset programs kept per font file, the latest ones (about 15-40 KB
     * each, deflated): documents of one template in a batch draw the same
     * characters and reuse them. */
    PROGRAMS_MAX = 4,
};

/* What a font's subset makes: the code points of its CIDs, in CID order,
 * the program deflated, the ToUnicode map deflated and the widths. */
typedef struct program {
    uint32_t *cps;
    size_t n;
    uint8_t *z, *map_z;
    size_t zlen, raw_len, map_zlen;
    char *widths; /* the CID font's /W entry (build_widths) */
} program;

struct font_file {
    char *path;
    struct stat st; /* its identity: device, inode, size, change time */
    const uint8_t *bytes;
    size_t len;
    ttf_font *ttf;
    const ttf_info *info;
    uint16_t notdef;        /* metric of anything the font lacks */
    uint16_t *metrics[256]; /* BMP in pages of 256 code points, filled lazily */
    program programs[PROGRAMS_MAX];
    size_t next_program; /* the slot the next one takes */
    unsigned users;      /* documents holding it */
    font_file *next;
    uint64_t serial; /* its identity for layout (font_identity) */
};

/* The font files loaded in this process, the latest first. */
static font_file *loaded_files;

const char *pdf_font_file(int font)
{
    return FAMILIES[font / 4].files[font % 4];
}

static char *join_path(const char *dir, const char *file)
{
    buf b;
    buf_init(&b);
    buf_puts(&b, dir);
    buf_putc(&b, '/');
    buf_puts(&b, file);
    return buf_take(&b);
}

/* Every font file is looked at here, not when layout first asks for its
 * style: a missing file is an installation problem, reported as such
 * before any document is read, and never as a font that "is not found"
 * among the families layout lists. Opening 12 files is cheap; loading them
 * is not, so that still waits (load_font). */
bool pdf_font_check_files(const char *fonts_dir, diag *d)
{
    /* A long-lived process (a batch worker, watch) checks a folder again
     * only when it changed: a file removed, added or renamed in it changes
     * its modification time (util_same_version). The last folder found
     * complete: */
    static struct {
        char *path;
        struct stat st;
    } complete;
    struct stat dir;
    bool have_dir = stat(fonts_dir, &dir) == 0;
    if (have_dir && complete.path && strcmp(complete.path, fonts_dir) == 0 &&
        util_same_version(&complete.st, &dir))
        return true;
    bool ok = true;
    for (int id = 0; id < NFONTS; id++) {
        char *path = join_path(fonts_dir, pdf_font_file(id));
        struct stat st;
        int fd = util_open_regular(path, &st);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
        if (err) {
            char tmp[128];
            diag_error(d, DIAG_NOWHERE,
                       "шрифт %s не установлен: не удалось открыть %s: %s; переустановите "
                       "nastavdoc или восстановите папку fonts",
                       pdf_font_file(id), path, diag_open_error(err, &st, tmp, sizeof tmp));
            ok = false;
        }
        free(path);
    }
    if (ok && have_dir) {
        free(complete.path);
        complete.path = xstrdup(fonts_dir);
        complete.st = dir;
    }
    return ok;
}

/* Family names are ASCII; compare them without the locale. */
static bool equal_ascii_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

/* Look cp up in the font's cmap and hmtx. The subset we embed holds the glyphs of the code points
 * drawn (draw_run notes them), not of everything layout merely measured
 * (hyphens it tried, fallbacks it rejected). */
static uint16_t measure_glyph(const font_file *ff, uint32_t cp)
{
    if (cp > LAST_CP || (cp >= 0xD800 && cp <= 0xDFFF))
        return ff->notdef;
    unsigned gid = ttf_font_glyph(ff->ttf, cp);
    if (gid == 0)
        return ff->notdef;
    unsigned w = ttf_font_advance(ff->ttf, gid);
    return (uint16_t)(METRIC_KNOWN | METRIC_HAS | (w > METRIC_WIDTH ? METRIC_WIDTH : w));
}

uint16_t pdf_font_measure(pdf_font *f, uint32_t cp)
{
    font_file *ff = f->file;
    if (cp > 0xFFFF)
        return ff->notdef;
    uint16_t *page = ff->metrics[cp >> 8];
    if (!page)
        page = ff->metrics[cp >> 8] = xcalloc(256, sizeof *page);
    uint16_t m = page[cp & 0xFF];
    if (!m)
        m = page[cp & 0xFF] = measure_glyph(ff, cp);
    return m;
}

void pdf_font_fini(pdf_font *f)
{
    if (f->file)
        f->file->users--;
    free(f->planned);
    for (size_t j = 0; j < 256; j++)
        free(f->cid_of[j]);
    free(f->cps);
}

/* ---- Font files ------------------------------------------------------------ */

static void font_file_free(font_file *ff)
{
    ttf_font_free(ff->ttf);
    if (ff->bytes)
        munmap((void *)ff->bytes, ff->len);
    for (size_t j = 0; j < 256; j++)
        free(ff->metrics[j]);
    for (size_t j = 0; j < PROGRAMS_MAX; j++) {
        free(ff->programs[j].cps);
        free(ff->programs[j].z);
        free(ff->programs[j].map_z);
        free(ff->programs[j].widths);
    }
    free(ff->path);
    free(ff);
}

static bool same_file(const font_file *ff, const char *path, const struct stat *st)
{
    /* and the change time: a font rewritten with its time set back */
    return util_same_version(&ff->st, st) && ff->st.st_ctim.tv_sec == st->st_ctim.tv_sec &&
           ff->st.st_ctim.tv_nsec == st->st_ctim.tv_nsec && strcmp(ff->path, path) == 0;
}

/* Keep ff, letting the oldest file no document holds go past
 * FONT_FILES_MAX. */
static void keep_file(font_file *ff)
{
    ff->next = loaded_files;
    loaded_files = ff;
    size_t n = 0;
    font_file **oldest = NULL;
    for (font_file **at = &loaded_files; *at; at = &(*at)->next) {
        n++;
        if ((*at)->users == 0)
            oldest = at;
    }
    if (n > FONT_FILES_MAX && oldest) {
        font_file *gone = *oldest;
        *oldest = gone->next;
        font_file_free(gone);
    }
}

/* Map and read the font file at path, opened as fd. Only the pages we touch
 * are read: reading it whole would copy 0.3-0.5 MB and fault as many fresh
 * pages. The fonts are the project's own files, which nothing rewrites in
 * place; a file replaced is a new file (keep_file). */
static bool map_font(font_file *ff, int fd)
{
    if ((uintmax_t)ff->st.st_size > FONT_MAX_BYTES) {
        errno = EFBIG;
        return false;
    }
    if (ff->st.st_size == 0) /* nothing to map; ttf_font_new rejects it */
        return true;
    void *map = mmap(NULL, (size_t)ff->st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return false;
    ff->bytes = map;
    ff->len = (size_t)ff->st.st_size;
    return true;
}

/* The font file at path, loaded now or earlier in the process; NULL with a
 * message at path when it cannot be read or is not a TrueType font we can
 * embed. */
static font_file *font_file_get(const char *path, diag *d)
{
    src_mark at = {path, 0, 0};
    struct stat st;
    /* one stat finds a file loaded before; only a new one is opened */
    if (stat(path, &st) == 0) {
        for (font_file *ff = loaded_files; ff; ff = ff->next) {
            if (same_file(ff, path, &st)) {
                ff->users++;
                return ff;
            }
        }
    }
    int fd = util_open_regular(path, &st);
    if (fd < 0) {
        char tmp[128];
        diag_error(d, at, "не удалось прочитать шрифт %s: %s", path,
                   diag_open_error(errno, &st, tmp, sizeof tmp));
        return NULL;
    }
    font_file *ff = xcalloc(1, sizeof *ff);
    ff->path = xstrdup(path);
    ff->st = st;
    bool mapped = map_font(ff, fd);
    int err = errno;
    close(fd);
    if (!mapped) {
        diag_error(d, at, "не удалось прочитать шрифт %s: %s", path, diag_strerror(err));
    } else if (!(ff->ttf = ttf_font_new(ff->bytes, ff->len))) {
        diag_error(d, at, "не удалось загрузить шрифт %s: файл повреждён или это не шрифт TrueType",
                   path);
    } else if (!(ff->info = ttf_font_info(ff->ttf))->embeddable) {
        diag_error(d, at,
                   "шрифт %s запрещает встраивание в документы (поле fsType): замените файл "
                   "шрифта",
                   path);
    } else {
        unsigned w = ttf_font_advance(ff->ttf, 0);
        ff->notdef = (uint16_t)(METRIC_KNOWN | (w > METRIC_WIDTH ? METRIC_WIDTH : w));
        ff->users = 1;
        /* never reused in the process: a file loaded again (replaced, or
         * let go past FONT_FILES_MAX) is a new face to layout's memo */
        static uint64_t last_serial;
        ff->serial = ++last_serial;
        keep_file(ff);
        return ff;
    }
    font_file_free(ff);
    return NULL;
}

/* Load font id into the document; reports into p->d and returns false when
 * the file is missing or is not a TrueType font we can embed. Either is an
 * installation problem: p->font_failed makes the caller say so (exit 3). */
static bool load_font(pdf_doc *p, int id)
{
    pdf_font *f = &p->fonts[id];
    char *path = join_path(p->fonts_dir, pdf_font_file(id));
    f->file = font_file_get(path, p->d);
    free(path);
    if (f->file) {
        f->info = f->file->info;
        f->metrics = f->file->metrics;
    }
    f->state = f->file ? FONT_READY : FONT_FAILED;
    p->font_failed |= !f->file;
    return f->file != NULL;
}

static int find_font(void *ctx, const char *family, int style)
{
    pdf_doc *p = ctx;
    assert(style >= 0 && style <= (BLK_BOLD | BLK_ITALIC));
    for (int i = 0; i < NFAMILIES; i++) {
        if (!equal_ascii_nocase(family, FAMILIES[i].name))
            continue;
        int id = i * 4 + (style & (BLK_BOLD | BLK_ITALIC));
        /* A font that failed is reported once; later lookups just fail. */
        if (p->fonts[id].state == FONT_UNTRIED)
            load_font(p, id);
        return p->fonts[id].state == FONT_READY ? id : -2;
    }
    return -1;
}

pdf_font *pdf_font_get(pdf_doc *p, int font)
{
    assert(font >= 0 && font < NFONTS && p->fonts[font].state == FONT_READY);
    return &p->fonts[font];
}

static double get_advance(void *ctx, int font, uint32_t cp)
{
    return pdf_font_metric(pdf_font_get(ctx, font), cp) & METRIC_WIDTH;
}

static bool has_glyph(void *ctx, int font, uint32_t cp)
{
    return (pdf_font_metric(pdf_font_get(ctx, font), cp) & METRIC_HAS) != 0;
}

static double get_ascent(void *ctx, int font)
{
    return pdf_font_get(ctx, font)->info->ascent;
}

static double get_descent(void *ctx, int font)
{
    return pdf_font_get(ctx, font)->info->descent;
}

/* The font file's serial: the same file in every document of the process
 * has the same one, and no other file ever has it. */
static uint64_t font_identity(void *ctx, int font)
{
    return pdf_font_get(ctx, font)->file->serial;
}

bool pdf_fonts_failed(const pdf_doc *p)
{
    return p->font_failed;
}

layout_fonts pdf_fonts(pdf_doc *p)
{
    return (layout_fonts){p,          find_font,   get_advance,  has_glyph,
                          get_ascent, get_descent, font_identity};
}

/* ---- Code points drawn --------------------------------------------------- */

/* The CID of cp, given the next one when cp is drawn for the first time. */
static uint16_t cid_of(pdf_font *f, uint32_t cp)
{
    uint16_t *page = f->cid_of[cp >> 8];
    if (!page)
        page = f->cid_of[cp >> 8] = xcalloc(256, sizeof *page);
    uint16_t *cid = &page[cp & 0xFF];
    if (*cid == 0) {
        /* at most one CID per code point of the BMP: 0xFFFF of them */
        if (f->ncids == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 128;
            f->cps = xrealloc(f->cps, f->cap * sizeof *f->cps);
        }
        f->cps[f->ncids++] = cp;
        *cid = (uint16_t)f->ncids;
    }
    return *cid;
}

void pdf_font_plan_box(pdf_font *f, const layout_box *b)
{
    if (pdf_font_metric(f, ' ') & METRIC_HAS)
        pdf_font_plan_cp(f, ' ');
    if (b->len > 0 && b->text[b->len - 1] == '-')
        pdf_font_plan_cp(f, OWN_HYPHEN_AT_END);
}

void pdf_font_plan_done(pdf_doc *p)
{
    for (size_t id = 0; id < NFONTS; id++) {
        pdf_font *f = &p->fonts[id];
        if (!f->planned)
            continue;
        for (uint32_t cp = cp_set_next(f->planned, 0); cp <= LAST_CP;
             cp = cp_set_next(f->planned, cp + 1))
            cid_of(f, cp);
    }
}

/* The bytes a literal string needs escaped (ISO 32000-1, 7.3.4.2): its
 * delimiters and escape, and a carriage return, which readers would take
 * for a line feed; every other byte stands as it is. */
static const char string_escape[256] = {['('] = '(', [')'] = ')', ['\\'] = '\\', ['\r'] = 'r'};

void pdf_font_put_cids(pdf_font *f, buf *out, const char *text, size_t len)
{
    /* at most 4 bytes out (two escaped) per code point in */
    char chunk[256];
    size_t used = 0;
    for (size_t k = 0; k < len;) {
        uint32_t cp;
        size_t n = utf8_decode(text + k, len - k, &cp);
        if (n == 0 || cp > LAST_CP) /* check_boxes let none through */
            break;
        k += n;
        uint16_t *page = f->cid_of[cp >> 8];
        unsigned cid = page && page[cp & 0xFF] ? page[cp & 0xFF] : cid_of(f, cp);
        unsigned char hi = (unsigned char)(cid >> 8), lo = (unsigned char)cid;
        if (string_escape[hi])
            chunk[used++] = '\\', hi = (unsigned char)string_escape[hi];
        chunk[used++] = (char)hi;
        if (string_escape[lo])
            chunk[used++] = '\\', lo = (unsigned char)string_escape[lo];
        chunk[used++] = (char)lo;
        if (used > sizeof chunk - 4) {
            buf_putn(out, chunk, used);
            used = 0;
        }
    }
    buf_putn(out, chunk, used);
}

HPDF_Dict pdf_font_object(pdf_doc *p, int font)
{
    pdf_font *f = pdf_font_get(p, font);
    if (!f->font) {
        f->font = pdf_hp_font_dict(p->pdf);
        if (!f->font)
            return NULL;
        assert(p->nmade < NFONTS);
        p->made[p->nmade++] = font;
    }
    return f->font;
}

/* ---- Font maps ------------------------------------------------------------ */

/* The glyph drawn for code point cp: its own, but for OWN_HYPHEN_AT_END in
 * a font without that character, which pdf.c draws for a hyphen-minus: the
 * hyphen-minus's glyph (docs/pdfa.md). */
static unsigned cp_glyph(const pdf_font *f, uint32_t cp)
{
    unsigned gid = ttf_font_glyph(f->file->ttf, cp);
    if (cp == OWN_HYPHEN_AT_END && gid == 0)
        gid = ttf_font_glyph(f->file->ttf, '-');
    return gid;
}

/* The width of cp_glyph, in 1/1000 em. */
static unsigned cp_width(pdf_font *f, uint32_t cp)
{
    bool own = cp != OWN_HYPHEN_AT_END || (pdf_font_metric(f, cp) & METRIC_HAS);
    return pdf_font_metric(f, own ? cp : '-') & METRIC_WIDTH;
}

/* The character a code point drawn stands for in the text layer: itself,
 * but for the hyphen layout adds at a break (ADDED_HYPHEN), which is a
 * hyphen-minus there, so that readers join the word's parts
 * (docs/pdfa.md). */
static uint32_t cp_unicode(uint32_t cp)
{
    return cp == ADDED_HYPHEN ? '-' : cp;
}

/* "<XXXX>", four hex digits: without printf, which costs more than the rest
 * of the map. */
static void put_code(buf *b, uint32_t v)
{
    static const char HEX[] = "0123456789ABCDEF";
    char s[6] = {'<', HEX[v >> 12 & 0xF], HEX[v >> 8 & 0xF], HEX[v >> 4 & 0xF], HEX[v & 0xF], '>'};
    buf_putn(b, s, sizeof s);
}

/* The ToUnicode map: each CID's code point (cp_unicode). Only bfchar
 * entries: Ghostscript 10.00 (txtwrite) garbles two-byte bfrange
 * destinations even within one high byte, and pdfium is strict about
 * ranges too; bfchar reads the same everywhere. */
static void build_to_unicode(const pdf_font *f, buf *b)
{
    buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                "12 dict begin\n"
                "begincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n"
                "/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0; i < f->ncids; i += CMAP_BLOCK) {
        size_t end = f->ncids - i < CMAP_BLOCK ? f->ncids : i + CMAP_BLOCK;
        buf_printf(b, "%zu beginbfchar\n", end - i);
        for (size_t k = i; k < end; k++) {
            put_code(b, (uint32_t)(k + 1));
            buf_putc(b, ' ');
            put_code(b, cp_unicode(f->cps[k])); /* of the BMP: pdf_font_plan_cp */
            buf_putc(b, '\n');
        }
        buf_puts(b, "endbfchar\n");
    }
    buf_puts(b, "endcmap\n"
                "CMapName currentdict /CMap defineresource pop\n"
                "end\n"
                "end\n");
}

/* "/W [ first [ w w … ] first [ … ] ]": the width of every CID, one run per
 * stretch of consecutive CIDs, leaving out those equal to /DW. */
static void build_widths(pdf_font *f, buf *out)
{
    unsigned dw = f->file->notdef & METRIC_WIDTH;
    bool in_run = false;
    buf_puts(out, "/W [");
    for (size_t k = 0; k < f->ncids; k++) {
        unsigned width = cp_width(f, f->cps[k]);
        if (width == dw) {
            if (in_run)
                buf_puts(out, " ]");
            in_run = false;
            continue;
        }
        if (!in_run)
            buf_printf(out, " %zu [", k + 1);
        in_run = true;
        buf_printf(out, " %u", width);
    }
    buf_puts(out, in_run ? " ] ]\n" : " ]\n");
}

/* The subset's tag: six capitals from a hash (FNV-1a) of the font's name
 * and the code points drawn, so different subsets in one file differ and
 * the same subset is tagged the same in every document. */
static void subset_tag(const pdf_font *f, char tag[TTF_TAG_LEN])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const char *c = f->info->ps_name; *c; c++)
        h = (h ^ (uint8_t)*c) * 0x100000001b3u;
    for (size_t k = 0; k < f->ncids; k++)
        for (int i = 0; i < 3; i++)
            h = (h ^ (f->cps[k] >> (8 * i) & 0xFF)) * 0x100000001b3u;
    for (int i = 0; i < TTF_TAG_LEN - 1; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[TTF_TAG_LEN - 1] = '+';
}

/* ---- Font objects ------------------------------------------------------------ */

/* Scratch buffers reused from font to font. */
typedef struct font_bufs {
    buf cidset, name;
} font_bufs;

/* data deflated by z into *out (allocated), its length into *len. */
static void deflate_into(struct libdeflate_compressor *z, const buf *data, uint8_t **out,
                         size_t *len)
{
    size_t bound = libdeflate_zlib_compress_bound(z, data->len);
    free(*out);
    *out = xmalloc(bound);
    /* cannot fail: the bound is libdeflate's own */
    *len = libdeflate_zlib_compress(z, data->data, data->len, *out, bound);
}

/* The subset program and ToUnicode map of f's CIDs, deflated: those the
 * font file keeps from an earlier document that drew the same code points,
 * or new ones, kept in place of the oldest. NULL when the subset cannot be
 * built. */
static const program *subset_program(pdf_font *f, const char tag[TTF_TAG_LEN],
                                     struct libdeflate_compressor *z)
{
    font_file *ff = f->file;
    for (size_t i = 0; i < PROGRAMS_MAX; i++) {
        const program *pr = &ff->programs[i];
        if (pr->cps && pr->n == f->ncids &&
            (f->ncids == 0 || memcmp(pr->cps, f->cps, f->ncids * sizeof *f->cps) == 0))
            return pr;
    }
    uint16_t *gids = xmalloc((f->ncids + 1) * sizeof *gids);
    for (size_t k = 0; k < f->ncids; k++)
        gids[k] = (uint16_t)cp_glyph(f, f->cps[k]);
    buf raw;
    buf_init(&raw);
    bool ok = ttf_subset_build(ff->ttf, gids, f->cps, f->ncids, tag, &raw);
    free(gids);
    program *pr = NULL;
    if (ok) {
        pr = &ff->programs[ff->next_program];
        ff->next_program = (ff->next_program + 1) % PROGRAMS_MAX;
        free(pr->cps);
        pr->cps = xmalloc((f->ncids + 1) * sizeof *pr->cps);
        if (f->ncids)
            memcpy(pr->cps, f->cps, f->ncids * sizeof *f->cps);
        pr->n = f->ncids;
        pr->raw_len = raw.len;
        deflate_into(z, &raw, &pr->z, &pr->zlen);
        buf_clear(&raw);
        build_to_unicode(f, &raw);
        deflate_into(z, &raw, &pr->map_z, &pr->map_zlen);
        buf_clear(&raw);
        build_widths(f, &raw);
        free(pr->widths);
        buf_putc(&raw, '\0');
        pr->widths = buf_take(&raw);
    }
    buf_fini(&raw);
    return pr;
}

/* Fill f's font object: its map to Unicode, widths, and the subset whose
 * glyph i is the glyph of CID i, so the CIDToGIDMap is /Identity. */
static bool finish_font(pdf_doc *p, pdf_font *f, font_bufs *b, struct libdeflate_compressor *z,
                        diag *d, src_mark at)
{
    buf_clear(&b->cidset);
    buf_clear(&b->name);
    char tag[TTF_TAG_LEN];
    subset_tag(f, tag);
    const program *pr = subset_program(f, tag, z);
    if (!pr) {
        diag_error(d, at, "внутренняя ошибка: в подмножестве шрифта %s больше 65535 глифов",
                   pdf_font_file((int)(f - p->fonts)));
        return false;
    }
    buf_putn(&b->name, tag, TTF_TAG_LEN);
    buf_puts(&b->name, f->info->ps_name[0] ? f->info->ps_name : "Font");
    if (p->pdfa) {
        pdf_pdfa_hash(p, pr->z, pr->zlen);
        pdf_pdfa_cidset(f->ncids + 1, &b->cidset);
    }
    pdf_font_parts parts = {
        .base_font = b->name.data,
        .info = f->info,
        .dw = f->file->notdef & METRIC_WIDTH,
        .widths = pr->widths,
        .to_unicode_z = pr->map_z,
        .to_unicode_zlen = pr->map_zlen,
        .program_z = pr->z,
        .program_zlen = pr->zlen,
        .program_len = pr->raw_len,
        .cidset = p->pdfa ? &b->cidset : NULL,
    };
    return pdf_status_check(p, pdf_hp_font_fill(p->pdf, f->font, &parts), d, at);
}

/* Fonts are filled in the order their objects were made. */
bool pdf_font_finish(pdf_doc *p, struct libdeflate_compressor *z, diag *d, src_mark at)
{
    bool ok = true;
    font_bufs b = {0};
    buf_init(&b.cidset);
    buf_init(&b.name);
    for (size_t i = 0; ok && i < p->nmade; i++)
        ok = finish_font(p, &p->fonts[p->made[i]], &b, z, d, at);
    buf_fini(&b.cidset);
    buf_fini(&b.name);
    return ok;
}
