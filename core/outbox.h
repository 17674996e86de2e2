/*
 * outbox.h — the durable outbox of e-mail notices (docs/mail.md).
 *
 * Which notices are due as of a day, their unique keys (kind, recipient,
 * contract, period), their states and the retry clock.  Nothing here
 * speaks SMTP or MIME: mail/ renders and delivers what this module hands
 * out and reports back with outbox_mark_sent() / outbox_mark_failed().
 *
 * States: queued|retrying -> sending (claimed by one sender, outbox_claim())
 * -> sent, or -> retrying (temporary failure, next attempt after a
 * backoff), or -> dead (a permanent failure, or OUTBOX_MAX_ATTEMPTS
 * failures); dead -> queued by outbox_retry().  A claim lasts
 * OUTBOX_LEASE seconds unless its sender renews it (outbox_renew()); a
 * claim whose sender died lapses and the notice is due again.
 */
#ifndef COOPLEDGER_OUTBOX_H
#define COOPLEDGER_OUTBOX_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "rowset.h"

#define OUTBOX_MAX_ATTEMPTS	8     /* the 8th failure makes a notice dead */
#define OUTBOX_BACKOFF_FIRST	60    /* seconds after the first failure */
#define OUTBOX_BACKOFF_CAP	21600 /* at most 6 hours between attempts */
#define OUTBOX_REMIND_DAYS	14    /* report reminder: days before the due date */
#define OUTBOX_STATEMENT_WINDOW 45    /* statements: days after a report's filing */
#define OUTBOX_LEASE		600   /* seconds a claim lasts unless renewed */
#define OUTBOX_CLAIM_BUF	24    /* a claim token and its NUL */

typedef enum { OB_QUEUED = 0, OB_SENT, OB_RETRYING, OB_DEAD, OB_SENDING } OutboxState;

/* One notice as the sender needs it.  data_json is allocated; free the
 * whole notice with outbox_notice_free(). */
typedef struct OutboxNotice {
	int64_t id;
	char kind[24];
	char recipient[256];
	char rcpt_name[204];
	char contract[64];
	char period[16];
	char agency[40]; /* "" for vendor notices */
	char vendor[40]; /* "" for member notices */
	char token[40];
	OutboxState state;
	int attempts;
	int64_t next_attempt;
	int64_t lease_until; /* while sending: when the claim lapses */
	char *data_json;     /* the template data, a JSON object */
} OutboxNotice;

/* A new notice for outbox_add(); every string must be set (agency or
 * vendor may be NULL). */
typedef struct OutboxNew {
	const char *kind;
	const char *recipient;
	const char *rcpt_name;
	const char *contract;
	const char *period;
	const char *agency;
	const char *vendor;
	const char *data_json;
	const char *queued_on; /* the as-of date that found it due; NULL: now's date */
} OutboxNew;

/* The clock of the outbox in unix seconds: $COOPLEDGER_NOW (unix seconds
 * or "YYYY-MM-DDTHH:MM:SSZ") when set, else the system clock. */
int64_t outbox_now(void);

/* Seconds to wait after the attempts-th failed attempt (1-based):
 * 60, 120, 240, ... capped at OUTBOX_BACKOFF_CAP. */
int64_t outbox_backoff(int attempts);

const char *outbox_state_name(OutboxState s);
int outbox_kind_valid(const char *kind);

/* Queue one notice unless its key is already there (in any state), in the
 * caller's transaction if one is open.  next attempt: now.  OUT: *added
 * (1 or 0, may be NULL). */
ClCode outbox_add(sqlite3 *db, const OutboxNew *n, int64_t now, int *added, Err *e)
	__attribute__((warn_unused_result));

/* Find every notice due as of today (DOMAIN.md dates: --as-of) and queue
 * the new ones, in one transaction:
 *   statement_ready  the notice contacts of each participant with purchases
 *                    (live lines) in an ended quarter whose sales report is
 *                    filed, within OUTBOX_STATEMENT_WINDOW days of the later
 *                    of the filing and the quarter's end (the agencies
 *                    `coopledger statements` writes a statement for);
 *   fee_statement    the vendor's contacts, for the same quarters;
 *   report_reminder  the vendor's contacts, OUTBOX_REMIND_DAYS days or fewer
 *                    before the due date of a quarter with no report;
 *   report_overdue   the same, once the due date has passed;
 *   fee_overdue      the vendor's contacts, for each quarter now overdue.
 * OUT: *added (may be NULL). */
ClCode outbox_queue_due(sqlite3 *db, Date today, int64_t now, int *added, Err *e)
	__attribute__((warn_unused_result));

/* Queue agency's statement_ready notice of contract for quarter q now
 * (the web UI's send button), whatever the filing window: one per notice
 * contact, unless already queued or sent.  Refused (CL_ERULE) while q
 * runs, for a terminated contract, and when the agency had no purchases
 * in q or has no notice contact (no statement to send).  OUT: *added (may
 * be NULL). */
ClCode outbox_queue_statement(sqlite3 *db, const char *contract, const char *agency, Quarter q,
			      Date today, int64_t now, int *added, Err *e)
	__attribute__((warn_unused_result));

/* Ids of the notices due at now (queued or retrying with next attempt <=
 * now, or sending with a lapsed claim), oldest first, at most max.  OUT:
 * *ids (caller frees with free()), *n. */
ClCode outbox_due_ids(sqlite3 *db, int64_t now, int max, int64_t **ids, int *n, Err *e)
	__attribute__((warn_unused_result));

/* Load notice id.  OUT: *out (free with outbox_notice_free()). */
ClCode outbox_load(sqlite3 *db, int64_t id, OutboxNotice *out, Err *e)
	__attribute__((warn_unused_result));
void outbox_notice_free(OutboxNotice *n);

/* 1 if the notice (as loaded) is due at now. */
int outbox_is_due(const OutboxNotice *n, int64_t now);

/* Claim notice seen->id for one delivery, in one short write: if it is
 * still due at now with the attempts seen when it was loaded, it becomes
 * 'sending' with a new random claim token and a lease until lease_from +
 * OUTBOX_LEASE.  Taking over a lapsed claim counts the lost attempt.
 * Deliver only after *claimed is 1, with no transaction open.  OUT: claim
 * (OUTBOX_CLAIM_BUF bytes), *claimed (1: ours; 0: another sender has it,
 * or it is no longer due). */
ClCode outbox_claim(sqlite3 *db, const OutboxNotice *seen, int64_t now, int64_t lease_from,
		    char *claim, int *claimed, Err *e) __attribute__((warn_unused_result));

/* Extend the lease of our claim to until.  OUT: *held (may be NULL): 0 if
 * the claim is not ours any more. */
ClCode outbox_renew(sqlite3 *db, int64_t id, const char *claim, int64_t until, int *held, Err *e)
	__attribute__((warn_unused_result));

/* The server accepted notice id under our claim: state sent.  A short
 * transaction of its own (or the caller's, if one is open); CL_ECONFLICT
 * when the notice is not sending under claim. */
ClCode outbox_mark_sent(sqlite3 *db, int64_t id, const char *claim, int64_t now, Err *e)
	__attribute__((warn_unused_result));

/* A delivery attempt under our claim failed with reason.  permanent (a 5xx
 * answer) or the OUTBOX_MAX_ATTEMPTS-th failure makes it dead; otherwise
 * retrying with the next attempt at now + outbox_backoff(attempts).
 * Transaction and CL_ECONFLICT as outbox_mark_sent().  OUT: *state (may
 * be NULL). */
ClCode outbox_mark_failed(sqlite3 *db, int64_t id, const char *claim, int permanent,
			  const char *reason, int64_t now, OutboxState *state, Err *e)
	__attribute__((warn_unused_result));

/* Move a dead notice back to queued (attempts reset, due now), audited as
 * actor.  Any other state is refused with CL_ERULE. */
ClCode outbox_retry(sqlite3 *db, int64_t id, const char *actor, int64_t now, Err *e)
	__attribute__((warn_unused_result));

/* Every notice, newest first, read in full into OUT *out: id, kind,
 * recipient, contract, period, state, attempts, next_attempt,
 * lease_until, last_error, queued_on, created_at, sent_at (next_attempt
 * and lease_until as "YYYY-MM-DDTHH:MM:SSZ", lease_until "" unless
 * sending; sent_at "" until sent).  Free *out with rowset_free() either
 * way. */
ClCode outbox_list(sqlite3 *db, RowSet *out, Err *e) __attribute__((warn_unused_result));

/* The count of notices in each state, n[] by OutboxState. */
typedef struct OutboxCounts {
	int64_t n[OB_SENDING + 1];
} OutboxCounts;

/* OUT: *c, every state's count (0 when it has none). */
ClCode outbox_counts(sqlite3 *db, OutboxCounts *c, Err *e) __attribute__((warn_unused_result));

#endif
