/* amend.c — contract amendments and the terms in force; see amend.h. */
#include "amend.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "chain.h"
#include "compliance.h"
#include "contract.h"
#include "text.h"

#define AMEND_COLUMNS "id, contract_id, seq, effective, reference, changes, recorded_by, created_at"
#define AMEND_NCOL    8

static void column_copy(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", t ? (const char *)t : "");
}

/* ---- the history -------------------------------------------------------- */

void terms_history_free(TermsHistory *h)
{
	int i;

	for (i = 0; h->amend && i < h->n; i++)
		free(h->amend[i].changes);
	free(h->amend);
	free(h->ver);
	memset(h, 0, sizeof *h);
}

/* Room for one more amendment and its version.  0, or -1 when out of
 * memory. */
static int history_grow(TermsHistory *h, int *cap)
{
	Amendment *a;
	Terms *v;
	int n = *cap ? *cap * 2 : 4;

	if (h->n < *cap)
		return 0;
	a = realloc(h->amend, (size_t)n * sizeof *a);
	if (a)
		h->amend = a;
	v = realloc(h->ver, (size_t)(n + 1) * sizeof *v);
	if (v)
		h->ver = v;
	if (!a || !v)
		return -1;
	*cap = n;
	return 0;
}

/* Read amendment k+1 from the row of st (seq, effective, reference,
 * changes, recorded_by, created_at) and make version k+1 from version k. */
static ClCode history_add(TermsHistory *h, sqlite3_stmt *st, Err *e)
{
	const char *doc = (const char *)sqlite3_column_text(st, 3);
	Amendment *a = &h->amend[h->n];
	TermsChange c;
	char eff[DATE_BUF];

	memset(a, 0, sizeof *a);
	a->seq = sqlite3_column_int(st, 0);
	column_copy(st, 1, eff, sizeof eff);
	column_copy(st, 2, a->reference, sizeof a->reference);
	column_copy(st, 4, a->recorded_by, sizeof a->recorded_by);
	column_copy(st, 5, a->created_at, sizeof a->created_at);
	if (date_parse(eff, &a->effective, e) ||
	    terms_change_parse(doc ? doc : "", doc ? strlen(doc) : 0, &h->ver[h->n], &c, e)) {
		err_prefix(e, "stored amendment %d is damaged", a->seq);
		return CL_EDB;
	}
	if (!doc || !(a->changes = strdup(doc)))
		return err_set(e, CL_ENOMEM, "out of memory");
	h->ver[h->n + 1] = h->ver[h->n];
	terms_change_apply(&h->ver[h->n + 1], &c, a->effective);
	h->n++;
	return CL_OK;
}

/* Read the amendments of h->id after its award h->ver[0]. */
static ClCode history_amendments(sqlite3 *db, TermsHistory *h, Err *e)
{
	ClCode rc, end;
	int cap = 0;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT seq, effective, reference, changes, recorded_by, created_at "
		     "FROM contract_amendment WHERE contract_id = ? ORDER BY seq",
		     "i", h->id);
	while (!rc && db_rows_next(&q)) {
		if (history_grow(h, &cap))
			rc = err_set(e, CL_ENOMEM, "out of memory");
		else
			rc = history_add(h, q.st, e);
	}
	end = db_rows_end(&q, "reading the contract's amendments", e);
	return rc ? rc : end;
}

/* The history of contract number, or of contract id when number is NULL. */
static ClCode history_load(sqlite3 *db, const char *number, int64_t id, TermsHistory *h, Err *e)
{
	ClCode rc;

	memset(h, 0, sizeof *h);
	if (!(h->ver = calloc(1, sizeof *h->ver)))
		return err_set(e, CL_ENOMEM, "out of memory");
	h->id = id;
	rc = number ? contract_load_award(db, number, &h->id, &h->ver[0], e)
		    : contract_load_award_id(db, id, &h->ver[0], e);
	if (!rc)
		rc = history_amendments(db, h, e);
	if (rc)
		terms_history_free(h);
	return rc;
}

ClCode terms_history_load(sqlite3 *db, const char *number, TermsHistory *h, Err *e)
{
	return history_load(db, number, 0, h, e);
}

ClCode terms_history_load_id(sqlite3 *db, int64_t id, TermsHistory *h, Err *e)
{
	return history_load(db, NULL, id, h, e);
}

const Terms *terms_in_force(const TermsHistory *h, Date d)
{
	int k = h->n;

	/* effective dates never go down: the last one on or before d wins */
	while (k > 0 && h->amend[k - 1].effective > d)
		k--;
	return &h->ver[k];
}

const Terms *terms_latest(const TermsHistory *h)
{
	return &h->ver[h->n];
}

Date terms_last_day(const TermsHistory *h)
{
	Date last = h->ver[0].end;
	int k;

	for (k = 1; k <= h->n; k++)
		if (h->ver[k].end > last)
			last = h->ver[k].end;
	return last;
}

ClCode amend_apply_all(sqlite3 *db, int64_t id, Terms *t, Err *e)
{
	TermsHistory h = {0};
	ClCode rc;

	if (!(h.ver = calloc(1, sizeof *h.ver)))
		return err_set(e, CL_ENOMEM, "out of memory");
	h.id = id;
	h.ver[0] = *t;
	rc = history_amendments(db, &h, e);
	if (!rc)
		*t = *terms_latest(&h);
	terms_history_free(&h);
	return rc;
}

/* ---- the chain ---------------------------------------------------------- */

typedef struct Row {
	int64_t id, contract_id;
	int seq;
	char effective[DATE_BUF];
	const char *reference, *changes, *recorded_by;
	char created_at[TIMESTAMP_BUF];
} Row;

static ClCode row_canon(Buf *b, const Row *r)
{
	buf_reset(b);
	if (canon_int(b, r->id) || canon_int(b, r->contract_id) || canon_int(b, r->seq) ||
	    canon_text(b, r->effective) || canon_text(b, r->reference) ||
	    canon_text(b, r->changes) || canon_text(b, r->recorded_by) ||
	    canon_text(b, r->created_at))
		return CL_ENOMEM;
	return CL_OK;
}

/* Give r the next id, chain it to the last amendment and insert it, inside
 * the caller's transaction. */
static ClCode row_insert(sqlite3 *db, Row *r, Err *e)
{
	char prev[CHAIN_HEX], hash[CHAIN_HEX];
	ClCode rc, end;
	DbRows q;
	Buf b;

	r->id = 1;
	memcpy(prev, chain_genesis, CHAIN_HEX);
	rc = db_rows(&q, db, e, "SELECT id, hash FROM contract_amendment ORDER BY id DESC LIMIT 1",
		     "");
	if (!rc && db_rows_next(&q)) {
		r->id = sqlite3_column_int64(q.st, 0) + 1;
		column_copy(q.st, 1, prev, CHAIN_HEX);
	}
	end = db_rows_end(&q, "reading the last amendment", e);
	if (rc || end)
		return rc ? rc : end;
	buf_init(&b, 1 << 20);
	rc = row_canon(&b, r);
	if (!rc)
		chain_hash(prev, &b, hash);
	buf_free(&b);
	if (rc)
		return err_set(e, CL_ENOMEM, "the amendment is too long to hash");
	return db_exec(db, e,
		       "INSERT INTO contract_amendment(" AMEND_COLUMNS ", hash) "
		       "VALUES (?,?,?,?,?,?,?,?,?)",
		       "iiittttt"
		       "t",
		       r->id, r->contract_id, (int64_t)r->seq, r->effective, r->reference,
		       r->changes, r->recorded_by, r->created_at, hash);
}

ClCode amend_verify(sqlite3 *db, int64_t *rows, Err *e)
{
	int64_t n = 0;
	ClCode rc =
		chain_verify(db, "contract_amendment",
			     "SELECT " AMEND_COLUMNS ", hash FROM contract_amendment ORDER BY id",
			     AMEND_NCOL, &n, e);

	if (rows)
		*rows = n;
	return rc;
}

/* ---- amending ----------------------------------------------------------- */

/* The refusals about the effective date and what the change asks of the
 * terms in force cur (next: cur with the change applied). */
static ClCode check_effective(sqlite3 *db, const TermsHistory *h, Date effective,
			      const TermsChange *c, const Terms *next, Err *e)
{
	const Terms *cur = terms_latest(h);
	char a[DATE_BUF], b[DATE_BUF], d[DATE_BUF], qt[QUARTER_BUF];
	Date last = cur->end;
	unsigned long reads = db_read_failures(NULL);
	int closed;

	date_format(effective, d);
	if (effective <= h->ver[0].start)
		return err_set(e, CL_EINPUT, "effective: %s must be after the award's start %s", d,
			       date_format(h->ver[0].start, a));
	if (h->n > 0 && effective < h->amend[h->n - 1].effective)
		return err_set(e, CL_EINPUT,
			       "effective: %s is before amendment %d's (%s); amendments take "
			       "effect in order",
			       d, h->amend[h->n - 1].seq,
			       date_format(h->amend[h->n - 1].effective, a));
	if (next->end > cur->end)
		last = cur->end + 1; /* an extension may start the day after the end */
	if (effective > last)
		return err_set(e, CL_EINPUT,
			       "effective: %s is outside the term in force (%s to %s)%s", d,
			       date_format(cur->start, a), date_format(cur->end, b),
			       next->end > cur->end ? ""
						    : "; only an extension may take effect "
						      "the day after the end");
	if ((c->has & TC_RENEW) && cur->renew_options <= 0)
		return err_set(e, CL_ERULE,
			       "renew: no renewal option is left (rule: renewal options)");
	if ((c->has & TC_END) && next->end < effective)
		return err_set(e, CL_EINPUT, "end: %s is before the amendment's effective date %s",
			       date_format(next->end, a), d);
	closed = period_is_closed(db, quarter_of(effective));
	if (db_reads_failed(reads, "reading the quarter's status", e))
		return CL_EDB;
	if (closed)
		return err_set(
			e, CL_ERULE,
			"effective: %s falls in quarter %s, which is closed; reopen it first "
			"(rule: open quarter)",
			d, quarter_format(quarter_of(effective), qt));
	return CL_OK;
}

/* Live lines of contract id dated from day on: how many, and the last
 * date.  OUT: *n, last. */
static ClCode lines_from(sqlite3 *db, int64_t id, Date day, int64_t *n, char last[DATE_BUF], Err *e)
{
	char d[DATE_BUF];
	ClCode rc, end;
	DbRows q;

	*n = 0;
	last[0] = '\0';
	rc = db_rows(&q, db, e,
		     "SELECT coalesce(sum(lines), 0), max(day) FROM sales_day "
		     "WHERE contract_id = ? AND day >= ? AND lines > 0",
		     "it", id, date_format(day, d));
	if (!rc && db_rows_next(&q)) {
		*n = sqlite3_column_int64(q.st, 0);
		column_copy(q.st, 1, last, DATE_BUF);
	}
	end = db_rows_end(&q, "counting the contract's lines", e);
	return rc ? rc : end;
}

/* An earlier end or a termination leaves no live line outside the term. */
static ClCode check_lines(sqlite3 *db, const TermsHistory *h, Date effective, const TermsChange *c,
			  const Terms *next, Err *e)
{
	const Terms *cur = terms_latest(h);
	char d[DATE_BUF], last[DATE_BUF];
	int64_t n = 0;
	ClCode rc;

	if (next->end < cur->end) {
		if ((rc = lines_from(db, h->id, next->end + 1, &n, last, e)))
			return rc;
		if (n > 0)
			return err_set(
				e, CL_ERULE,
				"end: %" PRId64 " live line(s) are dated after %s (the last "
				"%s); reverse them before ending the contract earlier (rule: "
				"contract term)",
				n, date_format(next->end, d), last);
	}
	if (c->has & TC_STATUS) {
		if ((rc = lines_from(db, h->id, effective, &n, last, e)))
			return rc;
		if (n > 0)
			return err_set(
				e, CL_ERULE,
				"status: %" PRId64 " live line(s) are dated on or after %s "
				"(the last %s); reverse them before terminating from that day "
				"(rule: contract terminated)",
				n, date_format(effective, d), last);
	}
	return CL_OK;
}

/* The audit's after: the terms as amended and the amendment itself. */
static char *audit_after(const Terms *next, const Row *r)
{
	char *doc = terms_to_json(next), *out = NULL;
	cJSON *o = doc ? cJSON_Parse(doc) : NULL, *a, *ch;

	free(doc);
	if (!o)
		return NULL;
	a = cJSON_AddObjectToObject(o, "amendment");
	ch = cJSON_Parse(r->changes);
	if (a && ch && cJSON_AddNumberToObject(a, "seq", r->seq) &&
	    cJSON_AddStringToObject(a, "effective", r->effective) &&
	    cJSON_AddStringToObject(a, "reference", r->reference)) {
		cJSON_AddItemToObject(a, "changes", ch);
		ch = NULL;
		out = cJSON_PrintUnformatted(o);
	}
	cJSON_Delete(ch);
	cJSON_Delete(o);
	return out;
}

/* Write amendment r, the contract row's end and status, and the audit row,
 * in one transaction. */
static ClCode amend_write(sqlite3 *db, const char *number, Row *r, const Terms *cur,
			  const Terms *next, Err *e)
{
	char end[DATE_BUF], *before = terms_to_json(cur), *after = audit_after(next, r);
	ClCode rc = before && after ? CL_OK : err_set(e, CL_ENOMEM, "out of memory");

	if (!rc)
		rc = db_begin(db, e);
	if (rc)
		goto out;
	rc = row_insert(db, r, e);
	if (!rc)
		rc = compliance_note_amendment(db, r->contract_id, r->effective, e);
	if (!rc)
		rc = db_exec(db, e,
			     "UPDATE contract SET end_date = ?, status = CASE WHEN ? THEN "
			     "'terminated' ELSE status END WHERE id = ?",
			     "tii", date_format(next->end, end),
			     (int64_t)(next->status == CONTRACT_TERMINATED), r->contract_id);
	if (!rc)
		rc = audit_record(db, r->recorded_by, "contract.amend", "contract", number, before,
				  after, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc)
		db_rollback(db);
out:
	free(before);
	cJSON_free(after);
	return rc;
}

ClCode contract_amend(sqlite3 *db, const char *number, Date effective, const char *reference,
		      const char *json, size_t len, const char *actor, int *seq, Err *e)
{
	TermsHistory h = {0};
	TermsChange c;
	Terms next;
	char *doc = NULL;
	Row r = {0};
	ClCode rc;

	if (!reference || !*reference)
		return err_set(e, CL_EINPUT,
			       "reference: say what authorised the amendment (e.g. \"Amendment 2, "
			       "board approval 2026-03-12\")");
	if (strlen(reference) > AMEND_REFERENCE_MAX)
		return err_set(e, CL_EINPUT, "reference: at most %d characters",
			       AMEND_REFERENCE_MAX);
	if (text_check_line("reference", reference, e))
		return CL_EINPUT;
	if ((rc = terms_history_load(db, number, &h, e)))
		return rc;
	if (terms_latest(&h)->status == CONTRACT_TERMINATED) {
		char d[DATE_BUF];

		rc = err_set(e, CL_ERULE,
			     "contract %s is terminated (effective %s) and is not amended (rule: "
			     "contract terminated)",
			     number, date_format(terms_latest(&h)->terminated_on, d));
		goto out;
	}
	rc = terms_change_parse(json, len, terms_latest(&h), &c, e);
	if (!rc) {
		next = *terms_latest(&h);
		terms_change_apply(&next, &c, effective);
		rc = check_effective(db, &h, effective, &c, &next, e);
	}
	if (!rc)
		rc = check_lines(db, &h, effective, &c, &next, e);
	if (!rc && !(doc = terms_change_to_json(&c)))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	if (rc)
		goto out;
	r.contract_id = h.id;
	r.seq = h.n + 1;
	date_format(effective, r.effective);
	r.reference = reference;
	r.changes = doc;
	r.recorded_by = actor;
	db_timestamp(r.created_at);
	rc = amend_write(db, number, &r, terms_latest(&h), &next, e);
	if (!rc && seq)
		*seq = r.seq;
out:
	free(doc);
	terms_history_free(&h);
	return rc;
}
