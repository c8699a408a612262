/* kinds: the document kinds. For a loaded dossier file: check it against its
 * kind's schema and domain rules, and build the data tree the template reads
 * (the loaded values plus computed ones such as defaults). Owns nothing: new
 * nodes go into the caller's arena, loaded nodes are borrowed. */
#ifndef NASTAVDOC_KINDS_H
#define NASTAVDOC_KINDS_H

#include <stdbool.h>

#include "diag.h"
#include "util.h"
#include "yaml_load.h"

/* Schema of a map's fields, shared by the kinds (kinds.c checks them). */
typedef enum {
    KS_STRING,  /* a non-empty scalar */
    KS_DATE,    /* YYYY-MM-DD, a real calendar date */
    KS_TEXT,    /* a string or a list of strings (paragraphs) */
    KS_MAP,     /* fields below */
    KS_SEQ,     /* items of `item` */
    KS_POINTS,  /* numbered points: strings or {text, points} */
    KS_ITEMS,   /* list items of text blocks: strings or {text, items} */
    KS_CONTENT, /* text blocks: strings, {heading}, {paragraph}, {list}, {numbered} */
    KS_STRINGS, /* a string or a list of strings, as in include */
    KS_NUMBER,  /* a number */
    KS_BOOL,    /* true or false */
    KS_LINES,   /* a string or a list of strings: lines of one text (titles) */
    KS_PEOPLE,  /* a name, or a list of names and {name, position} (kind_acquaintance) */
    /* a list of maps of `item`'s fields, each named with its number
     * («text.sections[2]»): sections, annexes, an agreement's clauses; the
     * kind checks the items with kind_check_parts */
    KS_PARTS,
    /* the text of a section or clause: a list of text blocks, {clause},
     * {section} (kind_text_check_body, called by kind_check_part) */
    KS_BODY,
} kind_type;

typedef struct kind_field {
    const char *key;
    kind_type type;
    bool required;
    const char *what;                /* Russian: what the field is, for messages */
    const struct kind_field *fields; /* KS_MAP */
    const struct kind_field *item;   /* KS_SEQ: one entry describing an item */
} kind_field;

/* A column name of a spreadsheet (lower case) that stands for a field's key
 * in a list a CSV file may give; key NULL: a column to skip (the row
 * number). Lists end with {NULL, NULL}. */
typedef struct kind_alias {
    const char *name, *key;
} kind_alias;

/* A list of a shared data file (people.yaml: `people`), and how its items
 * are checked: the fields of one item, and the Russian column names the
 * checker maps to them. The checks walk these; `nastavdoc schema` makes the
 * data file's schema from them (schema.c). */
typedef struct kind_list {
    const char *key;           /* the top-level key: "people" */
    const char *what;          /* Russian: what the list holds */
    const kind_field *fields;  /* the fields of one item */
    const kind_alias *aliases; /* column names, or NULL; empty cells count as absent */
    /* column names compared after folding case, ё as е, runs of spaces and a
     * trailing colon (kinds/people.c); else after folding case only */
    bool loose;
    bool named; /* an item may also be a plain name (a form of `forms`) */
} kind_list;

/* A shared data file of a dossier (people.yaml, pairs.yaml …): its lists. */
typedef struct kind_data_file {
    const char *name;              /* `nastavdoc schema NAME` */
    const char *what;              /* Russian: what the file is */
    const kind_list *const *lists; /* NULL-terminated */
} kind_data_file;

/* The data files (kinds/people.c, kinds/agreement.c; survey.h has the
 * surveys' file). */
extern const kind_data_file kind_people_file, kind_pairs_file, kind_partners_file;

/* Check map against fields (NULL-key terminated); path names the map in
 * messages ("order"). Reports every problem; returns false if any. */
bool kind_check_map(const yl_node *map, const kind_field *fields, const char *path, diag *d);

/* Check one value against f; path names it in messages. */
bool kind_check_value(const yl_node *v, const kind_field *f, const char *path, diag *d);
/* The ISO date a newcomer meant by «01.09.2024», «1.9.2024», «2024-9-1»,
 * «01/09/2024» or «1 сентября 2024 г.», written to out; false when s is none
 * of these or no real date. For the hint «пишите 2024-09-01». */
bool kind_date_guess(const char *s, char out[11]);
/* The items of a KS_PARTS list f (kind_check_value only sees a list): each
 * a map of f->item's fields named «path[N]», and the text of its KS_BODY
 * fields (kind_text_check_body) once its fields passed. A kind calls it
 * after the field check, so that its other rules are reported with these. */
bool kind_check_parts(const yl_node *list, const kind_field *f, const char *path, diag *d);
/* One such item, named path. */
bool kind_check_part(const yl_node *v, const kind_field *item, const char *path, diag *d);

/* The items of KS_POINTS ({text, points …}) and KS_ITEMS ({text, items …})
 * when not plain strings, a table of KS_CONTENT ({columns, rows}) and a
 * person of KS_PEOPLE ({name, position}): the checker's tables, which
 * schema.c prints too. */
extern const kind_field kind_point_fields[], kind_item_fields[], kind_table_fields[],
    kind_signer_fields[];

/* The fields of school.yaml, shared by every kind. */
extern const kind_field kind_school_fields[];
/* {name, position}: a director, a curator, a signer. */
extern const kind_field kind_person_fields[];

/* A table column ({key, title, width_mm, …}) and the rows of a table:
 * {section, number} or one value per column key; path names them. */
extern const kind_field kind_column_item;
bool kind_check_rows(const yl_node *columns, const yl_node *rows, const char *path, diag *d);

/* The label styles of numbered points and list items: "1." (1., 1.1.),
 * "1)", "а)" (letters), "–" (also "-") and "none"; kind_check_numbering
 * reports any other value of v (may be NULL) at v. */
#define KIND_NUMBERINGS 6
extern const char *const kind_numberings[KIND_NUMBERINGS];
bool kind_check_numbering(const yl_node *v, diag *d);

/* «С приказом ознакомлены:» of a document that names people (an order;
 * the pairs' and the curator's orders): the kind lists among the fields of
 * its map m `acquainted` (KS_PEOPLE: a name or a list of names and {name,
 * position}; the items are checked here)
 * and `acquaintance` (KS_STRING: its own heading), and sets the
 * data key `acquaintance` to kind_acquaintance(m): {title, people} from
 * `acquainted`, else from the `people` of m's `points` at any depth (each
 * once, at most KIND_MAX_PEOPLE); NULL when there is nobody. *ok becomes
 * false after an error. The template block `acquaintance` prints it. */
#define KIND_MAX_PEOPLE 1024 /* gathered from points: more than a school has staff */
const yl_node *kind_acquaintance(arena *a, const yl_node *m, diag *d, bool *ok);

/* A computed string value in a, marked at `at` (the place it stands for). */
yl_node *kind_scalar(arena *a, const char *s, src_mark at);

/* A shallow copy of map in a with key set to value (added or replaced). */
yl_node *kind_map_set(arena *a, const yl_node *map, const char *key, const yl_node *value);

/* The content grammar, one table for the checker and the template: an
 * element of a text (KS_CONTENT) is a string, a paragraph, or a map with one
 * of these keys. */
typedef enum {
    KC_NONE, /* not an element: elem is neither a string nor such a map */
    KC_PARAGRAPH,
    KC_HEADING,
    KC_LIST,     /* dashes */
    KC_NUMBERED, /* 1., 1.1. … */
    KC_TABLE,
} kind_content;
#define KIND_CONTENT_KEYS 5
extern const char *const kind_content_keys[KIND_CONTENT_KEYS];
/* What elem is; *value gets the element's value (elem itself for a string). */
kind_content kind_content_of(const yl_node *elem, const yl_node **value);

/* The result of checking a document. */
typedef struct kind_result {
    const yl_node *data;  /* the tree the template reads */
    const char *template; /* default template name, e.g. "order" */
    /* Other documents of the dossier printed as annexes after this one in
     * the same PDF: a list of {document: FILE, annex_of: {annex, number,
     * date, org}} (the order's `annexes: [{document: …}]`), or NULL. */
    const yl_node *annexes;
} kind_result;

/* `annex_of` of any document (one of kind_common_fields): {annex, number,
 * date, org, title}, the order the document is an annex of. Its mark
 * «Приложение № N к приказу … от … № …» goes to the data as `annex_mark` (a
 * list of lines) and is printed at the top right of the first page
 * (template.c). */
/* The lines of the mark for annex_of (checked); school gives the default
 * org (school.genitive). */
yl_node *kind_annex_mark(arena *a, const yl_node *annex_of, const yl_node *school);

/* A document kind: one descriptor per kind, in src/kinds/<kind>.c, and one
 * row in the registry (kinds.c). Adding a kind is that file, that row and a
 * template templates/<template>.yaml. */
typedef struct kind_def {
    const char *name;         /* the value of `document:` */
    const kind_field *fields; /* the document's top-level map */
    const char *template;     /* default template: a shipped template's name */
    /* Domain rules and computed values, once the fields passed the check:
     * *data gets the tree the template reads. false after errors. */
    bool (*compute)(const yl_node *root, arena *a, diag *d, const yl_node **data);
} kind_def;

/* The registry: kinds_at(i) for i < kinds_count(), in the order of the
 * «поддерживаются …» message; kinds_find(name) or NULL. */
size_t kinds_count(void);
const kind_def *kinds_at(size_t i);
const kind_def *kinds_find(const char *name);
/* The fields every document has beside its kind's own, checked with them
 * by kinds.c (a kind does not list them): document, template, annex_of,
 * typography. */
extern const kind_field kind_common_fields[];

extern const kind_def kind_order;
extern const kind_def kind_roadmap;
extern const kind_def kind_registry;
extern const kind_def kind_pairs_order;
extern const kind_def kind_curator_order;
extern const kind_def kind_application;
extern const kind_def kind_text;
extern const kind_def kind_agreement;

/* The body of a text section (kinds/text.c; KS_BODY): content elements,
 * and {clause: TEXT, number, body}, {section: TITLE, number, body} (the
 * fields of those two maps). */
bool kind_text_check_body(const yl_node *body, const char *path, diag *d);
extern const kind_field kind_clause_fields[], kind_section_fields[];

/* The variant list of root's kind when root names one and has not bound
 * one item yet (*key gets the key to bind it to), else NULL. */
const yl_node *kinds_variants(const yl_node *root, const char **key);
/* What names a variant item in its file name (the partner's `file`, else
 * its short name, else its name, CSV column names too), or NULL. */
const char *kinds_variant_label(const yl_node *root, const yl_node *item);
const char *kind_agreement_label(const yl_node *partner);
extern const kind_def kind_questionnaire;
extern const kind_def kind_report;

/* Check the document root: its `document:` names the kind. Reports into d;
 * returns false on errors. */
bool kinds_check(const yl_node *root, arena *a, diag *d, kind_result *out);
/* The same for a document printed as an annex of another: annex_of (built
 * by that document's kind) replaces the document's own `annex_of`. */
bool kinds_check_annex(const yl_node *root, const yl_node *annex_of, arena *a, diag *d,
                       kind_result *out);

/* ---- the signer of an order and the QR code (kinds/esign.c) ---- */

/* order.signature of every kind that is an order: {name, position} (each
 * defaulting to school.director's) and `esign`, the mark of an electronic
 * signature {certificate, owner, valid_from, valid_to}. */
extern const kind_field kind_signature_fields[];
/* The lengths of a certificate's serial number in hex digits: RFC 5280,
 * 4.1.2.2, allows up to 20 octets; shorter than 4 octets is a typo. */
#define KIND_ESIGN_SERIAL_MIN 8
#define KIND_ESIGN_SERIAL_MAX 40
/* order.qr of the same kinds: a URL or text for the QR code, true for the
 * document's requisites, false for none. */
#define KIND_QR_FIELD                                                                              \
    {                                                                                              \
        "qr", KS_STRING, false,                                                                    \
            "QR-код документа: ссылка или текст; true — реквизиты документа; false — без него",    \
            NULL, NULL                                                                             \
    }
/* The order map o with its signature (school.director filling what it
 * lacks, esign checked: certificate hex, from <= to, a warning when the
 * document's date is outside; owner defaults to the signer) and its qr
 * (true becomes the requisites: organisation, kind_title, date, number,
 * heading). NULL after an error (reported). */
const yl_node *kind_order_sign(arena *a, const yl_node *o, const yl_node *school,
                               const char *kind_title, diag *d);

#endif
