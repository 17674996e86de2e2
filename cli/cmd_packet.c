/*
 * cmd_packet.c — `coopledger packet`: a member's due-diligence packet for
 * one contract as PDF; `coopledger ocds`: a contract's OCDS release
 * package, and the switch that publishes its members' orders there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "ocds.h"
#include "packet_page.h"
#include "packet_pdf.h"

static const char packet_usage[] =
	"usage: coopledger packet --contract NUMBER --agency CODE --out FILE.pdf\n"
	"                         [--creation-date YYYY-MM-DD]\n"
	"  A member's due-diligence packet for the contract, as of today (--as-of):\n"
	"  solicitation and award, eligibility, terms in force, amendments and\n"
	"  the member's purchases by quarter.\n";

int cmd_packet(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL},
		      {"agency", 1, NULL},
		      {"out", 1, NULL},
		      {"creation-date", 1, NULL},
		      {NULL, 0, NULL}};
	const char *out;
	unsigned char *pdf = NULL;
	size_t len = 0;
	sqlite3 *db;
	Date today;
	FILE *f;
	Err e = {0};
	int npos, rc;

	rc = cli_parse(argc, argv, o, NULL, 0, &npos, packet_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || !cli_opt(o, "agency") || !cli_opt(o, "out"))
		return cli_usage_error(packet_usage, "give --contract, --agency and --out");
	out = cli_opt(o, "out");
	if (cli_today(cli, &today))
		return 1;
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = pdf_packet(db, cli_opt(o, "contract"), cli_opt(o, "agency"), today,
			packet_change_words, cli_opt(o, "creation-date"), &pdf, &len, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	f = fopen(out, "wb");
	if (!f || fwrite(pdf, 1, len, f) != len || fclose(f)) {
		err_set(&e, CL_EIO, "--out %s: cannot write the file", out);
		free(pdf);
		return cli_fail(&e);
	}
	free(pdf);
	printf("wrote %s\n", out);
	return 0;
}

static const char ocds_usage[] =
	"usage: coopledger ocds --contract NUMBER [--publish-purchases yes|no]\n"
	"  Without --publish-purchases: print the contract's OCDS 1.1 release\n"
	"  package (as GET /catalog/NUMBER/ocds.json serves it).  With it: turn\n"
	"  publishing of the members' orders in that package on or off (audited).\n";

int cmd_ocds(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL}, {"publish-purchases", 1, NULL}, {NULL, 0, NULL}};
	const char *number, *pub, *base = getenv("COOPLEDGER_BASE_URL");
	char uri[640], *json = NULL;
	sqlite3 *db;
	Date today;
	Err e = {0};
	int npos, rc;

	rc = cli_parse(argc, argv, o, NULL, 0, &npos, ocds_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	number = cli_opt(o, "contract");
	pub = cli_opt(o, "publish-purchases");
	if (!number)
		return cli_usage_error(ocds_usage, "give --contract");
	if (pub && strcmp(pub, "yes") != 0 && strcmp(pub, "no") != 0)
		return cli_usage_error(ocds_usage, "--publish-purchases: give yes or no");
	if (cli_today(cli, &today))
		return 1;
	if (!(db = cli_open_db(cli)))
		return 1;
	if (pub) {
		rc = ocds_set_publishing(db, number, strcmp(pub, "yes") == 0, cli->actor, &e);
		if (!rc)
			printf("contract %s: members' orders %s in its OCDS release package\n",
			       number, strcmp(pub, "yes") == 0 ? "published" : "not published");
	} else {
		snprintf(uri, sizeof uri, "%.255s/catalog/%s/ocds.json",
			 base && *base ? base : "http://localhost", number);
		rc = ocds_package(db, number, today, uri, packet_change_words, &json, &e);
		if (!rc)
			printf("%s\n", json);
		free(json);
	}
	db_close(db);
	return rc ? cli_fail(&e) : 0;
}
