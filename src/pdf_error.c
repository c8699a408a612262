/* pdf_error: libharu's error state of a pdf_doc, shared by the pdf files
 * (pdf.c draws and writes, pdf_font.c loads and embeds fonts): both check
 * every call through pdf_status_check. */
#include "pdf_shared.h"

/* libharu calls this on every error it raises. We only record it: the
 * caller checks after each call and turns it into a message, so no longjmp
 * ever crosses our frames. */
void pdf_error_record(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    pdf_doc *p = user_data;
    if (!p->err_no) {
        p->err_no = error_no;
        p->err_detail = detail_no;
    }
}

/* Forget the recorded error so the next call starts clean; libharu ignores
 * most calls while an error is set (docs/libharu.md). */
void pdf_error_clear(pdf_doc *p)
{
    p->err_no = 0;
    p->err_detail = 0;
    HPDF_ResetError(p->pdf);
}

/* True when libharu is happy; otherwise report an internal error at `at`
 * and clear it. st is the status the call returned (HPDF_OK for calls that
 * return something else). */
bool pdf_status_check(pdf_doc *p, HPDF_STATUS st, diag *d, src_mark at)
{
    if (st == HPDF_OK && !p->err_no && HPDF_GetError(p->pdf) == HPDF_OK)
        return true;
    HPDF_STATUS code = p->err_no ? p->err_no : st != HPDF_OK ? st : HPDF_GetError(p->pdf);
    HPDF_STATUS detail = p->err_no ? p->err_detail : HPDF_GetErrorDetail(p->pdf);
    diag_error(d, at, "внутренняя ошибка libharu: код 0x%04X, деталь %u", (unsigned)code,
               (unsigned)detail);
    pdf_error_clear(p);
    return false;
}
