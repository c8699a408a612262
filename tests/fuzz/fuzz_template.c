/* fuzz_template: libFuzzer harness for a template. The input is a template
 * file; the data is fixed: the data trees of an order and of a roadmap
 * (tests/docs/order-annex-table.yaml, samples/bratsk/schedule-pedagog.yaml,
 * loaded and checked once) merged into one, so that both stock templates
 * find their keys. Expansion, layout, self-check and PDF as
 * `nastavdoc render --template` runs them (src/main.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "fuzz_render.h"
#include "kinds.h"
#include "template.h"
#include "util.h"
#include "yaml_load.h"

static const char *const data_files[] = {"tests/docs/order-annex-table.yaml",
                                         "samples/bratsk/schedule-pedagog.yaml"};
#define NDATA (sizeof data_files / sizeof data_files[0])

/* Held for the whole run: the templates' blocks borrow their strings. */
static yl_doc *data_docs[NDATA];
static arena *data_mem;
static diag *data_diag;
static const yl_node *data;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size);

static const yl_node *load_data(size_t i)
{
    kind_result kr = {0};
    data_docs[i] = yl_load_file(data_files[i], data_diag);
    if (!data_docs[i] || !kinds_check(yl_doc_root(data_docs[i]), data_mem, data_diag, &kr)) {
        diag_print(data_diag, stderr);
        fprintf(stderr, "fuzz: %s does not load\n", data_files[i]);
        exit(2);
    }
    return kr.data;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    data_mem = arena_new();
    data_diag = diag_new();
    data = load_data(0);
    for (size_t i = 1; i < NDATA; i++) {
        const yl_node *more = load_data(i);
        for (size_t j = 0; j < more->n; j++)
            if (!yl_map_get(data, more->pairs[j].key->str))
                data = kind_map_set(data_mem, data, more->pairs[j].key->str, more->pairs[j].value);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    diag *d = diag_new();
    pdf_doc *pdf = fuzz_pdf(d);
    tpl_doc *t = NULL;
    yl_doc *src = yl_load_string("fuzz-template.yaml", (const char *)bytes, size, d);
    if (src && !diag_errors(d))
        t = tpl_expand(yl_doc_root(src), data, d);
    if (t)
        fuzz_render(pdf, &t->doc, d);
    tpl_doc_free(t);
    yl_doc_free(src);
    pdf_free(pdf);
    fuzz_finish(d, size);
    return 0;
}
