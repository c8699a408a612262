/* pdf: positioned boxes -> PDF file. The only module that calls libharu
 * (pdf.c, pdf_font.c, pdf_harupriv.c; see pdf_shared.h). Owns the libharu
 * document and its fonts; borrows the layout pages and the diag sink. Fonts come only from the
 * project's fonts/ folder. */
#ifndef NASTAVDOC_PDF_H
#define NASTAVDOC_PDF_H

#include <stdbool.h>

#include "diag.h"
#include "layout.h"
#include "outfile.h"
#include "util.h"

typedef struct pdf_doc pdf_doc;

/* A new document whose fonts are read from fonts_dir. NULL (with a message)
 * when libharu cannot start or a font file is missing from fonts_dir (one
 * message per file): an installation problem. d must outlive the document:
 * fonts load lazily while layout measures, and a corrupt font file is
 * reported there (the mark names the file). */
pdf_doc *pdf_new(const char *fonts_dir, diag *d);
void pdf_free(pdf_doc *p);

/* Whether a font file failed to load while layout measured: an
 * installation problem (exit 3), whatever layout reported after it. */
bool pdf_fonts_failed(const pdf_doc *p);

/* The fonts interface for layout; valid while p lives. Families (matched
 * without regard to ASCII case): "Liberation Serif" (default), "PT Serif",
 * "PT Sans". find gives -1 for an unknown family (no message) and for a font
 * file that cannot be loaded (reported once into the diag of pdf_new).
 * Code points above U+FFFF are never available (libharu encodes the BMP
 * only); advance is the width libharu writes into the PDF, in 1/1000 em. */
layout_fonts pdf_fonts(pdf_doc *p);

typedef struct pdf_options {
    const char *creator; /* "nastavdoc 0.1.0" */
    /* PDF/A-1b (docs/pdfa.md): XMP metadata, the sRGB OutputIntent read
     * from icc_path, font descriptors with /CapHeight and /CIDSet, and a
     * trailer /ID hashed from the content. Also when the layout's
     * info.pdfa (the template's `pdfa: true`) is set. */
    bool pdfa;
    const char *icc_path;  /* the sRGB profile; needed only for PDF/A */
    outfile_name out_name; /* who named out_path: a symlink is followed only if the user did */
} pdf_options;

/* Draw doc and write it to out_path through a temporary file in the same
 * folder renamed into place: on any failure the temporary file is removed and
 * an existing out_path is left untouched. Dates in the metadata come only
 * from doc->info, so the same input gives the same bytes. Every text box
 * must use a font id from pdf_fonts(p). The files of the fonts drawn are
 * read again to embed their subsets. Call at most once per pdf_doc (the
 * libharu document keeps its pages); false with messages (mark: out_path,
 * or the font file it could not read) on failure. */
bool pdf_write(pdf_doc *p, const layout_doc *doc, const pdf_options *opt, const char *out_path,
               diag *d);

#endif
