/*
 * fuzz_import.c — the whole sales-report import (core/import.h), dry run,
 * on the scratch database of world.h made once.
 *
 * The input is one options byte and the CSV file:
 *   bits 0-2  the period: none, 2025-Q3, 2025-Q4, 2026-Q1 (closed),
 *             2020-Q1 (outside the term), 2025-Q5 (malformed), 2028-Q2
 *             (the last of the term), "" (none, spelled empty)
 *   bit 3     encoding windows-1252
 *   bit 4     skip invalid rows
 *   bit 5     the terminated contract KS-TERM-2024
 *   bit 6     a field cap of 64 bytes
 *   bit 7     an encoding nobody knows
 *
 * Properties:
 *   - a dry run writes nothing: purchases, batches and the audit log are as
 *     they were, and no transaction is left open;
 *   - a refused file comes with CL_EINPUT and a message, and an empty result;
 *   - otherwise the status is dry run, refused or already imported, never
 *     written; rows = accepted + duplicates + rejected; rejected rows refuse
 *     the file unless skip_invalid, and a refused file has some; a dry run
 *     names no batch;
 *   - every listed error names its row, a column of the report (or none)
 *     and a message; at most IMPORT_MAX_ERRORS + 1 are listed;
 *   - the result's JSON (web/encode_import.h) has this shape, its totals
 *     money text;
 *   - skip_invalid changes what happens to the batch, not what is found:
 *     the same file with it flipped gives the same result or refusal.
 */
#include "fuzz.h"

#include "encode_import.h"
#include "world.h"

static const char *const periods[] = {NULL,	 "2025-Q3", "2025-Q4", "2026-Q1",
				      "2020-Q1", "2025-Q5", "2028-Q2", ""};

static const char *const columns[] = {
	"",
	"agency_code",
	"po_number",
	"invoice_number",
	"invoice_date",
	"list_amount",
	"invoiced_amount",
	"line",
	"agency_name",
	"description",
	"category",
	"quantity",
	"freight_amount",
	"tax_amount",
};

static sqlite3 *db;
static Date today;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	Err e = {0};

	(void)argc;
	(void)argv;
	db = world_open();
	world_ok("today", date_parse(WORLD_TODAY, &today, &e), &e);
	return 0;
}

/* What a dry run must leave as it was. */
static void books(int64_t out[3])
{
	out[0] = db_int(db, -1, "SELECT count(*) FROM purchase", "");
	out[1] = db_int(db, -1, "SELECT count(*) FROM import_batch", "");
	out[2] = db_int(db, -1, "SELECT coalesce(max(id), 0) FROM audit_log", "");
}

static int64_t num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	FUZZ_CHECK(cJSON_IsNumber(v), "the result has no number \"%s\"", key);
	return (int64_t)v->valuedouble;
}

static void check_errors(const cJSON *errors, int64_t rows)
{
	const cJSON *x;
	int n = 0;
	size_t k;

	FUZZ_CHECK(cJSON_IsArray(errors), "the result has no error list");
	cJSON_ArrayForEach(x, errors)
	{
		const cJSON *row = cJSON_GetObjectItemCaseSensitive(x, "row");
		const char *col =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "column"));
		const char *msg =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "message"));

		n++;
		FUZZ_CHECK(cJSON_IsNumber(row) && row->valuedouble >= 1 &&
				   row->valuedouble <= (double)rows,
			   "error %d names row %g of %lld", n, row ? row->valuedouble : -1.0,
			   (long long)rows);
		FUZZ_CHECK(col && msg && *msg, "error %d has no column or message", n);
		for (k = 0; k < sizeof columns / sizeof *columns && strcmp(col, columns[k]); k++)
			;
		FUZZ_CHECK(k < sizeof columns / sizeof *columns, "error %d names column \"%s\"", n,
			   col);
	}
	FUZZ_CHECK(n <= IMPORT_MAX_ERRORS + 1, "%d errors listed", n);
}

static void check_result(const cJSON *r, ImportStatus st, int skip)
{
	const cJSON *totals = cJSON_GetObjectItemCaseSensitive(r, "totals");
	const char *la =
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(totals, "list_amount"));
	const char *ia =
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(totals, "invoiced_amount"));
	int64_t rows, accepted, duplicates, rejected;
	Money m;

	FUZZ_CHECK(cJSON_IsObject(r), "no result object");
	if (st == IMPORT_ALREADY) {
		FUZZ_CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "already_imported")),
			   "an earlier batch without \"already_imported\"");
		return;
	}
	FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "batch")),
		   "a dry run names a batch");
	rows = num(r, "rows");
	accepted = num(r, "accepted");
	duplicates = num(r, "duplicates");
	rejected = num(r, "rejected");
	FUZZ_CHECK(rows >= 0 && accepted >= 0 && duplicates >= 0 && rejected >= 0 &&
			   rows == accepted + duplicates + rejected,
		   "rows %lld = accepted %lld + duplicates %lld + rejected %lld", (long long)rows,
		   (long long)accepted, (long long)duplicates, (long long)rejected);
	if (st == IMPORT_REFUSED)
		FUZZ_CHECK(rejected > 0 && !skip, "refused with %lld rejected rows (skip %d)",
			   (long long)rejected, skip);
	else
		FUZZ_CHECK(rejected == 0 || skip, "%lld rejected rows pass without skip_invalid",
			   (long long)rejected);
	check_errors(cJSON_GetObjectItemCaseSensitive(r, "errors"), rows);
	FUZZ_CHECK(rejected == 0 ||
			   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "errors")) > 0,
		   "%lld rejected rows and no error listed", (long long)rejected);
	FUZZ_CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "ignored_columns")),
		   "no ignored_columns");
	FUZZ_CHECK(la && ia && money_parse(la, &m, NULL) == CL_OK &&
			   money_parse(ia, &m, NULL) == CL_OK,
		   "the totals are not money text");
}

/* 1 if r holds nothing, as after a refusal. */
static int result_empty(const ImportResult *r)
{
	return !r->batch && !r->already && !r->rows && !r->nerrors && !r->nignored && !r->errors &&
	       !r->ignored;
}

/* One dry run of the file in data[0, n): the books must stay as they were
 * and no transaction open.  OUT: *result (its JSON; NULL when refused),
 * *st, e. */
static ClCode dry_run(const ImportOptions *io, const uint8_t *data, size_t n, cJSON **result,
		      ImportStatus *st, Err *e)
{
	ImportResult r;
	int64_t before[3], after[3];
	ClCode rc;
	FILE *f = fmemopen((void *)data, n, "r");

	if (!f)
		abort();
	books(before);
	rc = import_csv(db, f, io, &r, st, e);
	fclose(f);
	*result = rc ? NULL : encode_import_result(&r, ENC_DATA);
	books(after);
	FUZZ_CHECK(memcmp(before, after, sizeof before) == 0,
		   "a dry run changed the books: purchases %lld -> %lld, batches %lld -> %lld, "
		   "audit %lld -> %lld",
		   (long long)before[0], (long long)after[0], (long long)before[1],
		   (long long)after[1], (long long)before[2], (long long)after[2]);
	FUZZ_CHECK(sqlite3_get_autocommit(db), "a transaction is left open");
	if (rc)
		FUZZ_CHECK(rc == CL_EINPUT && e->msg[0] && result_empty(&r),
			   "refused with code %d: \"%s\"", (int)rc, e->msg);
	import_result_free(&r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ImportOptions io = {0};
	ImportStatus st = IMPORT_WRITTEN, st2 = IMPORT_WRITTEN;
	cJSON *result = NULL, *result2 = NULL;
	unsigned flags;
	Err e = {0}, e2 = {0};
	ClCode rc, rc2;

	if (size == 0)
		return 0;
	flags = data[0];
	io.contract = flags & 0x20 ? WORLD_TERMINATED : WORLD_CONTRACT;
	io.period = periods[flags & 7];
	io.dry_run = 1;
	io.skip_invalid = !!(flags & 0x10);
	io.encoding = flags & 0x80 ? "ebcdic" : flags & 0x08 ? "windows-1252" : NULL;
	io.file_name = "fuzz.csv";
	io.today = today;
	io.actor = WORLD_ACTOR;
	io.field_cap = flags & 0x40 ? 64 : 0;
	rc = dry_run(&io, data + 1, size - 1, &result, &st, &e);
	if (!rc) {
		FUZZ_CHECK(st != IMPORT_WRITTEN, "a dry run wrote a batch");
		check_result(result, st, io.skip_invalid);
	}

	/* skip_invalid decides what happens to the batch, not what is found */
	io.skip_invalid = !io.skip_invalid;
	rc2 = dry_run(&io, data + 1, size - 1, &result2, &st2, &e2);
	FUZZ_CHECK(rc == rc2 && strcmp(e.msg, e2.msg) == 0,
		   "with skip_invalid %d: code %d \"%s\"; without: code %d \"%s\"", io.skip_invalid,
		   (int)rc2, e2.msg, (int)rc, e.msg);
	if (!rc) {
		check_result(result2, st2, io.skip_invalid);
		FUZZ_CHECK(cJSON_Compare(result, result2, 1),
			   "skip_invalid changes what the file is found to hold");
	}
	cJSON_Delete(result);
	cJSON_Delete(result2);
	return 0;
}
