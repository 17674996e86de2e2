/* packet_page.c — the due-diligence packet, OCDS and its publishing
 * switch; see packet_page.h. */
#include "packet_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "ocds.h"
#include "packet_pdf.h"

char *packet_change_words(const char *changes_json, Date ends)
{
	cJSON *c = cJSON_Parse(changes_json ? changes_json : "{}");
	char *w;

	if (!c)
		return strdup("");
	w = encode_change_words(c, ends);
	cJSON_Delete(c);
	return w;
}

int page_packet(Req *r)
{
	const char *agency = r->param[0], *contract = r->param[1];
	unsigned char *pdf = NULL;
	size_t len = 0;
	char name[200];
	Err e = {0};

	if (!may_see_agency(r, agency) || !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such packet");
	if (pdf_packet(r->db, contract, agency, r->today, packet_change_words, NULL, &pdf, &len,
		       &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	resp_text(r, 200, "application/pdf", (char *)pdf,
		  pdf_packet_filename(contract, agency, name, sizeof name));
	r->resp.len = len;
	return 0;
}

/* 1 if s is a plain host[:port] (letters, digits, '.', '-', ':', '[',
 * ']'), at most 255 bytes. */
static int plain_host(const char *s)
{
	size_t i;

	if (!s || !*s || strlen(s) > 255)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr(".-:[]", s[i])))
			return 0;
	return 1;
}

int page_ocds(Req *r)
{
	const char *number = r->param[0], *base = getenv("COOPLEDGER_BASE_URL");
	const char *host = req_header(r, "Host");
	char uri[640], *json = NULL;
	Err e = {0};

	if (strlen(number) > 63)
		return resp_error(r, 404, "there is no active contract with that number");
	if (base && (strncmp(base, "http://", 7) == 0 || strncmp(base, "https://", 8) == 0) &&
	    strlen(base) < 256)
		snprintf(uri, sizeof uri, "%.*s/catalog/%s/ocds.json",
			 (int)(strlen(base) - (base[strlen(base) - 1] == '/')), base, number);
	else
		snprintf(uri, sizeof uri, "http://%s/catalog/%s/ocds.json",
			 plain_host(host) ? host : "localhost", number);
	if (ocds_package(r->db, number, r->today, uri, packet_change_words, &json, &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	return resp_text(r, 200, "application/json", json, NULL);
}

int api_ocds_publishing(Req *r)
{
	const char *number = r->param[0];
	const cJSON *v;
	char actor[300];
	cJSON *o, *out;
	int on;
	Err e = {0};

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no contract %s", number);
	if (!(o = api_body_or_400(r)))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(o, "publish_purchases");
	if (!cJSON_IsBool(v)) {
		cJSON_Delete(o);
		return resp_error(r, 400, "publish_purchases: give true or false");
	}
	on = cJSON_IsTrue(v);
	cJSON_Delete(o);
	if (ocds_set_publishing(r->db, number, on, req_actor(r, actor, sizeof actor), &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "contract", number);
	cJSON_AddBoolToObject(out, "publish_purchases", on);
	return resp_json(r, 200, out);
}

int page_ocds_publishing(Req *r)
{
	const char *number = r->param[0], *v = req_field(r, "publish_purchases");
	char actor[300], back[160];
	Err e = {0};

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no contract %s", number);
	if (!v || (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0))
		return resp_error(r, 400, "publish_purchases: choose yes or no");
	if (ocds_set_publishing(r->db, number, strcmp(v, "yes") == 0,
				req_actor(r, actor, sizeof actor), &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	snprintf(back, sizeof back, "/contracts/%s", number);
	return resp_redirect(r, back);
}
