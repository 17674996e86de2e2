/*
 * fuzz_http_form.c — request bodies, forms and multipart uploads of the
 * web server (web/server.c) through libmicrohttpd.
 *
 * web/server.c is compiled into this file, so that its own on_request,
 * on_completed, conn_new, conn_gate, body_chunk and on_form run under a
 * real libmicrohttpd daemon with its post processor.  The daemon has no
 * listening socket and no thread: each input becomes one connection over a
 * socketpair, added with MHD_add_connection() and driven by MHD_run() until
 * libmicrohttpd closes it.  The router is replaced: routes_gate() signs the
 * request in or refuses it as the input says, routes_dispatch() records
 * what the request carried.  The access log is left out.
 *
 * Two option bytes come first.  The first:
 *   bits 0-1  0  the rest is the raw request, sent as it is;
 *             1  the rest is a Content-Type value (up to the first line
 *                end; an empty one sends none) and then the body;
 *             2  an urlencoded form the harness writes from the items of
 *                the rest (split at NUL bytes, each "name=value");
 *             3  a multipart form likewise, an item "@file=content" being
 *                a file upload of the field "file";
 *   bit 2     small limits (max_body 256, max_upload 1024) instead of the
 *             defaults of `coopledger serve`;
 *   bit 3     the caller is signed in;
 *   bits 4-6  0: Content-Length; n: chunked, 2^(n-1) bytes a chunk;
 *   bit 7     "Expect: 100-continue".
 * The second:
 *   bit 0     the gate refuses the request from its headers (403);
 *   bit 1     an API path (/api/...) instead of a page;
 *   bit 2     bodies in memory bounded to 100 bytes (max_body_memory).
 *
 * Properties:
 *   - every request completes: libmicrohttpd closes the connection, and
 *     the bytes of bodies held in memory and the requests in flight are
 *     back to 0;
 *   - the gate sees the client's address; a refused request is answered
 *     403 and never routed;
 *   - a routed request has at most HTTP_MAX_FIELDS fields with distinct
 *     names and values of at most HTTP_FIELD_MAX bytes, and no error flag;
 *   - a body kept as bytes (neither form type) arrives exactly as sent, in
 *     memory or, for a signed-in caller's text/csv, in the upload file; or
 *     it is the 413 or 503 its limits call for;
 *   - a form the harness wrote arrives as the fields (and the upload) it
 *     holds, or as the 400, 413 or 503 its limits call for.
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
#define TINY_MEMORY  100
#define MAX_ROUNDS   100000
#define MAX_ITEMS    64

/* Statuses an answer may have, as a set. */
enum { S200 = 1, S400 = 2, S403 = 4, S413 = 8, S503 = 16 };

/* What the input asks for. */
typedef struct Ask {
	int mode, small, signed_in, chunk, expect; /* first option byte */
	int refuse, api, tiny_memory;		   /* second option byte */
	const char *type;			   /* Content-Type, or NULL */
	Buf body;
} Ask;

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

static Ask ask;
static Seen seen;
static char gate_type[700]; /* the Content-Type the gate saw, as libmicrohttpd gave it */
static int gate_has_type;
static struct MHD_Daemon *daemon_;
static int handled; /* requests that reached on_request */
static int gated;   /* and the gate */

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

/* The router's gate, replaced: sign in or refuse as the input says. */
int routes_gate(Req *r)
{
	const char *type = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);

	gated++;
	gate_has_type = type != NULL;
	snprintf(gate_type, sizeof gate_type, "%s", type ? type : "");
	FUZZ_CHECK(r->db, "the gate runs without a database");
	FUZZ_CHECK(strcmp(r->client, "127.0.0.1") == 0, "the client is \"%s\"", r->client);
	if (ask.signed_in) {
		r->signed_in = 1;
		r->who.role = ROLE_FINANCE;
		snprintf(r->who.email, sizeof r->who.email, "finance@coop.example");
	}
	if (ask.refuse) {
		resp_error(r, 403, "this page is not for you");
		return 1;
	}
	return 0;
}

/* The router, replaced: check and record the request, answer 200. */
void routes_dispatch(Req *r)
{
	char chunk[4096];
	size_t n;
	int i, j;

	FUZZ_CHECK(!seen.called || ask.mode == 0, "two requests routed for one");
	FUZZ_CHECK(!ask.refuse, "a request the gate refused is routed");
	seen_clear(); /* a raw input may hold several requests: keep the last */
	seen.called = 1;
	FUZZ_CHECK(!r->too_large && !r->bad_form && !r->too_many_fields && !r->overloaded &&
			   !r->unnamed_part && !r->unwanted_file,
		   "routed with an error flag: too_large %d bad_form %d too_many_fields %d "
		   "overloaded %d unnamed_part %d unwanted_file %d",
		   r->too_large, r->bad_form, r->too_many_fields, r->overloaded, r->unnamed_part,
		   r->unwanted_file);
	FUZZ_CHECK(r->signed_in == ask.signed_in, "signed in %d", r->signed_in);
	FUZZ_CHECK(r->nfield >= 0 && r->nfield <= HTTP_MAX_FIELDS, "%d fields", r->nfield);
	for (i = 0; i < r->nfield; i++) {
		FUZZ_CHECK(r->field[i].name && r->field[i].value && r->field[i].name[0],
			   "field %d without a name or value", i);
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
		if (!eof && k == 0)
			eof = 1;
		if (eof && connections() == 0)
			break;
		idle = progress ? 0 : idle + 1;
		FUZZ_CHECK(++rounds < MAX_ROUNDS,
			   "the connection never completes (%zu of %zu bytes sent, %zu received)",
			   off, n, resp->len);
	}
	close(sv[0]);
}

/* The status of the first final answer in resp, or 0 when there is none. */
static int final_status(const Buf *resp)
{
	const char *p = resp->data, *end;
	int s;

	if (!resp->len)
		return 0;
	end = p + resp->len;
	while (p && p < end) {
		if ((size_t)(end - p) > 12 && memcmp(p, "HTTP/1.", 7) == 0 && p[8] == ' ' &&
		    sscanf(p + 9, "%3d", &s) == 1 && s >= 200)
			return s;
		p = memchr(p, '\n', (size_t)(end - p));
		if (p)
			p++;
	}
	return 0;
}

static int bit_of(int status)
{
	switch (status) {
	case 200:
		return S200;
	case 400:
		return S400;
	case 403:
		return S403;
	case 413:
		return S413;
	case 503:
		return S503;
	default:
		return 0;
	}
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
	const char *name[MAX_ITEMS];
	Buf value[MAX_ITEMS];
	Buf upload;
	const char *upload_name, *upload_name2; /* the first file, the first not empty */
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
		for (f = 0; f < w->nfield && strcmp(w->name[f], it[i].name); f++)
			;
		if (f == w->nfield) {
			w->name[f] = it[i].name;
			buf_init(&w->value[f], SIZE_MAX);
			w->nfield++;
		}
		put(&w->value[f], it[i].value, it[i].nvalue);
	}
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

/* ---- what the limits call for ---- */

/* A body of n bytes held in memory as it arrives: past max_body a 413,
 * past the memory bound a 503 (either, when both, as the chunks fall). */
static int memory_outcome(size_t n)
{
	size_t bound = config.max_body_memory;
	int s = 0;

	if (n > config.max_body)
		s |= S413;
	if ((n < config.max_body ? n : config.max_body) > bound)
		s |= S503;
	return s;
}

/* An urlencoded form: the body's limits, then the number of fields (a
 * field with an empty value may not be made at all). */
static int urlencoded_outcome(const Item *it, int n, size_t len)
{
	int s = memory_outcome(len), i, j, all = 0, valued = 0;

	if (s)
		return s;
	for (i = 0; i < n; i++) {
		int first = 1, any = 0;

		for (j = 0; j < n; j++) {
			if (strcmp(it[i].name, it[j].name))
				continue;
			first &= j >= i;
			any |= it[j].nvalue > 0;
		}
		all += first;
		valued += first && any;
	}
	if (valued > HTTP_MAX_FIELDS)
		return S400;
	return all > HTTP_MAX_FIELDS ? S400 | S200 : S200;
}

/* A multipart form, part by part as on_form sees them; an empty part is
 * handed over (empty) or not at all as libmicrohttpd sees fit. */
static int multipart_pass(const Item *it, int n, int empty_fields, int empty_files)
{
	const char *names[MAX_ITEMS];
	size_t form = 0, upload = 0, bound = config.max_body_memory, reach;
	int nfield = 0, i, f, s;

	for (i = 0; i < n; i++) {
		size_t len = it[i].nvalue;

		if (it[i].file) {
			if (!len && !empty_files)
				continue;
			if (!ask.signed_in)
				return S400;
			if ((upload += len) > config.max_upload)
				return S413;
			continue;
		}
		if (!len && !empty_fields)
			continue;
		for (f = 0; f < nfield && strcmp(names[f], it[i].name); f++)
			;
		s = 0;
		if (form + len > config.max_body)
			s |= S413;
		reach = form + len < config.max_body ? form + len : config.max_body;
		if (reach > bound)
			s |= S503;
		if (f == nfield && nfield == HTTP_MAX_FIELDS)
			s |= S400;
		if (s)
			return s;
		form += len;
		if (f == nfield)
			names[nfield++] = it[i].name;
	}
	return S200;
}

static int multipart_outcome(const Item *it, int n)
{
	return multipart_pass(it, n, 0, 0) | multipart_pass(it, n, 0, 1) |
	       multipart_pass(it, n, 1, 0) | multipart_pass(it, n, 1, 1);
}

static int type_is(const char *type, const char *prefix)
{
	/* HTTP drops the blanks before a header's value, and so does the
	 * server's view of it */
	while (type && (*type == ' ' || *type == '\t'))
		type++;
	return type && strncasecmp(type, prefix, strlen(prefix)) == 0;
}

/* ---- one request ---- */

static void write_request(Buf *req)
{
	const Ask *a = &ask;
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

/* A body kept as bytes: a signed-in caller's text/csv in the upload file,
 * anything else in memory.  type is the Content-Type as the server saw it
 * (libmicrohttpd drops the blanks around a header's value). */
static void check_raw(const char *type, int status)
{
	const Buf *b = &ask.body;
	int to_file = ask.signed_in && type_is(type, "text/csv");
	int want = to_file ? (b->len > config.max_upload ? S413 : S200) : memory_outcome(b->len);
	const Buf *got = to_file ? &seen.upload : &seen.body;

	if (!want)
		want = S200;
	FUZZ_CHECK(bit_of(status) & want, "a body of %zu bytes (%s): status %d, not one of %#x",
		   b->len, to_file ? "to a file" : "in memory", status, want);
	if (status != 200)
		return;
	FUZZ_CHECK(seen.called && seen.nfield == 0, "a raw body gave fields");
	FUZZ_CHECK(seen.has_upload == to_file && (to_file ? seen.body.len : seen.upload.len) == 0,
		   "the body went to the %s", to_file ? "memory" : "upload file");
	FUZZ_CHECK(got->len == b->len && (!b->len || memcmp(got->data, b->data, b->len) == 0),
		   "the body arrived as %zu bytes, not the %zu sent", got->len, b->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static Item items[MAX_ITEMS];
	const uint8_t *rest, *line;
	size_t nrest, nline;
	char type[700], bnd[64];
	Want w = {0};
	Buf req, resp;
	int n = 0, status, want = 0;

	if (size < 2)
		return 0;
	memset(&ask, 0, sizeof ask);
	ask.mode = data[0] & 3;
	ask.small = !!(data[0] & 4);
	ask.signed_in = !!(data[0] & 8);
	ask.chunk = (data[0] >> 4) & 7 ? 1 << (((data[0] >> 4) & 7) - 1) : 0;
	ask.expect = !!(data[0] & 0x80);
	ask.refuse = data[1] & 1;
	ask.api = !!(data[1] & 2);
	ask.tiny_memory = !!(data[1] & 4);
	config.max_body = ask.small ? SMALL_BODY : (size_t)1 << 20;
	config.max_upload = ask.small ? SMALL_UPLOAD : (size_t)50 << 20;
	config.max_body_memory = ask.tiny_memory ? TINY_MEMORY : (size_t)64 << 20;
	rest = data + 2;
	nrest = size - 2;
	buf_init(&ask.body, SIZE_MAX);
	buf_init(&req, SIZE_MAX);
	buf_init(&resp, SIZE_MAX);
	seen_clear();
	handled = gated = gate_has_type = 0;

	switch (ask.mode) {
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
		ask.type = nline && !memchr(type, '\0', nline) ? type : NULL;
		if (rest)
			put(&ask.body, rest, size - (size_t)(rest - data));
		write_request(&req);
		break;
	case 2:
		n = items_of(rest, nrest, items, 0);
		ask.type = "application/x-www-form-urlencoded";
		write_urlencoded(items, n, &ask.body);
		want = urlencoded_outcome(items, n, ask.body.len);
		want_of(items, n, &w);
		write_request(&req);
		break;
	default:
		n = items_of(rest, nrest, items, 1);
		boundary_for(items, n, bnd);
		snprintf(type, sizeof type, "multipart/form-data; boundary=%s", bnd);
		ask.type = type;
		write_multipart(items, n, bnd, &ask.body);
		want = multipart_outcome(items, n);
		want_of(items, n, &w);
		write_request(&req);
		break;
	}

	exchange(req.data ? req.data : "", req.len, &resp);
	FUZZ_CHECK(atomic_load(&body_memory) == 0, "%zu bytes of bodies still held",
		   (size_t)atomic_load(&body_memory));
	FUZZ_CHECK(atomic_load(&inflight) == 0, "%d requests still in flight",
		   atomic_load(&inflight));
	status = final_status(&resp);
	if (ask.mode >= 2)
		FUZZ_CHECK(handled == 1 && gated == 1,
			   "a form the harness wrote reached on_request %d times, the gate %d",
			   handled, gated);
	if (ask.mode != 0 && gated) {
		if (ask.refuse)
			FUZZ_CHECK(status == 403, "refused by the gate, yet answered %d", status);
		else if (seen.called)
			FUZZ_CHECK(status == 200, "routed, yet answered %d", status);
	}
	if (!ask.refuse && ask.mode == 1 && gated) {
		const char *seen_type = gate_has_type ? gate_type : NULL;

		if (!type_is(seen_type, "multipart/form-data") &&
		    !type_is(seen_type, "application/x-www-form-urlencoded"))
			check_raw(seen_type, status);
	}
	if (!ask.refuse && ask.mode >= 2) {
		FUZZ_CHECK(bit_of(status) & want,
			   "a form of %d items (%zu bytes): status %d, "
			   "not one of %#x",
			   n, ask.body.len, status, want);
		if (status == 200)
			check_fields(&w);
	}

	want_free(&w);
	buf_free(&ask.body);
	buf_free(&req);
	buf_free(&resp);
	seen_clear();
	return 0;
}
