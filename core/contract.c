/* contract.c — contracts, participants and periods; see contract.h. */
#include "contract.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "amend.h"
#include "audit.h"
#include "compliance.h"
#include "csvin.h"
#include "tablein.h"
#include "db.h"
#include "fees.h"
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

ClCode contract_load_award(sqlite3 *db, const char *number, int64_t *id, Terms *t, Err *e)
{
	return contract_load_by(db, "SELECT id, terms_json FROM contract WHERE number = ?", number,
				0, id, t, e);
}

ClCode contract_load_award_id(sqlite3 *db, int64_t id, Terms *t, Err *e)
{
	return contract_load_by(db, "SELECT id, terms_json FROM contract WHERE id = ?", NULL, id,
				NULL, t, e);
}

ClCode contract_load(sqlite3 *db, const char *number, int64_t *id, Terms *t, Err *e)
{
	int64_t cid = 0;
	ClCode rc = contract_load_award(db, number, &cid, t, e);

	if (!rc && t)
		rc = amend_apply_all(db, cid, t, e);
	if (!rc && id)
		*id = cid;
	return rc;
}

ClCode contract_load_id(sqlite3 *db, int64_t id, Terms *t, Err *e)
{
	ClCode rc = contract_load_award_id(db, id, t, e);

	return rc || !t ? rc : amend_apply_all(db, id, t, e);
}

ClCode contract_show(sqlite3 *db, const char *number, Date on, ContractShow *out, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	int64_t id;
	ClCode rc;

	memset(out, 0, sizeof *out);
	if ((rc = terms_history_load(db, number, &out->h, e)))
		return rc;
	id = out->h.id;
	out->on = on;
	out->award = out->h.ver[0];
	out->t = *terms_in_force(&out->h, on);
	if (out->t.status == CONTRACT_ACTIVE && on > out->t.end)
		out->t.status = CONTRACT_EXPIRED;
	db_text(db, out->lead_agency_name, sizeof out->lead_agency_name,
		"SELECT name FROM agency WHERE code = ?", "t", out->t.lead_agency);
	db_text(db, out->vendor_name, sizeof out->vendor_name,
		"SELECT name FROM vendor WHERE code = ?", "t", out->t.vendor);
	out->participants =
		db_int(db, 0, "SELECT count(*) FROM participant WHERE contract_id = ?", "i", id);
	out->live_lines =
		db_int(db, 0, "SELECT coalesce(sum(lines), 0) FROM sales_day WHERE contract_id = ?",
		       "i", id);
	out->list_total = db_int(db, 0,
				 "SELECT coalesce(sum(list_amount), 0) FROM sales_day "
				 "WHERE contract_id = ?",
				 "i", id);
	out->net_sales = db_int(db, 0,
				"SELECT coalesce(sum(invoiced_amount), 0) FROM sales_day "
				"WHERE contract_id = ?",
				"i", id);
	if (db_reads_failed(since, "reading the contract's figures", e)) {
		contract_show_free(out);
		return e->code;
	}
	return CL_OK;
}

void contract_show_free(ContractShow *c)
{
	terms_history_free(&c->h);
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

ClCode participant_add_in(sqlite3 *db, const char *number, const char *agency_code, Date joined,
			  const char *actor, Err *e)
{
	int64_t cid = 0;
	Terms t = {0};
	ClCode rc = contract_load(db, number, &cid, &t, e);

	return rc ? rc : participant_insert(db, cid, &t, agency_code, joined, actor, e);
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

ClCode participant_import_csv(sqlite3 *db, const char *number, FILE *f, const char *sheet,
			      const char *actor, int *added, Err *e)
{
	ParticipantImport pi = {.db = db, .actor = actor, .col_agency = -1};
	TableOptions to = {.sheet = sheet};
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
	rc = tablein_read(f, &to, participant_row, &pi, e);
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

void period_blockers_free(PeriodBlockers *b)
{
	free(b->item);
	b->item = NULL;
	b->n = 0;
}

static ClCode blocker_add(PeriodBlockers *b, PeriodBlockerKind kind, const char *contract,
			  Money amount, int lines, Err *e)
{
	PeriodBlocker *p = realloc(b->item, (size_t)(b->n + 1) * sizeof *p);

	if (!p)
		return err_set(e, CL_ENOMEM, "out of memory");
	b->item = p;
	p = &b->item[b->n++];
	memset(p, 0, sizeof *p);
	p->kind = kind;
	snprintf(p->contract, sizeof p->contract, "%s", contract);
	p->amount = amount;
	p->lines = lines;
	return CL_OK;
}

/* The blockers of one contract in q (skipped when q is outside its term). */
static ClCode contract_blockers(sqlite3 *db, const char *number, int terminated, Quarter q,
				Date today, PeriodBlockers *out, Err *e)
{
	FeeSelect sel = {0, 1, q};
	FeeQuarter *fq = NULL;
	ComplianceReport cr;
	Terms t = {0};
	int n = 0;
	ClCode rc;

	rc = contract_load(db, number, NULL, &t, e);
	if (rc || quarter_last_day(q) < t.start || quarter_first_day(q) > t.end)
		return rc;
	rc = fees_quarters(db, number, &sel, today, &fq, &n, e);
	if (!rc && n == 1 && fq[0].report == FR_MISSING && !terminated)
		rc = blocker_add(out, PB_REPORT_MISSING, number, 0, 0, e);
	if (!rc && n == 1 && fq[0].balance > 0)
		rc = blocker_add(out, PB_UNPAID, number, fq[0].balance, 0, e);
	free(fq);
	if (rc)
		return rc;
	rc = compliance_page(db, number, &q, NULL, 0, -1, &cr, e); /* the totals alone */
	if (!rc && cr.nline_all > 0 && cr.total_overcharge > 0)
		rc = blocker_add(out, PB_OVERCHARGE, number, cr.total_overcharge, (int)cr.nline_all,
				 e);
	compliance_report_free(&cr);
	return rc;
}

ClCode period_blockers(sqlite3 *db, Quarter q, Date today, PeriodBlockers *out, Err *e)
{
	char(*number)[64] = NULL;
	int *terminated = NULL, n = 0, i;
	ClCode rc, end;
	DbRows r;

	memset(out, 0, sizeof *out);
	rc = db_rows(&r, db, e,
		     "SELECT number, status = 'terminated' FROM contract ORDER BY number", "");
	while (!rc && db_rows_next(&r)) {
		void *a = realloc(number, (size_t)(n + 1) * sizeof *number);
		void *b = a ? realloc(terminated, (size_t)(n + 1) * sizeof *terminated) : NULL;

		if (a)
			number = a;
		if (b)
			terminated = b;
		if (!a || !b) {
			rc = err_set(e, CL_ENOMEM, "out of memory");
			break;
		}
		snprintf(number[n], sizeof number[n], "%s",
			 (const char *)sqlite3_column_text(r.st, 0));
		terminated[n++] = sqlite3_column_int(r.st, 1);
	}
	end = db_rows_end(&r, "reading the contracts", e);
	if (!rc)
		rc = end;
	for (i = 0; !rc && i < n; i++)
		rc = contract_blockers(db, number[i], terminated[i], q, today, out, e);
	free(number);
	free(terminated);
	return rc;
}

char *period_blocker_text(const PeriodBlocker *b, Quarter q, char *buf, size_t n)
{
	char qt[QUARTER_BUF], m[MONEY_BUF];

	quarter_format(q, qt);
	switch (b->kind) {
	case PB_REPORT_MISSING:
		snprintf(buf, n, "%s: the %s sales report is missing", b->contract, qt);
		break;
	case PB_UNPAID:
		snprintf(buf, n, "%s: %s of the %s fee is unpaid", b->contract,
			 money_format_human(b->amount, m), qt);
		break;
	default:
		snprintf(buf, n, "%s: %d line%s overcharged in %s, %s in all", b->contract,
			 b->lines, b->lines == 1 ? "" : "s", qt, money_format_human(b->amount, m));
		break;
	}
	return buf;
}

ClCode period_close_as_of(sqlite3 *db, Quarter q, Date today, int confirmed, const char *actor,
			  PeriodBlockers *blockers, Err *e)
{
	char text[QUARTER_BUF], last[DATE_BUF];
	PeriodBlockers own = {NULL, 0}, *b = blockers ? blockers : &own;
	ClCode rc;

	memset(b, 0, sizeof *b);
	quarter_format(q, text);
	if (period_is_closed(db, q))
		return err_set(e, CL_ECONFLICT, "quarter %s is already closed", text);
	if (today <= quarter_last_day(q))
		return err_set(e, CL_ERULE,
			       "quarter %s has not ended: it can be closed after its last day, %s",
			       text, date_format(quarter_last_day(q), last));
	rc = period_blockers(db, q, today, b, e);
	if (!rc && b->n > 0 && !confirmed)
		rc = err_set(e, CL_ERULE,
			     "quarter %s has %d open matter%s (missing reports, unpaid balances "
			     "or overcharges); confirm to close it anyway",
			     text, b->n, b->n == 1 ? "" : "s");
	if (!rc)
		rc = period_set(db, q, "closed", NULL, actor, e);
	period_blockers_free(&own);
	return rc;
}

ClCode period_close(sqlite3 *db, Quarter q, const char *actor, Err *e)
{
	Date today;
	ClCode rc = date_today(NULL, &today, e);

	return rc ? rc : period_close_as_of(db, q, today, 1, actor, NULL, e);
}

ClCode period_list(sqlite3 *db, Date today, PeriodRow **out, int *n, Err *e)
{
	char first_s[DATE_BUF] = "", qmin[QUARTER_BUF] = "", qmax[QUARTER_BUF] = "";
	Quarter first = quarter_of(today), last = quarter_of(today), q;
	PeriodRow *rows;
	int cap, i;
	ClCode rc;
	DbRows r;

	*out = NULL;
	*n = 0;
	if (db_text(db, first_s, sizeof first_s, "SELECT min(start_date) FROM contract", "") &&
	    *first_s) {
		Date d;

		if (date_parse(first_s, &d, NULL) == CL_OK && quarter_cmp(quarter_of(d), first) < 0)
			first = quarter_of(d);
	}
	if (db_text(db, qmin, sizeof qmin, "SELECT min(quarter) FROM period", "") && *qmin &&
	    quarter_parse(qmin, &q, NULL) == CL_OK && quarter_cmp(q, first) < 0)
		first = q;
	if (db_text(db, qmax, sizeof qmax, "SELECT max(quarter) FROM period", "") && *qmax &&
	    quarter_parse(qmax, &q, NULL) == CL_OK && quarter_cmp(q, last) > 0)
		last = q;
	cap = (last.year - first.year) * 4 + last.q - first.q + 1;
	rows = calloc((size_t)cap, sizeof *rows);
	if (!rows)
		return err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0, q = last; i < cap; i++) {
		rows[i].q = q;
		rows[i].ended = today > quarter_last_day(q);
		q = (Quarter){q.q == 1 ? q.year - 1 : q.year, q.q == 1 ? 4 : q.q - 1};
	}
	rc = db_rows(
		&r, db, e,
		"SELECT quarter, status = 'closed', changed_at, changed_by, reason FROM period",
		"");
	while (!rc && db_rows_next(&r)) {
		const char *qt = (const char *)sqlite3_column_text(r.st, 0);

		if (!qt || quarter_parse(qt, &q, NULL))
			continue;
		i = (last.year - q.year) * 4 + last.q - q.q;
		if (i < 0 || i >= cap)
			continue;
		rows[i].closed = sqlite3_column_int(r.st, 1);
		snprintf(rows[i].changed_at, sizeof rows[i].changed_at, "%s",
			 (const char *)sqlite3_column_text(r.st, 2));
		snprintf(rows[i].changed_by, sizeof rows[i].changed_by, "%s",
			 (const char *)sqlite3_column_text(r.st, 3));
		snprintf(rows[i].reason, sizeof rows[i].reason, "%s",
			 (const char *)sqlite3_column_text(r.st, 4));
	}
	{
		ClCode end = db_rows_end(&r, "reading the periods", e);

		if (!rc)
			rc = end;
	}
	if (rc) {
		free(rows);
		return rc;
	}
	*out = rows;
	*n = cap;
	return CL_OK;
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
