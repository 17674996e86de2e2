/*
 * pdfdoc.h — a small drawing layer over libharu for the statements.
 *
 * PdfDoc is an opaque handle; reports/pdf.c is the only file that sees
 * libharu.  A document is a per-call object (no global state), so several
 * threads may each build their own.  Coordinates are PDF points from the
 * bottom-left corner of a US Letter page (612 x 792).  Text is UTF-8, set
 * in DejaVu Sans (regular or bold), with fallback faces for characters
 * DejaVu lacks (CJK, symbols and emoji; see font.h); each face is embedded
 * as a subset holding the characters the document draws.  Drawing calls
 * are recorded and never fail on their own: pdfdoc_save() makes the fonts,
 * draws the pages and reports the first error.
 */
#ifndef COOPLEDGER_PDFDOC_H
#define COOPLEDGER_PDFDOC_H

#include <stddef.h>

#include "err.h"

#define PDF_PAGE_W 612.0
#define PDF_PAGE_H 792.0

typedef struct PdfDoc PdfDoc;

/* A new empty document titled title.  creation_date "YYYY-MM-DD" (may be
 * NULL: now, UTC) is written as the creation and modification dates, so a
 * fixed date gives byte-for-byte reproducible output.  Caller frees *out
 * with pdfdoc_free().  OUT: *out. */
ClCode pdfdoc_new(const char *title, const char *creation_date, PdfDoc **out, Err *e);
void pdfdoc_free(PdfDoc *d);

/* Start a new page and make it current; returns its index (0-based). */
int pdfdoc_add_page(PdfDoc *d);
int pdfdoc_page_count(const PdfDoc *d);
/* Make page i (0-based, already added) current again, e.g. for footers. */
void pdfdoc_use_page(PdfDoc *d, int i);

/* Text with its baseline at y: left-aligned at x, right-aligned ending at
 * x, or centred on x. */
void pdfdoc_text(PdfDoc *d, double x, double y, int bold, double size, const char *s);
void pdfdoc_text_right(PdfDoc *d, double x, double y, int bold, double size, const char *s);
void pdfdoc_text_center(PdfDoc *d, double x, double y, int bold, double size, const char *s);

/* Width of s in points; of its first n bytes for pdfdoc_width_n(). */
double pdfdoc_width(PdfDoc *d, int bold, double size, const char *s);
double pdfdoc_width_n(PdfDoc *d, int bold, double size, const char *s, size_t n);

/* Number of bytes of s that fit in width, breaking at a space when one
 * fits (whole UTF-8 characters; at least one character). */
size_t pdfdoc_fit(PdfDoc *d, int bold, double size, const char *s, double width);

/* Filled rectangle (gray 0..1, or RGB 0..1) and a stroked line. */
void pdfdoc_fill_rgb(PdfDoc *d, double x, double y, double w, double h, double r, double g,
		     double b);
void pdfdoc_line(PdfDoc *d, double x0, double y0, double x1, double y1, double width, double gray);

/* Write the document into memory.  OUT: *out (caller frees with free()),
 * *len.  Fails with the first drawing error, if any. */
ClCode pdfdoc_save(PdfDoc *d, unsigned char **out, size_t *len, Err *e);

#endif
