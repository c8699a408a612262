/* yaml_compiled: a loaded YAML tree written out at build time and read back
 * without libyaml (docs/ARCHITECTURE.md, yaml_compiled).
 *
 * The built-in templates are parsed by every process that renders a
 * document: libyaml took 1.28 M of the order's 11 M instructions for its
 * 4.7 KB template. make writes each template's tree once (yc_write, by
 * build/tools/yaml_compile); yaml_load reads it back (yc_read) when the
 * compiled file holds the very text the template has now, byte for byte,
 * and was written by this version of the program. Anything else, a damaged
 * file included, is no compiled tree: the template is parsed as before. */
#ifndef NASTAVDOC_YAML_COMPILED_H
#define NASTAVDOC_YAML_COMPILED_H

#include <stddef.h>

#include "util.h"
#include "yaml_load.h"

/* A compiled file larger than this is not one make wrote: the templates'
 * are 5 to 30 KB. */
#define YC_MAX_SIZE (8u << 20)

/* Append root's tree, with text (the file's bytes as read, len of them),
 * to out. false when the tree cannot be written: a node shared through an
 * alias, or more nodes than the format counts. */
bool yc_write(const yl_node *root, const char *text, size_t len, buf *out);

/* The tree in blob[0..n) as nodes in mem, their marks in file; NULL when
 * blob is not a compiled file of this version, or was compiled from other
 * text than text[0..len), or is damaged in any way. */
yl_node *yc_read(arena *mem, const char *file, const char *text, size_t len, const char *blob,
                 size_t n);

/* Are a and b the same tree: kinds, marks' lines and columns, strings,
 * keys (scalars on b's side too)? What yaml_compile checks of a tree read
 * back before make keeps it. Recursion is bounded by YL_MAX_DEPTH. */
bool yc_same_tree(const yl_node *a, const yl_node *b);

#endif
