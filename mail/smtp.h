/*
 * smtp.h — delivering one message over SMTP (libesmtp stays behind this
 * header: smtp.c is the only file that includes libesmtp.h).
 *
 * The server comes from a URL:
 *   smtp://[user[:password]@]host[:port][?option&option...]
 *   smtps://[user[:password]@]host[:port][?option&option...]
 * smtp:// is plain SMTP, upgraded with STARTTLS by libesmtp (port 25, or
 * 587 when a user is given); smtps:// is TLS from the first byte (port
 * 465), through an in-process relay (tlsrelay.h), since libesmtp 1.1 only
 * speaks STARTTLS.  User and password are percent-decoded; the user info
 * ends at the last '@' (so "me@example.com:pw@host" works); '/', '?' and
 * '#' in it must be written %2F, %3F, %23.  Host may be [IPv6].  Options:
 *   starttls=required|optional|none  smtp:// only; default optional
 *   cafile=PATH     smtps://: trust only the CAs in PATH (PEM) instead of
 *                   the system's; the certificate is always verified
 *   timeout=SECONDS each protocol step waits at most this long (1..300,
 *                   default 60)
 */
#ifndef COOPLEDGER_SMTP_H
#define COOPLEDGER_SMTP_H

#include <stddef.h>

#include "err.h"

typedef enum { SMTP_TLS_NONE = 0, SMTP_TLS_OPTIONAL, SMTP_TLS_REQUIRED } SmtpTls;

#define SMTP_TIMEOUT_MAX 300 /* seconds; a sender renews its claim at least this often */

typedef struct SmtpConfig {
	char host[256];
	int port;
	char user[256];
	char password[256];
	int tls;	  /* 1: smtps://, TLS from the first byte */
	SmtpTls starttls; /* smtp:// only */
	char cafile[1024];
	long timeout; /* seconds per protocol step; 0: 60 */
} SmtpConfig;

/* What became of one message. */
typedef enum {
	SMTP_SENT = 0,	/* the server answered 2xx to the end of DATA */
	SMTP_TEMPORARY, /* refused connection, 4xx, dropped connection: try later */
	SMTP_PERMANENT	/* 5xx: the server will not take it */
} SmtpOutcome;

/* Parse url into c (user and password percent-decoded).  A bad URL is
 * CL_EINPUT with a message naming the part that is wrong.  OUT: *c. */
ClCode mail_smtp_parse_url(const char *url, SmtpConfig *c, Err *e);

/* Called while a session runs, each time the server reads or answers
 * (so at least once every timeout seconds while the session lives). */
typedef void (*SmtpProgressFn)(void *arg);

/* Deliver msg (len bytes, CRLF lines) from the envelope sender from to the
 * one recipient to; progress (may be NULL) is called with arg as above.
 * The server's reason, or what went wrong, is written to reason (n
 * bytes). */
SmtpOutcome mail_smtp_send(const SmtpConfig *c, const char *from, const char *to, const char *msg,
			   size_t len, SmtpProgressFn progress, void *arg, char *reason, size_t n);

#endif
