/*
 * csvin.h — streaming CSV input (RFC 4180) over libcsv.
 *
 * Rows are handed to a callback one at a time, so memory stays flat however
 * large the file.  Quoted fields may hold commas, quotes and line breaks; a
 * UTF-8 byte-order mark is skipped; LF, CRLF and CR line ends are accepted;
 * blank lines are skipped.  A field longer than the cap is refused.
 */
#ifndef COOPLEDGER_CSVIN_H
#define COOPLEDGER_CSVIN_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CSVIN_MAX_FIELDS 256
#define CSVIN_FIELD_CAP	 ((size_t)64 * 1024) /* default longest field, in bytes */

/* Called once per row; row 0 is the first row of the file (the header when
 * there is one).  field[i] is NUL-terminated; the strings live only for the
 * call.  line is the physical line the row starts on (1-based).  Return
 * CL_OK to go on, anything else to stop with that code (and a message in
 * e). */
typedef ClCode (*CsvRowFn)(void *ctx, size_t row, size_t line, int nfield, char **field, Err *e);

typedef struct CsvOptions {
	size_t field_cap;   /* 0: CSVIN_FIELD_CAP */
	size_t *bytes_read; /* if set, updated as the stream is read (progress) */
	/* if set, called with every raw chunk read, before any decoding (hashing) */
	void (*on_chunk)(void *ctx, const char *p, size_t n);
	void *chunk_ctx;
	/* bytes already taken from f (a format sniffed), read before the rest */
	const char *head;
	size_t nhead;
} CsvOptions;

/* Read all of f, calling fn for every non-blank row.  opt may be NULL. */
ClCode csvin_read(FILE *f, const CsvOptions *opt, CsvRowFn fn, void *ctx, Err *e)
	__attribute__((warn_unused_result));

/* Parse a yes/no field: yes/no, true/false, 1/0, case-insensitive; empty
 * gives dflt.  OUT: *out.  Returns CL_EINPUT for anything else. */
ClCode csvin_yesno(const char *text, int dflt, int *out) __attribute__((warn_unused_result));

/* Canonical form of a header: lower case, with spaces and '-' as '_', and
 * surrounding blanks dropped.  Writes into out (size n). */
void csvin_header_key(const char *text, char *out, size_t n);

#endif
