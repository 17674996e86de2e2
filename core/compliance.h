/*
 * compliance.h — per-order discount compliance (DOMAIN.md section 4.2):
 * what members should have been charged under the discount tiers, and the
 * lines where they paid more.
 */
#ifndef COOPLEDGER_COMPLIANCE_H
#define COOPLEDGER_COMPLIANCE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "date.h"
#include "err.h"

/* `report compliance --json`: {"contract", "lines": [overcharged lines],
 * "total_overcharge", "by_quarter": [...], "by_agency": [...]}.  period
 * (may be NULL) keeps the lines dated in that quarter; an order's total
 * still counts all its live lines.  only_agency (may be NULL) keeps one
 * agency's lines.  Caller frees. */
cJSON *compliance_report_json(sqlite3 *db, const char *contract, const Quarter *period,
			      const char *only_agency, Err *e);

#endif
