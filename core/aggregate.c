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
	sqlite3_stmt *day, *agency_day;
	int used;
	Sum slot[SLOTS];
	Sum *order[FLUSH_AT]; /* the used slots, for the flush */
};

ClCode aggregate_open(sqlite3 *db, AggregatePending **out, Err *e)
{
	AggregatePending *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p)
		return err_set(e, CL_ENOMEM, "out of memory");
	p->db = db;
	if (db_prepare(db, &p->day, add_day, e) ||
	    db_prepare(db, &p->agency_day, add_agency_day, e)) {
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
	const Sum *a = *(Sum *const *)x, *b = *(Sum *const *)y;
	int c;

	if (a->contract_id != b->contract_id)
		return a->contract_id < b->contract_id ? -1 : 1;
	c = strcmp(a->day, b->day);
	if (c)
		return c;
	return (a->agency_id > b->agency_id) - (a->agency_id < b->agency_id);
}

static int upsert(sqlite3_stmt *st, const Sum *s, int with_agency)
{
	int ok;

	sqlite3_bind_int64(st, 1, s->contract_id);
	sqlite3_bind_text(st, 2, s->day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->lines);
	sqlite3_bind_int64(st, 4, s->list);
	sqlite3_bind_int64(st, 5, s->invoiced);
	if (with_agency)
		sqlite3_bind_int64(st, 6, s->agency_id);
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_reset(st);
	return ok;
}

ClCode aggregate_flush(AggregatePending *p, Err *e)
{
	int i, ok = 1;

	qsort(p->order, (size_t)p->used, sizeof p->order[0], by_contract_day);
	for (i = 0; ok && i < p->used; i++) {
		Sum day = *p->order[i];

		ok = upsert(p->agency_day, p->order[i], 1);
		while (ok && i + 1 < p->used && p->order[i + 1]->contract_id == day.contract_id &&
		       strcmp(p->order[i + 1]->day, day.day) == 0) {
			const Sum *s = p->order[++i];

			ok = upsert(p->agency_day, s, 1);
			day.lines += s->lines;
			day.list += s->list;
			day.invoiced += s->invoiced;
		}
		if (ok)
			ok = upsert(p->day, &day, 0);
	}
	for (i = 0; i < p->used; i++)
		p->order[i]->contract_id = 0;
	p->used = 0;
	return ok ? CL_OK : db_error(p->db, e, "adding the lines to the kept net sales");
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
		p->order[p->used++] = s;
	}
	s->lines += reversal ? -1 : 1;
	s->list += list;
	s->invoiced += invoiced;
	return CL_OK;
}

/* The lines' sums by contract, agency and day beside the kept row, where
 * they differ: a kept row the lines do not give, lines with no kept row,
 * or different figures.  A recomputed live-line count of zero with zero
 * amounts matches a kept row of zeros (every line of that day reversed). */
static const char agency_day_diff[] =
	"WITH r AS (SELECT contract_id, agency_id, invoice_date AS day, "
	"    sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END) AS lines, "
	"    sum(list_amount) AS list_amount, sum(invoiced_amount) AS invoiced_amount "
	"  FROM purchase GROUP BY contract_id, agency_id, invoice_date) "
	"SELECT coalesce(r.contract_id, s.contract_id), coalesce(r.agency_id, s.agency_id), "
	"  coalesce(r.day, s.day), r.lines, r.list_amount, r.invoiced_amount, "
	"  s.lines, s.list_amount, s.invoiced_amount "
	"FROM r FULL JOIN sales_agency_day s ON s.contract_id = r.contract_id "
	"  AND s.agency_id = r.agency_id AND s.day = r.day "
	"WHERE r.lines IS NOT s.lines OR r.list_amount IS NOT s.list_amount "
	"  OR r.invoiced_amount IS NOT s.invoiced_amount LIMIT 1";

/* sales_day against sales_agency_day added up over the agencies. */
static const char day_diff[] =
	"WITH r AS (SELECT contract_id, day, sum(lines) AS lines, "
	"    sum(list_amount) AS list_amount, sum(invoiced_amount) AS invoiced_amount "
	"  FROM sales_agency_day GROUP BY contract_id, day) "
	"SELECT coalesce(r.contract_id, s.contract_id), NULL, coalesce(r.day, s.day), "
	"  r.lines, r.list_amount, r.invoiced_amount, s.lines, s.list_amount, s.invoiced_amount "
	"FROM r FULL JOIN sales_day s ON s.contract_id = r.contract_id AND s.day = r.day "
	"WHERE r.lines IS NOT s.lines OR r.list_amount IS NOT s.list_amount "
	"  OR r.invoiced_amount IS NOT s.invoiced_amount LIMIT 1";

/* "3 lines, list $1.00, invoiced $0.90" or "no row" for columns i..i+2. */
static void figures(sqlite3_stmt *st, int i, char *out, size_t n)
{
	char l[MONEY_BUF], v[MONEY_BUF];

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		snprintf(out, n, "no row");
		return;
	}
	snprintf(out, n, "%" PRId64 " lines, list %s, invoiced %s",
		 (int64_t)sqlite3_column_int64(st, i),
		 money_format(sqlite3_column_int64(st, i + 1), l),
		 money_format(sqlite3_column_int64(st, i + 2), v));
}

/* Run one of the queries above; a row found is the difference to name. */
static ClCode compare(sqlite3 *db, const char *sql, const char *table, const char *from, Err *e)
{
	char want[128], kept[128], number[64] = "?", agency[64] = "";
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e, sql, "");
	if (!rc && db_rows_next(&q)) {
		sqlite3_stmt *st = q.st;

		db_text(db, number, sizeof number, "SELECT number FROM contract WHERE id = ?", "i",
			(int64_t)sqlite3_column_int64(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			db_text(db, agency, sizeof agency, "SELECT code FROM agency WHERE id = ?",
				"i", (int64_t)sqlite3_column_int64(st, 1));
		figures(st, 3, want, sizeof want);
		figures(st, 6, kept, sizeof kept);
		rc = err_set(e, CL_ERULE, "%s for contract %s%s%s on %s holds %s, but %s give %s",
			     table, number, *agency ? ", agency " : "", agency,
			     (const char *)sqlite3_column_text(st, 2), kept, from, want);
	}
	end = db_rows_end(&q, "checking the kept net sales", e);
	return rc ? rc : end;
}

ClCode aggregate_verify(sqlite3 *db, int64_t *rows, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	ClCode rc;

	*rows = 0;
	rc = compare(db, agency_day_diff, "sales_agency_day", "the ledger's lines", e);
	if (!rc)
		rc = compare(db, day_diff, "sales_day", "its agencies' rows", e);
	if (!rc)
		*rows = db_int(db, 0,
			       "SELECT (SELECT count(*) FROM sales_day) + "
			       "(SELECT count(*) FROM sales_agency_day)",
			       "");
	if (!rc && db_reads_failed(since, "checking the kept net sales", e))
		rc = e->code;
	return rc;
}
