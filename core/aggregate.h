/*
 * aggregate.h — the net sales the ledger keeps as it is written
 * (migration 0019: sales_day, sales_agency_day), and their check against
 * the lines.
 */
#ifndef COOPLEDGER_AGGREGATE_H
#define COOPLEDGER_AGGREGATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"
#include "money.h"

/* Ledger rows not yet added to the tables: the sums by contract, agency
 * and day of the rows written since the last flush, in one transaction.
 * An import of a million lines touches far fewer days than lines, so the
 * tables see one upsert per day and agency, not one per line. */
typedef struct AggregatePending AggregatePending;

ClCode aggregate_open(sqlite3 *db, AggregatePending **out, Err *e)
	__attribute__((warn_unused_result));
/* Frees what is pending without writing it (after a rollback). */
void aggregate_close(AggregatePending *p);

/* Add a ledger row: +1 line for a line, -1 for a reversal (whose amounts
 * are the reversed line's, negated).  May flush. */
ClCode aggregate_add(AggregatePending *p, int64_t contract_id, int64_t agency_id, const char *day,
		     int reversal, Money list, Money invoiced, Err *e)
	__attribute__((warn_unused_result));

/* The hash of a kept sum's key: two ids and a text (a day, a PO number). */
uint32_t aggregate_key_hash(int64_t c, int64_t a, const char *text);

/* 1 when rows were added since the last flush. */
int aggregate_pending(const AggregatePending *p);

/* Write what is pending to sales_day and sales_agency_day; to be called
 * in the transaction that wrote the rows, before it commits. */
ClCode aggregate_flush(AggregatePending *p, Err *e) __attribute__((warn_unused_result));

/* Recompute sales_agency_day from every ledger row and sales_day from
 * that, and compare with the kept tables.  On a difference, CL_ERULE with
 * a message naming the contract, agency and day and both figures.  OUT:
 * *rows, the aggregate rows checked. */
ClCode aggregate_verify(sqlite3 *db, int64_t *rows, Err *e) __attribute__((warn_unused_result));

#endif
