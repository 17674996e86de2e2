/*
 * compliance.h — per-order discount compliance (DOMAIN.md section 4.2):
 * what members should have been charged under the discount tiers, and the
 * lines where they paid more.
 */
#ifndef COOPLEDGER_COMPLIANCE_H
#define COOPLEDGER_COMPLIANCE_H

#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "money.h"

/* An overcharged line: what was paid against the order's discount. */
typedef struct ComplianceLine {
	char invoice_number[65];
	int line;
	char agency[33]; /* agency code */
	char po_number[65];
	char invoice_date[DATE_BUF];
	Money list_amount;
	Rate rate;	/* the discount the order's list total reaches */
	Money expected; /* list less the discount */
	Money invoiced_amount;
	Money overcharge; /* invoiced - expected - the price tolerance */
} ComplianceLine;

/* The overcharged lines of one quarter ("2026-Q1") or one agency. */
typedef struct ComplianceTally {
	char key[40];
	int lines;
	Money overcharge;
} ComplianceTally;

/* `report compliance`: the overcharged lines by date, invoice and line,
 * their total, and their tallies by quarter and by agency (by key). */
typedef struct ComplianceReport {
	char contract[64]; /* as asked for */
	ComplianceLine *line;
	int nline;
	Money total_overcharge;
	ComplianceTally *by_quarter;
	int nquarter;
	ComplianceTally *by_agency;
	int nagency;
} ComplianceReport;

/* The compliance report of a contract.  period (may be NULL) keeps the
 * lines dated in that quarter; an order's total still counts all its
 * live lines.  only_agency (may be NULL) keeps one agency's lines.
 * OUT: *out (free with compliance_report_free(), also on failure). */
ClCode compliance_report(sqlite3 *db, const char *contract, const Quarter *period,
			 const char *only_agency, ComplianceReport *out, Err *e)
	__attribute__((warn_unused_result));
void compliance_report_free(ComplianceReport *r);

#endif
