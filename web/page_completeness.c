/* page_completeness.c — the completeness audit (DOMAIN.md 4.7): a
 * contract's Completeness page for staff with its CSV of POs, and GET
 * /api/v1/contracts/:number/completeness, the JSON of `report
 * completeness --json` (a member's own POs only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "chart.h"
#include "completeness.h"
#include "csvout.h"
#include "encode.h"
#include "encode_completeness.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"

/* The statuses as a page names them, by CompletenessStatus. */
static const char *const status_words[CS__MAX] = {"pending", "reported", "under-reported",
						  "over-reported", "not reported"};

/* The index of quarter q among c's quarters, or -1. */
static int quarter_at(const CompletenessReport *c, Quarter q)
{
	int i;

	for (i = 0; i < c->nquarter; i++)
		if (quarter_cmp(c->quarter[i].q, q) == 0)
			return i;
	return -1;
}

/* The audit of contract number as r's principal may see it: all of it for
 * staff, its own agency's part for a member.  OUT: *c (free with
 * completeness_report_free(), also on failure). */
static ClCode audit_for(Req *r, const char *number, const Quarter *period, CompletenessReport *c,
			Err *e)
{
	return completeness_report_of(r->db, number, period,
				      r->who.role == ROLE_MEMBER ? r->who.agency : NULL, r->today,
				      c, e);
}

/* The HTTP status of a failed audit: a quarter outside the term is the
 * caller's mistake, a contract gone since the check is not found. */
static int http_status(ClCode rc)
{
	return rc == CL_EINPUT ? 400 : rc == CL_ENOTFOUND ? 404 : 500;
}

int api_completeness(Req *r)
{
	const char *number = r->param[0], *p = req_query(r, "period");
	CompletenessReport c;
	Quarter q;
	cJSON *o;
	ClCode rc;
	Err e = {0};

	if (r->who.role == ROLE_VENDOR || !may_see_contract(r, number))
		return resp_error(r, 404, "no such contract");
	if (p && quarter_parse(p, &q, &e))
		return resp_error(r, 400, "period: %s", e.msg);
	if ((rc = audit_for(r, number, p ? &q : NULL, &c, &e))) {
		completeness_report_free(&c);
		return resp_error(r, http_status(rc), "%s", e.msg);
	}
	o = encode_completeness(&c, ENC_DATA);
	completeness_report_free(&c);
	return resp_json(r, 200, o);
}

/* The list's filters: a quarter (by PO date) or every one, and the
 * statuses shown (by default unreported and under-reported). */
typedef struct PoFilter {
	int has_period;
	Quarter period;
	int show[CS__MAX];
	const char *status; /* "all" or a status name, as the form sends it */
} PoFilter;

/* ?period= and ?status= of the page into *f, checked against the audit c:
 * 0, or -1 after answering 400 naming the filter. */
static int filter_or_400(Req *r, const CompletenessReport *c, PoFilter *f)
{
	const char *p = req_query(r, "period"), *s = req_query(r, "status");
	char a[QUARTER_BUF], b[QUARTER_BUF], z[QUARTER_BUF];
	Err e = {0};
	int i;

	memset(f, 0, sizeof *f);
	f->status = "all";
	if (p && *p && quarter_parse(p, &f->period, &e)) {
		resp_error(r, 400, "The quarter filter is not right: %s.", e.msg);
		return -1;
	}
	f->has_period = p && *p;
	if (f->has_period && quarter_at(c, f->period) < 0) {
		if (c->nquarter)
			resp_error(r, 400,
				   "The quarter filter is not right: %s is not a quarter of the "
				   "audit of %s, which runs from %s to %s.",
				   quarter_format(f->period, a), c->contract,
				   quarter_format(c->quarter[0].q, b),
				   quarter_format(c->quarter[c->nquarter - 1].q, z));
		else
			resp_error(r, 400,
				   "The quarter filter is not right: %s has no quarter yet.",
				   c->contract);
		return -1;
	}
	if (!s || !*s || strcmp(s, "all") == 0) {
		f->show[CS_UNDER_REPORTED] = f->show[CS_UNREPORTED] = 1;
		return 0;
	}
	for (i = 0; i < CS__MAX; i++)
		if (strcmp(s, completeness_status_name((CompletenessStatus)i)) == 0) {
			f->show[i] = 1;
			f->status = completeness_status_name((CompletenessStatus)i);
			return 0;
		}
	resp_error(r, 400,
		   "The status filter is not right: \"%.40s\" is not all, unreported, "
		   "under_reported, over_reported, pending or reported.",
		   s);
	return -1;
}

/* The POs of c that f lets through, in c's order, as a view of c (its
 * quarters and signals left out).  OUT: *v, whose po the caller frees;
 * -1 when out of memory. */
static int filtered(const CompletenessReport *c, const PoFilter *f, CompletenessReport *v)
{
	int i;

	memset(v, 0, sizeof *v);
	snprintf(v->contract, sizeof v->contract, "%s", c->contract);
	if (!(v->po = malloc(((size_t)c->npo + 1) * sizeof *v->po)))
		return -1;
	for (i = 0; i < c->npo; i++) {
		const CompletenessPo *p = &c->po[i];

		if (f->show[p->status] &&
		    (!f->has_period || quarter_cmp(quarter_of(p->po_date), f->period) == 0))
			v->po[v->npo++] = *p;
	}
	return 0;
}

/* The agencies' names by code, for the lists.  0, or -1 with e set. */
static int agency_names(Req *r, RowSet *names, Err *e)
{
	if (agency_list(r->db, names, e)) {
		rowset_free(names);
		return -1;
	}
	return 0;
}

/* The name of agency code, or the code when it has none: a binary search
 * of names, which agency_list() orders by code. */
static const char *agency_name(const RowSet *names, const char *code)
{
	int lo = 0, hi = names->nrow - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(rowset_text(names, mid, "code"), code);

		if (c == 0)
			return rowset_text(names, mid, "name");
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return code;
}

/* The POs of v as JSON (encode_completeness()'s "pos") with each one's
 * "agency_name" and, for a page, "status_words".  Caller frees. */
static cJSON *pos_json(const CompletenessReport *v, const RowSet *names, EncMode mode)
{
	cJSON *all = encode_completeness(v, mode), *pos, *o;
	int i = 0;

	pos = cJSON_DetachItemFromObject(all, "pos");
	cJSON_Delete(all);
	cJSON_ArrayForEach(o, pos)
	{
		const CompletenessPo *p = &v->po[i++];

		cJSON_AddStringToObject(o, "agency_name", agency_name(names, p->agency));
		if (mode == ENC_PAGE)
			cJSON_AddStringToObject(o, "status_words", status_words[p->status]);
	}
	return pos;
}

/* The contract's audit as of today, the agencies' names and the list's
 * filter for a page or download of it.  Returns 0 to go on (free *c and
 * *names); otherwise the request is answered (404, 500 or the filter's
 * 400) and nothing is left to free. */
static int audit_or_answer(Req *r, CompletenessReport *c, RowSet *names, PoFilter *f)
{
	Err e = {0};

	if (!may_see_contract(r, r->param[0])) {
		resp_error(r, 404, "there is no such contract");
		return -1;
	}
	if (completeness_report(r->db, r->param[0], NULL, r->today, c, &e) ||
	    agency_names(r, names, &e)) {
		completeness_report_free(c);
		rowset_free(names);
		resp_error(r, 500, "%s", e.msg);
		return -1;
	}
	if (filter_or_400(r, c, f) == 0)
		return 0;
	rowset_free(names);
	completeness_report_free(c);
	return -1;
}

int page_completeness_csv(Req *r)
{
	static const char *const keys[] = {
		"agency",	   "agency_name", "po_number", "po_date",    "register_amount",
		"reported_amount", "status",	  "gap",       "fee_at_risk"};
	CompletenessReport c, v = {0};
	char name[120];
	RowSet names = {0};
	PoFilter f;
	cJSON *pos;

	if (audit_or_answer(r, &c, &names, &f))
		return 0;
	if (filtered(&c, &f, &v)) {
		resp_error(r, 500, "out of memory");
	} else {
		pos = pos_json(&v, &names, ENC_DATA);
		snprintf(name, sizeof name, "%s-completeness.csv", r->param[0]);
		resp_text(r, 200, "text/csv; charset=utf-8",
			  csv_from_json(pos, keys, (int)(sizeof keys / sizeof *keys)), name);
		cJSON_Delete(pos);
	}
	free(v.po);
	rowset_free(&names);
	completeness_report_free(&c);
	return 0;
}

/* Register amount against reported amount by quarter as a chart of two
 * bars a quarter, under ctx "chart": {"quarters":[{label, axis?, reg,
 * rep}], "ticks"}, reg and rep each {x, y, w, h, value}. */
static void add_chart(cJSON *ctx, const CompletenessReport *c, const Money *reported)
{
	cJSON *ch = cJSON_AddObjectToObject(ctx, "chart"), *arr, *o, *bar;
	int i, k, n = c->nquarter, slot = n ? CHART_W / n : CHART_W, w = (slot - 8) / 2;
	Money max = 0, step, v;
	char label[QUARTER_BUF], buf[MONEY_BUF];

	if (w < 2)
		w = 2;
	for (i = 0; i < n; i++) {
		if (c->quarter[i].register_amount > max)
			max = c->quarter[i].register_amount;
		if (reported[i] > max)
			max = reported[i];
	}
	step = chart_step(max);
	cJSON_AddItemToObject(ch, "ticks", chart_ticks(step));
	arr = cJSON_AddArrayToObject(ch, "quarters");
	for (i = 0; i < n; i++) {
		int tx = i * slot + slot / 2; /* the pair's middle, for its label */

		o = cJSON_CreateObject();
		quarter_format(c->quarter[i].q, label);
		cJSON_AddStringToObject(o, "label", label);
		if (n <= 10 || i % 2 == (n - 1) % 2) /* every other label when crowded */
			cJSON_AddStringToObject(o, "axis", label);
		cJSON_AddNumberToObject(o, "tx", tx);
		for (k = 0; k < 2; k++) {
			long y;

			v = k ? reported[i] : c->quarter[i].register_amount;
			y = chart_y(v, step * CHART_STEPS);
			bar = cJSON_AddObjectToObject(o, k ? "rep" : "reg");
			cJSON_AddNumberToObject(bar, "x", i * slot + 4 + k * w);
			cJSON_AddNumberToObject(bar, "y", (double)y);
			cJSON_AddNumberToObject(bar, "w", w);
			cJSON_AddNumberToObject(bar, "h", (double)(CHART_H - y));
			cJSON_AddStringToObject(bar, "value", money_format_human(v, buf));
		}
		cJSON_AddItemToArray(arr, o);
	}
}

/* The quarters of c for the page (encode_completeness()'s, with each
 * one's "reported_amount" of its POs, "any_gap" and a "selected" flag for
 * the inquiry's quarter) and the chart; the inquiry's quarter is the
 * filter's, else the last one with a gap, else the last one. */
static void add_quarters(cJSON *ctx, cJSON *quarters, const CompletenessReport *c,
			 const PoFilter *f)
{
	Money *reported = calloc((size_t)c->nquarter + 1, sizeof *reported);
	int i, k, pick = c->nquarter - 1;
	cJSON *o;

	for (i = 0; reported && i < c->npo; i++)
		if ((k = quarter_at(c, quarter_of(c->po[i].po_date))) >= 0)
			reported[k] += c->po[i].reported_amount;
	for (k = 0; k < c->nquarter; k++)
		if (f->has_period ? quarter_cmp(c->quarter[k].q, f->period) == 0
				  : c->quarter[k].gap > 0)
			pick = k;
	k = 0;
	cJSON_ArrayForEach(o, quarters)
	{
		encode_money(o, "reported_amount", reported ? reported[k] : 0, ENC_PAGE);
		cJSON_AddBoolToObject(o, "any_gap", c->quarter[k].gap > 0);
		cJSON_AddBoolToObject(o, "selected", k == pick);
		cJSON_AddBoolToObject(o, "filtered", f->has_period && k == pick);
		k++;
	}
	cJSON_AddItemToObject(ctx, "quarters", quarters);
	if (reported && c->npo > 0)
		add_chart(ctx, c, reported);
	free(reported);
}

/* The signals of c in words: "sentence" a plain statement of what was
 * seen, with the agency's name, beside core's "detail" of its figures. */
static void add_signals(cJSON *ctx, cJSON *signals, const CompletenessReport *c,
			const RowSet *names)
{
	char text[600], qt[QUARTER_BUF];
	cJSON *o;
	int i = 0;

	cJSON_ArrayForEach(o, signals)
	{
		const CompletenessSignal *s = &c->signal[i++];

		quarter_format(s->q, qt);
		if (s->kind == SIG_MEMBER_SILENT)
			snprintf(
				text, sizeof text,
				"%s (%s) bought in each of the four quarters before %s and nothing "
				"is reported for %s.",
				agency_name(names, s->agency), s->agency, qt, qt);
		else
			snprintf(text, sizeof text,
				 "Net sales reported for %s fell below half the mean of the four "
				 "quarters before it.",
				 qt);
		cJSON_AddStringToObject(o, "sentence", text);
		cJSON_AddBoolToObject(o, "silent", s->kind == SIG_MEMBER_SILENT);
	}
	cJSON_AddItemToObject(ctx, "signals", signals);
}

/* The filter form's choices and the query of the list's links (period and
 * status as given) into ctx. */
static void add_filter(cJSON *ctx, const PoFilter *f, long page, int more, int total)
{
	static const char *const order[] = {"all",	     "unreported", "under_reported",
					    "over_reported", "pending",	   "reported"};
	static const char *const words[] = {"Not reported and under-reported",
					    "Not reported",
					    "Under-reported",
					    "Over-reported",
					    "Pending",
					    "Reported"};
	char query[120] = "", qt[QUARTER_BUF] = "";
	cJSON *arr = cJSON_AddArrayToObject(ctx, "statuses"), *o;
	size_t i;

	for (i = 0; i < sizeof order / sizeof *order; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "value", order[i]);
		cJSON_AddStringToObject(o, "words", words[i]);
		cJSON_AddBoolToObject(o, "selected", strcmp(order[i], f->status) == 0);
		cJSON_AddItemToArray(arr, o);
	}
	if (f->has_period)
		quarter_format(f->period, qt);
	cJSON_AddStringToObject(ctx, "period", qt);
	snprintf(query, sizeof query, "period=%s&status=%s", qt, f->status);
	cJSON_AddStringToObject(ctx, "query", query);
	cJSON_AddNumberToObject(ctx, "total", total);
	cJSON_AddBoolToObject(ctx, "one", total == 1);
	add_paging(ctx, page, more, query);
	add_page_numbers(ctx, page, total);
}

/* The page's context from the audit c: quarters, chart, signals, one page
 * of the filtered POs and the forms.  NULL when out of memory. */
static cJSON *completeness_ctx(Req *r, const CompletenessReport *c, const PoFilter *f,
			       const RowSet *names)
{
	char title[120];
	long page, off = page_offset(r, &page);
	CompletenessReport v, one;
	cJSON *ctx, *all;
	int total;

	if (filtered(c, f, &v))
		return NULL;
	total = v.npo;
	if (off > total)
		off = total;
	snprintf(title, sizeof title, "Completeness · %s", c->contract);
	ctx = pagekit_ctx(r, title);
	cJSON_AddStringToObject(ctx, "contract", c->contract);
	cJSON_AddBoolToObject(ctx, "registers", c->npo > 0);
	all = encode_completeness(c, ENC_PAGE);
	add_quarters(ctx, cJSON_DetachItemFromObject(all, "quarters"), c, f);
	add_signals(ctx, cJSON_DetachItemFromObject(all, "signals"), c, names);
	cJSON_Delete(all);
	one = v; /* this page of the list */
	one.po = v.po + off;
	one.npo = total - (int)off < PAGE_ROWS ? total - (int)off : PAGE_ROWS;
	cJSON_AddItemToObject(ctx, "pos", pos_json(&one, names, ENC_PAGE));
	add_filter(ctx, f, page, off + PAGE_ROWS < total, total);
	free(v.po);
	render_flag_lists(ctx);
	return ctx;
}

int page_completeness(Req *r)
{
	CompletenessReport c;
	RowSet names = {0};
	PoFilter f;
	cJSON *ctx;

	if (audit_or_answer(r, &c, &names, &f))
		return 0;
	if ((ctx = completeness_ctx(r, &c, &f, &names)))
		render_page(r, 200, "completeness", ctx);
	else
		resp_error(r, 500, "out of memory");
	rowset_free(&names);
	completeness_report_free(&c);
	return 0;
}
