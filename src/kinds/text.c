/* kinds/text: long structured documents, the regulation (положение) and the
 * programme (программа): a title page (header cascade, one to four approval
 * stamps, title, subtitle, place and year, «Составители:»), an optional
 * table of contents, numbered sections of paragraphs, clauses, lists and
 * tables, and annexes. The body grammar (kind_text_check_body) is shared
 * with the agreement's clause changes; the numbers are given by the
 * template's `clauses` block (src/template_text.c). */
#include "../kinds.h"

#include <stdio.h>
#include <string.h>

static const kind_field box_fields[] = {{"lines", KS_TEXT, true, "строки блока", NULL, NULL},
                                        {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field box_item = {"box", KS_MAP, false, "гриф", box_fields, NULL};

static const kind_field annex_fields[] = {
    {"title", KS_STRING, true, "заголовок приложения", NULL, NULL},
    {"number", KS_STRING, false, "номер приложения (по умолчанию 1, 2 …)", NULL, NULL},
    {"body", KS_BODY, false, "текст приложения", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field part_fields[] = {
    {"title", KS_STRING, true, "заголовок раздела", NULL, NULL},
    {"number", KS_STRING, false, "номер раздела как написано", NULL, NULL},
    {"body", KS_BODY, false, "текст раздела", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
static const kind_field part_item = {"section",   KS_MAP, false, "раздел: {title, number, body}",
                                     part_fields, NULL};
static const kind_field annex_item = {
    "annex", KS_MAP, false, "приложение: {title, number, body}", annex_fields, NULL};

static const kind_field text_fields[] = {
    {"header", KS_TEXT, false, "строки над наименованием (министерство, управление)", NULL, NULL},
    {"org", KS_TEXT, false, "наименование организации на титуле (по умолчанию school.name)", NULL,
     NULL},
    {"approval", KS_SEQ, false, "грифы «ПРИНЯТО», «УТВЕРЖДЕНО» (от 1 до 4)", NULL, &box_item},
    {"approval_layout", KS_STRING, false, "грифы в ряд (row) или сеткой 2×2 (grid)", NULL, NULL},
    {"title", KS_STRING, true, "заголовок документа", NULL, NULL},
    {"subtitle", KS_TEXT, false, "подзаголовок", NULL, NULL},
    {"place", KS_STRING, false, "место внизу титула", NULL, NULL},
    {"year", KS_STRING, false, "год внизу титула", NULL, NULL},
    {"authors", KS_TEXT, false, "составители", NULL, NULL},
    {"toc", KS_BOOL, false, "оглавление (true или false)", NULL, NULL},
    {"numbering", KS_STRING, false, "нумерация: auto (программой) или typed (как написано)", NULL,
     NULL},
    {"sections", KS_PARTS, true, "разделы", NULL, &part_item},
    {"annexes", KS_PARTS, false, "приложения", NULL, &annex_item},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, true, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"text", KS_MAP, true, "текст документа (положение, программа)", text_fields, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* {clause: TEXT, number, body} and {section: TITLE, number, body}. */
const kind_field kind_clause_fields[] = {
    {"clause", KS_STRING, true, "текст пункта", NULL, NULL},
    {"number", KS_STRING, false, "номер пункта как написано", NULL, NULL},
    {"body", KS_BODY, false, "текст внутри пункта", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};
const kind_field kind_section_fields[] = {
    {"section", KS_STRING, true, "заголовок подраздела", NULL, NULL},
    {"number", KS_STRING, false, "номер подраздела как написано", NULL, NULL},
    {"body", KS_BODY, false, "текст подраздела", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field clause_item = {"clause", KS_MAP, false, "пункт", kind_clause_fields, NULL};
static const kind_field section_item = {"section",           KS_MAP, false, "подраздел",
                                        kind_section_fields, NULL};

bool kind_text_check_body(const yl_node *body, const char *path, diag *d)
{
    static const kind_field content = {"body", KS_CONTENT, false, "текст", NULL, NULL};
    if (!body || yl_is_null(body))
        return true;
    if (body->kind == YL_SCALAR)
        return kind_check_value(body, &content, path, d);
    if (body->kind != YL_SEQ) {
        diag_error(d, body->mark, "«%s»: ожидался список абзацев, пунктов, списков и таблиц", path);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < body->n; i++) {
        const yl_node *e = body->items[i];
        bool clause = e->kind == YL_MAP && yl_map_get(e, "clause");
        bool section = e->kind == YL_MAP && yl_map_get(e, "section");
        if (clause || section) {
            ok &= kind_check_part(e, clause ? &clause_item : &section_item, path, d);
            continue;
        }
        yl_node one = {.kind = YL_SEQ, .mark = e->mark, .n = 1};
        yl_node *items[1] = {(yl_node *)e};
        one.items = items;
        if (e->kind == YL_MAP && e->n == 1 && !kind_content_of(e, &(const yl_node *){NULL})) {
            const char *k = e->pairs[0].key->str;
            static const char *const keys[] = {"clause", "section",  "heading", "paragraph",
                                               "list",   "numbered", "table"};
            const char *near = diag_suggest(k, keys, 7);
            diag_error(d, e->pairs[0].key->mark, "неизвестный вид текста «%s» в «%s»%s%s%s", k,
                       path,
                       near ? "; может быть, «"
                            : ": есть clause, section, heading, paragraph, list, numbered, table",
                       near ? near : "", near ? "»?" : "");
            ok = false;
            continue;
        }
        ok &= kind_check_value(&one, &content, path, d);
    }
    return ok;
}

/* v, when present, is one of two words. */
static bool check_choice(const yl_node *v, const char *a, const char *b, diag *d)
{
    if (!v || !yl_str(v) || !strcmp(yl_str(v), a) || !strcmp(yl_str(v), b))
        return true;
    diag_error(d, v->mark, "«%s»: ожидалось %s или %s", yl_str(v), a, b);
    return false;
}

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    const yl_node *school = yl_map_get(root, "school");
    const yl_node *text = yl_map_get(root, "text");
    bool ok = true;
    for (const kind_field *f = text_fields; f->key; f++) /* sections, annexes */
        if (f->type == KS_PARTS) {
            char path[32];
            snprintf(path, sizeof path, "text.%s", f->key);
            ok &= kind_check_parts(yl_map_get(text, f->key), f, path, d);
        }
    const yl_node *ap = yl_map_get(text, "approval");
    if (ap && (ap->n < 1 || ap->n > 4)) {
        diag_error(d, ap->mark, "text.approval: грифов должно быть от 1 до 4, а здесь %zu",
                   (size_t)ap->n);
        ok = false;
    }
    ok &= check_choice(yl_map_get(text, "approval_layout"), "row", "grid", d);
    ok &= check_choice(yl_map_get(text, "numbering"), "auto", "typed", d);
    if (!ok)
        return false;
    const yl_node *t = text;
    if (!yl_map_get(t, "numbering"))
        t = kind_map_set(a, t, "numbering", kind_scalar(a, "auto", text->mark));
    if (!yl_map_get(t, "org"))
        t = kind_map_set(a, t, "org", yl_map_get(school, "name"));
    if (!yl_map_get(t, "header") && yl_map_get(school, "header"))
        t = kind_map_set(a, t, "header", yl_map_get(school, "header"));
    /* one or two stamps: at the right or at the edges (`boxes`); three or four in
     * one row (`stamp_row`), or with approval_layout: grid in rows of two */
    const yl_node *layout = yl_map_get(t, "approval_layout");
    bool grid = layout && !strcmp(yl_str(layout), "grid");
    const char *key = !ap          ? NULL
                      : ap->n <= 2 ? "approval_row"
                      : grid       ? "approval_grid"
                                   : "approval_many";
    if (key)
        t = kind_map_set(a, t, key, ap);
    *data = kind_map_set(a, root, "text", t);
    return true;
}

const kind_def kind_text = {"text", root_fields, "text", compute};
