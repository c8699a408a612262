/* pdf_pdfa: what makes our PDF a PDF/A-1b file (docs/pdfa.md): the XMP
 * packet that repeats the document info, the sRGB OutputIntent, and a
 * trailer /ID hashed from the content, so that the same input still gives
 * the same bytes. The font descriptors' /CapHeight and /CIDSet are added
 * where the fonts are embedded (pdf_font.c, pdf_harupriv.c). */
#include "pdf_shared.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
    /* The largest colour profile we read: ours is 7 KB; this only turns a
     * wrong file away. */
    ICC_MAX_BYTES = 1 << 20,
};

static bool is_xml_char(uint32_t cp)
{
    return cp == '\t' || cp == '\n' || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

char *pdf_pdfa_clean(const char *s, bool *cut)
{
    buf b;
    buf_init(&b);
    size_t len = strlen(s), units = 0;
    *cut = false;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);
        units += cp > 0xFFFF ? 2 : 1;
        if (units > INFO_MAX_UNITS) {
            *cut = true;
            break;
        }
        buf_put_cp(&b, is_xml_char(cp) ? cp : ' ');
        i += n;
    }
    buf_putc(&b, '\0');
    return buf_take(&b);
}

void pdf_pdfa_hash(pdf_doc *p, const void *data, size_t len)
{
    pdf_hp_md5_add(&p->id_md5, data, len);
}

void pdf_pdfa_begin(pdf_doc *p)
{
    p->pdfa = true;
    pdf_hp_md5_init(&p->id_md5);
}

/* ---- XMP ----------------------------------------------------------------------- */

/* s as XML character data (already cleaned): the five special characters
 * as entities. */
static void put_xml(buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&apos;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

static void put_property(buf *b, const char *open, const char *value, const char *close)
{
    if (!value || !value[0])
        return;
    buf_puts(b, open);
    bool cut;
    char *clean = pdf_pdfa_clean(value, &cut);
    put_xml(b, clean);
    free(clean);
    buf_puts(b, close);
}

/* The document's date as XMP writes it, the same instant as the Info
 * dictionary's "D:YYYYMMDD000000+00'00'" (pdf.c, set_info). */
static void put_date(buf *b, const char *tag, const blk_info *info)
{
    buf_printf(b, "   <xmp:%s>%04d-%02d-%02dT00:00:00+00:00</xmp:%s>\n", tag, info->year,
               info->month, info->day, tag);
}

/* The XMP packet: each property equal to its Info entry, which PDF/A-1
 * requires (ISO 19005-1 6.7.3): Title dc:title, Author dc:creator, Subject
 * dc:description, Keywords pdf:Keywords, Creator xmp:CreatorTool, Producer
 * pdf:Producer, the dates xmp:CreateDate and xmp:ModifyDate. The packet
 * header has no bytes or encoding attribute (6.7.5). */
static void build_xmp(buf *b, const blk_info *info, const char *creator, const char *producer)
{
    buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                "  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                "   <dc:format>application/pdf</dc:format>\n");
    put_property(b, "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">", info->title,
                 "</rdf:li></rdf:Alt></dc:title>\n");
    put_property(b, "   <dc:creator><rdf:Seq><rdf:li>", info->author,
                 "</rdf:li></rdf:Seq></dc:creator>\n");
    put_property(b, "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">", info->subject,
                 "</rdf:li></rdf:Alt></dc:description>\n");
    buf_puts(b, "  </rdf:Description>\n"
                "  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n");
    put_property(b, "   <xmp:CreatorTool>", creator, "</xmp:CreatorTool>\n");
    if (info->year != 0) {
        put_date(b, "CreateDate", info);
        put_date(b, "ModifyDate", info);
    }
    buf_puts(b, "  </rdf:Description>\n"
                "  <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
    put_property(b, "   <pdf:Producer>", producer, "</pdf:Producer>\n");
    put_property(b, "   <pdf:Keywords>", info->keywords, "</pdf:Keywords>\n");
    buf_puts(b,
             "  </rdf:Description>\n"
             "  <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
             "   <pdfaid:part>1</pdfaid:part>\n"
             "   <pdfaid:conformance>B</pdfaid:conformance>\n"
             "  </rdf:Description>\n"
             " </rdf:RDF>\n"
             "</x:xmpmeta>\n"
             "<?xpacket end=\"w\"?>");
}

/* ---- The content's hash -------------------------------------------------------- */

/* Everything drawn: the page sizes and every box, in the order drawn. With
 * the XMP and the font programs (pdf_font.c) this is what the file holds. */
static void hash_layout(pdf_doc *p, const layout_doc *doc)
{
    for (size_t i = 0; i < doc->npages; i++) {
        const layout_page *lp = &doc->pages[i];
        double size[2] = {lp->width, lp->height};
        pdf_pdfa_hash(p, size, sizeof size);
        for (size_t j = 0; j < lp->n; j++) {
            const layout_box *b = &lp->boxes[j];
            double geometry[] = {b->x, b->y, b->x2, b->y2, b->size, b->stroke, b->char_space};
            int kind[2] = {(int)b->kind, b->font};
            pdf_pdfa_hash(p, kind, sizeof kind);
            pdf_pdfa_hash(p, geometry, sizeof geometry);
            if (b->kind == LAYOUT_TEXT)
                pdf_pdfa_hash(p, b->text, b->len + 1); /* with its NUL: texts stay apart */
        }
    }
}

/* ---- Finishing -------------------------------------------------------------------- */

static bool read_profile(const char *path, buf *icc, diag *d)
{
    size_t len = 0;
    char *data = path ? util_read_file(path, ICC_MAX_BYTES, &len) : NULL;
    /* An ICC profile starts with its own size and has "acsp" at 36. */
    if (!data || len < 128 || memcmp(data + 36, "acsp", 4) != 0) {
        int err = data ? EINVAL : errno;
        diag_error(d, (src_mark){path ? path : "", 0, 0},
                   "не удалось прочитать цветовой профиль sRGB для PDF/A %s: %s; переустановите "
                   "nastavdoc или восстановите папку data",
                   path ? path : "(не задан)",
                   err == EINVAL ? "это не профиль ICC" : diag_strerror(err));
        free(data);
        return false;
    }
    buf_putn(icc, data, len);
    free(data);
    return true;
}

bool pdf_pdfa_finish(pdf_doc *p, const layout_doc *doc, const pdf_options *opt, diag *d,
                     src_mark at)
{
    buf xmp, icc;
    buf_init(&xmp);
    buf_init(&icc);
    bool ok = read_profile(opt ? opt->icc_path : NULL, &icc, d);
    if (ok) {
        const char *producer = HPDF_GetInfoAttr(p->pdf, HPDF_INFO_PRODUCER);
        build_xmp(&xmp, &doc->info, opt ? opt->creator : NULL, producer);
        hash_layout(p, doc);
        pdf_pdfa_hash(p, xmp.data, xmp.len);
        uint8_t id[16];
        pdf_hp_md5_final(&p->id_md5, id);
        ok = pdf_status_check(p, pdf_hp_pdfa_set(p->pdf, &xmp, &icc, id), d, at);
    }
    buf_fini(&xmp);
    buf_fini(&icc);
    return ok;
}

void pdf_pdfa_cidset(size_t n, buf *out)
{
    for (size_t i = 0; i < n / 8; i++)
        buf_putc(out, (char)0xFF);
    if (n % 8)
        buf_putc(out, (char)(0xFF00u >> (n % 8) & 0xFF));
}
