/*
 * send.h — delivering the outbox (core/outbox.h): each due notice is
 * rendered from templates/mail/, composed (mime.h) and handed to the SMTP
 * server (smtp.h) or, with no server configured, written as an .eml file.
 *
 * Configuration from the environment:
 *   COOPLEDGER_SMTP_URL   smtp[s]://[user[:password]@]host[:port][?options]
 *                         (smtp.h)
 *   COOPLEDGER_MAIL_FROM  the sender address (default coopledger@localhost)
 *   COOPLEDGER_MAIL_DIR   where .eml files go without SMTP (default ./mail-out)
 *   COOPLEDGER_BASE_URL   the web UI's address as people reach it, which
 *                         set-password links start with (default
 *                         http://127.0.0.1:8080; `serve` sets it from
 *                         --listen when unset)
 *   COOPLEDGER_OUTBOX_INTERVAL  seconds between the server's background
 *                         runs (default 300; 0 turns them off)
 */
#ifndef COOPLEDGER_SEND_H
#define COOPLEDGER_SEND_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "outbox.h"
#include "smtp.h"

typedef struct MailConfig {
	int use_smtp; /* 0: write .eml files into dir */
	SmtpConfig smtp;
	char from[256];
	char dir[1024];
	char base_url[512]; /* no trailing "/" */
} MailConfig;

/* Read the configuration above.  OUT: *c. */
ClCode mail_config_from_env(MailConfig *c, Err *e);

/* A statement to attach (PDF bytes the hook allocated with malloc()). */
typedef struct MailStatement {
	unsigned char *data; /* NULL: nothing to attach */
	size_t len;
	char filename[128];
	char type[64]; /* "application/pdf" */
} MailStatement;

/* The hook that produces the statement a statement_ready or fee_statement
 * notice carries (the command line sets it to its PDF statements).
 * Returns CL_OK with out->data NULL when there is nothing to attach.
 * Without a hook, notices go without attachments.  Set once, before any
 * sending (not thread-safe to change while sending). */
typedef ClCode (*MailStatementFn)(sqlite3 *db, const OutboxNotice *n, Date today,
				  MailStatement *out, Err *e);
void mail_set_statement_hook(MailStatementFn fn);

/* Render templates/mail/<kind>.<part>.mustache (part "subject", "text" or
 * "html") with data.  Returns a string the caller frees, or NULL with e. */
char *mail_render(const char *kind, const char *part, const cJSON *data, Err *e);

/* What one mail_send_due() run did. */
typedef struct MailRun {
	int sent, retrying, dead, skipped;
} MailRun;

/* Deliver every notice due at now (at most 10,000 per run), one at a
 * time: the message is built, the notice claimed in a short write
 * (outbox_claim), handed over with no transaction open, and marked sent
 * in a second short transaction only once the server accepted it (or the
 * .eml file is in place).  A notice another sender holds is skipped.
 * OUT: *run (may be NULL). */
ClCode mail_send_due(sqlite3 *db, const MailConfig *c, int64_t now, Date today, MailRun *run,
		     Err *e);

/* The server's background sender: a thread with its own connection to
 * db_path that every interval seconds (interval < 0: from
 * $COOPLEDGER_OUTBOX_INTERVAL, default 300; 0: no thread) queues what is
 * due as of as_of (NULL: $COOPLEDGER_TODAY or the system date) and sends
 * it.  Returns 0, or -1 when the thread could not start (reported on
 * stderr; the server runs on without it). */
int outbox_start_background(const char *db_path, const char *as_of, int interval);

/* Ask the background thread to stop: a send run in progress ends after
 * the notice it is on. */
void outbox_request_stop(void);

/* Stop the background thread, if running, and wait up to wait_seconds for
 * it to end (past that, the process goes on without it). */
void outbox_stop_background(int wait_seconds);

#endif
