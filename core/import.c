/* import.c — sales-report import; see import.h. */
#include "import.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <iconv.h>
#include <inttypes.h>
#include <sodium.h>
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
	int workbook; /* the file is a workbook: its text is UTF-8 whatever --encoding says */
	int has_period;
	Quarter period;
	int header_seen;
	int ncols;	 /* fields in the header */
	int col[C__MAX]; /* field index of each column, or -1 */
	struct {
		char header[104];
		int column;
	} map[MAX_MAPS];
	int nmap;
	iconv_t cd; /* windows-1252 -> UTF-8, or (iconv_t)-1 */
	Buf arena;  /* converted fields of the current row */
	crypto_hash_sha256_state sha;
	size_t bytes;
	ImportResult res;	  /* what the file is found to hold */
	int64_t nfound;		  /* row problems found, listed or not */
	size_t first_unlisted;	  /* row of the first error past the list, or 0 */
	int nomem;		  /* a problem or column could not be listed */
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

/* Append a problem to r's list.  Returns 0, or -1 when out of memory. */
static int problem_add(ImportResult *r, int64_t row, const char *column, const char *msg)
{
	ImportProblem *grown = realloc(r->errors, ((size_t)r->nerrors + 1) * sizeof *grown);
	ImportProblem *p;

	if (!grown)
		return -1;
	r->errors = grown;
	p = &r->errors[r->nerrors];
	memset(p, 0, sizeof *p);
	p->row = row;
	snprintf(p->column, sizeof p->column, "%s", column);
	if (!(p->message = strdup(msg)))
		return -1;
	r->nerrors++;
	return 0;
}

/* Append an ignored column to r's list.  Returns 0, or -1 when out of
 * memory. */
static int ignored_add(ImportResult *r, const char *name)
{
	char **grown = realloc(r->ignored, ((size_t)r->nignored + 1) * sizeof *grown);

	if (!grown)
		return -1;
	r->ignored = grown;
	if (!(r->ignored[r->nignored] = strdup(name)))
		return -1;
	r->nignored++;
	return 0;
}

void import_result_free(ImportResult *r)
{
	int i;

	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i].message);
	for (i = 0; i < r->nignored; i++)
		free(r->ignored[i]);
	free(r->errors);
	free(r->ignored);
	memset(r, 0, sizeof *r);
}

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
	va_list ap;

	if (im->nfound++ >= IMPORT_MAX_ERRORS) {
		if (!im->first_unlisted)
			im->first_unlisted = row;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (problem_add(&im->res, (int64_t)row, column >= 0 ? col_name[column] : "", msg)) {
		im->nomem = 1;
		return;
	}
	problem_where(&im->res.errors[im->res.nerrors - 1], im);
}

/* After the last row: one more error saying how many are not listed. */
static void note_unlisted(Import *im)
{
	char msg[128];

	if (im->nfound <= IMPORT_MAX_ERRORS)
		return;
	snprintf(msg, sizeof msg,
		 "%" PRId64 " more errors, from row %zu on, are not listed; fix these "
		 "and check the file again",
		 im->nfound - IMPORT_MAX_ERRORS, im->first_unlisted);
	if (problem_add(&im->res, (int64_t)im->first_unlisted, "", msg))
		im->nomem = 1;
}

/* ---- text decoding ---- */

/* The offset of the first byte of s[0..n) that is not well-formed UTF-8
 * (overlongs and surrogates included), or n when all of it is. */
static size_t utf8_bad_at(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, cp, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return i;
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += need + 1;
	}
	return n;
}

/* Convert one windows-1252 field into the row arena.  OUT: *out. */
static ClCode convert_field(Import *im, char *in, char **out)
{
	size_t inleft = strlen(in), start = im->arena.len;
	char tmp[1024];

	iconv(im->cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		char *op = tmp;
		size_t outleft = sizeof tmp;

		if (iconv(im->cd, &in, &inleft, &op, &outleft) == (size_t)-1 && op == tmp)
			return CL_EINPUT; /* a byte windows-1252 does not define */
		if (buf_append(&im->arena, tmp, sizeof tmp - outleft))
			return CL_ENOMEM;
	}
	if (buf_append(&im->arena, "", 1))
		return CL_ENOMEM;
	*out = (char *)(uintptr_t)start; /* an offset until the arena stops moving */
	return CL_OK;
}

/* Line breaks inside fields[0..k) and in the first at bytes of field[k]
 * (CRLF counts once, as the reader counts lines). */
static size_t line_breaks(char **field, int k, size_t at)
{
	size_t breaks = 0, j;
	int i;

	for (i = 0; i <= k; i++) {
		const char *f = field[i];
		size_t len = i < k ? strlen(f) : at;

		for (j = 0; j < len; j++)
			if (f[j] == '\r' || (f[j] == '\n' && (j == 0 || f[j - 1] != '\r')))
				breaks++;
	}
	return breaks;
}

/* Make every field UTF-8 into val[]: converted from windows-1252, or
 * checked and used as is.  OUT: val. */
static ClCode decode_fields(Import *im, size_t line, int n, char **field, char **val, Err *e)
{
	int i;

	if (im->cd == (iconv_t)-1 || im->workbook) {
		for (i = 0; i < n; i++) {
			size_t len = strlen(field[i]), bad;

			val[i] = field[i];
			bad = utf8_bad_at((const unsigned char *)field[i], len);
			/* the physical line: the row's first, plus breaks before it */
			if (bad < len)
				return err_set(e, CL_EINPUT,
					       "line %zu is not valid UTF-8; if the file was saved "
					       "from Excel on Windows, import it with --encoding "
					       "windows-1252",
					       line + line_breaks(field, i, bad));
		}
		return CL_OK;
	}
	buf_reset(&im->arena);
	for (i = 0; i < n; i++) {
		ClCode rc = convert_field(im, field[i], &val[i]);

		if (rc == CL_ENOMEM)
			return err_set(e, CL_EINPUT,
				       "line %zu: the row is longer than %zu bytes once converted "
				       "to UTF-8; is the file really a CSV sales report?",
				       line, im->arena.cap);
		if (rc)
			return err_set(e, CL_EINPUT, "line %zu: a character is not windows-1252",
				       line);
	}
	for (i = 0; i < n; i++)
		val[i] = im->arena.data + (uintptr_t)val[i];
	return CL_OK;
}

/* ---- the header ---- */

/* Load the vendor's saved header mappings (the first MAX_MAPS). */
static ClCode load_maps(Import *im, Err *e)
{
	ClCode rc, end;
	DbRows q;
	int c;

	rc = db_rows(&q, im->db, e,
		     "SELECT header, column FROM vendor_column_map WHERE vendor_id = ?", "i",
		     im->vendor_id);
	while (!rc && im->nmap < MAX_MAPS && db_rows_next(&q)) {
		const char *col = (const char *)sqlite3_column_text(q.st, 1);

		snprintf(im->map[im->nmap].header, sizeof im->map[0].header, "%s",
			 (const char *)sqlite3_column_text(q.st, 0));
		for (c = 0; c < C__MAX; c++)
			if (strcmp(col, col_name[c]) == 0)
				im->map[im->nmap].column = c;
		im->nmap++;
	}
	end = db_rows_end(&q, "reading the vendor's column mappings", e);
	return rc ? rc : end;
}

/* The column a header names (vendor mapping first), or -1. */
static int header_column(const Import *im, const char *text)
{
	char key[104];
	int i;

	csvin_header_key(text, key, sizeof key);
	for (i = 0; i < im->nmap; i++)
		if (strcmp(key, im->map[i].header) == 0)
			return im->map[i].column;
	for (i = 0; i < C__MAX; i++)
		if (strcmp(key, col_name[i]) == 0)
			return i;
	return -1;
}

/* 1 if the header field is among the ignored columns already. */
static int ignored_already(const ImportResult *r, const char *text)
{
	int i;

	for (i = 0; i < r->nignored; i++)
		if (strcmp(r->ignored[i], text) == 0)
			return 1;
	return 0;
}

/* The header's fields as "a, b, c" into out (cut with "..." when long). */
static void header_list(int n, char **val, char *out, size_t size)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && used + 4 < size; i++) {
		int k = snprintf(out + used, size - used, "%s\"%s\"", i ? ", " : "", val[i]);

		if (k < 0 || (size_t)k >= size - used) {
			snprintf(out + (size > 4 ? size - 4 : 0), 4, "...");
			return;
		}
		used += (size_t)k;
	}
}

/* Match the header row to the columns; refuse the file when a required
 * column is missing or one is named twice. */
static ClCode read_header(Import *im, int n, char **val, Err *e)
{
	int i, c;

	im->header_seen = 1;
	im->ncols = n;
	for (c = 0; c < C__MAX; c++)
		im->col[c] = -1;
	for (i = 0; i < n; i++) {
		c = header_column(im, val[i]);
		if (c < 0) {
			if (*val[i] && !ignored_already(&im->res, val[i]) &&
			    ignored_add(&im->res, val[i]))
				return err_set(e, CL_ENOMEM, "out of memory");
			continue;
		}
		if (im->col[c] >= 0)
			return err_set(e, CL_EINPUT,
				       "the header names %s twice (columns %d and %d); keep one",
				       col_name[c], im->col[c] + 1, i + 1);
		im->col[c] = i;
	}
	for (c = 0; c < C_REQUIRED; c++)
		if (im->col[c] < 0) {
			char found[200];

			header_list(n, val, found, sizeof found);
			return err_set(
				e, CL_EINPUT,
				"the header has no %s column (it has: %s); a sales report "
				"needs agency_code, po_number, invoice_number, invoice_date, "
				"list_amount and invoiced_amount (or a saved mapping: "
				"coopledger vendor map)",
				col_name[c], found);
		}
	return CL_OK;
}

/* ---- rows ---- */

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Characters (not bytes) in UTF-8 text. */
static size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A text field of at most max characters, required or not; 0 when bad
 * (error noted). */
static int check_text(Import *im, size_t row, int c, const char *v, int required, size_t max)
{
	if (required && !*v) {
		row_error(im, row, c, "%s is empty", col_name[c]);
		return 0;
	}
	if (utf8_length(v) > max) {
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

	rc = decode_fields(im, line, n, field, val, e);
	if (rc)
		return rc;
	if (row == 0)
		return read_header(im, n, val, e);
	im->res.rows++;
	for (c = 0; c < C__MAX; c++)
		v[c] = im->col[c] >= 0 && im->col[c] < n ? trim(val[im->col[c]]) : "";
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
	if (!fatal && im->nomem)
		fatal = err_set(e, CL_ENOMEM, "out of memory");
	if (im->o->progress && im->res.rows % PROGRESS_EVERY == 0)
		im->o->progress(im->o->progress_ctx, im->bytes, (size_t)im->res.rows);
	return fatal;
}

static void hash_chunk(void *ctx, const char *p, size_t n)
{
	Import *im = ctx;

	crypto_hash_sha256_update(&im->sha, (const unsigned char *)p, n);
	im->bytes += n;
}

/* ---- the batch ---- */

/* The result as the batch keeps it (import_batch.result_json) and the
 * audit log records it: the shape of DOMAIN.md section 5.  An import of
 * the same file again reads its errors and ignored columns back.  Caller
 * frees with cJSON_free(); NULL when out of memory. */
static char *record_text(const ImportResult *r)
{
	char la[MONEY_BUF], ia[MONEY_BUF], *text;
	cJSON *o = cJSON_CreateObject(), *t, *arr, *x;
	int i;

	cJSON_AddNumberToObject(o, "batch", (double)r->batch);
	cJSON_AddNumberToObject(o, "rows", (double)r->rows);
	cJSON_AddNumberToObject(o, "accepted", (double)r->accepted);
	cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
	cJSON_AddNumberToObject(o, "rejected", (double)r->rejected);
	t = cJSON_AddObjectToObject(o, "totals");
	cJSON_AddStringToObject(t, "list_amount", money_format(r->list_total, la));
	cJSON_AddStringToObject(t, "invoiced_amount", money_format(r->invoiced_total, ia));
	arr = cJSON_AddArrayToObject(o, "errors");
	for (i = 0; i < r->nerrors; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "row", (double)r->errors[i].row);
		cJSON_AddStringToObject(x, "column", r->errors[i].column);
		cJSON_AddStringToObject(x, "message", r->errors[i].message);
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(o, "ignored_columns");
	for (i = 0; i < r->nignored; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(r->ignored[i]));
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* The errors and ignored columns of a batch's record into r.  Returns 0,
 * or -1 when out of memory. */
static int record_read(const char *text, ImportResult *r)
{
	cJSON *o = cJSON_Parse(text);
	const cJSON *x;
	int rc = 0;

	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "errors"))
	{
		const cJSON *row = cJSON_GetObjectItemCaseSensitive(x, "row");
		const char *col =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "column"));
		const char *msg =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "message"));

		if (!rc)
			rc = problem_add(r, cJSON_IsNumber(row) ? (int64_t)row->valuedouble : 0,
					 col ? col : "", msg ? msg : "");
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "ignored_columns"))
	{
		if (!rc && cJSON_IsString(x))
			rc = ignored_add(r, x->valuestring);
	}
	cJSON_Delete(o);
	return rc;
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
			nomem = record_read((const char *)sqlite3_column_text(q.st, 6), r);
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

/* 1 if enc names one of the two encodings, in any case. */
static int encoding_is(const char *enc, const char *a, const char *b)
{
	return strcasecmp(enc, a) == 0 || strcasecmp(enc, b) == 0;
}

/* Convert from enc (NULL, "" or UTF-8: none) into UTF-8. */
static ClCode set_encoding(Import *im, const char *enc, Err *e)
{
	if (!enc || !*enc || encoding_is(enc, "utf-8", "utf8"))
		return CL_OK;
	if (!encoding_is(enc, "windows-1252", "cp1252") &&
	    !encoding_is(enc, "latin1", "iso-8859-1"))
		return err_set(e, CL_EINPUT, "unknown encoding \"%s\"; use utf-8 or windows-1252",
			       enc);
	im->cd = iconv_open("UTF-8", "WINDOWS-1252");
	if (im->cd == (iconv_t)-1)
		return err_set(e, CL_EIO, "this system cannot convert windows-1252");
	return CL_OK;
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
	rc = set_encoding(im, enc, e);
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
	unsigned char h[crypto_hash_sha256_BYTES];
	char sha[CHAIN_HEX];

	crypto_hash_sha256_final(&im->sha, h);
	sodium_bin2hex(sha, sizeof sha, h, sizeof h);
	if (!im->header_seen)
		return err_set(e, CL_EINPUT,
			       "the file is empty: a sales report starts with a header "
			       "row naming its columns");
	if (im->res.rows == 0 && !im->has_period)
		return err_set(e, CL_EINPUT,
			       "the file has a header but no rows; to file a zero report, "
			       "name the quarter with --period");
	note_unlisted(im);
	if (im->nomem)
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
	im->cd = (iconv_t)-1;
	buf_init(&im->arena, (size_t)4 * CSVIN_FIELD_CAP * 4);
	crypto_hash_sha256_init(&im->sha);
	co.field_cap = o->field_cap;
	co.sheet = o->sheet;
	co.on_chunk = hash_chunk;
	co.chunk_ctx = im;
	co.workbook = &im->workbook;
	rc = import_begin(im, e);
	if (!rc)
		rc = tablein_read(f, &co, import_row, im, e);
	if (!rc)
		rc = import_end(im, status, &same, e);
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
	if (im->cd != (iconv_t)-1)
		iconv_close(im->cd);
	import_result_free(&im->res);
	free(im->seen);
	buf_free(&im->arena);
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

	rc = decode_fields(sr->im, line, n, field, val, e);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) /* every one is set; this says so to the analyzer */
		if (!val[i])
			val[i] = none;
	if (row == 0)
		return sample_header(sr, n, val, e);
	sr->s->rows++;
	for (i = 0; i < n && i < sr->s->ncols; i++) {
		const char *v = trim(val[i]);

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
	TableOptions to = {.workbook = &im->workbook};
	ClCode rc;

	memset(out, 0, sizeof *out);
	if (!im)
		return err_set(e, CL_ENOMEM, "out of memory");
	im->db = db;
	im->cd = (iconv_t)-1;
	buf_init(&im->arena, (size_t)4 * CSVIN_FIELD_CAP * 4);
	rc = vendor_id(db, vendor, &im->vendor_id, e);
	if (!rc)
		rc = set_encoding(im, encoding, e);
	if (!rc)
		rc = load_maps(im, e);
	if (!rc)
		rc = tablein_read(f, &to, sample_row, &sr, e);
	if (!rc && !out->cols)
		rc = err_set(e, CL_EINPUT,
			     "the file is empty: a sample starts with the header row of the "
			     "vendor's report, then a few rows");
	if (im->cd != (iconv_t)-1)
		iconv_close(im->cd);
	buf_free(&im->arena);
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
