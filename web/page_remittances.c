/* page_remittances.c — remittances on the reconciliation page: recording
 * one (a repeat of a live one asks to be confirmed as a second payment),
 * the list with each one's state, and reversing one. */
#include <string.h>

#include "encode.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "remit.h"
#include "render.h"

static const char *const money_cols[] = {"amount", NULL};

/* A form field, "" when absent. */
static const char *field(Req *r, const char *name)
{
	const char *v = req_field(r, name);

	return v ? v : "";
}

void page_remittances_add(Req *r, cJSON *ctx)
{
	const char *contract = req_query(r, "contract");
	char enc[200], query[220] = "";
	long page, off = page_offset(r, &page);
	RowSet rs;
	Err e = {0};

	if (contract && !*contract)
		contract = NULL;
	if (remit_list(r->db, contract, off, PAGE_ROWS, &rs, &e)) {
		cJSON_AddStringToObject(ctx, "remittances_error", e.msg);
		return;
	}
	cJSON_AddItemToObject(ctx, "remittances", encode_rowset(&rs, money_cols, ENC_PAGE));
	cJSON_AddBoolToObject(ctx, "remittances_any", rs.nrow > 0);
	if (contract) {
		pagekit_url_encode(contract, enc, sizeof enc);
		snprintf(query, sizeof query, "contract=%s", enc);
		cJSON_AddStringToObject(ctx, "remittances_of", contract);
	}
	add_paging(ctx, page, rs.more, query);
	rowset_free(&rs);
}

/* The remittance the form describes.  OUT: *in; e says what is wrong. */
static ClCode remit_form(Req *r, RemitIn *in, Err *e)
{
	in->contract = req_field(r, "contract");
	in->reference = req_field(r, "reference");
	in->again = strcmp(field(r, "again"), "1") == 0;
	if (quarter_parse(field(r, "period"), &in->quarter, e) ||
	    money_parse(field(r, "amount"), &in->amount, e) ||
	    date_parse(field(r, "received"), &in->received, e))
		return e->code;
	return CL_OK;
}

/* The refusal of a repeated remittance (why): the live one it repeats
 * (twin), and the form again with what was typed and the box that
 * confirms a second payment. */
static int remit_confirm_page(Req *r, int64_t twin, const Err *why)
{
	cJSON *ctx, *typed, *contracts;
	RowSet rs;
	Err e = {0};

	if (remit_get(r->db, twin, &rs, &e) ||
	    !(contracts = pagekit_contract_choices(r, field(r, "contract"), &e))) {
		rowset_free(&rs);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "Remittance not recorded");
	cJSON_AddStringToObject(ctx, "refusal", why->msg);
	cJSON_AddItemToObject(ctx, "existing", encode_rowset(&rs, money_cols, ENC_PAGE));
	rowset_free(&rs);
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	typed = cJSON_AddObjectToObject(ctx, "typed");
	cJSON_AddStringToObject(typed, "period", field(r, "period"));
	cJSON_AddStringToObject(typed, "amount", field(r, "amount"));
	cJSON_AddStringToObject(typed, "received", field(r, "received"));
	cJSON_AddStringToObject(typed, "reference", field(r, "reference"));
	return render_page(r, 409, "remit_confirm", ctx);
}

int page_remit(Req *r)
{
	const char *contract = req_field(r, "contract");
	char actor[300], msg[ERR_MSG_MAX + 60], money[MONEY_BUF];
	RemitIn in = {0};
	int64_t twin = 0;
	Err e = {0};
	ClCode rc;

	if (!contract || !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	rc = remit_form(r, &in, &e);
	if (!rc)
		rc = remit_add_as_of(r->db, &in, r->today, req_actor(r, actor, sizeof actor), NULL,
				     &e);
	if (rc == CL_ECONFLICT && !in.again && !remit_find_live(r->db, &in, &twin, NULL) && twin)
		return remit_confirm_page(r, twin, &e);
	if (rc) {
		snprintf(msg, sizeof msg, "Remittance not recorded: %s", e.msg);
		return pagekit_back_err(r, "/reconciliation", msg);
	}
	snprintf(msg, sizeof msg, "Recorded %s from %s for %s%s.",
		 money_format_human(in.amount, money), contract, field(r, "period"),
		 in.again ? " as a second payment" : "");
	return pagekit_back_ok(r, "/reconciliation", msg);
}

int page_remit_reverse(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40];
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such remittance");
	if (remit_reverse(r->db, id, req_field(r, "reason"), req_actor(r, actor, sizeof actor),
			  &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such remittance");
		snprintf(msg, sizeof msg, "Not reversed: %s", e.msg);
		return pagekit_back_err(r, "/reconciliation", msg);
	}
	snprintf(msg, sizeof msg, "Remittance %ld reversed; it counts nowhere now.", id);
	return pagekit_back_ok(r, "/reconciliation", msg);
}
