/* diag: marks and the diagnostics sink. Collects messages in Russian with
 * file:line:col; prints them gcc-style with the source line and a caret.
 * Owns copies of file names and source texts it is given. Any module may
 * include it; only main.c prints what it holds. */
#ifndef NASTAVDOC_DIAG_H
#define NASTAVDOC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

#define DIAG_PRINTF(f, a) UTIL_PRINTF(f, a)

/* A place in an input file. 1-based; col counts characters, not bytes.
 * file NULL means "no place" (messages about the command line or I/O). */
typedef struct src_mark {
    const char *file;
    uint32_t line, col;
} src_mark;

#define DIAG_NOWHERE ((src_mark){NULL, 0, 0})

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag diag;

diag *diag_new(void);
void diag_free(diag *d);

/* A copy of name that lives as long as d: use it in marks. */
const char *diag_file(diag *d, const char *name);
/* Keep the text of file name so messages can quote the line (copied). */
void diag_source(diag *d, const char *name, const char *text, size_t len);
/* Warnings count as errors from now on (--strict). */
void diag_set_strict(diag *d, bool strict);

void diag_error(diag *d, src_mark at, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_warning(diag *d, src_mark at, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_note(diag *d, src_mark at, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_report(diag *d, diag_level level, src_mark at, const char *fmt, va_list ap);

size_t diag_errors(const diag *d); /* includes warnings when strict */
size_t diag_warnings(const diag *d);
size_t diag_count(const diag *d); /* all messages held */

/* Print every message held, in order, then forget them. */
void diag_print(diag *d, FILE *out);
/* The same text into b (for tests). */
void diag_format(diag *d, buf *b);

/* Edit distance in code points (with transpositions), capped at cap+1. */
size_t diag_distance(const char *a, const char *b, size_t cap);
/* The candidate closest to word within a small distance, or NULL. */
const char *diag_suggest(const char *word, const char *const *candidates, size_t n);

#endif
