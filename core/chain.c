/* chain.c — SHA-256 hash chain helpers; see chain.h. */
#include "chain.h"

/* OpenSSL's low-level SHA-256 functions: a context on the stack, no
 * allocation and no algorithm look-up per hash, and the CPU's SHA
 * extensions where it has them.  A ledger row is four 64-byte blocks, and
 * EVP's per-digest set-up would cost as much again as hashing them. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <inttypes.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "db.h"

const char chain_genesis[CHAIN_HEX] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* Append "<n>:<s>," to b. */
static ClCode canon_bytes(Buf *b, const char *s, size_t n)
{
	char num[24], *p = num + sizeof num;
	size_t k = n, plen;

	*--p = ':';
	do {
		*--p = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	plen = (size_t)(num + sizeof num - p);
	if (b->len + plen + n + 2 <= b->cap && b->len + plen + n + 1 <= b->limit) {
		char *d = b->data + b->len;

		memcpy(d, p, plen);
		memcpy(d + plen, s, n);
		d[plen + n] = ',';
		d[plen + n + 1] = '\0';
		b->len += plen + n + 1;
		return CL_OK;
	}
	if (buf_append(b, p, plen) || buf_append(b, s, n) || buf_append(b, ",", 1))
		return CL_ENOMEM;
	return CL_OK;
}

ClCode canon_text(Buf *b, const char *s)
{
	return canon_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

ClCode canon_int(Buf *b, int64_t v)
{
	char num[24], *p = num + sizeof num;
	/* the magnitude as unsigned, so INT64_MIN needs no special case */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	/* the same text as "%" PRId64 */
	return canon_bytes(b, p, (size_t)(num + sizeof num - p));
}

ClCode canon_column(Buf *b, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return canon_bytes(b, "", 0);
	case SQLITE_INTEGER:
		return canon_int(b, sqlite3_column_int64(st, i));
	default: {
		/* the length SQLite knows, rather than strlen() */
		const char *t = (const char *)sqlite3_column_text(st, i);

		return canon_bytes(b, t ? t : "", t ? (size_t)sqlite3_column_bytes(st, i) : 0);
	}
	}
}

void chain_hex(const unsigned char h[CHAIN_BYTES], char out[CHAIN_HEX])
{
	static const char digit[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < CHAIN_BYTES; i++) {
		out[2 * i] = digit[h[i] >> 4];
		out[2 * i + 1] = digit[h[i] & 15];
	}
	out[CHAIN_HEX - 1] = '\0';
}

void chain_hash(const char *prev, const Buf *canon, char out[CHAIN_HEX])
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	SHA256_CTX s;

	SHA256_Init(&s);
	SHA256_Update(&s, prev, strlen(prev));
	SHA256_Update(&s, canon->data ? canon->data : "", canon->len);
	SHA256_Final(h, &s);
	chain_hex(h, out);
}

/* ---- verifying ----
 *
 * A row is checked against its predecessor's stored hash: once every row
 * matches SHA-256(stored hash before it ‖ its text), every stored hash is
 * the recomputed chain, so the first row that does not match is the first
 * break, wherever the walk started.  A long chain is therefore walked in
 * two halves at once, each on a read-only connection of its own. */

/* Rows below which one walk is quicker than starting a second. */
#define SPLIT_MIN 100000

/* The pages a walk's own connection maps rather than reads (SQLite caps
 * it at its compile-time limit): a read is a system call and a copy per
 * page. */
#define WALK_MMAP "PRAGMA mmap_size = 4294967296"

/* One walk over consecutive rows. */
typedef struct Walk {
	const char *table;
	sqlite3_stmt *st; /* the rows: ncol hashed columns, then the hash */
	int ncol;
	int check;	      /* 0: no hash is read or checked */
	char prev[CHAIN_HEX]; /* the hash before the walk's first row */
	int64_t checked;      /* rows that matched */
	atomic_int *stop;     /* set: an earlier walk found a break */
	atomic_int *halt;     /* set on a break, for a later walk to stop */
	const ChainVisit *visit;
	void *state; /* the visitor's state for this walk */
	ClCode rc;
	Err err;
} Walk;

/* Check st's current row against w->prev; on a match it becomes prev. */
static ClCode walk_row(Walk *w, Buf *b)
{
	const char *stored = (const char *)sqlite3_column_text(w->st, w->ncol);
	char hash[CHAIN_HEX];
	int i;

	buf_reset(b);
	for (i = 0; i < w->ncol; i++)
		if (canon_column(b, w->st, i))
			return err_set(&w->err, CL_ENOMEM, "%s row %lld is too long to hash",
				       w->table, (long long)sqlite3_column_int64(w->st, 0));
	chain_hash(w->prev, b, hash);
	if (strcmp(hash, stored ? stored : "") != 0)
		return err_set(&w->err, CL_ERULE,
			       "%s row %lld does not match its hash: it was altered, or a row "
			       "before it was removed or altered",
			       w->table, (long long)sqlite3_column_int64(w->st, 0));
	memcpy(w->prev, hash, CHAIN_HEX);
	return CL_OK;
}

/* Walk w->st to its end or the first break.  OUT: w->rc, w->err. */
static void walk(Walk *w)
{
	int step = SQLITE_ROW;
	Buf b;

	buf_init(&b, 1 << 26);
	w->rc = CL_OK;
	while (!w->rc && (step = sqlite3_step(w->st)) == SQLITE_ROW) {
		if (w->check)
			w->rc = walk_row(w, &b);
		if (!w->rc && w->visit)
			w->rc = w->visit->row(w->state, w->st, &w->err);
		if (!w->rc)
			w->checked++;
		if (w->stop && (w->checked & 4095) == 0 &&
		    atomic_load_explicit(w->stop, memory_order_relaxed))
			break; /* its answer is the earlier walk's */
	}
	if (!w->rc && step != SQLITE_DONE)
		w->rc = db_error(sqlite3_db_handle(w->st), &w->err, "reading the chain");
	if (w->rc && w->halt)
		atomic_store(w->halt, 1);
	buf_free(&b);
}

ClCode chain_verify(sqlite3 *db, const char *table, const char *sql, int ncol, int64_t *checked,
		    Err *e)
{
	Walk w = {.table = table, .ncol = ncol, .check = 1};

	*checked = 0;
	memcpy(w.prev, chain_genesis, CHAIN_HEX);
	if (sqlite3_prepare_v2(db, sql, -1, &w.st, NULL) != SQLITE_OK)
		return db_error(db, e, "reading the chain");
	walk(&w);
	sqlite3_finalize(w.st);
	*checked = w.checked;
	if (w.rc && e)
		*e = w.err;
	return w.rc;
}

/* One half of a split walk, on its own read-only connection to the same
 * file (or on the caller's, db, when that cannot be opened). */
typedef struct Half {
	Walk w;
	sqlite3 *db;
	const char *path, *sql;
	int64_t from, to;
} Half;

/* Open h's connection and walk rows from..to on it.  OUT: h->w. */
static void *half_walk(void *arg)
{
	Half *h = arg;
	sqlite3 *own = NULL, *db = h->db;

	if (sqlite3_open_v2(h->path, &own, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(own, 5000);
		sqlite3_exec(own, WALK_MMAP, NULL, NULL, NULL);
		db = own;
	} else if (!db) {
		h->w.rc = err_set(&h->w.err, CL_EDB, "cannot open %s to verify it: %s", h->path,
				  own ? sqlite3_errmsg(own) : "out of memory");
		sqlite3_close(own);
		return NULL;
	}
	if (sqlite3_prepare_v2(db, h->sql, -1, &h->w.st, NULL) != SQLITE_OK) {
		h->w.rc = db_error(db, &h->w.err, "reading the chain");
	} else {
		sqlite3_bind_int64(h->w.st, 1, h->from);
		sqlite3_bind_int64(h->w.st, 2, h->to);
		walk(&h->w);
	}
	sqlite3_finalize(h->w.st);
	sqlite3_close(own);
	return NULL;
}

/* One integer or text answer of a one-row query on db, with ?1 bound to
 * v.  OUT: *n or text (of size CHAIN_HEX), *found. */
static ClCode read_one(sqlite3 *db, const char *sql, int64_t v, int64_t *n, char *text, int *found,
		       Err *e)
{
	sqlite3_stmt *st;
	const char *t;
	int step;

	*found = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, e, "reading the chain");
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, 1, v);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*found = 1;
		if (n)
			*n = sqlite3_column_int64(st, 0);
		t = (const char *)sqlite3_column_text(st, 0);
		if (text)
			snprintf(text, CHAIN_HEX, "%s", t ? t : "");
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		ClCode rc = db_error(db, e, "reading the chain");

		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return CL_OK;
}

/* Where the halves of table's walk meet: h[1] starts at from, after the
 * row whose stored hash it starts from (read only when check).  OUT:
 * *lo, *hi, the ids to walk; *split, 1 when there are two halves; *any,
 * 0 for an empty table. */
static ClCode plan_halves(sqlite3 *db, const char *table, int check, Half h[2], int64_t *lo,
			  int64_t *hi, int *split, int *any, Err *e)
{
	char sql[256];
	int found;
	ClCode rc;

	*split = *any = 0;
	snprintf(sql, sizeof sql, "SELECT min(id) FROM %s", table);
	rc = read_one(db, sql, 0, lo, NULL, any, e);
	if (rc || !*any)
		return rc;
	snprintf(sql, sizeof sql, "SELECT max(id) FROM %s", table);
	rc = read_one(db, sql, 0, hi, NULL, &found, e);
	if (rc)
		return rc;
	h[1].from = *lo + (*hi - *lo) / 2 + 1;
	h[1].to = *hi;
	if ((uint64_t)*hi - (uint64_t)*lo < SPLIT_MIN || !h[0].path || !*h[0].path ||
	    !sqlite3_threadsafe())
		return CL_OK;
	if (!check) {
		*split = 1;
		return CL_OK;
	}
	snprintf(sql, sizeof sql, "SELECT hash FROM %s WHERE id < ?1 ORDER BY id DESC LIMIT 1",
		 table);
	rc = read_one(db, sql, h[1].from, NULL, h[1].w.prev, split, e);
	return rc;
}

ClCode chain_walk_table(sqlite3 *db, const char *table, const char *cols, int ncol, int check,
			const ChainVisit *visit, int64_t *checked, Err *e)
{
	char sql[1024];
	const char *path = sqlite3_db_filename(db, "main");
	Walk w = {.table = table, .ncol = check ? ncol : 0, .check = check, .visit = visit};
	Half h[2] = {{.w = w, .db = db, .path = path, .sql = sql},
		     {.w = w, .path = path, .sql = sql}};
	int64_t lo = 0, hi = 0;
	atomic_int stop = 0;
	int any, split;
	pthread_t thread;
	ClCode rc;

	*checked = 0;
	memcpy(h[0].w.prev, chain_genesis, CHAIN_HEX);
	rc = plan_halves(db, table, check, h, &lo, &hi, &split, &any, e);
	if (rc || !any)
		return rc; /* no rows: nothing to check */
	snprintf(sql, sizeof sql, "SELECT %s%s FROM %s WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
		 cols, check ? ", hash" : "", table);
	h[0].from = lo;
	h[0].to = split ? h[1].from - 1 : hi;
	h[0].w.state = visit ? visit->state[0] : NULL;
	h[1].w.state = visit ? visit->state[1] : NULL;
	h[0].w.halt = h[1].w.stop = &stop;
	if (split && pthread_create(&thread, NULL, half_walk, &h[1]) != 0) {
		split = 0;
		h[0].to = hi;
	}
	if (split) {
		half_walk(&h[0]);
	} else if (sqlite3_prepare_v2(db, sql, -1, &h[0].w.st, NULL) != SQLITE_OK) {
		h[0].w.rc = db_error(db, &h[0].w.err, "reading the chain");
	} else {
		sqlite3_bind_int64(h[0].w.st, 1, h[0].from);
		sqlite3_bind_int64(h[0].w.st, 2, h[0].to);
		walk(&h[0].w);
		sqlite3_finalize(h[0].w.st);
	}
	if (split)
		pthread_join(thread, NULL);
	*checked = h[0].w.checked + (split ? h[1].w.checked : 0);
	/* the first half's break comes first in the chain */
	rc = h[0].w.rc ? h[0].w.rc : (split ? h[1].w.rc : CL_OK);
	if (rc && e)
		*e = h[0].w.rc ? h[0].w.err : h[1].w.err;
	return rc;
}

ClCode chain_verify_table(sqlite3 *db, const char *table, const char *cols, int ncol,
			  int64_t *checked, Err *e)
{
	return chain_walk_table(db, table, cols, ncol, 1, NULL, checked, e);
}
