/*
 * member.c — the member statement (pdf_member_statement): one agency's
 * purchases under one contract in a quarter or schedule year, its totals,
 * savings and rebate share.  Gathering first (member_gather), then drawing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pdf.h"
#include "rebate.h"
#include "stmt.h"
#include "summary.h" /* summary_percent */

#define ACTOR "statements"

/* List, paid and savings of a set of lines. */
typedef struct Totals {
	Money list, paid;
} Totals;

typedef struct MemberData {
	ContractInfo ci;
	Party member;
	char period[128], ytd_label[64], as_of[DATE_BUF], joined[DATE_BUF];
	char last[DATE_BUF], ytd_first[DATE_BUF];
	StmtLine **line; /* the period's lines */
	int nline;
	Totals period_t, ytd_t, ctd_t;
	int has_rebate;
	RebateReport rebate; /* this agency's, when has_rebate */
} MemberData;

static void member_free(MemberData *m)
{
	stmtdata_lines_free(m->line, m->nline);
	rebate_report_free(&m->rebate);
}

/* The period's lines and totals; the year-to-date and contract-to-date
 * totals from the kept sums, which add up the same live lines. */
static ClCode member_lines(sqlite3 *db, MemberData *m, Date first, Date last, Date ytd_first,
			   Err *e)
{
	int64_t cid = m->ci.id, aid = m->member.id;
	ClCode rc;
	int i;

	rc = stmtdata_member_lines(db, cid, aid, first, last, &m->line, &m->nline, e);
	for (i = 0; !rc && i < m->nline; i++) {
		m->period_t.list += m->line[i]->list;
		m->period_t.paid += m->line[i]->net;
	}
	if (!rc)
		rc = stmtdata_member_totals(db, cid, aid, ytd_first, last, &m->ytd_t.list,
					    &m->ytd_t.paid, e);
	if (!rc) /* every line, whatever its date */
		rc = stmtdata_member_totals(db, cid, aid, date_from_ymd(DATE_MIN_YEAR, 1, 1),
					    date_from_ymd(DATE_MAX_YEAR, 12, 31), &m->ctd_t.list,
					    &m->ctd_t.paid, e);
	return rc;
}

/* The rebate year that holds the period's end (or today, if earlier),
 * as `report rebates --json` shows it for this agency. */
static void member_rebate(sqlite3 *db, MemberData *m, Date last, Date today)
{
	int year;

	if (!m->ci.t.rebates.present)
		return;
	year = rebate_year_at(&m->ci.t, last < today ? last : today);
	m->has_rebate = !rebate_report(db, m->ci.t.number, year, today, m->member.code, ACTOR,
				       &m->rebate, NULL);
}

/* Gather everything the member statement shows.  OUT: *m (free with
 * member_free(), also on failure). */
static ClCode member_gather(sqlite3 *db, const char *contract, const char *agency,
			    const StatementPeriod *p, Date today, MemberData *m, Err *e)
{
	Date first, last, ytd_first;
	YearRange yr;
	int cy;
	ClCode rc;

	memset(m, 0, sizeof *m);
	if ((rc = stmt_contract(db, contract, &m->ci, e)) ||
	    (rc = stmtdata_agency(db, agency, &m->member, e)))
		return rc;
	rc = stmt_range(&m->ci.t, p, &first, &last, m->period, sizeof m->period, e);
	if (rc)
		return rc;
	if ((rc = stmtdata_joined(db, m->ci.id, m->member.id, m->joined, e)) == CL_ENOTFOUND)
		return err_set(e, CL_ENOTFOUND, "agency %s does not participate in contract %s",
			       agency, contract);
	if (rc)
		return rc;
	cy = m->ci.t.fee.year == YEAR_CONTRACT;
	yr = sched_year_range(cy, m->ci.t.start, sched_year_of(cy, m->ci.t.start, last));
	ytd_first = yr.first > m->ci.t.start ? yr.first : m->ci.t.start;
	date_format(last, m->last);
	date_format(ytd_first, m->ytd_first);
	date_format(today, m->as_of);
	snprintf(m->ytd_label, sizeof m->ytd_label, "Year to date (%s to %s)", m->ytd_first,
		 m->last);
	if ((rc = member_lines(db, m, first, last, ytd_first, e)))
		return rc;
	member_rebate(db, m, last, today);
	return CL_OK;
}

/* The cells of purchase line i (or, i == m->nline, of the total row);
 * money is formatted into a, b, c (MONEY_BUF each), the count into count
 * (48). */
static void purchase_cells(const MemberData *m, int i, const char **row, char *a, char *b, char *c,
			   char *count)
{
	if (i < m->nline) {
		const StmtLine *x = m->line[i];

		row[0] = x->invoice_date;
		row[1] = x->po_number;
		row[2] = x->invoice_number;
		row[3] = x->description;
		row[4] = lay_money(x->list, a);
		row[5] = lay_money(x->net, b);
		row[6] = lay_money(x->list - x->net, c);
		return;
	}
	snprintf(count, 48, "%d line%s", m->nline, m->nline == 1 ? "" : "s");
	row[0] = "Total";
	row[1] = "";
	row[2] = count;
	row[3] = "";
	row[4] = lay_money(m->period_t.list, a);
	row[5] = lay_money(m->period_t.paid, b);
	row[6] = lay_money(m->period_t.list - m->period_t.paid, c);
}

/* The purchases table with its total row, its money columns as wide as
 * the widest amount. */
static void draw_purchases(Layout *L, const MemberData *m)
{
	static const LayCol base[] = {{"Date", 58, 0},	       {"PO", 88, 0},	{"Invoice", 62, 0},
				      {"Description", 122, 0}, {"List", 62, 1}, {"Paid", 62, 1},
				      {"Savings", 62, 1}};
	LayCol cols[7];
	LayFit fit;
	char a[MONEY_BUF], b[MONEY_BUF], c[MONEY_BUF], count[48];
	const char *row[7];
	int i;

	lay_heading(L, "Purchases");
	if (m->nline == 0) {
		lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9, "No purchases in this period.");
		return;
	}
	lay_fit_begin(&fit, L, base, 7);
	for (i = 0; i <= m->nline; i++) {
		purchase_cells(m, i, row, a, b, c, count);
		lay_fit_row(&fit, row, i == m->nline);
	}
	memcpy(cols, base, sizeof cols);
	lay_fit_apply(&fit, cols);
	lay_table_begin(L, cols, 7);
	for (i = 0; i <= m->nline; i++) {
		purchase_cells(m, i, row, a, b, c, count);
		lay_table_row(L, row, i == m->nline);
	}
	lay_table_end(L);
}

/* The cells of one totals row: label, list, paid, savings, savings %,
 * formatted into a, b, c (MONEY_BUF each) and pct (24). */
static void totals_cells(const char **row, const char *label, const Totals *t, char *a, char *b,
			 char *c, char *pct)
{
	row[0] = label;
	row[1] = lay_money(t->list, a);
	row[2] = lay_money(t->paid, b);
	row[3] = lay_money(t->list - t->paid, c);
	row[4] = summary_percent(t->list - t->paid, t->list, pct, 24);
}

static void draw_totals(Layout *L, const MemberData *m)
{
	static const LayCol base[] = {{"", 220, 0},
				      {"List", 80, 1},
				      {"Paid", 80, 1},
				      {"Savings", 76, 1},
				      {"Savings %", 60, 1}};
	const Totals *t[3] = {&m->period_t, &m->ytd_t, &m->ctd_t};
	const char *label[3], *row[5];
	char ctd[64], a[MONEY_BUF], b[MONEY_BUF], c[MONEY_BUF], pct[24];
	LayCol cols[5];
	LayFit fit;
	int i;

	snprintf(ctd, sizeof ctd, "Contract to date (joined %s)", m->joined);
	label[0] = "This period";
	label[1] = m->ytd_label;
	label[2] = ctd;
	lay_fit_begin(&fit, L, base, 5);
	for (i = 0; i < 3; i++) {
		totals_cells(row, label[i], t[i], a, b, c, pct);
		lay_fit_row(&fit, row, i == 0);
	}
	memcpy(cols, base, sizeof cols);
	lay_fit_apply(&fit, cols);
	lay_heading(L, "Totals");
	lay_table_begin(L, cols, 5);
	for (i = 0; i < 3; i++) {
		totals_cells(row, label[i], t[i], a, b, c, pct);
		lay_table_row(L, row, i == 0);
	}
	lay_table_end(L);
}

/* Right edges of the tick labels drawn so far, per row (two rows). */
typedef struct TickRows {
	double right[2];
	int used[2];
} TickRows;

/* Draw tick labels "2% from" / "$1,000,000.00" centred on tx (kept inside
 * the margins) below the bar at y, in the first row where they do not
 * touch the previous labels; a tick with no room keeps its line only. */
static void tick_labels(Layout *L, TickRows *r, double tx, double y, const char *rate,
			const char *from)
{
	double w1 = pdfdoc_width(L->d, 1, 7, rate), w2 = pdfdoc_width(L->d, 0, 6.5, from);
	double w = (w1 > w2 ? w1 : w2) + 2, cx = tx;
	int row;

	if (cx - w / 2 < LAY_LEFT)
		cx = LAY_LEFT + w / 2;
	if (cx + w / 2 > LAY_RIGHT)
		cx = LAY_RIGHT - w / 2;
	for (row = 0; row < 2; row++)
		if (!r->used[row] || r->right[row] + 4 <= cx - w / 2)
			break;
	if (row == 2)
		return;
	pdfdoc_text_center(L->d, cx, y - 24 - row * 20, 1, 7, rate);
	pdfdoc_text_center(L->d, cx, y - 33 - row * 20, 0, 6.5, from);
	r->used[row] = 1;
	r->right[row] = cx + w / 2;
}

/* The tier-progress bar: contract-wide base against the rebate tiers. */
static void draw_tier_bar(Layout *L, const MemberData *m, Money base)
{
	const Schedule *s = &m->ci.t.rebates;
	Money top = s->band[s->nband - 1].from;
	double x = LAY_LEFT, w = LAY_RIGHT - LAY_LEFT;
	char buf[MONEY_BUF], rate[MONEY_BUF], label[96];
	TickRows rows = {{0, 0}, {0, 0}};
	int i;

	top = base > top ? base : top + top / 10;
	lay_need(L, 64);
	lay_bar(L, x, L->y - 12, w, 12, stmt_frac(base, top));
	for (i = 0; i < s->nband; i++) {
		/* Bar positions only: the figures themselves stay exact. */
		double tx = x + w * stmt_frac(s->band[i].from, top);

		pdfdoc_line(L->d, tx, L->y - 15, tx, L->y + 3, 1, 0.1);
		snprintf(label, sizeof label, "%s from", rate_format(s->band[i].rate, rate));
		tick_labels(L, &rows, tx, L->y, label, lay_money(s->band[i].from, buf));
	}
	L->y -= rows.used[1] ? 68 : 48;
}

static void draw_rebate(Layout *L, const MemberData *m)
{
	const RebateReport *r = &m->rebate;
	const RebateShare *mine = r->nshare ? &r->share[0] : NULL;
	char line[256], a[MONEY_BUF], b[MONEY_BUF], rate[MONEY_BUF];
	char first[DATE_BUF], last[DATE_BUF];
	const char *status = r->final ? "final" : "projected";

	lay_heading(L, "Volume rebate");
	if (!m->has_rebate) {
		lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9,
			 "This contract pays no volume rebate.");
		return;
	}
	snprintf(line, sizeof line, "Rebate year %d (%s to %s), %s", r->year,
		 date_format(r->start, first), date_format(r->end, last),
		 r->final ? "final" : "projected while the year runs");
	lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9, line);
	snprintf(line, sizeof line, "Your rebate share (%s)", status);
	lay_amount(L, line, lay_money(mine ? mine->rebate : 0, a), LAY_LEFT + 380, 1);
	lay_amount(L, "Your net purchases in the rebate year", lay_money(mine ? mine->net : 0, a),
		   LAY_LEFT + 380, 0);
	snprintf(line, sizeof line, "Contract-wide purchases (rate %s, total rebate %s)",
		 rate_format(r->rate, rate), lay_money(r->total, b));
	lay_amount(L, line, lay_money(r->base, a), LAY_LEFT + 380, 0);
	L->y -= 6;
	draw_tier_bar(L, m, r->base);
	if (r->next_tier.present)
		snprintf(line, sizeof line, "%s more contract-wide purchases unlock %s.",
			 lay_money(r->next_tier.remaining, a),
			 rate_format(r->next_tier.rate, rate));
	else
		snprintf(line, sizeof line, "%s",
			 r->final ? "The rebate year has ended." : "The top tier is reached.");
	lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9, line);
}

/* Lay the whole statement out on d. */
static void member_draw(PdfDoc *d, const MemberData *m)
{
	char running[512], sub[512], member_name[320], foot[256];
	Layout L;

	snprintf(running, sizeof running, "Member statement — %s — %s — %s (continued)",
		 m->member.name, m->ci.t.number, m->period);
	lay_begin(&L, d, running);
	snprintf(sub, sizeof sub, "Contract %s — %s. Period: %s. As of %s.", m->ci.t.number,
		 m->ci.t.title, m->period, m->as_of);
	lay_letterhead(&L, m->ci.lead.name, m->ci.lead.address, "Member statement", sub);
	snprintf(member_name, sizeof member_name, "%s (%s)", m->member.name, m->member.code);
	lay_addresses(&L, "MEMBER", member_name, m->member.address, "VENDOR", m->ci.vendor.name,
		      m->ci.vendor.address);
	draw_purchases(&L, m);
	draw_totals(&L, m);
	draw_rebate(&L, m);
	snprintf(foot, sizeof foot, "%s — %s — %s", m->ci.t.number, m->member.code, m->period);
	lay_footers(&L, foot);
}

ClCode pdf_member_statement(sqlite3 *db, const char *contract, const char *agency,
			    const StatementPeriod *p, Date today, const char *creation_date,
			    unsigned char **out, size_t *len, Err *e)
{
	MemberData m;
	PdfDoc *d = NULL;
	char title[160];
	ClCode rc;

	*out = NULL;
	*len = 0;
	rc = member_gather(db, contract, agency, p, today, &m, e);
	if (rc)
		goto out;
	snprintf(title, sizeof title, "Member statement %s %s", contract, agency);
	rc = pdfdoc_new(title, creation_date, &d, e);
	if (rc)
		goto out;
	member_draw(d, &m);
	rc = pdfdoc_save(d, out, len, e);
out:
	pdfdoc_free(d);
	member_free(&m);
	return rc;
}
