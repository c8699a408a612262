/* diag: marks and the diagnostics sink. Collects messages in Russian with
 * file:line:col; prints them gcc-style with the source line and a caret.
 * Owns copies of file names and source texts it is given. Any module may
 * include it; only main.c prints what it holds. Memory and output are
 * bounded whatever the input: see the limits below. */
#ifndef NASTAVDOC_DIAG_H
#define NASTAVDOC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util.h"

#define DIAG_PRINTF(f, a) UTIL_PRINTF(f, a)

/* A place in an input file. 1-based; col counts characters, not bytes.
 * file NULL means "no place" (messages about the command line or I/O). */
typedef struct src_mark {
    const char *file;
    uint32_t line, col;
} src_mark;

#define DIAG_NOWHERE ((src_mark){NULL, 0, 0})

/* Limits on what a hostile input can make the sink hold or print. */
#define DIAG_MAX_HELD 100      /* errors and warnings kept per print; the rest are only counted */
#define DIAG_MAX_TEXT 1000     /* bytes of one message text: a quoted 1 MB value is cut */
#define DIAG_QUOTE_CHARS 80    /* characters of a long source line quoted around the column */
#define DIAG_MAX_REPEATS 10000 /* repeats looked for per run: each scans the held messages */

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag diag;

diag *diag_new(void);
void diag_free(diag *d);

/* A copy of name that lives as long as d: use it in marks. */
const char *diag_file(diag *d, const char *name);
/* The names given to diag_file or diag_source, in the order first named:
 * every file a loader read or tried to read (a document, its includes and
 * CSV files, its annex documents, templates), for `nastavdoc watch`; not a
 * file only a message names (the output PDF: watching it, watch would
 * render again after each render of its own). Borrowed. */
size_t diag_file_count(const diag *d);
const char *diag_file_name(const diag *d, size_t i);
/* Keep the text of file name so messages can quote the line (copied). */
void diag_source(diag *d, const char *name, const char *text, size_t len);
/* diag_source without the copy: text (from malloc, len bytes) is d's now,
 * freed at once when name has its text already. */
void diag_source_take(diag *d, const char *name, char *text, size_t len);
/* Warnings count as errors from now on (--strict). */
void diag_set_strict(diag *d, bool strict);

void diag_error(diag *d, src_mark at, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_warning(diag *d, src_mark at, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_note(diag *d, src_mark at, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_report(diag *d, diag_level level, src_mark at, const char *fmt, va_list ap);

size_t diag_errors(const diag *d); /* includes warnings when strict */
size_t diag_warnings(const diag *d);
size_t diag_count(const diag *d); /* all messages held */

/* A point in the message stream: diag_rollback forgets every message reported
 * after it (a file that turned out not to be a template is reported once). */
typedef struct diag_checkpoint {
    size_t nmsgs, errors, warnings, dropped_errors, dropped_warnings, held;
} diag_checkpoint;
diag_checkpoint diag_checkpoint_get(const diag *d);
void diag_rollback(diag *d, diag_checkpoint cp);

/* Print every message held, in order, then forget them; then «…и ещё N
 * ошибок» for those over DIAG_MAX_HELD. Control bytes are escaped. */
void diag_print(diag *d, FILE *out);
/* The same text into b (for tests). */
void diag_format(diag *d, buf *b);

/* Append s[0..len) with control bytes (C0, DEL, C1, bidi overrides) and
 * invalid UTF-8 escaped as \xNN / \uNNNN: input never drives the terminal. */
void diag_escape(buf *b, const char *s, size_t len);

/* The text of errno value err in Russian: the program's table (glibc's
 * Russian texts), else the system's own in the user's locale (which it sets
 * from the environment: LC_MESSAGES and LC_CTYPE). Static. */
const char *diag_strerror(int err);
/* Why util_open_regular refused a file (err, st as it left them): the
 * system's error, or what the file is when it is not a regular file (its
 * EINVAL would read «Недопустимый аргумент»). tmp: room for the text. */
const char *diag_open_error(int err, const struct stat *st, char *tmp, size_t n);

/* Edit distance in code points (with transpositions), capped at cap+1. */
size_t diag_distance(const char *a, const char *b, size_t cap);
/* The candidate closest to word within a small distance, or NULL. */
const char *diag_suggest(const char *word, const char *const *candidates, size_t n);
/* «неизвестный ключ «SHOWN» в WHERE; может быть, «near»?» or «…: здесь
 * допустимы a, b, c …» at `at`: one wording for data and templates. near is
 * the known key closest to key; shown (the key with its path, or NULL for
 * key itself) and where (NULL: none) only change the wording. */
void diag_unknown_key(diag *d, src_mark at, const char *key, const char *shown, const char *where,
                      const char *const *known, size_t n);

#endif
