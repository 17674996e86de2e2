/* encode.c — JSON of the typed reports; see encode.h. */
#include "encode.h"

#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* o's "<key>_h" and "<key>_negative" for the money m at key. */
static void money_page_forms(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF], name[64];

	snprintf(name, sizeof name, "%s_h", key);
	cJSON_AddStringToObject(o, name, money_format_human(m, buf));
	if (m < 0) {
		snprintf(name, sizeof name, "%s_negative", key);
		cJSON_AddTrueToObject(o, name);
	}
}

void encode_money(cJSON *o, const char *key, Money m, EncMode mode)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format(m, buf));
	if (mode == ENC_PAGE)
		money_page_forms(o, key, m);
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

static void add_rate(cJSON *o, const char *key, Rate r)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, rate_format(r, buf));
}

cJSON *encode_next_tier(const RebateNext *n, EncMode mode)
{
	cJSON *o;

	if (!n->present)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	encode_money(o, "from", n->from, mode);
	add_rate(o, "rate", n->rate);
	encode_money(o, "remaining", n->remaining, mode);
	return o;
}

/* The agency's rebate share, or JSON null. */
static cJSON *rebate_json(const SummaryRebate *r, EncMode mode)
{
	cJSON *o;

	if (!r->present)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "year", r->year);
	if (mode == ENC_PAGE) {
		char label[96];

		cJSON_AddStringToObject(o, "year_label",
					encode_year_label(r->calendar, r->year, r->start, r->end,
							  label, sizeof label));
	}
	cJSON_AddStringToObject(o, "status", r->final ? "final" : "projected");
	encode_money(o, "rebate", r->rebate, mode);
	encode_money(o, "contract_base", r->contract_base, mode);
	add_rate(o, "rate", r->rate);
	cJSON_AddItemToObject(o, "next_tier", encode_next_tier(&r->next_tier, mode));
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
	cJSON_AddStringToObject(o, "status", c->status ? c->status : "");
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

/* A fee quarter's figures, from "net_sales" to "days_past_due". */
static void fee_quarter_figures(cJSON *o, const FeeQuarter *f, EncMode mode)
{
	encode_money(o, "net_sales", f->net_sales, mode);
	encode_money(o, "fee", f->fee, mode);
	encode_money(o, "late_fee", f->late_fee, mode);
	encode_money(o, "remitted", f->remitted, mode);
	encode_money(o, "balance", f->balance, mode);
	add_date(o, "due_date", f->due);
	cJSON_AddStringToObject(o, "status", fee_status_name(f->status));
	cJSON_AddStringToObject(o, "report", report_status_name(f->report));
	cJSON_AddNumberToObject(o, "days_past_due", f->days_past_due);
	if (mode == ENC_PAGE) { /* the words a page shows beside the names */
		cJSON_AddStringToObject(o, "status_h", fee_status_display(f));
		cJSON_AddStringToObject(o, "report_h", fee_report_display(f));
		cJSON_AddBoolToObject(o, "report_pending",
				      f->status == FQ_OPEN && f->report == FR_MISSING);
		cJSON_AddBoolToObject(o, "needs_attention",
				      f->report == FR_MISSING &&
					      (f->status == FQ_PAID || f->status == FQ_OVERPAID));
	}
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
	fee_quarter_figures(o, f, mode);
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

cJSON *encode_fees(const FeesReport *r, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;
	char qt[QUARTER_BUF];
	int i;

	cJSON_AddStringToObject(o, "contract", r->contract);
	arr = cJSON_AddArrayToObject(o, "quarters");
	for (i = 0; i < r->nquarter; i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "quarter", quarter_format(r->quarter[i].q, qt));
		fee_quarter_figures(x, &r->quarter[i], mode);
		cJSON_AddItemToArray(arr, x);
	}
	return o;
}

static cJSON *shares_json(const RebateShare *s, int n, EncMode mode)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	int i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "agency", s[i].agency);
		encode_money(o, "net", s[i].net, mode);
		encode_money(o, "rebate", s[i].rebate, mode);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *encode_rebates(const RebateReport *r, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *snap;

	cJSON_AddStringToObject(o, "contract", r->contract);
	cJSON_AddNumberToObject(o, "year", r->year);
	add_date(o, "start", r->start);
	add_date(o, "end", r->end);
	encode_money(o, "base", r->base, mode);
	add_rate(o, "rate", r->rate);
	encode_money(o, "total", r->total, mode);
	cJSON_AddStringToObject(o, "status", r->final ? "final" : "projected");
	cJSON_AddItemToObject(o, "next_tier", encode_next_tier(&r->next_tier, mode));
	cJSON_AddItemToObject(o, "allocations", shares_json(r->share, r->nshare, mode));
	if (!r->has_snapshot)
		return o;
	snap = cJSON_AddObjectToObject(o, "snapshot");
	cJSON_AddStringToObject(snap, "taken_on", r->snapshot_taken);
	encode_money(snap, "base", r->snapshot_base, mode);
	encode_money(snap, "total", r->snapshot_total, mode);
	encode_money(o, "true_up", r->true_up, mode);
	return o;
}

static cJSON *compliance_line_json(const ComplianceLine *l, EncMode mode)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "invoice_number", l->invoice_number);
	cJSON_AddNumberToObject(o, "line", l->line);
	cJSON_AddStringToObject(o, "agency", l->agency);
	cJSON_AddStringToObject(o, "po_number", l->po_number);
	encode_money(o, "list_amount", l->list_amount, mode);
	add_rate(o, "rate", l->rate);
	encode_money(o, "expected", l->expected, mode);
	encode_money(o, "invoiced_amount", l->invoiced_amount, mode);
	encode_money(o, "overcharge", l->overcharge, mode);
	cJSON_AddStringToObject(o, "invoice_date", l->invoice_date);
	return o;
}

/* Tallies as [{name: key, "lines", "overcharge"}]. */
static cJSON *tallies_json(const ComplianceTally *t, int n, const char *name, EncMode mode)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	int i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, name, t[i].key);
		cJSON_AddNumberToObject(o, "lines", t[i].lines);
		encode_money(o, "overcharge", t[i].overcharge, mode);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *encode_compliance(const ComplianceReport *r, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	int i;

	cJSON_AddStringToObject(o, "contract", r->contract);
	arr = cJSON_AddArrayToObject(o, "lines");
	for (i = 0; i < r->nline; i++)
		cJSON_AddItemToArray(arr, compliance_line_json(&r->line[i], mode));
	encode_money(o, "total_overcharge", r->total_overcharge, mode);
	cJSON_AddItemToObject(o, "by_quarter",
			      tallies_json(r->by_quarter, r->nquarter, "quarter", mode));
	cJSON_AddItemToObject(o, "by_agency",
			      tallies_json(r->by_agency, r->nagency, "agency", mode));
	return o;
}

/* A page's forms of the band bounds of doc[key][list], from s's cents. */
static void bands_page_forms(cJSON *doc, const char *key, const char *list, const Schedule *s)
{
	cJSON *b, *bands = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, key), list);
	int i = 0;

	cJSON_ArrayForEach(b, bands)
	{
		if (i < s->nband)
			money_page_forms(b, "from", s->band[i++].from);
	}
}

/* A page's forms of the money in the terms document doc of t. */
static void terms_page_forms(cJSON *doc, const Terms *t)
{
	bands_page_forms(doc, "fee", "bands", &t->fee);
	bands_page_forms(doc, "discounts", "tiers", &t->discounts);
	bands_page_forms(doc, "rebates", "tiers", &t->rebates);
	if (t->has_late_fee)
		money_page_forms(cJSON_GetObjectItem(doc, "late_fee"), "min", t->late_fee_min);
	money_page_forms(doc, "price_tolerance", t->price_tolerance);
}

/* o.in_force_on, o.award (the terms as awarded) and o.amendments
 * [{seq, effective, reference, recorded_by, recorded_at, changes}];
 * a page also gets each amendment's changes as text.  0 when out of
 * memory. */
static int encode_amendments(cJSON *o, const ContractShow *c, EncMode mode)
{
	char day[DATE_BUF], *doc = terms_to_json(&c->award);
	cJSON *award = doc ? cJSON_Parse(doc) : NULL, *arr;
	int i;

	free(doc);
	if (!award)
		return 0;
	cJSON_AddStringToObject(o, "in_force_on", date_format(c->on, day));
	cJSON_AddItemToObject(o, "award", award);
	if (!(arr = cJSON_AddArrayToObject(o, "amendments")))
		return 0;
	for (i = 0; i < c->h.n; i++) {
		const Amendment *a = &c->h.amend[i];
		cJSON *m = cJSON_CreateObject(), *ch = cJSON_Parse(a->changes);

		if (!m || !ch) {
			cJSON_Delete(m);
			cJSON_Delete(ch);
			return 0;
		}
		cJSON_AddItemToArray(arr, m);
		cJSON_AddNumberToObject(m, "seq", a->seq);
		cJSON_AddStringToObject(m, "effective", date_format(a->effective, day));
		cJSON_AddStringToObject(m, "reference", a->reference);
		cJSON_AddStringToObject(m, "recorded_by", a->recorded_by);
		cJSON_AddStringToObject(m, "recorded_at", a->created_at);
		if (mode == ENC_PAGE) {
			char *words = encode_change_words(ch, c->h.ver[i + 1].end);

			cJSON_AddStringToObject(m, "changes_text", a->changes);
			cJSON_AddStringToObject(m, "summary", words ? words : a->changes);
			free(words);
		}
		cJSON_AddItemToObject(m, "changes", ch);
	}
	return 1;
}

cJSON *encode_contract(const ContractShow *c, EncMode mode)
{
	char *doc = terms_to_json(&c->t);
	cJSON *o = doc ? cJSON_Parse(doc) : NULL;

	free(doc);
	if (!o)
		return NULL;
	if (mode == ENC_PAGE)
		terms_page_forms(o, &c->t);
	cJSON_AddStringToObject(o, "lead_agency_name", c->lead_agency_name);
	cJSON_AddStringToObject(o, "vendor_name", c->vendor_name);
	cJSON_AddNumberToObject(o, "live_lines", (double)c->live_lines);
	encode_money(o, "list_total", c->list_total, mode);
	encode_money(o, "net_sales", c->net_sales, mode);
	cJSON_AddNumberToObject(o, "participants", (double)c->participants);
	if (!encode_amendments(o, c, mode)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *encode_fees_report(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
			  EncMode mode, Err *e)
{
	FeesReport r;
	cJSON *o = NULL;

	if (!fees_report(db, contract, sel, today, &r, e))
		o = encode_fees(&r, mode);
	fees_report_free(&r);
	return o;
}

cJSON *encode_rebate_report(sqlite3 *db, const char *contract, int year, Date today,
			    const char *only_agency, const char *actor, EncMode mode, Err *e)
{
	RebateReport r;
	cJSON *o = NULL;

	if (!rebate_report(db, contract, year, today, only_agency, actor, &r, e))
		o = encode_rebates(&r, mode);
	rebate_report_free(&r);
	return o;
}

cJSON *encode_compliance_report(sqlite3 *db, const char *contract, const Quarter *period,
				const char *only_agency, long offset, int limit, EncMode mode,
				Err *e)
{
	ComplianceReport r;
	cJSON *o = NULL, *p;

	if (!compliance_page(db, contract, period, only_agency, offset, limit, &r, e))
		o = encode_compliance(&r, mode);
	if (o && limit > 0 && (p = cJSON_AddObjectToObject(o, "paging"))) {
		long page = r.offset / limit + 1, pages = (r.nline_all + limit - 1) / limit;

		cJSON_AddNumberToObject(p, "page", (double)page);
		cJSON_AddNumberToObject(p, "limit", limit);
		cJSON_AddNumberToObject(p, "pages", (double)pages);
		cJSON_AddNumberToObject(p, "line_count", (double)r.nline_all);
	}
	compliance_report_free(&r);
	return o;
}

cJSON *encode_contract_show(sqlite3 *db, const char *number, Date on, EncMode mode, Err *e)
{
	ContractShow c;
	cJSON *o;

	if (contract_show(db, number, on, &c, e))
		return NULL;
	if (!(o = encode_contract(&c, mode)))
		err_set(e, CL_ENOMEM, "out of memory");
	contract_show_free(&c);
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

cJSON *encode_agency_page(sqlite3 *db, const char *agency, int keep, Date today, const char *actor,
			  Err *e)
{
	SummaryAgency s;
	cJSON *o = NULL, *cards = NULL, *c;
	int i = 0;

	if (!summary_agency_recent(db, agency, keep, today, actor, &s, e)) {
		o = encode_summary_agency(&s, ENC_PAGE);
		cards = cJSON_GetObjectItem(o, "contracts");
	}
	cJSON_ArrayForEach(c, cards)
	{
		const SummaryContract *sc = &s.contracts[i++];

		cJSON_AddNumberToObject(c, "line_count", (double)sc->line_count);
		encode_statement_quarters(c, sc->quarters, sc->nquarter, today);
	}
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

void encode_statement_quarters(cJSON *card, const Quarter *with_lines, int n_with, Date today)
{
	char qt[QUARTER_BUF];
	Quarter last = quarter_of(quarter_first_day(quarter_of(today)) - 1), q[256];
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(card, "status"));
	cJSON *arr;
	int n = 0, i;

	for (i = 0; i < n_with; i++) {
		if (quarter_cmp(with_lines[i], last) > 0)
			continue;
		if (n == (int)(sizeof q / sizeof *q)) /* keep the newest */
			memmove(q, q + 1, sizeof *q * (size_t)--n);
		q[n++] = with_lines[i];
	}
	cJSON_AddBoolToObject(card, "status_active", status && strcmp(status, "active") == 0);
	if (status && strcmp(status, "active") == 0 && (!n || quarter_cmp(q[n - 1], last) < 0) &&
	    n < (int)(sizeof q / sizeof *q))
		q[n++] = last;
	if (!n)
		return;
	cJSON_AddStringToObject(card, "statement_quarter", quarter_format(q[n - 1], qt));
	arr = cJSON_AddArrayToObject(card, "statement_quarters");
	for (i = n - 1; i >= 0; i--) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "quarter", quarter_format(q[i], qt));
		cJSON_AddBoolToObject(o, "selected", i == n - 1);
		cJSON_AddItemToArray(arr, o);
	}
}

const char *encode_year_label(int calendar, int year, Date start, Date end, char *buf, size_t n)
{
	char a[DATE_BUF], b[DATE_BUF];

	if (calendar)
		snprintf(buf, n, "Calendar year %d", year);
	else
		snprintf(buf, n, "Contract year %d (%s to %s)", year, date_format(start, a),
			 date_format(end, b));
	return buf;
}

/* One part of an amendment's changes in words, appended to b; ends is
 * the last day of the term once the amendment is in force.  Non-zero when
 * b is full. */
static int change_words(Buf *b, const cJSON *c, const char *ends)
{
	const char *k = c->string;
	int bad = 0;
	char buf[MONEY_BUF];
	Money m;
	const cJSON *list, *x;

	if (b->len)
		bad |= (int)buf_append(b, "; ", 2);
	if (strcmp(k, "renew") == 0)
		bad |= (int)buf_printf(b, "a renewal option exercised: the term now ends %s", ends);
	else if (strcmp(k, "status") == 0)
		bad |= (int)buf_printf(b, "terminated");
	else if (strcmp(k, "end") == 0 || strcmp(k, "price_tolerance") == 0 ||
		 strcmp(k, "due_days") == 0) {
		const char *v = cJSON_GetStringValue(c);

		if (strcmp(k, "price_tolerance") == 0 && v && !money_parse(v, &m, NULL))
			v = money_format_human(m, buf);
		if (cJSON_IsNumber(c))
			bad |= (int)buf_printf(b, "fee due %d days after the quarter", c->valueint);
		else
			bad |= (int)buf_printf(b, "%s %s",
					       strcmp(k, "end") == 0 ? "ends" : "price tolerance",
					       v ? v : "");
	} else if (strcmp(k, "late_fee") == 0) {
		const char *min = cJSON_GetStringValue(cJSON_GetObjectItem(c, "min"));

		bad |= (int)buf_printf(
			b, "late fee the greater of %s or %s",
			min && !money_parse(min, &m, NULL) ? money_format_human(m, buf) : "",
			cJSON_GetStringValue(cJSON_GetObjectItem(c, "rate")));
	} else if (strcmp(k, "renewals") == 0)
		bad |= (int)buf_printf(b, "%d renewal option(s) of %d year(s)",
				       cJSON_GetObjectItem(c, "options")->valueint,
				       cJSON_GetObjectItem(c, "years")->valueint);
	else {
		const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(c, "mode"));

		list = cJSON_GetObjectItem(c, strcmp(k, "fee") == 0 ? "bands" : "tiers");
		bad |= (int)buf_printf(b, "%s%s%s:", strcmp(k, "fee") == 0 ? "fee" : k,
				       mode ? " " : "", mode ? mode : "");
		cJSON_ArrayForEach(x, list)
		{
			const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(x, "from"));

			bad |= (int)buf_printf(b, "%s %s from %s", x == list->child ? "" : ",",
					       cJSON_GetStringValue(cJSON_GetObjectItem(x, "rate")),
					       from && !money_parse(from, &m, NULL)
						       ? money_format_human(m, buf)
						       : "");
		}
	}
	return bad;
}

char *encode_change_words(const cJSON *changes, Date ends)
{
	char day[DATE_BUF];
	const cJSON *c;
	Buf b;

	date_format(ends, day);
	buf_init(&b, 4096);
	cJSON_ArrayForEach(c, changes) if (change_words(&b, c, day)) break;
	if (!b.data && buf_puts(&b, "")) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}
