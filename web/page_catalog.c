/* page_catalog.c — the public catalog (DOMAIN.md section 7): /catalog,
 * a contract's public page /catalog/:number and the same data as JSON,
 * for anyone, signed in or not; see pages.h and handlers.h.
 *
 * Every answer is built from core/catalog.h alone (never the ledger) and
 * kept per version of the data (cache.h): a page for everyone who is not
 * signed in, and one per role and binding for those who are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "catalog.h"
#include "handlers.h"
#include "pagecache.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"

/* A public page may be kept a minute by browsers and proxies; a signed-in
 * page carries the session's CSRF token and is never kept. */
#define CATALOG_CACHE "public, max-age=60"

static void cache_header(Req *r)
{
	if (!r->signed_in && r->resp.status == 200)
		r->resp.cache = CATALOG_CACHE;
}

/* Answer e's refusal with its fitting status. */
static int refuse(Req *r, const Err *e)
{
	int status = e->code == CL_EINPUT ? 400 : e->code == CL_ENOTFOUND ? 404 : 500;

	return resp_error(r, status, "%s", e->msg[0] ? e->msg : "failed");
}

static void add_date(cJSON *o, const char *name, Date d)
{
	char day[DATE_BUF];

	cJSON_AddStringToObject(o, name, date_format(d, day));
}

/* One catalog entry as JSON, the same for the API and the pages. */
static cJSON *entry_json(const CatalogEntry *c)
{
	char sentence[CATALOG_SENTENCES][CATALOG_SENTENCE_BUF], text[1024], money[MONEY_BUF];
	cJSON *o = cJSON_CreateObject(), *x, *list;
	int i, n;

	cJSON_AddStringToObject(o, "number", c->number);
	cJSON_AddStringToObject(o, "title", c->title);
	cJSON_AddStringToObject(o, "category", c->category);
	x = cJSON_AddObjectToObject(o, "lead_agency");
	cJSON_AddStringToObject(x, "code", c->lead_agency);
	cJSON_AddStringToObject(x, "name", c->lead_agency_name);
	x = cJSON_AddObjectToObject(o, "vendor");
	cJSON_AddStringToObject(x, "code", c->vendor);
	cJSON_AddStringToObject(x, "name", c->vendor_name);
	if (c->contact_email[0]) {
		cJSON *k = cJSON_AddObjectToObject(x, "contact");

		cJSON_AddStringToObject(k, "name", c->contact_name);
		cJSON_AddStringToObject(k, "email", c->contact_email);
	} else {
		cJSON_AddNullToObject(x, "contact");
	}
	cJSON_AddStringToObject(o, "solicitation", c->solicitation);
	add_date(o, "awarded", c->awarded);
	x = cJSON_AddObjectToObject(o, "term");
	add_date(x, "start", c->start);
	add_date(x, "end", c->end);
	x = cJSON_AddObjectToObject(o, "renewals");
	cJSON_AddNumberToObject(x, "options_left", c->renew_options);
	cJSON_AddNumberToObject(x, "years", c->renew_years);
	list = cJSON_AddArrayToObject(o, "discount_tiers");
	for (i = 0; c->discounts.present && i < c->discounts.nband; i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "from", money_format(c->discounts.band[i].from, money));
		cJSON_AddStringToObject(x, "rate", rate_format(c->discounts.band[i].rate, money));
		cJSON_AddItemToArray(list, x);
	}
	n = catalog_tier_sentences(c, sentence);
	list = cJSON_AddArrayToObject(o, "discounts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(sentence[i]));
	catalog_who_may_use(c, text, sizeof text);
	cJSON_AddStringToObject(o, "who_may_use", text);
	catalog_how_to_buy(c, text, sizeof text);
	cJSON_AddStringToObject(o, "how_to_buy", text);
	return o;
}

/* The list of q and category as JSON {"contracts": [...]}, or NULL with
 * e set. */
static cJSON *list_json(Req *r, const char *q, const char *category, Err *e)
{
	CatalogEntry *list;
	cJSON *o, *a;
	int n, i;

	if (catalog_list(r->db, r->today, q, category, &list, &n, e)) {
		free(list);
		return NULL;
	}
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "contracts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, entry_json(&list[i]));
	free(list);
	return o;
}

/* q and category checked before anything is looked up or kept. */
static int args_ok(const char *q, const char *category, Err *e)
{
	char match[CATALOG_MATCH_BUF];

	if (catalog_match(q, match, sizeof match, e))
		return 0;
	if (category && strlen(category) > CATALOG_CATEGORY_MAX) {
		err_set(e, CL_EINPUT, "category: at most %d characters", CATALOG_CATEGORY_MAX);
		return 0;
	}
	return 1;
}

/* The categories as [{name, selected}] for the select. */
static ClCode add_categories(Req *r, cJSON *ctx, const char *category, Err *e)
{
	char **cat;
	int n, i;
	cJSON *a;
	ClCode rc = catalog_categories(r->db, r->today, &cat, &n, e);

	if (rc) {
		catalog_categories_free(cat, n);
		return rc;
	}
	a = cJSON_AddArrayToObject(ctx, "categories");
	for (i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "name", cat[i]);
		cJSON_AddBoolToObject(x, "selected", category && strcmp(category, cat[i]) == 0);
		cJSON_AddItemToArray(a, x);
	}
	catalog_categories_free(cat, n);
	return CL_OK;
}

/* The /catalog page's context, a page of PAGE_ROWS contracts, or NULL
 * with e set. */
static cJSON *catalog_ctx(Req *r, const char *q, const char *category, Err *e)
{
	cJSON *ctx, *all, *shown, *data = list_json(r, q, category, e);
	char count[160], qenc[CATALOG_QUERY_MAX * 3 + 1], cenc[CATALOG_CATEGORY_MAX * 3 + 1];
	char query[sizeof qenc + sizeof cenc + 32];
	long page, off = page_offset(r, &page), i;
	int n;

	if (!data)
		return NULL;
	ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	all = cJSON_GetObjectItem(data, "contracts");
	n = cJSON_GetArraySize(all);
	shown = cJSON_AddArrayToObject(ctx, "contracts");
	for (i = off; i < n && i < off + PAGE_ROWS; i++)
		cJSON_AddItemToArray(shown, cJSON_Duplicate(cJSON_GetArrayItem(all, (int)i), 1));
	cJSON_Delete(data);
	if ((q && q[0]) || (category && category[0])) {
		cJSON_AddBoolToObject(ctx, "filtered", 1);
		snprintf(count, sizeof count, n == 1 ? "1 contract matches" : "%d contracts match",
			 n);
	} else {
		snprintf(count, sizeof count,
			 n == 1 ? "1 contract is open to join" : "%d contracts are open to join",
			 n);
	}
	cJSON_AddStringToObject(ctx, "count", count);
	pagekit_url_encode(q ? q : "", qenc, sizeof qenc);
	pagekit_url_encode(category ? category : "", cenc, sizeof cenc);
	snprintf(query, sizeof query, "q=%s&category=%s", qenc, cenc);
	if (n > PAGE_ROWS) {
		add_paging(ctx, page, n > off + PAGE_ROWS, query);
		add_page_numbers(ctx, page, n);
	}
	if (add_categories(r, ctx, category, e)) {
		cJSON_Delete(ctx);
		return NULL;
	}
	return ctx;
}

/* The key of a page for r: anonymous visitors share one page, signed-in
 * users get theirs per role and binding (pagecache.h). */
static void page_key(Req *r, const char *page, const char *const *args, int n, char *key)
{
	char named[PAGECACHE_KEY_BUF];

	snprintf(named, sizeof named, "%.100s%s", page, r->signed_in ? "" : "|anon");
	pagecache_key(r, named, args, n, key);
}

int page_catalog(Req *r)
{
	static const char *const args[] = {"q", "category", "page"};
	const char *q = req_query(r, "q"), *category = req_query(r, "category");
	char version[CACHE_VERSION_BUF], key[PAGECACHE_KEY_BUF];
	cJSON *ctx;
	Err e = {0};

	if (!args_ok(q, category, &e)) {
		ctx = cJSON_CreateObject();
		cJSON_AddStringToObject(ctx, "title", "Contract catalog");
		cJSON_AddStringToObject(ctx, "alert", e.msg);
		cJSON_AddStringToObject(ctx, "q", "");
		if (add_categories(r, ctx, NULL, &e)) {
			cJSON_Delete(ctx);
			return resp_error(r, 500, "%s", e.msg);
		}
		return render_page(r, 400, "catalog", ctx);
	}
	page_key(r, "catalog", args, 3, key);
	cache_version(r->db, r->today, version, sizeof version);
	if (pagecache_send(r, key, version)) {
		cache_header(r);
		return 0;
	}
	if (!(ctx = catalog_ctx(r, q, category, &e))) {
		pagecache_fail(r, key, version);
		return refuse(r, &e);
	}
	pagecache_render(r, key, version, "catalog", ctx);
	cache_header(r);
	return 0;
}

int page_catalog_entry(Req *r)
{
	char version[CACHE_VERSION_BUF], key[PAGECACHE_KEY_BUF], title[320];
	const char *number = r->param[0];
	CatalogEntry c;
	cJSON *ctx;
	Err e = {0};

	if (strlen(number) > 63)
		return resp_error(r, 404, "no contract in the catalog has that number");
	snprintf(title, sizeof title, "catalog/%.63s", number);
	page_key(r, title, NULL, 0, key);
	cache_version(r->db, r->today, version, sizeof version);
	if (pagecache_send(r, key, version)) {
		cache_header(r);
		return 0;
	}
	if (catalog_get(r->db, r->today, number, &c, &e)) {
		pagecache_fail(r, key, version);
		return refuse(r, &e);
	}
	ctx = entry_json(&c);
	if (page_documents_public(r, ctx, c.number, &e)) { /* page_documents.c */
		cJSON_Delete(ctx);
		pagecache_fail(r, key, version);
		return resp_error(r, 500, "%s", e.msg);
	}
	snprintf(title, sizeof title, "%s %s", c.number, c.title);
	cJSON_AddStringToObject(ctx, "page_title", title);
	if (c.renew_options > 0)
		cJSON_AddBoolToObject(ctx, "renewable", 1);
	pagecache_render(r, key, version, "catalog_contract", ctx);
	cache_header(r);
	return 0;
}

/* The JSON of key at this version, kept like the pages. */
static int send_json(Req *r, const char *key, cJSON *(*build)(Req *, Err *))
{
	char version[CACHE_VERSION_BUF];
	cJSON *v;
	Err e = {0};

	/* a key too long to keep ("") is built each time */
	if (key[0])
		cache_version(r->db, r->today, version, sizeof version);
	else
		version[0] = '\0';
	if (version[0] && (v = cache_get_json(key, version, 1))) {
		resp_json(r, 200, v);
		cache_header(r);
		return 0;
	}
	v = build(r, &e);
	if (version[0])
		cache_put_json(key, version, v);
	if (!v)
		return refuse(r, &e);
	resp_json(r, 200, v);
	cache_header(r);
	return 0;
}

static cJSON *build_list(Req *r, Err *e)
{
	return list_json(r, req_query(r, "q"), req_query(r, "category"), e);
}

static cJSON *build_entry(Req *r, Err *e)
{
	CatalogEntry c;

	cJSON *o;

	if (catalog_get(r->db, r->today, r->param[0], &c, e))
		return NULL;
	o = entry_json(&c);
	/* the public documents, as the page lists them */
	if (page_documents_public(r, o, c.number, e)) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_DeleteItemFromObject(o, "documents_any");
	return o;
}

int api_catalog(Req *r)
{
	static const char *const args[] = {"q", "category"};
	const char *q = req_query(r, "q"), *category = req_query(r, "category");
	char key[PAGECACHE_KEY_BUF];
	Err e = {0};

	if (!args_ok(q, category, &e))
		return refuse(r, &e);
	pagecache_key(r, "api|catalog", args, 2, key);
	return send_json(r, key, build_list);
}

int api_catalog_entry(Req *r)
{
	char key[PAGECACHE_KEY_BUF];

	if (strlen(r->param[0]) > 63)
		return resp_error(r, 404, "no contract in the catalog has that number");
	snprintf(key, sizeof key, "api|catalog/%s", r->param[0]);
	return send_json(r, key, build_entry);
}
