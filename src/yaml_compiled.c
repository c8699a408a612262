/* yaml_compiled: see yaml_compiled.h.
 *
 * The file: a header, the text the tree was read from, the nodes, the
 * references from collections to their children, and the strings. Nodes
 * are numbered children first (post-order), so every reference points
 * back to a node already read: the tree is rebuilt in one pass over the
 * nodes, with no recursion, and a reference forward or to a node already
 * taken is damage, so no cycle or sharing can be built. The root is the
 * last node. Numbers are in the byte order of the machine that wrote them
 * (make writes and reads on one machine), which the header records. */
#include "yaml_compiled.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef NASTAVDOC_VERSION
#define NASTAVDOC_VERSION "0.0.0"
#endif

enum {
    /* The layout of the file. Also bump it when yaml_load reads the same
     * text into another tree: make writes the files again only when the
     * loader's object changes, but an installed file stays as it was. */
    YC_FORMAT = 1,
    YC_ORDER = 0x01020304,
    YC_VERSION_LEN = 32,
    YC_HEADER_LEN = 8 + 6 * 4 + YC_VERSION_LEN,
    YC_RECORD_LEN = 20, /* kind, plain, 2 spare bytes, line, col, a, b */
};

static const char yc_magic[8] = "ndyaml\0\1";

typedef struct yc_header {
    uint32_t format, order, text_len, nodes, refs, pool_len;
    char version[YC_VERSION_LEN];
} yc_header;

/* A node as written: a scalar's string (offset into the strings) and
 * length, or a collection's child count and first reference. */
typedef struct yc_record {
    uint8_t kind, plain;
    uint32_t line, col, a, b;
} yc_record;

/* ---- Writing ---- */

typedef struct writer {
    buf nodes, refs, pool;
    uint32_t nnodes, nrefs;
    bool ok;
} writer;

static void put_u32(buf *b, uint32_t v)
{
    buf_putn(b, (const char *)&v, sizeof v);
}

static void put_record(writer *w, const yc_record *r)
{
    char rec[YC_RECORD_LEN] = {(char)r->kind, (char)r->plain};
    memcpy(rec + 4, &r->line, 4);
    memcpy(rec + 8, &r->col, 4);
    memcpy(rec + 12, &r->a, 4);
    memcpy(rec + 16, &r->b, 4);
    buf_putn(&w->nodes, rec, sizeof rec);
}

/* Write n's subtree, children first; its number, or UINT32_MAX once the
 * format's counts are exceeded. Recursion is bounded by YL_MAX_DEPTH, which
 * the loader enforced on the tree. */
static uint32_t write_node(writer *w, const yl_node *n)
{
    yc_record r = {(uint8_t)n->kind, n->plain, n->mark.line, n->mark.col, 0, 0};
    if (n->kind == YL_SCALAR) {
        if (w->pool.len > UINT32_MAX - n->len - 1) {
            w->ok = false;
            return UINT32_MAX;
        }
        r.a = (uint32_t)w->pool.len;
        r.b = (uint32_t)n->len;
        buf_putn(&w->pool, n->str, n->len);
        buf_putc(&w->pool, '\0');
    } else {
        size_t per = n->kind == YL_MAP ? 2 : 1;
        uint32_t *kids = xmalloc((n->n * per + 1) * sizeof *kids);
        for (size_t i = 0; i < n->n && w->ok; i++) {
            if (n->kind == YL_MAP) {
                kids[2 * i] = write_node(w, n->pairs[i].key);
                kids[2 * i + 1] = write_node(w, n->pairs[i].value);
            } else {
                kids[i] = write_node(w, n->items[i]);
            }
        }
        if (w->ok && (n->n * per > UINT32_MAX - w->nrefs))
            w->ok = false;
        if (w->ok) {
            r.a = (uint32_t)n->n;
            r.b = w->nrefs;
            for (size_t i = 0; i < n->n * per; i++)
                put_u32(&w->refs, kids[i]);
            w->nrefs += (uint32_t)(n->n * per);
        }
        free(kids);
    }
    if (!w->ok || w->nnodes == UINT32_MAX - 1) {
        w->ok = false;
        return UINT32_MAX;
    }
    put_record(w, &r);
    return w->nnodes++;
}

bool yc_write(const yl_node *root, const char *text, size_t len, buf *out)
{
    writer w = {.ok = len <= UINT32_MAX};
    buf_init(&w.nodes);
    buf_init(&w.refs);
    buf_init(&w.pool);
    if (w.ok)
        write_node(&w, root);
    if (w.ok) {
        yc_header h = {YC_FORMAT, YC_ORDER, (uint32_t)len, w.nnodes, w.nrefs, (uint32_t)w.pool.len,
                       {0}};
        strncpy(h.version, NASTAVDOC_VERSION, sizeof h.version - 1);
        buf_putn(out, yc_magic, sizeof yc_magic);
        const uint32_t nums[] = {h.format, h.order, h.text_len, h.nodes, h.refs, h.pool_len};
        for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
            put_u32(out, nums[i]);
        buf_putn(out, h.version, sizeof h.version);
        buf_putn(out, text, len);
        buf_putn(out, w.nodes.data ? w.nodes.data : "", w.nodes.len);
        buf_putn(out, w.refs.data ? w.refs.data : "", w.refs.len);
        buf_putn(out, w.pool.data ? w.pool.data : "", w.pool.len);
    }
    buf_fini(&w.nodes);
    buf_fini(&w.refs);
    buf_fini(&w.pool);
    return w.ok;
}

/* ---- Reading ---- */

typedef struct reader {
    const char *records, *refs, *pool; /* in the blob */
    uint32_t nodes, nrefs, pool_len;
} reader;

static uint32_t get_u32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The header of blob[0..n), checked against this program and against the
 * text; false when the blob is not a compiled form of text. Sets the
 * reader's sections. */
static bool read_header(reader *rd, const char *text, size_t len, const char *blob, size_t n)
{
    if (n < YC_HEADER_LEN || n > YC_MAX_SIZE || memcmp(blob, yc_magic, sizeof yc_magic) != 0)
        return false;
    yc_header h;
    const char *p = blob + sizeof yc_magic;
    uint32_t *nums[] = {&h.format, &h.order, &h.text_len, &h.nodes, &h.refs, &h.pool_len};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++, p += 4)
        *nums[i] = get_u32(p);
    memcpy(h.version, p, sizeof h.version);
    char version[YC_VERSION_LEN] = {0};
    strncpy(version, NASTAVDOC_VERSION, sizeof version - 1);
    /* the sections' sizes add up to the blob's: counts are 32-bit, their
     * products fit a 64-bit size_t */
    uint64_t want = (uint64_t)YC_HEADER_LEN + h.text_len + (uint64_t)h.nodes * YC_RECORD_LEN +
                    (uint64_t)h.refs * 4 + h.pool_len;
    if (h.format != YC_FORMAT || h.order != YC_ORDER ||
        memcmp(h.version, version, sizeof version) != 0 || h.text_len != len || want != n ||
        h.nodes == 0 || h.pool_len == 0 || memcmp(blob + YC_HEADER_LEN, text, len) != 0)
        return false;
    rd->records = blob + YC_HEADER_LEN + len;
    rd->refs = rd->records + (size_t)h.nodes * YC_RECORD_LEN;
    rd->pool = rd->refs + (size_t)h.refs * 4;
    rd->nodes = h.nodes;
    rd->nrefs = h.refs;
    rd->pool_len = h.pool_len;
    /* every string ends in a NUL inside the pool, and all of it is UTF-8 */
    return rd->pool[rd->pool_len - 1] == '\0' && utf8_check(rd->pool, rd->pool_len) == rd->pool_len;
}

static void get_record(const reader *rd, uint32_t i, yc_record *r)
{
    const char *p = rd->records + (size_t)i * YC_RECORD_LEN;
    r->kind = (uint8_t)p[0];
    r->plain = (uint8_t)p[1];
    r->line = get_u32(p + 4);
    r->col = get_u32(p + 8);
    r->a = get_u32(p + 12);
    r->b = get_u32(p + 16);
}

/* Keys of one map, ordered to find duplicates. */
static int key_cmp(const void *a, const void *b)
{
    const yl_node *x = *(const yl_node *const *)a, *y = *(const yl_node *const *)b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->str, y->str, x->len);
}

/* Are the keys of map (n pairs) distinct, as the loader promises? Sorting
 * a copy keeps it n log n in the pairs. */
static bool keys_unique(const yl_node *map, const yl_node **scratch)
{
    for (size_t i = 0; i < map->n; i++)
        scratch[i] = map->pairs[i].key;
    qsort(scratch, map->n, sizeof *scratch, key_cmp);
    for (size_t i = 1; i < map->n; i++)
        if (key_cmp(&scratch[i - 1], &scratch[i]) == 0)
            return false;
    return true;
}

/* Node i's children from the references, each one a node before i not yet
 * taken; its depth into depth[i]. false on damage. */
static bool link_children(const reader *rd, arena *mem, yl_node *nodes, uint32_t i,
                          const yc_record *r, uint8_t *taken, uint8_t *depth)
{
    yl_node *n = &nodes[i];
    uint64_t per = r->kind == YL_MAP ? 2 : 1;
    if ((uint64_t)r->b + per * r->a > rd->nrefs)
        return false;
    n->n = r->a;
    if (r->kind == YL_MAP)
        n->pairs = arena_alloc(mem, (n->n ? n->n : 1) * sizeof *n->pairs);
    else
        n->items = arena_alloc(mem, (n->n ? n->n : 1) * sizeof *n->items);
    unsigned deepest = 0;
    for (uint64_t k = 0; k < per * r->a; k++) {
        uint32_t c = get_u32(rd->refs + (r->b + k) * 4);
        if (c >= i || taken[c])
            return false;
        taken[c] = 1;
        if (depth[c] > deepest)
            deepest = depth[c];
        if (r->kind == YL_SEQ)
            n->items[k] = &nodes[c];
        else if (k % 2 == 0 && nodes[c].kind != YL_SCALAR)
            return false; /* a key is a scalar */
        else if (k % 2 == 0)
            n->pairs[k / 2].key = &nodes[c];
        else
            n->pairs[k / 2].value = &nodes[c];
    }
    depth[i] = (uint8_t)(deepest + 1);
    return depth[i] <= YL_MAX_DEPTH;
}

/* Build the nodes in order; false on damage. */
static bool build(const reader *rd, arena *mem, const char *file, yl_node *nodes, const char *pool)
{
    bool ok = true;
    uint8_t *taken = xcalloc(rd->nodes, 1), *depth = xcalloc(rd->nodes, 1);
    const yl_node **scratch = NULL;
    size_t scratch_cap = 0;
    /* the strings follow one another in the nodes' order, each after the
     * NUL of the one before: each starts on a character of the UTF-8 pool,
     * and no byte is any two strings' (read_header checked the pool) */
    uint32_t next = 0;
    for (uint32_t i = 0; ok && i < rd->nodes; i++) {
        yc_record r;
        get_record(rd, i, &r);
        yl_node *n = &nodes[i];
        n->kind = (yl_kind)r.kind;
        n->plain = r.plain;
        n->mark = (src_mark){file, r.line, r.col};
        if (r.kind == YL_SCALAR) {
            ok = r.plain <= 1 && r.a == next && r.b < rd->pool_len - r.a && pool[r.a + r.b] == '\0';
            n->str = pool + r.a;
            n->len = r.b;
            next = r.a + r.b + 1;
            depth[i] = 1;
        } else {
            ok = (r.kind == YL_SEQ || r.kind == YL_MAP) && r.plain == 0 &&
                 link_children(rd, mem, nodes, i, &r, taken, depth);
            if (ok && r.kind == YL_MAP && n->n > 1) {
                if (n->n > scratch_cap) {
                    scratch_cap = n->n;
                    free(scratch);
                    scratch = xmalloc(scratch_cap * sizeof *scratch);
                }
                ok = keys_unique(n, scratch);
            }
        }
    }
    /* every string is a node's, and every node but the root belongs to one
     * collection */
    ok = ok && next == rd->pool_len;
    for (uint32_t i = 0; ok && i + 1 < rd->nodes; i++)
        ok = taken[i];
    free(taken);
    free(depth);
    free(scratch);
    return ok;
}

yl_node *yc_read(arena *mem, const char *file, const char *text, size_t len, const char *blob,
                 size_t n)
{
    reader rd;
    if (!read_header(&rd, text, len, blob, n))
        return NULL;
    char *pool = arena_alloc(mem, rd.pool_len);
    memcpy(pool, rd.pool, rd.pool_len);
    yl_node *nodes = arena_alloc(mem, (size_t)rd.nodes * sizeof *nodes);
    return build(&rd, mem, file, nodes, pool) ? &nodes[rd.nodes - 1] : NULL;
}

bool yc_same_tree(const yl_node *a, const yl_node *b)
{
    if (a->kind != b->kind || a->plain != b->plain || a->mark.line != b->mark.line ||
        a->mark.col != b->mark.col || a->n != b->n)
        return false;
    if (a->kind == YL_SCALAR)
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 && b->str[b->len] == '\0';
    for (size_t i = 0; i < a->n; i++) {
        bool same = a->kind == YL_SEQ ? yc_same_tree(a->items[i], b->items[i])
                                      : b->pairs[i].key->kind == YL_SCALAR &&
                                            yc_same_tree(a->pairs[i].key, b->pairs[i].key) &&
                                            yc_same_tree(a->pairs[i].value, b->pairs[i].value);
        if (!same)
            return false;
    }
    return true;
}
