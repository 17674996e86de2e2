/* layout.c — page layout shared by the statements; see layout.h. */
#include "layout.h"

#include <stdio.h>
#include <string.h>

#define BODY	 8.0
#define LEAD	 11.0
#define CELL_PAD 8.0  /* a right-aligned cell: 4 pt to its right edge, 4 pt gap on its left */
#define MIN_WRAP 48.0 /* narrowest a wrapping column ever becomes */
#define MIN_SIZE 5.0  /* smallest type an amount is shrunk to */

void lay_begin(Layout *L, PdfDoc *d, const char *running)
{
	memset(L, 0, sizeof *L);
	L->d = d;
	L->running = running;
	pdfdoc_add_page(d);
	L->y = LAY_TOP;
}

/* Draw s right-aligned at x_right within width (less CELL_PAD), set
 * smaller when it does not fit at size. */
static void text_right_fit(PdfDoc *d, double x_right, double y, double width, int bold, double size,
			   const char *s)
{
	double w = pdfdoc_width(d, bold, size, s), room = width - CELL_PAD;

	if (w > room && w > 0) {
		size = size * room / w;
		if (size < MIN_SIZE)
			size = MIN_SIZE;
	}
	pdfdoc_text_right(d, x_right, y, bold, size, s);
}

/* The header row of the current table at L->y. */
static void table_header(Layout *L)
{
	double x = LAY_LEFT;
	int i;

	pdfdoc_fill_rgb(L->d, LAY_LEFT - 2, L->y - 4, LAY_RIGHT - LAY_LEFT + 4, LEAD + 2, 0.86,
			0.89, 0.94);
	for (i = 0; i < L->ncol; i++) {
		const LayCol *c = &L->cols[i];

		if (c->right)
			text_right_fit(L->d, x + c->width - 4, L->y, c->width, 1, BODY - 0.5,
				       c->title);
		else
			pdfdoc_text(L->d, x, L->y, 1, BODY - 0.5, c->title);
		x += c->width;
	}
	L->y -= LEAD + 4;
}

/* Lines s needs in width. */
static int wrap_count(PdfDoc *d, double width, int bold, double size, const char *s)
{
	int n = 0;

	while (s && *s) {
		size_t k = pdfdoc_fit(d, bold, size, s, width);

		s += k;
		while (*s == ' ')
			s++;
		n++;
	}
	return n ? n : 1;
}

/* Draw s wrapped from (x, y) downwards; returns lines drawn. */
static int wrap_draw(PdfDoc *d, double x, double y, double width, int bold, double size,
		     const char *s)
{
	char line[512];
	int n = 0;

	while (s && *s) {
		size_t k = pdfdoc_fit(d, bold, size, s, width);

		snprintf(line, sizeof line, "%.*s", (int)k, s);
		pdfdoc_text(d, x, y - n * (size + 3), bold, size, line);
		s += k;
		while (*s == ' ')
			s++;
		n++;
	}
	return n;
}

int lay_need(Layout *L, double h)
{
	if (L->y - h >= LAY_BOTTOM)
		return 0;
	pdfdoc_add_page(L->d);
	L->y = LAY_TOP;
	if (L->running) { /* wrapped: a long member name stays on the page */
		int n = wrap_draw(L->d, LAY_LEFT, L->y, LAY_RIGHT - LAY_LEFT, 0, 8, L->running);

		L->y -= (n - 1) * 11;
		pdfdoc_line(L->d, LAY_LEFT, L->y - 5, LAY_RIGHT, L->y - 5, 0.5, 0.6);
		L->y -= 22;
	}
	if (L->cols)
		table_header(L);
	return 1;
}

int lay_wrap(Layout *L, double x, double width, int bold, double size, const char *s)
{
	int n = wrap_count(L->d, width, bold, size, s);

	lay_need(L, n * (size + 3));
	wrap_draw(L->d, x, L->y, width, bold, size, s);
	L->y -= n * (size + 3);
	return n;
}

void lay_letterhead(Layout *L, const char *lead_name, const char *lead_address, const char *title,
		    const char *subtitle)
{
	double top = L->y, mid = LAY_LEFT + 270;
	int n1, n2;

	n1 = wrap_draw(L->d, LAY_LEFT, top, 260, 1, 14, lead_name);
	n2 = wrap_draw(L->d, LAY_LEFT, top - n1 * 17 - 2, 260, 0, 8.5, lead_address);
	pdfdoc_text_right(L->d, LAY_RIGHT, top, 1, 14, title);
	wrap_draw(L->d, mid, top - 17, LAY_RIGHT - mid, 0, 9, subtitle);
	(void)n2;
	L->y = top - n1 * 17 - n2 * 11.5 - 14;
	if (L->y > top - 52)
		L->y = top - 52;
	pdfdoc_line(L->d, LAY_LEFT, L->y + 6, LAY_RIGHT, L->y + 6, 1.2, 0.2);
	L->y -= 14;
}

/* One address block at x; returns its height. */
static double address_block(Layout *L, double x, double y, const char *label, const char *name,
			    const char *addr)
{
	int n;

	pdfdoc_text(L->d, x, y, 0, 7.5, label);
	n = wrap_draw(L->d, x, y - 13, 240, 1, 10.5, name);
	n = n * 14 + 13;
	n += wrap_draw(L->d, x, y - n, 240, 0, 9, addr) * 12;
	return n;
}

void lay_addresses(Layout *L, const char *label1, const char *name1, const char *addr1,
		   const char *label2, const char *name2, const char *addr2)
{
	double h1 = address_block(L, LAY_LEFT, L->y, label1, name1, addr1);
	double h2 = label2 ? address_block(L, LAY_LEFT + 280, L->y, label2, name2, addr2) : 0;

	L->y -= (h1 > h2 ? h1 : h2) + 10;
}

void lay_heading(Layout *L, const char *s)
{
	lay_need(L, 44);
	L->y -= 10;
	pdfdoc_text(L->d, LAY_LEFT, L->y, 1, 11, s);
	L->y -= 16;
}

/* Width of the widest space-separated word of s (its first 255 bytes). */
static double widest_word(PdfDoc *d, int bold, double size, const char *s)
{
	double best = 0;

	while (s && *s) {
		size_t n = strcspn(s, " ");

		if (n > 0) {
			double w = pdfdoc_width_n(d, bold, size, s, n < 256 ? n : 255);

			best = w > best ? w : best;
		}
		s += n;
		s += strspn(s, " ");
	}
	return best;
}

void lay_fit_begin(LayFit *f, Layout *L, const LayCol *cols, int ncol)
{
	int i;

	memset(f, 0, sizeof *f);
	f->L = L;
	f->cols = cols;
	f->ncol = ncol < LAY_MAX_COLS ? ncol : LAY_MAX_COLS;
	for (i = 0; i < f->ncol; i++) {
		f->need[i] = pdfdoc_width(L->d, 1, BODY - 0.5, cols[i].title) +
			     (cols[i].right ? CELL_PAD : 6);
		f->word[i] = widest_word(L->d, 1, BODY - 0.5, cols[i].title) + 6;
	}
}

void lay_fit_row(LayFit *f, const char *const *cells, int bold)
{
	int i;

	for (i = 0; i < f->ncol; i++) {
		double w = pdfdoc_width(f->L->d, bold, BODY, cells[i]) +
			   (f->cols[i].right ? CELL_PAD : 6);

		if (w > f->need[i])
			f->need[i] = w;
		if (!f->cols[i].right) {
			w = widest_word(f->L->d, bold, BODY, cells[i]) + 6;
			f->word[i] = w > f->word[i] ? w : f->word[i];
		}
	}
}

/* The narrowest left-aligned column j may become to give room to amounts:
 * three quarters of its designed width, never under MIN_WRAP nor its
 * widest word (a date or an invoice number is never split). */
static double floor_width(const LayFit *f, int j)
{
	double w = f->cols[j].width * 0.75;

	w = w > MIN_WRAP ? w : MIN_WRAP;
	return w > f->word[j] ? w : f->word[j];
}

/* Room column j of cols can give: beyond its widest cell (slack 1), or
 * down to floor_width() (slack 0). */
static double room_of(const LayFit *f, const LayCol *cols, int j, int slack)
{
	return cols[j].width - (slack ? f->need[j] : floor_width(f, j));
}

/* Move up to want points from the left-aligned columns of cols to column
 * to: first what they have beyond their widest cell (slack 1), then down
 * to floor_width(), widest first (slack 0).  Returns what is still
 * wanted. */
static double take_width(const LayFit *f, LayCol *cols, int to, double want, int slack)
{
	while (want > 0.01) {
		double best = 0, room;
		int j, donor = -1;

		for (j = 0; j < f->ncol; j++) {
			double key;

			if (cols[j].right || room_of(f, cols, j, slack) <= 0.01)
				continue;
			key = slack ? room_of(f, cols, j, slack) : cols[j].width;
			if (donor < 0 || key > best) {
				donor = j;
				best = key;
			}
		}
		if (donor < 0)
			break;
		room = room_of(f, cols, donor, slack);
		room = room < want ? room : want;
		cols[donor].width -= room;
		cols[to].width += room;
		want -= room;
	}
	return want;
}

/* What the left-aligned columns of cols can give (slack as room_of()). */
static double room_total(const LayFit *f, const LayCol *cols, int slack)
{
	double sum = 0;
	int j;

	for (j = 0; j < f->ncol; j++)
		if (!cols[j].right && room_of(f, cols, j, slack) > 0)
			sum += room_of(f, cols, j, slack);
	return sum;
}

void lay_fit_apply(const LayFit *f, LayCol *cols)
{
	double want[LAY_MAX_COLS], deficit = 0, share;
	int i, slack;

	for (i = 0; i < f->ncol; i++) {
		want[i] = cols[i].right && f->need[i] > cols[i].width ? f->need[i] - cols[i].width
								      : 0;
		deficit += want[i];
	}
	/* the slack first, then narrower wrapping; when even that is not
	 * enough every amount column gets the same share of what it lacks */
	for (slack = 1; slack >= 0 && deficit > 0.01; slack--) {
		share = room_total(f, cols, slack) / deficit;
		share = share < 1 ? share : 1;
		deficit = 0;
		for (i = 0; i < f->ncol; i++) {
			double ask = want[i] * share;

			if (ask > 0.01)
				want[i] -= ask - take_width(f, cols, i, ask, slack);
			deficit += want[i];
		}
	}
}

void lay_table_begin(Layout *L, const LayCol *cols, int ncol)
{
	L->cols = NULL;
	lay_need(L, 3 * LEAD + 8);
	L->cols = cols;
	L->ncol = ncol < LAY_MAX_COLS ? ncol : LAY_MAX_COLS;
	table_header(L);
}

void lay_table_row(Layout *L, const char *const *cells, int bold)
{
	double x = LAY_LEFT;
	int i, lines = 1;

	for (i = 0; i < L->ncol; i++)
		if (!L->cols[i].right) {
			int n = wrap_count(L->d, L->cols[i].width - 6, bold, BODY, cells[i]);

			lines = n > lines ? n : lines;
		}
	lay_need(L, lines * LEAD);
	if (bold)
		pdfdoc_line(L->d, LAY_LEFT, L->y + LEAD - 2, LAY_RIGHT, L->y + LEAD - 2, 0.6, 0.3);
	for (i = 0; i < L->ncol; i++) {
		const LayCol *c = &L->cols[i];

		if (c->right)
			text_right_fit(L->d, x + c->width - 4, L->y, c->width, bold, BODY,
				       cells[i]);
		else
			wrap_draw(L->d, x, L->y, c->width - 6, bold, BODY, cells[i]);
		x += c->width;
	}
	L->y -= lines * LEAD;
}

void lay_table_end(Layout *L)
{
	L->cols = NULL;
	L->ncol = 0;
	L->y -= 6;
}

void lay_amount(Layout *L, const char *label, const char *value, double x_right, int bold)
{
	const double size = BODY + 0.5, gap = 12, min_room = 140;
	double vw = pdfdoc_width(L->d, bold, size, value), room;
	int n;

	if (x_right - vw - gap - LAY_LEFT < min_room &&
	    pdfdoc_width(L->d, bold, size, label) > x_right - vw - gap - LAY_LEFT)
		x_right = LAY_RIGHT; /* a wide amount: use the whole line */
	room = x_right - vw - gap - LAY_LEFT;
	if (room < MIN_WRAP)
		room = MIN_WRAP;
	n = wrap_count(L->d, room, bold, size, label);
	lay_need(L, n * (size + 3));
	wrap_draw(L->d, LAY_LEFT, L->y, room, bold, size, label);
	pdfdoc_text_right(L->d, x_right, L->y, bold, size, value);
	L->y -= (n - 1) * (size + 3) + LEAD + 1;
}

void lay_bar(Layout *L, double x, double y, double w, double h, double frac)
{
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	pdfdoc_fill_rgb(L->d, x, y, w, h, 0.90, 0.90, 0.90);
	pdfdoc_fill_rgb(L->d, x, y, w * frac, h, 0.20, 0.45, 0.70);
}

void lay_footers(Layout *L, const char *left)
{
	int i, n = pdfdoc_page_count(L->d);
	char buf[48];

	for (i = 0; i < n; i++) {
		pdfdoc_use_page(L->d, i);
		pdfdoc_line(L->d, LAY_LEFT, 44, LAY_RIGHT, 44, 0.5, 0.6);
		pdfdoc_text(L->d, LAY_LEFT, 32, 0, 7.5, left);
		snprintf(buf, sizeof buf, "Page %d of %d", i + 1, n);
		pdfdoc_text_right(L->d, LAY_RIGHT, 32, 0, 7.5, buf);
	}
}

char *lay_money(Money m, char *buf)
{
	return money_format_human(m, buf);
}
