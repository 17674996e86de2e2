/*
 * encode.h — the JSON of core's typed results, written in one place for
 * the CLI's --json, the API and the pages' contexts.  Money is written
 * from cents, never read back from text: as "1234.56" always, and for a
 * page also as "<key>_h" ("$1,234.56") and "<key>_negative" (true when
 * below zero) for the templates.
 */
#ifndef COOPLEDGER_ENCODE_H
#define COOPLEDGER_ENCODE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "rowset.h"
#include "summary.h"

typedef enum {
	ENC_DATA = 0, /* the CLI's --json and the API: DOMAIN.md's figures */
	ENC_PAGE      /* a page's template context: figures and their _h forms */
} EncMode;

/* o[key] = m as money text, with the page forms in ENC_PAGE. */
void encode_money(cJSON *o, const char *key, Money m, EncMode mode);

/* The rows as [{column: value}]: integers as numbers, except the columns
 * named in money (NULL-terminated; may be NULL), which hold cents and are
 * written by encode_money().  Caller frees. */
cJSON *encode_rowset(const RowSet *rs, const char *const *money, EncMode mode);

/* {"agency","name","as_of","contracts":[{"contract","title","joined",
 * "lines":[...],"list_total","paid_total","savings","savings_pct",
 * "rebate"}]}.  Caller frees. */
cJSON *encode_summary_agency(const SummaryAgency *s, EncMode mode);

/* {"as_of","year","contracts","quarters","missing_reports","aging",
 * "totals"}.  Caller frees. */
cJSON *encode_summary_revenue(const SummaryRevenue *s, EncMode mode);

/* summary_agency() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_agency_report(sqlite3 *db, const char *agency, const char *contract,
			    const Quarter *period, Date today, const char *actor, EncMode mode,
			    Err *e);

/* summary_revenue() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_revenue_report(sqlite3 *db, int year, Date today, EncMode mode, Err *e);

#endif
