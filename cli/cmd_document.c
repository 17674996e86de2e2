/* cmd_document.c — `document add|list`: PDF documents attached to a
 * contract (DOMAIN.md section 7, core/document.h). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "document.h"
#include "table.h"

static const char document_usage[] =
	"usage: coopledger document add --contract NUMBER --kind KIND --title TEXT [--public] "
	"FILE.pdf\n"
	"       coopledger document list --contract NUMBER [--json]\n"
	"\nadd: attach a PDF (at most 20 MiB) to the contract.  KIND is solicitation,\n"
	"award, amendment, price_list or other.  --public lets anyone read it (it is\n"
	"listed on the contract's public page); otherwise admin and finance alone may.\n"
	"The file is kept beside the database (DATABASE.documents/SHA256.pdf) and its\n"
	"SHA-256 goes into the audit log.  list: the contract's documents, oldest\n"
	"first.\n";

static int document_add_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL},
		      {"kind", 1, NULL},
		      {"title", 1, NULL},
		      {"public", 0, NULL},
		      {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, document_usage);
	DocumentIn in = {0};
	int64_t id;
	Document d;
	sqlite3 *db;
	FILE *f;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract") || !cli_opt(o, "kind") || !cli_opt(o, "title") || npos != 1)
		return cli_usage_error(
			document_usage,
			"document add needs --contract, --kind, --title and FILE.pdf");
	if (!(f = fopen(pos[0], "rb"))) {
		err_set(&e, CL_EIO, "cannot open %s", pos[0]);
		return cli_fail(&e);
	}
	in.contract = cli_opt(o, "contract");
	in.kind = cli_opt(o, "kind");
	in.title = cli_opt(o, "title");
	in.file_name = pos[0];
	in.is_public = cli_opt(o, "public") != NULL;
	in.actor = cli->actor;
	if (!(db = cli_open_db(cli))) {
		fclose(f);
		return 1;
	}
	rc = document_add_file(db, &in, f, &id, &e);
	fclose(f);
	if (!rc)
		rc = document_get(db, in.contract, id, &d, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	printf("document %" PRId64 " added to %s: %s \"%s\", %s, %" PRId64 " bytes, SHA-256 %s\n",
	       id, in.contract, document_kind_words(d.kind), d.title,
	       d.is_public ? "public" : "staff only", d.size, d.sha256);
	return 0;
}

/* The documents in rs as the JSON of `document list --json`. */
static int print_json(const char *number, const RowSet *rs)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "documents");
	int i;

	cJSON_AddStringToObject(o, "contract", number);
	for (i = 0; i < rs->nrow; i++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddNumberToObject(d, "id", (double)rowset_int(rs, i, "id"));
		cJSON_AddStringToObject(d, "kind", rowset_text(rs, i, "kind"));
		cJSON_AddStringToObject(d, "title", rowset_text(rs, i, "title"));
		cJSON_AddStringToObject(d, "file_name", rowset_text(rs, i, "file_name"));
		cJSON_AddNumberToObject(d, "size", (double)rowset_int(rs, i, "size"));
		cJSON_AddStringToObject(d, "sha256", rowset_text(rs, i, "sha256"));
		cJSON_AddBoolToObject(d, "public", rowset_int(rs, i, "public"));
		cJSON_AddStringToObject(d, "uploaded_at", rowset_text(rs, i, "uploaded_at"));
		cJSON_AddStringToObject(d, "uploaded_by", rowset_text(rs, i, "uploaded_by"));
		cJSON_AddItemToArray(a, d);
	}
	return cli_print_json(o);
}

static int document_list_cmd(const Cli *cli, int argc, char **argv)
{
	static const char *const head[] = {">id",    "kind",	     "title", ">bytes",
					   "sha256", "who may read", "added", "by"};
	CliOpt o[] = {{"contract", 1, NULL}, {"json", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 0, &npos, document_usage);
	RowSet rs;
	sqlite3 *db;
	Table t;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract"))
		return cli_usage_error(document_usage, "document list needs --contract");
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = document_list(db, cli_opt(o, "contract"), 0, &rs, &e);
	db_close(db);
	if (rc) {
		rowset_free(&rs);
		return cli_fail(&e);
	}
	if (cli_opt(o, "json")) {
		rc = print_json(cli_opt(o, "contract"), &rs);
		rowset_free(&rs);
		return rc;
	}
	table_init(&t, 8, head);
	for (i = 0; i < rs.nrow; i++) {
		char id[24], size[24], sha[13];
		const char *row[8];

		snprintf(id, sizeof id, "%" PRId64, rowset_int(&rs, i, "id"));
		snprintf(size, sizeof size, "%" PRId64, rowset_int(&rs, i, "size"));
		snprintf(sha, sizeof sha, "%.12s", rowset_text(&rs, i, "sha256"));
		row[0] = id;
		row[1] = document_kind_words(rowset_text(&rs, i, "kind"));
		row[2] = rowset_text(&rs, i, "title");
		row[3] = size;
		row[4] = sha;
		row[5] = rowset_int(&rs, i, "public") ? "public" : "staff only";
		row[6] = rowset_text(&rs, i, "uploaded_at");
		row[7] = rowset_text(&rs, i, "uploaded_by");
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	rowset_free(&rs);
	return 0;
}

int cmd_document(const Cli *cli, int argc, char **argv)
{
	static const CliSub sub[] = {{"add", document_add_cmd}, {"list", document_list_cmd}};

	return cli_dispatch(cli, argc, argv, "document", sub, sizeof sub / sizeof sub[0],
			    document_usage);
}
