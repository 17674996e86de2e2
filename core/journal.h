/*
 * journal.h — a contract's books as a plain-text accounting journal that
 * `ledger` and `hledger` read, so finance staff can check coopledger's
 * figures with the tools they know.
 *
 * Accounts: Members:<agency> (what each member bought, net),
 * Vendor:<code>:Sales, Vendor:<code>:Fees (what the vendor owes the lead
 * agency), Revenue:AdminFees, Revenue:LateFees and Assets:Remittances.
 */
#ifndef COOPLEDGER_JOURNAL_H
#define COOPLEDGER_JOURNAL_H

#include <sqlite3.h>
#include <stdio.h>

#include "date.h"
#include "err.h"

/* Write the journal of contract as of today to out: every live line on its
 * invoice date, each quarter's fee on the quarter's last day, late fees the
 * day after the due date, remittances on the day received. */
ClCode journal_export(sqlite3 *db, const char *contract, Date today, FILE *out, Err *e)
	__attribute__((warn_unused_result));

#endif
