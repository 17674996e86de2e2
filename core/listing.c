/* listing.c — the lists pages, downloads and the API show; see listing.h. */
#include "listing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "db.h"

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

/* The WHERE of the purchase ledger's filters f into sql, and the values
 * it binds (n of them) into val.  Only the filters given become
 * conditions, so SQLite can use the agency and contract indexes (the
 * partial ones through the ids they name); the SQL text is built from
 * fixed pieces only, every value is bound.  like holds the LIKE patterns
 * and from, to the dates (DATE_BUF bytes).  Returns 0, or -1 when out of
 * memory. */
#define LIKE_N 210
static int purchase_where(const PurchaseFilter *f, Buf *sql, const char **val, int *n,
			  char like[][LIKE_N], char *from, char *to)
{
	static const char *const cond[] = {
		" AND p.contract_id IN (SELECT id FROM contract WHERE number LIKE ? ESCAPE '\\')",
		NULL, /* the agency's, written with its number below */
		" AND p.po_number LIKE ? ESCAPE '\\'",
		" AND p.invoice_number LIKE ? ESCAPE '\\'",
	};
	const char *text[4] = {f->contract, f->agency, f->po, f->invoice};
	char day[DATE_BUF];
	int i, bad;

	snprintf(from, DATE_BUF, "0000-00-00");
	snprintf(to, DATE_BUF, "9999-99-99");
	if (f->quarter) {
		date_format(quarter_first_day(*f->quarter), from);
		date_format(quarter_last_day(*f->quarter), to);
	}
	if (f->from && strcmp(date_format(*f->from, day), from) > 0)
		snprintf(from, DATE_BUF, "%s", day);
	if (f->to && strcmp(date_format(*f->to, day), to) < 0)
		snprintf(to, DATE_BUF, "%s", day);
	val[0] = from;
	val[1] = to;
	*n = 2;
	bad = buf_puts(sql, " WHERE p.invoice_date BETWEEN ? AND ?");
	if (f->agency_exact && *f->agency_exact) {
		bad |= buf_puts(sql, " AND p.agency_id = (SELECT id FROM agency WHERE code = ?)");
		val[(*n)++] = f->agency_exact;
	}
	for (i = 0; i < 4; i++) { /* an empty box of the filter form filters nothing */
		if (!text[i] || !*text[i])
			continue;
		like_pattern(text[i], like[i], LIKE_N);
		/* ?1 in the agency's piece stands for its own number */
		if (i == 1) {
			char piece[200];

			snprintf(piece, sizeof piece,
				 " AND p.agency_id IN (SELECT id FROM agency WHERE code LIKE ?%d "
				 "ESCAPE '\\' OR name LIKE ?%d ESCAPE '\\')",
				 *n + 1, *n + 1);
			bad |= buf_puts(sql, piece);
		} else {
			bad |= buf_puts(sql, cond[i]);
		}
		val[(*n)++] = like[i];
	}
	return bad;
}

/* Bind the n values of purchase_where() to st from 1 on. */
static void purchase_bind(sqlite3_stmt *st, const char **val, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, val[i], -1, SQLITE_TRANSIENT);
}

ClCode listing_purchases(sqlite3 *db, const PurchaseFilter *f, long offset, int limit, RowSet *out,
			 Err *e)
{
	char from[DATE_BUF], to[DATE_BUF], like[4][LIKE_N];
	const char *val[8];
	sqlite3_stmt *st = NULL;
	int n, bad;
	DbRows q;
	ClCode rc;
	Buf sql;

	*out = (RowSet){0};
	buf_init(&sql, 4096);
	bad = buf_puts(&sql,
		       "SELECT p.id, c.number AS contract, a.code AS agency, p.po_number, "
		       "p.invoice_number, p.line, p.invoice_date, p.description, "
		       "p.list_amount, p.invoiced_amount, p.batch_id, "
		       "CASE WHEN p.reverses_id IS NOT NULL THEN 'reversal of ' || p.reverses_id "
		       "WHEN EXISTS (SELECT 1 FROM purchase x WHERE x.reverses_id = p.id) "
		       "THEN 'reversed' END AS state, nullif(p.reason, '') AS reason "
		       "FROM purchase p JOIN contract c ON c.id = p.contract_id "
		       "JOIN agency a ON a.id = p.agency_id");
	bad |= purchase_where(f, &sql, val, &n, like, from, to);
	bad |= buf_puts(&sql, " ORDER BY p.invoice_date DESC, p.id DESC LIMIT ? OFFSET ?");
	rc = bad ? err_set(e, CL_ENOMEM, "out of memory") : db_prepare(db, &st, sql.data, e);
	buf_free(&sql);
	if (rc)
		return rc;
	purchase_bind(st, val, n);
	sqlite3_bind_int64(st, n + 1, sql_limit(limit));
	sqlite3_bind_int64(st, n + 2, offset);
	db_rows_on(&q, db, st, 0);
	return rowset_read(out, CL_OK, &q, limit, "reading the purchases", e);
}

/* One row of sums: head (naming its table p) with f's WHERE.  OUT: *t. */
static ClCode sum_row(sqlite3 *db, const char *head, const PurchaseFilter *f, PurchaseTotals *t,
		      Err *e)
{
	char from[DATE_BUF], to[DATE_BUF], like[4][LIKE_N];
	const char *val[8];
	sqlite3_stmt *st = NULL;
	int n, bad;
	DbRows q;
	RowSet rs;
	ClCode rc;
	Buf sql;

	*t = (PurchaseTotals){0};
	buf_init(&sql, 2048);
	bad = buf_puts(&sql, head);
	bad |= purchase_where(f, &sql, val, &n, like, from, to);
	rc = bad ? err_set(e, CL_ENOMEM, "out of memory") : db_prepare(db, &st, sql.data, e);
	buf_free(&sql);
	if (rc)
		return rc;
	purchase_bind(st, val, n);
	db_rows_on(&q, db, st, 0);
	rc = rowset_read(&rs, CL_OK, &q, 0, "adding up the purchases", e);
	if (!rc && rs.nrow == 1) {
		t->lines = rowset_int(&rs, 0, "lines");
		t->list_amount = rowset_int(&rs, 0, "list_amount");
		t->invoiced_amount = rowset_int(&rs, 0, "invoiced_amount");
	}
	rowset_free(&rs);
	return rc;
}

#define SUMS_OF                                                                                    \
	"coalesce(sum(p.list_amount), 0) AS list_amount, "                                         \
	"coalesce(sum(p.invoiced_amount), 0) AS invoiced_amount "

ClCode listing_purchase_totals(sqlite3 *db, const PurchaseFilter *f, PurchaseTotals *t, Err *e)
{
	PurchaseTotals reversals = {0};
	ClCode rc;

	if ((f->po && *f->po) || (f->invoice && *f->invoice))
		return sum_row(db, "SELECT count(*) AS lines, " SUMS_OF "FROM purchase p", f, t, e);
	/* By contract, agency and dates only: from the kept net sales (0019)
	 * of the same contracts, agencies and days.  A reversal keeps the
	 * contract, agency and day of the line it reverses, with the amounts
	 * negated: the money is the same, and the rows are the kept live
	 * lines plus, for each reversal, itself and the line it reverses.
	 * The reversals are read in their own (partial) index: by the
	 * agency's, a member with 400,000 lines took 0.2 s to count none. */
	rc = sum_row(
		db,
		"SELECT coalesce(sum(p.lines), 0) AS lines, " SUMS_OF
		"FROM (SELECT contract_id, agency_id, day AS invoice_date, lines, list_amount, "
		"invoiced_amount FROM sales_agency_day) p",
		f, t, e);
	if (!rc)
		rc = sum_row(db,
			     "SELECT count(*) AS lines, 0 AS list_amount, 0 AS invoiced_amount "
			     "FROM (SELECT * FROM purchase INDEXED BY purchase_reversal "
			     "WHERE reverses_id IS NOT NULL) p",
			     f, &reversals, e);
	if (!rc)
		t->lines += 2 * reversals.lines;
	return rc;
}

ClCode listing_agencies(sqlite3 *db, const char *search, long offset, int limit, RowSet *out,
			Err *e)
{
	char like[410];
	DbRows q;

	like_pattern(search, like, sizeof like);
	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT a.code, a.name, a.kind, a.state, CASE a.public_entity WHEN 1 THEN "
			"'yes' ELSE 'no' END AS public_entity, (SELECT count(*) FROM participant p "
			"WHERE p.agency_id = a.id) AS contracts FROM agency a WHERE a.code LIKE ?1 "
			"ESCAPE '\\' OR a.name LIKE ?1 ESCAPE '\\' ORDER BY a.code LIMIT ?2 OFFSET "
			"?3",
			"tii", like, sql_limit(limit), (int64_t)offset),
		&q, limit, "reading the agencies", e);
}

ClCode listing_agencies_count(sqlite3 *db, const char *search, int64_t *n, Err *e)
{
	char like[410];
	RowSet rs;
	DbRows q;
	ClCode rc;

	like_pattern(search, like, sizeof like);
	rc = rowset_read(&rs,
			 db_rows(&q, db, e,
				 "SELECT count(*) AS n FROM agency a WHERE a.code LIKE ?1 ESCAPE "
				 "'\\' OR a.name LIKE ?1 ESCAPE '\\'",
				 "t", like),
			 &q, 0, "counting the agencies", e);
	*n = rc || rs.nrow != 1 ? 0 : rowset_int(&rs, 0, "n");
	rowset_free(&rs);
	return rc;
}

ClCode listing_agency_lines(sqlite3 *db, const char *code, const char *contract, long offset,
			    int limit, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT l.id, c.number AS contract, a.code AS agency, l.invoice_date, "
			"l.po_number, l.invoice_number, l.line, l.description, l.list_amount, "
			"l.invoiced_amount, l.list_amount - l.invoiced_amount AS savings "
			"FROM live_purchase l JOIN contract c ON c.id = l.contract_id "
			"JOIN agency a ON a.id = l.agency_id WHERE a.code = ?1 AND (?2 IS NULL OR "
			"c.number = ?2) ORDER BY l.invoice_date DESC, l.id DESC LIMIT ?3 OFFSET ?4",
			"ttii", code, contract, sql_limit(limit), (int64_t)offset),
		&q, limit, "reading the agency's purchases", e);
}

ClCode listing_audit(sqlite3 *db, const char *action, const char *actor, const char *search,
		     long offset, int limit, RowSet *out, Err *e)
{
	char like[210];
	DbRows q;

	like_pattern(search, like, sizeof like);
	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT id, at, actor, action, entity, entity_id, coalesce(before, '') AS "
			"before, coalesce(after, '') AS after FROM audit_log WHERE (?1 IS NULL OR "
			"action = ?1) AND (?2 IS NULL OR actor = ?2) AND (actor LIKE ?3 ESCAPE "
			"'\\' "
			"OR action LIKE ?3 ESCAPE '\\' OR entity_id LIKE ?3 ESCAPE '\\' OR after "
			"LIKE ?3 ESCAPE '\\') ORDER BY id DESC LIMIT ?4 OFFSET ?5",
			"tttii", action, actor, like, sql_limit(limit), (int64_t)offset),
		&q, limit, "reading the audit log", e);
}

ClCode listing_users(sqlite3 *db, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT u.id, u.email, u.role, coalesce(a.code, v.code, '') AS "
			"bound, u.created_at, CASE WHEN u.disabled THEN 'deactivated' WHEN "
			"u.password_hash = '' THEN 'invited' ELSE 'active' END AS state "
			"FROM app_user u LEFT JOIN agency a ON a.id = "
			"u.agency_id LEFT JOIN vendor v ON v.id = u.vendor_id ORDER BY "
			"u.email",
			""),
		&q, 0, "reading the users", e);
}

ClCode listing_tokens(sqlite3 *db, int64_t user_id, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT t.id, t.name, u.email, t.created_at, coalesce(t.last_used, "
			"'') AS last_used, t.revoked_at FROM api_token t "
			"JOIN app_user u ON u.id = t.user_id WHERE ?1 = 0 OR t.user_id = ?1 "
			"ORDER BY t.id DESC",
			"i", user_id),
		&q, 0, "reading the API tokens", e);
}

typedef struct Viewer {
	sqlite3 *db;
	const Principal *who;
} Viewer;

/* rowset_filter()'s test: may the viewer see the row's contract? */
static ClCode contract_visible(void *ctx, const RowSet *rs, int r, int *keep, Err *e)
{
	const Viewer *v = ctx;

	return access_contract(v->db, v->who, rowset_text(rs, r, "number"), keep, e);
}

/* The rows of sql (contracts, with a "number" column) that who may see,
 * in their order. */
static ClCode contracts_read(sqlite3 *db, const Principal *who, const char *sql, RowSet *out,
			     Err *e)
{
	Viewer v = {db, who};
	DbRows q;
	ClCode rc =
		rowset_read(out, db_rows(&q, db, e, sql, ""), &q, 0, "reading the contracts", e);

	return rc ? rc : rowset_filter(out, contract_visible, &v, e);
}

ClCode listing_contracts(sqlite3 *db, const Principal *who, RowSet *out, Err *e)
{
	return contracts_read(
		db, who,
		"SELECT c.number, c.title, c.status, c.start_date, c.end_date, v.name AS vendor, "
		"a.name AS lead, (SELECT count(*) FROM participant p WHERE p.contract_id = c.id) "
		"AS participants FROM contract c JOIN vendor v ON v.id = c.vendor_id "
		"JOIN agency a ON a.id = c.lead_agency_id ORDER BY c.number",
		out, e);
}

ClCode listing_contracts_api(sqlite3 *db, const Principal *who, RowSet *out, Err *e)
{
	return contracts_read(db, who,
			      "SELECT c.number, c.title, c.status, c.start_date AS start, "
			      "c.end_date AS end, v.code AS vendor FROM contract c "
			      "JOIN vendor v ON v.id = c.vendor_id ORDER BY c.number",
			      out, e);
}

ClCode listing_contract_titles(sqlite3 *db, const Principal *who, RowSet *out, Err *e)
{
	return contracts_read(db, who, "SELECT number, title, status FROM contract ORDER BY number",
			      out, e);
}

ClCode listing_participants(sqlite3 *db, const char *number, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT a.code, a.name, p.joined FROM participant p JOIN agency a "
			"ON a.id = p.agency_id JOIN contract c ON c.id = p.contract_id "
			"WHERE c.number = ? ORDER BY p.joined, a.code",
			"t", number),
		&q, 0, "reading the participants", e);
}

ClCode listing_periods(sqlite3 *db, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT quarter, status, changed_at, changed_by, reason FROM period "
			"ORDER BY quarter DESC",
			""),
		&q, 0, "reading the periods", e);
}
