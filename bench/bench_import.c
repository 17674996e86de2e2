/*
 * bench_import.c — `coopledger import` of a generated sales report against
 * the floor: the sqlite3 shell's `.import` of the same file into a plain
 * table with the same columns.  Both run as child processes; their wall
 * time and peak resident memory come from wait4().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "db.h"

#define CSV_PATH "build/bench-import.csv"
#define DB_PATH "build/bench-import.db"
#define FLOOR_PATH "build/bench-import-floor.db"

static const char header[] = "agency_code,po_number,invoice_number,line,invoice_date,"
			     "list_amount,invoiced_amount,description,quantity";

static const char *const items[] = {"Student desk, adjustable height", "Stacking chair 18\"",
				    "Activity table 30 x 60", "Bookcase, 5-shelf"};

/* Write the lines as a vendor's CSV report. */
static int write_csv(const GenLine *g, long n)
{
	char day[DATE_BUF], la[MONEY_BUF], ia[MONEY_BUF];
	FILE *f = fopen(CSV_PATH, "w");
	long i;

	if (!f)
		return -1;
	fprintf(f, "%s\r\n", header);
	for (i = 0; i < n; i++) {
		const char *it = items[i % 4];

		fprintf(f, "A%d,%s,%s,%d,%s,%s,%s,\"", g[i].agency, g[i].po, g[i].invoice, g[i].line,
			date_format(g[i].day, day), money_format(g[i].list, la),
			money_format(g[i].invoiced, ia));
		for (; *it; it++)
			fputs(*it == '"' ? "\"\"" : (char[]){*it, 0}, f);
		fprintf(f, "\",%ld\r\n", 1 + i % 40);
	}
	return fclose(f);
}

#define TIME_OUT "build/bench-time.txt"

/* Run argv under /usr/bin/time (a fresh, small parent, so the peak RSS it
 * reports is the program's own); see bench.h. */
int bench_run(char *const argv[], const char *in, const char *out, double *secs, long *rss_kib)
{
	char *args[16] = {"/usr/bin/time", "-f", "%M", "-o", TIME_OUT};
	int status, i;
	double t0;
	pid_t pid;
	FILE *f;

	for (i = 0; argv[i] && i < 10; i++)
		args[5 + i] = argv[i];
	fflush(stdout);
	t0 = now_s();
	pid = fork();
	if (pid == 0) {
		if (!freopen(in ? in : "/dev/null", "r", stdin) ||
		    !freopen(out ? out : "/dev/null", "w", stdout))
			_exit(127);
		execv(args[0], args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	*secs = now_s() - t0;
	f = fopen(TIME_OUT, "r");
	if (!f || fscanf(f, "%ld", rss_kib) != 1)
		*rss_kib = 0;
	if (f)
		fclose(f);
	unlink(TIME_OUT);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void bench_import(GenLine *g, long n)
{
	static const char floor_sql[] =
		"CREATE TABLE t(agency_code TEXT, po_number TEXT, invoice_number TEXT, line INTEGER,"
		" invoice_date TEXT, list_amount TEXT, invoiced_amount TEXT, description TEXT,"
		" quantity TEXT);\n.mode csv\n.import --skip 1 " CSV_PATH " t\n";
	char *imp[] = {"build/rel/coopledger", "--db", DB_PATH, "import", "--contract", "BENCH",
		       CSV_PATH, NULL};
	char *flo[] = {"/usr/bin/sqlite3", FLOOR_PATH, NULL};
	double tgen, timp, tflo;
	long rimp, rflo;
	sqlite3 *db;
	FILE *f;

	tgen = now_s();
	if (write_csv(g, n) || setup(DB_PATH, &db)) {
		free(g);
		return;
	}
	free(g);
	tgen = now_s() - tgen;
	db_close(db);
	unlink(FLOOR_PATH);
	f = fopen("build/bench-floor.sql", "w");
	if (!f)
		return;
	fputs(floor_sql, f);
	fclose(f);
	if (bench_run(flo, "build/bench-floor.sql", NULL, &tflo, &rflo) != 0 ||
	    bench_run(imp, NULL, NULL, &timp, &rimp) != 0) {
		fprintf(stderr, "bench: the import or the floor failed\n");
		return;
	}
	printf("\nsales-report import (%ld rows, one CSV file)\n\n", n);
	printf("%-40s %12s %10s %14s %10s %12s\n", "benchmark", "rows", "seconds", "rows/s",
	       "vs floor", "peak RSS");
	printf("%-40s %12ld %10.2f %14.0f %10s %12s\n", "write the CSV and set up", n, tgen,
	       n / tgen, "-", "-");
	printf("%-40s %12ld %10.2f %14.0f %9.2fx %8.1f MiB\n", "sqlite3 .import, plain table (floor)",
	       n, tflo, n / tflo, 1.0, rflo / 1024.0);
	printf("%-40s %12ld %10.2f %14.0f %9.2fx %8.1f MiB\n", "coopledger import (all checks)", n,
	       timp, n / timp, timp / tflo, rimp / 1024.0);
	unlink(CSV_PATH);
	unlink(DB_PATH);
	unlink(FLOOR_PATH);
	unlink("build/bench-floor.sql");
}
