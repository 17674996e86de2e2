/* page_imports.c — sales reports: the batches, uploads checked then imported, reversals. */
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvout.h"
#include "encode_import.h"
#include "handlers.h"
#include "import.h"
#include "ledger.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "server.h"

/* The contract's batches into ctx, their money in page form. */
static ClCode add_batches(Req *r, cJSON *ctx, const char *contract, Err *e)
{
	RowSet rs;
	ClCode rc = import_batches(r->db, contract, &rs, e);

	if (!rc)
		cJSON_AddItemToObject(ctx, "batches", encode_import_batches(&rs, ENC_PAGE));
	rowset_free(&rs);
	return rc;
}

/* The contract choices with the active contracts first, each group by
 * number as it came; each marked "active".  Takes list. */
static cJSON *active_first(cJSON *list)
{
	cJSON *sorted = cJSON_CreateArray(), *o;
	const char *st;
	int pass, i, active;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < cJSON_GetArraySize(list); i++) {
			o = cJSON_GetArrayItem(list, i);
			st = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
			active = st && strcmp(st, "active") == 0;
			if (active == (pass == 0))
				cJSON_AddItemToArray(sorted, cJSON_Duplicate(o, 1));
		}
	cJSON_ArrayForEach(o, sorted)
	{
		st = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
		cJSON_AddBoolToObject(o, "active", st && strcmp(st, "active") == 0);
	}
	cJSON_Delete(list);
	return sorted;
}

/* The canonical columns of a sales report (DOMAIN.md section 5) into
 * ctx: "required" and "optional" [{name}]. */
static void add_columns(cJSON *ctx)
{
	cJSON *req = cJSON_AddArrayToObject(ctx, "required_columns"),
	      *opt = cJSON_AddArrayToObject(ctx, "optional_columns"), *o;
	const char *name;
	int i, required;

	for (i = 0; (name = import_column(i, &required)); i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddItemToArray(required ? req : opt, o);
	}
}

/* The header row of a sales report with every canonical column, the
 * required ones first: a template to fill in. */
int page_import_template(Req *r)
{
	char text[400] = "";
	const char *name;
	size_t used;
	int i, required;

	for (i = 0; (name = import_column(i, &required)); i++) {
		used = strlen(text);
		snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "", name);
	}
	used = strlen(text);
	snprintf(text + used, sizeof text - used, "\r\n");
	resp_text(r, 200, "text/csv; charset=utf-8", strdup(text), "sales-report-template.csv");
	return 0;
}

int page_imports(Req *r)
{
	const char *contract = req_query(r, "contract");
	cJSON *ctx, *list;
	Err e = {0};

	if (!(list = pagekit_contract_choices(r, contract, &e)))
		return resp_error(r, 500, "%s", e.msg);
	list = active_first(list);
	ctx = pagekit_ctx(r, "Sales reports");
	add_columns(ctx);

	if (!contract && cJSON_GetArraySize(list) > 0)
		contract = cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "number")->valuestring;
	if (contract && !may_see_contract(r, contract)) {
		cJSON_Delete(list);
		cJSON_Delete(ctx);
		return resp_error(r, 404, "there is no such contract");
	}
	cJSON_AddItemToObject(ctx, "contracts", list);
	if (contract) {
		cJSON_AddStringToObject(ctx, "contract", contract);
		if (add_batches(r, ctx, contract, &e)) {
			cJSON_Delete(ctx);
			return resp_error(r, 500, "%s", e.msg);
		}
	}
	cJSON_AddBoolToObject(ctx, "can_reverse", r->who.role == ROLE_ADMIN);
	/* finance reads the batches; admin and vendors upload */
	cJSON_AddBoolToObject(ctx, "can_upload", r->who.role != ROLE_FINANCE);
	return render_page(r, 200, "imports", ctx);
}

/* Where checked uploads wait for their "import" click: ID.csv, and
 * ID.json with what it was checked for. */
static void stash_path(const char *id, char *path, size_t n)
{
	snprintf(path, n, "%s.uploads/%s.csv", server_config()->db_path, id);
}

static void stash_meta_path(const char *id, char *path, size_t n)
{
	snprintf(path, n, "%s.uploads/%s.json", server_config()->db_path, id);
}

/* A form field, "" when absent. */
static const char *field_or_empty(Req *r, const char *name)
{
	const char *v = req_field(r, name);

	return v ? v : "";
}

/* The choices an upload is checked with, which its import must repeat:
 * {user, contract, period, encoding, skip_invalid}.  Caller frees. */
static cJSON *upload_choices(Req *r, const char *contract)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "user", (double)r->who.user_id);
	cJSON_AddStringToObject(o, "contract", contract);
	cJSON_AddStringToObject(o, "period", field_or_empty(r, "period"));
	cJSON_AddStringToObject(o, "encoding", field_or_empty(r, "encoding"));
	cJSON_AddBoolToObject(o, "skip_invalid", req_field(r, "skip_invalid") != NULL);
	return o;
}

/* Bind stashed upload id to the user and choices of this check. */
static int stash_bind(Req *r, const char *id, const char *contract)
{
	cJSON *o = upload_choices(r, contract);
	char path[600], *text = cJSON_PrintUnformatted(o);
	FILE *f;
	int fd, rc = -1;

	stash_meta_path(id, path, sizeof path);
	fd = text ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
	if (fd >= 0 && (f = fdopen(fd, "wb"))) {
		rc = fputs(text, f) < 0 ? -1 : 0;
		rc |= fclose(f);
	} else if (fd >= 0) {
		close(fd);
	}
	free(text);
	cJSON_Delete(o);
	return rc;
}

/* What stashed upload id was checked for, or NULL (caller frees). */
static cJSON *stash_choices(const char *id)
{
	char path[600], text[4096];
	size_t n = 0;
	FILE *f;

	stash_meta_path(id, path, sizeof path);
	if (!(f = fopen(path, "rb")))
		return NULL;
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	return cJSON_Parse(text);
}

/* Remove stashed upload id and its choices. */
static void stash_remove(const char *id)
{
	char path[600];

	stash_path(id, path, sizeof path);
	unlink(path);
	stash_meta_path(id, path, sizeof path);
	unlink(path);
}

/* The import of a checked upload must be the one that was checked: the
 * same user, contract, quarter, encoding and skip choice.  Returns 0, or
 * -1 after answering 409 with what the file was checked for. */
static int stash_same_or_409(Req *r, const char *id, const char *contract)
{
	cJSON *was = stash_choices(id), *now = upload_choices(r, contract);
	const cJSON *user = cJSON_GetObjectItem(was, "user");
	const char *period;
	int same;

	/* "Import the good rows" of a file checked all-or-nothing */
	if (was && req_field(r, "good_rows") && req_field(r, "skip_invalid"))
		cJSON_ReplaceItemInObject(was, "skip_invalid", cJSON_CreateTrue());
	same = was && cJSON_Compare(was, now, 1);

	if (!same && was && (!cJSON_IsNumber(user) || (int64_t)user->valuedouble != r->who.user_id))
		resp_error(r, 409, "This file was checked by someone else: upload it again.");
	else if (!same && was) {
		period = cJSON_GetStringValue(cJSON_GetObjectItem(was, "period"));
		resp_error(r, 409,
			   "This file was checked for contract %.100s%s%.20s, and can be imported "
			   "only "
			   "as it was checked: upload it again and check it for what you want to "
			   "import.",
			   cJSON_GetStringValue(cJSON_GetObjectItem(was, "contract")),
			   period && *period ? ", quarter " : "", period ? period : "");
	} else if (!same)
		resp_error(r, 410, "That upload is gone: choose the file again.");
	cJSON_Delete(was);
	cJSON_Delete(now);
	return same ? 0 : -1;
}

/* Checked uploads wait at most a day for their import; the folder holds
 * at most STASH_MAX_FILES of them and STASH_MAX_BYTES in all. */
#define STASH_MAX_AGE	((time_t)24 * 60 * 60)
#define STASH_MAX_FILES 200
#define STASH_MAX_BYTES ((off_t)2 << 30)

/* Remove stashed files older than STASH_MAX_AGE; OUT: how many files and
 * bytes are left.  Returns 0, or -1 when the folder cannot be read. */
static int stash_sweep(const char *dir, time_t now, int *files, off_t *bytes)
{
	char path[1200];
	struct dirent *d;
	struct stat st;
	DIR *dp = opendir(dir);

	*files = 0;
	*bytes = 0;
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (now - st.st_mtime > STASH_MAX_AGE) {
			unlink(path);
			continue;
		}
		(*files)++;
		*bytes += st.st_size;
	}
	closedir(dp);
	return 0;
}

/* Keep the uploaded file under a fresh random id, readable by this user
 * only.  OUT: id (33 bytes).  Returns 0, -1 on failure, -2 when the
 * folder is full. */
static int stash_upload(Req *r, char *id)
{
	unsigned char raw[16];
	char path[600], dir[560], chunk[8192];
	off_t bytes;
	size_t n;
	int fd, files, failed = 0;
	FILE *out;

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(id, 33, raw, sizeof raw);
	snprintf(dir, sizeof dir, "%s.uploads", server_config()->db_path);
	mkdir(dir, 0700);
	if (stash_sweep(dir, time(NULL), &files, &bytes))
		return -1;
	if (files + 2 > STASH_MAX_FILES || bytes > STASH_MAX_BYTES)
		return -2;
	stash_path(id, path, sizeof path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || !(out = fdopen(fd, "wb"))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (!failed && (n = fread(chunk, 1, sizeof chunk, r->upload)) > 0)
		failed = fwrite(chunk, 1, n, out) != n;
	failed |= ferror(r->upload) != 0;
	if (fclose(out) || failed) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* The stashed file of id (32 hex digits), or NULL. */
static FILE *stash_open(const char *id)
{
	char path[600];
	size_t i;

	if (!id || strlen(id) != 32)
		return NULL;
	for (i = 0; i < 32; i++)
		if (!strchr("0123456789abcdef", id[i]))
			return NULL;
	stash_path(id, path, sizeof path);
	return fopen(path, "rb");
}

/* 1 when an import failed on our side (the database, memory, reading
 * the stash) rather than for what the file holds. */
static int import_failed_here(ClCode rc)
{
	return rc == CL_EDB || rc == CL_ENOMEM || rc == CL_EIO;
}

/* Run the import of f as the form asks; render the result page. */
static int import_and_show(Req *r, FILE *f, const char *contract, int dry_run,
			   const char *upload_id, const char *file_name)
{
	static const char *const names[] = {"written", "refused", "dry_run", "already"};
	char actor[300];
	ImportOptions io = {0};
	ImportStatus st;
	ImportResult res;
	cJSON *ctx, *result;
	Err e = {0};
	ClCode rc;

	io.contract = contract;
	io.period =
		req_field(r, "period") && *req_field(r, "period") ? req_field(r, "period") : NULL;
	io.dry_run = dry_run;
	io.skip_invalid = req_field(r, "skip_invalid") != NULL;
	io.encoding = req_field(r, "encoding") && *req_field(r, "encoding")
			      ? req_field(r, "encoding")
			      : NULL;
	io.file_name = file_name;
	io.today = r->today;
	io.actor = req_actor(r, actor, sizeof actor);
	ctx = pagekit_ctx(r, "Sales report");
	cJSON_AddStringToObject(ctx, "contract", contract);
	if (io.period) {
		Quarter q;

		cJSON_AddStringToObject(ctx, "period", io.period);
		if (quarter_parse(io.period, &q, NULL) == CL_OK &&
		    r->today <= quarter_last_day(q)) {
			char qt[QUARTER_BUF], last[DATE_BUF], note[120];

			snprintf(note, sizeof note,
				 "%s has not ended: this report will be final only after %s",
				 quarter_format(q, qt), date_format(quarter_last_day(q), last));
			cJSON_AddStringToObject(ctx, "not_ended", note);
		}
	}
	cJSON_AddStringToObject(ctx, "file_name", file_name);
	cJSON_AddBoolToObject(ctx, "skip_invalid", io.skip_invalid);
	cJSON_AddStringToObject(ctx, "encoding", io.encoding ? io.encoding : "");
	if ((rc = import_csv(r->db, f, &io, &res, &st, &e))) {
		/* refused as a whole: there is nothing to import or fix later */
		import_result_free(&res);
		if (upload_id)
			stash_remove(upload_id);
		if (import_failed_here(rc)) {
			cJSON_Delete(ctx);
			return resp_error(r, 500, "%s", e.msg);
		}
		cJSON_AddStringToObject(ctx, "refusal", e.msg);
		return render_page(r, 422, "import_result", ctx);
	}
	cJSON_AddBoolToObject(ctx, names[st], 1);
	if (st == IMPORT_DRY_RUN && upload_id)
		cJSON_AddStringToObject(ctx, "upload_id", upload_id);
	if (dry_run && upload_id) /* the stash stays: its rows to fix as CSV */
		cJSON_AddStringToObject(ctx, "checked_id", upload_id);
	result = encode_import_result(&res, ENC_PAGE);
	encode_import_where(cJSON_GetObjectItem(result, "errors"), &res);
	cJSON_AddItemToObject(ctx, "result", result);
	/* a checked file with bad rows may still import its good ones */
	if (dry_run && upload_id && !io.skip_invalid && res.rejected > 0 && res.accepted > 0)
		cJSON_AddBoolToObject(ctx, "good_rows", 1);
	import_result_free(&res);
	return render_page(r, st == IMPORT_REFUSED ? 422 : 200, "import_result", ctx);
}

int page_import_upload(Req *r)
{
	const char *contract = req_field(r, "contract"), *mode = req_field(r, "mode");
	const char *upload_id = req_field(r, "upload_id");
	static const char zero[] = "agency_code,po_number,invoice_number,invoice_date,list_amount,"
				   "invoiced_amount\r\n";
	char id[33], name[260];
	FILE *f = NULL;
	int rc;

	if (!contract || !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	if (r->who.role != ROLE_ADMIN && r->who.role != ROLE_VENDOR)
		return resp_error(r, 404, "there is no such page");
	mode = mode ? mode : "check";
	if (strcmp(mode, "zero") == 0) {
		f = fmemopen((void *)zero, sizeof zero - 1, "r");
		rc = f ? import_and_show(r, f, contract, 0, NULL, "zero report") : 0;
	} else if (upload_id) {
		f = stash_open(upload_id);
		if (!f)
			return resp_error(r, 410, "That upload is gone: choose the file again.");
		if (stash_same_or_409(r, upload_id, contract)) {
			fclose(f);
			return 0;
		}
		snprintf(name, sizeof name, "%.250s",
			 req_field(r, "file_name") ? req_field(r, "file_name") : "upload.csv");
		rc = import_and_show(r, f, contract, 0, NULL, name);
		stash_remove(upload_id);
	} else {
		int check = strcmp(mode, "import") != 0;

		if (!r->upload)
			return resp_error(r, 400, "Choose a CSV file to upload.");
		if ((rc = stash_upload(r, id)) == -2)
			return resp_error(r, 503,
					  "Too many checked files are waiting to be imported: "
					  "import or leave them, and try again later.");
		if (rc || (check && stash_bind(r, id, contract)) || !(f = stash_open(id))) {
			stash_remove(id);
			return resp_error(r, 500, "the upload could not be kept");
		}
		rc = import_and_show(r, f, contract, check, id, r->upload_name);
		if (!check)
			stash_remove(id);
	}
	if (f)
		fclose(f);
	return rc;
}

int page_import_errors_csv(Req *r)
{
	static const char *const keys[] = {"row", "column", "message", "line", "po", "invoice"};
	const char *id = r->param[0], *period, *encoding;
	char actor[300];
	ImportOptions io = {0};
	ImportStatus st;
	ImportResult res;
	cJSON *was, *result;
	const cJSON *user;
	FILE *f = stash_open(id);
	Err e = {0};
	ClCode rc;

	was = f ? stash_choices(id) : NULL;
	user = cJSON_GetObjectItem(was, "user");
	io.contract = cJSON_GetStringValue(cJSON_GetObjectItem(was, "contract"));
	if (!was || !cJSON_IsNumber(user) || (int64_t)user->valuedouble != r->who.user_id ||
	    !may_see_contract(r, io.contract)) {
		if (f)
			fclose(f);
		cJSON_Delete(was);
		return resp_error(r, 404, "There is no such checked file: upload it again.");
	}
	period = cJSON_GetStringValue(cJSON_GetObjectItem(was, "period"));
	encoding = cJSON_GetStringValue(cJSON_GetObjectItem(was, "encoding"));
	io.period = period && *period ? period : NULL;
	io.encoding = encoding && *encoding ? encoding : NULL;
	io.skip_invalid = cJSON_IsTrue(cJSON_GetObjectItem(was, "skip_invalid"));
	io.dry_run = 1;
	io.file_name = "rows to fix";
	io.today = r->today;
	io.actor = req_actor(r, actor, sizeof actor);
	rc = import_csv(r->db, f, &io, &res, &st, &e);
	fclose(f);
	cJSON_Delete(was);
	if (rc) {
		import_result_free(&res);
		if (import_failed_here(rc))
			return resp_error(r, 500, "%s", e.msg);
		return resp_error(r, 422, "The file was refused: %s", e.msg);
	}
	result = encode_import_result(&res, ENC_DATA);
	encode_import_where(cJSON_GetObjectItem(result, "errors"), &res);
	import_result_free(&res);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(result, "errors"), keys, 6), "rows-to-fix.csv");
	cJSON_Delete(result);
	return 0;
}

int page_reverse_batch(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40];
	long id;
	int count;
	Err e = {0};

	if (pagekit_field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such batch");
	if (ledger_reverse_batch(r->db, id, req_field(r, "reason"),
				 req_actor(r, actor, sizeof actor), &count, &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such batch");
		snprintf(msg, sizeof msg, "Not reversed: %s", e.msg);
		return pagekit_back_err(r, "/imports", msg);
	}
	snprintf(msg, sizeof msg, "Batch %ld reversed: %d lines.", id, count);
	return pagekit_back_ok(r, "/imports", msg);
}

int page_imports_csv(Req *r)
{
	static const char *const keys[] = {
		"batch",   "file",     "sha256",     "period",	 "filed_on",	"created_by",
		"rows",	   "accepted", "duplicates", "rejected", "list_amount", "invoiced_amount",
		"reversed"};
	const char *contract = req_query(r, "contract");
	cJSON *list;
	RowSet rs;
	Err e = {0};

	if (!contract || !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	if (import_batches(r->db, contract, &rs, &e)) {
		rowset_free(&rs);
		return resp_error(r, 500, "%s", e.msg);
	}
	list = encode_import_batches(&rs, ENC_DATA);
	rowset_free(&rs);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(list, keys, 13), "batches.csv");
	cJSON_Delete(list);
	return 0;
}
