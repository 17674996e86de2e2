/* verify.c — one pass over the ledger's lines for everything verify
 * recomputes from them; see verify.h.
 *
 * Each half of the walk sums into maps of its own (no locks), which are
 * merged when both are done.  A map holds its sums in one array, in the
 * order the keys first came, and finds them through a table of indexes;
 * the orders' numbers are kept in one block of text. */
#include "verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "date.h"
#include "db.h"
#include "money.h"

/* The columns the sums need, read by name from the walk's statement. */
enum { C_ID, C_CONTRACT, C_AGENCY, C_PO, C_DAY, C_REVERSES, C_LIST, C_INVOICED, C_FREIGHT, C_MAX };
static const char *const col_name[C_MAX] = {
	"id",	       "contract_id", "agency_id",	 "po_number",	   "invoice_date",
	"reverses_id", "list_amount", "invoiced_amount", "freight_amount",
};
#define LINE_COLUMNS                                                                               \
	"id, contract_id, agency_id, po_number, invoice_date, reverses_id, list_amount, "          \
	"invoiced_amount, freight_amount"

/* One key's sums: sales by (contract, agency, day), the days' totals by
 * (contract, 0, day), orders by (contract, agency, PO number). */
typedef struct Sum {
	int64_t contract_id, agency_id;
	int64_t lines;
	Money list, invoiced;
	Money freight;	   /* an order's; 0 in the sales */
	int32_t day;	   /* YYYYMMDD: the sales day, or the order's first */
	uint32_t hash;	   /* of the key */
	size_t po, po_len; /* the order's number: at text + po */
	int seen;	   /* a kept row was found for it */
} Sum;

typedef struct SumMap {
	int by_po; /* keys are (contract, agency, PO), else (contract, agency, day) */
	Sum *sum;  /* n used of cap_sum */
	size_t n, cap_sum;
	uint64_t *slot; /* 0 empty, else the key's hash << 32 | index + 1 into
			 * sum; cap a power of two, at most half used */
	size_t cap;
	char *text; /* the PO numbers, text_len used of text_cap */
	size_t text_len, text_cap;
	size_t last; /* index + 1 of the sum added to last: a line's
		      * neighbours are mostly of its order and day */
} SumMap;

/* A key looked up or added. */
typedef struct Key {
	int64_t contract_id, agency_id;
	int32_t day;
	const char *po;
	size_t po_len;
	uint32_t hash;
} Key;

static uint32_t key_hash(Key *k)
{
	uint64_t h = (uint64_t)k->contract_id * 0x9E3779B97F4A7C15ULL;
	size_t i;

	h ^= (uint64_t)k->agency_id * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2);
	h ^= (uint64_t)(uint32_t)k->day * 0x165667B19E3779F9ULL + (h << 6) + (h >> 2);
	for (i = 0; i < k->po_len; i++)
		h = (h ^ (unsigned char)k->po[i]) * 0x100000001B3ULL;
	/* MurmurHash3's finish: every bit of h in the low ones the table uses */
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	return k->hash = (uint32_t)h;
}

/* 1 when s is k's sum. */
static int sum_is(const SumMap *m, const Sum *s, const Key *k)
{
	if (s->contract_id != k->contract_id || s->agency_id != k->agency_id)
		return 0;
	if (!m->by_po)
		return s->day == k->day;
	return s->po_len == k->po_len &&
	       (!k->po_len || memcmp(m->text + s->po, k->po, k->po_len) == 0);
}

/* 1 when slot (used) holds k (hashed). */
static int key_is(const SumMap *m, uint64_t slot, const Key *k)
{
	return (uint32_t)(slot >> 32) == k->hash && sum_is(m, &m->sum[(uint32_t)slot - 1], k);
}

/* The slot of k (hashed), or of the empty slot where it would go. */
static uint64_t *map_slot(const SumMap *m, const Key *k)
{
	size_t i = k->hash & (m->cap - 1);

	while (m->slot[i] && !key_is(m, m->slot[i], k))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

/* The table of indexes twice as large (or first made).  Returns -1 when
 * out of memory. */
static int map_grow(SumMap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1 << 16, i, j;
	uint64_t *slot = calloc(cap, sizeof *slot);

	if (!slot || cap > UINT32_MAX) {
		free(slot);
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		for (j = m->sum[i].hash & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = (uint64_t)m->sum[i].hash << 32 | (uint32_t)(i + 1);
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	return 0;
}

/* Room for one more sum and its PO number.  Returns -1 when out of
 * memory. */
static int map_room(SumMap *m, size_t po_len)
{
	if ((m->n + 1) * 2 > m->cap && map_grow(m))
		return -1;
	if (m->n == m->cap_sum) {
		size_t cap = m->cap_sum ? m->cap_sum * 2 : 1 << 15;
		Sum *sum = realloc(m->sum, cap * sizeof *sum);

		if (!sum)
			return -1;
		m->sum = sum;
		m->cap_sum = cap;
	}
	if (m->text_len + po_len > m->text_cap) {
		size_t cap = m->text_cap ? m->text_cap * 2 : 1 << 18;
		char *text;

		while (cap < m->text_len + po_len)
			cap *= 2;
		text = realloc(m->text, cap);
		if (!text)
			return -1;
		m->text = text;
		m->text_cap = cap;
	}
	return 0;
}

/* k's sum in m, added with nothing summed when new; *added says so.
 * NULL when out of memory. */
static Sum *map_add(SumMap *m, Key *k, int *added)
{
	uint64_t *slot;
	Sum *s;

	*added = 0;
	if (m->last && sum_is(m, &m->sum[m->last - 1], k))
		return &m->sum[m->last - 1];
	key_hash(k);
	if (m->cap && (slot = map_slot(m, k), *slot)) {
		m->last = (uint32_t)*slot;
		return &m->sum[m->last - 1];
	}
	if (map_room(m, k->po_len))
		return NULL;
	slot = map_slot(m, k);
	s = &m->sum[m->n];
	memset(s, 0, sizeof *s);
	s->contract_id = k->contract_id;
	s->agency_id = k->agency_id;
	s->day = k->day;
	s->hash = k->hash;
	s->po = m->text_len;
	s->po_len = k->po_len;
	if (k->po_len) { /* text is NULL until a number is kept */
		memcpy(m->text + m->text_len, k->po, k->po_len);
		m->text_len += k->po_len;
	}
	*slot = (uint64_t)k->hash << 32 | (uint32_t)++m->n;
	m->last = m->n;
	*added = 1;
	return s;
}

/* k's sum in m, or NULL. */
static Sum *map_find(const SumMap *m, Key *k)
{
	uint64_t *slot;

	if (!m->cap)
		return NULL;
	key_hash(k);
	slot = map_slot(m, k);
	return *slot ? &m->sum[(uint32_t)*slot - 1] : NULL;
}

static void map_free(SumMap *m)
{
	free(m->sum);
	free(m->slot);
	free(m->text);
	memset(m, 0, sizeof *m);
}

/* "YYYY-MM-DD" (always so: purchase.invoice_date's CHECK) as YYYYMMDD;
 * 0 for NULL. */
static int32_t day_key(const unsigned char *t)
{
	if (!t)
		return 0;
	return (t[0] - '0') * 10000000 + (t[1] - '0') * 1000000 + (t[2] - '0') * 100000 +
	       (t[3] - '0') * 10000 + (t[5] - '0') * 1000 + (t[6] - '0') * 100 + (t[8] - '0') * 10 +
	       (t[9] - '0');
}

/* YYYYMMDD as "YYYY-MM-DD" (of a day_key(); no printf, as it is done
 * for every order). */
static char *day_text(int32_t d, char out[DATE_BUF])
{
	static const int at[8] = {9, 8, 6, 5, 3, 2, 1, 0};
	uint32_t v = (uint32_t)d;
	int i;

	for (i = 0; i < 8; i++, v /= 10)
		out[at[i]] = (char)('0' + v % 10);
	out[4] = out[7] = '-';
	out[10] = '\0';
	return out;
}

/* s += the figures (lines, list, invoiced); -1 past 64 bits. */
static int sum_add(Sum *s, int64_t lines, Money list, Money invoiced)
{
	s->lines += lines;
	return __builtin_add_overflow(s->list, list, &s->list) ||
			       __builtin_add_overflow(s->invoiced, invoiced, &s->invoiced)
		       ? -1
		       : 0;
}

/* ---- the pass ---- */

/* One half's sums. */
typedef struct Half {
	unsigned what;
	int col[C_MAX]; /* the statement's column of each; col[0] -1 until found */
	SumMap sales, orders;
	const int64_t *reversed; /* the ids of reversed lines, ascending */
	size_t nreversed, at;	 /* at: the first not below the rows read */
} Half;

struct VerifyTally {
	unsigned what;
	int64_t *reversed;
	size_t nreversed;
	Half half[2];
};

static ClCode find_columns(Half *h, sqlite3_stmt *st, Err *e)
{
	int i, j, n = sqlite3_column_count(st);

	for (i = 0; i < C_MAX; i++) {
		for (j = 0; j < n && strcmp(sqlite3_column_name(st, j), col_name[i]) != 0; j++)
			;
		if (j == n)
			return err_set(e, CL_EDB, "the ledger's lines have no column %s",
				       col_name[i]);
		h->col[i] = j;
	}
	return CL_OK;
}

/* 1 when a later line reverses line id (ids come in ascending order). */
static int is_reversed(Half *h, int64_t id)
{
	while (h->at < h->nreversed && h->reversed[h->at] < id)
		h->at++;
	return h->at < h->nreversed && h->reversed[h->at] == id;
}

static ClCode past_64_bits(const char *what, int64_t contract_id, int32_t day, Err *e)
{
	char d[DATE_BUF];

	return err_set(e, CL_ERULE,
		       "the %s of contract id %" PRId64 " (%s) recomputed from the lines pass the "
		       "largest sum the books can hold",
		       what, contract_id, day_text(day, d));
}

/* A line of contract_id and agency_id invoiced on day into the order it
 * belongs to, if it is live. */
static ClCode tally_order(Half *h, sqlite3_stmt *st, int64_t contract_id, int64_t agency_id,
			  int32_t day, Money list, Money invoiced, Err *e)
{
	Money freight = sqlite3_column_int64(st, h->col[C_FREIGHT]);
	Key k = {contract_id, agency_id, 0, NULL, 0, 0}; /* the day is no part of it */
	Sum *o;
	int added;

	if (sqlite3_column_type(st, h->col[C_REVERSES]) != SQLITE_NULL ||
	    is_reversed(h, sqlite3_column_int64(st, h->col[C_ID])))
		return CL_OK;
	k.po = (const char *)sqlite3_column_text(st, h->col[C_PO]);
	k.po_len = (size_t)sqlite3_column_bytes(st, h->col[C_PO]);
	if (!k.po)
		k.po = "";
	o = map_add(&h->orders, &k, &added);
	if (!o)
		return err_set(e, CL_ENOMEM, "out of memory recomputing the order totals");
	if (added || day < o->day)
		o->day = day;
	if (sum_add(o, 1, list, invoiced) ||
	    __builtin_add_overflow(o->freight, freight, &o->freight))
		return past_64_bits("order totals", contract_id, o->day, e);
	return CL_OK;
}

/* ChainVisit row: one ledger line into h's sums. */
static ClCode tally_row(void *arg, sqlite3_stmt *st, Err *e)
{
	Half *h = arg;
	Key k = {0};
	Money list, invoiced;
	Sum *s;
	int added;

	if (h->col[0] < 0 && find_columns(h, st, e))
		return CL_EDB;
	k.contract_id = sqlite3_column_int64(st, h->col[C_CONTRACT]);
	k.agency_id = sqlite3_column_int64(st, h->col[C_AGENCY]);
	k.day = day_key(sqlite3_column_text(st, h->col[C_DAY]));
	list = sqlite3_column_int64(st, h->col[C_LIST]);
	invoiced = sqlite3_column_int64(st, h->col[C_INVOICED]);
	if (h->what & VERIFY_SALES) {
		s = map_add(&h->sales, &k, &added);
		if (!s)
			return err_set(e, CL_ENOMEM, "out of memory recounting the net sales");
		if (sum_add(s, sqlite3_column_type(st, h->col[C_REVERSES]) == SQLITE_NULL ? 1 : -1,
			    list, invoiced))
			return past_64_bits("net sales", k.contract_id, k.day, e);
	}
	if (h->what & VERIFY_ORDERS)
		return tally_order(h, st, k.contract_id, k.agency_id, k.day, list, invoiced, e);
	return CL_OK;
}

/* The ids of the reversed lines, ascending (from the index on
 * reverses_id).  OUT: t->reversed, t->nreversed. */
static ClCode read_reversed(sqlite3 *db, VerifyTally *t, Err *e)
{
	size_t cap = 0;
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT reverses_id FROM purchase WHERE reverses_id IS NOT NULL "
		     "ORDER BY reverses_id",
		     "");
	while (!rc && db_rows_next(&q)) {
		if (t->nreversed == cap) {
			int64_t *more = realloc(t->reversed, (cap ? cap * 2 : 1024) * sizeof *more);

			if (!more) {
				rc = err_set(e, CL_ENOMEM, "out of memory reading the reversals");
				break;
			}
			t->reversed = more;
			cap = cap ? cap * 2 : 1024;
		}
		t->reversed[t->nreversed++] = sqlite3_column_int64(q.st, 0);
	}
	end = db_rows_end(&q, "reading the reversals", e);
	return rc ? rc : end;
}

/* The second half's sums added to the first's; the second's are freed. */
static ClCode merge_map(SumMap *into, SumMap *from, const char *what, Err *e)
{
	size_t i;

	for (i = 0; i < from->n; i++) {
		const Sum *f = &from->sum[i];
		Key k = {f->contract_id,     f->agency_id, into->by_po ? 0 : f->day,
			 from->text + f->po, f->po_len,	   0};
		int added;
		Sum *s = map_add(into, &k, &added);

		if (!s) {
			map_free(from);
			return err_set(e, CL_ENOMEM, "out of memory adding up the %s", what);
		}
		if (into->by_po && (added || f->day < s->day))
			s->day = f->day;
		if (sum_add(s, f->lines, f->list, f->invoiced) ||
		    __builtin_add_overflow(s->freight, f->freight, &s->freight)) {
			ClCode rc = past_64_bits(what, f->contract_id, s->day, e);

			map_free(from); /* f was in it */
			return rc;
		}
	}
	map_free(from);
	return CL_OK;
}

ClCode verify_lines_read(sqlite3 *db, unsigned what, const char *cols, int ncol, VerifyTally **out,
			 int64_t *lines, Err *e)
{
	VerifyTally *t = calloc(1, sizeof *t);
	ChainVisit visit = {tally_row, {NULL, NULL}};
	int i, chain = (what & VERIFY_CHAIN) != 0;
	ClCode rc = CL_OK;

	*out = t;
	*lines = 0;
	if (!t)
		return err_set(e, CL_ENOMEM, "out of memory");
	t->what = what;
	if (what & VERIFY_ORDERS)
		rc = read_reversed(db, t, e);
	for (i = 0; i < 2; i++) {
		Half *h = &t->half[i];

		h->what = what;
		h->col[0] = -1;
		h->orders.by_po = 1;
		h->reversed = t->reversed;
		h->nreversed = t->nreversed;
		visit.state[i] = h;
	}
	if (!rc)
		rc = chain_walk_table(
			db, "purchase", chain ? cols : LINE_COLUMNS, chain ? ncol : 0, chain,
			(what & (VERIFY_SALES | VERIFY_ORDERS)) ? &visit : NULL, lines, e);
	return rc;
}

void verify_tally_free(VerifyTally *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < 2; i++) {
		map_free(&t->half[i].sales);
		map_free(&t->half[i].orders);
	}
	free(t->reversed);
	free(t);
}

/* ---- the kept net sales ---- */

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
	int overcharge; /* 1: the figures are lines and overcharge (in list) */
	Fig want, kept;
} Diff;

static void fig_text(const Fig *f, int overcharge, char *out, size_t n)
{
	char l[MONEY_BUF], v[MONEY_BUF];

	if (!f->present)
		snprintf(out, n, "no row");
	else if (overcharge)
		snprintf(out, n, "%" PRId64 " lines, overcharge %s", f->lines,
			 money_format(f->list, l));
	else
		snprintf(out, n, "%" PRId64 " lines, list %s, invoiced %s", f->lines,
			 money_format(f->list, l), money_format(f->invoiced, v));
}

static void sum_fig(const Sum *s, Fig *f)
{
	f->present = s != NULL;
	f->lines = s ? s->lines : 0;
	f->list = s ? s->list : 0;
	f->invoiced = s ? s->invoiced : 0;
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
	fig_text(&d->want, d->overcharge, want, sizeof want);
	fig_text(&d->kept, d->overcharge, kept, sizeof kept);
	return err_set(e, CL_ERULE, "%s for contract %s%s%s on %s holds %s, but %s give %s", table,
		       number, *agency ? ", agency " : "", agency, d->day, kept, from, want);
}

/* The kept rows of sql (contract_id, [agency_id,] day, lines,
 * list_amount, invoiced_amount; with_agency says which) against m; then
 * any key of m with no kept row.  OUT: *d, the first difference
 * (contract_id 0: none); *rows, the kept rows read. */
static ClCode compare_sums(sqlite3 *db, SumMap *m, const char *sql, int with_agency, Diff *d,
			   int64_t *rows, Err *e)
{
	int a = with_agency;
	ClCode rc, end;
	DbRows q;
	size_t i;

	memset(d, 0, sizeof *d);
	rc = db_rows(&q, db, e, sql, "");
	while (!rc && db_rows_next(&q)) {
		sqlite3_stmt *st = q.st;
		const unsigned char *day = sqlite3_column_text(st, 1 + a);
		Key k = {sqlite3_column_int64(st, 0),
			 a ? sqlite3_column_int64(st, 1) : 0,
			 day_key(day),
			 NULL,
			 0,
			 0};
		Fig kept = {1, sqlite3_column_int64(st, 2 + a), sqlite3_column_int64(st, 3 + a),
			    sqlite3_column_int64(st, 4 + a)};
		Sum *s;

		++*rows;
		if (d->contract_id)
			continue; /* counting the rest */
		s = map_find(m, &k);
		if (s)
			s->seen = 1;
		if (s && s->lines == kept.lines && s->list == kept.list &&
		    s->invoiced == kept.invoiced)
			continue;
		d->contract_id = k.contract_id;
		d->agency_id = k.agency_id;
		snprintf(d->day, sizeof d->day, "%s", day ? (const char *)day : "?");
		sum_fig(s, &d->want);
		d->kept = kept;
	}
	end = db_rows_end(&q, "reading the kept net sales", e);
	if (rc || end)
		return rc ? rc : end;
	for (i = 0; !d->contract_id && i < m->n; i++) {
		const Sum *s = &m->sum[i];

		if (s->seen)
			continue;
		d->contract_id = s->contract_id;
		d->agency_id = s->agency_id;
		day_text(s->day, d->day);
		sum_fig(s, &d->want);
	}
	return CL_OK;
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

static void column_fig(sqlite3_stmt *st, int i, Fig *f)
{
	f->present = sqlite3_column_type(st, i) != SQLITE_NULL;
	f->lines = sqlite3_column_int64(st, i);
	f->list = sqlite3_column_int64(st, i + 1);
	f->invoiced = sqlite3_column_int64(st, i + 2);
}

/* The stored compliance lines added up by month, as the kept sums of
 * compliance_month (0023) should hold them: lines and overcharge in the
 * list place, invoiced 0. */
static const char compliance_month_diff[] =
	"WITH r AS (SELECT contract_id, agency_id, substr(invoice_date, 1, 7) AS month, "
	"    count(*) AS lines, sum(overcharge) AS overcharge "
	"  FROM compliance_line GROUP BY contract_id, agency_id, substr(invoice_date, 1, 7)) "
	"SELECT coalesce(r.contract_id, s.contract_id), coalesce(r.agency_id, s.agency_id), "
	"  coalesce(r.month, s.month), r.lines, r.overcharge, 0, s.lines, s.overcharge, 0 "
	"FROM r FULL JOIN compliance_month s ON s.contract_id = r.contract_id "
	"  AND s.agency_id = r.agency_id AND s.month = r.month "
	"WHERE r.lines IS NOT s.lines OR r.overcharge IS NOT s.overcharge LIMIT 1";

/* A table of sums kept by month, checked against its source by one query
 * (diff: the first difference, in month_diff's columns). */
typedef struct MonthCheck {
	const char *diff, *table, *from, *what;
	int overcharge;
} MonthCheck;

static const MonthCheck sales_months = {month_diff, "sales_agency_month", "its days' rows",
					"the kept net sales by month", 0};
static const MonthCheck compliance_months = {compliance_month_diff, "compliance_month",
					     "the stored compliance lines",
					     "the kept compliance sums by month", 1};

/* The kept sums of c->table against their source.  OUT: *rows. */
static ClCode compare_months(sqlite3 *db, const MonthCheck *c, int64_t *rows, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	char what[96], count[96];
	Diff d = {0};
	ClCode rc, end;
	DbRows q;

	snprintf(what, sizeof what, "checking %s", c->what);
	rc = db_rows(&q, db, e, c->diff, "");
	if (!rc && db_rows_next(&q)) {
		d.contract_id = sqlite3_column_int64(q.st, 0);
		d.agency_id = sqlite3_column_int64(q.st, 1);
		snprintf(d.day, sizeof d.day, "%s", (const char *)sqlite3_column_text(q.st, 2));
		column_fig(q.st, 3, &d.want);
		column_fig(q.st, 6, &d.kept);
	}
	end = db_rows_end(&q, what, e);
	if (rc || end)
		return rc ? rc : end;
	d.overcharge = c->overcharge;
	if (d.contract_id)
		return name_diff(db, &d, c->table, c->from, e);
	snprintf(count, sizeof count, "SELECT count(*) FROM %s", c->table);
	*rows += db_int(db, 0, count, "");
	snprintf(what, sizeof what, "counting %s", c->what);
	return db_reads_failed(since, what, e) ? CL_EDB : CL_OK;
}

/* sales_agency_day against the lines, sales_day against the same added
 * up over the agencies, and sales_agency_month by month.  OUT: *rows. */
static ClCode compare_sales(sqlite3 *db, SumMap *sales, int64_t *rows, Err *e)
{
	SumMap days = {0};
	Diff d;
	ClCode rc;
	size_t i;

	rc = compare_sums(db, sales,
			  "SELECT contract_id, agency_id, day, lines, list_amount, invoiced_amount "
			  "FROM sales_agency_day",
			  1, &d, rows, e);
	if (rc || d.contract_id)
		return rc ? rc : name_diff(db, &d, "sales_agency_day", "the ledger's lines", e);
	for (i = 0; !rc && i < sales->n; i++) {
		const Sum *s = &sales->sum[i];
		Key k = {s->contract_id, 0, s->day, NULL, 0, 0};
		int added;
		Sum *day;

		day = map_add(&days, &k, &added);
		if (!day)
			rc = err_set(e, CL_ENOMEM, "out of memory adding up the net sales");
		else if (sum_add(day, s->lines, s->list, s->invoiced))
			rc = past_64_bits("net sales", s->contract_id, s->day, e);
	}
	if (!rc)
		rc = compare_sums(db, &days,
				  "SELECT contract_id, day, lines, list_amount, invoiced_amount "
				  "FROM sales_day",
				  0, &d, rows, e);
	map_free(&days);
	if (!rc && d.contract_id)
		return name_diff(db, &d, "sales_day", "its agencies' rows", e);
	if (!rc)
		rc = compare_months(db, &sales_months, rows, e);
	return rc ? rc : compare_months(db, &compliance_months, rows, e);
}

/* ---- the orders ---- */

/* The order a difference names: the first by contract number, agency
 * code and PO number. */
typedef struct OrderName {
	int found;
	char c[64], a[33], po[65];
} OrderName;

/* Keep the order (contract_id, agency_id, po) in *best if it comes
 * first; an order whose contract or agency is gone is not named. */
static void order_note(sqlite3 *db, int64_t contract_id, int64_t agency_id, const char *po,
		       size_t po_len, OrderName *best)
{
	OrderName n = {1, "", "", ""};
	int c;

	if (!db_text(db, n.c, sizeof n.c, "SELECT number FROM contract WHERE id = ?", "i",
		     contract_id) ||
	    !db_text(db, n.a, sizeof n.a, "SELECT code FROM agency WHERE id = ?", "i", agency_id))
		return;
	snprintf(n.po, sizeof n.po, "%.*s", (int)po_len, po);
	if (best->found) {
		c = strcmp(n.c, best->c);
		if (!c)
			c = strcmp(n.a, best->a);
		if (!c)
			c = strcmp(n.po, best->po);
		if (c >= 0)
			return;
	}
	*best = n;
}

/* 1 when the kept figures of a purchase_order row (columns 3..6 of st)
 * are the order o recomputed. */
static int order_matches(const Sum *o, sqlite3_stmt *st)
{
	const char *first = (const char *)sqlite3_column_text(st, 6);
	char d[DATE_BUF];

	return o->lines == sqlite3_column_int64(st, 3) && o->list == sqlite3_column_int64(st, 4) &&
	       o->invoiced == sqlite3_column_int64(st, 5) &&
	       o->freight == sqlite3_column_int64(st, 7) && first &&
	       strcmp(first, day_text(o->day, d)) == 0;
}

/* purchase_order against the live lines' orders: a stored row that is
 * not empty must be its order's, and every order must have one.  OUT:
 * *best, the first order that differs; *orders, the rows read. */
static ClCode compare_order_rows(sqlite3 *db, SumMap *m, OrderName *best, int64_t *orders, Err *e)
{
	ClCode rc, end;
	DbRows q;
	size_t i;

	rc = db_rows(&q, db, e,
		     "SELECT contract_id, agency_id, po_number, lines, list_total, invoiced_total, "
		     "first_date, freight_total FROM purchase_order",
		     "");
	while (!rc && db_rows_next(&q)) {
		sqlite3_stmt *st = q.st;
		const char *po = (const char *)sqlite3_column_text(st, 2);
		Key k = {sqlite3_column_int64(st, 0),
			 sqlite3_column_int64(st, 1),
			 0,
			 po ? po : "",
			 (size_t)sqlite3_column_bytes(st, 2),
			 0};
		int empty = sqlite3_column_int64(st, 3) == 0 && sqlite3_column_int64(st, 4) == 0 &&
			    sqlite3_column_int64(st, 5) == 0 && sqlite3_column_int64(st, 7) == 0 &&
			    sqlite3_column_type(st, 6) == SQLITE_NULL;
		Sum *o;

		++*orders;
		o = map_find(m, &k);
		if (o)
			o->seen = 1;
		if ((!o && empty) || (o && !empty && order_matches(o, st)))
			continue;
		order_note(db, k.contract_id, k.agency_id, k.po, k.po_len, best);
	}
	end = db_rows_end(&q, "recomputing the order totals", e);
	if (rc || end)
		return rc ? rc : end;
	for (i = 0; m->sum && i < m->n; i++)
		if (!m->sum[i].seen)
			order_note(db, m->sum[i].contract_id, m->sum[i].agency_id,
				   m->text + m->sum[i].po, m->sum[i].po_len, best);
	return CL_OK;
}

/* "n lines, list L, invoiced I, freight F, first D" of one order from
 * sql (columns n, l, i, d, f) into buf (size size); "none" when there is
 * no row. */
static void order_figures(sqlite3 *db, const char *sql, const OrderName *o, char *buf, size_t size)
{
	char l[MONEY_BUF], i[MONEY_BUF], f[MONEY_BUF];
	DbRows q;
	Err ignore = {0};

	snprintf(buf, size, "none");
	if (db_rows(&q, db, &ignore, sql, "ttt", o->c, o->a, o->po))
		return;
	if (db_rows_next(&q))
		snprintf(buf, size,
			 "%lld lines, list %s, invoiced %s, freight %s, first invoice %s",
			 (long long)sqlite3_column_int64(q.st, 0),
			 money_format(sqlite3_column_int64(q.st, 1), l),
			 money_format(sqlite3_column_int64(q.st, 2), i),
			 money_format(sqlite3_column_int64(q.st, 4), f),
			 sqlite3_column_text(q.st, 3) ? (const char *)sqlite3_column_text(q.st, 3)
						      : "none");
	if (db_rows_end(&q, "reading an order", &ignore))
		snprintf(buf, size, "unreadable");
}

/* OUT: *orders, the purchase_order rows. */
static ClCode compare_orders(sqlite3 *db, SumMap *m, int64_t *orders, Err *e)
{
	OrderName best = {0};
	char kept[200], live[200];
	ClCode rc = compare_order_rows(db, m, &best, orders, e);

	if (rc || !best.found)
		return rc;
	order_figures(
		db,
		"SELECT o.lines, o.list_total, o.invoiced_total, o.first_date, o.freight_total "
		"FROM purchase_order o JOIN contract c ON c.id = o.contract_id "
		"JOIN agency a ON a.id = o.agency_id "
		"WHERE c.number = ?1 AND a.code = ?2 AND o.po_number = ?3",
		&best, kept, sizeof kept);
	order_figures(
		db,
		"SELECT count(*), sum(p.list_amount), sum(p.invoiced_amount), "
		"  min(p.invoice_date), sum(p.freight_amount) FROM live_purchase p "
		"JOIN contract c ON c.id = p.contract_id JOIN agency a ON a.id = p.agency_id "
		"WHERE c.number = ?1 AND a.code = ?2 AND p.po_number = ?3 HAVING count(*) > 0",
		&best, live, sizeof live);
	return err_set(e, CL_ERULE,
		       "the order totals of contract %s, agency %s, PO %s differ from its lines: "
		       "stored %s; from the lines %s",
		       best.c, best.a, best.po, kept, live);
}

ClCode verify_lines_compare(sqlite3 *db, VerifyTally *t, int64_t *sales_rows, int64_t *orders,
			    Err *e)
{
	int64_t nsales = 0, norders = 0;
	ClCode rc = CL_OK;

	if (t->what & VERIFY_SALES) {
		rc = merge_map(&t->half[0].sales, &t->half[1].sales, "net sales", e);
		if (!rc)
			rc = compare_sales(db, &t->half[0].sales, &nsales, e);
	}
	if (!rc && (t->what & VERIFY_ORDERS)) {
		rc = merge_map(&t->half[0].orders, &t->half[1].orders, "order totals", e);
		if (!rc)
			rc = compare_orders(db, &t->half[0].orders, &norders, e);
	}
	if (sales_rows)
		*sales_rows = rc ? 0 : nsales;
	if (orders)
		*orders = rc ? 0 : norders;
	return rc;
}

ClCode verify_lines(sqlite3 *db, unsigned what, int64_t *sales_rows, int64_t *orders, Err *e)
{
	VerifyTally *t;
	int64_t lines;
	ClCode rc;

	if (sales_rows)
		*sales_rows = 0;
	if (orders)
		*orders = 0;
	rc = verify_lines_read(db, what & ~(unsigned)VERIFY_CHAIN, NULL, 0, &t, &lines, e);
	if (!rc)
		rc = verify_lines_compare(db, t, sales_rows, orders, e);
	verify_tally_free(t);
	return rc;
}
