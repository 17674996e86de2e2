/*
 * ledger.h — the append-only, hash-chained ledger of purchases
 * (DOMAIN.md sections 3 and 4.4).
 *
 * Lines are appended, never changed: a correction is a reversal (a new line
 * negating the original and naming it) followed by a new line with the same
 * identity.  A live line is neither reversed nor a reversal; only live lines
 * count in any total (the live_purchase view).
 */
#ifndef COOPLEDGER_LEDGER_H
#define COOPLEDGER_LEDGER_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"

/* Prepared statements and per-transaction caches for appending lines.  Use
 * one Ledger per transaction (or batch); close it before committing. */
typedef struct Ledger Ledger;

typedef struct PurchaseIn {
	int64_t contract_id;
	const char *agency_code;
	const char *po_number;
	const char *invoice_number;
	int line; /* 1 when not given */
	Date invoice_date;
	const char *description; /* NULL or "" when not given */
	const char *category;
	const char *quantity; /* decimal text, may be "" */
	Money list_amount;
	Money invoiced_amount;
	Money freight_amount;
	Money tax_amount;
	int64_t batch_id; /* 0 when not from a batch */
} PurchaseIn;

typedef enum {
	LEDGER_APPENDED = 0, /* a new line was written */
	LEDGER_DUPLICATE     /* the same line with the same amounts is already live */
} LedgerOutcome;

/* OUT: *out, freed by ledger_close(). */
ClCode ledger_open(sqlite3 *db, const char *actor, Ledger **out, Err *e)
	__attribute__((warn_unused_result));
/* Write the rows' sums to the kept net sales (aggregate.h).  A writer calls
 * it once its rows are written and before it commits.  ledger_close() with
 * sums still pending rolls the transaction back, as a writer that failed
 * would: rows are never committed without their sums (the commit fails). */
ClCode ledger_flush(Ledger *l, Err *e) __attribute__((warn_unused_result));
void ledger_close(Ledger *l);

/* Check a line without writing it: identity (duplicate / conflict) and
 * every eligibility rule of DOMAIN.md 4.4.  A refusal names its rule.
 * OUT: *outcome. */
ClCode ledger_check(Ledger *l, const PurchaseIn *p, LedgerOutcome *outcome, Err *e)
	__attribute__((warn_unused_result));

/* Check and append a line inside the caller's transaction.  A duplicate is
 * not written (*outcome says so); a line whose identity is live with other
 * amounts is a CL_ECONFLICT telling the user to reverse and re-enter.
 * OUT: *outcome, *id (0 for a duplicate; either may be NULL). */
ClCode ledger_append(Ledger *l, const PurchaseIn *p, LedgerOutcome *outcome, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* After a refusal from ledger_check() or ledger_append(): the column of a
 * sales report it is about ("agency_code", "invoice_date",
 * "invoice_number"). */
const char *ledger_error_column(const Ledger *l);

/* After a duplicate or conflict: the import batch of the live line with the
 * same identity (0 when it came from no batch). */
int64_t ledger_match_batch(const Ledger *l);
int64_t ledger_match_id(const Ledger *l); /* that line's id */

/* Reverse one live line, in its own transaction, audited.  Refused when the
 * line is a reversal, already reversed, or its quarter is closed.
 * OUT: *reversal_id (may be NULL). */
ClCode ledger_reverse_line(sqlite3 *db, int64_t id, const char *reason, const char *actor,
			   int64_t *reversal_id, Err *e) __attribute__((warn_unused_result));

/* Reverse every live line of an import batch in one transaction, audited;
 * all or nothing.  OUT: *count lines reversed. */
ClCode ledger_reverse_batch(sqlite3 *db, int64_t batch, const char *reason, const char *actor,
			    int *count, Err *e) __attribute__((warn_unused_result));

/* Open a batch record (file name, SHA-256 hex, quarter text or NULL) inside
 * the caller's transaction.  OUT: *id. */
ClCode ledger_batch_create(sqlite3 *db, int64_t contract_id, const char *file_name,
			   const char *sha256, const char *period, Date filed_on, const char *actor,
			   int64_t *id, Err *e) __attribute__((warn_unused_result));

/* Store a batch's counts and totals (and its result JSON, may be NULL). */
ClCode ledger_batch_finish(sqlite3 *db, int64_t batch, int64_t rows, int64_t accepted,
			   int64_t duplicates, int64_t rejected, Money list_total,
			   Money invoiced_total, const char *result_json, Err *e)
	__attribute__((warn_unused_result));

/* Rows checked in each hash chain, and the orders whose totals were
 * recomputed. */
typedef struct LedgerChains {
	int64_t purchases, remittances, amendments, registers, audits;
	int64_t aggregates; /* kept net-sales rows checked against the lines */
	int64_t orders;	    /* orders whose totals were recomputed */
} LedgerChains;

/* Recompute the hash chains of the ledger, the remittances, the
 * amendments, the register lines and the audit log, the kept net sales
 * (aggregate.h) and every order's totals (compliance_verify()) from the
 * ledger's lines.  On a break or a difference, CL_ERULE with a message
 * naming the first bad row or order.  OUT: *n. */
ClCode ledger_verify_all(sqlite3 *db, LedgerChains *n, Err *e) __attribute__((warn_unused_result));

/* ledger_verify_all(), counting only the ledger and audit rows.  OUT:
 * *purchases and *audits (may be NULL). */
ClCode ledger_verify(sqlite3 *db, int64_t *purchases, int64_t *audits, Err *e)
	__attribute__((warn_unused_result));

#endif
