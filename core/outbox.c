/* outbox.c — the durable outbox of e-mail notices; see outbox.h. */
#include "outbox.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amend.h"
#include "audit.h"
#include "db.h"
#include "fees.h"
#include "money.h"

/* ---- SQL, all in one place ---- */

static const char sql_insert[] =
	"INSERT INTO outbox (kind, recipient, contract, period, rcpt_name, agency, vendor, "
	"data_json, token, next_attempt, queued_on, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, lower(hex(randomblob(8))), ?, ?, ?) "
	"ON CONFLICT (kind, recipient, contract, period) DO NOTHING";
static const char sql_contracts[] =
	"SELECT c.id, c.number, c.title, v.id, v.code, v.name, a.name FROM contract c "
	"JOIN vendor v ON v.id = c.vendor_id JOIN agency a ON a.id = c.lead_agency_id "
	"WHERE c.status <> 'terminated' ORDER BY c.number";
static const char sql_contract_one[] =
	"SELECT c.id, c.number, c.title, v.id, v.code, v.name, a.name, c.status FROM contract c "
	"JOIN vendor v ON v.id = c.vendor_id JOIN agency a ON a.id = c.lead_agency_id "
	"WHERE c.number = ?";
static const char sql_vendor_contacts[] =
	"SELECT email, name FROM vendor_contact WHERE vendor_id = ? AND receives_notices = 1 "
	"ORDER BY email";
/* Participants with live lines in the quarter ?2..?3 (the agencies
 * `coopledger statements` writes a statement for), one row per notice
 * contact; ?4 one agency code, or NULL for all. */
static const char sql_members[] =
	"SELECT a.code, a.name, ac.email, ac.name, t.n, t.l, t.i "
	"FROM participant p JOIN agency a ON a.id = p.agency_id "
	"JOIN agency_contact ac ON ac.agency_id = a.id AND ac.receives_notices = 1 "
	"JOIN (SELECT agency_id, sum(lines) AS n, sum(list_amount) AS l, "
	"  sum(invoiced_amount) AS i FROM sales_agency_day WHERE contract_id = ?1 "
	"  AND day BETWEEN ?2 AND ?3 GROUP BY agency_id HAVING sum(lines) > 0) t "
	"  ON t.agency_id = a.id "
	"WHERE p.contract_id = ?1 AND p.joined <= ?3 AND (?4 IS NULL OR a.code = ?4) "
	"ORDER BY a.code, ac.email";
static const char sql_load[] =
	"SELECT id, kind, recipient, rcpt_name, contract, period, coalesce(agency, ''), "
	"coalesce(vendor, ''), token, state, attempts, next_attempt, data_json, lease_until "
	"FROM outbox WHERE id = ?";
static const char sql_due[] =
	"SELECT id FROM outbox WHERE (state IN ('queued', 'retrying') AND next_attempt <= ?1) "
	"OR (state = 'sending' AND lease_until <= ?1) ORDER BY next_attempt, id LIMIT ?2";
/* ?1 id, ?2 now, ?3 attempts seen, ?4 lease end: due, or a lapsed claim
 * (whose lost attempt is counted). */
static const char sql_claim[] =
	"UPDATE outbox SET state = 'sending', claim = lower(hex(randomblob(8))), "
	"lease_until = ?4, attempts = attempts + (state = 'sending') WHERE id = ?1 "
	"AND attempts = ?3 AND ((state IN ('queued', 'retrying') AND next_attempt <= ?2) "
	"OR (state = 'sending' AND lease_until <= ?2)) RETURNING claim";
static const char sql_renew[] =
	"UPDATE outbox SET lease_until = ? WHERE id = ? AND state = 'sending' AND claim = ?";
static const char sql_claimed_attempts[] =
	"SELECT attempts FROM outbox WHERE id = ? AND state = 'sending' AND claim = ?";
static const char sql_sent[] =
	"UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_error = '', "
	"sent_at = ?, claim = '', lease_until = 0 WHERE id = ? AND state = 'sending' "
	"AND claim = ?";
static const char sql_failed[] =
	"UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, last_error = ?, "
	"claim = '', lease_until = 0 WHERE id = ? AND state = 'sending' AND claim = ?";
static const char sql_retry[] =
	"UPDATE outbox SET state = 'queued', attempts = 0, next_attempt = ? WHERE id = ? "
	"AND state = 'dead'";
static const char sql_list[] =
	"SELECT id, kind, recipient, contract, period, state, attempts, "
	"strftime('%Y-%m-%dT%H:%M:%SZ', next_attempt, 'unixepoch') AS next_attempt, "
	"CASE state WHEN 'sending' THEN strftime('%Y-%m-%dT%H:%M:%SZ', lease_until, 'unixepoch') "
	"ELSE '' END AS lease_until, last_error, queued_on, created_at, "
	"coalesce(sent_at, '') AS sent_at FROM outbox ORDER BY id DESC";

#define N_STATES 5
static const char *const state_names[N_STATES] = {"queued", "sent", "retrying", "dead", "sending"};
static const char *const kind_names[] = {
	"statement_ready",	"fee_statement", "report_reminder", "report_overdue",
	"fee_overdue",		"user_invite",	 "password_reset",  "contract_expiring",
	"completeness_inquiry", "join_approved", "join_declined"};

const char *outbox_state_name(OutboxState s)
{
	return (unsigned)s < N_STATES ? state_names[s] : "?";
}

int outbox_kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof kind_names / sizeof *kind_names; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			return 1;
	return 0;
}

static OutboxState state_parse(const char *s)
{
	int i;

	for (i = 0; s && i < N_STATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (OutboxState)i;
	return OB_QUEUED;
}

/* "YYYY-MM-DDTHH:MM:SSZ" of unix seconds t into buf (TIMESTAMP_BUF). */
static char *iso_time(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, TIMESTAMP_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int64_t outbox_now(void)
{
	const char *s = getenv("COOPLEDGER_NOW");
	int y, mo, d, h, mi, sec;
	char *end;
	long long v;

	if (!s || !*s)
		return (int64_t)time(NULL);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) == 6 &&
	    date_valid(y, mo, d))
		return (int64_t)date_from_ymd(y, mo, d) * 86400 + (int64_t)h * 3600 +
		       (int64_t)mi * 60 + sec;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 ? (int64_t)v : (int64_t)time(NULL);
}

int64_t outbox_backoff(int attempts)
{
	int64_t s = OUTBOX_BACKOFF_FIRST;
	int i;

	for (i = 1; i < attempts && s < OUTBOX_BACKOFF_CAP; i++)
		s *= 2;
	return s < OUTBOX_BACKOFF_CAP ? s : OUTBOX_BACKOFF_CAP;
}

ClCode outbox_add(sqlite3 *db, const OutboxNew *n, int64_t now, int *added, Err *e)
{
	char ts[TIMESTAMP_BUF], day[DATE_BUF];
	ClCode rc;

	if (added)
		*added = 0;
	if (!outbox_kind_valid(n->kind))
		return err_set(e, CL_EINPUT, "unknown notice kind \"%s\"", n->kind ? n->kind : "");
	if (n->queued_on)
		snprintf(day, sizeof day, "%s", n->queued_on);
	else
		date_format((Date)(now / 86400), day);
	rc = db_exec(db, e, sql_insert, "ttttttttitt", n->kind, n->recipient, n->contract,
		     n->period, n->rcpt_name ? n->rcpt_name : "", n->agency, n->vendor,
		     n->data_json, (int64_t)now, day, db_timestamp(ts));
	if (rc == CL_OK && added)
		*added = sqlite3_changes(db) > 0;
	return rc;
}

/* ---- due detection ---- */

/* What a contract's notices share. */
typedef struct Ctx {
	sqlite3 *db;
	int64_t contract_id, vendor_id, now;
	char number[64], title[256], vendor[40], vendor_name[204], lead[204];
	Date today;
	char today_s[DATE_BUF];
	int added;
} Ctx;

/* A queuing run as of today; *added (may be NULL) is zeroed. */
static void ctx_start(Ctx *c, sqlite3 *db, Date today, int64_t now, int *added)
{
	memset(c, 0, sizeof *c);
	c->db = db;
	c->today = today;
	date_format(today, c->today_s);
	c->now = now;
	if (added)
		*added = 0;
}

/* End a queuing run's transaction: commit when rc is CL_OK, else roll
 * back (nothing queued).  OUT: *added (may be NULL). */
static ClCode ctx_finish(Ctx *c, ClCode rc, int *added, Err *e)
{
	if (rc == CL_OK)
		rc = db_commit(c->db, e);
	if (rc) {
		db_rollback(c->db);
		return rc;
	}
	if (added)
		*added = c->added;
	return CL_OK;
}

static void add_money(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format_human(m, buf));
}

/* The fields every notice of a contract quarter carries.  Caller frees. */
static cJSON *base_data(const Ctx *c, const char *kind, Quarter q)
{
	cJSON *o = cJSON_CreateObject();
	char buf[DATE_BUF], qb[QUARTER_BUF];

	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "contract", c->number);
	cJSON_AddStringToObject(o, "contract_title", c->title);
	cJSON_AddStringToObject(o, "vendor", c->vendor);
	cJSON_AddStringToObject(o, "vendor_name", c->vendor_name);
	cJSON_AddStringToObject(o, "lead_agency_name", c->lead);
	cJSON_AddStringToObject(o, "period", quarter_format(q, qb));
	cJSON_AddStringToObject(o, "period_start", date_format(quarter_first_day(q), buf));
	cJSON_AddStringToObject(o, "period_end", date_format(quarter_last_day(q), buf));
	cJSON_AddStringToObject(o, "as_of", date_format(c->today, buf));
	return o;
}

/* Queue one notice with data (taken over) for every vendor contact. */
static ClCode queue_vendor(Ctx *c, const char *kind, Quarter q, cJSON *data, Err *e)
{
	char qb[QUARTER_BUF], *json = cJSON_PrintUnformatted(data);
	ClCode rc, end;
	DbRows rows;
	int added;

	cJSON_Delete(data);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_rows(&rows, c->db, e, sql_vendor_contacts, "i", c->vendor_id);
	while (!rc && db_rows_next(&rows)) {
		OutboxNew n = {kind,
			       (const char *)sqlite3_column_text(rows.st, 0),
			       (const char *)sqlite3_column_text(rows.st, 1),
			       c->number,
			       quarter_format(q, qb),
			       NULL,
			       c->vendor,
			       json,
			       c->today_s};

		rc = outbox_add(c->db, &n, c->now, &added, e);
		if (!rc)
			c->added += added;
	}
	end = db_rows_end(&rows, "vendor contacts", e);
	free(json);
	return rc ? rc : end;
}

/* The statement_ready notice of st's current row (sql_members) for
 * quarter q.  OUT: *added. */
static ClCode queue_member(Ctx *c, Quarter q, sqlite3_stmt *st, int *added, Err *e)
{
	char qb[QUARTER_BUF], *json;
	cJSON *o = base_data(c, "statement_ready", q);
	Money list = sqlite3_column_int64(st, 5), paid = sqlite3_column_int64(st, 6);
	OutboxNew n;
	ClCode rc;

	*added = 0;
	cJSON_AddStringToObject(o, "agency", (const char *)sqlite3_column_text(st, 0));
	cJSON_AddStringToObject(o, "agency_name", (const char *)sqlite3_column_text(st, 1));
	cJSON_AddNumberToObject(o, "lines", (double)sqlite3_column_int64(st, 4));
	add_money(o, "list_total", list);
	add_money(o, "paid_total", paid);
	add_money(o, "savings", list - paid);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	n = (OutboxNew){"statement_ready",
			(const char *)sqlite3_column_text(st, 2),
			(const char *)sqlite3_column_text(st, 3),
			c->number,
			quarter_format(q, qb),
			(const char *)sqlite3_column_text(st, 0),
			NULL,
			json,
			c->today_s};
	rc = outbox_add(c->db, &n, c->now, added, e);
	free(json);
	return rc;
}

/* One statement_ready notice per notice contact of each participant with
 * purchases in quarter q (only agency, when not NULL).  OUT: *rows (may be
 * NULL): the contacts found, queued now or before. */
static ClCode queue_members(Ctx *c, Quarter q, const char *agency, int *rows, Err *e)
{
	char d1[DATE_BUF], d2[DATE_BUF];
	ClCode rc, end;
	int added;
	DbRows m;

	if (rows)
		*rows = 0;
	rc = db_rows(&m, c->db, e, sql_members, "ittt", c->contract_id,
		     date_format(quarter_first_day(q), d1), date_format(quarter_last_day(q), d2),
		     agency);
	while (!rc && db_rows_next(&m)) {
		rc = queue_member(c, q, m.st, &added, e);
		c->added += added;
		if (!rc && rows)
			(*rows)++;
	}
	end = db_rows_end(&m, "participants", e);
	return rc ? rc : end;
}

/* The notices one fee quarter calls for as of today. */
static ClCode queue_quarter(Ctx *c, const FeeQuarter *f, Err *e)
{
	char buf[DATE_BUF];
	cJSON *o;
	ClCode rc = CL_OK;

	/* a statement is ready once the quarter has ended and its report is
	 * filed, whichever comes later (a report filed while the quarter runs
	 * is not its final one) */
	Date ready =
		f->filed_on > quarter_last_day(f->q) ? f->filed_on : quarter_last_day(f->q) + 1;

	if (f->report != FR_MISSING && c->today > quarter_last_day(f->q) && ready <= c->today &&
	    c->today - ready <= OUTBOX_STATEMENT_WINDOW) {
		rc = queue_members(c, f->q, NULL, NULL, e);
		if (rc)
			return rc;
		o = base_data(c, "fee_statement", f->q);
		add_money(o, "net_sales", f->net_sales);
		add_money(o, "fee", f->fee);
		add_money(o, "late_fee", f->late_fee);
		add_money(o, "remitted", f->remitted);
		add_money(o, "balance", f->balance);
		cJSON_AddStringToObject(o, "due_date", date_format(f->due, buf));
		cJSON_AddStringToObject(o, "filed_on", date_format(f->filed_on, buf));
		rc = queue_vendor(c, "fee_statement", f->q, o, e);
	}
	if (rc == CL_OK && f->report == FR_MISSING && c->today > quarter_last_day(f->q) &&
	    f->due - c->today <= OUTBOX_REMIND_DAYS) {
		int late = c->today > f->due;

		o = base_data(c, late ? "report_overdue" : "report_reminder", f->q);
		cJSON_AddStringToObject(o, "due_date", date_format(f->due, buf));
		cJSON_AddNumberToObject(o, late ? "days_late" : "days_left",
					(double)(late ? c->today - f->due : f->due - c->today));
		rc = queue_vendor(c, late ? "report_overdue" : "report_reminder", f->q, o, e);
	}
	if (rc == CL_OK && f->status == FQ_OVERDUE) {
		o = base_data(c, "fee_overdue", f->q);
		add_money(o, "fee", f->fee);
		add_money(o, "late_fee", f->late_fee);
		add_money(o, "remitted", f->remitted);
		add_money(o, "balance", f->balance);
		cJSON_AddStringToObject(o, "due_date", date_format(f->due, buf));
		cJSON_AddNumberToObject(o, "days_past_due", f->days_past_due);
		rc = queue_vendor(c, "fee_overdue", f->q, o, e);
	}
	return rc;
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

/* The contract of st's current row (sql_contracts) into c. */
static void ctx_contract(Ctx *c, sqlite3_stmt *st)
{
	c->contract_id = sqlite3_column_int64(st, 0);
	copy_col(c->number, sizeof c->number, st, 1);
	copy_col(c->title, sizeof c->title, st, 2);
	c->vendor_id = sqlite3_column_int64(st, 3);
	copy_col(c->vendor, sizeof c->vendor, st, 4);
	copy_col(c->vendor_name, sizeof c->vendor_name, st, 5);
	copy_col(c->lead, sizeof c->lead, st, 6);
}

/* Staff who sign in: the contract_expiring notice goes to each. */
static const char sql_staff[] =
	"SELECT email, '' FROM app_user WHERE role IN ('admin', 'finance') AND disabled = 0 "
	"ORDER BY email";

/* contract_expiring to every staff user when the end in force is 90 days
 * away or less (30 once it is 30 or less), once per end date and lead
 * time (DOMAIN.md 4.6). */
static ClCode queue_expiring(Ctx *c, Err *e)
{
	char period[48], end[DATE_BUF], *json;
	TermsHistory h;
	const Terms *t;
	ClCode rc, stop;
	DbRows rows;
	int left, lead, added;
	cJSON *o;

	if ((rc = terms_history_load(c->db, c->number, &h, e)))
		return rc;
	t = terms_in_force(&h, c->today);
	left = (int)(t->end - c->today);
	lead = left <= 30 ? 30 : 90;
	if (t->status == CONTRACT_TERMINATED || left < 0 || left > 90) {
		terms_history_free(&h);
		return CL_OK;
	}
	date_format(t->end, end);
	snprintf(period, sizeof period, "%s, %d days", end, lead);
	o = base_data(c, "contract_expiring", quarter_of(t->end));
	cJSON_AddStringToObject(o, "end", end);
	cJSON_AddNumberToObject(o, "days_left", left);
	cJSON_AddNumberToObject(o, "renewals_left", t->renew_options);
	cJSON_AddNumberToObject(o, "renewal_years", t->renew_years);
	terms_history_free(&h);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_rows(&rows, c->db, e, sql_staff, "");
	while (!rc && db_rows_next(&rows)) {
		OutboxNew n = {"contract_expiring",
			       (const char *)sqlite3_column_text(rows.st, 0),
			       (const char *)sqlite3_column_text(rows.st, 1),
			       c->number,
			       period,
			       NULL,
			       NULL,
			       json,
			       c->today_s};

		rc = outbox_add(c->db, &n, c->now, &added, e);
		if (!rc)
			c->added += added;
	}
	stop = db_rows_end(&rows, "staff users", e);
	free(json);
	return rc ? rc : stop;
}

/* Every quarter of the contract at st's current row, and its end. */
static ClCode queue_contract(Ctx *c, sqlite3_stmt *st, Err *e)
{
	FeeQuarter *fq = NULL;
	int n = 0, i;
	ClCode rc;

	ctx_contract(c, st);
	rc = fees_quarters(c->db, c->number, NULL, c->today, &fq, &n, e);
	for (i = 0; rc == CL_OK && i < n; i++)
		rc = queue_quarter(c, &fq[i], e);
	free(fq);
	if (!rc)
		rc = queue_expiring(c, e);
	return rc;
}

ClCode outbox_queue_due(sqlite3 *db, Date today, int64_t now, int *added, Err *e)
{
	ClCode rc, end;
	DbRows q;
	Ctx c;

	ctx_start(&c, db, today, now, added);
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = db_rows(&q, db, e, sql_contracts, "");
	while (rc == CL_OK && db_rows_next(&q))
		rc = queue_contract(&c, q.st, e);
	end = db_rows_end(&q, "reading the contracts", e);
	return ctx_finish(&c, rc ? rc : end, added, e);
}

/* ---- delivery bookkeeping ---- */

ClCode outbox_due_ids(sqlite3 *db, int64_t now, int max, int64_t **ids, int *n, Err *e)
{
	ClCode rc, end;
	DbRows q;

	*ids = NULL;
	*n = 0;
	if (max <= 0)
		return CL_OK;
	*ids = calloc((size_t)max, sizeof **ids);
	if (!*ids)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_rows(&q, db, e, sql_due, "ii", now, (int64_t)max);
	while (!rc && *n < max && db_rows_next(&q))
		(*ids)[(*n)++] = sqlite3_column_int64(q.st, 0);
	end = db_rows_end(&q, "outbox", e);
	return rc ? rc : end;
}

/* The notice of st's current row (sql_load) into out. */
static ClCode notice_read(sqlite3_stmt *st, OutboxNotice *out, Err *e)
{
	out->id = sqlite3_column_int64(st, 0);
	copy_col(out->kind, sizeof out->kind, st, 1);
	copy_col(out->recipient, sizeof out->recipient, st, 2);
	copy_col(out->rcpt_name, sizeof out->rcpt_name, st, 3);
	copy_col(out->contract, sizeof out->contract, st, 4);
	copy_col(out->period, sizeof out->period, st, 5);
	copy_col(out->agency, sizeof out->agency, st, 6);
	copy_col(out->vendor, sizeof out->vendor, st, 7);
	copy_col(out->token, sizeof out->token, st, 8);
	out->state = state_parse((const char *)sqlite3_column_text(st, 9));
	out->attempts = sqlite3_column_int(st, 10);
	out->next_attempt = sqlite3_column_int64(st, 11);
	out->data_json = strdup((const char *)sqlite3_column_text(st, 12));
	out->lease_until = sqlite3_column_int64(st, 13);
	if (!out->data_json)
		return err_set(e, CL_ENOMEM, "out of memory");
	return CL_OK;
}

ClCode outbox_load(sqlite3 *db, int64_t id, OutboxNotice *out, Err *e)
{
	ClCode rc, end;
	int found = 0;
	DbRows q;

	memset(out, 0, sizeof *out);
	rc = db_rows(&q, db, e, sql_load, "i", id);
	if (!rc && (found = db_rows_next(&q)))
		rc = notice_read(q.st, out, e);
	end = db_rows_end(&q, "outbox", e);
	if (!rc && !end && !found)
		rc = err_set(e, CL_ENOTFOUND, "no notice %lld in the outbox", (long long)id);
	return rc ? rc : end;
}

void outbox_notice_free(OutboxNotice *n)
{
	free(n->data_json);
	n->data_json = NULL;
}

int outbox_is_due(const OutboxNotice *n, int64_t now)
{
	if (n->state == OB_SENDING)
		return n->lease_until <= now;
	return (n->state == OB_QUEUED || n->state == OB_RETRYING) && n->next_attempt <= now;
}

ClCode outbox_claim(sqlite3 *db, const OutboxNotice *seen, int64_t now, int64_t lease_from,
		    char *claim, int *claimed, Err *e)
{
	ClCode rc, end;
	DbRows q;

	*claimed = 0;
	claim[0] = '\0';
	rc = db_rows(&q, db, e, sql_claim, "iiii", seen->id, now, (int64_t)seen->attempts,
		     lease_from + OUTBOX_LEASE);
	/* to the end: the update is done once its RETURNING row is read */
	while (!rc && db_rows_next(&q)) {
		copy_col(claim, OUTBOX_CLAIM_BUF, q.st, 0);
		*claimed = 1;
	}
	end = db_rows_end(&q, "claiming a notice", e);
	if (rc || end)
		*claimed = 0;
	return rc ? rc : end;
}

ClCode outbox_renew(sqlite3 *db, int64_t id, const char *claim, int64_t until, int *held, Err *e)
{
	ClCode rc = db_exec(db, e, sql_renew, "iit", until, id, claim);

	if (held)
		*held = rc == CL_OK && sqlite3_changes(db) == 1;
	return rc;
}

/* BEGIN IMMEDIATE unless the caller has a transaction open.  OUT: *own
 * (1 when this call began it, so the caller commits). */
static ClCode begin_own(sqlite3 *db, int *own, Err *e)
{
	*own = sqlite3_get_autocommit(db) != 0;
	return *own ? db_begin(db, e) : CL_OK;
}

/* Commit (rc CL_OK) or roll back a transaction begun by begin_own(). */
static ClCode end_own(sqlite3 *db, int own, ClCode rc, Err *e)
{
	if (own && rc == CL_OK)
		rc = db_commit(db, e);
	if (own && rc)
		db_rollback(db);
	return rc;
}

static ClCode not_claimed(Err *e, int64_t id)
{
	return err_set(e, CL_ECONFLICT,
		       "notice %lld is not being sent under this claim (its lease ran out?)",
		       (long long)id);
}

ClCode outbox_mark_sent(sqlite3 *db, int64_t id, const char *claim, int64_t now, Err *e)
{
	char ts[TIMESTAMP_BUF];
	int own;
	ClCode rc = begin_own(db, &own, e);

	if (rc)
		return rc;
	rc = db_exec(db, e, sql_sent, "tit", iso_time(now, ts), id, claim ? claim : "");
	if (rc == CL_OK && sqlite3_changes(db) != 1)
		rc = not_claimed(e, id);
	return end_own(db, own, rc, e);
}

ClCode outbox_mark_failed(sqlite3 *db, int64_t id, const char *claim, int permanent,
			  const char *reason, int64_t now, OutboxState *state, Err *e)
{
	OutboxState s;
	char why[600];
	int attempts, own;
	ClCode rc = begin_own(db, &own, e);

	if (rc)
		return rc;
	attempts = (int)db_int(db, -1, sql_claimed_attempts, "it", id, claim ? claim : "");
	if (attempts < 0)
		return end_own(db, own, not_claimed(e, id), e);
	attempts++;
	s = permanent || attempts >= OUTBOX_MAX_ATTEMPTS ? OB_DEAD : OB_RETRYING;
	snprintf(why, sizeof why, "%s%s", reason && *reason ? reason : "unknown error",
		 !permanent && s == OB_DEAD ? " (gave up after too many attempts)" : "");
	rc = db_exec(db, e, sql_failed, "tiitit", outbox_state_name(s), (int64_t)attempts,
		     s == OB_DEAD ? now : now + outbox_backoff(attempts), why, id,
		     claim ? claim : "");
	if (rc == CL_OK && sqlite3_changes(db) != 1)
		rc = not_claimed(e, id);
	rc = end_own(db, own, rc, e);
	if (rc == CL_OK && state)
		*state = s;
	return rc;
}

ClCode outbox_retry(sqlite3 *db, int64_t id, const char *actor, int64_t now, Err *e)
{
	char key[32], before[700];
	ClCode rc = db_begin(db, e);

	if (rc)
		return rc;
	if (!db_text(db, before, sizeof before,
		     "SELECT json_object('state', state, 'attempts', attempts, 'last_error', "
		     "last_error) FROM outbox WHERE id = ?",
		     "i", id)) {
		rc = err_set(e, CL_ENOTFOUND, "no notice %lld in the outbox", (long long)id);
		goto out;
	}
	rc = db_exec(db, e, sql_retry, "ii", now, id);
	if (rc == CL_OK && sqlite3_changes(db) != 1)
		rc = err_set(e, CL_ERULE, "notice %lld is not dead; only a dead notice is retried",
			     (long long)id);
	snprintf(key, sizeof key, "%lld", (long long)id);
	if (rc == CL_OK)
		rc = audit_record(db, actor, "notice.retry", "outbox", key, before,
				  "{\"state\":\"queued\",\"attempts\":0}", e);
	if (rc == CL_OK)
		rc = db_commit(db, e);
out:
	if (rc)
		db_rollback(db);
	return rc;
}

ClCode outbox_list(sqlite3 *db, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(out, db_rows(&q, db, e, sql_list, ""), &q, 0, "reading the outbox", e);
}

ClCode outbox_counts(sqlite3 *db, OutboxCounts *c, Err *e)
{
	DbRows q;
	ClCode rc = db_rows(&q, db, e, "SELECT state, count(*) FROM outbox GROUP BY state", ""),
	       end;

	memset(c, 0, sizeof *c);
	while (!rc && db_rows_next(&q))
		c->n[state_parse((const char *)sqlite3_column_text(q.st, 0))] +=
			sqlite3_column_int64(q.st, 1);
	end = db_rows_end(&q, "counting the outbox", e);
	if (rc || end)
		memset(c, 0, sizeof *c);
	return rc ? rc : end;
}

/* The contract named number into c, refused when it is unknown or
 * terminated. */
static ClCode ctx_contract_named(Ctx *c, const char *number, Err *e)
{
	ClCode rc, end;
	int found = 0;
	DbRows q;

	rc = db_rows(&q, c->db, e, sql_contract_one, "t", number);
	if (!rc && (found = db_rows_next(&q))) {
		if (strcmp((const char *)sqlite3_column_text(q.st, 7), "terminated") == 0)
			rc = err_set(e, CL_ERULE, "contract %s is terminated: it gets no notices",
				     number);
		else
			ctx_contract(c, q.st);
	}
	end = db_rows_end(&q, "contract", e);
	if (!rc && !end && !found)
		rc = err_set(e, CL_ENOTFOUND, "no contract %s", number);
	return rc ? rc : end;
}

ClCode outbox_queue_statement(sqlite3 *db, const char *contract, const char *agency, Quarter q,
			      Date today, int64_t now, int *added, Err *e)
{
	char qb[QUARTER_BUF];
	Ctx c;
	int rows = 0;
	ClCode rc;

	ctx_start(&c, db, today, now, added);
	if (today <= quarter_last_day(q))
		return err_set(e, CL_ERULE, "%s has not ended yet: its statement comes after it",
			       quarter_format(q, qb));
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = ctx_contract_named(&c, contract, e);
	if (rc == CL_OK)
		rc = queue_members(&c, q, agency, &rows, e);
	if (rc == CL_OK && rows == 0)
		rc = err_set(
			e, CL_ERULE,
			"%s has no purchases under %s in %s, or no notice contact: there is no "
			"statement to send",
			agency, contract, quarter_format(q, qb));
	return ctx_finish(&c, rc, added, e);
}
