/*
 * fuzz_json_api.c — JSON bodies of the API (web/api.c): every input is the
 * body of POST /api/v1/tokens (api_tokens_create) and of POST
 * /api/v1/contracts/KS-TEST-2025/remittances (api_remit) in turn, each
 * handler called with a Req as the router would make it: the scratch
 * database of world.h, a signed-in finance user, a client address, a
 * fixed today.
 *
 * The world has the finance user of FIN_EMAIL / FIN_PASSWORD and an e-mail
 * throttled by failed sign-ins for a year.  Password hashes are made with
 * the cheapest argon2id settings (crypto_pwhash_str below), the dummy hash
 * of unknown e-mails too, so that a sign-in costs little.  After a request
 * that changed the database it is restored from a copy, so that every
 * input meets the same world.
 *
 * Properties, from the body as the handlers read it (cJSON, first key of a
 * name wins, e-mails equal without regard to ASCII case):
 *   - tokens: 400 for a body with a NUL, or not an object with non-empty
 *     "email" and "password" strings of at most SIGNIN_EMAIL_MAX and
 *     USER_PASSWORD_MAX bytes; then 429 for the throttled e-mail, 201 for
 *     the right e-mail and password, with a token that signs that user in,
 *     and 401 otherwise;
 *   - remittances: 400 unless an object with "period", "amount", "received"
 *     and "reference" strings that parse, a positive amount, a received
 *     date not after today, a reference of one line of 1..64 bytes and a
 *     quarter that overlaps the contract term; then 201 and a row with
 *     those values;
 *   - every answer is a JSON object, with an "error" message for a status
 *     of 400 and more; no transaction is left open.
 */
#include "fuzz.h"

#include <sodium.h>
#include <strings.h>
#include <time.h>

#include "handlers.h"
#include "remit.h"
#include "session.h"
#include "signin.h"
#include "text.h"
#include "user.h"
#include "world.h"

#define FIN_EMAIL    "finance@coop.example"
#define FIN_PASSWORD "correct horse battery"
#define LOCKED_EMAIL "locked@coop.example"

static sqlite3 *db, *pristine;
static sqlite3_int64 clean_changes;
static Principal staff;
static Date today, term_start, term_end;

/* libsodium's, at the cheapest settings whatever is asked: the harness
 * checks what the API does with a sign-in, not what a guess costs. */
int crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char *const passwd,
		      unsigned long long passwdlen, unsigned long long opslimit, size_t memlimit)
{
	(void)opslimit;
	(void)memlimit;
	return crypto_pwhash_str_alg(out, passwd, passwdlen, crypto_pwhash_OPSLIMIT_MIN,
				     crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_DEFAULT);
}

/* The key login_attempt keeps for an e-mail: hex SHA-256 of its ASCII
 * lower case (core/session.c). */
static void email_key(const char *email, char key[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char low[256];
	size_t i;

	for (i = 0; email[i] && i + 1 < sizeof low; i++)
		low[i] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] + 32) : email[i];
	crypto_hash_sha256(h, (const unsigned char *)low, i);
	sodium_bin2hex(key, 65, h, sizeof h);
}

static void copy_db(sqlite3 *from, sqlite3 *to)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");

	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		fprintf(stderr, "fuzz world: copying the database: %s\n", sqlite3_errmsg(to));
		abort();
	}
	sqlite3_backup_finish(b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int64_t uid = 0, later = (int64_t)time(NULL) + 365 * 86400;
	char key[65];
	Err e = {0};
	int i;

	(void)argc;
	(void)argv;
	db = world_open();
	world_ok("user",
		 user_add(db, FIN_EMAIL, FIN_PASSWORD, ROLE_FINANCE, NULL, NULL, WORLD_ACTOR, &uid,
			  &e),
		 &e);
	email_key(LOCKED_EMAIL, key);
	for (i = 0; i < LOGIN_MAX_FAILURES; i++)
		world_ok("throttle",
			 db_exec(db, &e,
				 "INSERT INTO login_attempt(email, client, at) VALUES (?, '', ?)",
				 "ti", key, later),
			 &e);
	world_ok("principal", principal_load(db, uid, &staff, &e), &e);
	world_ok("today", date_parse(WORLD_TODAY, &today, &e), &e);
	world_ok("term", date_parse("2025-07-01", &term_start, &e), &e);
	world_ok("term", date_parse("2028-06-30", &term_end, &e), &e);
	if (sqlite3_open(":memory:", &pristine) != SQLITE_OK)
		abort();
	copy_db(db, pristine);
	clean_changes = sqlite3_total_changes64(db);
	return 0;
}

static void req_init(Req *r, const uint8_t *data, size_t size, const char *path)
{
	memset(r, 0, sizeof *r);
	r->method = "POST";
	r->path = path;
	r->is_api = 1;
	buf_init(&r->body, (size_t)1 << 20);
	if (size && buf_append(&r->body, data, size))
		abort();
	r->db = db;
	r->today = today;
	r->who = staff;
	r->signed_in = 1;
	r->via_token = 1;
	snprintf(r->client, sizeof r->client, "192.0.2.7");
}

static void req_free(Req *r)
{
	int i;

	for (i = 0; i < r->nparam; i++)
		free(r->param[i]);
	buf_free(&r->body);
	free(r->resp.body);
}

/* The answer as JSON: an object, with an error message from 400 on. */
static cJSON *answer_json(const Req *r, const char *what)
{
	cJSON *o = r->resp.body ? cJSON_ParseWithLength(r->resp.body, r->resp.len) : NULL;

	FUZZ_CHECK(cJSON_IsObject(o), "%s: %d with a body that is no JSON object", what,
		   r->resp.status);
	FUZZ_CHECK(r->resp.type && strcmp(r->resp.type, "application/json") == 0,
		   "%s: answered as %s", what, r->resp.type ? r->resp.type : "(none)");
	if (r->resp.status >= 400) {
		const char *msg =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "error"));

		FUZZ_CHECK(msg && *msg, "%s: %d without an error message", what, r->resp.status);
	}
	return o;
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* 1 when the body is one the handlers refuse before parsing it. */
static int has_nul(const uint8_t *data, size_t size)
{
	return json_check_nul("body", size ? (const char *)data : "", size, NULL) != CL_OK;
}

static void check_tokens(const uint8_t *data, size_t size)
{
	cJSON *body = size ? cJSON_ParseWithLength((const char *)data, size) : NULL, *o;
	const char *email = str(body, "email"), *password = str(body, "password");
	int want;
	Principal p;
	Req r;

	if ((size && memchr(data, 0, size)) || has_nul(data, size) || !cJSON_IsObject(body) ||
	    !email || !password || !*email || !*password || strlen(email) > SIGNIN_EMAIL_MAX ||
	    strlen(password) > USER_PASSWORD_MAX)
		want = 400;
	else if (strcasecmp(email, LOCKED_EMAIL) == 0)
		want = 429;
	else if (strcasecmp(email, FIN_EMAIL) == 0 && strcmp(password, FIN_PASSWORD) == 0)
		want = 201;
	else
		want = 401;
	req_init(&r, data, size, "/api/v1/tokens");
	api_tokens_create(&r);
	FUZZ_CHECK(r.resp.status == want, "tokens: %d, not %d: %.*s", r.resp.status, want,
		   (int)r.resp.len, r.resp.body ? r.resp.body : "");
	o = answer_json(&r, "tokens");
	if (want == 201) {
		const char *token = str(o, "token");
		Err e = {0};

		FUZZ_CHECK(token && api_token_lookup(db, token, time(NULL), &p, &e) == CL_OK &&
				   strcmp(p.email, FIN_EMAIL) == 0,
			   "tokens: the new token does not sign in (%s)", e.msg);
	}
	cJSON_Delete(o);
	cJSON_Delete(body);
	req_free(&r);
}

/* The status api_remit must answer for body; OUT: the parsed values. */
static int remit_want(const cJSON *body, RemitIn *in)
{
	const char *period = str(body, "period"), *amount = str(body, "amount");
	const char *received = str(body, "received"), *ref = str(body, "reference");
	size_t nref;

	if (!cJSON_IsObject(body) || !period || !amount || !received || !ref)
		return 400;
	if (text_check_line("reference", ref, NULL))
		return 400;
	if (quarter_parse(period, &in->quarter, NULL) || money_parse(amount, &in->amount, NULL) ||
	    date_parse(received, &in->received, NULL))
		return 400;
	in->reference = ref;
	nref = strlen(ref);
	if (in->received > today || in->amount <= 0 || nref < 1 || nref > 64 ||
	    quarter_last_day(in->quarter) < term_start || quarter_first_day(in->quarter) > term_end)
		return 400;
	return 201;
}

static void check_remit(const uint8_t *data, size_t size)
{
	cJSON *body = size ? cJSON_ParseWithLength((const char *)data, size) : NULL, *o;
	RemitIn in = {0};
	int want = (size && memchr(data, 0, size)) || has_nul(data, size) ? 400
									  : remit_want(body, &in);
	Req r;

	req_init(&r, data, size, "/api/v1/contracts/" WORLD_CONTRACT "/remittances");
	r.param[r.nparam++] = strdup(WORLD_CONTRACT);
	api_remit(&r);
	FUZZ_CHECK(r.resp.status == want, "remittances: %d, not %d: %.*s", r.resp.status, want,
		   (int)r.resp.len, r.resp.body ? r.resp.body : "");
	o = answer_json(&r, "remittances");
	if (want == 201) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "remittance");
		char qt[QUARTER_BUF], day[DATE_BUF];

		FUZZ_CHECK(cJSON_IsNumber(id) && id->valuedouble >= 1, "remittances: no id");
		FUZZ_CHECK(db_int(db, 0,
				  "SELECT count(*) FROM remittance r JOIN contract c ON "
				  "c.id = r.contract_id WHERE r.id = ? AND c.number = ? AND "
				  "r.quarter = ? AND r.amount = ? AND r.received = ? AND "
				  "r.reference = ?",
				  "ittitt", (int64_t)id->valuedouble, WORLD_CONTRACT,
				  quarter_format(in.quarter, qt), (int64_t)in.amount,
				  date_format(in.received, day), in.reference) == 1,
			   "remittances: the row does not hold what was sent");
	}
	cJSON_Delete(o);
	cJSON_Delete(body);
	req_free(&r);
}

/* Back to the world as it was made, when a request changed it. */
static void restore(void)
{
	FUZZ_CHECK(sqlite3_get_autocommit(db), "a transaction is left open");
	if (sqlite3_total_changes64(db) == clean_changes)
		return;
	copy_db(pristine, db);
	clean_changes = sqlite3_total_changes64(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_tokens(data, size);
	restore();
	check_remit(data, size);
	restore();
	return 0;
}
