/*
 * listing.h — the lists the pages, their CSV downloads and the API show:
 * purchases with their filters, agencies, an agency's purchase lines, the
 * audit log, users, API tokens, contracts, participants and periods.
 *
 * Each returns a JSON array of row objects named by column (integers as
 * numbers, NULL as null, money as cents unless said otherwise) that the
 * caller frees with cJSON_Delete(), or NULL with e set when a query
 * failed: a failed read never passes for a shorter list.  Paged lists
 * take limit rows from offset (limit 0: all) and set OUT *more when
 * there were more.
 */
#ifndef COOPLEDGER_LISTING_H
#define COOPLEDGER_LISTING_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "session.h"

/* The filters of the purchase ledger; NULL or "" filters nothing. */
typedef struct PurchaseFilter {
	const char *contract;	/* contract number */
	const char *agency;	/* agency code */
	const char *po;		/* purchase order number */
	const char *invoice;	/* invoice number */
	const Quarter *quarter; /* invoice dates in this quarter (NULL: any) */
} PurchaseFilter;

/* Ledger lines (reversed ones and reversals too) matching f, newest
 * first, with their state ("reversal of N", "reversed" or null). */
cJSON *listing_purchases(sqlite3 *db, const PurchaseFilter *f, long offset, int limit, int *more,
			 Err *e);

/* Agencies whose code or name holds search (NULL: all), by code, with
 * the count of contracts each takes part in. */
cJSON *listing_agencies(sqlite3 *db, const char *search, long offset, int limit, int *more, Err *e);

/* The live purchase lines of agency code, newest first, over all its
 * contracts or only contract (NULL: all), with the savings of each. */
cJSON *listing_agency_lines(sqlite3 *db, const char *code, const char *contract, long offset,
			    int limit, int *more, Err *e);

/* Audit entries, newest first: of action and actor (NULL: any), whose
 * actor, action, entity id or after-image holds search (NULL: all). */
cJSON *listing_audit(sqlite3 *db, const char *action, const char *actor, const char *search,
		     long offset, int limit, int *more, Err *e);

/* Every user with the code of the agency or vendor it is bound to, by
 * e-mail. */
cJSON *listing_users(sqlite3 *db, Err *e);

/* The API tokens of user_id (0: everyone's), newest first. */
cJSON *listing_tokens(sqlite3 *db, int64_t user_id, Err *e);

/* The contracts who may see, by number, with vendor and lead agency
 * names and the count of participants. */
cJSON *listing_contracts(sqlite3 *db, const Principal *who, Err *e);

/* The contracts who may see as the API gives them: {number, title,
 * status, start, end, vendor (code)}. */
cJSON *listing_contracts_api(sqlite3 *db, const Principal *who, Err *e);

/* The contracts who may see as {number, title}, for a picker. */
cJSON *listing_contract_titles(sqlite3 *db, const Principal *who, Err *e);

/* The participants of contract number (code, name, joined), by joining
 * date. */
cJSON *listing_participants(sqlite3 *db, const char *number, Err *e);

/* The reporting periods and their state, newest first. */
cJSON *listing_periods(sqlite3 *db, Err *e);

#endif
