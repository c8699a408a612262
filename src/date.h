/* date: calendar dates as the dossiers write them (YYYY-MM-DD). Owns
 * nothing; any module may include it (kinds checks dates, template formats
 * them). */
#ifndef NASTAVDOC_DATE_H
#define NASTAVDOC_DATE_H

#include <stdbool.h>

/* Parse "YYYY-MM-DD" strictly: a real calendar date between 1900 and 2200.
 * false (outputs untouched) for anything else. */
bool date_parse(const char *s, int *y, int *m, int *d);

/* «января» … «декабря» for month 1..12: the genitive of «30 августа». */
const char *date_month_genitive(int m);

#endif
