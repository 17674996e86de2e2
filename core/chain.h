/*
 * chain.h — the SHA-256 hash chains over ledger, remittance and audit rows
 * (DOMAIN.md section 3): hash = SHA-256(previous hash ‖ canonical text).
 *
 * The canonical text of a row is its fields in a fixed order, each written
 * as "<byte length>:<bytes>," so no field's content can shift another's.
 */
#ifndef COOPLEDGER_CHAIN_H
#define COOPLEDGER_CHAIN_H

#include <sqlite3.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define CHAIN_HEX   65 /* 64 hex digits and a NUL */
#define CHAIN_BYTES 32 /* a SHA-256 digest */

/* The hash of the first row's predecessor: 64 zeros. */
extern const char chain_genesis[CHAIN_HEX];

/* Append one field's canonical form to b (canon_text writes NULL as
 * empty); CL_ENOMEM past b's cap, and b is then not to be hashed. */
ClCode canon_text(Buf *b, const char *s) __attribute__((warn_unused_result));
ClCode canon_int(Buf *b, int64_t v) __attribute__((warn_unused_result));

/* out = the digest h in lower-case hex. */
void chain_hex(const unsigned char h[CHAIN_BYTES], char out[CHAIN_HEX]);

/* out = hex(SHA-256(prev ‖ canon)). */
void chain_hash(const char *prev, const Buf *canon, char out[CHAIN_HEX]);

/* Add the canonical form of column i of a SELECT's current row to b
 * (integers as decimal, NULL as empty, text as is); CL_ENOMEM as above. */
ClCode canon_column(Buf *b, sqlite3_stmt *st, int i) __attribute__((warn_unused_result));

/* Walk one table's chain: sql lists each row's ncol hashed columns, the
 * first being its id, then its hash, in chain order.  On a break,
 * CL_ERULE naming the table and the first bad row.  OUT: *checked, the
 * rows that matched. */
ClCode chain_verify(sqlite3 *db, const char *table, const char *sql, int ncol, int64_t *checked,
		    Err *e) __attribute__((warn_unused_result));

/* The same for a table whose chain order is its integer key id: cols
 * lists the ncol hashed columns (id first); the hash is column "hash".  A
 * long chain is walked in two halves at once, the second on a read-only
 * connection of its own, with the same answer as one walk.  OUT:
 * *checked. */
ClCode chain_verify_table(sqlite3 *db, const char *table, const char *cols, int ncol,
			  int64_t *checked, Err *e) __attribute__((warn_unused_result));

#endif
