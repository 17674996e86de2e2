/* cmd_records.c — agency, vendor, contract and participant commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "buf.h"
#include "cli.h"
#include "contract.h"
#include "db.h"
#include "encode.h"
#include "encode_rows.h"
#include "money.h"
#include "participant.h"
#include "table.h"
#include "terms.h"

#define DOC_MAX (1 << 20) /* a terms document larger than 1 MiB is refused */

static const char agency_usage[] =
	"usage: coopledger agency add --code C --name N --kind K --state S [--not-public] "
	"[--email E]\n"
	"       coopledger agency import [--sheet NAME] FILE.csv|FILE.xlsx   (columns "
	"code,name,kind,state[,public_entity][,email])\n"
	"       coopledger agency list [--json]\n"
	"\nKinds: school_district, city, county, state_agency, higher_ed, special_district,\n"
	"nonprofit.  public_entity accepts yes/no, true/false, 1/0 (missing means yes).\n"
	"An Excel workbook (.xlsx) is read from its first worksheet, or the one --sheet\n"
	"names.\n";

/* Open path for reading ("-" is standard input), or print why not. */
static FILE *open_input(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

	if (!f)
		fprintf(stderr, "coopledger: cannot read %s: %m\n", path);
	return f;
}

static void close_input(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}

static int agency_add_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"code", 1, NULL},  {"name", 1, NULL},	   {"kind", 1, NULL},
		      {"state", 1, NULL}, {"not-public", 0, NULL}, {"email", 1, NULL},
		      {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, agency_usage);
	AgencyIn a;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "code") || !cli_opt(o, "name") || !cli_opt(o, "kind") ||
	    !cli_opt(o, "state"))
		return cli_usage_error(agency_usage,
				       "agency add needs --code, --name, --kind and --state");
	a = (AgencyIn){cli_opt(o, "code"),  cli_opt(o, "name"),	       cli_opt(o, "kind"),
		       cli_opt(o, "state"), !cli_opt(o, "not-public"), NULL,
		       cli_opt(o, "email")};
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = agency_add(db, &a, cli->actor, NULL, &e) ? cli_fail(&e) : 0;
	if (!rc)
		printf("added agency %s (%s)\n", a.code, a.name);
	db_close(db);
	return rc;
}

static int agency_import_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"sheet", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, added, rc = cli_parse(argc, argv, o, pos, 1, &npos, agency_usage);
	sqlite3 *db;
	FILE *f;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1)
		return cli_usage_error(agency_usage, "agency import needs a CSV or .xlsx file");
	f = open_input(pos[0]);
	if (!f)
		return 1;
	db = cli_open_db(cli);
	rc = !db								     ? 1
	     : agency_import_csv(db, f, cli_opt(o, "sheet"), cli->actor, &added, &e) ? cli_fail(&e)
										     : 0;
	if (!rc)
		printf("imported %d agencies from %s\n", added, pos[0]);
	close_input(f);
	db_close(db);
	return rc;
}

static int agency_list_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"json", 0, NULL}, {NULL, 0, NULL}};
	static const char *const head[] = {"code", "name", "kind", "state", "public", "e-mail"};
	const char *pos[1];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 0, &npos, agency_usage);
	sqlite3 *db;
	RowSet all;
	Err e = {0};
	Table t;

	if (rc)
		return rc < 0 ? 0 : rc;
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = agency_list(db, &all, &e);
	db_close(db);
	if (rc) {
		rowset_free(&all);
		return cli_fail(&e);
	}
	if (cli_opt(o, "json")) {
		rc = cli_print_json(encode_agencies(&all));
		rowset_free(&all);
		return rc;
	}
	table_init(&t, 6, head);
	for (i = 0; i < all.nrow; i++) {
		const char *row[6] = {
			rowset_text(&all, i, "code"),
			rowset_text(&all, i, "name"),
			rowset_text(&all, i, "kind"),
			rowset_text(&all, i, "state"),
			rowset_int(&all, i, "public_entity") ? "yes" : "no",
			rowset_text(&all, i, "email"),
		};
		table_add(&t, row);
	}
	table_print(&t, stdout);
	printf("%d agencies\n", t.nrow);
	table_free(&t);
	rowset_free(&all);
	return 0;
}

int cmd_agency(const Cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return agency_add_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return agency_import_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return agency_list_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(agency_usage, stdout);
		return 0;
	}
	return cli_usage_error(agency_usage, "agency needs add, import or list");
}

static const char vendor_usage[] =
	"usage: coopledger vendor add --code C --name N [--email E]\n"
	"       coopledger vendor list [--json]\n"
	"       coopledger vendor rename --code C --name N\n"
	"       coopledger vendor contact add|edit|remove|list --vendor C ...\n"
	"       coopledger vendor map --vendor CODE \"Their header=column\" ... | --list | "
	"--clear\n";

int cmd_vendor(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"code", 1, NULL}, {"name", 1, NULL}, {"email", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc;
	sqlite3 *db;
	Err e = {0};

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(vendor_usage, stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "map") == 0)
		return cmd_vendor_map(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cmd_vendor_list(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "rename") == 0)
		return cmd_vendor_rename(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "contact") == 0)
		return cmd_vendor_contact(cli, argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage_error(vendor_usage,
				       "vendor needs add, list, rename, contact or map");
	rc = cli_parse(argc - 1, argv + 1, o, pos, 0, &npos, vendor_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "code") || !cli_opt(o, "name"))
		return cli_usage_error(vendor_usage, "vendor add needs --code and --name");
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = vendor_add(db, cli_opt(o, "code"), cli_opt(o, "name"), cli_opt(o, "email"), cli->actor,
			NULL, &e)
		     ? cli_fail(&e)
		     : 0;
	if (!rc)
		printf("added vendor %s (%s)\n", cli_opt(o, "code"), cli_opt(o, "name"));
	db_close(db);
	return rc;
}

static const char contract_usage[] =
	"usage: coopledger contract import FILE.json   create a contract from a terms document\n"
	"       coopledger contract show NUMBER [--on DATE] [--json]\n"
	"       coopledger contract amend NUMBER --effective DATE --reference TEXT FILE.json\n"
	"                                     FILE.json holds only what changes: any of fee,\n"
	"                                     discounts, rebates, due_days, late_fee,\n"
	"                                     price_tolerance, end, status (\"terminated\"),\n"
	"                                     renewals, renew (true)\n";

/* Read all of f into b (capped at DOC_MAX). */
static int slurp(FILE *f, Buf *b, const char *path)
{
	char chunk[8192];
	size_t n;

	buf_init(b, DOC_MAX);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(b, chunk, n)) {
			fprintf(stderr,
				"coopledger: %s is larger than %d bytes; is it a terms document?\n",
				path, DOC_MAX);
			return 1;
		}
	}
	return 0;
}

static int contract_import_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, contract_usage);
	sqlite3 *db = NULL;
	FILE *f;
	Buf b;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1)
		return cli_usage_error(contract_usage, "contract import needs a terms file");
	f = open_input(pos[0]);
	if (!f)
		return 1;
	rc = slurp(f, &b, pos[0]);
	close_input(f);
	if (!rc)
		db = cli_open_db(cli);
	if (!rc && !db)
		rc = 1;
	if (!rc && contract_import(db, b.data ? b.data : "", b.len, cli->actor, NULL, &e)) {
		err_prefix(&e, "%s", pos[0]);
		rc = cli_fail(&e);
	}
	if (!rc)
		printf("imported contract from %s\n", pos[0]);
	buf_free(&b);
	db_close(db);
	return rc;
}

static int contract_amend_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"effective", 1, NULL}, {"reference", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[2];
	int npos, seq = 0, rc = cli_parse(argc, argv, o, pos, 2, &npos, contract_usage);
	sqlite3 *db = NULL;
	Date effective;
	FILE *f;
	Buf b;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 2 || !cli_opt(o, "effective") || !cli_opt(o, "reference"))
		return cli_usage_error(contract_usage,
				       "contract amend needs a contract number, "
				       "--effective, --reference and a changes file");
	if (date_parse(cli_opt(o, "effective"), &effective, &e)) {
		err_prefix(&e, "--effective");
		return cli_fail(&e);
	}
	if (!(f = open_input(pos[1])))
		return 1;
	rc = slurp(f, &b, pos[1]);
	close_input(f);
	if (!rc && !(db = cli_open_db(cli)))
		rc = 1;
	if (!rc && contract_amend(db, pos[0], effective, cli_opt(o, "reference"),
				  b.data ? b.data : "", b.len, cli->actor, &seq, &e)) {
		err_prefix(&e, "%s", pos[1]);
		rc = cli_fail(&e);
	}
	if (!rc)
		printf("recorded amendment %d of %s, effective %s\n", seq, pos[0],
		       cli_opt(o, "effective"));
	buf_free(&b);
	db_close(db);
	return rc;
}

/* A schedule in plain words, one band a line. */
static void print_schedule(const char *title, const Schedule *s, int with_mode)
{
	char from[MONEY_BUF], rate[MONEY_BUF];
	int i;

	if (!s->present) {
		printf("%-14s none\n", title);
		return;
	}
	if (with_mode)
		printf("%-14s %s, by %s year\n", title,
		       s->mode == SCHED_GRADUATED
			       ? "graduated (each band's rate on the part in it)"
			       : "volume (the reached tier's rate on everything)",
		       year_kind_name(s->year));
	else
		printf("%-14s all-units, by each order's list total\n", title);
	for (i = 0; i < s->nband; i++)
		printf("%-14s   from %15s  %s\n", "", money_format_human(s->band[i].from, from),
		       rate_format(s->band[i].rate, rate));
}

/* The award's term and each amendment, one a line, in order. */
static void print_amendments(const ContractShow *c)
{
	char d1[DATE_BUF], d2[DATE_BUF];
	int i;

	printf("%-14s %s to %s, as awarded\n", "award", date_format(c->award.start, d1),
	       date_format(c->award.end, d2));
	for (i = 0; i < c->h.n; i++) {
		const Amendment *a = &c->h.amend[i];

		cJSON *ch = cJSON_Parse(a->changes);
		char *words = ch ? encode_change_words(ch, c->h.ver[i + 1].end) : NULL;

		printf("%-14s %d. effective %s, %s: %s\n%-14s    recorded by %s at %s\n",
		       i ? "" : "amendments", a->seq, date_format(a->effective, d1), a->reference,
		       words ? words : a->changes, "", a->recorded_by, a->created_at);
		free(words);
		cJSON_Delete(ch);
	}
}

static void print_contract(const ContractShow *c)
{
	const Terms *t = &c->t;
	char a[MONEY_BUF], b[MONEY_BUF], d1[DATE_BUF], d2[DATE_BUF];

	printf("%s  %s\n", t->number, t->title);
	printf("%-14s %s\n", "terms in force", date_format(c->on, d1));
	printf("%-14s %s\n", "category", t->category);
	printf("%-14s %s (%s)\n", "lead agency", t->lead_agency, c->lead_agency_name);
	printf("%-14s %s (%s)\n", "vendor", t->vendor, c->vendor_name);
	printf("%-14s %s to %s\n", "term", date_format(t->start, d1), date_format(t->end, d2));
	printf("%-14s %s\n", "status", contract_status_name(t->status));
	printf("%-14s %s\n", "solicitation", t->solicitation);
	printf("%-14s %d\n", "participants", (int)c->participants);
	printf("%-14s %d live lines, list %s, net sales %s\n", "ledger", (int)c->live_lines,
	       money_format_human(c->list_total, a), money_format_human(c->net_sales, b));
	print_schedule("admin fee", &t->fee, 1);
	printf("%-14s %d days after each quarter ends\n", "fee due", t->due_days);
	if (t->has_late_fee)
		printf("%-14s greater of %s or %s of the amount unpaid at the due date\n",
		       "late fee", money_format_human(t->late_fee_min, a),
		       rate_format(t->late_fee_rate, b));
	else
		printf("%-14s none\n", "late fee");
	print_schedule("discounts", &t->discounts, 0);
	printf("%-14s %s per line\n", "tolerance", money_format_human(t->price_tolerance, a));
	print_schedule("rebates", &t->rebates, 1);
	if (t->renew_years)
		printf("%-14s %d option(s) left of %d year(s) each\n", "renewals", t->renew_options,
		       t->renew_years);
	print_amendments(c);
}

static int contract_show_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"json", 0, NULL}, {"on", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, contract_usage);
	ContractShow show;
	sqlite3 *db;
	cJSON *json;
	Date on = 0;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1)
		return cli_usage_error(contract_usage, "contract show needs a contract number");
	if (cli_opt(o, "on") && date_parse(cli_opt(o, "on"), &on, &e)) {
		err_prefix(&e, "--on");
		return cli_fail(&e);
	}
	if (!cli_opt(o, "on") && cli_today(cli, &on))
		return 1;
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = contract_show(db, pos[0], on, &show, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	if (!cli_opt(o, "json")) {
		print_contract(&show);
		contract_show_free(&show);
		return 0;
	}
	json = encode_contract(&show, ENC_DATA);
	contract_show_free(&show);
	if (!json) {
		err_set(&e, CL_ENOMEM, "out of memory");
		return cli_fail(&e);
	}
	return cli_print_json(json);
}

int cmd_contract(const Cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return contract_import_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return contract_show_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "amend") == 0)
		return contract_amend_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(contract_usage, stdout);
		return 0;
	}
	return cli_usage_error(contract_usage, "contract needs import, show or amend");
}

static const char participant_usage[] =
	"usage: coopledger participant add --contract NUMBER --agency CODE --joined DATE\n"
	"       coopledger participant import --contract NUMBER [--sheet NAME] "
	"FILE.csv|FILE.xlsx\n"
	"                  (columns agency_code,joined; an .xlsx workbook is read from its\n"
	"                  first worksheet, or the one --sheet names)\n";

static int participant_add_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {
		{"contract", 1, NULL}, {"agency", 1, NULL}, {"joined", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1], *codes[1];
	int npos, added, rc = cli_parse(argc, argv, o, pos, 0, &npos, participant_usage);
	sqlite3 *db;
	Date joined;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || !cli_opt(o, "agency") || !cli_opt(o, "joined"))
		return cli_usage_error(participant_usage,
				       "participant add needs --contract, --agency and --joined");
	if (date_parse(cli_opt(o, "joined"), &joined, &e)) {
		err_prefix(&e, "--joined");
		return cli_fail(&e);
	}
	codes[0] = cli_opt(o, "agency");
	db = cli_open_db(cli);
	if (!db)
		return 1;
	/* the same check as the web's enrollment: a public agency, within the term */
	rc = participant_enroll(db, cli_opt(o, "contract"), codes, 1, joined, cli->actor, &added,
				&e)
		     ? cli_fail(&e)
		     : 0;
	if (!rc)
		printf("agency %s joined contract %s on %s\n", cli_opt(o, "agency"),
		       cli_opt(o, "contract"), cli_opt(o, "joined"));
	db_close(db);
	return rc;
}

static int participant_import_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"sheet", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, added, rc = cli_parse(argc, argv, o, pos, 1, &npos, participant_usage);
	sqlite3 *db;
	FILE *f;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || npos != 1)
		return cli_usage_error(
			participant_usage,
			"participant import needs --contract and a CSV or .xlsx file");
	f = open_input(pos[0]);
	if (!f)
		return 1;
	db = cli_open_db(cli);
	rc = !db ? 1
	     : participant_import_csv(db, cli_opt(o, "contract"), f, cli_opt(o, "sheet"),
				      cli->actor, &added, &e)
		     ? cli_fail(&e)
		     : 0;
	if (!rc)
		printf("imported %d participants of %s from %s\n", added, cli_opt(o, "contract"),
		       pos[0]);
	close_input(f);
	db_close(db);
	return rc;
}

int cmd_participant(const Cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return participant_add_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return participant_import_cmd(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(participant_usage, stdout);
		return 0;
	}
	return cli_usage_error(participant_usage, "participant needs add or import");
}
