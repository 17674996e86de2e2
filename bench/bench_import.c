/*
 * bench_import.c — `coopledger import` of a generated sales report against
 * the floor: the sqlite3 shell's `.import` of the same file into a plain
 * table with the same columns; then the import of the same rows written as
 * an Excel workbook against the import of the CSV.  All run as child
 * processes under /usr/bin/time, which gives their peak resident memory
 * and CPU seconds; the wall time is measured around them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "bench.h"
#include "db.h"

#define CSV_PATH    "build/bench-import.csv"
#define DB_PATH	    "build/bench-import.db"
#define FLOOR_PATH  "build/bench-import-floor.db"
#define SCHEMA_PATH "build/bench-import-schema.db"
#define XLSX_PATH   "build/bench-import.xlsx"
#define XLSX_DB	    "build/bench-import-xlsx.db"
#define XLSX_ROWS   1048575 /* an Excel sheet holds 1,048,576 rows, its header one */

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

/* Write the same lines as the workbook Excel saves: text cells as shared
 * strings (libxlsxwriter's default mode, as Excel does; 333,000 distinct
 * PO and invoice numbers each on the 1,000,000-line ledger), dates as
 * date cells, money and counts as numbers in their formats. */
static int write_xlsx(const GenLine *g, long n)
{
	static const char *const head[] = {
		"agency_code", "po_number",	  "invoice_number", "line",    "invoice_date",
		"list_amount", "invoiced_amount", "description",    "quantity"};
	lxw_workbook_options opt = {
		.constant_memory = LXW_FALSE, .tmpdir = "build", .use_zip64 = LXW_FALSE};
	lxw_workbook *wb = workbook_new_opt(XLSX_PATH, &opt);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, NULL) : NULL;
	lxw_format *date = wb ? workbook_add_format(wb) : NULL,
		   *money = wb ? workbook_add_format(wb) : NULL;
	const Date excel0 = date_from_ymd(1899, 12, 30); /* serial day 0 */
	char code[16];
	lxw_row_t r;
	int c;

	if (!ws || !date || !money) {
		if (wb)
			workbook_close(wb);
		return -1;
	}
	format_set_num_format(date, "yyyy-mm-dd");
	format_set_num_format(money, "#,##0.00");
	for (c = 0; c < 9; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
	for (r = 1; r <= (lxw_row_t)n; r++) {
		const GenLine *l = &g[r - 1];

		snprintf(code, sizeof code, "A%d", l->agency);
		worksheet_write_string(ws, r, 0, code, NULL);
		worksheet_write_string(ws, r, 1, l->po, NULL);
		worksheet_write_string(ws, r, 2, l->invoice, NULL);
		worksheet_write_number(ws, r, 3, l->line, NULL);
		worksheet_write_number(ws, r, 4, l->day - excel0, date);
		worksheet_write_number(ws, r, 5, (double)l->list / 100, money);
		worksheet_write_number(ws, r, 6, (double)l->invoiced / 100, money);
		worksheet_write_string(ws, r, 7, items[(r - 1) % 4], NULL);
		worksheet_write_number(ws, r, 8, (double)(1 + (r - 1) % 40), NULL);
	}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

#define TIME_OUT "build/bench-time.txt"

/* The CPU seconds (user and system) of the last bench_run(). */
static double last_cpu;

/* Run argv under /usr/bin/time (a fresh, small parent, so the peak RSS it
 * reports is the program's own); see bench.h. */
int bench_run(char *const argv[], const char *in, const char *out, double *secs, long *rss_kib)
{
	char *args[20] = {"/usr/bin/time", "-f", "%M %U %S", "-o", TIME_OUT};
	double user = 0, sys = 0;
	int status, i;
	double t0;
	pid_t pid;
	FILE *f;

	for (i = 0; i < 14 && argv[i]; i++)
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
	if (!f || fscanf(f, "%ld %lf %lf", rss_kib, &user, &sys) != 3)
		*rss_kib = 0;
	last_cpu = user + sys;
	if (f)
		fclose(f);
	unlink(TIME_OUT);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The workbook's table: its import against the CSV's. */
static void print_xlsx(long n, double txgen, double timp, double cimp, long rimp, double tximp,
		       double cximp, long rximp)
{
	printf("\nsales-report import from an Excel workbook (the same %ld rows, shared "
	       "strings)\n\n",
	       n);
	printf("%-40s %12s %10s %10s %10s %12s\n", "benchmark", "rows", "seconds", "CPU s",
	       "vs CSV", "peak RSS");
	printf("%-40s %12ld %10.2f %10s %10s %12s\n", "write the .xlsx (libxlsxwriter)", n, txgen,
	       "-", "-", "-");
	printf("%-40s %12ld %10.2f %10.2f %9.2fx %8.1f MiB\n", "coopledger import of the CSV", n,
	       timp, cimp, 1.0, rimp / 1024.0);
	printf("%-40s %12ld %10.2f %10.2f %9.2fx %8.1f MiB\n", "coopledger import of the .xlsx", n,
	       tximp, cximp, tximp / timp, rximp / 1024.0);
	printf("  target: within 1.5x of the CSV import: %s (%.2fx; CPU time %.2fx); peak RSS at "
	       "most 64 MiB: %s\n",
	       tximp <= 1.5 * timp ? "met" : "MISSED", tximp / timp, cximp / (cimp > 0 ? cimp : 1),
	       rximp <= 64L * 1024 ? "met" : "MISSED");
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
	char *ximp[] = {"build/rel/coopledger", "--db",	 XLSX_DB,   "import",
			"--contract",		"BENCH", XLSX_PATH, NULL};
	char *flo[] = {"/usr/bin/sqlite3", FLOOR_PATH, NULL};
	char *sch[] = {"/usr/bin/sqlite3", "-cmd", "PRAGMA cache_size = -24576", SCHEMA_PATH, NULL};
	double tgen, timp, tflo, tsch, txgen, tximp, cimp, cximp;
	long rimp, rflo, rsch, rximp;
	sqlite3 *db;
	FILE *f;

	tgen = now_s();
	if (write_csv(g, n) || setup(DB_PATH, &db)) {
		free(g);
		return;
	}
	tgen = now_s() - tgen;
	txgen = now_s();
	if (n <= XLSX_ROWS && write_xlsx(g, n)) {
		fprintf(stderr, "bench: writing the workbook failed\n");
		free(g);
		db_close(db);
		return;
	}
	free(g);
	txgen = now_s() - txgen;
	unlink(SCHEMA_PATH);
	unlink(XLSX_DB);
	sqlite3_exec(db, "VACUUM INTO '" SCHEMA_PATH "'", NULL, NULL, NULL);
	sqlite3_exec(db, "VACUUM INTO '" XLSX_DB "'", NULL, NULL, NULL);
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
	cimp = last_cpu;
	if (n <= XLSX_ROWS && bench_run(ximp, NULL, NULL, &tximp, &rximp) != 0) {
		fprintf(stderr, "bench: the import of the workbook failed\n");
		return;
	}
	cximp = last_cpu;
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
	if (n > XLSX_ROWS)
		printf("\nsales-report import from an Excel workbook: not run, %ld rows do not fit "
		       "in one worksheet (%d at most)\n",
		       n, XLSX_ROWS);
	else
		print_xlsx(n, txgen, timp, cimp, rimp, tximp, cximp, rximp);
	if (getenv("BENCH_KEEP")) /* the CSV and both databases, for a closer look */
		return;
	unlink(CSV_PATH);
	unlink(DB_PATH);
	unlink(FLOOR_PATH);
	unlink(SCHEMA_PATH);
	unlink(XLSX_PATH);
	unlink(XLSX_DB);
	unlink("build/bench-floor.sql");
	unlink("build/bench-schema.sql");
}
