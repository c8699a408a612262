/* csv_load: a CSV file (a list kept in Excel, Google Sheets, Google Forms or
 * Яндекс Формы) -> the node tree a YAML list of maps would give. The only
 * module that calls libcsv. Used by yaml_load for `include: [{key: FILE.csv}]`.
 *
 * The first record is the header; every later record becomes a YL_MAP from
 * the header's names (as written: Russian or keys, trimmed) to the record's
 * non-empty fields, each a YL_SCALAR with its file:line:col (line of the
 * field's first character, column in characters). Quoted fields are not
 * `plain`, so «"да"» stays text as in YAML. Records whose fields are all
 * empty are skipped (Excel writes them for formatted empty rows).
 *
 * Accepted: UTF-8 with or without a BOM; Windows-1251 (what Excel's plain
 * «CSV» saves on a Russian system) converted with a warning; `,`, `;` or a
 * tab as the delimiter, chosen by counting them in the header line; quotes,
 * delimiters and line breaks inside quoted fields, "" for a quote. */
#ifndef NASTAVDOC_CSV_LOAD_H
#define NASTAVDOC_CSV_LOAD_H

#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "yaml_load.h"

/* Columns of one file: a form with more questions than this is not a school
 * survey, and each row's map is sized by the header. */
#define CSV_MAX_COLUMNS 1000

/* Parse text (the whole file; file is the name for marks, already registered
 * with diag_file) into a YL_SEQ of YL_MAPs allocated in mem. Every problem is
 * reported into d at its place; returns NULL when any error was reported. */
yl_node *csv_load_text(arena *mem, diag *d, const char *file, const char *text, size_t len);
/* csv_load_text taking text (from malloc, len bytes): it is converted in
 * place or freed, and handed to d for the messages' quotes instead of a
 * copy (a survey's CSV files take megabytes). */
yl_node *csv_load_take(arena *mem, diag *d, const char *file, char *text, size_t len);

#endif
