/* page_contracts.c — the contracts list, a contract's page and its fees as CSV. */
#include <string.h>

#include "compliance.h"
#include "contract.h"
#include "csvout.h"
#include "db.h"
#include "fees.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "rebate.h"
#include "render.h"

/* The contracts the caller may see, with vendor, lead agency and size. */
static cJSON *contracts_list(Req *r)
{
	cJSON *all, *c, *list = cJSON_CreateArray();
	sqlite3_stmt *st = NULL;
	int more = 0;

	if (db_prepare(r->db, &st,
		       "SELECT c.number, c.title, c.status, c.start_date, c.end_date, v.name AS "
		       "vendor, "
		       "a.name AS lead, (SELECT count(*) FROM participant p WHERE p.contract_id = "
		       "c.id) "
		       "AS participants FROM contract c JOIN vendor v ON v.id = c.vendor_id "
		       "JOIN agency a ON a.id = c.lead_agency_id ORDER BY c.number",
		       NULL))
		return list;
	all = pagekit_rows_json(st, 0, &more);
	sqlite3_finalize(st);
	cJSON_ArrayForEach(
		c, all) if (may_see_contract(r, cJSON_GetObjectItem(c, "number")->valuestring))
		cJSON_AddItemToArray(list, cJSON_Duplicate(c, 1));
	cJSON_Delete(all);
	return list;
}

int page_contracts(Req *r)
{
	cJSON *ctx = pagekit_ctx(r, "Contracts");

	cJSON_AddItemToObject(ctx, "contracts", contracts_list(r));
	return render_page(r, 200, "contracts", ctx);
}

int page_contracts_csv(Req *r)
{
	static const char *const keys[] = {"number",   "title",	 "status", "start_date",
					   "end_date", "vendor", "lead",   "participants"};
	cJSON *list = contracts_list(r);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(list, keys, 8), "contracts.csv");
	cJSON_Delete(list);
	return 0;
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

/* The participants of a contract (staff only). */
static cJSON *participants_json(Req *r, const char *number)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr;
	int more = 0;

	if (db_prepare(r->db, &st,
		       "SELECT a.code, a.name, p.joined FROM participant p JOIN agency a ON a.id = "
		       "p.agency_id JOIN contract c ON c.id = p.contract_id WHERE c.number = ? "
		       "ORDER BY p.joined, a.code",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "t", number);
	arr = pagekit_rows_json(st, 0, &more);
	sqlite3_finalize(st);
	return arr;
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
	if (r->who.role <= ROLE_FINANCE)
		cJSON_AddItemToObject(ctx, "participants", participants_json(r, number));
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
