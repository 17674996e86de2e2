/*
 * test_reads.c — a read of core/ whose query fails half-way fails whole:
 * never a shorter list, a wrong "not found" or a quarter taken for open.
 *
 * SQLite's progress handler interrupts one step at a chosen point of the
 * work (the later steps run normally).  Each case runs once untouched to
 * count its work, then is cut at each point of it in turn: every cut must
 * come back as a database error.
 */
#include "compliance.h"
#include "fees.h"
#include "fixture.h"
#include "import.h"
#include "journal.h"
#include "outbox.h"
#include "remit.h"
#include "summary.h"

/* The progress handler's count; it interrupts the call numbered at. */
typedef struct Cut {
	long calls;
	long at; /* 0: never */
} Cut;

static int cut_here(void *p)
{
	Cut *c = p;

	return ++c->calls == c->at;
}

/* One read of core/, run on fx (results freed).  Returns its code. */
typedef ClCode (*ReadFn)(Fixture *fx, Err *e);

/* The code of a function answering a row set, which it frees. */
static ClCode rows_done(ClCode rc, RowSet *rs)
{
	rowset_free(rs);
	return rc;
}

static ClCode read_agencies(Fixture *fx, Err *e)
{
	RowSet rs;

	return rows_done(agency_list(fx->db, &rs, e), &rs);
}

static ClCode read_batches(Fixture *fx, Err *e)
{
	RowSet rs;

	return rows_done(import_batches(fx->db, "KS-1", &rs, e), &rs);
}

static ClCode read_outbox(Fixture *fx, Err *e)
{
	RowSet rs;

	return rows_done(outbox_list(fx->db, &rs, e), &rs);
}

static ClCode read_outbox_counts(Fixture *fx, Err *e)
{
	OutboxCounts c;

	return outbox_counts(fx->db, &c, e);
}

/* Every order touched first, so that each run recomputes and stores them
 * all: a cut anywhere in that leaves the stored results as they were. */
static ClCode read_compliance(Fixture *fx, Err *e)
{
	ComplianceReport r;
	ClCode rc = db_exec(fx->db, e, "UPDATE purchase_order SET touched = 1", "");

	if (!rc)
		rc = compliance_report(fx->db, "KS-1", NULL, NULL, &r, e);
	else
		memset(&r, 0, sizeof r);

	compliance_report_free(&r);
	return rc;
}

static ClCode read_revenue(Fixture *fx, Err *e)
{
	SummaryRevenue s;
	ClCode rc = summary_revenue(fx->db, 0, fx_date("2026-08-01"), &s, e);

	summary_revenue_free(&s);
	return rc;
}

static ClCode read_fees(Fixture *fx, Err *e)
{
	FeeQuarter *fq = NULL;
	int n = 0;
	ClCode rc = fees_quarters(fx->db, "KS-1", NULL, fx_date("2026-08-01"), &fq, &n, e);

	free(fq);
	return rc;
}

static ClCode read_journal(Fixture *fx, Err *e)
{
	FILE *out = fopen("/dev/null", "w");
	ClCode rc;

	assert_non_null(out);
	rc = journal_export(fx->db, "KS-1", fx_date("2026-08-01"), out, e);
	fclose(out);
	return rc;
}

static ClCode read_verify(Fixture *fx, Err *e)
{
	return ledger_verify(fx->db, NULL, NULL, e);
}

/* A new line's checks read the contract, agency, participation, identity,
 * quarter and the chain's last line; rolled back whatever happens. */
static ClCode read_append(Fixture *fx, Err *e)
{
	PurchaseIn p = fx_line(fx->ks1, "INV-NEW", "2026-02-10", 15000);
	LedgerOutcome out;
	Ledger *l = NULL;
	ClCode rc;

	rc = db_begin(fx->db, e);
	if (!rc)
		rc = ledger_open(fx->db, FX_ACTOR, &l, e);
	if (!rc)
		rc = ledger_append(l, &p, &out, NULL, e);
	if (!rc)
		rc = ledger_flush(l, e);
	ledger_close(l);
	sqlite3_progress_handler(fx->db, 0, NULL, NULL); /* the rollback is not cut */
	db_rollback(fx->db);
	return rc;
}

/* The same line again: the look-up that tells a duplicate apart. */
static ClCode read_duplicate(Fixture *fx, Err *e)
{
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-08-05", 12000);
	LedgerOutcome out;
	Ledger *l = NULL;
	ClCode rc;

	rc = ledger_open(fx->db, FX_ACTOR, &l, e);
	if (!rc)
		rc = ledger_check(l, &p, &out, e);
	ledger_close(l);
	if (!rc && out != LEDGER_DUPLICATE)
		rc = err_set(e, CL_ERULE, "not taken for a duplicate");
	return rc;
}

/* Lines in three quarters, a remittance, an imported batch and a notice. */
static void reads_world(Fixture *fx)
{
	static const char csv[] = "agency_code,po_number,invoice_number,invoice_date,list_amount,"
				  "invoiced_amount\nUSD259,PO-7,INV-7,2026-01-15,100.00,80.00\n";
	PurchaseIn a = fx_line(fx->ks1, "INV-1", "2025-08-05", 12000);
	PurchaseIn b = fx_line(fx->ks1, "INV-2", "2025-11-20", 15000);
	RemitIn r = {"KS-1", fx_quarter("2025-Q3"), 240, fx_date("2025-10-20"), "ACH-1", 0};
	OutboxNew n = {"fee_overdue", "ap@prairie.example", "Pat", "KS-1", "2025-Q3",
		       NULL,	      "V-PRAIRIE",	    "{}",  NULL};
	ImportOptions o = {.contract = "KS-1",
			   .file_name = "q1.csv",
			   .today = fx_date("2026-04-10"),
			   .actor = FX_ACTOR};
	ImportStatus st = IMPORT_REFUSED;
	ImportResult result;
	FILE *f = fmemopen((void *)csv, strlen(csv), "r");
	Err e = {0};

	fx_append_ok(fx->db, &a);
	fx_append_ok(fx->db, &b);
	fx_expect("remit", remit_add(fx->db, &r, FX_ACTOR, NULL, &e), &e, CL_OK, NULL);
	fx_expect("notice", outbox_add(fx->db, &n, 1760000000, NULL, &e), &e, CL_OK, NULL);
	assert_non_null(f);
	fx_expect("import", import_csv(fx->db, f, &o, &result, &st, &e), &e, CL_OK, NULL);
	fclose(f);
	import_result_free(&result);
	assert_int_equal(st, IMPORT_WRITTEN);
}

/* Run fn with the progress handler counting into c.  Returns its code. */
static ClCode run_cut(Fixture *fx, ReadFn fn, Cut *c, Err *e)
{
	ClCode rc;

	err_clear(e);
	sqlite3_progress_handler(fx->db, 1, cut_here, c);
	rc = fn(fx, e);
	sqlite3_progress_handler(fx->db, 0, NULL, NULL);
	return rc;
}

/* Run fn once to count its work, then cut it at each point of it. */
static void cut_everywhere(Fixture *fx, const char *name, ReadFn fn)
{
	long total, at;
	Cut c = {0, 0};
	Err e = {0};

	/* a first run may store what later runs reuse (the compliance
	 * results): count the work of a run after it */
	fx_expect(name, run_cut(fx, fn, &c, &e), &e, CL_OK, NULL);
	c = (Cut){0, 0};
	fx_expect(name, run_cut(fx, fn, &c, &e), &e, CL_OK, NULL);
	total = c.calls;
	assert_true(total > 0);
	for (at = 1; at <= total; at++) {
		char label[96];

		c = (Cut){0, at};
		snprintf(label, sizeof label, "%s cut at %ld of %ld", name, at, total);
		fx_expect(label, run_cut(fx, fn, &c, &e), &e, CL_EDB, "interrupted");
	}
	c = (Cut){0, 0};
	fx_expect(name, run_cut(fx, fn, &c, &e), &e, CL_OK, NULL); /* nothing left half-done */
}

static void test_reads_fail_whole(void **state)
{
	static const struct {
		const char *name;
		ReadFn fn;
	} cases[] = {
		{"agency list", read_agencies},
		{"import batches", read_batches},
		{"outbox list", read_outbox},
		{"compliance report", read_compliance},
		{"revenue report", read_revenue},
		{"fee quarters", read_fees},
		{"journal export", read_journal},
		{"chain verify", read_verify},
		{"new line", read_append},
		{"duplicate line", read_duplicate},
		{"outbox counts", read_outbox_counts},
	};
	Fixture *fx = *state;
	size_t i;

	reads_world(fx);
	for (i = 0; i < N_ELEMS(cases); i++)
		cut_everywhere(fx, cases[i].name, cases[i].fn);
}

/* The helper itself: a step failing half-way is the error of the
 * database, counted; a loop stopped on purpose is not; a statement of the
 * caller's own is reset for its next use; ending twice does nothing. */
static void test_rows_helper(void **state)
{
	/* row 3 overflows abs(), at the step that reads it */
	static const char sql[] =
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
		"SELECT i, abs(i - 9223372036854775807 - 4) FROM n";
	Fixture *fx = *state;
	unsigned long before = db_read_failures(NULL);
	sqlite3_stmt *st = NULL;
	const char *last = NULL;
	int rows = 0, pass;
	Err e = {0};
	DbRows q;

	assert_int_equal(db_rows(&q, fx->db, &e, sql, ""), CL_OK);
	while (db_rows_next(&q))
		rows++;
	assert_int_equal(rows, 2);
	fx_expect("failed step", db_rows_end(&q, "counting", &e), &e, CL_EDB,
		  "counting: integer overflow");
	assert_int_equal(db_read_failures(&last), before + 1);
	assert_non_null(strstr(last, "integer overflow"));
	assert_int_equal(db_rows_end(&q, "counting", &e), CL_OK);

	assert_int_equal(db_rows(&q, fx->db, &e, sql, ""), CL_OK);
	assert_int_equal(db_rows_next(&q), 1);
	assert_int_equal(db_rows_end(&q, "the first row", &e), CL_OK);

	assert_int_equal(db_prepare(fx->db, &st, "SELECT ? + 1", &e), CL_OK);
	for (pass = 1; pass <= 2; pass++) {
		sqlite3_bind_int(st, 1, pass);
		db_rows_on(&q, fx->db, st, DB_ROWS_RESET);
		assert_int_equal(db_rows_next(&q), 1);
		assert_int_equal(sqlite3_column_int(q.st, 0), pass + 1);
		assert_int_equal(db_rows_end(&q, "adding", &e), CL_OK);
	}
	sqlite3_finalize(st);
	fx_expect("bad sql", db_rows(&q, fx->db, &e, "SELEKT 1", ""), &e, CL_EDB, "syntax");
	assert_int_equal(db_rows_end(&q, "nothing", &e), CL_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_fail_whole, fx_world_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rows_helper, fx_empty_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
