/* names: Russian personal names. Splits a full name into surname, name and
 * patronymic, guesses the gender, and declines the parts with the rules of
 * petrovich (data/petrovich/rules.json, read with yaml_load). Owns the rules
 * (names_rules); results live in the caller's arena. Included by kinds. */
#ifndef NASTAVDOC_NAMES_H
#define NASTAVDOC_NAMES_H

#include <stdbool.h>

#include "diag.h"
#include "util.h"

typedef enum { NAMES_UNKNOWN, NAMES_MALE, NAMES_FEMALE } names_gender;

/* The cases petrovich declines, in the order of its `mods`. */
typedef enum {
    NAMES_GENITIVE,
    NAMES_DATIVE,
    NAMES_ACCUSATIVE,
    NAMES_INSTRUMENTAL,
    NAMES_PREPOSITIONAL,
} names_case;

/* A name in parts. first and middle are NULL when absent; an initial is a
 * letter and a dot ("Е."). A double surname keeps its hyphen. */
typedef struct names_full {
    const char *last, *first, *middle;
} names_full;

/* Split "Фамилия Имя Отчество", "Фамилия Имя", "Фамилия И.О.", "И.О. Фамилия",
 * "Фамилия Имя Отчество-оглы" / "… Гусейн оглы" into parts (strings in a).
 * false when full has fewer than two words or more than the parts allow. */
bool names_split(arena *a, const char *full, names_full *out);

/* The gender the name shows: the patronymic (-ич, -на, оглы, кызы), else the
 * surname's ending (-ова, -ева, -ина, -ская … / -ов, -ев, -ин, -ский …);
 * NAMES_UNKNOWN when neither tells (e.g. «Шевчук А.»). */
names_gender names_gender_guess(const names_full *n);

/* "м", "муж", "мужской", "male" … -> NAMES_MALE; "ж" … -> NAMES_FEMALE;
 * anything else NAMES_UNKNOWN. */
names_gender names_gender_parse(const char *s);

typedef struct names_rules names_rules;

/* Load petrovich's rules.json from path; NULL after a message in d (a
 * missing or malformed file). Free with names_rules_free. */
names_rules *names_rules_load(const char *path, diag *d);
void names_rules_free(names_rules *r);
/* The shipped rules: data/petrovich/rules.json below util_data_dir. */
names_rules *names_rules_load_shipped(diag *d);

/* n declined into case c for gender g (NAMES_UNKNOWN: only the rules for
 * either gender apply, as in petrovich). Initials stay as they are. *missed
 * gets the number of words no rule matched (they are kept unchanged). */
names_full names_decline(const names_rules *r, arena *a, const names_full *n, names_gender g,
                         names_case c, int *missed);

/* A name as written ("Елсукова Е.В.", "Е.В. Елсукова", "Елсукова Елена
 * Викторовна") declined into case c, in the same order and form; the gender
 * is guessed (names_gender_guess). *gender gets it, *missed the words
 * without a rule; a text that is not a name comes back unchanged with
 * *missed = -1. Result in a. */
const char *names_decline_text(const names_rules *r, arena *a, const char *text, names_case c,
                               names_gender *gender, int *missed);

/* How names_format writes a name. */
typedef enum {
    NAMES_FULL,           /* Фамилия Имя Отчество */
    NAMES_SURNAME_FIRST,  /* Фамилия И.О. */
    NAMES_INITIALS_FIRST, /* И.О. Фамилия */
} names_style;

/* n as text in a; initials are joined to the surname by a no-break space. */
const char *names_format(arena *a, const names_full *n, names_style s);

/* s in lower case (UTF-8, Cyrillic included), in a. */
const char *names_lower(arena *a, const char *s);

#endif
