/*
 * test_ledger.c — unit tests of core/ledger.c (DOMAIN.md sections 3 and 4.4).
 *
 * Every test starts from the standard world of fixture.h: contract KS-1
 * (2025-07-01 .. 2026-06-30) led by USD259, USD233 joined 2025-10-01, NP-1
 * not a public entity, USD500 in no contract, KS-T terminated.  Lines are
 * list $200.00, freight $15.00; amounts below are in cents.
 */
#include <sodium.h>

#include "fixture.h"
#include "buf.h"
#include "chain.h"
#include <inttypes.h>

/* ---- eligibility (DOMAIN.md 4.4) ---------------------------------------- */

/* One line and the rule that refuses it (rule == NULL: accepted).  close,
 * when set, is a quarter closed before the line is entered. */
typedef struct EligCase {
	const char *label;
	const char *contract; /* "KS-1" or "KS-T" */
	const char *agency;
	const char *day;
	const char *close;
	const char *what; /* words of the refusal */
	const char *rule; /* the rule it names */
} EligCase;

static const EligCase elig_cases[] = {
	{"unknown agency", "KS-1", "USD999", "2025-08-15", NULL, "\"USD999\" does not exist",
	 "rule: known agency"},
	{"not a public entity", "KS-1", "NP-1", "2025-08-15", NULL, "NP-1 is not a public entity",
	 "rule: public entity"},
	{"not a participant", "KS-1", "USD500", "2025-08-15", NULL,
	 "USD500 is not a participant of contract KS-1", "rule: participant"},
	{"joined after the invoice", "KS-1", "USD233", "2025-09-30", NULL,
	 "joined contract KS-1 on 2025-10-01, after the invoice date 2025-09-30",
	 "rule: participant"},
	{"day before the start", "KS-1", "USD259", "2025-06-30", NULL,
	 "invoice date 2025-06-30 is outside the contract term 2025-07-01 to 2026-06-30",
	 "rule: contract term"},
	{"day after the end", "KS-1", "USD259", "2026-07-01", NULL,
	 "invoice date 2026-07-01 is outside the contract term", "rule: contract term"},
	{"contract terminated", "KS-T", "USD259", "2025-08-15", NULL, "contract KS-T is terminated",
	 "rule: contract terminated"},
	{"quarter closed", "KS-1", "USD259", "2025-09-30", "2025-Q3", "quarter 2025-Q3 is closed",
	 "rule: open quarter"},
	/* the boundaries of each rule, accepted */
	{"first day of the term", "KS-1", "USD259", "2025-07-01", NULL, NULL, NULL},
	{"last day of the term", "KS-1", "USD259", "2026-06-30", NULL, NULL, NULL},
	{"invoice on the joining day", "KS-1", "USD233", "2025-10-01", NULL, NULL, NULL},
	{"next quarter still open", "KS-1", "USD259", "2025-10-01", "2025-Q3", NULL, NULL},
};

/* Enter case c into a fresh world: ledger_check and ledger_append must
 * agree, and a refused line leaves no row. */
static void run_elig_case(const EligCase *c)
{
	ClCode want = c->rule ? CL_ERULE : CL_OK;
	LedgerOutcome out = LEDGER_DUPLICATE;
	Ledger *l = NULL;
	Fixture fx;
	PurchaseIn p;
	Err e = {0};

	fx_world(&fx);
	if (c->close)
		assert_int_equal(period_close(fx.db, fx_quarter(c->close), FX_ACTOR, &e), CL_OK);
	p = fx_line(strcmp(c->contract, "KS-T") ? fx.ks1 : fx.kst, "INV-1", c->day, 12000);
	p.agency_code = c->agency;

	assert_int_equal(ledger_open(fx.db, FX_ACTOR, &l, &e), CL_OK);
	fx_expect(c->label, ledger_check(l, &p, &out, &e), &e, want, c->what);
	ledger_close(l);
	fx_expect(c->label, fx_append(fx.db, &p, &out, NULL, &e), &e, want, c->what);
	if (c->rule && !strstr(e.msg, c->rule)) {
		print_error("%s: \"%s\" does not name \"%s\"\n", c->label, e.msg, c->rule);
		fail();
	}
	assert_int_equal(fx_int(fx.db, "SELECT count(*) FROM purchase"), c->rule ? 0 : 1);
	fx_close(&fx);
}

static void test_eligibility_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(elig_cases); i++)
		run_elig_case(&elig_cases[i]);
}

/* ---- accepted lines and identity ---------------------------------------- */

static void test_accepted_line(void **state)
{
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);

	assert_int_equal(fx_append_ok(fx->db, &p), 1);
	assert_int_equal(fx_int(fx->db, "SELECT invoiced_amount + list_amount + freight_amount "
					"FROM purchase WHERE id = 1 AND revision = 0 AND line = 1 "
					"AND invoice_date = '2025-08-15' AND po_number = 'PO-100' "
					"AND created_by = '" FX_ACTOR "' AND length(hash) = 64"),
			 12000 + 20000 + 1500);
	assert_int_equal(fx_live_total(fx->db), 12000);
}

static void test_same_line_again_is_duplicate(void **state)
{
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);
	LedgerOutcome out = LEDGER_APPENDED;
	int64_t id = -1;
	Err e = {0};

	fx_append_ok(fx->db, &p);
	fx_expect("again", fx_append(fx->db, &p, &out, &id, &e), &e, CL_OK, NULL);
	assert_int_equal(out, LEDGER_DUPLICATE);
	assert_int_equal(id, 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 1);
	assert_int_equal(fx_live_total(fx->db), 12000);
}

/* The same identity (KS-1, INV-1, line 1) with any amount changed. */
static void test_same_identity_other_amounts_conflicts(void **state)
{
	static const struct {
		Money list, invoiced, freight, tax;
	} changed[] = {
		{20000, 12001, 1500, 0},
		{20001, 12000, 1500, 0},
		{20000, 12000, 1499, 0},
		{20000, 12000, 1500, 1},
	};
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);
	size_t i;
	Err e = {0};

	fx_append_ok(fx->db, &p);
	for (i = 0; i < N_ELEMS(changed); i++) {
		PurchaseIn q = p;

		q.list_amount = changed[i].list;
		q.invoiced_amount = changed[i].invoiced;
		q.freight_amount = changed[i].freight;
		q.tax_amount = changed[i].tax;
		fx_expect("other amounts", fx_append(fx->db, &q, NULL, NULL, &e), &e, CL_ECONFLICT,
			  "reverse that line first");
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 1);
}

#define S16    "AAAAAAAAAAAAAAAA"
#define LONG64 S16 S16 S16 S16 /* the longest po_number or invoice_number */

/* Fields a line cannot do without. */
static void test_line_fields(void **state)
{
	static const struct {
		const char *po, *invoice;
		int line;
		int64_t contract; /* 0: KS-1 */
		ClCode rc;
		const char *words;
	} cases[] = {
		{NULL, "INV-1", 1, 0, CL_EINPUT, "po_number is required"},
		{"", "INV-1", 1, 0, CL_EINPUT, "po_number is required"},
		{LONG64 "A", "INV-1", 1, 0, CL_EINPUT, "po_number is required (at most 64"},
		{"PO-1", NULL, 1, 0, CL_EINPUT, "invoice_number is required"},
		{"PO-1", "", 1, 0, CL_EINPUT, "invoice_number is required"},
		{"PO-1", LONG64 "A", 1, 0, CL_EINPUT, "invoice_number is required"},
		{"PO-1", "INV-1", 0, 0, CL_EINPUT, "line must be 1 or more"},
		{"PO-1", "INV-1", -1, 0, CL_EINPUT, "line must be 1 or more"},
		{"PO-1", "INV-1", 1, 99, CL_ENOTFOUND, "no contract has the id 99"},
		{LONG64, LONG64, 7, 0, CL_OK, NULL},
	};
	Fixture *fx = *state;
	size_t i;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++) {
		PurchaseIn p = fx_line(cases[i].contract ? cases[i].contract : fx->ks1, "INV-1",
				       "2025-08-15", 12000);

		p.po_number = cases[i].po;
		p.invoice_number = cases[i].invoice;
		p.line = cases[i].line;
		fx_expect(cases[i].words ? cases[i].words : "valid",
			  fx_append(fx->db, &p, NULL, NULL, &e), &e, cases[i].rc, cases[i].words);
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase WHERE line = 7"), 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 1);
}

/* ---- reversals ---------------------------------------------------------- */

/* Reverse line id as FX_ACTOR; returns the reversal's id. */
static int64_t reverse_ok(sqlite3 *db, int64_t id)
{
	int64_t rev = 0;
	Err e = {0};

	fx_expect("reverse", ledger_reverse_line(db, id, "keyed twice", FX_ACTOR, &rev, &e), &e,
		  CL_OK, NULL);
	return rev;
}

static void test_reverse_line(void **state)
{
	Fixture *fx = *state;
	PurchaseIn a = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);
	PurchaseIn b = fx_line(fx->ks1, "INV-2", "2025-08-20", 30000);

	fx_append_ok(fx->db, &a);
	fx_append_ok(fx->db, &b);
	assert_int_equal(fx_live_total(fx->db), 42000);
	assert_int_equal(reverse_ok(fx->db, 1), 3);
	/* 12000 + 30000 - 12000 over all rows; only INV-2 is live */
	assert_int_equal(fx_int(fx->db, "SELECT sum(invoiced_amount) FROM purchase"), 30000);
	assert_int_equal(fx_live_total(fx->db), 30000);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase WHERE id = 3 AND "
					"reverses_id = 1 AND invoiced_amount = -12000 AND "
					"list_amount = -20000 AND freight_amount = -1500 AND "
					"reason = 'keyed twice'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'purchase.reverse' AND entity_id = '1'"),
			 1);
}

static void test_reenter_after_reversal(void **state)
{
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);

	fx_append_ok(fx->db, &p);
	reverse_ok(fx->db, 1);
	p.invoiced_amount = 12500;
	assert_int_equal(fx_append_ok(fx->db, &p), 3);
	assert_int_equal(fx_int(fx->db, "SELECT revision FROM purchase WHERE id = 3"), 1);
	assert_int_equal(fx_live_total(fx->db), 12500);
	/* the corrected line is now the live one: entering it again is a duplicate */
	assert_int_equal(fx_append(fx->db, &p, NULL, NULL, NULL), CL_OK);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 3);
}

/* Refusals of ledger_reverse_line, each leaving the ledger as it was. */
static void test_reverse_refusals(void **state)
{
	static const struct {
		const char *label;
		int64_t id;
		const char *reason;
		ClCode code;
		const char *words;
	} cases[] = {
		{"reversed twice", 1, "again", CL_ECONFLICT, "line 1 is already reversed"},
		{"a reversal", 2, "undo", CL_ERULE, "line 2 is itself a reversal (of line 1)"},
		{"no such line", 9, "gone", CL_ENOTFOUND, "no ledger line 9"},
		{"no reason", 3, NULL, CL_EINPUT, "needs a reason"},
		{"empty reason", 3, "", CL_EINPUT, "needs a reason"},
	};
	Fixture *fx = *state;
	PurchaseIn a = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);
	PurchaseIn b = fx_line(fx->ks1, "INV-2", "2025-08-15", 5000);
	size_t i;
	Err e = {0};

	fx_append_ok(fx->db, &a);
	reverse_ok(fx->db, 1);
	fx_append_ok(fx->db, &b);
	for (i = 0; i < N_ELEMS(cases); i++)
		fx_expect(cases[i].label,
			  ledger_reverse_line(fx->db, cases[i].id, cases[i].reason, FX_ACTOR, NULL,
					      &e),
			  &e, cases[i].code, cases[i].words);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 3);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log"), FX_WORLD_AUDITS + 1);
}

static void test_reverse_in_closed_quarter(void **state)
{
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-09-30", 12000);
	Quarter q3 = fx_quarter("2025-Q3");
	Err e = {0};

	fx_append_ok(fx->db, &p);
	assert_int_equal(period_close(fx->db, q3, FX_ACTOR, &e), CL_OK);
	fx_expect("closed", ledger_reverse_line(fx->db, 1, "wrong price", FX_ACTOR, NULL, &e), &e,
		  CL_ERULE, "quarter 2025-Q3 is closed");
	assert_non_null(strstr(e.msg, "rule: open quarter"));
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 1);

	assert_int_equal(period_reopen(fx->db, q3, "vendor credit memo", FX_ACTOR, &e), CL_OK);
	assert_int_equal(reverse_ok(fx->db, 1), 2);
	assert_int_equal(fx_live_total(fx->db), 0);
}

/* ---- batches ------------------------------------------------------------ */

/* A batch of three KS-1 lines (12000, 30000 and a credit of -2000) plus one
 * line outside any batch (5000).  Returns the batch id. */
static int64_t batch_of_three(Fixture *fx)
{
	static const struct {
		const char *invoice;
		Money invoiced;
	} lines[] = {{"B-1", 12000}, {"B-2", 30000}, {"B-3", -2000}};
	PurchaseIn p;
	int64_t batch = 0, id = 0;
	size_t i;
	Ledger *l = NULL;
	Err e = {0};

	assert_int_equal(db_begin(fx->db, &e), CL_OK);
	fx_expect("batch",
		  ledger_batch_create(fx->db, fx->ks1, "q3.csv", "ab12", "2025-Q3",
				      fx_date("2025-10-05"), FX_ACTOR, &batch, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(ledger_open(fx->db, FX_ACTOR, &l, &e), CL_OK);
	for (i = 0; i < N_ELEMS(lines); i++) {
		p = fx_line(fx->ks1, lines[i].invoice, "2025-09-10", lines[i].invoiced);
		p.batch_id = batch;
		fx_expect(lines[i].invoice, ledger_append(l, &p, NULL, &id, &e), &e, CL_OK, NULL);
	}
	assert_int_equal(ledger_flush(l, &e), CL_OK);
	ledger_close(l);
	assert_int_equal(db_commit(fx->db, &e), CL_OK);
	p = fx_line(fx->ks1, "LOOSE-1", "2025-09-10", 5000);
	fx_append_ok(fx->db, &p);
	return batch;
}

/* A writer that closes its ledger without ledger_flush() cannot commit
 * rows without their kept net sales: the transaction is rolled back and
 * the commit fails; nothing is written. */
static void test_close_without_flush_commits_nothing(void **state)
{
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "NOFLUSH-1", "2025-09-10", 7000);
	int64_t before = fx_int(fx->db, "SELECT count(*) FROM purchase");
	Ledger *l = NULL;
	Err e = {0};

	assert_int_equal(db_begin(fx->db, &e), CL_OK);
	assert_int_equal(ledger_open(fx->db, FX_ACTOR, &l, &e), CL_OK);
	fx_expect("append", ledger_append(l, &p, NULL, NULL, &e), &e, CL_OK, NULL);
	ledger_close(l);
	fx_expect("commit", db_commit(fx->db, &e), &e, CL_EDB, "no transaction is active");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), before);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM sales_day WHERE lines <> 0 AND "
					"day = '2025-09-10'"),
			 0);
	fx_expect("verify", ledger_verify(fx->db, NULL, NULL, &e), &e, CL_OK, NULL);
}

static void test_reverse_batch(void **state)
{
	Fixture *fx = *state;
	int64_t batch = batch_of_three(fx);
	int count = -1;
	Err e = {0};

	assert_int_equal(fx_live_total(fx->db), 12000 + 30000 - 2000 + 5000);
	fx_expect("batch", ledger_reverse_batch(fx->db, batch, "wrong file", FX_ACTOR, &count, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(count, 3);
	assert_int_equal(fx_live_total(fx->db), 5000);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM live_purchase WHERE batch_id = 1"),
			 0);
	/* the batch's lines and their reversals sum to zero */
	assert_int_equal(fx_int(fx->db, "SELECT sum(invoiced_amount) FROM purchase WHERE id < 4 "
					"OR reverses_id < 4"),
			 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM import_batch WHERE reversed_at IS "
					"NOT NULL AND reverse_reason = 'wrong file'"),
			 1);
	fx_expect("twice", ledger_reverse_batch(fx->db, batch, "again", FX_ACTOR, &count, &e), &e,
		  CL_ECONFLICT, "already reversed");
	assert_int_equal(count, 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 4 + 3);
}

/* A batch's lines are found by the id range it was written in: reversing
 * one batch leaves the lines before and after it, another batch's and
 * loose ones, alone. */
static void test_reverse_batch_between_others(void **state)
{
	Fixture *fx = *state;
	int64_t first = batch_of_three(fx), second = 0;
	PurchaseIn p;
	Ledger *l = NULL;
	int count = -1;
	Err e = {0};

	assert_int_equal(db_begin(fx->db, &e), CL_OK);
	assert_int_equal(ledger_batch_create(fx->db, fx->ks1, "q4.csv", "cd34", "2025-Q3",
					     fx_date("2025-10-06"), FX_ACTOR, &second, &e),
			 CL_OK);
	assert_int_equal(ledger_open(fx->db, FX_ACTOR, &l, &e), CL_OK);
	p = fx_line(fx->ks1, "C-1", "2025-09-11", 700);
	p.batch_id = second;
	fx_expect("C-1", ledger_append(l, &p, NULL, NULL, &e), &e, CL_OK, NULL);
	p = fx_line(fx->ks1, "C-2", "2025-09-12", 800);
	p.batch_id = second;
	fx_expect("C-2", ledger_append(l, &p, NULL, NULL, &e), &e, CL_OK, NULL);
	assert_int_equal(ledger_flush(l, &e), CL_OK);
	ledger_close(l);
	assert_int_equal(ledger_batch_finish(fx->db, second, 2, 2, 0, 0, 1500, 1500, NULL, &e),
			 CL_OK);
	assert_int_equal(db_commit(fx->db, &e), CL_OK);
	p = fx_line(fx->ks1, "LOOSE-2", "2025-09-13", 900);
	fx_append_ok(fx->db, &p);
	/* ids 1-3 the first batch, 4 a loose line, 5-6 this one, 7 loose */
	assert_int_equal(fx_int(fx->db, "SELECT first_id * 10 + last_id FROM import_batch "
					"WHERE id = 2"),
			 56);

	fx_expect("second",
		  ledger_reverse_batch(fx->db, second, "wrong file", FX_ACTOR, &count, &e), &e,
		  CL_OK, NULL);
	assert_int_equal(count, 2);
	assert_int_equal(fx_live_total(fx->db), 12000 + 30000 - 2000 + 5000 + 900);
	fx_expect("first", ledger_reverse_batch(fx->db, first, "wrong file", FX_ACTOR, &count, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(count, 3);
	assert_int_equal(fx_live_total(fx->db), 5000 + 900);
	fx_expect("verify", ledger_verify(fx->db, NULL, NULL, &e), &e, CL_OK, NULL);
}

/* A line of the batch already reversed on its own is left alone. */
static void test_reverse_batch_skips_reversed_line(void **state)
{
	Fixture *fx = *state;
	int64_t batch = batch_of_three(fx);
	int count = -1;
	Err e = {0};

	reverse_ok(fx->db, 2); /* B-2, 30000 */
	fx_expect("batch", ledger_reverse_batch(fx->db, batch, "wrong file", FX_ACTOR, &count, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(count, 2);
	assert_int_equal(fx_live_total(fx->db), 5000);
}

/* A batch reversal touching a closed quarter writes nothing at all. */
static void test_reverse_batch_refusals(void **state)
{
	Fixture *fx = *state;
	int64_t batch = batch_of_three(fx);
	int count = -1;
	Err e = {0};

	fx_expect("no reason", ledger_reverse_batch(fx->db, batch, "", FX_ACTOR, &count, &e), &e,
		  CL_EINPUT, "needs a reason");
	fx_expect("no batch", ledger_reverse_batch(fx->db, 99, "x", FX_ACTOR, &count, &e), &e,
		  CL_ENOTFOUND, "no import batch 99");
	assert_int_equal(period_close(fx->db, fx_quarter("2025-Q3"), FX_ACTOR, &e), CL_OK);
	fx_expect("closed", ledger_reverse_batch(fx->db, batch, "wrong", FX_ACTOR, &count, &e), &e,
		  CL_ERULE, "quarter 2025-Q3 is closed");
	assert_int_equal(count, 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 4);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM import_batch WHERE reversed_at IS "
					"NULL"),
			 1);
}

/* ---- the hash chains ---------------------------------------------------- */

/* Three lines of KS-1 and the reversal of the second (row 4). */
static void four_rows(Fixture *fx)
{
	PurchaseIn p;

	p = fx_line(fx->ks1, "INV-1", "2025-08-15", 12000);
	fx_append_ok(fx->db, &p);
	p = fx_line(fx->ks1, "INV-2", "2025-08-16", 30000);
	fx_append_ok(fx->db, &p);
	p = fx_line(fx->ks1, "INV-3", "2025-08-17", 7000);
	fx_append_ok(fx->db, &p);
	reverse_ok(fx->db, 2);
}

static void test_verify_good_chain(void **state)
{
	Fixture *fx = *state;
	int64_t np = -1, na = -1;
	Err e = {0};

	fx_expect("empty", ledger_verify(fx->db, &np, &na, &e), &e, CL_OK, NULL);
	assert_int_equal(np, 0);
	assert_int_equal(na, FX_WORLD_AUDITS);
	four_rows(fx);
	fx_expect("four", ledger_verify(fx->db, &np, &na, &e), &e, CL_OK, NULL);
	assert_int_equal(np, 4);
	assert_int_equal(na, FX_WORLD_AUDITS + 1); /* the reversal's audit row */
}

/* Tampering done behind the program's back, and the row verify must name. */
static const struct {
	const char *label;
	const char *sql;
	const char *names;
} tamper_cases[] = {
	{"purchase amount",
	 "DROP TRIGGER purchase_no_update;"
	 "UPDATE purchase SET invoiced_amount = invoiced_amount + 1 WHERE id = 2",
	 "purchase row 2 does not match"},
	{"purchase date",
	 "DROP TRIGGER purchase_no_update;"
	 "UPDATE purchase SET invoice_date = '2025-08-18' WHERE id = 3",
	 "purchase row 3 does not match"},
	{"reversal's reason",
	 "DROP TRIGGER purchase_no_update; UPDATE purchase SET reason = 'x' WHERE id = 4",
	 "purchase row 4 does not match"},
	{"middle purchase deleted",
	 "DROP TRIGGER purchase_no_delete; DELETE FROM purchase WHERE id = 3",
	 "purchase row 4 does not match"},
	{"audit actor",
	 "DROP TRIGGER audit_no_update; UPDATE audit_log SET actor = 'mallory' WHERE id = 3",
	 "audit_log row 3 does not match"},
	{"audit after",
	 "DROP TRIGGER audit_no_update;"
	 "UPDATE audit_log SET after = '{\"reason\":\"x\"}' WHERE id = 10",
	 "audit_log row 10 does not match"},
	{"middle audit row deleted",
	 "DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE id = 5",
	 "audit_log row 6 does not match"},
};

static void test_verify_names_tampered_row(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(tamper_cases); i++) {
		Fixture fx;
		Err e = {0};

		fx_world(&fx);
		four_rows(&fx);
		assert_int_equal(fx_sql(fx.db, tamper_cases[i].sql), SQLITE_OK);
		fx_expect(tamper_cases[i].label, ledger_verify(fx.db, NULL, NULL, &e), &e, CL_ERULE,
			  tamper_cases[i].names);
		fx_close(&fx);
	}
}

/* A chain long enough to be walked in two halves (rows 1 to 50,001 and
 * 50,002 to 100,002): a break at either side of the seam, in either half
 * or in both is named as one walk from the start names it. */
#define LONG_ROWS 100002

static const struct {
	const char *label;
	const char *tamper, *restore;
	const char *names;
} long_cases[] = {
	{"last row of the first half",
	 "UPDATE purchase SET invoiced_amount = invoiced_amount + 1 WHERE id = 50001",
	 "UPDATE purchase SET invoiced_amount = invoiced_amount - 1 WHERE id = 50001",
	 "purchase row 50001 does not match"},
	{"first row of the second half", "UPDATE purchase SET po_number = 'PO-X' WHERE id = 50002",
	 "UPDATE purchase SET po_number = 'PO-100' WHERE id = 50002",
	 "purchase row 50002 does not match"},
	{"last row", "UPDATE purchase SET quantity = '3' WHERE id = 100002",
	 "UPDATE purchase SET quantity = '2' WHERE id = 100002",
	 "purchase row 100002 does not match"},
	{"a row in each half",
	 "UPDATE purchase SET invoiced_amount = invoiced_amount + 1 WHERE id IN (7, 90000)",
	 "UPDATE purchase SET invoiced_amount = invoiced_amount - 1 WHERE id IN (7, 90000)",
	 "purchase row 7 does not match"},
	{"the hash the second half starts from",
	 "CREATE TEMP TABLE keep AS SELECT hash FROM purchase WHERE id = 50001;"
	 "UPDATE purchase SET hash = (SELECT hash FROM purchase WHERE id = 1) WHERE id = 50001",
	 "UPDATE purchase SET hash = (SELECT hash FROM keep) WHERE id = 50001; DROP TABLE keep",
	 "purchase row 50001 does not match"},
	{"the last row of the first half deleted",
	 "CREATE TEMP TABLE keep AS SELECT * FROM purchase WHERE id = 50001;"
	 "DELETE FROM purchase WHERE id = 50001",
	 "INSERT INTO purchase SELECT * FROM keep; DROP TABLE keep",
	 "purchase row 50002 does not match"},
	{"the first row of the second half deleted",
	 "CREATE TEMP TABLE keep AS SELECT * FROM purchase WHERE id = 50002;"
	 "DELETE FROM purchase WHERE id = 50002",
	 "INSERT INTO purchase SELECT * FROM keep; DROP TABLE keep",
	 "purchase row 50003 does not match"},
};

/* The purchase chain walked once from the start, on one connection. */
static ClCode walk_once(sqlite3 *db, int64_t *checked, Err *e)
{
	return chain_verify(db, "purchase",
			    "SELECT id, contract_id, agency_id, po_number, invoice_number, line, "
			    "revision, invoice_date, description, category, quantity, list_amount, "
			    "invoiced_amount, freight_amount, tax_amount, batch_id, reverses_id, "
			    "reason, created_at, created_by, hash FROM purchase ORDER BY id",
			    20, checked, e);
}

static void test_verify_long_chain_in_halves(void **state)
{
	Fixture *fx = *state;
	char inv[32];
	int64_t np = -1, na = -1, once = -1;
	Ledger *l = NULL;
	Err e = {0}, e1 = {0};
	size_t i;
	int k;

	assert_int_equal(db_begin(fx->db, &e), CL_OK);
	assert_int_equal(ledger_open(fx->db, FX_ACTOR, &l, &e), CL_OK);
	for (k = 1; k <= LONG_ROWS; k++) {
		PurchaseIn p;
		LedgerOutcome out = LEDGER_DUPLICATE;

		snprintf(inv, sizeof inv, "INV-%d", k);
		p = fx_line(fx->ks1, inv, k % 2 ? "2025-08-15" : "2026-01-09", 100 + k % 977);
		fx_expect(inv, ledger_append(l, &p, &out, NULL, &e), &e, CL_OK, NULL);
		assert_int_equal(out, LEDGER_APPENDED);
	}
	assert_int_equal(ledger_flush(l, &e), CL_OK);
	ledger_close(l);
	assert_int_equal(db_commit(fx->db, &e), CL_OK);
	fx_expect("long", ledger_verify(fx->db, &np, &na, &e), &e, CL_OK, NULL);
	assert_int_equal(np, LONG_ROWS);
	assert_int_equal(na, FX_WORLD_AUDITS);
	fx_expect("once", walk_once(fx->db, &once, &e), &e, CL_OK, NULL);
	assert_int_equal(once, LONG_ROWS);
	assert_int_equal(fx_sql(fx->db, "DROP TRIGGER purchase_no_update;"
					"DROP TRIGGER purchase_no_delete"),
			 SQLITE_OK);
	for (i = 0; i < N_ELEMS(long_cases); i++) {
		assert_int_equal(fx_sql(fx->db, long_cases[i].tamper), SQLITE_OK);
		fx_expect(long_cases[i].label, ledger_verify(fx->db, NULL, NULL, &e), &e, CL_ERULE,
			  long_cases[i].names);
		fx_expect(long_cases[i].label, walk_once(fx->db, &once, &e1), &e1, CL_ERULE,
			  long_cases[i].names);
		assert_string_equal(e.msg, e1.msg);
		assert_int_equal(fx_sql(fx->db, long_cases[i].restore), SQLITE_OK);
		fx_expect(long_cases[i].label, ledger_verify(fx->db, &np, NULL, &e), &e, CL_OK,
			  NULL);
		assert_int_equal(np, LONG_ROWS);
	}
}

/* Without dropping the triggers, nothing can be changed or removed. */
static void test_append_only_triggers(void **state)
{
	static const char *const sql[] = {
		"UPDATE purchase SET invoiced_amount = 1 WHERE id = 1",
		"UPDATE purchase SET reverses_id = NULL WHERE id = 4",
		"DELETE FROM purchase WHERE id = 4",
		"DELETE FROM purchase",
		"UPDATE audit_log SET actor = 'mallory' WHERE id = 1",
		"DELETE FROM audit_log WHERE id = 1",
	};
	Fixture *fx = *state;
	size_t i;
	Err e = {0};

	four_rows(fx);
	for (i = 0; i < N_ELEMS(sql); i++) {
		if (fx_sql(fx->db, sql[i]) == SQLITE_OK) {
			print_error("allowed: %s\n", sql[i]);
			fail();
		}
		assert_non_null(strstr(sqlite3_errmsg(fx->db), "append-only"));
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM purchase"), 4);
	assert_int_equal(fx_live_total(fx->db), 12000 + 7000);
	fx_expect("verify", ledger_verify(fx->db, NULL, NULL, &e), &e, CL_OK, NULL);
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* A number's canonical text is its decimal text ("%" PRId64) with its
 * length in front: "3:-42," — over the whole 64-bit range. */
static void test_canon_int_text(void **state)
{
	static const int64_t cases[] = {0,  1,	 -1,	    9,	       10,	  -10,
					99, 100, 123456789, INT64_MAX, INT64_MIN, INT64_MIN + 1};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		char num[32], want[48];
		Buf b;

		buf_init(&b, 1024);
		snprintf(num, sizeof num, "%" PRId64, cases[i]);
		snprintf(want, sizeof want, "%zu:%s,", strlen(num), num);
		assert_int_equal(canon_int(&b, cases[i]), CL_OK);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.data, want, b.len);
		buf_free(&b);
	}
}

/* A field past the buffer's cap is an error, never a shorter text to
 * hash. */
static void test_canon_over_cap(void **state)
{
	Buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(canon_text(&b, "abc"), CL_OK); /* "3:abc," */
	assert_int_equal(canon_text(&b, "defgh"), CL_ENOMEM);
	assert_int_equal(canon_int(&b, 123456789), CL_ENOMEM);
	buf_free(&b);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligibility_table),
		cmocka_unit_test(test_canon_int_text),
		cmocka_unit_test(test_canon_over_cap),
		WORLD_TEST(test_accepted_line),
		WORLD_TEST(test_same_line_again_is_duplicate),
		WORLD_TEST(test_same_identity_other_amounts_conflicts),
		WORLD_TEST(test_line_fields),
		WORLD_TEST(test_reverse_line),
		WORLD_TEST(test_reenter_after_reversal),
		WORLD_TEST(test_reverse_refusals),
		WORLD_TEST(test_reverse_in_closed_quarter),
		WORLD_TEST(test_close_without_flush_commits_nothing),
		WORLD_TEST(test_reverse_batch),
		WORLD_TEST(test_reverse_batch_between_others),
		WORLD_TEST(test_reverse_batch_skips_reversed_line),
		WORLD_TEST(test_reverse_batch_refusals),
		WORLD_TEST(test_verify_good_chain),
		cmocka_unit_test(test_verify_names_tampered_row),
		WORLD_TEST(test_verify_long_chain_in_halves),
		WORLD_TEST(test_append_only_triggers),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
