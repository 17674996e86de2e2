/*
 * test_completeness.c — unit tests of core/completeness.c (DOMAIN.md 4.7):
 * the reported amount follows the live ledger (reversals, credits, freight)
 * and only the same agency's PO; pending ends the day after the next
 * quarter's due date; a reversed register batch stops counting.  The
 * figures of every status and signal are in tests/data/money/completeness_*.
 *
 * The standard world (fixture.h): KS-1 runs 2025-07-01 .. 2026-06-30, fee
 * 2%, due_days 45; USD233 joined it on 2025-10-01.
 */
#include "completeness.h"
#include "fixture.h"
#include "register.h"

/* Import the staff register csv into KS-1 (must be written). */
static void register_csv(Fixture *fx, const char *csv)
{
	RegisterOptions o = {.contract = "KS-1", .file_name = "register.csv", .actor = FX_ACTOR};
	FILE *f = fmemopen((void *)(uintptr_t)csv, strlen(csv), "r");
	RegisterResult res;
	ImportStatus st;
	Err e = {0};

	assert_non_null(f);
	fx_expect("register", register_import(fx->db, f, &o, &res, &st, &e), &e, CL_OK, NULL);
	fclose(f);
	assert_int_equal(st, IMPORT_WRITTEN);
	register_result_free(&res);
}

/* The audit of KS-1 as of day (must succeed).  OUT: *r. */
static void audit(Fixture *fx, const char *day, CompletenessReport *r)
{
	Err e = {0};

	fx_expect(day, completeness_report(fx->db, "KS-1", NULL, fx_date(day), r, &e), &e, CL_OK,
		  NULL);
}

/* The PO of agency and po_number in r (asserts it is there). */
static const CompletenessPo *po_of(const CompletenessReport *r, const char *agency, const char *po)
{
	int i;

	for (i = 0; i < r->npo; i++)
		if (strcmp(r->po[i].agency, agency) == 0 && strcmp(r->po[i].po_number, po) == 0)
			return &r->po[i];
	fail_msg("no PO %s of %s", po, agency);
	return NULL;
}

/* A line of USD259's PO-100 with no freight. */
static int64_t line_ok(Fixture *fx, const char *invoice, const char *day, Money invoiced,
		       Money freight)
{
	PurchaseIn p = fx_line(fx->ks1, invoice, day, invoiced);

	p.freight_amount = freight;
	p.list_amount = invoiced > 0 ? invoiced : 0;
	return fx_append_ok(fx->db, &p);
}

static void test_reported_follows_the_ledger(void **state)
{
	Fixture *fx = *state;
	CompletenessReport r;
	int64_t over;
	Err e = {0};

	register_csv(fx, "agency_code,po_number,po_date,amount\n"
			 "USD259,PO-100,2025-08-01,300.00\n"
			 "USD233,PO-100,2025-11-01,400.00\n");
	line_ok(fx, "INV-1", "2025-08-10", 28500, 1500); /* 285.00 + 15.00 freight */
	audit(fx, "2026-03-01", &r);
	assert_int_equal(r.npo, 2);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->reported_amount, 30000);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->status, CS_REPORTED);
	/* another agency's PO of the same number takes none of USD259's lines */
	assert_int_equal(po_of(&r, "USD233", "PO-100")->reported_amount, 0);
	completeness_report_free(&r);

	over = line_ok(fx, "INV-2", "2025-09-10", 10000, 0);
	audit(fx, "2026-03-01", &r);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->status, CS_OVER_REPORTED);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->gap, 0);
	completeness_report_free(&r);

	fx_expect("reverse", ledger_reverse_line(fx->db, over, "billed twice", FX_ACTOR, NULL, &e),
		  &e, CL_OK, NULL);
	line_ok(fx, "INV-3", "2025-12-01", -5000, 0); /* a credit of 50.00 */
	audit(fx, "2026-03-01", &r);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->reported_amount, 25000);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->status, CS_UNDER_REPORTED);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->gap, 5000);
	assert_int_equal(po_of(&r, "USD259", "PO-100")->fee_at_risk, 100); /* 2% */
	completeness_report_free(&r);
}

/* One agency's audit (what a member sees) holds the full audit's POs of
 * that agency, judged alike, no other agency's, and quarters counted over
 * its POs alone. */
static void test_agency_pos_are_the_audits(void **state)
{
	Fixture *fx = *state;
	CompletenessReport all, mine;
	Err e = {0};
	int i, n = 0;

	register_csv(fx, "agency_code,po_number,po_date,amount\n"
			 "USD259,PO-100,2025-08-01,300.00\n"
			 "USD259,PO-200,2025-09-01,80.00\n"
			 "USD233,PO-100,2025-11-01,400.00\n");
	line_ok(fx, "INV-1", "2025-08-10", 20000, 1500); /* 215.00 of 300.00: under */
	audit(fx, "2026-06-01", &all);
	fx_expect("agency",
		  completeness_report_of(fx->db, "KS-1", NULL, "USD259", fx_date("2026-06-01"),
					 &mine, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(mine.npo, 2);
	for (i = 0; i < mine.nsignal; i++) {
		assert_int_equal(mine.signal[i].kind, SIG_MEMBER_SILENT);
		assert_string_equal(mine.signal[i].agency, "USD259");
	}
	/* the same quarters; 2025-Q3 holds both POs, 380.00 registered */
	assert_int_equal(mine.nquarter, all.nquarter);
	assert_int_equal(mine.quarter[0].register_pos, 2);
	assert_int_equal(mine.quarter[0].register_amount, 38000);
	assert_int_equal(mine.quarter[0].gap, 8500 + 8000);
	for (i = 0; i < all.npo; i++) {
		const CompletenessPo *a = &all.po[i], *m;

		if (strcmp(a->agency, "USD259") != 0)
			continue;
		m = po_of(&mine, "USD259", a->po_number);
		assert_int_equal(m->status, a->status);
		assert_int_equal(m->reported_amount, a->reported_amount);
		assert_int_equal(m->gap, a->gap);
		assert_int_equal(m->fee_at_risk, a->fee_at_risk);
		n++;
	}
	assert_int_equal(n, 2);
	/* worked by hand: PO-100 300.00 - 215.00 = 85.00 gap, 2% = 1.70 at risk */
	assert_int_equal(po_of(&mine, "USD259", "PO-100")->status, CS_UNDER_REPORTED);
	assert_int_equal(po_of(&mine, "USD259", "PO-100")->gap, 8500);
	assert_int_equal(po_of(&mine, "USD259", "PO-100")->fee_at_risk, 170);
	assert_int_equal(po_of(&mine, "USD259", "PO-200")->status, CS_UNREPORTED);
	completeness_report_free(&all);
	completeness_report_free(&mine);
	fx_expect("no such agency",
		  completeness_report_of(fx->db, "KS-1", NULL, "NOPE", fx_date("2026-06-01"), &mine,
					 &e),
		  &e, CL_OK, NULL);
	assert_int_equal(mine.npo, 0);
	completeness_report_free(&mine);
}

/* A 2025-Q4 PO is pending through 2026-Q1's due date, 2026-05-15. */
static void test_pending_edge(void **state)
{
	Fixture *fx = *state;
	CompletenessReport r;

	register_csv(fx, "agency_code,po_number,po_date,amount\nUSD233,PO-7,2025-11-01,400.00\n");
	audit(fx, "2026-05-15", &r);
	assert_int_equal(r.npo, 1);
	assert_int_equal(r.po[0].status, CS_PENDING);
	assert_int_equal(r.po[0].gap, 0);
	assert_int_equal(r.po[0].pending_until, fx_date("2026-05-15"));
	completeness_report_free(&r);
	audit(fx, "2026-05-16", &r);
	assert_int_equal(r.po[0].status, CS_UNREPORTED);
	assert_int_equal(r.po[0].gap, 40000);
	assert_int_equal(r.po[0].fee_at_risk, 800);
	/* quarters from 2025-Q3 to 2026-Q2, the PO in 2025-Q4 */
	assert_int_equal(r.nquarter, 4);
	assert_int_equal(r.quarter[1].register_pos, 1);
	assert_int_equal(r.quarter[1].count[CS_UNREPORTED], 1);
	assert_int_equal(r.quarter[1].gap, 40000);
	completeness_report_free(&r);
}

/* A reversed register batch stops counting; a quarter outside the term is
 * refused. */
static void test_reversed_batch_and_period(void **state)
{
	Fixture *fx = *state;
	CompletenessReport r;
	Quarter q = fx_quarter("2026-Q3");
	Err e = {0};

	register_csv(fx, "agency_code,po_number,po_date,amount\nUSD259,PO-9,2025-08-01,90.00\n");
	fx_expect("reverse", register_reverse(fx->db, 1, "wrong file", FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	audit(fx, "2026-03-01", &r);
	assert_int_equal(r.npo, 0);
	completeness_report_free(&r);
	fx_expect("outside", completeness_report(fx->db, "KS-1", &q, fx_date("2026-03-01"), &r, &e),
		  &e, CL_EINPUT, "outside the term");
	completeness_report_free(&r);
	fx_expect("unknown",
		  completeness_report(fx->db, "KS-9", NULL, fx_date("2026-03-01"), &r, &e), &e,
		  CL_ENOTFOUND, NULL);
	completeness_report_free(&r);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WORLD_TEST(test_reported_follows_the_ledger),
		WORLD_TEST(test_agency_pos_are_the_audits),
		WORLD_TEST(test_pending_edge),
		WORLD_TEST(test_reversed_batch_and_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
