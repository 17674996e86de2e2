/*
 * test_listing_totals.c — the purchase ledger's totals (the /purchases
 * page): filtered by contract, agency and dates they come from the kept
 * net sales, and must equal what every matching ledger row adds up to,
 * reversed lines and reversals included; filtered by PO or invoice
 * number they are added up from the rows.
 */
#include "fixture.h"
#include "listing.h"

/* What the rows matching the filter add up to, by plain SQL over the
 * ledger (the filter's pieces written out by hand).  OUT: *t. */
static void by_rows(Fixture *fx, const char *where, PurchaseTotals *t)
{
	char sql[600];
	sqlite3_stmt *st;

	snprintf(
		sql, sizeof sql,
		"SELECT count(*), coalesce(sum(list_amount), 0), coalesce(sum(invoiced_amount), 0) "
		"FROM purchase p WHERE %s",
		where);
	assert_int_equal(sqlite3_prepare_v2(fx->db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	t->lines = sqlite3_column_int64(st, 0);
	t->list_amount = sqlite3_column_int64(st, 1);
	t->invoiced_amount = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
}

static void same(Fixture *fx, const char *label, const PurchaseFilter *f, const char *where)
{
	PurchaseTotals kept, rows;
	Err e = {0};

	fx_expect(label, listing_purchase_totals(fx->db, f, &kept, &e), &e, CL_OK, NULL);
	by_rows(fx, where, &rows);
	if (kept.lines != rows.lines || kept.list_amount != rows.list_amount ||
	    kept.invoiced_amount != rows.invoiced_amount)
		fail_msg("%s: totals %lld lines, %lld, %lld; the rows give %lld lines, %lld, %lld",
			 label, (long long)kept.lines, (long long)kept.list_amount,
			 (long long)kept.invoiced_amount, (long long)rows.lines,
			 (long long)rows.list_amount, (long long)rows.invoiced_amount);
}

static void test_kept_totals_are_the_rows(void **state)
{
	Fixture *fx = *state;
	Quarter q4 = fx_quarter("2025-Q4");
	Date from = fx_date("2025-11-15"), to = fx_date("2026-02-28");
	int64_t ids[12];
	Err e = {0};
	int k;

	for (k = 0; k < 12; k++) {
		char inv[16], day[DATE_BUF];
		PurchaseIn p;

		snprintf(inv, sizeof inv, "INV-%02d", k);
		date_format(fx_date("2025-10-05") + 17 * k, day);
		p = fx_line(fx->ks1, inv, day, 10000 + 250 * k);
		p.agency_code = k % 2 ? "USD259" : "USD233";
		if (k == 5)
			p.invoiced_amount = -3000; /* a credit */
		ids[k] = fx_append_ok(fx->db, &p);
	}
	fx_expect("reverse",
		  ledger_reverse_line(fx->db, ids[3], "billed twice", FX_ACTOR, NULL, &e), &e,
		  CL_OK, NULL);
	fx_expect("reverse",
		  ledger_reverse_line(fx->db, ids[8], "wrong agency", FX_ACTOR, NULL, &e), &e,
		  CL_OK, NULL);

	same(fx, "everything", &(PurchaseFilter){0}, "1");
	same(fx, "a member's own", &(PurchaseFilter){.agency_exact = "USD259"},
	     "agency_id = (SELECT id FROM agency WHERE code = 'USD259')");
	same(fx, "contract words", &(PurchaseFilter){.contract = "KS-"}, "1");
	same(fx, "no such contract", &(PurchaseFilter){.contract = "KS-Z"}, "0");
	same(fx, "agency by name", &(PurchaseFilter){.agency = "Olathe"},
	     "agency_id = (SELECT id FROM agency WHERE code = 'USD233')");
	same(fx, "a quarter", &(PurchaseFilter){.quarter = &q4},
	     "invoice_date BETWEEN '2025-10-01' AND '2025-12-31'");
	same(fx, "dates and agency",
	     &(PurchaseFilter){.from = &from, .to = &to, .agency_exact = "USD233"},
	     "invoice_date BETWEEN '2025-11-15' AND '2026-02-28' "
	     "AND agency_id = (SELECT id FROM agency WHERE code = 'USD233')");
	same(fx, "an invoice number (from the rows)", &(PurchaseFilter){.invoice = "INV-0"},
	     "invoice_number LIKE '%INV-0%'");
	/* worked by hand: 12 lines and 2 reversals are 14 rows */
	{
		PurchaseTotals t;

		fx_expect("all", listing_purchase_totals(fx->db, &(PurchaseFilter){0}, &t, &e), &e,
			  CL_OK, NULL);
		assert_int_equal(t.lines, 14);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kept_totals_are_the_rows, fx_world_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
