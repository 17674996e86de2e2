/*
 * bench_web.c — the web server on the large ledger, in four parts.
 *
 * 1. First requests (issue 15): every page a person opens after a change
 *    to the books — the dashboard, the contract page, the fees, rebates,
 *    compliance and completeness API reports, reconciliation, a member's
 *    portal and an agency page — asked for once, each right after a
 *    one-line import through the API, so that nothing cached helps.
 *    Target: each within 100 ms.
 * 2. Pages under load (issue 5): wrk (32 connections) against the
 *    dashboard, a member's purchase history and an API report, and
 *    against a static CSS file of the same server.  Targets: p99 under
 *    50 ms on each page, the dashboard's requests per second at least 30%
 *    of the static file's.
 * 3. The web under writes (issue 15): wrk with 32 connections on the
 *    dashboard and a member's portal while an import of 100,000 rows goes
 *    through the API and a remittance is recorded every second.  Targets:
 *    p99 under 50 ms, no error, the server's peak RSS under 256 MiB, and
 *    each commit's figure on its page within one second: the dashboard's
 *    "Remitted" after each remittance, the member's "Saved this year"
 *    after the import, both worked out here from what was written.
 * 4. The public catalog (issue 14), with no sign-in, over 1,000 contracts
 *    in force: /catalog and one contract's public page, each with p99
 *    under 20 ms and at least 50% of the static file's requests per
 *    second.
 * `BENCH_ONLY=web` runs this part alone; BENCH_WEB_SECONDS sets the load
 * time of each page and of the web under writes (20 s); BENCH_SERVER_LOG
 * keeps the server's log in a file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agency.h"
#include "bench.h"
#include "buf.h"
#include "contract.h"
#include "db.h"
#include "session.h"
#include "user.h"

#define READY		       "build/bench-web-ready"
#define WRK_OUT		       "build/bench-wrk.txt"
#define MIX_LUA		       "build/bench-mix.lua"
#define TARGET_P99_MS	       50.0
#define TARGET_DASHBOARD_SHARE 30.0 /* % of the static file's requests/s */
#define TARGET_CATALOG_P99_MS  20.0
#define TARGET_CATALOG_SHARE   50.0
#define TARGET_FIRST_MS	       100.0
#define TARGET_FRESH_MS	       1000.0
#define TARGET_RSS_MIB	       256.0
#define CATALOG_CONTRACTS      1000
#define WRITE_ROWS	       100000
#define MAX_REMITS	       4096
#define FRESH_GIVE_UP_S	       120.0 /* a figure not shown by then is reported as never */
#define ANSWER_CAP	       ((size_t)64 << 20)

typedef struct Load {
	double rps, p50, p99; /* requests/s, latency ms */
	long errors;	      /* non-2xx/3xx answers and socket errors */
	long non2xx, timeouts;
} Load;

/* wrk prints "50%    1.23ms"; return milliseconds. */
static double wrk_ms(const char *text, const char *label)
{
	const char *p = strstr(text, label);
	double v;
	char unit[8] = "";

	if (!p || sscanf(p + strlen(label), " %lf%7s", &v, unit) != 2)
		return -1;
	if (strcmp(unit, "us") == 0)
		return v / 1000;
	if (strcmp(unit, "s") == 0)
		return v * 1000;
	if (strcmp(unit, "m") == 0)
		return v * 60000;
	return v;
}

/* The figures of wrk's report in file path.  OUT: *l.  Returns 0, or -1
 * when the report could not be read. */
static int wrk_read(const char *path, Load *l)
{
	char text[8192];
	const char *p;
	long c = 0, r = 0, w = 0, t = 0;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	unlink(path);
	p = strstr(text, "Requests/sec:");
	l->rps = p ? atof(p + 13) : 0;
	l->p50 = wrk_ms(text, " 50%");
	l->p99 = wrk_ms(text, " 99%");
	l->errors = 0;
	l->non2xx = l->timeouts = 0;
	if ((p = strstr(text, "Non-2xx or 3xx responses:")))
		l->errors += (l->non2xx = atol(p + 25));
	if ((p = strstr(text, "Socket errors:")) &&
	    sscanf(p, "Socket errors: connect %ld, read %ld, write %ld, timeout %ld", &c, &r, &w,
		   &t) == 4)
		l->errors += c + r + w + (l->timeouts = t);
	return p || l->rps > 0 ? 0 : -1;
}

/* Run wrk against url with an extra header.  OUT: *l. */
static int run_wrk(const char *url, const char *header, int seconds, Load *l)
{
	char secs[16];
	char *argv[] = {"/usr/bin/wrk", "-t2", "-c32",	       "-d",	    secs,
			"--latency",	"-H",  (char *)header, (char *)url, NULL};
	double t;
	long rss;

	snprintf(secs, sizeof secs, "%ds", seconds);
	if (bench_run(argv, NULL, WRK_OUT, &t, &rss) != 0 || wrk_read(WRK_OUT, l))
		return -1;
	if (l->errors && seconds > 1) /* not the warm-up's, which builds the page */
		fprintf(stderr, "bench: %s answered %ld errors under load\n", url, l->errors);
	return 0;
}

/* One HTTP answer: its status and body (the owner frees body). */
typedef struct Answer {
	int status;
	char *body;
} Answer;

/* One request on a connection of its own, as a browser would make it:
 * method and path, one extra header line (without its CRLF), and a body
 * of type ctype when body is not NULL.  HTTP/1.0, so the answer is never
 * chunked.  OUT: *a when not NULL (status, and the body the caller frees).
 * Returns milliseconds until the whole answer has arrived, or -1. */
static double http(const char *addr, const char *method, const char *path, const char *header,
		   const char *ctype, const char *body, size_t blen, Answer *a)
{
	char host[64], head[1024], chunk[16384];
	struct sockaddr_in sa = {0};
	struct timeval tv = {300, 0};
	const char *colon = strrchr(addr, ':');
	double t0 = now_s(), ms = -1;
	size_t off = 0;
	ssize_t got;
	Buf in;
	int fd, len;

	if (a)
		*a = (Answer){0, NULL};
	if (!colon || (size_t)(colon - addr) >= sizeof host)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (body)
		len = snprintf(head, sizeof head,
			       "%s %s HTTP/1.0\r\nHost: %s\r\n%s\r\nContent-Type: %s\r\n"
			       "Content-Length: %zu\r\n\r\n",
			       method, path, addr, header, ctype, blen);
	else
		len = snprintf(head, sizeof head, "%s %s HTTP/1.0\r\nHost: %s\r\n%s\r\n\r\n",
			       method, path, addr, header);
	if (len <= 0 || (size_t)len >= sizeof head ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, head, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	while (body && off < blen) {
		ssize_t w = write(fd, body + off, blen - off);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	buf_init(&in, ANSWER_CAP);
	while ((got = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_append(&in, chunk, (size_t)got))
			break;
	close(fd);
	if (got == 0 && in.len > 12 && strncmp(in.data, "HTTP/1.", 7) == 0) {
		ms = (now_s() - t0) * 1000;
		if (a) {
			const char *end = strstr(in.data, "\r\n\r\n");

			a->status = atoi(in.data + 9);
			a->body = strdup(end ? end + 4 : "");
		}
	}
	buf_free(&in);
	return ms;
}

/* The money figure after marker in html, as "$1,234.56" or "-$1,234.56".
 * OUT: *m.  Returns 0, or -1 when there is none. */
static int page_money(const char *html, const char *marker, Money *m)
{
	const char *p = html ? strstr(html, marker) : NULL;
	char text[MONEY_BUF];
	size_t n;
	Err e = {0};

	if (!p)
		return -1;
	p += strlen(marker);
	n = strcspn(p, "<");
	if (n == 0 || n >= sizeof text)
		return -1;
	memcpy(text, p, n);
	text[n] = '\0';
	return money_parse(text, m, &e) ? -1 : 0;
}

#define REMITTED_AT "<div class=\"label\">Remitted</div><div class=\"big\">"
#define SAVED_AT    "id=\"saved-this-year\">"

/* A figure of the page at path (dashboard or member portal).  OUT: *m. */
static int figure(const char *addr, const char *path, const char *header, const char *marker,
		  Money *m)
{
	Answer a;
	int rc = -1;

	if (http(addr, "GET", path, header, NULL, NULL, 0, &a) >= 0 && a.status == 200)
		rc = page_money(a.body, marker, m);
	free(a.body);
	return rc;
}

/* Sign-ins made straight in the database: an admin session, a member
 * session and another admin's API token.  OUT: the three header values. */
static int credentials(const char *db_path, char *admin, char *member, char *bearer)
{
	char s[SESSION_SECRET_BUF], csrf[SESSION_SECRET_BUF];
	int64_t a = 0, m = 0, f = 0;
	sqlite3 *db;
	Err e = {0};

	if (db_open(db_path, &db, &e))
		return -1;
	if (user_add(db, "admin@bench.example", "bench-password-1", ROLE_ADMIN, NULL, NULL, "bench",
		     &a, &e) ||
	    user_add(db, "member@bench.example", "bench-password-2", ROLE_MEMBER, "A1", NULL,
		     "bench", &m, &e) ||
	    user_add(db, "office@bench.example", "bench-password-3", ROLE_ADMIN, NULL, NULL,
		     "bench", &f, &e) ||
	    session_create(db, a, time(NULL), s, csrf, &e))
		goto fail;
	snprintf(admin, 128, "Cookie: cl_session=%s", s);
	if (session_create(db, m, time(NULL), s, csrf, &e))
		goto fail;
	snprintf(member, 128, "Cookie: cl_session=%s", s);
	/* the writes come from another member of staff: the pages' readers
	 * are not the people writing */
	if (api_token_create(db, f, "bench", s, NULL, &e))
		goto fail;
	snprintf(bearer, 128, "Authorization: Bearer %s", s);
	db_close(db);
	return 0;
fail:
	fprintf(stderr, "bench: %s\n", e.msg);
	db_close(db);
	return -1;
}

/* CATALOG_CONTRACTS contracts in force on the server's day (2028-07-01),
 * of 20 vendors and 10 categories, each with discount tiers: the public
 * catalog's data.  Made with contract_import(), as `contract import`
 * makes them, without waiting for the disk between them. */
static int catalog_contracts(const char *db_path)
{
	static const char *const cat[] = {"furniture", "seating",    "technology", "vehicles",
					  "tires",     "janitorial", "athletics",  "food service",
					  "library",   "playground"};
	static const char *const word[] = {"Classroom",	 "Office",  "Stacking", "Ergonomic",
					   "Laboratory", "Outdoor", "Library",	"Cafeteria"};
	char doc[1024], code[16], name[64];
	sqlite3 *db;
	Err e = {0};
	int i;

	if (db_open(db_path, &db, &e))
		goto fail;
	if (db_exec(db, &e, "PRAGMA synchronous = OFF", ""))
		goto fail_db;
	for (i = 0; i < 20; i++) {
		snprintf(code, sizeof code, "CV%d", i);
		snprintf(name, sizeof name, "Catalog Supplier %d Inc.", i);
		if (vendor_add(db, code, name, NULL, "bench", NULL, &e))
			goto fail_db;
	}
	for (i = 0; i < CATALOG_CONTRACTS; i++) {
		int len = snprintf(
			doc, sizeof doc,
			"{\"number\":\"CAT-%04d\",\"title\":\"%s %s supplies "
			"%d\",\"category\":\"%s\","
			"\"lead_agency\":\"A0\",\"vendor\":\"CV%d\",\"start\":\"2028-01-01\","
			"\"end\":\"2031-12-31\",\"solicitation\":\"RFP 28-%04d\","
			"\"renewals\":{\"options\":2,\"years\":1},"
			"\"fee\":{\"bands\":[{\"from\":\"0\",\"rate\":\"2%%\"}]},"
			"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"%d%%\"},"
			"{\"from\":\"30000.01\",\"rate\":\"%d%%\"}]}}",
			i, word[i % 8], word[(i / 8) % 8], i, cat[i % 10], i % 20, i, 10 + i % 40,
			12 + i % 40);

		if (contract_import(db, doc, (size_t)len, "bench", NULL, &e))
			goto fail_db;
	}
	db_close(db);
	return 0;
fail_db:
	db_close(db);
fail:
	fprintf(stderr, "bench: catalog contracts: %s\n", e.msg);
	return -1;
}

/* The coopledger binary of the bench's own build: BUILD/bench/bench runs
 * BUILD/coopledger.  OUT: path (size n). */
static void server_binary(char *path, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", path, n - 1);
	char *slash;
	int up;

	path[len > 0 ? len : 0] = '\0';
	for (up = 0; up < 2 && (slash = strrchr(path, '/')); up++)
		*slash = '\0';
	if (up < 2 || strlen(path) + sizeof "/coopledger" > n) {
		snprintf(path, n, "build/rel/coopledger");
		return;
	}
	snprintf(path + strlen(path), n - strlen(path), "/coopledger");
}

/* Start the server on a free port.  OUT: where, "ADDR:PORT" (size n);
 * returns its pid. */
static pid_t serve(const char *db_path, char *where, size_t n)
{
	char bin[512];
	char *argv[] = {bin,	 "--db",     (char *)db_path, "--as-of",      "2028-07-01",
			"serve", "--listen", "127.0.0.1:0",   "--ready-file", READY,
			NULL};
	char addr[64] = "";
	pid_t pid;
	FILE *f;
	int i;

	server_binary(bin, sizeof bin);
	unlink(READY);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* BENCH_SERVER_LOG=FILE keeps the server's log (a line a request,
		 * with its time in the server) for a closer look */
		const char *log = getenv("BENCH_SERVER_LOG");

		if (!freopen(log && *log ? log : "/dev/null", "w", stderr) ||
		    !freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < 200 && access(READY, R_OK) != 0; i++)
		usleep(50000);
	f = fopen(READY, "r");
	if (!f || !fgets(addr, sizeof addr, f)) {
		if (f)
			fclose(f);
		kill(pid, SIGTERM);
		return -1;
	}
	fclose(f);
	addr[strcspn(addr, "\n")] = '\0';
	snprintf(where, n, "%s", addr);
	return pid;
}

/* The server's peak resident set (VmHWM) in KiB, or -1. */
static long peak_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static const char csv_header[] = "agency_code,po_number,invoice_number,line,invoice_date,"
				 "list_amount,invoiced_amount,description,quantity\r\n";

/* A sales report of one line for A1 (a fresh invoice number k), through
 * the API: a change to the books.  An import refused (the database busy
 * with another write, say) is tried again a second later, five times at
 * most; *refused counts the refusals.  Returns 0 when it was written. */
static int import_one(const char *addr, const char *bearer, int k, int *refused)
{
	char csv[512];
	int len = snprintf(csv, sizeof csv,
			   "%sA1,FRESH-PO-%d,FRESH-%d,1,2028-06-30,100.00,40.00,Fresh line,1\r\n",
			   csv_header, k, k);
	int tries;

	for (tries = 0; tries < 5; tries++) {
		Answer a;
		int ok = http(addr, "POST", "/api/v1/contracts/BENCH/imports?file_name=fresh.csv",
			      bearer, "text/csv", csv, (size_t)len, &a) >= 0 &&
			 a.status == 201;

		if (!ok)
			fprintf(stderr, "bench: one-line import %d: HTTP %d %.200s\n", k, a.status,
				a.body ? a.body : "");
		free(a.body);
		if (ok)
			return 0;
		++*refused;
		sleep(1);
	}
	return -1;
}

/* Part 1: each page's first request right after a one-line import. */
static void first_requests(const char *addr, const char *admin, const char *member,
			   const char *bearer, long n)
{
	static const struct {
		const char *name, *path;
		int who; /* 0 admin session, 1 member session, 2 admin API token */
	} page[] = {
		{"dashboard (admin)", "/", 0},
		{"contract page", "/contracts/BENCH", 0},
		{"API report: fees", "/api/v1/contracts/BENCH/fees", 2},
		{"API report: rebates", "/api/v1/contracts/BENCH/rebates", 2},
		{"API report: compliance", "/api/v1/contracts/BENCH/compliance", 2},
		{"API report: completeness", "/api/v1/contracts/BENCH/completeness", 2},
		{"reconciliation", "/reconciliation", 0},
		{"member portal (A1)", "/", 1},
		{"agency page (A1)", "/agencies/A1", 0},
	};
	const char *who[] = {admin, member, bearer};
	double worst = 0;
	int i, missed = 0, refused = 0;

	printf("\nfirst request of each page on the %ld-line ledger, right after a one-line "
	       "import\n\n",
	       n);
	printf("%-28s %-40s %6s %10s %9s %7s\n", "page", "path", "status", "first ms", "target",
	       "");
	for (i = 0; i < (int)(sizeof page / sizeof page[0]); i++) {
		Answer a = {0, NULL};
		double ms = -1;
		int ok;

		if (import_one(addr, bearer, i, &refused) == 0)
			ms = http(addr, "GET", page[i].path, who[page[i].who], NULL, NULL, 0, &a);
		ok = ms >= 0 && a.status == 200 && ms < TARGET_FIRST_MS;
		missed += !ok;
		printf("%-28s %-40s %6d %10.1f %6.0f ms %7s\n", page[i].name, page[i].path,
		       a.status, ms, TARGET_FIRST_MS, ok ? "ok" : "MISSED");
		free(a.body);
		if (ms < 0 || a.status != 200)
			worst = -1;
		else if (worst >= 0 && ms > worst)
			worst = ms;
	}
	bench_note("first request, slowest of 9 pages", worst, "ms", "< 100 ms",
		   missed ? "MISSED" : "ok");
	printf("  (each page asked for once, on a connection of its own, after a one-line import "
	       "through the API: nothing cached; imports refused and tried again: %d)\n",
	       refused);
}

/* The verdict on row i of the loaded pages against the targets: rows 4
 * and 5 are the catalog's. */
static const char *verdict(const Load *l, int i)
{
	int catalog = i >= 4;

	if (i == 0)
		return "-"; /* the yardstick */
	if (l[i].rps <= 0 || l[i].p99 < 0 || l[i].errors ||
	    l[i].p99 >= (catalog ? TARGET_CATALOG_P99_MS : TARGET_P99_MS))
		return "MISSED";
	if (i == 1 && l[1].rps < l[0].rps * TARGET_DASHBOARD_SHARE / 100)
		return "MISSED";
	if (catalog && l[i].rps < l[0].rps * TARGET_CATALOG_SHARE / 100)
		return "MISSED";
	return "ok";
}

/* Part 3: the web under writes.  The remitter thread records a
 * remittance every second through the API; the watcher thread asks for
 * the dashboard and the member's portal again and again and notes when
 * each commit's figure first shows. */
typedef struct Writes {
	const char *addr, *admin, *member, *bearer;
	pthread_mutex_t mu;
	int stop, done; /* stop: no more remittances; done: no more checks */
	int nremit, remit_failed;
	double commit[MAX_REMITS], seen[MAX_REMITS]; /* s; seen 0: not yet */
	Money due[MAX_REMITS];			     /* "Remitted" once remittance i shows */
	double remit_ms_max;			     /* the slowest remittance answer */
	Money remitted0;			     /* "Remitted" before the first */
	double import_commit, import_seen;	     /* s; 0: not yet */
	Money saved_due; /* the member's "Saved" once the import shows */
	int polls;
} Writes;

static void *remitter(void *arg)
{
	Writes *w = arg;
	double next = now_s();
	Money total = w->remitted0;
	char received[DATE_BUF];
	Date day = date_from_ymd(2028, 6, 30), clock;
	int k;

	/* a remittance is never received after the clock's day, whatever
	 * day the server takes as today */
	if (date_today(NULL, &clock, NULL) == CL_OK && clock < day)
		day = clock;
	date_format(day, received);

	for (k = 0; k < MAX_REMITS; k++) {
		char body[256];
		Money amount = 10000 + k % 97; /* $100.00 to $100.96 */
		Answer a;
		double ms, t;
		int len, stop;

		pthread_mutex_lock(&w->mu);
		stop = w->stop;
		pthread_mutex_unlock(&w->mu);
		if (stop)
			break;
		len = snprintf(body, sizeof body,
			       "{\"period\":\"2028-Q1\",\"amount\":\"%" PRId64 ".%02d\","
			       "\"received\":\"%s\",\"reference\":\"BENCH-ACH-%d\"}",
			       amount / 100, (int)(amount % 100), received, k);
		ms = http(w->addr, "POST", "/api/v1/contracts/BENCH/remittances", w->bearer,
			  "application/json", body, (size_t)len, &a);
		t = now_s();
		pthread_mutex_lock(&w->mu);
		if (ms >= 0 && a.status == 201) {
			total += amount;
			w->commit[w->nremit] = t;
			w->due[w->nremit] = total;
			w->seen[w->nremit++] = 0;
			if (ms > w->remit_ms_max)
				w->remit_ms_max = ms;
		} else if (!w->remit_failed++) {
			fprintf(stderr, "bench: a remittance under load failed: HTTP %d %.300s\n",
				a.status, a.body ? a.body : "");
		}
		pthread_mutex_unlock(&w->mu);
		free(a.body);
		next += 1.0;
		if ((t = now_s()) < next)
			usleep((useconds_t)((next - t) * 1e6));
	}
	return NULL;
}

static void *watcher(void *arg)
{
	Writes *w = arg;
	int stop = 0;

	while (!stop) {
		Money remitted = 0, saved = 0;
		int r = figure(w->addr, "/", w->admin, REMITTED_AT, &remitted);
		double t = now_s();
		int s, i;

		pthread_mutex_lock(&w->mu);
		for (i = 0; r == 0 && i < w->nremit; i++)
			if (!w->seen[i] && remitted >= w->due[i])
				w->seen[i] = t;
		pthread_mutex_unlock(&w->mu);
		s = figure(w->addr, "/", w->member, SAVED_AT, &saved);
		t = now_s();
		pthread_mutex_lock(&w->mu);
		if (s == 0 && w->import_commit > 0 && !w->import_seen && saved == w->saved_due)
			w->import_seen = t;
		w->polls++;
		stop = w->done;
		pthread_mutex_unlock(&w->mu);
		usleep(20000);
	}
	return NULL;
}

/* The sales report of the web under writes: WRITE_ROWS lines of every
 * agency dated in 2028-Q2, with fresh invoice numbers.  OUT: *csv (the
 * caller frees), *len, *saved_a1: what A1 saved on its lines (list less
 * invoiced).  Returns 0, or -1. */
static int writes_csv(char **csv, size_t *len, Money *saved_a1)
{
	const Date q2 = date_from_ymd(2028, 4, 1);
	char day[DATE_BUF], la[MONEY_BUF], ia[MONEY_BUF];
	Buf b;
	int k;

	*saved_a1 = 0;
	buf_init(&b, (size_t)WRITE_ROWS * 128);
	if (buf_puts(&b, csv_header))
		goto fail;
	for (k = 0; k < WRITE_ROWS; k++) {
		int agency = k % NAGENCY;
		Money list = 5000 + (Money)(k % 7919) * 251;
		Money invoiced = list - money_apply_rate(list, 600000);

		if (agency == 1)
			*saved_a1 += list - invoiced;
		if (buf_printf(&b, "A%d,UW-PO-%d,UW-%07d,%d,%s,%s,%s,Stacking chair,%d\r\n", agency,
			       k / 3, k / 3, 1 + k % 3, date_format(q2 + (Date)(k % 91), day),
			       money_format(list, la), money_format(invoiced, ia), 1 + k % 12))
			goto fail;
	}
	*len = b.len;
	*csv = buf_steal(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

/* wrk's script: the dashboard (admin) and the member's portal in turn. */
static int write_mix_lua(const char *admin, const char *member)
{
	FILE *f = fopen(MIX_LUA, "w");

	if (!f)
		return -1;
	fprintf(f,
		"local pages = {}\n"
		"local k = 0\n"
		"function init(args)\n"
		"  pages[1] = wrk.format(\"GET\", \"/\", {[\"Cookie\"] = \"%s\"})\n"
		"  pages[2] = wrk.format(\"GET\", \"/\", {[\"Cookie\"] = \"%s\"})\n"
		"end\n"
		"function request()\n"
		"  k = k + 1\n"
		"  return pages[k %% 2 + 1]\n"
		"end\n",
		admin + strlen("Cookie: "), member + strlen("Cookie: "));
	return fclose(f);
}

/* The largest delay in ms between a remittance's commit and its figure
 * on the dashboard, or -1 when one never showed (or none was made).  OUT: *shown, how many showed.
 */
static double worst_delay(const Writes *w, int *shown)
{
	double worst = 0;
	int i;

	*shown = 0;
	if (w->nremit == 0)
		return -1;
	for (i = 0; i < w->nremit; i++) {
		if (!w->seen[i])
			return -1;
		++*shown;
		if ((w->seen[i] - w->commit[i]) * 1000 > worst)
			worst = (w->seen[i] - w->commit[i]) * 1000;
	}
	return worst;
}

static int all_seen(Writes *w)
{
	int i, all;

	pthread_mutex_lock(&w->mu);
	all = w->import_seen > 0;
	for (i = 0; all && i < w->nremit; i++)
		all = w->seen[i] > 0;
	pthread_mutex_unlock(&w->mu);
	return all;
}

static void under_writes(const char *addr, pid_t server, const char *admin, const char *member,
			 const char *bearer, int seconds, long n)
{
	static Writes w; /* large: not on the stack */
	char url[128], dur[16], *csv = NULL;
	/* a request wrk gives up on is left out of its latencies: give up only
	 * after a minute, so that slow answers count in the p99 */
	char *argv[] = {"/usr/bin/wrk", "-t2", "-c32", "-d",	dur, "--latency",
			"--timeout",	"60s", "-s",   MIX_LUA, url, NULL};
	pthread_t rt, wt;
	Money saved_a1 = 0, saved0 = 0;
	Answer a = {0, NULL};
	double t0, timport, ms, fresh_remit, fresh_import;
	size_t len = 0;
	long rss;
	int status, shown;
	pid_t wrk;
	Load l = {0};

	memset(&w, 0, sizeof w);
	w.addr = addr;
	w.admin = admin;
	w.member = member;
	w.bearer = bearer;
	pthread_mutex_init(&w.mu, NULL);
	if (writes_csv(&csv, &len, &saved_a1) || write_mix_lua(admin, member) ||
	    figure(addr, "/", admin, REMITTED_AT, &w.remitted0) ||
	    figure(addr, "/", member, SAVED_AT, &saved0)) {
		fprintf(stderr, "bench: the web under writes could not start\n");
		free(csv);
		return;
	}
	w.saved_due = saved0 + saved_a1;
	snprintf(url, sizeof url, "http://%s/", addr);
	snprintf(dur, sizeof dur, "%ds", 3600); /* stopped by SIGINT below */
	fflush(stdout);
	wrk = fork();
	if (wrk == 0) {
		if (!freopen("/dev/null", "r", stdin) || !freopen(WRK_OUT, "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	t0 = now_s();
	pthread_create(&rt, NULL, remitter, &w);
	pthread_create(&wt, NULL, watcher, &w);
	sleep(2);
	timport = now_s();
	ms = http(addr, "POST", "/api/v1/contracts/BENCH/imports?file_name=under-load.csv", bearer,
		  "text/csv", csv, len, &a);
	timport = now_s() - timport;
	pthread_mutex_lock(&w.mu);
	if (ms >= 0 && a.status == 201)
		w.import_commit = now_s();
	pthread_mutex_unlock(&w.mu);
	if (!(ms >= 0 && a.status == 201))
		fprintf(stderr, "bench: the import under load failed: HTTP %d %.300s\n", a.status,
			a.body ? a.body : "");
	free(a.body);
	free(csv);
	/* load for at least the given time; the figures get until
	 * FRESH_GIVE_UP_S after the last commit to show */
	while (now_s() - t0 < seconds)
		usleep(100000);
	pthread_mutex_lock(&w.mu);
	w.stop = 1;
	pthread_mutex_unlock(&w.mu);
	pthread_join(rt, NULL);
	t0 = now_s();
	while (w.import_commit > 0 && !all_seen(&w) && now_s() - t0 < FRESH_GIVE_UP_S)
		usleep(100000);
	pthread_mutex_lock(&w.mu);
	w.done = 1;
	pthread_mutex_unlock(&w.mu);
	pthread_join(wt, NULL);
	kill(wrk, SIGINT);
	waitpid(wrk, &status, 0);
	rss = peak_rss_kib(server);
	if (wrk_read(WRK_OUT, &l))
		fprintf(stderr, "bench: wrk's report of the web under writes could not be read\n");
	fresh_remit = worst_delay(&w, &shown);
	fresh_import = w.import_seen > 0 ? (w.import_seen - w.import_commit) * 1000 : -1;
	printf("\nthe web under writes on the %ld-line ledger: wrk, 32 connections, the dashboard "
	       "and a member portal in turn, while %d rows are imported through the API and a "
	       "remittance is recorded every second\n\n",
	       n, WRITE_ROWS);
	printf("%-52s %12s %12s %7s\n", "figure", "value", "target", "");
	printf("%-52s %12.0f %12s %7s\n", "requests/s", l.rps, "-", "");
	printf("%-52s %12.2f %12s %7s\n", "p50 ms", l.p50, "-", "");
	printf("%-52s %12.2f %9.0f ms %7s\n", "p99 ms", l.p99, TARGET_P99_MS,
	       l.rps > 0 && l.p99 >= 0 && l.p99 < TARGET_P99_MS ? "ok" : "MISSED");
	printf("%-52s %12ld %12s %7s\n", "errors (non-2xx answers, socket errors, timeouts)",
	       l.errors, "none", l.rps > 0 && l.errors == 0 ? "ok" : "MISSED");
	printf("%-52s %12ld %12s %7s\n", "  of which non-2xx answers", l.non2xx, "-", "");
	printf("%-52s %12ld %12s %7s\n", "  of which timeouts (no answer within 60 s)", l.timeouts,
	       "-", "");
	printf("%-52s %8.1f MiB %8.0f MiB %7s\n", "server peak RSS (VmHWM)", rss / 1024.0,
	       TARGET_RSS_MIB, rss > 0 && rss / 1024.0 < TARGET_RSS_MIB ? "ok" : "MISSED");
	printf("%-52s %12.2f %12s %7s\n", "import of the rows through the API, s", timport, "-",
	       "");
	printf("%-52s %12.1f %12s %7s\n", "import rows/s under load", WRITE_ROWS / timport, "-",
	       "");
	printf("%-52s %8d of %d %12s %7s\n", "remittances recorded (one a second)", w.nremit,
	       w.nremit + w.remit_failed, "all", w.remit_failed ? "MISSED" : "ok");
	printf("%-52s %12.1f %12s %7s\n", "slowest remittance answer, ms", w.remit_ms_max, "-", "");
	printf("%-52s %12.1f %9.0f ms %7s\n", "dashboard shows a remittance, worst ms after commit",
	       fresh_remit, TARGET_FRESH_MS,
	       fresh_remit >= 0 && shown > 0 && fresh_remit < TARGET_FRESH_MS ? "ok" : "MISSED");
	printf("%-52s %12.1f %9.0f ms %7s\n", "member portal shows the import, ms after commit",
	       fresh_import, TARGET_FRESH_MS,
	       fresh_import >= 0 && fresh_import < TARGET_FRESH_MS ? "ok" : "MISSED");
	printf("  (%d page checks of the figures; -1: not shown within %.0f s; the figures "
	       "expected are worked out from what was written)\n",
	       w.polls, FRESH_GIVE_UP_S);
	bench_note("under writes: p99", l.p99, "ms", "< 50 ms",
		   l.rps > 0 && l.p99 >= 0 && l.p99 < TARGET_P99_MS ? "ok" : "MISSED");
	bench_note("under writes: errors", (double)l.errors, "", "none",
		   l.rps > 0 && l.errors == 0 ? "ok" : "MISSED");
	bench_note("under writes: server peak RSS", rss / 1024.0, "MiB", "< 256 MiB",
		   rss > 0 && rss / 1024.0 < TARGET_RSS_MIB ? "ok" : "MISSED");
	bench_note("under writes: a remittance on the dashboard", fresh_remit, "ms", "< 1000 ms",
		   fresh_remit >= 0 && shown > 0 && fresh_remit < TARGET_FRESH_MS ? "ok"
										  : "MISSED");
	bench_note("under writes: the import on the portal", fresh_import, "ms", "< 1000 ms",
		   fresh_import >= 0 && fresh_import < TARGET_FRESH_MS ? "ok" : "MISSED");
	pthread_mutex_destroy(&w.mu);
	unlink(MIX_LUA);
}

void bench_web(const char *db_path, long n)
{
	static const char *const names[] = {"static CSS file",		 "dashboard (admin)",
					    "purchase history (member)", "API report: fees",
					    "catalog (no sign-in)",	 "catalog contract page"};
	const char *paths[] = {"/static/app.css", "/",
			       "/purchases",	  "/api/v1/contracts/BENCH/fees",
			       "/catalog",	  "/catalog/CAT-0500"};
	char admin[128], member[128], bearer[128], addr[96], url[200];
	const char *hdr[6];
	const char *env = getenv("BENCH_WEB_SECONDS");
	int seconds = env ? atoi(env) : 20, i;
	Load l[6] = {{0}};
	pid_t pid;

	if (seconds < 1)
		seconds = 20;
	if (access("/usr/bin/wrk", X_OK) != 0 || credentials(db_path, admin, member, bearer) ||
	    (pid = serve(db_path, addr, sizeof addr)) < 0) {
		fprintf(stderr, "bench: the web benchmark could not start\n");
		return;
	}
	hdr[0] = admin;
	hdr[1] = admin;
	hdr[2] = member;
	hdr[3] = bearer;
	hdr[4] = hdr[5] = "Accept: text/html"; /* a visitor: no sign-in */
	first_requests(addr, admin, member, bearer, n);
	for (i = 0; i < 4; i++) {
		snprintf(url, sizeof url, "http://%s%s", addr, paths[i]);
		run_wrk(url, hdr[i], 1, &l[i]); /* warm up: pages, connections */
		run_wrk(url, hdr[i], seconds, &l[i]);
	}
	under_writes(addr, pid, admin, member, bearer, seconds, n);
	/* the catalog's contracts come after the ledger's pages are measured,
	 * which they would otherwise crowd (the dashboard lists every
	 * contract) */
	for (i = 4; i < 6 && (i > 4 || catalog_contracts(db_path) == 0); i++) {
		snprintf(url, sizeof url, "http://%s%s", addr, paths[i]);
		run_wrk(url, hdr[i], 1, &l[i]);
		run_wrk(url, hdr[i], seconds, &l[i]);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(READY);
	printf("\nweb server on the %ld-line ledger (wrk, 32 connections, %d s each)\n\n", n,
	       seconds);
	printf("%-28s %11s %8s %9s %9s %7s %7s\n", "page", "requests/s", "p50 ms", "p99 ms",
	       "vs static", "errors", "target");
	for (i = 0; i < 6; i++)
		printf("%-28s %11.0f %8.2f %9.2f %8.0f%% %7ld %7s\n", names[i], l[i].rps, l[i].p50,
		       l[i].p99, l[0].rps > 0 ? 100 * l[i].rps / l[0].rps : 0, l[i].errors,
		       verdict(l, i));
	printf("\ntargets: p99 under %.0f ms on each page and no error; the dashboard at least "
	       "%.0f%% of the static file's requests/s; the catalog's pages (%d contracts in "
	       "force) p99 under %.0f ms and at least %.0f%% of the static file's requests/s.\n",
	       TARGET_P99_MS, TARGET_DASHBOARD_SHARE, CATALOG_CONTRACTS, TARGET_CATALOG_P99_MS,
	       TARGET_CATALOG_SHARE);
}
