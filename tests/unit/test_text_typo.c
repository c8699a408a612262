/* Tests for text_typography_with's fast paths (src/text.c) on hand-picked
 * edges and on random texts made of the pieces every rule looks at: the words
 * of each list in both cases, initials, numbers, ranges, dashes, quotes,
 * openers and closers, NBSP and other white space, multi-byte characters and
 * invalid bytes, next to each other and at the ends of tokens.
 *
 * Each test folds every output (both modes, `typography: keep` and not) into
 * a digest and compares it with the one recorded when the fast paths were
 * written: then the outputs were compared byte for byte with the code they
 * replaced (main d74260a) on exactly these inputs, and were all equal. So a
 * change of any output here fails the test. A rule changed on purpose changes
 * a digest too: check the change with test_text.c's cases (they name the
 * expected text), then write the digest the failure prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* ---- The tests ---- */

/* FNV-1a over the outputs of in[0..len) in both modes, each with its NUL. */
static void digest_text(uint64_t *h, const char *in, size_t len)
{
    for (int keep = 0; keep < 2; keep++) {
        char *got = text_typography_with(in, len, keep);
        for (size_t i = 0; i <= strlen(got); i++) {
            *h ^= (unsigned char)got[i];
            *h *= 0x100000001B3u;
        }
        free(got);
    }
}

#define DIGEST_START 0xCBF29CE484222325u

/* The digest h equals the one recorded (want); else it is printed. */
static void assert_digest(uint64_t h, uint64_t want, const char *what)
{
    if (h != want)
        print_error("%s: digest %016llx, recorded %016llx\n", what, (unsigned long long)h,
                    (unsigned long long)want);
    assert_true(h == want);
}

/* Edges of the fast paths: a rule's character first or last in a token, a
 * token that is one character, multi-byte characters where ASCII is expected,
 * bytes that are no UTF-8 inside, before and after a token, and cut at the end. */
static const char *const edges[] = {
    "в",
    "В",
    "в школе",
    "В ШКОЛЕ",
    "ли",
    "же бы ли",
    "есть ли",
    "так ли,",
    "в, на",
    "№",
    "№ 5",
    "№№ 5-7",
    "№ Р-145",
    "№5",
    "№\u00A05",
    "\u00A0№ 5\u00A0",
    "(в школе)",
    "«в» школе",
    "\"в\" школе",
    "(в)",
    "[в]",
    "{в}",
    "'в' школе",
    "\u201Eв\u201C школе",
    "\u2018в\u2019 школе",
    "в\u2026 школе",
    "в… школе",
    "школа… в",
    "г. Братск",
    "г.Братск",
    "Г. Братск",
    "2023 г.",
    "2023 г. Министерство",
    "в 2023 гг.",
    "2023-2025 гг.",
    "2023-2025",
    "2.3-2.6",
    "1,5-2",
    "5-7 июня",
    "273-ФЗ",
    "7-й",
    "-5",
    "5-",
    "2023-09-01",
    "5 июня 2023",
    "31 декабря 2023 г.",
    "32 декабря",
    "5 ИЮНЯ",
    "Июня 2023",
    "И.Н. Шадрин",
    "И. Н. Шадрин",
    "Шадрин И.Н.",
    "Шадрин И. Н.",
    "И.Н.Ш. Шадрин",
    "И.Н.Ш.Щ. Шадрин",
    "и.н. шадрин",
    "А.А. Римский-Корсаков",
    "Римский-Корсаков А.А.",
    "т. д.",
    "т. е.",
    "и т. д. Далее",
    "т. д. Мира",
    "и. о. директора",
    "ул. Мира",
    "ул.Мира",
    "д. 5",
    "кв. 12",
    "пр-т Мира",
    "б-р Мира",
    "просп. Мира",
    "см. п. 2",
    "ч. 2 ст. 28",
    "пп. 1",
    "т. 2",
    "обл. Братск",
    "комн. 5",
    "влад. 3",
    "корп. 1",
    "мкр. Южный",
    "Ул. Мира",
    "УЛ. Мира",
    "ул. мира",
    "ул. (Мира)",
    "ул. -",
    "ул.,",
    "ул.. Мира",
    "текст - далее",
    "текст -- далее",
    "текст --- далее",
    "текст — далее",
    "текст – далее",
    "- начало",
    "конец -",
    "-- ",
    " - - ",
    "слово-слово",
    "слово -слово",
    "слово- слово",
    "\"МБОУ \"Школа № 2\"\"",
    "\"\"",
    "\"",
    "a\"b\"c",
    "«\"в\"»",
    "»\"в",
    "сентября",
    "СЕНТЯБРЯ",
    "сентябряя",
    "сентябр",
    "ёлка в",
    "Ёлка в",
    "ё",
    "Ё в",
    "многострочный\n\t текст \r\n ",
    "\u00A0",
    "\u00A0\u00A0 в\u00A0 \u00A0школе",
    "в\u00A0школе",
    "в \u00A0школе",
    "\u202Fв\u202F",
    "в\u2009школе",
    "\xC2",
    "\xC2 в",
    "в \xC2",
    "в\xC2\xA0",
    "в \xC2\xC2\xA0школе",
    "\xC2\x41 в",
    "\xFF",
    "в \xFF школе",
    "\xFFв школе",
    "в\xFF школе",
    "\xD0 в",
    "\xD0\xB2 \xD0",
    "и\xE2\x80 \xC2",
    "\xE2\x80\x94",
    "\xE2\x80",
    "\xE2 - \xE2",
    "\x80\x80 в",
    "\xF0\x9F\x98\x80 в школе",
    "в \xF0\x9F\x98\x80",
    "\xED\xA0\x80 в",
    "\xC0\xAF в",
    "\xE0\x80\xAF",
    "в\x01школе",
    "в \x7F",
    "\xD1\x91",
    "\xC3\x80 \xC3\xA0 в",
    "Ж Ъ",
    "в 1",
    "по 1",
    "до 31 мая",
    "мая 2023",
    "мая 20233",
    "№ «А-1»",
    "(№ 5)",
    "№ (5)",
    "№ 5,",
    "2023 г.,",
    "2023 г.!",
    "5 июня,",
    "5, июня",
    "",
    " ",
    "  в  ",
    "а б в г д е ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я",
};

static void test_edges(void **state)
{
    (void)state;
    uint64_t h = DIGEST_START;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        digest_text(&h, edges[i], strlen(edges[i]));
    /* the length given is the end: each edge cut after every byte */
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        for (size_t n = 0; n < strlen(edges[i]); n++)
            digest_text(&h, edges[i], n);
    assert_digest(h, 0x613ab58882dc8ae0u, "edges");
}

/* What random texts are made of. */
static const char *const pieces[] = {
    /* every word of every list, lower and upper case */
    "а",
    "бы",
    "в",
    "во",
    "да",
    "до",
    "же",
    "за",
    "и",
    "из",
    "к",
    "ко",
    "ли",
    "на",
    "не",
    "ни",
    "но",
    "о",
    "об",
    "от",
    "по",
    "с",
    "со",
    "то",
    "у",
    "А",
    "БЫ",
    "В",
    "Во",
    "ДА",
    "До",
    "ЖЕ",
    "За",
    "И",
    "ИЗ",
    "К",
    "КО",
    "ЛИ",
    "НА",
    "Не",
    "НИ",
    "НО",
    "О",
    "ОБ",
    "От",
    "ПО",
    "С",
    "СО",
    "То",
    "У",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
    "ЯНВАРЯ",
    "Февраля",
    "МАРТА",
    "Апреля",
    "МАЯ",
    "ИЮНЯ",
    "Июля",
    "АВГУСТА",
    "СЕНТЯБРЯ",
    "Октября",
    "НОЯБРЯ",
    "Декабря",
    "обл",
    "кр",
    "ст",
    "пос",
    "д",
    "ул",
    "пер",
    "пр",
    "пр-т",
    "просп",
    "пл",
    "бул",
    "б-р",
    "наб",
    "ш",
    "туп",
    "оф",
    "ком",
    "комн",
    "уч",
    "вл",
    "влад",
    "стр",
    "кор",
    "корп",
    "кв",
    "под",
    "эт",
    "мкр",
    "т",
    "п",
    "пп",
    "ч",
    "см",
    "ОБЛ",
    "Ул",
    "ПР-Т",
    "Б-Р",
    "г",
    "гг",
    "Г",
    "ГГ",
    "№",
    "№№",
    /* near misses: one letter more or less, another letter */
    "ал",
    "бб",
    "вв",
    "ии",
    "январь",
    "сентябр",
    "сентябряя",
    "ма",
    "майя",
    "ул-",
    "прт",
    "пр-",
    "б-",
    "гр",
    "№№№",
    "ё",
    "Ё",
    "ёж",
    "Ж",
    "ъ",
    "я",
    "Я",
    "ая",
    /* names, initials, words */
    "Шадрин",
    "Петров-Водкин",
    "И",
    "Н",
    "Ш",
    "И.Н",
    "И.Н.Ш",
    "И.Н.Ш.Щ",
    "школа",
    "Мира",
    "Братск",
    "Министерство",
    "директора",
    "e",
    "text",
    "Word",
    "ABC",
    "x",
    /* numbers */
    "1",
    "5",
    "12",
    "31",
    "32",
    "0",
    "2023",
    "2025",
    "20233",
    "2.3",
    "2,6",
    "1.",
    "273",
    "7",
    /* punctuation and rule characters */
    "-",
    "--",
    "---",
    "\u2013",
    "\u2014",
    "\u2011",
    "/",
    ".",
    ",",
    ";",
    ":",
    "!",
    "?",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "\u00AB",
    "\u00BB",
    "\u201E",
    "\u201C",
    "\u201D",
    "\u2018",
    "\u2019",
    "\u2026",
    "\u00AD",
    "\u202F",
    "\u2009",
    "\u2116",
    "\u00A0",
    /* multi-byte characters of other lengths, and bytes that are no UTF-8 */
    "\xC3\xA9",
    "\xE2\x82\xAC",
    "\xF0\x9F\x98\x80",
    "\xC2",
    "\xC2\x41",
    "\xFF",
    "\xD0",
    "\x80",
    "\xE2\x80",
    "\xED\xA0\x80",
    "\xC0\xAF",
    "\xF4\x90\x80\x80",
    "\x01",
};

/* Between pieces: nothing (they touch), or white space. */
static const char *const gaps[] = {"",       "",        "",   " ",  " ",    " ",  " ", "  ",
                                   "\u00A0", " \u00A0", "\t", "\n", "\r\n", "\f", "\v"};

/* xorshift64: the same texts at every run */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void test_random_texts(void **state)
{
    (void)state;
    enum { TEXTS = 60000, MAX_PIECES = 12 };
    uint64_t x = 0x9E3779B97F4A7C15u, h = DIGEST_START;
    buf b;
    buf_init(&b);
    for (size_t t = 0; t < TEXTS; t++) {
        buf_clear(&b);
        size_t n = 1 + next_random(&x) % MAX_PIECES;
        for (size_t k = 0; k < n; k++) {
            buf_puts(&b, pieces[next_random(&x) % (sizeof pieces / sizeof *pieces)]);
            buf_puts(&b, gaps[next_random(&x) % (sizeof gaps / sizeof *gaps)]);
        }
        digest_text(&h, b.data, b.len);
    }
    buf_fini(&b);
    assert_digest(h, 0x22b090151877bda8u, "random texts");
}

/* The samples' texts are long: a paragraph of many tokens, past every
 * window and buffer size. */
static void test_long_text(void **state)
{
    (void)state;
    uint64_t x = 12345, h = DIGEST_START;
    buf b;
    buf_init(&b);
    for (size_t k = 0; k < 20000; k++) {
        buf_puts(&b, pieces[next_random(&x) % (sizeof pieces / sizeof *pieces)]);
        buf_puts(&b, gaps[3 + next_random(&x) % (sizeof gaps / sizeof *gaps - 3)]);
    }
    digest_text(&h, b.data, b.len);
    buf_fini(&b);
    assert_digest(h, 0xcd7230ad174ec005u, "long text");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_long_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
