/* fees.c — administrative fees per quarter; see fees.h. */
#include "fees.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "contract.h"
#include "db.h"
#include "terms.h"

static const char *const fee_status_names[] = {"open", "due", "overdue", "paid", "overpaid"};
static const char *const report_status_names[] = {"missing", "filed", "late"};

const char *fee_status_name(FeeStatus s)
{
	return fee_status_names[s];
}

const char *report_status_name(ReportStatus s)
{
	return report_status_names[s];
}

const char *fee_report_display(const FeeQuarter *f)
{
	return f->status == FQ_OPEN && f->report == FR_MISSING ? "not yet due"
							       : report_status_names[f->report];
}

const char *fee_status_display(const FeeQuarter *f)
{
	if (f->report == FR_MISSING && f->status == FQ_PAID)
		return "paid — report missing";
	if (f->report == FR_MISSING && f->status == FQ_OVERPAID)
		return "overpaid — report missing";
	return fee_status_names[f->status];
}

const char *fees_aging_bucket(int days)
{
	if (days <= 30)
		return "1-30";
	if (days <= 60)
		return "31-60";
	if (days <= 90)
		return "61-90";
	return "90+";
}

/* Net sales per day of the contract term: day[i] is the net invoiced on
 * start + i.  One pass over the live ledger. */
typedef struct Daily {
	Date start;
	int ndays;
	Money *day;
} Daily;

static ClCode daily_load(sqlite3 *db, const TermsHistory *h, Daily *d, Err *e)
{
	int64_t cid = h->id;
	ClCode rc, end;
	DbRows q;

	d->start = h->ver[0].start;
	d->ndays = terms_last_day(h) - d->start + 1;
	d->day = calloc((size_t)d->ndays, sizeof *d->day);
	if (!d->day)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_rows(&q, db, e, "SELECT day, invoiced_amount FROM sales_day WHERE contract_id = ?",
		     "i", cid);
	while (!rc && db_rows_next(&q)) {
		Date day;

		if (date_parse((const char *)sqlite3_column_text(q.st, 0), &day, NULL) == CL_OK &&
		    day >= d->start && day - d->start < d->ndays)
			d->day[day - d->start] = sqlite3_column_int64(q.st, 1);
	}
	end = db_rows_end(&q, "adding up net sales by day", e);
	return rc ? rc : end;
}

/* Net sales from a to b inclusive (clipped to the term). */
static Money daily_sum(const Daily *d, Date a, Date b)
{
	Money sum = 0;
	Date x;

	if (a < d->start)
		a = d->start;
	if (b > d->start + d->ndays - 1)
		b = d->start + d->ndays - 1;
	for (x = a; x <= b; x++)
		sum += d->day[x - d->start];
	return sum;
}

/* The fee of days [a, b] of fee year yr, cut where an amendment takes
 * effect: each piece [p, r] under schedule S_k in force on p adds
 * F_k(C_Y(r)) - F_k(C_Y(p - 1)), C_Y counted from the year's first day
 * (DOMAIN.md 4.6). */
static Money pieces_fee(const TermsHistory *h, const Daily *d, YearRange yr, Date a, Date b)
{
	Money before = a > yr.first ? daily_sum(d, yr.first, a - 1) : 0, fee = 0;
	Date p = a;
	int k;

	while (p <= b) {
		const Schedule *s = &terms_in_force(h, p)->fee;
		Date r = b;
		Money through;

		for (k = 0; k < h->n; k++) /* the next change after p ends the piece */
			if (h->amend[k].effective > p && h->amend[k].effective - 1 < r)
				r = h->amend[k].effective - 1;
		through = before + daily_sum(d, p, r);
		fee += schedule_amount(s, through) - schedule_amount(s, before);
		before = through;
		p = r + 1;
	}
	return fee;
}

/* The fee of quarter q: over each fee year Y overlapping q, with [a, b] the
 * days of q in Y, F(C_Y(b)) - F(C_Y(a - 1)) (DOMAIN.md 4.1), in pieces
 * where amendments change the schedule (4.6). */
static Money quarter_fee(const TermsHistory *h, const Daily *d, Quarter q)
{
	const Terms *t = &h->ver[0]; /* the start and the fee year never change */
	int contract_years = t->fee.year == YEAR_CONTRACT;
	Date first = quarter_first_day(q), last = quarter_last_day(q);
	int y = sched_year_of(contract_years, t->start, first);
	int ylast = sched_year_of(contract_years, t->start, last);
	Money fee = 0;

	for (; y <= ylast; y++) {
		YearRange yr;

		if (y < 1 && contract_years)
			continue; /* days before the contract's first year */
		yr = sched_year_range(contract_years, t->start, y);
		fee += pieces_fee(h, d, yr, first > yr.first ? first : yr.first,
				  last < yr.last ? last : yr.last);
	}
	return fee;
}

/* The queries of quarter_settle(), prepared once for all the quarters of
 * a report (each read resets its statement for the next quarter). */
typedef struct SettleSql {
	sqlite3 *db;
	sqlite3_stmt *remitted; /* (contract, quarter, until) -> sum received */
	sqlite3_stmt *filed;	/* (contract, quarter, today) -> first filing date */
} SettleSql;

static ClCode settle_prepare(sqlite3 *db, SettleSql *q, Err *e)
{
	ClCode rc;

	q->db = db;
	rc = db_prepare(db, &q->remitted,
			"SELECT coalesce(sum(amount), 0) FROM live_remittance "
			"WHERE contract_id = ? AND quarter = ? AND received <= ?",
			e);
	if (!rc)
		rc = db_prepare(
			db, &q->filed,
			"SELECT min(filed_on) FROM import_batch WHERE contract_id = ? "
			"AND period = ? AND reversed_at IS NULL AND filed_on <= ? "
			/* a zero report files; a file whose every row was refused does not */
			"AND (rows_total = 0 OR rows_accepted + rows_duplicate > 0)",
			e);
	return rc;
}

static void settle_finalize(SettleSql *q)
{
	sqlite3_finalize(q->remitted);
	sqlite3_finalize(q->filed);
}

/* Remittances for (cid, quarter qt) received on or before day.  OUT: *m. */
static ClCode remitted_until(const SettleSql *sql, int64_t cid, const char *qt, Date day, Money *m,
			     Err *e)
{
	char d[DATE_BUF];
	DbRows q;

	*m = 0;
	db_bind_spec(sql->remitted, "itt", cid, qt, date_format(day, d));
	db_rows_on(&q, sql->db, sql->remitted, DB_ROWS_RESET);
	if (db_rows_next(&q))
		*m = sqlite3_column_int64(q.st, 0);
	return db_rows_end(&q, "adding up the remittances", e);
}

/* Whether and when the quarter's report was filed, as of today.  OUT:
 * f->report, f->filed_on. */
static ClCode quarter_filed(const SettleSql *sql, int64_t cid, const char *qt, Date today,
			    FeeQuarter *f, Err *e)
{
	char now[DATE_BUF];
	const char *filed;
	DbRows q;

	f->report = FR_MISSING;
	db_bind_spec(sql->filed, "itt", cid, qt, date_format(today, now));
	db_rows_on(&q, sql->db, sql->filed, DB_ROWS_RESET);
	if (db_rows_next(&q) && (filed = (const char *)sqlite3_column_text(q.st, 0)) && filed[0] &&
	    date_parse(filed, &f->filed_on, NULL) == CL_OK)
		f->report = f->filed_on > f->due ? FR_LATE : FR_FILED;
	return db_rows_end(&q, "reading when the report was filed", e);
}

/* Late fee, balance and status of one quarter whose fee and remittances
 * are known. */
static void quarter_status(const Terms *t, Date today, FeeQuarter *f)
{
	f->late_fee = 0;
	if (t->has_late_fee && today > f->due && f->fee - f->paid_by_due > 0) {
		Money pct = money_apply_rate(f->fee - f->paid_by_due, t->late_fee_rate);

		f->late_fee = pct > t->late_fee_min ? pct : t->late_fee_min;
	}
	f->balance = f->fee + f->late_fee - f->remitted;
	f->days_past_due = 0;
	if (today <= quarter_last_day(f->q))
		f->status = FQ_OPEN;
	else if (f->balance > 0 && today <= f->due)
		f->status = FQ_DUE;
	else if (f->balance > 0) {
		f->status = FQ_OVERDUE;
		f->days_past_due = today - f->due;
	} else
		f->status = f->balance == 0 ? FQ_PAID : FQ_OVERPAID;
}

/* Remittances, late fee, balance, status and report of one quarter. */
static ClCode quarter_settle(const SettleSql *sql, int64_t cid, const Terms *t, Date today,
			     FeeQuarter *f, Err *e)
{
	char qt[QUARTER_BUF];
	ClCode rc;

	quarter_format(f->q, qt);
	f->due = quarter_last_day(f->q) + t->due_days; /* in force on the quarter's last day */
	rc = remitted_until(sql, cid, qt, today, &f->remitted, e);
	if (!rc)
		rc = remitted_until(sql, cid, qt, f->due < today ? f->due : today, &f->paid_by_due,
				    e);
	if (!rc)
		quarter_status(t, today, f);
	if (!rc)
		rc = quarter_filed(sql, cid, qt, today, f, e);
	return rc;
}

/* The quarters a selection names, clipped to the term and to today's
 * quarter.  OUT: *first, *last. */
static ClCode select_quarters(const Terms *t, const FeeSelect *sel, Date today, Quarter *first,
			      Quarter *last, Err *e)
{
	char qt[QUARTER_BUF];

	*first = quarter_of(t->start);
	*last = quarter_of(t->end);
	if (quarter_cmp(quarter_of(today), *last) < 0)
		*last = quarter_of(today);
	if (sel && sel->has_period) {
		if (quarter_last_day(sel->period) < t->start ||
		    quarter_first_day(sel->period) > t->end)
			return err_set(e, CL_EINPUT,
				       "quarter %s is outside the term of contract %s",
				       quarter_format(sel->period, qt), t->number);
		*first = *last = sel->period;
	} else if (sel && sel->year) {
		YearRange yr = sched_year_range(t->fee.year == YEAR_CONTRACT, t->start, sel->year);

		if (sel->year < 1 || yr.last < t->start || yr.first > t->end)
			return err_set(e, CL_EINPUT, "contract %s has no fee year %d", t->number,
				       sel->year);
		*first = quarter_of(yr.first > t->start ? yr.first : t->start);
		*last = quarter_of(yr.last < t->end ? yr.last : t->end);
	}
	return CL_OK;
}

ClCode fees_quarters(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
		     FeeQuarter **out, int *n, Err *e)
{
	SettleSql sql = {NULL, NULL, NULL};
	TermsHistory h = {0};
	Daily d = {0};
	Quarter q, first, last;
	int cap;
	ClCode rc;

	*out = NULL;
	*n = 0;
	rc = terms_history_load(db, contract, &h, e);
	if (rc)
		return rc;
	rc = select_quarters(terms_latest(&h), sel, today, &first, &last, e);
	if (!rc)
		rc = daily_load(db, &h, &d, e);
	if (!rc)
		rc = settle_prepare(db, &sql, e);
	cap = rc ? 0 : (last.year - first.year) * 4 + last.q - first.q + 1;
	if (!rc && cap > 0 && !(*out = calloc((size_t)cap, sizeof **out)))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	for (q = first; !rc && *out && *n < cap; q = quarter_next(q)) {
		FeeQuarter *f = &(*out)[(*n)++];

		f->q = q;
		f->net_sales = daily_sum(&d, quarter_first_day(q), quarter_last_day(q));
		f->fee = quarter_fee(&h, &d, q);
		rc = quarter_settle(&sql, h.id, terms_in_force(&h, quarter_last_day(q)), today, f,
				    e);
	}
	settle_finalize(&sql);
	free(d.day);
	terms_history_free(&h);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

ClCode fees_report(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
		   FeesReport *out, Err *e)
{
	memset(out, 0, sizeof *out);
	snprintf(out->contract, sizeof out->contract, "%s", contract ? contract : "");
	return fees_quarters(db, contract, sel, today, &out->quarter, &out->nquarter, e);
}

void fees_report_free(FeesReport *r)
{
	free(r->quarter);
	r->quarter = NULL;
	r->nquarter = 0;
}
