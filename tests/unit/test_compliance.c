/*
 * test_compliance.c — discount compliance kept order by order
 * (DOMAIN.md 4.2 and 4.6): the order totals written with every ledger
 * line, the results stored for untouched orders, and both against a
 * recomputation from the lines after appends, imports, reversals of lines
 * and batches and amendments of the terms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "compliance.h"
#include "contract.h"
#include "fixture.h"
#include "import.h"
#include "ledger.h"

/* KS-C: 60% off list, 63% from $300.00 of an order's list; $1.00 of
 * tolerance.  USD259 leads it; USD233 joined on 2025-10-01. */
static const char terms_doc[] =
	"{\"number\":\"KS-C\",\"title\":\"Classroom furniture\",\"category\":\"furniture\","
	"\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\",\"start\":\"2025-07-01\","
	"\"end\":\"2027-06-30\",\"solicitation\":\"RFP 25-0147\","
	"\"fee\":{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]},"
	"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"60%\"},"
	"{\"from\":\"300\",\"rate\":\"63%\"}]},\"price_tolerance\":\"1.00\"}";

static int64_t world_kc(Fixture *fx)
{
	int64_t id = 0;
	Err e = {0};

	fx_expect("KS-C", contract_import(fx->db, terms_doc, strlen(terms_doc), FX_ACTOR, &id, &e),
		  &e, CL_OK, NULL);
	fx_participant(fx->db, "KS-C", "USD233", "2025-10-01");
	return id;
}

/* A line of KS-C. */
static int64_t put(Fixture *fx, int64_t c, const char *agency, const char *po, const char *inv,
		   const char *day, Money list, Money invoiced)
{
	PurchaseIn p = fx_line(c, inv, day, invoiced);

	p.agency_code = agency;
	p.po_number = po;
	p.list_amount = list;
	return fx_append_ok(fx->db, &p);
}

/* The incremental report must equal the recomputation, field by field. */
static void same_report(Fixture *fx, const char *label, const Quarter *q, const char *agency)
{
	ComplianceReport a, b;
	Err e = {0};
	int i;

	fx_expect(label, compliance_report(fx->db, "KS-C", q, agency, &a, &e), &e, CL_OK, NULL);
	fx_expect(label, compliance_recompute(fx->db, "KS-C", q, agency, &b, &e), &e, CL_OK, NULL);
	if (a.nline != b.nline || a.total_overcharge != b.total_overcharge ||
	    a.nline_all != b.nline_all || a.nquarter != b.nquarter || a.nagency != b.nagency)
		fail_msg("%s: stored %d lines, %lld; recomputed %d lines, %lld", label, a.nline,
			 (long long)a.total_overcharge, b.nline, (long long)b.total_overcharge);
	for (i = 0; i < a.nline; i++) {
		const ComplianceLine *x = &a.line[i], *y = &b.line[i];

		if (strcmp(x->invoice_number, y->invoice_number) || x->line != y->line ||
		    strcmp(x->agency, y->agency) || strcmp(x->po_number, y->po_number) ||
		    strcmp(x->invoice_date, y->invoice_date) || x->list_amount != y->list_amount ||
		    x->rate != y->rate || x->expected != y->expected ||
		    x->invoiced_amount != y->invoiced_amount || x->overcharge != y->overcharge)
			fail_msg("%s: line %d differs: stored %s/%d %lld, recomputed %s/%d %lld",
				 label, i, x->invoice_number, x->line, (long long)x->overcharge,
				 y->invoice_number, y->line, (long long)y->overcharge);
	}
	for (i = 0; i < a.nquarter; i++)
		if (strcmp(a.by_quarter[i].key, b.by_quarter[i].key) ||
		    a.by_quarter[i].lines != b.by_quarter[i].lines ||
		    a.by_quarter[i].overcharge != b.by_quarter[i].overcharge)
			fail_msg("%s: quarter %s differs", label, a.by_quarter[i].key);
	for (i = 0; i < a.nagency; i++)
		if (strcmp(a.by_agency[i].key, b.by_agency[i].key) ||
		    a.by_agency[i].lines != b.by_agency[i].lines ||
		    a.by_agency[i].overcharge != b.by_agency[i].overcharge)
			fail_msg("%s: agency %s differs", label, a.by_agency[i].key);
	compliance_report_free(&a);
	compliance_report_free(&b);
}

/* Every view of the report, and verify. */
static void check_all(Fixture *fx, const char *label)
{
	Quarter q4 = fx_quarter("2025-Q4");
	int64_t orders = -1;
	Err e = {0};

	fx_expect(label, compliance_verify(fx->db, &orders, &e), &e, CL_OK, NULL);
	same_report(fx, label, NULL, NULL);
	same_report(fx, label, &q4, NULL);
	same_report(fx, label, NULL, "USD233");
	assert_int_equal(
		fx_int(fx->db, "SELECT count(*) FROM purchase_order WHERE touched = 1 "
			       "AND contract_id = (SELECT id FROM contract WHERE number = 'KS-C')"),
		0);
}

/* Figures worked out by hand (DOMAIN.md 4.2). */
static void test_figures(void **state)
{
	Fixture *fx = *state;
	static const char doc[] = "{\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"65%\"}]}}";
	int64_t c = world_kc(fx), l2;
	ComplianceReport r;
	Err e = {0};

	/* PO-A: list 200.00 + 150.00 = 350.00 reaches 63%.  Expected 74.00
	 * and 55.50; invoiced 80.00 and 60.00; less 1.00 of tolerance: 5.00
	 * and 3.50 overcharged. */
	put(fx, c, "USD259", "PO-A", "A-1", "2025-08-04", 20000, 8000);
	l2 = put(fx, c, "USD259", "PO-A", "A-2", "2025-08-20", 15000, 6000);
	fx_expect("report", compliance_report(fx->db, "KS-C", NULL, NULL, &r, &e), &e, CL_OK, NULL);
	assert_int_equal(r.nline, 2);
	assert_int_equal(r.line[0].expected, 7400);
	assert_int_equal(r.line[0].overcharge, 500);
	assert_int_equal(r.line[1].expected, 5550);
	assert_int_equal(r.line[1].overcharge, 350);
	assert_int_equal(r.line[0].rate, 630000);
	assert_int_equal(r.total_overcharge, 850);
	compliance_report_free(&r);
	assert_int_equal(fx_int(fx->db,
				"SELECT lines || ' ' || list_total || ' ' || invoiced_total "
				"|| ' ' || first_date = '2 35000 14000 2025-08-04' FROM "
				"purchase_order WHERE po_number = 'PO-A'"),
			 1);
	/* without its second line the order is 200.00 of list: 60%, expected
	 * 80.00, nothing overcharged */
	fx_expect("reverse", ledger_reverse_line(fx->db, l2, "billed twice", FX_ACTOR, NULL, &e),
		  &e, CL_OK, NULL);
	fx_expect("report", compliance_report(fx->db, "KS-C", NULL, NULL, &r, &e), &e, CL_OK, NULL);
	assert_int_equal(r.nline, 0);
	assert_int_equal(r.total_overcharge, 0);
	compliance_report_free(&r);
	/* 65% off from 2025-09-01: PO-A, first invoiced before, keeps 60% */
	fx_expect("amend",
		  contract_amend(fx->db, "KS-C", fx_date("2025-09-01"), "Amendment 1", doc,
				 strlen(doc), FX_ACTOR, NULL, &e),
		  &e, CL_OK, NULL);
	/* PO-B starts after the amendment: 65% off 100.00 is 35.00 expected;
	 * 40.00 invoiced less 1.00 is 4.00 over */
	put(fx, c, "USD259", "PO-B", "B-1", "2025-09-02", 10000, 4000);
	fx_expect("report", compliance_report(fx->db, "KS-C", NULL, NULL, &r, &e), &e, CL_OK, NULL);
	assert_int_equal(r.nline, 1);
	assert_int_equal(r.line[0].rate, 650000);
	assert_int_equal(r.line[0].overcharge, 400);
	compliance_report_free(&r);
	check_all(fx, "hand figures");
}

/* verify names an order whose stored totals were changed behind the
 * ledger's back, and a report then still reads the lines' figures. */
static void test_verify_names_order(void **state)
{
	Fixture *fx = *state;
	int64_t c = world_kc(fx);
	Err e = {0};

	put(fx, c, "USD259", "PO-Z", "Z-1", "2025-08-04", 20000, 9000);
	fx_expect("clean", ledger_verify(fx->db, NULL, NULL, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_sql(fx->db, "UPDATE purchase_order SET list_total = list_total + 1"),
			 0);
	fx_expect("list", compliance_verify(fx->db, NULL, &e), &e, CL_ERULE,
		  "contract KS-C, agency USD259, PO PO-Z differ");
	fx_expect("verify", ledger_verify(fx->db, NULL, NULL, &e), &e, CL_ERULE, "PO PO-Z");
	assert_int_equal(fx_sql(fx->db, "UPDATE purchase_order SET list_total = list_total - 1, "
					"first_date = '2025-08-05'"),
			 0);
	fx_expect("first", compliance_verify(fx->db, NULL, &e), &e, CL_ERULE,
		  "first invoice 2025-08-05; from the lines 1 lines, list 200.00, invoiced 90.00, "
		  "freight 15.00, first invoice 2025-08-04");
	/* the freight kept for the completeness audit (fx_line: 15.00) */
	assert_int_equal(fx_sql(fx->db, "UPDATE purchase_order SET first_date = '2025-08-04', "
					"freight_total = freight_total + 1"),
			 0);
	fx_expect("freight", compliance_verify(fx->db, NULL, &e), &e, CL_ERULE,
		  "stored 1 lines, list 200.00, invoiced 90.00, freight 15.01, first invoice "
		  "2025-08-04; from the lines 1 lines, list 200.00, invoiced 90.00, freight 15.00");
	assert_int_equal(fx_sql(fx->db, "DELETE FROM purchase_order"), 0);
	fx_expect("missing", compliance_verify(fx->db, NULL, &e), &e, CL_ERULE, "stored none");
}

/* A refused line leaves the order totals as they were. */
static void test_refused_line_keeps_totals(void **state)
{
	Fixture *fx = *state;
	int64_t c = world_kc(fx);
	PurchaseIn p = fx_line(c, "R-1", "2025-08-04", 9000);
	LedgerOutcome out;
	Err e = {0};

	put(fx, c, "USD233", "PO-R", "R-0", "2025-10-04", 20000, 9000);
	p.agency_code = "USD233";
	p.po_number = "PO-R";
	/* USD233 joined on 2025-10-01 */
	fx_expect("refused", fx_append(fx->db, &p, &out, NULL, &e), &e, CL_ERULE, "joined");
	assert_int_equal(fx_int(fx->db, "SELECT lines || ' ' || list_total || ' ' || first_date = "
					"'1 20000 2025-10-04' FROM purchase_order"),
			 1);
	check_all(fx, "refused");
}

/* ---- the property: random steps, each checked against the lines ------- */

static uint64_t seed = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

/* A random day from 2025-10-01 (both agencies may buy) to 2026-06-30. */
static void rnd_day(char *buf)
{
	Date d = fx_date("2025-10-01") + (Date)rnd(273);

	date_format(d, buf);
}

/* What a line is invoiced: the contract price at 60% or 63% off, now and
 * then more, now and then a credit. */
static void rnd_amounts(Money *list, Money *invoiced)
{
	Money l = 500 + (Money)rnd(30000);
	Rate rate = rnd(2) ? 600000 : 630000;

	*list = rnd(12) == 0 ? -l : l;
	*invoiced = *list - money_apply_rate(*list, rate) + (rnd(3) == 0 ? (Money)rnd(900) : 0);
}

static void step_append(Fixture *fx, int64_t c, int k)
{
	char inv[32], po[16], day[DATE_BUF];
	Money list, invoiced;

	snprintf(inv, sizeof inv, "P-%d", k);
	snprintf(po, sizeof po, "PO-%u", rnd(8));
	rnd_day(day);
	rnd_amounts(&list, &invoiced);
	put(fx, c, rnd(2) ? "USD259" : "USD233", po, inv, day, list, invoiced);
}

/* A batch of two to four lines in one quarter, imported. */
static void step_import(Fixture *fx, int k)
{
	static const char *const quarters[] = {"2025-11-", "2026-02-", "2026-05-"};
	const char *month = quarters[rnd(3)];
	char csv[2048], list[MONEY_BUF], inv[MONEY_BUF];
	ImportOptions o = {.contract = "KS-C", .file_name = "q.csv", .actor = FX_ACTOR};
	ImportStatus st = IMPORT_REFUSED;
	ImportResult result;
	int n = 2 + (int)rnd(3), i, used;
	Money l, v;
	FILE *f;
	Err e = {0};

	o.today = fx_date("2026-07-10");
	used = snprintf(csv, sizeof csv,
			"agency_code,po_number,invoice_number,invoice_date,"
			"list_amount,invoiced_amount\n");
	for (i = 0; i < n; i++) {
		rnd_amounts(&l, &v);
		used += snprintf(csv + used, sizeof csv - (size_t)used,
				 "%s,PO-%u,I-%d-%d,%s%02u,%s,%s\n", rnd(2) ? "USD259" : "USD233",
				 rnd(8), k, i, month, 1 + rnd(28), money_format(l, list),
				 money_format(v, inv));
	}
	f = fmemopen(csv, (size_t)used, "r");
	assert_non_null(f);
	fx_expect("import", import_csv(fx->db, f, &o, &result, &st, &e), &e, CL_OK, NULL);
	fclose(f);
	import_result_free(&result);
	if (st != IMPORT_WRITTEN)
		fail_msg("import of\n%s\nnot written (%d)", csv, (int)st);
}

static void step_reverse_line(Fixture *fx)
{
	int64_t n = fx_int(fx->db, "SELECT count(*) FROM live_purchase"), id;
	char sql[160];
	Err e = {0};

	if (n == 0)
		return;
	snprintf(sql, sizeof sql, "SELECT id FROM live_purchase ORDER BY id LIMIT 1 OFFSET %u",
		 rnd((unsigned)n));
	id = fx_int(fx->db, sql);
	fx_expect("reverse", ledger_reverse_line(fx->db, id, "wrong price", FX_ACTOR, NULL, &e), &e,
		  CL_OK, NULL);
}

static void step_reverse_batch(Fixture *fx)
{
	int64_t b = fx_int(fx->db, "SELECT coalesce(max(b.id), 0) FROM import_batch b "
				   "WHERE b.reversed_at IS NULL AND EXISTS (SELECT 1 FROM "
				   "live_purchase p WHERE p.batch_id = b.id)");
	int count = 0;
	Err e = {0};

	if (b == 0)
		return;
	fx_expect("reverse batch",
		  ledger_reverse_batch(fx->db, b, "wrong file", FX_ACTOR, &count, &e), &e, CL_OK,
		  NULL);
}

/* Amendments of the discounts or the tolerance, each later than the last. */
static void step_amend(Fixture *fx, int *amended)
{
	static const struct {
		const char *effective, *doc;
	} steps[] = {
		{"2025-12-01", "{\"price_tolerance\":\"0\"}"},
		{"2026-01-15", "{\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"61%\"},"
			       "{\"from\":\"200\",\"rate\":\"64%\"}]}}"},
		{"2026-03-01", "{\"price_tolerance\":\"2.50\"}"},
		{"2026-05-01", "{\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"60%\"}]}}"},
	};
	Err e = {0};

	if (*amended >= (int)N_ELEMS(steps))
		return;
	fx_expect(steps[*amended].effective,
		  contract_amend(fx->db, "KS-C", fx_date(steps[*amended].effective), "Amendment",
				 steps[*amended].doc, strlen(steps[*amended].doc), FX_ACTOR, NULL,
				 &e),
		  &e, CL_OK, NULL);
	(*amended)++;
}

static void test_random_steps(void **state)
{
	Fixture *fx = *state;
	int64_t c = world_kc(fx);
	int k, amended = 0;
	char label[64];

	for (k = 0; k < 160; k++) {
		unsigned what = rnd(20);

		if (what < 9)
			step_append(fx, c, k);
		else if (what < 13)
			step_import(fx, k);
		else if (what < 16)
			step_reverse_line(fx);
		else if (what < 18)
			step_reverse_batch(fx);
		else
			step_amend(fx, &amended);
		/* the report runs after some steps only: several steps' touches
		 * then meet in one run */
		if (rnd(3) == 0 || k == 159) {
			snprintf(label, sizeof label, "step %d", k);
			check_all(fx, label);
		}
	}
	assert_int_equal(amended, 4);
	assert_true(fx_int(fx->db, "SELECT count(*) FROM compliance_line") > 5);
	assert_true(fx_int(fx->db, "SELECT count(*) FROM purchase WHERE reverses_id IS NOT NULL") >
		    5);
}

/* Many touched orders at once (an import's worth) are recomputed in one
 * pass over the contract; the figures are the same. */
static void test_many_orders(void **state)
{
	Fixture *fx = *state;
	int64_t c = world_kc(fx);
	char inv[32], po[16], day[DATE_BUF];
	LedgerOutcome out;
	Ledger *l = NULL;
	Money list, invoiced;
	Err e = {0};
	int k;

	assert_int_equal(db_begin(fx->db, &e), CL_OK);
	fx_expect("open", ledger_open(fx->db, FX_ACTOR, &l, &e), &e, CL_OK, NULL);
	for (k = 0; k < 3000; k++) {
		PurchaseIn p;

		snprintf(inv, sizeof inv, "M-%d", k);
		snprintf(po, sizeof po, "PO-M%u", rnd(2600));
		rnd_day(day);
		rnd_amounts(&list, &invoiced);
		p = fx_line(c, inv, day, invoiced);
		p.agency_code = rnd(2) ? "USD259" : "USD233";
		p.po_number = po;
		p.list_amount = list;
		fx_expect(inv, ledger_append(l, &p, &out, NULL, &e), &e, CL_OK, NULL);
	}
	fx_expect("flush", ledger_flush(l, &e), &e, CL_OK, NULL);
	ledger_close(l);
	assert_int_equal(db_commit(fx->db, &e), CL_OK);
	assert_true(fx_int(fx->db, "SELECT count(*) FROM purchase_order WHERE touched = 1") > 2048);
	check_all(fx, "one pass");
	assert_true(fx_int(fx->db, "SELECT count(*) FROM compliance_line") > 100);
	step_append(fx, c, 90001);
	step_reverse_line(fx);
	check_all(fx, "order by order after the pass");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_figures, fx_world_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_verify_names_order, fx_world_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused_line_keeps_totals, fx_world_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_random_steps, fx_world_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_many_orders, fx_world_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
