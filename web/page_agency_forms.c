/* page_agency_forms.c — the agency forms: adding an agency, changing one,
 * uploading a CSV of many, and an agency's contacts added, changed and
 * removed.  Every field is checked by core/agency.c; a refusal draws the
 * page again with what was typed and each wrong field's message beside
 * it. */
#include <stdio.h>
#include <string.h>

#include "agency.h"
#include "csvin.h"
#include "pagekit.h"
#include "pages.h"

/* The agency kinds of DOMAIN.md section 3, as the menu shows them. */
static const char *const kinds[][2] = {
	{"school_district", "School district"},
	{"city", "City"},
	{"county", "County"},
	{"state_agency", "State agency"},
	{"higher_ed", "Higher education"},
	{"special_district", "Special district"},
	{"nonprofit", "Nonprofit"},
};

/* The names of the form fields of AgencyField and ContactField. */
static const char *const agency_names[AGENCY_F_COUNT] = {"code", "name",  "address",
							 "kind", "state", "email"};
static const char *const agency_labels[AGENCY_F_COUNT] = {"Code", "Name",  "Address",
							  "Kind", "State", "E-mail"};
static const char *const contact_names[CONTACT_F_COUNT] = {"name", "email", "role"};
static const char *const contact_labels[CONTACT_F_COUNT] = {"Name", "E-mail", "Role"};

/* A form field, "" when absent. */
static const char *field(Req *r, const char *name)
{
	const char *v = req_field(r, name);

	return v ? v : "";
}

/* msg without a leading "agency CODE: " (the field beside it says so). */
static const char *field_words(const char *msg, const char *code)
{
	size_t n = strlen(code);

	if (strncmp(msg, "agency ", 7) == 0 && strncmp(msg + 7, code, n) == 0 &&
	    strncmp(msg + 7 + n, ": ", 2) == 0)
		return msg + 9 + n;
	return msg;
}

/* The kind menu with kind chosen (none when kind is not one). */
static cJSON *kind_menu(const char *kind)
{
	cJSON *list = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "value", kinds[i][0]);
		cJSON_AddStringToObject(o, "label", kinds[i][1]);
		cJSON_AddBoolToObject(o, "selected", kind && strcmp(kind, kinds[i][0]) == 0);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

cJSON *agency_form(const AgencyIn *a, int public_known)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "code", a->code ? a->code : "");
	cJSON_AddStringToObject(f, "name", a->name ? a->name : "");
	cJSON_AddStringToObject(f, "state", a->state ? a->state : "");
	cJSON_AddStringToObject(f, "address", a->address ? a->address : "");
	cJSON_AddItemToObject(f, "kinds", kind_menu(a->kind));
	cJSON_AddBoolToObject(f, "public_yes", public_known && a->public_entity);
	cJSON_AddBoolToObject(f, "public_no", public_known && !a->public_entity);
	cJSON_AddObjectToObject(f, "errors");
	return f;
}

cJSON *contact_form(const ContactIn *c)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "name", c->name ? c->name : "");
	cJSON_AddStringToObject(f, "email", c->email ? c->email : "");
	cJSON_AddStringToObject(f, "role", c->role ? c->role : "");
	cJSON_AddBoolToObject(f, "notices", c->receives_notices);
	cJSON_AddObjectToObject(f, "errors");
	return f;
}

/* Note field name's message (label what) in form f and in the summary
 * of the wrong fields (sum, size n). */
static void form_error(cJSON *f, const char *name, const char *label, const char *msg, char *sum,
		       size_t n)
{
	size_t len = strlen(sum);

	cJSON_AddStringToObject(cJSON_GetObjectItem(f, "errors"), name, msg);
	snprintf(sum + len, n - len, "%s%s", len ? ", " : "", label);
}

/* The refusal of a form (what: "Agency not added", ...) into msg (size
 * n): the wrong fields named in sum, or e's message when no field is
 * wrong (the database failed). */
static void refusal(char *msg, size_t n, const char *what, int wrong, const char *sum, const Err *e)
{
	if (wrong)
		snprintf(msg, n, "%s. Fix %s: %s.", what, wrong > 1 ? "these fields" : "this field",
			 sum);
	else
		snprintf(msg, n, "%s: %s", what, e->msg);
}

/* The agency the form describes, the fields named in check[0..nf) checked
 * into form (with the summary of the wrong ones in sum, size n).  OUT:
 * *a, *form.  Returns the count of wrong fields. */
static int agency_from_form(Req *r, AgencyIn *a, const AgencyField *check, int nf, cJSON **form,
			    char *sum, size_t n)
{
	const char *pub = field(r, "public_entity");
	int known = csvin_yesno(pub, 1, &a->public_entity) == 0 && *pub, wrong = 0, i;
	Err e = {0};

	a->name = field(r, "name");
	a->kind = field(r, "kind");
	a->state = field(r, "state");
	a->address = field(r, "address");
	a->email = NULL;
	*form = agency_form(a, known);
	sum[0] = '\0';
	for (i = 0; i < nf; i++) {
		if (!agency_check_field(a, check[i], &e))
			continue;
		wrong++;
		form_error(*form, agency_names[check[i]], agency_labels[check[i]],
			   check[i] == AGENCY_F_KIND && !*a->kind ? "choose the agency's kind"
								  : field_words(e.msg, a->code),
			   sum, n);
	}
	if (!known && ++wrong)
		form_error(*form, "public_entity", "Public entity", "choose yes or no", sum, n);
	return wrong;
}

int page_agency_add(Req *r)
{
	static const AgencyField check[] = {AGENCY_F_CODE, AGENCY_F_NAME, AGENCY_F_KIND,
					    AGENCY_F_STATE, AGENCY_F_ADDRESS};
	char actor[300], sum[200], msg[ERR_MSG_MAX + 300];
	AgencyIn a = {.code = field(r, "code")};
	cJSON *form;
	Err e = {0};
	int wrong = agency_from_form(r, &a, check, 5, &form, sum, sizeof sum);

	if (!wrong && !agency_add(r->db, &a, req_actor(r, actor, sizeof actor), NULL, &e)) {
		cJSON_Delete(form);
		snprintf(msg, sizeof msg, "Added agency %s, %s.", a.code, a.name);
		return pagekit_back_ok(r, "/agencies", msg);
	}
	if (!wrong && e.code == CL_ECONFLICT && ++wrong) /* the code is taken */
		form_error(form, "code", "Code", e.msg, sum, sizeof sum);
	refusal(msg, sizeof msg, "Agency not added", wrong, sum, &e);
	return agencies_page(r, 422, form, msg);
}

int page_agency_edit(Req *r)
{
	static const AgencyField check[] = {AGENCY_F_NAME, AGENCY_F_KIND, AGENCY_F_STATE,
					    AGENCY_F_ADDRESS};
	char actor[300], path[300], sum[200], msg[ERR_MSG_MAX + 300];
	AgencyIn a = {.code = r->param[0]};
	cJSON *form, *extra;
	Err e = {0};
	int wrong = agency_from_form(r, &a, check, 4, &form, sum, sizeof sum);

	if (!wrong && !agency_update(r->db, &a, req_actor(r, actor, sizeof actor), &e)) {
		cJSON_Delete(form);
		snprintf(path, sizeof path, "/agencies/%s", a.code);
		snprintf(msg, sizeof msg, "Saved agency %s.", a.code);
		return pagekit_back_ok(r, path, msg);
	}
	if (!wrong && e.code == CL_ENOTFOUND) {
		cJSON_Delete(form);
		return resp_error(r, 404, "there is no such agency");
	}
	refusal(msg, sizeof msg, "Agency not saved", wrong, sum, &e);
	extra = cJSON_CreateObject();
	cJSON_AddItemToObject(extra, "edit", form);
	return agency_page(r, 422, extra, msg);
}

int page_agencies_import(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 400];
	int added = 0;
	Err e = {0};

	if (!r->upload || !r->upload_name[0])
		return pagekit_back_err(r, "/agencies",
					"No agency was added: choose a CSV file to upload.");
	if (agency_import_csv(r->db, r->upload, NULL, req_actor(r, actor, sizeof actor), &added,
			      &e)) {
		snprintf(msg, sizeof msg, "No agency was added from %.200s: %s", r->upload_name,
			 e.msg);
		return pagekit_back_err(r, "/agencies", msg);
	}
	snprintf(msg, sizeof msg, "Added %d %s from %.200s.", added,
		 added == 1 ? "agency" : "agencies", r->upload_name);
	return pagekit_back_ok(r, "/agencies", msg);
}

/* The contact the form describes, each field checked into OUT *form (the
 * summary of the wrong ones in sum, size n).  OUT: *c.  Returns the count
 * of wrong fields. */
static int contact_from_form(Req *r, ContactIn *c, cJSON **form, char *sum, size_t n)
{
	int wrong = 0, f;
	Err e = {0};

	c->name = field(r, "name");
	c->email = field(r, "email");
	c->role = field(r, "role");
	c->receives_notices = strcmp(field(r, "receives_notices"), "1") == 0;
	*form = contact_form(c);
	sum[0] = '\0';
	for (f = 0; f < CONTACT_F_COUNT; f++)
		if (agency_contact_check_field(c, (ContactField)f, &e) && ++wrong)
			form_error(*form, contact_names[f], contact_labels[f], e.msg, sum, n);
	return wrong;
}

/* The agency page again after a contact form was refused (what: "Contact
 * not added", ...): form (taken over) with the wrong fields in sum, or
 * e's message, under key ("contact_ID", or "contact" for the new one). */
static int contact_refused(Req *r, const char *key, cJSON *form, int wrong, const Err *e, char *sum,
			   size_t n, const char *what)
{
	char msg[ERR_MSG_MAX + 300];
	cJSON *extra = cJSON_CreateObject();

	if (!wrong && e->code == CL_ECONFLICT && ++wrong) /* the e-mail is taken */
		form_error(form, "email", "E-mail", e->msg, sum, n);
	refusal(msg, sizeof msg, what, wrong, sum, e);
	cJSON_AddBoolToObject(form, "open", 1);
	cJSON_AddItemToObject(extra, key, form);
	return agency_page(r, 422, extra, msg);
}

int page_contact_add(Req *r)
{
	char actor[300], path[300], sum[200], msg[ERR_MSG_MAX];
	ContactIn c;
	cJSON *form;
	Err e = {0};
	int wrong = contact_from_form(r, &c, &form, sum, sizeof sum);

	if (!wrong && !agency_contact_add(r->db, r->param[0], &c, req_actor(r, actor, sizeof actor),
					  NULL, &e)) {
		cJSON_Delete(form);
		snprintf(path, sizeof path, "/agencies/%s", r->param[0]);
		snprintf(msg, sizeof msg, "Added contact %s.", c.email);
		return pagekit_back_ok(r, path, msg);
	}
	if (!wrong && e.code == CL_ENOTFOUND) {
		cJSON_Delete(form);
		return resp_error(r, 404, "there is no such agency");
	}
	return contact_refused(r, "contact", form, wrong, &e, sum, sizeof sum, "Contact not added");
}

int page_contact_edit(Req *r)
{
	char actor[300], path[300], sum[200], msg[ERR_MSG_MAX];
	ContactIn c;
	cJSON *form;
	long id;
	Err e = {0};
	int wrong;

	if (pagekit_field_int(r->param[1], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such contact");
	wrong = contact_from_form(r, &c, &form, sum, sizeof sum);
	if (!wrong && !agency_contact_update(r->db, r->param[0], id, &c,
					     req_actor(r, actor, sizeof actor), &e)) {
		cJSON_Delete(form);
		snprintf(path, sizeof path, "/agencies/%s", r->param[0]);
		snprintf(msg, sizeof msg, "Saved contact %s.", c.email);
		return pagekit_back_ok(r, path, msg);
	}
	if (!wrong && e.code == CL_ENOTFOUND) {
		cJSON_Delete(form);
		return resp_error(r, 404, "there is no such contact");
	}
	snprintf(path, sizeof path, "contact_%ld", id);
	return contact_refused(r, path, form, wrong, &e, sum, sizeof sum, "Contact not saved");
}

int page_contact_remove(Req *r)
{
	char actor[300], path[300], msg[ERR_MSG_MAX + 40];
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[1], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such contact");
	if (agency_contact_remove(r->db, r->param[0], id, req_actor(r, actor, sizeof actor), &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such contact");
		snprintf(msg, sizeof msg, "Contact not removed: %s", e.msg);
		snprintf(path, sizeof path, "/agencies/%s", r->param[0]);
		return pagekit_back_err(r, path, msg);
	}
	snprintf(path, sizeof path, "/agencies/%s", r->param[0]);
	return pagekit_back_ok(r, path, "Contact removed.");
}
