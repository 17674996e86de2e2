/* agency.c — agencies, vendors and their contacts; see agency.h. */
#include "agency.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "csvin.h"
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

/* Check an agency's fields; the message names the field. */
static ClCode agency_validate(const AgencyIn *a, Err *e)
{
	if (!record_code_valid(a->code))
		return err_set(e, CL_EINPUT,
			       "code \"%s\": use 1 to 32 letters, digits, '-', '_' or '.'",
			       a->code ? a->code : "");
	if (!a->name || !*a->name || strlen(a->name) > 200)
		return err_set(e, CL_EINPUT, "agency %s: name is required (at most 200 characters)",
			       a->code);
	if (text_check_line("agency name", a->name, e) ||
	    text_check_optional("agency address", a->address, e) ||
	    text_check_optional("agency e-mail", a->email, e))
		return CL_EINPUT;
	if (!agency_kind_valid(a->kind))
		return err_set(e, CL_EINPUT,
			       "agency %s: unknown kind \"%s\"; use school_district, city, county, "
			       "state_agency, higher_ed, special_district or nonprofit",
			       a->code, a->kind ? a->kind : "");
	if (!a->state || strlen(a->state) != 2 || !isupper((unsigned char)a->state[0]) ||
	    !isupper((unsigned char)a->state[1]))
		return err_set(e, CL_EINPUT,
			       "agency %s: state \"%s\" must be a two-letter code such as KS",
			       a->code, a->state ? a->state : "");
	if (a->email && *a->email && text_check_email("agency e-mail", a->email, e)) {
		err_prefix(e, "agency %s", a->code);
		return CL_EINPUT;
	}
	return CL_OK;
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

ClCode agency_import_csv(sqlite3 *db, FILE *f, const char *actor, int *added, Err *e)
{
	AgencyImport ai = {.db = db, .actor = actor};
	ClCode rc;

	*added = 0;
	rc = db_begin(db, e);
	if (rc)
		return rc;
	rc = csvin_read(f, NULL, agency_row, &ai, e);
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
