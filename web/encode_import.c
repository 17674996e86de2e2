/* encode_import.c — JSON of imports and batches; see encode_import.h. */
#include "encode_import.h"

static cJSON *problem_json(const ImportProblem *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "row", (double)p->row);
	cJSON_AddStringToObject(o, "column", p->column);
	cJSON_AddStringToObject(o, "message", p->message);
	return o;
}

/* The parts of an import's result before and after its totals. */
static cJSON *result_head(const ImportResult *r)
{
	cJSON *o = cJSON_CreateObject();

	if (r->batch)
		cJSON_AddNumberToObject(o, "batch", (double)r->batch);
	else
		cJSON_AddNullToObject(o, "batch");
	cJSON_AddNumberToObject(o, "rows", (double)r->rows);
	cJSON_AddNumberToObject(o, "accepted", (double)r->accepted);
	cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
	cJSON_AddNumberToObject(o, "rejected", (double)r->rejected);
	return o;
}

static void result_tail(cJSON *o, const ImportResult *r)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "errors");
	int i;

	for (i = 0; i < r->nerrors; i++)
		cJSON_AddItemToArray(arr, problem_json(&r->errors[i]));
	arr = cJSON_AddArrayToObject(o, "ignored_columns");
	for (i = 0; i < r->nignored; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(r->ignored[i]));
	if (r->already)
		cJSON_AddTrueToObject(o, "already_imported");
}

cJSON *encode_register_result(const RegisterResult *r, EncMode mode)
{
	cJSON *o = result_head(&r->base), *t;

	t = cJSON_AddObjectToObject(o, "totals");
	encode_money(t, "amount", r->amount, mode);
	result_tail(o, &r->base);
	return o;
}

cJSON *encode_register_batches(const RowSet *rs, EncMode mode)
{
	static const char *const money[] = {"amount", NULL};
	cJSON *arr = encode_rowset(rs, money, mode), *o;
	int r = 0;

	cJSON_ArrayForEach(o, arr)
	{
		cJSON_ReplaceItemInObject(o, "reversed",
					  cJSON_CreateBool(rowset_int(rs, r++, "reversed") != 0));
	}
	return arr;
}

cJSON *encode_import_result(const ImportResult *r, EncMode mode)
{
	cJSON *o = result_head(r), *t;

	t = cJSON_AddObjectToObject(o, "totals");
	encode_money(t, "list_amount", r->list_total, mode);
	encode_money(t, "invoiced_amount", r->invoiced_total, mode);
	result_tail(o, r);
	return o;
}

cJSON *encode_import_batches(const RowSet *rs, EncMode mode)
{
	static const char *const money[] = {"list_amount", "invoiced_amount", NULL};
	cJSON *arr = encode_rowset(rs, money, mode), *o;
	int r = 0;

	cJSON_ArrayForEach(o, arr)
	{
		cJSON_ReplaceItemInObject(o, "reversed",
					  cJSON_CreateBool(rowset_int(rs, r++, "reversed") != 0));
	}
	return arr;
}

void encode_import_where(cJSON *errors, const ImportResult *res)
{
	cJSON *o;
	int i = 0;

	cJSON_ArrayForEach(o, errors)
	{
		const ImportProblem *p;

		if (i >= res->nerrors)
			break;
		p = &res->errors[i++];
		if (p->line > 0)
			cJSON_AddNumberToObject(o, "line", (double)p->line);
		cJSON_AddStringToObject(o, "po", p->po);
		if (p->invoice[0])
			cJSON_AddStringToObject(o, "invoice", p->invoice);
	}
}
