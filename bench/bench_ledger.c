/*
 * bench_ledger.c — `make bench`: how fast the ledger takes lines.
 *
 * Generates a realistic ledger of N lines (default 1,000,000; BENCH_LINES
 * sets N): the 286 Kansas districts buying under one contract, a few large
 * districts buying most, orders of one to five lines, a return now and
 * then; order, PO and invoice numbers rise with time at a fixed width, as
 * a vendor's invoicing system issues them.  The same rows are then
 * appended twice into fresh databases: as bare SQLite inserts into the
 * same schema (the floor) and through the core API (eligibility rules,
 * identity check, hash chain).  Prints a table of times, rates, the ratio
 * to the floor and the database file's bytes per ledger line.  Then
 * bench_import.c times `coopledger import` of the same rows as a CSV file
 * against the sqlite3 shell's `.import` of that file, and as an .xlsx
 * workbook against the CSV.  At the end, a summary: each section's time,
 * the whole run's (target: 20 minutes at 10,000,000 lines) and the
 * figures the sections noted with bench_note().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agency.h"
#include "bench.h"
#include "contract.h"
#include "db.h"
#include "ledger.h"

#define COMMIT_EVERY	      50000
#define MAX_NOTES	      64
#define TARGET_RUN_MIN	      20.0	/* the whole run at 10,000,000 lines */
#define TARGET_BYTES_PER_LINE 300.0	/* not more than before (issue 15); from 1,000,000 lines */
#define TARGET_VERIFY_ROWS_S  2000000.0 /* ledger rows a second, the kept sums included */

static uint64_t seed = 20250701u;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* A district by a Pareto-like draw: low numbers are the big buyers. */
static int pick_agency(void)
{
	double u = (double)(rnd() % 1000000) / 1000000.0;
	int a = (int)(NAGENCY * u * u * u);

	return a < NAGENCY ? a : NAGENCY - 1;
}

/* Fill g with n lines: orders of one to five lines spread evenly over the
 * contract's days, priced at the order's discount tier (60%, or 63% over
 * $30,000 of list), with a return now and then and 3% of lines billed at
 * the lower discount (what compliance finds). */
void generate(GenLine *g, long n, Date start, int days)
{
	long i = 0, order = 0;

	while (i < n) {
		int lines = 1 + (int)(rnd() % 5), agency = pick_agency(), k;
		Date day = start + (Date)((int64_t)order * days / (n / 3 + 1)) % days;
		long first = i;
		Money total = 0;

		for (k = 0; k < lines && i < n; k++, i++) {
			Money list = (Money)(5000 + rnd() % 2000000);

			g[i].agency = agency;
			snprintf(g[i].po, sizeof g[i].po, "PO-%08ld", order);
			snprintf(g[i].invoice, sizeof g[i].invoice, "INV-%08ld", order);
			g[i].line = k + 1;
			g[i].day = day;
			g[i].list = (rnd() % 50 == 0) ? -list : list; /* returns */
			total += g[i].list;
		}
		for (k = 0; first + k < i; k++) {
			GenLine *l = &g[first + k];
			Rate rate = total > 3000001 && rnd() % 33 ? 630000 : 600000;

			l->invoiced = l->list - money_apply_rate(l->list, rate);
		}
		order++;
	}
}

typedef struct Note {
	const char *what, *unit, *target, *verdict;
	double value;
} Note;

static Note notes[MAX_NOTES];
static int nnotes;

void bench_note(const char *what, double value, const char *unit, const char *target,
		const char *verdict)
{
	if (nnotes < MAX_NOTES)
		notes[nnotes++] = (Note){what, unit, target, verdict, value};
}

/* The summary: the notes in the order they were made. */
static void print_notes(long n)
{
	char v[32];
	int i;

	printf("\nsummary (%ld-line ledger)\n\n", n);
	printf("%-48s %16s %12s %7s\n", "figure", "value", "target", "");
	for (i = 0; i < nnotes; i++) {
		if (notes[i].value < 0)
			snprintf(v, sizeof v, "-");
		else
			snprintf(v, sizeof v, notes[i].value >= 1000 ? "%.0f %s" : "%.2f %s",
				 notes[i].value, notes[i].unit);
		printf("%-48s %16s %12s %7s\n", notes[i].what, v,
		       notes[i].target ? notes[i].target : "-",
		       notes[i].verdict ? notes[i].verdict : "");
	}
}

/* The size of the file at path divided by n, or -1. */
static double bytes_per(const char *path, long n)
{
	struct stat st;

	return stat(path, &st) == 0 && n > 0 ? (double)st.st_size / (double)n : -1;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char terms_doc[] =
	"{\"number\":\"BENCH\",\"title\":\"Bench\",\"lead_agency\":\"A0\",\"vendor\":\"V\","
	"\"start\":\"2025-07-01\",\"end\":\"2028-06-30\",\"fee\":{\"bands\":[{\"from\":\"0\","
	"\"rate\":\"2%\"},{\"from\":\"30000000\",\"rate\":\"1.5%\"}]},"
	"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"60%\"},{\"from\":\"30000.01\","
	"\"rate\":\"63%\"}]},"
	"\"rebates\":{\"mode\":\"volume\",\"tiers\":[{\"from\":\"500000\",\"rate\":\"1%\"},"
	"{\"from\":\"1000000\",\"rate\":\"2%\"}]},\"late_fee\":{\"min\":\"200\",\"rate\":\"25%\"}}";

/* A fresh database with 286 agencies, one vendor, one contract and every
 * agency a participant from the start.  OUT: *db. */
int setup(const char *path, sqlite3 **db)
{
	char code[16];
	Err e = {0};
	int i;

	unlink(path);
	if (db_open(path, db, &e))
		goto fail;
	for (i = 0; i < NAGENCY; i++) {
		AgencyIn a = {code, "Bench district", "school_district", "KS", 1, NULL, NULL};

		snprintf(code, sizeof code, "A%d", i);
		if (agency_add(*db, &a, "bench", NULL, &e))
			goto fail;
	}
	if (vendor_add(*db, "V", "Bench vendor", NULL, "bench", NULL, &e) ||
	    contract_import(*db, terms_doc, strlen(terms_doc), "bench", NULL, &e))
		goto fail;
	for (i = 1; i < NAGENCY; i++) {
		snprintf(code, sizeof code, "A%d", i);
		if (participant_add(*db, "BENCH", code, date_from_ymd(2025, 7, 1), "bench", &e))
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "bench: setup: %s\n", e.msg);
	return -1;
}

/* Append all lines through ledger_append.  Returns seconds, or -1. */
static double run_core(sqlite3 *db, const GenLine *g, long n)
{
	char code[16];
	Ledger *l = NULL;
	Err e = {0};
	double t0 = now_s();
	long i;

	for (i = 0; i < n; i++) {
		PurchaseIn p = {.contract_id = 1,
				.agency_code = code,
				.po_number = g[i].po,
				.invoice_number = g[i].invoice,
				.line = g[i].line,
				.invoice_date = g[i].day,
				.list_amount = g[i].list,
				.invoiced_amount = g[i].invoiced};

		if (i % COMMIT_EVERY == 0 && (db_begin(db, &e) || ledger_open(db, "bench", &l, &e)))
			goto fail;
		snprintf(code, sizeof code, "A%d", g[i].agency);
		if (ledger_append(l, &p, NULL, NULL, &e))
			goto fail;
		if ((i + 1) % COMMIT_EVERY == 0 || i + 1 == n) {
			if (ledger_flush(l, &e))
				goto fail;
			ledger_close(l);
			l = NULL;
			if (db_commit(db, &e))
				goto fail;
		}
	}
	return now_s() - t0;
fail:
	fprintf(stderr, "bench: line %ld: %s\n", i, e.msg);
	return -1;
}

/* Insert the same rows with one prepared INSERT each: no checks, no chain. */
static double run_floor(sqlite3 *db, const GenLine *g, long n)
{
	static const char hash[] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	sqlite3_stmt *st = NULL;
	char day[DATE_BUF];
	Err e = {0};
	double t0 = now_s();
	long i;

	if (db_prepare(
		    db, &st,
		    "INSERT INTO purchase(contract_id, agency_id, po_number, invoice_number, line, "
		    "invoice_date, list_amount, invoiced_amount, created_at, created_by, hash) "
		    "VALUES (1,?,?,?,?,?,?,?,'2026-01-01T00:00:00Z','bench',?)",
		    &e))
		return -1;
	for (i = 0; i < n; i++) {
		if (i % COMMIT_EVERY == 0 && db_begin(db, &e))
			break;
		sqlite3_reset(st);
		db_bind_spec(st, "ittitiit", (int64_t)g[i].agency + 1, g[i].po, g[i].invoice,
			     (int64_t)g[i].line, date_format(g[i].day, day), g[i].list,
			     g[i].invoiced, hash);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "bench: floor insert: %s\n", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			return -1;
		}
		if (((i + 1) % COMMIT_EVERY == 0 || i + 1 == n) && db_commit(db, &e))
			break;
	}
	sqlite3_finalize(st);
	if (i < n) {
		fprintf(stderr, "bench: floor insert: %s\n", e.msg);
		return -1;
	}
	return now_s() - t0;
}

/* 1 if section name is to run: BENCH_ONLY (e.g. "import,web") names the
 * sections to run, all of them when unset.  Reports and web need the
 * ledger section's database. */
static int section(const char *name)
{
	const char *only = getenv("BENCH_ONLY");

	return !only || !*only || strstr(only, name) != NULL;
}

/* Run one section and note its wall time. */
#define TIMED(name, call)                                                                          \
	do {                                                                                       \
		double t_ = now_s();                                                               \
		call;                                                                              \
		bench_note("section " name ", minutes", (now_s() - t_) / 60, "min", NULL, NULL);   \
	} while (0)

/* The verdict on b bytes a line: on a small ledger the file is mostly
 * the schema and the bench's records, and no verdict is given. */
static const char *bytes_verdict(double b, long n)
{
	if (n < 1000000)
		return "-";
	return b >= 0 && b <= TARGET_BYTES_PER_LINE ? "ok" : "MISSED";
}

/* The verdict on verify's rows a second (rows_s; failed: it found a
 * difference or could not read): from 1,000,000 lines, as for the bytes. */
static const char *verify_verdict(double rows_s, int failed, long n)
{
	if (failed)
		return "FAILED";
	if (n < 1000000)
		return "-";
	return rows_s >= TARGET_VERIFY_ROWS_S ? "ok" : "MISSED";
}

/* Build the ledger of the n lines in g at build/bench-core.db, and the
 * floor beside it; print the table.  tgen: the seconds generate() took.
 * Returns 0, or -1. */
static int build_ledger(const GenLine *g, long n, double tgen)
{
	double tcore, tfloor, tverify, bcore, bfloor, tledger, vrate;
	sqlite3 *core = NULL, *floor_db = NULL;
	Err e = {0};
	int64_t np = 0;
	int vfailed;

	tledger = now_s();
	if (setup("build/bench-core.db", &core) || setup("build/bench-floor.db", &floor_db))
		return -1;
	tfloor = run_floor(floor_db, g, n);
	tcore = run_core(core, g, n);
	/* all that `coopledger verify` checks: every chain, the kept net
	 * sales and the order totals; the rate is of the ledger's rows */
	tverify = now_s();
	vfailed = ledger_verify(core, &np, NULL, &e) != CL_OK;
	if (vfailed)
		fprintf(stderr, "bench: verify: %s\n", e.msg);
	tverify = now_s() - tverify;
	vrate = np / tverify;
	if (tcore < 0 || tfloor < 0)
		return -1;
	db_close(core);
	db_close(floor_db);
	bcore = bytes_per("build/bench-core.db", n);
	bfloor = bytes_per("build/bench-floor.db", n);
	printf("\nledger append (%ld lines, commit every %d)\n\n", n, COMMIT_EVERY);
	printf("%-40s %12s %10s %14s %10s\n", "benchmark", "lines", "seconds", "lines/s",
	       "vs floor");
	printf("%-40s %12ld %10.2f %14.0f %10s\n", "generate realistic ledger", n, tgen, n / tgen,
	       "-");
	printf("%-40s %12ld %10.2f %14.0f %9.2fx\n", "bare SQLite insert (floor)", n, tfloor,
	       n / tfloor, 1.0);
	printf("%-40s %12ld %10.2f %14.0f %9.2fx\n", "ledger_append (rules + chain)", n, tcore,
	       n / tcore, tcore / tfloor);
	printf("%-40s %12" PRId64 " %10.2f %14.0f %10s\n", "verify (chains, kept sums, orders)", np,
	       tverify, vrate, "-");
	printf("  (target: at least %.0f ledger rows a second: %s)\n", TARGET_VERIFY_ROWS_S,
	       verify_verdict(vrate, vfailed, n));
	printf("\n%-40s %12s %10s\n", "database file", "bytes/line", "target");
	printf("%-40s %12.0f %10s\n", "bare SQLite insert (floor)", bfloor, "-");
	printf("%-40s %12.0f %10.0f %s\n", "the ledger (after ledger_append)", bcore,
	       TARGET_BYTES_PER_LINE, bytes_verdict(bcore, n));
	printf("  (the file's size over the ledger lines in it, the hash chain and the "
	       "indexes included; target: not more than before, about %.0f)\n",
	       TARGET_BYTES_PER_LINE);
	unlink("build/bench-floor.db");
	bench_note("ledger_append, lines/s", n / tcore, "", NULL, NULL);
	bench_note("ledger_append vs bare inserts", tcore / tfloor, "x", NULL, NULL);
	bench_note("verify, rows/s", vrate, "", ">= 2000000", verify_verdict(vrate, vfailed, n));
	bench_note("database bytes per ledger line", bcore, "", "<= 300", bytes_verdict(bcore, n));
	bench_note("section ledger (build and verify), minutes", (now_s() - tledger) / 60, "min",
		   NULL, NULL);
	return 0;
}

/* Take a copy of the ledger kept at path (BENCH_LEDGER) instead of
 * building one: its WAL is folded into it first.  Returns 0, or -1. */
static int copy_ledger(const char *path, long n)
{
	char *cp[] = {"/bin/cp", (char *)path, "build/bench-core.db", NULL};
	sqlite3 *db = NULL;
	double secs;
	long rss;
	Err e = {0};

	if (db_open(path, &db, &e) || db_exec(db, &e, "PRAGMA wal_checkpoint(TRUNCATE)", "")) {
		fprintf(stderr, "bench: %s: %s\n", path, e.msg);
		db_close(db);
		return -1;
	}
	db_close(db);
	unlink("build/bench-core.db-wal");
	unlink("build/bench-core.db-shm");
	if (bench_run(cp, NULL, NULL, &secs, &rss) != 0) {
		fprintf(stderr, "bench: could not copy %s\n", path);
		return -1;
	}
	printf("\nthe ledger: a copy of %s, taken as %ld lines (%.0f bytes a line)\n", path, n,
	       bytes_per("build/bench-core.db", n));
	return 0;
}

int main(void)
{
	const char *env = getenv("BENCH_LINES");
	long n = env ? atol(env) : 1000000;
	double tgen, tall = now_s();
	GenLine *g;
	int whole, ledger = section("ledger") || section("reports") || section("web");

	if (n <= 0 || !(g = calloc((size_t)n, sizeof *g)))
		return 1;
	tgen = now_s();
	generate(g, n, date_from_ymd(2025, 7, 1), 1095);
	tgen = now_s() - tgen;
	if (ledger) {
		const char *kept = getenv("BENCH_LEDGER");

		if (kept && *kept ? copy_ledger(kept, n) : build_ledger(g, n, tgen))
			return 1;
		if (section("reports"))
			TIMED("reports", bench_reports("build/bench-core.db", n));
		if (section("web"))
			TIMED("web", bench_web("build/bench-core.db", n));
		if (!getenv("BENCH_KEEP")) /* BENCH_KEEP=1 keeps the ledger for a closer look */
			unlink("build/bench-core.db");
	}
	if (section("import"))
		TIMED("import", bench_import(g, n));
	else
		free(g);
	if (section("statements"))
		TIMED("statements", bench_statements());
	tall = (now_s() - tall) / 60;
	/* the 20 minutes are those of every section, the ledger built */
	{
		const char *only = getenv("BENCH_ONLY"), *kept = getenv("BENCH_LEDGER");

		whole = (!only || !*only) && (!kept || !*kept) && n >= 10000000;
	}
	bench_note("the whole run, minutes", tall, "min", whole ? "< 20 min" : NULL,
		   !whole		   ? NULL
		   : tall < TARGET_RUN_MIN ? "ok"
					   : "MISSED");
	print_notes(n);
	return 0;
}
