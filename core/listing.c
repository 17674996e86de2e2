/* listing.c — the lists pages, downloads and the API show; see listing.h. */
#include "listing.h"

#include <stdio.h>

#include "access.h"
#include "buf.h"
#include "db.h"

/* The rows of q as JSON objects named by its columns, at most limit of
 * them (0: all); OUT: *more (may be NULL) when there were more.  Ends q
 * whatever happens; rc is db_rows()'s answer.  NULL with e set (what
 * names the read) when a step failed.  Caller frees. */
static cJSON *rows_json(ClCode rc, DbRows *q, int limit, int *more, const char *what, Err *e)
{
	cJSON *arr = rc ? NULL : cJSON_CreateArray();
	int n = 0, i, dummy;

	if (!more)
		more = &dummy;
	*more = 0;
	while (arr && db_rows_next(q)) {
		cJSON *o;

		if (limit && n == limit) {
			*more = 1;
			break;
		}
		o = cJSON_CreateObject();
		for (i = 0; i < sqlite3_column_count(q->st); i++) {
			const char *name = sqlite3_column_name(q->st, i);

			if (sqlite3_column_type(q->st, i) == SQLITE_INTEGER)
				cJSON_AddNumberToObject(o, name,
							(double)sqlite3_column_int64(q->st, i));
			else if (sqlite3_column_type(q->st, i) == SQLITE_NULL)
				cJSON_AddNullToObject(o, name);
			else
				cJSON_AddStringToObject(
					o, name, (const char *)sqlite3_column_text(q->st, i));
		}
		cJSON_AddItemToArray(arr, o);
		n++;
	}
	if (db_rows_end(q, what, e) || rc) {
		cJSON_Delete(arr);
		return NULL;
	}
	if (!arr)
		err_set(e, CL_ENOMEM, "%s: out of memory", what);
	return arr;
}

/* LIMIT of a paged query: one row more than shown tells there are more. */
static int64_t sql_limit(int limit)
{
	return limit ? (int64_t)limit + 1 : -1;
}

/* search as a LIKE pattern that matches it anywhere: % _ and \ escaped
 * for ESCAPE '\'.  Writes into out (size n; long text is cut). */
static void like_pattern(const char *search, char *out, size_t n)
{
	size_t j = 0;

	out[j++] = '%';
	for (; search && *search && j + 4 <= n; search++) {
		if (*search == '%' || *search == '_' || *search == '\\')
			out[j++] = '\\';
		out[j++] = *search;
	}
	out[j++] = '%';
	out[j] = '\0';
}

cJSON *listing_purchases(sqlite3 *db, const PurchaseFilter *f, long offset, int limit, int *more,
			 Err *e)
{
	/* Only the filters given become conditions, so SQLite can use the
	 * agency and contract indexes; the SQL text is built from these fixed
	 * pieces only, every value is bound. */
	static const char *const cond[] = {
		" AND p.contract_id = (SELECT id FROM contract WHERE number = ?)",
		" AND p.agency_id = (SELECT id FROM agency WHERE code = ?)",
		" AND p.po_number = ?",
		" AND p.invoice_number = ?",
	};
	const char *val[4] = {f->contract, f->agency, f->po, f->invoice};
	char from[DATE_BUF] = "0000-00-00", to[DATE_BUF] = "9999-99-99";
	sqlite3_stmt *st = NULL;
	int i, k = 3, bad;
	DbRows q;
	ClCode rc;
	Buf sql;

	if (f->quarter) {
		date_format(quarter_first_day(*f->quarter), from);
		date_format(quarter_last_day(*f->quarter), to);
	}
	buf_init(&sql, 4096);
	bad = buf_puts(
		&sql, "SELECT p.id, c.number AS contract, a.code AS agency, p.po_number, "
		      "p.invoice_number, p.line, p.invoice_date, p.description, "
		      "p.list_amount, p.invoiced_amount, p.batch_id, "
		      "CASE WHEN p.reverses_id IS NOT NULL THEN 'reversal of ' || p.reverses_id "
		      "WHEN EXISTS (SELECT 1 FROM purchase x WHERE x.reverses_id = p.id) "
		      "THEN 'reversed' END AS state, nullif(p.reason, '') AS reason "
		      "FROM purchase p JOIN contract c ON c.id = p.contract_id "
		      "JOIN agency a ON a.id = p.agency_id WHERE p.invoice_date BETWEEN ?1 AND ?2");
	for (i = 0; i < 4; i++) /* an empty box of the filter form filters nothing */
		if (val[i] && *val[i])
			bad |= buf_puts(&sql, cond[i]);
	bad |= buf_puts(&sql, " ORDER BY p.invoice_date DESC, p.id DESC LIMIT ? OFFSET ?");
	rc = bad ? err_set(e, CL_ENOMEM, "out of memory") : db_prepare(db, &st, sql.data, e);
	buf_free(&sql);
	if (rc)
		return NULL;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	for (i = 0; i < 4; i++)
		if (val[i] && *val[i])
			sqlite3_bind_text(st, k++, val[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, k++, sql_limit(limit));
	sqlite3_bind_int64(st, k, offset);
	db_rows_on(&q, db, st, 0);
	return rows_json(CL_OK, &q, limit, more, "reading the purchases", e);
}

cJSON *listing_agencies(sqlite3 *db, const char *search, long offset, int limit, int *more, Err *e)
{
	char like[410];
	DbRows q;

	like_pattern(search, like, sizeof like);
	return rows_json(
		db_rows(&q, db, e,
			"SELECT a.code, a.name, a.kind, a.state, CASE a.public_entity WHEN 1 THEN "
			"'yes' ELSE 'no' END AS public_entity, (SELECT count(*) FROM participant p "
			"WHERE p.agency_id = a.id) AS contracts FROM agency a WHERE a.code LIKE ?1 "
			"ESCAPE '\\' OR a.name LIKE ?1 ESCAPE '\\' ORDER BY a.code LIMIT ?2 OFFSET "
			"?3",
			"tii", like, sql_limit(limit), (int64_t)offset),
		&q, limit, more, "reading the agencies", e);
}

cJSON *listing_agency_lines(sqlite3 *db, const char *code, const char *contract, long offset,
			    int limit, int *more, Err *e)
{
	DbRows q;

	return rows_json(
		db_rows(&q, db, e,
			"SELECT l.id, c.number AS contract, a.code AS agency, l.invoice_date, "
			"l.po_number, l.invoice_number, l.line, l.description, l.list_amount, "
			"l.invoiced_amount, l.list_amount - l.invoiced_amount AS savings "
			"FROM live_purchase l JOIN contract c ON c.id = l.contract_id "
			"JOIN agency a ON a.id = l.agency_id WHERE a.code = ?1 AND (?2 IS NULL OR "
			"c.number = ?2) ORDER BY l.invoice_date DESC, l.id DESC LIMIT ?3 OFFSET ?4",
			"ttii", code, contract, sql_limit(limit), (int64_t)offset),
		&q, limit, more, "reading the agency's purchases", e);
}

cJSON *listing_audit(sqlite3 *db, const char *action, const char *actor, const char *search,
		     long offset, int limit, int *more, Err *e)
{
	char like[210];
	DbRows q;

	like_pattern(search, like, sizeof like);
	return rows_json(
		db_rows(&q, db, e,
			"SELECT id, at, actor, action, entity, entity_id, coalesce(before, '') AS "
			"before, coalesce(after, '') AS after FROM audit_log WHERE (?1 IS NULL OR "
			"action = ?1) AND (?2 IS NULL OR actor = ?2) AND (actor LIKE ?3 ESCAPE "
			"'\\' "
			"OR action LIKE ?3 ESCAPE '\\' OR entity_id LIKE ?3 ESCAPE '\\' OR after "
			"LIKE ?3 ESCAPE '\\') ORDER BY id DESC LIMIT ?4 OFFSET ?5",
			"tttii", action, actor, like, sql_limit(limit), (int64_t)offset),
		&q, limit, more, "reading the audit log", e);
}

cJSON *listing_users(sqlite3 *db, Err *e)
{
	DbRows q;

	return rows_json(db_rows(&q, db, e,
				 "SELECT u.id, u.email, u.role, coalesce(a.code, v.code, '') AS "
				 "bound, u.created_at FROM app_user u LEFT JOIN agency a ON a.id = "
				 "u.agency_id LEFT JOIN vendor v ON v.id = u.vendor_id ORDER BY "
				 "u.email",
				 ""),
			 &q, 0, NULL, "reading the users", e);
}

cJSON *listing_tokens(sqlite3 *db, int64_t user_id, Err *e)
{
	DbRows q;

	return rows_json(
		db_rows(&q, db, e,
			"SELECT t.id, t.name, u.email, t.created_at, coalesce(t.last_used, "
			"'') AS last_used, t.revoked_at FROM api_token t "
			"JOIN app_user u ON u.id = t.user_id WHERE ?1 = 0 OR t.user_id = ?1 "
			"ORDER BY t.id DESC",
			"i", user_id),
		&q, 0, NULL, "reading the API tokens", e);
}

/* Keep only the rows of arr whose "number" who may see.  Returns arr, or
 * NULL (arr freed) with e set when a check failed. */
static cJSON *visible_contracts(sqlite3 *db, const Principal *who, cJSON *arr, Err *e)
{
	cJSON *c, *next;
	int may;

	for (c = arr ? arr->child : NULL; c; c = next) {
		next = c->next;
		if (access_contract(db, who, cJSON_GetStringValue(cJSON_GetObjectItem(c, "number")),
				    &may, e)) {
			cJSON_Delete(arr);
			return NULL;
		}
		if (!may)
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, c));
	}
	return arr;
}

cJSON *listing_contracts(sqlite3 *db, const Principal *who, Err *e)
{
	DbRows q;
	cJSON *all = rows_json(
		db_rows(&q, db, e,
			"SELECT c.number, c.title, c.status, c.start_date, c.end_date, v.name AS "
			"vendor, a.name AS lead, (SELECT count(*) FROM participant p WHERE "
			"p.contract_id = c.id) AS participants FROM contract c JOIN vendor v ON "
			"v.id = c.vendor_id JOIN agency a ON a.id = c.lead_agency_id ORDER BY "
			"c.number",
			""),
		&q, 0, NULL, "reading the contracts", e);

	return visible_contracts(db, who, all, e);
}

cJSON *listing_contracts_api(sqlite3 *db, const Principal *who, Err *e)
{
	static const char *const keys[] = {"number", "title", "status", "start", "end", "vendor"};
	cJSON *arr = NULL;
	DbRows q;
	int i;

	if (!db_rows(&q, db, e,
		     "SELECT c.number, c.title, c.status, c.start_date, c.end_date, v.code "
		     "FROM contract c JOIN vendor v ON v.id = c.vendor_id ORDER BY c.number",
		     ""))
		arr = cJSON_CreateArray();
	while (arr && db_rows_next(&q)) {
		cJSON *o = cJSON_CreateObject();

		/* a NULL column leaves its key out, as the API always did */
		for (i = 0; i < 6; i++)
			cJSON_AddStringToObject(o, keys[i],
						(const char *)sqlite3_column_text(q.st, i));
		cJSON_AddItemToArray(arr, o);
	}
	if (db_rows_end(&q, "reading the contracts", e) || !arr) {
		cJSON_Delete(arr);
		return NULL;
	}
	return visible_contracts(db, who, arr, e);
}

cJSON *listing_contract_titles(sqlite3 *db, const Principal *who, Err *e)
{
	DbRows q;
	cJSON *all = rows_json(
		db_rows(&q, db, e, "SELECT number, title FROM contract ORDER BY number", ""), &q, 0,
		NULL, "reading the contracts", e);

	return visible_contracts(db, who, all, e);
}

cJSON *listing_participants(sqlite3 *db, const char *number, Err *e)
{
	DbRows q;

	return rows_json(db_rows(&q, db, e,
				 "SELECT a.code, a.name, p.joined FROM participant p JOIN agency a "
				 "ON a.id = p.agency_id JOIN contract c ON c.id = p.contract_id "
				 "WHERE c.number = ? ORDER BY p.joined, a.code",
				 "t", number),
			 &q, 0, NULL, "reading the participants", e);
}

cJSON *listing_periods(sqlite3 *db, Err *e)
{
	DbRows q;

	return rows_json(
		db_rows(&q, db, e,
			"SELECT quarter, status, changed_at, changed_by, reason FROM period "
			"ORDER BY quarter DESC",
			""),
		&q, 0, NULL, "reading the periods", e);
}
