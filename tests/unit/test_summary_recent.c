/*
 * test_summary_recent.c — the member portal's card of a contract
 * (summary_agency_recent: the newest lines, with totals, line count and
 * quarters from the kept net sales) against the full `report agency`
 * (summary_agency: every line, totals added up from them), for an agency
 * with more lines than the card keeps, one of them reversed.
 */
#include "fixture.h"
#include "summary.h"

#define LINES 40
#define KEEP  25

/* LINES lines of USD259 on KS-1, one a week from 2025-07-07, invoiced
 * 10,000 + 100 k cents each, and line 13 reversed. */
static void many_lines(Fixture *fx)
{
	char inv[LINES][16], day[DATE_BUF];
	int64_t id13 = 0;
	Err e = {0};
	int k;

	for (k = 0; k < LINES; k++) {
		PurchaseIn p;
		int64_t id;

		snprintf(inv[k], sizeof inv[k], "INV-%02d", k + 1);
		date_format(fx_date("2025-07-07") + 7 * k, day);
		p = fx_line(fx->ks1, inv[k], day, 10000 + 100 * k);
		id = fx_append_ok(fx->db, &p);
		if (k + 1 == 13)
			id13 = id;
	}
	fx_expect("reverse line 13",
		  ledger_reverse_line(fx->db, id13, "entered twice", FX_ACTOR, NULL, &e), &e, CL_OK,
		  NULL);
}

/* The KS-1 contract of s. */
static const SummaryContract *ks1_of(const SummaryAgency *s)
{
	int i;

	for (i = 0; i < s->ncontract; i++)
		if (strcmp(s->contracts[i].contract, "KS-1") == 0)
			return &s->contracts[i];
	fail_msg("no KS-1 in the summary");
	return NULL;
}

static void test_card_is_the_newest_lines_of_the_full_report(void **state)
{
	Fixture *fx = *state;
	SummaryAgency full = {0}, card = {0};
	const SummaryContract *f, *c;
	Date today = fx_date("2026-05-01");
	Err e = {0};
	int i;

	many_lines(fx);
	fx_expect("full", summary_agency(fx->db, "USD259", NULL, NULL, today, FX_ACTOR, &full, &e),
		  &e, CL_OK, NULL);
	fx_expect("card", summary_agency_recent(fx->db, "USD259", KEEP, today, FX_ACTOR, &card, &e),
		  &e, CL_OK, NULL);
	f = ks1_of(&full);
	c = ks1_of(&card);

	/* worked by hand: 40 lines, line 13 (invoiced 10,000 + 1,200) reversed:
	 * 39 live; invoiced 40 x 10,000 + 100 x (0 + ... + 39) - 11,200
	 * = 400,000 + 78,000 - 11,200 = 466,800; list 39 x 20,000 = 780,000 */
	assert_int_equal(f->nline, LINES - 1);
	assert_int_equal(f->paid_total, 466800);
	assert_int_equal(f->list_total, 780000);
	assert_int_equal(f->savings, 780000 - 466800);

	assert_int_equal(c->nline, KEEP);
	assert_int_equal(c->line_count, LINES - 1);
	assert_int_equal(c->paid_total, f->paid_total);
	assert_int_equal(c->list_total, f->list_total);
	assert_int_equal(c->savings, f->savings);
	/* weekly from 2025-07-07 to 2026-04-06: 2025-Q3 to 2026-Q2 */
	assert_int_equal(c->nquarter, 4);
	assert_int_equal(quarter_cmp(c->quarters[0], fx_quarter("2025-Q3")), 0);
	assert_int_equal(quarter_cmp(c->quarters[1], fx_quarter("2025-Q4")), 0);
	assert_int_equal(quarter_cmp(c->quarters[2], fx_quarter("2026-Q1")), 0);
	assert_int_equal(quarter_cmp(c->quarters[3], fx_quarter("2026-Q2")), 0);
	/* the card's lines are the full report's last KEEP, in its order */
	for (i = 0; i < KEEP; i++) {
		const SummaryLine *a = &c->lines[i], *b = &f->lines[f->nline - KEEP + i];

		assert_int_equal(a->id, b->id);
		assert_string_equal(a->invoice_number, b->invoice_number);
		assert_string_equal(a->invoice_date, b->invoice_date);
		assert_int_equal(a->invoiced_amount, b->invoiced_amount);
		assert_int_equal(a->savings, b->savings);
	}
	/* the newest line is the 40th, invoiced 10,000 + 3,900 */
	assert_string_equal(c->lines[KEEP - 1].invoice_number, "INV-40");
	assert_int_equal(c->lines[KEEP - 1].invoiced_amount, 13900);
	summary_agency_free(&full);
	summary_agency_free(&card);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_card_is_the_newest_lines_of_the_full_report,
						fx_world_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
