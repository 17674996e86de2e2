/* page_agencies.c — the agencies list and an agency's page with its purchase lines. */
#include <stdio.h>

#include "agency.h"
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

/* Put alert (when given) in ctx as the page's refusal, in place of the
 * session's message. */
static void page_alert(cJSON *ctx, const char *alert)
{
	if (!alert)
		return;
	cJSON_DeleteItemFromObject(ctx, "notice");
	cJSON_DeleteItemFromObject(ctx, "alert");
	cJSON_AddStringToObject(ctx, "alert", alert);
}

/* Every agency whose code or name holds ?q= (any case), searched in the
 * database a page at a time, with page numbers that keep the search; for
 * an admin the forms that add agencies, the add form being form (taken
 * over; NULL: a blank one) refused with alert (may be NULL). */
int agencies_page(Req *r, int status, cJSON *form, const char *alert)
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
	AgencyIn blank = {.public_entity = 1};

	if (!list || listing_agencies_count(r->db, q, &total, &e)) {
		cJSON_Delete(list);
		cJSON_Delete(form);
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
	cJSON_AddItemToObject(ctx, "form", form ? form : agency_form(&blank, 1));
	page_alert(ctx, alert);
	return render_page(r, status, "agencies", ctx);
}

int page_agencies(Req *r)
{
	return agencies_page(r, 200, NULL, NULL);
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

/* The agency's record for the page: "record" (code, name, kind, state,
 * public_entity, address, kind's words), its "contacts", and for an admin
 * the forms that change them, from extra's "edit", "contact" and
 * "contact_ID" when a form was refused.  Returns 0, or -1 with e set. */
static int add_record(Req *r, cJSON *ctx, cJSON *extra, Err *e)
{
	RowSet rec, cs;
	cJSON *rows, *c, *one;
	AgencyIn a;
	char key[40];

	if (agency_get(r->db, r->param[0], &rec, e) || !(rows = pagekit_rows(CL_OK, &rec, NULL))) {
		rowset_free(&rec);
		return -1;
	}
	one = cJSON_DetachItemFromArray(rows, 0);
	cJSON_Delete(rows);
	cJSON_AddItemToObject(ctx, "record", one);
	a = (AgencyIn){cJSON_GetStringValue(cJSON_GetObjectItem(one, "code")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(one, "name")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(one, "kind")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(one, "state")),
		       (int)cJSON_GetNumberValue(cJSON_GetObjectItem(one, "public_entity")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(one, "address")),
		       NULL};
	cJSON_AddBoolToObject(one, "public", a.public_entity);
	if (!(c = cJSON_DetachItemFromObject(extra, "edit")))
		c = agency_form(&a, 1);
	cJSON_AddItemToObject(ctx, "edit", c);
	if (!(rows = pagekit_rows(agency_contacts(r->db, r->param[0], &cs, e), &cs, NULL)))
		return -1;
	cJSON_ArrayForEach(c, rows)
	{
		ContactIn in = {
			cJSON_GetStringValue(cJSON_GetObjectItem(c, "name")),
			cJSON_GetStringValue(cJSON_GetObjectItem(c, "email")),
			cJSON_GetStringValue(cJSON_GetObjectItem(c, "role")),
			(int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "receives_notices"))};

		snprintf(key, sizeof key, "contact_%lld",
			 (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "id")));
		cJSON_AddBoolToObject(c, "notices", in.receives_notices);
		if (!(one = cJSON_DetachItemFromObject(extra, key)))
			one = contact_form(&in);
		cJSON_AddStringToObject(one, "of", in.email ? in.email : "");
		cJSON_AddStringToObject(one, "form_id", key);
		cJSON_AddItemToObject(c, "form", one);
	}
	cJSON_AddBoolToObject(ctx, "contacts_any", cJSON_GetArraySize(rows) > 0);
	cJSON_AddItemToObject(ctx, "contacts", rows);
	return 0;
}

/* The new-contact form: extra's "contact" when one was refused, else a
 * blank one that receives notices. */
static cJSON *new_contact_form(cJSON *extra)
{
	ContactIn blank = {.receives_notices = 1};
	cJSON *f = cJSON_DetachItemFromObject(extra, "contact");

	if (!f)
		f = contact_form(&blank);
	cJSON_AddStringToObject(f, "form_id", "contact_new");
	return f;
}

/* One agency: its record and contacts (with their forms for an admin),
 * each contract's totals and rebate share, then its purchase lines a page
 * at a time (the summary's own lines are dropped: a big district has
 * thousands).  extra (taken over; may be NULL) holds refused forms, alert
 * (may be NULL) their refusal. */
int agency_page(Req *r, int status, cJSON *extra, const char *alert)
{
	char actor[300];
	long page, off = page_offset(r, &page);
	cJSON *ctx, *s, *c, *rows;
	RowSet lines;
	ClCode rc;
	int more;
	Err e = {0};

	if (!may_see_agency(r, r->param[0])) {
		cJSON_Delete(extra);
		return resp_error(r, 404, "there is no such agency");
	}
	s = encode_agency_page(r->db, r->param[0], 0, r->today, req_actor(r, actor, sizeof actor),
			       &e);
	if (!s) {
		cJSON_Delete(extra);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(s, "contracts"))
		cJSON_DeleteItemFromObject(c, "lines");
	ctx = pagekit_ctx(r, r->param[0]);
	/* not "agency": the layout's header reads that as the signed-in
	 * user's own agency */
	cJSON_AddItemToObject(ctx, "subject", s);
	if (r->who.role <= ROLE_FINANCE) {
		if (!extra)
			extra = cJSON_CreateObject();
		if (add_record(r, ctx, extra, &e)) {
			cJSON_Delete(extra);
			cJSON_Delete(ctx);
			return resp_error(r, 500, "%s", e.msg);
		}
		cJSON_AddItemToObject(ctx, "new_contact", new_contact_form(extra));
		cJSON_AddStringToObject(ctx, "agency_code", r->param[0]);
	}
	cJSON_Delete(extra);
	rc = listing_agency_lines(r->db, r->param[0], NULL, off, PAGE_ROWS, &lines, &e);
	more = lines.more;
	if (!(rows = pagekit_rows(rc, &lines, line_money))) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddItemToObject(ctx, "purchases", rows);
	add_paging(ctx, page, more, "");
	page_alert(ctx, alert);
	return render_page(r, status, "agency", ctx);
}

int page_agency(Req *r)
{
	return agency_page(r, 200, NULL, NULL);
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
