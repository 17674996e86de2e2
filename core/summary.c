/* summary.c — agency and revenue reports; see summary.h. */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "contract.h"
#include "db.h"

char *summary_percent(long long savings, long long list, char *buf, size_t n)
{
	__int128 bp = list ? money_div_round((__int128)savings * 10000, list) : 0;
	long long v = (long long)bp;

	snprintf(buf, n, "%s%lld.%02lld%%", v < 0 ? "-" : "", (v < 0 ? -v : v) / 100,
		 (v < 0 ? -v : v) % 100);
	return buf;
}

/* Make room for one more element of size in *arr (n used, *cap held).
 * OUT: *arr, *cap. */
static ClCode grow(void *arr, int n, int *cap, size_t size, Err *e)
{
	void **p = arr, *q;
	int want = *cap ? *cap * 2 : 8;

	if (n < *cap)
		return CL_OK;
	q = realloc(*p, size * (size_t)want);
	if (!q)
		return err_set(e, CL_ENOMEM, "out of memory");
	*p = q;
	*cap = want;
	return CL_OK;
}

/* A copy of column i of st's current row (NULL stays NULL).  OUT: *out. */
static ClCode column_dup(sqlite3_stmt *st, int i, char **out, Err *e)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	*out = NULL;
	if (t && !(*out = strdup(t)))
		return err_set(e, CL_ENOMEM, "out of memory");
	return CL_OK;
}

/* The line of st's current row (agency_lines).  OUT: *l. */
static ClCode line_read(sqlite3_stmt *st, SummaryLine *l, Err *e)
{
	ClCode rc;

	memset(l, 0, sizeof *l);
	l->id = sqlite3_column_int64(st, 0);
	l->line = sqlite3_column_int(st, 4);
	l->list_amount = sqlite3_column_int64(st, 6);
	l->invoiced_amount = sqlite3_column_int64(st, 7);
	l->savings = l->list_amount - l->invoiced_amount;
	if ((rc = column_dup(st, 1, &l->invoice_date, e)) ||
	    (rc = column_dup(st, 2, &l->po_number, e)) ||
	    (rc = column_dup(st, 3, &l->invoice_number, e)))
		return rc;
	return column_dup(st, 5, &l->description, e);
}

/* The agency's live lines of one contract, with their totals, into c. */
static ClCode agency_lines(sqlite3 *db, int64_t cid, int64_t aid, const Quarter *period,
			   SummaryContract *c, Err *e)
{
	char from[DATE_BUF] = "0000-00-00", to[DATE_BUF] = "9999-99-99";
	int cap = 0;
	ClCode rc, end;
	DbRows q;

	if (period) {
		date_format(quarter_first_day(*period), from);
		date_format(quarter_last_day(*period), to);
	}
	rc = db_rows(&q, db, e,
		     "SELECT id, invoice_date, po_number, invoice_number, line, description, "
		     "list_amount, invoiced_amount FROM live_purchase WHERE contract_id = ? "
		     "AND agency_id = ? AND invoice_date BETWEEN ? AND ? "
		     "ORDER BY invoice_date, invoice_number, line",
		     "iitt", cid, aid, from, to);
	while (!rc && db_rows_next(&q)) {
		rc = grow(&c->lines, c->nline, &cap, sizeof *c->lines, e);
		if (!rc)
			rc = line_read(q.st, &c->lines[c->nline++], e);
		if (!rc) {
			c->list_total += c->lines[c->nline - 1].list_amount;
			c->paid_total += c->lines[c->nline - 1].invoiced_amount;
		}
	}
	end = db_rows_end(&q, "reading the agency's lines", e);
	if (rc || end)
		return rc ? rc : end;
	c->savings = c->list_total - c->paid_total;
	return CL_OK;
}

/* The agency's newest keep lines of contract cid, oldest of them first. */
static ClCode agency_recent_lines(sqlite3 *db, int64_t cid, int64_t aid, int keep,
				  SummaryContract *c, Err *e)
{
	int cap = 0, i;
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT id, invoice_date, po_number, invoice_number, line, description, "
		     "list_amount, invoiced_amount FROM live_purchase WHERE contract_id = ? "
		     "AND agency_id = ? ORDER BY invoice_date DESC, invoice_number DESC, line DESC "
		     "LIMIT ?",
		     "iii", cid, aid, (int64_t)keep);
	while (!rc && db_rows_next(&q)) {
		rc = grow(&c->lines, c->nline, &cap, sizeof *c->lines, e);
		if (!rc)
			rc = line_read(q.st, &c->lines[c->nline++], e);
	}
	end = db_rows_end(&q, "reading the agency's newest lines", e);
	for (i = 0; i < c->nline / 2; i++) {
		SummaryLine t = c->lines[i];

		c->lines[i] = c->lines[c->nline - 1 - i];
		c->lines[c->nline - 1 - i] = t;
	}
	return rc ? rc : end;
}

/* The agency's totals, live-line count and quarters with live lines under
 * contract cid, from the kept net sales.  OUT: c. */
static ClCode agency_kept(sqlite3 *db, int64_t cid, int64_t aid, SummaryContract *c, Err *e)
{
	int cap = 0;
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT coalesce(sum(lines), 0), coalesce(sum(list_amount), 0), "
		     "coalesce(sum(invoiced_amount), 0) FROM sales_agency_month "
		     "WHERE contract_id = ? AND agency_id = ?",
		     "ii", cid, aid);
	if (!rc && db_rows_next(&q)) {
		c->line_count = sqlite3_column_int64(q.st, 0);
		c->list_total = sqlite3_column_int64(q.st, 1);
		c->paid_total = sqlite3_column_int64(q.st, 2);
		c->savings = c->list_total - c->paid_total;
	}
	end = db_rows_end(&q, "reading the agency's kept totals", e);
	if (rc || end)
		return rc ? rc : end;
	rc = db_rows(&q, db, e,
		     "SELECT month FROM sales_agency_month WHERE contract_id = ? AND agency_id = ? "
		     "AND lines > 0 ORDER BY month",
		     "ii", cid, aid);
	while (!rc && db_rows_next(&q)) {
		const char *m = (const char *)sqlite3_column_text(q.st, 0);
		int y, mo;
		Quarter qt;

		if (!m || sscanf(m, "%4d-%2d", &y, &mo) != 2) {
			rc = err_set(e, CL_EDB, "a kept month is not YYYY-MM: %s", m ? m : "NULL");
			break;
		}
		qt = quarter_of(date_from_ymd(y, mo, 1));
		if (c->nquarter && quarter_cmp(c->quarters[c->nquarter - 1], qt) == 0)
			continue;
		rc = grow(&c->quarters, c->nquarter, &cap, sizeof *c->quarters, e);
		if (!rc)
			c->quarters[c->nquarter++] = qt;
	}
	end = db_rows_end(&q, "reading the agency's months", e);
	return rc ? rc : end;
}

/* The agency's share of the current rebate year; present 0 when the
 * contract has none to show.  OUT: *out. */
static ClCode agency_rebate(sqlite3 *db, const char *contract, const char *agency, Date today,
			    const char *actor, SummaryRebate *out, Err *e)
{
	RebateReport r;
	Err why = {0};
	ClCode rc;
	int year;

	memset(out, 0, sizeof *out);
	rc = rebate_current_year(db, contract, today, &year, &why);
	if (!rc)
		rc = rebate_report(db, contract, year, today, agency, actor, &r, &why);
	else
		memset(&r, 0, sizeof r);
	if (rc && (why.code == CL_EDB || why.code == CL_ENOMEM)) {
		/* a failure, not a contract without a rebate to show */
		rebate_report_free(&r);
		if (e)
			*e = why;
		return why.code;
	}
	if (!rc) {
		Terms t = {0};

		out->present = 1;
		out->year = year;
		out->start = r.start;
		out->end = r.end;
		out->calendar = contract_load(db, contract, NULL, &t, &why) == CL_OK &&
				t.rebates.year == YEAR_CALENDAR;
		out->final = r.final;
		out->rebate = r.nshare ? r.share[0].rebate : 0;
		out->contract_base = r.base;
		out->rate = r.rate;
		out->next_tier = r.next_tier;
	}
	rebate_report_free(&r);
	return CL_OK;
}

/* The contract of st's current row (summary_agency), with the agency's
 * lines and rebate.  OUT: *c. */
static ClCode agency_contract(sqlite3 *db, sqlite3_stmt *st, int64_t aid, const char *agency,
			      const Quarter *period, int keep, Date today, const char *actor,
			      SummaryContract *c, Err *e)
{
	int64_t cid = sqlite3_column_int64(st, 0);
	ClCode rc;

	memset(c, 0, sizeof *c);
	if ((rc = column_dup(st, 1, &c->contract, e)) || (rc = column_dup(st, 2, &c->title, e)) ||
	    (rc = column_dup(st, 3, &c->joined, e)) || (rc = column_dup(st, 4, &c->status, e)))
		return rc;
	if (keep < 0) {
		rc = agency_lines(db, cid, aid, period, c, e);
		c->line_count = c->nline;
	} else {
		rc = agency_kept(db, cid, aid, c, e);
		if (!rc)
			rc = agency_recent_lines(db, cid, aid, keep, c, e);
	}
	if (!rc)
		rc = agency_rebate(db, c->contract, agency, today, actor, &c->rebate, e);
	return rc;
}

/* summary_agency() with every line (keep < 0), or summary_agency_recent()
 * with the newest keep. */
static ClCode agency_summary(sqlite3 *db, const char *agency, const char *contract,
			     const Quarter *period, int keep, Date today, const char *actor,
			     SummaryAgency *out, Err *e)
{
	char name[256];
	int64_t aid;
	int cap = 0;
	ClCode rc, end;
	DbRows q;

	memset(out, 0, sizeof *out);
	out->as_of = today;
	if ((rc = agency_id(db, agency, &aid, e)))
		return rc;
	if (contract && (rc = contract_load(db, contract, NULL, NULL, e)))
		return rc;
	db_text(db, name, sizeof name, "SELECT name FROM agency WHERE id = ?", "i", aid);
	out->agency = strdup(agency);
	out->name = strdup(name);
	if (!out->agency || !out->name)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_rows(&q, db, e,
		     "SELECT c.id, c.number, c.title, p.joined, c.status FROM participant p "
		     "JOIN contract c ON c.id = p.contract_id WHERE p.agency_id = ? "
		     "AND (?2 IS NULL OR c.number = ?2) "
		     "ORDER BY c.status <> 'active', c.number",
		     "it", aid, contract);
	while (!rc && db_rows_next(&q)) {
		rc = grow(&out->contracts, out->ncontract, &cap, sizeof *out->contracts, e);
		if (!rc)
			rc = agency_contract(db, q.st, aid, agency, period, keep, today, actor,
					     &out->contracts[out->ncontract++], e);
	}
	end = db_rows_end(&q, "reading the agency's contracts", e);
	if (rc || end)
		return rc ? rc : end;
	if (contract && out->ncontract == 0)
		return err_set(e, CL_ENOTFOUND, "agency %s does not participate in contract %s",
			       agency, contract);
	return CL_OK;
}

ClCode summary_agency(sqlite3 *db, const char *agency, const char *contract, const Quarter *period,
		      Date today, const char *actor, SummaryAgency *out, Err *e)
{
	return agency_summary(db, agency, contract, period, -1, today, actor, out, e);
}

ClCode summary_agency_recent(sqlite3 *db, const char *agency, int keep, Date today,
			     const char *actor, SummaryAgency *out, Err *e)
{
	return agency_summary(db, agency, NULL, NULL, keep < 0 ? 0 : keep, today, actor, out, e);
}

void summary_agency_free(SummaryAgency *s)
{
	int i, j;

	for (i = 0; i < s->ncontract; i++) {
		SummaryContract *c = &s->contracts[i];

		for (j = 0; j < c->nline; j++) {
			free(c->lines[j].invoice_date);
			free(c->lines[j].po_number);
			free(c->lines[j].invoice_number);
			free(c->lines[j].description);
		}
		free(c->lines);
		free(c->quarters);
		free(c->contract);
		free(c->title);
		free(c->joined);
		free(c->status);
	}
	free(s->contracts);
	free(s->agency);
	free(s->name);
	memset(s, 0, sizeof *s);
}

const char *summary_aging_name(int i)
{
	static const char *const names[SUMMARY_AGING] = {"1-30", "31-60", "61-90", "90+"};

	return i >= 0 && i < SUMMARY_AGING ? names[i] : "";
}

static int aging_index(int days)
{
	return days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
}

static void revenue_add(SummaryFigures *r, const FeeQuarter *f)
{
	r->net_sales += f->net_sales;
	r->fee += f->fee;
	r->late_fee += f->late_fee;
	r->remitted += f->remitted;
	if (f->balance > 0 && f->status != FQ_OPEN)
		r->outstanding += f->balance;
	if (f->status == FQ_OVERPAID)
		r->credits -= f->balance;
	if (f->status == FQ_OVERDUE)
		r->overdue += f->balance;
}

/* Room for the rows of revenue_contract. */
typedef struct RevenueCaps {
	int contracts, quarters, missing;
} RevenueCaps;

/* One quarter of contract ci as a revenue row; a missing report past its
 * due date also goes to missing. */
static ClCode quarter_row(SummaryRevenue *s, RevenueCaps *cap, int ci, const FeeQuarter *f,
			  Date today, Err *e)
{
	ClCode rc = grow(&s->quarters, s->nquarter, &cap->quarters, sizeof *s->quarters, e);

	if (rc)
		return rc;
	s->quarters[s->nquarter++] = (SummaryRevenueQuarter){ci, *f};
	if (f->report != FR_MISSING || today <= f->due)
		return CL_OK;
	if ((rc = grow(&s->missing, s->nmissing, &cap->missing, sizeof *s->missing, e)))
		return rc;
	s->missing[s->nmissing++] = (SummaryMissing){ci, f->q, f->due, (int)(today - f->due)};
	return CL_OK;
}

/* Add one contract's quarters (of calendar year `year`, or all) to s. */
static ClCode revenue_contract(sqlite3 *db, sqlite3_stmt *st, int year, Date today,
			       SummaryRevenue *s, RevenueCaps *cap, Err *e)
{
	SummaryRevenueContract *c;
	FeeQuarter *fq = NULL;
	ClCode rc;
	int n = 0, i, ci = s->ncontract;

	if ((rc = grow(&s->contracts, s->ncontract, &cap->contracts, sizeof *s->contracts, e)))
		return rc;
	c = &s->contracts[s->ncontract++];
	memset(c, 0, sizeof *c);
	if ((rc = column_dup(st, 0, &c->contract, e)) || (rc = column_dup(st, 1, &c->vendor, e)))
		return rc;
	if (fees_quarters(db, c->contract, NULL, today, &fq, &n, e))
		return e ? e->code : CL_EDB;
	for (i = 0; !rc && i < n; i++) {
		if (year && fq[i].q.year != year)
			continue;
		revenue_add(&c->f, &fq[i]);
		revenue_add(&s->totals, &fq[i]);
		if (fq[i].status == FQ_OVERDUE)
			s->aging[aging_index(fq[i].days_past_due)] += fq[i].balance;
		rc = quarter_row(s, cap, ci, &fq[i], today, e);
	}
	free(fq);
	return rc;
}

ClCode summary_revenue(sqlite3 *db, int year, Date today, SummaryRevenue *out, Err *e)
{
	char day[DATE_BUF];
	RevenueCaps cap = {0, 0, 0};
	ClCode rc, end;
	DbRows q;

	memset(out, 0, sizeof *out);
	out->as_of = today;
	out->year = year;
	rc = db_rows(&q, db, e,
		     "SELECT c.number, v.code FROM contract c JOIN vendor v ON v.id = c.vendor_id "
		     "WHERE c.start_date <= ? ORDER BY c.number",
		     "t", date_format(today, day));
	while (!rc && db_rows_next(&q))
		rc = revenue_contract(db, q.st, year, today, out, &cap, e);
	end = db_rows_end(&q, "reading the contracts", e);
	return rc ? rc : end;
}

void summary_revenue_free(SummaryRevenue *s)
{
	int i;

	for (i = 0; i < s->ncontract; i++) {
		free(s->contracts[i].contract);
		free(s->contracts[i].vendor);
	}
	free(s->contracts);
	free(s->quarters);
	free(s->missing);
	memset(s, 0, sizeof *s);
}

void summary_due(const FeeQuarter *f, int n, SummaryDue *out)
{
	int i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < n; i++)
		switch (f[i].status) {
		case FQ_OVERDUE:
			out->past_due += f[i].balance;
			out->past_due_late_fee += f[i].late_fee;
			out->past_due_quarters++;
			break;
		case FQ_DUE:
			out->due += f[i].balance;
			if (!out->due_by || f[i].due < out->due_by)
				out->due_by = f[i].due;
			break;
		case FQ_OPEN:
			out->not_yet_due += f[i].balance;
			break;
		case FQ_OVERPAID:
			out->credits -= f[i].balance;
			out->credit_quarters++;
			break;
		case FQ_PAID:
			break;
		}
}
