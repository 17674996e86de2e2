/*
 * completeness.h — finding unreported sales (DOMAIN.md 4.7): each live
 * register PO of a contract against what the vendor reported for it, its
 * status, gap and fee at risk, per quarter by PO date, and the signals the
 * ledger alone gives (a member gone silent, a quarter's volume dropping).
 */
#ifndef COOPLEDGER_COMPLETENESS_H
#define COOPLEDGER_COMPLETENESS_H

#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "money.h"

typedef enum {
	CS_PENDING = 0,
	CS_REPORTED,
	CS_UNDER_REPORTED,
	CS_OVER_REPORTED,
	CS_UNREPORTED,
	CS__MAX
} CompletenessStatus;

/* One live register PO against the ledger. */
typedef struct CompletenessPo {
	char agency[33]; /* agency code */
	char po_number[65];
	Date po_date;
	Money register_amount;
	Money reported_amount; /* net invoiced + freight of its live lines, any date */
	Money tolerance;       /* max(1.00, round(register x 0.5%)) */
	CompletenessStatus status;
	Date pending_until; /* the due date of the quarter after the PO's */
	Money gap;	    /* register - reported when under- or unreported, else 0 */
	Money fee_at_risk;  /* round(gap x r / 10^6): an estimate, never booked */
} CompletenessPo;

/* The POs dated in one quarter, by status. */
typedef struct CompletenessQuarter {
	Quarter q;
	int register_pos;
	Money register_amount;
	int count[CS__MAX];
	Money gap;
	Money fee_at_risk;
} CompletenessQuarter;

typedef enum { SIG_MEMBER_SILENT = 0, SIG_VOLUME_DROP } SignalKind;

/* A signal from the ledger alone, with the figures behind it in words. */
typedef struct CompletenessSignal {
	SignalKind kind;
	Quarter q;
	char agency[33]; /* "" for volume_drop */
	char detail[400];
} CompletenessSignal;

/* `report completeness`: quarters from the term's first to today's (or the
 * term's last), and any later one holding a PO; the POs by date, agency
 * and PO number; the signals by quarter, member_silent first, by agency. */
typedef struct CompletenessReport {
	char contract[64];
	CompletenessQuarter *quarter;
	int nquarter;
	CompletenessPo *po;
	int npo;
	CompletenessSignal *signal;
	int nsignal;
} CompletenessReport;

/* The completeness audit of contract as of today; period (may be NULL)
 * keeps one quarter, by PO date for the POs and as the quarter of the
 * signals.  OUT: *out (free with completeness_report_free(), also on
 * failure). */
ClCode completeness_report(sqlite3 *db, const char *contract, const Quarter *period, Date today,
			   CompletenessReport *out, Err *e) __attribute__((warn_unused_result));
/* The same as one member sees it: agency's POs and the quarters' tallies
 * of them, and its member_silent signals; the POs read from the agency's
 * register and orders, not the contract's (an unknown agency: none). */
ClCode completeness_report_of(sqlite3 *db, const char *contract, const Quarter *period,
			      const char *agency, Date today, CompletenessReport *out, Err *e)
	__attribute__((warn_unused_result));

void completeness_report_free(CompletenessReport *r);

/* "pending", "reported", "under_reported", "over_reported", "unreported". */
const char *completeness_status_name(CompletenessStatus s);

/* "member_silent", "volume_drop". */
const char *signal_kind_name(SignalKind k);

#endif
