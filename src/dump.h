/* dump: the text form of a stage's output, for tests and `nastavdoc dump`.
 * Borrows what it prints; output goes into a caller's buffer. */
#ifndef NASTAVDOC_DUMP_H
#define NASTAVDOC_DUMP_H

#include "block.h"
#include "util.h"

/* Every text the block tree will print, one per line, in reading order:
 * paragraphs, list items (label and text), rows, table cells; a table's
 * header cells come first, each after "header" and a tab. */
void dump_texts(const blk_doc *t, buf *out);

#endif
