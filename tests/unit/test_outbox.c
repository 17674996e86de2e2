/* test_outbox.c — the outbox of e-mail notices (core/outbox.c): unique
 * keys, due detection, backoff, state transitions, claims and their
 * leases, dead after N attempts, retry. */
#include "fixture.h"
#include "import.h"
#include "outbox.h"
#include "remit.h"

#define NOW 1795000000LL /* 2026-11-18T11:06:40Z, a fixed clock */

static int64_t add(sqlite3 *db, const char *kind, const char *rcpt, const char *period,
		   int expect_added)
{
	OutboxNew n = {kind, rcpt, "Pat", "KS-1", period, NULL, "V-PRAIRIE", "{\"x\":1}", NULL};
	int added = -1;
	Err e = {0};

	fx_expect(kind, outbox_add(db, &n, NOW, &added, &e), &e, CL_OK, NULL);
	assert_int_equal(added, expect_added);
	return fx_int(db, "SELECT max(id) FROM outbox");
}

/* Claim notice id at now as a sender would; asserts it could.  OUT: claim
 * (OUTBOX_CLAIM_BUF). */
static void claim_ok(sqlite3 *db, int64_t id, int64_t now, char *claim)
{
	OutboxNotice n;
	int claimed = 0;

	assert_int_equal(outbox_load(db, id, &n, NULL), CL_OK);
	assert_int_equal(outbox_claim(db, &n, now, now, claim, &claimed, NULL), CL_OK);
	outbox_notice_free(&n);
	assert_int_equal(claimed, 1);
	assert_int_equal(strlen(claim), 16);
}

static OutboxState state_of(sqlite3 *db, int64_t id, int *attempts, int64_t *next)
{
	OutboxNotice n;
	OutboxState s;

	assert_int_equal(outbox_load(db, id, &n, NULL), CL_OK);
	s = n.state;
	if (attempts)
		*attempts = n.attempts;
	if (next)
		*next = n.next_attempt;
	outbox_notice_free(&n);
	return s;
}

static void test_backoff_table(void **state)
{
	static const struct {
		int attempts;
		int64_t seconds;
	} cases[] = {{1, 60},	{2, 120},   {3, 240},	 {4, 480},    {5, 960},	    {6, 1920},
		     {7, 3840}, {9, 15360}, {10, 21600}, {30, 21600}, {1000, 21600}};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(cases); i++)
		assert_int_equal(outbox_backoff(cases[i].attempts), cases[i].seconds);
}

static void test_queue_twice_adds_nothing(void **state)
{
	Fixture *fx = *state;
	OutboxNew bad = {"nonsense", "a@b.example", "", "KS-1", "2026-Q3", NULL, NULL, "{}", NULL};
	Err e = {0};

	add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1);
	add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 0);
	add(fx->db, "fee_overdue", "ar@v.example", "2026-Q2", 1);   /* another period */
	add(fx->db, "fee_statement", "ar@v.example", "2026-Q3", 1); /* another kind */
	add(fx->db, "fee_overdue", "ap@v.example", "2026-Q3", 1);   /* another recipient */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox"), 4);
	fx_expect("bad kind", outbox_add(fx->db, &bad, NOW, NULL, &e), &e, CL_EINPUT, "kind");
}

static void test_sent_once(void **state)
{
	Fixture *fx = *state;
	int64_t id = add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1), *ids = NULL;
	int n = 0, attempts = 0;
	char claim[OUTBOX_CLAIM_BUF];
	Err e = {0};

	assert_int_equal(outbox_due_ids(fx->db, NOW, 10, &ids, &n, NULL), CL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);
	free(ids);
	fx_expect("sent unclaimed", outbox_mark_sent(fx->db, id, "0123456789abcdef", NOW, &e), &e,
		  CL_ECONFLICT, "not being sent");
	claim_ok(fx->db, id, NOW, claim);
	assert_int_equal(outbox_mark_sent(fx->db, id, claim, NOW, NULL), CL_OK);
	assert_int_equal(state_of(fx->db, id, &attempts, NULL), OB_SENT);
	assert_int_equal(attempts, 1);
	/* a sent notice is never due again, and cannot be marked sent twice */
	assert_int_equal(outbox_due_ids(fx->db, NOW + 86400, 10, &ids, &n, NULL), CL_OK);
	assert_int_equal(n, 0);
	free(ids);
	fx_expect("sent twice", outbox_mark_sent(fx->db, id, claim, NOW, &e), &e, CL_ECONFLICT,
		  "not being sent");
	/* queuing it again adds nothing */
	add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 0);
}

static void test_temporary_failures_back_off(void **state)
{
	Fixture *fx = *state;
	int64_t id = add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1), next = 0, *ids;
	OutboxState s;
	int attempts = 0, n = 0;
	char claim[OUTBOX_CLAIM_BUF];

	claim_ok(fx->db, id, NOW, claim);
	assert_int_equal(outbox_mark_failed(fx->db, id, claim, 0, "421 busy", NOW, &s, NULL),
			 CL_OK);
	assert_int_equal(s, OB_RETRYING);
	assert_int_equal(state_of(fx->db, id, &attempts, &next), OB_RETRYING);
	assert_int_equal(attempts, 1);
	assert_int_equal(next, NOW + 60);
	assert_int_equal(outbox_due_ids(fx->db, NOW + 59, 10, &ids, &n, NULL), CL_OK);
	assert_int_equal(n, 0); /* not before its time */
	free(ids);
	assert_int_equal(outbox_due_ids(fx->db, NOW + 60, 10, &ids, &n, NULL), CL_OK);
	assert_int_equal(n, 1);
	free(ids);
	claim_ok(fx->db, id, NOW + 60, claim);
	assert_int_equal(outbox_mark_failed(fx->db, id, claim, 0, "451 later", NOW + 60, &s, NULL),
			 CL_OK);
	assert_int_equal(state_of(fx->db, id, &attempts, &next), OB_RETRYING);
	assert_int_equal(next, NOW + 60 + 120);
	assert_int_equal(fx_int(fx->db, "SELECT last_error = '451 later' FROM outbox"), 1);
	claim_ok(fx->db, id, NOW + 180, claim);
	assert_int_equal(outbox_mark_sent(fx->db, id, claim, NOW + 180, NULL), CL_OK);
	assert_int_equal(state_of(fx->db, id, &attempts, NULL), OB_SENT);
	assert_int_equal(attempts, 3);
}

static void test_dead_after_max_attempts(void **state)
{
	Fixture *fx = *state;
	int64_t id = add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1), t = NOW;
	OutboxState s = OB_QUEUED;
	char claim[OUTBOX_CLAIM_BUF];
	int i;

	for (i = 1; i <= OUTBOX_MAX_ATTEMPTS; i++) {
		claim_ok(fx->db, id, t, claim);
		assert_int_equal(
			outbox_mark_failed(fx->db, id, claim, 0, "connection refused", t, &s, NULL),
			CL_OK);
		assert_int_equal(s, i < OUTBOX_MAX_ATTEMPTS ? OB_RETRYING : OB_DEAD);
		t += outbox_backoff(i);
	}
	assert_int_equal(fx_int(fx->db, "SELECT last_error LIKE 'connection refused%too many%' "
					"FROM outbox"),
			 1);
}

static void test_permanent_failure_is_dead_and_retry(void **state)
{
	Fixture *fx = *state;
	int64_t id = add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1), next = 0;
	OutboxState s;
	int attempts = 0;
	char claim[OUTBOX_CLAIM_BUF];
	Err e = {0};

	fx_expect("retry queued", outbox_retry(fx->db, id, FX_ACTOR, NOW, &e), &e, CL_ERULE,
		  "not dead");
	claim_ok(fx->db, id, NOW, claim);
	fx_expect("retry sending", outbox_retry(fx->db, id, FX_ACTOR, NOW, &e), &e, CL_ERULE,
		  "not dead");
	assert_int_equal(
		outbox_mark_failed(fx->db, id, claim, 1, "550 no such user", NOW, &s, NULL), CL_OK);
	assert_int_equal(s, OB_DEAD);
	assert_int_equal(fx_int(fx->db, "SELECT last_error = '550 no such user' FROM outbox"), 1);
	assert_int_equal(outbox_retry(fx->db, id, FX_ACTOR, NOW + 5, NULL), CL_OK);
	assert_int_equal(state_of(fx->db, id, &attempts, &next), OB_QUEUED);
	assert_int_equal(attempts, 0);
	assert_int_equal(next, NOW + 5);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'notice.retry'"),
			 1);
	fx_expect("missing", outbox_retry(fx->db, 999, FX_ACTOR, NOW, &e), &e, CL_ENOTFOUND,
		  "no notice");
}

/* A claim is taken once; the others find the notice taken.  While it is
 * held the notice is not due; once the lease lapses (its sender died) it is
 * due again, another sender takes it over with a new token, the lost
 * attempt is counted, and the first sender can no longer record anything. */
static void test_claim_lease_and_takeover(void **state)
{
	Fixture *fx = *state;
	int64_t id = add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1), *ids = NULL;
	char first[OUTBOX_CLAIM_BUF], second[OUTBOX_CLAIM_BUF], third[OUTBOX_CLAIM_BUF];
	OutboxNotice seen;
	int claimed = -1, n = 0, attempts = 0, held = -1;
	Err e = {0};

	assert_int_equal(outbox_load(fx->db, id, &seen, NULL), CL_OK);
	assert_int_equal(outbox_claim(fx->db, &seen, NOW, NOW, first, &claimed, NULL), CL_OK);
	assert_int_equal(claimed, 1);
	/* a second sender that loaded it at the same time finds it taken */
	assert_int_equal(outbox_claim(fx->db, &seen, NOW, NOW, second, &claimed, NULL), CL_OK);
	assert_int_equal(claimed, 0);
	assert_int_equal(state_of(fx->db, id, NULL, NULL), OB_SENDING);
	assert_int_equal(outbox_due_ids(fx->db, NOW + OUTBOX_LEASE - 1, 10, &ids, &n, NULL), CL_OK);
	assert_int_equal(n, 0);
	free(ids);
	/* renewing moves the lapse */
	assert_int_equal(outbox_renew(fx->db, id, first, NOW + 100 + OUTBOX_LEASE, &held, NULL),
			 CL_OK);
	assert_int_equal(held, 1);
	assert_int_equal(outbox_due_ids(fx->db, NOW + OUTBOX_LEASE, 10, &ids, &n, NULL), CL_OK);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(outbox_due_ids(fx->db, NOW + 100 + OUTBOX_LEASE, 10, &ids, &n, NULL),
			 CL_OK);
	assert_int_equal(n, 1);
	free(ids);
	/* the sender died: another takes the lapsed claim over */
	outbox_notice_free(&seen);
	assert_int_equal(outbox_load(fx->db, id, &seen, NULL), CL_OK);
	assert_true(outbox_is_due(&seen, NOW + 100 + OUTBOX_LEASE));
	assert_int_equal(outbox_claim(fx->db, &seen, NOW + 100 + OUTBOX_LEASE,
				      NOW + 100 + OUTBOX_LEASE, second, &claimed, NULL),
			 CL_OK);
	assert_int_equal(claimed, 1);
	assert_string_not_equal(first, second);
	assert_int_equal(state_of(fx->db, id, &attempts, NULL), OB_SENDING);
	assert_int_equal(attempts, 1); /* the lost attempt counts */
	/* the claim that lapsed can record nothing, nor renew */
	fx_expect("old claim sent", outbox_mark_sent(fx->db, id, first, NOW, &e), &e, CL_ECONFLICT,
		  "not being sent");
	fx_expect("old claim failed", outbox_mark_failed(fx->db, id, first, 0, "x", NOW, NULL, &e),
		  &e, CL_ECONFLICT, "not being sent");
	assert_int_equal(outbox_renew(fx->db, id, first, NOW + 99999, &held, NULL), CL_OK);
	assert_int_equal(held, 0);
	/* a stale load (attempts seen 0) cannot claim it either */
	assert_int_equal(outbox_claim(fx->db, &seen, NOW + 99999, NOW, third, &claimed, NULL),
			 CL_OK);
	assert_int_equal(claimed, 0);
	assert_int_equal(outbox_mark_sent(fx->db, id, second, NOW + 200, NULL), CL_OK);
	assert_int_equal(state_of(fx->db, id, &attempts, NULL), OB_SENT);
	assert_int_equal(attempts, 2);
	assert_int_equal(fx_int(fx->db, "SELECT claim = '' AND lease_until = 0 FROM outbox"), 1);
	outbox_notice_free(&seen);
}

/* Two connections (two sender processes) claim the same notice: one wins,
 * and no transaction is left open by either, so a third writer gets in. */
static void test_claim_two_connections(void **state)
{
	Fixture *fx = *state;
	int64_t id = add(fx->db, "fee_overdue", "ar@v.example", "2026-Q3", 1);
	char a[OUTBOX_CLAIM_BUF], b[OUTBOX_CLAIM_BUF];
	OutboxNotice seen;
	sqlite3 *other = NULL;
	int ca = 0, cb = 0;

	assert_int_equal(db_open(fx->path, &other, NULL), CL_OK);
	assert_int_equal(outbox_load(fx->db, id, &seen, NULL), CL_OK);
	assert_int_equal(outbox_claim(fx->db, &seen, NOW, NOW, a, &ca, NULL), CL_OK);
	assert_int_equal(outbox_claim(other, &seen, NOW, NOW, b, &cb, NULL), CL_OK);
	assert_int_equal(ca + cb, 1);
	assert_true(sqlite3_get_autocommit(fx->db));
	assert_true(sqlite3_get_autocommit(other));
	assert_int_equal(fx_sql(other, "BEGIN IMMEDIATE; CREATE TABLE t(x); COMMIT"), SQLITE_OK);
	outbox_notice_free(&seen);
	db_close(other);
}

/* KS-1 (2025-07-01..2026-06-30, due 45 days after each quarter) with no
 * report filed: a reminder 14 days before the due date, again once
 * overdue, and the same day twice adds nothing. */
static void test_queue_due_report_reminders(void **state)
{
	Fixture *fx = *state;
	int added = -1;

	assert_int_equal(fx_sql(fx->db, "INSERT INTO vendor_contact (vendor_id, name, email) "
					"SELECT id, 'Pat Peña', 'ar@prairie.example' FROM vendor"),
			 0);
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-10-30"), NOW, &added, NULL), CL_OK);
	assert_int_equal(added, 0); /* 2025-Q3 is due 2025-11-14: 15 days away */
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-10-31"), NOW, &added, NULL), CL_OK);
	assert_int_equal(added, 1);
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-11-14"), NOW, &added, NULL), CL_OK);
	assert_int_equal(added, 0);
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-11-15"), NOW, &added, NULL), CL_OK);
	assert_int_equal(added, 1);
	assert_int_equal(outbox_queue_due(fx->db, fx_date("2025-11-15"), NOW, &added, NULL), CL_OK);
	assert_int_equal(added, 0);
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM outbox WHERE contract = 'KS-1' AND "
				"period = '2025-Q3' AND recipient = 'ar@prairie.example' AND "
				"kind IN ('report_reminder', 'report_overdue')"),
			 2);
	/* the terminated contract KS-T is never chased */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE contract = 'KS-T'"), 0);
}

/* ---- when each kind becomes due (core/outbox.c queue rules) ---- */

/* Notice contacts: the vendor's, and one per participant of KS-1 (USD259,
 * the lead, from the start; USD233 joined 2025-10-01; NP-1, which can
 * have no lines). */
static void add_contacts(sqlite3 *db)
{
	assert_int_equal(
		fx_sql(db, "INSERT INTO vendor_contact (vendor_id, name, email) SELECT id, 'Pat', "
			   "'ar@prairie.example' FROM vendor;"
			   "INSERT INTO agency_contact (agency_id, name, email) SELECT id, 'Lee', "
			   "lower(code) || '@buyers.example' FROM agency;"
			   "INSERT INTO agency_contact (agency_id, name, email, receives_notices) "
			   "SELECT id, 'Off', 'quiet-' || lower(code) || '@buyers.example', 0 FROM "
			   "agency"),
		SQLITE_OK);
}

/* File KS-1's sales report for quarter on day filed with csv_rows (data
 * rows of agency_code,po_number,invoice_number,invoice_date,list_amount,
 * invoiced_amount). */
static void file_report(sqlite3 *db, const char *quarter, const char *filed, const char *rows)
{
	char csv[2048];
	ImportOptions o;
	ImportStatus st = IMPORT_REFUSED;
	ImportResult result;
	FILE *f;
	Err e = {0};

	snprintf(
		csv, sizeof csv,
		"agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n%s",
		rows);
	memset(&o, 0, sizeof o);
	o.contract = "KS-1";
	o.period = quarter;
	o.file_name = "report.csv";
	o.today = fx_date(filed);
	o.actor = FX_ACTOR;
	f = fmemopen(csv, strlen(csv), "r");
	assert_non_null(f);
	fx_expect(quarter, import_csv(db, f, &o, &result, &st, &e), &e, CL_OK, NULL);
	fclose(f);
	import_result_free(&result);
	assert_int_equal(st, IMPORT_WRITTEN);
}

/* Queue as of day; returns how many were added. */
static int queue_on(sqlite3 *db, const char *day)
{
	int added = -1;
	Err e = {0};

	fx_expect(day, outbox_queue_due(db, fx_date(day), NOW, &added, &e), &e, CL_OK, NULL);
	return added;
}

/* Notices of kind for period (recipients joined by ',', in order). */
static void expect_notices(sqlite3 *db, const char *kind, const char *period, const char *want)
{
	char sql[300], got[600];

	snprintf(sql, sizeof sql,
		 "SELECT coalesce(group_concat(recipient, ','), '') FROM (SELECT recipient FROM "
		 "outbox WHERE kind = '%s' AND period = '%s' ORDER BY recipient)",
		 kind, period);
	assert_true(db_text(db, got, sizeof got, sql, ""));
	if (strcmp(got, want) != 0)
		print_error("%s %s: got \"%s\", want \"%s\"\n", kind, period, got, want);
	assert_string_equal(got, want);
}

/* statement_ready and fee_statement: from the day the quarter's report is
 * filed to 45 days after, to the notice contacts of the participants with
 * purchases in the quarter (as `coopledger statements` writes them). */
static void test_statement_ready_due(void **state)
{
	Fixture *fx = *state;

	add_contacts(fx->db);
	file_report(fx->db, "2025-Q3", "2025-10-20", "USD259,PO-1,INV-1,2025-08-10,1000,400\n");
	/* not before the report is filed */
	assert_int_equal(queue_on(fx->db, "2025-10-19"), 0);
	/* 46 days after the filing: too late, nothing for 2025-Q3 */
	queue_on(fx->db, "2025-12-05");
	expect_notices(fx->db, "statement_ready", "2025-Q3", "");
	expect_notices(fx->db, "fee_statement", "2025-Q3", "");
	/* 45 days after: USD259 only (USD233 joined later and NP-1 bought
	 * nothing); a contact that takes no notices gets none */
	queue_on(fx->db, "2025-12-04");
	expect_notices(fx->db, "statement_ready", "2025-Q3", "usd259@buyers.example");
	expect_notices(fx->db, "fee_statement", "2025-Q3", "ar@prairie.example");
	/* the next quarter: only the agency that bought in it */
	file_report(fx->db, "2025-Q4", "2026-01-05",
		    "USD233,PO-2,INV-2,2025-11-03,500,200\nUSD233,PO-2,INV-3,2025-12-01,50,20\n");
	assert_int_equal(queue_on(fx->db, "2026-01-04"), 0);
	assert_int_equal(queue_on(fx->db, "2026-01-05"), 2);
	expect_notices(fx->db, "statement_ready", "2025-Q4", "usd233@buyers.example");
	expect_notices(fx->db, "fee_statement", "2025-Q4", "ar@prairie.example");
	assert_int_equal(fx_int(fx->db, "SELECT json_extract(data_json, '$.lines') FROM outbox "
					"WHERE kind = 'statement_ready' AND period = '2025-Q4'"),
			 2);
	assert_int_equal(queue_on(fx->db, "2026-01-20"), 0); /* once */
}

/* A credit-only quarter still has lines, so it still has a statement; a
 * participant whose lines all fall outside the quarter has none. */
static void test_statement_ready_lines_not_sums(void **state)
{
	Fixture *fx = *state;

	add_contacts(fx->db);
	file_report(fx->db, "2025-Q4", "2026-01-10",
		    "USD233,PO-3,CR-1,2025-11-20,-300,-120\nUSD259,PO-4,INV-9,2025-10-02,100,40\n");
	queue_on(fx->db, "2026-01-10");
	expect_notices(fx->db, "statement_ready", "2025-Q4",
		       "usd233@buyers.example,usd259@buyers.example");
	expect_notices(fx->db, "statement_ready", "2025-Q3", "");
}

/* fee_overdue: the day after the due date (quarter end + 45 days) while a
 * balance is unpaid; a quarter paid in time never gets one. */
static void test_fee_overdue_due(void **state)
{
	Fixture *fx = *state;
	RemitIn paid = {"KS-1", fx_quarter("2025-Q4"), 1000, fx_date("2026-02-01"), "ACH-1", 0};
	Err e = {0};

	add_contacts(fx->db);
	file_report(fx->db, "2025-Q3", "2025-10-20", "USD259,PO-1,INV-1,2025-08-10,1000,400\n");
	file_report(fx->db, "2025-Q4", "2026-01-05", "USD259,PO-5,INV-5,2025-11-10,1000,500\n");
	queue_on(fx->db, "2025-11-14"); /* 2025-Q3 is due today: not overdue yet */
	expect_notices(fx->db, "fee_overdue", "2025-Q3", "");
	queue_on(fx->db, "2025-11-15");
	expect_notices(fx->db, "fee_overdue", "2025-Q3", "ar@prairie.example");
	assert_true(db_text(fx->db, (char[64]){0}, 64,
			    "SELECT 1 FROM outbox WHERE kind = 'fee_overdue' AND json_extract("
			    "data_json, '$.balance') = '$8.00' AND json_extract(data_json, "
			    "'$.days_past_due') = 1",
			    ""));
	/* 2025-Q4's fee ($10.00) is remitted before its due date 2026-02-14 */
	fx_expect("remit", remit_add(fx->db, &paid, FX_ACTOR, NULL, &e), &e, CL_OK, NULL);
	queue_on(fx->db, "2026-03-01");
	expect_notices(fx->db, "fee_overdue", "2025-Q4", "");
	assert_int_equal(queue_on(fx->db, "2026-03-02"), 0);
}

/* report_reminder: only for a quarter that has ended, with no report, 14
 * days or fewer before its due date; a filed report stops reminders.  A
 * contract due 10 days after quarter end shows that a running quarter is
 * never chased, however near its due date. */
static void test_report_reminder_due(void **state)
{
	Fixture *fx = *state;
	char doc[1200];
	Err e = {0};

	add_contacts(fx->db);
	snprintf(doc, sizeof doc,
		 "{\"number\":\"KS-10\",\"title\":\"Fast reports\",\"category\":\"furniture\","
		 "\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\",\"start\":\"2025-07-01\","
		 "\"end\":\"2026-06-30\",\"solicitation\":\"RFP 25-0148\",\"due_days\":10,"
		 "\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\","
		 "\"bands\":[{\"from\":\"0\",\"rate\":\"2%%\"}]}}");
	fx_expect("KS-10", contract_import(fx->db, doc, strlen(doc), FX_ACTOR, NULL, &e), &e, CL_OK,
		  NULL);
	queue_on(fx->db, "2025-09-30"); /* KS-10 2025-Q3 due 2025-10-10, but still running */
	expect_notices(fx->db, "report_reminder", "2025-Q3", "");
	queue_on(fx->db, "2025-10-01"); /* ended, due in 9 days; KS-1's due in 44 */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE kind = "
					"'report_reminder' AND contract = 'KS-10' AND period = "
					"'2025-Q3'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE kind = "
					"'report_reminder' AND contract = 'KS-1'"),
			 0);
	/* KS-10 never files: overdue the day after its due date */
	queue_on(fx->db, "2025-10-10");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE contract = 'KS-10' AND "
					"kind = 'report_overdue' AND period = '2025-Q3'"),
			 0);
	queue_on(fx->db, "2025-10-11");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE contract = 'KS-10' AND "
					"kind = 'report_overdue' AND period = '2025-Q3' AND "
					"json_extract(data_json, '$.days_late') = 1"),
			 1);
	/* KS-1 files before its reminder would have been due: never reminded */
	file_report(fx->db, "2025-Q3", "2025-10-20", "USD259,PO-1,INV-1,2025-08-10,1000,400\n");
	queue_on(fx->db, "2025-11-01");
	queue_on(fx->db, "2025-11-20");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE contract = 'KS-1' AND "
					"kind IN ('report_reminder', 'report_overdue')"),
			 0);
}

/* The send button's outbox_queue_statement(): one agency's statement of a
 * quarter that has ended, whatever the filing window; refused with a
 * reason otherwise. */
static void test_queue_one_statement(void **state)
{
	Fixture *fx = *state;
	int added = -1;
	Err e = {0};

	add_contacts(fx->db);
	file_report(fx->db, "2025-Q4", "2026-01-05", "USD233,PO-2,INV-2,2025-11-03,500,200\n");
	fx_expect("running quarter",
		  outbox_queue_statement(fx->db, "KS-1", "USD233", fx_quarter("2026-Q1"),
					 fx_date("2026-03-31"), NOW, &added, &e),
		  &e, CL_ERULE, "has not ended");
	fx_expect("no purchases",
		  outbox_queue_statement(fx->db, "KS-1", "USD259", fx_quarter("2025-Q4"),
					 fx_date("2026-06-01"), NOW, &added, &e),
		  &e, CL_ERULE, "no purchases");
	fx_expect("terminated",
		  outbox_queue_statement(fx->db, "KS-T", "USD233", fx_quarter("2025-Q4"),
					 fx_date("2026-06-01"), NOW, &added, &e),
		  &e, CL_ERULE, "terminated");
	fx_expect("unknown",
		  outbox_queue_statement(fx->db, "KS-9", "USD233", fx_quarter("2025-Q4"),
					 fx_date("2026-06-01"), NOW, &added, &e),
		  &e, CL_ENOTFOUND, "no contract");
	/* long after the 45-day window, the button still queues it, once */
	fx_expect("queued",
		  outbox_queue_statement(fx->db, "KS-1", "USD233", fx_quarter("2025-Q4"),
					 fx_date("2026-06-01"), NOW, &added, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(added, 1);
	expect_notices(fx->db, "statement_ready", "2025-Q4", "usd233@buyers.example");
	assert_int_equal(outbox_queue_statement(fx->db, "KS-1", "USD233", fx_quarter("2025-Q4"),
						fx_date("2026-06-02"), NOW, &added, NULL),
			 CL_OK);
	assert_int_equal(added, 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox"), 1);
}

static void test_now_override(void **state)
{
	(void)state;
	setenv("COOPLEDGER_NOW", "1800000000", 1);
	assert_int_equal(outbox_now(), 1800000000LL);
	setenv("COOPLEDGER_NOW", "2026-11-25T00:00:10Z", 1);
	assert_int_equal(outbox_now(), (int64_t)fx_date("2026-11-25") * 86400 + 10);
	unsetenv("COOPLEDGER_NOW");
	assert_true(outbox_now() > NOW - 86400 * 365 * 5);
}

#define EMPTY_TEST(f) cmocka_unit_test_setup_teardown(f, fx_empty_setup, fx_teardown)
#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_table),
		EMPTY_TEST(test_queue_twice_adds_nothing),
		EMPTY_TEST(test_sent_once),
		EMPTY_TEST(test_temporary_failures_back_off),
		EMPTY_TEST(test_dead_after_max_attempts),
		EMPTY_TEST(test_claim_lease_and_takeover),
		EMPTY_TEST(test_claim_two_connections),
		WORLD_TEST(test_permanent_failure_is_dead_and_retry),
		WORLD_TEST(test_queue_due_report_reminders),
		WORLD_TEST(test_statement_ready_due),
		WORLD_TEST(test_statement_ready_lines_not_sums),
		WORLD_TEST(test_fee_overdue_due),
		WORLD_TEST(test_report_reminder_due),
		WORLD_TEST(test_queue_one_statement),
		cmocka_unit_test(test_now_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
