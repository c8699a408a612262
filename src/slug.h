/* slug: safe, readable file names made from names (a partner's name for
 * its agreement's PDF). Owns nothing; returns fresh strings. Included by
 * main. */
#ifndef NASTAVDOC_SLUG_H
#define NASTAVDOC_SLUG_H

#include <stdbool.h>
#include <stddef.h>

/* Longest slug in bytes: a file name stays well below NAME_MAX (255) with
 * the document's own name before it. */
#define SLUG_MAX 80

/* «ООО «Уралмаш-Сервис»» -> "ooo-uralmash-servis" (Latin: the Russian
 * letters transliterated as in Russian passports, ICAO Doc 9303) or
 * "ооо-уралмаш-сервис" (cyrillic: the letters kept, lower case). Letters and
 * digits stay; every run of anything else (spaces, quotes, slashes, dots,
 * control bytes) becomes one hyphen; no hyphen at either end; at most
 * SLUG_MAX bytes, cut at a character. Never empty: "partner" when nothing
 * is left. Caller frees. */
char *slug_make(const char *name, bool cyrillic);

#endif
