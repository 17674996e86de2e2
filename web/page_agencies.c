/* page_agencies.c — the agencies list and an agency's page with its purchase lines. */
#include <stdio.h>

#include "handlers.h"
#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "encode.h"

/* The money columns of an agency's purchase lines. */
static const char *const line_money[] = {"list_amount", "invoiced_amount", "savings", NULL};

/* Agencies matching ?q= (code or name), a page at a time.  OUT: *out. */
static ClCode agencies_query(Req *r, long offset, int limit, RowSet *out, Err *e)
{
	return listing_agencies(r->db, req_query(r, "q"), offset, limit, out, e);
}

/* Every agency whose code or name holds ?q= (any case), searched in the
 * database a page at a time, with page numbers that keep the search. */
int page_agencies(Req *r)
{
	const char *q = req_query(r, "q");
	char link[700] = "q=";
	long page, off = page_offset(r, &page);
	int64_t total = 0;
	RowSet rows;
	Err e = {0};
	ClCode rc = agencies_query(r, off, PAGE_ROWS, &rows, &e);
	int more = rows.more;
	cJSON *ctx, *list = pagekit_rows(rc, &rows, NULL);

	if (!list || listing_agencies_count(r->db, q, &total, &e)) {
		cJSON_Delete(list);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "Agencies");
	cJSON_AddBoolToObject(ctx, "any", cJSON_GetArraySize(list) > 0);
	cJSON_AddItemToObject(ctx, "agencies", list);
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	cJSON_AddNumberToObject(ctx, "found", (double)total);
	pagekit_url_encode(q ? q : "", link + 2, sizeof link - 2);
	add_paging(ctx, page, more, link);
	add_page_numbers(ctx, page, total);
	return render_page(r, 200, "agencies", ctx);
}

int page_agencies_csv(Req *r)
{
	static const char *const keys[] = {"code",  "name",	     "kind",
					   "state", "public_entity", "contracts"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, agencies_query(r, 0, 0, &rows, &e), &rows, NULL, keys, 6,
			   "agencies.csv", &e);
}

/* One agency: each contract's totals and rebate share, then its purchase
 * lines a page at a time (the summary's own lines are dropped: a big
 * district has thousands). */
int page_agency(Req *r)
{
	char actor[300];
	long page, off = page_offset(r, &page);
	cJSON *ctx, *s, *c, *rows;
	RowSet lines;
	ClCode rc;
	int more;
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
		encode_statement_quarters(c, r->today);
		cJSON_DeleteItemFromObject(c, "lines");
	}
	ctx = pagekit_ctx(r, r->param[0]);
	/* not "agency": the layout's header reads that as the signed-in
	 * user's own agency */
	cJSON_AddItemToObject(ctx, "subject", s);
	rc = listing_agency_lines(r->db, r->param[0], NULL, off, PAGE_ROWS, &lines, &e);
	more = lines.more;
	if (!(rows = pagekit_rows(rc, &lines, line_money))) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddItemToObject(ctx, "purchases", rows);
	add_paging(ctx, page, more, "");
	return render_page(r, 200, "agency", ctx);
}

int page_agency_csv(Req *r)
{
	static const char *const keys[] = {
		"id",	       "contract",	  "agency", "invoice_date",
		"po_number",   "invoice_number",  "line",   "description",
		"list_amount", "invoiced_amount", "savings"};
	const char *contract = req_query(r, "contract");
	char name[120];
	RowSet rows;
	ClCode rc;
	Err e = {0};

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "there is no such agency");
	if (contract && *contract && !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	rc = listing_agency_lines(r->db, r->param[0], contract && *contract ? contract : NULL, 0, 0,
				  &rows, &e);
	snprintf(name, sizeof name, "%.100s-purchases.csv", r->param[0]);
	return pagekit_csv(r, rc, &rows, line_money, keys, 11, name, &e);
}
