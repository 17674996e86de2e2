/*
 * participant.h — enrolling agencies in a contract, and the participants
 * with what each has bought (DOMAIN.md sections 3 and 4.4).
 */
#ifndef COOPLEDGER_PARTICIPANT_H
#define COOPLEDGER_PARTICIPANT_H

#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "rowset.h"

/* At most this many agencies are enrolled at once. */
#define PARTICIPANT_ENROLL_MAX 1000

/* Enroll the n agencies codes in contract number from joined, all or
 * nothing, audited as actor: each must exist, be a public entity, be
 * named once and not participate yet, and joined must fall within the
 * contract term.  The message names the agency refused.  OUT: *added. */
ClCode participant_enroll(sqlite3 *db, const char *number, const char *const *codes, int n,
			  Date joined, const char *actor, int *added, Err *e)
	__attribute__((warn_unused_result));

/* The participants of contract number by joining date, into OUT *out:
 * code, name, joined, lines and net_sales (cents) — the live lines
 * invoiced on or before today and what they come to.  Free with
 * rowset_free() either way. */
ClCode participant_list(sqlite3 *db, const char *number, Date today, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

#endif
