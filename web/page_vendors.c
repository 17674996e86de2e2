/* page_vendors.c — vendors: the list, adding one, its name and contacts,
 * and its sales-report column mapping made from a sample file. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "csvin.h"
#include "encode_import.h"
#include "import.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "vendor.h"

/* A sample is read up to SAMPLE_MAX bytes: its base64 travels back in
 * one form field (HTTP_FIELD_MAX), so the file is never kept here. */
#define SAMPLE_MAX ((size_t)45 * 1024)

/* The form carries csrf, sample, file_name, encoding, contract and one
 * menu a header: HTTP_MAX_FIELDS bounds the headers. */
#define SAMPLE_MAX_HEADERS (HTTP_MAX_FIELDS - 6)

/* A form field, "" when absent. */
static const char *field(Req *r, const char *name)
{
	const char *v = req_field(r, name);

	return v ? v : "";
}

/* ---- the list ---- */

/* The vendors page; form (may be NULL) the add-vendor form as sent with
 * its refusal.  Takes form over. */
static int vendors_page(Req *r, int status, cJSON *form)
{
	RowSet rows;
	Err e = {0};
	cJSON *ctx, *list = pagekit_rows(vendor_list(r->db, &rows, &e), &rows, NULL);

	if (!list) {
		cJSON_Delete(form);
		return resp_error(r, 500, "%s", e.msg);
	}
	ctx = pagekit_ctx(r, "Vendors");
	cJSON_AddItemToObject(ctx, "vendors", list);
	cJSON_AddBoolToObject(ctx, "can_change", r->who.role == ROLE_ADMIN);
	if (form) {
		cJSON_DeleteItemFromObject(ctx, "notice");
		cJSON_DeleteItemFromObject(ctx, "alert");
		cJSON_AddStringToObject(ctx, "alert",
					cJSON_GetStringValue(cJSON_GetObjectItem(form, "error")));
		cJSON_AddItemToObject(ctx, "form", form);
	}
	return render_page(r, status, "vendors", ctx);
}

int page_vendors(Req *r)
{
	return vendors_page(r, 200, NULL);
}

int page_vendors_csv(Req *r)
{
	static const char *const keys[] = {"code", "name", "email", "contacts", "contracts"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, vendor_list(r->db, &rows, &e), &rows, NULL, keys, 5, "vendors.csv",
			   &e);
}

/* The field of the add-vendor form that a refusal of vendor_add() is
 * about: "code", "name" or "email". */
static const char *vendor_add_field(const Err *e)
{
	if (strncmp(e->msg, "vendor code", 11) == 0 || strstr(e->msg, "already exists"))
		return "code";
	if (strstr(e->msg, "e-mail"))
		return "email";
	if (strstr(e->msg, "name"))
		return "name";
	return "code";
}

int page_vendor_add(Req *r)
{
	const char *code = field(r, "code"), *name = field(r, "name"), *email = field(r, "email");
	char actor[300], msg[ERR_MSG_MAX + 100], key[24];
	cJSON *form;
	Err e = {0};

	if (!vendor_add(r->db, code, name, *email ? email : NULL, req_actor(r, actor, sizeof actor),
			NULL, &e)) {
		char path[80];

		snprintf(msg, sizeof msg, "Added vendor %s.", code);
		snprintf(path, sizeof path, "/vendors/%s", code);
		return pagekit_back_ok(r, path, msg);
	}
	form = cJSON_CreateObject();
	cJSON_AddStringToObject(form, "code", code);
	cJSON_AddStringToObject(form, "name", name);
	cJSON_AddStringToObject(form, "email", email);
	snprintf(key, sizeof key, "%s_error", vendor_add_field(&e));
	cJSON_AddStringToObject(form, key, e.msg);
	snprintf(msg, sizeof msg, "Vendor not added: %s", e.msg);
	cJSON_AddStringToObject(form, "error", msg);
	return vendors_page(r, e.code == CL_EDB ? 500 : 422, form);
}

/* ---- one vendor ---- */

/* What a vendor page shows besides the vendor: the refused form, the
 * sample being mapped, the check of a sample.  Each may be NULL; the
 * page takes them over. */
typedef struct VendorView {
	const char *alert;  /* the refusal, for the banner */
	cJSON *rename;	    /* {name, error} */
	cJSON *contact;	    /* {id (0: the add form), name, email, role, ...} */
	cJSON *sample;	    /* see sample_context() */
	cJSON *check;	    /* the dry-run of the sample */
	const char *notice; /* a success shown with the check */
} VendorView;

static void view_free(VendorView *v)
{
	cJSON_Delete(v->rename);
	cJSON_Delete(v->contact);
	cJSON_Delete(v->sample);
	cJSON_Delete(v->check);
}

/* A contact's form values from a stored row. */
static cJSON *contact_form_of(const RowSet *rs, int i)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "name", rowset_text(rs, i, "name"));
	cJSON_AddStringToObject(f, "email", rowset_text(rs, i, "email"));
	cJSON_AddStringToObject(f, "role", rowset_text(rs, i, "role"));
	cJSON_AddBoolToObject(f, "receives_notices", rowset_int(rs, i, "receives_notices") != 0);
	return f;
}

/* The vendor's contacts into ctx, each with its edit form; the refused
 * form of v (when it is about contact id) replaces that one's. */
static ClCode add_contacts(Req *r, cJSON *ctx, VendorView *v, Err *e)
{
	cJSON *list = cJSON_AddArrayToObject(ctx, "contacts"), *o;
	int64_t refused =
		v->contact ? (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(v->contact, "id"))
			   : -1;
	RowSet rs;
	ClCode rc = vendor_contacts(r->db, r->param[0], &rs, e);
	int i;

	for (i = 0; !rc && i < rs.nrow; i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)rowset_int(&rs, i, "id"));
		cJSON_AddStringToObject(o, "name", rowset_text(&rs, i, "name"));
		cJSON_AddStringToObject(o, "email", rowset_text(&rs, i, "email"));
		cJSON_AddStringToObject(o, "role", rowset_text(&rs, i, "role"));
		cJSON_AddBoolToObject(o, "receives_notices",
				      rowset_int(&rs, i, "receives_notices") != 0);
		if (refused == rowset_int(&rs, i, "id")) {
			cJSON_AddItemToObject(o, "form", v->contact);
			v->contact = NULL;
		} else {
			cJSON_AddItemToObject(o, "form", contact_form_of(&rs, i));
		}
		cJSON_AddItemToArray(list, o);
	}
	rowset_free(&rs);
	return rc;
}

/* The vendor, its contracts and its saved mapping into ctx. */
static ClCode add_vendor(Req *r, cJSON *ctx, Err *e)
{
	RowSet rs;
	cJSON *list;
	ClCode rc = vendor_get(r->db, r->param[0], &rs, e);

	if (!rc)
		cJSON_AddItemToObject(
			ctx, "vendor",
			cJSON_DetachItemFromArray(encode_rowset(&rs, NULL, ENC_DATA), 0));
	rowset_free(&rs);
	if (!rc && (list = pagekit_rows(vendor_contracts(r->db, r->param[0], &rs, e), &rs, NULL))) {
		cJSON_AddItemToObject(ctx, "contracts", list);
	} else if (!rc) {
		rc = e->code;
	}
	if (!rc && (list = pagekit_rows(import_map_list(r->db, r->param[0], &rs, e), &rs, NULL))) {
		cJSON_AddItemToObject(ctx, "maps", list);
	} else if (!rc) {
		rc = e->code;
	}
	return rc;
}

/* The vendor page with what v holds (taken over). */
static int vendor_page(Req *r, int status, VendorView *v)
{
	cJSON *ctx, *rename, *inq;
	Err e = {0};
	ClCode rc;

	ctx = pagekit_ctx(r, "Vendor");
	rc = add_vendor(r, ctx, &e);
	if (!rc)
		rc = add_contacts(r, ctx, v, &e);
	if (!rc && !(inq = page_inquiries(r, r->param[0], NULL, &e)))
		rc = e.code ? e.code : CL_EDB;
	if (!rc)
		cJSON_AddItemToObject(ctx, "inquiries", inq);
	if (rc) {
		cJSON_Delete(ctx);
		view_free(v);
		return rc == CL_ENOTFOUND ? resp_error(r, 404, "there is no such vendor")
					  : resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddBoolToObject(ctx, "can_change", r->who.role == ROLE_ADMIN);
	rename = v->rename ? v->rename : cJSON_CreateObject();
	if (!v->rename)
		cJSON_AddStringToObject(rename, "name",
					cJSON_GetStringValue(cJSON_GetObjectItem(
						cJSON_GetObjectItem(ctx, "vendor"), "name")));
	cJSON_AddItemToObject(ctx, "rename", rename);
	if (!v->contact) {
		v->contact = cJSON_CreateObject();
		cJSON_AddBoolToObject(v->contact, "receives_notices", 1);
	}
	cJSON_AddItemToObject(ctx, "contact_form", v->contact);
	if (v->sample)
		cJSON_AddItemToObject(ctx, "sample", v->sample);
	if (v->check)
		cJSON_AddItemToObject(ctx, "check", v->check);
	if (v->alert || v->notice) {
		cJSON_DeleteItemFromObject(ctx, "notice");
		cJSON_DeleteItemFromObject(ctx, "alert");
		cJSON_AddStringToObject(ctx, v->alert ? "alert" : "notice",
					v->alert ? v->alert : v->notice);
	}
	return render_page(r, status, "vendor_record", ctx);
}

int page_vendor(Req *r)
{
	VendorView v = {0};

	return vendor_page(r, 200, &v);
}

/* Back to the vendor's page with a success message. */
static int back_ok(Req *r, const char *msg)
{
	char path[80];

	snprintf(path, sizeof path, "/vendors/%.40s", r->param[0]);
	return pagekit_back_ok(r, path, msg);
}

int page_vendor_rename(Req *r)
{
	const char *name = field(r, "name");
	char actor[300], msg[ERR_MSG_MAX + 40];
	VendorView v = {0};
	Err e = {0};

	if (!vendor_rename(r->db, r->param[0], name, req_actor(r, actor, sizeof actor), &e))
		return back_ok(r, "Name saved.");
	if (e.code == CL_ENOTFOUND)
		return resp_error(r, 404, "there is no such vendor");
	v.rename = cJSON_CreateObject();
	cJSON_AddStringToObject(v.rename, "name", name);
	cJSON_AddStringToObject(v.rename, "error", e.msg);
	snprintf(msg, sizeof msg, "Name not saved: %s", e.msg);
	v.alert = msg;
	return vendor_page(r, e.code == CL_EDB ? 500 : 422, &v);
}

/* ---- contacts ---- */

/* The contact form as sent.  OUT: *c (pointing into r's fields). */
static void contact_in(Req *r, VendorContactIn *c)
{
	c->name = field(r, "name");
	c->email = field(r, "email");
	c->role = field(r, "role");
	c->receives_notices = req_field(r, "receives_notices") != NULL;
}

/* The vendor page again with contact form id (0: the add form) as sent
 * and its refusal e marked at field f. */
static int contact_refused(Req *r, int64_t id, const VendorContactIn *c, VendorField f,
			   const Err *e)
{
	static const char *const keys[] = {"", "name_error", "email_error", "role_error"};
	char msg[ERR_MSG_MAX + 40];
	VendorView v = {0};

	if (e->code == CL_ENOTFOUND)
		return resp_error(r, 404, "there is no such vendor or contact");
	v.contact = cJSON_CreateObject();
	cJSON_AddNumberToObject(v.contact, "id", (double)id);
	cJSON_AddStringToObject(v.contact, "name", c->name);
	cJSON_AddStringToObject(v.contact, "email", c->email);
	cJSON_AddStringToObject(v.contact, "role", c->role);
	cJSON_AddBoolToObject(v.contact, "receives_notices", c->receives_notices);
	cJSON_AddStringToObject(v.contact, "error", e->msg);
	if (f != VENDOR_FIELD_NONE)
		cJSON_AddBoolToObject(v.contact, keys[f], 1);
	snprintf(msg, sizeof msg, "Contact not saved: %s", e->msg);
	v.alert = msg;
	return vendor_page(r, e->code == CL_EDB ? 500 : 422, &v);
}

int page_vendor_contact_add(Req *r)
{
	char actor[300];
	VendorContactIn c;
	VendorField f = VENDOR_FIELD_NONE;
	Err e = {0};

	contact_in(r, &c);
	if (!vendor_contact_add(r->db, r->param[0], &c, req_actor(r, actor, sizeof actor), NULL, &f,
				&e))
		return back_ok(r, "Contact added.");
	return contact_refused(r, 0, &c, f, &e);
}

int page_vendor_contact_edit(Req *r)
{
	char actor[300];
	VendorContactIn c;
	VendorField f = VENDOR_FIELD_NONE;
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[1], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such contact");
	contact_in(r, &c);
	if (!vendor_contact_edit(r->db, r->param[0], id, &c, req_actor(r, actor, sizeof actor), &f,
				 &e))
		return back_ok(r, "Contact saved.");
	return contact_refused(r, id, &c, f, &e);
}

int page_vendor_contact_remove(Req *r)
{
	char actor[300];
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[1], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such contact");
	if (!vendor_contact_remove(r->db, r->param[0], id, req_actor(r, actor, sizeof actor), &e))
		return back_ok(r, "Contact removed.");
	if (e.code == CL_ENOTFOUND)
		return resp_error(r, 404, "there is no such vendor or contact");
	return resp_error(r, 500, "%s", e.msg);
}

/* ---- the column mapping from a sample ---- */

/* The length of the leading rows of text[0..n) that end within n: up to
 * the last line break outside quotes (all of n when it ends a row). */
static size_t whole_rows(const char *text, size_t n)
{
	size_t i, end = 0;
	int quoted = 0;

	for (i = 0; i < n; i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (!quoted && (text[i] == '\n' || text[i] == '\r'))
			end = i + 1;
	}
	return end ? end : n;
}

/* The menu of a header: ignore, then every column, chosen selected.
 * Caller frees. */
static cJSON *column_menu(const char *chosen)
{
	cJSON *list = cJSON_CreateArray(), *o;
	const char *name;
	int i, required;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "value", IMPORT_IGNORE);
	cJSON_AddStringToObject(o, "label", "ignore (not read)");
	cJSON_AddBoolToObject(o, "selected", !chosen || strcmp(chosen, IMPORT_IGNORE) == 0);
	cJSON_AddItemToArray(list, o);
	for (i = 0; (name = import_column(i, &required)); i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "value", name);
		cJSON_AddStringToObject(o, "label", name);
		cJSON_AddBoolToObject(o, "selected", chosen && strcmp(chosen, name) == 0);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

/* The vendor's contracts as a menu, contract selected (when NULL or "",
 * the first active one).  Caller frees. */
static cJSON *contract_menu(Req *r, const char *contract)
{
	RowSet rs;
	Err e = {0};
	cJSON *list = pagekit_rows(vendor_contracts(r->db, r->param[0], &rs, &e), &rs, NULL), *o;
	int chosen = 0;

	cJSON_ArrayForEach(o, list)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "number"));
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
		int pick = contract && *contract ? n && strcmp(n, contract) == 0
						 : !chosen && st && strcmp(st, "active") == 0;

		chosen |= pick;
		cJSON_AddBoolToObject(o, "selected", pick);
	}
	return list ? list : cJSON_CreateArray();
}

/* The mapping form of sample s: each header with its menu (choices[i]
 * chosen, or how it is read now when choices is NULL), its values and,
 * for header bad, the refusal msg; the sample travels as data (base64).
 * Caller frees. */
static cJSON *sample_context(Req *r, const ImportSample *s, const char *const *choices, int bad,
			     const char *msg, const char *data, const char *file_name, size_t cut)
{
	cJSON *o = cJSON_CreateObject(), *cols = cJSON_CreateArray(), *c, *values, *contracts;
	int i, j;

	cJSON_AddStringToObject(o, "file_name", file_name);
	cJSON_AddNumberToObject(o, "rows", (double)s->rows);
	if (cut)
		cJSON_AddNumberToObject(o, "cut", (double)cut / 1024.0);
	cJSON_AddStringToObject(o, "data", data);
	cJSON_AddStringToObject(o, "encoding", field(r, "encoding"));
	for (i = 0; i < s->ncols; i++) {
		c = cJSON_CreateObject();
		cJSON_AddNumberToObject(c, "i", i);
		cJSON_AddStringToObject(c, "header", s->cols[i].header);
		cJSON_AddItemToObject(c, "options",
				      column_menu(choices ? choices[i] : s->cols[i].column));
		values = cJSON_AddArrayToObject(c, "values");
		for (j = 0; j < s->cols[i].nvalues; j++)
			cJSON_AddItemToArray(values, cJSON_CreateString(s->cols[i].values[j]));
		if (i == bad)
			cJSON_AddStringToObject(c, "error", msg);
		cJSON_AddItemToArray(cols, c);
	}
	cJSON_AddItemToObject(o, "cols", cols);
	contracts = contract_menu(r, req_field(r, "contract"));
	cJSON_AddItemToObject(o, "contracts", contracts);
	return o;
}

/* Read sample text[0..n) of the vendor into OUT *s; 0, or -1 after
 * answering with the vendor page and the refusal. */
static int sample_read(Req *r, const char *text, size_t n, ImportSample *s)
{
	char msg[ERR_MSG_MAX + 40];
	VendorView v = {0};
	FILE *f = fmemopen((void *)text, n, "r");
	Err e = {0};
	ClCode rc;

	memset(s, 0, sizeof *s);
	rc = f ? import_sample(r->db, r->param[0], f, field(r, "encoding"), s, &e)
	       : err_set(&e, CL_ENOMEM, "out of memory");
	if (f)
		fclose(f);
	if (!rc && s->ncols > SAMPLE_MAX_HEADERS)
		rc = err_set(&e, CL_EINPUT,
			     "the file has %d columns; a sample can have at most %d: delete the "
			     "columns the vendor never fills and try again",
			     s->ncols, SAMPLE_MAX_HEADERS);
	if (!rc)
		return 0;
	import_sample_free(s);
	if (e.code == CL_ENOTFOUND) {
		resp_error(r, 404, "there is no such vendor");
		return -1;
	}
	snprintf(msg, sizeof msg, "The sample could not be read: %s", e.msg);
	v.alert = msg;
	vendor_page(r, rc == CL_EINPUT ? 422 : 500, &v);
	return -1;
}

/* The upload as base64 text, read up to SAMPLE_MAX bytes and cut to its
 * whole rows.  OUT: *cut (bytes read when the file was longer, else 0).
 * Caller frees; NULL when out of memory or unreadable. */
static char *upload_base64(Req *r, size_t *cut)
{
	char *raw = malloc(SAMPLE_MAX + 1), *b64;
	size_t n = raw ? fread(raw, 1, SAMPLE_MAX + 1, r->upload) : 0, len;

	*cut = 0;
	if (!raw || ferror(r->upload)) {
		free(raw);
		return NULL;
	}
	if (n > SAMPLE_MAX) {
		n = whole_rows(raw, SAMPLE_MAX);
		*cut = SAMPLE_MAX;
	}
	len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(len);
	if (b64)
		sodium_bin2base64(b64, len, (const unsigned char *)raw, n,
				  sodium_base64_VARIANT_ORIGINAL);
	free(raw);
	return b64;
}

/* Base64 text b64 as bytes.  OUT: *n.  Caller frees; NULL when b64 is
 * empty or not base64. */
static char *sample_decode(const char *b64, size_t *n)
{
	size_t cap = strlen(b64) / 4 * 3 + 3;
	char *raw = *b64 ? malloc(cap) : NULL;

	if (raw && sodium_base642bin((unsigned char *)raw, cap, b64, strlen(b64), NULL, n, NULL,
				     sodium_base64_VARIANT_ORIGINAL) == 0)
		return raw;
	free(raw);
	return NULL;
}

int page_vendor_sample(Req *r)
{
	ImportSample s;
	VendorView v = {0};
	size_t cut, n;
	char *b64, *raw;

	if (!r->upload)
		return resp_error(r, 400, "Choose a CSV file: a sales report of the vendor's.");
	if (!(b64 = upload_base64(r, &cut)) || !(raw = sample_decode(b64, &n))) {
		free(b64);
		return resp_error(r, 422,
				  "The file is empty: choose a sales report of the vendor's.");
	}
	if (sample_read(r, raw, n, &s)) {
		free(raw);
		free(b64);
		return 0;
	}
	v.sample = sample_context(r, &s, NULL, -1, NULL, b64, r->upload_name, cut);
	free(raw);
	free(b64);
	import_sample_free(&s);
	return vendor_page(r, 200, &v);
}

/* The dry-run of sample text[0..n) for contract, as the imports page
 * shows it: {contract, refusal | dry_run | refused | already, result}.
 * Writes nothing.  Caller frees; NULL (e set) when it failed here. */
static cJSON *sample_check(Req *r, const char *text, size_t n, const char *contract, Err *e)
{
	static const char *const names[] = {"written", "refused", "dry_run", "already"};
	char actor[300];
	ImportOptions io = {0};
	ImportStatus st;
	ImportResult res;
	FILE *f = fmemopen((void *)text, n, "r");
	cJSON *o, *result;
	ClCode rc;

	if (!f) {
		err_set(e, CL_ENOMEM, "out of memory");
		return NULL;
	}
	io.contract = contract;
	io.dry_run = 1;
	io.encoding = *field(r, "encoding") ? field(r, "encoding") : NULL;
	io.file_name = "sample";
	io.today = r->today;
	io.actor = req_actor(r, actor, sizeof actor);
	rc = import_csv(r->db, f, &io, &res, &st, e);
	fclose(f);
	if (rc == CL_EDB || rc == CL_ENOMEM || rc == CL_EIO) {
		import_result_free(&res);
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "contract", contract);
	if (rc) {
		cJSON_AddStringToObject(o, "refusal", e->msg);
	} else {
		cJSON_AddBoolToObject(o, names[st], 1);
		result = encode_import_result(&res, ENC_PAGE);
		encode_import_where(cJSON_GetObjectItem(result, "errors"), &res);
		cJSON_AddItemToObject(o, "result", result);
	}
	import_result_free(&res);
	return o;
}

/* 1 if contract is one of the vendor's (the page's :code). */
static int vendor_has_contract(Req *r, const char *contract)
{
	cJSON *list = contract_menu(r, contract), *o;
	int found = 0;

	cJSON_ArrayForEach(o, list) found |= cJSON_IsTrue(cJSON_GetObjectItem(o, "selected"));
	cJSON_Delete(list);
	return found;
}

/* Save the mapping chosen on sample s (its text[0..n)), then check the
 * sample with it; answer the vendor page either way. */
static int map_and_check(Req *r, const ImportSample *s, const char *text, size_t n)
{
	const char *headers[CSVIN_MAX_FIELDS], *choices[CSVIN_MAX_FIELDS];
	const char *contract = field(r, "contract");
	char actor[300], name[16], msg[ERR_MSG_MAX + 40];
	VendorView v = {0};
	Err e = {0};
	int i, bad = -1;

	for (i = 0; i < s->ncols; i++) {
		snprintf(name, sizeof name, "col_%d", i);
		headers[i] = s->cols[i].header;
		choices[i] = field(r, name);
	}
	if (*contract && !vendor_has_contract(r, contract))
		err_set(&e, CL_EINPUT, "contract %s is not one of this vendor's", contract);
	else if (import_map_save(r->db, r->param[0], s->ncols, headers, choices, 1,
				 req_actor(r, actor, sizeof actor), &bad, &e) == CL_OK)
		e.code = CL_OK;
	v.sample = sample_context(r, s, choices, bad, e.msg, field(r, "sample"),
				  field(r, "file_name"), 0);
	if (e.code) {
		snprintf(msg, sizeof msg, "Mapping not saved: %s", e.msg);
		v.alert = msg;
		return vendor_page(r, e.code == CL_EDB ? 500 : 422, &v);
	}
	v.notice = *contract ? "Mapping saved; the sample is checked below."
			     : "Mapping saved. The vendor has no contract to check the sample "
			       "against.";
	if (*contract && !(v.check = sample_check(r, text, n, contract, &e))) {
		view_free(&v);
		return resp_error(r, 500, "%s", e.msg);
	}
	return vendor_page(r, 200, &v);
}

int page_vendor_map(Req *r)
{
	ImportSample s;
	size_t n;
	char *raw = sample_decode(field(r, "sample"), &n);
	int rc;

	if (!raw)
		return resp_error(r, 400, "The sample is missing: read the sample file again.");
	if (sample_read(r, raw, n, &s)) {
		free(raw);
		return 0;
	}
	rc = map_and_check(r, &s, raw, n);
	import_sample_free(&s);
	free(raw);
	return rc;
}
