/* qrcode: text -> the modules of a QR code (ISO/IEC 18004), through
 * libqrencode; the only file that includes <qrencode.h>. The text goes in
 * byte mode (UTF-8 as it is), error correction level M (15 % of the symbol
 * may be lost), the smallest version that holds it. Owns nothing: the
 * matrix goes into the caller's arena. Included by template (the qr block)
 * and the unit tests. */
#ifndef NASTAVDOC_QRCODE_H
#define NASTAVDOC_QRCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

/* The longest text: what version 15 holds at level M in byte mode (ISO/IEC
 * 18004, table 7). Its 77 modules are 33 mm wide at the module size the
 * document uses (docs/esign.md): a larger code would crowd the first page,
 * and a QR code is meant for a link or a few lines of requisites. */
#define QRCODE_MAX_BYTES 412
#define QRCODE_MAX_VERSION 15

typedef struct qrcode {
    size_t size;               /* modules per side: 21 for version 1, +4 per version */
    int version;               /* 1 … QRCODE_MAX_VERSION */
    const unsigned char *dark; /* size * size, row by row from the top: 1 dark, 0 light */
} qrcode;

/* Whether a text of len bytes fits a QR code (1 … QRCODE_MAX_BYTES);
 * reported at `at` when not. qrcode_make checks it, and kinds/esign.c
 * before the template stage, so that a text of megabytes is reported as
 * what it is, at its mark, without being copied first. */
bool qrcode_fits(size_t len, src_mark at, diag *d);

/* How many QR codes this process could not make because libqrencode did
 * not load: an installation problem, which main.c reports as exit 3 (as a
 * font file that does not load), not as an error in the document. */
unsigned qrcode_library_failures(void);

/* Encode text (len bytes, may hold any byte) into *out (modules in a). An
 * empty text, a text over QRCODE_MAX_BYTES or a failure of the library is
 * reported at `at` (in Russian) and gives false. */
bool qrcode_make(const char *text, size_t len, src_mark at, arena *a, diag *d, qrcode *out);

#endif
