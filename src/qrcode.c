/* qrcode: see qrcode.h. */
#include "qrcode.h"

#include <dlfcn.h>
#include <errno.h>
#include <qrencode.h>
#include <string.h>

/* libqrencode is loaded when a document first draws a QR code, not linked:
 * every run of the program would otherwise load and relocate it and the
 * libpthread it needs (about 11 page faults and 0.2 ms of each process,
 * scripts/bench.sh), and few documents carry a QR code. The soname is the
 * one the build found (Makefile, QRCODE_SONAME). */
#ifndef QRCODE_SONAME
#define QRCODE_SONAME "libqrencode.so.4"
#endif

typedef QRcode *encode_fn(int size, const unsigned char *data, int version, QRecLevel level);
typedef void free_fn(QRcode *q);

typedef struct qr_lib {
    encode_fn *encode;
    free_fn *free;
    const char *error; /* why it did not load, or NULL */
} qr_lib;

/* The library's two functions, loaded once per process (the handle is kept
 * until the process ends, as a linked library would be). */
static const qr_lib *qr_load(void)
{
    static qr_lib lib;
    static bool tried;
    if (tried)
        return &lib;
    tried = true;
    void *h = dlopen(QRCODE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h) {
        /* POSIX: a function pointer through the object pointer dlsym gives */
        *(void **)&lib.encode = dlsym(h, "QRcode_encodeData");
        *(void **)&lib.free = dlsym(h, "QRcode_free");
    }
    if (!h || !lib.encode || !lib.free) {
        const char *e = dlerror();
        lib.error = e ? e : QRCODE_SONAME;
        lib.encode = NULL;
        lib.free = NULL;
    }
    return &lib;
}

/* QR codes refused because the library did not load (qrcode.h). */
static unsigned library_failures;

unsigned qrcode_library_failures(void)
{
    return library_failures;
}

bool qrcode_fits(size_t len, src_mark at, diag *d)
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
    return true;
}

bool qrcode_make(const char *text, size_t len, src_mark at, arena *a, diag *d, qrcode *out)
{
    if (!qrcode_fits(len, at, d))
        return false;
    const qr_lib *lib = qr_load();
    if (lib->error) {
        library_failures++;
        diag_error(d, at,
                   "не удалось построить QR-код: библиотека libqrencode не загружена (%s); "
                   "установите пакет libqrencode4",
                   lib->error);
        return false;
    }
    /* version 0: the smallest that holds the data */
    errno = 0;
    QRcode *q = lib->encode((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
    if (!q || q->version < 1 || q->version > QRCODE_MAX_VERSION || q->width < 21) {
        diag_error(d, at, "не удалось построить QR-код (libqrencode: %s)",
                   q ? "версия вне допустимой" : diag_strerror(errno ? errno : EINVAL));
        if (q)
            lib->free(q);
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
    lib->free(q);
    return true;
}
