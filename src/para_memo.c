/* para_memo: the memo of set paragraphs. A hash table (open addressing,
 * linear probing, at most half full) of entries, each one block holding its
 * key's text and its value; the bytes of the blocks and of the table are
 * counted, and when a new entry would pass the bound every entry goes
 * (each entry is made once and dropped once: the work stays linear in what
 * is stored). Beside it, the hashes of the keys met (para_memo_again), in
 * a share of the bound of their own. */
#include "para_memo.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

/* The table's first size, in slots (a power of two). */
#define MEMO_FIRST_SLOTS 64
/* The share of the bound kept for the hashes of the keys met (para_memo_again):
 * an eighth, 8 bytes a slot, at most half full: 1 MiB, 65536 keys, of 8 MiB. */
#define MEMO_SEEN_SHARE 8
#define MEMO_SEEN_FIRST 64

typedef struct memo_entry {
    para_memo_key key;
    para_memo_val val;
} memo_entry;

struct para_memo {
    size_t entries_max; /* the bound less the memo itself and the most seen may take */
    size_t bytes;       /* the entries' blocks and their table */
    memo_entry **slots;
    size_t nslots, count;
    /* the hashes of the keys met (0: an empty slot), at most seen_max slots */
    uint64_t *seen;
    size_t nseen_slots, nseen, seen_max;
};

/* ---- hashing ---------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x9E3779B97F4A7C15u;
    return h ^ (h >> 32);
}

static uint64_t mix_double(uint64_t h, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    return mix(h, v);
}

/* The text's hash is keyed (hash.h): a document's paragraphs are the user's
 * to choose. The other fields come from templates and styles, a few values
 * each; each mix is one-to-one in h, so two keys alike in them collide only
 * when their texts' keyed hashes do. */
uint64_t para_memo_hash(const para_memo_key *k)
{
    uint64_t h = mix(hash_bytes(k->text, k->len), k->font);
    h = mix(h, (uint64_t)(uintptr_t)k->dict);
    h = mix_double(h, k->size_pt);
    h = mix_double(h, k->letter_spacing_pt);
    h = mix_double(h, k->width_pt);
    h = mix_double(h, k->first_indent_pt);
    h = mix(h, k->flags);
    return mix(h, k->len);
}

static bool same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static bool same_key(const para_memo_key *a, const para_memo_key *b)
{
    return a->hash == b->hash && a->font == b->font && a->dict == b->dict &&
           same_double(a->size_pt, b->size_pt) &&
           same_double(a->letter_spacing_pt, b->letter_spacing_pt) &&
           same_double(a->width_pt, b->width_pt) &&
           same_double(a->first_indent_pt, b->first_indent_pt) && a->flags == b->flags &&
           a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* ---- the table -------------------------------------------------------- */

para_memo *para_memo_new(size_t max_bytes)
{
    para_memo *m = xcalloc(1, sizeof *m);
    size_t seen_bytes = max_bytes / MEMO_SEEN_SHARE;
    for (m->seen_max = MEMO_SEEN_FIRST; 2 * m->seen_max * sizeof(uint64_t) <= seen_bytes;)
        m->seen_max *= 2;
    if (m->seen_max * sizeof(uint64_t) > seen_bytes)
        m->seen_max = 0; /* a bound too small for it: no key is met again */
    size_t reserved = sizeof *m + m->seen_max * sizeof(uint64_t);
    m->entries_max = max_bytes > reserved ? max_bytes - reserved : 0;
    return m;
}

static void drop_all(para_memo *m)
{
    for (size_t i = 0; i < m->nslots; i++)
        free(m->slots[i]);
    free(m->slots);
    m->slots = NULL;
    m->bytes = 0;
    m->nslots = m->count = 0;
}

void para_memo_free(para_memo *m)
{
    if (!m)
        return;
    drop_all(m);
    free(m->seen);
    free(m);
}

size_t para_memo_bytes(const para_memo *m)
{
    return sizeof *m + m->bytes + m->nseen_slots * sizeof *m->seen;
}

/* Place hash h in the seen table (not there, and room for it). */
static void seen_place(uint64_t *seen, size_t nslots, uint64_t h)
{
    size_t i = (size_t)h & (nslots - 1);
    while (seen[i])
        i = (i + 1) & (nslots - 1);
    seen[i] = h;
}

/* Room in the seen table for one more hash: it doubles up to seen_max
 * slots, and when full there it forgets every hash (as the entries go). */
static void seen_room(para_memo *m)
{
    if (2 * (m->nseen + 1) <= m->nseen_slots)
        return;
    if (m->nseen_slots == m->seen_max) {
        memset(m->seen, 0, m->nseen_slots * sizeof *m->seen);
        m->nseen = 0;
        return;
    }
    size_t n = m->nseen_slots ? 2 * m->nseen_slots : MEMO_SEEN_FIRST;
    uint64_t *seen = xcalloc(n, sizeof *seen);
    for (size_t i = 0; i < m->nseen_slots; i++)
        if (m->seen[i])
            seen_place(seen, n, m->seen[i]);
    free(m->seen);
    m->seen = seen;
    m->nseen_slots = n;
}

bool para_memo_again(para_memo *m, const para_memo_key *k)
{
    uint64_t h = k->hash ? k->hash : 1; /* 0 marks an empty slot */
    if (m->nseen_slots) {
        /* at most half full: the walk ends at an empty slot */
        size_t mask = m->nseen_slots - 1;
        for (size_t i = (size_t)h & mask; m->seen[i]; i = (i + 1) & mask)
            if (m->seen[i] == h)
                return true;
    }
    if (!m->seen_max)
        return false;
    seen_room(m);
    seen_place(m->seen, m->nseen_slots, h);
    m->nseen++;
    return false;
}

size_t para_memo_count(const para_memo *m)
{
    return m->count;
}

/* The slot of key k: its entry's, or the empty one where it would go. */
static memo_entry **find_slot(const para_memo *m, const para_memo_key *k)
{
    size_t mask = m->nslots - 1;
    for (size_t i = (size_t)k->hash & mask;; i = (i + 1) & mask) {
        memo_entry *e = m->slots[i];
        if (!e || same_key(&e->key, k))
            return &m->slots[i];
    }
}

bool para_memo_get(const para_memo *m, const para_memo_key *k, para_memo_val *out)
{
    if (!m->count)
        return false;
    memo_entry *e = *find_slot(m, k);
    if (!e)
        return false;
    *out = e->val;
    return true;
}

/* Double the table (its entries placed again). */
static void grow(para_memo *m)
{
    size_t n = m->nslots ? 2 * m->nslots : MEMO_FIRST_SLOTS;
    memo_entry **slots = xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < m->nslots; i++) {
        memo_entry *e = m->slots[i];
        if (!e)
            continue;
        size_t j = (size_t)e->key.hash & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = e;
    }
    free(m->slots);
    m->bytes += (n - m->nslots) * sizeof *slots;
    m->slots = slots;
    m->nslots = n;
}

/* at rounded up to the alignment of every type (the parts of a block). */
static size_t aligned(size_t at)
{
    size_t a = _Alignof(max_align_t);
    return (at + a - 1) / a * a;
}

/* One block: the entry, the items, their ranges, the lines, the texts. */
static memo_entry *make_entry(const para_memo_key *k, const para_memo_val *v, size_t bytes,
                              size_t at_items, size_t at_from, size_t at_to, size_t at_lines,
                              size_t at_text)
{
    char *block = xmalloc(bytes);
    memo_entry *e = (memo_entry *)block;
    lb_item *items = (lb_item *)(block + at_items);
    size_t *from = (size_t *)(block + at_from), *to = (size_t *)(block + at_to);
    lb_line *lines = (lb_line *)(block + at_lines);
    char *key_text = block + at_text, *text = key_text + k->len;
    if (v->nitems) {
        memcpy(items, v->items, v->nitems * sizeof *items);
        memcpy(from, v->from, v->nitems * sizeof *from);
        memcpy(to, v->to, v->nitems * sizeof *to);
    }
    if (v->nlines)
        memcpy(lines, v->lines, v->nlines * sizeof *lines);
    memcpy(key_text, k->text, k->len);
    memcpy(text, v->text, v->len);
    text[v->len] = '\0';
    e->key = *k;
    e->key.text = key_text;
    e->val = (para_memo_val){text, v->len, lines, v->nlines, items, from, to, v->nitems};
    return e;
}

bool para_memo_put(para_memo *m, const para_memo_key *k, const para_memo_val *v)
{
    size_t at_items = aligned(sizeof(memo_entry));
    size_t at_from = aligned(at_items + v->nitems * sizeof(lb_item));
    size_t at_to = aligned(at_from + v->nitems * sizeof(size_t));
    size_t at_lines = aligned(at_to + v->nitems * sizeof(size_t));
    size_t at_text = at_lines + v->nlines * sizeof(lb_line);
    size_t bytes = at_text + k->len + v->len + 1;
    /* the entry alone in a memo of the first table size */
    if (MEMO_FIRST_SLOTS * sizeof(memo_entry *) + bytes > m->entries_max)
        return false;
    if (m->count && *find_slot(m, k))
        return false;
    /* the table it will need: at most half full */
    size_t slots = m->nslots ? m->nslots : MEMO_FIRST_SLOTS;
    if (2 * (m->count + 1) > slots)
        slots *= 2;
    if (m->bytes + (slots - m->nslots) * sizeof(memo_entry *) + bytes > m->entries_max)
        drop_all(m);
    if (!m->nslots || 2 * (m->count + 1) > m->nslots)
        grow(m);
    memo_entry *e = make_entry(k, v, bytes, at_items, at_from, at_to, at_lines, at_text);
    *find_slot(m, k) = e;
    m->count++;
    m->bytes += bytes;
    return true;
}
