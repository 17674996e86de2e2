/* stmtdata.c — what the statements read from the books; see stmtdata.h. */
#include "stmtdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* Column i of the current row of q as text ("" for NULL) into out (n). */
static void column_text(DbRows *q, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(q->st, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

/* Ends q with what; the first failure of rc (db_rows()'s answer and
 * what the loop set) and the end. */
static ClCode rows_done(ClCode rc, DbRows *q, const char *what, Err *e)
{
	ClCode rc2 = db_rows_end(q, what, e);

	return rc ? rc : rc2;
}

ClCode stmtdata_parties(sqlite3 *db, int64_t contract_id, Party *lead, Party *vendor, Err *e)
{
	DbRows q;
	ClCode rc;

	memset(lead, 0, sizeof *lead);
	memset(vendor, 0, sizeof *vendor);
	rc = db_rows(&q, db, e,
		     "SELECT a.code, a.name, a.address, v.code, v.name, v.address "
		     "FROM contract c JOIN agency a ON a.id = c.lead_agency_id "
		     "JOIN vendor v ON v.id = c.vendor_id WHERE c.id = ?",
		     "i", contract_id);
	if (!rc && db_rows_next(&q)) {
		column_text(&q, 0, lead->code, sizeof lead->code);
		column_text(&q, 1, lead->name, sizeof lead->name);
		column_text(&q, 2, lead->address, sizeof lead->address);
		column_text(&q, 3, vendor->code, sizeof vendor->code);
		column_text(&q, 4, vendor->name, sizeof vendor->name);
		column_text(&q, 5, vendor->address, sizeof vendor->address);
	} else if (!rc && q.step == SQLITE_DONE) {
		rc = err_set(e, CL_ENOTFOUND, "contract parties: no contract %lld",
			     (long long)contract_id);
	}
	return rows_done(rc, &q, "contract parties", e);
}

ClCode stmtdata_agency(sqlite3 *db, const char *code, Party *p, Err *e)
{
	DbRows q;
	ClCode rc;

	memset(p, 0, sizeof *p);
	snprintf(p->code, sizeof p->code, "%s", code);
	rc = db_rows(&q, db, e, "SELECT id, name, address FROM agency WHERE code = ?", "t", code);
	if (!rc && db_rows_next(&q)) {
		p->id = sqlite3_column_int64(q.st, 0);
		column_text(&q, 1, p->name, sizeof p->name);
		column_text(&q, 2, p->address, sizeof p->address);
	} else if (!rc && q.step == SQLITE_DONE) {
		rc = err_set(e, CL_ENOTFOUND, "no agency %s", code);
	}
	return rows_done(rc, &q, "reading the agency", e);
}

ClCode stmtdata_joined(sqlite3 *db, int64_t contract_id, int64_t agency_id, char *joined, Err *e)
{
	DbRows q;
	ClCode rc;

	joined[0] = '\0';
	rc = db_rows(&q, db, e,
		     "SELECT joined FROM participant WHERE contract_id = ? AND agency_id = ?", "ii",
		     contract_id, agency_id);
	if (!rc && db_rows_next(&q))
		column_text(&q, 0, joined, DATE_BUF);
	else if (!rc && q.step == SQLITE_DONE)
		rc = err_set(e, CL_ENOTFOUND, "the agency does not participate in the contract");
	return rows_done(rc, &q, "reading the participant", e);
}

/* A line of st's current row (stmtdata_member_lines), its strings copied
 * after it in one block; NULL when memory runs out. */
static StmtLine *line_read(sqlite3_stmt *st)
{
	const char *col[4];
	size_t len[4], total = 0;
	StmtLine *l;
	char *p;
	int i;

	for (i = 0; i < 4; i++) {
		col[i] = (const char *)sqlite3_column_text(st, i);
		col[i] = col[i] ? col[i] : "";
		len[i] = strlen(col[i]) + 1;
		total += len[i];
	}
	if (!(l = malloc(sizeof *l + total)))
		return NULL;
	{
		const char **field[4] = {&l->invoice_date, &l->po_number, &l->invoice_number,
					 &l->description};

		p = (char *)(l + 1);
		for (i = 0; i < 4; i++) {
			memcpy(p, col[i], len[i]);
			*field[i] = p;
			p += len[i];
		}
	}
	l->list = sqlite3_column_int64(st, 4);
	l->net = sqlite3_column_int64(st, 5);
	return l;
}

ClCode stmtdata_member_lines(sqlite3 *db, int64_t contract_id, int64_t agency_id, Date first,
			     Date last, StmtLine ***lines, int *n, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];
	StmtLine **grown;
	int cap = 0;
	DbRows q;
	ClCode rc;

	*lines = NULL;
	*n = 0;
	rc = db_rows(&q, db, e,
		     "SELECT invoice_date, po_number, invoice_number, description, list_amount, "
		     "invoiced_amount FROM live_purchase WHERE contract_id = ? AND agency_id = ? "
		     "AND invoice_date BETWEEN ? AND ? ORDER BY invoice_date, invoice_number, line",
		     "iitt", contract_id, agency_id, date_format(first, a), date_format(last, b));
	while (!rc && db_rows_next(&q)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(*lines, (size_t)cap * sizeof(StmtLine *)))) {
				rc = err_set(e, CL_ENOMEM, "the member's lines: out of memory");
				break;
			}
			*lines = grown;
		}
		if (!((*lines)[*n] = line_read(q.st)))
			rc = err_set(e, CL_ENOMEM, "the member's lines: out of memory");
		else
			(*n)++;
	}
	return rows_done(rc, &q, "reading the member's lines", e);
}

void stmtdata_lines_free(StmtLine **lines, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

ClCode stmtdata_member_totals(sqlite3 *db, int64_t contract_id, int64_t agency_id, Date first,
			      Date last, Money *list, Money *net, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];
	DbRows q;
	ClCode rc;

	*list = *net = 0;
	if (last < first)
		return CL_OK;
	rc = db_rows(&q, db, e,
		     "SELECT coalesce(sum(list_amount), 0), coalesce(sum(invoiced_amount), 0) "
		     "FROM sales_agency_day WHERE contract_id = ? AND agency_id = ? "
		     "AND day BETWEEN ? AND ?",
		     "iitt", contract_id, agency_id, date_format(first, a), date_format(last, b));
	if (!rc && db_rows_next(&q)) {
		*list = sqlite3_column_int64(q.st, 0);
		*net = sqlite3_column_int64(q.st, 1);
	}
	return rows_done(rc, &q, "reading the member's net sales", e);
}

ClCode stmtdata_vendor_code(sqlite3 *db, const char *number, char *code, size_t n, Err *e)
{
	DbRows q;
	ClCode rc;

	code[0] = '\0';
	rc = db_rows(&q, db, e,
		     "SELECT v.code FROM contract c JOIN vendor v ON v.id = c.vendor_id WHERE "
		     "c.number = ?",
		     "t", number);
	if (!rc && db_rows_next(&q))
		column_text(&q, 0, code, n);
	return rows_done(rc, &q, "reading the contract's vendor", e);
}

ClCode stmtdata_lead_code(sqlite3 *db, const char *number, char *code, size_t n, Err *e)
{
	DbRows q;
	ClCode rc;

	code[0] = '\0';
	rc = db_rows(&q, db, e,
		     "SELECT a.code FROM contract c JOIN agency a ON a.id = c.lead_agency_id "
		     "WHERE (?1 IS NULL OR c.number = ?1) ORDER BY c.number LIMIT 1",
		     "t", number);
	if (!rc && db_rows_next(&q))
		column_text(&q, 0, code, n);
	else if (!rc && q.step == SQLITE_DONE)
		rc = err_set(e, CL_ENOTFOUND, number ? "no contract %s" : "no contracts%s",
			     number ? number : "");
	return rows_done(rc, &q, "reading the lead agency", e);
}

ClCode stmtdata_net_between(sqlite3 *db, int64_t contract_id, Date a, Date b, Money *net, Err *e)
{
	char da[DATE_BUF], dbuf[DATE_BUF];
	DbRows q;
	ClCode rc;

	*net = 0;
	if (b < a)
		return CL_OK;
	rc = db_rows(&q, db, e,
		     "SELECT coalesce(sum(invoiced_amount), 0) FROM sales_day "
		     "WHERE contract_id = ? AND day BETWEEN ? AND ?",
		     "itt", contract_id, date_format(a, da), date_format(b, dbuf));
	if (!rc && db_rows_next(&q))
		*net = sqlite3_column_int64(q.st, 0);
	return rows_done(rc, &q, "reading net sales", e);
}

ClCode stmtdata_member_sales(sqlite3 *db, int64_t contract_id, Date first, Date last,
			     StmtMemberSales *rows, int max, int *n, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];
	DbRows q;
	ClCode rc;

	*n = 0;
	rc = db_rows(&q, db, e,
		     "SELECT a.code, a.name, sum(s.lines), sum(s.list_amount), "
		     "sum(s.invoiced_amount) FROM sales_agency_day s JOIN agency a ON a.id = "
		     "s.agency_id WHERE s.contract_id = ? AND s.day BETWEEN ? AND ? "
		     "GROUP BY a.id HAVING sum(s.lines) > 0 ORDER BY a.code",
		     "itt", contract_id, date_format(first, a), date_format(last, b));
	while (!rc && *n < max && db_rows_next(&q)) {
		StmtMemberSales *m = &rows[(*n)++];

		column_text(&q, 0, m->code, sizeof m->code);
		column_text(&q, 1, m->name, sizeof m->name);
		m->lines = sqlite3_column_int(q.st, 2);
		m->list = sqlite3_column_int64(q.st, 3);
		m->net = sqlite3_column_int64(q.st, 4);
	}
	return rows_done(rc, &q, "reading sales by member", e);
}

ClCode stmtdata_remits(sqlite3 *db, int64_t contract_id, const char *quarter, const char *as_of,
		       StmtRemit *rows, int max, int *n, Err *e)
{
	DbRows q;
	ClCode rc;

	*n = 0;
	rc = db_rows(&q, db, e,
		     "SELECT received, reference, amount FROM live_remittance "
		     "WHERE contract_id = ? AND quarter = ? AND received <= ? "
		     "ORDER BY received, id",
		     "itt", contract_id, quarter, as_of);
	while (!rc && *n < max && db_rows_next(&q)) {
		StmtRemit *r = &rows[(*n)++];

		column_text(&q, 0, r->received, sizeof r->received);
		column_text(&q, 1, r->ref, sizeof r->ref);
		r->amount = sqlite3_column_int64(q.st, 2);
	}
	return rows_done(rc, &q, "reading the remittances", e);
}

ClCode stmtdata_active_members(sqlite3 *db, int year, const char *number, int *count, Err *e)
{
	char a[DATE_BUF] = "0000-00-00", b[DATE_BUF] = "9999-99-99";
	DbRows q;
	ClCode rc;

	*count = 0;
	if (year) {
		snprintf(a, sizeof a, "%04d-01-01", year);
		snprintf(b, sizeof b, "%04d-12-31", year);
	}
	rc = db_rows(&q, db, e,
		     "SELECT count(*) FROM (SELECT s.agency_id FROM sales_agency_day s "
		     "JOIN contract c ON c.id = s.contract_id WHERE (?1 IS NULL OR c.number = ?1) "
		     "AND s.day BETWEEN ?2 AND ?3 GROUP BY s.agency_id HAVING sum(s.lines) > 0)",
		     "ttt", number, a, b);
	if (!rc && db_rows_next(&q))
		*count = sqlite3_column_int(q.st, 0);
	return rows_done(rc, &q, "counting the active members", e);
}

ClCode stmtdata_member_codes(sqlite3 *db, const char *number, Date first, Date last,
			     StmtCode **codes, int *n, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];
	StmtCode *c = NULL, *grown;
	int cap = 0;
	DbRows q;
	ClCode rc;

	*codes = NULL;
	*n = 0;
	rc = db_rows(
		&q, db, e,
		/* agency by agency in code order, each one's days of the period
		 * found in the key: no sort, no row of another period read */
		"SELECT a.code FROM contract c CROSS JOIN agency a CROSS JOIN sales_agency_day s "
		"ON s.contract_id = c.id AND s.agency_id = a.id AND s.day BETWEEN ?2 AND ?3 "
		"WHERE c.number = ?1 GROUP BY a.code HAVING sum(s.lines) > 0 ORDER BY a.code",
		"ttt", number, date_format(first, a), date_format(last, b));
	while (!rc && db_rows_next(&q)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			if (!(grown = realloc(c, (size_t)cap * sizeof *c))) {
				rc = err_set(e, CL_ENOMEM, "member agencies: out of memory");
				break;
			}
			c = grown;
		}
		column_text(&q, 0, c[(*n)++].code, sizeof c->code);
	}
	rc = rows_done(rc, &q, "reading the member agencies", e);
	if (rc) {
		free(c);
		*n = 0;
		return rc;
	}
	*codes = c;
	return CL_OK;
}
