/* slug: see slug.h. */
#include "slug.h"

#include <string.h>

#include "util.h"

/* ICAO Doc 9303 transliteration (Russian passports since 2013):
 * а…я, then ё. */
static const char *const latin[33] = {
    "a", "b", "v", "g", "d",  "e",  "zh", "z",  "i",    "i",  "k", "l", "m", "n",  "o",  "p", "r",
    "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "",  "e", "iu", "ia", "e"};

/* The lower-case letter for cp when it is a Russian letter (а…я, ё), as an
 * index into latin[], or -1. */
static int russian_index(uint32_t cp)
{
    if (cp >= 0x0410 && cp <= 0x042F) /* А…Я */
        return (int)(cp - 0x0410);
    if (cp >= 0x0430 && cp <= 0x044F) /* а…я */
        return (int)(cp - 0x0430);
    if (cp == 0x0401 || cp == 0x0451) /* Ё ё */
        return 32;
    return -1;
}

char *slug_make(const char *name, bool cyrillic)
{
    buf b;
    buf_init(&b);
    bool gap = false;
    size_t len = strlen(name);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_next(name + i, len - i, &cp);
        int r = russian_index(cp);
        char ascii = 0;
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z'))
            ascii = (char)cp;
        else if (cp >= 'A' && cp <= 'Z')
            ascii = (char)(cp - 'A' + 'a');
        if (!ascii && (r < 0 || (!cyrillic && !*latin[r]))) {
            if (r < 0) /* ь leaves nothing in Latin, no hyphen either */
                gap = b.len > 0;
            continue;
        }
        size_t before = b.len;
        if (gap)
            buf_putc(&b, '-');
        gap = false;
        if (ascii)
            buf_putc(&b, ascii);
        else if (cyrillic)
            buf_put_cp(&b, r == 32 ? 0x0451 : 0x0430 + (uint32_t)r);
        else
            buf_puts(&b, latin[r]);
        if (b.len > SLUG_MAX) {
            b.len = before; /* cut at a character, without a trailing hyphen */
            while (b.len && b.data[b.len - 1] == '-')
                b.len--;
            break;
        }
    }
    if (b.len == 0)
        buf_puts(&b, "partner");
    b.data[b.len] = '\0';
    return buf_take(&b);
}
