/* cmd_inquiry.c — `inquiry send|list`: completeness inquiries to a
 * contract's vendor (DOMAIN.md 4.7, core/inquiry.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "inquiry.h"
#include "money.h"
#include "outbox.h"
#include "table.h"

static const char inquiry_usage[] =
	"usage: coopledger inquiry send --contract NUMBER --period Q\n"
	"       coopledger inquiry list [--contract NUMBER]\n"
	"\nsend: ask the contract's vendor about every unreported and under-reported\n"
	"register purchase order dated in quarter Q or earlier, as the completeness\n"
	"audit finds them today (`coopledger report completeness`).  A\n"
	"completeness_inquiry notice is queued for each vendor contact that receives\n"
	"notices, with the list in the body and as the attachment\n"
	"inquiry-NUMBER-Q.csv; `coopledger notices send` delivers it.  The same\n"
	"quarter's inquiry is sent at most once a day.  list: the inquiries sent,\n"
	"newest first.\n";

static int inquiry_send_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"period", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	char gap[MONEY_BUF], fee[MONEY_BUF], qt[QUARTER_BUF], csv[200];
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, inquiry_usage);
	Inquiry inq;
	Quarter q;
	Date today;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || !cli_opt(o, "period"))
		return cli_usage_error(inquiry_usage, "inquiry send needs --contract and --period");
	if (quarter_parse(cli_opt(o, "period"), &q, &e)) {
		err_prefix(&e, "--period");
		return cli_fail(&e);
	}
	if (cli_today(cli, &today) || !(db = cli_open_db(cli)))
		return 1;
	rc = inquiry_send(db, cli_opt(o, "contract"), q, today, outbox_now(), cli->actor, &inq, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	inquiry_csv_name(&inq, csv, sizeof csv);
	printf("inquiry %" PRId64 " queued for vendor %s: contract %s, %s and earlier\n", inq.id,
	       inq.vendor, inq.contract, quarter_format(inq.q, qt));
	printf("%d purchase order%s, %s missing from the reports, fee at risk %s (an "
	       "estimate)\n",
	       inq.po_count, inq.po_count == 1 ? "" : "s", money_format_human(inq.gap, gap),
	       money_format_human(inq.fee_at_risk, fee));
	printf("%d notice%s queued with %s; `coopledger notices send` delivers %s\n", inq.notices,
	       inq.notices == 1 ? "" : "s", csv, inq.notices == 1 ? "it" : "them");
	return 0;
}

static int inquiry_list_cmd(const Cli *cli, int argc, char **argv)
{
	static const char *const head[] = {">id",  "contract", "quarter",      "sent",	  "by",
					   ">POs", ">gap",     ">fee at risk", ">notices"};
	CliOpt o[] = {{"contract", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 0, &npos, inquiry_usage);
	RowSet rs;
	sqlite3 *db;
	Table t;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = inquiry_list(db, NULL, cli_opt(o, "contract"), &rs, &e);
	db_close(db);
	if (rc) {
		rowset_free(&rs);
		return cli_fail(&e);
	}
	table_init(&t, 9, head);
	for (i = 0; i < rs.nrow; i++) {
		char id[24], n[24], k[24], gap[MONEY_BUF], fee[MONEY_BUF];
		const char *row[9];

		snprintf(id, sizeof id, "%" PRId64, rowset_int(&rs, i, "id"));
		snprintf(n, sizeof n, "%" PRId64, rowset_int(&rs, i, "po_count"));
		snprintf(k, sizeof k, "%" PRId64, rowset_int(&rs, i, "notices"));
		row[0] = id;
		row[1] = rowset_text(&rs, i, "contract");
		row[2] = rowset_text(&rs, i, "quarter");
		row[3] = rowset_text(&rs, i, "sent_on");
		row[4] = rowset_text(&rs, i, "actor");
		row[5] = n;
		row[6] = money_format_human(rowset_int(&rs, i, "gap"), gap);
		row[7] = money_format_human(rowset_int(&rs, i, "fee_at_risk"), fee);
		row[8] = k;
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	rowset_free(&rs);
	return 0;
}

int cmd_inquiry(const Cli *cli, int argc, char **argv)
{
	static const CliSub sub[] = {{"send", inquiry_send_cmd}, {"list", inquiry_list_cmd}};

	return cli_dispatch(cli, argc, argv, "inquiry", sub, sizeof sub / sizeof sub[0],
			    inquiry_usage);
}
