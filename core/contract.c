/* contract.c — contracts, participants and periods; see contract.h. */
#include "contract.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "audit.h"
#include "csvin.h"
#include "db.h"
#include "text.h"

/* Insert the contract row and the lead agency's participation.  Inside the
 * caller's transaction. */
static ClCode contract_insert(sqlite3 *db, const Terms *t, const char *doc, int64_t lead,
			      int64_t vendor, const char *actor, int64_t *id, Err *e)
{
	char now[TIMESTAMP_BUF], start[DATE_BUF], end[DATE_BUF];
	ClCode rc;

	db_timestamp(now);
	date_format(t->start, start);
	date_format(t->end, end);
	rc = db_exec(db, e,
		     "INSERT INTO contract(number, title, category, lead_agency_id, vendor_id, "
		     "start_date, end_date, status, solicitation, terms_json, created_at) "
		     "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		     "tttiittttt"
		     "t",
		     t->number, t->title, t->category, lead, vendor, start, end,
		     contract_status_name(t->status), t->solicitation, doc, now);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(db);
	rc = db_exec(db, e,
		     "INSERT INTO participant(contract_id, agency_id, joined, created_at) "
		     "VALUES (?,?,?,?)",
		     "iitt", *id, lead, start, now);
	if (!rc)
		rc = audit_record(db, actor, "contract.import", "contract", t->number, NULL, doc,
				  e);
	return rc;
}

ClCode contract_import(sqlite3 *db, const char *json, size_t len, const char *actor, int64_t *id,
		       Err *e)
{
	Terms t = {0};
	int64_t lead, vendor, new_id = 0;
	char *doc = NULL;
	ClCode rc;

	rc = terms_parse(json, len, &t, e);
	if (rc)
		return rc;
	if (agency_id(db, t.lead_agency, &lead, NULL))
		return err_set(e, CL_EINPUT, "lead_agency: unknown agency \"%s\"; add it first",
			       t.lead_agency);
	if (vendor_id(db, t.vendor, &vendor, NULL))
		return err_set(e, CL_EINPUT, "vendor: unknown vendor \"%s\"; add it first",
			       t.vendor);
	if (db_int(db, 0, "SELECT 1 FROM contract WHERE number = ?", "t", t.number))
		return err_set(e, CL_ECONFLICT, "contract %s already exists", t.number);
	doc = terms_to_json(&t);
	if (!doc)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_begin(db, e);
	if (!rc)
		rc = contract_insert(db, &t, doc, lead, vendor, actor, &new_id, e);
	if (!rc)
		rc = db_commit(db, e);
	else
		db_rollback(db);
	free(doc);
	if (!rc && id)
		*id = new_id;
	return rc;
}

/* Parse the stored terms of the contract the statement st points at
 * (column 0: id, column 1: terms_json, column 2: status). */
static ClCode load_row(sqlite3_stmt *st, int64_t *id, Terms *t, Err *e)
{
	const char *doc = (const char *)sqlite3_column_text(st, 1);
	ClCode rc;

	if (id)
		*id = sqlite3_column_int64(st, 0);
	if (!t)
		return CL_OK;
	rc = terms_parse(doc, strlen(doc), t, e);
	if (rc)
		err_prefix(e, "stored terms are damaged");
	return rc;
}

static ClCode contract_load_by(sqlite3 *db, const char *sql, const char *number, int64_t num_id,
			       int64_t *id, Terms *t, Err *e)
{
	ClCode rc, end;
	int found = 0;
	DbRows q;

	if (number)
		rc = db_rows(&q, db, e, sql, "t", number);
	else
		rc = db_rows(&q, db, e, sql, "i", num_id);
	if (!rc && (found = db_rows_next(&q)))
		rc = load_row(q.st, id, t, e);
	end = db_rows_end(&q, "reading the contract", e);
	if (rc || end)
		return rc ? rc : end;
	if (found)
		return CL_OK;
	if (number)
		return err_set(e, CL_ENOTFOUND, "no contract has the number \"%s\"", number);
	return err_set(e, CL_ENOTFOUND, "no contract has the id %lld", (long long)num_id);
}

ClCode contract_load(sqlite3 *db, const char *number, int64_t *id, Terms *t, Err *e)
{
	return contract_load_by(db, "SELECT id, terms_json FROM contract WHERE number = ?", number,
				0, id, t, e);
}

ClCode contract_load_id(sqlite3 *db, int64_t id, Terms *t, Err *e)
{
	return contract_load_by(db, "SELECT id, terms_json FROM contract WHERE id = ?", NULL, id,
				NULL, t, e);
}

ClCode contract_show(sqlite3 *db, const char *number, ContractShow *out, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	int64_t id = 0;
	ClCode rc;

	memset(out, 0, sizeof *out);
	if ((rc = contract_load(db, number, &id, &out->t, e)))
		return rc;
	db_text(db, out->lead_agency_name, sizeof out->lead_agency_name,
		"SELECT name FROM agency WHERE code = ?", "t", out->t.lead_agency);
	db_text(db, out->vendor_name, sizeof out->vendor_name,
		"SELECT name FROM vendor WHERE code = ?", "t", out->t.vendor);
	out->participants =
		db_int(db, 0, "SELECT count(*) FROM participant WHERE contract_id = ?", "i", id);
	out->live_lines =
		db_int(db, 0, "SELECT count(*) FROM live_purchase WHERE contract_id = ?", "i", id);
	out->list_total = db_int(db, 0,
				 "SELECT coalesce(sum(list_amount), 0) FROM live_purchase "
				 "WHERE contract_id = ?",
				 "i", id);
	out->net_sales = db_int(db, 0,
				"SELECT coalesce(sum(invoiced_amount), 0) FROM live_purchase "
				"WHERE contract_id = ?",
				"i", id);
	if (db_reads_failed(since, "reading the contract's figures", e))
		return e->code;
	return CL_OK;
}

/* Add one participant inside the caller's transaction. */
static ClCode participant_insert(sqlite3 *db, int64_t cid, const Terms *t, const char *agency_code,
				 Date joined, const char *actor, Err *e)
{
	char now[TIMESTAMP_BUF], day[DATE_BUF], from[DATE_BUF], to[DATE_BUF], key[128], after[256];
	int64_t aid;
	ClCode rc;

	rc = agency_id(db, agency_code, &aid, e);
	if (rc)
		return rc;
	date_format(joined, day);
	if (joined < t->start || joined > t->end)
		return err_set(e, CL_EINPUT, "joined %s is outside the contract term %s to %s", day,
			       date_format(t->start, from), date_format(t->end, to));
	if (db_int(db, 0, "SELECT 1 FROM participant WHERE contract_id = ? AND agency_id = ?", "ii",
		   cid, aid))
		return err_set(e, CL_ECONFLICT, "agency %s already participates in contract %s",
			       agency_code, t->number);
	rc = db_exec(db, e,
		     "INSERT INTO participant(contract_id, agency_id, joined, created_at) "
		     "VALUES (?,?,?,?)",
		     "iitt", cid, aid, day, db_timestamp(now));
	if (rc)
		return rc;
	snprintf(key, sizeof key, "%s/%s", t->number, agency_code);
	snprintf(after, sizeof after, "{\"joined\":\"%s\"}", day);
	return audit_record(db, actor, "participant.add", "participant", key, NULL, after, e);
}

ClCode participant_add(sqlite3 *db, const char *number, const char *agency_code, Date joined,
		       const char *actor, Err *e)
{
	int64_t cid = 0;
	Terms t = {0};
	ClCode rc;

	rc = contract_load(db, number, &cid, &t, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = participant_insert(db, cid, &t, agency_code, joined, actor, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

typedef struct ParticipantImport {
	sqlite3 *db;
	int64_t cid;
	const Terms *t;
	const char *actor;
	int col_agency, col_joined;
	int added;
} ParticipantImport;

/* One CSV row of `participant import`. */
static ClCode participant_row(void *ctx, size_t row, size_t line, int n, char **field, Err *e)
{
	ParticipantImport *pi = ctx;
	char key[64];
	Date joined;
	ClCode rc;
	int i;

	if (row == 0) {
		pi->col_agency = pi->col_joined = -1;
		for (i = 0; i < n; i++) {
			csvin_header_key(field[i], key, sizeof key);
			if (strcmp(key, "agency_code") == 0)
				pi->col_agency = i;
			else if (strcmp(key, "joined") == 0)
				pi->col_joined = i;
		}
		if (pi->col_agency < 0 || pi->col_joined < 0)
			return err_set(e, CL_EINPUT,
				       "the header must name the columns agency_code and joined");
		return CL_OK;
	}
	if (pi->col_agency >= n || pi->col_joined >= n)
		return err_set(e, CL_EINPUT, "row %zu (line %zu): too few columns", row, line);
	rc = date_parse_any(field[pi->col_joined], &joined, e);
	if (!rc)
		rc = participant_insert(pi->db, pi->cid, pi->t, field[pi->col_agency], joined,
					pi->actor, e);
	if (rc) {
		err_prefix(e, "row %zu (line %zu)", row, line);
		return rc;
	}
	pi->added++;
	return CL_OK;
}

ClCode participant_import_csv(sqlite3 *db, const char *number, FILE *f, const char *actor,
			      int *added, Err *e)
{
	ParticipantImport pi = {.db = db, .actor = actor, .col_agency = -1};
	Terms t = {0};
	ClCode rc;

	*added = 0;
	rc = contract_load(db, number, &pi.cid, &t, e);
	if (rc)
		return rc;
	pi.t = &t;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = csvin_read(f, NULL, participant_row, &pi, e);
	if (!rc && pi.col_agency < 0)
		rc = err_set(e, CL_EINPUT,
			     "the file is empty: expected a header agency_code,joined");
	if (rc) {
		db_rollback(db);
		return rc;
	}
	rc = db_commit(db, e);
	if (!rc)
		*added = pi.added;
	return rc;
}

int period_is_closed(sqlite3 *db, Quarter q)
{
	char text[QUARTER_BUF];

	return (int)db_int(db, 0, "SELECT status = 'closed' FROM period WHERE quarter = ?", "t",
			   quarter_format(q, text));
}

/* Set a quarter's status with its audit row, in one transaction. */
static ClCode period_set(sqlite3 *db, Quarter q, const char *status, const char *reason,
			 const char *actor, Err *e)
{
	char text[QUARTER_BUF], now[TIMESTAMP_BUF], before[128], after[512];
	cJSON *o;
	char *json;
	ClCode rc;

	quarter_format(q, text);
	snprintf(before, sizeof before, "{\"status\":\"%s\"}",
		 period_is_closed(db, q) ? "closed" : "open");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", status);
	if (reason && *reason)
		cJSON_AddStringToObject(o, "reason", reason);
	json = cJSON_PrintUnformatted(o);
	snprintf(after, sizeof after, "%s", json ? json : "{}");
	cJSON_free(json);
	cJSON_Delete(o);
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = db_exec(db, e,
		     "INSERT INTO period(quarter, status, changed_at, changed_by, reason) "
		     "VALUES (?1,?2,?3,?4,?5) ON CONFLICT(quarter) DO UPDATE SET status = ?2, "
		     "changed_at = ?3, changed_by = ?4, reason = ?5",
		     "ttttt", text, status, db_timestamp(now), actor, reason ? reason : "");
	if (!rc)
		rc = audit_record(db, actor,
				  strcmp(status, "closed") ? "period.reopen" : "period.close",
				  "period", text, before, after, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

ClCode period_close(sqlite3 *db, Quarter q, const char *actor, Err *e)
{
	char text[QUARTER_BUF];

	if (period_is_closed(db, q))
		return err_set(e, CL_ECONFLICT, "quarter %s is already closed",
			       quarter_format(q, text));
	return period_set(db, q, "closed", NULL, actor, e);
}

ClCode period_reopen(sqlite3 *db, Quarter q, const char *reason, const char *actor, Err *e)
{
	char text[QUARTER_BUF];

	if (!reason || !*reason)
		return err_set(e, CL_EINPUT, "reopening a quarter needs a reason (--reason TEXT)");
	if (strlen(reason) > 400)
		return err_set(e, CL_EINPUT, "the reason is too long (at most 400 characters)");
	if (text_check_line("reason", reason, e))
		return CL_EINPUT;
	if (!period_is_closed(db, q))
		return err_set(e, CL_ECONFLICT, "quarter %s is not closed",
			       quarter_format(q, text));
	return period_set(db, q, "open", reason, actor, e);
}
