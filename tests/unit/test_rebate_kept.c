/*
 * test_rebate_kept.c — a rebate year's shares kept with their connection
 * (core/rebate.c) are never served once the ledger has changed: after a
 * line appended on the same connection, after one appended on another
 * connection, and after the connection is closed and another opened.
 */
#include "fixture.h"
#include "rebate.h"

/* KS-R: KS-1's parties and term with a volume rebate of 1% from $100. */
static const char terms_doc[] =
	"{\"number\":\"KS-R\",\"title\":\"Classroom furniture\",\"category\":\"furniture\","
	"\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\",\"start\":\"2025-07-01\","
	"\"end\":\"2026-06-30\",\"status\":\"active\",\"solicitation\":\"RFP 25-0147\","
	"\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\","
	"\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]},"
	"\"rebates\":{\"year\":\"contract\",\"mode\":\"volume\","
	"\"tiers\":[{\"from\":\"100\",\"rate\":\"1%\"}]}}";

static int64_t kept_world(Fixture *fx)
{
	int64_t id = 0;
	Err e = {0};

	fx_world(fx);
	fx_expect("KS-R", contract_import(fx->db, terms_doc, strlen(terms_doc), FX_ACTOR, &id, &e),
		  &e, CL_OK, NULL);
	return id;
}

/* The contract-wide base of year 1 of KS-R as of 2026-01-15, with db. */
static Money base_of(sqlite3 *db)
{
	RebateReport r;
	Err e = {0};
	Money base;

	fx_expect("rebate report",
		  rebate_report(db, "KS-R", 1, fx_date("2026-01-15"), NULL, FX_ACTOR, &r, &e), &e,
		  CL_OK, NULL);
	base = r.base;
	assert_int_equal(r.nshare, 1);
	assert_string_equal(r.share[0].agency, "USD259");
	assert_int_equal(r.share[0].net, base);
	rebate_report_free(&r);
	return base;
}

static void test_same_connection(void **state)
{
	Fixture fx;
	int64_t cid = kept_world(&fx);
	PurchaseIn a = fx_line(cid, "INV-1", "2025-08-01", 18000);
	PurchaseIn b = fx_line(cid, "INV-2", "2025-09-01", 17000);

	(void)state;
	fx_append_ok(fx.db, &a);
	assert_int_equal(base_of(fx.db), 18000);
	assert_int_equal(base_of(fx.db), 18000); /* kept, the same */
	fx_append_ok(fx.db, &b);
	assert_int_equal(base_of(fx.db), 35000);
	fx_close(&fx);
}

static void test_other_connection(void **state)
{
	Fixture fx;
	int64_t cid = kept_world(&fx);
	PurchaseIn a = fx_line(cid, "INV-1", "2025-08-01", 18000);
	PurchaseIn b = fx_line(cid, "INV-2", "2025-09-01", 17000);
	sqlite3 *other = NULL;
	Err e = {0};

	(void)state;
	fx_append_ok(fx.db, &a);
	assert_int_equal(base_of(fx.db), 18000);
	fx_expect("open", db_open(fx.path, &other, &e), &e, CL_OK, NULL);
	fx_append_ok(other, &b);
	assert_int_equal(base_of(fx.db), 35000);
	assert_int_equal(base_of(other), 35000);
	db_close(other);
	fx_close(&fx);
}

static void test_reopened(void **state)
{
	Fixture fx;
	int64_t cid = kept_world(&fx);
	PurchaseIn a = fx_line(cid, "INV-1", "2025-08-01", 18000);
	PurchaseIn b = fx_line(cid, "INV-2", "2025-09-01", 17000);
	sqlite3 *other = NULL;
	Err e = {0};

	(void)state;
	fx_append_ok(fx.db, &a);
	assert_int_equal(base_of(fx.db), 18000);
	db_close(fx.db);
	fx_expect("open", db_open(fx.path, &other, &e), &e, CL_OK, NULL);
	fx_append_ok(other, &b);
	db_close(other);
	fx_expect("open", db_open(fx.path, &fx.db, &e), &e, CL_OK, NULL);
	assert_int_equal(base_of(fx.db), 35000);
	fx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_connection),
		cmocka_unit_test(test_other_connection),
		cmocka_unit_test(test_reopened),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
