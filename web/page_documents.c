/* page_documents.c — a contract's documents on the web (DOMAIN.md section
 * 7): the Documents section of the contract page with its upload form and
 * public/staff-only switch, the file itself, and the API.
 *
 * Admins add documents and change who may read them, as they alone change
 * a contract's terms; finance reads them all.  A staff-only document is
 * 404 to anyone not staff, signed in or not; a public one is served to
 * everyone without sign-in, from the file on disk. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "document.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"

/* How long browsers and proxies may keep a public document: its URL names
 * its id, and its bytes never change. */
#define PUBLIC_MAX_AGE "public, max-age=86400"

static int is_staff(const Req *r)
{
	return r->signed_in && r->who.role <= ROLE_FINANCE;
}

/* The HTTP status of a refused document. */
static int refusal_status(ClCode rc)
{
	switch (rc) {
	case CL_ENOTFOUND:
		return 404;
	case CL_ECONFLICT:
		return 409;
	case CL_ENOMEM:
		return 413;
	case CL_EDB:
	case CL_EIO:
		return 500;
	default:
		return 400;
	}
}

/* The link of document id (file_name) of contract number into out. */
static void document_href(const char *number, int64_t id, const char *file_name, char *out,
			  size_t n)
{
	snprintf(out, n, "/contracts/%s/documents/%" PRId64 "/%s", number, id, file_name);
}

/* Row i of a document_list() as JSON: with_staff adds what staff see
 * (uploaded by whom and when, the SHA-256, public or not).  NULL when
 * memory runs out. */
static cJSON *document_json(const RowSet *rs, int i, const char *number, int with_staff)
{
	char href[400], size[32], sha_short[13];
	int64_t id = rowset_int(rs, i, "id"), bytes = rowset_int(rs, i, "size");
	const char *kind = rowset_text(rs, i, "kind"), *sha = rowset_text(rs, i, "sha256");
	cJSON *o = cJSON_CreateObject();

	document_href(number, id, rowset_text(rs, i, "file_name"), href, sizeof href);
	if (!o || !cJSON_AddNumberToObject(o, "id", (double)id) ||
	    !cJSON_AddStringToObject(o, "kind", kind) ||
	    !cJSON_AddStringToObject(o, "kind_words", document_kind_words(kind)) ||
	    !cJSON_AddStringToObject(o, "title", rowset_text(rs, i, "title")) ||
	    !cJSON_AddStringToObject(o, "file_name", rowset_text(rs, i, "file_name")) ||
	    !cJSON_AddNumberToObject(o, "size", (double)bytes) ||
	    !cJSON_AddStringToObject(o, "size_h", document_size_words(bytes, size, sizeof size)) ||
	    !cJSON_AddStringToObject(o, "href", href)) {
		cJSON_Delete(o);
		return NULL;
	}
	if (!with_staff)
		return o;
	snprintf(sha_short, sizeof sha_short, "%.12s", sha);
	if (!cJSON_AddStringToObject(o, "sha256", sha) ||
	    !cJSON_AddStringToObject(o, "sha_short", sha_short) ||
	    !cJSON_AddBoolToObject(o, "public", rowset_int(rs, i, "public")) ||
	    !cJSON_AddStringToObject(o, "uploaded_at", rowset_text(rs, i, "uploaded_at")) ||
	    !cJSON_AddStringToObject(o, "uploaded_by", rowset_text(rs, i, "uploaded_by"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The documents of number (public ones only unless with_staff) as a new
 * array the caller frees, or NULL with e set. */
static cJSON *documents_json(Req *r, const char *number, int with_staff, Err *e)
{
	RowSet rs;
	cJSON *a = NULL, *o;
	ClCode rc = document_list(r->db, number, !with_staff, &rs, e);
	int i;

	if (!rc && !(a = cJSON_CreateArray()))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0; !rc && i < rs.nrow; i++) {
		if (!(o = document_json(&rs, i, number, with_staff)))
			rc = err_set(e, CL_ENOMEM, "out of memory");
		else
			cJSON_AddItemToArray(a, o);
	}
	rowset_free(&rs);
	if (rc) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

int page_documents_public(Req *r, cJSON *ctx, const char *number, Err *e)
{
	cJSON *a = documents_json(r, number, 0, e);

	if (!a)
		return -1;
	cJSON_AddBoolToObject(ctx, "documents_any", cJSON_GetArraySize(a) > 0);
	cJSON_AddItemToObject(ctx, "documents", a);
	return 0;
}

/* The upload form: its fields as sent (or empty) and an empty "errors". */
static cJSON *upload_form(const char *kind, const char *title, int is_public)
{
	static const char *const kinds[] = {"solicitation", "award", "amendment", "price_list",
					    "other"};
	cJSON *form = cJSON_CreateObject(), *opts = cJSON_AddArrayToObject(form, "kinds");
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "value", kinds[i]);
		cJSON_AddStringToObject(o, "label", document_kind_words(kinds[i]));
		cJSON_AddBoolToObject(o, "selected", kind && strcmp(kind, kinds[i]) == 0);
		cJSON_AddItemToArray(opts, o);
	}
	cJSON_AddStringToObject(form, "title", title ? title : "");
	cJSON_AddBoolToObject(form, "public", is_public);
	cJSON_AddObjectToObject(form, "errors");
	return form;
}

int page_documents_add(Req *r, cJSON *ctx, const char *number, cJSON *form, Err *e)
{
	cJSON *a = documents_json(r, number, 1, e);

	if (!a) {
		cJSON_Delete(form);
		return -1;
	}
	cJSON_AddBoolToObject(ctx, "documents_any", cJSON_GetArraySize(a) > 0);
	cJSON_AddItemToObject(ctx, "documents", a);
	cJSON_AddItemToObject(ctx, "document_form", form ? form : upload_form(NULL, NULL, 0));
	return 0;
}

/* ---- adding one ---- */

/* Add the document in r->upload (else r->body) as described.  OUT: *id. */
static ClCode add_from_request(Req *r, DocumentIn *in, int64_t *id, Err *e)
{
	char actor[300];

	in->contract = r->param[0];
	in->actor = req_actor(r, actor, sizeof actor);
	if (r->upload)
		return document_add_file(r->db, in, r->upload, id, e);
	return document_add(r->db, in, r->body.data, r->body.len, id, e);
}

/* The field the refusal in e is about, for the form. */
static const char *refused_field(const Err *e)
{
	if (strncmp(e->msg, "kind:", 5) == 0)
		return "kind";
	if (strncmp(e->msg, "title:", 6) == 0)
		return "title";
	return "file";
}

int page_document_upload(Req *r)
{
	const char *kind = req_field(r, "kind"), *title = req_field(r, "title"), *pub;
	DocumentIn in = {0};
	char path[300], msg[300], alert[ERR_MSG_MAX + 80];
	cJSON *extra, *form;
	int64_t id;
	Err e = {0};
	ClCode rc;

	pub = req_field(r, "public");
	in.kind = kind ? kind : "";
	in.title = title ? title : "";
	in.is_public = pub && strcmp(pub, "1") == 0;
	in.file_name = r->upload_name;
	if (!r->upload)
		rc = err_set(&e, CL_EINPUT, "file: choose a PDF file to attach");
	else
		rc = add_from_request(r, &in, &id, &e);
	if (rc == CL_ENOTFOUND && strncmp(e.msg, "no contract", 11) == 0)
		return resp_error(r, 404, "there is no such contract");
	if (rc) {
		extra = cJSON_CreateObject();
		form = upload_form(in.kind, in.title, in.is_public);
		cJSON_AddStringToObject(cJSON_GetObjectItem(form, "errors"), refused_field(&e),
					e.msg);
		cJSON_AddItemToObject(extra, "document", form);
		snprintf(alert, sizeof alert, "No document was added: %s", e.msg);
		return contract_page(r, refusal_status(rc), extra, alert);
	}
	snprintf(path, sizeof path, "/contracts/%s", r->param[0]);
	snprintf(msg, sizeof msg, "Added the %s \"%.200s\" (%s).", document_kind_words(in.kind),
		 in.title, in.is_public ? "public" : "staff only");
	return pagekit_back_ok(r, path, msg);
}

/* POST /contracts/:number/documents/:id/visibility, public=1|0 */
int page_document_visibility(Req *r)
{
	const char *pub = req_field(r, "public");
	char path[300], actor[300], msg[120];
	long id;
	Err e = {0};
	ClCode rc;

	if (pagekit_field_int(r->param[1], 1, INT32_MAX, &id))
		return resp_error(r, 404, "there is no such document");
	if (!pub || (strcmp(pub, "1") != 0 && strcmp(pub, "0") != 0))
		return resp_error(r, 400, "public: send 1 (anyone may read it) or 0 (staff only)");
	rc = document_set_public(r->db, r->param[0], id, pub[0] == '1',
				 req_actor(r, actor, sizeof actor), &e);
	if (rc)
		return resp_error(r, refusal_status(rc), "%s", e.msg);
	snprintf(path, sizeof path, "/contracts/%s", r->param[0]);
	snprintf(msg, sizeof msg, "Document %ld is now %s.", id,
		 pub[0] == '1' ? "public" : "staff only");
	return pagekit_back_ok(r, path, msg);
}

/* ---- reading one ---- */

/* GET /contracts/:number/documents/:id/:filename: the PDF, to anyone when
 * public, else to staff; 404 otherwise, as for no such document. */
int page_document_file(Req *r)
{
	const char *match = req_header(r, "If-None-Match");
	char etag[80];
	struct stat st;
	Document d;
	long id;
	int fd;
	Err e = {0};
	ClCode rc;

	if (pagekit_field_int(r->param[1], 1, INT32_MAX, &id))
		return resp_error(r, 404, "there is no such document");
	rc = document_get(r->db, r->param[0], id, &d, &e);
	if (rc == CL_ENOTFOUND || (!rc && !d.is_public && !is_staff(r)) ||
	    (!rc && strcmp(d.file_name, r->param[2]) != 0))
		return resp_error(r, 404, "there is no such document");
	if (rc)
		return resp_error(r, 500, "%s", e.msg);
	snprintf(etag, sizeof etag, "\"%s\"", d.sha256);
	if (match && strstr(match, etag)) { /* the reader's copy is these bytes */
		resp_text(r, 304, "application/pdf", strdup(""), NULL);
	} else {
		if ((fd = open(d.path, O_RDONLY | O_CLOEXEC)) < 0)
			return resp_error(r, 500, "document %ld cannot be read: %s", id,
					  strerror(errno));
		if (fstat(fd, &st) || (int64_t)st.st_size != d.size) {
			close(fd);
			return resp_error(r, 500, "document %ld on disk is not the one recorded",
					  id);
		}
		resp_file(r, fd, (size_t)st.st_size, "application/pdf", d.file_name);
	}
	snprintf(r->resp.etag, sizeof r->resp.etag, "%s", etag);
	r->resp.cache = d.is_public ? PUBLIC_MAX_AGE : "private, no-store";
	return 0;
}

/* ---- the API ---- */

/* GET /api/v1/contracts/:number/documents: all for staff, the public ones
 * for anyone else. */
int api_documents(Req *r)
{
	cJSON *o, *a;
	Err e = {0};

	a = documents_json(r, r->param[0], is_staff(r), &e);
	if (!a)
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 500, "%s", e.msg);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "contract", r->param[0]);
	cJSON_AddItemToObject(o, "documents", a);
	return resp_json(r, 200, o);
}

/* POST /api/v1/contracts/:number/documents?kind=&title=&public=1 with
 * the PDF as the body (Content-Type: application/pdf). */
int api_document_add(Req *r)
{
	const char *type = req_header(r, "Content-Type"), *pub = req_query(r, "public");
	DocumentIn in = {0};
	RowSet rs;
	cJSON *o = NULL;
	int64_t id;
	int i;
	Err e = {0};
	ClCode rc;

	if (!type || strncmp(type, "application/pdf", 15) != 0)
		return resp_error(r, 415,
				  "send the PDF as the body with Content-Type: "
				  "application/pdf");
	in.kind = req_query(r, "kind");
	in.title = req_query(r, "title");
	in.file_name = req_query(r, "filename");
	in.is_public = pub && strcmp(pub, "1") == 0;
	if ((rc = add_from_request(r, &in, &id, &e)))
		return resp_error(r, refusal_status(rc), "%s", e.msg);
	rc = document_list(r->db, r->param[0], 0, &rs, &e);
	for (i = 0; !rc && i < rs.nrow && !o; i++)
		if (rowset_int(&rs, i, "id") == id)
			o = document_json(&rs, i, r->param[0], 1);
	rowset_free(&rs);
	if (rc)
		return resp_error(r, 500, "%s", e.msg);
	if (!o)
		return resp_error(r, 500, "out of memory");
	return resp_json(r, 201, o);
}
