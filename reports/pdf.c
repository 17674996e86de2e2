/*
 * pdf.c — the drawing layer of the statements over libharu; see pdfdoc.h.
 * The only file of the project that includes hpdf.h.
 *
 * A font embedded in a PDF holds only the glyphs the document draws, so
 * the fonts can be made only once everything is drawn: the drawing calls
 * record operations (and the characters each face must hold), measuring
 * text with font.h; pdfdoc_save() subsets each face used, gives the subset
 * to libharu (which reads fonts from files only: an anonymous memory file,
 * memfd, named by its /proc/self/fd path) and then replays the operations
 * in order onto the pages.
 *
 * The fonts are simple TrueType fonts with one-byte codes under
 * WinAnsiEncoding, not libharu's Unicode (CID) fonts, whose set-up and
 * 128 KB glyph map cost more than the rest of a statement.  Each
 * character of a document gets a code: ASCII its own, any other the next
 * free one; a subset holds as many characters as there are codes (about
 * 200), and a face with more in one document gets more subsets.  The subset's cmap maps the
 * character WinAnsiEncoding gives each code to the glyph drawn at that code, which is how a viewer
 * finds it, and a ToUnicode map written here gives readers the real character back.  Control
 * characters are drawn as spaces, malformed UTF-8 as U+FFFD.
 */
#define _GNU_SOURCE /* memfd_create */
#include "pdfdoc.h"

#include <hpdf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "font.h"

#define MAX_PAGES 4000
/* Most bytes of text one document draws (its strings, recorded until the
 * save). */
#define MAX_TEXT (64u << 20)

typedef enum { OP_TEXT, OP_FILL, OP_LINE } OpKind;

/* One drawing operation, replayed by pdfdoc_save(). */
typedef struct Op {
	OpKind kind;
	int page;
	int bold;
	size_t text; /* OP_TEXT: offset of the string in PdfDoc.text */
	double v[7]; /* text: x, y, size; fill: x, y, w, h, r, g, b;
			line: x0, y0, x1, y1, width, gray */
} Op;

/* Where a character is drawn: which subset of its face, at which code. */
typedef struct Placed {
	uint32_t cp;
	uint16_t sub;
	uint8_t code;
} Placed;

/* The characters one face draws in the document: the code points in
 * first-use order and a bitmap of the Basic Multilingual Plane ones; at
 * the save, where each is drawn (sorted by code point) and the fonts of
 * the subsets. */
typedef struct Used {
	uint32_t *cp;
	size_t n, cap;
	unsigned char bmp[65536 / 8];
	Placed *placed;
	HPDF_Font *font;
	int nsub;
} Used;

/* The one-byte codes a subset's characters take, and the character
 * WinAnsiEncoding gives each: ASCII stands at its own code in the first
 * subset; other characters take the rest.  Codes WinAnsiEncoding leaves
 * undefined or shares with another (no-break space, soft hyphen) are not
 * used. */
typedef struct Codes {
	uint8_t other[256]; /* codes for characters other than ASCII */
	int nother;
	uint8_t all[256]; /* codes of the later subsets */
	int nall;
	uint16_t uni[256];
} Codes;

struct PdfDoc {
	HPDF_Doc pdf;
	HPDF_Page *page;
	int npage, cap;
	int cur; /* current page, -1: none */
	Op *op;
	size_t nop, opcap;
	char *text;
	size_t ntext, textcap;
	Used *used;	   /* FONT_COUNT of them */
	int too_many;	   /* a face would hold more than FONT_SUBSET_MAX characters */
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

/* ---- characters ---- */

/* The character at s[*i] (of n bytes), advancing *i: malformed UTF-8
 * (overlong, surrogate, beyond U+10FFFF, cut short) is one byte of
 * U+FFFD, a control character is a space, and the noncharacters U+FFFE and
 * U+FFFF are U+FFFD. */
static uint32_t next_char(const char *s, size_t n, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = n - *i, len, k;
	uint32_t cp, min;

	if (p[0] < 0x80) {
		*i += 1;
		return p[0] < 0x20 || p[0] == 0x7F ? ' ' : p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2, cp = p[0] & 0x1F, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3, cp = p[0] & 0x0F, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		*i += 1;
		return 0xFFFD;
	}
	if (left < len) {
		*i += 1;
		return 0xFFFD;
	}
	for (k = 1; k < len; k++) {
		if ((p[k] & 0xC0) != 0x80) {
			*i += 1;
			return 0xFFFD;
		}
		cp = cp << 6 | (p[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*i += 1;
		return 0xFFFD;
	}
	*i += len;
	if (cp >= 0x80 && cp < 0xA0)
		return ' ';
	if (cp == 0xFFFE || cp == 0xFFFF)
		return 0xFFFD;
	return cp;
}

static FontFace main_face(int bold)
{
	return bold ? FONT_BOLD : FONT_REGULAR;
}

/* Note that face f draws cp in this document. */
static void use_char(PdfDoc *d, FontFace f, uint32_t cp)
{
	Used *u = &d->used[f];
	size_t k;

	if (cp <= 0xFFFF) {
		if (u->bmp[cp >> 3] & (1u << (cp & 7)))
			return;
	} else {
		for (k = 0; k < u->n; k++)
			if (u->cp[k] == cp)
				return;
	}
	if (u->n == FONT_SUBSET_MAX) { /* font_subset() refuses more: said at the save */
		d->too_many = 1;
		return;
	}
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 128;
		uint32_t *ncp = realloc(u->cp, cap * sizeof *ncp);

		if (!ncp) {
			d->error = d->error ? d->error : HPDF_FAILD_TO_ALLOC_MEM;
			return;
		}
		u->cp = ncp;
		u->cap = cap;
	}
	if (cp <= 0xFFFF)
		u->bmp[cp >> 3] |= (unsigned char)(1u << (cp & 7));
	u->cp[u->n++] = cp;
}

/* Width of s (n bytes) in thousandths of an em, text set in main. */
static long text_units(int bold, const char *s, size_t n)
{
	long w = 0;
	size_t i = 0;

	while (i < n) {
		uint32_t cp = next_char(s, n, &i);

		w += font_width(font_pick(main_face(bold), cp), cp);
	}
	return w;
}

/* ---- the document ---- */

ClCode pdfdoc_new(const char *title, const char *creation_date, PdfDoc **out, Err *e)
{
	PdfDoc *d;
	HPDF_Date date;

	*out = NULL;
	if (font_init(e))
		return e ? e->code : CL_EIO;
	d = calloc(1, sizeof *d);
	if (!d)
		return err_set(e, CL_ENOMEM, "out of memory");
	d->cur = -1;
	d->used = calloc(FONT_COUNT, sizeof *d->used);
	d->pdf = d->used ? HPDF_New(on_error, d) : NULL;
	if (!d->pdf) {
		free(d->used);
		free(d);
		return err_set(e, CL_ENOMEM, "cannot create a PDF document");
	}
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	info_date(creation_date, &date);
	HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, date);
	HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_MOD_DATE, date);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, title);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "coopledger");
	if (d->error) {
		err_set(e, CL_EIO, "cannot start a PDF document: libharu error 0x%04X",
			(unsigned)d->error);
		pdfdoc_free(d);
		return CL_EIO;
	}
	*out = d;
	return CL_OK;
}

void pdfdoc_free(PdfDoc *d)
{
	int f;

	if (!d)
		return;
	HPDF_Free(d->pdf);
	for (f = 0; f < FONT_COUNT; f++) {
		free(d->used[f].cp);
		free(d->used[f].placed);
		free(d->used[f].font);
	}
	free(d->used);
	free(d->op);
	free(d->text);
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
	d->cur = d->npage;
	return d->npage++;
}

int pdfdoc_page_count(const PdfDoc *d)
{
	return d->npage;
}

void pdfdoc_use_page(PdfDoc *d, int i)
{
	if (i >= 0 && i < d->npage)
		d->cur = i;
}

/* A new operation on the current page, or NULL (no page, no memory). */
static Op *add_op(PdfDoc *d, OpKind kind)
{
	Op *op;

	if (d->cur < 0)
		return NULL;
	if (d->nop == d->opcap) {
		size_t cap = d->opcap ? 2 * d->opcap : 256;
		Op *n = realloc(d->op, cap * sizeof *n);

		if (!n) {
			d->error = d->error ? d->error : HPDF_FAILD_TO_ALLOC_MEM;
			return NULL;
		}
		d->op = n;
		d->opcap = cap;
	}
	op = &d->op[d->nop++];
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->page = d->cur;
	return op;
}

void pdfdoc_text(PdfDoc *d, double x, double y, int bold, double size, const char *s)
{
	size_t n, i = 0;
	Op *op;

	if (d->cur < 0 || !s || !*s)
		return;
	n = strlen(s);
	if (n + 1 > MAX_TEXT - d->ntext) {
		d->error = d->error ? d->error : HPDF_FAILD_TO_ALLOC_MEM;
		return;
	}
	if (d->ntext + n + 1 > d->textcap) {
		size_t cap = d->textcap ? 2 * d->textcap : 16384;
		char *t;

		while (cap < d->ntext + n + 1)
			cap *= 2;
		t = realloc(d->text, cap);
		if (!t) {
			d->error = d->error ? d->error : HPDF_FAILD_TO_ALLOC_MEM;
			return;
		}
		d->text = t;
		d->textcap = cap;
	}
	op = add_op(d, OP_TEXT);
	if (!op)
		return;
	op->bold = bold != 0;
	op->text = d->ntext;
	op->v[0] = x;
	op->v[1] = y;
	op->v[2] = size;
	memcpy(d->text + d->ntext, s, n + 1);
	d->ntext += n + 1;
	while (i < n) {
		uint32_t cp = next_char(s, n, &i);

		use_char(d, font_pick(main_face(bold), cp), cp);
	}
}

double pdfdoc_width(PdfDoc *d, int bold, double size, const char *s)
{
	(void)d;
	if (!s || !*s)
		return 0;
	return (double)text_units(bold, s, strlen(s)) * size / 1000.0;
}

double pdfdoc_width_n(PdfDoc *d, int bold, double size, const char *s, size_t n)
{
	(void)d;
	return (double)text_units(bold, s, n) * size / 1000.0;
}

void pdfdoc_text_right(PdfDoc *d, double x, double y, int bold, double size, const char *s)
{
	pdfdoc_text(d, x - pdfdoc_width(d, bold, size, s), y, bold, size, s);
}

void pdfdoc_text_center(PdfDoc *d, double x, double y, int bold, double size, const char *s)
{
	pdfdoc_text(d, x - pdfdoc_width(d, bold, size, s) / 2, y, bold, size, s);
}

size_t pdfdoc_fit(PdfDoc *d, int bold, double size, const char *s, double width)
{
	size_t len = strlen(s), i = 0, fit = 0, space = 0;
	long units = 0;

	(void)d;
	while (i < len) {
		size_t next = i;
		uint32_t cp = next_char(s, len, &next);

		units += font_width(font_pick(main_face(bold), cp), cp);
		if ((double)units * size / 1000.0 > width)
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
	Op *op;

	if (w <= 0 || h <= 0 || !(op = add_op(d, OP_FILL)))
		return;
	op->v[0] = x, op->v[1] = y, op->v[2] = w, op->v[3] = h;
	op->v[4] = r, op->v[5] = g, op->v[6] = b;
}

void pdfdoc_line(PdfDoc *d, double x0, double y0, double x1, double y1, double width, double gray)
{
	Op *op = add_op(d, OP_LINE);

	if (!op)
		return;
	op->v[0] = x0, op->v[1] = y0, op->v[2] = x1, op->v[3] = y1;
	op->v[4] = width, op->v[5] = gray;
}

/* ---- the save: fonts, then the pages ---- */

/* The codes of a document's subsets (see Codes), from libharu's
 * WinAnsiEncoding. */
static void codes_init(PdfDoc *d, Codes *c)
{
	HPDF_Encoder enc = HPDF_GetEncoder(d->pdf, "WinAnsiEncoding");
	unsigned char seen[65536 / 8] = {0};
	int code;

	memset(c, 0, sizeof *c);
	for (code = 0x20; code <= 0xFF && enc; code++) {
		HPDF_UNICODE u = HPDF_Encoder_GetUnicode(enc, (HPDF_UINT16)code);

		if (code == 0x7F || u < 0x20 || u == 0xA0 || u == 0xAD || u >= 0xFFFE ||
		    (seen[u >> 3] & (1u << (u & 7))))
			continue;
		seen[u >> 3] |= (unsigned char)(1u << (u & 7));
		c->uni[code] = u;
		if (code > 0x20)
			c->all[c->nall++] = (uint8_t)code;
		if (code >= 0x7F)
			c->other[c->nother++] = (uint8_t)code;
	}
}

/* Whether ASCII character cp stands at its own code in the first subset. */
static int own_code(const Codes *c, uint32_t cp)
{
	return cp >= 0x20 && cp < 0x7F && c->uni[cp] == cp;
}

static int by_cp(const void *a, const void *b)
{
	const Placed *x = a, *y = b;

	return (x->cp > y->cp) - (x->cp < y->cp);
}

/* Place each character of face f: ASCII at its own code in subset 0, the
 * others at the next free code, in first-use order.  Sets u->placed (by
 * code point) and u->nsub. */
static ClCode place(Used *u, const Codes *c, Err *e)
{
	size_t k;
	int sub = 0, next = 0;

	if (c->nother == 0 || c->nall == 0)
		return err_set(e, CL_EIO, "libharu has no WinAnsiEncoding");
	u->placed = malloc(u->n * sizeof *u->placed);
	if (!u->placed)
		return err_set(e, CL_ENOMEM, "out of memory");
	for (k = 0; k < u->n; k++) {
		Placed *p = &u->placed[k];

		p->cp = u->cp[k];
		if (own_code(c, p->cp)) {
			p->sub = 0;
			p->code = (uint8_t)p->cp;
			continue;
		}
		if (next == (sub == 0 ? c->nother : c->nall)) {
			sub++;
			next = 0;
		}
		p->sub = (uint16_t)sub;
		p->code = sub == 0 ? c->other[next++] : c->all[next++];
	}
	u->nsub = sub + 1;
	qsort(u->placed, u->n, sizeof *u->placed, by_cp);
	return CL_OK;
}

/* Where face f draws cp (placed). */
static const Placed *placed(const PdfDoc *d, FontFace f, uint32_t cp)
{
	const Used *u = &d->used[f];
	Placed key = {.cp = cp};

	return bsearch(&key, u->placed, u->n, sizeof key, by_cp);
}

/* A ToUnicode map for the n characters at codes of a subset. */
static void add_tounicode(PdfDoc *d, HPDF_Font font, const uint32_t *cps, const uint8_t *codes,
			  size_t n)
{
	HPDF_Dict map = HPDF_DictStream_New(d->pdf->mmgr, d->pdf->xref);
	HPDF_Stream st;
	size_t k;

	if (!map || HPDF_Dict_Add(font, "ToUnicode", map) != HPDF_OK) {
		d->error = d->error ? d->error : HPDF_INVALID_OBJECT;
		return;
	}
	map->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	st = map->stream;
	HPDF_Stream_WriteStr(st, "/CIDInit /ProcSet findresource begin\n"
				 "12 dict begin\n"
				 "begincmap\n"
				 "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
				 "/Supplement 0 >> def\n"
				 "/CMapName /Adobe-Identity-UCS def\n"
				 "/CMapType 2 def\n"
				 "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n");
	for (k = 0; k < n; k++) {
		char buf[48];
		uint32_t cp = cps[k];

		if (k % 100 == 0) {
			snprintf(buf, sizeof buf, "%zu beginbfchar\n", n - k < 100 ? n - k : 100);
			HPDF_Stream_WriteStr(st, buf);
		}
		if (cp > 0xFFFF)
			snprintf(buf, sizeof buf, "<%02X> <%04X%04X>\n", (unsigned)codes[k],
				 (unsigned)(0xD800 + ((cp - 0x10000) >> 10)),
				 (unsigned)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
		else
			snprintf(buf, sizeof buf, "<%02X> <%04X>\n", (unsigned)codes[k],
				 (unsigned)cp);
		HPDF_Stream_WriteStr(st, buf);
		if (k % 100 == 99 || k + 1 == n)
			HPDF_Stream_WriteStr(st, "endbfchar\n");
	}
	HPDF_Stream_WriteStr(st, "endcmap\n"
				 "CMapName currentdict /CMap defineresource pop\n"
				 "end\n"
				 "end\n");
}

/* Load a font file (len bytes) into the document; returns its font, or
 * NULL with the reason in e. */
static HPDF_Font load_font(PdfDoc *d, FontFace f, const unsigned char *data, size_t len, Err *e)
{
	size_t done = 0;
	char path[64];
	const char *name;
	HPDF_Font font;
	int fd = memfd_create("coopledger-font", MFD_CLOEXEC);

	if (fd < 0) {
		err_set(e, CL_EIO, "cannot create a memory file for a font");
		return NULL;
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w <= 0) {
			close(fd);
			err_set(e, CL_EIO, "cannot write a font into a memory file");
			return NULL;
		}
		done += (size_t)w;
	}
	/* libharu opens the path itself and keeps its own descriptor */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	name = HPDF_LoadTTFontFromFile(d->pdf, path, HPDF_TRUE);
	font = name ? HPDF_GetFont(d->pdf, name, "WinAnsiEncoding") : NULL;
	close(fd);
	if (!font)
		err_set(e, CL_EIO,
			"cannot embed a subset of the font %s: libharu error 0x%04X (detail %u)",
			font_path(f), (unsigned)d->error, (unsigned)d->detail);
	return font;
}

/* Subset face f to the characters the document draws with it, as many
 * subsets as their codes need, and load the subsets into the document. */
static ClCode embed_face(PdfDoc *d, FontFace f, const Codes *c, Err *e)
{
	Used *u = &d->used[f];
	uint32_t *cps = malloc(u->n * sizeof *cps);
	uint16_t *keys = malloc(u->n * sizeof *keys);
	uint8_t *codes = malloc(u->n);
	ClCode rc;
	int sub;

	if (!cps || !keys || !codes) {
		rc = err_set(e, CL_ENOMEM, "out of memory");
		goto out;
	}
	rc = place(u, c, e);
	if (rc)
		goto out;
	u->font = calloc((size_t)u->nsub, sizeof(HPDF_Font));
	if (!u->font) {
		rc = err_set(e, CL_ENOMEM, "out of memory");
		goto out;
	}
	for (sub = 0; !rc && sub < u->nsub; sub++) {
		unsigned char *data = NULL;
		size_t len = 0, n = 0, k;
		char name[64];

		for (k = 0; k < u->n; k++)
			if (u->placed[k].sub == sub) {
				cps[n] = u->placed[k].cp;
				codes[n] = u->placed[k].code;
				keys[n++] = c->uni[u->placed[k].code];
			}
		if (sub == 0)
			snprintf(name, sizeof name, "%s", font_psname(f));
		else
			snprintf(name, sizeof name, "%s_%d", font_psname(f), sub + 1);
		rc = font_subset(f, cps, keys, n, name, &data, &len, e);
		if (!rc && !(u->font[sub] = load_font(d, f, data, len, e)))
			rc = e ? e->code : CL_EIO;
		if (!rc)
			add_tounicode(d, u->font[sub], cps, codes, n);
		free(data);
	}
out:
	free(cps);
	free(keys);
	free(codes);
	return rc;
}

/* What the current page's graphics state holds, so that a replay sets a
 * font or the fill colour only when it changes. */
typedef struct Pen {
	int page;
	HPDF_Font font;
	double size;
	int black; /* the fill colour is black (a page starts so) */
} Pen;

/* Draw a recorded text: runs of characters of one subset each, one after
 * the other.  buf holds the string's length plus one byte (a code takes
 * one byte, a character one at least). */
static void draw_text(PdfDoc *d, HPDF_Page p, const Op *op, char *buf, Pen *pen)
{
	const char *s = d->text + op->text;
	size_t n = strlen(s), i = 0;
	double x = op->v[0];
	FontFace main = main_face(op->bold);

	if (!pen->black) {
		HPDF_Page_SetRGBFill(p, 0, 0, 0);
		pen->black = 1;
	}
	while (i < n) {
		size_t blen = 0;
		uint32_t cp = next_char(s, n, &i);
		FontFace f = font_pick(main, cp);
		const Placed *pl = placed(d, f, cp);
		long units = font_width(f, cp);
		int sub;

		if (!pl) { /* every drawn character was noted: a broken invariant */
			d->error = d->error ? d->error : HPDF_INVALID_PARAMETER;
			return;
		}
		sub = pl->sub;
		buf[blen++] = (char)pl->code;
		while (i < n) {
			size_t j = i;
			uint32_t c2 = next_char(s, n, &j);
			FontFace f2 = font_pick(main, c2);
			const Placed *p2 = f2 == f ? placed(d, f2, c2) : NULL;

			if (!p2 || p2->sub != sub)
				break;
			units += font_width(f, c2);
			buf[blen++] = (char)p2->code;
			i = j;
		}
		buf[blen] = '\0';
		HPDF_Page_BeginText(p);
		if (pen->font != d->used[f].font[sub] || pen->size != op->v[2]) {
			pen->font = d->used[f].font[sub];
			pen->size = op->v[2];
			HPDF_Page_SetFontAndSize(p, pen->font, (HPDF_REAL)pen->size);
		}
		HPDF_Page_TextOut(p, (HPDF_REAL)x, (HPDF_REAL)op->v[1], buf);
		HPDF_Page_EndText(p);
		x += (double)units * op->v[2] / 1000.0;
	}
}

/* Replay the recorded operations onto the pages. */
static void replay(PdfDoc *d, char *buf)
{
	Pen pen = {.page = -1};
	size_t k;

	for (k = 0; k < d->nop && !d->error; k++) {
		const Op *op = &d->op[k];
		HPDF_Page p = d->page[op->page];

		if (op->page != pen.page) { /* operations return to earlier pages (footers) */
			HPDF_RGBColor fill = HPDF_Page_GetRGBFill(p);

			pen.page = op->page;
			pen.font = HPDF_Page_GetCurrentFont(p);
			pen.size = HPDF_Page_GetCurrentFontSize(p);
			pen.black = fill.r == 0 && fill.g == 0 && fill.b == 0;
		}
		switch (op->kind) {
		case OP_TEXT:
			draw_text(d, p, op, buf, &pen);
			break;
		case OP_FILL:
			HPDF_Page_SetRGBFill(p, (HPDF_REAL)op->v[4], (HPDF_REAL)op->v[5],
					     (HPDF_REAL)op->v[6]);
			HPDF_Page_Rectangle(p, (HPDF_REAL)op->v[0], (HPDF_REAL)op->v[1],
					    (HPDF_REAL)op->v[2], (HPDF_REAL)op->v[3]);
			HPDF_Page_Fill(p);
			pen.black = op->v[4] == 0 && op->v[5] == 0 && op->v[6] == 0;
			break;
		case OP_LINE:
			HPDF_Page_SetLineWidth(p, (HPDF_REAL)op->v[4]);
			HPDF_Page_SetGrayStroke(p, (HPDF_REAL)op->v[5]);
			HPDF_Page_MoveTo(p, (HPDF_REAL)op->v[0], (HPDF_REAL)op->v[1]);
			HPDF_Page_LineTo(p, (HPDF_REAL)op->v[2], (HPDF_REAL)op->v[3]);
			HPDF_Page_Stroke(p);
			break;
		}
	}
}

/* The longest recorded string, in bytes. */
static size_t longest_text(const PdfDoc *d)
{
	size_t k, max = 0;

	for (k = 0; k < d->nop; k++)
		if (d->op[k].kind == OP_TEXT) {
			size_t n = strlen(d->text + d->op[k].text);

			max = n > max ? n : max;
		}
	return max;
}

ClCode pdfdoc_save(PdfDoc *d, unsigned char **out, size_t *len, Err *e)
{
	HPDF_UINT32 size;
	unsigned char *p;
	char *buf = NULL;
	Codes codes;
	int f;

	*out = NULL;
	*len = 0;
	if (d->too_many)
		return err_set(e, CL_EINPUT,
			       "the document draws more than %d different characters in one font",
			       FONT_SUBSET_MAX);
	codes_init(d, &codes);
	for (f = 0; f < FONT_COUNT && !d->error; f++)
		if (d->used[f].n > 0 && embed_face(d, (FontFace)f, &codes, e))
			return e ? e->code : CL_EIO;
	if (!d->error) {
		buf = malloc(longest_text(d) + 1);
		if (!buf)
			return err_set(e, CL_ENOMEM, "out of memory");
		replay(d, buf);
		free(buf);
	}
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
