/*
 * pdf.h — PDF statements (libharu): a member agency's statement, the
 * vendor's fee statement and the lead agency's revenue report.
 *
 * Every figure comes from the same core functions as the command line's
 * --json, for the same database and "today".  Each call builds its own
 * document (no global state), so renders may run concurrently on separate
 * database connections.  creation_date "YYYY-MM-DD" (NULL: now) fixes the
 * PDF's dates, which makes the bytes reproducible (libharu writes no /ID
 * for unencrypted files, so the dates are the only varying bytes).
 *
 * Choices (the `statements` command follows them):
 * - A schedule year (--year K) is a year of the contract's fee schedule.
 * - Member statement: "year to date" runs from the start of the fee year
 *   holding the period's last day to that day; "contract to date" is the
 *   paid_total/savings of `report agency --json`; the rebate share is the
 *   one `report rebates --json` gives for the rebate year holding the
 *   period's last day (or today, if earlier), projected or final.
 * - Member statements are written for each agency with live lines in the
 *   period (--agency CODE writes that one, even with no lines).
 * - Vendor statements: one per quarter; --year K writes each quarter of
 *   the year that has begun by today.
 * - Revenue report: the calendar year of the period's last day (or
 *   today's, if earlier); one contract, or all with --contract all.
 * - File names: member-CONTRACT-PERIOD-AGENCY.pdf,
 *   vendor-CONTRACT-QUARTER-VENDOR.pdf, revenue-CONTRACT-YEAR.pdf and
 *   revenue-YEAR.pdf; PERIOD is 2026-Q3, Y1 (contract year) or 2026
 *   (calendar year); characters other than letters, digits, '.', '_' and
 *   '-' become '-'.
 */
#ifndef COOPLEDGER_PDF_H
#define COOPLEDGER_PDF_H

#include <sqlite3.h>
#include <stddef.h>

#include "date.h"
#include "err.h"

/* What a statement covers: one calendar quarter, or one year of the
 * contract's fee schedule (contract year 1, 2, ... or a calendar year, as
 * the schedule says). */
typedef struct StatementPeriod {
	int is_year;
	Quarter q; /* when !is_year */
	int year;  /* when is_year */
} StatementPeriod;

/* The member statement of agency under contract for period p: letterhead
 * of the lead agency, the member's purchases (paginated, header repeated),
 * totals for the period, year to date and contract to date, savings %,
 * rebate share and tier progress.  OUT: *out (caller frees with free()),
 * *len. */
ClCode pdf_member_statement(sqlite3 *db, const char *contract, const char *agency,
			    const StatementPeriod *p, Date today, const char *creation_date,
			    unsigned char **out, size_t *len, Err *e);

/* The vendor's fee statement of contract for quarter q: net sales by
 * member, the fee band by band, late fee, remittances, balance, due date
 * and where to remit.  OUT: *out (caller frees with free()), *len. */
ClCode pdf_vendor_statement(sqlite3 *db, const char *contract, Quarter q, Date today,
			    const char *creation_date, unsigned char **out, size_t *len, Err *e);

/* The lead agency's fee revenue for calendar year (0: every quarter to
 * today) of one contract (NULL: all): by quarter and vendor, remitted,
 * outstanding, aging, active members and a bar chart.  OUT: *out (caller
 * frees with free()), *len. */
ClCode pdf_revenue_report(sqlite3 *db, int year, const char *contract, Date today,
			  const char *creation_date, unsigned char **out, size_t *len, Err *e);

/* The date range of p for contract (fee schedule years).  OUT: *first,
 * *last. */
ClCode pdf_period_range(sqlite3 *db, const char *contract, const StatementPeriod *p, Date *first,
			Date *last, Err *e);

/* A file-name-safe label of p: "2026-Q3", "Y1" (contract year) or "2026"
 * (calendar year).  Writes into buf (size n) and returns it. */
char *pdf_period_label(sqlite3 *db, const char *contract, const StatementPeriod *p, char *buf,
		       size_t n);

/* The file names of the choices above, as `coopledger statements` writes
 * them and as e-mail notices attach them: member-CONTRACT-PERIOD-AGENCY.pdf
 * (period a pdf_period_label()) and vendor-CONTRACT-QUARTER-VENDOR.pdf.
 * Write into buf (size n) and return it. */
char *pdf_member_filename(const char *contract, const char *period, const char *agency, char *buf,
			  size_t n);
char *pdf_vendor_filename(const char *contract, const char *quarter, const char *vendor, char *buf,
			  size_t n);
/* revenue-CONTRACT-YEAR.pdf, or revenue-YEAR.pdf for every contract
 * (contract NULL); YEAR is "all" for year 0 (every quarter to date). */
char *pdf_revenue_filename(const char *contract, int year, char *buf, size_t n);

#endif
