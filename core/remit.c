/* remit.c — recording remittances; see remit.h. */
#include "remit.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "audit.h"
#include "contract.h"
#include "db.h"
#include "text.h"

/* Validate a remittance against its contract.  OUT: *cid. */
static ClCode remit_validate(sqlite3 *db, const RemitIn *r, int64_t *cid, Err *e)
{
	char qt[QUARTER_BUF];
	Terms t = {0};
	ClCode rc;

	rc = contract_load(db, r->contract, cid, &t, e);
	if (rc)
		return rc;
	if (r->amount <= 0)
		return err_set(e, CL_EINPUT, "amount must be more than zero");
	if (!r->reference || !*r->reference || strlen(r->reference) > 64)
		return err_set(
			e, CL_EINPUT,
			"a reference (cheque or ACH number, at most 64 characters) is required");
	if (text_check_line("reference", r->reference, e))
		return CL_EINPUT;
	if (quarter_last_day(r->quarter) < t.start || quarter_first_day(r->quarter) > t.end)
		return err_set(e, CL_EINPUT, "quarter %s is outside the term of contract %s",
			       quarter_format(r->quarter, qt), r->contract);
	return CL_OK;
}

ClCode remit_add(sqlite3 *db, const RemitIn *r, const char *actor, int64_t *id, Err *e)
{
	char qt[QUARTER_BUF], day[DATE_BUF], now[TIMESTAMP_BUF], amount[MONEY_BUF], key[32];
	int64_t cid, new_id;
	cJSON *o;
	char *json;
	ClCode rc;

	rc = remit_validate(db, r, &cid, e);
	if (rc)
		return rc;
	quarter_format(r->quarter, qt);
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = db_exec(db, e,
		     "INSERT INTO remittance(contract_id, quarter, amount, received, reference, "
		     "recorded_by, created_at) VALUES (?,?,?,?,?,?,?)",
		     "itittt"
		     "t",
		     cid, qt, r->amount, date_format(r->received, day), r->reference, actor,
		     db_timestamp(now));
	new_id = sqlite3_last_insert_rowid(db);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "contract", r->contract);
	cJSON_AddStringToObject(o, "quarter", qt);
	cJSON_AddStringToObject(o, "amount", money_format(r->amount, amount));
	cJSON_AddStringToObject(o, "received", day);
	cJSON_AddStringToObject(o, "reference", r->reference);
	json = cJSON_PrintUnformatted(o);
	snprintf(key, sizeof key, "%lld", (long long)new_id);
	if (!rc)
		rc = audit_record(db, actor, "remittance.add", "remittance", key, NULL, json, e);
	cJSON_free(json);
	cJSON_Delete(o);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (id)
		*id = new_id;
	return db_commit(db, e);
}

ClCode remit_add_as_of(sqlite3 *db, const RemitIn *r, Date today, const char *actor, int64_t *id,
		       Err *e)
{
	char received[DATE_BUF], now[DATE_BUF];
	Date clock;

	/* an --as-of past the clock is a what-if: money has still not come in */
	if (date_today(NULL, &clock, NULL) == CL_OK && clock < today)
		today = clock;
	if (r->received > today)
		return err_set(e, CL_EINPUT,
			       "received date %s is after today (%s): a remittance cannot be "
			       "received in the future",
			       date_format(r->received, received), date_format(today, now));
	return remit_add(db, r, actor, id, e);
}
