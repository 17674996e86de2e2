/*
 * inquiry.h — completeness inquiries (DOMAIN.md 4.7): staff ask a contract's
 * vendor, for one quarter, about every `unreported` and `under_reported`
 * register PO dated in that quarter or earlier, as the completeness audit
 * finds them today.  Each inquiry is kept with the POs it listed, audited,
 * and queued as a `completeness_inquiry` notice to every vendor contact
 * that receives notices, with the list as a CSV attachment.
 */
#ifndef COOPLEDGER_INQUIRY_H
#define COOPLEDGER_INQUIRY_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "rowset.h"

/* The body of an e-mail lists at most this many POs; the rest are in the
 * attachment. */
#define INQUIRY_MAIL_ROWS 50

/* An inquiry as sent. */
typedef struct Inquiry {
	int64_t id;
	char contract[64];
	int64_t vendor_id; /* the contract's vendor, for access checks */
	char vendor[40];   /* its code */
	Quarter q;
	Date sent_on;
	char actor[300];
	int po_count;
	Money gap;
	Money fee_at_risk;
	int notices; /* vendor contacts it went to */
} Inquiry;

/* Send the inquiry of contract for quarter q as of today, in one
 * transaction: the inquiry and its POs, an audit row (inquiry.send) and
 * one notice per vendor contact, queued at now.  Refused, writing
 * nothing: an unknown contract (CL_ENOTFOUND); q outside the contract's
 * term (CL_EINPUT); an inquiry of the same contract and quarter already
 * sent today (CL_ECONFLICT, naming the day); no vendor contact that
 * receives notices, or no unreported or under-reported PO dated in q or
 * earlier (CL_ERULE).  OUT: *out. */
ClCode inquiry_send(sqlite3 *db, const char *contract, Quarter q, Date today, int64_t now,
		    const char *actor, Inquiry *out, Err *e) __attribute__((warn_unused_result));

/* Inquiry id.  CL_ENOTFOUND when there is none.  OUT: *out. */
ClCode inquiry_load(sqlite3 *db, int64_t id, Inquiry *out, Err *e)
	__attribute__((warn_unused_result));

/* "inquiry-CONTRACT-QUARTER.csv" of inq into buf (size n). */
void inquiry_csv_name(const Inquiry *inq, char *buf, size_t n);

/* The CSV of inquiry id exactly as it was sent: a header row, then one row
 * per PO (agency_code, agency_name, po_number, po_date, register_amount,
 * reported_amount, status, gap, fee_at_risk; money as 1234.56).  OUT:
 * *csv (the caller frees), *len. */
ClCode inquiry_csv(sqlite3 *db, int64_t id, char **csv, size_t *len, Err *e)
	__attribute__((warn_unused_result));

/* The inquiries sent, newest first, as rows (id, contract, quarter,
 * sent_on, actor, po_count, gap and fee_at_risk in cents, notices):
 * those of the contracts of the vendor coded vendor (NULL: every vendor),
 * of contract (NULL: every contract).  OUT: *rs (free with rowset_free()
 * either way). */
ClCode inquiry_list(sqlite3 *db, const char *vendor, const char *contract, RowSet *rs, Err *e)
	__attribute__((warn_unused_result));

#endif
