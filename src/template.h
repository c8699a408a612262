/* template: a template file (YAML) + the data tree of a document -> block
 * tree. Owns the block tree and its strings (one arena per tpl_doc); borrows
 * the data tree while expanding and the diag sink. Included by layout. */
#ifndef NASTAVDOC_TEMPLATE_H
#define NASTAVDOC_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "block.h"
#include "diag.h"
#include "util.h"
#include "yaml_load.h"

/* Caps that keep a hostile dossier or template from growing the output
 * without bound. */
#define TPL_MAX_BLOCKS 200000   /* blocks produced by one expansion (each, content) */
#define TPL_MAX_TEXT (1u << 20) /* bytes of one interpolated text */
#define TPL_MAX_COLUMNS 32      /* a table wider than this cannot be printed legibly */
#define TPL_MAX_ROWS 200000     /* rows of one table */
#define TPL_MAX_WIDTH_MM 1000   /* a column or box wider than a metre is a typo */
#define TPL_MAX_SHARE 1000      /* a column's share of the free width */
#define TPL_MAX_PAGE_FROM 10000 /* page numbers' `from`: beyond any document */
#define TPL_MAX_STAMPS 16       /* approval stamps of one document: eight rows of two */
/* Work of one expansion: every block visited, every `each` pass and every
 * TPL_STEP_BYTES bytes of interpolated text is a step. The budget is
 * TPL_STEP_FACTOR steps per node of the template and the data, and at least
 * TPL_STEP_FLOOR: nested `each` over big lists stops with a message instead
 * of spinning (even when it produces nothing). */
#define TPL_STEP_FACTOR 64
#define TPL_STEP_FLOOR 2000000
#define TPL_STEP_BYTES 256

typedef struct tpl_doc {
    blk_doc doc; /* what layout reads */
    /* private: every string of the tree lives here; it borrows nothing from
     * the template's or the data's node tree, which may be freed at once */
    arena *mem;
} tpl_doc;

/* Expand the template file at path with data (the kind's data tree). Messages
 * about the template point into the template file, messages about data into
 * the data files. NULL on errors (all reported). Caller frees with tpl_doc_free. */
tpl_doc *tpl_expand_file(const char *path, const yl_node *data, diag *d);
/* Template files kept parsed across documents (a batch worker renders one
 * document after another): a file is read and parsed again only when its
 * path, device, inode, modification time or size differ, so an edited
 * template is read anew. Messages about a kept template still name its
 * file:line:col and quote its lines. At most TPL_CACHE_MAX files (the oldest
 * is dropped first); a template whose loading said anything is not kept. */
#define TPL_CACHE_MAX 16
typedef struct tpl_cache tpl_cache;
tpl_cache *tpl_cache_new(void);
void tpl_cache_free(tpl_cache *c); /* NULL: nothing */
/* tpl_expand_file through cache c (NULL: tpl_expand_file itself). */
tpl_doc *tpl_expand_cached(tpl_cache *c, const char *path, const yl_node *data, diag *d);
/* The same with a template already loaded (tests). */
tpl_doc *tpl_expand(const yl_node *tpl, const yl_node *data, diag *d);
void tpl_doc_free(tpl_doc *t);

/* Filters, public for tests. Each returns a fresh string in a (arena-owned) or
 * NULL with a message in *err (a static Russian text). */
const char *tpl_filter(arena *a, const char *name, const char *value, const char **err);

/* The template a document names (`template:`, or its kind's default):
 * NAME (letters, digits, - and _) is a shipped template,
 * data_dir/templates/NAME.yaml; anything else is a file of the dossier folder,
 * relative to it. Absolute paths and paths that leave the dossier (after
 * symlinks are resolved) are refused with a message at `at`. Returns a fresh
 * path (caller frees) or NULL. --template on the command line skips this. */
char *tpl_locate(const char *name, src_mark at, const char *dossier, const char *data_dir, diag *d);

#endif
