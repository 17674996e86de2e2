/*
 * terms.h — the contract terms document (DOMAIN.md section 4).
 *
 * terms_parse() reads and validates the JSON document that `contract
 * import` and the JSON API take; schedule_*() evaluate fee bands, discount
 * tiers and rebate tiers exactly, in cent·ppm.
 */
#ifndef COOPLEDGER_TERMS_H
#define COOPLEDGER_TERMS_H

#include <stddef.h>

#include "date.h"
#include "err.h"
#include "money.h"

#define TERMS_MAX_BANDS 32

typedef enum { SCHED_GRADUATED = 0, SCHED_VOLUME = 1 } SchedMode;
typedef enum { YEAR_CONTRACT = 0, YEAR_CALENDAR = 1 } YearKind;

typedef struct Band {
	Money from; /* lower bound of the band, inclusive */
	Rate rate;
} Band;

typedef struct Schedule {
	int present;   /* 0 when the document leaves it out */
	YearKind year; /* fee and rebates only */
	SchedMode mode;
	int nband;
	Band band[TERMS_MAX_BANDS];
} Schedule;

typedef enum { CONTRACT_ACTIVE = 0, CONTRACT_EXPIRED, CONTRACT_TERMINATED } ContractStatus;

typedef struct Terms {
	char number[64];
	char title[256];
	char category[64];
	char lead_agency[33]; /* agency code */
	char vendor[33];      /* vendor code */
	char solicitation[128];
	ContractStatus status; /* "status", optional, default active */
	Date start, end;       /* inclusive */
	Schedule fee;	       /* required; graduated or volume */
	Schedule discounts;    /* optional; always all-units (volume) */
	Schedule rebates;      /* optional */
	int due_days;	       /* default 45 */
	int has_late_fee;
	Money late_fee_min;
	Rate late_fee_rate;
	Money price_tolerance; /* default 0 */
	int renew_options;     /* "renewals": options not yet exercised */
	int renew_years;       /* and the years each adds to the end */
	Date terminated_on;    /* in force terms only: a termination's effective date */
} Terms;

/* What an amendment changes (DOMAIN.md 4.6): the fields of t named in has
 * (TC_* bits), and renew when it exercises a renewal option.  t is the
 * first member so that the terms document's field table fills it. */
enum {
	TC_FEE = 1 << 0,
	TC_DISCOUNTS = 1 << 1,
	TC_REBATES = 1 << 2,
	TC_DUE_DAYS = 1 << 3,
	TC_LATE_FEE = 1 << 4,
	TC_TOLERANCE = 1 << 5,
	TC_END = 1 << 6,
	TC_STATUS = 1 << 7,
	TC_RENEWALS = 1 << 8,
	TC_RENEW = 1 << 9
};

typedef struct TermsChange {
	Terms t;
	unsigned has;
	int renew;
} TermsChange;

/* Parse and validate a terms document of len bytes.  Every problem names the
 * field ("fee.bands[1].from: must be a money string such as \"30000.00\",
 * not a JSON number").  Checks only the document itself: see
 * contract_import() for the lead agency and vendor.  OUT: *t. */
ClCode terms_parse(const char *json, size_t len, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* Parse and validate the partial terms document of an amendment against
 * cur, the terms in force before it: any of fee, discounts, rebates,
 * due_days, late_fee, price_tolerance, end, status ("terminated"),
 * renewals and renew (true), each checked as in terms_parse(); a fee or
 * rebate schedule keeps cur's year (saying another is refused), an empty
 * document and an unknown field are refused.  Every message names the
 * field.  OUT: *c. */
ClCode terms_change_parse(const char *json, size_t len, const Terms *cur, TermsChange *c, Err *e)
	__attribute__((warn_unused_result));

/* Clear from c->has what c would set to the value cur already has (a form
 * that restates the terms in force changes only what was edited). */
void terms_change_drop_same(TermsChange *c, const Terms *cur);

/* The canonical partial document of c as JSON text (only what it
 * changes).  Caller frees with free(); NULL when out of memory. */
char *terms_change_to_json(const TermsChange *c);

/* Apply c, effective on day effective, to t (the terms in force the day
 * before).  A renewal moves the end by renew_years and uses an option;
 * a termination records its day in t->terminated_on. */
void terms_change_apply(Terms *t, const TermsChange *c, Date effective);

/* The canonical terms document of t as JSON text.  Caller frees with
 * free(). Returns NULL when out of memory. */
char *terms_to_json(const Terms *t);

const char *contract_status_name(ContractStatus s);
const char *sched_mode_name(SchedMode m);
const char *year_kind_name(YearKind y);

/* S(x): the exact value of a schedule at base x, in cent·ppm.  For a
 * negative base the first band's rate applies (fees: credits reduce the
 * fee); a base below the first band's "from" earns 0.  Callers that must
 * earn nothing on a non-positive base (rebates) check that themselves. */
__int128 schedule_value(const Schedule *s, Money base);

/* round(S(x) / 10^6): the money figure of a schedule at base x. */
Money schedule_amount(const Schedule *s, Money base);

/* The rate of the highest band whose from <= base, or 0 below the first
 * band (all-units lookup used for discounts and for reporting). */
Rate schedule_rate_at(const Schedule *s, Money base);

/* The index of the first band with from > base, or -1 when base is already
 * in the top band: the "next tier" to unlock. */
int schedule_next_band(const Schedule *s, Money base);

#endif
