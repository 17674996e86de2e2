/*
 * reporttext.c — core's typed reports as plain text, one figure after
 * another, for tests that compare a report before and after something
 * (a failed write, a reversal).  Compiled into each test that uses it by
 * #include, like faultvfs.c; a test need not use every one.
 */
#include <stdio.h>

#include "compliance.h"
#include "fees.h"
#include "rebate.h"

/* The text an open_memstream() wrote into *text, once f is closed.
 * Caller frees. */
static __attribute__((unused)) char *text_close(FILE *f, char *const *text)
{
	assert_int_equal(fclose(f), 0);
	assert_non_null(*text);
	return *text;
}

/* The fee report's figures as text, one line a quarter.  Caller frees. */
static __attribute__((unused)) char *fees_text(const FeesReport *r)
{
	char m[5][MONEY_BUF], qt[QUARTER_BUF], due[DATE_BUF], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	fprintf(f, "%s\n", r->contract);
	for (i = 0; i < r->nquarter; i++) {
		const FeeQuarter *q = &r->quarter[i];

		fprintf(f, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%d\n", quarter_format(q->q, qt),
			money_format(q->net_sales, m[0]), money_format(q->fee, m[1]),
			money_format(q->late_fee, m[2]), money_format(q->remitted, m[3]),
			money_format(q->balance, m[4]), date_format(q->due, due),
			fee_status_name(q->status), report_status_name(q->report),
			q->days_past_due);
	}
	return text_close(f, &text);
}

/* The rebate report's figures, allocations and snapshot as text.  Caller
 * frees. */
static __attribute__((unused)) char *rebate_text(const RebateReport *r)
{
	char m[3][MONEY_BUF], a[DATE_BUF], b[DATE_BUF], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	fprintf(f, "%s|%d|%s|%s|%s|%lld|%s|%s\n", r->contract, r->year, date_format(r->start, a),
		date_format(r->end, b), money_format(r->base, m[0]), (long long)r->rate,
		money_format(r->total, m[1]), r->final ? "final" : "projected");
	if (r->next_tier.present)
		fprintf(f, "next %s|%lld|%s\n", money_format(r->next_tier.from, m[0]),
			(long long)r->next_tier.rate, money_format(r->next_tier.remaining, m[1]));
	for (i = 0; i < r->nshare; i++)
		fprintf(f, "%s|%s|%s\n", r->share[i].agency, money_format(r->share[i].net, m[0]),
			money_format(r->share[i].rebate, m[1]));
	if (r->has_snapshot)
		fprintf(f, "snapshot %s|%s|%s|%s\n", r->snapshot_taken,
			money_format(r->snapshot_base, m[0]), money_format(r->snapshot_total, m[1]),
			money_format(r->true_up, m[2]));
	return text_close(f, &text);
}

/* The compliance report's lines, total and tallies as text.  Caller
 * frees. */
static __attribute__((unused)) char *compliance_text(const ComplianceReport *r)
{
	char m[4][MONEY_BUF], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	fprintf(f, "%s|%s\n", r->contract, money_format(r->total_overcharge, m[0]));
	for (i = 0; i < r->nline; i++) {
		const ComplianceLine *l = &r->line[i];

		fprintf(f, "%s|%d|%s|%s|%s|%lld|%s|%s|%s|%s\n", l->invoice_number, l->line,
			l->agency, l->po_number, money_format(l->list_amount, m[0]),
			(long long)l->rate, money_format(l->expected, m[1]),
			money_format(l->invoiced_amount, m[2]), money_format(l->overcharge, m[3]),
			l->invoice_date);
	}
	for (i = 0; i < r->nquarter; i++)
		fprintf(f, "quarter %s|%d|%s\n", r->by_quarter[i].key, r->by_quarter[i].lines,
			money_format(r->by_quarter[i].overcharge, m[0]));
	for (i = 0; i < r->nagency; i++)
		fprintf(f, "agency %s|%d|%s\n", r->by_agency[i].key, r->by_agency[i].lines,
			money_format(r->by_agency[i].overcharge, m[0]));
	return text_close(f, &text);
}
