/* main.c — `coopledger`: global options and the command table. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"

static const char usage_text[] =
	"usage: coopledger [--db PATH] [--as-of YYYY-MM-DD] COMMAND [ARGS]\n"
	"\n"
	"Lead-agency contract administration: the ledger of purchases under\n"
	"cooperative contracts, its fees, rebates and reports.\n"
	"\n"
	"Commands:\n"
	"  init                         create or migrate the database\n"
	"  demo                         load the Kansas furniture demo\n"
	"  agency add|import|list       public agencies\n"
	"  vendor add|map               vendors and their report column mappings\n"
	"  contract import|show         contracts from a terms document\n"
	"  participant add|import       agencies joining a contract\n"
	"  import                       import a vendor's quarterly sales report (CSV)\n"
	"  batches                      list a contract's import batches\n"
	"  register import|reverse|list|map   members' purchase registers\n"
	"  reverse                      reverse a ledger line or a whole batch\n"
	"  remit                        record a fee remittance, or reverse one\n"
	"  report fees|rebates|compliance|agency|revenue   the money reports\n"
	"  report completeness          register POs the vendor did not report\n"
	"  inquiry send|list            ask the vendor about POs missing from its reports\n"
	"  document add|list            PDF documents attached to a contract\n"
	"  export ledger                the books as a ledger/hledger journal\n"
	"  statements                   PDF member, vendor fee and revenue statements\n"
	"  packet                       a member's due-diligence packet for a contract (PDF)\n"
	"  ocds                         a contract as OCDS; publishing its members' orders\n"
	"  serve                        the web UI and JSON API\n"
	"  notices queue|send|list|retry  e-mail notices and their outbox\n"
	"  period close|reopen          close or reopen a quarter\n"
	"  user add|invite|deactivate   people who sign in\n"
	"  join list|approve|decline    requests to join a contract from the catalog\n"
	"  verify                       check the hash chains\n"
	"\n"
	"Global options:\n"
	"  --db PATH        database file (default $COOPLEDGER_DB, else ./coopledger.db)\n"
	"  --as-of DATE     take DATE as today\n"
	"\n"
	"Run `coopledger COMMAND --help` for a command's options.\n";

typedef struct Command {
	const char *name;
	int (*run)(const Cli *cli, int argc, char **argv);
} Command;

static const Command commands[] = {
	{"init", cmd_init},	    {"demo", cmd_demo},		{"agency", cmd_agency},
	{"vendor", cmd_vendor},	    {"contract", cmd_contract}, {"participant", cmd_participant},
	{"reverse", cmd_reverse},   {"period", cmd_period},	{"user", cmd_user},
	{"verify", cmd_verify},	    {"import", cmd_import},	{"batches", cmd_batches},
	{"report", cmd_report},	    {"remit", cmd_remit},	{"export", cmd_export},
	{"serve", cmd_serve},	    {"notices", cmd_notices},	{"statements", cmd_statements},
	{"register", cmd_register}, {"inquiry", cmd_inquiry},	{"join", cmd_join},
	{"packet", cmd_packet},	    {"ocds", cmd_ocds},		{"document", cmd_document},
};

/* Who the audit log names for changes made from this command line. */
static void set_actor(Cli *cli)
{
	const char *who = getenv("COOPLEDGER_ACTOR");

	if (!who || !*who)
		who = getenv("USER");
	snprintf(cli->actor, sizeof cli->actor, "cli:%s", who && *who ? who : "operator");
}

/* A command that succeeded while a read of the database failed printed
 * something short or wrong: it fails instead, saying why. */
static int finish(int rc)
{
	const char *why;

	if (rc == 0 && db_read_failures(&why) > 0) {
		fprintf(stderr, "coopledger: the database could not be read: %s\n", why);
		return 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	Cli cli = {0};
	int i = 1;
	size_t k;

	if (sodium_init() < 0) {
		fputs("coopledger: cannot initialise libsodium\n", stderr);
		return 1;
	}
	mail_set_statement_hook(cli_pdf_statement);
	cli.db_path = getenv("COOPLEDGER_DB");
	if (!cli.db_path || !*cli.db_path)
		cli.db_path = "coopledger.db";
	set_actor(&cli);
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli.db_path = argv[++i];
		} else if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc) {
			Date d;
			Err e;

			cli.as_of = argv[++i];
			if (date_parse(cli.as_of, &d, &e))
				return cli_usage_error(usage_text, "--as-of: %s", e.msg);
		} else {
			return cli_usage_error(usage_text, "unknown option %s", argv[i]);
		}
	}
	if (i >= argc)
		return cli_usage_error(usage_text, "no command given");
	for (k = 0; k < sizeof commands / sizeof *commands; k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return finish(commands[k].run(&cli, argc - i, argv + i));
	return cli_usage_error(usage_text, "unknown command \"%s\"", argv[i]);
}
