/*
 * fees.h — the administrative fee the vendor owes the lead agency
 * (DOMAIN.md section 4.1): fee per quarter by the telescoping rule, due
 * dates, late fees, remittances, balances, quarter and report status.
 */
#ifndef COOPLEDGER_FEES_H
#define COOPLEDGER_FEES_H

#include <sqlite3.h>
#include <stddef.h> /* size_t, which summary.h takes from here */

#include "date.h"
#include "err.h"
#include "money.h"

typedef enum { FQ_OPEN = 0, FQ_DUE, FQ_OVERDUE, FQ_PAID, FQ_OVERPAID } FeeStatus;
typedef enum { FR_MISSING = 0, FR_FILED, FR_LATE } ReportStatus;

typedef struct FeeQuarter {
	Quarter q;
	Money net_sales;
	Money fee;
	Money late_fee;
	Money remitted;	   /* received on or before today */
	Money paid_by_due; /* received on or before the due date (and today) */
	Money balance;	   /* fee + late_fee - remitted */
	Date due;
	FeeStatus status;
	ReportStatus report;
	Date filed_on; /* first filing, when report != FR_MISSING */
	int days_past_due;
} FeeQuarter;

/* Which quarters: all (from the contract's first quarter to today's, or
 * its last), one fee year, or one quarter. */
typedef struct FeeSelect {
	int year; /* 0: not by year */
	int has_period;
	Quarter period;
} FeeSelect;

/* The fee quarters of a contract as of today.  OUT: *out (caller frees
 * with free()), *n. */
ClCode fees_quarters(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
		     FeeQuarter **out, int *n, Err *e) __attribute__((warn_unused_result));

/* `report fees`: the quarters of fees_quarters() and the contract as asked
 * for. */
typedef struct FeesReport {
	char contract[64];
	FeeQuarter *quarter;
	int nquarter;
} FeesReport;

/* The fee report of a contract as of today.  OUT: *out (free with
 * fees_report_free(), also on failure). */
ClCode fees_report(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
		   FeesReport *out, Err *e) __attribute__((warn_unused_result));
void fees_report_free(FeesReport *r);

const char *fee_status_name(FeeStatus s);
const char *report_status_name(ReportStatus s);

/* Display words (pages and PDFs; the JSON keeps the names above): the
 * report of a quarter that has not ended is "not yet due" rather than
 * "missing"; a quarter paid (or overpaid) whose report is missing is
 * "paid — report missing", to be looked at. */
const char *fee_report_display(const FeeQuarter *f);
const char *fee_status_display(const FeeQuarter *f);

/* Days past due to the aging bucket: "1-30", "31-60", "61-90", "90+". */
const char *fees_aging_bucket(int days_past_due);

#endif
