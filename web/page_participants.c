/* page_participants.c — a contract's participants on its page: the list
 * with each one's purchases to date, its CSV, and enrolling agencies (one
 * or many at once, by their codes) from a joining date. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "participant.h"

static const char *const money_cols[] = {"net_sales", NULL};

/* The enrollment form with the codes and date typed and an empty
 * "errors".  Caller frees. */
static cJSON *enroll_form(const char *codes, const char *joined)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "agencies", codes ? codes : "");
	cJSON_AddStringToObject(f, "joined", joined ? joined : "");
	cJSON_AddObjectToObject(f, "errors");
	return f;
}

int page_participants_add(Req *r, cJSON *ctx, const char *number, cJSON *form, Err *e)
{
	RowSet rows;
	cJSON *list = pagekit_rows(participant_list(r->db, number, r->today, &rows, e), &rows,
				   money_cols);

	if (!list) {
		cJSON_Delete(form);
		return -1;
	}
	cJSON_AddNumberToObject(ctx, "participants_count", cJSON_GetArraySize(list));
	cJSON_AddItemToObject(ctx, "participants", list);
	cJSON_AddItemToObject(ctx, "enroll", form ? form : enroll_form(NULL, NULL));
	return 0;
}

int page_participants_csv(Req *r)
{
	static const char *const keys[] = {"code", "name", "joined", "lines", "net_sales"};
	char name[120];
	RowSet rows;
	ClCode rc;
	Err e = {0};

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	rc = participant_list(r->db, r->param[0], r->today, &rows, &e);
	snprintf(name, sizeof name, "%.100s-participants.csv", r->param[0]);
	return pagekit_csv(r, rc, &rows, money_cols, keys, 5, name, &e);
}

/* Split text into agency codes at commas, semicolons and white space,
 * in place.  OUT: codes (room for max), *n.  Returns -1 when there are
 * more than max. */
static int split_codes(char *text, const char **codes, int max, int *n)
{
	char *p = text;

	*n = 0;
	for (;;) {
		while (*p && (isspace((unsigned char)*p) || *p == ',' || *p == ';'))
			*p++ = '\0';
		if (!*p)
			return 0;
		if (*n == max)
			return -1;
		codes[(*n)++] = p;
		while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != ';')
			p++;
	}
}

/* The contract page again with the enrollment form as typed, message msg
 * beside field (agencies or joined). */
static int enroll_refused(Req *r, const char *typed, const char *joined, const char *fieldname,
			  const char *msg)
{
	char alert[ERR_MSG_MAX + 100];
	cJSON *extra = cJSON_CreateObject(), *form = enroll_form(typed, joined);

	cJSON_AddStringToObject(cJSON_GetObjectItem(form, "errors"), fieldname, msg);
	cJSON_AddItemToObject(extra, "enroll", form);
	snprintf(alert, sizeof alert, "No agency was enrolled. Fix this field: %s.",
		 strcmp(fieldname, "joined") == 0 ? "Joined on" : "Agency codes");
	return contract_page(r, 422, extra, alert);
}

/* Enroll the agencies of text from joined; 0 with *added, or the refusal
 * in e and OUT: *fieldname, the field it is about. */
static ClCode enroll_text(Req *r, char *text, const char *joined, int *added,
			  const char **fieldname, Err *e)
{
	const char **codes = calloc(PARTICIPANT_ENROLL_MAX, sizeof *codes);
	char actor[300];
	Date day;
	ClCode rc;
	int n;

	*fieldname = "agencies";
	if (!codes)
		return err_set(e, CL_ENOMEM, "out of memory");
	if (split_codes(text, codes, PARTICIPANT_ENROLL_MAX, &n))
		rc = err_set(e, CL_EINPUT, "enroll at most %d agencies at once",
			     PARTICIPANT_ENROLL_MAX);
	else if ((rc = date_parse(joined, &day, e)))
		*fieldname = "joined";
	else {
		rc = participant_enroll(r->db, r->param[0], codes, n, day,
					req_actor(r, actor, sizeof actor), added, e);
		if (rc && strstr(e->msg, "outside the contract term"))
			*fieldname = "joined";
	}
	free(codes);
	return rc;
}

int page_participants_enroll(Req *r)
{
	const char *typed = req_field(r, "agencies"), *joined = req_field(r, "joined"), *fieldname;
	char *text, path[300], msg[120];
	int added = 0;
	Err e = {0};
	ClCode rc;

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	typed = typed ? typed : "";
	joined = joined ? joined : "";
	if (!(text = strdup(typed)))
		return resp_error(r, 500, "out of memory");
	rc = enroll_text(r, text, joined, &added, &fieldname, &e);
	free(text);
	if (rc)
		return enroll_refused(r, typed, joined, fieldname, e.msg);
	snprintf(path, sizeof path, "/contracts/%s", r->param[0]);
	snprintf(msg, sizeof msg, "Enrolled %d %s from %s.", added,
		 added == 1 ? "agency" : "agencies", joined);
	return pagekit_back_ok(r, path, msg);
}
