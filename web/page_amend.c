/* page_amend.c — amending a contract from the browser (DOMAIN.md 4.6):
 * the form that starts from the terms in force and records only what was
 * edited, a renewal option, and termination.  Admin only; see pages.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "contract.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"

#define FORM_ROWS 6 /* band and tier rows the form offers */

/* One schedule of the form: its field prefix ("fee", "disc", "reb"), its
 * JSON name and list. */
typedef struct SchedForm {
	const char *prefix, *json, *list;
} SchedForm;

static const SchedForm fee_form = {"fee", "fee", "bands"};
static const SchedForm disc_form = {"disc", "discounts", "tiers"};
static const SchedForm reb_form = {"reb", "rebates", "tiers"};

/* The form field name prefix_what_i.  OUT: buf (size n). */
static const char *row_field(char *buf, size_t n, const char *prefix, const char *what, int i)
{
	snprintf(buf, n, "%s_%s_%d", prefix, what, i);
	return buf;
}

/* The field a core message is about, from its path ("fee.bands[1].rate",
 * "late_fee.min", "effective"), as the form's field name.  OUT: buf. */
static const char *error_field(const char *msg, char *buf, size_t n)
{
	static const struct {
		const char *path, *field;
	} fixed[] = {{"effective", "effective"},
		     {"reference", "reference"},
		     {"due_days", "due_days"},
		     {"late_fee.min", "late_min"},
		     {"late_fee.rate", "late_rate"},
		     {"late_fee", "late_min"},
		     {"price_tolerance", "tolerance"},
		     {"end", "end"},
		     {"fee", "fee_mode"},
		     {"discounts", "disc_from_0"},
		     {"rebates", "reb_mode"}};
	static const SchedForm *const sched[] = {&fee_form, &disc_form, &reb_form};
	size_t len = strcspn(msg, ":");
	char path[96], what[8];
	unsigned k;
	int i;

	snprintf(path, sizeof path, "%.*s", (int)(len < 95 ? len : 95), msg);
	for (k = 0; k < 3; k++) { /* the three schedules of sched[] */
		char pat[64];

		snprintf(pat, sizeof pat, "%s.%s[%%d].%%4[a-z]", sched[k]->json, sched[k]->list);
		if (sscanf(path, pat, &i, what) == 2 && i >= 0 && i < FORM_ROWS)
			return row_field(buf, n, sched[k]->prefix, what, i);
	}
	for (k = 0; k < sizeof fixed / sizeof *fixed; k++)
		if (strcmp(path, fixed[k].path) == 0 ||
		    (strncmp(path, fixed[k].path, strlen(fixed[k].path)) == 0 &&
		     path[strlen(fixed[k].path)] == '.'))
			return snprintf(buf, n, "%s", fixed[k].field), buf;
	return NULL;
}

/* A form field's value: what was sent, else the terms' (from). */
static const char *value_of(Req *r, const char *field, const char *from, int sent)
{
	const char *v = sent ? req_field(r, field) : NULL;

	return sent ? (v ? v : "") : from;
}

/* The rows of a schedule for the form: what was sent, or the schedule's
 * bands, then empty rows up to FORM_ROWS. */
static cJSON *sched_rows(Req *r, const SchedForm *f, const Schedule *s, int sent, const char *bad)
{
	cJSON *arr = cJSON_CreateArray();
	char name[32], from[MONEY_BUF], rate[MONEY_BUF];
	int i;

	for (i = 0; i < FORM_ROWS; i++) {
		cJSON *row = cJSON_CreateObject();
		int have = s->present && i < s->nband;

		cJSON_AddNumberToObject(row, "i", i);
		cJSON_AddNumberToObject(row, "n", i + 1);
		cJSON_AddStringToObject(row, "prefix", f->prefix);
		cJSON_AddStringToObject(
			row, "from",
			value_of(r, row_field(name, sizeof name, f->prefix, "from", i),
				 have ? money_format(s->band[i].from, from) : "", sent));
		if (bad && strcmp(bad, name) == 0)
			cJSON_AddTrueToObject(row, "from_invalid");
		cJSON_AddStringToObject(
			row, "rate",
			value_of(r, row_field(name, sizeof name, f->prefix, "rate", i),
				 have ? rate_format(s->band[i].rate, rate) : "", sent));
		if (bad && strcmp(bad, name) == 0)
			cJSON_AddTrueToObject(row, "rate_invalid");
		cJSON_AddItemToArray(arr, row);
	}
	return arr;
}

/* The amend form's context: the terms in force t (or what was sent), and
 * why it was refused (core's message, NULL when it was not) with the
 * field it names. */
static cJSON *form_ctx(Req *r, const char *number, const Terms *t, int sent, const char *why)
{
	char title[128], buf[MONEY_BUF], field[32], alert[ERR_MSG_MAX + 40];
	const char *bad = why ? error_field(why, field, sizeof field) : NULL;
	cJSON *ctx, *form;

	snprintf(title, sizeof title, "Amend %s", number);
	ctx = pagekit_ctx(r, title);
	form = cJSON_AddObjectToObject(ctx, "form");
	cJSON_AddStringToObject(ctx, "number", number);
	cJSON_AddStringToObject(ctx, "title_text", t->title);
	if (why) {
		snprintf(alert, sizeof alert, "Amendment not recorded: %s", why);
		cJSON_AddStringToObject(ctx, "alert", alert);
	}
	if (bad) {
		char key[48];

		snprintf(key, sizeof key, "%s_invalid", bad);
		cJSON_AddTrueToObject(form, key);
	}
	cJSON_AddStringToObject(form, "effective", value_of(r, "effective", "", sent));
	cJSON_AddStringToObject(form, "reference", value_of(r, "reference", "", sent));
	snprintf(buf, sizeof buf, "%d", t->due_days);
	cJSON_AddStringToObject(form, "due_days", value_of(r, "due_days", buf, sent));
	cJSON_AddStringToObject(form, "late_min",
				value_of(r, "late_min",
					 t->has_late_fee ? money_format(t->late_fee_min, buf) : "",
					 sent));
	cJSON_AddStringToObject(form, "late_rate",
				value_of(r, "late_rate",
					 t->has_late_fee ? rate_format(t->late_fee_rate, buf) : "",
					 sent));
	cJSON_AddStringToObject(
		form, "tolerance",
		value_of(r, "tolerance", money_format(t->price_tolerance, buf), sent));
	cJSON_AddStringToObject(form, "end", value_of(r, "end", date_format(t->end, buf), sent));
	cJSON_AddBoolToObject(
		form, "fee_volume",
		strcmp(value_of(r, "fee_mode", sched_mode_name(t->fee.mode), sent), "volume") == 0);
	cJSON_AddBoolToObject(
		form, "reb_volume",
		strcmp(value_of(r, "reb_mode",
				t->rebates.present ? sched_mode_name(t->rebates.mode) : "volume",
				sent),
		       "volume") == 0);
	cJSON_AddStringToObject(form, "fee_year", year_kind_name(t->fee.year));
	cJSON_AddItemToObject(form, "fee_rows", sched_rows(r, &fee_form, &t->fee, sent, bad));
	cJSON_AddItemToObject(form, "disc_rows",
			      sched_rows(r, &disc_form, &t->discounts, sent, bad));
	cJSON_AddItemToObject(form, "reb_rows", sched_rows(r, &reb_form, &t->rebates, sent, bad));
	return ctx;
}

/* The terms with every amendment applied: the form starts from them. */
static int load_latest(Req *r, const char *number, TermsHistory *h)
{
	Err e = {0};

	if (!may_see_contract(r, number) || terms_history_load(r->db, number, h, &e))
		return -1;
	return 0;
}

int page_amend_form(Req *r)
{
	TermsHistory h;
	cJSON *ctx;
	int rc;

	if (load_latest(r, r->param[0], &h))
		return resp_error(r, 404, "there is no such contract");
	ctx = form_ctx(r, r->param[0], terms_latest(&h), 0, NULL);
	rc = render_page(r, 200, "contract_amend", ctx);
	terms_history_free(&h);
	return rc;
}

/* The rows of schedule f that were filled in, as a JSON list; NULL when
 * none was. */
static cJSON *sent_rows(Req *r, const SchedForm *f)
{
	cJSON *arr = NULL;
	char a[32], b[32];
	int i;

	for (i = 0; i < FORM_ROWS; i++) {
		const char *from = req_field(r, row_field(a, sizeof a, f->prefix, "from", i));
		const char *rate = req_field(r, row_field(b, sizeof b, f->prefix, "rate", i));
		cJSON *row;

		if ((!from || !*from) && (!rate || !*rate))
			continue;
		if (!arr)
			arr = cJSON_CreateArray();
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "from", from ? from : "");
		cJSON_AddStringToObject(row, "rate", rate ? rate : "");
		cJSON_AddItemToArray(arr, row);
	}
	return arr;
}

/* Add schedule f (mode field mode_field, or none) from the form to doc. */
static void add_sent_schedule(Req *r, cJSON *doc, const SchedForm *f, const char *mode_field)
{
	cJSON *rows = sent_rows(r, f), *s;
	const char *mode = mode_field ? req_field(r, mode_field) : NULL;

	if (!rows)
		return;
	s = cJSON_AddObjectToObject(doc, f->json);
	if (mode && *mode)
		cJSON_AddStringToObject(s, "mode", mode);
	cJSON_AddItemToObject(s, f->list, rows);
}

/* The whole form as a partial terms document (every section as sent),
 * or NULL with e set for a due-days field that is not a number. */
static char *sent_document(Req *r, Err *e)
{
	const char *due = req_field(r, "due_days"), *min = req_field(r, "late_min"),
		   *rate = req_field(r, "late_rate"), *tol = req_field(r, "tolerance"),
		   *end = req_field(r, "end");
	cJSON *doc = cJSON_CreateObject();
	char *txt, *out;
	long days;

	add_sent_schedule(r, doc, &fee_form, "fee_mode");
	add_sent_schedule(r, doc, &disc_form, NULL);
	add_sent_schedule(r, doc, &reb_form, "reb_mode");
	if (due && *due) {
		if (pagekit_field_int(due, 0, 365, &days)) {
			cJSON_Delete(doc);
			err_set(e, CL_EINPUT,
				"due_days: \"%.20s\" is not a whole number of days from "
				"0 to 365",
				due);
			return NULL;
		}
		cJSON_AddNumberToObject(doc, "due_days", (double)days);
	}
	if ((min && *min) || (rate && *rate)) {
		cJSON *lf = cJSON_AddObjectToObject(doc, "late_fee");

		cJSON_AddStringToObject(lf, "min", min ? min : "");
		cJSON_AddStringToObject(lf, "rate", rate ? rate : "");
	}
	if (tol && *tol)
		cJSON_AddStringToObject(doc, "price_tolerance", tol);
	if (end && *end)
		cJSON_AddStringToObject(doc, "end", end);
	txt = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	out = txt ? strdup(txt) : NULL;
	cJSON_free(txt);
	if (!out)
		err_set(e, CL_ENOMEM, "out of memory");
	return out;
}

/* The change document of the form: what differs from cur.  NULL with e
 * set when the form is wrong or changes nothing. */
static char *changed_document(Req *r, const Terms *cur, Err *e)
{
	char *sent = sent_document(r, e), *doc = NULL;
	TermsChange c;

	if (!sent)
		return NULL;
	if (!terms_change_parse(sent, strlen(sent), cur, &c, e)) {
		terms_change_drop_same(&c, cur);
		if (!c.has)
			err_set(e, CL_EINPUT,
				"nothing changed: edit a term, or use the renewal or termination "
				"forms");
		else if (!(doc = terms_change_to_json(&c)))
			err_set(e, CL_ENOMEM, "out of memory");
	}
	free(sent);
	return doc;
}

/* The effective date field.  OUT: *day. */
static ClCode effective_field(Req *r, Date *day, Err *e)
{
	const char *v = req_field(r, "effective");

	if (!v || !*v)
		return err_set(e, CL_EINPUT, "effective: give the date the change takes effect");
	if (date_parse(v, day, e)) {
		err_prefix(e, "effective");
		return CL_EINPUT;
	}
	return CL_OK;
}

/* Record the amendment of the form's kind ("terms", "renew",
 * "terminate") on contract number.  OUT: *seq. */
static ClCode amend_from_form(Req *r, const char *number, const Terms *cur, int *seq, Err *e)
{
	const char *kind = req_field(r, "kind");
	char actor[300], *doc = NULL;
	Date day = 0;
	ClCode rc;

	if ((rc = effective_field(r, &day, e)))
		return rc;
	if (kind && strcmp(kind, "renew") == 0)
		doc = strdup("{\"renew\":true}");
	else if (kind && strcmp(kind, "terminate") == 0) {
		if (!req_field(r, "confirm"))
			return err_set(e, CL_EINPUT,
				       "confirm: tick the box to confirm the "
				       "termination");
		doc = strdup("{\"status\":\"terminated\"}");
	} else if (!(doc = changed_document(r, cur, e)))
		return e->code;
	if (!doc)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = contract_amend(r->db, number, day, req_field(r, "reference"), doc, strlen(doc),
			    req_actor(r, actor, sizeof actor), seq, e);
	free(doc);
	return rc;
}

int page_amend(Req *r)
{
	const char *number = r->param[0], *kind = req_field(r, "kind");
	char back[160], msg[ERR_MSG_MAX + 80];
	TermsHistory h;
	int seq = 0, out;
	Err e = {0};

	if (load_latest(r, number, &h))
		return resp_error(r, 404, "there is no such contract");
	snprintf(back, sizeof back, "/contracts/%s", number);
	if (amend_from_form(r, number, terms_latest(&h), &seq, &e)) {
		if (kind && (strcmp(kind, "renew") == 0 || strcmp(kind, "terminate") == 0)) {
			snprintf(msg, sizeof msg, "Not recorded: %s", e.msg);
			out = pagekit_back_err(r, back, msg);
		} else
			out = render_page(r, 400, "contract_amend",
					  form_ctx(r, number, terms_latest(&h), 1, e.msg));
		terms_history_free(&h);
		return out;
	}
	terms_history_free(&h);
	snprintf(msg, sizeof msg, "Amendment %d of %s recorded, effective %s.", seq, number,
		 req_field(r, "effective"));
	return pagekit_back_ok(r, back, msg);
}
