/* fuzz_csv: libFuzzer harness for csv_load. The input is one CSV file; it is
 * parsed as `include: [{KEY: FILE.csv}]` would parse it, then every value of
 * the tree is walked (its text must be valid UTF-8 and its mark inside the
 * file). Seeds: tests/fuzz/seeds/csv/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "csv_load.h"
#include "diag.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag *d = diag_new();
    arena *mem = arena_new();
    const char *file = diag_file(d, "fuzz.csv");
    yl_node *rows = csv_load_text(mem, d, file, (const char *)data, size);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const yl_node *row = rows->items[i];
        for (size_t k = 0; k < row->n; k++) {
            const yl_node *v = row->pairs[k].value;
            if (utf8_check(v->str, v->len) != v->len || v->mark.line == 0 || v->mark.col == 0 ||
                v->mark.line > size + 1 || !v->len)
                abort();
        }
    }
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    buf_fini(&b);
    arena_free(mem);
    diag_free(d);
    return 0;
}
