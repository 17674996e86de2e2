/* portal.c — the dashboard (admin, finance) and the member and vendor
 * portals; see pages.h. */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "chart.h"
#include "fees.h"
#include "handlers.h"
#include "money.h"
#include "pages.h"
#include "pagecache.h"
#include "portal.h"
#include "rebate.h"
#include "render.h"
#include "encode.h"
#include "summary.h"
#include "terms.h"
#include "contract.h"

#define PARETO_BARS 30

static cJSON *ctx_title(const char *title)
{
	cJSON *ctx = cJSON_CreateObject();

	cJSON_AddStringToObject(ctx, "title", title);
	return ctx;
}

/* Largest of n values (0 when none is above zero). */
static Money largest(const Money *values, int n)
{
	Money max = 0;
	int i;

	for (i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	return max;
}

/* ctx[key] = bars of the values and ctx[key "_ticks"] = their scale. */
static void add_bars(cJSON *ctx, const char *key, const char *const *labels, const Money *values,
		     int n)
{
	char ticks[64];
	Money step = chart_step(largest(values, n));

	snprintf(ticks, sizeof ticks, "%s_ticks", key);
	cJSON_AddItemToObject(ctx, key, chart_bars(labels, values, n, step));
	cJSON_AddItemToObject(ctx, ticks, chart_ticks(step));
}

/* Fee revenue by quarter over all contracts, as a bar chart in
 * ctx.revenue_bars and ctx.revenue_bars_ticks. */
static void revenue_chart(cJSON *ctx, const SummaryRevenue *rev)
{
	char name[16][QUARTER_BUF], qt[QUARTER_BUF];
	const char *labels[16];
	Money values[16];
	int n = 0, i, k;

	for (k = 0; k < rev->nquarter; k++) {
		const FeeQuarter *f = &rev->quarters[k].f;

		quarter_format(f->q, qt);
		for (i = 0; i < n && strcmp(name[i], qt) != 0; i++)
			;
		if (i == n) {
			if (n == 16) {
				memmove(name, name + 1, sizeof *name * 15);
				memmove(values, values + 1, sizeof *values * 15);
				n--;
			}
			memcpy(name[n], qt, sizeof qt);
			values[n++] = 0;
			i = n - 1;
		}
		values[i] += f->fee + f->late_fee;
	}
	for (i = 0; i < n; i++)
		labels[i] = name[i];
	add_bars(ctx, "revenue_bars", labels, values, n);
}

/* Contract number's rebate year so far on its card: the year's sales, the
 * rate, and the progress to the next tier (nothing without a rebate
 * schedule).  0, or -1 with e set. */
static int card_rebate(Req *r, cJSON *card, const char *number, Err *e)
{
	char actor[300], rate[MONEY_BUF], label[96];
	RebateReport rep;
	Terms t = {0};
	Err why = {0};
	int year;
	ClCode rc = rebate_current_year(r->db, number, r->today, &year, &why);

	if (rc == CL_ENOTFOUND)
		return 0; /* no rebate schedule */
	if (rc) {
		*e = why;
		return -1;
	}
	/* no agency's allocation: the card shows the contract-wide figures */
	if (rebate_report(r->db, number, year, r->today, "", req_actor(r, actor, sizeof actor),
			  &rep, e)) {
		rebate_report_free(&rep);
		return -1;
	}
	encode_money(card, "year_sales", rep.base, ENC_PAGE);
	if (contract_load(r->db, number, NULL, &t, &why) == CL_OK)
		cJSON_AddStringToObject(card, "year_label",
					encode_year_label(t.rebates.year == YEAR_CALENDAR, year,
							  rep.start, rep.end, label, sizeof label));
	cJSON_AddStringToObject(card, "rate", rate_format(rep.rate, rate));
	if (rep.next_tier.present) {
		Money from = rep.next_tier.from,
		      pct = from > 0 && rep.base > 0 ? rep.base * 100 / from : 0;

		cJSON_AddItemToObject(card, "next", encode_next_tier(&rep.next_tier, ENC_PAGE));
		cJSON_AddNumberToObject(card, "progress", (double)pct);
	}
	rebate_report_free(&rep);
	return 0;
}

/* Each active contract's card; NULL with e set when a read failed. */
static cJSON *contract_cards(Req *r, Err *e)
{
	cJSON *arr = NULL;
	RowSet rs;
	int i;

	if (!portal_active_contracts(r->db, &rs, e))
		arr = encode_rowset(&rs, NULL, ENC_PAGE);
	for (i = 0; arr && i < rs.nrow; i++)
		if (card_rebate(r, cJSON_GetArrayItem(arr, i), rowset_text(&rs, i, "number"), e)) {
			cJSON_Delete(arr);
			arr = NULL;
		}
	rowset_free(&rs);
	return arr;
}

/* Spend by agency for the largest active contract's current year, as a
 * Pareto chart: bars by agency, a cumulative line, and how few agencies
 * make 80% of the spend.  One pass over the year's lines.  NULL with e
 * set when a query failed. */
static cJSON *pareto(Req *r, Err *e)
{
	char number[64], from[DATE_BUF], pts[PARETO_BARS * 16 + 16];
	const char *labels[PARETO_BARS] = {0};
	Money values[PARETO_BARS] = {0}, total = 0, run = 0;
	cJSON *p;
	int n = 0, all = 0, eighty = 0, len = 0, found, i;
	PortalSpend *s = NULL;

	if (portal_top_contract(r->db, number, sizeof number, &found, e) ||
	    (found &&
	     portal_agency_spend(r->db, number, r->today - 365, r->today, &s, &all, &total, e)))
		return NULL;
	p = cJSON_CreateObject();
	if (!found)
		return p;
	date_format(r->today - 365, from);
	if (total <= 0) {
		free(s);
		return p;
	}
	for (i = 0; i < all; i++) {
		if (run < total * 8 / 10)
			eighty++;
		run += s[i].v;
		if (n < PARETO_BARS) {
			labels[n] = s[i].code;
			values[n++] = s[i].v;
			len += snprintf(
				pts + len, sizeof pts - (size_t)len, "%d,%ld ",
				(n - 1) * (CHART_W / PARETO_BARS) + CHART_W / PARETO_BARS / 2,
				(long)(CHART_H - (__int128)run * (CHART_H - CHART_TOP) / total));
		}
	}
	cJSON_AddStringToObject(p, "contract", number);
	cJSON_AddStringToObject(p, "from", from);
	add_bars(p, "bars", labels, values, n);
	free(s);
	cJSON_AddStringToObject(p, "points", pts);
	cJSON_AddNumberToObject(p, "agencies", all);
	cJSON_AddNumberToObject(p, "eighty", eighty);
	cJSON_AddNumberToObject(p, "eighty_pct", all ? eighty * 100 / all : 0);
	encode_money(p, "total", total, ENC_PAGE);
	return p;
}

/* The dashboard's figures as a page context, or NULL with e set. */
static cJSON *dashboard_ctx(Req *r, Err *e)
{
	SummaryRevenue sum;
	cJSON *ctx, *rev = NULL, *cards = NULL, *par = NULL;
	int y, m, d;

	if (summary_revenue(r->db, 0, r->today, &sum, e) ||
	    !(rev = encode_summary_revenue(&sum, ENC_PAGE)) || !(cards = contract_cards(r, e)) ||
	    !(par = pareto(r, e))) {
		summary_revenue_free(&sum);
		cJSON_Delete(rev);
		cJSON_Delete(cards);
		return NULL;
	}
	ctx = ctx_title("Dashboard");
	revenue_chart(ctx, &sum);
	summary_revenue_free(&sum);
	cJSON_AddItemToObject(ctx, "totals",
			      cJSON_Duplicate(cJSON_GetObjectItem(rev, "totals"), 1));
	cJSON_AddItemToObject(ctx, "aging", cJSON_Duplicate(cJSON_GetObjectItem(rev, "aging"), 1));
	cJSON_AddItemToObject(ctx, "missing",
			      cJSON_Duplicate(cJSON_GetObjectItem(rev, "missing_reports"), 1));
	cJSON_Delete(rev);
	cJSON_AddItemToObject(ctx, "contracts", cards);
	cJSON_AddItemToObject(ctx, "pareto", par);
	date_to_ymd(r->today, &y, &m, &d);
	cJSON_AddNumberToObject(ctx, "year", y);
	return ctx;
}

/* The dashboard is the same page for every admin (and every finance
 * user) until the books change: it is drawn once per version. */
int page_dashboard(Req *r)
{
	char version[CACHE_VERSION_BUF];
	cJSON *ctx;
	Err e = {0};

	cache_version(r->db, r->today, version, sizeof version);
	if (pagecache_send(r, "dashboard", version))
		return 0;
	if (!(ctx = dashboard_ctx(r, &e))) {
		pagecache_fail(r, "dashboard", version);
		return resp_error(r, 500, "%s", e.msg);
	}
	return pagecache_render(r, "dashboard", version, "dashboard", ctx);
}

/* The saving under contract number in the rows of portal_agency_saved(). */
static Money saved_under(const RowSet *saved, const char *number)
{
	int i;

	for (i = 0; i < saved->nrow; i++)
		if (strcmp(rowset_text(saved, i, "contract"), number) == 0)
			return rowset_int(saved, i, "saved");
	return 0;
}

/* What the member saved under contract number in the contract year of
 * today, on its card as "saved_contract_year" and its label (nothing
 * outside the term).  0, or -1 with e set. */
static int card_contract_year(Req *r, cJSON *card, const char *number, Err *e)
{
	char label[96];
	Terms t = {0};
	Err why = {0};
	RowSet rs;
	YearRange yr;
	int k;

	if (contract_load(r->db, number, NULL, &t, &why) != CL_OK || r->today < t.start ||
	    r->today > t.end)
		return 0;
	k = sched_year_of(1, t.start, r->today);
	yr = sched_year_range(1, t.start, k);
	if (portal_agency_saved(r->db, r->who.agency, yr.first, r->today, &rs, e)) {
		rowset_free(&rs);
		return -1;
	}
	encode_money(card, "saved_contract_year", saved_under(&rs, number), ENC_PAGE);
	cJSON_AddStringToObject(card, "contract_year_label",
				encode_year_label(0, k, yr.first, yr.last, label, sizeof label));
	rowset_free(&rs);
	return 0;
}

/* The member's own card of contract number: its overcharged lines (the
 * price compliance audit of its purchases; the newest keep of them), its
 * register POs with their statuses (the newest keep of them) and
 * what it saved this calendar year (saved: rows contract, saved) and this
 * contract year.  0, or -1 with e set. */
static int member_card(Req *r, cJSON *card, const RowSet *saved, int keep, Err *e)
{
	const char *number = cJSON_GetStringValue(cJSON_GetObjectItem(card, "contract"));
	cJSON *over;
	int n;

	if (!number)
		return 0;
	encode_money(card, "saved_year", saved_under(saved, number), ENC_PAGE);
	if (card_contract_year(r, card, number, e) ||
	    !(over = encode_compliance_report(r->db, number, NULL, r->who.agency, COMPLIANCE_LAST,
					      keep, ENC_PAGE, e)))
		return -1;
	n = (int)cJSON_GetNumberValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(over, "paging"), "line_count"));
	cJSON_DeleteItemFromObject(over, "paging");
	cJSON_AddNumberToObject(over, "line_count", n);
	cJSON_AddBoolToObject(over, "more", n > keep);
	cJSON_DeleteItemFromObject(over, "by_agency");
	cJSON_DeleteItemFromObject(over, "by_quarter");
	cJSON_AddItemToObject(card, "overcharges", over);
	/* its register POs and whether the vendor reported them */
	return registers_member_pos(r, number, keep, cJSON_AddObjectToObject(card, "registers"), e);
}

/* The member portal's figures for its agency s: each card's own, and
 * what the agency saved this calendar year over all its contracts.  0,
 * or -1 with e set. */
static int member_figures(Req *r, cJSON *ctx, cJSON *s, Err *e)
{
	int y, m, d, i;
	Money total = 0;
	RowSet saved;
	cJSON *c;

	date_to_ymd(r->today, &y, &m, &d);
	if (portal_agency_saved(r->db, r->who.agency, date_from_ymd(y, 1, 1), r->today, &saved,
				e)) {
		rowset_free(&saved);
		return -1;
	}
	for (i = 0; i < saved.nrow; i++)
		total += rowset_int(&saved, i, "saved");
	cJSON_AddNumberToObject(ctx, "year", y);
	encode_money(ctx, "saved_year", total, ENC_PAGE);
	cJSON_ArrayForEach(
		c, cJSON_GetObjectItem(s, "contracts")) if (member_card(r, c, &saved, 10, e))
	{
		rowset_free(&saved);
		return -1;
	}
	rowset_free(&saved);
	return 0;
}

/* Drawn once per version for each agency, like the dashboard. */
int page_member_portal(Req *r)
{
	char version[CACHE_VERSION_BUF], actor[300];
	cJSON *ctx, *s;
	Err e = {0};

	cache_version(r->db, r->today, version, sizeof version);
	if (pagecache_send(r, "member", version))
		return 0;
	s = encode_agency_page(r->db, r->who.agency, 25, r->today,
			       req_actor(r, actor, sizeof actor), &e);
	if (!s) {
		pagecache_fail(r, "member", version);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = ctx_title("My agency");
	if (member_figures(r, ctx, s, &e)) {
		cJSON_Delete(ctx);
		cJSON_Delete(s);
		pagecache_fail(r, "member", version);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddItemToObject(ctx, "agency", s);
	return pagecache_render(r, "member", version, "member", ctx);
}

/* What is due now on a card, from d: past due (with the late fees), due
 * by a date, not yet due, credits; each with a flag for the template. */
static void due_json(cJSON *card, const SummaryDue *d)
{
	char day[DATE_BUF];

	encode_money(card, "past_due", d->past_due, ENC_PAGE);
	encode_money(card, "past_due_late_fee", d->past_due_late_fee, ENC_PAGE);
	cJSON_AddNumberToObject(card, "past_due_quarters", d->past_due_quarters);
	cJSON_AddBoolToObject(card, "has_past_due", d->past_due > 0);
	encode_money(card, "due", d->due, ENC_PAGE);
	cJSON_AddBoolToObject(card, "has_due", d->due > 0);
	if (d->due_by)
		cJSON_AddStringToObject(card, "due_by", date_format(d->due_by, day));
	encode_money(card, "not_yet_due", d->not_yet_due, ENC_PAGE);
	encode_money(card, "credits", d->credits, ENC_PAGE);
	cJSON_AddBoolToObject(card, "has_credits", d->credits > 0);
}

/* Contract number's fee quarters, what is due now and remittances on its
 * vendor portal card.  0, or -1 with e set. */
static int vendor_card(Req *r, cJSON *card, const char *number, Err *e)
{
	static const char *const money[] = {"amount", NULL};
	FeeSelect all = {0};
	SummaryDue due;
	FeesReport f;
	RowSet rem;
	cJSON *inq;

	if (fees_report(r->db, number, &all, r->today, &f, e)) {
		fees_report_free(&f);
		return -1;
	}
	summary_due(f.quarter, f.nquarter, &due);
	due_json(card, &due);
	cJSON_AddItemToObject(card, "fees", encode_fees(&f, ENC_PAGE));
	fees_report_free(&f);
	if (portal_remittances(r->db, number, &rem, e)) {
		rowset_free(&rem);
		return -1;
	}
	cJSON_AddItemToObject(card, "remittances", encode_rowset(&rem, money, ENC_PAGE));
	rowset_free(&rem);
	if (!(inq = page_inquiries(r, r->who.vendor, number, e)))
		return -1;
	cJSON_AddItemToObject(card, "inquiries", inq);
	return 0;
}

int page_vendor_portal(Req *r)
{
	cJSON *ctx, *list;
	RowSet rs;
	Err e = {0};
	int i;

	if (portal_vendor_contracts(r->db, r->who.vendor_id, &rs, &e)) {
		rowset_free(&rs);
		return resp_error(r, 500, "%s", e.msg);
	}
	list = encode_rowset(&rs, NULL, ENC_PAGE);
	for (i = 0; i < rs.nrow; i++)
		if (vendor_card(r, cJSON_GetArrayItem(list, i), rowset_text(&rs, i, "number"),
				&e)) {
			rowset_free(&rs);
			cJSON_Delete(list);
			return resp_error(r, 500, "%s", e.msg);
		}
	rowset_free(&rs);
	ctx = ctx_title("My contracts");
	cJSON_AddItemToObject(ctx, "contracts", list);
	return render_page(r, 200, "vendor", ctx);
}
