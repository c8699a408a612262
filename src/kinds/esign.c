/* kinds/esign: the signer of an order, with the mark of an electronic
 * signature, and the QR-code requisite; shared by every kind that is an
 * order (order, pairs-order, curator-order).
 *
 * GOST R 7.0.97-2016/2025: a document signed with an electronic signature
 * shows, where the handwritten signature would be, the framed mark
 * «ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ» with the certificate's serial
 * number, its owner and its validity; the 2025 revision adds requisite 31,
 * the document's QR code (docs/esign.md). The data:
 *
 *   signature:                     name and position default to school.director
 *     esign:
 *       certificate: 01D9A3F4…     serial number, hexadecimal
 *       owner: Иванова Мария Петровна      default: the signer's name
 *       valid_from: 2025-02-03
 *       valid_to: 2026-05-03
 *   qr: https://school.ru/…        or true: the requisites; false: none */
#include "../kinds.h"

#include <ctype.h>
#include <string.h>

#include "../date.h"
#include "../qrcode.h"

static const kind_field esign_fields[] = {
    {"certificate", KS_STRING, true,
     "серийный номер сертификата электронной подписи (шестнадцатеричные цифры 0–9 и A–F)", NULL,
     NULL},
    {"owner", KS_STRING, false, "владелец сертификата: ФИО (если не указан — подписант)", NULL,
     NULL},
    {"valid_from", KS_DATE, true, "сертификат действителен с (ГГГГ-ММ-ДД)", NULL, NULL},
    {"valid_to", KS_DATE, true, "сертификат действителен по (ГГГГ-ММ-ДД)", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

const kind_field kind_signature_fields[] = {
    {"name", KS_STRING, false, "ФИО подписанта (если не указано — school.director)", NULL, NULL},
    {"position", KS_STRING, false, "должность подписанта (если не указана — school.director)", NULL,
     NULL},
    {"gender", KS_STRING, false, "пол: м или ж", NULL, NULL},
    {"dative", KS_STRING, false, "ФИО в дательном падеже", NULL, NULL},
    {"genitive", KS_STRING, false, "ФИО в родительном падеже", NULL, NULL},
    {"esign", KS_MAP, false, "отметка об электронной подписи (документ подписан ЭП)", esign_fields,
     NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

/* The value of key in map, or NULL when it is absent or written blank ("",
 * spaces): a field with a default (the signer from school.director, the
 * owner from the signer) takes its default then, with a warning, instead of
 * printing an empty place in the signature or the mark. */
static const yl_node *given(const yl_node *map, const char *key, const char *fallback, diag *d)
{
    const yl_node *v = yl_map_get(map, key);
    if (!v || v->kind != YL_SCALAR || strspn(v->str, " \t\r\n") < v->len)
        return v;
    if (fallback)
        diag_warning(d, v->mark, "%s: пустая строка; вместо неё в документе будет «%s»", key,
                     fallback);
    return NULL;
}

/* "2025-02-03" (checked) as days for comparing: y*372 + m*31 + d keeps order. */
static long date_key(const yl_node *v)
{
    int y = 0, m = 0, d = 0;
    date_parse(yl_str(v), &y, &m, &d);
    return (long)y * 372 + m * 31 + d;
}

static const char *date_text(arena *a, const yl_node *v)
{
    int y = 0, m = 0, d = 0;
    date_parse(yl_str(v), &y, &m, &d);
    return arena_printf(a, "%02d.%02d.%04d", d, m, y);
}

/* The serial number without the spaces and colons a certificate viewer shows
 * between byte pairs («01 d9 a3 …», «01:D9:A3…»); NULL (reported) when
 * anything else is not a hex digit or the length is not a serial number's. */
static const char *certificate_serial(arena *a, const yl_node *v, diag *d)
{
    char *s = arena_alloc(a, v->len + 1);
    size_t n = 0;
    for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->str[i];
        if (c == ' ' || c == ':')
            continue;
        if (!isxdigit(c)) {
            /* А, В, С, Е typed in Cyrillic look like the Latin hex digits */
            diag_error(d, v->mark,
                       "certificate: серийный номер сертификата состоит из шестнадцатеричных цифр "
                       "(0–9, A–F), а здесь «%s»%s; скопируйте его из свойств сертификата "
                       "(поле «Серийный номер»)",
                       v->str,
                       c >= 0x80 ? " (русские буквы А, В, С, Е похожи на латинские: наберите "
                                   "номер латиницей)"
                                 : "");
            return NULL;
        }
        s[n++] = (char)c;
    }
    s[n] = '\0';
    if (n < KIND_ESIGN_SERIAL_MIN || n > KIND_ESIGN_SERIAL_MAX) {
        diag_error(d, v->mark,
                   "certificate: в серийном номере сертификата %zu шестнадцатеричных цифр, а "
                   "бывает от %d до %d; проверьте, что номер скопирован целиком",
                   n, KIND_ESIGN_SERIAL_MIN, KIND_ESIGN_SERIAL_MAX);
        return NULL;
    }
    return s;
}

/* The esign map checked, with certificate cleaned and owner defaulted to
 * signer; NULL after an error. date: the document's date (may be NULL). */
static const yl_node *esign_checked(arena *a, const yl_node *e, const yl_node *signer,
                                    const yl_node *date, diag *d)
{
    const yl_node *cert = yl_map_get(e, "certificate");
    const yl_node *from = yl_map_get(e, "valid_from"), *to = yl_map_get(e, "valid_to");
    const char *serial = certificate_serial(a, cert, d);
    bool ok = serial != NULL;
    if (date_key(from) > date_key(to)) {
        diag_error(d, to->mark,
                   "valid_to: сертификат действителен по %s, а это раньше, чем «с» (valid_from: "
                   "%s); проверьте даты",
                   date_text(a, to), date_text(a, from));
        ok = false;
    }
    if (!ok)
        return NULL;
    if (date && (date_key(date) < date_key(from) || date_key(date) > date_key(to)))
        diag_warning(d, e->mark,
                     "документ датирован %s, а сертификат подписи действителен с %s по %s: "
                     "подпись этим сертификатом в день документа недействительна",
                     date_text(a, date), date_text(a, from), date_text(a, to));
    yl_node *m = kind_map_set(a, e, "certificate", kind_scalar(a, serial, cert->mark));
    const yl_node *name = yl_map_get(signer, "name");
    const yl_node *owner = given(e, "owner", yl_str(name), d);
    if (!owner)
        m = kind_map_set(a, m, "owner", owner = name);
    /* «Петрова А.С.»: a certificate names its owner in full */
    if (yl_str(owner) && strchr(yl_str(owner), '.'))
        diag_warning(d, yl_map_get(e, "owner") ? owner->mark : e->mark,
                     "владелец сертификата «%s» записан с инициалами, а в сертификате ФИО "
                     "полностью; впишите owner: \"Фамилия Имя Отчество\", как в сертификате",
                     yl_str(owner));
    return m;
}

/* The requisites of the document as the QR code's text: the organisation,
 * the kind, date and number, the heading. */
static const char *qr_requisites(arena *a, const yl_node *o, const yl_node *school,
                                 const char *kind_title)
{
    buf t;
    buf_init(&t);
    const char *org = yl_str(yl_map_get(school, "short_name"));
    if (!org)
        org = yl_str(yl_map_get(school, "name"));
    if (org)
        buf_printf(&t, "%s\n", org);
    buf_printf(&t, "%s от %s №\u00A0%s", kind_title, date_text(a, yl_map_get(o, "date")),
               yl_str(yl_map_get(o, "number")));
    const yl_node *title = yl_map_get(o, "title");
    size_t n = title && title->kind == YL_SEQ ? title->n : title ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        buf_printf(&t, "%s%s", i ? " " : "\n",
                   yl_str(title->kind == YL_SEQ ? title->items[i] : title));
    const char *s = arena_strdup(a, t.data ? t.data : "");
    buf_fini(&t);
    return s;
}

/* order.qr: the text as written; true (да, yes) the requisites; false none.
 * *ok false after a text too long for a QR code (reported at its mark). */
static const yl_node *qr_value(arena *a, const yl_node *o, const yl_node *school,
                               const char *kind_title, diag *d, bool *ok)
{
    const yl_node *qr = yl_map_get(o, "qr");
    const char *s = yl_str(qr);
    *ok = true;
    if (!s)
        return NULL;
    if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "нет"))
        return kind_scalar(a, "", qr->mark);
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "да"))
        return kind_scalar(a, qr_requisites(a, o, school, kind_title), qr->mark);
    *ok = !*s || qrcode_fits(qr->len, qr->mark, d); /* empty: no QR code */
    return NULL;
}

const yl_node *kind_order_sign(arena *a, const yl_node *o, const yl_node *school,
                               const char *kind_title, diag *d)
{
    const yl_node *sig = yl_map_get(o, "signature");
    const yl_node *dir = yl_map_get(school, "director");
    if (!sig && !dir) {
        diag_error(d, o->mark,
                   "приказ без подписи: укажите school.director (руководитель) или "
                   "order.signature {name, position}");
        return NULL;
    }
    const yl_node *s = sig ? sig : dir;
    for (int i = 0; i < 2; i++) {
        const char *key = i ? "position" : "name";
        /* the signature's own field, unless blank; the director's as written */
        const yl_node *own =
            s == dir ? yl_map_get(s, key) : given(s, key, yl_str(yl_map_get(dir, key)), d);
        if (own)
            continue;
        if (!yl_map_get(dir, key)) {
            diag_error(d, s->mark, "подпись без %s: укажите signature.%s или school.director.%s",
                       i ? "должности" : "ФИО", key, key);
            return NULL;
        }
        s = kind_map_set(a, s, key, yl_map_get(dir, key));
    }
    const yl_node *e = yl_map_get(s, "esign");
    if (e) {
        if (!(e = esign_checked(a, e, s, yl_map_get(o, "date"), d)))
            return NULL;
        s = kind_map_set(a, s, "esign", e);
    }
    if (s != sig)
        o = kind_map_set(a, o, "signature", s);
    bool ok;
    const yl_node *qr = qr_value(a, o, school, kind_title, d, &ok);
    if (!ok)
        return NULL;
    return qr ? kind_map_set(a, o, "qr", qr) : o;
}
