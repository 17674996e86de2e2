/*
 * summary.h — reports built on the money engine: one member agency's
 * purchases, savings and rebate share (`report agency`), and the lead
 * agency's fee revenue across contracts (`report revenue`).
 */
#ifndef COOPLEDGER_SUMMARY_H
#define COOPLEDGER_SUMMARY_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "date.h"
#include "err.h"

/* {"agency","name","as_of","contracts":[{"contract","title","joined",
 * "lines":[...],"list_total","paid_total","savings","savings_pct",
 * "rebate"}]} for every contract the agency participates in, or only
 * contract (may be NULL); period (may be NULL) keeps the lines and totals
 * of one quarter.  Caller frees. */
cJSON *summary_agency_json(sqlite3 *db, const char *agency, const char *contract,
			   const Quarter *period, Date today, const char *actor, Err *e);

/* Fee revenue of every contract (year 0: all quarters to today; else the
 * quarters of that calendar year): by quarter and contract, totals,
 * outstanding and overdue balances with aging, credits (overpaid quarters,
 * owed back to vendors), missing reports.  Caller frees. */
cJSON *summary_revenue_json(sqlite3 *db, int year, Date today, Err *e);

/* savings / list as a percent with two decimals ("60.12%"), rounded half
 * away from zero; "0.00%" when list is zero.  Writes into buf (size n). */
char *summary_percent(long long savings, long long list, char *buf, size_t n);

#endif
