/* cmd_join.c — `join list|approve|decline`: requests to join a contract
 * sent from its public page (DOMAIN.md section 7, core/joinreq.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "joinreq.h"
#include "outbox.h"
#include "table.h"

static const char join_usage[] =
	"usage: coopledger join list [--state pending|approved|declined] [--json]\n"
	"       coopledger join approve ID --joined DATE [--agency CODE] [--confirm-public]\n"
	"       coopledger join decline ID --reason TEXT\n"
	"\nlist: the requests, newest first.  approve: create the agency when new (its\n"
	"code is --agency, or the code the request gives), make it a participant of\n"
	"the contract from --joined, invite a member user with the request's e-mail\n"
	"and e-mail the requester, all at once.  A nonprofit's request needs\n"
	"--confirm-public: staff have confirmed the agency is a public entity.\n"
	"decline: e-mail the requester the reason.  `coopledger notices send`\n"
	"delivers the e-mails.\n";

/* Request ID from text (a positive whole number).  OUT: *id. */
static int parse_id(const char *text, int64_t *id)
{
	char *end;
	long long v = text ? strtoll(text, &end, 10) : 0;

	if (!text || !*text || *end || v < 1)
		return cli_usage_error(join_usage,
				       "give the request's number, as join list shows it");
	*id = (int64_t)v;
	return 0;
}

static cJSON *list_json(const RowSet *rs)
{
	static const char *const keys[] = {
		"contract",	"agency_name",	  "kind",	"us_state",  "agency_code",
		"contact_name", "email",	  "created_at", "status",    "approved_code",
		"joined",	"decline_reason", "decided_by", "decided_at"};
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "requests");
	size_t k;
	int i;

	for (i = 0; i < rs->nrow; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "id", (double)rowset_int(rs, i, "id"));
		for (k = 0; k < sizeof keys / sizeof *keys; k++)
			cJSON_AddStringToObject(r, keys[k], rowset_text(rs, i, keys[k]));
		cJSON_AddBoolToObject(r, "needs_confirm", (int)rowset_int(rs, i, "needs_confirm"));
		cJSON_AddItemToArray(a, r);
	}
	return o;
}

static void list_table(const RowSet *rs)
{
	static const char *const head[] = {">id",   "contract", "agency", "kind",
					   "state", "code",	"e-mail", "status"};
	Table t;
	int i;

	table_init(&t, 8, head);
	for (i = 0; i < rs->nrow; i++) {
		char id[24], status[64];
		const char *row[8];

		snprintf(id, sizeof id, "%" PRId64, rowset_int(rs, i, "id"));
		snprintf(status, sizeof status, "%s%s", rowset_text(rs, i, "status"),
			 rowset_int(rs, i, "needs_confirm") &&
					 strcmp(rowset_text(rs, i, "status"), "pending") == 0
				 ? " (confirm public status)"
				 : "");
		row[0] = id;
		row[1] = rowset_text(rs, i, "contract");
		row[2] = rowset_text(rs, i, "agency_name");
		row[3] = rowset_text(rs, i, "kind");
		row[4] = rowset_text(rs, i, "us_state");
		row[5] = rowset_text(rs, i, "agency_code");
		row[6] = rowset_text(rs, i, "email");
		row[7] = status;
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static int join_list_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"state", 1, NULL}, {"json", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[1], *state;
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, join_usage);
	RowSet rs;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	state = cli_opt(o, "state");
	if (state && strcmp(state, "pending") != 0 && strcmp(state, "approved") != 0 &&
	    strcmp(state, "declined") != 0)
		return cli_usage_error(join_usage, "--state is pending, approved or declined");
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = joinreq_list(db, state, &rs, &e);
	db_close(db);
	if (rc) {
		rowset_free(&rs);
		return cli_fail(&e);
	}
	if (cli_opt(o, "json"))
		cli_print_json(list_json(&rs));
	else
		list_table(&rs);
	rowset_free(&rs);
	return 0;
}

static int join_approve_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"joined", 1, NULL},
		      {"agency", 1, NULL},
		      {"confirm-public", 0, NULL},
		      {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, join_usage);
	int64_t id = 0;
	Date joined;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1 || (rc = parse_id(pos[0], &id)))
		return npos != 1
			       ? cli_usage_error(join_usage, "join approve needs the request's ID")
			       : rc;
	if (!cli_opt(o, "joined"))
		return cli_usage_error(join_usage, "join approve needs --joined DATE");
	if (date_parse(cli_opt(o, "joined"), &joined, &e)) {
		err_prefix(&e, "--joined");
		return cli_fail(&e);
	}
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = joinreq_approve(db, id, joined, cli_opt(o, "agency"),
			     cli_opt(o, "confirm-public") != NULL, cli->actor, outbox_now(), &e);
	db_close(db);
	if (rc) {
		if (rc == CL_ERULE && strstr(e.msg, "confirm that"))
			snprintf(e.msg + strlen(e.msg), sizeof e.msg - strlen(e.msg),
				 " (--confirm-public)");
		else if (rc == CL_EINPUT && strstr(e.msg, "gives none"))
			snprintf(e.msg + strlen(e.msg), sizeof e.msg - strlen(e.msg),
				 " (--agency CODE)");
		return cli_fail(&e);
	}
	printf("join request %" PRId64 " approved: the requester and the new member user are "
	       "e-mailed by `coopledger notices send`\n",
	       id);
	return 0;
}

static int join_decline_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"reason", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, join_usage);
	int64_t id = 0;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1 || (rc = parse_id(pos[0], &id)))
		return npos != 1
			       ? cli_usage_error(join_usage, "join decline needs the request's ID")
			       : rc;
	if (!cli_opt(o, "reason"))
		return cli_usage_error(join_usage, "join decline needs --reason TEXT");
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = joinreq_decline(db, id, cli_opt(o, "reason"), cli->actor, outbox_now(), &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	printf("join request %" PRId64 " declined: `coopledger notices send` e-mails the "
	       "requester the reason\n",
	       id);
	return 0;
}

int cmd_join(const Cli *cli, int argc, char **argv)
{
	static const CliSub sub[] = {{"list", join_list_cmd},
				     {"approve", join_approve_cmd},
				     {"decline", join_decline_cmd}};

	return cli_dispatch(cli, argc, argv, "join", sub, sizeof sub / sizeof sub[0], join_usage);
}
