/* cmd_import.c — `import`, `batches` and `vendor map`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "encode_import.h"
#include "import.h"
#include "money.h"
#include "table.h"

static const char import_usage[] =
	"usage: coopledger import --contract NUMBER [--period Q] [--dry-run] [--skip-invalid]\n"
	"                         [--encoding E] [--sheet NAME] [--json] FILE.csv|FILE.xlsx\n"
	"\nImport a vendor's sales report.  Default is all or nothing: one bad row and\n"
	"nothing is written.  --skip-invalid writes the good rows and records the\n"
	"rejected ones in the batch; --dry-run validates and writes nothing.  A file\n"
	"already imported (same SHA-256) is not imported again.  With --period, the\n"
	"batch files that quarter's report (a header-only file is a zero report).\n"
	"--encoding windows-1252 converts a file saved by Excel on Windows.  An Excel\n"
	"workbook (.xlsx) is read from its first worksheet, or the one --sheet names.\n";

typedef struct Progress {
	off_t size;
	double start, last;
} Progress;

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A progress bar on stderr: percent of the file and rows a second. */
static void show_progress(void *ctx, size_t bytes, size_t rows)
{
	Progress *p = ctx;
	double now = seconds(), pct = p->size > 0 ? 100.0 * (double)bytes / (double)p->size : 0;
	char bar[31];
	int i, fill;

	if (now - p->last < 0.2)
		return;
	p->last = now;
	fill = (int)(pct * 30 / 100);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %3.0f%%  %zu rows  %.0f rows/s ", bar, pct > 100 ? 100 : pct, rows,
		(double)rows / (now - p->start + 1e-9));
}

/* The rows to fix, on stderr: the first 20. */
static void print_errors(const ImportResult *r)
{
	int i;

	for (i = 0; i < r->nerrors; i++) {
		if (i == 0)
			fprintf(stderr, "errors:\n");
		if (i == 20) {
			fprintf(stderr, "  ... and %d more (--json lists them all)\n",
				r->nerrors - 20);
			break;
		}
		fprintf(stderr, "  row %" PRId64 ", %s: %s\n", r->errors[i].row,
			r->errors[i].column, r->errors[i].message);
	}
}

/* The result for people. */
static void print_result(const ImportResult *r, ImportStatus st, const char *contract)
{
	char a[MONEY_BUF], b[MONEY_BUF];
	int i;

	if (st == IMPORT_WRITTEN)
		printf("imported batch %" PRId64 " into %s\n", r->batch, contract);
	else if (st == IMPORT_ALREADY) {
		printf("this file is already imported as batch %" PRId64 "; nothing was written\n",
		       r->batch);
		return;
	} else if (st == IMPORT_DRY_RUN)
		printf("dry run: nothing was written\n");
	else
		printf("refused: nothing was written (fix the rows below, or use "
		       "--skip-invalid)\n");
	printf("rows %" PRId64 ", accepted %" PRId64 ", duplicates %" PRId64 ", rejected %" PRId64
	       "\n",
	       r->rows, r->accepted, r->duplicates, r->rejected);
	printf("accepted totals: list %s, invoiced %s\n", money_format_human(r->list_total, a),
	       money_format_human(r->invoiced_total, b));
	fflush(stdout);
	print_errors(r);
	for (i = 0; i < r->nignored; i++)
		printf("%s%s", i ? ", " : "ignored columns: ", r->ignored[i]);
	if (r->nignored)
		printf("\n");
}

/* Exit status for an import outcome. */
static int import_exit(ImportStatus st, const ImportResult *r)
{
	if (st == IMPORT_REFUSED)
		return 1;
	if (st == IMPORT_DRY_RUN && r->rejected > 0)
		return 1;
	return 0;
}

int cmd_import(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL},	 {"period", 1, NULL},	{"dry-run", 0, NULL},
		      {"skip-invalid", 0, NULL}, {"encoding", 1, NULL}, {"json", 0, NULL},
		      {"sheet", 1, NULL},	 {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, import_usage);
	ImportOptions io = {0};
	Progress prog = {0};
	ImportStatus st;
	ImportResult result;
	struct stat sb;
	sqlite3 *db;
	FILE *f;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || npos != 1)
		return cli_usage_error(import_usage,
				       "import needs --contract and a CSV or .xlsx file");
	f = strcmp(pos[0], "-") == 0 ? stdin : fopen(pos[0], "rb");
	if (!f) {
		fprintf(stderr, "coopledger: cannot read %s: %m\n", pos[0]);
		return 1;
	}
	if (cli_today(cli, &io.today) || !(db = cli_open_db(cli))) {
		if (f != stdin)
			fclose(f);
		return 1;
	}
	io.contract = cli_opt(o, "contract");
	io.period = cli_opt(o, "period");
	io.dry_run = cli_opt(o, "dry-run") != NULL;
	io.skip_invalid = cli_opt(o, "skip-invalid") != NULL;
	io.encoding = cli_opt(o, "encoding");
	io.sheet = cli_opt(o, "sheet");
	io.file_name = strrchr(pos[0], '/') ? strrchr(pos[0], '/') + 1 : pos[0];
	io.actor = cli->actor;
	if (isatty(STDERR_FILENO) && fstat(fileno(f), &sb) == 0) {
		prog.size = sb.st_size;
		prog.start = seconds();
		io.progress = show_progress;
		io.progress_ctx = &prog;
	}
	rc = import_csv(db, f, &io, &result, &st, &e);
	if (io.progress && prog.last > 0)
		fputs("\r\033[K", stderr);
	if (f != stdin)
		fclose(f);
	db_close(db);
	if (rc) {
		import_result_free(&result);
		return cli_fail(&e);
	}
	rc = import_exit(st, &result);
	if (cli_opt(o, "json"))
		cli_print_json(encode_import_result(&result, ENC_DATA));
	else
		print_result(&result, st, io.contract);
	import_result_free(&result);
	return rc;
}

static const char batches_usage[] = "usage: coopledger batches --contract NUMBER [--json]\n"
				    "\nThe contract's import batches, newest first.\n";

/* One batch as the table's 14 cells; the texts live in the struct. */
typedef struct BatchCells {
	char n[5][24], list[MONEY_BUF], invoiced[MONEY_BUF], when[17], sha[13];
	const char *row[14];
} BatchCells;

/* Fill c with batch r of rs.  OUT: *c. */
static void batch_cells(const RowSet *rs, int r, BatchCells *c)
{
	static const char *const counts[5] = {"batch", "rows", "accepted", "duplicates",
					      "rejected"};
	int k;

	for (k = 0; k < 5; k++)
		snprintf(c->n[k], sizeof c->n[k], "%" PRId64, rowset_int(rs, r, counts[k]));
	/* "2026-11-25T14:03:07Z" shown to the minute */
	snprintf(c->when, sizeof c->when, "%s", rowset_text(rs, r, "created_at"));
	if (strlen(c->when) > 10)
		c->when[10] = ' ';
	snprintf(c->sha, sizeof c->sha, "%s", rowset_text(rs, r, "sha256"));
	c->row[0] = c->n[0];
	c->row[1] = rowset_text(rs, r, "file");
	c->row[2] = rowset_text(rs, r, "period");
	c->row[3] = rowset_text(rs, r, "filed_on");
	c->row[4] = c->when;
	c->row[5] = rowset_text(rs, r, "created_by");
	for (k = 1; k < 5; k++)
		c->row[5 + k] = c->n[k];
	c->row[10] = money_format_human(rowset_int(rs, r, "list_amount"), c->list);
	c->row[11] = money_format_human(rowset_int(rs, r, "invoiced_amount"), c->invoiced);
	c->row[12] = c->sha;
	c->row[13] = rowset_int(rs, r, "reversed") ? "yes" : "";
}

int cmd_batches(const Cli *cli, int argc, char **argv)
{
	static const char *const head[] = {
		">batch",    "file", "period",	  "filed", "imported",	"by",	  ">rows",
		">accepted", ">dup", ">rejected", ">list", ">invoiced", "sha256", "reversed"};
	CliOpt o[] = {{"contract", 1, NULL}, {"json", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 0, &npos, batches_usage);
	RowSet rs;
	sqlite3 *db;
	Table t;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract"))
		return cli_usage_error(batches_usage, "batches needs --contract");
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = import_batches(db, cli_opt(o, "contract"), &rs, &e);
	db_close(db);
	if (rc) {
		rowset_free(&rs);
		return cli_fail(&e);
	}
	if (cli_opt(o, "json")) {
		cli_print_json(encode_import_batches(&rs, ENC_DATA));
		rowset_free(&rs);
		return 0;
	}
	table_init(&t, 14, head);
	for (i = 0; i < rs.nrow; i++) {
		BatchCells c;

		batch_cells(&rs, i, &c);
		table_add(&t, c.row);
	}
	table_print(&t, stdout);
	table_free(&t);
	rowset_free(&rs);
	return 0;
}

static const char map_usage[] =
	"usage: coopledger vendor map --vendor CODE \"Their header=column\" ...\n"
	"       coopledger vendor map --vendor CODE --list\n"
	"       coopledger vendor map --vendor CODE --clear\n"
	"\nSave how a vendor's own spreadsheet headers map to the sales-report columns,\n"
	"e.g. \"Customer #=agency_code\" \"Extended List=list_amount\" \"Sales Rep=ignore\".\n"
	"Headers match case-insensitively with spaces, '-' and '_' alike.\n";

/* The vendor's saved mappings, one a line. */
static ClCode print_maps(sqlite3 *db, const char *vendor, Err *e)
{
	RowSet rs;
	ClCode rc = import_map_list(db, vendor, &rs, e);
	int i;

	for (i = 0; !rc && i < rs.nrow; i++)
		printf("%s -> %s\n", rowset_text(&rs, i, "header"), rowset_text(&rs, i, "column"));
	if (!rc && !rs.nrow)
		printf("vendor %s has no saved column mappings\n", vendor);
	rowset_free(&rs);
	return rc;
}

/* Save the "header=column" pairs pos[0..n) together, as the web page
 * does. */
static ClCode save_maps(sqlite3 *db, const char *vendor, int n, const char **pos, const char *actor,
			Err *e)
{
	char header[32][128];
	const char *headers[32];
	int i;

	for (i = 0; i < n; i++) {
		const char *eq = strrchr(pos[i], '=');

		snprintf(header[i], sizeof header[i], "%.*s", (int)(eq - pos[i]), pos[i]);
		headers[i] = header[i];
		pos[i] = eq + 1;
	}
	return import_map_save(db, vendor, n, headers, pos, 0, actor, NULL, e);
}

int cmd_vendor_map(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"vendor", 1, NULL}, {"list", 0, NULL}, {"clear", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[32];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 32, &npos, map_usage);
	const char *vendor = cli_opt(o, "vendor");
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!vendor || (!npos && !cli_opt(o, "list") && !cli_opt(o, "clear")))
		return cli_usage_error(map_usage,
				       "vendor map needs --vendor and mappings, --list or --clear");
	for (i = 0; i < npos; i++)
		if (!strchr(pos[i], '='))
			return cli_usage_error(map_usage, "\"%s\" is not HEADER=column", pos[i]);
	db = cli_open_db(cli);
	if (!db)
		return 1;
	if (cli_opt(o, "clear"))
		rc = import_map_clear(db, vendor, cli->actor, &e);
	if (!rc && npos)
		rc = save_maps(db, vendor, npos, pos, cli->actor, &e);
	if (!rc)
		rc = print_maps(db, vendor, &e);
	db_close(db);
	return rc ? cli_fail(&e) : 0;
}
