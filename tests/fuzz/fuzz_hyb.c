/* fuzz_hyb: libFuzzer harness for the loader of the compiled hyphenation
 * dictionary (text.c: hyb_load, docs/hyphenation.md). The input is a
 * compiled file (make's build/hyph_ru_RU.hyb is the seed; FUZZ_MAX_LEN_hyb
 * in the Makefile lets it in whole). It is loaded as a file, mapped at its
 * own address, and when it is accepted, words of every shape the program
 * hands over are hyphenated with it: a file the loader accepts must never
 * make libhyphen loop, read or write out of bounds (the sanitizers and
 * libFuzzer's -timeout watch). */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Words as layout hands them over: Cyrillic, with a compound's hyphen, a
 * digit, a capital, one letter, and the longest the dictionary is asked. */
static const char *const WORDS[] = {
    "наставничество",
    "психолого-педагогический",
    "Взаимодействие",
    "а",
    "сорок2сорок",
    "ёлка",
    "вввввввввввввввввввввввввввввввввввввввввввввввввввввввввввввввв",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-hyb", 0);
    if (fd < 0)
        abort();
    if (write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    text_hyph *h = text_hyph_load(path);
    close(fd);
    if (!h)
        return 0;
    for (size_t i = 0; i < sizeof WORDS / sizeof *WORDS; i++) {
        text_break b[64];
        size_t n = text_word_breaks(h, WORDS[i], strlen(WORDS[i]), b, 64);
        if (n > 64)
            abort();
    }
    text_hyph_free(h);
    return 0;
}
