/*
 * fuzz.h — helpers shared by the libFuzzer harnesses (fuzz_*.c).
 *
 * A harness checks properties of what it fuzzes; FUZZ_CHECK stops the run
 * with a message when one fails, and libFuzzer keeps the input as a crash.
 */
#ifndef COOPLEDGER_FUZZ_H
#define COOPLEDGER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "\n%s:%d: property failed: %s\n  ", __FILE__, __LINE__,    \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* p[0, n) as a NUL-terminated string (cut at its first NUL).  Caller frees. */
static inline char *fuzz_strndup(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* A little-endian integer from the first bytes of p[0, n) (missing bytes
 * are zero). */
static inline uint64_t fuzz_u64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8 && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Split p[0, n) at the first byte sep: OUT *head, *nhead; returns what
 * follows sep, or NULL when there is no sep (the head is then all of it). */
static inline const uint8_t *fuzz_split(const uint8_t *p, size_t n, uint8_t sep,
					const uint8_t **head, size_t *nhead)
{
	const uint8_t *at = n ? memchr(p, sep, n) : NULL;

	*head = p;
	*nhead = at ? (size_t)(at - p) : n;
	return at ? at + 1 : NULL;
}

#endif
