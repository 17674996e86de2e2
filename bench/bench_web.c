/*
 * bench_web.c — the web server under load: wrk (32 connections) against
 * the dashboard, a member's purchase history and an API report on the
 * large ledger, and against a static CSS file of the same server.  Each
 * page is first asked for once on its own, which builds its cached report
 * (the time a request takes right after the books change), then warmed up
 * and loaded.  The targets (issue 5): p99 under 50 ms on each page, and
 * the dashboard's requests per second at least 30% of the static file's.
 * The public catalog (issue 14) is loaded the same way, with no sign-in,
 * over 1,000 contracts in force: /catalog and one contract's public page,
 * each with p99 under 20 ms and at least 50% of the static file's
 * requests per second.
 * `BENCH_ONLY=web` runs this part alone; BENCH_WEB_SECONDS sets the load
 * time (20 s).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agency.h"
#include "bench.h"
#include "contract.h"
#include "db.h"
#include "session.h"
#include "user.h"

#define READY		       "build/bench-web-ready"
#define WRK_OUT		       "build/bench-wrk.txt"
#define TARGET_P99_MS	       50.0
#define TARGET_DASHBOARD_SHARE 30.0 /* % of the static file's requests/s */
#define TARGET_CATALOG_P99_MS  20.0
#define TARGET_CATALOG_SHARE   50.0
#define CATALOG_CONTRACTS      1000

typedef struct Load {
	double rps, p50, p99; /* requests/s, latency ms */
	double first;	      /* ms of the first request, on its own */
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
	return v;
}

/* Run wrk against url with an extra header.  OUT: *l. */
static int run_wrk(const char *url, const char *header, int seconds, Load *l)
{
	char secs[16], text[8192];
	char *argv[] = {"/usr/bin/wrk", "-t2", "-c32",	       "-d",	    secs,
			"--latency",	"-H",  (char *)header, (char *)url, NULL};
	double t;
	long rss;
	size_t n;
	FILE *f;
	const char *rps;

	snprintf(secs, sizeof secs, "%ds", seconds);
	if (bench_run(argv, NULL, WRK_OUT, &t, &rss) != 0 || !(f = fopen(WRK_OUT, "r")))
		return -1;
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	unlink(WRK_OUT);
	rps = strstr(text, "Requests/sec:");
	l->rps = rps ? atof(rps + 13) : 0;
	l->p50 = wrk_ms(text, " 50%");
	l->p99 = wrk_ms(text, " 99%");
	if (strstr(text, "Non-2xx"))
		fprintf(stderr, "bench: %s answered errors under load\n", url);
	return 0;
}

/* One GET of path with an extra header on a connection of its own, as a
 * browser would make it after a change to the books: returns milliseconds
 * until the whole answer has arrived, or -1. */
static double first_request(const char *addr, const char *path, const char *header)
{
	char host[64], req[512], buf[16384];
	struct sockaddr_in sa = {0};
	const char *colon = strrchr(addr, ':');
	double t0 = now_s();
	int fd, len;

	if (!colon || (size_t)(colon - addr) >= sizeof host)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	len = snprintf(req, sizeof req,
		       "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\nConnection: close\r\n\r\n", path, addr,
		       header);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, req, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	while (read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
	return (now_s() - t0) * 1000;
}

/* Sign-ins made straight in the database: an admin session, a member
 * session and an admin API token.  OUT: the three header values. */
static int credentials(const char *db_path, char *admin, char *member, char *bearer)
{
	char s[SESSION_SECRET_BUF], csrf[SESSION_SECRET_BUF];
	int64_t a = 0, m = 0;
	sqlite3 *db;
	Err e = {0};

	if (db_open(db_path, &db, &e))
		return -1;
	if (user_add(db, "admin@bench.example", "bench-password-1", ROLE_ADMIN, NULL, NULL, "bench",
		     &a, &e) ||
	    user_add(db, "member@bench.example", "bench-password-2", ROLE_MEMBER, "A1", NULL,
		     "bench", &m, &e) ||
	    session_create(db, a, time(NULL), s, csrf, &e))
		goto fail;
	snprintf(admin, 128, "Cookie: cl_session=%s", s);
	if (session_create(db, m, time(NULL), s, csrf, &e))
		goto fail;
	snprintf(member, 128, "Cookie: cl_session=%s", s);
	if (api_token_create(db, a, "bench", s, NULL, &e))
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
		if (!freopen("/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
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

/* The verdict on row i against the targets: rows 4 and 5 are the
 * catalog's. */
static const char *verdict(const Load *l, int i)
{
	int catalog = i >= 4;

	if (i == 0)
		return "-"; /* the yardstick */
	if (l[i].rps <= 0 || l[i].p99 < 0 ||
	    l[i].p99 >= (catalog ? TARGET_CATALOG_P99_MS : TARGET_P99_MS))
		return "MISSED";
	if (i == 1 && l[1].rps < l[0].rps * TARGET_DASHBOARD_SHARE / 100)
		return "MISSED";
	if (catalog && l[i].rps < l[0].rps * TARGET_CATALOG_SHARE / 100)
		return "MISSED";
	return "ok";
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
	for (i = 0; i < 6; i++) {
		/* the catalog's contracts come after the ledger's pages are
		 * measured, which they would otherwise crowd (the dashboard
		 * lists every contract) */
		if (i == 4 && catalog_contracts(db_path))
			break;
		snprintf(url, sizeof url, "http://%s%s", addr, paths[i]);
		l[i].first = first_request(addr, paths[i], hdr[i]); /* builds its report */
		run_wrk(url, hdr[i], 1, &l[i]); /* warm up: pages, connections */
		run_wrk(url, hdr[i], seconds, &l[i]);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(READY);
	printf("\nweb server on the %ld-line ledger (wrk, 32 connections, %d s each)\n\n", n,
	       seconds);
	printf("%-28s %11s %8s %9s %9s %10s %7s\n", "page", "requests/s", "p50 ms", "p99 ms",
	       "vs static", "first ms", "target");
	for (i = 0; i < 6; i++)
		printf("%-28s %11.0f %8.2f %9.2f %8.0f%% %10.1f %7s\n", names[i], l[i].rps,
		       l[i].p50, l[i].p99, l[0].rps > 0 ? 100 * l[i].rps / l[0].rps : 0, l[i].first,
		       verdict(l, i));
	printf("\ntargets: p99 under %.0f ms on each page; the dashboard at least %.0f%% of the "
	       "static file's requests/s; the catalog's pages (%d contracts in force) p99 under "
	       "%.0f ms and at least %.0f%% of the static file's requests/s.\n'first ms': one "
	       "request on its own with nothing cached, as right after a change to the books.\n",
	       TARGET_P99_MS, TARGET_DASHBOARD_SHARE, CATALOG_CONTRACTS, TARGET_CATALOG_P99_MS,
	       TARGET_CATALOG_SHARE);
}
