/* page_rebates.c — a contract's rebate report for a year, as a page and as CSV. */
#include <string.h>

#include "csvout.h"
#include "encode.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "rebate.h"
#include "render.h"

/* The rebate report the page or CSV asks for (?contract ?year).  OUT:
 * *rep (free with rebate_report_free(), also on failure). */
static ClCode rebates_for(Req *r, RebateReport *rep, Err *e)
{
	const char *contract = req_query(r, "contract");
	char actor[300];
	long year = 0;
	int y;

	memset(rep, 0, sizeof *rep);
	if (!contract || !may_see_contract(r, contract))
		return err_set(e, CL_ENOTFOUND, "choose a contract");
	if (req_query(r, "year") && pagekit_field_int(req_query(r, "year"), 1, 9999, &year))
		return err_set(e, CL_EINPUT, "the year must be a number");
	if (!year) {
		if (rebate_current_year(r->db, contract, r->today, &y, e))
			return e->code;
		year = y;
	}
	return rebate_report(r->db, contract, (int)year, r->today, NULL,
			     req_actor(r, actor, sizeof actor), rep, e);
}

int page_rebates(Req *r)
{
	cJSON *ctx, *contracts;
	RebateReport rep;
	Err e = {0};

	if (!(contracts = pagekit_contract_choices(r, req_query(r, "contract"), &e)))
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, "Rebates");
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	if (req_query(r, "contract")) {
		if (rebates_for(r, &rep, &e))
			cJSON_AddStringToObject(ctx, "error", e.msg);
		else
			cJSON_AddItemToObject(ctx, "rebates", encode_rebates(&rep, ENC_PAGE));
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

	if (rebates_for(r, &rep, &e)) {
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
