/* register.c — members' purchase registers; see register.h. */
#include "register.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "agency.h"
#include "audit.h"
#include "chain.h"
#include "contract.h"
#include "csvin.h"
#include "tablein.h"
#include "db.h"
#include "importkit.h"

enum { R_PO, R_DATE, R_AMOUNT, R_AGENCY, R_DESCRIPTION, R__MAX };
#define R_REQUIRED 4 /* agency_code only when no agency is named otherwise */

static const char *const col_name[R__MAX] = {"po_number", "po_date", "amount", "agency_code",
					     "description"};

/* What members' finance systems call the columns (matched as header keys:
 * case, spaces, '-' and '_' set aside). */
static const ImportAlias aliases[] = {
	{"PO #", R_PO},
	{"PO", R_PO},
	{"PO No", R_PO},
	{"PO No.", R_PO},
	{"PO Num", R_PO},
	{"Purchase Order", R_PO},
	{"Purchase Order #", R_PO},
	{"Purchase Order Number", R_PO},
	{"Order #", R_PO},
	{"Order Number", R_PO},
	{"PO Date", R_DATE},
	{"Order Date", R_DATE},
	{"Purchase Order Date", R_DATE},
	{"Total", R_AMOUNT},
	{"PO Total", R_AMOUNT},
	{"PO Amount", R_AMOUNT},
	{"Order Total", R_AMOUNT},
	{"Order Amount", R_AMOUNT},
	{"Total Amount", R_AMOUNT},
	{"Net Amount", R_AMOUNT},
	{"Agency", R_AGENCY},
	{"Agency Code", R_AGENCY},
	{"Member", R_AGENCY},
	{"Member Code", R_AGENCY},
	{"Memo", R_DESCRIPTION},
	{"Item Description", R_DESCRIPTION},
};

#define MAX_MAPS 64

/* The hashed columns of a register line, in chain order. */
#define LINE_COLUMNS                                                                               \
	"id, contract_id, agency_id, po_number, po_date, amount, description, batch_id, "          \
	"created_at, created_by"
#define LINE_NCOL 10

typedef struct Reg {
	sqlite3 *db;
	const RegisterOptions *o;
	int64_t cid, batch;
	int64_t agency_id; /* the agency the options name, or 0 */
	const char *agency;
	TermsHistory h;
	int have_h;
	ImportMap map[MAX_MAPS];
	int nmap;
	ImportText text;
	crypto_hash_sha256_state sha;
	int header_seen, ncols, col[R__MAX];
	RegisterResult res;
	ImportErrs errs;
	int nomem;
	size_t line;	/* physical line the current row starts on */
	const char *po; /* the current row's PO number, or NULL */
	char prev[CHAIN_HEX];
	int64_t next_id;
	char now[TIMESTAMP_BUF];
	char last_code[40]; /* the agency last looked up, and what was found */
	int64_t last_id;
	int last_member;
} Reg;

const char *register_header_column(const char *header)
{
	ImportColumns c = {0};
	int k;

	c.names = col_name;
	c.ncols = R__MAX;
	c.aliases = aliases;
	c.nalias = (int)(sizeof aliases / sizeof aliases[0]);
	k = importkit_header_column(&c, header);
	return k >= 0 ? col_name[k] : NULL;
}

void register_result_free(RegisterResult *r)
{
	import_result_free(&r->base);
	r->amount = 0;
}

/* ---- errors ---- */

static void row_error(Reg *r, size_t row, int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record a row problem, with where it is in the file. */
static void row_error(Reg *r, size_t row, int column, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	ImportProblem *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p = importkit_row_problem(&r->res.base, &r->errs, row, column >= 0 ? col_name[column] : "",
				  msg);
	if (p) {
		p->line = (int64_t)r->line;
		snprintf(p->po, sizeof p->po, "%.64s", r->po ? r->po : "");
	}
}

/* ---- the header ---- */

static ImportColumns reg_columns(const Reg *r)
{
	ImportColumns c = {0};

	c.names = col_name;
	c.ncols = R__MAX;
	c.nrequired = R_REQUIRED;
	c.maps = r->map;
	c.nmap = r->nmap;
	c.aliases = aliases;
	c.nalias = (int)(sizeof aliases / sizeof aliases[0]);
	c.needs = "a purchase register needs po_number, po_date and amount (PO #, PO Date and "
		  "Total are read as those), and agency_code unless the agency is named";
	return c;
}

static ClCode read_header(Reg *r, int n, char **val, Err *e)
{
	ImportColumns c = reg_columns(r);

	r->header_seen = 1;
	r->ncols = n;
	return importkit_header_read(&c, r->agency_id ? R_AGENCY : -1, n, val, r->col, &r->res.base,
				     e);
}

/* ---- rows ---- */

/* The agency of a row: its agency_code, else the one the options name;
 * a member's rows are its own.  0 when refused (error noted).  OUT: *aid. */
static int row_agency(Reg *r, size_t row, const char *code, int64_t *aid)
{
	if (!*code && !r->agency) {
		row_error(r, row, R_AGENCY,
			  "agency_code is empty; give each row's agency, or name the agency "
			  "with --agency");
		return 0;
	}
	if (!*code)
		code = r->agency;
	if (r->o->member_agency && strcmp(code, r->o->member_agency) != 0) {
		row_error(r, row, R_AGENCY,
			  "agency_code %.40s is not your agency (%s); send only your own "
			  "agency's purchase orders",
			  code, r->o->member_agency);
		return 0;
	}
	if (strcmp(code, r->last_code) != 0) {
		snprintf(r->last_code, sizeof r->last_code, "%.39s", code);
		r->last_id = db_int(r->db, 0, "SELECT id FROM agency WHERE code = ?", "t", code);
		r->last_member = r->last_id && db_int(r->db, 0,
						      "SELECT 1 FROM participant WHERE "
						      "contract_id = ? AND agency_id = ?",
						      "ii", r->cid, r->last_id);
	}
	if (!r->last_id) {
		row_error(r, row, R_AGENCY, "unknown agency_code %.40s", code);
		return 0;
	}
	if (!r->last_member) {
		row_error(r, row, R_AGENCY, "agency %.40s is not a participant of contract %s",
			  code, r->o->contract);
		return 0;
	}
	*aid = r->last_id;
	return 1;
}

/* The PO date: a date within the contract's term in force on that day.
 * OUT: *d. */
static int row_date(Reg *r, size_t row, const char *v, Date *d)
{
	char a[DATE_BUF], b[DATE_BUF], c[DATE_BUF];
	const Terms *t;
	Err e = {0};

	if (!*v) {
		row_error(r, row, R_DATE, "po_date is empty");
		return 0;
	}
	if (date_parse_any(v, d, &e)) {
		row_error(r, row, R_DATE, "%s", e.msg);
		return 0;
	}
	t = terms_in_force(&r->h, *d);
	if (*d < t->start || *d > t->end) {
		row_error(r, row, R_DATE,
			  "PO date %s is outside the term of contract %s in force on that day "
			  "(%s to %s)",
			  date_format(*d, a), r->o->contract, date_format(t->start, b),
			  date_format(t->end, c));
		return 0;
	}
	return 1;
}

/* The amount: money, more than zero.  OUT: *m. */
static int row_amount(Reg *r, size_t row, const char *v, Money *m)
{
	Err e = {0};

	if (!*v) {
		row_error(r, row, R_AMOUNT, "amount is empty");
		return 0;
	}
	if (money_parse(v, m, &e)) {
		row_error(r, row, R_AMOUNT, "%s", e.msg);
		return 0;
	}
	if (*m <= 0) {
		row_error(r, row, R_AMOUNT,
			  "amount must be more than 0 (a PO's merchandise and "
			  "freight, without tax)");
		return 0;
	}
	return 1;
}

/* A text field of at most max characters; 0 when bad (error noted). */
static int row_text(Reg *r, size_t row, int c, const char *v, int required, size_t max)
{
	if (required && !*v) {
		row_error(r, row, c, "%s is empty", col_name[c]);
		return 0;
	}
	if (importkit_utf8_length(v) > max) {
		row_error(r, row, c, "%s is longer than %zu characters", col_name[c], max);
		return 0;
	}
	return 1;
}

typedef struct Line {
	int64_t agency_id;
	const char *agency, *po, *description;
	Date date;
	Money amount;
} Line;

/* Check every field of a row, noting each problem.  OUT: *l. */
static int validate_row(Reg *r, size_t row, char **v, Line *l)
{
	int ok = 1;

	memset(l, 0, sizeof *l);
	l->po = v[R_PO];
	l->description = v[R_DESCRIPTION];
	l->agency = *v[R_AGENCY] ? v[R_AGENCY] : (r->agency ? r->agency : "");
	ok &= row_agency(r, row, v[R_AGENCY], &l->agency_id);
	ok &= row_text(r, row, R_PO, v[R_PO], 1, 64);
	ok &= row_date(r, row, v[R_DATE], &l->date);
	ok &= row_amount(r, row, v[R_AMOUNT], &l->amount);
	ok &= row_text(r, row, R_DESCRIPTION, v[R_DESCRIPTION], 0, 500);
	return ok;
}

/* Chain line l to the last register line and insert it as line id
 * r->next_id, inside the caller's transaction. */
static ClCode line_insert(Reg *r, const Line *l, Err *e)
{
	char day[DATE_BUF], hash[CHAIN_HEX];
	ClCode rc;
	Buf b;

	date_format(l->date, day);
	buf_init(&b, 1 << 16);
	if (canon_int(&b, r->next_id) || canon_int(&b, r->cid) || canon_int(&b, l->agency_id) ||
	    canon_text(&b, l->po) || canon_text(&b, day) || canon_int(&b, l->amount) ||
	    canon_text(&b, l->description) || canon_int(&b, r->batch) || canon_text(&b, r->now) ||
	    canon_text(&b, r->o->actor)) {
		buf_free(&b);
		return err_set(e, CL_ENOMEM, "the register line is too long to hash");
	}
	chain_hash(r->prev, &b, hash);
	buf_free(&b);
	rc = db_exec(r->db, e,
		     "INSERT INTO register_line(" LINE_COLUMNS ", hash) "
		     "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		     "iiittitittt", r->next_id, r->cid, l->agency_id, l->po, day, l->amount,
		     l->description, r->batch, r->now, r->o->actor, hash);
	if (!rc) {
		memcpy(r->prev, hash, CHAIN_HEX);
		r->next_id++;
	}
	return rc;
}

/* Append a well-formed line, once: the same PO with the same amount is a
 * duplicate, with another a conflict.  Returns 1 when accepted or a
 * duplicate, 0 when refused (error noted); a database failure sets
 * *fatal. */
static int write_row(Reg *r, size_t row, const Line *l, ClCode *fatal, Err *e)
{
	char had[MONEY_BUF];
	int64_t id = 0, batch = 0;
	Money amount = 0;
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, r->db, e,
		     "SELECT l.id, l.amount, l.batch_id FROM register_line l JOIN register_batch b "
		     "ON b.id = l.batch_id WHERE l.contract_id = ? AND l.agency_id = ? AND "
		     "l.po_number = ? AND b.reversed_at IS NULL ORDER BY l.id LIMIT 1",
		     "iit", r->cid, l->agency_id, l->po);
	if (!rc && db_rows_next(&q)) {
		id = sqlite3_column_int64(q.st, 0);
		amount = sqlite3_column_int64(q.st, 1);
		batch = sqlite3_column_int64(q.st, 2);
	}
	end = db_rows_end(&q, "reading the register", e);
	if (rc || end) {
		*fatal = rc ? rc : end;
		return 0;
	}
	if (id && batch == r->batch) {
		row_error(r, row, R_PO, "PO %s of agency %s appears twice in this file", l->po,
			  l->agency);
		return 0;
	}
	if (id && amount != l->amount) {
		row_error(r, row, R_AMOUNT,
			  "PO %s of agency %s is already registered with amount %s (register batch "
			  "%" PRId64 "); to change it, reverse that batch and import again",
			  l->po, l->agency, money_format(amount, had), batch);
		return 0;
	}
	if (id) {
		r->res.base.duplicates++;
		return 1;
	}
	if (__builtin_add_overflow(r->res.amount, l->amount, &r->res.amount)) {
		*fatal = err_set(e, CL_EINPUT,
				 "row %zu: the file's total passes the largest amount that can be "
				 "held; nothing was imported (is an amount in the wrong unit?)",
				 row);
		return 0;
	}
	if ((*fatal = line_insert(r, l, e)))
		return 0;
	r->res.base.accepted++;
	return 1;
}

/* csvin callback: the header, then one data row at a time. */
static ClCode reg_row(void *ctx, size_t row, size_t line, int n, char **field, Err *e)
{
	Reg *r = ctx;
	char *val[CSVIN_MAX_FIELDS], *v[R__MAX];
	ClCode rc, fatal = CL_OK;
	Line l;
	int c;

	rc = importkit_text_decode(&r->text, line, n, field, val, e);
	if (rc)
		return rc;
	if (row == 0)
		return read_header(r, n, val, e);
	r->res.base.rows++;
	for (c = 0; c < R__MAX; c++)
		v[c] = r->col[c] >= 0 && r->col[c] < n ? importkit_trim(val[r->col[c]]) : "";
	r->line = line;
	r->po = v[R_PO];
	if (n > r->ncols) {
		row_error(r, row, -1,
			  "the row has %d fields but the header has %d; is a comma inside a field "
			  "that is not quoted?",
			  n, r->ncols);
		r->res.base.rejected++;
	} else if (!validate_row(r, row, v, &l) || !write_row(r, row, &l, &fatal, e)) {
		r->res.base.rejected++;
	}
	r->line = 0;
	r->po = NULL;
	if (!fatal && r->errs.nomem)
		fatal = err_set(e, CL_ENOMEM, "out of memory");
	return fatal;
}

static void hash_chunk(void *ctx, const char *p, size_t n)
{
	Reg *r = ctx;

	crypto_hash_sha256_update(&r->sha, (const unsigned char *)p, n);
}

/* ---- the batch ---- */

static const char *const total_name[1] = {"amount"};

/* The contract the options name, or the agency's only one.  OUT:
 * r->cid, *number (size n). */
static ClCode find_contract(Reg *r, char *number, size_t n, Err *e)
{
	int64_t count;

	if (r->o->contract && *r->o->contract) {
		snprintf(number, n, "%s", r->o->contract);
		return contract_load(r->db, number, &r->cid, NULL, e);
	}
	if (!r->agency_id)
		return err_set(e, CL_EINPUT, "name the contract (--contract NUMBER)");
	count = db_int(r->db, 0, "SELECT count(*) FROM participant WHERE agency_id = ?", "i",
		       r->agency_id);
	if (count != 1)
		return err_set(e, CL_EINPUT,
			       "agency %s takes part in %" PRId64 " contracts; name the contract "
			       "(--contract NUMBER)",
			       r->agency, count);
	r->cid = db_int(r->db, 0, "SELECT contract_id FROM participant WHERE agency_id = ?", "i",
			r->agency_id);
	db_text(r->db, number, n, "SELECT number FROM contract WHERE id = ?", "i", r->cid);
	return CL_OK;
}

/* The agency the options name (a member's own first), checked. */
static ClCode find_agency(Reg *r, Err *e)
{
	const RegisterOptions *o = r->o;

	r->agency = o->member_agency ? o->member_agency : o->agency;
	if (r->agency && !*r->agency)
		r->agency = NULL;
	if (o->member_agency && o->agency && *o->agency && strcmp(o->agency, o->member_agency) != 0)
		return err_set(e, CL_EINPUT,
			       "you can send only your own agency's register (%s), not %s's",
			       o->member_agency, o->agency);
	return r->agency ? agency_id(r->db, r->agency, &r->agency_id, e) : CL_OK;
}

/* The chain's last hash and the next line's id.  OUT: r->prev,
 * r->next_id. */
static ClCode chain_tail(Reg *r, Err *e)
{
	ClCode rc, end;
	DbRows q;

	r->next_id = 1;
	memcpy(r->prev, chain_genesis, CHAIN_HEX);
	rc = db_rows(&q, r->db, e, "SELECT id, hash FROM register_line ORDER BY id DESC LIMIT 1",
		     "");
	if (!rc && db_rows_next(&q)) {
		r->next_id = sqlite3_column_int64(q.st, 0) + 1;
		snprintf(r->prev, CHAIN_HEX, "%s", (const char *)sqlite3_column_text(q.st, 1));
	}
	end = db_rows_end(&q, "reading the last register line", e);
	return rc ? rc : end;
}

/* Resolve the agency, contract and encoding; open the transaction and
 * the batch.  OUT: number (the contract's, size n). */
static ClCode reg_begin(Reg *r, char *number, size_t n, Err *e)
{
	ClCode rc = find_agency(r, e);

	if (!rc)
		rc = find_contract(r, number, n, e);
	if (!rc && !(rc = terms_history_load_id(r->db, r->cid, &r->h, e)))
		r->have_h = 1;
	if (!rc && r->agency_id &&
	    !db_int(r->db, 0, "SELECT 1 FROM participant WHERE contract_id = ? AND agency_id = ?",
		    "ii", r->cid, r->agency_id))
		rc = err_set(e, CL_EINPUT, "agency %s is not a participant of contract %s",
			     r->agency, number);
	if (!rc && r->agency_id)
		rc = importkit_maps_load(r->db,
					 "SELECT header, column FROM register_column_map WHERE "
					 "agency_id = ?",
					 r->agency_id, col_name, R__MAX, r->map, MAX_MAPS, &r->nmap,
					 "reading the agency's column mappings", e);
	if (!rc)
		rc = importkit_text_open(&r->text, r->o->encoding, e);
	if (!rc)
		rc = db_begin(r->db, e);
	if (!rc)
		rc = chain_tail(r, e);
	db_timestamp(r->now);
	if (!rc)
		rc = db_exec(
			r->db, e,
			"INSERT INTO register_batch(contract_id, agency_id, file_name, sha256, "
			"created_by, created_at) VALUES (?, nullif(?, 0), ?, 'pending', ?, ?)",
			"iittt", r->cid, r->agency_id,
			r->o->file_name ? r->o->file_name : "(stdin)", r->o->actor, r->now);
	if (!rc)
		r->batch = sqlite3_last_insert_rowid(r->db);
	return rc;
}

/* Store the batch's figures, its record and its audit row; the caller
 * commits. */
static ClCode finish_batch(Reg *r, const char *sha, Err *e)
{
	const ImportResult *b = &r->res.base;
	char *json = importkit_record_text(b, 1, total_name, &r->res.amount), key[24];
	ClCode rc;

	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = db_exec(r->db, e,
		     "UPDATE register_batch SET sha256 = ?, rows_total = ?, rows_accepted = ?, "
		     "rows_duplicate = ?, rows_rejected = ?, amount_total = ?, result_json = ? "
		     "WHERE id = ?",
		     "tiiiiiti", sha, b->rows, b->accepted, b->duplicates, b->rejected,
		     r->res.amount, json, r->batch);
	snprintf(key, sizeof key, "%" PRId64, r->batch);
	if (!rc)
		rc = audit_record(r->db, r->o->actor, "register.import", "register_batch", key,
				  NULL, json, e);
	cJSON_free(json);
	return rc;
}

/* The result of an earlier batch of the same file.  OUT: *res. */
static ClCode stored_result(sqlite3 *db, int64_t batch, RegisterResult *res, Err *e)
{
	ImportResult *r = &res->base;
	ClCode rc, end;
	int nomem = 0;
	DbRows q;

	r->batch = batch;
	r->already = 1;
	rc = db_rows(
		&q, db, e,
		"SELECT rows_total, rows_accepted, rows_duplicate, rows_rejected, amount_total, "
		"result_json FROM register_batch WHERE id = ?",
		"i", batch);
	if (!rc && db_rows_next(&q)) {
		r->rows = sqlite3_column_int64(q.st, 0);
		r->accepted = sqlite3_column_int64(q.st, 1);
		r->duplicates = sqlite3_column_int64(q.st, 2);
		r->rejected = sqlite3_column_int64(q.st, 3);
		res->amount = sqlite3_column_int64(q.st, 4);
		if (sqlite3_column_text(q.st, 5))
			nomem = importkit_record_read((const char *)sqlite3_column_text(q.st, 5),
						      r);
	}
	end = db_rows_end(&q, "reading the earlier register import", e);
	if (!rc && !end && nomem)
		end = err_set(e, CL_ENOMEM, "out of memory");
	return rc ? rc : end;
}

/* After the last row: decide what happens to the batch.  OUT: *status,
 * *same (the earlier batch of the same file, or 0). */
static ClCode reg_end(Reg *r, ImportStatus *status, int64_t *same, Err *e)
{
	char sha[CHAIN_HEX];

	importkit_sha_hex(&r->sha, sha);
	if (!r->header_seen)
		return err_set(e, CL_EINPUT,
			       "the file is empty: a purchase register starts with a header row "
			       "naming its columns");
	if (r->res.base.rows == 0)
		return err_set(e, CL_EINPUT,
			       "the file has a header but no rows: there are no purchase orders "
			       "to register");
	importkit_note_unlisted(&r->res.base, &r->errs);
	if (r->errs.nomem)
		return err_set(e, CL_ENOMEM, "out of memory");
	*same = db_int(r->db, 0,
		       "SELECT id FROM register_batch WHERE contract_id = ? AND sha256 = ? AND "
		       "agency_id IS nullif(?, 0) AND reversed_at IS NULL AND id <> ?",
		       "itii", r->cid, sha, r->agency_id, r->batch);
	if (*same)
		*status = IMPORT_ALREADY;
	else if (r->res.base.rejected && !r->o->skip_invalid)
		*status = IMPORT_REFUSED;
	else if (r->o->dry_run)
		*status = IMPORT_DRY_RUN;
	else {
		*status = IMPORT_WRITTEN;
		r->res.base.batch = r->batch;
		return finish_batch(r, sha, e);
	}
	return CL_OK;
}

ClCode register_import(sqlite3 *db, FILE *f, const RegisterOptions *o, RegisterResult *result,
		       ImportStatus *status, Err *e)
{
	Reg *r = calloc(1, sizeof *r);
	TableOptions co = {0};
	RegisterOptions named;
	char number[80] = "";
	int64_t same = 0;
	ClCode rc;

	memset(result, 0, sizeof *result);
	*status = IMPORT_REFUSED;
	if (!r)
		return err_set(e, CL_ENOMEM, "out of memory");
	r->db = db;
	r->o = o;
	r->text.cd = (iconv_t)-1;
	crypto_hash_sha256_init(&r->sha);
	co.sheet = o->sheet;
	co.on_chunk = hash_chunk;
	co.chunk_ctx = r;
	co.workbook = &r->text.workbook;
	rc = reg_begin(r, number, sizeof number, e);
	named = *o; /* messages name the contract found */
	named.contract = number;
	r->o = &named;
	if (!rc)
		rc = tablein_read(f, &co, reg_row, r, e);
	if (!rc)
		rc = reg_end(r, status, &same, e);
	if (!rc && *status == IMPORT_WRITTEN)
		rc = db_commit(db, e);
	db_rollback(db);
	if (!rc && *status == IMPORT_ALREADY) {
		rc = stored_result(db, same, result, e);
	} else if (!rc) {
		*result = r->res; /* handed over whole */
		memset(&r->res, 0, sizeof r->res);
	}
	if (rc)
		register_result_free(result);
	if (r->have_h)
		terms_history_free(&r->h);
	importkit_text_close(&r->text);
	register_result_free(&r->res);
	free(r);
	return rc;
}

/* ---- reversal and lists ---- */

ClCode register_reverse(sqlite3 *db, int64_t batch, const char *reason, const char *actor, Err *e)
{
	char now[TIMESTAMP_BUF], key[24], before[512], after[512];
	const char *state = "SELECT json_object('batch', id, 'file', file_name, 'lines', (SELECT "
			    "count(*) FROM register_line WHERE batch_id = register_batch.id), "
			    "'reversed_at', reversed_at, 'reversed_by', reversed_by, 'reason', "
			    "reverse_reason) FROM register_batch WHERE id = ?";
	ClCode rc;

	if (!reason || !*reason)
		return err_set(e, CL_EINPUT, "give the reason for reversing the register batch");
	if (strlen(reason) > 500)
		return err_set(e, CL_EINPUT, "the reason is longer than 500 characters");
	if ((rc = db_begin(db, e)))
		return rc;
	if (!db_text(db, before, sizeof before, state, "i", batch))
		rc = err_set(e, CL_ENOTFOUND, "no register batch %" PRId64, batch);
	else if (db_int(db, 0, "SELECT reversed_at IS NOT NULL FROM register_batch WHERE id = ?",
			"i", batch))
		rc = err_set(e, CL_ECONFLICT, "register batch %" PRId64 " is already reversed",
			     batch);
	if (!rc)
		rc = db_exec(db, e,
			     "UPDATE register_batch SET reversed_at = ?, reversed_by = ?, "
			     "reverse_reason = ? WHERE id = ?",
			     "ttti", db_timestamp(now), actor, reason, batch);
	if (!rc && !db_text(db, after, sizeof after, state, "i", batch))
		rc = err_set(e, CL_EDB, "reading the reversed register batch");
	snprintf(key, sizeof key, "%" PRId64, batch);
	if (!rc)
		rc = audit_record(db, actor, "register.reverse", "register_batch", key, before,
				  after, e);
	if (!rc)
		return db_commit(db, e);
	db_rollback(db);
	return rc;
}

ClCode register_batches(sqlite3 *db, const char *contract, const char *agency, RowSet *rs, Err *e)
{
	int64_t cid, aid = 0;
	ClCode rc;
	DbRows q;

	memset(rs, 0, sizeof *rs);
	rc = contract_load(db, contract, &cid, NULL, e);
	if (!rc && agency)
		rc = agency_id(db, agency, &aid, e);
	if (rc)
		return rc;
	rc = db_rows(&q, db, e,
		     "SELECT b.id AS batch, coalesce(a.code, '') AS agency, b.file_name AS file, "
		     "b.sha256, b.created_by, b.created_at, b.rows_total AS \"rows\", "
		     "b.rows_accepted AS accepted, b.rows_duplicate AS duplicates, "
		     "b.rows_rejected AS rejected, b.amount_total AS amount, "
		     "b.reversed_at IS NOT NULL AS reversed, coalesce(b.reversed_at, '') AS "
		     "reversed_at, coalesce(b.reverse_reason, '') AS reverse_reason "
		     "FROM register_batch b LEFT JOIN agency a ON a.id = b.agency_id "
		     "WHERE b.contract_id = ?1 AND (?2 = 0 OR b.agency_id = ?2 OR EXISTS (SELECT 1 "
		     "FROM register_line l WHERE l.batch_id = b.id AND l.agency_id = ?2)) "
		     "ORDER BY b.id DESC",
		     "ii", cid, aid);
	return rowset_read(rs, rc, &q, 0, "reading the register batches", e);
}

/* ---- an agency's column mappings ---- */

/* The column index of a mapping's choice, R__MAX for IMPORT_IGNORE (and
 * NULL or ""), -1 when unknown. */
static int map_choice(const char *c)
{
	int i;

	if (!c || !*c || strcmp(c, IMPORT_IGNORE) == 0)
		return R__MAX;
	for (i = 0; i < R__MAX; i++)
		if (strcmp(c, col_name[i]) == 0)
			return i;
	return -1;
}

/* Check the pairs of register_map_save().  OUT: key[], choice[], *bad. */
static ClCode map_check(int n, const char *const *headers, const char *const *columns,
			char (*key)[IMPORTKIT_KEY], int *choice, int *bad, Err *e)
{
	int i, j;

	for (i = 0; i < n; i++) {
		*bad = i;
		if (!headers[i] || strlen(headers[i]) > 100)
			return err_set(e, CL_EINPUT, "a header must be 1 to 100 characters");
		csvin_header_key(headers[i], key[i], sizeof key[i]);
		if (!*key[i])
			return err_set(e, CL_EINPUT, "a header must be 1 to 100 characters");
		if ((choice[i] = map_choice(columns[i])) < 0)
			return err_set(e, CL_EINPUT,
				       "unknown column \"%s\"; use po_number, po_date, amount, "
				       "agency_code, description or ignore",
				       columns[i]);
		for (j = 0; j < i; j++)
			if (strcmp(key[i], key[j]) == 0 ||
			    (choice[i] < R__MAX && choice[i] == choice[j]))
				return err_set(e, CL_EINPUT,
					       "\"%s\" and \"%s\" are the same header or read as "
					       "the same column; keep one",
					       headers[j], headers[i]);
	}
	*bad = -1;
	return CL_OK;
}

/* Write the checked pairs inside the caller's transaction, audited. */
static ClCode map_write(sqlite3 *db, int64_t aid, const char *agency, int n,
			char (*key)[IMPORTKIT_KEY], const int *choice, const char *actor, Err *e)
{
	const char *json = "SELECT json_group_object(header, column) FROM (SELECT header, column "
			   "FROM register_column_map WHERE agency_id = ? ORDER BY header)";
	char before[8192], after[8192];
	ClCode rc = CL_OK;
	int i;

	db_text(db, before, sizeof before, json, "i", aid);
	for (i = 0; !rc && i < n; i++)
		if (choice[i] == R__MAX)
			rc = db_exec(db, e,
				     "DELETE FROM register_column_map WHERE agency_id = ? AND "
				     "header = ?",
				     "it", aid, key[i]);
		else
			rc = db_exec(db, e,
				     "INSERT INTO register_column_map(agency_id, header, column) "
				     "VALUES (?1,?2,?3) "
				     "ON CONFLICT(agency_id, header) DO UPDATE SET column = ?3",
				     "itt", aid, key[i], col_name[choice[i]]);
	db_text(db, after, sizeof after, json, "i", aid);
	if (!rc)
		rc = audit_record(db, actor, "agency.register_map", "agency", agency, before, after,
				  e);
	return rc;
}

ClCode register_map_save(sqlite3 *db, const char *agency, int n, const char *const *headers,
			 const char *const *columns, const char *actor, int *bad, Err *e)
{
	char(*key)[IMPORTKIT_KEY] = NULL;
	int *choice = NULL, where;
	int64_t aid;
	ClCode rc;

	bad = bad ? bad : &where;
	*bad = -1;
	if ((rc = agency_id(db, agency, &aid, e)))
		return rc;
	if (n < 1 || n > 32)
		return err_set(e, CL_EINPUT, "give 1 to 32 headers to map");
	key = calloc((size_t)n, sizeof *key);
	choice = calloc((size_t)n, sizeof *choice);
	if (!key || !choice) {
		free(key);
		free(choice);
		return err_set(e, CL_ENOMEM, "out of memory");
	}
	rc = map_check(n, headers, columns, key, choice, bad, e);
	if (!rc && !(rc = db_begin(db, e))) {
		rc = map_write(db, aid, agency, n, key, choice, actor, e);
		if (rc)
			db_rollback(db);
		else
			rc = db_commit(db, e);
	}
	free(key);
	free(choice);
	return rc;
}

ClCode register_map_list(sqlite3 *db, const char *agency, RowSet *rs, Err *e)
{
	int64_t aid;
	ClCode rc;
	DbRows q;

	memset(rs, 0, sizeof *rs);
	if ((rc = agency_id(db, agency, &aid, e)))
		return rc;
	rc = db_rows(&q, db, e,
		     "SELECT header, column FROM register_column_map WHERE agency_id = ? ORDER BY "
		     "header",
		     "i", aid);
	return rowset_read(rs, rc, &q, 0, "reading the agency's column mappings", e);
}

ClCode register_verify(sqlite3 *db, int64_t *rows, Err *e)
{
	int64_t n = 0;
	ClCode rc = chain_verify(db, "register_line",
				 "SELECT " LINE_COLUMNS ", hash FROM register_line ORDER BY id",
				 LINE_NCOL, &n, e);

	if (rows)
		*rows = n;
	return rc;
}
