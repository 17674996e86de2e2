/* test_period.c — closing a quarter (core/contract.c period_close_as_of):
 * a quarter that has not ended is refused, naming its last day; missing
 * reports, unpaid balances and overcharges are listed and need a
 * confirmation; and statement notices wait for the quarter's end
 * (core/outbox.c). */
#include "fixture.h"
#include "import.h"
#include "outbox.h"

#define NOW 1795000000LL

/* File contract's sales report for quarter on day filed with rows (data
 * rows of agency_code,po_number,invoice_number,invoice_date,list_amount,
 * invoiced_amount). */
static void file_report(sqlite3 *db, const char *contract, const char *quarter, const char *filed,
			const char *rows)
{
	char csv[2048];
	ImportOptions o;
	ImportStatus st = IMPORT_REFUSED;
	ImportResult result;
	FILE *f;
	Err e = {0};

	snprintf(
		csv, sizeof csv,
		"agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n%s",
		rows);
	memset(&o, 0, sizeof o);
	o.contract = contract;
	o.period = quarter;
	o.file_name = "report.csv";
	o.today = fx_date(filed);
	o.actor = FX_ACTOR;
	f = fmemopen(csv, strlen(csv), "r");
	assert_non_null(f);
	fx_expect(quarter, import_csv(db, f, &o, &result, &st, &e), &e, CL_OK, NULL);
	fclose(f);
	import_result_free(&result);
	assert_int_equal(st, IMPORT_WRITTEN);
}

static int64_t closes(sqlite3 *db)
{
	return fx_int(db, "SELECT count(*) FROM audit_log WHERE action = 'period.close'");
}

static void test_not_ended_is_refused(void **state)
{
	Fixture *fx = *state;
	PeriodBlockers b = {NULL, 0};
	Err e = {0};

	fx_expect("on its last day",
		  period_close_as_of(fx->db, fx_quarter("2026-Q1"), fx_date("2026-03-31"), 1,
				     FX_ACTOR, &b, &e),
		  &e, CL_ERULE, "quarter 2026-Q1 has not ended");
	assert_non_null(strstr(e.msg, "2026-03-31"));
	period_blockers_free(&b);
	fx_expect("mid-quarter",
		  period_close_as_of(fx->db, fx_quarter("2026-Q2"), fx_date("2026-05-10"), 1,
				     FX_ACTOR, NULL, &e),
		  &e, CL_ERULE, "after its last day, 2026-06-30");
	fx_expect("a later quarter",
		  period_close_as_of(fx->db, fx_quarter("2027-Q1"), fx_date("2026-05-10"), 1,
				     FX_ACTOR, NULL, &e),
		  &e, CL_ERULE, "quarter 2027-Q1 has not ended");
	assert_int_equal(period_is_closed(fx->db, fx_quarter("2026-Q1")), 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM period"), 0);
	assert_int_equal(closes(fx->db), 0);
	/* the day after its end it closes (no contract has anything open in
	 * 2024-Q4: it is before every term) */
	fx_expect("ended",
		  period_close_as_of(fx->db, fx_quarter("2024-Q4"), fx_date("2025-01-01"), 0,
				     FX_ACTOR, &b, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(b.n, 0);
	assert_int_equal(period_is_closed(fx->db, fx_quarter("2024-Q4")), 1);
}

static void test_blockers_need_confirmation(void **state)
{
	Fixture *fx = *state;
	PeriodBlockers b = {NULL, 0};
	char text[200];
	Err e = {0};

	/* 2025-Q3: filed, fee 2% of $400.00 = $8.00 unpaid */
	file_report(fx->db, "KS-1", "2025-Q3", "2025-10-20",
		    "USD259,PO-1,INV-1,2025-08-10,1000,400\n");
	/* 2025-Q4: no report */
	fx_expect("unconfirmed Q4",
		  period_close_as_of(fx->db, fx_quarter("2025-Q4"), fx_date("2026-02-01"), 0,
				     FX_ACTOR, &b, &e),
		  &e, CL_ERULE, "confirm");
	assert_int_equal(b.n, 1); /* KS-T is terminated: its report is not chased */
	assert_int_equal(b.item[0].kind, PB_REPORT_MISSING);
	assert_string_equal(b.item[0].contract, "KS-1");
	assert_string_equal(
		period_blocker_text(&b.item[0], fx_quarter("2025-Q4"), text, sizeof text),
		"KS-1: the 2025-Q4 sales report is missing");
	period_blockers_free(&b);
	assert_int_equal(period_is_closed(fx->db, fx_quarter("2025-Q4")), 0);

	fx_expect("unconfirmed Q3",
		  period_close_as_of(fx->db, fx_quarter("2025-Q3"), fx_date("2026-02-01"), 0,
				     FX_ACTOR, &b, &e),
		  &e, CL_ERULE, "quarter 2025-Q3 has 1 open matter");
	assert_int_equal(b.n, 1);
	assert_int_equal(b.item[0].kind, PB_UNPAID);
	/* $8.00 and, after the due date 2025-11-14, the late fee ($200 minimum
	 * only when terms say so: the fixture has none) */
	assert_true(b.item[0].amount >= 800);
	assert_non_null(
		strstr(period_blocker_text(&b.item[0], fx_quarter("2025-Q3"), text, sizeof text),
		       "of the 2025-Q3 fee is unpaid"));
	period_blockers_free(&b);
	assert_int_equal(closes(fx->db), 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM period"), 0);

	fx_expect("confirmed",
		  period_close_as_of(fx->db, fx_quarter("2025-Q3"), fx_date("2026-02-01"), 1,
				     FX_ACTOR, &b, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(b.n, 1);
	period_blockers_free(&b);
	assert_int_equal(period_is_closed(fx->db, fx_quarter("2025-Q3")), 1);
	assert_int_equal(closes(fx->db), 1);
}

static void test_overcharges_are_blockers(void **state)
{
	Fixture *fx = *state;
	static const char doc[] =
		"{\"number\":\"KS-D\",\"title\":\"Desks\",\"category\":\"furniture\","
		"\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\",\"start\":\"2025-07-01\","
		"\"end\":\"2026-06-30\",\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\","
		"\"bands\":[{\"from\":\"0\",\"rate\":\"0%\"}]},"
		"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"10%\"}]}}";
	PeriodBlockers b = {NULL, 0};
	char text[200];
	Err e = {0};
	int i, found = 0;

	fx_expect("KS-D", contract_import(fx->db, doc, strlen(doc), FX_ACTOR, NULL, &e), &e, CL_OK,
		  NULL);
	/* list $1000.00, expected $900.00, invoiced $950.00: $50.00 over */
	file_report(fx->db, "KS-D", "2025-Q3", "2025-10-05",
		    "USD259,PO-7,INV-7,2025-09-01,1000,950\n");
	fx_expect("blockers",
		  period_blockers(fx->db, fx_quarter("2025-Q3"), fx_date("2025-10-06"), &b, &e), &e,
		  CL_OK, NULL);
	for (i = 0; i < b.n; i++) {
		if (b.item[i].kind != PB_OVERCHARGE)
			continue;
		found++;
		assert_string_equal(b.item[i].contract, "KS-D");
		assert_int_equal(b.item[i].amount, 5000);
		assert_int_equal(b.item[i].lines, 1);
		assert_string_equal(
			period_blocker_text(&b.item[i], fx_quarter("2025-Q3"), text, sizeof text),
			"KS-D: 1 line overcharged in 2025-Q3, $50.00 in all");
	}
	assert_int_equal(found, 1);
	period_blockers_free(&b);
}

static void test_period_list_every_quarter(void **state)
{
	Fixture *fx = *state;
	PeriodRow *rows = NULL;
	char qt[QUARTER_BUF];
	int n = 0;
	Err e = {0};

	fx_expect("close", period_close(fx->db, fx_quarter("2025-Q4"), FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	fx_expect("list", period_list(fx->db, fx_date("2026-05-10"), &rows, &n, &e), &e, CL_OK,
		  NULL);
	/* 2025-Q3 (the first contract start) .. 2026-Q2 (today), newest first */
	assert_int_equal(n, 4);
	assert_string_equal(quarter_format(rows[0].q, qt), "2026-Q2");
	assert_int_equal(rows[0].ended, 0);
	assert_int_equal(rows[0].closed, 0);
	assert_string_equal(quarter_format(rows[2].q, qt), "2025-Q4");
	assert_int_equal(rows[2].closed, 1);
	assert_int_equal(rows[2].ended, 1);
	assert_string_equal(rows[2].changed_by, FX_ACTOR);
	assert_string_equal(quarter_format(rows[3].q, qt), "2025-Q3");
	assert_int_equal(rows[3].closed, 0);
	free(rows);
}

/* A report uploaded while its quarter runs queues no statement notice
 * until the quarter has ended. */
static void test_no_statement_for_open_quarter(void **state)
{
	Fixture *fx = *state;
	int added = -1;

	assert_int_equal(
		fx_sql(fx->db,
		       "INSERT INTO vendor_contact (vendor_id, name, email) SELECT id, 'Pat', "
		       "'ar@prairie.example' FROM vendor;"
		       "INSERT INTO agency_contact (agency_id, name, email) SELECT id, 'Lee', "
		       "lower(code) || '@buyers.example' FROM agency"),
		SQLITE_OK);
	file_report(fx->db, "KS-1", "2025-Q4", "2025-11-20",
		    "USD233,PO-2,INV-2,2025-11-03,500,200\n");
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-11-20"), NOW, &added, NULL), CL_OK);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE kind IN "
					"('statement_ready', 'fee_statement')"),
			 0);
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-12-31"), NOW, &added, NULL), CL_OK);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE kind IN "
					"('statement_ready', 'fee_statement')"),
			 0);
	/* once it has ended (more than 45 days after the upload) they go */
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2026-01-10"), NOW, &added, NULL), CL_OK);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE kind = "
					"'statement_ready' AND period = '2025-Q4' AND recipient = "
					"'usd233@buyers.example'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE kind = "
					"'fee_statement' AND period = '2025-Q4'"),
			 1);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WORLD_TEST(test_not_ended_is_refused),
		WORLD_TEST(test_blockers_need_confirmation),
		WORLD_TEST(test_overcharges_are_blockers),
		WORLD_TEST(test_period_list_every_quarter),
		WORLD_TEST(test_no_statement_for_open_quarter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
