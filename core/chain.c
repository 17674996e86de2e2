/* chain.c — SHA-256 hash chain helpers; see chain.h. */
#include "chain.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "db.h"

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

/* Check st's current row against prev, its predecessor's hash: ncol
 * columns are hashed, the next is the hash.  OUT: prev, the row's hash. */
static ClCode verify_row(const char *table, sqlite3_stmt *st, int ncol, Buf *b,
			 char prev[CHAIN_HEX], Err *e)
{
	const char *hash_text = (const char *)sqlite3_column_text(st, ncol);
	char hash[CHAIN_HEX];
	int i;

	buf_reset(b);
	for (i = 0; i < ncol; i++)
		if (canon_column(b, st, i))
			return err_set(e, CL_ENOMEM, "%s row %lld is too long to hash", table,
				       (long long)sqlite3_column_int64(st, 0));
	chain_hash(prev, b, hash);
	if (strcmp(hash, hash_text ? hash_text : "") != 0)
		return err_set(e, CL_ERULE,
			       "%s row %lld does not match its hash: it was altered, or a row "
			       "before it was removed or altered",
			       table, (long long)sqlite3_column_int64(st, 0));
	memcpy(prev, hash, CHAIN_HEX);
	return CL_OK;
}

ClCode chain_verify(sqlite3 *db, const char *table, const char *sql, int ncol, int64_t *checked,
		    Err *e)
{
	char prev[CHAIN_HEX];
	ClCode rc, end;
	DbRows q;
	Buf b;

	*checked = 0;
	buf_init(&b, 1 << 26);
	memcpy(prev, chain_genesis, CHAIN_HEX);
	rc = db_rows(&q, db, e, sql, "");
	while (!rc && db_rows_next(&q)) {
		rc = verify_row(table, q.st, ncol, &b, prev, e);
		if (!rc)
			(*checked)++;
	}
	end = db_rows_end(&q, "reading the chain", e);
	buf_free(&b);
	return rc ? rc : end;
}
