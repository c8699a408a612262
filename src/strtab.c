/* strtab: see strtab.h. Linear probing at most half full. */
#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

static strtab_slot *find_slot(const strtab *t, const char *key, size_t len)
{
    size_t mask = t->cap - 1;
    for (size_t i = hash_bytes(key, len) & mask;; i = (i + 1) & mask) {
        strtab_slot *s = &t->slots[i];
        if (!s->key || (s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

void *strtab_get(const strtab *t, const char *key, size_t len)
{
    return t->n ? find_slot(t, key, len)->val : NULL;
}

static void resize(strtab *t, size_t cap)
{
    strtab old = *t;
    t->cap = cap;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *find_slot(t, old.slots[i].key, old.slots[i].len) = old.slots[i];
    free(old.slots);
}

void strtab_reserve(strtab *t, size_t n)
{
    size_t cap = t->cap ? t->cap : 16;
    while (cap < 2 * n)
        cap *= 2;
    if (cap != t->cap)
        resize(t, cap);
}

/* The slot of key, claimed for it when it is new. */
static strtab_slot *claim(strtab *t, const char *key, size_t len)
{
    if (2 * (t->n + 1) > t->cap)
        resize(t, t->cap ? t->cap * 2 : 16);
    strtab_slot *s = find_slot(t, key, len);
    if (!s->key) {
        s->key = key;
        s->len = len;
        s->val = NULL;
        t->n++;
    }
    return s;
}

void strtab_put(strtab *t, const char *key, size_t len, void *val)
{
    claim(t, key, len)->val = val;
}

void *strtab_add(strtab *t, const char *key, size_t len, void *val)
{
    strtab_slot *s = claim(t, key, len);
    void *had = s->val;
    if (!had)
        s->val = val;
    return had;
}

void strtab_fini(strtab *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = t->n = 0;
}

void strtab_clear(strtab *t)
{
    if (t->cap > 64)
        strtab_fini(t);
    else if (t->cap)
        memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->n = 0;
}
