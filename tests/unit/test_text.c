/* Tests for text.h: typograf-style non-breaking spaces and word breaks with
 * libhyphen. Run from the repository root: the dictionary the program reads,
 * compiled at build time, is build/hyph_ru_RU.hyb, made from the expanded
 * patterns build/hyph_ru_RU.dic (make build/hyph_ru_RU.hyb). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hyphen.h> /* the compiled file's structures, to damage them on purpose */

#include "text.h"

#define EXPANDED_DIC "build/hyph_ru_RU.dic"
#define COMPILED_DIC "build/hyph_ru_RU.hyb"
#define DEBIAN_DIC "/usr/share/hyphen/hyph_ru_RU.dic"

/* libhyphen 2.8.8 leaks the match string of a pattern that occurs twice
 * (hnj_hyphen_load_line overwrites states[].match). Debian's unexpanded file
 * has both the pattern "уш1ла" and the TeX exception "ушла"; substrings.pl
 * merges them. So LeakSanitizer, when linked in, ignores what that one load
 * allocates; the weak references are NULL in a build without it. */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

static text_hyph *load_debian_dictionary(void)
{
    if (__lsan_disable)
        __lsan_disable();
    text_hyph *h = text_hyph_load_patterns(DEBIAN_DIC);
    if (__lsan_enable)
        __lsan_enable();
    return h;
}

/* ---- Helpers ---- */

enum { MAX_BREAKS = 64, RENDER_SIZE = 1024 };

/* The word with "-" after each hyphenation point and "|" after each break at
 * a hyphen or dash that is already there. */
static void render_breaks(const char *word, const text_break *b, size_t n, char *out)
{
    size_t len = strlen(word), j = 0, k = 0;
    for (size_t i = 0; i < len; i++) {
        out[j++] = word[i];
        if (k < n && b[k].at == i)
            out[j++] = b[k++].add_hyphen ? '-' : '|';
    }
    out[j] = '\0';
    assert_int_equal(k, n); /* every break inside the word, in increasing order */
}

static size_t hyphenate(const text_hyph *h, const char *word, char *out)
{
    text_break b[MAX_BREAKS];
    size_t n = text_word_breaks(h, word, strlen(word), b, MAX_BREAKS);
    render_breaks(word, b, n, out);
    return n;
}

/* "на-став-ник" -> "наставник". */
static void strip_hyphens(const char *s, char *out)
{
    for (; *s; s++)
        if (*s != '-')
            *out++ = *s;
    *out = '\0';
}

/* "№~669" -> "№\u00A0669": the tables write NBSP as "~". */
static void expand_nbsp(const char *s, char *out)
{
    for (; *s; s++) {
        if (*s == '~') {
            *out++ = '\xC2';
            *out++ = '\xA0';
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

static int setup_dictionary(void **state)
{
    *state = text_hyph_load(COMPILED_DIC);
    return *state ? 0 : -1;
}

static int teardown_dictionary(void **state)
{
    text_hyph_free(*state);
    return 0;
}

/* ---- Hyphenation by the patterns ---- */

/* Expected breaks, derived from the syllable rules (Розенталь; Правила 1956
 * §117–119; docs/typesetting.md §2) and checked against the expanded ruhyphal patterns.
 * The patterns leave out some valid breaks but add none that is wrong:
 * утвер-жде-нии (ут-вер- is also correct); "москва" and "бельё" get none.
 * Where a consonant cluster may split either way the patterns pick one:
 * внед-ре-ние (also вне-дре-ние), подыг-рать (also по-ды-грать). */
static const char *const dictionary_words[] = {
    "на-став-ни-че-ство",
    "на-став-ля-е-мый",
    "на-став-ник",
    "на-став-ни-ка",
    "об-ра-зо-ва-тель-ной",
    "ор-га-ни-за-ции",
    "пе-да-го-ги-че-ских",
    "ме-ро-при-я-тия",
    "до-рож-ной",
    "до-рож-ная",
    "утвер-жде-нии",
    "от-вет-ствен-ный",
    "ме-то-до-ло-гии",
    "де-я-тель-ность",
    "об-ще-об-ра-зо-ва-тель-ным",
    "про-фес-си-о-наль-но-го",
    "ре-а-ли-за-ции",
    "со-про-вож-де-ние",
    "про-грам-ма",
    "мо-де-ли",
    "му-ни-ци-паль-но-го",
    "обу-ча-ю-щих-ся",
    "учи-тель",
    "учи-те-лей",
    "шко-ла",
    "при-каз",
    "по-ло-же-ние",
    "ди-рек-тор",
    "за-ме-сти-тель",
    "ру-ко-во-ди-тель",
    "раз-ви-тие",
    "адап-та-ция",
    "мо-ло-дых",
    "спе-ци-а-ли-стов",
    "пе-да-го-гов",
    "ком-пе-тен-ций",
    "ква-ли-фи-ка-ции",
    "вза-и-мо-дей-ствие",
    "ре-зуль-та-ты",
    "эф-фек-тив-ность",
    "мо-ни-то-ринг",
    "ан-ке-ти-ро-ва-ние",
    "кон-суль-та-ция",
    "ме-то-ди-че-ский",
    "объ-еди-не-ние",
    "фор-ми-ро-ва-ние",
    "ин-ди-ви-ду-аль-ный",
    "пла-ни-ро-ва-ние",
    "со-вер-шен-ство-ва-ние",
    "под-го-тов-ка",
    "про-ве-де-ние",
    "уча-стие",
    "кон-курс",
    "се-ми-нар",
    "обу-че-ние",
    "вос-пи-та-ние",
    "уче-ник",
    "уча-щих-ся",
    "класс-ный",
    "обя-зан-но-сти",
    "тру-до-вой",
    "до-го-вор",
    "до-ку-мент",
    "ин-фор-ма-ция",
    "раз-ра-бот-ка",
    "внед-ре-ние",
    "си-сте-ма",
    "це-ле-вой",
    "за-да-чи",
    "под-держ-ка",
    "обес-пе-че-ние",
    "пред-ста-ви-те-ли",
    "кол-лек-тив",
    "кол-ле-га",
    "со-труд-ни-че-ство",
    "пред-мет-ный",
    "ку-ра-тор",
    "ста-жи-ров-ка",
    "са-мо-об-ра-зо-ва-ние",
    "са-мо-ана-лиз",
    "без-удар-ный",
    "транс-порт",
    "встре-ча",
    "при-ло-же-ние",
    "подыг-рать",
    /* ъ, ь, й stay with the letter before them. */
    "объ-яв-ле-ние",
    "подъ-езд",
    "разъ-яс-не-ние",
    "подъ-ём",
    "пье-са",
    "се-мья",
    "ста-тья",
    "вью-га",
    "сель-ский",
    "вось-мой",
    "боль-шой",
    "тью-тор",
    "но-ябрь",
    "ян-варь",
    "рай-он",
    "вой-на",
    "май-ский",
    "дай-джест",
    /* ё has no patterns of its own but is kept, not lost (docs/hyphenation.md). */
    "от-чёт",
    "ёлоч-ка",
    "объ-ём",
    "учё-ба",
    "парт-нёр-ство",
    "ру-жьё",
    /* Too short, or no vowel to spare. */
    "план",
    "сайт",
    "кейс",
    "ствол",
    "йод",
    "чьей",
    /* Valid breaks the patterns miss (мо-сква, бе-льё): none rather than a wrong one. */
    "москва",
    "бельё",
};

static void test_dictionary_words(void **state)
{
    size_t failures = 0;
    for (size_t i = 0; i < sizeof dictionary_words / sizeof *dictionary_words; i++) {
        char word[RENDER_SIZE], got[RENDER_SIZE];
        strip_hyphens(dictionary_words[i], word);
        hyphenate(*state, word, got);
        if (strcmp(got, dictionary_words[i]) != 0) {
            print_error("%s: got %s\n", dictionary_words[i], got);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static size_t count_breaks(const text_hyph *h)
{
    size_t total = 0;
    for (size_t i = 0; i < sizeof dictionary_words / sizeof *dictionary_words; i++) {
        char word[RENDER_SIZE], got[RENDER_SIZE];
        strip_hyphens(dictionary_words[i], word);
        total += hyphenate(h, word, got);
    }
    return total;
}

/* Guards the build step: Debian's file as shipped is not substring-expanded
 * and libhyphen silently loses about a third of the breaks (docs/hyphenation.md). */
static void test_expansion_finds_more_breaks(void **state)
{
    text_hyph *debian = load_debian_dictionary();
    assert_non_null(debian);
    size_t expanded = count_breaks(*state), shipped = count_breaks(debian);
    text_hyph_free(debian);
    print_message("breaks over %zu words: expanded %zu, as shipped %zu\n",
                  sizeof dictionary_words / sizeof *dictionary_words, expanded, shipped);
    assert_true(shipped * 4 < expanded * 3);
}

/* ---- Word rules ---- */

typedef struct word_case {
    const char *name;
    const char *word;
    const char *expected; /* as render_breaks writes it */
} word_case;

static const word_case word_cases[] = {
    {"capitalised like lower case", "Наставничество", "На-став-ни-че-ство"},
    {"all caps is an abbreviation", "НАСТАВНИЧЕСТВО", "НАСТАВНИЧЕСТВО"},
    {"abbreviation", "МБОУ", "МБОУ"},
    {"abbreviation 2", "ГБОУ", "ГБОУ"},
    {"mixed-case abbreviation", "КЗоТ", "КЗоТ"},
    {"abbreviation in a compound", "PDF-файл", "PDF-файл"},
    {"initials", "И.Н.", "И.Н."},
    {"initials glued to a surname", "А.С.Пушкин", "А.С.Пушкин"},
    {"dot inside", "т.д.", "т.д."},
    {"number", "2023", "2023"},
    {"law number", "273-ФЗ", "273-ФЗ"},
    {"year range", "2023-2025", "2023-2025"},
    {"year range, en dash", "2021–2024", "2021–2024"},
    {"ordinal", "7-й", "7-й"},
    {"digit in a word", "3-летний", "3-летний"},
    {"compound", "социально-значимых", "со-ци-аль-но-|зна-чи-мых"},
    {"compound, capitals", "Северо-Западный", "Се-ве-ро-|За-пад-ный"},
    {"compound, short parts", "из-за", "из-|за"},
    {"particle", "кто-нибудь", "кто-|ни-будь"},
    {"one letter before the hyphen", "в-третьих", "в-тре-тьих"},
    {"one letter before, capital", "Т-образный", "Т-об-раз-ный"},
    {"one letter after the hyphen", "кого-л", "ко-го-л"},
    {"non-breaking hyphen", "по\u2011новому", "по\u2011но-во-му"},
    {"em dash between words", "Москва—Петербург", "Москва—|Пе-тер-бург"},
    {"Latin is not hyphenated", "mentoring", "mentoring"},
    {"Latin compound", "web-сайт", "web-|сайт"},
    {"Latin one letter", "e-mail", "e-mail"},
    {"quotes and comma", "«программа»,", "«про-грам-ма»,"},
    {"brackets and full stop", "(наставничества).", "(на-став-ни-че-ства)."},
    {"opening quote only", "„наставник", "„на-став-ник"},
    {"soft hyphens replace the patterns", "настав\u00ADничество", "настав\u00AD-ничество"},
    {"soft hyphen near the end", "програм\u00ADма", "програм\u00AD-ма"},
    {"soft hyphen leaving one letter", "о\u00ADбуча\u00ADющихся", "о\u00ADбуча\u00AD-ющихся"},
    {"soft hyphen before ь", "маль\u00ADчик", "маль\u00AD-чик"},
    {"soft hyphen before й is dropped", "ма\u00ADйор", "ма\u00ADйор"},
    {"soft hyphen in Latin", "men\u00ADtor", "men\u00AD-tor"},
    {"no letters", "«—»", "«—»"},
    {"empty", "", ""},
};

static void test_word_cases(void **state)
{
    size_t failures = 0;
    for (size_t i = 0; i < sizeof word_cases / sizeof *word_cases; i++) {
        const word_case *c = &word_cases[i];
        char got[RENDER_SIZE];
        hyphenate(*state, c->word, got);
        if (strcmp(got, c->expected) != 0) {
            print_error("%s: %s: got %s, want %s\n", c->name, c->word, got, c->expected);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_without_dictionary(void **state)
{
    (void)state;
    char got[RENDER_SIZE];
    hyphenate(NULL, "социально-значимых", got);
    assert_string_equal(got, "социально-|значимых");
    hyphenate(NULL, "программа", got);
    assert_string_equal(got, "программа");
    hyphenate(NULL, "про\u00ADграм\u00ADма", got);
    assert_string_equal(got, "про\u00AD-грам\u00AD-ма");
}

/* Without the dictionary a word is passed eight bytes at a time up to the
 * first that may start an explicit break: each breaking character and each
 * near miss at every offset of words of one- and two-byte letters, also in
 * the last bytes that make no eight. */
static void test_without_dictionary_offsets(void **state)
{
    (void)state;
    typedef struct mark {
        const char *s;
        int breaks; /* 0 none, 1 after it (no hyphen added), 2 a hyphenation point */
    } mark;
    static const mark marks[] = {
        {"-", 1},      {"/", 1},      {"\u2010", 1}, {"\u2013", 1}, {"\u2014", 1},
        {"\u00AD", 2}, {"\u2011", 0}, {".", 0},      {",", 0},      {"\u00A0", 0},
        {"\u2116", 0}, {"\u00C2", 0}, {"\u00E2", 0}, {"\u0442", 0}, {"\u00AB", 0},
        {"\u2026", 0}, {"'", 0},      {"\u201C", 0}, {"\u00E9", 0}, {"+", 0},
    };
    static const char *const letters[] = {"a", "\u0430"};
    size_t failures = 0;
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
        for (size_t l = 0; l < 2; l++)
            for (size_t before = 2; before < 20; before++)
                for (size_t after = 2; after < 12; after++) {
                    char word[256] = "";
                    for (size_t k = 0; k < before; k++)
                        strcat(word, letters[l]);
                    size_t at = strlen(word) + strlen(marks[m].s) - 1;
                    strcat(word, marks[m].s);
                    for (size_t k = 0; k < after; k++)
                        strcat(word, letters[l]);
                    text_break b[4];
                    size_t n = text_word_breaks(NULL, word, strlen(word), b, 4);
                    bool ok = marks[m].breaks ? n == 1 && b[0].at == at &&
                                                    b[0].add_hyphen == (marks[m].breaks == 2)
                                              : n == 0;
                    if (!ok) {
                        print_error("\"%s\": %zu breaks\n", word, n);
                        failures++;
                    }
                }
    assert_int_equal(failures, 0);
}

static void test_breaks_capped(void **state)
{
    text_break b[2];
    const char *word = "наставничество";
    assert_int_equal(text_word_breaks(*state, word, strlen(word), b, 2), 2);
    assert_int_equal(b[0].at, strlen("на") - 1);
    assert_int_equal(b[1].at, strlen("настав") - 1);
    assert_true(b[0].add_hyphen && b[1].add_hyphen);
    assert_int_equal(text_word_breaks(*state, word, strlen(word), NULL, 0), 0);
}

/* The breaks of a word asked for again come from the dictionary's memo:
 * the same as the first answer and as a fresh dictionary's, a shorter cap
 * gets their beginning, and past TEXT_MEMO_MAX_WORDS words (the memo
 * forgets and fills again) nothing changes. */
static void test_breaks_memo(void **state)
{
    static const char *const syl[] = {"ма", "ко",  "пре", "сто", "ли",
                                      "ну", "вер", "да",  "зо",  "ть"};
    text_hyph *fresh = text_hyph_load_patterns(EXPANDED_DIC);
    assert_non_null(fresh);
    size_t total = 0, words = 3 * TEXT_MEMO_MAX_WORDS;
    for (size_t round = 0; round < 2; round++) {
        for (size_t i = 0; i < words; i++) {
            char w[64] = "";
            for (size_t k = 0, x = i; k < 4; k++, x /= 10)
                strcat(w, syl[x % 10]);
            text_break a[MAX_BREAKS], b[MAX_BREAKS], c[MAX_BREAKS], d[2];
            size_t na = text_word_breaks(*state, w, strlen(w), a, MAX_BREAKS);
            size_t nb = text_word_breaks(*state, w, strlen(w), b, MAX_BREAKS);
            size_t nc = text_word_breaks(fresh, w, strlen(w), c, MAX_BREAKS);
            size_t nd = text_word_breaks(*state, w, strlen(w), d, 2);
            assert_int_equal(na, nb);
            assert_int_equal(na, nc);
            assert_int_equal(nd, na < 2 ? na : 2);
            for (size_t k = 0; k < na; k++) {
                assert_int_equal(a[k].at, b[k].at);
                assert_int_equal(a[k].at, c[k].at);
                assert_int_equal(a[k].add_hyphen, c[k].add_hyphen);
                if (k < nd)
                    assert_int_equal(a[k].at, d[k].at);
            }
            total += na;
        }
    }
    assert_true(total > words); /* the words do break */
    text_hyph_free(fresh);
}

/* Offsets are bytes of the word as given, punctuation included. */
static void test_breaks_are_byte_offsets(void **state)
{
    text_break b[MAX_BREAKS];
    const char *word = "«про-грамма»";
    size_t n = text_word_breaks(*state, word, strlen(word), b, MAX_BREAKS);
    assert_int_equal(n, 2);
    assert_int_equal(b[0].at, strlen("«про-") - 1);
    assert_false(b[0].add_hyphen);
    assert_int_equal(b[1].at, strlen("«про-грам") - 1);
    assert_true(b[1].add_hyphen);
    /* The length given counts, not the NUL: "программа" cut to "програм". */
    n = text_word_breaks(*state, "программа", strlen("програм"), b, MAX_BREAKS);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].at, strlen("про") - 1);
}

/* TEXT_MAX_WORD letters still hyphenate; longer runs are left whole, since
 * libhyphen 2.8.8 is not hardened against long input (docs/hyphenation.md). */
static void test_long_words(void **state)
{
    char word[RENDER_SIZE] = "", got[2 * RENDER_SIZE];
    for (int i = 0; i < 7; i++)
        strcat(word, "программа");
    strcat(word, "у"); /* 7 * 9 + 1 = 64 letters */
    assert_true(hyphenate(*state, word, got) > 0);
    strcat(word, "г");
    assert_int_equal(hyphenate(*state, word, got), 0);
    word[0] = '\0';
    for (int i = 0; i < 200; i++)
        strcat(word, "а");
    assert_int_equal(hyphenate(*state, word, got), 0);
    /* Long parts of a compound still break at the hyphen. */
    strcat(word, "-");
    strcat(word, "а");
    strcat(word, "а");
    assert_int_equal(hyphenate(*state, word, got), 1);
}

/* Invalid UTF-8 is rejected earlier in the pipeline; here it must only not
 * crash and get no breaks. */
static void test_invalid_utf8(void **state)
{
    static const char *const bad[] = {
        "\xFF",
        "про\xD0",
        "\xD0\xBF\xD1",
        "программа\xC0\xAF",
        "на\xED\xA0\x80ставник",
        "\x80\x80\x80\x80",
        "наставни\xF4\x90\x80\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        text_break b[MAX_BREAKS];
        assert_int_equal(text_word_breaks(*state, bad[i], strlen(bad[i]), b, MAX_BREAKS), 0);
    }
}

static void test_dictionary_load(void **state)
{
    (void)state;
    assert_null(text_hyph_load("build/no-such-dictionary.dic"));
    text_hyph_free(NULL);
    /* A dictionary in another encoding would silently match nothing. */
    char path[] = "/tmp/nastavdoc-test-text-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char utf8_dic[] = "UTF-8\n.про1\n";
    assert_int_equal(write(fd, utf8_dic, sizeof utf8_dic - 1), (ssize_t)(sizeof utf8_dic - 1));
    close(fd);
    text_hyph *h = text_hyph_load_patterns(path);
    unlink(path);
    assert_null(h);
    /* The program's loader takes the compiled dictionary only: a pattern file
     * (or a compiled one whose magic is damaged) is refused, never handed to
     * libhyphen's parser, which is not hardened against arbitrary bytes. */
    assert_null(text_hyph_load(EXPANDED_DIC));
    h = text_hyph_load_patterns(EXPANDED_DIC);
    assert_non_null(h);
    text_hyph_free(h);
}

/* ---- The compiled dictionary ---- */

/* Every word of a sample breaks alike with the compiled dictionary and with the
 * patterns it was compiled from. */
static void test_compiled_as_patterns(void **state)
{
    text_hyph *patterns = text_hyph_load_patterns(EXPANDED_DIC);
    assert_non_null(patterns);
    size_t len;
    FILE *f = fopen("samples/bratsk/order-669.yaml", "rb");
    assert_non_null(f);
    static char text[1 << 20];
    len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    size_t words = 0, breaks = 0;
    for (char *w = strtok(text, " \n\t,.;:«»()\"'"); w; w = strtok(NULL, " \n\t,.;:«»()\"'")) {
        text_break a[MAX_BREAKS], b[MAX_BREAKS];
        size_t na = text_word_breaks(*state, w, strlen(w), a, MAX_BREAKS);
        size_t nb = text_word_breaks(patterns, w, strlen(w), b, MAX_BREAKS);
        assert_int_equal(na, nb);
        for (size_t k = 0; k < na; k++) {
            assert_int_equal(a[k].at, b[k].at);
            assert_int_equal(a[k].add_hyphen, b[k].add_hyphen);
        }
        words++;
        breaks += na;
    }
    text_hyph_free(patterns);
    print_message("compiled dictionary: %zu words, %zu breaks, as the patterns\n", words, breaks);
    assert_true(words > 3000 && breaks > 3000);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *p = malloc(*len);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, *len, f), *len);
    fclose(f);
    return p;
}

static text_hyph *load_bytes(const char *p, size_t len)
{
    char path[] = "/tmp/nastavdoc-test-hyb-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, len), (ssize_t)len);
    close(fd);
    text_hyph *h = text_hyph_load(path);
    unlink(path);
    return h;
}

/* A damaged compiled file is refused or still safe: truncated, and with a
 * 4-byte word overwritten at 500 places through it (offsets, state numbers,
 * counts). Under ASan nothing it loads reads or writes out of bounds. */
/* 500 copies of the compiled file, each with a 4-byte word overwritten; how
 * many were refused. Each one loaded hyphenates two words. */
static size_t load_damaged(const char *good, size_t len)
{
    char *bad = malloc(len);
    assert_non_null(bad);
    size_t refused = 0;
    static const uint32_t values[] = {0x7FFFFFFFu, 0xFFFFFFFFu, 0x80000000u, 12345678u};
    for (size_t i = 0; i < 500; i++) {
        memcpy(bad, good, len);
        size_t at = (len - 4) / 500 * i;
        memcpy(bad + at, &values[i % 4], 4);
        text_hyph *h = load_bytes(bad, len);
        refused += !h;
        char out[RENDER_SIZE];
        hyphenate(h, "наставничество", out);
        hyphenate(h, "психолого-педагогический", out);
        text_hyph_free(h);
    }
    free(bad);
    return refused;
}

/* A damaged compiled file is refused or still safe: truncated, and with a
 * 4-byte word overwritten at 500 places through it (pointers, state numbers,
 * counts), both where it is mapped at its own address and where that address is
 * taken and it is read and moved. Under ASan nothing it loads reads or writes
 * out of bounds. */
static void test_compiled_damaged(void **state)
{
    (void)state; /* a group of its own: no dictionary holds the address */
    size_t len;
    char *good = read_all(COMPILED_DIC, &len);
    assert_null(load_bytes(good, len / 2));
    assert_null(load_bytes(good, 40));
    size_t mapped = load_damaged(good, len);
    text_hyph *holder = load_bytes(good, len); /* takes the address: now read and moved */
    assert_non_null(holder);
    size_t moved = load_damaged(good, len);
    text_hyph_free(holder);
    free(good);
    print_message("damaged compiled dictionary: %zu (mapped) and %zu (moved) of 500 refused\n",
                  mapped, moved);
    assert_true(mapped > 100 && moved > 100);
}

/* The compiled file's header as text.c writes it (hyb_header): 16 bytes of
 * magic, six 32-bit fields, then the size, the first level's offset and the
 * base its pointers point from. */
#define HYB_FIRST_AT (16 + 6 * sizeof(uint32_t) + sizeof(uint64_t))
#define HYB_BASE_AT (HYB_FIRST_AT + sizeof(uint64_t))

/* Where in bytes level `level` (0: the compound level, 1: the patterns) has
 * its dict, and (*states) its states. */
static size_t hyb_level_at(const char *bytes, size_t len, int level, size_t *states)
{
    uint64_t first, base;
    memcpy(&first, bytes + HYB_FIRST_AT, sizeof first);
    memcpy(&base, bytes + HYB_BASE_AT, sizeof base);
    size_t at = first;
    HyphenDict d;
    for (int i = 0;; i++) {
        assert_true(at + sizeof d <= len);
        memcpy(&d, bytes + at, sizeof d);
        if (i == level)
            break;
        assert_non_null(d.nextlevel);
        at = (size_t)((uint64_t)(uintptr_t)d.nextlevel - base);
    }
    *states = (size_t)((uint64_t)(uintptr_t)d.states - base);
    assert_true(*states + (size_t)d.num_states * sizeof(HyphenState) <= len);
    return at;
}

static HyphenState hyb_state_of(const char *bytes, size_t states, int i)
{
    HyphenState s;
    memcpy(&s, bytes + states + (size_t)i * sizeof s, sizeof s);
    return s;
}

static void hyb_state_put(char *bytes, size_t states, int i, const HyphenState *s)
{
    memcpy(bytes + states + (size_t)i * sizeof *s, s, sizeof *s);
}

/* A compiled file of the right sizes and pointers but the wrong shape is
 * refused at load (text.c, hyb_states). Before, each of these loaded: a
 * fallback cycle made libhyphen loop for ever on the first letter no state
 * of the cycle had (the first case hung the render of any word), and a
 * match longer than its state's depth made it write the digits before the
 * start of the word's buffer. */
static void test_compiled_bad_shape(void **state)
{
    (void)state;
    size_t len, states;
    char *good = read_all(COMPILED_DIC, &len);
    char *bad = malloc(len);
    assert_non_null(bad);
    uint64_t base;
    memcpy(&base, good + HYB_BASE_AT, sizeof base);

    /* the compound level's state 0 falls back to itself */
    memcpy(bad, good, len);
    hyb_level_at(bad, len, 0, &states);
    HyphenState s = hyb_state_of(bad, states, 0);
    s.fallback_state = 0;
    hyb_state_put(bad, states, 0, &s);
    assert_null(load_bytes(bad, len));

    /* a state of the patterns falls back to itself */
    memcpy(bad, good, len);
    hyb_level_at(bad, len, 1, &states);
    HyphenState root = hyb_state_of(bad, states, 0);
    assert_true(root.num_trans > 0);
    HyphenTrans t0;
    size_t trans = (size_t)((uint64_t)(uintptr_t)root.trans - base);
    memcpy(&t0, bad + trans, sizeof t0);
    s = hyb_state_of(bad, states, t0.new_state);
    s.fallback_state = t0.new_state;
    hyb_state_put(bad, states, t0.new_state, &s);
    assert_null(load_bytes(bad, len));

    /* a transition back to state 0 (a cycle of transitions, and state 0
     * reached twice) */
    memcpy(bad, good, len);
    t0.new_state = 0;
    memcpy(bad + trans, &t0, sizeof t0);
    assert_null(load_bytes(bad, len));

    /* a state one letter deep (not '.') given the longest match of the file */
    memcpy(bad, good, len);
    int n = 0;
    HyphenDict d;
    memcpy(&d, bad + hyb_level_at(bad, len, 1, &states), sizeof d);
    n = d.num_states;
    char *longest = NULL;
    size_t most = 0;
    for (int i = 0; i < n; i++) {
        HyphenState si = hyb_state_of(bad, states, i);
        if (!si.match)
            continue;
        size_t at = (size_t)((uint64_t)(uintptr_t)si.match - base);
        if (strlen(bad + at) > most)
            most = strlen(bad + at), longest = si.match;
    }
    assert_true(most >= 3);
    HyphenTrans letter = {0};
    for (int k = 0; k < root.num_trans; k++) {
        memcpy(&letter, bad + trans + (size_t)k * sizeof letter, sizeof letter);
        if (letter.ch != '.')
            break;
    }
    assert_true(letter.ch != '.');
    s = hyb_state_of(bad, states, letter.new_state);
    s.match = longest;
    hyb_state_put(bad, states, letter.new_state, &s);
    assert_null(load_bytes(bad, len));

    /* the file itself loads */
    text_hyph *h = load_bytes(good, len);
    assert_non_null(h);
    text_hyph_free(h);
    free(bad);
    free(good);
}

/* The same words break alike in a dictionary read and moved (its address taken
 * by the one of the tests, mapped) as in that one. */
static void test_compiled_moved(void **state)
{
    text_hyph *moved = text_hyph_load(COMPILED_DIC);
    assert_non_null(moved);
    for (size_t i = 0; i < sizeof dictionary_words / sizeof *dictionary_words; i++) {
        char word[RENDER_SIZE], a[RENDER_SIZE], b[RENDER_SIZE];
        strip_hyphens(dictionary_words[i], word);
        hyphenate(*state, word, a);
        hyphenate(moved, word, b);
        assert_string_equal(a, b);
    }
    text_hyph_free(moved);
}

/* ---- Typography ---- */

typedef struct typo_case {
    const char *name;
    const char *in;
    const char *expected; /* "~" stands for U+00A0 */
} typo_case;

static const typo_case typo_cases[] = {
    {"number sign", "приказ № 669", "приказ №~669"},
    {"number sign glued", "приказ №669", "приказ №669"},
    {"number sign, no number", "№ п/п", "№ п/п"},
    {"initials before", "И.Н. Шадрин", "И.Н.~Шадрин"},
    {"spaced initials", "И. Н. Шадрин", "И.~Н.~Шадрин"},
    {"initials after", "Шадрин И.Н.", "Шадрин~И.Н."},
    {"initials after, spaced", "Кускова И. Н., Петров П. П.", "Кускова~И.~Н., Петров~П.~П."},
    {"initials, double-barrelled", "А.А. Римский-Корсаков", "А.А.~Римский-Корсаков"},
    {"initials in quotes", "(И.Н. Шадрин)", "(И.Н.~Шадрин)"},
    {"date in words", "30 августа 2023 г.", "30~августа~2023~г."},
    {"day and month", "5 июня", "5~июня"},
    {"not a day", "45 июня", "45 июня"},
    {"years", "2023-2025 гг.", "2023–2025~гг."},
    {"page range", "с. 5-7 и пункты 2.3-2.6", "с.~5–7 и~пункты 2.3–2.6"},
    {"no ranges", "273-ФЗ, 7-й, 2023-09-01, 8-800-100", "273-ФЗ, 7-й, 2023-09-01, 8-800-100"},
    {"quotes", "школа \"Успех\" и (\"Рост\")", "школа «Успех» и~(«Рост»)"},
    {"nested quotes", "\"МБОУ \"Школа № 2\"\"", "«МБОУ „Школа №~2“»"},
    {"straight inside typed", "«проект \"Наставник\"»", "«проект „Наставник“»"},
    {"unmatched closing quote", "слово\" далее", "слово» далее"},
    {"two hyphens", "текст -- далее", "текст~— далее"},
    {"number with a letter", "№ Р-145 от", "№~Р-145 от"},
    {"years, en dash", "2023–2025 гг., далее", "2023–2025~гг., далее"},
    {"year without г.", "2023 года", "2023 года"},
    {"short words", "в школе и дома", "в~школе и~дома"},
    {"short words, any case", "В Школе НА ПРАКТИКЕ", "В~Школе НА~ПРАКТИКЕ"},
    {"short word before punctuation", "И, конечно, в, на", "И, конечно, в, на"},
    {"short word after a quote", "«В школе» (в классе)", "«В~школе» (в~классе)"},
    {"short word with a hyphen", "по-новому", "по-новому"},
    {"particles", "есть ли смысл", "есть~ли~смысл"},
    {"particles 2", "Было бы хорошо, как же", "Было~бы~хорошо, как~же"},
    {"particle after punctuation", "так, же", "так, же"},
    {"hyphen as a dash", "Братск - город", "Братск~— город"},
    {"typed dashes kept", "Братск – город — здесь", "Братск~– город~— здесь"},
    {"dash at the start", "- начало", "- начало"},
    {"city", "г. Братск", "г.~Братск"},
    {"address", "г. Братск, ул. Мира, д. 5, кв. 12", "г.~Братск, ул.~Мира, д.~5, кв.~12"},
    {"region", "Иркутская обл. Братский район", "Иркутская обл.~Братский район"},
    {"year, then a capital", "в 2023 г. Министерство", "в~2023~г. Министерство"},
    {"etc.", "и т. д. Далее", "и~т.~д. Далее"},
    {"i. o.", "и. о. директора", "и.~о. директора"},
    {"legal references", "п. 2.1, ч. 2 ст. 28", "п.~2.1, ч.~2 ст.~28"},
    {"white space collapses", "  многострочный\n\t текст \r\n ", "многострочный текст"},
    {"typed NBSP stays", "Иванов\u00A0 \u00A0Петров", "Иванов~Петров"},
    {"narrow NBSP untouched", "№\u202F5", "№\u202F5"},
    {"empty", "", ""},
    {"only spaces", " \n\t ", ""},
    {"dash in Latin text", "plain text - here", "plain text~— here"},
};

static void test_typography_cases(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < sizeof typo_cases / sizeof *typo_cases; i++) {
        const typo_case *c = &typo_cases[i];
        char want[RENDER_SIZE];
        expand_nbsp(c->expected, want);
        char *got = text_typography(c->in, strlen(c->in));
        if (strcmp(got, want) != 0) {
            print_error("%s: got \"%s\", want \"%s\"\n", c->name, got, want);
            failures++;
        }
        free(got);
    }
    assert_int_equal(failures, 0);
}

/* `typography: keep`: quotes, dashes and ranges as typed; the non-breaking
 * spaces still apply. */
static void test_typography_keep(void **state)
{
    (void)state;
    char want[RENDER_SIZE];
    expand_nbsp("\"Успех\" - 2023-2025 гг. № Р-145", want);
    char *got = text_typography_with("\"Успех\" - 2023-2025 гг. № Р-145",
                                     strlen("\"Успех\" - 2023-2025 гг. № Р-145"), true);
    /* the dash binds to the word before it: no line starts with it */
    expand_nbsp("\"Успех\"~- 2023-2025~гг. №~Р-145", want);
    assert_string_equal(got, want);
    free(got);
}

/* Input is validated earlier; whatever arrives, the output is valid UTF-8. */
static void test_typography_invalid_utf8(void **state)
{
    (void)state;
    static const char bad[] = "в \xFF школе \xD0 и\xE2\x80 \xC2";
    char *got = text_typography(bad, sizeof bad - 1);
    assert_int_equal(utf8_check(got, strlen(got)), strlen(got));
    char want[RENDER_SIZE];
    expand_nbsp("в~\uFFFD школе \uFFFD и\uFFFD\uFFFD \uFFFD", want);
    assert_string_equal(got, want);
    free(got);
    /* The length given counts; bytes after it are not read. */
    got = text_typography("в школе", strlen("в"));
    assert_string_equal(got, "в");
    free(got);
}

/* A megabyte of short words: each decision looks at a fixed window, so this
 * is linear (a quadratic pass would take minutes). */
static void test_typography_large(void **state)
{
    (void)state;
    enum { WORDS = 1 << 19 };
    char *in = malloc(2 * WORDS);
    assert_non_null(in);
    for (size_t i = 0; i < WORDS; i++) {
        in[2 * i] = 'a';
        in[2 * i + 1] = ' ';
    }
    char *got = text_typography(in, 2 * WORDS);
    assert_int_equal(strlen(got), 2 * WORDS - 1);
    free(got);
    free(in);
}

/* The breaks of an address, written as the word with «|» at each. */
static char *address_marked(const char *w)
{
    text_break br[64];
    size_t n = text_address_breaks(w, strlen(w), br, 64);
    static char out[512];
    size_t o = 0, k = 0;
    for (size_t i = 0; w[i]; i++) {
        out[o++] = w[i];
        if (k < n && br[k].at == i) {
            assert_false(br[k].add_hyphen);
            out[o++] = '|';
            k++;
        }
    }
    assert_int_equal(k, n);
    out[o] = 0;
    return out;
}

/* Web addresses and e-mails (docs/typesetting.md §3): found, and broken
 * after «/» and «@», before «.», «?», «#», «&», «=», «_», «~» and their own
 * «-», never inside «//», never in the punctuation around them. */
static void test_addresses(void **state)
{
    (void)state;
    const char *yes[] = {"https://kez2.example-ru.ru/a",
                         "http://x.ru",
                         "(https://site.ru/doc).",
                         "«www.school.ru»",
                         "WWW.SCHOOL.RU",
                         "ivan.petrov@school1.ru",
                         "почта@школа.рф,",
                         "ftp://files"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(text_is_address(yes[i], strlen(yes[i])));
    const char *no[] = {"наставничество", "1:2://",     "://x.ru", "www",        "a@b",
                        "a@b.c",          "user@host",  "МБОУ",    "кейс/отзыв", "8:00-9:00",
                        "@school.ru",     "x@school.r1"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(text_is_address(no[i], strlen(no[i])));
    assert_string_equal(address_marked("https://kez2.exam-ple.ru/nastavnichestvo/keys-teplica"),
                        "https://|kez2|.exam|-ple|.ru/|nastavnichestvo/|keys|-teplica");
    assert_string_equal(address_marked("«https://site.ru/a?b=1&c=2#top»."),
                        "«https://|site|.ru/|a|?b|=1|&c|=2|#top».");
    assert_string_equal(address_marked("ivan.petrov@school.ru"), "ivan|.petrov@|school|.ru");
    assert_string_equal(address_marked("www.school.ru/."), "www|.school|.ru/.");
    /* never two breaks between separators, none before the second character */
    assert_string_equal(address_marked("a.b-.c//d"), "a.b|-.c//|d");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictionary_words),
        cmocka_unit_test(test_expansion_finds_more_breaks),
        cmocka_unit_test(test_word_cases),
        cmocka_unit_test(test_without_dictionary),
        cmocka_unit_test(test_without_dictionary_offsets),
        cmocka_unit_test(test_breaks_capped),
        cmocka_unit_test(test_breaks_memo),
        cmocka_unit_test(test_breaks_are_byte_offsets),
        cmocka_unit_test(test_long_words),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_dictionary_load),
        cmocka_unit_test(test_compiled_as_patterns),
        cmocka_unit_test(test_compiled_moved),
        cmocka_unit_test(test_typography_cases),
        cmocka_unit_test(test_typography_invalid_utf8),
        cmocka_unit_test(test_typography_keep),
        cmocka_unit_test(test_typography_large),
    };
    /* without the group's dictionary: the files it loads are mapped at their own
     * address, which that dictionary would hold */
    const struct CMUnitTest file_tests[] = {
        cmocka_unit_test(test_compiled_damaged),
        cmocka_unit_test(test_compiled_bad_shape),
        cmocka_unit_test(test_addresses),
    };
    int failed = cmocka_run_group_tests(tests, setup_dictionary, teardown_dictionary);
    return failed + cmocka_run_group_tests(file_tests, NULL, NULL);
}
