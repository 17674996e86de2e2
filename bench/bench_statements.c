/*
 * bench_statements.c — `make bench`: PDF member statements of one quarter
 * of KS-FURN-2025 on the demo database (statements per second, by running
 * the real binary), and instructions per statement under callgrind.
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

void bench_statements(void)
{
	char *const demo[] = {"rm", "-f", DEMO_DB, NULL};
	char *const load[] = {BIN, "--db", DEMO_DB, "--as-of", "2026-11-25", "demo", NULL};
	/* bench_run takes at most ten arguments: longer commands go through sh. */
	char *const all[] = {"/bin/sh", "-c",
			     "exec " BIN " --db " DEMO_DB " --as-of 2026-11-25 statements "
			     "--contract KS-FURN-2025 --period 2026-Q3 --kind member --out " OUT_DIR
			     " --creation-date 2026-11-25",
			     NULL};
	char *const cg[] = {"/bin/sh", "-c",
			    "exec valgrind --tool=callgrind --callgrind-out-file=" CG_OUT " " BIN
			    " --db " DEMO_DB
			    " --as-of 2026-11-25 statements --contract KS-FURN-2025 "
			    "--period 2026-Q3 --agency USD233 --kind member --out " OUT_DIR_CG
			    " --creation-date 2026-11-25 2>/dev/null",
			    NULL};
	double secs, tcg;
	long rss, rcg;
	long long ins;
	int n;

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
	ins = bench_run(cg, NULL, NULL, &tcg, &rcg) == 0 ? callgrind_total(CG_OUT) : -1;
	printf("\nPDF member statements (KS-FURN-2025, 2026-Q3, demo database)\n\n");
	printf("%-40s %12s %10s %14s %12s\n", "benchmark", "statements", "seconds", "statements/s",
	       "max RSS");
	printf("%-40s %12d %10.2f %14.1f %8.1f MiB\n", "coopledger statements --kind member", n,
	       secs, n / secs, rss / 1024.0);
	if (ins > 0)
		printf("%-40s %12d %10.2f %14s %12.1fM\n", "one statement under callgrind (Ir)", 1,
		       tcg, "-", ins / 1e6);
	else
		printf("%-40s %12s\n", "one statement under callgrind", "(valgrind failed)");
	clean_out();
}
