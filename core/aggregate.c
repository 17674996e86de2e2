/* aggregate.c — the net sales kept as the ledger is written, and their
 * check against the lines; see aggregate.h.  The ledger adds its rows
 * here and flushes before it commits: one upsert per contract, agency and
 * day touched rather than per line.  (A trigger would keep the tables
 * without the flush, but makes every ledger insert a multi-row statement,
 * which SQLite journals page by page: three times the cost of a line.) */
#include "aggregate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "money.h"

static const char add_day[] =
	"INSERT INTO sales_day (contract_id, day, lines, list_amount, invoiced_amount) "
	"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (contract_id, day) DO UPDATE SET "
	"lines = lines + excluded.lines, list_amount = list_amount + excluded.list_amount, "
	"invoiced_amount = invoiced_amount + excluded.invoiced_amount";
static const char add_agency_day[] =
	"INSERT INTO sales_agency_day (contract_id, day, lines, list_amount, invoiced_amount, "
	"agency_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	"ON CONFLICT (contract_id, agency_id, day) DO UPDATE SET "
	"lines = lines + excluded.lines, list_amount = list_amount + excluded.list_amount, "
	"invoiced_amount = invoiced_amount + excluded.invoiced_amount";

static const char add_agency_month[] =
	"INSERT INTO sales_agency_month (contract_id, month, lines, list_amount, "
	"invoiced_amount, agency_id) VALUES (?1, substr(?2, 1, 7), ?3, ?4, ?5, ?6) "
	"ON CONFLICT (contract_id, agency_id, month) DO UPDATE SET "
	"lines = lines + excluded.lines, list_amount = list_amount + excluded.list_amount, "
	"invoiced_amount = invoiced_amount + excluded.invoiced_amount";

#define SLOTS	 8192	     /* open addressing, a power of two */
#define FLUSH_AT (SLOTS / 2) /* keys held before a flush */

typedef struct Sum {
	int64_t contract_id, agency_id; /* contract_id 0: an empty slot */
	char day[DATE_BUF];
	int64_t lines;
	Money list, invoiced;
} Sum;

struct AggregatePending {
	sqlite3 *db;
	sqlite3_stmt *day, *agency_day, *agency_month;
	int used;
	Sum slot[SLOTS];
	Sum sorted[FLUSH_AT]; /* the used slots, copied and sorted for the flush */
};

ClCode aggregate_open(sqlite3 *db, AggregatePending **out, Err *e)
{
	AggregatePending *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p)
		return err_set(e, CL_ENOMEM, "out of memory");
	p->db = db;
	if (db_prepare(db, &p->day, add_day, e) ||
	    db_prepare(db, &p->agency_day, add_agency_day, e) ||
	    db_prepare(db, &p->agency_month, add_agency_month, e)) {
		aggregate_close(p);
		return CL_EDB;
	}
	*out = p;
	return CL_OK;
}

void aggregate_close(AggregatePending *p)
{
	if (!p)
		return;
	sqlite3_finalize(p->day);
	sqlite3_finalize(p->agency_day);
	sqlite3_finalize(p->agency_month);
	free(p);
}

static uint32_t key_hash(int64_t c, int64_t a, const char *day)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *s = (const unsigned char *)day;

	h = (h ^ (uint64_t)c) * 1099511628211ULL;
	h = (h ^ (uint64_t)a) * 1099511628211ULL;
	while (*s)
		h = (h ^ *s++) * 1099511628211ULL;
	return (uint32_t)(h ^ (h >> 29));
}

/* (contract, day, agency): the order sales_day's upserts are summed in. */
static int by_contract_day(const void *x, const void *y)
{
	const Sum *a = x, *b = y;
	int c;

	if (a->contract_id != b->contract_id)
		return a->contract_id < b->contract_id ? -1 : 1;
	c = strcmp(a->day, b->day);
	if (c)
		return c;
	return (a->agency_id > b->agency_id) - (a->agency_id < b->agency_id);
}

/* (contract, agency, day): the order sales_agency_month's upserts are
 * summed in. */
static int by_agency_day(const void *x, const void *y)
{
	const Sum *a = x, *b = y;

	if (a->contract_id != b->contract_id)
		return a->contract_id < b->contract_id ? -1 : 1;
	if (a->agency_id != b->agency_id)
		return a->agency_id < b->agency_id ? -1 : 1;
	return strcmp(a->day, b->day);
}

/* A sum of day's net sales past 64 bits: the lines are refused. */
static ClCode overflow(const char *day, Err *e)
{
	return err_set(e, CL_EINPUT,
		       "integer overflow: the net sales of one contract on %s would pass the "
		       "largest sum the books can hold",
		       day);
}

/* SQLITE_DONE, or the failing step's code. */
static int upsert(sqlite3_stmt *st, const Sum *s, int with_agency)
{
	int rc;

	sqlite3_bind_int64(st, 1, s->contract_id);
	sqlite3_bind_text(st, 2, s->day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->lines);
	sqlite3_bind_int64(st, 4, s->list);
	sqlite3_bind_int64(st, 5, s->invoiced);
	if (with_agency)
		sqlite3_bind_int64(st, 6, s->agency_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

/* The message for a failed upsert of s: a sum past 64 bits (the tables'
 * CHECK) is named as such; anything else is the database's. */
static ClCode upsert_failed(AggregatePending *p, const Sum *s, Err *e)
{
	if (sqlite3_extended_errcode(p->db) == SQLITE_CONSTRAINT_CHECK)
		return overflow(s->day, e);
	return db_error(p->db, e, "adding the lines to the kept net sales");
}

int aggregate_pending(const AggregatePending *p)
{
	return p && p->used > 0;
}

/* The sorted sums x[0..n) added up by contract, agency and month into
 * sales_agency_month.  OUT: *failed, the sum that failed, if any. */
static void flush_months(AggregatePending *p, Sum *x, int n, const Sum **failed)
{
	Sum month = {0};
	int i;

	qsort(x, (size_t)n, sizeof *x, by_agency_day);
	for (i = 0; !*failed && i < n; i++) {
		month = x[i];
		while (!*failed && i + 1 < n && x[i + 1].contract_id == month.contract_id &&
		       x[i + 1].agency_id == month.agency_id &&
		       strncmp(x[i + 1].day, month.day, 7) == 0) {
			const Sum *s = &x[++i];

			if (__builtin_add_overflow(month.list, s->list, &month.list) ||
			    __builtin_add_overflow(month.invoiced, s->invoiced, &month.invoiced))
				*failed = s;
			month.lines += s->lines;
		}
		if (!*failed && upsert(p->agency_month, &month, 1) != SQLITE_DONE)
			*failed = &x[i];
	}
}

ClCode aggregate_flush(AggregatePending *p, Err *e)
{
	const Sum *failed = NULL;
	Sum day = {0}, *x = p->sorted;
	int i, n = 0;

	for (i = 0; i < SLOTS; i++)
		if (p->slot[i].contract_id)
			p->sorted[n++] = p->slot[i];
	memset(p->slot, 0, sizeof p->slot);
	p->used = 0;
	qsort(p->sorted, (size_t)n, sizeof p->sorted[0], by_contract_day);
	for (i = 0; !failed && i < n; i++) {
		day = x[i];
		if (upsert(p->agency_day, &x[i], 1) != SQLITE_DONE)
			failed = &x[i];
		while (!failed && i + 1 < n && x[i + 1].contract_id == day.contract_id &&
		       strcmp(x[i + 1].day, day.day) == 0) {
			const Sum *s = &x[++i];

			if (upsert(p->agency_day, s, 1) != SQLITE_DONE ||
			    __builtin_add_overflow(day.list, s->list, &day.list) ||
			    __builtin_add_overflow(day.invoiced, s->invoiced, &day.invoiced))
				failed = s;
			day.lines += s->lines;
		}
		if (!failed && upsert(p->day, &day, 0) != SQLITE_DONE)
			failed = &day;
	}
	if (!failed)
		flush_months(p, x, n, &failed);
	if (!failed)
		return CL_OK;
	if (sqlite3_errcode(p->db) == SQLITE_OK || sqlite3_errcode(p->db) == SQLITE_DONE)
		return overflow(failed->day, e);
	return upsert_failed(p, failed, e);
}

ClCode aggregate_add(AggregatePending *p, int64_t contract_id, int64_t agency_id, const char *day,
		     int reversal, Money list, Money invoiced, Err *e)
{
	uint32_t i = key_hash(contract_id, agency_id, day) & (SLOTS - 1);
	Sum *s;

	for (;; i = (i + 1) & (SLOTS - 1)) {
		s = &p->slot[i];
		if (!s->contract_id || (s->contract_id == contract_id &&
					s->agency_id == agency_id && strcmp(s->day, day) == 0))
			break;
	}
	if (!s->contract_id) {
		if (p->used == FLUSH_AT) {
			ClCode rc = aggregate_flush(p, e);

			if (rc)
				return rc;
			return aggregate_add(p, contract_id, agency_id, day, reversal, list,
					     invoiced, e);
		}
		s->contract_id = contract_id;
		s->agency_id = agency_id;
		snprintf(s->day, sizeof s->day, "%s", day);
		s->lines = s->list = s->invoiced = 0;
		p->used++;
	}
	s->lines += reversal ? -1 : 1;
	if (__builtin_add_overflow(s->list, list, &s->list) ||
	    __builtin_add_overflow(s->invoiced, invoiced, &s->invoiced))
		return overflow(day, e);
	return CL_OK;
}

/* One contract, agency and day: the sums recomputed from the lines, or
 * those kept, as a difference names them. */
typedef struct Fig {
	int present;
	int64_t lines;
	Money list, invoiced;
} Fig;

/* A difference found: where, and both sides. */
typedef struct Diff {
	int64_t contract_id, agency_id; /* agency_id 0: a sales_day row */
	char day[DATE_BUF];
	Fig want, kept;
} Diff;

static void fig_text(const Fig *f, char *out, size_t n)
{
	char l[MONEY_BUF], v[MONEY_BUF];

	if (!f->present)
		snprintf(out, n, "no row");
	else
		snprintf(out, n, "%" PRId64 " lines, list %s, invoiced %s", f->lines,
			 money_format(f->list, l), money_format(f->invoiced, v));
}

/* CL_ERULE naming the difference d of table against what from gives. */
static ClCode name_diff(sqlite3 *db, const Diff *d, const char *table, const char *from, Err *e)
{
	char want[128], kept[128], number[64] = "?", agency[64] = "";

	db_text(db, number, sizeof number, "SELECT number FROM contract WHERE id = ?", "i",
		d->contract_id);
	if (d->agency_id)
		db_text(db, agency, sizeof agency, "SELECT code FROM agency WHERE id = ?", "i",
			d->agency_id);
	fig_text(&d->want, want, sizeof want);
	fig_text(&d->kept, kept, sizeof kept);
	return err_set(e, CL_ERULE, "%s for contract %s%s%s on %s holds %s, but %s give %s", table,
		       number, *agency ? ", agency " : "", agency, d->day, kept, from, want);
}

/* The ledger's rows summed by contract, agency and day in memory, from
 * one pass over the table in its own order (no sort, no index), so that
 * verify reads the ledger at the disk's pace.  The day is kept as
 * YYYYMMDD. */
typedef struct Recount {
	int64_t contract_id, agency_id; /* contract_id 0: empty */
	int32_t day;
	int seen; /* a kept row was found for it */
	int64_t lines;
	Money list, invoiced;
} Recount;

typedef struct RecountMap {
	Recount *slot;
	size_t cap, used; /* cap a power of two */
} RecountMap;

static int32_t day_key(const unsigned char *t)
{
	if (!t)
		return 0;
	return (t[0] - '0') * 10000000 + (t[1] - '0') * 1000000 + (t[2] - '0') * 100000 +
	       (t[3] - '0') * 10000 + (t[5] - '0') * 1000 + (t[6] - '0') * 100 + (t[8] - '0') * 10 +
	       (t[9] - '0');
}

static size_t recount_hash(int64_t c, int64_t a, int32_t d)
{
	uint64_t h = (uint64_t)c * 0x9E3779B97F4A7C15ULL;

	h ^= (uint64_t)a * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2);
	h ^= (uint64_t)(uint32_t)d * 0x165667B19E3779F9ULL + (h << 6) + (h >> 2);
	return (size_t)(h ^ (h >> 31));
}

static Recount *recount_find(RecountMap *m, int64_t c, int64_t a, int32_t d)
{
	size_t i = recount_hash(c, a, d) & (m->cap - 1);

	while (m->slot[i].contract_id &&
	       (m->slot[i].contract_id != c || m->slot[i].agency_id != a || m->slot[i].day != d))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static int recount_grow(RecountMap *m)
{
	RecountMap g = {calloc(m->cap * 2, sizeof *g.slot), m->cap * 2, m->used};
	size_t i;

	if (!g.slot)
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->slot[i].contract_id)
			*recount_find(&g, m->slot[i].contract_id, m->slot[i].agency_id,
				      m->slot[i].day) = m->slot[i];
	free(m->slot);
	*m = g;
	return 0;
}

/* Every ledger row into m.  A contract id is never 0 (INTEGER PRIMARY
 * KEY from 1), so 0 marks an empty slot. */
static ClCode recount_lines(sqlite3 *db, RecountMap *m, Err *e)
{
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT contract_id, agency_id, invoice_date, reverses_id IS NULL, "
		     "list_amount, invoiced_amount FROM purchase NOT INDEXED",
		     "");
	while (!rc && db_rows_next(&q)) {
		sqlite3_stmt *st = q.st;
		int64_t c = sqlite3_column_int64(st, 0), a = sqlite3_column_int64(st, 1);
		int32_t d = day_key(sqlite3_column_text(st, 2));
		Recount *r;

		if (m->used * 2 >= m->cap && recount_grow(m)) {
			rc = err_set(e, CL_ENOMEM, "out of memory recounting the net sales");
			break;
		}
		r = recount_find(m, c, a, d);
		if (!r->contract_id) {
			r->contract_id = c;
			r->agency_id = a;
			r->day = d;
			m->used++;
		}
		r->lines += sqlite3_column_int(st, 3) ? 1 : -1;
		r->list += sqlite3_column_int64(st, 4);
		r->invoiced += sqlite3_column_int64(st, 5);
	}
	end = db_rows_end(&q, "recounting the net sales from the lines", e);
	return rc ? rc : end;
}

static void recount_fig(const Recount *r, Fig *f)
{
	f->present = r && r->contract_id;
	f->lines = f->present ? r->lines : 0;
	f->list = f->present ? r->list : 0;
	f->invoiced = f->present ? r->invoiced : 0;
}

/* sales_agency_day row by row against the recount; then any recounted
 * key with no kept row. */
static ClCode compare_agency_days(sqlite3 *db, RecountMap *m, Err *e)
{
	Diff d = {0};
	ClCode rc, end;
	DbRows q;
	size_t i;

	rc = db_rows(&q, db, e,
		     "SELECT contract_id, agency_id, day, lines, list_amount, invoiced_amount "
		     "FROM sales_agency_day",
		     "");
	while (!rc && !d.contract_id && db_rows_next(&q)) {
		sqlite3_stmt *st = q.st;
		const unsigned char *day = sqlite3_column_text(st, 2);
		Fig kept = {1, sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
			    sqlite3_column_int64(st, 5)};
		Recount *r = recount_find(m, sqlite3_column_int64(st, 0),
					  sqlite3_column_int64(st, 1), day_key(day));

		if (r->contract_id)
			r->seen = 1;
		recount_fig(r, &d.want);
		if (d.want.present && d.want.lines == kept.lines && d.want.list == kept.list &&
		    d.want.invoiced == kept.invoiced)
			continue;
		d.contract_id = sqlite3_column_int64(st, 0);
		d.agency_id = sqlite3_column_int64(st, 1);
		snprintf(d.day, sizeof d.day, "%s", day ? (const char *)day : "?");
		d.kept = kept;
	}
	end = db_rows_end(&q, "reading the kept net sales", e);
	if (rc || end)
		return rc ? rc : end;
	for (i = 0; !d.contract_id && i < m->cap; i++) {
		const Recount *r = &m->slot[i];

		if (!r->contract_id || r->seen)
			continue;
		d.contract_id = r->contract_id;
		d.agency_id = r->agency_id;
		snprintf(d.day, sizeof d.day, "%04u-%02u-%02u", (unsigned)(r->day / 10000 % 10000),
			 (unsigned)(r->day / 100 % 100), (unsigned)(r->day % 100));
		recount_fig(r, &d.want);
	}
	return d.contract_id ? name_diff(db, &d, "sales_agency_day", "the ledger's lines", e)
			     : CL_OK;
}

/* sales_day against sales_agency_day added up over the agencies. */
static const char day_diff[] =
	"WITH r AS (SELECT contract_id, day, sum(lines) AS lines, "
	"    sum(list_amount) AS list_amount, sum(invoiced_amount) AS invoiced_amount "
	"  FROM sales_agency_day GROUP BY contract_id, day) "
	"SELECT coalesce(r.contract_id, s.contract_id), coalesce(r.day, s.day), "
	"  r.lines, r.list_amount, r.invoiced_amount, s.lines, s.list_amount, s.invoiced_amount "
	"FROM r FULL JOIN sales_day s ON s.contract_id = r.contract_id AND s.day = r.day "
	"WHERE r.lines IS NOT s.lines OR r.list_amount IS NOT s.list_amount "
	"  OR r.invoiced_amount IS NOT s.invoiced_amount LIMIT 1";

static void column_fig(sqlite3_stmt *st, int i, Fig *f)
{
	f->present = sqlite3_column_type(st, i) != SQLITE_NULL;
	f->lines = sqlite3_column_int64(st, i);
	f->list = sqlite3_column_int64(st, i + 1);
	f->invoiced = sqlite3_column_int64(st, i + 2);
}

static ClCode compare_days(sqlite3 *db, Err *e)
{
	Diff d = {0};
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e, day_diff, "");
	if (!rc && db_rows_next(&q)) {
		d.contract_id = sqlite3_column_int64(q.st, 0);
		snprintf(d.day, sizeof d.day, "%s", (const char *)sqlite3_column_text(q.st, 1));
		column_fig(q.st, 2, &d.want);
		column_fig(q.st, 5, &d.kept);
	}
	end = db_rows_end(&q, "checking the kept net sales by day", e);
	if (rc || end)
		return rc ? rc : end;
	return d.contract_id ? name_diff(db, &d, "sales_day", "its agencies' rows", e) : CL_OK;
}

/* sales_agency_month against sales_agency_day added up by month. */
static const char month_diff[] =
	"WITH r AS (SELECT contract_id, agency_id, substr(day, 1, 7) AS month, "
	"    sum(lines) AS lines, sum(list_amount) AS list_amount, "
	"    sum(invoiced_amount) AS invoiced_amount "
	"  FROM sales_agency_day GROUP BY contract_id, agency_id, substr(day, 1, 7)) "
	"SELECT coalesce(r.contract_id, s.contract_id), coalesce(r.agency_id, s.agency_id), "
	"  coalesce(r.month, s.month), r.lines, r.list_amount, r.invoiced_amount, "
	"  s.lines, s.list_amount, s.invoiced_amount "
	"FROM r FULL JOIN sales_agency_month s ON s.contract_id = r.contract_id "
	"  AND s.agency_id = r.agency_id AND s.month = r.month "
	"WHERE r.lines IS NOT s.lines OR r.list_amount IS NOT s.list_amount "
	"  OR r.invoiced_amount IS NOT s.invoiced_amount LIMIT 1";

static ClCode compare_months(sqlite3 *db, Err *e)
{
	Diff d = {0};
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e, month_diff, "");
	if (!rc && db_rows_next(&q)) {
		d.contract_id = sqlite3_column_int64(q.st, 0);
		d.agency_id = sqlite3_column_int64(q.st, 1);
		snprintf(d.day, sizeof d.day, "%s", (const char *)sqlite3_column_text(q.st, 2));
		column_fig(q.st, 3, &d.want);
		column_fig(q.st, 6, &d.kept);
	}
	end = db_rows_end(&q, "checking the kept net sales by month", e);
	if (rc || end)
		return rc ? rc : end;
	return d.contract_id ? name_diff(db, &d, "sales_agency_month", "its days' rows", e)
			     : CL_OK;
}

ClCode aggregate_verify(sqlite3 *db, int64_t *rows, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	RecountMap m = {calloc(1 << 16, sizeof *m.slot), 1 << 16, 0};
	ClCode rc;

	*rows = 0;
	if (!m.slot)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = recount_lines(db, &m, e);
	if (!rc)
		rc = compare_agency_days(db, &m, e);
	free(m.slot);
	if (!rc)
		rc = compare_days(db, e);
	if (!rc)
		rc = compare_months(db, e);
	if (!rc)
		*rows = db_int(db, 0,
			       "SELECT (SELECT count(*) FROM sales_day) + "
			       "(SELECT count(*) FROM sales_agency_day) + "
			       "(SELECT count(*) FROM sales_agency_month)",
			       "");
	if (!rc && db_reads_failed(since, "checking the kept net sales", e))
		rc = e->code;
	return rc;
}
