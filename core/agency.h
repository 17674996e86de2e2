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

/* Add every agency of a CSV file with columns code,name,kind,state
 * [,public_entity][,email] in one transaction: one bad row and nothing is
 * written; the message names the row.  OUT: *added. */
ClCode agency_import_csv(sqlite3 *db, FILE *f, const char *actor, int *added, Err *e)
	__attribute__((warn_unused_result));

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
