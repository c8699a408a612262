/* schema: kind_field tables -> JSON Schema draft-07.
 *
 * A scalar the loader reads as text may be written unquoted, and the YAML
 * language server reads `669` as a number and `true` as a boolean: scalar
 * fields accept the three. A key with `*` (responses_*) is a pattern. */
#include "schema.h"

#include <string.h>

#include "survey.h"

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

/* An item that is a string or a map of fields (a point, a list item, a
 * person). */
static void scalar_or_map(buf *out, const kind_field *fields, unsigned depth)
{
    buf_puts(out, "{\"anyOf\": [{" SCALAR "}, {");
    map_schema(out, fields, NULL, NULL, true, depth + 1);
    buf_puts(out, "}]}");
}

/* KS_CONTENT: a string, or a list of strings and maps of one key of
 * kind_content_keys (kind_content_of). */
/* The elements of a text (kind_content_of): a string, or a map of one key
 * of kind_content_keys. */
static void content_elements(buf *out, unsigned depth)
{
    static const kind_field list = {"list", KS_ITEMS, true, "список с тире", NULL, NULL};
    static const kind_field numbered = {"numbered", KS_ITEMS, true, "нумерованный список",
                                        NULL,       NULL};
    static const kind_field table = {"table", KS_MAP, true, "таблица", kind_table_fields, NULL};
    static const kind_field heading = {"heading", KS_STRING, true, "заголовок", NULL, NULL};
    static const kind_field paragraph = {"paragraph", KS_STRING, true, "абзац", NULL, NULL};
    const kind_field *elems[KIND_CONTENT_KEYS] = {&heading, &paragraph, &list, &numbered, &table};
    buf_puts(out, "{" SCALAR "}");
    for (size_t i = 0; i < KIND_CONTENT_KEYS; i++) {
        kind_field one[2] = {*elems[i], {NULL, 0, false, NULL, NULL, NULL}};
        one[0].key = kind_content_keys[i]; /* in the checker's order */
        buf_puts(out, ", {");
        map_schema(out, one, NULL, NULL, true, depth + 1);
        buf_puts(out, "}");
    }
}

/* KS_CONTENT: a string, or a list of text elements. */
static void content_schema(buf *out, unsigned depth)
{
    buf_puts(out, "\"anyOf\": [{" SCALAR "}, {\"type\": \"array\", \"items\": {\"anyOf\": [");
    content_elements(out, depth);
    buf_puts(out, "]}}]");
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
        buf_puts(out, "\"type\": \"array\", \"items\": ");
        scalar_or_map(out, f->type == KS_ITEMS ? kind_item_fields : kind_point_fields, depth);
        break;
    case KS_CONTENT:
        content_schema(out, depth);
        break;
    case KS_PEOPLE:
        buf_puts(out, "\"anyOf\": [{" SCALAR "}, {\"type\": \"array\", \"items\": ");
        scalar_or_map(out, kind_signer_fields, depth);
        buf_puts(out, "}]");
        break;
    case KS_PARTS:
        buf_puts(out, "\"type\": \"array\", \"items\": {\"description\": ");
        json_string(out, f->item->what);
        buf_puts(out, ", ");
        map_schema(out, f->item->fields, NULL, NULL, true, depth + 1);
        buf_puts(out, "}");
        break;
    case KS_BODY: /* recursive (clauses in clauses): one definition, body_schema */
        buf_puts(out, "\"allOf\": [{\"$ref\": \"#/definitions/body\"}]");
        break;
    }
    buf_puts(out, "}");
}

/* Whether a field of fields (at any depth) is of type t. */
static bool uses_type(const kind_field *fields, kind_type t, unsigned depth)
{
    for (const kind_field *f = fields; f && f->key && depth < 16; f++) {
        const kind_field *item = f->item;
        if (f->type == t || uses_type(f->fields, t, depth + 1) ||
            (item && (item->type == t || uses_type(item->fields, t, depth + 1))))
            return true;
    }
    return false;
}

/* "definitions": {"body": …}: KS_BODY, the text of sections and clauses
 * (kind_text_check_body): text elements, {clause, number, body} and
 * {section, number, body}, whose body refers back here. */
static void body_schema(buf *out)
{
    buf_puts(out, ", \"definitions\": {\"body\": {\"description\": \"текст: абзацы, заголовки, "
                  "списки, таблицы, пункты (clause) и подразделы (section)\", \"type\": "
                  "\"array\", \"items\": {\"anyOf\": [");
    content_elements(out, 1);
    buf_puts(out, ", {");
    map_schema(out, kind_clause_fields, NULL, NULL, true, 1);
    buf_puts(out, "}, {");
    map_schema(out, kind_section_fields, NULL, NULL, true, 1);
    buf_puts(out, "}]}}}");
}

void schema_of_kind(const kind_def *k, buf *out)
{
    buf_puts(out, "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"title\": ");
    json_string(out, k->name);
    buf_puts(out, ", ");
    map_schema(out, k->fields, kind_common_fields, include_field, false, 0);
    /* the header names one kind's schema: another `document:` is a mistake */
    buf_puts(out, ", \"required\": [\"document\"], \"allOf\": [{\"properties\": {\"document\": "
                  "{\"const\": ");
    json_string(out, k->name);
    buf_puts(out, "}}}]");
    if (uses_type(k->fields, KS_BODY, 0))
        body_schema(out);
    buf_puts(out, "}\n");
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

/* ---- the shared data files (people, pairs, partners, survey) ---------- */

static const kind_data_file *const data_files[] = {&kind_people_file, &kind_pairs_file,
                                                   &kind_partners_file, &survey_file};
enum { NDATA_FILES = sizeof data_files / sizeof *data_files };

size_t schema_data_file_count(void)
{
    return NDATA_FILES;
}

const kind_data_file *schema_data_file_at(size_t i)
{
    return i < NDATA_FILES ? data_files[i] : NULL;
}

const kind_data_file *schema_data_file_find(const char *name)
{
    for (size_t i = 0; i < NDATA_FILES; i++)
        if (!strcmp(data_files[i]->name, name))
            return data_files[i];
    return NULL;
}

/* One character of a column name as a regular expression that matches it
 * the way the checker compares: letters in either case (loose: ё as е too),
 * a space as any run of spaces (loose), metacharacters escaped. */
static void alias_char_regex(buf *out, uint32_t cp, bool loose)
{
    uint32_t up = 0;
    if ((cp >= 0x430 && cp <= 0x44F) || (cp >= 'a' && cp <= 'z'))
        up = cp - 0x20;
    else if (cp == 0x451)
        up = 0x401;
    if (loose && (cp == 0x435 || cp == 0x451)) {
        buf_puts(out, "[еЕёЁ]");
    } else if (loose && cp == ' ') {
        buf_puts(out, "\\\\s+");
    } else if (up) {
        buf_putc(out, '[');
        buf_put_cp(out, cp);
        buf_put_cp(out, up);
        buf_putc(out, ']');
    } else {
        if (cp < 0x80 && strchr("\\^$.|?*+()[]{}", (int)cp))
            buf_puts(out, "\\\\");
        buf_put_cp(out, cp);
    }
}

/* The regular expression (JSON-escaped, without quotes) of one column name:
 * loose names may have spaces around them and a colon after them. */
static void alias_regex(buf *out, const char *name, bool loose)
{
    buf_puts(out, loose ? "^\\\\s*" : "^");
    for (const char *p = name; *p;) {
        uint32_t cp;
        p += utf8_next(p, strlen(p), &cp);
        alias_char_regex(out, cp, loose);
    }
    buf_puts(out, loose ? "[\\\\s:]*$" : "$");
}

/* The column names that stand for key (key NULL: the skipped columns), as
 * one regular expression "a|b|…"; false when there is none. */
static bool aliases_regex(buf *out, const kind_list *l, const char *key)
{
    bool any = false;
    for (const kind_alias *a = l->aliases; a && a->name; a++) {
        if (key ? !a->key || strcmp(a->key, key) : a->key != NULL)
            continue;
        buf_puts(out, any ? "|" : "");
        alias_regex(out, a->name, l->loose);
        any = true;
    }
    return any;
}

/* A field of an item that may come from a CSV cell: empty means absent. */
static void cell_schema(buf *out, const kind_field *f, bool nullable)
{
    if (!nullable) {
        field_schema(out, f, 1);
        return;
    }
    buf_puts(out, "{\"description\": ");
    json_string(out, f->what ? f->what : f->key);
    buf_puts(out, ", \"anyOf\": [");
    field_schema(out, f, 1);
    buf_puts(out, ", {\"type\": \"null\"}, {\"const\": \"\"}]}");
}

/* The column names as patternProperties, each with its field's schema; the
 * skipped columns (№) with any value. */
static void aliases_schema(buf *out, const kind_list *l)
{
    buf_puts(out, ", \"patternProperties\": {");
    bool first = true;
    for (const kind_field *f = l->fields; f->key; f++) {
        buf re;
        buf_init(&re);
        if (aliases_regex(&re, l, f->key)) {
            buf_printf(out, "%s\"%s\": ", first ? "" : ", ", re.data);
            cell_schema(out, f, true);
            first = false;
        }
        buf_fini(&re);
    }
    buf re;
    buf_init(&re);
    if (aliases_regex(&re, l, NULL))
        buf_printf(out, "%s\"%s\": {\"description\": \"номер строки (не читается)\"}",
                   first ? "" : ", ", re.data);
    buf_fini(&re);
    buf_puts(out, "}");
}

/* A required field: its key, or (a list with column names) one of its
 * column names: "some key matches" is not "every key fails to match". */
static void required_schema(buf *out, const kind_list *l)
{
    bool first = true;
    for (const kind_field *f = l->fields; f->key; f++) {
        if (!f->required)
            continue;
        buf_puts(out, first ? ", \"allOf\": [{" : ", {");
        first = false;
        buf re;
        buf_init(&re);
        if (aliases_regex(&re, l, f->key))
            buf_printf(out,
                       "\"anyOf\": [{\"required\": [\"%s\"]}, {\"not\": {\"propertyNames\": "
                       "{\"not\": {\"pattern\": \"%s\"}}}}]}",
                       f->key, re.data);
        else
            buf_printf(out, "\"required\": [\"%s\"]}", f->key);
        buf_fini(&re);
    }
    if (!first)
        buf_puts(out, "]");
}

/* One item of list l: a map of its fields (or their column names). */
static void item_schema(buf *out, const kind_list *l)
{
    if (l->named)
        buf_puts(out, "{\"anyOf\": [{" SCALAR "}, ");
    buf_puts(out, "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": {");
    for (const kind_field *f = l->fields; f->key; f++) {
        buf_puts(out, f == l->fields ? "" : ", ");
        json_string(out, f->key);
        buf_puts(out, ": ");
        cell_schema(out, f, l->aliases != NULL);
    }
    buf_puts(out, "}");
    if (l->aliases)
        aliases_schema(out, l);
    required_schema(out, l);
    buf_puts(out, "}");
    if (l->named)
        buf_puts(out, "]}");
}

void schema_of_data_file(const kind_data_file *f, buf *out)
{
    buf_puts(out, "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"title\": ");
    json_string(out, f->name);
    buf_puts(out, ", \"description\": ");
    json_string(out, f->what);
    buf_puts(out, ", \"type\": \"object\", \"additionalProperties\": false, \"properties\": {");
    json_string(out, include_field->key);
    buf_puts(out, ": {\"description\": ");
    json_string(out, include_field->what);
    buf_puts(out, ", \"type\": [\"string\", \"array\", \"object\"]}");
    for (const kind_list *const *l = f->lists; *l; l++) {
        buf_puts(out, ", ");
        json_string(out, (*l)->key);
        buf_puts(out, ": {\"description\": ");
        json_string(out, (*l)->what);
        buf_puts(out, ", \"type\": \"array\", \"items\": ");
        item_schema(out, *l);
        buf_puts(out, "}");
    }
    buf_puts(out, "}}\n");
}

/* ---- every schema by its name ------------------------------------------ */

size_t schema_count(void)
{
    return 1 + kinds_count() + NDATA_FILES;
}

const char *schema_name(size_t i)
{
    if (i == 0)
        return "school";
    if (i - 1 < kinds_count())
        return kinds_at(i - 1)->name;
    i -= 1 + kinds_count();
    return i < NDATA_FILES ? data_files[i]->name : NULL;
}

bool schema_of(const char *name, buf *out)
{
    const kind_def *k = kinds_find(name);
    const kind_data_file *f = schema_data_file_find(name);
    if (!strcmp(name, "school"))
        schema_of_school(out);
    else if (k)
        schema_of_kind(k, out);
    else if (f)
        schema_of_data_file(f, out);
    return !strcmp(name, "school") || k || f;
}
