/* test_access.c — who may see which contract and agency (core/access.h),
 * one table row a principal and a record, on the standard world of
 * fixture.h. */
#include "fixture.h"

#include "access.h"

/* A principal of role bound to agency or vendor code (may be NULL). */
static Principal who(sqlite3 *db, Role role, const char *agency, const char *vendor)
{
	Principal p;
	char sql[160];

	memset(&p, 0, sizeof p);
	p.role = role;
	if (agency) {
		snprintf(p.agency, sizeof p.agency, "%s", agency);
		snprintf(sql, sizeof sql, "SELECT id FROM agency WHERE code = '%s'", agency);
		p.agency_id = fx_int(db, sql);
	}
	if (vendor) {
		snprintf(p.vendor, sizeof p.vendor, "%s", vendor);
		snprintf(sql, sizeof sql, "SELECT id FROM vendor WHERE code = '%s'", vendor);
		p.vendor_id = fx_int(db, sql);
	}
	return p;
}

static const struct {
	const char *label;
	Role role;
	const char *agency, *vendor; /* the principal's binding */
	const char *contract;	     /* asked for (NULL: none) */
	int contract_ok;
	const char *code; /* agency asked for (NULL: none) */
	int agency_ok;
} cases[] = {
	{"admin: every contract and agency", ROLE_ADMIN, NULL, NULL, "KS-T", 1, "USD500", 1},
	{"finance: the same", ROLE_FINANCE, NULL, NULL, "KS-1", 1, "NP-1", 1},
	{"staff: no such records", ROLE_ADMIN, NULL, NULL, "KS-NONE", 0, "USD999", 0},
	{"member: its contract and itself", ROLE_MEMBER, "USD233", NULL, "KS-1", 1, "USD233", 1},
	{"member: not a contract it is not in", ROLE_MEMBER, "USD233", NULL, "KS-T", 0, "USD259",
	 0},
	{"member in nothing: no contract", ROLE_MEMBER, "USD500", NULL, "KS-1", 0, "USD500", 1},
	{"vendor: its contracts, no agency", ROLE_VENDOR, NULL, "V-PRAIRIE", "KS-T", 1, "USD233",
	 0},
	{"another vendor: nothing", ROLE_VENDOR, NULL, "V-OTHER", "KS-1", 0, "USD259", 0},
	{"nothing asked", ROLE_ADMIN, NULL, NULL, NULL, 0, NULL, 0},
};

static void test_access_table(void **state)
{
	Fixture *fx = *state;
	size_t i;

	fx_vendor(fx->db, "V-OTHER");
	for (i = 0; i < N_ELEMS(cases); i++) {
		Principal p = who(fx->db, cases[i].role, cases[i].agency, cases[i].vendor);
		Err e = {0};
		int may = -1;

		fx_expect(cases[i].label, access_contract(fx->db, &p, cases[i].contract, &may, &e),
			  &e, CL_OK, NULL);
		if (may != cases[i].contract_ok)
			fail_msg("%s: contract %s: may %d", cases[i].label,
				 cases[i].contract ? cases[i].contract : "NULL", may);
		assert_int_equal(access_may_see_contract(fx->db, &p, cases[i].contract),
				 cases[i].contract_ok);
		fx_expect(cases[i].label, access_agency(fx->db, &p, cases[i].code, &may, &e), &e,
			  CL_OK, NULL);
		if (may != cases[i].agency_ok)
			fail_msg("%s: agency %s: may %d", cases[i].label,
				 cases[i].code ? cases[i].code : "NULL", may);
		assert_int_equal(access_may_see_agency(fx->db, &p, cases[i].code),
				 cases[i].agency_ok);
	}
}

/* A check that cannot read the database is an error, and the yes/no
 * form refuses. */
static void test_access_fails_closed(void **state)
{
	Fixture *fx = *state;
	Principal p = who(fx->db, ROLE_ADMIN, NULL, NULL);
	Err e = {0};
	int may = -1;

	assert_int_equal(fx_sql(fx->db, "ALTER TABLE contract RENAME TO contract_gone"), 0);
	assert_int_equal(access_contract(fx->db, &p, "KS-1", &may, &e), CL_EDB);
	assert_non_null(strstr(e.msg, "contract"));
	assert_int_equal(may, 0);
	assert_int_equal(access_may_see_contract(fx->db, &p, "KS-1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_access_table, fx_world_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_access_fails_closed, fx_world_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
