/* page_purchases.c — the purchase ledger: filters, CSV and reversing a line. */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "encode.h"
#include "ledger.h"
#include "listing.h"
#include "pagecache.h"
#include "pagekit.h"
#include "pages.h"

/* The money columns of the ledger's lines. */
static const char *const purchase_money[] = {"list_amount", "invoiced_amount", NULL};

/* The filters of the ledger's form, as the query names them. */
static const char *const filters[] = {"contract", "agency", "quarter", "from",
				      "to",	  "po",	    "invoice"};
#define NFILTERS (sizeof filters / sizeof *filters)

/* The dates a filter may hold: the quarter, the first and last day. */
typedef struct FilterDates {
	Quarter quarter;
	Date from, to;
} FilterDates;

/* The filters of the request (?contract ?agency ?quarter ?from ?to ?po
 * ?invoice, the dates already checked by filters_or_400()) into *f; a
 * member sees only its own agency.  d keeps the dates f points to. */
static void purchase_filter(Req *r, PurchaseFilter *f, FilterDates *d)
{
	const char *quarter = req_query(r, "quarter"), *from = req_query(r, "from"),
		   *to = req_query(r, "to");

	*f = (PurchaseFilter){
		.contract = req_query(r, "contract"),
		.po = req_query(r, "po"),
		.invoice = req_query(r, "invoice"),
	};
	if (r->who.role == ROLE_MEMBER)
		f->agency_exact = r->who.agency;
	else
		f->agency = req_query(r, "agency");
	if (quarter && *quarter && quarter_parse(quarter, &d->quarter, NULL) == CL_OK)
		f->quarter = &d->quarter;
	if (from && *from && date_parse(from, &d->from, NULL) == CL_OK)
		f->from = &d->from;
	if (to && *to && date_parse(to, &d->to, NULL) == CL_OK)
		f->to = &d->to;
}

/* The ledger lines matching the filters.  OUT: *out, freed by the caller
 * either way. */
static ClCode purchases_query(Req *r, long offset, int limit, RowSet *out, Err *e)
{
	PurchaseFilter f;
	FilterDates d;

	purchase_filter(r, &f, &d);
	return listing_purchases(r->db, &f, offset, limit, out, e);
}

/* ?quarter=, ?from= and ?to= of the purchase filters, when given, must
 * name a quarter and days, from no later than to: returns 0, or -1 after
 * answering 400 naming the filter. */
static int filters_or_400(Req *r)
{
	static const char *const names[] = {"quarter", "from", "to"};
	static const char *const labels[] = {"Quarter", "From date", "To date"};
	const char *from = req_query(r, "from"), *to = req_query(r, "to");
	Quarter q;
	Date a, b;
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *v = req_query(r, names[i]);
		Err e = {0};

		if (!v || !*v ||
		    (i == 0 ? quarter_parse(v, &q, &e) : date_parse(v, &a, &e)) == CL_OK)
			continue;
		resp_error(r, 400, "The %s filter is not right: %s.", labels[i], e.msg);
		return -1;
	}
	if (from && *from && to && *to && date_parse(from, &a, NULL) == CL_OK &&
	    date_parse(to, &b, NULL) == CL_OK && a > b) {
		resp_error(r, 400, "The From date filter is after the To date: %s is after %s.",
			   from, to);
		return -1;
	}
	return 0;
}

/* The totals of every line the filters find into ctx ("totals"), money
 * in page form.  Returns the count of lines, or -1 with e set. */
static int64_t add_totals(Req *r, cJSON *ctx, Err *e)
{
	PurchaseFilter f;
	FilterDates d;
	PurchaseTotals t;
	cJSON *o;

	purchase_filter(r, &f, &d);
	if (listing_purchase_totals(r->db, &f, &t, e))
		return -1;
	o = cJSON_AddObjectToObject(ctx, "totals");
	cJSON_AddNumberToObject(o, "lines", (double)t.lines);
	cJSON_AddBoolToObject(o, "one", t.lines == 1);
	encode_money(o, "list_amount", t.list_amount, ENC_PAGE);
	encode_money(o, "invoiced_amount", t.invoiced_amount, ENC_PAGE);
	return t.lines;
}

int page_purchases(Req *r)
{
	static const char *const args[] = {"contract", "agency",  "quarter", "from", "to",
					   "po",       "invoice", "page"}; /* all it reads */
	cJSON *ctx = pagekit_ctx(r, "Purchases"), *rows, *f;
	char query[1400] = "", back[1500], key[PAGECACHE_KEY_BUF], version[CACHE_VERSION_BUF];
	long page, off = page_offset(r, &page);
	int64_t total;
	size_t i;
	RowSet lines;
	ClCode rc;
	int more;
	Err e = {0};

	if (filters_or_400(r)) {
		cJSON_Delete(ctx);
		return 0;
	}
	/* drawn once per version of the books for each role and binding */
	cache_version(r->db, r->today, version, sizeof version);
	pagecache_key(r, "purchases", args, (int)(sizeof args / sizeof *args), key);
	if (pagekit_has_message(ctx))
		key[0] = '\0'; /* this session's own page: drawn, not kept */
	if (pagecache_send(r, key, version)) {
		cJSON_Delete(ctx);
		return 0;
	}
	rc = purchases_query(r, off, PAGE_ROWS, &lines, &e);
	more = lines.more;
	if (!(rows = pagekit_rows(rc, &lines, purchase_money)) ||
	    (total = add_totals(r, ctx, &e)) < 0) {
		cJSON_Delete(rows);
		cJSON_Delete(ctx);
		pagecache_fail(r, key, version);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddBoolToObject(ctx, "any", cJSON_GetArraySize(rows) > 0);
	cJSON_AddItemToObject(ctx, "purchases", rows);
	f = cJSON_AddObjectToObject(ctx, "filter");
	for (i = 0; i < NFILTERS; i++) {
		const char *v = req_query(r, filters[i]);

		cJSON_AddStringToObject(f, filters[i], v ? v : "");
		if (v && *v) {
			char enc[200];
			size_t used = strlen(query);

			pagekit_url_encode(v, enc, sizeof enc);
			snprintf(query + used, sizeof query - used, "%s%s=%s", used ? "&" : "",
				 filters[i], enc);
		}
	}
	/* a reversal comes back to this page of these filters */
	snprintf(back, sizeof back, "%s%spage=%ld", query, *query ? "&" : "", page);
	cJSON_AddStringToObject(ctx, "back_query", back);
	cJSON_AddBoolToObject(ctx, "can_reverse", r->who.role == ROLE_ADMIN);
	add_paging(ctx, page, more, query);
	add_page_numbers(ctx, page, total);
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

	if (filters_or_400(r))
		return 0;
	return pagekit_csv(r, purchases_query(r, 0, 0, &rows, &e), &rows, purchase_money, keys, 12,
			   "purchases.csv", &e);
}

/* "/purchases" with the query the reversal form carried back (?back=),
 * when it is a plain query of the ledger's own filters.  Writes into
 * out (size n). */
static void back_path(Req *r, char *out, size_t n)
{
	const char *back = req_field(r, "back");
	size_t i;

	snprintf(out, n, "/purchases");
	if (!back || !*back || strlen(back) + 12 > n)
		return;
	for (i = 0; back[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%&=-._",
			    back[i]))
			return;
	snprintf(out, n, "/purchases?%s", back);
}

int page_reverse_line(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40], path[200];
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
		back_path(r, path, sizeof path);
		return pagekit_back_err(r, path, msg);
	}
	snprintf(msg, sizeof msg, "Line %ld reversed (reversal is line %lld).", id, (long long)rev);
	back_path(r, path, sizeof path);
	return pagekit_back_ok(r, path, msg);
}
