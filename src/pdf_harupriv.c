/* pdf_harupriv: the only code that touches libharu's private structures
 * and object API: the font objects we make (dictionaries, arrays and
 * streams of the document), the Info dictionary, the page's content stream
 * and its font resources, PDF/A's parts, and the streams deflated by
 * libdeflate. It is written for libharu 2.3.0 (Debian 12: libhpdf-dev
 * 2.3.0+dfsg-1+b1) and checked against that version below: it relies on
 * how 2.3.0 lays out and uses these structures, which later versions change
 * (docs/libharu.md). The headers are installed by libhpdf-dev and the
 * functions exported by the shared library. */
#include "pdf_shared.h"

#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include <hpdf_conf.h>
#include <hpdf_doc.h>
#include <hpdf_encrypt.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_version.h>

#if HPDF_MAJOR_VERSION != 2 || HPDF_MINOR_VERSION != 3 || HPDF_BUGFIX_VERSION != 0
#error                                                                                             \
    "pdf_harupriv.c patches libharu 2.3.0's private structures: check every patch against this libharu version (docs/libharu.md) before changing this test"
#endif

/* ---- Fonts ---------------------------------------------------------------------- */

/* We make the font objects ourselves, from ttf_subset's reading of the
 * font file (pdf_font.c): libharu 2.3.0's TrueType fonts would load and
 * describe the whole font for every document (HPDF_TTFontDef_Load,
 * Type0Font_New and the UTF-8 encoder's maps: about a third of a two-page
 * render) and write a ToUnicode map and CIDSystemInfo that are wrong
 * (docs/libharu.md). libharu still numbers and writes the objects. */

/* An object of the document's cross-reference table, which owns it from
 * here on (HPDF_Xref_Add frees what it cannot add). */
static HPDF_STATUS add_object(HPDF_Doc pdf, HPDF_Dict dict)
{
    return dict ? HPDF_Xref_Add(pdf->xref, dict) : HPDF_FAILD_TO_ALLOC_MEM;
}

HPDF_Dict pdf_hp_font_dict(HPDF_Doc pdf)
{
    HPDF_Dict font = HPDF_Dict_New(pdf->mmgr);
    return add_object(pdf, font) == HPDF_OK ? font : NULL;
}

HPDF_STATUS pdf_hp_page_font(HPDF_Page page, HPDF_Dict font, const char *size)
{
    /* Registers the font in the page's /Resources as /F1, /F2, ... */
    const char *name = HPDF_Page_GetLocalFontName(page, font);
    if (!name)
        return HPDF_PAGE_INVALID_FONT;
    HPDF_Stream s = ((HPDF_PageAttr)page->attr)->stream;
    HPDF_STATUS st = HPDF_Stream_WriteEscapeName(s, name);
    if (st == HPDF_OK)
        st = HPDF_Stream_WriteChar(s, ' ');
    if (st == HPDF_OK)
        st = HPDF_Stream_WriteStr(s, size);
    if (st == HPDF_OK)
        st = HPDF_Stream_WriteStr(s, " Tf\012");
    return st;
}

/* A stream object holding data, with filter (FLATE: deflated with the
 * document's other streams by pdf_hp_deflate_streams). */
static HPDF_Dict new_stream(HPDF_Doc pdf, const buf *data, HPDF_UINT filter, HPDF_STATUS *st);
static HPDF_Dict dict_stream_new(HPDF_Doc pdf, HPDF_STATUS *st);
/* A stream object holding zlib data, deflated before. */
static HPDF_Dict new_deflated_stream(HPDF_Doc pdf, const uint8_t *zdata, size_t zlen,
                                     HPDF_STATUS *st);

/* /CIDSystemInfo of an Identity-ordered CID font. */
static HPDF_Dict identity_system_info(HPDF_MMgr mmgr, HPDF_STATUS *st)
{
    HPDF_Dict info = HPDF_Dict_New(mmgr);
    *st = info ? HPDF_Dict_Add(info, "Registry", HPDF_String_New(mmgr, "Adobe", NULL))
               : HPDF_FAILD_TO_ALLOC_MEM;
    if (*st == HPDF_OK)
        *st = HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mmgr, "Identity", NULL));
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddNumber(info, "Supplement", 0);
    return info;
}

/* The /W entry, written as pdf_font.c made it (and keeps it for the next
 * document with the same subset): a dictionary's write_fn writes after its
 * keys; the text is the dictionary's attr, freed with it. */
static HPDF_STATUS write_widths(HPDF_Dict dict, HPDF_Stream out)
{
    return HPDF_Stream_WriteStr(out, dict->attr);
}

static void free_widths(HPDF_Dict dict)
{
    HPDF_FreeMem(dict->mmgr, dict->attr);
    dict->attr = NULL;
}

static HPDF_STATUS add_widths(HPDF_Dict cid_font, const pdf_font_parts *f)
{
    size_t len = strlen(f->widths) + 1;
    char *text = len <= UINT32_MAX ? HPDF_GetMem(cid_font->mmgr, (HPDF_UINT)len) : NULL;
    if (!text)
        return HPDF_FAILD_TO_ALLOC_MEM;
    memcpy(text, f->widths, len);
    cid_font->attr = text;
    cid_font->write_fn = write_widths;
    cid_font->free_fn = free_widths;
    return HPDF_OK;
}

static HPDF_STATUS add_bbox(HPDF_Dict dict, const int bbox[4])
{
    HPDF_Array box = HPDF_Array_New(dict->mmgr);
    HPDF_STATUS st = box ? HPDF_Dict_Add(dict, "FontBBox", box) : HPDF_FAILD_TO_ALLOC_MEM;
    for (int i = 0; st == HPDF_OK && i < 4; i++)
        st = HPDF_Array_AddNumber(box, bbox[i]);
    return st;
}

/* The font descriptor, with the subset as /FontFile2 and, for PDF/A, the
 * /CIDSet of the CIDs it holds (docs/pdfa.md). */
static HPDF_Dict font_descriptor(HPDF_Doc pdf, const pdf_font_parts *f, HPDF_STATUS *st)
{
    const ttf_info *in = f->info;
    HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
    *st = add_object(pdf, d);
    HPDF_Dict prog =
        *st == HPDF_OK ? new_deflated_stream(pdf, f->program_z, f->program_zlen, st) : NULL;
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddNumber(prog, "Length1", (HPDF_INT32)f->program_len);
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(d, "Type", "FontDescriptor");
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(d, "FontName", f->base_font);
    if (*st == HPDF_OK)
        *st = add_bbox(d, in->bbox);
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddReal(d, "ItalicAngle", (HPDF_REAL)in->italic_angle);
    /* StemV is required, TrueType fonts do not say it, and 0 means unknown */
    const struct {
        const char *key;
        int value;
    } numbers[] = {
        {"Flags", (int)in->flags},     {"Ascent", in->ascent},    {"Descent", in->descent},
        {"CapHeight", in->cap_height}, {"XHeight", in->x_height}, {"StemV", 0},
    };
    for (size_t i = 0; *st == HPDF_OK && i < sizeof numbers / sizeof numbers[0]; i++)
        *st = HPDF_Dict_AddNumber(d, numbers[i].key, numbers[i].value);
    if (*st == HPDF_OK)
        *st = HPDF_Dict_Add(d, "FontFile2", prog);
    if (*st == HPDF_OK && f->cidset) {
        HPDF_Dict set = new_stream(pdf, f->cidset, HPDF_STREAM_FILTER_FLATE_DECODE, st);
        if (*st == HPDF_OK)
            *st = HPDF_Dict_Add(d, "CIDSet", set);
    }
    return d;
}

/* The descendant CIDFontType2 font: widths in /W over /DW. */
static HPDF_Dict cid_font(HPDF_Doc pdf, const pdf_font_parts *f, HPDF_STATUS *st)
{
    HPDF_Dict c = HPDF_Dict_New(pdf->mmgr);
    *st = add_object(pdf, c);
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(c, "Type", "Font");
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(c, "Subtype", "CIDFontType2");
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(c, "BaseFont", f->base_font);
    HPDF_Dict info = *st == HPDF_OK ? identity_system_info(pdf->mmgr, st) : NULL;
    if (*st == HPDF_OK)
        *st = HPDF_Dict_Add(c, "CIDSystemInfo", info);
    else if (info)
        HPDF_Dict_Free(info);
    HPDF_Dict d = *st == HPDF_OK ? font_descriptor(pdf, f, st) : NULL;
    if (*st == HPDF_OK)
        *st = HPDF_Dict_Add(c, "FontDescriptor", d);
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddNumber(c, "DW", (HPDF_INT32)f->dw);
    if (*st == HPDF_OK)
        *st = add_widths(c, f);
    /* CID i is glyph i of the subset */
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(c, "CIDToGIDMap", "Identity");
    return c;
}

HPDF_STATUS pdf_hp_font_fill(HPDF_Doc pdf, HPDF_Dict type0, const pdf_font_parts *f)
{
    HPDF_STATUS st = HPDF_Dict_AddName(type0, "Type", "Font");
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(type0, "Subtype", "Type0");
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(type0, "BaseFont", f->base_font);
    /* Two-byte codes that are the CIDs (pdf_font_put_cids). */
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(type0, "Encoding", "Identity-H");
    HPDF_Array kids = st == HPDF_OK ? HPDF_Array_New(pdf->mmgr) : NULL;
    if (st == HPDF_OK)
        st = kids ? HPDF_Dict_Add(type0, "DescendantFonts", kids) : HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Dict c = st == HPDF_OK ? cid_font(pdf, f, &st) : NULL;
    if (st == HPDF_OK)
        st = HPDF_Array_Add(kids, c);
    HPDF_Dict map =
        st == HPDF_OK ? new_deflated_stream(pdf, f->to_unicode_z, f->to_unicode_zlen, &st) : NULL;
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(type0, "ToUnicode", map);
    return st;
}

/* ---- The document information ---------------------------------------------------- */

/* The Info dictionary, made as libharu makes it (GetInfo in hpdf_doc.c). */
static HPDF_Dict info_dict(HPDF_Doc pdf)
{
    if (!pdf->info) {
        HPDF_Dict info = HPDF_Dict_New(pdf->mmgr);
        if (add_object(pdf, info) != HPDF_OK)
            return NULL;
        if (HPDF_Dict_Add(pdf->trailer, "Info", info) != HPDF_OK)
            return NULL;
        pdf->info = info;
    }
    return pdf->info;
}

HPDF_STATUS pdf_hp_info_set(HPDF_Doc pdf, const char *key, const char *utf8)
{
    HPDF_Dict info = info_dict(pdf);
    if (!info)
        return HPDF_FAILD_TO_ALLOC_MEM;
    /* A text string in UTF-16BE after its byte order mark (ISO 32000-1,
     * 7.9.2.2), which libharu writes in hex. */
    buf b;
    buf_init(&b);
    buf_putn(&b, "\xFE\xFF", 2);
    size_t len = strlen(utf8);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_next(utf8 + i, len - i, &cp);
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 | cp >> 10, lo = 0xDC00 | (cp & 0x3FF);
            char pair[4] = {(char)(hi >> 8), (char)(hi & 0xFF), (char)(lo >> 8), (char)(lo & 0xFF)};
            buf_putn(&b, pair, 4);
        } else {
            char unit[2] = {(char)(cp >> 8), (char)(cp & 0xFF)};
            buf_putn(&b, unit, 2);
        }
    }
    HPDF_Binary value = HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
    buf_fini(&b);
    return value ? HPDF_Dict_Add(info, key, value) : HPDF_FAILD_TO_ALLOC_MEM;
}

/* ---- PDF/A -------------------------------------------------------------------- */

/* In the document's cross-reference table, which owns it. */
static HPDF_Dict new_stream(HPDF_Doc pdf, const buf *data, HPDF_UINT filter, HPDF_STATUS *st)
{
    HPDF_Dict s = dict_stream_new(pdf, st);
    if (!s)
        return NULL;
    *st = HPDF_Stream_Write(s->stream, (const HPDF_BYTE *)data->data, (HPDF_UINT)data->len);
    s->filter = filter;
    return s;
}

/* The OutputIntent of PDF/A-1 with icc as its profile. libharu 2.3.0's
 * HPDF_PDFA_AppendOutputIntents names the profile's key "DestOutputProfile "
 * (a trailing space) and reads the profile itself; this is the dictionary
 * of ISO 19005-1 6.2.2. */
static HPDF_STATUS add_output_intent(HPDF_Doc pdf, const buf *icc)
{
    static const char NAME[] = "sRGB IEC61966-2.1";
    HPDF_STATUS st;
    HPDF_Dict profile = new_stream(
        pdf, icc, pdf->compression_mode ? HPDF_STREAM_FILTER_FLATE_DECODE : HPDF_STREAM_FILTER_NONE,
        &st);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(profile, "N", 3);
    HPDF_Dict intent = st == HPDF_OK ? HPDF_Dict_New(pdf->mmgr) : NULL;
    if (st == HPDF_OK && !intent)
        st = HPDF_FAILD_TO_ALLOC_MEM;
    /* HPDF_Xref_Add frees what it cannot add. */
    if (st == HPDF_OK)
        st = HPDF_Xref_Add(pdf->xref, intent);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(intent, "Type", "OutputIntent");
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(intent, "S", "GTS_PDFA1");
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(intent, "OutputConditionIdentifier",
                           HPDF_String_New(pdf->mmgr, NAME, NULL));
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(intent, "Info", HPDF_String_New(pdf->mmgr, NAME, NULL));
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(intent, "DestOutputProfile", profile);
    HPDF_Array intents = st == HPDF_OK ? HPDF_Array_New(pdf->mmgr) : NULL;
    if (st == HPDF_OK && !intents)
        st = HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(pdf->catalog, "OutputIntents", intents);
    if (st == HPDF_OK)
        st = HPDF_Array_Add(intents, intent);
    return st;
}

HPDF_STATUS pdf_hp_pdfa_set(HPDF_Doc pdf, const buf *xmp, const buf *icc, const uint8_t id[16])
{
    /* PDF/A-1 is PDF 1.4; WriteHeader writes the version of the field. */
    pdf->pdf_version = HPDF_VER_14;
    /* ISO 19005-1 6.7.2: the metadata stream is not filtered, so that any
     * reader finds the XMP packet in the bytes. */
    HPDF_STATUS st;
    HPDF_Dict meta = new_stream(pdf, xmp, HPDF_STREAM_FILTER_NONE, &st);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(meta, "Type", "Metadata");
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(meta, "Subtype", "XML");
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(pdf->catalog, "Metadata", meta);
    if (st == HPDF_OK)
        st = add_output_intent(pdf, icc);
    /* Both parts of the /ID are the content's hash: a new file. */
    HPDF_Array ids = st == HPDF_OK ? HPDF_Array_New(pdf->mmgr) : NULL;
    if (st == HPDF_OK && !ids)
        st = HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(pdf->trailer, "ID", ids);
    for (int i = 0; st == HPDF_OK && i < 2; i++)
        st = HPDF_Array_Add(ids, HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)id, 16));
    return st;
}

void pdf_hp_md5_init(HPDF_MD5_CTX *ctx)
{
    HPDF_MD5Init(ctx);
}

void pdf_hp_md5_add(HPDF_MD5_CTX *ctx, const void *data, size_t len)
{
    /* HPDF_MD5Update takes a 32-bit length. */
    const HPDF_BYTE *b = data;
    while (len > 0) {
        HPDF_UINT32 n = len > 0x40000000u ? 0x40000000u : (HPDF_UINT32)len;
        HPDF_MD5Update(ctx, b, n);
        b += n;
        len -= n;
    }
}

void pdf_hp_md5_final(HPDF_MD5_CTX *ctx, uint8_t out[16])
{
    HPDF_MD5Final(out, ctx);
}

/* ---- Pages -------------------------------------------------------------------- */

/* We write the text and path operators ourselves (pdf.c), with exact
 * decimal numbers; libharu's own operators print single-precision floats. */
HPDF_STATUS pdf_hp_page_write(HPDF_Page page, const char *data, size_t len)
{
    return HPDF_Stream_Write(((HPDF_PageAttr)page->attr)->stream, (const HPDF_BYTE *)data,
                             (HPDF_UINT)len);
}

static HPDF_Dict xref_dict(HPDF_Xref xref, HPDF_UINT i);

/* ---- Memory streams ------------------------------------------------------------- */

/* libharu 2.3.0 copies into and out of its memory streams a byte at a time
 * (HPDF_MemCpy, a loop): a tenth of a document's instructions in a batch
 * worker. These two do what HPDF_MemStream_WriteFunc and
 * HPDF_MemStream_ReadFunc do (hpdf_streams.c), state for state, with
 * memcpy; mem_fast puts them in a memory stream's place. */
static HPDF_STATUS mem_write_fast(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT size)
{
    HPDF_MemStreamAttr a = (HPDF_MemStreamAttr)s->attr;
    if (HPDF_Error_GetCode(s->error) != 0)
        return HPDF_THIS_FUNC_WAS_SKIPPED;
    while (size > 0) {
        if (a->w_pos >= a->buf_siz) { /* the last chunk is full: a new one */
            HPDF_BYTE *chunk = HPDF_GetMem(s->mmgr, a->buf_siz);
            if (!chunk)
                return HPDF_Error_GetCode(s->error);
            if (HPDF_List_Add(a->buf, chunk) != HPDF_OK) {
                HPDF_FreeMem(s->mmgr, chunk);
                return HPDF_Error_GetCode(s->error);
            }
            a->w_ptr = chunk;
            a->w_pos = 0;
        }
        HPDF_UINT n = a->buf_siz - a->w_pos < size ? a->buf_siz - a->w_pos : size;
        memcpy(a->w_ptr, ptr, n);
        a->w_ptr += n;
        a->w_pos += n;
        ptr += n;
        size -= n;
    }
    return HPDF_OK;
}

static HPDF_STATUS mem_read_fast(HPDF_Stream s, HPDF_BYTE *out, HPDF_UINT *size)
{
    HPDF_MemStreamAttr a = (HPDF_MemStreamAttr)s->attr;
    HPDF_UINT want = *size;
    *size = 0;
    while (want > 0) {
        if (a->buf->count == 0 || a->r_ptr_idx > a->buf->count - 1)
            return HPDF_STREAM_EOF;
        bool last = a->r_ptr_idx == a->buf->count - 1;
        HPDF_UINT left = (last ? a->w_pos : a->buf_siz) - a->r_pos;
        if (!a->r_ptr)
            a->r_ptr = HPDF_List_ItemAt(a->buf, a->r_ptr_idx);
        HPDF_UINT n = left < want ? left : want;
        memcpy(out, a->r_ptr, n);
        out += n;
        want -= n;
        *size += n;
        a->r_ptr += n;
        a->r_pos += n;
        if (want == 0)
            return HPDF_OK;
        if (last)
            return HPDF_STREAM_EOF;
        a->r_ptr_idx++;
        a->r_pos = 0;
        a->r_ptr = HPDF_List_ItemAt(a->buf, a->r_ptr_idx);
    }
    return HPDF_OK;
}

/* libharu 2.3.0's own functions, exported by the library but declared only
 * inside hpdf_streams.c. */
HPDF_STATUS HPDF_MemStream_WriteFunc(HPDF_Stream stream, const HPDF_BYTE *ptr, HPDF_UINT siz);
HPDF_STATUS HPDF_MemStream_ReadFunc(HPDF_Stream stream, HPDF_BYTE *buf, HPDF_UINT *size);

/* Give a memory stream of libharu's the copying functions above. */
static void mem_fast(HPDF_Stream s)
{
    if (!s || s->type != HPDF_STREAM_MEMORY)
        return;
    if (s->write_fn == HPDF_MemStream_WriteFunc)
        s->write_fn = mem_write_fast;
    if (s->read_fn == HPDF_MemStream_ReadFunc)
        s->read_fn = mem_read_fast;
}

/* A new stream object in the document's cross-reference table, which owns
 * it, with the copying functions above: every stream we fill goes through
 * here (a font program written through libharu's own functions cost 0.17 M
 * instructions a document in a batch worker). */
static HPDF_Dict dict_stream_new(HPDF_Doc pdf, HPDF_STATUS *st)
{
    HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!s) {
        *st = HPDF_FAILD_TO_ALLOC_MEM;
        return NULL;
    }
    mem_fast(s->stream);
    return s;
}

void pdf_hp_page_fast(HPDF_Page page)
{
    mem_fast(((HPDF_PageAttr)page->attr)->stream);
}

HPDF_STATUS pdf_hp_save(HPDF_Doc pdf)
{
    /* the streams libharu copies into the file, and the file in memory,
     * which HPDF_SaveToStream makes only when there is none */
    HPDF_UINT n = pdf->xref->entries->count;
    for (HPDF_UINT i = 0; i < n; i++) {
        HPDF_Dict dict = xref_dict(pdf->xref, i);
        if (dict)
            mem_fast(dict->stream);
    }
    if (!pdf->stream)
        pdf->stream = HPDF_MemStream_New(pdf->mmgr, HPDF_STREAM_BUF_SIZ);
    mem_fast(pdf->stream);
    return HPDF_SaveToStream(pdf);
}

/* ---- Compression ---------------------------------------------------------------- */

/* Written where libharu would write its /Filter [/FlateDecode], for a stream
 * we compressed ourselves (its filter is then NONE, so libharu copies it). */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* Put zlib data into dict's (empty) stream and mark it deflated: libharu
 * then copies it as it is. */
static HPDF_STATUS put_deflated(HPDF_Dict dict, const uint8_t *zdata, size_t zlen)
{
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = write_flate_filter;
    return HPDF_Stream_Write(dict->stream, zdata, (HPDF_UINT)zlen);
}

/* Scratch memory reused from stream to stream. */
typedef struct scratch {
    uint8_t *data;
    size_t cap;
} scratch;

static uint8_t *scratch_get(scratch *s, size_t n)
{
    if (n > s->cap) {
        s->cap = n;
        free(s->data);
        s->data = xmalloc(n);
    }
    return s->data;
}

/* Write raw[0..size) deflated into dict's (empty) stream. */
static HPDF_STATUS write_deflated(HPDF_Dict dict, struct libdeflate_compressor *c,
                                  const uint8_t *raw, size_t size, scratch *out)
{
    size_t bound = libdeflate_zlib_compress_bound(c, size);
    uint8_t *z = scratch_get(out, bound);
    size_t zlen = libdeflate_zlib_compress(c, raw, size, z, bound);
    if (!zlen) /* cannot happen: the bound is libdeflate's own */
        return HPDF_STREAM_EOF;
    return put_deflated(dict, z, zlen);
}

static HPDF_Dict new_deflated_stream(HPDF_Doc pdf, const uint8_t *zdata, size_t zlen,
                                     HPDF_STATUS *st)
{
    HPDF_Dict s = dict_stream_new(pdf, st);
    if (s)
        *st = put_deflated(s, zdata, zlen);
    return s;
}

/* Chunk i of a memory stream (libharu's read functions copy a byte at a
 * time): all of a chunk but in the last, which holds the rest of the
 * stream's size. NULL past the last. */
static const uint8_t *mem_chunk(HPDF_Stream s, size_t i, size_t *len)
{
    HPDF_MemStreamAttr a = (HPDF_MemStreamAttr)s->attr;
    if (s->type != HPDF_STREAM_MEMORY || i >= a->buf->count || (size_t)a->buf_siz * i >= s->size)
        return NULL;
    size_t left = s->size - (size_t)a->buf_siz * i;
    *len = left < a->buf_siz ? left : a->buf_siz;
    return HPDF_List_ItemAt(a->buf, (HPDF_UINT)i);
}

const uint8_t *pdf_hp_saved_chunk(HPDF_Doc pdf, size_t i, size_t *len)
{
    return pdf->stream ? mem_chunk(pdf->stream, i, len) : NULL;
}

/* One stream compressed in place: its bytes read out, deflated by libdeflate
 * (zlib format, as /FlateDecode wants) and written back. */
static HPDF_STATUS deflate_stream(HPDF_Dict dict, struct libdeflate_compressor *c, scratch *in,
                                  scratch *out)
{
    size_t size = dict->stream->size;
    uint8_t *raw = scratch_get(in, size ? size : 1);
    const uint8_t *chunk;
    size_t n, at = 0;
    for (size_t i = 0; at < size && (chunk = mem_chunk(dict->stream, i, &n)) != NULL; i++) {
        memcpy(raw + at, chunk, n);
        at += n;
    }
    if (at != size)
        return HPDF_STREAM_EOF;
    HPDF_MemStream_FreeData(dict->stream);
    return write_deflated(dict, c, raw, size, out);
}

/* The document's object number i as a dictionary, or NULL. */
static HPDF_Dict xref_dict(HPDF_Xref xref, HPDF_UINT i)
{
    HPDF_XrefEntry e = (HPDF_XrefEntry)HPDF_List_ItemAt(xref->entries, i);
    HPDF_Obj_Header *h = e ? (HPDF_Obj_Header *)e->obj : NULL;
    return h && (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT ? (HPDF_Dict)e->obj : NULL;
}

HPDF_STATUS pdf_hp_deflate_streams(HPDF_Doc pdf, struct libdeflate_compressor *c)
{
    scratch in = {0}, out = {0};
    HPDF_STATUS st = HPDF_OK;
    HPDF_UINT n = pdf->xref->entries->count;
    for (HPDF_UINT i = 0; st == HPDF_OK && i < n; i++) {
        HPDF_Dict dict = xref_dict(pdf->xref, i);
        /* only a plain stream that libharu would deflate; one with hooks of its
         * own (none of ours) is left to libharu */
        if (dict && dict->stream && dict->stream->type == HPDF_STREAM_MEMORY &&
            dict->filter == HPDF_STREAM_FILTER_FLATE_DECODE && !dict->before_write_fn &&
            !dict->write_fn && !dict->after_write_fn)
            st = deflate_stream(dict, c, &in, &out);
    }
    free(in.data);
    free(out.data);
    return st;
}
