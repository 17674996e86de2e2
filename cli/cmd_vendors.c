/* cmd_vendors.c — `vendor list`, `vendor rename` and `vendor contact`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvin.h"
#include "db.h"
#include "encode.h"
#include "table.h"
#include "vendor.h"

static const char list_usage[] = "usage: coopledger vendor list [--json]\n";

/* The vendors as a table, or as JSON with --json. */
int cmd_vendor_list(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"json", 0, NULL}, {NULL, 0, NULL}};
	static const char *const head[] = {"code", "name", "e-mail", ">contacts", ">contracts"};
	const char *pos[1];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 0, &npos, list_usage);
	char counts[2][24];
	sqlite3 *db;
	RowSet all;
	Err e = {0};
	Table t;

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = vendor_list(db, &all, &e);
	db_close(db);
	if (rc) {
		rowset_free(&all);
		return cli_fail(&e);
	}
	if (cli_opt(o, "json")) {
		rc = cli_print_json(encode_rowset(&all, NULL, ENC_DATA));
		rowset_free(&all);
		return rc;
	}
	table_init(&t, 5, head);
	for (i = 0; i < all.nrow; i++) {
		const char *row[5] = {rowset_text(&all, i, "code"), rowset_text(&all, i, "name"),
				      rowset_text(&all, i, "email"), counts[0], counts[1]};

		snprintf(counts[0], sizeof counts[0], "%" PRId64, rowset_int(&all, i, "contacts"));
		snprintf(counts[1], sizeof counts[1], "%" PRId64, rowset_int(&all, i, "contracts"));
		table_add(&t, row);
	}
	table_print(&t, stdout);
	printf("%d vendors\n", t.nrow);
	table_free(&t);
	rowset_free(&all);
	return 0;
}

static const char rename_usage[] = "usage: coopledger vendor rename --code C --name N\n";

/* Give a vendor a new name. */
int cmd_vendor_rename(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"code", 1, NULL}, {"name", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, rename_usage);
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "code") || !cli_opt(o, "name"))
		return cli_usage_error(rename_usage, "vendor rename needs --code and --name");
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = vendor_rename(db, cli_opt(o, "code"), cli_opt(o, "name"), cli->actor, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	printf("vendor %s is now %s\n", cli_opt(o, "code"), cli_opt(o, "name"));
	return 0;
}

static const char contact_usage[] =
	"usage: coopledger vendor contact add --vendor C --name N --email E [--role R] "
	"[--no-notices]\n"
	"       coopledger vendor contact edit --vendor C --id ID --name N --email E [--role R] "
	"[--no-notices]\n"
	"       coopledger vendor contact remove --vendor C --id ID\n"
	"       coopledger vendor contact list --vendor C\n";

/* The vendor's contacts, one a line. */
static int contact_list(sqlite3 *db, const char *vendor, Err *e)
{
	RowSet rs;
	int i;

	if (vendor_contacts(db, vendor, &rs, e)) {
		rowset_free(&rs);
		return cli_fail(e);
	}
	for (i = 0; i < rs.nrow; i++)
		printf("%" PRId64 "  %s <%s>  %s%s\n", rowset_int(&rs, i, "id"),
		       rowset_text(&rs, i, "name"), rowset_text(&rs, i, "email"),
		       rowset_text(&rs, i, "role"),
		       rowset_int(&rs, i, "receives_notices") ? "  (receives notices)" : "");
	rowset_free(&rs);
	return 0;
}

/* Run contact subcommand what with the parsed options o. */
static int contact_run(sqlite3 *db, const Cli *cli, const char *what, const CliOpt *o, Err *e)
{
	VendorContactIn c = {cli_opt(o, "name"), cli_opt(o, "email"), cli_opt(o, "role"),
			     !cli_opt(o, "no-notices")};
	const char *vendor = cli_opt(o, "vendor"), *idtext = cli_opt(o, "id");
	int64_t id = idtext ? strtoll(idtext, NULL, 10) : 0;
	ClCode rc;

	if (strcmp(what, "list") == 0)
		return contact_list(db, vendor, e);
	if (strcmp(what, "add") == 0)
		rc = vendor_contact_add(db, vendor, &c, cli->actor, &id, NULL, e);
	else if (strcmp(what, "edit") == 0)
		rc = vendor_contact_edit(db, vendor, id, &c, cli->actor, NULL, e);
	else
		rc = vendor_contact_remove(db, vendor, id, cli->actor, e);
	if (rc)
		return cli_fail(e);
	printf("%s contact %" PRId64 " of vendor %s\n",
	       strcmp(what, "add") == 0	   ? "added"
	       : strcmp(what, "edit") == 0 ? "changed"
					   : "removed",
	       id, vendor);
	return 0;
}

/* Add, change, remove or list a vendor's contacts. */
int cmd_vendor_contact(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"vendor", 1, NULL}, {"id", 1, NULL},   {"name", 1, NULL},
		      {"email", 1, NULL},  {"role", 1, NULL}, {"no-notices", 0, NULL},
		      {NULL, 0, NULL}};
	const char *pos[1], *what = argc >= 2 ? argv[1] : "";
	int npos, rc;
	sqlite3 *db;
	Err e = {0};

	if (strcmp(what, "--help") == 0) {
		fputs(contact_usage, stdout);
		return 0;
	}
	if (strcmp(what, "add") != 0 && strcmp(what, "edit") != 0 && strcmp(what, "remove") != 0 &&
	    strcmp(what, "list") != 0)
		return cli_usage_error(contact_usage,
				       "vendor contact needs add, edit, remove or list");
	rc = cli_parse(argc - 1, argv + 1, o, pos, 0, &npos, contact_usage);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "vendor") ||
	    (strcmp(what, "add") != 0 && strcmp(what, "list") != 0 && !cli_opt(o, "id")))
		return cli_usage_error(
			contact_usage, "vendor contact %s needs --vendor%s", what,
			strcmp(what, "add") != 0 && strcmp(what, "list") != 0 ? " and --id" : "");
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = contact_run(db, cli, what, o, &e);
	db_close(db);
	return rc;
}
