/*
 * test_agencies.c — unit tests of changing agencies and their contacts
 * (core/agency.c) and of enrolling agencies in a contract and listing the
 * participants (core/participant.c), on the standard world of fixture.h.
 *
 * Each refusal must leave the database as it was: no row changed, no
 * audit row.
 */
#include <sodium.h>

#include "fixture.h"
#include "participant.h"

static int64_t audits(sqlite3 *db)
{
	return fx_int(db, "SELECT count(*) FROM audit_log");
}

/* The row of the latest audit entry: action, before and after joined by
 * '|' into buf (size n). */
static const char *last_audit(sqlite3 *db, char *buf, size_t n)
{
	assert_true(db_text(db, buf, n,
			    "SELECT action || '|' || coalesce(before, '') || '|' || "
			    "coalesce(after, '') FROM audit_log ORDER BY id DESC LIMIT 1",
			    ""));
	return buf;
}

/* ---- each field on its own -------------------------------------------- */

/* The form's field check says what agency_add() says of the same field. */
static void test_check_field_matches_add(void **state)
{
	static const struct {
		AgencyIn a;
		AgencyField f;
	} cases[] = {
		{{"USD 9", "N", "city", "KS", 1, NULL, NULL}, AGENCY_F_CODE},
		{{"C9", "", "city", "KS", 1, NULL, NULL}, AGENCY_F_NAME},
		{{"C9", "N", "town", "KS", 1, NULL, NULL}, AGENCY_F_KIND},
		{{"C9", "N", "city", "Kansas", 1, NULL, NULL}, AGENCY_F_STATE},
		{{"C9", "N", "city", "KS", 1, "line\x01", NULL}, AGENCY_F_ADDRESS},
		{{"C9", "N", "city", "KS", 1, NULL, "a@b"}, AGENCY_F_EMAIL},
	};
	Fixture *fx = *state;
	int64_t before = audits(fx->db);
	size_t i;

	for (i = 0; i < N_ELEMS(cases); i++) {
		Err add = {0}, one = {0};
		int f;

		assert_int_equal(agency_add(fx->db, &cases[i].a, FX_ACTOR, NULL, &add), CL_EINPUT);
		assert_int_equal(agency_check_field(&cases[i].a, cases[i].f, &one), CL_EINPUT);
		assert_string_equal(one.msg, add.msg);
		for (f = 0; f < AGENCY_F_COUNT; f++)
			if (f != (int)cases[i].f)
				assert_int_equal(
					agency_check_field(&cases[i].a, (AgencyField)f, NULL),
					CL_OK);
	}
	assert_int_equal(audits(fx->db), before);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency WHERE code = 'C9'"), 0);
}

/* ---- changing an agency ------------------------------------------------ */

static void test_agency_update(void **state)
{
	Fixture *fx = *state;
	AgencyIn a = {"USD233",
		      "Olathe Unified Schools",
		      "school_district",
		      "KS",
		      1,
		      "14160 Black Bob Rd, Olathe KS",
		      NULL};
	char row[600];
	Err e = {0};
	int64_t before = audits(fx->db);

	fx_expect("update", agency_update(fx->db, &a, FX_ACTOR, &e), &e, CL_OK, NULL);
	assert_int_equal(audits(fx->db), before + 1);
	assert_non_null(strstr(last_audit(fx->db, row, sizeof row),
			       "agency.edit|{\"name\":\"Olathe Public Schools\""));
	assert_non_null(strstr(row, "|{\"name\":\"Olathe Unified Schools\""));
	assert_non_null(strstr(row, "\"address\":\"14160 Black Bob Rd, Olathe KS\"}"));
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM agency WHERE code = 'USD233' AND "
				"name = 'Olathe Unified Schools' AND address LIKE '14160%'"),
			 1);
	/* the same again changes nothing and writes no audit row */
	fx_expect("same", agency_update(fx->db, &a, FX_ACTOR, &e), &e, CL_OK, NULL);
	assert_int_equal(audits(fx->db), before + 1);
	/* not public any more: the flag is written and audited */
	a.public_entity = 0;
	fx_expect("not public", agency_update(fx->db, &a, FX_ACTOR, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_int(fx->db, "SELECT public_entity FROM agency WHERE code = 'USD233'"),
			 0);
	assert_non_null(strstr(last_audit(fx->db, row, sizeof row), "\"public_entity\":true"));
	assert_non_null(strstr(row, "\"public_entity\":false"));
}

static void test_agency_update_refused(void **state)
{
	static const struct {
		AgencyIn a;
		ClCode code;
		const char *words;
	} cases[] = {
		{{"NOPE", "N", "city", "KS", 1, NULL, NULL},
		 CL_ENOTFOUND,
		 "no agency has the code"},
		{{"USD233", "", "city", "KS", 1, NULL, NULL}, CL_EINPUT, "name is required"},
		{{"USD233", "N", "village", "KS", 1, NULL, NULL}, CL_EINPUT, "unknown kind"},
		{{"USD233", "N", "city", "kS", 1, NULL, NULL}, CL_EINPUT, "two-letter code"},
		{{"USD233", "N", "city", "KS", 1, "a\x7f", NULL}, CL_EINPUT, "agency address"},
	};
	Fixture *fx = *state;
	int64_t before = audits(fx->db);
	size_t i;

	for (i = 0; i < N_ELEMS(cases); i++) {
		Err e = {0};

		fx_expect(cases[i].words, agency_update(fx->db, &cases[i].a, FX_ACTOR, &e), &e,
			  cases[i].code, cases[i].words);
	}
	assert_int_equal(audits(fx->db), before);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency WHERE code = 'USD233' AND "
					"name = 'Olathe Public Schools'"),
			 1);
}

/* ---- contacts ---------------------------------------------------------- */

static void test_contacts(void **state)
{
	Fixture *fx = *state;
	ContactIn c = {"Pat Buyer", "pat@usd233.example", "", 1};
	char row[600];
	int64_t id = 0, other = 0, before = audits(fx->db);
	RowSet rs;
	Err e = {0};

	fx_expect("add", agency_contact_add(fx->db, "USD233", &c, FX_ACTOR, &id, &e), &e, CL_OK,
		  NULL);
	assert_true(id > 0);
	assert_non_null(strstr(last_audit(fx->db, row, sizeof row),
			       "agency.contact.add||{\"name\":\"Pat Buyer\",\"email\":"
			       "\"pat@usd233.example\",\"role\":\"purchasing\",\"receives_"
			       "notices\":true}"));
	fx_expect("twice", agency_contact_add(fx->db, "USD233", &c, FX_ACTOR, NULL, &e), &e,
		  CL_ECONFLICT, "already has a contact pat@usd233.example");
	c = (ContactIn){"Finance office", "ap@usd233.example", "finance", 0};
	fx_expect("second", agency_contact_add(fx->db, "USD233", &c, FX_ACTOR, &other, &e), &e,
		  CL_OK, NULL);
	assert_int_equal(audits(fx->db), before + 2);
	/* change: the e-mail of the other contact is refused */
	c = (ContactIn){"Pat Buyer", "ap@usd233.example", "purchasing", 1};
	fx_expect("taken", agency_contact_update(fx->db, "USD233", id, &c, FX_ACTOR, &e), &e,
		  CL_ECONFLICT, "already has a contact ap@usd233.example");
	c.email = "pat.buyer@usd233.example";
	c.receives_notices = 0;
	fx_expect("edit", agency_contact_update(fx->db, "USD233", id, &c, FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	assert_non_null(strstr(last_audit(fx->db, row, sizeof row),
			       "agency.contact.edit|{\"name\":\"Pat Buyer\",\"email\":\"pat@"));
	assert_non_null(strstr(row, "\"receives_notices\":false}"));
	/* another agency's contact is not found through this one */
	fx_expect("foreign", agency_contact_update(fx->db, "USD500", id, &c, FX_ACTOR, &e), &e,
		  CL_ENOTFOUND, "no contact");
	fx_expect("foreign remove", agency_contact_remove(fx->db, "USD500", id, FX_ACTOR, &e), &e,
		  CL_ENOTFOUND, "no contact");
	assert_int_equal(audits(fx->db), before + 3);
	fx_expect("remove", agency_contact_remove(fx->db, "USD233", other, FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	assert_non_null(strstr(last_audit(fx->db, row, sizeof row),
			       "agency.contact.remove|{\"name\":\"Finance office\""));
	fx_expect("list", agency_contacts(fx->db, "USD233", &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 1);
	assert_string_equal(rowset_text(&rs, 0, "email"), "pat.buyer@usd233.example");
	assert_int_equal(rowset_int(&rs, 0, "receives_notices"), 0);
	rowset_free(&rs);
}

static void test_contacts_refused(void **state)
{
	static const struct {
		const char *agency;
		ContactIn c;
		ClCode code;
		const char *words;
	} cases[] = {
		{"USD233", {"", "a@b.example", NULL, 1}, CL_EINPUT, "contact name is required"},
		{"USD233", {"A", "", NULL, 1}, CL_EINPUT, "contact e-mail is required"},
		{"USD233", {"A", "a@b", NULL, 1}, CL_EINPUT, "is not an e-mail"},
		{"USD233", {"A", "a b@c.example", NULL, 1}, CL_EINPUT, "is not an e-mail"},
		{"USD233",
		 {"A", "a@b.example",
		  "a role longer than sixty characters, which is far too long for the column", 1},
		 CL_EINPUT,
		 "at most 60"},
		{"NOPE", {"A", "a@b.example", NULL, 1}, CL_ENOTFOUND, "no agency has the code"},
	};
	Fixture *fx = *state;
	int64_t before = audits(fx->db);
	size_t i;

	for (i = 0; i < N_ELEMS(cases); i++) {
		Err e = {0};

		fx_expect(cases[i].words,
			  agency_contact_add(fx->db, cases[i].agency, &cases[i].c, FX_ACTOR, NULL,
					     &e),
			  &e, cases[i].code, cases[i].words);
	}
	assert_int_equal(audits(fx->db), before);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency_contact"), 0);
}

/* ---- enrolling --------------------------------------------------------- */

static void test_enroll_many(void **state)
{
	Fixture *fx = *state;
	const char *codes[] = {"USD500", "PUB-2", "PUB-3"};
	int added = 0;
	Err e = {0};
	int64_t before;

	fx_agency(fx->db, "PUB-2", "Second public agency", 1);
	fx_agency(fx->db, "PUB-3", "Third public agency", 1);
	before = audits(fx->db);
	fx_expect("enroll",
		  participant_enroll(fx->db, "KS-1", codes, 3, fx_date("2025-09-01"), FX_ACTOR,
				     &added, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(added, 3);
	assert_int_equal(audits(fx->db), before + 3);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM participant WHERE contract_id = "
					"(SELECT id FROM contract WHERE number = 'KS-1') AND "
					"joined = '2025-09-01'"),
			 3);
}

static void test_enroll_refused(void **state)
{
	static const struct {
		const char *codes[3];
		int n;
		const char *joined;
		ClCode code;
		const char *words;
	} cases[] = {
		{{"USD500", "NP-2"},
		 2,
		 "2025-09-01",
		 CL_ERULE,
		 "agency NP-2 is not a public entity"},
		{{"USD500", "NOPE"},
		 2,
		 "2025-09-01",
		 CL_ENOTFOUND,
		 "no agency has the code \"NOPE\""},
		{{"USD500", "USD500"}, 2, "2025-09-01", CL_EINPUT, "agency USD500 is named twice"},
		{{"USD500"},
		 1,
		 "2026-07-01",
		 CL_EINPUT,
		 "agency USD500: joined 2026-07-01 is outside the contract term"},
		{{"USD500", "USD233"},
		 2,
		 "2025-09-01",
		 CL_ECONFLICT,
		 "agency USD233 already participates in contract KS-1"},
		{{NULL}, 0, "2025-09-01", CL_EINPUT, "choose at least one agency"},
	};
	Fixture *fx = *state;
	int64_t before, parts;
	size_t i;

	fx_agency(fx->db, "NP-2", "A private school", 0);
	before = audits(fx->db);
	parts = fx_int(fx->db, "SELECT count(*) FROM participant");
	for (i = 0; i < N_ELEMS(cases); i++) {
		int added = -1;
		Err e = {0};

		fx_expect(cases[i].words,
			  participant_enroll(fx->db, "KS-1", cases[i].codes, cases[i].n,
					     fx_date(cases[i].joined), FX_ACTOR, &added, &e),
			  &e, cases[i].code, cases[i].words);
		assert_int_equal(added, 0);
	}
	assert_int_equal(audits(fx->db), before);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM participant"), parts);
}

/* The list counts each participant's live lines invoiced up to today. */
static void test_participant_list(void **state)
{
	Fixture *fx = *state;
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-08-01", 8000);
	RowSet rs;
	Err e = {0};
	int i, seen = 0;

	fx_append_ok(fx->db, &p);
	p = fx_line(fx->ks1, "INV-2", "2025-09-01", 1000);
	fx_append_ok(fx->db, &p);
	fx_expect("list", participant_list(fx->db, "KS-1", fx_date("2025-08-15"), &rs, &e), &e,
		  CL_OK, NULL);
	for (i = 0; i < rs.nrow; i++) {
		if (strcmp(rowset_text(&rs, i, "code"), "USD259") != 0)
			continue;
		seen = 1;
		assert_string_equal(rowset_text(&rs, i, "joined"), "2025-07-01");
		assert_int_equal(rowset_int(&rs, i, "lines"), 1);
		assert_int_equal(rowset_int(&rs, i, "net_sales"), 8000);
	}
	assert_int_equal(rs.nrow, 3); /* USD259, NP-1 and USD233 */
	assert_true(seen);
	rowset_free(&rs);
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
		WORLD_TEST(test_check_field_matches_add), WORLD_TEST(test_agency_update),
		WORLD_TEST(test_agency_update_refused),	  WORLD_TEST(test_contacts),
		WORLD_TEST(test_contacts_refused),	  WORLD_TEST(test_enroll_many),
		WORLD_TEST(test_enroll_refused),	  WORLD_TEST(test_participant_list),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
