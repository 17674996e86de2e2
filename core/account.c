/* account.c — invitations, set-password links, resets and deactivation;
 * see account.h. */
#include "account.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "outbox.h"
#include "session.h"
#include "text.h"

/* ---- SQL, all in one place ---- */

static const char sql_active_user[] = "SELECT id FROM app_user WHERE email = ? AND disabled = 0";
static const char sql_token_insert[] =
	"INSERT INTO password_token(user_id, purpose, token_hash, created_at, expires_at) "
	"VALUES (?, ?, ?, ?, ?)";
static const char sql_token_find[] =
	"SELECT t.id, t.user_id, t.expires_at, t.used_at IS NOT NULL, u.disabled, u.email "
	"FROM password_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ?";
static const char sql_token_use[] =
	"UPDATE password_token SET used_at = ? WHERE id = ? AND used_at IS NULL";
static const char sql_tokens_close[] =
	"UPDATE password_token SET used_at = ? WHERE user_id = ? AND used_at IS NULL";
static const char sql_set_hash[] = "UPDATE app_user SET password_hash = ? WHERE id = ?";
static const char sql_sessions_end[] = "DELETE FROM user_session WHERE user_id = ? AND id <> ?";
static const char sql_api_tokens_end[] =
	"UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
static const char sql_disable[] = "UPDATE app_user SET disabled = 1 WHERE id = ?";
static const char sql_other_admins[] =
	"SELECT count(*) FROM app_user WHERE role = 'admin' AND disabled = 0 AND "
	"password_hash <> '' AND id <> ?";

/* "YYYY-MM-DD HH:MM UTC" of unix seconds t into buf (size 24). */
static char *when_text(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 24, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

/* Hex SHA-256 of a token's text. */
static void token_hash(const char *token, char hash[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hash, 65, h, sizeof h);
}

/* Queue the notice of kind to email (as stored) with its link's expiry;
 * in the caller's transaction. */
static ClCode queue_link(sqlite3 *db, const char *kind, const char *email, const char *role,
			 int64_t expires_at, int64_t now, Err *e)
{
	char period[24], expires[24], *json;
	int64_t hours = (expires_at - now) / 3600;
	OutboxNew n = {0};
	cJSON *o = cJSON_CreateObject();
	ClCode rc;

	cJSON_AddStringToObject(o, "email", email);
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddNumberToObject(o, "expires_at", (double)expires_at);
	cJSON_AddStringToObject(o, "expires", when_text(expires_at, expires));
	cJSON_AddNumberToObject(o, "hours", (double)hours);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!json)
		return err_set(e, CL_ENOMEM, "out of memory queuing the e-mail");
	/* one notice a second at most: the key's period is the request's time */
	snprintf(period, sizeof period, "%lld", (long long)now);
	n.kind = kind;
	n.recipient = email;
	n.rcpt_name = "";
	n.contract = "";
	n.period = period;
	n.data_json = json;
	rc = outbox_add(db, &n, now, NULL, e);
	cJSON_free(json);
	return rc;
}

ClCode account_invite_in(sqlite3 *db, const char *email, Role role, const char *agency_code,
			 const char *vendor_code, const char *actor, int64_t now, int64_t *id,
			 Err *e)
{
	ClCode rc;

	if (text_check_email("e-mail", email, e))
		return CL_EINPUT;
	rc = user_insert(db, email, "", role, agency_code, vendor_code, actor, "user.invite", id,
			 e);
	return rc ? rc
		  : queue_link(db, "user_invite", email, role_name(role),
			       now + ACCOUNT_INVITE_SECONDS, now, e);
}

ClCode account_invite(sqlite3 *db, const char *email, Role role, const char *agency_code,
		      const char *vendor_code, const char *actor, int64_t now, int64_t *id, Err *e)
{
	ClCode rc;

	if (text_check_email("e-mail", email, e))
		return CL_EINPUT;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = user_insert(db, email, "", role, agency_code, vendor_code, actor, "user.invite", id,
			 e);
	if (!rc)
		rc = queue_link(db, "user_invite", email, role_name(role),
				now + ACCOUNT_INVITE_SECONDS, now, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

int account_reset_request(sqlite3 *db, const char *email, const char *client, int64_t now)
{
	char key[300], ckey[96], stored[256], role[16];
	int64_t attempt, uid;
	int wait, rc;

	if (!email || !*email || strlen(email) > 254)
		return 0;
	snprintf(key, sizeof key, "reset:%s", email);
	snprintf(ckey, sizeof ckey, "%s%.80s", client && *client ? "reset:" : "",
		 client ? client : "");
	rc = login_attempt_begin(db, key, ckey, (time_t)now, &attempt, &wait);
	if (rc)
		return rc;
	uid = db_int(db, 0, sql_active_user, "t", email);
	if (!uid ||
	    !db_text(db, stored, sizeof stored, "SELECT email FROM app_user WHERE id = ?", "i",
		     uid) ||
	    !db_text(db, role, sizeof role, "SELECT role FROM app_user WHERE id = ?", "i", uid))
		return 0;
	return queue_link(db, "password_reset", stored, role, now + ACCOUNT_RESET_SECONDS, now,
			  NULL)
		       ? -1
		       : 0;
}

ClCode account_link_token(sqlite3 *db, const char *email, const char *kind, int64_t expires_at,
			  int64_t now, char *token, Err *e)
{
	unsigned char raw[32];
	char hash[65];
	int64_t uid;

	token[0] = '\0';
	uid = db_int(db, 0, sql_active_user, "t", email ? email : "");
	if (!uid)
		return err_set(e, CL_ERULE, "%s is no active user's address: no link is sent",
			       email ? email : "");
	if (now >= expires_at)
		return err_set(e, CL_ERULE, "the link expired before it could be sent");
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, ACCOUNT_TOKEN_BUF, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	token_hash(token, hash);
	return db_exec(db, e, sql_token_insert, "ittii", uid,
		       strcmp(kind, "user_invite") == 0 ? "invite" : "reset", hash, now,
		       expires_at);
}

/* What a link's token row says. */
typedef struct Link {
	int64_t id, user_id, expires_at;
	int used, disabled;
	char email[256];
} Link;

/* Find the row of token.  CL_EINPUT (with the words for a person) when
 * it is unknown, used or expired at now; CL_ERULE for a deactivated
 * user.  OUT: *l. */
static ClCode link_find(sqlite3 *db, const char *token, int64_t now, Link *l, Err *e)
{
	char hash[65];
	int found = 0;
	ClCode rc;
	DbRows q;

	memset(l, 0, sizeof *l);
	if (!token || strlen(token) != ACCOUNT_TOKEN_BUF - 5)
		return err_set(e, CL_EINPUT,
			       "this link is not one we sent: copy the whole link from the e-mail, "
			       "or ask for a new one");
	token_hash(token, hash);
	rc = db_rows(&q, db, e, sql_token_find, "t", hash);
	if (!rc && (found = db_rows_next(&q))) {
		l->id = sqlite3_column_int64(q.st, 0);
		l->user_id = sqlite3_column_int64(q.st, 1);
		l->expires_at = sqlite3_column_int64(q.st, 2);
		l->used = sqlite3_column_int(q.st, 3);
		l->disabled = sqlite3_column_int(q.st, 4);
		snprintf(l->email, sizeof l->email, "%s",
			 (const char *)sqlite3_column_text(q.st, 5));
	}
	rc = db_rows_end(&q, "reading the link", e) ? CL_EDB : rc;
	if (rc)
		return rc;
	if (!found)
		return err_set(e, CL_EINPUT,
			       "this link is not one we sent: copy the whole link from the e-mail, "
			       "or ask for a new one");
	if (l->used)
		return err_set(e, CL_EINPUT,
			       "this link was used already (each link sets a password once): "
			       "sign in, or ask for a new link with \"Forgot your password?\"");
	if (now >= l->expires_at)
		return err_set(e, CL_EINPUT,
			       "this link has expired: ask for a new one with \"Forgot your "
			       "password?\" on the sign-in page");
	if (l->disabled)
		return err_set(e, CL_ERULE,
			       "this account is deactivated: ask an administrator to restore it");
	return CL_OK;
}

ClCode account_link_check(sqlite3 *db, const char *token, int64_t now, Err *e)
{
	Link l;

	return link_find(db, token, now, &l, e);
}

/* Store hash as user_id's password, close the user's links and end their
 * sessions but keep_session; audited as action by actor.  Inside the
 * caller's transaction. */
static ClCode password_store(sqlite3 *db, int64_t user_id, const char *email, const char *hash,
			     int64_t keep_session, const char *action, const char *actor,
			     int64_t now, Err *e)
{
	ClCode rc;

	rc = db_exec(db, e, sql_set_hash, "ti", hash, user_id);
	if (!rc)
		rc = db_exec(db, e, sql_tokens_close, "ii", now, user_id);
	if (!rc)
		rc = db_exec(db, e, sql_sessions_end, "ii", user_id, keep_session);
	if (!rc)
		rc = audit_record(db, actor, action, "user", email, NULL, NULL, e);
	return rc;
}

ClCode account_password_set(sqlite3 *db, const char *token, const char *password, int64_t now,
			    char *email, size_t n, Err *e)
{
	char hash[crypto_pwhash_STRBYTES], actor[300];
	Link l;
	ClCode rc;

	if (email && n)
		email[0] = '\0';
	rc = link_find(db, token, now, &l, e);
	if (!rc)
		rc = user_check_password(password, e);
	if (!rc)
		rc = user_hash_password(password, hash, e);
	if (!rc)
		rc = db_begin(db, e);
	if (rc)
		return rc;
	/* the link is taken inside the write: of two uses at once, one wins */
	rc = db_exec(db, e, sql_token_use, "ii", now, l.id);
	if (!rc && sqlite3_changes(db) != 1)
		rc = err_set(e, CL_EINPUT,
			     "this link was used already (each link sets a password "
			     "once)");
	snprintf(actor, sizeof actor, "web:%s", l.email);
	if (!rc)
		rc = password_store(db, l.user_id, l.email, hash, 0, "user.password_set", actor,
				    now, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (email)
		snprintf(email, n, "%s", l.email);
	return CL_OK;
}

/* Check user_id's current password, counted by the sign-in throttle of
 * their e-mail.  OUT: email (256). */
static ClCode current_password_check(sqlite3 *db, int64_t user_id, const char *current, int64_t now,
				     char *email, Err *e)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	const char *pw = current ? current : "";
	int64_t attempt;
	int wait, rc;

	if (!db_text(db, email, 256, "SELECT email FROM app_user WHERE id = ? AND disabled = 0",
		     "i", user_id) ||
	    !db_text(db, hash, sizeof hash, "SELECT password_hash FROM app_user WHERE id = ?", "i",
		     user_id))
		return err_set(e, CL_ENOTFOUND, "no such user");
	rc = login_attempt_begin(db, email, NULL, (time_t)now, &attempt, &wait);
	if (rc < 0)
		return err_set(e, CL_EDB, "the password cannot be checked just now: try again");
	if (rc > 0)
		return err_set(e, CL_ERULE, "too many wrong passwords: try again in %d minutes",
			       (wait + 59) / 60);
	if (strlen(pw) > USER_PASSWORD_MAX || !*hash ||
	    crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
		return err_set(e, CL_EINPUT, "the current password is not right");
	login_attempt_succeeded(db, attempt);
	return CL_OK;
}

ClCode account_password_change(sqlite3 *db, int64_t user_id, const char *current,
			       const char *password, int64_t keep_session, int64_t now, Err *e)
{
	char hash[crypto_pwhash_STRBYTES], email[256], actor[300];
	ClCode rc;

	rc = user_check_password(password, e);
	if (!rc)
		rc = current_password_check(db, user_id, current, now, email, e);
	if (!rc)
		rc = user_hash_password(password, hash, e);
	if (!rc)
		rc = db_begin(db, e);
	if (rc)
		return rc;
	snprintf(actor, sizeof actor, "web:%s", email);
	rc = password_store(db, user_id, email, hash, keep_session, "user.password_change", actor,
			    now, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc)
		db_rollback(db);
	return rc;
}

/* Deactivate user id (row read in this transaction). */
static ClCode deactivate_tx(sqlite3 *db, int64_t id, const char *email, const char *role,
			    const char *actor, int64_t now, Err *e)
{
	char ts[TIMESTAMP_BUF];
	ClCode rc;

	if (strcmp(role, "admin") == 0 && db_int(db, 0, sql_other_admins, "i", id) == 0)
		return err_set(e, CL_ERULE,
			       "%s is the last active admin: make another admin first, or no one "
			       "could manage users",
			       email);
	rc = db_exec(db, e, sql_disable, "i", id);
	if (!rc)
		rc = db_exec(db, e, sql_sessions_end, "ii", id, (int64_t)0);
	if (!rc)
		rc = db_exec(db, e, sql_api_tokens_end, "ti", db_timestamp(ts), id);
	if (!rc)
		rc = db_exec(db, e, sql_tokens_close, "ii", now, id);
	if (!rc)
		rc = audit_record(db, actor, "user.deactivate", "user", email, "{\"disabled\":0}",
				  "{\"disabled\":1}", e);
	return rc;
}

ClCode account_deactivate_id(sqlite3 *db, int64_t id, const char *actor, int64_t now, char *email,
			     size_t n, Err *e)
{
	char who[256] = "", role[16] = "";
	ClCode rc;

	if (email && n)
		email[0] = '\0';
	rc = db_begin(db, e);
	if (rc)
		return rc;
	if (!db_text(db, who, sizeof who, "SELECT email FROM app_user WHERE id = ?", "i", id) ||
	    !db_text(db, role, sizeof role, "SELECT role FROM app_user WHERE id = ?", "i", id))
		rc = err_set(e, CL_ENOTFOUND, "there is no such user");
	else if (db_int(db, 0, "SELECT disabled FROM app_user WHERE id = ?", "i", id))
		rc = err_set(e, CL_ERULE, "%s is deactivated already", who);
	else
		rc = deactivate_tx(db, id, who, role, actor, now, e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (email)
		snprintf(email, n, "%s", who);
	return CL_OK;
}

ClCode account_deactivate(sqlite3 *db, const char *email, const char *actor, int64_t now, Err *e)
{
	int64_t id =
		db_int(db, 0, "SELECT id FROM app_user WHERE email = ?", "t", email ? email : "");

	if (!id)
		return err_set(e, CL_ENOTFOUND, "there is no user with the e-mail %s",
			       email ? email : "");
	return account_deactivate_id(db, id, actor, now, NULL, 0, e);
}
