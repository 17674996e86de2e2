/*
 * agency.h — public agencies and vendors with their contacts
 * (DOMAIN.md section 3).
 */
#ifndef COOPLEDGER_AGENCY_H
#define COOPLEDGER_AGENCY_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "rowset.h"

typedef struct AgencyIn {
	const char *code;
	const char *name;
	const char *kind; /* school_district, city, county, ... */
	const char *state;
	int public_entity;
	const char *address; /* may be NULL */
	const char *email;   /* a notice contact, may be NULL */
} AgencyIn;

/* Validate and add one agency (and its contact, when email is given),
 * audited as actor.  OUT: *id (may be NULL). */
ClCode agency_add(sqlite3 *db, const AgencyIn *a, const char *actor, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* The same inside the caller's transaction. */
ClCode agency_add_in(sqlite3 *db, const AgencyIn *a, const char *actor, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* The fields of an agency, in the order they are checked. */
typedef enum {
	AGENCY_F_CODE = 0,
	AGENCY_F_NAME,
	AGENCY_F_ADDRESS,
	AGENCY_F_KIND,
	AGENCY_F_STATE,
	AGENCY_F_EMAIL,
	AGENCY_F_COUNT
} AgencyField;

/* CL_OK, or CL_EINPUT with the message agency_add() gives when field f of
 * a is wrong (a form shows each wrong field's message beside it). */
ClCode agency_check_field(const AgencyIn *a, AgencyField f, Err *e)
	__attribute__((warn_unused_result));

/* Change the agency a->code to a's name, kind, state, public_entity and
 * address (its code stays; a->email is not used), audited before and
 * after as actor.  Nothing is written when nothing changed. */
ClCode agency_update(sqlite3 *db, const AgencyIn *a, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* The agency code as one row into OUT *out (code, name, kind, state,
 * public_entity, address), or CL_ENOTFOUND.  Free *out with rowset_free()
 * either way. */
ClCode agency_get(sqlite3 *db, const char *code, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* An agency's contact (DOMAIN.md section 3). */
typedef struct ContactIn {
	const char *name;
	const char *email;
	const char *role; /* NULL or "": purchasing */
	int receives_notices;
} ContactIn;

typedef enum { CONTACT_F_NAME = 0, CONTACT_F_EMAIL, CONTACT_F_ROLE, CONTACT_F_COUNT } ContactField;

/* CL_OK, or CL_EINPUT saying what is wrong with field f of c. */
ClCode agency_contact_check_field(const ContactIn *c, ContactField f, Err *e)
	__attribute__((warn_unused_result));

/* The contacts of agency code, oldest first, into OUT *out: id, name,
 * email, role, receives_notices.  Free with rowset_free() either way. */
ClCode agency_contacts(sqlite3 *db, const char *code, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* Add c to agency code (an e-mail it already has is CL_ECONFLICT),
 * audited as actor.  OUT: *id (may be NULL). */
ClCode agency_contact_add(sqlite3 *db, const char *code, const ContactIn *c, const char *actor,
			  int64_t *id, Err *e) __attribute__((warn_unused_result));

/* Change contact id of agency code to c, audited before and after;
 * CL_ENOTFOUND when the agency has no such contact. */
ClCode agency_contact_update(sqlite3 *db, const char *code, int64_t id, const ContactIn *c,
			     const char *actor, Err *e) __attribute__((warn_unused_result));

/* Remove contact id of agency code, audited with what it was. */
ClCode agency_contact_remove(sqlite3 *db, const char *code, int64_t id, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* Add every agency of a CSV file or .xlsx workbook (its sheet by name,
 * NULL: the first) with columns code,name,kind,state[,public_entity]
 * [,email] in one transaction: one bad row and nothing is written; the
 * message names the row.  OUT: *added. */
ClCode agency_import_csv(sqlite3 *db, FILE *f, const char *sheet, const char *actor, int *added,
			 Err *e) __attribute__((warn_unused_result));

/* The agency id for code, or CL_ENOTFOUND with a message.  OUT: *id. */
ClCode agency_id(sqlite3 *db, const char *code, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* All agencies ordered by code, read in full into OUT *out: code, name,
 * kind, state, public_entity (1 or 0) and email (its first notice
 * contact, "" when none).  Free *out with rowset_free() either way. */
ClCode agency_list(sqlite3 *db, RowSet *out, Err *e) __attribute__((warn_unused_result));

/* 1 if kind is one of DOMAIN.md's agency kinds. */
int agency_kind_valid(const char *kind);

/* 1 if code is 1..32 characters of letters, digits, '-', '_', '.'. */
int record_code_valid(const char *code);

/* Vendors. */
ClCode vendor_add(sqlite3 *db, const char *code, const char *name, const char *email,
		  const char *actor, int64_t *id, Err *e) __attribute__((warn_unused_result));
ClCode vendor_id(sqlite3 *db, const char *code, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

#endif
