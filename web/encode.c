/* encode.c — JSON of the typed reports; see encode.h. */
#include "encode.h"

#include <stdio.h>
#include <string.h>

void encode_money(cJSON *o, const char *key, Money m, EncMode mode)
{
	char buf[MONEY_BUF], name[64];

	cJSON_AddStringToObject(o, key, money_format(m, buf));
	if (mode != ENC_PAGE)
		return;
	snprintf(name, sizeof name, "%s_h", key);
	cJSON_AddStringToObject(o, name, money_format_human(m, buf));
	if (m < 0) {
		snprintf(name, sizeof name, "%s_negative", key);
		cJSON_AddTrueToObject(o, name);
	}
}

/* The rows' money columns are named by money (NULL-terminated). */
static int is_money(const char *const *money, const char *col)
{
	for (; money && *money; money++)
		if (strcmp(*money, col) == 0)
			return 1;
	return 0;
}

cJSON *encode_rowset(const RowSet *rs, const char *const *money, EncMode mode)
{
	cJSON *arr = cJSON_CreateArray();
	int r, c;

	for (r = 0; arr && r < rs->nrow; r++) {
		cJSON *o = cJSON_CreateObject();

		for (c = 0; o && c < rs->ncol; c++) {
			const Cell *x = rowset_cell(rs, r, c);

			if (x->type == CELL_NULL)
				cJSON_AddNullToObject(o, rs->col[c]);
			else if (x->type == CELL_TEXT)
				cJSON_AddStringToObject(o, rs->col[c], x->s);
			else if (is_money(money, rs->col[c]))
				encode_money(o, rs->col[c], x->i, mode);
			else
				cJSON_AddNumberToObject(o, rs->col[c], (double)x->i);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void add_date(cJSON *o, const char *key, Date d)
{
	char buf[DATE_BUF];

	cJSON_AddStringToObject(o, key, date_format(d, buf));
}

static cJSON *line_json(const SummaryLine *l, EncMode mode)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)l->id);
	cJSON_AddStringToObject(o, "invoice_date", l->invoice_date);
	cJSON_AddStringToObject(o, "po_number", l->po_number);
	cJSON_AddStringToObject(o, "invoice_number", l->invoice_number);
	cJSON_AddNumberToObject(o, "line", l->line);
	cJSON_AddStringToObject(o, "description", l->description);
	encode_money(o, "list_amount", l->list_amount, mode);
	encode_money(o, "invoiced_amount", l->invoiced_amount, mode);
	encode_money(o, "savings", l->savings, mode);
	return o;
}

/* The agency's rebate share, or JSON null. */
static cJSON *rebate_json(const SummaryRebate *r, EncMode mode)
{
	char rate[MONEY_BUF];
	cJSON *o, *next;

	if (!r->present)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "year", r->year);
	cJSON_AddStringToObject(o, "status", r->final ? "final" : "projected");
	encode_money(o, "rebate", r->rebate, mode);
	encode_money(o, "contract_base", r->contract_base, mode);
	cJSON_AddStringToObject(o, "rate", rate_format(r->rate, rate));
	if (!r->next_tier.present) {
		cJSON_AddNullToObject(o, "next_tier");
		return o;
	}
	next = cJSON_AddObjectToObject(o, "next_tier");
	encode_money(next, "from", r->next_tier.from, mode);
	cJSON_AddStringToObject(next, "rate", rate_format(r->next_tier.rate, rate));
	encode_money(next, "remaining", r->next_tier.remaining, mode);
	return o;
}

static cJSON *contract_json(const SummaryContract *c, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *lines;
	char pct[24];
	int i;

	cJSON_AddStringToObject(o, "contract", c->contract);
	cJSON_AddStringToObject(o, "title", c->title);
	cJSON_AddStringToObject(o, "joined", c->joined);
	lines = cJSON_AddArrayToObject(o, "lines");
	for (i = 0; i < c->nline; i++)
		cJSON_AddItemToArray(lines, line_json(&c->lines[i], mode));
	encode_money(o, "list_total", c->list_total, mode);
	encode_money(o, "paid_total", c->paid_total, mode);
	encode_money(o, "savings", c->savings, mode);
	cJSON_AddStringToObject(o, "savings_pct",
				summary_percent(c->savings, c->list_total, pct, sizeof pct));
	cJSON_AddItemToObject(o, "rebate", rebate_json(&c->rebate, mode));
	return o;
}

cJSON *encode_summary_agency(const SummaryAgency *s, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	int i;

	cJSON_AddStringToObject(o, "agency", s->agency);
	cJSON_AddStringToObject(o, "name", s->name);
	add_date(o, "as_of", s->as_of);
	arr = cJSON_AddArrayToObject(o, "contracts");
	for (i = 0; i < s->ncontract; i++)
		cJSON_AddItemToArray(arr, contract_json(&s->contracts[i], mode));
	return o;
}

static void figures_json(cJSON *o, const SummaryFigures *f, EncMode mode)
{
	encode_money(o, "net_sales", f->net_sales, mode);
	encode_money(o, "fee", f->fee, mode);
	encode_money(o, "late_fee", f->late_fee, mode);
	encode_money(o, "remitted", f->remitted, mode);
	encode_money(o, "outstanding", f->outstanding, mode);
	encode_money(o, "overdue", f->overdue, mode);
	encode_money(o, "credits", f->credits, mode);
}

static cJSON *quarter_json(const SummaryRevenue *s, const SummaryRevenueQuarter *x, EncMode mode)
{
	const SummaryRevenueContract *c = &s->contracts[x->contract];
	const FeeQuarter *f = &x->f;
	char qt[QUARTER_BUF];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "quarter", quarter_format(f->q, qt));
	cJSON_AddStringToObject(o, "contract", c->contract);
	cJSON_AddStringToObject(o, "vendor", c->vendor);
	encode_money(o, "net_sales", f->net_sales, mode);
	encode_money(o, "fee", f->fee, mode);
	encode_money(o, "late_fee", f->late_fee, mode);
	encode_money(o, "remitted", f->remitted, mode);
	encode_money(o, "balance", f->balance, mode);
	add_date(o, "due_date", f->due);
	cJSON_AddStringToObject(o, "status", fee_status_name(f->status));
	cJSON_AddStringToObject(o, "report", report_status_name(f->report));
	cJSON_AddNumberToObject(o, "days_past_due", f->days_past_due);
	return o;
}

static cJSON *missing_json(const SummaryRevenue *s, const SummaryMissing *m)
{
	const SummaryRevenueContract *c = &s->contracts[m->contract];
	char qt[QUARTER_BUF];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "contract", c->contract);
	cJSON_AddStringToObject(o, "vendor", c->vendor);
	cJSON_AddStringToObject(o, "quarter", quarter_format(m->q, qt));
	add_date(o, "due_date", m->due);
	cJSON_AddNumberToObject(o, "days_past_due", m->days_past_due);
	return o;
}

cJSON *encode_summary_revenue(const SummaryRevenue *s, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;
	int i;

	add_date(o, "as_of", s->as_of);
	if (s->year)
		cJSON_AddNumberToObject(o, "year", s->year);
	else
		cJSON_AddNullToObject(o, "year");
	arr = cJSON_AddArrayToObject(o, "contracts");
	for (i = 0; i < s->ncontract; i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "contract", s->contracts[i].contract);
		cJSON_AddStringToObject(x, "vendor", s->contracts[i].vendor);
		figures_json(x, &s->contracts[i].f, mode);
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(o, "quarters");
	for (i = 0; i < s->nquarter; i++)
		cJSON_AddItemToArray(arr, quarter_json(s, &s->quarters[i], mode));
	arr = cJSON_AddArrayToObject(o, "missing_reports");
	for (i = 0; i < s->nmissing; i++)
		cJSON_AddItemToArray(arr, missing_json(s, &s->missing[i]));
	x = cJSON_AddObjectToObject(o, "aging");
	for (i = 0; i < SUMMARY_AGING; i++)
		encode_money(x, summary_aging_name(i), s->aging[i], mode);
	figures_json(cJSON_AddObjectToObject(o, "totals"), &s->totals, mode);
	return o;
}

cJSON *encode_agency_report(sqlite3 *db, const char *agency, const char *contract,
			    const Quarter *period, Date today, const char *actor, EncMode mode,
			    Err *e)
{
	SummaryAgency s;
	cJSON *o = NULL;

	if (!summary_agency(db, agency, contract, period, today, actor, &s, e))
		o = encode_summary_agency(&s, mode);
	summary_agency_free(&s);
	return o;
}

cJSON *encode_revenue_report(sqlite3 *db, int year, Date today, EncMode mode, Err *e)
{
	SummaryRevenue s;
	cJSON *o = NULL;

	if (!summary_revenue(db, year, today, &s, e))
		o = encode_summary_revenue(&s, mode);
	summary_revenue_free(&s);
	return o;
}
