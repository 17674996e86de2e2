/* joinreq.c — join requests and staff's decisions; see joinreq.h. */
#include "joinreq.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "agency.h"
#include "amend.h"
#include "audit.h"
#include "contract.h"
#include "db.h"
#include "outbox.h"
#include "text.h"

/* ---- SQL, all in one place ---- */

static const char sql_insert[] =
	"INSERT INTO join_request(contract_id, agency_name, kind, us_state, agency_code, "
	"contact_name, email, public_statement, client, created_at, created_unix) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";
static const char sql_by_client[] = "SELECT count(*), min(created_unix) FROM join_request WHERE "
				    "client = ? AND created_unix > ?";
static const char sql_by_email[] =
	"SELECT count(*), min(created_unix) FROM join_request WHERE email = ? COLLATE NOCASE "
	"AND created_unix > ?";
static const char sql_pending[] = "SELECT count(*) FROM join_request WHERE state = 'pending'";
static const char sql_list[] =
	"SELECT j.id, c.number AS contract, c.title, j.agency_name, j.kind, j.us_state, "
	"j.agency_code, j.contact_name, j.email, j.created_at, j.state AS status, "
	"(j.kind = 'nonprofit') AS needs_confirm, j.public_confirmed, "
	"EXISTS (SELECT 1 FROM agency a WHERE a.code = j.agency_code) AS code_exists, "
	"coalesce(j.approved_code, '') AS approved_code, coalesce(j.joined, '') AS joined, "
	"coalesce(j.decline_reason, '') AS decline_reason, "
	"coalesce(j.decided_by, '') AS decided_by, coalesce(j.decided_at, '') AS decided_at "
	"FROM join_request j JOIN contract c ON c.id = j.contract_id "
	"WHERE ?1 IS NULL OR j.state = ?1 ORDER BY j.id DESC";
static const char sql_load[] =
	"SELECT j.state, c.number, c.title, j.agency_name, j.kind, j.us_state, j.agency_code, "
	"j.contact_name, j.email FROM join_request j JOIN contract c ON c.id = j.contract_id "
	"WHERE j.id = ?";
static const char sql_approved[] =
	"UPDATE join_request SET state = 'approved', decided_by = ?, decided_at = ?, "
	"approved_code = ?, joined = ?, public_confirmed = ? WHERE id = ? AND state = 'pending'";
static const char sql_declined[] =
	"UPDATE join_request SET state = 'declined', decided_by = ?, decided_at = ?, "
	"decline_reason = ? WHERE id = ? AND state = 'pending'";
static const char sql_member_of[] =
	"SELECT u.role = 'member' AND a.code = ? FROM app_user u LEFT JOIN agency a "
	"ON a.id = u.agency_id WHERE u.email = ?";

/* The United States' states, the District of Columbia and the territories
 * with public agencies that buy cooperatively. */
static const char us_states[] = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD "
				"MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC "
				"SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP ";

static const char *const field_keys[JOIN_F_COUNT] = {
	"agency_name", "kind", "state", "agency_code", "contact_name", "email", "public_entity"};

const char *joinreq_field_key(JoinField f)
{
	return (unsigned)f < JOIN_F_COUNT ? field_keys[f] : "";
}

static int us_state_valid(const char *s)
{
	char code[4];

	if (!s || strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return 0;
	snprintf(code, sizeof code, "%s ", s);
	return strstr(us_states, code) != NULL && (strstr(us_states, code) - us_states) % 3 == 0;
}

/* A required one-line name of at most JOINREQ_NAME_MAX bytes. */
static ClCode check_name(const char *what, const char *s, Err *e)
{
	if (!s || !*s)
		return err_set(e, CL_EINPUT, "%s is required", what);
	if (strlen(s) > JOINREQ_NAME_MAX)
		return err_set(e, CL_EINPUT, "%s is too long: at most %d characters", what,
			       JOINREQ_NAME_MAX);
	return text_check_line(what, s, e);
}

ClCode joinreq_check_field(const JoinIn *j, JoinField f, Err *e)
{
	switch (f) {
	case JOIN_F_AGENCY_NAME:
		return check_name("agency name", j->agency_name, e);
	case JOIN_F_KIND:
		if (!agency_kind_valid(j->kind))
			return err_set(e, CL_EINPUT,
				       "kind of agency: choose school_district, city, county, "
				       "state_agency, higher_ed, special_district or nonprofit");
		return CL_OK;
	case JOIN_F_STATE:
		if (!us_state_valid(j->state))
			return err_set(e, CL_EINPUT,
				       "state: give a US state's two-letter code, such as KS");
		return CL_OK;
	case JOIN_F_AGENCY_CODE:
		if (j->agency_code && *j->agency_code && !record_code_valid(j->agency_code))
			return err_set(e, CL_EINPUT,
				       "agency code: leave it empty, or use 1 to 32 letters, "
				       "digits, '-', '_' or '.'");
		return CL_OK;
	case JOIN_F_CONTACT_NAME:
		return check_name("contact name", j->contact_name, e);
	case JOIN_F_EMAIL:
		return text_check_email("e-mail", j->email, e);
	case JOIN_F_PUBLIC_ENTITY:
		if (!j->public_entity)
			return err_set(e, CL_EINPUT,
				       "public entity: only a public entity may join a cooperative "
				       "contract; state that the agency is one");
		return CL_OK;
	default:
		return CL_OK;
	}
}

/* The id of the contract numbered number when it is active on today, else
 * CL_ENOTFOUND.  OUT: *cid. */
static ClCode contract_active(sqlite3 *db, const char *number, Date today, int64_t *cid,
			      char *title, size_t n, Err *e)
{
	TermsHistory h = {0};
	const Terms *t;
	int ok;

	if (!number || !*number || strlen(number) > 63 ||
	    terms_history_load(db, number, &h, NULL) != CL_OK) {
		terms_history_free(&h);
		return err_set(e, CL_ENOTFOUND, "no contract open to join has that number");
	}
	t = terms_in_force(&h, today);
	ok = t && t->status == CONTRACT_ACTIVE && t->start <= today && today <= t->end;
	*cid = h.id;
	if (title)
		snprintf(title, n, "%s", t ? t->title : "");
	terms_history_free(&h);
	if (!ok)
		return err_set(e, CL_ENOTFOUND, "contract %s is not active: it cannot be joined",
			       number);
	return CL_OK;
}

ClCode joinreq_contract_open(sqlite3 *db, const char *number, Date today, char *title, size_t n,
			     Err *e)
{
	int64_t cid;

	return contract_active(db, number, today, &cid, title, n, e);
}

/* CL_ERULE with *retry_after when sql (count and oldest time since the
 * window began, for key) reaches the hourly limit. */
static ClCode hourly_limit(sqlite3 *db, const char *sql, const char *key, const char *what,
			   int64_t now, int *retry_after, Err *e)
{
	sqlite3_stmt *st;
	int64_t n = 0, oldest = now;
	ClCode rc = db_prepare(db, &st, sql, e);

	if (rc)
		return rc;
	db_bind_spec(st, "ti", key, now - JOINREQ_WINDOW);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = db_error(db, e, "counting the requests of the last hour");
		sqlite3_finalize(st);
		return rc;
	}
	n = sqlite3_column_int64(st, 0);
	if (n > 0)
		oldest = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (n < JOINREQ_HOURLY_MAX)
		return CL_OK;
	*retry_after = (int)(oldest + JOINREQ_WINDOW - now);
	if (*retry_after < 1)
		*retry_after = 1;
	return err_set(e, CL_ERULE,
		       "too many requests from this %s in the last hour (at most %d); try again "
		       "in %d minutes",
		       what, JOINREQ_HOURLY_MAX, (*retry_after + 59) / 60);
}

/* The limits a new request must pass, inside the caller's transaction. */
static ClCode check_limits(sqlite3 *db, const JoinIn *j, int64_t now, int *retry_after, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	int64_t pending;
	ClCode rc;

	if (j->client && *j->client) {
		rc = hourly_limit(db, sql_by_client, j->client, "address", now, retry_after, e);
		if (rc)
			return rc;
	}
	rc = hourly_limit(db, sql_by_email, j->email, "e-mail address", now, retry_after, e);
	if (rc)
		return rc;
	pending = db_int(db, 0, sql_pending, "");
	if (db_reads_failed(since, "counting the pending requests", e))
		return CL_EDB;
	if (pending >= JOINREQ_PENDING_MAX) {
		*retry_after = JOINREQ_WINDOW;
		return err_set(e, CL_ERULE,
			       "too many requests are waiting for staff; try again later");
	}
	return CL_OK;
}

ClCode joinreq_create(sqlite3 *db, const JoinIn *j, Date today, int64_t now, int64_t *id,
		      JoinField *bad, int *retry_after, Err *e)
{
	char ts[TIMESTAMP_BUF];
	int64_t cid = 0;
	ClCode rc = CL_OK;
	int f;

	*retry_after = 0;
	if (bad)
		*bad = JOIN_F_COUNT;
	for (f = 0; f < JOIN_F_COUNT && !rc; f++)
		if ((rc = joinreq_check_field(j, (JoinField)f, e)) && bad)
			*bad = (JoinField)f;
	if (rc)
		return rc;
	if (j->client && strlen(j->client) > 64)
		return err_set(e, CL_EINPUT, "the client address is too long");
	rc = contract_active(db, j->contract, today, &cid, NULL, 0, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = check_limits(db, j, now, retry_after, e);
	if (!rc)
		rc = db_exec(db, e, sql_insert, "itttttttti", cid, j->agency_name, j->kind,
			     j->state, j->agency_code ? j->agency_code : "", j->contact_name,
			     j->email, j->client ? j->client : "", db_timestamp(ts), now);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	*id = sqlite3_last_insert_rowid(db);
	return db_commit(db, e);
}

ClCode joinreq_list(sqlite3 *db, const char *state, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(out, db_rows(&q, db, e, sql_list, "t", state), &q, 0,
			   "reading the join requests", e);
}

/* A pending request as approval and decline need it. */
typedef struct JoinReq {
	int64_t id;
	char number[64], title[256], agency_name[256], kind[24], state[4], agency_code[40];
	char contact_name[256], email[256];
} JoinReq;

static void copy_col(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", s ? (const char *)s : "");
}

/* Load request id, which must be pending.  OUT: *r. */
static ClCode load_pending(sqlite3 *db, int64_t id, JoinReq *r, Err *e)
{
	sqlite3_stmt *st;
	char state[16];
	int step;
	ClCode rc = db_prepare(db, &st, sql_load, e);

	if (rc)
		return rc;
	memset(r, 0, sizeof *r);
	db_bind_spec(st, "i", id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		r->id = id;
		copy_col(st, 0, state, sizeof state);
		copy_col(st, 1, r->number, sizeof r->number);
		copy_col(st, 2, r->title, sizeof r->title);
		copy_col(st, 3, r->agency_name, sizeof r->agency_name);
		copy_col(st, 4, r->kind, sizeof r->kind);
		copy_col(st, 5, r->state, sizeof r->state);
		copy_col(st, 6, r->agency_code, sizeof r->agency_code);
		copy_col(st, 7, r->contact_name, sizeof r->contact_name);
		copy_col(st, 8, r->email, sizeof r->email);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_DONE)
		return err_set(e, CL_ENOTFOUND, "there is no join request %lld", (long long)id);
	if (step != SQLITE_ROW)
		return db_error(db, e, "reading the join request");
	if (strcmp(state, "pending") != 0)
		return err_set(e, CL_ECONFLICT, "join request %lld was already %s", (long long)id,
			       state);
	return CL_OK;
}

/* Queue the requester's notice of kind about r, with extra's members
 * added to its data (extra is taken over). */
static ClCode queue_notice(sqlite3 *db, const JoinReq *r, const char *kind, cJSON *extra,
			   int64_t now, Err *e)
{
	char period[24], *json;
	OutboxNew n = {0};
	ClCode rc;

	cJSON_AddNumberToObject(extra, "request", (double)r->id);
	cJSON_AddStringToObject(extra, "contract", r->number);
	cJSON_AddStringToObject(extra, "title", r->title);
	cJSON_AddStringToObject(extra, "agency_name", r->agency_name);
	cJSON_AddStringToObject(extra, "contact_name", r->contact_name);
	json = cJSON_PrintUnformatted(extra);
	cJSON_Delete(extra);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory queuing the e-mail");
	snprintf(period, sizeof period, "%lld", (long long)r->id);
	n.kind = kind;
	n.recipient = r->email;
	n.rcpt_name = r->contact_name;
	n.contract = r->number;
	n.period = period;
	n.data_json = json;
	rc = outbox_add(db, &n, now, NULL, e);
	cJSON_free(json);
	return rc;
}

/* The agency code of an approval, created from r when new; inside the
 * caller's transaction.  OUT: *invite (0 when r's e-mail is already a
 * member of that agency). */
static ClCode approve_agency(sqlite3 *db, const JoinReq *r, const char *code, int confirm_public,
			     const char *actor, int *invite, Err *e)
{
	AgencyIn a = {code, r->agency_name, r->kind, r->state, 1, NULL, r->email};
	unsigned long since = db_read_failures(NULL);
	int64_t aid = db_int(db, 0, "SELECT id FROM agency WHERE code = ?", "t", code);
	int64_t member = db_int(db, -1, sql_member_of, "tt", code, r->email);

	if (db_reads_failed(since, "reading the agency", e))
		return CL_EDB;
	*invite = member < 0;
	if (member == 0)
		return err_set(e, CL_ECONFLICT,
			       "the e-mail %s already belongs to a user who is not a member of "
			       "agency %s",
			       r->email, code);
	if (aid) {
		if (strcmp(code, r->agency_code) != 0)
			return err_set(e, CL_ECONFLICT,
				       "agency code %s is taken by another agency; choose a new "
				       "code",
				       code);
		if (!db_int(db, 0, "SELECT public_entity FROM agency WHERE id = ?", "i", aid))
			return err_set(e, CL_ERULE,
				       "agency %s is recorded as not a public entity: only public "
				       "agencies may join a cooperative contract",
				       code);
		return CL_OK;
	}
	if (strcmp(r->kind, "nonprofit") == 0 && !confirm_public)
		return err_set(e, CL_ERULE,
			       "a nonprofit is not a public body by its kind: confirm that %s is "
			       "a public entity that may use cooperative contracts before "
			       "approving",
			       r->agency_name);
	return agency_add_in(db, &a, actor, NULL, e);
}

/* The audit row of a decision on r. */
static ClCode audit_decision(sqlite3 *db, const JoinReq *r, const char *action, cJSON *after,
			     const char *actor, Err *e)
{
	char key[24], *json;
	ClCode rc;

	json = cJSON_PrintUnformatted(after);
	cJSON_Delete(after);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	snprintf(key, sizeof key, "%lld", (long long)r->id);
	rc = audit_record(db, actor, action, "join_request", key, "{\"state\":\"pending\"}", json,
			  e);
	cJSON_free(json);
	return rc;
}

/* The approval's writes, inside the caller's transaction. */
static ClCode approve_in(sqlite3 *db, const JoinReq *r, Date joined, const char *code,
			 int confirm_public, const char *actor, int64_t now, Err *e)
{
	char day[DATE_BUF], ts[TIMESTAMP_BUF];
	int invite = 0, confirmed = strcmp(r->kind, "nonprofit") == 0 && confirm_public;
	cJSON *data, *after;
	ClCode rc;

	date_format(joined, day);
	rc = approve_agency(db, r, code, confirm_public, actor, &invite, e);
	if (!rc)
		rc = participant_add_in(db, r->number, code, joined, actor, e);
	if (!rc && invite)
		rc = account_invite_in(db, r->email, ROLE_MEMBER, code, NULL, actor, now, NULL, e);
	if (rc)
		return rc;
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "agency_code", code);
	cJSON_AddStringToObject(data, "joined", day);
	cJSON_AddBoolToObject(data, "invited", invite);
	rc = queue_notice(db, r, "join_approved", data, now, e);
	if (!rc)
		rc = db_exec(db, e, sql_approved, "ttttii", actor, db_timestamp(ts), code, day,
			     (int64_t)confirmed, r->id);
	if (rc)
		return rc;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "state", "approved");
	cJSON_AddStringToObject(after, "contract", r->number);
	cJSON_AddStringToObject(after, "agency_code", code);
	cJSON_AddStringToObject(after, "joined", day);
	cJSON_AddBoolToObject(after, "public_confirmed", confirmed);
	cJSON_AddBoolToObject(after, "invited", invite);
	return audit_decision(db, r, "join.approve", after, actor, e);
}

ClCode joinreq_approve(sqlite3 *db, int64_t id, Date joined, const char *agency_code,
		       int confirm_public, const char *actor, int64_t now, Err *e)
{
	JoinReq r;
	const char *code;
	ClCode rc;

	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = load_pending(db, id, &r, e);
	code = agency_code && *agency_code ? agency_code : r.agency_code;
	if (!rc && !*code)
		rc = err_set(e, CL_EINPUT,
			     "agency code: the request gives none; choose the new agency's code");
	else if (!rc && !record_code_valid(code))
		rc = err_set(e, CL_EINPUT,
			     "agency code \"%.40s\": use 1 to 32 letters, digits, '-', '_' or '.'",
			     code);
	if (!rc)
		rc = approve_in(db, &r, joined, code, confirm_public, actor, now, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

ClCode joinreq_decline(sqlite3 *db, int64_t id, const char *reason, const char *actor, int64_t now,
		       Err *e)
{
	char ts[TIMESTAMP_BUF];
	JoinReq r;
	cJSON *data, *after;
	ClCode rc;

	if (!reason || !*reason)
		return err_set(e, CL_EINPUT, "reason: say why the request is declined");
	if (strlen(reason) > JOINREQ_REASON_MAX)
		return err_set(e, CL_EINPUT, "reason: at most %d characters", JOINREQ_REASON_MAX);
	if (text_check_line("reason", reason, e))
		return CL_EINPUT;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = load_pending(db, id, &r, e);
	if (!rc) {
		data = cJSON_CreateObject();
		cJSON_AddStringToObject(data, "reason", reason);
		rc = queue_notice(db, &r, "join_declined", data, now, e);
	}
	if (!rc)
		rc = db_exec(db, e, sql_declined, "ttti", actor, db_timestamp(ts), reason, id);
	if (!rc) {
		after = cJSON_CreateObject();
		cJSON_AddStringToObject(after, "state", "declined");
		cJSON_AddStringToObject(after, "reason", reason);
		rc = audit_decision(db, &r, "join.decline", after, actor, e);
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}
