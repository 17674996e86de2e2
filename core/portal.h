/*
 * portal.h — what the dashboard and the member and vendor portals read:
 * contract cards, the largest contract's spend by agency, a contract's
 * remittances.
 *
 * Row sets are the caller's to free with rowset_free(), also on failure.
 */
#ifndef COOPLEDGER_PORTAL_H
#define COOPLEDGER_PORTAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "rowset.h"

/* The active contracts as rows (number, title), by number.  OUT: *rs. */
ClCode portal_active_contracts(sqlite3 *db, RowSet *rs, Err *e) __attribute__((warn_unused_result));

/* The contracts of vendor vendor_id as rows (number, title), by number.
 * OUT: *rs. */
ClCode portal_vendor_contracts(sqlite3 *db, int64_t vendor_id, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* The remittances recorded for contract number, newest first, as rows
 * (quarter, amount in cents, received, reference).  OUT: *rs. */
ClCode portal_remittances(sqlite3 *db, const char *number, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* The active contract with the most live sales.  When only one active
 * contract has any, it is that one: no need to sum its whole ledger.
 * OUT: number (size n), *found (0 when no active contract has sales). */
ClCode portal_top_contract(sqlite3 *db, char *number, size_t n, int *found, Err *e)
	__attribute__((warn_unused_result));

/* One agency's spend. */
typedef struct PortalSpend {
	char code[33];
	Money v;
} PortalSpend;

/* Each agency's live sales under contract number from from to to
 * inclusive, largest first.  OUT: *spend (an array of *n the caller
 * frees, NULL when none), *total. */
ClCode portal_agency_spend(sqlite3 *db, const char *number, Date from, Date to, PortalSpend **spend,
			   int *n, Money *total, Err *e) __attribute__((warn_unused_result));

/* What agency saved against list prices (list less paid, live lines)
 * dated from from to to inclusive, per contract as rows (contract,
 * saved in cents), by contract number; only contracts with lines in the
 * range.  OUT: *rs. */
ClCode portal_agency_saved(sqlite3 *db, const char *agency, Date from, Date to, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

#endif
