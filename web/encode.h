/*
 * encode.h — the JSON of the typed reports (core/summary.h), written in
 * one place for the CLI's --json, the API and the pages' contexts.
 */
#ifndef COOPLEDGER_ENCODE_H
#define COOPLEDGER_ENCODE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "summary.h"

/* {"agency","name","as_of","contracts":[{"contract","title","joined",
 * "lines":[...],"list_total","paid_total","savings","savings_pct",
 * "rebate"}]}.  Caller frees. */
cJSON *encode_summary_agency(const SummaryAgency *s);

/* {"as_of","year","contracts","quarters","missing_reports","aging",
 * "totals"}.  Caller frees. */
cJSON *encode_summary_revenue(const SummaryRevenue *s);

/* summary_agency() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_agency_report(sqlite3 *db, const char *agency, const char *contract,
			    const Quarter *period, Date today, const char *actor, Err *e);

/* summary_revenue() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_revenue_report(sqlite3 *db, int year, Date today, Err *e);

#endif
