/* portal.c — what the dashboard and the portals read; see portal.h. */
#include "portal.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"

/* Rows of q as [{number, title}]; ends q.  rc is db_rows()'s answer. */
static cJSON *titles_json(ClCode rc, DbRows *q, Err *e)
{
	cJSON *arr = rc ? NULL : cJSON_CreateArray();

	while (arr && db_rows_next(q)) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "number", (const char *)sqlite3_column_text(q->st, 0));
		cJSON_AddStringToObject(o, "title", (const char *)sqlite3_column_text(q->st, 1));
		cJSON_AddItemToArray(arr, o);
	}
	if (db_rows_end(q, "reading the contracts", e) || rc) {
		cJSON_Delete(arr);
		return NULL;
	}
	if (!arr)
		err_set(e, CL_ENOMEM, "reading the contracts: out of memory");
	return arr;
}

cJSON *portal_active_contracts(sqlite3 *db, Err *e)
{
	DbRows q;

	return titles_json(db_rows(&q, db, e,
				   "SELECT number, title FROM contract WHERE status = 'active' "
				   "ORDER BY number",
				   ""),
			   &q, e);
}

cJSON *portal_vendor_contracts(sqlite3 *db, int64_t vendor_id, Err *e)
{
	DbRows q;

	return titles_json(
		db_rows(&q, db, e,
			"SELECT number, title FROM contract WHERE vendor_id = ? ORDER BY "
			"number",
			"i", vendor_id),
		&q, e);
}

cJSON *portal_remittances(sqlite3 *db, const char *number, Err *e)
{
	char buf[MONEY_BUF];
	cJSON *arr = NULL;
	DbRows q;

	if (!db_rows(&q, db, e,
		     "SELECT m.quarter, m.amount, m.received, m.reference FROM live_remittance m "
		     "JOIN contract c ON c.id = m.contract_id WHERE c.number = ? "
		     "ORDER BY m.received DESC, m.id DESC",
		     "t", number))
		arr = cJSON_CreateArray();
	while (arr && db_rows_next(&q)) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "quarter", (const char *)sqlite3_column_text(q.st, 0));
		cJSON_AddStringToObject(o, "amount",
					money_format(sqlite3_column_int64(q.st, 1), buf));
		cJSON_AddStringToObject(o, "received", (const char *)sqlite3_column_text(q.st, 2));
		cJSON_AddStringToObject(o, "reference", (const char *)sqlite3_column_text(q.st, 3));
		cJSON_AddItemToArray(arr, o);
	}
	if (db_rows_end(&q, "reading the remittances", e) || !arr) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

ClCode portal_top_contract(sqlite3 *db, char *number, size_t n, int *found, Err *e)
{
	DbRows q;
	ClCode rc, rc2;

	*found = 0;
	number[0] = '\0';
	rc = db_rows(&q, db, e,
		     "SELECT c.number FROM contract c WHERE c.status = 'active' "
		     "AND EXISTS (SELECT 1 FROM live_purchase l WHERE "
		     "l.contract_id = c.id) LIMIT 2",
		     "");
	while (!rc && db_rows_next(&q))
		if (++*found == 1)
			snprintf(number, n, "%s", (const char *)sqlite3_column_text(q.st, 0));
	rc2 = db_rows_end(&q, "finding the largest contract", e);
	if (rc || rc2 || *found < 2)
		return rc ? rc : rc2;
	*found = 0;
	rc = db_rows(&q, db, e,
		     "SELECT c.number FROM contract c JOIN live_purchase l ON l.contract_id = c.id "
		     "WHERE c.status = 'active' GROUP BY c.id ORDER BY sum(l.invoiced_amount) DESC "
		     "LIMIT 1",
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
		     "SELECT a.code, sum(l.invoiced_amount) s FROM live_purchase l "
		     "JOIN agency a ON a.id = l.agency_id JOIN contract c ON c.id = "
		     "l.contract_id WHERE c.number = ? AND l.invoice_date BETWEEN ? "
		     "AND ? GROUP BY a.code ORDER BY s DESC",
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
