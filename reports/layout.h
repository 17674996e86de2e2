/*
 * layout.h — page layout shared by the statements: letterhead, address
 * blocks, tables that break across pages with their header repeated,
 * label/amount lines, bars, and "Page i of N" footers.  Draws through
 * pdfdoc.h only.
 */
#ifndef COOPLEDGER_LAYOUT_H
#define COOPLEDGER_LAYOUT_H

#include "money.h"
#include "pdfdoc.h"

#define LAY_LEFT     48.0
#define LAY_RIGHT    (PDF_PAGE_W - 48.0)
#define LAY_TOP	     (PDF_PAGE_H - 48.0)
#define LAY_BOTTOM   64.0
#define LAY_MAX_COLS 10

/* One table column: heading, width in points, right-aligned (money). */
typedef struct LayCol {
	const char *title;
	double width;
	int right;
} LayCol;

typedef struct Layout {
	PdfDoc *d;
	double y;	     /* baseline of the next line */
	const char *running; /* heading of continuation pages */
	const LayCol *cols;  /* the table being drawn (NULL: none) */
	int ncol;
} Layout;

/* Start the first page. */
void lay_begin(Layout *L, PdfDoc *d, const char *running);

/* Make room for h points: a new page (with the running heading, wrapped
 * to the page, and the current table's header) when the page is full.
 * Returns 1 on a break. */
int lay_need(Layout *L, double h);

/* Wrapped text from x over width; returns the number of lines drawn. */
int lay_wrap(Layout *L, double x, double width, int bold, double size, const char *s);

/* The letterhead: lead agency name and address on the left, the document
 * title and subtitle on the right, a rule below. */
void lay_letterhead(Layout *L, const char *lead_name, const char *lead_address, const char *title,
		    const char *subtitle);

/* Two address blocks side by side (label, name, address each). */
void lay_addresses(Layout *L, const char *label1, const char *name1, const char *addr1,
		   const char *label2, const char *name2, const char *addr2);

/* A section heading. */
void lay_heading(Layout *L, const char *s);

/* Sizing a table's columns to its cells: lay_fit_begin() with the
 * columns (their titles count), lay_fit_row() with every row as it will be
 * drawn, then lay_fit_apply() on a copy of the columns the caller owns
 * and keeps while the table is drawn. */
typedef struct LayFit {
	Layout *L;
	const LayCol *cols;
	int ncol;
	double need[LAY_MAX_COLS]; /* widest cell of each column, padding included */
	double word[LAY_MAX_COLS]; /* widest word of each column, padding included */
} LayFit;

void lay_fit_begin(LayFit *f, Layout *L, const LayCol *cols, int ncol);
void lay_fit_row(LayFit *f, const char *const *cells, int bold);

/* Widen each right-aligned column of cols to its widest cell, taking the
 * width first from left-aligned columns wider than their widest cell, then
 * from the widest left-aligned column (which wraps more), down to three
 * quarters of its width but never splitting a word.  What still does not fit is set smaller by
 * lay_table_row(). */
void lay_fit_apply(const LayFit *f, LayCol *cols);

/* Begin a table (draws its header) and add rows; cells are UTF-8 strings,
 * long ones wrap within their column; a right-aligned cell that still does
 * not fit its column is set smaller.  bold draws a totals row. */
void lay_table_begin(Layout *L, const LayCol *cols, int ncol);
void lay_table_row(Layout *L, const char *const *cells, int bold);
void lay_table_end(Layout *L);

/* "label ........ $1,234.56" with the amount right-aligned at x_right (or
 * at the right margin when x_right leaves the label no room); the label
 * wraps in the room left of the amount. */
void lay_amount(Layout *L, const char *label, const char *value, double x_right, int bold);

/* A horizontal bar: frame of width w, filled to frac (0..1). */
void lay_bar(Layout *L, double x, double y, double w, double h, double frac);

/* Footers on every page: left text and "Page i of N". */
void lay_footers(Layout *L, const char *left);

/* money_format_human into buf (MONEY_BUF bytes). */
char *lay_money(Money m, char *buf);

#endif
