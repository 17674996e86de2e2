/* mime.c — Internet messages for the notices; see mime.h. */
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIME_MAX       (64u << 20) /* most bytes of one message */
#define WORD_BYTES     36	   /* UTF-8 bytes per encoded-word: 60 chars */
#define B64_LINE_BYTES 57	   /* 76 base64 characters */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ClCode mime_base64(Buf *out, const unsigned char *p, size_t n, int line_breaks)
{
	size_t i, col = 0;
	char q[4];

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		if (buf_append(out, q, 4))
			return CL_ENOMEM;
		col += 3;
		if (line_breaks && (col == B64_LINE_BYTES || i + 3 >= n)) {
			if (buf_puts(out, "\r\n"))
				return CL_ENOMEM;
			col = 0;
		}
	}
	return CL_OK;
}

/* 1 if s is all printable ASCII. */
static int plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Length of the UTF-8 sequence that starts with byte c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

ClCode mime_header_text(Buf *out, const char *text)
{
	size_t n = strlen(text), i = 0;

	if (plain_ascii(text))
		return buf_puts(out, text);
	while (i < n) {
		size_t j = i;

		while (j < n && j - i + utf8_len((unsigned char)text[j]) <= WORD_BYTES)
			j += utf8_len((unsigned char)text[j]);
		if (j > n)
			j = n;
		if (j == i) /* cannot happen with WORD_BYTES >= 4; guard anyway */
			j = i + 1;
		if ((i > 0 && buf_puts(out, "\r\n ")) || buf_puts(out, "=?UTF-8?B?") ||
		    mime_base64(out, (const unsigned char *)text + i, j - i, 0) ||
		    buf_puts(out, "?="))
			return CL_ENOMEM;
		i = j;
	}
	return CL_OK;
}

ClCode mime_address(Buf *out, const char *name, const char *addr)
{
	const char *p;

	if (!name || !*name)
		return buf_puts(out, addr);
	if (!plain_ascii(name)) {
		if (mime_header_text(out, name))
			return CL_ENOMEM;
		return buf_printf(out, "\r\n <%s>", addr);
	}
	if (buf_puts(out, "\""))
		return CL_ENOMEM;
	for (p = name; *p; p++) {
		int bad = (*p == '"' || *p == '\\') && buf_puts(out, "\\");

		if (bad || buf_append(out, p, 1))
			return CL_ENOMEM;
	}
	return buf_printf(out, "\" <%s>", addr);
}

char *mime_date(int64_t t, char *buf, size_t n)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

/* A UTF-8 text part: bare LF become CRLF, then base64. */
static ClCode text_part(Buf *out, const char *boundary, const char *type, const char *body)
{
	Buf crlf;
	const char *p;
	ClCode rc;

	buf_init(&crlf, MIME_MAX);
	rc = buf_printf(out,
			"--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
			"Content-Transfer-Encoding: base64\r\n\r\n",
			boundary, type);
	for (p = body; rc == CL_OK && *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			rc = buf_append(&crlf, "\r", 1);
		if (rc == CL_OK)
			rc = buf_append(&crlf, p, 1);
	}
	if (rc == CL_OK)
		rc = mime_base64(out, (const unsigned char *)(crlf.data ? crlf.data : ""), crlf.len,
				 1);
	buf_free(&crlf);
	return rc;
}

/* One base64 attachment part. */
static ClCode attachment_part(Buf *out, const char *boundary, const MimeAttachment *a)
{
	if (buf_printf(out,
		       "--%s\r\nContent-Type: %s;\r\n name=\"%s\"\r\n"
		       "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n",
		       boundary, a->type, a->filename, a->filename))
		return CL_ENOMEM;
	return mime_base64(out, a->data, a->len, 1);
}

/* From, To, Subject, Date, Message-ID and the MIME headers. */
static ClCode headers(Buf *b, const MimeMessage *m, const char *mixed)
{
	char date[48];

	if (buf_puts(b, "From: ") || mime_address(b, m->from_name, m->from) ||
	    buf_puts(b, "\r\nTo: ") || mime_address(b, m->to_name, m->to) ||
	    buf_puts(b, "\r\nSubject: ") || mime_header_text(b, m->subject))
		return CL_ENOMEM;
	return buf_printf(b,
			  "\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
			  "Auto-Submitted: auto-generated\r\n"
			  "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n"
			  "This is a message in MIME format.\r\n\r\n",
			  mime_date(m->date, date, sizeof date), m->message_id, mixed);
}

char *mime_compose(const MimeMessage *m, size_t *len, Err *e)
{
	char mixed[96], alt[96];
	Buf b;
	ClCode rc;
	int i;

	for (i = 0; i < m->natt; i++)
		if (!m->att[i].filename || !plain_ascii(m->att[i].filename) ||
		    strchr(m->att[i].filename, '"')) {
			err_set(e, CL_EINPUT, "attachment names are plain ASCII without quotes");
			return NULL;
		}
	snprintf(mixed, sizeof mixed, "=_cl_mixed_%.60s",
		 m->boundary_seed ? m->boundary_seed : "0");
	snprintf(alt, sizeof alt, "=_cl_alt_%.60s", m->boundary_seed ? m->boundary_seed : "0");
	buf_init(&b, MIME_MAX);
	rc = headers(&b, m, mixed);
	if (rc == CL_OK)
		rc = buf_printf(
			&b,
			"--%s\r\nContent-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
			mixed, alt);
	if (rc == CL_OK)
		rc = text_part(&b, alt, "text/plain", m->text ? m->text : "");
	if (rc == CL_OK && m->html)
		rc = text_part(&b, alt, "text/html", m->html);
	if (rc == CL_OK)
		rc = buf_printf(&b, "--%s--\r\n\r\n", alt);
	for (i = 0; rc == CL_OK && i < m->natt; i++)
		rc = attachment_part(&b, mixed, &m->att[i]);
	if (rc == CL_OK)
		rc = buf_printf(&b, "--%s--\r\n", mixed);
	if (rc) {
		buf_free(&b);
		err_set(e, CL_ENOMEM, "the message is over %u MiB", MIME_MAX >> 20);
		return NULL;
	}
	*len = b.len;
	return buf_steal(&b);
}
