/*
 * test_joinreq.c — unit tests of core/joinreq.c: a join request's fields,
 * the contract active today, the hourly limits per client address and
 * per e-mail and the cap on pending requests, approval (agency, participant,
 * member invitation and the requester's notice in one transaction, all
 * rolled back when one step fails), the confirmation of a nonprofit's
 * public status, and decline.
 *
 * The standard world (fixture.h): KS-1 active 2025-07-01 .. 2026-06-30,
 * KS-T terminated; USD259, USD233, USD500 public; NP-1 not public.  Today
 * is 2025-11-15 and the clock T0 unless a test says otherwise.
 */
#include "account.h"
#include "fixture.h"
#include "joinreq.h"
#include "outbox.h"
#include "user.h"

#define T0 ((int64_t)1763200000) /* 2025-11-15T09:46:40Z */

static Date today(void)
{
	return fx_date("2025-11-15");
}

/* A valid request for KS-1 from a new agency. */
static JoinIn valid_request(void)
{
	JoinIn j = {"KS-1",
		    "Salina Public Schools",
		    "school_district",
		    "KS",
		    "",
		    "Pat Buyer",
		    "pat@salina.example",
		    1,
		    "10.0.0.1"};
	return j;
}

static int64_t count(sqlite3 *db, const char *sql)
{
	return fx_int(db, sql);
}

/* Send j at now; assert the answer code.  OUT: the id (0 when refused). */
static int64_t send_at(sqlite3 *db, const JoinIn *j, int64_t now, ClCode expect, int *retry)
{
	int64_t id = 0;
	int r = 0;
	Err e = {0};
	ClCode rc = joinreq_create(db, j, today(), now, &id, NULL, &r, &e);

	fx_expect("send", rc, &e, expect, NULL);
	if (retry)
		*retry = r;
	return rc ? 0 : id;
}

static void test_fields_are_checked_and_named(void **state)
{
	Fixture *fx = *state;
	char long_name[JOINREQ_NAME_MAX + 2];
	static const struct {
		int field; /* JoinField */
		const char *value;
		const char *words;
	} cases[] = {
		{JOIN_F_AGENCY_NAME, "", "agency name is required"},
		{JOIN_F_AGENCY_NAME, "LONG", "agency name is too long"},
		{JOIN_F_AGENCY_NAME, "Salina\nSchools", "agency name"},
		{JOIN_F_KIND, "church", "kind of agency"},
		{JOIN_F_STATE, "ks", "state"},
		{JOIN_F_STATE, "ZZ", "state"},
		{JOIN_F_STATE, "KSX", "state"},
		{JOIN_F_AGENCY_CODE, "USD 1", "agency code"},
		{JOIN_F_CONTACT_NAME, "", "contact name is required"},
		{JOIN_F_EMAIL, "pat@salina.example\r\nBcc: all@evil.example", "e-mail"},
		{JOIN_F_EMAIL, "pat@salina.example\nBcc:x@evil.example", "e-mail"},
		{JOIN_F_EMAIL, "<pat@salina.example>", "e-mail"},
		{JOIN_F_EMAIL, "pat", "e-mail"},
		{JOIN_F_PUBLIC_ENTITY, NULL, "public entity"},
	};
	size_t i;

	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	for (i = 0; i < N_ELEMS(cases); i++) {
		JoinIn j = valid_request();
		JoinField bad = JOIN_F_COUNT;
		const char *v = cases[i].value && strcmp(cases[i].value, "LONG") == 0
					? long_name
					: cases[i].value;
		int64_t id = 0;
		int retry = 0;
		Err e = {0};

		switch (cases[i].field) {
		case JOIN_F_AGENCY_NAME:
			j.agency_name = v;
			break;
		case JOIN_F_KIND:
			j.kind = v;
			break;
		case JOIN_F_STATE:
			j.state = v;
			break;
		case JOIN_F_AGENCY_CODE:
			j.agency_code = v;
			break;
		case JOIN_F_CONTACT_NAME:
			j.contact_name = v;
			break;
		case JOIN_F_EMAIL:
			j.email = v;
			break;
		default:
			j.public_entity = 0;
			break;
		}
		fx_expect(cases[i].words,
			  joinreq_create(fx->db, &j, today(), T0, &id, &bad, &retry, &e), &e,
			  CL_EINPUT, cases[i].words);
		assert_int_equal(bad, cases[i].field);
	}
	/* 200 characters exactly pass */
	{
		JoinIn j = valid_request();

		long_name[JOINREQ_NAME_MAX] = '\0';
		j.agency_name = long_name;
		assert_true(send_at(fx->db, &j, T0, CL_OK, NULL) > 0);
	}
	assert_int_equal(count(fx->db, "SELECT count(*) FROM join_request"), 1);
}

static void test_only_a_contract_active_today(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int64_t id;
	int retry;
	Err e = {0};

	j.contract = "KS-NONE";
	send_at(fx->db, &j, T0, CL_ENOTFOUND, NULL);
	j.contract = "KS-T"; /* terminated */
	send_at(fx->db, &j, T0, CL_ENOTFOUND, NULL);
	j.contract = "KS-1"; /* the day after its end */
	fx_expect("after the end",
		  joinreq_create(fx->db, &j, fx_date("2026-07-01"), T0, &id, NULL, &retry, &e), &e,
		  CL_ENOTFOUND, "not active");
	assert_int_equal(count(fx->db, "SELECT count(*) FROM join_request"), 0);
}

static void test_five_an_hour_per_address(void **state)
{
	Fixture *fx = *state;
	char email[64];
	int i, retry = 0;

	for (i = 0; i < 5; i++) {
		JoinIn j = valid_request();

		snprintf(email, sizeof email, "buyer%d@salina.example", i);
		j.email = email;
		assert_true(send_at(fx->db, &j, T0 + 10 * i, CL_OK, NULL) > 0);
	}
	{
		JoinIn j = valid_request();

		j.email = "other@salina.example";
		/* the oldest of the hour came at T0: free again at T0 + 3600,
		 * 3600 - 100 = 3500 seconds after T0 + 100 */
		send_at(fx->db, &j, T0 + 100, CL_ERULE, &retry);
		assert_int_equal(retry, 3500);
		j.client = "10.0.0.2"; /* another address passes */
		assert_true(send_at(fx->db, &j, T0 + 101, CL_OK, NULL) > 0);
		j.client = "10.0.0.1"; /* an hour after the first, the first no longer counts */
		j.email = "later@salina.example";
		assert_true(send_at(fx->db, &j, T0 + 3600, CL_OK, NULL) > 0);
	}
	assert_int_equal(count(fx->db, "SELECT count(*) FROM join_request"), 7);
}

static void test_five_an_hour_per_email(void **state)
{
	Fixture *fx = *state;
	char client[32];
	int i, retry = 0;
	JoinIn j = valid_request();

	for (i = 0; i < 5; i++) {
		snprintf(client, sizeof client, "10.0.1.%d", i);
		j.client = client;
		assert_true(send_at(fx->db, &j, T0 + i, CL_OK, NULL) > 0);
	}
	j.client = "10.0.2.1";
	j.email = "PAT@salina.example"; /* the same address in other case */
	send_at(fx->db, &j, T0 + 60, CL_ERULE, &retry);
	assert_int_equal(retry, 3540); /* T0 + 3600 - (T0 + 60) */
	assert_int_equal(count(fx->db, "SELECT count(*) FROM join_request"), 5);
}

static void test_pending_requests_are_capped(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int retry = 0;
	char sql[600];

	/* JOINREQ_PENDING_MAX pending requests from a day earlier */
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < %d) "
		 "INSERT INTO join_request(contract_id, agency_name, kind, us_state, contact_name, "
		 "email, public_statement, client, created_at, created_unix) SELECT %lld, 'A', "
		 "'city', 'KS', 'C', 'c' || k || '@x.example', 1, 'h' || k, 'x', %lld FROM n",
		 JOINREQ_PENDING_MAX, (long long)fx->ks1, (long long)(T0 - 86400));
	assert_int_equal(fx_sql(fx->db, sql), 0);
	send_at(fx->db, &j, T0, CL_ERULE, &retry);
	assert_int_equal(retry, JOINREQ_WINDOW);
	assert_int_equal(fx_sql(fx->db, "UPDATE join_request SET state = 'declined', "
					"decided_at = 'x', decline_reason = 'r' WHERE id = 1"),
			 0);
	assert_true(send_at(fx->db, &j, T0, CL_OK, NULL) > 0);
}

/* Counts of what an approval writes. */
typedef struct Counts {
	int64_t agencies, participants, users, notices, audits, pending;
} Counts;

static Counts counts(sqlite3 *db)
{
	Counts c = {count(db, "SELECT count(*) FROM agency"),
		    count(db, "SELECT count(*) FROM participant"),
		    count(db, "SELECT count(*) FROM app_user"),
		    count(db, "SELECT count(*) FROM outbox"),
		    count(db, "SELECT count(*) FROM audit_log"),
		    count(db, "SELECT count(*) FROM join_request WHERE state = 'pending'")};
	return c;
}

static void assert_unchanged(sqlite3 *db, Counts before)
{
	Counts now = counts(db);

	assert_int_equal(now.agencies, before.agencies);
	assert_int_equal(now.participants, before.participants);
	assert_int_equal(now.users, before.users);
	assert_int_equal(now.notices, before.notices);
	assert_int_equal(now.audits, before.audits);
	assert_int_equal(now.pending, before.pending);
}

static void test_approve_creates_all_in_one_go(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int64_t id = send_at(fx->db, &j, T0, CL_OK, NULL);
	Counts before = counts(fx->db);
	char text[300];
	Err e = {0};

	/* no code in the request and none chosen */
	fx_expect("no code",
		  joinreq_approve(fx->db, id, fx_date("2025-11-20"), NULL, 0, FX_ACTOR, T0, &e), &e,
		  CL_EINPUT, "agency code");
	assert_unchanged(fx->db, before);
	fx_expect("approve",
		  joinreq_approve(fx->db, id, fx_date("2025-11-20"), "USD305", 0, FX_ACTOR, T0, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(count(fx->db,
			       "SELECT count(*) FROM agency WHERE code = 'USD305' AND "
			       "name = 'Salina Public Schools' AND kind = 'school_district' "
			       "AND state = 'KS' AND public_entity = 1"),
			 1);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM participant p JOIN agency a ON "
				       "a.id = p.agency_id WHERE a.code = 'USD305' AND p.joined = "
				       "'2025-11-20'"),
			 1);
	assert_int_equal(count(fx->db,
			       "SELECT count(*) FROM app_user u JOIN agency a ON a.id = "
			       "u.agency_id WHERE u.email = 'pat@salina.example' AND u.role = "
			       "'member' AND a.code = 'USD305' AND u.password_hash = ''"),
			 1);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM outbox WHERE kind = 'user_invite' "
				       "AND recipient = 'pat@salina.example'"),
			 1);
	assert_true(db_text(fx->db, text, sizeof text,
			    "SELECT json_extract(data_json, '$.agency_code') || ' ' || "
			    "json_extract(data_json, '$.joined') || ' ' || json_extract(data_json, "
			    "'$.invited') FROM outbox WHERE kind = 'join_approved' AND recipient = "
			    "'pat@salina.example' AND contract = 'KS-1'",
			    ""));
	assert_string_equal(text, "USD305 2025-11-20 1");
	/* audited: the agency, the participant, the invitation, the decision */
	assert_int_equal(count(fx->db,
			       "SELECT count(*) FROM audit_log WHERE "
			       "(action = 'agency.add' AND entity_id = 'USD305') OR "
			       "(action = 'participant.add' AND entity_id = 'KS-1/USD305') OR "
			       "action IN ('user.invite', 'join.approve')"),
			 4);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM join_request WHERE state = "
				       "'approved' AND approved_code = 'USD305' AND joined = "
				       "'2025-11-20' AND decided_by = '" FX_ACTOR "'"),
			 1);
	/* a request is decided once */
	fx_expect("again",
		  joinreq_approve(fx->db, id, fx_date("2025-11-20"), "USD306", 0, FX_ACTOR, T0, &e),
		  &e, CL_ECONFLICT, "already approved");
}

static void test_a_failed_approval_writes_nothing(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int64_t id = send_at(fx->db, &j, T0, CL_OK, NULL);
	Counts before = counts(fx->db);
	Err e = {0};

	/* a code taken by an agency the request does not name */
	fx_expect("taken",
		  joinreq_approve(fx->db, id, fx_date("2025-11-20"), "USD500", 0, FX_ACTOR, T0, &e),
		  &e, CL_ECONFLICT, "taken by another agency");
	assert_unchanged(fx->db, before);
	/* the agency is created first, then the joined date is refused */
	fx_expect("outside the term",
		  joinreq_approve(fx->db, id, fx_date("2026-07-01"), "USD305", 0, FX_ACTOR, T0, &e),
		  &e, CL_EINPUT, "outside the contract term");
	assert_unchanged(fx->db, before);
	/* agency and participant are written, then the e-mail is a finance user's */
	assert_int_equal(fx_sql(fx->db, "INSERT INTO app_user(email, password_hash, role, "
					"created_at) VALUES ('pat@salina.example', '', 'finance', "
					"'x')"),
			 0);
	before = counts(fx->db);
	fx_expect("e-mail taken",
		  joinreq_approve(fx->db, id, fx_date("2025-11-20"), "USD305", 0, FX_ACTOR, T0, &e),
		  &e, CL_ECONFLICT, "already belongs to a user");
	assert_unchanged(fx->db, before);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM agency WHERE code = 'USD305'"), 0);
}

static void test_an_existing_agency_joins_under_its_code(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int64_t id, np;
	Counts before;
	Err e = {0};

	j.agency_code = "USD500";
	id = send_at(fx->db, &j, T0, CL_OK, NULL);
	before = counts(fx->db);
	fx_expect("existing",
		  joinreq_approve(fx->db, id, fx_date("2025-12-01"), NULL, 0, FX_ACTOR, T0, &e), &e,
		  CL_OK, NULL);
	assert_int_equal(counts(fx->db).agencies, before.agencies);
	assert_int_equal(counts(fx->db).participants, before.participants + 1);
	/* an agency recorded as not public is refused */
	j.agency_code = "NP-1";
	j.email = "np@helping.example";
	np = send_at(fx->db, &j, T0, CL_OK, NULL);
	before = counts(fx->db);
	fx_expect("not public",
		  joinreq_approve(fx->db, np, fx_date("2025-12-01"), NULL, 1, FX_ACTOR, T0, &e), &e,
		  CL_ERULE, "not a public entity");
	assert_unchanged(fx->db, before);
}

static void test_a_nonprofit_needs_staff_to_confirm(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int64_t id;
	Counts before;
	RowSet rs;
	Err e = {0};

	j.kind = "nonprofit";
	j.agency_name = "Salina Library Foundation";
	id = send_at(fx->db, &j, T0, CL_OK, NULL);
	assert_int_equal(joinreq_list(fx->db, "pending", &rs, &e), CL_OK);
	assert_int_equal(rs.nrow, 1);
	assert_int_equal(rowset_int(&rs, 0, "needs_confirm"), 1);
	rowset_free(&rs);
	before = counts(fx->db);
	fx_expect("unconfirmed",
		  joinreq_approve(fx->db, id, fx_date("2025-12-01"), "SLF", 0, FX_ACTOR, T0, &e),
		  &e, CL_ERULE, "confirm that Salina Library Foundation is a public entity");
	assert_unchanged(fx->db, before);
	fx_expect("confirmed",
		  joinreq_approve(fx->db, id, fx_date("2025-12-01"), "SLF", 1, FX_ACTOR, T0, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(count(fx->db, "SELECT public_confirmed FROM join_request"), 1);
	assert_int_equal(count(fx->db, "SELECT public_entity FROM agency WHERE code = 'SLF'"), 1);
}

static void test_decline_with_a_reason(void **state)
{
	Fixture *fx = *state;
	JoinIn j = valid_request();
	int64_t id = send_at(fx->db, &j, T0, CL_OK, NULL);
	Counts before = counts(fx->db);
	char text[200];
	Err e = {0};

	fx_expect("no reason", joinreq_decline(fx->db, id, "", FX_ACTOR, T0, &e), &e, CL_EINPUT,
		  "reason");
	fx_expect("two lines", joinreq_decline(fx->db, id, "a\nb", FX_ACTOR, T0, &e), &e, CL_EINPUT,
		  "reason");
	fx_expect("unknown", joinreq_decline(fx->db, id + 1, "x", FX_ACTOR, T0, &e), &e,
		  CL_ENOTFOUND, "no join request");
	assert_unchanged(fx->db, before);
	fx_expect("decline",
		  joinreq_decline(fx->db, id, "Kansas law lets you use it only through KASB",
				  FX_ACTOR, T0, &e),
		  &e, CL_OK, NULL);
	assert_true(db_text(fx->db, text, sizeof text,
			    "SELECT json_extract(data_json, '$.reason') FROM outbox WHERE kind = "
			    "'join_declined' AND recipient = 'pat@salina.example'",
			    ""));
	assert_string_equal(text, "Kansas law lets you use it only through KASB");
	assert_int_equal(count(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
				       "'join.decline'"),
			 1);
	fx_expect("approve after",
		  joinreq_approve(fx->db, id, fx_date("2025-12-01"), "X1", 0, FX_ACTOR, T0, &e), &e,
		  CL_ECONFLICT, "already declined");
	assert_int_equal(counts(fx->db).agencies, before.agencies);
}

#define JOIN_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		JOIN_TEST(test_fields_are_checked_and_named),
		JOIN_TEST(test_only_a_contract_active_today),
		JOIN_TEST(test_five_an_hour_per_address),
		JOIN_TEST(test_five_an_hour_per_email),
		JOIN_TEST(test_pending_requests_are_capped),
		JOIN_TEST(test_approve_creates_all_in_one_go),
		JOIN_TEST(test_a_failed_approval_writes_nothing),
		JOIN_TEST(test_an_existing_agency_joins_under_its_code),
		JOIN_TEST(test_a_nonprofit_needs_staff_to_confirm),
		JOIN_TEST(test_decline_with_a_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
