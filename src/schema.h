/* schema: JSON Schema (draft-07) of a document kind, made from the same
 * field tables the checks use (kinds.h), with the Russian descriptions of
 * the messages: an editor with the YAML language server completes keys and
 * flags mistakes as the user types. Owns nothing. Included by main.c. */
#ifndef NASTAVDOC_SCHEMA_H
#define NASTAVDOC_SCHEMA_H

#include "kinds.h"
#include "util.h"

/* The schema of documents of kind k into out. Keys that usually come from
 * an included file (school, people …) are not required at the top: the
 * editor sees one file at a time. */
void schema_of_kind(const kind_def *k, buf *out);
/* The schema of school.yaml (its top-level `school` map). */
void schema_of_school(buf *out);

#endif
