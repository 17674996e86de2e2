/*
 * verify.h — what verify recomputes from the ledger's lines, from one
 * pass over them: their hash chain, the kept net sales (sales_day,
 * sales_agency_day; aggregate.h) and every order's kept totals
 * (purchase_order; compliance.h).  The pass reads the purchase table in
 * id order in two halves at once (chain_walk_table), sums in memory, and
 * then reads each kept table once to compare.
 */
#ifndef COOPLEDGER_VERIFY_H
#define COOPLEDGER_VERIFY_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"

/* What one pass recomputes (flags). */
enum {
	VERIFY_CHAIN = 1,  /* the ledger's hash chain */
	VERIFY_SALES = 2,  /* sales_day and sales_agency_day */
	VERIFY_ORDERS = 4, /* purchase_order's totals of the live lines */
};

/* The sums of one pass, kept for the comparison. */
typedef struct VerifyTally VerifyTally;

/* Read every ledger line once and sum what `what` asks for.  With
 * VERIFY_CHAIN, cols lists the ncol hashed columns in chain order (id
 * first), and a break is CL_ERULE naming the first bad row; without it,
 * cols and ncol are ignored.  OUT: *out (free it with
 * verify_tally_free(), even on an error; NULL then is possible), *lines,
 * the lines read. */
ClCode verify_lines_read(sqlite3 *db, unsigned what, const char *cols, int ncol, VerifyTally **out,
			 int64_t *lines, Err *e) __attribute__((warn_unused_result));

/* Compare the kept tables with t's sums: sales first, then orders.  On
 * a difference, CL_ERULE naming the table, the key and both figures.
 * OUT: *sales_rows, the sales_day and sales_agency_day rows checked;
 * *orders, the purchase_order rows (each may be NULL). */
ClCode verify_lines_compare(sqlite3 *db, VerifyTally *t, int64_t *sales_rows, int64_t *orders,
			    Err *e) __attribute__((warn_unused_result));

/* Free t (NULL is ignored). */
void verify_tally_free(VerifyTally *t);

/* verify_lines_read() then verify_lines_compare(), without the chain.
 * OUT: as verify_lines_compare(). */
ClCode verify_lines(sqlite3 *db, unsigned what, int64_t *sales_rows, int64_t *orders, Err *e)
	__attribute__((warn_unused_result));

#endif
