/* chain.c — SHA-256 hash chain helpers; see chain.h. */
#include "chain.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char chain_genesis[CHAIN_HEX] =
	"0000000000000000000000000000000000000000000000000000000000000000";

ClCode canon_text(Buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0, k = n;
	char num[24], *p = num + sizeof num;

	*--p = ':';
	do {
		*--p = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	if (buf_append(b, p, (size_t)(num + sizeof num - p)) || buf_append(b, s ? s : "", n) ||
	    buf_append(b, ",", 1))
		return CL_ENOMEM;
	return CL_OK;
}

ClCode canon_int(Buf *b, int64_t v)
{
	char num[24], *p = num + sizeof num;
	/* the magnitude as unsigned, so INT64_MIN needs no special case */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*--p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return canon_text(b, p); /* the same text as "%" PRId64 */
}

ClCode canon_column(Buf *b, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return canon_text(b, NULL);
	case SQLITE_INTEGER:
		return canon_int(b, sqlite3_column_int64(st, i));
	default:
		return canon_text(b, (const char *)sqlite3_column_text(st, i));
	}
}

void chain_hash(const char *prev, const Buf *canon, char out[CHAIN_HEX])
{
	crypto_hash_sha256_state s;
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)prev, strlen(prev));
	crypto_hash_sha256_update(&s, (const unsigned char *)(canon->data ? canon->data : ""),
				  canon->len);
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(out, CHAIN_HEX, h, sizeof h);
}
