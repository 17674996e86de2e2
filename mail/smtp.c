/* smtp.c — one message over SMTP with libesmtp; see smtp.h.
 * The only file that includes libesmtp.h. */
#include "smtp.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <auth-client.h>
#include <libesmtp.h>

/* Percent-decode src[0..n) into dst (size dn).  Returns 0 on success. */
static int pct_decode(char *dst, size_t dn, const char *src, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%' && i + 2 < n && isxdigit((unsigned char)src[i + 1]) &&
		    isxdigit((unsigned char)src[i + 2])) {
			char hex[3] = {src[i + 1], src[i + 2], 0};

			c = (int)strtol(hex, NULL, 16);
			i += 2;
		}
		if (j + 1 >= dn)
			return -1;
		dst[j++] = (char)c;
	}
	dst[j] = '\0';
	return 0;
}

/* The ?starttls= value of query q (may be NULL). */
static ClCode parse_query(const char *q, SmtpConfig *c, Err *e)
{
	const char *v;

	if (!q || !*q)
		return CL_OK;
	if (strncmp(q, "starttls=", 9) != 0)
		return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: unknown option \"%s\" "
				       "(only ?starttls=required|optional|none)", q);
	v = q + 9;
	if (strcmp(v, "required") == 0)
		c->starttls = SMTP_TLS_REQUIRED;
	else if (strcmp(v, "optional") == 0)
		c->starttls = SMTP_TLS_OPTIONAL;
	else if (strcmp(v, "none") == 0)
		c->starttls = SMTP_TLS_NONE;
	else
		return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: starttls is required, optional "
				       "or none, not \"%s\"", v);
	return CL_OK;
}

ClCode mail_smtp_parse_url(const char *url, SmtpConfig *c, Err *e)
{
	const char *p, *at, *end, *colon, *q;
	char hostport[300];

	memset(c, 0, sizeof *c);
	c->starttls = SMTP_TLS_OPTIONAL;
	if (strncmp(url, "smtps://", 8) == 0)
		return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: smtps:// (TLS from the first byte) "
				       "is not supported by libesmtp 1.1; use "
				       "smtp://HOST:587?starttls=required");
	if (strncmp(url, "smtp://", 7) != 0)
		return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL must start with smtp://");
	p = url + 7;
	q = strchr(p, '?');
	end = q ? q : p + strlen(p);
	if (end > p && end[-1] == '/')
		end--;
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		const char *u_end = memchr(p, ':', (size_t)(at - p));

		if (pct_decode(c->user, sizeof c->user, p, (size_t)((u_end ? u_end : at) - p)) ||
		    (u_end && pct_decode(c->password, sizeof c->password, u_end + 1,
					 (size_t)(at - u_end - 1))))
			return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: user or password too long");
		p = at + 1;
	}
	if ((size_t)(end - p) >= sizeof hostport || end == p)
		return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: no host");
	memcpy(hostport, p, (size_t)(end - p));
	hostport[end - p] = '\0';
	colon = strrchr(hostport, ':');
	c->port = c->user[0] ? 587 : 25;
	if (colon) {
		char *pe;
		long port = strtol(colon + 1, &pe, 10);

		if (*pe || port < 1 || port > 65535)
			return err_set(e, CL_EINPUT, "COOPLEDGER_SMTP_URL: bad port \"%s\"", colon + 1);
		c->port = (int)port;
		hostport[colon - hostport] = '\0';
	}
	snprintf(c->host, sizeof c->host, "%.255s", hostport);
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
	snprintf(reason, n, "%s", ok ? "the server closed the connection before accepting the message"
				    : smtp_strerror(err, buf, sizeof buf));
	return SMTP_TEMPORARY;
}

/* Settings of session s from c. */
static int configure(smtp_session_t s, const SmtpConfig *c, auth_context_t *auth)
{
	char hostport[300];
	long t = c->timeout > 0 ? c->timeout : 60;
	int w;

	snprintf(hostport, sizeof hostport, "%.255s:%d", c->host, c->port);
	if (!smtp_set_server(s, hostport))
		return 0;
	for (w = Timeout_GREETING; w <= Timeout_DATA2; w++)
		smtp_set_timeout(s, w | Timeout_OVERRIDE_RFC2822_MINIMUM, t * 1000);
	if (c->starttls != SMTP_TLS_NONE &&
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

SmtpOutcome mail_smtp_send(const SmtpConfig *c, const char *from, const char *to,
			   const char *msg, size_t len, char *reason, size_t n)
{
	smtp_session_t s = smtp_create_session();
	auth_context_t auth = NULL;
	smtp_message_t m = NULL;
	smtp_recipient_t r = NULL;
	SmtpOutcome out = SMTP_TEMPORARY;
	char buf[256];
	int ok;

	(void)len; /* the string callback reads up to the NUL */
	if (!s || !configure(s, c, &auth) || !(m = smtp_add_message(s)) ||
	    !smtp_set_reverse_path(m, from) || !(r = smtp_add_recipient(m, to)) ||
	    !smtp_set_message_str(m, (void *)msg)) {
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
	return out;
}
