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
 * long chain is walked in two halves at once, each on a read-only
 * connection of its own, with the same answer as one walk.  OUT:
 * *checked. */
ClCode chain_verify_table(sqlite3 *db, const char *table, const char *cols, int ncol,
			  int64_t *checked, Err *e) __attribute__((warn_unused_result));

/* What else reads a table's rows as chain_walk_table() walks them: row()
 * is called with each row (its hash checked first, if it is) and the
 * state of the walk it is in, state[0] for the first half (or the only
 * walk), state[1] for the second; it returns CL_OK, or an error (with e
 * set) that ends the walk.  The halves run at once, on two threads. */
typedef struct ChainVisit {
	ClCode (*row)(void *state, sqlite3_stmt *st, Err *e);
	void *state[2];
} ChainVisit;

/* chain_verify_table(), handing every row to visit (may be NULL) too;
 * with check 0 no hash is read or checked, and the statement has the
 * ncol columns of cols only.  The first error wins: a break, or visit's
 * error, in the first half before anything in the second.  OUT:
 * *checked, the rows that matched and visit took. */
ClCode chain_walk_table(sqlite3 *db, const char *table, const char *cols, int ncol, int check,
			const ChainVisit *visit, int64_t *checked, Err *e)
	__attribute__((warn_unused_result));

#endif
