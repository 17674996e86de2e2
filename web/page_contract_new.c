/* page_contract_new.c — a new contract from the browser (DOMAIN.md section
 * 4): the form, made into a terms document, or an uploaded terms document;
 * either goes to contract_import() as `contract import` and the API do.
 * Every problem is shown beside its field, with what was typed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "buf.h"
#include "contract.h"
#include "contract_form.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "terms_check.h"
#include "vendor.h"

/* The largest terms document taken from a file. */
#define TERMS_FILE_MAX ((size_t)1 << 20)

/* The banner over a form with problems into b: those about no one field,
 * and how many fields to fix.  source: the uploaded file's name, or
 * NULL. */
static ClCode alert_text(Buf *b, const ContractForm *f, const char *source)
{
	int beside = cJSON_GetArraySize(f->problem);
	const cJSON *t;
	ClCode rc;

	if ((rc = buf_printf(b, "Contract not created%s%s.", source ? " from " : "",
			     source ? source : "")))
		return rc;
	cJSON_ArrayForEach(t, f->top)
	{
		if ((rc = buf_printf(b, " %s.", cJSON_GetStringValue(t))))
			return rc;
	}
	if (beside == 1)
		return buf_puts(b, " Fix the field marked below.");
	return beside ? buf_printf(b, " Fix the %d fields marked below.", beside) : CL_OK;
}

/* ctx's banner (in place of a session's message) for a form with
 * problems. */
static void add_alert(cJSON *ctx, const ContractForm *f, const char *source)
{
	Buf b;

	buf_init(&b, 8192);
	/* a banner cut short still says the contract was not created */
	(void)!alert_text(&b, f, source);
	cJSON_DeleteItemFromObject(ctx, "alert");
	cJSON_DeleteItemFromObject(ctx, "notice");
	cJSON_AddStringToObject(ctx, "alert", b.data ? b.data : "Contract not created.");
	buf_free(&b);
}

/* The form page with f as typed and its problems.  source: the uploaded
 * file's name, or NULL. */
static int form_page(Req *r, int status, const ContractForm *f, const char *source)
{
	RowSet agencies = {0}, vendors = {0};
	Err e = {0};
	cJSON *ctx;

	if (agency_list(r->db, &agencies, &e) || vendor_list(r->db, &vendors, &e)) {
		rowset_free(&agencies);
		rowset_free(&vendors);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "New contract");
	cform_context(f, ctx, &agencies, &vendors);
	if (cform_problems(f))
		add_alert(ctx, f, source);
	rowset_free(&agencies);
	rowset_free(&vendors);
	return render_page(r, status, "contract_new", ctx);
}

int page_contract_new(Req *r)
{
	ContractForm f;
	int rc;

	cform_init(&f);
	cform_defaults(&f);
	rc = form_page(r, 200, &f, NULL);
	cform_free(&f);
	return rc;
}

/* Put every problem of terms document doc (len bytes) on f. */
static void check_document(ContractForm *f, const char *doc, size_t len)
{
	TermsProblems p;
	Err e = {0};
	int i;

	if (terms_check(doc, len, &p, &e) == CL_ENOMEM)
		cform_problem(f, "", e.msg);
	for (i = 0; i < p.n; i++)
		cform_problem(f, p.item[i].path, p.item[i].msg);
	terms_check_free(&p);
}

/* Create the contract of terms document doc (len bytes) as r's user, or
 * put its problems on f (nothing is written then).  OUT: number (size n)
 * of the new contract.  0 when created, -1 when not. */
static int create(Req *r, ContractForm *f, const char *doc, size_t len, char *number, size_t n)
{
	char actor[300], path[TERMS_PATH_BUF];
	int64_t id = 0;
	Terms t;
	Err e = {0};

	check_document(f, doc, len);
	if (cform_problems(f))
		return -1;
	if (contract_import(r->db, doc, len, req_actor(r, actor, sizeof actor), &id, &e)) {
		if (e.code == CL_ECONFLICT)
			cform_problem_at(f, "number", e.msg);
		else
			cform_problem(f, terms_message_path(e.msg, path, sizeof path), e.msg);
		return -1;
	}
	if (contract_load_id(r->db, id, &t, &e))
		t.number[0] = '\0'; /* created all the same: the list shows it */
	snprintf(number, n, "%s", t.number);
	return 0;
}

/* The uploaded terms document into b (at most TERMS_FILE_MAX bytes).  0,
 * or -1 with the reason on f. */
static int read_upload(Req *r, ContractForm *f, Buf *b)
{
	char chunk[8192];
	size_t got;

	while ((got = fread(chunk, 1, sizeof chunk, r->upload)) > 0) {
		if (buf_append(b, chunk, got)) {
			cform_problem(f, "",
				      "the file is larger than 1 MiB: a terms document is "
				      "a few kilobytes");
			return -1;
		}
	}
	if (ferror(r->upload)) {
		cform_problem(f, "", "the file could not be read; choose it again");
		return -1;
	}
	return 0;
}

/* What the caller sent, as a terms document into b: the uploaded file
 * (the form is filled in from it), or the form made into one (which may
 * find problems of the form's own).  0, or -1 when there is no document
 * (the reason on f). */
static int document_of(Req *r, ContractForm *f, Buf *b)
{
	char *doc;
	int rc = 0;

	if (r->upload) {
		if (read_upload(r, f, b))
			return -1;
		cform_fill(f, b->data, b->len);
		return 0;
	}
	cform_read(f, r);
	doc = cform_document(f);
	if (!doc || buf_puts(b, doc)) {
		cform_problem(f, "", "out of memory");
		rc = -1;
	}
	free(doc);
	return rc;
}

int page_contract_create(Req *r)
{
	const char *action = req_field(r, "action");
	char number[64], msg[160], path[200];
	ContractForm f;
	Buf b;
	int rc;

	cform_init(&f);
	buf_init(&b, TERMS_FILE_MAX);
	if (!r->upload && action && strcmp(action, "more") == 0) {
		cform_read(&f, r);
		cform_more_rows(&f);
		rc = form_page(r, 200, &f, NULL);
		goto out;
	}
	if (document_of(r, &f, &b) ||
	    create(r, &f, b.data ? b.data : "", b.len, number, sizeof number)) {
		rc = form_page(r, 422, &f, r->upload ? r->upload_name : NULL);
		goto out;
	}
	snprintf(msg, sizeof msg, "Contract %s created.", number);
	snprintf(path, sizeof path, "/contracts/%s", number);
	/* a number with a '/' has no page of its own: the list shows it */
	rc = pagekit_back_ok(r, number[0] && !strchr(number, '/') ? path : "/contracts", msg);
out:
	buf_free(&b);
	cform_free(&f);
	return rc;
}
