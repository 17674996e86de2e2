/* rebate.c — volume rebates; see rebate.h. */
#include "rebate.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "amend.h"
#include "contract.h"
#include "db.h"
#include "terms.h"

/* Remainder order: larger remainder first, then the lower agency code. */
typedef struct Remainder {
	__int128 rem;
	int i;
	const char *agency;
} Remainder;

static int remainder_cmp(const void *a, const void *b)
{
	const Remainder *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return strcmp(x->agency, y->agency);
}

void rebate_allocate(Money total, RebateShare *share, int n)
{
	__int128 sum = 0;
	Remainder *r;
	Money given = 0;
	int i;

	for (i = 0; i < n; i++) {
		share[i].rebate = 0;
		if (share[i].net > 0)
			sum += share[i].net;
	}
	if (total <= 0 || sum == 0 || !(r = calloc((size_t)n, sizeof *r)))
		return;
	for (i = 0; i < n; i++) {
		__int128 b = share[i].net > 0 ? share[i].net : 0, x = (__int128)total * b;

		share[i].rebate = (Money)(x / sum);
		given += share[i].rebate;
		r[i] = (Remainder){x % sum, i, share[i].agency};
	}
	qsort(r, (size_t)n, sizeof *r, remainder_cmp);
	for (i = 0; given < total && i < n; i++, given++)
		share[r[i].i].rebate++;
	free(r);
}

/* Agency by agency in code order, each one's rows of the span found in the
 * key: no sort, no row outside the span read.  ?1 contract, ?2 and ?3 the
 * span's ends (days or months, as the table keeps them). */
static const char shares_of_months[] =
	"SELECT a.code, sum(s.invoiced_amount), sum(s.lines) FROM agency a "
	"CROSS JOIN sales_agency_month s ON s.contract_id = ?1 AND s.agency_id = a.id "
	"AND s.month BETWEEN ?2 AND ?3 GROUP BY a.code ORDER BY a.code";
static const char shares_of_days[] =
	"SELECT a.code, sum(s.invoiced_amount), sum(s.lines) FROM agency a "
	"CROSS JOIN sales_agency_day s ON s.contract_id = ?1 AND s.agency_id = a.id "
	"AND s.day BETWEEN ?2 AND ?3 GROUP BY a.code ORDER BY a.code";

/* An agency's figures over the spans of a year read so far. */
typedef struct SpanSum {
	char agency[33];
	Money net;
	int64_t lines;
} SpanSum;

/* The sums so far, in code order. */
typedef struct SpanSums {
	SpanSum *s;
	int n, cap;
} SpanSums;

static int span_cmp(const void *x, const void *y)
{
	return strcmp(((const SpanSum *)x)->agency, ((const SpanSum *)y)->agency);
}

/* Add each agency's net and live lines in [from, to] by sql (one of the
 * two above) to t, which stays in code order.  OUT: t. */
static ClCode span_add(sqlite3 *db, const char *sql, int64_t cid, const char *from, const char *to,
		       SpanSums *t, Err *e)
{
	int had = t->n, i = 0;
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e, sql, "itt", cid, from, to);
	while (!rc && db_rows_next(&q)) {
		const char *code = (const char *)sqlite3_column_text(q.st, 0);
		SpanSum *x;
		int c = 1;

		while (i < had && (c = strcmp(t->s[i].agency, code)) < 0)
			i++;
		if (i < had && c == 0) {
			x = &t->s[i];
		} else if (t->n == t->cap) {
			x = realloc(t->s, sizeof *x * (size_t)(t->cap * 2));
			if (!x) {
				rc = err_set(e, CL_ENOMEM, "out of memory");
				break;
			}
			t->s = x;
			t->cap *= 2;
			x = memset(&t->s[t->n++], 0, sizeof *x);
		} else {
			x = memset(&t->s[t->n++], 0, sizeof *x);
		}
		if (!x->agency[0])
			snprintf(x->agency, sizeof x->agency, "%s", code);
		x->net += sqlite3_column_int64(q.st, 1);
		x->lines += sqlite3_column_int64(q.st, 2);
	}
	end = db_rows_end(&q, "adding up each agency's net sales", e);
	if (t->n > had) /* agencies the earlier spans lacked: into their place */
		qsort(t->s, (size_t)t->n, sizeof *t->s, span_cmp);
	return rc ? rc : end;
}

/* Each agency's net in [first, last], by agency code, of the agencies
 * with live lines in it: the whole months from the kept months, the days
 * before the first whole month and after the last from the kept days.
 * OUT: *out, *n. */
static ClCode load_shares(sqlite3 *db, int64_t cid, YearRange yr, RebateShare **out, int *n, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF], c[DATE_BUF], d[DATE_BUF];
	int y0, m0, d0, y1, m1, d1, i;
	SpanSums t = {malloc(sizeof *t.s * 64), 0, 64};
	RebateShare *o = NULL;
	Date whole_first, whole_last;
	ClCode rc = CL_OK;

	*n = 0;
	*out = NULL;
	if (!t.s)
		return err_set(e, CL_ENOMEM, "out of memory");
	date_to_ymd(yr.first, &y0, &m0, &d0);
	date_to_ymd(yr.last, &y1, &m1, &d1);
	whole_first = d0 == 1 ? yr.first : date_from_ymd(y0 + m0 / 12, m0 % 12 + 1, 1);
	whole_last = d1 == date_days_in_month(y1, m1) ? yr.last : date_from_ymd(y1, m1, 1) - 1;
	date_format(yr.first, a);
	date_format(yr.last, d);
	if (whole_first > whole_last) { /* not one whole month: the days alone */
		rc = span_add(db, shares_of_days, cid, a, d, &t, e);
	} else {
		date_format(whole_first, b);
		date_format(whole_last, c);
		b[7] = c[7] = '\0'; /* YYYY-MM */
		rc = span_add(db, shares_of_months, cid, b, c, &t, e);
		if (!rc && yr.first < whole_first)
			rc = span_add(db, shares_of_days, cid, a, date_format(whole_first - 1, b),
				      &t, e);
		if (!rc && whole_last < yr.last)
			rc = span_add(db, shares_of_days, cid, date_format(whole_last + 1, c), d,
				      &t, e);
	}
	if (!rc && !(o = malloc(sizeof *o * (size_t)(t.n ? t.n : 1))))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0; o && !rc && i < t.n; i++) {
		if (t.s[i].lines <= 0) /* only agencies with live lines share */
			continue;
		snprintf(o[*n].agency, sizeof o[0].agency, "%s", t.s[i].agency);
		o[*n].net = t.s[i].net;
		o[(*n)++].rebate = 0;
	}
	free(t.s);
	*out = o;
	return rc;
}

/* ---- the shares of a year, kept with their connection ----
 *
 * The statements of a quarter ask for the same rebate year once per
 * member, and adding up a year of a large ledger's agency-days costs more
 * than all the rest of a statement.  So each connection keeps the shares
 * it read last, with the database's data version and the connection's
 * count of changes at that time; a report that finds both unchanged takes
 * a copy instead of reading them again.  A connection's shares are freed
 * when it closes: they are the user data of a function registered on it
 * for that purpose alone, whose destructor SQLite calls on close.  As
 * everywhere in coopledger, a connection serves one thread at a time. */

#define MEMO_MAX 64 /* connections with kept shares; more go without */

typedef struct SharesMemo {
	sqlite3 *db;
	int64_t cid;
	YearRange yr;
	unsigned version;
	sqlite3_int64 changes;
	RebateShare *s;
	int n;
} SharesMemo;

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static SharesMemo *memos[MEMO_MAX];

/* The function the memo hangs on: never called by any query. */
static void memo_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_null(ctx);
}

/* SQLite's destructor of memo_func's user data: the connection closes. */
static void memo_destroy(void *p)
{
	SharesMemo *m = p;
	int i;

	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < MEMO_MAX; i++)
		if (memos[i] == m)
			memos[i] = NULL;
	pthread_mutex_unlock(&memo_lock);
	free(m->s);
	free(m);
}

/* The state of db that kept shares must match.  Returns 0 when SQLite
 * cannot tell its data version (then nothing is kept).  OUT: *version,
 * *changes. */
static int memo_state(sqlite3 *db, unsigned *version, sqlite3_int64 *changes)
{
	*changes = sqlite3_total_changes64(db);
	return sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, version) == SQLITE_OK;
}

/* A copy of the shares db keeps for cid and yr, if they are current.
 * Returns 1 with *out (caller frees) and *n set, else 0. */
static int memo_get(sqlite3 *db, int64_t cid, YearRange yr, unsigned version, sqlite3_int64 changes,
		    RebateShare **out, int *n)
{
	int i, found = 0;

	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < MEMO_MAX && !found; i++) {
		const SharesMemo *m = memos[i];

		if (!m || m->db != db || m->cid != cid || m->yr.first != yr.first ||
		    m->yr.last != yr.last || m->version != version || m->changes != changes)
			continue;
		*out = malloc(sizeof **out * (size_t)(m->n ? m->n : 1));
		if (*out) {
			memcpy(*out, m->s, sizeof **out * (size_t)m->n);
			*n = m->n;
			found = 1;
		}
		break;
	}
	pthread_mutex_unlock(&memo_lock);
	return found;
}

/* db's memo, registered on first use; NULL when there is no room. */
static SharesMemo *memo_of(sqlite3 *db)
{
	SharesMemo *m = NULL;
	int i, slot = -1;

	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < MEMO_MAX && !m; i++) {
		if (memos[i] && memos[i]->db == db)
			m = memos[i];
		else if (!memos[i] && slot < 0)
			slot = i;
	}
	pthread_mutex_unlock(&memo_lock);
	if (m || slot < 0 || !(m = calloc(1, sizeof *m)))
		return m;
	m->db = db;
	if (sqlite3_create_function_v2(db, "coopledger_rebate_memo", 0, SQLITE_UTF8, m, memo_func,
				       NULL, NULL, memo_destroy) != SQLITE_OK)
		return NULL; /* SQLite called memo_destroy(m) */
	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < MEMO_MAX && memos[i]; i++)
		;
	if (i < MEMO_MAX)
		memos[i] = m;
	pthread_mutex_unlock(&memo_lock);
	return i < MEMO_MAX ? m : NULL;
}

/* Keep a copy of the n shares s of cid and yr, read when db was in the
 * state version, changes. */
static void memo_put(sqlite3 *db, int64_t cid, YearRange yr, unsigned version,
		     sqlite3_int64 changes, const RebateShare *s, int n)
{
	SharesMemo *m = memo_of(db);
	RebateShare *copy = malloc(sizeof *copy * (size_t)(n ? n : 1));

	if (!m || !copy) {
		free(copy);
		return;
	}
	if (n)
		memcpy(copy, s, sizeof *copy * (size_t)n);
	pthread_mutex_lock(&memo_lock);
	free(m->s);
	m->s = copy;
	m->n = n;
	m->cid = cid;
	m->yr = yr;
	m->version = version;
	m->changes = changes;
	pthread_mutex_unlock(&memo_lock);
}

/* Each agency's net in yr, by agency code: the connection's kept shares
 * when the database has not changed since they were read.  OUT: *out
 * (caller frees, also on failure), *n. */
static ClCode year_shares(sqlite3 *db, int64_t cid, YearRange yr, RebateShare **out, int *n, Err *e)
{
	sqlite3_int64 changes;
	unsigned version;
	int known = memo_state(db, &version, &changes);
	ClCode rc;

	*out = NULL;
	*n = 0;
	if (known && memo_get(db, cid, yr, version, changes, out, n))
		return CL_OK;
	rc = load_shares(db, cid, yr, out, n, e);
	if (!rc && known)
		memo_put(db, cid, yr, version, changes, *out, *n);
	return rc;
}

int rebate_year_at(const Terms *t, Date day)
{
	int contract_years = t->rebates.year == YEAR_CONTRACT;
	int first = sched_year_of(contract_years, t->start, t->start);
	int last = sched_year_of(contract_years, t->start, t->end);
	int year = sched_year_of(contract_years, t->start, day);

	return year < first ? first : year > last ? last : year;
}

ClCode rebate_current_year(sqlite3 *db, const char *contract, Date today, int *year, Err *e)
{
	Terms t = {0};
	ClCode rc;

	rc = contract_load(db, contract, NULL, &t, e);
	if (rc)
		return rc;
	if (!t.rebates.present)
		return err_set(e, CL_ENOTFOUND, "contract %s has no rebate schedule", contract);
	*year = rebate_year_at(&t, today);
	return CL_OK;
}

static void add_money(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format(m, buf));
}

/* The allocations as a JSON array. */
static cJSON *shares_json(const RebateShare *s, int n)
{
	cJSON *arr = cJSON_CreateArray();
	int i;

	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "agency", s[i].agency);
		add_money(o, "net", s[i].net);
		add_money(o, "rebate", s[i].rebate);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* The figures of a final year as the audit records them: the report
 * before its snapshot, in the JSON of `report rebates`.  Caller frees. */
static cJSON *audit_figures(const RebateReport *r)
{
	char a[DATE_BUF], b[DATE_BUF], rate[MONEY_BUF];
	cJSON *out = cJSON_CreateObject();

	cJSON_AddStringToObject(out, "contract", r->contract);
	cJSON_AddNumberToObject(out, "year", r->year);
	cJSON_AddStringToObject(out, "start", date_format(r->start, a));
	cJSON_AddStringToObject(out, "end", date_format(r->end, b));
	add_money(out, "base", r->base);
	cJSON_AddStringToObject(out, "rate", rate_format(r->rate, rate));
	add_money(out, "total", r->total);
	cJSON_AddStringToObject(out, "status", "final");
	cJSON_AddNullToObject(out, "next_tier");
	cJSON_AddItemToObject(out, "allocations", shares_json(r->share, r->nshare));
	return out;
}

/* Store the year's figures the first time it is reported final, then set
 * the snapshot and true-up of r.  A report dated after the real clock (an
 * --as-of in the future) stores nothing, and a snapshot taken after the
 * report's date is not shown: what the ledger will hold by then is not
 * known yet.  figures (r as JSON) is what the audit records. */
static ClCode snapshot(sqlite3 *db, int64_t cid, const cJSON *figures, const RebateShare *s, int n,
		       Date today, const char *actor, RebateReport *r, Err *e)
{
	char day[DATE_BUF], now[TIMESTAMP_BUF], key[96], taken[DATE_BUF];
	int64_t snap_total, year = r->year;
	ClCode rc = CL_OK;

	Date clock;

	if (date_today(NULL, &clock, NULL))
		clock = today;
	if (!db_int(db, 0, "SELECT 1 FROM rebate_snapshot WHERE contract_id = ? AND year = ?", "ii",
		    cid, year)) {
		if (today > clock)
			return CL_OK;
		cJSON *alloc = shares_json(s, n);
		char *json = cJSON_PrintUnformatted(alloc), *fig = cJSON_PrintUnformatted(figures);

		snprintf(key, sizeof key, "%lld/%d", (long long)cid, r->year);
		rc = db_begin(db, e);
		if (!rc)
			rc = db_exec(
				db, e,
				/* a report running at the same time may have stored it
				 * first: then that one stands, and is the one audited */
				"INSERT INTO rebate_snapshot(contract_id, year, base, rate, total, "
				"allocations, taken_on, created_at) VALUES (?,?,?,?,?,?,?,?) "
				"ON CONFLICT DO NOTHING",
				"iiiiittt", cid, year, r->base, r->rate, r->total, json,
				date_format(today, day), db_timestamp(now));
		if (!rc && sqlite3_changes(db) == 1)
			rc = audit_record(db, actor, "rebate.finalize", "rebate", key, NULL, fig,
					  e);
		if (!rc)
			rc = db_commit(db, e);
		else
			db_rollback(db);
		cJSON_free(json);
		cJSON_free(fig);
		cJSON_Delete(alloc);
		if (rc)
			return rc;
	}
	snap_total = db_int(db, 0,
			    "SELECT total FROM rebate_snapshot WHERE contract_id = ? AND year = ?",
			    "ii", cid, year);
	db_text(db, taken, sizeof taken,
		"SELECT taken_on FROM rebate_snapshot WHERE contract_id = ? AND year = ?", "ii",
		cid, year);
	if (strcmp(taken, date_format(today, day)) > 0)
		return CL_OK;
	r->has_snapshot = 1;
	snprintf(r->snapshot_taken, sizeof r->snapshot_taken, "%s", taken);
	r->snapshot_base =
		db_int(db, 0, "SELECT base FROM rebate_snapshot WHERE contract_id = ? AND year = ?",
		       "ii", cid, year);
	r->snapshot_total = snap_total;
	r->true_up = r->total - snap_total;
	return CL_OK;
}

/* The next tier to unlock above base, if any.  OUT: *next. */
static void next_tier(const Schedule *s, Money base, RebateNext *next)
{
	int k = schedule_next_band(s, base);

	memset(next, 0, sizeof *next);
	if (k < 0)
		return;
	next->present = 1;
	next->from = s->band[k].from;
	next->rate = s->band[k].rate;
	next->remaining = s->band[k].from - base;
}

/* Keep in r the shares of only (all when NULL).  OUT: r->share, r->nshare. */
static ClCode keep_shares(RebateReport *r, const RebateShare *s, int n, const char *only, Err *e)
{
	int i;

	r->share = malloc(sizeof *r->share * (size_t)(n ? n : 1));
	if (!r->share)
		return err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (!only || strcmp(only, s[i].agency) == 0)
			r->share[r->nshare++] = s[i];
	return CL_OK;
}

void rebate_report_free(RebateReport *r)
{
	free(r->share);
	r->share = NULL;
	r->nshare = 0;
}

ClCode rebate_report(sqlite3 *db, const char *contract, int year, Date today,
		     const char *only_agency, const char *actor, RebateReport *out, Err *e)
{
	RebateShare *s = NULL;
	TermsHistory h = {0};
	const Terms *t;
	const Schedule *sched;
	int64_t cid;
	YearRange yr;
	cJSON *fig;
	int n = 0, i;
	ClCode rc;

	memset(out, 0, sizeof *out);
	snprintf(out->contract, sizeof out->contract, "%s", contract ? contract : "");
	if ((rc = terms_history_load(db, contract, &h, e)))
		return rc;
	t = terms_latest(&h);
	cid = h.id;
	if (!t->rebates.present) {
		rc = err_set(e, CL_ENOTFOUND, "contract %s has no rebate schedule", contract);
		goto out;
	}
	yr = sched_year_range(t->rebates.year == YEAR_CONTRACT, t->start, year);
	if (year < 1 || yr.last < t->start || yr.first > t->end) {
		rc = err_set(e, CL_EINPUT, "contract %s has no rebate year %d", contract, year);
		goto out;
	}
	/* a rebate year keeps the schedule in force on its first day (4.6) */
	sched = &terms_in_force(&h, yr.first)->rebates;
	if ((rc = year_shares(db, cid, yr, &s, &n, e)))
		goto out;
	out->year = year;
	out->start = yr.first;
	out->end = yr.last;
	for (i = 0; i < n; i++)
		out->base += s[i].net;
	out->total = out->base > 0 && sched->present ? schedule_amount(sched, out->base) : 0;
	out->rate = sched->present ? schedule_rate_at(sched, out->base) : 0;
	rebate_allocate(out->total, s, n);
	out->final = today > yr.last;
	if (!out->final && sched->present)
		next_tier(sched, out->base, &out->next_tier);
	if ((rc = keep_shares(out, s, n, only_agency, e)))
		goto out;
	if (out->final) {
		fig = audit_figures(out);
		rc = snapshot(db, cid, fig, s, n, today, actor, out, e);
		cJSON_Delete(fig);
	}
out:
	free(s);
	terms_history_free(&h);
	return rc;
}
