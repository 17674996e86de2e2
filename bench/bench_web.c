/*
 * bench_web.c — the web server under load: wrk (32 connections) against
 * the dashboard, a member's purchase history and an API report on the
 * large ledger, and against a static CSS file of the same server.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "db.h"
#include "session.h"
#include "user.h"

#define READY "build/bench-web-ready"
#define WRK_OUT "build/bench-wrk.txt"

typedef struct Load {
	double rps, p50, p99; /* requests/s, latency ms */
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
	char *argv[] = {"/usr/bin/wrk", "-t2", "-c32", "-d", secs, "--latency", "-H",
			(char *)header, (char *)url, NULL};
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
	if (user_add(db, "admin@bench.example", "bench-password-1", ROLE_ADMIN, NULL, NULL,
		     "bench", &a, &e) ||
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

/* Start the server on a free port.  OUT: base URL; returns its pid. */
static pid_t serve(const char *db_path, char *base, size_t n)
{
	char *argv[] = {"build/rel/coopledger", "--db", (char *)db_path, "--as-of", "2028-07-01",
			"serve", "--listen", "127.0.0.1:0", "--ready-file", READY, NULL};
	char addr[64] = "";
	pid_t pid;
	FILE *f;
	int i;

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
	snprintf(base, n, "http://%s", addr);
	return pid;
}

void bench_web(const char *db_path, long n)
{
	static const char *const names[] = {"static CSS file", "dashboard (admin)",
					    "purchase history (member)", "API report: fees"};
	const char *paths[] = {"/static/app.css", "/", "/purchases", "/api/v1/contracts/BENCH/fees"};
	char admin[128], member[128], bearer[128], base[96], url[200];
	const char *hdr[4];
	const char *env = getenv("BENCH_WEB_SECONDS");
	int seconds = env ? atoi(env) : 20, i;
	Load l[4] = {{0}};
	pid_t pid;

	if (access("/usr/bin/wrk", X_OK) != 0 || credentials(db_path, admin, member, bearer) ||
	    (pid = serve(db_path, base, sizeof base)) < 0) {
		fprintf(stderr, "bench: the web benchmark could not start\n");
		return;
	}
	hdr[0] = admin;
	hdr[1] = admin;
	hdr[2] = member;
	hdr[3] = bearer;
	for (i = 0; i < 4; i++) {
		snprintf(url, sizeof url, "%s%s", base, paths[i]);
		run_wrk(url, hdr[i], 1, &l[i]); /* warm up: caches, pages, connections */
		run_wrk(url, hdr[i], seconds, &l[i]);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(READY);
	printf("\nweb server on the %ld-line ledger (wrk, 32 connections, %d s each)\n\n", n, seconds);
	printf("%-32s %12s %10s %10s %14s\n", "target", "requests/s", "p50 ms", "p99 ms",
	       "vs static rps");
	for (i = 0; i < 4; i++)
		printf("%-32s %12.0f %10.2f %10.2f %13.0f%%\n", names[i], l[i].rps, l[i].p50, l[i].p99,
		       l[0].rps > 0 ? 100 * l[i].rps / l[0].rps : 0);
}
