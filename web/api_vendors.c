/* api_vendors.c — the vendors of the JSON API: the list, adding one and
 * saving its sales-report column mapping; see handlers.h. */
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "csvin.h"
#include "encode.h"
#include "handlers.h"
#include "import.h"
#include "text.h"
#include "vendor.h"

/* Answer e's refusal with its fitting status. */
static int refuse(Req *r, const Err *e)
{
	static const int status[] = {
		[CL_OK] = 500,	  [CL_EINPUT] = 400, [CL_ENOTFOUND] = 404, [CL_ECONFLICT] = 409,
		[CL_ERULE] = 409, [CL_EDB] = 500,    [CL_ENOMEM] = 413,	   [CL_EIO] = 500};

	return resp_error(r, status[e->code], "%s", e->msg[0] ? e->msg : "failed");
}

int api_vendors(Req *r)
{
	RowSet rs;
	Err e = {0};
	cJSON *out;

	if (vendor_list(r->db, &rs, &e)) {
		rowset_free(&rs);
		return refuse(r, &e);
	}
	out = encode_rowset(&rs, NULL, ENC_DATA);
	rowset_free(&rs);
	return resp_json(r, 200, out);
}

int api_vendor_add(Req *r)
{
	const char *code, *name, *email;
	char actor[300];
	cJSON *o = api_body_or_400(r), *out;
	Err e = {0};

	if (!o)
		return 0;
	code = api_str(o, "code");
	name = api_str(o, "name");
	email = api_str(o, "email");
	if (!code || !name || (cJSON_HasObjectItem(o, "email") && !email))
		e.code = err_set(&e, CL_EINPUT,
				 "give \"code\" and \"name\" (and, if any, \"email\") as strings");
	else
		e.code = vendor_add(r->db, code, name, email && *email ? email : NULL,
				    req_actor(r, actor, sizeof actor), NULL, &e);
	if (e.code) {
		cJSON_Delete(o);
		return refuse(r, &e);
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "code", code);
	cJSON_AddStringToObject(out, "name", name);
	if (email && *email)
		cJSON_AddStringToObject(out, "email", email);
	cJSON_Delete(o);
	return resp_json(r, 201, out);
}

/* The vendor's saved mapping as {"vendor", "columns": {header: column}}.
 * Caller frees; NULL with e set when it could not be read. */
static cJSON *map_json(Req *r, Err *e)
{
	RowSet rs;
	cJSON *out, *cols;
	int i;

	if (import_map_list(r->db, r->param[0], &rs, e)) {
		rowset_free(&rs);
		return NULL;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "vendor", r->param[0]);
	cols = cJSON_AddObjectToObject(out, "columns");
	for (i = 0; i < rs.nrow; i++)
		cJSON_AddStringToObject(cols, rowset_text(&rs, i, "header"),
					rowset_text(&rs, i, "column"));
	rowset_free(&rs);
	return out;
}

/* {"columns": {"Their header": "column" or "ignore", ...}} as the pairs
 * of import_map_save().  OUT: headers, columns, *n.  Returns 0, or -1
 * with e set. */
static int map_pairs(const cJSON *o, const char **headers, const char **columns, int *n, Err *e)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(o, "columns"), *x;

	*n = 0;
	if (!cJSON_IsObject(cols) || !cols->child) {
		err_set(e, CL_EINPUT,
			"give \"columns\": an object of the vendor's headers, each with the "
			"column it holds (or \"ignore\")");
		return -1;
	}
	cJSON_ArrayForEach(x, cols)
	{
		if (*n == CSVIN_MAX_FIELDS || !cJSON_IsString(x)) {
			err_set(e, CL_EINPUT,
				"\"columns\" holds at most %d headers, each with a column name as "
				"a string",
				CSVIN_MAX_FIELDS);
			return -1;
		}
		headers[*n] = x->string;
		columns[(*n)++] = x->valuestring;
	}
	return 0;
}

int api_vendor_map(Req *r)
{
	const char *headers[CSVIN_MAX_FIELDS], *columns[CSVIN_MAX_FIELDS];
	char actor[300];
	cJSON *o = api_body_or_400(r), *out = NULL;
	Err e = {0};
	int n;

	if (!o)
		return 0;
	if (!map_pairs(o, headers, columns, &n, &e) &&
	    !import_map_save(r->db, r->param[0], n, headers, columns, 0,
			     req_actor(r, actor, sizeof actor), NULL, &e))
		out = map_json(r, &e);
	cJSON_Delete(o);
	return out ? resp_json(r, 200, out) : refuse(r, &e);
}
