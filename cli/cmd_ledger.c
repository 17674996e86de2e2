/* cmd_ledger.c — init, reverse, period, verify, user and demo commands. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cli.h"
#include "contract.h"
#include "db.h"
#include "demo.h"
#include "ledger.h"
#include "money.h"
#include "outbox.h"
#include "table.h"
#include "user.h"

/* Parse a positive row id.  OUT: *id. */
static int parse_id(const char *text, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* A command that takes no options beyond --help: parse, or return. */
static int no_options(int argc, char **argv, const char *usage, int *rc)
{
	CliOpt o[] = {{NULL, 0, NULL}};
	const char *pos[1];
	int npos;

	*rc = cli_parse(argc, argv, o, pos, 0, &npos, usage);
	if (*rc < 0)
		*rc = 0;
	else if (*rc == 0)
		return 0;
	return 1;
}

int cmd_init(const Cli *cli, int argc, char **argv)
{
	static const char usage[] = "usage: coopledger init\n\nCreate the database, or bring an "
				    "older one up to this version's schema.\n";
	sqlite3 *db;
	int rc;

	if (no_options(argc, argv, usage, &rc))
		return rc;
	db = cli_open_db(cli);
	if (!db)
		return 1;
	printf("database %s is ready (schema version %d)\n", cli->db_path, db_schema_latest());
	db_close(db);
	return 0;
}

static const char reverse_usage[] =
	"usage: coopledger reverse --line ID --reason TEXT\n"
	"       coopledger reverse --batch ID --reason TEXT\n"
	"\nAppend reversals that negate a ledger line, or every live line of an import\n"
	"batch; the originals and their reversals then drop out of every total.\n";

int cmd_reverse(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"line", 1, NULL}, {"batch", 1, NULL}, {"reason", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1], *line, *batch;
	int npos, count, rc = cli_parse(argc, argv, o, pos, 0, &npos, reverse_usage);
	int64_t id, rev;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	line = cli_opt(o, "line");
	batch = cli_opt(o, "batch");
	if (!line == !batch)
		return cli_usage_error(reverse_usage, "give either --line ID or --batch ID");
	if (!cli_opt(o, "reason"))
		return cli_usage_error(reverse_usage, "a reversal needs --reason TEXT");
	if (parse_id(line ? line : batch, &id))
		return cli_usage_error(reverse_usage, "\"%s\" is not a line or batch number",
				       line ? line : batch);
	db = cli_open_db(cli);
	if (!db)
		return 1;
	if (line)
		rc = ledger_reverse_line(db, id, cli_opt(o, "reason"), cli->actor, &rev, &e);
	else
		rc = ledger_reverse_batch(db, id, cli_opt(o, "reason"), cli->actor, &count, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	if (line)
		printf("reversed line %" PRId64 " (reversal is line %" PRId64 ")\n", id, rev);
	else
		printf("reversed batch %" PRId64 ": %d lines\n", id, count);
	return 0;
}

static const char period_usage[] =
	"usage: coopledger period close QUARTER [--confirm]\n"
	"       coopledger period reopen QUARTER --reason TEXT\n"
	"\nA closed quarter (e.g. 2025-Q3) takes no new purchase or reversal dated in it.\n"
	"A quarter closes only after its last day; one with a missing report, an unpaid\n"
	"balance or overcharges is listed and closes only with --confirm.\n";

int cmd_period(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"reason", 1, NULL}, {"confirm", 0, NULL}, {NULL, 0, NULL}};
	PeriodBlockers b = {NULL, 0};
	const char *pos[1];
	int npos, rc, reopen, i;
	Date today;
	sqlite3 *db;
	Quarter q;
	Err e = {0};

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(period_usage, stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "close") != 0 && strcmp(argv[1], "reopen") != 0))
		return cli_usage_error(period_usage, "period needs close or reopen");
	reopen = strcmp(argv[1], "reopen") == 0;
	rc = cli_parse(argc - 1, argv + 1, o, pos, 1, &npos, period_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1)
		return cli_usage_error(period_usage, "name the quarter, e.g. 2025-Q3");
	if (!reopen && cli_opt(o, "reason"))
		return cli_usage_error(period_usage, "--reason goes with reopen");
	if (reopen && cli_opt(o, "confirm"))
		return cli_usage_error(period_usage, "--confirm goes with close");
	if (reopen && !cli_opt(o, "reason"))
		return cli_usage_error(period_usage,
				       "period reopen needs --reason (why it is reopened)");
	if (quarter_parse(pos[0], &q, &e))
		return cli_fail(&e);
	if (cli_today(cli, &today))
		return 1;
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = reopen ? period_reopen(db, q, cli_opt(o, "reason"), cli->actor, &e)
		    : period_close_as_of(db, q, today, cli_opt(o, "confirm") != NULL, cli->actor,
					 &b, &e);
	db_close(db);
	if (rc && b.n > 0) {
		char line[300];

		fprintf(stderr, "coopledger: quarter %s has open matters:\n", pos[0]);
		for (i = 0; i < b.n; i++)
			fprintf(stderr, "  %s\n",
				period_blocker_text(&b.item[i], q, line, sizeof line));
		fprintf(stderr,
			"coopledger: not closed; run again with --confirm to close it anyway\n");
		period_blockers_free(&b);
		return 1;
	}
	if (!rc && b.n > 0)
		printf("closed with %d open matter%s confirmed\n", b.n, b.n == 1 ? "" : "s");
	period_blockers_free(&b);
	if (rc)
		return cli_fail(&e);
	printf("quarter %s is %s\n", pos[0], reopen ? "open" : "closed");
	return 0;
}

int cmd_verify(const Cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"usage: coopledger verify\n\nRecompute the hash chains of the ledger, the "
		"remittances, the amendments,\nthe register lines and the audit log, and the "
		"kept net sales and every order's\ntotals from the ledger's lines; name the "
		"first row or order that does not\nmatch and exit 1 if any does.\n";
	LedgerChains n;
	sqlite3 *db;
	Err e = {0};
	int rc;

	if (no_options(argc, argv, usage, &rc))
		return rc;
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = ledger_verify_all(db, &n, &e);
	db_close(db);
	if (rc) {
		fprintf(stderr, "coopledger: verify FAILED: %s\n", e.msg);
		return 1;
	}
	printf("verified %" PRId64 " ledger rows, %" PRId64 " remittance rows, %" PRId64
	       " amendment rows, %" PRId64 " register rows and %" PRId64
	       " audit rows: the chains are intact; the %" PRId64
	       " kept net-sales rows and the totals of %" PRId64 " orders match the lines\n",
	       n.purchases, n.remittances, n.amendments, n.registers, n.audits, n.aggregates,
	       n.orders);
	return 0;
}

static const char user_usage[] =
	"usage: coopledger user add --email E --role admin|finance|member|vendor\n"
	"                           [--agency CODE | --vendor CODE]\n"
	"       coopledger user invite --email E --role ROLE [--agency CODE | --vendor CODE]\n"
	"       coopledger user deactivate --email E\n"
	"\nadd: the password is read from $COOPLEDGER_PASSWORD, else from the first line\n"
	"of standard input; it is never taken from the command line.\n"
	"invite: the user gets no password; an e-mail with a link to set one (valid\n"
	"72 hours, used once) is queued in the outbox (`notices send` delivers it).\n"
	"Links start with $COOPLEDGER_BASE_URL (default http://127.0.0.1:8080).\n"
	"deactivate: the user can no longer sign in; their sessions, API tokens and\n"
	"links end at once.\n";

/* The new user's password: $COOPLEDGER_PASSWORD or one line of stdin. */
static int read_password(char *buf, size_t n)
{
	const char *env = getenv("COOPLEDGER_PASSWORD");
	size_t len;

	if (env && *env) {
		if (strlen(env) >= n)
			return -1;
		snprintf(buf, n, "%s", env);
		return 0;
	}
	if (!fgets(buf, (int)n, stdin))
		return -1;
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return 0;
}

/* `user invite` and `user deactivate` (argv[0] names which). */
static int user_access(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"email", 1, NULL},
		      {"role", 1, NULL},
		      {"agency", 1, NULL},
		      {"vendor", 1, NULL},
		      {NULL, 0, NULL}};
	int invite = strcmp(argv[0], "invite") == 0, npos, rc;
	const char *pos[1];
	sqlite3 *db;
	Role role = ROLE_ADMIN;
	Err e = {0};

	rc = cli_parse(argc, argv, o, pos, 0, &npos, user_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "email") || (invite && !cli_opt(o, "role")))
		return cli_usage_error(user_usage, invite ? "user invite needs --email and --role"
							  : "user deactivate needs --email");
	if (!invite && (cli_opt(o, "role") || cli_opt(o, "agency") || cli_opt(o, "vendor")))
		return cli_usage_error(user_usage, "user deactivate takes --email alone");
	if (invite && role_parse(cli_opt(o, "role"), &role, &e))
		return cli_fail(&e);
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = invite ? account_invite(db, cli_opt(o, "email"), role, cli_opt(o, "agency"),
				     cli_opt(o, "vendor"), cli->actor, outbox_now(), NULL, &e)
		    : account_deactivate(db, cli_opt(o, "email"), cli->actor, outbox_now(), &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	if (invite)
		printf("invited %s user %s: the e-mail with the set-password link is queued\n",
		       role_name(role), cli_opt(o, "email"));
	else
		printf("deactivated %s: sessions and API tokens ended\n", cli_opt(o, "email"));
	return 0;
}

int cmd_user(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"email", 1, NULL},
		      {"role", 1, NULL},
		      {"agency", 1, NULL},
		      {"vendor", 1, NULL},
		      {NULL, 0, NULL}};
	char password[USER_PASSWORD_MAX + 2];
	const char *pos[1];
	int npos, rc;
	sqlite3 *db;
	Role role;
	Err e = {0};

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(user_usage, stdout);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "invite") == 0 || strcmp(argv[1], "deactivate") == 0))
		return user_access(cli, argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage_error(user_usage, "user needs add, invite or deactivate");
	rc = cli_parse(argc - 1, argv + 1, o, pos, 0, &npos, user_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "email") || !cli_opt(o, "role"))
		return cli_usage_error(user_usage, "user add needs --email and --role");
	if (role_parse(cli_opt(o, "role"), &role, &e))
		return cli_fail(&e);
	if (read_password(password, sizeof password)) {
		fprintf(stderr, "coopledger: no password: set COOPLEDGER_PASSWORD or write it on "
				"standard input\n");
		return 1;
	}
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = user_add(db, cli_opt(o, "email"), password, role, cli_opt(o, "agency"),
		      cli_opt(o, "vendor"), cli->actor, NULL, &e);
	memset(password, 0, sizeof password);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	printf("added %s user %s\n", role_name(role), cli_opt(o, "email"));
	return 0;
}

static void print_demo(const char *path, const DemoSummary *s)
{
	static const char *const ch[] = {"contract", "vendor", ">participants", ">lines",
					 ">net sales"};
	static const char *const uh[] = {"role", "e-mail", "for", "password"};
	char money[MONEY_BUF], n1[16], n2[24];
	Table t;
	int i;

	printf("Loaded the Kansas furniture demo into %s\n\n", path);
	printf("%d agencies, %d vendors, %" PRId64 " ledger rows (%" PRId64 " reversals), %" PRId64
	       " report batches, %" PRId64 " remittances, %d closed quarters\n\n",
	       s->agencies, s->vendors, s->lines, s->reversals, s->batches, s->remittances,
	       s->closed_quarters);
	table_init(&t, 5, ch);
	for (i = 0; i < s->ncontract; i++) {
		const DemoContract *c = &s->contract[i];
		const char *row[5] = {c->number, c->vendor, n1, n2,
				      money_format_human(c->net_sales, money)};

		snprintf(n1, sizeof n1, "%d", c->participants);
		snprintf(n2, sizeof n2, "%" PRId64, c->lines);
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	printf("\nSign-in accounts (passwords are shown only now):\n\n");
	table_init(&t, 4, uh);
	for (i = 0; i < 4; i++) {
		const char *row[4] = {s->user[i].role, s->user[i].email, s->user[i].binding,
				      s->user[i].password};

		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

int cmd_demo(const Cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"usage: coopledger [--db PATH] [--as-of DATE] demo\n\nLoad the Kansas furniture "
		"demo into a new database: 286 districts, USD 259 as\nlead agency, two vendors, "
		"three contracts and their sales through the last\nquarter reported by today (or "
		"--as-of).\n";
	DemoSummary s;
	sqlite3 *db;
	Date today;
	Err e = {0};
	int rc;

	if (no_options(argc, argv, usage, &rc))
		return rc;
	if (cli_today(cli, &today))
		return 1;
	db = cli_open_db(cli);
	if (!db)
		return 1;
	rc = demo_load(db, today, &s, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	print_demo(cli->db_path, &s);
	return 0;
}
