/*
 * vendor.h — vendors as records: the list, one vendor, its name and its
 * contacts (DOMAIN.md section 3).  Adding a vendor is vendor_add() of
 * agency.h; its report column mapping is import_map_save() of import.h.
 */
#ifndef COOPLEDGER_VENDOR_H
#define COOPLEDGER_VENDOR_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"
#include "rowset.h"

/* A contact as typed: name, e-mail, role and whether it receives notices
 * (1 or 0).  An empty role means "sales reporting". */
typedef struct VendorContactIn {
	const char *name;
	const char *email;
	const char *role;
	int receives_notices;
} VendorContactIn;

/* The field a refusal is about, for forms that mark it. */
typedef enum {
	VENDOR_FIELD_NONE = 0,
	VENDOR_FIELD_NAME,
	VENDOR_FIELD_EMAIL,
	VENDOR_FIELD_ROLE
} VendorField;

/* All vendors ordered by code, read in full into OUT *out: code, name,
 * email (its first contact, "" when none), contacts and contracts
 * (counts).  Free *out with rowset_free() either way. */
ClCode vendor_list(sqlite3 *db, RowSet *out, Err *e) __attribute__((warn_unused_result));

/* One vendor into OUT *out (one row: code, name, created_at), or
 * CL_ENOTFOUND.  Free *out with rowset_free() either way. */
ClCode vendor_get(sqlite3 *db, const char *code, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The vendor's contacts in the order added, into OUT *out: id, name,
 * email, role, receives_notices (1 or 0).  Free *out with rowset_free()
 * either way. */
ClCode vendor_contacts(sqlite3 *db, const char *code, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* The vendor's contracts by number into OUT *out: number, title, status.
 * Free *out with rowset_free() either way. */
ClCode vendor_contracts(sqlite3 *db, const char *code, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* Give vendor code a new name (1 to 200 characters); audited. */
ClCode vendor_rename(sqlite3 *db, const char *code, const char *name, const char *actor, Err *e)
	__attribute__((warn_unused_result));

/* Add a contact to vendor code; audited.  A refusal names its field in
 * OUT *field (may be NULL).  OUT: *id (may be NULL). */
ClCode vendor_contact_add(sqlite3 *db, const char *code, const VendorContactIn *c,
			  const char *actor, int64_t *id, VendorField *field, Err *e)
	__attribute__((warn_unused_result));

/* Change contact id of vendor code to c; audited with before and after.
 * A refusal names its field in OUT *field (may be NULL). */
ClCode vendor_contact_edit(sqlite3 *db, const char *code, int64_t id, const VendorContactIn *c,
			   const char *actor, VendorField *field, Err *e)
	__attribute__((warn_unused_result));

/* Remove contact id of vendor code; audited with what it was. */
ClCode vendor_contact_remove(sqlite3 *db, const char *code, int64_t id, const char *actor, Err *e)
	__attribute__((warn_unused_result));

#endif
