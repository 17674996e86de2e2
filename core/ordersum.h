/*
 * ordersum.h — the order totals the ledger keeps as it is written
 * (migration 0020: purchase_order), added up in memory and written once
 * per order touched rather than once per line.
 */
#ifndef COOPLEDGER_ORDERSUM_H
#define COOPLEDGER_ORDERSUM_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"
#include "money.h"

/* The lines written since the last flush, summed by contract, agency and
 * PO number, in one transaction.  A sales report's lines come a few to
 * an order, so the table sees one upsert per order, not one per line. */
typedef struct OrderPending OrderPending;

ClCode order_pending_open(sqlite3 *db, OrderPending **out, Err *e)
	__attribute__((warn_unused_result));
/* Frees what is pending without writing it (after a rollback). */
void order_pending_close(OrderPending *p);

/* A ledger row just written: a line (+1) or a reversal (-1, the reversed
 * line's amounts negated) of order po of agency_id under contract_id,
 * invoiced on day (YYYY-MM-DD).  May flush. */
typedef struct OrderLine {
	int64_t contract_id, agency_id;
	const char *po_number;
	const char *invoice_date;
	Money list_amount, invoiced_amount, freight_amount;
	int reversal;
} OrderLine;

ClCode order_pending_add(OrderPending *p, const OrderLine *n, Err *e)
	__attribute__((warn_unused_result));

/* 1 when lines were added since the last flush. */
int order_pending_any(const OrderPending *p);

/* Write what is pending to purchase_order and mark those orders touched
 * (their compliance is recomputed when next read); to be called in the
 * transaction that wrote the lines, before it commits. */
ClCode order_pending_flush(OrderPending *p, Err *e) __attribute__((warn_unused_result));

#endif
