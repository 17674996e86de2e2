/*
 * xlsxin.h — streaming input of Office Open XML workbooks (.xlsx).
 *
 * A worksheet is read row by row and handed to the same CsvRowFn callback
 * as csvin_read(), cells as text, so every rule that reads a CSV reads a
 * workbook unchanged: shared and inline strings as their text, booleans
 * as TRUE/FALSE, numbers in a date format as YYYY-MM-DD, other numbers as
 * plain decimals (15 significant digits, no exponent), formula cells by
 * their cached value.  Cells are placed by their reference, so gaps are
 * empty fields; empty rows are skipped.  Row 0 is the first non-empty row
 * (the header); a data row is the sheet's row number minus the header's,
 * and line is the sheet's own row number.
 *
 * The ZIP container is read with libzip and the XML with expat, the sheet
 * in chunks, never whole.  Hostile files are refused with a message and
 * bounded memory: a part larger than its cap (checked against the stated
 * size and while inflating), a cell beyond CSVIN_MAX_FIELDS columns or
 * longer than the field cap, too many shared strings, XML that declares
 * entities, a damaged container.
 */
#ifndef COOPLEDGER_XLSXIN_H
#define COOPLEDGER_XLSXIN_H

#include <stddef.h>
#include <stdio.h>

#include "csvin.h"
#include "err.h"

#define XLSXIN_SHEET_CAP   ((size_t)1 << 30)  /* uncompressed bytes of the sheet */
#define XLSXIN_STRINGS_CAP ((size_t)64 << 20) /* of the shared strings */
#define XLSXIN_PART_CAP	   ((size_t)16 << 20) /* of workbook, rels and styles */
#define XLSXIN_MAX_STRINGS ((size_t)8 << 20)  /* shared strings */

typedef struct XlsxOptions {
	const char *sheet;  /* the worksheet by name; NULL: the first */
	size_t field_cap;   /* longest cell in bytes; 0: CSVIN_FIELD_CAP */
	size_t *bytes_read; /* if set, updated as the file is read (progress) */
	/* if set, called with the raw bytes of the whole file (hashing) */
	void (*on_chunk)(void *ctx, const char *p, size_t n);
	void *chunk_ctx;
} XlsxOptions;

/* Read the worksheet of the workbook at path, calling fn for every
 * non-empty row.  opt may be NULL. */
ClCode xlsxin_read(const char *path, const XlsxOptions *opt, CsvRowFn fn, void *ctx, Err *e)
	__attribute__((warn_unused_result));

/* As xlsxin_read(), of an open seekable file read from its first byte;
 * f stays open and its position is undefined after. */
ClCode xlsxin_read_file(FILE *f, const XlsxOptions *opt, CsvRowFn fn, void *ctx, Err *e)
	__attribute__((warn_unused_result));

/* The text of a spreadsheet number as written in <v> ("1234.5600000000001",
 * "1E-3"): a plain decimal rounded to 15 significant digits, no exponent
 * ("1234.56", "0.001").  Text that is not a finite number is copied.
 * Writes into out (size n, at least XLSXIN_NUMBER_BUF). */
#define XLSXIN_NUMBER_BUF 352
void xlsxin_number_text(const char *v, char *out, size_t n);

/* The date of serial day s in the 1900 system (Excel's, with its fake
 * 1900-02-29 as serial 60) or the 1904 system, as YYYY-MM-DD into out
 * (size n >= 11).  Returns 0 when s is not a day from 1900 to 9999. */
int xlsxin_serial_date(double s, int date1904, char *out, size_t n);

#endif
