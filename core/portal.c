/* portal.c — what the dashboard and the portals read; see portal.h. */
#include "portal.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"

ClCode portal_active_contracts(sqlite3 *db, RowSet *rs, Err *e)
{
	DbRows q;
	ClCode rc = db_rows(&q, db, e,
			    "SELECT number, title FROM contract WHERE status = 'active' "
			    "ORDER BY number",
			    "");

	return rowset_read(rs, rc, &q, 0, "reading the contracts", e);
}

ClCode portal_vendor_contracts(sqlite3 *db, int64_t vendor_id, RowSet *rs, Err *e)
{
	DbRows q;
	ClCode rc = db_rows(
		&q, db, e, "SELECT number, title FROM contract WHERE vendor_id = ? ORDER BY number",
		"i", vendor_id);

	return rowset_read(rs, rc, &q, 0, "reading the contracts", e);
}

ClCode portal_remittances(sqlite3 *db, const char *number, RowSet *rs, Err *e)
{
	DbRows q;
	ClCode rc = db_rows(
		&q, db, e,
		"SELECT m.quarter, m.amount, m.received, m.reference FROM live_remittance m "
		"JOIN contract c ON c.id = m.contract_id WHERE c.number = ? "
		"ORDER BY m.received DESC, m.id DESC",
		"t", number);

	return rowset_read(rs, rc, &q, 0, "reading the remittances", e);
}

ClCode portal_top_contract(sqlite3 *db, char *number, size_t n, int *found, Err *e)
{
	DbRows q;
	ClCode rc, rc2;

	*found = 0;
	number[0] = '\0';
	rc = db_rows(&q, db, e,
		     "SELECT c.number FROM contract c WHERE c.status = 'active' "
		     "AND EXISTS (SELECT 1 FROM sales_day s WHERE "
		     "s.contract_id = c.id AND s.lines > 0) LIMIT 2",
		     "");
	while (!rc && db_rows_next(&q))
		if (++*found == 1)
			snprintf(number, n, "%s", (const char *)sqlite3_column_text(q.st, 0));
	rc2 = db_rows_end(&q, "finding the largest contract", e);
	if (rc || rc2 || *found < 2)
		return rc ? rc : rc2;
	*found = 0;
	rc = db_rows(&q, db, e,
		     "SELECT c.number FROM contract c JOIN sales_day s ON s.contract_id = c.id "
		     "WHERE c.status = 'active' GROUP BY c.id HAVING sum(s.lines) > 0 "
		     "ORDER BY sum(s.invoiced_amount) DESC LIMIT 1",
		     "");
	if (!rc && db_rows_next(&q)) {
		snprintf(number, n, "%s", (const char *)sqlite3_column_text(q.st, 0));
		*found = 1;
	}
	rc2 = db_rows_end(&q, "finding the largest contract", e);
	return rc ? rc : rc2;
}

ClCode portal_agency_spend(sqlite3 *db, const char *number, Date from, Date to, PortalSpend **spend,
			   int *n, Money *total, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];
	PortalSpend *s = NULL, *grown;
	int cap = 0;
	DbRows q;
	ClCode rc, rc2;

	*spend = NULL;
	*n = 0;
	*total = 0;
	rc = db_rows(&q, db, e,
		     "SELECT a.code, sum(l.invoiced_amount) s FROM sales_agency_day l "
		     "JOIN agency a ON a.id = l.agency_id JOIN contract c ON c.id = "
		     "l.contract_id WHERE c.number = ? AND l.day BETWEEN ? "
		     "AND ? GROUP BY a.code HAVING sum(l.lines) > 0 ORDER BY s DESC",
		     "ttt", number, date_format(from, a), date_format(to, b));
	while (!rc && db_rows_next(&q)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(s, (size_t)cap * sizeof *s))) {
				rc = err_set(e, CL_ENOMEM, "agency spend: out of memory");
				break;
			}
			s = grown;
		}
		snprintf(s[*n].code, sizeof s[*n].code, "%s",
			 (const char *)sqlite3_column_text(q.st, 0));
		s[*n].v = sqlite3_column_int64(q.st, 1);
		*total += s[(*n)++].v;
	}
	rc2 = db_rows_end(&q, "reading the agency spend", e);
	if (rc || rc2) {
		free(s);
		*n = 0;
		*total = 0;
		return rc ? rc : rc2;
	}
	*spend = s;
	return CL_OK;
}

ClCode portal_agency_saved(sqlite3 *db, const char *agency, Date from, Date to, RowSet *rs, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];
	DbRows q;
	ClCode rc =
		db_rows(&q, db, e,
			"SELECT c.number AS contract, "
			"sum(l.list_amount - l.invoiced_amount) AS saved FROM sales_agency_day l "
			"JOIN agency g ON g.id = l.agency_id JOIN contract c ON c.id = "
			"l.contract_id WHERE g.code = ? AND l.day BETWEEN ? AND ? "
			"GROUP BY c.number HAVING sum(l.lines) > 0 ORDER BY c.number",
			"ttt", agency, date_format(from, a), date_format(to, b));

	return rowset_read(rs, rc, &q, 0, "reading the agency's savings", e);
}
