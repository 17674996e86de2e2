/*
 * session.h — sign-in sessions and API tokens.
 *
 * A secret is 256 random bits, handed out once as base64url text; only its
 * SHA-256 is stored.  Sessions expire after an idle time and an absolute
 * time; API tokens last until revoked.  Nothing here knows about cookies or
 * HTTP: the web layer carries the secrets.
 */
#ifndef COOPLEDGER_SESSION_H
#define COOPLEDGER_SESSION_H

#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "user.h"

#define SESSION_SECRET_BUF	      48 /* base64url of 32 bytes and a NUL */
#define SESSION_IDLE_SECONDS	      ((time_t)30 * 60)
#define SESSION_ABSOLUTE_SECONDS      ((time_t)12 * 60 * 60)
#define LOGIN_MAX_FAILURES	      5 /* within LOGIN_WINDOW_SECONDS */
#define LOGIN_WINDOW_SECONDS	      ((time_t)15 * 60)
#define LOGIN_MAX_FAILURES_PER_CLIENT 20 /* from one address, any accounts */

/* Who is signed in, as a request sees it. */
typedef struct Principal {
	int64_t user_id;
	char email[256];
	Role role;
	int64_t agency_id; /* member: the agency */
	char agency[33];
	int64_t vendor_id; /* vendor user: the vendor */
	char vendor[33];
	char csrf[SESSION_SECRET_BUF]; /* session's CSRF token ("" for API tokens) */
	int64_t session_id;	       /* 0 for API tokens */
} Principal;

/* Start a session for user_id at time now.  OUT: secret (the cookie
 * value), csrf. */
ClCode session_create(sqlite3 *db, int64_t user_id, time_t now, char *secret, char *csrf, Err *e)
	__attribute__((warn_unused_result));

/* The principal of a live session; refreshes its idle timer.  CL_ENOTFOUND
 * when unknown or expired.  OUT: *p. */
ClCode session_lookup(sqlite3 *db, const char *secret, time_t now, Principal *p, Err *e)
	__attribute__((warn_unused_result));

/* End a session (sign out). */
ClCode session_delete(sqlite3 *db, const char *secret, Err *e) __attribute__((warn_unused_result));

/* A new API token for user_id, named name.  OUT: secret, *id. */
ClCode api_token_create(sqlite3 *db, int64_t user_id, const char *name, char *secret, int64_t *id,
			Err *e) __attribute__((warn_unused_result));

/* The principal of a live API token.  OUT: *p. */
ClCode api_token_lookup(sqlite3 *db, const char *secret, time_t now, Principal *p, Err *e)
	__attribute__((warn_unused_result));

/* Revoke token id of user_id (admins may revoke any: user_id 0). */
ClCode api_token_revoke(sqlite3 *db, int64_t id, int64_t user_id, Err *e)
	__attribute__((warn_unused_result));

/* Fill p from the user row (no session).  OUT: *p. */
ClCode principal_load(sqlite3 *db, int64_t user_id, Principal *p, Err *e)
	__attribute__((warn_unused_result));

/* Sign-in throttling.  Each attempt takes one of its account's and its
 * client address's tries in one write, before the password is checked,
 * so that concurrent guesses cannot pass the limits; an attempt that
 * succeeds gives its try back.  Returns 0 with OUT *attempt, 1 when
 * throttled (OUT *wait_seconds until it is not), -1 when the database
 * could not be written.  email is stored only as a hash; client may be
 * NULL or "" (then only the account is counted). */
int login_attempt_begin(sqlite3 *db, const char *email, const char *client, time_t now,
			int64_t *attempt, int *wait_seconds);
void login_attempt_succeeded(sqlite3 *db, int64_t attempt);

#endif
