/*
 * books.h — the version of the books: what a cache of pages and reports
 * compares to know that nothing it drew from has changed.
 */
#ifndef COOPLEDGER_BOOKS_H
#define COOPLEDGER_BOOKS_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"

/* The newest audit entry and the newest purchase line (0 when none): every
 * change to the books writes one or the other; and whether any order's
 * stored compliance is out of date (compliance.h).  The query stays
 * prepared with the connection (every cached page asks).  OUT: *audit,
 * *purchase, *touched. */
ClCode books_version(sqlite3 *db, int64_t *audit, int64_t *purchase, int *touched, Err *e)
	__attribute__((warn_unused_result));

#endif
