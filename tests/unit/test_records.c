/*
 * test_records.c — unit tests of the records of DOMAIN.md section 3:
 * agencies and vendors (core/agency.c), contracts, participants and periods
 * (core/contract.c) and remittances (core/remit.c).
 *
 * Refusals are tables: the input, the code and words of the message.  Each
 * refusal must also leave the database as it was (no row, no audit row).
 */
#include <sodium.h>

#include "fixture.h"
#include "remit.h"

/* A read-only file over a string (glibc's fmemopen takes "" too). */
static FILE *text_file(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	return f;
}

static int64_t audits(sqlite3 *db)
{
	return fx_int(db, "SELECT count(*) FROM audit_log");
}

/* ---- agencies ----------------------------------------------------------- */

typedef struct AgencyCase {
	AgencyIn a;
	ClCode code;
	const char *words;
} AgencyCase;

#define OK_AGENCY(code)                                                                            \
	{                                                                                          \
		code, "Wichita Public Schools", "school_district", "KS", 1, NULL, NULL             \
	}

static const AgencyCase agency_cases[] = {
	{{"", "N", "city", "KS", 1, NULL, NULL}, CL_EINPUT, "code \"\": use 1 to 32"},
	{{NULL, "N", "city", "KS", 1, NULL, NULL}, CL_EINPUT, "code \"\": use 1 to 32"},
	{{"USD 259", "N", "city", "KS", 1, NULL, NULL}, CL_EINPUT, "code \"USD 259\""},
	{{"USD/259", "N", "city", "KS", 1, NULL, NULL}, CL_EINPUT, "code \"USD/259\""},
	{{"A234567890123456789012345678901234", "N", "city", "KS", 1, NULL, NULL},
	 CL_EINPUT,
	 "use 1 to 32"},
	{{"C1", "", "city", "KS", 1, NULL, NULL}, CL_EINPUT, "name is required"},
	{{"C1", "N", "town", "KS", 1, NULL, NULL}, CL_EINPUT, "unknown kind \"town\""},
	{{"C1", "N", "City", "KS", 1, NULL, NULL}, CL_EINPUT, "unknown kind \"City\""},
	{{"C1", "N", NULL, "KS", 1, NULL, NULL}, CL_EINPUT, "unknown kind \"\""},
	{{"C1", "N", "city", "ks", 1, NULL, NULL}, CL_EINPUT, "state \"ks\" must be a two-letter"},
	{{"C1", "N", "city", "KAN", 1, NULL, NULL}, CL_EINPUT, "state \"KAN\""},
	{{"C1", "N", "city", "K", 1, NULL, NULL}, CL_EINPUT, "state \"K\""},
	{{"C1", "N", "city", NULL, 1, NULL, NULL}, CL_EINPUT, "state \"\""},
	{{"C1", "N", "city", "KS", 1, NULL, "nobody"}, CL_EINPUT, "\"nobody\" is not an e-mail"},
	{{"C1", "N", "city", "KS", 1, NULL, "a@b"}, CL_EINPUT, "\"a@b\" is not an e-mail"},
	{{"C1", "N", "city", "KS", 1, NULL, "@b.org"}, CL_EINPUT, "is not an e-mail"},
	{{"C1", "N", "city", "KS", 1, NULL, "a b@c.org"}, CL_EINPUT, "is not an e-mail"},
	{{"C1", "N", "city", "KS", 1, NULL, "a@b@c.org"}, CL_EINPUT, "is not an e-mail"},
	{{"C1", "N", "city", "KS", 1, NULL, "a@b.org."}, CL_EINPUT, "is not an e-mail"},
	{OK_AGENCY("USD259"), CL_ECONFLICT, "agency USD259 already exists"},
	/* accepted */
	{{"a-Z_0.9", "N", "nonprofit", "MO", 0, NULL, NULL}, CL_OK, NULL},
	{{"C2", "N", "higher_ed", "KS", 1, "1 Main St", "buyer@city.example"}, CL_OK, NULL},
};

static void test_agency_add_table(void **state)
{
	Fixture *fx = *state;
	int64_t id = 0, n;
	size_t i;
	Err e = {0};

	fx_agency(fx->db, "USD259", "Wichita Public Schools", 1);
	for (i = 0; i < N_ELEMS(agency_cases); i++) {
		const AgencyCase *c = &agency_cases[i];
		char label[64];

		n = audits(fx->db);
		snprintf(label, sizeof label, "agency case %zu", i);
		fx_expect(label, agency_add(fx->db, &c->a, FX_ACTOR, &id, &e), &e, c->code,
			  c->words);
		assert_int_equal(audits(fx->db), n + (c->code == CL_OK));
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency"), 3);
	assert_int_equal(fx_int(fx->db, "SELECT public_entity FROM agency WHERE code = 'a-Z_0.9'"),
			 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency a JOIN agency_contact c ON "
					"c.agency_id = a.id WHERE a.code = 'C2' AND c.email = "
					"'buyer@city.example' AND a.address = '1 Main St'"),
			 1);
}

/* ---- agency import ------------------------------------------------------ */

static const char good_csv[] =
	"Code, Name ,Kind,State,Public Entity,EMAIL\r\n"
	"USD259,Wichita Public Schools,school_district,KS,yes,purchasing@usd259.example\r\n"
	"CITY-LAW,\"City of Lawrence, Kansas\",city,KS,1,\r\n"
	"NP-9,Helping Hands,nonprofit,KS,no,\r\n";

static void test_agency_import_good(void **state)
{
	Fixture *fx = *state;
	FILE *f = text_file(good_csv);
	int added = -1;
	Err e = {0};

	fx_expect("good", agency_import_csv(fx->db, f, NULL, FX_ACTOR, &added, &e), &e, CL_OK,
		  NULL);
	fclose(f);
	assert_int_equal(added, 3);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency"), 3);
	assert_int_equal(fx_int(fx->db, "SELECT sum(public_entity) FROM agency"), 2);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency WHERE code = 'CITY-LAW' AND "
					"name = 'City of Lawrence, Kansas'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency_contact"), 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM agency a JOIN agency_contact c ON "
					"c.agency_id = a.id WHERE a.code = 'USD259' AND c.email = "
					"'purchasing@usd259.example' AND a.public_entity = 1"),
			 1);
	assert_int_equal(audits(fx->db), 3);
}

/* Files refused as a whole: nothing is imported. */
static const struct {
	const char *label;
	const char *text;
	ClCode code;
	const char *words;
} bad_imports[] = {
	{"bad kind at row 3",
	 "code,name,kind,state\n"
	 "A1,One,city,KS\n"
	 "A2,Two,county,KS\n"
	 "A3,Three,village,KS\n"
	 "A4,Four,city,KS\n",
	 CL_EINPUT, "row 3 (line 4)"},
	{"bad yes/no at row 3, after a blank line",
	 "code,name,kind,state,public_entity\n"
	 "A1,One,city,KS,yes\n"
	 "\n"
	 "A2,Two,city,KS,no\n"
	 "A3,Three,city,KS,maybe\n",
	 CL_EINPUT, "row 3 (line 5), public_entity: \"maybe\""},
	{"duplicate code at row 3",
	 "code,name,kind,state\nA1,One,city,KS\nA2,Two,city,KS\nA1,Again,city,KS\n", CL_ECONFLICT,
	 "row 3 (line 4): agency A1 already exists"},
	{"no state column", "code,name,kind\nA1,One,city,KS\n", CL_EINPUT, "no \"state\" column"},
	{"no code column", "name,kind,state\nOne,city,KS\n", CL_EINPUT, "no \"code\" column"},
	{"empty file", "", CL_EINPUT, "the file is empty"},
	{"only blank lines", "\n\r\n\n", CL_EINPUT, "the file is empty"},
};

static void test_agency_import_refused(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(bad_imports); i++) {
		FILE *f = text_file(bad_imports[i].text);
		int added = -1;
		Fixture fx;
		Err e = {0};

		fx_open(&fx);
		fx_expect(bad_imports[i].label,
			  agency_import_csv(fx.db, f, NULL, FX_ACTOR, &added, &e), &e,
			  bad_imports[i].code, bad_imports[i].words);
		fclose(f);
		assert_int_equal(added, 0);
		assert_int_equal(fx_int(fx.db, "SELECT count(*) FROM agency"), 0);
		assert_int_equal(audits(fx.db), 0);
		fx_close(&fx);
	}
}

/* ---- vendors ------------------------------------------------------------ */

static void test_vendor_add(void **state)
{
	static const struct {
		const char *code, *name, *email;
		ClCode rc;
		const char *words;
	} cases[] = {
		{"V-PRAIRIE", "Prairie Furniture", "reports@prairie.example", CL_OK, NULL},
		{"V-PRAIRIE", "Other", NULL, CL_ECONFLICT, "vendor V-PRAIRIE already exists"},
		{"V PRAIRIE", "Other", NULL, CL_EINPUT, "vendor code \"V PRAIRIE\""},
		{"", "Other", NULL, CL_EINPUT, "vendor code \"\""},
		{"V2", "", NULL, CL_EINPUT, "name is required"},
		{"V2", "Other", "sales at prairie", CL_EINPUT, "is not an e-mail address"},
		{"V2", "Other", "", CL_OK, NULL},
	};
	Fixture *fx = *state;
	int64_t id = 0;
	size_t i;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++)
		fx_expect(cases[i].code,
			  vendor_add(fx->db, cases[i].code, cases[i].name, cases[i].email, FX_ACTOR,
				     &id, &e),
			  &e, cases[i].rc, cases[i].words);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor"), 2);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor_contact"), 1);
	assert_int_equal(audits(fx->db), 2);
	assert_int_equal(vendor_id(fx->db, "V2", &id, &e), CL_OK);
	assert_int_equal(id, 2);
	fx_expect("unknown", vendor_id(fx->db, "V9", &id, &e), &e, CL_ENOTFOUND, "\"V9\"");
}

/* ---- contracts ---------------------------------------------------------- */

static void test_contract_import(void **state)
{
	static const struct {
		const char *number, *lead, *vendor;
		ClCode rc;
		const char *words;
	} cases[] = {
		{"KS-9", "USD999", "V-PRAIRIE", CL_EINPUT,
		 "lead_agency: unknown agency \"USD999\""},
		{"KS-9", "USD259", "V-NONE", CL_EINPUT, "vendor: unknown vendor \"V-NONE\""},
		{"KS-1", "USD259", "V-PRAIRIE", CL_ECONFLICT, "contract KS-1 already exists"},
		{"KS-9", "USD233", "V-PRAIRIE", CL_OK, NULL},
	};
	Fixture *fx = *state;
	char doc[1024];
	size_t i;
	int64_t id = 0;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++) {
		fx_terms_doc(doc, sizeof doc, cases[i].number, cases[i].lead, cases[i].vendor,
			     "2025-09-01", "2027-08-31", "active");
		fx_expect(cases[i].words ? cases[i].words : "KS-9",
			  contract_import(fx->db, doc, strlen(doc), FX_ACTOR, &id, &e), &e,
			  cases[i].rc, cases[i].words);
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM contract"), 3);
	assert_int_equal(audits(fx->db), FX_WORLD_AUDITS + 1);
	/* the lead agency participates from the start */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM participant p JOIN agency a ON "
					"a.id = p.agency_id JOIN contract c ON c.id = "
					"p.contract_id WHERE c.number = 'KS-9'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM participant p JOIN agency a ON "
					"a.id = p.agency_id WHERE p.contract_id = 3 AND a.code = "
					"'USD233' AND p.joined = '2025-09-01'"),
			 1);
}

/* ---- participants ------------------------------------------------------- */

static void test_participant_add(void **state)
{
	static const struct {
		const char *contract, *agency, *joined;
		ClCode rc;
		const char *words;
	} cases[] = {
		{"KS-1", "USD500", "2025-06-30", CL_EINPUT,
		 "joined 2025-06-30 is outside the contract term 2025-07-01 to 2026-06-30"},
		{"KS-1", "USD500", "2026-07-01", CL_EINPUT, "joined 2026-07-01 is outside"},
		{"KS-1", "USD233", "2025-11-01", CL_ECONFLICT,
		 "agency USD233 already participates in contract KS-1"},
		{"KS-1", "USD259", "2025-07-01", CL_ECONFLICT, "USD259 already participates"},
		{"KS-1", "USD999", "2025-07-01", CL_ENOTFOUND, "\"USD999\""},
		{"KS-404", "USD500", "2025-07-01", CL_ENOTFOUND, "\"KS-404\""},
		{"KS-1", "USD500", "2026-06-30", CL_OK, NULL},
	};
	Fixture *fx = *state;
	size_t i;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++)
		fx_expect(cases[i].joined,
			  participant_add(fx->db, cases[i].contract, cases[i].agency,
					  fx_date(cases[i].joined), FX_ACTOR, &e),
			  &e, cases[i].rc, cases[i].words);
	/* world: KS-1 has USD259, USD233, NP-1; KS-T has USD259; plus USD500 */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM participant"), 5);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM participant WHERE joined = "
					"'2026-06-30' AND contract_id = 1"),
			 1);
	assert_int_equal(audits(fx->db), FX_WORLD_AUDITS + 1);
}

/* ---- periods ------------------------------------------------------------ */

static void test_period_close_reopen(void **state)
{
	Fixture *fx = *state;
	Quarter q = fx_quarter("2025-Q3");
	Err e = {0};

	assert_int_equal(period_is_closed(fx->db, q), 0);
	fx_expect("close", period_close(fx->db, q, FX_ACTOR, &e), &e, CL_OK, NULL);
	assert_int_equal(period_is_closed(fx->db, q), 1);
	assert_int_equal(period_is_closed(fx->db, fx_quarter("2025-Q4")), 0);
	fx_expect("close twice", period_close(fx->db, q, FX_ACTOR, &e), &e, CL_ECONFLICT,
		  "quarter 2025-Q3 is already closed");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'period.close' AND entity_id = '2025-Q3' AND "
					"json_extract(before, '$.status') = 'open' AND "
					"json_extract(after, '$.status') = 'closed'"),
			 1);

	fx_expect("no reason", period_reopen(fx->db, q, NULL, FX_ACTOR, &e), &e, CL_EINPUT,
		  "needs a reason");
	fx_expect("empty reason", period_reopen(fx->db, q, "", FX_ACTOR, &e), &e, CL_EINPUT,
		  "needs a reason");
	assert_int_equal(period_is_closed(fx->db, q), 1);
	fx_expect("reopen", period_reopen(fx->db, q, "late credit memo", FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	assert_int_equal(period_is_closed(fx->db, q), 0);
	fx_expect("reopen open", period_reopen(fx->db, q, "again", FX_ACTOR, &e), &e, CL_ECONFLICT,
		  "quarter 2025-Q3 is not closed");
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM audit_log WHERE action = "
				"'period.reopen' AND entity_id = '2025-Q3' AND actor = '" FX_ACTOR
				"' AND json_extract(after, '$.reason') = "
				"'late credit memo' AND json_extract(after, '$.status') = "
				"'open'"),
			 1);
	assert_int_equal(audits(fx->db), FX_WORLD_AUDITS + 2);
}

/* ---- remittances -------------------------------------------------------- */

static void test_remit_add(void **state)
{
	static const struct {
		const char *contract, *quarter;
		Money amount;
		const char *reference;
		ClCode rc;
		const char *words;
	} cases[] = {
		{"KS-1", "2025-Q3", 0, "ACH 1", CL_EINPUT, "amount must be more than zero"},
		{"KS-1", "2025-Q3", -100, "ACH 1", CL_EINPUT, "amount must be more than zero"},
		{"KS-1", "2025-Q3", 100, "", CL_EINPUT, "a reference (cheque or ACH number"},
		{"KS-1", "2025-Q3", 100, NULL, CL_EINPUT, "a reference"},
		{"KS-1", "2025-Q2", 100, "ACH 1", CL_EINPUT,
		 "quarter 2025-Q2 is outside the term of contract KS-1"},
		{"KS-1", "2026-Q3", 100, "ACH 1", CL_EINPUT, "quarter 2026-Q3 is outside the term"},
		{"KS-404", "2025-Q3", 100, "ACH 1", CL_ENOTFOUND, "\"KS-404\""},
		{"KS-1", "2025-Q3", 1, "CHK 1001", CL_OK, NULL},
		{"KS-1", "2026-Q2", 123456, "ACH 77", CL_OK, NULL},
	};
	Fixture *fx = *state;
	int64_t id = 0;
	size_t i;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++) {
		RemitIn r = {cases[i].contract,	    fx_quarter(cases[i].quarter), cases[i].amount,
			     fx_date("2025-11-01"), cases[i].reference,		  0};

		fx_expect(cases[i].quarter, remit_add(fx->db, &r, FX_ACTOR, &id, &e), &e,
			  cases[i].rc, cases[i].words);
	}
	assert_int_equal(id, 2);
	assert_int_equal(fx_int(fx->db, "SELECT sum(amount) FROM remittance"), 1 + 123456);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM remittance WHERE quarter = '2026-Q2' "
					"AND received = '2025-11-01' AND reference = 'ACH 77' AND "
					"recorded_by = '" FX_ACTOR "'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'remittance.add' AND json_extract(after, '$.amount') = "
					"'1234.56'"),
			 1);
	assert_int_equal(audits(fx->db), FX_WORLD_AUDITS + 2);
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

#define EMPTY_TEST(f) cmocka_unit_test_setup_teardown(f, fx_empty_setup, fx_teardown)
#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		EMPTY_TEST(test_agency_add_table),
		EMPTY_TEST(test_agency_import_good),
		cmocka_unit_test(test_agency_import_refused),
		EMPTY_TEST(test_vendor_add),
		WORLD_TEST(test_contract_import),
		WORLD_TEST(test_participant_add),
		WORLD_TEST(test_period_close_reopen),
		WORLD_TEST(test_remit_add),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
