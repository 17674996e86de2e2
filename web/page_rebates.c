/* page_rebates.c — a contract's rebate report for a year, as a page and as CSV. */
#include "csvout.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "rebate.h"
#include "render.h"

/* The rebate report the page or CSV asks for (?contract ?year). */
static cJSON *rebates_for(Req *r, Err *e)
{
	const char *contract = req_query(r, "contract");
	char actor[300];
	long year = 0;

	if (!contract || !may_see_contract(r, contract)) {
		err_set(e, CL_ENOTFOUND, "choose a contract");
		return NULL;
	}
	if (req_query(r, "year") && pagekit_field_int(req_query(r, "year"), 1, 9999, &year)) {
		err_set(e, CL_EINPUT, "the year must be a number");
		return NULL;
	}
	if (!year) {
		int y;

		if (rebate_current_year(r->db, contract, r->today, &y, e))
			return NULL;
		year = y;
	}
	return rebate_report_json(r->db, contract, (int)year, r->today, NULL,
				  req_actor(r, actor, sizeof actor), e);
}

int page_rebates(Req *r)
{
	cJSON *ctx, *rep, *contracts;
	Err e = {0};

	if (!(contracts = pagekit_contract_choices(r, req_query(r, "contract"), &e)))
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, "Rebates");
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	if (req_query(r, "contract")) {
		rep = rebates_for(r, &e);
		if (rep)
			cJSON_AddItemToObject(ctx, "rebates", rep);
		else
			cJSON_AddStringToObject(ctx, "error", e.msg);
	}
	return render_page(r, 200, "rebates", ctx);
}

int page_rebates_csv(Req *r)
{
	static const char *const keys[] = {"agency", "net", "rebate"};
	cJSON *rep;
	Err e = {0};

	rep = rebates_for(r, &e);
	if (!rep)
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 400, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(rep, "allocations"), keys, 3), "rebates.csv");
	cJSON_Delete(rep);
	return 0;
}
