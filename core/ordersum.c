/* ordersum.c — the order totals kept as the ledger is written; see
 * ordersum.h.  Like the kept net sales (aggregate.c), the lines of one
 * transaction are summed in memory and written before it commits: an
 * upsert per order in the unique index's order, instead of one per line
 * at random places in it. */
#include "ordersum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "date.h"
#include "db.h"

static const char add_order[] =
	"INSERT INTO purchase_order(contract_id, agency_id, po_number, lines, list_total, "
	"  invoiced_total, first_date, freight_total, touched) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1) "
	"ON CONFLICT(contract_id, agency_id, po_number) DO UPDATE SET "
	"  lines = lines + excluded.lines, list_total = list_total + excluded.list_total, "
	"  invoiced_total = invoiced_total + excluded.invoiced_total, "
	"  freight_total = freight_total + excluded.freight_total, "
	"  first_date = CASE WHEN excluded.first_date IS NOT NULL AND "
	"    (first_date IS NULL OR excluded.first_date < first_date) "
	"    THEN excluded.first_date ELSE first_date END, touched = 1";

/* More lines reversed than added: the order must hold them already (an
 * upsert would check its proposed row, lines < 0, before the conflict). */
static const char sub_order[] =
	"UPDATE purchase_order SET lines = lines + ?4, list_total = list_total + ?5, "
	"  invoiced_total = invoiced_total + ?6, freight_total = freight_total + ?8, touched = 1, "
	"  first_date = CASE WHEN ?7 IS NOT NULL AND (first_date IS NULL OR ?7 < first_date) "
	"    THEN ?7 ELSE first_date END "
	"WHERE contract_id = ?1 AND agency_id = ?2 AND po_number = ?3";

/* A reversed line may have been the order's earliest: ask the lines. */
static const char refirst_order[] =
	"UPDATE purchase_order SET first_date = (SELECT min(invoice_date) FROM live_purchase "
	"  WHERE agency_id = ?2 AND contract_id = ?1 AND po_number = ?3) "
	"WHERE contract_id = ?1 AND agency_id = ?2 AND po_number = ?3";

#define SLOTS	 16384	     /* open addressing, a power of two */
#define FLUSH_AT (SLOTS / 2) /* orders held before a flush */

typedef struct Order {
	int64_t contract_id, agency_id; /* contract_id 0: an empty slot */
	char po[65];
	char first[DATE_BUF]; /* the earliest new line's date; "" none */
	int reversed;	      /* a line of it was reversed */
	int64_t lines;
	Money list, invoiced, freight;
} Order;

struct OrderPending {
	sqlite3 *db;
	sqlite3_stmt *add, *sub, *refirst;
	int used;
	Order slot[SLOTS];
	Order sorted[FLUSH_AT];
};

ClCode order_pending_open(sqlite3 *db, OrderPending **out, Err *e)
{
	OrderPending *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p)
		return err_set(e, CL_ENOMEM, "out of memory");
	p->db = db;
	if (db_prepare(db, &p->add, add_order, e) || db_prepare(db, &p->sub, sub_order, e) ||
	    db_prepare(db, &p->refirst, refirst_order, e)) {
		order_pending_close(p);
		return CL_EDB;
	}
	*out = p;
	return CL_OK;
}

void order_pending_close(OrderPending *p)
{
	if (!p)
		return;
	sqlite3_finalize(p->add);
	sqlite3_finalize(p->sub);
	sqlite3_finalize(p->refirst);
	free(p);
}

int order_pending_any(const OrderPending *p)
{
	return p && p->used > 0;
}

/* The unique index's order: contract, agency, PO number. */
static int by_order(const void *x, const void *y)
{
	const Order *a = x, *b = y;

	if (a->contract_id != b->contract_id)
		return a->contract_id < b->contract_id ? -1 : 1;
	if (a->agency_id != b->agency_id)
		return a->agency_id < b->agency_id ? -1 : 1;
	return strcmp(a->po, b->po);
}

/* Step st with o's key bound, and its sums where st takes them. */
static int order_step(sqlite3_stmt *st, const Order *o)
{
	int rc;

	sqlite3_bind_int64(st, 1, o->contract_id);
	sqlite3_bind_int64(st, 2, o->agency_id);
	sqlite3_bind_text(st, 3, o->po, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) > 3) {
		sqlite3_bind_int64(st, 4, o->lines);
		sqlite3_bind_int64(st, 5, o->list);
		sqlite3_bind_int64(st, 6, o->invoiced);
		if (*o->first)
			sqlite3_bind_text(st, 7, o->first, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 7);
		sqlite3_bind_int64(st, 8, o->freight);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

/* Write o.  OUT: *missing, 1 when it reverses lines of an order the table
 * does not hold.  SQLITE_DONE, or the failing step's code. */
static int order_write(OrderPending *p, const Order *o, int *missing)
{
	int rc;

	if (o->lines >= 0) {
		rc = order_step(p->add, o);
	} else {
		rc = order_step(p->sub, o);
		*missing = rc == SQLITE_DONE && sqlite3_changes(p->db) != 1;
	}
	if (rc != SQLITE_DONE || *missing || !o->reversed)
		return rc;
	return order_step(p->refirst, o);
}

ClCode order_pending_flush(OrderPending *p, Err *e)
{
	int i, n = 0;

	for (i = 0; i < SLOTS; i++)
		if (p->slot[i].contract_id)
			p->sorted[n++] = p->slot[i];
	memset(p->slot, 0, sizeof p->slot);
	p->used = 0;
	qsort(p->sorted, (size_t)n, sizeof p->sorted[0], by_order);
	for (i = 0; i < n; i++) {
		int missing = 0, rc = order_write(p, &p->sorted[i], &missing);

		if (rc == SQLITE_DONE && !missing)
			continue;
		/* lines >= 0: a reversal of a line the order does not hold */
		if (missing || sqlite3_extended_errcode(p->db) == SQLITE_CONSTRAINT_CHECK)
			return err_set(e, CL_EDB,
				       "the order totals of PO %s have no live line to reverse; "
				       "run `coopledger verify`",
				       p->sorted[i].po);
		return db_error(p->db, e, "keeping the order totals");
	}
	return CL_OK;
}

ClCode order_pending_add(OrderPending *p, const OrderLine *n, Err *e)
{
	uint32_t i = aggregate_key_hash(n->contract_id, n->agency_id, n->po_number) & (SLOTS - 1);
	Order *o;

	for (;; i = (i + 1) & (SLOTS - 1)) {
		o = &p->slot[i];
		if (!o->contract_id ||
		    (o->contract_id == n->contract_id && o->agency_id == n->agency_id &&
		     strcmp(o->po, n->po_number) == 0))
			break;
	}
	if (!o->contract_id) {
		if (p->used == FLUSH_AT) {
			ClCode rc = order_pending_flush(p, e);

			return rc ? rc : order_pending_add(p, n, e);
		}
		o->contract_id = n->contract_id;
		o->agency_id = n->agency_id;
		snprintf(o->po, sizeof o->po, "%s", n->po_number);
		p->used++;
	}
	if (n->reversal) {
		o->lines--;
		o->reversed = 1;
	} else {
		o->lines++;
		if (!*o->first || strcmp(n->invoice_date, o->first) < 0)
			snprintf(o->first, sizeof o->first, "%s", n->invoice_date);
	}
	if (__builtin_add_overflow(o->list, n->list_amount, &o->list) ||
	    __builtin_add_overflow(o->invoiced, n->invoiced_amount, &o->invoiced) ||
	    __builtin_add_overflow(o->freight, n->freight_amount, &o->freight))
		return err_set(e, CL_EINPUT,
			       "integer overflow: the total of PO %s would pass the largest sum "
			       "the books can hold",
			       n->po_number);
	return CL_OK;
}
