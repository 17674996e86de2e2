/*
 * bench_statements.c — `make bench`: PDF member statements of one quarter
 * of KS-FURN-2025 on the demo database (statements per second, by running
 * the real binary), and instructions per statement under callgrind,
 * measured twice and without start-up.  BENCH_BIN names another binary
 * than build/rel/coopledger; BENCH_ONLY=statements runs this section
 * alone.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BIN	   "build/rel/coopledger"
#define DEMO_DB	   "build/bench-demo.db"
#define OUT_DIR	   "build/bench-statements"
#define OUT_DIR_CG "build/bench-statements-cg"
#define CG_OUT	   "build/bench-statements.callgrind"

/* Number of .pdf files in dir. */
static int count_pdfs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		n += len > 4 && strcmp(de->d_name + len - 4, ".pdf") == 0;
	}
	closedir(d);
	return n;
}

/* The "summary:" (or "totals:") instruction count of a callgrind output
 * file, or -1. */
static long long callgrind_total(const char *path)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "summary:", 8) == 0 ||
		    (v < 0 && strncmp(line, "totals:", 7) == 0))
			v = strtoll(line + (line[0] == 's' ? 8 : 7), NULL, 10);
	fclose(f);
	return v;
}

/* Remove the PDFs a previous run left. */
static void clean_out(void)
{
	char *const rm[] = {"rm", "-rf", OUT_DIR, OUT_DIR_CG, CG_OUT, NULL};
	double s;
	long k;

	bench_run(rm, NULL, NULL, &s, &k);
}

/* The binary measured: $BENCH_BIN, or the release build. */
static const char *bench_bin(void)
{
	const char *b = getenv("BENCH_BIN");

	return b && *b ? b : BIN;
}

/* Instructions (Ir) callgrind counts for `coopledger ... statements ARGS`
 * on the demo database, or -1 when valgrind failed.  OUT: *secs. */
static long long callgrind_ir(const char *args, double *secs)
{
	char cmd[1024];
	char *const cg[] = {"/bin/sh", "-c", cmd, NULL};
	long rss;

	/* the same starting point every time: no output file, no callgrind file */
	snprintf(cmd, sizeof cmd,
		 "rm -rf " OUT_DIR_CG " " CG_OUT " && "
		 "exec valgrind --tool=callgrind --callgrind-out-file=" CG_OUT " %s --db " DEMO_DB
		 " --as-of 2026-11-25 statements --contract KS-FURN-2025 %s --kind member "
		 "--out " OUT_DIR_CG " --creation-date 2026-11-25 2>/dev/null",
		 bench_bin(), args);
	return bench_run(cg, NULL, NULL, secs, &rss) == 0 ? callgrind_total(CG_OUT) : -1;
}

/* Instructions per statement, twice, so that their stability shows: a run
 * writing one statement (USD233) minus a run writing none (a quarter with
 * no purchases yet), which leaves start-up, the schema check and the
 * agency query out. */
static void callgrind_report(void)
{
	long long one[2], none[2], d;
	double t;
	int i;

	callgrind_ir("--period 2026-Q3 --agency USD233", &t); /* warm-up: WAL checkpointed */
	for (i = 0; i < 2; i++) {
		one[i] = callgrind_ir("--period 2026-Q3 --agency USD233", &t);
		none[i] = callgrind_ir("--period 2028-Q2", &t);
	}
	if (one[0] < 0 || one[1] < 0 || none[0] < 0 || none[1] < 0) {
		printf("%-40s %12s\n", "one statement under callgrind", "(valgrind failed)");
		return;
	}
	printf("\ninstructions (callgrind Ir), two runs each\n\n");
	printf("%-40s %16s %16s\n", "run", "first", "second");
	printf("%-40s %16lld %16lld\n", "one statement (USD233, 2026-Q3)", one[0], one[1]);
	printf("%-40s %16lld %16lld\n", "no statement (start-up only)", none[0], none[1]);
	d = (one[1] - none[1]) - (one[0] - none[0]);
	printf("%-40s %16lld %16lld   %+lld (%.4f%%) between runs\n",
	       "per statement (one minus none)", one[0] - none[0], one[1] - none[1], d,
	       100.0 * (double)d / (double)(one[0] - none[0]));
}

void bench_statements(void)
{
	char load_cmd[512], all_cmd[1024];
	char *const demo[] = {"rm", "-f", DEMO_DB, NULL};
	/* bench_run takes at most ten arguments: longer commands go through sh. */
	char *const load[] = {"/bin/sh", "-c", load_cmd, NULL};
	char *const all[] = {"/bin/sh", "-c", all_cmd, NULL};
	double secs;
	long rss;
	int n;

	snprintf(load_cmd, sizeof load_cmd, "exec %s --db " DEMO_DB " --as-of 2026-11-25 demo",
		 bench_bin());
	snprintf(all_cmd, sizeof all_cmd,
		 "exec %s --db " DEMO_DB " --as-of 2026-11-25 statements --contract KS-FURN-2025 "
		 "--period 2026-Q3 --kind member --out " OUT_DIR " --creation-date 2026-11-25",
		 bench_bin());
	bench_run(demo, NULL, NULL, &secs, &rss);
	if (bench_run(load, NULL, NULL, &secs, &rss) != 0) {
		fprintf(stderr, "bench: the demo database failed\n");
		return;
	}
	clean_out();
	if (bench_run(all, NULL, NULL, &secs, &rss) != 0) {
		fprintf(stderr, "bench: statements failed\n");
		return;
	}
	n = count_pdfs(OUT_DIR);
	printf("\nPDF member statements (KS-FURN-2025, 2026-Q3, demo database)\n\n");
	printf("%-40s %12s %10s %14s %12s\n", "benchmark", "statements", "seconds", "statements/s",
	       "max RSS");
	printf("%-40s %12d %10.2f %14.1f %8.1f MiB\n", "coopledger statements --kind member", n,
	       secs, n / secs, rss / 1024.0);
	callgrind_report();
	clean_out();
}
