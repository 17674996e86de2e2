/*
 * cli.h — shared pieces of the `coopledger` command line.
 *
 * Each command is a function taking its own argv (argv[0] is the command
 * name) and the global context; it returns the process exit status:
 * 0 success, 1 refused or failed (message on stderr), 2 usage error.
 */
#ifndef COOPLEDGER_CLI_H
#define COOPLEDGER_CLI_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "send.h"

#define EXIT_USAGE 2

typedef struct Cli {
	const char *db_path;
	const char *as_of; /* NULL: the system date */
	char actor[128];
} Cli;

/* One option a command accepts: "--name" with a value or a flag. */
typedef struct CliOpt {
	const char *name; /* without the dashes */
	int takes_value;
	const char *value; /* OUT: the value, "1" for a given flag, NULL if absent */
} CliOpt;

/* Parse argv[1..] against opts; positional arguments are gathered into
 * pos (at most npos).  Prints the problem and usage on stderr and returns
 * EXIT_USAGE when an option is unknown, lacks its value, or there are too
 * many positional arguments.  --help prints usage on stdout and returns -1.
 * OUT: opts[].value, pos, *npos_out. */
int cli_parse(int argc, char **argv, CliOpt *opts, const char **pos, int npos, int *npos_out,
	      const char *usage);

/* The value of option name in opts (NULL when absent). */
const char *cli_opt(const CliOpt *opts, const char *name);

/* Open the database (creating and migrating it), or print why not. */
sqlite3 *cli_open_db(const Cli *cli);

/* Print obj as indented JSON on stdout and free it; returns 0. */
int cli_print_json(cJSON *obj);

/* Print "coopledger: message" on stderr; returns 1. */
int cli_fail(const Err *e);

/* Print a usage problem and the usage on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A subcommand: `coopledger COMMAND NAME ...` runs run(cli, argc - 1, argv + 1). */
typedef struct CliSub {
	const char *name;
	int (*run)(const Cli *cli, int argc, char **argv);
} CliSub;

/* Run the subcommand argv[1] of command, one of the n in subs; --help or -h
 * prints usage; none or an unknown one is a usage error naming the
 * choices. */
int cli_dispatch(const Cli *cli, int argc, char **argv, const char *command, const CliSub *subs,
		 size_t n, const char *usage);

/* Today's date per --as-of or the system clock.  OUT: *out. */
int cli_today(const Cli *cli, Date *out);

/* Commands. */
int cmd_init(const Cli *cli, int argc, char **argv);
int cmd_agency(const Cli *cli, int argc, char **argv);
int cmd_vendor(const Cli *cli, int argc, char **argv);
int cmd_contract(const Cli *cli, int argc, char **argv);
int cmd_participant(const Cli *cli, int argc, char **argv);
int cmd_reverse(const Cli *cli, int argc, char **argv);
int cmd_period(const Cli *cli, int argc, char **argv);
int cmd_verify(const Cli *cli, int argc, char **argv);
int cmd_user(const Cli *cli, int argc, char **argv);
int cmd_demo(const Cli *cli, int argc, char **argv);
int cmd_import(const Cli *cli, int argc, char **argv);
int cmd_batches(const Cli *cli, int argc, char **argv);
int cmd_register(const Cli *cli, int argc, char **argv); /* cmd_register.c */
int cmd_inquiry(const Cli *cli, int argc, char **argv);	 /* cmd_inquiry.c */
int cmd_join(const Cli *cli, int argc, char **argv);	 /* cmd_join.c */
int cmd_document(const Cli *cli, int argc, char **argv); /* cmd_document.c */
int cmd_vendor_map(const Cli *cli, int argc, char **argv);
int cmd_vendor_list(const Cli *cli, int argc, char **argv);    /* cmd_vendors.c */
int cmd_vendor_rename(const Cli *cli, int argc, char **argv);  /* cmd_vendors.c */
int cmd_vendor_contact(const Cli *cli, int argc, char **argv); /* cmd_vendors.c */
int cmd_report(const Cli *cli, int argc, char **argv);
int cmd_remit(const Cli *cli, int argc, char **argv);
int cmd_export(const Cli *cli, int argc, char **argv);
int cmd_serve(const Cli *cli, int argc, char **argv);
int cmd_notices(const Cli *cli, int argc, char **argv);
int cmd_statements(const Cli *cli, int argc, char **argv);
int cmd_packet(const Cli *cli, int argc, char **argv);
int cmd_ocds(const Cli *cli, int argc, char **argv);

/* The PDF a statement notice carries (mail_statement.c): the member
 * statement for statement_ready, the vendor's fee statement for
 * fee_statement; the statement hook of mail/send.h. */
ClCode cli_pdf_statement(sqlite3 *db, const OutboxNotice *n, Date today, MailStatement *out,
			 Err *e);

#endif
