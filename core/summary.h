/*
 * summary.h — reports built on the money engine: one member agency's
 * purchases, savings and rebate share (`report agency`), and the lead
 * agency's fee revenue across contracts (`report revenue`).  The results
 * are C structs; their JSON is written at the edge (web/encode.h).
 */
#ifndef COOPLEDGER_SUMMARY_H
#define COOPLEDGER_SUMMARY_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "fees.h"
#include "money.h"
#include "rebate.h"

/* One live purchase line of the agency. */
typedef struct SummaryLine {
	int64_t id;
	char *invoice_date, *po_number, *invoice_number, *description;
	int line;
	Money list_amount, invoiced_amount, savings; /* savings = list - invoiced */
} SummaryLine;

/* The agency's share of a contract's current rebate year. */
typedef struct SummaryRebate {
	int present; /* 0: the contract has no rebate to show */
	int year;
	int calendar;	     /* 1: year is a calendar year, 0: a contract year */
	Date start, end;     /* the year's first and last day */
	int final;	     /* 1: "final", 0: "projected" */
	Money rebate;	     /* the agency's allocation */
	Money contract_base; /* the contract-wide base */
	Rate rate;
	RebateNext next_tier;
} SummaryRebate;

/* One contract the agency participates in. */
typedef struct SummaryContract {
	char *contract, *title, *joined;
	char *status; /* "active", "expired", "terminated" */
	SummaryLine *lines;
	int nline;
	int64_t line_count; /* its live lines: nline unless only the newest are read */
	Quarter *quarters;  /* the quarters with live lines, oldest first */
	int nquarter;
	Money list_total, paid_total, savings;
	SummaryRebate rebate;
} SummaryContract;

typedef struct SummaryAgency {
	char *agency, *name;
	Date as_of;
	SummaryContract *contracts;
	int ncontract;
} SummaryAgency;

/* The agency's lines, totals and rebate share for every contract it
 * participates in, or only contract (may be NULL); period (may be NULL)
 * keeps the lines and totals of one quarter.  OUT: *out (free with
 * summary_agency_free(), also on failure). */
ClCode summary_agency(sqlite3 *db, const char *agency, const char *contract, const Quarter *period,
		      Date today, const char *actor, SummaryAgency *out, Err *e)
	__attribute__((warn_unused_result));
/* The same for a page: each contract's newest keep lines (oldest of them
 * first), its totals and line count and the quarters with live lines
 * from the kept net sales, so that the cost follows keep, not the
 * agency's lines. */
ClCode summary_agency_recent(sqlite3 *db, const char *agency, int keep, Date today,
			     const char *actor, SummaryAgency *out, Err *e)
	__attribute__((warn_unused_result));
void summary_agency_free(SummaryAgency *s);

/* Revenue figures summed over quarters.  outstanding sums the positive
 * balances of ended quarters, credits the negative ones (as a positive
 * figure: what the lead agency owes vendors back); neither nets the other. */
typedef struct SummaryFigures {
	Money net_sales, fee, late_fee, remitted, outstanding, overdue, credits;
} SummaryFigures;

typedef struct SummaryRevenueContract {
	char *contract, *vendor;
	SummaryFigures f;
} SummaryRevenueContract;

/* One fee quarter of one contract. */
typedef struct SummaryRevenueQuarter {
	int contract; /* index into SummaryRevenue.contracts */
	FeeQuarter f;
} SummaryRevenueQuarter;

/* A quarterly report not filed by its due date. */
typedef struct SummaryMissing {
	int contract; /* index into SummaryRevenue.contracts */
	Quarter q;
	Date due;
	int days_past_due;
} SummaryMissing;

#define SUMMARY_AGING 4 /* buckets "1-30", "31-60", "61-90", "90+" */

typedef struct SummaryRevenue {
	Date as_of;
	int year; /* 0: all quarters to today */
	SummaryRevenueContract *contracts;
	int ncontract;
	SummaryRevenueQuarter *quarters;
	int nquarter;
	SummaryMissing *missing;
	int nmissing;
	Money aging[SUMMARY_AGING]; /* overdue balances by days past due */
	SummaryFigures totals;
} SummaryRevenue;

/* Fee revenue of every contract (year 0: all quarters to today; else the
 * quarters of that calendar year): by quarter and contract, totals,
 * outstanding and overdue balances with aging, credits (overpaid quarters,
 * owed back to vendors), missing reports.  OUT: *out (free with
 * summary_revenue_free(), also on failure). */
ClCode summary_revenue(sqlite3 *db, int year, Date today, SummaryRevenue *out, Err *e)
	__attribute__((warn_unused_result));
void summary_revenue_free(SummaryRevenue *s);

/* The name of aging bucket i (< SUMMARY_AGING): "1-30" ... "90+". */
const char *summary_aging_name(int i);

/* savings / list as a percent with two decimals ("60.12%"), rounded half
 * away from zero; "0.00%" when list is zero.  Writes into buf (size n). */
char *summary_percent(long long savings, long long list, char *buf, size_t n);

/* A contract's fee quarters as what is due now, the way the revenue
 * figures count them (a quarter's status decides): past due (overdue
 * quarters' balances, late fees included), due by a date (ended quarters
 * not yet past their due date), not yet due (the open quarter's fee so
 * far) and credits (overpaid quarters, owed back to the vendor, as a
 * positive figure).  A credit is never netted against another quarter's
 * amount due. */
typedef struct SummaryDue {
	Money past_due, past_due_late_fee;
	int past_due_quarters;
	Money due;
	Date due_by; /* the earliest due date of those quarters; 0 when none */
	Money not_yet_due;
	Money credits;
	int credit_quarters;
} SummaryDue;

/* The n quarters f sorted into *out. */
void summary_due(const FeeQuarter *f, int n, SummaryDue *out);

#endif
