/* summary.c — agency and revenue reports; see summary.h. */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "contract.h"
#include "db.h"
#include "fees.h"
#include "money.h"
#include "rebate.h"

static void add_money(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format(m, buf));
}

char *summary_percent(long long savings, long long list, char *buf, size_t n)
{
	__int128 bp = list ? money_div_round((__int128)savings * 10000, list) : 0;
	long long v = (long long)bp;

	snprintf(buf, n, "%s%lld.%02lld%%", v < 0 ? "-" : "", (v < 0 ? -v : v) / 100,
		 (v < 0 ? -v : v) % 100);
	return buf;
}

/* The line of st's current row (agency_lines) as JSON. */
static cJSON *line_json(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	Money l = sqlite3_column_int64(st, 6), p = sqlite3_column_int64(st, 7);

	cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
	cJSON_AddStringToObject(o, "invoice_date", (const char *)sqlite3_column_text(st, 1));
	cJSON_AddStringToObject(o, "po_number", (const char *)sqlite3_column_text(st, 2));
	cJSON_AddStringToObject(o, "invoice_number", (const char *)sqlite3_column_text(st, 3));
	cJSON_AddNumberToObject(o, "line", sqlite3_column_int(st, 4));
	cJSON_AddStringToObject(o, "description", (const char *)sqlite3_column_text(st, 5));
	add_money(o, "list_amount", l);
	add_money(o, "invoiced_amount", p);
	add_money(o, "savings", l - p);
	return o;
}

/* The agency's live lines of one contract, with their totals, into c. */
static ClCode agency_lines(sqlite3 *db, int64_t cid, int64_t aid, const Quarter *period, cJSON *c,
			   Err *e)
{
	char from[DATE_BUF] = "0000-00-00", to[DATE_BUF] = "9999-99-99";
	char pct[24];
	Money list = 0, paid = 0;
	cJSON *lines = cJSON_AddArrayToObject(c, "lines");
	ClCode rc, end;
	DbRows q;

	if (period) {
		date_format(quarter_first_day(*period), from);
		date_format(quarter_last_day(*period), to);
	}
	rc = db_rows(&q, db, e,
		     "SELECT id, invoice_date, po_number, invoice_number, line, description, "
		     "list_amount, invoiced_amount FROM live_purchase WHERE contract_id = ? "
		     "AND agency_id = ? AND invoice_date BETWEEN ? AND ? "
		     "ORDER BY invoice_date, invoice_number, line",
		     "iitt", cid, aid, from, to);
	while (!rc && db_rows_next(&q)) {
		cJSON_AddItemToArray(lines, line_json(q.st));
		list += sqlite3_column_int64(q.st, 6);
		paid += sqlite3_column_int64(q.st, 7);
	}
	end = db_rows_end(&q, "reading the agency's lines", e);
	if (rc || end)
		return rc ? rc : end;
	add_money(c, "list_total", list);
	add_money(c, "paid_total", paid);
	add_money(c, "savings", list - paid);
	cJSON_AddStringToObject(c, "savings_pct",
				summary_percent(list - paid, list, pct, sizeof pct));
	return CL_OK;
}

/* The agency's share of the current rebate year, or JSON null when the
 * contract has none to show.  OUT: *out, which the caller adds. */
static ClCode agency_rebate(sqlite3 *db, const char *contract, const char *agency, Date today,
			    const char *actor, cJSON **out, Err *e)
{
	cJSON *r, *o, *mine;
	Err why = {0};
	int year;

	*out = NULL;
	if (!rebate_current_year(db, contract, today, &year, &why))
		r = rebate_report_json(db, contract, year, today, agency, actor, &why);
	else
		r = NULL;
	if (!r && (why.code == CL_EDB || why.code == CL_ENOMEM)) {
		/* a failure, not a contract without a rebate to show */
		if (e)
			*e = why;
		return why.code;
	}
	if (!r) {
		*out = cJSON_CreateNull();
		return CL_OK;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "year", year);
	cJSON_AddStringToObject(o, "status", cJSON_GetObjectItem(r, "status")->valuestring);
	mine = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "allocations"), 0);
	cJSON_AddStringToObject(o, "rebate",
				mine ? cJSON_GetObjectItem(mine, "rebate")->valuestring : "0.00");
	cJSON_AddStringToObject(o, "contract_base", cJSON_GetObjectItem(r, "base")->valuestring);
	cJSON_AddStringToObject(o, "rate", cJSON_GetObjectItem(r, "rate")->valuestring);
	cJSON_AddItemToObject(o, "next_tier",
			      cJSON_Duplicate(cJSON_GetObjectItem(r, "next_tier"), 1));
	cJSON_Delete(r);
	*out = o;
	return CL_OK;
}

/* The contract of st's current row (summary_agency_json) as JSON, with the
 * agency's lines and rebate.  OUT: *out, which the caller adds. */
static ClCode agency_contract(sqlite3 *db, sqlite3_stmt *st, int64_t aid, const char *agency,
			      const Quarter *period, Date today, const char *actor, cJSON **out,
			      Err *e)
{
	const char *number = (const char *)sqlite3_column_text(st, 1);
	cJSON *c = cJSON_CreateObject(), *rebate;
	ClCode rc;

	cJSON_AddStringToObject(c, "contract", number);
	cJSON_AddStringToObject(c, "title", (const char *)sqlite3_column_text(st, 2));
	cJSON_AddStringToObject(c, "joined", (const char *)sqlite3_column_text(st, 3));
	rc = agency_lines(db, sqlite3_column_int64(st, 0), aid, period, c, e);
	if (!rc)
		rc = agency_rebate(db, number, agency, today, actor, &rebate, e);
	if (rc) {
		cJSON_Delete(c);
		return rc;
	}
	cJSON_AddItemToObject(c, "rebate", rebate);
	*out = c;
	return CL_OK;
}

cJSON *summary_agency_json(sqlite3 *db, const char *agency, const char *contract,
			   const Quarter *period, Date today, const char *actor, Err *e)
{
	char name[256], day[DATE_BUF];
	cJSON *r, *arr, *c;
	int64_t aid;
	ClCode rc;
	DbRows q;

	if (agency_id(db, agency, &aid, e))
		return NULL;
	if (contract && contract_load(db, contract, NULL, NULL, e))
		return NULL;
	db_text(db, name, sizeof name, "SELECT name FROM agency WHERE id = ?", "i", aid);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "agency", agency);
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "as_of", date_format(today, day));
	arr = cJSON_AddArrayToObject(r, "contracts");
	rc = db_rows(&q, db, e,
		     "SELECT c.id, c.number, c.title, p.joined FROM participant p "
		     "JOIN contract c ON c.id = p.contract_id WHERE p.agency_id = ? "
		     "AND (?2 IS NULL OR c.number = ?2) ORDER BY c.number",
		     "it", aid, contract);
	while (!rc && db_rows_next(&q)) {
		rc = agency_contract(db, q.st, aid, agency, period, today, actor, &c, e);
		if (!rc)
			cJSON_AddItemToArray(arr, c);
	}
	if (db_rows_end(&q, "reading the agency's contracts", e) || rc)
		goto fail;
	if (contract && cJSON_GetArraySize(arr) == 0) {
		err_set(e, CL_ENOTFOUND, "agency %s does not participate in contract %s", agency,
			contract);
		goto fail;
	}
	return r;
fail:
	cJSON_Delete(r);
	return NULL;
}

/* Revenue figures summed over quarters.  outstanding sums the positive
 * balances of ended quarters, credits the negative ones (as a positive
 * figure: what the lead agency owes vendors back); neither nets the other. */
typedef struct Revenue {
	Money net_sales, fee, late_fee, remitted, outstanding, overdue, credits;
	Money aging[4];
} Revenue;

static const char *const aging_names[4] = {"1-30", "31-60", "61-90", "90+"};

static int aging_index(int days)
{
	return days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
}

static void revenue_add(Revenue *r, const FeeQuarter *f)
{
	r->net_sales += f->net_sales;
	r->fee += f->fee;
	r->late_fee += f->late_fee;
	r->remitted += f->remitted;
	if (f->balance > 0 && f->status != FQ_OPEN)
		r->outstanding += f->balance;
	if (f->status == FQ_OVERPAID)
		r->credits -= f->balance;
	if (f->status == FQ_OVERDUE) {
		r->overdue += f->balance;
		r->aging[aging_index(f->days_past_due)] += f->balance;
	}
}

static void revenue_json(cJSON *o, const Revenue *r)
{
	add_money(o, "net_sales", r->net_sales);
	add_money(o, "fee", r->fee);
	add_money(o, "late_fee", r->late_fee);
	add_money(o, "remitted", r->remitted);
	add_money(o, "outstanding", r->outstanding);
	add_money(o, "overdue", r->overdue);
	add_money(o, "credits", r->credits);
}

/* One quarter of one contract as a revenue row; a missing report past its
 * due date also goes to missing. */
static void quarter_row(cJSON *quarters, cJSON *missing, const char *number, const char *vendor,
			const FeeQuarter *f, Date today)
{
	char qt[QUARTER_BUF], due[DATE_BUF];
	cJSON *o = cJSON_CreateObject();

	quarter_format(f->q, qt);
	date_format(f->due, due);
	cJSON_AddStringToObject(o, "quarter", qt);
	cJSON_AddStringToObject(o, "contract", number);
	cJSON_AddStringToObject(o, "vendor", vendor);
	add_money(o, "net_sales", f->net_sales);
	add_money(o, "fee", f->fee);
	add_money(o, "late_fee", f->late_fee);
	add_money(o, "remitted", f->remitted);
	add_money(o, "balance", f->balance);
	cJSON_AddStringToObject(o, "due_date", due);
	cJSON_AddStringToObject(o, "status", fee_status_name(f->status));
	cJSON_AddStringToObject(o, "report", report_status_name(f->report));
	cJSON_AddNumberToObject(o, "days_past_due", f->days_past_due);
	cJSON_AddItemToArray(quarters, o);
	if (f->report == FR_MISSING && today > f->due) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "contract", number);
		cJSON_AddStringToObject(o, "vendor", vendor);
		cJSON_AddStringToObject(o, "quarter", qt);
		cJSON_AddStringToObject(o, "due_date", due);
		cJSON_AddNumberToObject(o, "days_past_due", today - f->due);
		cJSON_AddItemToArray(missing, o);
	}
}

/* Add one contract's quarters (of calendar year `year`, or all) to r. */
static ClCode revenue_contract(sqlite3 *db, const char *number, const char *vendor, int year,
			       Date today, cJSON *out, Revenue *total, Err *e)
{
	FeeQuarter *fq;
	Revenue rc = {0};
	cJSON *c;
	int n, i;

	if (fees_quarters(db, number, NULL, today, &fq, &n, e))
		return e ? e->code : CL_EDB;
	for (i = 0; i < n; i++) {
		if (year && fq[i].q.year != year)
			continue;
		revenue_add(&rc, &fq[i]);
		revenue_add(total, &fq[i]);
		quarter_row(cJSON_GetObjectItem(out, "quarters"),
			    cJSON_GetObjectItem(out, "missing_reports"), number, vendor, &fq[i],
			    today);
	}
	free(fq);
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "contract", number);
	cJSON_AddStringToObject(c, "vendor", vendor);
	revenue_json(c, &rc);
	cJSON_AddItemToArray(cJSON_GetObjectItem(out, "contracts"), c);
	return CL_OK;
}

cJSON *summary_revenue_json(sqlite3 *db, int year, Date today, Err *e)
{
	char day[DATE_BUF];
	Revenue total = {0};
	cJSON *r, *aging;
	ClCode rc;
	DbRows q;
	int i;

	rc = db_rows(&q, db, e,
		     "SELECT c.number, v.code FROM contract c JOIN vendor v ON v.id = c.vendor_id "
		     "WHERE c.start_date <= ? ORDER BY c.number",
		     "t", date_format(today, day));
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "as_of", day);
	if (year)
		cJSON_AddNumberToObject(r, "year", year);
	else
		cJSON_AddNullToObject(r, "year");
	cJSON_AddArrayToObject(r, "contracts");
	cJSON_AddArrayToObject(r, "quarters");
	cJSON_AddArrayToObject(r, "missing_reports");
	while (!rc && db_rows_next(&q))
		rc = revenue_contract(db, (const char *)sqlite3_column_text(q.st, 0),
				      (const char *)sqlite3_column_text(q.st, 1), year, today, r,
				      &total, e);
	if (db_rows_end(&q, "reading the contracts", e) || rc) {
		cJSON_Delete(r);
		return NULL;
	}
	aging = cJSON_AddObjectToObject(r, "aging");
	for (i = 0; i < 4; i++)
		add_money(aging, aging_names[i], total.aging[i]);
	revenue_json(cJSON_AddObjectToObject(r, "totals"), &total);
	return r;
}
