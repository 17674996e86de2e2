/* page_inquiry.c — completeness inquiries on the web (DOMAIN.md 4.7,
 * core/inquiry.h): the Completeness page's send button, the API, the CSV
 * as it was sent, and the lists on the vendor's portal and record page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "handlers.h"
#include "inquiry.h"
#include "outbox.h"
#include "pagekit.h"
#include "pages.h"

/* The inquiry as JSON: {"id", "contract", "vendor", "quarter", "sent_on",
 * "sent_by", "po_count", "gap", "fee_at_risk", "notices", "csv"}. */
static cJSON *inquiry_json(const Inquiry *inq)
{
	char qt[QUARTER_BUF], day[DATE_BUF], href[40];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)inq->id);
	cJSON_AddStringToObject(o, "contract", inq->contract);
	cJSON_AddStringToObject(o, "vendor", inq->vendor);
	cJSON_AddStringToObject(o, "quarter", quarter_format(inq->q, qt));
	cJSON_AddStringToObject(o, "sent_on", date_format(inq->sent_on, day));
	cJSON_AddStringToObject(o, "sent_by", inq->actor);
	cJSON_AddNumberToObject(o, "po_count", inq->po_count);
	encode_money(o, "gap", inq->gap, ENC_DATA);
	encode_money(o, "fee_at_risk", inq->fee_at_risk, ENC_DATA);
	cJSON_AddNumberToObject(o, "notices", inq->notices);
	snprintf(href, sizeof href, "/inquiries/%lld.csv", (long long)inq->id);
	cJSON_AddStringToObject(o, "csv", href);
	return o;
}

/* Send the inquiry of contract number for the quarter text period as of
 * the request's day.  OUT: *inq; e set on refusal. */
static ClCode send_from(Req *r, const char *number, const char *period, Inquiry *inq, Err *e)
{
	char actor[300];
	Quarter q;

	if (!period || !*period)
		return err_set(e, CL_EINPUT, "period: give the quarter to ask about, as 2026-Q2");
	if (quarter_parse(period, &q, e)) {
		err_prefix(e, "period");
		return e->code;
	}
	return inquiry_send(r->db, number, q, r->today, outbox_now(),
			    req_actor(r, actor, sizeof actor), inq, e);
}

/* POST /contracts/:number/inquiries (form: period): back to the contract's
 * Completeness page with what was sent, or why not. */
int page_inquiry_send(Req *r)
{
	const char *number = r->param[0];
	char path[120], msg[ERR_MSG_MAX + 300], gap[MONEY_BUF], fee[MONEY_BUF], qt[QUARTER_BUF];
	Inquiry inq = {0};
	Err e = {0};

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no such contract");
	snprintf(path, sizeof path, "/contracts/%.80s/completeness", number);
	if (send_from(r, number, req_field(r, "period"), &inq, &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such contract");
		if (e.code == CL_EDB || e.code == CL_ENOMEM)
			return resp_error(r, 500, "%s", e.msg);
		snprintf(msg, sizeof msg, "Inquiry not sent: %s", e.msg);
		return pagekit_back_err(r, path, msg);
	}
	snprintf(msg, sizeof msg,
		 "Inquiry sent to %s about %d purchase order%s dated %s or earlier: %s missing "
		 "from the reports, fee at risk %s. %d notice%s queued; %s out with the next "
		 "send.",
		 inq.vendor, inq.po_count, inq.po_count == 1 ? "" : "s", quarter_format(inq.q, qt),
		 money_format_human(inq.gap, gap), money_format_human(inq.fee_at_risk, fee),
		 inq.notices, inq.notices == 1 ? "" : "s",
		 inq.notices == 1 ? "it goes" : "they go");
	return pagekit_back_ok(r, path, msg);
}

/* POST /api/v1/contracts/:number/inquiries {"period": "2026-Q2"}: 201 with
 * the inquiry; 400 a bad period or a quarter outside the term, 404 no such
 * contract, 409 already sent today, nothing to ask, or no vendor
 * contact. */
int api_inquiry_send(Req *r)
{
	static const int status[] = {
		[CL_OK] = 201,	  [CL_EINPUT] = 400, [CL_ENOTFOUND] = 404, [CL_ECONFLICT] = 409,
		[CL_ERULE] = 409, [CL_EDB] = 500,    [CL_ENOMEM] = 413,	   [CL_EIO] = 500};
	const char *number = r->param[0];
	char *period = NULL;
	Inquiry inq = {0};
	Err e = {0};
	ClCode rc;
	cJSON *o;

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "no such contract");
	if (!(o = api_body_or_400(r)))
		return 0;
	if (api_str(o, "period"))
		period = strdup(api_str(o, "period"));
	cJSON_Delete(o);
	if (!period)
		return resp_error(r, 400, "give \"period\" as a string, such as \"2026-Q2\"");
	rc = send_from(r, number, period, &inq, &e);
	free(period);
	if (rc)
		return resp_error(r, status[rc], "%s", e.msg);
	return resp_json(r, 201, inquiry_json(&inq));
}

/* GET /inquiries/:id.csv: the CSV the inquiry carried, for staff and the
 * vendor it went to; anyone else is told there is none. */
int page_inquiry_csv(Req *r)
{
	const char *p = r->param[0];
	char name[200], *end, *csv = NULL;
	long long id = strtoll(p, &end, 10);
	size_t len = 0;
	Inquiry inq;
	Err e = {0};
	ClCode rc;

	if (end == p || *p == '-' || strcmp(end, ".csv") != 0 || id <= 0)
		return resp_error(r, 404, "there is no such inquiry");
	rc = inquiry_load(r->db, id, &inq, &e);
	if (rc == CL_ENOTFOUND ||
	    (!rc && r->who.role != ROLE_ADMIN && r->who.role != ROLE_FINANCE &&
	     !(r->who.role == ROLE_VENDOR && r->who.vendor_id == inq.vendor_id)))
		return resp_error(r, 404, "there is no such inquiry");
	if (!rc)
		rc = inquiry_csv(r->db, inq.id, &csv, &len, &e);
	if (rc)
		return resp_error(r, 500, "%s", e.msg);
	inquiry_csv_name(&inq, name, sizeof name);
	return resp_text(r, 200, "text/csv; charset=utf-8", csv, name);
}

cJSON *page_inquiries(Req *r, const char *vendor, const char *contract, Err *e)
{
	static const char *const money[] = {"gap", "fee_at_risk", NULL};
	RowSet rs;
	cJSON *list;

	if (inquiry_list(r->db, vendor, contract, &rs, e)) {
		rowset_free(&rs);
		return NULL;
	}
	list = encode_rowset(&rs, money, ENC_PAGE);
	rowset_free(&rs);
	return list;
}
