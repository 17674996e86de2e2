/* http.c — building responses; see http.h. */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "xlsxout.h"

/* Replace any body (or file) r already holds. */
static void resp_set(Req *r, int status, const char *type, char *body, size_t len)
{
	free(r->resp.body);
	if (r->resp.has_file) {
		close(r->resp.file_fd);
		r->resp.has_file = r->resp.inline_file = 0;
		r->resp.etag[0] = r->resp.filename[0] = '\0';
	}
	r->resp.status = status;
	r->resp.type = type;
	r->resp.body = body;
	r->resp.len = len;
}

int resp_json(Req *r, int status, cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);

	cJSON_Delete(obj);
	if (!text) {
		resp_set(r, 500, "application/json", strdup("{\"error\":\"out of memory\"}"), 25);
		return 0;
	}
	resp_set(r, status, "application/json", text, strlen(text));
	return 0;
}

int resp_html(Req *r, int status, char *html)
{
	resp_set(r, status, "text/html; charset=utf-8", html, html ? strlen(html) : 0);
	return 0;
}

int resp_text(Req *r, int status, const char *type, char *text, const char *filename)
{
	size_t len, n;
	char *book;
	Err e = {0};

	if (!text)
		return resp_error(r, 500, "out of memory");
	len = strlen(text);
	filename = filename ? filename : "";
	n = strlen(filename);
	if (r->xlsx && strncmp(type, "text/csv", 8) == 0) {
		/* the same table as a workbook, named NAME.xlsx */
		book = xlsx_from_csv(text, len, &len, &e);
		free(text);
		if (!book)
			return resp_error(r, 500, "%s", e.msg);
		resp_set(r, status, XLSX_TYPE, book, len);
		if (n > 4 && strcmp(filename + n - 4, ".csv") == 0)
			n -= 4;
		snprintf(r->resp.filename, sizeof r->resp.filename, "%.*s.xlsx", (int)n, filename);
		return 0;
	}
	resp_set(r, status, type, text, len);
	snprintf(r->resp.filename, sizeof r->resp.filename, "%s", filename);
	return 0;
}

int resp_file(Req *r, int fd, size_t len, const char *type, const char *filename)
{
	resp_set(r, 200, type, NULL, len);
	r->resp.file_fd = fd;
	r->resp.has_file = 1;
	r->resp.inline_file = 1;
	snprintf(r->resp.filename, sizeof r->resp.filename, "%s", filename);
	return 0;
}

int resp_redirect(Req *r, const char *location)
{
	const unsigned char *u;

	/* a header cannot carry control characters: no silent 303 without
	 * its Location */
	for (u = (const unsigned char *)location; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return resp_error(r, 400, "the address holds a control character");
	if (strlen(location) >= sizeof r->resp.location)
		return resp_error(r, 400, "the address is too long");
	resp_set(r, 303, "text/plain; charset=utf-8", NULL, 0);
	snprintf(r->resp.location, sizeof r->resp.location, "%s", location);
	return 0;
}

/* Command-line phrases of core's messages and what the web says instead:
 * {flag, on a page, in the API}. */
static const char *const wording[][3] = {
	{" (--reason TEXT)", " (write it in the Reason field)", " (give a reason)"},
	{"with --encoding windows-1252", "with the encoding \"Windows (Excel, windows-1252)\"",
	 "with ?encoding=windows-1252"},
	{"name the quarter with --period", "name it in the Quarter reported field",
	 "name the quarter with ?period="},
	{"needs --agency CODE", "needs an agency code", "needs an agency code"},
	{"needs --vendor CODE", "needs a vendor code", "needs a vendor code"},
};

const char *resp_wording(const char *msg, int api, char *out, size_t n)
{
	size_t i;

	snprintf(out, n, "%s", msg);
	for (i = 0; i < sizeof wording / sizeof *wording; i++) {
		const char *at = strstr(msg, wording[i][0]);

		if (at) {
			snprintf(out, n, "%.*s%s%s", (int)(at - msg), msg, wording[i][api ? 2 : 1],
				 at + strlen(wording[i][0]));
			break;
		}
	}
	return out;
}

int resp_error(Req *r, int status, const char *fmt, ...)
{
	char text[600], msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	resp_wording(text, r->is_api, msg, sizeof msg);
	if (r->is_api) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "error", msg);
		return resp_json(r, status, o);
	}
	return render_error(r, status, msg);
}
