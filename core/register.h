/*
 * register.h — members' purchase registers (DOMAIN.md 4.7): the purchase
 * orders a member issued to a contract's vendor, exported from its
 * finance system, imported as CSV with the sales-report engine's rules
 * (section 5: header matching, row and column errors, dry run, all or
 * nothing or --skip-invalid, exactly once).  Register lines are kept per
 * (contract, agency, po_number); they never enter fee, rebate or
 * compliance figures.
 */
#ifndef COOPLEDGER_REGISTER_H
#define COOPLEDGER_REGISTER_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "import.h"
#include "money.h"
#include "rowset.h"

typedef struct RegisterOptions {
	const char *contract; /* contract number; NULL: the agency's only contract */
	const char *agency;   /* staff: the agency of rows without agency_code, or NULL */
	/* the caller's own agency when it is bound to one (a member): every
	 * row is that agency's, and an agency_code naming another is a row
	 * error; NULL for staff */
	const char *member_agency;
	int dry_run;	       /* validate and report, write nothing */
	int skip_invalid;      /* write the good rows, record the rejected ones */
	const char *encoding;  /* NULL or "utf-8"; "windows-1252" converts */
	const char *sheet;     /* an .xlsx workbook's sheet by name; NULL: the first */
	const char *file_name; /* as recorded in the batch */
	const char *actor;
} RegisterOptions;

/* What a register import found: the counts, errors and ignored columns
 * as for a sales report (its list and invoiced totals unused), and the
 * total amount of the accepted lines. */
typedef struct RegisterResult {
	ImportResult base;
	Money amount;
} RegisterResult;

/* Import a register read from f.  Refusals of the whole file (a missing
 * or repeated column, bad encoding, malformed CSV, an unknown contract or
 * agency, an empty file) return an error and write nothing.  Otherwise
 * CL_OK with what was found in *result and what happened in *status
 * (IMPORT_WRITTEN, IMPORT_REFUSED, IMPORT_DRY_RUN or IMPORT_ALREADY, as
 * for import_csv()); a batch is one transaction.  Free *result with
 * register_result_free() either way.  OUT: *result, *status. */
ClCode register_import(sqlite3 *db, FILE *f, const RegisterOptions *o, RegisterResult *result,
		       ImportStatus *status, Err *e) __attribute__((warn_unused_result));

void register_result_free(RegisterResult *r);

/* Reverse register batch `batch`: its lines stop counting (they are
 * kept), and the same file may be imported again.  Audited.  Refused when
 * the batch is unknown or already reversed, or reason is empty. */
ClCode register_reverse(sqlite3 *db, int64_t batch, const char *reason, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* The register batches of a contract (of one agency when agency is not
 * NULL), newest first: columns batch, agency ("" for several), file,
 * sha256, created_by, created_at, rows, accepted, duplicates, rejected,
 * amount (cents), reversed (1 or 0), reversed_at, reverse_reason.  Free
 * *rs with rowset_free() either way.  OUT: *rs. */
ClCode register_batches(sqlite3 *db, const char *contract, const char *agency, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* The register column a header names without any saved mapping (the
 * canonical names and the common finance-export aliases: "PO #", "PO
 * Date", "Order Date", "Total", "Agency"...), or NULL. */
const char *register_header_column(const char *header);

/* Save how an agency's own finance-export headers map to the register
 * columns, in one transaction audited once: headers[i] is read as
 * columns[i] (agency_code, po_number, po_date, amount, description, or
 * IMPORT_IGNORE to drop a saved mapping).  Nothing is saved when a pair
 * is refused.  OUT: *bad, the index of the refused pair or -1 (may be
 * NULL). */
ClCode register_map_save(sqlite3 *db, const char *agency, int n, const char *const *headers,
			 const char *const *columns, const char *actor, int *bad, Err *e)
	__attribute__((warn_unused_result));

/* The agency's saved mappings, by header: columns header, column.  Free
 * *rs with rowset_free() either way.  OUT: *rs. */
ClCode register_map_list(sqlite3 *db, const char *agency, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* Recompute the register lines' hash chain; CL_ERULE naming the first
 * bad row.  OUT: *rows checked (may be NULL). */
ClCode register_verify(sqlite3 *db, int64_t *rows, Err *e) __attribute__((warn_unused_result));

#endif
