/* server.c — libmicrohttpd glue: connections, bodies, limits, logging,
 * per-thread databases and shutdown; see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "compliance.h"
#include "db.h"
#include "http.h"
#include "routes.h"

static ServerConfig config;

const ServerConfig *server_config(void)
{
	return &config;
}

/* ---- one SQLite connection per worker thread ---- */

#define MAX_CONNECTIONS 64

static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *conns[MAX_CONNECTIONS];
static int nconns;
static _Thread_local sqlite3 *tl_db;

/* This thread's connection, opened on first use; NULL on failure. */
static sqlite3 *thread_db(void)
{
	Err e = {0};

	if (tl_db)
		return tl_db;
	if (db_open(config.db_path, &tl_db, &e)) {
		fprintf(stderr, "coopledger: %s\n", e.msg);
		return NULL;
	}
	pthread_mutex_lock(&conn_lock);
	if (nconns < MAX_CONNECTIONS)
		conns[nconns++] = tl_db;
	pthread_mutex_unlock(&conn_lock);
	return tl_db;
}

static void close_all_db(void)
{
	int i;

	pthread_mutex_lock(&conn_lock);
	for (i = 0; i < nconns; i++)
		db_close(conns[i]);
	nconns = 0;
	pthread_mutex_unlock(&conn_lock);
}

/* ---- request pieces ---- */

const char *req_query(const Req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(const Req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(const Req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_field(const Req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nfield; i++)
		if (strcmp(r->field[i].name, name) == 0)
			return r->field[i].value;
	return NULL;
}

const char *req_actor(const Req *r, char *buf, size_t n)
{
	snprintf(buf, n, "web:%s", r->signed_in ? r->who.email : "anonymous");
	return buf;
}

/* ---- bodies ---- */

/* A connection's state across libmicrohttpd's calls. */
typedef struct Conn {
	Req req;
	struct MHD_PostProcessor *pp;
	int raw;	/* keep the body as bytes (JSON, CSV) */
	int urlencoded; /* an application/x-www-form-urlencoded form */
	size_t upload_bytes;
	size_t form_bytes;	   /* bytes of form fields (not the file), or of the
				    * whole urlencoded body */
	size_t held;		   /* bytes of body this request holds in memory */
	int to_file;		   /* a CSV body: kept in a temporary file, not memory */
	int refused;		   /* answered from its headers: the body is discarded */
	int answered;		   /* and sent at once: the body is not read */
	int laned;		   /* handed to the write lane; its answer is ready */
	struct MHD_Connection *mc; /* while on the write lane */
	struct Conn *next;	   /* in the write lane's queue */
	double start;
} Conn;

/* Bytes of request bodies held in memory by all requests in flight; past
 * config.max_body_memory a request is answered 503. */
static atomic_size_t body_memory;

/* Count n more bytes held by c; 0, or -1 (and r->overloaded) past the
 * bound. */
static int hold(Conn *c, size_t n)
{
	size_t was = atomic_fetch_add(&body_memory, n);

	if (was + n > config.max_body_memory) {
		atomic_fetch_sub(&body_memory, n);
		c->req.overloaded = 1;
		return -1;
	}
	c->held += n;
	return 0;
}

/* Requests between their headers and their completion, and whether the
 * server is stopping: shutdown waits for the first to reach 0. */
static atomic_int inflight;
static atomic_int stopping;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Append to form field key (created on first data).  Returns 0, -1 when
 * memory ran out, -2 when the field passed HTTP_FIELD_MAX, -3 when the
 * form has more than HTTP_MAX_FIELDS fields. */
static int field_append(Req *r, const char *key, const char *data, size_t size)
{
	Field *f = NULL;
	size_t old;
	char *p;
	int i;

	for (i = 0; i < r->nfield; i++)
		if (strcmp(r->field[i].name, key) == 0)
			f = &r->field[i];
	if (!f) {
		if (r->nfield == HTTP_MAX_FIELDS)
			return -3;
		f = &r->field[r->nfield++];
		f->name = strdup(key);
		f->value = calloc(1, 1);
		if (!f->name || !f->value)
			return -1;
	}
	old = strlen(f->value);
	if (old + size > HTTP_FIELD_MAX)
		return -2;
	p = realloc(f->value, old + size + 1);
	if (!p)
		return -1;
	memcpy(p + old, data, size);
	p[old + size] = '\0';
	f->value = p;
	return 0;
}

/* libmicrohttpd's form iterator: fields into req.field, a file upload into
 * a temporary file (bounded by max_upload). */
static enum MHD_Result on_form(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	Conn *c = cls;
	Req *r = &c->req;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	/* a multipart part with no name, or an empty one, comes as NULL or "" */
	if (!key || !*key) {
		r->unnamed_part = r->bad_form = 1;
		return MHD_NO;
	}
	if (!filename) {
		int rc;

		/* a urlencoded body is counted whole as it arrives (body_chunk) */
		if (!c->urlencoded && (c->form_bytes += size) > config.max_body) {
			r->too_large = 1;
			return MHD_NO;
		}
		if (!c->urlencoded && hold(c, size))
			return MHD_NO;
		rc = field_append(r, key, data, size);
		if (rc == -2)
			r->too_large = 1;
		else if (rc == -3)
			r->too_many_fields = r->bad_form = 1;
		else if (rc)
			r->bad_form = 1;
		return rc ? MHD_NO : MHD_YES;
	}
	/* files are taken from signed-in users only */
	if (!r->signed_in) {
		r->unwanted_file = r->bad_form = 1;
		return MHD_NO;
	}
	if (!r->upload) {
		r->upload = tmpfile();
		snprintf(r->upload_name, sizeof r->upload_name, "%s", filename);
		if (!r->upload) {
			r->bad_form = 1;
			return MHD_NO;
		}
	}
	c->upload_bytes += size;
	if (c->upload_bytes > config.max_upload) {
		r->too_large = 1;
		return MHD_NO;
	}
	if (size && fwrite(data, 1, size, r->upload) != size) {
		r->bad_form = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Take a chunk of the request body. */
static void body_chunk(Conn *c, const char *data, size_t size)
{
	Req *r = &c->req;

	if (r->too_large || r->overloaded)
		return;
	/* a urlencoded form is all fields: the body limit holds for all of it,
	 * and a body past it is a 413 even when its form was already refused */
	if (c->urlencoded && (c->form_bytes += size) > config.max_body) {
		r->too_large = 1;
		return;
	}
	if (c->urlencoded && hold(c, size))
		return;
	if (r->bad_form)
		return;
	if (c->pp) {
		if (MHD_post_process(c->pp, data, size) != MHD_YES && !r->too_large &&
		    !r->overloaded)
			r->bad_form = 1;
		return;
	}
	if (c->to_file) {
		if ((c->upload_bytes += size) > config.max_upload)
			r->too_large = 1;
		else if (fwrite(data, 1, size, r->upload) != size)
			r->bad_form = 1;
		return;
	}
	if (r->body.len + size > r->body.limit ||
	    (!hold(c, size) && buf_append(&r->body, data, size)))
		r->too_large = 1;
}

/* The client's address as text into out (size n), "" when unknown. */
static void client_address(struct MHD_Connection *mc, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

/* Today for this request. */
static Date request_today(void)
{
	const char *fixed = config.as_of ? config.as_of : getenv("COOPLEDGER_TODAY");
	Date d = 0;

	/* an unreadable clock leaves d at 0: a request still needs a day */
	if (date_today(fixed && *fixed ? fixed : NULL, &d, NULL))
		(void)!date_today(NULL, &d, NULL);
	return d;
}

/* Set up a new connection's state from its headers. */
static Conn *conn_new(struct MHD_Connection *mc, const char *url, const char *method)
{
	Conn *c = calloc(1, sizeof *c);
	const char *type;

	if (!c)
		return NULL;
	c->start = now_ms();
	c->req.conn = mc;
	c->req.method = method;
	c->req.path = url;
	c->req.is_api = strncmp(url, "/api/", 5) == 0;
	c->req.today = request_today();
	client_address(mc, c->req.client, sizeof c->req.client);
	type = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	c->urlencoded = type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
	c->raw = !type || (strncasecmp(type, "multipart/form-data", 19) != 0 && !c->urlencoded);
	buf_init(&c->req.body, config.max_body);
	if (!c->raw)
		c->pp = MHD_create_post_processor(mc, (size_t)64 * 1024, on_form, c);
	if (!c->raw && !c->pp)
		c->req.bad_form = 1;
	atomic_fetch_add(&inflight, 1);
	return c;
}

/* 1 when the request declares a body of at most config.max_body bytes
 * (or none). */
static int body_is_small(struct MHD_Connection *mc)
{
	const char *len =
		MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *chunked =
		MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	char *end;
	unsigned long long n;

	if (!len)
		return !chunked;
	n = strtoull(len, &end, 10);
	return !*end && n <= config.max_body;
}

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* What can be known from the headers: the database, who is asking and
 * whether the route lets them.  A CSV, .xlsx or PDF body of a signed-in caller
 * goes to a temporary file (it may be as large as an upload).  Returns 0 to read the
 * body, 1 when r is answered already. */
static int conn_gate(Conn *c)
{
	Req *r = &c->req;
	const char *type = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (!(r->db = thread_db())) {
		resp_error(r, 503, "the database is not available");
		return 1;
	}
	if (routes_gate(r))
		return 1;
	if (c->raw && r->signed_in && type &&
	    (strncasecmp(type, "text/csv", 8) == 0 ||
	     strncasecmp(type, "application/pdf", 15) == 0 ||
	     strncasecmp(type, XLSX_TYPE, strlen(XLSX_TYPE)) == 0)) {
		r->upload = tmpfile();
		if (!r->upload) {
			resp_error(r, 503, "no room for the upload just now; try again later");
			return 1;
		}
		c->to_file = 1;
	}
	return 0;
}

static void conn_free(Conn *c)
{
	int i;

	if (!c)
		return;
	atomic_fetch_sub(&inflight, 1);
	atomic_fetch_sub(&body_memory, c->held);
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	for (i = 0; i < c->req.nfield; i++) {
		free(c->req.field[i].name);
		free(c->req.field[i].value);
	}
	for (i = 0; i < c->req.nparam; i++)
		free(c->req.param[i]);
	if (c->req.upload)
		fclose(c->req.upload);
	if (c->req.resp.has_file) /* never handed to libmicrohttpd */
		close(c->req.resp.file_fd);
	buf_free(&c->req.body);
	free(c->req.resp.body);
	free(c);
}

/* ---- responses ---- */

static void add_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self'; "
				"script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
				"base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

/* Queue r->resp on the connection. */
static enum MHD_Result send_resp(struct MHD_Connection *mc, Req *r)
{
	Resp *p = &r->resp;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char disp[200];

	if (p->has_file) { /* sent from the file, never read into memory */
		resp = MHD_create_response_from_fd64(p->len, p->file_fd);
		if (resp)
			p->has_file = 0; /* libmicrohttpd closes it now */
	} else {
		resp = MHD_create_response_from_buffer(p->len, p->body ? p->body : (char *)"",
						       p->body ? MHD_RESPMEM_MUST_FREE
							       : MHD_RESPMEM_PERSISTENT);
		if (resp)
			p->body = NULL; /* libmicrohttpd frees it now */
	}
	if (!resp)
		return MHD_NO;
	add_security_headers(resp);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				p->type ? p->type : "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				p->cache ? p->cache : "no-store");
	if (p->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, p->location);
	if (atomic_load(&stopping)) /* no further requests on this connection */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (p->cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, p->cookie);
	if (p->retry_after) {
		snprintf(disp, sizeof disp, "%d", p->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, disp);
	}
	if (p->filename[0]) {
		snprintf(disp, sizeof disp, "%s; filename=\"%s\"",
			 p->inline_file ? "inline" : "attachment", p->filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	if (p->etag[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, p->etag);
	ret = MHD_queue_response(mc, (unsigned)(p->status ? p->status : 500), resp);
	MHD_destroy_response(resp);
	return ret;
}

/* s for a log line into out (size n): control characters, backslash and
 * blanks (which separate the fields) as \xNN, so that no request can
 * forge a line or a field; long text is cut. */
static const char *log_field(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)(s ? s : "-");
	size_t j = 0;

	for (; *u && j + 5 < n; u++) {
		if (*u <= ' ' || *u == 0x7f || *u == '\\') {
			out[j++] = '\\';
			out[j++] = 'x';
			out[j++] = hex[*u >> 4];
			out[j++] = hex[*u & 15];
		} else {
			out[j++] = (char)*u;
		}
	}
	out[j] = '\0';
	return out;
}

/* One access-log line per request on stderr. */
static void access_log(const Conn *c)
{
	const Req *r = &c->req;
	time_t now = time(NULL);
	struct tm tm;
	char when[32], method[40], path[1100], who[300];

	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s %s %d %zu %.1fms %s\n", when, r->client[0] ? r->client : "-",
		log_field(r->method, method, sizeof method), log_field(r->path, path, sizeof path),
		r->resp.status, r->resp.len, now_ms() - c->start,
		r->signed_in ? log_field(r->who.email, who, sizeof who) : "-");
}

/* After a request that wrote to the books: bring the stored compliance of
 * the orders it touched up to date now, so that the pages that show it
 * (which never wait behind a writer) find it current. */
static void after_write(const Req *r)
{
	Err e = {0};

	if (compliance_refresh_touched(r->db, &e))
		fprintf(stderr, "coopledger: %s %s: the stored compliance: %s\n", r->method,
			r->path, e.msg);
}

/* Run r's handler.  When any read of the database failed meanwhile, the
 * answer is not whole (a table that came out empty, a figure that came
 * out zero): it becomes a 500, with the failure in the log. */
static void dispatch_whole(Req *r)
{
	unsigned long reads = db_read_failures(NULL);
	int64_t changes = r->db ? db_writes(r->db) : 0;
	const char *why;

	routes_dispatch(r);
	if (r->db && db_writes(r->db) != changes) {
		cache_wrote(r->who.user_id);
		after_write(r);
	}
	if (db_read_failures(&why) != reads && r->resp.status < 500) {
		fprintf(stderr, "coopledger: %s %s: %s\n", r->method, r->path, why);
		resp_error(r, 500,
			   "the database could not be read; the error is in the server log");
	}
}

/* Work out the answer to a complete request into c->req.resp. */
static void answer_work(Conn *c)
{
	Req *r = &c->req;

	if (c->pp)
		MHD_post_process(c->pp, NULL, 0);
	if (r->upload)
		rewind(r->upload);
	if (r->overloaded) {
		resp_error(r, 503,
			   "the server is busy receiving other requests; try again shortly");
		r->resp.retry_after = 5;
	} else if (r->too_large)
		resp_error(r, 413, "the request is too large (limit %zu bytes)",
			   r->upload ? config.max_upload : config.max_body);
	else if (r->too_many_fields)
		resp_error(r, 400,
			   "the form has more than %d fields; send only the form's own fields",
			   HTTP_MAX_FIELDS);
	else if (r->unnamed_part)
		resp_error(r, 400, "the form could not be read: it has a part without a name");
	else if (r->unwanted_file)
		resp_error(r, 400, "the form could not be read: sign in before sending a file");
	else if (r->bad_form)
		resp_error(r, 400, "the form could not be read");
	else
		dispatch_whole(r);
}

/* ---- the write lane ----
 *
 * libmicrohttpd's pool gives each connection to one of its threads, and a
 * thread serves its connections one request at a time.  A request that
 * writes may take seconds (an import of 100,000 rows) or wait behind
 * another writer; on the pool's thread it would hold up every page asked
 * for on the connections that thread serves.  So a request with any other
 * method than GET or HEAD is suspended once its body is read and worked
 * out on one of the lane's own threads, each with its own connection to
 * the database; its answer is sent when the pool resumes it.  The queue
 * holds at most one request per open connection.  Its threads keep the
 * process's CPU priority: at nice 10, a 100,000-row import on the
 * 10,000,000-line ledger took 13.8 s instead of 3.9 s, and the p99 of the
 * pages asked for meanwhile grew from 90 ms to 971 ms. */

#define LANE_THREADS 2

static pthread_mutex_t lane_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lane_wake = PTHREAD_COND_INITIALIZER;
static Conn *lane_head, *lane_tail;
static pthread_t lane_thread[LANE_THREADS];
static int lane_threads, lane_stop;
static int lane_refresh; /* a reader left many touched orders to the lane */

/* compliance_never_wait()'s elsewhere: recompute the touched orders on the
 * lane, as a writer would after its commit. */
static void lane_refresh_soon(void)
{
	pthread_mutex_lock(&lane_lock);
	if (lane_threads && !lane_refresh) {
		lane_refresh = 1;
		pthread_cond_signal(&lane_wake);
	}
	pthread_mutex_unlock(&lane_lock);
}

/* The lane's refresh of the touched orders, on its connection db. */
static void lane_refresh_run(sqlite3 *db)
{
	Err e = {0};

	if (db && compliance_refresh_touched(db, &e))
		fprintf(stderr, "coopledger: the stored compliance: %s\n", e.msg);
}

/* Mark c's answer ready and give its connection back to the pool. */
static void lane_finish(Conn *c)
{
	struct MHD_Connection *mc = c->mc;

	c->laned = 1;
	c->mc = NULL;
	MHD_resume_connection(mc);
}

static void *lane_run(void *arg)
{
	(void)arg;
	for (;;) {
		Conn *c;
		int refresh;

		pthread_mutex_lock(&lane_lock);
		while (!lane_head && !lane_refresh && !lane_stop)
			pthread_cond_wait(&lane_wake, &lane_lock);
		c = lane_head;
		if (c && !(lane_head = c->next))
			lane_tail = NULL;
		refresh = !c && lane_refresh;
		if (refresh)
			lane_refresh = 0;
		pthread_mutex_unlock(&lane_lock);
		if (refresh) {
			lane_refresh_run(thread_db());
			continue;
		}
		if (!c)
			return NULL; /* stopping, and nothing is left */
		if (!(c->req.db = thread_db()))
			resp_error(&c->req, 503, "the database is not available");
		else
			answer_work(c);
		lane_finish(c);
	}
}

/* Start the lane's threads; with none, requests are answered where they
 * arrive. */
static void lane_start(void)
{
	while (lane_threads < LANE_THREADS &&
	       pthread_create(&lane_thread[lane_threads], NULL, lane_run, NULL) == 0)
		lane_threads++;
}

/* Let the lane finish what it holds, then stop its threads. */
static void lane_end(void)
{
	int i;

	pthread_mutex_lock(&lane_lock);
	lane_stop = 1;
	pthread_cond_broadcast(&lane_wake);
	pthread_mutex_unlock(&lane_lock);
	for (i = 0; i < lane_threads; i++)
		pthread_join(lane_thread[i], NULL);
	lane_threads = 0;
}

/* Hand complete request c on mc to the lane.  0, or -1 when it is to be
 * answered here (a GET or HEAD, or no lane). */
static int lane_take(struct MHD_Connection *mc, Conn *c)
{
	const char *m = c->req.method;

	if (!lane_threads || strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return -1;
	c->mc = mc;
	c->next = NULL;
	MHD_suspend_connection(mc);
	pthread_mutex_lock(&lane_lock);
	if (lane_tail)
		lane_tail->next = c;
	else
		lane_head = c;
	lane_tail = c;
	pthread_cond_signal(&lane_wake);
	pthread_mutex_unlock(&lane_lock);
	return 0;
}

/* Answer a complete request: here, or on the write lane. */
static enum MHD_Result answer(struct MHD_Connection *mc, Conn *c)
{
	if (!c->laned) {
		if (lane_take(mc, c) == 0)
			return MHD_YES; /* resumed, and called again, once answered */
		answer_work(c);
	}
	c->answered = 1;
	access_log(c);
	return send_resp(mc, &c->req);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **state)
{
	Conn *c = *state;

	(void)cls;
	(void)version;
	if (!c) {
		c = conn_new(mc, url, method);
		if (!c)
			return MHD_NO;
		*state = c;
		if (!conn_gate(c))
			return MHD_YES;
		/* refused from its headers.  A small body is read and dropped, so
		 * that the client, still sending, reads the answer rather than a
		 * reset; a large or open-ended one is answered at once, unread. */
		c->refused = 1;
		if (body_is_small(mc))
			return MHD_YES;
		c->answered = 1;
		access_log(c);
		return send_resp(mc, &c->req);
	}
	if (c->answered || (c->refused && *upload_size)) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->refused) {
		access_log(c);
		return send_resp(mc, &c->req);
	}
	if (*upload_size) {
		body_chunk(c, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return answer(mc, c);
}

#define LARGE_ANSWER ((size_t)1 << 20)

static void on_completed(void *cls, struct MHD_Connection *mc, void **state,
			 enum MHD_RequestTerminationCode code)
{
	Conn *c = *state;
	int large = c && c->req.resp.len > LARGE_ANSWER;

	(void)cls;
	(void)mc;
	(void)code;
	conn_free(c);
	*state = NULL;
	/* a large answer (a CSV of the whole ledger) leaves its thread's
	 * malloc arena holding what it built: hand that back to the system,
	 * so that memory follows what is in use, not the largest answer yet */
	if (large)
		malloc_trim(0);
}

/* ---- the daemon ---- */

/* "ADDR:PORT" into a socket address.  OUT: *sa. */
static ClCode parse_listen(const char *listen, struct sockaddr_in *sa, Err *e)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return err_set(e, CL_EINPUT, "--listen \"%s\": use ADDRESS:PORT", listen);
	snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return err_set(e, CL_EINPUT, "--listen \"%s\": use an IPv4 ADDRESS:PORT", listen);
	sa->sin_port = htons((uint16_t)port);
	return CL_OK;
}

static void write_ready(struct MHD_Daemon *d, const struct sockaddr_in *sa)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[64];
	FILE *f;

	inet_ntop(AF_INET, &sa->sin_addr, host, sizeof host);
	fprintf(stderr, "coopledger: serving http://%s:%u/ (Ctrl-C stops)\n", host,
		info ? info->port : ntohs(sa->sin_port));
	if (config.ready_file && (f = fopen(config.ready_file, "w"))) {
		fprintf(f, "%s:%u\n", host, info ? info->port : ntohs(sa->sin_port));
		fclose(f);
	}
}

/* Stop taking connections, then wait (at most DRAIN_SECONDS) until the
 * requests in flight are answered.  Returns the listening socket, which
 * the caller closes after MHD_stop_daemon(), or MHD_INVALID_SOCKET. */
#define DRAIN_SECONDS 10

static MHD_socket drain(struct MHD_Daemon *d)
{
	struct timespec tick = {0, 20000000L}; /* 20 ms */
	int waited_ms = 0, left;
	MHD_socket listener;

	atomic_store(&stopping, 1);
	listener = MHD_quiesce_daemon(d);
	if (listener == MHD_INVALID_SOCKET)
		fprintf(stderr, "coopledger: could not stop listening; stopping now\n");
	while ((left = atomic_load(&inflight)) > 0 && waited_ms < DRAIN_SECONDS * 1000) {
		nanosleep(&tick, NULL);
		waited_ms += 20;
	}
	if (left > 0)
		fprintf(stderr, "coopledger: %d requests still open after %d s; closing them\n",
			left, DRAIN_SECONDS);
	return listener;
}

ClCode server_run(const ServerConfig *cfg, Err *e)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	MHD_socket listener;
	sigset_t set;
	int sig;

	config = *cfg;
	if (parse_listen(cfg->listen, &sa, e))
		return CL_EINPUT;
	if (!thread_db())
		return err_set(e, CL_EDB, "cannot open the database %s", cfg->db_path);
	compliance_never_wait(lane_refresh_soon);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* MHD_USE_ITC lets MHD_quiesce_daemon() stop the pool's listeners */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
				     MHD_ALLOW_SUSPEND_RESUME,
			     0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
			     (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned)cfg->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)(128 * 1024), MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d) {
		close_all_db();
		return err_set(e, CL_EIO, "cannot listen on %s (in use, or not allowed?)",
			       cfg->listen);
	}
	lane_start();
	write_ready(d, &sa);
	if (config.started)
		config.started(&config);
	sigwait(&set, &sig);
	if (config.stopping)
		config.stopping(); /* requests come first */
	fprintf(stderr, "coopledger: stopping: finishing requests in flight\n");
	listener = drain(d);
	lane_end(); /* every suspended request answered before the pool stops */
	if (config.stopped)
		config.stopped();
	MHD_stop_daemon(d);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	close_all_db();
	cache_clear();
	return CL_OK;
}
