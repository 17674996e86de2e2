/* encode_rows.c — JSON of the agencies and the outbox's counts; see
 * encode_rows.h. */
#include "encode_rows.h"

cJSON *encode_agency(const RowSet *rs, int r)
{
	static const char *const text[] = {"code", "name", "kind", "state"};
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < sizeof text / sizeof *text; i++)
		cJSON_AddStringToObject(o, text[i], rowset_text(rs, r, text[i]));
	cJSON_AddBoolToObject(o, "public_entity", rowset_int(rs, r, "public_entity") != 0);
	cJSON_AddStringToObject(o, "email", rowset_text(rs, r, "email"));
	return o;
}

cJSON *encode_agencies(const RowSet *rs)
{
	cJSON *arr = cJSON_CreateArray();
	int r;

	for (r = 0; arr && r < rs->nrow; r++)
		cJSON_AddItemToArray(arr, encode_agency(rs, r));
	return arr;
}

cJSON *encode_outbox_counts(const OutboxCounts *c)
{
	cJSON *o = cJSON_CreateObject();
	int s;

	for (s = OB_QUEUED; s <= OB_SENDING; s++)
		cJSON_AddNumberToObject(o, outbox_state_name((OutboxState)s), (double)c->n[s]);
	return o;
}
