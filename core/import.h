/*
 * import.h — vendors' quarterly sales reports (CSV) into the ledger
 * (DOMAIN.md section 5), streamed row by row, exactly once.
 *
 * The CLI's `coopledger import` and the web upload both call import_csv();
 * it reads any FILE stream, so memory stays flat whatever the file size.
 */
#ifndef COOPLEDGER_IMPORT_H
#define COOPLEDGER_IMPORT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "rowset.h"

#define IMPORT_MAX_ERRORS 1000 /* errors listed; more are counted */

typedef struct ImportOptions {
	const char *contract;  /* contract number */
	const char *period;    /* "2025-Q3": the quarter reported, or NULL */
	int dry_run;	       /* validate and report, write nothing */
	int skip_invalid;      /* write the good rows, record the rejected ones */
	const char *encoding;  /* NULL or "utf-8"; "windows-1252" converts */
	const char *file_name; /* as recorded in the batch */
	Date today;	       /* the filing date */
	const char *actor;
	size_t field_cap;  /* longest field in bytes; 0: the default */
	const char *sheet; /* an .xlsx workbook's sheet by name; NULL: the first */
	/* progress, called every few thousand rows; may be NULL */
	void (*progress)(void *ctx, size_t bytes, size_t rows);
	void *progress_ctx;
} ImportOptions;

typedef enum {
	IMPORT_WRITTEN = 0, /* a batch was committed */
	IMPORT_REFUSED,	    /* row errors in all-or-nothing mode: nothing written */
	IMPORT_DRY_RUN,	    /* validated only */
	IMPORT_ALREADY	    /* the same file (SHA-256) is already imported */
} ImportStatus;

/* One problem found in a row: its data row (1-based; the header is row
 * 0), the column ("" for the row as a whole) and what is wrong; where
 * known (a row of the file being read), the physical line of the file
 * the row starts on (0: not known) and the row's PO and invoice numbers
 * as written (cut to fit) for finding it in the spreadsheet. */
typedef struct ImportProblem {
	int64_t row;
	char column[24];
	char *message;
	int64_t line;
	char po[68];
	char invoice[68];
} ImportProblem;

/* What an import found: the result of DOMAIN.md section 5.  The errors
 * are the first IMPORT_MAX_ERRORS, then one that counts the rest. */
typedef struct ImportResult {
	int64_t batch; /* the batch written or found; 0: none */
	int already;   /* the same file is already batch `batch` */
	int64_t rows;  /* data rows */
	int64_t accepted, duplicates, rejected;
	Money list_total, invoiced_total; /* of the accepted rows */
	ImportProblem *errors;
	int nerrors;
	char **ignored; /* header fields that name no column, once each */
	int nignored;
} ImportResult;

/* Import a sales report read from f.  Refusals of the whole file (missing
 * or repeated column, bad encoding, malformed CSV, unknown contract, a
 * header-only file without a period) return an error with a message and
 * write nothing.  Otherwise returns CL_OK with what was found in *result
 * and what happened in *status; a batch is one transaction, so the
 * database holds the whole batch or none of it.  *result is empty after
 * a failure; free it with import_result_free() either way.
 * OUT: *result, *status. */
ClCode import_csv(sqlite3 *db, FILE *f, const ImportOptions *o, ImportResult *result,
		  ImportStatus *status, Err *e) __attribute__((warn_unused_result));

/* Free what r holds; r is empty after. */
void import_result_free(ImportResult *r);

/* Saved column mappings for a vendor's own headers: "Customer #" ->
 * "agency_code".  Audited. */
ClCode import_map_set(sqlite3 *db, const char *vendor, const char *header, const char *column,
		      const char *actor, Err *e) __attribute__((warn_unused_result));
ClCode import_map_clear(sqlite3 *db, const char *vendor, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* The vendor's mappings, by header: columns header, column.  Free *rs
 * with rowset_free() either way.  OUT: *rs. */
ClCode import_map_list(sqlite3 *db, const char *vendor, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* The menu choice that leaves a header unread. */
#define IMPORT_IGNORE "ignore"

/* Save how a vendor's own headers map to the columns, in one transaction
 * audited once: headers[i] is read as columns[i], a canonical column or
 * IMPORT_IGNORE (also NULL or "").  Nothing is saved when any pair is
 * refused: an unknown column, a column chosen for two headers, a header
 * that is a column's own name but is to be ignored (it is always read
 * as that column).  With whole set, headers are the whole header row of
 * a file, and each required column must be chosen.  OUT: *bad, the
 * index of the pair a refusal is about, or -1 (may be NULL). */
ClCode import_map_save(sqlite3 *db, const char *vendor, int n, const char *const *headers,
		       const char *const *columns, int whole, const char *actor, int *bad, Err *e)
	__attribute__((warn_unused_result));

#define IMPORT_SAMPLE_VALUES 3	/* values of a column shown */
#define IMPORT_SAMPLE_VALUE  80 /* bytes of a value shown, at most */

/* A column of a sample file: its header as written, the column the
 * vendor's mapping and the canonical names read it as (NULL: ignored),
 * and its first non-empty values (cut to IMPORT_SAMPLE_VALUE bytes). */
typedef struct ImportSampleColumn {
	char *header;
	const char *column;
	char *values[IMPORT_SAMPLE_VALUES];
	int nvalues;
} ImportSampleColumn;

typedef struct ImportSample {
	ImportSampleColumn *cols; /* one a header field */
	int ncols;
	int64_t rows; /* data rows */
} ImportSample;

/* Read a sample of vendor's sales report from f (encoding as for
 * import_csv()): its header, how each header is read today and a few
 * values of each column.  Writes nothing.  Free *out with
 * import_sample_free() either way.  OUT: *out. */
ClCode import_sample(sqlite3 *db, const char *vendor, FILE *f, const char *encoding,
		     ImportSample *out, Err *e) __attribute__((warn_unused_result));

/* Free what s holds; s is empty after. */
void import_sample_free(ImportSample *s);

/* The import batches of a contract, newest first: columns batch, file,
 * sha256, period, filed_on, created_by, created_at, rows, accepted,
 * duplicates, rejected, list_amount and invoiced_amount (cents), and
 * reversed (1 or 0).  Free *rs with rowset_free() either way.
 * OUT: *rs. */
ClCode import_batches(sqlite3 *db, const char *contract, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

/* 1 if name is a canonical sales-report column. */
int import_column_known(const char *name);

/* The i-th canonical sales-report column (DOMAIN.md section 5), the
 * required ones first, or NULL past the last.  OUT: *required. */
const char *import_column(int i, int *required);

#endif
