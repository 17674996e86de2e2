/* api.c — the JSON API of DOMAIN.md section 6; see handlers.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "amend.h"
#include "cache.h"
#include "compliance.h"
#include "contract.h"
#include "fees.h"
#include "handlers.h"
#include "encode_import.h"
#include "import.h"
#include "listing.h"
#include "pagekit.h"
#include "agency.h"
#include "rebate.h"
#include "remit.h"
#include "session.h"
#include "signin.h"
#include "encode.h"
#include "encode_rows.h"
#include "text.h"
#include "user.h"

int may_see_contract(Req *r, const char *number)
{
	return access_may_see_contract(r->db, &r->who, number);
}

int may_see_agency(Req *r, const char *code)
{
	return access_may_see_agency(r->db, &r->who, code);
}

cJSON *api_body_or_400(Req *r)
{
	cJSON *o;
	Err e = {0};

	if (json_check_nul("the body", r->body.data ? r->body.data : "", r->body.len, &e)) {
		resp_error(r, 400, "%s", e.msg);
		return NULL;
	}
	o = r->body.len ? cJSON_ParseWithLength(r->body.data, r->body.len) : NULL;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		resp_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return o;
}

const char *api_str(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* Answer a core result: the object, or the error with a fitting status. */
static int answer(Req *r, cJSON *obj, const Err *e)
{
	static const int status[] = {
		[CL_OK] = 200,	  [CL_EINPUT] = 400, [CL_ENOTFOUND] = 404, [CL_ECONFLICT] = 409,
		[CL_ERULE] = 409, [CL_EDB] = 500,    [CL_ENOMEM] = 413,	   [CL_EIO] = 500};

	if (obj)
		return resp_json(r, 200, obj);
	return resp_error(r, status[e->code], "%s", e->msg[0] ? e->msg : "failed");
}

/* Build the report a ReportAsk names. */
static cJSON *report_build(Req *r, const ReportAsk *a, Err *e)
{
	char actor[300];
	const Quarter *q = a->sel.has_period ? &a->sel.period : NULL;

	req_actor(r, actor, sizeof actor);
	switch (a->kind) {
	case REP_FEES:
		return encode_fees_report(r->db, a->contract, &a->sel, r->today, a->mode, e);
	case REP_REBATES:
		return encode_rebate_report(r->db, a->contract, a->sel.year, r->today, a->agency,
					    actor, a->mode, e);
	case REP_COMPLIANCE:
		return encode_compliance_report(r->db, a->contract, q, a->agency,
						(a->page - 1) * a->limit, a->limit, a->mode, e);
	default:
		return encode_agency_report(r->db, a->agency, a->contract, q, r->today, actor,
					    a->mode, e);
	}
}

/* The cache key of a report (values length-prefixed).  OUT: key (size n). */
static void report_key(const ReportAsk *a, char *key, size_t n)
{
	const char *c = a->contract ? a->contract : "", *ag = a->agency ? a->agency : "";
	char qt[QUARTER_BUF] = "";

	if (a->sel.has_period)
		quarter_format(a->sel.period, qt);
	if ((size_t)snprintf(key, n, "report|%d|%d|%zu:%s|%d|%s|%zu:%s|%ld|%d", (int)a->kind,
			     (int)a->mode, strlen(c), c, a->sel.year, qt, strlen(ag), ag, a->page,
			     a->limit) >= n)
		key[0] = '\0'; /* too long to keep */
}

cJSON *report_cached(Req *r, const ReportAsk *a, Err *e)
{
	char version[CACHE_VERSION_BUF], key[CACHE_KEY_BUF];
	cJSON *v;

	report_key(a, key, sizeof key);
	cache_version(r->db, r->today, version, sizeof version);
	if ((v = cache_get_json(key, version, cache_stale_ok(r->who.user_id))))
		return v;
	v = report_build(r, a, e);
	cache_put_json(key, version, v); /* NULL: the build failed */
	return v;
}

/* Answer with the report a names as JSON: the kept text while the books
 * are unchanged, sent as it is (no parse, no print). */
static int answer_report(Req *r, const ReportAsk *a)
{
	char version[CACHE_VERSION_BUF], key[CACHE_KEY_BUF], *text;
	Err e = {0};
	cJSON *v;

	report_key(a, key, sizeof key);
	cache_version(r->db, r->today, version, sizeof version);
	if ((text = cache_get(key, version, cache_stale_ok(r->who.user_id), NULL)))
		return resp_text(r, 200, "application/json", text, NULL);
	v = report_build(r, a, &e);
	text = v ? cJSON_PrintUnformatted(v) : NULL;
	cJSON_Delete(v);
	cache_put(key, version, text, text ? strlen(text) : 0);
	if (!text)
		return v ? resp_error(r, 500, "out of memory") : answer(r, NULL, &e);
	return resp_text(r, 200, "application/json", text, NULL);
}

int api_tokens_create(Req *r)
{
	char secret[SESSION_SECRET_BUF];
	const char *email, *password;
	char msg[160];
	int64_t uid, id;
	int status;
	Err e = {0};
	cJSON *o = api_body_or_400(r), *out;

	if (!o)
		return 0;
	email = api_str(o, "email");
	password = api_str(o, "password");
	if (!email || !password) {
		cJSON_Delete(o);
		return resp_error(r, 400, "give \"email\" and \"password\" as strings");
	}
	status = signin_check(r, email, password, &uid, msg, sizeof msg);
	if (status != 200) {
		cJSON_Delete(o);
		return resp_error(r, status, "%s", msg);
	}
	cJSON_Delete(o);
	if (api_token_create(r->db, uid, "api", secret, &id, &e))
		return resp_error(r, 500, "%s", e.msg);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "token", secret);
	return resp_json(r, 201, out);
}

int api_me(Req *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "email", r->who.email);
	cJSON_AddStringToObject(o, "role", role_name(r->who.role));
	if (r->who.role == ROLE_MEMBER)
		cJSON_AddStringToObject(o, "agency", r->who.agency);
	if (r->who.role == ROLE_VENDOR)
		cJSON_AddStringToObject(o, "vendor", r->who.vendor);
	return resp_json(r, 200, o);
}

int api_contracts(Req *r)
{
	RowSet rows;
	Err e = {0};
	ClCode rc = listing_contracts_api(r->db, &r->who, &rows, &e);
	cJSON *list = rc ? NULL : encode_rowset(&rows, NULL, ENC_DATA);

	rowset_free(&rows);
	return answer(r, list, &e);
}

/* The :number parameter when the caller may see it; else answers 404. */
static const char *contract_or_404(Req *r)
{
	if (!may_see_contract(r, r->param[0])) {
		resp_error(r, 404, "no such contract");
		return NULL;
	}
	return r->param[0];
}

int api_contract(Req *r)
{
	const char *number = contract_or_404(r);
	Err e = {0};

	if (!number)
		return 0;
	return answer(r, encode_contract_show(r->db, number, r->today, ENC_DATA, &e), &e);
}

/* POST /api/v1/contracts: the body is a terms document (DOMAIN.md 4), made
 * a contract as `contract import` does; 201 with the contract as GET
 * /api/v1/contracts/NUMBER gives it. */
int api_contract_create(Req *r)
{
	char actor[300];
	int64_t id = 0;
	Terms t;
	cJSON *o;
	Err e = {0};

	if (contract_import(r->db, r->body.data ? r->body.data : "", r->body.len,
			    req_actor(r, actor, sizeof actor), &id, &e) ||
	    contract_load_id(r->db, id, &t, &e) ||
	    !(o = encode_contract_show(r->db, t.number, r->today, ENC_DATA, &e)))
		return answer(r, NULL, &e);
	return resp_json(r, 201, o);
}

/* ?year= as a positive number (0 when absent); -1 after answering 400. */
static int year_param(Req *r)
{
	const char *y = req_query(r, "year");
	char *end;
	long v;

	if (!y)
		return 0;
	v = strtol(y, &end, 10);
	if (*end || v < 1 || v > 9999) {
		resp_error(r, 400, "year \"%.20s\" is not a year number", y);
		return -1;
	}
	return (int)v;
}

/* ?period= as a quarter (OUT: *q); 0 absent, 1 given, -1 after 400. */
static int period_param(Req *r, Quarter *q)
{
	const char *p = req_query(r, "period");
	Err e = {0};

	if (!p)
		return 0;
	if (quarter_parse(p, q, &e)) {
		resp_error(r, 400, "%s", e.msg);
		return -1;
	}
	return 1;
}

int api_fees(Req *r)
{
	const char *number = contract_or_404(r);
	FeeSelect sel = {0};
	int has;

	if (!number)
		return 0;
	if (r->who.role == ROLE_MEMBER)
		return resp_error(r, 404, "no such report");
	if ((sel.year = year_param(r)) < 0 || (has = period_param(r, &sel.period)) < 0)
		return 0;
	sel.has_period = has;
	return answer_report(r, &(ReportAsk){REP_FEES, number, sel, NULL, ENC_DATA, 0, 0});
}

int api_rebates(Req *r)
{
	const char *number = contract_or_404(r);
	char actor[300];
	int year;
	Err e = {0};

	if (!number)
		return 0;
	if (r->who.role == ROLE_VENDOR)
		return resp_error(r, 404, "no such report");
	if ((year = year_param(r)) < 0)
		return 0;
	if (!year && rebate_current_year(r->db, number, r->today, &year, &e))
		return answer(r, NULL, &e);
	(void)actor;
	return answer_report(r, &(ReportAsk){REP_REBATES,
					     number,
					     {year, 0, {0, 0}},
					     r->who.role == ROLE_MEMBER ? r->who.agency : NULL,
					     ENC_DATA,
					     0,
					     0});
}

/* ?name= as a whole number in [1, hi], dflt when absent.  OUT: *v.  0, or
 * -1 after a 400. */
static int count_param(Req *r, const char *name, long hi, long dflt, long *v)
{
	const char *text = req_query(r, name);

	*v = dflt;
	if (text && pagekit_field_int(text, 1, hi, v)) {
		resp_error(r, 400, "%s \"%.20s\" is not a whole number from 1 to %ld", name, text,
			   hi);
		return -1;
	}
	return 0;
}

/* Overcharged lines a compliance page holds, unless ?limit= says. */
#define COMPLIANCE_PAGE_LINES 100
#define COMPLIANCE_PAGE_MAX   1000

int api_compliance(Req *r)
{
	const char *number = contract_or_404(r);
	long page, limit;
	Quarter q;
	int has;

	if (!number)
		return 0;
	if (r->who.role == ROLE_VENDOR)
		return resp_error(r, 404, "no such report");
	if ((has = period_param(r, &q)) < 0 || count_param(r, "page", 1000000, 1, &page) ||
	    count_param(r, "limit", COMPLIANCE_PAGE_MAX, COMPLIANCE_PAGE_LINES, &limit))
		return 0;
	return answer_report(r, &(ReportAsk){REP_COMPLIANCE,
					     number,
					     {0, has, q},
					     r->who.role == ROLE_MEMBER ? r->who.agency : NULL,
					     ENC_DATA,
					     page,
					     (int)limit});
}

/* ?name=1 style flags. */
static int flag(Req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

int api_import(Req *r)
{
	const char *number = contract_or_404(r);
	char actor[300];
	ImportOptions io = {0};
	ImportStatus st;
	ImportResult res;
	cJSON *result;
	FILE *f;
	Err e = {0};
	ClCode rc;

	if (!number)
		return 0;
	if (r->who.role == ROLE_MEMBER)
		return resp_error(r, 404, "no such contract");
	/* a text/csv body is in a temporary file (server.c), anything else
	 * in memory */
	f = r->upload ? r->upload
		      : fmemopen(r->body.data ? r->body.data : (char *)"", r->body.len, "r");
	if (!f)
		return resp_error(r, 400, "the body is empty: send the CSV file as text/csv");
	io.contract = number;
	io.period = req_query(r, "period");
	io.dry_run = flag(r, "dry_run");
	io.skip_invalid = flag(r, "skip_invalid");
	io.encoding = req_query(r, "encoding");
	io.sheet = req_query(r, "sheet"); /* an .xlsx body's sheet; NULL: the first */
	io.file_name = req_query(r, "file_name") ? req_query(r, "file_name") : "api-upload.csv";
	io.today = r->today;
	io.actor = req_actor(r, actor, sizeof actor);
	rc = import_csv(r->db, f, &io, &res, &st, &e);
	if (f != r->upload)
		fclose(f);
	result = rc ? NULL : encode_import_result(&res, ENC_DATA);
	import_result_free(&res);
	if (rc)
		return answer(r, NULL, &e);
	return resp_json(r, st == IMPORT_WRITTEN ? 201 : st == IMPORT_REFUSED ? 422 : 200, result);
}

int api_remit(Req *r)
{
	const char *number = contract_or_404(r), *period, *amount, *received, *ref;
	char actor[300];
	cJSON *o, *out;
	RemitIn in = {0};
	int64_t id = 0;
	Err e = {0};

	if (!number || !(o = api_body_or_400(r)))
		return 0;
	period = api_str(o, "period");
	amount = api_str(o, "amount");
	received = api_str(o, "received");
	ref = api_str(o, "reference");
	in.contract = number;
	in.reference = ref;
	/* only true confirms a second payment of a live reference */
	in.again = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "again"));
	if (!period || !amount || !received || !ref)
		e.code = err_set(&e, CL_EINPUT,
				 "give \"period\", \"amount\" (a money string), \"received\" and "
				 "\"reference\" as strings");
	else if (!quarter_parse(period, &in.quarter, &e) && !money_parse(amount, &in.amount, &e) &&
		 !date_parse(received, &in.received, &e))
		e.code = remit_add_as_of(r->db, &in, r->today, req_actor(r, actor, sizeof actor),
					 &id, &e);
	cJSON_Delete(o);
	if (e.code == CL_ECONFLICT && !in.again)
		snprintf(e.msg + strlen(e.msg), sizeof e.msg - strlen(e.msg),
			 " (send \"again\": true)");
	if (e.code)
		return answer(r, NULL, &e);
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "remittance", (double)id);
	return resp_json(r, 201, out);
}

/* POST /api/v1/contracts/:number/amendments {"effective", "reference",
 * "changes": {...}}: 201 with the contract as it now stands. */
int api_amend(Req *r)
{
	const char *number = contract_or_404(r), *effective, *reference;
	char actor[300], *changes = NULL;
	cJSON *o, *ch;
	Date day;
	Err e = {0};

	if (!number || !(o = api_body_or_400(r)))
		return 0;
	effective = api_str(o, "effective");
	reference = api_str(o, "reference");
	ch = cJSON_GetObjectItemCaseSensitive(o, "changes");
	if (!effective || !reference || !cJSON_IsObject(ch))
		e.code = err_set(&e, CL_EINPUT,
				 "give \"effective\" (a date) and \"reference\" as strings and "
				 "\"changes\" as an object of the terms that change");
	else if (date_parse(effective, &day, &e))
		err_prefix(&e, "effective");
	else if (!(changes = cJSON_PrintUnformatted(ch)))
		e.code = err_set(&e, CL_ENOMEM, "out of memory");
	else
		e.code = contract_amend(r->db, number, day, reference, changes, strlen(changes),
					req_actor(r, actor, sizeof actor), NULL, &e);
	cJSON_free(changes);
	cJSON_Delete(o);
	if (e.code || !(o = encode_contract_show(r->db, number, r->today, ENC_DATA, &e)))
		return answer(r, NULL, &e);
	return resp_json(r, 201, o);
}

/* POST /api/v1/remittances/:id/reversal {"reason"}: 201 with the
 * remittance as it now stands, reversed. */
int api_remit_reverse(Req *r)
{
	static const char *const money[] = {"amount", NULL};
	char actor[300];
	cJSON *o, *rows;
	RowSet rs;
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no remittance %s", r->param[0]);
	if (!(o = api_body_or_400(r)))
		return 0;
	e.code = remit_reverse(r->db, id, api_str(o, "reason"), req_actor(r, actor, sizeof actor),
			       &e);
	cJSON_Delete(o);
	if (e.code || remit_get(r->db, id, &rs, &e))
		return answer(r, NULL, &e);
	rows = encode_rowset(&rs, money, ENC_DATA);
	rowset_free(&rs);
	o = cJSON_DetachItemFromArray(rows, 0);
	cJSON_Delete(rows);
	return resp_json(r, 201, o);
}

int api_agencies(Req *r)
{
	cJSON *out;
	RowSet all;
	Err e = {0};
	int i;

	if (agency_list(r->db, &all, &e)) {
		rowset_free(&all);
		return answer(r, NULL, &e);
	}
	out = cJSON_CreateArray();
	for (i = 0; i < all.nrow; i++) {
		const char *code = rowset_text(&all, i, "code");

		if (access_is_staff(&r->who) ||
		    (r->who.role == ROLE_MEMBER && strcmp(code, r->who.agency) == 0))
			cJSON_AddItemToArray(out, encode_agency(&all, i));
	}
	rowset_free(&all);
	return resp_json(r, 200, out);
}

int api_agency(Req *r)
{
	cJSON *found = NULL;
	RowSet all;
	Err e = {0};
	int i;

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "no such agency");
	if (agency_list(r->db, &all, &e)) {
		rowset_free(&all);
		return answer(r, NULL, &e);
	}
	for (i = 0; i < all.nrow && !found; i++)
		if (strcmp(rowset_text(&all, i, "code"), r->param[0]) == 0)
			found = encode_agency(&all, i);
	rowset_free(&all);
	return found ? resp_json(r, 200, found) : resp_error(r, 404, "no such agency");
}

int api_agency_purchases(Req *r)
{
	const char *contract = req_query(r, "contract");
	char actor[300];
	Quarter q;
	int has;

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "no such agency");
	if (contract && !may_see_contract(r, contract))
		return resp_error(r, 404, "no such contract");
	if ((has = period_param(r, &q)) < 0)
		return 0;
	(void)actor;
	return answer_report(
		r, &(ReportAsk){REP_AGENCY, contract, {0, has, q}, r->param[0], ENC_DATA, 0, 0});
}
