/* page_audit.c — the audit log, searchable a page at a time (times read
 * as "2026-11-25 14:03 UTC", and what changed as field: before → after),
 * and as CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"

/* Entries of ?action ?actor matching ?q=, a page at a time.  OUT: *out. */
static ClCode audit_query(Req *r, long offset, int limit, RowSet *out, Err *e)
{
	return listing_audit(r->db, req_query(r, "action"), req_query(r, "actor"),
			     req_query(r, "q"), offset, limit, out, e);
}

/* A stored time "2026-11-25T14:03:07Z" as "2026-11-25 14:03 UTC" into out
 * (size n); other text as it is. */
static const char *time_words(const char *at, char *out, size_t n)
{
	if (strlen(at) >= 17 && at[10] == 'T' && at[13] == ':')
		snprintf(out, n, "%.10s %.5s UTC", at, at + 11);
	else
		snprintf(out, n, "%s", at);
	return out;
}

/* One value of a record as words: text as it is, numbers and other JSON
 * compact, null and absent as a dash.  Caller frees. */
static char *value_words(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return strdup("—");
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "yes" : "no");
	return cJSON_PrintUnformatted(v);
}

static void add_change(cJSON *list, const char *field, const cJSON *b, const cJSON *a)
{
	cJSON *o = cJSON_CreateObject();
	char *bw = value_words(b), *aw = value_words(a);

	cJSON_AddStringToObject(o, "field", field);
	cJSON_AddStringToObject(o, "before", bw ? bw : "");
	cJSON_AddStringToObject(o, "after", aw ? aw : "");
	cJSON_AddItemToArray(list, o);
	free(bw);
	free(aw);
}

/* The fields the entry changed, as [{field, before, after}]: with both
 * sides, the fields of after whose value differs from before's; with one,
 * every field of it.  Text that is not a JSON object is one field
 * "value". */
static cJSON *changes(const char *before, const char *after)
{
	cJSON *list = cJSON_CreateArray(), *b = *before ? cJSON_Parse(before) : NULL,
	      *a = *after ? cJSON_Parse(after) : NULL, *f;

	if ((*before && !cJSON_IsObject(b)) || (*after && !cJSON_IsObject(a))) {
		cJSON *bv = *before ? cJSON_CreateString(before) : NULL,
		      *av = *after ? cJSON_CreateString(after) : NULL;

		add_change(list, "value", bv, av);
		cJSON_Delete(bv);
		cJSON_Delete(av);
	} else if (a) {
		cJSON_ArrayForEach(f, a)
		{
			const cJSON *old =
				b ? cJSON_GetObjectItemCaseSensitive(b, f->string) : NULL;

			if (!old || !cJSON_Compare(old, f, 1))
				add_change(list, f->string, old, f);
		}
	} else if (b) {
		cJSON_ArrayForEach(f, b)
		{
			add_change(list, f->string, f, NULL);
		}
	}
	cJSON_Delete(b);
	cJSON_Delete(a);
	return list;
}

int page_audit(Req *r)
{
	const char *q = req_query(r, "q");
	cJSON *ctx, *list, *o;
	char link[700] = "q=", when[40];
	long page, off = page_offset(r, &page);
	RowSet rows;
	Err e = {0};
	ClCode rc = audit_query(r, off, PAGE_ROWS, &rows, &e);
	int more = rows.more;

	if (!(list = pagekit_rows(rc, &rows, NULL)))
		return resp_error(r, 500, "%s", e.msg);
	cJSON_ArrayForEach(o, list)
	{
		const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(o, "at")),
			   *b = cJSON_GetStringValue(cJSON_GetObjectItem(o, "before")),
			   *a = cJSON_GetStringValue(cJSON_GetObjectItem(o, "after"));

		cJSON_AddStringToObject(o, "at_h", time_words(at ? at : "", when, sizeof when));
		cJSON_AddItemToObject(o, "changes", changes(b ? b : "", a ? a : ""));
	}
	ctx = pagekit_ctx(r, "Audit log");
	cJSON_AddItemToObject(ctx, "entries", list);
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	pagekit_url_encode(q ? q : "", link + 2, sizeof link - 2);
	add_paging(ctx, page, more, link);
	return render_page(r, 200, "audit", ctx);
}

int page_audit_csv(Req *r)
{
	static const char *const keys[] = {"id",     "at",	  "actor",  "action",
					   "entity", "entity_id", "before", "after"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, audit_query(r, 0, 0, &rows, &e), &rows, NULL, keys, 8, "audit.csv",
			   &e);
}
