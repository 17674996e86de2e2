/* stmt.c — data shared by the statements; see stmt.h. */
#include "stmt.h"

#include <stdio.h>
#include <string.h>

#include "contract.h"

ClCode stmt_contract(sqlite3 *db, const char *number, ContractInfo *ci, Err *e)
{
	ClCode rc;

	memset(ci, 0, sizeof *ci);
	rc = contract_load(db, number, &ci->id, &ci->t, e);
	return rc ? rc : stmtdata_parties(db, ci->id, &ci->lead, &ci->vendor, e);
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
