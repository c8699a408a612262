/* util: allocation that never returns NULL, an arena, a growable buffer and
 * UTF-8 decoding. Owns nothing beyond what each object holds. Any module may
 * include it. */
#ifndef NASTAVDOC_UTIL_H
#define NASTAVDOC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#if defined(__GNUC__)
#define UTIL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define UTIL_PRINTF(f, a)
#endif

/* The xmalloc family: on exhaustion print «недостаточно памяти», remove the
 * registered temporary output (util_set_cleanup_path) and exit with 3. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Path removed by the out-of-memory exit; NULL clears it. Borrowed. */
void util_set_cleanup_path(const char *path);
/* Process-wide set-up of the allocator, first thing in main, before any
 * allocation: malloc keeps what is freed for reuse and serves large blocks
 * from its heap, whose first megabytes sit on transparent huge pages where
 * the system has them. Does nothing in sanitizer builds; never fails. */
void util_heap_init(void);
/* In a process just forked: the blocks it allocates from now on come from
 * heap pages its parent never touched, again on huge pages, so it does not
 * copy its parent's pages one by one as it writes them. Does nothing where
 * util_heap_init does nothing; never fails. */
void util_heap_fresh(void);

/* Arena: many small allocations freed at once. arena_free(NULL) is a no-op. */
typedef struct arena arena;
arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n); /* zeroed, aligned for any type */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) UTIL_PRINTF(2, 3);

/* Growable byte buffer, always NUL-terminated once anything was added. */
typedef struct buf {
    char *data;
    size_t len, cap;
} buf;
void buf_init(buf *b);
void buf_fini(buf *b);
void buf_clear(buf *b);
void buf_putn(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_put_cp(buf *b, uint32_t cp); /* UTF-8 encode one code point */
void buf_printf(buf *b, const char *fmt, ...) UTIL_PRINTF(2, 3);
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Hand the bytes over; the buffer is empty afterwards. Caller frees. */
char *buf_take(buf *b);

/* UTF-8. utf8_decode reads one code point from s[0..len); returns the bytes
 * used, or 0 for an invalid or truncated sequence (overlongs and surrogates
 * are invalid). */
size_t utf8_decode_any(const char *s, size_t len, uint32_t *cp);
/* ASCII and two-byte sequences (all of Cyrillic) are decoded inline: the
 * layout decodes every character of a document several times. */
static inline size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len && u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (len >= 2 && u[0] >= 0xC2 && u[0] <= 0xDF && (u[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    return utf8_decode_any(s, len, cp);
}
/* The one policy for bad bytes in text that was not checked: an invalid or
 * truncated sequence reads as U+FFFD and uses one byte, so a walk always
 * moves on. len must be > 0. */
static inline size_t utf8_next(const char *s, size_t len, uint32_t *cp)
{
    size_t n = utf8_decode(s, len, cp);
    if (n)
        return n;
    *cp = 0xFFFD;
    return 1;
}
/* Offset of the first invalid byte, or len when all of s is valid. */
size_t utf8_check(const char *s, size_t len);
/* What a file the user meant as text is, by its first bytes (after any
 * UTF-8 byte order mark): what Windows programs save when another format is
 * picked. Each reader names it in its own words (yaml_load, csv_load). */
typedef enum {
    FILE_TEXT,    /* none of the below */
    FILE_UTF16LE, /* FF FE (Notepad's «Юникод», Excel's «Текст в Юникоде») */
    FILE_UTF16BE, /* FE FF */
    FILE_UTF16_NO_MARK, /* NULs on one side of the bytes (iconv -t UTF-16LE) */
    FILE_ZIP,           /* PK 03 04: .docx, .xlsx, .ods, an archive */
    FILE_OLE,           /* D0 CF 11 E0: .doc, .xls of Office 97-2003 */
    FILE_RTF,           /* {\rtf */
} file_format;
file_format util_file_format(const char *text, size_t len);
/* Number of code points in valid UTF-8. */
size_t utf8_count(const char *s, size_t len);
size_t utf8_encode(uint32_t cp, char out[4]);

/* Input files. Only regular files are read, and nothing blocks: a FIFO,
 * device or socket in a file's place is refused, never waited on.
 * util_open_regular opens path for reading (O_CLOEXEC); -1 with errno set on
 * failure: EISDIR for a folder, EINVAL for any other file that is not a
 * regular file. st receives the file's status whenever stat succeeded (its
 * st_mode then tells what was refused). */
int util_open_regular(const char *path, struct stat *st);
/* Are a and b the status of one version of one file: the same device and
 * inode, size, and modification time to the nanosecond? What a long-lived
 * process (a batch worker, watch) keeps of a file it read is good while
 * this holds; a file replaced or rewritten fails it (unless its time is set
 * back as well). */
bool util_same_version(const struct stat *a, const struct stat *b);
/* What a file of st_mode `mode` is, in Russian, for messages about a file
 * that is not a regular one («именованный канал (FIFO)», «папка» …). */
const char *util_file_kind(unsigned mode);
/* Everything left in fd, NUL-terminated; NULL with errno set on a read error
 * or when it exceeds max bytes (errno = EFBIG). Caller frees and closes fd. */
char *util_read_fd(int fd, size_t max, size_t *len);
/* Exactly n bytes from or to fd (a pipe), retried on EINTR and short
 * transfers; false at end of file or on an error. */
bool util_read_full(int fd, void *p, size_t n);
bool util_write_full(int fd, const void *p, size_t n);
/* util_open_regular and util_read_fd in one. Caller frees. */
char *util_read_file(const char *path, size_t max, size_t *len);

/* The folder holding the shipped data (fonts/, templates/, data/, the
 * hyphenation dictionary), in this order: $NASTAVDOC_DATA (which --data-dir
 * sets), the repository the executable was built in (./nastavdoc,
 * build/nastavdoc, build/san/nastavdoc: the folder or one of its two
 * parents with fonts/ and templates/), PREFIX/share/nastavdoc beside an
 * installed PREFIX/bin/nastavdoc (a tree moved whole still works), and the
 * folder `make install` wrote (NASTAVDOC_DATADIR). The variable is taken as
 * given (a folder without the data is reported where it is used). NULL when
 * no candidate holds the data; the places tried are added to *tried (may be
 * NULL). Caller frees. */
char *util_data_dir(buf *tried);
/* Is the resolved path real the folder dir or below it (both realpaths)?
 * The one confinement test of includes, templates and annex documents. */
bool util_path_below(const char *real, const char *dir);

#endif
