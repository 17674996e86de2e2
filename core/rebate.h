/*
 * rebate.h — aggregate volume rebates the vendor pays members
 * (DOMAIN.md section 4.3): base, total, allocation by the largest
 * remainder, projected or final, snapshots and true-ups.
 */
#ifndef COOPLEDGER_REBATE_H
#define COOPLEDGER_REBATE_H

#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "terms.h"

typedef struct RebateShare {
	char agency[33];
	Money net;    /* the member's net invoiced in the year (may be negative) */
	Money rebate; /* its allocation */
} RebateShare;

/* Allocate total over the shares: member base max(0, net); each gets
 * floor(total * b / sum b), the cents left over go one each to the largest
 * remainders, ties to the lower agency code (byte order).  All zero when
 * total <= 0 or sum b = 0.  The allocations add up exactly to total
 * otherwise.  OUT: share[].rebate. */
void rebate_allocate(Money total, RebateShare *share, int n);

/* The next tier to unlock (present 0 at the top, or once the year is
 * final). */
typedef struct RebateNext {
	int present;
	Money from;
	Rate rate;
	Money remaining; /* from - base */
} RebateNext;

/* A rebate year as `report rebates` shows it. */
typedef struct RebateReport {
	char contract[64]; /* as asked for */
	int year;
	Date start, end;
	Money base;
	Rate rate;
	Money total;
	int final; /* 1: "final", 0: "projected" */
	RebateNext next_tier;
	RebateShare *share; /* allocations (only the one agency's, if asked) */
	int nshare;
	int has_snapshot; /* the stored final figures, with the true-up */
	char snapshot_taken[DATE_BUF];
	Money snapshot_base, snapshot_total, true_up;
} RebateReport;

/* Rebate year k of the contract as of today.  The first time a year is
 * reported final its figures are stored (a snapshot, audited as actor);
 * a final report then carries the snapshot and the true-up since it
 * (unless it is dated after the real clock).  next_tier is absent
 * once the year is final.  With only_agency, the allocations hold that
 * agency alone (a member's view).  OUT: *out (free with
 * rebate_report_free(), also on failure). */
ClCode rebate_report(sqlite3 *db, const char *contract, int year, Date today,
		     const char *only_agency, const char *actor, RebateReport *out, Err *e)
	__attribute__((warn_unused_result));
void rebate_report_free(RebateReport *r);

/* The rebate year of terms t (which has a rebate schedule) that holds
 * day, or its last year once it has ended, its first before it starts. */
int rebate_year_at(const Terms *t, Date day);

/* The rebate year of the contract that holds today (or its last year once
 * it has ended; its first before it starts).  OUT: *year. */
ClCode rebate_current_year(sqlite3 *db, const char *contract, Date today, int *year, Err *e)
	__attribute__((warn_unused_result));

#endif
