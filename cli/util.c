/* util.c — option parsing and helpers shared by the commands; see cli.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "db.h"

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("coopledger: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

int cli_print_json(cJSON *obj)
{
	char *text = cJSON_Print(obj);

	puts(text ? text : "null");
	cJSON_free(text);
	cJSON_Delete(obj);
	return 0;
}

int cli_fail(const Err *e)
{
	fprintf(stderr, "coopledger: %s\n", e->msg[0] ? e->msg : "failed");
	return 1;
}

/* The option named by arg ("--name" or "--name=value"), or NULL. */
static CliOpt *find_opt(CliOpt *opts, const char *arg, const char **inline_value)
{
	size_t n;

	*inline_value = NULL;
	for (; opts->name; opts++) {
		n = strlen(opts->name);
		if (strncmp(arg + 2, opts->name, n) != 0)
			continue;
		if (arg[2 + n] == '\0')
			return opts;
		if (arg[2 + n] == '=' && opts->takes_value) {
			*inline_value = arg + 3 + n;
			return opts;
		}
	}
	return NULL;
}

int cli_parse(int argc, char **argv, CliOpt *opts, const char **pos, int npos, int *npos_out,
	      const char *usage)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *inline_value;
		CliOpt *o;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(usage, stdout);
			return -1;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (n == npos)
				return cli_usage_error(usage, "unexpected argument \"%s\"", arg);
			pos[n++] = arg;
			continue;
		}
		o = find_opt(opts, arg, &inline_value);
		if (!o)
			return cli_usage_error(usage, "unknown option %s", arg);
		if (!o->takes_value)
			o->value = "1";
		else if (inline_value)
			o->value = inline_value;
		else if (i + 1 < argc)
			o->value = argv[++i];
		else
			return cli_usage_error(usage, "option --%s needs a value", o->name);
	}
	*npos_out = n;
	return 0;
}

const char *cli_opt(const CliOpt *opts, const char *name)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts->value;
	return NULL;
}

sqlite3 *cli_open_db(const Cli *cli)
{
	sqlite3 *db = NULL;
	Err e = {0};

	if (db_open(cli->db_path, &db, &e)) {
		cli_fail(&e);
		return NULL;
	}
	return db;
}

int cli_today(const Cli *cli, Date *out)
{
	Err e = {0};

	if (date_today(cli->as_of, out, &e))
		return cli_fail(&e);
	return 0;
}

int cli_dispatch(const Cli *cli, int argc, char **argv, const char *command, const CliSub *subs,
		 size_t n, const char *usage)
{
	char names[256] = "";
	size_t i, used;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	for (i = 0; argc >= 2 && i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(cli, argc - 1, argv + 1);
	for (i = 0; i < n; i++) {
		used = strlen(names);
		snprintf(names + used, sizeof names - used, "%s%s",
			 i == 0 ? "" : (i + 1 == n ? " or " : ", "), subs[i].name);
	}
	if (argc < 2)
		return cli_usage_error(usage, "%s needs %s", command, names);
	return cli_usage_error(usage, "unknown %s command \"%s\": it is %s", command, argv[1],
			       names);
}
