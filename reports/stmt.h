/*
 * stmt.h — data shared by the statements: the parties of a contract and
 * the dates a StatementPeriod covers.  No drawing here.
 */
#ifndef COOPLEDGER_STMT_H
#define COOPLEDGER_STMT_H

#include <sqlite3.h>

#include "err.h"
#include "pdf.h"
#include "stmtdata.h"
#include "terms.h"

/* A contract's terms, lead agency and vendor. */
typedef struct ContractInfo {
	Terms t;
	int64_t id;
	Party lead, vendor;
} ContractInfo;

/* Load number's terms and parties.  OUT: *ci. */
ClCode stmt_contract(sqlite3 *db, const char *number, ContractInfo *ci, Err *e);

/* The first and last day of p under terms t (fee schedule years), the
 * fee year of the last day and a label for people ("2026-Q3", "contract
 * year 1 (2025-07-01 to 2026-06-30)").  OUT: *first, *last, label (n). */
ClCode stmt_range(const Terms *t, const StatementPeriod *p, Date *first, Date *last, char *label,
		  size_t n, Err *e);

/* Percent of part in whole (0..1), 0 when whole <= 0. */
double stmt_frac(Money part, Money whole);

#endif
