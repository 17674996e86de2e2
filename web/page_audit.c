/* page_audit.c — the audit log, searchable a page at a time, and as CSV. */
#include "csvout.h"
#include "listing.h"
#include "pagekit.h"
#include "pages.h"

/* Entries of ?action ?actor matching ?q=, a page at a time.  OUT: *more. */
static cJSON *audit_query(Req *r, long offset, int limit, int *more, Err *e)
{
	return listing_audit(r->db, req_query(r, "action"), req_query(r, "actor"),
			     req_query(r, "q"), offset, limit, more, e);
}

int page_audit(Req *r)
{
	return pagekit_search_page(r, "Audit log", "entries", "audit", audit_query);
}

int page_audit_csv(Req *r)
{
	static const char *const keys[] = {"id",     "at",	  "actor",  "action",
					   "entity", "entity_id", "before", "after"};
	int more = 0;
	Err e = {0};
	cJSON *rows = audit_query(r, 0, 0, &more, &e);

	if (!rows)
		return resp_error(r, 500, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 8), "audit.csv");
	cJSON_Delete(rows);
	return 0;
}
