/* import.c — sales-report import; see import.h. */
#include "import.h"

/* The file's SHA-256 by OpenSSL's low-level functions, as chain.c does:
 * several times quicker than a portable one on a CPU with SHA extensions. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agency.h"
#include "audit.h"
#include "buf.h"
#include "chain.h"
#include "contract.h"
#include "csvin.h"
#include "tablein.h"
#include "db.h"
#include "importkit.h"
#include "ledger.h"
#include "money.h"

enum {
	C_AGENCY,
	C_PO,
	C_INVOICE,
	C_DATE,
	C_LIST,
	C_INVOICED,
	C_LINE,
	C_AGENCY_NAME,
	C_DESCRIPTION,
	C_CATEGORY,
	C_QUANTITY,
	C_FREIGHT,
	C_TAX,
	C__MAX
};
#define C_REQUIRED 6 /* the first six columns are required */

static const char *const col_name[C__MAX] = {
	"agency_code",	   "po_number",	     "invoice_number", "invoice_date", "list_amount",
	"invoiced_amount", "line",	     "agency_name",    "description",  "category",
	"quantity",	   "freight_amount", "tax_amount",
};

#define MAX_MAPS       64
#define PROGRESS_EVERY 8192

typedef struct Import {
	sqlite3 *db;
	const ImportOptions *o;
	int64_t cid, vendor_id, batch;
	Ledger *l;
	int has_period;
	Quarter period;
	int header_seen;
	int ncols;	 /* fields in the header */
	int col[C__MAX]; /* field index of each column, or -1 */
	ImportMap map[MAX_MAPS];
	int nmap;
	ImportText text; /* the fields made UTF-8 */
	SHA256_CTX sha;
	size_t bytes;
	ImportResult res;	  /* what the file is found to hold */
	ImportErrs errs;	  /* row problems found, listed or not */
	int nomem;		  /* a column could not be listed */
	size_t line;		  /* physical line the current data row starts on */
	const char *po, *invoice; /* the current data row's, or NULL */
	int64_t *seen;		  /* open-addressed set of ledger lines this file duplicated */
	size_t nseen, seen_cap;
} Import;

int import_column_known(const char *name)
{
	int c;

	for (c = 0; c < C__MAX; c++)
		if (strcmp(name, col_name[c]) == 0)
			return 1;
	return 0;
}

const char *import_column(int i, int *required)
{
	if (i < 0 || i >= C__MAX)
		return NULL;
	*required = i < C_REQUIRED;
	return col_name[i];
}

/* ---- the result ---- */

/* Where in the file problem p's row is: its line, PO and invoice. */
static void problem_where(ImportProblem *p, const Import *im)
{
	p->line = (int64_t)im->line;
	snprintf(p->po, sizeof p->po, "%.64s", im->po ? im->po : "");
	snprintf(p->invoice, sizeof p->invoice, "%.64s", im->invoice ? im->invoice : "");
}

/* Record a row problem; lists the first IMPORT_MAX_ERRORS. */
static void row_error(Import *im, size_t row, int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void row_error(Import *im, size_t row, int column, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	ImportProblem *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p = importkit_row_problem(&im->res, &im->errs, row, column >= 0 ? col_name[column] : "",
				  msg);
	if (p)
		problem_where(p, im);
}

/* ---- the header ---- */

/* Load the vendor's saved header mappings (the first MAX_MAPS). */
static ClCode load_maps(Import *im, Err *e)
{
	return importkit_maps_load(
		im->db, "SELECT header, column FROM vendor_column_map WHERE vendor_id = ?",
		im->vendor_id, col_name, C__MAX, im->map, MAX_MAPS, &im->nmap,
		"reading the vendor's column mappings", e);
}

/* The columns of a sales report, with the vendor's mappings. */
static ImportColumns report_columns(const Import *im)
{
	ImportColumns c = {0};

	c.names = col_name;
	c.ncols = C__MAX;
	c.nrequired = C_REQUIRED;
	c.maps = im->map;
	c.nmap = im->nmap;
	c.needs = "a sales report needs agency_code, po_number, invoice_number, invoice_date, "
		  "list_amount and invoiced_amount (or a saved mapping: coopledger vendor map)";
	return c;
}

/* The column a header names (vendor mapping first), or -1. */
static int header_column(const Import *im, const char *text)
{
	ImportColumns c = report_columns(im);

	return importkit_header_column(&c, text);
}

/* Match the header row to the columns; refuse the file when a required
 * column is missing or one is named twice. */
static ClCode read_header(Import *im, int n, char **val, Err *e)
{
	ImportColumns c = report_columns(im);

	im->header_seen = 1;
	im->ncols = n;
	return importkit_header_read(&c, -1, n, val, im->col, &im->res, e);
}

/* ---- rows ---- */

/* A text field of at most max characters, required or not; 0 when bad
 * (error noted). */
static int check_text(Import *im, size_t row, int c, const char *v, int required, size_t max)
{
	if (required && !*v) {
		row_error(im, row, c, "%s is empty", col_name[c]);
		return 0;
	}
	if (importkit_utf8_length(v) > max) {
		row_error(im, row, c, "%s is longer than %zu characters", col_name[c], max);
		return 0;
	}
	return 1;
}

/* Money of column c; empty gives 0 unless required.  OUT: *m. */
static int check_money(Import *im, size_t row, int c, const char *v, int required, Money *m)
{
	Err e = {0};

	*m = 0;
	if (!*v && !required)
		return 1;
	if (money_parse(v, m, &e)) {
		row_error(im, row, c, "%s", e.msg);
		return 0;
	}
	return 1;
}

/* A quantity: an optional sign, digits, up to three decimals. */
static int quantity_valid(const char *s)
{
	int digits = 0, decimals = -1;

	if (*s == '-')
		s++;
	for (; *s; s++) {
		if (*s == '.' && decimals < 0)
			decimals = 0;
		else if (isdigit((unsigned char)*s) && decimals < 0)
			digits++;
		else if (isdigit((unsigned char)*s) && decimals < 3)
			decimals++;
		else
			return 0;
	}
	return digits > 0 && digits <= 12 && decimals != 0;
}

/* The line number column: empty is 1.  OUT: *line. */
static int check_line(Import *im, size_t row, const char *v, int *line)
{
	char *end;
	long x;

	*line = 1;
	if (!*v)
		return 1;
	x = strtol(v, &end, 10);
	if (*end || x < 1 || x > 100000) {
		row_error(im, row, C_LINE, "line \"%.40s\" is not a whole number from 1 to 100000",
			  v);
		return 0;
	}
	*line = (int)x;
	return 1;
}

/* The invoice date, in the declared quarter.  OUT: *d. */
static int check_date(Import *im, size_t row, const char *v, Date *d)
{
	char qt[QUARTER_BUF], day[DATE_BUF];
	Err e = {0};

	if (!*v) {
		row_error(im, row, C_DATE, "invoice_date is empty");
		return 0;
	}
	if (date_parse_any(v, d, &e)) {
		row_error(im, row, C_DATE, "%s", e.msg);
		return 0;
	}
	if (im->has_period && quarter_cmp(quarter_of(*d), im->period) != 0) {
		row_error(im, row, C_DATE, "invoice date %s is outside the reported quarter %s",
			  date_format(*d, day), quarter_format(im->period, qt));
		return 0;
	}
	return 1;
}

/* Check every field of a row, noting each problem.  OUT: *p.  Returns 1
 * when the row is well formed. */
static int validate_row(Import *im, size_t row, char **v, PurchaseIn *p)
{
	int ok = 1;

	memset(p, 0, sizeof *p);
	p->contract_id = im->cid;
	p->batch_id = im->batch;
	p->agency_code = v[C_AGENCY];
	p->po_number = v[C_PO];
	p->invoice_number = v[C_INVOICE];
	p->description = v[C_DESCRIPTION];
	p->category = v[C_CATEGORY];
	p->quantity = v[C_QUANTITY];
	ok &= check_text(im, row, C_AGENCY, v[C_AGENCY], 1, 32);
	ok &= check_text(im, row, C_PO, v[C_PO], 1, 64);
	ok &= check_text(im, row, C_INVOICE, v[C_INVOICE], 1, 64);
	ok &= check_date(im, row, v[C_DATE], &p->invoice_date);
	ok &= check_money(im, row, C_LIST, v[C_LIST], 1, &p->list_amount);
	ok &= check_money(im, row, C_INVOICED, v[C_INVOICED], 1, &p->invoiced_amount);
	ok &= check_money(im, row, C_FREIGHT, v[C_FREIGHT], 0, &p->freight_amount);
	ok &= check_money(im, row, C_TAX, v[C_TAX], 0, &p->tax_amount);
	ok &= check_line(im, row, v[C_LINE], &p->line);
	ok &= check_text(im, row, C_DESCRIPTION, v[C_DESCRIPTION], 0, 500);
	ok &= check_text(im, row, C_CATEGORY, v[C_CATEGORY], 0, 100);
	if (*v[C_QUANTITY] && !quantity_valid(v[C_QUANTITY])) {
		row_error(im, row, C_QUANTITY, "quantity \"%.40s\" is not a number", v[C_QUANTITY]);
		ok = 0;
	}
	return ok;
}

/* The column index of a ledger refusal's column name. */
static int column_of(const char *name)
{
	int c;

	for (c = 0; c < C__MAX; c++)
		if (strcmp(name, col_name[c]) == 0)
			return c;
	return -1;
}

/* Add ledger line id to the set of lines this file has duplicated; 1 if
 * it was there already (the file holds that line twice), -1 when out of
 * memory. */
static int seen_add(Import *im, int64_t id)
{
	size_t i, mask;

	if ((im->nseen + 1) * 2 > im->seen_cap) {
		size_t cap = im->seen_cap ? im->seen_cap * 2 : 1024, k;
		int64_t *grown = calloc(cap, sizeof *grown), *old = im->seen;

		if (!grown)
			return -1;
		for (k = 0; k < im->seen_cap; k++)
			if (old[k]) {
				for (i = (size_t)old[k] * 0x9E3779B97F4A7C15u & (cap - 1); grown[i];
				     i = (i + 1) & (cap - 1))
					;
				grown[i] = old[k];
			}
		free(old);
		im->seen = grown;
		im->seen_cap = cap;
	}
	mask = im->seen_cap - 1;
	for (i = (size_t)id * 0x9E3779B97F4A7C15u & mask; im->seen[i]; i = (i + 1) & mask)
		if (im->seen[i] == id)
			return 1;
	im->seen[i] = id;
	im->nseen++;
	return 0;
}

/* Append a well-formed row.  Returns 1 when accepted or a duplicate, 0
 * when refused (error noted); a database failure stops the import. */
static int write_row(Import *im, size_t row, const PurchaseIn *p, ClCode *fatal, Err *e)
{
	LedgerOutcome out = LEDGER_APPENDED;
	Err le = {0};
	ClCode rc = ledger_append(im->l, p, &out, NULL, &le);

	if (rc == CL_EDB || rc == CL_ENOMEM || rc == CL_ENOTFOUND) {
		*fatal = err_set(e, rc, "row %zu: %s", row, le.msg);
		return 0;
	}
	if ((rc == CL_ECONFLICT || out == LEDGER_DUPLICATE) && im->batch &&
	    ledger_match_batch(im->l) == im->batch) {
		row_error(im, row, C_INVOICE, "invoice %s line %d appears twice in this file",
			  p->invoice_number, p->line);
		return 0;
	}
	if (rc) {
		row_error(im, row, column_of(ledger_error_column(im->l)), "%s", le.msg);
		return 0;
	}
	if (out == LEDGER_DUPLICATE) {
		int again = seen_add(im, ledger_match_id(im->l));

		if (again < 0) {
			*fatal = err_set(e, CL_ENOMEM, "out of memory");
			return 0;
		}
		if (again) {
			row_error(im, row, C_INVOICE,
				  "invoice %s line %d appears twice in this file",
				  p->invoice_number, p->line);
			return 0;
		}
		im->res.duplicates++;
		return 1;
	}
	if (__builtin_add_overflow(im->res.list_total, p->list_amount, &im->res.list_total) ||
	    __builtin_add_overflow(im->res.invoiced_total, p->invoiced_amount,
				   &im->res.invoiced_total)) {
		*fatal =
			err_set(e, CL_EINPUT,
				"row %zu: the file's totals pass the largest amount the ledger can "
				"hold; nothing was imported (is an amount in the wrong unit?)",
				row);
		return 0;
	}
	im->res.accepted++;
	return 1;
}

/* csvin callback: the header, then one data row at a time. */
static ClCode import_row(void *ctx, size_t row, size_t line, int n, char **field, Err *e)
{
	Import *im = ctx;
	char *val[CSVIN_MAX_FIELDS], *v[C__MAX];
	ClCode rc, fatal = CL_OK;
	PurchaseIn p;
	int c;

	rc = importkit_text_decode(&im->text, line, n, field, val, e);
	if (rc)
		return rc;
	if (row == 0)
		return read_header(im, n, val, e);
	im->res.rows++;
	for (c = 0; c < C__MAX; c++)
		v[c] = im->col[c] >= 0 && im->col[c] < n ? importkit_trim(val[im->col[c]]) : "";
	im->line = line;
	im->po = v[C_PO];
	im->invoice = v[C_INVOICE];
	if (n > im->ncols) {
		row_error(im, row, -1,
			  "the row has %d fields but the header has %d; is a comma inside a field "
			  "that is not quoted?",
			  n, im->ncols);
		im->res.rejected++;
	} else if (!validate_row(im, row, v, &p) || !write_row(im, row, &p, &fatal, e)) {
		im->res.rejected++;
	}
	im->line = 0;
	im->po = im->invoice = NULL;
	if (!fatal && (im->nomem || im->errs.nomem))
		fatal = err_set(e, CL_ENOMEM, "out of memory");
	if (im->o->progress && im->res.rows % PROGRESS_EVERY == 0)
		im->o->progress(im->o->progress_ctx, im->bytes, (size_t)im->res.rows);
	return fatal;
}

static void hash_chunk(void *ctx, const char *p, size_t n)
{
	Import *im = ctx;

	SHA256_Update(&im->sha, p, n);
	im->bytes += n;
}

/* ---- the batch ---- */

static const char *const total_name[2] = {"list_amount", "invoiced_amount"};

/* The result as the batch keeps it (import_batch.result_json) and the
 * audit log records it.  Caller frees with cJSON_free(); NULL when out of
 * memory. */
static char *record_text(const ImportResult *r)
{
	const Money totals[2] = {r->list_total, r->invoiced_total};

	return importkit_record_text(r, 2, total_name, totals);
}

/* The result of an earlier batch, marked already imported: its figures
 * from the batch's columns, its lists from its record.  OUT: *r. */
static ClCode stored_result(sqlite3 *db, int64_t batch, ImportResult *r, Err *e)
{
	ClCode rc, end;
	int nomem = 0;
	DbRows q;

	r->batch = batch;
	r->already = 1;
	rc = db_rows(&q, db, e,
		     "SELECT rows_total, rows_accepted, rows_duplicate, rows_rejected, list_total, "
		     "invoiced_total, result_json FROM import_batch WHERE id = ?",
		     "i", batch);
	if (!rc && db_rows_next(&q)) {
		r->rows = sqlite3_column_int64(q.st, 0);
		r->accepted = sqlite3_column_int64(q.st, 1);
		r->duplicates = sqlite3_column_int64(q.st, 2);
		r->rejected = sqlite3_column_int64(q.st, 3);
		r->list_total = sqlite3_column_int64(q.st, 4);
		r->invoiced_total = sqlite3_column_int64(q.st, 5);
		if (sqlite3_column_text(q.st, 6))
			nomem = importkit_record_read((const char *)sqlite3_column_text(q.st, 6),
						      r);
	}
	end = db_rows_end(&q, "reading the earlier import's result", e);
	if (!rc && !end && nomem)
		end = err_set(e, CL_ENOMEM, "out of memory");
	if (rc || end)
		import_result_free(r);
	return rc ? rc : end;
}

/* Store the batch's figures, its record and its audit row; the caller
 * commits. */
static ClCode finish_batch(Import *im, const char *sha, Err *e)
{
	const ImportResult *r = &im->res;
	char *json = record_text(r), key[24];
	ClCode rc;

	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = ledger_batch_finish(im->db, im->batch, r->rows, r->accepted, r->duplicates,
				 r->rejected, r->list_total, r->invoiced_total, json, e);
	if (!rc)
		rc = db_exec(im->db, e, "UPDATE import_batch SET sha256 = ? WHERE id = ?", "ti",
			     sha, im->batch);
	snprintf(key, sizeof key, "%" PRId64, im->batch);
	if (!rc)
		rc = audit_record(im->db, im->o->actor, "batch.import", "import_batch", key, NULL,
				  json, e);
	cJSON_free(json);
	return rc;
}

/* Resolve the contract, period and encoding; open the transaction, the
 * ledger and the batch. */
static ClCode import_begin(Import *im, Err *e)
{
	const ImportOptions *o = im->o;
	const char *enc = o->encoding;
	Terms t = {0};
	ClCode rc;

	rc = contract_load(im->db, o->contract, &im->cid, &t, e);
	if (rc)
		return rc;
	im->vendor_id =
		db_int(im->db, 0, "SELECT vendor_id FROM contract WHERE id = ?", "i", im->cid);
	if (o->period && *o->period) {
		char qt[QUARTER_BUF], a[DATE_BUF], b[DATE_BUF];

		if (quarter_parse(o->period, &im->period, e))
			return CL_EINPUT;
		if (quarter_last_day(im->period) < t.start || quarter_first_day(im->period) > t.end)
			return err_set(e, CL_EINPUT,
				       "quarter %s is outside the contract term of %s (%s to %s)",
				       quarter_format(im->period, qt), o->contract,
				       date_format(t.start, a), date_format(t.end, b));
		im->has_period = 1;
	}
	rc = importkit_text_open(&im->text, enc, e);
	if (!rc)
		rc = load_maps(im, e);
	if (!rc)
		rc = db_begin(im->db, e);
	if (!rc)
		rc = ledger_open(im->db, o->actor, &im->l, e);
	if (!rc)
		rc = ledger_batch_create(im->db, im->cid, o->file_name ? o->file_name : "(stdin)",
					 "pending", im->has_period ? o->period : NULL, o->today,
					 o->actor, &im->batch, e);
	return rc;
}

/* After the last row: decide what happens to the batch.  OUT: *status,
 * *same (the earlier batch of the same file, or 0). */
static ClCode import_end(Import *im, ImportStatus *status, int64_t *same, Err *e)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char sha[CHAIN_HEX];

	SHA256_Final(digest, &im->sha);
	chain_hex(digest, sha);
	if (!im->header_seen)
		return err_set(e, CL_EINPUT,
			       "the file is empty: a sales report starts with a header "
			       "row naming its columns");
	if (im->res.rows == 0 && !im->has_period)
		return err_set(e, CL_EINPUT,
			       "the file has a header but no rows; to file a zero report, "
			       "name the quarter with --period");
	importkit_note_unlisted(&im->res, &im->errs);
	if (im->nomem || im->errs.nomem)
		return err_set(e, CL_ENOMEM, "out of memory");
	*same = db_int(im->db, 0,
		       "SELECT id FROM import_batch WHERE contract_id = ? AND sha256 = ? "
		       "AND (? > 0 OR period IS (SELECT period FROM import_batch WHERE id = ?)) "
		       "AND reversed_at IS NULL AND id <> ?",
		       "itiii", im->cid, sha, im->res.rows, im->batch, im->batch);
	if (*same) {
		*status = IMPORT_ALREADY;
		return CL_OK;
	}
	if (im->res.rejected && !im->o->skip_invalid) {
		*status = IMPORT_REFUSED;
		return CL_OK;
	}
	if (im->o->dry_run) {
		*status = IMPORT_DRY_RUN;
		return CL_OK;
	}
	*status = IMPORT_WRITTEN;
	im->res.batch = im->batch;
	return finish_batch(im, sha, e);
}

ClCode import_csv(sqlite3 *db, FILE *f, const ImportOptions *o, ImportResult *result,
		  ImportStatus *status, Err *e)
{
	Import *im = calloc(1, sizeof *im);
	TableOptions co = {0};
	int64_t same = 0;
	ClCode rc;

	memset(result, 0, sizeof *result);
	if (!im)
		return err_set(e, CL_ENOMEM, "out of memory");
	im->db = db;
	im->o = o;
	im->text.cd = (iconv_t)-1;
	SHA256_Init(&im->sha);
	co.field_cap = o->field_cap;
	co.sheet = o->sheet;
	co.on_chunk = hash_chunk;
	co.chunk_ctx = im;
	co.workbook = &im->text.workbook;
	rc = import_begin(im, e);
	if (!rc)
		rc = tablein_read(f, &co, import_row, im, e);
	if (!rc)
		rc = import_end(im, status, &same, e);
	if (!rc && im->l)
		rc = ledger_flush(im->l, e);
	ledger_close(im->l);
	if (!rc && *status == IMPORT_WRITTEN)
		rc = db_commit(db, e);
	db_rollback(db);
	if (!rc && *status == IMPORT_ALREADY) {
		rc = stored_result(db, same, result, e);
	} else if (!rc) {
		*result = im->res; /* handed over whole */
		memset(&im->res, 0, sizeof im->res);
	}
	importkit_text_close(&im->text);
	import_result_free(&im->res);
	free(im->seen);
	free(im);
	return rc;
}

/* ---- vendor mappings and batch lists ---- */

/* The column menu choice c stands for: a canonical column, C__MAX for
 * IMPORT_IGNORE (NULL and "" too), or -1 when unknown. */
static int column_choice(const char *c)
{
	int i;

	if (!c || !*c || strcmp(c, IMPORT_IGNORE) == 0)
		return C__MAX;
	for (i = 0; i < C__MAX; i++)
		if (strcmp(c, col_name[i]) == 0)
			return i;
	return -1;
}

/* The canonical column whose own name is the header key, or -1. */
static int own_column(const char *key)
{
	int i;

	for (i = 0; i < C__MAX; i++)
		if (strcmp(key, col_name[i]) == 0)
			return i;
	return -1;
}

/* Check pair i of import_map_save() against itself and the pairs before
 * it.  OUT: key[i], choice[i]. */
static ClCode map_check_pair(int i, const char *const *headers, const char *const *columns,
			     char (*key)[104], int *choice, Err *e)
{
	int j;

	if (!headers[i] || strlen(headers[i]) > 100)
		return err_set(e, CL_EINPUT, "the vendor's header must be 1 to 100 characters");
	csvin_header_key(headers[i], key[i], sizeof key[i]);
	if (!*key[i])
		return err_set(e, CL_EINPUT, "the vendor's header must be 1 to 100 characters");
	if ((choice[i] = column_choice(columns[i])) < 0)
		return err_set(e, CL_EINPUT,
			       "unknown column \"%s\"; use agency_code, po_number, invoice_number, "
			       "invoice_date, list_amount, invoiced_amount, line, agency_name, "
			       "description, category, quantity, freight_amount, tax_amount or "
			       "ignore",
			       columns[i]);
	if (choice[i] == C__MAX && own_column(key[i]) >= 0)
		return err_set(e, CL_EINPUT,
			       "\"%s\" is the name of the column %s, so it is always read as %s; "
			       "it cannot be ignored",
			       headers[i], key[i], key[i]);
	for (j = 0; j < i; j++) {
		if (strcmp(key[i], key[j]) == 0)
			return err_set(e, CL_EINPUT,
				       "the headers \"%s\" and \"%s\" are the same once case, "
				       "spaces, '-' and '_' are set aside; keep one",
				       headers[j], headers[i]);
		if (choice[i] < C__MAX && choice[j] == choice[i])
			return err_set(e, CL_EINPUT,
				       "%s is chosen for both \"%s\" and \"%s\"; choose it for one "
				       "header only",
				       col_name[choice[i]], headers[j], headers[i]);
	}
	return CL_OK;
}

/* Check the pairs of import_map_save().  OUT: key[], choice[], *bad. */
static ClCode map_check(int n, const char *const *headers, const char *const *columns, int whole,
			char (*key)[104], int *choice, int *bad, Err *e)
{
	int i, c;

	for (i = 0; i < n; i++) {
		*bad = i;
		if (map_check_pair(i, headers, columns, key, choice, e))
			return CL_EINPUT;
	}
	*bad = -1;
	for (c = 0; whole && c < C_REQUIRED; c++) {
		for (i = 0; i < n && choice[i] != c; i++)
			;
		if (i == n)
			return err_set(e, CL_EINPUT,
				       "no header is read as %s; a sales report needs agency_code, "
				       "po_number, invoice_number, invoice_date, list_amount and "
				       "invoiced_amount",
				       col_name[c]);
	}
	return CL_OK;
}

/* The vendor's mappings as one JSON object, header to column, for the
 * audit log.  OUT: *json, which the caller frees. */
static ClCode map_json(sqlite3 *db, int64_t vid, char **json, Err *e)
{
	ClCode rc, end;
	DbRows q;

	*json = NULL;
	rc = db_rows(&q, db, e,
		     "SELECT json_group_object(header, column) FROM (SELECT header, column FROM "
		     "vendor_column_map WHERE vendor_id = ? ORDER BY header)",
		     "i", vid);
	if (!rc && db_rows_next(&q) &&
	    !(*json = strdup((const char *)sqlite3_column_text(q.st, 0))))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	end = db_rows_end(&q, "reading the vendor's column mappings", e);
	if (!rc && !end && !*json)
		end = err_set(e, CL_EDB, "reading the vendor's column mappings: no answer");
	return rc ? rc : end;
}

/* Write the checked pairs: a header read as its own column or ignored
 * needs no mapping (one it had is removed).  Inside the caller's
 * transaction. */
static ClCode map_write(sqlite3 *db, int64_t vid, int n, char (*key)[104], const int *choice,
			Err *e)
{
	ClCode rc = CL_OK;
	int i;

	for (i = 0; !rc && i < n; i++)
		if (choice[i] == C__MAX || own_column(key[i]) == choice[i])
			rc = db_exec(
				db, e,
				"DELETE FROM vendor_column_map WHERE vendor_id = ? AND header = ?",
				"it", vid, key[i]);
		else
			rc = db_exec(db, e,
				     "INSERT INTO vendor_column_map(vendor_id, header, column) "
				     "VALUES (?1,?2,?3) "
				     "ON CONFLICT(vendor_id, header) DO UPDATE SET column = ?3",
				     "itt", vid, key[i], col_name[choice[i]]);
	return rc;
}

ClCode import_map_save(sqlite3 *db, const char *vendor, int n, const char *const *headers,
		       const char *const *columns, int whole, const char *actor, int *bad, Err *e)
{
	char(*key)[104] = NULL, *before = NULL, *after = NULL;
	int *choice = NULL, where;
	int64_t vid;
	ClCode rc;

	bad = bad ? bad : &where;
	*bad = -1;
	if ((rc = vendor_id(db, vendor, &vid, e)))
		return rc;
	if (n < 1 || n > CSVIN_MAX_FIELDS)
		return err_set(e, CL_EINPUT, "give 1 to %d headers to map", CSVIN_MAX_FIELDS);
	key = calloc((size_t)n, sizeof *key);
	choice = calloc((size_t)n, sizeof *choice);
	if (!key || !choice) {
		free(key);
		free(choice);
		return err_set(e, CL_ENOMEM, "out of memory");
	}
	rc = map_check(n, headers, columns, whole, key, choice, bad, e);
	if (!rc && !(rc = db_begin(db, e))) {
		rc = map_json(db, vid, &before, e);
		if (!rc)
			rc = map_write(db, vid, n, key, choice, e);
		if (!rc)
			rc = map_json(db, vid, &after, e);
		if (!rc)
			rc = audit_record(db, actor, "vendor.map", "vendor", vendor, before, after,
					  e);
		if (rc)
			db_rollback(db);
		else
			rc = db_commit(db, e);
	}
	free(before);
	free(after);
	free(key);
	free(choice);
	return rc;
}

ClCode import_map_set(sqlite3 *db, const char *vendor, const char *header, const char *column,
		      const char *actor, Err *e)
{
	return import_map_save(db, vendor, 1, &header, &column, 0, actor, NULL, e);
}

ClCode import_map_clear(sqlite3 *db, const char *vendor, const char *actor, Err *e)
{
	int64_t vid;
	ClCode rc;

	rc = vendor_id(db, vendor, &vid, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (!rc)
		rc = db_exec(db, e, "DELETE FROM vendor_column_map WHERE vendor_id = ?", "i", vid);
	if (!rc)
		rc = audit_record(db, actor, "vendor.map_clear", "vendor", vendor, NULL, NULL, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

ClCode import_map_list(sqlite3 *db, const char *vendor, RowSet *rs, Err *e)
{
	int64_t vid;
	ClCode rc;
	DbRows q;

	memset(rs, 0, sizeof *rs);
	rc = vendor_id(db, vendor, &vid, e);
	if (rc)
		return rc;
	rc = db_rows(&q, db, e,
		     "SELECT header, column FROM vendor_column_map WHERE vendor_id = ? ORDER BY "
		     "header",
		     "i", vid);
	return rowset_read(rs, rc, &q, 0, "reading the vendor's column mappings", e);
}

ClCode import_batches(sqlite3 *db, const char *contract, RowSet *rs, Err *e)
{
	int64_t cid;
	ClCode rc;
	DbRows q;

	memset(rs, 0, sizeof *rs);
	rc = contract_load(db, contract, &cid, NULL, e);
	if (rc)
		return rc;
	rc = db_rows(&q, db, e,
		     "SELECT id AS batch, file_name AS file, sha256, coalesce(period, '') AS "
		     "period, filed_on, created_by, created_at, rows_total AS \"rows\", "
		     "rows_accepted AS accepted, rows_duplicate AS duplicates, rows_rejected AS "
		     "rejected, list_total AS list_amount, invoiced_total AS invoiced_amount, "
		     "reversed_at IS NOT NULL AS reversed FROM import_batch WHERE contract_id = ? "
		     "ORDER BY id DESC",
		     "i", cid);
	return rowset_read(rs, rc, &q, 0, "reading the import batches", e);
}

/* ---- a sample of a vendor's report ---- */

typedef struct SampleRead {
	Import *im;
	ImportSample *s;
} SampleRead;

/* A copy of v cut to IMPORT_SAMPLE_VALUE bytes at a character boundary,
 * "..." marking a cut; NULL when out of memory. */
static char *sample_value(const char *v)
{
	size_t n = strlen(v), k;
	char *out;

	if (n <= IMPORT_SAMPLE_VALUE)
		return strdup(v);
	k = IMPORT_SAMPLE_VALUE - 3;
	while (k > 0 && ((unsigned char)v[k] & 0xC0) == 0x80)
		k--;
	if (!(out = malloc(k + 4)))
		return NULL;
	memcpy(out, v, k);
	memcpy(out + k, "...", 4);
	return out;
}

/* The header of a sample: each field with the column it is read as. */
static ClCode sample_header(SampleRead *sr, int n, char **val, Err *e)
{
	ImportSample *s = sr->s;
	int i, c;

	s->cols = calloc(n > 0 ? (size_t)n : 1, sizeof *s->cols);
	if (!s->cols)
		return err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		s->ncols++;
		if (!(s->cols[i].header = strdup(val[i])))
			return err_set(e, CL_ENOMEM, "out of memory");
		c = header_column(sr->im, val[i]);
		s->cols[i].column = c >= 0 ? col_name[c] : NULL;
	}
	return CL_OK;
}

/* csvin callback of import_sample(): the header, then a few values of
 * each column and the count of rows. */
static ClCode sample_row(void *ctx, size_t row, size_t line, int n, char **field, Err *e)
{
	static char none[1];
	SampleRead *sr = ctx;
	char *val[CSVIN_MAX_FIELDS] = {0};
	ImportSampleColumn *col;
	ClCode rc;
	int i;

	rc = importkit_text_decode(&sr->im->text, line, n, field, val, e);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) /* every one is set; this says so to the analyzer */
		if (!val[i])
			val[i] = none;
	if (row == 0)
		return sample_header(sr, n, val, e);
	sr->s->rows++;
	for (i = 0; i < n && i < sr->s->ncols; i++) {
		const char *v = importkit_trim(val[i]);

		col = &sr->s->cols[i];
		if (!*v || col->nvalues == IMPORT_SAMPLE_VALUES)
			continue;
		if (!(col->values[col->nvalues] = sample_value(v)))
			return err_set(e, CL_ENOMEM, "out of memory");
		col->nvalues++;
	}
	return CL_OK;
}

ClCode import_sample(sqlite3 *db, const char *vendor, FILE *f, const char *encoding,
		     ImportSample *out, Err *e)
{
	Import *im = calloc(1, sizeof *im);
	SampleRead sr = {im, out};
	TableOptions to = {0};
	ClCode rc;

	memset(out, 0, sizeof *out);
	if (!im)
		return err_set(e, CL_ENOMEM, "out of memory");
	im->db = db;
	im->text.cd = (iconv_t)-1;
	to.workbook = &im->text.workbook;
	rc = vendor_id(db, vendor, &im->vendor_id, e);
	if (!rc)
		rc = importkit_text_open(&im->text, encoding, e);
	if (!rc)
		rc = load_maps(im, e);
	if (!rc)
		rc = tablein_read(f, &to, sample_row, &sr, e);
	if (!rc && !out->cols)
		rc = err_set(e, CL_EINPUT,
			     "the file is empty: a sample starts with the header row of the "
			     "vendor's report, then a few rows");
	importkit_text_close(&im->text);
	free(im);
	if (rc)
		import_sample_free(out);
	return rc;
}

void import_sample_free(ImportSample *s)
{
	int i, j;

	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].header);
		for (j = 0; j < s->cols[i].nvalues; j++)
			free(s->cols[i].values[j]);
	}
	free(s->cols);
	memset(s, 0, sizeof *s);
}
