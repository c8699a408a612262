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
/* The schema of a shared data file (people.yaml, pairs.yaml, partners.yaml,
 * the surveys' file): its lists, their items' fields and column names. */
void schema_of_data_file(const kind_data_file *f, buf *out);
/* The data files: schema_data_file_at(i) for i < schema_data_file_count(),
 * schema_data_file_find(name) or NULL. */
size_t schema_data_file_count(void);
const kind_data_file *schema_data_file_at(size_t i);
const kind_data_file *schema_data_file_find(const char *name);
/* Every schema: schema_name(i) for i < schema_count() (school, the kinds,
 * the data files); schema_of(name) appends the one of that name to out,
 * false (nothing appended) for an unknown name. */
size_t schema_count(void);
const char *schema_name(size_t i);
bool schema_of(const char *name, buf *out);

#endif
