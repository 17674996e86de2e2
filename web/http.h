/*
 * http.h — requests and responses of the web server, above libmicrohttpd.
 *
 * Handlers see a Req with validated pieces (route parameters, query and
 * form fields, the signed-in principal, a database connection of their
 * thread) and answer with one of the resp_*() calls, which also set the
 * security headers.  libmicrohttpd's types stay in server.c.
 */
#ifndef COOPLEDGER_HTTP_H
#define COOPLEDGER_HTTP_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>

#include "buf.h"
#include "date.h"
#include "session.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_FIELDS 256 /* the new-contract form has up to 212 */
#define HTTP_FIELD_MAX	((size_t)64 * 1024)

typedef struct Field {
	char *name;
	char *value;
} Field;

typedef struct Resp {
	int status;
	char *body; /* owned */
	size_t len;
	const char *type;
	char location[512]; /* redirect target, or "" */
	char cookie[512];   /* Set-Cookie value, or "" */
	char filename[128]; /* Content-Disposition attachment name, or "" */
	int retry_after;    /* seconds for Retry-After, or 0 */
	const char *cache;  /* Cache-Control value, or NULL for no-store */
	int file_fd;	    /* with has_file: a file to send as the body (owned) */
	int has_file;
	char etag[80];	 /* ETag value, or "" */
	int inline_file; /* Content-Disposition "inline" rather than "attachment" */
} Resp;

typedef struct Req {
	void *conn; /* struct MHD_Connection */
	const char *method;
	const char *path;
	int is_api;		      /* path starts with /api/ */
	char *param[HTTP_MAX_PARAMS]; /* route parameters, in pattern order */
	int nparam;
	Field field[HTTP_MAX_FIELDS]; /* form fields (urlencoded or multipart) */
	int nfield;
	Buf body;     /* raw body of JSON and CSV requests */
	FILE *upload; /* a multipart file, in a temporary file */
	char upload_name[256];
	int too_large;	     /* the body passed its limit */
	int bad_form;	     /* the form could not be read */
	int too_many_fields; /* the form has more than HTTP_MAX_FIELDS fields */
	int unnamed_part;    /* a form part without a name */
	int unwanted_file;   /* a file sent before anyone signed in */
	int overloaded;	     /* bodies in flight passed their memory bound */
	const void *route;   /* the route found from the headers (routes.h) */
	char client[64];     /* the client's address, or "" */
	Principal who;
	int signed_in;
	int via_token; /* Authorization: Bearer */
	int xlsx;      /* NAME.xlsx asked for: NAME.csv's table as a workbook */
	char session_secret[SESSION_SECRET_BUF];
	sqlite3 *db;
	Date today;
	Resp resp;
} Req;

/* Request pieces. */
const char *req_query(const Req *r, const char *name);	/* ?name=, or NULL */
const char *req_field(const Req *r, const char *name);	/* form field, or NULL */
const char *req_header(const Req *r, const char *name); /* or NULL */
const char *req_cookie(const Req *r, const char *name); /* or NULL */

/* Responses: each fills r->resp and returns 0 so handlers can
 * `return resp_json(r, 200, obj);`.  The json and html bodies are taken
 * over (freed by the server); a NULL text is a 500 (out of memory). */
int resp_json(Req *r, int status, cJSON *obj);
int resp_html(Req *r, int status, char *html);
int resp_text(Req *r, int status, const char *type, char *text, const char *filename);
int resp_redirect(Req *r, const char *location);
int resp_error(Req *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The len bytes of the open file fd (taken over: closed by the server)
 * as the body, of type type, shown inline as filename. */
int resp_file(Req *r, int fd, size_t len, const char *type, const char *filename);

/* msg as a web reader should see it: the command line's flags in core's
 * messages ("--reason TEXT") become the form fields (api 0) or the query
 * parameters (api 1) that carry them.  Writes into out (size n); returns
 * out. */
const char *resp_wording(const char *msg, int api, char *out, size_t n);

/* The actor string for audit rows: "web:" + e-mail. */
const char *req_actor(const Req *r, char *buf, size_t n);

#endif
