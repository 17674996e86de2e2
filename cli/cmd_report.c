/* cmd_report.c — `report ...`, `remit` and `export ledger`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "completeness.h"
#include "compliance.h"
#include "db.h"
#include "fees.h"
#include "journal.h"
#include "money.h"
#include "rebate.h"
#include "remit.h"
#include "encode.h"
#include "encode_completeness.h"
#include "table.h"

static const char report_usage[] =
	"usage: coopledger report fees       --contract NUMBER [--year K | --period Q] [--json]\n"
	"       coopledger report rebates    --contract NUMBER [--year K] [--json]\n"
	"       coopledger report compliance --contract NUMBER [--period Q] [--json]\n"
	"       coopledger report agency     --agency CODE [--contract NUMBER] [--json]\n"
	"       coopledger report revenue    [--year YYYY] [--json]\n"
	"       coopledger report completeness --contract NUMBER [--period Q] [--json]\n"
	"\n--year K is the schedule year: 1, 2, ... for contract years, 2026 for calendar\n"
	"years; `report revenue --year` takes a calendar year.  Figures are as of today\n"
	"(or --as-of).\n";

static void print_fees(const FeesReport *r)
{
	static const char *const head[] = {"quarter",	">net sales",	 ">fee", ">late fee",
					   ">remitted", ">balance",	 "due",	 "status",
					   "report",	">days past due"};
	char m[5][MONEY_BUF], days[16], qt[QUARTER_BUF], due[DATE_BUF];
	Table t;
	int i;

	printf("Administrative fees, contract %s\n\n", r->contract);
	table_init(&t, 10, head);
	for (i = 0; i < r->nquarter; i++) {
		const FeeQuarter *f = &r->quarter[i];
		const char *row[10] = {quarter_format(f->q, qt),
				       money_format_human(f->net_sales, m[0]),
				       money_format_human(f->fee, m[1]),
				       money_format_human(f->late_fee, m[2]),
				       money_format_human(f->remitted, m[3]),
				       money_format_human(f->balance, m[4]),
				       date_format(f->due, due),
				       fee_status_name(f->status),
				       report_status_name(f->report),
				       days};

		snprintf(days, sizeof days, "%d", f->days_past_due);
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

/* The rebate year's figures above its allocations. */
static void print_rebate_head(const RebateReport *r)
{
	char a[MONEY_BUF], b[MONEY_BUF], c[MONEY_BUF];

	printf("Volume rebate, contract %s, year %d (%s to %s): %s\n", r->contract, r->year,
	       date_format(r->start, a), date_format(r->end, b), r->final ? "final" : "projected");
	printf("base %s, rate %s, total %s\n", money_format_human(r->base, a),
	       rate_format(r->rate, b), money_format_human(r->total, c));
	if (r->next_tier.present)
		printf("%s more contract-wide purchases unlock %s\n",
		       money_format_human(r->next_tier.remaining, a),
		       rate_format(r->next_tier.rate, b));
	if (r->has_snapshot)
		printf("finalized on %s at %s; true-up since then %s\n", r->snapshot_taken,
		       money_format_human(r->snapshot_total, a), money_format_human(r->true_up, b));
}

static void print_rebates(const RebateReport *r)
{
	static const char *const head[] = {"agency", ">net", ">rebate"};
	char a[MONEY_BUF], b[MONEY_BUF];
	Table t;
	int i;

	print_rebate_head(r);
	printf("\n");
	table_init(&t, 3, head);
	for (i = 0; i < r->nshare; i++) {
		const RebateShare *x = &r->share[i];
		const char *row[3] = {x->agency, money_format_human(x->net, a),
				      money_format_human(x->rebate, b)};

		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static void print_tally(const ComplianceTally *x, int n, const char *title)
{
	const char *head[] = {title, ">lines", ">overcharge"};
	char m[MONEY_BUF], lines[16];
	Table t;
	int i;

	table_init(&t, 3, head);
	for (i = 0; i < n; i++) {
		const char *row[3] = {x[i].key, lines, money_format_human(x[i].overcharge, m)};

		snprintf(lines, sizeof lines, "%d", x[i].lines);
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static void print_compliance(const ComplianceReport *r)
{
	static const char *const head[] = {"date",	"invoice",    ">line", "agency",
					   "po",	">list",      "rate",  ">expected",
					   ">invoiced", ">overcharge"};
	char m[4][MONEY_BUF], rate[MONEY_BUF], line[16];
	Table t;
	int i;

	printf("Discount compliance, contract %s: overcharges total %s\n\n", r->contract,
	       money_format_human(r->total_overcharge, m[0]));
	table_init(&t, 10, head);
	for (i = 0; i < r->nline; i++) {
		const ComplianceLine *x = &r->line[i];
		const char *row[10] = {x->invoice_date,
				       x->invoice_number,
				       line,
				       x->agency,
				       x->po_number,
				       money_format_human(x->list_amount, m[0]),
				       rate_format(x->rate, rate),
				       money_format_human(x->expected, m[1]),
				       money_format_human(x->invoiced_amount, m[2]),
				       money_format_human(x->overcharge, m[3])};

		snprintf(line, sizeof line, "%d", x->line);
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	printf("\n");
	print_tally(r->by_quarter, r->nquarter, "quarter");
	printf("\n");
	print_tally(r->by_agency, r->nagency, "agency");
}

static void print_agency(const SummaryAgency *s)
{
	static const char *const head[] = {"date",	  "po",	   "invoice", ">line",
					   "description", ">list", ">paid",   ">savings"};
	char m[3][MONEY_BUF], line[16], day[DATE_BUF], pct[24];
	Table t;
	int i, k;

	printf("%s  %s, as of %s\n", s->agency, s->name, date_format(s->as_of, day));
	for (i = 0; i < s->ncontract; i++) {
		const SummaryContract *c = &s->contracts[i];

		printf("\n%s  %s (joined %s)\n", c->contract, c->title, c->joined);
		printf("list %s, paid %s, savings %s (%s)\n",
		       money_format_human(c->list_total, m[0]),
		       money_format_human(c->paid_total, m[1]),
		       money_format_human(c->savings, m[2]),
		       summary_percent(c->savings, c->list_total, pct, sizeof pct));
		if (c->rebate.present)
			printf("rebate year %d (%s): your share %s\n", c->rebate.year,
			       c->rebate.final ? "final" : "projected",
			       money_format_human(c->rebate.rebate, m[0]));
		table_init(&t, 8, head);
		for (k = 0; k < c->nline; k++) {
			const SummaryLine *x = &c->lines[k];
			const char *row[8] = {x->invoice_date,
					      x->po_number,
					      x->invoice_number,
					      line,
					      x->description,
					      money_format_human(x->list_amount, m[0]),
					      money_format_human(x->invoiced_amount, m[1]),
					      money_format_human(x->savings, m[2])};

			snprintf(line, sizeof line, "%d", x->line);
			table_add(&t, row);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
}

/* One revenue figures row: label, vendor, then the money of f into m. */
static void revenue_row(Table *t, const char *label, const char *vendor, const SummaryFigures *f,
			char m[6][MONEY_BUF])
{
	const char *row[8] = {label,
			      vendor,
			      money_format_human(f->fee, m[0]),
			      money_format_human(f->late_fee, m[1]),
			      money_format_human(f->remitted, m[2]),
			      money_format_human(f->outstanding, m[3]),
			      money_format_human(f->overdue, m[4]),
			      money_format_human(f->credits, m[5])};

	table_add(t, row);
}

/* The revenue report's contracts and totals, one row each. */
static void print_revenue_contracts(const SummaryRevenue *s)
{
	static const char *const head[] = {"contract",	"vendor",	">fee",	    ">late fee",
					   ">remitted", ">outstanding", ">overdue", ">credits"};
	char m[6][MONEY_BUF];
	Table t;
	int i;

	table_init(&t, 8, head);
	for (i = 0; i < s->ncontract; i++)
		revenue_row(&t, s->contracts[i].contract, s->contracts[i].vendor,
			    &s->contracts[i].f, m);
	revenue_row(&t, "total", "", &s->totals, m);
	table_print(&t, stdout);
	table_free(&t);
}

/* The revenue report's quarter rows, contract by contract. */
static void print_revenue_quarters(const SummaryRevenue *s)
{
	static const char *const head[] = {"quarter", "contract",  "vendor",	">net sales",
					   ">fee",    ">late fee", ">remitted", ">balance",
					   "due",     "status",	   "report",	">days past due"};
	char m[5][MONEY_BUF], days[16], qt[QUARTER_BUF], due[DATE_BUF];
	Table t;
	int i;

	table_init(&t, 12, head);
	for (i = 0; i < s->nquarter; i++) {
		const SummaryRevenueContract *c = &s->contracts[s->quarters[i].contract];
		const FeeQuarter *f = &s->quarters[i].f;
		const char *row[12] = {quarter_format(f->q, qt),
				       c->contract,
				       c->vendor,
				       money_format_human(f->net_sales, m[0]),
				       money_format_human(f->fee, m[1]),
				       money_format_human(f->late_fee, m[2]),
				       money_format_human(f->remitted, m[3]),
				       money_format_human(f->balance, m[4]),
				       date_format(f->due, due),
				       fee_status_name(f->status),
				       report_status_name(f->report),
				       days};

		snprintf(days, sizeof days, "%d", f->days_past_due);
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static void print_revenue(const SummaryRevenue *s)
{
	char m[MONEY_BUF], day[DATE_BUF], qt[QUARTER_BUF], due[DATE_BUF];
	int i;

	printf("Fee revenue as of %s\n\n", date_format(s->as_of, day));
	print_revenue_contracts(s);
	printf("\nby quarter:\n");
	print_revenue_quarters(s);
	printf("\noverdue by days past due:");
	for (i = 0; i < SUMMARY_AGING; i++)
		printf("  %s %s", summary_aging_name(i), money_format_human(s->aging[i], m));
	printf("\n\nmissing reports past due:\n");
	for (i = 0; i < s->nmissing; i++) {
		const SummaryMissing *x = &s->missing[i];
		const SummaryRevenueContract *c = &s->contracts[x->contract];

		printf("  %s %s (%s), due %s, %d days late\n", c->contract,
		       quarter_format(x->q, qt), c->vendor, date_format(x->due, due),
		       x->days_past_due);
	}
	if (!s->nmissing)
		printf("  none\n");
}

/* The quarters of a completeness audit: POs by status, gap, fee at risk. */
static void print_completeness_quarters(const CompletenessReport *r)
{
	static const char *const head[] = {"quarter", ">POs",	     ">register",   ">reported",
					   ">under",  ">over",	     ">unreported", ">pending",
					   ">gap",    ">fee at risk"};
	char m[3][MONEY_BUF], n[6][16], qt[QUARTER_BUF];
	Table t;
	int i;

	table_init(&t, 10, head);
	for (i = 0; i < r->nquarter; i++) {
		const CompletenessQuarter *c = &r->quarter[i];
		const char *row[10] = {quarter_format(c->q, qt),
				       n[0],
				       money_format_human(c->register_amount, m[0]),
				       n[1],
				       n[2],
				       n[3],
				       n[4],
				       n[5],
				       money_format_human(c->gap, m[1]),
				       money_format_human(c->fee_at_risk, m[2])};

		snprintf(n[0], sizeof n[0], "%d", c->register_pos);
		snprintf(n[1], sizeof n[1], "%d", c->count[CS_REPORTED]);
		snprintf(n[2], sizeof n[2], "%d", c->count[CS_UNDER_REPORTED]);
		snprintf(n[3], sizeof n[3], "%d", c->count[CS_OVER_REPORTED]);
		snprintf(n[4], sizeof n[4], "%d", c->count[CS_UNREPORTED]);
		snprintf(n[5], sizeof n[5], "%d", c->count[CS_PENDING]);
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

/* The POs the vendor has not (fully) reported. */
static void print_completeness_gaps(const CompletenessReport *r)
{
	static const char *const head[] = {"po date",	"agency", "po",	  ">register",
					   ">reported", "status", ">gap", ">fee at risk"};
	char m[4][MONEY_BUF], d[DATE_BUF];
	Table t;
	int i, n = 0;

	table_init(&t, 8, head);
	for (i = 0; i < r->npo; i++) {
		const CompletenessPo *p = &r->po[i];
		const char *row[8] = {date_format(p->po_date, d),
				      p->agency,
				      p->po_number,
				      money_format_human(p->register_amount, m[0]),
				      money_format_human(p->reported_amount, m[1]),
				      completeness_status_name(p->status),
				      money_format_human(p->gap, m[2]),
				      money_format_human(p->fee_at_risk, m[3])};

		if (p->status != CS_UNREPORTED && p->status != CS_UNDER_REPORTED)
			continue;
		table_add(&t, row);
		n++;
	}
	if (n)
		table_print(&t, stdout);
	else
		printf("No unreported or under-reported purchase orders.\n");
	table_free(&t);
}

static void print_completeness(const CompletenessReport *r)
{
	char m[2][MONEY_BUF], qt[QUARTER_BUF];
	Money gap = 0, risk = 0;
	int i;

	for (i = 0; i < r->nquarter; i++) {
		gap += r->quarter[i].gap;
		risk += r->quarter[i].fee_at_risk;
	}
	printf("Completeness, contract %s: gap %s, fee at risk %s (an estimate, not booked)\n\n",
	       r->contract, money_format_human(gap, m[0]), money_format_human(risk, m[1]));
	print_completeness_quarters(r);
	printf("\nUnreported and under-reported purchase orders:\n\n");
	print_completeness_gaps(r);
	printf("\nSignals from the ledger:\n\n");
	if (!r->nsignal)
		printf("None.\n");
	for (i = 0; i < r->nsignal; i++)
		printf("%s %s: %s\n", quarter_format(r->signal[i].q, qt),
		       signal_kind_name(r->signal[i].kind), r->signal[i].detail);
}

/* A whole number option ("--year").  OUT: *v. */
static int parse_int(const char *text, int lo, int hi, int *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(text, &end, 10);
	if (errno || end == text || *end || x < lo || x > hi)
		return -1;
	*v = (int)x;
	return 0;
}

/* The --year and --period of a contract report.  OUT: *sel. */
static ClCode report_select(const CliOpt *o, FeeSelect *sel, Err *e)
{
	const char *year = cli_opt(o, "year"), *period = cli_opt(o, "period");

	memset(sel, 0, sizeof *sel);
	if (year && parse_int(year, 1, 9999, &sel->year))
		return err_set(e, CL_EINPUT, "--year \"%s\" is not a year number", year);
	sel->has_period = period != NULL;
	return period ? quarter_parse(period, &sel->period, e) : CL_OK;
}

/* `report fees`: the table or, with --json, the JSON.  Exit status. */
static int report_fees(sqlite3 *db, const char *contract, const FeeSelect *sel, Date today,
		       int json)
{
	FeesReport r;
	Err e = {0};
	int rc = 0;

	if (fees_report(db, contract, sel, today, &r, &e))
		rc = cli_fail(&e);
	else if (json)
		cli_print_json(encode_fees(&r, ENC_DATA));
	else
		print_fees(&r);
	fees_report_free(&r);
	return rc;
}

/* `report rebates` for rebate year year.  Exit status. */
static int report_rebates(const Cli *cli, sqlite3 *db, const char *contract, int year, Date today,
			  int json)
{
	RebateReport r;
	Err e = {0};
	int rc = 0;

	if (rebate_report(db, contract, year, today, NULL, cli->actor, &r, &e))
		rc = cli_fail(&e);
	else if (json)
		cli_print_json(encode_rebates(&r, ENC_DATA));
	else
		print_rebates(&r);
	rebate_report_free(&r);
	return rc;
}

/* `report compliance` for period (all quarters when NULL).  Exit status. */
static int report_compliance(sqlite3 *db, const char *contract, const Quarter *period, int json)
{
	ComplianceReport r;
	Err e = {0};
	int rc = 0;

	if (compliance_report(db, contract, period, NULL, &r, &e))
		rc = cli_fail(&e);
	else if (json)
		cli_print_json(encode_compliance(&r, ENC_DATA));
	else
		print_compliance(&r);
	compliance_report_free(&r);
	return rc;
}

/* `report completeness` for period (all quarters when NULL).  Exit status. */
static int report_completeness(sqlite3 *db, const char *contract, const Quarter *period, Date today,
			       int json)
{
	CompletenessReport r;
	Err e = {0};
	int rc = 0;

	if (completeness_report(db, contract, period, today, &r, &e))
		rc = cli_fail(&e);
	else if (json)
		cli_print_json(encode_completeness(&r, ENC_DATA));
	else
		print_completeness(&r);
	completeness_report_free(&r);
	return rc;
}

/* A report of one contract (kind fees, rebates, compliance or
 * completeness) with its
 * options.  Exit status. */
static int report_contract(const Cli *cli, sqlite3 *db, const char *kind, const CliOpt *o,
			   Date today)
{
	const char *contract = cli_opt(o, "contract");
	int json = cli_opt(o, "json") != NULL;
	FeeSelect sel;
	Err e = {0};

	if (report_select(o, &sel, &e))
		return cli_fail(&e);
	if (strcmp(kind, "fees") == 0)
		return report_fees(db, contract, &sel, today, json);
	if (strcmp(kind, "compliance") == 0)
		return report_compliance(db, contract, sel.has_period ? &sel.period : NULL, json);
	if (strcmp(kind, "completeness") == 0)
		return report_completeness(db, contract, sel.has_period ? &sel.period : NULL, today,
					   json);
	if (!sel.year && rebate_current_year(db, contract, today, &sel.year, &e))
		return cli_fail(&e);
	return report_rebates(cli, db, contract, sel.year, today, json);
}

/* `report agency` or `report revenue` (kind): the typed summary, shown as
 * a table or, with --json, as its JSON.  Exit status. */
static int report_summary(const Cli *cli, sqlite3 *db, const char *kind, const CliOpt *o,
			  Date today)
{
	SummaryAgency ag;
	SummaryRevenue rev;
	int year = 0, json = cli_opt(o, "json") != NULL;
	Err e = {0};

	if (strcmp(kind, "agency") == 0) {
		if (summary_agency(db, cli_opt(o, "agency"), cli_opt(o, "contract"), NULL, today,
				   cli->actor, &ag, &e)) {
			summary_agency_free(&ag);
			return cli_fail(&e);
		}
		if (json)
			cli_print_json(encode_summary_agency(&ag, ENC_DATA));
		else
			print_agency(&ag);
		summary_agency_free(&ag);
		return 0;
	}
	if (cli_opt(o, "year") && parse_int(cli_opt(o, "year"), 1, 9999, &year)) {
		err_set(&e, CL_EINPUT, "--year \"%s\" is not a year number", cli_opt(o, "year"));
		return cli_fail(&e);
	}
	if (summary_revenue(db, year, today, &rev, &e)) {
		summary_revenue_free(&rev);
		return cli_fail(&e);
	}
	if (json)
		cli_print_json(encode_summary_revenue(&rev, ENC_DATA));
	else
		print_revenue(&rev);
	summary_revenue_free(&rev);
	return 0;
}

/* Which options each report needs. */
static int report_check(const char *kind, const CliOpt *o)
{
	static const char *const kinds[] = {"fees",   "rebates", "compliance",
					    "agency", "revenue", "completeness"};
	size_t i;

	for (i = 0; i < 6; i++)
		if (strcmp(kind, kinds[i]) == 0)
			break;
	if (i == 6)
		return cli_usage_error(report_usage, "unknown report \"%s\"", kind);
	if ((i < 3 || i == 5) && !cli_opt(o, "contract"))
		return cli_usage_error(report_usage, "report %s needs --contract", kind);
	if (i == 3 && !cli_opt(o, "agency"))
		return cli_usage_error(report_usage, "report agency needs --agency");
	if (cli_opt(o, "year") && cli_opt(o, "period"))
		return cli_usage_error(report_usage, "give --year or --period, not both");
	if ((i == 1 || i == 3 || i == 4) && cli_opt(o, "period"))
		return cli_usage_error(report_usage, "report %s takes no --period", kind);
	if ((i == 2 || i == 3 || i == 5) && cli_opt(o, "year"))
		return cli_usage_error(report_usage, "report %s takes no --year", kind);
	return 0;
}

int cmd_report(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"agency", 1, NULL}, {"year", 1, NULL},
		      {"period", 1, NULL},   {"json", 0, NULL},	  {NULL, 0, NULL}};
	const char *pos[1], *kind;
	int npos, rc;
	sqlite3 *db;
	Date today;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(report_usage, stdout);
		return 0;
	}
	if (argc < 2)
		return cli_usage_error(report_usage, "name the report: fees, rebates, compliance, "
						     "agency, revenue or completeness");
	kind = argv[1];
	rc = cli_parse(argc - 1, argv + 1, o, pos, 0, &npos, report_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = report_check(kind, o);
	if (rc)
		return rc;
	if (cli_today(cli, &today) || !(db = cli_open_db(cli)))
		return 1;
	if (strcmp(kind, "agency") == 0 || strcmp(kind, "revenue") == 0)
		rc = report_summary(cli, db, kind, o, today);
	else
		rc = report_contract(cli, db, kind, o, today);
	db_close(db);
	return rc;
}

static const char remit_usage[] =
	"usage: coopledger remit --contract NUMBER --period Q --amount A --received DATE --ref R\n"
	"                        [--again]\n"
	"       coopledger remit reverse --id ID --reason TEXT\n"
	"\nRecord a remittance of administrative fees for a quarter (cheque or ACH\n"
	"reference).  Amounts as in 1234.56 or $1,234.56.  The received date may not\n"
	"be after today (or --as-of).  A remittance with the contract, quarter and\n"
	"reference of one already recorded is refused unless --again confirms it as a\n"
	"second payment.  `remit reverse` reverses a wrong one, which then counts\n"
	"nowhere.\n";

/* `remit reverse --id ID --reason TEXT`. */
static int remit_reverse_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"id", 1, NULL}, {"reason", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, remit_usage);
	char a[MONEY_BUF], *end;
	long long id;
	sqlite3 *db;
	RowSet rs;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "id"))
		return cli_usage_error(remit_usage, "remit reverse needs --id ID");
	if (!cli_opt(o, "reason"))
		return cli_usage_error(remit_usage, "a reversal needs --reason TEXT");
	errno = 0;
	id = strtoll(cli_opt(o, "id"), &end, 10);
	if (errno || end == cli_opt(o, "id") || *end || id <= 0)
		return cli_usage_error(remit_usage, "\"%s\" is not a remittance number",
				       cli_opt(o, "id"));
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = remit_reverse(db, id, cli_opt(o, "reason"), cli->actor, &e) ||
	     remit_get(db, id, &rs, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	printf("reversed remittance %lld (%s from %s for %s, %s): the reversal is remittance "
	       "%lld\n",
	       id, money_format_human(rowset_int(&rs, 0, "amount"), a),
	       rowset_text(&rs, 0, "contract"), rowset_text(&rs, 0, "quarter"),
	       rowset_text(&rs, 0, "reference"), (long long)rowset_int(&rs, 0, "reversal_id"));
	rowset_free(&rs);
	return 0;
}

/* Say how to confirm a second payment after the refusal of a repeat. */
static int remit_fail(const RemitIn *r, ClCode rc, Err *e)
{
	size_t n = strlen(e->msg);

	if (rc == CL_ECONFLICT && !r->again)
		snprintf(e->msg + n, sizeof e->msg - n, " (--again)");
	return cli_fail(e);
}

int cmd_remit(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"period", 1, NULL}, {"amount", 1, NULL},
		      {"received", 1, NULL}, {"ref", 1, NULL},	  {"again", 0, NULL},
		      {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc;
	char a[MONEY_BUF];
	RemitIn r = {0};
	int64_t id = 0;
	sqlite3 *db;
	Date today;
	Err e = {0};

	if (argc >= 2 && strcmp(argv[1], "reverse") == 0)
		return remit_reverse_cmd(cli, argc - 1, argv + 1);
	rc = cli_parse(argc, argv, o, pos, 0, &npos, remit_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || !cli_opt(o, "period") || !cli_opt(o, "amount") ||
	    !cli_opt(o, "received") || !cli_opt(o, "ref"))
		return cli_usage_error(
			remit_usage,
			"remit needs --contract, --period, --amount, --received and --ref");
	r.contract = cli_opt(o, "contract");
	r.reference = cli_opt(o, "ref");
	r.again = cli_opt(o, "again") != NULL;
	if (quarter_parse(cli_opt(o, "period"), &r.quarter, &e) ||
	    money_parse(cli_opt(o, "amount"), &r.amount, &e) ||
	    date_parse(cli_opt(o, "received"), &r.received, &e))
		return cli_fail(&e);
	if (cli_today(cli, &today) || !(db = cli_open_db(cli)))
		return 1;
	rc = remit_add_as_of(db, &r, today, cli->actor, &id, &e);
	db_close(db);
	if (rc)
		return remit_fail(&r, rc, &e);
	printf("recorded %s from %s for %s, received %s (%s) as remittance %lld\n",
	       money_format_human(r.amount, a), r.contract, cli_opt(o, "period"),
	       cli_opt(o, "received"), r.reference, (long long)id);
	return 0;
}

static const char export_usage[] =
	"usage: coopledger export ledger --contract NUMBER [--out FILE]\n"
	"\nWrite the contract's live lines, fees, late fees and remittances as a\n"
	"plain-text journal for `ledger` and `hledger`.\n";

int cmd_export(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"out", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc;
	sqlite3 *db;
	Date today;
	FILE *out = stdout;
	Err e = {0};

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(export_usage, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "ledger") != 0)
		return cli_usage_error(export_usage, "export needs ledger");
	rc = cli_parse(argc - 1, argv + 1, o, pos, 0, &npos, export_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract"))
		return cli_usage_error(export_usage, "export ledger needs --contract");
	if (cli_today(cli, &today) || !(db = cli_open_db(cli)))
		return 1;
	if (cli_opt(o, "out") && !(out = fopen(cli_opt(o, "out"), "w"))) {
		fprintf(stderr, "coopledger: cannot write %s: %s\n", cli_opt(o, "out"),
			strerror(errno));
		db_close(db);
		return 1;
	}
	rc = journal_export(db, cli_opt(o, "contract"), today, out, &e);
	if (out != stdout && fclose(out) != 0 && !rc)
		rc = err_set(&e, CL_EIO, "writing %s failed", cli_opt(o, "out"));
	db_close(db);
	return rc ? cli_fail(&e) : 0;
}
