/* date: calendar dates as the dossiers write them (YYYY-MM-DD). Owns
 * nothing; any module may include it (kinds checks dates, template formats
 * them). */
#ifndef NASTAVDOC_DATE_H
#define NASTAVDOC_DATE_H

#include <stdbool.h>

/* The years a dossier's dates may have: a school's documents, with room
 * for old records and long plans. */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2200

/* Parse "YYYY-MM-DD" strictly: a real calendar date between DATE_MIN_YEAR
 * and DATE_MAX_YEAR. false (outputs untouched) for anything else. */
bool date_parse(const char *s, int *y, int *m, int *d);

/* The year written in the four digits at year4 when it lies outside
 * DATE_MIN_YEAR..DATE_MAX_YEAR; -1 when it is inside or not four digits.
 * For the message of a date refused for its year alone («2300-01-01» is
 * no wrong day and month). */
int date_year_outside(const char *year4);

/* «января» … «декабря» for month 1..12: the genitive of «30 августа». */
const char *date_month_genitive(int m);

#endif
