/* ttf_subset: TrueType fonts for embedding in a PDF. Reads a font file held
 * in memory (borrowed; it must outlive the ttf_font), checks every offset it
 * uses against it, answers what a PDF needs of the font (glyph of a code
 * point, advance widths, the font descriptor's numbers) and builds the font
 * program of a subset. Needs no libharu; pdf_font.c uses it. See
 * docs/libharu.md for why it exists. */
#ifndef NASTAVDOC_TTF_SUBSET_H
#define NASTAVDOC_TTF_SUBSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct ttf_font ttf_font;

/* The length of a subset tag: six capitals and "+" ("KXQWBA+"). */
#define TTF_TAG_LEN 7

enum {
    /* The longest PostScript name kept (Adobe Technical Note #5902 allows
     * 63 characters); a longer one is cut. */
    TTF_NAME_MAX = 63,
    /* Font descriptor flags (ISO 32000-1, 9.8.2). */
    TTF_FLAG_SERIF = 1 << 1,
    TTF_FLAG_SYMBOLIC = 1 << 2,
    TTF_FLAG_SCRIPT = 1 << 3,
    TTF_FLAG_NONSYMBOLIC = 1 << 5,
    TTF_FLAG_ITALIC = 1 << 6,
    TTF_FLAG_FORCE_BOLD = 1 << 18,
};

/* What a PDF font descriptor says of a font, in thousandths of the em
 * where it is a length, each scaled as libharu 2.3.0 scales it (value *
 * 1000 / unitsPerEm, rounded toward zero), so documents keep their
 * metrics. */
typedef struct ttf_info {
    int ascent, descent;            /* hhea */
    int bbox[4];                    /* head: xMin, yMin, xMax, yMax */
    int cap_height, x_height;       /* the top of the glyphs of "H" and "x" */
    double italic_angle;            /* post, degrees counter-clockwise */
    unsigned flags;                 /* the descriptor's /Flags (TTF_FLAG_*) */
    bool embeddable;                /* OS/2 fsType allows embedding a subset */
    char ps_name[TTF_NAME_MAX + 1]; /* PostScript name (name ID 6), printable ASCII */
} ttf_info;

/* Parse bytes[0..len) (borrowed). NULL when it is not a TrueType font we
 * can subset (truncated, offsets outside the file, no glyf/loca, ...). */
ttf_font *ttf_font_new(const uint8_t *bytes, size_t len);
void ttf_font_free(ttf_font *t);

/* The font's descriptor numbers and name. */
const ttf_info *ttf_font_info(const ttf_font *t);

/* The advance width of glyph g in thousandths of the em (libharu 2.3.0's
 * rounding: toward zero); glyphs past the last metric take its advance. */
unsigned ttf_font_advance(const ttf_font *t, unsigned g);

/* The number of glyphs (maxp). */
size_t ttf_font_glyphs(const ttf_font *t);

/* The glyph of code point cp in the font's Unicode cmap (format 4, Windows
 * or Unicode platform); 0 (.notdef) when it has none. */
unsigned ttf_font_glyph(const ttf_font *t, uint32_t cp);

/* The outline bytes of glyph g (borrowed from the font bytes); *len 0 for an
 * empty glyph or g out of range. */
const uint8_t *ttf_font_outline(const ttf_font *t, unsigned g, size_t *len);

/* Append to out the font program of a subset whose glyph 0 is .notdef and
 * glyph i (1..n) is the font's glyph gids[i - 1] (the same glyph may come
 * twice), which its cmap gives for code point cps[i - 1] (cps may be NULL:
 * a cmap that maps nothing; code points must differ); the components of
 * composites follow, renumbered, to any depth.
 * The family and full names get the tag (TTF_TAG_LEN bytes) in front.
 * False, with nothing appended, when the subset would have more than 65535
 * glyphs. */
bool ttf_subset_build(const ttf_font *t, const uint16_t *gids, const uint32_t *cps, size_t n,
                      const char tag[TTF_TAG_LEN], buf *out);

#endif
