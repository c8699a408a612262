/* esign: the geometry of a signed document (docs/esign.md): the signature
 * row with the mark of an electronic signature (BLK_ESIGN) as one figure
 * line of the flow, and the QR code (BLK_QR) drawn bottom right on the
 * first page. Texts are set by para (typography, glyph checks); frames and
 * modules are LINE and RECT boxes (layout.h). Owns nothing: boxes go into
 * the layout's arena. Included by layout.c. */
#ifndef NASTAVDOC_ESIGN_H
#define NASTAVDOC_ESIGN_H

#include "block.h"
#include "layout.h"

/* The side of a QR module: 0.42 mm, which phone cameras and a 300 dpi scan
 * (5 pixels a module) both read; version 15 is then 33 mm wide. */
#define ESIGN_QR_MODULE_PT 1.2
/* The light margin around a QR code that readers need (ISO/IEC 18004, 4
 * modules). */
#define ESIGN_QR_QUIET 4
/* The least width the position may keep beside the mark and the name. */
#define ESIGN_MIN_POSITION_PT 72

struct lay;
/* Append the line of the signature row b (BLK_ESIGN) at [x0, x0 + width) of
 * the text area: the position, the mark, the name; never split. */
void esign_build(struct lay *L, const blk_block *b, double x0, double width);

/* The height the QR code q takes from the foot of its first page's text
 * area: the code and the quiet zone above it. */
double esign_qr_band(const blk_qr *q);
/* Draw q on page p: its lower right corner at the text area's, the quiet
 * zone in the margins (the code moves in when a margin is narrower). Dark
 * modules go as one filled rectangle per horizontal run. */
void esign_qr_draw(layout_page *p, const blk_qr *q);

#endif
