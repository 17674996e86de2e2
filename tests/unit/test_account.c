/*
 * test_account.c — unit tests of core/account.c: invitations, the
 * lifetime and single use of set-password links (only their hash stored),
 * password resets, changing one's password and deactivation ending every
 * session and API token at once.
 *
 * The clock is explicit: T0 is the invitation's time, links are checked
 * at T0 + seconds.  The database holds agency USD259.
 */
#include <sodium.h>

#include "account.h"
#include "fixture.h"
#include "session.h"
#include "user.h"

#define PASSWORD "correct horse battery"
#define NEWPASS	 "a brand new secret"
#define T0	 ((int64_t)1796600000)

static int account_setup(void **state)
{
	Fixture *fx;

	if (fx_empty_setup(state))
		return -1;
	fx = *state;
	fx_agency(fx->db, "USD259", "Wichita Public Schools", 1);
	return 0;
}

static int64_t count(sqlite3 *db, const char *sql, const char *email)
{
	return db_int(db, -1, sql, "t", email);
}

/* Invite email as finance at T0 and mint the link its e-mail carries.
 * OUT: token. */
static void invite_with_link(sqlite3 *db, const char *email, char *token)
{
	Err e = {0};

	assert_int_equal(
		account_invite(db, email, ROLE_FINANCE, NULL, NULL, FX_ACTOR, T0, NULL, &e), CL_OK);
	assert_int_equal(account_link_token(db, email, "user_invite", T0 + ACCOUNT_INVITE_SECONDS,
					    T0 + 5, token, &e),
			 CL_OK);
}

static void test_invite_queues_a_link_and_no_password(void **state)
{
	Fixture *fx = *state;
	char data[400];
	int64_t uid;
	Err e = {0};

	assert_int_equal(account_invite(fx->db, "f@coop.example", ROLE_FINANCE, NULL, NULL,
					FX_ACTOR, T0, NULL, &e),
			 CL_OK);
	assert_int_equal(count(fx->db,
			       "SELECT count(*) FROM app_user WHERE email = ? AND "
			       "password_hash = '' AND disabled = 0",
			       "f@coop.example"),
			 1);
	/* no password signs an invited user in, not even an empty one */
	assert_int_equal(user_authenticate(fx->db, "f@coop.example", "", &uid, &e), CL_ERULE);
	assert_int_equal(user_authenticate(fx->db, "f@coop.example", PASSWORD, &uid, &e), CL_ERULE);
	assert_true(db_text(fx->db, data, sizeof data,
			    "SELECT data_json FROM outbox WHERE kind = 'user_invite' AND "
			    "recipient = ?",
			    "t", "f@coop.example"));
	assert_non_null(strstr(data, "\"expires_at\":1796859200")); /* T0 + 72 h */
	assert_null(strstr(data, "token"));
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM audit_log WHERE action = ?", "user.invite"), 1);
}

/* Refused invitations write nothing: no user, no notice, no audit row. */
static void test_invite_refusals_write_nothing(void **state)
{
	static const struct {
		const char *email;
		Role role;
		const char *agency;
		ClCode rc;
		const char *words;
	} cases[] = {
		{"not-an-address", ROLE_FINANCE, NULL, CL_EINPUT, "e-mail"},
		{"m@usd259.example", ROLE_MEMBER, NULL, CL_EINPUT, "needs --agency"},
		{"m@usd259.example", ROLE_MEMBER, "USD999", CL_ENOTFOUND, "USD999"},
		{"a@coop.example", ROLE_ADMIN, "USD259", CL_EINPUT, "only a member user"},
		{"taken@coop.example", ROLE_FINANCE, NULL, CL_ECONFLICT, "already exists"},
	};
	Fixture *fx = *state;
	Err e = {0};
	size_t i;

	assert_int_equal(account_invite(fx->db, "taken@coop.example", ROLE_ADMIN, NULL, NULL,
					FX_ACTOR, T0, NULL, &e),
			 CL_OK);
	for (i = 0; i < N_ELEMS(cases); i++) {
		err_clear(&e);
		fx_expect(cases[i].email,
			  account_invite(fx->db, cases[i].email, cases[i].role, cases[i].agency,
					 NULL, FX_ACTOR, T0 + 1 + (int64_t)i, NULL, &e),
			  &e, cases[i].rc, cases[i].words);
	}
	assert_int_equal(db_int(fx->db, -1, "SELECT count(*) FROM app_user", ""), 1);
	assert_int_equal(db_int(fx->db, -1, "SELECT count(*) FROM outbox", ""), 1);
	assert_int_equal(db_int(fx->db, -1, "SELECT count(*) FROM audit_log", ""),
			 1 + 1 /* fx_agency */);
}

static void test_link_stores_only_its_hash(void **state)
{
	Fixture *fx = *state;
	char token[ACCOUNT_TOKEN_BUF], hex[65];
	unsigned char h[crypto_hash_sha256_BYTES];

	invite_with_link(fx->db, "f@coop.example", token);
	assert_int_equal(strlen(token), 43);
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM password_token WHERE token_hash = ?", hex), 1);
	/* the token itself is nowhere: not in the links, the outbox or the log */
	assert_int_equal(
		count(fx->db,
		      "SELECT (SELECT count(*) FROM password_token WHERE instr(token_hash, "
		      "?1) OR instr(purpose, ?1)) + (SELECT count(*) FROM outbox WHERE "
		      "instr(data_json, ?1)) + (SELECT count(*) FROM audit_log WHERE "
		      "instr(coalesce(after, ''), ?1))",
		      token),
		0);
}

static void test_link_lasts_72_hours(void **state)
{
	Fixture *fx = *state;
	char token[ACCOUNT_TOKEN_BUF];
	Err e = {0};

	invite_with_link(fx->db, "f@coop.example", token);
	assert_int_equal(account_link_check(fx->db, token, T0 + ACCOUNT_INVITE_SECONDS - 1, &e),
			 CL_OK);
	fx_expect("at 72 h", account_link_check(fx->db, token, T0 + ACCOUNT_INVITE_SECONDS, &e), &e,
		  CL_EINPUT, "expired");
	fx_expect("set at 72 h",
		  account_password_set(fx->db, token, NEWPASS, T0 + ACCOUNT_INVITE_SECONDS, NULL, 0,
				       &e),
		  &e, CL_EINPUT, "expired");
	/* a link is not even made once its time is over */
	fx_expect("mint late",
		  account_link_token(fx->db, "f@coop.example", "user_invite",
				     T0 + ACCOUNT_INVITE_SECONDS, T0 + ACCOUNT_INVITE_SECONDS,
				     token, &e),
		  &e, CL_ERULE, "expired");
	assert_int_equal(count(fx->db,
			       "SELECT count(*) FROM app_user WHERE email = ? AND "
			       "password_hash = ''",
			       "f@coop.example"),
			 1);
}

static void test_link_sets_the_password_once(void **state)
{
	Fixture *fx = *state;
	char token[ACCOUNT_TOKEN_BUF], other[ACCOUNT_TOKEN_BUF], email[256];
	int64_t uid, id;
	Err e = {0};

	invite_with_link(fx->db, "f@coop.example", token);
	/* a second sending of the e-mail made a second link */
	assert_int_equal(account_link_token(fx->db, "f@coop.example", "user_invite",
					    T0 + ACCOUNT_INVITE_SECONDS, T0 + 60, other, &e),
			 CL_OK);
	/* a refused password uses nothing up */
	fx_expect("short", account_password_set(fx->db, token, "short", T0 + 70, NULL, 0, &e), &e,
		  CL_EINPUT, "at least 10");
	fx_expect("unknown",
		  account_password_set(fx->db, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				       NEWPASS, T0 + 70, NULL, 0, &e),
		  &e, CL_EINPUT, "not one we sent");
	assert_int_equal(
		account_password_set(fx->db, token, NEWPASS, T0 + 80, email, sizeof email, &e),
		CL_OK);
	assert_string_equal(email, "f@coop.example");
	assert_int_equal(user_authenticate(fx->db, "f@coop.example", NEWPASS, &uid, &e), CL_OK);
	/* used once: this link and every other open link of the user */
	fx_expect("again", account_password_set(fx->db, token, PASSWORD, T0 + 90, NULL, 0, &e), &e,
		  CL_EINPUT, "used already");
	fx_expect("other", account_password_set(fx->db, other, PASSWORD, T0 + 90, NULL, 0, &e), &e,
		  CL_EINPUT, "used already");
	assert_int_equal(user_authenticate(fx->db, "f@coop.example", NEWPASS, &id, &e), CL_OK);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM audit_log WHERE action = ?",
			       "user.password_set"),
			 1);
}

static void test_reset_request_says_nothing(void **state)
{
	Fixture *fx = *state;
	Err e = {0};
	int i;

	assert_int_equal(user_add(fx->db, "f@coop.example", PASSWORD, ROLE_FINANCE, NULL, NULL,
				  FX_ACTOR, NULL, &e),
			 CL_OK);
	assert_int_equal(account_reset_request(fx->db, "F@coop.example", "10.0.0.1", T0), 0);
	assert_int_equal(account_reset_request(fx->db, "nobody@coop.example", "10.0.0.1", T0), 0);
	/* one notice, to the address as the user has it */
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM outbox WHERE kind = ?", "password_reset"), 1);
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM outbox WHERE recipient = ?", "f@coop.example"),
		1);
	/* the e-mail's throttle: five requests in the window, then none */
	for (i = 1; i < LOGIN_MAX_FAILURES; i++)
		assert_int_equal(
			account_reset_request(fx->db, "f@coop.example", "10.0.0.2", T0 + i), 0);
	assert_int_equal(account_reset_request(fx->db, "f@coop.example", "10.0.0.3", T0 + 10), 1);
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM outbox WHERE kind = ?", "password_reset"),
		LOGIN_MAX_FAILURES);
	/* sign-in is throttled apart: the resets took none of its tries */
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM login_attempt WHERE client = ?", "10.0.0.1"),
		0);
}

static void test_deactivate_ends_sessions_and_tokens(void **state)
{
	Fixture *fx = *state;
	char secret[SESSION_SECRET_BUF], csrf[SESSION_SECRET_BUF], api[SESSION_SECRET_BUF];
	char token[ACCOUNT_TOKEN_BUF];
	int64_t uid, admin, tid;
	Principal p;
	Err e = {0};

	assert_int_equal(user_add(fx->db, "boss@coop.example", PASSWORD, ROLE_ADMIN, NULL, NULL,
				  FX_ACTOR, &admin, &e),
			 CL_OK);
	assert_int_equal(user_add(fx->db, "f@coop.example", PASSWORD, ROLE_FINANCE, NULL, NULL,
				  FX_ACTOR, &uid, &e),
			 CL_OK);
	assert_int_equal(session_create(fx->db, uid, (time_t)T0, secret, csrf, &e), CL_OK);
	assert_int_equal(api_token_create(fx->db, uid, "script", api, &tid, &e), CL_OK);
	assert_int_equal(account_link_token(fx->db, "f@coop.example", "password_reset", T0 + 3600,
					    T0, token, &e),
			 CL_OK);
	assert_int_equal(session_lookup(fx->db, secret, (time_t)T0 + 10, &p, &e), CL_OK);
	assert_int_equal(api_token_lookup(fx->db, api, (time_t)T0 + 10, &p, &e), CL_OK);

	assert_int_equal(account_deactivate(fx->db, "f@coop.example", FX_ACTOR, T0 + 20, &e),
			 CL_OK);
	fx_expect("session", session_lookup(fx->db, secret, (time_t)T0 + 30, &p, &e), &e,
		  CL_ENOTFOUND, NULL);
	fx_expect("token", api_token_lookup(fx->db, api, (time_t)T0 + 30, &p, &e), &e, CL_ENOTFOUND,
		  NULL);
	fx_expect("link", account_password_set(fx->db, token, NEWPASS, T0 + 30, NULL, 0, &e), &e,
		  CL_EINPUT, "used already");
	fx_expect("password", user_authenticate(fx->db, "f@coop.example", PASSWORD, &uid, &e), &e,
		  CL_ERULE, NULL);
	assert_int_equal(db_int(fx->db, -1, "SELECT count(*) FROM user_session", ""), 0);
	assert_int_equal(db_int(fx->db, -1,
				"SELECT count(*) FROM api_token WHERE revoked_at IS NOT NULL", ""),
			 1);
	assert_int_equal(
		count(fx->db, "SELECT count(*) FROM audit_log WHERE action = ?", "user.deactivate"),
		1);
	fx_expect("twice", account_deactivate(fx->db, "f@coop.example", FX_ACTOR, T0 + 40, &e), &e,
		  CL_ERULE, "deactivated already");
	fx_expect("unknown", account_deactivate(fx->db, "x@coop.example", FX_ACTOR, T0 + 40, &e),
		  &e, CL_ENOTFOUND, "no user");
	fx_expect("last admin",
		  account_deactivate(fx->db, "boss@coop.example", FX_ACTOR, T0 + 40, &e), &e,
		  CL_ERULE, "last active admin");
	/* no reset is sent to a deactivated user */
	assert_int_equal(account_reset_request(fx->db, "f@coop.example", "", T0 + 50), 0);
	assert_int_equal(db_int(fx->db, -1, "SELECT count(*) FROM outbox", ""), 0);
}

static void test_password_change_ends_other_sessions(void **state)
{
	Fixture *fx = *state;
	char mine[SESSION_SECRET_BUF], other[SESSION_SECRET_BUF], csrf[SESSION_SECRET_BUF];
	int64_t uid, id;
	Principal p;
	Err e = {0};

	assert_int_equal(user_add(fx->db, "f@coop.example", PASSWORD, ROLE_FINANCE, NULL, NULL,
				  FX_ACTOR, &uid, &e),
			 CL_OK);
	assert_int_equal(session_create(fx->db, uid, (time_t)T0, mine, csrf, &e), CL_OK);
	assert_int_equal(session_create(fx->db, uid, (time_t)T0, other, csrf, &e), CL_OK);
	assert_int_equal(session_lookup(fx->db, mine, (time_t)T0 + 1, &p, &e), CL_OK);
	fx_expect("wrong current",
		  account_password_change(fx->db, uid, "not it at all", NEWPASS, p.session_id,
					  T0 + 2, &e),
		  &e, CL_EINPUT, "current password is not right");
	fx_expect("short new",
		  account_password_change(fx->db, uid, PASSWORD, "short", p.session_id, T0 + 2, &e),
		  &e, CL_EINPUT, "at least 10");
	assert_int_equal(session_lookup(fx->db, other, (time_t)T0 + 3, &p, &e), CL_OK);
	assert_int_equal(session_lookup(fx->db, mine, (time_t)T0 + 3, &p, &e), CL_OK);
	assert_int_equal(
		account_password_change(fx->db, uid, PASSWORD, NEWPASS, p.session_id, T0 + 4, &e),
		CL_OK);
	assert_int_equal(session_lookup(fx->db, mine, (time_t)T0 + 5, &p, &e), CL_OK);
	fx_expect("other session", session_lookup(fx->db, other, (time_t)T0 + 5, &p, &e), &e,
		  CL_ENOTFOUND, NULL);
	assert_int_equal(user_authenticate(fx->db, "f@coop.example", NEWPASS, &id, &e), CL_OK);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM audit_log WHERE action = ?",
			       "user.password_change"),
			 1);
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

#define ACCOUNT_TEST(f) cmocka_unit_test_setup_teardown(f, account_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ACCOUNT_TEST(test_invite_queues_a_link_and_no_password),
		ACCOUNT_TEST(test_invite_refusals_write_nothing),
		ACCOUNT_TEST(test_link_stores_only_its_hash),
		ACCOUNT_TEST(test_link_lasts_72_hours),
		ACCOUNT_TEST(test_link_sets_the_password_once),
		ACCOUNT_TEST(test_reset_request_says_nothing),
		ACCOUNT_TEST(test_deactivate_ends_sessions_and_tokens),
		ACCOUNT_TEST(test_password_change_ends_other_sessions),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
