/* page_reconciliation.c — the contract x quarter grid, remittances and closing quarters. */
#include <stdlib.h>
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

/* Every quarter of the books with its state: {quarter, closed, ended,
 * state, changed_at, changed_by, reason}. */
static cJSON *periods_json(Req *r, Err *e)
{
	PeriodRow *rows = NULL;
	cJSON *a;
	int n = 0, i;

	if (period_list(r->db, r->today, &rows, &n, e))
		return NULL;
	a = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char qt[QUARTER_BUF], last[DATE_BUF];

		cJSON_AddStringToObject(o, "quarter", quarter_format(rows[i].q, qt));
		cJSON_AddBoolToObject(o, "closed", rows[i].closed);
		cJSON_AddBoolToObject(o, "ended", rows[i].ended);
		cJSON_AddStringToObject(o, "state",
					rows[i].closed	? "closed"
					: rows[i].ended ? "open"
							: "open, not ended");
		cJSON_AddStringToObject(o, "last_day",
					date_format(quarter_last_day(rows[i].q), last));
		cJSON_AddStringToObject(o, "changed_at", rows[i].changed_at);
		cJSON_AddStringToObject(o, "changed_by", rows[i].changed_by);
		cJSON_AddStringToObject(o, "reason", rows[i].reason);
		cJSON_AddItemToArray(a, o);
	}
	free(rows);
	return a;
}

/* The reconciliation page; close (may be NULL) is the refused close of a
 * quarter with its blockers, shown by the close form. */
static int reconciliation_page(Req *r, int status, cJSON *close)
{
	cJSON *ctx, *rev, *contracts = NULL, *periods = NULL;
	Err e = {0};

	rev = encode_revenue_report(r->db, 0, r->today, ENC_PAGE, &e);
	if (!rev || !(contracts = pagekit_contract_choices(r, req_query(r, "contract"), &e)) ||
	    !(periods = periods_json(r, &e))) {
		cJSON_Delete(rev);
		cJSON_Delete(contracts);
		cJSON_Delete(close);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "Reconciliation");
	page_remittances_add(r, ctx);
	cJSON_AddItemToObject(ctx, "grid", grid_json(cJSON_GetObjectItem(rev, "quarters")));
	cJSON_AddItemToObject(ctx, "revenue", rev);
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	cJSON_AddItemToObject(ctx, "periods", periods);
	if (close)
		cJSON_AddItemToObject(ctx, "close", close);
	return render_page(r, status, "reconciliation", ctx);
}

int page_reconciliation(Req *r)
{
	return reconciliation_page(r, 200, NULL);
}

int page_reconciliation_csv(Req *r)
{
	static const char *const keys[] = {"contract", "vendor",   "quarter",  "net_sales",
					   "fee",      "late_fee", "remitted", "balance",
					   "due_date", "status",   "report",   "days_past_due"};

	return revenue_csv(r, "quarters", keys, 12, "reconciliation.csv");
}

/* The refused close of quarter q (text as typed) and its blockers. */
static cJSON *close_json(const char *typed, Quarter q, const PeriodBlockers *b, const Err *why)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "blockers");
	char line[300];
	int i;

	cJSON_AddStringToObject(o, "quarter", typed);
	cJSON_AddStringToObject(o, "refusal", why->msg);
	for (i = 0; i < b->n; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "contract", b->item[i].contract);
		cJSON_AddStringToObject(x, "kind",
					b->item[i].kind == PB_REPORT_MISSING ? "report_missing"
					: b->item[i].kind == PB_UNPAID	     ? "unpaid"
									     : "overcharge");
		cJSON_AddStringToObject(x, "text",
					period_blocker_text(&b->item[i], q, line, sizeof line));
		encode_money(x, "amount", b->item[i].amount, ENC_PAGE);
		cJSON_AddItemToArray(a, x);
	}
	return o;
}

int page_period(Req *r)
{
	const char *action = req_field(r, "action");
	const char *typed = req_field(r, "quarter") ? req_field(r, "quarter") : "";
	const char *confirm = req_field(r, "confirm");
	char actor[300], msg[ERR_MSG_MAX + 40];
	PeriodBlockers b = {NULL, 0};
	Quarter q;
	Err e = {0};
	ClCode rc;

	if (quarter_parse(typed, &q, &e))
		rc = CL_EINPUT;
	else if (action && strcmp(action, "reopen") == 0)
		rc = period_reopen(r->db, q, req_field(r, "reason"),
				   req_actor(r, actor, sizeof actor), &e);
	else
		rc = period_close_as_of(r->db, q, r->today, confirm && strcmp(confirm, "1") == 0,
					req_actor(r, actor, sizeof actor), &b, &e);
	if (rc && b.n > 0) {
		cJSON *close = close_json(typed, q, &b, &e);

		period_blockers_free(&b);
		return reconciliation_page(r, 409, close);
	}
	period_blockers_free(&b);
	if (rc)
		snprintf(msg, sizeof msg, "Not changed: %s", e.msg);
	else
		snprintf(msg, sizeof msg, "Quarter %s is %s.", typed,
			 action && strcmp(action, "reopen") == 0 ? "open again" : "closed");
	return (rc ? pagekit_back_err : pagekit_back_ok)(r, "/reconciliation", msg);
}
