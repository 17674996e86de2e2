/* pagekit.c — helpers the HTML page files share; see pagekit.h. */
#include "pagekit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "encode.h"
#include "handlers.h"
#include "listing.h"
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

void add_page_numbers(cJSON *ctx, long page, int64_t rows)
{
	cJSON *p = cJSON_GetObjectItem(ctx, "paging"), *list, *o;
	long last = (long)((rows + PAGE_ROWS - 1) / PAGE_ROWS), n, shown = 0;

	if (!p || last < 2)
		return;
	cJSON_AddBoolToObject(p, "numbered", 1);
	list = cJSON_AddArrayToObject(p, "pages");
	for (n = 1; n <= last; n++) {
		if (n > 3 && n != last && (n < page - 1 || n > page + 1))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "n", (double)n);
		cJSON_AddBoolToObject(o, "current", n == page);
		cJSON_AddBoolToObject(o, "gap", n > shown + 1);
		cJSON_AddItemToArray(list, o);
		shown = n;
	}
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
	cJSON *ctx;
	char link[700] = "q=";
	long page, off = page_offset(r, &page);
	RowSet rows;
	Err e = {0};
	ClCode rc = query(r, off, PAGE_ROWS, &rows, &e);
	int more = rows.more;
	cJSON *list = pagekit_rows(rc, &rows, NULL);

	if (!list)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, title);
	cJSON_AddItemToObject(ctx, key, list);
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	pagekit_url_encode(q ? q : "", link + 2, sizeof link - 2);
	add_paging(ctx, page, more, link);
	return render_page(r, 200, tmpl, ctx);
}

cJSON *pagekit_rows(ClCode rc, RowSet *rows, const char *const *money)
{
	cJSON *arr = rc ? NULL : encode_rowset(rows, money, ENC_PAGE);

	rowset_free(rows);
	return arr;
}

int pagekit_csv(Req *r, ClCode rc, RowSet *rows, const char *const *money, const char *const *keys,
		int n, const char *name, const Err *e)
{
	cJSON *arr = rc ? NULL : encode_rowset(rows, money, ENC_DATA);

	rowset_free(rows);
	if (rc)
		return resp_error(r, 500, "%s", e->msg);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(arr, keys, n), name);
	cJSON_Delete(arr);
	return 0;
}

cJSON *pagekit_contract_choices(Req *r, const char *selected, Err *e)
{
	RowSet rows;
	cJSON *arr = pagekit_rows(listing_contract_titles(r->db, &r->who, &rows, e), &rows, NULL),
	      *o;

	cJSON_ArrayForEach(o, arr)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "number"));

		cJSON_AddBoolToObject(o, "selected", selected && n && strcmp(n, selected) == 0);
	}
	return arr;
}
