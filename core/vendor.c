/* vendor.c — vendors' list, names and contacts; see vendor.h. */
#include "vendor.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agency.h"
#include "audit.h"
#include "db.h"
#include "text.h"

/* All of the module's SQL. */
static const char sql_list[] =
	"SELECT v.code, v.name, coalesce((SELECT email FROM vendor_contact c WHERE c.vendor_id = "
	"v.id ORDER BY c.id LIMIT 1), '') AS email, (SELECT count(*) FROM vendor_contact c WHERE "
	"c.vendor_id = v.id) AS contacts, (SELECT count(*) FROM contract k WHERE k.vendor_id = "
	"v.id) AS contracts FROM vendor v ORDER BY v.code";
static const char sql_get[] = "SELECT code, name, created_at FROM vendor WHERE code = ?";
static const char sql_contacts[] =
	"SELECT id, name, email, role, receives_notices FROM vendor_contact WHERE vendor_id = ? "
	"ORDER BY id";
static const char sql_contracts[] =
	"SELECT number, title, status FROM contract WHERE vendor_id = ? ORDER BY number";
static const char sql_rename[] = "UPDATE vendor SET name = ? WHERE id = ?";
static const char sql_contact_json[] =
	"SELECT json_object('name', name, 'email', email, 'role', role, 'receives_notices', "
	"json(CASE receives_notices WHEN 1 THEN 'true' ELSE 'false' END)) FROM vendor_contact "
	"WHERE id = ? AND vendor_id = ?";
static const char sql_email_taken[] =
	"SELECT 1 FROM vendor_contact WHERE vendor_id = ? AND email = ? COLLATE NOCASE AND id <> ?";
static const char sql_contact_add[] =
	"INSERT INTO vendor_contact(vendor_id, name, email, role, receives_notices) VALUES "
	"(?,?,?,?,?)";
static const char sql_contact_edit[] =
	"UPDATE vendor_contact SET name = ?, email = ?, role = ?, receives_notices = ? WHERE id = "
	"? AND vendor_id = ?";
static const char sql_contact_remove[] =
	"DELETE FROM vendor_contact WHERE id = ? AND vendor_id = ?";

#define CONTACT_ROLE_DEFAULT "sales reporting"

ClCode vendor_list(sqlite3 *db, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(out, db_rows(&q, db, e, sql_list, ""), &q, 0, "reading the vendors", e);
}

ClCode vendor_get(sqlite3 *db, const char *code, RowSet *out, Err *e)
{
	DbRows q;
	ClCode rc;

	rc = rowset_read(out, db_rows(&q, db, e, sql_get, "t", code ? code : ""), &q, 0,
			 "reading the vendor", e);
	if (!rc && out->nrow == 0)
		return err_set(e, CL_ENOTFOUND, "no vendor has the code \"%s\"", code ? code : "");
	return rc;
}

ClCode vendor_contacts(sqlite3 *db, const char *code, RowSet *out, Err *e)
{
	int64_t vid;
	DbRows q;
	ClCode rc;

	memset(out, 0, sizeof *out);
	rc = vendor_id(db, code, &vid, e);
	if (rc)
		return rc;
	return rowset_read(out, db_rows(&q, db, e, sql_contacts, "i", vid), &q, 0,
			   "reading the vendor's contacts", e);
}

ClCode vendor_contracts(sqlite3 *db, const char *code, RowSet *out, Err *e)
{
	int64_t vid;
	DbRows q;
	ClCode rc;

	memset(out, 0, sizeof *out);
	rc = vendor_id(db, code, &vid, e);
	if (rc)
		return rc;
	return rowset_read(out, db_rows(&q, db, e, sql_contracts, "i", vid), &q, 0,
			   "reading the vendor's contracts", e);
}

/* Run a change that the caller has prepared (rc its outcome so far) to
 * its end: the audit row, then commit; roll back on any failure. */
static ClCode finish(sqlite3 *db, ClCode rc, const char *actor, const char *action,
		     const char *code, const char *before, const char *after, Err *e)
{
	if (!rc)
		rc = audit_record(db, actor, action, "vendor", code, before, after, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

/* A name of 1 to 200 characters on one line, called what. */
static ClCode check_name(const char *what, const char *name, Err *e)
{
	if (!name || !*name || strlen(name) > 200)
		return err_set(e, CL_EINPUT, "%s is required (at most 200 characters)", what);
	return text_check_line(what, name, e);
}

ClCode vendor_rename(sqlite3 *db, const char *code, const char *name, const char *actor, Err *e)
{
	char before[260], *after;
	cJSON *o;
	int64_t vid;
	ClCode rc;

	if (check_name("the vendor's name", name, e))
		return CL_EINPUT;
	rc = vendor_id(db, code, &vid, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	db_text(db, before, sizeof before,
		"SELECT json_object('name', name) FROM vendor WHERE id = ?", "i", vid);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	after = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rc = after ? db_exec(db, e, sql_rename, "ti", name, vid)
		   : err_set(e, CL_ENOMEM, "out of memory");
	rc = finish(db, rc, actor, "vendor.rename", code, before, after, e);
	cJSON_free(after);
	return rc;
}

/* Check a contact's fields; the message names the field, and so does
 * OUT *field. */
static ClCode contact_validate(const VendorContactIn *c, VendorField *field, Err *e)
{
	*field = VENDOR_FIELD_NAME;
	if (check_name("the contact's name", c->name, e))
		return CL_EINPUT;
	*field = VENDOR_FIELD_EMAIL;
	if (text_check_email("e-mail", c->email, e))
		return CL_EINPUT;
	*field = VENDOR_FIELD_ROLE;
	if (c->role && strlen(c->role) > 100)
		return err_set(e, CL_EINPUT, "the contact's role is longer than 100 characters");
	if (text_check_optional("the contact's role", c->role, e))
		return CL_EINPUT;
	*field = VENDOR_FIELD_NONE;
	return CL_OK;
}

/* The contact as JSON for the audit log.  Caller frees with cJSON_free. */
static char *contact_json(const VendorContactIn *c, const char *role)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "email", c->email);
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddBoolToObject(o, "receives_notices", c->receives_notices);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* Validate c for vendor code, resolve the vendor and refuse an e-mail
 * another of its contacts has (id: the contact changed, or 0); opens
 * the transaction.  OUT: *vid, *field. */
static ClCode contact_begin(sqlite3 *db, const char *code, int64_t id, const VendorContactIn *c,
			    int64_t *vid, VendorField *field, Err *e)
{
	ClCode rc;

	if (contact_validate(c, field, e))
		return CL_EINPUT;
	rc = vendor_id(db, code, vid, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	if (db_int(db, 0, sql_email_taken, "iti", *vid, c->email, id)) {
		db_rollback(db);
		*field = VENDOR_FIELD_EMAIL;
		return err_set(e, CL_ECONFLICT,
			       "vendor %s already has a contact with the e-mail %s", code,
			       c->email);
	}
	return CL_OK;
}

ClCode vendor_contact_add(sqlite3 *db, const char *code, const VendorContactIn *c,
			  const char *actor, int64_t *id, VendorField *field, Err *e)
{
	const char *role = c->role && *c->role ? c->role : CONTACT_ROLE_DEFAULT;
	VendorField f;
	int64_t vid;
	char *after;
	ClCode rc;

	field = field ? field : &f;
	rc = contact_begin(db, code, 0, c, &vid, field, e);
	if (rc)
		return rc;
	after = contact_json(c, role);
	rc = after ? db_exec(db, e, sql_contact_add, "ittti", vid, c->name, c->email, role,
			     (int64_t)(c->receives_notices != 0))
		   : err_set(e, CL_ENOMEM, "out of memory");
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(db);
	rc = finish(db, rc, actor, "vendor.contact_add", code, NULL, after, e);
	cJSON_free(after);
	return rc;
}

ClCode vendor_contact_edit(sqlite3 *db, const char *code, int64_t id, const VendorContactIn *c,
			   const char *actor, VendorField *field, Err *e)
{
	const char *role = c->role && *c->role ? c->role : CONTACT_ROLE_DEFAULT;
	char before[1200];
	VendorField f;
	int64_t vid;
	char *after;
	ClCode rc;

	field = field ? field : &f;
	rc = contact_begin(db, code, id, c, &vid, field, e);
	if (rc)
		return rc;
	if (!db_text(db, before, sizeof before, sql_contact_json, "ii", id, vid)) {
		db_rollback(db);
		return err_set(e, CL_ENOTFOUND, "vendor %s has no contact %" PRId64, code, id);
	}
	after = contact_json(c, role);
	rc = after ? db_exec(db, e, sql_contact_edit, "tttiii", c->name, c->email, role,
			     (int64_t)(c->receives_notices != 0), id, vid)
		   : err_set(e, CL_ENOMEM, "out of memory");
	rc = finish(db, rc, actor, "vendor.contact_edit", code, before, after, e);
	cJSON_free(after);
	return rc;
}

ClCode vendor_contact_remove(sqlite3 *db, const char *code, int64_t id, const char *actor, Err *e)
{
	char before[1200];
	int64_t vid;
	ClCode rc;

	rc = vendor_id(db, code, &vid, e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	if (!db_text(db, before, sizeof before, sql_contact_json, "ii", id, vid)) {
		db_rollback(db);
		return err_set(e, CL_ENOTFOUND, "vendor %s has no contact %" PRId64, code, id);
	}
	rc = db_exec(db, e, sql_contact_remove, "ii", id, vid);
	return finish(db, rc, actor, "vendor.contact_remove", code, before, NULL, e);
}
