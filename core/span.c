/* span.c — trimming and quoting caller's text; see span.h. */
#include "span.h"

#include <string.h>

int span_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int span_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

Span span_trim(const char *text)
{
	Span s;

	if (!text)
		text = "";
	s.p = text;
	s.end = text + strlen(text);
	while (s.p < s.end && span_is_blank(*s.p))
		s.p++;
	while (s.end > s.p && span_is_blank(s.end[-1]))
		s.end--;
	return s;
}

int span_quote_len(Span s)
{
	size_t n = (size_t)(s.end - s.p);

	return n > SPAN_QUOTE_MAX ? SPAN_QUOTE_MAX : (int)n;
}

const char *span_quote_tail(Span s)
{
	return (size_t)(s.end - s.p) > SPAN_QUOTE_MAX ? "..." : "";
}
