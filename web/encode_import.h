/*
 * encode_import.h — the JSON of a sales-report import and of the batch
 * list (DOMAIN.md section 5), written from core's typed results for the
 * CLI's --json, the API and the pages; see encode.h for the modes.
 */
#ifndef COOPLEDGER_ENCODE_IMPORT_H
#define COOPLEDGER_ENCODE_IMPORT_H

#include <cjson/cJSON.h>

#include "encode.h"
#include "import.h"
#include "register.h"

/* {"batch","rows","accepted","duplicates","rejected","totals":
 * {"list_amount","invoiced_amount"},"errors":[{"row","column","message"}],
 * "ignored_columns":[...]}, and "already_imported": true for a file
 * imported before.  "batch" is null when none was written.  Caller
 * frees. */
cJSON *encode_import_result(const ImportResult *r, EncMode mode);

/* Where each problem's row is in the file (its spreadsheet line, PO and
 * invoice) added to the page's errors, the "errors" of
 * encode_import_result(res, ...), which are res's in their order. */
void encode_import_where(cJSON *errors, const ImportResult *res);

/* The rows of import_batches() as [{"batch","file",...,"list_amount",
 * "invoiced_amount","reversed"}], reversed a boolean.  Caller frees. */
cJSON *encode_import_batches(const RowSet *rs, EncMode mode);

/* A register import (DOMAIN.md 4.7): the shape of encode_import_result()
 * with "totals": {"amount"}.  Caller frees. */
cJSON *encode_register_result(const RegisterResult *r, EncMode mode);

/* The rows of register_batches(), amount as money and reversed a
 * boolean.  Caller frees. */
cJSON *encode_register_batches(const RowSet *rs, EncMode mode);

#endif
