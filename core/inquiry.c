/* inquiry.c — completeness inquiries to the vendor; see inquiry.h. */
#include "inquiry.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "audit.h"
#include "buf.h"
#include "completeness.h"
#include "csvout.h"
#include "db.h"
#include "outbox.h"

/* ---- SQL, all in one place ---- */

static const char sql_contract[] =
	"SELECT c.id, c.title, v.id, v.code, v.name, a.id, a.name FROM contract c "
	"JOIN vendor v ON v.id = c.vendor_id JOIN agency a ON a.id = c.lead_agency_id "
	"WHERE c.number = ?";
static const char sql_sent_today[] =
	"SELECT count(*) FROM inquiry WHERE contract_id = ? AND quarter = ? AND sent_on = ?";
static const char sql_vendor_contacts[] =
	"SELECT email, name FROM vendor_contact WHERE vendor_id = ? AND receives_notices = 1 "
	"ORDER BY email";
static const char sql_lead_contacts[] =
	"SELECT name, email FROM agency_contact WHERE agency_id = ? AND receives_notices = 1 "
	"ORDER BY email";
static const char sql_agency_name[] = "SELECT name FROM agency WHERE code = ?";
static const char sql_insert[] =
	"INSERT INTO inquiry (contract_id, quarter, sent_on, actor, po_count, gap, fee_at_risk, "
	"notices, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_insert_po[] =
	"INSERT INTO inquiry_po (inquiry_id, seq, agency_code, agency_name, po_number, po_date, "
	"register_amount, reported_amount, status, gap, fee_at_risk) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_load[] =
	"SELECT i.id, c.number, v.id, v.code, i.quarter, i.sent_on, i.actor, i.po_count, i.gap, "
	"i.fee_at_risk, i.notices FROM inquiry i JOIN contract c ON c.id = i.contract_id "
	"JOIN vendor v ON v.id = c.vendor_id WHERE i.id = ?";
static const char sql_pos[] =
	"SELECT agency_code, agency_name, po_number, po_date, register_amount, reported_amount, "
	"status, gap, fee_at_risk FROM inquiry_po WHERE inquiry_id = ? ORDER BY seq";
static const char sql_list[] =
	"SELECT i.id, c.number AS contract, i.quarter, i.sent_on, i.actor, i.po_count, i.gap, "
	"i.fee_at_risk, i.notices FROM inquiry i JOIN contract c ON c.id = i.contract_id "
	"JOIN vendor v ON v.id = c.vendor_id "
	"WHERE (?1 IS NULL OR v.code = ?1) AND (?2 IS NULL OR c.number = ?2) "
	"ORDER BY i.sent_on DESC, i.id DESC";

static const char *const csv_header[] = {
	"agency_code",	   "agency_name", "po_number", "po_date",    "register_amount",
	"reported_amount", "status",	  "gap",       "fee_at_risk"};

/* ---- sending ---- */

/* What one send needs to know of the contract. */
typedef struct Send {
	sqlite3 *db;
	int64_t contract_id, vendor_id, lead_id, now;
	char number[64], title[256], vendor[40], vendor_name[204], lead[204];
	char quarter[QUARTER_BUF], today[DATE_BUF], period[40];
	Date today_d;
	Quarter q;
	int ncontact;
	CompletenessReport rep;
	int *pick; /* indexes into rep.po of the POs asked about */
	int npick;
} Send;

/* Copy column i of st into buf (size n); "" when null. */
static void col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", s ? (const char *)s : "");
}

/* The contract's ids and names.  CL_ENOTFOUND names it. */
static ClCode send_contract(Send *s, Err *e)
{
	DbRows q;
	ClCode rc, end;
	int found = 0;

	rc = db_rows(&q, s->db, e, sql_contract, "t", s->number);
	if (!rc && db_rows_next(&q)) {
		found = 1;
		s->contract_id = sqlite3_column_int64(q.st, 0);
		col_text(q.st, 1, s->title, sizeof s->title);
		s->vendor_id = sqlite3_column_int64(q.st, 2);
		col_text(q.st, 3, s->vendor, sizeof s->vendor);
		col_text(q.st, 4, s->vendor_name, sizeof s->vendor_name);
		s->lead_id = sqlite3_column_int64(q.st, 5);
		col_text(q.st, 6, s->lead, sizeof s->lead);
	}
	end = db_rows_end(&q, "reading the contract", e);
	if (rc || end)
		return rc ? rc : end;
	if (!found)
		return err_set(e, CL_ENOTFOUND, "no contract numbered %s", s->number);
	return CL_OK;
}

/* q must overlap the term (the award's first day to the last day any
 * version reaches), as the completeness report's quarters do. */
static ClCode send_check_term(Send *s, Err *e)
{
	TermsHistory h;
	char from[DATE_BUF], to[DATE_BUF];
	Date first, last;
	ClCode rc = terms_history_load(s->db, s->number, &h, e);

	if (rc)
		return rc;
	first = h.ver[0].start;
	last = terms_last_day(&h);
	terms_history_free(&h);
	if (quarter_last_day(s->q) >= first && quarter_first_day(s->q) <= last)
		return CL_OK;
	return err_set(e, CL_EINPUT, "quarter %s is outside the term of contract %s (%s to %s)",
		       s->quarter, s->number, date_format(first, from), date_format(last, to));
}

/* Refuse a second inquiry of the quarter today, and a vendor nobody can be
 * written to at. */
static ClCode send_check_once(Send *s, Err *e)
{
	unsigned long fails = db_read_failures(NULL);
	int64_t sent =
		db_int(s->db, 0, sql_sent_today, "itt", s->contract_id, s->quarter, s->today);

	if (db_reads_failed(fails, "reading the inquiries sent", e))
		return CL_EDB;
	if (sent > 0)
		return err_set(e, CL_ECONFLICT,
			       "the %s inquiry of contract %s was already sent today (%s); the "
			       "next one can go tomorrow",
			       s->quarter, s->number, s->today);
	s->ncontact = (int)db_int(s->db, 0,
				  "SELECT count(*) FROM vendor_contact WHERE vendor_id = ? AND "
				  "receives_notices = 1",
				  "i", s->vendor_id);
	if (db_reads_failed(fails, "reading the vendor's contacts", e))
		return CL_EDB;
	if (s->ncontact == 0)
		return err_set(e, CL_ERULE,
			       "vendor %s (%s) has no contact e-mail that receives notices: add "
			       "one to the vendor first",
			       s->vendor, s->vendor_name);
	return CL_OK;
}

/* The POs to ask about: unreported and under-reported, dated in q or
 * earlier, in the report's order.  OUT: s->pick, s->npick, *gap, *fee. */
static ClCode send_select(Send *s, Money *gap, Money *fee, Err *e)
{
	int i;
	ClCode rc = completeness_report(s->db, s->number, NULL, s->today_d, &s->rep, e);

	*gap = *fee = 0;
	if (rc)
		return rc;
	s->pick = calloc((size_t)s->rep.npo + 1, sizeof *s->pick);
	if (!s->pick)
		return err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0; i < s->rep.npo; i++) {
		const CompletenessPo *p = &s->rep.po[i];

		if (p->status != CS_UNREPORTED && p->status != CS_UNDER_REPORTED)
			continue;
		if (quarter_cmp(quarter_of(p->po_date), s->q) > 0)
			continue;
		s->pick[s->npick++] = i;
		*gap += p->gap;
		*fee += p->fee_at_risk;
	}
	if (s->npick == 0)
		return err_set(e, CL_ERULE,
			       "no unreported or under-reported purchase orders dated %s or "
			       "earlier under contract %s",
			       s->quarter, s->number);
	return CL_OK;
}

/* The agency's name, or its code when it has none on file. */
static void agency_name(sqlite3 *db, const char *code, char *buf, size_t n)
{
	if (!db_text(db, buf, n, sql_agency_name, "t", code))
		snprintf(buf, n, "%s", code);
}

/* "not reported" or "under-reported": the status as a vendor reads it. */
static const char *status_words(CompletenessStatus st)
{
	return st == CS_UNREPORTED ? "not reported" : "under-reported";
}

static void add_money_h(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	cJSON_AddStringToObject(o, key, money_format_human(m, buf));
}

/* Write the inquiry, its POs and (for the e-mail) their first rows into
 * data.  OUT: out->id. */
static ClCode send_write(Send *s, const char *actor, Inquiry *out, cJSON *data, Err *e)
{
	char created[TIMESTAMP_BUF], name[204], day[DATE_BUF];
	cJSON *pos = cJSON_AddArrayToObject(data, "pos");
	unsigned long fails;
	ClCode rc;
	int i;

	rc = db_exec(s->db, e, sql_insert, "itttiiiit", s->contract_id, s->quarter, s->today, actor,
		     (int64_t)s->npick, (int64_t)out->gap, (int64_t)out->fee_at_risk,
		     (int64_t)s->ncontact, db_timestamp(created));
	if (rc)
		return rc;
	out->id = sqlite3_last_insert_rowid(s->db);
	fails = db_read_failures(NULL);
	for (i = 0; i < s->npick && !rc; i++) {
		const CompletenessPo *p = &s->rep.po[s->pick[i]];

		agency_name(s->db, p->agency, name, sizeof name);
		date_format(p->po_date, day);
		rc = db_exec(s->db, e, sql_insert_po, "iittttiitii", out->id, (int64_t)i + 1,
			     p->agency, name, p->po_number, day, (int64_t)p->register_amount,
			     (int64_t)p->reported_amount, completeness_status_name(p->status),
			     (int64_t)p->gap, (int64_t)p->fee_at_risk);
		if (!rc && i < INQUIRY_MAIL_ROWS) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "agency", p->agency);
			cJSON_AddStringToObject(o, "agency_name", name);
			cJSON_AddStringToObject(o, "po_number", p->po_number);
			cJSON_AddStringToObject(o, "po_date", day);
			add_money_h(o, "register_amount", p->register_amount);
			add_money_h(o, "reported_amount", p->reported_amount);
			cJSON_AddStringToObject(o, "status", status_words(p->status));
			add_money_h(o, "gap", p->gap);
			cJSON_AddItemToArray(pos, o);
		}
	}
	if (!rc && db_reads_failed(fails, "reading the agencies' names", e))
		rc = CL_EDB;
	return rc;
}

/* The notice's data: the contract, quarter, figures and whom to ask. */
static ClCode send_data(Send *s, const Inquiry *inq, cJSON *o, Err *e)
{
	char buf[DATE_BUF], csv[200];
	cJSON *who = cJSON_AddArrayToObject(o, "contacts");
	DbRows q;
	ClCode rc;

	cJSON_AddStringToObject(o, "kind", "completeness_inquiry");
	cJSON_AddNumberToObject(o, "inquiry", (double)inq->id);
	cJSON_AddStringToObject(o, "contract", s->number);
	cJSON_AddStringToObject(o, "contract_title", s->title);
	cJSON_AddStringToObject(o, "vendor", s->vendor);
	cJSON_AddStringToObject(o, "vendor_name", s->vendor_name);
	cJSON_AddStringToObject(o, "lead_agency_name", s->lead);
	cJSON_AddStringToObject(o, "period", s->quarter);
	cJSON_AddStringToObject(o, "period_end", date_format(quarter_last_day(s->q), buf));
	cJSON_AddStringToObject(o, "as_of", s->today);
	cJSON_AddNumberToObject(o, "po_count", s->npick);
	cJSON_AddBoolToObject(o, "one_po", s->npick == 1);
	add_money_h(o, "gap", inq->gap);
	add_money_h(o, "fee_at_risk", inq->fee_at_risk);
	cJSON_AddNumberToObject(o, "more",
				s->npick > INQUIRY_MAIL_ROWS ? s->npick - INQUIRY_MAIL_ROWS : 0);
	cJSON_AddBoolToObject(o, "has_more", s->npick > INQUIRY_MAIL_ROWS);
	inquiry_csv_name(inq, csv, sizeof csv);
	cJSON_AddStringToObject(o, "csv_name", csv);
	rc = db_rows(&q, s->db, e, sql_lead_contacts, "i", s->lead_id);
	while (!rc && db_rows_next(&q)) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "name", (const char *)sqlite3_column_text(q.st, 0));
		cJSON_AddStringToObject(c, "email", (const char *)sqlite3_column_text(q.st, 1));
		cJSON_AddItemToArray(who, c);
	}
	rc = db_rows_end(&q, "the lead agency's contacts", e) ? e->code : rc;
	cJSON_AddBoolToObject(o, "has_contacts", cJSON_GetArraySize(who) > 0);
	return rc;
}

/* One completeness_inquiry notice per vendor contact. */
static ClCode send_queue(Send *s, const char *json, Err *e)
{
	DbRows q;
	ClCode rc, end;

	rc = db_rows(&q, s->db, e, sql_vendor_contacts, "i", s->vendor_id);
	while (!rc && db_rows_next(&q)) {
		OutboxNew n = {"completeness_inquiry",
			       (const char *)sqlite3_column_text(q.st, 0),
			       (const char *)sqlite3_column_text(q.st, 1),
			       s->number,
			       s->period,
			       NULL,
			       s->vendor,
			       json,
			       s->today};

		rc = outbox_add(s->db, &n, s->now, NULL, e);
	}
	end = db_rows_end(&q, "vendor contacts", e);
	return rc ? rc : end;
}

/* The audit row: what was asked, of whom. */
static ClCode send_audit(Send *s, const Inquiry *inq, const char *actor, Err *e)
{
	char id[24], money[MONEY_BUF], *json;
	cJSON *o = cJSON_CreateObject();
	ClCode rc;

	cJSON_AddStringToObject(o, "contract", s->number);
	cJSON_AddStringToObject(o, "quarter", s->quarter);
	cJSON_AddStringToObject(o, "sent_on", s->today);
	cJSON_AddStringToObject(o, "vendor", s->vendor);
	cJSON_AddNumberToObject(o, "po_count", inq->po_count);
	cJSON_AddStringToObject(o, "gap", money_format(inq->gap, money));
	cJSON_AddStringToObject(o, "fee_at_risk", money_format(inq->fee_at_risk, money));
	cJSON_AddNumberToObject(o, "notices", inq->notices);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	snprintf(id, sizeof id, "%lld", (long long)inq->id);
	rc = audit_record(s->db, actor, "inquiry.send", "inquiry", id, NULL, json, e);
	free(json);
	return rc;
}

/* Everything of one send, inside the caller's transaction. */
static ClCode send_all(Send *s, const char *actor, Inquiry *out, Err *e)
{
	cJSON *data = NULL;
	char *json = NULL;
	ClCode rc;

	if ((rc = send_contract(s, e)) || (rc = send_check_term(s, e)) ||
	    (rc = send_check_once(s, e)) || (rc = send_select(s, &out->gap, &out->fee_at_risk, e)))
		return rc;
	snprintf(out->contract, sizeof out->contract, "%s", s->number);
	snprintf(out->vendor, sizeof out->vendor, "%s", s->vendor);
	snprintf(out->actor, sizeof out->actor, "%s", actor);
	out->vendor_id = s->vendor_id;
	out->q = s->q;
	out->sent_on = s->today_d;
	out->po_count = s->npick;
	out->notices = s->ncontact;
	data = cJSON_CreateObject();
	rc = send_write(s, actor, out, data, e);
	if (!rc)
		rc = send_data(s, out, data, e);
	if (!rc && !(json = cJSON_PrintUnformatted(data)))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	if (!rc)
		rc = send_queue(s, json, e);
	if (!rc)
		rc = send_audit(s, out, actor, e);
	cJSON_Delete(data);
	free(json);
	return rc;
}

ClCode inquiry_send(sqlite3 *db, const char *contract, Quarter q, Date today, int64_t now,
		    const char *actor, Inquiry *out, Err *e)
{
	Send s;
	ClCode rc;

	memset(out, 0, sizeof *out);
	memset(&s, 0, sizeof s);
	s.db = db;
	s.now = now;
	s.q = q;
	s.today_d = today;
	snprintf(s.number, sizeof s.number, "%s", contract ? contract : "");
	quarter_format(q, s.quarter);
	date_format(today, s.today);
	/* the outbox keys a notice by its period: one inquiry a quarter a day */
	snprintf(s.period, sizeof s.period, "%s, %s", s.quarter, s.today);
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = send_all(&s, actor, out, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc) {
		db_rollback(db);
		memset(out, 0, sizeof *out);
	}
	completeness_report_free(&s.rep);
	free(s.pick);
	return rc;
}

/* ---- reading ---- */

ClCode inquiry_load(sqlite3 *db, int64_t id, Inquiry *out, Err *e)
{
	DbRows q;
	ClCode rc, end;
	char qt[16], day[16];
	int found = 0;

	memset(out, 0, sizeof *out);
	rc = db_rows(&q, db, e, sql_load, "i", id);
	if (!rc && db_rows_next(&q)) {
		found = 1;
		out->id = sqlite3_column_int64(q.st, 0);
		col_text(q.st, 1, out->contract, sizeof out->contract);
		out->vendor_id = sqlite3_column_int64(q.st, 2);
		col_text(q.st, 3, out->vendor, sizeof out->vendor);
		col_text(q.st, 4, qt, sizeof qt);
		col_text(q.st, 5, day, sizeof day);
		col_text(q.st, 6, out->actor, sizeof out->actor);
		out->po_count = sqlite3_column_int(q.st, 7);
		out->gap = sqlite3_column_int64(q.st, 8);
		out->fee_at_risk = sqlite3_column_int64(q.st, 9);
		out->notices = sqlite3_column_int(q.st, 10);
	}
	end = db_rows_end(&q, "reading the inquiry", e);
	if (rc || end)
		return rc ? rc : end;
	if (!found)
		return err_set(e, CL_ENOTFOUND, "no inquiry %lld", (long long)id);
	if (quarter_parse(qt, &out->q, e) || date_parse(day, &out->sent_on, e))
		return err_set(e, CL_EDB, "inquiry %lld is damaged: %s", (long long)id, e->msg);
	return CL_OK;
}

void inquiry_csv_name(const Inquiry *inq, char *buf, size_t n)
{
	char qt[QUARTER_BUF];

	snprintf(buf, n, "inquiry-%s-%s.csv", inq->contract, quarter_format(inq->q, qt));
}

/* One stored PO (sql_pos) as a CSV row. */
static ClCode csv_po(Buf *b, sqlite3_stmt *st)
{
	char reg[MONEY_BUF], rep[MONEY_BUF], gap[MONEY_BUF], fee[MONEY_BUF];
	const char *cells[9];
	int i;

	for (i = 0; i < 4; i++)
		cells[i] = (const char *)sqlite3_column_text(st, i);
	cells[4] = money_format(sqlite3_column_int64(st, 4), reg);
	cells[5] = money_format(sqlite3_column_int64(st, 5), rep);
	cells[6] = (const char *)sqlite3_column_text(st, 6);
	cells[7] = money_format(sqlite3_column_int64(st, 7), gap);
	cells[8] = money_format(sqlite3_column_int64(st, 8), fee);
	return csv_row(b, cells, 9);
}

ClCode inquiry_csv(sqlite3 *db, int64_t id, char **csv, size_t *len, Err *e)
{
	DbRows q;
	Buf b;
	ClCode rc, end;
	int bad;

	*csv = NULL;
	*len = 0;
	buf_init(&b, (size_t)64 << 20);
	bad = csv_row(&b, csv_header, 9) != CL_OK;
	rc = db_rows(&q, db, e, sql_pos, "i", id);
	while (!rc && !bad && db_rows_next(&q))
		bad = csv_po(&b, q.st) != CL_OK;
	end = db_rows_end(&q, "reading the inquiry's purchase orders", e);
	if (!rc)
		rc = end;
	if (!rc && bad)
		rc = err_set(e, CL_ENOMEM, "inquiry %lld: its CSV is too large", (long long)id);
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*len = b.len;
	*csv = buf_steal(&b);
	return CL_OK;
}

ClCode inquiry_list(sqlite3 *db, const char *vendor, const char *contract, RowSet *rs, Err *e)
{
	DbRows q;
	ClCode rc = db_rows(&q, db, e, sql_list, "tt", vendor, contract);

	return rowset_read(rs, rc, &q, 0, "the inquiries sent", e);
}
