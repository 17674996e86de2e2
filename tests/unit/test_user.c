/*
 * test_user.c — unit tests of core/user.c: roles, adding users (argon2id
 * hashes, bindings to an agency or vendor) and signing in.
 *
 * The database holds agency USD259 and vendor V-PRAIRIE.  Each accepted
 * user costs an argon2id hash, so accepted cases are few.
 */
#include <sodium.h>

#include "fixture.h"
#include "user.h"

#define PASSWORD "correct horse battery"

static int user_setup(void **state)
{
	Fixture *fx;

	if (fx_empty_setup(state))
		return -1;
	fx = *state;
	fx_agency(fx->db, "USD259", "Wichita Public Schools", 1);
	fx_vendor(fx->db, "V-PRAIRIE");
	return 0;
}

static void test_role_parse(void **state)
{
	static const struct {
		const char *text;
		ClCode rc;
		Role role;
	} cases[] = {
		{"admin", CL_OK, ROLE_ADMIN},	    {"finance", CL_OK, ROLE_FINANCE},
		{"member", CL_OK, ROLE_MEMBER},	    {"vendor", CL_OK, ROLE_VENDOR},
		{"root", CL_EINPUT, ROLE_ADMIN},    {"", CL_EINPUT, ROLE_ADMIN},
		{NULL, CL_EINPUT, ROLE_ADMIN},	    {"admin ", CL_EINPUT, ROLE_ADMIN},
		{"members", CL_EINPUT, ROLE_ADMIN},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(cases); i++) {
		Role r = (Role)-1;
		Err e = {0};

		const char *label = cases[i].text ? cases[i].text : "(null)";

		fx_expect(label, role_parse(cases[i].text, &r, &e), &e, cases[i].rc,
			  "unknown role");
		if (cases[i].rc == CL_OK) {
			assert_int_equal(r, cases[i].role);
			assert_string_equal(role_name(r), cases[i].text);
		}
	}
}

/* Users refused before any hashing; none is written. */
static void test_user_add_refusals(void **state)
{
	static const struct {
		const char *email, *password;
		Role role;
		const char *agency, *vendor;
		ClCode rc;
		const char *words;
	} cases[] = {
		{"m@usd259.example", PASSWORD, ROLE_MEMBER, NULL, NULL, CL_EINPUT,
		 "a member user needs --agency"},
		{"m@usd259.example", PASSWORD, ROLE_MEMBER, "", NULL, CL_EINPUT, "needs --agency"},
		{"a@coop.example", PASSWORD, ROLE_ADMIN, "USD259", NULL, CL_EINPUT,
		 "only a member user is bound to an agency"},
		{"f@coop.example", PASSWORD, ROLE_FINANCE, "USD259", NULL, CL_EINPUT,
		 "only a member user"},
		{"v@prairie.example", PASSWORD, ROLE_VENDOR, NULL, NULL, CL_EINPUT,
		 "a vendor user needs --vendor"},
		{"a@coop.example", PASSWORD, ROLE_ADMIN, NULL, "V-PRAIRIE", CL_EINPUT,
		 "only a vendor user is bound to a vendor"},
		{"m@usd259.example", PASSWORD, ROLE_MEMBER, "USD259", "V-PRAIRIE", CL_EINPUT,
		 "only a vendor user"},
		{"a@coop.example", "123456789", ROLE_ADMIN, NULL, NULL, CL_EINPUT,
		 "at least 10 characters"},
		{"a@coop.example", "", ROLE_ADMIN, NULL, NULL, CL_EINPUT, "at least 10"},
		{"a@coop.example", NULL, ROLE_ADMIN, NULL, NULL, CL_EINPUT, "at least 10"},
		{"not-an-address", PASSWORD, ROLE_ADMIN, NULL, NULL, CL_EINPUT,
		 "\"not-an-address\" is not an e-mail address"},
		{"m@usd259.example", PASSWORD, ROLE_MEMBER, "USD999", NULL, CL_ENOTFOUND,
		 "\"USD999\""},
		{"v@prairie.example", PASSWORD, ROLE_VENDOR, NULL, "V-NONE", CL_ENOTFOUND,
		 "\"V-NONE\""},
	};
	Fixture *fx = *state;
	int64_t id = 0;
	size_t i;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++)
		fx_expect(cases[i].words,
			  user_add(fx->db, cases[i].email, cases[i].password, cases[i].role,
				   cases[i].agency, cases[i].vendor, FX_ACTOR, &id, &e),
			  &e, cases[i].rc, cases[i].words);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM app_user"), 0);
}

/* One user of each role, bound as the role requires. */
static void test_user_add_roles(void **state)
{
	static const struct {
		const char *email;
		Role role;
		const char *agency, *vendor;
	} cases[] = {
		{"admin@coop.example", ROLE_ADMIN, NULL, NULL},
		{"finance@coop.example", ROLE_FINANCE, NULL, NULL},
		{"buyer@usd259.example", ROLE_MEMBER, "USD259", NULL},
		{"sales@prairie.example", ROLE_VENDOR, NULL, "V-PRAIRIE"},
	};
	Fixture *fx = *state;
	int64_t id = 0;
	size_t i;
	Err e = {0};

	for (i = 0; i < N_ELEMS(cases); i++) {
		fx_expect(cases[i].email,
			  user_add(fx->db, cases[i].email, "0123456789", cases[i].role,
				   cases[i].agency, cases[i].vendor, FX_ACTOR, &id, &e),
			  &e, CL_OK, NULL);
		assert_int_equal(id, (int64_t)i + 1);
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM app_user u JOIN agency a ON "
					"a.id = u.agency_id WHERE u.role = 'member' AND a.code = "
					"'USD259' AND u.vendor_id IS NULL"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM app_user u JOIN vendor v ON "
					"v.id = u.vendor_id WHERE u.role = 'vendor' AND v.code = "
					"'V-PRAIRIE' AND u.agency_id IS NULL"),
			 1);
}

static void test_user_add_duplicate_email(void **state)
{
	Fixture *fx = *state;
	int64_t id = 0;
	Err e = {0};

	fx_expect("first",
		  user_add(fx->db, "Finance@Coop.example", PASSWORD, ROLE_FINANCE, NULL, NULL,
			   FX_ACTOR, &id, &e),
		  &e, CL_OK, NULL);
	fx_expect("again",
		  user_add(fx->db, "finance@coop.EXAMPLE", PASSWORD, ROLE_ADMIN, NULL, NULL,
			   FX_ACTOR, &id, &e),
		  &e, CL_ECONFLICT, "already exists");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM app_user"), 1);
}

/* The hash is argon2id and neither it nor the audit row holds the password. */
static void test_user_add_stores_hash_only(void **state)
{
	Fixture *fx = *state;
	char hash[256];
	int64_t id = 0;
	Err e = {0};

	fx_expect("add",
		  user_add(fx->db, "admin@coop.example", PASSWORD, ROLE_ADMIN, NULL, NULL, FX_ACTOR,
			   &id, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(db_text(fx->db, hash, sizeof hash,
				 "SELECT password_hash FROM app_user WHERE id = ?", "i", id),
			 1);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_null(strstr(hash, PASSWORD));
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = 'user.add' "
					"AND entity_id = 'admin@coop.example' AND "
					"json_extract(after, '$.role') = 'admin'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE "
					"instr(coalesce(before, '') || coalesce(after, ''), "
					"'" PASSWORD "') > 0 OR "
					"instr(coalesce(after, ''), '$argon2') > 0"),
			 0);
}

/* Every failure to sign in reads the same, so none reveals which it was. */
static void test_user_authenticate(void **state)
{
	static const struct {
		const char *email, *password;
		ClCode rc;
	} cases[] = {
		{"buyer@usd259.example", PASSWORD, CL_OK},
		{"BUYER@usd259.example", PASSWORD, CL_OK},
		{"buyer@usd259.example", "correct horse battery ", CL_ERULE},
		{"buyer@usd259.example", "Correct horse battery", CL_ERULE},
		{"buyer@usd259.example", "", CL_ERULE},
		{"buyer@usd259.example", NULL, CL_ERULE},
		{"nobody@usd259.example", PASSWORD, CL_ERULE},
		{"", PASSWORD, CL_ERULE},
		{NULL, PASSWORD, CL_ERULE},
	};
	Fixture *fx = *state;
	char first_refusal[ERR_MSG_MAX] = "";
	int64_t uid = 0, id;
	size_t i;
	Err e = {0};

	fx_expect("add",
		  user_add(fx->db, "buyer@usd259.example", PASSWORD, ROLE_MEMBER, "USD259", NULL,
			   FX_ACTOR, &uid, &e),
		  &e, CL_OK, NULL);
	for (i = 0; i < N_ELEMS(cases); i++) {
		id = -1;
		err_clear(&e);
		fx_expect(cases[i].email ? cases[i].email : "(null)",
			  user_authenticate(fx->db, cases[i].email, cases[i].password, &id, &e), &e,
			  cases[i].rc, "the e-mail or password is not right");
		assert_int_equal(id, cases[i].rc == CL_OK ? uid : 0);
		if (cases[i].rc == CL_OK)
			continue;
		if (!first_refusal[0])
			snprintf(first_refusal, sizeof first_refusal, "%s", e.msg);
		assert_string_equal(e.msg, first_refusal);
	}
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

#define USER_TEST(f) cmocka_unit_test_setup_teardown(f, user_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_parse),
		USER_TEST(test_user_add_refusals),
		USER_TEST(test_user_add_roles),
		USER_TEST(test_user_add_duplicate_email),
		USER_TEST(test_user_add_stores_hash_only),
		USER_TEST(test_user_authenticate),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
