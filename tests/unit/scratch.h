/* scratch: a scratch folder per test group, for the unit tests that write
 * files (test_pdf, test_outfile). Included by those tests only. */
#ifndef NASTAVDOC_TEST_SCRATCH_H
#define NASTAVDOC_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct fixture {
    char dir[64]; /* scratch folder for output files */
} fixture;

/* cmocka group setup: a fresh folder /tmp/nastavdoc-unit.XXXXXX. */
static int setup_dir(void **state)
{
    fixture *fx = xcalloc(1, sizeof *fx);
    strcpy(fx->dir, "/tmp/nastavdoc-unit.XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

/* cmocka group teardown: the folder and everything in it go. */
static int teardown_dir(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

/* fx->dir/name. Caller frees. */
static char *path_in(const fixture *fx, const char *name)
{
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s/%s", fx->dir, name);
    return buf_take(&b);
}

#endif
