/* session.c — sessions and API tokens; see session.h. */
#include "session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "text.h"

/* Fresh secret text and the hex SHA-256 that is stored for it. */
static void new_secret(char *secret, char hash[65])
{
	unsigned char raw[32], h[crypto_hash_sha256_BYTES];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(secret, SESSION_SECRET_BUF, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(hash, 65, h, sizeof h);
}

static void secret_hash(const char *secret, char hash[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(hash, 65, h, sizeof h);
}

/* UTC "YYYY-MM-DDTHH:MM:SSZ" of t. */
static char *stamp(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, TIMESTAMP_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

ClCode session_create(sqlite3 *db, int64_t user_id, time_t now, char *secret, char *csrf, Err *e)
{
	char hash[65], unused[65], a[TIMESTAMP_BUF], b[TIMESTAMP_BUF];

	new_secret(secret, hash);
	new_secret(csrf, unused);
	/* housekeeping only: an expired session is refused whether or not it is
	 * deleted, so a failure here need not stop the sign-in */
	(void)!db_exec(db, NULL, "DELETE FROM user_session WHERE expires_at < ?", "t",
		       stamp(now, a));
	return db_exec(db, e,
		       "INSERT INTO user_session(user_id, token_hash, csrf_token, created_at, "
		       "last_seen, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
		       "ittt"
		       "t",
		       user_id, hash, csrf, stamp(now, a),
		       stamp(now + SESSION_ABSOLUTE_SECONDS, b));
}

/* The user of st's current row (principal_load's query) into p. */
static ClCode principal_read(sqlite3_stmt *st, int64_t user_id, Principal *p, Err *e)
{
	p->user_id = user_id;
	snprintf(p->email, sizeof p->email, "%s", (const char *)sqlite3_column_text(st, 0));
	if (role_parse((const char *)sqlite3_column_text(st, 1), &p->role, NULL))
		return err_set(e, CL_EDB, "user %lld has an unknown role", (long long)user_id);
	p->agency_id = sqlite3_column_int64(st, 2);
	snprintf(p->agency, sizeof p->agency, "%s", (const char *)sqlite3_column_text(st, 3));
	p->vendor_id = sqlite3_column_int64(st, 4);
	snprintf(p->vendor, sizeof p->vendor, "%s", (const char *)sqlite3_column_text(st, 5));
	return CL_OK;
}

ClCode principal_load(sqlite3 *db, int64_t user_id, Principal *p, Err *e)
{
	ClCode rc, end;
	int found = 0;
	DbRows q;

	memset(p, 0, sizeof *p);
	rc = db_rows(
		&q, db, e,
		"SELECT u.email, u.role, u.agency_id, coalesce(a.code, ''), u.vendor_id, "
		"coalesce(v.code, '') FROM app_user u LEFT JOIN agency a ON a.id = u.agency_id "
		"LEFT JOIN vendor v ON v.id = u.vendor_id WHERE u.id = ? AND u.disabled = 0",
		"i", user_id);
	if (!rc && (found = db_rows_next(&q)))
		rc = principal_read(q.st, user_id, p, e);
	end = db_rows_end(&q, "reading the user", e);
	if (rc || end) {
		memset(p, 0, sizeof *p);
		return rc ? rc : end;
	}
	if (!found)
		return err_set(e, CL_ENOTFOUND, "no such user");
	return CL_OK;
}

static const char session_sql[] =
	"SELECT s.id, s.csrf_token, s.last_seen, u.id, u.email, u.role, "
	"coalesce(u.agency_id, 0), coalesce(ag.code, ''), coalesce(u.vendor_id, 0), "
	"coalesce(v.code, '') FROM user_session s JOIN app_user u ON u.id = s.user_id "
	"LEFT JOIN agency ag ON ag.id = u.agency_id LEFT JOIN vendor v ON "
	"v.id = u.vendor_id WHERE s.token_hash = ? AND s.expires_at > ? AND "
	"s.last_seen > ? AND u.disabled = 0";

/* The session of st's current row (session_sql) into p.  Returns 2 when
 * its idle timer is over a minute old, else 1. */
static int session_read(sqlite3_stmt *st, time_t now, Principal *p)
{
	char minute[TIMESTAMP_BUF];

	p->session_id = sqlite3_column_int64(st, 0);
	snprintf(p->csrf, sizeof p->csrf, "%s", (const char *)sqlite3_column_text(st, 1));
	p->user_id = sqlite3_column_int64(st, 3);
	snprintf(p->email, sizeof p->email, "%s", (const char *)sqlite3_column_text(st, 4));
	if (role_parse((const char *)sqlite3_column_text(st, 5), &p->role, NULL))
		return 0; /* a damaged role signs no one in */
	p->agency_id = sqlite3_column_int64(st, 6);
	snprintf(p->agency, sizeof p->agency, "%s", (const char *)sqlite3_column_text(st, 7));
	p->vendor_id = sqlite3_column_int64(st, 8);
	snprintf(p->vendor, sizeof p->vendor, "%s", (const char *)sqlite3_column_text(st, 9));
	stamp(now - 60, minute);
	return strcmp((const char *)sqlite3_column_text(st, 2), minute) < 0 ? 2 : 1;
}

ClCode session_lookup(sqlite3 *db, const char *secret, time_t now, Principal *p, Err *e)
{
	char hash[65], a[TIMESTAMP_BUF], idle[TIMESTAMP_BUF];
	sqlite3_stmt *st = NULL;
	int found = 0;
	ClCode rc;
	DbRows q;

	memset(p, 0, sizeof *p);
	if (!secret || strlen(secret) != SESSION_SECRET_BUF - 5)
		return err_set(e, CL_ENOTFOUND, "not signed in");
	secret_hash(secret, hash);
	stamp(now, a);
	stamp(now - SESSION_IDLE_SECONDS, idle);
	/* one query, kept prepared (every request makes it): the session, its
	 * user and the user's binding */
	if (db_prepare_kept(db, &st, session_sql, e))
		return CL_EDB;
	db_bind_spec(st, "ttt", hash, a, idle);
	db_rows_on(&q, db, st, DB_ROWS_KEPT);
	if (db_rows_next(&q))
		found = session_read(q.st, now, p);
	rc = db_rows_end(&q, "reading the session", e);
	if (rc || !found) {
		memset(p, 0, sizeof *p);
		return rc ? rc : err_set(e, CL_ENOTFOUND, "not signed in");
	}
	/* refresh the idle timer at most once a minute; best effort: a failure
	 * only lets the session idle out sooner */
	if (found == 2)
		db_note(db, "UPDATE user_session SET last_seen = ? WHERE id = ?", "ti", a,
			p->session_id);
	return CL_OK;
}

ClCode session_delete(sqlite3 *db, const char *secret, Err *e)
{
	char hash[65];

	if (!secret)
		return CL_OK;
	secret_hash(secret, hash);
	return db_exec(db, e, "DELETE FROM user_session WHERE token_hash = ?", "t", hash);
}

ClCode api_token_create(sqlite3 *db, int64_t user_id, const char *name, char *secret, int64_t *id,
			Err *e)
{
	char hash[65], a[TIMESTAMP_BUF];
	ClCode rc;

	if (!name || strlen(name) > 100)
		return err_set(e, CL_EINPUT, "a token name has at most 100 characters");
	if (text_check_line("token name", name, e))
		return CL_EINPUT;
	new_secret(secret, hash);
	rc = db_exec(
		db, e,
		"INSERT INTO api_token(user_id, name, token_hash, created_at) VALUES (?,?,?,?)",
		"itt"
		"t",
		user_id, name, hash, stamp(time(NULL), a));
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

static const char token_sql[] =
	"SELECT t.id, coalesce(t.last_used, ''), u.id, u.email, u.role, coalesce(u.agency_id, 0), "
	"coalesce(ag.code, ''), coalesce(u.vendor_id, 0), coalesce(v.code, '') FROM api_token t "
	"JOIN app_user u ON u.id = t.user_id LEFT JOIN agency ag ON ag.id = u.agency_id "
	"LEFT JOIN vendor v ON v.id = u.vendor_id WHERE t.token_hash = ? AND t.revoked_at IS NULL "
	"AND u.disabled = 0";

/* The token of st's current row (token_sql) into p.  OUT: *stale (its
 * last use is over a minute old).  Returns the token's id, 0 if refused. */
static int64_t token_read(sqlite3_stmt *st, const char *minute, int *stale, Principal *p)
{
	*stale = strcmp((const char *)sqlite3_column_text(st, 1), minute) < 0;
	p->user_id = sqlite3_column_int64(st, 2);
	snprintf(p->email, sizeof p->email, "%s", (const char *)sqlite3_column_text(st, 3));
	if (role_parse((const char *)sqlite3_column_text(st, 4), &p->role, NULL))
		return 0; /* a damaged role signs no one in */
	p->agency_id = sqlite3_column_int64(st, 5);
	snprintf(p->agency, sizeof p->agency, "%s", (const char *)sqlite3_column_text(st, 6));
	p->vendor_id = sqlite3_column_int64(st, 7);
	snprintf(p->vendor, sizeof p->vendor, "%s", (const char *)sqlite3_column_text(st, 8));
	return sqlite3_column_int64(st, 0);
}

ClCode api_token_lookup(sqlite3 *db, const char *secret, time_t now, Principal *p, Err *e)
{
	char hash[65], a[TIMESTAMP_BUF], minute[TIMESTAMP_BUF];
	sqlite3_stmt *st = NULL;
	int64_t tid = 0;
	int stale = 0;
	ClCode rc;
	DbRows q;

	memset(p, 0, sizeof *p);
	if (!secret || strlen(secret) != SESSION_SECRET_BUF - 5)
		return err_set(e, CL_ENOTFOUND, "unknown token");
	secret_hash(secret, hash);
	stamp(now - 60, minute);
	/* one query, kept prepared like the session's: the token and its user */
	if (db_prepare_kept(db, &st, token_sql, e))
		return CL_EDB;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	db_rows_on(&q, db, st, DB_ROWS_KEPT);
	if (db_rows_next(&q))
		tid = token_read(q.st, minute, &stale, p);
	rc = db_rows_end(&q, "reading the token", e);
	if (rc || !tid) {
		memset(p, 0, sizeof *p);
		return rc ? rc : err_set(e, CL_ENOTFOUND, "unknown or revoked token");
	}
	/* last_used is written at most once a minute per token; best effort:
	 * it is shown to people, never checked */
	if (stale)
		db_note(db,
			"UPDATE api_token SET last_used = ?1 WHERE id = ?2 AND "
			"(last_used IS NULL OR last_used < ?3)",
			"tit", stamp(now, a), tid, minute);
	return CL_OK;
}

ClCode api_token_revoke(sqlite3 *db, int64_t id, int64_t user_id, Err *e)
{
	char a[TIMESTAMP_BUF];

	if (!db_int(db, 0,
		    "SELECT 1 FROM api_token WHERE id = ? AND revoked_at IS NULL AND (?2 = 0 OR "
		    "user_id = ?2)",
		    "ii", id, user_id))
		return err_set(e, CL_ENOTFOUND, "no such token");
	return db_exec(db, e, "UPDATE api_token SET revoked_at = ? WHERE id = ?", "ti",
		       stamp(time(NULL), a), id);
}

/* The key an e-mail is throttled under: hex SHA-256 of its ASCII
 * lower-case form. */
static void email_key(const char *email, char key[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	char c;

	crypto_hash_sha256_init(&st);
	for (; email && *email; email++) {
		c = *email >= 'A' && *email <= 'Z' ? (char)(*email - 'A' + 'a') : *email;
		crypto_hash_sha256_update(&st, (const unsigned char *)&c, 1);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(key, 65, h, sizeof h);
}

/* Seconds until the attempts of column = key within the window fall
 * under limit: when the limit-th newest one leaves the window. */
static int wait_for(sqlite3 *db, const char *column_sql, const char *key, time_t since, int limit,
		    time_t now)
{
	int64_t at = db_int(db, now, column_sql, "tii", key, (int64_t)since, (int64_t)(limit - 1));
	int64_t wait = at + LOGIN_WINDOW_SECONDS - now;

	return wait < 1 ? 1 : (int)wait;
}

int login_attempt_begin(sqlite3 *db, const char *email, const char *client, time_t now,
			int64_t *attempt, int *wait_seconds)
{
	char key[65];
	time_t since = now - LOGIN_WINDOW_SECONDS;
	int64_t by_email, by_client;
	int throttled = 0;

	*attempt = 0;
	*wait_seconds = 0;
	email_key(email, key);
	client = client ? client : "";
	if (db_begin(db, NULL))
		return -1;
	if (db_exec(db, NULL, "DELETE FROM login_attempt WHERE at <= ?", "i", (int64_t)since))
		goto fail;
	by_email = db_int(db, -1, "SELECT count(*) FROM login_attempt WHERE email = ? AND at > ?",
			  "ti", key, (int64_t)since);
	by_client = db_int(db, -1, "SELECT count(*) FROM login_attempt WHERE client = ? AND at > ?",
			   "ti", client, (int64_t)since);
	if (by_email < 0 || by_client < 0)
		goto fail;
	if (by_email >= LOGIN_MAX_FAILURES) {
		throttled = 1;
		*wait_seconds = wait_for(db,
					 "SELECT at FROM login_attempt WHERE email = ? AND at > ? "
					 "ORDER BY at DESC LIMIT 1 OFFSET ?",
					 key, since, LOGIN_MAX_FAILURES, now);
	}
	if (*client && by_client >= LOGIN_MAX_FAILURES_PER_CLIENT) {
		int w = wait_for(db,
				 "SELECT at FROM login_attempt WHERE client = ? AND at > ? "
				 "ORDER BY at DESC LIMIT 1 OFFSET ?",
				 client, since, LOGIN_MAX_FAILURES_PER_CLIENT, now);

		throttled = 1;
		*wait_seconds = w > *wait_seconds ? w : *wait_seconds;
	}
	if (!throttled) {
		if (db_exec(db, NULL,
			    "INSERT INTO login_attempt(email, client, at) VALUES (?, ?, ?)", "tti",
			    key, client, (int64_t)now))
			goto fail;
		*attempt = sqlite3_last_insert_rowid(db);
	}
	if (db_commit(db, NULL))
		goto fail;
	return throttled;
fail:
	db_rollback(db);
	*attempt = 0;
	return -1;
}

void login_attempt_succeeded(sqlite3 *db, int64_t attempt)
{
	/* best effort: an attempt left behind only counts against the
	 * account's next failures, and expires with them */
	if (attempt)
		(void)!db_exec(db, NULL, "DELETE FROM login_attempt WHERE id = ?", "i", attempt);
}
