/* para_memo: a bounded memo of set paragraphs, kept by para.c for the
 * process (a batch worker's documents, watch's renders, a document's
 * repeated cells). Owns copies of what it is given; borrows nothing after a
 * call returns. Knows nothing of fonts or styles: para.c builds the key
 * (which inputs it holds, and why: docs/typesetting.md §4). Included by
 * para.c and the tests only. */
#ifndef NASTAVDOC_PARA_MEMO_H
#define NASTAVDOC_PARA_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linebreak.h"

/* Everything a paragraph's setting before its lines are emitted reads.
 * Compared whole on a hit (the numbers bit for bit, the text byte for
 * byte), never trusted by its hash alone. */
typedef struct para_memo_key {
    uint64_t font;    /* the face's identity (layout_fonts.identity), never 0 */
    const void *dict; /* the hyphenation dictionary, or NULL */
    double size_pt, letter_spacing_pt, width_pt, first_indent_pt;
    unsigned flags;   /* para.c's KEY_* bits */
    const char *text; /* the text as the block holds it (not NUL-terminated here) */
    size_t len;
    uint64_t hash; /* para_memo_hash of the fields above, set by the caller */
} para_memo_key;

/* What the setting made: the prepared text, the lines, and the items of the
 * chosen pass with the text range of each. */
typedef struct para_memo_val {
    const char *text; /* NUL-terminated when returned by para_memo_get */
    size_t len;
    const lb_line *lines;
    size_t nlines;
    const lb_item *items;
    const size_t *from, *to;
    size_t nitems;
} para_memo_val;

typedef struct para_memo para_memo;

/* A memo that holds at most max_bytes (entries with their key and value,
 * their table, and the hashes of the keys met). Caller frees with para_memo_free (NULL is a no-op).
 */
para_memo *para_memo_new(size_t max_bytes);
void para_memo_free(para_memo *m);
/* The hash of k's fields (not of k->hash): O(k->len). */
uint64_t para_memo_hash(const para_memo_key *k);
/* The value stored under k into *out: borrowed, valid until the next
 * para_memo_put or para_memo_free. false when k is not stored. */
bool para_memo_get(const para_memo *m, const para_memo_key *k, para_memo_val *out);
/* Was a key of k's hash met before (by this call: an earlier one)? Notes
 * it for the next call. The caller stores a setting only the second time
 * its key is met: most paragraphs are set once, and copying each costs
 * memory the process touches for the first time (docs/typesetting.md §4).
 * A hash met by another key only makes a setting stored a time early. */
bool para_memo_again(para_memo *m, const para_memo_key *k);
/* Store a copy of k and v. When that would pass the bound, every entry is
 * dropped first; an entry larger than the bound on its own is not stored
 * (false). A key stored already keeps its first value (false). */
bool para_memo_put(para_memo *m, const para_memo_key *k, const para_memo_val *v);
/* The bytes held (never above the bound) and the entries. */
size_t para_memo_bytes(const para_memo *m);
size_t para_memo_count(const para_memo *m);

#endif
