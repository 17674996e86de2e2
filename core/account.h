/*
 * account.h — the life of a user's access: invitations, set-password
 * links, password resets, changing one's own password and deactivation.
 *
 * A set-password link is BASE/password?token=T.  T is 256 random bits as
 * base64url text, made when the e-mail carrying it is composed
 * (account_link_token(), called by the mail sender), so that it is never
 * stored: the password_token table keeps only its SHA-256, its purpose
 * and its expiry.  The link's lifetime runs from the invitation or the
 * request, not from the sending.  Using a link sets the password, marks
 * every open link of the user used and ends the user's sessions; it signs
 * no one in.  Times are unix seconds given by the caller (the outbox
 * clock, outbox_now(), in the programs).
 */
#ifndef COOPLEDGER_ACCOUNT_H
#define COOPLEDGER_ACCOUNT_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"
#include "user.h"

#define ACCOUNT_INVITE_SECONDS ((int64_t)72 * 60 * 60) /* an invitation's link */
#define ACCOUNT_RESET_SECONDS  ((int64_t)24 * 60 * 60) /* a reset's link */
#define ACCOUNT_TOKEN_BUF      48		       /* base64url of 32 bytes and a NUL */

/* Create a user with no usable password, bound as user_add() says, and
 * queue a user_invite notice to email whose link lasts
 * ACCOUNT_INVITE_SECONDS from now; one transaction, audited as
 * user.invite by actor.  OUT: *id (may be NULL). */
ClCode account_invite(sqlite3 *db, const char *email, Role role, const char *agency_code,
		      const char *vendor_code, const char *actor, int64_t now, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* The same inside the caller's transaction. */
ClCode account_invite_in(sqlite3 *db, const char *email, Role role, const char *agency_code,
			 const char *vendor_code, const char *actor, int64_t now, int64_t *id,
			 Err *e) __attribute__((warn_unused_result));

/* Someone asked for a password reset of email from client (an address;
 * NULL or "" when unknown).  Each request takes a try of the e-mail's and
 * the client's sign-in throttles (session.h: login_attempt_begin(), under
 * keys of their own); when neither is spent and email is an active user's,
 * a password_reset notice is queued, its link lasting
 * ACCOUNT_RESET_SECONDS.  Says nothing of whether the address exists:
 * returns 0 (queued or not), 1 when throttled, -1 when the database could
 * not be written. */
int account_reset_request(sqlite3 *db, const char *email, const char *client, int64_t now);

/* A new set-password token for the notice of kind (user_invite or
 * password_reset) to email, whose link lasts until expires_at; only its
 * hash is stored.  Refused (CL_ERULE) when email is no active user's or
 * the link has expired.  OUT: token (ACCOUNT_TOKEN_BUF). */
ClCode account_link_token(sqlite3 *db, const char *email, const char *kind, int64_t expires_at,
			  int64_t now, char *token, Err *e) __attribute__((warn_unused_result));

/* CL_OK when link token can set a password at now; else the refusal
 * account_password_set() would give.  Writes nothing. */
ClCode account_link_check(sqlite3 *db, const char *token, int64_t now, Err *e)
	__attribute__((warn_unused_result));

/* Set the password of the user of link token: CL_EINPUT when the token is
 * unknown, used or expired at now, or the password breaks user_add()'s
 * length rules; CL_ERULE when the user was deactivated.  Marks every open
 * link of the user used and ends the user's sessions, in one transaction
 * audited as user.password_set.  OUT: email (size n, may be NULL). */
ClCode account_password_set(sqlite3 *db, const char *token, const char *password, int64_t now,
			    char *email, size_t n, Err *e) __attribute__((warn_unused_result));

/* The signed-in user user_id changes their password: current must be
 * right (each try is counted by the sign-in throttle of their e-mail:
 * CL_ERULE once spent), password follow the length rules.  Ends the
 * user's other sessions (all but keep_session, 0 for none); audited as
 * user.password_change. */
ClCode account_password_change(sqlite3 *db, int64_t user_id, const char *current,
			       const char *password, int64_t keep_session, int64_t now, Err *e)
	__attribute__((warn_unused_result));

/* Deactivate the user with e-mail email: no password, session, API token
 * or link of theirs works from this transaction on (sessions deleted,
 * tokens revoked, links used).  Refused for a user already deactivated
 * and for the last active admin.  Audited as user.deactivate. */
ClCode account_deactivate(sqlite3 *db, const char *email, const char *actor, int64_t now, Err *e)
	__attribute__((warn_unused_result));

/* The same for the user with id id.  OUT: email (size n, may be NULL). */
ClCode account_deactivate_id(sqlite3 *db, int64_t id, const char *actor, int64_t now, char *email,
			     size_t n, Err *e) __attribute__((warn_unused_result));

#endif
