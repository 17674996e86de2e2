/* page_registers.c — members' purchase registers on the web (DOMAIN.md
 * 4.7): POST /api/v1/contracts/:number/registers, the upload page of a
 * contract's registers (a member's own, or staff's for any participant),
 * the result of an upload, the reversal of a batch, and a member's POs
 * with their completeness statuses in words. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "completeness.h"
#include "contract.h"
#include "encode_import.h"
#include "handlers.h"
#include "pagekit.h"
#include "pages.h"
#include "participant.h"
#include "register.h"
#include "render.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* ---- the import, shared by the API and the form ---- */

/* The HTTP status of a refused register import's error. */
static int refusal_status(ClCode rc)
{
	switch (rc) {
	case CL_ENOTFOUND:
		return 404;
	case CL_ECONFLICT:
	case CL_ERULE:
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

/* ?name=1 (or true, yes) */
static int query_flag(Req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

/* The options of an import by the caller into contract number: a
 * member's rows are its own agency's; staff name an agency for the whole
 * file or give each row's agency_code.  OUT: *o (its strings borrowed
 * from r and agency). */
static void caller_options(Req *r, const char *number, const char *agency, char *actor, size_t n,
			   RegisterOptions *o)
{
	memset(o, 0, sizeof *o);
	o->contract = number;
	o->agency = agency && *agency ? agency : NULL;
	o->member_agency = r->who.role == ROLE_MEMBER ? r->who.agency : NULL;
	o->actor = req_actor(r, actor, n);
}

/* 201 written, 422 refused for its rows, else 200 (a dry run, a file
 * imported before). */
static int result_status(ImportStatus st)
{
	return st == IMPORT_WRITTEN ? 201 : st == IMPORT_REFUSED ? 422 : 200;
}

int api_registers(Req *r)
{
	const char *number = r->param[0], *agency = req_query(r, "agency");
	const char *type = req_header(r, "Content-Type");
	char actor[300];
	RegisterOptions o;
	RegisterResult res;
	ImportStatus st;
	cJSON *out;
	FILE *f;
	Err e = {0};
	ClCode rc;

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "no such contract");
	/* a member sends its own agency's register only */
	if (r->who.role == ROLE_MEMBER && agency && *agency && strcmp(agency, r->who.agency) != 0)
		return resp_error(r, 404, "no such agency");
	/* a CSV or .xlsx body is in a temporary file (server.c), anything
	 * else in memory */
	f = r->upload ? r->upload
		      : fmemopen(r->body.data ? r->body.data : (char *)"", r->body.len, "r");
	if (!f)
		return resp_error(r, 400,
				  "the body is empty: send the register as text/csv or as an "
				  "Excel workbook (" XLSX_TYPE ")");
	caller_options(r, number, agency, actor, sizeof actor, &o);
	o.dry_run = query_flag(r, "dry_run");
	o.skip_invalid = query_flag(r, "skip_invalid");
	o.encoding = req_query(r, "encoding");
	o.sheet = req_query(r, "sheet");
	o.file_name = req_query(r, "file_name");
	if (!o.file_name)
		o.file_name = type && strncasecmp(type, XLSX_TYPE, strlen(XLSX_TYPE)) == 0
				      ? "api-upload.xlsx"
				      : "api-upload.csv";
	rc = register_import(r->db, f, &o, &res, &st, &e);
	if (f != r->upload)
		fclose(f);
	if (rc) {
		register_result_free(&res);
		return resp_error(r, refusal_status(rc), "%s", e.msg[0] ? e.msg : "failed");
	}
	out = encode_register_result(&res, ENC_DATA);
	register_result_free(&res);
	return resp_json(r, result_status(st), out);
}

/* ---- a member's POs and their statuses ---- */

/* What a status means to the member whose PO it is, into buf (size n). */
static const char *status_words(const CompletenessPo *p, char *buf, size_t n)
{
	char m[MONEY_BUF], day[DATE_BUF];

	switch (p->status) {
	case CS_PENDING:
		snprintf(buf, n, "not yet reported — the vendor's report for this period is due %s",
			 date_format(p->pending_until, day));
		break;
	case CS_REPORTED:
		snprintf(buf, n, "reported");
		break;
	case CS_UNDER_REPORTED:
		snprintf(buf, n, "reported short by %s", money_format_human(p->gap, m));
		break;
	case CS_OVER_REPORTED:
		snprintf(buf, n, "reported above your amount");
		break;
	default:
		snprintf(buf, n, "not reported");
		break;
	}
	return buf;
}

/* One PO for a page. */
static cJSON *po_json(const CompletenessPo *p)
{
	char day[DATE_BUF], words[200];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "po_number", p->po_number);
	cJSON_AddStringToObject(o, "po_date", date_format(p->po_date, day));
	encode_money(o, "register_amount", p->register_amount, ENC_PAGE);
	encode_money(o, "reported_amount", p->reported_amount, ENC_PAGE);
	cJSON_AddStringToObject(o, "status", completeness_status_name(p->status));
	cJSON_AddStringToObject(o, "status_words", status_words(p, words, sizeof words));
	cJSON_AddBoolToObject(o, "attention",
			      p->status == CS_UNREPORTED || p->status == CS_UNDER_REPORTED);
	return o;
}

/* "3 purchase orders registered: 1 reported, 1 not yet reported, 1 not
 * reported." from the counts by status, into buf (size n). */
static const char *summary_words(const int *count, int total, char *buf, size_t n)
{
	static const struct {
		CompletenessStatus s;
		const char *words;
	} order[] = {{CS_REPORTED, "reported"},
		     {CS_PENDING, "not yet reported"},
		     {CS_UNDER_REPORTED, "reported short"},
		     {CS_OVER_REPORTED, "reported above your amount"},
		     {CS_UNREPORTED, "not reported"}};
	size_t used;
	int i, first = 1;

	if (!total) {
		snprintf(buf, n, "You have sent us no purchase orders for this contract yet.");
		return buf;
	}
	snprintf(buf, n, "%d purchase order%s registered", total, total == 1 ? "" : "s");
	for (i = 0; i < (int)(sizeof order / sizeof order[0]); i++) {
		if (!count[order[i].s])
			continue;
		used = strlen(buf);
		snprintf(buf + used, n - used, "%s%d %s", first ? ": " : ", ", count[order[i].s],
			 order[i].words);
		first = 0;
	}
	used = strlen(buf);
	snprintf(buf + used, n - used, ".");
	return buf;
}

int registers_member_pos(Req *r, const char *number, int keep, cJSON *into, Err *e)
{
	int count[CS__MAX] = {0}, total = 0, i;
	char summary[300];
	CompletenessReport rep;
	cJSON *pos;

	if (completeness_report_of(r->db, number, NULL, r->who.agency, r->today, &rep, e)) {
		completeness_report_free(&rep);
		return -1;
	}
	pos = cJSON_AddArrayToObject(into, "pos");
	/* the caller's own POs by date: newest first */
	for (i = rep.npo - 1; i >= 0; i--) {
		const CompletenessPo *p = &rep.po[i];

		count[p->status]++;
		if (!keep || total < keep)
			cJSON_AddItemToArray(pos, po_json(p));
		total++;
	}
	completeness_report_free(&rep);
	cJSON_AddNumberToObject(into, "po_count", total);
	cJSON_AddBoolToObject(into, "more", keep && total > keep);
	cJSON_AddNumberToObject(into, "shown", keep && total > keep ? keep : total);
	cJSON_AddStringToObject(into, "summary",
				summary_words(count, total, summary, sizeof summary));
	return 0;
}

/* ---- the page ---- */

/* The contract's participants as agency choices: [{code, name}]. */
static ClCode add_agency_choices(Req *r, cJSON *ctx, const char *number, Err *e)
{
	RowSet rs;
	cJSON *list;
	ClCode rc = participant_list(r->db, number, r->today, &rs, e);
	int i;

	if (!rc) {
		list = cJSON_AddArrayToObject(ctx, "agencies");
		for (i = 0; i < rs.nrow; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "code", rowset_text(&rs, i, "code"));
			cJSON_AddStringToObject(o, "name", rowset_text(&rs, i, "name"));
			cJSON_AddItemToArray(list, o);
		}
	}
	rowset_free(&rs);
	return rc;
}

/* The register batches the caller may see into ctx "batches": staff all
 * of them, a member those of its own agency alone (never a staff file
 * that mixes agencies, whose counts and total are not only its own). */
static ClCode add_batches(Req *r, cJSON *ctx, const char *number, Err *e)
{
	int member = r->who.role == ROLE_MEMBER;
	RowSet rs;
	cJSON *list, *o, *next;
	ClCode rc = register_batches(r->db, number, member ? r->who.agency : NULL, &rs, e);
	int i = 0;

	if (rc) {
		rowset_free(&rs);
		return rc;
	}
	list = encode_register_batches(&rs, ENC_PAGE);
	for (o = list ? list->child : NULL; o; o = next, i++) {
		char when[17];

		next = o->next;
		if (member && strcmp(rowset_text(&rs, i, "agency"), r->who.agency) != 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, o));
			continue;
		}
		snprintf(when, sizeof when, "%s", rowset_text(&rs, i, "created_at"));
		if (strlen(when) > 10)
			when[10] = ' ';
		cJSON_AddStringToObject(o, "imported", when);
	}
	rowset_free(&rs);
	cJSON_AddItemToObject(ctx, "batches", list);
	return CL_OK;
}

/* The page's context: the contract, and for a member its own POs. */
static cJSON *registers_ctx(Req *r, const char *number, const char *title, Err *e)
{
	Terms t = {0};
	cJSON *ctx;

	if (contract_load(r->db, number, NULL, &t, e))
		return NULL;
	ctx = pagekit_ctx(r, title);
	cJSON_AddStringToObject(ctx, "contract", number);
	cJSON_AddStringToObject(ctx, "contract_title", t.title);
	cJSON_AddBoolToObject(ctx, "member", r->who.role == ROLE_MEMBER);
	return ctx;
}

int page_registers(Req *r)
{
	const char *number = r->param[0];
	int member = r->who.role == ROLE_MEMBER;
	cJSON *ctx;
	Err e = {0};
	int failed;

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no such contract");
	ctx = registers_ctx(r, number,
			    member ? "Send us your purchase orders" : "Purchase registers", &e);
	if (!ctx)
		return resp_error(r, 500, "%s", e.msg);
	failed = add_batches(r, ctx, number, &e) != CL_OK;
	if (!failed && member)
		failed = registers_member_pos(r, number, 0, ctx, &e) != 0;
	else if (!failed)
		failed = add_agency_choices(r, ctx, number, &e) != CL_OK;
	if (failed) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	return render_page(r, 200, "registers", ctx);
}

/* The header row of a register: a template to fill in; staff's carries
 * each row's agency_code. */
int page_register_template(Req *r)
{
	const char *head = r->who.role == ROLE_MEMBER
				   ? "po_number,po_date,amount,description\r\n"
				   : "agency_code,po_number,po_date,amount,description\r\n";
	char *text;

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	if (!(text = strdup(head)))
		return resp_error(r, 500, "out of memory");
	return resp_text(r, 200, "text/csv; charset=utf-8", text, "purchase-register-template.csv");
}

/* The result of an upload: what was written or why not. */
static int show_result(Req *r, cJSON *ctx, ClCode rc, const RegisterResult *res, ImportStatus st,
		       const Err *e)
{
	static const char *const names[] = {"written", "refused", "dry_run", "already"};
	cJSON *result;

	if (rc == CL_EDB || rc == CL_ENOMEM || rc == CL_EIO) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e->msg);
	}
	if (rc) { /* refused as a whole */
		cJSON_AddStringToObject(ctx, "refusal", e->msg);
		return render_page(r, 422, "register_result", ctx);
	}
	cJSON_AddBoolToObject(ctx, names[st], 1);
	result = encode_register_result(res, ENC_PAGE);
	encode_import_where(cJSON_GetObjectItem(result, "errors"), &res->base);
	cJSON_AddItemToObject(ctx, "result", result);
	return render_page(r, st == IMPORT_REFUSED ? 422 : 200, "register_result", ctx);
}

int page_register_upload(Req *r)
{
	const char *number = r->param[0], *agency = req_field(r, "agency");
	char actor[300], name[260];
	RegisterOptions o;
	RegisterResult res;
	ImportStatus st = IMPORT_REFUSED;
	cJSON *ctx;
	Err e = {0};
	ClCode rc;
	int status;

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no such contract");
	if (!r->upload)
		return resp_error(r, 400, "Choose a CSV or Excel (.xlsx) file to upload.");
	snprintf(name, sizeof name, "%.250s", r->upload_name[0] ? r->upload_name : "upload.csv");
	if (r->who.role == ROLE_MEMBER)
		agency = NULL; /* a member's file is its own agency's */
	caller_options(r, number, agency, actor, sizeof actor, &o);
	o.dry_run = req_field(r, "dry_run") != NULL;
	o.skip_invalid = req_field(r, "skip_invalid") != NULL;
	o.file_name = name;
	if (!(ctx = registers_ctx(r, number, "Purchase register", &e)))
		return resp_error(r, 500, "%s", e.msg);
	cJSON_AddStringToObject(ctx, "file_name", name);
	if (o.agency)
		cJSON_AddStringToObject(ctx, "agency", o.agency);
	rc = register_import(r->db, r->upload, &o, &res, &st, &e);
	status = show_result(r, ctx, rc, &res, st, &e);
	register_result_free(&res);
	return status;
}

/* 1 when batch is one of contract number's register batches. */
static int batch_of_contract(Req *r, const char *number, long batch)
{
	RowSet rs;
	Err e = {0};
	int i, found = 0;

	if (register_batches(r->db, number, NULL, &rs, &e) == CL_OK)
		for (i = 0; i < rs.nrow && !found; i++)
			found = rowset_int(&rs, i, "batch") == batch;
	rowset_free(&rs);
	return found;
}

int page_register_reverse(Req *r)
{
	const char *number = r->param[0];
	char actor[300], back[300], msg[ERR_MSG_MAX + 60];
	long id;
	Err e = {0};

	if (!may_see_contract(r, number) || pagekit_field_int(r->param[1], 1, 1L << 50, &id) ||
	    !batch_of_contract(r, number, id))
		return resp_error(r, 404, "there is no such register batch");
	snprintf(back, sizeof back, "/contracts/%s/registers", number);
	if (register_reverse(r->db, id, req_field(r, "reason"), req_actor(r, actor, sizeof actor),
			     &e)) {
		snprintf(msg, sizeof msg, "Not reversed: %s", e.msg);
		return pagekit_back_err(r, back, msg);
	}
	snprintf(msg, sizeof msg,
		 "Register batch %ld reversed: its purchase orders no longer count, and the "
		 "same file may be imported again.",
		 id);
	return pagekit_back_ok(r, back, msg);
}
