/*
 * bench_statements.c — `make bench`: PDF member statements of one quarter
 * of KS-FURN-2025 on the demo database (statements per second, by running
 * the real binary, and their sizes), and instructions per statement under
 * callgrind, measured twice and without start-up, each beside its target:
 * at most 20 million instructions and 60 KB per member statement, and the
 * 286 statements of a quarter for every Kansas district in under 5
 * seconds (at the rate measured over the quarter's statements of the
 * demo).  BENCH_BIN names another binary than build/rel/coopledger;
 * BENCH_ONLY=statements runs this section alone.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bench.h"

#define BIN	   "build/rel/coopledger"
#define DEMO_DB	   "build/bench-demo.db"
#define OUT_DIR	   "build/bench-statements"
#define OUT_DIR_CG "build/bench-statements-cg"
#define CG_OUT	   "build/bench-statements.callgrind"

/* The targets of issue 15. */
#define TARGET_IR	  20000000LL
#define TARGET_BYTES	  (60 * 1024L)
#define TARGET_STATEMENTS 286
#define TARGET_SECONDS	  5.0

/* Number of .pdf files in dir.  OUT: *total and *max, their bytes. */
static int count_pdfs(const char *dir, long long *total, long long *max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	*total = *max = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char path[1024];
		struct stat st;

		if (len <= 4 || strcmp(de->d_name + len - 4, ".pdf") != 0)
			continue;
		n++;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0) {
			*total += st.st_size;
			*max = st.st_size > *max ? st.st_size : *max;
		}
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

/* CPU seconds (user and system) of the children waited for so far. */
static double children_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
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
	printf("  target: at most %lld instructions per statement: %s (%lld)\n", TARGET_IR,
	       one[1] - none[1] <= TARGET_IR ? "met" : "MISSED", one[1] - none[1]);
}

void bench_statements(void)
{
	char load_cmd[512], all_cmd[1024];
	char *const demo[] = {"rm", "-f", DEMO_DB, NULL};
	/* bench_run takes at most ten arguments: longer commands go through sh. */
	char *const load[] = {"/bin/sh", "-c", load_cmd, NULL};
	char *const all[] = {"/bin/sh", "-c", all_cmd, NULL};
	double secs, rate, t286, cpu;
	long long total, max;
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
	cpu = children_cpu();
	if (bench_run(all, NULL, NULL, &secs, &rss) != 0) {
		fprintf(stderr, "bench: statements failed\n");
		return;
	}
	cpu = children_cpu() - cpu;
	n = count_pdfs(OUT_DIR, &total, &max);
	rate = secs > 0 ? n / secs : 0;
	t286 = rate > 0 ? TARGET_STATEMENTS / rate : -1;
	printf("\nPDF member statements (KS-FURN-2025, 2026-Q3, demo database)\n\n");
	printf("%-40s %12s %10s %14s %12s\n", "benchmark", "statements", "seconds", "statements/s",
	       "max RSS");
	printf("%-40s %12d %10.2f %14.1f %8.1f MiB\n", "coopledger statements --kind member", n,
	       secs, rate, rss / 1024.0);
	printf("  sizes: average %.1f KB, largest %.1f KB\n", n ? total / 1024.0 / n : 0.0,
	       max / 1024.0);
	printf("  target: at most 60 KB per member statement: %s (largest %.1f KB)\n",
	       n > 0 && max <= TARGET_BYTES ? "met" : "MISSED", max / 1024.0);
	printf("  target: %d statements in under %.0f s: %s (%.2f s at %.1f statements/s)\n",
	       TARGET_STATEMENTS, TARGET_SECONDS,
	       t286 >= 0 && t286 < TARGET_SECONDS ? "met" : "MISSED", t286, rate);
	printf("  CPU time (user and system) %.2f s for %d statements, %.2f s for %d: the wall "
	       "time "
	       "of a machine running nothing else\n",
	       cpu, n, n ? cpu * TARGET_STATEMENTS / n : 0.0, TARGET_STATEMENTS);
	callgrind_report();
	clean_out();
}
