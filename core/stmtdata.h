/*
 * stmtdata.h — what the statements and reports read from the books: the
 * parties of a contract, an agency's address, net sales over dates, sales
 * by member, remittances of a quarter, which agencies bought.  No drawing
 * here: reports/ lays these out.
 */
#ifndef COOPLEDGER_STMTDATA_H
#define COOPLEDGER_STMTDATA_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"

/* An agency or vendor as a statement names it. */
typedef struct Party {
	int64_t id; /* set by stmtdata_agency() */
	char code[33];
	char name[256];
	char address[512];
} Party;

/* The lead agency and the vendor of contract id.  OUT: *lead, *vendor. */
ClCode stmtdata_parties(sqlite3 *db, int64_t contract_id, Party *lead, Party *vendor, Err *e)
	__attribute__((warn_unused_result));

/* An agency's name and address by code; CL_ENOTFOUND when there is no
 * such agency.  OUT: *p. */
ClCode stmtdata_agency(sqlite3 *db, const char *code, Party *p, Err *e)
	__attribute__((warn_unused_result));

/* The day agency id joined contract id ("YYYY-MM-DD"); CL_ENOTFOUND
 * when it does not participate.  OUT: joined (DATE_BUF). */
ClCode stmtdata_joined(sqlite3 *db, int64_t contract_id, int64_t agency_id, char *joined, Err *e)
	__attribute__((warn_unused_result));

/* One live purchase line of a member, as its statement lists it.  The
 * strings sit in one block with the line (NULL columns as ""). */
typedef struct StmtLine {
	const char *invoice_date, *po_number, *invoice_number, *description;
	Money list, net;
} StmtLine;

/* The live lines of agency id under contract id invoiced from first to
 * last, by invoice date, invoice number and line.  OUT: *lines (an array
 * of *n pointers; free with stmtdata_lines_free(), also on failure). */
ClCode stmtdata_member_lines(sqlite3 *db, int64_t contract_id, int64_t agency_id, Date first,
			     Date last, StmtLine ***lines, int *n, Err *e)
	__attribute__((warn_unused_result));
void stmtdata_lines_free(StmtLine **lines, int n);

/* List and net invoiced of the live lines of agency id under contract id
 * from first to last inclusive, from the kept sums (no line is read).
 * OUT: *list, *net. */
ClCode stmtdata_member_totals(sqlite3 *db, int64_t contract_id, int64_t agency_id, Date first,
			      Date last, Money *list, Money *net, Err *e)
	__attribute__((warn_unused_result));

/* The code of the vendor of contract number ("" when there is no such
 * contract).  OUT: code (size n). */
ClCode stmtdata_vendor_code(sqlite3 *db, const char *number, char *code, size_t n, Err *e)
	__attribute__((warn_unused_result));

/* The code of the lead agency of contract number, or (number NULL) of the
 * first contract by number; CL_ENOTFOUND when there is none.  OUT: code
 * (size n). */
ClCode stmtdata_lead_code(sqlite3 *db, const char *number, char *code, size_t n, Err *e)
	__attribute__((warn_unused_result));

/* Net invoiced of live lines of contract id from a to b inclusive (0 when
 * b < a).  OUT: *net. */
ClCode stmtdata_net_between(sqlite3 *db, int64_t contract_id, Date a, Date b, Money *net, Err *e)
	__attribute__((warn_unused_result));

/* One member agency's live sales in a period. */
typedef struct StmtMemberSales {
	char code[33], name[256];
	int lines;
	Money list, net;
} StmtMemberSales;

/* The live sales of contract id from first to last by member agency, by
 * code: at most max rows into rows.  OUT: rows, *n. */
ClCode stmtdata_member_sales(sqlite3 *db, int64_t contract_id, Date first, Date last,
			     StmtMemberSales *rows, int max, int *n, Err *e)
	__attribute__((warn_unused_result));

/* One remittance. */
typedef struct StmtRemit {
	char received[DATE_BUF], ref[65];
	Money amount;
} StmtRemit;

/* The remittances of contract id for quarter (as "2026-Q3") received on
 * or before as_of ("YYYY-MM-DD"), oldest first: at most max rows into
 * rows.  OUT: rows, *n. */
ClCode stmtdata_remits(sqlite3 *db, int64_t contract_id, const char *quarter, const char *as_of,
		       StmtRemit *rows, int max, int *n, Err *e)
	__attribute__((warn_unused_result));

/* How many agencies have live purchases in calendar year year (0: ever)
 * under contract number (NULL: any contract).  OUT: *count. */
ClCode stmtdata_active_members(sqlite3 *db, int year, const char *number, int *count, Err *e)
	__attribute__((warn_unused_result));

/* An agency code. */
typedef struct StmtCode {
	char code[33];
} StmtCode;

/* The agencies with live lines under contract number from first to last,
 * by code.  OUT: *codes (an array of *n the caller frees; NULL when
 * none). */
ClCode stmtdata_member_codes(sqlite3 *db, const char *number, Date first, Date last,
			     StmtCode **codes, int *n, Err *e) __attribute__((warn_unused_result));

#endif
