/* page_purchases.c — the purchase ledger: filters, CSV and reversing a line. */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "ledger.h"
#include "listing.h"
#include "pagecache.h"
#include "pagekit.h"
#include "pages.h"

/* The money columns of the ledger's lines. */
static const char *const purchase_money[] = {"list_amount", "invoiced_amount", NULL};

/* The ledger lines matching the filters (?contract ?agency ?quarter ?po
 * ?invoice; ?quarter already checked by quarter_or_400()); a member sees
 * only its own agency.  OUT: *out, freed by the caller either way. */
static ClCode purchases_query(Req *r, long offset, int limit, RowSet *out, Err *e)
{
	const char *quarter = req_query(r, "quarter");
	PurchaseFilter f = {
		.contract = req_query(r, "contract"),
		.agency = r->who.role == ROLE_MEMBER ? r->who.agency : req_query(r, "agency"),
		.po = req_query(r, "po"),
		.invoice = req_query(r, "invoice"),
	};
	Quarter q;

	if (quarter && quarter_parse(quarter, &q, NULL) == CL_OK)
		f.quarter = &q;
	return listing_purchases(r->db, &f, offset, limit, out, e);
}

/* ?quarter= of the purchase filters, when given, must name a quarter:
 * returns 0, or -1 after answering 400. */
static int quarter_or_400(Req *r)
{
	const char *quarter = req_query(r, "quarter");
	Quarter q;
	Err e = {0};

	if (!quarter || !*quarter || quarter_parse(quarter, &q, &e) == CL_OK)
		return 0;
	resp_error(r, 400, "The Quarter filter is not right: %s.", e.msg);
	return -1;
}

int page_purchases(Req *r)
{
	static const char *const filters[] = {"contract", "agency", "quarter", "po", "invoice"};
	static const char *const args[] = {"contract", "agency",  "quarter",
					   "po",       "invoice", "page"}; /* all it reads */
	cJSON *ctx = pagekit_ctx(r, "Purchases"), *rows, *f;
	char query[1100] = "", key[PAGECACHE_KEY_BUF], version[CACHE_VERSION_BUF];
	long page, off = page_offset(r, &page);
	size_t i;
	RowSet lines;
	ClCode rc;
	int more;
	Err e = {0};

	if (quarter_or_400(r)) {
		cJSON_Delete(ctx);
		return 0;
	}
	/* drawn once per version of the books for each role and binding */
	cache_version(r->db, r->today, version, sizeof version);
	pagecache_key(r, "purchases", args, 6, key);
	if (pagekit_has_message(ctx))
		key[0] = '\0'; /* this session's own page: drawn, not kept */
	if (pagecache_send(r, key, version)) {
		cJSON_Delete(ctx);
		return 0;
	}
	rc = purchases_query(r, off, PAGE_ROWS, &lines, &e);
	more = lines.more;
	if (!(rows = pagekit_rows(rc, &lines, purchase_money))) {
		cJSON_Delete(ctx);
		pagecache_fail(r, key, version);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddItemToObject(ctx, "purchases", rows);
	f = cJSON_AddObjectToObject(ctx, "filter");
	for (i = 0; i < sizeof filters / sizeof *filters; i++) {
		const char *v = req_query(r, filters[i]);

		cJSON_AddStringToObject(f, filters[i], v ? v : "");
		if (v && *v) {
			char enc[200];
			size_t used = strlen(query);

			pagekit_url_encode(v, enc, sizeof enc);
			snprintf(query + used, sizeof query - used, "%s=%s&", filters[i], enc);
		}
	}
	cJSON_AddBoolToObject(ctx, "can_reverse", r->who.role == ROLE_ADMIN);
	add_paging(ctx, page, more, query);
	return pagecache_render(r, key, version, "purchases", ctx);
}

int page_purchases_csv(Req *r)
{
	static const char *const keys[] = {
		"id",	    "contract",	    "agency",	   "po_number",	  "invoice_number",
		"line",	    "invoice_date", "description", "list_amount", "invoiced_amount",
		"batch_id", "state"};
	RowSet rows;
	Err e = {0};

	if (quarter_or_400(r))
		return 0;
	return pagekit_csv(r, purchases_query(r, 0, 0, &rows, &e), &rows, purchase_money, keys, 12,
			   "purchases.csv", &e);
}

int page_reverse_line(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40];
	long id;
	int64_t rev;
	Err e = {0};

	if (pagekit_field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such line");
	if (ledger_reverse_line(r->db, id, req_field(r, "reason"),
				req_actor(r, actor, sizeof actor), &rev, &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such line");
		snprintf(msg, sizeof msg, "Not reversed: %s", e.msg);
		return pagekit_back_err(r, "/purchases", msg);
	}
	snprintf(msg, sizeof msg, "Line %ld reversed (reversal is line %lld).", id, (long long)rev);
	return pagekit_back_ok(r, "/purchases", msg);
}
