/* cmd_register.c — `register import|reverse|list|map`: members' purchase
 * registers (DOMAIN.md 4.7). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "encode_import.h"
#include "money.h"
#include "register.h"
#include "table.h"

static const char register_usage[] =
	"usage: coopledger register import [--contract NUMBER] [--agency CODE] [--dry-run]\n"
	"                                  [--skip-invalid] [--encoding E] [--sheet NAME] "
	"[--json]\n"
	"                                  FILE.csv|FILE.xlsx\n"
	"       coopledger register reverse --batch ID --reason TEXT\n"
	"       coopledger register list --contract NUMBER [--agency CODE] [--json]\n"
	"       coopledger register map --agency CODE \"Their header=column\" ... | --list\n"
	"\nMembers' purchase registers: the purchase orders a member issued to a\n"
	"contract's vendor, from its finance system, the evidence the completeness\n"
	"audit compares the vendor's reports with.  Columns po_number, po_date, amount\n"
	"(merchandise and freight, without tax), optional description, and agency_code\n"
	"unless --agency names the agency (PO #, PO Date, Order Date, Total are read as\n"
	"those).  Without --contract, the agency's only contract.  All or nothing unless\n"
	"--skip-invalid; --dry-run writes nothing; the same file again is a no-op, the\n"
	"same PO with the same amount a duplicate, with another amount an error.\n"
	"Register lines never enter fees, rebates or compliance.  reverse: the batch's\n"
	"lines stop counting and the file may be imported again.  An Excel workbook\n"
	"(.xlsx) is read from its first worksheet, or the one --sheet names.\n";

/* The result for people; the rows to fix on stderr. */
static void print_result(const RegisterResult *res, ImportStatus st)
{
	const ImportResult *r = &res->base;
	char a[MONEY_BUF];
	int i;

	if (st == IMPORT_ALREADY) {
		printf("this file is already imported as register batch %" PRId64
		       "; nothing was written\n",
		       r->batch);
		return;
	}
	if (st == IMPORT_WRITTEN)
		printf("imported register batch %" PRId64 "\n", r->batch);
	else if (st == IMPORT_DRY_RUN)
		printf("dry run: nothing was written\n");
	else
		printf("refused: nothing was written (fix the rows below, or use "
		       "--skip-invalid)\n");
	printf("rows %" PRId64 ", accepted %" PRId64 ", duplicates %" PRId64 ", rejected %" PRId64
	       "\naccepted total: %s\n",
	       r->rows, r->accepted, r->duplicates, r->rejected,
	       money_format_human(res->amount, a));
	fflush(stdout);
	for (i = 0; i < r->nerrors && i < 20; i++)
		fprintf(stderr, "%s  row %" PRId64 ", %s: %s\n", i ? "" : "errors:\n",
			r->errors[i].row, r->errors[i].column, r->errors[i].message);
	if (r->nerrors > 20)
		fprintf(stderr, "  ... and %d more (--json lists them all)\n", r->nerrors - 20);
	for (i = 0; i < r->nignored; i++)
		printf("%s%s", i ? ", " : "ignored columns: ", r->ignored[i]);
	if (r->nignored)
		printf("\n");
}

static int register_import_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"contract", 1, NULL},	 {"agency", 1, NULL},	{"dry-run", 0, NULL},
		      {"skip-invalid", 0, NULL}, {"encoding", 1, NULL}, {"json", 0, NULL},
		      {"sheet", 1, NULL},	 {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 1, &npos, register_usage);
	RegisterOptions ro = {0};
	RegisterResult res;
	ImportStatus st;
	sqlite3 *db;
	FILE *f;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (npos != 1)
		return cli_usage_error(register_usage, "register import needs a CSV file");
	f = strcmp(pos[0], "-") == 0 ? stdin : fopen(pos[0], "rb");
	if (!f) {
		fprintf(stderr, "coopledger: cannot read %s: %m\n", pos[0]);
		return 1;
	}
	if (!(db = cli_open_db(cli))) {
		if (f != stdin)
			fclose(f);
		return 1;
	}
	ro.contract = cli_opt(o, "contract");
	ro.agency = cli_opt(o, "agency");
	ro.dry_run = cli_opt(o, "dry-run") != NULL;
	ro.skip_invalid = cli_opt(o, "skip-invalid") != NULL;
	ro.encoding = cli_opt(o, "encoding");
	ro.sheet = cli_opt(o, "sheet");
	ro.file_name = strrchr(pos[0], '/') ? strrchr(pos[0], '/') + 1 : pos[0];
	ro.actor = cli->actor;
	rc = register_import(db, f, &ro, &res, &st, &e);
	if (f != stdin)
		fclose(f);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	rc = st == IMPORT_REFUSED || (st == IMPORT_DRY_RUN && res.base.rejected > 0);
	if (cli_opt(o, "json"))
		cli_print_json(encode_register_result(&res, ENC_DATA));
	else
		print_result(&res, st);
	register_result_free(&res);
	return rc;
}

static int register_reverse_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"batch", 1, NULL}, {"reason", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1], *batch;
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, register_usage);
	char *end = NULL;
	long long id;
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	batch = cli_opt(o, "batch");
	if (!batch || !cli_opt(o, "reason"))
		return cli_usage_error(register_usage,
				       "register reverse needs --batch and --reason");
	id = strtoll(batch, &end, 10);
	if (!*batch || *end || id < 1)
		return cli_usage_error(register_usage, "\"%s\" is not a batch number", batch);
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = register_reverse(db, (int64_t)id, cli_opt(o, "reason"), cli->actor, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	printf("reversed register batch %lld; its lines no longer count\n", id);
	return 0;
}

/* One batch as the table's cells; the texts live in the struct. */
typedef struct BatchCells {
	char n[5][24], amount[MONEY_BUF], when[17];
	const char *row[11];
} BatchCells;

static void batch_cells(const RowSet *rs, int r, BatchCells *c)
{
	static const char *const counts[5] = {"batch", "rows", "accepted", "duplicates",
					      "rejected"};
	int k;

	for (k = 0; k < 5; k++)
		snprintf(c->n[k], sizeof c->n[k], "%" PRId64, rowset_int(rs, r, counts[k]));
	snprintf(c->when, sizeof c->when, "%s", rowset_text(rs, r, "created_at"));
	if (strlen(c->when) > 10)
		c->when[10] = ' ';
	c->row[0] = c->n[0];
	c->row[1] = rowset_text(rs, r, "agency");
	c->row[2] = rowset_text(rs, r, "file");
	c->row[3] = c->when;
	c->row[4] = rowset_text(rs, r, "created_by");
	for (k = 1; k < 5; k++)
		c->row[4 + k] = c->n[k];
	c->row[9] = money_format_human(rowset_int(rs, r, "amount"), c->amount);
	c->row[10] = rowset_int(rs, r, "reversed") ? "yes" : "";
}

static int register_list_cmd(const Cli *cli, int argc, char **argv)
{
	static const char *const head[] = {">batch",	"agency",  "file",	"imported",
					   "by",	">rows",   ">accepted", ">dup",
					   ">rejected", ">amount", "reversed"};
	CliOpt o[] = {
		{"contract", 1, NULL}, {"agency", 1, NULL}, {"json", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, i, rc = cli_parse(argc, argv, o, pos, 0, &npos, register_usage);
	RowSet rs;
	sqlite3 *db;
	Table t;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!cli_opt(o, "contract"))
		return cli_usage_error(register_usage, "register list needs --contract");
	if (!(db = cli_open_db(cli)))
		return 1;
	rc = register_batches(db, cli_opt(o, "contract"), cli_opt(o, "agency"), &rs, &e);
	db_close(db);
	if (rc) {
		rowset_free(&rs);
		return cli_fail(&e);
	}
	if (cli_opt(o, "json")) {
		cli_print_json(encode_register_batches(&rs, ENC_DATA));
		rowset_free(&rs);
		return 0;
	}
	table_init(&t, 11, head);
	for (i = 0; i < rs.nrow; i++) {
		BatchCells c;

		batch_cells(&rs, i, &c);
		table_add(&t, c.row);
	}
	table_print(&t, stdout);
	table_free(&t);
	rowset_free(&rs);
	return 0;
}

/* Save "header=column" pairs pos[0..n) together. */
static ClCode save_maps(sqlite3 *db, const char *agency, int n, const char **pos, const char *actor,
			Err *e)
{
	char header[32][128];
	const char *headers[32];
	int i;

	for (i = 0; i < n; i++) {
		const char *eq = strrchr(pos[i], '=');

		snprintf(header[i], sizeof header[i], "%.*s", (int)(eq - pos[i]), pos[i]);
		headers[i] = header[i];
		pos[i] = eq + 1;
	}
	return register_map_save(db, agency, n, headers, pos, actor, NULL, e);
}

static int register_map_cmd(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"agency", 1, NULL}, {"list", 0, NULL}, {NULL, 0, NULL}};
	const char *pos[32], *agency;
	int npos, i, rc = cli_parse(argc, argv, o, pos, 32, &npos, register_usage);
	RowSet rs = {0};
	sqlite3 *db;
	Err e = {0};

	if (rc)
		return rc < 0 ? 0 : rc;
	agency = cli_opt(o, "agency");
	if (!agency || (!npos && !cli_opt(o, "list")))
		return cli_usage_error(register_usage, "register map needs --agency and mappings "
						       "or --list");
	for (i = 0; i < npos; i++)
		if (!strchr(pos[i], '='))
			return cli_usage_error(register_usage, "\"%s\" is not HEADER=column",
					       pos[i]);
	if (!(db = cli_open_db(cli)))
		return 1;
	if (npos)
		rc = save_maps(db, agency, npos, pos, cli->actor, &e);
	if (!rc)
		rc = register_map_list(db, agency, &rs, &e);
	db_close(db);
	for (i = 0; !rc && i < rs.nrow; i++)
		printf("%s -> %s\n", rowset_text(&rs, i, "header"), rowset_text(&rs, i, "column"));
	if (!rc && !rs.nrow)
		printf("agency %s has no saved register column mappings\n", agency);
	rowset_free(&rs);
	return rc ? cli_fail(&e) : 0;
}

int cmd_register(const Cli *cli, int argc, char **argv)
{
	static const CliSub sub[] = {{"import", register_import_cmd},
				     {"reverse", register_reverse_cmd},
				     {"list", register_list_cmd},
				     {"map", register_map_cmd}};

	return cli_dispatch(cli, argc, argv, "register", sub, sizeof sub / sizeof sub[0],
			    register_usage);
}
