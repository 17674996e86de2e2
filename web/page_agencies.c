/* page_agencies.c — the agencies list and an agency's page with its purchase lines. */
#include <stdio.h>

#include "csvout.h"
#include "handlers.h"
#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "encode.h"

/* Agencies matching ?q= (code or name), a page at a time.  OUT: *more. */
static cJSON *agencies_query(Req *r, long offset, int limit, int *more, Err *e)
{
	return listing_agencies(r->db, req_query(r, "q"), offset, limit, more, e);
}

int page_agencies(Req *r)
{
	return pagekit_search_page(r, "Agencies", "agencies", "agencies", agencies_query);
}

int page_agencies_csv(Req *r)
{
	static const char *const keys[] = {"code",  "name",	     "kind",
					   "state", "public_entity", "contracts"};
	int more = 0;
	Err e = {0};
	cJSON *all = agencies_query(r, 0, 0, &more, &e);

	if (!all)
		return resp_error(r, 500, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(all, keys, 6), "agencies.csv");
	cJSON_Delete(all);
	return 0;
}

/* One agency: each contract's totals and rebate share, then its purchase
 * lines a page at a time (the summary's own lines are dropped: a big
 * district has thousands). */
int page_agency(Req *r)
{
	static const char *const money[] = {"list_amount", "invoiced_amount", "savings"};
	char actor[300], qt[QUARTER_BUF];
	Quarter last = quarter_of(quarter_first_day(quarter_of(r->today)) - 1);
	long page, off = page_offset(r, &page);
	cJSON *ctx, *s, *c, *rows;
	int more = 0;
	Err e = {0};

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "there is no such agency");
	s = encode_agency_report(r->db, r->param[0], NULL, NULL, r->today,
				 req_actor(r, actor, sizeof actor), ENC_PAGE, &e);
	if (!s)
		return resp_error(r, 500, "%s", e.msg);
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(s, "contracts"))
	{
		cJSON_AddNumberToObject(c, "line_count",
					cJSON_GetArraySize(cJSON_GetObjectItem(c, "lines")));
		cJSON_DeleteItemFromObject(c, "lines");
		cJSON_AddStringToObject(c, "statement_quarter", quarter_format(last, qt));
	}
	ctx = pagekit_ctx(r, r->param[0]);
	cJSON_AddItemToObject(ctx, "agency", s);
	rows = listing_agency_lines(r->db, r->param[0], NULL, off, PAGE_ROWS, &more, &e);
	if (!rows) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	pagekit_money_columns(rows, money, 3);
	cJSON_AddItemToObject(ctx, "purchases", rows);
	add_paging(ctx, page, more, "");
	return render_page(r, 200, "agency", ctx);
}

int page_agency_csv(Req *r)
{
	static const char *const money[] = {"list_amount", "invoiced_amount", "savings"};
	static const char *const keys[] = {
		"id",	       "contract",	  "agency", "invoice_date",
		"po_number",   "invoice_number",  "line",   "description",
		"list_amount", "invoiced_amount", "savings"};
	const char *contract = req_query(r, "contract");
	char name[120];
	cJSON *rows;
	int more = 0;
	Err e = {0};

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "there is no such agency");
	if (contract && *contract && !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	rows = listing_agency_lines(r->db, r->param[0], contract && *contract ? contract : NULL, 0,
				    0, &more, &e);
	if (!rows)
		return resp_error(r, 500, "%s", e.msg);
	pagekit_money_columns(rows, money, 3);
	snprintf(name, sizeof name, "%.100s-purchases.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 11), name);
	cJSON_Delete(rows);
	return 0;
}
