/*
 * fuzz_http_form.c — request bodies, forms and multipart uploads of the
 * web server (web/server.c) through libmicrohttpd.
 *
 * web/server.c is compiled into this file, so that its own on_request,
 * on_completed, conn_new, body_chunk and on_form run under a real
 * libmicrohttpd daemon with its post processor.  The daemon has no
 * listening socket and no thread: each input becomes one connection over a
 * socketpair, added with MHD_add_connection() and driven by MHD_run() until
 * libmicrohttpd closes it.  routes_dispatch() is replaced by a recorder of
 * what the request carried, and the access log is left out.
 *
 * The first input byte chooses:
 *   bits 0-1  0  the rest is the raw request, sent as it is;
 *             1  the rest is a Content-Type value (up to the first line
 *                end; an empty one sends none) and then the body;
 *             2  an urlencoded form the harness writes from the items of
 *                the rest (split at NUL bytes, each "name=value");
 *             3  a multipart form likewise, an item "@file=content" being
 *                a file upload of the field "file";
 *   bit 2     small limits (max_body 256, max_upload 1024) instead of the
 *             defaults of `coopledger serve`;
 *   bit 3     an API path (/api/...) instead of a page;
 *   bits 4-6  0: Content-Length; n: chunked, 2^(n-1) bytes a chunk;
 *   bit 7     "Expect: 100-continue".
 *
 * Properties:
 *   - every request completes: libmicrohttpd closes the connection;
 *   - a routed request has at most HTTP_MAX_FIELDS fields with distinct
 *     names and values of at most HTTP_FIELD_MAX bytes, and no error flag;
 *   - a body kept as bytes (neither form type) is exactly the body sent,
 *     or a 413 when it passes its limit;
 *   - a form the harness wrote comes back as the fields (and the upload)
 *     it holds, or as the 413 or 400 its limits call for.
 */
#include <stdio.h>

#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>

/* The access log line of every request would drown the fuzzer's output. */
static int quiet_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int quiet_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f == stderr)
		return 0;
	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

#define fprintf quiet_fprintf
#include "../web/server.c"
#undef fprintf

#define SMALL_BODY   256
#define SMALL_UPLOAD 1024
#define MAX_ROUNDS   100000
#define MAX_ITEMS    64

/* What the last routed request carried. */
typedef struct Seen {
	int called;
	int nfield;
	char *name[HTTP_MAX_FIELDS], *value[HTTP_MAX_FIELDS];
	Buf body;
	Buf upload;
	int has_upload;
	char upload_name[256];
} Seen;

static Seen seen;
static struct MHD_Daemon *daemon_;
static int handled;	/* requests that reached on_request */
static int one_request; /* the harness wrote one request */

/* on_request, counting the requests that reach it. */
static enum MHD_Result hook_request(void *cls, struct MHD_Connection *mc, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **state)
{
	if (!*state)
		handled++;
	return on_request(cls, mc, url, method, version, upload_data, upload_size, state);
}

static void seen_clear(void)
{
	int i;

	for (i = 0; i < seen.nfield; i++) {
		free(seen.name[i]);
		free(seen.value[i]);
	}
	buf_free(&seen.body);
	buf_free(&seen.upload);
	memset(&seen, 0, sizeof seen);
}

/* The router, replaced: check and record the request, answer 200. */
void routes_dispatch(Req *r)
{
	char chunk[4096];
	size_t n;
	int i, j;

	FUZZ_CHECK(!seen.called || !one_request, "two requests routed for one");
	seen_clear(); /* a raw input may hold several requests: keep the last */
	seen.called = 1;
	FUZZ_CHECK(!r->too_large && !r->bad_form && !r->too_many_fields,
		   "routed with an error flag: too_large %d bad_form %d too_many_fields %d",
		   r->too_large, r->bad_form, r->too_many_fields);
	FUZZ_CHECK(r->nfield >= 0 && r->nfield <= HTTP_MAX_FIELDS, "%d fields", r->nfield);
	for (i = 0; i < r->nfield; i++) {
		FUZZ_CHECK(r->field[i].name && r->field[i].value, "field %d without name or value",
			   i);
		FUZZ_CHECK(strlen(r->field[i].value) <= HTTP_FIELD_MAX, "field %s of %zu bytes",
			   r->field[i].name, strlen(r->field[i].value));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(r->field[i].name, r->field[j].name) != 0,
				   "field \"%s\" twice", r->field[i].name);
		FUZZ_CHECK(req_field(r, r->field[i].name) == r->field[i].value,
			   "req_field does not find \"%s\"", r->field[i].name);
		seen.name[i] = strdup(r->field[i].name);
		seen.value[i] = strdup(r->field[i].value);
	}
	seen.nfield = r->nfield;
	buf_init(&seen.body, SIZE_MAX);
	if (r->body.len && buf_append(&seen.body, r->body.data, r->body.len))
		abort();
	buf_init(&seen.upload, SIZE_MAX);
	if (r->upload) {
		seen.has_upload = 1;
		snprintf(seen.upload_name, sizeof seen.upload_name, "%s", r->upload_name);
		while ((n = fread(chunk, 1, sizeof chunk, r->upload)) > 0)
			if (buf_append(&seen.upload, chunk, n))
				abort();
	}
	resp_text(r, 200, "text/plain; charset=utf-8", strdup("ok\n"), NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	config.db_path = ":memory:";
	config.as_of = "2026-11-25";
	config.threads = 1;
	daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, hook_request, NULL,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!daemon_) {
		fprintf(stderr, "fuzz_http_form: libmicrohttpd did not start\n");
		abort();
	}
	return 0;
}

static unsigned connections(void)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i ? i->num_connections : 0;
}

/* Send req over a new connection and collect the answer until the daemon
 * closes it; a request that waits for more is ended by closing the
 * sending side. */
static void exchange(const char *req, size_t n, Buf *resp)
{
	struct sockaddr_in sa = {0};
	size_t off = 0;
	int sv[2], shut = 0, idle = 0, eof = 0, rounds = 0;
	char chunk[4096];

	sa.sin_family = AF_INET;
	sa.sin_port = htons(40000);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) != 0)
		abort();
	if (MHD_add_connection(daemon_, sv[1], (struct sockaddr *)&sa, sizeof sa) != MHD_YES)
		abort();
	for (;;) {
		int progress = 0;
		ssize_t k;

		if (off < n) {
			k = send(sv[0], req + off, n - off, MSG_NOSIGNAL);
			if (k > 0)
				off += (size_t)k, progress = 1;
			else if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				off = n; /* the daemon hung up: nothing more goes */
		} else if (!shut && idle >= 4) {
			shutdown(sv[0], SHUT_WR);
			shut = progress = 1;
		}
		MHD_run(daemon_);
		while (!eof && (k = recv(sv[0], chunk, sizeof chunk, 0)) != 0) {
			if (k < 0)
				break;
			if (buf_append(resp, chunk, (size_t)k))
				abort();
			progress = 1;
		}
		if (k == 0)
			eof = 1;
		if (eof && connections() == 0)
			break;
		idle = progress ? 0 : idle + 1;
		FUZZ_CHECK(++rounds < MAX_ROUNDS,
			   "the connection never completes (%zu of %zu "
			   "bytes sent, %zu received)",
			   off, n, resp->len);
	}
	close(sv[0]);
}

/* The status of the final answer in resp, or 0 when there is none. */
static int final_status(const Buf *resp)
{
	const char *p = resp->data, *end;
	int status = 0, s;

	if (!resp->len)
		return 0;
	end = p + resp->len;
	while (p && p < end) {
		if ((size_t)(end - p) > 12 && memcmp(p, "HTTP/1.", 7) == 0 && p[8] == ' ' &&
		    sscanf(p + 9, "%3d", &s) == 1 && s >= 200)
			status = s;
		p = memchr(p, '\n', (size_t)(end - p));
		if (p)
			p++;
	}
	return status;
}

/* ---- the forms the harness writes ---- */

typedef struct Item {
	char name[256];
	const char *value;
	size_t nvalue;
	int file;
} Item;

/* Split rest[0, n) into items at NUL bytes.  Returns how many. */
static int items_of(const uint8_t *rest, size_t n, Item *it, int multipart)
{
	int k = 0;

	while (rest && k < MAX_ITEMS) {
		const uint8_t *s, *eq;
		size_t ns, nn, i;

		rest = fuzz_split(rest, n, 0, &s, &ns);
		n = rest ? n - ns - 1 : 0;
		eq = ns ? memchr(s, '=', ns) : NULL;
		nn = eq ? (size_t)(eq - s) : ns;
		it[k].value = eq ? (const char *)eq + 1 : "";
		it[k].nvalue = eq ? ns - nn - 1 : 0;
		it[k].file = multipart && nn && s[0] == '@';
		if (it[k].file)
			s++, nn--;
		if (nn >= sizeof it[k].name)
			nn = sizeof it[k].name - 1;
		for (i = 0; i < nn; i++) {
			char c = (char)s[i];
			int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				   (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';

			/* multipart names go between quotes as they are */
			it[k].name[i] = multipart && !safe ? '_' : c;
		}
		it[k].name[nn] = '\0';
		if (multipart && !nn)
			strcpy(it[k].name, it[k].file ? "f" : "_");
		if (!it[k].name[0]) /* urlencoded: a field needs a name */
			continue;
		k++;
	}
	return k;
}

static void put(Buf *b, const void *p, size_t n)
{
	if (n && buf_append(b, p, n))
		abort();
}

static void percent(Buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			put(b, &c, 1);
		else
			put(b, e, 3);
	}
}

static void write_urlencoded(const Item *it, int n, Buf *body)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i)
			put(body, "&", 1);
		percent(body, it[i].name, strlen(it[i].name));
		put(body, "=", 1);
		percent(body, it[i].value, it[i].nvalue);
	}
}

/* 1 if s[0, n) holds the text b. */
static int holds(const char *s, size_t n, const char *b)
{
	size_t nb = strlen(b), i;

	for (i = 0; i + nb <= n; i++)
		if (memcmp(s + i, b, nb) == 0)
			return 1;
	return 0;
}

/* A boundary that none of the items holds.  OUT: b (64 bytes). */
static void boundary_for(const Item *it, int n, char *b)
{
	int k = 0, i, clash;

	do {
		snprintf(b, 64, "fuzzb%dx", k++);
		for (clash = 0, i = 0; i < n && !clash; i++)
			clash = holds(it[i].value, it[i].nvalue, b) ||
				holds(it[i].name, strlen(it[i].name), b);
	} while (clash);
}

static void write_multipart(const Item *it, int n, const char *bnd, Buf *body)
{
	char head[700];
	int i;

	for (i = 0; i < n; i++) {
		if (it[i].file)
			snprintf(head, sizeof head,
				 "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
				 "filename=\"%s\"\r\nContent-Type: text/csv\r\n\r\n",
				 bnd, it[i].name);
		else
			snprintf(head, sizeof head,
				 "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", bnd,
				 it[i].name);
		put(body, head, strlen(head));
		put(body, it[i].value, it[i].nvalue);
		put(body, "\r\n", 2);
	}
	snprintf(head, sizeof head, "--%s--\r\n", bnd);
	put(body, head, strlen(head));
}

/* The fields a form of items holds: one per name, values joined. */
typedef struct Want {
	int nfield;
	char *name[MAX_ITEMS];
	Buf value[MAX_ITEMS];
	int nonempty; /* fields with a value */
	Buf upload;
	const char *upload_name, *upload_name2; /* the first file, the first not empty */
	size_t form_bytes;
} Want;

static void want_of(const Item *it, int n, Want *w)
{
	int i, f;

	memset(w, 0, sizeof *w);
	buf_init(&w->upload, SIZE_MAX);
	for (i = 0; i < n; i++) {
		if (it[i].file) {
			put(&w->upload, it[i].value, it[i].nvalue);
			if (!w->upload_name)
				w->upload_name = it[i].name;
			if (!w->upload_name2 && it[i].nvalue)
				w->upload_name2 = it[i].name;
			continue;
		}
		w->form_bytes += it[i].nvalue;
		for (f = 0; f < w->nfield && strcmp(w->name[f], it[i].name); f++)
			;
		if (f == w->nfield) {
			w->name[f] = (char *)it[i].name;
			buf_init(&w->value[f], SIZE_MAX);
			w->nfield++;
		}
		put(&w->value[f], it[i].value, it[i].nvalue);
	}
	for (f = 0; f < w->nfield; f++)
		w->nonempty += w->value[f].len > 0;
}

static void want_free(Want *w)
{
	int f;

	for (f = 0; f < w->nfield; f++)
		buf_free(&w->value[f]);
	buf_free(&w->upload);
}

/* The routed request carried exactly the fields (and upload) of w; a field
 * with an empty value may be missing. */
static void check_fields(const Want *w)
{
	int f, i;

	for (f = 0; f < w->nfield; f++) {
		for (i = 0; i < seen.nfield && strcmp(seen.name[i], w->name[f]); i++)
			;
		if (i == seen.nfield) {
			FUZZ_CHECK(w->value[f].len == 0, "field \"%s\" is missing", w->name[f]);
			continue;
		}
		FUZZ_CHECK(strlen(seen.value[i]) == w->value[f].len &&
				   (!w->value[f].len ||
				    memcmp(seen.value[i], w->value[f].data, w->value[f].len) == 0),
			   "field \"%s\" is \"%s\", not \"%.*s\"", w->name[f], seen.value[i],
			   (int)w->value[f].len, w->value[f].len ? w->value[f].data : "");
	}
	for (i = 0; i < seen.nfield; i++) {
		for (f = 0; f < w->nfield && strcmp(seen.name[i], w->name[f]); f++)
			;
		FUZZ_CHECK(f < w->nfield, "a field \"%s\" that was not sent", seen.name[i]);
	}
	FUZZ_CHECK(seen.upload.len == w->upload.len &&
			   (!w->upload.len ||
			    memcmp(seen.upload.data, w->upload.data, w->upload.len) == 0),
		   "the upload has %zu bytes, not %zu, or others", seen.upload.len, w->upload.len);
	if (seen.has_upload && w->upload_name)
		FUZZ_CHECK(
			strcmp(seen.upload_name, w->upload_name) == 0 ||
				(w->upload_name2 && strcmp(seen.upload_name, w->upload_name2) == 0),
			"the upload is called \"%s\", not \"%s\"", seen.upload_name,
			w->upload_name);
}

/* ---- one request ---- */

typedef struct Ask {
	int mode, small, api, chunk, expect;
	const char *type; /* Content-Type, or NULL */
	Buf body;
} Ask;

static void write_request(const Ask *a, Buf *req)
{
	char line[600];
	size_t i, n;

	snprintf(line, sizeof line, "POST %s HTTP/1.1\r\nHost: fuzz\r\n",
		 a->api ? "/api/v1/contracts/KS-TEST-2025/imports" : "/forms/fuzz");
	put(req, line, strlen(line));
	if (a->type) {
		put(req, "Content-Type: ", 14);
		put(req, a->type, strlen(a->type));
		put(req, "\r\n", 2);
	}
	if (a->chunk)
		snprintf(line, sizeof line, "Transfer-Encoding: chunked\r\n");
	else
		snprintf(line, sizeof line, "Content-Length: %zu\r\n", a->body.len);
	put(req, line, strlen(line));
	if (a->expect)
		put(req, "Expect: 100-continue\r\n", 22);
	put(req, "Connection: close\r\n\r\n", 21);
	if (!a->chunk) {
		put(req, a->body.data, a->body.len);
		return;
	}
	for (i = 0; i < a->body.len; i += n) {
		n = a->body.len - i < (size_t)a->chunk ? a->body.len - i : (size_t)a->chunk;
		snprintf(line, sizeof line, "%zx\r\n", n);
		put(req, line, strlen(line));
		put(req, a->body.data + i, n);
		put(req, "\r\n", 2);
	}
	put(req, "0\r\n\r\n", 5);
}

static int type_is(const char *type, const char *prefix)
{
	return type && strncasecmp(type, prefix, strlen(prefix)) == 0;
}

/* A body kept as bytes comes through as it was sent. */
static void check_raw(const Ask *a, int status)
{
	size_t limit = a->api && type_is(a->type, "text/csv") ? config.max_upload : config.max_body;

	if (a->body.len > limit) {
		FUZZ_CHECK(status == 413, "a body of %zu bytes over %zu: status %d", a->body.len,
			   limit, status);
		return;
	}
	FUZZ_CHECK(status == 200 && seen.called, "a body of %zu bytes: status %d", a->body.len,
		   status);
	FUZZ_CHECK(seen.nfield == 0 && !seen.has_upload, "a raw body gave fields");
	FUZZ_CHECK(seen.body.len == a->body.len &&
			   (!a->body.len || memcmp(seen.body.data, a->body.data, a->body.len) == 0),
		   "the body arrived as %zu bytes, not the %zu sent", seen.body.len, a->body.len);
}

static void check_form(const Ask *a, const Want *w, int status)
{
	int too_many, maybe_many = w->nfield > HTTP_MAX_FIELDS;
	int over, multipart = a->mode == 3;

	too_many = w->nonempty > HTTP_MAX_FIELDS;
	if (multipart)
		over = w->form_bytes > config.max_body || w->upload.len > config.max_upload;
	else
		over = a->body.len > config.max_body;
	if (!multipart && over) {
		FUZZ_CHECK(status == 413, "a form of %zu bytes over %zu: status %d", a->body.len,
			   config.max_body, status);
		return;
	}
	if (!over && !maybe_many) {
		FUZZ_CHECK(status == 200 && seen.called, "a form within its limits: status %d",
			   status);
		check_fields(w);
		return;
	}
	FUZZ_CHECK((status == 413 && over) || (status == 400 && maybe_many) ||
			   (status == 200 && !over && !too_many),
		   "a form over its limits (over %d, fields %d, %d with a value): status %d", over,
		   w->nfield, w->nonempty, status);
	if (status == 200)
		check_fields(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static Item items[MAX_ITEMS];
	const uint8_t *rest, *line;
	size_t nrest, nline;
	char type[700], bnd[64];
	Ask a = {0};
	Want w = {0};
	Buf req, resp;
	int n = 0, status;

	if (size == 0)
		return 0;
	a.mode = data[0] & 3;
	a.small = !!(data[0] & 4);
	a.api = !!(data[0] & 8);
	a.chunk = (data[0] >> 4) & 7 ? 1 << (((data[0] >> 4) & 7) - 1) : 0;
	a.expect = !!(data[0] & 0x80);
	config.max_body = a.small ? SMALL_BODY : (size_t)1 << 20;
	config.max_upload = a.small ? SMALL_UPLOAD : (size_t)50 << 20;
	rest = data + 1;
	nrest = size - 1;
	buf_init(&a.body, SIZE_MAX);
	buf_init(&req, SIZE_MAX);
	buf_init(&resp, SIZE_MAX);
	seen_clear();
	handled = 0;
	one_request = a.mode != 0;

	switch (a.mode) {
	case 0:
		put(&req, rest, nrest);
		break;
	case 1:
		rest = fuzz_split(rest, nrest, '\n', &line, &nline);
		if (nline && line[nline - 1] == '\r')
			nline--;
		if (nline >= sizeof type)
			nline = sizeof type - 1;
		memcpy(type, line, nline);
		type[nline] = '\0';
		a.type = nline && !memchr(type, '\0', nline) ? type : NULL;
		if (rest)
			put(&a.body, rest, size - (size_t)(rest - data));
		write_request(&a, &req);
		break;
	case 2:
		n = items_of(rest, nrest, items, 0);
		a.type = "application/x-www-form-urlencoded";
		write_urlencoded(items, n, &a.body);
		want_of(items, n, &w);
		write_request(&a, &req);
		break;
	default:
		n = items_of(rest, nrest, items, 1);
		boundary_for(items, n, bnd);
		snprintf(type, sizeof type, "multipart/form-data; boundary=%s", bnd);
		a.type = type;
		write_multipart(items, n, bnd, &a.body);
		want_of(items, n, &w);
		write_request(&a, &req);
		break;
	}

	exchange(req.data ? req.data : "", req.len, &resp);
	status = final_status(&resp);
	FUZZ_CHECK(!one_request || !seen.called || status == 200, "routed, yet answered %d",
		   status);
	FUZZ_CHECK(a.mode < 2 || handled == 1,
		   "a form the harness wrote reached on_request %d "
		   "times",
		   handled);
	if (a.mode == 1 && handled && !type_is(a.type, "multipart/form-data") &&
	    !type_is(a.type, "application/x-www-form-urlencoded"))
		check_raw(&a, status);
	else if (a.mode >= 2)
		check_form(&a, &w, status);

	want_free(&w);
	buf_free(&a.body);
	buf_free(&req);
	buf_free(&resp);
	seen_clear();
	return 0;
}
