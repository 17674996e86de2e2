/* cmd_import.c — `import`, `batches` and `vendor map`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "import.h"
#include "money.h"
#include "table.h"

static const char import_usage[] =
	"usage: coopledger import --contract NUMBER [--period Q] [--dry-run] [--skip-invalid]\n"
	"                         [--encoding E] [--json] FILE.csv\n"
	"\nImport a vendor's sales report.  Default is all or nothing: one bad row and\n"
	"nothing is written.  --skip-invalid writes the good rows and records the\n"
	"rejected ones in the batch; --dry-run validates and writes nothing.  A file\n"
	"already imported (same SHA-256) is not imported again.  With --period, the\n"
	"batch files that quarter's report (a header-only file is a zero report).\n"
	"--encoding windows-1252 converts a file saved by Excel on Windows.\n";

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

/* The result for people. */
static void print_result(const cJSON *r, ImportStatus st, const char *contract)
{
	const cJSON *t = cJSON_GetObjectItem(r, "totals"), *x;
	char a[MONEY_BUF], b[MONEY_BUF];
	Money list = 0, inv = 0;
	int n = 0;

	if (money_parse(cJSON_GetObjectItem(t, "list_amount")->valuestring, &list, NULL) ||
	    money_parse(cJSON_GetObjectItem(t, "invoiced_amount")->valuestring, &inv, NULL))
		list = inv = 0; /* written by money_format(): cannot fail */
	if (st == IMPORT_WRITTEN)
		printf("imported batch %d into %s\n", cJSON_GetObjectItem(r, "batch")->valueint,
		       contract);
	else if (st == IMPORT_ALREADY) {
		printf("this file is already imported as batch %d; nothing was written\n",
		       cJSON_GetObjectItem(r, "batch")->valueint);
		return;
	} else if (st == IMPORT_DRY_RUN)
		printf("dry run: nothing was written\n");
	else
		printf("refused: nothing was written (fix the rows below, or use "
		       "--skip-invalid)\n");
	printf("rows %d, accepted %d, duplicates %d, rejected %d\n",
	       cJSON_GetObjectItem(r, "rows")->valueint,
	       cJSON_GetObjectItem(r, "accepted")->valueint,
	       cJSON_GetObjectItem(r, "duplicates")->valueint,
	       cJSON_GetObjectItem(r, "rejected")->valueint);
	printf("accepted totals: list %s, invoiced %s\n", money_format_human(list, a),
	       money_format_human(inv, b));
	fflush(stdout);
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "errors"))
	{
		if (n++ == 0)
			fprintf(stderr, "errors:\n");
		if (n > 20) {
			fprintf(stderr, "  ... and %d more (--json lists them all)\n",
				cJSON_GetArraySize(cJSON_GetObjectItem(r, "errors")) - 20);
			break;
		}
		fprintf(stderr, "  row %d, %s: %s\n", cJSON_GetObjectItem(x, "row")->valueint,
			cJSON_GetObjectItem(x, "column")->valuestring,
			cJSON_GetObjectItem(x, "message")->valuestring);
	}
	n = 0;
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "ignored_columns"))
		printf("%s%s", n++ ? ", " : "ignored columns: ", x->valuestring);
	if (n)
		printf("\n");
}

/* Exit status for an import outcome. */
static int import_exit(ImportStatus st, const cJSON *r)
{
	if (st == IMPORT_REFUSED)
		return 1;
	if (st == IMPORT_DRY_RUN && cJSON_GetObjectItem(r, "rejected")->valueint > 0)
		return 1;
	return 0;
}

int cmd_import(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"period", 1, NULL},
		      {"dry-run", 0, NULL},  {"skip-invalid", 0, NULL},
		      {"encoding", 1, NULL}, {"json", 0, NULL},
		      {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, import_usage);
	ImportOptions io = {0};
	Progress prog = {0};
	ImportStatus st;
	cJSON *result = NULL;
	struct stat sb;
	sqlite3 *db;
	FILE *f;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || npos != 1)
		return cli_usage_error(import_usage, "import needs --contract and a CSV file");
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
	if (rc)
		return cli_fail(&e);
	rc = import_exit(st, result);
	if (cli_opt(o, "json")) {
		cli_print_json(result);
		return rc;
	}
	print_result(result, st, io.contract);
	cJSON_Delete(result);
	return rc;
}

static const char batches_usage[] = "usage: coopledger batches --contract NUMBER [--json]\n"
				    "\nThe contract's import batches, newest first.\n";

int cmd_batches(const Cli *cli, int argc, char **argv)
{
	static const char *const head[] = {
		">batch",    "file", "period",	  "filed", "imported",	"by",	  ">rows",
		">accepted", ">dup", ">rejected", ">list", ">invoiced", "sha256", "reversed"};
	CliOpt o[] = {{"contract", 1, NULL}, {"json", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, batches_usage);
	cJSON *list, *b;
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
	list = import_batches_json(db, cli_opt(o, "contract"), &e);
	db_close(db);
	if (!list)
		return cli_fail(&e);
	if (cli_opt(o, "json"))
		return cli_print_json(list);
	table_init(&t, 14, head);
	cJSON_ArrayForEach(b, list)
	{
		char n[5][24], lm[MONEY_BUF], im[MONEY_BUF], when[17], sha[13];
		const char *keys[5] = {"batch", "rows", "accepted", "duplicates", "rejected"};
		Money la = 0, ia = 0;
		int k;

		for (k = 0; k < 5; k++)
			snprintf(n[k], sizeof n[k], "%d",
				 cJSON_GetObjectItem(b, keys[k])->valueint);
		if (money_parse(cJSON_GetObjectItem(b, "list_amount")->valuestring, &la, NULL) ||
		    money_parse(cJSON_GetObjectItem(b, "invoiced_amount")->valuestring, &ia, NULL))
			la = ia = 0; /* written by money_format(): cannot fail */
		/* "2026-11-25T14:03:07Z" shown to the minute */
		snprintf(when, sizeof when, "%s",
			 cJSON_GetObjectItem(b, "created_at")->valuestring);
		if (strlen(when) > 10)
			when[10] = ' ';
		snprintf(sha, sizeof sha, "%s", cJSON_GetObjectItem(b, "sha256")->valuestring);
		const char *row[14] = {n[0],
				       cJSON_GetObjectItem(b, "file")->valuestring,
				       cJSON_GetObjectItem(b, "period")->valuestring,
				       cJSON_GetObjectItem(b, "filed_on")->valuestring,
				       when,
				       cJSON_GetObjectItem(b, "created_by")->valuestring,
				       n[1],
				       n[2],
				       n[3],
				       n[4],
				       money_format_human(la, lm),
				       money_format_human(ia, im),
				       sha,
				       cJSON_IsTrue(cJSON_GetObjectItem(b, "reversed")) ? "yes"
											: ""};
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	cJSON_Delete(list);
	return 0;
}

static const char map_usage[] =
	"usage: coopledger vendor map --vendor CODE \"Their header=column\" ...\n"
	"       coopledger vendor map --vendor CODE --list\n"
	"       coopledger vendor map --vendor CODE --clear\n"
	"\nSave how a vendor's own spreadsheet headers map to the sales-report columns,\n"
	"e.g. \"Customer #=agency_code\" \"Extended List=list_amount\".  Headers match\n"
	"case-insensitively with spaces, '-' and '_' alike.\n";

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
	for (i = 0; !rc && i < npos; i++) {
		char header[128];
		const char *eq = strrchr(pos[i], '=');

		snprintf(header, sizeof header, "%.*s", (int)(eq - pos[i]), pos[i]);
		rc = import_map_set(db, vendor, header, eq + 1, cli->actor, &e);
	}
	if (!rc) {
		cJSON *list = import_map_list(db, vendor, &e), *m;

		cJSON_ArrayForEach(m, list)
			printf("%s -> %s\n", cJSON_GetObjectItem(m, "header")->valuestring,
			       cJSON_GetObjectItem(m, "column")->valuestring);
		if (!cJSON_GetArraySize(list))
			printf("vendor %s has no saved column mappings\n", vendor);
		cJSON_Delete(list);
	}
	db_close(db);
	return rc ? cli_fail(&e) : 0;
}
