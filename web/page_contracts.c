/* page_contracts.c — the contracts list, a contract's page and its fees as CSV. */
#include <string.h>

#include "compliance.h"
#include "contract.h"
#include "csvout.h"
#include "fees.h"
#include "handlers.h"
#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "rebate.h"
#include "render.h"

int page_contracts(Req *r)
{
	RowSet rows;
	Err e = {0};
	cJSON *ctx, *list = pagekit_rows(listing_contracts(r->db, &r->who, &rows, &e), &rows, NULL);

	if (!list)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, "Contracts");
	cJSON_AddItemToObject(ctx, "contracts", list);
	return render_page(r, 200, "contracts", ctx);
}

int page_contracts_csv(Req *r)
{
	static const char *const keys[] = {"number",   "title",	 "status", "start_date",
					   "end_date", "vendor", "lead",   "participants"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, listing_contracts(r->db, &r->who, &rows, &e), &rows, NULL, keys, 8,
			   "contracts.csv", &e);
}

/* A schedule's bands as rows {from, rate} for a table. */
static cJSON *bands_json(const cJSON *sched, const char *key)
{
	const cJSON *s = cJSON_GetObjectItem(sched, key);

	return s ? cJSON_Duplicate(s, 1) : cJSON_CreateArray();
}

/* The terms in plain words for the contract page. */
static void add_terms(cJSON *ctx, const cJSON *doc)
{
	const cJSON *fee = cJSON_GetObjectItem(doc, "fee"),
		    *reb = cJSON_GetObjectItem(doc, "rebates"),
		    *disc = cJSON_GetObjectItem(doc, "discounts");
	cJSON *t = cJSON_AddObjectToObject(ctx, "terms");

	cJSON *copy = cJSON_Duplicate(doc, 1), *late = cJSON_GetObjectItem(copy, "late_fee");
	const char *min = cJSON_GetStringValue(cJSON_GetObjectItem(late, "min"));
	char buf[MONEY_BUF];
	Money m;

	if (min && money_parse(min, &m, NULL) == CL_OK) /* "$200.00" for people */
		cJSON_AddStringToObject(late, "min_human", money_format_human(m, buf));
	cJSON_AddItemToObject(t, "doc", copy);
	cJSON_AddBoolToObject(t, "fee_graduated",
			      strcmp(cJSON_GetObjectItem(fee, "mode")->valuestring, "graduated") ==
				      0);
	cJSON_AddItemToObject(t, "fee_bands", bands_json(fee, "bands"));
	if (disc)
		cJSON_AddItemToObject(t, "discount_tiers", bands_json(disc, "tiers"));
	if (reb) {
		cJSON_AddBoolToObject(
			t, "rebate_graduated",
			strcmp(cJSON_GetObjectItem(reb, "mode")->valuestring, "graduated") == 0);
		cJSON_AddItemToObject(t, "rebate_tiers", bands_json(reb, "tiers"));
	}
}

int page_contract(Req *r)
{
	const char *number = r->param[0];
	char actor[300];
	cJSON *ctx, *doc;
	FeeSelect all = {0};
	int year;
	Err e = {0};

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no such contract");
	doc = contract_show_json(r->db, number, &e);
	if (!doc)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, number);
	add_terms(ctx, doc);
	cJSON_AddItemToObject(ctx, "contract", doc);
	if (r->who.role <= ROLE_FINANCE) {
		RowSet rows;
		cJSON *parts =
			pagekit_rows(listing_participants(r->db, number, &rows, &e), &rows, NULL);

		if (!parts) {
			cJSON_Delete(ctx);
			return resp_error(r, 500, "%s", e.msg);
		}
		cJSON_AddItemToObject(ctx, "participants", parts);
	}
	if (r->who.role != ROLE_MEMBER)
		cJSON_AddItemToObject(ctx, "fees",
				      fees_report_json(r->db, number, &all, r->today, &e));
	if (r->who.role != ROLE_VENDOR &&
	    rebate_current_year(r->db, number, r->today, &year, NULL) == CL_OK)
		cJSON_AddItemToObject(
			ctx, "rebates",
			rebate_report_json(r->db, number, year, r->today,
					   r->who.role == ROLE_MEMBER ? r->who.agency : NULL,
					   req_actor(r, actor, sizeof actor), &e));
	if (r->who.role <= ROLE_FINANCE)
		cJSON_AddItemToObject(ctx, "compliance",
				      compliance_report_json(r->db, number, NULL, NULL, &e));
	return render_page(r, 200, "contract", ctx);
}

int page_fees_csv(Req *r)
{
	static const char *const keys[] = {"quarter",  "net_sales",    "fee",	   "late_fee",
					   "remitted", "balance",      "due_date", "status",
					   "report",   "days_past_due"};
	char name[120];
	FeeSelect all = {0};
	cJSON *f;
	Err e = {0};

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	f = fees_report_json(r->db, r->param[0], &all, r->today, &e);
	if (!f)
		return resp_error(r, 500, "%s", e.msg);
	snprintf(name, sizeof name, "%s-fees.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(f, "quarters"), keys, 10), name);
	cJSON_Delete(f);
	return 0;
}
