/* util: see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* The one mutable global of the program: the out-of-memory exit has no
 * context to find the temporary output it must remove (docs/ARCHITECTURE.md, "Errors and exit
 * codes"). */
static const char *cleanup_path;

void util_set_cleanup_path(const char *path)
{
    cleanup_path = path;
}

static void out_of_memory(void)
{
    fputs("nastavdoc: недостаточно памяти\n", stderr);
    if (cleanup_path)
        remove(cleanup_path);
    exit(3);
}

/* ---- The allocator's set-up ----
 *
 * A render is a short process, and on virtual machines a page touched for the
 * first time is dear (on the one §7 of issue 12 is measured on, 11 µs a 4 KiB
 * page, and 0.15 ms for a whole 2 MiB huge page, scripts/bench.sh). glibc's
 * defaults spend such pages twice: a block of 128 KiB or more (libdeflate's
 * compressor, libharu's encoders) is a mapping of its own, faulted in page by
 * page and unmapped when freed, and the top of the heap is given back and
 * faulted in again as it shrinks and grows. So every block comes from the heap
 * and what is freed stays there, reused by the next document of a batch
 * worker; and the heap starts at a huge page boundary, marked for huge pages,
 * so its first megabytes cost one fault each 2 MiB. Where the system has no
 * transparent huge pages (or only "never"), the advice is ignored. */

/* Blocks at least this large still get a mapping of their own (and give it
 * back when freed): a bound on what a rare huge input leaves in the heap. */
#define HEAP_MMAP_MIN (32u << 20)
/* Free memory at the top of the heap is given back above this much only. */
#define HEAP_KEEP (64u << 20)
/* The part of the heap marked for huge pages (address space, not memory:
 * only the huge pages touched are resident, one at a time as the heap grows),
 * and the size of a huge page on x86-64 and on arm64 with 4 KiB pages (where
 * it differs, the advice simply brings nothing). */
#ifndef HEAP_HUGE_BYTES
#define HEAP_HUGE_BYTES (4u << 20)
#endif
#define HEAP_HUGE_PAGE (2u << 20)
/* glibc's default margin of each heap extension (mallopt(3)), put back once
 * the heap is there */
#define HEAP_TOP_PAD (128 * 1024)

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define HEAP_FOREIGN_MALLOC 1 /* clang's sanitizers bring their own malloc */
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HEAP_FOREIGN_MALLOC 1
#endif

#if defined(__GLIBC__) && defined(MADV_HUGEPAGE) && !defined(HEAP_FOREIGN_MALLOC)
/* glibc's malloc starts its heap at the program break on its first call: the
 * break is moved to one page below a huge page boundary first, so the heap's
 * first page (malloc's own records and the first small blocks, touched at
 * once) is an ordinary one and the huge pages above it are untouched when
 * they are marked. Nothing is marked when malloc was called before (the heap
 * is elsewhere) or is not glibc's (a preloaded one, valgrind). */
static void heap_on_huge_pages(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *end = sbrk(0);
    if (page <= 0 || end == (void *)-1)
        return;
    uintptr_t at =
        ((uintptr_t)end + (uintptr_t)page + HEAP_HUGE_PAGE - 1) & ~(uintptr_t)(HEAP_HUGE_PAGE - 1);
    if (sbrk((intptr_t)(at - (uintptr_t)page - (uintptr_t)end)) == (void *)-1)
        return;
    /* the first call extends the heap by the huge part at once */
    mallopt(M_TOP_PAD, (int)HEAP_HUGE_BYTES);
    void *volatile first = malloc(1); /* volatile: the call is not optimised out */
    uintptr_t f = (uintptr_t)first;
    char *now = sbrk(0);
    if (f >= at - (uintptr_t)page && f < at && now != (void *)-1 &&
        (uintptr_t)now >= at + HEAP_HUGE_BYTES)
        madvise((void *)at, HEAP_HUGE_BYTES, MADV_HUGEPAGE);
    free(first);
    mallopt(M_TOP_PAD, HEAP_TOP_PAD);
}

void util_heap_init(void)
{
    mallopt(M_MMAP_THRESHOLD, (int)HEAP_MMAP_MIN);
    mallopt(M_TRIM_THRESHOLD, (int)HEAP_KEEP);
    heap_on_huge_pages();
}

/* A forked process shares its parent's heap pages until it writes them, and
 * the kernel copies a shared huge page 4 KiB at a time: a batch worker that
 * carved its blocks out of its parent's huge page took ~170 page faults more
 * for its first order than a fresh process does (scripts/bench.sh). So in
 * the worker the top of the heap (malloc's free end, which glibc keeps at
 * the program break) is moved up to a huge page boundary above anything the
 * parent touched, by blocks touched only at their header and never freed,
 * and the region above, new to this process, is marked for huge pages
 * before its first byte is written: the worker's blocks come from pages of
 * its own, 2 MiB a fault. Each pad is checked to be carved from the top;
 * any other outcome (a free block of that size reused) ends the set-up with
 * the heap as it is, which is merely slower. */
#if __GLIBC_PREREQ(2, 33)        /* mallinfo2 */
static void *heap_fresh_pads[2]; /* kept for the process's life */

/* The block from the top of the heap up to at (at above the top), the heap
 * extended by top_pad beyond it; NULL, nothing kept, when malloc served it
 * from anywhere else. */
static void *heap_pad_to(uintptr_t at, size_t top_pad)
{
    /* mallopt merges the small free blocks first (malloc_consolidate), as
     * a large request would: one next to the top becomes part of it */
    mallopt(M_TOP_PAD, (int)top_pad);
    char *end = sbrk(0);
    size_t keep = mallinfo2().keepcost; /* the top chunk's size */
    void *pad = NULL;
    uintptr_t top = (uintptr_t)end - keep; /* the top chunk's header */
    /* a request of chunk - 16 bytes is a chunk of exactly at - top bytes
     * (16-byte chunks, an 8-byte header) */
    if (end != (void *)-1 && keep <= (uintptr_t)end && at > top + 64)
        pad = malloc(at - top - 2 * sizeof(size_t));
    mallopt(M_TOP_PAD, HEAP_TOP_PAD);
    if (pad && (uintptr_t)pad == top + 2 * sizeof(size_t))
        return pad;
    free(pad);
    return NULL;
}

void util_heap_fresh(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *end = sbrk(0);
    if (heap_fresh_pads[0] || page <= 0 || end == (void *)-1)
        return;
    /* 1: past the heap's end, which extends it (the new top's header is
     * written on an ordinary page); 2: up to the next huge page boundary,
     * once the region above it is marked */
    uintptr_t past = (uintptr_t)end + (uintptr_t)page;
    if (!(heap_fresh_pads[0] = heap_pad_to(past, HEAP_HUGE_BYTES + 2 * HEAP_HUGE_PAGE)))
        return;
    uintptr_t at = (past + (uintptr_t)page + HEAP_HUGE_PAGE - 1) & ~(uintptr_t)(HEAP_HUGE_PAGE - 1);
    char *now = sbrk(0);
    if (now == (void *)-1 || (uintptr_t)now < at + HEAP_HUGE_BYTES)
        return;
    madvise((void *)at, HEAP_HUGE_BYTES, MADV_HUGEPAGE);
    heap_fresh_pads[1] = heap_pad_to(at, HEAP_TOP_PAD);
}
#else
void util_heap_fresh(void)
{
}
#endif
#else
void util_heap_init(void)
{
}

void util_heap_fresh(void)
{
}
#endif

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

/* Arena: a chain of blocks; big requests get a block of their own. */
enum { ARENA_BLOCK = 64 * 1024, ARENA_ALIGN = 16 };

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} arena_block;

struct arena {
    arena_block *head;
};

arena *arena_new(void)
{
    return xcalloc(1, sizeof(arena));
}

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (n == 0)
        n = ARENA_ALIGN;
    arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
        arena_block *nb = xmalloc(sizeof(arena_block) + cap);
        nb->used = 0;
        nb->cap = cap;
        if (b && cap != ARENA_BLOCK) {
            /* keep the current block for small requests */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *p = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_fini(&b);
    return p;
}

void buf_init(buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_fini(buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_clear(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Room for extra more bytes and the NUL: the check inline, the growth
 * (doubling, so appends cost O(1) amortised) out of line. */
static void buf_realloc(buf *b, size_t extra)
{
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

static inline void buf_grow(buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        buf_realloc(b, extra);
}

void buf_putn(buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    buf_putn(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
    buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_put_cp(buf *b, uint32_t cp)
{
    buf_grow(b, 4);
    b->len += utf8_encode(cp, b->data + b->len);
    b->data[b->len] = '\0';
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    /* straight into the room there is; formatted a second time only when
     * it did not fit */
    size_t room = b->cap - b->len;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        if (room)
            b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_take(buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    buf_init(b);
    return p;
}

size_t utf8_decode_any(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0)
        return 0;
    uint32_t c = u[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

size_t utf8_check(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (!n)
            return i;
        i += n;
    }
    return len;
}

/* The bytes util_file_format looks at for UTF-16 without its mark: a few
 * lines of a table or a document. */
#define FORMAT_SNIFF_BYTES 512

file_format util_file_format(const char *text, size_t len)
{
    static const struct {
        const char *magic;
        size_t n;
        file_format f;
    } marks[] = {
        {"\xFF\xFE", 2, FILE_UTF16LE}, {"\xFE\xFF", 2, FILE_UTF16BE},
        {"PK\x03\x04", 4, FILE_ZIP},   {"\xD0\xCF\x11\xE0", 4, FILE_OLE},
        {"{\\rtf", 5, FILE_RTF},
    };
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (len >= marks[i].n && memcmp(text, marks[i].magic, marks[i].n) == 0)
            return marks[i].f;
    /* UTF-16 without its mark: each ASCII character (a space, «:», «;», a
     * digit, a Latin letter) has a NUL byte beside it, all on one side (odd
     * offsets little-endian, even big-endian), while a Cyrillic letter has
     * 0x04 there; text has no NUL, and binary data has them on both sides */
    size_t n = len < FORMAT_SNIFF_BYTES ? len : FORMAT_SNIFF_BYTES, nul[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        nul[i & 1] += text[i] == '\0';
    if (!nul[0] != !nul[1] && nul[0] + nul[1] >= 2)
        return FILE_UTF16_NO_MARK;
    return FILE_TEXT;
}

size_t utf8_count(const char *s, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

const char *util_file_kind(unsigned mode)
{
    if (S_ISFIFO(mode))
        return "именованный канал (FIFO)";
    if (S_ISCHR(mode))
        return "символьное устройство";
    if (S_ISBLK(mode))
        return "блочное устройство";
    if (S_ISSOCK(mode))
        return "сокет";
    if (S_ISDIR(mode))
        return "папка";
    return "не обычный файл";
}

int util_open_regular(const char *path, struct stat *st)
{
    /* stat first: a device is never opened (opening one can have effects) */
    if (stat(path, st) != 0)
        return -1;
    if (!S_ISREG(st->st_mode)) {
        errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    /* O_NONBLOCK: a FIFO put in the file's place since the stat must not
     * block the open; fstat below then refuses it */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    int e = 0;
    if (fstat(fd, st) != 0)
        e = errno;
    else if (!S_ISREG(st->st_mode))
        e = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

char *util_read_fd(int fd, size_t max, size_t *len)
{
    /* A regular file is read straight into a buffer of its size (one read, no
     * copies); anything else, or a file that grows meanwhile, in doubling steps. */
    struct stat st;
    size_t cap = 65536;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (uintmax_t)st.st_size <= max)
        cap = (size_t)st.st_size + 2; /* the NUL, and a byte to see the end in */
    char *data = xmalloc(cap);
    size_t n = 0;
    for (;;) {
        if (n + 1 == cap) { /* full: room for one more chunk and the NUL */
            if (n >= max) {
                free(data);
                errno = EFBIG;
                return NULL;
            }
            cap = cap * 2 > max + 1 ? max + 2 : cap * 2;
            data = xrealloc(data, cap);
        }
        ssize_t r = read(fd, data + n, cap - 1 - n);
        if (r == 0)
            break;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(data);
            errno = e;
            return NULL;
        }
        n += (size_t)r;
    }
    if (n > max) {
        free(data);
        errno = EFBIG;
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

char *util_read_file(const char *path, size_t max, size_t *len)
{
    struct stat st;
    int fd = util_open_regular(path, &st);
    if (fd < 0)
        return NULL;
    char *data = util_read_fd(fd, max, len);
    int e = errno;
    close(fd);
    errno = e;
    return data;
}

bool util_path_below(const char *real, const char *dir)
{
    size_t n = strlen(dir);
    return n && !strncmp(real, dir, n) && (real[n] == '/' || real[n] == '\0' || dir[n - 1] == '/');
}

/* What a folder is to the data search: none, a folder to take, or one every user can write
 * (DATA_UNTRUSTED), which the program does not take its data from unasked. The search goes up from
 * the binary's folder, so a binary copied to /tmp/x would otherwise take fonts/ and templates/ that
 * any user could put in /tmp (a template decides what the PDF says). The owner is not checked:
 * `sudo make demo` in a user's checkout runs as root on the user's folders, and whoever owns them
 * could change the binary too. A folder named by --data-dir or NASTAVDOC_DATA is the user's choice
 * and is not checked. */
enum { DATA_NONE, DATA_OK, DATA_UNTRUSTED };
static int folder_kind(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return DATA_NONE;
    return st.st_mode & S_IWOTH ? DATA_UNTRUSTED : DATA_OK;
}

/* Is dir the program's data: fonts/ and templates/ in it? DATA_UNTRUSTED
 * when they are but one of the three folders is. A path too long for
 * PATH_MAX is not (never a cut one, which names another folder). */
static int data_dir_kind(const char *dir)
{
    char fonts[PATH_MAX], templates[PATH_MAX];
    if ((size_t)snprintf(fonts, sizeof fonts, "%s/fonts", dir) >= sizeof fonts ||
        (size_t)snprintf(templates, sizeof templates, "%s/templates", dir) >= sizeof templates)
        return DATA_NONE;
    int f = folder_kind(fonts), t = folder_kind(templates);
    if (!f || !t)
        return DATA_NONE;
    int d = folder_kind(dir);
    return d == DATA_UNTRUSTED || f == DATA_UNTRUSTED || t == DATA_UNTRUSTED ? DATA_UNTRUSTED
                                                                             : DATA_OK;
}

#ifndef NASTAVDOC_DATADIR
#define NASTAVDOC_DATADIR "/usr/local/share/nastavdoc"
#endif

/* Note dir among the folders tried; true when it holds the data. */
static bool try_data_dir(buf *tried, const char *dir)
{
    int kind = data_dir_kind(dir);
    if (tried)
        buf_printf(tried, "%s%s%s", tried->len ? ", " : "", dir,
                   kind == DATA_UNTRUSTED ? " (не взята: эту папку может менять любой "
                                            "пользователь)"
                                          : "");
    return kind == DATA_OK;
}

char *util_data_dir(buf *tried)
{
    const char *env = getenv("NASTAVDOC_DATA");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *bindir = xstrdup(dirname(exe)); /* dirname may write into its argument */
        char *dir = xstrdup(bindir);
        for (int up = 0; up < 3; up++) {
            if (try_data_dir(tried, dir)) {
                free(bindir);
                return dir;
            }
            if (!strcmp(dir, "/"))
                break;
            char *parent = xstrdup(dirname(dir));
            free(dir);
            dir = parent;
        }
        free(dir);
        char share[PATH_MAX + 32];
        snprintf(share, sizeof share, "%s/../share/nastavdoc", bindir);
        free(bindir);
        if (try_data_dir(tried, share))
            return xstrdup(share);
    }
    if (try_data_dir(tried, NASTAVDOC_DATADIR))
        return xstrdup(NASTAVDOC_DATADIR);
    return NULL;
}

bool util_same_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

bool util_read_full(int fd, void *p, size_t n)
{
    char *at = p;
    while (n) {
        ssize_t got = read(fd, at, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        at += got;
        n -= (size_t)got;
    }
    return true;
}

bool util_write_full(int fd, const void *p, size_t n)
{
    const char *at = p;
    while (n) {
        ssize_t put = write(fd, at, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return false;
        at += put;
        n -= (size_t)put;
    }
    return true;
}
