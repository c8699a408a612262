/* fuzz_doc: libFuzzer harness for a document. The input is one dossier file
 * with its school inline (yl_load_string does not process `include:`; the
 * seeds are the samples with their school.yaml merged in, tests/fuzz/seeds.sh).
 * It goes the way `nastavdoc render` takes it (src/main.c build and
 * render_one): load, check the kind, expand the kind's stock template from
 * templates/, lay out, self-check, write the PDF. The document's own
 * `template:` key is not followed: fuzz_template covers templates. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "fuzz_render.h"
#include "kinds.h"
#include "template.h"
#include "util.h"
#include "yaml_load.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag *d = diag_new();
    pdf_doc *pdf = fuzz_pdf(d);
    arena *mem = arena_new();
    tpl_doc *t = NULL;
    yl_doc *doc = yl_load_string("fuzz.yaml", (const char *)data, size, d);
    kind_result kr = {0};
    if (doc && !diag_errors(d) && kinds_check(yl_doc_root(doc), mem, d, &kr)) {
        char path[256];
        snprintf(path, sizeof path, "templates/%s.yaml", kr.template);
        t = tpl_expand_file(path, kr.data, d);
    }
    /* the block tree owns its strings: the data goes before layout, as in main.c */
    yl_doc_free(doc);
    arena_free(mem);
    doc = NULL;
    mem = NULL;
    if (t)
        fuzz_render(pdf, &t->doc, d);
    tpl_doc_free(t);
    yl_doc_free(doc);
    arena_free(mem);
    pdf_free(pdf);
    fuzz_finish(d, size);
    return 0;
}
