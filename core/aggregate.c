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
#include "verify.h"

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

uint32_t aggregate_key_hash(int64_t c, int64_t a, const char *day)
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
	uint32_t i = aggregate_key_hash(contract_id, agency_id, day) & (SLOTS - 1);
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

ClCode aggregate_verify(sqlite3 *db, int64_t *rows, Err *e)
{
	return verify_lines(db, VERIFY_SALES, rows, NULL, e);
}
