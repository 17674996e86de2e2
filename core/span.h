/*
 * span.h — pieces of caller's text for the parsers (money, dates): trimming
 * and quoting it back in messages.
 */
#ifndef COOPLEDGER_SPAN_H
#define COOPLEDGER_SPAN_H

#define SPAN_QUOTE_MAX 60 /* longest input quoted back in a message */

/* A span of the caller's text, [p, end). */
typedef struct Span {
	const char *p;
	const char *end;
} Span;

int span_is_blank(char c); /* space, tab, CR or LF */
int span_is_digit(char c); /* ASCII 0-9 */

/* The text without surrounding blanks; NULL is treated as empty. */
Span span_trim(const char *text);

/* How much of s to quote in a message, and "..." when that cuts it. */
int span_quote_len(Span s);
const char *span_quote_tail(Span s);

#endif
