/*
 * listing.h — the lists the pages, their CSV downloads and the API show:
 * purchases with their filters, agencies, an agency's purchase lines, the
 * audit log, users, API tokens, contracts, participants and periods.
 *
 * Each reads its rows in full into OUT *out (columns by name, money as
 * integer cents), or fails with e set when a query failed: a failed read
 * never passes for a shorter list.  Free *out with rowset_free() either
 * way.  Paged lists take limit rows from offset (limit 0: all) and set
 * out->more when there were more.
 */
#ifndef COOPLEDGER_LISTING_H
#define COOPLEDGER_LISTING_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "rowset.h"
#include "session.h"

/* The filters of the purchase ledger; NULL or "" filters nothing.  The
 * text filters ignore case and match any part: contract of its number,
 * agency of its code or name, po and invoice of those numbers. */
typedef struct PurchaseFilter {
	const char *contract;	  /* part of a contract number */
	const char *agency;	  /* part of an agency code or name */
	const char *agency_exact; /* exactly this agency code (a member's own) */
	const char *po;		  /* part of a purchase order number */
	const char *invoice;	  /* part of an invoice number */
	const Quarter *quarter;	  /* invoice dates in this quarter (NULL: any) */
	const Date *from, *to;	  /* invoice dates from, to (NULL: open) */
} PurchaseFilter;

/* Ledger lines (reversed ones and reversals too) matching f, newest
 * first, with their state ("reversal of N", "reversed" or null). */
ClCode listing_purchases(sqlite3 *db, const PurchaseFilter *f, long offset, int limit, RowSet *out,
			 Err *e) __attribute__((warn_unused_result));

/* What every ledger line matching f adds up to. */
typedef struct PurchaseTotals {
	int64_t lines;
	int64_t list_amount, invoiced_amount; /* cents */
} PurchaseTotals;

/* The count and money totals of all the lines matching f (not a page of
 * them).  OUT: *t. */
ClCode listing_purchase_totals(sqlite3 *db, const PurchaseFilter *f, PurchaseTotals *t, Err *e)
	__attribute__((warn_unused_result));

/* Agencies whose code or name holds search, ignoring case (NULL: all),
 * by code, with the count of contracts each takes part in. */
ClCode listing_agencies(sqlite3 *db, const char *search, long offset, int limit, RowSet *out,
			Err *e) __attribute__((warn_unused_result));

/* How many agencies listing_agencies() finds for search.  OUT: *n. */
ClCode listing_agencies_count(sqlite3 *db, const char *search, int64_t *n, Err *e)
	__attribute__((warn_unused_result));

/* The live purchase lines of agency code, newest first, over all its
 * contracts or only contract (NULL: all), with the savings of each. */
ClCode listing_agency_lines(sqlite3 *db, const char *code, const char *contract, long offset,
			    int limit, RowSet *out, Err *e) __attribute__((warn_unused_result));

/* Audit entries, newest first: of action and actor (NULL: any), whose
 * actor, action, entity id or after-image holds search (NULL: all). */
ClCode listing_audit(sqlite3 *db, const char *action, const char *actor, const char *search,
		     long offset, int limit, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* Every user with the code of the agency or vendor it is bound to and its
 * state (active, invited: no password set yet, deactivated), by e-mail. */
ClCode listing_users(sqlite3 *db, RowSet *out, Err *e) __attribute__((warn_unused_result));

/* The API tokens of user_id (0: everyone's), newest first. */
ClCode listing_tokens(sqlite3 *db, int64_t user_id, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The contracts who may see, by number, with vendor and lead agency
 * names and the count of participants. */
ClCode listing_contracts(sqlite3 *db, const Principal *who, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The contracts who may see as the API gives them: number, title,
 * status, start, end, vendor (code). */
ClCode listing_contracts_api(sqlite3 *db, const Principal *who, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The contracts who may see as {number, title, status}, for a picker. */
ClCode listing_contract_titles(sqlite3 *db, const Principal *who, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The participants of contract number (code, name, joined), by joining
 * date. */
ClCode listing_participants(sqlite3 *db, const char *number, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The reporting periods and their state, newest first. */
ClCode listing_periods(sqlite3 *db, RowSet *out, Err *e) __attribute__((warn_unused_result));

#endif
