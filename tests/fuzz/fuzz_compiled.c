/* fuzz_compiled: libFuzzer harness for yaml_compiled's reader. The input is
 * a compiled template file (make's build/templates/NAME.ynb are the seeds);
 * the text it is checked against is the one it carries, so the fuzzer gets
 * past that check and into the nodes. A tree read back is walked: every
 * string NUL-terminated and UTF-8, every key a scalar, no deeper than
 * YL_MAX_DEPTH, no node reached twice (a tree, not a graph). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yaml_compiled.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Nodes below n; aborts on a broken promise. */
static size_t walk(const yl_node *n, unsigned depth)
{
    if (depth > YL_MAX_DEPTH)
        abort();
    if (n->kind == YL_SCALAR) {
        if (n->str[n->len] != '\0' || utf8_check(n->str, n->len) != n->len)
            abort();
        return 1;
    }
    size_t count = 1;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == YL_SEQ) {
            count += walk(n->items[i], depth + 1);
        } else {
            if (n->pairs[i].key->kind != YL_SCALAR)
                abort();
            count += walk(n->pairs[i].key, depth + 1) + walk(n->pairs[i].value, depth + 1);
        }
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the text's length is the third number after the 8-byte magic */
    uint32_t len = 0;
    if (size >= 20)
        memcpy(&len, data + 16, sizeof len);
    const char *blob = (const char *)data, *text = "";
    size_t text_len = 0;
    if (size >= 64 && len <= size - 64) {
        text = blob + 64;
        text_len = len;
    }
    arena *mem = arena_new();
    const yl_node *root = yc_read(mem, "fuzz.ynb", text, text_len, blob, size);
    /* each record is 20 bytes: a tree of more nodes reached some twice */
    if (root && walk(root, 1) > size / 20)
        abort();
    arena_free(mem);
    return 0;
}
