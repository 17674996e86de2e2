/* page_audit.c — the audit log, searchable a page at a time, and as CSV. */
#include "csvout.h"
#include "db.h"
#include "pagekit.h"
#include "pages.h"

static cJSON *audit_query(Req *r, long offset, int limit, int *more)
{
	sqlite3_stmt *st = NULL;
	char like[210];
	cJSON *arr;
	const char *q = req_query(r, "q");

	pagekit_like_pattern(q, like, sizeof like);
	if (db_prepare(r->db, &st,
		       "SELECT id, at, actor, action, entity, entity_id, coalesce(before, '') AS "
		       "before, coalesce(after, '') AS after FROM audit_log WHERE (?1 IS NULL OR "
		       "action = ?1) AND (?2 IS NULL OR actor = ?2) AND (actor LIKE ?3 ESCAPE '\\' "
		       "OR action LIKE ?3 ESCAPE '\\' OR entity_id LIKE ?3 ESCAPE '\\' OR after "
		       "LIKE ?3 ESCAPE '\\') ORDER BY id DESC LIMIT ?4 OFFSET ?5",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "tttii", req_query(r, "action"), req_query(r, "actor"), like,
		     (int64_t)(limit ? limit + 1 : -1), (int64_t)offset);
	arr = pagekit_rows_json(st, limit, more);
	sqlite3_finalize(st);
	return arr;
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
	cJSON *rows = audit_query(r, 0, 0, &more);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 8), "audit.csv");
	cJSON_Delete(rows);
	return 0;
}
