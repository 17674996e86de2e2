/*
 * rowset.h — the rows of a listing as SQLite stored them (integer, text or
 * null), read in full so that a failed step is an error and never a short
 * list.  Money columns hold integer cents; the edge (web/encode.h) writes
 * a row set as JSON or as a page's context.
 */
#ifndef COOPLEDGER_ROWSET_H
#define COOPLEDGER_ROWSET_H

#include <stdint.h>

#include "db.h"
#include "err.h"

typedef enum { CELL_NULL = 0, CELL_INT, CELL_TEXT } CellType;

typedef struct Cell {
	CellType type;
	int64_t i;     /* CELL_INT */
	const char *s; /* CELL_TEXT: owned by the row set */
} Cell;

typedef struct RowSet {
	int ncol;
	char **col; /* the query's column names */
	int nrow;
	Cell *cell; /* nrow * ncol, row by row */
	int more;   /* a limit stopped the read with rows left */
	int cap;
} RowSet;

/* Read the rows of q (begun by db_rows() with answer rc) into *rs: at
 * most limit of them (0: all), rs->more set when there were more.  Ends
 * q whatever happens.  On failure rs is empty and e names what (the
 * read of what).  Free with rowset_free() either way. */
ClCode rowset_read(RowSet *rs, ClCode rc, DbRows *q, int limit, const char *what, Err *e)
	__attribute__((warn_unused_result));

/* The column's index, or -1 when the query has no such column. */
int rowset_column(const RowSet *rs, const char *name);

/* Row r's cell in column c (an index from rowset_column()). */
const Cell *rowset_cell(const RowSet *rs, int r, int c);

/* Row r's value of a named column: 0 / "" when null or absent. */
int64_t rowset_int(const RowSet *rs, int r, const char *name);
const char *rowset_text(const RowSet *rs, int r, const char *name);

/* Whether row r of rs stays: *keep set, or a failure with e set. */
typedef ClCode (*RowKeep)(void *ctx, const RowSet *rs, int r, int *keep, Err *e);

/* Keep only the rows keep() says stay, in their order.  On failure rs is
 * emptied and the failure returned. */
ClCode rowset_filter(RowSet *rs, RowKeep keep, void *ctx, Err *e)
	__attribute__((warn_unused_result));

void rowset_free(RowSet *rs);

#endif
