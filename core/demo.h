/*
 * demo.h — the Kansas furniture demonstration program.
 *
 * Fills an empty database with a believable cooperative program,
 * deterministic from a fixed seed and the as-of date: the 286 Kansas
 * unified school districts and a few other agencies, Wichita USD 259 as
 * lead agency, two furniture vendors, three contracts, staggered
 * participants, purchase orders reported quarter by quarter (with returns,
 * corrections and price deviations), remittances, closed quarters and one
 * user per role.
 */
#ifndef COOPLEDGER_DEMO_H
#define COOPLEDGER_DEMO_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"

#define DEMO_SEED 20250701u

typedef struct DemoUser {
	char email[64];
	char role[16];
	char binding[40]; /* agency or vendor code, or "" */
	char password[24];
} DemoUser;

typedef struct DemoContract {
	char number[64];
	char vendor[33];
	int participants;
	int64_t lines;
	Money net_sales;
} DemoContract;

typedef struct DemoSummary {
	int agencies;
	int vendors;
	int ncontract;
	DemoContract contract[3];
	int64_t lines; /* ledger rows, reversals included */
	int64_t reversals;
	int64_t batches;
	int64_t remittances;
	int closed_quarters;
	DemoUser user[4];
} DemoSummary;

/* Load the demo into db, which must hold no agencies yet.  Purchases run
 * from each contract's start through the last quarter whose report is due
 * by as_of.  OUT: *sum (with each user's one-time password). */
ClCode demo_load(sqlite3 *db, Date as_of, DemoSummary *sum, Err *e)
	__attribute__((warn_unused_result));

#endif
