/*
 * csvout.h — CSV out (RFC 4180) for the downloads: a cell that a
 * spreadsheet would run as a formula is written as text.
 */
#ifndef COOPLEDGER_CSVOUT_H
#define COOPLEDGER_CSVOUT_H

#include <cjson/cJSON.h>

#include "buf.h"

/* CSV output (RFC 4180): one row of n cells appended to b. */
void csv_row(Buf *b, const char *const *cells, int n);

/* A table of JSON objects as CSV: the named keys, one row each.  Caller
 * frees. */
char *csv_from_json(const cJSON *arr, const char *const *keys, int n);

#endif
