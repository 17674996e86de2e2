/*
 * audit.h — the append-only, hash-chained audit log (DOMAIN.md section 3).
 *
 * Every change to the records (agencies, contracts, participants, periods,
 * users, reversals, batches, remittances) writes one row: who, when, what,
 * and the record before and after as JSON.  Ledger lines carry their own
 * who/when and are chained in the purchase table itself.
 */
#ifndef COOPLEDGER_AUDIT_H
#define COOPLEDGER_AUDIT_H

#include <sqlite3.h>

#include "err.h"

/* Append an audit row.  before/after are JSON texts or NULL.  Must run inside
 * the caller's transaction so the change and its record commit together. */
ClCode audit_record(sqlite3 *db, const char *actor, const char *action, const char *entity,
		    const char *entity_id, const char *before, const char *after, Err *e)
	__attribute__((warn_unused_result));

#endif
