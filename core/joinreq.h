/*
 * joinreq.h — requests to join a contract, sent from its public page
 * without signing in, and staff's decision on each (DOMAIN.md section 7).
 *
 * A request is refused unless every field is right, the contract is
 * active on the day it arrives and the requester states the agency is a
 * public entity.  What arrives before anyone signs in cannot grow the
 * database without bound: JOINREQ_HOURLY_MAX requests an hour per client
 * address and per e-mail, JOINREQ_PENDING_MAX pending in all.
 *
 * Staff approve a request (in one transaction: the agency created when
 * new under the code they choose, the participant from the joined date
 * they choose, a member user invited by e-mail, the requester's
 * join_approved notice, the audit row) or decline it with a reason (the
 * join_declined notice).  A nonprofit is not a public body by its kind:
 * its request is approved only once staff confirm the agency's status.
 */
#ifndef COOPLEDGER_JOINREQ_H
#define COOPLEDGER_JOINREQ_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "rowset.h"

#define JOINREQ_HOURLY_MAX  5	  /* requests an hour per address, per e-mail */
#define JOINREQ_WINDOW	    3600  /* seconds the hourly limits look back */
#define JOINREQ_PENDING_MAX 10000 /* pending requests in all */
#define JOINREQ_NAME_MAX    200	  /* agency and contact names, in bytes */
#define JOINREQ_REASON_MAX  1000  /* a decline's reason, in bytes */

/* A request as it arrives; strings may be NULL (absent). */
typedef struct JoinIn {
	const char *contract; /* the contract's number */
	const char *agency_name;
	const char *kind;	 /* one of agency.h's kinds */
	const char *state;	 /* a US state's two-letter code */
	const char *agency_code; /* optional: the code if the requester knows it */
	const char *contact_name;
	const char *email;
	int public_entity;  /* the statement was made */
	const char *client; /* the client's address; NULL or "" when unknown */
} JoinIn;

/* The fields of a request in the order they are checked. */
typedef enum {
	JOIN_F_AGENCY_NAME = 0,
	JOIN_F_KIND,
	JOIN_F_STATE,
	JOIN_F_AGENCY_CODE,
	JOIN_F_CONTACT_NAME,
	JOIN_F_EMAIL,
	JOIN_F_PUBLIC_ENTITY,
	JOIN_F_COUNT
} JoinField;

/* The field's name in forms and JSON: "agency_name", "kind", ... */
const char *joinreq_field_key(JoinField f);

/* CL_OK, or CL_EINPUT with a message naming field f when it is wrong. */
ClCode joinreq_check_field(const JoinIn *j, JoinField f, Err *e)
	__attribute__((warn_unused_result));

/* CL_OK with the title of the contract numbered number (OUT: title, size
 * n) when it is active on today and so open to join; else CL_ENOTFOUND. */
ClCode joinreq_contract_open(sqlite3 *db, const char *number, Date today, char *title, size_t n,
			     Err *e) __attribute__((warn_unused_result));

/* Record a pending request j arriving at now (unix seconds) on day
 * today.  CL_EINPUT names the first wrong field (OUT: *bad, may be NULL,
 * the field; JOIN_F_COUNT when the fault is not a field's); CL_ENOTFOUND
 * when no contract of that number is active today; CL_ERULE with OUT
 * *retry_after (seconds, > 0) when a limit is reached.  Nothing is
 * written unless it returns CL_OK.  OUT: *id. */
ClCode joinreq_create(sqlite3 *db, const JoinIn *j, Date today, int64_t now, int64_t *id,
		      JoinField *bad, int *retry_after, Err *e) __attribute__((warn_unused_result));

/* Requests newest first into OUT *out (state NULL: all; else "pending",
 * "approved" or "declined"): id, contract, title, agency_name, kind,
 * us_state, agency_code, contact_name, email, created_at, status,
 * needs_confirm (1 for a kind that is not a public body),
 * public_confirmed, code_exists (1 when agency_code names an agency),
 * approved_code, joined, decline_reason, decided_by, decided_at.  Free
 * with rowset_free() either way. */
ClCode joinreq_list(sqlite3 *db, const char *state, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* Approve pending request id, audited as actor at now: the agency
 * agency_code (NULL or "": the code the request gives) is created from
 * the request when new — a code already taken is refused unless the
 * request names that agency, and an existing agency must be a public
 * entity — then made a participant from joined; a member user with the
 * request's e-mail is invited (unless that e-mail is already a member of
 * that agency), and the requester is sent a join_approved notice.  A
 * request whose kind is not a public body needs confirm_public.  All or
 * nothing. */
ClCode joinreq_approve(sqlite3 *db, int64_t id, Date joined, const char *agency_code,
		       int confirm_public, const char *actor, int64_t now, Err *e)
	__attribute__((warn_unused_result));

/* Decline pending request id for reason (required, one line of at most
 * JOINREQ_REASON_MAX bytes), audited as actor, and send the requester a
 * join_declined notice.  All or nothing. */
ClCode joinreq_decline(sqlite3 *db, int64_t id, const char *reason, const char *actor, int64_t now,
		       Err *e) __attribute__((warn_unused_result));

#endif
