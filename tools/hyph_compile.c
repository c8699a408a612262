/* hyph_compile PATTERNS OUT: the hyphenation patterns compiled for the program
 * (text_hyph_compile, docs/hyphenation.md). Run by make at build time. */
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: hyph_compile PATTERNS OUT\n", stderr);
        return 2;
    }
    char *block;
    size_t len;
    if (!text_hyph_compile(argv[1], &block, &len)) {
        fprintf(stderr, "hyph_compile: %s: patterns not loaded or not supported\n", argv[1]);
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    bool ok = f && fwrite(block, 1, len, f) == len;
    ok = f && fclose(f) == 0 && ok;
    free(block);
    if (!ok) {
        fprintf(stderr, "hyph_compile: %s: not written\n", argv[2]);
        return 3;
    }
    return 0;
}
