/* fake_fonts: a font interface for the layout tests (test_layout, test_para,
 * test_table): one family "Fake" whose every glyph is half an em wide and a
 * space a quarter, so widths in the tests can be counted by hand. Included
 * by those tests only. */
#ifndef NASTAVDOC_TEST_FAKE_FONTS_H
#define NASTAVDOC_TEST_FAKE_FONTS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "layout.h"

static int fake_find(void *ctx, const char *family, int style)
{
    (void)ctx;
    return strcmp(family, "Fake") ? -1 : style;
}

static double fake_advance(void *ctx, int font, uint32_t cp)
{
    (void)ctx;
    (void)font;
    return cp == ' ' ? 250 : 500;
}

static bool fake_has(void *ctx, int font, uint32_t cp)
{
    (void)ctx;
    (void)font;
    return cp < 0x3000;
}

static double fake_ascent(void *ctx, int font)
{
    (void)ctx;
    (void)font;
    return 800;
}

static double fake_descent(void *ctx, int font)
{
    (void)ctx;
    (void)font;
    return -200;
}

/* no identity: tests change the functions of a copy, so a face's
 * settings must not be kept (para.c's memo) */
static const layout_fonts fonts = {NULL,     fake_find,   fake_advance,
                                   fake_has, fake_ascent, fake_descent, NULL};

#endif
