/* buf.c — growable byte buffer with a cap; see buf.h. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(Buf *b, size_t limit)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->limit = limit;
}

void buf_free(Buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(Buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Make room for n more bytes and the NUL. */
static ClCode buf_grow(Buf *b, size_t n)
{
	size_t need = b->len + n + 1, cap;
	char *p;

	if (n > b->limit || b->len + n > b->limit)
		return CL_ENOMEM;
	if (need <= b->cap)
		return CL_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return CL_ENOMEM;
	b->data = p;
	b->cap = cap;
	return CL_OK;
}

ClCode buf_append(Buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n))
		return CL_ENOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CL_OK;
}

ClCode buf_puts(Buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

ClCode buf_printf(Buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n))
		return CL_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CL_OK;
}

char *buf_steal(Buf *b)
{
	char *p = b->data;

	if (!p) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
