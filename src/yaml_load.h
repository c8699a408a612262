/* yaml_load: YAML files -> node tree with marks. The only module that calls
 * libyaml. Owns the tree and all its strings (one arena per yl_doc); borrows
 * the diag sink for messages and file names. Includes and limits live here. */
#ifndef NASTAVDOC_YAML_LOAD_H
#define NASTAVDOC_YAML_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "util.h"

typedef enum { YL_SCALAR, YL_SEQ, YL_MAP } yl_kind;

typedef struct yl_node yl_node;
typedef struct yl_pair {
    yl_node *key; /* always a YL_SCALAR */
    yl_node *value;
} yl_pair;

/* A node takes 40 bytes: a CSV of 50,000 answers makes a node per answer
 * (scripts/bench.sh, issue 11), so every byte of it counts. kind, plain and
 * len share four bytes as bit-fields; n has four; items and pairs, of which
 * a node has at most one by its kind, share eight. Every other field keeps
 * its own place, so a field read on a node of the wrong kind still reads
 * what it always did: NULL for str, 0 for len and n (the fields are zeroed
 * where the node is made). Only items and pairs alias: code reads them after
 * checking kind (or n is 0). */
struct yl_node {
    yl_kind kind : 2;
    /* YL_SCALAR: plain is true for unquoted scalars (only they can mean
     * null/true/number) */
    bool plain : 1;
    /* YL_SCALAR: bytes of str without its NUL, at most YL_MAX_LEN; a value
     * of this bit-field is an int in arithmetic (it never reaches 2^29) */
    uint32_t len : 29;
    /* YL_SEQ: items[0..n); YL_MAP: pairs[0..n), keys unique, in file order.
     * Each of them takes 8 bytes in memory: n never nears 2^32. */
    uint32_t n;
    src_mark mark; /* where the node starts (1-based line and column) */
    /* YL_SCALAR: NUL-terminated, valid UTF-8; NULL for the other kinds */
    const char *str;
    union {
        yl_node **items;
        yl_pair *pairs;
    };
};

/* Limits; each protects the program from one kind of hostile or broken file. */
#define YL_MAX_FILE_SIZE (4u << 20) /* a dossier file over 4 MiB is not text a school wrote */
#define YL_MAX_DEPTH 64             /* nesting of maps and sequences: stack depth of every walk */
#define YL_MAX_INCLUDE_DEPTH 16     /* chains of include below the document: recursion depth */
/* Names of a folder read to find the file a newcomer meant when the one
 * named is missing («School.yaml» for «school.yaml»): a dossier folder holds
 * tens of files, and a folder of millions is not searched to the end. */
#define YL_TWIN_MAX_ENTRIES 10000
/* Aliases: the nodes reachable through alias expansion may not exceed
 * YL_ALIAS_FACTOR times the nodes actually written, nor fall under the floor;
 * a "billion laughs" file fails at load time instead of eating memory later. */
#define YL_ALIAS_FACTOR 10
#define YL_ALIAS_FLOOR 10000
/* Bytes of one scalar (yl_node.len, 29 bits). A loaded scalar is at most
 * 3 * YL_MAX_FILE_SIZE (a Windows-1251 CSV grows at most threefold in
 * UTF-8); computed ones (kinds, templates) join a few loaded ones, and an
 * interpolated text stops at TPL_MAX_TEXT (template.h). Were one ever
 * longer, len would keep its low 29 bits: shorter than str, never a read
 * past its NUL. */
#define YL_MAX_LEN ((1u << 29) - 1)
_Static_assert(3 * (unsigned long long)YL_MAX_FILE_SIZE <= YL_MAX_LEN, "a file's scalar fits len");
_Static_assert(sizeof(yl_node) == 40, "yl_node: 40 bytes (see the comment above it)");

typedef struct yl_doc yl_doc;

/* Load path (a document file). The folder of path is the dossier: includes are
 * resolved relative to the including file and must stay inside it. The top-level
 * key "include" (a path or a list of paths) merges each included file's
 * top-level map into this one; keys written in the including file win.
 * A file included twice is merged once; between two included files the first
 * wins (with a warning). An include item may also be a map KEY: FILE (and
 * include itself such a map): the whole file becomes the value of KEY, a
 * CSV file (named *.csv) the list of its rows (csv_load.h).
 * Aliases become shared nodes: the tree is a DAG.
 * Reports every problem found into d; returns NULL when any error was reported. */
yl_doc *yl_load_file(const char *path, diag *d);
/* yl_load_file, also handing over the file's text as d quotes it (without a
 * byte order mark), for a caller that keeps the tree and registers the text
 * with another diag later (diag_source). *text: caller frees; NULL when the
 * load fails. */
yl_doc *yl_load_file_text(const char *path, diag *d, char **text, size_t *len);
/* yl_load_file, or yl_load_file_text when text is not NULL, taking the
 * tree from the file compiled (yaml_compiled.h) when that holds the tree of
 * path's present text; compiled may be NULL or name a missing file. */
yl_doc *yl_load_compiled(const char *path, const char *compiled, diag *d, char **text, size_t *len);
/* yl_load_file for text in memory (name is used in marks and registered with diag);
 * "include" is not processed there and stays an ordinary key. */
yl_doc *yl_load_string(const char *name, const char *text, size_t len, diag *d);
void yl_doc_free(yl_doc *doc);
const yl_node *yl_doc_root(const yl_doc *doc);
/* The document's own file name as given, and the dossier folder (borrowed).
 * yl_doc_dossier is the folder of the path as given ("." when it has none),
 * NULL for a document loaded from memory. */
const char *yl_doc_path(const yl_doc *doc);
const char *yl_doc_dossier(const yl_doc *doc);
/* A file a document was read from: its name as shown in marks and its
 * identity (st_dev, st_ino), e.g. to refuse an output that would replace it. */
typedef struct yl_file {
    const char *path;
    dev_t dev;
    ino_t ino;
} yl_file;
/* The files doc was read from: the document first, then every included file
 * once (none for a document loaded from memory). Borrowed; *n gets the count. */
const yl_file *yl_doc_files(const yl_doc *doc, size_t *n);

/* Lookups; NULL when absent or when node is not of the right kind. */
const yl_node *yl_map_get(const yl_node *map, const char *key);
/* Scalar string or NULL. */
const char *yl_str(const yl_node *n);
/* Plain scalar "null" (also "Null", "NULL"), "~" or empty: true; NULL n: false. */
bool yl_is_null(const yl_node *n);
const char *yl_kind_name(yl_kind k); /* «строка», «список», «словарь» */

#endif
