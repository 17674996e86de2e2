/* api_records.c — the JSON API that adds records: agencies and a
 * contract's participants (DOMAIN.md section 6); see handlers.h. */
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "handlers.h"
#include "participant.h"
#include "text.h"

/* The status of a refusal with code. */
static int status_of(ClCode code)
{
	static const int status[] = {
		[CL_OK] = 200,	  [CL_EINPUT] = 400, [CL_ENOTFOUND] = 404, [CL_ECONFLICT] = 409,
		[CL_ERULE] = 409, [CL_EDB] = 500,    [CL_ENOMEM] = 413,	   [CL_EIO] = 500};

	return status[code];
}

/* The agency of the body: strings code, name, kind, state, address,
 * email and the boolean public_entity (true when absent).  OUT: *a. */
static ClCode agency_of_body(const cJSON *o, AgencyIn *a, Err *e)
{
	const cJSON *pub = cJSON_GetObjectItemCaseSensitive(o, "public_entity");

	*a = (AgencyIn){api_str(o, "code"),  api_str(o, "name"),  api_str(o, "kind"),
			api_str(o, "state"), !cJSON_IsFalse(pub), api_str(o, "address"),
			api_str(o, "email")};
	if (pub && !cJSON_IsBool(pub))
		return err_set(e, CL_EINPUT, "public_entity: give true or false");
	if (!a->code || !a->name || !a->kind || !a->state)
		return err_set(e, CL_EINPUT,
			       "give \"code\", \"name\", \"kind\" and \"state\" as strings "
			       "(\"address\" and \"email\" may be added)");
	return CL_OK;
}

int api_agency_add(Req *r)
{
	char actor[300];
	cJSON *o = api_body_or_400(r), *out;
	AgencyIn a;
	RowSet rec;
	Err e = {0};
	ClCode rc;

	if (!o)
		return 0;
	rc = agency_of_body(o, &a, &e);
	if (!rc)
		rc = agency_add(r->db, &a, req_actor(r, actor, sizeof actor), NULL, &e);
	if (!rc)
		rc = agency_get(r->db, a.code, &rec, &e);
	cJSON_Delete(o);
	if (rc)
		return resp_error(r, status_of(rc), "%s", e.msg);
	out = encode_rowset(&rec, NULL, ENC_DATA);
	rowset_free(&rec);
	o = cJSON_DetachItemFromArray(out, 0);
	cJSON_Delete(out);
	return resp_json(r, 201, o);
}

/* The agency codes of the body: "agency" (one) or "agencies" (a list of
 * strings).  OUT: *codes (caller frees the array, not the strings, which
 * are o's), *n. */
static ClCode codes_of_body(const cJSON *o, const char ***codes, int *n, Err *e)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "agencies"), *x;
	const char *one = api_str(o, "agency");
	int max = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 1;

	*n = 0;
	if (!one && (!cJSON_IsArray(list) || max == 0))
		return err_set(e, CL_EINPUT,
			       "give \"agency\" (a code) or \"agencies\" (a list of codes), and "
			       "\"joined\"");
	if (max > PARTICIPANT_ENROLL_MAX)
		return err_set(e, CL_EINPUT, "enroll at most %d agencies at once",
			       PARTICIPANT_ENROLL_MAX);
	if (!(*codes = calloc((size_t)max, sizeof **codes)))
		return err_set(e, CL_ENOMEM, "out of memory");
	if (one) {
		(*codes)[(*n)++] = one;
		return CL_OK;
	}
	cJSON_ArrayForEach(x, list)
	{
		if (!cJSON_IsString(x))
			return err_set(e, CL_EINPUT,
				       "agencies[%d]: give the agency's code as a string", *n);
		(*codes)[(*n)++] = x->valuestring;
	}
	return CL_OK;
}

int api_participants_add(Req *r)
{
	const char **codes = NULL, *joined;
	char actor[300];
	cJSON *o, *out, *list;
	int n = 0, added = 0, i;
	Date day;
	Err e = {0};
	ClCode rc;

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "no such contract");
	if (!(o = api_body_or_400(r)))
		return 0;
	joined = api_str(o, "joined");
	rc = codes_of_body(o, &codes, &n, &e);
	if (!rc && !joined)
		rc = err_set(&e, CL_EINPUT, "joined: give the joining date as \"YYYY-MM-DD\"");
	if (!rc && (rc = date_parse(joined, &day, &e)))
		err_prefix(&e, "joined");
	if (!rc)
		rc = participant_enroll(r->db, r->param[0], codes, n, day,
					req_actor(r, actor, sizeof actor), &added, &e);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "contract", r->param[0]);
	if (!rc)
		cJSON_AddStringToObject(out, "joined", joined);
	list = cJSON_AddArrayToObject(out, "agencies");
	for (i = 0; !rc && i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(codes[i]));
	free(codes);
	cJSON_Delete(o);
	if (rc) {
		cJSON_Delete(out);
		return resp_error(r, status_of(rc), "%s", e.msg);
	}
	return resp_json(r, 201, out);
}
