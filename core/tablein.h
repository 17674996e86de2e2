/*
 * tablein.h — a table read from a CSV file or an .xlsx workbook, whichever
 * the file is.
 *
 * The first bytes decide: a ZIP ("PK\3\4") is read as a workbook by
 * xlsxin, anything else as CSV by csvin, and both hand rows to the same
 * CsvRowFn callback, so every caller's rules and messages apply to both.
 * A workbook is read in place when f is a regular file read from its
 * start; otherwise (a pipe, a memory stream) it is first copied to a
 * temporary file of at most TABLEIN_SPOOL_CAP bytes, removed after.
 */
#ifndef COOPLEDGER_TABLEIN_H
#define COOPLEDGER_TABLEIN_H

#include <stddef.h>
#include <stdio.h>

#include "csvin.h"
#include "err.h"

#define TABLEIN_SPOOL_CAP ((size_t)512 << 20) /* a workbook copied from a stream */

typedef struct TableOptions {
	const char *sheet;  /* a workbook's sheet by name; NULL: the first (CSV: unused) */
	size_t field_cap;   /* 0: CSVIN_FIELD_CAP */
	size_t *bytes_read; /* if set, updated as the file is read (progress) */
	/* if set, called with every raw byte of the file, in order (hashing) */
	void (*on_chunk)(void *ctx, const char *p, size_t n);
	void *chunk_ctx;
	int *workbook; /* OUT if set: 1 for a workbook (text already UTF-8), else 0 */
} TableOptions;

/* Read all of f, CSV or workbook, calling fn for every non-blank row
 * (row 0 the header).  opt may be NULL. */
ClCode tablein_read(FILE *f, const TableOptions *opt, CsvRowFn fn, void *ctx, Err *e)
	__attribute__((warn_unused_result));

#endif
