/*
 * test_faults.c — what a failing disk does to each writing operation and
 * each report, found by trying every failure point (as SQLite's own I/O
 * error tests do) through the fault VFS of faultvfs.c.
 *
 * A database is prepared once (contract KS-1 with ten member districts,
 * two quarterly reports of 400 lines, a remittance) and copied for every
 * try.  For each operation and each kind of call (read, write, sync), try
 * N = 1, 2, ...: the N-th call of that kind and every later one fail.  An
 * operation the fault stops must say so (a disk I/O error) and leave the
 * books exactly as they were: integrity_check "ok", both hash chains
 * whole, every table the same.  An operation that succeeds anyway must
 * give what the fault-free run gives.  The tries of a kind end with the
 * first N that the operation no longer reaches.
 *
 * Each case prints one line, "fault: import write: 57 failure points, all
 * clean", and every try that was not clean.
 */
#include <sodium.h>

#include "fixture.h"
#include "fees.h"
#include "import.h"
#include "rebate.h"
#include "remit.h"

#include "faultvfs.c"
#include "reporttext.c"

#define ROWS_IMPORT  2000 /* the report the import case files */
#define ROWS_QUARTER 400  /* each report already in the books */
#define MAX_TRIES    100000
#define SHOW_BAD     6 /* bad tries described in full, per case */

static const char *const members[] = {"USD259", "USD233", "USD266", "USD305", "USD383",
				      "USD437", "USD457", "USD489", "USD490", "USD497"};

/* ---- the prepared database ---------------------------------------------- */

static struct {
	char dir[40];
	char tmpl[64]; /* the prepared database */
	char work[64]; /* the copy each try works on */
	char *csv;     /* the 2,000-row report of 2026-Q1 */
	size_t csv_len;
	char *before;  /* dump of the prepared database */
	int64_t batch; /* the 2025-Q3 batch the reversal case reverses */
	Date today;    /* the clock's day */
} W;

/* A sales report of rows lines for quarter q (invoices named prefix-k),
 * spread over the members and the quarter's days.  Caller frees. */
static char *report_csv(Quarter q, const char *prefix, int rows, size_t *len)
{
	Date first = quarter_first_day(q), last = quarter_last_day(q);
	char day[DATE_BUF], *text = NULL;
	FILE *m = open_memstream(&text, len);
	int k;

	assert_non_null(m);
	fprintf(m, "agency_code,po_number,invoice_number,invoice_date,list_amount,"
		   "invoiced_amount,description\n");
	for (k = 0; k < rows; k++) {
		Money list = 10000 + (k % 37) * 1025 + (k % 5) * 3;
		Money invoiced = list * 6 / 10;

		fprintf(m, "%s,PO-%s-%d,%s-%05d,%s,%lld.%02lld,%lld.%02lld,Student desk\n",
			members[k % N_ELEMS(members)], prefix, k / 4, prefix, k,
			date_format(first + k % (last - first + 1), day), (long long)(list / 100),
			(long long)(list % 100), (long long)(invoiced / 100),
			(long long)(invoiced % 100));
	}
	assert_int_equal(fclose(m), 0);
	return text;
}

static ImportOptions import_options(const char *period, const char *file, const char *filed)
{
	ImportOptions o = {0};

	o.contract = "KS-1";
	o.period = period;
	o.file_name = file;
	o.today = fx_date(filed);
	o.actor = FX_ACTOR;
	return o;
}

/* Import a report that must be written in full; returns its batch. */
static int64_t import_ok(sqlite3 *db, const char *quarter, const char *prefix, const char *filed)
{
	ImportOptions o = import_options(quarter, prefix, filed);
	ImportStatus status = IMPORT_REFUSED;
	ImportResult result;
	size_t len = 0;
	char *csv = report_csv(fx_quarter(quarter), prefix, ROWS_QUARTER, &len);
	FILE *f = fmemopen(csv, len, "r");
	int64_t batch;
	Err e = {0};

	assert_non_null(f);
	fx_expect(quarter, import_csv(db, f, &o, &result, &status, &e), &e, CL_OK, NULL);
	fclose(f);
	free(csv);
	assert_int_equal(status, IMPORT_WRITTEN);
	batch = result.batch;
	assert_int_equal(result.accepted, ROWS_QUARTER);
	import_result_free(&result);
	return batch;
}

/* Build the prepared database at W.tmpl and leave it checkpointed and
 * closed, its WAL gone. */
static void prepare_books(void)
{
	static const char terms[] =
		"{\"number\":\"KS-1\",\"title\":\"Classroom furniture\",\"category\":\"furniture\","
		"\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\",\"start\":\"2025-07-01\","
		"\"end\":\"2026-06-30\",\"status\":\"active\",\"solicitation\":\"RFP 25-0147\","
		"\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\",\"bands\":["
		"{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"150000\",\"rate\":\"1.5%\"}]},"
		"\"rebates\":{\"year\":\"contract\",\"mode\":\"volume\",\"tiers\":["
		"{\"from\":\"50000\",\"rate\":\"1%\"},{\"from\":\"100000\",\"rate\":\"2%\"}]},"
		"\"due_days\":45,\"late_fee\":{\"min\":\"200\",\"rate\":\"25%\"}}";
	RemitIn r = {"KS-1", fx_quarter("2025-Q3"), 150000, fx_date("2025-11-01"), "ACH 1001", 0};
	sqlite3 *db = NULL;
	size_t i;
	Err e = {0};

	fx_expect("open", db_open(W.tmpl, &db, &e), &e, CL_OK, NULL);
	for (i = 0; i < N_ELEMS(members); i++)
		fx_agency(db, members[i], members[i], 1);
	fx_vendor(db, "V-PRAIRIE");
	fx_expect("KS-1", contract_import(db, terms, strlen(terms), FX_ACTOR, NULL, &e), &e, CL_OK,
		  NULL);
	for (i = 1; i < N_ELEMS(members); i++)
		fx_participant(db, "KS-1", members[i], "2025-07-01");
	W.batch = import_ok(db, "2025-Q3", "Q3", "2025-10-10");
	import_ok(db, "2025-Q4", "Q4", "2026-01-20");
	fx_expect("remit", remit_add(db, &r, FX_ACTOR, NULL, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
	db_close(db);
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(ferror(in), 0);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* A fresh copy of the prepared database at W.work. */
static void fresh_copy(void)
{
	fx_unlink(W.work);
	copy_file(W.tmpl, W.work);
}

/* ---- dumps -------------------------------------------------------------- */

/* 1 if s is a time stamp "2026-11-25T17:05:00Z". */
static int is_timestamp(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (n != sizeof shape - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return 0;
	return 1;
}

/* 1 if s is a SHA-256 in hex (a chain hash). */
static int is_hash(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void dump_value(FILE *m, sqlite3_stmt *st, int i, int mask)
{
	const char *s;
	size_t n, k;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		fputs("NULL", m);
		return;
	case SQLITE_INTEGER:
		fprintf(m, "%lld", (long long)sqlite3_column_int64(st, i));
		return;
	case SQLITE_FLOAT:
		fprintf(m, "%.17g", sqlite3_column_double(st, i));
		return;
	case SQLITE_BLOB:
		s = sqlite3_column_blob(st, i);
		n = (size_t)sqlite3_column_bytes(st, i);
		fputs("x'", m);
		for (k = 0; k < n; k++)
			fprintf(m, "%02x", (unsigned char)s[k]);
		fputc('\'', m);
		return;
	}
	s = (const char *)sqlite3_column_text(st, i);
	n = (size_t)sqlite3_column_bytes(st, i);
	if (mask && is_timestamp(s, n)) {
		fputs("'<time>'", m);
		return;
	}
	if (mask && is_hash(s, n)) {
		fputs("'<hash>'", m);
		return;
	}
	fputc('\'', m);
	while (n > 0) { /* newlines and tabs escaped: one row, one line */
		k = strcspn(s, "\n\t");
		k = k < n ? k : n;
		fwrite(s, 1, k, m);
		if (k < n)
			fputs(s[k] == '\n' ? "\\n" : s[k] == '\t' ? "\\t" : "\\0", m);
		k += k < n;
		s += k;
		n -= k;
	}
	fputc('\'', m);
}

/* Write the columns of query sql as "label<TAB>#<TAB>name1<TAB>name2..."
 * and then every row as "label<TAB>v1<TAB>v2...". */
static void dump_query(FILE *m, sqlite3 *db, const char *label, const char *sql, int mask)
{
	sqlite3_stmt *st = NULL;
	int i, x;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	fprintf(m, "%s\t#", label);
	for (i = 0; i < sqlite3_column_count(st); i++)
		fprintf(m, "\t%s", sqlite3_column_name(st, i));
	fputc('\n', m);
	while ((x = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(label, m);
		for (i = 0; i < sqlite3_column_count(st); i++) {
			fputc('\t', m);
			dump_value(m, st, i, mask);
		}
		fputc('\n', m);
	}
	assert_int_equal(x, SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The schema and every row of every table as text, in rowid order (key
 * order for a WITHOUT ROWID table).  With mask, time stamps and hashes
 * (which hold the time) read "<time>" and "<hash>", so that two runs of
 * one operation compare.  Caller frees. */
static char *dump_db(sqlite3 *db, int mask)
{
	char *text = NULL, *sql;
	sqlite3_stmt *tables = NULL, *probe;
	FILE *m;
	size_t len = 0;
	int i, n;

	m = open_memstream(&text, &len);
	assert_non_null(m);
	dump_query(m, db, "sqlite_master",
		   "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name", 0);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT name FROM sqlite_master WHERE type = 'table' "
					    "ORDER BY name",
					    -1, &tables, NULL),
			 SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);

		if (strcmp(name, "compliance_line") == 0)
			continue; /* stored results, recomputed by any report that reads them */
		if (strcmp(name, "purchase_order") == 0) {
			/* the totals kept with the ledger, not the stored results */
			dump_query(
				m, db, name,
				"SELECT id, contract_id, agency_id, po_number, lines, list_total, "
				"invoiced_total, first_date FROM purchase_order ORDER BY id",
				mask);
			continue;
		}
		sql = sqlite3_mprintf("SELECT rowid, * FROM \"%w\" ORDER BY rowid", name);
		if (sqlite3_prepare_v2(db, sql, -1, &probe, NULL) != SQLITE_OK) {
			/* WITHOUT ROWID: order by every column */
			sqlite3_free(sql);
			sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
			assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &probe, NULL), SQLITE_OK);
			n = sqlite3_column_count(probe);
			for (i = 1; i <= n; i++) {
				char *longer = sqlite3_mprintf("%s%s%d", sql,
							       i == 1 ? " ORDER BY " : ", ", i);

				sqlite3_free(sql);
				sql = longer;
			}
		}
		sqlite3_finalize(probe);
		dump_query(m, db, name, sql, mask);
		sqlite3_free(sql);
	}
	sqlite3_finalize(tables);
	assert_int_equal(fclose(m), 0);
	return text;
}

/* Field k (0: the table) of the dump line at p, shortened.  OUT: out. */
static void field_at(const char *p, int k, char *out, size_t n)
{
	size_t len;

	while (k-- > 0 && *p && *p != '\n') {
		p += strcspn(p, "\t\n");
		p += *p == '\t';
	}
	len = strcspn(p, "\t\n");
	snprintf(out, n, "%.*s%s", (int)(len < 90 ? len : 90), p, len > 90 ? "..." : "");
}

/* The header line ("table<TAB>#<TAB>names") of the table of the dump line
 * at p, searched from the dump's start d. */
static const char *header_of(const char *d, const char *p)
{
	size_t k = strcspn(p, "\t\n");

	for (; *d; d += strcspn(d, "\n"), d += *d == '\n')
		if (strncmp(d, p, k) == 0 && strncmp(d + k, "\t#\t", 3) == 0)
			return d;
	return NULL;
}

/* Skip the lines of the table of the dump line at *p; returns their rows. */
static int skip_table(const char **p, const char *name, size_t kn)
{
	int rows = 0;

	while (**p && strcspn(*p, "\t\n") == kn && strncmp(*p, name, kn) == 0) {
		rows += strncmp(*p + kn, "\t#\t", 3) != 0;
		*p += strcspn(*p, "\n");
		*p += **p == '\n';
	}
	return rows;
}

/* How dump b differs from dump a, in brief: the tables whose row counts
 * differ and the first value that differs.  OUT: out. */
static void dump_diff(const char *a, const char *b, char *out, size_t n)
{
	const char *p = a, *q = b, *la, *lb, *head;
	char name[64], key[100], col[64], was[100], now[100];
	size_t used = 0, k;
	int f;

	out[0] = '\0';
	while (*p || *q) {
		const char *t = *p ? p : q;
		size_t kn = strcspn(t, "\t\n");
		int ra, rb;

		snprintf(name, sizeof name, "%.*s", (int)kn, t);
		ra = skip_table(&p, name, kn);
		rb = skip_table(&q, name, kn);
		if (ra != rb && used < n)
			used += (size_t)snprintf(out + used, n - used, "%s%s %d rows, was %d",
						 used ? "; " : "", name, rb, ra);
		if (!ra && !rb && kn == 0)
			break;
	}
	for (k = 0; a[k] && a[k] == b[k]; k++)
		;
	if (!a[k] && !b[k])
		return;
	while (k > 0 && a[k - 1] != '\n')
		k--;
	la = a + k;
	lb = b + k;
	for (f = 0;; f++) {
		field_at(la, f, was, sizeof was);
		field_at(lb, f, now, sizeof now);
		if (strcmp(was, now) != 0 || (!*was && !*now))
			break;
	}
	field_at(la, 0, name, sizeof name);
	field_at(la, 1, key, sizeof key);
	head = header_of(a, la);
	if (head)
		field_at(head, f + 1, col, sizeof col);
	else
		snprintf(col, sizeof col, "%d", f);
	if (used >= n)
		return;
	if (f == 0) {
		/* one side has a row where the other has the next table (or
		 * the end): that row is gone or new */
		int gone = *key && strcmp(key, "#") != 0;

		if (!gone) {
			field_at(lb, 0, name, sizeof name);
			field_at(lb, 1, key, sizeof key);
		}
		snprintf(out + used, n - used, "%sfirst difference: row %s %s is %s",
			 used ? "; " : "", name, key, gone ? "gone" : "new");
		return;
	}
	snprintf(out + used, n - used, "%sfirst difference: %s %s, %s: was %s, now %s",
		 used ? "; " : "", name, key, col, was, now);
}

/* ---- the operations ----------------------------------------------------- */

typedef struct Op {
	const char *name;
	/* Run it; OUT: *out, a text the fault-free run must also give. */
	ClCode (*run)(sqlite3 *db, char **out, Err *e);
	/* from the fault-free run */
	char *ref_out;
	char *ref_dump; /* masked */
	int calls[FAULT__KINDS];
} Op;

static char *text_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A printf-style text in new memory.  Caller frees. */
static char *text_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* An import's result as one text: status, figures, errors, columns. */
static char *import_text(ImportStatus status, const ImportResult *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int i;

	assert_non_null(m);
	fprintf(m,
		"status %d batch %lld rows %lld accepted %lld duplicates %lld rejected %lld "
		"list %lld invoiced %lld",
		(int)status, (long long)r->batch, (long long)r->rows, (long long)r->accepted,
		(long long)r->duplicates, (long long)r->rejected, (long long)r->list_total,
		(long long)r->invoiced_total);
	for (i = 0; i < r->nerrors; i++)
		fprintf(m, "; row %lld %s: %s", (long long)r->errors[i].row, r->errors[i].column,
			r->errors[i].message);
	for (i = 0; i < r->nignored; i++)
		fprintf(m, "; ignored %s", r->ignored[i]);
	assert_int_equal(fclose(m), 0);
	return text;
}

static ClCode run_import(sqlite3 *db, char **out, Err *e)
{
	ImportOptions o = import_options("2026-Q1", "q1.csv", "2026-04-10");
	ImportStatus status = IMPORT_REFUSED;
	ImportResult r;
	FILE *f = fmemopen(W.csv, W.csv_len, "r");
	ClCode rc;

	assert_non_null(f);
	rc = import_csv(db, f, &o, &r, &status, e);
	fclose(f);
	if (!rc)
		*out = import_text(status, &r);
	import_result_free(&r);
	return rc;
}

static ClCode run_reverse_batch(sqlite3 *db, char **out, Err *e)
{
	int count = 0;
	ClCode rc = ledger_reverse_batch(db, W.batch, "wrong file", FX_ACTOR, &count, e);

	if (!rc)
		*out = text_printf("%d lines reversed", count);
	return rc;
}

static ClCode run_remit(sqlite3 *db, char **out, Err *e)
{
	RemitIn r = {"KS-1", fx_quarter("2025-Q4"), 123456, fx_date("2026-02-01"), "ACH 4242", 0};
	int64_t id = 0;
	ClCode rc = remit_add(db, &r, FX_ACTOR, &id, e);

	if (!rc)
		*out = text_printf("remittance %lld", (long long)id);
	return rc;
}

static ClCode run_period_close(sqlite3 *db, char **out, Err *e)
{
	ClCode rc = period_close(db, fx_quarter("2025-Q4"), FX_ACTOR, e);

	if (!rc)
		*out = text_printf("closed");
	return rc;
}

static ClCode run_fees(sqlite3 *db, char **out, Err *e)
{
	FeesReport r;
	ClCode rc = fees_report(db, "KS-1", NULL, W.today, &r, e);

	if (!rc)
		*out = fees_text(&r);
	fees_report_free(&r);
	return rc;
}

static ClCode run_rebate(sqlite3 *db, char **out, Err *e)
{
	RebateReport r;
	ClCode rc = rebate_report(db, "KS-1", 1, W.today, NULL, FX_ACTOR, &r, e);

	if (!rc)
		*out = rebate_text(&r);
	rebate_report_free(&r);
	return rc;
}

static Op ops[] = {
	{"import", run_import, NULL, NULL, {0}},
	{"batch reversal", run_reverse_batch, NULL, NULL, {0}},
	{"remittance", run_remit, NULL, NULL, {0}},
	{"period close", run_period_close, NULL, NULL, {0}},
	{"report fees", run_fees, NULL, NULL, {0}},
	{"rebate finalization", run_rebate, NULL, NULL, {0}},
};

/* ---- one try ------------------------------------------------------------ */

typedef struct Try {
	int fired;	/* the fault failed at least one call */
	ClCode rc;	/* what the operation returned */
	char why[1400]; /* empty when clean: what was wrong */
} Try;

static void note(Try *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(Try *t, const char *fmt, ...)
{
	size_t used = strlen(t->why);
	va_list ap;

	if (used + 3 >= sizeof t->why)
		return;
	if (used)
		used += (size_t)snprintf(t->why + used, sizeof t->why - used, "; ");
	va_start(ap, fmt);
	vsnprintf(t->why + used, sizeof t->why - used, fmt, ap);
	va_end(ap);
}

/* Close db and check that its files closed with it. */
static void close_checked(sqlite3 *db, int files_before, Try *t)
{
	db_close(db);
	if (faultvfs_open_files() > files_before)
		note(t, "the connection could not be closed (a statement was left unfinalized)");
}

/* Run op on a fresh copy with kind failing from call n on (n = 0: no
 * fault), then judge the books without faults.  OUT: *t. */
static void try_op(Op *op, FaultKind kind, int n, Try *t, char **out_dump)
{
	int files = faultvfs_open_files();
	char *out = NULL, *dump, integrity[256], msg[ERR_MSG_MAX];
	sqlite3 *db = NULL;
	Err e = {0};

	memset(t, 0, sizeof *t);
	fresh_copy();
	fx_expect("open the copy", db_open(W.work, &db, &e), &e, CL_OK, NULL);
	faultvfs_arm(kind, n);
	t->rc = op->run(db, &out, &e);
	faultvfs_disarm();
	t->fired = faultvfs_failed() > 0;
	if (!n)
		for (int k = 0; k < FAULT__KINDS; k++)
			op->calls[k] = faultvfs_count((FaultKind)k);
	close_checked(db, files, t);

	if (t->rc && !t->fired)
		note(t, "failed with no fault: code %d \"%s\"", (int)t->rc, e.msg);
	else if (t->rc &&
		 (!strstr(e.msg, "disk I/O error") || (t->rc != CL_EDB && t->rc != CL_EIO)))
		note(t, "the error does not say the disk failed: code %d \"%s\"", (int)t->rc,
		     e.msg);
	if (!t->rc && op->ref_out && strcmp(out, op->ref_out) != 0)
		note(t, "succeeded with another result: \"%.300s\" (fault-free: \"%.300s\")", out,
		     op->ref_out);

	/* the books, without faults */
	snprintf(msg, sizeof msg, "%s", e.msg);
	e = (Err){0};
	if (db_open(W.work, &db, &e) != CL_OK) {
		note(t, "the database does not open again: %s", e.msg);
		free(out);
		return;
	}
	db_text(db, integrity, sizeof integrity, "PRAGMA integrity_check", "");
	if (strcmp(integrity, "ok") != 0)
		note(t, "integrity_check: %s", integrity);
	if (ledger_verify(db, NULL, NULL, &e) != CL_OK)
		note(t, "ledger_verify: %s", e.msg);
	if (t->rc) {
		dump = dump_db(db, 0);
		if (strcmp(dump, W.before) != 0) {
			char diff[600];

			dump_diff(W.before, dump, diff, sizeof diff);
			note(t, "failed (\"%s\") but changed the books: %s", msg, diff);
		}
		free(dump);
	} else {
		dump = dump_db(db, 1);
		if (op->ref_dump && strcmp(dump, op->ref_dump) != 0) {
			char diff[600];

			dump_diff(op->ref_dump, dump, diff, sizeof diff);
			note(t, "succeeded but the books differ from the fault-free run: %s", diff);
		}
		if (out_dump)
			*out_dump = dump;
		else
			free(dump);
	}
	close_checked(db, files, t);
	if (!t->rc && !op->ref_out)
		op->ref_out = out;
	else
		free(out);
}

/* ---- the cases ---------------------------------------------------------- */

typedef struct Case {
	Op *op;
	FaultKind kind;
} Case;

/* Append "n" or extend a run "a-b" in a list of failure points. */
static void list_point(char *list, size_t size, int n, int *last, int *run_start)
{
	size_t used = strlen(list);

	if (*last && n == *last + 1) {
		*last = n;
		return;
	}
	if (*last && *last != *run_start && used < size)
		used += (size_t)snprintf(list + used, size - used, "-%d", *last);
	if (used < size)
		snprintf(list + used, size - used, "%s%d", used ? "," : "", n);
	*run_start = *last = n;
}

static void test_fault_case(void **state)
{
	const Case *c = *state;
	const char *kind = faultvfs_kind_name(c->kind);
	int n, points = 0, bad = 0, shown = 0, survived = 0, last = 0, run_start = 0;
	char list[400] = "", prev[sizeof((Try *)0)->why] = "";
	Try t;

	for (n = 1; n <= MAX_TRIES; n++) {
		try_op(c->op, c->kind, n, &t, NULL);
		if (t.fired)
			points++;
		if (t.fired && !t.rc && !t.why[0])
			survived++;
		if (t.why[0]) {
			bad++;
			list_point(list, sizeof list, n, &last, &run_start);
			/* a run of tries with the same symptom is described once */
			if (strcmp(t.why, prev) != 0 && shown++ < SHOW_BAD)
				printf("fault:   %s %s N=%d%s: %s\n", c->op->name, kind, n,
				       t.fired ? "" : " (fault never reached)", t.why);
			snprintf(prev, sizeof prev, "%s", t.why);
		}
		if (!t.fired)
			break;
	}
	if (last && last != run_start)
		snprintf(list + strlen(list), sizeof list - strlen(list), "-%d", last);
	printf("fault: %s %s: %d failure point%s", c->op->name, kind, points,
	       points == 1 ? "" : "s");
	if (survived)
		printf(" (%d survived with the fault-free result)", survived);
	if (bad)
		printf(", %d NOT clean: N=%s\n", bad, list);
	else
		printf(", all clean\n");
	fflush(stdout);
	if (n > MAX_TRIES)
		fail_msg("%s %s: still failing after %d tries", c->op->name, kind, MAX_TRIES);
	if (bad)
		fail_msg("%s %s: %d of %d tries not clean", c->op->name, kind, bad, n);
}

/* ---- setup -------------------------------------------------------------- */

/* The fault-free run of each operation: its result, its books and how
 * many calls of each kind it makes. */
static void reference_runs(void)
{
	size_t i;
	Try t;

	for (i = 0; i < N_ELEMS(ops); i++) {
		Op *op = &ops[i];

		try_op(op, FAULT_READ, 0, &t, &op->ref_dump);
		if (t.rc || t.why[0]) {
			print_error("%s without faults: %s\n", op->name, t.why);
			fail();
		}
		printf("fault: %s makes %d reads, %d writes, %d syncs\n", op->name,
		       op->calls[FAULT_READ], op->calls[FAULT_WRITE], op->calls[FAULT_SYNC]);
	}
	fflush(stdout);
}

static int group_setup(void **state)
{
	sqlite3 *db = NULL;
	Err e = {0};

	(void)state;
	if (sodium_init() < 0 || faultvfs_install() != SQLITE_OK)
		return -1;
	snprintf(W.dir, sizeof W.dir, "/tmp/coopledger-faults-XXXXXX");
	if (!mkdtemp(W.dir))
		return -1;
	snprintf(W.tmpl, sizeof W.tmpl, "%s/books.db", W.dir);
	snprintf(W.work, sizeof W.work, "%s/try.db", W.dir);
	if (date_today(NULL, &W.today, &e))
		return -1;
	W.csv = report_csv(fx_quarter("2026-Q1"), "Q1", ROWS_IMPORT, &W.csv_len);
	prepare_books();
	fresh_copy();
	fx_expect("open the copy", db_open(W.work, &db, &e), &e, CL_OK, NULL);
	W.before = dump_db(db, 0);
	db_close(db);
	reference_runs();
	return 0;
}

static int group_teardown(void **state)
{
	size_t i;

	(void)state;
	fx_unlink(W.tmpl);
	fx_unlink(W.work);
	rmdir(W.dir);
	for (i = 0; i < N_ELEMS(ops); i++) {
		free(ops[i].ref_out);
		free(ops[i].ref_dump);
	}
	free(W.csv);
	free(W.before);
	return 0;
}

#define CASE(op, kind, name)                                                                       \
	{                                                                                          \
		name, test_fault_case, NULL, NULL, &(Case)                                         \
		{                                                                                  \
			&ops[op], kind                                                             \
		}                                                                                  \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(0, FAULT_READ, "import read"),
		CASE(0, FAULT_WRITE, "import write"),
		CASE(0, FAULT_SYNC, "import sync"),
		CASE(1, FAULT_READ, "batch reversal read"),
		CASE(1, FAULT_WRITE, "batch reversal write"),
		CASE(1, FAULT_SYNC, "batch reversal sync"),
		CASE(2, FAULT_READ, "remittance read"),
		CASE(2, FAULT_WRITE, "remittance write"),
		CASE(2, FAULT_SYNC, "remittance sync"),
		CASE(3, FAULT_READ, "period close read"),
		CASE(3, FAULT_WRITE, "period close write"),
		CASE(3, FAULT_SYNC, "period close sync"),
		CASE(4, FAULT_READ, "report fees read"),
		CASE(4, FAULT_WRITE, "report fees write"),
		CASE(4, FAULT_SYNC, "report fees sync"),
		CASE(5, FAULT_READ, "rebate finalization read"),
		CASE(5, FAULT_WRITE, "rebate finalization write"),
		CASE(5, FAULT_SYNC, "rebate finalization sync"),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
