/* ttf_subset: TrueType glyph subsets for embedding in a PDF. Reads a font
 * file held in memory (borrowed; it must outlive the ttf_font), checks every
 * offset it uses against it, and builds the font program of a subset. Needs
 * no libharu; pdf_font.c uses it. See docs/libharu.md for why it exists. */
#ifndef NASTAVDOC_TTF_SUBSET_H
#define NASTAVDOC_TTF_SUBSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct ttf_font ttf_font;

/* The length of a subset tag: six capitals and "+" ("HPDFAA+"). */
#define TTF_TAG_LEN 7

/* Parse bytes[0..len) (borrowed). NULL when it is not a TrueType font we
 * can subset (truncated, offsets outside the file, no glyf/loca, ...). */
ttf_font *ttf_font_new(const uint8_t *bytes, size_t len);
void ttf_font_free(ttf_font *t);

/* The number of glyphs (maxp). */
size_t ttf_font_glyphs(const ttf_font *t);

/* The glyph of code point cp in the font's Unicode cmap (format 4, Windows
 * or Unicode platform); 0 (.notdef) when it has none. */
unsigned ttf_font_glyph(const ttf_font *t, uint32_t cp);

/* The outline bytes of glyph g (borrowed from the font bytes); *len 0 for an
 * empty glyph or g out of range. */
const uint8_t *ttf_font_outline(const ttf_font *t, unsigned g, size_t *len);

/* Append to out the font program of the subset: the glyphs marked in
 * keep[0..ttf_font_glyphs), glyph 0 and the components of every composite
 * kept, to any depth (keep is updated); every other glyph left empty, so
 * glyph ids stay. The family and full names get the tag (TTF_TAG_LEN bytes)
 * in front. Tables start on four-byte boundaries and every checksum is
 * right. */
void ttf_subset_build(const ttf_font *t, uint8_t *keep, const char tag[TTF_TAG_LEN], buf *out);

#endif
