/* downloads.c — CSV downloads of tables shown on the portals and the
 * dashboard: a contract's remittances and the missing sales reports; see
 * pages.h. */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "handlers.h"
#include "money.h"
#include "pages.h"
#include "summary.h"

/* The remittances of contract number, newest first, as JSON rows (money
 * as text).  Caller frees. */
static cJSON *remittance_rows(Req *r, const char *number)
{
	char buf[MONEY_BUF];
	sqlite3_stmt *st = NULL;
	cJSON *arr = cJSON_CreateArray();

	if (db_prepare(r->db, &st,
		       "SELECT m.quarter, m.amount, m.received, m.reference FROM remittance m "
		       "JOIN contract c ON c.id = m.contract_id WHERE c.number = ? "
		       "ORDER BY m.received DESC, m.id DESC",
		       NULL))
		return arr;
	db_bind_spec(st, "t", number);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "quarter", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(o, "amount",
					money_format(sqlite3_column_int64(st, 1), buf));
		cJSON_AddStringToObject(o, "received", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddStringToObject(o, "reference", (const char *)sqlite3_column_text(st, 3));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

int page_remittances_csv(Req *r)
{
	static const char *const keys[] = {"quarter", "amount", "received", "reference"};
	char name[120];
	cJSON *rows;

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	rows = remittance_rows(r, r->param[0]);
	snprintf(name, sizeof name, "%.100s-remittances.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 4), name);
	cJSON_Delete(rows);
	return 0;
}

int page_missing_csv(Req *r)
{
	static const char *const keys[] = {"contract", "vendor", "quarter", "due_date",
					   "days_past_due"};
	cJSON *rev;
	Err e = {0};

	rev = summary_revenue_json(r->db, 0, r->today, &e);
	if (!rev)
		return resp_error(r, 500, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(rev, "missing_reports"), keys, 5),
		  "missing-reports.csv");
	cJSON_Delete(rev);
	return 0;
}
