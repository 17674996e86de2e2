/*
 * ocds.h — a contract as an Open Contracting Data Standard 1.1 release
 * package (DOMAIN.md section 7): the framework agreement (the lead agency
 * as procuringEntity and buyer, the vendor as supplier, the tender with
 * techniques.hasFrameworkAgreement, the award, and the contract with its
 * period in force and every amendment), and, only when staff have turned
 * publishing of purchases on for the contract, one release per member
 * order (agency and PO) linked to the framework by relatedProcesses.
 * Never fees, rebates or remittances.
 *
 * Identifiers: the framework's ocid is OCDS_PREFIX followed by the
 * contract number; an order's is the framework's followed by
 * "-AGENCY-PO".  Parties are "agency-CODE" and "vendor-CODE".
 */
#ifndef COOPLEDGER_OCDS_H
#define COOPLEDGER_OCDS_H

#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "packet.h"

#define OCDS_PREFIX "ocds-coopledger-"

/* Whether contract number publishes its members' orders (0 until staff
 * turn it on).  CL_ENOTFOUND names an unknown contract.  OUT: *on. */
ClCode ocds_publishing(sqlite3 *db, const char *number, int *on, Err *e)
	__attribute__((warn_unused_result));

/* Turn publishing of contract number's orders on (1) or off (0).
 * Audited (contract.ocds_publishing, before and after) in one
 * transaction; CL_ENOTFOUND names an unknown contract. */
ClCode ocds_set_publishing(sqlite3 *db, const char *number, int on, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* The release package of contract number as of today, published at uri,
 * its amendments described by words.  CL_ENOTFOUND when there is no such
 * contract or it is not active today (terminated, not begun or ended).
 * OUT: *json (caller frees with free()). */
ClCode ocds_package(sqlite3 *db, const char *number, Date today, const char *uri, ChangeWords words,
		    char **json, Err *e) __attribute__((warn_unused_result));

#endif
