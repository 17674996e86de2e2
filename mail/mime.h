/*
 * mime.h — Internet messages (RFC 5322, MIME RFC 2045-2047) for the
 * notices: multipart/mixed holding a multipart/alternative (text/plain and
 * text/html, UTF-8, base64) and any attachments (base64, 76-character
 * lines).  Lines end with CRLF.
 */
#ifndef COOPLEDGER_MIME_H
#define COOPLEDGER_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

typedef struct MimeAttachment {
	const char *filename; /* ASCII, e.g. "statement-USD233-2026-Q3.pdf" */
	const char *type;     /* "application/pdf" */
	const unsigned char *data;
	size_t len;
} MimeAttachment;

typedef struct MimeMessage {
	const char *from;      /* "notices@usd259.example" */
	const char *from_name; /* display name (UTF-8), may be NULL */
	const char *to;
	const char *to_name;	   /* may be NULL or "" */
	const char *subject;	   /* UTF-8 */
	const char *text;	   /* text/plain body, UTF-8 */
	const char *html;	   /* text/html body, UTF-8 (NULL: none) */
	const char *message_id;	   /* "<...@...>" */
	int64_t date;		   /* unix seconds, written in UTC */
	const char *boundary_seed; /* makes the boundaries unique, e.g. the token */
	const MimeAttachment *att;
	int natt;
} MimeMessage;

/* Base64 of p (n bytes) into out, in lines of at most 76 characters each
 * ended by CRLF (no line break when line_breaks is 0). */
ClCode mime_base64(Buf *out, const unsigned char *p, size_t n, int line_breaks);

/* A header value as RFC 2047 encoded-words ("=?UTF-8?B?...?=", each at most
 * 75 characters, never splitting a UTF-8 sequence, folded with CRLF SP)
 * when it holds anything but printable ASCII, else as is.  Appends to out. */
ClCode mime_header_text(Buf *out, const char *text);

/* "Name <addr>" with the name quoted or encoded as needed.  Appends. */
ClCode mime_address(Buf *out, const char *name, const char *addr);

/* The whole message (headers and body).  Returns a NUL-terminated string
 * the caller frees with free(), and its length in *len; NULL with e. */
char *mime_compose(const MimeMessage *m, size_t *len, Err *e);

/* RFC 5322 date of unix seconds t, "Wed, 25 Nov 2026 14:03:09 +0000",
 * into buf (at least 40 bytes). */
char *mime_date(int64_t t, char *buf, size_t n);

#endif
