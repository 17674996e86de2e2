/*
 * test_remit.c — unit tests of remittances (core/remit.c): the duplicate
 * guard, reversals, and the figures that must ignore reversed ones
 * (DOMAIN.md sections 3 and 4.1).
 *
 * The figures, worked by hand.  World of fixture.h: KS-1, fee 2%
 * graduated from 0, due 45 days after the quarter, no late fee.  Two
 * lines of USD259 in 2025-Q3:
 *
 *     $12,345.67 + $2,469.13 = $14,814.80 net sales
 *     fee = round(1,481,480 cents x 20,000 ppm / 10^6)
 *         = round(29,629.6) = 29,630 cents = $296.30
 *     due = 2025-09-30 + 45 days = 2025-11-14
 *
 * Remittance ACH-771201: $296.30 received 2025-11-14.  As of 2025-12-01:
 *
 *     recorded once               remitted  $296.30  balance   $0.00  paid
 *     recorded three times (bug)  remitted  $888.90  balance -$592.60 overpaid
 *     once + a confirmed second   remitted  $592.60  balance -$296.30 overpaid
 *     the second reversed         remitted  $296.30  balance   $0.00  paid
 *     both reversed               remitted    $0.00  balance $296.30  overdue,
 *                                 2025-12-01 - 2025-11-14 = 17 days past due
 */
#include <sodium.h>

#include "fees.h"
#include "fixture.h"
#include "journal.h"
#include "portal.h"
#include "remit.h"
#include "stmtdata.h"

#define REF	   "ACH-771201"
#define FEE	   29630 /* $296.30, see the top of this file */
#define AS_OF	   "2025-12-01"
#define COUNT_LIVE "SELECT count(*) FROM live_remittance"

/* The two 2025-Q3 lines of the working above. */
static void q3_sales(Fixture *fx)
{
	PurchaseIn a = fx_line(fx->ks1, "INV-1", "2025-08-05", 1234567);
	PurchaseIn b = fx_line(fx->ks1, "INV-2", "2025-09-20", 246913);

	fx_append_ok(fx->db, &a);
	fx_append_ok(fx->db, &b);
}

/* ACH-771201 for KS-1 2025-Q3, received 2025-11-14; again as given. */
static RemitIn ach(int again)
{
	RemitIn r = {"KS-1", fx_quarter("2025-Q3"), FEE, fx_date("2025-11-14"), REF, again};

	return r;
}

/* Record r; expects code (and, for a refusal, each of the words). */
static int64_t record(Fixture *fx, const RemitIn *r, ClCode code, const char *const *words)
{
	int64_t id = 0;
	Err e = {0};

	fx_expect(r->reference, remit_add(fx->db, r, FX_ACTOR, &id, &e), &e, code, NULL);
	for (; words && *words; words++)
		if (!strstr(e.msg, *words)) {
			print_error("refusal \"%s\" lacks \"%s\"\n", e.msg, *words);
			fail();
		}
	return id;
}

/* The 2025-Q3 fee quarter of KS-1 as of 2025-12-01.  OUT: *f. */
static void q3_fees(Fixture *fx, FeeQuarter *f)
{
	FeeSelect sel = {0, 1, fx_quarter("2025-Q3")};
	FeeQuarter *fq = NULL;
	int n = 0;
	Err e = {0};

	fx_expect("fees", fees_quarters(fx->db, "KS-1", &sel, fx_date(AS_OF), &fq, &n, &e), &e,
		  CL_OK, NULL);
	assert_int_equal(n, 1);
	*f = fq[0];
	free(fq);
}

/* Assert the 2025-Q3 figures: remitted, balance and status. */
static void expect_q3(Fixture *fx, Money remitted, Money balance, FeeStatus status)
{
	FeeQuarter f;

	q3_fees(fx, &f);
	assert_int_equal(f.fee, FEE);
	assert_int_equal(f.remitted, remitted);
	assert_int_equal(f.balance, balance);
	assert_int_equal(f.status, status);
}

static void reverse_ok(Fixture *fx, int64_t id, const char *reason)
{
	Err e = {0};

	fx_expect("reverse", remit_reverse(fx->db, id, reason, FX_ACTOR, &e), &e, CL_OK, NULL);
}

/* The same remittance three times: the second and third are refused,
 * naming the first, and the quarter stays paid. */
static void test_duplicate_refused(void **state)
{
	static const char *const names_first[] = {
		"remittance 1 ",  REF, "KS-1 2025-Q3", "$296.30", "received 2025-11-14",
		"second payment", NULL};
	Fixture *fx = *state;
	RemitIn r = ach(0), lower = ach(0), next_q = ach(0);

	q3_sales(fx);
	assert_int_equal(record(fx, &r, CL_OK, NULL), 1);
	record(fx, &r, CL_ECONFLICT, names_first);
	record(fx, &r, CL_ECONFLICT, names_first);
	lower.reference = "ach-771201"; /* the same reference, typed in lower case */
	record(fx, &lower, CL_ECONFLICT, names_first);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM remittance"), 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'remittance.add'"),
			 1);
	/* 29,630 remitted against a fee of 29,630: paid, not overpaid */
	expect_q3(fx, FEE, 0, FQ_PAID);
	/* the same reference for another quarter is another payment */
	next_q.quarter = fx_quarter("2025-Q4");
	assert_int_equal(record(fx, &next_q, CL_OK, NULL), 2);
}

/* Confirmed as a second payment it is recorded, and audited as one. */
static void test_second_payment_confirmed(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);

	q3_sales(fx);
	record(fx, &r, CL_OK, NULL);
	assert_int_equal(record(fx, &again, CL_OK, NULL), 2);
	/* 2 x 29,630 = 59,260 remitted; 29,630 - 59,260 = -29,630 */
	expect_q3(fx, 2 * FEE, -FEE, FQ_OVERPAID);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'remittance.add' AND entity_id = '2' AND "
					"json_extract(after, '$.second_payment_of') = 1"),
			 1);
	/* "again" with no live twin is an ordinary remittance */
	again.quarter = fx_quarter("2025-Q4");
	assert_int_equal(record(fx, &again, CL_OK, NULL), 3);
}

/* Reversing the extra payment restores the figures; the reversal is a
 * row negating the original, audited; both drop out of every sum. */
static void test_reverse_restores_figures(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);
	FeeQuarter f;

	q3_sales(fx);
	record(fx, &r, CL_OK, NULL);
	record(fx, &again, CL_OK, NULL);
	reverse_ok(fx, 2, "keyed twice from the bank statement");
	/* 59,260 - 29,630 = 29,630 remitted: paid again */
	expect_q3(fx, FEE, 0, FQ_PAID);
	assert_int_equal(fx_int(fx->db, COUNT_LIVE), 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM remittance WHERE id = 3 AND "
					"reverses_id = 2 AND amount = -29630 AND reference = "
					"'" REF "' AND received = '2025-11-14' AND reason = "
					"'keyed twice from the bank statement'"),
			 1);
	/* the raw rows net to the live total too: 29,630 + 29,630 - 29,630 */
	assert_int_equal(fx_int(fx->db, "SELECT sum(amount) FROM remittance"), FEE);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'remittance.reverse' AND entity_id = '2' AND "
					"json_extract(before, '$.amount') = '296.30' AND "
					"json_extract(after, '$.reversal_id') = 3"),
			 1);
	/* the first one reversed as well: nothing remitted, 17 days overdue */
	reverse_ok(fx, 1, "the bank returned the payment");
	expect_q3(fx, 0, FEE, FQ_OVERDUE);
	q3_fees(fx, &f);
	assert_int_equal(f.days_past_due, 17);
	/* with no live one left, the reference may be recorded again */
	assert_int_equal(record(fx, &r, CL_OK, NULL), 5);
	expect_q3(fx, FEE, 0, FQ_PAID);
}

/* Times the journal of KS-1 as of 2025-12-01 posts a remittance. */
static int journal_remittances(Fixture *fx)
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int n = 0;
	Err e = {0};

	assert_non_null(f);
	fx_expect("journal", journal_export(fx->db, "KS-1", fx_date(AS_OF), f, &e), &e, CL_OK,
		  NULL);
	fclose(f);
	for (p = text; (p = strstr(p, "Remittance " REF)); p++)
		n++;
	free(text);
	return n;
}

/* The other readers of remittances (statements, the vendor portal, the
 * journal) count the live one only: 1 of the 3 rows after a reversal. */
static void test_reversed_counts_nowhere(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);
	StmtRemit rows[4];
	RowSet portal;
	int n = -1;
	Err e = {0};

	q3_sales(fx);
	record(fx, &r, CL_OK, NULL);
	record(fx, &again, CL_OK, NULL);
	assert_int_equal(journal_remittances(fx), 2);
	reverse_ok(fx, 2, "keyed twice");
	fx_expect("statement", stmtdata_remits(fx->db, fx->ks1, "2025-Q3", AS_OF, rows, 4, &n, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].amount, FEE);
	fx_expect("portal", portal_remittances(fx->db, "KS-1", &portal, &e), &e, CL_OK, NULL);
	assert_int_equal(portal.nrow, 1);
	assert_int_equal(rowset_int(&portal, 0, "amount"), FEE);
	rowset_free(&portal);
	assert_int_equal(journal_remittances(fx), 1);
}

/* The refusals of remit_reverse(), each naming the remittance; none
 * writes anything. */
static void test_reverse_refused(void **state)
{
	static const struct {
		int64_t id;
		const char *reason;
		ClCode rc;
		const char *words;
	} cases[] = {
		{99, "typo", CL_ENOTFOUND, "there is no remittance 99"},
		{1, "", CL_EINPUT, "reversing remittance 1 needs a reason"},
		{1, NULL, CL_EINPUT, "reversing remittance 1 needs a reason"},
		{1, "two\nlines", CL_EINPUT, "reason"},
		{2, "typo", CL_ECONFLICT, "remittance 2 is already reversed"},
		{3, "typo", CL_ERULE, "remittance 3 is itself a reversal (of remittance 2)"},
	};
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);
	int64_t rows, audit_rows;
	size_t i;
	Err e = {0};

	q3_sales(fx);
	record(fx, &r, CL_OK, NULL);
	record(fx, &again, CL_OK, NULL);
	reverse_ok(fx, 2, "keyed twice");
	rows = fx_int(fx->db, "SELECT count(*) FROM remittance");
	audit_rows = fx_int(fx->db, "SELECT count(*) FROM audit_log");
	for (i = 0; i < N_ELEMS(cases); i++)
		fx_expect(cases[i].words,
			  remit_reverse(fx->db, cases[i].id, cases[i].reason, FX_ACTOR, &e), &e,
			  cases[i].rc, cases[i].words);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM remittance"), rows);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log"), audit_rows);
	expect_q3(fx, FEE, 0, FQ_PAID);
}

/* A remittance received in a closed quarter is not reversed until the
 * quarter is reopened; the refusal names the quarter. */
static void test_reverse_closed_quarter(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);
	Err e = {0};

	q3_sales(fx);
	record(fx, &r, CL_OK, NULL);
	record(fx, &again, CL_OK, NULL);
	/* received 2025-11-14: quarter 2025-Q4 holds it, not the fee quarter */
	fx_expect("close", period_close(fx->db, fx_quarter("2025-Q4"), FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	fx_expect("closed", remit_reverse(fx->db, 2, "keyed twice", FX_ACTOR, &e), &e, CL_ERULE,
		  "remittance 2 was received 2025-11-14 and quarter 2025-Q4 is closed");
	expect_q3(fx, 2 * FEE, -FEE, FQ_OVERPAID);
	fx_expect("reopen",
		  period_reopen(fx->db, fx_quarter("2025-Q4"), "bank error", FX_ACTOR, &e), &e,
		  CL_OK, NULL);
	reverse_ok(fx, 2, "keyed twice");
	expect_q3(fx, FEE, 0, FQ_PAID);
}

/* Cash received on a day of a closed quarter is not recorded until the
 * quarter is reopened, as a reversal is not: nothing is written. */
static void test_record_closed_quarter(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0);
	Err e = {0};
	int audit_rows;
	static const char *const words[] = {"received 2025-11-14", "quarter 2025-Q4 is closed",
					    "reopen it first", NULL};

	q3_sales(fx);
	fx_expect("close", period_close(fx->db, fx_quarter("2025-Q4"), FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	audit_rows = fx_int(fx->db, "SELECT count(*) FROM audit_log");
	record(fx, &r, CL_ERULE, words);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM remittance"), 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log"), audit_rows);
	expect_q3(fx, 0, FEE, FQ_OVERDUE);
	fx_expect("reopen",
		  period_reopen(fx->db, fx_quarter("2025-Q4"), "cash came in", FX_ACTOR, &e), &e,
		  CL_OK, NULL);
	record(fx, &r, CL_OK, NULL);
	expect_q3(fx, FEE, 0, FQ_PAID);
}

/* Remittances are append-only: UPDATE and DELETE are refused by the
 * database itself, originals and reversals alike. */
static void test_append_only(void **state)
{
	static const char *const writes[] = {
		"UPDATE remittance SET amount = 1 WHERE id = 1",
		"UPDATE remittance SET reference = 'ACH-1' WHERE id = 2",
		"DELETE FROM remittance WHERE id = 2",
		"DELETE FROM remittance",
		/* a reversal must negate; an original must be positive */
		"INSERT INTO remittance(contract_id, quarter, amount, received, reference, "
		"recorded_by, created_at, reverses_id, reason, hash) SELECT contract_id, quarter, "
		"amount, received, reference, recorded_by, created_at, 1, 'x', hash FROM "
		"remittance WHERE id = 1",
		/* a remittance is reversed once */
		"INSERT INTO remittance(contract_id, quarter, amount, received, reference, "
		"recorded_by, created_at, reverses_id, reason, hash) SELECT contract_id, quarter, "
		"-amount, received, reference, recorded_by, created_at, 1, 'x', hash FROM "
		"remittance WHERE id = 1",
	};
	Fixture *fx = *state;
	RemitIn r = ach(0);
	size_t i;

	record(fx, &r, CL_OK, NULL);
	reverse_ok(fx, 1, "keyed twice");
	for (i = 0; i < N_ELEMS(writes); i++) {
		if (fx_sql(fx->db, writes[i]) == SQLITE_OK) {
			print_error("not refused: %s\n", writes[i]);
			fail();
		}
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM remittance"), 2);
	assert_int_equal(fx_int(fx->db, "SELECT sum(abs(amount)) FROM remittance"), 2 * FEE);
}

/* The remittance rows are hash-chained: verify counts them, and a row
 * altered behind the triggers' back is named. */
static void test_verify_chain(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);
	int64_t rows = -1, np = -1, na = -1;
	Err e = {0};

	record(fx, &r, CL_OK, NULL);
	record(fx, &again, CL_OK, NULL);
	reverse_ok(fx, 2, "keyed twice");
	fx_expect("verify", remit_verify(fx->db, &rows, &e), &e, CL_OK, NULL);
	assert_int_equal(rows, 3);
	fx_expect("ledger_verify", ledger_verify(fx->db, &np, &na, &e), &e, CL_OK, NULL);
	/* the world's 9, two remittance.add and one remittance.reverse */
	assert_int_equal(na, FX_WORLD_AUDITS + 3);
	assert_int_equal(fx_sql(fx->db, "DROP TRIGGER remittance_no_update; "
					"UPDATE remittance SET amount = 2963 WHERE id = 2"),
			 SQLITE_OK);
	fx_expect("tampered", remit_verify(fx->db, NULL, &e), &e, CL_ERULE,
		  "remittance row 2 does not match its hash");
	fx_expect("tampered", ledger_verify(fx->db, NULL, NULL, &e), &e, CL_ERULE,
		  "remittance row 2");
}

/* The listing shows each remittance once, with its state; reversals are
 * not rows of their own. */
static void test_list_states(void **state)
{
	Fixture *fx = *state;
	RemitIn r = ach(0), again = ach(1);
	RowSet rs;
	Err e = {0};

	record(fx, &r, CL_OK, NULL);
	record(fx, &again, CL_OK, NULL);
	reverse_ok(fx, 2, "keyed twice");
	fx_expect("list", remit_list(fx->db, "KS-1", 0, 0, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 2);
	/* newest first */
	assert_int_equal(rowset_int(&rs, 0, "id"), 2);
	assert_string_equal(rowset_text(&rs, 0, "state"), "reversed");
	assert_string_equal(rowset_text(&rs, 0, "reason"), "keyed twice");
	assert_int_equal(rowset_int(&rs, 0, "reversal_id"), 3);
	assert_int_equal(rowset_int(&rs, 1, "id"), 1);
	assert_string_equal(rowset_text(&rs, 1, "state"), "live");
	assert_int_equal(rowset_int(&rs, 1, "amount"), FEE);
	assert_string_equal(rowset_text(&rs, 1, "reference"), REF);
	assert_string_equal(rowset_text(&rs, 1, "recorded_by"), FX_ACTOR);
	rowset_free(&rs);
	fx_expect("get", remit_get(fx->db, 2, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 1);
	assert_string_equal(rowset_text(&rs, 0, "reversed_by"), FX_ACTOR);
	rowset_free(&rs);
	fx_expect("get reversal", remit_get(fx->db, 3, &rs, &e), &e, CL_ENOTFOUND,
		  "there is no remittance 3");
	fx_expect("get none", remit_get(fx->db, 42, &rs, &e), &e, CL_ENOTFOUND,
		  "there is no remittance 42");
}

/* A database made before remittances were chained, with two remittances
 * (the same one twice, as the old code allowed).  OUT: fx->path. */
static void make_unchained(Fixture *fx)
{
	const EmbeddedFile *f;
	sqlite3 *raw = NULL;
	char pragma[40];
	int version = 0;

	fx_temp_path(fx);
	assert_int_equal(sqlite3_open(fx->path, &raw), SQLITE_OK);
	for (f = embedded_files; f->path && !strstr(f->path, "_remittance_reversal"); f++) {
		if (strncmp(f->path, "migrations/", 11) != 0)
			continue;
		assert_int_equal(fx_sql(raw, f->data), SQLITE_OK);
		version++;
	}
	assert_non_null(f->path); /* the reversal migration is embedded */
	assert_int_equal(
		fx_sql(raw,
		       "INSERT INTO agency(code, name, kind, state, created_at) VALUES "
		       "('USD259', 'Wichita', 'school_district', 'KS', '2025-01-01T00:00:00Z');"
		       "INSERT INTO vendor(code, name, created_at) VALUES ('V-PRAIRIE', "
		       "'Prairie', '2025-01-01T00:00:00Z');"
		       "INSERT INTO contract(number, title, lead_agency_id, vendor_id, start_date, "
		       "end_date, terms_json, created_at) VALUES ('KS-1', 'Desks', 1, 1, "
		       "'2025-07-01', '2026-06-30', '{}', '2025-01-01T00:00:00Z');"
		       "INSERT INTO remittance(contract_id, quarter, amount, received, reference, "
		       "recorded_by, created_at) VALUES (1, '2025-Q3', 29630, '2025-11-14', "
		       "'ACH-771201', 'clerk@usd259.example', '2025-11-15T09:00:00Z'), (1, "
		       "'2025-Q3', 29630, '2025-11-14', 'ACH-771201', 'clerk@usd259.example', "
		       "'2025-11-15T09:01:00Z');"),
		SQLITE_OK);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
	assert_int_equal(fx_sql(raw, pragma), SQLITE_OK);
	sqlite3_close(raw);
}

/* Opening an older database chains the remittances it holds, keeps them
 * as they were, and lets the extra one be reversed. */
static void test_migration_chains_existing(void **state)
{
	sqlite3 *db = NULL;
	int64_t rows = -1;
	Fixture fx;
	Err e = {0};

	(void)state;
	make_unchained(&fx);
	fx_expect("upgrade", db_open(fx.path, &db, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(fx_int(db, "SELECT count(*) FROM remittance WHERE amount = 29630 AND "
				    "reference = 'ACH-771201' AND length(hash) = 64"),
			 2);
	fx_expect("verify", remit_verify(db, &rows, &e), &e, CL_OK, NULL);
	assert_int_equal(rows, 2);
	fx_expect("reverse", remit_reverse(db, 2, "keyed twice", FX_ACTOR, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_int(db, COUNT_LIVE), 1);
	fx_expect("verify after", remit_verify(db, &rows, &e), &e, CL_OK, NULL);
	assert_int_equal(rows, 3);
	/* the migration's scratch table of hashes is gone */
	assert_int_not_equal(fx_sql(db, "SELECT 1 FROM temp.remittance_chain"), SQLITE_OK);
	db_close(db);
	fx_unlink(fx.path);
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WORLD_TEST(test_duplicate_refused),
		WORLD_TEST(test_second_payment_confirmed),
		WORLD_TEST(test_reverse_restores_figures),
		WORLD_TEST(test_reversed_counts_nowhere),
		WORLD_TEST(test_reverse_refused),
		WORLD_TEST(test_record_closed_quarter),
		WORLD_TEST(test_reverse_closed_quarter),
		WORLD_TEST(test_append_only),
		WORLD_TEST(test_verify_chain),
		WORLD_TEST(test_list_states),
		cmocka_unit_test(test_migration_chains_existing),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
