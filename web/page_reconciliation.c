/* page_reconciliation.c — the contract x quarter grid, remittances and closing quarters. */
#include <string.h>

#include "contract.h"
#include "handlers.h"
#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "remit.h"
#include "render.h"
#include "encode.h"

/* The contract x quarter grid: {"quarters": [..], "rows": [{contract,
 * cells: [{quarter, status, report, balance, days}]}]} from the revenue
 * summary's quarter rows. */
static cJSON *grid_json(const cJSON *rows)
{
	cJSON *g = cJSON_CreateObject(), *qs = cJSON_AddArrayToObject(g, "quarters"),
	      *out = cJSON_AddArrayToObject(g, "rows"), *x, *c = NULL;
	const char *last = "";

	/* quarters, in order, once each */
	cJSON_ArrayForEach(x, rows)
	{
		const char *q = cJSON_GetObjectItem(x, "quarter")->valuestring;
		cJSON *y;
		int seen = 0;

		cJSON_ArrayForEach(y, qs) seen |= strcmp(y->valuestring, q) == 0;
		if (!seen)
			cJSON_AddItemToArray(qs, cJSON_CreateString(q));
	}
	cJSON_ArrayForEach(x, rows)
	{
		const char *number = cJSON_GetObjectItem(x, "contract")->valuestring;

		if (strcmp(number, last) != 0) {
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "contract", number);
			cJSON_AddArrayToObject(c, "cells");
			cJSON_AddItemToArray(out, c);
			last = number;
		}
		cJSON_AddItemToArray(cJSON_GetObjectItem(c, "cells"), cJSON_Duplicate(x, 1));
	}
	return g;
}

int page_reconciliation(Req *r)
{
	cJSON *ctx, *rev, *contracts = NULL, *periods = NULL;
	RowSet rows;
	Err e = {0};

	rev = encode_revenue_report(r->db, 0, r->today, ENC_PAGE, &e);
	if (!rev || !(contracts = pagekit_contract_choices(r, req_query(r, "contract"), &e)) ||
	    !(periods = pagekit_rows(listing_periods(r->db, &rows, &e), &rows, NULL))) {
		cJSON_Delete(rev);
		cJSON_Delete(contracts);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "Reconciliation");
	page_remittances_add(r, ctx);
	cJSON_AddItemToObject(ctx, "grid", grid_json(cJSON_GetObjectItem(rev, "quarters")));
	cJSON_AddItemToObject(ctx, "revenue", rev);
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	cJSON_AddItemToObject(ctx, "periods", periods);
	return render_page(r, 200, "reconciliation", ctx);
}

int page_reconciliation_csv(Req *r)
{
	static const char *const keys[] = {"contract", "vendor",   "quarter",  "net_sales",
					   "fee",      "late_fee", "remitted", "balance",
					   "due_date", "status",   "report",   "days_past_due"};

	return revenue_csv(r, "quarters", keys, 12, "reconciliation.csv");
}

int page_period(Req *r)
{
	const char *action = req_field(r, "action");
	char actor[300], msg[ERR_MSG_MAX + 40];
	Quarter q;
	Err e = {0};
	ClCode rc;

	if (quarter_parse(req_field(r, "quarter") ? req_field(r, "quarter") : "", &q, &e))
		rc = CL_EINPUT;
	else if (action && strcmp(action, "reopen") == 0)
		rc = period_reopen(r->db, q, req_field(r, "reason"),
				   req_actor(r, actor, sizeof actor), &e);
	else
		rc = period_close(r->db, q, req_actor(r, actor, sizeof actor), &e);
	if (rc)
		snprintf(msg, sizeof msg, "Not changed: %s", e.msg);
	else
		snprintf(msg, sizeof msg, "Quarter %s is %s.", req_field(r, "quarter"),
			 action && strcmp(action, "reopen") == 0 ? "open again" : "closed");
	return (rc ? pagekit_back_err : pagekit_back_ok)(r, "/reconciliation", msg);
}
