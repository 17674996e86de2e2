/*
 * remit.h — remittances: administrative fees the vendor has paid the lead
 * agency for a contract quarter (DOMAIN.md sections 3 and 4.1).
 */
#ifndef COOPLEDGER_REMIT_H
#define COOPLEDGER_REMIT_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"

typedef struct RemitIn {
	const char *contract; /* contract number */
	Quarter quarter;
	Money amount; /* > 0 */
	Date received;
	const char *reference; /* cheque or ACH number */
} RemitIn;

/* Record a remittance, audited.  The quarter must overlap the contract term
 * and the amount be positive.  OUT: *id (may be NULL). */
ClCode remit_add(sqlite3 *db, const RemitIn *r, const char *actor, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* remit_add() as of today (the --as-of date, or the clock when that is
 * earlier): a received date after today is refused, since a remittance
 * cannot be received in the future, and nothing is written.  OUT: *id (may be NULL). */
ClCode remit_add_as_of(sqlite3 *db, const RemitIn *r, Date today, const char *actor, int64_t *id,
		       Err *e) __attribute__((warn_unused_result));

#endif
