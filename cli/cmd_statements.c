/*
 * cmd_statements.c — `coopledger statements`: write PDF statements (member,
 * vendor fee, revenue) of one contract and period into a directory, one
 * file per recipient, named predictably (the choices are listed in
 * reports/pdf.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "contract.h"
#include "db.h"
#include "pdf.h"
#include "stmtdata.h"

static const char statements_usage[] =
	"usage: coopledger statements --contract NUMBER|all (--period Q | --year K)\n"
	"         [--agency CODE] [--kind member|vendor|revenue|all] --out DIR\n"
	"         [--creation-date YYYY-MM-DD]\n"
	"\n"
	"Writes PDF statements into DIR, one file per recipient:\n"
	"  member-CONTRACT-PERIOD-AGENCY.pdf   each agency with purchases in the period\n"
	"                                      (or --agency CODE alone)\n"
	"  vendor-CONTRACT-QUARTER-VENDOR.pdf  the fee statement of each quarter\n"
	"  revenue-CONTRACT-YEAR.pdf           fee revenue of the calendar year\n"
	"                                      (revenue-YEAR.pdf with --contract all)\n"
	"PERIOD is 2026-Q3, Y1 (contract year 1) or 2026 (calendar fee year).\n"
	"--creation-date fixes the PDF's dates so the bytes are reproducible.\n";

/* What one run writes, and where. */
typedef struct Job {
	sqlite3 *db;
	const char *contract; /* NULL: all (revenue only) */
	const char *out_dir;
	const char *creation; /* may be NULL */
	StatementPeriod p;
	Date today, first, last;
	char label[32];
	int written;
} Job;

/* Write the rendered bytes to DIR/name and free them. */
static int write_pdf(Job *j, const char *name, unsigned char *pdf, size_t len)
{
	char path[4096];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/%s", j->out_dir, name);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "coopledger: cannot write %s: %s\n", path, strerror(errno));
		free(pdf);
		return 1;
	}
	bad = fwrite(pdf, 1, len, f) != len;
	bad |= fclose(f) != 0;
	free(pdf);
	if (bad) {
		fprintf(stderr, "coopledger: cannot write %s\n", path);
		return 1;
	}
	j->written++;
	return 0;
}

static int one_member(Job *j, const char *agency)
{
	char name[512];
	unsigned char *pdf;
	size_t len;
	Err e = {0};

	if (pdf_member_statement(j->db, j->contract, agency, &j->p, j->today, j->creation, &pdf,
				 &len, &e))
		return cli_fail(&e);
	return write_pdf(j, pdf_member_filename(j->contract, j->label, agency, name, sizeof name),
			 pdf, len);
}

/* Member statements: --agency alone, or each agency with live lines in
 * the period. */
static int run_members(Job *j, const char *agency)
{
	StmtCode *codes = NULL;
	Err e = {0};
	int rc = 0, n = 0, i;

	if (agency)
		return one_member(j, agency);
	if (stmtdata_member_codes(j->db, j->contract, j->first, j->last, &codes, &n, &e))
		return cli_fail(&e);
	for (i = 0; !rc && i < n; i++)
		rc = one_member(j, codes[i].code);
	free(codes);
	return rc;
}

static int one_vendor(Job *j, Quarter q, const char *vendor)
{
	char name[512], qt[QUARTER_BUF];
	unsigned char *pdf;
	size_t len;
	Err e = {0};

	if (pdf_vendor_statement(j->db, j->contract, q, j->today, j->creation, &pdf, &len, &e))
		return cli_fail(&e);
	return write_pdf(
		j,
		pdf_vendor_filename(j->contract, quarter_format(q, qt), vendor, name, sizeof name),
		pdf, len);
}

/* Vendor statements: the quarter, or each quarter of the year that lies
 * in the contract term and has begun by today. */
static int run_vendor(Job *j)
{
	Terms t;
	Err e = {0};
	Quarter q;
	int rc = 0;

	if (contract_load(j->db, j->contract, NULL, &t, &e))
		return cli_fail(&e);
	if (!j->p.is_year)
		return one_vendor(j, j->p.q, t.vendor);
	for (q = quarter_of(j->first); !rc && quarter_first_day(q) <= j->last; q = quarter_next(q))
		if (quarter_last_day(q) >= t.start && quarter_first_day(q) <= t.end &&
		    quarter_first_day(q) <= j->today)
			rc = one_vendor(j, q, t.vendor);
	return rc;
}

/* Revenue: the calendar year of the period's end (or of today, if
 * earlier). */
static int run_revenue(Job *j)
{
	char name[256];
	unsigned char *pdf;
	size_t len;
	Err e = {0};
	int y, m, d;

	date_to_ymd(j->last < j->today ? j->last : j->today, &y, &m, &d);
	if (pdf_revenue_report(j->db, y, j->contract, j->today, j->creation, &pdf, &len, &e))
		return cli_fail(&e);
	return write_pdf(j, pdf_revenue_filename(j->contract, y, name, sizeof name), pdf, len);
}

/* The period options into j->p, j->first, j->last, j->label. */
static int job_period(Job *j, const CliOpt *o)
{
	const char *period = cli_opt(o, "period"), *year = cli_opt(o, "year");
	Err e = {0};
	char *end;

	if (period) {
		if (quarter_parse(period, &j->p.q, &e))
			return cli_usage_error(statements_usage, "--period: %s", e.msg);
	} else {
		long k = strtol(year, &end, 10);

		if (*end || end == year || k < 1 || k > 9999)
			return cli_usage_error(statements_usage,
					       "--year \"%s\" is not a year number", year);
		j->p.is_year = 1;
		j->p.year = (int)k;
	}
	if (!j->contract) { /* all contracts: calendar years */
		int y = j->p.is_year ? j->p.year : j->p.q.year;

		j->first = date_from_ymd(y, 1, 1);
		j->last = date_from_ymd(y, 12, 31);
		return 0;
	}
	if (pdf_period_range(j->db, j->contract, &j->p, &j->first, &j->last, &e))
		return cli_fail(&e);
	pdf_period_label(j->db, j->contract, &j->p, j->label, sizeof j->label);
	return 0;
}

/* Check the options that do not need the database. */
static int check_opts(const CliOpt *o, const char *kind)
{
	if (!cli_opt(o, "contract") || !cli_opt(o, "out"))
		return cli_usage_error(statements_usage, "statements needs --contract and --out");
	if (!cli_opt(o, "period") == !cli_opt(o, "year"))
		return cli_usage_error(statements_usage, "give --period or --year (one of them)");
	if (strcmp(kind, "member") != 0 && strcmp(kind, "vendor") != 0 &&
	    strcmp(kind, "revenue") != 0 && strcmp(kind, "all") != 0)
		return cli_usage_error(statements_usage, "unknown --kind \"%s\"", kind);
	if (strcmp(cli_opt(o, "contract"), "all") == 0 && strcmp(kind, "revenue") != 0)
		return cli_usage_error(statements_usage, "--contract all goes with --kind revenue");
	if (cli_opt(o, "creation-date")) {
		Date d;
		Err e = {0};

		if (date_parse(cli_opt(o, "creation-date"), &d, &e))
			return cli_usage_error(statements_usage, "--creation-date: %s", e.msg);
	}
	return 0;
}

/* Run the kinds asked for. */
static int run_kinds(Job *j, const char *kind, const char *agency)
{
	int all = strcmp(kind, "all") == 0, rc = 0;

	if (mkdir(j->out_dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "coopledger: cannot create %s: %s\n", j->out_dir, strerror(errno));
		return 1;
	}
	if (!rc && (all || strcmp(kind, "member") == 0))
		rc = run_members(j, agency);
	if (!rc && (all || strcmp(kind, "vendor") == 0))
		rc = run_vendor(j);
	if (!rc && (all || strcmp(kind, "revenue") == 0))
		rc = run_revenue(j);
	return rc;
}

int cmd_statements(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL},	  {"period", 1, NULL}, {"year", 1, NULL},
		      {"agency", 1, NULL},	  {"kind", 1, NULL},   {"out", 1, NULL},
		      {"creation-date", 1, NULL}, {NULL, 0, NULL}};
	const char *kind;
	Job j = {0};
	int npos, rc;

	rc = cli_parse(argc, argv, o, NULL, 0, &npos, statements_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	kind = cli_opt(o, "kind") ? cli_opt(o, "kind") : "all";
	if ((rc = check_opts(o, kind)) != 0)
		return rc;
	if (cli_today(cli, &j.today))
		return 1;
	j.db = cli_open_db(cli);
	if (!j.db)
		return 1;
	j.contract = strcmp(cli_opt(o, "contract"), "all") == 0 ? NULL : cli_opt(o, "contract");
	j.out_dir = cli_opt(o, "out");
	j.creation = cli_opt(o, "creation-date");
	rc = job_period(&j, o);
	if (!rc)
		rc = run_kinds(&j, kind, cli_opt(o, "agency"));
	if (!rc)
		printf("wrote %d statement%s to %s\n", j.written, j.written == 1 ? "" : "s",
		       j.out_dir);
	db_close(j.db);
	return rc;
}
