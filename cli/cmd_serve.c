/* cmd_serve.c — `coopledger serve`: the web UI and JSON API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "send.h"
#include "server.h"

static const char serve_usage[] =
	"usage: coopledger serve [--listen 127.0.0.1:8080] [--max-upload MIB] [--threads N]\n"
	"                        [--max-body-memory MIB] [--secure-cookies] [--templates DIR]\n"
	"                        [--ready-file FILE]\n"
	"\nServe the web UI and the JSON API (/api/v1/) until SIGINT or SIGTERM; requests\n"
	"in flight are finished first.  Today is --as-of, else $COOPLEDGER_TODAY, else\n"
	"the system date.  --max-body-memory bounds the request bodies held in memory\n"
	"at once (default 64 MiB; past it a request is answered 503; uploads go to\n"
	"temporary files and do not count).  --templates loads page templates from DIR (for "
	"development);\n"
	"--ready-file writes ADDRESS:PORT there once listening (port 0 picks a free one).\n";

/* The mail sender beside the server: it sends due notices in the
 * background, takes no further notice once the server is stopping, and
 * is waited for (up to 15 s) after the requests in flight. */
static void mail_started(const ServerConfig *cfg)
{
	outbox_start_background(cfg->db_path, cfg->as_of, -1);
}

static void mail_stopped(void)
{
	outbox_stop_background(15);
}

/* Set-password links start with $COOPLEDGER_BASE_URL; unset, they name
 * the address the server listens on (send.h). */
static void base_url_default(const char *listen)
{
	char url[300];

	snprintf(url, sizeof url, "http://%s", listen);
	if (setenv("COOPLEDGER_BASE_URL", url, 0))
		fprintf(stderr, "coopledger: cannot set COOPLEDGER_BASE_URL\n");
}

int cmd_serve(const Cli *cli, int argc, char **argv)
{
	CliOpt o[] = {{"listen", 1, NULL},	    {"max-upload", 1, NULL},
		      {"threads", 1, NULL},	    {"templates", 1, NULL},
		      {"secure-cookies", 0, NULL},  {"ready-file", 1, NULL},
		      {"max-body-memory", 1, NULL}, {NULL, 0, NULL}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, o, pos, 0, &npos, serve_usage);
	ServerConfig cfg = {0};
	sqlite3 *db;
	Err e = {0};
	long mib = 50, threads = 4, memory = 64;

	if (rc)
		return rc < 0 ? 0 : rc;
	if (cli_opt(o, "max-upload") && ((mib = atol(cli_opt(o, "max-upload"))) < 1 || mib > 4096))
		return cli_usage_error(serve_usage, "--max-upload takes 1 to 4096 (MiB)");
	if (cli_opt(o, "threads") && ((threads = atol(cli_opt(o, "threads"))) < 1 || threads > 64))
		return cli_usage_error(serve_usage, "--threads takes 1 to 64");
	if (cli_opt(o, "max-body-memory") &&
	    ((memory = atol(cli_opt(o, "max-body-memory"))) < 1 || memory > 65536))
		return cli_usage_error(serve_usage, "--max-body-memory takes 1 to 65536 (MiB)");
	db = cli_open_db(cli); /* create or migrate before the workers open it */
	if (!db)
		return 1;
	db_close(db);
	cfg.db_path = cli->db_path;
	cfg.listen = cli_opt(o, "listen") ? cli_opt(o, "listen") : "127.0.0.1:8080";
	base_url_default(cfg.listen);
	cfg.as_of = cli->as_of;
	cfg.templates = cli_opt(o, "templates");
	cfg.max_body = (size_t)1 << 20;
	cfg.max_upload = (size_t)mib << 20;
	cfg.max_body_memory = (size_t)memory << 20;
	cfg.threads = (int)threads;
	cfg.timeout = 30;
	cfg.secure_cookies = cli_opt(o, "secure-cookies") != NULL;
	cfg.ready_file = cli_opt(o, "ready-file");
	cfg.started = mail_started;
	cfg.stopping = outbox_request_stop;
	cfg.stopped = mail_stopped;
	if (server_run(&cfg, &e))
		return cli_fail(&e);
	return 0;
}
