/*
 * import.h — vendors' quarterly sales reports (CSV) into the ledger
 * (DOMAIN.md section 5), streamed row by row, exactly once.
 *
 * The CLI's `coopledger import` and the web upload both call import_csv();
 * it reads any FILE stream, so memory stays flat whatever the file size.
 */
#ifndef COOPLEDGER_IMPORT_H
#define COOPLEDGER_IMPORT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "err.h"

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
	size_t field_cap; /* longest field in bytes; 0: the default */
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

/* Import a sales report read from f.  Refusals of the whole file (missing
 * or repeated column, bad encoding, malformed CSV, unknown contract, a
 * header-only file without a period) return an error with a message and
 * write nothing.  Otherwise returns CL_OK with the result object of
 * DOMAIN.md section 5 in *result (caller frees with cJSON_Delete) and what
 * happened in *status; a batch is one transaction, so the database holds
 * the whole batch or none of it.  OUT: *result, *status. */
ClCode import_csv(sqlite3 *db, FILE *f, const ImportOptions *o, cJSON **result,
		  ImportStatus *status, Err *e) __attribute__((warn_unused_result));

/* Saved column mappings for a vendor's own headers: "Customer #" ->
 * "agency_code".  Audited. */
ClCode import_map_set(sqlite3 *db, const char *vendor, const char *header, const char *column,
		      const char *actor, Err *e) __attribute__((warn_unused_result));
ClCode import_map_clear(sqlite3 *db, const char *vendor, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* The vendor's mappings as [{"header","column"}]; caller frees. */
cJSON *import_map_list(sqlite3 *db, const char *vendor, Err *e);

/* The import batches of a contract, newest first: id, file, sha256,
 * period, filed_on, created_by, created_at, counts, totals, reversed.
 * Caller frees. */
cJSON *import_batches_json(sqlite3 *db, const char *contract, Err *e);

/* 1 if name is a canonical sales-report column. */
int import_column_known(const char *name);

#endif
