/*
 * user.h — people who sign in: argon2id password hashes and roles
 * (DOMAIN.md section 1).  A member is bound to one agency, a vendor user
 * to one vendor; admin and finance to neither.
 */
#ifndef COOPLEDGER_USER_H
#define COOPLEDGER_USER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { ROLE_ADMIN = 0, ROLE_FINANCE, ROLE_MEMBER, ROLE_VENDOR } Role;

#define USER_PASSWORD_MIN 10
#define USER_PASSWORD_MAX 256

/* Parse "admin", "finance", "member", "vendor".  OUT: *role. */
ClCode role_parse(const char *text, Role *role, Err *e) __attribute__((warn_unused_result));
const char *role_name(Role r);

/* Add a user with an argon2id hash of password; agency_code is required for
 * a member and vendor_code for a vendor user, and refused otherwise.
 * Audited (without the password).  OUT: *id (may be NULL). */
ClCode user_add(sqlite3 *db, const char *email, const char *password, Role role,
		const char *agency_code, const char *vendor_code, const char *actor, int64_t *id,
		Err *e) __attribute__((warn_unused_result));

/* Insert a user whose password hash is hash ("" for an invited user, whom
 * no password signs in), bound as user_add() says, with an audit row of
 * action; inside the caller's transaction.  CL_ECONFLICT when the e-mail
 * is taken.  OUT: *id (may be NULL). */
ClCode user_insert(sqlite3 *db, const char *email, const char *hash, Role role,
		   const char *agency_code, const char *vendor_code, const char *actor,
		   const char *action, int64_t *id, Err *e) __attribute__((warn_unused_result));

/* CL_EINPUT unless password has USER_PASSWORD_MIN to USER_PASSWORD_MAX
 * characters. */
ClCode user_check_password(const char *password, Err *e) __attribute__((warn_unused_result));

/* The argon2id hash of password.  OUT: hash (crypto_pwhash_STRBYTES). */
ClCode user_hash_password(const char *password, char *hash, Err *e)
	__attribute__((warn_unused_result));

/* Check an e-mail and password.  CL_ERULE with one message for every kind of
 * failure (unknown e-mail, wrong password, disabled), so the caller reveals
 * nothing.  OUT: *id. */
ClCode user_authenticate(sqlite3 *db, const char *email, const char *password, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* Fill buf (size n >= 17) with a random password of n-1 letters and digits. */
void user_random_password(char *buf, size_t n);

#endif
