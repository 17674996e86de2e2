/* completeness.c — the completeness audit; see completeness.h.
 *
 * Two set-based reads, whatever the number of POs: the live ledger summed
 * by (agency, invoice date), which gives the net sales by day (for C_Y
 * and each quarter's net) and each member's lines by quarter (for
 * member_silent); and every live register PO joined to its reported
 * amount (one GROUP BY over the ledger's orders). */
#include "completeness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "db.h"
#include "terms.h"

static const char *const status_names[CS__MAX] = {"pending", "reported", "under_reported",
						  "over_reported", "unreported"};
static const char *const signal_names[] = {"member_silent", "volume_drop"};

const char *completeness_status_name(CompletenessStatus s)
{
	return status_names[s];
}

const char *signal_kind_name(SignalKind k)
{
	return signal_names[k];
}

/* Quarters as consecutive numbers, for arrays indexed by quarter. */
static int qindex(Quarter q)
{
	return q.year * 4 + q.q - 1;
}

static Quarter qfrom_index(int i)
{
	Quarter q = {i / 4, i % 4 + 1};

	return q;
}

/* The audit's working state: the contract's history, its net sales as a
 * running sum by day, and what has been found so far. */
typedef struct Audit {
	TermsHistory h;
	Date start; /* the term's first day: cum[0] is before it */
	int ndays;
	Money *cum;	   /* cum[i]: net invoiced from start up to day start + i - 1 */
	int qfirst, qlast; /* the report's quarters, as qindex() */
	Date today;
	CompletenessReport *r;
	int cappo, capsig;
} Audit;

/* Net sales from a to b inclusive, clipped to the term. */
static Money net_between(const Audit *a, Date from, Date to)
{
	if (from < a->start)
		from = a->start;
	if (to > a->start + a->ndays - 1)
		to = a->start + a->ndays - 1;
	return to < from ? 0 : a->cum[to - a->start + 1] - a->cum[from - a->start];
}

/* The due date of quarter q: its last day plus the due_days in force then. */
static Date quarter_due(const Audit *a, Quarter q)
{
	Date last = quarter_last_day(q);

	return last + terms_in_force(&a->h, last)->due_days;
}

/* The rate of the fee band, in the schedule in force on day d, that holds
 * max(0, C_Y(d)), Y the fee year of d. */
static Rate fee_rate_on(const Audit *a, Date d)
{
	int contract_years = a->h.ver[0].fee.year == YEAR_CONTRACT;
	int y = sched_year_of(contract_years, a->start, d);
	Money c = 0;

	if (y >= 1 || !contract_years)
		c = net_between(a, sched_year_range(contract_years, a->start, y).first, d);
	return schedule_rate_at(&terms_in_force(&a->h, d)->fee, c > 0 ? c : 0);
}

/* Status, gap and fee at risk of a PO whose amounts are read. */
static void po_judge(const Audit *a, CompletenessPo *p)
{
	Money tol = money_apply_rate(p->register_amount, 5000), diff;

	p->tolerance = tol > 100 ? tol : 100;
	p->pending_until = quarter_due(a, quarter_next(quarter_of(p->po_date)));
	diff = p->register_amount - p->reported_amount;
	if (diff <= p->tolerance && -diff <= p->tolerance)
		p->status = CS_REPORTED;
	else if (a->today <= p->pending_until)
		p->status = CS_PENDING;
	else if (p->reported_amount > p->register_amount + p->tolerance)
		p->status = CS_OVER_REPORTED;
	else if (p->reported_amount > 0)
		p->status = CS_UNDER_REPORTED;
	else
		p->status = CS_UNREPORTED;
	p->gap = p->status == CS_UNDER_REPORTED || p->status == CS_UNREPORTED ? diff : 0;
	p->fee_at_risk = p->gap ? money_apply_rate(p->gap, fee_rate_on(a, p->po_date)) : 0;
}

/* Room for one more PO.  NULL when memory runs out. */
static CompletenessPo *po_add(Audit *a)
{
	CompletenessReport *r = a->r;

	if (r->npo == a->cappo) {
		int cap = a->cappo ? a->cappo * 2 : 64;
		CompletenessPo *p = realloc(r->po, (size_t)cap * sizeof *p);

		if (!p)
			return NULL;
		r->po = p;
		a->cappo = cap;
	}
	memset(&r->po[r->npo], 0, sizeof r->po[0]);
	return &r->po[r->npo++];
}

/* Every live register PO (dated from..to) with its reported amount: the
 * invoiced amount and freight of its order, kept with the ledger (0020,
 * 0025), found in the order's unique index. */
#define REGISTER_COLUMNS                                                                           \
	"SELECT a.code, r.po_number, r.po_date, r.amount, "                                        \
	"  coalesce(o.invoiced_total + o.freight_total, 0) "                                       \
	"FROM live_register_line r JOIN agency a ON a.id = r.agency_id "                           \
	"LEFT JOIN purchase_order o ON o.contract_id = r.contract_id "                             \
	"  AND o.agency_id = r.agency_id AND o.po_number = r.po_number "
static const char register_sql[] =
	REGISTER_COLUMNS "WHERE r.contract_id = ?1 AND r.po_date BETWEEN ?2 AND ?3 "
			 "ORDER BY r.po_date, a.code, r.po_number";

/* The same for agency ?4 alone, its register lines found by agency and
 * then sorted (ordered by po_date as it is, or with the date range on
 * po_date as it is, the planner reads the contract's whole register in
 * its date index). */
static const char register_agency_sql[] = REGISTER_COLUMNS
	"WHERE r.contract_id = ?1 AND r.agency_id = ?4 "
	"AND +r.po_date BETWEEN ?2 AND ?3 ORDER BY +r.po_date, a.code, r.po_number";

/* Read and judge every PO dated from..to of agency id aid (0: of every
 * agency).  OUT: a->r->po. */
static ClCode audit_pos(sqlite3 *db, Audit *a, const char *from, const char *to, int64_t aid,
			Err *e)
{
	CompletenessPo *p;
	ClCode rc, end;
	DbRows q;

	rc = aid ? db_rows(&q, db, e, register_agency_sql, "itti", a->h.id, from, to, aid)
		 : db_rows(&q, db, e, register_sql, "itt", a->h.id, from, to);
	while (!rc && db_rows_next(&q)) {
		if (!(p = po_add(a))) {
			rc = err_set(e, CL_ENOMEM, "out of memory");
			break;
		}
		snprintf(p->agency, sizeof p->agency, "%s",
			 (const char *)sqlite3_column_text(q.st, 0));
		snprintf(p->po_number, sizeof p->po_number, "%s",
			 (const char *)sqlite3_column_text(q.st, 1));
		if (date_parse((const char *)sqlite3_column_text(q.st, 2), &p->po_date, NULL)) {
			rc = err_set(e, CL_EDB, "register PO %s has a damaged date", p->po_number);
			break;
		}
		p->register_amount = sqlite3_column_int64(q.st, 3);
		p->reported_amount = sqlite3_column_int64(q.st, 4);
		po_judge(a, p);
	}
	end = db_rows_end(&q, "reading the registers against the ledger", e);
	return rc ? rc : end;
}

/* The quarters' tallies of the POs read (quarters from a->qfirst to
 * a->qlast, widened to hold every PO).  OUT: a->r->quarter. */
static ClCode audit_quarters(Audit *a, Err *e)
{
	CompletenessReport *r = a->r;
	int i, n;

	if (r->npo > 0 && qindex(quarter_of(r->po[r->npo - 1].po_date)) > a->qlast)
		a->qlast = qindex(quarter_of(r->po[r->npo - 1].po_date));
	n = a->qlast - a->qfirst + 1;
	if (n <= 0)
		return CL_OK;
	if (!(r->quarter = calloc((size_t)n, sizeof *r->quarter)))
		return err_set(e, CL_ENOMEM, "out of memory");
	r->nquarter = n;
	for (i = 0; i < n; i++)
		r->quarter[i].q = qfrom_index(a->qfirst + i);
	for (i = 0; i < r->npo; i++) {
		const CompletenessPo *p = &r->po[i];
		int k = qindex(quarter_of(p->po_date)) - a->qfirst;
		CompletenessQuarter *c;

		if (k < 0 || k >= n)
			continue;
		c = &r->quarter[k];
		c->register_pos++;
		c->register_amount += p->register_amount;
		c->count[p->status]++;
		c->gap += p->gap;
		c->fee_at_risk += p->fee_at_risk;
	}
	return CL_OK;
}

/* Whether quarter index k may carry a signal: its due date has passed,
 * and it and its four previous quarters lie within the term. */
static int signal_quarter(const Audit *a, int k)
{
	Quarter q = qfrom_index(k);
	Date end = terms_in_force(&a->h, quarter_last_day(q))->end;

	return a->today > quarter_due(a, q) && quarter_first_day(q) <= end &&
	       quarter_first_day(qfrom_index(k - 4)) >= a->start;
}

/* Room for one more signal, or NULL. */
static CompletenessSignal *signal_add(Audit *a)
{
	CompletenessReport *r = a->r;

	if (r->nsignal == a->capsig) {
		int cap = a->capsig ? a->capsig * 2 : 16;
		CompletenessSignal *s = realloc(r->signal, (size_t)cap * sizeof *s);

		if (!s)
			return NULL;
		r->signal = s;
		a->capsig = cap;
	}
	memset(&r->signal[r->nsignal], 0, sizeof r->signal[0]);
	return &r->signal[r->nsignal++];
}

/* volume_drop for quarter index k, when 8 x net(Q) < the four before. */
static ClCode signal_volume(Audit *a, int k, Err *e)
{
	char qt[4][QUARTER_BUF], now[QUARTER_BUF], m[6][MONEY_BUF];
	Money net[4], four = 0, this;
	CompletenessSignal *s;
	int i;

	this = net_between(a, quarter_first_day(qfrom_index(k)), quarter_last_day(qfrom_index(k)));
	for (i = 0; i < 4; i++) {
		Quarter q = qfrom_index(k - 4 + i);

		net[i] = net_between(a, quarter_first_day(q), quarter_last_day(q));
		four += net[i];
		quarter_format(q, qt[i]);
	}
	if (8 * this >= four)
		return CL_OK;
	if (!(s = signal_add(a)))
		return err_set(e, CL_ENOMEM, "out of memory");
	s->kind = SIG_VOLUME_DROP;
	s->q = qfrom_index(k);
	snprintf(s->detail, sizeof s->detail,
		 "net sales of contract %s for %s are %s, below half the mean of the four quarters "
		 "before (%s in all: %s %s, %s %s, %s %s, %s %s)",
		 a->r->contract, quarter_format(s->q, now), money_format_human(this, m[5]),
		 money_format_human(four, m[0]), qt[0], money_format_human(net[0], m[1]), qt[1],
		 money_format_human(net[1], m[2]), qt[2], money_format_human(net[2], m[3]), qt[3],
		 money_format_human(net[3], m[4]));
	return CL_OK;
}

/* "2024-Q3: 1 line" into buf (n bytes). */
static const char *lines_in(char *buf, size_t n, int k, int lines)
{
	char qt[QUARTER_BUF];

	snprintf(buf, n, "%s: %d line%s", quarter_format(qfrom_index(k), qt), lines,
		 lines == 1 ? "" : "s");
	return buf;
}

/* member_silent for agency (lines[i]: its live lines in quarter index
 * a->qfirst - 4 + i) in every signal quarter from..to. */
static ClCode signal_silent(Audit *a, const char *agency, const int *lines, int from, int to,
			    Err *e)
{
	char qt[QUARTER_BUF], w[4][40];
	CompletenessSignal *s;
	int k, base = a->qfirst - 4;

	for (k = from; k <= to; k++) {
		const int *c = &lines[k - 4 - base];

		if (!signal_quarter(a, k) || c[4] != 0 || !c[0] || !c[1] || !c[2] || !c[3])
			continue;
		if (!(s = signal_add(a)))
			return err_set(e, CL_ENOMEM, "out of memory");
		s->kind = SIG_MEMBER_SILENT;
		s->q = qfrom_index(k);
		snprintf(s->agency, sizeof s->agency, "%s", agency);
		quarter_format(s->q, qt);
		snprintf(s->detail, sizeof s->detail,
			 "%s bought in each of the four quarters before %s (%s, %s, %s, %s) and "
			 "nothing is reported for %s on contract %s",
			 agency, qt, lines_in(w[0], sizeof w[0], k - 4, c[0]),
			 lines_in(w[1], sizeof w[1], k - 3, c[1]),
			 lines_in(w[2], sizeof w[2], k - 2, c[2]),
			 lines_in(w[3], sizeof w[3], k - 1, c[3]), qt, a->r->contract);
	}
	return CL_OK;
}

/* The contract's net sales by day (the kept sums). */
static const char days_sql[] =
	"SELECT day, invoiced_amount FROM sales_day WHERE contract_id = ?1 AND lines > 0";

/* Each member's months with live lines, member by member (the kept
 * sums, in their key's order): its lines by quarter. */
static const char months_sql[] =
	"SELECT s.agency_id, (SELECT code FROM agency WHERE id = s.agency_id), "
	"  s.month || '-01', s.lines "
	"FROM sales_agency_month s WHERE s.contract_id = ?1 AND s.lines > 0 "
	"ORDER BY s.agency_id, s.month";

/* The net sales by day of the term into a->cum (made here), as running
 * sums. */
static ClCode audit_days(sqlite3 *db, Audit *a, Err *e)
{
	ClCode rc, end;
	DbRows q;
	int i;

	a->start = a->h.ver[0].start;
	a->ndays = terms_last_day(&a->h) - a->start + 1;
	if (a->ndays < 1)
		a->ndays = 1;
	if (!(a->cum = calloc((size_t)a->ndays + 1, sizeof *a->cum)))
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_rows(&q, db, e, days_sql, "i", a->h.id);
	while (!rc && db_rows_next(&q)) {
		Date day;

		if (date_parse((const char *)sqlite3_column_text(q.st, 0), &day, NULL) == CL_OK &&
		    day >= a->start && day - a->start < a->ndays)
			a->cum[day - a->start + 1] += sqlite3_column_int64(q.st, 1);
	}
	end = db_rows_end(&q, "reading the ledger's net sales by day", e);
	for (i = 1; i <= a->ndays; i++)
		a->cum[i] += a->cum[i - 1];
	return rc ? rc : end;
}

/* The net sales by day as running sums (a->cum) and, member by member,
 * the member_silent signals of quarters from..to. */
static ClCode audit_scan_ledger(sqlite3 *db, Audit *a, int from, int to, Err *e)
{
	int n = a->qlast - a->qfirst + 5, base = a->qfirst - 4;
	char agency[33] = "";
	int64_t current = -1;
	ClCode rc, end;
	int *lines;
	DbRows q;

	memset(&q, 0, sizeof q);
	q.step = SQLITE_DONE; /* nothing to end unless the query starts */
	if (n < 5)
		n = 5;
	lines = calloc((size_t)n, sizeof *lines);
	if (!lines)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = audit_days(db, a, e);
	if (!rc)
		rc = db_rows(&q, db, e, months_sql, "i", a->h.id);
	while (!rc && db_rows_next(&q)) {
		Date month;
		int i;

		if (sqlite3_column_int64(q.st, 0) != current) {
			if (current >= 0)
				rc = signal_silent(a, agency, lines, from, to, e);
			memset(lines, 0, (size_t)n * sizeof *lines);
			current = sqlite3_column_int64(q.st, 0);
			snprintf(agency, sizeof agency, "%s",
				 (const char *)sqlite3_column_text(q.st, 1));
		}
		if (date_parse((const char *)sqlite3_column_text(q.st, 2), &month, NULL) != CL_OK)
			continue;
		i = qindex(quarter_of(month)) - base;
		if (i >= 0 && i < n)
			lines[i] += sqlite3_column_int(q.st, 3);
	}
	end = db_rows_end(&q, "reading the ledger by member and month", rc ? NULL : e);
	if (!rc && !end && current >= 0)
		rc = signal_silent(a, agency, lines, from, to, e);
	free(lines);
	return rc ? rc : end;
}

/* The volume_drop signals of quarters from..to (indexes). */
static ClCode audit_volume(Audit *a, int from, int to, Err *e)
{
	ClCode rc = CL_OK;
	int k;

	for (k = from; !rc && k <= to; k++)
		if (signal_quarter(a, k))
			rc = signal_volume(a, k, e);
	return rc;
}

/* By quarter, member_silent before volume_drop, then by agency. */
static int signal_cmp(const void *x, const void *y)
{
	const CompletenessSignal *a = x, *b = y;
	int c = quarter_cmp(a->q, b->q);

	if (!c)
		c = (int)a->kind - (int)b->kind;
	return c ? c : strcmp(a->agency, b->agency);
}

/* The report's quarters: one asked for (inside the term), or from the
 * term's first to today's, stopping at the term's last.  OUT: a->qfirst,
 * a->qlast. */
static ClCode audit_span(Audit *a, const Quarter *period, Err *e)
{
	const Terms *t = terms_latest(&a->h);
	char qt[QUARTER_BUF];

	a->qfirst = qindex(quarter_of(a->start));
	a->qlast = qindex(quarter_of(terms_last_day(&a->h)));
	if (qindex(quarter_of(a->today)) < a->qlast)
		a->qlast = qindex(quarter_of(a->today));
	if (!period)
		return CL_OK;
	if (quarter_last_day(*period) < a->start ||
	    quarter_first_day(*period) > terms_last_day(&a->h))
		return err_set(e, CL_EINPUT, "quarter %s is outside the term of contract %s",
			       quarter_format(*period, qt), t->number);
	a->qfirst = a->qlast = qindex(*period);
	return CL_OK;
}

/* An audit of contract as of today into out (emptied): its terms loaded
 * and its quarters set (period: one).  The caller frees a->h and a->cum. */
static ClCode audit_begin(sqlite3 *db, const char *contract, const Quarter *period, Date today,
			  Audit *a, CompletenessReport *out, Err *e)
{
	ClCode rc;

	memset(out, 0, sizeof *out);
	memset(a, 0, sizeof *a);
	snprintf(out->contract, sizeof out->contract, "%s", contract ? contract : "");
	a->r = out;
	a->today = today;
	rc = terms_history_load(db, contract, &a->h, e);
	if (!rc) {
		a->start = a->h.ver[0].start;
		rc = audit_span(a, period, e);
	}
	return rc;
}

/* The report's quarters reach that of the latest live register PO dated
 * from..to of any agency, as when every agency's POs are read.  OUT:
 * a->qlast. */
static ClCode audit_reach(sqlite3 *db, Audit *a, const char *from, const char *to, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	char last[DATE_BUF] = "";
	Date day;

	db_text(db, last, sizeof last,
		"SELECT r.po_date FROM live_register_line r WHERE r.contract_id = ? "
		"AND r.po_date BETWEEN ? AND ? ORDER BY r.po_date DESC LIMIT 1",
		"itt", a->h.id, from, to);
	if (db_reads_failed(since, "reading the latest register PO", e))
		return CL_EDB;
	if (*last && date_parse(last, &day, NULL) == CL_OK && qindex(quarter_of(day)) > a->qlast)
		a->qlast = qindex(quarter_of(day));
	return CL_OK;
}

/* Keep only agency's member_silent signals in r. */
static void keep_silent_of(CompletenessReport *r, const char *agency)
{
	int i, n = 0;

	for (i = 0; i < r->nsignal; i++)
		if (r->signal[i].kind == SIG_MEMBER_SILENT &&
		    strcmp(r->signal[i].agency, agency) == 0)
			r->signal[n++] = r->signal[i];
	r->nsignal = n;
}

ClCode completeness_report(sqlite3 *db, const char *contract, const Quarter *period, Date today,
			   CompletenessReport *out, Err *e)
{
	return completeness_report_of(db, contract, period, NULL, today, out, e);
}

ClCode completeness_report_of(sqlite3 *db, const char *contract, const Quarter *period,
			      const char *agency, Date today, CompletenessReport *out, Err *e)
{
	char from[DATE_BUF] = "0000-00-00", to[DATE_BUF] = "9999-99-99";
	unsigned long since = db_read_failures(NULL);
	int64_t aid =
		agency ? db_int(db, -1, "SELECT id FROM agency WHERE code = ?", "t", agency) : 0;
	Audit a;
	ClCode rc;
	int sfirst, slast;

	rc = audit_begin(db, contract, period, today, &a, out, e);
	if (!rc && db_reads_failed(since, "reading the agency", e))
		rc = CL_EDB;
	if (!rc && period) {
		date_format(quarter_first_day(*period), from);
		date_format(quarter_last_day(*period), to);
	}
	sfirst = a.qfirst;
	slast = a.qlast;
	if (!rc)
		rc = audit_scan_ledger(db, &a, sfirst, slast, e);
	if (!rc)
		rc = audit_pos(db, &a, from, to, aid, e);
	if (!rc && aid)
		rc = audit_reach(db, &a, from, to, e);
	if (!rc)
		rc = audit_quarters(&a, e);
	if (!rc)
		rc = audit_volume(&a, sfirst, slast, e);
	if (!rc && agency)
		keep_silent_of(out, agency);
	if (!rc && out->nsignal > 0)
		qsort(out->signal, (size_t)out->nsignal, sizeof *out->signal, signal_cmp);
	free(a.cum);
	if (a.h.ver)
		terms_history_free(&a.h);
	if (rc)
		completeness_report_free(out);
	return rc;
}

void completeness_report_free(CompletenessReport *r)
{
	free(r->quarter);
	free(r->po);
	free(r->signal);
	memset(r, 0, sizeof *r);
}
