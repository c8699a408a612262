/* qrcode: see qrcode.h. */
#include "qrcode.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

bool qrcode_make(const char *text, size_t len, src_mark at, arena *a, diag *d, qrcode *out)
{
    if (len == 0) {
        diag_error(d, at, "пустой текст для QR-кода: впишите ссылку или текст (qr)");
        return false;
    }
    if (len > QRCODE_MAX_BYTES) {
        diag_error(d, at,
                   "текст для QR-кода слишком длинный: %zu байт, а помещается не больше %d "
                   "(около %d русских букв или %d латинских); поставьте в QR-код ссылку на "
                   "документ",
                   len, QRCODE_MAX_BYTES, QRCODE_MAX_BYTES / 2, QRCODE_MAX_BYTES);
        return false;
    }
    /* version 0: the smallest that holds the data */
    errno = 0;
    QRcode *q = QRcode_encodeData((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
    if (!q || q->version < 1 || q->version > QRCODE_MAX_VERSION || q->width < 21) {
        diag_error(d, at, "не удалось построить QR-код (libqrencode: %s)",
                   q ? "версия вне допустимой" : diag_strerror(errno ? errno : EINVAL));
        QRcode_free(q);
        return false;
    }
    size_t n = (size_t)q->width;
    unsigned char *m = arena_alloc(a, n * n);
    /* libqrencode: bit 0 of each byte is the module's colour (1 dark); the
     * other bits say what the module belongs to */
    for (size_t i = 0; i < n * n; i++)
        m[i] = q->data[i] & 1;
    out->size = n;
    out->version = q->version;
    out->dark = m;
    QRcode_free(q);
    return true;
}
