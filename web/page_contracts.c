/* page_contracts.c — the contracts list, a contract's page and its fees as CSV. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compliance.h"
#include "contract.h"
#include "csvout.h"
#include "encode.h"
#include "fees.h"
#include "handlers.h"
#include "listing.h"
#include "ocds.h"
#include "pagekit.h"
#include "pages.h"
#include "rebate.h"
#include "remit.h"
#include "render.h"

int page_contracts(Req *r)
{
	RowSet rows;
	Err e = {0};
	cJSON *ctx, *list = pagekit_rows(listing_contracts(r->db, &r->who, &rows, &e), &rows, NULL);

	if (!list)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, "Contracts");
	cJSON_AddItemToObject(ctx, "contracts", list);
	return render_page(r, 200, "contracts", ctx);
}

int page_contracts_csv(Req *r)
{
	static const char *const keys[] = {"number",   "title",	 "status", "start_date",
					   "end_date", "vendor", "lead",   "participants"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, listing_contracts(r->db, &r->who, &rows, &e), &rows, NULL, keys, 8,
			   "contracts.csv", &e);
}

/* The bands of doc[key][list] as rows {from, rate} for a table. */
static cJSON *bands_json(const cJSON *doc, const char *key, const char *list)
{
	const cJSON *s = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, key), list);

	return s ? cJSON_Duplicate(s, 1) : cJSON_CreateArray();
}

/* The terms t in plain words for the contract page; doc is the contract
 * as encode_contract() writes it for a page. */
static void add_terms(cJSON *ctx, const cJSON *doc, const Terms *t)
{
	cJSON *o = cJSON_AddObjectToObject(ctx, "terms"), *copy = cJSON_Duplicate(doc, 1);
	char buf[MONEY_BUF];

	if (t->has_late_fee) /* "$200.00" for people */
		cJSON_AddStringToObject(cJSON_GetObjectItem(copy, "late_fee"), "min_human",
					money_format_human(t->late_fee_min, buf));
	cJSON_AddItemToObject(o, "doc", copy);
	cJSON_AddBoolToObject(o, "fee_graduated", t->fee.mode == SCHED_GRADUATED);
	cJSON_AddItemToObject(o, "fee_bands", bands_json(doc, "fee", "bands"));
	if (t->discounts.present)
		cJSON_AddItemToObject(o, "discount_tiers", bands_json(doc, "discounts", "tiers"));
	if (t->rebates.present) {
		cJSON_AddBoolToObject(o, "rebate_graduated", t->rebates.mode == SCHED_GRADUATED);
		cJSON_AddItemToObject(o, "rebate_tiers", bands_json(doc, "rebates", "tiers"));
	}
}

/* ctx[key] = o; 0, or -1 when o is NULL (its builder set the error). */
static int add_report(cJSON *ctx, const char *key, cJSON *o)
{
	if (!o)
		return -1;
	cJSON_AddItemToObject(ctx, key, o);
	return 0;
}

/* The label of rebate year of the contract with terms t on o. */
static void add_year_label(cJSON *o, const Terms *t, int year)
{
	int kind = t->rebates.year == YEAR_CONTRACT;
	YearRange yr = sched_year_range(kind, t->start, year);
	char label[96];

	cJSON_AddStringToObject(
		o, "year_label",
		encode_year_label(!kind, year, yr.first, yr.last, label, sizeof label));
}

/* The fees, this year's rebates and the compliance of the contract with
 * terms t, as far as r's role may see them.  0, or -1 with e set. */
static int add_reports(Req *r, cJSON *ctx, const Terms *t, Err *e)
{
	const char *only = r->who.role == ROLE_MEMBER ? r->who.agency : NULL;
	FeeSelect all = {0};
	char actor[300];
	int year;

	if (r->who.role != ROLE_MEMBER &&
	    add_report(ctx, "fees",
		       encode_fees_report(r->db, t->number, &all, r->today, ENC_PAGE, e)))
		return -1;
	if (r->who.role != ROLE_VENDOR && t->rebates.present) {
		if (rebate_current_year(r->db, t->number, r->today, &year, e) ||
		    add_report(ctx, "rebates",
			       encode_rebate_report(r->db, t->number, year, r->today, only,
						    req_actor(r, actor, sizeof actor), ENC_PAGE,
						    e)))
			return -1;
		add_year_label(cJSON_GetObjectItem(ctx, "rebates"), t, year);
	}
	if (r->who.role <= ROLE_FINANCE &&
	    add_report(ctx, "compliance",
		       encode_compliance_report(r->db, t->number, NULL, NULL, 0, -1, ENC_PAGE,
						e))) /* its totals */
		return -1;
	return 0;
}

/* Every remittance recorded for contract number, reversed ones included,
 * as the reconciliation page lists them.  0, or -1 with e set. */
static int add_remittances(Req *r, cJSON *ctx, const char *number, Err *e)
{
	static const char *const money[] = {"amount", NULL};
	RowSet rs;
	cJSON *rows = pagekit_rows(remit_list(r->db, number, 0, 0, &rs, e), &rs, money);

	if (!rows)
		return -1;
	cJSON_AddItemToObject(ctx, "remittances", rows);
	return 0;
}

/* ?on=: the day whose terms the page shows (today when absent).  OUT: *on;
 * -1 (with ctx's alert) when it is not a date. */
static int on_param(Req *r, Date *on, char *why, size_t n)
{
	const char *v = req_query(r, "on");
	Err e = {0};

	*on = r->today;
	if (!v || !*v)
		return 0;
	if (date_parse(v, on, &e)) {
		snprintf(why, n, "Showing today's terms: %s", e.msg);
		*on = r->today;
		return -1;
	}
	return 0;
}

/* Move every item of extra (taken over; may be NULL) into ctx, in place
 * of any of the same name, and put alert (may be NULL) as the page's
 * refusal. */
static void add_extra(cJSON *ctx, cJSON *extra, const char *alert)
{
	cJSON *item;

	while (extra && (item = extra->child)) {
		cJSON_DetachItemViaPointer(extra, item);
		cJSON_DeleteItemFromObject(ctx, item->string);
		cJSON_AddItemToObject(ctx, item->string, item);
	}
	cJSON_Delete(extra);
	if (alert) {
		cJSON_DeleteItemFromObject(ctx, "notice");
		cJSON_DeleteItemFromObject(ctx, "alert");
		cJSON_AddStringToObject(ctx, "alert", alert);
	}
}

int contract_page(Req *r, int status, cJSON *extra, const char *alert)
{
	const char *number = r->param[0];
	char why[ERR_MSG_MAX + 40] = "";
	ContractShow show;
	cJSON *ctx, *doc;
	Date on;
	int publish = 0;
	Err e = {0};

	if (!may_see_contract(r, number)) {
		cJSON_Delete(extra);
		return resp_error(r, 404, "there is no such contract");
	}
	on_param(r, &on, why, sizeof why);
	if (contract_show(r->db, number, on, &show, &e)) {
		cJSON_Delete(extra);
		return resp_error(r, 500, "%s", e.msg);
	}
	doc = encode_contract(&show, ENC_PAGE);
	contract_show_free(&show);
	if (!doc) {
		cJSON_Delete(extra);
		return resp_error(r, 500, "out of memory");
	}
	cJSON_AddBoolToObject(doc, "renewable",
			      show.t.renew_options > 0 && show.t.status != CONTRACT_TERMINATED);
	cJSON_AddBoolToObject(doc, "terminated", show.t.status == CONTRACT_TERMINATED);
	/* the OCDS package: public while the contract is active today */
	cJSON_AddBoolToObject(doc, "ocds_listed",
			      show.t.status == CONTRACT_ACTIVE && r->today >= show.t.start &&
				      r->today <= show.t.end);
	if (ocds_publishing(r->db, number, &publish, &e)) {
		cJSON_Delete(extra);
		cJSON_Delete(doc);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddBoolToObject(doc, "ocds_publish", publish);
	ctx = pagekit_ctx(r, number);
	if (why[0])
		cJSON_AddStringToObject(ctx, "alert", why);
	add_terms(ctx, doc, &show.t);
	cJSON_AddItemToObject(ctx, "contract", doc);
	if (r->who.role <= ROLE_FINANCE) {
		/* the participants section: page_participants.c */
		if (page_participants_add(r, ctx, number,
					  cJSON_DetachItemFromObject(extra, "enroll"), &e) ||
		    page_documents_add(r, ctx, number,
				       cJSON_DetachItemFromObject(extra, "document"), &e) ||
		    add_remittances(r, ctx, number, &e)) {
			cJSON_Delete(extra);
			cJSON_Delete(ctx);
			return resp_error(r, 500, "%s", e.msg);
		}
	} else if (page_documents_public(r, ctx, number, &e)) { /* page_documents.c */
		cJSON_Delete(extra);
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	if (add_reports(r, ctx, &show.t, &e)) {
		cJSON_Delete(extra);
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	add_extra(ctx, extra, alert);
	return render_page(r, status, "contract", ctx);
}

int page_contract(Req *r)
{
	return contract_page(r, 200, NULL, NULL);
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
	f = encode_fees_report(r->db, r->param[0], &all, r->today, ENC_DATA, &e);
	if (!f)
		return resp_error(r, 500, "%s", e.msg);
	snprintf(name, sizeof name, "%s-fees.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(f, "quarters"), keys, 10), name);
	cJSON_Delete(f);
	return 0;
}
