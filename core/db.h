/*
 * db.h — the SQLite database: opening, migrations and one-shot helpers.
 *
 * Values are always bound, never formatted into SQL.  The one-shot helpers
 * take a bind spec, one letter per parameter in order:
 *   'i' int64_t, 't' const char * (NULL binds NULL), 'n' NULL.
 */
#ifndef COOPLEDGER_DB_H
#define COOPLEDGER_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* How long a connection waits for another one's write to finish: a large
 * import through the server holds the books for a few seconds. */
#define DB_BUSY_MS 30000

#define TIMESTAMP_BUF 21 /* "2026-11-25T17:05:00Z" and its NUL */

/* Open (creating if need be) the database at path with WAL, foreign keys
 * and a busy timeout, and apply every pending migration.  A database whose
 * schema is newer than this binary is refused and left untouched.  Caller
 * closes *out with db_close().  OUT: *out. */
ClCode db_open(const char *path, sqlite3 **out, Err *e) __attribute__((warn_unused_result));
void db_close(sqlite3 *db);

/* The schema version this binary's migrations reach. */
int db_schema_latest(void);

/* Apply pending migrations, each in one transaction.  OUT: *applied (may be
 * NULL) counts them. */
ClCode db_migrate(sqlite3 *db, int *applied, Err *e) __attribute__((warn_unused_result));

ClCode db_begin(sqlite3 *db, Err *e) __attribute__((warn_unused_result)); /* BEGIN IMMEDIATE */
/* The rows this connection has written since it opened: a change between
 * two calls means it wrote. */
int64_t db_writes(sqlite3 *db);

/* BEGIN IMMEDIATE without waiting.  OUT: *busy, 1 when another
 * connection is writing (then nothing is begun and CL_OK returned). */
ClCode db_begin_now(sqlite3 *db, int *busy, Err *e) __attribute__((warn_unused_result));
ClCode db_commit(sqlite3 *db, Err *e) __attribute__((warn_unused_result));
void db_rollback(sqlite3 *db); /* safe to call with no transaction open */

/* Prepare sql; OUT: *st, which the caller finalizes. */
ClCode db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, Err *e)
	__attribute__((warn_unused_result));

/* Like db_prepare, for a query run again and again: the statement stays
 * prepared with the connection between uses.  sql must be a string
 * constant (it is looked up by address).  Give *st back with db_release(),
 * never sqlite3_finalize(); db_close() finalizes the kept ones.  OUT: *st. */
ClCode db_prepare_kept(sqlite3 *db, sqlite3_stmt **st, const char *sql, Err *e)
	__attribute__((warn_unused_result));

/* Reset a statement of db_prepare_kept() for its next use (NULL is
 * ignored). */
void db_release(sqlite3_stmt *st);

/* Bind the values in ap to st by the spec letters above. */
void db_bind_spec(sqlite3_stmt *st, const char *spec, ...);

/* A best-effort write that never waits for another connection's: run sql
 * once, and drop it (and any failure) when the books are being written.
 * For notes that only inform people (a session's or a token's last use). */
void db_note(sqlite3 *db, const char *sql, const char *spec, ...);

/* Run a statement that returns no rows. */
ClCode db_exec(sqlite3 *db, Err *e, const char *sql, const char *spec, ...)
	__attribute__((warn_unused_result));

/* A query read row by row.  Every loop over rows uses it, so that a step
 * that fails is an error and never passes for the last row:
 *
 *	DbRows q;
 *	rc = db_rows(&q, db, e, "SELECT id FROM batch WHERE c = ?", "i", c);
 *	while (!rc && db_rows_next(&q))
 *		rc = use(sqlite3_column_int64(q.st, 0));
 *	rc2 = db_rows_end(&q, "reading the batches", e);
 */
typedef struct DbRows {
	sqlite3 *db;
	sqlite3_stmt *st; /* the current row's columns */
	int step;	  /* sqlite3_step's last answer */
	int owner;	  /* DB_ROWS_*: what db_rows_end() does with st */
} DbRows;

/* Prepare sql with the values bound by spec.  OUT: *q, which the caller
 * ends with db_rows_end() whatever happens. */
ClCode db_rows(DbRows *q, sqlite3 *db, Err *e, const char *sql, const char *spec, ...)
	__attribute__((warn_unused_result));

/* What db_rows_end() does with the statement given to db_rows_on(). */
enum {
	DB_ROWS_FINALIZE = 0, /* prepared for this query alone */
	DB_ROWS_KEPT = 1,     /* from db_prepare_kept(): given back with db_release() */
	DB_ROWS_RESET = 2     /* the caller's own, prepared once for many uses: reset */
};

/* The same over a statement the caller prepared and bound; owner is one
 * of DB_ROWS_* above. */
void db_rows_on(DbRows *q, sqlite3 *db, sqlite3_stmt *st, int owner);

/* 1 with the next row in q->st; 0 at the end or when the step failed
 * (db_rows_end() then says so). */
int db_rows_next(DbRows *q);

/* Finalize (or release, or reset) the query; CL_OK when every step read a
 * row or the end, or when the loop stopped early on purpose; else the
 * failure, as "what: SQLite's message".  Ending q again does nothing. */
ClCode db_rows_end(DbRows *q, const char *what, Err *e) __attribute__((warn_unused_result));

/* Reads that failed on this thread so far (db_int, db_text, db_rows): a
 * caller that cannot take an Err (a page made of many queries) compares
 * the count before and after, and fails the whole answer when it grew.
 * OUT: *last (may be NULL), the latest failure's message. */
unsigned long db_read_failures(const char **last);

/* 1 (with e set to CL_EDB, "what: the failure") when a read failed on this
 * thread since db_read_failures() said since; else 0.  For the one-shot
 * reads (db_int, db_text), whose "no row" must not hide a failure. */
int db_reads_failed(unsigned long since, const char *what, Err *e);

/* First column of the first row as an integer, or dflt when no row (a
 * failed read is counted by db_read_failures()). */
int64_t db_int(sqlite3 *db, int64_t dflt, const char *sql, const char *spec, ...);

/* First column of the first row as text copied into buf (size n); returns 1
 * when a row was found, 0 otherwise (buf then empty). */
int db_text(sqlite3 *db, char *buf, size_t n, const char *sql, const char *spec, ...);

/* Map a SQLite failure to CL_EDB (or CL_ECONFLICT for constraints) with the
 * database's message, prefixed with what. */
ClCode db_error(sqlite3 *db, Err *e, const char *what) __attribute__((warn_unused_result));

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" in buf; returns buf. */
char *db_timestamp(char *buf);

#endif
