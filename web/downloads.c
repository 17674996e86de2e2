/* downloads.c — CSV downloads of tables shown on the portals and the
 * dashboard: a contract's remittances and the missing sales reports; see
 * pages.h. */
#include <stdio.h>
#include <stdlib.h>

#include "csvout.h"
#include "handlers.h"
#include "money.h"
#include "pages.h"
#include "encode.h"
#include "portal.h"
#include "summary.h"

int page_remittances_csv(Req *r)
{
	static const char *const keys[] = {"quarter", "amount", "received", "reference"};
	static const char *const money[] = {"amount", NULL};
	char name[120];
	cJSON *rows;
	RowSet rs;
	Err e = {0};

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	if (portal_remittances(r->db, r->param[0], &rs, &e)) {
		rowset_free(&rs);
		return resp_error(r, 500, "%s", e.msg);
	}
	rows = encode_rowset(&rs, money, ENC_DATA);
	rowset_free(&rs);
	snprintf(name, sizeof name, "%.100s-remittances.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 4), name);
	cJSON_Delete(rows);
	return 0;
}

/* One array of the finance summary (report revenue) as a CSV download. */
int revenue_csv(Req *r, const char *array, const char *const *keys, int n, const char *name)
{
	cJSON *rev;
	Err e = {0};

	rev = encode_revenue_report(r->db, 0, r->today, ENC_DATA, &e);
	if (!rev)
		return resp_error(r, 500, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(rev, array), keys, n), name);
	cJSON_Delete(rev);
	return 0;
}

int page_missing_csv(Req *r)
{
	static const char *const keys[] = {"contract", "vendor", "quarter", "due_date",
					   "days_past_due"};

	return revenue_csv(r, "missing_reports", keys, 5, "missing-reports.csv");
}
