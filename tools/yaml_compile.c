/* yaml_compile IN.yaml OUT: IN's tree compiled for the program
 * (yaml_compiled.h). Run by make at build time for each built-in template.
 * IN must load without any message and include nothing; the file written
 * is read back and compared with the tree before make keeps it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "yaml_compiled.h"
#include "yaml_load.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: yaml_compile IN.yaml OUT\n", stderr);
        return 2;
    }
    diag *d = diag_new();
    size_t len, nfiles = 0;
    char *text = util_read_file(argv[1], YL_MAX_FILE_SIZE, &len);
    yl_doc *doc = text ? yl_load_file(argv[1], d) : NULL;
    if (doc)
        yl_doc_files(doc, &nfiles);
    int rc = 1;
    buf out;
    buf_init(&out);
    if (!doc || diag_count(d) || nfiles != 1) {
        diag_print(d, stderr);
        fprintf(stderr, "yaml_compile: %s: not loaded, or loaded with messages or includes\n",
                argv[1]);
    } else if (!yc_write(yl_doc_root(doc), text, len, &out)) {
        fprintf(stderr, "yaml_compile: %s: too large to compile\n", argv[1]);
    } else {
        arena *mem = arena_new();
        const yl_node *back = yc_read(mem, "", text, len, out.data, out.len);
        if (!back || !yc_same_tree(yl_doc_root(doc), back)) {
            fprintf(stderr, "yaml_compile: %s: the compiled tree reads back otherwise\n", argv[1]);
        } else {
            FILE *f = fopen(argv[2], "wb");
            bool ok = f && fwrite(out.data, 1, out.len, f) == out.len;
            ok = f && fclose(f) == 0 && ok;
            rc = ok ? 0 : 3;
            if (!ok)
                fprintf(stderr, "yaml_compile: %s: not written\n", argv[2]);
        }
        arena_free(mem);
    }
    buf_fini(&out);
    free(text);
    yl_doc_free(doc);
    diag_free(d);
    return rc;
}
