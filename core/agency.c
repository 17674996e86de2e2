/* agency.c — agencies, vendors and their contacts; see agency.h. */
#include "agency.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "csvin.h"
#include "tablein.h"
#include "db.h"
#include "text.h"

static const char *const agency_kinds[] = {"school_district", "city",	   "county",
					   "state_agency",    "higher_ed", "special_district",
					   "nonprofit",	      NULL};

int agency_kind_valid(const char *kind)
{
	int i;

	for (i = 0; kind && agency_kinds[i]; i++)
		if (strcmp(kind, agency_kinds[i]) == 0)
			return 1;
	return 0;
}

int record_code_valid(const char *code)
{
	size_t n = code ? strlen(code) : 0, i;

	if (n < 1 || n > 32)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)code[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return 0;
	}
	return 1;
}

/* The state as a two-letter upper-case code. */
static int state_valid(const char *s)
{
	return s && strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

ClCode agency_check_field(const AgencyIn *a, AgencyField f, Err *e)
{
	const char *code = a->code ? a->code : "";

	switch (f) {
	case AGENCY_F_CODE:
		if (!record_code_valid(a->code))
			return err_set(e, CL_EINPUT,
				       "code \"%s\": use 1 to 32 letters, digits, '-', '_' or '.'",
				       code);
		return CL_OK;
	case AGENCY_F_NAME:
		if (!a->name || !*a->name || strlen(a->name) > 200)
			return err_set(e, CL_EINPUT,
				       "agency %s: name is required (at most 200 characters)",
				       code);
		return text_check_line("agency name", a->name, e);
	case AGENCY_F_ADDRESS:
		return text_check_optional("agency address", a->address, e);
	case AGENCY_F_KIND:
		if (!agency_kind_valid(a->kind))
			return err_set(
				e, CL_EINPUT,
				"agency %s: unknown kind \"%s\"; use school_district, city, "
				"county, state_agency, higher_ed, special_district or nonprofit",
				code, a->kind ? a->kind : "");
		return CL_OK;
	case AGENCY_F_STATE:
		if (!state_valid(a->state))
			return err_set(
				e, CL_EINPUT,
				"agency %s: state \"%s\" must be a two-letter code such as KS",
				code, a->state ? a->state : "");
		return CL_OK;
	case AGENCY_F_EMAIL:
		if (text_check_optional("agency e-mail", a->email, e))
			return CL_EINPUT;
		if (a->email && *a->email && text_check_email("agency e-mail", a->email, e)) {
			err_prefix(e, "agency %s", code);
			return CL_EINPUT;
		}
		return CL_OK;
	default:
		return CL_OK;
	}
}

/* Check an agency's fields in order; the message names the first wrong
 * one. */
static ClCode agency_validate(const AgencyIn *a, Err *e)
{
	ClCode rc = CL_OK;
	int f;

	for (f = 0; f < AGENCY_F_COUNT && !rc; f++)
		rc = agency_check_field(a, (AgencyField)f, e);
	return rc;
}

/* Insert a validated agency and its contact; audited.  Runs inside the
 * caller's transaction. */
static ClCode agency_insert(sqlite3 *db, const AgencyIn *a, const char *actor, int64_t *id, Err *e)
{
	char now[TIMESTAMP_BUF], idtext[24];
	cJSON *after;
	char *json;
	int64_t new_id;
	ClCode rc;

	if (db_int(db, 0, "SELECT 1 FROM agency WHERE code = ?", "t", a->code))
		return err_set(e, CL_ECONFLICT, "agency %s already exists", a->code);
	rc = db_exec(db, e,
		     "INSERT INTO agency(code, name, kind, state, public_entity, address, "
		     "created_at) VALUES (?,?,?,?,?,?,?)",
		     "ttttitt", a->code, a->name, a->kind, a->state, (int64_t)a->public_entity,
		     a->address ? a->address : "", db_timestamp(now));
	if (rc)
		return rc;
	new_id = sqlite3_last_insert_rowid(db);
	if (a->email && *a->email)
		rc = db_exec(db, e,
			     "INSERT INTO agency_contact(agency_id, name, email) VALUES (?,?,?)",
			     "itt", new_id, "Purchasing office", a->email);
	if (rc)
		return rc;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "code", a->code);
	cJSON_AddStringToObject(after, "name", a->name);
	cJSON_AddStringToObject(after, "kind", a->kind);
	cJSON_AddStringToObject(after, "state", a->state);
	cJSON_AddBoolToObject(after, "public_entity", a->public_entity);
	if (a->email && *a->email)
		cJSON_AddStringToObject(after, "email", a->email);
	json = cJSON_PrintUnformatted(after);
	snprintf(idtext, sizeof idtext, "%s", a->code);
	rc = audit_record(db, actor, "agency.add", "agency", idtext, NULL, json, e);
	cJSON_free(json);
	cJSON_Delete(after);
	if (!rc && id)
		*id = new_id;
	return rc;
}

ClCode agency_add_in(sqlite3 *db, const AgencyIn *a, const char *actor, int64_t *id, Err *e)
{
	ClCode rc = agency_validate(a, e);

	return rc ? rc : agency_insert(db, a, actor, id, e);
}

ClCode agency_add(sqlite3 *db, const AgencyIn *a, const char *actor, int64_t *id, Err *e)
{
	ClCode rc = agency_validate(a, e);

	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = agency_insert(db, a, actor, id, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

/* Column i of the row in q as text, "" when null. */
static const char *col_text(const DbRows *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q->st, i);

	return t ? (const char *)t : "";
}

/* Agency id's editable fields (name, kind, state, public_entity,
 * address) as a JSON object; NULL with e set when it cannot be read.
 * Caller frees. */
static cJSON *agency_json(sqlite3 *db, int64_t id, Err *e)
{
	cJSON *o = NULL;
	DbRows q;
	ClCode rc = db_rows(&q, db, e,
			    "SELECT name, kind, state, public_entity, address FROM agency "
			    "WHERE id = ?",
			    "i", id);

	if (!rc && db_rows_next(&q)) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", col_text(&q, 0));
		cJSON_AddStringToObject(o, "kind", col_text(&q, 1));
		cJSON_AddStringToObject(o, "state", col_text(&q, 2));
		cJSON_AddBoolToObject(o, "public_entity", sqlite3_column_int(q.st, 3));
		cJSON_AddStringToObject(o, "address", col_text(&q, 4));
	}
	if (db_rows_end(&q, "reading the agency", e) || rc) {
		cJSON_Delete(o);
		return NULL;
	}
	if (!o)
		err_set(e, CL_ENOTFOUND, "the agency is gone");
	return o;
}

/* An audit row of before and after (either may be NULL). */
static ClCode audit_json(sqlite3 *db, const char *actor, const char *action, const char *entity,
			 const char *key, const cJSON *before, const cJSON *after, Err *e)
{
	char *b = before ? cJSON_PrintUnformatted(before) : NULL;
	char *a = after ? cJSON_PrintUnformatted(after) : NULL;
	ClCode rc;

	if ((before && !b) || (after && !a))
		rc = err_set(e, CL_ENOMEM, "out of memory writing the audit row");
	else
		rc = audit_record(db, actor, action, entity, key, b, a, e);
	cJSON_free(b);
	cJSON_free(a);
	return rc;
}

/* Write a's fields over its agency and audit before and after; nothing
 * when nothing changed.  Inside the caller's transaction. */
static ClCode agency_rewrite(sqlite3 *db, int64_t id, const AgencyIn *a, const char *actor, Err *e)
{
	cJSON *before = agency_json(db, id, e), *after = NULL;
	ClCode rc = before ? CL_OK : e->code;

	if (!rc)
		rc = db_exec(db, e,
			     "UPDATE agency SET name = ?, kind = ?, state = ?, public_entity = ?, "
			     "address = ? WHERE id = ?",
			     "tttiti", a->name, a->kind, a->state, (int64_t)a->public_entity,
			     a->address ? a->address : "", id);
	if (!rc && !(after = agency_json(db, id, e)))
		rc = e->code;
	if (!rc && !cJSON_Compare(before, after, 1))
		rc = audit_json(db, actor, "agency.edit", "agency", a->code, before, after, e);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

ClCode agency_update(sqlite3 *db, const AgencyIn *a, const char *actor, Err *e)
{
	static const AgencyField fields[] = {AGENCY_F_NAME, AGENCY_F_ADDRESS, AGENCY_F_KIND,
					     AGENCY_F_STATE};
	Err mine = {0};
	int64_t id;
	ClCode rc;
	size_t i;

	e = e ? e : &mine;
	rc = agency_id(db, a->code ? a->code : "", &id, e);
	for (i = 0; !rc && i < sizeof fields / sizeof *fields; i++)
		rc = agency_check_field(a, fields[i], e);
	if (rc)
		return rc;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = agency_rewrite(db, id, a, actor, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

ClCode agency_get(sqlite3 *db, const char *code, RowSet *out, Err *e)
{
	DbRows q;
	ClCode rc = rowset_read(out,
				db_rows(&q, db, e,
					"SELECT code, name, kind, state, public_entity, address "
					"FROM agency WHERE code = ?",
					"t", code),
				&q, 0, "reading the agency", e);

	if (!rc && out->nrow == 0)
		rc = err_set(e, CL_ENOTFOUND, "no agency has the code \"%s\"", code);
	return rc;
}

ClCode agency_contacts(sqlite3 *db, const char *code, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(out,
			   db_rows(&q, db, e,
				   "SELECT c.id, c.name, c.email, c.role, c.receives_notices "
				   "FROM agency_contact c JOIN agency a ON a.id = c.agency_id "
				   "WHERE a.code = ? ORDER BY c.id",
				   "t", code),
			   &q, 0, "reading the agency's contacts", e);
}

ClCode agency_contact_check_field(const ContactIn *c, ContactField f, Err *e)
{
	switch (f) {
	case CONTACT_F_NAME:
		if (!c->name || !*c->name || strlen(c->name) > 200)
			return err_set(e, CL_EINPUT,
				       "contact name is required (at most 200 characters)");
		return text_check_line("contact name", c->name, e);
	case CONTACT_F_EMAIL:
		if (!c->email || !*c->email)
			return err_set(e, CL_EINPUT, "contact e-mail is required");
		return text_check_email("contact e-mail", c->email, e);
	case CONTACT_F_ROLE:
		if (c->role && strlen(c->role) > 60)
			return err_set(e, CL_EINPUT, "contact role: at most 60 characters");
		return text_check_optional("contact role", c->role, e);
	default:
		return CL_OK;
	}
}

/* Check every field of c; the message names the first wrong one. */
static ClCode contact_validate(const ContactIn *c, Err *e)
{
	ClCode rc = CL_OK;
	int f;

	for (f = 0; f < CONTACT_F_COUNT && !rc; f++)
		rc = agency_contact_check_field(c, (ContactField)f, e);
	return rc;
}

/* Contact id of agency aid as JSON (name, email, role,
 * receives_notices), or NULL with e set (CL_ENOTFOUND when it is not
 * that agency's).  Caller frees. */
static cJSON *contact_json(sqlite3 *db, int64_t aid, int64_t id, Err *e)
{
	cJSON *o = NULL;
	DbRows q;
	ClCode rc = db_rows(&q, db, e,
			    "SELECT name, email, role, receives_notices FROM agency_contact "
			    "WHERE id = ? AND agency_id = ?",
			    "ii", id, aid);

	if (!rc && db_rows_next(&q)) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", col_text(&q, 0));
		cJSON_AddStringToObject(o, "email", col_text(&q, 1));
		cJSON_AddStringToObject(o, "role", col_text(&q, 2));
		cJSON_AddBoolToObject(o, "receives_notices", sqlite3_column_int(q.st, 3));
	}
	if (db_rows_end(&q, "reading the contact", e) || rc) {
		cJSON_Delete(o);
		return NULL;
	}
	if (!o)
		err_set(e, CL_ENOTFOUND, "the agency has no contact %lld", (long long)id);
	return o;
}

/* CL_ECONFLICT when agency aid has another contact (not id) with c's
 * e-mail. */
static ClCode contact_unique(sqlite3 *db, int64_t aid, int64_t id, const char *code,
			     const ContactIn *c, Err *e)
{
	if (db_int(db, 0,
		   "SELECT 1 FROM agency_contact WHERE agency_id = ? AND email = ? AND id <> ?",
		   "iti", aid, c->email, id))
		return err_set(e, CL_ECONFLICT, "agency %s already has a contact %s", code,
			       c->email);
	return CL_OK;
}

/* The audit key of contact id of agency code.  OUT: key (size n). */
static const char *contact_key(const char *code, int64_t id, char *key, size_t n)
{
	snprintf(key, n, "%s/%lld", code, (long long)id);
	return key;
}

/* Insert c for agency aid and audit it.  Inside the caller's
 * transaction.  OUT: *id. */
static ClCode contact_insert(sqlite3 *db, int64_t aid, const char *code, const ContactIn *c,
			     const char *actor, int64_t *id, Err *e)
{
	char key[80];
	cJSON *after;
	ClCode rc;

	if (!c)
		return err_set(e, CL_EINPUT, "the new contact's fields are missing");
	rc = contact_unique(db, aid, 0, code, c, e);

	if (!rc)
		rc = db_exec(db, e,
			     "INSERT INTO agency_contact(agency_id, name, email, role, "
			     "receives_notices) VALUES (?,?,?,?,?)",
			     "ittti", aid, c->name, c->email,
			     c->role && *c->role ? c->role : "purchasing",
			     (int64_t)c->receives_notices);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(db);
	if (!(after = contact_json(db, aid, *id, e)))
		return e->code;
	rc = audit_json(db, actor, "agency.contact.add", "agency_contact",
			contact_key(code, *id, key, sizeof key), NULL, after, e);
	cJSON_Delete(after);
	return rc;
}

/* Run one contact change of agency code in a transaction: check c (when
 * given), find the agency, then do(). */
typedef ClCode (*ContactChange)(sqlite3 *db, int64_t aid, const char *code, const ContactIn *c,
				const char *actor, int64_t *id, Err *e);

static ClCode contact_change(sqlite3 *db, const char *code, const ContactIn *c, const char *actor,
			     int64_t *id, ContactChange change, Err *e)
{
	Err mine = {0};
	int64_t aid;
	ClCode rc;

	e = e ? e : &mine;
	rc = c ? contact_validate(c, e) : CL_OK;

	if (!rc)
		rc = agency_id(db, code ? code : "", &aid, e);
	if (!rc)
		rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = change(db, aid, code, c, actor, id, e);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

ClCode agency_contact_add(sqlite3 *db, const char *code, const ContactIn *c, const char *actor,
			  int64_t *id, Err *e)
{
	int64_t new_id = 0;
	ClCode rc = contact_change(db, code, c, actor, &new_id, contact_insert, e);

	if (!rc && id)
		*id = new_id;
	return rc;
}

/* Write c over contact *id of agency aid and audit before and after
 * (nothing when nothing changed).  Inside the caller's transaction. */
static ClCode contact_rewrite(sqlite3 *db, int64_t aid, const char *code, const ContactIn *c,
			      const char *actor, int64_t *id, Err *e)
{
	char key[80];
	cJSON *before, *after = NULL;
	ClCode rc;

	if (!c)
		return err_set(e, CL_EINPUT, "the contact's new fields are missing");
	if (!(before = contact_json(db, aid, *id, e)))
		return e->code;
	rc = contact_unique(db, aid, *id, code, c, e);

	if (!rc)
		rc = db_exec(db, e,
			     "UPDATE agency_contact SET name = ?, email = ?, role = ?, "
			     "receives_notices = ? WHERE id = ?",
			     "tttii", c->name, c->email,
			     c->role && *c->role ? c->role : "purchasing",
			     (int64_t)c->receives_notices, *id);
	if (!rc && !(after = contact_json(db, aid, *id, e)))
		rc = e->code;
	if (!rc && !cJSON_Compare(before, after, 1))
		rc = audit_json(db, actor, "agency.contact.edit", "agency_contact",
				contact_key(code, *id, key, sizeof key), before, after, e);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

ClCode agency_contact_update(sqlite3 *db, const char *code, int64_t id, const ContactIn *c,
			     const char *actor, Err *e)
{
	return contact_change(db, code, c, actor, &id, contact_rewrite, e);
}

/* Delete contact *id of agency aid and audit what it was.  Inside the
 * caller's transaction. */
static ClCode contact_delete(sqlite3 *db, int64_t aid, const char *code, const ContactIn *c,
			     const char *actor, int64_t *id, Err *e)
{
	char key[80];
	cJSON *before = contact_json(db, aid, *id, e);
	ClCode rc = before ? CL_OK : e->code;

	(void)c;
	if (!rc)
		rc = db_exec(db, e, "DELETE FROM agency_contact WHERE id = ?", "i", *id);
	if (!rc)
		rc = audit_json(db, actor, "agency.contact.remove", "agency_contact",
				contact_key(code, *id, key, sizeof key), before, NULL, e);
	cJSON_Delete(before);
	return rc;
}

ClCode agency_contact_remove(sqlite3 *db, const char *code, int64_t id, const char *actor, Err *e)
{
	return contact_change(db, code, NULL, actor, &id, contact_delete, e);
}

typedef struct AgencyImport {
	sqlite3 *db;
	const char *actor;
	int col[6]; /* code, name, kind, state, public_entity, email: column or -1 */
	int header_seen;
	int added;
} AgencyImport;

static const char *const agency_columns[] = {"code",	      "name",  "kind", "state",
					     "public_entity", "email", NULL};

/* Map header names to the columns above; the first four are required. */
static ClCode agency_header(AgencyImport *ai, int n, char **field, Err *e)
{
	char key[64];
	int i, j;

	ai->header_seen = 1;
	for (j = 0; j < 6; j++)
		ai->col[j] = -1;
	for (i = 0; i < n; i++) {
		csvin_header_key(field[i], key, sizeof key);
		if (strcmp(key, "e_mail") == 0)
			snprintf(key, sizeof key, "email");
		for (j = 0; agency_columns[j]; j++)
			if (strcmp(key, agency_columns[j]) == 0)
				ai->col[j] = i;
	}
	for (j = 0; j < 4; j++)
		if (ai->col[j] < 0)
			return err_set(e, CL_EINPUT,
				       "the header has no \"%s\" column (expected "
				       "code,name,kind,state[,public_entity][,email])",
				       agency_columns[j]);
	return CL_OK;
}

static const char *cell(int col, int n, char **field)
{
	return col >= 0 && col < n ? field[col] : "";
}

/* One CSV row of `agency import`. */
static ClCode agency_row(void *ctx, size_t row, size_t line, int n, char **field, Err *e)
{
	AgencyImport *ai = ctx;
	AgencyIn a;
	ClCode rc;

	if (row == 0)
		return agency_header(ai, n, field, e);
	a.code = cell(ai->col[0], n, field);
	a.name = cell(ai->col[1], n, field);
	a.kind = cell(ai->col[2], n, field);
	a.state = cell(ai->col[3], n, field);
	a.email = cell(ai->col[5], n, field);
	a.address = NULL;
	if (csvin_yesno(cell(ai->col[4], n, field), 1, &a.public_entity))
		return err_set(
			e, CL_EINPUT,
			"row %zu (line %zu), public_entity: \"%s\" is not yes/no, true/false "
			"or 1/0",
			row, line, cell(ai->col[4], n, field));
	rc = agency_validate(&a, e);
	if (!rc)
		rc = agency_insert(ai->db, &a, ai->actor, NULL, e);
	if (rc) {
		err_prefix(e, "row %zu (line %zu)", row, line);
		return rc;
	}
	ai->added++;
	return CL_OK;
}

ClCode agency_import_csv(sqlite3 *db, FILE *f, const char *sheet, const char *actor, int *added,
			 Err *e)
{
	AgencyImport ai = {.db = db, .actor = actor};
	TableOptions to = {.sheet = sheet};
	ClCode rc;

	*added = 0;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = tablein_read(f, &to, agency_row, &ai, e);
	if (!rc && !ai.header_seen)
		rc = err_set(e, CL_EINPUT,
			     "the file is empty: expected a header row "
			     "code,name,kind,state[,public_entity][,email]");
	if (rc) {
		db_rollback(db);
		return rc;
	}
	rc = db_commit(db, e);
	if (!rc)
		*added = ai.added;
	return rc;
}

ClCode agency_id(sqlite3 *db, const char *code, int64_t *id, Err *e)
{
	*id = db_int(db, 0, "SELECT id FROM agency WHERE code = ?", "t", code);
	if (!*id)
		return err_set(e, CL_ENOTFOUND, "no agency has the code \"%s\"", code);
	return CL_OK;
}

ClCode agency_list(sqlite3 *db, RowSet *out, Err *e)
{
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT a.code, a.name, a.kind, a.state, a.public_entity, "
			"coalesce((SELECT email FROM agency_contact c WHERE c.agency_id "
			"= a.id ORDER BY c.id LIMIT 1), '') AS email FROM agency a ORDER "
			"BY a.code",
			""),
		&q, 0, "reading the agencies", e);
}

ClCode vendor_add(sqlite3 *db, const char *code, const char *name, const char *email,
		  const char *actor, int64_t *id, Err *e)
{
	char now[TIMESTAMP_BUF], *json;
	cJSON *after;
	int64_t new_id;
	ClCode rc;

	if (!record_code_valid(code))
		return err_set(e, CL_EINPUT,
			       "vendor code \"%s\": use 1 to 32 letters, digits, '-', '_' or '.'",
			       code ? code : "");
	if (!name || !*name || strlen(name) > 200)
		return err_set(e, CL_EINPUT, "vendor %s: name is required (at most 200 characters)",
			       code);
	if (text_check_line("vendor name", name, e) ||
	    text_check_optional("vendor e-mail", email, e))
		return CL_EINPUT;
	if (email && *email && text_check_email("vendor e-mail", email, e)) {
		err_prefix(e, "vendor %s", code);
		return CL_EINPUT;
	}
	if (db_int(db, 0, "SELECT 1 FROM vendor WHERE code = ?", "t", code))
		return err_set(e, CL_ECONFLICT, "vendor %s already exists", code);
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = db_exec(db, e, "INSERT INTO vendor(code, name, created_at) VALUES (?,?,?)", "ttt",
		     code, name, db_timestamp(now));
	new_id = sqlite3_last_insert_rowid(db);
	if (!rc && email && *email)
		rc = db_exec(db, e,
			     "INSERT INTO vendor_contact(vendor_id, name, email) VALUES (?,?,?)",
			     "itt", new_id, "Contract reporting", email);
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "code", code);
	cJSON_AddStringToObject(after, "name", name);
	if (email && *email)
		cJSON_AddStringToObject(after, "email", email);
	json = cJSON_PrintUnformatted(after);
	if (!rc)
		rc = audit_record(db, actor, "vendor.add", "vendor", code, NULL, json, e);
	cJSON_free(json);
	cJSON_Delete(after);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (id)
		*id = new_id;
	return db_commit(db, e);
}

ClCode vendor_id(sqlite3 *db, const char *code, int64_t *id, Err *e)
{
	*id = db_int(db, 0, "SELECT id FROM vendor WHERE code = ?", "t", code);
	if (!*id)
		return err_set(e, CL_ENOTFOUND, "no vendor has the code \"%s\"", code);
	return CL_OK;
}
