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

#include "compliance.h"
#include "contract.h"
#include "fees.h"
#include "rebate.h"
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

/* {"contract","quarters":[{"quarter","net_sales","fee","late_fee",
 * "remitted","balance","due_date","status","report","days_past_due"}]}.
 * Caller frees. */
cJSON *encode_fees(const FeesReport *r, EncMode mode);

/* {"contract","year","start","end","base","rate","total","status",
 * "next_tier":{"from","rate","remaining"} or null,"allocations":[{"agency",
 * "net","rebate"}]} and, with a snapshot, "snapshot":{"taken_on","base",
 * "total"} and "true_up".  Caller frees. */
cJSON *encode_rebates(const RebateReport *r, EncMode mode);

/* A rebate's next tier as {"from","rate","remaining"}, or JSON null when
 * there is none.  Caller frees. */
cJSON *encode_next_tier(const RebateNext *n, EncMode mode);

/* {"contract","lines":[{"invoice_number","line","agency","po_number",
 * "list_amount","rate","expected","invoiced_amount","overcharge",
 * "invoice_date"}],"total_overcharge","by_quarter":[{"quarter","lines",
 * "overcharge"}],"by_agency":[{"agency","lines","overcharge"}]}.  Caller
 * frees. */
cJSON *encode_compliance(const ComplianceReport *r, EncMode mode);

/* The terms document (terms_to_json()) with "lead_agency_name",
 * "vendor_name", "live_lines", "list_total", "net_sales" and
 * "participants"; for a page, every figure of the terms with its human
 * form too.  NULL when out of memory.  Caller frees. */
cJSON *encode_contract(const ContractShow *c, EncMode mode);

/* fees_report() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_fees_report(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
			  EncMode mode, Err *e);

/* rebate_report() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_rebate_report(sqlite3 *db, const char *contract, int year, Date today,
			    const char *only_agency, const char *actor, EncMode mode, Err *e);

/* compliance_page() as JSON, or NULL with e set: limit lines (0: all,
 * below 0: none) from offset (or COMPLIANCE_LAST).  With limit > 0 it
 * also carries "paging": {"page", "limit", "pages", "line_count"}.
 * Caller frees. */
cJSON *encode_compliance_report(sqlite3 *db, const char *contract, const Quarter *period,
				const char *only_agency, long offset, int limit, EncMode mode,
				Err *e);

/* contract_show() on day on as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_contract_show(sqlite3 *db, const char *number, Date on, EncMode mode, Err *e);

/* summary_agency() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_agency_report(sqlite3 *db, const char *agency, const char *contract,
			    const Quarter *period, Date today, const char *actor, EncMode mode,
			    Err *e);

/* summary_agency_recent() as the JSON of encode_agency_report() for a
 * page: each card's newest keep lines, its "line_count" and its statement
 * quarters (encode_statement_quarters()).  Or NULL with e set.  Caller
 * frees. */
cJSON *encode_agency_page(sqlite3 *db, const char *agency, int keep, Date today, const char *actor,
			  Err *e);

/* summary_revenue() as JSON, or NULL with e set.  Caller frees. */
cJSON *encode_revenue_report(sqlite3 *db, int year, Date today, EncMode mode, Err *e);

/* On an agency's contract card (a "contracts" item of
 * encode_summary_agency() with its "status"): the quarters that may have
 * a statement, newest first, as "statement_quarters" [{quarter, selected}]
 * and the newest as "statement_quarter".  They are the quarters with live
 * lines, q[0..n) oldest first, up to the last complete one before today;
 * an active contract also offers that last complete quarter (a zero
 * statement); "status_active" says whether it is active. */
void encode_statement_quarters(cJSON *card, const Quarter *with_lines, int n, Date today);

/* A rebate year for people: "Calendar year 2026", or "Contract year 1
 * (2025-07-01 to 2026-06-30)".  OUT: buf (size n), returned. */
const char *encode_year_label(int calendar, int year, Date start, Date end, char *buf, size_t n);

/* An amendment's partial terms document in words ("fee graduated: 2.5%
 * from $0.00, ...; ends 2029-06-30"); ends is the term's last day once the
 * amendment is in force, which a renewal names.  Caller frees; NULL when
 * out of memory. */
char *encode_change_words(const cJSON *changes, Date ends);

#endif
