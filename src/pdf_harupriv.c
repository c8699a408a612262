/* pdf_harupriv: the only code that touches libharu's private structures:
 * the font definition's cmap and metrics, the UTF-8 encoder's maps, the
 * font's streams and /W, the font descriptor, and the page's content
 * stream. It is written for libharu 2.3.0 (Debian 12: libhpdf-dev
 * 2.3.0+dfsg-1+b1) and checked against that version below: each patch
 * relies on how 2.3.0 lays out and uses these structures, which later
 * versions change (docs/libharu.md). The headers are installed by
 * libhpdf-dev and the functions exported by the shared library. */
#include "pdf_shared.h"

#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include <hpdf_doc.h>
#include <hpdf_encoder.h>
#include <hpdf_encrypt.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_version.h>

#if HPDF_MAJOR_VERSION != 2 || HPDF_MINOR_VERSION != 3 || HPDF_BUGFIX_VERSION != 0
#error                                                                                             \
    "pdf_harupriv.c patches libharu 2.3.0's private structures: check every patch against this libharu version (docs/libharu.md) before changing this test"
#endif

static HPDF_TTFontDefAttr tt_attr(HPDF_FontDef def)
{
    return (HPDF_TTFontDefAttr)def->attr;
}

/* A font file already in memory (mapped by pdf_font.c), read by libharu
 * through a callback stream: HPDF_LoadTTFontFromFile reads it with fread a
 * few bytes at a time (3 M instructions a font). */
typedef struct mem_font {
    const uint8_t *bytes;
    HPDF_UINT32 len, pos;
} mem_font;

static HPDF_STATUS mem_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    mem_font *m = s->attr;
    HPDF_UINT n = *siz < m->len - m->pos ? *siz : m->len - m->pos;
    memcpy(ptr, m->bytes + m->pos, n);
    m->pos += n;
    if (n < *siz) { /* as libharu's file reader says it */
        *siz = n;
        return HPDF_SetError(s->error, HPDF_STREAM_EOF, 0);
    }
    return HPDF_OK;
}

static HPDF_STATUS mem_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    mem_font *m = s->attr;
    int64_t at = mode == HPDF_SEEK_SET ? 0 : mode == HPDF_SEEK_CUR ? m->pos : m->len;
    at += pos;
    if (at < 0 || at > m->len)
        return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, 0);
    m->pos = (HPDF_UINT32)at;
    return HPDF_OK;
}

static HPDF_INT32 mem_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((mem_font *)s->attr)->pos;
}

static HPDF_UINT32 mem_size(HPDF_Stream s)
{
    return ((mem_font *)s->attr)->len;
}

static void mem_free(HPDF_Stream s)
{
    HPDF_FreeMem(s->mmgr, s->attr);
}

/* What HPDF_LoadTTFontFromFile does (hpdf_doc.c, LoadTTFontFromStream),
 * from bytes that stay mapped as long as the document lives. */
HPDF_FontDef pdf_hp_font_load(HPDF_Doc pdf, const uint8_t *bytes, size_t len)
{
    mem_font *m = len <= INT32_MAX ? HPDF_GetMem(pdf->mmgr, sizeof *m) : NULL;
    if (!m)
        return NULL;
    *m = (mem_font){bytes, (HPDF_UINT32)len, 0};
    HPDF_Stream s = HPDF_CallbackReader_New(pdf->mmgr, mem_read, mem_seek, mem_tell, mem_size, m);
    if (!s) {
        HPDF_FreeMem(pdf->mmgr, m);
        return NULL;
    }
    s->free_fn = mem_free; /* the definition frees its stream, and so m */
    /* embedding: libharu then makes the CIDToGIDMap; the program it would
     * save is replaced by ours (pdf_hp_font_set_program) */
    HPDF_FontDef def = HPDF_TTFontDef_Load(pdf->mmgr, s, HPDF_TRUE);
    if (!def)
        return NULL;
    if (HPDF_Doc_FindFontDef(pdf, def->base_font) ||
        HPDF_Doc_RegisterFontDef(pdf, def) != HPDF_OK) {
        HPDF_FontDef_Free(def);
        return NULL;
    }
    /* the subset's tag: HPDFAA for the first font, then HPDFAB, ... */
    if (pdf->ttfont_tag[0] == 0) {
        memcpy(pdf->ttfont_tag, "HPDFAA", 6);
    } else {
        for (int i = 5; i >= 0; i--) {
            if (++pdf->ttfont_tag[i] <= 'Z')
                break;
            pdf->ttfont_tag[i] = 'A';
        }
    }
    HPDF_TTFontDef_SetTagName(def, (char *)pdf->ttfont_tag);
    return def->type == HPDF_FONTDEF_TYPE_TRUETYPE ? def : NULL;
}

unsigned pdf_hp_font_glyphs(HPDF_FontDef def)
{
    return tt_attr(def)->num_glyphs;
}

double pdf_hp_font_ascent(HPDF_FontDef def)
{
    return def->ascent;
}

double pdf_hp_font_descent(HPDF_FontDef def)
{
    return def->descent;
}

/* HPDF_TTFontDef_GetCharWidth (and so HPDF_Font_TextWidth) would also mark
 * the glyph for libharu's own subset; these two do not. */
unsigned pdf_hp_glyph(HPDF_FontDef def, uint32_t cp)
{
    return HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp);
}

int pdf_hp_glyph_width(HPDF_FontDef def, unsigned gid)
{
    /* The same integer libharu writes into /W (CIDFontType2_New). */
    return HPDF_TTFontDef_GetGidWidth(def, (HPDF_UINT16)gid);
}

void pdf_hp_font_tag(HPDF_FontDef def, char tag[TTF_TAG_LEN])
{
    _Static_assert(sizeof tt_attr(def)->tag_name == TTF_TAG_LEN, "libharu's tag length");
    memcpy(tag, tt_attr(def)->tag_name, TTF_TAG_LEN);
}

/* ---- Making the font object ------------------------------------------------ */

/* The narrowed cmap of pdf_hp_font_new: two segments, the first to the last
 * code point planned with their real glyph ids (0 for the others), and the
 * 0xFFFF segment that ends GetGlyphid's scan. */
typedef struct narrow_cmap {
    HPDF_TTF_CmapRange own; /* the real one, put back after */
    HPDF_UINT16 end[2], start[2], range_offset[2];
    HPDF_INT16 delta[2];
    HPDF_UINT16 *glyphs;
} narrow_cmap;

static void narrow_cmap_set(narrow_cmap *c, HPDF_FontDef def, const uint8_t *planned,
                            uint32_t first, uint32_t last)
{
    HPDF_TTFontDefAttr attr = tt_attr(def);
    size_t n = last - first + 1;
    c->glyphs = xcalloc(n, sizeof *c->glyphs);
    for (uint32_t cp = first; cp <= last; cp = cp_set_next(planned, cp + 1))
        c->glyphs[cp - first] = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp);
    c->end[0] = (HPDF_UINT16)last;
    c->start[0] = (HPDF_UINT16)first;
    c->end[1] = c->start[1] = 0xFFFF;
    /* GetGlyphid indexes the glyph array with id_range_offset / 2 +
     * (cp - start) - (segments - segment): cp - first here, as in a real
     * cmap table, where the offset counts bytes from its own entry. */
    c->range_offset[0] = 2 * 2;
    c->range_offset[1] = 0;
    /* 0xFFFF + 1 is glyph 0 (mod 2^16). */
    c->delta[0] = 0;
    c->delta[1] = 1;
    c->own = attr->cmap;
    attr->cmap.seg_count_x2 = 2 * 2;
    attr->cmap.end_count = c->end;
    attr->cmap.start_count = c->start;
    attr->cmap.id_delta = c->delta;
    attr->cmap.id_range_offset = c->range_offset;
    attr->cmap.glyph_id_array = c->glyphs;
    attr->cmap.glyph_id_array_count = (HPDF_UINT)n;
}

static void narrow_cmap_undo(narrow_cmap *c, HPDF_FontDef def)
{
    tt_attr(def)->cmap = c->own;
    free(c->glyphs);
}

/* The narrowed encoder of pdf_hp_font_new: HPDF_CMapEncoder_ToUnicode and a
 * cid_map/unicode_map holding just the code points planned. */
typedef struct narrow_encoder {
    HPDF_Encoder_ToUnicode_Func own_fn;
    HPDF_UNICODE *own_unicode; /* own_unicode[cp - first] */
    void *cid_map_copy;        /* the scratch buffer: the real cid_map */
} narrow_encoder;

static void narrow_encoder_set(narrow_encoder *e, HPDF_Encoder enc, const uint8_t *planned,
                               uint32_t first, uint32_t last, void **scratch)
{
    HPDF_CMapEncoderAttr maps = (HPDF_CMapEncoderAttr)enc->attr;
    e->own_fn = enc->to_unicode_fn;
    e->own_unicode = xcalloc(last - first + 1, sizeof *e->own_unicode);
    /* One copy of cid_map (128 KB) for all fonts, to touch no fresh pages
     * for each. */
    if (!*scratch)
        *scratch = xmalloc(sizeof maps->cid_map);
    e->cid_map_copy = *scratch;
    memcpy(e->cid_map_copy, maps->cid_map, sizeof maps->cid_map);
    memset(maps->cid_map, 0, sizeof maps->cid_map);
    for (uint32_t cp = first; cp <= last; cp = cp_set_next(planned, cp + 1)) {
        /* Our CIDs are the code points (Identity-H). */
        maps->cid_map[cp >> 8][cp & 0xFF] = (HPDF_UINT16)cp;
        e->own_unicode[cp - first] = maps->unicode_map[cp >> 8][cp & 0xFF];
        maps->unicode_map[cp >> 8][cp & 0xFF] = (HPDF_UNICODE)cp;
    }
    enc->to_unicode_fn = HPDF_CMapEncoder_ToUnicode;
}

static void narrow_encoder_undo(narrow_encoder *e, HPDF_Encoder enc, const uint8_t *planned,
                                uint32_t first, uint32_t last)
{
    HPDF_CMapEncoderAttr maps = (HPDF_CMapEncoderAttr)enc->attr;
    enc->to_unicode_fn = e->own_fn;
    for (uint32_t cp = first; cp <= last; cp = cp_set_next(planned, cp + 1))
        maps->unicode_map[cp >> 8][cp & 0xFF] = e->own_unicode[cp - first];
    memcpy(maps->cid_map, e->cid_map_copy, sizeof maps->cid_map);
    free(e->own_unicode);
}

/* The Type0 font object of def, which puts the font into the file; NULL
 * when libharu fails (its error is recorded).
 *
 * libharu 2.3.0 makes the font's /W and CIDToGIDMap for the whole BMP
 * (CIDFontType2_New in hpdf_font_cid.c): with the UTF-8 encoder, whose
 * to_unicode_fn is its own, it looks up every code point 0..0xFFFF in the
 * cmap, and HPDF_TTFontDef_GetGlyphid (hpdf_fontdef_tt.c) scans the cmap's
 * format-4 segments one by one for each: 65536 times ~190 segments in
 * Liberation Serif, half the time of a whole render. pdf_font_finish
 * replaces both results, so for the length of the call we narrow what
 * libharu looks at to the code points planned:
 *  - the encoder gets HPDF_CMapEncoder_ToUnicode and a cid_map/unicode_map
 *    holding just those code points, which sends CIDFontType2_New down its
 *    CMap-encoder branch: it visits only entries with a CID, and its maps
 *    end at the largest;
 *  - the font definition gets a cmap of two segments: the first to the last
 *    code point planned with their real glyph ids (0 for the others), and
 *    the 0xFFFF segment that ends GetGlyphid's scan. Should the encoder
 *    branch not be taken (it compares function pointers), this still keeps
 *    the 65536 lookups cheap.
 * Both are put back unchanged right after. This is safe because, in 2.3.0:
 *  - the cmap and the encoder maps are read on each use and kept nowhere:
 *    GetGlyphid reads attr->cmap, and the TrueType program in the file is
 *    ours (pdf_font.c), built from the font file;
 *  - libharu frees the arrays it allocated (the cmap's in InitAttr, from
 *    HPDF_Free), and those are back in place; ours are freed here; the
 *    encoder maps are arrays inside its attr, copied back whole, including
 *    the UTF-8 parser state libharu keeps in cid_map[0];
 *  - nothing draws or measures text during the call, and pdf.c's error handler
 *    only records, so no longjmp can skip the restore. */
HPDF_Font pdf_hp_font_new(HPDF_Doc pdf, HPDF_FontDef def, const uint8_t *planned, void **scratch)
{
    HPDF_Encoder enc = HPDF_GetEncoder(pdf, "UTF-8");
    uint32_t first = planned ? cp_set_next(planned, 0) : LAST_CP + 1;
    /* A format 0 cmap is indexed, not scanned; CID 0 would leave the
     * encoder branch without a map (HPDF_INVALID_FONTDEF_DATA). */
    if (!enc || enc->type != HPDF_ENCODER_TYPE_DOUBLE_BYTE || tt_attr(def)->cmap.format != 4 ||
        first > LAST_CP)
        return HPDF_GetFont(pdf, def->base_font, "UTF-8");
    uint32_t last = first;
    for (uint32_t cp = first; cp <= LAST_CP; cp = cp_set_next(planned, cp + 1))
        last = cp;
    if (last == 0)
        return HPDF_GetFont(pdf, def->base_font, "UTF-8");
    narrow_cmap c;
    narrow_encoder e;
    narrow_cmap_set(&c, def, planned, first, last);
    narrow_encoder_set(&e, enc, planned, first, last, scratch);
    HPDF_Font font = HPDF_GetFont(pdf, def->base_font, "UTF-8");
    narrow_encoder_undo(&e, enc, planned, first, last);
    narrow_cmap_undo(&c, def);
    return font;
}

/* ---- The font's maps, widths and program --------------------------------------- */

static HPDF_STATUS replace_stream(HPDF_Dict dict, const buf *b)
{
    HPDF_MemStream_FreeData(dict->stream);
    return HPDF_Stream_Write(dict->stream, (const HPDF_BYTE *)b->data, (HPDF_UINT)b->len);
}

HPDF_STATUS pdf_hp_font_set_maps(HPDF_Font font, const buf *to_unicode, const buf *cid_to_gid)
{
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_STATUS st = HPDF_OK;
    if (attr->cmap_stream)
        st = replace_stream(attr->cmap_stream, to_unicode);
    if (st == HPDF_OK && attr->map_stream)
        st = replace_stream(attr->map_stream, cid_to_gid);
    return st;
}

/* /W as "first [w w …] first [w …]", one run per stretch of consecutive
 * code points. */
HPDF_STATUS pdf_hp_font_set_widths(HPDF_Font font, const uint32_t *cps, const uint16_t *widths,
                                   size_t n)
{
    HPDF_Dict cid_font = ((HPDF_FontAttr)font->attr)->descendant_font;
    HPDF_Array w = HPDF_Array_New(cid_font->mmgr);
    /* Owned by the dict from here on, also when filling it fails. */
    HPDF_STATUS st = w ? HPDF_Dict_Add(cid_font, "W", w) : HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Array run = NULL;
    for (size_t i = 0; st == HPDF_OK && i < n; i++) {
        if (!run || cps[i] != cps[i - 1] + 1) {
            st = HPDF_Array_AddNumber(w, (HPDF_INT32)cps[i]);
            run = st == HPDF_OK ? HPDF_Array_New(cid_font->mmgr) : NULL;
            if (st == HPDF_OK)
                st = run ? HPDF_Array_Add(w, run) : HPDF_FAILD_TO_ALLOC_MEM;
        }
        if (st == HPDF_OK)
            st = HPDF_Array_AddNumber(run, (HPDF_INT32)widths[i]);
    }
    return st;
}

/* What PDF/A-1 asks of a subset's descriptor beyond what libharu 2.3.0
 * writes (docs/pdfa.md): /CapHeight (2.3.0 measures it, from the bounding
 * box of "H", but leaves it out) and the /CIDSet of the CIDs the subset
 * holds, compressed like the font program. */
static HPDF_STATUS add_pdfa_keys(HPDF_Dict descriptor, HPDF_Font font, HPDF_FontDef def,
                                 const buf *cidset)
{
    HPDF_FontAttr font_attr = (HPDF_FontAttr)font->attr;
    HPDF_STATUS st = HPDF_Dict_AddNumber(descriptor, "CapHeight", def->cap_height);
    HPDF_Dict set = st == HPDF_OK ? HPDF_DictStream_New(font->mmgr, font_attr->xref) : NULL;
    if (st == HPDF_OK && !set)
        st = HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK)
        st =
            HPDF_Stream_Write(set->stream, (const HPDF_BYTE *)cidset->data, (HPDF_UINT)cidset->len);
    if (st == HPDF_OK) {
        set->filter = font->filter;
        st = HPDF_Dict_Add(descriptor, "CIDSet", set);
    }
    return st;
}

/* The font descriptor with prog as its /FontFile2, made as libharu 2.3.0
 * makes it when the font is first written (CIDFontType2_BeforeWrite_Func in
 * hpdf_font_cid.c): same keys, same values, and the font's own filter.
 * libharu then finds fontdef->descriptor set and uses it as it is, instead
 * of saving its own program (HPDF_TTFontDef_SaveFontData). */
HPDF_STATUS pdf_hp_font_set_program(HPDF_Font font, HPDF_FontDef def, const buf *prog,
                                    const buf *cidset)
{
    HPDF_FontAttr font_attr = (HPDF_FontAttr)font->attr;
    HPDF_TTFontDefAttr def_attr = tt_attr(def);
    HPDF_MMgr mmgr = font->mmgr;
    HPDF_Dict descriptor = HPDF_Dict_New(mmgr);
    if (!descriptor)
        return HPDF_FAILD_TO_ALLOC_MEM;
    /* The stream is in the cross-reference table from birth, so the table
     * owns it; the descriptor we free until it is added there. */
    HPDF_Dict data = HPDF_DictStream_New(mmgr, font_attr->xref);
    HPDF_STATUS st =
        data ? HPDF_Stream_Write(data->stream, (const HPDF_BYTE *)prog->data, (HPDF_UINT)prog->len)
             : HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(descriptor, "FontFile2", data);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)prog->len);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(data, "Length2", 0);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(data, "Length3", 0);
    if (st != HPDF_OK) {
        HPDF_Dict_Free(descriptor);
        return st;
    }
    data->filter = font->filter;
    /* HPDF_Xref_Add frees what it cannot add. */
    st = HPDF_Xref_Add(font_attr->xref, descriptor);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(descriptor, "Type", "FontDescriptor");
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "Ascent", def->ascent);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "Descent", def->descent);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "Flags", (HPDF_INT32)def->flags);
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(descriptor, "FontBBox", HPDF_Box_Array_New(mmgr, def->font_bbox));
    if (st == HPDF_OK)
        st = HPDF_Dict_AddName(descriptor, "FontName", def_attr->base_font);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "ItalicAngle", def->italic_angle);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "StemV", def->stemv);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(descriptor, "XHeight", def->x_height);
    if (st == HPDF_OK && cidset)
        st = add_pdfa_keys(descriptor, font, def, cidset);
    if (st == HPDF_OK)
        def->descriptor = descriptor;
    return st;
}

/* ---- PDF/A -------------------------------------------------------------------- */

/* A stream object in the document's cross-reference table (which owns it). */
static HPDF_Dict new_stream(HPDF_Doc pdf, const buf *data, HPDF_UINT filter, HPDF_STATUS *st)
{
    HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!s) {
        *st = HPDF_FAILD_TO_ALLOC_MEM;
        return NULL;
    }
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
HPDF_STATUS pdf_hp_page_write(HPDF_Page page, const char *text)
{
    return HPDF_Stream_WriteStr(((HPDF_PageAttr)page->attr)->stream, text);
}

/* ---- Compression ---------------------------------------------------------------- */

/* Written where libharu would write its /Filter [/FlateDecode], for a stream
 * we compressed ourselves (its filter is then NONE, so libharu copies it). */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
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

/* One stream compressed in place: its bytes read out, deflated by libdeflate
 * (zlib format, as /FlateDecode wants) and written back. */
static HPDF_STATUS deflate_stream(HPDF_Dict dict, struct libdeflate_compressor *c, scratch *in,
                                  scratch *out)
{
    HPDF_UINT size = HPDF_Stream_Size(dict->stream);
    uint8_t *raw = scratch_get(in, size ? size : 1);
    HPDF_STATUS st = HPDF_OK;
    if (size) {
        HPDF_UINT n = size;
        st = HPDF_Stream_Seek(dict->stream, 0, HPDF_SEEK_SET);
        if (st == HPDF_OK)
            st = HPDF_Stream_Read(dict->stream, raw, &n);
        if (st == HPDF_OK && n != size)
            st = HPDF_STREAM_EOF;
        if (st != HPDF_OK)
            return st;
    }
    size_t bound = libdeflate_zlib_compress_bound(c, size);
    uint8_t *z = scratch_get(out, bound);
    size_t zlen = libdeflate_zlib_compress(c, raw, size, z, bound);
    if (!zlen) /* cannot happen: the bound is libdeflate's own */
        return HPDF_STREAM_EOF;
    HPDF_MemStream_FreeData(dict->stream);
    st = HPDF_Stream_Write(dict->stream, z, (HPDF_UINT)zlen);
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = write_flate_filter;
    return st;
}

/* At save, 2.3.0's CIDFontType2_BeforeWrite_Func (the Type0 font's hook)
 * gives the font's ToUnicode and CIDToGIDMap streams the Type0 font's filter.
 * Done before instead, so that pdf_hp_deflate_streams compresses them with
 * the other streams; the Type0 font (a dictionary with no stream of its own)
 * then passes NONE. */
static void font_maps_filter(HPDF_Dict dict)
{
    if (!(dict->header.obj_class & HPDF_OSUBCLASS_FONT) || !dict->attr)
        return;
    HPDF_FontAttr attr = (HPDF_FontAttr)dict->attr;
    if (attr->type != HPDF_FONT_TYPE0_TT)
        return;
    if (attr->cmap_stream)
        attr->cmap_stream->filter = dict->filter;
    if (attr->map_stream)
        attr->map_stream->filter = dict->filter;
    dict->filter = HPDF_STREAM_FILTER_NONE;
}

/* The document's object number i as a dictionary, or NULL. */
static HPDF_Dict xref_dict(HPDF_Xref xref, HPDF_UINT i)
{
    HPDF_XrefEntry e = (HPDF_XrefEntry)HPDF_List_ItemAt(xref->entries, i);
    HPDF_Obj_Header *h = e ? (HPDF_Obj_Header *)e->obj : NULL;
    return h && (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT ? (HPDF_Dict)e->obj : NULL;
}

HPDF_STATUS pdf_hp_deflate_streams(HPDF_Doc pdf, int level)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    if (!c)
        return HPDF_FAILD_TO_ALLOC_MEM;
    scratch in = {0}, out = {0};
    HPDF_STATUS st = HPDF_OK;
    HPDF_UINT n = pdf->xref->entries->count;
    for (HPDF_UINT i = 0; i < n; i++) {
        HPDF_Dict dict = xref_dict(pdf->xref, i);
        if (dict)
            font_maps_filter(dict);
    }
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
    libdeflate_free_compressor(c);
    return st;
}
