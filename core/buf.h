/*
 * buf.h — a growable byte buffer with a size cap.
 *
 * The owner of a Buf frees it with buf_free().  Appends past the cap fail
 * with CL_ENOMEM and leave the contents as they were.  data is always
 * NUL-terminated once anything has been appended.
 */
#ifndef COOPLEDGER_BUF_H
#define COOPLEDGER_BUF_H

#include <stddef.h>

#include "err.h"

typedef struct Buf {
	char *data;
	size_t len;
	size_t cap;
	size_t limit; /* most bytes it may hold */
} Buf;

void buf_init(Buf *b, size_t limit);
void buf_free(Buf *b);
void buf_reset(Buf *b); /* empty, keeping the memory */
ClCode buf_append(Buf *b, const void *p, size_t n) __attribute__((warn_unused_result));
ClCode buf_puts(Buf *b, const char *s) __attribute__((warn_unused_result));
ClCode buf_printf(Buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));

/* Hand the contents to the caller (who frees them with free()) and leave b
 * empty.  Never NULL: an empty buffer gives "". */
char *buf_steal(Buf *b) __attribute__((warn_unused_result));

#endif
