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
#include "verify.h"

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

/* Add lines overcharged lines of amount in all to key's tally (keys
 * arrive in any order).  Returns -1, leaving ts as it was, when memory
 * runs out. */
static int tally_add(Tallies *ts, const char *key, int lines, Money amount)
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
	ts->t[i].lines += lines;
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

/* The columns both readings of a line begin with: invoice number, line,
 * agency code, PO number, list amount; the rest of l zeroed. */
static void line_head_read(sqlite3_stmt *st, ComplianceLine *l)
{
	memset(l, 0, sizeof *l);
	snprintf(l->invoice_number, sizeof l->invoice_number, "%s",
		 (const char *)sqlite3_column_text(st, 0));
	l->line = sqlite3_column_int(st, 1);
	snprintf(l->agency, sizeof l->agency, "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(l->po_number, sizeof l->po_number, "%s", (const char *)sqlite3_column_text(st, 3));
	l->list_amount = sqlite3_column_int64(st, 4);
}

/* Copy st's current row (compliance_sql) into l. */
static void order_line_read(sqlite3_stmt *st, ComplianceLine *l)
{
	line_head_read(st, l);
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
	if (tally_add(byq, quarter_format(quarter_of(day), qt), 1, l->overcharge) ||
	    tally_add(bya, l->agency, 1, l->overcharge))
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

ClCode compliance_recompute(sqlite3 *db, const char *contract, const Quarter *period,
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
	out->nline_all = s.nfound;
	if (rc)
		compliance_report_free(out);
	return rc;
}

/* ---- the order aggregate, kept with every ledger write ------------------- */

ClCode compliance_note_amendment(sqlite3 *db, int64_t contract_id, const char *effective, Err *e)
{
	/* the terms in force on days before effective are as they were; the
	 * contract's orders are read in full (no index on first_date: 0024) */
	return db_exec(db, e,
		       "UPDATE purchase_order SET touched = 1 "
		       "WHERE contract_id = ? AND first_date >= ? AND touched = 0",
		       "it", contract_id, effective);
}

/* ---- recomputing the touched orders -------------------------------------- */

/* A touched order as read before it is recomputed. */
typedef struct Touched {
	int64_t id, agency_id, lines;
	Money list_total;
	char po[65], first[DATE_BUF];
} Touched;

/* Orders recomputed per read of the touched ones. */
#define TOUCHED_CHUNK 256

/* Up to TOUCHED_CHUNK touched orders of contract cid.  OUT: t, *n. */
static ClCode touched_read(sqlite3 *db, int64_t cid, Touched *t, int *n, Err *e)
{
	DbRows q;
	ClCode rc;

	*n = 0;
	rc = db_rows(&q, db, e,
		     "SELECT id, agency_id, po_number, lines, list_total, first_date "
		     "FROM purchase_order WHERE contract_id = ? AND touched = 1 LIMIT ?",
		     "ii", cid, (int64_t)TOUCHED_CHUNK);
	while (!rc && db_rows_next(&q)) {
		Touched *o = &t[(*n)++];
		const unsigned char *first = sqlite3_column_text(q.st, 5);

		o->id = sqlite3_column_int64(q.st, 0);
		o->agency_id = sqlite3_column_int64(q.st, 1);
		snprintf(o->po, sizeof o->po, "%s", (const char *)sqlite3_column_text(q.st, 2));
		o->lines = sqlite3_column_int64(q.st, 3);
		o->list_total = sqlite3_column_int64(q.st, 4);
		snprintf(o->first, sizeof o->first, "%s", first ? (const char *)first : "");
	}
	return db_rows_end(&q, "reading the touched orders", e) ? CL_EDB : rc;
}

static const char order_lines_sql[] =
	"SELECT id, invoice_date, invoice_number, line, list_amount, invoiced_amount "
	"FROM live_purchase WHERE agency_id = ?1 AND contract_id = ?2 AND po_number = ?3";

static const char line_store_sql[] =
	"INSERT INTO compliance_line(contract_id, invoice_date, invoice_number, line, "
	"  purchase_id, order_id, agency_id, list_amount, rate, expected, invoiced_amount, "
	"  overcharge) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

static const char order_clear_sql[] = "DELETE FROM compliance_line WHERE order_id = ?";
static const char order_done_sql[] = "UPDATE purchase_order SET touched = 0 WHERE id = ?";
static const char order_id_sql[] =
	"SELECT id FROM purchase_order WHERE contract_id = ? AND agency_id = ? AND po_number = ?";

/* A live line of an order being rated. */
typedef struct RatedLine {
	int64_t purchase_id, line;
	char invoice_number[65], invoice_date[DATE_BUF];
	Money list, invoiced;
} RatedLine;

/* Store line l of order oid (agency aid) of contract cid if it is
 * overcharged under rate and tolerance. */
static ClCode line_store(sqlite3 *db, int64_t cid, int64_t oid, int64_t aid, const RatedLine *l,
			 Rate rate, Money tolerance, Err *e)
{
	Money expected = l->list - money_apply_rate(l->list, rate);
	Money oc = l->invoiced - expected - tolerance;
	sqlite3_stmt *st;
	ClCode rc;

	if (l->list <= 0 || oc <= 0)
		return CL_OK;
	if ((rc = db_prepare_kept(db, &st, line_store_sql, e)))
		return rc;
	db_bind_spec(st, "ittiiiiiiiii", cid, l->invoice_date, l->invoice_number, l->line,
		     l->purchase_id, oid, aid, l->list, (int64_t)rate, expected, l->invoiced, oc);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, e, "storing a compliance line");
	db_release(st);
	return rc;
}

/* Run kept statement sql with one id bound. */
static ClCode kept_id(sqlite3 *db, const char *sql, int64_t id, const char *what, Err *e)
{
	sqlite3_stmt *st;
	ClCode rc = db_prepare_kept(db, &st, sql, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, e, what);
	db_release(st);
	return rc;
}

/* The terms in force on an order's first invoice date (YYYY-MM-DD). */
static const Terms *order_terms(const TermsHistory *h, const char *first)
{
	Date day;

	if (h->n && date_parse(first, &day, NULL) == CL_OK)
		return terms_in_force(h, day);
	return &h->ver[0];
}

/* Recompute order o of contract h->id and store its overcharged lines. */
static ClCode order_refresh(sqlite3 *db, const TermsHistory *h, const Touched *o, Err *e)
{
	const Terms *t = order_terms(h, o->first);
	Rate rate = schedule_rate_at(&t->discounts, o->list_total);
	sqlite3_stmt *st;
	RatedLine l;
	ClCode rc, end;
	DbRows q;

	rc = kept_id(db, order_clear_sql, o->id, "clearing an order's compliance lines", e);
	if (!rc && o->lines > 0 && !(rc = db_prepare_kept(db, &st, order_lines_sql, e))) {
		db_bind_spec(st, "iit", o->agency_id, h->id, o->po);
		db_rows_on(&q, db, st, DB_ROWS_KEPT);
		while (!rc && db_rows_next(&q)) {
			l.purchase_id = sqlite3_column_int64(q.st, 0);
			snprintf(l.invoice_date, sizeof l.invoice_date, "%s",
				 (const char *)sqlite3_column_text(q.st, 1));
			snprintf(l.invoice_number, sizeof l.invoice_number, "%s",
				 (const char *)sqlite3_column_text(q.st, 2));
			l.line = sqlite3_column_int64(q.st, 3);
			l.list = sqlite3_column_int64(q.st, 4);
			l.invoiced = sqlite3_column_int64(q.st, 5);
			rc = line_store(db, h->id, o->id, o->agency_id, &l, rate,
					t->price_tolerance, e);
		}
		end = db_rows_end(&q, "reading an order's lines", e);
		rc = rc ? rc : end;
	}
	if (!rc)
		rc = kept_id(db, order_done_sql, o->id, "marking an order computed", e);
	return rc;
}

/* Recompute the touched orders of contract h->id one by one. */
static ClCode refresh_touched(sqlite3 *db, const TermsHistory *h, Err *e)
{
	Touched *t = malloc(TOUCHED_CHUNK * sizeof *t);
	ClCode rc = CL_OK;
	int i, n = 1;

	if (!t)
		return err_set(e, CL_ENOMEM, "out of memory");
	while (!rc && n > 0) {
		rc = touched_read(db, h->id, t, &n, e);
		for (i = 0; !rc && i < n; i++)
			rc = order_refresh(db, h, &t[i], e);
	}
	free(t);
	return rc;
}

/* One pass over every live line of a contract, order by order. */
typedef struct Pass {
	sqlite3 *db;
	const TermsHistory *h;
	int64_t agency_id;
	char po[65];
	RatedLine *l; /* the current order's lines */
	int n, cap;
} Pass;

/* Rate the order in p and store its overcharged lines. */
static ClCode pass_close(Pass *p, Err *e)
{
	const char *first;
	const Terms *t;
	int64_t oid = 0;
	Money total = 0;
	Rate rate;
	ClCode rc = CL_OK;
	int i;

	if (p->n == 0)
		return CL_OK;
	first = p->l[0].invoice_date;
	for (i = 0; i < p->n; i++) {
		total += p->l[i].list;
		if (strcmp(p->l[i].invoice_date, first) < 0)
			first = p->l[i].invoice_date;
	}
	t = order_terms(p->h, first);
	rate = schedule_rate_at(&t->discounts, total);
	for (i = 0; !rc && i < p->n; i++) {
		const RatedLine *l = &p->l[i];

		if (l->list <= 0 || l->invoiced - (l->list - money_apply_rate(l->list, rate)) -
						    t->price_tolerance <=
					    0)
			continue;
		if (!oid) {
			unsigned long since = db_read_failures(NULL);

			oid = db_int(p->db, 0, order_id_sql, "iit", p->h->id, p->agency_id, p->po);
			if (db_reads_failed(since, "reading an order", e))
				return CL_EDB;
			if (!oid)
				return err_set(
					e, CL_EDB,
					"PO %s has lines but no order totals; run `coopledger "
					"verify`",
					p->po);
		}
		rc = line_store(p->db, p->h->id, oid, p->agency_id, l, rate, t->price_tolerance, e);
	}
	p->n = 0;
	return rc;
}

/* Add st's row (refresh_pass's query) to the order in p, closing the
 * previous order first when this row starts another. */
static ClCode pass_add(Pass *p, sqlite3_stmt *st, Err *e)
{
	int64_t aid = sqlite3_column_int64(st, 3);
	const char *po = (const char *)sqlite3_column_text(st, 4);
	RatedLine *l;
	ClCode rc;

	if (aid != p->agency_id || strcmp(po, p->po) != 0) {
		if ((rc = pass_close(p, e)))
			return rc;
		p->agency_id = aid;
		snprintf(p->po, sizeof p->po, "%s", po);
	}
	if (p->n == p->cap) {
		RatedLine *g = grow(p->l, &p->cap, sizeof *g);

		if (!g)
			return err_set(e, CL_ENOMEM, "out of memory");
		p->l = g;
	}
	l = &p->l[p->n++];
	l->purchase_id = sqlite3_column_int64(st, 0);
	snprintf(l->invoice_number, sizeof l->invoice_number, "%s",
		 (const char *)sqlite3_column_text(st, 1));
	l->line = sqlite3_column_int64(st, 2);
	l->list = sqlite3_column_int64(st, 5);
	l->invoiced = sqlite3_column_int64(st, 6);
	snprintf(l->invoice_date, sizeof l->invoice_date, "%s",
		 (const char *)sqlite3_column_text(st, 7));
	return CL_OK;
}

/* Recompute every order of contract h->id in one pass over its lines:
 * cheaper than order by order once many of them are touched. */
static ClCode refresh_pass(sqlite3 *db, const TermsHistory *h, Err *e)
{
	Pass p = {db, h, 0, "", NULL, 0, 0};
	ClCode rc, end;
	DbRows q;

	/* the month sums first: the lines' trigger then finds none to update */
	rc = db_exec(db, e, "DELETE FROM compliance_month WHERE contract_id = ?", "i", h->id);
	if (!rc)
		rc = db_exec(db, e, "DELETE FROM compliance_line WHERE contract_id = ?", "i",
			     h->id);
	if (rc)
		return rc;
	p.agency_id = -1;
	rc = db_rows(&q, db, e,
		     "SELECT id, invoice_number, line, agency_id, po_number, list_amount, "
		     "invoiced_amount, invoice_date FROM live_purchase WHERE contract_id = ? "
		     "ORDER BY agency_id, po_number",
		     "i", h->id);
	while (!rc && db_rows_next(&q))
		rc = pass_add(&p, q.st, e);
	end = db_rows_end(&q, "reading the contract's lines", e);
	if (!rc && !end)
		rc = pass_close(&p, e);
	free(p.l);
	if (rc || end)
		return rc ? rc : end;
	return db_exec(
		db, e,
		"UPDATE purchase_order SET touched = 0 WHERE contract_id = ? AND touched = 1", "i",
		h->id);
}

/* Touched orders from which one pass over the whole contract is taken
 * (when they are also an eighth of its orders or more). */
#define PASS_FROM 2048

/* Recompute the touched orders of contract h->id, inside the caller's
 * transaction: one by one, or all in one pass when they are many. */
static ClCode refresh_all(sqlite3 *db, const TermsHistory *h, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	int64_t touched = db_int(db, 0,
				 "SELECT count(*) FROM purchase_order "
				 "WHERE contract_id = ? AND touched = 1",
				 "i", h->id);
	int64_t orders = touched < PASS_FROM ? 0
					     : db_int(db, 0,
						      "SELECT count(*) FROM purchase_order "
						      "WHERE contract_id = ?",
						      "i", h->id);

	if (db_reads_failed(since, "counting the touched orders", e))
		return CL_EDB;
	if (touched >= PASS_FROM && 8 * touched >= orders)
		return refresh_pass(db, h, e);
	return refresh_touched(db, h, e);
}

/* Set by compliance_never_wait(). */
static int never_wait;
static void (*refresh_elsewhere)(void);

void compliance_never_wait(void (*elsewhere)(void))
{
	never_wait = 1;
	refresh_elsewhere = elsewhere;
}

/* 1 when a reader is to leave the touched orders of contract cid to
 * refresh_elsewhere: never_wait, and more than COMPLIANCE_READER_MOST of
 * them (counted no further).  0 also when they cannot be counted: the
 * refresh then meets the same failure and reports it. */
static int leave_to_elsewhere(sqlite3 *db, int64_t cid)
{
	int64_t n;

	if (!never_wait || !refresh_elsewhere)
		return 0;
	n = db_int(db, 0,
		   "SELECT count(*) FROM (SELECT 1 FROM purchase_order "
		   "WHERE contract_id = ? AND touched = 1 LIMIT ?)",
		   "ii", cid, (int64_t)COMPLIANCE_READER_MOST + 1);
	if (n <= COMPLIANCE_READER_MOST)
		return 0;
	refresh_elsewhere();
	return 1;
}

/* Bring the stored compliance of contract h->id up to date: recompute the
 * orders touched since the last run, all or none of them.  With
 * never_wait, a refresh that would wait behind another writer is left to
 * the next read (the writer refreshes after its commit). */
static ClCode compliance_refresh(sqlite3 *db, const TermsHistory *h, int reader, Err *e)
{
	int outer = !sqlite3_get_autocommit(db);
	unsigned long since = db_read_failures(NULL);
	int64_t any = db_int(
		db, 0, "SELECT 1 FROM purchase_order WHERE contract_id = ? AND touched = 1 LIMIT 1",
		"i", h->id);
	ClCode rc = CL_OK;

	if (db_reads_failed(since, "looking for the touched orders", e))
		return CL_EDB;
	if (!any || (reader && !outer && leave_to_elsewhere(db, h->id)))
		return CL_OK;
	if (outer) {
		rc = db_exec(db, e, "SAVEPOINT compliance_refresh", "");
	} else if (never_wait) {
		int busy = 0;

		rc = db_begin_now(db, &busy, e);
		if (!rc && busy)
			return CL_OK;
	} else {
		rc = db_begin(db, e);
	}
	if (rc)
		return rc;
	rc = refresh_all(db, h, e);
	if (!rc)
		rc = outer ? db_exec(db, e, "RELEASE compliance_refresh", "") : db_commit(db, e);
	if (rc && outer) {
		Err ignore = {0};

		if (db_exec(db, &ignore, "ROLLBACK TO compliance_refresh", "") == CL_OK &&
		    db_exec(db, &ignore, "RELEASE compliance_refresh", "") != CL_OK)
			db_rollback(db); /* the caller's transaction cannot go on */
	} else if (rc) {
		db_rollback(db);
	}
	return rc;
}

/* compliance_refresh() of every contract with touched orders. */
static ClCode refresh_contracts(sqlite3 *db, int reader, Err *e)
{
	char number[64];
	int64_t after = 0;
	ClCode rc = CL_OK;

	for (;;) {
		TermsHistory h = {0};
		unsigned long since = db_read_failures(NULL);
		int64_t cid = db_int(db, 0,
				     "SELECT min(contract_id) FROM purchase_order "
				     "WHERE touched = 1 AND contract_id > ?",
				     "i", after);

		if (db_reads_failed(since, "looking for the touched orders", e))
			return CL_EDB;
		if (!cid)
			return CL_OK;
		after = cid;
		if (!db_text(db, number, sizeof number, "SELECT number FROM contract WHERE id = ?",
			     "i", cid))
			continue;
		rc = terms_history_load(db, number, &h, e);
		if (!rc)
			rc = compliance_refresh(db, &h, reader, e);
		terms_history_free(&h);
		if (rc)
			return rc;
	}
}

ClCode compliance_refresh_touched(sqlite3 *db, Err *e)
{
	return refresh_contracts(db, 0, e);
}

ClCode compliance_refresh_read(sqlite3 *db, Err *e)
{
	return refresh_contracts(db, 1, e);
}

/* ---- reading the stored results ------------------------------------------ */

#define STORED_COLUMNS                                                                             \
	"SELECT c.invoice_number, c.line, a.code, o.po_number, c.list_amount, c.rate, "            \
	"  c.expected, c.invoiced_amount, c.overcharge, c.invoice_date "                           \
	"FROM compliance_line c JOIN agency a ON a.id = c.agency_id "                              \
	"JOIN purchase_order o ON o.id = c.order_id "

static const char stored_all_sql[] =
	STORED_COLUMNS "WHERE c.contract_id = ?1 AND c.invoice_date BETWEEN ?2 AND ?3 "
		       "ORDER BY c.invoice_date, c.invoice_number, c.line LIMIT ?4 OFFSET ?5";

static const char stored_agency_sql[] =
	STORED_COLUMNS "WHERE c.contract_id = ?1 AND c.invoice_date BETWEEN ?2 AND ?3 "
		       "AND c.agency_id = ?6 "
		       "ORDER BY c.invoice_date, c.invoice_number, c.line LIMIT ?4 OFFSET ?5";

/* The same from the end: the last page read without stepping over the
 * lines before it. */
static const char stored_all_last_sql[] =
	STORED_COLUMNS "WHERE c.contract_id = ?1 AND c.invoice_date BETWEEN ?2 AND ?3 "
		       "ORDER BY c.invoice_date DESC, c.invoice_number DESC, c.line DESC "
		       "LIMIT ?4 OFFSET ?5";

static const char stored_agency_last_sql[] =
	STORED_COLUMNS "WHERE c.contract_id = ?1 AND c.invoice_date BETWEEN ?2 AND ?3 "
		       "AND c.agency_id = ?6 "
		       "ORDER BY c.invoice_date DESC, c.invoice_number DESC, c.line DESC "
		       "LIMIT ?4 OFFSET ?5";

/* Sums by agency and month of the stored lines, for the tallies, from
 * their kept sums (0023): of every agency, or of agency ?4 alone.  A
 * window is whole quarters, so whole months. */
#define SUMS_COLUMNS                                                                               \
	"SELECT a.code, m.month || '-01', m.lines, m.overcharge "                                  \
	"FROM compliance_month m JOIN agency a ON a.id = m.agency_id "                             \
	"WHERE m.contract_id = ?1 AND m.month BETWEEN substr(?2, 1, 7) AND substr(?3, 1, 7) "
static const char sums_sql[] = SUMS_COLUMNS;
static const char sums_agency_sql[] = SUMS_COLUMNS "AND m.agency_id = ?4";

/* Copy st's current row (STORED_COLUMNS) into l. */
static void stored_line_read(sqlite3_stmt *st, ComplianceLine *l)
{
	line_head_read(st, l);
	l->rate = (Rate)sqlite3_column_int64(st, 5);
	l->expected = sqlite3_column_int64(st, 6);
	l->invoiced_amount = sqlite3_column_int64(st, 7);
	l->overcharge = sqlite3_column_int64(st, 8);
	snprintf(l->invoice_date, sizeof l->invoice_date, "%s",
		 (const char *)sqlite3_column_text(st, 9));
}

/* The stored lines limit (0: all) from offset.  OUT: out->line, nline. */
static ClCode stored_lines(sqlite3 *db, int64_t cid, const Scan *w, int64_t aid, long offset,
			   int limit, ComplianceReport *out, Err *e)
{
	/* a page nearer the end is read from the end */
	int from_end = limit > 0 && offset > out->nline_all / 2, cap = 0, i;
	const char *sql = aid ? (from_end ? stored_agency_last_sql : stored_agency_sql)
			      : (from_end ? stored_all_last_sql : stored_all_sql);
	int64_t skip = offset;
	int64_t take = limit > 0 ? limit : -1;
	ClCode rc, end;
	DbRows q;

	if (from_end) {
		take = out->nline_all - offset < limit ? out->nline_all - offset : limit;
		skip = out->nline_all - offset - take;
		if (take <= 0)
			return CL_OK;
	}
	rc = db_rows(&q, db, e, sql, "ittiii", cid, w->from, w->to, take, skip, aid);
	while (!rc && db_rows_next(&q)) {
		if (out->nline == cap) {
			ComplianceLine *l = grow(out->line, &cap, sizeof *l);

			if (!l) {
				rc = err_set(e, CL_ENOMEM, "out of memory");
				break;
			}
			out->line = l;
		}
		stored_line_read(q.st, &out->line[out->nline++]);
	}
	end = db_rows_end(&q, "reading the compliance lines", e);
	for (i = 0; from_end && i < out->nline / 2; i++) {
		ComplianceLine t = out->line[i];

		out->line[i] = out->line[out->nline - 1 - i];
		out->line[out->nline - 1 - i] = t;
	}
	return rc ? rc : end;
}

/* The totals and tallies of every stored line in the window.  OUT: out. */
static ClCode stored_sums(sqlite3 *db, int64_t cid, const Scan *w, int64_t aid,
			  ComplianceReport *out, Err *e)
{
	Tallies byq = {0}, bya = {0};
	char qt[QUARTER_BUF];
	ClCode rc, end;
	Date day;
	DbRows q;

	rc = aid ? db_rows(&q, db, e, sums_agency_sql, "itti", cid, w->from, w->to, aid)
		 : db_rows(&q, db, e, sums_sql, "itt", cid, w->from, w->to);
	while (!rc && db_rows_next(&q)) {
		const char *code = (const char *)sqlite3_column_text(q.st, 0);
		int n = sqlite3_column_int(q.st, 2);
		Money sum = sqlite3_column_int64(q.st, 3);

		if (date_parse((const char *)sqlite3_column_text(q.st, 1), &day, NULL))
			rc = err_set(e, CL_EDB, "a compliance line has a damaged date");
		else if (tally_add(&byq, quarter_format(quarter_of(day), qt), n, sum) ||
			 tally_add(&bya, code, n, sum))
			rc = err_set(e, CL_ENOMEM, "out of memory");
		out->nline_all += n;
		out->total_overcharge += sum;
	}
	end = db_rows_end(&q, "adding up the compliance lines", e);
	out->by_quarter = byq.t;
	out->nquarter = byq.n;
	out->by_agency = bya.t;
	out->nagency = bya.n;
	return rc ? rc : end;
}

ClCode compliance_page(sqlite3 *db, const char *contract, const Quarter *period,
		       const char *only_agency, long offset, int limit, ComplianceReport *out,
		       Err *e)
{
	TermsHistory h = {0};
	int64_t aid = 0;
	Scan w = {0};
	ClCode rc;

	memset(out, 0, sizeof *out);
	snprintf(out->contract, sizeof out->contract, "%s", contract ? contract : "");
	out->offset = offset;
	scan_window(&w, period);
	rc = terms_history_load(db, contract, &h, e);
	if (!rc && only_agency) {
		unsigned long since = db_read_failures(NULL);

		aid = db_int(db, -1, "SELECT id FROM agency WHERE code = ?", "t", only_agency);
		if (aid == 0)
			aid = -1; /* no agency has id 0: nothing matches */
		if (db_reads_failed(since, "reading the agency", e))
			rc = CL_EDB;
	}
	if (!rc)
		rc = compliance_refresh(db, &h, 1, e);
	if (rc == CL_EDB && sqlite3_db_readonly(db, "main") == 1) {
		/* nothing can be stored: compute it all from the lines */
		terms_history_free(&h);
		err_clear(e);
		rc = compliance_recompute(db, contract, period, only_agency, out, e);
		if (!rc && offset == COMPLIANCE_LAST)
			offset = out->nline > limit ? out->nline - limit : 0;
		if (!rc && (offset > 0 || limit != 0))
			compliance_report_cut(out, offset, limit);
		return rc;
	}
	if (!rc)
		rc = stored_sums(db, h.id, &w, aid, out, e);
	if (!rc && offset == COMPLIANCE_LAST)
		out->offset = offset = out->nline_all > limit ? (long)(out->nline_all - limit) : 0;
	if (!rc && limit >= 0)
		rc = stored_lines(db, h.id, &w, aid, offset, limit, out, e);
	terms_history_free(&h);
	if (rc)
		compliance_report_free(out);
	return rc;
}

ClCode compliance_report(sqlite3 *db, const char *contract, const Quarter *period,
			 const char *only_agency, ComplianceReport *out, Err *e)
{
	return compliance_page(db, contract, period, only_agency, 0, 0, out, e);
}

void compliance_report_cut(ComplianceReport *r, long offset, int limit)
{
	long from = offset < r->nline ? offset : r->nline;
	long n = r->nline - from;

	if (limit < 0)
		n = 0;
	else if (limit > 0 && n > limit)
		n = limit;
	if (from > 0)
		memmove(r->line, r->line + from, (size_t)n * sizeof *r->line);
	r->nline = (int)n;
	r->offset = offset;
}

/* ---- verify --------------------------------------------------------------- */

ClCode compliance_verify(sqlite3 *db, int64_t *orders, Err *e)
{
	return verify_lines(db, VERIFY_ORDERS, NULL, orders, e);
}

void compliance_report_free(ComplianceReport *r)
{
	free(r->line);
	free(r->by_quarter);
	free(r->by_agency);
	memset(r, 0, sizeof *r);
}
