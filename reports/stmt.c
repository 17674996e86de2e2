/* stmt.c — data shared by the statements; see stmt.h. */
#include "stmt.h"

#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "db.h"

ClCode stmt_contract(sqlite3 *db, const char *number, ContractInfo *ci, Err *e)
{
	sqlite3_stmt *st = NULL;
	ClCode rc;

	memset(ci, 0, sizeof *ci);
	rc = contract_load(db, number, &ci->id, &ci->t, e);
	if (rc)
		return rc;
	rc = db_prepare(db, &st,
			"SELECT a.code, a.name, a.address, v.code, v.name, v.address "
			"FROM contract c JOIN agency a ON a.id = c.lead_agency_id "
			"JOIN vendor v ON v.id = c.vendor_id WHERE c.id = ?",
			e);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, ci->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(db, e, "contract parties");
	}
	snprintf(ci->lead.code, sizeof ci->lead.code, "%s", sqlite3_column_text(st, 0));
	snprintf(ci->lead.name, sizeof ci->lead.name, "%s", sqlite3_column_text(st, 1));
	snprintf(ci->lead.address, sizeof ci->lead.address, "%s", sqlite3_column_text(st, 2));
	snprintf(ci->vendor.code, sizeof ci->vendor.code, "%s", sqlite3_column_text(st, 3));
	snprintf(ci->vendor.name, sizeof ci->vendor.name, "%s", sqlite3_column_text(st, 4));
	snprintf(ci->vendor.address, sizeof ci->vendor.address, "%s", sqlite3_column_text(st, 5));
	sqlite3_finalize(st);
	return CL_OK;
}

ClCode stmt_agency(sqlite3 *db, const char *code, Party *p, Err *e)
{
	memset(p, 0, sizeof *p);
	snprintf(p->code, sizeof p->code, "%s", code);
	if (!db_text(db, p->name, sizeof p->name, "SELECT name FROM agency WHERE code = ?", "t",
		     code))
		return err_set(e, CL_ENOTFOUND, "no agency %s", code);
	db_text(db, p->address, sizeof p->address, "SELECT address FROM agency WHERE code = ?", "t",
		code);
	return CL_OK;
}

ClCode stmt_range(const Terms *t, const StatementPeriod *p, Date *first, Date *last, char *label,
		  size_t n, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF], q[QUARTER_BUF];
	int contract_years = t->fee.year == YEAR_CONTRACT;
	YearRange yr;

	if (!p->is_year) {
		if (p->q.q < 1 || p->q.q > 4)
			return err_set(e, CL_EINPUT, "bad quarter");
		*first = quarter_first_day(p->q);
		*last = quarter_last_day(p->q);
		snprintf(label, n, "%s (%s to %s)", quarter_format(p->q, q), date_format(*first, a),
			 date_format(*last, b));
		return CL_OK;
	}
	if (p->year < 1 ||
	    (!contract_years && (p->year < DATE_MIN_YEAR || p->year > DATE_MAX_YEAR)))
		return err_set(e, CL_EINPUT, "year %d is not a %s year of contract %s", p->year,
			       contract_years ? "contract" : "calendar", t->number);
	yr = sched_year_range(contract_years, t->start, p->year);
	*first = yr.first;
	*last = yr.last;
	if (contract_years)
		snprintf(label, n, "contract year %d (%s to %s)", p->year, date_format(*first, a),
			 date_format(*last, b));
	else
		snprintf(label, n, "calendar year %d", p->year);
	return CL_OK;
}

double stmt_frac(Money part, Money whole)
{
	if (whole <= 0 || part <= 0)
		return 0;
	return part >= whole ? 1.0 : (double)part / (double)whole;
}

ClCode pdf_period_range(sqlite3 *db, const char *contract, const StatementPeriod *p, Date *first,
			Date *last, Err *e)
{
	char label[128];
	Terms t;
	ClCode rc = contract_load(db, contract, NULL, &t, e);

	return rc ? rc : stmt_range(&t, p, first, last, label, sizeof label, e);
}

char *pdf_period_label(sqlite3 *db, const char *contract, const StatementPeriod *p, char *buf,
		       size_t n)
{
	Terms t;

	if (!p->is_year)
		snprintf(buf, n, "%d-Q%d", p->q.year, p->q.q);
	else if (contract_load(db, contract, NULL, &t, NULL) == CL_OK &&
		 t.fee.year == YEAR_CALENDAR)
		snprintf(buf, n, "%d", p->year);
	else
		snprintf(buf, n, "Y%d", p->year);
	return buf;
}

/* s with characters other than letters, digits, '.', '_' and '-' as '-',
 * into buf (size n). */
static char *safe_name(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++) {
		char c = s[i];

		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
				 ? c
				 : '-';
	}
	buf[i] = '\0';
	return buf;
}

char *pdf_member_filename(const char *contract, const char *period, const char *agency, char *buf,
			  size_t n)
{
	char c[128], p[64], a[64];

	snprintf(buf, n, "member-%s-%s-%s.pdf", safe_name(contract, c, sizeof c),
		 safe_name(period, p, sizeof p), safe_name(agency, a, sizeof a));
	return buf;
}

char *pdf_vendor_filename(const char *contract, const char *quarter, const char *vendor, char *buf,
			  size_t n)
{
	char c[128], q[64], v[64];

	snprintf(buf, n, "vendor-%s-%s-%s.pdf", safe_name(contract, c, sizeof c),
		 safe_name(quarter, q, sizeof q), safe_name(vendor, v, sizeof v));
	return buf;
}

char *pdf_revenue_filename(const char *contract, int year, char *buf, size_t n)
{
	char c[128], y[16] = "all";

	if (year)
		snprintf(y, sizeof y, "%d", year);
	if (contract)
		snprintf(buf, n, "revenue-%s-%s.pdf", safe_name(contract, c, sizeof c), y);
	else
		snprintf(buf, n, "revenue-%s.pdf", y);
	return buf;
}
