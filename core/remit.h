/*
 * remit.h — remittances: administrative fees the vendor has paid the lead
 * agency for a contract quarter (DOMAIN.md sections 3 and 4.1).
 *
 * Remittances are append-only and hash-chained, like the ledger: a wrong
 * one is reversed by a row that negates it and names it, with a reason,
 * and then neither counts anywhere (the live_remittance view).  A
 * remittance with the same contract, quarter and reference as a live one
 * is refused unless it is confirmed as a second payment.
 */
#ifndef COOPLEDGER_REMIT_H
#define COOPLEDGER_REMIT_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "rowset.h"

typedef struct RemitIn {
	const char *contract; /* contract number */
	Quarter quarter;
	Money amount; /* > 0 */
	Date received;
	const char *reference; /* cheque or ACH number */
	int again;	       /* 1: confirmed as a second payment of a live reference */
} RemitIn;

/* Record a remittance, chained and audited.  The quarter must overlap the
 * contract term and the amount be positive.  One whose contract, quarter
 * and reference (letter case aside) are those of a live remittance is a
 * CL_ECONFLICT naming that one, unless r->again.  Cash received on a day
 * of a closed quarter is a CL_ERULE naming the quarter.  OUT: *id (may be
 * NULL). */
ClCode remit_add(sqlite3 *db, const RemitIn *r, const char *actor, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* remit_add() as of today (the --as-of date, or the clock when that is
 * earlier): a received date after today is refused, since a remittance
 * cannot be received in the future, and nothing is written.  OUT: *id (may be NULL). */
ClCode remit_add_as_of(sqlite3 *db, const RemitIn *r, Date today, const char *actor, int64_t *id,
		       Err *e) __attribute__((warn_unused_result));

/* The live remittance r would repeat (same contract, quarter and
 * reference), the oldest; 0 when none.  OUT: *id. */
ClCode remit_find_live(sqlite3 *db, const RemitIn *r, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* Reverse remittance id, in its own transaction, chained and audited.
 * Refused, naming it, when there is no such remittance (CL_ENOTFOUND), it
 * is a reversal itself (CL_ERULE), the reason is empty (CL_EINPUT), it is
 * reversed already (CL_ECONFLICT) or the quarter of its received date is
 * closed (CL_ERULE, naming the quarter). */
ClCode remit_reverse(sqlite3 *db, int64_t id, const char *reason, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* Remittances as they were recorded and what became of them, one row
 * each (reversals are not rows of their own): id, contract, quarter,
 * amount (cents), received, reference, recorded_by, created_at, state
 * ("live" or "reversed"), and for a reversed one reversal_id, reason,
 * reversed_by, reversed_at (else null).  Free rs with rowset_free(). */

/* Remittance id; CL_ENOTFOUND when there is none (or id is a reversal).
 * OUT: *rs, one row. */
ClCode remit_get(sqlite3 *db, int64_t id, RowSet *rs, Err *e) __attribute__((warn_unused_result));

/* The remittances of contract (NULL: every contract), latest received
 * first: limit rows from offset (limit 0: all), rs->more when there are
 * more.  OUT: *rs. */
ClCode remit_list(sqlite3 *db, const char *contract, long offset, int limit, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* Recompute the remittances' hash chain; CL_ERULE naming the first row
 * that does not match.  OUT: *rows checked (may be NULL). */
ClCode remit_verify(sqlite3 *db, int64_t *rows, Err *e) __attribute__((warn_unused_result));

/* For the migration that chains remittances (0009): the hashes of the rows
 * already recorded, into temp.remittance_chain(id, hash), inside the
 * migration's transaction. */
ClCode remit_chain_existing(sqlite3 *db, Err *e) __attribute__((warn_unused_result));

#endif
