/*
 * csvout.h — CSV out (RFC 4180) for the downloads and attachments: a cell that a
 * spreadsheet would run as a formula is written as text.
 */
#ifndef COOPLEDGER_CSVOUT_H
#define COOPLEDGER_CSVOUT_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

/* CSV output (RFC 4180): one row of n cells appended to b; CL_ENOMEM
 * when b is full (b is then incomplete). */
ClCode csv_row(Buf *b, const char *const *cells, int n) __attribute__((warn_unused_result));

/* A table of JSON objects as CSV: the named keys, one row each.  Caller
 * frees; NULL when it would not fit in memory. */
char *csv_from_json(const cJSON *arr, const char *const *keys, int n);

#endif
