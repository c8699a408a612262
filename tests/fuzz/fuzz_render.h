/* fuzz_render: what the two libFuzzer harnesses share. The back half of
 * `nastavdoc render` (src/main.c render_one): layout with the real fonts and
 * hyphenation, the layout self-check and the PDF written to a file, then the
 * messages formatted as main.c prints them. Paths are relative to the
 * repository root, where `make fuzz` runs the harnesses. */
#ifndef NASTAVDOC_FUZZ_RENDER_H
#define NASTAVDOC_FUZZ_RENDER_H

#include "diag.h"
#include "pdf.h"
#include "template.h"

/* Load the hyphenation dictionary and choose the output path; exits when
 * the installation is incomplete (run from the repository root after make). */
void fuzz_init(void);

/* A PDF document with the fonts of fonts/; aborts when libharu cannot start. */
pdf_doc *fuzz_pdf(diag *d);

/* Lay out t with pdf's fonts, self-check, write the PDF (then remove it). */
void fuzz_render(pdf_doc *pdf, const blk_doc *t, diag *d);

/* Format every message as main.c prints it, check the strict properties
 * (NASTAVDOC_FUZZ_STRICT=1, see tests/fuzz/README.md) and free d. */
void fuzz_finish(diag *d, size_t input_len);

#endif
