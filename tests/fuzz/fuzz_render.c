/* fuzz_render: the shared back half of the harnesses (see fuzz_render.h). */
#include "fuzz_render.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "text.h"
#include "util.h"

/* Strict mode: messages over this many bytes per input byte (plus a floor)
 * count as a finding: issue 7 asks for capped messages. */
#define FUZZ_MSG_FACTOR 64
#define FUZZ_MSG_FLOOR (256u << 10)

static text_hyph *hyph;
static char out_path[64];
/* NASTAVDOC_FUZZ_STRICT: a comma-separated list of properties whose
 * violation aborts (a finding): selfcheck, control, messages; 1 = all. */
static bool strict_selfcheck, strict_control, strict_messages, verbose;

void fuzz_init(void)
{
    hyph = text_hyph_load("build/hyph_ru_RU.hyb");
    if (!hyph) {
        fputs("fuzz: build/hyph_ru_RU.hyb missing: run make, then the harness from the "
              "repository root\n",
              stderr);
        exit(2);
    }
    snprintf(out_path, sizeof out_path, "/tmp/nastavdoc-fuzz-%ld.pdf", (long)getpid());
    const char *s = getenv("NASTAVDOC_FUZZ_STRICT");
    bool all = s && !strcmp(s, "1");
    strict_selfcheck = all || (s && strstr(s, "selfcheck"));
    strict_control = all || (s && strstr(s, "control"));
    strict_messages = all || (s && strstr(s, "messages"));
    verbose = getenv("NASTAVDOC_FUZZ_VERBOSE") != NULL;
}

pdf_doc *fuzz_pdf(diag *d)
{
    pdf_doc *pdf = pdf_new("fonts", d);
    if (!pdf) {
        fputs("fuzz: pdf_new failed (fonts/ missing?)\n", stderr);
        abort();
    }
    return pdf;
}

void fuzz_render(pdf_doc *pdf, const blk_doc *t, diag *d)
{
    size_t before = diag_errors(d);
    layout_fonts f = pdf_fonts(pdf);
    layout_doc *lay = layout_run(t, &f, hyph, d);
    if (lay && diag_errors(d) == before) {
        size_t bad = layout_check(lay, d);
        if (bad && strict_selfcheck) {
            fprintf(stderr, "fuzz: layout self-check: %zu boxes outside (exit 3 in main)\n", bad);
            abort();
        }
        pdf_options opt = {.creator = "nastavdoc fuzz"};
        if (!bad && pdf_write(pdf, lay, &opt, out_path, d)) {
            struct stat st;
            if (verbose && stat(out_path, &st) == 0)
                fprintf(stderr, "fuzz: %zu pages, %lld bytes of PDF\n", lay->npages,
                        (long long)st.st_size);
            unlink(out_path);
        }
    }
    layout_doc_free(lay);
}

void fuzz_finish(diag *d, size_t input_len)
{
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    if (verbose)
        fwrite(b.data ? b.data : "", 1, b.len, stderr);
    for (size_t i = 0; strict_control && i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            fprintf(stderr, "fuzz: raw control byte 0x%02x in the messages at %zu\n", c, i);
            abort();
        }
    }
    if (strict_messages && b.len > FUZZ_MSG_FLOOR + FUZZ_MSG_FACTOR * input_len) {
        fprintf(stderr, "fuzz: %zu bytes of messages for %zu bytes of input\n", b.len, input_len);
        abort();
    }
    buf_fini(&b);
    diag_free(d);
}
