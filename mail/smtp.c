/* smtp.c — one message over SMTP with libesmtp; see smtp.h.
 * The only file that includes libesmtp.h; smtps:// goes through the TLS
 * relay of tlsrelay.c. */
#include "smtp.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <auth-client.h>
#include <libesmtp.h>

#include "tlsrelay.h"

#define URL_ERR(e, ...) err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: " __VA_ARGS__)

/* Percent-decode src[0..n) into dst (size dn).  Returns 0, -1 when it does
 * not fit, -2 on a bad escape ("%" without two hex digits, or "%00"). */
static int pct_decode(char *dst, size_t dn, const char *src, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			char hex[3];

			if (i + 2 >= n || !isxdigit((unsigned char)src[i + 1]) ||
			    !isxdigit((unsigned char)src[i + 2]))
				return -2;
			hex[0] = src[i + 1];
			hex[1] = src[i + 2];
			hex[2] = '\0';
			c = (int)strtol(hex, NULL, 16);
			if (c == 0)
				return -2;
			i += 2;
		}
		if (j + 1 >= dn)
			return -1;
		dst[j++] = (char)c;
	}
	dst[j] = '\0';
	return 0;
}

/* Decode what (its name, for the message) into dst. */
static ClCode decode_part(char *dst, size_t dn, const char *src, size_t n, const char *what, Err *e)
{
	int r = pct_decode(dst, dn, src, n);

	if (r == -1)
		return URL_ERR(e, "the %s is too long (at most %zu bytes)", what, dn - 1);
	if (r == -2)
		return URL_ERR(e, "bad percent escape in the %s (write %%XX with two hex digits)",
			       what);
	return CL_OK;
}

/* One "name=value" option (value n bytes) into c.  OUT: *starttls_set. */
static ClCode parse_option(const char *opt, size_t n, SmtpConfig *c, int *starttls_set, Err *e)
{
	const char *eq = memchr(opt, '=', n);
	char name[16], value[1024] = "";
	size_t kn = eq ? (size_t)(eq - opt) : n;
	ClCode rc;

	if (!eq || kn == 0 || kn >= sizeof name)
		return URL_ERR(e, "option \"%.*s\" is not name=value", (int)(n < 60 ? n : 60), opt);
	memcpy(name, opt, kn);
	name[kn] = '\0';
	rc = decode_part(value, sizeof value, eq + 1, n - kn - 1, name, e);
	if (rc)
		return rc;
	if (strcmp(name, "starttls") == 0) {
		*starttls_set = 1;
		if (strcmp(value, "required") == 0)
			c->starttls = SMTP_TLS_REQUIRED;
		else if (strcmp(value, "optional") == 0)
			c->starttls = SMTP_TLS_OPTIONAL;
		else if (strcmp(value, "none") == 0)
			c->starttls = SMTP_TLS_NONE;
		else
			return URL_ERR(e, "starttls is required, optional or none, not \"%.40s\"",
				       value);
	} else if (strcmp(name, "cafile") == 0) {
		if (!value[0])
			return URL_ERR(e, "cafile needs a file name");
		snprintf(c->cafile, sizeof c->cafile, "%s", value);
	} else if (strcmp(name, "timeout") == 0) {
		char *end;
		long t = strtol(value, &end, 10);

		if (!value[0] || *end || t < 1 || t > SMTP_TIMEOUT_MAX)
			return URL_ERR(e,
				       "timeout is a number of seconds from 1 to %d, not \"%.40s\"",
				       SMTP_TIMEOUT_MAX, value);
		c->timeout = t;
	} else {
		return URL_ERR(e, "unknown option \"%s\" (starttls=, cafile= or timeout=)", name);
	}
	return CL_OK;
}

/* The options after '?' (may be NULL): name=value joined by '&'. */
static ClCode parse_query(const char *q, SmtpConfig *c, Err *e)
{
	int starttls_set = 0;
	ClCode rc = CL_OK;

	while (q && *q && rc == CL_OK) {
		size_t n = strcspn(q, "&");

		rc = parse_option(q, n, c, &starttls_set, e);
		q += n;
		if (*q == '&')
			q++;
	}
	if (rc == CL_OK && starttls_set && c->tls)
		rc = URL_ERR(e, "starttls= does not apply to smtps:// (TLS from the first byte); "
				"use smtp://HOST:587?starttls=required for STARTTLS");
	return rc;
}

/* user[:password] of the user info u (n bytes, before the last '@'). */
static ClCode parse_userinfo(const char *u, size_t n, SmtpConfig *c, Err *e)
{
	const char *colon = memchr(u, ':', n);
	size_t un = colon ? (size_t)(colon - u) : n;
	ClCode rc;

	if (un == 0)
		return URL_ERR(e, "empty user name before '@'");
	rc = decode_part(c->user, sizeof c->user, u, un, "user name", e);
	if (rc == CL_OK && colon)
		rc = decode_part(c->password, sizeof c->password, colon + 1, n - un - 1, "password",
				 e);
	return rc;
}

/* host[:port] of h (n bytes). */
static ClCode parse_hostport(const char *h, size_t n, SmtpConfig *c, Err *e)
{
	const char *colon = memchr(h, ':', n);
	size_t hn = colon ? (size_t)(colon - h) : n, i;

	if ((n > 0 && h[0] == '[') || (colon && memchr(colon + 1, ':', n - hn - 1)))
		return URL_ERR(e, "an IPv6 address is not supported (libesmtp 1.1); "
				  "give a host name");
	if (hn == 0)
		return URL_ERR(e, "no host name");
	if (hn >= sizeof c->host)
		return URL_ERR(e, "the host name is too long");
	for (i = 0; i < hn; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_')
			return URL_ERR(e, "bad character '%c' in the host name", h[i]);
	memcpy(c->host, h, hn);
	c->host[hn] = '\0';
	if (colon) {
		char port[8];
		size_t pn = n - hn - 1;
		long v = 0;

		for (i = 0; i < pn; i++)
			if (!isdigit((unsigned char)colon[1 + i]))
				pn = 0;
		if (pn > 0 && pn < sizeof port) {
			memcpy(port, colon + 1, pn);
			port[pn] = '\0';
			v = strtol(port, NULL, 10);
		}
		if (v < 1 || v > 65535)
			return URL_ERR(e, "bad port \"%.*s\" (1 to 65535)",
				       (int)(n - hn - 1 < 20 ? n - hn - 1 : 20), colon + 1);
		c->port = (int)v;
	}
	return CL_OK;
}

ClCode mail_smtp_parse_url(const char *url, SmtpConfig *c, Err *e)
{
	const char *p, *end, *at = NULL, *q;
	ClCode rc;

	memset(c, 0, sizeof *c);
	c->starttls = SMTP_TLS_OPTIONAL;
	if (strncasecmp(url, "smtps://", 8) == 0) {
		c->tls = 1;
		p = url + 8;
	} else if (strncasecmp(url, "smtp://", 7) == 0) {
		p = url + 7;
	} else {
		return URL_ERR(e, "must start with smtp:// or smtps://");
	}
	end = p + strcspn(p, "/?#");
	if (*end == '#')
		return URL_ERR(e, "a URL fragment ('#') has no meaning here");
	if (*end == '/' && end[1] != '\0' && end[1] != '?')
		return URL_ERR(e, "unexpected path \"%.40s\" after the host", end);
	for (q = p; q < end; q++)
		if (*q == '@')
			at = q; /* the user info ends at the last '@' */
	if (at) {
		rc = parse_userinfo(p, (size_t)(at - p), c, e);
		if (rc)
			return rc;
		p = at + 1;
	}
	if (c->user[0] && !c->tls) /* no password in clear unless the URL says starttls=none */
		c->starttls = SMTP_TLS_REQUIRED;
	c->port = c->tls ? 465 : c->user[0] ? 587 : 25;
	rc = parse_hostport(p, (size_t)(end - p), c, e);
	if (rc)
		return rc;
	q = strchr(end, '?');
	return parse_query(q ? q + 1 : NULL, c, e);
}

/* ---- libesmtp ---- */

static pthread_once_t auth_once = PTHREAD_ONCE_INIT;

static void auth_init(void)
{
	auth_client_init();
}

/* Answer libesmtp's questions for the user name and password. */
static int interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	SmtpConfig *c = arg;
	int i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = c->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = c->password;
		else
			return 0;
	}
	return 1;
}

/* "421 text" of a status into reason, without the trailing line end. */
static void status_text(const smtp_status_t *s, char *reason, size_t n)
{
	size_t k;

	snprintf(reason, n, "%d %s", s->code, s->text ? s->text : "");
	k = strlen(reason);
	while (k > 0 && (reason[k - 1] == '\n' || reason[k - 1] == '\r' || reason[k - 1] == ' '))
		reason[--k] = '\0';
}

/* The worst of the statuses a session left, or what libesmtp says. */
static SmtpOutcome classify(smtp_message_t m, smtp_recipient_t r, int ok, char *reason, size_t n)
{
	const smtp_status_t *st[3];
	int i, err;
	char buf[256];

	st[0] = smtp_message_transfer_status(m);
	if (st[0] && st[0]->code >= 200 && st[0]->code < 300) {
		status_text(st[0], reason, n);
		return SMTP_SENT;
	}
	st[1] = smtp_reverse_path_status(m);
	st[2] = smtp_recipient_status(r);
	for (i = 1; i <= 3; i++) {
		const smtp_status_t *s = st[i % 3];

		if (s && s->code >= 400) {
			status_text(s, reason, n);
			return s->code >= 500 ? SMTP_PERMANENT : SMTP_TEMPORARY;
		}
	}
	err = smtp_errno();
	snprintf(reason, n, "%s",
		 ok ? "the server closed the connection before accepting the message"
		    : smtp_strerror(err, buf, sizeof buf));
	return SMTP_TEMPORARY;
}

/* Settings of session s from c; libesmtp connects to hostport (the
 * server, or the TLS relay in front of it). */
static int configure(smtp_session_t s, const SmtpConfig *c, const char *hostport,
		     auth_context_t *auth)
{
	long t = c->timeout > 0 ? c->timeout : 60;
	int w;

	if (!smtp_set_server(s, hostport))
		return 0;
	for (w = Timeout_GREETING; w <= Timeout_DATA2; w++)
		smtp_set_timeout(s, w | Timeout_OVERRIDE_RFC2822_MINIMUM, t * 1000);
	/* over the relay the connection is already TLS: no STARTTLS inside it */
	if (!c->tls && c->starttls != SMTP_TLS_NONE &&
	    !smtp_starttls_enable(s, c->starttls == SMTP_TLS_REQUIRED ? Starttls_REQUIRED
								      : Starttls_ENABLED))
		return 0;
	if (c->user[0]) {
		pthread_once(&auth_once, auth_init);
		*auth = auth_create_context();
		if (!*auth)
			return 0;
		auth_set_mechanism_flags(*auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(*auth, interact, (void *)c);
		smtp_auth_set_context(s, *auth);
	}
	return 1;
}

/* What progress_cb needs. */
typedef struct Progress {
	SmtpProgressFn fn;
	void *arg;
} Progress;

/* libesmtp's protocol monitor: every read and write of the session. */
static void progress_cb(const char *buf, int buflen, int writing, void *arg)
{
	const Progress *p = arg;

	(void)buf;
	(void)buflen;
	(void)writing;
	p->fn(p->arg);
}

SmtpOutcome mail_smtp_send(const SmtpConfig *c, const char *from, const char *to, const char *msg,
			   size_t len, SmtpProgressFn progress, void *arg, char *reason, size_t n)
{
	smtp_session_t s = NULL;
	auth_context_t auth = NULL;
	smtp_message_t m = NULL;
	smtp_recipient_t r = NULL;
	SmtpOutcome out = SMTP_TEMPORARY;
	TlsRelay *relay = NULL;
	Progress prog = {progress, arg};
	char buf[256], hostport[300];
	int ok, port = c->port;

	(void)len; /* the string callback reads up to the NUL */
	snprintf(hostport, sizeof hostport, "%.255s:%d", c->host, c->port);
	if (c->tls) { /* TLS from the first byte: libesmtp talks to the relay */
		Err e = {0};

		if (tls_relay_open(c->host, c->port, c->cafile, c->timeout > 0 ? c->timeout : 60,
				   &relay, &port, &e)) {
			snprintf(reason, n, "%s", e.msg);
			return SMTP_TEMPORARY;
		}
		snprintf(hostport, sizeof hostport, "127.0.0.1:%d", port);
	}
	s = smtp_create_session();
	if (!s || !configure(s, c, hostport, &auth) || !(m = smtp_add_message(s)) ||
	    !smtp_set_reverse_path(m, from) || !(r = smtp_add_recipient(m, to)) ||
	    !smtp_set_message_str(m, (void *)msg) ||
	    (progress && !smtp_set_monitorcb(s, progress_cb, &prog, 0))) {
		snprintf(reason, n, "cannot set up the SMTP session: %s",
			 smtp_strerror(smtp_errno(), buf, sizeof buf));
		goto out;
	}
	ok = smtp_start_session(s);
	out = classify(m, r, ok, reason, n);
out:
	if (s)
		smtp_destroy_session(s);
	if (auth)
		auth_destroy_context(auth);
	tls_relay_close(relay);
	return out;
}
