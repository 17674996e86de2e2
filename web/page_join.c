/* page_join.c — joining a contract from the catalog (DOMAIN.md section
 * 7): the public form /catalog/:number/join and its JSON twin, and staff's
 * queue of requests with its approve and decline forms (core/joinreq.h).
 *
 * The public form needs no sign-in, so it carries its own CSRF token: the
 * GET sets a short-lived cookie holding a random nonce, and the form a
 * token "EXPIRY.HMAC" where HMAC is HMAC-SHA256 under a key this process
 * drew at start of nonce and expiry.  A POST passes only with the cookie
 * of its own form before the expiry; nothing is stored on the server.
 * A honeypot field, hidden from people and screen readers, catches
 * robots: when it is filled the request is dropped with the same thank-you
 * page. */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agency.h"
#include "handlers.h"
#include "joinreq.h"
#include "outbox.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "server.h"

#define JOIN_COOKIE	 "cl_join"
#define JOIN_FORM_SECS	 3600 /* a form's token lasts an hour */
#define JOIN_NONCE_BYTES 16
#define JOIN_HONEYPOT	 "website"

static unsigned char form_key[crypto_auth_hmacsha256_KEYBYTES];
static pthread_once_t form_key_once = PTHREAD_ONCE_INIT;

static void form_key_init(void)
{
	if (sodium_init() < 0)
		abort(); /* no randomness: no safe token can be made */
	crypto_auth_hmacsha256_keygen(form_key);
}

/* Hex HMAC of nonce and expiry into mac (65 bytes). */
static void form_mac(const char *nonce, long long expiry, char mac[65])
{
	unsigned char h[crypto_auth_hmacsha256_BYTES];
	char msg[96];

	pthread_once(&form_key_once, form_key_init);
	snprintf(msg, sizeof msg, "%s:%lld", nonce, expiry);
	crypto_auth_hmacsha256(h, (const unsigned char *)msg, strlen(msg), form_key);
	sodium_bin2hex(mac, 65, h, sizeof h);
}

/* A new nonce set as the cookie of r, and the token of its form.  OUT:
 * token (size 96). */
static void form_token_new(Req *r, char *token)
{
	unsigned char raw[JOIN_NONCE_BYTES];
	char nonce[2 * JOIN_NONCE_BYTES + 1], mac[65];
	long long expiry = (long long)time(NULL) + JOIN_FORM_SECS;

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
	form_mac(nonce, expiry, mac);
	snprintf(token, 96, "%lld.%s", expiry, mac);
	snprintf(r->resp.cookie, sizeof r->resp.cookie,
		 JOIN_COOKIE "=%s; Path=/catalog; HttpOnly; SameSite=Strict; Max-Age=%d%s", nonce,
		 JOIN_FORM_SECS, server_config()->secure_cookies ? "; Secure" : "");
}

/* 1 when the form's token matches r's cookie and has not expired. */
static int form_token_ok(Req *r)
{
	const char *nonce = req_cookie(r, JOIN_COOKIE), *token = req_field(r, "form_token");
	char mac[65], *dot;
	long long expiry;

	if (!nonce || !token || strlen(nonce) != (size_t)2 * JOIN_NONCE_BYTES || strlen(token) > 90)
		return 0;
	expiry = strtoll(token, &dot, 10);
	if (*dot != '.' || expiry < (long long)time(NULL) || strlen(dot + 1) != 64)
		return 0;
	form_mac(nonce, expiry, mac);
	return sodium_memcmp(mac, dot + 1, 64) == 0;
}

static const char *const kind_values[] = {"school_district", "city",	  "county",
					  "state_agency",    "higher_ed", "special_district",
					  "nonprofit"};
static const char *const kind_labels[] = {
	"School district",  "City",	"County", "State agency", "College or university",
	"Special district", "Nonprofit"};

/* One form field for partial_form_field. */
static cJSON *field(cJSON *fields, const char *name, const char *label, const char *hint,
		    const char *type, const char *value, int required, const char *error)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "label", label);
	if (hint)
		cJSON_AddStringToObject(f, "hint", hint);
	cJSON_AddStringToObject(f, "type", type);
	cJSON_AddStringToObject(f, "value", value ? value : "");
	cJSON_AddBoolToObject(f, "required", required);
	if (error)
		cJSON_AddStringToObject(f, "error", error);
	cJSON_AddItemToArray(fields, f);
	return f;
}

/* The form's fields for j, with the messages in err[] (NULL: none). */
static void form_fields(cJSON *ctx, const JoinIn *j, char err[][ERR_MSG_MAX])
{
	cJSON *fields = cJSON_AddArrayToObject(ctx, "fields"), *kind, *opts;
	size_t i;

#define ERR(f) (err && err[f][0] ? err[f] : NULL)
	field(fields, "agency_name", "Agency name", NULL, "text", j->agency_name, 1,
	      ERR(JOIN_F_AGENCY_NAME));
	kind = field(fields, "kind", "Kind of agency", NULL, "text", j->kind, 1, ERR(JOIN_F_KIND));
	cJSON_AddBoolToObject(kind, "menu", 1);
	opts = cJSON_AddArrayToObject(kind, "options");
	for (i = 0; i < sizeof kind_values / sizeof *kind_values; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "value", kind_values[i]);
		cJSON_AddStringToObject(o, "text", kind_labels[i]);
		cJSON_AddBoolToObject(o, "selected",
				      j->kind && strcmp(j->kind, kind_values[i]) == 0);
		cJSON_AddItemToArray(opts, o);
	}
	field(fields, "state", "State", "two letters, such as KS", "text", j->state, 1,
	      ERR(JOIN_F_STATE));
	field(fields, "agency_code", "Agency code", "if you know it", "text", j->agency_code, 0,
	      ERR(JOIN_F_AGENCY_CODE));
	field(fields, "contact_name", "Your name", NULL, "text", j->contact_name, 1,
	      ERR(JOIN_F_CONTACT_NAME));
	field(fields, "email", "Your e-mail", NULL, "email", j->email, 1, ERR(JOIN_F_EMAIL));
	if (ERR(JOIN_F_PUBLIC_ENTITY))
		cJSON_AddStringToObject(ctx, "public_error", err[JOIN_F_PUBLIC_ENTITY]);
	cJSON_AddBoolToObject(ctx, "public_checked", j->public_entity);
#undef ERR
}

/* The join form of contract number (title) for j, with a fresh token. */
static int form_page(Req *r, int status, const char *title, const JoinIn *j,
		     char err[][ERR_MSG_MAX], const char *alert)
{
	char heading[400], token[96];
	cJSON *ctx;

	snprintf(heading, sizeof heading, "Join contract %s", r->param[0]);
	ctx = pagekit_ctx(r, heading);
	cJSON_AddStringToObject(ctx, "number", r->param[0]);
	cJSON_AddStringToObject(ctx, "contract_title", title);
	form_token_new(r, token);
	cJSON_AddStringToObject(ctx, "form_token", token);
	if (alert)
		cJSON_AddStringToObject(ctx, "form_alert", alert);
	form_fields(ctx, j, err);
	return render_page(r, status, "join", ctx);
}

int page_join_form(Req *r)
{
	char title[256];
	JoinIn j = {0};
	Err e = {0};

	if (joinreq_contract_open(r->db, r->param[0], r->today, title, sizeof title, &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	return form_page(r, 200, title, &j, NULL, NULL);
}

/* The request the form or the body carries. */
static JoinIn form_request(Req *r)
{
	const char *pub = req_field(r, "public_entity");
	JoinIn j = {
		r->param[0],	       req_field(r, "agency_name"),    req_field(r, "kind"),
		req_field(r, "state"), req_field(r, "agency_code"),    req_field(r, "contact_name"),
		req_field(r, "email"), pub && strcmp(pub, "yes") == 0, r->client};
	return j;
}

static int thanks_page(Req *r, const char *title)
{
	char heading[300];
	cJSON *ctx;

	snprintf(heading, sizeof heading, "Request sent: contract %s", r->param[0]);
	ctx = pagekit_ctx(r, heading);
	cJSON_AddStringToObject(ctx, "number", r->param[0]);
	cJSON_AddStringToObject(ctx, "contract_title", title);
	cJSON_AddBoolToObject(ctx, "sent", 1);
	return render_page(r, 200, "join", ctx);
}

int page_join_send(Req *r)
{
	char title[256], err[JOIN_F_COUNT][ERR_MSG_MAX] = {{0}};
	JoinIn j = form_request(r);
	const char *pot = req_field(r, JOIN_HONEYPOT);
	int64_t id;
	int f, wrong = 0, retry = 0;
	Err e = {0};

	if (joinreq_contract_open(r->db, r->param[0], r->today, title, sizeof title, &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	if (!form_token_ok(r))
		return form_page(r, 403, title, &j, NULL,
				 "The form expired or did not come from this site: check the "
				 "fields and send it again.");
	if (pot && *pot)
		return thanks_page(r, title);
	for (f = 0; f < JOIN_F_COUNT; f++)
		if (joinreq_check_field(&j, (JoinField)f, &e)) {
			snprintf(err[f], sizeof err[f], "%s", e.msg);
			wrong = 1;
		}
	if (wrong)
		return form_page(r, 400, title, &j, err,
				 "The request was not sent: put right the fields marked below.");
	if (!joinreq_create(r->db, &j, r->today, outbox_now(), &id, NULL, &retry, &e))
		return thanks_page(r, title);
	if (retry > 0)
		r->resp.retry_after = retry;
	return form_page(r, retry > 0 ? 429 : e.code == CL_EDB ? 500 : 400, title, &j, NULL, e.msg);
}

int api_join_create(Req *r)
{
	cJSON *o = api_body_or_400(r), *out;
	const cJSON *pub;
	JoinIn j;
	JoinField bad = JOIN_F_COUNT;
	int64_t id = 0;
	int retry = 0, status;
	Err e = {0};

	if (!o)
		return 0;
	pub = cJSON_GetObjectItemCaseSensitive(o, "public_entity");
	j = (JoinIn){r->param[0],	  api_str(o, "agency_name"), api_str(o, "kind"),
		     api_str(o, "state"), api_str(o, "agency_code"), api_str(o, "contact_name"),
		     api_str(o, "email"), cJSON_IsTrue(pub),	     r->client};
	if (!joinreq_create(r->db, &j, r->today, outbox_now(), &id, &bad, &retry, &e)) {
		cJSON_Delete(o);
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "request", (double)id);
		return resp_json(r, 202, out);
	}
	cJSON_Delete(o);
	status = retry > 0 ? 429 : e.code == CL_ENOTFOUND ? 404 : e.code == CL_EDB ? 500 : 400;
	r->resp.retry_after = retry;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "error", e.msg);
	if (bad != JOIN_F_COUNT)
		cJSON_AddStringToObject(out, "field", joinreq_field_key(bad));
	return resp_json(r, status, out);
}

/* ---- staff's queue ---- */

/* The requests as JSON rows (the API) or a page's rows. */
static cJSON *requests_json(const RowSet *rs, int page)
{
	static const char *const keys[] = {
		"contract",	 "title",	 "agency_name",	   "kind",	 "us_state",
		"agency_code",	 "contact_name", "email",	   "created_at", "status",
		"approved_code", "joined",	 "decline_reason", "decided_by", "decided_at"};
	cJSON *a = cJSON_CreateArray();
	size_t k;
	int i;

	for (i = 0; i < rs->nrow; i++) {
		cJSON *o = cJSON_CreateObject();
		int pending = strcmp(rowset_text(rs, i, "status"), "pending") == 0;

		cJSON_AddNumberToObject(o, "id", (double)rowset_int(rs, i, "id"));
		/* a page's template takes an absent key for "none" */
		for (k = 0; k < sizeof keys / sizeof *keys; k++)
			if (!page || *rowset_text(rs, i, keys[k]))
				cJSON_AddStringToObject(o, keys[k], rowset_text(rs, i, keys[k]));
		cJSON_AddBoolToObject(o, "needs_confirm", (int)rowset_int(rs, i, "needs_confirm"));
		cJSON_AddBoolToObject(o, "public_confirmed",
				      (int)rowset_int(rs, i, "public_confirmed"));
		if (page) {
			cJSON_AddBoolToObject(o, "pending", pending);
			cJSON_AddBoolToObject(o, "code_exists",
					      (int)rowset_int(rs, i, "code_exists"));
		}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

int page_join_requests(Req *r)
{
	cJSON *ctx = pagekit_ctx(r, "Join requests"), *rows;
	RowSet rs;
	Err e = {0};

	if (joinreq_list(r->db, NULL, &rs, &e)) {
		rowset_free(&rs);
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	rows = requests_json(&rs, 1);
	rowset_free(&rs);
	cJSON_AddItemToObject(ctx, "requests", rows);
	cJSON_AddBoolToObject(ctx, "any", cJSON_GetArraySize(rows) > 0);
	cJSON_AddBoolToObject(ctx, "can_decide", r->who.role == ROLE_ADMIN);
	return render_page(r, 200, "join_requests", ctx);
}

/* The request id of the route, or -1. */
static int64_t route_id(const Req *r)
{
	char *end;
	long long v = strtoll(r->param[0], &end, 10);

	return *end || v < 1 ? -1 : (int64_t)v;
}

static int decision_status(ClCode code)
{
	return code == CL_ENOTFOUND   ? 404
	       : code == CL_ECONFLICT ? 409
	       : code == CL_EDB	      ? 500
	       : code == CL_ERULE     ? 409
				      : 400;
}

/* Approve request id as r's user.  OUT: e. */
static ClCode approve(Req *r, int64_t id, const char *joined, const char *code, int confirm, Err *e)
{
	char actor[300];
	Date day;

	if (id < 0)
		return err_set(e, CL_ENOTFOUND, "there is no such join request");
	if (!joined || date_parse(joined, &day, e)) {
		if (!joined)
			err_set(e, CL_EINPUT, "joined: give the date the agency joins, YYYY-MM-DD");
		else
			err_prefix(e, "joined");
		return CL_EINPUT;
	}
	return joinreq_approve(r->db, id, day, code, confirm, req_actor(r, actor, sizeof actor),
			       outbox_now(), e);
}

int page_join_approve(Req *r)
{
	char msg[ERR_MSG_MAX + 80];
	int64_t id = route_id(r);
	Err e = {0};

	if (approve(r, id, req_field(r, "joined"), req_field(r, "agency_code"),
		    req_field(r, "confirm_public") != NULL, &e))
		return pagekit_back_err(r, "/join-requests", e.msg);
	snprintf(msg, sizeof msg,
		 "join request %" PRId64 " approved; the requester and the new member are e-mailed",
		 id);
	return pagekit_back_ok(r, "/join-requests", msg);
}

int page_join_decline(Req *r)
{
	char actor[300], msg[120];
	int64_t id = route_id(r);
	Err e = {0};

	if (id < 0)
		return resp_error(r, 404, "there is no such join request");
	if (joinreq_decline(r->db, id, req_field(r, "reason"), req_actor(r, actor, sizeof actor),
			    outbox_now(), &e))
		return pagekit_back_err(r, "/join-requests", e.msg);
	snprintf(msg, sizeof msg, "join request %" PRId64 " declined; the requester is e-mailed",
		 id);
	return pagekit_back_ok(r, "/join-requests", msg);
}

int api_join_list(Req *r)
{
	cJSON *out;
	RowSet rs;
	Err e = {0};

	if (joinreq_list(r->db, NULL, &rs, &e)) {
		rowset_free(&rs);
		return resp_error(r, 500, "%s", e.msg);
	}
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "requests", requests_json(&rs, 0));
	rowset_free(&rs);
	return resp_json(r, 200, out);
}

/* The answer to a decision on request id: the request as it now is. */
static int decided(Req *r, int64_t id, ClCode rc, const Err *e)
{
	cJSON *out;

	if (rc)
		return resp_error(r, decision_status(rc), "%s", e->msg);
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "request", (double)id);
	cJSON_AddStringToObject(out, "status",
				strstr(r->path, "/approve") ? "approved" : "declined");
	return resp_json(r, 200, out);
}

int api_join_approve(Req *r)
{
	cJSON *o = api_body_or_400(r);
	int64_t id = route_id(r);
	ClCode rc;
	Err e = {0};

	if (!o)
		return 0;
	rc = approve(r, id, api_str(o, "joined"), api_str(o, "agency_code"),
		     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "confirm_public")), &e);
	cJSON_Delete(o);
	return decided(r, id, rc, &e);
}

int api_join_decline(Req *r)
{
	cJSON *o = api_body_or_400(r);
	int64_t id = route_id(r);
	char actor[300];
	ClCode rc;
	Err e = {0};

	if (!o)
		return 0;
	rc = id < 0 ? err_set(&e, CL_ENOTFOUND, "there is no such join request")
		    : joinreq_decline(r->db, id, api_str(o, "reason"),
				      req_actor(r, actor, sizeof actor), outbox_now(), &e);
	cJSON_Delete(o);
	return decided(r, id, rc, &e);
}
