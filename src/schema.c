/* schema: kind_field tables -> JSON Schema draft-07.
 *
 * A scalar the loader reads as text may be written unquoted, and the YAML
 * language server reads `669` as a number and `true` as a boolean: scalar
 * fields accept the three. A key with `*` (responses_*) is a pattern. */
#include "schema.h"

#include <string.h>

/* s as a JSON string (quotes, backslashes and control bytes escaped). */
static void json_string(buf *out, const char *s)
{
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            buf_printf(out, "\\u%04x", *p);
        else
            buf_putc(out, (char)*p);
    }
    buf_putc(out, '"');
}

static void field_schema(buf *out, const kind_field *f, unsigned depth);

/* include: a path, a list, or a map of KEY: FILE (loaded before any check) */
static const kind_field include_field[] = {
    {"include", KS_STRINGS, false,
     "общие файлы досье: путь, список путей или «ключ: файл» (CSV-таблица под ключом)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

#define SCALAR "\"type\": [\"string\", \"number\", \"boolean\"]"
#define TEXT_OR_LIST "\"anyOf\": [{" SCALAR "}, {\"type\": \"array\", \"items\": {" SCALAR "}}]"

/* "properties", "patternProperties" and "required" of a map's fields. */
static void map_schema(buf *out, const kind_field *fields, const kind_field *extra,
                       const kind_field *extra2, bool required, unsigned depth)
{
    buf_puts(out, "\"type\": \"object\", \"additionalProperties\": false, \"properties\": {");
    const kind_field *lists[3] = {fields, extra, extra2};
    bool first = true, any_pattern = false;
    for (int l = 0; l < 3; l++)
        for (const kind_field *f = lists[l]; f && f->key; f++) {
            if (strchr(f->key, '*')) {
                any_pattern = true;
                continue;
            }
            buf_puts(out, first ? "" : ", ");
            first = false;
            json_string(out, f->key);
            buf_puts(out, ": ");
            if (f == include_field) {
                buf_puts(out, "{\"description\": ");
                json_string(out, f->what);
                buf_puts(out, ", \"type\": [\"string\", \"array\", \"object\"]}");
            } else {
                field_schema(out, f, depth + 1);
            }
        }
    buf_puts(out, "}");
    if (any_pattern) {
        buf_puts(out, ", \"patternProperties\": {");
        first = true;
        for (const kind_field *f = fields; f && f->key; f++) {
            const char *star = strchr(f->key, '*');
            if (!star)
                continue;
            buf_printf(out, "%s\"^%.*s.*$\": ", first ? "" : ", ", (int)(star - f->key), f->key);
            first = false;
            field_schema(out, f, depth + 1);
        }
        buf_puts(out, "}");
    }
    if (!required)
        return;
    buf_puts(out, ", \"required\": [");
    first = true;
    for (const kind_field *f = fields; f && f->key; f++)
        if (f->required && !strchr(f->key, '*')) {
            buf_puts(out, first ? "" : ", ");
            json_string(out, f->key);
            first = false;
        }
    buf_puts(out, "]");
}

static void field_schema(buf *out, const kind_field *f, unsigned depth)
{
    buf_puts(out, "{\"description\": ");
    json_string(out, f->what ? f->what : f->key);
    buf_puts(out, ", ");
    if (depth > 16) { /* the tables nest a few levels; a cycle would not end */
        buf_puts(out, "\"type\": \"object\"}");
        return;
    }
    switch (f->type) {
    case KS_DATE:
        buf_puts(out, "\"type\": \"string\", \"pattern\": \"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\"");
        break;
    case KS_STRING:
    case KS_NUMBER:
    case KS_BOOL:
        buf_puts(out, SCALAR);
        break;
    case KS_TEXT:
    case KS_STRINGS:
    case KS_LINES:
        buf_puts(out, TEXT_OR_LIST);
        break;
    case KS_MAP:
        if (f->fields)
            map_schema(out, f->fields, NULL, NULL, true, depth);
        else
            buf_puts(out, "\"type\": \"object\"");
        break;
    case KS_SEQ:
        buf_puts(out, "\"type\": \"array\"");
        if (f->item) {
            buf_puts(out, ", \"items\": ");
            field_schema(out, f->item, depth + 1);
        }
        break;
    case KS_POINTS:
    case KS_ITEMS:
    case KS_CONTENT:
    case KS_PEOPLE:
        buf_puts(out, "\"type\": [\"array\", \"string\"]");
        break;
    }
    buf_puts(out, "}");
}

void schema_of_kind(const kind_def *k, buf *out)
{
    buf_puts(out, "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"title\": ");
    json_string(out, k->name);
    buf_puts(out, ", ");
    map_schema(out, k->fields, kind_common_fields, include_field, false, 0);
    buf_puts(out, ", \"required\": [\"document\"]}\n");
}

void schema_of_school(buf *out)
{
    static const kind_field root[] = {
        {"school", KS_MAP, true, "реквизиты организации", kind_school_fields, NULL},
        {NULL, 0, false, NULL, NULL, NULL}};
    buf_puts(out, "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"title\": "
                  "\"school\", ");
    map_schema(out, root, include_field, NULL, true, 0);
    buf_puts(out, "}\n");
}
