/* bench.h — shared pieces of `make bench`. */
#ifndef COOPLEDGER_BENCH_H
#define COOPLEDGER_BENCH_H

#include <sqlite3.h>

#include "date.h"
#include "money.h"

#define NAGENCY 286

typedef struct GenLine {
	int agency; /* 0..NAGENCY-1, agency code "A<n>" */
	char po[24], invoice[24];
	int line;
	Date day;
	Money list, invoiced;
} GenLine;

/* n realistic lines, orders spread over days from start.  OUT: g. */
void generate(GenLine *g, long n, Date start, int days);

/* A fresh database with the bench agencies, vendor V, contract BENCH and
 * participants.  OUT: *db. */
int setup(const char *path, sqlite3 **db);

double now_s(void);

/* A figure for the summary printed at the end of the run: what, its value
 * in unit ("" for a count; a negative value prints as "-"), its target
 * (NULL: none) and the verdict on it ("ok", "MISSED", NULL: none). */
void bench_note(const char *what, double value, const char *unit, const char *target,
		const char *verdict);

/* Time the money reports on the ledger at db_path (n lines) against plain
 * SQL aggregates and against `ledger` on the exported journal. */
void bench_reports(const char *db_path, long n);

/* Run argv (stdin from in, or /dev/null; stdout to out, or /dev/null).
 * OUT: *secs, *rss_kib.  Returns the exit status. */
int bench_run(char *const argv[], const char *in, const char *out, double *secs, long *rss_kib);

/* wrk against pages and the API of a server on the ledger at db_path. */
void bench_web(const char *db_path, long n);

/* The import benchmark over the generated lines; frees g (once the CSV is
 * written) so that the children it measures start small. */
void bench_import(GenLine *g, long n);

/* PDF member statements of one quarter of the demo: statements per second
 * and instructions per statement (callgrind). */
void bench_statements(void);

#endif
