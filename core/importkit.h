/*
 * importkit.h — the pieces every CSV import of records shares (sales
 * reports in import.c, members' purchase registers in register.c): the
 * result's error and ignored-column lists, text decoding (UTF-8 checked,
 * or windows-1252 converted), header matching with saved mappings and
 * aliases, and the result record kept with a batch.
 */
#ifndef COOPLEDGER_IMPORTKIT_H
#define COOPLEDGER_IMPORTKIT_H

#include <iconv.h>
#include <sqlite3.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chain.h"
#include "err.h"
#include "import.h"
#include "money.h"

/* ---- the result's lists ---- */

/* Append a problem to r's list.  Returns 0, or -1 when out of memory. */
int importkit_problem_add(ImportResult *r, int64_t row, const char *column, const char *msg);

/* Append an ignored column to r's list.  Returns 0, or -1 when out of
 * memory. */
int importkit_ignored_add(ImportResult *r, const char *name);

/* 1 if name is among r's ignored columns already. */
int importkit_ignored_already(const ImportResult *r, const char *name);

/* Counts the row problems of one file so that only the first
 * IMPORT_MAX_ERRORS are listed and one more error counts the rest. */
typedef struct ImportErrs {
	int64_t nfound;	       /* row problems found, listed or not */
	size_t first_unlisted; /* row of the first error past the list, or 0 */
	int nomem;	       /* a problem could not be listed */
} ImportErrs;

/* Note a row problem: listed in r when within the first
 * IMPORT_MAX_ERRORS, else counted.  Returns the problem listed, or NULL
 * (counted only, or out of memory: t->nomem). */
ImportProblem *importkit_row_problem(ImportResult *r, ImportErrs *t, size_t row, const char *column,
				     const char *msg);

/* After the last row: one more error saying how many are not listed. */
void importkit_note_unlisted(ImportResult *r, ImportErrs *t);

/* ---- text ---- */

/* The offset of the first byte of s[0..n) that is not well-formed UTF-8
 * (overlongs and surrogates included), or n when all of it is. */
size_t importkit_utf8_bad_at(const unsigned char *s, size_t n);

/* Characters (not bytes) in UTF-8 text. */
size_t importkit_utf8_length(const char *s);

/* s without surrounding blanks (cut in place). */
char *importkit_trim(char *s);

/* A row's fields made UTF-8: checked, or converted from windows-1252 into
 * an arena that lives until the next row. */
typedef struct ImportText {
	iconv_t cd;   /* windows-1252 -> UTF-8, or (iconv_t)-1 */
	Buf arena;    /* converted fields of the current row */
	int workbook; /* the file is a workbook: its text is UTF-8 whatever the encoding */
} ImportText;

/* Set t up for encoding enc (NULL, "" or UTF-8: none; windows-1252,
 * cp1252, latin1 convert).  Free with importkit_text_close() either
 * way. */
ClCode importkit_text_open(ImportText *t, const char *enc, Err *e)
	__attribute__((warn_unused_result));
void importkit_text_close(ImportText *t);

/* Make every field UTF-8 into val[] (line: the physical line the row
 * starts on, for messages).  OUT: val. */
ClCode importkit_text_decode(ImportText *t, size_t line, int n, char **field, char **val, Err *e)
	__attribute__((warn_unused_result));

/* ---- the header ---- */

#define IMPORTKIT_KEY 104 /* a header key's buffer */

/* A saved mapping: a header key read as a column. */
typedef struct ImportMap {
	char header[IMPORTKIT_KEY];
	int column;
} ImportMap;

/* Load saved mappings: sql selects header and column for one bound id;
 * the first max are kept (columns not among names[0..ncols) are left
 * out).  what names the reading in a failure's message.  OUT: maps,
 * *nmap. */
ClCode importkit_maps_load(sqlite3 *db, const char *sql, int64_t id, const char *const *names,
			   int ncols, ImportMap *maps, int max, int *nmap, const char *what, Err *e)
	__attribute__((warn_unused_result));

/* An alias: a header key commonly written for a column. */
typedef struct ImportAlias {
	const char *header; /* as a header key (csvin_header_key) */
	int column;
} ImportAlias;

/* What a header row is matched against: the canonical names, the
 * required ones first, saved mappings, then aliases. */
typedef struct ImportColumns {
	const char *const *names;
	int ncols, nrequired;
	const ImportMap *maps;
	int nmap;
	const ImportAlias *aliases; /* may be NULL */
	int nalias;
	const char *needs; /* "a sales report needs ...", for the missing column */
} ImportColumns;

/* The column a header names: a saved mapping first, then a canonical
 * name, then an alias; -1 when none. */
int importkit_header_column(const ImportColumns *c, const char *text);

/* Match the header row val[0..n) to the columns: col[i] is the field of
 * column i or -1; unknown fields go to r's ignored list, once each.
 * Refuses the file when a column is named twice or a required one is
 * missing; `optional` names one required column not needed this time
 * (-1: none).  OUT: col, r. */
ClCode importkit_header_read(const ImportColumns *c, int optional, int n, char **val, int *col,
			     ImportResult *r, Err *e) __attribute__((warn_unused_result));

/* ---- the batch ---- */

/* The SHA-256 of what was hashed into st, as hex.  OUT: out. */
void importkit_sha_hex(crypto_hash_sha256_state *st, char out[CHAIN_HEX]);

/* The result as a batch keeps it and the audit log records it: the shape
 * of DOMAIN.md section 5, its totals named by total_names[i] with
 * totals[i].  Caller frees with cJSON_free(); NULL when out of memory. */
char *importkit_record_text(const ImportResult *r, int ntotals, const char *const *total_names,
			    const Money *totals);

/* The errors and ignored columns of a batch's record into r.  Returns 0,
 * or -1 when out of memory. */
int importkit_record_read(const char *text, ImportResult *r);

#endif
