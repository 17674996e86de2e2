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

#define CSV_PATH    "build/bench-import.csv"
#define DB_PATH	    "build/bench-import.db"
#define FLOOR_PATH  "build/bench-import-floor.db"
#define SCHEMA_PATH "build/bench-import-schema.db"

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

		fprintf(f, "A%d,%s,%s,%d,%s,%s,%s,\"", g[i].agency, g[i].po, g[i].invoice,
			g[i].line, date_format(g[i].day, day), money_format(g[i].list, la),
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
	char *args[20] = {"/usr/bin/time", "-f", "%M", "-o", TIME_OUT};
	int status, i;
	double t0;
	pid_t pid;
	FILE *f;

	for (i = 0; argv[i] && i < 14; i++)
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
		"CREATE TABLE t(agency_code TEXT, po_number TEXT, invoice_number TEXT, line "
		"INTEGER,"
		" invoice_date TEXT, list_amount TEXT, invoiced_amount TEXT, description TEXT,"
		" quantity TEXT);\n.mode csv\n.import --skip 1 " CSV_PATH " t\n";
	char *imp[] = {"build/rel/coopledger", "--db",	DB_PATH,  "import",
		       "--contract",	       "BENCH", CSV_PATH, NULL};
	/* The same rows into the ledger's own table, its indexes, constraints
	 * and WAL, by one INSERT ... SELECT: no checks and no hash chain. */
	static const char schema_sql[] =
		"ATTACH '" FLOOR_PATH "' AS f;\nBEGIN;\n"
		"INSERT INTO purchase(contract_id, agency_id, po_number, invoice_number, line,"
		" invoice_date, description, quantity, list_amount, invoiced_amount, batch_id,"
		" created_at, created_by, hash)"
		" SELECT 1, a.id, t.po_number, t.invoice_number, t.line, t.invoice_date,"
		" t.description, t.quantity, CAST(round(t.list_amount * 100) AS INTEGER),"
		" CAST(round(t.invoiced_amount * 100) AS INTEGER), NULL, '2026-01-01T00:00:00Z',"
		" 'bench', printf('%064d', t.rowid) FROM f.t JOIN agency a ON a.code = "
		"t.agency_code;\n"
		"COMMIT;\n";
	char *flo[] = {"/usr/bin/sqlite3", FLOOR_PATH, NULL};
	char *sch[] = {"/usr/bin/sqlite3", "-cmd", "PRAGMA cache_size = -24576", SCHEMA_PATH, NULL};
	double tgen, timp, tflo, tsch;
	long rimp, rflo, rsch;
	sqlite3 *db;
	FILE *f;

	tgen = now_s();
	if (write_csv(g, n) || setup(DB_PATH, &db)) {
		free(g);
		return;
	}
	free(g);
	tgen = now_s() - tgen;
	unlink(SCHEMA_PATH);
	sqlite3_exec(db, "VACUUM INTO '" SCHEMA_PATH "'", NULL, NULL, NULL);
	db_close(db);
	unlink(FLOOR_PATH);
	f = fopen("build/bench-floor.sql", "w");
	if (!f)
		return;
	fputs(floor_sql, f);
	fclose(f);
	f = fopen("build/bench-schema.sql", "w");
	if (!f)
		return;
	fputs(schema_sql, f);
	fclose(f);
	if (bench_run(flo, "build/bench-floor.sql", NULL, &tflo, &rflo) != 0 ||
	    bench_run(sch, "build/bench-schema.sql", NULL, &tsch, &rsch) != 0 ||
	    bench_run(imp, NULL, NULL, &timp, &rimp) != 0) {
		fprintf(stderr, "bench: the import or the floor failed\n");
		return;
	}
	printf("\nsales-report import (%ld rows, one CSV file)\n\n", n);
	printf("%-40s %12s %10s %14s %10s %12s\n", "benchmark", "rows", "seconds", "rows/s",
	       "vs floor", "peak RSS");
	printf("%-40s %12ld %10.2f %14.0f %10s %12s\n", "write the CSV and set up", n, tgen,
	       n / tgen, "-", "-");
	printf("%-40s %12ld %10.2f %14.0f %9.2fx %8.1f MiB\n",
	       "sqlite3 .import, plain table (floor)", n, tflo, n / tflo, 1.0, rflo / 1024.0);
	printf("%-40s %12ld %10.2f %14.0f %9.2fx %8.1f MiB\n",
	       "same rows into the ledger schema (SQL)", n, tsch, n / tsch, tsch / tflo,
	       rsch / 1024.0);
	printf("%-40s %12ld %10.2f %14.0f %9.2fx %8.1f MiB\n", "coopledger import (all checks)", n,
	       timp, n / timp, timp / tflo, rimp / 1024.0);
	printf("  target: within 2x of the floor: %s (%.2fx); peak RSS at most 64 MiB: %s\n"
	       "  coopledger import / the same rows into the ledger schema: %.2fx\n",
	       timp <= 2 * tflo ? "met" : "MISSED", timp / tflo,
	       rimp <= 64L * 1024 ? "met" : "MISSED", timp / tsch);
	if (getenv("BENCH_KEEP")) /* the CSV and both databases, for a closer look */
		return;
	unlink(CSV_PATH);
	unlink(DB_PATH);
	unlink(FLOOR_PATH);
	unlink(SCHEMA_PATH);
	unlink("build/bench-floor.sql");
	unlink("build/bench-schema.sql");
}
