/* pagekit.c — helpers the HTML page files share; see pagekit.h. */
#include "pagekit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "listing.h"
#include "money.h"
#include "render.h"

int pagekit_field_int(const char *text, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!text || !*text)
		return -1;
	v = strtol(text, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

long page_offset(Req *r, long *page)
{
	if (pagekit_field_int(req_query(r, "page"), 1, 1000000, page))
		*page = 1;
	return (*page - 1) * PAGE_ROWS;
}

void add_paging(cJSON *ctx, long page, int more, const char *base_query)
{
	cJSON *p = cJSON_AddObjectToObject(ctx, "paging");

	cJSON_AddNumberToObject(p, "page", (double)page);
	if (page > 1)
		cJSON_AddNumberToObject(p, "prev", (double)(page - 1));
	if (more)
		cJSON_AddNumberToObject(p, "next", (double)(page + 1));
	cJSON_AddStringToObject(p, "query", base_query);
}

void pagekit_url_encode(const char *text, char *out, size_t n)
{
	size_t i, j = 0;

	for (i = 0; text[i] && j + 4 < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_')
			out[j++] = (char)c;
		else
			j += (size_t)snprintf(out + j, n - j, "%%%02X", c);
	}
	out[j] = '\0';
}

int pagekit_back_with(Req *r, const char *path, const char *notice)
{
	char url[512], enc[300], words[600];

	pagekit_url_encode(resp_wording(notice, 0, words, sizeof words), enc, sizeof enc);
	snprintf(url, sizeof url, "%s%snotice=%s", path, strchr(path, '?') ? "&" : "?", enc);
	return resp_redirect(r, url);
}

cJSON *pagekit_ctx(Req *r, const char *title)
{
	cJSON *ctx = cJSON_CreateObject();
	const char *notice = req_query(r, "notice");

	cJSON_AddStringToObject(ctx, "title", title);
	if (notice && strlen(notice) < 400)
		cJSON_AddStringToObject(ctx, "notice", notice);
	return ctx;
}

int pagekit_search_page(Req *r, const char *title, const char *key, const char *tmpl,
			PagekitQuery query)
{
	const char *q = req_query(r, "q");
	cJSON *ctx = pagekit_ctx(r, title);
	char link[700] = "q=";
	long page, off = page_offset(r, &page);
	int more = 0;
	Err e = {0};
	cJSON *rows = query(r, off, PAGE_ROWS, &more, &e);

	if (!rows) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddItemToObject(ctx, key, rows);
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	pagekit_url_encode(q ? q : "", link + 2, sizeof link - 2);
	add_paging(ctx, page, more, link);
	return render_page(r, 200, tmpl, ctx);
}

void pagekit_money_columns(cJSON *arr, const char *const *keys, int n)
{
	char buf[MONEY_BUF];
	cJSON *o;
	int i;

	cJSON_ArrayForEach(o, arr) for (i = 0; i < n; i++)
	{
		cJSON *x = cJSON_GetObjectItem(o, keys[i]);

		if (cJSON_IsNumber(x))
			cJSON_ReplaceItemInObject(
				o, keys[i],
				cJSON_CreateString(money_format((Money)x->valuedouble, buf)));
	}
}

cJSON *pagekit_contract_choices(Req *r, const char *selected, Err *e)
{
	cJSON *arr = listing_contract_titles(r->db, &r->who, e), *o;

	cJSON_ArrayForEach(o, arr)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "number"));

		cJSON_AddBoolToObject(o, "selected", selected && n && strcmp(n, selected) == 0);
	}
	return arr;
}
