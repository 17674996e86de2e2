/* compliance.c — discount compliance; see compliance.h. */
#include "compliance.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "db.h"
#include "money.h"
#include "terms.h"

/* A running total for one key (a quarter or an agency). */
typedef struct Tally {
	char key[40];
	int lines;
	Money overcharge;
} Tally;

#define MAX_TALLY 512

typedef struct Tallies {
	Tally t[MAX_TALLY];
	int n;
} Tallies;

/* Add one overcharged line to key's tally (keys arrive in any order). */
static void tally_add(Tallies *ts, const char *key, Money amount)
{
	int i;

	for (i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].key, key) == 0)
			break;
	if (i == ts->n) {
		if (ts->n == MAX_TALLY)
			return;
		snprintf(ts->t[ts->n].key, sizeof ts->t[0].key, "%s", key);
		ts->n++;
	}
	ts->t[i].lines++;
	ts->t[i].overcharge += amount;
}

static int tally_cmp(const void *a, const void *b)
{
	return strcmp(((const Tally *)a)->key, ((const Tally *)b)->key);
}

static void add_money(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format(m, buf));
}

static cJSON *tallies_json(Tallies *ts, const char *name)
{
	cJSON *arr = cJSON_CreateArray();
	int i;

	qsort(ts->t, (size_t)ts->n, sizeof ts->t[0], tally_cmp);
	for (i = 0; i < ts->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, name, ts->t[i].key);
		cJSON_AddNumberToObject(o, "lines", ts->t[i].lines);
		add_money(o, "overcharge", ts->t[i].overcharge);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* One overcharged line as JSON. */
static cJSON *line_json(sqlite3_stmt *st, Rate rate, Money expected, Money over)
{
	char buf[MONEY_BUF];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "invoice_number", (const char *)sqlite3_column_text(st, 0));
	cJSON_AddNumberToObject(o, "line", sqlite3_column_int(st, 1));
	cJSON_AddStringToObject(o, "agency", (const char *)sqlite3_column_text(st, 2));
	cJSON_AddStringToObject(o, "po_number", (const char *)sqlite3_column_text(st, 3));
	add_money(o, "list_amount", sqlite3_column_int64(st, 4));
	cJSON_AddStringToObject(o, "rate", rate_format(rate, buf));
	add_money(o, "expected", expected);
	add_money(o, "invoiced_amount", sqlite3_column_int64(st, 5));
	add_money(o, "overcharge", over);
	cJSON_AddStringToObject(o, "invoice_date", (const char *)sqlite3_column_text(st, 6));
	return o;
}

static const char compliance_sql[] =
	"WITH orders AS (SELECT agency_id, po_number, sum(list_amount) AS total "
	"  FROM live_purchase WHERE contract_id = ?1 GROUP BY agency_id, po_number) "
	"SELECT p.invoice_number, p.line, a.code, p.po_number, p.list_amount, "
	"  p.invoiced_amount, p.invoice_date, o.total "
	"FROM live_purchase p JOIN orders o ON o.agency_id = p.agency_id "
	"  AND o.po_number = p.po_number JOIN agency a ON a.id = p.agency_id "
	"WHERE p.contract_id = ?1 AND p.list_amount > 0 AND p.invoice_date BETWEEN ?2 AND ?3 "
	"  AND (?4 IS NULL OR a.code = ?4) "
	"ORDER BY p.invoice_date, p.invoice_number, p.line";

cJSON *compliance_report_json(sqlite3 *db, const char *contract, const Quarter *period,
			      const char *only_agency, Err *e)
{
	char from[DATE_BUF] = "0000-00-00", to[DATE_BUF] = "9999-99-99", qt[QUARTER_BUF];
	sqlite3_stmt *st = NULL;
	Tallies *byq = NULL, *bya = NULL;
	Money total = 0;
	int64_t cid = 0;
	Terms t = {0};
	cJSON *r = NULL, *lines;

	if (contract_load(db, contract, &cid, &t, e) || db_prepare(db, &st, compliance_sql, e))
		return NULL;
	if (period) {
		date_format(quarter_first_day(*period), from);
		date_format(quarter_last_day(*period), to);
	}
	db_bind_spec(st, "ittt", cid, from, to, only_agency);
	byq = calloc(1, sizeof *byq);
	bya = calloc(1, sizeof *bya);
	if (!byq || !bya) {
		err_set(e, CL_ENOMEM, "out of memory");
		goto out;
	}
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "contract", contract);
	lines = cJSON_AddArrayToObject(r, "lines");
	while (sqlite3_step(st) == SQLITE_ROW) {
		Money list = sqlite3_column_int64(st, 4), paid = sqlite3_column_int64(st, 5);
		Rate rate = schedule_rate_at(&t.discounts, sqlite3_column_int64(st, 7));
		Money expected = list - money_apply_rate(list, rate);
		Money over = paid - expected - t.price_tolerance;
		Date day;

		if (over <= 0)
			continue;
		cJSON_AddItemToArray(lines, line_json(st, rate, expected, over));
		total += over;
		date_parse((const char *)sqlite3_column_text(st, 6), &day, NULL);
		tally_add(byq, quarter_format(quarter_of(day), qt), over);
		tally_add(bya, (const char *)sqlite3_column_text(st, 2), over);
	}
	add_money(r, "total_overcharge", total);
	cJSON_AddItemToObject(r, "by_quarter", tallies_json(byq, "quarter"));
	cJSON_AddItemToObject(r, "by_agency", tallies_json(bya, "agency"));
out:
	free(byq);
	free(bya);
	sqlite3_finalize(st);
	return r;
}
