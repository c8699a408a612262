/* hash: the one hash for the hash tables whose keys come from the user's
 * files (yaml_load's keys and anchors, diag's file names, text's memo of
 * words, para_memo's paragraphs). SipHash-2-4 (libsodium's crypto_shorthash)
 * under a key drawn once per process: with a fixed hash, keys chosen in
 * advance to share a slot make each table's linear probing quadratic, while
 * no one can choose them against a key they do not know. The key changes
 * only where a key lands in a table, never what the program writes. */
#ifndef NASTAVDOC_HASH_H
#define NASTAVDOC_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_KEY_BYTES 16

/* The hash of len bytes at data under the process's key, drawn on the first
 * call (getrandom; where the system has no entropy yet, from the clock and
 * the addresses of the process). Never fails. */
uint64_t hash_bytes(const void *data, size_t len);

/* Use key from now on (tests: the same hashes in every run). */
void hash_set_key(const unsigned char key[HASH_KEY_BYTES]);

#endif
