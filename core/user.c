/* user.c — users, roles and password hashes; see user.h. */
#include "user.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "agency.h"
#include "audit.h"
#include "db.h"
#include "text.h"

static const char *const role_names[] = {"admin", "finance", "member", "vendor"};

ClCode role_parse(const char *text, Role *role, Err *e)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (text && strcmp(text, role_names[i]) == 0) {
			*role = (Role)i;
			return CL_OK;
		}
	}
	return err_set(e, CL_EINPUT, "unknown role \"%s\"; use admin, finance, member or vendor",
		       text ? text : "");
}

const char *role_name(Role r)
{
	return role_names[r];
}

/* Check that the binding (agency or vendor) fits the role and resolve it.
 * OUT: *agency, *vendor (0 when none). */
static ClCode resolve_binding(sqlite3 *db, Role role, const char *agency_code,
			      const char *vendor_code, int64_t *agency, int64_t *vendor, Err *e)
{
	int has_agency = agency_code && *agency_code, has_vendor = vendor_code && *vendor_code;

	*agency = *vendor = 0;
	if (role == ROLE_MEMBER && !has_agency)
		return err_set(e, CL_EINPUT, "a member user needs --agency CODE");
	if (role == ROLE_VENDOR && !has_vendor)
		return err_set(e, CL_EINPUT, "a vendor user needs --vendor CODE");
	if (role != ROLE_MEMBER && has_agency)
		return err_set(e, CL_EINPUT, "only a member user is bound to an agency");
	if (role != ROLE_VENDOR && has_vendor)
		return err_set(e, CL_EINPUT, "only a vendor user is bound to a vendor");
	if (has_agency)
		return agency_id(db, agency_code, agency, e);
	if (has_vendor)
		return vendor_id(db, vendor_code, vendor, e);
	return CL_OK;
}

ClCode user_check_password(const char *password, Err *e)
{
	size_t n = password ? strlen(password) : 0;

	if (n < USER_PASSWORD_MIN)
		return err_set(e, CL_EINPUT, "the password must have at least %d characters",
			       USER_PASSWORD_MIN);
	if (n > USER_PASSWORD_MAX)
		return err_set(e, CL_EINPUT, "the password must have at most %d characters",
			       USER_PASSWORD_MAX);
	return CL_OK;
}

/* Validate an e-mail address and a password. */
static ClCode check_credentials(const char *email, const char *password, Err *e)
{
	if (text_check_email("e-mail", email, e))
		return CL_EINPUT;
	return user_check_password(password, e);
}

ClCode user_hash_password(const char *password, char *hash, Err *e)
{
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return err_set(e, CL_ENOMEM, "out of memory hashing the password");
	return CL_OK;
}

ClCode user_insert(sqlite3 *db, const char *email, const char *hash, Role role,
		   const char *agency_code, const char *vendor_code, const char *actor,
		   const char *action, int64_t *id, Err *e)
{
	char now[TIMESTAMP_BUF], *json;
	int64_t agency, vendor;
	cJSON *o;
	ClCode rc;

	rc = resolve_binding(db, role, agency_code, vendor_code, &agency, &vendor, e);
	if (rc)
		return rc;
	if (db_int(db, 0, "SELECT 1 FROM app_user WHERE email = ?", "t", email))
		return err_set(e, CL_ECONFLICT, "a user with the e-mail %s already exists", email);
	rc = db_exec(db, e,
		     "INSERT INTO app_user(email, password_hash, role, agency_id, vendor_id, "
		     "created_at) VALUES (?,?,?,nullif(?,0),nullif(?,0),?)",
		     "tttiit", email, hash, role_name(role), agency, vendor, db_timestamp(now));
	if (rc)
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(db);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "email", email);
	cJSON_AddStringToObject(o, "role", role_name(role));
	json = cJSON_PrintUnformatted(o);
	rc = audit_record(db, actor, action, "user", email, NULL, json, e);
	cJSON_free(json);
	cJSON_Delete(o);
	return rc;
}

ClCode user_add(sqlite3 *db, const char *email, const char *password, Role role,
		const char *agency_code, const char *vendor_code, const char *actor, int64_t *id,
		Err *e)
{
	char hash[crypto_pwhash_STRBYTES];
	ClCode rc;

	rc = check_credentials(email, password, e);
	if (!rc)
		rc = user_hash_password(password, hash, e);
	if (!rc)
		rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = user_insert(db, email, hash, role, agency_code, vendor_code, actor, "user.add", id, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

/* A hash of a random password, made once with the same limits as real
 * ones: an unknown e-mail is checked against it, so that a failed sign-in
 * takes as long whether or not the address has an account. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_hash_make(void)
{
	char password[24];

	user_random_password(password, sizeof password);
	if (crypto_pwhash_str(dummy_hash, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
}

ClCode user_authenticate(sqlite3 *db, const char *email, const char *password, int64_t *id, Err *e)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	const char *pw = password ? password : "";
	size_t n = strlen(pw);
	int64_t uid;

	*id = 0;
	pthread_once(&dummy_once, dummy_hash_make);
	uid = db_int(db, 0, "SELECT id FROM app_user WHERE email = ? AND disabled = 0", "t",
		     email ? email : "");
	if (uid)
		db_text(db, hash, sizeof hash, "SELECT password_hash FROM app_user WHERE id = ?",
			"i", uid);
	/* the same work for an unknown e-mail, a lost hash and a known one */
	if (crypto_pwhash_str_verify(*hash ? hash : dummy_hash, pw,
				     n > USER_PASSWORD_MAX ? USER_PASSWORD_MAX : n) != 0 ||
	    !uid || !*hash || n > USER_PASSWORD_MAX)
		return err_set(e, CL_ERULE, "the e-mail or password is not right");
	*id = uid;
	return CL_OK;
}

void user_random_password(char *buf, size_t n)
{
	static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t i;

	for (i = 0; i + 1 < n; i++)
		buf[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	buf[n - 1] = '\0';
}
