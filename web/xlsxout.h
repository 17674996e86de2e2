/*
 * xlsxout.h — a CSV download as an Excel workbook (libxlsxwriter).
 *
 * Every table the web offers as CSV is offered as .xlsx too, built from
 * the same CSV text so that both always hold the same rows: one sheet, the
 * header row in bold and frozen, amounts of dollars and cents as numbers in
 * a currency format, YYYY-MM-DD values as real dates, counts as numbers,
 * everything else (numbers of POs and invoices among it) as text.
 */
#ifndef COOPLEDGER_XLSXOUT_H
#define COOPLEDGER_XLSXOUT_H

#include <stddef.h>

#include "err.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The workbook of the CSV text csv (len bytes, as csv_row() writes it).
 * OUT: *out_len.  Caller frees; NULL with e set on failure. */
char *xlsx_from_csv(const char *csv, size_t len, size_t *out_len, Err *e);

#endif
