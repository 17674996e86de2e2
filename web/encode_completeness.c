/* encode_completeness.c — JSON of the completeness audit; see
 * encode_completeness.h. */
#include "encode_completeness.h"

static cJSON *quarter_json(const CompletenessQuarter *c, EncMode mode)
{
	cJSON *o = cJSON_CreateObject();
	char qt[QUARTER_BUF];

	cJSON_AddStringToObject(o, "quarter", quarter_format(c->q, qt));
	cJSON_AddNumberToObject(o, "register_pos", c->register_pos);
	encode_money(o, "register_amount", c->register_amount, mode);
	cJSON_AddNumberToObject(o, "reported", c->count[CS_REPORTED]);
	cJSON_AddNumberToObject(o, "under_reported", c->count[CS_UNDER_REPORTED]);
	cJSON_AddNumberToObject(o, "over_reported", c->count[CS_OVER_REPORTED]);
	cJSON_AddNumberToObject(o, "unreported", c->count[CS_UNREPORTED]);
	cJSON_AddNumberToObject(o, "pending", c->count[CS_PENDING]);
	encode_money(o, "gap", c->gap, mode);
	encode_money(o, "fee_at_risk", c->fee_at_risk, mode);
	return o;
}

static cJSON *po_json(const CompletenessPo *p, EncMode mode)
{
	cJSON *o = cJSON_CreateObject();
	char d[DATE_BUF];

	cJSON_AddStringToObject(o, "agency", p->agency);
	cJSON_AddStringToObject(o, "po_number", p->po_number);
	cJSON_AddStringToObject(o, "po_date", date_format(p->po_date, d));
	encode_money(o, "register_amount", p->register_amount, mode);
	encode_money(o, "reported_amount", p->reported_amount, mode);
	cJSON_AddStringToObject(o, "status", completeness_status_name(p->status));
	encode_money(o, "gap", p->gap, mode);
	encode_money(o, "fee_at_risk", p->fee_at_risk, mode);
	return o;
}

static cJSON *signal_json(const CompletenessSignal *s)
{
	cJSON *o = cJSON_CreateObject();
	char qt[QUARTER_BUF];

	cJSON_AddStringToObject(o, "kind", signal_kind_name(s->kind));
	cJSON_AddStringToObject(o, "quarter", quarter_format(s->q, qt));
	if (s->agency[0])
		cJSON_AddStringToObject(o, "agency", s->agency);
	else
		cJSON_AddNullToObject(o, "agency");
	cJSON_AddStringToObject(o, "detail", s->detail);
	return o;
}

cJSON *encode_completeness(const CompletenessReport *r, EncMode mode)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	int i;

	cJSON_AddStringToObject(o, "contract", r->contract);
	arr = cJSON_AddArrayToObject(o, "quarters");
	for (i = 0; i < r->nquarter; i++)
		cJSON_AddItemToArray(arr, quarter_json(&r->quarter[i], mode));
	arr = cJSON_AddArrayToObject(o, "pos");
	for (i = 0; i < r->npo; i++)
		cJSON_AddItemToArray(arr, po_json(&r->po[i], mode));
	arr = cJSON_AddArrayToObject(o, "signals");
	for (i = 0; i < r->nsignal; i++)
		cJSON_AddItemToArray(arr, signal_json(&r->signal[i]));
	return o;
}

cJSON *encode_completeness_report(sqlite3 *db, const char *contract, const Quarter *period,
				  Date today, EncMode mode, Err *e)
{
	CompletenessReport r;
	cJSON *o = NULL;

	if (!completeness_report(db, contract, period, today, &r, e))
		o = encode_completeness(&r, mode);
	completeness_report_free(&r);
	return o;
}
