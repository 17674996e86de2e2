/*
 * pdf.c — the drawing layer of the statements over libharu; see pdfdoc.h.
 * The only file of the project that includes hpdf.h.
 */
#include "pdfdoc.h"

#include <hpdf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FONT_REGULAR "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define MAX_PAGES    4000

struct PdfDoc {
	HPDF_Doc pdf;
	HPDF_Font font[2]; /* regular, bold */
	HPDF_Page *page;
	int npage, cap;
	HPDF_Page cur;
	HPDF_STATUS error; /* the first libharu error, 0 if none */
	HPDF_STATUS detail;
};

/* libharu's error callback: remember the first error instead of aborting
 * (the default handler would longjmp or exit). */
static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	PdfDoc *d = user_data;

	if (!d->error) {
		d->error = error_no;
		d->detail = detail_no;
	}
}

/* Fill *date from "YYYY-MM-DD", or from the clock when text is NULL. */
static void info_date(const char *text, HPDF_Date *date)
{
	memset(date, 0, sizeof *date);
	date->ind = ' ';
	if (text && strlen(text) >= 10) {
		date->year = atoi(text);
		date->month = atoi(text + 5);
		date->day = atoi(text + 8);
		return;
	}
	{
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		date->year = tm.tm_year + 1900;
		date->month = tm.tm_mon + 1;
		date->day = tm.tm_mday;
		date->hour = tm.tm_hour;
		date->minutes = tm.tm_min;
		date->seconds = tm.tm_sec;
	}
}

/* Load DejaVu Sans regular and bold, embedded, with UTF-8 encoding. */
static void load_fonts(PdfDoc *d)
{
	const char *reg, *bold;

	HPDF_UseUTFEncodings(d->pdf);
	HPDF_SetCurrentEncoder(d->pdf, "UTF-8");
	reg = HPDF_LoadTTFontFromFile(d->pdf, FONT_REGULAR, HPDF_TRUE);
	bold = HPDF_LoadTTFontFromFile(d->pdf, FONT_BOLD, HPDF_TRUE);
	if (reg)
		d->font[0] = HPDF_GetFont(d->pdf, reg, "UTF-8");
	if (bold)
		d->font[1] = HPDF_GetFont(d->pdf, bold, "UTF-8");
}

ClCode pdfdoc_new(const char *title, const char *creation_date, PdfDoc **out, Err *e)
{
	PdfDoc *d = calloc(1, sizeof *d);
	HPDF_Date date;

	*out = NULL;
	if (!d)
		return err_set(e, CL_ENOMEM, "out of memory");
	d->pdf = HPDF_New(on_error, d);
	if (!d->pdf) {
		free(d);
		return err_set(e, CL_ENOMEM, "cannot create a PDF document");
	}
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	load_fonts(d);
	info_date(creation_date, &date);
	HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, date);
	HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_MOD_DATE, date);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, title);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "coopledger");
	if (d->error || !d->font[0] || !d->font[1]) {
		err_set(e, CL_EIO, "cannot load the DejaVu Sans fonts (%s): libharu error 0x%04X",
			FONT_REGULAR, (unsigned)d->error);
		pdfdoc_free(d);
		return CL_EIO;
	}
	*out = d;
	return CL_OK;
}

void pdfdoc_free(PdfDoc *d)
{
	if (!d)
		return;
	HPDF_Free(d->pdf);
	free(d->page);
	free(d);
}

int pdfdoc_add_page(PdfDoc *d)
{
	HPDF_Page p;

	if (d->npage == d->cap) {
		int cap = d->cap ? d->cap * 2 : 8;
		HPDF_Page *np =
			cap <= MAX_PAGES ? realloc(d->page, (size_t)cap * sizeof(HPDF_Page)) : NULL;

		if (!np) {
			d->error = d->error ? d->error : HPDF_FAILD_TO_ALLOC_MEM;
			return d->npage - 1;
		}
		d->page = np;
		d->cap = cap;
	}
	p = HPDF_AddPage(d->pdf);
	if (!p)
		return d->npage - 1;
	HPDF_Page_SetWidth(p, PDF_PAGE_W);
	HPDF_Page_SetHeight(p, PDF_PAGE_H);
	d->page[d->npage] = p;
	d->cur = p;
	return d->npage++;
}

int pdfdoc_page_count(const PdfDoc *d)
{
	return d->npage;
}

void pdfdoc_use_page(PdfDoc *d, int i)
{
	if (i >= 0 && i < d->npage)
		d->cur = d->page[i];
}

void pdfdoc_text(PdfDoc *d, double x, double y, int bold, double size, const char *s)
{
	if (!d->cur || !s || !*s)
		return;
	HPDF_Page_SetRGBFill(d->cur, 0, 0, 0);
	HPDF_Page_BeginText(d->cur);
	HPDF_Page_SetFontAndSize(d->cur, d->font[bold != 0], (HPDF_REAL)size);
	HPDF_Page_TextOut(d->cur, (HPDF_REAL)x, (HPDF_REAL)y, s);
	HPDF_Page_EndText(d->cur);
}

double pdfdoc_width(PdfDoc *d, int bold, double size, const char *s)
{
	HPDF_TextWidth tw;

	if (!s || !*s)
		return 0;
	tw = HPDF_Font_TextWidth(d->font[bold != 0], (const HPDF_BYTE *)s, (HPDF_UINT)strlen(s));
	return tw.width * size / 1000.0;
}

void pdfdoc_text_right(PdfDoc *d, double x, double y, int bold, double size, const char *s)
{
	pdfdoc_text(d, x - pdfdoc_width(d, bold, size, s), y, bold, size, s);
}

void pdfdoc_text_center(PdfDoc *d, double x, double y, int bold, double size, const char *s)
{
	pdfdoc_text(d, x - pdfdoc_width(d, bold, size, s) / 2, y, bold, size, s);
}

/* Width of the first n bytes of s. */
static double prefix_width(PdfDoc *d, int bold, double size, const char *s, size_t n)
{
	HPDF_TextWidth tw;

	if (n == 0)
		return 0;
	tw = HPDF_Font_TextWidth(d->font[bold != 0], (const HPDF_BYTE *)s, (HPDF_UINT)n);
	return tw.width * size / 1000.0;
}

size_t pdfdoc_fit(PdfDoc *d, int bold, double size, const char *s, double width)
{
	size_t len = strlen(s), i = 0, fit = 0, space = 0;

	while (i < len) {
		size_t next = i + 1;

		while (next < len && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++; /* whole UTF-8 characters */
		if (prefix_width(d, bold, size, s, next) > width)
			break;
		if (s[i] == ' ')
			space = i;
		fit = next;
		i = next;
	}
	if (fit == 0) { /* not even one character: take one anyway */
		fit = 1;
		while (fit < len && ((unsigned char)s[fit] & 0xC0) == 0x80)
			fit++;
		return fit;
	}
	if (fit < len && s[fit] != ' ' && space > 0)
		return space;
	return fit;
}

void pdfdoc_fill_rgb(PdfDoc *d, double x, double y, double w, double h, double r, double g,
		     double b)
{
	if (!d->cur || w <= 0 || h <= 0)
		return;
	HPDF_Page_SetRGBFill(d->cur, (HPDF_REAL)r, (HPDF_REAL)g, (HPDF_REAL)b);
	HPDF_Page_Rectangle(d->cur, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
	HPDF_Page_Fill(d->cur);
	HPDF_Page_SetRGBFill(d->cur, 0, 0, 0);
}

void pdfdoc_line(PdfDoc *d, double x0, double y0, double x1, double y1, double width, double gray)
{
	if (!d->cur)
		return;
	HPDF_Page_SetLineWidth(d->cur, (HPDF_REAL)width);
	HPDF_Page_SetGrayStroke(d->cur, (HPDF_REAL)gray);
	HPDF_Page_MoveTo(d->cur, (HPDF_REAL)x0, (HPDF_REAL)y0);
	HPDF_Page_LineTo(d->cur, (HPDF_REAL)x1, (HPDF_REAL)y1);
	HPDF_Page_Stroke(d->cur);
}

ClCode pdfdoc_save(PdfDoc *d, unsigned char **out, size_t *len, Err *e)
{
	HPDF_UINT32 size;
	unsigned char *p;

	*out = NULL;
	*len = 0;
	if (!d->error)
		HPDF_SaveToStream(d->pdf);
	if (d->error)
		return err_set(e, CL_EIO, "PDF rendering failed: libharu error 0x%04X (detail %u)",
			       (unsigned)d->error, (unsigned)d->detail);
	size = HPDF_GetStreamSize(d->pdf);
	p = malloc(size ? size : 1);
	if (!p)
		return err_set(e, CL_ENOMEM, "out of memory");
	HPDF_ResetStream(d->pdf);
	HPDF_ReadFromStream(d->pdf, p, &size);
	if (d->error && d->error != HPDF_STREAM_EOF) {
		free(p);
		return err_set(e, CL_EIO, "cannot read the PDF stream: libharu error 0x%04X",
			       (unsigned)d->error);
	}
	*out = p;
	*len = size;
	return CL_OK;
}
