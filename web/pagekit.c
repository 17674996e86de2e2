/* pagekit.c — helpers the HTML page files share; see pagekit.h. */
#include "pagekit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvout.h"
#include "encode.h"
#include "handlers.h"
#include "listing.h"
#include "render.h"

int pagekit_field_int(const char *text, long lo, long hi, long *out)
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
	if (pagekit_field_int(req_query(r, "page"), 1, 1000000, page))
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

void add_page_numbers(cJSON *ctx, long page, int64_t rows)
{
	cJSON *p = cJSON_GetObjectItem(ctx, "paging"), *list, *o;
	long last = (long)((rows + PAGE_ROWS - 1) / PAGE_ROWS), n, shown = 0;

	if (!p || last < 2)
		return;
	cJSON_AddBoolToObject(p, "numbered", 1);
	list = cJSON_AddArrayToObject(p, "pages");
	for (n = 1; n <= last; n++) {
		if (n > 3 && n != last && (n < page - 1 || n > page + 1))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "n", (double)n);
		cJSON_AddBoolToObject(o, "current", n == page);
		cJSON_AddBoolToObject(o, "gap", n > shown + 1);
		cJSON_AddItemToArray(list, o);
		shown = n;
	}
}

void pagekit_url_encode(const char *text, char *out, size_t n)
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

/* The messages waiting for the next page of a session: a few, each kept
 * for FLASH_TTL seconds at most; the oldest gives way when all are used. */
#define FLASH_SLOTS 256
#define FLASH_TTL   300

typedef struct Flash {
	char session[SESSION_SECRET_BUF]; /* "" when the slot is free */
	char path[128];			  /* the page it is for, without its query */
	int error;
	char text[ERR_MSG_MAX + 200];
	time_t at;
} Flash;

static Flash flash[FLASH_SLOTS];
static pthread_mutex_t flash_lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether a request can have messages: a signed-in cookie session. */
static int flash_session(const Req *r)
{
	return r->signed_in && !r->via_token && r->session_secret[0];
}

/* path up to its query, into out (size n). */
static void flash_path(const char *path, char *out, size_t n)
{
	size_t len = strcspn(path, "?");

	snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), path);
}

static void flash_put(const Req *r, const char *path, int error, const char *text)
{
	char p[128];
	time_t now = time(NULL);
	int i, slot = 0;

	if (!flash_session(r))
		return;
	flash_path(path, p, sizeof p);
	pthread_mutex_lock(&flash_lock);
	for (i = 0; i < FLASH_SLOTS; i++) {
		Flash *f = &flash[i];

		if (!f->session[0] || now - f->at > FLASH_TTL ||
		    (strcmp(f->session, r->session_secret) == 0 && strcmp(f->path, p) == 0)) {
			slot = i;
			break;
		}
		if (f->at < flash[slot].at)
			slot = i;
	}
	snprintf(flash[slot].session, sizeof flash[slot].session, "%s", r->session_secret);
	snprintf(flash[slot].path, sizeof flash[slot].path, "%s", p);
	snprintf(flash[slot].text, sizeof flash[slot].text, "%s", text);
	flash[slot].error = error;
	flash[slot].at = now;
	pthread_mutex_unlock(&flash_lock);
}

/* Take the message waiting for r's session and page into ctx. */
static void flash_take(const Req *r, cJSON *ctx)
{
	char p[128];
	time_t now = time(NULL);
	int i;

	if (!flash_session(r) || !r->path)
		return;
	flash_path(r->path, p, sizeof p);
	pthread_mutex_lock(&flash_lock);
	for (i = 0; i < FLASH_SLOTS; i++) {
		Flash *f = &flash[i];

		if (!f->session[0] || strcmp(f->session, r->session_secret) != 0 ||
		    strcmp(f->path, p) != 0)
			continue;
		if (now - f->at <= FLASH_TTL)
			cJSON_AddStringToObject(ctx, f->error ? "alert" : "notice", f->text);
		memset(f, 0, sizeof *f);
	}
	pthread_mutex_unlock(&flash_lock);
}

static int back_with(Req *r, const char *path, int error, const char *text)
{
	char words[ERR_MSG_MAX + 200];

	flash_put(r, path, error, resp_wording(text, 0, words, sizeof words));
	return resp_redirect(r, path);
}

int pagekit_back_ok(Req *r, const char *path, const char *text)
{
	return back_with(r, path, 0, text);
}

int pagekit_back_err(Req *r, const char *path, const char *text)
{
	return back_with(r, path, 1, text);
}

cJSON *pagekit_ctx(Req *r, const char *title)
{
	cJSON *ctx = cJSON_CreateObject();

	cJSON_AddStringToObject(ctx, "title", title);
	flash_take(r, ctx);
	return ctx;
}

int pagekit_has_message(const cJSON *ctx)
{
	return cJSON_HasObjectItem(ctx, "notice") || cJSON_HasObjectItem(ctx, "alert");
}

int pagekit_search_page(Req *r, const char *title, const char *key, const char *tmpl,
			PagekitQuery query)
{
	const char *q = req_query(r, "q");
	cJSON *ctx;
	char link[700] = "q=";
	long page, off = page_offset(r, &page);
	RowSet rows;
	Err e = {0};
	ClCode rc = query(r, off, PAGE_ROWS, &rows, &e);
	int more = rows.more;
	cJSON *list = pagekit_rows(rc, &rows, NULL);

	if (!list)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, title);
	cJSON_AddItemToObject(ctx, key, list);
	cJSON_AddStringToObject(ctx, "q", q ? q : "");
	pagekit_url_encode(q ? q : "", link + 2, sizeof link - 2);
	add_paging(ctx, page, more, link);
	return render_page(r, 200, tmpl, ctx);
}

cJSON *pagekit_rows(ClCode rc, RowSet *rows, const char *const *money)
{
	cJSON *arr = rc ? NULL : encode_rowset(rows, money, ENC_PAGE);

	rowset_free(rows);
	return arr;
}

int pagekit_csv(Req *r, ClCode rc, RowSet *rows, const char *const *money, const char *const *keys,
		int n, const char *name, const Err *e)
{
	cJSON *arr = rc ? NULL : encode_rowset(rows, money, ENC_DATA);

	rowset_free(rows);
	if (rc)
		return resp_error(r, 500, "%s", e->msg);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(arr, keys, n), name);
	cJSON_Delete(arr);
	return 0;
}

cJSON *pagekit_contract_choices(Req *r, const char *selected, Err *e)
{
	RowSet rows;
	cJSON *arr = pagekit_rows(listing_contract_titles(r->db, &r->who, &rows, e), &rows, NULL),
	      *o;

	cJSON_ArrayForEach(o, arr)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "number"));

		cJSON_AddBoolToObject(o, "selected", selected && n && strcmp(n, selected) == 0);
	}
	return arr;
}
