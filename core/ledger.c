/* ledger.c — the append-only, hash-chained ledger; see ledger.h. */
#include "ledger.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "aggregate.h"
#include "ordersum.h"
#include "chain.h"
#include "compliance.h"
#include "db.h"
#include "amend.h"
#include "register.h"
#include "remit.h"
#include "text.h"
#include "verify.h"

/* All SQL of the append path, prepared once per Ledger. */
enum { ST_AGENCY, ST_JOINED, ST_IDENTITY, ST_REVERSED, ST_LAST, ST_PERIOD, ST_INSERT, ST__MAX };

static const char *const stmt_sql[ST__MAX] = {
	[ST_AGENCY] = "SELECT id, public_entity, name FROM agency WHERE code = ?",
	[ST_JOINED] = "SELECT joined FROM participant WHERE contract_id = ? AND agency_id = ?",
	[ST_IDENTITY] = "SELECT id, revision, agency_id, po_number, invoice_date, list_amount, "
			"invoiced_amount, freight_amount, tax_amount, batch_id "
			"FROM purchase INDEXED BY purchase_identity "
			"WHERE contract_id = ? AND invoice_number = ? AND line = ? "
			"AND reverses_id IS NULL ORDER BY revision DESC LIMIT 1",
	[ST_REVERSED] = "SELECT 1 FROM purchase WHERE reverses_id = ?",
	[ST_LAST] = "SELECT id, hash FROM purchase ORDER BY id DESC LIMIT 1",
	[ST_PERIOD] = "SELECT status = 'closed' FROM period WHERE quarter = ?",
	[ST_INSERT] = "INSERT INTO purchase(id, contract_id, agency_id, po_number, invoice_number, "
		      "line, revision, invoice_date, description, category, quantity, list_amount, "
		      "invoiced_amount, freight_amount, tax_amount, batch_id, reverses_id, reason, "
		      "created_at, created_by, hash) "
		      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
};

/* The columns of a ledger row in chain order (the canonical text). */
#define PURCHASE_COLUMNS                                                                           \
	"id, contract_id, agency_id, po_number, invoice_number, line, revision, invoice_date, "    \
	"description, category, quantity, list_amount, invoiced_amount, freight_amount, "          \
	"tax_amount, batch_id, reverses_id, reason, created_at, created_by"
#define PURCHASE_NCOL 20

/* What eligibility needs to know of an agency, for one contract. */
typedef struct AgencyFact {
	char code[33];
	int64_t cid;
	int64_t id; /* 0: no such agency */
	int public_entity;
	int participant;
	Date joined;
} AgencyFact;

#define FACTS 1024 /* cache slots, a power of two */

struct Ledger {
	sqlite3 *db;
	AgencyFact *facts; /* open-addressing cache by code */
	int nfacts;
	sqlite3_stmt *st[ST__MAX];
	char actor[128];
	char now[TIMESTAMP_BUF];
	/* caches, valid within one transaction */
	int64_t cid;
	char number[64];
	TermsHistory terms; /* of contract cid */
	int have_last;
	int64_t last_id;
	char last_hash[CHAIN_HEX];
	Quarter q;
	int have_q, q_closed;
	Buf canon;
	AggregatePending *agg; /* rows not yet in the kept net sales */
	OrderPending *orders;  /* and not yet in the kept order totals */
	/* about the last line checked */
	const char *err_column; /* the column a refusal is about */
	int64_t match_batch;	/* batch of the live line with the same identity */
	int64_t match_id;	/* and that line's id */
};

/* A full ledger row, as written and as hashed. */
typedef struct Row {
	int64_t id, contract_id, agency_id;
	const char *po_number, *invoice_number;
	int64_t line, revision;
	char invoice_date[DATE_BUF];
	const char *description, *category, *quantity;
	Money list_amount, invoiced_amount, freight_amount, tax_amount;
	int64_t batch_id, reverses_id; /* 0: NULL */
	const char *reason, *created_at, *created_by;
} Row;

ClCode ledger_open(sqlite3 *db, const char *actor, Ledger **out, Err *e)
{
	Ledger *l = calloc(1, sizeof *l);
	int i;

	*out = NULL;
	if (!l) {
		err_set(e, CL_ENOMEM, "out of memory");
		return CL_ENOMEM;
	}
	l->db = db;
	l->facts = calloc(FACTS, sizeof *l->facts);
	if (!l->facts) {
		free(l);
		err_set(e, CL_ENOMEM, "out of memory");
		return CL_ENOMEM;
	}
	snprintf(l->actor, sizeof l->actor, "%s", actor);
	db_timestamp(l->now);
	buf_init(&l->canon, 1 << 20);
	for (i = 0; i < ST__MAX; i++) {
		if (db_prepare(db, &l->st[i], stmt_sql[i], e)) {
			ledger_close(l);
			return CL_EDB;
		}
	}
	if (aggregate_open(db, &l->agg, e) || order_pending_open(db, &l->orders, e)) {
		ledger_close(l);
		return CL_EDB;
	}
	*out = l;
	return CL_OK;
}

const char *ledger_error_column(const Ledger *l)
{
	return l->err_column ? l->err_column : "";
}

int64_t ledger_match_batch(const Ledger *l)
{
	return l->match_batch;
}

int64_t ledger_match_id(const Ledger *l)
{
	return l->match_id;
}

ClCode ledger_flush(Ledger *l, Err *e)
{
	ClCode rc = aggregate_flush(l->agg, e);

	return rc ? rc : order_pending_flush(l->orders, e);
}

void ledger_close(Ledger *l)
{
	int i;

	if (!l)
		return;
	if ((aggregate_pending(l->agg) || order_pending_any(l->orders)) &&
	    !sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(l->st[i]);
	aggregate_close(l->agg);
	order_pending_close(l->orders);
	buf_free(&l->canon);
	terms_history_free(&l->terms);
	free(l->facts);
	free(l);
}

/* Reset a cached statement and bind its parameters. */
static sqlite3_stmt *stmt(Ledger *l, int which)
{
	sqlite3_stmt *st = l->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* Load (or keep cached) the terms of contract cid, which eligibility
 * needs day by day. */
static ClCode load_contract(Ledger *l, int64_t cid, Err *e)
{
	ClCode rc;

	if (l->cid == cid)
		return CL_OK;
	terms_history_free(&l->terms);
	l->cid = 0;
	rc = terms_history_load_id(l->db, cid, &l->terms, e);
	if (rc)
		return rc;
	snprintf(l->number, sizeof l->number, "%s", l->terms.ver[0].number);
	l->cid = cid;
	return CL_OK;
}

/* Whether quarter q is closed (cached per handle).  OUT: *closed. */
static ClCode quarter_closed(Ledger *l, Quarter q, int *closed, Err *e)
{
	char text[QUARTER_BUF];
	sqlite3_stmt *st;
	ClCode rc;
	DbRows rows;

	if (l->have_q && quarter_cmp(q, l->q) == 0) {
		*closed = l->q_closed;
		return CL_OK;
	}
	st = stmt(l, ST_PERIOD);
	sqlite3_bind_text(st, 1, quarter_format(q, text), -1, SQLITE_TRANSIENT);
	db_rows_on(&rows, l->db, st, DB_ROWS_RESET);
	*closed = db_rows_next(&rows) && sqlite3_column_int(rows.st, 0);
	rc = db_rows_end(&rows, "reading the quarter's status", e);
	if (rc)
		return rc;
	l->q_closed = *closed;
	l->q = q;
	l->have_q = 1;
	return CL_OK;
}

/* Look the agency's facts up in the database.  OUT: *f. */
static ClCode agency_facts_load(Ledger *l, const char *code, int64_t cid, AgencyFact *f, Err *e)
{
	sqlite3_stmt *st = stmt(l, ST_AGENCY);
	ClCode rc;
	DbRows q;

	memset(f, 0, sizeof *f);
	snprintf(f->code, sizeof f->code, "%s", code);
	f->cid = cid;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	db_rows_on(&q, l->db, st, DB_ROWS_RESET);
	if (db_rows_next(&q)) {
		f->id = sqlite3_column_int64(q.st, 0);
		f->public_entity = sqlite3_column_int(q.st, 1);
	}
	rc = db_rows_end(&q, "reading the agency", e);
	if (rc || !f->id)
		return rc;
	st = stmt(l, ST_JOINED);
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, f->id);
	db_rows_on(&q, l->db, st, DB_ROWS_RESET);
	if (db_rows_next(&q) && date_parse(col_text(q.st, 0), &f->joined, NULL) == CL_OK)
		f->participant = 1;
	return db_rows_end(&q, "reading the agency's participation", e);
}

/* The agency's facts for contract cid, from the cache when it has them.
 * OUT: *f. */
static ClCode agency_facts(Ledger *l, const char *code, int64_t cid, AgencyFact *f, Err *e)
{
	uint32_t h = 2166136261u;
	const char *s;
	ClCode rc;
	int i;

	for (s = code; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (i = 0; i < FACTS; i++) {
		AgencyFact *slot = &l->facts[(h + (uint32_t)i) & (FACTS - 1)];

		if (!slot->code[0]) {
			rc = agency_facts_load(l, code, cid, f, e);
			if (!rc && strlen(code) < sizeof f->code && l->nfacts < FACTS * 3 / 4) {
				*slot = *f;
				l->nfacts++;
			}
			return rc;
		}
		if (slot->cid == cid && strcmp(slot->code, code) == 0) {
			*f = *slot;
			return CL_OK;
		}
	}
	return agency_facts_load(l, code, cid, f, e);
}

/* The eligibility rules of DOMAIN.md 4.4; each refusal names its rule.
 * OUT: *agency_id. */
static ClCode check_eligible(Ledger *l, const PurchaseIn *p, int64_t *agency_id, Err *e)
{
	char day[DATE_BUF], from[DATE_BUF], to[DATE_BUF], qt[QUARTER_BUF], joined[DATE_BUF];
	AgencyFact f;
	const Terms *in;
	int closed;
	ClCode rc;

	rc = agency_facts(l, p->agency_code, p->contract_id, &f, e);
	if (rc)
		return rc;
	date_format(p->invoice_date, day);
	l->err_column = "agency_code";
	if (!f.id)
		return err_set(e, CL_ERULE, "agency \"%s\" does not exist (rule: known agency)",
			       p->agency_code);
	*agency_id = f.id;
	if (!f.public_entity)
		return err_set(e, CL_ERULE,
			       "agency %s is not a public entity; only public agencies may buy "
			       "under a cooperative contract (rule: public entity)",
			       p->agency_code);
	l->err_column = "invoice_date";
	in = terms_in_force(&l->terms, p->invoice_date);
	if (in->status == CONTRACT_TERMINATED && in->terminated_on)
		return err_set(e, CL_ERULE,
			       "contract %s was terminated effective %s, on or before the invoice "
			       "date %s (rule: contract terminated)",
			       l->number, date_format(in->terminated_on, from), day);
	if (in->status == CONTRACT_TERMINATED)
		return err_set(e, CL_ERULE, "contract %s is terminated (rule: contract terminated)",
			       l->number);
	if (p->invoice_date < in->start || p->invoice_date > in->end)
		return err_set(e, CL_ERULE,
			       "invoice date %s is outside the contract term %s to %s (rule: "
			       "contract term)",
			       day, date_format(in->start, from), date_format(in->end, to));
	l->err_column = "agency_code";
	if (!f.participant)
		return err_set(e, CL_ERULE,
			       "agency %s is not a participant of contract %s (rule: participant)",
			       p->agency_code, l->number);
	if (f.joined > p->invoice_date)
		return err_set(e, CL_ERULE,
			       "agency %s joined contract %s on %s, after the invoice date %s "
			       "(rule: participant)",
			       p->agency_code, l->number, date_format(f.joined, joined), day);
	l->err_column = "invoice_date";
	rc = quarter_closed(l, quarter_of(p->invoice_date), &closed, e);
	if (rc)
		return rc;
	if (closed)
		return err_set(e, CL_ERULE, "quarter %s is closed (rule: open quarter)",
			       quarter_format(quarter_of(p->invoice_date), qt));
	return CL_OK;
}

/* Whether line id has been reversed.  OUT: *reversed. */
static ClCode line_reversed(Ledger *l, int64_t id, int *reversed, Err *e)
{
	sqlite3_stmt *st = stmt(l, ST_REVERSED);
	DbRows q;

	sqlite3_bind_int64(st, 1, id);
	db_rows_on(&q, l->db, st, DB_ROWS_RESET);
	*reversed = db_rows_next(&q);
	return db_rows_end(&q, "reading the line's reversal", e);
}

/* st's current row (ST_IDENTITY) is the live line with p's identity: p is
 * its re-entry once reversed, else a duplicate or a conflict.  OUT:
 * *outcome, *revision. */
static ClCode identity_compare(Ledger *l, const PurchaseIn *p, sqlite3_stmt *st,
			       LedgerOutcome *outcome, int64_t *revision, Err *e)
{
	char day[DATE_BUF];
	int64_t id = sqlite3_column_int64(st, 0);
	AgencyFact f;
	int reversed;
	ClCode rc;

	*revision = sqlite3_column_int64(st, 1) + 1;
	l->match_batch = sqlite3_column_int64(st, 9);
	l->match_id = id;
	rc = line_reversed(l, id, &reversed, e);
	if (rc || reversed)
		return rc; /* reversed: this is the re-entry */
	rc = agency_facts(l, p->agency_code, p->contract_id, &f, e);
	if (rc)
		return rc;
	if (sqlite3_column_int64(st, 2) == f.id &&
	    strcmp(col_text(st, 4), date_format(p->invoice_date, day)) == 0 &&
	    strcmp(col_text(st, 3), p->po_number) == 0 &&
	    sqlite3_column_int64(st, 5) == p->list_amount &&
	    sqlite3_column_int64(st, 6) == p->invoiced_amount &&
	    sqlite3_column_int64(st, 7) == p->freight_amount &&
	    sqlite3_column_int64(st, 8) == p->tax_amount) {
		*outcome = LEDGER_DUPLICATE;
		return CL_OK;
	}
	return err_set(e, CL_ECONFLICT,
		       "invoice %s line %d is already in the ledger (line %" PRId64
		       ") with other details; reverse that line first, then enter the "
		       "corrected one",
		       p->invoice_number, p->line, id);
}

/* Compare a new line with the live line of the same identity, if any.
 * OUT: *outcome, *revision (the revision a new line takes). */
static ClCode check_identity(Ledger *l, const PurchaseIn *p, LedgerOutcome *outcome,
			     int64_t *revision, Err *e)
{
	sqlite3_stmt *st = stmt(l, ST_IDENTITY);
	ClCode rc = CL_OK, end;
	DbRows q;

	*outcome = LEDGER_APPENDED;
	*revision = 0;
	l->match_batch = 0;
	l->err_column = "invoice_number";
	sqlite3_bind_int64(st, 1, p->contract_id);
	sqlite3_bind_text(st, 2, p->invoice_number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, p->line);
	db_rows_on(&q, l->db, st, DB_ROWS_RESET);
	if (db_rows_next(&q))
		rc = identity_compare(l, p, q.st, outcome, revision, e);
	end = db_rows_end(&q, "reading the line of the same identity", e);
	return rc ? rc : end;
}

/* Check required text fields of a line. */
static ClCode check_fields(const PurchaseIn *p, Err *e)
{
	if (!p->po_number || !*p->po_number || strlen(p->po_number) > 64)
		return err_set(e, CL_EINPUT, "po_number is required (at most 64 characters)");
	if (!p->invoice_number || !*p->invoice_number || strlen(p->invoice_number) > 64)
		return err_set(e, CL_EINPUT, "invoice_number is required (at most 64 characters)");
	if (p->line < 1)
		return err_set(e, CL_EINPUT, "line must be 1 or more");
	return CL_OK;
}

ClCode ledger_check(Ledger *l, const PurchaseIn *p, LedgerOutcome *outcome, Err *e)
{
	int64_t revision, agency;
	ClCode rc;

	rc = check_fields(p, e);
	if (!rc)
		rc = load_contract(l, p->contract_id, e);
	if (!rc)
		rc = check_identity(l, p, outcome, &revision, e);
	if (!rc && *outcome == LEDGER_APPENDED)
		rc = check_eligible(l, p, &agency, e);
	return rc;
}

/* The canonical text of a row (chain order, see PURCHASE_COLUMNS); fails
 * with CL_ENOMEM past the buffer's cap. */
static ClCode row_canon(Buf *b, const Row *r)
{
	buf_reset(b);
	if (canon_int(b, r->id) || canon_int(b, r->contract_id) || canon_int(b, r->agency_id) ||
	    canon_text(b, r->po_number) || canon_text(b, r->invoice_number) ||
	    canon_int(b, r->line) || canon_int(b, r->revision) || canon_text(b, r->invoice_date) ||
	    canon_text(b, r->description) || canon_text(b, r->category) ||
	    canon_text(b, r->quantity) || canon_int(b, r->list_amount) ||
	    canon_int(b, r->invoiced_amount) || canon_int(b, r->freight_amount) ||
	    canon_int(b, r->tax_amount) ||
	    (r->batch_id ? canon_int(b, r->batch_id) : canon_text(b, NULL)) ||
	    (r->reverses_id ? canon_int(b, r->reverses_id) : canon_text(b, NULL)) ||
	    canon_text(b, r->reason) || canon_text(b, r->created_at) ||
	    canon_text(b, r->created_by))
		return CL_ENOMEM;
	return CL_OK;
}

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* The last ledger line's id and hash, which the next line chains to
 * (cached per handle; an empty ledger starts from the genesis hash). */
static ClCode load_last(Ledger *l, Err *e)
{
	ClCode rc;
	DbRows q;

	if (l->have_last)
		return CL_OK;
	l->last_id = 0;
	memcpy(l->last_hash, chain_genesis, CHAIN_HEX);
	db_rows_on(&q, l->db, stmt(l, ST_LAST), DB_ROWS_RESET);
	if (db_rows_next(&q)) {
		l->last_id = sqlite3_column_int64(q.st, 0);
		snprintf(l->last_hash, sizeof l->last_hash, "%s", col_text(q.st, 1));
	}
	rc = db_rows_end(&q, "reading the last ledger line", e);
	l->have_last = rc == CL_OK;
	return rc;
}

/* Give r the next id, chain it to the last row and insert it. */
static ClCode insert_row(Ledger *l, Row *r, Err *e)
{
	sqlite3_stmt *st;
	char hash[CHAIN_HEX];
	ClCode rc;

	rc = load_last(l, e);
	if (rc)
		return rc;
	r->id = l->last_id + 1;
	r->created_at = l->now;
	r->created_by = l->actor;
	if (row_canon(&l->canon, r))
		return err_set(e, CL_ENOMEM, "ledger line %" PRId64 " is too long to hash", r->id);
	chain_hash(l->last_hash, &l->canon, hash);

	st = stmt(l, ST_INSERT);
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, r->contract_id);
	sqlite3_bind_int64(st, 3, r->agency_id);
	sqlite3_bind_text(st, 4, r->po_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->invoice_number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->line);
	sqlite3_bind_int64(st, 7, r->revision);
	sqlite3_bind_text(st, 8, r->invoice_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, r->quantity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, r->list_amount);
	sqlite3_bind_int64(st, 13, r->invoiced_amount);
	sqlite3_bind_int64(st, 14, r->freight_amount);
	sqlite3_bind_int64(st, 15, r->tax_amount);
	bind_id_or_null(st, 16, r->batch_id);
	bind_id_or_null(st, 17, r->reverses_id);
	sqlite3_bind_text(st, 18, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 19, r->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 20, r->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 21, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = db_error(l->db, e, "writing the ledger line");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	rc = aggregate_add(l->agg, r->contract_id, r->agency_id, r->invoice_date,
			   r->reverses_id != 0, r->list_amount, r->invoiced_amount, e);
	if (!rc)
		rc = order_pending_add(l->orders,
				       &(OrderLine){r->contract_id, r->agency_id, r->po_number,
						    r->invoice_date, r->list_amount,
						    r->invoiced_amount, r->freight_amount,
						    r->reverses_id != 0},
				       e);
	if (!rc && sqlite3_get_autocommit(l->db)) /* the row is committed already */
		rc = ledger_flush(l, e);
	if (rc)
		return rc;
	l->last_id = r->id;
	memcpy(l->last_hash, hash, CHAIN_HEX);
	return CL_OK;
}

/* The row a new line writes (revision and agency set by the caller). */
static void row_fill(Row *r, const PurchaseIn *p)
{
	r->contract_id = p->contract_id;
	r->po_number = p->po_number;
	r->invoice_number = p->invoice_number;
	r->line = p->line;
	date_format(p->invoice_date, r->invoice_date);
	r->description = p->description ? p->description : "";
	r->category = p->category ? p->category : "";
	r->quantity = p->quantity ? p->quantity : "";
	r->list_amount = p->list_amount;
	r->invoiced_amount = p->invoiced_amount;
	r->freight_amount = p->freight_amount;
	r->tax_amount = p->tax_amount;
	r->batch_id = p->batch_id;
	r->reason = "";
}

/* An eligibility refusal, unless the line is already live: a duplicate or
 * a conflict outranks it (a resent old report counts its duplicates even
 * in a closed quarter).  OUT: *outcome. */
static ClCode refuse_unless_known(Ledger *l, const PurchaseIn *p, ClCode refusal, const Err *why,
				  LedgerOutcome *outcome, Err *e)
{
	const char *column = l->err_column;
	int64_t revision;
	ClCode rc = check_identity(l, p, outcome, &revision, e);

	if (rc || *outcome == LEDGER_DUPLICATE)
		return rc;
	l->err_column = column;
	l->match_batch = 0;
	if (e)
		*e = *why;
	return refusal;
}

/* Lines are written optimistically as revision 0: the unique identity
 * index answers "is it new?" as part of the insert, and only a clash costs
 * the look-up that tells a duplicate, a conflict and a re-entry apart. */
ClCode ledger_append(Ledger *l, const PurchaseIn *p, LedgerOutcome *outcome, int64_t *id, Err *e)
{
	LedgerOutcome out = LEDGER_APPENDED;
	Err why = {0};
	Row r = {0};
	ClCode rc;

	if (id)
		*id = 0;
	rc = check_fields(p, e);
	if (!rc)
		rc = load_contract(l, p->contract_id, e);
	if (rc)
		return rc;
	l->match_batch = 0;
	rc = check_eligible(l, p, &r.agency_id, &why);
	if (rc == CL_ERULE) {
		rc = refuse_unless_known(l, p, rc, &why, &out, e);
	} else if (rc) {
		/* a read failed: not a refusal, nothing to weigh it against */
		if (e)
			*e = why;
	} else {
		row_fill(&r, p);
		rc = insert_row(l, &r, e);
		if (rc == CL_ECONFLICT &&
		    sqlite3_extended_errcode(l->db) == SQLITE_CONSTRAINT_UNIQUE) {
			rc = check_identity(l, p, &out, &r.revision, e);
			if (!rc && out == LEDGER_APPENDED) {
				l->match_batch = 0;
				rc = insert_row(l, &r, e);
			}
		}
	}
	if (outcome)
		*outcome = out;
	if (!rc && id && out == LEDGER_APPENDED)
		*id = r.id;
	return rc;
}

/* Load line id into r.  r's strings point into q's row: the caller ends
 * q with db_rows_end() once done with r.  Returns CL_ENOTFOUND when there
 * is no such line. */
static ClCode load_row(sqlite3 *db, int64_t id, Row *r, DbRows *q, Err *e)
{
	ClCode rc;
	sqlite3_stmt *st;

	rc = db_rows(q, db, e, "SELECT " PURCHASE_COLUMNS " FROM purchase WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!db_rows_next(q)) {
		rc = db_rows_end(q, "reading the ledger line", e);
		return rc ? rc : err_set(e, CL_ENOTFOUND, "there is no ledger line %" PRId64, id);
	}
	st = q->st;
	r->id = id;
	r->contract_id = sqlite3_column_int64(st, 1);
	r->agency_id = sqlite3_column_int64(st, 2);
	r->po_number = col_text(st, 3);
	r->invoice_number = col_text(st, 4);
	r->line = sqlite3_column_int64(st, 5);
	r->revision = sqlite3_column_int64(st, 6);
	snprintf(r->invoice_date, sizeof r->invoice_date, "%s", col_text(st, 7));
	r->description = col_text(st, 8);
	r->category = col_text(st, 9);
	r->quantity = col_text(st, 10);
	r->list_amount = sqlite3_column_int64(st, 11);
	r->invoiced_amount = sqlite3_column_int64(st, 12);
	r->freight_amount = sqlite3_column_int64(st, 13);
	r->tax_amount = sqlite3_column_int64(st, 14);
	r->batch_id = sqlite3_column_int64(st, 15);
	r->reverses_id = sqlite3_column_int64(st, 16);
	return CL_OK;
}

/* JSON of line r as it was before its reversal.  Caller frees. */
static char *reversed_summary(const Row *r)
{
	char la[MONEY_BUF], ia[MONEY_BUF], *json;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "line_id", (double)r->id);
	cJSON_AddStringToObject(o, "invoice_number", r->invoice_number);
	cJSON_AddNumberToObject(o, "line", (double)r->line);
	cJSON_AddStringToObject(o, "invoice_date", r->invoice_date);
	cJSON_AddStringToObject(o, "list_amount", money_format(r->list_amount, la));
	cJSON_AddStringToObject(o, "invoiced_amount", money_format(r->invoiced_amount, ia));
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return json;
}

/* Refuse to reverse line r (just loaded) when it is a reversal itself,
 * is reversed already or lies in a closed quarter. */
static ClCode check_reversible(Ledger *l, const Row *r, Err *e)
{
	char qt[QUARTER_BUF];
	int reversed, closed;
	Date day;
	ClCode rc;

	if (r->reverses_id)
		return err_set(e, CL_ERULE,
			       "line %" PRId64 " is itself a reversal (of line %" PRId64
			       "); enter a new line instead",
			       r->id, r->reverses_id);
	rc = line_reversed(l, r->id, &reversed, e);
	if (rc)
		return rc;
	if (reversed)
		return err_set(e, CL_ECONFLICT, "line %" PRId64 " is already reversed", r->id);
	if (date_parse(r->invoice_date, &day, e))
		return CL_EDB;
	rc = quarter_closed(l, quarter_of(day), &closed, e);
	if (rc)
		return rc;
	if (closed)
		return err_set(e, CL_ERULE,
			       "line %" PRId64 " is dated %s and quarter %s is closed; reopen it "
			       "first (rule: open quarter)",
			       r->id, r->invoice_date, quarter_format(quarter_of(day), qt));
	return CL_OK;
}

/* Append the reversal of line id inside the caller's transaction.
 * OUT: *rev_id; *summary (JSON of the original, caller frees). */
static ClCode reverse_one(Ledger *l, int64_t id, const char *reason, int64_t *rev_id,
			  char **summary, Err *e)
{
	Row r = {0};
	ClCode rc, end;
	DbRows q;

	rc = load_row(l->db, id, &r, &q, e);
	if (!rc)
		rc = check_reversible(l, &r, e);
	if (rc)
		goto out;
	if (summary)
		*summary = reversed_summary(&r);
	r.list_amount = -r.list_amount;
	r.invoiced_amount = -r.invoiced_amount;
	r.freight_amount = -r.freight_amount;
	r.tax_amount = -r.tax_amount;
	r.batch_id = 0;
	r.reverses_id = id;
	r.reason = reason;
	rc = insert_row(l, &r, e);
	if (!rc && rev_id)
		*rev_id = r.id;
out:
	end = db_rows_end(&q, "reading the ledger line", e);
	return rc ? rc : end;
}

static ClCode check_reason(const char *reason, Err *e)
{
	if (!reason || !*reason)
		return err_set(e, CL_EINPUT, "a reversal needs a reason (--reason TEXT)");
	if (strlen(reason) > 400)
		return err_set(e, CL_EINPUT, "the reason is too long (at most 400 characters)");
	if (text_check_line("reason", reason, e))
		return CL_EINPUT;
	return CL_OK;
}

ClCode ledger_reverse_line(sqlite3 *db, int64_t id, const char *reason, const char *actor,
			   int64_t *reversal_id, Err *e)
{
	char key[24], *before = NULL;
	Ledger *l = NULL;
	int64_t rev = 0;
	ClCode rc;

	rc = check_reason(reason, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = ledger_open(db, actor, &l, e);
	if (!rc)
		rc = reverse_one(l, id, reason, &rev, &before, e);
	if (!rc)
		rc = ledger_flush(l, e);
	ledger_close(l);
	if (!rc) {
		cJSON *o = cJSON_CreateObject();
		char *json;

		cJSON_AddNumberToObject(o, "reversal_id", (double)rev);
		cJSON_AddStringToObject(o, "reason", reason);
		json = cJSON_PrintUnformatted(o);
		snprintf(key, sizeof key, "%" PRId64, id);
		rc = audit_record(db, actor, "purchase.reverse", "purchase", key, before, json, e);
		cJSON_free(json);
		cJSON_Delete(o);
	}
	cJSON_free(before);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	rc = db_commit(db, e);
	if (!rc && reversal_id)
		*reversal_id = rev;
	return rc;
}

/* Reverse the live lines of a batch inside the caller's transaction.
 * OUT: *count. */
static ClCode reverse_batch_lines(sqlite3 *db, int64_t batch, const char *reason, const char *actor,
				  int *count, Err *e)
{
	DbRows q;
	Ledger *l = NULL;
	ClCode rc, end;

	/* written in one transaction: its lines are one range of ids */
	rc = db_rows(&q, db, e,
		     "SELECT p.id FROM import_batch b JOIN live_purchase p "
		     "ON p.id BETWEEN b.first_id AND coalesce(b.last_id, (SELECT max(id) FROM "
		     "purchase)) "
		     "AND p.batch_id = b.id WHERE b.id = ? ORDER BY p.id",
		     "i", batch);
	if (!rc)
		rc = ledger_open(db, actor, &l, e);
	while (!rc && db_rows_next(&q)) {
		rc = reverse_one(l, sqlite3_column_int64(q.st, 0), reason, NULL, NULL, e);
		if (!rc)
			(*count)++;
	}
	/* a step that failed half-way is an error: never a batch marked
	 * reversed with only some of its lines reversed */
	end = db_rows_end(&q, "reading the batch's lines", rc ? NULL : e);
	if (!rc && !end)
		rc = ledger_flush(l, e);
	ledger_close(l);
	return rc ? rc : end;
}

ClCode ledger_reverse_batch(sqlite3 *db, int64_t batch, const char *reason, const char *actor,
			    int *count, Err *e)
{
	unsigned long reads;
	int64_t found;
	char key[24], now[TIMESTAMP_BUF], after[600];
	cJSON *o;
	char *json;
	ClCode rc;

	*count = 0;
	rc = check_reason(reason, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	reads = db_read_failures(NULL);
	found = db_int(db, 0, "SELECT 1 FROM import_batch WHERE id = ?", "i", batch);
	if (db_reads_failed(reads, "looking up the batch", e))
		rc = CL_EDB;
	else if (!found)
		rc = err_set(e, CL_ENOTFOUND, "there is no import batch %" PRId64, batch);
	else if (db_int(db, 0, "SELECT reversed_at IS NOT NULL FROM import_batch WHERE id = ?", "i",
			batch))
		rc = err_set(e, CL_ECONFLICT, "batch %" PRId64 " is already reversed", batch);
	if (!rc)
		rc = reverse_batch_lines(db, batch, reason, actor, count, e);
	if (!rc)
		rc = db_exec(db, e,
			     "UPDATE import_batch SET reversed_at = ?, reversed_by = ?, "
			     "reverse_reason = ? WHERE id = ?",
			     "ttti", db_timestamp(now), actor, reason, batch);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "lines_reversed", *count);
	cJSON_AddStringToObject(o, "reason", reason);
	json = cJSON_PrintUnformatted(o);
	snprintf(after, sizeof after, "%s", json ? json : "{}");
	cJSON_free(json);
	cJSON_Delete(o);
	snprintf(key, sizeof key, "%" PRId64, batch);
	if (!rc)
		rc = audit_record(db, actor, "batch.reverse", "import_batch", key, NULL, after, e);
	if (rc) {
		db_rollback(db);
		*count = 0;
		return rc;
	}
	return db_commit(db, e);
}

ClCode ledger_batch_create(sqlite3 *db, int64_t contract_id, const char *file_name,
			   const char *sha256, const char *period, Date filed_on, const char *actor,
			   int64_t *id, Err *e)
{
	char now[TIMESTAMP_BUF], day[DATE_BUF];
	ClCode rc;

	rc = db_exec(db, e,
		     "INSERT INTO import_batch(contract_id, file_name, sha256, period, filed_on, "
		     "created_by, created_at, first_id) "
		     "VALUES (?,?,?,?,?,?,?, (SELECT coalesce(max(id), 0) + 1 FROM purchase))",
		     "ittttt"
		     "t",
		     contract_id, file_name, sha256, period, date_format(filed_on, day), actor,
		     db_timestamp(now));
	if (!rc)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

ClCode ledger_batch_finish(sqlite3 *db, int64_t batch, int64_t rows, int64_t accepted,
			   int64_t duplicates, int64_t rejected, Money list_total,
			   Money invoiced_total, const char *result_json, Err *e)
{
	return db_exec(db, e,
		       "UPDATE import_batch SET rows_total = ?, rows_accepted = ?, "
		       "rows_duplicate = ?, rows_rejected = ?, list_total = ?, invoiced_total = ?, "
		       "result_json = ?, last_id = (SELECT max(id) FROM purchase) WHERE id = ?",
		       "iiiiiiti", rows, accepted, duplicates, rejected, list_total, invoiced_total,
		       result_json, batch);
}

/* The newest ledger row's id: every write to the ledger (and so to its
 * kept sums) makes a new one. */
static int64_t ledger_last_id(sqlite3 *db)
{
	return db_int(db, 0, "SELECT coalesce(max(id), 0) FROM purchase", "");
}

/* One verify of everything; see ledger_verify_all(). */
static ClCode verify_once(sqlite3 *db, LedgerChains *n, Err *e)
{
	VerifyTally *t;
	ClCode rc;

	memset(n, 0, sizeof *n);
	/* the ledger's lines are read once, for their chain and the sums; a
	 * sum's difference is named after the other chains are checked */
	rc = verify_lines_read(db, VERIFY_CHAIN | VERIFY_SALES | VERIFY_ORDERS, PURCHASE_COLUMNS,
			       PURCHASE_NCOL, &t, &n->purchases, e);
	if (!rc)
		rc = remit_verify(db, &n->remittances, e);
	if (!rc)
		rc = amend_verify(db, &n->amendments, e);
	if (!rc)
		rc = register_verify(db, &n->registers, e);
	if (!rc)
		rc = chain_verify_table(db, "audit_log",
					"id, at, actor, action, entity, entity_id, before, after",
					8, &n->audits, e);
	if (!rc)
		rc = verify_lines_compare(db, t, &n->aggregates, &n->orders, e);
	verify_tally_free(t);
	return rc;
}

/* The lines are read on connections of their own, the kept sums after
 * them: a ledger written meanwhile can make them differ with no one at
 * fault.  A difference found while the ledger grew is checked again. */
#define VERIFY_TRIES 3

ClCode ledger_verify_all(sqlite3 *db, LedgerChains *n, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	int64_t last = ledger_last_id(db);
	ClCode rc = CL_OK;
	int i;

	memset(n, 0, sizeof *n);
	for (i = 0; i < VERIFY_TRIES; i++) {
		int64_t now;

		if (db_reads_failed(since, "reading the newest ledger line", e))
			return CL_EDB;
		rc = verify_once(db, n, e);
		if (rc != CL_ERULE)
			return rc;
		now = ledger_last_id(db);
		if (db_reads_failed(since, "reading the newest ledger line", e))
			return CL_EDB;
		if (now == last)
			return rc;
		last = now;
	}
	return err_set(e, CL_ERULE,
		       "the ledger was written %d times while it was verified, and its kept sums "
		       "differed each time; run `coopledger verify` again when no import is "
		       "running",
		       VERIFY_TRIES);
}

ClCode ledger_verify(sqlite3 *db, int64_t *purchases, int64_t *audits, Err *e)
{
	LedgerChains n;
	ClCode rc = ledger_verify_all(db, &n, e);

	if (purchases)
		*purchases = n.purchases;
	if (audits)
		*audits = n.audits;
	return rc;
}
