/* compliance.c — discount compliance; see compliance.h. */
#include "compliance.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "db.h"
#include "money.h"
#include "terms.h"

/* A running total for one key (a quarter or an agency). */
typedef struct Tally {
	char key[40];
	int lines;
	Money overcharge;
} Tally;

/* Running totals kept sorted by key (byte order); t grows as keys come,
 * with no cap on their number. */
typedef struct Tallies {
	Tally *t;
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
			Tally *t = realloc(ts->t, (size_t)cap * sizeof *t);

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

static void add_money(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format(m, buf));
}

static cJSON *tallies_json(const Tallies *ts, const char *name)
{
	cJSON *arr = cJSON_CreateArray();
	int i;

	for (i = 0; i < ts->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, name, ts->t[i].key);
		cJSON_AddNumberToObject(o, "lines", ts->t[i].lines);
		add_money(o, "overcharge", ts->t[i].overcharge);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* One live line of an order, as read. */
typedef struct OrderLine {
	char invoice[65], agency[33], po[65], date[DATE_BUF];
	int line;
	Money list, paid;
} OrderLine;

/* An overcharged line, kept until all are found and sorted. */
typedef struct Finding {
	OrderLine l;
	Rate rate;
	Money expected, over;
} Finding;

typedef struct Scan {
	const Terms *t;
	char from[DATE_BUF], to[DATE_BUF];
	OrderLine *order; /* the current order's lines */
	int norder, caporder;
	Finding *found;
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
	Money total = 0;
	Rate rate;
	int i;

	if (!s->order || s->norder == 0)
		return;
	for (i = 0; i < s->norder; i++)
		total += s->order[i].list;
	rate = schedule_rate_at(&s->t->discounts, total);
	for (i = 0; i < s->norder; i++) {
		const OrderLine *l = &s->order[i];
		Money expected = l->list - money_apply_rate(l->list, rate);
		Money over = l->paid - expected - s->t->price_tolerance;

		if (l->list <= 0 || over <= 0 || strcmp(l->date, s->from) < 0 ||
		    strcmp(l->date, s->to) > 0)
			continue;
		if (s->nfound == s->capfound) {
			Finding *f = grow(s->found, &s->capfound, sizeof *f);

			if (!f) {
				s->nomem = 1;
				return;
			}
			s->found = f;
		}
		s->found[s->nfound++] = (Finding){*l, rate, expected, over};
	}
	s->norder = 0;
}

/* Add a line to the current order.  OUT: the copy. */
static OrderLine *order_add(Scan *s)
{
	if (s->norder == s->caporder) {
		OrderLine *o = grow(s->order, &s->caporder, sizeof *o);

		if (!o) {
			s->nomem = 1;
			return NULL;
		}
		s->order = o;
	}
	return &s->order[s->norder++];
}

static int finding_cmp(const void *a, const void *b)
{
	const Finding *x = a, *y = b;
	int c = strcmp(x->l.date, y->l.date);

	if (!c)
		c = strcmp(x->l.invoice, y->l.invoice);
	return c ? c : x->l.line - y->l.line;
}

/* One overcharged line as JSON. */
static cJSON *finding_json(const Finding *f)
{
	char buf[MONEY_BUF];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "invoice_number", f->l.invoice);
	cJSON_AddNumberToObject(o, "line", f->l.line);
	cJSON_AddStringToObject(o, "agency", f->l.agency);
	cJSON_AddStringToObject(o, "po_number", f->l.po);
	add_money(o, "list_amount", f->l.list);
	cJSON_AddStringToObject(o, "rate", rate_format(f->rate, buf));
	add_money(o, "expected", f->expected);
	add_money(o, "invoiced_amount", f->l.paid);
	add_money(o, "overcharge", f->over);
	cJSON_AddStringToObject(o, "invoice_date", f->l.date);
	return o;
}

/* Orders arrive grouped: (agency, po) in sequence. */
static const char compliance_sql[] =
	"SELECT p.invoice_number, p.line, a.code, p.po_number, p.list_amount, "
	"  p.invoiced_amount, p.invoice_date "
	"FROM live_purchase p JOIN agency a ON a.id = p.agency_id "
	"WHERE p.contract_id = ?1 AND (?2 IS NULL OR a.code = ?2) "
	"ORDER BY p.agency_id, p.po_number";

/* Copy st's current row (compliance_sql) into l. */
static void order_line_read(sqlite3_stmt *st, OrderLine *l)
{
	snprintf(l->invoice, sizeof l->invoice, "%s", (const char *)sqlite3_column_text(st, 0));
	l->line = sqlite3_column_int(st, 1);
	snprintf(l->agency, sizeof l->agency, "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(l->po, sizeof l->po, "%s", (const char *)sqlite3_column_text(st, 3));
	l->list = sqlite3_column_int64(st, 4);
	l->paid = sqlite3_column_int64(st, 5);
	snprintf(l->date, sizeof l->date, "%s", (const char *)sqlite3_column_text(st, 6));
}

/* Read every live line, order by order.  OUT: s->found. */
static ClCode scan_orders(sqlite3 *db, int64_t cid, const char *only_agency, Scan *s, Err *e)
{
	char agency[33] = "", po[65] = "";
	OrderLine *l;
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

/* Add finding f to the overcharges by quarter and by agency. */
static ClCode tally_finding(Tallies *byq, Tallies *bya, const Finding *f, Err *e)
{
	char qt[QUARTER_BUF];
	Date day;

	if (date_parse(f->l.date, &day, NULL))
		return err_set(e, CL_EDB, "invoice %s has a damaged date \"%s\"", f->l.invoice,
			       f->l.date);
	if (tally_add(byq, quarter_format(quarter_of(day), qt), f->over) ||
	    tally_add(bya, f->l.agency, f->over))
		return err_set(e, CL_ENOMEM, "out of memory");
	return CL_OK;
}

cJSON *compliance_report_json(sqlite3 *db, const char *contract, const Quarter *period,
			      const char *only_agency, Err *e)
{
	Tallies byq = {0}, bya = {0};
	Scan s = {0};
	Money total = 0;
	int64_t cid = 0;
	Terms t = {0};
	cJSON *r = NULL, *lines;
	int i;

	snprintf(s.from, sizeof s.from, "0000-00-00");
	snprintf(s.to, sizeof s.to, "9999-99-99");
	s.t = &t;
	if (period) {
		date_format(quarter_first_day(*period), s.from);
		date_format(quarter_last_day(*period), s.to);
	}
	if (contract_load(db, contract, &cid, &t, e) || scan_orders(db, cid, only_agency, &s, e))
		goto out;
	if (s.nfound > 0) /* qsort() wants a non-null base even for no elements */
		qsort(s.found, (size_t)s.nfound, sizeof *s.found, finding_cmp);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "contract", contract);
	lines = cJSON_AddArrayToObject(r, "lines");
	for (i = 0; i < s.nfound; i++) {
		cJSON_AddItemToArray(lines, finding_json(&s.found[i]));
		total += s.found[i].over;
		if (tally_finding(&byq, &bya, &s.found[i], e)) {
			cJSON_Delete(r);
			r = NULL;
			goto out;
		}
	}
	add_money(r, "total_overcharge", total);
	cJSON_AddItemToObject(r, "by_quarter", tallies_json(&byq, "quarter"));
	cJSON_AddItemToObject(r, "by_agency", tallies_json(&bya, "agency"));
out:
	free(s.order);
	free(s.found);
	free(byq.t);
	free(bya.t);
	return r;
}
