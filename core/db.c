/* db.c — opening the database, migrations and one-shot helpers; see db.h. */
#include "db.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embedded.h"
#include "remit.h"

#define MIGRATION_DIR "migrations/"

/* The embedded migration number k (1-based), or NULL past the last. */
static const EmbeddedFile *migration(int k)
{
	const EmbeddedFile *f;
	int n = 0;

	for (f = embedded_files; f->path; f++) {
		if (strncmp(f->path, MIGRATION_DIR, strlen(MIGRATION_DIR)) != 0)
			continue;
		if (++n == k)
			return f;
	}
	return NULL;
}

int db_schema_latest(void)
{
	int k = 0;

	while (migration(k + 1))
		k++;
	return k;
}

static int user_version(sqlite3 *db)
{
	return (int)db_int(db, -1, "PRAGMA user_version", "");
}

/* Work a migration needs done in C before its SQL runs, in the same
 * transaction: SQL has no SHA-256 to chain the rows a migration moves.
 * Named by the file's name after its number, which may change. */
static const struct {
	const char *name;
	ClCode (*run)(sqlite3 *db, Err *e);
} migration_steps[] = {
	{"_remittance_reversal.sql", remit_chain_existing},
};

/* Run the C step of migration file path, if it has one. */
static ClCode migration_step(sqlite3 *db, const char *path, Err *e)
{
	const char *name =
		path + strlen(MIGRATION_DIR) + strspn(path + strlen(MIGRATION_DIR), "0123456789");
	size_t i;

	for (i = 0; i < sizeof migration_steps / sizeof migration_steps[0]; i++)
		if (strcmp(name, migration_steps[i].name) == 0)
			return migration_steps[i].run(db, e);
	return CL_OK;
}

/* Apply migration k in its own transaction and set user_version = k. */
static ClCode migrate_one(sqlite3 *db, int k, Err *e)
{
	const EmbeddedFile *f = migration(k);
	char pragma[64], *msg = NULL;
	int expect = atoi(f->path + strlen(MIGRATION_DIR));

	if (expect != k)
		return err_set(e, CL_EDB,
			       "%s: migrations must be numbered 0001, 0002, ... in order", f->path);
	if (db_begin(db, e))
		return e ? e->code : CL_EDB;
	if (migration_step(db, f->path, e)) {
		err_prefix(e, "migration %s failed", f->path);
		db_rollback(db);
		return CL_EDB;
	}
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", k);
	if (sqlite3_exec(db, f->data, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, CL_EDB, "migration %s failed: %s", f->path, msg ? msg : "?");
		sqlite3_free(msg);
		db_rollback(db);
		return CL_EDB;
	}
	return db_commit(db, e);
}

ClCode db_migrate(sqlite3 *db, int *applied, Err *e)
{
	int have = user_version(db), latest = db_schema_latest(), k;
	ClCode rc;

	if (applied)
		*applied = 0;
	if (have < 0)
		return db_error(db, e, "reading the schema version");
	if (have > latest)
		return err_set(e, CL_EDB,
			       "this database has schema version %d, newer than this coopledger "
			       "(which knows up to %d); use a newer coopledger — the database was "
			       "left untouched",
			       have, latest);
	for (k = have + 1; k <= latest; k++) {
		rc = migrate_one(db, k, e);
		if (rc)
			return rc;
		if (applied)
			(*applied)++;
	}
	return CL_OK;
}

/* SQLite's memory statistics take a global lock around every allocation
 * (several per ledger line written); nothing reads them. */
static void db_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

ClCode db_open(const char *path, sqlite3 **out, Err *e)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	sqlite3 *db = NULL;
	ClCode rc;

	*out = NULL;
	pthread_once(&configured, db_configure);
	if (sqlite3_open_v2(path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = err_set(e, CL_EIO, "cannot open database %s: %s", path,
			     db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db, DB_BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	rc = db_exec(db, e, "PRAGMA foreign_keys = ON", "");
	if (!rc && user_version(db) <= db_schema_latest())
		rc = db_exec(db, e, "PRAGMA journal_mode = WAL", "");
	if (!rc)
		rc = db_exec(db, e, "PRAGMA synchronous = NORMAL", "");
	if (!rc) /* 24 MiB of page cache: large imports stay in memory, RSS stays small */
		rc = db_exec(db, e, "PRAGMA cache_size = -24576", "");
	if (!rc)
		rc = db_migrate(db, NULL, e);
	if (rc) {
		if (e && rc == CL_EDB && strstr(e->msg, path) == NULL)
			err_prefix(e, "%s", path);
		sqlite3_close(db);
		return rc;
	}
	*out = db;
	return CL_OK;
}

/* ---- kept statements ----
 *
 * Preparing a statement costs more than running a small one, so the
 * queries every request makes (session look-up, cache version) are kept
 * prepared with their connection.  A kept statement is lent to one caller
 * at a time; a second caller of the same query gets a fresh one.  The
 * table is shared by all threads (a server's connections are closed by
 * the main thread), hence the lock. */

#define KEPT_MAX 64

typedef struct Kept {
	sqlite3 *db;
	const char *sql; /* the caller's constant: compared by address */
	sqlite3_stmt *st;
	int lent;
} Kept;

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static Kept kept[KEPT_MAX];

ClCode db_prepare_kept(sqlite3 *db, sqlite3_stmt **st, const char *sql, Err *e)
{
	Kept *free_slot = NULL;
	int i;

	pthread_mutex_lock(&kept_lock);
	for (i = 0; i < KEPT_MAX; i++) {
		Kept *k = &kept[i];

		if (k->db == db && k->sql == sql && !k->lent) {
			k->lent = 1;
			*st = k->st;
			pthread_mutex_unlock(&kept_lock);
			return CL_OK;
		}
		if (!k->db && !free_slot)
			free_slot = k;
	}
	if (free_slot)
		free_slot->db = db; /* reserved; filled in below */
	pthread_mutex_unlock(&kept_lock);
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		if (free_slot) {
			pthread_mutex_lock(&kept_lock);
			free_slot->db = NULL;
			pthread_mutex_unlock(&kept_lock);
		}
		return db_error(db, e, "preparing a query");
	}
	if (free_slot) {
		pthread_mutex_lock(&kept_lock);
		free_slot->sql = sql;
		free_slot->st = *st;
		free_slot->lent = 1;
		pthread_mutex_unlock(&kept_lock);
	}
	return CL_OK;
}

void db_release(sqlite3_stmt *st)
{
	int i;

	if (!st)
		return;
	pthread_mutex_lock(&kept_lock);
	for (i = 0; i < KEPT_MAX; i++)
		if (kept[i].st == st && kept[i].lent) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			kept[i].lent = 0;
			pthread_mutex_unlock(&kept_lock);
			return;
		}
	pthread_mutex_unlock(&kept_lock);
	sqlite3_finalize(st);
}

void db_close(sqlite3 *db)
{
	int i;

	if (!db)
		return;
	pthread_mutex_lock(&kept_lock);
	for (i = 0; i < KEPT_MAX; i++)
		if (kept[i].db == db) {
			sqlite3_finalize(kept[i].st);
			memset(&kept[i], 0, sizeof kept[i]);
		}
	pthread_mutex_unlock(&kept_lock);
	sqlite3_close(db);
}

ClCode db_begin(sqlite3 *db, Err *e)
{
	return db_exec(db, e, "BEGIN IMMEDIATE", "");
}

int64_t db_writes(sqlite3 *db)
{
	return sqlite3_total_changes64(db);
}

ClCode db_begin_now(sqlite3 *db, int *busy, Err *e)
{
	int rc;

	sqlite3_busy_timeout(db, 0);
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_timeout(db, DB_BUSY_MS);
	*busy = rc == SQLITE_BUSY;
	if (rc == SQLITE_OK || *busy)
		return CL_OK;
	return db_error(db, e, "beginning a transaction");
}

ClCode db_commit(sqlite3 *db, Err *e)
{
	return db_exec(db, e, "COMMIT", "");
}

void db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

ClCode db_error(sqlite3 *db, Err *e, const char *what)
{
	int x = sqlite3_extended_errcode(db);
	ClCode code = (x & 0xff) == SQLITE_CONSTRAINT ? CL_ECONFLICT : CL_EDB;

	return err_set(e, code, "%s: %s", what, sqlite3_errmsg(db));
}

ClCode db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, Err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(db, e, "preparing a query");
	return CL_OK;
}

/* Bind values from ap by spec. */
static void bind_va(sqlite3_stmt *st, const char *spec, va_list ap)
{
	int i;

	for (i = 0; spec[i]; i++) {
		const char *s;

		switch (spec[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 't':
			s = va_arg(ap, const char *);
			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i + 1);
			break;
		default:
			sqlite3_bind_null(st, i + 1);
			break;
		}
	}
}

void db_bind_spec(sqlite3_stmt *st, const char *spec, ...)
{
	va_list ap;

	va_start(ap, spec);
	bind_va(st, spec, ap);
	va_end(ap);
}

ClCode db_exec(sqlite3 *db, Err *e, const char *sql, const char *spec, ...)
{
	sqlite3_stmt *st = NULL;
	ClCode rc;
	va_list ap;
	int x;

	rc = db_prepare(db, &st, sql, e);
	if (rc)
		return rc;
	va_start(ap, spec);
	bind_va(st, spec, ap);
	va_end(ap);
	while ((x = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (x != SQLITE_DONE)
		rc = db_error(db, e, "database");
	sqlite3_finalize(st);
	return rc;
}

void db_note(sqlite3 *db, const char *sql, const char *spec, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return;
	}
	va_start(ap, spec);
	bind_va(st, spec, ap);
	va_end(ap);
	sqlite3_busy_timeout(db, 0);
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_busy_timeout(db, DB_BUSY_MS);
	sqlite3_finalize(st);
}

/* Failed reads on this thread, and the last one's message: a failed
 * query must never pass for "no rows" (db_read_failures). */
static _Thread_local unsigned long read_failures;
static _Thread_local char read_failure_msg[300];

/* Count a failed read of db (what it was reading). */
static void read_failed(sqlite3 *db, const char *what)
{
	read_failures++;
	snprintf(read_failure_msg, sizeof read_failure_msg, "%s: %s", what, sqlite3_errmsg(db));
}

unsigned long db_read_failures(const char **last)
{
	if (last)
		*last = read_failure_msg;
	return read_failures;
}

int db_reads_failed(unsigned long since, const char *what, Err *e)
{
	if (read_failures == since)
		return 0;
	err_set(e, CL_EDB, "%s: %s", what, read_failure_msg);
	return 1;
}

/* Prepare sql, bind ap by spec and take its first step.  Returns the
 * statement with a row, or NULL (no row, or a counted failure). */
static sqlite3_stmt *first_row(sqlite3 *db, const char *sql, const char *spec, va_list ap)
{
	sqlite3_stmt *st = NULL;
	int step;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		read_failed(db, "preparing a query");
		return NULL;
	}
	bind_va(st, spec, ap);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		return st;
	if (step != SQLITE_DONE)
		read_failed(db, "reading the database");
	sqlite3_finalize(st);
	return NULL;
}

int64_t db_int(sqlite3 *db, int64_t dflt, const char *sql, const char *spec, ...)
{
	sqlite3_stmt *st;
	int64_t v = dflt;
	va_list ap;

	va_start(ap, spec);
	st = first_row(db, sql, spec, ap);
	va_end(ap);
	if (st && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int db_text(sqlite3 *db, char *buf, size_t n, const char *sql, const char *spec, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	buf[0] = '\0';
	va_start(ap, spec);
	st = first_row(db, sql, spec, ap);
	va_end(ap);
	if (st) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(buf, n, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return st != NULL;
}

ClCode db_rows(DbRows *q, sqlite3 *db, Err *e, const char *sql, const char *spec, ...)
{
	va_list ap;

	memset(q, 0, sizeof *q);
	q->db = db;
	q->step = SQLITE_DONE;
	if (sqlite3_prepare_v2(db, sql, -1, &q->st, NULL) != SQLITE_OK) {
		read_failed(db, "preparing a query");
		return db_error(db, e, "preparing a query");
	}
	va_start(ap, spec);
	bind_va(q->st, spec, ap);
	va_end(ap);
	return CL_OK;
}

void db_rows_on(DbRows *q, sqlite3 *db, sqlite3_stmt *st, int owner)
{
	memset(q, 0, sizeof *q);
	q->db = db;
	q->st = st;
	q->owner = owner;
	q->step = SQLITE_DONE;
}

int db_rows_next(DbRows *q)
{
	if (!q->st)
		return 0;
	q->step = sqlite3_step(q->st);
	if (q->step == SQLITE_ROW)
		return 1;
	if (q->step != SQLITE_DONE)
		read_failed(q->db, "reading the database");
	return 0;
}

/* The message of q's failed step: the database's own while it still
 * describes that step, else the generic text of its code. */
static const char *rows_failure(const DbRows *q)
{
	if ((sqlite3_extended_errcode(q->db) & 0xff) == (q->step & 0xff))
		return sqlite3_errmsg(q->db);
	return sqlite3_errstr(q->step);
}

ClCode db_rows_end(DbRows *q, const char *what, Err *e)
{
	ClCode rc = CL_OK;

	if (q->step != SQLITE_DONE && q->step != SQLITE_ROW)
		rc = err_set(e, (q->step & 0xff) == SQLITE_CONSTRAINT ? CL_ECONFLICT : CL_EDB,
			     "%s: %s", what, rows_failure(q));
	if (q->owner == DB_ROWS_KEPT)
		db_release(q->st);
	else if (q->owner == DB_ROWS_RESET)
		sqlite3_reset(q->st);
	else
		sqlite3_finalize(q->st);
	q->st = NULL;
	q->step = SQLITE_DONE; /* ended: a second call does nothing */
	return rc;
}

char *db_timestamp(char *buf)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, TIMESTAMP_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
