/*
 * server.h — `coopledger serve`: the web UI and JSON API over
 * libmicrohttpd, a thread pool with one SQLite connection per thread.
 */
#ifndef COOPLEDGER_SERVER_H
#define COOPLEDGER_SERVER_H

#include <stddef.h>

#include "err.h"

typedef struct ServerConfig {
	const char *db_path;
	const char *listen;	/* "127.0.0.1:8080" */
	const char *as_of;	/* fixes "today" (or $COOPLEDGER_TODAY), may be NULL */
	const char *templates;	/* load templates from this folder, or NULL */
	size_t max_body;	/* bytes of a form or JSON body (413 past it) */
	size_t max_upload;	/* bytes of an uploaded CSV */
	size_t max_body_memory; /* bytes of bodies held in memory by all requests
				 * at once (503 past it) */
	int threads;
	int timeout; /* seconds a connection may idle */
	int secure_cookies;
	const char *ready_file; /* write "host:port" here once listening, or NULL */
	/* What runs beside the server (the command line wires the mail
	 * sender here; any may be NULL): started once listening; stopping
	 * when the stop signal comes, before requests in flight are
	 * finished; stopped after they are. */
	void (*started)(const struct ServerConfig *cfg);
	void (*stopping)(void);
	void (*stopped)(void);
} ServerConfig;

/* Serve until SIGINT or SIGTERM, then finish requests in flight and
 * return.  Returns CL_OK, or an error when the server cannot start. */
ClCode server_run(const ServerConfig *cfg, Err *e);

/* The configuration every request sees (read-only once serving). */
const ServerConfig *server_config(void);

#endif
