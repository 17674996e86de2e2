/*
 * bench_reports.c — the money reports on a large ledger, against the floor
 * (the sqlite3 shell computing the plain SUM ... GROUP BY aggregates each
 * report needs) and against `ledger` computing per-member balances from
 * the exported journal (what finance staff would otherwise use).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define ASOF	 "2028-07-01"
#define JOURNAL	 "build/bench-journal.ledger"
#define SQL_PATH "build/bench-floor-reports.sql"

typedef struct Timing {
	const char *name;
	double secs;
} Timing;

/* Time `coopledger --db DB --as-of ASOF a1 a2 --contract BENCH [--json]`,
 * its output to out (or /dev/null). */
static double time_cl(const char *db, char *a1, char *a2, int json, const char *out)
{
	char *argv[] = {"build/rel/coopledger",
			"--db",
			(char *)db,
			"--as-of",
			ASOF,
			a1,
			a2,
			"--contract",
			"BENCH",
			json ? "--json" : NULL,
			NULL,
			NULL,
			NULL};

	if (json && strcmp(a2, "rebates") == 0) { /* the year the floor sums */
		argv[10] = "--year";
		argv[11] = "3";
	}
	double s = -1;
	long rss;

	if (bench_run(argv, NULL, out, &s, &rss) != 0)
		fprintf(stderr, "bench: coopledger %s %s failed\n", a1, a2);
	return s;
}

/* Time the sqlite3 shell on one query. */
static double time_sql(const char *db, const char *sql)
{
	char *argv[] = {"/usr/bin/sqlite3", (char *)db, NULL};
	double s = -1;
	long rss;
	FILE *f = fopen(SQL_PATH, "w");

	if (!f)
		return -1;
	fputs(sql, f);
	fclose(f);
	if (bench_run(argv, SQL_PATH, NULL, &s, &rss) != 0)
		fprintf(stderr, "bench: sqlite3 failed\n");
	unlink(SQL_PATH);
	return s;
}

/* One line of the table; against a floor, whether it is within 3x. */
static void row(const char *name, long n, double secs, double floor_s)
{
	char ratio[32] = "-";

	if (floor_s > 0)
		snprintf(ratio, sizeof ratio, "%.2fx", secs / floor_s);
	printf("%-44s %10ld %10.3f %12s  %s\n", name, n, secs, ratio,
	       floor_s > 0 ? (secs <= 3 * floor_s ? "met" : "MISSED") : "");
}

void bench_reports(const char *db, long n)
{
	double fees, rebates, comp, f_fees, f_reb, f_comp, exp, led;
	char *largv[] = {"/usr/bin/ledger", "-f", JOURNAL, "bal", "^Members", NULL};
	long rss;

	fees = time_cl(db, "report", "fees", 1, NULL);
	rebates = time_cl(db, "report", "rebates", 1, NULL);
	comp = time_cl(db, "report", "compliance", 1, NULL);
	/* the floors read the same live lines the reports do */
	f_fees = time_sql(db, "SELECT invoice_date, sum(invoiced_amount) FROM live_purchase "
			      "WHERE contract_id = 1 GROUP BY invoice_date;\n");
	f_reb = time_sql(db, "SELECT agency_id, sum(invoiced_amount) FROM live_purchase WHERE "
			     "contract_id = 1 AND invoice_date BETWEEN '2027-07-01' AND "
			     "'2028-06-30' GROUP BY agency_id;\n");
	f_comp = time_sql(db, "SELECT agency_id, po_number, sum(list_amount) FROM live_purchase "
			      "WHERE contract_id = 1 GROUP BY agency_id, po_number;\n");
	exp = time_cl(db, "export", "ledger", 0, JOURNAL);
	if (bench_run(largv, NULL, NULL, &led, &rss) != 0)
		led = -1;
	printf("\nmoney reports on the %ld-line ledger (as of %s)\n\n", n, ASOF);
	printf("%-44s %10s %10s %12s  %s\n", "benchmark", "lines", "seconds", "vs floor", "target");
	row("sqlite3 SUM by day (floor for fees)", n, f_fees, 0);
	row("coopledger report fees", n, fees, f_fees);
	row("sqlite3 SUM by agency, year 3 (floor)", n, f_reb, 0);
	row("coopledger report rebates (year 3)", n, rebates, f_reb);
	row("sqlite3 SUM by order (floor for compliance)", n, f_comp, 0);
	row("coopledger report compliance", n, comp, f_comp);
	row("coopledger export ledger (journal)", n, exp, 0);
	printf("%-44s %10ld %10.3f %11.1fx  %s\n", "ledger bal ^Members on the journal", n, led,
	       led / (rebates > 0 ? rebates : 1), led >= 10 * rebates ? "met" : "MISSED");
	printf("  (targets: each report within 3x of its floor; ledger's per-member\n"
	       "   balances at least 10x slower than coopledger's per-member rebate report)\n");
	unlink(JOURNAL);
}
