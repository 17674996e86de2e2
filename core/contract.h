/*
 * contract.h — contracts (created from a terms document), their
 * participants, and the quarters open or closed for the whole ledger.
 */
#ifndef COOPLEDGER_CONTRACT_H
#define COOPLEDGER_CONTRACT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "amend.h"
#include "terms.h"

/* Create a contract from a terms document (JSON text of len bytes): the
 * document is validated (terms_parse), its lead agency and vendor must
 * exist, its number must be new.  The lead agency becomes a participant
 * from the start date.  Audited.  OUT: *id (may be NULL). */
ClCode contract_import(sqlite3 *db, const char *json, size_t len, const char *actor, int64_t *id,
		       Err *e) __attribute__((warn_unused_result));

/* Load a contract's id and its award's terms (as imported, before any
 * amendment) by number.  OUT: *id, *t (either may be NULL).  CL_ENOTFOUND
 * names the number. */
ClCode contract_load_award(sqlite3 *db, const char *number, int64_t *id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* As contract_load_award, by id. */
ClCode contract_load_award_id(sqlite3 *db, int64_t id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* Load a contract's id and terms by number, with every amendment applied
 * (the rules that depend on a day use terms_in_force(), amend.h).  OUT:
 * *id, *t (either may be NULL).  CL_ENOTFOUND names the number. */
ClCode contract_load(sqlite3 *db, const char *number, int64_t *id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* As contract_load, by id. */
ClCode contract_load_id(sqlite3 *db, int64_t id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* The contract for `contract show`: its terms, the names of its lead
 * agency and vendor, its participants, and its live ledger's lines and
 * totals. */
typedef struct ContractShow {
	Terms t;	/* in force on the day asked for; status expired after its end */
	Date on;	/* that day */
	Terms award;	/* as awarded, before any amendment */
	TermsHistory h; /* the amendments (h.amend, h.n) and their versions */
	char lead_agency_name[256];
	char vendor_name[256];
	int64_t participants;
	int64_t live_lines;
	Money list_total;
	Money net_sales;
} ContractShow;

/* The contract numbered number with its terms in force on day on.  Free
 * with contract_show_free().  OUT: *out. */
ClCode contract_show(sqlite3 *db, const char *number, Date on, ContractShow *out, Err *e)
	__attribute__((warn_unused_result));

void contract_show_free(ContractShow *c);

/* Make agency a participant of the contract from joined (which must fall
 * within the contract term).  Audited. */
ClCode participant_add(sqlite3 *db, const char *number, const char *agency_code, Date joined,
		       const char *actor, Err *e) __attribute__((warn_unused_result));

/* The same inside the caller's transaction. */
ClCode participant_add_in(sqlite3 *db, const char *number, const char *agency_code, Date joined,
			  const char *actor, Err *e) __attribute__((warn_unused_result));

/* Add every participant of a CSV file or .xlsx workbook (its sheet by
 * name, NULL: the first) agency_code,joined in one transaction; the
 * message of a bad row names it.  OUT: *added. */
ClCode participant_import_csv(sqlite3 *db, const char *number, FILE *f, const char *sheet,
			      const char *actor, int *added, Err *e)
	__attribute__((warn_unused_result));

/* Quarters (DOMAIN.md section 3, "period"). */
int period_is_closed(sqlite3 *db, Quarter q);

/* What is still open in a quarter that is to be closed: closing it anyway
 * needs a confirmation. */
typedef enum {
	PB_REPORT_MISSING = 0, /* no sales report filed for the quarter */
	PB_UNPAID,	       /* a positive fee balance (amount) */
	PB_OVERCHARGE	       /* overcharged lines (lines, amount in total) */
} PeriodBlockerKind;

typedef struct PeriodBlocker {
	PeriodBlockerKind kind;
	char contract[64];
	Money amount; /* PB_UNPAID: the balance; PB_OVERCHARGE: the overcharge */
	int lines;    /* PB_OVERCHARGE: the overcharged lines */
} PeriodBlocker;

typedef struct PeriodBlockers {
	PeriodBlocker *item;
	int n;
} PeriodBlockers;

/* The blockers of quarter q as of today, by contract (in number order):
 * for every contract whose term overlaps q, a missing report (not for a
 * terminated contract), an unpaid balance, overcharges (DOMAIN.md 4.1,
 * 4.2).  OUT: *out (free with period_blockers_free(), also on failure). */
ClCode period_blockers(sqlite3 *db, Quarter q, Date today, PeriodBlockers *out, Err *e)
	__attribute__((warn_unused_result));
void period_blockers_free(PeriodBlockers *b);

/* One blocker in words, e.g. "KS-1: 2025-Q4 sales report missing".
 * Returns buf. */
char *period_blocker_text(const PeriodBlocker *b, Quarter q, char *buf, size_t n);

/* Close quarter q as of today.  Refused (CL_ERULE) while q has not ended,
 * naming its last day.  When q has blockers and confirmed is 0 it is
 * refused (CL_ERULE) with the blockers in *blockers (may be NULL; free
 * with period_blockers_free(), also on failure) and nothing written.
 * Audited. */
ClCode period_close_as_of(sqlite3 *db, Quarter q, Date today, int confirmed, const char *actor,
			  PeriodBlockers *blockers, Err *e) __attribute__((warn_unused_result));

/* period_close_as_of() as of the system date, confirmed. */
ClCode period_close(sqlite3 *db, Quarter q, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* One quarter of the books for the period table. */
typedef struct PeriodRow {
	Quarter q;
	int closed;
	int ended; /* today is after its last day */
	char changed_at[32];
	char changed_by[128];
	char reason[404];
} PeriodRow;

/* Every quarter of the books, newest first: from the quarter of the
 * earliest contract start (or of a period row, if earlier) to today's
 * quarter (or the latest period row, if later).  OUT: *out (caller frees
 * with free()), *n. */
ClCode period_list(sqlite3 *db, Date today, PeriodRow **out, int *n, Err *e)
	__attribute__((warn_unused_result));
ClCode period_reopen(sqlite3 *db, Quarter q, const char *reason, const char *actor, Err *e)
	__attribute__((warn_unused_result));

#endif
