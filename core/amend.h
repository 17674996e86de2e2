/*
 * amend.h — contract amendments, renewals and termination (DOMAIN.md
 * 4.6): the terms of a contract as a history, the award and then each
 * amendment in force from its effective date, and the one function every
 * rule asks for the terms in force on a day.
 */
#ifndef COOPLEDGER_AMEND_H
#define COOPLEDGER_AMEND_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "db.h"
#include "err.h"
#include "terms.h"

#define AMEND_REFERENCE_MAX 200

typedef struct Amendment {
	int seq; /* 1, 2, ... */
	Date effective;
	char reference[AMEND_REFERENCE_MAX + 1];
	char recorded_by[256];
	char created_at[TIMESTAMP_BUF];
	char *changes; /* the partial terms document, canonical JSON */
} Amendment;

/* A contract's terms over time: ver[0] is the award, ver[k] the terms
 * after amendment k, in force from amend[k-1].effective. */
typedef struct TermsHistory {
	int64_t id; /* the contract's */
	int n;	    /* amendments */
	Amendment *amend;
	Terms *ver; /* n + 1 versions */
} TermsHistory;

/* The history of the contract numbered number.  CL_ENOTFOUND names it.
 * Free with terms_history_free().  OUT: *h. */
ClCode terms_history_load(sqlite3 *db, const char *number, TermsHistory *h, Err *e)
	__attribute__((warn_unused_result));

/* As terms_history_load(), by the contract's id. */
ClCode terms_history_load_id(sqlite3 *db, int64_t id, TermsHistory *h, Err *e)
	__attribute__((warn_unused_result));

void terms_history_free(TermsHistory *h);

/* The terms in force on day d: the award with every amendment whose
 * effective date is d or before applied in sequence. */
const Terms *terms_in_force(const TermsHistory *h, Date d);

/* The terms with every amendment applied, whatever its date. */
const Terms *terms_latest(const TermsHistory *h);

/* The last day any version's term reaches (the end of the longest). */
Date terms_last_day(const TermsHistory *h);

/* Apply the amendments of contract id (read from the database) to *t, its
 * award terms: t becomes the terms with every amendment applied. */
ClCode amend_apply_all(sqlite3 *db, int64_t id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* Amend contract number: json (len bytes) is the partial terms document,
 * effective the day it takes effect, reference what authorised it.
 * Refused, naming the field or rule and writing nothing: an unknown or
 * badly formed field, a changed fee or rebate year, an effective date on
 * or before the award's start, before the previous amendment's, outside
 * the term in force (an extension may take effect the day after the
 * end), or in a closed quarter; a renewal with no option left; an end
 * moved before live lines or a termination with live lines on or after
 * its date; any change to a terminated contract.  Chained and audited
 * in one transaction.  OUT: *seq (may be NULL). */
ClCode contract_amend(sqlite3 *db, const char *number, Date effective, const char *reference,
		      const char *json, size_t len, const char *actor, int *seq, Err *e)
	__attribute__((warn_unused_result));

/* Recompute the amendments' hash chain.  OUT: *rows. */
ClCode amend_verify(sqlite3 *db, int64_t *rows, Err *e) __attribute__((warn_unused_result));

#endif
