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
#include "terms.h"

/* Create a contract from a terms document (JSON text of len bytes): the
 * document is validated (terms_parse), its lead agency and vendor must
 * exist, its number must be new.  The lead agency becomes a participant
 * from the start date.  Audited.  OUT: *id (may be NULL). */
ClCode contract_import(sqlite3 *db, const char *json, size_t len, const char *actor, int64_t *id,
		       Err *e) __attribute__((warn_unused_result));

/* Load a contract's id and terms by number.  OUT: *id, *t (either may be
 * NULL).  CL_ENOTFOUND names the number. */
ClCode contract_load(sqlite3 *db, const char *number, int64_t *id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* As contract_load, by id. */
ClCode contract_load_id(sqlite3 *db, int64_t id, Terms *t, Err *e)
	__attribute__((warn_unused_result));

/* The contract for `contract show`: its terms, the names of its lead
 * agency and vendor, its participants, and its live ledger's lines and
 * totals. */
typedef struct ContractShow {
	Terms t;
	char lead_agency_name[256];
	char vendor_name[256];
	int64_t participants;
	int64_t live_lines;
	Money list_total;
	Money net_sales;
} ContractShow;

/* The contract numbered number.  OUT: *out. */
ClCode contract_show(sqlite3 *db, const char *number, ContractShow *out, Err *e)
	__attribute__((warn_unused_result));

/* Make agency a participant of the contract from joined (which must fall
 * within the contract term).  Audited. */
ClCode participant_add(sqlite3 *db, const char *number, const char *agency_code, Date joined,
		       const char *actor, Err *e) __attribute__((warn_unused_result));

/* Add every participant of a CSV file agency_code,joined in one
 * transaction; the message of a bad row names it.  OUT: *added. */
ClCode participant_import_csv(sqlite3 *db, const char *number, FILE *f, const char *actor,
			      int *added, Err *e) __attribute__((warn_unused_result));

/* Quarters (DOMAIN.md section 3, "period"). */
int period_is_closed(sqlite3 *db, Quarter q);
ClCode period_close(sqlite3 *db, Quarter q, const char *actor, Err *e)
	__attribute__((warn_unused_result));
ClCode period_reopen(sqlite3 *db, Quarter q, const char *reason, const char *actor, Err *e)
	__attribute__((warn_unused_result));

#endif
