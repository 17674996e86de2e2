/*
 * access.h — who may see what: the visibility rules the pages, the API,
 * the CSV downloads and the PDF statements share.
 *
 * Staff (admin, finance) see every contract and agency; a member sees the
 * contracts its agency takes part in and its own agency; a vendor user
 * sees its own vendor's contracts and no agency.
 */
#ifndef COOPLEDGER_ACCESS_H
#define COOPLEDGER_ACCESS_H

#include <sqlite3.h>

#include "err.h"
#include "session.h"

/* 1 when who is staff (admin or finance). */
int access_is_staff(const Principal *who);

/* Whether who may see contract number (NULL: no).  OUT: *may, 1 or 0
 * (0 also when there is no such contract); a failed read is CL_EDB. */
ClCode access_contract(sqlite3 *db, const Principal *who, const char *number, int *may, Err *e)
	__attribute__((warn_unused_result));

/* Whether who may see agency code (NULL: no).  OUT: *may, as above. */
ClCode access_agency(sqlite3 *db, const Principal *who, const char *code, int *may, Err *e)
	__attribute__((warn_unused_result));

/* 1 when who may see contract number; 0 when not, when there is no such
 * contract, and when the read failed: a check that cannot be made
 * refuses (fails closed).  Callers that must tell a failure from a
 * refusal use access_contract(). */
int access_may_see_contract(sqlite3 *db, const Principal *who, const char *number);

/* 1 when who may see agency code; 0 otherwise, failing closed like
 * access_may_see_contract(). */
int access_may_see_agency(sqlite3 *db, const Principal *who, const char *code);

#endif
