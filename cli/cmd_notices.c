/* cmd_notices.c — `coopledger notices queue|send|list|retry`: the e-mail
 * outbox (core/outbox.h, mail/send.h, docs/mail.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "encode.h"
#include "outbox.h"
#include "send.h"
#include "table.h"

static const char notices_usage[] =
	"usage: coopledger notices queue            queue the notices due as of today\n"
	"       coopledger notices send             deliver the notices whose time has come\n"
	"       coopledger notices list [--json]    the outbox, newest first\n"
	"       coopledger notices retry ID         put a dead notice back in the queue\n"
	"\n"
	"Delivery: COOPLEDGER_SMTP_URL (smtp://user:password@host:port?starttls=\n"
	"required|optional|none, or smtps://user:password@host:465 for TLS from the\n"
	"first byte; &cafile=PATH, &timeout=SECONDS) and COOPLEDGER_MAIL_FROM; without\n"
	"a URL each notice is written as an .eml file into COOPLEDGER_MAIL_DIR\n"
	"(default ./mail-out).  A notice being sent is 'sending' until its sender\n"
	"records the outcome; a claim whose sender died lapses after 10 minutes.\n"
	"COOPLEDGER_NOW (unix seconds or YYYY-MM-DDTHH:MM:SSZ) sets the retry clock.\n";

static int notices_queue(const Cli *cli, sqlite3 *db)
{
	Date today;
	int added = 0;
	Err e = {0};

	if (cli_today(cli, &today))
		return 1;
	if (outbox_queue_due(db, today, outbox_now(), &added, &e))
		return cli_fail(&e);
	printf("queued %d new notice%s\n", added, added == 1 ? "" : "s");
	return 0;
}

static int notices_send(const Cli *cli, sqlite3 *db)
{
	MailConfig c;
	MailRun r = {0};
	Date today;
	Err e = {0};

	if (cli_today(cli, &today))
		return 1;
	if (mail_config_from_env(&c, &e))
		return cli_fail(&e);
	signal(SIGPIPE, SIG_IGN); /* a server that hangs up must not kill us */
	if (mail_send_due(db, &c, outbox_now(), today, &r, &e))
		return cli_fail(&e);
	if (c.use_smtp)
		printf("sent %d, to retry %d, dead %d\n", r.sent, r.retrying, r.dead);
	else
		printf("sent %d, to retry %d, dead %d (as .eml files in %s)\n", r.sent, r.retrying,
		       r.dead, c.dir);
	return 0;
}

/* Row r of the outbox as the table's cells; id and att hold its numbers. */
static void notice_cells(const RowSet *rs, int r, char *id, char *att, const char **cells)
{
	static const char *const keys[] = {"kind", "recipient", "contract", "period", "state"};
	const char *state = rowset_text(rs, r, "state");
	int i;

	snprintf(id, 24, "%lld", (long long)rowset_int(rs, r, "id"));
	snprintf(att, 16, "%lld", (long long)rowset_int(rs, r, "attempts"));
	cells[0] = id;
	for (i = 0; i < 5; i++)
		cells[i + 1] = rowset_text(rs, r, keys[i]);
	cells[6] = att;
	/* when a retry is due, or when a sending notice's claim lapses */
	cells[7] = strcmp(state, "retrying") == 0  ? rowset_text(rs, r, "next_attempt")
		   : strcmp(state, "sending") == 0 ? rowset_text(rs, r, "lease_until")
						   : "";
	cells[8] = rowset_text(rs, r, "last_error");
}

static int notices_list(sqlite3 *db, int json)
{
	static const char *const cols[] = {">id",	"kind",		"recipient",
					   "contract",	"period",	"state",
					   ">attempts", "next attempt", "last error"};
	RowSet rs;
	Table t;
	Err e = {0};
	int r;

	if (outbox_list(db, &rs, &e)) {
		rowset_free(&rs);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *arr = encode_rowset(&rs, NULL, ENC_DATA);
		char *s = cJSON_PrintUnformatted(arr);

		puts(s ? s : "[]");
		free(s);
		cJSON_Delete(arr);
		rowset_free(&rs);
		return 0;
	}
	table_init(&t, 9, cols);
	for (r = 0; r < rs.nrow; r++) {
		char id[24], att[16];
		const char *cells[9];

		notice_cells(&rs, r, id, att, cells);
		table_add(&t, cells);
	}
	table_print(&t, stdout);
	table_free(&t);
	rowset_free(&rs);
	return 0;
}

static int notices_retry(const Cli *cli, sqlite3 *db, const char *arg)
{
	char *end;
	long long id = strtoll(arg ? arg : "", &end, 10);
	Err e = {0};

	if (!arg || *end || id <= 0)
		return cli_usage_error(notices_usage, "retry needs a notice id");
	if (outbox_retry(db, (int64_t)id, cli->actor, outbox_now(), &e))
		return cli_fail(&e);
	printf("notice %lld is queued again\n", id);
	return 0;
}

int cmd_notices(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"json", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[1], *sub = argc >= 2 ? argv[1] : "";
	int npos = 0, rc;
	sqlite3 *db;

	if (strcmp(sub, "--help") == 0) {
		fputs(notices_usage, stdout);
		return 0;
	}
	if (strcmp(sub, "queue") != 0 && strcmp(sub, "send") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "retry") != 0)
		return cli_usage_error(notices_usage, "notices needs queue, send, list or retry");
	rc = cli_parse(argc - 1, argv + 1, o, pos, 1, &npos, notices_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if ((npos != 0) != (strcmp(sub, "retry") == 0))
		return cli_usage_error(notices_usage, "retry takes one notice id; the others none");
	if (cli_opt(o, "json") && strcmp(sub, "list") != 0)
		return cli_usage_error(notices_usage, "--json goes with list");
	db = cli_open_db(cli);
	if (!db)
		return 1;
	if (strcmp(sub, "queue") == 0)
		rc = notices_queue(cli, db);
	else if (strcmp(sub, "send") == 0)
		rc = notices_send(cli, db);
	else if (strcmp(sub, "list") == 0)
		rc = notices_list(db, cli_opt(o, "json") != NULL);
	else
		rc = notices_retry(cli, db, pos[0]);
	db_close(db);
	return rc;
}
