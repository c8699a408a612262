/* text: Russian typography and hyphenation. The only module that calls
 * libhyphen. Owns the loaded dictionary; strings it returns are the caller's. */
#ifndef NASTAVDOC_TEXT_H
#define NASTAVDOC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "util.h"

#define TEXT_NBSP 0x00A0u
#define TEXT_SHY 0x00ADu
/* Longer letter runs are not hyphenated: libhyphen 2.8.8 is not fuzz-hardened
 * (docs/hyphenation.md). */
#define TEXT_MAX_WORD 64

/* Apply the typograf-style non-breaking-space rules to UTF-8 text
 * (docs/typesetting.md §2): after «№», between initials and surname, before «г.»/«гг.»,
 * after one-letter and short prepositions/conjunctions, before a dash.
 * Quotes and dashes are fixed as text_typography_with says. Runs of white space collapse to one
 * space and the ends are trimmed (YAML folded text); a typed U+00A0 stays. The result is valid
 * UTF-8 (invalid input bytes become U+FFFD). Caller frees. */
char *text_typography(const char *in, size_t len);
/* The same, and as a typist would fix them (unless `keep`): straight
 * double quotes become «…» outside and „…“ inside, " - " and " -- " an em
 * dash, number ranges ("2023-2025", "2.3-2.6") an en dash. text_typography
 * is this with keep false. Caller frees. */
char *text_typography_with(const char *in, size_t len, bool keep);

typedef struct text_hyph text_hyph;

/* Load the compiled KOI8-R dictionary (build/hyph_ru_RU.hyb, made by
 * text_hyph_compile), mapped or read without parsing (docs/hyphenation.md).
 * NULL when it cannot be read, is damaged, is not a compiled dictionary (a file
 * of patterns is refused, not parsed) or is not KOI8-R. */
text_hyph *text_hyph_load(const char *path);
/* Load a substring-expanded KOI8-R pattern file (build/hyph_ru_RU.dic), parsed
 * by libhyphen: for the tests and the compiler only, as libhyphen 2.8.8's parser
 * is not hardened (docs/hyphenation.md). NULL as text_hyph_load. */
text_hyph *text_hyph_load_patterns(const char *path);
/* text_hyph_free(NULL) is a no-op. */
void text_hyph_free(text_hyph *h);

/* Compile a pattern file into the form text_hyph_load reads without parsing:
 * libhyphen's own state machine as one block for this machine (sizes and byte order
 * are checked when it is loaded). false when the patterns do not load or use what
 * the compiled form does not keep (non-standard hyphenation). *block: caller frees. */
bool text_hyph_compile(const char *patterns, char **block, size_t *len);

/* A place where a word may break: after byte `at` of the word, so the line
 * ends with word[0..at] and the next starts at word[at + 1]. add_hyphen is
 * true for a hyphenation point (a "-" is drawn), false after an explicit hyphen
 * or dash that is already in the word. */
typedef struct text_break {
    size_t at;
    bool add_hyphen;
} text_break;

/* Break points of one word (a run of text without spaces or U+00A0; may carry
 * punctuation, quotes, digits). Writes at most cap breaks in increasing order,
 * returns how many. Never a break inside initials, numbers, abbreviations or
 * all-caps words; at least two letters stay on each side; never one letter
 * left or carried. h may be NULL (only explicit hyphens count). A typed soft
 * hyphen (TEXT_SHY) is a break point with add_hyphen and replaces the patterns
 * in its part of the word; the caller removes every U+00AD before drawing.
 * Invalid UTF-8 gets no breaks. */
size_t text_word_breaks(const text_hyph *h, const char *word, size_t len, text_break *out,
                        size_t cap);

/* Is the word (as for text_word_breaks: quotes and punctuation around it
 * are not part of it) a web address or an e-mail: it holds «scheme://»,
 * starts with «www.», or is name@host.tld? Such a word takes no patterns
 * and no added hyphen: a hyphen would read as part of the address
 * (docs/typesetting.md §3). */
bool text_is_address(const char *word, size_t len);
/* The break points of an address (text_is_address), none with add_hyphen:
 * after «/» (not inside «//») and «@», before «.», «?», «#», «&», «=», «_»,
 * «~» and the address's own «-» (so that the «-» begins the next line and is
 * not taken for an added hyphen); never in the punctuation around it, never
 * two between separators. At most cap, in increasing order; how many. */
size_t text_address_breaks(const char *word, size_t len, text_break *out, size_t cap);

/* The dictionary keeps the breaks of the words it was asked about (each is
 * looked up once per process, not once per pass and document): at most
 * this many words, then it forgets them all and starts again, so the memo
 * stays under 1 MiB whatever the input. */
#define TEXT_MEMO_MAX_WORDS 4096

#endif
