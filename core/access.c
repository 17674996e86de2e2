/* access.c — who may see what; see access.h. */
#include "access.h"

#include <string.h>

#include "db.h"

int access_is_staff(const Principal *who)
{
	return who->role == ROLE_ADMIN || who->role == ROLE_FINANCE;
}

/* Whether sql, with t and i bound by spec ("t" or "ti"), has a row.
 * OUT: *found. */
static ClCode has_row(sqlite3 *db, int *found, Err *e, const char *sql, const char *spec,
		      const char *t, int64_t i)
{
	DbRows q;
	ClCode rc, rc2;

	*found = 0;
	rc = db_rows(&q, db, e, sql, spec, t, i); /* i is unread when spec is "t" */
	if (!rc && db_rows_next(&q))
		*found = 1;
	rc2 = db_rows_end(&q, "checking access", e);
	return rc ? rc : rc2;
}

ClCode access_contract(sqlite3 *db, const Principal *who, const char *number, int *may, Err *e)
{
	ClCode rc;

	*may = 0;
	if (!number)
		return CL_OK;
	rc = has_row(db, may, e, "SELECT 1 FROM contract WHERE number = ?", "t", number, 0);
	if (rc || !*may || access_is_staff(who))
		return rc;
	if (who->role == ROLE_MEMBER)
		return has_row(
			db, may, e,
			"SELECT 1 FROM participant p JOIN contract c ON c.id = p.contract_id "
			"WHERE c.number = ? AND p.agency_id = ?",
			"ti", number, who->agency_id);
	return has_row(db, may, e, "SELECT 1 FROM contract WHERE number = ? AND vendor_id = ?",
		       "ti", number, who->vendor_id);
}

ClCode access_agency(sqlite3 *db, const Principal *who, const char *code, int *may, Err *e)
{
	ClCode rc;

	*may = 0;
	if (!code)
		return CL_OK;
	rc = has_row(db, may, e, "SELECT 1 FROM agency WHERE code = ?", "t", code, 0);
	if (rc || !*may)
		return rc;
	*may = access_is_staff(who) || (who->role == ROLE_MEMBER && strcmp(code, who->agency) == 0);
	return CL_OK;
}

int access_may_see_contract(sqlite3 *db, const Principal *who, const char *number)
{
	int may;

	return access_contract(db, who, number, &may, NULL) == CL_OK && may;
}

int access_may_see_agency(sqlite3 *db, const Principal *who, const char *code)
{
	int may;

	return access_agency(db, who, code, &may, NULL) == CL_OK && may;
}
