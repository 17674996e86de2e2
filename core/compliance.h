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
	char contract[64];    /* as asked for */
	ComplianceLine *line; /* the lines asked for (a page of them, or all) */
	int nline;
	int64_t nline_all; /* every overcharged line of the report */
	long offset;	   /* of line[0] among them */
	Money total_overcharge;
	ComplianceTally *by_quarter;
	int nquarter;
	ComplianceTally *by_agency;
	int nagency;
} ComplianceReport;

/* The compliance report of a contract.  period (may be NULL) keeps the
 * lines dated in that quarter; an order's total still counts all its
 * live lines.  only_agency (may be NULL) keeps one agency's lines.
 * It first recomputes, and stores, the orders touched since the last
 * run (all of them or none), then reads the stored results.
 * OUT: *out (free with compliance_report_free(), also on failure). */
ClCode compliance_report(sqlite3 *db, const char *contract, const Quarter *period,
			 const char *only_agency, ComplianceReport *out, Err *e)
	__attribute__((warn_unused_result));

/* As compliance_report(), with limit lines (0: all, below 0: none) from
 * offset in out->line; offset COMPLIANCE_LAST: the last limit lines.  The
 * totals and tallies still count every line. */
#define COMPLIANCE_LAST (-1L)
ClCode compliance_page(sqlite3 *db, const char *contract, const Quarter *period,
		       const char *only_agency, long offset, int limit, ComplianceReport *out,
		       Err *e) __attribute__((warn_unused_result));

/* The same report recomputed from every live line of the contract,
 * reading and writing nothing stored: the oracle of the stored one. */
ClCode compliance_recompute(sqlite3 *db, const char *contract, const Quarter *period,
			    const char *only_agency, ComplianceReport *out, Err *e)
	__attribute__((warn_unused_result));

/* Keep only limit lines (0: all, below 0: none) of r from offset. */
void compliance_report_cut(ComplianceReport *r, long offset, int limit);
void compliance_report_free(ComplianceReport *r);

/* An amendment of contract_id effective on effective (YYYY-MM-DD): mark
 * touched the orders whose first invoice is on or after it, in the
 * caller's transaction. */
ClCode compliance_note_amendment(sqlite3 *db, int64_t contract_id, const char *effective, Err *e)
	__attribute__((warn_unused_result));

/* Bring the stored compliance of every contract up to date (the orders
 * touched since it was last computed); a writer calls it after its commit
 * so that readers find nothing to do. */
ClCode compliance_refresh_touched(sqlite3 *db, Err *e) __attribute__((warn_unused_result));

/* The same for a reader (a page, a report): with compliance_never_wait(),
 * orders are recomputed here only while they are few
 * (COMPLIANCE_READER_MOST of a contract); more are left to elsewhere()
 * and what is stored is shown meanwhile. */
ClCode compliance_refresh_read(sqlite3 *db, Err *e) __attribute__((warn_unused_result));

#define COMPLIANCE_READER_MOST 2048

/* From now on, a report whose stored compliance is out of date does not
 * wait for another connection's write to bring it up to date: it shows
 * what is stored, and the writer brings it up to date after its commit.
 * Nor does a reader recompute many orders (an import's, say, before its
 * writer has): it calls elsewhere() (may be NULL), which must see that
 * compliance_refresh_touched() runs soon on a connection of its own.
 * For the server, whose pages must never wait behind an import. */
void compliance_never_wait(void (*elsewhere)(void));

/* Recompute every order's totals from the live lines and compare them
 * with the stored ones; CL_ERULE naming the first order that differs.
 * OUT: *orders (may be NULL), the stored orders. */
ClCode compliance_verify(sqlite3 *db, int64_t *orders, Err *e) __attribute__((warn_unused_result));

#endif
