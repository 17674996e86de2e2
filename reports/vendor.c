/*
 * vendor.c — the vendor's fee statement (pdf_vendor_statement): one
 * contract and quarter; the fee worked out band by band, late fee,
 * remittances, balance, due date, where to remit and net sales by member.
 * Gathering first (vendor_gather), then drawing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "fees.h"
#include "layout.h"
#include "pdf.h"
#include "stmt.h"

#define MAX_ROWS      4096 /* cap of member and remittance rows */
#define MAX_BAND_ROWS (4 * TERMS_MAX_BANDS)

typedef StmtMemberSales MemberSales;
typedef StmtRemit Remit;

/* One line of the fee calculation. */
typedef struct BandRow {
	int year;
	char what[128];
	Rate rate;
	Money base, fee;
} BandRow;

typedef struct VendorData {
	ContractInfo ci;
	FeeQuarter fq;
	char quarter[QUARTER_BUF], period[128], as_of[DATE_BUF];
	MemberSales *ms;
	int nms;
	Remit *rm;
	int nrm;
	BandRow band[MAX_BAND_ROWS];
	int nband;
} VendorData;

static void vendor_free(VendorData *v)
{
	free(v->ms);
	free(v->rm);
}

static void band_add(VendorData *v, int year, const char *what, Rate rate, Money base, Money fee)
{
	BandRow *r;

	if (v->nband >= MAX_BAND_ROWS)
		return;
	r = &v->band[v->nband++];
	r->year = year;
	snprintf(r->what, sizeof r->what, "%s", what);
	r->rate = rate;
	r->base = base;
	r->fee = fee;
}

static Money clamp(Money x, Money lo, Money hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Graduated: the quarter's sales (before..through of the fee year) that
 * fall in each band of s, at that band's rate. */
static void bands_graduated(VendorData *v, const Schedule *s, int year, Money before, Money through)
{
	char what[128], a[MONEY_BUF], b[MONEY_BUF];
	int i;

	for (i = 0; i < s->nband; i++) {
		Money lo = i == 0 && s->band[0].from == 0 ? -MONEY_LIMIT : s->band[i].from;
		Money hi = i + 1 < s->nband ? s->band[i + 1].from : MONEY_LIMIT;
		Money part = clamp(through, lo, hi) - clamp(before, lo, hi);

		if (part == 0)
			continue;
		if (i + 1 < s->nband)
			snprintf(what, sizeof what, "sales in band %s to %s",
				 lay_money(s->band[i].from, a), lay_money(hi, b));
		else
			snprintf(what, sizeof what, "sales in band from %s",
				 lay_money(s->band[i].from, a));
		band_add(v, year, what, s->band[i].rate, part,
			 money_apply_rate(part, s->band[i].rate));
	}
}

/* Volume: the fee on the year's sales through the quarter less the fee
 * on the year's sales before it (a tier crossed trues up earlier sales). */
static void bands_volume(VendorData *v, const Schedule *s, int year, Money before, Money through)
{

	band_add(v, year, "year-to-date sales through the quarter", schedule_rate_at(s, through),
		 through, schedule_amount(s, through));
	if (before != 0)
		band_add(v, year, "less: year-to-date sales before the quarter",
			 schedule_rate_at(s, before), -before, -schedule_amount(s, before));
}

/* Say on row that it covers the days p to r only (the terms changed). */
static void piece_dates(BandRow *row, Date p, Date r)
{
	char a[DATE_BUF], b[DATE_BUF];
	size_t len = strlen(row->what);

	snprintf(row->what + len, sizeof row->what - len, ", %s to %s", date_format(p, a),
		 date_format(r, b));
}

/* The rows of days [a, b] of fee year y (from yr.first), cut where an
 * amendment takes effect: each piece under the schedule in force on its
 * first day, against the year's sales before it (DOMAIN.md 4.6). */
static ClCode year_bands(sqlite3 *db, VendorData *v, const TermsHistory *h, int y, YearRange yr,
			 Date a, Date b, Err *e)
{
	Money before, during;
	Date p = a, r;
	ClCode rc;
	int k, from;

	if ((rc = stmtdata_net_between(db, v->ci.id, yr.first, a - 1, &before, e)))
		return rc;
	for (; p <= b; p = r + 1) {
		const Schedule *s = &terms_in_force(h, p)->fee;

		r = b;
		for (k = 0; k < h->n; k++)
			if (h->amend[k].effective > p && h->amend[k].effective - 1 < r)
				r = h->amend[k].effective - 1;
		if ((rc = stmtdata_net_between(db, v->ci.id, p, r, &during, e)))
			return rc;
		from = v->nband;
		if (s->mode == SCHED_GRADUATED)
			bands_graduated(v, s, y, before, before + during);
		else
			bands_volume(v, s, y, before, before + during);
		for (; (p != a || r != b) && from < v->nband; from++) /* a part of the quarter */
			piece_dates(&v->band[from], p, r);
		before += during;
	}
	return CL_OK;
}

/* The fee of the quarter, worked out per fee year, piece and band
 * (DOMAIN.md 4.1, 4.6); a last row takes up the rounding so that the rows
 * add up to the fee of fees_quarters(). */
static ClCode vendor_bands(sqlite3 *db, VendorData *v, Err *e)
{
	const Terms *t = &v->ci.t;
	int cy = t->fee.year == YEAR_CONTRACT;
	Date first = quarter_first_day(v->fq.q), last = quarter_last_day(v->fq.q);
	int y, ylast = sched_year_of(cy, t->start, last);
	TermsHistory h;
	Money sum = 0;
	ClCode rc;

	if ((rc = terms_history_load(db, t->number, &h, e)))
		return rc;
	for (y = sched_year_of(cy, t->start, first); !rc && y <= ylast; y++) {
		YearRange yr;

		if (y < 1 && cy)
			continue;
		yr = sched_year_range(cy, t->start, y);
		rc = year_bands(db, v, &h, y, yr, first > yr.first ? first : yr.first,
				last < yr.last ? last : yr.last, e);
	}
	terms_history_free(&h);
	if (rc)
		return rc;
	for (y = 0; y < v->nband; y++)
		sum += v->band[y].fee;
	if (sum != v->fq.fee)
		band_add(v, 0, "rounding (the fee is rounded once per year total)", 0, 0,
			 v->fq.fee - sum);
	return CL_OK;
}

/* Net sales of the quarter by member agency.  OUT: v->ms, v->nms. */
static ClCode vendor_members(sqlite3 *db, VendorData *v, Err *e)
{
	v->ms = calloc(MAX_ROWS, sizeof *v->ms);
	if (!v->ms)
		return err_set(e, CL_ENOMEM, "out of memory");
	return stmtdata_member_sales(db, v->ci.id, quarter_first_day(v->fq.q),
				     quarter_last_day(v->fq.q), v->ms, MAX_ROWS, &v->nms, e);
}

/* Remittances for the quarter received on or before today. */
static ClCode vendor_remits(sqlite3 *db, VendorData *v, Err *e)
{
	v->rm = calloc(MAX_ROWS, sizeof *v->rm);
	if (!v->rm)
		return err_set(e, CL_ENOMEM, "out of memory");
	return stmtdata_remits(db, v->ci.id, v->quarter, v->as_of, v->rm, MAX_ROWS, &v->nrm, e);
}

/* Gather everything the fee statement shows.  OUT: *v (free with
 * vendor_free(), also on failure). */
static ClCode vendor_gather(sqlite3 *db, const char *contract, Quarter q, Date today, VendorData *v,
			    Err *e)
{
	StatementPeriod p = {0, q, 0};
	FeeSelect sel = {0, 1, q};
	FeeQuarter *fq = NULL;
	Date first, last;
	int n = 0;
	ClCode rc;

	memset(v, 0, sizeof *v);
	if ((rc = stmt_contract(db, contract, &v->ci, e)))
		return rc;
	if ((rc = stmt_range(&v->ci.t, &p, &first, &last, v->period, sizeof v->period, e)))
		return rc;
	if ((rc = fees_quarters(db, contract, &sel, today, &fq, &n, e)))
		return rc;
	if (n != 1) {
		free(fq);
		return err_set(e, CL_EINPUT, "quarter %s is outside contract %s or after today",
			       quarter_format(q, v->quarter), contract);
	}
	v->fq = fq[0];
	free(fq);
	quarter_format(q, v->quarter);
	date_format(today, v->as_of);
	if ((rc = vendor_bands(db, v, e)) || (rc = vendor_members(db, v, e)))
		return rc;
	return vendor_remits(db, v, e);
}

/* The amounts box: what is owed and by when. */
static void draw_summary(Layout *L, const VendorData *v)
{
	const FeeQuarter *f = &v->fq;
	char a[MONEY_BUF], due[DATE_BUF], st[96];
	double x = LAY_LEFT + 330;

	lay_heading(L, "Amount due");
	lay_amount(L, "Net sales reported for the quarter", lay_money(f->net_sales, a), x, 0);
	lay_amount(L, "Administrative fee", lay_money(f->fee, a), x, 0);
	lay_amount(L, "Late fee", lay_money(f->late_fee, a), x, 0);
	lay_amount(L, "Remittances received", lay_money(-f->remitted, a), x, 0);
	lay_amount(L, f->balance < 0 ? "Balance (a credit to the vendor)" : "Balance due",
		   lay_money(f->balance, a), x, 1);
	lay_amount(L, "Due date", date_format(f->due, due), x, 0);
	snprintf(st, sizeof st, "%s; sales report %s", fee_status_display(f),
		 fee_report_display(f));
	if (f->days_past_due > 0)
		snprintf(st + strlen(st), sizeof st - strlen(st), "; %d days past due",
			 f->days_past_due);
	lay_amount(L, "Status", st, x, 0);
}

/* The cells of band row i (i == v->nband: the quarter's total) into
 * row, formatted into y (16), r, a, b (MONEY_BUF each). */
static void band_cells(const VendorData *v, int i, const char **row, char *y, char *r, char *a,
		       char *b)
{
	if (i == v->nband) {
		row[0] = "Fee";
		row[1] = "for the quarter";
		row[2] = "";
		row[3] = lay_money(v->fq.net_sales, a);
		row[4] = lay_money(v->fq.fee, b);
		return;
	}
	y[0] = '\0';
	if (v->band[i].year)
		snprintf(y, 16, "%s%d", v->ci.t.fee.year == YEAR_CONTRACT ? "year " : "",
			 v->band[i].year);
	row[0] = y;
	row[1] = v->band[i].what;
	row[2] = v->band[i].year ? rate_format(v->band[i].rate, r) : "";
	row[3] = v->band[i].year ? lay_money(v->band[i].base, a) : "";
	row[4] = lay_money(v->band[i].fee, b);
}

static void draw_bands(Layout *L, const VendorData *v)
{
	static const LayCol base[] = {{"Fee year", 60, 0},
				      {"Basis", 236, 0},
				      {"Rate", 60, 1},
				      {"Sales", 90, 1},
				      {"Fee", 70, 1}};
	char y[16], r[MONEY_BUF], a[MONEY_BUF], b[MONEY_BUF];
	const char *row[5];
	LayCol cols[5];
	LayFit fit;
	int i;

	lay_fit_begin(&fit, L, base, 5);
	for (i = 0; i <= v->nband; i++) {
		band_cells(v, i, row, y, r, a, b);
		lay_fit_row(&fit, row, i == v->nband);
	}
	memcpy(cols, base, sizeof cols);
	lay_fit_apply(&fit, cols);
	lay_heading(L, "How the fee is worked out");
	lay_table_begin(L, cols, 5);
	for (i = 0; i <= v->nband; i++) {
		band_cells(v, i, row, y, r, a, b);
		lay_table_row(L, row, i == v->nband);
	}
	lay_table_end(L);
}

static void draw_remits(Layout *L, const VendorData *v)
{
	static const LayCol base[] = {
		{"Received", 90, 0}, {"Reference", 300, 0}, {"Amount", 126, 1}};
	char a[MONEY_BUF];
	LayCol cols[3];
	LayFit fit;
	int i;

	lay_heading(L, "Remittances received");
	if (v->nrm == 0) {
		lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9,
			 "None received as of the statement date.");
		return;
	}
	lay_fit_begin(&fit, L, base, 3);
	for (i = 0; i < v->nrm; i++) {
		const char *row[3] = {v->rm[i].received, v->rm[i].ref,
				      lay_money(v->rm[i].amount, a)};

		lay_fit_row(&fit, row, 0);
	}
	memcpy(cols, base, sizeof cols);
	lay_fit_apply(&fit, cols);
	lay_table_begin(L, cols, 3);
	for (i = 0; i < v->nrm; i++) {
		const char *row[3] = {v->rm[i].received, v->rm[i].ref,
				      lay_money(v->rm[i].amount, a)};

		lay_table_row(L, row, 0);
	}
	lay_table_end(L);
}

static void draw_remit_to(Layout *L, const VendorData *v)
{
	char text[1536], a[MONEY_BUF], lf[MONEY_BUF], due[DATE_BUF], to[1100];
	const FeeQuarter *f = &v->fq;

	lay_heading(L, "Where to remit");
	snprintf(to, sizeof to, "to %s, %s. Quote contract %s and quarter %s with your payment.",
		 v->ci.lead.name, v->ci.lead.address[0] ? v->ci.lead.address : "(address on file)",
		 v->ci.t.number, v->quarter);
	date_format(f->due, due);
	if (f->status == FQ_OVERDUE)
		snprintf(text, sizeof text,
			 "Overdue: the fee was due on %s, %d days before %s, and a late fee of %s "
			 "has been added. Pay %s now %s",
			 due, f->days_past_due, v->as_of, lay_money(f->late_fee, lf),
			 lay_money(f->balance, a), to);
	else if (f->status == FQ_OPEN)
		snprintf(text, sizeof text,
			 "The quarter has not ended: its fee so far is %s, due by %s. Pay %s",
			 lay_money(f->balance > 0 ? f->balance : 0, a), due, to);
	else if (f->balance > 0)
		snprintf(text, sizeof text, "Pay %s by %s %s", lay_money(f->balance, a), due, to);
	else if (f->balance < 0)
		snprintf(text, sizeof text,
			 "Nothing is due: the quarter is overpaid by %s, a credit owed back to "
			 "you; it "
			 "is not netted against another quarter's fee. Payments for other quarters "
			 "go %s",
			 lay_money(-f->balance, a), to);
	else
		snprintf(text, sizeof text,
			 "Nothing is due: the quarter is paid. Payments for other quarters go %s",
			 to);
	lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9.5, text);
}

/* The cells of member row i (i == v->nms: the total) into row, with n
 * (16), a, b (MONEY_BUF) and c (24) as buffers. */
static void member_cells(const VendorData *v, int i, const char **row, char *n, char *a, char *b,
			 char *c)
{
	Money list = 0, net = 0;
	int k, lines = 0;

	if (i < v->nms) {
		const MemberSales *m = &v->ms[i];

		snprintf(n, 16, "%d", m->lines);
		row[0] = m->code;
		row[1] = m->name;
		row[2] = n;
		row[3] = lay_money(m->list, a);
		row[4] = lay_money(m->net, b);
		return;
	}
	for (k = 0; k < v->nms; k++) {
		list += v->ms[k].list;
		net += v->ms[k].net;
		lines += v->ms[k].lines;
	}
	snprintf(c, 24, "%d members", v->nms);
	snprintf(n, 16, "%d", lines);
	row[0] = "Total";
	row[1] = c;
	row[2] = n;
	row[3] = lay_money(list, a);
	row[4] = lay_money(net, b);
}

static void draw_members(Layout *L, const VendorData *v)
{
	static const LayCol base[] = {{"Agency", 76, 0},
				      {"Name", 220, 0},
				      {"Lines", 50, 1},
				      {"List", 85, 1},
				      {"Net sales", 85, 1}};
	char n[16], a[MONEY_BUF], b[MONEY_BUF], c[24];
	const char *row[5];
	LayCol cols[5];
	LayFit fit;
	int i;

	lay_fit_begin(&fit, L, base, 5);
	for (i = 0; i <= v->nms; i++) {
		member_cells(v, i, row, n, a, b, c);
		lay_fit_row(&fit, row, i == v->nms);
	}
	memcpy(cols, base, sizeof cols);
	lay_fit_apply(&fit, cols);
	lay_heading(L, "Net sales by member");
	lay_table_begin(L, cols, 5);
	for (i = 0; i <= v->nms; i++) {
		member_cells(v, i, row, n, a, b, c);
		lay_table_row(L, row, i == v->nms);
	}
	lay_table_end(L);
}

static void vendor_draw(PdfDoc *d, const VendorData *v)
{
	char running[512], sub[768], foot[256];
	Layout L;

	snprintf(running, sizeof running, "Fee statement — %s — %s — %s (continued)",
		 v->ci.vendor.name, v->ci.t.number, v->quarter);
	lay_begin(&L, d, running);
	snprintf(sub, sizeof sub, "Contract %s — %s. Quarter: %s. As of %s.", v->ci.t.number,
		 v->ci.t.title, v->period, v->as_of);
	lay_letterhead(&L, v->ci.lead.name, v->ci.lead.address, "Administrative fee statement",
		       sub);
	lay_addresses(&L, "VENDOR", v->ci.vendor.name, v->ci.vendor.address, "REMIT TO",
		      v->ci.lead.name, v->ci.lead.address);
	draw_summary(&L, v);
	draw_bands(&L, v);
	draw_remits(&L, v);
	draw_remit_to(&L, v);
	draw_members(&L, v);
	snprintf(foot, sizeof foot, "%s — %s — %s", v->ci.t.number, v->ci.vendor.code, v->quarter);
	lay_footers(&L, foot);
}

ClCode pdf_vendor_statement(sqlite3 *db, const char *contract, Quarter q, Date today,
			    const char *creation_date, unsigned char **out, size_t *len, Err *e)
{
	VendorData *v = calloc(1, sizeof *v);
	PdfDoc *d = NULL;
	char title[160];
	ClCode rc;

	*out = NULL;
	*len = 0;
	if (!v)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = vendor_gather(db, contract, q, today, v, e);
	if (rc)
		goto out;
	snprintf(title, sizeof title, "Fee statement %s %s", contract, v->quarter);
	rc = pdfdoc_new(title, creation_date, &d, e);
	if (rc)
		goto out;
	vendor_draw(d, v);
	rc = pdfdoc_save(d, out, len, e);
out:
	pdfdoc_free(d);
	vendor_free(v);
	free(v);
	return rc;
}
