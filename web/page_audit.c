/* page_audit.c — the audit log, searchable a page at a time, and as CSV. */
#include "listing.h"
#include "pagekit.h"
#include "pages.h"

/* Entries of ?action ?actor matching ?q=, a page at a time.  OUT: *out. */
static ClCode audit_query(Req *r, long offset, int limit, RowSet *out, Err *e)
{
	return listing_audit(r->db, req_query(r, "action"), req_query(r, "actor"),
			     req_query(r, "q"), offset, limit, out, e);
}

int page_audit(Req *r)
{
	return pagekit_search_page(r, "Audit log", "entries", "audit", audit_query);
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
