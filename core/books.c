/* books.c — the version of the books; see books.h. */
#include "books.h"

#include "db.h"

/* Kept prepared (db_prepare_kept): looked up by this address. */
static const char version_sql[] =
	"SELECT (SELECT max(id) FROM audit_log), (SELECT max(id) FROM purchase), "
	"EXISTS (SELECT 1 FROM purchase_order WHERE touched = 1)";

ClCode books_version(sqlite3 *db, int64_t *audit, int64_t *purchase, int *touched, Err *e)
{
	sqlite3_stmt *st = NULL;
	DbRows q;
	ClCode rc, rc2;

	*audit = *purchase = 0;
	*touched = 0;
	rc = db_prepare_kept(db, &st, version_sql, e);
	if (rc)
		return rc;
	db_rows_on(&q, db, st, 1);
	if (db_rows_next(&q)) {
		*audit = sqlite3_column_int64(q.st, 0);
		*purchase = sqlite3_column_int64(q.st, 1);
		*touched = sqlite3_column_int(q.st, 2);
	} else if (q.step == SQLITE_DONE) {
		rc = err_set(e, CL_EDB, "the version of the books: no row");
	}
	rc2 = db_rows_end(&q, "reading the version of the books", e);
	return rc2 ? rc2 : rc;
}
