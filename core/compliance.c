/* compliance.c — discount compliance; see compliance.h. */
#include "compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "contract.h"
#include "db.h"
#include "money.h"
#include "terms.h"

/* Running totals kept sorted by key (byte order); t grows as keys come,
 * with no cap on their number. */
typedef struct Tallies {
	ComplianceTally *t;
	int n, cap;
} Tallies;

/* Where key is in ts, or where it would go.  OUT: *found. */
static int tally_find(const Tallies *ts, const char *key, int *found)
{
	int lo = 0, hi = ts->n;

	*found = 0;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(ts->t[mid].key, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add one overcharged line to key's tally (keys arrive in any order).
 * Returns -1, leaving ts as it was, when memory runs out. */
static int tally_add(Tallies *ts, const char *key, Money amount)
{
	int found, i = tally_find(ts, key, &found);

	if (!found) {
		if (ts->n == ts->cap) {
			int cap = ts->cap ? ts->cap * 2 : 16;
			ComplianceTally *t = realloc(ts->t, (size_t)cap * sizeof *t);

			if (!t)
				return -1;
			ts->t = t;
			ts->cap = cap;
		}
		memmove(&ts->t[i + 1], &ts->t[i], (size_t)(ts->n - i) * sizeof ts->t[0]);
		memset(&ts->t[i], 0, sizeof ts->t[0]);
		snprintf(ts->t[i].key, sizeof ts->t[i].key, "%s", key);
		ts->n++;
	}
	ts->t[i].lines++;
	ts->t[i].overcharge += amount;
	return 0;
}

typedef struct Scan {
	const TermsHistory *h;
	char from[DATE_BUF], to[DATE_BUF];
	ComplianceLine *order; /* the current order's lines, as read */
	int norder, caporder;
	ComplianceLine *found; /* the overcharged lines, rated */
	int nfound, capfound;
	int nomem;
} Scan;

static void *grow(void *p, int *cap, size_t size)
{
	int n = *cap ? *cap * 2 : 64;
	void *q = realloc(p, (size_t)n * size);

	if (q)
		*cap = n;
	return q;
}

/* Rate the finished order and keep its overcharged lines in the window. */
static void order_close(Scan *s)
{
	const char *earliest;
	const Terms *t;
	Money total = 0;
	Rate rate;
	Date day;
	int i;

	if (!s->order || s->norder == 0)
		return;
	earliest = s->order[0].invoice_date;
	for (i = 0; i < s->norder; i++) {
		total += s->order[i].list_amount;
		if (strcmp(s->order[i].invoice_date, earliest) < 0)
			earliest = s->order[i].invoice_date;
	}
	/* the order's tiers and tolerance: those in force on its first invoice */
	t = s->h->n && date_parse(earliest, &day, NULL) == CL_OK ? terms_in_force(s->h, day)
								 : &s->h->ver[0];
	rate = schedule_rate_at(&t->discounts, total);
	for (i = 0; i < s->norder; i++) {
		ComplianceLine *l = &s->order[i];

		l->rate = rate;
		l->expected = l->list_amount - money_apply_rate(l->list_amount, rate);
		l->overcharge = l->invoiced_amount - l->expected - t->price_tolerance;
		if (l->list_amount <= 0 || l->overcharge <= 0 ||
		    strcmp(l->invoice_date, s->from) < 0 || strcmp(l->invoice_date, s->to) > 0)
			continue;
		if (s->nfound == s->capfound) {
			ComplianceLine *f = grow(s->found, &s->capfound, sizeof *f);

			if (!f) {
				s->nomem = 1;
				return;
			}
			s->found = f;
		}
		s->found[s->nfound++] = *l;
	}
	s->norder = 0;
}

/* Add a line to the current order.  OUT: the copy. */
static ComplianceLine *order_add(Scan *s)
{
	if (s->norder == s->caporder) {
		ComplianceLine *o = grow(s->order, &s->caporder, sizeof *o);

		if (!o) {
			s->nomem = 1;
			return NULL;
		}
		s->order = o;
	}
	return &s->order[s->norder++];
}

/* By date, invoice and line. */
static int line_cmp(const void *a, const void *b)
{
	const ComplianceLine *x = a, *y = b;
	int c = strcmp(x->invoice_date, y->invoice_date);

	if (!c)
		c = strcmp(x->invoice_number, y->invoice_number);
	return c ? c : x->line - y->line;
}

/* Orders arrive grouped: (agency, po) in sequence. */
static const char compliance_sql[] =
	"SELECT p.invoice_number, p.line, a.code, p.po_number, p.list_amount, "
	"  p.invoiced_amount, p.invoice_date "
	"FROM live_purchase p JOIN agency a ON a.id = p.agency_id "
	"WHERE p.contract_id = ?1 AND (?2 IS NULL OR a.code = ?2) "
	"ORDER BY p.agency_id, p.po_number";

/* Copy st's current row (compliance_sql) into l. */
static void order_line_read(sqlite3_stmt *st, ComplianceLine *l)
{
	memset(l, 0, sizeof *l);
	snprintf(l->invoice_number, sizeof l->invoice_number, "%s",
		 (const char *)sqlite3_column_text(st, 0));
	l->line = sqlite3_column_int(st, 1);
	snprintf(l->agency, sizeof l->agency, "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(l->po_number, sizeof l->po_number, "%s", (const char *)sqlite3_column_text(st, 3));
	l->list_amount = sqlite3_column_int64(st, 4);
	l->invoiced_amount = sqlite3_column_int64(st, 5);
	snprintf(l->invoice_date, sizeof l->invoice_date, "%s",
		 (const char *)sqlite3_column_text(st, 6));
}

/* Read every live line, order by order.  OUT: s->found. */
static ClCode scan_orders(sqlite3 *db, int64_t cid, const char *only_agency, Scan *s, Err *e)
{
	char agency[33] = "", po[65] = "";
	ComplianceLine *l;
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e, compliance_sql, "it", cid, only_agency);
	while (!rc && !s->nomem && db_rows_next(&q)) {
		const char *a = (const char *)sqlite3_column_text(q.st, 2);
		const char *p = (const char *)sqlite3_column_text(q.st, 3);

		if (strcmp(a, agency) != 0 || strcmp(p, po) != 0) {
			order_close(s);
			snprintf(agency, sizeof agency, "%s", a);
			snprintf(po, sizeof po, "%s", p);
		}
		if ((l = order_add(s)))
			order_line_read(q.st, l);
	}
	end = db_rows_end(&q, "reading the orders", e);
	if (rc)
		return rc;
	order_close(s);
	if (s->nomem)
		return err_set(e, CL_ENOMEM, "out of memory");
	return end;
}

/* Add overcharged line l to the tallies by quarter and by agency. */
static ClCode tally_line(Tallies *byq, Tallies *bya, const ComplianceLine *l, Err *e)
{
	char qt[QUARTER_BUF];
	Date day;

	if (date_parse(l->invoice_date, &day, NULL))
		return err_set(e, CL_EDB, "invoice %s has a damaged date \"%s\"", l->invoice_number,
			       l->invoice_date);
	if (tally_add(byq, quarter_format(quarter_of(day), qt), l->overcharge) ||
	    tally_add(bya, l->agency, l->overcharge))
		return err_set(e, CL_ENOMEM, "out of memory");
	return CL_OK;
}

/* The dates a period keeps (all when NULL), as text: ISO dates compare as
 * strings.  OUT: s->from, s->to. */
static void scan_window(Scan *s, const Quarter *period)
{
	snprintf(s->from, sizeof s->from, "0000-00-00");
	snprintf(s->to, sizeof s->to, "9999-99-99");
	if (period) {
		date_format(quarter_first_day(*period), s->from);
		date_format(quarter_last_day(*period), s->to);
	}
}

ClCode compliance_report(sqlite3 *db, const char *contract, const Quarter *period,
			 const char *only_agency, ComplianceReport *out, Err *e)
{
	Tallies byq = {0}, bya = {0};
	TermsHistory h = {0};
	Scan s = {0};
	ClCode rc;
	int i;

	memset(out, 0, sizeof *out);
	snprintf(out->contract, sizeof out->contract, "%s", contract ? contract : "");
	scan_window(&s, period);
	s.h = &h;
	rc = terms_history_load(db, contract, &h, e);
	if (!rc)
		rc = scan_orders(db, h.id, only_agency, &s, e);
	if (!rc && s.nfound > 0) /* qsort() wants a non-null base even for no elements */
		qsort(s.found, (size_t)s.nfound, sizeof *s.found, line_cmp);
	for (i = 0; !rc && i < s.nfound; i++) {
		out->total_overcharge += s.found[i].overcharge;
		rc = tally_line(&byq, &bya, &s.found[i], e);
	}
	free(s.order);
	terms_history_free(&h);
	out->line = s.found;
	out->nline = s.nfound;
	out->by_quarter = byq.t;
	out->nquarter = byq.n;
	out->by_agency = bya.t;
	out->nagency = bya.n;
	if (rc)
		compliance_report_free(out);
	return rc;
}

void compliance_report_free(ComplianceReport *r)
{
	free(r->line);
	free(r->by_quarter);
	free(r->by_agency);
	memset(r, 0, sizeof *r);
}
