/*
 * revenue.c — the lead agency's revenue report (pdf_revenue_report): fee
 * revenue by quarter and vendor, remitted and outstanding, aging, active
 * members and a bar chart, from summary_revenue().  Gathering first
 * (revenue_gather), then drawing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fees.h"
#include "layout.h"
#include "pdf.h"
#include "stmt.h"
#include "summary.h"

#define MAX_BARS 64

typedef struct Bar {
	char quarter[QUARTER_BUF];
	Money fee; /* fee + late fee of the quarter */
} Bar;

typedef struct RevenueData {
	Party lead;
	char scope[160], as_of[DATE_BUF];
	const char *contract; /* NULL: all */
	SummaryRevenue rev;
	const SummaryFigures *totals; /* the contract's, or all contracts' */
	Money aging[SUMMARY_AGING];
	int members;
	Bar bar[MAX_BARS];
	int nbar;
} RevenueData;

/* Whether quarter row x belongs to the report's contract. */
static int in_scope(const RevenueData *r, const SummaryRevenueQuarter *x)
{
	return !r->contract || strcmp(r->rev.contracts[x->contract].contract, r->contract) == 0;
}

/* Aging and bars from the quarter rows in scope. */
static void revenue_quarters(RevenueData *r)
{
	char q[QUARTER_BUF];
	int i, k;

	for (k = 0; k < r->rev.nquarter; k++) {
		const FeeQuarter *f = &r->rev.quarters[k].f;

		if (!in_scope(r, &r->rev.quarters[k]))
			continue;
		quarter_format(f->q, q);
		if (f->status == FQ_OVERDUE) {
			const char *b = fees_aging_bucket(f->days_past_due);

			for (i = 0; i < SUMMARY_AGING; i++)
				if (strcmp(b, summary_aging_name(i)) == 0)
					r->aging[i] += f->balance;
		}
		for (i = 0; i < r->nbar && strcmp(r->bar[i].quarter, q) != 0; i++)
			;
		if (i == r->nbar && r->nbar < MAX_BARS)
			snprintf(r->bar[r->nbar++].quarter, QUARTER_BUF, "%s", q);
		if (i < r->nbar)
			r->bar[i].fee += f->fee + f->late_fee;
	}
}

/* The lead agency: of the contract, or of the first contract. */
static ClCode revenue_lead(sqlite3 *db, const char *contract, Party *lead, Err *e)
{
	char code[33];
	ClCode rc = stmtdata_lead_code(db, contract, code, sizeof code, e);

	return rc ? rc : stmtdata_agency(db, code, lead, e);
}

/* Gather the report.  OUT: *r (free r->rev with summary_revenue_free(),
 * also on failure). */
static ClCode revenue_gather(sqlite3 *db, int year, const char *contract, Date today,
			     RevenueData *r, Err *e)
{
	char day[DATE_BUF];
	ClCode rc;
	int i;

	memset(r, 0, sizeof *r);
	r->contract = contract;
	if ((rc = revenue_lead(db, contract, &r->lead, e)))
		return rc;
	if ((rc = summary_revenue(db, year, today, &r->rev, e)))
		return rc;
	r->totals = &r->rev.totals;
	if (contract) {
		r->totals = NULL;
		for (i = 0; i < r->rev.ncontract; i++)
			if (strcmp(r->rev.contracts[i].contract, contract) == 0)
				r->totals = &r->rev.contracts[i].f;
		if (!r->totals)
			return err_set(e, CL_ENOTFOUND, "contract %s has no fee quarters by %s",
				       contract, date_format(r->rev.as_of, day));
	}
	revenue_quarters(r);
	if ((rc = stmtdata_active_members(db, year, contract, &r->members, e)))
		return rc;
	date_format(today, r->as_of);
	if (year)
		snprintf(r->scope, sizeof r->scope, "Calendar year %d, %s", year,
			 contract ? contract : "all contracts");
	else
		snprintf(r->scope, sizeof r->scope, "All quarters, %s",
			 contract ? contract : "all contracts");
	return CL_OK;
}

/* The cells of quarter row x (NULL: the total row, with balance the sum of
 * the rows' balances) into row, formatted into m (4 x MONEY_BUF) and q. */
static void quarter_cells(const RevenueData *r, const SummaryRevenueQuarter *x, Money balance,
			  const char **row, char m[4][MONEY_BUF], char *q)
{
	const SummaryRevenueContract *c = x ? &r->rev.contracts[x->contract] : NULL;

	row[0] = x ? quarter_format(x->f.q, q) : "Total";
	row[1] = c ? c->contract : "";
	row[2] = c ? c->vendor : "";
	row[3] = lay_money(x ? x->f.fee : r->totals->fee, m[0]);
	row[4] = lay_money(x ? x->f.late_fee : r->totals->late_fee, m[1]);
	row[5] = lay_money(x ? x->f.remitted : r->totals->remitted, m[2]);
	row[6] = lay_money(x ? x->f.balance : balance, m[3]);
	row[7] = x ? fee_report_display(&x->f) : "";
	row[8] = x ? fee_status_display(&x->f) : "";
}

static void draw_quarter_table(Layout *L, const RevenueData *r)
{
	static const LayCol base[] = {{"Quarter", 50, 0}, {"Contract", 66, 0}, {"Vendor", 60, 0},
				      {"Fee", 62, 1},	  {"Late fee", 56, 1}, {"Remitted", 62, 1},
				      {"Balance", 62, 1}, {"Report", 46, 0},   {"Status", 52, 0}};
	const SummaryRevenueQuarter *x;
	char m[4][MONEY_BUF], q[QUARTER_BUF];
	const char *row[9];
	Money balance = 0;
	LayCol cols[9];
	LayFit fit;
	int k;

	lay_fit_begin(&fit, L, base, 9);
	for (k = 0; k < r->rev.nquarter; k++) {
		x = &r->rev.quarters[k];
		if (!in_scope(r, x))
			continue;
		quarter_cells(r, x, 0, row, m, q);
		lay_fit_row(&fit, row, 0);
		balance += x->f.balance;
	}
	quarter_cells(r, NULL, balance, row, m, q);
	lay_fit_row(&fit, row, 1);
	memcpy(cols, base, sizeof cols);
	lay_fit_apply(&fit, cols);
	lay_heading(L, "Fee revenue by quarter and vendor");
	lay_table_begin(L, cols, 9);
	for (k = 0; k < r->rev.nquarter; k++) {
		x = &r->rev.quarters[k];
		if (!in_scope(r, x))
			continue;
		quarter_cells(r, x, 0, row, m, q);
		lay_table_row(L, row, 0);
	}
	quarter_cells(r, NULL, balance, row, m, q);
	lay_table_row(L, row, 1);
	lay_table_end(L);
}

static void draw_totals(Layout *L, const RevenueData *r)
{
	char a[MONEY_BUF], n[16], label[32];
	double x = LAY_LEFT + 300;
	int i;

	lay_heading(L, "Totals");
	lay_amount(L, "Net sales reported", lay_money(r->totals->net_sales, a), x, 0);
	lay_amount(L, "Administrative fees", lay_money(r->totals->fee, a), x, 0);
	lay_amount(L, "Late fees", lay_money(r->totals->late_fee, a), x, 0);
	lay_amount(L, "Remitted", lay_money(r->totals->remitted, a), x, 0);
	lay_amount(L, "Outstanding", lay_money(r->totals->outstanding, a), x, 1);
	lay_amount(L, "Overdue", lay_money(r->totals->overdue, a), x, 0);
	for (i = 0; i < SUMMARY_AGING; i++) {
		snprintf(label, sizeof label, "  overdue %s days", summary_aging_name(i));
		lay_amount(L, label, lay_money(r->aging[i], a), x, 0);
	}
	snprintf(n, sizeof n, "%d", r->members);
	lay_amount(L, "Active members (agencies with purchases)", n, x, 0);
}

/* Bars of fee + late fee per quarter, scaled to the largest.  Quarter
 * names are written under every k-th bar, so they never touch; an amount
 * over its bar is set smaller to fit the bar's slot, or left out. */
static void draw_chart(Layout *L, const RevenueData *r)
{
	double h = 150, w = LAY_RIGHT - LAY_LEFT, slot, base, qsize, qw;
	Money top = 1;
	char a[MONEY_BUF];
	int i, every;

	if (r->nbar == 0)
		return;
	lay_heading(L, "Fee revenue by quarter (fee and late fee)");
	lay_need(L, h + 40);
	for (i = 0; i < r->nbar; i++)
		top = r->bar[i].fee > top ? r->bar[i].fee : top;
	slot = w / r->nbar;
	qsize = slot < 40 ? 5.5 : 7;
	qw = pdfdoc_width(L->d, 0, qsize, "2026-Q3") + 4;
	every = qw > slot ? (int)(qw / slot) + 1 : 1;
	base = L->y - h - 10;
	pdfdoc_line(L->d, LAY_LEFT, base, LAY_RIGHT, base, 0.8, 0.2);
	for (i = 0; i < r->nbar; i++) {
		/* Bar heights only: the figures printed stay exact. */
		double bh = (h - 14) * stmt_frac(r->bar[i].fee, top), x = LAY_LEFT + i * slot;
		double size = 6.5, mw;

		pdfdoc_fill_rgb(L->d, x + slot * 0.15, base, slot * 0.7, bh, 0.20, 0.45, 0.70);
		if (i % every == 0)
			pdfdoc_text_center(L->d, x + slot / 2, base - 10, 0, qsize,
					   r->bar[i].quarter);
		lay_money(r->bar[i].fee, a);
		mw = pdfdoc_width(L->d, 0, size, a);
		if (mw > slot - 4)
			size = size * (slot - 4) / mw;
		if (size >= 4.5)
			pdfdoc_text_center(L->d, x + slot / 2, base + bh + 3, 0, size, a);
	}
	L->y = base - 24;
}

static void revenue_draw(PdfDoc *d, const RevenueData *r)
{
	char running[512], sub[512], foot[640];
	Layout L;

	snprintf(running, sizeof running, "Revenue report — %s (continued)", r->scope);
	lay_begin(&L, d, running);
	snprintf(sub, sizeof sub, "%s. As of %s.", r->scope, r->as_of);
	lay_letterhead(&L, r->lead.name, r->lead.address, "Fee revenue report", sub);
	draw_totals(&L, r);
	draw_chart(&L, r);
	draw_quarter_table(&L, r);
	snprintf(foot, sizeof foot, "%s — revenue — %s", r->lead.name, r->scope);
	lay_footers(&L, foot);
}

ClCode pdf_revenue_report(sqlite3 *db, int year, const char *contract, Date today,
			  const char *creation_date, unsigned char **out, size_t *len, Err *e)
{
	RevenueData *r = calloc(1, sizeof *r);
	PdfDoc *d = NULL;
	ClCode rc;

	*out = NULL;
	*len = 0;
	if (!r)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = revenue_gather(db, year, contract, today, r, e);
	if (rc)
		goto out;
	rc = pdfdoc_new("Fee revenue report", creation_date, &d, e);
	if (rc)
		goto out;
	revenue_draw(d, r);
	rc = pdfdoc_save(d, out, len, e);
out:
	pdfdoc_free(d);
	summary_revenue_free(&r->rev);
	free(r);
	return rc;
}
