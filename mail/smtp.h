/*
 * smtp.h — delivering one message over SMTP (libesmtp stays behind this
 * header: smtp.c is the only file that includes libesmtp.h).
 *
 * The server comes from a URL:
 *   smtp://[user[:password]@]host[:port][?starttls=required|optional|none]
 * (port 25 by default, 587 when a user is given; starttls defaults to
 * optional).  smtps:// (TLS from the first byte) is refused with a message:
 * libesmtp 1.1 only speaks STARTTLS; use smtp://host:587?starttls=required.
 */
#ifndef COOPLEDGER_SMTP_H
#define COOPLEDGER_SMTP_H

#include <stddef.h>

#include "err.h"

typedef enum { SMTP_TLS_NONE = 0, SMTP_TLS_OPTIONAL, SMTP_TLS_REQUIRED } SmtpTls;

typedef struct SmtpConfig {
	char host[256];
	int port;
	char user[256];
	char password[256];
	SmtpTls starttls;
	long timeout; /* seconds per protocol step; 0: 60 */
} SmtpConfig;

/* What became of one message. */
typedef enum {
	SMTP_SENT = 0,	 /* the server answered 2xx to the end of DATA */
	SMTP_TEMPORARY,	 /* refused connection, 4xx, dropped connection: try later */
	SMTP_PERMANENT	 /* 5xx: the server will not take it */
} SmtpOutcome;

/* Parse url into c (user and password percent-decoded).  OUT: *c. */
ClCode mail_smtp_parse_url(const char *url, SmtpConfig *c, Err *e);

/* Deliver msg (len bytes, CRLF lines) from the envelope sender from to the
 * one recipient to.  The server's reason, or what went wrong, is written to
 * reason (n bytes). */
SmtpOutcome mail_smtp_send(const SmtpConfig *c, const char *from, const char *to,
			   const char *msg, size_t len, char *reason, size_t n);

#endif
