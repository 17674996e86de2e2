/* remit.c — recording and reversing remittances; see remit.h. */
#include "remit.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "chain.h"
#include "contract.h"
#include "db.h"
#include "text.h"

/* The columns of a remittance row in chain order (the canonical text). */
#define REMIT_COLUMNS                                                                              \
	"id, contract_id, quarter, amount, received, reference, recorded_by, created_at, "         \
	"reverses_id, reason"
#define REMIT_NCOL 10

/* One remittance row, as written and as hashed. */
typedef struct Row {
	int64_t id, contract_id;
	char quarter[QUARTER_BUF];
	Money amount;
	char received[DATE_BUF];
	char reference[72];
	const char *recorded_by;
	char created_at[TIMESTAMP_BUF];
	int64_t reverses_id; /* 0: NULL */
	const char *reason;
} Row;

/* A remittance as remit_reverse() finds it. */
typedef struct Found {
	Row row;
	char contract[72];   /* its contract's number */
	int64_t reversal_id; /* 0: not reversed */
} Found;

/* A remittance one row each, with what became of it (remit.h). */
#define REMIT_LISTED                                                                               \
	"SELECT m.id, c.number AS contract, m.quarter, m.amount, m.received, m.reference, "        \
	"m.recorded_by, m.created_at, CASE WHEN r.id IS NULL THEN 'live' ELSE 'reversed' END "     \
	"AS state, r.id AS reversal_id, r.reason AS reason, r.recorded_by AS reversed_by, "        \
	"r.created_at AS reversed_at FROM remittance m JOIN contract c ON c.id = m.contract_id "   \
	"LEFT JOIN remittance r ON r.reverses_id = m.id WHERE m.reverses_id IS NULL "

static void column_copy(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", t ? (const char *)t : "");
}

/* ---- the chain ---------------------------------------------------------- */

/* The canonical text of r into b; CL_ENOMEM past its cap. */
static ClCode row_canon(Buf *b, const Row *r)
{
	buf_reset(b);
	if (canon_int(b, r->id) || canon_int(b, r->contract_id) || canon_text(b, r->quarter) ||
	    canon_int(b, r->amount) || canon_text(b, r->received) || canon_text(b, r->reference) ||
	    canon_text(b, r->recorded_by) || canon_text(b, r->created_at) ||
	    (r->reverses_id ? canon_int(b, r->reverses_id) : canon_text(b, NULL)) ||
	    canon_text(b, r->reason))
		return CL_ENOMEM;
	return CL_OK;
}

/* The id the next row takes and the hash it chains to.  OUT: *id, prev. */
static ClCode chain_next(sqlite3 *db, int64_t *id, char prev[CHAIN_HEX], Err *e)
{
	ClCode rc, end;
	DbRows q;

	*id = 1;
	memcpy(prev, chain_genesis, CHAIN_HEX);
	rc = db_rows(&q, db, e, "SELECT id, hash FROM remittance ORDER BY id DESC LIMIT 1", "");
	if (!rc && db_rows_next(&q)) {
		*id = sqlite3_column_int64(q.st, 0) + 1;
		column_copy(q.st, 1, prev, CHAIN_HEX);
	}
	end = db_rows_end(&q, "reading the last remittance", e);
	return rc ? rc : end;
}

/* Give r the next id, chain it to the last row and insert it, inside the
 * caller's transaction.  OUT: r->id. */
static ClCode row_insert(sqlite3 *db, Row *r, Err *e)
{
	char prev[CHAIN_HEX], hash[CHAIN_HEX];
	sqlite3_stmt *st = NULL;
	ClCode rc;
	Buf b;

	rc = chain_next(db, &r->id, prev, e);
	if (rc)
		return rc;
	buf_init(&b, 1 << 16);
	rc = row_canon(&b, r);
	if (!rc)
		chain_hash(prev, &b, hash);
	buf_free(&b);
	if (rc)
		return err_set(e, CL_ENOMEM, "remittance %" PRId64 " is too long to hash", r->id);
	rc = db_prepare(db, &st,
			"INSERT INTO remittance(" REMIT_COLUMNS ", hash) "
			"VALUES (?,?,?,?,?,?,?,?,?,?,?)",
			e);
	if (rc)
		return rc;
	db_bind_spec(st, "iititttt", r->id, r->contract_id, r->quarter, r->amount, r->received,
		     r->reference, r->recorded_by, r->created_at);
	if (r->reverses_id) /* else NULL, unbound */
		sqlite3_bind_int64(st, 9, r->reverses_id);
	sqlite3_bind_text(st, 10, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, e, "writing the remittance");
	sqlite3_finalize(st);
	return rc;
}

ClCode remit_verify(sqlite3 *db, int64_t *rows, Err *e)
{
	int64_t n = 0;
	ClCode rc;

	rc = chain_verify(db, "remittance",
			  "SELECT " REMIT_COLUMNS ", hash FROM remittance ORDER BY id", REMIT_NCOL,
			  &n, e);
	if (rows)
		*rows = n;
	return rc;
}

/* Hash the row of st (its REMIT_NCOL columns) after prev and keep it in
 * temp.remittance_chain.  OUT: prev, the row's hash. */
static ClCode chain_keep(sqlite3 *db, sqlite3_stmt *st, Buf *b, char prev[CHAIN_HEX], Err *e)
{
	char hash[CHAIN_HEX];
	int i;

	buf_reset(b);
	for (i = 0; i < REMIT_NCOL; i++)
		if (canon_column(b, st, i))
			return err_set(e, CL_ENOMEM, "remittance %lld is too long to hash",
				       (long long)sqlite3_column_int64(st, 0));
	chain_hash(prev, b, hash);
	memcpy(prev, hash, CHAIN_HEX);
	return db_exec(db, e, "INSERT INTO temp.remittance_chain(id, hash) VALUES (?, ?)", "it",
		       (int64_t)sqlite3_column_int64(st, 0), hash);
}

ClCode remit_chain_existing(sqlite3 *db, Err *e)
{
	char prev[CHAIN_HEX];
	ClCode rc, end;
	DbRows q;
	Buf b;

	rc = db_exec(db, e,
		     "CREATE TEMP TABLE remittance_chain (id INTEGER PRIMARY KEY, "
		     "hash TEXT NOT NULL)",
		     "");
	if (rc)
		return rc;
	memcpy(prev, chain_genesis, CHAIN_HEX);
	buf_init(&b, 1 << 16);
	/* the columns as the rebuilt table holds them: no reversal, no reason */
	rc = db_rows(&q, db, e,
		     "SELECT id, contract_id, quarter, amount, received, reference, recorded_by, "
		     "created_at, NULL, '' FROM remittance ORDER BY id",
		     "");
	while (!rc && db_rows_next(&q))
		rc = chain_keep(db, q.st, &b, prev, e);
	end = db_rows_end(&q, "chaining the remittances", rc ? NULL : e);
	buf_free(&b);
	return rc ? rc : end;
}

/* ---- recording ---------------------------------------------------------- */

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

/* The oldest live remittance of contract cid with r's quarter and
 * reference (letter case aside), 0 when none.  OUT: *id. */
static ClCode live_twin(sqlite3 *db, int64_t cid, const RemitIn *r, int64_t *id, Err *e)
{
	unsigned long reads = db_read_failures(NULL);
	char qt[QUARTER_BUF];

	*id = db_int(db, 0,
		     "SELECT id FROM live_remittance WHERE contract_id = ? AND quarter = ? "
		     "AND reference = ? COLLATE NOCASE ORDER BY id LIMIT 1",
		     "itt", cid, quarter_format(r->quarter, qt), r->reference);
	return db_reads_failed(reads, "looking for the same remittance", e) ? CL_EDB : CL_OK;
}

ClCode remit_find_live(sqlite3 *db, const RemitIn *r, int64_t *id, Err *e)
{
	int64_t cid;
	ClCode rc;

	*id = 0;
	rc = remit_validate(db, r, &cid, e);
	return rc ? rc : live_twin(db, cid, r, id, e);
}

/* The refusal of a remittance that repeats live remittance twin, naming
 * it: its reference, contract, quarter, amount and received date. */
static ClCode refuse_twin(sqlite3 *db, int64_t twin, Err *e)
{
	char ref[72] = "", number[72] = "", qt[QUARTER_BUF] = "", day[DATE_BUF] = "";
	char amount[MONEY_BUF] = "";
	ClCode rc;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT m.reference, c.number, m.quarter, m.amount, m.received "
		     "FROM remittance m JOIN contract c ON c.id = m.contract_id WHERE m.id = ?",
		     "i", twin);
	if (!rc && db_rows_next(&q)) {
		column_copy(q.st, 0, ref, sizeof ref);
		column_copy(q.st, 1, number, sizeof number);
		column_copy(q.st, 2, qt, sizeof qt);
		money_format_human(sqlite3_column_int64(q.st, 3), amount);
		column_copy(q.st, 4, day, sizeof day);
	}
	rc = rc ? rc : db_rows_end(&q, "reading the same remittance", e);
	if (rc)
		return rc;
	return err_set(e, CL_ECONFLICT,
		       "remittance %" PRId64 " (reference %s) is already recorded for %s %s: %s "
		       "received %s; if this is a second payment, confirm it as one",
		       twin, ref, number, qt, amount, day);
}

/* Audit a recorded remittance (row); twin is the live one it repeats as
 * a confirmed second payment, 0 when none. */
static ClCode audit_add(sqlite3 *db, const RemitIn *r, const Row *row, int64_t twin,
			const char *actor, Err *e)
{
	char amount[MONEY_BUF], key[24];
	cJSON *o = cJSON_CreateObject();
	char *json;
	ClCode rc;

	cJSON_AddStringToObject(o, "contract", r->contract);
	cJSON_AddStringToObject(o, "quarter", row->quarter);
	cJSON_AddStringToObject(o, "amount", money_format(row->amount, amount));
	cJSON_AddStringToObject(o, "received", row->received);
	cJSON_AddStringToObject(o, "reference", row->reference);
	if (twin)
		cJSON_AddNumberToObject(o, "second_payment_of", (double)twin);
	json = cJSON_PrintUnformatted(o);
	snprintf(key, sizeof key, "%" PRId64, row->id);
	rc = json ? audit_record(db, actor, "remittance.add", "remittance", key, NULL, json, e)
		  : err_set(e, CL_ENOMEM, "out of memory");
	cJSON_free(json);
	cJSON_Delete(o);
	return rc;
}

/* The row a new remittance writes. */
static void row_from_in(Row *row, const RemitIn *r, const char *actor)
{
	quarter_format(r->quarter, row->quarter);
	row->amount = r->amount;
	date_format(r->received, row->received);
	snprintf(row->reference, sizeof row->reference, "%s", r->reference);
	row->recorded_by = actor;
	db_timestamp(row->created_at);
	row->reverses_id = 0;
	row->reason = "";
}

/* Refuse cash received on day while its quarter is closed: the cash of a
 * closed quarter stays as it was reported, neither added to nor
 * reversed.  what names the remittance ("remittance 2 was" or "cash").  */
static ClCode check_open_quarter(sqlite3 *db, Date day, const char *what, Err *e)
{
	unsigned long reads = db_read_failures(NULL);
	char qt[QUARTER_BUF], d[DATE_BUF];
	int closed = period_is_closed(db, quarter_of(day));

	if (db_reads_failed(reads, "reading the quarter's status", e))
		return CL_EDB;
	if (closed)
		return err_set(e, CL_ERULE,
			       "%s received %s and quarter %s is closed; reopen it first "
			       "(rule: open quarter)",
			       what, date_format(day, d), quarter_format(quarter_of(day), qt));
	return CL_OK;
}

ClCode remit_add(sqlite3 *db, const RemitIn *r, const char *actor, int64_t *id, Err *e)
{
	int64_t twin = 0;
	Row row = {0};
	ClCode rc;

	rc = remit_validate(db, r, &row.contract_id, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = check_open_quarter(db, r->received, "cash", e);
	if (!rc)
		rc = live_twin(db, row.contract_id, r, &twin, e);
	if (!rc && twin && !r->again)
		rc = refuse_twin(db, twin, e);
	if (!rc) {
		row_from_in(&row, r, actor);
		rc = row_insert(db, &row, e);
	}
	if (!rc)
		rc = audit_add(db, r, &row, twin, actor, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (id)
		*id = row.id;
	return CL_OK;
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

/* ---- reversing ---------------------------------------------------------- */

/* Load remittance id into f; CL_ENOTFOUND when there is none. */
static ClCode found_load(sqlite3 *db, int64_t id, Found *f, Err *e)
{
	ClCode rc, end;
	int found = 0;
	DbRows q;

	memset(f, 0, sizeof *f);
	rc = db_rows(&q, db, e,
		     "SELECT m.contract_id, m.quarter, m.amount, m.received, m.reference, "
		     "m.reverses_id, c.number, (SELECT r.id FROM remittance r WHERE "
		     "r.reverses_id = m.id) FROM remittance m JOIN contract c ON "
		     "c.id = m.contract_id WHERE m.id = ?",
		     "i", id);
	if (!rc && (found = db_rows_next(&q))) {
		f->row.id = id;
		f->row.contract_id = sqlite3_column_int64(q.st, 0);
		column_copy(q.st, 1, f->row.quarter, sizeof f->row.quarter);
		f->row.amount = sqlite3_column_int64(q.st, 2);
		column_copy(q.st, 3, f->row.received, sizeof f->row.received);
		column_copy(q.st, 4, f->row.reference, sizeof f->row.reference);
		f->row.reverses_id = sqlite3_column_int64(q.st, 5);
		column_copy(q.st, 6, f->contract, sizeof f->contract);
		f->reversal_id = sqlite3_column_int64(q.st, 7);
	}
	end = db_rows_end(&q, "reading the remittance", e);
	if (rc || end)
		return rc ? rc : end;
	if (!found)
		return err_set(e, CL_ENOTFOUND, "there is no remittance %" PRId64, id);
	return CL_OK;
}

/* The refusals of remit_reverse() for f, just loaded, each naming it. */
static ClCode check_reversible(sqlite3 *db, const Found *f, const char *reason, Err *e)
{
	int64_t id = f->row.id;
	char what[64];
	Date day;

	if (f->row.reverses_id)
		return err_set(e, CL_ERULE,
			       "remittance %" PRId64 " is itself a reversal (of remittance %" PRId64
			       "); it cannot be reversed",
			       id, f->row.reverses_id);
	if (!reason || !*reason)
		return err_set(e, CL_EINPUT, "reversing remittance %" PRId64 " needs a reason", id);
	if (strlen(reason) > 400)
		return err_set(e, CL_EINPUT, "the reason is too long (at most 400 characters)");
	if (text_check_line("reason", reason, e))
		return CL_EINPUT;
	if (f->reversal_id)
		return err_set(e, CL_ECONFLICT,
			       "remittance %" PRId64 " is already reversed (by remittance %" PRId64
			       ")",
			       id, f->reversal_id);
	if (date_parse(f->row.received, &day, e))
		return CL_EDB;
	snprintf(what, sizeof what, "remittance %" PRId64 " was", id);
	return check_open_quarter(db, day, what, e);
}

/* Audit the reversal rev of f: before, the remittance; after, its
 * reversal and the reason. */
static ClCode audit_reverse(sqlite3 *db, const Found *f, const Row *rev, const char *actor, Err *e)
{
	char amount[MONEY_BUF], key[24], *before, *after;
	cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
	ClCode rc;

	cJSON_AddStringToObject(b, "contract", f->contract);
	cJSON_AddStringToObject(b, "quarter", f->row.quarter);
	cJSON_AddStringToObject(b, "amount", money_format(f->row.amount, amount));
	cJSON_AddStringToObject(b, "received", f->row.received);
	cJSON_AddStringToObject(b, "reference", f->row.reference);
	cJSON_AddNumberToObject(a, "reversal_id", (double)rev->id);
	cJSON_AddStringToObject(a, "reason", rev->reason);
	before = cJSON_PrintUnformatted(b);
	after = cJSON_PrintUnformatted(a);
	snprintf(key, sizeof key, "%" PRId64, f->row.id);
	rc = before && after ? audit_record(db, actor, "remittance.reverse", "remittance", key,
					    before, after, e)
			     : err_set(e, CL_ENOMEM, "out of memory");
	cJSON_free(before);
	cJSON_free(after);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return rc;
}

ClCode remit_reverse(sqlite3 *db, int64_t id, const char *reason, const char *actor, Err *e)
{
	Row rev = {0};
	Found f;
	ClCode rc;

	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = found_load(db, id, &f, e);
	if (!rc)
		rc = check_reversible(db, &f, reason, e);
	if (!rc) {
		/* the same contract, quarter, date and reference, negated */
		rev = f.row;
		rev.amount = -f.row.amount;
		rev.recorded_by = actor;
		db_timestamp(rev.created_at);
		rev.reverses_id = id;
		rev.reason = reason;
		rc = row_insert(db, &rev, e);
	}
	if (!rc)
		rc = audit_reverse(db, &f, &rev, actor, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc)
		db_rollback(db);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

ClCode remit_get(sqlite3 *db, int64_t id, RowSet *rs, Err *e)
{
	DbRows q;
	ClCode rc;

	rc = rowset_read(rs, db_rows(&q, db, e, REMIT_LISTED "AND m.id = ?", "i", id), &q, 0,
			 "reading the remittance", e);
	if (rc)
		return rc;
	if (rs->nrow == 0) {
		rowset_free(rs);
		return err_set(e, CL_ENOTFOUND, "there is no remittance %" PRId64, id);
	}
	return CL_OK;
}

ClCode remit_list(sqlite3 *db, const char *contract, long offset, int limit, RowSet *rs, Err *e)
{
	DbRows q;

	return rowset_read(rs,
			   db_rows(&q, db, e,
				   REMIT_LISTED "AND (:c IS NULL OR c.number = :c) "
						"ORDER BY m.received DESC, m.id DESC "
						"LIMIT :limit OFFSET :offset",
				   "tii", contract, (int64_t)(limit ? limit + 1 : -1),
				   (int64_t)offset),
			   &q, limit, "reading the remittances", e);
}
