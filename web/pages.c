/* pages.c — the HTML pages: sign-in, contracts, agencies, purchases,
 * imports, reconciliation, rebates, users, tokens, audit; see pages.h. */
#include "pages.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agency.h"
#include "cache.h"
#include "compliance.h"
#include "contract.h"
#include "db.h"
#include "fees.h"
#include "handlers.h"
#include "import.h"
#include "ledger.h"
#include "pagecache.h"
#include "rebate.h"
#include "remit.h"
#include "render.h"
#include "server.h"
#include "session.h"
#include "signin.h"
#include "summary.h"
#include "user.h"

/* ---- CSV out ---- */

/* 1 when c is a plain decimal number such as -12.50. */
static int plain_number(const char *c)
{
	int digits = 0, dot = 0;

	if (*c == '-')
		c++;
	for (; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (*c == '.' && !dot++)
			continue;
		else
			return 0;
	}
	return digits > 0;
}

/* 1 when a spreadsheet would take cell c for a formula. */
static int formula_like(const char *c)
{
	return c[0] && strchr("=+-@\t\r", c[0]) && !plain_number(c);
}

ClCode csv_row(Buf *b, const char *const *cells, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "", *p;
		int guard = formula_like(c);

		if (i)
			bad |= buf_append(b, ",", 1);
		if (!guard && !strpbrk(c, ",\"\r\n")) {
			bad |= buf_puts(b, c);
			continue;
		}
		/* quoted; a cell a spreadsheet would run is prefixed with ' so
		 * that it shows as text */
		bad |= buf_append(b, "\"", 1);
		if (guard)
			bad |= buf_append(b, "'", 1);
		for (p = c; *p; p++) {
			if (*p == '"')
				bad |= buf_append(b, "\"", 1);
			bad |= buf_append(b, p, 1);
		}
		bad |= buf_append(b, "\"", 1);
	}
	bad |= buf_append(b, "\r\n", 2);
	return bad ? CL_ENOMEM : CL_OK;
}

char *csv_from_json(const cJSON *arr, const char *const *keys, int n)
{
	const char *cells[32];
	const cJSON *o;
	char num[32][32];
	Buf b;
	int i, bad;

	buf_init(&b, (size_t)256 << 20);
	bad = csv_row(&b, keys, n);
	cJSON_ArrayForEach(o, arr)
	{
		for (i = 0; i < n && i < 32; i++) {
			const cJSON *x = cJSON_GetObjectItem(o, keys[i]);

			if (cJSON_IsNumber(x)) {
				snprintf(num[i], sizeof num[i], "%lld", (long long)x->valuedouble);
				cells[i] = num[i];
			} else if (cJSON_IsBool(x)) {
				cells[i] = cJSON_IsTrue(x) ? "yes" : "no";
			} else {
				cells[i] = cJSON_IsString(x) ? x->valuestring : "";
			}
		}
		bad |= csv_row(&b, cells, n);
	}
	if (bad) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* ---- small helpers ---- */

/* A safe place to go after signing in: a local path only. */
static const char *next_path(const char *next)
{
	const unsigned char *u = (const unsigned char *)next;

	/* one "/", then a printable character that is neither "/" nor "\":
	 * browsers drop tabs and newlines, so "/\t/host" would be "//host" */
	if (!next || next[0] != '/' || strlen(next) > 300)
		return "/";
	if (next[1] && (u[1] <= ' ' || u[1] == 0x7f || next[1] == '/' || next[1] == '\\'))
		return "/";
	for (; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return "/";
	return next;
}

static int field_int(const char *text, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!text || !*text)
		return -1;
	v = strtol(text, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

long page_offset(Req *r, long *page)
{
	if (field_int(req_query(r, "page"), 1, 1000000, page))
		*page = 1;
	return (*page - 1) * PAGE_ROWS;
}

void add_paging(cJSON *ctx, long page, int more, const char *base_query)
{
	cJSON *p = cJSON_AddObjectToObject(ctx, "paging");

	cJSON_AddNumberToObject(p, "page", (double)page);
	if (page > 1)
		cJSON_AddNumberToObject(p, "prev", (double)(page - 1));
	if (more)
		cJSON_AddNumberToObject(p, "next", (double)(page + 1));
	cJSON_AddStringToObject(p, "query", base_query);
}

/* Percent-encode text for a URL's query into out (size n; cut, never
 * overrun). */
static void url_encode(const char *text, char *out, size_t n)
{
	size_t i, j = 0;

	for (i = 0; text[i] && j + 4 < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_')
			out[j++] = (char)c;
		else
			j += (size_t)snprintf(out + j, n - j, "%%%02X", c);
	}
	out[j] = '\0';
}

/* Search text as a LIKE pattern that matches it anywhere: % _ and \ are
 * escaped for the SQL's ESCAPE '\'.  Writes into out (size n; long text
 * is cut). */
static void like_pattern(const char *q, char *out, size_t n)
{
	size_t j = 0;

	out[j++] = '%';
	for (; q && *q && j + 4 <= n; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			out[j++] = '\\';
		out[j++] = *q;
	}
	out[j++] = '%';
	out[j] = '\0';
}

/* A redirect back to a page with a notice (shown once via ?notice=). */
static int back_with(Req *r, const char *path, const char *notice)
{
	char url[512], enc[300], words[600];

	url_encode(resp_wording(notice, 0, words, sizeof words), enc, sizeof enc);
	snprintf(url, sizeof url, "%s%snotice=%s", path, strchr(path, '?') ? "&" : "?", enc);
	return resp_redirect(r, url);
}

/* Copy ?notice= into the page context. */
static cJSON *ctx_new(Req *r, const char *title)
{
	cJSON *ctx = cJSON_CreateObject();
	const char *notice = req_query(r, "notice");

	cJSON_AddStringToObject(ctx, "title", title);
	if (notice && strlen(notice) < 400)
		cJSON_AddStringToObject(ctx, "notice", notice);
	return ctx;
}

/* ---- sign-in ---- */

int page_login_form(Req *r)
{
	cJSON *ctx = ctx_new(r, "Sign in");

	cJSON_AddStringToObject(ctx, "next", next_path(req_query(r, "next")));
	return render_page(r, 200, "login", ctx);
}

static int login_failed(Req *r, int status, const char *msg)
{
	cJSON *ctx = ctx_new(r, "Sign in");

	cJSON_AddStringToObject(ctx, "error", msg);
	cJSON_AddStringToObject(ctx, "email", req_field(r, "email") ? req_field(r, "email") : "");
	cJSON_AddStringToObject(ctx, "next", next_path(req_field(r, "next")));
	return render_page(r, status, "login", ctx);
}

int page_login(Req *r)
{
	const char *email = req_field(r, "email"), *password = req_field(r, "password");
	char secret[SESSION_SECRET_BUF], csrf[SESSION_SECRET_BUF], msg[160];
	int64_t uid;
	int status = signin_check(r, email, password, &uid, msg, sizeof msg);
	Err e = {0};

	if (status != 200)
		return login_failed(r, status, msg);
	if (session_create(r->db, uid, time(NULL), secret, csrf, &e))
		return resp_error(r, 500, "%s", e.msg);
	snprintf(r->resp.cookie, sizeof r->resp.cookie,
		 "cl_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", secret,
		 (int)SESSION_ABSOLUTE_SECONDS, server_config()->secure_cookies ? "; Secure" : "");
	resp_redirect(r, next_path(req_field(r, "next")));
	return 0;
}

int page_logout(Req *r)
{
	Err e = {0};

	if (session_delete(r->db, r->session_secret, &e))
		return resp_error(r, 500, "%s", e.msg);
	resp_redirect(r, "/login");
	snprintf(r->resp.cookie, sizeof r->resp.cookie,
		 "cl_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	return 0;
}

int page_static(Req *r)
{
	const char *type;
	size_t len;
	const char *data = render_static(r->param[0], &len, &type);
	char *copy;

	if (!data)
		return resp_error(r, 404, "there is no such file");
	copy = malloc(len + 1);
	if (!copy)
		return resp_error(r, 500, "out of memory");
	memcpy(copy, data, len);
	copy[len] = '\0';
	resp_text(r, 200, type, copy, NULL);
	r->resp.len = len;
	r->resp.cache = "public, max-age=3600";
	return 0;
}

int page_favicon(Req *r)
{
	free(r->param[0]);
	r->param[0] = strdup("favicon.svg");
	r->nparam = 1;
	return page_static(r);
}

int page_home(Req *r)
{
	if (r->who.role == ROLE_MEMBER)
		return page_member_portal(r);
	if (r->who.role == ROLE_VENDOR)
		return page_vendor_portal(r);
	return page_dashboard(r);
}

/* ---- contracts ---- */

/* Rows of a query as JSON objects named by the statement's columns. */
static cJSON *rows_json(sqlite3_stmt *st, int limit, int *more)
{
	cJSON *arr = cJSON_CreateArray();
	int n = 0, i;

	*more = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o;

		if (limit && n == limit) {
			*more = 1;
			break;
		}
		o = cJSON_CreateObject();
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);

			if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
				cJSON_AddNumberToObject(o, name,
							(double)sqlite3_column_int64(st, i));
			else if (sqlite3_column_type(st, i) == SQLITE_NULL)
				cJSON_AddNullToObject(o, name);
			else
				cJSON_AddStringToObject(o, name,
							(const char *)sqlite3_column_text(st, i));
		}
		cJSON_AddItemToArray(arr, o);
		n++;
	}
	return arr;
}

/* The contracts the caller may see, with vendor, lead agency and size. */
static cJSON *contracts_list(Req *r)
{
	cJSON *all, *c, *list = cJSON_CreateArray();
	sqlite3_stmt *st = NULL;
	int more = 0;

	if (db_prepare(r->db, &st,
		       "SELECT c.number, c.title, c.status, c.start_date, c.end_date, v.name AS "
		       "vendor, "
		       "a.name AS lead, (SELECT count(*) FROM participant p WHERE p.contract_id = "
		       "c.id) "
		       "AS participants FROM contract c JOIN vendor v ON v.id = c.vendor_id "
		       "JOIN agency a ON a.id = c.lead_agency_id ORDER BY c.number",
		       NULL))
		return list;
	all = rows_json(st, 0, &more);
	sqlite3_finalize(st);
	cJSON_ArrayForEach(
		c, all) if (may_see_contract(r, cJSON_GetObjectItem(c, "number")->valuestring))
		cJSON_AddItemToArray(list, cJSON_Duplicate(c, 1));
	cJSON_Delete(all);
	return list;
}

int page_contracts(Req *r)
{
	cJSON *ctx = ctx_new(r, "Contracts");

	cJSON_AddItemToObject(ctx, "contracts", contracts_list(r));
	return render_page(r, 200, "contracts", ctx);
}

int page_contracts_csv(Req *r)
{
	static const char *const keys[] = {"number",   "title",	 "status", "start_date",
					   "end_date", "vendor", "lead",   "participants"};
	cJSON *list = contracts_list(r);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(list, keys, 8), "contracts.csv");
	cJSON_Delete(list);
	return 0;
}

/* A schedule's bands as rows {from, rate} for a table. */
static cJSON *bands_json(const cJSON *sched, const char *key)
{
	const cJSON *s = cJSON_GetObjectItem(sched, key);

	return s ? cJSON_Duplicate(s, 1) : cJSON_CreateArray();
}

/* The terms in plain words for the contract page. */
static void add_terms(cJSON *ctx, const cJSON *doc)
{
	const cJSON *fee = cJSON_GetObjectItem(doc, "fee"),
		    *reb = cJSON_GetObjectItem(doc, "rebates"),
		    *disc = cJSON_GetObjectItem(doc, "discounts");
	cJSON *t = cJSON_AddObjectToObject(ctx, "terms");

	cJSON *copy = cJSON_Duplicate(doc, 1), *late = cJSON_GetObjectItem(copy, "late_fee");
	const char *min = cJSON_GetStringValue(cJSON_GetObjectItem(late, "min"));
	char buf[MONEY_BUF];
	Money m;

	if (min && money_parse(min, &m, NULL) == CL_OK) /* "$200.00" for people */
		cJSON_AddStringToObject(late, "min_human", money_format_human(m, buf));
	cJSON_AddItemToObject(t, "doc", copy);
	cJSON_AddBoolToObject(t, "fee_graduated",
			      strcmp(cJSON_GetObjectItem(fee, "mode")->valuestring, "graduated") ==
				      0);
	cJSON_AddItemToObject(t, "fee_bands", bands_json(fee, "bands"));
	if (disc)
		cJSON_AddItemToObject(t, "discount_tiers", bands_json(disc, "tiers"));
	if (reb) {
		cJSON_AddBoolToObject(
			t, "rebate_graduated",
			strcmp(cJSON_GetObjectItem(reb, "mode")->valuestring, "graduated") == 0);
		cJSON_AddItemToObject(t, "rebate_tiers", bands_json(reb, "tiers"));
	}
}

/* The participants of a contract (staff only). */
static cJSON *participants_json(Req *r, const char *number)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr;
	int more = 0;

	if (db_prepare(r->db, &st,
		       "SELECT a.code, a.name, p.joined FROM participant p JOIN agency a ON a.id = "
		       "p.agency_id JOIN contract c ON c.id = p.contract_id WHERE c.number = ? "
		       "ORDER BY p.joined, a.code",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "t", number);
	arr = rows_json(st, 0, &more);
	sqlite3_finalize(st);
	return arr;
}

int page_contract(Req *r)
{
	const char *number = r->param[0];
	char actor[300];
	cJSON *ctx, *doc;
	FeeSelect all = {0};
	int year;
	Err e = {0};

	if (!may_see_contract(r, number))
		return resp_error(r, 404, "there is no such contract");
	doc = contract_show_json(r->db, number, &e);
	if (!doc)
		return resp_error(r, 500, "%s", e.msg);
	ctx = ctx_new(r, number);
	add_terms(ctx, doc);
	cJSON_AddItemToObject(ctx, "contract", doc);
	if (r->who.role <= ROLE_FINANCE)
		cJSON_AddItemToObject(ctx, "participants", participants_json(r, number));
	if (r->who.role != ROLE_MEMBER)
		cJSON_AddItemToObject(ctx, "fees",
				      fees_report_json(r->db, number, &all, r->today, &e));
	if (r->who.role != ROLE_VENDOR &&
	    rebate_current_year(r->db, number, r->today, &year, NULL) == CL_OK)
		cJSON_AddItemToObject(
			ctx, "rebates",
			rebate_report_json(r->db, number, year, r->today,
					   r->who.role == ROLE_MEMBER ? r->who.agency : NULL,
					   req_actor(r, actor, sizeof actor), &e));
	if (r->who.role <= ROLE_FINANCE)
		cJSON_AddItemToObject(ctx, "compliance",
				      compliance_report_json(r->db, number, NULL, NULL, &e));
	return render_page(r, 200, "contract", ctx);
}

int page_fees_csv(Req *r)
{
	static const char *const keys[] = {"quarter",  "net_sales",    "fee",	   "late_fee",
					   "remitted", "balance",      "due_date", "status",
					   "report",   "days_past_due"};
	char name[120];
	FeeSelect all = {0};
	cJSON *f;
	Err e = {0};

	if (!may_see_contract(r, r->param[0]))
		return resp_error(r, 404, "there is no such contract");
	f = fees_report_json(r->db, r->param[0], &all, r->today, &e);
	if (!f)
		return resp_error(r, 500, "%s", e.msg);
	snprintf(name, sizeof name, "%s-fees.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(f, "quarters"), keys, 10), name);
	cJSON_Delete(f);
	return 0;
}

/* ---- agencies ---- */

/* Agencies matching ?q= (code or name), a page at a time.  OUT: *more. */
static cJSON *agencies_query(Req *r, long offset, int limit, int *more)
{
	const char *q = req_query(r, "q");
	sqlite3_stmt *st = NULL;
	char like[410];
	cJSON *arr;

	like_pattern(q, like, sizeof like);
	if (db_prepare(
		    r->db, &st,
		    "SELECT a.code, a.name, a.kind, a.state, CASE a.public_entity WHEN 1 THEN "
		    "'yes' ELSE 'no' END AS public_entity, (SELECT count(*) FROM participant p "
		    "WHERE p.agency_id = a.id) AS contracts FROM agency a WHERE a.code LIKE ?1 "
		    "ESCAPE '\\' OR a.name LIKE ?1 ESCAPE '\\' ORDER BY a.code LIMIT ?2 OFFSET ?3",
		    NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "tii", like, (int64_t)(limit ? limit + 1 : -1), (int64_t)offset);
	arr = rows_json(st, limit, more);
	sqlite3_finalize(st);
	return arr;
}

typedef cJSON *(*ListQuery)(Req *r, long offset, int limit, int *more);

/* A searchable list a page at a time (?q= and ?page=): rows under key. */
static int search_page(Req *r, const char *title, const char *key, const char *tmpl,
		       ListQuery query)
{
	const char *q = req_query(r, "q");
	cJSON *ctx = ctx_new(r, title);
	char link[700] = "q=";
	long page, off = page_offset(r, &page);
	int more = 0;

	cJSON_AddItemToObject(ctx, key, query(r, off, PAGE_ROWS, &more));
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	url_encode(q ? q : "", link + 2, sizeof link - 2);
	add_paging(ctx, page, more, link);
	return render_page(r, 200, tmpl, ctx);
}

int page_agencies(Req *r)
{
	return search_page(r, "Agencies", "agencies", "agencies", agencies_query);
}

int page_agencies_csv(Req *r)
{
	static const char *const keys[] = {"code",  "name",	     "kind",
					   "state", "public_entity", "contracts"};
	int more = 0;
	cJSON *all = agencies_query(r, 0, 0, &more);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(all, keys, 6), "agencies.csv");
	cJSON_Delete(all);
	return 0;
}

/* The live purchase lines of agency code, newest first, over all its
 * contracts or only contract (may be NULL), with the savings of each;
 * money columns as cents.  limit 0: all.  OUT: *more. */
static cJSON *agency_lines_query(Req *r, const char *code, const char *contract, long offset,
				 int limit, int *more)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr;

	if (db_prepare(r->db, &st,
		       "SELECT l.id, c.number AS contract, a.code AS agency, l.invoice_date, "
		       "l.po_number, l.invoice_number, l.line, l.description, l.list_amount, "
		       "l.invoiced_amount, l.list_amount - l.invoiced_amount AS savings "
		       "FROM live_purchase l JOIN contract c ON c.id = l.contract_id "
		       "JOIN agency a ON a.id = l.agency_id WHERE a.code = ?1 AND (?2 IS NULL OR "
		       "c.number = ?2) ORDER BY l.invoice_date DESC, l.id DESC LIMIT ?3 OFFSET ?4",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "ttii", code, contract, (int64_t)(limit ? limit + 1 : -1),
		     (int64_t)offset);
	arr = rows_json(st, limit, more);
	sqlite3_finalize(st);
	return arr;
}

static void money_columns(cJSON *arr, const char *const *keys, int n); /* with purchases */

/* One agency: each contract's totals and rebate share, then its purchase
 * lines a page at a time (the summary's own lines are dropped: a big
 * district has thousands). */
int page_agency(Req *r)
{
	static const char *const money[] = {"list_amount", "invoiced_amount", "savings"};
	char actor[300], qt[QUARTER_BUF];
	Quarter last = quarter_of(quarter_first_day(quarter_of(r->today)) - 1);
	long page, off = page_offset(r, &page);
	cJSON *ctx, *s, *c, *rows;
	int more = 0;
	Err e = {0};

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "there is no such agency");
	s = summary_agency_json(r->db, r->param[0], NULL, NULL, r->today,
				req_actor(r, actor, sizeof actor), &e);
	if (!s)
		return resp_error(r, 500, "%s", e.msg);
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(s, "contracts"))
	{
		cJSON_AddNumberToObject(c, "line_count",
					cJSON_GetArraySize(cJSON_GetObjectItem(c, "lines")));
		cJSON_DeleteItemFromObject(c, "lines");
		cJSON_AddStringToObject(c, "statement_quarter", quarter_format(last, qt));
	}
	ctx = ctx_new(r, r->param[0]);
	cJSON_AddItemToObject(ctx, "agency", s);
	rows = agency_lines_query(r, r->param[0], NULL, off, PAGE_ROWS, &more);
	money_columns(rows, money, 3);
	cJSON_AddItemToObject(ctx, "purchases", rows);
	add_paging(ctx, page, more, "");
	return render_page(r, 200, "agency", ctx);
}

int page_agency_csv(Req *r)
{
	static const char *const money[] = {"list_amount", "invoiced_amount", "savings"};
	static const char *const keys[] = {
		"id",	       "contract",	  "agency", "invoice_date",
		"po_number",   "invoice_number",  "line",   "description",
		"list_amount", "invoiced_amount", "savings"};
	const char *contract = req_query(r, "contract");
	char name[120];
	cJSON *rows;
	int more = 0;

	if (!may_see_agency(r, r->param[0]))
		return resp_error(r, 404, "there is no such agency");
	if (contract && *contract && !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	rows = agency_lines_query(r, r->param[0], contract && *contract ? contract : NULL, 0, 0,
				  &more);
	money_columns(rows, money, 3);
	snprintf(name, sizeof name, "%.100s-purchases.csv", r->param[0]);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 11), name);
	cJSON_Delete(rows);
	return 0;
}

/* ---- purchases ---- */

/* The ledger lines matching the filters (?contract ?agency ?quarter ?po
 * ?invoice); a member sees only its own agency.  OUT: *more. */
static cJSON *purchases_query(Req *r, long offset, int limit, int *more)
{
	/* Only the filters given become conditions, so SQLite can use the
	 * agency and contract indexes; the SQL text is built from these fixed
	 * pieces only, every value is bound. */
	static const char *const cond[] = {
		" AND p.contract_id = (SELECT id FROM contract WHERE number = ?)",
		" AND p.agency_id = (SELECT id FROM agency WHERE code = ?)",
		" AND p.po_number = ?",
		" AND p.invoice_number = ?",
	};
	const char *val[4] = {req_query(r, "contract"),
			      r->who.role == ROLE_MEMBER ? r->who.agency : req_query(r, "agency"),
			      req_query(r, "po"), req_query(r, "invoice")};
	char from[DATE_BUF] = "0000-00-00", to[DATE_BUF] = "9999-99-99";
	const char *quarter = req_query(r, "quarter");
	sqlite3_stmt *st = NULL;
	int i, k = 3, bad;
	Quarter q;
	cJSON *arr;
	Buf sql;

	if (quarter && quarter_parse(quarter, &q, NULL) == CL_OK) {
		date_format(quarter_first_day(q), from);
		date_format(quarter_last_day(q), to);
	}
	buf_init(&sql, 4096);
	bad = buf_puts(
		&sql, "SELECT p.id, c.number AS contract, a.code AS agency, p.po_number, "
		      "p.invoice_number, p.line, p.invoice_date, p.description, "
		      "p.list_amount, p.invoiced_amount, p.batch_id, "
		      "CASE WHEN p.reverses_id IS NOT NULL THEN 'reversal of ' || p.reverses_id "
		      "WHEN EXISTS (SELECT 1 FROM purchase x WHERE x.reverses_id = p.id) "
		      "THEN 'reversed' END AS state, nullif(p.reason, '') AS reason "
		      "FROM purchase p JOIN contract c ON c.id = p.contract_id "
		      "JOIN agency a ON a.id = p.agency_id WHERE p.invoice_date BETWEEN ?1 AND ?2");
	for (i = 0; i < 4; i++) /* an empty box of the filter form filters nothing */
		if (val[i] && *val[i])
			bad |= buf_puts(&sql, cond[i]);
	bad |= buf_puts(&sql, " ORDER BY p.invoice_date DESC, p.id DESC LIMIT ? OFFSET ?");
	if (bad || db_prepare(r->db, &st, sql.data, NULL)) {
		buf_free(&sql);
		return cJSON_CreateArray();
	}
	buf_free(&sql);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	for (i = 0; i < 4; i++)
		if (val[i] && *val[i])
			sqlite3_bind_text(st, k++, val[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, k++, limit ? limit + 1 : -1);
	sqlite3_bind_int64(st, k, offset);
	arr = rows_json(st, limit, more);
	sqlite3_finalize(st);
	return arr;
}

/* ?quarter= of the purchase filters, when given, must name a quarter:
 * returns 0, or -1 after answering 400. */
static int quarter_or_400(Req *r)
{
	const char *quarter = req_query(r, "quarter");
	Quarter q;
	Err e = {0};

	if (!quarter || !*quarter || quarter_parse(quarter, &q, &e) == CL_OK)
		return 0;
	resp_error(r, 400, "The Quarter filter is not right: %s.", e.msg);
	return -1;
}

/* Money columns of rows_json come as integers: turn them into money text. */
static void money_columns(cJSON *arr, const char *const *keys, int n)
{
	char buf[MONEY_BUF];
	cJSON *o;
	int i;

	cJSON_ArrayForEach(o, arr) for (i = 0; i < n; i++)
	{
		cJSON *x = cJSON_GetObjectItem(o, keys[i]);

		if (cJSON_IsNumber(x))
			cJSON_ReplaceItemInObject(
				o, keys[i],
				cJSON_CreateString(money_format((Money)x->valuedouble, buf)));
	}
}

int page_purchases(Req *r)
{
	static const char *const money[] = {"list_amount", "invoiced_amount"};
	static const char *const filters[] = {"contract", "agency", "quarter", "po", "invoice"};
	static const char *const args[] = {"contract", "agency", "quarter", "po",
					   "invoice",  "page",	 "notice"}; /* all it reads */
	cJSON *ctx = ctx_new(r, "Purchases"), *rows, *f;
	char query[1100] = "", key[PAGECACHE_KEY_BUF], version[CACHE_VERSION_BUF];
	long page, off = page_offset(r, &page);
	size_t i;
	int more = 0;

	if (quarter_or_400(r)) {
		cJSON_Delete(ctx);
		return 0;
	}
	/* drawn once per version of the books for each role and binding */
	cache_version(r->db, r->today, version, sizeof version);
	pagecache_key(r, "purchases", args, 7, key);
	if (pagecache_send(r, key, version)) {
		cJSON_Delete(ctx);
		return 0;
	}
	rows = purchases_query(r, off, PAGE_ROWS, &more);
	money_columns(rows, money, 2);
	cJSON_AddItemToObject(ctx, "purchases", rows);
	f = cJSON_AddObjectToObject(ctx, "filter");
	for (i = 0; i < sizeof filters / sizeof *filters; i++) {
		const char *v = req_query(r, filters[i]);

		cJSON_AddStringToObject(f, filters[i], v ? v : "");
		if (v && *v) {
			char enc[200];
			size_t used = strlen(query);

			url_encode(v, enc, sizeof enc);
			snprintf(query + used, sizeof query - used, "%s=%s&", filters[i], enc);
		}
	}
	cJSON_AddBoolToObject(ctx, "can_reverse", r->who.role == ROLE_ADMIN);
	add_paging(ctx, page, more, query);
	return pagecache_render(r, key, version, "purchases", ctx);
}

int page_purchases_csv(Req *r)
{
	static const char *const money[] = {"list_amount", "invoiced_amount"};
	static const char *const keys[] = {
		"id",	    "contract",	    "agency",	   "po_number",	  "invoice_number",
		"line",	    "invoice_date", "description", "list_amount", "invoiced_amount",
		"batch_id", "state"};
	int more = 0;
	cJSON *rows;

	if (quarter_or_400(r))
		return 0;
	rows = purchases_query(r, 0, 0, &more);
	money_columns(rows, money, 2);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 12),
		  "purchases.csv");
	cJSON_Delete(rows);
	return 0;
}

int page_reverse_line(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40];
	long id;
	int64_t rev;
	Err e = {0};

	if (field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such line");
	if (ledger_reverse_line(r->db, id, req_field(r, "reason"),
				req_actor(r, actor, sizeof actor), &rev, &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such line");
		snprintf(msg, sizeof msg, "Not reversed: %s", e.msg);
		return back_with(r, "/purchases", msg);
	}
	snprintf(msg, sizeof msg, "Line %ld reversed (reversal is line %lld).", id, (long long)rev);
	return back_with(r, "/purchases", msg);
}

/* ---- imports ---- */

/* Contracts the caller may upload to, as [{number, title, selected}]. */
static cJSON *upload_contracts(Req *r, const char *selected)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr = cJSON_CreateArray();

	if (db_prepare(r->db, &st, "SELECT number, title FROM contract ORDER BY number", NULL))
		return arr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		cJSON *o;

		if (!may_see_contract(r, n))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "number", n);
		cJSON_AddStringToObject(o, "title", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddBoolToObject(o, "selected", selected && strcmp(n, selected) == 0);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

int page_imports(Req *r)
{
	const char *contract = req_query(r, "contract");
	cJSON *ctx = ctx_new(r, "Sales reports"), *list = upload_contracts(r, contract);
	Err e = {0};

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
		cJSON_AddItemToObject(ctx, "batches", import_batches_json(r->db, contract, &e));
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
	int same = was && cJSON_Compare(was, now, 1);

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

/* Run the import of f as the form asks; render the result page. */
static int import_and_show(Req *r, FILE *f, const char *contract, int dry_run,
			   const char *upload_id, const char *file_name)
{
	static const char *const names[] = {"written", "refused", "dry_run", "already"};
	char actor[300];
	ImportOptions io = {0};
	ImportStatus st;
	cJSON *result = NULL, *ctx;
	Err e = {0};

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
	ctx = ctx_new(r, "Sales report");
	cJSON_AddStringToObject(ctx, "contract", contract);
	if (io.period)
		cJSON_AddStringToObject(ctx, "period", io.period);
	cJSON_AddStringToObject(ctx, "file_name", file_name);
	cJSON_AddBoolToObject(ctx, "skip_invalid", io.skip_invalid);
	cJSON_AddStringToObject(ctx, "encoding", io.encoding ? io.encoding : "");
	if (import_csv(r->db, f, &io, &result, &st, &e)) {
		/* refused as a whole: there is nothing to import or fix later */
		if (upload_id)
			stash_remove(upload_id);
		cJSON_AddStringToObject(ctx, "refusal", e.msg);
		return render_page(r, 422, "import_result", ctx);
	}
	cJSON_AddBoolToObject(ctx, names[st], 1);
	if (st == IMPORT_DRY_RUN && upload_id)
		cJSON_AddStringToObject(ctx, "upload_id", upload_id);
	if (dry_run && upload_id) /* the stash stays: its rows to fix as CSV */
		cJSON_AddStringToObject(ctx, "checked_id", upload_id);
	cJSON_AddItemToObject(ctx, "result", result);
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
	static const char *const keys[] = {"row", "column", "message"};
	const char *id = r->param[0], *period, *encoding;
	char actor[300];
	ImportOptions io = {0};
	ImportStatus st;
	cJSON *was, *result = NULL;
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
	rc = import_csv(r->db, f, &io, &result, &st, &e);
	fclose(f);
	cJSON_Delete(was);
	if (rc)
		return resp_error(r, 422, "The file was refused: %s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(result, "errors"), keys, 3), "rows-to-fix.csv");
	cJSON_Delete(result);
	return 0;
}

int page_reverse_batch(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40];
	long id;
	int count;
	Err e = {0};

	if (field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such batch");
	if (ledger_reverse_batch(r->db, id, req_field(r, "reason"),
				 req_actor(r, actor, sizeof actor), &count, &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such batch");
		snprintf(msg, sizeof msg, "Not reversed: %s", e.msg);
		return back_with(r, "/imports", msg);
	}
	snprintf(msg, sizeof msg, "Batch %ld reversed: %d lines.", id, count);
	return back_with(r, "/imports", msg);
}

/* ---- reconciliation ---- */

/* The contract x quarter grid: {"quarters": [..], "rows": [{contract,
 * cells: [{quarter, status, report, balance, days}]}]} from the revenue
 * summary's quarter rows. */
static cJSON *grid_json(const cJSON *rows)
{
	cJSON *g = cJSON_CreateObject(), *qs = cJSON_AddArrayToObject(g, "quarters"),
	      *out = cJSON_AddArrayToObject(g, "rows"), *x, *c = NULL;
	const char *last = "";

	/* quarters, in order, once each */
	cJSON_ArrayForEach(x, rows)
	{
		const char *q = cJSON_GetObjectItem(x, "quarter")->valuestring;
		cJSON *y;
		int seen = 0;

		cJSON_ArrayForEach(y, qs) seen |= strcmp(y->valuestring, q) == 0;
		if (!seen)
			cJSON_AddItemToArray(qs, cJSON_CreateString(q));
	}
	cJSON_ArrayForEach(x, rows)
	{
		const char *number = cJSON_GetObjectItem(x, "contract")->valuestring;

		if (strcmp(number, last) != 0) {
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "contract", number);
			cJSON_AddArrayToObject(c, "cells");
			cJSON_AddItemToArray(out, c);
			last = number;
		}
		cJSON_AddItemToArray(cJSON_GetObjectItem(c, "cells"), cJSON_Duplicate(x, 1));
	}
	return g;
}

int page_reconciliation(Req *r)
{
	cJSON *ctx = ctx_new(r, "Reconciliation"), *rev, *contracts;
	sqlite3_stmt *st = NULL;
	int more = 0;
	Err e = {0};

	rev = summary_revenue_json(r->db, 0, r->today, &e);
	if (!rev) {
		cJSON_Delete(ctx);
		return resp_error(r, 500, "%s", e.msg);
	}
	cJSON_AddItemToObject(ctx, "grid", grid_json(cJSON_GetObjectItem(rev, "quarters")));
	cJSON_AddItemToObject(ctx, "revenue", rev);
	contracts = upload_contracts(r, req_query(r, "contract"));
	cJSON_AddItemToObject(ctx, "contracts", contracts);
	if (!db_prepare(r->db, &st,
			"SELECT quarter, status, changed_at, changed_by, reason FROM period "
			"ORDER BY quarter DESC",
			NULL)) {
		cJSON_AddItemToObject(ctx, "periods", rows_json(st, 0, &more));
		sqlite3_finalize(st);
	}
	return render_page(r, 200, "reconciliation", ctx);
}

int page_reconciliation_csv(Req *r)
{
	static const char *const keys[] = {"contract", "vendor",   "quarter",  "net_sales",
					   "fee",      "late_fee", "remitted", "balance",
					   "due_date", "status",   "report",   "days_past_due"};

	return revenue_csv(r, "quarters", keys, 12, "reconciliation.csv");
}

int page_remit(Req *r)
{
	const char *contract = req_field(r, "contract");
	char actor[300], msg[ERR_MSG_MAX + 60], money[MONEY_BUF];
	RemitIn in = {0};
	Err e = {0};

	in.contract = contract;
	in.reference = req_field(r, "reference");
	if (!contract || !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	if (quarter_parse(req_field(r, "period") ? req_field(r, "period") : "", &in.quarter, &e) ||
	    money_parse(req_field(r, "amount") ? req_field(r, "amount") : "", &in.amount, &e) ||
	    date_parse(req_field(r, "received") ? req_field(r, "received") : "", &in.received,
		       &e) ||
	    remit_add_as_of(r->db, &in, r->today, req_actor(r, actor, sizeof actor), NULL, &e)) {
		snprintf(msg, sizeof msg, "Remittance not recorded: %s", e.msg);
		return back_with(r, "/reconciliation", msg);
	}
	snprintf(msg, sizeof msg, "Recorded %s from %s for %s.",
		 money_format_human(in.amount, money), contract, req_field(r, "period"));
	return back_with(r, "/reconciliation", msg);
}

int page_period(Req *r)
{
	const char *action = req_field(r, "action");
	char actor[300], msg[ERR_MSG_MAX + 40];
	Quarter q;
	Err e = {0};
	ClCode rc;

	if (quarter_parse(req_field(r, "quarter") ? req_field(r, "quarter") : "", &q, &e))
		rc = CL_EINPUT;
	else if (action && strcmp(action, "reopen") == 0)
		rc = period_reopen(r->db, q, req_field(r, "reason"),
				   req_actor(r, actor, sizeof actor), &e);
	else
		rc = period_close(r->db, q, req_actor(r, actor, sizeof actor), &e);
	if (rc)
		snprintf(msg, sizeof msg, "Not changed: %s", e.msg);
	else
		snprintf(msg, sizeof msg, "Quarter %s is %s.", req_field(r, "quarter"),
			 action && strcmp(action, "reopen") == 0 ? "open again" : "closed");
	return back_with(r, "/reconciliation", msg);
}

/* ---- rebates ---- */

/* The rebate report the page or CSV asks for (?contract ?year). */
static cJSON *rebates_for(Req *r, Err *e)
{
	const char *contract = req_query(r, "contract");
	char actor[300];
	long year = 0;

	if (!contract || !may_see_contract(r, contract)) {
		err_set(e, CL_ENOTFOUND, "choose a contract");
		return NULL;
	}
	if (req_query(r, "year") && field_int(req_query(r, "year"), 1, 9999, &year)) {
		err_set(e, CL_EINPUT, "the year must be a number");
		return NULL;
	}
	if (!year) {
		int y;

		if (rebate_current_year(r->db, contract, r->today, &y, e))
			return NULL;
		year = y;
	}
	return rebate_report_json(r->db, contract, (int)year, r->today, NULL,
				  req_actor(r, actor, sizeof actor), e);
}

int page_rebates(Req *r)
{
	cJSON *ctx = ctx_new(r, "Rebates"), *rep;
	Err e = {0};

	cJSON_AddItemToObject(ctx, "contracts", upload_contracts(r, req_query(r, "contract")));
	if (req_query(r, "contract")) {
		rep = rebates_for(r, &e);
		if (rep)
			cJSON_AddItemToObject(ctx, "rebates", rep);
		else
			cJSON_AddStringToObject(ctx, "error", e.msg);
	}
	return render_page(r, 200, "rebates", ctx);
}

int page_rebates_csv(Req *r)
{
	static const char *const keys[] = {"agency", "net", "rebate"};
	cJSON *rep;
	Err e = {0};

	rep = rebates_for(r, &e);
	if (!rep)
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 400, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8",
		  csv_from_json(cJSON_GetObjectItem(rep, "allocations"), keys, 3), "rebates.csv");
	cJSON_Delete(rep);
	return 0;
}

/* ---- users and API tokens ---- */

int page_users(Req *r)
{
	cJSON *ctx = ctx_new(r, "Users");
	sqlite3_stmt *st = NULL;
	int more = 0;

	if (!db_prepare(r->db, &st,
			"SELECT u.id, u.email, u.role, coalesce(a.code, v.code, '') AS bound, "
			"u.created_at FROM app_user u LEFT JOIN agency a ON a.id = u.agency_id "
			"LEFT JOIN vendor v ON v.id = u.vendor_id ORDER BY u.email",
			NULL)) {
		cJSON_AddItemToObject(ctx, "users", rows_json(st, 0, &more));
		sqlite3_finalize(st);
	}
	return render_page(r, 200, "users", ctx);
}

int page_user_add(Req *r)
{
	const char *email = req_field(r, "email"), *bound = req_field(r, "bound");
	char actor[300], msg[ERR_MSG_MAX + 40];
	Role role;
	Err e = {0};

	if (role_parse(req_field(r, "role"), &role, &e) ||
	    user_add(r->db, email, req_field(r, "password"), role,
		     role == ROLE_MEMBER ? bound : NULL, role == ROLE_VENDOR ? bound : NULL,
		     req_actor(r, actor, sizeof actor), NULL, &e)) {
		snprintf(msg, sizeof msg, "User not added: %s", e.msg);
		return back_with(r, "/users", msg);
	}
	snprintf(msg, sizeof msg, "Added %s.", email);
	return back_with(r, "/users", msg);
}

/* The caller's tokens (an admin sees everyone's). */
static cJSON *tokens_json(Req *r)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr;
	int more = 0;

	if (db_prepare(r->db, &st,
		       "SELECT t.id, t.name, u.email, t.created_at, coalesce(t.last_used, '') AS "
		       "last_used, t.revoked_at FROM api_token t "
		       "JOIN app_user u ON u.id = t.user_id WHERE ?1 = 0 OR t.user_id = ?1 "
		       "ORDER BY t.id DESC",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "i", r->who.role == ROLE_ADMIN ? (int64_t)0 : r->who.user_id);
	arr = rows_json(st, 0, &more);
	sqlite3_finalize(st);
	return arr;
}

int page_tokens(Req *r)
{
	cJSON *ctx = ctx_new(r, "API tokens");

	cJSON_AddItemToObject(ctx, "tokens", tokens_json(r));
	return render_page(r, 200, "tokens", ctx);
}

int page_tokens_csv(Req *r)
{
	static const char *const keys[] = {"id",	 "name",      "email",
					   "created_at", "last_used", "revoked_at"};
	cJSON *rows = tokens_json(r);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 6), "tokens.csv");
	cJSON_Delete(rows);
	return 0;
}

int page_token_add(Req *r)
{
	char secret[SESSION_SECRET_BUF];
	const char *name = req_field(r, "name");
	cJSON *ctx;
	Err e = {0};

	if (api_token_create(r->db, r->who.user_id, name && *name ? name : "token", secret, NULL,
			     &e))
		return back_with(r, "/tokens", e.msg);
	ctx = ctx_new(r, "API tokens");
	cJSON_AddStringToObject(ctx, "new_token", secret);
	cJSON_AddItemToObject(ctx, "tokens", tokens_json(r));
	return render_page(r, 201, "tokens", ctx);
}

int page_token_revoke(Req *r)
{
	long id;
	Err e = {0};

	if (field_int(r->param[0], 1, 1L << 50, &id) ||
	    api_token_revoke(r->db, id, r->who.role == ROLE_ADMIN ? 0 : r->who.user_id, &e))
		return resp_error(r, 404, "there is no such token");
	return back_with(r, "/tokens", "Token revoked.");
}

/* ---- audit log ---- */

static cJSON *audit_query(Req *r, long offset, int limit, int *more)
{
	sqlite3_stmt *st = NULL;
	char like[210];
	cJSON *arr;
	const char *q = req_query(r, "q");

	like_pattern(q, like, sizeof like);
	if (db_prepare(r->db, &st,
		       "SELECT id, at, actor, action, entity, entity_id, coalesce(before, '') AS "
		       "before, coalesce(after, '') AS after FROM audit_log WHERE (?1 IS NULL OR "
		       "action = ?1) AND (?2 IS NULL OR actor = ?2) AND (actor LIKE ?3 ESCAPE '\\' "
		       "OR action LIKE ?3 ESCAPE '\\' OR entity_id LIKE ?3 ESCAPE '\\' OR after "
		       "LIKE ?3 ESCAPE '\\') ORDER BY id DESC LIMIT ?4 OFFSET ?5",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "tttii", req_query(r, "action"), req_query(r, "actor"), like,
		     (int64_t)(limit ? limit + 1 : -1), (int64_t)offset);
	arr = rows_json(st, limit, more);
	sqlite3_finalize(st);
	return arr;
}

int page_audit(Req *r)
{
	return search_page(r, "Audit log", "entries", "audit", audit_query);
}

int page_audit_csv(Req *r)
{
	static const char *const keys[] = {"id",     "at",	  "actor",  "action",
					   "entity", "entity_id", "before", "after"};
	int more = 0;
	cJSON *rows = audit_query(r, 0, 0, &more);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 8), "audit.csv");
	cJSON_Delete(rows);
	return 0;
}

int page_imports_csv(Req *r)
{
	static const char *const keys[] = {
		"batch",   "file",     "sha256",     "period",	 "filed_on",	"created_by",
		"rows",	   "accepted", "duplicates", "rejected", "list_amount", "invoiced_amount",
		"reversed"};
	const char *contract = req_query(r, "contract");
	cJSON *list;
	Err e = {0};

	if (!contract || !may_see_contract(r, contract))
		return resp_error(r, 404, "there is no such contract");
	list = import_batches_json(r->db, contract, &e);
	if (!list)
		return resp_error(r, 500, "%s", e.msg);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(list, keys, 13), "batches.csv");
	cJSON_Delete(list);
	return 0;
}

int page_users_csv(Req *r)
{
	static const char *const keys[] = {"email", "role", "bound", "created_at"};
	sqlite3_stmt *st = NULL;
	cJSON *rows;
	int more = 0;

	if (db_prepare(
		    r->db, &st,
		    "SELECT u.email, u.role, coalesce(a.code, v.code, '') AS bound, u.created_at "
		    "FROM app_user u LEFT JOIN agency a ON a.id = u.agency_id LEFT JOIN vendor v "
		    "ON v.id = u.vendor_id ORDER BY u.email",
		    NULL))
		return resp_error(r, 500, "the database failed");
	rows = rows_json(st, 0, &more);
	sqlite3_finalize(st);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 4), "users.csv");
	cJSON_Delete(rows);
	return 0;
}
