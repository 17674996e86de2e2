/* page_rebates.c — a contract's rebate report for a year, as a page and as CSV. */
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "csvout.h"
#include "encode.h"
#include "handlers.h"
#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "rebate.h"
#include "render.h"

/* The rebate report the page or CSV asks for (?contract ?year; contract
 * when no ?contract).  OUT: *rep (free with rebate_report_free(), also on
 * failure). */
static ClCode rebates_for(Req *r, const char *contract, RebateReport *rep, Err *e)
{
	char actor[300];
	long year = 0;
	int y;

	memset(rep, 0, sizeof *rep);
	if (req_query(r, "contract"))
		contract = req_query(r, "contract");
	if (!contract || !may_see_contract(r, contract))
		return err_set(e, CL_ENOTFOUND, "choose a contract");
	if (req_query(r, "year") && *req_query(r, "year") &&
	    pagekit_field_int(req_query(r, "year"), 1, 9999, &year))
		return err_set(e, CL_EINPUT, "the year must be a number");
	if (!year) {
		if (rebate_current_year(r->db, contract, r->today, &y, e))
			return e->code;
		year = y;
	}
	return rebate_report(r->db, contract, (int)year, r->today, NULL,
			     req_actor(r, actor, sizeof actor), rep, e);
}

/* The first active contract of choices with a rebate schedule (the page's
 * default), or NULL. */
static const char *default_contract(Req *r, const cJSON *choices)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, choices)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "number"));
		Terms t = {0};
		Err e = {0};

		if (n && contract_load(r->db, n, NULL, &t, &e) == CL_OK &&
		    t.status == CONTRACT_ACTIVE && t.rebates.present)
			return n;
	}
	return NULL;
}

/* What the page shows beside the report rep: the label of its year, a
 * year chooser over the schedule's years (calendar years as such) and
 * each agency's name beside its code.  0, or -1 with e set. */
static int rebates_dress(Req *r, cJSON *o, const RebateReport *rep, Err *e)
{
	char label[96];
	Terms t = {0};
	RowSet parts;
	cJSON *years, *a;
	int kind, y, last, i;

	if (contract_load(r->db, rep->contract, NULL, &t, e))
		return -1;
	kind = t.rebates.year == YEAR_CONTRACT;
	cJSON_AddStringToObject(
		o, "year_label",
		encode_year_label(!kind, rep->year, rep->start, rep->end, label, sizeof label));
	years = cJSON_AddArrayToObject(o, "years");
	last = sched_year_of(kind, t.start, t.end);
	for (y = sched_year_of(kind, t.start, t.start); y <= last; y++) {
		cJSON *c = cJSON_CreateObject();
		YearRange yr = sched_year_range(kind, t.start, y);

		cJSON_AddNumberToObject(c, "year", y);
		cJSON_AddStringToObject(
			c, "label",
			encode_year_label(!kind, y, yr.first, yr.last, label, sizeof label));
		cJSON_AddBoolToObject(c, "selected", y == rep->year);
		cJSON_AddItemToArray(years, c);
	}
	if (listing_participants(r->db, rep->contract, &parts, e)) {
		rowset_free(&parts);
		return -1;
	}
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(o, "allocations"))
	{
		const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(a, "agency"));

		for (i = 0; code && i < parts.nrow; i++)
			if (strcmp(rowset_text(&parts, i, "code"), code) == 0)
				cJSON_AddStringToObject(a, "name", rowset_text(&parts, i, "name"));
	}
	rowset_free(&parts);
	return 0;
}

int page_rebates(Req *r)
{
	cJSON *ctx, *contracts, *o;
	const char *number = req_query(r, "contract");
	char chosen[64] = "";
	RebateReport rep;
	Err e = {0};

	if (!(contracts = pagekit_contract_choices(r, number, &e)))
		return resp_error(r, 500, "%s", e.msg);
	if (!number && (number = default_contract(r, contracts))) {
		snprintf(chosen, sizeof chosen, "%s", number);
		cJSON_Delete(contracts);
		if (!(contracts = pagekit_contract_choices(r, chosen, &e)))
			return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "Rebates");
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	if (req_query(r, "contract") || chosen[0]) {
		if (rebates_for(r, chosen, &rep, &e)) {
			cJSON_AddStringToObject(ctx, "error", e.msg);
		} else {
			o = encode_rebates(&rep, ENC_PAGE);
			if (rebates_dress(r, o, &rep, &e)) {
				cJSON_Delete(o);
				cJSON_AddStringToObject(ctx, "error", e.msg);
			} else {
				cJSON_AddItemToObject(ctx, "rebates", o);
			}
		}
		rebate_report_free(&rep);
	}
	return render_page(r, 200, "rebates", ctx);
}

int page_rebates_csv(Req *r)
{
	static const char *const keys[] = {"agency", "net", "rebate"};
	RebateReport rep;
	cJSON *o;
	Err e = {0};

	if (rebates_for(r, NULL, &rep, &e)) {
		rebate_report_free(&rep);
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 400, "%s", e.msg);
	}
	o = encode_rebates(&rep, ENC_DATA);
	rebate_report_free(&rep);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(o, "allocations"), keys, 3), "rebates.csv");
	cJSON_Delete(o);
	return 0;
}
