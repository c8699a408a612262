/* strtab: an open-addressing hash table from byte strings to pointers, for
 * the tables whose keys come from the user's files: yaml_load's keys,
 * anchors and include merge, the survey tally's respondent groups and named
 * rows. A linear search there would make a 4 MiB file of keys quadratic; the
 * hash is keyed by the process (hash.h), so that no file of keys chosen to
 * share a slot can. The table borrows its keys; a zeroed strtab is empty. */
#ifndef NASTAVDOC_STRTAB_H
#define NASTAVDOC_STRTAB_H

#include <stddef.h>

typedef struct strtab_slot {
    const char *key; /* NULL: empty slot */
    size_t len;
    void *val;
} strtab_slot;

typedef struct strtab {
    strtab_slot *slots;
    size_t cap, n; /* cap is 0 or a power of two, at most half full */
} strtab;

/* The value of key[0..len), or NULL when it is not in t. */
void *strtab_get(const strtab *t, const char *key, size_t len);
/* Insert or replace; key must outlive the table. */
void strtab_put(strtab *t, const char *key, size_t len, void *val);
/* Insert key with val unless it is there: the value it had, or NULL when it
 * was new (then inserted; key must outlive the table). The first of a name
 * wins, at one hash; a NULL value is no value, as for strtab_get. */
void *strtab_add(strtab *t, const char *key, size_t len, void *val);
/* Room for n keys in all, so that a table whose size is known does not grow
 * (each growth hashes every key again). */
void strtab_reserve(strtab *t, size_t n);
/* Free the slots; t is empty and usable again. */
void strtab_fini(strtab *t);
/* Empty t, keeping a small table's slots for reuse: a big one is freed, so
 * that a table reused for many small sets does not clear a big array each
 * time. */
void strtab_clear(strtab *t);

#endif
